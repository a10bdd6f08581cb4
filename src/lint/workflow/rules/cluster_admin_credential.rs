use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, entries, is_true};

declare_rule! {
    /// ## What it does
    /// Reports a job that reaches a Kubernetes cluster with an admin or stored credential:
    /// `azure/aks-set-context` with `admin: true`, `az aks get-credentials --admin` (`-a`),
    /// `azure/k8s-set-context` given a `kubeconfig`, an `env:` variable named like a
    /// kubeconfig (`KUBECONFIG`, `KUBE_CONFIG`, `KUBECONFIG_DATA`...) read from a secret, and a
    /// script that reads such a secret (`${{ secrets.KUBE_CONFIG }}`).
    ///
    /// No zizmor audit or actionlint check has this rule.
    ///
    /// ## Why it matters
    /// The cluster admin credential (a client certificate) bypasses Azure RBAC and Entra ID,
    /// cannot be revoked short of rotating the cluster's certificates, and does everything in
    /// every namespace; a kubeconfig stored as a secret is such a long-lived credential (most
    /// often the admin one) in GitHub's hands. One of the seeds deployed this way and wrote
    /// that giving GitHub access to the cluster was not the best practice.
    ///
    /// ## Example
    /// ```yaml
    /// - run: az aks get-credentials -g shop-rg -n shop-aks --admin
    /// ```
    ///
    /// ## How to fix
    /// Give the deploy job an identity of its own through OIDC (`azure/login` with a federated
    /// credential), grant it a namespace-scoped role on the cluster (Azure Kubernetes Service
    /// RBAC Writer on the namespace), and get a user kubeconfig that logs in through
    /// kubelogin: `azure/aks-set-context` with `use-kubelogin: 'true'`, or
    /// `az aks get-credentials` then `kubelogin convert-kubeconfig -l azurecli`. With local
    /// accounts disabled on the cluster (TF012), no admin credential exists.
    pub static RULE = ("GHA010", "cluster-admin-credential", Error);
}

const HELP: &str = "deploy as an OIDC identity with namespace-scoped RBAC, through kubelogin";

/// Whether a name is a kubeconfig's (`KUBECONFIG`, `KUBE_CONFIG`, `kubeconfig-data`).
fn kubeconfig_name(name: &str) -> bool {
    let squashed: String = name.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
    squashed.to_ascii_uppercase().contains("KUBECONFIG")
}

/// Whether an expression reads a kubeconfig secret.
fn secret_kubeconfig(contexts: &[String]) -> bool {
    contexts.iter().any(|c| c.strip_prefix("secrets.").is_some_and(kubeconfig_name))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let jobs = doc.jobs();
    let envs = doc.get("env").into_iter().chain(jobs.iter().filter_map(|j| j.get("env")));
    for env in envs.chain(doc.steps().into_iter().filter_map(|s| s.get("env"))) {
        for e in entries(env).iter().filter(|e| kubeconfig_name(&e.key)) {
            let Some(text) = doc.text(&e.value) else { continue };
            if text.expressions().iter().any(|(x, _)| x.contexts().iter().any(|c| c.starts_with("secrets."))) {
                let message = format!("`{}` hands the job a kubeconfig stored as a secret", e.key);
                out.push(doc.at(&RULE, e.value.span, message).help(HELP));
            }
        }
    }
    for step in doc.steps() {
        if step.uses_action("azure/aks-set-context")
            && let Some(admin) = step.with("admin").filter(|a| is_true(&a.value))
        {
            let message = "`azure/aks-set-context` with `admin: true` gets the cluster's admin credential";
            out.push(doc.at(&RULE, admin.value.span, message).help(HELP));
        }
        if step.uses_action("azure/k8s-set-context")
            && let Some(kubeconfig) = step.with("kubeconfig")
        {
            let message = "`azure/k8s-set-context` is given a stored kubeconfig";
            out.push(doc.at(&RULE, kubeconfig.value.span, message).help(HELP));
        }
        let Some(run) = step.run() else { continue };
        for cmd in run.commands().iter() {
            let get_credentials =
                cmd.name() == "az" && cmd.args().get(..2).is_some_and(|a| a[0] == "aks" && a[1] == "get-credentials");
            if let Some(i) = cmd.words.iter().position(|w| w == "--admin" || w == "-a").filter(|_| get_credentials) {
                let message = "`az aks get-credentials --admin` gets the cluster's admin credential";
                out.push(doc.at(&RULE, run.span(cmd.spans[i].clone()), message).help(HELP));
            }
        }
        for (x, span) in run.expressions() {
            if secret_kubeconfig(&x.contexts()) {
                out.push(doc.at(&RULE, span, "the script reads a kubeconfig stored as a secret").help(HELP));
            }
        }
    }
}
