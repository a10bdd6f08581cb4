use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a field that the object's kind does not have, as a strict API server does
    /// (`kubectl apply --validate=strict`): usually a misspelled key.
    ///
    /// ## Why it matters
    /// Without strict validation the field is dropped silently: a `securityContxt` leaves the
    /// container running as root, a `livenessprobe` leaves it without a probe, and every
    /// check of the file says it is fine.
    ///
    /// ## Example
    /// ```yaml
    /// containers:
    ///   - name: app
    ///     image: shop:1.0.0
    ///     imagePullpolicy: IfNotPresent
    /// ```
    ///
    /// ## How to fix
    /// Spell the field as the API reference does (`kubectl explain deployment.spec...`), or
    /// remove it. Objects are read with the types of Kubernetes 1.35.
    pub static RULE = ("K8S002", "unknown-field", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        for route in &object.unknown_fields {
            let key = route.segments().last().map(|s| match s {
                crate::diag::Segment::Key(k) => k.clone(),
                crate::diag::Segment::Index(i) => i.to_string(),
            });
            let message = format!("{} has no field `{}` (at `{route}`)", object.kind, key.unwrap_or_default(),);
            out.push(
                object
                    .at_key(&RULE, route, message)
                    .help("check its spelling against `kubectl explain`; a strict API server refuses it"),
            );
        }
    }
}
