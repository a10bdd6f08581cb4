//! Applying a plan: write what changed, keep what the user owns, clean up what gen left.

use std::collections::HashSet;
use std::path::Path;

use super::manifest::{Manifest, sha256};
use super::{OutputError, fs};
use crate::blueprint::Ownership;
use crate::render::{MANIFEST_NAME, Plan};

/// What a render did to the output directory, file by file (paths relative to it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Managed files written (new or changed).
    pub written: Vec<String>,
    /// Managed files that had been edited by hand and were rewritten.
    pub overwrote_edits: Vec<String>,
    /// Scaffold files created.
    pub scaffolded: Vec<String>,
    /// Files already as rendered, or scaffold files kept as the user has them.
    pub unchanged: usize,
    /// Managed files the plan no longer has, removed because they were unmodified.
    pub removed: Vec<String>,
    /// Managed files the plan no longer has, kept because they were edited by hand.
    pub kept_edited: Vec<String>,
    /// Files in the way that gen does not own: not written.
    pub conflicts: Vec<String>,
}

impl Outcome {
    /// Whether the user must look at something (exit 1).
    pub fn needs_attention(&self) -> bool {
        !self.kept_edited.is_empty() || !self.conflicts.is_empty()
    }

    /// Whether any file was created, changed or removed.
    pub fn changed_anything(&self) -> bool {
        !(self.written.is_empty() && self.scaffolded.is_empty() && self.removed.is_empty())
    }
}

/// Writes `plan` into `out`. `spec` is the spec's path relative to `out`, `spec_bytes` its
/// content (for the manifest). With `force`, scaffold files are rewritten, files in the way are
/// replaced, and edited stale files are removed.
pub fn apply(plan: &Plan, out: &Path, spec: &str, spec_bytes: &[u8], force: bool) -> Result<Outcome, OutputError> {
    let old = Manifest::read(out)?.unwrap_or_default();
    let old_entries = old.by_path();
    let mut new = Manifest::for_plan(plan, spec, spec_bytes);
    let mut outcome = Outcome::default();
    let mut not_owned = HashSet::new();
    // Check every path before writing any, so an unsafe one stops the render untouched.
    let mut tree = fs::Tree::new(out);
    let targets = plan.files.iter().map(|f| tree.target(&f.path)).collect::<Result<Vec<_>, _>>()?;
    let mut written = Vec::new();
    for (file, path) in plan.files.iter().zip(&targets) {
        let existing = fs::read(path)?;
        let owned = old_entries.get(file.path.as_str()).copied();
        match (file.ownership, existing) {
            (_, Some(bytes)) if bytes == file.bytes => outcome.unchanged += 1,
            (Ownership::Scaffold, Some(_)) if !force => outcome.unchanged += 1,
            (Ownership::Managed, Some(_)) if owned.is_none() && !force => {
                outcome.conflicts.push(file.path.clone());
                not_owned.insert(file.path.as_str());
            }
            (ownership, existing) => {
                fs::write_atomic(path, &file.bytes)?;
                written.push(path.clone());
                match ownership {
                    Ownership::Scaffold => outcome.scaffolded.push(file.path.clone()),
                    Ownership::Managed => {
                        let edited = matches!((owned, &existing), (Some(e), Some(b)) if e.sha256 != sha256(b));
                        if edited {
                            outcome.overwrote_edits.push(file.path.clone());
                        }
                        outcome.written.push(file.path.clone());
                    }
                }
            }
        }
    }
    new.files.retain(|e| !not_owned.contains(e.path.as_str()));
    let planned: HashSet<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    for stale in old.files.iter().filter(|e| e.ownership == Ownership::Managed && !planned.contains(e.path.as_str())) {
        let path = tree.target(&stale.path)?;
        let Some(bytes) = fs::read(&path)? else { continue };
        if force || sha256(&bytes) == stale.sha256 {
            fs::remove(out, &path)?;
            outcome.removed.push(stale.path.clone());
        } else {
            outcome.kept_edited.push(stale.path.clone());
            new.files.push(stale.clone());
        }
    }
    let manifest_path = out.join(MANIFEST_NAME);
    let bytes = new.to_bytes()?;
    if !written.is_empty() || !outcome.removed.is_empty() {
        fs::sync(out, &written)?;
    }
    if fs::read(&manifest_path)?.as_deref() != Some(bytes.as_slice()) {
        fs::write_durable(&manifest_path, &bytes)?;
    }
    Ok(outcome)
}
