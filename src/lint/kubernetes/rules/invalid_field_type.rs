use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a value of the wrong type for its field: a string where the API wants a
    /// number, a mapping where it wants a list.
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
        if let Some(e) = &object.type_error {
            let message = format!("{}: `{}`: {}", object.title(), e.route, e.message);
            out.push(object.at(&RULE, &e.route, message).help("write the value with the type the field takes"));
        }
    }
}
