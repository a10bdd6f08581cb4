use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::yaml::Value;

declare_rule! {
    /// ## What it does
    /// Reports a value of the wrong type for its field: a string where the API wants a
    /// number, a mapping where it wants a list, a number or an unquoted `yes`, `on` or `no`
    /// where it wants a string (kubectl reads manifests as YAML 1.1, where those are
    /// booleans: a ConfigMap's `DEBUG: yes` is refused). Every such value of an object is
    /// reported, not the first alone.
    ///
    /// ## Why it matters
    /// The API server refuses the whole object.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   replicas: "3"
    /// ```
    ///
    /// ## How to fix
    /// Write the value as the field's type: `replicas: 3`.
    pub static RULE = ("K8S003", "invalid-field-type", Error, unignorable);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        for e in &object.type_errors {
            let mut message = format!("{}: `{}`: {}", object.title(), e.route, e.message);
            let mut help = "write the value with the type the field takes".to_string();
            if let Some((written, read_as)) = unquoted_scalar(object, &e.route)
                && e.message.ends_with("expected a string")
            {
                if let Some(read_as) = read_as {
                    message = format!(
                        "{}: `{}`: kubectl reads the unquoted `{written}` as the boolean {read_as} (YAML 1.1), and the field takes a string: the API server refuses it",
                        object.title(),
                        e.route
                    );
                }
                help = format!("quote it: `\"{written}\"`");
            }
            out.push(object.at(&RULE, &e.route, message).help(help));
        }
    }
}

/// The text of the plain scalar at `route` that YAML reads as no string (a number, a
/// boolean), with, for a boolean YAML 1.2 would read as a string (`yes`, `on`, `y`), the
/// value kubectl's YAML 1.1 gives it.
fn unquoted_scalar<'a>(
    object: &'a crate::lint::kubernetes::Object,
    route: &crate::diag::Route,
) -> Option<(&'a str, Option<bool>)> {
    let node = object.doc.root.lookup(route)?;
    let written = object.doc.source.text().get(node.span.start..node.span.end)?.trim();
    if written.starts_with(['"', '\'', '!']) {
        return None;
    }
    match node.value {
        Value::Bool(b) => {
            let core = matches!(crate::yaml::resolve_plain(written), Value::Bool(_));
            Some((written, (!core).then_some(b)))
        }
        Value::Int(_) | Value::Float(_) => Some((written, None)),
        _ => None,
    }
}
