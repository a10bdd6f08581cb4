use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;
use crate::spec::rules::environment_setting;

declare_rule! {
    /// ## What it does
    /// Reports two environments on AWS that name the same EKS cluster (`platform.aws.eks.name`)
    /// in the same account and region, at the later one.
    ///
    /// ## Why it matters
    /// Each environment on AWS is a Terraform workspace of the platform root that creates its
    /// own VPC and EKS cluster, and a workspace of `cluster/` that installs its controllers:
    /// the second environment's apply stops at "Cluster already exists", after its VPC was
    /// made, and a destroy of either would take the other's cluster down with it. Several
    /// environments in one cluster, in namespaces of their own, is not a path gen renders on
    /// AWS (nor on Azure: SPEC125).
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {eks: {name: shop}, ...}
    /// environments: [{name: test}, {name: production}]
    /// ```
    ///
    /// ## How to fix
    /// Give every environment after the first a cluster of its own
    /// (`environments[].platform.aws.eks.name`, and a VPC range of its own beside it).
    pub static RULE = ("SPEC189", "eks-cluster-shared", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen: Vec<(String, String, String, &str)> = Vec::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == aws::NAME) {
        let Some(block) = aws::of(&env.spec(spec).spec) else { continue };
        let key = (block.account_id.clone(), block.region.clone(), block.eks.name.clone());
        if let Some((.., other)) = seen.iter().find(|(a, r, n, _)| (a, r, n) == (&key.0, &key.1, &key.2)) {
            let message = format!(
                "environments `{other}` and `{}` both create the EKS cluster `{}` in {} of account {}: each \
                 environment's Terraform workspace creates its own cluster, so the second apply fails",
                env.name, key.2, key.1, key.0
            );
            let at = environment_setting(spec, i, &["platform", aws::NAME, "eks", "name"]);
            out.push(spec.at(&RULE, &at, false, message).help(format!(
                "give `{}` a cluster of its own under its `platform.aws.eks.name` (and its own `network.cidr`)",
                env.name
            )));
        }
        seen.push((key.0, key.1, key.2, env.name.as_str()));
    }
}
