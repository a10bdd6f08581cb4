//! The closure check of a `gen lint` run over hand-written files (and output folders): every
//! artifact of the run is one deployment, read with the READMEs in its folders and above them
//! (up to the repository, as [`Boundary`] draws it). A file an output folder's manifest lists as
//! managed is gen's own output, held to [`closure::OWN_OUTPUT`].

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::diag::Findings;
use crate::input::Boundary;
use crate::lint::{self, Artifact, closure};
use crate::output::{self, Manifest, Owner};
use crate::render::MANIFEST_NAME;

/// Largest README read for its Prerequisites section, in bytes.
const MAX_README_BYTES: u64 = 1024 * 1024;

/// What is known about each folder of the run: the READMEs above it, and the output folders
/// whose manifests say what gen owns.
#[derive(Default)]
struct Folders {
    /// Folders whose READMEs were read.
    read: HashSet<PathBuf>,
    /// Per output folder (one holding `.gen-manifest.json`), the paths it lists as managed.
    managed: HashMap<PathBuf, HashSet<String>>,
    /// Per folder, the output folder it is in, if any.
    output_of: HashMap<PathBuf, Option<PathBuf>>,
}

impl Folders {
    /// The nearest folder at or above `dir` with a manifest gen wrote, up to the repository
    /// (as `gen lint --fix` looks for one: a rendered `terraform/` linted alone is still gen's).
    fn output_of(&mut self, dir: &Path) -> Option<PathBuf> {
        if let Some(found) = self.output_of.get(dir) {
            return found.clone();
        }
        let mut past_repository = false;
        let found = dir
            .ancestors()
            .take_while(|d| !std::mem::replace(&mut past_repository, d.join(".git").exists()))
            .find_map(|d| {
                if self.managed.contains_key(d) {
                    return Some(d.to_path_buf());
                }
                if !d.join(MANIFEST_NAME).is_file() {
                    return None;
                }
                // An unreadable manifest is drift's to report; its files are read as hand-written.
                let listed = Manifest::read(d).ok().flatten()?;
                let managed = listed.files.into_iter().filter(|e| e.owner == Owner::Managed).map(|e| e.path).collect();
                self.managed.insert(d.to_path_buf(), managed);
                Some(d.to_path_buf())
            });
        self.output_of.insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Whether gen owns the file at `path` (absolute).
    fn own(&mut self, path: &Path) -> bool {
        let Some(dir) = path.parent() else { return false };
        let Some(out) = self.output_of(dir) else { return false };
        let Ok(rel) = path.strip_prefix(&out) else { return false };
        let rel = rel.to_string_lossy().replace('\\', "/");
        self.managed.get(&out).is_some_and(|m| m.contains(&rel))
    }
}

/// The closure findings of the artifacts of a run over `paths`: READMEs are read from each
/// file's folder up to the boundary of the path it was reached from (its repository, or
/// without one the folder named).
pub(super) fn check<'a>(paths: &[PathBuf], artifacts: impl Iterator<Item = (&'a str, &'a Artifact)>) -> Findings {
    let mut graph = closure::Graph::new();
    let mut folders = Folders::default();
    let inputs: Vec<(PathBuf, Boundary)> = paths.iter().map(|p| (output::normalize(p), Boundary::of(p))).collect();
    for (family, artifact) in artifacts {
        let name = artifact.source.name();
        let file = output::normalize(Path::new(name.strip_suffix(" (rendered)").unwrap_or(name)));
        let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
        let within = match inputs.iter().find(|(p, _)| file.starts_with(p)) {
            Some((_, b)) => b.clone(),
            None => Boundary::of(&dir),
        };
        let root = output::normalize(within.root());
        for d in dir.ancestors().take_while(|d| d.starts_with(&root)) {
            if !folders.read.insert(d.to_path_buf()) {
                break;
            }
            for readme in readmes(d, &within) {
                graph.add_readme(&readme, d.to_path_buf());
            }
        }
        let own = folders.own(&file);
        graph.add(family, closure::Origin { source: artifact.source.clone(), dir, own, artifact: None });
    }
    graph.finish(closure::OWN_OUTPUT)
}

/// The texts of the READMEs in `dir` that can be read inside `within`.
fn readmes(dir: &Path, within: &Boundary) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut names: Vec<PathBuf> =
        entries.flatten().filter(|e| closure::is_readme(&e.file_name().to_string_lossy())).map(|e| e.path()).collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|p| {
            let mut text = String::new();
            within.open(&p).ok()?.take(MAX_README_BYTES).read_to_string(&mut text).ok()?;
            Some(text)
        })
        .collect()
}

/// Whether a family's files take part in the closure check.
pub(super) fn reads(family: &dyn lint::Family) -> bool {
    matches!(family.name(), "kubernetes" | "terraform" | "workflow")
}
