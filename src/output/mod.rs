//! The output stage, the only one that touches the disk: apply a plan, or compare it.

mod apply;
mod drift;
mod folders;
mod fs;
mod inputs;
mod layout;
mod manifest;
mod overrides;
mod records;

pub use apply::{Allow, Kept, ManifestChange, Outcome, Writer, apply};
pub use drift::{DRIFTED_OUTPUT, Drift, DriftCheck, DriftKind, UNLISTED_OUTPUT_FILE};
pub use folders::{Tool, Unlisted, Why};
pub use fs::{check_folder, normalize};
pub use inputs::{FileId, Inputs};
pub use layout::{Layout, shown};
pub use manifest::{Entry, EnvironmentRecord, Manifest, Owner, sha256};
pub use overrides::{Override, PIPELINE_FILE_OVERRIDES, findings as override_findings};
pub use records::recorded_paths;

use std::path::Path;

/// Writes one file atomically and durably (for `gen init`).
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    fs::write_durable(path, bytes)
}

use std::path::PathBuf;

/// What went wrong writing or reading the output directory.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{0}: is a symbolic link; gen does not write through links in the output directory")]
    Symlink(PathBuf),
    #[error("{0}: a file stands where gen needs a folder")]
    NotAFolder(PathBuf),
    #[error("{0}: another gen render is writing into this folder; wait for it to finish, then render again")]
    Busy(PathBuf),
    #[error("nothing was written, because:\n  {}", blocked(.0))]
    Blocked(Vec<String>),
    #[error("`{0}` is not a plain path inside the output directory")]
    UnsafePath(String),
    #[error("{path}: the manifest cannot be read ({reason}); restore it from version control or delete it")]
    BadManifest { path: PathBuf, reason: String },
    #[error("{}", other_spec(.out, .other, .spec, *.gone))]
    OtherSpec {
        /// The output folder, as shown.
        out: String,
        /// The spec its records name, from the current folder.
        other: String,
        /// The spec rendered now, as given.
        spec: String,
        /// Whether the recorded spec is no longer there.
        gone: bool,
    },
    #[error("the manifest cannot be written: {0}")]
    Serialize(String),
    #[error(
        "the spec rendered once cleanly, then failed when rendered again to be written (a blueprint that is not deterministic?); nothing was written"
    )]
    Unstable,
    #[error("{}", out_is_a_file(.out, .file))]
    OutIsAFile { out: PathBuf, file: PathBuf },
    #[error(
        "{0}\nthe render stopped part way: some files are in place, others not; once the cause is fixed, render again \
         to finish it (the next render recognises what this one wrote)"
    )]
    Stopped(Box<OutputError>),
}

impl OutputError {
    /// Whether the error leaves the output folder as it was (everything but a render stopped
    /// part way), and whether its message says so already.
    pub fn wrote_nothing(&self) -> (bool, bool) {
        match self {
            OutputError::Stopped(_) => (false, true),
            OutputError::Blocked(_) | OutputError::Unstable => (true, true),
            _ => (true, false),
        }
    }
}

/// Why an output folder that is (or is under) a file cannot be one, and what to do.
fn out_is_a_file(out: &Path, file: &Path) -> String {
    let (out, file) = (fs::shown(out), fs::shown(file));
    let at = if out == file { format!("{out}: is a file") } else { format!("{out}: {file} is a file") };
    format!("{at}, not a folder: gen renders into a folder; name another one with --out DIR")
}

/// Why a render does not write into a folder another spec's render owns, and what to do.
fn other_spec(out: &str, other: &str, spec: &str, gone: bool) -> String {
    if gone {
        format!(
            "{out} holds the render of {other}, which no longer exists (the folder's manifest says so): if you moved or \
             renamed it to {spec}, take the folder over: gen render {spec} --take-over; else render into another folder \
             (--out DIR)"
        )
    } else {
        format!(
            "{out} holds the render of {other}, not of {spec} (the folder's manifest says so): rendering {spec} there \
             would remove {other}'s files; render into another folder (--out DIR), or take this one over and remove \
             them: gen render {spec} --take-over"
        )
    }
}

fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.into();
    move |source| OutputError::Io { path, source }
}

/// The most reasons [`OutputError::Blocked`] lists one by one.
const BLOCKED_SHOWN: usize = 10;

/// The reasons a render wrote nothing, one a line: the first few, then how many more (a tree
/// of thousands of files can be blocked at every one).
fn blocked(problems: &[String]) -> String {
    let mut lines: Vec<String> = problems.iter().take(BLOCKED_SHOWN).cloned().collect();
    if problems.len() > BLOCKED_SHOWN {
        lines.push(format!("and {} more of the same kinds", problems.len() - BLOCKED_SHOWN));
    }
    lines.join("\n  ")
}

/// The text of a file gen records in the output folder `out` (`rel`: its path there), read as
/// a render reads it: no symbolic link is followed, in the path or at its end. `None` when it
/// is not a regular file of UTF-8 text.
pub fn read_managed(out: &Path, rel: &str) -> Result<Option<String>, OutputError> {
    let target = fs::Tree::new(out).target(rel)?;
    match fs::probe(&target)? {
        fs::Disk::File(bytes, _) => Ok(String::from_utf8(bytes).ok()),
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_render_blocked_at_thousands_of_targets_names_the_first_few_and_counts_the_rest() {
        let problems: Vec<String> =
            (0..5000).map(|i| format!("out/f{i}: a folder stands where gen writes a file")).collect();
        let text = super::OutputError::Blocked(problems).to_string();
        assert_eq!(text.lines().count(), 12, "{text}");
        assert!(text.contains("out/f9: a folder") && !text.contains("out/f10:"), "{text}");
        assert!(text.ends_with("and 4990 more of the same kinds"), "{text}");
    }
}
