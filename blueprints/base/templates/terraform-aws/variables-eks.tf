# The values of an environment whose services run on its EKS cluster.

variable "kubernetes_version" {
  type        = string
  description = "The cluster's Kubernetes minor version (spec: platform.aws.eks.kubernetesVersion)."
}

variable "endpoint_public" {
  type        = bool
  description = "Whether the API server answers on the internet, to endpoint_public_cidrs alone (spec: platform.aws.eks.endpoint.public)."
}

variable "endpoint_public_cidrs" {
  type        = list(string)
  description = "The ranges the public endpoint answers (spec: platform.aws.eks.endpoint.publicCidrs)."
  default     = []
}

variable "admin_roles" {
  type        = list(string)
  description = "The IAM roles that administer the cluster (spec: platform.aws.eks.adminRoles); whoever applies cluster/ signs in as one."
}

variable "terraform_roles" {
  type = object({
    apply = string
    drift = string
  })
  description = "The Terraform workflow's roles (bootstrap/identities.tf): the apply role administers the cluster (`cluster/` works inside it), the drift role views it; null without a pipeline."
  default     = null
}

variable "node_group" {
  type = object({
    instance_types = list(string)
    min_size       = number
    max_size       = number
    disk_size_gb   = number
  })
  description = "The managed node group (spec: platform.aws.eks.nodeGroup)."
}

variable "gateway" {
  type = object({
    name      = string
    namespace = string
    tls_hosts = list(string)
    backends = list(object({
      service       = string
      namespace     = string
      health_path   = string
      drain_seconds = number
    }))
  })
  description = "The Gateway the services' HTTPRoutes attach to (an ALB of its own, which cluster/ creates): its routed hosts, and each routed service's readiness path and drain time; null where no service routes through one."
  default     = null
}

variable "namespaces" {
  type        = list(string)
  description = "The services' namespaces."
}

variable "namespace_hosts" {
  type        = map(list(string))
  description = "By service namespace (of every environment on the cluster), the hosts its services' Ingresses and HTTPRoutes serve (services[].ingress.host; none where no service has an ingress): cluster/ admits no other host there."
  default     = {}
}

variable "ingress_groups" {
  type        = map(string)
  description = "By service namespace, the Ingress group (alb.ingress.kubernetes.io/group.name: its environment's load balancer) its Ingresses join: cluster/ admits no other."
  default     = {}
}

variable "guests" {
  type = map(object({
    github_environment = string
    namespaces         = list(string)
    persistent_volumes = bool
  }))
  description = "The environments on this environment's cluster that it creates for them (the same platform.aws.eks.name), by name: each one's GitHub environment, which its own deploy role trusts, its services' namespaces, where that role writes, and whether a service of it has a volume. Their hosts' certificates and their volumes' backups are in tls_hosts and backups."
  default     = {}
}

variable "backups" {
  type = map(object({
    namespace      = string
    claim          = string
    schedule       = string
    retention_days = number
  }))
  description = "The services whose volume AWS Backup backs up (persistence.backup), by service (`<environment>.<service>` for a guest environment's)."
  default     = {}
}

variable "persistent_volumes" {
  type        = bool
  description = "Whether a service has a volume: the deploy role's Role covers its claim."
  default     = false
}

# What watches the services, in the cluster (cluster/ installs it: cluster/modules/observability).
variable "metrics_stack" {
  type        = string
  description = "What collects the services' metrics and evaluates the alerts: kube-prometheus-stack (in the cluster), or none (spec: observability.metrics.stack, observability.enabled)."
  default     = "kube-prometheus-stack"
  validation {
    condition     = contains(["kube-prometheus-stack", "none"], var.metrics_stack)
    error_message = "metrics_stack is kube-prometheus-stack or none."
  }
}

variable "logs_stack" {
  type        = string
  description = "What keeps the containers' lines: loki (Fluent Bit to Loki, in the cluster), or none (spec: observability.logs.stack, observability.enabled)."
  default     = "loki"
  validation {
    condition     = contains(["loki", "none"], var.logs_stack)
    error_message = "logs_stack is loki or none."
  }
}

variable "alert_emails" {
  type        = list(string)
  description = "The addresses Alertmanager mails the alerts to; none: they are seen in Alertmanager alone (spec: platform.aws.monitoring.alertEmails, else pipeline.notify.email)."
  default     = []
  validation {
    condition     = alltrue([for e in var.alert_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alert_emails are email addresses."
  }
}

variable "slo_services" {
  type        = list(string)
  description = "The services whose SLO rules and dashboards (../monitoring/) the stack loads (spec: services[].slo, observability.enabled)."
  default     = []
  validation {
    condition     = alltrue([for s in var.slo_services : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", s))])
    error_message = "Each service is a Kubernetes name: lowercase letters, digits and '-', at most 63."
  }
}

variable "deploy" {
  type        = string
  description = "How releases reach the cluster (spec: pipeline.deploy): `helm` from the pipeline, through the deploy role; or `gitops`, Argo CD in the cluster syncing the branch, which the deploy role reads."
  validation {
    condition     = contains(["helm", "gitops"], var.deploy)
    error_message = "deploy: helm or gitops."
  }
}

# Each add-on at the version EKS marks as the default for the cluster's Kubernetes minor
# (`aws eks describe-addon-versions --kubernetes-version MINOR --addon-name NAME`), read at plan
# time: a plan shows an add-on's move when AWS moves its default (or the minor changes), and
# applies it only when applied. A version named here (in a `*.auto.tfvars` beside the values)
# pins that add-on instead.
variable "addon_versions" {
  type        = map(string)
  description = "Exact versions of EKS add-ons (vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, aws-ebs-csi-driver, snapshot-controller), by name; the others take EKS's default for the cluster's minor."
  default     = {}
}

variable "dns_zone" {
  type        = string
  description = "The Route 53 zone of the ingress hosts, the shared root's (spec: platform.aws.dns.zone); null for none."
  default     = null
}

variable "tls_hosts" {
  type        = set(string)
  description = "The services' TLS hosts: an ACM certificate each, validated in dns_zone."
  default     = []
}
