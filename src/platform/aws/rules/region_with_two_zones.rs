use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a region where the account gets fewer than three availability zones
    /// (`us-west-1`: two for every account created since 2013), or a `network.zones` list of
    /// fewer than three.
    ///
    /// ## Why it matters
    /// An EBS volume lives in one zone, and the services spread their replicas over the zones:
    /// with two, a zone's outage takes half the nodes, and a volume's pod can only move to the
    /// one other zone's nodes if that zone still has room. Three zones is what EKS's own
    /// guidance and a quorum of anything need.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {region: us-west-1}
    /// ```
    ///
    /// ## How to fix
    /// Choose a region with three zones (`us-west-2`, `us-east-2`), or list three in
    /// `network.zones`. To accept two, say why in the spec's `lint.ignore`.
    pub static RULE = ("SPEC176", "region-with-two-zones", Warning);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    if let Some(zones) = &block.network.zones {
        if zones.len() < 3 {
            let message = format!(
                "the nodes spread over {} availability zone(s): a zone's outage takes half or all of them",
                zones.len()
            );
            out.push(
                spec.at(&RULE, &route!["platform", aws::NAME, "network", "zones"], false, message)
                    .help("list three zones of the region"),
            );
        }
        return;
    }
    let Some((_, count)) = aws::REGIONS.iter().find(|(r, _)| *r == block.region) else { return };
    if *count < 3 {
        let message = format!(
            "region `{}` gives an account {count} availability zones: a zone's outage takes half the nodes",
            block.region
        );
        out.push(
            spec.at(&RULE, &route!["platform", aws::NAME, "region"], false, message)
                .help("choose a region with three zones, such as `us-west-2`"),
        );
    }
}
