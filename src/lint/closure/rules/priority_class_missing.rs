use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a PriorityClass a pod is scheduled with (`priorityClassName`) that nothing in
    /// the deployment creates. `system-cluster-critical` and `system-node-critical` are in
    /// every cluster.
    ///
    /// ## Why it matters
    /// The API server's admission refuses the pods (`no PriorityClass with name ... was
    /// found`): the workload shows no pods at all, and only its ReplicaSet's events say why.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   template:
    ///     spec:
    ///       priorityClassName: batch-high   # no PriorityClass batch-high
    /// ```
    ///
    /// ## How to fix
    /// Add the PriorityClass to the deployment (it is cluster-wide: one per cluster), or name
    /// one it creates.
    pub static RULE = ("DEP010", "priority-class-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str = "create the PriorityClass in the deployment, or name one it creates";
