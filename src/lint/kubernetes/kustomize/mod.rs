//! Kustomize's configuration (`kustomization.yaml`): not an object for the API server but the
//! list of files that make up what `kubectl apply -k` applies. gen reads it as part of the
//! Kubernetes family: its YAML is checked like a manifest's, and where a folder is linted the
//! files it names are resolved (`gen lint` reads its `resources`, and does not take its
//! patches, partial objects by design, for whole objects).

pub mod build;
pub mod patch;

pub use build::is_remote;

use crate::declare_rule;
use crate::diag::{Diagnostic, Span};
use crate::yaml::{self, Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports an entry of a `kustomization.yaml` (`resources`, `components`, `crds`, a
    /// patch's `path`) that names a file or folder that does not exist. Checked where the
    /// kustomization is linted from disk: a remote entry (a URL, `github.com/...`) is not.
    ///
    /// ## Why it matters
    /// `kubectl apply -k` and `kustomize build` stop at the first missing entry: nothing of the
    /// folder is applied, typically in the deploy job, after the pull request was merged.
    ///
    /// ## Example
    /// ```yaml
    /// resources:
    ///   - deployment.yaml
    ///   - servce.yaml
    /// ```
    ///
    /// ## How to fix
    /// Fix the path (it is relative to the kustomization's folder), or remove the entry.
    pub static ENTRY_MISSING = ("K8S060", "kustomization-entry-missing", Error, unignorable);
}

/// Whether a file name is a kustomization's (the three names kustomize looks for).
pub fn is_kustomization(file_name: &str) -> bool {
    matches!(file_name, "kustomization.yaml" | "kustomization.yml" | "Kustomization")
}

/// What a kustomization does with a file it names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Its objects are part of the build (`resources`, `components`, `crds`, `bases`).
    Resource,
    /// It patches objects of the build: a partial object, or JSON patch operations.
    Patch,
}

/// One local file or folder a kustomization names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// As written, relative to the kustomization's folder.
    pub path: String,
    pub role: Role,
    /// Where it is written.
    pub span: Span,
}

/// How a kustomization is read: one document, small.
static POLICY: yaml::Policy = yaml::Policy {
    what: "a kustomization",
    max_bytes: 4 * 1024 * 1024,
    max_depth: 64,
    max_nodes: 200_000,
    max_alias_nodes: 10_000,
    multi_document: false,
    tags: yaml::Tags::Core,
    rules: &super::rules::YAML_RULES,
    empty_help: "a kustomization lists the resources, patches and generators of a build",
};

/// Reads a kustomization: its local entries, or the loader's findings when it is not YAML
/// (an empty kustomization has no entries and no finding).
pub fn read(name: &str, text: &str) -> Result<Vec<Entry>, Vec<Diagnostic>> {
    if text.lines().all(|l| l.trim().is_empty() || l.trim_start().starts_with('#') || l.trim() == "---") {
        return Ok(Vec::new());
    }
    let docs = yaml::load(name, text.as_bytes(), &POLICY).documents?;
    let mut found = docs.first().map(|d| entries(&d.root)).unwrap_or_default();
    // The loader reads the text without its byte-order mark; findings quote the file.
    if text.starts_with('\u{feff}') {
        let bom = '\u{feff}'.len_utf8();
        found.iter_mut().for_each(|e| e.span = Span::new(e.span.start + bom, e.span.end + bom));
    }
    Ok(found)
}

/// The local entries of a kustomization's root mapping.
fn entries(root: &Node) -> Vec<Entry> {
    let mut out = Vec::new();
    let mut push = |node: &Node, role: Role| {
        if let Some(path) = node.as_str()
            // An inline patch (a YAML document in a string) is no path.
            && !path.contains('\n')
            && !path.trim().is_empty()
            && !is_remote(path)
        {
            out.push(Entry { path: path.trim().to_string(), role, span: node.span });
        }
    };
    let items = |key: &str| match root.get(key).map(|n| &n.value) {
        Some(Value::Seq(items)) => items.as_slice(),
        _ => &[],
    };
    for key in ["resources", "components", "crds", "bases"] {
        items(key).iter().for_each(|n| push(n, Role::Resource));
    }
    items("patchesStrategicMerge").iter().for_each(|n| push(n, Role::Patch));
    for key in ["patches", "patchesJson6902"] {
        for item in items(key) {
            match item.get("path") {
                Some(path) => push(path, Role::Patch),
                // `patches: [patch.yaml]`, the short form some versions accept.
                None => push(item, Role::Patch),
            }
        }
    }
    out
}

/// The finding for an entry that names nothing.
pub fn missing(file: &str, entry: &Entry) -> Diagnostic {
    let what = match entry.role {
        Role::Resource => "resource",
        Role::Patch => "patch",
    };
    Diagnostic::new(
        &ENTRY_MISSING,
        file,
        Some(entry.span),
        format!("the {what} `{}` does not exist: `kubectl apply -k` stops here", entry.path),
    )
    .help("fix the path (relative to the kustomization's folder), or remove the entry")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kustomization_names_its_resources_and_its_patches_and_no_remote_or_inline_entry() {
        let text = "resources:\n  - deployment.yaml\n  - ../base\n  - https://github.com/x/y//deploy?ref=v1\n\
                    patches:\n  - path: replicas.yaml\n  - patch: |-\n      - op: replace\n\
                    patchesStrategicMerge:\n  - memory.yaml\n  - |-\n    apiVersion: v1\n    kind: X\n";
        let got: Vec<(String, Role)> =
            read("kustomization.yaml", text).expect("YAML").into_iter().map(|e| (e.path, e.role)).collect();
        let want = [
            ("deployment.yaml", Role::Resource),
            ("../base", Role::Resource),
            ("memory.yaml", Role::Patch),
            ("replicas.yaml", Role::Patch),
        ];
        assert_eq!(got, want.map(|(p, r)| (p.to_string(), r)));
    }

    #[test]
    fn an_empty_kustomization_is_no_error_and_a_broken_one_is() {
        assert_eq!(read("kustomization.yaml", "# nothing yet\n").expect("empty"), vec![]);
        assert!(read("kustomization.yaml", "resources: [a\n").is_err());
    }
}
