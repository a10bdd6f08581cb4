use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, login_password};

declare_rule! {
    /// ## What it does
    /// Reports a registry login in a `run:` script that takes its password as an argument:
    /// `docker login -p X`, `--password X` or `--password=X`, and the same for `podman`,
    /// `buildah`, `nerdctl`, `skopeo`, `oras` and `helm registry login`, whatever `X` is (a
    /// secret, a variable). A password written in the script itself is also GHA006's.
    ///
    /// No zizmor audit or actionlint check has this rule.
    ///
    /// ## Why it matters
    /// An argument is in the process list, where every process on the runner (every step, every
    /// action) can read it while the login runs, and in the shell's history; Docker warns
    /// "Using --password via the CLI is insecure". The seeds' own build script pushed to Docker
    /// Hub this way.
    ///
    /// ## Example
    /// ```yaml
    /// - run: docker login -u acme -p "${{ secrets.REGISTRY_PASSWORD }}" ghcr.io
    /// ```
    ///
    /// ## How to fix
    /// Give the password on standard input
    /// (`echo "$REGISTRY_PASSWORD" | docker login -u acme --password-stdin ghcr.io`, with the
    /// secret in `env:`), or use `docker/login-action`; for Azure Container Registry,
    /// `az acr login` after an OIDC `azure/login` needs no password at all.
    pub static RULE = ("GHA007", "docker-login-password-argument", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for step in doc.steps() {
        let Some(run) = step.run() else { continue };
        for cmd in run.commands().iter() {
            let Some((i, _)) = login_password(cmd) else { continue };
            let command =
                if cmd.name() == "helm" { "helm registry login".to_string() } else { format!("{} login", cmd.name()) };
            let message =
                format!("`{command}` takes the password as an argument, visible in the runner's process list");
            out.push(doc.at(&RULE, run.span(cmd.spans[i].clone()), message).help(format!(
                "pipe it in: `echo \"$PASSWORD\" | {command} -u USER --password-stdin REGISTRY` (the secret in `env:`), or use docker/login-action"
            )));
        }
    }
}
