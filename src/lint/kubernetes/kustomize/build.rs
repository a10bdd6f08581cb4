//! What `kustomize build` (`kubectl apply -k`) makes of a kustomization, as far as the
//! closure check needs it: the objects of its resources, bases and components, with its
//! patches applied (JSON 6902 and strategic merge, inline or from files, with their targets),
//! its namespace and name prefix or suffix set, and the objects its generators make.
//!
//! Every object keeps the spans of the text each of its nodes came from: a value an overlay's
//! patch sets points at the overlay's line. Spans live in one space per build: each file read
//! is placed at a base offset of its own ([`Build::locate`] turns a span back into a file and
//! a span in it).
//!
//! What gen does not read (a remote resource, a Helm chart kustomize inflates, a plug-in
//! generator or transformer, a file that is not there, a patch that does not apply) makes the
//! build *open*: what it would have made is unknown, and [`Build::open`] says why.
//! Transformers that touch no name an object references or holds (images, labels,
//! annotations, replicas, replacements) are not applied.

use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use super::patch::{self, PatchError};
use crate::diag::{Source, Span};
use crate::yaml::{self, Entry, Node, Value};

/// Where a build reads its files from: the disk, or a plan's files in memory.
pub trait Files {
    /// The file at `path` (as [`normalize`] writes it), when there is one that can be read.
    fn read(&self, path: &Path) -> Option<Arc<Source>>;
    /// Whether `path` is a folder.
    fn is_dir(&self, path: &Path) -> bool;
}

/// A file a build read, and the base offset of its spans in the build's span space.
pub struct Read {
    pub source: Arc<Source>,
    pub base: usize,
}

/// An object a generator makes: its kind, namespace and name, and the span of its name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Generated {
    pub kind: &'static str,
    pub namespace: Option<String>,
    pub name: String,
    pub span: Span,
}

/// What a kustomization builds.
#[derive(Default)]
pub struct Build {
    /// Every object, in the build's span space.
    pub objects: Vec<Node>,
    /// The files read, by ascending base.
    pub files: Vec<Read>,
    /// What its generators make (`configMapGenerator`, `secretGenerator`).
    pub generated: Vec<Generated>,
    /// Objects renamed by a prefix or suffix, by (kind, namespace, name before): references
    /// kustomize rewrites to the new name still read the old one.
    pub renamed: Vec<(String, Option<String>, String)>,
    /// Why gen cannot tell everything the build makes, if it cannot.
    pub open: Vec<String>,
    /// The remote resources it takes (URLs), which gen does not fetch.
    pub remote: Vec<String>,
    /// The next free base.
    end: usize,
    /// Bytes read, for the budget.
    bytes: usize,
}

/// The most kustomizations a build follows into each other.
const MAX_DEPTH: usize = 32;
/// The most bytes a build reads.
const MAX_BYTES: usize = 64 * 1024 * 1024;

impl Build {
    /// The file a span of the build is in (its index in [`Build::files`]) and the span in it.
    pub fn locate(&self, span: Span) -> Option<(usize, Span)> {
        let at = self.files.partition_point(|r| r.base <= span.start).checked_sub(1)?;
        let base = self.files[at].base;
        Some((at, Span::new(span.start - base, span.end - base)))
    }

    /// Places a file in the span space; the spans of what is parsed from it are shifted by the
    /// base returned (and by a byte-order mark, which the YAML loader reads past).
    fn place(&mut self, source: Arc<Source>) -> usize {
        let base = self.end;
        self.end += source.text().len() + 1;
        self.bytes += source.text().len();
        self.files.push(Read { source, base });
        base
    }

    fn open(&mut self, why: String) {
        if !self.open.contains(&why) {
            self.open.push(why);
        }
    }
}

/// Builds the kustomization in folder `dir`.
pub fn build(files: &dyn Files, dir: &Path) -> Build {
    let mut b = Build::default();
    let mut objects = Vec::new();
    let mut stack = Vec::new();
    into(files, &normalize(dir), &mut objects, false, &mut b, &mut stack);
    b.objects = objects;
    b
}

/// The names kustomize looks for, in its order.
pub const NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// The kustomization file of folder `dir`, if it has one.
pub fn kustomization_in(files: &dyn Files, dir: &Path) -> Option<(PathBuf, Arc<Source>)> {
    NAMES.iter().find_map(|n| {
        let p = dir.join(n);
        files.read(&p).map(|s| (p, s))
    })
}

/// `path` with `.` and `..` resolved as text (kustomize joins paths the same way).
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                // `..` past a folder leaves it; past the root stays there; past the start of
                // a relative path is kept.
                if out.file_name().is_some() {
                    out.pop();
                } else if !out.has_root() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Whether an entry names something kustomize fetches rather than a local path.
pub fn is_remote(path: &str) -> bool {
    path.contains("://")
        || path.contains("?ref=")
        || path.starts_with("git@")
        || path.starts_with("github.com/")
        || path.starts_with("gitlab.com/")
        || path.starts_with("bitbucket.org/")
}

/// Parses a file of the build (placing it in the span space): its documents' roots.
fn documents(b: &mut Build, source: Arc<Source>) -> Result<Vec<Node>, String> {
    if b.bytes + source.text().len() > MAX_BYTES {
        return Err(format!("the build reads more than {} MiB", MAX_BYTES >> 20));
    }
    let shift = if source.text().starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let name = source.name().to_string();
    let loaded = yaml::load_source(&source, &crate::lint::kubernetes::BUILD_POLICY);
    let base = b.place(source);
    let docs = loaded.documents.map_err(|_| format!("{name} is not YAML gen can read"))?;
    Ok(docs
        .into_iter()
        .map(|d| {
            let mut root = d.root;
            shift_spans(&mut root, &|o| o + base + shift);
            root
        })
        .filter(|r| !matches!(r.value, Value::Null))
        .collect())
}

/// Moves every span of a tree by `to`.
fn shift_spans(node: &mut Node, to: &dyn Fn(usize) -> usize) {
    node.span = Span::new(to(node.span.start), to(node.span.end));
    match &mut node.value {
        Value::Seq(items) => items.iter_mut().for_each(|n| shift_spans(n, to)),
        Value::Map(entries) => {
            for e in entries {
                e.key_span = Span::new(to(e.key_span.start), to(e.key_span.end));
                shift_spans(&mut e.value, to);
            }
        }
        _ => {}
    }
}

/// The documents of a YAML text written inside a string of a file already placed (an inline
/// patch, `patch: |-`), each span moved to where its text is in that file. A line of the
/// string is found in the file's text after the one before it; a string whose lines cannot be
/// found so (a folded or escaped one) points every node at the string.
fn inline(node: &Node, file_text: &str, base: usize) -> Result<Vec<Node>, String> {
    let Some(text) = node.as_str() else { return Err("an inline patch that is not a string".into()) };
    let source = Source::new("inline patch", text);
    let loaded = yaml::load_source(&source, &crate::lint::kubernetes::BUILD_POLICY);
    let docs = loaded.documents.map_err(|_| "an inline patch that is not YAML".to_string())?;
    // Where each line of the string starts in the file, in the file's span space.
    let region = file_text.get(node.span.start.saturating_sub(base)..node.span.end.saturating_sub(base)).unwrap_or("");
    let region_start = node.span.start;
    let mut anchors: Vec<(usize, usize)> = Vec::new();
    let mut offset = 0;
    let mut from = 0;
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if !body.is_empty() {
            match region.get(from..).and_then(|r| r.find(body)) {
                Some(found) => {
                    anchors.push((offset, region_start + from + found));
                    from += found + body.len();
                }
                None => {
                    anchors.clear();
                    break;
                }
            }
        }
        offset += line.len();
    }
    let to = |o: usize| -> usize {
        let at = anchors.partition_point(|(c, _)| *c <= o);
        match at.checked_sub(1).map(|i| anchors[i]) {
            Some((c, f)) => f + (o - c),
            None => node.span.start,
        }
    };
    Ok(docs
        .into_iter()
        .map(|d| {
            let mut root = d.root;
            shift_spans(&mut root, &to);
            root
        })
        .collect())
}

/// The items of a sequence at `key`.
fn items<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

/// Builds the kustomization in `dir` into `objects`: as a resource, its objects are added;
/// as a component, it transforms those already there (and adds its own).
fn into(
    files: &dyn Files,
    dir: &Path,
    objects: &mut Vec<Node>,
    component: bool,
    b: &mut Build,
    stack: &mut Vec<PathBuf>,
) {
    if stack.len() >= MAX_DEPTH || stack.iter().any(|d| d == dir) {
        b.open(format!("{} includes itself, or more than {MAX_DEPTH} kustomizations deep", dir.display()));
        return;
    }
    let Some((_, source)) = kustomization_in(files, dir) else {
        b.open(format!("{} has no kustomization gen can read", dir.display()));
        return;
    };
    let file_text = source.text().to_string();
    let base = b.end;
    let root = match documents(b, source) {
        Ok(mut docs) if !docs.is_empty() => docs.remove(0),
        Ok(_) => return,
        Err(why) => {
            b.open(why);
            return;
        }
    };
    stack.push(dir.to_path_buf());
    let mut own = if component { std::mem::take(objects) } else { Vec::new() };
    for key in ["resources", "bases", "crds"] {
        for entry in items(&root, key) {
            let Some(path) = entry.as_str() else { continue };
            resource(files, dir, path, &mut own, b, stack);
        }
    }
    let namespace = text(&root, "namespace").map(str::to_string);
    generators(&root, namespace.as_deref(), b);
    for entry in items(&root, "components") {
        let Some(path) = entry.as_str() else { continue };
        if is_remote(path) {
            b.open(format!("the remote component {path}"));
            continue;
        }
        into(files, &normalize(&dir.join(path)), &mut own, true, b, stack);
    }
    for key in ["helmCharts", "helmChartInflationGenerator", "generators", "transformers"] {
        if !items(&root, key).is_empty() {
            b.open(format!("{} has {key}, which gen does not run", dir.display()));
        }
    }
    patches(files, dir, &root, &file_text, base, &mut own, b);
    if let Some(ns) = &namespace {
        for object in &mut own {
            if namespaced(object) {
                set_namespace(object, ns);
            }
        }
    }
    let (prefix, suffix) = (text(&root, "namePrefix").unwrap_or(""), text(&root, "nameSuffix").unwrap_or(""));
    if !prefix.is_empty() || !suffix.is_empty() {
        for object in &mut own {
            rename(object, prefix, suffix, b);
        }
    }
    stack.pop();
    if component {
        *objects = own;
    } else {
        objects.extend(own);
    }
}

/// Adds what one entry of `resources` (or `bases`, `crds`) names: a file's objects, or a
/// folder's kustomization built.
fn resource(files: &dyn Files, dir: &Path, path: &str, own: &mut Vec<Node>, b: &mut Build, stack: &mut Vec<PathBuf>) {
    if is_remote(path) {
        b.open(format!("the remote resource {path}"));
        b.remote.push(path.to_string());
        return;
    }
    let target = normalize(&dir.join(path));
    if files.is_dir(&target) {
        into(files, &target, own, false, b, stack);
    } else if let Some(source) = files.read(&target) {
        match documents(b, source) {
            Ok(docs) => own.extend(docs.into_iter().filter(|d| d.get("kind").is_some())),
            Err(why) => b.open(why),
        }
    } else {
        b.open(format!("{} names {path}, which gen cannot read", dir.display()));
    }
}

/// Records what the kustomization's generators make.
fn generators(root: &Node, namespace: Option<&str>, b: &mut Build) {
    for (key, kind) in [("configMapGenerator", "ConfigMap"), ("secretGenerator", "Secret")] {
        for g in items(root, key) {
            let Some(name_node) = g.get("name") else { continue };
            let Some(name) = name_node.as_str() else { continue };
            let ns = text(g, "namespace").or(namespace).map(str::to_string);
            b.generated.push(Generated { kind, namespace: ns, name: name.to_string(), span: name_node.span });
        }
    }
}

/// Applies every patch of the kustomization (`patches`, `patchesStrategicMerge`,
/// `patchesJson6902`) to its objects.
fn patches(
    files: &dyn Files,
    dir: &Path,
    root: &Node,
    file_text: &str,
    base: usize,
    own: &mut Vec<Node>,
    b: &mut Build,
) {
    let mut each: Vec<(Vec<Node>, Option<&Node>)> = Vec::new();
    let read = |b: &mut Build, entry: &Node, key: &str| -> Option<Vec<Node>> {
        if let Some(path) = text(entry, "path").or(if key == "patchesStrategicMerge" {
            entry.as_str().filter(|s| !s.contains('\n'))
        } else {
            None
        }) {
            let target = normalize(&dir.join(path));
            let Some(source) = files.read(&target) else {
                b.open(format!("{} names the patch {path}, which gen cannot read", dir.display()));
                return None;
            };
            return documents(b, source).map_err(|why| b.open(why)).ok();
        }
        let inline_node = if key == "patchesStrategicMerge" { Some(entry) } else { entry.get("patch") };
        match inline_node.map(|n| inline(n, file_text, base)) {
            Some(Ok(docs)) => Some(docs),
            Some(Err(why)) => {
                b.open(why);
                None
            }
            None => None,
        }
    };
    for key in ["patchesStrategicMerge", "patchesJson6902", "patches"] {
        for entry in items(root, key) {
            if let Some(docs) = read(b, entry, key) {
                each.push((docs, entry.get("target")));
            }
        }
    }
    for (docs, target) in each {
        for doc in docs {
            if let Err(PatchError(why)) = apply(&doc, target, own) {
                b.open(format!("a patch of {}: {why}", dir.display()));
            }
        }
    }
}

/// Applies one patch document (a JSON patch's operations, or a partial object) to the objects
/// its target selects (without one, the object it names).
fn apply(doc: &Node, target: Option<&Node>, own: &mut Vec<Node>) -> Result<(), PatchError> {
    let json = matches!(doc.value, Value::Seq(_));
    let selector = match target {
        Some(t) => Selector::of(t)?,
        None if json => return Err(PatchError("a JSON patch without a target".into())),
        None => Selector::named_by(doc),
    };
    if json {
        let ops = patch::operations(doc)?;
        for object in own.iter_mut().filter(|o| selector.selects(o)) {
            patch::apply_json(object, &ops)?;
        }
    } else if patch::deletes(doc) {
        own.retain(|o| !selector.selects(o));
    } else {
        for object in own.iter_mut().filter(|o| selector.selects(o)) {
            patch::merge(object, doc);
        }
    }
    Ok(())
}

/// A patch's target: the objects it applies to. kustomize reads `name`, `namespace`, `kind`,
/// `group` and `version` as regular expressions of the whole value.
struct Selector {
    group: Option<regex::Regex>,
    version: Option<regex::Regex>,
    kind: Option<regex::Regex>,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: Vec<(String, String)>,
    annotations: Vec<(String, String)>,
}

/// A whole-value regular expression, or the value itself when it is not one.
fn whole(pattern: &str) -> regex::Regex {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .unwrap_or_else(|_| regex::Regex::new(&format!("^{}$", regex::escape(pattern))).expect("an escaped literal"))
}

/// An equality selector (`a=b,c==d`); gen reads no set-based one.
fn equalities(selector: &str) -> Result<Vec<(String, String)>, PatchError> {
    selector
        .split(',')
        .filter(|s| !s.trim().is_empty())
        .map(|term| match term.split_once("==").or_else(|| term.split_once('=')) {
            Some((k, v)) if !k.ends_with('!') => Ok((k.trim().to_string(), v.trim().to_string())),
            _ => Err(PatchError(format!("the selector `{selector}`, which gen does not read"))),
        })
        .collect()
}

impl Selector {
    fn of(target: &Node) -> Result<Selector, PatchError> {
        let re = |k: &str| text(target, k).map(whole);
        Ok(Selector {
            group: re("group"),
            version: re("version"),
            kind: re("kind"),
            name: re("name"),
            namespace: re("namespace"),
            labels: text(target, "labelSelector").map(equalities).transpose()?.unwrap_or_default(),
            annotations: text(target, "annotationSelector").map(equalities).transpose()?.unwrap_or_default(),
        })
    }

    /// The object a strategic merge patch names itself: its kind and name, and its namespace
    /// when it gives one.
    fn named_by(doc: &Node) -> Selector {
        let literal = |v: Option<&str>| v.map(|v| whole(&regex::escape(v)));
        let metadata = doc.get("metadata");
        Selector {
            group: None,
            version: None,
            kind: literal(text(doc, "kind")),
            name: literal(metadata.and_then(|m| text(m, "name"))),
            namespace: literal(metadata.and_then(|m| text(m, "namespace"))),
            labels: Vec::new(),
            annotations: Vec::new(),
        }
    }

    fn selects(&self, object: &Node) -> bool {
        let api = text(object, "apiVersion").unwrap_or("");
        let (group, version) = api.rsplit_once('/').unwrap_or(("", api));
        let metadata = object.get("metadata");
        let field = |k: &str| metadata.and_then(|m| text(m, k)).unwrap_or("");
        let matches = |re: &Option<regex::Regex>, value: &str| re.as_ref().is_none_or(|r| r.is_match(value));
        let has = |map: &str, pairs: &[(String, String)]| {
            pairs.iter().all(|(k, v)| metadata.and_then(|m| m.get(map)).and_then(|m| text(m, k)) == Some(v.as_str()))
        };
        matches(&self.group, group)
            && matches(&self.version, version)
            && matches(&self.kind, text(object, "kind").unwrap_or(""))
            && matches(&self.name, field("name"))
            && matches(&self.namespace, field("namespace"))
            && has("labels", &self.labels)
            && has("annotations", &self.annotations)
    }
}

/// The kinds kustomize leaves without a namespace (cluster-scoped ones Kubernetes serves, and
/// those of the CRDs gen's closure check knows of).
fn namespaced(object: &Node) -> bool {
    !matches!(
        text(object, "kind").unwrap_or(""),
        "Namespace"
            | "ClusterRole"
            | "ClusterRoleBinding"
            | "CustomResourceDefinition"
            | "StorageClass"
            | "IngressClass"
            | "PriorityClass"
            | "PersistentVolume"
            | "VolumeSnapshotClass"
            | "GatewayClass"
            | "ClusterIssuer"
            | "CSIDriver"
            | "RuntimeClass"
            | "ValidatingWebhookConfiguration"
            | "MutatingWebhookConfiguration"
            | "APIService"
            | "PodSecurityPolicy"
            | "Node"
            | "ClusterSecretStore"
    )
}

/// Sets an object's namespace (kustomize's `namespace:`).
fn set_namespace(object: &mut Node, namespace: &str) {
    let span = object.span;
    let Value::Map(entries) = &mut object.value else { return };
    let metadata = match entries.iter().position(|e| e.key == "metadata") {
        Some(i) => &mut entries[i].value,
        None => {
            entries.push(Entry {
                key: "metadata".into(),
                key_span: span,
                value: Node { span, value: Value::Map(Vec::new()) },
            });
            &mut entries.last_mut().expect("just pushed").value
        }
    };
    let Value::Map(fields) = &mut metadata.value else { return };
    let value = Node { span, value: Value::Str(namespace.to_string()) };
    match fields.iter_mut().find(|e| e.key == "namespace") {
        Some(e) => e.value = Node { span: e.value.span, value: value.value },
        None => fields.push(Entry { key: "namespace".into(), key_span: span, value }),
    }
}

/// Renames an object with a prefix and suffix, recording its name before.
fn rename(object: &mut Node, prefix: &str, suffix: &str, b: &mut Build) {
    let kind = text(object, "kind").unwrap_or("").to_string();
    if kind == "Namespace" || kind == "CustomResourceDefinition" {
        return;
    }
    let Value::Map(entries) = &mut object.value else { return };
    let Some(metadata) = entries.iter_mut().find(|e| e.key == "metadata") else { return };
    let namespace = text(&metadata.value, "namespace").map(str::to_string);
    let Value::Map(fields) = &mut metadata.value.value else { return };
    let Some(name) = fields.iter_mut().find(|e| e.key == "name") else { return };
    let Some(old) = name.value.as_str().map(str::to_string) else { return };
    name.value.value = Value::Str(format!("{prefix}{old}{suffix}"));
    b.renamed.push((kind, namespace, old));
}

/// Every kustomization folder among `paths` and those the kustomizations there include, and
/// the folders each includes: what makes roots (included by none) and the files a build
/// would read. Missing and remote entries are left out.
pub fn includes(files: &dyn Files, dir: &Path) -> Vec<PathBuf> {
    let Some((_, source)) = kustomization_in(files, dir) else { return Vec::new() };
    let loaded = yaml::load_source(&source, &crate::lint::kubernetes::BUILD_POLICY);
    let Ok(docs) = loaded.documents else { return Vec::new() };
    let Some(root) = docs.first().map(|d| &d.root) else { return Vec::new() };
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    for key in ["resources", "bases", "components", "crds"] {
        for entry in items(root, key) {
            if let Some(path) = entry.as_str().filter(|p| !is_remote(p)) {
                let p = normalize(&dir.join(path));
                if seen.insert(p.clone()) {
                    out.push(p);
                }
            }
        }
    }
    for key in ["patches", "patchesJson6902"] {
        for entry in items(root, key) {
            if let Some(path) = text(entry, "path") {
                out.push(normalize(&dir.join(path)));
            }
        }
    }
    for entry in items(root, "patchesStrategicMerge") {
        if let Some(path) = entry.as_str().filter(|p| !p.contains('\n')) {
            out.push(normalize(&dir.join(path)));
        }
    }
    out
}

/// Whether a kustomization makes more than the objects of its files as they are: it changes
/// what they reference or are named (patches, components, a namespace, a prefix or suffix),
/// makes objects of its own (generators), or takes what gen cannot read (a remote resource, a
/// Helm chart, a plug-in). One that does not only gathers files.
pub fn transforms(root: &Node) -> bool {
    let keys = [
        "patches",
        "patchesStrategicMerge",
        "patchesJson6902",
        "components",
        "helmCharts",
        "helmChartInflationGenerator",
        "generators",
        "transformers",
        "configMapGenerator",
        "secretGenerator",
    ];
    keys.iter().any(|k| !items(root, k).is_empty())
        || ["namespace", "namePrefix", "nameSuffix"].iter().any(|k| text(root, k).is_some_and(|v| !v.is_empty()))
        || ["resources", "bases"].iter().any(|k| items(root, k).iter().filter_map(Node::as_str).any(is_remote))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// Files in memory, by path.
    struct Mem(HashMap<PathBuf, Arc<Source>>);

    impl Mem {
        fn new(files: &[(&str, &str)]) -> Mem {
            Mem(files.iter().map(|(p, t)| (PathBuf::from(p), Source::new(*p, *t))).collect())
        }
    }

    impl Files for Mem {
        fn read(&self, path: &Path) -> Option<Arc<Source>> {
            self.0.get(path).cloned()
        }
        fn is_dir(&self, path: &Path) -> bool {
            self.0.keys().any(|p| p.starts_with(path) && p != path)
        }
    }

    const BASE: &[(&str, &str)] = &[
        ("base/kustomization.yaml", "resources: [deployment.yaml, pvc.yaml]\n"),
        (
            "base/deployment.yaml",
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: api}\nspec:\n  template:\n    spec:\n      \
             containers: [{name: api, envFrom: [{secretRef: {name: api-env}}]}]\n      volumes:\n        \
             - {name: store, csi: {driver: secrets-store.csi.k8s.io}}\n        - {name: tmp, emptyDir: {}}\n",
        ),
        (
            "base/pvc.yaml",
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: api}\nspec: {storageClassName: azurefile-csi}\n",
        ),
    ];

    #[test]
    fn an_overlay_patches_its_base_and_each_value_points_where_it_was_written() {
        let overlay = "namespace: dev\nresources: [../../base]\nconfigMapGenerator:\n  - {name: settings, literals: [a=b]}\npatches:\n  \
                       - target: {kind: PersistentVolumeClaim, name: api}\n    patch: |-\n      - op: replace\n        \
                       path: /spec/storageClassName\n        value: managed-csi\n  \
                       - target: {kind: Deployment}\n    patch: |-\n      - op: remove\n        path: /spec/template/spec/volumes/0\n  \
                       - patch: |-\n      $patch: delete\n      apiVersion: v1\n      kind: Secret\n      metadata: {name: nothing}\n";
        let mut files: Vec<(&str, &str)> = BASE.to_vec();
        files.push(("overlays/dev/kustomization.yaml", overlay));
        let mem = Mem::new(&files);
        let b = build(&mem, Path::new("overlays/dev"));
        assert!(b.open.is_empty(), "{:?}", b.open);
        assert_eq!(b.objects.len(), 2);
        let pvc = b.objects.iter().find(|o| text(o, "kind") == Some("PersistentVolumeClaim")).expect("a claim");
        let class = pvc.get("spec").and_then(|s| s.get("storageClassName")).expect("a class");
        assert_eq!(class.as_str(), Some("managed-csi"));
        let (file, span) = b.locate(class.span).expect("located");
        let source = &b.files[file].source;
        assert_eq!(source.name(), "overlays/dev/kustomization.yaml");
        assert_eq!(&source.text()[span.start..span.end], "managed-csi");
        assert_eq!(pvc.get("metadata").and_then(|m| text(m, "namespace")), Some("dev"));
        let deployment = b.objects.iter().find(|o| text(o, "kind") == Some("Deployment")).expect("a deployment");
        let volumes = deployment
            .get("spec")
            .and_then(|s| s.get("template"))
            .and_then(|t| t.get("spec"))
            .map(|s| items(s, "volumes"));
        assert_eq!(volumes.map(<[Node]>::len), Some(1), "the CSI volume is removed");
        assert_eq!(
            b.generated,
            vec![Generated {
                kind: "ConfigMap",
                namespace: Some("dev".into()),
                name: "settings".into(),
                span: b.generated[0].span
            }]
        );
    }

    #[test]
    fn what_gen_cannot_read_leaves_the_build_open() {
        let mem = Mem::new(&[(
            "k/kustomization.yaml",
            "resources: [https://github.com/x/y//deploy?ref=v1, missing.yaml]\nhelmCharts: [{name: x}]\n",
        )]);
        let b = build(&mem, Path::new("k"));
        assert_eq!(b.open.len(), 3, "{:?}", b.open);
        let looped = Mem::new(&[
            ("a/kustomization.yaml", "resources: [../b]\n"),
            ("b/kustomization.yaml", "resources: [../a]\n"),
        ]);
        assert!(!build(&looped, Path::new("a")).open.is_empty(), "a cycle ends");
    }

    #[test]
    fn a_path_is_joined_as_kustomize_joins_it() {
        for (path, want) in
            [("a/b/../c", "a/c"), ("a/..", ""), ("../../x", "../../x"), ("/a/../../b", "/b"), ("a/./b", "a/b")]
        {
            assert_eq!(normalize(Path::new(path)), PathBuf::from(want), "{path}");
        }
    }

    #[test]
    fn a_prefix_renames_and_records_the_name_before() {
        let mut files: Vec<(&str, &str)> = BASE.to_vec();
        files.push(("p/kustomization.yaml", "namePrefix: dev-\nresources: [../base]\n"));
        let b = build(&Mem::new(&files), Path::new("p"));
        let names: Vec<&str> =
            b.objects.iter().filter_map(|o| o.get("metadata").and_then(|m| text(m, "name"))).collect();
        assert_eq!(names, ["dev-api", "dev-api"]);
        assert!(b.renamed.contains(&("Deployment".into(), None, "api".into())));
    }
}
