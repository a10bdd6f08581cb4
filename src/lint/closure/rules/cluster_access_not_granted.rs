use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::closure::Graph;
use crate::lint::closure::platform::BuiltinRole;
use crate::lint::closure::terraform::Role;
use crate::platform::azure::ROLE_KIND;

declare_rule! {
    /// ## What it does
    /// Reports Terraform that manages Kubernetes objects (any `kubernetes_*` resource, any
    /// `helm_release`) on an AKS cluster whose only way in is a role Azure RBAC grants (local
    /// accounts off, Azure RBAC on, no admin group), when nothing grants whoever runs
    /// `terraform apply` a data-plane role on it: no `azurerm_role_assignment` of "Azure
    /// Kubernetes Service RBAC Cluster Admin" or "RBAC Admin" (or a custom role whose data
    /// actions are `Microsoft.ContainerService/managedClusters/*`) scoped to the cluster or
    /// above, and no README Prerequisites section that says the runner holds one (``Azure
    /// role `Azure Kubernetes Service RBAC Cluster Admin` ``). Reported at the first such
    /// resource.
    ///
    /// ## Why it matters
    /// Owner and Contributor carry no `dataActions`: `terraform apply` creates the cluster,
    /// then stops at its first namespace or Helm release with 403 Forbidden. Even once a role
    /// is assigned, it takes minutes to reach the API server, so the resources must also wait
    /// for it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_kubernetes_cluster" "this" {
    ///   local_account_disabled = true
    ///   azure_active_directory_role_based_access_control { azure_rbac_enabled = true }
    /// }
    /// resource "helm_release" "ingress" { ... }   # signed in as a runner with no data-plane role
    /// ```
    ///
    /// ## How to fix
    /// Assign the runner (`data.azurerm_client_config.current.object_id`, or an admin group
    /// from the spec) "Azure Kubernetes Service RBAC Cluster Admin" on the cluster, and make
    /// the Kubernetes and Helm resources depend on that assignment and a wait for it to
    /// propagate; or state the role as a prerequisite.
    pub static RULE = ("DEP007", "cluster-access-not-granted", Warning);
}

/// Whether a role lets its holder write anything in the cluster, at the cluster's scope.
fn admin(graph: &Graph, role: &Role) -> bool {
    match role {
        Role::Builtin(_, r) => matches!(r, BuiltinRole::ClusterAdmin | BuiltinRole::Admin),
        Role::Custom(name) => graph.tf.definitions.get(name).is_some_and(|actions| {
            actions.iter().any(|a| a == "Microsoft.ContainerService/managedClusters/*" || a == "*")
        }),
    }
}

pub fn check(graph: &Graph, out: &mut Vec<(usize, Diagnostic)>) {
    let Some((cluster_origin, cluster_span, cluster)) = graph.tf.locked.first() else { return };
    let Some((origin, span, first)) = graph.tf.managed.first() else { return };
    // A namespace-scoped admin cannot create namespaces or cluster objects.
    let granted = graph.tf.assignments.iter().any(|a| admin(graph, &a.role) && !a.scope.contains("/namespaces/"));
    let dir = &graph.origins[*origin].dir;
    let declared = ["Azure Kubernetes Service RBAC Cluster Admin", "Azure Kubernetes Service RBAC Admin"]
        .iter()
        .any(|role| graph.declared(ROLE_KIND, None, role, dir, None));
    if granted || declared {
        return;
    }
    let at = {
        let source = &graph.origins[*cluster_origin].source;
        let p = source.position(*cluster_span);
        format!("{}:{}:{}", source.name(), p.line, p.column)
    };
    let more = graph.tf.managed.len() - 1;
    let (others, are) = match more {
        0 => (String::new(), "is"),
        1 => (" and 1 more Kubernetes or Helm resource".to_string(), "are"),
        n => (format!(" and {n} more Kubernetes or Helm resources"), "are"),
    };
    let message = format!(
        "{first}{others} {are} applied to the cluster {cluster} ({at}), which admits only identities Azure RBAC \
         grants a role (local accounts off, Azure RBAC on), and nothing grants whoever runs `terraform apply` a \
         data-plane role on it: Owner and Contributor carry none, so the apply stops here with 403 Forbidden"
    );
    let help = "assign the runner \"Azure Kubernetes Service RBAC Cluster Admin\" on the cluster \
                (azurerm_role_assignment, principal data.azurerm_client_config.current.object_id or an admin group), \
                and make these resources wait for it to propagate; or list it in a README's Prerequisites section as \
                Azure role `Azure Kubernetes Service RBAC Cluster Admin`";
    out.push((*origin, graph.diag(&RULE, *origin, *span, message).help(help)));
}
