//! The output stage, the only one that touches the disk: apply a plan, or compare it.

mod apply;
mod drift;
mod fs;
mod manifest;

pub use apply::{Allow, Kept, ManifestChange, Outcome, Writer, apply};
pub use drift::{DRIFTED_OUTPUT, Drift, DriftCheck, DriftKind};
pub use fs::normalize;
pub use manifest::{Manifest, Owner, sha256};

use std::path::Path;

/// The spec's path relative to the output directory, as the manifest records it.
pub fn relative_path(out: &Path, spec: &Path) -> String {
    fs::relative(out, spec)
}

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
    #[error("nothing was written, because:\n  {}", .0.join("\n  "))]
    Blocked(Vec<String>),
    #[error("`{0}` is not a plain path inside the output directory")]
    UnsafePath(String),
    #[error("{path}: the manifest cannot be read ({reason}); restore it from version control or delete it")]
    BadManifest { path: PathBuf, reason: String },
    #[error("the manifest cannot be written: {0}")]
    Serialize(String),
    #[error(
        "the spec rendered once cleanly, then failed when rendered again to be written (a blueprint that is not deterministic?); nothing was written"
    )]
    Unstable,
}

fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> OutputError {
    let path = path.into();
    move |source| OutputError::Io { path, source }
}
