use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a namespace an object is created in (`metadata.namespace`) that nothing in the
    /// deployment creates: a Namespace manifest, Terraform's `kubernetes_namespace`, a Helm
    /// release with `create_namespace = true`. `default`, `kube-system`, `kube-public` and
    /// `kube-node-lease` are in every cluster.
    ///
    /// ## Why it matters
    /// `kubectl apply` fails with `namespaces "shop" not found`, for every object in it; a
    /// script that asks for a Secret in it before the namespace is created stops there.
    ///
    /// ## Example
    /// ```yaml
    /// metadata:
    ///   name: shop
    ///   namespace: shop   # no Namespace shop
    /// ```
    ///
    /// ## How to fix
    /// Create the Namespace in the deployment (with the Pod Security labels it needs), or
    /// declare it as a prerequisite.
    pub static RULE = ("DEP006", "namespace-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str = "create the Namespace in the deployment (a manifest, or Terraform's kubernetes_namespace)";
