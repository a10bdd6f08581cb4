use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` whose `default_node_pool` (its system pool) can
    /// be a single node and also runs the applications: `node_count = 1` (or `min_count = 1`
    /// when `auto_scaling_enabled = true`) without `only_critical_addons_enabled = true`.
    /// Values come through variables and locals as written (their defaults, the `.tfvars`
    /// linted with them, a module caller's arguments); a value gen cannot tell is not judged.
    ///
    /// checkov's CKV_AZURE_232 asks for the taint on every system pool; this rule reports the
    /// case that is an outage waiting to happen.
    ///
    /// ## Why it matters
    /// On one node, CoreDNS, the metrics server, the admission webhooks and every application
    /// pod share one VM: its reboot for a patch, its drain for an upgrade or its loss is an
    /// outage of the whole cluster, and "zones 1, 2, 3" spreads nothing. An application pod
    /// that uses all the node's memory starves CoreDNS too.
    ///
    /// ## Example
    /// ```hcl
    /// default_node_pool {
    ///   name       = "system"
    ///   vm_size    = "Standard_D2ds_v5"
    ///   node_count = 1
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Give the system pool at least two nodes (three, one per zone, in production) and
    /// `only_critical_addons_enabled = true`, and run the applications in an
    /// `azurerm_kubernetes_cluster_node_pool` with `mode = "User"` across the zones.
    pub static RULE = ("TF025", "aks-single-node-system-pool", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let Some(pool) = hcl::block(r.body(), "default_node_pool") else { continue };
        let resolve = |key: &str| -> Option<(&Expression, &Expression)> {
            let written = hcl::value(&pool.body, key)?;
            doc.values.resolve(written).map(|(value, _)| (written, value))
        };
        // Tainted, or possibly so (an expression gen cannot tell): not judged.
        if pool.body.has_attribute("only_critical_addons_enabled")
            && resolve("only_critical_addons_enabled").and_then(|(_, v)| hcl::boolean(v)) != Some(false)
        {
            continue;
        }
        let autoscaled = resolve("auto_scaling_enabled").and_then(|(_, v)| hcl::boolean(v)) == Some(true);
        let key = if autoscaled { "min_count" } else { "node_count" };
        let Some((written, value)) = resolve(key) else { continue };
        if hcl::whole_number(value) != Some(1) {
            continue;
        }
        let shown = hcl::text(doc.text(), written);
        let through = if shown == "1" { String::new() } else { format!(" = {shown}") };
        let message = format!(
            "{}'s system pool can be a single node ({key}{through} = 1) and runs the applications too: one reboot or drain stops the cluster",
            r.address()
        );
        let span = hcl::attr(&pool.body, key).map_or_else(|| r.header(), |a| hcl::span(a.key.span()));
        out.push(r.at(&RULE, span, message).help(
            "give the system pool 2 or more nodes (3 in production) with `only_critical_addons_enabled = true`, and the applications a `mode = \"User\"` node pool",
        ));
    }
}
