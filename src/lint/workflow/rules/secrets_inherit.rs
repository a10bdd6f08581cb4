use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::Document;

declare_rule! {
    /// ## What it does
    /// Reports a job that calls a reusable workflow with `secrets: inherit`.
    ///
    /// zizmor: `secrets-inherit`.
    ///
    /// ## Why it matters
    /// `inherit` passes every secret the calling workflow can read, the organisation's
    /// included, to the called workflow, whatever it needs: a called workflow that is
    /// changed, or that runs a compromised action, has them all.
    ///
    /// ## Example
    /// ```yaml
    /// deploy:
    ///   uses: acme/workflows/.github/workflows/deploy.yml@<sha>
    ///   secrets: inherit
    /// ```
    ///
    /// ## How to fix
    /// Pass the secrets the workflow needs by name: `secrets: {REGISTRY_TOKEN: ${{
    /// secrets.REGISTRY_TOKEN }}}`.
    pub static RULE = ("GHA018", "secrets-inherit", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for job in doc.jobs() {
        let Some(secrets) = job.get("secrets").filter(|s| s.as_str() == Some("inherit")) else { continue };
        let called = job.uses().map_or("the called workflow", |u| u.value);
        let message = format!("job `{}` passes every secret it can read to `{called}`", job.id);
        out.push(
            doc.at(&RULE, secrets.span, message).help("name the secrets the called workflow needs under `secrets:`"),
        );
    }
}
