//! What an output folder records: its manifest, reconciled with the journal of a render that
//! stopped part way, and the spec the folder belongs to.
//!
//! A render that will rename files into place first writes the manifest it is about to write
//! as a journal beside the manifest, durably, and removes it once the manifest is written.
//! Found by the next render (under the output folder's lock), a journal means the last one
//! stopped part way: some files hold the bytes the old manifest records, some the bytes the
//! journal records. A file holding either is gen's, as written; only one holding neither was
//! edited by hand.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::inputs::{FileId, Inputs};
use super::manifest::{Entry, Manifest, sha256};
use super::{OutputError, fs};
use crate::render::{JOURNAL_NAME, MANIFEST_NAME};

/// An output folder's records, read under its lock (or, for a drift check, as they are).
#[derive(Debug, Default)]
pub struct Records {
    /// The manifest, with each entry the interrupted render's record where the file on disk
    /// holds what that render wrote.
    pub manifest: Option<Manifest>,
    /// Whether the folder had a manifest.
    pub had_manifest: bool,
    /// Whether a render stopped part way (it left its journal).
    pub interrupted: bool,
    /// Every path the journal lists: what that render was writing, in place or not.
    pub journal_paths: Vec<String>,
    /// The specs the manifest and the journal name (relative to the folder), the manifest's first.
    specs: Vec<String>,
}

/// The paths the output folder `out` records (its manifest, with what a render that stopped
/// part way was writing), and the renames it records (service, former name), when they are
/// the render of the spec `inputs` reads; nothing for a folder with no records, one that
/// cannot be read, or another spec's.
pub fn recorded_paths(out: &Path, inputs: &Inputs) -> Option<(Vec<String>, BTreeMap<String, String>)> {
    let mut tree = fs::Tree::new(out);
    let records = Records::read(out, &mut tree).ok()?;
    records.check_owner(out, inputs).ok()?;
    let manifest = records.manifest?;
    let mut paths: Vec<String> = manifest.files.into_iter().map(|e| e.path).collect();
    paths.extend(records.journal_paths);
    Some((paths, manifest.renames))
}

impl Records {
    /// Reads the manifest of `out`, and the journal an interrupted render left, if any.
    pub fn read(out: &Path, tree: &mut fs::Tree) -> Result<Records, OutputError> {
        let manifest = Manifest::read(out)?;
        let journal = Manifest::read_at(&out.join(JOURNAL_NAME))?;
        let had_manifest = manifest.is_some();
        let mut specs: Vec<String> = manifest.iter().chain(&journal).map(|m| m.spec.clone()).collect();
        specs.dedup();
        let Some(journal) = journal else {
            return Ok(Records { manifest, had_manifest, interrupted: false, journal_paths: Vec::new(), specs });
        };
        let journal_paths = journal.files.iter().map(|e| e.path.clone()).collect();
        let mut old: HashMap<String, Entry> =
            manifest.iter().flat_map(|m| m.files.iter()).map(|e| (e.path.clone(), e.clone())).collect();
        let mut files = Vec::with_capacity(journal.files.len());
        for pending in &journal.files {
            let recorded = old.remove(&pending.path);
            if recorded.as_ref() == Some(pending) {
                files.extend(recorded);
                continue;
            }
            let on_disk = match tree.target(&pending.path) {
                Ok(path) => match fs::probe(&path)? {
                    fs::Disk::File(bytes, _) => Some(sha256(&bytes)),
                    _ => None,
                },
                Err(_) => None,
            };
            if on_disk == Some(pending.sha256) {
                files.push(pending.clone());
            } else {
                // Not put in place yet, or edited since: as the manifest had it, if it had it.
                files.extend(recorded);
            }
        }
        files.extend(old.into_values());
        let mut merged = manifest.unwrap_or_else(|| Manifest { files: Vec::new(), ..journal.clone() });
        merged.files = files;
        merged.files.sort_by(|a, b| a.path.cmp(&b.path));
        Ok(Records { manifest: Some(merged), had_manifest, interrupted: true, journal_paths, specs })
    }

    /// Refuses a folder whose records name another spec than the one `inputs` reads: a render
    /// would remove that spec's files. The same spec reached by another path is the same.
    pub fn check_owner(&self, out: &Path, inputs: &Inputs) -> Result<(), OutputError> {
        let current = fs::relative(out, inputs.spec());
        if self.specs.is_empty() || self.specs.contains(&current) {
            return Ok(());
        }
        let at = |recorded: &String| out.join(recorded);
        if self.specs.iter().any(|s| FileId::at(&at(s)).is_some_and(|id| inputs.is_spec(&id))) {
            return Ok(());
        }
        let other = at(&self.specs[0]);
        let shown = std::env::current_dir().map_or_else(|_| self.specs[0].clone(), |cwd| fs::relative(&cwd, &other));
        Err(OutputError::OtherSpec {
            out: fs::shown(out),
            other: shown,
            spec: inputs.shown().to_string(),
            gone: std::fs::symlink_metadata(&other).is_err(),
        })
    }

    /// Refuses an output folder where the manifest or the journal would be written over an
    /// input (a spec named `.gen-manifest.json` rendered into its own folder).
    pub fn check_not_inputs(out: &Path, inputs: &Inputs) -> Result<(), OutputError> {
        let problems: Vec<String> = [MANIFEST_NAME, JOURNAL_NAME]
            .iter()
            .map(|name| out.join(name))
            .filter_map(|path| {
                let meta = std::fs::symlink_metadata(&path).ok()?;
                inputs.refusal(&path, &FileId::of(&path, &meta)?)
            })
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(OutputError::Blocked(problems)) }
    }
}
