use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, entries};

declare_rule! {
    /// ## What it does
    /// Reports a login to a cloud with a stored secret where GitHub's OIDC token would do:
    /// `azure/login` with `creds` (a service principal's JSON) or `client-secret`,
    /// `aws-actions/configure-aws-credentials` with `aws-secret-access-key`,
    /// `google-github-actions/auth` with `credentials_json`; in a `run:` script,
    /// `az login --service-principal` with `-p`/`--password`/`--client-secret` and
    /// `gcloud auth activate-service-account --key-file`; and an `env:` variable that hands a
    /// cloud's secret to every tool (`AZURE_CLIENT_SECRET`, `ARM_CLIENT_SECRET`,
    /// `AWS_SECRET_ACCESS_KEY`).
    ///
    /// No zizmor audit or actionlint check has this rule.
    ///
    /// ## Why it matters
    /// A client secret or access key is a long-lived credential that works from anywhere, until
    /// someone remembers to rotate it; a leaked one (a log, a compromised action) is a way into
    /// the subscription. A federated credential trusts only a token GitHub issues to this
    /// repository and branch, for minutes, and there is nothing to store or leak. The seeds
    /// logged in to Azure with a service principal's secret; gen's Terraform creates the
    /// federated credentials instead.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: azure/login@f5d393ae46f8fde4be8b75f32e3fc50e654ad0ca # v3.0.1
    ///   with:
    ///     creds: ${{ secrets.AZURE_CREDENTIALS }}
    /// ```
    ///
    /// ## How to fix
    /// Log in with OIDC: give the job `permissions: {id-token: write}` and pass only
    /// identifiers (`client-id`, `tenant-id`, `subscription-id` for `azure/login`;
    /// `role-to-assume` for AWS; `workload_identity_provider` and `service_account` for
    /// Google), then delete the stored secret.
    pub static RULE = ("GHA008", "cloud-login-with-secret", Error);
}

/// Actions and the inputs that make them log in with a stored secret.
const SECRET_INPUTS: [(&str, &str); 4] = [
    ("azure/login", "creds"),
    ("azure/login", "client-secret"),
    ("aws-actions/configure-aws-credentials", "aws-secret-access-key"),
    ("google-github-actions/auth", "credentials_json"),
];

/// Environment variables through which cloud tools and SDKs read a stored secret.
const SECRET_ENV: [&str; 3] = ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET", "AWS_SECRET_ACCESS_KEY"];

const HELP: &str = "log in with OIDC (`id-token: write` and a federated credential) and delete the stored secret";

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let jobs = doc.jobs();
    let envs = doc.get("env").into_iter().chain(jobs.iter().filter_map(|j| j.get("env")));
    let step_envs = doc.steps().into_iter().filter_map(|s| s.get("env"));
    for env in envs.chain(step_envs) {
        for e in entries(env).iter().filter(|e| SECRET_ENV.contains(&e.key.as_str())) {
            let message = format!("`{}` hands a stored cloud secret to every tool in the job", e.key);
            out.push(doc.at(&RULE, e.key_span, message).help(HELP));
        }
    }
    for step in doc.steps() {
        for (action, input) in SECRET_INPUTS {
            if let Some(e) = step.uses_action(action).then(|| step.with(input)).flatten() {
                let message = format!("`{action}` logs in with a stored secret (`{input}`)");
                out.push(doc.at(&RULE, e.key_span, message).help(HELP));
            }
        }
        let Some(run) = step.run() else { continue };
        for cmd in run.commands().iter() {
            let args = cmd.args();
            let found =
                if cmd.name() == "az" && args.first().is_some_and(|a| a == "login") && cmd.has("--service-principal") {
                    cmd.words.iter().position(|w| {
                        matches!(w.as_str(), "-p" | "--password" | "--client-secret")
                            || w.starts_with("--password=")
                            || w.starts_with("--client-secret=")
                    })
                } else if cmd.name() == "gcloud"
                    && args.get(..2).is_some_and(|a| a[0] == "auth" && a[1] == "activate-service-account")
                {
                    cmd.words.iter().position(|w| w == "--key-file" || w.starts_with("--key-file="))
                } else {
                    None
                };
            if let Some(i) = found {
                let message = format!(
                    "`{} {}` logs in with a stored secret",
                    cmd.name(),
                    args.first().map_or("", |a| a.as_str())
                );
                out.push(doc.at(&RULE, run.span(cmd.spans[i].clone()), message).help(HELP));
            }
        }
    }
}
