use std::collections::HashMap;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;
use crate::spec::rules::environment_setting;

declare_rule! {
    /// ## What it does
    /// Reports a `platform.aws` block that names neither `eks` nor `ecs`, or both; a spec
    /// whose environments on AWS run some on EKS and some on ECS; and two environments that
    /// name one ECS cluster (the same `platform.aws.ecs.name`, account and region).
    ///
    /// ## Why it matters
    /// The block says where the services run: on an EKS cluster (the chart and the manifests)
    /// or as ECS services on Fargate (no Kubernetes). Every environment on AWS is a workspace
    /// of one Terraform root (`terraform/`), whose files are an EKS cluster's or an ECS
    /// cluster's: both at once is not a root gen can render. An ECS cluster, its load balancer
    /// and its roles are named from `ecs.name`, so two environments with one name would each
    /// create them in their own workspace, and the second apply would fail.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {region: eu-west-1, accountId: "123456789012", state: {bucket: acme-tfstate}}
    /// ```
    ///
    /// ## How to fix
    /// Name one of the two (`ecs: {name: shop}` or `eks: {name: shop, adminRoles: [...]}`),
    /// the same one in every environment on AWS, and give each environment on ECS a cluster
    /// name of its own (`environments[].platform.aws.ecs.name: shop-production`).
    pub static RULE = ("SPEC190", "aws-runtime", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if let Some(block) = aws::of(&spec.spec) {
        let at = route!["platform", aws::NAME];
        match (&block.eks, &block.ecs) {
            (None, None) => out.push(
                spec.at(&RULE, &at, true, "`platform.aws` names neither `eks` nor `ecs`: where do the services run?").help(
                    "add `ecs: {name: NAME}` to run them as ECS services on Fargate, or `eks: {name: NAME, adminRoles: [...]}` \
                     to run them on an EKS cluster",
                ),
            ),
            (Some(_), Some(_)) => out.push(
                spec.at(
                    &RULE,
                    &at.clone().with("ecs"),
                    true,
                    "`platform.aws` names both `eks` and `ecs`: the services run on one of the two",
                )
                .help("keep `eks` to run them on the EKS cluster, or `ecs` to run them as ECS services on Fargate"),
            ),
            _ => {}
        }
    }
    // Across the environments (the spec's own run only: an environment's spec has none).
    let mut runtimes: Vec<(usize, &str)> = Vec::new();
    let mut ecs_clusters: HashMap<String, usize> = HashMap::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == aws::NAME) {
        let Some(block) = aws::of(&env.spec(spec).spec) else { continue };
        let runtime = match (&block.eks, &block.ecs) {
            (Some(_), None) => aws::EKS,
            (None, Some(_)) => aws::ECS,
            _ => continue,
        };
        if let Some(&(first, theirs)) = runtimes.first()
            && theirs != runtime
        {
            let message = format!(
                "environment `{}` runs on {} and environment `{}` on {}: every environment on aws is a workspace of one \
                 Terraform root, an EKS cluster's or an ECS cluster's",
                env.name,
                runtime.to_uppercase(),
                spec.environments[first].name,
                theirs.to_uppercase()
            );
            let setting = environment_setting(spec, i, &["platform", aws::NAME, runtime]);
            out.push(spec.at(&RULE, &setting, true, message).help(format!(
                "run every environment on aws on {} (`platform.aws.{theirs}`), or this one on another platform",
                theirs.to_uppercase()
            )));
            continue;
        }
        runtimes.push((i, runtime));
        if let Some(ecs) = &block.ecs {
            let id = format!("{}/{}/{}", block.account_id, block.region, ecs.name);
            if let Some(&first) = ecs_clusters.get(&id) {
                let message = format!(
                    "environments `{}` and `{}` both name the ECS cluster `{}` in account {} and {}: each one's Terraform \
                     would create it, its load balancer and its roles",
                    spec.environments[first].name, env.name, ecs.name, block.account_id, block.region
                );
                let setting = environment_setting(spec, i, &["platform", aws::NAME, "ecs", "name"]);
                out.push(spec.at(&RULE, &setting, false, message).help(format!(
                    "give `{}` a cluster of its own: `platform: {{aws: {{ecs: {{name: {}-{}}}}}}}`",
                    env.name, ecs.name, env.name
                )));
            } else {
                ecs_clusters.insert(id, i);
            }
        }
    }
}
