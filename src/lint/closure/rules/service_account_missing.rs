use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a ServiceAccount that a pod runs as (`serviceAccountName`) or a RoleBinding
    /// binds, and nothing in the deployment creates (a manifest, Terraform's
    /// `kubernetes_service_account`). `default` is in every namespace.
    ///
    /// kube-linter: `non-existent-service-account`.
    ///
    /// ## Why it matters
    /// The API server refuses the pods (`error looking up service account`): the Deployment
    /// shows no pods at all, and the ReplicaSet's events say why.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       serviceAccountName: shop-runner   # no ServiceAccount shop-runner
    /// ```
    ///
    /// ## How to fix
    /// Add the ServiceAccount to the deployment (in a chart, named with the same helper as
    /// the reference), or name one it creates.
    pub static RULE = ("DEP002", "service-account-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str = "create the ServiceAccount in the deployment, or name one it creates";
