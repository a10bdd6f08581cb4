//! `platform.aws`: the AWS resources a spec names, and their defaults.

use serde::{Deserialize, Serialize};

use crate::spec::model::IngressController;

/// The AWS resources (`platform.aws`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Spec {
    /// The region of every regional resource, as AWS names it (`eu-west-1`).
    pub region: String,
    /// The 12-digit account the resources live in: the registry's host and the roles' ARNs
    /// name it, and Terraform refuses to apply in another (`allowed_account_ids`).
    pub account_id: String,
    /// The services run on an EKS cluster (the chart, the manifests), or (`ecs`) as ECS
    /// services on Fargate with no Kubernetes: exactly one of the two (SPEC190).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eks: Option<Eks>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ecs: Option<Ecs>,
    #[serde(default)]
    pub ecr: Ecr,
    /// The Route 53 public hosted zone the ingress hosts live in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    /// The S3 bucket of the Terraform state, which the bootstrap root creates.
    pub state: State,
    #[serde(default)]
    pub network: Network,
    /// The edge: the AWS Load Balancer Controller, its IngressClass `alb`.
    #[serde(default = "default_ingress", deserialize_with = "ingress")]
    pub ingress: IngressController,
    /// Who hears of the cluster's alerts.
    #[serde(default)]
    pub monitoring: Monitoring,
}

/// The EKS cluster (`platform.aws.eks`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Eks {
    pub name: String,
    #[serde(default = "default_kubernetes_version")]
    pub kubernetes_version: String,
    #[serde(default)]
    pub endpoint: Endpoint,
    #[serde(default)]
    pub node_group: NodeGroup,
    /// The IAM roles (ARNs) given cluster admin through an access entry: the platform team's.
    /// Whoever applies Terraform is not made admin by being the creator.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub admin_roles: Vec<String>,
}

/// The ECS cluster the services run in on Fargate (`platform.aws.ecs`), behind one ALB.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Ecs {
    /// The cluster's name, which its load balancer, roles and log groups are named from.
    pub name: String,
    /// How long each service's CloudWatch log group keeps its logs.
    #[serde(default = "default_log_retention_days")]
    pub log_retention_days: u32,
}

/// A year: what checkov's CKV_AWS_338 asks of a log group, and what an incident found late
/// still needs.
fn default_log_retention_days() -> u32 {
    365
}

/// The newest EKS minor in standard support for most of a year: see
/// `rules::unsupported_eks_version::SUPPORTED_MINORS` for where the range comes from.
fn default_kubernetes_version() -> String {
    "1.34".into()
}

/// Where the cluster's API answers (`platform.aws.eks.endpoint`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Endpoint {
    /// Whether the API answers on the internet (with IAM sign-in the only way in); `false`:
    /// only inside the VPC.
    pub public: bool,
    /// The addresses (CIDR) the public endpoint answers; none: every address.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub public_cidrs: Vec<String>,
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint { public: true, public_cidrs: Vec::new() }
    }
}

/// The managed node group of the services (`platform.aws.eks.nodeGroup`), over the private
/// subnets of every zone.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct NodeGroup {
    pub instance_types: Vec<String>,
    pub min_size: u32,
    pub max_size: u32,
    pub disk_size_gb: u32,
}

/// Three nodes of 2 vCPUs and 8 GiB, one per zone: a node lost or replaced for an update
/// leaves two to run CoreDNS and the services' spread replicas.
impl Default for NodeGroup {
    fn default() -> Self {
        NodeGroup { instance_types: vec!["m7i.large".into()], min_size: 3, max_size: 6, disk_size_gb: 50 }
    }
}

/// The registry (`platform.aws.ecr`): one repository per service, `<prefix>/<service>`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Ecr {
    /// What every repository's name starts with; empty: the project's name.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub prefix: String,
    /// How many images each repository keeps (its lifecycle policy expires older ones).
    pub keep: u32,
}

/// A rollback reaches the 30 newest releases; the repository stops growing.
impl Default for Ecr {
    fn default() -> Self {
        Ecr { prefix: String::new(), keep: 30 }
    }
}

/// The public DNS zone (`platform.aws.dns`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Dns {
    pub zone: String,
}

/// Where Terraform keeps its state (`platform.aws.state`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct State {
    pub bucket: String,
}

/// The VPC the nodes run in (`platform.aws.network`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase", default)]
pub struct Network {
    /// The VPC's range, split into a private and a public subnet per zone.
    pub cidr: String,
    /// One NAT gateway for every zone's nodes (`single`), or one per zone (`per-zone`).
    pub nat_gateways: NatGateways,
    /// The zones the subnets and nodes spread over; by default the region's first three
    /// that the account has (`aws_availability_zones`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub zones: Option<Vec<String>>,
    /// A VPC made elsewhere, whose subnets the cluster and its load balancers use: gen then
    /// makes no VPC, subnet, NAT gateway or flow log (`cidr`, `natGateways` and `zones` are
    /// not read).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing: Option<ExistingVpc>,
}

impl Default for Network {
    fn default() -> Self {
        Network { cidr: "10.0.0.0/16".into(), nat_gateways: NatGateways::Single, zones: None, existing: None }
    }
}

/// A VPC made elsewhere (`platform.aws.network.existing`).
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ExistingVpc {
    pub vpc_id: String,
    /// The private subnets of the nodes and the control plane's network interfaces, in two
    /// zones or more, each with a way out (a NAT gateway).
    pub node_subnets: Vec<String>,
    /// The public subnets of the load balancers, one per zone, each with its range: the
    /// services' NetworkPolicies admit these ranges alone.
    pub load_balancer_subnets: Vec<LoadBalancerSubnet>,
}

/// A public subnet of the load balancers, and its range.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct LoadBalancerSubnet {
    pub id: String,
    pub cidr: String,
}

/// How many NAT gateways the VPC has.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum NatGateways {
    /// One, in the first zone: about $33 a month, and the other zones' nodes lose their way
    /// out while that zone is down.
    #[default]
    Single,
    /// One per zone: a zone's outage takes no other zone's way out, at three times the cost.
    PerZone,
}

/// The cluster's alerts (`platform.aws.monitoring`).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Monitoring {
    /// The addresses the alerts are sent to; none: the pipeline's notify addresses.
    #[serde(default)]
    pub alert_emails: Vec<String>,
}

/// The AWS Load Balancer Controller's IngressClass `alb`, the controller in `kube-system`
/// (where EKS's add-ons run, as its documentation installs it).
fn default_ingress() -> IngressController {
    IngressController { class_name: "alb".into(), namespace: "kube-system".into(), gateway: None }
}

/// Reads `platform.aws.ingress`, each key it omits taken from [`default_ingress`].
fn ingress<'de, D: serde::Deserializer<'de>>(d: D) -> Result<IngressController, D::Error> {
    IngressController::read_over(d, default_ingress())
}

/// The regions of AWS's commercial partition and their availability zones, from AWS's
/// "Regions and Availability Zones" page as the author knew it (November 2026; not checked
/// against the live list here, which needs the network). us-west-1 has three zones, of which
/// an account created since 2013 gets two.
pub const REGIONS: &[(&str, u32)] = &[
    ("af-south-1", 3),
    ("ap-east-1", 3),
    ("ap-east-2", 3),
    ("ap-northeast-1", 3),
    ("ap-northeast-2", 4),
    ("ap-northeast-3", 3),
    ("ap-south-1", 3),
    ("ap-south-2", 3),
    ("ap-southeast-1", 3),
    ("ap-southeast-2", 3),
    ("ap-southeast-3", 3),
    ("ap-southeast-4", 3),
    ("ap-southeast-5", 3),
    ("ap-southeast-6", 3),
    ("ap-southeast-7", 3),
    ("ca-central-1", 3),
    ("ca-west-1", 3),
    ("eu-central-1", 3),
    ("eu-central-2", 3),
    ("eu-north-1", 3),
    ("eu-south-1", 3),
    ("eu-south-2", 3),
    ("eu-west-1", 3),
    ("eu-west-2", 3),
    ("eu-west-3", 3),
    ("il-central-1", 3),
    ("me-central-1", 3),
    ("me-south-1", 3),
    ("mx-central-1", 3),
    ("sa-east-1", 3),
    ("us-east-1", 6),
    ("us-east-2", 3),
    ("us-west-1", 2),
    ("us-west-2", 4),
];

impl Spec {
    /// The prefix of every ECR repository's name.
    pub fn repository_prefix<'a>(&'a self, project: &'a str) -> &'a str {
        if self.ecr.prefix.is_empty() { project } else { &self.ecr.prefix }
    }

    /// The registry's host: the account's private ECR in the region.
    pub fn registry(&self) -> String {
        format!("{}.dkr.ecr.{}.amazonaws.com", self.account_id, self.region)
    }
}
