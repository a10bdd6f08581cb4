//! The catalog: built-in blueprints, plus folders given with `--blueprints`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use super::{Blueprint, Files, INVALID_BLUEPRINT, Kind, Origin};
use crate::diag::{Diagnostic, Findings};
use crate::platform::Known;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/blueprints.rs"));
}

/// Every blueprint available to a run, by name.
#[derive(Debug)]
pub struct Catalog {
    blueprints: BTreeMap<String, Blueprint>,
    /// The name of the base blueprint; `load` refuses a catalog without one.
    base: String,
    /// Every file read from a blueprint folder on disk, with the folder as shown: a render
    /// never writes over one.
    read: Vec<(String, PathBuf)>,
    /// The templates of a set of blueprints (by name), compiled by a render without error and
    /// kept for the next render of the same set: `gen render` renders twice (to check, then to
    /// write), and compiling every template again cost a tenth of its time.
    compiled: Mutex<Vec<(Vec<String>, minijinja::Environment<'static>)>>,
    /// Whether a compile ahead of the render was started ([`Catalog::compile_ahead`]), and
    /// the thread running it, which adds to `compiled` when it succeeds: [`Catalog::compiled`]
    /// waits for it.
    compiling: Mutex<(bool, Option<JoinHandle<()>>)>,
}

/// Why a catalog could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the blueprints cannot be used: {0}")]
    Invalid(Findings),
}

impl Catalog {
    /// The templates of these blueprints as a render compiled them before, if one did.
    /// (The names in any order; once a compile on another thread has finished.)
    pub(crate) fn compiled(&self, names: &[String]) -> Option<minijinja::Environment<'static>> {
        // Held while the compile finishes, so that a second caller waits for it too.
        if let Ok(mut compiling) = self.compiling.lock()
            && let Some(handle) = compiling.1.take()
        {
            // A compile that panicked kept nothing: the render compiles its own.
            let _ = handle.join();
        }
        let kept = self.compiled.lock().ok()?;
        kept.iter().find(|(n, _)| same_names(n, names)).map(|(_, env)| env.clone())
    }

    /// Keeps the templates of these blueprints, compiled without error, for the next render.
    pub(crate) fn keep_compiled(&self, names: Vec<String>, env: minijinja::Environment<'static>) {
        if let Ok(mut kept) = self.compiled.lock() {
            kept.retain(|(n, _)| !same_names(n, &names));
            kept.push((names, env));
        }
    }

    /// Starts, once per catalog, a compile ahead of the render that `spawn` runs on another
    /// thread (it calls [`Catalog::keep_compiled`]); [`Catalog::compiled`] waits for it. A
    /// thread that cannot be started starts nothing: the render compiles its own.
    pub(crate) fn compile_ahead(&self, spawn: impl FnOnce() -> std::io::Result<JoinHandle<()>>) {
        let Ok(mut compiling) = self.compiling.lock() else { return };
        if !compiling.0 {
            compiling.0 = true;
            compiling.1 = spawn().ok();
        }
    }

    /// The built-in blueprints, then each folder of `dirs` in order (later ones override by
    /// name). `families` names the artifact families a blueprint file's `kind` may name,
    /// `platforms` the platforms its `platforms` may name.
    pub fn load(dirs: &[impl AsRef<Path>], families: &[&str], platforms: Known<'_>) -> Result<Catalog, CatalogError> {
        let mut groups: BTreeMap<String, Files> = BTreeMap::new();
        for (path, bytes) in embedded::EMBEDDED {
            if let Some((dir, rest)) = path.split_once('/') {
                groups.entry(dir.to_string()).or_default().insert(rest.to_string(), Cow::Borrowed(*bytes));
            }
        }
        let mut catalog = Catalog {
            blueprints: BTreeMap::new(),
            base: String::new(),
            read: Vec::new(),
            compiled: Mutex::default(),
            compiling: Mutex::default(),
        };
        let mut failed = Findings::default();
        for (dir, files) in groups {
            // The build made a JSON of each folder's manifest; a folder without one has none.
            let json = embedded::MANIFESTS.iter().find(|(d, _)| *d == dir).map_or("", |(_, json)| *json);
            catalog.add(
                Blueprint::from_files(&format!("blueprints/{dir}"), Origin::BuiltIn(json), files, families, platforms),
                &mut failed,
            );
        }
        for dir in dirs {
            match read_folders(dir.as_ref()) {
                Ok(folders) => {
                    for (display, path, files) in folders {
                        catalog.read.extend(files.keys().map(|rel| (display.clone(), path.join(rel))));
                        let blueprint =
                            Blueprint::from_files(&display, Origin::Folder(&display), files, families, platforms);
                        catalog.add(blueprint, &mut failed);
                    }
                }
                Err(d) => failed.diagnostics.push(*d),
            }
        }
        match catalog.blueprints.values().find(|b| b.kind == Kind::Base) {
            Some(base) => catalog.base = base.name.clone(),
            None if failed.diagnostics.is_empty() => {
                let d =
                    Diagnostic::new(&INVALID_BLUEPRINT, "blueprints", None, "no blueprint of kind `base` is available")
                        .help("a catalog needs the base blueprint");
                failed.diagnostics.push(d);
            }
            None => {}
        }
        if failed.diagnostics.is_empty() { Ok(catalog) } else { Err(CatalogError::Invalid(failed)) }
    }

    fn add(&mut self, result: Result<Blueprint, Findings>, failed: &mut Findings) {
        match result {
            Ok(bp) => {
                self.blueprints.insert(bp.name.clone(), bp);
            }
            Err(findings) => failed.extend(findings),
        }
    }

    /// A blueprint by name.
    pub fn get(&self, name: &str) -> Option<&Blueprint> {
        self.blueprints.get(name)
    }

    /// The blueprint every project shares (a loaded catalog always has one).
    pub fn base(&self) -> &Blueprint {
        &self.blueprints[&self.base]
    }

    /// Every blueprint, by name.
    pub fn all(&self) -> impl Iterator<Item = &Blueprint> {
        self.blueprints.values()
    }

    /// Every file read from a blueprint folder on disk, with that folder as messages show it.
    pub fn files_read(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.read.iter().map(|(folder, file)| (folder.as_str(), file.as_path()))
    }

    /// Names of the blueprints services can use.
    pub fn service_names(&self) -> Vec<&str> {
        self.blueprints.values().filter(|b| b.kind == Kind::Service).map(|b| b.name.as_str()).collect()
    }
}

/// Whether two lists name the same blueprints (a render lists them in the order its services
/// use them).
fn same_names(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.iter().all(|n| b.contains(n))
}

/// A blueprint folder read from disk: as shown, its path, and its files by relative path.
type Folder = (String, PathBuf, Files);

/// Reads a blueprint folder, or a folder of blueprint folders.
fn read_folders(dir: &Path) -> Result<Vec<Folder>, Box<Diagnostic>> {
    let shown = dir.display().to_string();
    let io = |e: &dyn std::fmt::Display| {
        Box::new(
            Diagnostic::new(&INVALID_BLUEPRINT, &shown, None, format!("cannot read blueprints from {shown}: {e}"))
                .help("give a folder holding blueprint.yaml, or folders that each hold one"),
        )
    };
    if !dir.is_dir() {
        return Err(io(&"not a folder"));
    }
    if dir.join("blueprint.yaml").is_file() {
        return Ok(vec![(shown.clone(), dir.to_path_buf(), read_files(dir).map_err(|e| io(&e))?)]);
    }
    let mut out = Vec::new();
    let mut subdirs: Vec<_> = std::fs::read_dir(dir).map_err(|e| io(&e))?.flatten().map(|e| e.path()).collect();
    subdirs.sort();
    for sub in subdirs {
        if sub.join("blueprint.yaml").is_file() {
            out.push((sub.display().to_string(), sub.clone(), read_files(&sub).map_err(|e| io(&e))?));
        }
    }
    if out.is_empty() {
        return Err(io(&"it holds no blueprint.yaml"));
    }
    Ok(out)
}

/// Most bytes a blueprint folder may hold (gen's own are a few dozen kilobytes).
const MAX_BLUEPRINT_BYTES: u64 = 64 * 1024 * 1024;

fn read_files(dir: &Path) -> Result<Files, String> {
    let mut files = BTreeMap::new();
    let mut total = 0u64;
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.map_err(|e| e.to_string())?;
        if entry.file_type().is_file() {
            total += entry.metadata().map_err(|e| e.to_string())?.len();
            if total > MAX_BLUEPRINT_BYTES {
                return Err(format!("it holds more than {} MiB", MAX_BLUEPRINT_BYTES >> 20));
            }
            let rel = entry.path().strip_prefix(dir).map_err(|e| e.to_string())?;
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
            files.insert(rel, Cow::Owned(std::fs::read(entry.path()).map_err(|e| e.to_string())?));
        }
    }
    Ok(files)
}

#[cfg(test)]
mod schema_tests {
    /// What `Blueprint::from_files` no longer checks on every run for gen's own blueprints.
    #[test]
    fn every_built_in_blueprint_passes_the_blueprint_schema() {
        let manifests: Vec<_> =
            super::embedded::EMBEDDED.iter().filter(|(p, _)| p.ends_with("/blueprint.yaml")).collect();
        assert!(manifests.len() >= 2, "the base and flask blueprints are embedded");
        for (path, bytes) in manifests {
            let loaded = crate::yaml::load(path, bytes, &super::super::POLICY);
            let doc = loaded.documents.expect("parses").remove(0);
            let errors = super::super::validate_manifest(&doc.root, &loaded.source);
            assert!(errors.is_empty(), "{path}: {errors:?}");
        }
    }

    /// The JSON the build embeds for each built-in manifest is what gen's own reader makes of
    /// its YAML: the build reads it with the same parser and scalar resolution, this holds
    /// them equal (a key, a number or a string read otherwise would differ here).
    #[test]
    fn every_built_in_manifest_is_its_yaml_as_gen_reads_it() {
        let yamls: Vec<_> = super::embedded::EMBEDDED.iter().filter(|(p, _)| p.ends_with("/blueprint.yaml")).collect();
        assert_eq!(yamls.len(), super::embedded::MANIFESTS.len(), "a JSON for each manifest");
        for (path, bytes) in yamls {
            let dir = path.split_once('/').expect("a folder").0;
            let json = super::embedded::MANIFESTS.iter().find(|(d, _)| *d == dir).expect("its JSON").1;
            let loaded = crate::yaml::load(path, bytes, &super::super::POLICY);
            let doc = loaded.documents.expect("parses").remove(0);
            let embedded: serde_json::Value = serde_json::from_str(json).expect("JSON");
            assert_eq!(embedded, doc.root.to_json(), "{path}");
        }
    }

    /// A folder is never taken for gen's own by its name: its params schema is compiled when
    /// it is loaded, and one that does not compile is a finding, even in a folder called
    /// `built-in`.
    #[test]
    fn a_folder_called_built_in_is_checked_as_a_folder() {
        let yaml = "name: flask\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {type: 7}\nfiles:\n  - {source: t, target: x, ownership: managed}\n";
        let files: super::Files = [("blueprint.yaml", yaml), ("t", "x\n"), ("e.yaml", "")]
            .into_iter()
            .map(|(path, text)| (path.to_string(), super::Cow::Owned(text.as_bytes().to_vec())))
            .collect();
        let origin = super::Origin::Folder("built-in");
        let known = crate::platform::Known::builtin();
        let loaded = super::Blueprint::from_files("built-in", origin, files, &crate::lint::family_names(), known);
        let found = loaded.expect_err("a params schema that does not compile is refused");
        let messages: Vec<&str> = found.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert!(messages.iter().any(|m| m.contains("the params schema does not compile")), "{messages:?}");
    }

    /// What `Blueprint::params_schema` compiles for params of a built-in blueprint that do
    /// not surely pass it, trusting that it compiles.
    #[test]
    fn every_built_in_blueprint_params_schema_compiles() {
        let known = crate::platform::Known::builtin();
        let catalog =
            super::Catalog::load(&[] as &[&str], &crate::lint::family_names(), known).expect("the catalog loads");
        let built_in: Vec<_> = catalog.all().filter(|b| b.is_built_in()).collect();
        assert!(built_in.len() >= 2, "the base and flask blueprints are built in");
        for bp in built_in {
            if let Err(e) = crate::spec::schema::compile(&bp.params) {
                panic!("{}: the params schema does not compile: {e}", bp.name);
            }
        }
    }
}
