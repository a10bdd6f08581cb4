//! Rendering: a spec and its blueprints to an in-memory plan of files. No I/O.

mod env;
pub mod filters;
mod marker;

use std::collections::BTreeMap;
use std::sync::Arc;

use minijinja::Value;
use minijinja::value::Serde;
use serde_json::Map;

pub use env::{DELIMITERS, environment};

use crate::blueprint::{Blueprint, Catalog, FileEntry, Ownership, Scope, resolve_params};
use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Source, Span};
use crate::spec::Loaded;
use crate::spec::model::Service;

/// The file in the output directory that records what gen owns.
pub const MANIFEST_NAME: &str = ".gen-manifest.json";

declare_rule! {
    /// ## What it does
    /// Reports a template that fails to render: a syntax error, an undefined variable, a
    /// string printed without a language filter, or a filter given a value it cannot quote.
    ///
    /// ## Why it matters
    /// gen renders nothing rather than a half-written file.
    ///
    /// ## How to fix
    /// Fix the template at the reported line. Print every value through the filter of the
    /// output's language: `yaml`, `hcl`, `shell`, `json`, `gotmpl`, `text` or `segment`.
    pub static TEMPLATE_ERROR = ("TPL001", "template-error", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a rendered target path that could leave the output directory (absolute, `..`,
    /// empty segments, a backslash) or that names gen's own manifest.
    ///
    /// ## Why it matters
    /// No path built from a spec may write outside the output directory.
    ///
    /// ## How to fix
    /// Build target paths from plain segments (`<@ service.name | segment @>/Dockerfile`).
    pub static UNSAFE_TARGET_PATH = ("TPL002", "unsafe-target-path", Error);
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
    pub static DUPLICATE_TARGET = ("TPL003", "duplicate-target", Error);
}

/// One file of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the output directory, `/`-separated, checked safe.
    pub path: String,
    pub bytes: Vec<u8>,
    pub ownership: Ownership,
    /// The service it belongs to; `None` for project files.
    pub service: Option<String>,
}

/// Everything a render would write, sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

/// Why rendering failed: the sources the findings quote, and the findings.
pub type RenderError = (Vec<Arc<Source>>, Diagnostics);

/// Whether `path` is a plain relative path inside the output directory.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path.split('/').all(|s| !s.is_empty() && s != "." && s != "..")
}

struct Renderer<'a> {
    env: minijinja::Environment<'static>,
    loaded: &'a Loaded,
    spec_name: &'a str,
    sources: Vec<Arc<Source>>,
    errors: Diagnostics,
    files: BTreeMap<String, (PlannedFile, String)>,
}

impl<'a> Renderer<'a> {
    fn add_templates(&mut self, bp: &Blueprint) {
        for file in bp.files.iter().filter(|f| f.template) {
            let name = bp.display_path(&file.source);
            let text = String::from_utf8_lossy(bp.file(&file.source).unwrap_or_default()).into_owned();
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
        let help = "see `gen explain TPL001`";
        self.errors.push(Diagnostic::new(&TEMPLATE_ERROR, name, span, detail).help(help));
        self.sources.push(source);
    }

    fn render_file(&mut self, bp: &Blueprint, index: usize, file: &FileEntry, ctx: &Value, service: Option<&str>) {
        let target_name = format!("{}/blueprint.yaml (files[{index}].target)", bp.display_dir);
        let path = match self.env.render_named_str(&target_name, &file.target, ctx) {
            Ok(p) => p,
            Err(e) => return self.template_error(&target_name, &file.target.clone(), &e),
        };
        let shown = bp.display_path(&file.source);
        if !is_safe_relative(&path) || path == MANIFEST_NAME {
            let msg = format!("`{shown}` renders to `{path}`, which is not a plain path inside the output directory");
            self.errors.push(
                Diagnostic::new(&UNSAFE_TARGET_PATH, &shown, None, msg).help("build targets from plain segments"),
            );
            return;
        }
        let bytes = if file.template {
            match self.env.get_template(&shown).and_then(|t| t.render(ctx)) {
                Ok(text) => text.into_bytes(),
                Err(e) => {
                    let text = String::from_utf8_lossy(bp.file(&file.source).unwrap_or_default()).into_owned();
                    return self.template_error(&shown, &text, &e);
                }
            }
        } else {
            bp.file(&file.source).unwrap_or_default().to_vec()
        };
        let bytes = match (file.ownership, std::str::from_utf8(&bytes)) {
            (Ownership::Managed, Ok(text)) => {
                let style = file.marker.unwrap_or_else(|| marker::style_for(&path));
                match marker::marker_line(style, self.spec_name) {
                    Some(line) => marker::insert(text, &line).into_bytes(),
                    None => bytes,
                }
            }
            _ => bytes,
        };
        if let Some((_, other)) = self.files.get(&path) {
            let msg = format!("`{shown}` and `{other}` both render to `{path}`");
            self.errors
                .push(Diagnostic::new(&DUPLICATE_TARGET, &shown, None, msg).help("give each file its own target"));
            return;
        }
        self.files.insert(
            path.clone(),
            (PlannedFile { path, bytes, ownership: file.ownership, service: service.map(str::to_string) }, shown),
        );
    }
}

fn context(
    loaded: &Loaded,
    bp: &Blueprint,
    service: Option<(&Service, &Map<String, serde_json::Value>)>,
    spec_name: &str,
) -> Value {
    let gen_info = serde_json::json!({"version": env!("CARGO_PKG_VERSION"), "spec": spec_name});
    let blueprint = serde_json::json!({"name": bp.name, "version": bp.version});
    match service {
        Some((svc, params)) => minijinja::context! {
            spec => Serde(&loaded.spec), service => Serde(svc), params => Serde(params),
            blueprint => Serde(&blueprint), gen => Serde(&gen_info),
        },
        None => {
            minijinja::context! { spec => Serde(&loaded.spec), blueprint => Serde(&blueprint), gen => Serde(&gen_info) }
        }
    }
}

/// Renders every file of the base blueprint and of each service's blueprint. `spec_name` is
/// the spec's file name, quoted in the generated-file markers.
pub fn render(loaded: &Loaded, catalog: &Catalog, spec_name: &str) -> Result<Plan, RenderError> {
    let services = resolve_params(loaded, catalog, &loaded.source).map_err(|d| (vec![loaded.source.clone()], d))?;
    let base = catalog.base();
    let mut r = Renderer {
        env: environment(),
        loaded,
        spec_name,
        sources: Vec::new(),
        errors: Vec::new(),
        files: BTreeMap::new(),
    };
    r.add_templates(base);
    let mut added = vec![base.name.as_str()];
    for (bp, _) in &services {
        if !added.contains(&bp.name.as_str()) {
            r.add_templates(bp);
            added.push(&bp.name);
        }
    }
    if r.errors.is_empty() {
        let project_ctx = context(r.loaded, base, None, spec_name);
        for (i, file) in base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Project) {
            r.render_file(base, i, file, &project_ctx, None);
        }
        for (svc, (bp, params)) in loaded.spec.services.iter().zip(&services) {
            let base_ctx = context(r.loaded, base, Some((svc, params)), spec_name);
            for (i, file) in base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Service) {
                r.render_file(base, i, file, &base_ctx, Some(&svc.name));
            }
            let ctx = context(r.loaded, bp, Some((svc, params)), spec_name);
            for (i, file) in bp.files.iter().enumerate() {
                r.render_file(bp, i, file, &ctx, Some(&svc.name));
            }
        }
    }
    if !r.errors.is_empty() {
        return Err((r.sources, r.errors));
    }
    Ok(Plan { files: r.files.into_values().map(|(f, _)| f).collect() })
}

/// A blueprint's example spec with `name` filled in: what `gen init` writes.
pub fn example_spec(catalog: &Catalog, blueprint: &str, name: &str) -> Result<String, String> {
    let bp = catalog.get(blueprint).ok_or_else(|| {
        let names: Vec<&str> = catalog.service_names();
        format!("no service blueprint is called `{blueprint}` (available: {})", names.join(", "))
    })?;
    let example = bp.example.as_deref().ok_or_else(|| format!("blueprint `{blueprint}` has no example spec"))?;
    let text = String::from_utf8_lossy(bp.file(example).unwrap_or_default()).into_owned();
    environment()
        .render_named_str(&bp.display_path(example), &text, minijinja::context! { name => name })
        .map_err(|e| format!("the example spec of `{blueprint}` does not render: {e:#}"))
}
