//! File selection: which of a blueprint's files a context renders (its `when`), to which
//! path (its `target`, checked safe and unique), with which bytes (the template's, with the
//! generated-file marker). The renderer compiles every template once and collects the batch.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use minijinja::Value;

use super::budget::{FILE_BYTES, RENDER_BYTES, RENDER_FUEL};
use super::env::{environment, is_plain};
use super::plan::{Place, PlannedFile, is_reserved, is_safe_relative, is_vcs_folder};
use super::{DUPLICATE_TARGET, TEMPLATE_ERROR, UNSAFE_TARGET_PATH, marker};
use crate::blueprint::{Blueprint, FileEntry, HelmSource, Ownership};
use crate::diag::{Diagnostic, Diagnostics, Rule, Source, Span};
use crate::gotmpl::Release;
use crate::route;

/// The name under which a file entry's target path is compiled as a template.
fn target_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].target)", bp.display_dir)
}

/// The name under which a file entry's `when` condition is compiled as a template.
fn when_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].when)", bp.display_dir)
}

/// The name under which a file entry's `holds` is compiled as a template.
fn holds_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].holds)", bp.display_dir)
}

/// The name under which a file entry's Helm release (`helm.release`) is compiled.
fn release_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].helm.release)", bp.display_dir)
}

/// The name under which a file entry's Helm namespace (`helm.namespace`) is compiled.
fn namespace_template(bp: &Blueprint, index: usize) -> String {
    format!("{}/blueprint.yaml (files[{index}].helm.namespace)", bp.display_dir)
}

/// The templates, file targets and conditions of `bps` by name (each name's last text), in
/// an environment that compiles each of them the first time it is asked for it. Built-in
/// blueprints' templates are compiled that way, only what a render uses (gen's own tests
/// compile every one of them): compiling all of them was a third of `gen render --check`.
pub(super) fn lazy(bps: &[&Blueprint]) -> minijinja::Environment<'static> {
    loaded(bps).0
}

/// Compiles the templates, file targets and conditions of `bps` into a new environment,
/// telling `failed` of each that does not compile (its name, its text, the error), in the
/// blueprints' order: a user's blueprint is checked whole, whatever the spec renders of it.
/// The work is shared among as many threads as the machine has cores (up to four), largest
/// templates first.
pub(super) fn compile(
    bps: &[&Blueprint],
    failed: &mut dyn FnMut(&str, &str, &minijinja::Error),
) -> minijinja::Environment<'static> {
    let (env, names, texts) = loaded(bps);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
    let mut shares: Vec<(usize, Vec<usize>)> = vec![(0, Vec::new()); threads];
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(names[i].1));
    for i in order {
        if let Some(share) = shares.iter_mut().min_by_key(|(bytes, _)| *bytes) {
            share.0 += names[i].1;
            share.1.push(i);
        }
    }
    let compile_share = |share: &[usize]| -> Vec<(usize, minijinja::Error)> {
        share.iter().filter_map(|&i| env.get_template(&names[i].0).err().map(|e| (i, e))).collect()
    };
    let mut errors = std::thread::scope(|scope| {
        let (mine, others) = shares.split_first().map_or((&[][..], &[][..]), |(m, o)| (&m.1[..], o));
        let mut here = vec![mine];
        let mut spawned = Vec::new();
        for (_, share) in others.iter().filter(|(_, share)| !share.is_empty()) {
            // A thread that cannot be started leaves its share to this one.
            match std::thread::Builder::new().name("templates".into()).spawn_scoped(scope, || compile_share(share)) {
                Ok(handle) => spawned.push(handle),
                Err(_) => here.push(share),
            }
        }
        let mut errors: Vec<_> = here.into_iter().flat_map(compile_share).collect();
        for handle in spawned {
            errors.extend(handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        }
        errors
    });
    errors.sort_by_key(|(i, _)| *i);
    for (i, e) in &errors {
        let name = &names[*i].0;
        failed(name, texts.get(name).map_or("", |t| t), e);
    }
    env
}

/// [`lazy`]'s environment, with the names of its templates (and their sizes, in bytes) in the
/// blueprints' order, and their texts.
#[allow(clippy::type_complexity)]
fn loaded(
    bps: &[&Blueprint],
) -> (minijinja::Environment<'static>, Vec<(String, usize)>, Arc<HashMap<String, Cow<'static, str>>>) {
    // Each text once: a built-in's borrowed from the binary, and copied only by the loader,
    // which hands minijinja its own (copies into fresh memory, these among them, were a
    // quarter of the page faults of `gen render --check` under `perf record -e page-faults`,
    // each several microseconds of system time on a VM).
    let mut sources: Vec<(String, Cow<'static, str>)> = Vec::new();
    for bp in bps {
        for (index, file) in bp.files.iter().enumerate() {
            if !is_plain(&file.target) {
                sources.push((target_template(bp, index), Cow::Owned(file.target.clone())));
            }
            if let Some(when) = &file.when {
                sources.push((when_template(bp, index), Cow::Owned(format!("<% if {when} %>yes<% endif %>"))));
            }
            if let Some(holds) = file.holds.as_ref().filter(|h| !is_plain(h)) {
                sources.push((holds_template(bp, index), Cow::Owned(holds.clone())));
            }
            if let Some(helm) = &file.helm {
                sources.push((release_template(bp, index), Cow::Owned(helm.release.clone())));
                sources.push((namespace_template(bp, index), Cow::Owned(helm.namespace.clone())));
            }
        }
        let partials = bp.partials().map(str::to_string).collect::<Vec<_>>();
        // A file rendered through a chart is Helm's template, not gen's; its values are gen's.
        let rendered = bp.files.iter().filter_map(|f| match &f.helm {
            Some(helm) => Some(helm.values.clone()),
            None => f.template.then(|| f.source.clone()),
        });
        for source in rendered.chain(partials) {
            let text = bp.text(&source).unwrap_or_default();
            sources.push((bp.display_path(&source), text));
        }
    }
    // A name given twice (a folder shown as a built-in's folder) is the last text, as
    // compiling it twice into one environment made it; only that text is compiled and named.
    let mut last: HashMap<&str, usize> = HashMap::new();
    for (i, (name, _)) in sources.iter().enumerate() {
        last.insert(name, i);
    }
    let keep: Vec<bool> = sources.iter().enumerate().map(|(i, (name, _))| last[name.as_str()] == i).collect();
    drop(last);
    let mut names: Vec<(String, usize)> = Vec::new();
    let mut texts: HashMap<String, Cow<'static, str>> = HashMap::new();
    for ((name, text), keep) in sources.into_iter().zip(keep) {
        if keep {
            names.push((name.clone(), text.len()));
            texts.insert(name, text);
        }
    }
    // The environment compiles a template the first time it is asked for it, from these
    // texts, without holding a lock while it compiles: threads asking for different templates
    // compile them side by side into one environment, where imports find each other.
    let texts = Arc::new(texts);
    let mut env = environment();
    let loaded = Arc::clone(&texts);
    env.set_loader(move |name| Ok(loaded.get(name).map(|text| text.to_string())));
    (env, names, texts)
}

/// What a chart render is of: the chart, the values' text, the release and its namespace.
type ChartKey = (String, String, String, String);

/// The files a chart render gave: (path in the chart, text).
type ChartFiles = Arc<Vec<(String, String)>>;

/// Renders a spec's files one by one, within the render's budget, collecting the findings.
pub(super) struct Renderer<'a> {
    pub(super) env: minijinja::Environment<'static>,
    pub(super) place: &'a Place,
    /// Template steps and bytes the rest of the render may use.
    pub(super) fuel_left: u64,
    pub(super) bytes_left: usize,
    /// Whether the whole render's budget ran out: it is reported once, and nothing more is
    /// rendered.
    pub(super) exhausted: bool,
    /// The spec, where a finding about the whole render points.
    pub(super) spec: Arc<Source>,
    pub(super) sources: Vec<Arc<Source>>,
    pub(super) errors: Diagnostics,
    /// Every path rendered so far, with the template that rendered it (two files to one path
    /// are an error, whichever batches they are in).
    /// (Each template's name is kept once, in `shown`.)
    pub(super) seen: HashMap<Box<str>, u32>,
    /// Whether `seen` is kept: not when the same spec rendered cleanly a moment ago.
    pub(super) track: bool,
    /// The project's and the environments' paths: a service's file at one of them is
    /// reported at the service's name (SPEC149), not as two templates to one path.
    pub(super) shared_paths: std::collections::BTreeSet<String>,
    pub(super) shown: Vec<String>,
    /// The files of the batch being rendered (the project's, or one service's).
    pub(super) batch: Vec<PlannedFile>,
    /// The last chart render: (chart, values, release, namespace) and the files it gave.
    charted: Option<(ChartKey, ChartFiles)>,
    /// The values a file through a chart rendered in this context: (template, the context's
    /// address, text). [`Renderer::new_context`] forgets it.
    values_memo: Option<(String, usize, String)>,
    /// Whether each template rendered so far (by name) holds no tag: its text is the file, and
    /// minijinja need not compile it (the flask blueprint's locks are such).
    plain: HashMap<String, bool>,
}

impl<'a> Renderer<'a> {
    /// A renderer with the whole budget of a render. `track` says whether it keeps every
    /// path to find two files rendered to one.
    pub(super) fn new(place: &'a Place, spec: Arc<Source>, track: bool) -> Self {
        Renderer {
            env: environment(),
            place,
            fuel_left: RENDER_FUEL,
            bytes_left: RENDER_BYTES,
            exhausted: false,
            spec,
            sources: Vec::new(),
            errors: Vec::new(),
            seen: HashMap::new(),
            track,
            shared_paths: std::collections::BTreeSet::new(),
            shown: Vec::new(),
            batch: Vec::new(),
            charted: None,
            values_memo: None,
            plain: HashMap::new(),
        }
    }

    /// Compiles the templates and target paths of the blueprints a render uses, once for every
    /// service using them.
    pub(super) fn compile(&mut self, bps: &[&Blueprint]) {
        self.env = compile(bps, &mut |name, text, e| self.template_error(name, text, e));
    }

    pub(super) fn template_error(&mut self, name: &str, text: &str, e: &minijinja::Error) {
        let source = Source::new(name, text);
        let span = e.range().map(|r| Span::new(r.start, r.end)).or_else(|| {
            e.line().map(|l| {
                let at = source.offset(l, 0);
                Span::new(at, at + source.line_text(l).len())
            })
        });
        let mut detail = e.detail().map_or_else(|| e.kind().to_string(), |d| format!("{}: {d}", e.kind()));
        // An error inside an included template or a macro of another file is carried as the
        // source of the one reported here: name where it happened, and why.
        if let Some(cause) = innermost(e) {
            let place = match (cause.name(), cause.line()) {
                (Some(template), Some(line)) => format!(" ({template}:{line})"),
                (Some(template), None) => format!(" ({template})"),
                _ => String::new(),
            };
            let why = cause.detail().map_or_else(|| cause.kind().to_string(), |d| format!("{}: {d}", cause.kind()));
            detail.push_str(&format!(", because of {why}{place}"));
        }
        // A template that fails for every service is reported once.
        if self.errors.iter().any(|d| d.file == name && d.span == span && d.message == detail) {
            return;
        }
        let help = "see `gen explain TPL001`";
        self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, name, span, detail).help(help));
        self.sources.push(source);
    }

    /// The text of the template `source` (named `name`) when it holds no tag, which is what
    /// rendering it would give: `None` for a template, or for a text past what the render may
    /// still write (rendering it reports that).
    fn plain_text(&mut self, bp: &Blueprint, source: &str, name: &str) -> Option<String> {
        let known = self.plain.get(name).copied();
        if known == Some(false) {
            return None;
        }
        let text = bp.text(source)?;
        if known.is_none() {
            let plain = is_plain(&text);
            self.plain.insert(name.to_string(), plain);
            if !plain {
                return None;
            }
        }
        if text.len() > FILE_BYTES.min(self.bytes_left) {
            return None;
        }
        self.bytes_left -= text.len();
        Some(text.into_owned())
    }

    /// A finding at the `target` of the blueprint's file entry `index`.
    fn at_entry(&mut self, bp: &Blueprint, index: usize, rule: &'static Rule, msg: String) -> Diagnostic {
        self.sources.push(bp.manifest().source.clone());
        bp.manifest().at(rule, &route!["files", index, "target"], false, msg)
    }

    /// Says the files that follow render in a new context (another service, environment or
    /// blueprint): what was rendered in the last one is forgotten.
    pub(super) fn new_context(&mut self) {
        self.values_memo = None;
    }

    /// The text the chart's template `source` renders with the values `helm.values` renders in
    /// `ctx` (None: it renders nothing); `None` when something stopped it, reported. A
    /// service's files render through one chart in a row, so the last render is kept.
    fn through_chart(
        &mut self,
        bp: &Blueprint,
        index: usize,
        helm: &HelmSource,
        source: &str,
        ctx: &Value,
        own: bool,
    ) -> Option<Option<String>> {
        let run = |this: &mut Self, name: String, text: &str| match this.run(&name, ctx) {
            Ok(out) => Some(out),
            Err(stop) => {
                this.stopped(&name, text, stop, own);
                None
            }
        };
        // The values render once per context: a service's files through the chart share them.
        let values_name = bp.display_path(&helm.values);
        let at = ctx as *const Value as usize;
        let values = match self.values_memo.as_ref().filter(|(name, addr, _)| *name == values_name && *addr == at) {
            Some((_, _, text)) => text.clone(),
            None => {
                let values_text = bp.text(&helm.values).unwrap_or_default();
                let text = run(self, values_name.clone(), &values_text)?;
                self.values_memo = Some((values_name, at, text.clone()));
                text
            }
        };
        let release = run(self, release_template(bp, index), &helm.release)?;
        let namespace = run(self, namespace_template(bp, index), &helm.namespace)?;
        let key = (format!("{}/{}", bp.display_dir, helm.chart), values, release, namespace);
        let files = match self.charted.as_ref().filter(|(k, _)| *k == key) {
            Some((_, files)) => files.clone(),
            None => {
                // Located in the chart's file (Helm names it `<chart>/templates/...`), or in
                // the values as rendered.
                let fail = |this: &mut Self, e: &crate::gotmpl::Error| {
                    use crate::gotmpl::Error as E;
                    let (name, text) = match e {
                        E::Parse { file, .. } | E::Execution { file, .. } | E::Chart { file, .. } => {
                            let inner =
                                format!("{}{}", helm.chart, file.split_once('/').map_or(file.as_str(), |(_, p)| p));
                            let inner = if bp.file(&inner).is_some() { inner } else { format!("{}{file}", helm.chart) };
                            let text = bp.text(&inner).unwrap_or_default().into_owned();
                            (bp.display_path(&inner), text)
                        }
                        E::Values { .. } => (bp.display_path(&helm.values), key.1.clone()),
                    };
                    let d = Diagnostic::new(&TEMPLATE_ERROR, &name, e.span(), e.to_string())
                        .help("see `gen explain TPL001`");
                    this.errors.push(d);
                    this.sources.push(Source::new(&name, text));
                };
                let chart = match bp.chart(&helm.chart) {
                    Ok(chart) => chart,
                    Err(e) => {
                        fail(self, &e);
                        return None;
                    }
                };
                let rendered = crate::gotmpl::values::load(&bp.display_path(&helm.values), &key.1)
                    .and_then(|values| chart.render(&chart.values(&[values]), &Release::new(&key.2, &key.3)));
                let files = match rendered {
                    Ok(files) => Arc::new(files),
                    Err(e) => {
                        fail(self, &e);
                        return None;
                    }
                };
                self.charted = Some((key, files.clone()));
                files
            }
        };
        let inner = source.strip_prefix(helm.chart.as_str()).unwrap_or(source);
        // The template's text begins where its first action's trimming left it: the lines
        // before the object, blank, are Helm's and not the object's.
        let object = |text: &str| {
            let start = text.len() - text.trim_start_matches(|c: char| c.is_whitespace()).len();
            let start = text[..start].rfind('\n').map_or(0, |at| at + 1);
            let header = helm.header.as_deref().map(|h| format!("{}\n", h.trim_end())).unwrap_or_default();
            format!("{header}{}\n", text[start..].trim_end())
        };
        Some(files.iter().find(|(path, _)| path == inner).map(|(_, text)| object(text)))
    }

    pub(super) fn render_file(
        &mut self,
        bp: &Blueprint,
        index: usize,
        file: &FileEntry,
        ctx: &Value,
        service: Option<usize>,
        deployed: super::Deployed,
    ) {
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
        let path = if is_plain(&file.target) {
            file.target.clone()
        } else {
            let target_name = target_template(bp, index);
            match self.run(&target_name, ctx) {
                Ok(p) => p,
                Err(stop) => return self.stopped(&target_name, &file.target.clone(), stop, own),
            }
        };
        let holds = match &file.holds {
            None => None,
            Some(holds) if is_plain(holds) => Some(holds.split_whitespace().map(str::to_string).collect()),
            Some(holds) => {
                let name = holds_template(bp, index);
                match self.run(&name, ctx) {
                    Ok(keys) => Some(keys.split_whitespace().map(str::to_string).collect()),
                    Err(stop) => return self.stopped(&name, &holds.clone(), stop, own),
                }
            }
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
        let bytes = if let Some(helm) = &file.helm {
            match self.through_chart(bp, index, helm, &file.source, ctx, own) {
                Some(Some(text)) => text.into_bytes(),
                // The chart's template renders nothing for these values: no file.
                Some(None) => return,
                None => return,
            }
        } else if let Some(text) = file.template.then(|| self.plain_text(bp, &file.source, &shown)).flatten() {
            text.into_bytes()
        } else if file.template {
            match self.run(&shown, ctx) {
                Ok(text) => text.into_bytes(),
                Err(stop) => {
                    let text = bp.text(&file.source).unwrap_or_default();
                    return self.stopped(&shown, &text, stop, own);
                }
            }
        } else {
            bp.file(&file.source).unwrap_or_default().to_vec()
        };
        let bytes = match (file.ownership, std::str::from_utf8(&bytes)) {
            (Ownership::Managed, Ok(text)) => {
                let style = file.marker.unwrap_or_else(|| marker::style_for(&path));
                match marker::marker_line(style, self.place.marker_name(&path)) {
                    Some(line) => marker::insert(text, &line).into_bytes(),
                    None => bytes,
                }
            }
            _ => bytes,
        };
        if let Some(&other) =
            self.seen.get(path.as_str()).filter(|_| service.is_none() || !self.shared_paths.contains(&path))
        {
            let other = &self.shown[other as usize];
            let msg = format!("`{shown}` and `{other}` both render to `{path}`");
            let d = self.at_entry(bp, index, &DUPLICATE_TARGET, msg).help("give each file its own target");
            self.errors.push(d);
            return;
        }
        let planned = PlannedFile {
            path: path.clone(),
            bytes,
            ownership: file.ownership,
            service,
            kind: file.kind.clone(),
            deployed,
            holds,
        };
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

/// The deepest template error under `e` (an include's or an imported macro's), if any.
fn innermost(e: &minijinja::Error) -> Option<&minijinja::Error> {
    let mut found = None;
    let mut next = std::error::Error::source(e);
    while let Some(err) = next {
        if let Some(inner) = err.downcast_ref::<minijinja::Error>() {
            found = Some(inner);
        }
        next = err.source();
    }
    found
}
