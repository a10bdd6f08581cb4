use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::{Document, Object};
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a credential in a kubeconfig (`apiVersion: v1`, `kind: Config`: a file named
    /// `kubeconfig`, `*.kubeconfig`, `.kube/config`, or any manifest file that holds one): a
    /// user's bearer `token`, `client-key-data` (the private key of a client certificate),
    /// `password`, and the `client-secret`, `id-token` or `refresh-token` of an
    /// `auth-provider`. A path to a file (`tokenFile`, `client-key`) or an `exec` plugin
    /// that fetches a token holds none.
    ///
    /// checkov: CKV_SECRET_* (its secrets scan); trivy's secret scanning reports the token.
    ///
    /// ## Why it matters
    /// A committed kubeconfig gives everyone who can read the repository, every fork and
    /// every clone, the cluster access of its user, until the token is revoked or the key's
    /// certificate expires (a year, often): the same as a password in the file, with a
    /// cluster attached.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: v1
    /// kind: Config
    /// users:
    ///   - name: deployer
    ///     user:
    ///       token: eyJhbGciOiJSUzI1NiIs...
    /// ```
    ///
    /// ## How to fix
    /// Revoke the credential (delete the ServiceAccount's token Secret, or rotate the client
    /// certificate), remove the file from the repository and its history, and keep
    /// kubeconfigs out of git. A pipeline gets its access at run time (OIDC: `azure/login`,
    /// then `az aks get-credentials` with kubelogin); a person with `az aks get-credentials`.
    pub static RULE = ("K8S055", "kubeconfig-credential", Error);
}

/// A user's fields that hold a credential, with how a message names each.
const USER_FIELDS: [(&str, &str); 3] =
    [("token", "bearer token"), ("client-key-data", "client certificate's private key"), ("password", "password")];

/// An `auth-provider`'s configuration fields that hold a credential.
const PROVIDER_FIELDS: [&str; 3] = ["client-secret", "id-token", "refresh-token"];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in doc.objects.iter().filter(|o| o.kind == "Config" && o.api_version == "v1") {
        let Some(Value::Seq(users)) = object.doc.root.get("users").map(|n| &n.value) else { continue };
        for (i, entry) in users.iter().enumerate() {
            let name = entry.get("name").and_then(Node::as_str).unwrap_or("");
            let Some(user) = entry.get("user") else { continue };
            let at = crate::route!["users", i, "user"];
            for (field, what) in USER_FIELDS {
                if written(user.get(field)) {
                    report(object, &at.clone().with(field), name, what, out);
                }
            }
            let config = user.get("auth-provider").and_then(|p| p.get("config"));
            for field in PROVIDER_FIELDS {
                if written(config.and_then(|c| c.get(field))) {
                    let route = at.clone().with("auth-provider").with("config").with(field);
                    report(object, &route, name, &format!("auth provider's `{field}`"), out);
                }
            }
        }
    }
}

/// Whether a value is written (not empty, not a placeholder of the shell or a template).
fn written(node: Option<&Node>) -> bool {
    node.and_then(Node::as_str).is_some_and(|s| {
        let s = s.trim();
        let placeholder = s.starts_with('$') || (s.starts_with('<') && s.ends_with('>')) || s.contains("{{");
        !s.is_empty() && !placeholder
    })
}

fn report(object: &Object, route: &Route, user: &str, what: &str, out: &mut Diagnostics) {
    let whose = if user.is_empty() { "a user".to_string() } else { format!("the user `{}`", user.escape_debug()) };
    let message = format!(
        "this kubeconfig holds the {what} of {whose} in plain text: whoever reads the repository has its access to the cluster"
    );
    out.push(object.at(&RULE, route, message).help(
        "revoke it (delete the token's Secret, or rotate the certificate), remove the file from the repository and its history, and get access at run time (OIDC, `az aks get-credentials`)",
    ));
}
