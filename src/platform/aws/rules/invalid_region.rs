use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an AWS `region` that is not one of the commercial partition's regions as AWS
    /// names them (`eu-west-1`), such as a display name (`Europe (Ireland)`), an availability
    /// zone (`eu-west-1a`) or a region of another partition (`us-gov-west-1`, `cn-north-1`),
    /// whose ARNs and endpoints gen's Terraform does not write.
    ///
    /// ## Why it matters
    /// The region names the provider's endpoint, the registry's host in every image and the
    /// zones the nodes spread over: the provider finds out at `terraform plan`, after the spec
    /// was rendered and committed.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {region: eu-west-1a}
    /// ```
    ///
    /// ## How to fix
    /// Write the region as `aws ec2 describe-regions --query "Regions[].RegionName"` prints it.
    pub static RULE = ("SPEC175", "invalid-aws-region", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    let region = &block.region;
    if aws::REGIONS.iter().any(|(r, _)| r == region) {
        return;
    }
    let shown = region.escape_debug();
    let zone =
        region.strip_suffix(|c: char| c.is_ascii_lowercase()).filter(|r| aws::REGIONS.iter().any(|(n, _)| n == r));
    let help = match zone {
        Some(r) => format!("`{shown}` is an availability zone: write its region, `{r}`"),
        None => "write a region as `aws ec2 describe-regions --query \"Regions[].RegionName\"` prints it, such as `eu-west-1`".into(),
    };
    let message = format!("region `{shown}` is not an AWS region gen deploys to");
    out.push(spec.at(&RULE, &route!["platform", aws::NAME, "region"], false, message).help(help));
}
