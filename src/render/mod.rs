//! Rendering: a spec and its blueprints to an in-memory plan of files. No I/O.
//!
//! `plan`: what a render makes and where it may write; `context`: the values templates read;
//! `files`: which files a blueprint renders, to which paths; `budget`: how much work and how
//! many bytes a template may take; this module: the rules and the order of the render.

mod budget;
mod context;
pub mod dashboard;
mod env;
mod files;
pub mod filters;
mod marker;
mod plan;
mod select;
pub mod signals;
pub mod slo;
mod workflow;

use minijinja::Value;
use minijinja::value::Serde;

pub use budget::{FILE_BYTES, FILE_FUEL, RENDER_BYTES, RENDER_FUEL};
pub use env::{DELIMITERS, environment};
pub use plan::{
    Deployed, JOURNAL_NAME, MANIFEST_NAME, Place, Plan, PlannedFile, REPOSITORY_FOLDER, RenderError, SERVICES_FOLDER,
    is_repository_file, is_reserved, is_safe_recorded, is_safe_relative, is_vcs_folder, service_folder,
};

use std::collections::BTreeSet;
use std::sync::Arc;

use crate::blueprint::{Blueprint, Catalog, Kind, Scope, resolve_params};
use crate::declare_rule;
use crate::diag::{Diagnostic, Findings};
use crate::spec::Loaded;
use context::{Contexts, context};
use files::Renderer;
use select::Platforms;

declare_rule! {
    /// ## What it does
    /// Reports a template that fails to render: a syntax error, an undefined variable, a
    /// string printed without a language filter, a filter given a value it cannot quote; or a
    /// template that does more than 5 million units of work (a step, or 64 bytes of data it
    /// makes: a loop without end, a string doubled without end), or renders more than 8 MiB for
    /// one file or 1024 MiB for a whole render.
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

declare_rule! {
    /// ## What it does
    /// Reports a service whose name the output's layout already uses for something of the
    /// project or of an environment: a service named `overlays` beside the environments'
    /// `manifests/overlays/`, `identity` beside `manifests/identity/`, `scan` beside the
    /// project's `.github/workflows/scan.yml`.
    ///
    /// ## Why it matters
    /// A service's files are named after it. With such a name its folder holds the project's
    /// files (kustomize then finds a cycle: `kubectl kustomize` of an overlay fails), or one of
    /// its files is one of the project's, and one of the two would be lost.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: overlays
    /// ```
    ///
    /// ## How to fix
    /// Name the service otherwise (`overlays-api`); a service that runs already can keep its
    /// name in Kubernetes only under a new one in the spec.
    pub static SERVICE_NAME_TAKEN = ("SPEC149", "service-name-taken", Error, unignorable);
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
/// sorted by folder (see [`folder_order`]) and handed to `sink` as soon as it is rendered, so that a spec of thousands
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

/// Compiles the templates of the base blueprint and of every service blueprint in `catalog`
/// (what a spec using each of them renders) on other threads (as many as the machine has cores,
/// up to four), while the caller loads the spec, when one of them is a user's (from
/// `--blueprints`), which is checked whole: a render of those blueprints finds them compiled,
/// or waits for them. gen's own are compiled as a render uses them ([`files::lazy`]).
pub fn compile_ahead(catalog: &Arc<Catalog>) {
    if std::iter::once(catalog.base()).chain(catalog.all()).all(|bp| bp.is_built_in()) {
        return;
    }
    let shared = Arc::clone(catalog);
    catalog.compile_ahead(move || {
        std::thread::Builder::new().name("templates".into()).spawn(move || {
            let catalog = shared;
            let used: Vec<&Blueprint> =
                std::iter::once(catalog.base()).chain(catalog.all().filter(|b| b.kind == Kind::Service)).collect();
            let mut clean = true;
            let env = files::compile(&used, &mut |_, _, _| clean = false);
            // A blueprint that does not compile is reported by the render that uses it.
            if clean {
                catalog.keep_compiled(used.iter().map(|bp| bp.name.clone()).collect(), env);
            }
            // Then the charts their plain manifests are rendered through, needed after the
            // first templates: parsing them was a tenth of `gen render --check` on its one
            // thread that decides the time. Each blueprint keeps its own (or its error).
            for bp in &used {
                for helm in bp.files.iter().filter_map(|f| f.helm.as_ref()) {
                    let _ = bp.chart(&helm.chart);
                }
            }
        })
    });
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

/// The order of a batch's files: by folder, then by name, so that the files of one folder are
/// next to each other even when a subfolder's name sorts among them (`shop/hpa.yaml`,
/// `shop/service.yaml`, then `shop/identity/...`). The lint checks each run of files of one
/// folder together ([`crate::lint::Artifact::set_key`]), as its walk of a folder hands them.
fn folder_order(path: &str) -> (&str, &str) {
    path.rsplit_once('/').unwrap_or(("", path))
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
    let mut r = Renderer::new(place, loaded.source().clone(), track);
    let mut used = vec![base];
    for (bp, _) in &services {
        if !used.iter().any(|u| u.name == bp.name) {
            used.push(bp);
        }
    }
    let names: Vec<String> = used.iter().map(|bp| bp.name.clone()).collect();
    let mut lazy = None;
    if let Some(env) = catalog.compiled(&names) {
        r.env = env;
    } else if used.iter().all(|bp| bp.is_built_in()) {
        // gen's own templates compile as the render asks for them (gen's tests compile every
        // one): the environment is kept, with those, for the next render.
        r.env = files::lazy(&used);
        lazy = Some(names);
    } else {
        r.compile(&used);
        if r.errors.is_empty() {
            catalog.keep_compiled(names, r.env.clone());
        }
    }
    let mut flush = |r: &mut Renderer<'_>| {
        let mut batch = std::mem::take(&mut r.batch);
        batch.sort_by(|a, b| folder_order(&a.path).cmp(&folder_order(&b.path)));
        if !batch.is_empty() {
            sink(batch);
        }
    };
    if r.errors.is_empty() {
        let Contexts { shared, per_env } = Contexts::build(loaded, catalog, &services, place)?;
        let platforms = Platforms::of(loaded);
        let project_ctx = context(&shared, base, None, None);
        r.new_context();
        for (i, file) in
            base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Project && platforms.admit(f, None))
        {
            r.render_file(base, i, file, &project_ctx, None, platforms.deployed(file, None));
        }
        for (e, env) in per_env.iter().enumerate() {
            let ctx = context(&env.shared, base, None, Some(&env.value));
            r.new_context();
            for (i, file) in base
                .files
                .iter()
                .enumerate()
                .filter(|(_, f)| f.scope == Scope::Environment && platforms.admit(f, Some(e)))
            {
                r.render_file(base, i, file, &ctx, None, platforms.deployed(file, Some(e)));
            }
        }
        // The project's and the environments' paths, against which each service's are checked
        // (not when the same spec rendered cleanly a moment ago).
        if track {
            r.shared_paths = r.batch.iter().map(|f| f.path.clone()).collect();
        }
        flush(&mut r);
        for (index, (svc, (bp, params))) in loaded.spec.services.iter().zip(&services).enumerate() {
            let runtime = bp.runtime.for_params(params);
            let service = [Value::from(Serde(svc)), Value::from(Serde(params)), Value::from(Serde(&runtime))];
            let base_ctx = context(&shared, base, Some((&service, index)), None);
            r.new_context();
            for (i, file) in
                base.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Service && platforms.admit(f, None))
            {
                r.render_file(base, i, file, &base_ctx, Some(index), platforms.deployed(file, None));
            }
            let ctx = context(&shared, bp, Some((&service, index)), None);
            r.new_context();
            for (i, file) in
                bp.files.iter().enumerate().filter(|(_, f)| f.scope == Scope::Service && platforms.admit(f, None))
            {
                r.render_file(bp, i, file, &ctx, Some(index), platforms.deployed(file, None));
            }
            for (e, env) in per_env.iter().enumerate() {
                let env_svc = &env.loaded.spec.services[index];
                let env_params = env.services.as_ref().map_or(params, |s| &s[index].1);
                let env_runtime = bp.runtime.for_params(env_params);
                let service =
                    [Value::from(Serde(env_svc)), Value::from(Serde(env_params)), Value::from(Serde(&env_runtime))];
                for blueprint in [base, *bp] {
                    let ctx = context(&env.shared, blueprint, Some((&service, index)), Some(&env.value));
                    r.new_context();
                    for (i, file) in blueprint
                        .files
                        .iter()
                        .enumerate()
                        .filter(|(_, f)| f.scope == Scope::ServiceEnvironment && platforms.admit(f, Some(e)))
                    {
                        r.render_file(blueprint, i, file, &ctx, Some(index), platforms.deployed(file, Some(e)));
                    }
                }
            }
            if let Some(d) = name_taken(loaded, index, &r.batch, &r.shared_paths) {
                r.errors.push(d);
            }
            flush(&mut r);
        }
    }
    if let Some(names) = lazy.filter(|_| r.errors.is_empty()) {
        catalog.keep_compiled(names, r.env.clone());
    }
    if !r.errors.is_empty() {
        return Err(RenderError::Invalid(Findings::new(r.sources, r.errors)));
    }
    Ok(())
}

/// A finding at the service's name when one of its files (`batch`) is a path of the project or
/// of an environment (`shared`), or is in a folder named after the service that holds one.
fn name_taken(loaded: &Loaded, index: usize, batch: &[PlannedFile], shared: &BTreeSet<String>) -> Option<Diagnostic> {
    let name = &loaded.spec.services[index].name;
    let taken = batch.iter().filter(|f| f.service == Some(index)).find_map(|f| {
        if shared.contains(&f.path) {
            return Some(f.path.clone());
        }
        // The service's own folder: the deepest of the file's folders named after it, below the
        // top (a top folder of that name is the layout's, as `argocd/` for a service `argocd`,
        // whose file is argocd/argocd.yaml), and what of the project's it holds.
        let folder = f
            .path
            .rmatch_indices('/')
            .map(|(end, _)| &f.path[..end])
            .find(|folder| folder.contains('/') && folder.rsplit('/').next() == Some(name.as_str()))?;
        let inside = format!("{folder}/");
        shared.range(inside.clone()..).next().filter(|p| p.starts_with(&inside)).cloned()
    })?;
    let route = crate::route!["services", index, "name"];
    Some(
        loaded
            .at(
                &SERVICE_NAME_TAKEN,
                &route,
                false,
                format!("the service's name `{name}` is taken by the output's layout: `{taken}` is the project's"),
            )
            .help("give the service another name (the project's and the environments' files keep theirs)"),
    )
}

/// A blueprint's example spec with `name` filled in, on `platform` (a target: `azure`,
/// `local`): what `gen init` writes.
pub fn example_spec(catalog: &Catalog, blueprint: &str, name: &str, platform: &str) -> Result<String, String> {
    example_spec_pinned(catalog, blueprint, name, platform, None)
}

/// [`example_spec`] with the service's base image pinned at `base_image_digest` (the example
/// writes it in its blueprint's digest param, when it has one).
pub fn example_spec_pinned(
    catalog: &Catalog,
    blueprint: &str,
    name: &str,
    platform: &str,
    base_image_digest: Option<&str>,
) -> Result<String, String> {
    example_spec_sized(catalog, blueprint, name, platform, base_image_digest, "production", crate::platform::aws::EKS)
}

/// [`example_spec_pinned`] at a footprint (`starter`, `production`): how big and how costly the
/// cloud platform's example is, for a blueprint whose example reads `footprint`.
pub fn example_spec_sized(
    catalog: &Catalog,
    blueprint: &str,
    name: &str,
    platform: &str,
    base_image_digest: Option<&str>,
    footprint: &str,
    runtime: &str,
) -> Result<String, String> {
    let bp = catalog.get(blueprint).ok_or_else(|| {
        let names: Vec<&str> = catalog.service_names();
        format!("no service blueprint is called `{blueprint}` (available: {})", names.join(", "))
    })?;
    let example = bp.example.as_deref().ok_or_else(|| format!("blueprint `{blueprint}` has no example spec"))?;
    let text = bp.text(example).unwrap_or_default();
    environment()
        .render_named_str(
            &bp.display_path(example),
            &text,
            minijinja::context! {
                name => name, platform => platform, baseImageDigest => base_image_digest, footprint => footprint,
                runtime => runtime
            },
        )
        .map_err(|e| format!("the example spec of `{blueprint}` does not render: {e:#}"))
}

#[cfg(test)]
mod tests {
    use super::folder_order;

    #[test]
    fn every_template_gen_ships_compiles() {
        // A render compiles gen's own templates as it uses them: one that no spec of the tests
        // renders is compiled here, and a syntax error in it fails this test, not a user's render.
        let known = crate::platform::Known::builtin();
        let catalog = crate::blueprint::Catalog::load(&[] as &[&str], &crate::lint::family_names(), known)
            .expect("the catalog loads");
        let all: Vec<&crate::blueprint::Blueprint> = std::iter::once(catalog.base()).chain(catalog.all()).collect();
        assert!(all.iter().all(|bp| bp.is_built_in()) && all.len() > 1);
        let mut failed = Vec::new();
        super::files::compile(&all, &mut |name, _, e| failed.push(format!("{name}: {e}")));
        assert!(failed.is_empty(), "{failed:#?}");
    }

    #[test]
    fn the_compile_of_every_template_names_each_that_does_not_compile() {
        // The check above can fail: a blueprint with a broken template (here a user's, which
        // every render compiles whole) is named, with its line.
        let dir = tempfile::tempdir().expect("tempdir");
        let yaml = "name: flask\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {type: object}\n\
                    files:\n  - {source: t, target: x, ownership: managed}\n";
        std::fs::write(dir.path().join("blueprint.yaml"), yaml).expect("write");
        std::fs::write(dir.path().join("e.yaml"), "").expect("write");
        std::fs::write(dir.path().join("t"), "fine\n<% if %>\n").expect("write");
        let known = crate::platform::Known::builtin();
        let catalog = crate::blueprint::Catalog::load(&[dir.path()], &crate::lint::family_names(), known)
            .expect("the catalog loads");
        let flask = catalog.all().find(|bp| !bp.is_built_in()).expect("the user's flask");
        let mut failed = Vec::new();
        super::files::compile(&[flask], &mut |name, _, e| failed.push((name.to_string(), e.line())));
        assert_eq!(failed.len(), 1, "{failed:?}");
        assert!(failed[0].0.ends_with("/t") && failed[0].1 == Some(2), "{failed:?}");
    }

    #[test]
    fn a_folders_files_stay_together_when_a_subfolder_sorts_among_them() {
        let mut paths =
            vec!["m/shop/service.yaml", "m/shop/identity/kustomization.yaml", "m/shop/hpa.yaml", "m/shop-api/a.yaml"];
        paths.sort_by(|a, b| folder_order(a).cmp(&folder_order(b)));
        assert_eq!(
            paths,
            ["m/shop/hpa.yaml", "m/shop/service.yaml", "m/shop-api/a.yaml", "m/shop/identity/kustomization.yaml"]
        );
    }
}
