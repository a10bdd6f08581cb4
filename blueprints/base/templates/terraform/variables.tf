# Every value the spec sets is a variable, given in terraform.tfvars (or an environment's
# environments/<name>.tfvars): a changed value changes that file, never the code. Each
# validation mirrors the spec's own rule (`gen explain` names it), so a value edited here by
# hand fails `terraform plan` as it would fail `gen lint`.

variable "environment" {
  type        = string
  description = "The environment these values are for, which is the Terraform workspace they are applied in (spec: environments[].name; `default`, the workspace Terraform starts in, for a spec without environments)."
  default     = "default"
  validation {
    # Terraform 1.9 lets a validation read other objects than its variable: one
    # environment's values planned in another's workspace fail here, before any change.
    condition     = var.environment == terraform.workspace
    error_message = "These values are for another environment than the selected workspace: run `terraform workspace select -or-create NAME` with `-var-file=environments/NAME.tfvars` of the same NAME."
  }
}

variable "state_resource_group_name" {
  type        = string
  description = "The resource group of the state storage account, where this root reads the shared root's state (spec: platform.terraformState.resourceGroup)."
}

variable "state_storage_account_name" {
  type        = string
  description = "The state storage account (spec: platform.terraformState.storageAccount)."
}

variable "state_container_name" {
  type        = string
  description = "The state container (spec: platform.terraformState.container)."
}

variable "shared_state_key" {
  type        = string
  description = "The shared root's state key, as its `terraform init -backend-config=key=...` names it: the registry, the build identity and the DNS zones are read from there."
}

variable "location" {
  type        = string
  description = "The Azure region of every resource (spec: platform.azure.location)."
  validation {
    condition     = can(regex("^[a-z0-9]+$", var.location))
    error_message = "location is a region name such as westeurope (lowercase, no spaces)."
  }
}

variable "resource_group_name" {
  type        = string
  description = "The resource group that holds the platform (spec: platform.azure.resourceGroup; SPEC rule resource-group-name)."
  validation {
    condition     = can(regex("^[-\\pL\\pN_.()]{1,90}$", var.resource_group_name)) && !endswith(var.resource_group_name, ".")
    error_message = "resource_group_name: 1-90 letters, digits, '-', '_', '.', '(' or ')', not ending in '.'."
  }
}

variable "cluster_name" {
  type        = string
  description = "The Kubernetes cluster's name (spec: platform.azure.aks.name; SPEC rule aks-name)."
  validation {
    condition     = can(regex("^[a-zA-Z0-9]([-_a-zA-Z0-9]{0,61}[a-zA-Z0-9])?$", var.cluster_name))
    error_message = "cluster_name: 1-63 letters, digits, '-' or '_', starting and ending with a letter or digit."
  }
}

variable "kubernetes_version" {
  type        = string
  description = "The Kubernetes minor version, whose patches the upgrade channel applies, or a patch version, upgraded by hand (spec: platform.azure.aks.kubernetesVersion; SPEC rule unsupported-kubernetes-version)."
  validation {
    condition     = can(regex("^1\\.3[5-7](\\.[0-9]+)?$", var.kubernetes_version))
    error_message = "kubernetes_version is a supported version, 1.35 to 1.37 (AKS's release calendar), best without a patch number (the patch upgrade channel picks it)."
  }
}

variable "maintenance_window" {
  type = object({
    day_of_week    = string
    start_time     = string
    utc_offset     = string
    duration_hours = number
  })
  description = "The weekly window in which AKS upgrades the cluster and updates its nodes' OS (spec: platform.azure.aks.maintenanceWindow)."
  validation {
    condition = (
      contains(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"], var.maintenance_window.day_of_week)
      && can(regex("^([01][0-9]|2[0-3]):[0-5][0-9]$", var.maintenance_window.start_time))
      && can(regex("^[+-](0[0-9]|1[0-4]):[0-5][0-9]$", var.maintenance_window.utc_offset))
      && var.maintenance_window.duration_hours >= 4 && var.maintenance_window.duration_hours <= 24
    )
    error_message = "maintenance_window: a day of the week, start_time HH:MM, utc_offset +HH:MM or -HH:MM, and 4 to 24 duration_hours."
  }
}

variable "system_node_vm_size" {
  type        = string
  description = "The VM size of the system pool's nodes, which run AKS's own add-ons only (spec: platform.azure.aks.systemPool.vmSize)."
}

variable "system_node_count" {
  type        = number
  description = "The system pool's nodes, spread over the zones (spec: platform.azure.aks.systemPool.count)."
  validation {
    condition     = var.system_node_count >= 2 && var.system_node_count <= 100 && floor(var.system_node_count) == var.system_node_count
    error_message = "system_node_count is a whole number from 2 to 100: one node drained or lost would stop CoreDNS."
  }
}

variable "system_node_disk_size_gb" {
  type        = number
  description = "The OS disk of each system node, in GB (spec: platform.azure.aks.systemPool.diskSizeGb)."
  validation {
    condition     = var.system_node_disk_size_gb >= 30 && var.system_node_disk_size_gb <= 2048
    error_message = "system_node_disk_size_gb is from 30 to 2048."
  }
}

variable "node_vm_size" {
  type        = string
  description = "The VM size of the applications' nodes (spec: platform.azure.aks.nodePool.vmSize)."
}

variable "node_min_count" {
  type        = number
  description = "The fewest application nodes the cluster autoscaler keeps (spec: platform.azure.aks.nodePool.minCount)."
  validation {
    condition     = var.node_min_count >= 1 && var.node_min_count <= 1000 && floor(var.node_min_count) == var.node_min_count
    error_message = "node_min_count is a whole number from 1 to 1000."
  }
}

variable "node_max_count" {
  type        = number
  description = "The most application nodes the cluster autoscaler adds (spec: platform.azure.aks.nodePool.maxCount; SPEC rule min-exceeds-max)."
  validation {
    condition     = var.node_max_count >= var.node_min_count && var.node_max_count <= 1000 && floor(var.node_max_count) == var.node_max_count
    error_message = "node_max_count is a whole number from node_min_count to 1000."
  }
}

variable "node_disk_size_gb" {
  type        = number
  description = "The OS disk of each application node, in GB (spec: platform.azure.aks.nodePool.diskSizeGb)."
  validation {
    condition     = var.node_disk_size_gb >= 30 && var.node_disk_size_gb <= 2048
    error_message = "node_disk_size_gb is from 30 to 2048."
  }
}

variable "network_address_space" {
  type        = string
  description = "The cluster's virtual network, an IPv4 range clear of the pods' 10.244.0.0/16 and the Services' 10.0.0.0/16 (spec: platform.azure.network.addressSpace; SPEC rule invalid-network, which also checks the ranges against each other: Terraform's functions cannot)."
  default     = "10.224.0.0/16"
  validation {
    condition     = can(cidrhost(var.network_address_space, 0)) && cidrhost(var.network_address_space, 0) == split("/", var.network_address_space)[0]
    error_message = "network_address_space is an IPv4 range with its host bits zero, such as 10.224.0.0/16."
  }
}

variable "network_nodes_subnet" {
  type        = string
  description = "The nodes' subnet, inside the address space (spec: platform.azure.network.nodesSubnet; SPEC rule invalid-network, which also checks that it is inside the address space)."
  default     = "10.224.0.0/20"
  validation {
    condition     = can(cidrhost(var.network_nodes_subnet, 0)) && cidrhost(var.network_nodes_subnet, 0) == split("/", var.network_nodes_subnet)[0]
    error_message = "network_nodes_subnet is an IPv4 range with its host bits zero, such as 10.224.0.0/20."
  }
}

variable "api_authorized_ip_ranges" {
  type        = list(string)
  description = "The IPv4 ranges the API server answers, besides the nodes' own address; empty: every address (spec: platform.azure.aks.apiServerAuthorizedIpRanges; SPEC rules invalid-network, api-server-closed-to-deploy, api-server-closed-to-gitops: GitHub-hosted runners reach no API server behind these ranges, so a spec that deploys from them sets none)."
  default     = []
  validation {
    condition     = alltrue([for r in var.api_authorized_ip_ranges : can(cidrhost(r, 0))])
    error_message = "api_authorized_ip_ranges are IPv4 ranges such as 203.0.113.0/24."
  }
}

variable "pod_security" {
  type = object({
    standard = string
    effect   = string
  })
  description = "The Pod Security Standard Azure Policy holds the cluster's namespaces to, and what it does with a pod that breaks it (spec: platform.azure.aks.podSecurity)."
  default     = { standard = "baseline", effect = "deny" }
  validation {
    condition     = contains(["baseline", "restricted", "none"], var.pod_security.standard) && contains(["deny", "audit"], var.pod_security.effect)
    error_message = "pod_security: standard is baseline, restricted or none; effect is deny or audit."
  }
}

variable "aks_tier" {
  type        = string
  description = "AKS's pricing tier: Standard (an SLA on the API server) or Free (none) (spec: platform.azure.aks.tier)."
  default     = "Standard"
}

variable "defender" {
  type        = bool
  description = "Whether Microsoft Defender for Containers' sensor runs on the nodes; the subscription's plan must be on (spec: platform.azure.aks.defender)."
  default     = false
}

variable "alert_emails" {
  type        = list(string)
  description = "The addresses the cluster's alerts are sent to; none: they fire in the Azure portal only (spec: platform.azure.monitoring.alertEmails)."
  default     = []
  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails are email addresses."
  }
}

variable "zones" {
  type        = list(string)
  description = "The availability zones nodes spread over; empty where the region has none."
  validation {
    condition     = alltrue([for z in var.zones : contains(["1", "2", "3"], z)])
    error_message = "zones are \"1\", \"2\" or \"3\"."
  }
}

variable "dns_zone" {
  type        = string
  description = "The public DNS zone of the ingress hosts, created by the shared root, or null for none (spec: platform.azure.dns.zone)."
  default     = null
}

variable "ingress_hosts" {
  type        = list(string)
  description = "The host of every service's ingress; each not in external_hosts gets an A record in dns_zone (SPEC rule host-outside-dns-zone)."
  validation {
    condition     = alltrue([for h in var.ingress_hosts : var.dns_zone == null || contains(var.external_hosts, h) || h == var.dns_zone || endswith(h, ".${coalesce(var.dns_zone, "-")}")])
    error_message = "Every ingress host is dns_zone, a name under it, or one of external_hosts."
  }
}

variable "tls_hosts" {
  type        = list(string)
  description = "Those of ingress_hosts served over TLS, whose certificates cert-manager issues (in the in-cluster root) and the certificate alerts watch."
  default     = []
}

variable "external_hosts" {
  type        = list(string)
  description = "Ingress hosts whose DNS is kept elsewhere (spec: platform.azure.externalHosts): no record here; point each at the ingress_ip output (ingress_nginx_ip for a service with `route: ingress` beside the Gateway)."
  default     = []
}

variable "ingress_namespace" {
  type        = string
  description = "The namespace of the ingress controller (spec: platform.azure.ingress.namespace)."
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.ingress_namespace))
    error_message = "ingress_namespace is a Kubernetes name: lowercase letters, digits and '-', at most 63."
  }
}

variable "ingress_class_name" {
  type        = string
  description = "The IngressClass the controller serves (spec: platform.azure.ingress.className)."
}

variable "namespaces" {
  type        = list(string)
  description = "The namespaces the services run in: created with the restricted Pod Security Standard, and the deploy identity's only reach."
  validation {
    condition     = alltrue([for n in var.namespaces : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", n))])
    error_message = "Each namespace is a Kubernetes name: lowercase letters, digits and '-', at most 63."
  }
}

variable "slo_services" {
  type        = list(string)
  description = "The services whose SLO rules (../monitoring/rules.yaml) Azure Monitor evaluates (spec: services[].slo, observability.enabled)."
  default     = []
  validation {
    condition     = alltrue([for s in var.slo_services : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", s))])
    error_message = "Each service is a Kubernetes name: lowercase letters, digits and '-', at most 63."
  }
}

variable "slo_pages" {
  type        = bool
  description = "Whether the SLO rules' critical alerts page here (the last environment in promotion order) or open tickets."
  default     = true
}

variable "admin_group_object_id" {
  type        = string
  description = "The Entra ID group given the cluster's data-plane admin role and each vault's Secrets Officer role, or null for whoever applied this root first, kept in the state (spec: platform.azure.aks.adminGroup)."
  default     = null
  validation {
    condition     = var.admin_group_object_id == null || can(regex("^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$", coalesce(var.admin_group_object_id, "-")))
    error_message = "admin_group_object_id is a group's object id (a GUID)."
  }
}

variable "secret_services" {
  type = map(object({
    vault     = string
    namespace = string
    secrets   = list(string)
  }))
  description = "The services with secretEnv, by name: each one's vault, namespace and secret variable names (spec: services[].secretEnv). Each gets a vault of its own and a workload identity that reads it alone."
  default     = {}
  validation {
    condition     = alltrue([for s in values(var.secret_services) : can(regex("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$", s.vault)) && !strcontains(s.vault, "--")])
    error_message = "Each vault's name: 3-24 letters, digits and '-', a letter first, no '--', not ending in '-'."
  }
}

variable "gateway" {
  type = object({
    name      = string
    namespace = string
  })
  description = "The Gateway the HTTPRoutes attach to, created by the in-cluster root, or null when no service routes through one (spec: platform.azure.ingress.gateway)."
  default     = null
}

variable "gateway_hosts" {
  type        = list(string)
  description = "The hosts of the services routed through the Gateway: their records point at its own static IP."
  default     = []
}

variable "gateway_tls_hosts" {
  type        = list(string)
  description = "Those of gateway_hosts served over HTTPS: a listener and a certificate each."
  default     = []
}

variable "gateway_plain_hosts" {
  type        = list(string)
  description = "Those of gateway_hosts a service serves over plain HTTP (tls: false): a port-80 listener of their own, so that the Gateway's catch-all `http` listener carries only the redirect to HTTPS and the ACME challenges."
  default     = []
}

variable "ingress_nginx" {
  type        = bool
  description = "Whether a service asks for an Ingress (spec: services[].ingress.route: ingress): the in-cluster root then installs ingress-nginx, which upstream stopped fixing in March 2026."
  default     = false
}

variable "http_routes" {
  type        = bool
  description = "Whether a service routes through a Gateway API HTTPRoute (spec: services[].ingress.route): the deploy identity's Role then covers HTTPRoutes."
  default     = false
}

variable "persistent_volumes" {
  type        = bool
  description = "Whether a service has a volume (spec: services[].persistence): the deploy identity's Role then covers PersistentVolumeClaims."
  default     = false
}

variable "github_repository" {
  type        = string
  description = "The GitHub repository whose workflows sign in, as OWNER/NAME (spec: platform.github.repository; SPEC rule invalid-github-repository)."
  validation {
    condition     = can(regex("^[A-Za-z0-9](-?[A-Za-z0-9]){0,38}/[A-Za-z0-9._-]{1,100}$", var.github_repository))
    error_message = "github_repository is OWNER/NAME, not a URL."
  }
}

variable "github_branch" {
  type        = string
  description = "The branch whose workflow runs may push images (spec: platform.github.branch)."
  validation {
    condition     = length(var.github_branch) > 0 && !strcontains(var.github_branch, "*")
    error_message = "github_branch is one branch name, without wildcards."
  }
}

variable "github_environment" {
  type        = string
  description = "The GitHub environment the deploy job runs in, or null (spec: platform.github.environment)."
  default     = null
  validation {
    condition     = var.github_environment == null || (length(coalesce(var.github_environment, "-")) > 0 && !strcontains(coalesce(var.github_environment, "-"), "*"))
    error_message = "github_environment is one environment name, without wildcards."
  }
}

variable "backup" {
  type = object({
    schedule       = string
    retention_days = number
  })
  description = "AKS Backup of the services' namespaces and volumes, when a service backs its volume up (spec: services[].persistence.backup): the most frequent schedule as an ISO 8601 repeating interval, and the longest retention; null: none."
  default     = null
}

variable "identity_mode" {
  type        = string
  description = "How GitHub signs in: managed-identity (user-assigned identities, no Graph permission needed) or app-registration (Entra ID applications) (spec: platform.azure.identity)."
  validation {
    condition     = contains(["managed-identity", "app-registration"], var.identity_mode)
    error_message = "identity_mode is managed-identity or app-registration."
  }
}

variable "deploy" {
  type        = string
  description = "How releases reach the cluster: helm (the pipeline's deploy identity runs helm upgrade) or gitops (Argo CD, installed here, pulls them from git; the deploy identity only reads its Applications) (spec: pipeline.deploy)."
  validation {
    condition     = contains(["helm", "gitops"], var.deploy)
    error_message = "deploy is helm or gitops."
  }
}

variable "tags" {
  type        = map(string)
  description = "Tags on every resource that takes them."
  default     = {}
}

variable "metrics_stack" {
  type        = string
  description = "What collects the services' metrics and evaluates the alerts: managed (Azure Monitor's managed Prometheus) or kube-prometheus-stack (in the cluster: terraform/cluster/modules/observability) (spec: observability.metrics.stack)."
  default     = "managed"
  validation {
    condition     = contains(["managed", "kube-prometheus-stack"], var.metrics_stack)
    error_message = "metrics_stack is managed or kube-prometheus-stack."
  }
}

variable "logs_stack" {
  type        = string
  description = "What keeps the containers' lines: cloud (Container Insights, in Log Analytics) or loki (Fluent Bit to Loki, in the cluster) (spec: observability.logs.stack)."
  default     = "cloud"
  validation {
    condition     = contains(["cloud", "loki"], var.logs_stack)
    error_message = "logs_stack is cloud or loki."
  }
}
