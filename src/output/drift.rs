//! Drift: how the output directory differs from what the spec renders, as unified diffs.

use std::collections::HashSet;
use std::path::Path;

use super::inputs::Inputs;
use super::manifest::{Manifest, Owner};
use super::records::Records;
use super::{OutputError, fs};
use crate::blueprint::Ownership;
use crate::declare_rule;
use crate::render::{JOURNAL_NAME, PlannedFile};

declare_rule! {
    /// ## What it does
    /// Reports a managed file in the output directory that differs from what the spec renders:
    /// changed, missing, or left over from an earlier render; an output directory that holds
    /// another spec's render; and one where a render stopped part way.
    ///
    /// ## Why it matters
    /// Managed files are the spec's output. A hand edit is lost on the next render, and a
    /// spec change that was never rendered means the repository deploys something else than
    /// the spec says.
    ///
    /// ## How to fix
    /// Run `gen render SPEC`. To keep a change, make it in the spec or the blueprint;
    /// `gen render SPEC --check` shows the diff. A folder that holds another spec's render is
    /// not compared: render into another folder, or take it over (`gen render SPEC --take-over`).
    pub static DRIFTED_OUTPUT = ("DRIFT001", "drifted-output", Error, unignorable);
}

/// How a managed file drifted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DriftKind {
    /// The spec renders it; the directory lacks it.
    Missing,
    /// The directory's copy differs from the render.
    Changed,
    /// An earlier render wrote it; the spec no longer renders it.
    Stale,
    /// The last render stopped part way (its journal is there): the manifest does not record
    /// what is on disk until a render finishes.
    Interrupted,
}

/// One drifted file, with a unified diff from the directory to the render.
#[derive(Clone, Debug)]
pub struct Drift {
    pub path: String,
    pub kind: DriftKind,
    pub diff: String,
}

/// A unified diff from `old` (the directory's copy) to `new` (the render).
pub(super) fn unified(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> String {
    let (a, b) = (
        old.map_or("/dev/null".to_string(), |_| format!("a/{path}")),
        new.map_or("/dev/null".to_string(), |_| format!("b/{path}")),
    );
    match (std::str::from_utf8(old.unwrap_or_default()), std::str::from_utf8(new.unwrap_or_default())) {
        (Ok(o), Ok(n)) => {
            similar::TextDiff::from_lines(o, n).unified_diff().context_radius(3).header(&a, &b).to_string()
        }
        _ => format!("Binary files {a} and {b} differ\n"),
    }
}

/// The output directory compared with what the spec renders, batch by batch ([`DriftCheck::add`]),
/// then for the files earlier renders wrote that the spec no longer renders
/// ([`DriftCheck::finish`]). Scaffold files are the user's: they never drift.
pub struct DriftCheck {
    tree: fs::Tree,
    old: Option<Manifest>,
    interrupted: bool,
    released: HashSet<String>,
    planned: HashSet<String>,
}

impl DriftCheck {
    /// Reads the output directory's manifest (with the journal of a render that stopped part
    /// way), and refuses a folder that holds another spec's render than the one `inputs` names.
    pub fn open(out: &Path, inputs: &Inputs) -> Result<DriftCheck, OutputError> {
        let mut tree = fs::Tree::new(out);
        let records = Records::read(out, &mut tree)?;
        records.check_owner(out, inputs)?;
        if records.interrupted && fs::Lock::held(out) {
            // Not stopped: still writing.
            return Err(OutputError::Busy(out.to_path_buf()));
        }
        let (old, interrupted) = (records.manifest, records.interrupted);
        let released = old
            .iter()
            .flat_map(|m| m.files.iter())
            .filter(|e| e.owner == Owner::Released)
            .map(|e| e.path.clone())
            .collect();
        Ok(DriftCheck { tree, old, interrupted, released, planned: HashSet::new() })
    }

    /// The managed files of a batch that differ from the directory's copies.
    pub fn add(&mut self, files: &[PlannedFile]) -> Result<Vec<Drift>, OutputError> {
        let mut drifts = Vec::new();
        for file in files {
            self.planned.insert(file.path.clone());
            if file.ownership != Ownership::Managed || self.released.contains(&file.path) {
                continue;
            }
            let existing = fs::read(&self.tree.target(&file.path)?)?;
            let kind = match &existing {
                None => DriftKind::Missing,
                Some(b) if *b != file.bytes => DriftKind::Changed,
                Some(_) => continue,
            };
            let diff = unified(&file.path, existing.as_deref(), Some(&file.bytes));
            drifts.push(Drift { path: file.path.clone(), kind, diff });
        }
        Ok(drifts)
    }

    /// The managed files earlier renders wrote that no batch held.
    pub fn finish(mut self) -> Result<Vec<Drift>, OutputError> {
        let mut drifts = Vec::new();
        if self.interrupted {
            drifts.push(Drift { path: JOURNAL_NAME.to_string(), kind: DriftKind::Interrupted, diff: String::new() });
        }
        let Some(old) = self.old.take() else { return Ok(drifts) };
        for stale in old.files.iter().filter(|e| e.owner == Owner::Managed && !self.planned.contains(&e.path)) {
            if let Some(bytes) = fs::read(&self.tree.target(&stale.path)?)? {
                let diff = unified(&stale.path, Some(&bytes), None);
                drifts.push(Drift { path: stale.path.clone(), kind: DriftKind::Stale, diff });
            }
        }
        Ok(drifts)
    }
}
