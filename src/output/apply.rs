//! Applying a plan: write what changed, keep what the user owns, clean up what gen left, and
//! never lose a byte written by hand unless a flag names exactly that.
//!
//! A render runs in three steps under a lock on the output folder. It first decides what to do
//! with every file and checks every target (a folder or a link where a file goes, a file where
//! a folder goes); any problem stops it with nothing written. It then writes every new file as
//! a temporary file beside its target, which proves the folder is writable and has room; a
//! failure removes them all. Only then are they renamed into place, files removed, and the
//! manifest written, last.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use super::drift::unified;
use super::manifest::{Entry, Manifest, Owner, sha256};
use super::{OutputError, fs};
use crate::blueprint::Ownership;
use crate::render::{MANIFEST_NAME, Plan};

/// What a render may do beyond the safe default; each flag names what it may lose.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Allow {
    /// `--discard-edits`: managed files edited by hand take gen's version, and edited files the
    /// spec no longer renders are removed.
    pub discard_edits: bool,
    /// `--keep-edits`: managed files edited by hand stay as they are and become the user's:
    /// gen no longer writes or drift-checks them.
    pub keep_edits: bool,
    /// `--overwrite-unowned`: files gen does not own that stand where it writes are replaced.
    pub overwrite_unowned: bool,
}

/// A file gen did not write, with the diff from it to what the spec renders.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Kept {
    pub path: String,
    pub diff: String,
}

/// What happened to the manifest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ManifestChange {
    #[default]
    Unchanged,
    /// There was none (or it had been deleted).
    Created,
    /// It records something new: a file, a hash, or the spec's hash.
    Updated,
}

/// What a render did to the output directory, file by file (paths relative to it).
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// Files that did not exist, written.
    pub created: Vec<String>,
    /// Managed files rewritten with what the spec renders now.
    pub updated: Vec<String>,
    /// Files already as rendered, or the user's (scaffold and released files).
    pub unchanged: usize,
    /// Managed files the spec no longer renders, removed (they were unedited, or edits were
    /// discarded).
    pub removed: Vec<String>,
    /// Managed files whose hand edits `--discard-edits` discarded (rewritten or removed).
    pub discarded_edits: Vec<String>,
    /// Files gen did not own that `--overwrite-unowned` replaced.
    pub overwrote_unowned: Vec<String>,
    /// Managed files edited by hand that `--keep-edits` handed to the user.
    pub released: Vec<String>,
    /// Managed files edited by hand, kept: the user must say what to do.
    pub kept_edits: Vec<Kept>,
    /// Files gen does not own standing where it writes a managed file, kept.
    pub kept_unowned: Vec<Kept>,
    /// Files the user already had where gen writes a scaffold file: kept, and theirs.
    pub kept_scaffold: Vec<String>,
    /// Managed files the spec no longer renders, edited by hand: kept.
    pub kept_stale_edits: Vec<String>,
    /// Temporary files an interrupted render left, removed.
    pub cleaned: Vec<String>,
    pub manifest: ManifestChange,
}

impl Outcome {
    /// Whether the user must look at something (exit 1).
    pub fn needs_attention(&self) -> bool {
        !(self.kept_edits.is_empty()
            && self.kept_unowned.is_empty()
            && self.kept_scaffold.is_empty()
            && self.kept_stale_edits.is_empty())
    }

    /// Whether any file was created, changed or removed.
    pub fn changed_anything(&self) -> bool {
        !(self.created.is_empty() && self.updated.is_empty() && self.removed.is_empty())
    }
}

/// One file the render writes.
struct Write<'p> {
    target: PathBuf,
    bytes: &'p [u8],
}

/// Writes `plan` into `out`. `spec` is the spec's path relative to `out`, `spec_bytes` its
/// content (for the manifest).
pub fn apply(plan: &Plan, out: &Path, spec: &str, spec_bytes: &[u8], allow: Allow) -> Result<Outcome, OutputError> {
    let lock = fs::Lock::take(out)?;
    let result = apply_locked(plan, out, spec, spec_bytes, allow);
    lock.release(result.as_ref().is_ok_and(|o| o.changed_anything() || o.manifest != ManifestChange::Unchanged));
    result
}

fn apply_locked(plan: &Plan, out: &Path, spec: &str, spec_bytes: &[u8], allow: Allow) -> Result<Outcome, OutputError> {
    let mut outcome = Outcome { cleaned: fs::clean_temporary(out)?, ..Outcome::default() };
    let old_manifest = Manifest::read(out)?;
    let old = old_manifest.clone().unwrap_or_default();
    let old_entries = old.by_path();
    let mut new = Manifest::new(spec, spec_bytes);
    let mut tree = fs::Tree::new(out);
    let mut problems = Vec::new();
    let mut writes: Vec<Write<'_>> = Vec::new();
    let mut removals: Vec<(String, PathBuf)> = Vec::new();

    // Decide, reading only.
    for file in &plan.files {
        let rel = file.path.as_str();
        let target = match tree.target(rel) {
            Ok(t) => t,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let disk = match fs::probe(&target)? {
            fs::Disk::Other(kind) => {
                problems.push(format!("{}: a {kind} stands where gen writes a file", target.display()));
                continue;
            }
            fs::Disk::Absent => None,
            fs::Disk::File(bytes) => Some(bytes),
        };
        let entry = old_entries.get(rel).copied();
        let record = |owner: Owner, hash: String| Entry { path: rel.to_string(), owner, sha256: hash };
        let planned_owner = Owner::from(file.ownership);
        let Some(bytes) = disk else {
            // Absent: written, also when it was released (deleting it hands it back).
            writes.push(Write { target, bytes: &file.bytes });
            outcome.created.push(rel.to_string());
            new.files.push(record(planned_owner, sha256(&file.bytes)));
            continue;
        };
        if bytes == file.bytes {
            outcome.unchanged += 1;
            let owner =
                entry.map_or(planned_owner, |e| if e.owner == Owner::Released { Owner::Managed } else { e.owner });
            new.files.push(record(owner, sha256(&file.bytes)));
            continue;
        }
        let hash = sha256(&bytes);
        match (entry.map(|e| e.owner), file.ownership) {
            (Some(Owner::Scaffold | Owner::Released), _) => {
                outcome.unchanged += 1;
                new.files.push(record(entry.map_or(Owner::Scaffold, |e| e.owner), hash));
            }
            (None, _) if allow.overwrite_unowned => {
                writes.push(Write { target, bytes: &file.bytes });
                outcome.overwrote_unowned.push(rel.to_string());
                new.files.push(record(planned_owner, sha256(&file.bytes)));
            }
            (None, Ownership::Scaffold) => {
                // The user's code where gen would start one: theirs, as scaffold files are.
                outcome.kept_scaffold.push(rel.to_string());
                new.files.push(record(Owner::Scaffold, hash));
            }
            (None, Ownership::Managed) => {
                outcome
                    .kept_unowned
                    .push(Kept { path: rel.to_string(), diff: unified(rel, Some(&bytes), Some(&file.bytes)) });
            }
            (Some(Owner::Managed), _) => {
                let edited = entry.is_some_and(|e| e.sha256 != hash);
                if !edited || allow.discard_edits {
                    writes.push(Write { target, bytes: &file.bytes });
                    outcome.updated.push(rel.to_string());
                    if edited {
                        outcome.discarded_edits.push(rel.to_string());
                    }
                    new.files.push(record(planned_owner, sha256(&file.bytes)));
                } else if allow.keep_edits {
                    outcome.released.push(rel.to_string());
                    new.files.push(record(Owner::Released, hash));
                } else {
                    outcome
                        .kept_edits
                        .push(Kept { path: rel.to_string(), diff: unified(rel, Some(&bytes), Some(&file.bytes)) });
                    // Still gen's, still at the hash gen wrote: reported until the user decides.
                    new.files.extend(entry.cloned());
                }
            }
        }
    }

    // What earlier renders wrote and this plan no longer has.
    let planned: HashSet<&str> = plan.files.iter().map(|f| f.path.as_str()).collect();
    for stale in old.files.iter().filter(|e| !planned.contains(e.path.as_str())) {
        if stale.owner != Owner::Managed {
            continue; // The user's: left in place, and no longer recorded.
        }
        let target = match tree.target(&stale.path) {
            Ok(t) => t,
            Err(e) => {
                problems.push(e.to_string());
                continue;
            }
        };
        let fs::Disk::File(bytes) = fs::probe(&target)? else { continue };
        let edited = sha256(&bytes) != stale.sha256;
        if !edited || allow.discard_edits {
            removals.push((stale.path.clone(), target));
            if edited {
                outcome.discarded_edits.push(stale.path.clone());
            }
        } else if allow.keep_edits {
            outcome.released.push(stale.path.clone());
        } else {
            outcome.kept_stale_edits.push(stale.path.clone());
            new.files.push(stale.clone());
        }
    }
    if !problems.is_empty() {
        return Err(OutputError::Blocked(problems));
    }

    // Write every new file beside its target; a failure removes them all.
    let staged = fs::stage(writes.iter().map(|w| (w.target.as_path(), w.bytes)))?;
    // Then put them in place, remove what is gone, and record it all, last.
    staged.commit()?;
    for (rel, path) in &removals {
        fs::remove(out, path)?;
        outcome.removed.push(rel.clone());
    }
    let manifest_path = out.join(MANIFEST_NAME);
    let bytes = new.to_bytes()?;
    if fs::read(&manifest_path)?.as_deref() != Some(bytes.as_slice()) {
        fs::write_durable(&manifest_path, &bytes)?;
        outcome.manifest = if old_manifest.is_some() { ManifestChange::Updated } else { ManifestChange::Created };
    }
    Ok(outcome)
}
