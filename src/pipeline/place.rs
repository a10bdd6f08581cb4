//! Where a spec and its output directory sit in their repository.

use std::path::{Path, PathBuf};

use crate::output;
use crate::render::Place;

/// How a path is shown: as given, without a leading `./`.
pub fn display(path: &Path) -> String {
    let shown = path.display().to_string();
    let mut s = shown.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() { ".".to_string() } else { s.to_string() }
}

/// The default output directory: `out` beside the spec; or, when there is none, the spec's own
/// folder when a render went there (`--out .`, into the repository beside its own files): its
/// manifest names the spec.
pub fn default_out(spec: &Path) -> PathBuf {
    let dir = spec.parent().unwrap_or(Path::new(""));
    let out = dir.join("out");
    if !out.exists() {
        let here = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
        if let Ok(Some(m)) = output::Manifest::read(here)
            && m.spec == spec_name(spec)
        {
            return here.to_path_buf();
        }
    }
    out
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
