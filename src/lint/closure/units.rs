//! What a deployment's kustomizations deploy, and where: each kustomization that changes what
//! its resources are (a patch, a component, a namespace, a generator...) is built as
//! `kubectl apply -k` would build it, and its objects are read with the clusters it is
//! deployed to; the files it builds from are not read again on their own.
//!
//! Where gen placed the files (its own output: each file says which environments it is
//! deployed to), each such kustomization is deployed to its own environments. Where nothing
//! says (a repository's own kustomize trees), each kustomization no other includes (a root:
//! what someone runs `kubectl apply -k` on) is deployed to a cluster of its own, and what it
//! gathers without changing it is read as that cluster's.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Cluster, ClusterId, Graph, Origin, Scope};
use crate::diag::{Source, Span};
use crate::lint::kubernetes::kustomize::build::{self, Build, Files};
use crate::yaml::{self, Node};

/// A kustomization's root node, when it is YAML.
fn root_of(source: &Arc<Source>) -> Option<Node> {
    let loaded = yaml::load_source(source, &crate::lint::kubernetes::POLICY);
    loaded.documents.ok()?.into_iter().next().map(|d| d.root)
}

/// Whether the kustomization in `source` changes what its resources are.
pub fn transforms(source: &Arc<Source>) -> bool {
    root_of(source).is_some_and(|root| build::transforms(&root))
}

/// A kustomization to build, with the clusters its objects are deployed to.
pub struct Unit {
    pub dir: PathBuf,
    pub scope: Scope,
    /// Whether gen rendered it.
    pub own: bool,
}

/// The built units, and the files they read (which are not read again on their own).
pub struct Built {
    pub builds: Vec<(Unit, Build)>,
    pub covered: BTreeSet<PathBuf>,
}

/// Builds each unit from `files`.
pub fn build_units(files: &dyn Files, units: Vec<Unit>) -> Built {
    let mut covered = BTreeSet::new();
    let mut builds = Vec::new();
    for unit in units {
        let b = build::build(files, &unit.dir);
        for read in &b.files {
            covered.insert(PathBuf::from(read.source.name()));
        }
        builds.push((unit, b));
    }
    Built { builds, covered }
}

/// The units of a repository's own kustomize trees (no file says where it is deployed).
/// `kustomizations` are the folders that hold one. A kustomization no other includes is a root:
/// what someone runs `kubectl apply -k` on. Roots that take some of the same files (the
/// overlays of one base: `overlays/dev`, `overlays/prod`) are variants of one thing, each
/// deployed to a cluster of its own (added to `graph`), and each must close alone; a root that
/// shares nothing with another (a repository's `infrastructure/` beside its `apps/`) is a part
/// of every cluster, read as loose. Returns the units to build, and the scope each manifest a
/// root takes as it is (without a build) is read with (the rest are loose).
pub fn structure(
    graph: &mut Graph,
    files: &dyn Files,
    kustomizations: &[PathBuf],
) -> (Vec<Unit>, HashMap<PathBuf, Scope>) {
    let known: BTreeSet<&PathBuf> = kustomizations.iter().collect();
    let mut included: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut changes: BTreeSet<PathBuf> = BTreeSet::new();
    for dir in kustomizations {
        included.insert(dir.clone(), build::includes(files, dir));
        if build::kustomization_in(files, dir).is_some_and(|(_, s)| transforms(&s)) {
            changes.insert(dir.clone());
        }
    }
    let children: BTreeSet<&PathBuf> = included.values().flatten().filter(|p| known.contains(p)).collect();
    let roots: Vec<&PathBuf> = kustomizations.iter().filter(|d| !children.contains(d)).collect();
    // What each root takes, as far as kustomize folders and files go.
    let takes = |root: &PathBuf| -> BTreeSet<PathBuf> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.clone()];
        while let Some(p) = stack.pop() {
            if seen.insert(p.clone()) {
                stack.extend(included.get(&p).into_iter().flatten().cloned());
            }
        }
        seen.remove(root);
        seen
    };
    let taken: Vec<BTreeSet<PathBuf>> = roots.iter().map(|r| takes(r)).collect();
    let mut builds: BTreeMap<PathBuf, BTreeSet<ClusterId>> = BTreeMap::new();
    let mut loose_builds: BTreeSet<PathBuf> = BTreeSet::new();
    let mut reached: HashMap<PathBuf, BTreeSet<ClusterId>> = HashMap::new();
    for (i, root) in roots.iter().enumerate() {
        let variant = taken.iter().enumerate().any(|(j, other)| j != i && !other.is_disjoint(&taken[i]));
        let id = variant.then(|| {
            graph.cluster(Cluster {
                label: format!("the kustomization `{}`", root.display()),
                platform: None,
                environment: None,
            })
        });
        let mut stack = vec![(*root).clone()];
        let mut seen = BTreeSet::new();
        while let Some(dir) = stack.pop() {
            if !seen.insert(dir.clone()) {
                continue;
            }
            if changes.contains(&dir) {
                match id {
                    Some(id) => {
                        builds.entry(dir).or_default().insert(id);
                    }
                    None => {
                        loose_builds.insert(dir);
                    }
                }
                continue;
            }
            for entry in included.get(&dir).into_iter().flatten() {
                if known.contains(entry) || files.is_dir(entry) {
                    stack.push(entry.clone());
                } else if let Some(id) = id {
                    reached.entry(entry.clone()).or_default().insert(id);
                }
            }
        }
    }
    let mut units: Vec<Unit> = builds
        .into_iter()
        .map(|(dir, ids)| Unit { dir, scope: Scope::In(ids.into_iter().collect()), own: false })
        .collect();
    units.extend(loose_builds.into_iter().map(|dir| Unit { dir, scope: Scope::Loose, own: false }));
    let scopes = reached.into_iter().map(|(file, ids)| (file, Scope::In(ids.into_iter().collect()))).collect();
    (units, scopes)
}

impl Graph {
    /// Reads what a kustomization's build makes, deployed with `unit`'s scope: its objects
    /// (each reference at the line that wrote it, in a base or an overlay's patch), and what
    /// its generators make. `artifact` names a file of gen's plan by its path in the output
    /// (for a spec's ignores), `dir_of` the folder whose READMEs (and those above it) declare
    /// what a file's references may name. What an open build would have made is unknown: its
    /// references are not judged.
    pub fn read_build(
        &mut self,
        unit: &Unit,
        build: &Build,
        artifact: &dyn Fn(&str) -> Option<String>,
        dir_of: &dyn Fn(&str) -> PathBuf,
    ) {
        let first = self.origins.len();
        for read in &build.files {
            let name = read.source.name();
            self.origins.push(Origin {
                source: read.source.clone(),
                dir: dir_of(name),
                own: unit.own,
                artifact: artifact(name),
                scope: unit.scope.clone(),
            });
        }
        let refs_before = self.refs.len();
        self.current = unit.scope.clone();
        let locate = |span: Span| match build.locate(span) {
            Some((file, span)) => (first + file, span),
            None => (first, Span::new(0, 0)),
        };
        super::kubernetes::read_located(self, build.objects.iter(), &locate);
        for g in &build.generated {
            self.create(g.kind, g.namespace.as_deref(), &g.name);
        }
        for (kind, namespace, name) in &build.renamed {
            self.create(kind, namespace.as_deref(), name);
        }
        // A remote resource of known software (a release manifest) installs what it does.
        for software in build.remote.iter().filter_map(|url| super::software::by_url(url)) {
            software.groups.iter().for_each(|g| self.install_group(g));
            software.namespaces.iter().for_each(|n| self.create("Namespace", None, n));
        }
        if !build.open.is_empty() {
            for r in &mut self.refs[refs_before..] {
                r.optional = true;
            }
        }
        // The texts of files no reference points into are not kept.
        let keep: BTreeSet<usize> = self.refs[refs_before..].iter().map(|r| r.origin).collect();
        for (i, o) in self.origins.iter_mut().enumerate().skip(first) {
            if !keep.contains(&i) {
                o.source = Source::new(o.source.name(), "");
            }
        }
    }
}

/// The files of a spec's plan, as a build reads them: by their path in the output folder
/// (`out/` prefixed, as findings name them).
pub struct Plan<'a> {
    files: HashMap<PathBuf, (&'a [u8], String)>,
    dirs: BTreeSet<PathBuf>,
}

impl<'a> Plan<'a> {
    /// The files `(path in the output folder, bytes)` under the name `out`.
    pub fn new(out: &str, files: impl Iterator<Item = (&'a str, &'a [u8])>) -> Plan<'a> {
        let mut map = HashMap::new();
        let mut dirs = BTreeSet::new();
        for (path, bytes) in files {
            let shown = format!("{out}/{path}");
            let p = PathBuf::from(&shown);
            dirs.extend(p.ancestors().skip(1).map(Path::to_path_buf));
            map.insert(p, (bytes, shown));
        }
        Plan { files: map, dirs }
    }
}

impl Files for Plan<'_> {
    fn read(&self, path: &Path) -> Option<Arc<Source>> {
        let (bytes, shown) = self.files.get(path)?;
        Some(Source::new(shown.clone(), std::str::from_utf8(bytes).ok()?))
    }

    fn is_dir(&self, path: &Path) -> bool {
        self.dirs.contains(path)
    }
}
