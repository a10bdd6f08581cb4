//! `gen init --from DIR`: a spec inferred from a repository that already deploys a service by
//! hand. Readers, one per kind of file (Dockerfile, compose, Kubernetes manifests, Helm chart,
//! GitHub workflow, Terraform, the code, the git remote), each record what they read with its
//! file and line; the services they find are matched into one list; `write` turns that into
//! a commented spec whose every inferred value names its source, and `settle` takes it through
//! the pipeline, turning each value gen refuses into a located TODO. Nothing under the folder is
//! ever written: the walk only reads, within bounds.

mod code;
mod compose;
mod dockerfile;
mod helm;
mod kubernetes;
pub mod model;
mod settle;
mod terraform;
pub mod walk;
mod workflow;
mod write;
mod yamls;

use std::path::{Path, PathBuf};

use model::{Kind, Origin, Repository, Service};
use walk::RepoFile;

pub use settle::{Settled, settle};
pub use write::{Doc, Options, TODO, write};

/// Why a folder cannot be adopted.
#[derive(Debug, thiserror::Error)]
pub enum AdoptError {
    #[error("{0} does not exist: name the folder of the repository to read")]
    Missing(String),
    #[error("{0} is not a folder: name the folder of the repository to read")]
    NotAFolder(String),
    #[error("{0} cannot be read: {1}")]
    Unreadable(String, std::io::Error),
}

/// Reads the repository at `dir` (never writing under it); `skip` are folders not read (where
/// the spec's render would go).
pub fn read(dir: &Path, skip: &[PathBuf]) -> Result<Repository, AdoptError> {
    check_folder(dir)?;
    let walked = walk::walk(dir, skip);
    let mut repo = Repository { read: walked.files.len(), ..Repository::default() };
    for (path, why) in walked.notes {
        repo.notes.push(format!("skipped {path}: {why}"));
    }
    infer(&walked.files, &mut repo);
    if repo.name.is_empty()
        && let Some(folder) =
            std::fs::canonicalize(dir).ok().and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
    {
        repo.name.add(folder, Origin::new(".", 0), Kind::Git);
    }
    Ok(repo)
}

/// Whether `dir` is a folder that can be read.
pub fn check_folder(dir: &Path) -> Result<(), AdoptError> {
    let shown = dir.display().to_string();
    let meta = std::fs::metadata(dir).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => AdoptError::Missing(shown.clone()),
        _ => AdoptError::Unreadable(shown.clone(), e),
    })?;
    if !meta.is_dir() {
        return Err(AdoptError::NotAFolder(shown));
    }
    std::fs::read_dir(dir).map_err(|e| AdoptError::Unreadable(shown.clone(), e))?;
    Ok(())
}

/// What the files say, read into `repo`.
fn infer(files: &[RepoFile], repo: &mut Repository) {
    let mut manifests = Vec::new();
    let mut charts: Vec<(&RepoFile, Option<&RepoFile>)> = Vec::new();
    let mut composed = Vec::new();
    let mut dockerfiles = Vec::new();
    let mut terraform = Vec::new();
    let chart_dirs: Vec<String> = files
        .iter()
        .filter(|f| f.rel.rsplit('/').next() == Some("Chart.yaml"))
        .map(|f| dockerfile::folder(&f.rel))
        .collect();
    let in_chart = |rel: &str| chart_dirs.iter().any(|d| d == "." || rel.starts_with(&format!("{d}/")));
    let (patches, overlays) = kustomizations(files);
    for f in files {
        let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
        let lower = name.to_ascii_lowercase();
        if f.rel == ".git/config" {
            git_remote(f, repo);
        } else if lower == "dockerfile"
            || lower == "containerfile"
            || lower.starts_with("dockerfile.")
            || lower.ends_with(".dockerfile")
        {
            match dockerfile::read(f) {
                Ok(s) => dockerfiles.push(s),
                Err(why) => repo.notes.push(format!("skipped {}: {why}", f.rel)),
            }
        } else if lower.ends_with(".tf") || lower.ends_with(".tfvars") {
            match terraform::parse(f) {
                Ok(p) => terraform.push(p),
                Err(why) => repo.notes.push(format!("skipped {}: {why}", f.rel)),
            }
        } else if name == "Chart.yaml" {
            let values = files.iter().find(|v| v.rel == dockerfile::join(&dockerfile::folder(&f.rel), "values.yaml"));
            charts.push((f, values));
        } else if lower.ends_with(".json") {
            if f.text.contains("\"containerDefinitions\"") {
                repo.platform.aws.push(Origin::new(&f.rel, 1));
            }
        } else if lower.ends_with(".yaml") || lower.ends_with(".yml") {
            // A chart's templates are the chart's; a gen spec (an earlier run's) is not the repository's deployment.
            if in_chart(&f.rel) || f.text.lines().any(|l| l.trim_end() == "apiVersion: gen/v1") {
                continue;
            }
            if workflow::is_workflow(&f.rel) {
                match yamls::load(f, false) {
                    Ok(y) => workflow::read(&y, &mut repo.platform),
                    Err(why) => repo.notes.push(format!("skipped {}: {why}", f.rel)),
                }
            } else if compose::is_compose(&f.rel) {
                match yamls::load(f, false) {
                    Ok(y) => composed.push(y),
                    Err(why) => repo.notes.push(format!("skipped {}: {why}", f.rel)),
                }
            } else if patches.contains(&f.rel) {
                repo.notes.push(format!("skipped {}: a kustomize patch (its base is read)", f.rel));
            } else if looks_like_manifest(&f.text) {
                match yamls::load(f, true) {
                    Ok(y) => manifests.push(y),
                    Err(why) => repo.notes.push(format!("skipped {}: {why}", f.rel)),
                }
            }
        }
    }
    terraform::read(&terraform, &mut repo.platform);
    let kube = kubernetes::read(&manifests);
    repo.dependencies.extend(kube.dependencies);
    for (acr, from) in kube.registries {
        repo.platform.acr_name.add(acr, from, Kind::Kubernetes);
    }
    let mut helm = Vec::new();
    for (chart, values) in charts {
        let chart_yaml = match yamls::load(chart, false) {
            Ok(y) => y,
            Err(why) => {
                repo.notes.push(format!("skipped {}: {why}", chart.rel));
                continue;
            }
        };
        let values_yaml = match values.map(|v| yamls::load(v, false)) {
            Some(Ok(y)) => Some(y),
            Some(Err(why)) => {
                repo.notes.push(format!("skipped {}: {why}", values.map_or("", |v| v.rel.as_str())));
                None
            }
            None => None,
        };
        let dir = dockerfile::folder(&chart.rel);
        let template = dockerfile::join(&dir, "templates/deployment.yaml");
        let deployment = files.iter().find(|f| f.rel == template);
        let helpers = dockerfile::join(&dir, "templates/_helpers.tpl");
        let helpers = files.iter().find(|f| f.rel == helpers);
        helm.extend(
            helm::read(&chart_yaml, values_yaml.as_ref(), deployment, helpers)
                .map(|s| Service { chart: Some(dir), ..s }),
        );
    }
    let mut compose_services = Vec::new();
    for y in &composed {
        compose::read(y, &mut compose_services, &mut repo.dependencies, &mut repo.workers);
    }
    // The services: the cluster's own manifests name them best, then charts, then compose.
    let mut services: Vec<Service> = Vec::new();
    for group in [kube.services, helm, compose_services] {
        if services.is_empty() {
            services = group;
            continue;
        }
        for s in group {
            attach(&mut services, s, &mut repo.notes);
        }
    }
    apply_overlays(overlays, &mut services, &repo.platform);
    // Dockerfiles: the one a compose service builds, else the one service's; the plain
    // `Dockerfile` before variants (`Dockerfile.dev`), the shallowest first.
    dockerfiles.sort_by_key(|d| {
        let path = d.dockerfile.clone().unwrap_or_default();
        let plain = path.rsplit('/').next().is_some_and(|n| n == "Dockerfile");
        (!plain, path.matches('/').count(), path)
    });
    for d in dockerfiles {
        let path = d.dockerfile.clone().unwrap_or_default();
        if let Some(s) = services.iter_mut().find(|s| s.dockerfile.as_deref() == Some(path.as_str())) {
            // A compose service named it: its context is the build's.
            let context = s.build_context.take();
            s.merge(Service { build_context: None, dockerfile: None, ..d });
            s.build_context = context;
            continue;
        }
        let unbuilt: Vec<usize> = (0..services.len()).filter(|&i| services[i].dockerfile.is_none()).collect();
        let folder = dockerfile::folder(&path);
        let by_folder = unbuilt.iter().copied().find(|&i| {
            let last = folder.rsplit('/').next().unwrap_or(&folder);
            services[i].name.0.iter().any(|n| n.value == last)
        });
        match by_folder.or_else(|| (unbuilt.len() == 1 && services.len() == 1).then(|| unbuilt[0])) {
            Some(i) => services[i].merge(d),
            None if services.is_empty() => services.push(d),
            None => {
                repo.notes.push(format!("read {path}, but could not tell which service it builds: not carried over"))
            }
        }
    }
    let code = code::Code::new(files);
    if services.is_empty()
        && let Some((folder, entry, from)) = code.apps().into_iter().next()
    {
        let mut s = Service { build_context: Some(folder), ..Service::default() };
        s.entrypoint.add(entry, from, Kind::Code);
        services.push(s);
    }
    for s in &mut services {
        resolve_code(s, &code);
        health_routes(s, &code);
        entry_scripts(s, files);
    }
    // With no zone of Terraform's, the hosts the Ingresses route suggest one (`orders.contoso.com`:
    // `contoso.com`): no file states it, so it is a guess, said as one.
    if repo.platform.dns_zone.is_empty() {
        for host in services.iter().flat_map(|s| &s.host.0) {
            if let Some((_, zone)) = host.value.split_once('.')
                && zone.contains('.')
            {
                repo.platform.dns_zone.add(zone.to_string(), host.from.clone(), host.kind);
                if repo.platform.dns_zone_guessed_from.is_none() {
                    repo.platform.dns_zone_guessed_from = Some((host.value.clone(), host.from.clone()));
                }
            }
        }
    }
    repo.services = services;
}

/// Whether a YAML text may be a Kubernetes manifest: `apiVersion:` and `kind:` at a line's start.
fn looks_like_manifest(text: &str) -> bool {
    let starts = |k: &str| text.lines().any(|l| l.trim_start_matches("- ").starts_with(k));
    starts("apiVersion:") && starts("kind:")
}

/// A kustomization that sets values over its bases (an overlay): its folder, and what it sets
/// of each service, by the service's name.
struct Overlay {
    dir: String,
    sets: Vec<(String, Service)>,
}

/// The files kustomizations name as patches (their base is read as the service, patched per
/// overlay), and what each overlay sets: its patches' replicas and resources, and its
/// `replicas:` field.
fn kustomizations(files: &[RepoFile]) -> (Vec<String>, Vec<Overlay>) {
    let (mut patches, mut overlays) = (Vec::new(), Vec::new());
    for f in
        files.iter().filter(|f| matches!(f.rel.rsplit('/').next(), Some("kustomization.yaml" | "kustomization.yml")))
    {
        let Ok(y) = yamls::load(f, false) else { continue };
        let dir = dockerfile::folder(&f.rel);
        let mut sets = Vec::new();
        for root in &y.docs {
            for key in ["patchesStrategicMerge", "patches"] {
                for p in yamls::items(root.get(key)) {
                    let file = p.as_str().or_else(|| p.get("path").and_then(crate::yaml::Node::as_str));
                    if let Some(file) = file {
                        let rel = dockerfile::join(&dir, file);
                        if let Some(patch) = files.iter().find(|p| p.rel == rel)
                            && let Ok(y) = yamls::load(patch, true)
                        {
                            sets.extend(kubernetes::patched(&y));
                        }
                        patches.push(rel);
                    }
                }
            }
            for r in yamls::items(root.get("replicas")) {
                if let Some(name) = r.get("name").and_then(crate::yaml::Node::as_str)
                    && let Some(n) = r.get("count")
                    && let Some(count) = yamls::int(n).and_then(|c| u32::try_from(c).ok())
                {
                    let mut s = Service::default();
                    s.replicas.add(count, y.at(n), Kind::Kubernetes);
                    sets.push((kubernetes::service_name(name), s));
                }
            }
        }
        if !sets.is_empty() {
            overlays.push(Overlay { dir, sets });
        }
    }
    (patches, overlays)
}

/// What overlays set over the services' bases: the one a workflow applies (`kubectl apply -k`)
/// wins, said so; another's value that differs from the base's is a conflict and a TODO.
fn apply_overlays(overlays: Vec<Overlay>, services: &mut [Service], platform: &model::Platform) {
    for o in overlays {
        let applied = platform.deploy_steps.iter().find(|d| {
            d.kustomize
                && d.applies.as_deref().is_some_and(|a| a.trim_start_matches("./").trim_end_matches('/') == o.dir)
        });
        for (name, set) in o.sets {
            let Some(s) = services.iter_mut().find(|s| s.name.0.iter().any(|n| key(&n.value) == key(&name))) else {
                continue;
            };
            let at = applied.map(|d| &d.at);
            let todos = &mut s.todos;
            overlay(&mut s.replicas, set.replicas, "replicas", &o.dir, at, todos);
            overlay(&mut s.cpu_request, set.cpu_request, "resources.requests.cpu", &o.dir, at, todos);
            overlay(&mut s.memory_request, set.memory_request, "resources.requests.memory", &o.dir, at, todos);
            overlay(&mut s.cpu_limit, set.cpu_limit, "resources.limits.cpu", &o.dir, at, todos);
            overlay(&mut s.memory_limit, set.memory_limit, "resources.limits.memory", &o.dir, at, todos);
            if let Some(d) = applied {
                s.remarks.push((
                    format!(
                        "the overlay {} is what the team's workflow applies: its values are written over the base's",
                        o.dir
                    ),
                    d.at.clone(),
                ));
            }
        }
    }
}

/// An overlay's values of one setting: first (written) when a workflow applies the overlay
/// (`applied`), else after the base's, with a TODO where they differ.
fn overlay<T: Clone + PartialEq + std::fmt::Display>(
    base: &mut model::Facts<T>,
    set: model::Facts<T>,
    what: &str,
    dir: &str,
    applied: Option<&Origin>,
    todos: &mut Vec<String>,
) {
    for f in set.0 {
        if applied.is_some() {
            base.0.insert(0, f);
            continue;
        }
        if let Some(b) = base.pick().filter(|b| b.value != f.value) {
            todos.push(format!(
                "{}: the overlay {dir} sets {what} {}, not the {} written ({}), and no workflow applies it \
                 (`kubectl apply -k {dir}`): write the value of the environment this spec deploys",
                f.from, f.value, b.value, b.from
            ));
        }
        base.0.push(f);
    }
}

/// A name as the readers compare it: lowercase, without a kind suffix.
fn key(name: &str) -> String {
    let lower = name.to_ascii_lowercase();
    let mut k = lower.as_str();
    for suffix in ["-service", "-svc", "-app", "-application", "-web"] {
        k = k.strip_suffix(suffix).unwrap_or(k);
    }
    k.to_string()
}

/// Merges a service found by a lesser reader into the one of the same name, or the only one.
fn attach(services: &mut [Service], s: Service, notes: &mut Vec<String>) {
    let keys: Vec<String> = s.name.0.iter().map(|n| key(&n.value)).collect();
    let by_name = services.iter().position(|p| p.name.0.iter().any(|n| keys.contains(&key(&n.value))));
    match by_name.or_else(|| (services.len() == 1).then_some(0)) {
        Some(i) => services[i].merge(s),
        None => {
            let what = s.name.pick().map_or_else(|| "a service".to_string(), |n| format!("`{}` ({})", n.value, n.from));
            notes
                .push(format!("read {what}, but it matches none of the services the manifests name: not carried over"));
        }
    }
}

/// The code's folder, entry point and requirements for a service, from what its Dockerfile
/// copies and runs and what the code defines.
fn resolve_code(s: &mut Service, code: &code::Code<'_>) {
    let context = s.build_context.clone().unwrap_or_else(|| ".".into());
    let mut folder: Option<String> = None;
    if let Some(entry) = s.entrypoint.pick().cloned() {
        let module = entry.value.split(':').next().unwrap_or_default().to_string();
        match code.folders_with(&context, &module).into_iter().next() {
            Some(f) => folder = Some(f),
            None => s.todos.push(format!(
                "{}: the entry point's module `{module}` is not a Python file under {context}: write the code's folder in \
                 source and its module in params.entrypoint",
                entry.from
            )),
        }
    } else if let Some((module, from)) = s.entry_module.clone() {
        match code.folders_with(&context, &module).into_iter().next() {
            Some(f) => {
                let file = code.module_file(&f, &module);
                match file.and_then(|file| code.callable(file).map(|c| (file, c))) {
                    Some((file, (callable, line))) => {
                        s.entrypoint.add(format!("{module}:{callable}"), Origin::new(file, line), Kind::Code);
                    }
                    None => s.todos.push(format!(
                        "{from} runs the module `{module}`, which defines no Flask app gen can tell: write \
                         params.entrypoint (`{module}:app`, or `{module}:create_app()`)"
                    )),
                }
                folder = Some(f);
            }
            None => s.todos.push(format!("{from} runs the module `{module}`, which is not in the repository")),
        }
    } else if let Some((f, entry, from)) = code
        .apps()
        .into_iter()
        .find(|(f, _, _)| context == "." || f == &context || f.starts_with(&format!("{context}/")))
    {
        s.entrypoint.add(entry, from, Kind::Code);
        folder = Some(f);
    } else {
        s.todos.push(
            "no Flask app found (a package whose __init__.py defines create_app, or a module with `app = Flask(`): write \
             the code's folder in source and its WSGI app in params.entrypoint"
                .into(),
        );
    }
    let Some(folder) = folder else { return };
    // Where the source came from: the COPY that brings it (or all of the context) into the image.
    let inside = |src: &String| folder == "." || src.starts_with(&format!("{folder}/"));
    let copy = s
        .copies
        .iter()
        .find(|(src, _, _)| *src == folder)
        .or_else(|| s.copies.iter().find(|(src, _, _)| *src == context))
        .or_else(|| s.copies.iter().find(|(src, _, _)| inside(src)));
    let from = copy.map(|c| c.2.clone()).or_else(|| s.entrypoint.pick().map(|e| e.from.clone()));
    if let Some(from) = from {
        s.source.add(folder.clone(), from, if copy.is_some() { Kind::Dockerfile } else { Kind::Code });
    }
    // gen installs the code's requirements, and its tests', with `pip install --require-hashes`.
    let dev = dockerfile::join(&folder, "requirements-dev.txt");
    if !code.requirements.contains(&dev.as_str()) {
        s.todos.push(format!(
            "{folder} has no requirements-dev.txt, which gen's test job installs with --require-hashes: write it \
             (pytest and what the tests import), locked with `pip-compile --generate-hashes`"
        ));
    }
    // The tests' lock and what it includes, which gen's test job installs with hashes too
    // (the image's lock aside: said below).
    let image_lock = code.requirements_in(&folder);
    let mut queue: Vec<String> = if code.has(&dev) { vec![dev.clone()] } else { Vec::new() };
    let mut seen: Vec<String> = Vec::new();
    while let Some(lock) = queue.pop() {
        if seen.contains(&lock) || seen.len() > 16 {
            continue;
        }
        for (included, line) in code.included(&lock) {
            if !code.has(&included) {
                s.todos.push(format!(
                    "{lock}:{line} includes {included}, which gen's test job installs with `pip install \
                     --require-hashes` too, and gen did not read: lock it with hashes"
                ));
            }
            queue.push(included);
        }
        if Some(lock.as_str()) != image_lock
            && let Some(line) = code.unhashed(&lock)
        {
            let via = if lock == dev { String::new() } else { format!(", which {dev} includes") };
            s.todos.push(format!(
                "{lock}:{line} is not locked with hashes{via}, and gen's test job installs {dev} with `pip install \
                 --require-hashes`: lock it (`pip-compile --generate-hashes`)"
            ));
        }
        seen.push(lock);
    }
    match image_lock {
        Some(r) => {
            if let Some(line) = code.unhashed(r) {
                s.todos.push(format!(
                    "{r}:{line} is not locked with hashes, and gen's image installs it with `pip install \
                     --require-hashes`: lock it (`pip-compile --generate-hashes` from the packages it names)"
                ));
            }
            // What gen's image runs besides the code: gunicorn, and prometheus-client, with which
            // gen's gunicorn.conf.py serves the metrics (the flask blueprint's runtime.source.packages).
            for package in ["gunicorn", "prometheus-client"] {
                if !code.names(r, package) {
                    s.todos.push(format!(
                        "{r} does not name {package}, which gen's image runs: add it to the packages the lock is \
                         compiled from (the image would build, and its container fail to start)"
                    ));
                }
            }
            for (included, line) in code.included(r) {
                s.todos.push(format!(
                    "{r}:{line} includes {included}, and gen's Dockerfile copies the lock alone before installing it: \
                     compile one lock that holds every package with its hashes"
                ));
            }
            s.requirements.add(r.to_string(), Origin::new(r, 1), Kind::Code)
        }
        None => s.todos.push(format!(
            "no requirements.txt in {folder}: write params.requirements (a pip requirements file, relative to source)"
        )),
    }
}

/// The health routes the code serves, when no probe says which: the service's own folder's.
fn health_routes(s: &mut Service, code: &code::Code<'_>) {
    if !s.liveness.is_empty() || !s.readiness.is_empty() {
        return;
    }
    let folder =
        s.source.pick().map(|f| f.value.clone()).or_else(|| s.build_context.clone()).unwrap_or_else(|| ".".into());
    for (route, from) in code.health_routes(&folder) {
        let target = if code::READY_ROUTES.contains(&route.as_str()) { &mut s.readiness } else { &mut s.liveness };
        if target.is_empty() {
            target.add(route, from, Kind::Code);
        }
    }
}

/// What the scripts the image starts through run before the app (`flask db upgrade`), each
/// at its line, as the service's startup steps.
fn entry_scripts(s: &mut Service, files: &[RepoFile]) {
    for (script, at) in s.entry_scripts.clone() {
        let name = script.rsplit('/').next().unwrap_or(&script);
        let context = s.build_context.clone().unwrap_or_else(|| ".".into());
        let mut candidates: Vec<&RepoFile> = files.iter().filter(|f| f.rel.rsplit('/').next() == Some(name)).collect();
        candidates.sort_by_key(|f| (!(context == "." || f.rel.starts_with(&format!("{context}/"))), f.rel.len()));
        let Some(file) = candidates.first() else {
            s.todos.push(format!(
                "{at} starts the image through `{script}`, which is not in the repository: what it runs before the \
                 app is not carried over (gen's image runs gunicorn only)"
            ));
            continue;
        };
        for (i, line) in file.text.lines().enumerate() {
            let t = line.trim();
            if !t.starts_with('#') && dockerfile::is_step(t) {
                s.startup.push((
                    format!("`{t}` before the app starts ({at} starts the image through it)"),
                    Origin::new(&file.rel, i + 1),
                ));
            }
        }
    }
}

/// `[remote "origin"] url` of `.git/config` → `OWNER/NAME` on GitHub.
fn git_remote(file: &RepoFile, repo: &mut Repository) {
    let mut in_origin = false;
    for (i, line) in file.text.lines().enumerate() {
        let t = line.trim();
        if t.starts_with('[') {
            in_origin = t.replace(' ', "") == "[remote\"origin\"]";
            continue;
        }
        let Some(url) = t.strip_prefix("url").map(str::trim_start).and_then(|r| r.strip_prefix('=')).map(str::trim)
        else {
            continue;
        };
        if !in_origin {
            continue;
        }
        let from = Origin::new(&file.rel, i + 1);
        match github_repository(url) {
            Some(r) => {
                let name = r.rsplit('/').next().unwrap_or(&r).to_string();
                repo.platform.repository.add(r, from.clone(), Kind::Git);
                repo.name.add(name, from, Kind::Git);
            }
            None => {
                repo.notes.push(format!("{from}: the origin is not on GitHub: platform.github.repository is a TODO"))
            }
        }
    }
}

/// `OWNER/NAME` of a GitHub remote URL (https, ssh, scp-like).
fn github_repository(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("http://github.com/"))
        .or_else(|| url.strip_prefix("ssh://git@github.com/"))
        .or_else(|| url.strip_prefix("git@github.com:"))?;
    let rest = rest.trim_end_matches('/').trim_end_matches(".git");
    let (owner, name) = rest.split_once('/')?;
    let ok = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c));
    (ok(owner) && ok(name)).then(|| format!("{owner}/{name}"))
}

/// A DNS-1123 label made of `name` (lowercase, other characters as `-`), or `None`.
pub fn label(name: &str) -> Option<String> {
    let mut out = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    let out: String = out.trim_matches('-').chars().take(40).collect();
    let out = out.trim_end_matches('-').to_string();
    (!out.is_empty() && !out.starts_with(|c: char| c.is_ascii_digit())).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_github_remote_is_owner_and_name() {
        for url in
            ["https://github.com/acme/shop.git", "git@github.com:acme/shop.git", "ssh://git@github.com/acme/shop"]
        {
            assert_eq!(github_repository(url).as_deref(), Some("acme/shop"), "{url}");
        }
        assert_eq!(github_repository("https://gitlab.com/acme/shop"), None);
    }

    #[test]
    fn a_name_becomes_a_label() {
        assert_eq!(label("Flask_App").as_deref(), Some("flask-app"));
        assert_eq!(label("--").as_deref(), None);
    }
}
