use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Job, Step};

declare_rule! {
    /// ## What it does
    /// Reports `id-token: write` given to a job (in its own `permissions`, or inherited from
    /// the workflow's) none of whose steps uses an OIDC token. A step uses one when it is:
    /// `azure/login` without `creds`, `aws-actions/configure-aws-credentials` without
    /// `aws-secret-access-key`, `google-github-actions/auth` without `credentials_json`,
    /// `hashicorp/vault-action`, `sigstore/cosign-installer` (keyless signing with the
    /// `cosign sign` that follows), `actions/attest-build-provenance`, `actions/attest-sbom`,
    /// `actions/attest`, `pypa/gh-action-pypi-publish` (trusted publishing); or a script that
    /// runs `az login --federated-token`, `cosign sign`/`attest`, reads
    /// `ACTIONS_ID_TOKEN_REQUEST_URL`, or calls `core.getIDToken`. A job that calls a reusable
    /// workflow is not judged (its steps are elsewhere).
    ///
    /// zizmor: `excessive-permissions` reports `id-token: write` at the workflow level only.
    ///
    /// ## Why it matters
    /// With `id-token: write`, any step of the job can ask GitHub for a token that proves "this
    /// repository, this branch" to every cloud that trusts it: a compromised action in a job
    /// that never logs in can still log in to Azure or AWS as the deploy identity.
    ///
    /// ## Example
    /// ```yaml
    /// test:
    ///   permissions: {contents: read, id-token: write}
    ///   steps:
    ///     - run: pytest
    /// ```
    ///
    /// ## How to fix
    /// Grant `id-token: write` only in the jobs that log in, and not at the workflow level.
    pub static RULE = ("GHA004", "id-token-without-login", Warning);
}

/// Actions that log in (or sign) with the job's OIDC token, and the input that makes them use
/// a stored secret instead.
const OIDC_ACTIONS: [(&str, Option<&str>); 9] = [
    ("azure/login", Some("creds")),
    ("aws-actions/configure-aws-credentials", Some("aws-secret-access-key")),
    ("google-github-actions/auth", Some("credentials_json")),
    ("hashicorp/vault-action", None),
    ("sigstore/cosign-installer", None),
    ("actions/attest-build-provenance", None),
    ("actions/attest-sbom", None),
    ("actions/attest", None),
    ("pypa/gh-action-pypi-publish", None),
];

/// Text in a script that asks for the OIDC token.
const OIDC_TEXT: [&str; 3] = ["--federated-token", "ACTIONS_ID_TOKEN_REQUEST_URL", "getIDToken"];

fn uses_token(step: &Step<'_>) -> bool {
    let by_action = OIDC_ACTIONS
        .iter()
        .any(|(action, secret)| step.uses_action(action) && secret.is_none_or(|s| step.with(s).is_none()));
    let by_script = step.scripts().iter().any(|(s, _)| {
        OIDC_TEXT.iter().any(|t| s.value.contains(t))
            || s.commands().iter().any(|c| {
                c.name() == "cosign"
                    && c.args().first().is_some_and(|a| a.starts_with("sign") || a.starts_with("attest"))
            })
    });
    by_action || by_script
}

fn needs_token(job: &Job<'_>) -> bool {
    job.uses().is_some() || job.steps().iter().any(uses_token)
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let jobs = doc.jobs();
    for job in &jobs {
        if let Some(key) = job.permissions().and_then(|p| p.grants("id-token", "write"))
            && !needs_token(job)
        {
            let message = format!("job `{}` gets `id-token: write` but no step logs in with it", job.id);
            out.push(doc.at(&RULE, key, message).help("remove `id-token: write` from this job"));
        }
    }
    let Some(key) = doc.permissions().and_then(|p| p.grants("id-token", "write")) else { return };
    let idle: Vec<String> =
        jobs.iter().filter(|j| j.permissions().is_none() && !needs_token(j)).map(|j| format!("`{}`", j.id)).collect();
    if !idle.is_empty() {
        let message =
            format!("the workflow gives `id-token: write` to jobs that do not log in with it: {}", idle.join(", "));
        out.push(
            doc.at(&RULE, key, message).help("grant `id-token: write` in the permissions of the jobs that log in only"),
        );
    }
}
