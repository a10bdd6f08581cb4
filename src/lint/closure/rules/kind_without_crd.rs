use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an object whose kind Kubernetes does not serve itself (an HTTPRoute, a
    /// SnapshotSchedule, a Certificate, a SecretProviderClass) when nothing in the deployment
    /// installs its CRD: a CustomResourceDefinition manifest, a Helm release of a chart known
    /// to install it (cert-manager, snapscheduler, argo-cd, secrets-store-csi-driver,
    /// external-secrets, Envoy Gateway, kube-prometheus-stack, KEDA, Traefik), an AKS add-on
    /// (the Key Vault secrets provider), or the platform (AKS serves the snapshot API). A CRD
    /// the user installs is declared by its name in a README's Prerequisites section
    /// (``CRD `httproutes.gateway.networking.k8s.io` ``).
    ///
    /// ## Why it matters
    /// `helm install` and `kubectl apply` fail with `no matches for kind "HTTPRoute"`, and the
    /// release is rolled back: nothing of it is installed.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: gateway.networking.k8s.io/v1
    /// kind: HTTPRoute   # no Gateway API CRDs installed
    /// ```
    ///
    /// ## How to fix
    /// Install the CRDs (the implementation's Helm release in Terraform, or the CRD
    /// manifests), or declare them as a prerequisite with the command that checks them
    /// (`kubectl get crd <name>`).
    pub static RULE = ("DEP005", "kind-without-crd", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str =
    "install its CRD in the deployment (the CRD manifest, or a Helm release of the chart that installs it)";
