use hcl_edit::Span as _;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` without a network policy engine: no
    /// `network_profile` block, or one without `network_policy`.
    ///
    /// checkov: CKV_AZURE_7.
    ///
    /// ## Why it matters
    /// The NetworkPolicy objects gen renders for each service are accepted by the API server
    /// and enforced by nothing: every pod can reach every other. The engine is chosen when the
    /// cluster is created.
    ///
    /// ## Example
    /// ```hcl
    /// network_profile {
    ///   network_plugin = "azure"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Choose one: `network_policy = "azure"`, `"calico"`, or `"cilium"` (with
    /// `network_data_plane = "cilium"`).
    pub static RULE = ("TF022", "aks-network-policy-missing", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let span = match hcl::block(r.body(), "network_profile") {
            None => r.header(),
            Some(np) if !np.body.has_attribute("network_policy") => hcl::span(np.ident.span()),
            Some(_) => continue,
        };
        let message = format!("{} has no network policy engine: NetworkPolicies are not enforced", r.address());
        out.push(
            r.at(&RULE, span, message).help("set `network_profile { network_policy = \"azure\" }` (or calico, cilium)"),
        );
    }
}
