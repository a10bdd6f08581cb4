output "terraform_plan_client_id" {
  description = "The plan identity's client id (repository variable AZURE_TERRAFORM_PLAN_CLIENT_ID), or null without a GitHub repository."
  value       = try(azurerm_user_assigned_identity.terraform["plan"].client_id, null)
}

output "terraform_apply_client_id" {
  description = "The apply identity's client id (repository variable AZURE_TERRAFORM_APPLY_CLIENT_ID), or null without a GitHub repository."
  value       = try(azurerm_user_assigned_identity.terraform["apply"].client_id, null)
}

output "terraform_subjects" {
  description = "The subject each federated credential of the Terraform identities trusts."
  value       = { for k, c in local.credentials : k => c.subject }
}

output "terraform_plan_principal_id" {
  description = "The plan identity's object id (for a Microsoft Graph permission with identity: app-registration), or null."
  value       = try(azurerm_user_assigned_identity.terraform["plan"].principal_id, null)
}

output "terraform_apply_principal_id" {
  description = "The apply identity's object id (for a Microsoft Graph permission with identity: app-registration), or null."
  value       = try(azurerm_user_assigned_identity.terraform["apply"].principal_id, null)
}

output "terraform_drift_client_id" {
  description = "The drift identity's client id (repository variable AZURE_TERRAFORM_DRIFT_CLIENT_ID), or null without a GitHub repository."
  value       = try(azurerm_user_assigned_identity.terraform["drift"].client_id, null)
}

output "terraform_drift_principal_id" {
  description = "The drift identity's object id (for a Microsoft Graph permission with identity: app-registration), or null."
  value       = try(azurerm_user_assigned_identity.terraform["drift"].principal_id, null)
}
