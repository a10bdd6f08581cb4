use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an EKS cluster name that AWS would refuse: 1 to 100 letters, digits, `-` and
    /// `_`, starting with a letter or digit; longer than 39 characters, so that an IAM role
    /// gen names after it (`<name>-load-balancer-controller`) would pass IAM's 64; or
    /// named `<project>-terraform` or starting with `<project>-terraform-`, the Terraform
    /// workflow's roles' names.
    ///
    /// ## Why it matters
    /// The name is also in the IAM roles, the KMS key's alias and the subnets' discovery tags
    /// gen's Terraform writes; the API refuses it only at `terraform apply`, after the VPC
    /// was created. The Terraform workflow's apply role may not change a role named
    /// `<project>-terraform-*` (an explicit deny keeps its own and the other Terraform roles
    /// from it): the cluster's roles under that name could never be created.
    ///
    /// ## How to fix
    /// Use a name such as `shop-eks`.
    pub static RULE = ("SPEC177", "invalid-eks-name", Error);
}

/// The longest suffix of an IAM role gen names after the cluster, and IAM's longest role name.
const LONGEST_ROLE_SUFFIX: &str = "-load-balancer-controller";
const IAM_ROLE_NAME_MAX: usize = 64;

/// Why `name` is not a valid EKS cluster name, if it is not.
pub fn invalid(name: &str) -> Option<&'static str> {
    if name.is_empty() || name.len() > 100 {
        Some("it must be 1 to 100 characters long")
    } else if name.len() + LONGEST_ROLE_SUFFIX.len() > IAM_ROLE_NAME_MAX {
        Some("the IAM role `<name>-load-balancer-controller` would pass IAM's 64 characters: 39 at most")
    } else if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_') {
        Some("it may hold only letters, digits, `-` and `_`")
    } else if !name.starts_with(|c: char| c.is_ascii_alphanumeric()) {
        Some("it must start with a letter or digit")
    } else {
        None
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(eks) = aws::eks_of(&spec.spec) else { return };
    let name = &eks.name;
    let terraform_roles = format!("{}-terraform-", spec.spec.metadata.name);
    let why = invalid(name).map(str::to_string).or_else(|| {
        format!("{name}-").starts_with(&terraform_roles).then(|| {
            format!(
                "its IAM roles would be named `{terraform_roles}*`, the Terraform workflow's, which the apply role may not \
                 create or change"
            )
        })
    });
    if let Some(why) = why {
        out.push(
            spec.at(
                &RULE,
                &crate::route!["platform", aws::NAME, "eks", "name"],
                false,
                format!("cluster name `{}` is not valid for EKS: {why}", name.escape_debug()),
            )
            .help("use at most 39 letters, digits, `-` and `_`, such as `shop-eks`"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_eks_name_is_what_the_api_accepts() {
        for ok in ["shop", "shop-eks", "Shop_1", &"a".repeat(39)] {
            assert_eq!(super::invalid(ok), None, "{ok}");
        }
        for bad in ["", "-shop", "_shop", "shop.eks", "shop eks", &"a".repeat(40), &"a".repeat(101)] {
            assert!(super::invalid(bad).is_some(), "{bad:?}");
        }
    }
}
