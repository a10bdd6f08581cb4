//! The pipeline as library functions that `render`, `lint` and `init` share: load a spec,
//! check it, render it, lint the plan, and (for `lint`) compare it with the output directory;
//! or lint hand-written files by the family that recognises them.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::blueprint::{Catalog, CatalogError, Kind};
use crate::declare_rule;
use crate::diag::{Diagnostic, Findings, Source, Span};
use crate::input::Boundary;
use crate::lint::{self, Artifact, Recognition};
use crate::output::{self, DRIFTED_OUTPUT, Drift, DriftCheck, DriftKind, OutputError};
use crate::registry;
use crate::render::{self, Place, PlannedFile, RenderError};
use crate::spec::{self, Loaded, SpecError};

declare_rule! {
    /// ## What it does
    /// Reports an input `gen lint` was asked to check but could not read: a missing file, a
    /// folder it may not enter, a file too large to be what it claims, a file that is not
    /// UTF-8 text (at its first bad byte), a symbolic link that leads out of the repository
    /// being checked.
    ///
    /// ## Why it matters
    /// A check that silently skips what it cannot read reports "no findings" for files it
    /// never saw; a CI job would pass on nothing. A link out of the repository is not
    /// followed: a pull request could otherwise have gen read, and quote, the runner's
    /// environment or credentials.
    ///
    /// ## How to fix
    /// Fix the path or the permissions, save the file as UTF-8, or name the file a link leads
    /// to; the message names the file and the reason.
    pub static UNREADABLE_INPUT = ("GEN001", "unreadable-input", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a folder given to `gen lint` that holds no file gen checks: no spec, no
    /// blueprint, no file of an artifact family (a Dockerfile...).
    ///
    /// ## Why it matters
    /// "No findings" for a folder gen found nothing in would let a CI job pass on a wrong
    /// path.
    ///
    /// ## How to fix
    /// Point `gen lint` at the spec, the output folder or the files to check.
    pub static NOTHING_TO_CHECK = ("GEN004", "nothing-to-check", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Says that a file `gen lint` was named is not one it checks: a Terraform lock file, a
    /// file in Terraform's JSON syntax, a GitHub Action's `action.yml`, a YAML file that is
    /// neither a gen spec (`apiVersion: gen/v1`), a Kubernetes manifest or kustomization, nor
    /// a workflow, a template for another tool, any other file. A note, not a problem: `gen
    /// lint` exits 0 for it.
    ///
    /// ## Why it matters
    /// A tool that runs `gen lint` on every changed file (a pre-commit hook, an editor) gives
    /// it files of every kind; reading one as a spec and failing would stop the commit for
    /// nothing, and passing over it silently would hide that it was never checked.
    ///
    /// ## How to fix
    /// Nothing to fix. To check a chart's files, name the chart's folder (or any of its
    /// templates or `values.yaml`); a spec says `apiVersion: gen/v1` on its first lines.
    pub static NOT_CHECKED = ("GEN005", "file-not-checked", Info, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a Helm chart found in a folder `gen lint` walked that could not be rendered
    /// (Helm is not installed, the chart's dependencies are not in its `charts/` folder, a
    /// template needs a value the defaults do not give), so its templates were not checked.
    /// A chart named directly that cannot be rendered is an input gen could not read
    /// (`GEN001`, exit code 2).
    ///
    /// ## Why it matters
    /// Such charts are ordinary in a repository (dependencies are fetched at deploy time,
    /// values given per environment); failing the whole walk for one would stop every other
    /// check, and passing over it silently would claim a check that never ran.
    ///
    /// ## How to fix
    /// Install Helm (or set `GEN_HELM`), run `helm dependency build`, or give the chart
    /// defaults that render; the message quotes Helm's reason.
    pub static CHART_NOT_RENDERED = ("GEN006", "chart-not-rendered", Warning, unignorable);
}

/// Rules beyond the spec's load rules whose findings mean an input could not be read or
/// loaded at all.
static FAILURE_RULES: [&crate::diag::Rule; 3] =
    [&crate::blueprint::INVALID_BLUEPRINT, &UNREADABLE_INPUT, &NOTHING_TO_CHECK];

/// Whether a finding of `rule` means an input could not be read or loaded (exit code 2),
/// rather than a problem found in something that loaded.
pub fn is_failure(rule: &crate::diag::Rule) -> bool {
    spec::LOAD_RULES.iter().chain(&FAILURE_RULES).any(|r| std::ptr::eq(*r, rule))
}

/// Largest hand-written artifact read, in bytes.
pub const MAX_ARTIFACT_BYTES: u64 = 16 * 1024 * 1024;

/// Folders a walk never enters: version control and tool caches, never the user's sources.
const SKIPPED_DIRS: [&str; 8] = [".git", ".hg", ".svn", "node_modules", ".terraform", ".venv", "__pycache__", ".tox"];

/// What the pipeline needs for a run: the blueprint catalog.
pub struct Session {
    pub catalog: Catalog,
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

/// How a path is shown: as given, without a leading `./`.
pub fn display(path: &Path) -> String {
    let shown = path.display().to_string();
    let mut s = shown.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() { ".".to_string() } else { s.to_string() }
}

/// The default output directory: `out` beside the spec.
pub fn default_out(spec: &Path) -> PathBuf {
    spec.parent().unwrap_or(Path::new("")).join("out")
}

/// The spec's file name, as the generated-file markers quote it.
pub fn spec_name(spec: &Path) -> String {
    spec.file_name().map_or_else(|| "spec".to_string(), |n| n.to_string_lossy().into_owned())
}

/// Where the spec at `spec` and the output directory `out` sit in their repository: the
/// repository is the nearest folder above the spec that holds `.git`, or the spec's own folder
/// when there is none. An output directory outside it is taken as a repository root of its own
/// (what its workflows then name is relative to it). Paths are compared as the file system
/// resolves them, so a spec reached through a symbolic link is placed as its real path is.
pub fn place(spec: &Path, out: &Path) -> Place {
    let name = spec_name(spec);
    let shown = display(spec);
    let spec_abs = resolved(spec);
    let dir = spec_abs.parent().map(Path::to_path_buf).unwrap_or_default();
    let repository = dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf);
    let root = repository.clone().unwrap_or_else(|| dir.clone());
    let slashed = |p: &Path| p.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
    match resolved(out).strip_prefix(&root) {
        Ok(rel) => {
            let spec = spec_abs.strip_prefix(&root).map_or_else(|_| name.clone(), slashed);
            let out = if rel.as_os_str().is_empty() { ".".to_string() } else { slashed(rel) };
            let assumed = repository.is_none().then(|| {
                format!(
                    "no git repository above {}: paths in the workflows are from its folder, as if it were the repository's root",
                    shown
                )
            });
            Place { spec_name: name, spec, out, assumed }
        }
        Err(_) => Place {
            assumed: Some(format!(
                "the output folder is outside {}: paths in its workflows are from the output folder, as if it were the repository's root",
                display(&root)
            )),
            ..Place::named(&name)
        },
    }
}

/// `path` made absolute with its symbolic links resolved: the longest part that exists is
/// canonicalized, the rest (an output folder not made yet) appended as written.
fn resolved(path: &Path) -> PathBuf {
    let abs = output::normalize(path);
    let mut rest = Vec::new();
    let mut existing = abs.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => return abs,
        }
    }
}

impl Session {
    /// The built-in blueprints and those of `dirs`.
    pub fn new(dirs: &[PathBuf]) -> Result<Session, CatalogError> {
        Ok(Session { catalog: Catalog::load(dirs, &lint::family_names())? })
    }

    /// Checks a loaded spec: semantic rules, then (when they pass) the render and the lint of
    /// its plan, with the spec's ignores applied to every finding. `out` is how findings name
    /// the output directory.
    pub fn check(&self, loaded: &Loaded, place: &Place, out: &str) -> Checked {
        self.check_each(loaded, place, out, &mut |_| {})
    }

    /// [`Session::check`], handing each batch of rendered files to `sink` once it is linted:
    /// a spec of thousands of services is rendered, checked and written (or compared) one
    /// service at a time, and never held whole. Rendering runs beside linting, on a thread of
    /// its own.
    pub fn check_each(&self, loaded: &Loaded, place: &Place, out: &str, sink: &mut Sink<'_>) -> Checked {
        let mut ignores = lint::ignore::SpecIgnores::new(loaded, &registry::LOOKUP);
        let mut findings = Findings::new([loaded.source().clone()], ignores.silence(spec::check(loaded)));
        let mut rendered = false;
        if !findings.has_errors() {
            let mut notes = lint::Notes::default();
            // Rendered on one thread and linted on this one, a batch (a service) at a time;
            // the channel holds a few batches, so memory stays that of a few services.
            let (send, batches) = std::sync::mpsc::sync_channel::<Vec<PlannedFile>>(4);
            let catalog = &self.catalog;
            let result = std::thread::scope(|scope| {
                let renderer = scope.spawn(move || {
                    render::render_each(loaded, catalog, place, &mut |batch| {
                        // A closed channel means the linting side stopped; rendering on is moot.
                        let _ = send.send(batch);
                    })
                });
                for batch in batches {
                    let mut linted = lint::lint_batch(&batch, loaded, out);
                    linted.diagnostics = ignores.silence(linted.diagnostics);
                    notes.filter(&mut linted);
                    findings.sources.merge(linted.sources);
                    findings.diagnostics.extend(linted.diagnostics);
                    sink(&batch);
                }
                renderer.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            });
            match result {
                Ok(()) => rendered = true,
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

    /// Reads and loads the spec at `path`; `out` overrides the output directory.
    pub fn prepare(&self, path: &Path, out: Option<&Path>) -> Result<Prepared, Unprepared> {
        let name = display(path);
        let unreadable = |e: SpecError| match e {
            SpecError::Read { source, .. } => Unprepared::Unreadable(source.to_string()),
            SpecError::Invalid(f) => Unprepared::Invalid(f),
        };
        let bytes = spec::read_bytes(path, &name).map_err(unreadable)?;
        let loaded = spec::load(&name, &bytes).map_err(unreadable)?;
        let out = out.map_or_else(|| default_out(path), Path::to_path_buf);
        let place = place(path, &out);
        Ok(Prepared { spec: path.to_path_buf(), bytes, loaded, out, place })
    }

    /// [`Session::check_each`] with each batch compared with the output directory as it is
    /// rendered (and handed to `also`): the findings, and the managed files that differ, are
    /// missing or are left over, or why the folder could not be read. The drifts mean little
    /// when the spec did not render whole.
    pub fn compare(&self, prepared: &Prepared, also: &mut Sink<'_>) -> (Checked, Result<Vec<Drift>, OutputError>) {
        let inputs = output::Inputs::new(&prepared.spec, &display(&prepared.spec));
        let mut check = DriftCheck::open(&prepared.out, &inputs);
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
        let checked = self.check_each(&prepared.loaded, &prepared.place, &display(&prepared.out), &mut each);
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
            Ok(p) => p,
            Err(Unprepared::Invalid(f)) => return f,
            Err(Unprepared::Unreadable(reason)) => return unreadable(&name, &reason),
        };
        let out = &prepared.out;
        let out_name = display(out);
        let root = output::normalize(out);
        let mut note = |batch: &[PlannedFile]| {
            if let Some(covered) = covered.as_deref_mut() {
                covered.extend(batch.iter().map(|f| root.join(&f.path)));
            }
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
            let what = match d.kind {
                DriftKind::Missing => "is missing: the spec renders it",
                DriftKind::Changed => "differs from what the spec renders",
                DriftKind::Stale => "is left over: the spec no longer renders it",
                DriftKind::Interrupted => {
                    let message = format!(
                        "the last render into {out_name} stopped part way: its manifest does not record what is on disk"
                    );
                    let at = format!("{out_name}/{}", d.path);
                    let diag = Diagnostic::new(&DRIFTED_OUTPUT, &at, None, message)
                        .help(format!("run `gen render {name}` to finish it"));
                    findings.diagnostics.push(diag);
                    continue;
                }
            };
            let help = format!("run `gen render {name}`; `--check` shows the diff");
            let mut diag = Diagnostic::new(
                &DRIFTED_OUTPUT,
                &format!("{out_name}/{}", d.path),
                None,
                format!("managed file {what}"),
            )
            .help(help);
            diag.subject.artifact = Some(d.path.clone());
            findings.diagnostics.push(diag);
        }
        findings
    }

    /// Checks a blueprint folder: it loads, and its example spec renders through it cleanly.
    fn lint_blueprint(&self, dir: &Path) -> Findings {
        let shown = display(dir);
        let catalog = match Catalog::load(&[dir], &lint::family_names()) {
            Ok(c) => c,
            Err(CatalogError::Invalid(f)) => return f,
        };
        let Some(bp) = catalog.all().find(|b| b.origin == dir.display().to_string()) else {
            return Findings::default();
        };
        let example_of = match bp.kind {
            Kind::Service => Some(bp.name.clone()),
            Kind::Base => {
                catalog.all().find(|b| b.kind == Kind::Service && b.example.is_some()).map(|b| b.name.clone())
            }
        };
        let Some(example_of) = example_of else { return Findings::default() };
        let text = match render::example_spec(&catalog, &example_of, "example", "azure") {
            Ok(t) => t,
            Err(message) => {
                let d = Diagnostic::new(&render::TEMPLATE_ERROR, &shown, None, message);
                return Findings::new([], vec![d]);
            }
        };
        let name = format!("{shown}/<example spec>");
        let loaded = match spec::load(&name, text.as_bytes()) {
            Ok(l) => l,
            Err(SpecError::Invalid(f)) => return f,
            Err(SpecError::Read { source, .. }) => return unreadable(&name, &source.to_string()),
        };
        let session = Session { catalog };
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
        for (family, files) in batches {
            findings.extend(lint::lint_files(family, &mut files.into_iter()));
        }
        findings
    }
}

/// An input of `gen lint`, classified.
enum Input {
    Spec(PathBuf),
    Blueprint(PathBuf),
    Artifact(&'static dyn lint::Family, PathBuf, std::sync::Arc<Source>),
    /// A folder a family reads as one input (a Helm chart), named (or a file of it named).
    Folder(&'static dyn lint::Family, PathBuf),
    /// Such a folder found in a walk.
    Walked(&'static dyn lint::Family, PathBuf),
}

fn unreadable_diag(name: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(&UNREADABLE_INPUT, name, None, format!("cannot read {name}: {reason}"))
        .help("check the path and its permissions")
}

fn open_diag(name: &str, e: &crate::input::OpenError) -> Diagnostic {
    Diagnostic::new(&UNREADABLE_INPUT, name, None, format!("cannot read {name}: {e}")).help(e.help())
}

fn unreadable(name: &str, reason: &str) -> Findings {
    Findings::new([], vec![unreadable_diag(name, reason)])
}

/// Why a file gen was given is not text it can check.
enum Unreadable {
    /// It could not be opened or read.
    Open(crate::input::OpenError),
    /// It could not be read (the reason).
    Read(String),
    /// It is larger than [`MAX_ARTIFACT_BYTES`]: the reason, and its start as text (to tell
    /// what it was meant to be).
    TooLarge(String, String),
    /// Its bytes are not UTF-8 text: a finding at the first byte that is not.
    Undecodable(Box<Diagnostic>, Arc<Source>),
}

impl Unreadable {
    /// The finding, with the source it quotes.
    fn report(self, name: &str, findings: &mut Findings) {
        match self {
            Unreadable::Open(e) => findings.diagnostics.push(open_diag(name, &e)),
            Unreadable::Read(reason) | Unreadable::TooLarge(reason, _) => {
                findings.diagnostics.push(unreadable_diag(name, &reason))
            }
            Unreadable::Undecodable(d, source) => {
                findings.sources.add(source);
                findings.diagnostics.push(*d);
            }
        }
    }
}

/// The text of a file inside `within`, at most [`MAX_ARTIFACT_BYTES`]; `name` is how findings
/// name it.
fn read_text(path: &Path, within: &Boundary, name: &str) -> Result<String, Unreadable> {
    let file = within.open(path).map_err(Unreadable::Open)?;
    let mut bytes = Vec::new();
    file.take(MAX_ARTIFACT_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Unreadable::Read(e.to_string()))?;
    if bytes.len() as u64 > MAX_ARTIFACT_BYTES {
        let head = String::from_utf8_lossy(&bytes[..64 * 1024]).into_owned();
        return Err(Unreadable::TooLarge(format!("it is larger than {MAX_ARTIFACT_BYTES} bytes"), head));
    }
    decode(bytes, name)
}

/// A file's bytes as text, or a finding at the first byte that keeps them from being UTF-8
/// text: a file in another encoding (a UTF-16 export) or not text at all (a binary) is never
/// read as an empty file that passes. (Characters a format forbids, a NUL in YAML, are the
/// format's to report.)
fn decode(bytes: Vec<u8>, name: &str) -> Result<String, Unreadable> {
    let (text, at, reason) = match crate::yaml::utf16_or_32(&bytes) {
        Some(encoding) => (String::from_utf8_lossy(&bytes).into_owned(), 0, format!("it is {encoding}, not UTF-8")),
        None => match String::from_utf8(bytes) {
            Ok(text) => return Ok(text),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let bytes = e.into_bytes();
                let reason = format!("it is not UTF-8 text: invalid byte 0x{:02x}", bytes[at]);
                (String::from_utf8_lossy(&bytes).into_owned(), at, reason)
            }
        },
    };
    // Up to `at` the text is as read, so the place is the byte's own.
    let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
    let d = Diagnostic::new(&UNREADABLE_INPUT, name, Some(Span::new(at, end)), format!("cannot read {name}: {reason}"))
        .help("save it as UTF-8 text: gen checks text files only");
    Err(Unreadable::Undecodable(Box::new(d), Source::new(name, text)))
}

/// The path families recognise a file by: absolute (so that `gen lint .` run inside
/// `.github/workflows/` still names that folder), with `/` between folders.
fn recognition_path(path: &Path) -> String {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()).to_string_lossy().replace('\\', "/")
}

/// What classifying the paths of a run gives: the inputs, the findings of what could not be
/// read, and the files that name others (kustomizations, Terraform files that call local
/// modules) with the boundary they were read within, whose files are resolved once every
/// path is classified.
#[derive(Default)]
struct Classified {
    inputs: Vec<Input>,
    findings: Findings,
    kustomizations: Vec<(PathBuf, Boundary)>,
    /// Local module folders Terraform files call, with the boundary the caller was read in.
    modules: Vec<(PathBuf, Boundary)>,
    /// The folders walked, normalized.
    walked: Vec<PathBuf>,
}

impl Classified {
    fn push_artifact(
        &mut self,
        family: &'static dyn lint::Family,
        path: &Path,
        source: Arc<Source>,
        within: &Boundary,
    ) {
        if family.name() == lint::Family::name(&lint::kubernetes::FAMILY)
            && lint::kubernetes::kustomize::is_kustomization(lint::file_name(source.name()))
        {
            self.kustomizations.push((path.to_path_buf(), within.clone()));
        }
        if family.name() == lint::Family::name(&lint::terraform::FAMILY) && source.text().contains("module") {
            let dir = path.parent().unwrap_or(Path::new(""));
            for module in lint::terraform::local_module_sources(source.text()) {
                self.modules.push((lexical(&dir.join(module)), within.clone()));
            }
        }
        self.inputs.push(Input::Artifact(family, path.to_path_buf(), source));
    }
}

/// Whether a file's text says it is a gen spec: a top-level `apiVersion: gen/...`. Such a
/// file is read as a spec, which reports whatever else is wrong with it.
fn says_gen_spec(text: &str) -> bool {
    text.trim_start_matches('\u{feff}')
        .lines()
        .filter_map(|l| l.strip_prefix("apiVersion:"))
        .map(|v| v.split(" #").next().unwrap_or_default().trim().trim_matches(['"', '\'']))
        .any(|v| v.starts_with("gen/"))
}

/// Whether a YAML file that says no `apiVersion` at all was still meant as a spec: it is named
/// `spec.yaml`, or has the spec's `kind: Project`, or its `platform:` and `services:`, or
/// nothing at all yet (comments alone: a spec being started). It is read as one, so that the
/// spec loader says what it lacks, rather than passed over.
fn meant_as_spec(file_name: &str, text: &str) -> bool {
    let keys: Vec<&str> = text
        .trim_start_matches('\u{feff}')
        .lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphanumeric()))
        .filter_map(|l| l.split_once(':').map(|(k, v)| (k.trim_end(), v)))
        .map(|(k, v)| if k == "kind" && v.trim().trim_matches(['"', '\'']) == "Project" { "kind: Project" } else { k })
        .collect();
    if keys.contains(&"apiVersion") {
        return false;
    }
    let empty = text.trim_start_matches('\u{feff}').lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..."
    });
    empty
        || matches!(file_name, "spec.yaml" | "spec.yml")
        || keys.contains(&"kind: Project")
        || (keys.contains(&"platform") && keys.contains(&"services"))
}

/// Whether a YAML file that cannot be read whole (too large, not UTF-8) is a spec, by what
/// can be read of it.
fn spec_by_start(file_name: &str, text: &str) -> bool {
    says_gen_spec(text) || meant_as_spec(file_name, text)
}

/// The Helm chart a named file belongs to: the nearest folder above it with a `Chart.yaml`,
/// when the file is one the chart renders from (its `Chart.yaml`, `values.yaml`,
/// `values.schema.json`, or a file under its `templates/`).
fn chart_of(path: &Path) -> Option<PathBuf> {
    let abs = output::normalize(path);
    let file_name = abs.file_name()?.to_string_lossy().into_owned();
    let dir = abs.parent()?;
    // Shown relative to the working folder when it is inside it, as a folder named would be.
    let shown = |chart: &Path| {
        let cwd = std::env::current_dir().ok().map(|d| output::normalize(&d));
        match cwd.as_deref().and_then(|cwd| chart.strip_prefix(cwd).ok()) {
            Some(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
            Some(rel) => rel.to_path_buf(),
            None => chart.to_path_buf(),
        }
    };
    let chart_file = matches!(file_name.as_str(), "Chart.yaml" | "values.yaml" | "values.schema.json");
    if chart_file && dir.join("Chart.yaml").is_file() {
        return Some(shown(dir));
    }
    let mut below_templates = false;
    for folder in dir.ancestors() {
        if below_templates && folder.join("Chart.yaml").is_file() {
            return Some(shown(folder));
        }
        below_templates |= folder.file_name().is_some_and(|n| n == "templates");
        if folder.join(".git").exists() {
            break;
        }
    }
    None
}

/// The note for a named file gen does not check, saying what gen took it for.
fn not_checked(name: &str, file_name: &str) -> Diagnostic {
    let lower = file_name.to_ascii_lowercase();
    let what = if lower == ".terraform.lock.hcl" {
        "it is Terraform's dependency lock file (`terraform init` writes it); gen checks `.tf` and `.tfvars` files"
    } else if lower.ends_with(".tf.json") || lower.ends_with(".tfvars.json") {
        "it is in Terraform's JSON syntax, which gen does not read; gen checks `.tf` and `.tfvars` files"
    } else if matches!(lower.as_str(), "action.yml" | "action.yaml") {
        "it is a GitHub Action's metadata; gen checks workflows (`.github/workflows/*.yml`)"
    } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
        "it is not a gen spec (`apiVersion: gen/v1`), a Kubernetes manifest (`apiVersion:` and `kind:`), a \
         kustomization or a GitHub workflow"
    } else {
        "gen checks specs, Dockerfiles, Kubernetes manifests, kustomizations and Helm charts, Terraform (`.tf`, \
         `.tfvars`) and GitHub workflows"
    };
    Diagnostic::new(&NOT_CHECKED, name, None, format!("{name} is not a file gen checks: {what}"))
        .help("nothing to do; name the files or folders gen should check")
}

/// Sorts a path into specs, blueprint folders and artifacts; what cannot be read becomes a
/// finding. A folder is walked for files a family or the spec recognises by name and content.
fn classify(path: &Path, out: &mut Classified) {
    let name = display(path);
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) => return out.findings.diagnostics.push(unreadable_diag(&name, &e.to_string())),
    };
    if !meta.is_dir() && !meta.is_file() {
        return out.findings.diagnostics.push(unreadable_diag(&name, "it is not a regular file or a folder"));
    }
    // What is read, and what a walk reads, stays inside the input's repository.
    let within = Boundary::of(path);
    if meta.is_dir() { classify_folder(path, &within, out) } else { classify_file(path, &within, out) }
}

/// A file named by the user (or by a kustomization being resolved): a spec when it says so,
/// else a file of the family that claims it, else a note that gen does not check it.
fn classify_file(path: &Path, within: &Boundary, out: &mut Classified) {
    let name = display(path);
    let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    if file_name == "blueprint.yaml" {
        out.inputs.push(Input::Blueprint(path.parent().unwrap_or(Path::new(".")).to_path_buf()));
        return;
    }
    if let Some(chart) = chart_of(path) {
        out.inputs.push(Input::Folder(&lint::kubernetes::FAMILY, chart));
        return;
    }
    let recognised_as = recognition_path(path);
    let yaml = file_name.ends_with(".yaml") || file_name.ends_with(".yml");
    // Only a family's file by name, or YAML (a spec, a manifest, a workflow), is read.
    if !yaml && lint::recognise(&recognised_as, "", Recognition::Maybe).is_none() {
        return out.findings.diagnostics.push(not_checked(&name, &file_name));
    }
    let text = match read_text(path, within, &name) {
        Ok(t) => t,
        // A spec reports its own encoding and size problems, in the spec's terms.
        Err(Unreadable::Undecodable(_, source)) if yaml && spec_by_start(&file_name, source.text()) => {
            out.inputs.push(Input::Spec(path.to_path_buf()));
            return;
        }
        Err(Unreadable::TooLarge(_, head)) if yaml && spec_by_start(&file_name, &head) => {
            out.inputs.push(Input::Spec(path.to_path_buf()));
            return;
        }
        Err(e) => return e.report(&name, &mut out.findings),
    };
    if yaml && says_gen_spec(&text) {
        out.inputs.push(Input::Spec(path.to_path_buf()));
    } else if let Some(family) = lint::recognise(&recognised_as, &text, Recognition::Maybe) {
        out.push_artifact(family, path, Source::new(name, text), within);
    } else if yaml && meant_as_spec(&file_name, &text) {
        out.inputs.push(Input::Spec(path.to_path_buf()));
    } else {
        out.findings.diagnostics.push(not_checked(&name, &file_name));
    }
}

/// A folder: a blueprint, a folder a family reads whole (a Helm chart), or a walk for the
/// files a family or the spec recognises by name and content.
fn classify_folder(path: &Path, within: &Boundary, out: &mut Classified) {
    let name = display(path);
    if let Err(e) = within.check(path) {
        return out.findings.diagnostics.push(open_diag(&name, &e));
    }
    if path.join("blueprint.yaml").is_file() {
        out.inputs.push(Input::Blueprint(path.to_path_buf()));
        return;
    }
    if let Some(family) = lint::claiming_folder(path) {
        out.inputs.push(Input::Folder(family, path.to_path_buf()));
        return;
    }
    // A folder's files come before its subfolders, so that the files of one folder (the set
    // rules that relate files read together) arrive together.
    let walker = walkdir::WalkDir::new(path)
        .sort_by(|a, b| (a.file_type().is_dir(), a.file_name()).cmp(&(b.file_type().is_dir(), b.file_name())));
    let walker = walker.into_iter().filter_entry(|e| {
        let n = e.file_name().to_string_lossy();
        e.depth() == 0 || !(e.file_type().is_dir() && SKIPPED_DIRS.contains(&n.as_ref()))
    });
    out.walked.push(output::normalize(path));
    let mut skip_under: Option<PathBuf> = None;
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let at = e.path().map_or_else(|| name.clone(), display);
                let reason = e.io_error().map_or_else(|| e.to_string(), |io| io.to_string());
                out.findings.diagnostics.push(unreadable_diag(&at, &reason));
                continue;
            }
        };
        if skip_under.as_ref().is_some_and(|d| entry.path().starts_with(d)) {
            continue;
        }
        if entry.file_type().is_dir() {
            if entry.depth() > 0 && entry.path().join("blueprint.yaml").is_file() {
                // A blueprint's templates are not artifacts; the blueprint is checked as one.
                out.inputs.push(Input::Blueprint(entry.path().to_path_buf()));
                skip_under = Some(entry.path().to_path_buf());
            } else if entry.depth() > 0
                && let Some(family) = lint::claiming_folder(entry.path())
            {
                out.inputs.push(Input::Walked(family, entry.path().to_path_buf()));
                skip_under = Some(entry.path().to_path_buf());
            }
            continue;
        }
        // A linked folder is not entered: its files are walked where they are, or are not
        // this folder's. A linked file is read under its name when it stays inside the
        // repository, and reported when it leads out (read_text); so is a FIFO or a device.
        if entry.path_is_symlink() && entry.path().is_dir() {
            continue;
        }
        let file_name = entry.file_name().to_string_lossy().into_owned();
        // Only files whose name a family (or the spec) could claim are read.
        let could_be_spec = file_name.ends_with(".yaml") || file_name.ends_with(".yml");
        let recognised_as = recognition_path(entry.path());
        if !could_be_spec && lint::recognise(&recognised_as, "", Recognition::Maybe).is_none() {
            continue;
        }
        let shown = display(entry.path());
        let text = match read_text(entry.path(), within, &shown) {
            Ok(t) => t,
            Err(e) => {
                e.report(&shown, &mut out.findings);
                continue;
            }
        };
        if could_be_spec && says_gen_spec(&text) {
            out.inputs.push(Input::Spec(entry.path().to_path_buf()));
        } else if let Some(family) = lint::recognise(&recognised_as, &text, Recognition::Yes) {
            out.push_artifact(family, entry.path(), Source::new(shown, text), within);
        }
    }
}

/// Resolves the files the kustomizations of a run name, where they are on disk: a resource
/// (file or folder) not already read is classified as if named (within the kustomization's
/// boundary), a patch is no longer read as a whole object, and an entry that names nothing is
/// `K8S060`. Kustomizations met on the way are resolved in turn, each once.
fn resolve_kustomizations(out: &mut Classified) {
    use lint::kubernetes::kustomize::{self, Role};
    let mut done: HashSet<PathBuf> = HashSet::new();
    let mut patches: HashSet<PathBuf> = HashSet::new();
    while let Some((path, within)) = out.kustomizations.pop() {
        let key = output::normalize(&path);
        if !done.insert(key.clone()) {
            continue;
        }
        let Some(source) = out.inputs.iter().find_map(|i| match i {
            Input::Artifact(_, p, source) if output::normalize(p) == key => Some(source.clone()),
            _ => None,
        }) else {
            continue;
        };
        // A kustomization that is not YAML is K8S001's to report.
        let Ok(entries) = kustomize::read(source.name(), source.text()) else { continue };
        let dir = path.parent().unwrap_or(Path::new("")).to_path_buf();
        for entry in entries {
            let target = lexical(&dir.join(&entry.path));
            if !target.exists() {
                out.findings.sources.add(source.clone());
                out.findings.diagnostics.push(kustomize::missing(source.name(), &entry));
                continue;
            }
            if within.check(&target).is_err() {
                let shown = display(&target);
                let d = Diagnostic::new(
                    &NOT_CHECKED,
                    &shown,
                    None,
                    format!("{shown}, named by {}, is outside the folder or repository gen checks", source.name()),
                )
                .help("lint it where it is");
                out.findings.diagnostics.push(d);
                continue;
            }
            let normalized = output::normalize(&target);
            match entry.role {
                Role::Patch => {
                    patches.insert(normalized);
                }
                Role::Resource if covered_by(out, &normalized) => {}
                Role::Resource if target.is_dir() => classify_folder(&target, &within, out),
                Role::Resource => classify_file(&target, &within, out),
            }
        }
    }
    out.inputs.retain(|i| !matches!(i, Input::Artifact(_, p, _) if patches.contains(&output::normalize(p))));
}

/// `path` with `.` dropped and each `..` taken back against the folder before it, as
/// kustomize joins its paths (Go's `filepath.Join`): `overlays/prod/../../base` is `base`.
fn lexical(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            Component::ParentDir if matches!(out.last(), Some(Component::RootDir | Component::Prefix(_))) => {}
            other => out.push(other),
        }
    }
    if out.is_empty() { PathBuf::from(".") } else { out.iter().collect() }
}

/// Adds the local module folders the run's Terraform files call and it does not read yet
/// (a root module named alone, or an environment's folder calling `../../modules/aks`), so
/// that each module is checked with its callers' arguments. A module outside the boundary
/// its caller was read in, or that is not there, is left to `terraform init` to report.
fn follow_modules(out: &mut Classified) {
    while let Some((dir, within)) = out.modules.pop() {
        let normalized = output::normalize(&dir);
        if dir.is_dir() && within.check(&dir).is_ok() && !covered_by(out, &normalized) {
            classify_folder(&dir, &within, out);
        }
    }
}

/// Whether the run already reads the file or folder at `path` (normalized): it is inside a
/// folder walked or read whole, or is a file among the inputs.
fn covered_by(out: &Classified, path: &Path) -> bool {
    out.walked.iter().any(|w| path.starts_with(w))
        || out.inputs.iter().any(|i| match i {
            Input::Folder(_, d) | Input::Walked(_, d) | Input::Blueprint(d) => path.starts_with(output::normalize(d)),
            Input::Artifact(_, p, _) | Input::Spec(p) => output::normalize(p) == path,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_is_a_spec_by_its_top_level_api_version_alone() {
        assert!(says_gen_spec("apiVersion: gen/v1\nkind: Projcet\n"));
        assert!(says_gen_spec("\u{feff}# spec\napiVersion: \"gen/v2\" # next\n"));
        assert!(!says_gen_spec("apiVersion: v1\nkind: ConfigMap\ndata:\n  apiVersion: gen/v1\n"));
        assert!(!says_gen_spec("kind: Project\n"));
    }

    #[test]
    fn yaml_without_an_api_version_is_meant_as_a_spec_only_by_name_kind_keys_or_emptiness() {
        assert!(meant_as_spec("spec.yaml", "metadata: {name: x}\n"));
        assert!(meant_as_spec("shop.yaml", "kind: Project\n"));
        assert!(meant_as_spec("shop.yaml", "platform: {}\nservices: []\n"));
        assert!(meant_as_spec("shop.yaml", "# to be written\n---\n"));
        assert!(!meant_as_spec("values.yaml", "replicas: 3\nservices: []\n"));
        assert!(!meant_as_spec("spec.yaml", "apiVersion: v1\nkind: Pod\n"), "says another apiVersion");
    }

    #[test]
    fn paths_join_as_kustomize_and_terraform_join_them() {
        assert_eq!(lexical(Path::new("overlays/prod/../../base")), PathBuf::from("base"));
        assert_eq!(lexical(Path::new("./a/./b/..")), PathBuf::from("a"));
        assert_eq!(lexical(Path::new("../x")), PathBuf::from("../x"));
        assert_eq!(lexical(Path::new("/a/../../b")), PathBuf::from("/b"));
        assert_eq!(lexical(Path::new("a/..")), PathBuf::from("."));
    }
}
