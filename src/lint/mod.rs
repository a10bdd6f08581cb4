//! Rules over artifacts, rendered or hand-written, in families (Dockerfile, Kubernetes,
//! Terraform, GitHub workflow).
//!
//! A family says how it recognises its files, parses them into documents with positions, and
//! lists its rules. [`FAMILIES`] is the one list that `gen lint`, `gen explain`, the rule docs
//! and the fixture tests iterate: adding a family is a folder and one line there; adding a rule
//! is one file and one line in its family's list.
//!
//! The files a new family touches, and no others:
//! - `src/lint/<family>/mod.rs`: the [`Family`] impl (name, recognition, where comments are, parse),
//!   its document type, and its list of [`Check`]s;
//! - `src/lint/<family>/rules/<rule>.rs`: one file per rule, declared with `declare_rule!`;
//! - one line in [`FAMILIES`] and one `mod` line here;
//! - `tests/fixtures/<family>/<CODE>/{fires,passes}.*`: one pair per rule;
//! - `docs/rules.md`, regenerated (`GEN_UPDATE_DOCS=1 cargo test --test it cli::`);
//! - in a blueprint, `kind: <family>` on the files it renders.
//!
//! `tests/it/family.rs` runs a family defined outside the crate through this machinery.

pub mod baseline;
pub mod closure;
pub mod config;
pub mod dockerfile;
mod family;
pub mod ignore;
pub mod kubernetes;
pub mod process;
pub mod prometheus;
pub mod requirements;
pub mod terraform;
pub mod workflow;

use std::sync::Arc;

pub use family::{Check, Emit, Run, drive, drive_reading, run_checks};

use crate::diag::{Diagnostics, Findings, Rule, Source};
use crate::spec::Loaded;
use crate::spec::model::{Service, Spec};

/// How sure a family is that a hand-written file is one of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Recognition {
    No,
    /// Its name fits, its content does not say (an explicitly named file may still be one).
    Maybe,
    Yes,
}

/// One file a family checks, with what is known about where it came from.
#[derive(Clone)]
pub struct Artifact {
    pub source: Arc<Source>,
    /// The spec it was rendered from.
    pub spec: Option<Arc<Spec>>,
    /// The index in `spec.services` of the service it was rendered for.
    pub service: Option<usize>,
    /// Its path in the output directory, when rendered.
    pub path: Option<String>,
    /// The set of files it is read with, for rules that relate files to each other (a
    /// Service and the Deployment it selects); by default, the folder it is in.
    pub set: Option<Arc<str>>,
    /// Which environments gen deploys it to on its own, when gen rendered it (the closure
    /// check closes it on each of their clusters); `None` for a file gen cannot place.
    pub deployed: Option<crate::render::Deployed>,
}

impl Artifact {
    /// A hand-written file: nothing known beyond its text.
    pub fn hand_written(source: Arc<Source>) -> Artifact {
        Artifact { source, spec: None, service: None, path: None, set: None, deployed: None }
    }

    /// The set of files it is read with: its explicit set, or the folder it is in.
    pub fn set_key(&self) -> &str {
        if let Some(set) = &self.set {
            return set;
        }
        let name = self.path.as_deref().unwrap_or(self.source.name());
        name.rsplit_once('/').map_or("", |(dir, _)| dir)
    }

    /// The service it was rendered for.
    pub fn service(&self) -> Option<&Service> {
        self.spec.as_ref().zip(self.service).and_then(|(spec, i)| spec.services.get(i))
    }
}

/// Moves findings placed by the YAML loader, which reads a file without its byte-order mark,
/// onto the file's own text, which reports quote with it.
pub fn past_byte_order_mark(text: &str, found: &mut [crate::diag::Diagnostic]) {
    if text.starts_with('\u{feff}') {
        let bom = '\u{feff}'.len_utf8();
        for span in found.iter_mut().filter_map(|d| d.span.as_mut()) {
            *span = crate::diag::Span::new(span.start + bom, span.end + bom);
        }
    }
}

/// An artifact family.
pub trait Family: Sync {
    /// The name blueprints declare as a file's `kind`, and the fixture folder's name.
    fn name(&self) -> &'static str;
    /// Every rule of the family, parse failures included.
    fn rules(&self) -> Vec<&'static Rule>;
    /// The comments of a file of the family, each spanning from the marker that opens it (`#`,
    /// `//`) to its end, in text order, as the family's language reads them: never text inside
    /// a string, a block scalar or a heredoc. `gen:ignore` directives are read only there, so
    /// that a file's data cannot switch its own checks off.
    fn comments(&self, text: &str) -> Vec<crate::diag::Span>;
    /// Whether a file at this path, with this text, is one of the family's. `path` is the
    /// file's path with `/` between folders (as given, walked to, or rendered); most families
    /// look only at its [`file_name`].
    fn recognises(&self, path: &str, text: &str) -> Recognition;
    /// Parses the files and runs every rule over them, handing each file's findings to `emit`
    /// (rules that relate files to each other see each set of files together; [`drive`] does
    /// this for a list of [`Check`]s).
    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>);
    /// [`Family::lint`], also reading into `graph` what each file creates and references (the
    /// closure check, [`closure::Graph::read`]) from the documents the lint parsed, so that a
    /// spec's plan is parsed once. The default reads nothing: a family whose files take no part
    /// in the closure check.
    fn lint_reading(
        &self,
        files: &mut dyn Iterator<Item = Artifact>,
        emit: &mut Emit<'_>,
        _graph: &mut closure::Graph,
    ) {
        self.lint(files, emit)
    }
    /// Whether the family reads this folder as one input that expands into its files (a
    /// Helm chart, rendered), rather than as a folder to walk.
    fn claims_folder(&self, _dir: &std::path::Path) -> bool {
        false
    }
    /// The files a claimed folder expands into, or why it cannot be expanded.
    fn expand_folder(&self, _dir: &std::path::Path, shown: &str) -> Result<Vec<Artifact>, String> {
        Err(format!("{shown} is not a folder the {} family expands", self.name()))
    }
}

/// Every artifact family, in the order their findings are reported.
pub static FAMILIES: &[&dyn Family] = &[
    &dockerfile::FAMILY,
    &kubernetes::FAMILY,
    &terraform::FAMILY,
    &workflow::FAMILY,
    &requirements::FAMILY,
    &prometheus::FAMILY,
];

/// The family with this name.
pub fn family(name: &str) -> Option<&'static dyn Family> {
    FAMILIES.iter().copied().find(|f| f.name() == name)
}

/// The names of every family, for blueprint `kind`s.
pub fn family_names() -> Vec<&'static str> {
    FAMILIES.iter().map(|f| f.name()).collect()
}

/// The last part of a path: the file's name.
pub fn file_name(path: &str) -> &str {
    path.rsplit(['/', '\\']).next().unwrap_or(path)
}

/// The family a hand-written file at `path` belongs to, if one claims it at least with
/// `at_least`.
pub fn recognise(path: &str, text: &str, at_least: Recognition) -> Option<&'static dyn Family> {
    FAMILIES
        .iter()
        .map(|f| (f.recognises(path, text), *f))
        .filter(|(r, _)| *r >= at_least && *r != Recognition::No)
        .max_by_key(|(r, _)| *r)
        .map(|(_, f)| f)
}

/// The family that reads this folder as one input, if one does.
pub fn claiming_folder(dir: &std::path::Path) -> Option<&'static dyn Family> {
    FAMILIES.iter().copied().find(|f| f.claims_folder(dir))
}

/// Lints one batch of a plan's files (a service's, as `render_each` hands them over) by the
/// family its blueprint declares (or, without one, the family that recognises it). `out`
/// prefixes file names so findings name the file as the user sees it
/// (`out/services/shop/Dockerfile`); only the sources that findings quote are kept. The
/// caller tells a plan's notes once ([`Notes`]) as batches come.
///
/// With `graph`, also reads into it what each file creates and references (the closure
/// check), from the documents the lint parses, in the order of the files.
pub fn lint_batch(
    files: &[crate::render::PlannedFile],
    loaded: &Loaded,
    out: &str,
    mut graph: Option<&mut closure::Graph>,
) -> Findings {
    let family_of = |file: &crate::render::PlannedFile| -> Option<&'static dyn Family> {
        match &file.kind {
            Some(kind) => family(kind),
            None => {
                let text = std::str::from_utf8(&file.bytes).ok()?;
                recognise(&file.path, text, Recognition::Yes)
            }
        }
    };
    // Each file's family, found once.
    let families: Vec<Option<&'static str>> = files.iter().map(|f| family_of(f).map(|g| g.name())).collect();
    // The kustomizations that change what they take (an environment's overlay): built, and
    // their objects read as built; the files they take are not read again on their own.
    let built = graph.is_some().then(|| build_overlays(files, out));
    let covered = |f: &crate::render::PlannedFile| {
        built.as_ref().is_some_and(|b| b.covered.contains(std::path::Path::new(&format!("{out}/{}", f.path))))
            && !kubernetes::kustomize::is_kustomization(file_name(&f.path))
    };
    let lint_family = |family: &'static dyn Family, graph: Option<&mut closure::Graph>| {
        let mut files =
            files.iter().zip(&families).filter(|(_, g)| **g == Some(family.name())).map(|(f, _)| Artifact {
                source: Source::new(format!("{out}/{}", f.path), text_of(&f.bytes)),
                spec: Some(loaded.spec.clone()),
                service: f.service,
                path: Some(f.path.clone()),
                set: None,
                deployed: Some(if covered(f) { crate::render::Deployed::Nowhere } else { f.deployed.clone() }),
            });
        match graph {
            Some(graph) => lint_files_reading(family, &mut files, graph),
            None => lint_files(family, &mut files),
        }
    };
    let reading = graph.is_some();
    let mut findings = Findings::default();
    std::thread::scope(|scope| {
        // A family with many bytes in the batch (the project's Terraform) is linted on a
        // thread of its own, reading into a graph of its own, while the others are linted
        // here; its findings and graph are taken in the families' order all the same.
        let spawned: Vec<_> = FAMILIES
            .iter()
            .filter(|family| {
                let bytes: usize = files
                    .iter()
                    .zip(&families)
                    .filter(|(_, g)| **g == Some(family.name()))
                    .map(|(f, _)| f.bytes.len())
                    .sum();
                bytes >= OWN_THREAD_BYTES
            })
            .map(|family| {
                let handle = scope.spawn(move || {
                    let mut part = reading.then(closure::Graph::new);
                    (lint_family(*family, part.as_mut()), part)
                });
                (family.name(), handle)
            })
            .collect();
        let mut spawned = spawned.into_iter().peekable();
        for family in FAMILIES {
            match spawned.next_if(|(name, _)| *name == family.name()) {
                Some((_, handle)) => {
                    let (found, part) = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                    findings.extend(found);
                    if let (Some(graph), Some(part)) = (graph.as_deref_mut(), part) {
                        graph.merge(part);
                    }
                }
                None => findings.extend(lint_family(*family, graph.as_deref_mut())),
            }
        }
    });
    if let Some(graph) = graph {
        for file in files {
            if let Ok(text) = std::str::from_utf8(&file.bytes) {
                graph.read_plan_file(file, text, out);
            }
        }
        let prefix = format!("{out}/");
        for (unit, build) in built.into_iter().flat_map(|b| b.builds) {
            graph.read_build(
                &unit,
                &build,
                &|name| name.strip_prefix(&prefix).map(str::to_string),
                &closure::folder_of,
            );
        }
        let position: std::collections::HashMap<&str, usize> =
            files.iter().enumerate().map(|(i, f)| (f.path.as_str(), i)).collect();
        graph.in_file_order(|path| position.get(path).copied().unwrap_or(usize::MAX));
    }
    findings
}

/// Builds the kustomizations of a batch of a plan that change what they take (each
/// environment's overlay of a service), each with the environments its file is deployed to.
fn build_overlays(files: &[crate::render::PlannedFile], out: &str) -> closure::units::Built {
    let plan = closure::units::Plan::new(out, files.iter().map(|f| (f.path.as_str(), f.bytes.as_slice())));
    let units = files
        .iter()
        .filter(|f| kubernetes::kustomize::is_kustomization(file_name(&f.path)))
        .filter_map(|f| {
            let scope = closure::Scope::of(&f.deployed)?;
            let source = Source::new(format!("{out}/{}", f.path), std::str::from_utf8(&f.bytes).ok()?);
            closure::units::transforms(&source).then(|| {
                let dir =
                    std::path::Path::new(source.name()).parent().map(std::path::Path::to_path_buf).unwrap_or_default();
                closure::units::Unit { dir, scope, own: true }
            })
        })
        .collect();
    closure::units::build_units(&plan, units)
}

/// The bytes of one family's files in a batch from which [`lint_batch`] lints them on a thread
/// of their own: the project's Terraform of the reference example (about 100 KiB) was a third
/// of its lint; a service's files (under 25 KiB a family) cost less than a thread would save.
const OWN_THREAD_BYTES: usize = 64 * 1024;

/// A rendered file's text: its bytes as they are when they are UTF-8 (checked at once, as
/// rendered files always are), with replacement characters otherwise.
fn text_of(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(text) => text.to_string(),
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

/// A plan's notes (info findings) told once per rule: news about the platform (a retired
/// ingress controller) is told once, not once per service. Filters batches as they come, so a
/// spec of thousands of services keeps one note and one quoted file per rule.
#[derive(Default)]
pub struct Notes {
    /// Per rule told, how many more times it was found.
    more: std::collections::HashMap<&'static str, usize>,
}

impl Notes {
    /// Drops the notes already told, and the sources that only they quoted.
    pub fn filter(&mut self, findings: &mut Findings) {
        let before = findings.diagnostics.len();
        findings.diagnostics.retain(|d| {
            if d.severity != crate::diag::Severity::Info {
                return true;
            }
            match self.more.get_mut(d.rule.code) {
                Some(more) => {
                    *more += 1;
                    false
                }
                None => {
                    self.more.insert(d.rule.code, 0);
                    true
                }
            }
        });
        if findings.diagnostics.len() < before {
            let quoted: std::collections::HashSet<String> =
                findings.diagnostics.iter().map(|d| d.file.clone()).collect();
            findings.sources.retain(|name| quoted.contains(name));
        }
    }

    /// Says on each note told how many other files it was found in.
    pub fn finish(&self, findings: &mut Findings) {
        for d in &mut findings.diagnostics {
            if d.severity != crate::diag::Severity::Info {
                continue;
            }
            if let Some(&more) = self.more.get(d.rule.code)
                && more > 0
            {
                d.message
                    .push_str(&format!(" (also in {more} other rendered file{})", if more == 1 { "" } else { "s" }));
            }
        }
    }
}

/// Lints files of one family: its rules, then the `gen:ignore` comments of each file. Keeps
/// the sources of files with findings, and records on each finding the rendered file and
/// service it concerns.
pub fn lint_files(family: &dyn Family, files: &mut dyn Iterator<Item = Artifact>) -> Findings {
    lint_files_with(family, &mut |emit| family.lint(files, emit))
}

/// [`lint_files`], also reading into `graph` what each file creates and references.
fn lint_files_reading(
    family: &dyn Family,
    files: &mut dyn Iterator<Item = Artifact>,
    graph: &mut closure::Graph,
) -> Findings {
    lint_files_with(family, &mut |emit| family.lint_reading(files, emit, graph))
}

/// The findings of `lint`, a family's lint of some files handing each file's findings on.
fn lint_files_with(family: &dyn Family, lint: &mut dyn FnMut(&mut Emit<'_>)) -> Findings {
    let rules = family.rules();
    let mut findings = Findings::default();
    lint(&mut |file: &Artifact, diags: Diagnostics| {
        let mut diags = ignore::apply_comments(&file.source, family, &rules, diags);
        for d in &mut diags {
            if d.subject.artifact.is_none() {
                d.subject.artifact = file.path.clone();
            }
            if d.subject.service.is_none() {
                d.subject.service = file.service().map(|s| s.name.clone());
            }
        }
        if !diags.is_empty() {
            findings.sources.add(file.source.clone());
            findings.diagnostics.extend(diags);
        }
    });
    findings
}
