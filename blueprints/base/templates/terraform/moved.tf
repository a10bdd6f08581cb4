# Renamed services (spec: renamedFrom): what Terraform keyed by a service's former name moves
# to its new one, and nothing is destroyed. Its vault and identity keep their Azure names (a
# purge-protected vault's name cannot be reused for 90 days, and a new identity would be a
# new client id); the federated credential is made again, trusting the ServiceAccount of the
# new name. Keep these blocks: an environment applied later moves the same way.
<% for svc in spec.services if svc.renamedFrom is defined and svc.secretEnv %>

# <@ svc.renamedFrom | text @> is now <@ svc.name | text @>.
<% for resource in ["azurerm_key_vault.service", "azurerm_monitor_diagnostic_setting.vault_audit", "azurerm_role_assignment.vault_admin", "azurerm_user_assigned_identity.service", "azurerm_role_assignment.service_secrets", "azurerm_role_assignment.deploy_vault_reader", "azurerm_role_assignment.deploy_identity_reader"] %>
moved {
  from = module.key_vault[0].<@ resource | text @>[<@ svc.renamedFrom | hcl @>]
  to   = module.key_vault[0].<@ resource | text @>[<@ svc.name | hcl @>]
}
<% endfor %>
<% endfor %>
