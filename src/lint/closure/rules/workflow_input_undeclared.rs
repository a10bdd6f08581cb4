use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports what a GitHub workflow needs from its repository and nobody is told to
    /// provide: a secret (`${{ secrets.X }}`), a variable (`${{ vars.X }}`) or an environment
    /// (a job's `environment:`) that Terraform's GitHub provider does not create
    /// (`github_actions_secret`, `github_actions_variable`, `github_repository_environment`)
    /// and no README's Prerequisites section lists (``GitHub variable `AZURE_TENANT_ID` ``).
    /// `GITHUB_TOKEN` is GitHub's; a reusable workflow's `workflow_call` secrets are its
    /// caller's.
    ///
    /// ## Why it matters
    /// An unset secret or variable is an empty string, not an error: `azure/login` fails
    /// with a message about a missing client id, or a notification step quietly sends
    /// nothing, on the first run after the merge.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: azure/login@<sha> # v2
    ///   with:
    ///     client-id: ${{ vars.AZURE_CLIENT_ID }}   # the README never says to set it
    /// ```
    ///
    /// ## How to fix
    /// List it in the README's Prerequisites section (with the command that sets it, `gh
    /// variable set`), or create it with Terraform's GitHub provider.
    pub static RULE = ("DEP009", "workflow-input-undeclared", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str = "create it with Terraform's GitHub provider";
