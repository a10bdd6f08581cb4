use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a Secret or ConfigMap that an object of the deployment uses and nothing in the
    /// deployment creates: a container's `env[].valueFrom.secretKeyRef` or `configMapKeyRef`,
    /// `envFrom[].secretRef` or `configMapRef`, a `secret`, `configMap` or `projected` volume,
    /// `imagePullSecrets`, an Ingress's `spec.tls[].secretName`, a Gateway listener's
    /// `certificateRefs`. A Secret is created by a manifest, by Terraform
    /// (`kubernetes_secret`), by a SecretProviderClass that syncs it (`secretObjects`), by a
    /// cert-manager Certificate or an Ingress that names a cert-manager issuer, by an
    /// ExternalSecret or a SealedSecret; `kube-root-ca.crt` is in every namespace; a
    /// reference marked `optional: true` is never reported; what the user provides is
    /// declared in a README's Prerequisites section (``Secret `shop/shop-env` ``).
    ///
    /// kube-linter: `dangling-*` checks stop at one family; Monokle's resource links: the same
    /// table of references.
    ///
    /// ## Why it matters
    /// A pod whose Secret is missing waits in `CreateContainerConfigError` until `helm
    /// upgrade --wait` times out and rolls the release back; an Ingress whose TLS secret
    /// nothing issues serves the controller's self-signed certificate, and every client fails
    /// the handshake. No validator sees it: the name spans files.
    ///
    /// ## Example
    /// ```yaml
    /// env:
    ///   - name: SECRET_KEY
    ///     valueFrom:
    ///       secretKeyRef: {name: shop-env, key: SECRET_KEY}   # nothing creates shop-env
    /// ```
    ///
    /// ## How to fix
    /// Create it in the deployment (from a vault through the Secrets Store CSI driver, or a
    /// certificate issued by cert-manager), mark the reference `optional: true` when the pod
    /// runs without it, or list it in the README's Prerequisites section with the command
    /// that checks it.
    pub static RULE = ("DEP001", "secret-or-config-map-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str = "create it in the deployment (a manifest, a SecretProviderClass that syncs it, a cert-manager \
                        certificate, Terraform's kubernetes_secret), or mark the reference `optional: true`";
