use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports `platform.aws.network.cidr`, `natGateways` or `zones` written beside
    /// `network.existing`.
    ///
    /// ## Why it matters
    /// With an existing VPC gen makes no VPC, subnet or NAT gateway: the range, the NAT
    /// gateways and the zones are the existing VPC's, and the keys would not be read. A reader
    /// of the spec would believe the cluster's VPC is the range written there, or that its
    /// nodes get a NAT gateway per zone.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws:
    ///     network:
    ///       natGateways: per-zone
    ///       existing: {vpcId: vpc-0a1b2c3d4e5f60718, nodeSubnets: [...], loadBalancerSubnets: [...]}
    /// ```
    ///
    /// ## How to fix
    /// Remove the key: the existing VPC's subnets, and their routes, say it.
    pub static RULE = ("SPEC188", "network-keys-beside-existing-vpc", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    // The spec's own keys alone: an environment may name an existing VPC where the spec's
    // others make theirs with the `cidr` the spec writes.
    if block.network.existing.is_none() || spec.environments.is_empty() {
        return;
    }
    for key in ["cidr", "natGateways", "zones"] {
        let at = route!["platform", aws::NAME, "network", key];
        if spec.root().lookup(&at).is_some() {
            out.push(
                spec.at(
                    &RULE,
                    &at,
                    true,
                    format!("`network.{key}` is not read beside `network.existing`: the existing VPC's own is used"),
                )
                .help("remove the key: gen makes no VPC, subnet or NAT gateway for an existing VPC"),
            );
        }
    }
}
