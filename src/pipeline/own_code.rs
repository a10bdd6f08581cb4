//! A service whose code is its own (`source:`): its folder holds what gen's files build and
//! test it from, found out before any build. The locks are read from disk and linted as the
//! locks `pip install --require-hashes` installs (REQ001, REQ002, at their lines); what is
//! missing is reported at the spec's `source`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::blueprint::{Catalog, Kind};
use crate::declare_rule;
use crate::diag::{Findings, Source};
use crate::lint::requirements::includes;
use crate::lint::{self, Artifact};
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a service whose code is its own (`source:`) when its folder does not hold
    /// what gen's files build and test it from: the folder itself, each lock its blueprint
    /// installs (for `flask`, `params.requirements` and `requirements-dev.txt`) with the files
    /// the tests' locks include (`-r FILE`, linted as hashed locks too; the image's lock, which
    /// the Dockerfile copies alone, can include none), the packages the image runs besides the
    /// code (for `flask`, gunicorn, in the image's lock), and the module of its entry point
    /// (`params.entrypoint`). A service of gen's scaffold whose lock, kept in the output as
    /// the user has it, lacks such a package (a lock written before the blueprint needed it)
    /// is reported at the lock.
    ///
    /// ## Why it matters
    /// The Dockerfile gen renders copies the lock and installs it with `--require-hashes`, the
    /// pipeline's test job installs the development lock, and gunicorn imports the entry
    /// point's module when the pod starts. Without them the first `docker build`, the first
    /// test job, or the first pod fails, after a commit and a push; gen reads the folder and
    /// says so before any of them.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     source: src/api        # holds app.py, no requirements.txt
    ///     params: {entrypoint: "wsgi:app"}
    /// ```
    ///
    /// ## How to fix
    /// Lock the dependencies with their hashes in the code's folder: `pip-compile
    /// --generate-hashes -o requirements.txt requirements.in` (or `uv pip compile
    /// --generate-hashes`), and the same for `requirements-dev.txt` (with pytest); name the
    /// module that defines the application in `params.entrypoint` (`module:app`, or
    /// `module:create_app()` for a factory); or correct `source:`.
    pub static RULE = ("SPEC167", "own-code-incomplete", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a service whose code is its own (`source:`) when no file of its folder names
    /// a health path the pod is probed on (`health.liveness`, `health.readiness`; by default
    /// `/healthz` and `/readyz`) as a quoted literal, as a route declares it
    /// (`@app.get("/healthz")`).
    ///
    /// ## Why it matters
    /// Kubernetes probes the paths the spec names; gen's scaffold serves them, code of its own
    /// may not. A readiness path the app answers with 404 keeps every pod out of its Service,
    /// and a liveness one restarts them: the first deploy waits, then rolls back.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     source: src/api        # its routes: "/" and "/health"
    /// ```
    ///
    /// ## How to fix
    /// Name the paths the app answers (`health: {liveness: /health, readiness: /health}`), or
    /// add routes for `/healthz` and `/readyz`. A path built at run time (a blueprint's
    /// `url_prefix` before its route) is not seen: silence the warning for that service with
    /// an `ignore` entry of the spec's `lint:` block.
    pub static UNSERVED_HEALTH_PATH = ("SPEC169", "unserved-health-path", Warning);
}

/// The most files, and the largest, [`names_path`] reads of a code folder.
const MAX_CODE_FILES: usize = 5_000;
const MAX_CODE_FILE_BYTES: u64 = 1 << 20;

/// Whether a file under `dir` names `path` as a quoted literal (`"/healthz"`, `'/healthz'`):
/// read are text files up to [`MAX_CODE_FILE_BYTES`], at most [`MAX_CODE_FILES`] of them,
/// outside hidden folders and installed packages. Links are not followed.
fn names_path(dir: &Path, paths: &[&str]) -> Vec<bool> {
    let quoted: Vec<[String; 2]> = paths.iter().map(|p| [format!("\"{p}\""), format!("'{p}'")]).collect();
    let mut found = vec![false; paths.len()];
    let skipped = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() > 0
            && e.file_type().is_dir()
            && (name.starts_with('.')
                || matches!(name.as_ref(), "node_modules" | "venv" | "site-packages" | "__pycache__"))
    };
    let files = walkdir::WalkDir::new(dir).max_depth(24).into_iter().filter_entry(|e| !skipped(e)).flatten();
    for entry in files.filter(|e| e.file_type().is_file()).take(MAX_CODE_FILES) {
        if entry.metadata().is_ok_and(|m| m.len() > MAX_CODE_FILE_BYTES) {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        for (hit, [double, single]) in found.iter_mut().zip(&quoted) {
            *hit = *hit || text.contains(double.as_str()) || text.contains(single.as_str());
        }
        if found.iter().all(|f| *f) {
            break;
        }
    }
    found
}

/// What each service with code of its own lacks, and the findings of its locks. The spec is
/// read from its file's folder on disk (`loaded`'s source name); a spec that is not a file (a
/// test's text) has no folder to read, and nothing is checked.
pub fn check(loaded: &Loaded, catalog: &Catalog) -> Findings {
    let mut findings = Findings::default();
    if !loaded.spec.services.iter().any(|s| s.source.is_some()) {
        return findings;
    }
    let spec_path = Path::new(loaded.source().name());
    if !spec_path.is_file() {
        return findings;
    }
    let spec_dir = spec_path.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(params) = crate::blueprint::resolve_params(loaded, catalog) else { return findings };
    let root = repository_root(spec_dir);
    let requirements = lint::family("requirements");
    for (i, (svc, (bp, params))) in loaded.spec.services.iter().zip(&params).enumerate() {
        let Some(source) = &svc.source else { continue };
        if bp.kind != Kind::Service {
            continue;
        }
        let at = route!["services", i, "source"];
        let dir = spec_dir.join(source);
        let shown = super::display(&dir);
        let real = match dir.canonicalize() {
            Ok(real) if real.is_dir() => real,
            _ => {
                findings.diagnostics.push(
                    loaded
                        .at(
                            &RULE,
                            &at,
                            false,
                            format!("the code's folder `{shown}` does not exist (from the spec's folder)"),
                        )
                        .help("name the folder that holds the service's code, from the spec's folder"),
                );
                continue;
            }
        };
        if let Some(root) = &root
            && !real.starts_with(root)
        {
            findings.diagnostics.push(loaded.at(
                &RULE,
                &at,
                false,
                format!(
                    "`{shown}` leads out of the repository (to {}): the pipeline builds only what is in it",
                    real.display()
                ),
            ));
            continue;
        }
        let Some(recipe) = &bp.runtime.source else { continue };
        let locks = recipe.locks_for(params);
        // The locks, then the files they include (`-r FILE`), which pip installs in hash mode
        // too: each read once, at most MAX_INCLUDED of them.
        let mut queue: Vec<String> = locks.clone();
        let mut seen: Vec<String> = Vec::new();
        while let Some(lock) = queue.first().cloned() {
            queue.remove(0);
            if seen.contains(&lock) || seen.len() >= locks.len() + MAX_INCLUDED {
                continue;
            }
            seen.push(lock.clone());
            let lock = &lock;
            let path = dir.join(lock);
            let shown_lock = super::display(&path);
            let text = match std::fs::metadata(&path) {
                Ok(m) if m.is_file() && m.len() <= super::MAX_ARTIFACT_BYTES => {
                    std::fs::read(&path).ok().map(|b| String::from_utf8_lossy(&b).into_owned())
                }
                Ok(m) if m.is_file() => {
                    findings.diagnostics.push(loaded.at(
                        &RULE,
                        &at,
                        false,
                        format!("`{shown_lock}` is over {} MiB: not a lock gen reads", super::MAX_ARTIFACT_BYTES >> 20),
                    ));
                    continue;
                }
                _ => None,
            };
            let Some(text) = text else {
                findings.diagnostics.push(
                    loaded
                        .at(&RULE, &at, false, format!("`{shown}` has no `{lock}`, which {} installs with `--require-hashes`", installer(lock, locks.first())))
                        .help("write it with its hashes: `pip-compile --generate-hashes` (or `uv pip compile --generate-hashes`) from the packages the code needs"),
                );
                continue;
            };
            for (line, included) in includes(&text) {
                let rel = Path::new(lock).parent().unwrap_or(Path::new("")).join(&included);
                let rel = rel.to_string_lossy().into_owned();
                if locks.first() == Some(lock) {
                    // gen's Dockerfile copies the image's lock alone, then installs it.
                    findings.diagnostics.push(
                        loaded
                            .at(&RULE, &at, false, format!("`{shown_lock}` includes `{included}` (line {line}): gen's Dockerfile copies the lock alone before installing it, so the image's build cannot read `{included}`"))
                            .help("compile one lock that holds every package with its hashes: `pip-compile --generate-hashes` writes the included files' packages into it"),
                    );
                } else if dir.join(&rel).canonicalize().is_ok_and(|p| p.starts_with(&real)) {
                    queue.push(rel);
                } else {
                    findings.diagnostics.push(loaded.at(
                        &RULE,
                        &at,
                        false,
                        format!("`{shown_lock}` includes `{included}` (line {line}), which is not a file of `{shown}`"),
                    ));
                }
            }
            if locks.first() == Some(lock) {
                for package in unpinned(recipe, &text) {
                    findings.diagnostics.push(
                        loaded
                            .at(&RULE, &at, false, format!("`{shown_lock}` does not pin `{package}`, which gen's image runs: the image would build, and its container fail to start"))
                            .help(format!("add `{package}` to the packages the lock is compiled from (`requirements.in`), and compile it again with `--generate-hashes`")),
                    );
                }
            }
            if let Some(family) = requirements {
                // Installed by gen's files with hash checking: judged as such, as the service's file.
                let artifact = Artifact {
                    source: Source::new(shown_lock, text),
                    spec: Some(loaded.spec.clone()),
                    service: Some(i),
                    path: Some(lock.clone()),
                    set: None,
                    deployed: None,
                };
                findings.extend(lint::lint_files(family, &mut std::iter::once(artifact)));
            }
        }
        // The paths the pod is probed on, each named somewhere in the code.
        let health = [("liveness", svc.health.liveness.as_str()), ("readiness", svc.health.readiness.as_str())];
        let paths: Vec<&str> = health.iter().map(|(_, p)| *p).collect();
        for ((probe, path), named) in health.iter().zip(names_path(&real, &paths)) {
            if named || health.iter().take_while(|(p, _)| p != probe).any(|(_, earlier)| earlier == path) {
                continue;
            }
            let route = route!["services", i, "health", *probe];
            let route = if loaded.doc.root.lookup(&route).is_some() { route } else { at.clone() };
            findings.diagnostics.push(
                loaded
                    .at(&UNSERVED_HEALTH_PATH, &route, false, format!("no file of `{shown}` names `{path}`, the service's {probe} path: the app may answer its probe with 404"))
                    .help(format!("name the path the app serves for its {probe} probe (`health.{probe}`), or add a route for `{path}`")),
            );
        }
        if let Some(param) = &recipe.module_param
            && let Some(entry) = params.get(param).and_then(|v| v.as_str())
            && let Some((module, _)) = entry.split_once(':')
        {
            let file = module.replace('.', "/");
            let found = [format!("{file}.py"), format!("{file}/__init__.py")].iter().any(|f| dir.join(f).is_file());
            if !found {
                let route = route!["services", i, "params", param.as_str()];
                let route = if loaded.doc.root.lookup(&route).is_some() { route } else { at.clone() };
                findings.diagnostics.push(
                    loaded
                        .at(&RULE, &route, false, format!("the entry point `{entry}` imports `{module}`, and `{shown}` has neither `{file}.py` nor `{file}/__init__.py`"))
                        .help(format!("name the module that defines the application in `params.{param}` (`module:app`, or `module:create_app()` for a factory)")),
                );
            }
        }
    }
    if !findings.diagnostics.is_empty() {
        findings.sources.add(Arc::clone(loaded.source()));
    }
    findings
}

/// The kept scaffold locks among `kept` (a service's code gen wrote once, kept in the output
/// as the user has it) that an image installs without a package its blueprint's server needs:
/// a lock scaffolded before the blueprint asked for it (prometheus-client for flask's metrics)
/// builds an image whose container fails to start. Reported at the lock, under [`RULE`].
pub fn kept_locks<'a>(
    kept: impl Iterator<Item = &'a crate::render::PlannedFile>,
    loaded: &Loaded,
    catalog: &Catalog,
    out: &str,
) -> Findings {
    let mut findings = Findings::default();
    let Ok(params) = crate::blueprint::resolve_params(loaded, catalog) else { return findings };
    for file in kept {
        let Some((bp, params)) = file.service.and_then(|i| params.get(i)) else { continue };
        let Some(recipe) = &bp.runtime.source else { continue };
        let Some(lock) = recipe.locks_for(params).into_iter().next() else { continue };
        if !file.path.ends_with(&format!("/{lock}")) {
            continue;
        }
        let text = String::from_utf8_lossy(&file.bytes).into_owned();
        let missing = unpinned(recipe, &text);
        if missing.is_empty() {
            continue;
        }
        let shown = format!("{out}/{}", file.path);
        let names = missing.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
        let first = text.lines().next().map_or(0, str::len);
        findings.diagnostics.push(
            crate::diag::Diagnostic::new(
                &RULE,
                &shown,
                Some(crate::diag::Span::new(0, first)),
                format!("`{shown}` does not pin {names}, which gen's image runs (blueprint `{}`): the image would build, and its container fail to start", bp.name),
            )
            .help(format!(
                "add {names} to `requirements.in` beside it (gen's scaffold pins {}), and compile the lock again with `pip-compile --generate-hashes`; this file is yours (gen wrote it once)",
                missing.iter().map(|p| p.as_str()).collect::<Vec<_>>().join(", ")
            )),
        );
        findings.sources.add(Source::new(shown, text));
    }
    findings
}

/// The names of the packages a requirements file lists, as pip compares them.
fn pinned_names(text: &str) -> Vec<String> {
    lint::requirements::parse(text).requirements.iter().map(lint::requirements::Requirement::name).collect()
}

/// The packages the image runs besides the code (`recipe.packages`) that the lock `text` does
/// not list, as pip compares names.
fn unpinned<'r>(recipe: &'r crate::blueprint::SourceRecipe, text: &str) -> Vec<&'r String> {
    let pinned = pinned_names(text);
    recipe.packages.iter().filter(|p| !pinned.contains(&lint::requirements::canonical_name(p))).collect()
}

/// The most files the locks may include, all together.
const MAX_INCLUDED: usize = 16;

/// Who installs `lock`: the image (the first lock) or the tests (the pipeline's test job, a
/// local deploy script).
fn installer(lock: &str, first: Option<&String>) -> &'static str {
    if first.is_some_and(|f| f == lock) { "gen's Dockerfile" } else { "the service's tests" }
}

/// The repository the spec is in (the nearest folder above it holding `.git`), resolved.
fn repository_root(spec_dir: &Path) -> Option<PathBuf> {
    let dir = spec_dir.canonicalize().ok()?;
    dir.ancestors().find(|d| d.join(".git").exists()).map(Path::to_path_buf)
}

#[cfg(test)]
mod tests {
    use super::includes;

    #[test]
    fn includes_are_read_in_every_spelling_pip_takes() {
        let text = "-r base.txt\n--requirement=common.txt  # shared\n-cconstraints.txt\nflask==3.1.0 \\\n    --hash=sha256:ab\n# -r commented.txt\n--constraint\tpins.txt\n";
        let expected = [(1, "base.txt"), (2, "common.txt"), (3, "constraints.txt"), (7, "pins.txt")];
        assert_eq!(includes(text), expected.map(|(n, f)| (n, f.to_string())));
    }

    #[test]
    fn a_lock_s_packages_are_named_as_pip_compares_them() {
        let names = super::pinned_names(
            "Gunicorn==23.0.0 \\\n    --hash=sha256:ab\nzope.Interface[x]>=7\n# flask\n-r base.txt\n",
        );
        assert_eq!(names, ["gunicorn", "zope-interface"]);
    }
}
