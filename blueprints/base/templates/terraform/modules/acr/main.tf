# One registry for this repository's images: "one GitHub repository : one ACR", as seed 001's
# author concluded after sharing one across repositories.
resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:GitHub-hosted runners push over the internet; private endpoints need a self-hosted runner
  #checkov:skip=CKV_AZURE_163:images are scanned in the pipeline (trivy) before they are pushed
  #checkov:skip=CKV_AZURE_164:content trust (Premium) is deprecated by Azure in favour of Notation signing
  #checkov:skip=CKV_AZURE_165:geo-replication (Premium) serves clusters in several regions; this platform has one
  #checkov:skip=CKV_AZURE_166:quarantine (Premium) needs a scanner that releases images; the pipeline scans before pushing
  #checkov:skip=CKV_AZURE_167:untagged-manifest retention exists only in Premium; it is set when the spec picks Premium
  #checkov:skip=CKV_AZURE_233:zone redundancy exists only in Premium
  #checkov:skip=CKV_AZURE_237:dedicated data endpoints exist only in Premium and matter behind firewalls
  name                   = var.name
  resource_group_name    = var.resource_group_name
  location               = var.location
  sku                    = var.sku
  admin_enabled          = false
  anonymous_pull_enabled = false
  # Untagged manifests are deleted after a week where the tier allows it.
  retention_policy_in_days = var.sku == "Premium" ? 7 : null
  tags                     = var.tags
}

# The kubelet pulls from this registry, and only from it.
resource "azurerm_role_assignment" "pull" {
  scope                            = azurerm_container_registry.this.id
  role_definition_name             = "AcrPull"
  principal_id                     = var.pull_principal_id
  skip_service_principal_aad_check = true
}
