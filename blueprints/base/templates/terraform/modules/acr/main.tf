# One registry for this repository's images: "one GitHub repository : one ACR", as seed 001's
# author concluded after sharing one across repositories. With several environments it is
# still one, in the shared root (terraform/shared/): every environment's cluster pulls the
# image that was built once and promoted from there, and gives its own kubelet AcrPull on it.

resource "azurerm_container_registry" "this" {
  #checkov:skip=CKV_AZURE_139:GitHub-hosted runners push over the internet; private endpoints need a self-hosted runner
  #checkov:skip=CKV_AZURE_163:images are scanned in the pipeline (trivy) before they are pushed
  #checkov:skip=CKV_AZURE_164:content trust (Premium) is deprecated by Azure in favour of Notation signing
  #checkov:skip=CKV_AZURE_165:geo-replication (Premium) serves clusters in several regions; this platform has one
  #checkov:skip=CKV_AZURE_166:quarantine (Premium) needs a scanner that releases images; the pipeline scans before pushing
  #checkov:skip=CKV_AZURE_167:untagged-manifest retention would delete cosign's signatures and attestations, which are untagged referrers
  #checkov:skip=CKV_AZURE_233:zone redundancy exists only in Premium
  #checkov:skip=CKV_AZURE_237:dedicated data endpoints exist only in Premium and matter behind firewalls
  name                   = var.name
  resource_group_name    = var.resource_group_name
  location               = var.location
  sku                    = var.sku
  admin_enabled          = false
  anonymous_pull_enabled = false
  # No retention of untagged manifests (Premium's): cosign's signatures and attestations are
  # untagged referrers, and it would delete them (terraform/README.md, "Known limits").
  tags = var.tags
}

# Release tags are kept, for rollbacks, but not for ever: every Sunday an ACR task deletes, in
# each service's repository, the release tags (X.Y.Z) older than purge.after_days, except the
# purge.keep newest. Their images stay, untagged (no --untagged: cosign's signatures and
# attestations are untagged referrers), so a release an environment runs, which every deploy
# pulls by digest, is never deleted under it. No task when after_days is 0. The pattern ends with \z, not $: ACR Tasks reads `$` in a task
# as the start of an alias. After the first apply, `az acr task run --registry <name> --name
# purge-releases` runs it once and shows its log.
resource "azurerm_container_registry_task" "purge" {
  count = var.purge.after_days > 0 && length(var.purge.repositories) > 0 ? 1 : 0

  name                  = "purge-releases"
  container_registry_id = azurerm_container_registry.this.id
  timeout_in_seconds    = 3600
  tags                  = var.tags

  platform {
    os = "Linux"
  }

  encoded_step {
    task_content = base64encode(yamlencode({
      version = "v1.1.0"
      steps = [{
        cmd = join(" ", concat(
          ["acr purge", "--ago ${var.purge.after_days}d", "--keep ${var.purge.keep}"],
          [for repository in sort(var.purge.repositories) : "--filter '${repository}:^[0-9]+\\.[0-9]+\\.[0-9]+\\z'"],
        ))
        disableWorkingDirectoryOverride = true
        timeout                         = 3600
      }]
    }))
  }

  timer_trigger {
    name     = "weekly"
    schedule = "0 3 * * 0"
  }
}

# Who signed in to the registry and what was pushed, pulled or deleted, in the shared root's
# Log Analytics workspace (the registry's audit log; Azure keeps none otherwise).
resource "azurerm_monitor_diagnostic_setting" "audit" {
  name                       = "audit"
  target_resource_id         = azurerm_container_registry.this.id
  log_analytics_workspace_id = var.workspace_id

  enabled_log {
    category = "ContainerRegistryLoginEvents"
  }
  enabled_log {
    category = "ContainerRegistryRepositoryEvents"
  }
}
