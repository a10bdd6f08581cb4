//! What `gen lint` was given: each path read and sorted into specs, blueprint folders and the
//! files (or folders) an artifact family checks; what cannot be read becomes a finding.

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::place::display;
use crate::diag::{Diagnostic, Findings, Source, Span};
use crate::input::{Boundary, NOT_CHECKED, UNREADABLE_INPUT};
use crate::lint::{self, Recognition};
use crate::output;

/// Largest hand-written artifact read, in bytes.
pub const MAX_ARTIFACT_BYTES: u64 = 16 * 1024 * 1024;

/// Folders a walk never enters: version control and tool caches, never the user's sources.
const SKIPPED_DIRS: [&str; 8] = [".git", ".hg", ".svn", "node_modules", ".terraform", ".venv", "__pycache__", ".tox"];

/// An input of `gen lint`, classified.
pub(super) enum Input {
    Spec(PathBuf),
    Blueprint(PathBuf),
    Artifact(&'static dyn lint::Family, PathBuf, std::sync::Arc<Source>),
    /// A folder a family reads as one input (a Helm chart), named (or a file of it named).
    Folder(&'static dyn lint::Family, PathBuf),
    /// Such a folder found in a walk.
    Walked(&'static dyn lint::Family, PathBuf),
}

pub(super) fn unreadable_diag(name: &str, reason: &str) -> Diagnostic {
    Diagnostic::new(&UNREADABLE_INPUT, name, None, format!("cannot read {name}: {reason}"))
        .help("check the path and its permissions")
}

fn open_diag(name: &str, e: &crate::input::OpenError) -> Diagnostic {
    Diagnostic::new(&UNREADABLE_INPUT, name, None, format!("cannot read {name}: {e}")).help(e.help())
}

pub(super) fn unreadable(name: &str, reason: &str) -> Findings {
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
pub(super) struct Classified {
    pub(super) inputs: Vec<Input>,
    pub(super) findings: Findings,
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
pub(super) fn classify(path: &Path, out: &mut Classified) {
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
    } else if lint::kubernetes::is_template(&recognised_as, &text) {
        let what = "it is a template of Kubernetes objects (`{{ }}` where YAML goes), which gen does not render \
                    outside a Helm chart";
        out.findings.diagnostics.push(
            Diagnostic::new(&NOT_CHECKED, &name, None, format!("{name} is not a file gen checks: {what}")).help(
                "to have it checked, render it with the tool it is written for and lint the result (`gen lint \
                 rendered.yaml`), or make it a Helm chart's template (a `templates/` folder beside a `Chart.yaml` and \
                 the `values.yaml` it reads) and name the chart",
            ),
        );
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
            // A file too large to read (a vendored CRD bundle) is passed over with a note and
            // the walk goes on; a spec says itself what is wrong with it.
            Err(Unreadable::TooLarge(_, head)) if could_be_spec && says_gen_spec(&head) => {
                out.inputs.push(Input::Spec(entry.path().to_path_buf()));
                continue;
            }
            Err(Unreadable::TooLarge(reason, _)) => {
                let message = format!("{shown} is not checked: {reason}, the most gen reads of one file");
                out.findings.diagnostics.push(Diagnostic::new(&NOT_CHECKED, &shown, None, message).help(
                    "a file this large is generated or vendored (a bundle of CRDs): the tool that makes it checks it; to have gen check it, split it into files under 16 MiB",
                ));
                continue;
            }
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
pub(super) fn resolve_kustomizations(out: &mut Classified) {
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
pub(super) fn follow_modules(out: &mut Classified) {
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
