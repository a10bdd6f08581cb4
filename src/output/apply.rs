//! Applying a plan: write what changed, keep what the user owns, clean up what gen left, and
//! never lose a byte written by hand unless a flag names exactly that.
//!
//! A render runs in three steps under a lock on the output folder. It first decides what to do
//! with every file and checks every target (a folder or a link where a file goes, a file where
//! a folder goes); any problem stops it with nothing written. It then writes every new file as
//! a temporary file beside its target, which proves the folder is writable and has room; a
//! failure removes them all. Then the manifest it is about to write is written as a journal,
//! durably; only then are the files renamed into place, files removed, the manifest written,
//! and the journal removed (see `records` for what the next render makes of a journal).
//!
//! A render never writes over or removes a file it reads (its spec, a blueprint's file), and
//! never writes into a folder whose manifest names another spec unless told to take it over.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use super::drift::unified;
use super::folders::{Folders, Unlisted, Why};
use super::inputs::Inputs;
use super::layout::Layout;
use super::manifest::{Digest, Entry, EnvironmentRecord, Manifest, Owner, sha256};
use super::overrides::{self, Override};
use super::records::Records;
use super::{OutputError, fs};
use crate::blueprint::Ownership;
use crate::render::{JOURNAL_NAME, MANIFEST_NAME, Plan, PlannedFile};

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
    /// `--take-over`: a folder whose manifest names another spec becomes this spec's; that
    /// spec's files this one does not render are removed (unedited) as any stale file is.
    pub take_over: bool,
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
    /// How many files did not exist and were written (a count: a render of thousands of
    /// services keeps no list of them).
    pub created: usize,
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
    /// Files no record lists where that matters (in a folder gen owns whole; in a shared
    /// folder, one that says it is gen's): kept, the user must move or remove them.
    pub kept_unlisted: Vec<Unlisted>,
    /// Keys a workflow does not write, in the files it rewrites (GitOps' tag file): kept, the
    /// user must remove them.
    pub overrides: Vec<Override>,
    /// Temporary files an interrupted render left beside gen's files, removed.
    pub cleaned: Vec<String>,
    /// Files earlier renders wrote that the spec no longer renders and that this render reads
    /// (the spec, a blueprint's file), with what they are: kept, and no longer recorded.
    pub forgot_inputs: Vec<(String, String)>,
    /// Whether the last render had stopped part way (it left its journal): this one went on
    /// from there, taking the files that render had put in place as gen's.
    pub recovered: bool,
    pub manifest: ManifestChange,
}

impl Outcome {
    /// Whether the user must look at something (exit 1).
    pub fn needs_attention(&self) -> bool {
        !(self.kept_edits.is_empty()
            && self.kept_unowned.is_empty()
            && self.kept_scaffold.is_empty()
            && self.kept_stale_edits.is_empty()
            && self.kept_unlisted.is_empty()
            && self.overrides.is_empty())
    }

    /// Whether any file was created, changed or removed.
    pub fn changed_anything(&self) -> bool {
        !(self.created == 0 && self.updated.is_empty() && self.removed.is_empty())
    }
}

/// A render's output directory, open for writing: batches of planned files are decided and
/// staged as they come ([`Writer::add`]), then everything is put in place at once
/// ([`Writer::finish`]). Dropped unfinished, it removes what it staged and writes nothing. The
/// output folder is locked while it is open.
pub struct Writer {
    out: PathBuf,
    allow: Allow,
    inputs: Inputs,
    /// The spec relative to `out`, as the manifest records it.
    spec: String,
    /// Whether the last render left its journal.
    interrupted: bool,
    outcome: Outcome,
    /// Whether there was a manifest.
    had_manifest: bool,
    /// Whether the manifest says `.github/` stays in the output folder.
    github_in_output: bool,
    /// The old manifest's entries not yet planned: once every batch is added, the stale ones.
    old: HashMap<String, Entry>,
    new: Vec<Entry>,
    /// The spec's declared environments, recorded in the manifest.
    environments: Vec<EnvironmentRecord>,
    /// The environments the manifest recorded.
    old_environments: Vec<EnvironmentRecord>,
    /// The spec's renamed services, each with its former name, recorded in the manifest.
    renames: std::collections::BTreeMap<String, String>,
    /// Where each planned file lands: `.github/` at the repository root.
    layout: Layout,
    tree: fs::Tree,
    /// The folders the plan writes into, and every path the plan and the records list.
    folders: Folders,
    problems: Vec<String>,
    /// The problems already said: a linked folder stops every file under it, and is one.
    said: HashSet<String>,
    staged: fs::Staged,
    // Released after `staged` is dropped, so that folders made for staged files go first.
    lock: Option<fs::Lock>,
}

impl Writer {
    /// Locks `out` (made when missing) for a render of the spec `inputs` names, reads the
    /// manifest (and the journal of a render that stopped part way), and refuses a folder
    /// another spec's render owns unless `allow` takes it over.
    pub fn open(out: &Path, allow: Allow, inputs: &Inputs) -> Result<Writer, OutputError> {
        let lock = fs::Lock::take(out)?;
        let mut tree = fs::Tree::new(out);
        let opened = (|| {
            Records::check_not_inputs(out, inputs)?;
            let records = Records::read(out, &mut tree)?;
            if !allow.take_over {
                records.check_owner(out, inputs)?;
            }
            Ok(records)
        })();
        let records = match opened {
            Ok(o) => o,
            Err(e) => {
                lock.release(false);
                return Err(e);
            }
        };
        let mut folders = Folders::new();
        for path in &records.journal_paths {
            folders.written(path);
        }
        let github_in_output = records.manifest.as_ref().is_some_and(|m| m.github_in_output);
        let old_environments = records.manifest.as_ref().map(|m| m.environments.clone()).unwrap_or_default();
        let old = records
            .manifest
            .into_iter()
            .flat_map(|m| m.files)
            .map(|e| {
                folders.list(&e.path);
                (e.path.clone(), e)
            })
            .collect();
        Ok(Writer {
            out: out.to_path_buf(),
            allow,
            inputs: inputs.clone(),
            spec: fs::relative(out, inputs.spec()),
            interrupted: records.interrupted,
            outcome: Outcome::default(),
            had_manifest: records.had_manifest,
            github_in_output,
            old,
            new: Vec::new(),
            environments: Vec::new(),
            old_environments,
            renames: std::collections::BTreeMap::new(),
            layout: Layout::default(),
            tree,
            folders,
            problems: Vec::new(),
            said: HashSet::new(),
            staged: fs::Staged::new(),
            lock: Some(lock),
        })
    }

    /// Records the environments the spec declares (name and platform, in the spec's order):
    /// the manifest says which of them each file is deployed to. A cluster the manifest says
    /// one environment's workspace creates, which another environment would now create (the
    /// first was listed after it, removed, renamed or moved to another cluster, while others
    /// stay on this one), blocks the render (nothing is written): the other's workspace would
    /// make a second cluster of the name while the first's still holds this one.
    pub fn environments(&mut self, environments: Vec<EnvironmentRecord>) {
        let mut said: Vec<&str> = Vec::new();
        for old in &self.old_environments {
            let (Some(id), Some(before)) = (&old.cluster_id, &old.cluster_creator) else { continue };
            if said.contains(&id.as_str()) {
                continue;
            }
            let Some(now) = environments
                .iter()
                .find(|e| e.cluster_id.as_ref() == Some(id))
                .and_then(|e| e.cluster_creator.as_deref())
            else {
                continue;
            };
            if now == before {
                continue;
            }
            said.push(id);
            let still_on = environments.iter().any(|e| e.name == *before && e.cluster_id.as_ref() == Some(id));
            let what = if still_on {
                format!("`{now}`, now listed before it among the environments on that cluster, would create it again")
            } else {
                format!(
                    "`{before}` is no longer on that cluster (removed, renamed or given another), and `{now}`'s \
                     workspace would create it again while `{before}`'s still holds it"
                )
            };
            self.problems.push(format!(
                "the Terraform workspace of environment `{before}` created the cluster {id}; {what}: keep `{before}` \
                 first among the environments on it (the first environment on a cluster creates it); or, once \
                 `{before}`'s workspace is destroyed, with the cluster and every environment on it \
                 (terraform/README.md, \"Destroying\"), render once without any environment on that cluster, then \
                 add them back"
            ));
        }
        self.environments = environments;
    }

    /// Records the spec's renamed services (name, former name) in the manifest.
    pub fn renames(&mut self, renames: std::collections::BTreeMap<String, String>) {
        self.renames = renames;
    }

    /// Says where the planned files land (by default, all in the output folder): a render's
    /// `.github/` goes to the root of its repository, where GitHub reads it.
    pub fn layout(&mut self, layout: Layout) {
        self.layout = layout;
    }

    /// A renamed service's folder (`renamedFrom`): `from` (relative to the output) becomes
    /// `to` before any batch is added, whole (the user's code in it, and the files they added),
    /// and what the manifest records under it is read at its new path: gen's files there are
    /// compared and updated where they now are, the user's stay the user's. Nothing moves when
    /// `to` exists (a later render, or a folder of the user's). Whether it moved.
    pub fn move_folder(&mut self, from: &str, to: &str) -> Result<bool, OutputError> {
        let (src, dst) = (self.out.join(from), self.out.join(to));
        let io = |path: &Path| {
            let path = path.to_path_buf();
            move |source| OutputError::Io { path, source }
        };
        let real_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
        let mut moved = false;
        if real_dir(&src) && std::fs::symlink_metadata(&dst).is_err() {
            if let Some(parent) = dst.parent() {
                std::fs::create_dir_all(parent).map_err(io(parent))?;
            }
            std::fs::rename(&src, &dst).map_err(io(&src))?;
            moved = true;
        }
        // Also after a render that moved the folder and stopped before its manifest.
        if std::fs::symlink_metadata(&src).is_err() && real_dir(&dst) {
            let prefix = format!("{from}/");
            let under: Vec<String> = self.old.keys().filter(|k| k.starts_with(&prefix)).cloned().collect();
            for key in under {
                if let Some(mut entry) = self.old.remove(&key) {
                    entry.path = format!("{to}/{}", &key[prefix.len()..]);
                    self.folders.list(&entry.path);
                    self.old.insert(entry.path.clone(), entry);
                }
            }
        }
        Ok(moved)
    }

    /// Whether the folder's manifest says `.github/` stays in the output folder.
    pub fn github_in_output(&self) -> bool {
        self.github_in_output
    }

    /// Decides what to do with each file of a batch, reading only, and writes the new ones
    /// beside their targets. Once a target is found unusable, nothing more is staged.
    pub fn add(&mut self, files: &[PlannedFile]) -> Result<(), OutputError> {
        let mut writes = Vec::new();
        for file in files {
            self.decide(file, &mut writes)?;
        }
        if self.problems.is_empty() { self.staged.add_all(&writes) } else { Ok(()) }
    }

    /// Notes a reason the render cannot write, once.
    fn problem(&mut self, text: String) {
        if self.said.insert(text.clone()) {
            self.problems.push(text);
        }
    }

    fn decide<'f>(&mut self, file: &'f PlannedFile, writes: &mut Vec<(PathBuf, &'f [u8])>) -> Result<(), OutputError> {
        let layout = self.layout.clone();
        let disk = layout.disk(&file.path);
        let rel = disk.as_ref();
        self.folders.plan(rel, file);
        let entry = self.old.remove(rel);
        let target = match self.tree.target(rel) {
            Ok(t) => t,
            Err(e) => {
                self.problem(e.to_string());
                return Ok(());
            }
        };
        let disk = match fs::probe(&target)? {
            fs::Disk::Other(kind) => {
                self.problem(format!("{}: a {kind} stands where gen writes a file", target.display()));
                return Ok(());
            }
            fs::Disk::Absent => None,
            fs::Disk::File(bytes, id) => {
                if let Some(why) = id.and_then(|id| self.inputs.refusal(&target, &id)) {
                    self.problem(why);
                    return Ok(());
                }
                if let Some(holds) = &file.holds {
                    self.outcome.overrides.extend(overrides::check(rel, &bytes, holds));
                }
                if entry.is_none()
                    && crate::render::is_repository_file(&file.path)
                    && let Some(other) = self.layout.other_spec(&bytes)
                {
                    // Never taken, whatever the flags: the other spec's render would take it back.
                    self.problem(format!(
                        "{}: the render of {other} wrote it (its first line says so); a repository has one \
                         `.github/`, which GitHub reads, and two specs cannot both render into it: render every \
                         service of this repository from one spec, or keep this one's `.github/` in its output \
                         folder (gen render SPEC --github-at output), where GitHub does not read it",
                        fs::shown(&super::layout::collapse(&target))
                    ));
                    return Ok(());
                }
                Some(bytes)
            }
        };
        let environments = match &file.deployed {
            _ if self.environments.is_empty() => None,
            crate::render::Deployed::Everywhere => None,
            crate::render::Deployed::Nowhere => Some(Vec::new()),
            crate::render::Deployed::In(envs) => {
                Some(envs.iter().filter_map(|e| self.environments.get(*e)).map(|e| e.name.clone()).collect())
            }
        };
        let record = |owner: Owner, hash: Digest| Entry {
            path: rel.to_string(),
            owner,
            sha256: hash,
            environments: environments.clone(),
        };
        let planned_owner = Owner::from(file.ownership);
        let Some(bytes) = disk else {
            // Absent: written, also when it was released (deleting it hands it back).
            writes.push((target.clone(), &file.bytes));
            self.outcome.created += 1;
            self.new.push(record(planned_owner, sha256(&file.bytes)));
            return Ok(());
        };
        if bytes == file.bytes {
            self.outcome.unchanged += 1;
            let owner = entry
                .as_ref()
                .map_or(planned_owner, |e| if e.owner == Owner::Released { Owner::Managed } else { e.owner });
            self.new.push(record(owner, sha256(&file.bytes)));
            return Ok(());
        }
        let hash = sha256(&bytes);
        match (entry.as_ref().map(|e| e.owner), file.ownership) {
            (Some(Owner::Scaffold | Owner::Released), _) => {
                self.outcome.unchanged += 1;
                self.new.push(record(entry.as_ref().map_or(Owner::Scaffold, |e| e.owner), hash));
            }
            (None, _) if self.allow.overwrite_unowned => {
                writes.push((target.clone(), &file.bytes));
                self.outcome.overwrote_unowned.push(rel.to_string());
                self.new.push(record(planned_owner, sha256(&file.bytes)));
            }
            (None, Ownership::Scaffold) => {
                // The user's code where gen would start one: theirs, as scaffold files are.
                self.outcome.kept_scaffold.push(rel.to_string());
                self.new.push(record(Owner::Scaffold, hash));
            }
            (None, Ownership::Managed) => {
                let diff = unified(rel, Some(&bytes), Some(&file.bytes));
                self.outcome.kept_unowned.push(Kept { path: rel.to_string(), diff });
            }
            (Some(Owner::Managed), _) => {
                let edited = entry.as_ref().is_some_and(|e| e.sha256 != hash);
                if !edited || self.allow.discard_edits {
                    writes.push((target.clone(), &file.bytes));
                    self.outcome.updated.push(rel.to_string());
                    if edited {
                        self.outcome.discarded_edits.push(rel.to_string());
                    }
                    self.new.push(record(planned_owner, sha256(&file.bytes)));
                } else if self.allow.keep_edits {
                    self.outcome.released.push(rel.to_string());
                    self.new.push(record(Owner::Released, hash));
                } else {
                    let diff = unified(rel, Some(&bytes), Some(&file.bytes));
                    self.outcome.kept_edits.push(Kept { path: rel.to_string(), diff });
                    // Still gen's, still at the hash gen wrote: reported until the user decides.
                    self.new.extend(entry);
                }
            }
        }
        Ok(())
    }

    /// Removes what earlier renders wrote and the spec no longer renders, puts every staged
    /// file in place, and writes the manifest, last. `spec_bytes` is the spec's content.
    pub fn finish(mut self, spec_bytes: &[u8]) -> Result<Outcome, OutputError> {
        let result = self.finish_locked(spec_bytes);
        let wrote = result.as_ref().is_ok_and(|o| o.changed_anything() || o.manifest != ManifestChange::Unchanged);
        if let Some(lock) = self.lock.take() {
            // Whatever was staged and not committed goes before the lock is released.
            drop(std::mem::take(&mut self.staged));
            lock.release(wrote);
        }
        result
    }

    fn finish_locked(&mut self, spec_bytes: &[u8]) -> Result<Outcome, OutputError> {
        let mut new = Manifest::new(&self.spec, spec_bytes);
        new.environments = self.environments.clone();
        new.renames = self.renames.clone();
        new.github_in_output = self.layout.keeps_github_in_output();
        new.files = std::mem::take(&mut self.new);
        let mut removals: Vec<(String, PathBuf)> = Vec::new();
        let mut old_files: Vec<Entry> = std::mem::take(&mut self.old).into_values().collect();
        old_files.sort_by(|a, b| a.path.cmp(&b.path));
        for stale in &old_files {
            if stale.owner != Owner::Managed {
                continue; // The user's: left in place, and no longer recorded.
            }
            let target = match self.tree.target(&stale.path) {
                Ok(t) => t,
                Err(e) => {
                    self.problem(e.to_string());
                    continue;
                }
            };
            let fs::Disk::File(bytes, id) = fs::probe(&target)? else { continue };
            if let Some(what) = id.as_ref().and_then(|id| self.inputs.what(id)) {
                // Never removed, whatever the flags: the user's now.
                self.outcome.forgot_inputs.push((stale.path.clone(), what.to_string()));
                continue;
            }
            let edited = sha256(&bytes) != stale.sha256;
            if !edited || self.allow.discard_edits {
                removals.push((stale.path.clone(), target));
                if edited {
                    self.outcome.discarded_edits.push(stale.path.clone());
                }
            } else if self.allow.keep_edits {
                self.outcome.released.push(stale.path.clone());
            } else {
                self.outcome.kept_stale_edits.push(stale.path.clone());
                new.files.push(stale.clone());
            }
        }
        if !self.problems.is_empty() {
            return Err(OutputError::Blocked(std::mem::take(&mut self.problems)));
        }
        // Kept and reported, never removed: they may be the user's. A temporary file in a
        // folder this render or an earlier one writes into is this render's, or one a killed
        // render left, which goes (the folders are known once every batch is planned).
        let (temporary, kept): (Vec<Unlisted>, Vec<Unlisted>) =
            self.folders.unlisted(&self.out)?.into_iter().partition(|u| u.why == Why::Temporary);
        self.outcome.kept_unlisted = kept;
        if !temporary.is_empty() {
            let staged = self.staged.temporaries();
            for leftover in temporary {
                let path = self.out.join(&leftover.path);
                if !staged.contains(&path) && fs::remove_leftover(&path, &self.inputs)? {
                    self.outcome.cleaned.push(leftover.path);
                }
            }
        }
        // What the manifest will say, written down before the first file changes: a render
        // stopped from here on is recognised, and finished or undone, by the next. It is the
        // manifest to be, streamed to a temporary file, which becomes the journal, then the
        // manifest (a rename, which also ends the journal), or goes if the manifest says it
        // already.
        let journal = self.out.join(JOURNAL_NAME);
        let manifest_path = self.out.join(MANIFEST_NAME);
        let (written, digest) = fs::write_durable_with(&manifest_path, |into| new.write_to(into))?;
        drop(new);
        let moves = !self.staged.is_empty() || !removals.is_empty();
        let pending = if moves {
            written.persist(&journal)?;
            None
        } else {
            Some(written)
        };
        // From here on, a failure leaves the render part way (the journal tells the next one).
        let stopped = |e: OutputError| if moves { OutputError::Stopped(Box::new(e)) } else { e };
        // Put the staged files in place, remove what is gone, and record it all, last.
        std::mem::take(&mut self.staged).commit().map_err(stopped)?;
        let mut outcome = std::mem::take(&mut self.outcome);
        for (rel, path) in &removals {
            fs::remove(&self.out, path).map_err(stopped)?;
            outcome.removed.push(rel.clone());
        }
        let changed = fs::hash_file(&manifest_path).map_err(stopped)? != Some(digest);
        if changed {
            match pending {
                Some(written) => written.persist(&manifest_path).map_err(stopped)?,
                None => fs::rename(&journal, &manifest_path).map_err(stopped)?,
            }
            outcome.manifest = if self.had_manifest { ManifestChange::Updated } else { ManifestChange::Created };
        }
        if (moves && !changed) || self.interrupted {
            fs::remove_if_present(&journal).map_err(stopped)?;
        }
        outcome.recovered = self.interrupted;
        Ok(outcome)
    }
}

impl Drop for Writer {
    /// Unfinished: what was staged is removed, nothing written.
    fn drop(&mut self) {
        if let Some(lock) = self.lock.take() {
            drop(std::mem::take(&mut self.staged));
            lock.release(false);
        }
    }
}

/// Writes `plan` into `out` (its `.github/` where `layout` says) at once. `inputs` names the spec (the manifest records its path
/// relative to `out`) and what else the render read, `spec_bytes` is the spec's content.
pub fn apply(
    plan: &Plan,
    out: &Path,
    inputs: &Inputs,
    spec_bytes: &[u8],
    allow: Allow,
    layout: Layout,
) -> Result<Outcome, OutputError> {
    let mut writer = Writer::open(out, allow, inputs)?;
    writer.layout(layout);
    writer.add(&plan.files)?;
    writer.finish(spec_bytes)
}
