# Renamed services (spec: renamedFrom): what Terraform keyed by a service's former name moves
# to its new one: its vault keeps its Azure name and its secrets (a purge-protected vault's
# name cannot be reused for 90 days), with its audit log and roles. The service's identity is
# made again under the new name (the deploy reads its new client id), with its federated
# credential for the new ServiceAccount. Keep these blocks: an environment applied later
# moves the same way.
<% for svc in spec.services if svc.renamedFrom is defined and svc.secretEnv %>

# <@ svc.renamedFrom | text @> is now <@ svc.name | text @>.
<% for resource in ["azurerm_key_vault.service", "azurerm_monitor_diagnostic_setting.vault_audit", "azurerm_role_assignment.vault_admin", "azurerm_role_assignment.deploy_vault_reader"] %>
moved {
  from = module.key_vault[0].<@ resource | text @>[<@ svc.renamedFrom | hcl @>]
  to   = module.key_vault[0].<@ resource | text @>[<@ svc.name | hcl @>]
}
<% endfor %>
<% endfor %>
