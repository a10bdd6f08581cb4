variable "name" {
  type        = string
  description = "The role's name."
}

variable "cluster_name" {
  type        = string
  description = "The cluster whose pods assume the role."
}

variable "cluster_arn" {
  type        = string
  description = "The cluster's ARN: the role trusts EKS Pod Identity for this cluster alone."
}

variable "account_id" {
  type        = string
  description = "The AWS account of the cluster."
}

variable "namespace" {
  type        = string
  description = "The namespace of the ServiceAccount the role is for."
}

variable "service_account" {
  type        = string
  description = "The ServiceAccount the role is for."
}

variable "policy" {
  type        = string
  description = "An inline policy document (JSON); null for none."
  default     = null
}

variable "managed_policy_arns" {
  type        = list(string)
  description = "AWS managed policies attached to the role."
  default     = []
}

variable "associate" {
  type        = bool
  description = "Whether this module associates the role with the ServiceAccount (false: an EKS add-on's own pod_identity_association does)."
  default     = true
}
