use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;

declare_rule! {
    /// ## What it does
    /// Reports a `CMD` or `ENTRYPOINT` in shell form (`ENTRYPOINT flask run`), which Docker
    /// runs as `/bin/sh -c "..."`, unless its text starts with `exec` (which replaces the
    /// shell with the program).
    ///
    /// hadolint: DL3025.
    ///
    /// ## Why it matters
    /// The shell is the container's process 1, not the server (unless the shell happens to
    /// hand its place to a lone command): `docker stop` and Kubernetes send SIGTERM to the
    /// shell, which does not pass it on, so the server never shuts down gracefully
    /// (in-flight requests are cut) and is killed after the grace period (30 s of every
    /// rollout and scale-down). A shell-form `ENTRYPOINT` also ignores `CMD` and the
    /// arguments of `docker run` and of a pod's `args`.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT FLASK_APP=runserver.py flask run --host=0.0.0.0
    /// ```
    ///
    /// ## How to fix
    /// Use the exec (JSON) form, with variables in `ENV`:
    /// `ENTRYPOINT ["gunicorn", "--bind", "0.0.0.0:5000", "app:app"]`; or start the shell text
    /// with `exec`.
    pub static RULE = ("DF012", "shell-form-command", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for inst in doc.dockerfile.instructions.iter().filter(|i| matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT")) {
        let Some(text) = inst.shell() else { continue };
        let first = text.split_whitespace().next().unwrap_or_default();
        if first.is_empty() || first == "exec" {
            continue;
        }
        let message = match inst.keyword.as_str() {
            "ENTRYPOINT" => {
                "this ENTRYPOINT runs under `/bin/sh -c`: the server may never receive SIGTERM, and \
                             `CMD` and run-time arguments are ignored"
            }
            _ => {
                "this CMD runs under `/bin/sh -c`: the server may never receive SIGTERM, so a stop waits out the \
                  grace period and cuts requests"
            }
        };
        out.push(
            doc.at(&RULE, inst, None, message)
                .help(format!("write it in exec form: `{} [\"program\", \"arg\", ...]`", inst.keyword)),
        );
    }
}
