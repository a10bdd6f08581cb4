//! AWS's spec rules: names AWS would refuse, regions and versions EKS does not serve well.
//! One file per rule.

pub mod alb_certificate_quota;
pub mod aws_runtime;
pub mod backup_aws_cannot_take;
pub mod ecr_repository_name;
pub mod ecs_cannot_run;
pub mod ecs_name;
pub mod eks_cluster_shared;
pub mod eks_name;
pub mod endpoint_closed_to_pipeline;
pub mod host_outside_zone;
pub mod http_service_behind_redirect;
pub mod invalid_region;
pub mod network_keys_beside_existing_vpc;
pub mod region_with_two_zones;
pub mod state_bucket_name;
pub mod strip_prefix_on_alb;
pub mod unsupported_eks_version;
