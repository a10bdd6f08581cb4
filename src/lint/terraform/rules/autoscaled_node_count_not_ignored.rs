use hcl_edit::Span as _;
use hcl_edit::expr::Expression;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, Resource, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an autoscaled node pool that also sets `node_count` without telling Terraform
    /// to ignore it: a `default_node_pool` with `auto_scaling_enabled = true` and `node_count`
    /// in an `azurerm_kubernetes_cluster` whose `lifecycle { ignore_changes }` lacks
    /// `default_node_pool[0].node_count`, or an `azurerm_kubernetes_cluster_node_pool` with
    /// both and without `node_count` in `ignore_changes`. (Without `node_count` the provider
    /// takes the pool's count as it finds it, and there is nothing to ignore.)
    ///
    /// ## Why it matters
    /// The cluster autoscaler changes the node count; the next `terraform apply` sees the
    /// difference and sets the count back to the configured one, scaling the pool down under
    /// load (or up for nothing), and every plan shows a change nobody made.
    ///
    /// ## Example
    /// ```hcl
    /// default_node_pool {
    ///   name                 = "system"
    ///   vm_size              = "Standard_D2ds_v5"
    ///   auto_scaling_enabled = true
    ///   node_count           = 1
    ///   min_count            = 1
    ///   max_count            = 3
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Add `lifecycle { ignore_changes = [default_node_pool[0].node_count] }` to the cluster
    /// (`[node_count]` to a separate node pool), or leave `node_count` out.
    pub static RULE = ("TF018", "autoscaled-node-count-not-ignored", Warning);
}

/// The entries of `lifecycle { ignore_changes = [...] }`, without whitespace; `all` for
/// `ignore_changes = all`.
fn ignored(r: &Resource<'_>) -> Vec<String> {
    let Some(value) = hcl::block(r.body(), "lifecycle").and_then(|l| hcl::value(&l.body, "ignore_changes")) else {
        return Vec::new();
    };
    match value {
        Expression::Array(items) => {
            items.iter().map(|e| hcl::string(e).unwrap_or_else(|| hcl::text(r.doc.text(), e))).collect()
        }
        other => vec![hcl::text(r.doc.text(), other)],
    }
}

fn autoscaled_with_count(body: &hcl_edit::structure::Body) -> bool {
    hcl::value(body, "auto_scaling_enabled").and_then(hcl::boolean) == Some(true) && body.has_attribute("node_count")
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let Some(pool) = hcl::block(r.body(), "default_node_pool") else { continue };
        if !autoscaled_with_count(&pool.body) {
            continue;
        }
        let ignored = ignored(&r);
        if ignored.iter().any(|i| i == "all" || i == "default_node_pool" || i == "default_node_pool[0].node_count") {
            continue;
        }
        let at = hcl::attr(&pool.body, "node_count").map_or_else(|| r.header(), |a| hcl::span(a.key.span()));
        let message = format!(
            "the autoscaled default node pool of {} sets `node_count`, which the next apply resets",
            r.address()
        );
        out.push(
            r.at(&RULE, at, message)
                .help("add `lifecycle { ignore_changes = [default_node_pool[0].node_count] }` to the cluster"),
        );
    }
    for r in doc.resources("azurerm_kubernetes_cluster_node_pool") {
        if !autoscaled_with_count(r.body()) {
            continue;
        }
        if ignored(&r).iter().any(|i| i == "all" || i == "node_count") {
            continue;
        }
        let message =
            format!("the autoscaled node pool {} sets `node_count`, which the next apply resets", r.address());
        out.push(
            r.at(&RULE, r.attr_span("node_count"), message)
                .help("add `lifecycle { ignore_changes = [node_count] }` to the node pool"),
        );
    }
}
