//! AWS: EKS, ECR, Route 53 and GitHub's OIDC sign-in, created by Terraform.
//!
//! The spec's block and its rules; the chart and manifests for an EKS cluster with the AWS
//! Load Balancer Controller (an Ingress of class `alb` per service on one load balancer, or an
//! HTTPRoute on the Gateway's own; TLS from ACM); the Terraform (`templates/terraform-aws/`: the state bucket, the shared root,
//! each environment's VPC, cluster, roles, certificates and backups, and what runs in the
//! cluster); the workflows build, sign and promote through each environment's deploy role,
//! with Helm or Argo CD.

pub mod rules;
mod spec;

pub use spec::{
    Dns, Ecr, Ecs, Eks, Endpoint, ExistingVpc, LoadBalancerSubnet, Monitoring, NatGateways, Network, NodeGroup,
    REGIONS, Spec, State,
};

use super::{Capability, Check, Platform, PlatformNamespace, Target, TargetSpec};
use crate::diag::{Diagnostics, Route, Rule};
use crate::route;
use crate::spec::environments::Environment;
use crate::spec::model::{GatewayRef, IngressController, LogsStack, MetricsStack, RouteKind};
use crate::spec::{Loaded, schema};

/// The platform's name: its key under `platform` in the spec.
pub const NAME: &str = "aws";

/// What runs the services, by its key under `platform.aws`: an EKS cluster, or ECS services on
/// Fargate (`gen init --runtime`); the first is `gen init`'s default.
pub const EKS: &str = "eks";
pub const ECS: &str = "ecs";
pub const RUNTIMES: [&str; 2] = [EKS, ECS];

/// The name of HashiCorp's Terraform provider for AWS (`provider "aws"`).
pub const TERRAFORM_PROVIDER: &str = "aws";

/// The AWS CLI's command: a workflow step that runs it deploys to AWS (`gen adopt`).
pub const CLI: &str = "aws";

/// The tag the values name until the pipeline's first release sets one (it deploys by
/// digest).
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

/// The EKS cluster of a spec whose services run on one on AWS.
pub fn eks_of(spec: &crate::spec::Spec) -> Option<&Eks> {
    of(spec)?.eks.as_ref()
}

/// What the platform runs with an EKS cluster.
const EKS_CAPABILITIES: &[Capability] =
    &[Capability::Kubernetes, Capability::Terraform, Capability::CloudPipeline, Capability::Gitops];

/// The rules, in the order they run.
static RULES: &[(&Rule, Check)] = &[
    (&rules::invalid_region::RULE, rules::invalid_region::check),
    (&rules::region_with_two_zones::RULE, rules::region_with_two_zones::check),
    (&rules::network_keys_beside_existing_vpc::RULE, rules::network_keys_beside_existing_vpc::check),
    (&rules::aws_runtime::RULE, rules::aws_runtime::check),
    (&rules::ecs_name::RULE, rules::ecs_name::check),
    (&rules::ecs_cannot_run::RULE, rules::ecs_cannot_run::check),
    (&rules::eks_name::RULE, rules::eks_name::check),
    (&rules::eks_cluster_shared::RULE, rules::eks_cluster_shared::check),
    (&rules::unsupported_eks_version::RULE, rules::unsupported_eks_version::check),
    (&rules::ecr_repository_name::RULE, rules::ecr_repository_name::check),
    (&rules::state_bucket_name::RULE, rules::state_bucket_name::check),
    (&rules::backup_aws_cannot_take::RULE, rules::backup_aws_cannot_take::check),
    (&rules::endpoint_closed_to_pipeline::RULE, rules::endpoint_closed_to_pipeline::check),
    (&rules::host_outside_zone::RULE, rules::host_outside_zone::check),
    (&rules::alb_certificate_quota::RULE, rules::alb_certificate_quota::check),
    (&rules::strip_prefix_on_alb::RULE, rules::strip_prefix_on_alb::check),
    (&rules::http_service_behind_redirect::RULE, rules::http_service_behind_redirect::check),
];

/// Whether a service's ingress is on the project's Ingress ALB (the controller's IngressGroup),
/// rather than the Gateway's.
pub fn on_ingress_alb(ingress: &crate::spec::model::Ingress) -> bool {
    ingress.route != Some(RouteKind::Httproute)
}

/// The Gateway gen's Terraform creates when the spec names none, and its namespace.
pub const DEFAULT_GATEWAY: &str = "gen-gateway";
pub const GATEWAY_NAMESPACE: &str = "gateway-system";

/// The StorageClass EKS creates every cluster with: `gp2`, on the in-tree EBS provisioner
/// (gen's Terraform adds `gp3` on the EBS CSI driver and makes it the default).
pub const STORAGE_CLASSES: &[&str] = &["gp2"];

impl Platform for Aws {
    fn name(&self) -> &'static str {
        NAME
    }

    fn summary(&self) -> &'static str {
        "EKS with the AWS Load Balancer Controller: the chart, the manifests, the Terraform and the workflows"
    }

    /// `gp3` on the EBS CSI driver, which the snapshot controller snapshots. EKS does not
    /// create it (its own `gp2` is the in-tree provisioner, and no longer the default since
    /// 1.30), so every claim names it and the README lists it.
    fn default_storage_class(&self) -> Option<&'static str> {
        Some("gp3")
    }

    fn single_node_storage_classes(&self) -> &'static [&'static str] {
        &["gp2", "gp3"]
    }

    fn cluster_storage_classes(&self) -> &'static [&'static str] {
        STORAGE_CLASSES
    }

    /// What a spec's values may choose: an EKS cluster's, or ECS services'.
    fn capabilities(&self) -> &'static [Capability] {
        &[Capability::Kubernetes, Capability::Terraform, Capability::CloudPipeline, Capability::Gitops, Capability::Ecs]
    }

    /// The AWS Load Balancer Controller serves the Gateway API on an ALB, once the Gateway
    /// API's CRDs are installed before it: the cluster root installs them, and the Gateway
    /// the spec names (terraform/cluster/modules/gateway), where a service asks for an
    /// HTTPRoute.
    fn routes_httproutes(&self) -> bool {
        true
    }

    /// kube-prometheus-stack in the cluster, which the cluster root installs
    /// (terraform/cluster/modules/observability, as on AKS): it evaluates the services' SLO
    /// rules and the stack's own, and its Alertmanager mails `monitoring.alertEmails`.
    fn metrics_stacks(&self) -> &'static [MetricsStack] {
        &[MetricsStack::KubePrometheusStack]
    }

    /// Fluent Bit to Loki, in the cluster beside the metrics stack, whose Grafana reads it.
    fn logs_stacks(&self) -> &'static [LogsStack] {
        &[LogsStack::Loki]
    }

    fn rules(&self) -> &'static [(&'static Rule, Check)] {
        RULES
    }

    /// What the cloud needs that a laptop does not: the repository whose workflows sign in
    /// through GitHub's OIDC provider, the roles that administer each cluster, a host for each
    /// ingress.
    fn requirements(&self, top: &Loaded, envs: &[&Environment]) -> Diagnostics {
        let mut errors = Vec::new();
        let Some(first) = envs.first() else { return errors };
        if top.spec.platform.github.is_none() {
            let msg = format!(
                "`platform.github` is required when an environment runs on aws (`{}`): its roles trust this repository's workflows alone",
                first.name
            );
            errors.push(
                top.doc
                    .at(&schema::MISSING_KEY, &route!["platform"], true, msg)
                    .help("add `github: {repository: OWNER/NAME}` under `platform`; `gen schema` describes it"),
            );
        }
        // Each missing piece once, in the first environment that lacks it.
        let mut reported = Vec::new();
        let mut admins_reported = false;
        for env in envs {
            let loaded = env.spec(top);
            let Some(block) = of(&loaded.spec) else { continue };
            if block.eks.as_ref().is_some_and(|eks| eks.admin_roles.is_empty()) && !admins_reported {
                admins_reported = true;
                let msg = format!(
                    "`platform.aws.eks.adminRoles` is empty (environment `{}`): no one could administer the cluster, whose creator gets no right of its own",
                    env.name
                );
                errors.push(
                    top.doc.at(&schema::MISSING_KEY, &route!["platform", NAME, "eks"], true, msg).help(
                        "list the IAM role ARNs that administer it: `adminRoles: [arn:aws:iam::ACCOUNT:role/NAME]`",
                    ),
                );
            }
            for (i, service) in loaded.spec.services.iter().enumerate() {
                if service.ingress.as_ref().is_some_and(|ingress| ingress.host.is_empty()) && !reported.contains(&i) {
                    reported.push(i);
                    let msg = format!(
                        "service `{}` has an ingress without a host, which it needs on aws (environment `{}`)",
                        service.name, env.name
                    );
                    errors.push(top.doc.at(&schema::MISSING_KEY, &route!["services", i, "ingress"], true, msg).help(
                        "add `host:` to its ingress (a name in the Route 53 zone); only a local cluster has a default",
                    ));
                }
            }
        }
        errors
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
        // The Gateway the cluster root creates when the spec names none (an ALB of its own),
        // in a namespace of the edge's: the controller's, kube-system, is EKS's.
        self.ingress
            .gateway
            .get_or_insert_with(|| GatewayRef { name: DEFAULT_GATEWAY.into(), namespace: GATEWAY_NAMESPACE.into() });
    }

    /// On ECS: Terraform, the pipeline (which registers and deploys the task definitions) and
    /// ECS, no Kubernetes.
    fn capabilities(&self) -> &'static [Capability] {
        if self.ecs.is_some() {
            &[Capability::Terraform, Capability::CloudPipeline, Capability::Ecs]
        } else {
            EKS_CAPABILITIES
        }
    }

    fn default_image(&self, project: &str, service: &str) -> (String, &'static str) {
        (format!("{}/{}/{service}", self.registry(), self.repository_prefix(project)), FIRST_TAG)
    }

    fn snapshot_class(&self, _storage_class: Option<&str>) -> &'static str {
        "ebs-csi"
    }

    /// AWS Backup takes them (terraform/modules/backup): its recovery points outlive the
    /// claim, the namespace and the cluster.
    fn backups_in_cluster(&self) -> bool {
        false
    }

    /// The load balancer controller deregisters a stopping pod's target once its endpoint is
    /// removed, and the ALB takes several seconds more to stop sending it new requests
    /// (target-type `ip`): 15 s, as the controller's documentation advises for a preStop sleep.
    fn shutdown_delay_seconds(&self) -> u32 {
        15
    }

    /// What runs in the namespaces EKS's add-ons and the load balancer controller use is
    /// `kube-system`'s, which is every platform's; the Gateway's, where a service asks for an
    /// HTTPRoute.
    fn platform_namespaces(&self, spec: &crate::spec::Spec) -> Vec<PlatformNamespace> {
        let routed =
            spec.services.iter().any(|s| s.ingress.as_ref().is_some_and(|i| i.route == Some(RouteKind::Httproute)));
        let Some(gateway) = self.ingress.gateway.as_ref().filter(|_| routed) else { return Vec::new() };
        vec![PlatformNamespace {
            name: gateway.namespace.clone(),
            what: "the Gateway, its load balancer's configuration and the redirects to HTTPS are kept (`platform.aws.ingress.gateway.namespace`)".into(),
            chosen_at: Some((
                route!["platform", NAME, "ingress", "gateway", "namespace"],
                "gen's Terraform would create the Gateway, its load balancer's configuration and the redirects to HTTPS there",
            )),
        }]
    }

    fn ingress(&self) -> &IngressController {
        &self.ingress
    }

    /// An Ingress of class `alb`, on the project's one ALB; `route: httproute` asks for the
    /// Gateway's (an ALB of its own).
    fn default_route(&self) -> RouteKind {
        RouteKind::Ingress
    }

    fn cluster_id(&self) -> Option<String> {
        let eks = self.eks.as_ref()?;
        Some(format!("{}/{}/{}", self.account_id, self.region, eks.name))
    }

    fn alert_receivers(&self) -> Option<(Route, &[String])> {
        Some((route!["platform", NAME, "monitoring", "alertEmails"], &self.monitoring.alert_emails))
    }

    fn dns_zone(&self) -> Option<(Route, &str)> {
        self.dns.as_ref().map(|d| (route!["platform", NAME, "dns", "zone"], d.zone.as_str()))
    }

    fn node_counts(&self) -> Option<(Route, u32, u32)> {
        let group = &self.eks.as_ref()?.node_group;
        Some((route!["platform", NAME, "eks", "nodeGroup", "minSize"], group.min_size, group.max_size))
    }

    fn context(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        if let Some(map) = value.as_object_mut() {
            map.insert("registry".into(), self.registry().into());
            map.insert("loadBalancerCidrs".into(), self.load_balancer_cidrs().into());
        }
        value
    }
}

impl Spec {
    /// The ranges of the load balancers' subnets: an existing VPC's, as the spec lists them,
    /// else the last sixteenth of the VPC gen makes ([`load_balancer_cidr`]).
    pub fn load_balancer_cidrs(&self) -> Vec<String> {
        match &self.network.existing {
            Some(existing) => existing.load_balancer_subnets.iter().map(|s| s.cidr.clone()).collect(),
            None => vec![load_balancer_cidr(&self.network.cidr)],
        }
    }
}

/// The task sizes Fargate runs: each CPU (units, 1024 a vCPU) with the memory it takes (MiB):
/// the first, the last and the step between them.
const FARGATE_SIZES: &[(u32, u32, u32, u32)] = &[
    (256, 512, 2048, 512),
    (512, 1024, 4096, 1024),
    (1024, 2048, 8192, 1024),
    (2048, 4096, 16384, 1024),
    (4096, 8192, 30720, 1024),
    (8192, 16384, 61440, 4096),
    (16384, 32768, 122880, 8192),
];

/// The slots of each band of listener-rule priorities.
const PRIORITY_SLOTS: u32 = 5000;

/// Each route's priority on the load balancer's HTTPS listener (`routes`: name, host and path,
/// in the spec's order), which ALB evaluates lowest first and needs unique. A route's band is
/// its path's depth (`/a/b` before `/a`, before a host's own rule), so that within a host the
/// longer path is matched first; its place in the band is a hash of its host and path. So
/// adding or removing a service leaves the others' priorities as they were: a listener rule
/// that moved while another took its old number would fail the apply (PriorityInUse). Two
/// routes whose hashes meet take the next free place, in the spec's order: the one place
/// where a service added before them, or the first removed, moves another (about 1 pair in
/// 5,000 of a band; a priority kept from the last render would end it, and gen keeps none).
pub fn listener_priorities(routes: &[(String, String, String)]) -> Vec<(String, u32)> {
    use sha2::{Digest, Sha256};
    let bands = 50_000 / PRIORITY_SLOTS;
    let mut taken = std::collections::HashSet::new();
    routes
        .iter()
        .map(|(name, host, path)| {
            let depth = path.split('/').filter(|s| !s.is_empty()).count() as u32;
            let band = bands - 1 - depth.min(bands - 1);
            let digest = Sha256::digest(format!("{host}\n{path}").as_bytes());
            let mut slot = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % PRIORITY_SLOTS;
            while !taken.insert((band, slot)) {
                slot = (slot + 1) % PRIORITY_SLOTS;
            }
            (name.clone(), band * PRIORITY_SLOTS + slot + 1)
        })
        .collect()
}

/// The smallest Fargate task size (CPU units, memory MiB) that holds a container's limits
/// (`cpu`, `memory`: Kubernetes quantities), where one does: the ECS task gets what the chart's
/// container may use at most.
pub fn fargate_size(cpu: &str, memory: &str) -> Option<(u32, u32)> {
    use crate::spec::quantity::Quantity;
    let units = Quantity::parse(cpu).ok()?.ceil_in(1024, 1);
    let mebibytes = Quantity::parse(memory).ok()?.ceil_in(1, 1 << 20);
    FARGATE_SIZES.iter().find_map(|&(c, first, last, step)| {
        if i128::from(c) < units || i128::from(last) < mebibytes {
            return None;
        }
        let m = (first..=last).step_by(step as usize).find(|m| i128::from(*m) >= mebibytes)?;
        Some((c, m))
    })
}

/// The range the load balancers' (public) subnets are in: the VPC's last sixteenth, where
/// terraform/modules/network places them (`cidrsubnet(cidr, 6, 60 + i)`). The NetworkPolicy
/// admits it alone, not every pod of the VPC. A range gen cannot read is itself.
pub fn load_balancer_cidr(cidr: &str) -> String {
    let parsed = cidr.split_once('/').and_then(|(addr, len)| {
        let addr: std::net::Ipv4Addr = addr.parse().ok()?;
        let len: u32 = len.parse().ok().filter(|l| *l <= 28)?;
        let base = u32::from(addr) & (u32::MAX.checked_shl(32 - len).unwrap_or(0));
        let sixteenth = 1u32 << (32 - len - 4);
        Some(format!("{}/{}", std::net::Ipv4Addr::from(base + 15 * sixteenth), len + 4))
    });
    parsed.unwrap_or_else(|| cidr.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn listener_rules_keep_their_priorities_when_a_service_is_added_and_longer_paths_come_first() {
        let route = |n: &str, h: &str, p: &str| (n.to_string(), h.to_string(), p.to_string());
        let before = vec![route("api", "shop.example.com", "/api"), route("web", "shop.example.com", "/")];
        let after = vec![
            route("admin", "admin.example.com", "/"),
            route("api", "shop.example.com", "/api"),
            route("v2", "shop.example.com", "/api/v2"),
            route("web", "shop.example.com", "/"),
        ];
        let (before, after) = (super::listener_priorities(&before), super::listener_priorities(&after));
        let of = |all: &[(String, u32)], n: &str| all.iter().find(|(m, _)| m == n).map(|(_, p)| *p).expect(n);
        assert_eq!((of(&before, "api"), of(&before, "web")), (of(&after, "api"), of(&after, "web")));
        assert!(of(&after, "v2") < of(&after, "api") && of(&after, "api") < of(&after, "web"));
        assert!(after.iter().all(|(_, p)| (1..=50_000).contains(p)));
        // Routes whose hashes meet still get priorities of their own.
        let many: Vec<_> = (0..2000).map(|i| route(&format!("s{i}"), &format!("h{i}.example.com"), "/")).collect();
        let priorities: std::collections::HashSet<u32> =
            super::listener_priorities(&many).into_iter().map(|(_, p)| p).collect();
        assert_eq!(priorities.len(), 2000);
    }

    #[test]
    fn a_task_gets_the_smallest_fargate_size_that_holds_its_container_s_limits() {
        assert_eq!(super::fargate_size("500m", "256Mi"), Some((512, 1024)));
        assert_eq!(super::fargate_size("250m", "512Mi"), Some((256, 512)));
        assert_eq!(super::fargate_size("0.25", "600Mi"), Some((256, 1024)));
        assert_eq!(super::fargate_size("1", "3Gi"), Some((1024, 3072)));
        assert_eq!(super::fargate_size("1", "9Gi"), Some((2048, 9216)));
        assert_eq!(super::fargate_size("1500m", "1Gi"), Some((2048, 4096)));
        assert_eq!(super::fargate_size("5", "17Gi"), Some((8192, 20480)));
        assert_eq!(super::fargate_size("16", "120Gi"), Some((16384, 122880)));
        assert_eq!(super::fargate_size("17", "1Gi"), None);
        assert_eq!(super::fargate_size("1", "121Gi"), None);
    }

    #[test]
    fn the_load_balancers_are_in_the_vpcs_last_sixteenth() {
        assert_eq!(super::load_balancer_cidr("10.0.0.0/16"), "10.0.240.0/20");
        assert_eq!(super::load_balancer_cidr("10.20.0.0/16"), "10.20.240.0/20");
        assert_eq!(super::load_balancer_cidr("172.16.32.0/20"), "172.16.47.0/24");
        assert_eq!(super::load_balancer_cidr("not a range"), "not a range");
    }

    #[test]
    fn a_volume_names_gp3_which_eks_does_not_make_its_default() {
        let text = b"apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  aws: {region: eu-west-1, accountId: \"123456789012\", eks: {name: shop, adminRoles: [\"arn:aws:iam::123456789012:role/A\"]}, state: {bucket: acme-shop-tfstate}}\n  github: {repository: acme/shop}\nservices:\n  - {name: notes, replicas: 1, persistence: {size: 1Gi, mountPath: /data}}\n  - {name: files, replicas: 1, persistence: {size: 1Gi, mountPath: /data, storageClass: io2}}\n";
        let loaded = crate::spec::load("spec.yaml", text).expect("a spec");
        let classes: Vec<Option<&str>> = loaded
            .spec
            .services
            .iter()
            .map(|s| s.persistence.as_ref().and_then(|p| p.storage_class.as_deref()))
            .collect();
        assert_eq!(classes, [Some("gp3"), Some("io2")]);
    }
}
