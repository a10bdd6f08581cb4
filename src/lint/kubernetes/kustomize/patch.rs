//! Kustomize's two kinds of patch, applied to objects read as YAML trees: a JSON Patch
//! (RFC 6902, `- op: replace ...`) and a strategic merge patch (a partial object, merged).
//!
//! The trees keep the spans of the text each node came from, so a value a patch sets points
//! at the patch's line, where the user wrote it. The strategic merge is kustomize's as far as
//! the closure check needs it: mappings merge key by key (`null` deletes a key), a list of
//! mappings merges by the merge key Kubernetes gives it (`name` for containers, volumes, env;
//! `mountPath`, `containerPort`...), other lists are replaced, and `$patch: delete` /
//! `$patch: replace` are obeyed. Other directives (`$retainKeys`, `$setElementOrder`) do
//! not change what an object references and are dropped.

use crate::yaml::{Entry, Node, Value};

/// Why a patch could not be applied (kustomize stops the build on each of these).
#[derive(Debug, PartialEq, Eq)]
pub struct PatchError(pub String);

/// One RFC 6902 operation, read from a patch's list.
pub struct Operation<'a> {
    pub op: &'a str,
    pub path: &'a str,
    pub from: Option<&'a str>,
    pub value: Option<&'a Node>,
}

/// The operations of a JSON Patch: a list of `{op, path, value?, from?}` mappings.
pub fn operations(patch: &Node) -> Result<Vec<Operation<'_>>, PatchError> {
    let Value::Seq(items) = &patch.value else { return Err(PatchError("a JSON patch is a list".into())) };
    items
        .iter()
        .map(|item| {
            let text = |k: &str| item.get(k).and_then(Node::as_str);
            let op = text("op").ok_or_else(|| PatchError("an operation without `op`".into()))?;
            let path = text("path").ok_or_else(|| PatchError(format!("`{op}` without `path`")))?;
            Ok(Operation { op, path, from: text("from"), value: item.get("value") })
        })
        .collect()
}

/// The reference tokens of a JSON Pointer (`/a/b~1c` → `a`, `b/c`).
fn tokens(pointer: &str) -> Result<Vec<String>, PatchError> {
    if pointer.is_empty() {
        return Ok(Vec::new());
    }
    let rest = pointer.strip_prefix('/').ok_or_else(|| PatchError(format!("`{pointer}` is no JSON pointer")))?;
    Ok(rest.split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect())
}

/// The node a pointer's tokens lead to.
fn walk<'a>(mut node: &'a mut Node, tokens: &[String]) -> Option<&'a mut Node> {
    for t in tokens {
        node = match &mut node.value {
            Value::Map(entries) => &mut entries.iter_mut().find(|e| e.key == *t)?.value,
            Value::Seq(items) => items.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn value_at<'a>(node: &'a Node, tokens: &[String]) -> Option<&'a Node> {
    let mut node = node;
    for t in tokens {
        node = match &node.value {
            Value::Map(entries) => &entries.iter().find(|e| e.key == *t)?.value,
            Value::Seq(items) => items.get(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

/// Applies a JSON Patch to an object.
pub fn apply_json(object: &mut Node, ops: &[Operation<'_>]) -> Result<(), PatchError> {
    for op in ops {
        let path = tokens(op.path)?;
        match op.op {
            "add" | "replace" => {
                let value =
                    op.value.ok_or_else(|| PatchError(format!("`{}` at {} without a value", op.op, op.path)))?;
                put(object, &path, value.clone(), op.op == "add")?;
            }
            "remove" => {
                take(object, &path)?;
            }
            "move" => {
                let from = tokens(op.from.ok_or_else(|| PatchError("`move` without `from`".into()))?)?;
                let value = take(object, &from)?;
                put(object, &path, value, true)?;
            }
            "copy" => {
                let from = tokens(op.from.ok_or_else(|| PatchError("`copy` without `from`".into()))?)?;
                let value = value_at(object, &from).cloned().ok_or_else(|| missing(op.from.unwrap_or_default()))?;
                put(object, &path, value, true)?;
            }
            "test" => {
                let want = op.value.map(Node::to_json);
                let have = value_at(object, &path).map(Node::to_json);
                if want != have {
                    return Err(PatchError(format!("`test` at {} failed", op.path)));
                }
            }
            other => return Err(PatchError(format!("unknown operation `{other}`"))),
        }
    }
    Ok(())
}

fn missing(path: &str) -> PatchError {
    PatchError(format!("no value at `{path}`"))
}

/// Sets the value at `path`: added (a new key, or inserted in a list, `-` for its end) or
/// replaced (the value must exist).
fn put(object: &mut Node, path: &[String], value: Node, add: bool) -> Result<(), PatchError> {
    let Some((last, parents)) = path.split_last() else {
        *object = value;
        return Ok(());
    };
    let where_ = || format!("/{}", path.join("/"));
    let parent = walk(object, parents).ok_or_else(|| missing(&where_()))?;
    let span = parent.span;
    match &mut parent.value {
        Value::Map(entries) => match entries.iter_mut().find(|e| e.key == *last) {
            Some(e) => e.value = value,
            None if add => entries.push(Entry { key: last.clone(), key_span: value.span, value }),
            None => return Err(missing(&where_())),
        },
        Value::Seq(items) => {
            let index = if last == "-" { items.len() } else { last.parse().map_err(|_| missing(&where_()))? };
            if add && index <= items.len() {
                items.insert(index, value);
            } else if !add && index < items.len() {
                items[index] = value;
            } else {
                return Err(missing(&where_()));
            }
        }
        _ => return Err(missing(&where_())),
    }
    let _ = span;
    Ok(())
}

/// Removes and returns the value at `path`.
fn take(object: &mut Node, path: &[String]) -> Result<Node, PatchError> {
    let (last, parents) = path.split_last().ok_or_else(|| PatchError("cannot remove the whole object".into()))?;
    let where_ = format!("/{}", path.join("/"));
    let parent = walk(object, parents).ok_or_else(|| missing(&where_))?;
    match &mut parent.value {
        Value::Map(entries) => {
            let at = entries.iter().position(|e| e.key == *last).ok_or_else(|| missing(&where_))?;
            Ok(entries.remove(at).value)
        }
        Value::Seq(items) => {
            let at: usize = last.parse().map_err(|_| missing(&where_))?;
            if at < items.len() { Ok(items.remove(at)) } else { Err(missing(&where_)) }
        }
        _ => Err(missing(&where_)),
    }
}

/// What `$patch` in a mapping says.
fn directive(node: &Node) -> Option<&str> {
    node.get("$patch").and_then(Node::as_str)
}

/// Whether a strategic merge patch deletes the whole object it matches.
pub fn deletes(patch: &Node) -> bool {
    directive(patch) == Some("delete")
}

/// The key Kubernetes merges a list of mappings at `field` by (its `patchMergeKey`), guessed
/// from the items when the field is not a known one.
fn merge_key(field: &str, items: &[Node]) -> Option<&'static str> {
    let known = match field {
        "volumeMounts" | "volumeDevices" => Some("mountPath"),
        "ports" => {
            // A container's ports merge by containerPort, a Service's by port.
            if items.iter().any(|i| i.get("containerPort").is_some()) { Some("containerPort") } else { Some("port") }
        }
        "imagePullSecrets" | "containers" | "initContainers" | "ephemeralContainers" | "volumes" | "env" => {
            Some("name")
        }
        "tolerations" => Some("key"),
        "hostAliases" => Some("ip"),
        "topologySpreadConstraints" => Some("topologyKey"),
        _ => None,
    };
    known.or_else(|| items.iter().all(|i| i.get("name").is_some()).then_some("name"))
}

/// Merges a strategic merge patch into an object.
pub fn merge(object: &mut Node, patch: &Node) {
    merge_field(object, patch, "");
}

fn merge_field(target: &mut Node, patch: &Node, field: &str) {
    if directive(patch) == Some("replace") {
        *target = without_directives(patch);
        return;
    }
    match (&mut target.value, &patch.value) {
        (Value::Map(entries), Value::Map(changes)) => {
            for change in changes {
                if change.key.starts_with('$') {
                    continue;
                }
                if matches!(change.value.value, Value::Null) {
                    entries.retain(|e| e.key != change.key);
                    continue;
                }
                match entries.iter_mut().find(|e| e.key == change.key) {
                    Some(e) => merge_field(&mut e.value, &change.value, &change.key),
                    None => entries.push(Entry {
                        key: change.key.clone(),
                        key_span: change.key_span,
                        value: without_directives(&change.value),
                    }),
                }
            }
        }
        (Value::Seq(items), Value::Seq(changes)) => {
            let all_maps = |l: &[Node]| !l.is_empty() && l.iter().all(|i| matches!(i.value, Value::Map(_)));
            let key = if all_maps(changes) { merge_key(field, changes) } else { None };
            match key {
                Some(key) => {
                    for change in changes {
                        let id = change.get(key).map(Node::to_json);
                        let at = id.as_ref().and_then(|id| {
                            items.iter().position(|i| i.get(key).map(Node::to_json).as_ref() == Some(id))
                        });
                        match (at, directive(change)) {
                            (Some(at), Some("delete")) => {
                                items.remove(at);
                            }
                            (None, Some("delete")) => {}
                            (Some(at), _) => merge_field(&mut items[at], change, ""),
                            (None, _) => items.push(without_directives(change)),
                        }
                    }
                }
                None => *target = without_directives(patch),
            }
        }
        _ => *target = without_directives(patch),
    }
}

/// A patch's value without its `$` directives, as it becomes part of the object.
fn without_directives(node: &Node) -> Node {
    match &node.value {
        Value::Map(entries) => Node {
            span: node.span,
            value: Value::Map(
                entries
                    .iter()
                    .filter(|e| !e.key.starts_with('$'))
                    .map(|e| Entry { key: e.key.clone(), key_span: e.key_span, value: without_directives(&e.value) })
                    .collect(),
            ),
        },
        Value::Seq(items) => {
            Node { span: node.span, value: Value::Seq(items.iter().map(without_directives).collect()) }
        }
        _ => node.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml;

    fn node(text: &str) -> Node {
        let loaded = yaml::load("t.yaml", text.as_bytes(), &crate::lint::kubernetes::BUILD_POLICY);
        loaded.documents.expect("YAML").remove(0).root
    }

    #[test]
    fn a_json_patch_adds_replaces_removes_moves_and_copies() {
        let mut object = node("spec:\n  a: 1\n  list: [x, y]\n  m: {k/v: 2}\n");
        let patch = node(
            "- {op: replace, path: /spec/a, value: 3}\n- {op: add, path: /spec/list/-, value: z}\n\
             - {op: add, path: /spec/list/0, value: w}\n- {op: remove, path: /spec/m/k~1v}\n\
             - {op: copy, from: /spec/a, path: /spec/b}\n- {op: move, from: /spec/b, path: /spec/c}\n\
             - {op: test, path: /spec/c, value: 3}\n",
        );
        apply_json(&mut object, &operations(&patch).expect("ops")).expect("applies");
        assert_eq!(
            object.to_json(),
            serde_json::json!({"spec": {"a": 3, "list": ["w", "x", "y", "z"], "m": {}, "c": 3}})
        );
        let bad = node("- {op: replace, path: /spec/nothing, value: 1}\n");
        assert!(apply_json(&mut object, &operations(&bad).expect("ops")).is_err(), "replace needs a value there");
    }

    #[test]
    fn a_strategic_merge_merges_containers_by_name_and_obeys_its_directives() {
        let mut object = node(
            "spec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: x}\n        - {name: b, image: y}\n      \
             volumes:\n        - {name: v, secret: {secretName: s}}\n  keep: 1\n  gone: 2\n",
        );
        let patch = node(
            "spec:\n  template:\n    spec:\n      containers:\n        - {name: a, image: z}\n        - {name: c, image: n}\n      \
             volumes:\n        - {name: v, $patch: delete}\n  gone: null\n",
        );
        merge(&mut object, &patch);
        assert_eq!(
            object.to_json(),
            serde_json::json!({"spec": {"template": {"spec": {
                "containers": [{"name": "a", "image": "z"}, {"name": "b", "image": "y"}, {"name": "c", "image": "n"}],
                "volumes": []}}, "keep": 1}})
        );
        assert!(deletes(&node("$patch: delete\nkind: X\n")));
    }
}
