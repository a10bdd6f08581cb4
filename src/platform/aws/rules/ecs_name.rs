use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an ECS cluster name (`platform.aws.ecs.name`) that a resource gen names after
    /// it would refuse: 1 to 32 letters, digits and `-`, starting and ending with a letter or
    /// digit, not starting with `internal-`; with a service's name, its task execution role's
    /// name (`<cluster>-<service>-execution`) within IAM's 64 characters; not
    /// `<project>-terraform` or `<project>-terraform-*`.
    ///
    /// ## Why it matters
    /// The application load balancer is named after the cluster, and Elastic Load Balancing
    /// takes 32 characters at most of letters, digits and `-`; each service's roles are
    /// named `<cluster>-<service>-execution` and `<cluster>-<service>-task`. AWS refuses a
    /// bad name only at `terraform apply`, after the VPC was created. The Terraform
    /// workflow's apply role may not change a role named `<project>-terraform-*`.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {ecs: {name: shop_services_in_the_production_account}}
    /// ```
    ///
    /// ## How to fix
    /// Use a short name such as `shop` or `shop-prod`.
    pub static RULE = ("SPEC191", "invalid-ecs-name", Error);
}

/// The longest name Elastic Load Balancing gives a load balancer, and IAM a role.
const LOAD_BALANCER_NAME_MAX: usize = 32;
const IAM_ROLE_NAME_MAX: usize = 64;

/// Why `name` cannot name an ECS cluster and its load balancer, if it cannot.
pub fn invalid(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > LOAD_BALANCER_NAME_MAX {
        Some("it must be 1 to 32 characters long, as the load balancer named after it")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        Some("it may hold only letters, digits and `-`, as the load balancer named after it")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("it must start and end with a letter or digit")
    } else if name.starts_with("internal-") {
        Some("a load balancer's name may not start with `internal-`")
    } else {
        None
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(ecs) = aws::of(&spec.spec).and_then(|b| b.ecs.as_ref()) else { return };
    let name = &ecs.name;
    let at = route!["platform", aws::NAME, "ecs", "name"];
    let terraform_roles = format!("{}-terraform-", spec.spec.metadata.name);
    let longest = spec.spec.services.iter().map(|s| s.name.as_str()).max_by_key(|s| s.len());
    let why = invalid(name)
        .map(str::to_string)
        .or_else(|| {
            format!("{name}-").starts_with(&terraform_roles).then(|| {
                format!(
                    "its IAM roles would be named `{terraform_roles}*`, the Terraform workflow's, which the apply role may \
                     not create or change"
                )
            })
        })
        .or_else(|| {
            let role = format!("{name}-{}-execution", longest?);
            (role.len() > IAM_ROLE_NAME_MAX)
                .then(|| format!("the role `{role}` would be {} characters, and IAM takes 64 at most", role.len()))
        });
    if let Some(why) = why {
        out.push(
            spec.at(&RULE, &at, false, format!("`{}` cannot name an ECS cluster: {why}", name.escape_debug()))
                .help("use a short name of letters, digits and `-`, such as `shop`"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_load_balancer_s_name_rules_hold_the_cluster_s() {
        for good in ["shop", "shop-prod", "a", &"a".repeat(32)] {
            assert_eq!(super::invalid(good), None, "{good}");
        }
        for bad in ["", "-shop", "shop-", "shop_prod", "shop.prod", "internal-shop", &"a".repeat(33)] {
            assert!(super::invalid(bad).is_some(), "{bad}");
        }
    }
}
