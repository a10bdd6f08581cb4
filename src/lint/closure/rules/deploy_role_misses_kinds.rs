use std::collections::BTreeSet;

use crate::declare_rule;
use crate::diag::Diagnostic;
use crate::lint::closure::Graph;
use crate::lint::closure::platform::{self, BuiltinRole};
use crate::lint::closure::terraform::Role;

declare_rule! {
    /// ## What it does
    /// Reports a role assignment of a role that writes in an AKS cluster ("Azure Kubernetes
    /// Service RBAC Writer", or a custom `azurerm_role_definition` with data actions) that
    /// does not cover every kind the deployment's charts and manifests hold: the identity
    /// given it (the pipeline's deploy identity) must write them all. "RBAC Writer" covers
    /// most built-in namespaced objects and no custom resource (an HTTPRoute, a
    /// SnapshotSchedule, a SecretProviderClass, a Certificate), and no Role or RoleBinding.
    /// Namespaces are left out: Terraform creates them.
    ///
    /// ## Why it matters
    /// `helm upgrade --install` is refused (`httproutes.gateway.networking.k8s.io is
    /// forbidden`) on the first deploy that holds the kind, and `--atomic` rolls the release
    /// back.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_role_assignment" "deploy" {
    ///   scope                = "${var.cluster_id}/namespaces/shop"
    ///   role_definition_name = "Azure Kubernetes Service RBAC Writer"   # the chart has an HTTPRoute
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Give the identity a custom role whose data actions cover exactly the kinds its
    /// release contains (`Microsoft.ContainerService/managedClusters/gateway.networking.k8s.io/httproutes/*`...),
    /// scoped to its namespaces.
    pub static RULE = ("DEP008", "deploy-role-misses-kinds", Warning);
}

pub fn check(graph: &Graph, out: &mut Vec<(usize, Diagnostic)>) {
    // What the deploy identity writes: the kinds of the clusters it reaches (not a laptop's).
    let kinds: BTreeSet<(&String, &String)> = graph
        .kinds
        .iter()
        .filter(|(_, k, scope)| k != "Namespace" && !graph.on_this_machine_only(scope))
        .map(|(g, k, _)| (g, k))
        .collect();
    if kinds.is_empty() {
        return;
    }
    for a in &graph.tf.assignments {
        let (shown, writes) = match &a.role {
            Role::Builtin(_, BuiltinRole::Reader | BuiltinRole::Admin | BuiltinRole::ClusterAdmin) => continue,
            Role::Builtin(name, role) => (format!("\"{name}\""), Writes::Builtin(*role)),
            Role::Custom(name) => {
                let Some(actions) = graph.tf.definitions.get(name) else { continue };
                // A custom role that writes nothing in the cluster is not a deploy role.
                if !actions.iter().any(|x| x.ends_with("/write") || x.ends_with('*')) {
                    continue;
                }
                (format!("azurerm_role_definition.{name}"), Writes::Actions(actions))
            }
        };
        let missing: Vec<String> = kinds
            .iter()
            .filter(|(g, k)| !writes.covers(g, k))
            .map(|(g, k)| if g.is_empty() { k.to_string() } else { format!("{k} ({g})") })
            .collect();
        if missing.is_empty() {
            continue;
        }
        let message = format!(
            "the role {shown} does not let its holder write {}, which this deployment's charts and manifests \
             hold: the deploy is refused (403) and rolled back",
            missing.join(", ")
        );
        let help = "give the deploy identity a custom role (azurerm_role_definition) whose data actions cover \
                    every kind its release contains, scoped to its namespaces";
        out.push((a.origin, graph.diag(&RULE, a.origin, a.span, message).help(help)));
    }
}

/// What a role lets its holder write.
enum Writes<'a> {
    Builtin(BuiltinRole),
    Actions(&'a [String]),
}

impl Writes<'_> {
    fn covers(&self, group: &str, kind: &str) -> bool {
        match self {
            Writes::Builtin(role) => platform::builtin_writes(*role, group, kind),
            Writes::Actions(actions) => platform::data_actions_write(actions, group, kind),
        }
    }
}
