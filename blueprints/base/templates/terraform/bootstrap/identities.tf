# The identities the Terraform workflow (.github/workflows/terraform.yml) signs in as, with no
# secret: created here, by the person who applies this root once (the chicken and the egg:
# nothing can apply before some identity may), so that every later plan and apply of the
# shared, platform and cluster roots is the workflow's. Managed identities, in the state's resource
# group: they outlive every environment, as the state does, and need no Graph permission.
#
# `terraform-plan` trusts this repository's pull requests, and nothing else. Any pull request of
# this repository's own branches gets it (a workflow added in that branch included), so it
# reads no secret: Reader on the subscription and Storage Blob Data Reader on the state account
# alone (its plans run with -lock=false and -refresh=false: they compare the code with the
# state, and never read a storage account's data plane, a cluster's object or a backup blob).
# It cannot read the `cluster/` root (whose Helm release records are Secrets), which pull
# requests therefore do not plan: each apply job plans it after its environment's reviewers,
# and the drift check every day.
#
# `terraform-drift` trusts the GitHub environment of the scheduled drift checks alone
# (terraform-drift, whose branch rule holds it to the branch, where a push passed the branch's
# review; not the branch itself, whose every push's build job may ask for a token): Reader,
# the cluster user role and a read of every Kubernetes object of the clusters (the `cluster/`
# root refreshes its Helm releases, whose records are Secrets), the state, and the storage
# data-plane reads a full refresh makes. A reader, never a writer.
#
# `terraform-apply` creates everything the roots hold: Contributor on the subscription; Role
# Based Access Control Administrator, with a condition: it assigns (and removes) only the roles
# the roots assign, never to one of these three identities (no reviewed apply widens what
# every pull request's plan identity, or the apply identity itself, may do); policy
# assignments alone (the Pod Security policy); the data-plane `Azure Kubernetes Service RBAC
# Cluster Admin` on the subscription's clusters (the `cluster/` root works inside them), and
# Storage Blob Data Contributor on the state. No role of its writes a lock
# (Microsoft.Authorization/locks), so it can neither lift the state account's delete lock nor
# the read-only lock on these identities, which keeps their federated credentials as this
# root wrote them (Contributor could otherwise add a subject to any of them): a change that
# adds or removes one of the roots' locks is a person's apply. A guard rail, not a boundary:
# Contributor on the subscription that holds this root still reaches the state account's
# settings and may attach these identities to a machine it creates; only a subscription of
# their own would keep those from it. It trusts the Terraform GitHub environments alone (the
# shared root's, terraform-shared, and each environment's), whose required reviewers and
# branch limit gate every apply.

data "azurerm_subscription" "current" {}

locals {
  pipeline = var.github_repository != null
  # Each federated credential: its identity and the one subject it trusts.
  credentials = local.pipeline ? merge(
    {
      "plan-pull-request" = { identity = "plan", subject = "repo:${var.github_repository}:pull_request" }
      "drift-environment" = { identity = "drift", subject = "repo:${var.github_repository}:environment:${var.drift_environment}" }
    },
    { for env in var.apply_environments : "apply-${env}" => { identity = "apply", subject = "repo:${var.github_repository}:environment:${env}" } },
  ) : {}
  identities = toset(local.pipeline ? ["plan", "drift", "apply"] : [])
}

resource "azurerm_user_assigned_identity" "terraform" {
  for_each            = local.identities
  name                = "${var.name}-terraform-${each.key}"
  resource_group_name = azurerm_resource_group.state.name
  location            = azurerm_resource_group.state.location
  tags                = var.tags
}

resource "azurerm_federated_identity_credential" "terraform" {
  for_each                  = local.credentials
  name                      = "github-${each.key}"
  user_assigned_identity_id = azurerm_user_assigned_identity.terraform[each.value.identity].id
  issuer                    = "https://token.actions.githubusercontent.com"
  audience                  = ["api://AzureADTokenExchange"]
  subject                   = each.value.subject
}

# The drift identity's read of the clusters' objects, Secrets included (Helm's release records):
# no built-in role reads Secrets without also writing. Never the pull requests' plan identity's.
resource "azurerm_role_definition" "cluster_reader" {
  count       = local.pipeline ? 1 : 0
  name        = "${var.name} Terraform drift: cluster reader"
  scope       = data.azurerm_subscription.current.id
  description = "Reads every Kubernetes object of the subscription's AKS clusters, for the drift check of the cluster root (the protected branch only)."

  permissions {
    actions      = []
    data_actions = ["Microsoft.ContainerService/managedClusters/*/read"]
  }

  assignable_scopes = [data.azurerm_subscription.current.id]
}

# What each may do. Written out one by one, so that each scope is read where it stands.
resource "azurerm_role_assignment" "plan_reader" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 reads every resource of the roots, in every environment's resource group; reading is all it may do
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["plan"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "drift_reader" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 reads every resource of the roots, in every environment's resource group; reading is all it may do
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["drift"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "drift_state" {
  count                = local.pipeline ? 1 : 0
  scope                = azurerm_storage_account.state.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["drift"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "drift_cluster_user" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 the cluster resource reads its user kubeconfig, in every environment; the kubeconfig grants nothing inside
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Azure Kubernetes Service Cluster User Role"
  principal_id         = azurerm_user_assigned_identity.terraform["drift"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "drift_cluster_reader" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 the cluster root's drift check reads the objects of every environment's cluster, from the protected branch only; reading is all it may do
  scope              = data.azurerm_subscription.current.id
  role_definition_id = azurerm_role_definition.cluster_reader[0].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.terraform["drift"].principal_id
  principal_type     = "ServicePrincipal"
}

resource "azurerm_role_assignment" "plan_state" {
  count                = local.pipeline ? 1 : 0
  scope                = azurerm_storage_account.state.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["plan"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "drift_storage_queue" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 azurerm reads each storage account's queue and website properties over the data plane with Entra ID (storage_use_azuread; azurerm issue 29984), in every environment; reading properties is all it needs
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Storage Queue Data Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["drift"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "drift_storage_blob" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 azurerm reads each storage account's queue and website properties over the data plane with Entra ID (storage_use_azuread; azurerm issue 29984), in every environment; reading properties is all it needs
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["drift"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "apply_storage_queue" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 azurerm reads each storage account's queue and website properties over the data plane with Entra ID (storage_use_azuread; azurerm issue 29984), in every environment; reading properties is all it needs
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Storage Queue Data Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "apply_storage_blob" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 azurerm reads each storage account's queue and website properties over the data plane with Entra ID (storage_use_azuread; azurerm issue 29984), in every environment; reading properties is all it needs
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Storage Blob Data Reader"
  principal_id         = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "apply_contributor" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 the apply identity creates every resource group and resource of the roots, in every environment; only a reviewed run in a Terraform GitHub environment signs in as it
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Contributor"
  principal_id         = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type       = "ServicePrincipal"
}

# The roles the roots assign (to the cluster's, the kubelet's, the build, deploy and service
# identities, AKS Backup's, and the first applier or admin group), and no other: no role that
# writes role assignments, locks or policies is among them.
locals {
  assignable_roles = toset([
    "AcrPull",
    "AcrPush",
    "Azure Kubernetes Service Cluster User Role",
    "Azure Kubernetes Service RBAC Cluster Admin",
    "Contributor",
    "Data Operator for Managed Disks",
    "Disk Snapshot Contributor",
    "Key Vault Reader",
    "Key Vault Secrets Officer",
    "Key Vault Secrets User",
    "Network Contributor",
    "Reader",
    "Storage Account Contributor",
    "Storage Blob Data Contributor",
  ])
}

data "azurerm_role_definition" "assignable" {
  for_each = local.pipeline ? local.assignable_roles : toset([])
  name     = each.key
  scope    = data.azurerm_subscription.current.id

  lifecycle {
    # A condition names a role by its GUID: azurerm 4.x reads the definition's whole id
    # (/subscriptions/.../roleDefinitions/GUID) into role_definition_id, 5.x the GUID alone.
    postcondition {
      condition     = can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", basename(self.role_definition_id)))
      error_message = "The role ${each.key}: its definition id ends in no GUID."
    }
  }
}

locals {
  # ABAC's own syntax (a role assignment condition, version 2.0): a write must name one of
  # the roles above and none of the three identities, and so must the assignment a delete
  # removes.
  assignable_role_ids  = join(", ", sort([for role in data.azurerm_role_definition.assignable : basename(role.role_definition_id)]))
  terraform_principals = join(", ", sort([for identity in azurerm_user_assigned_identity.terraform : identity.principal_id]))
  apply_assigns        = <<-EOT
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})
     )
     OR
     (
      @Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable_role_ids}}
      AND
      @Request[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {${local.terraform_principals}}
     )
    )
    AND
    (
     (
      !(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})
     )
     OR
     (
      @Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${local.assignable_role_ids}}
      AND
      @Resource[Microsoft.Authorization/roleAssignments:PrincipalId] ForAnyOfAllValues:GuidNotEquals {${local.terraform_principals}}
     )
    )
  EOT
}

resource "azurerm_role_assignment" "apply_role_assignments" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 the roots assign roles in every environment's resource groups; the condition holds it to their roles, never one of the Terraform identities
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Role Based Access Control Administrator"
  principal_id         = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type       = "ServicePrincipal"
  condition            = local.apply_assigns
  condition_version    = "2.0"
}

# The Pod Security policy assignment, and no other policy write: Resource Policy Contributor
# would also write policy definitions and exemptions, and remove any assignment of the
# subscription. Contributor writes no role definition, so the apply identity cannot widen this.
resource "azurerm_role_definition" "policy_assigner" {
  count       = local.pipeline ? 1 : 0
  name        = "${var.name} Terraform apply: policy assignments"
  scope       = data.azurerm_subscription.current.id
  description = "Assigns existing policies (the Pod Security baseline on each cluster), for the apply of the platform root (reviewed runs only)."

  permissions {
    actions = [
      "Microsoft.Authorization/policyAssignments/read",
      "Microsoft.Authorization/policyAssignments/write",
      "Microsoft.Authorization/policyAssignments/delete",
    ]
    data_actions = []
  }

  assignable_scopes = [data.azurerm_subscription.current.id]
}

resource "azurerm_role_assignment" "apply_policy" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 the platform root assigns the Pod Security policy to its cluster, in every environment
  scope              = data.azurerm_subscription.current.id
  role_definition_id = azurerm_role_definition.policy_assigner[0].role_definition_resource_id
  principal_id       = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type     = "ServicePrincipal"
}

# The three identities and their federated credentials stay as this root wrote them: Azure
# refuses every write and delete under a read-only lock, to anyone, and only a role that writes
# locks (Owner, not the apply identity's) lifts it. Signing in as them is not a write. To
# change them (a new environment's credential, their tags), a person, as terraform/README.md's
# "Adding an environment" says: `terraform apply -destroy
# -target=azurerm_management_lock.terraform_identities`, then `terraform apply`, which writes
# the change and locks them again.
resource "azurerm_management_lock" "terraform_identities" {
  for_each   = local.identities
  name       = "terraform-identity-read-only"
  scope      = azurerm_user_assigned_identity.terraform[each.key].id
  lock_level = "ReadOnly"
  notes      = "The Terraform workflow's identity and its federated credentials: only a person who applies bootstrap/ changes them."
  depends_on = [azurerm_federated_identity_credential.terraform]
}

resource "azurerm_role_assignment" "apply_cluster_admin" {
  count = local.pipeline ? 1 : 0
  # gen:ignore TF009 the cluster root works inside every environment's cluster; only a reviewed run in a Terraform GitHub environment signs in as it
  scope                = data.azurerm_subscription.current.id
  role_definition_name = "Azure Kubernetes Service RBAC Cluster Admin"
  principal_id         = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type       = "ServicePrincipal"
}

resource "azurerm_role_assignment" "apply_state" {
  count                = local.pipeline ? 1 : 0
  scope                = azurerm_storage_account.state.id
  role_definition_name = "Storage Blob Data Contributor"
  principal_id         = azurerm_user_assigned_identity.terraform["apply"].principal_id
  principal_type       = "ServicePrincipal"
}
