//! What `gen lint` was given: each path read and sorted into specs, blueprint folders and the
//! files (or folders) an artifact family checks; what cannot be read becomes a finding.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::place::display;
use crate::diag::{Diagnostic, Findings, Source, Span};
use crate::input::{Boundary, UNREADABLE_INPUT};
use crate::lint::{self, Recognition};
use crate::spec;

/// Largest hand-written artifact read, in bytes.
pub const MAX_ARTIFACT_BYTES: u64 = 16 * 1024 * 1024;

/// Folders a walk never enters: version control and tool caches, never the user's sources.
const SKIPPED_DIRS: [&str; 8] = [".git", ".hg", ".svn", "node_modules", ".terraform", ".venv", "__pycache__", ".tox"];

/// An input of `gen lint`, classified.
pub(super) enum Input {
    Spec(PathBuf),
    Blueprint(PathBuf),
    Artifact(&'static dyn lint::Family, PathBuf, std::sync::Arc<Source>),
    /// A folder a family reads as one input (a Helm chart).
    Folder(&'static dyn lint::Family, PathBuf),
}

pub(super) fn unreadable_diag(name: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(&UNREADABLE_INPUT, name, None, format!("cannot read {name}: {reason}"))
        .help("check the path and its permissions")
}

fn open_diag(name: &str, e: &crate::input::OpenError) -> Diagnostic {
    Diagnostic::new(&UNREADABLE_INPUT, name, None, format!("cannot read {name}: {e}")).help(e.help())
}

pub(super) fn unreadable(name: &str, reason: &str) -> Findings {
    Findings::new([], vec![unreadable_diag(name, reason)])
}

/// Why a file gen was given is not text it can check.
enum Unreadable {
    /// It could not be opened or read.
    Open(crate::input::OpenError),
    /// It could not be read (the reason).
    Read(String),
    /// Its bytes are not UTF-8 text: a finding at the first byte that is not.
    Undecodable(Box<Diagnostic>, Arc<Source>),
}

impl Unreadable {
    /// The finding, with the source it quotes.
    fn report(self, name: &str, findings: &mut Findings) {
        match self {
            Unreadable::Open(e) => findings.diagnostics.push(open_diag(name, &e)),
            Unreadable::Read(reason) => findings.diagnostics.push(unreadable_diag(name, &reason)),
            Unreadable::Undecodable(d, source) => {
                findings.sources.add(source);
                findings.diagnostics.push(*d);
            }
        }
    }
}

/// The text of a file inside `within`, at most [`MAX_ARTIFACT_BYTES`]; `name` is how findings
/// name it.
fn read_text(path: &Path, within: &Boundary, name: &str) -> Result<String, Unreadable> {
    let file = within.open(path).map_err(Unreadable::Open)?;
    let mut bytes = Vec::new();
    file.take(MAX_ARTIFACT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Unreadable::Read(e.to_string()))?;
    if bytes.len() as u64 > MAX_ARTIFACT_BYTES {
        return Err(Unreadable::Read(format!("it is larger than {MAX_ARTIFACT_BYTES} bytes")));
    }
    decode(bytes, name)
}

/// A file's bytes as text, or a finding at the first byte that keeps them from being UTF-8
/// text: a file in another encoding (a UTF-16 export) or not text at all (a binary) is never
/// read as an empty file that passes. (Characters a format forbids, a NUL in YAML, are the
/// format's to report.)
fn decode(bytes: Vec<u8>, name: &str) -> Result<String, Unreadable> {
    let (text, at, reason) = match crate::yaml::utf16_or_32(&bytes) {
        Some(encoding) => (String::from_utf8_lossy(&bytes).into_owned(), 0, format!("it is {encoding}, not UTF-8")),
        None => match String::from_utf8(bytes) {
            Ok(text) => return Ok(text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let reason = format!("it is not UTF-8 text: invalid byte 0x{:02x}", bytes[at]);
                (String::from_utf8_lossy(&bytes).into_owned(), at, reason)
            }
        },
    };
    // Up to `at` the text is as read, so the place is the byte's own.
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let d = Diagnostic::new(&UNREADABLE_INPUT, name, Some(Span::new(at, end)), format!("cannot read {name}: {reason}"))
        .help("save it as UTF-8 text: gen checks text files only");
    Err(Unreadable::Undecodable(Box::new(d), Source::new(name, text)))
}

/// The path families recognise a file by: absolute (so that `gen lint .` run inside
/// `.github/workflows/` still names that folder), with `/` between folders.
fn recognition_path(path: &Path) -> String {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().replace('\\', "/")
}

/// Sorts a path into specs, blueprint folders and artifacts; what cannot be read becomes a
/// finding. A folder is walked for files a family or the spec recognises by name and content.
pub(super) fn classify(path: &Path, inputs: &mut Vec<Input>, findings: &mut Findings) {
    let name = display(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return findings.diagnostics.push(unreadable_diag(&name, &e.to_string())),
    };
    if !meta.is_dir() && !meta.is_file() {
        return findings.diagnostics.push(unreadable_diag(&name, "it is not a regular file or a folder"));
    }
    // What is read, and what a walk reads, stays inside the input's repository.
    let within = Boundary::of(path);
    if !meta.is_dir() {
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if file_name == "blueprint.yaml" {
            inputs.push(Input::Blueprint(path.parent().unwrap_or(Path::new(".")).to_path_buf()));
            return;
        }
        let text = match read_text(path, &within, &name) {
            Ok(t) => t,
            // A spec reports its own encoding, size and link problems.
            Err(_) if lint::recognise(&recognition_path(path), "", Recognition::Maybe).is_none() => {
                inputs.push(Input::Spec(path.to_path_buf()));
                return;
            }
            Err(e) => return e.report(&name, findings),
        };
        match lint::recognise(&recognition_path(path), &text, Recognition::Maybe) {
            Some(family) if !spec::recognises(&text) => {
                inputs.push(Input::Artifact(family, path.to_path_buf(), Source::new(name, text)))
            }
            // An explicitly named file no family claims is read as a spec, which says what is wrong.
            _ => inputs.push(Input::Spec(path.to_path_buf())),
        }
        return;
    }
    if let Err(e) = within.check(path) {
        return findings.diagnostics.push(open_diag(&name, &e));
    }
    if path.join("blueprint.yaml").is_file() {
        inputs.push(Input::Blueprint(path.to_path_buf()));
        return;
    }
    if let Some(family) = lint::claiming_folder(path) {
        inputs.push(Input::Folder(family, path.to_path_buf()));
        return;
    }
    // A folder's files come before its subfolders, so that the files of one folder (the set
    // rules that relate files read together) arrive together.
    let walker = walkdir::WalkDir::new(path)
        .sort_by(|a, b| (a.file_type().is_dir(), a.file_name()).cmp(&(b.file_type().is_dir(), b.file_name())));
    let walker = walker.into_iter().filter_entry(|e| {
        let n = e.file_name().to_string_lossy();
        e.depth() == 0 || !(e.file_type().is_dir() && SKIPPED_DIRS.contains(&n.as_ref()))
    });
    let mut skip_under: Option<PathBuf> = None;
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or_else(|| name.clone(), display);
                let reason = e.io_error().map_or_else(|| e.to_string(), |io| io.to_string());
                findings.diagnostics.push(unreadable_diag(&at, &reason));
                continue;
            }
        };
        if skip_under.as_ref().is_some_and(|d| entry.path().starts_with(d)) {
            continue;
        }
        if entry.file_type().is_dir() {
            if entry.depth() > 0 && entry.path().join("blueprint.yaml").is_file() {
                // A blueprint's templates are not artifacts; the blueprint is checked as one.
                inputs.push(Input::Blueprint(entry.path().to_path_buf()));
                skip_under = Some(entry.path().to_path_buf());
            } else if entry.depth() > 0
                && let Some(family) = lint::claiming_folder(entry.path())
            {
                inputs.push(Input::Folder(family, entry.path().to_path_buf()));
                skip_under = Some(entry.path().to_path_buf());
            }
            continue;
        }
        // A linked folder is not entered: its files are walked where they are, or are not
        // this folder's. A linked file is read under its name when it stays inside the
        // repository, and reported when it leads out (read_text); so is a FIFO or a device.
        if entry.path_is_symlink() && entry.path().is_dir() {
            continue;
        }
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // Only files whose name a family (or the spec) could claim are read.
        let could_be_spec = file_name.ends_with(".yaml") || file_name.ends_with(".yml");
        let recognised_as = recognition_path(entry.path());
        if !could_be_spec && lint::recognise(&recognised_as, "", Recognition::Maybe).is_none() {
            continue;
        }
        let shown = display(entry.path());
        let text = match read_text(entry.path(), &within, &shown) {
            Ok(t) => t,
            Err(e) => {
                e.report(&shown, findings);
                continue;
            }
        };
        if could_be_spec && spec::recognises(&text) {
            inputs.push(Input::Spec(entry.path().to_path_buf()));
        } else if let Some(family) = lint::recognise(&recognised_as, &text, Recognition::Yes) {
            inputs.push(Input::Artifact(family, entry.path().to_path_buf(), Source::new(shown, text)));
        }
    }
}
