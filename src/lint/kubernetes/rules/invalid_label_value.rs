use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::{Document, Object};
use crate::spec::grammar::label_value_problem;
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a label value Kubernetes refuses (more than 63 characters, or characters other
    /// than letters, digits, `-`, `_` and `.`, or not starting and ending with a letter or
    /// digit) wherever the API server reads label values: the labels of an object and of
    /// every template in it (`metadata.labels`, a pod template's, a claim template's), label
    /// selectors (`matchLabels`, and the values of `matchExpressions` with `In` or `NotIn`,
    /// node affinity's aside, which are not label values), a Service's `spec.selector`, a pod's
    /// `nodeSelector`, and the labels a SnapshotSchedule gives its snapshots.
    ///
    /// No counterpart in kubernetes-validate or kubeconform: the API's schema says only "a
    /// map of strings"; the API server's validation (`IsValidLabelValue`) refuses it.
    ///
    /// ## Why it matters
    /// `kubectl apply` or `helm install` fails on the object (`metadata.labels: Invalid
    /// value`), after every check before it passed. A version label is the usual culprit:
    /// `1.4.2+build.5` is a valid semver version and not a label value.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   labels: {app.kubernetes.io/version: 1.4.2+build.5}
    /// ```
    ///
    /// ## How to fix
    /// Write at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter
    /// or digit: `1.4.2-build.5`.
    pub static RULE = ("K8S049", "invalid-label-value", Error);
}

/// Where label values are read, for the message.
#[derive(Clone, Copy)]
enum Place {
    Label,
    Selector,
    NodeSelector,
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let mut found = Vec::new();
        walk(&object.doc.root, &mut Vec::new(), None, false, &mut found);
        // A Service's (and a ReplicationController's) selector is a plain map of labels.
        if matches!(object.kind.as_str(), "Service" | "ReplicationController")
            && let Some(node) = object.doc.root.lookup(&crate::route!["spec", "selector"])
        {
            values(node, &[Step::Key("spec"), Step::Key("selector")], Place::Selector, &mut found);
        }
        if object.kind == "SnapshotSchedule"
            && let Some(node) = object.doc.root.lookup(&crate::route!["spec", "snapshotTemplate", "labels"])
        {
            let at = [Step::Key("spec"), Step::Key("snapshotTemplate"), Step::Key("labels")];
            values(node, &at, Place::Label, &mut found);
        }
        for (route, key, value, place, why) in found {
            report(object, &route, &key, &value, place, why, out);
        }
    }
}

/// A label value that Kubernetes refuses: its route, key, value, where it is read, and why.
type Found = (Route, String, String, Place, &'static str);

/// One step of the walk's way down, borrowed: a route is built only for a finding (every
/// object's every node is walked, and few hold a bad label).
#[derive(Clone, Copy)]
enum Step<'a> {
    Key(&'a str),
    Index(usize),
}

/// The route of `steps` and then `more`.
fn route(steps: &[Step], more: &[Step]) -> Route {
    steps.iter().chain(more).fold(Route::root(), |r, s| match s {
        Step::Key(k) => r.with(*k),
        Step::Index(i) => r.with(*i),
    })
}

/// The string values of a mapping of labels that are not label values.
fn values(node: &Node, at: &[Step], place: Place, found: &mut Vec<Found>) {
    let Value::Map(entries) = &node.value else { return };
    for e in entries {
        if let Some(value) = e.value.as_str()
            && let Some(why) = label_value_problem(value)
        {
            found.push((route(at, &[Step::Key(&e.key)]), e.key.clone(), value.to_string(), place, why));
        }
    }
}

/// Every label mapping and selector under `node`, which sits under the key `holder` (none for
/// a list item or the root). Node affinity's `matchExpressions` take values that are not
/// label values (node fields, numbers for `Gt`), so that subtree is read for nothing else.
fn walk<'a>(node: &'a Node, at: &mut Vec<Step<'a>>, holder: Option<&str>, node_affinity: bool, found: &mut Vec<Found>) {
    match &node.value {
        Value::Map(entries) => {
            for e in entries {
                at.push(Step::Key(&e.key));
                match e.key.as_str() {
                    "labels" if holder == Some("metadata") => values(&e.value, at, Place::Label, found),
                    "matchLabels" if !node_affinity => values(&e.value, at, Place::Selector, found),
                    "nodeSelector" if matches!(e.value.value, Value::Map(_)) => {
                        values(&e.value, at, Place::NodeSelector, found)
                    }
                    "matchExpressions" if !node_affinity => expressions(&e.value, at, found),
                    _ => {}
                }
                walk(&e.value, at, Some(e.key.as_str()), node_affinity || e.key == "nodeAffinity", found);
                at.pop();
            }
        }
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                at.push(Step::Index(i));
                walk(item, at, None, node_affinity, found);
                at.pop();
            }
        }
        _ => {}
    }
}

/// The values of a label selector's `In` and `NotIn` requirements.
fn expressions(node: &Node, at: &[Step], found: &mut Vec<Found>) {
    let Value::Seq(items) = &node.value else { return };
    for (i, item) in items.iter().enumerate() {
        if !matches!(item.get("operator").and_then(Node::as_str), Some("In" | "NotIn")) {
            continue;
        }
        let key = item.get("key").and_then(Node::as_str).unwrap_or_default();
        let Some(Value::Seq(values)) = item.get("values").map(|v| &v.value) else { continue };
        for (j, v) in values.iter().enumerate() {
            if let Some(value) = v.as_str()
                && let Some(why) = label_value_problem(value)
            {
                let route = route(at, &[Step::Index(i), Step::Key("values"), Step::Index(j)]);
                found.push((route, key.to_string(), value.to_string(), Place::Selector, why));
            }
        }
    }
}

fn report(object: &Object, route: &Route, key: &str, value: &str, place: Place, why: &str, out: &mut Diagnostics) {
    let what = match place {
        Place::Label => "label",
        Place::Selector => "selector",
        Place::NodeSelector => "node selector",
    };
    let message = format!(
        "{what} `{key}` of {} is `{}`, which is not a label value: {why}",
        object.title(),
        value.escape_debug()
    );
    out.push(object.at(&RULE, route, message).help(
        "write at most 63 letters, digits, `-`, `_` and `.`, starting and ending with a letter or digit (`1.4.2-build.5`, not `1.4.2+build.5`)",
    ));
}

#[cfg(test)]
mod tests {
    use crate::diag::Source;
    use crate::lint::Artifact;
    use crate::lint::kubernetes::Document;

    fn found(yaml: &str) -> Vec<String> {
        let doc = Document::new(&Artifact::hand_written(Source::new("pod.yaml", yaml)));
        let mut out = Vec::new();
        super::check(&doc, &mut out);
        out.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn a_node_selector_holds_label_values_and_node_affinity_need_not() {
        let pod = "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  nodeSelector: {pool: \"a b\"}\n  \
                   affinity:\n    nodeAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n        \
                   nodeSelectorTerms:\n          - matchExpressions:\n              - {key: k, operator: In, values: [\"c d\"]}\n  \
                   containers: [{name: c, image: i:1}]\n";
        let found = found(pod);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].starts_with("node selector `pool` of Pod/p is `a b`"), "{found:?}");
    }

    #[test]
    fn a_services_selector_and_a_claim_templates_labels_are_label_values() {
        let service = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec:\n  selector: {app: \"x/y\"}\n  ports: [{port: 80}]\n";
        assert_eq!(found(service).len(), 1);
        let set = "apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: s}\nspec:\n  selector: {matchLabels: {a: b}}\n  \
                   template: {metadata: {labels: {a: b}}, spec: {containers: [{name: c, image: i:1}]}}\n  \
                   volumeClaimTemplates:\n    - metadata: {name: d, labels: {tier: \"-x\"}}\n";
        assert_eq!(found(set).len(), 1, "{:?}", found(set));
    }
}
