use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports routing an object attaches to and nothing installs: the Gateway of an
    /// HTTPRoute's (or GRPCRoute's, TLSRoute's...) `parentRefs`, the GatewayClass of a
    /// Gateway, the IngressClass of an Ingress (`ingressClassName`). An IngressClass is
    /// created by a manifest, by a Helm release of ingress-nginx (its
    /// `controller.ingressClassResource.name`, `nginx` by default), or by AKS's application
    /// routing add-on (`webapprouting.kubernetes.azure.com`).
    ///
    /// kube-linter: `dangling-ingress`, `dangling-httproute` (within one family).
    ///
    /// ## Why it matters
    /// A route whose Gateway does not exist is accepted by the API server and routes nothing;
    /// an Ingress whose class no controller serves gets no address. The service is healthy
    /// and unreachable.
    ///
    /// ## Example
    /// ```yaml
    /// kind: HTTPRoute
    /// spec:
    ///   parentRefs:
    ///     - name: public   # no Gateway public
    /// ```
    ///
    /// ## How to fix
    /// Install the implementation and create the Gateway (or IngressClass) in the deployment,
    /// or name the one that exists.
    pub static RULE = ("DEP004", "gateway-or-class-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str =
    "install the controller and create the Gateway or class in the deployment, or name one it creates";
