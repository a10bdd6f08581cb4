variable "namespace" {
  type        = string
  description = "The namespace the snapshot scheduler runs in."
  default     = "backube-snapscheduler"
}

variable "snapscheduler_chart_version" {
  type        = string
  description = "The snapscheduler chart of backube/helm-charts, pinned (3.5.0: its entry `## [3.5.0]` in backube/snapscheduler's CHANGELOG.md, dated 14 May 2025)."
  default     = "3.5.0"
}

variable "raw_chart_version" {
  type        = string
  description = "The raw chart of bedag/helm-charts, pinned (2.0.1: the version in bedag/helm-charts charts/raw/README.md); it renders the objects it is given and nothing else."
  default     = "2.0.1"
}
