use hcl_edit::Span as _;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an AKS node pool with no `orchestrator_version`: the `default_node_pool` of an
    /// `azurerm_kubernetes_cluster`, or an `azurerm_kubernetes_cluster_node_pool`.
    ///
    /// ## Why it matters
    /// A pool without it keeps the Kubernetes version it was created with: raising the
    /// cluster's `kubernetes_version` upgrades the control plane alone, and the nodes fall
    /// behind until the version skew AKS supports runs out, when the next control-plane upgrade
    /// is refused, or the pool's version leaves support.
    ///
    /// ## Example
    /// ```hcl
    /// default_node_pool {
    ///   name    = "system"
    ///   vm_size = "Standard_D2ds_v5"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Set `orchestrator_version` on every pool, to the cluster's `kubernetes_version` (the
    /// same variable), so that one change upgrades control plane and nodes in order.
    pub static RULE = ("TF023", "aks-pool-without-orchestrator-version", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let Some(pool) = hcl::block(r.body(), "default_node_pool") else { continue };
        if pool.body.has_attribute("orchestrator_version") {
            continue;
        }
        let message = format!(
            "{}'s default_node_pool has no orchestrator_version: a new kubernetes_version upgrades the control plane alone",
            r.address()
        );
        out.push(
            r.at(&RULE, hcl::span(pool.ident.span()), message)
                .help("set `orchestrator_version = var.kubernetes_version` (the cluster's version) in the pool"),
        );
    }
    for r in doc.resources("azurerm_kubernetes_cluster_node_pool") {
        if r.has("orchestrator_version") {
            continue;
        }
        let message =
            format!("{} has no orchestrator_version: it stays on the version it was created with", r.address());
        out.push(
            r.at(&RULE, r.header(), message).help("set `orchestrator_version` to the cluster's `kubernetes_version`"),
        );
    }
}
