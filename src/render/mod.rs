//! Rendering: a spec and its blueprints to an in-memory plan of files. No I/O.

mod env;
pub mod filters;
mod marker;

use std::collections::HashMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::Serde;

pub use env::{DELIMITERS, environment};

use crate::blueprint::{Blueprint, Catalog, FileEntry, Ownership, Scope, resolve_params};
use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Findings, Rule, Source, Span};
use crate::route;
use crate::spec::Loaded;

/// The file in the output directory that records what gen owns.
pub const MANIFEST_NAME: &str = ".gen-manifest.json";

/// The manifest a render is about to write, written before it renames its files into place:
/// found by the next render, it says that this one stopped part way.
pub const JOURNAL_NAME: &str = ".gen-manifest.pending.json";

declare_rule! {
    /// ## What it does
    /// Reports a template that fails to render: a syntax error, an undefined variable, a
    /// string printed without a language filter, a filter given a value it cannot quote; or a
    /// template that does more than 5 million units of work (a step, or 64 bytes of data it
    /// makes: a loop without end, a string doubled without end), or renders more than 8 MiB for
    /// one file or 512 MiB for a whole render.
    ///
    /// ## Why it matters
    /// gen renders nothing rather than a half-written file, and a blueprint from `--blueprints`
    /// cannot hang gen or exhaust the machine's memory.
    ///
    /// ## Example
    /// ```text
    /// <@ service.name @>
    /// ```
    ///
    /// ## How to fix
    /// Fix the template at the reported line. Print every value through the filter of the
    /// output's language: `yaml`, `gha` (a GitHub workflow's values), `hcl`, `shell`, `json`,
    /// `gotmpl`, `text` or `segment`. Concatenate first and filter last: `~` between a
    /// filtered value and a plain string holds the plain one to the same check, so
    /// `("services/" ~ service.name) | shell` prints, where `"services/" ~ (service.name | shell)`
    /// is refused.
    pub static TEMPLATE_ERROR = ("TPL001", "template-error", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a rendered target path that could leave the output directory (absolute, `..`,
    /// empty segments, a backslash), that names gen's own manifest, or that lies inside a
    /// version-control folder (`.git`, `.hg`, `.svn`, `.bzr`, `_darcs`, `CVS`, `.pijul`, `.jj`,
    /// in any case).
    ///
    /// ## Why it matters
    /// No path built from a spec may write outside the output directory. A file written into
    /// `.git/hooks/` runs on the next commit: a blueprint from elsewhere could plant one.
    ///
    /// ## How to fix
    /// Build target paths from plain segments (`<@ service.name | segment @>/Dockerfile`).
    pub static UNSAFE_TARGET_PATH = ("TPL002", "unsafe-target-path", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports two blueprint files that render to the same path.
    ///
    /// ## Why it matters
    /// One would silently replace the other.
    ///
    /// ## How to fix
    /// Give each file its own target, with the service name in per-service paths.
    pub static DUPLICATE_TARGET = ("TPL003", "duplicate-target", Error, unignorable);
}

/// One file of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the output directory, `/`-separated, checked safe.
    pub path: String,
    pub bytes: Vec<u8>,
    pub ownership: Ownership,
    /// The index in `spec.services` of the service it belongs to; `None` for project files.
    pub service: Option<usize>,
    /// The artifact family the blueprint declares for it.
    pub kind: Option<String>,
}

/// Everything a render would write, sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the spec cannot be rendered: {0}")]
    Invalid(Findings),
}

/// Where a render's spec and output directory sit in their repository: the spec's name, which
/// the generated-file markers quote, and the paths that files run from the repository root use
/// (GitHub reads workflows only from the root's `.github/workflows/`, whatever `--out` is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The spec's file name.
    pub spec_name: String,
    /// The spec's path from the repository root, `/`-separated.
    pub spec: String,
    /// The output directory's path from the repository root, `/`-separated; `.` for the root.
    pub out: String,
    /// What was assumed where no repository was found, for `gen render` to tell.
    pub assumed: Option<String>,
}

impl Place {
    /// A spec at the root of its repository, rendered into the root.
    pub fn named(spec_name: &str) -> Place {
        Place { spec_name: spec_name.to_string(), spec: spec_name.to_string(), out: ".".to_string(), assumed: None }
    }

    /// The output directory as a prefix of paths from the repository root: `` or `out/`.
    pub fn prefix(&self) -> String {
        if self.out == "." { String::new() } else { format!("{}/", self.out) }
    }
}

/// Whether `path` is a plain relative path inside the output directory, outside any
/// version-control folder.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path.split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !is_vcs_folder(s))
}

/// Whether `path` names one of the files gen keeps for itself in the output directory.
pub fn is_reserved(path: &str) -> bool {
    path == MANIFEST_NAME || path == JOURNAL_NAME
}

/// Folders where version control keeps its data and the hooks it runs, lower-cased.
const VCS_FOLDERS: [&str; 10] =
    [".git", ".hg", ".svn", ".bzr", "_darcs", "cvs", ".pijul", ".jj", ".fslckout", "_fossil_"];

/// Whether a path segment names a version-control folder as some file system would resolve it:
/// in any case (macOS and Windows fold it), with the trailing dots and spaces and the `:stream`
/// suffix Windows drops, with the invisible code points macOS ignores, or as Windows' short
/// name `git~1` (the spellings git itself refuses in a tree).
pub fn is_vcs_folder(segment: &str) -> bool {
    let visible: String = segment.chars().filter(|c| !is_ignorable(*c)).collect::<String>().to_lowercase();
    let name = visible.split(':').next().unwrap_or_default().trim_end_matches(['.', ' ']);
    VCS_FOLDERS.contains(&name) || name == "git~1"
}

/// The code points HFS+ ignores in names (git's list): zero-width joiners and directional marks.
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}')
}

/// The name under which a file entry's target path is compiled as a template.
fn target_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].target)", bp.display_dir)
}

/// The name under which a file entry's `when` condition is compiled as a template.
fn when_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].when)", bp.display_dir)
}

/// Most fuel one file may burn: minijinja charges one per step and one per 64 bytes of data a
/// template makes, and refuses to make a value the fuel left cannot pay for (a flask
/// service's largest file burns a few thousand).
pub const FILE_FUEL: u64 = 5_000_000;
/// Most fuel a whole render may burn.
pub const RENDER_FUEL: u64 = 500_000_000;
/// Most bytes one rendered file may hold.
pub const FILE_BYTES: usize = 8 * 1024 * 1024;
/// Most bytes a whole render may hold.
pub const RENDER_BYTES: usize = 512 * 1024 * 1024;

/// An `io::Write` that refuses to grow past a limit, so a template cannot print without end.
struct Capped {
    buf: Vec<u8>,
    limit: usize,
    over: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + bytes.len() > self.limit {
            self.over = true;
            return Err(std::io::Error::other("over the size limit"));
        }
        self.buf.extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why a template stopped.
enum Stop {
    Error(minijinja::Error),
    /// Out of fuel: the file's ([`FILE_FUEL`]), or the whole render's ([`RENDER_FUEL`]) when
    /// `true`.
    Fuel(bool),
    /// Over a size limit: the file's ([`FILE_BYTES`]), or the whole render's
    /// ([`RENDER_BYTES`]) when `true`.
    Size(bool),
}

struct Renderer<'a> {
    env: minijinja::Environment<'static>,
    place: &'a Place,
    /// Template steps and bytes the rest of the render may use.
    fuel_left: u64,
    bytes_left: usize,
    /// Whether the whole render's budget ran out: it is reported once, and nothing more is
    /// rendered.
    exhausted: bool,
    /// The spec, where a finding about the whole render points.
    spec: Arc<Source>,
    sources: Vec<Arc<Source>>,
    errors: Diagnostics,
    /// Every path rendered so far, with the template that rendered it (two files to one path
    /// are an error, whichever batches they are in).
    /// (Each template's name is kept once, in `shown`.)
    seen: HashMap<Box<str>, u32>,
    /// Whether `seen` is kept: not when the same spec rendered cleanly a moment ago.
    track: bool,
    shown: Vec<String>,
    /// The files of the batch being rendered (the project's, or one service's).
    batch: Vec<PlannedFile>,
}

impl<'a> Renderer<'a> {
    /// Compiles a blueprint's templates and target paths once, for every service using it.
    fn add_templates(&mut self, bp: &Blueprint) {
        for (index, file) in bp.files.iter().enumerate() {
            let name = target_template(bp, index);
            if let Err(e) = self.env.add_template_owned(name.clone(), file.target.clone()) {
                self.template_error(&name, &file.target, &e);
            }
            if let Some(when) = &file.when {
                let name = when_template(bp, index);
                let text = format!("<% if {when} %>yes<% endif %>");
                if let Err(e) = self.env.add_template_owned(name.clone(), text.clone()) {
                    self.template_error(&name, &text, &e);
                }
            }
        }
        let partials = bp.partials().map(str::to_string).collect::<Vec<_>>();
        let rendered = bp.files.iter().filter(|f| f.template).map(|f| f.source.clone());
        for source in rendered.chain(partials) {
            let name = bp.display_path(&source);
            let text = String::from_utf8_lossy(bp.file(&source).unwrap_or_default()).into_owned();
            if let Err(e) = self.env.add_template_owned(name.clone(), text.clone()) {
                self.template_error(&name, &text, &e);
            }
        }
    }

    fn template_error(&mut self, name: &str, text: &str, e: &minijinja::Error) {
        let source = Source::new(name, text);
        let span = e.range().map(|r| Span::new(r.start, r.end)).or_else(|| {
            e.line().map(|l| {
                let at = source.offset(l, 0);
                Span::new(at, at + source.line_text(l).len())
            })
        });
        let detail = e.detail().map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
        // A template that fails for every service is reported once.
        if self.errors.iter().any(|d| d.file == name && d.span == span && d.message == detail) {
            return;
        }
        let help = "see `gen explain TPL001`";
        self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, name, span, detail).help(help));
        self.sources.push(source);
    }

    /// A finding at the `target` of the blueprint's file entry `index`.
    fn at_entry(&mut self, bp: &Blueprint, index: usize, rule: &'static Rule, msg: String) -> Diagnostic {
        self.sources.push(bp.manifest.source.clone());
        bp.manifest.at(rule, &route!["files", index, "target"], false, msg)
    }

    /// Renders a compiled template within what is left of the render's steps and bytes.
    fn run(&mut self, name: &str, ctx: &Value) -> Result<String, Stop> {
        let fuel = FILE_FUEL.min(self.fuel_left);
        let limit = FILE_BYTES.min(self.bytes_left);
        self.env.set_fuel(Some(fuel));
        let mut out = Capped { buf: Vec::new(), limit, over: false };
        let used = match self.env.get_template(name).and_then(|t| t.render_captured_to(ctx, &mut out)) {
            Ok(captured) => captured.state().fuel_levels().map_or(0, |(used, _)| used),
            Err(_) if out.over => return Err(Stop::Size(limit < FILE_BYTES)),
            Err(e) if e.kind() == minijinja::ErrorKind::OutOfFuel => return Err(Stop::Fuel(fuel < FILE_FUEL)),
            Err(e) => return Err(Stop::Error(e)),
        };
        self.fuel_left = self.fuel_left.saturating_sub(used);
        self.bytes_left = self.bytes_left.saturating_sub(out.buf.len());
        let mut text = String::from_utf8(out.buf)
            .map_err(|e| Stop::Error(minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, e.to_string())))?;
        // A plan of thousands of files keeps only what they hold.
        text.shrink_to_fit();
        Ok(text)
    }

    /// Reports why a template stopped. `own` says whether the template is the user's (from
    /// `--blueprints`) rather than gen's, which never loop or print without end on their own:
    /// there the spec's values are what is too large.
    fn stopped(&mut self, name: &str, text: &str, stop: Stop, own: bool) {
        let mib = |bytes: usize| bytes / (1024 * 1024);
        let (message, help) = match stop {
            Stop::Error(e) => return self.template_error(name, text, &e),
            Stop::Fuel(false) => (
                format!(
                    "`{name}` takes more than {FILE_FUEL} units of template work (a step, or 64 bytes of data), the \
                     most one file may take: a loop without end, loops nested too deep, or a string grown without end"
                ),
                "render less per file; gen stops a template that does that much work".to_string(),
            ),
            Stop::Size(false) => (
                format!("`{name}` would render more than {} MiB, the most one file may hold", mib(FILE_BYTES)),
                if own {
                    "check the template for a string repeated or joined without end, or make the spec's values it \
                     prints smaller"
                        .to_string()
                } else {
                    "the spec's values this file holds are too large together: make them smaller".to_string()
                },
            ),
            Stop::Fuel(true) | Stop::Size(true) => {
                // One finding for the whole render, at the spec, and nothing more is rendered.
                self.exhausted = true;
                let what = match stop {
                    Stop::Fuel(_) => format!("takes more than {RENDER_FUEL} units of template work"),
                    _ => format!("would hold more than {} MiB of files", mib(RENDER_BYTES)),
                };
                let message = format!(
                    "the whole render {what}, the most gen allows one render; it stopped at `{name}`, and rendered \
                     nothing more"
                );
                let mut help = "the spec's values are written into many files, for every service and environment: \
                                make the largest smaller, or split the services among several specs"
                    .to_string();
                if own {
                    help.push_str("; or check the blueprint's templates for a string repeated without end");
                }
                let spec = self.spec.clone();
                self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, spec.name(), None, message).help(help));
                self.sources.push(spec);
                return;
            }
        };
        // A template that stops for every service is reported once.
        if self.errors.iter().any(|d| d.file == name && d.span.is_none() && d.message == message) {
            return;
        }
        self.sources.push(Source::new(name, text));
        self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, name, None, message).help(help));
    }

    fn render_file(&mut self, bp: &Blueprint, index: usize, file: &FileEntry, ctx: &Value, service: Option<usize>) {
        if self.exhausted {
            return;
        }
        let own = !bp.is_built_in();
        if let Some(when) = &file.when {
            let name = when_template(bp, index);
            match self.run(&name, ctx) {
                Ok(yes) if yes.is_empty() => return,
                Ok(_) => {}
                Err(stop) => return self.stopped(&name, &format!("<% if {when} %>yes<% endif %>"), stop, own),
            }
        }
        let target_name = target_template(bp, index);
        let path = match self.run(&target_name, ctx) {
            Ok(p) => p,
            Err(stop) => return self.stopped(&target_name, &file.target.clone(), stop, own),
        };
        let shown = bp.display_path(&file.source);
        if !is_safe_relative(&path) || is_reserved(&path) {
            let msg = match path.split('/').find(|s| is_vcs_folder(s)) {
                Some(vcs) => format!(
                    "`{shown}` renders to `{path}`, which is inside a version-control folder (`{vcs}`), where a file \
                     can change what version control does or runs"
                ),
                None => format!("`{shown}` renders to `{path}`, which is not a plain path inside the output directory"),
            };
            let d = self.at_entry(bp, index, &UNSAFE_TARGET_PATH, msg).help("build targets from plain segments");
            self.errors.push(d);
            return;
        }
        let bytes = if file.template {
            match self.run(&shown, ctx) {
                Ok(text) => text.into_bytes(),
                Err(stop) => {
                    let text = String::from_utf8_lossy(bp.file(&file.source).unwrap_or_default()).into_owned();
                    return self.stopped(&shown, &text, stop, own);
                }
            }
        } else {
            bp.file(&file.source).unwrap_or_default().to_vec()
        };
        let bytes = match (file.ownership, std::str::from_utf8(&bytes)) {
            (Ownership::Managed, Ok(text)) => {
                let style = file.marker.unwrap_or_else(|| marker::style_for(&path));
                match marker::marker_line(style, &self.place.spec_name) {
                    Some(line) => marker::insert(text, &line).into_bytes(),
                    None => bytes,
                }
            }
            _ => bytes,
        };
        if let Some(&other) = self.seen.get(path.as_str()) {
            let other = &self.shown[other as usize];
            let msg = format!("`{shown}` and `{other}` both render to `{path}`");
            let d = self.at_entry(bp, index, &DUPLICATE_TARGET, msg).help("give each file its own target");
            self.errors.push(d);
            return;
        }
        let planned =
            PlannedFile { path: path.clone(), bytes, ownership: file.ownership, service, kind: file.kind.clone() };
        let at = match self.shown.iter().rposition(|s| *s == shown) {
            Some(at) => at,
            None => {
                self.shown.push(shown);
                self.shown.len() - 1
            }
        };
        if self.track {
            self.seen.insert(path.into_boxed_str(), at as u32);
        }
        self.batch.push(planned);
    }
}

/// The template context: the spec's value is built once and shared (a minijinja value is a
/// reference-counted handle), so a context costs the same for the thousandth service as for
/// the first. A service's context holds the service, its params and its blueprint's
/// `runtime`, for the base blueprint's files as for its own; an environment's, the
/// environment.
fn context(
    shared: &[(&'static str, Value)],
    bp: &Blueprint,
    service: Option<&[Value; 3]>,
    env: Option<&Value>,
) -> Value {
    let blueprint = Value::from(Serde(serde_json::json!({"name": bp.name, "version": bp.version})));
    let mut entries: Vec<(&str, Value)> = shared.to_vec();
    entries.push(("blueprint", blueprint));
    if let Some(env) = env {
        entries.push(("environment", env.clone()));
    }
    if let Some([svc, params, runtime]) = service {
        entries.push(("service", svc.clone()));
        entries.push(("params", params.clone()));
        entries.push(("runtime", runtime.clone()));
    }
    Value::from_pairs(entries)
}

/// The target block of a spec's platform, with the target's name: what a template reads
/// whatever the target (`platform.target`, `platform.ingress.className`).
fn platform_value(spec: &crate::spec::Spec) -> Value {
    let p = &spec.platform;
    let block = match (&p.azure, &p.local) {
        (Some(a), _) => serde_json::to_value(a),
        (_, Some(l)) => serde_json::to_value(l),
        _ => Ok(serde_json::json!({})),
    };
    let name = p.target().unwrap_or("none");
    let mut block = block.unwrap_or_default();
    if let Some(map) = block.as_object_mut() {
        map.insert("target".into(), name.into());
    }
    Value::from(Serde(block))
}

/// What templates know of each environment: its name, whether the spec lists it, its
/// target, its GitHub environment, whether it is the first on its target, and its whole spec
/// (`spec`, the value its own files get), so that a file rendered once can read any
/// environment's values (the registry of the first on azure, each one's cluster).
fn environment_values(loaded: &Loaded, specs: &[Value]) -> Vec<Value> {
    let envs = &loaded.environments;
    envs.iter()
        .zip(specs)
        .enumerate()
        .map(|(i, (env, spec_value))| {
            let spec = &env.spec(loaded).spec;
            let github_environment = spec
                .platform
                .github
                .as_ref()
                .and_then(|g| g.environment.clone())
                .or_else(|| env.declared.then(|| env.name.clone()));
            Value::from_pairs([
                ("name", Value::from(env.name.as_str())),
                ("declared", Value::from(env.declared)),
                ("platform", Value::from(env.target)),
                ("index", Value::from(i)),
                ("first", Value::from(!envs[..i].iter().any(|e| e.target == env.target))),
                ("githubEnvironment", github_environment.map_or(Value::from(()), Value::from)),
                ("spec", spec_value.clone()),
            ])
        })
        .collect()
}

/// Renders every file of the base blueprint and of each service's blueprint. `place` is where
/// the spec and the output sit in their repository.
pub fn render(loaded: &Loaded, catalog: &Catalog, place: &Place) -> Result<Plan, RenderError> {
    let mut files = Vec::new();
    render_each(loaded, catalog, place, &mut |batch| files.extend(batch))?;
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Plan { files })
}

/// Renders the spec batch by batch: the project's files, then each service's, each batch
/// sorted by path and handed to `sink` as soon as it is rendered, so that a spec of thousands
/// of services is checked and written one service at a time, never held whole. When a
/// template fails, the batches already handed over are incomplete: the error says so, and
/// nothing may be written from them.
pub fn render_each(
    loaded: &Loaded,
    catalog: &Catalog,
    place: &Place,
    sink: &mut dyn FnMut(Vec<PlannedFile>),
) -> Result<(), RenderError> {
    render_batches(loaded, catalog, place, true, sink)
}

/// [`render_each`] for a spec that [`render_each`] rendered cleanly a moment ago (`gen render`
/// writing what it checked): two files to one path were ruled out then, so their paths are
/// not kept again.
pub fn render_each_again(
    loaded: &Loaded,
    catalog: &Catalog,
    place: &Place,
    sink: &mut dyn FnMut(Vec<PlannedFile>),
) -> Result<(), RenderError> {
    render_batches(loaded, catalog, place, false, sink)
}

fn render_batches(
    loaded: &Loaded,
    catalog: &Catalog,
    place: &Place,
    track: bool,
    sink: &mut dyn FnMut(Vec<PlannedFile>),
) -> Result<(), RenderError> {
    let services = resolve_params(loaded, catalog)
        .map_err(|d| RenderError::Invalid(Findings::new([loaded.source().clone()], d)))?;
    let base = catalog.base();
    let mut r = Renderer {
        env: environment(),
        place,
        fuel_left: RENDER_FUEL,
        bytes_left: RENDER_BYTES,
        exhausted: false,
        spec: loaded.source().clone(),
        sources: Vec::new(),
        errors: Vec::new(),
        seen: HashMap::new(),
        track,
        shown: Vec::new(),
        batch: Vec::new(),
    };
    r.add_templates(base);
    let mut added = vec![base.name.as_str()];
    for (bp, _) in &services {
        if !added.contains(&bp.name.as_str()) {
            r.add_templates(bp);
            added.push(&bp.name);
        }
    }
    let mut flush = |r: &mut Renderer<'_>| {
        let mut batch = std::mem::take(&mut r.batch);
        batch.sort_by(|a, b| a.path.cmp(&b.path));
        if !batch.is_empty() {
            sink(batch);
        }
    };
    if r.errors.is_empty() {
        // Each environment's spec, built once: the undeclared one's is the spec itself.
        let top_spec = Value::from(Serde(loaded.spec.as_ref()));
        let env_specs: Vec<Value> = loaded
            .environments
            .iter()
            .map(|e| e.loaded.as_deref().map_or_else(|| top_spec.clone(), |l| Value::from(Serde(l.spec.as_ref()))))
            .collect();
        let env_values = environment_values(loaded, &env_specs);
        let mut targets: Vec<&str> = loaded.environments.iter().map(|e| e.target).collect();
        targets.sort_unstable();
        targets.dedup();
        // What each blueprint the services use promises (its `runtime`), for the files that
        // cover every service: `runtimes[service.blueprint]`.
        let runtimes: serde_json::Map<String, serde_json::Value> = services
            .iter()
            .map(|(bp, _)| (bp.name.clone(), serde_json::to_value(&bp.runtime).unwrap_or_default()))
            .collect();
        let shared = vec![
            ("spec", top_spec.clone()),
            ("platform", platform_value(&loaded.spec)),
            ("environments", Value::from(env_values.clone())),
            ("targets", Value::from(Serde(&targets))),
            ("runtimes", Value::from(Serde(&runtimes))),
            (
                "gen",
                Value::from(Serde(serde_json::json!({
                    "version": env!("CARGO_PKG_VERSION"),
                    "spec": place.spec_name,
                    "specPath": place.spec,
                    "out": place.out,
                    "prefix": place.prefix(),
                }))),
            ),
        ];
        // Each environment's spec, platform and params, for the files rendered per environment.
        let mut per_env = Vec::new();
        for ((env, value), env_spec) in loaded.environments.iter().zip(&env_values).zip(&env_specs) {
            let env_loaded = env.spec(loaded);
            let env_services = match &env.loaded {
                None => None,
                Some(l) => Some(
                    resolve_params(l, catalog)
                        .map_err(|d| RenderError::Invalid(Findings::new([loaded.source().clone()], d)))?,
                ),
            };
            // `base`: the spec as written, before the environment's overrides (what an overlay
            // patches).
            let mut env_shared = shared.clone();
            env_shared[0] = ("spec", env_spec.clone());
            env_shared[1] = ("platform", platform_value(&env_loaded.spec));
            env_shared.push(("base", top_spec.clone()));
            per_env.push((env_loaded, env_services, env_shared, value.clone()));
        }
        let project_ctx = context(&shared, base, None, None);
        for (i, file) in base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Project) {
            r.render_file(base, i, file, &project_ctx, None);
        }
        for (_, _, env_shared, env) in &per_env {
            let ctx = context(env_shared, base, None, Some(env));
            for (i, file) in base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Environment) {
                r.render_file(base, i, file, &ctx, None);
            }
        }
        flush(&mut r);
        for (index, (svc, (bp, params))) in loaded.spec.services.iter().zip(&services).enumerate() {
            let service = [Value::from(Serde(svc)), Value::from(Serde(params)), Value::from(Serde(&bp.runtime))];
            let base_ctx = context(&shared, base, Some(&service), None);
            for (i, file) in base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Service) {
                r.render_file(base, i, file, &base_ctx, Some(index));
            }
            let ctx = context(&shared, bp, Some(&service), None);
            for (i, file) in bp.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Service) {
                r.render_file(bp, i, file, &ctx, Some(index));
            }
            for (env_loaded, env_services, env_shared, env) in &per_env {
                let env_svc = &env_loaded.spec.services[index];
                let env_params = env_services.as_ref().map_or(params, |s| &s[index].1);
                let service =
                    [Value::from(Serde(env_svc)), Value::from(Serde(env_params)), Value::from(Serde(&bp.runtime))];
                for blueprint in [base, *bp] {
                    let ctx = context(env_shared, blueprint, Some(&service), Some(env));
                    for (i, file) in
                        blueprint.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::ServiceEnvironment)
                    {
                        r.render_file(blueprint, i, file, &ctx, Some(index));
                    }
                }
            }
            flush(&mut r);
        }
    }
    if !r.errors.is_empty() {
        return Err(RenderError::Invalid(Findings::new(r.sources, r.errors)));
    }
    Ok(())
}

/// A blueprint's example spec with `name` filled in, on `platform` (a target: `azure`,
/// `local`): what `gen init` writes.
pub fn example_spec(catalog: &Catalog, blueprint: &str, name: &str, platform: &str) -> Result<String, String> {
    let bp = catalog.get(blueprint).ok_or_else(|| {
        let names: Vec<&str> = catalog.service_names();
        format!("no service blueprint is called `{blueprint}` (available: {})", names.join(", "))
    })?;
    let example = bp.example.as_deref().ok_or_else(|| format!("blueprint `{blueprint}` has no example spec"))?;
    let text = String::from_utf8_lossy(bp.file(example).unwrap_or_default()).into_owned();
    environment()
        .render_named_str(&bp.display_path(example), &text, minijinja::context! { name => name, platform => platform })
        .map_err(|e| format!("the example spec of `{blueprint}` does not render: {e:#}"))
}
