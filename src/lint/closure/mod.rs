//! The closure check (`DEP` rules): a deployment closes when every name one of its artifacts
//! references is created by another, provided by the platform, or a declared prerequisite.
//!
//! The validators judge one file at a time; a first deploy fails on what spans files: a Secret a
//! pod reads that nothing creates, a TLS secret nothing issues, a Gateway or a CRD nothing
//! installs, a role the person applying Terraform or the deploy identity needs and is never
//! given, a repository variable a workflow reads that nobody was told to set. This module reads
//! every artifact of a deployment (Kubernetes objects, Helm charts as rendered, Terraform,
//! workflows, and the READMEs beside them) into one [`Graph`] of what each creates and what each
//! references, keyed by kind, namespace and name in hash maps (linear in the deployment's size),
//! and reports each reference that resolves to nothing at the referencing line.
//!
//! Learned from Monokle's resource-links table (a reference mapper per source path, to a target
//! kind, name and namespace, optional references told apart) and kube-linter's `dangling-*` and
//! `non-existent-service-account` checks; unlike them, it goes across families: Terraform's
//! Kubernetes and Helm resources create objects and namespaces, Helm releases of known charts
//! install CRDs, role assignments grant (or do not grant) the access the deploy needs, and a
//! README's Prerequisites section declares what the user provides ([`readme`]).
//!
//! What a reference in gen's own output is, is gated by [`OWN_OUTPUT`]; a hand-written file's
//! unresolved reference is a warning.

pub mod aws;
mod commands;
mod kubernetes;
mod monitoring;
mod platform;
pub mod readme;
mod rules;
mod shell;
mod software;
mod terraform;
pub mod units;
mod workflow;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use rules::all as rules;

use crate::diag::{Diagnostic, Findings, Rule, Severity, Source, Span};

/// What an unresolved reference in gen's own output is (the render's plan, `gen lint SPEC`, and
/// files an output folder's manifest lists as managed): an error, so that `gen render` writes
/// nothing that would not deploy. `None` would leave gen's own output unchecked (it was, while
/// #26's Azure fixes landed).
pub const OWN_OUTPUT: Option<Severity> = Some(Severity::Error);

/// A kind of object a reference can name: a Kubernetes kind (`Secret`), `CustomResourceDefinition`
/// for a CRD by its name (`httproutes.gateway.networking.k8s.io`), or a GitHub repository's
/// setting (`GitHub secret`, `GitHub variable`, `GitHub environment`).
pub type Kind = String;

/// The kinds of GitHub settings a workflow reads.
pub const GITHUB_SECRET: &str = "GitHub secret";
pub const GITHUB_VARIABLE: &str = "GitHub variable";
pub const GITHUB_ENVIRONMENT: &str = "GitHub environment";
/// A CRD, by its name (`<plural>.<group>`).
pub const CRD: &str = "CustomResourceDefinition";
/// The kind a claim of many nodes references: a StorageClass that serves them (its name, or
/// `""` for the cluster's default).
pub const SHARED_CLASS: &str = "StorageClass of many nodes";

/// An Azure Key Vault, by its name in lower case (Key Vault names ignore case).
pub const KEY_VAULT: &str = "Azure Key Vault";
/// A secret in an Azure Key Vault, as `<vault>/<secret>`, in lower case.
pub const KEY_VAULT_SECRET: &str = "Azure Key Vault secret";

/// An index into a graph's clusters.
pub type ClusterId = u16;

/// Which of a deployment's clusters a file's facts are about: each environment of a spec runs
/// on its own cluster, and each kustomization a repository applies on its own (a root no other
/// includes) is deployed on its own, so each must close with what its cluster has.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Scope {
    /// Every cluster: what it creates is there in each, what it references must be in each.
    #[default]
    All,
    /// A file gen cannot place (a hand-written manifest no kustomization takes, a chart): what
    /// it creates is there in each cluster, what it references in any.
    Loose,
    /// These clusters, sorted.
    In(Vec<ClusterId>),
}

impl Scope {
    /// The scope of a file gen rendered, deployed as `deployed` says (environments in the
    /// spec's order, each a cluster); `None` for one not deployed on its own.
    pub fn of(deployed: &crate::render::Deployed) -> Option<Scope> {
        match deployed {
            crate::render::Deployed::Everywhere => Some(Scope::All),
            crate::render::Deployed::Nowhere => None,
            crate::render::Deployed::In(envs) => {
                Some(Scope::In(envs.iter().map(|e| ClusterId::try_from(*e).unwrap_or(ClusterId::MAX)).collect()))
            }
        }
    }

    /// Whether what is created with this scope is there in `cluster` (`None`: any cluster).
    fn reaches(&self, cluster: Option<ClusterId>) -> bool {
        match (self, cluster) {
            (Scope::All | Scope::Loose, _) | (Scope::In(_), None) => true,
            (Scope::In(cs), Some(c)) => cs.contains(&c),
        }
    }
}

/// Where an object is created: its namespace (`None`: the namespace the files are applied to)
/// and its clusters.
type Creation = (Option<String>, Scope);

/// A cluster a deployment runs on: an environment of a spec, or a kustomization deployed on its
/// own.
#[derive(Clone, Debug)]
pub struct Cluster {
    /// How findings name it: ``environment `dev` ``, ``the kustomization `overlays/prod` ``.
    pub label: String,
    /// Its platform, when known: what it is created with resolves references.
    pub platform: Option<&'static dyn crate::platform::Platform>,
    /// The spec's environment it is, when known: a README's prerequisite written ``on the
    /// cluster of `dev` `` is declared on that environment's cluster alone.
    pub environment: Option<String>,
}

/// Where a fact was read: the file as findings name it, the folder prerequisites are looked up
/// from, and whether the file is gen's own output.
#[derive(Clone, Debug)]
pub struct Origin {
    pub source: Arc<Source>,
    /// The folder the file is in, in the same form as the folders of the READMEs added: a
    /// README's prerequisites cover the files in its folder and below.
    pub dir: PathBuf,
    /// Whether gen rendered the file (its own output) rather than someone writing it.
    pub own: bool,
    /// Its path in the output directory, when rendered (what a spec's `lint.ignore` `path`
    /// names).
    pub artifact: Option<String>,
    /// The clusters what it creates and references are about.
    pub scope: Scope,
}

/// A name one artifact uses and another must create.
#[derive(Clone, Debug)]
pub struct Reference {
    pub rule: &'static Rule,
    pub kind: Kind,
    /// The namespace the target must be in; `None` when the referrer names none (it goes to the
    /// namespace the files are applied to), or for cluster-wide kinds.
    pub namespace: Option<String>,
    pub name: String,
    /// Whether the referrer tolerates its absence (`optional: true`).
    pub optional: bool,
    /// What refers, for the message: `Deployment/shop`, `workflow shop.yml`.
    pub from: String,
    /// How it refers, for the message, `@` standing for the target: `reads @ in env SECRET_KEY`.
    pub how: String,
    pub span: Span,
    pub origin: usize,
    /// The clusters it must resolve in.
    pub scope: Scope,
}

/// A file as its family parsed it for the lint: what [`Graph::read`] reads.
pub enum Parsed<'a> {
    /// A manifest's objects (each document's root).
    Manifest(&'a [&'a crate::yaml::Node]),
    /// A Terraform file's body.
    Terraform(&'a hcl_edit::structure::Body),
    /// A workflow's top-level mapping (`None`: not a workflow).
    Workflow(Option<&'a crate::yaml::Node>),
}

/// What a deployment creates, and what it references, read from all its artifacts.
#[derive(Default)]
pub struct Graph {
    /// Objects created, by (kind, name): the namespaces they are created in (`None`: the
    /// namespace the files are applied to), each with the clusters it is created in.
    created: HashMap<(Kind, String), Vec<Creation>>,
    /// Kinds created under a name gen cannot tell (a Terraform `for_each`, a variable): any
    /// name of the kind resolves, as a value gen cannot tell is not judged.
    any_name: HashMap<Kind, Vec<Scope>>,
    /// API groups whose every kind is installed (a chart that installs a group's CRDs).
    crd_groups: HashMap<String, Vec<Scope>>,
    /// The clusters the deployment runs on; none: one, whatever it is.
    clusters: Vec<Cluster>,
    /// The claims StatefulSets' claim templates make, by the prefix of their names
    /// (`<template>-<statefulset>-`, then an ordinal).
    claim_templates: Vec<(String, Creation)>,
    /// The scope of what is being read: the file's, or the kustomization's it is built by.
    current: Scope,
    /// Prerequisites declared by READMEs, by the name they declare, each with the folder it
    /// covers (a project's README declares one per service: looked up, not scanned, per
    /// reference).
    prerequisites: HashMap<String, Vec<(PathBuf, readme::Prerequisite)>>,
    /// What the clusters READMEs name (GKE, AKS...) are created with, likewise: it resolves a
    /// reference only on a cluster whose platform the deployment does not say.
    named_clusters: HashMap<String, Vec<(PathBuf, readme::Prerequisite)>>,
    refs: Vec<Reference>,
    origins: Vec<Origin>,
    /// Platforms whose clusters the deployment runs on (from a spec, or told by Terraform), by
    /// name.
    platforms: platform::Platforms,
    /// Terraform facts for the cross-family rules.
    tf: terraform::Facts,
    /// The Kubernetes kinds the deployment's charts and manifests hold, each with its API group
    /// and where it is deployed.
    kinds: BTreeSet<(String, String, Scope)>,
    /// How many origins [`Graph::settle`] has seen.
    settled: usize,
    /// How many references it kept: those come first in `refs` (every later one was added
    /// since, by [`Graph::merge`]).
    settled_refs: usize,
    /// Whether the deployment's Terraform creates a Key Vault: without one, the vaults a
    /// SecretProviderClass reads are made elsewhere, and not judged.
    key_vaults: bool,
    /// The Prometheus installations, with what each reads.
    selections: Vec<monitoring::Selection>,
    /// The monitors and rules a Prometheus must read, until one surely does.
    monitors: Vec<monitoring::Monitor>,
    /// The releases of kube-prometheus-stack scripts READMEs run install, with the folder each
    /// covers (`None`: a release whose selection is not known).
    stack_releases: Vec<(PathBuf, Option<String>, Option<bool>)>,
}

impl Graph {
    /// An empty graph.
    pub fn new() -> Graph {
        Graph::default()
    }

    /// Records that the deployment runs on clusters of `platform` (one a spec runs on): what
    /// such clusters provide resolves references.
    pub fn platform(&mut self, platform: &'static dyn crate::platform::Platform) {
        self.platforms.insert(platform.name(), platform);
    }

    /// Adds a cluster the deployment runs on; its index is what a [`Scope`] names it by (a
    /// spec's environments are added in their order, so an environment's index is its
    /// cluster's).
    pub fn cluster(&mut self, cluster: Cluster) -> ClusterId {
        if let Some(p) = cluster.platform {
            self.platform(p);
        }
        self.clusters.push(cluster);
        ClusterId::try_from(self.clusters.len() - 1).unwrap_or(ClusterId::MAX)
    }

    /// The clusters added.
    pub fn clusters(&self) -> &[Cluster] {
        &self.clusters
    }

    /// The labels of the named clusters among `clusters` (`None`: a reference in any).
    pub(super) fn labels_of(&self, clusters: &[Option<ClusterId>]) -> Vec<&str> {
        clusters.iter().flatten().filter_map(|c| self.clusters.get(usize::from(*c))).map(|c| c.label.as_str()).collect()
    }

    /// Whether `scope` is only clusters on this machine (a laptop's, which no cloud identity
    /// deploys to).
    pub(super) fn on_this_machine_only(&self, scope: &Scope) -> bool {
        let local = |c: &ClusterId| {
            self.clusters.get(usize::from(*c)).and_then(|c| c.platform).is_some_and(|p| p.on_this_machine())
        };
        matches!(scope, Scope::In(cs) if !cs.is_empty() && cs.iter().all(local))
    }

    /// [`Graph::add`] for a file part of whose deployment gen cannot read (a chart whose
    /// dependencies are fetched at install time): what it creates counts, what it references
    /// is not judged, as what gen could not read may create it.
    pub fn add_unjudged(&mut self, family: &str, origin: Origin) {
        let before = self.refs.len();
        self.add(family, origin);
        self.refs[before..].iter_mut().for_each(|r| r.optional = true);
    }

    /// Reads one artifact of `family` (`kubernetes`, `terraform`, `workflow`; others add
    /// nothing). Its source is kept only when it references something.
    pub fn add(&mut self, family: &str, origin: Origin) {
        self.adding(origin, |graph, source, index| match family {
            "kubernetes" => kubernetes::read(graph, source, index),
            "terraform" => terraform::read(graph, source, index),
            "workflow" => workflow::read(graph, source, index),
            _ => {}
        });
    }

    /// Reads a file of a spec's plan (gen's own output) from the document its family parsed
    /// for the lint ([`crate::lint::Family::lint_reading`]): the plan is parsed once.
    pub fn read(&mut self, artifact: &crate::lint::Artifact, parsed: Parsed<'_>) {
        let name = artifact.source.name();
        let scope = match &artifact.deployed {
            Some(deployed) => match Scope::of(deployed) {
                Some(scope) => scope,
                None => return,
            },
            None => Scope::Loose,
        };
        let origin = Origin {
            source: artifact.source.clone(),
            dir: folder_of(name),
            own: true,
            artifact: artifact.path.clone(),
            scope,
        };
        self.adding(origin, |graph, source, index| match parsed {
            Parsed::Manifest(roots) => {
                if !crate::lint::kubernetes::kustomize::is_kustomization(super::file_name(name)) {
                    kubernetes::read_objects(graph, source, roots, index);
                }
            }
            Parsed::Terraform(body) => terraform::read_body(graph, body, index),
            Parsed::Workflow(root) => {
                if let Some(root) = root {
                    workflow::read_root(graph, source, root, index);
                }
            }
        });
    }

    /// Adds `origin` and reads it with `read`; keeps its source only when it references
    /// something.
    fn adding(&mut self, origin: Origin, read: impl FnOnce(&mut Graph, &Source, usize)) {
        let index = self.origins.len();
        let before = self.refs.len() + self.tf.located();
        self.current = origin.scope.clone();
        self.origins.push(origin);
        let source = self.origins[index].source.clone();
        read(self, &source, index);
        // A file that references nothing is not quoted by any finding: drop its text.
        if self.refs.len() + self.tf.located() == before {
            self.origins[index].source = Source::new(source.name(), "");
        }
    }

    /// Reads what a README declares (its Prerequisites sections, the commands it tells its
    /// reader to run, the software and clusters it names); it covers the files in `dir` and
    /// below. Returns the scripts it tells its reader to run (paths relative to `dir`), whose
    /// text the caller hands to [`Graph::add_script`].
    pub fn add_readme(&mut self, text: &str, dir: PathBuf) -> Vec<String> {
        let read = readme::read(text);
        self.declare(read.prerequisites, &dir);
        for p in read.cluster {
            self.named_clusters.entry(p.name.clone()).or_default().push((dir.clone(), p));
        }
        read.scripts
    }

    /// Reads what a script a README tells its reader to run creates; it covers the files in
    /// `dir` (the README's folder) and below.
    pub fn add_script(&mut self, text: &str, dir: PathBuf) {
        self.declare(readme::script(text).prerequisites, &dir);
    }

    fn declare(&mut self, prerequisites: Vec<readme::Prerequisite>, dir: &Path) {
        for p in prerequisites {
            if p.kind == monitoring::STACK_RELEASE {
                let release = (p.name != readme::ANY).then(|| p.name.clone());
                self.stack_releases.push((dir.to_path_buf(), release, None));
                continue;
            }
            if p.kind == monitoring::STACK_WITHOUT_RECEIVER {
                // The release just declared, with the chart's Alertmanager configuration.
                let release = (p.name != readme::ANY).then(|| p.name.clone());
                if let Some(last) = self.stack_releases.iter_mut().rev().find(|(at, r, _)| at == dir && *r == release) {
                    last.2 = Some(false);
                }
                continue;
            }
            self.prerequisites.entry(p.name.clone()).or_default().push((dir.to_path_buf(), p));
        }
    }

    fn create(&mut self, kind: &str, namespace: Option<&str>, name: &str) {
        let scope = self.current.clone();
        self.created
            .entry((kind.to_string(), name.to_string()))
            .or_default()
            .push((namespace.map(str::to_string), scope));
    }

    fn create_any(&mut self, kind: &str) {
        let scope = self.current.clone();
        self.any_name.entry(kind.to_string()).or_default().push(scope);
    }

    fn install_crd(&mut self, group: &str, kind: &str) {
        self.create(CRD, None, &format!("{}.{group}", platform::plural(kind)));
    }

    /// Records the claims a StatefulSet's claim template makes: `<prefix><ordinal>`.
    fn claim_template(&mut self, prefix: String, namespace: Option<&str>) {
        let scope = self.current.clone();
        self.claim_templates.push((prefix, (namespace.map(str::to_string), scope)));
    }

    /// Records that every kind of an API group is installed (a chart that installs its CRDs).
    fn install_group(&mut self, group: &str) {
        let scope = self.current.clone();
        self.crd_groups.entry(group.to_string()).or_default().push(scope);
    }

    fn refer(&mut self, r: Reference) {
        self.refs.push(r);
    }

    /// The clusters a reference must resolve in: each of its scope's, or any (`None`) for a
    /// loose file, a GitHub setting (a repository's, whatever the cluster), an AWS object (an
    /// account's), or a deployment of one cluster.
    fn must_resolve_in(&self, r: &Reference) -> Vec<Option<ClusterId>> {
        let github = [GITHUB_SECRET, GITHUB_VARIABLE, GITHUB_ENVIRONMENT].contains(&r.kind.as_str());
        // An account's objects (a secret, a role) are there whatever the cluster.
        let account = aws::KINDS.contains(&r.kind.as_str());
        if github || account || self.clusters.is_empty() {
            return vec![None];
        }
        match &r.scope {
            Scope::Loose => vec![None],
            Scope::All => (0..self.clusters.len()).map(|c| ClusterId::try_from(c).ok()).collect(),
            Scope::In(cs) => cs.iter().map(|c| Some(*c)).collect(),
        }
    }

    /// The clusters a reference does not resolve in (none: it is satisfied).
    fn missing_in(&self, r: &Reference) -> Vec<Option<ClusterId>> {
        if r.optional {
            return Vec::new();
        }
        self.must_resolve_in(r).into_iter().filter(|c| !self.resolves_in(r, *c)).collect()
    }

    /// Drops what the files read since the last call no longer need: the references already
    /// satisfied (what a graph holds only grows, so they stay satisfied), and the texts of the
    /// files left with nothing to report. A spec's plan is read a service at a time; this keeps
    /// the graph to what is still unresolved, not every rendered file's text.
    fn settle(&mut self) {
        let from = self.settled;
        // Only what was added since the last call is looked at: going through every reference
        // kept (the vaults' stay until the end) made a spec's lint grow with the square of its
        // services (a 5,000-service `gen lint` took 15.4 s with it, 13.2 s without).
        let new = self.refs.split_off(self.settled_refs.min(self.refs.len()));
        debug_assert!(self.refs.last().is_none_or(|r| r.origin < from) && new.first().is_none_or(|r| r.origin >= from));
        // A vault reference resolves while no Terraform has said it creates vaults, which a
        // later file may: it stays until the end.
        let vault = |r: &Reference| r.kind == KEY_VAULT || r.kind == KEY_VAULT_SECRET;
        let pending: Vec<Reference> = new.into_iter().filter(|r| vault(r) || !self.missing_in(r).is_empty()).collect();
        // A monitor a Prometheus surely reads stays read: what the graph knows only grows.
        let monitors = std::mem::take(&mut self.monitors);
        self.monitors = monitors.into_iter().filter(|m| !self.surely_read(m)).collect();
        let keep: HashSet<usize> = pending
            .iter()
            .map(|r| r.origin)
            .chain(self.tf.origins())
            .chain(self.monitors.iter().map(|m| m.origin))
            .collect();
        for (i, o) in self.origins.iter_mut().enumerate().skip(from) {
            if !keep.contains(&i) && !o.source.text().is_empty() {
                o.source = Source::new(o.source.name(), "");
            }
        }
        self.refs.extend(pending);
        self.settled = self.origins.len();
        self.settled_refs = self.refs.len();
    }

    /// The platforms whose built-in objects `cluster` has: its own, or when it is not known
    /// (or any cluster is asked for) those of the deployment.
    fn platforms_of(&self, cluster: Option<ClusterId>) -> std::borrow::Cow<'_, platform::Platforms> {
        match cluster.and_then(|c| self.clusters.get(usize::from(c))).and_then(|c| c.platform) {
            Some(p) => std::borrow::Cow::Owned([(p.name(), p)].into_iter().collect()),
            None => std::borrow::Cow::Borrowed(&self.platforms),
        }
    }

    /// Whether a reference resolves in `cluster` (`None`: in any): created there in a
    /// namespace it may be in, created there under a name gen cannot tell, provided by the
    /// cluster's platform, or declared by a README above the referrer.
    pub(super) fn resolves_in(&self, r: &Reference, cluster: Option<ClusterId>) -> bool {
        if r.kind == CRD {
            return self.has_crd(&r.name, r.origin, cluster);
        }
        if r.kind == SHARED_CLASS {
            return self.serves_many(r, cluster);
        }
        if (r.kind == KEY_VAULT || r.kind == KEY_VAULT_SECRET) && !self.key_vaults {
            return true;
        }
        // A secret of a vault that is missing itself: the vault's finding says it.
        if r.kind == KEY_VAULT_SECRET
            && let Some((vault, _)) = r.name.split_once('/')
            && !self.resolves_in(&Reference { kind: KEY_VAULT.into(), name: vault.into(), ..r.clone() }, cluster)
        {
            return true;
        }
        let created = self.created.get(&(r.kind.clone(), r.name.clone())).is_some_and(|spaces| {
            spaces.iter().any(|(ns, scope)| {
                scope.reaches(cluster)
                    && match (ns, &r.namespace) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            })
        });
        let claimed = r.kind == "PersistentVolumeClaim"
            && self.claim_templates.iter().any(|(prefix, (ns, scope))| {
                scope.reaches(cluster)
                    && r.name
                        .strip_prefix(prefix.as_str())
                        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                    && match (ns, &r.namespace) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            });
        created
            || claimed
            || self.any_name.get(&r.kind).is_some_and(|scopes| scopes.iter().any(|s| s.reaches(cluster)))
            || platform::provides(&self.platforms_of(cluster), &r.kind, &r.name)
            || self.declared(&r.kind, r.namespace.as_deref(), &r.name, &self.origins[r.origin].dir, cluster)
    }

    /// Whether the class a claim of many nodes names (`""`: the cluster's default) serves many
    /// nodes in `cluster`, or gen cannot tell that it does not: a class created with a
    /// provisioner of many nodes or one gen does not know, a platform's class of a file
    /// share, one a README declares, or a default on a cluster whose platform is not known.
    fn serves_many(&self, r: &Reference, cluster: Option<ClusterId>) -> bool {
        let created = self
            .created
            .get(&(SHARED_CLASS.to_string(), r.name.clone()))
            .is_some_and(|spaces| spaces.iter().any(|(_, s)| s.reaches(cluster)));
        created
            || platform::provides(&self.platforms_of(cluster), SHARED_CLASS, &r.name)
            || if r.name.is_empty() {
                !self.platform_known(cluster)
            } else {
                self.declared("StorageClass", None, &r.name, &self.origins[r.origin].dir, cluster)
            }
    }

    /// Whether a declaration on the cluster of environment `environment` (any, when `None`)
    /// holds on `cluster`: on a cluster whose environment is not known, it may.
    fn on(&self, environment: Option<&str>, cluster: Option<ClusterId>) -> bool {
        let of = cluster.and_then(|c| self.clusters.get(usize::from(c))).and_then(|c| c.environment.as_deref());
        match (environment, of) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// Whether the platform of `cluster` is known (its own, or the deployment's).
    pub(super) fn platform_known(&self, cluster: Option<ClusterId>) -> bool {
        match cluster.and_then(|c| self.clusters.get(usize::from(c))) {
            Some(c) => c.platform.is_some(),
            None => !self.platforms.is_empty(),
        }
    }

    /// Whether a README at or above `dir` declares the object (by its name, any name of its
    /// kind, or for a CRD, its group), or, on `cluster` when its platform is not known, names a
    /// cluster created with it.
    fn declared(
        &self,
        kind: &str,
        namespace: Option<&str>,
        name: &str,
        dir: &Path,
        cluster: Option<ClusterId>,
    ) -> bool {
        let group = (kind == CRD).then(|| name.split_once('.').map(|(_, g)| format!("*.{g}"))).flatten();
        let named = (!self.platform_known(cluster)).then_some(&self.named_clusters);
        [Some(&self.prerequisites), named].into_iter().flatten().any(|declarations| {
            [Some(name), Some(readme::ANY), group.as_deref()].into_iter().flatten().any(|key| {
                declarations.get(key).is_some_and(|declared| {
                    declared.iter().any(|(at, p)| {
                        dir.starts_with(at) && p.names(kind, namespace, name) && self.on(p.cluster.as_deref(), cluster)
                    })
                })
            })
        })
    }

    /// Whether the CRD named `name` (`<plural>.<group>`) is installed in `cluster` (by a
    /// manifest, or a chart that installs its group), provided by its platform, or declared
    /// above `origin`.
    fn has_crd(&self, name: &str, origin: usize, cluster: Option<ClusterId>) -> bool {
        let group = name.split_once('.').map_or("", |(_, g)| g);
        let installed = |group: &str| self.crd_groups.get(group).is_some_and(|s| s.iter().any(|s| s.reaches(cluster)));
        installed(group)
            || installed(terraform::ANY_GROUP)
            || self
                .created
                .get(&(CRD.to_string(), name.to_string()))
                .is_some_and(|spaces| spaces.iter().any(|(_, s)| s.reaches(cluster)))
            || platform::provides_crd(&self.platforms_of(cluster), group)
            || self.declared(CRD, None, name, &self.origins[origin].dir, cluster)
    }

    /// The findings: each unresolved reference and cross-family gap, at its line. A finding in
    /// gen's own output has the severity `own` (none when `None`), one in a hand-written file
    /// its rule's (a warning).
    pub fn finish(self, own: Option<Severity>) -> Findings {
        let mut out = Vec::new();
        rules::check(&self, &mut out);
        let mut findings = Findings::default();
        let mut seen = HashSet::new();
        for (origin, d) in out {
            let o = &self.origins[origin];
            let severity = if o.own { own } else { Some(d.rule.severity) };
            let Some(severity) = severity else { continue };
            if !seen.insert((d.rule.code, d.file.clone(), d.span, d.message.clone())) {
                continue;
            }
            findings.sources.add(o.source.clone());
            let mut d = Diagnostic { severity, ..d };
            d.subject.artifact = o.artifact.clone();
            findings.diagnostics.push(d);
        }
        findings
    }

    pub(super) fn diag(&self, rule: &'static Rule, origin: usize, span: Span, message: String) -> Diagnostic {
        Diagnostic::new(rule, self.origins[origin].source.name(), Some(span), message)
    }
}

/// The folder a file named `name` is in, for README lookups (a chart's template rendered by
/// Helm, `charts/shop/templates/x.yaml (rendered)`, is in its template's folder).
pub fn folder_of(name: &str) -> PathBuf {
    let name = name.strip_suffix(" (rendered)").unwrap_or(name);
    Path::new(name).parent().map(Path::to_path_buf).unwrap_or_default()
}

/// Whether a file name is a README whose Prerequisites section gen reads (`README.gen.md`:
/// gen's own, beside a repository's README when rendered into the repository's folder).
pub fn is_readme(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    matches!(lower.as_str(), "readme.md" | "readme" | "readme.markdown" | "readme.gen.md")
}

impl Graph {
    /// Reads what no family lints in a file of a spec's plan: a README's prerequisites, what a
    /// deploy script installs. Returns whether it was one of those. `out` prefixes file names
    /// as findings show them (`out/manifests/shop/deployment.yaml`).
    pub fn read_plan_file(&mut self, file: &crate::render::PlannedFile, text: &str, out: &str) -> bool {
        if is_readme(super::file_name(&file.path)) {
            // gen's README tells its reader to run gen's own scripts, read with the plan.
            let _scripts = self.add_readme(text, folder_of(&format!("{out}/{}", file.path)));
            return true;
        }
        if file.path.ends_with(".sh") {
            if let Some(scope) = Scope::of(&file.deployed) {
                self.read_script(text, scope);
            }
            return true;
        }
        false
    }

    /// Reads what one of gen's deploy scripts installs, in the clusters of `scope` (the
    /// environment it deploys).
    pub fn read_script(&mut self, text: &str, scope: Scope) {
        self.current = scope;
        shell::read(self, text);
    }

    /// Puts what one batch of a plan read (its lint's families one after another) in the order
    /// of the batch's files, as if each file had been read in turn: `position` is a file's
    /// place in the batch, by its path. Findings then come in the order of the files.
    pub fn in_file_order(&mut self, position: impl Fn(&str) -> usize) {
        let key = |o: &Origin| position(o.artifact.as_deref().unwrap_or_default());
        let mut order: Vec<usize> = (0..self.origins.len()).collect();
        order.sort_by_key(|&i| key(&self.origins[i]));
        let mut new_index = vec![0; order.len()];
        for (new, &old) in order.iter().enumerate() {
            new_index[old] = new;
        }
        let mut origins: Vec<Option<Origin>> = std::mem::take(&mut self.origins).into_iter().map(Some).collect();
        self.origins = order.iter().filter_map(|&i| origins[i].take()).collect();
        self.refs.iter_mut().for_each(|r| r.origin = new_index[r.origin]);
        self.refs.sort_by_key(|r| r.origin);
        self.tf.renumber(|o| new_index[o]);
    }

    /// Adds what another graph read (the next batch of a plan, read on another thread), as if
    /// this graph had read it, then drops what it no longer needs ([`Graph::settle`]).
    pub fn merge(&mut self, other: Graph) {
        let base = self.origins.len();
        for (key, spaces) in other.created {
            self.created.entry(key).or_default().extend(spaces);
        }
        for (kind, scopes) in other.any_name {
            self.any_name.entry(kind).or_default().extend(scopes);
        }
        for (group, scopes) in other.crd_groups {
            self.crd_groups.entry(group).or_default().extend(scopes);
        }
        self.claim_templates.extend(other.claim_templates);
        for (name, declared) in other.prerequisites {
            self.prerequisites.entry(name).or_default().extend(declared);
        }
        for (name, declared) in other.named_clusters {
            self.named_clusters.entry(name).or_default().extend(declared);
        }
        self.refs.extend(other.refs.into_iter().map(|r| Reference { origin: r.origin + base, ..r }));
        self.selections.extend(other.selections);
        self.stack_releases.extend(other.stack_releases);
        self.monitors.extend(other.monitors.into_iter().map(|m| monitoring::Monitor { origin: m.origin + base, ..m }));
        self.origins.extend(other.origins);
        self.platforms.extend(other.platforms);
        let mut tf = other.tf;
        tf.renumber(|o| o + base);
        self.tf.append(tf);
        self.kinds.extend(other.kinds);
        self.settle();
    }
}
