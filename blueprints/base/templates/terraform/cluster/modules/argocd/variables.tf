variable "namespace" {
  type        = string
  description = "The namespace Argo CD runs in (its Applications live there too)."
  default     = "argocd"
}

variable "chart_version" {
  type        = string
  description = "The argo-cd chart of argoproj/argo-helm, pinned; move it on deliberately, after reading its upgrade notes."
  default     = "9.5.14"
}
