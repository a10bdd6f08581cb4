//! The session: a spec loaded, checked, rendered and linted (and compared with its output
//! directory), a blueprint folder checked, and hand-written files linted by their family.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::inputs::{Classified, Input, classify, follow_modules, resolve_kustomizations, unreadable, unreadable_diag};
use super::place::{default_out, display, place};
use crate::blueprint::{Catalog, CatalogError, Kind};
use crate::diag::{Diagnostic, Findings};
use crate::input::{CHART_NOT_RENDERED, NOTHING_TO_CHECK, UNREADABLE_INPUT};
use crate::lint::{self, Artifact};
use crate::output::{self, DRIFTED_OUTPUT, Drift, DriftCheck, OutputError};
use crate::platform::Known;
use crate::registry;
use crate::render::{self, Place, PlannedFile, RenderError};
use crate::spec::{self, Loaded, SpecError};

/// What the pipeline needs for a run: the blueprint catalog.
pub struct Session {
    /// Shared with the thread that compiles its templates ahead of a render.
    pub catalog: Arc<Catalog>,
    /// The platforms its specs and blueprints may name: the built-in ones, and for a test,
    /// platforms defined outside the crate.
    platforms: Known<'static>,
    /// Whether the spec is taken as it will be once `gen init --from`'s TODOs are settled
    /// ([`Session::settling`]): no service's own code folder is read (SPEC167, SPEC169), and
    /// the TODOs themselves (SPEC170) stop nothing.
    settling: bool,
}

/// A spec file read and loaded: what a command checks and renders.
pub struct Prepared {
    /// The spec's path, as given.
    pub spec: PathBuf,
    /// The spec's bytes (the manifest records their hash).
    pub bytes: Vec<u8>,
    pub loaded: Loaded,
    /// The output directory.
    pub out: PathBuf,
    /// Where the spec and the output sit in their repository.
    pub place: Place,
    /// Services the output records and the spec no longer has, beside new ones it does not
    /// say are renames of them ([`super::renames::of`]): an error of the check and
    /// the lint, and of a render not told they are replacements.
    pub renamed: Findings,
    /// Services the output records and the spec no longer has ([`super::renames::of`]).
    pub removed: Vec<String>,
}

/// Why a spec file could not be prepared: it could not be read, or it did not load.
pub enum Unprepared {
    Unreadable(String),
    Invalid(Findings),
}

/// A spec taken through every stage before output.
pub struct Checked {
    /// Whether the spec rendered whole (its files may still carry error-level findings).
    pub rendered: bool,
    /// Every finding, with the spec's ignores applied.
    pub findings: Findings,
}

/// What receives each batch of rendered files (the project's, then each service's) once it is
/// linted.
pub type Sink<'s> = dyn FnMut(&[PlannedFile]) + 's;

impl Session {
    /// This session, for a spec `gen init --from` writes: what gen's files are and what their
    /// rules find of them once its TODOs are settled, whatever the code's folder still lacks
    /// (a lock to hash is a TODO) and whatever the TODOs still say (`gen init --from`, which
    /// settles what gen refuses into TODOs, and `--compare`).
    pub fn settling(&self) -> Session {
        Session { catalog: Arc::clone(&self.catalog), platforms: self.platforms, settling: true }
    }

    /// The built-in blueprints and those of `dirs`.
    pub fn new(dirs: &[PathBuf]) -> Result<Session, CatalogError> {
        Session::with_platforms(dirs, Known::builtin())
    }

    /// [`Session::new`] for specs and blueprints that may name the platforms `platforms` adds
    /// to the built-in ones (a platform defined in a test): their blocks, rules and files.
    pub fn with_platforms(dirs: &[PathBuf], platforms: Known<'static>) -> Result<Session, CatalogError> {
        Ok(Session {
            catalog: Arc::new(Catalog::load(dirs, &lint::family_names(), platforms)?),
            platforms,
            settling: false,
        })
    }

    /// Checks a loaded spec: semantic rules, then (when they pass) the render and the lint of
    /// its plan, with the spec's ignores applied to every finding. `out` is how findings name
    /// the output directory.
    pub fn check(&self, loaded: &Loaded, place: &Place, out: &str) -> Checked {
        self.check_each(loaded, place, out, &mut |_| {})
    }

    /// [`Session::check`], handing each batch of rendered files to `sink` once it is linted:
    /// a spec of thousands of services is rendered, checked and written (or compared) one
    /// service at a time, and never held whole. Rendering runs on a thread of its own and
    /// linting on as many more as the machine has cores (linting costs three times what
    /// rendering does); batches reach `sink`, and findings the report, in the order they were
    /// rendered, so the output does not depend on which thread finished first.
    pub fn check_each(&self, loaded: &Loaded, place: &Place, out: &str, sink: &mut Sink<'_>) -> Checked {
        self.check_closed(loaded, place, out, sink, lint::closure::OWN_OUTPUT)
    }

    /// [`Session::check_each`] with the closure check of the plan (every name one rendered
    /// file references is created by another, provided by the platform or declared in the
    /// rendered README) reporting at `closure` (`None`: not run). `check_each` passes
    /// [`lint::closure::OWN_OUTPUT`].
    pub fn check_closed(
        &self,
        loaded: &Loaded,
        place: &Place,
        out: &str,
        sink: &mut Sink<'_>,
        closure: Option<crate::diag::Severity>,
    ) -> Checked {
        let mut graph = closure.map(|_| {
            let mut graph = lint::closure::Graph::new();
            crate::platform::targets(loaded).into_iter().for_each(|p| graph.platform(p));
            // Each environment a spec declares runs on a cluster of its own, in their order
            // (what the render's `Deployed` names them by).
            if loaded.environments.iter().any(|e| e.declared) {
                for env in &loaded.environments {
                    let platform = Some(env.spec(loaded).spec.platform.on());
                    graph.cluster(lint::closure::Cluster {
                        label: format!("environment `{}`", env.name),
                        platform,
                        environment: Some(env.name.clone()),
                    });
                }
            }
            graph
        });
        let reading = graph.is_some();
        let (mut ignores, mut findings) = self.spec_findings(loaded);
        let mut rendered = false;
        if !findings.has_errors() {
            let mut notes = lint::Notes::default();
            let linters = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
            // Each channel holds a few batches, and at most `linters` wait to be put back in
            // order, so memory stays that of a few services.
            let (send, batches) = std::sync::mpsc::sync_channel::<(usize, Vec<PlannedFile>)>(4);
            type Linted = (usize, Vec<PlannedFile>, Findings, Option<lint::closure::Graph>);
            let (done, linted) = std::sync::mpsc::sync_channel::<Linted>(linters);
            let batches = std::sync::Mutex::new(Some(batches));
            let catalog = &self.catalog;
            let result = std::thread::scope(|scope| {
                let renderer = scope.spawn(move || {
                    let mut next = 0;
                    render::render_each(loaded, catalog, place, &mut |batch| {
                        // A closed channel means the linting side stopped; rendering on is moot.
                        let _ = send.send((next, batch));
                        next += 1;
                    })
                });
                for _ in 0..linters {
                    let (batches, done) = (&batches, done.clone());
                    scope.spawn(move || {
                        loop {
                            // The lock is held only to take the next batch, not to lint it.
                            let next = batches.lock().ok().and_then(|b| b.as_ref()?.recv().ok());
                            let Some((n, batch)) = next else { break };
                            // What the batch creates and references, read from the documents
                            // the lint parses, is merged on the main thread in batch order.
                            let mut part = reading.then(lint::closure::Graph::new);
                            let found = lint::lint_batch(&batch, loaded, out, part.as_mut());
                            if done.send((n, batch, found, part)).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(done);
                let mut waiting = std::collections::BTreeMap::new();
                let mut next = 0;
                for (n, batch, found, part) in linted {
                    waiting.insert(n, (batch, found, part));
                    while let Some((batch, mut found, part)) = waiting.remove(&next) {
                        found.diagnostics = ignores.silence(found.diagnostics);
                        notes.filter(&mut found);
                        findings.sources.merge(found.sources);
                        findings.diagnostics.extend(found.diagnostics);
                        if let (Some(graph), Some(part)) = (&mut graph, part) {
                            graph.merge(part);
                        }
                        sink(&batch);
                        next += 1;
                    }
                }
                // Every linter has stopped (a panic included): the renderer must not wait for
                // one to take its next batch.
                batches.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
                renderer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            match result {
                Ok(()) => {
                    rendered = true;
                    if let Some(graph) = graph {
                        let closed = graph.finish(closure);
                        findings.sources.merge(closed.sources);
                        findings.diagnostics.extend(ignores.silence(closed.diagnostics));
                    }
                }
                Err(RenderError::Invalid(f)) => {
                    findings.sources.merge(f.sources);
                    findings.diagnostics.extend(ignores.silence(f.diagnostics));
                }
            }
            notes.finish(&mut findings);
        }
        findings.diagnostics.extend(ignores.report(rendered));
        Checked { rendered, findings }
    }

    /// The spec's own rules (and, when they pass, what its services ask of their blueprints'
    /// base images), with the spec's ignores that silenced them.
    fn spec_findings<'a>(&self, loaded: &'a Loaded) -> (lint::ignore::SpecIgnores<'a>, Findings) {
        let mut ignores = lint::ignore::SpecIgnores::new(loaded, &registry::LOOKUP);
        let mut said = spec::check_with(loaded, self.platforms);
        let todo = |d: &crate::diag::Diagnostic| d.rule.code == spec::rules::UNSETTLED_ADOPTION_TODO.code;
        if self.settling {
            said.retain(|d| !todo(d));
        }
        // What the spec's services ask of their blueprints' base images (and of their own code's
        // folders): said only of a spec with no error to fix first but its TODOs, beside them.
        let clean = !said.iter().any(|d| d.severity == crate::diag::Severity::Error && !todo(d));
        if clean {
            said.extend(crate::blueprint::check_base_images(loaded, &self.catalog));
        }
        let mut findings = Findings::new([loaded.source().clone()], ignores.silence(said));
        // A service's own code: its folder holds what gen's files build and test it from.
        if clean && !self.settling {
            let mut own = super::own_code::check(loaded, &self.catalog);
            own.diagnostics = ignores.silence(own.diagnostics);
            findings.extend(own);
        }
        (ignores, findings)
    }

    /// The spec's own rules, then (when they pass) its render handed to `sink` batch by batch,
    /// with no rule run over the rendered files: what `gen render --check` asks (is the output
    /// what the spec renders?), which the pre-commit hook runs beside `gen lint` on every
    /// commit, and the drift job before it. The rules over the files are `gen lint`'s to run
    /// (and `gen render`'s, which writes nothing they refuse); running them here too was three
    /// fifths of the check's instructions (callgrind: 196M with them, 74M without).
    pub fn render_unlinted(&self, loaded: &Loaded, place: &Place, sink: &mut Sink<'_>) -> Checked {
        let (mut ignores, mut findings) = self.spec_findings(loaded);
        let mut rendered = false;
        if !findings.has_errors() {
            match render::render_each(loaded, &self.catalog, place, &mut |batch| sink(&batch)) {
                Ok(()) => rendered = true,
                Err(RenderError::Invalid(f)) => {
                    findings.sources.merge(f.sources);
                    findings.diagnostics.extend(ignores.silence(f.diagnostics));
                }
            }
        }
        // Entries that name no rule are said; one that silences nothing here may silence a
        // finding of the lint, so that is not.
        findings.diagnostics.extend(ignores.report(false));
        Checked { rendered, findings }
    }

    /// Reads and loads the spec at `path`; `out` overrides the output directory.
    pub fn prepare(&self, path: &Path, out: Option<&Path>) -> Result<Prepared, Unprepared> {
        // A user's blueprints compile on another core while the spec loads (gen's own compile as
        // the render uses them).
        render::compile_ahead(&self.catalog);
        let name = display(path);
        let unreadable = |e: SpecError| match e {
            SpecError::Read { source, .. } => Unprepared::Unreadable(source.to_string()),
            SpecError::Invalid(f) => Unprepared::Invalid(f),
        };
        let bytes = spec::read_bytes(path, &name).map_err(unreadable)?;
        let loaded = spec::load_with(&name, &bytes, self.platforms).map_err(unreadable)?;
        let out = out.map_or_else(|| default_out(path), Path::to_path_buf);
        let place = place(path, &out);
        let (renamed, removed) = super::renames::of(&loaded, path, &out);
        Ok(Prepared { spec: path.to_path_buf(), bytes, loaded, out, place, renamed, removed })
    }

    /// [`Session::check_each`] with each batch compared with the output directory as it is
    /// rendered (and handed to `also`): the findings, and the managed files that differ, are
    /// missing or are left over, or why the folder could not be read. The drifts mean little
    /// when the spec did not render whole.
    pub fn compare(&self, prepared: &Prepared, also: &mut Sink<'_>) -> (Checked, Result<Vec<Drift>, OutputError>) {
        self.compare_with(prepared, true, also)
    }

    /// [`Session::compare`] with the rendered files linted (`lint`), or only the spec's own
    /// rules run ([`Session::render_unlinted`]: `gen render --check`).
    pub fn compare_with(
        &self,
        prepared: &Prepared,
        lint: bool,
        also: &mut Sink<'_>,
    ) -> (Checked, Result<Vec<Drift>, OutputError>) {
        let inputs = output::Inputs::new(&prepared.spec, &display(&prepared.spec));
        let layout = output::Layout::of(&prepared.place);
        let mut check = DriftCheck::open(&prepared.out, &inputs).map(|c| c.layout(layout));
        let mut drifts = Vec::new();
        let mut each = |batch: &[PlannedFile]| {
            also(batch);
            if let Ok(c) = &mut check {
                match c.add(batch) {
                    Ok(d) => drifts.extend(d),
                    Err(e) => check = Err(e),
                }
            }
        };
        let checked = if lint {
            self.check_each(&prepared.loaded, &prepared.place, &display(&prepared.out), &mut each)
        } else {
            self.render_unlinted(&prepared.loaded, &prepared.place, &mut each)
        };
        let drifts = check.and_then(DriftCheck::finish).map(|stale| {
            drifts.extend(stale);
            drifts
        });
        (checked, drifts)
    }

    /// Loads, checks and renders the spec at `path` for `gen lint`, and compares the plan
    /// with its output directory when that exists. The files it renders go into `covered`
    /// when given (other inputs of the run may name them).
    fn lint_spec(&self, path: &Path, out: Option<&Path>, mut covered: Option<&mut HashSet<PathBuf>>) -> Findings {
        let name = display(path);
        let prepared = match self.prepare(path, out) {
            Ok(p) if !p.renamed.diagnostics.is_empty() => return p.renamed,
            Ok(p) => p,
            Err(Unprepared::Invalid(f)) => return f,
            Err(Unprepared::Unreadable(reason)) => return unreadable(&name, &reason),
        };
        let out = &prepared.out;
        let out_name = display(out);
        let mut yours = Yours::read(out, &prepared.place, false);
        let mut note = |batch: &[PlannedFile]| {
            if let Some(covered) = covered.as_deref_mut() {
                covered.extend(
                    batch.iter().map(|f| output::normalize(&yours.root.join(yours.layout.disk(&f.path).as_ref()))),
                );
            }
            yours.note(batch);
        };
        // The output directory, when there is one, compared batch by batch as the spec renders.
        let (checked, drifts) = if out.is_dir() {
            let (checked, drifts) = self.compare(&prepared, &mut note);
            (checked, Some(drifts))
        } else {
            (self.check_each(&prepared.loaded, &prepared.place, &out_name, &mut note), None)
        };
        let mut findings = checked.findings;
        if !checked.rendered {
            return findings;
        }
        findings.extend(yours.findings(&prepared.loaded, &self.catalog, &out_name));
        let drifts = match drifts {
            None => Vec::new(),
            Some(Ok(drifts)) => drifts,
            // One finding, not one per file of the other spec's render.
            Some(Err(OutputError::OtherSpec { out, other, spec, gone })) => {
                let at = format!("{out_name}/{}", render::MANIFEST_NAME);
                let (message, help) = if gone {
                    (
                        format!(
                            "{out} holds the render of {other}, which no longer exists: its files are not compared"
                        ),
                        format!(
                            "if you moved or renamed it to {spec}, take the folder over: gen render {spec} --take-over"
                        ),
                    )
                } else {
                    (
                        format!("{out} holds the render of {other}, not of {spec}: its files are not compared"),
                        format!(
                            "render {spec} into another folder (--out DIR), or take this one over: gen render {spec} --take-over"
                        ),
                    )
                };
                findings.diagnostics.push(Diagnostic::new(&DRIFTED_OUTPUT, &at, None, message).help(help));
                return findings;
            }
            Some(Err(e)) => {
                findings.diagnostics.push(unreadable_diag(&out_name, &e.to_string()));
                return findings;
            }
        };
        for d in drifts {
            let (diag, source) = d.finding(&out_name, &name);
            if let Some(source) = source {
                findings.sources.add(source);
            }
            findings.diagnostics.push(diag);
        }
        findings
    }

    /// Checks a blueprint folder: it loads, and its example spec renders through it cleanly.
    fn lint_blueprint(&self, dir: &Path) -> Findings {
        let shown = display(dir);
        let catalog = match Catalog::load(&[dir], &lint::family_names(), self.platforms) {
            Ok(c) => c,
            Err(CatalogError::Invalid(f)) => return f,
        };
        let Some(bp) = catalog.all().find(|b| !b.is_built_in() && b.origin == dir.display().to_string()) else {
            return Findings::default();
        };
        let example_of = match bp.kind {
            Kind::Service => Some(bp.name.clone()),
            Kind::Base => {
                catalog.all().find(|b| b.kind == Kind::Service && b.example.is_some()).map(|b| b.name.clone())
            }
        };
        let Some(example_of) = example_of else { return Findings::default() };
        let text = match render::example_spec(&catalog, &example_of, "example", crate::platform::reference().name()) {
            Ok(t) => t,
            Err(message) => {
                let d = Diagnostic::new(&render::TEMPLATE_ERROR, &shown, None, message);
                return Findings::new([], vec![d]);
            }
        };
        let name = format!("{shown}/<example spec>");
        let loaded = match spec::load_with(&name, text.as_bytes(), self.platforms) {
            Ok(l) => l,
            Err(SpecError::Invalid(f)) => return f,
            Err(SpecError::Read { source, .. }) => return unreadable(&name, &source.to_string()),
        };
        let session = Session { catalog: Arc::new(catalog), platforms: self.platforms, settling: self.settling };
        session.check(&loaded, &Place::named("spec.yaml"), &format!("{shown}/<example>")).findings
    }

    /// Lints specs, blueprint folders, and hand-written files or folders of them. Files the
    /// specs of this run render are checked through their spec, not a second time from disk;
    /// a file or folder reached twice (named and walked, named by a kustomization) once.
    pub fn lint(&self, paths: &[PathBuf], out: Option<&Path>) -> Findings {
        let mut classified = Classified::default();
        for path in paths {
            let before = (classified.inputs.len(), classified.findings.diagnostics.len());
            classify(path, &mut classified);
            if before == (classified.inputs.len(), classified.findings.diagnostics.len()) {
                let name = display(path);
                let msg = format!("{name} holds no file gen checks (a spec, a blueprint, a Dockerfile...)");
                let d = Diagnostic::new(&NOTHING_TO_CHECK, &name, None, msg)
                    .help("point gen lint at the spec, the output folder, or the files to check");
                classified.findings.diagnostics.push(d);
            }
        }
        resolve_kustomizations(&mut classified);
        follow_modules(&mut classified);
        let Classified { inputs, mut findings, .. } = classified;
        let mut seen = HashSet::new();
        let inputs: Vec<Input> = inputs
            .into_iter()
            .filter(|i| {
                let key = match i {
                    Input::Spec(p) => ("spec", p),
                    Input::Blueprint(p) => ("blueprint", p),
                    Input::Artifact(_, p, _) => ("file", p),
                    Input::Folder(_, p) | Input::Walked(_, p) => ("folder", p),
                };
                seen.insert((key.0, output::normalize(key.1)))
            })
            .collect();
        let inputs_had_folder = inputs.iter().any(|i| matches!(i, Input::Folder(..) | Input::Walked(..)));
        let mut covered = HashSet::new();
        // Only files given besides a spec can be covered by it.
        let others = inputs.iter().any(|i| matches!(i, Input::Artifact(..) | Input::Folder(..) | Input::Walked(..)));
        for input in &inputs {
            match input {
                Input::Spec(path) => {
                    findings.extend(self.lint_spec(path, out, others.then_some(&mut covered)));
                }
                Input::Blueprint(dir) => findings.extend(self.lint_blueprint(dir)),
                Input::Artifact(..) | Input::Folder(..) | Input::Walked(..) => {}
            }
        }
        let mut batches: Vec<(&'static dyn lint::Family, Vec<Artifact>)> = Vec::new();
        let mut add = |family: &'static dyn lint::Family, artifact: Artifact| match batches
            .iter_mut()
            .find(|(f, _)| f.name() == family.name())
        {
            Some((_, files)) => files.push(artifact),
            None => batches.push((family, vec![artifact])),
        };
        for input in inputs {
            let walked = matches!(input, Input::Walked(..));
            match input {
                Input::Artifact(family, path, source) => {
                    if !covered.contains(&output::normalize(&path)) {
                        add(family, Artifact::hand_written(source));
                    }
                }
                Input::Folder(family, dir) | Input::Walked(family, dir) => {
                    let root = output::normalize(&dir);
                    if covered.iter().any(|p| p.starts_with(&root)) {
                        continue;
                    }
                    let shown = display(&dir);
                    match family.expand_folder(&dir, &shown) {
                        Ok(files) => files.into_iter().for_each(|a| add(family, a)),
                        // Found in a walk, a folder that does not expand (a chart whose
                        // dependencies are not fetched) is ordinary: the walk goes on.
                        Err(reason) if walked => {
                            findings.diagnostics.push(Diagnostic::new(&CHART_NOT_RENDERED, &shown, None, reason).help(
                                "its templates were not checked: install Helm, or fix what stops it, and lint again",
                            ))
                        }
                        Err(reason) => findings.diagnostics.push(
                            Diagnostic::new(&UNREADABLE_INPUT, &shown, None, reason)
                                .help(format!("fix the {} folder, or lint the files it renders", family.name())),
                        ),
                    }
                }
                Input::Spec(_) | Input::Blueprint(_) => {}
            }
        }
        // The run's artifacts as one deployment (when it is one: a folder, a chart or a
        // kustomization, not files named one by one, as a pre-commit hook names them): what
        // each references, created by another.
        let deployment = paths.iter().any(|p| {
            p.is_dir()
                || lint::kubernetes::kustomize::is_kustomization(&p.file_name().unwrap_or_default().to_string_lossy())
        }) || inputs_had_folder;
        let closed = if !deployment {
            Findings::default()
        } else {
            super::closure::check(
                paths,
                batches
                    .iter()
                    .filter(|(family, _)| super::closure::reads(*family))
                    .flat_map(|(family, files)| files.iter().map(move |a| (family.name(), a))),
            )
        };
        for (family, files) in batches {
            findings.extend(lint::lint_files(family, &mut files.into_iter()));
        }
        findings.extend(closed);
        findings
    }
}

/// The user's files among a spec's output: kept with `--keep-edits` (no longer rendered over),
/// and scaffold files (the service's code and locks, written once), still deployed with the
/// spec. Each is linted as it is on disk, as the spec's file it stands for, by `gen lint` and
/// by `gen render` (which writes gen's files beside them): a kept Dockerfile that still says
/// `EXPOSE 8080` after the spec's port moved to 9000 is reported at its line, as its rendered
/// version would be.
pub struct Yours {
    root: PathBuf,
    layout: output::Layout,
    /// The files the output's manifest records as released to the user, and with
    /// `--keep-edits` those it records as gen's that were edited by hand (released by it).
    released: HashSet<String>,
    /// Each file of the user's that differs from gen's, and whether it is a scaffold file.
    kept: Vec<(PlannedFile, bool)>,
}

impl Yours {
    /// The user's files of the output folder `out` (none when it has no manifest); with
    /// `keep_edits`, those a render with `--keep-edits` is about to release too.
    pub fn read(out: &Path, place: &Place, keep_edits: bool) -> Yours {
        let manifest = output::Manifest::read(out).ok().flatten();
        let in_output = manifest.as_ref().is_some_and(|m| m.github_in_output);
        let root = output::normalize(out);
        let layout = output::Layout::of(place).in_output(in_output);
        let edited = |e: &output::Entry| {
            keep_edits
                && e.owner == output::Owner::Managed
                && std::fs::read(root.join(layout.disk(&e.path).as_ref()))
                    .is_ok_and(|bytes| output::sha256(&bytes) != e.sha256)
        };
        let released = manifest
            .iter()
            .flat_map(|m| &m.files)
            .filter(|e| e.owner == output::Owner::Released || edited(e))
            .map(|e| e.path.clone())
            .collect();
        Yours { root, layout, released, kept: Vec::new() }
    }

    /// Notes the user's files that stand for a batch of the spec's.
    pub fn note(&mut self, batch: &[PlannedFile]) {
        for file in batch {
            let disk = self.layout.disk(&file.path);
            let scaffold = file.ownership == crate::blueprint::Ownership::Scaffold;
            if !scaffold && !self.released.contains(disk.as_ref()) {
                continue;
            }
            // A scaffold file as gen wrote it was linted with the render.
            if let Ok(bytes) = std::fs::read(self.root.join(disk.as_ref()))
                && bytes != file.bytes
            {
                self.kept.push((PlannedFile { bytes, ..file.clone() }, scaffold));
            }
        }
    }

    /// The findings of the user's files noted, linted with the spec and service they stand for,
    /// and each kept scaffold lock of an image checked for the packages the image runs.
    pub fn findings(&self, loaded: &crate::spec::Loaded, catalog: &crate::blueprint::Catalog, out: &str) -> Findings {
        let mut found = kept_against_spec(&self.kept, loaded, out);
        found.extend(super::own_code::kept_locks(
            self.kept.iter().filter(|(_, scaffold)| *scaffold).map(|(f, _)| f),
            loaded,
            catalog,
            out,
        ));
        found
    }
}

fn kept_against_spec(kept: &[(PlannedFile, bool)], loaded: &crate::spec::Loaded, out: &str) -> Findings {
    if kept.is_empty() {
        return Findings::default();
    }
    let files: Vec<PlannedFile> = kept.iter().map(|(f, _)| f.clone()).collect();
    let mut found = lint::lint_batch(&files, loaded, out, None);
    for d in &mut found.diagnostics {
        let scaffold = kept.iter().any(|(f, scaffold)| *scaffold && d.file == format!("{out}/{}", f.path));
        let note = if scaffold {
            "this file is yours (gen wrote it once; the spec's blueprint builds and deploys it as it is)"
        } else {
            "this file is yours since `gen render --keep-edits`: gen no longer rewrites it, so it follows the spec \
             only as you edit it (delete it to have gen's version back)"
        };
        d.help = Some(match d.help.take() {
            Some(help) => format!("{help}; {note}"),
            None => note.to_string(),
        });
    }
    found
}
