//! The closure check of a `gen lint` run over hand-written files (and output folders): the
//! artifacts of the run are one deployment, read with the READMEs in their folders and above
//! them (up to the repository, as [`Boundary`] draws it), closed on each cluster it runs on.
//!
//! A file an output folder's manifest lists as managed is gen's own output, held to
//! [`closure::OWN_OUTPUT`], and read as its render read it: on the clusters of the
//! environments the manifest says it is deployed to, each kustomization that changes what it
//! takes built as `kubectl apply -k` builds it, and gen's own deploy scripts read for what they
//! install. A repository's own kustomize trees are built the same way, each kustomization no
//! other includes on a cluster of its own.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Findings, Source};
use crate::input::Boundary;
use crate::lint::closure::units::{self, Unit};
use crate::lint::kubernetes::kustomize::{self, build::Files};
use crate::lint::{self, Artifact, closure};
use crate::output::{self, Manifest, Owner};
use crate::render::MANIFEST_NAME;

/// Largest README read for its Prerequisites section, in bytes.
const MAX_README_BYTES: u64 = 1024 * 1024;
/// Largest file a kustomization's build reads from disk, in bytes.
const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// An output folder gen rendered: what its manifest says.
struct Output {
    /// Per managed file (relative path), the environments it is deployed to on its own.
    managed: HashMap<String, Option<Vec<String>>>,
    /// Per environment of the spec, by name, its cluster in the graph.
    clusters: Vec<(String, closure::ClusterId)>,
}

impl Output {
    /// The clusters of a managed file: its environments', every one's when the manifest names
    /// none, `None` when it is deployed only through another file.
    fn scope(&self, environments: &Option<Vec<String>>) -> Option<closure::Scope> {
        let ids: Vec<closure::ClusterId> = match environments {
            None => self.clusters.iter().map(|(_, id)| *id).collect(),
            Some(names) => self.clusters.iter().filter(|(n, _)| names.contains(n)).map(|(_, id)| *id).collect(),
        };
        (!ids.is_empty()).then_some(closure::Scope::In(ids))
    }
}

/// What is known about each folder of the run: the READMEs above it, and the output folders
/// whose manifests say what gen owns.
#[derive(Default)]
struct Folders {
    /// Folders whose READMEs were read.
    read: HashSet<PathBuf>,
    /// The output folders found (one holding `.gen-manifest.json`).
    outputs: HashMap<PathBuf, Output>,
    /// Per folder, the output folder it is in, if any.
    output_of: HashMap<PathBuf, Option<PathBuf>>,
}

/// Where gen placed a file of the run.
enum Placed {
    /// Gen's own, on these clusters (`None`: only through another file).
    Own(Option<closure::Scope>),
    /// Not gen's.
    HandWritten,
}

impl Folders {
    /// The nearest folder at or above `dir` with a manifest gen wrote, up to the repository
    /// (as `gen lint --fix` looks for one: a rendered `terraform/` linted alone is still gen's);
    /// its environments become clusters of `graph` the first time it is found.
    fn output_of(&mut self, dir: &Path, graph: &mut closure::Graph) -> Option<PathBuf> {
        if let Some(found) = self.output_of.get(dir) {
            return found.clone();
        }
        let mut past_repository = false;
        let found = dir
            .ancestors()
            .take_while(|d| !std::mem::replace(&mut past_repository, d.join(".git").exists()))
            .find_map(|d| {
                if self.outputs.contains_key(d) {
                    return Some(d.to_path_buf());
                }
                if !d.join(MANIFEST_NAME).is_file() {
                    return None;
                }
                // An unreadable manifest is drift's to report; its files are read as hand-written.
                let listed = Manifest::read(d).ok().flatten()?;
                let shown = display_of(d);
                let clusters = listed
                    .environments
                    .iter()
                    .map(|e| {
                        let label = if listed.environments.len() == 1 {
                            format!("the output `{shown}`")
                        } else {
                            format!("environment `{}`", e.name)
                        };
                        let platform = crate::platform::by_name(&e.platform);
                        let environment = Some(e.name.clone());
                        (e.name.clone(), graph.cluster(closure::Cluster { label, platform, environment }))
                    })
                    .collect();
                let managed = listed
                    .files
                    .into_iter()
                    .filter(|e| e.owner == Owner::Managed)
                    .map(|e| (e.path, e.environments))
                    .collect();
                self.outputs.insert(d.to_path_buf(), Output { managed, clusters });
                Some(d.to_path_buf())
            });
        self.output_of.insert(dir.to_path_buf(), found.clone());
        found
    }

    /// Where gen placed the file at `path` (absolute).
    fn placed(&mut self, path: &Path, graph: &mut closure::Graph) -> Placed {
        let Some(dir) = path.parent() else { return Placed::HandWritten };
        let Some(out) = self.output_of(dir, graph) else { return Placed::HandWritten };
        let Ok(rel) = path.strip_prefix(&out) else { return Placed::HandWritten };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let Some(output) = self.outputs.get(&out) else { return Placed::HandWritten };
        match output.managed.get(&rel) {
            Some(environments) if output.clusters.is_empty() => {
                // A manifest of a render before environments were recorded: one deployment.
                Placed::Own((environments.as_ref().is_none_or(|e| !e.is_empty())).then_some(closure::Scope::All))
            }
            Some(environments) => Placed::Own(output.scope(environments)),
            None => Placed::HandWritten,
        }
    }
}

/// How a path is shown: relative to the working folder when it is under it, as findings name
/// the files of a walk.
fn display_of(path: &Path) -> String {
    let cwd = std::env::current_dir().ok().map(|d| output::normalize(&d));
    match cwd.as_ref().and_then(|c| path.strip_prefix(c).ok()) {
        Some(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        Some(_) => ".".to_string(),
        None => path.display().to_string(),
    }
}

/// The files of the run's folders, as a kustomization's build reads them: the run's own
/// files by their names, any other file of the repository read from disk (within the
/// boundary of the input it was reached from).
struct Disk<'a> {
    /// The run's files, by absolute path.
    known: HashMap<PathBuf, Arc<Source>>,
    boundaries: &'a [(PathBuf, Boundary)],
}

impl Files for Disk<'_> {
    fn read(&self, path: &Path) -> Option<Arc<Source>> {
        if let Some(source) = self.known.get(path) {
            return Some(source.clone());
        }
        let boundary = match self.boundaries.iter().find(|(p, _)| path.starts_with(p)) {
            Some((_, b)) => b.clone(),
            None => Boundary::of(path.parent()?),
        };
        let mut text = String::new();
        boundary.open(path).ok()?.take(MAX_FILE_BYTES).read_to_string(&mut text).ok()?;
        Some(Source::new(display_of(path), text))
    }

    fn is_dir(&self, path: &Path) -> bool {
        path.is_dir()
    }
}

/// The closure findings of the artifacts of a run over `paths`: READMEs are read from each
/// file's folder up to the boundary of the path it was reached from (its repository, or
/// without one the folder named).
pub(super) fn check<'a>(paths: &[PathBuf], artifacts: impl Iterator<Item = (&'a str, &'a Artifact)>) -> Findings {
    let mut graph = closure::Graph::new();
    let mut folders = Folders::default();
    let inputs: Vec<(PathBuf, Boundary)> = paths.iter().map(|p| (output::normalize(p), Boundary::of(p))).collect();
    // Each file: its absolute path, and where gen placed it.
    let mut files = Vec::new();
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
                // The scripts a README tells its reader to run declare what they create too.
                for script in graph.add_readme(&readme, d.to_path_buf()) {
                    let path = output::normalize(&d.join(script.trim_start_matches("./")));
                    let mut text = String::new();
                    if let Ok(file) = within.open(&path)
                        && file.take(MAX_README_BYTES).read_to_string(&mut text).is_ok()
                    {
                        graph.add_script(&text, d.to_path_buf());
                    }
                }
            }
        }
        let mut placed = folders.placed(&file, &mut graph);
        // gen's chart, rendered here with its default values, holds the objects of its plain
        // manifests and of each environment's overlay (tests hold them equal): those are read
        // on their clusters, as the render reads them; the chart is not read a second time.
        if name.ends_with(" (rendered)") && matches!(placed, Placed::Own(_)) {
            placed = Placed::Own(None);
        }
        files.push((family, artifact, file, dir, placed));
    }
    let disk = Disk {
        known: files.iter().map(|(_, a, file, ..)| (file.clone(), a.source.clone())).collect(),
        boundaries: &inputs,
    };
    // The kustomizations: gen's, each deployed where its manifest says; a repository's own,
    // each root on a cluster of its own.
    let is_kustomization = |file: &Path| kustomize::is_kustomization(lint::file_name(&file.to_string_lossy()));
    let mut build = Vec::new();
    let mut hand_written = Vec::new();
    for (_, artifact, file, dir, placed) in &files {
        if !is_kustomization(file) {
            continue;
        }
        match placed {
            Placed::Own(Some(scope)) if units::transforms(&artifact.source) => {
                build.push(Unit { dir: dir.clone(), scope: scope.clone(), own: true })
            }
            Placed::Own(_) => {}
            Placed::HandWritten => hand_written.push(dir.clone()),
        }
    }
    let (units, reached) = units::structure(&mut graph, &disk, &hand_written);
    build.extend(units);
    let built = units::build_units(&disk, build);
    let covered: HashSet<PathBuf> = built.covered.iter().map(|p| output::normalize(p)).collect();
    let mut charts = Charts::default();
    for (family, artifact, file, dir, placed) in files {
        let (own, scope) = match placed {
            Placed::Own(None) => continue,
            Placed::Own(Some(scope)) => (true, scope),
            Placed::HandWritten => (false, reached.get(&file).cloned().unwrap_or(closure::Scope::Loose)),
        };
        if family == "kubernetes" && covered.contains(&file) && !is_kustomization(&file) {
            continue;
        }
        let origin = closure::Origin { source: artifact.source.clone(), dir, own, artifact: None, scope };
        // A template of a chart: judged unless the chart fetches a dependency at install time.
        let chart = artifact.source.name().ends_with(" (rendered)").then_some(artifact.set.as_deref()).flatten();
        match chart.map(|c| charts.read(&mut graph, c, &inputs)) {
            Some(Chart::Fetches) => graph.add_unjudged(family, origin),
            _ => graph.add(family, origin),
        }
    }
    for (unit, b) in &built.builds {
        let dir_of =
            |name: &str| output::normalize(Path::new(name)).parent().map(Path::to_path_buf).unwrap_or_default();
        graph.read_build(unit, b, &|_| None, &dir_of);
    }
    read_scripts(&mut graph, &folders);
    graph.finish(closure::OWN_OUTPUT)
}

/// What a chart of the run is, as the closure check reads it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Chart {
    /// Everything it installs is in its folder.
    Whole,
    /// A dependency it names is not in its `charts/`: Helm fetches it at install time.
    Fetches,
}

/// The charts of the run, each read once: whether it fetches a dependency, and the CRDs it and
/// its vendored dependencies install from their `crds/` folders (which `helm template`
/// leaves out of what it prints).
#[derive(Default)]
struct Charts(HashMap<String, Chart>);

impl Charts {
    fn read(&mut self, graph: &mut closure::Graph, shown: &str, inputs: &[(PathBuf, Boundary)]) -> Chart {
        if let Some(chart) = self.0.get(shown) {
            return *chart;
        }
        let dir = output::normalize(Path::new(shown));
        let boundary = match inputs.iter().find(|(p, _)| dir.starts_with(p)) {
            Some((_, b)) => b.clone(),
            None => Boundary::of(&dir),
        };
        let read = |path: &Path| -> Option<String> {
            let mut text = String::new();
            boundary.open(path).ok()?.take(MAX_FILE_BYTES).read_to_string(&mut text).ok()?;
            Some(text)
        };
        let mut chart = Chart::Whole;
        let mut folders = vec![dir.clone()];
        // Helm 3 lists them in Chart.yaml, Helm 2 in requirements.yaml.
        for text in ["Chart.yaml", "requirements.yaml"].iter().filter_map(|f| read(&dir.join(f))) {
            let loaded = crate::yaml::load("Chart.yaml", text.as_bytes(), &crate::lint::kubernetes::POLICY);
            let root = loaded.documents.ok().and_then(|d| d.into_iter().next()).map(|d| d.root);
            let deps = match root.as_ref().and_then(|r| r.get("dependencies")).map(|d| &d.value) {
                Some(crate::yaml::Value::Seq(items)) => items.clone(),
                _ => Vec::new(),
            };
            for dep in deps {
                let Some(name) = dep.get("name").and_then(crate::yaml::Node::as_str) else { continue };
                let vendored = dir.join("charts").join(name);
                let archived = std::fs::read_dir(dir.join("charts")).ok().is_some_and(|entries| {
                    entries.flatten().any(|e| {
                        let file = e.file_name().to_string_lossy().into_owned();
                        file.starts_with(&format!("{name}-")) && file.ends_with(".tgz")
                    })
                });
                if vendored.is_dir() {
                    folders.push(vendored);
                } else if !archived {
                    chart = Chart::Fetches;
                }
            }
        }
        for folder in folders {
            let crds = folder.join("crds");
            let Ok(entries) = std::fs::read_dir(&crds) else { continue };
            let mut files: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            files.sort();
            for file in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml")) {
                if let Some(text) = read(&file) {
                    let source = Source::new(display_of(&file), text);
                    let origin = closure::Origin {
                        source,
                        dir: crds.clone(),
                        own: false,
                        artifact: None,
                        scope: closure::Scope::Loose,
                    };
                    graph.add("kubernetes", origin);
                }
            }
        }
        self.0.insert(shown.to_string(), chart);
        chart
    }
}

/// Reads what gen's own deploy scripts in the output folders found install (a script of a
/// spec's plan is read by the render's closure check too): on the clusters of their
/// environments.
fn read_scripts(graph: &mut closure::Graph, folders: &Folders) {
    let mut outputs: Vec<(&PathBuf, &Output)> = folders.outputs.iter().collect();
    outputs.sort_by_key(|(dir, _)| *dir);
    for (dir, output) in outputs {
        let scripts: BTreeSet<(&String, &Option<Vec<String>>)> =
            output.managed.iter().filter(|(path, _)| path.ends_with(".sh")).collect();
        for (path, environments) in scripts {
            let scope = if output.clusters.is_empty() { Some(closure::Scope::All) } else { output.scope(environments) };
            let Some(scope) = scope else { continue };
            let Ok(Some(text)) = crate::output::read_managed(dir, path) else { continue };
            graph.read_script(&text, scope);
        }
    }
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
