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
    /// workflow is not judged (its steps are elsewhere), nor one with a step that uses an action
    /// gen does not know to go without the token (a release action such as
    /// `MarcoIeni/release-plz-action` publishes through trusted publishing by itself): gen
    /// reports only jobs made of scripts and of actions that check out, cache, set up a
    /// toolchain or move artifacts.
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

/// Actions that never ask for the job's OIDC token (they check out, cache, set up a
/// toolchain, move artifacts or run a script gen reads): a job made of these and of scripts
/// that do not log in has no use for one. Any other action may ask for it itself (a release
/// action that publishes through trusted publishing, a deploy action), so gen says nothing of
/// a job that uses one.
const NO_TOKEN_ACTIONS: [&str; 17] = [
    "actions/checkout",
    "actions/cache",
    "actions/setup-python",
    "actions/setup-node",
    "actions/setup-go",
    "actions/setup-java",
    "actions/setup-dotnet",
    "actions/upload-artifact",
    "actions/download-artifact",
    "actions/github-script",
    "dtolnay/rust-toolchain",
    "swatinem/rust-cache",
    "docker/setup-buildx-action",
    "docker/setup-qemu-action",
    "docker/metadata-action",
    "astral-sh/setup-uv",
    "actions-rust-lang/setup-rust-toolchain",
];

/// Whether a step uses an action that may ask for the token without gen seeing it.
fn may_use_token(step: &Step<'_>) -> bool {
    step.uses().is_some_and(|u| !NO_TOKEN_ACTIONS.iter().any(|a| u.is(a)))
}

fn needs_token(job: &Job<'_>) -> bool {
    job.uses().is_some() || job.steps().iter().any(|s| uses_token(s) || may_use_token(s))
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
