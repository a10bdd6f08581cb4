//! The code: Flask apps (a package whose `__init__.py` defines `create_app`, a module with
//! `app = Flask(`), the callable a module started by `python X.py` or `flask run` serves, gunicorn
//! config files, and requirements files. Python is read line by line, not run.

use std::collections::BTreeMap;

use super::model::Origin;
use super::walk::RepoFile;

/// The routes a health probe may ask, gen's own (`/healthz`, `/readyz`) first; the ones before
/// [`READY_ROUTES`] say the app is alive.
pub const HEALTH_ROUTES: [&str; 12] = [
    "/healthz",
    "/livez",
    "/health/live",
    "/health",
    "/healthcheck",
    "/health-check",
    "/_health",
    "/ping",
    "/status",
    "/readyz",
    "/health/ready",
    "/ready",
];

/// The routes of [`HEALTH_ROUTES`] that say the app is ready to serve.
pub const READY_ROUTES: [&str; 3] = ["/readyz", "/health/ready", "/ready"];

/// Whether a Python file is a test's: under a `tests`/`test` folder, `conftest.py`,
/// `test_*.py` or `*_test.py`.
fn is_test(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    path.split('/').any(|p| p == "tests" || p == "test")
        || name == "conftest.py"
        || name.starts_with("test_")
        || name.ends_with("_test.py")
}

/// The repository's Python files and requirements, by path.
#[derive(Default)]
pub struct Code<'a> {
    pub python: BTreeMap<&'a str, &'a str>,
    pub requirements: Vec<&'a str>,
    /// The requirements files' texts.
    texts: BTreeMap<&'a str, &'a str>,
}

impl<'a> Code<'a> {
    pub fn new(files: &'a [RepoFile]) -> Code<'a> {
        let mut code = Code::default();
        for f in files {
            let name = f.rel.rsplit('/').next().unwrap_or(&f.rel);
            if name.ends_with(".py") {
                code.python.insert(&f.rel, &f.text);
            } else if name.starts_with("requirements") && name.ends_with(".txt") {
                code.requirements.push(&f.rel);
                code.texts.insert(&f.rel, &f.text);
            }
        }
        code
    }

    /// The file of `module` in `folder` (`pkg.app` → `folder/pkg/app.py` or its package).
    pub fn module_file(&self, folder: &str, module: &str) -> Option<&'a str> {
        let rel = module.replace('.', "/");
        [format!("{rel}.py"), format!("{rel}/__init__.py")]
            .into_iter()
            .map(|f| super::dockerfile::join(folder, &f))
            .find_map(|f| self.python.get_key_value(f.as_str()).map(|(k, _)| *k))
    }

    /// The folders (nearest `within` first) that hold `module`.
    pub fn folders_with(&self, within: &str, module: &str) -> Vec<String> {
        let rel = module.replace('.', "/");
        let mut found: Vec<String> = self
            .python
            .keys()
            .filter_map(|path| {
                let folder = path
                    .strip_suffix(&format!("/{rel}.py"))
                    .or_else(|| path.strip_suffix(&format!("/{rel}/__init__.py")))
                    .map(String::from)
                    .or_else(|| {
                        (*path == format!("{rel}.py") || *path == format!("{rel}/__init__.py")).then(|| ".".into())
                    })?;
                (within == "." || folder == within || folder.starts_with(&format!("{within}/"))).then_some(folder)
            })
            .collect();
        found.sort_by_key(|f| (f.matches('/').count(), f.clone()));
        found
    }

    /// The WSGI callable a module defines or imports, with its line: `app = Flask(...)`,
    /// `application = ...`, `from x import app`, or `create_app()` for a factory.
    pub fn callable(&self, file: &str) -> Option<(String, usize)> {
        let text = self.python.get(file)?;
        let mut factory = None;
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let t = line.trim_end();
            for name in ["app", "application"] {
                if let Some(rest) = t.strip_prefix(name)
                    && rest.trim_start().starts_with('=')
                    && !rest.trim_start().starts_with("==")
                {
                    return Some((name.to_string(), line_no));
                }
            }
            if t.starts_with("from ")
                && let Some((_, names)) = t.split_once(" import ")
                && names.split(',').any(|n| n.trim() == "app" || n.trim().ends_with(" as app"))
            {
                return Some(("app".into(), line_no));
            }
            if t.starts_with("def create_app(") && factory.is_none() {
                factory = Some(("create_app()".to_string(), line_no));
            }
        }
        factory
    }

    /// The Flask apps in the repository, shallowest first: (folder, `module:callable`, where).
    pub fn apps(&self) -> Vec<(String, String, Origin)> {
        let mut found = Vec::new();
        for (path, text) in &self.python {
            if is_test(path) {
                continue;
            }
            let flask = text.contains("Flask(") || text.contains("create_app");
            if !flask {
                continue;
            }
            let Some((callable, line)) = self.callable(path) else { continue };
            let (folder, module) = match path.strip_suffix("/__init__.py") {
                Some(pkg) => match pkg.rsplit_once('/') {
                    Some((parent, name)) => (parent.to_string(), name.to_string()),
                    None => (".".to_string(), pkg.to_string()),
                },
                None => {
                    let stem = path.trim_end_matches(".py");
                    match stem.rsplit_once('/') {
                        Some((parent, name)) => (parent.to_string(), name.to_string()),
                        None => (".".to_string(), stem.to_string()),
                    }
                }
            };
            found.push((folder, format!("{module}:{callable}"), Origin::new(path, line)));
        }
        found.sort_by_key(|(f, _, _)| (f.matches('/').count(), f.clone()));
        found
    }

    /// The health routes the code under `folder` serves (its tests' aside), with where: the
    /// first route literal of each of [`HEALTH_ROUTES`] in a route's declaration
    /// (`@app.get("/healthz")`, `@bp.route('/ping')`, `add_url_rule("/status", ...)`).
    pub fn health_routes(&self, folder: &str) -> Vec<(String, Origin)> {
        let mut found: Vec<(String, Origin)> = Vec::new();
        for (path, text) in &self.python {
            if is_test(path) || !(folder == "." || path.starts_with(&format!("{folder}/"))) {
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                if !["route(", ".get(", ".head(", "add_url_rule("].iter().any(|d| line.contains(d)) {
                    continue;
                }
                for quote in ['"', '\''] {
                    for literal in line.split(quote).skip(1).step_by(2) {
                        if HEALTH_ROUTES.contains(&literal) && !found.iter().any(|(r, _)| r == literal) {
                            found.push((literal.to_string(), Origin::new(path, i + 1)));
                        }
                    }
                }
            }
        }
        found.sort_by_key(|(r, _)| HEALTH_ROUTES.iter().position(|h| h == r));
        found
    }

    /// The first line of a requirements file that names a package without a `--hash`.
    /// Whether the requirements file `file` names `package` (as pip compares names: case,
    /// and `-`, `_`, `.` alike).
    pub fn names(&self, file: &str, package: &str) -> bool {
        use crate::lint::requirements::{canonical_name, parse};
        let Some(text) = self.texts.get(file) else { return false };
        parse(text).requirements.iter().any(|r| r.name() == canonical_name(package))
    }

    pub fn unhashed(&self, file: &str) -> Option<usize> {
        let text = self.texts.get(file)?;
        let mut lines = text.lines().enumerate().peekable();
        while let Some((i, line)) = lines.next() {
            let t = line.trim();
            if t.is_empty() || t.starts_with('#') || t.starts_with('-') {
                continue;
            }
            // A requirement continues over `\`-ended lines; its hashes may be on any of them.
            let mut whole = t.to_string();
            while whole.ends_with('\\') {
                match lines.next() {
                    Some((_, next)) => whole.push_str(next),
                    None => break,
                }
            }
            if !whole.contains("--hash") {
                return Some(i + 1);
            }
        }
        None
    }

    /// The files a requirements file includes (`-r FILE`, as pip reads them: from its folder),
    /// each with its line.
    pub fn included(&self, file: &str) -> Vec<(String, usize)> {
        let Some(text) = self.texts.get(file) else { return Vec::new() };
        let folder = super::dockerfile::folder(file);
        crate::lint::requirements::includes(text)
            .into_iter()
            .map(|(line, inc)| (super::dockerfile::join(&folder, &inc), line))
            .collect()
    }

    /// Whether a requirements file was read (the walk reads `requirements*.txt`).
    pub fn has(&self, file: &str) -> bool {
        self.texts.contains_key(file)
    }

    /// The requirements file of a folder, preferring `requirements.txt`.
    pub fn requirements_in(&self, folder: &str) -> Option<&'a str> {
        let want = super::dockerfile::join(folder, "requirements.txt");
        self.requirements.iter().find(|r| **r == want).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_factory_an_app_and_an_import_are_callables() {
        let files = [
            RepoFile {
                rel: "app/blog/__init__.py".into(),
                text: "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n".into(),
            },
            RepoFile { rel: "app/run.py".into(), text: "from blog import create_app\napp = create_app()\n".into() },
            RepoFile { rel: "runserver.py".into(), text: "from notejam import app\napp.run()\n".into() },
            RepoFile { rel: "app/requirements.txt".into(), text: "flask\n".into() },
        ];
        let code = Code::new(&files);
        assert_eq!(code.callable("app/blog/__init__.py"), Some(("create_app()".into(), 3)));
        assert_eq!(code.callable("app/run.py"), Some(("app".into(), 2)));
        assert_eq!(code.callable("runserver.py"), Some(("app".into(), 1)));
        assert_eq!(code.folders_with(".", "run"), vec!["app".to_string()]);
        assert_eq!(code.requirements_in("app"), Some("app/requirements.txt"));
        assert_eq!(code.apps().first().map(|a| (a.0.as_str(), a.1.as_str())), Some(("app", "blog:create_app()")));
    }
}
