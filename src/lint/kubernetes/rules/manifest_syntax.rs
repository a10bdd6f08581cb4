use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a manifest that cannot be read: text that is not YAML, a key written twice in
    /// one mapping, a document that is not an object with `apiVersion` and `kind`.
    ///
    /// ## Why it matters
    /// `kubectl apply` refuses the file (a strict API server refuses a duplicate key), and
    /// nothing in it can be checked.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Service
    /// metadata:
    ///   name: shop
    ///   name: shop-svc
    /// ```
    ///
    /// ## How to fix
    /// Fix the YAML at the reported line and column.
    pub static RULE = ("K8S001", "manifest-syntax", Error, unignorable);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    out.extend(doc.syntax.iter().cloned());
}
