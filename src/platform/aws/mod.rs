//! AWS: EKS, ECR, Route 53 and GitHub's OIDC sign-in, created by Terraform.
//!
//! What is built so far: the spec's block, its rules, and the chart and manifests for an EKS
//! cluster with the AWS Load Balancer Controller (an Ingress of class `alb` per service on one
//! load balancer, TLS from ACM). The Terraform (state bucket, VPC, EKS, ECR, OIDC, Route 53)
//! and the workflows come next (issue #50); until then the rendered README lists the cluster
//! and what it must run as prerequisites, each with the command that checks it.

pub mod rules;
mod spec;

pub use spec::{Dns, Ecr, Eks, Endpoint, Monitoring, NatGateways, Network, NodeGroup, REGIONS, Spec, State};

use super::{Capability, Check, Platform, PlatformNamespace, Target, TargetSpec};
use crate::diag::{Route, Rule};
use crate::route;
use crate::spec::model::{IngressController, RouteKind};

/// The platform's name: its key under `platform` in the spec.
pub const NAME: &str = "aws";

/// The tag deployed until the pipeline pushes a release: none is ever pushed under it, so a
/// cluster never pulls an image nobody built.
pub const FIRST_TAG: &str = "0.0.0";

/// AWS, as gen deploys to it.
#[derive(Debug)]
pub struct Aws;

/// The one value of [`Aws`], listed in [`super::PLATFORMS`].
pub static PLATFORM: Aws = Aws;

/// The AWS block of a spec whose services run on AWS.
pub fn of(spec: &crate::spec::Spec) -> Option<&Spec> {
    match &spec.platform.target {
        Target::Aws(aws) => Some(aws),
        _ => None,
    }
}

/// The rules, in the order they run.
static RULES: &[(&Rule, Check)] = &[
    (&rules::invalid_region::RULE, rules::invalid_region::check),
    (&rules::region_with_two_zones::RULE, rules::region_with_two_zones::check),
    (&rules::eks_name::RULE, rules::eks_name::check),
    (&rules::unsupported_eks_version::RULE, rules::unsupported_eks_version::check),
    (&rules::ecr_repository_name::RULE, rules::ecr_repository_name::check),
    (&rules::state_bucket_name::RULE, rules::state_bucket_name::check),
];

/// The StorageClass EKS creates every cluster with: `gp2`, on the in-tree EBS provisioner
/// (gen's Terraform adds `gp3` on the EBS CSI driver and makes it the default).
pub const STORAGE_CLASSES: &[&str] = &["gp2"];

impl Platform for Aws {
    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "EKS with the AWS Load Balancer Controller: the chart and manifests (Terraform and workflows in progress)"
    }

    fn default_storage_class(&self) -> Option<&'static str> {
        Some("gp3")
    }

    fn single_node_storage_classes(&self) -> &'static [&'static str] {
        &["gp2", "gp3"]
    }

    fn cluster_storage_classes(&self) -> &'static [&'static str] {
        STORAGE_CLASSES
    }

    fn capabilities(&self) -> &'static [Capability] {
        &[Capability::Kubernetes]
    }

    fn rules(&self) -> &'static [(&'static Rule, Check)] {
        RULES
    }
}

impl TargetSpec for Spec {
    fn platform(&self) -> &'static dyn Platform {
        &PLATFORM
    }

    fn fill_defaults(&mut self, notify: &[String]) {
        // Alerts that reach nobody are no alerts: with no receiver of its own, the cluster's
        // go to whom the pipeline notifies.
        if self.monitoring.alert_emails.is_empty() {
            self.monitoring.alert_emails = notify.to_vec();
        }
    }

    fn default_image(&self, project: &str, service: &str) -> (String, &'static str) {
        (format!("{}/{}/{service}", self.registry(), self.repository_prefix(project)), FIRST_TAG)
    }

    /// gp3 on the EBS CSI driver, which the snapshot controller add-on snapshots.
    fn backup_storage_class(&self) -> Option<&'static str> {
        Some("gp3")
    }

    fn snapshot_class(&self, _storage_class: Option<&str>) -> &'static str {
        "ebs-csi"
    }

    /// The in-tree `gp2` class cannot be snapshotted: the default is gen's `gp3`.
    fn snapshots_default_storage(&self) -> bool {
        true
    }

    /// What runs in the namespaces EKS's add-ons and the load balancer controller use is
    /// `kube-system`'s, which is every platform's: nothing else yet.
    fn platform_namespaces(&self, _spec: &crate::spec::Spec) -> Vec<PlatformNamespace> {
        Vec::new()
    }

    fn ingress(&self) -> &IngressController {
        &self.ingress
    }

    /// An Ingress of class `alb`: the load balancer controller serves the Gateway API only
    /// behind a feature gate, with CRDs installed apart.
    fn default_route(&self) -> RouteKind {
        RouteKind::Ingress
    }

    fn dns_zone(&self) -> Option<(Route, &str)> {
        self.dns.as_ref().map(|d| (route!["platform", NAME, "dns", "zone"], d.zone.as_str()))
    }

    fn node_counts(&self) -> Option<(Route, u32, u32)> {
        let group = &self.eks.node_group;
        Some((route!["platform", NAME, "eks", "nodeGroup", "minSize"], group.min_size, group.max_size))
    }

    fn context(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("registry".into(), self.registry().into());
        }
        value
    }
}
