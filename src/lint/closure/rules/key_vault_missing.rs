use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an Azure SecretProviderClass that reads a Key Vault, or a secret in one, that
    /// the deployment's Terraform does not create or list: `keyvaultName` must be a vault an
    /// `azurerm_key_vault` creates (gen's own Terraform: a service's `vault` in
    /// `secret_services`, read from its `.tfvars`), and each `objectName` of type `secret` one
    /// of that service's `secrets` there (its `_` written `-`), which the deploy's preflight
    /// and the README's prerequisites then check and ask for. Key Vault names ignore case. A
    /// deployment with no `azurerm_key_vault` in its Terraform is not judged (the vault is made
    /// elsewhere), nor is a vault whose name gen cannot read from hand-written Terraform.
    ///
    /// ## Why it matters
    /// The CSI driver mounts the class when a pod starts: a vault that does not exist, or
    /// one the service's identity has no role on, or a secret nobody was asked to set, leaves
    /// every pod in `ContainerCreating` with a failed mount, and the rollout times out.
    ///
    /// ## Example
    /// ```yaml
    /// kind: SecretProviderClass
    /// spec:
    ///   provider: azure
    ///   parameters:
    ///     keyvaultName: kvshop-0123456789ab   # no such vault in the Terraform
    /// ```
    ///
    /// ## How to fix
    /// Name the vault Terraform creates for the service (`terraform output key_vault_names`),
    /// and list each secret the class reads among the service's `secretEnv`; render again.
    pub static RULE = ("DEP012", "key-vault-or-secret-missing", Warning);
}

/// What to do.
pub const HELP: &str = "name the vault Terraform creates for this service (`terraform output key_vault_names`), and \
                        read only the secrets its `secret_services` entry lists (the service's secretEnv)";
