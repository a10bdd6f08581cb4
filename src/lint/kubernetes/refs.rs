//! How objects name each other: by kind and name, in a namespace.

use super::Object;

impl Object {
    /// `metadata.namespace`, when written.
    pub fn namespace(&self) -> Option<&str> {
        self.doc.root.get("metadata").and_then(|m| m.get("namespace")).and_then(|n| n.as_str())
    }

    /// Whether `other` may be in the same namespace: both name the same one, or one of them
    /// names none (it goes to the namespace the files are applied to).
    pub fn shares_namespace(&self, other: &Object) -> bool {
        match (self.namespace(), other.namespace()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
    }

    /// Whether this is the object of `kind` named `name` that `from` refers to (in its
    /// namespace, or in `namespace` when the reference names one).
    pub fn is_referred(&self, kind: &str, name: &str, namespace: Option<&str>, from: &Object) -> bool {
        let same_namespace = match (namespace, self.namespace()) {
            (Some(ns), Some(mine)) => ns == mine,
            (Some(ns), None) => from.namespace().is_none_or(|f| f == ns),
            (None, _) => self.shares_namespace(from),
        };
        self.kind == kind && self.name == name && same_namespace
    }
}

/// The pods among `objects` that a Service's selector picks, with the objects that run them:
/// those whose template carries every label of the selector. An empty selector picks none
/// (a Service without one has its endpoints managed by hand).
pub fn selected<'a>(
    selector: &std::collections::BTreeMap<String, String>,
    objects: impl Iterator<Item = &'a Object>,
) -> Vec<(&'a Object, super::pod::PodView<'a>)> {
    if selector.is_empty() {
        return Vec::new();
    }
    objects
        .filter_map(|o| o.pod().map(|p| (o, p)))
        .filter(|(_, pod)| pod.labels.is_some_and(|labels| selector.iter().all(|(k, v)| labels.get(k) == Some(v))))
        .collect()
}
