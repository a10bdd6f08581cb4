use std::net::Ipv4Addr;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure::{self, POD_CIDR, SERVICE_CIDR};
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a network Azure or AKS would refuse or that would break the cluster:
    /// `platform.azure.network.addressSpace` or `nodesSubnet` that is not an IPv4 range
    /// (`10.224.0.0/16`, host bits zero), a nodes subnet outside the address space or smaller
    /// than a /28, an address space that overlaps the pods' overlay range (10.244.0.0/16) or
    /// the Services' range (10.0.0.0/16), and an `aks.apiServerAuthorizedIpRanges` entry that
    /// is not an IPv4 range.
    ///
    /// ## Why it matters
    /// Azure refuses a range whose host bits are set, and AKS refuses a node subnet that
    /// overlaps the pod or Service range, after Terraform has created the network: the
    /// cluster fails late in `terraform apply`. Addresses that overlap route to the wrong
    /// place.
    ///
    /// ## Example
    /// ```yaml
    /// network: {addressSpace: 10.0.0.0/8, nodesSubnet: 10.1.0.0/20}
    /// ```
    ///
    /// ## How to fix
    /// Keep the default (`10.224.0.0/16`, nodes in `10.224.0.0/20`), or choose a range clear of
    /// 10.0.0.0/16 and 10.244.0.0/16 with the nodes' subnet inside it.
    pub static RULE = ("SPEC135", "invalid-network", Error);
}

/// An IPv4 range: its first address and prefix length, when written `a.b.c.d/n` with the
/// host bits zero.
pub fn cidr(text: &str) -> Result<(u32, u32), &'static str> {
    let (address, prefix) = text.split_once('/').ok_or("it is not written `address/prefix`")?;
    let address: Ipv4Addr = address.parse().map_err(|_| "its address is not an IPv4 address")?;
    let prefix: u32 = prefix.parse().ok().filter(|p| *p <= 32).ok_or("its prefix is not 0 to 32")?;
    let address = u32::from(address);
    if address & !mask(prefix) != 0 {
        return Err("its host bits are set (Azure takes the range's first address)");
    }
    Ok((address, prefix))
}

fn mask(prefix: u32) -> u32 {
    if prefix == 0 { 0 } else { u32::MAX << (32 - prefix) }
}

fn contains(outer: (u32, u32), inner: (u32, u32)) -> bool {
    inner.1 >= outer.1 && inner.0 & mask(outer.1) == outer.0
}

fn overlaps(a: (u32, u32), b: (u32, u32)) -> bool {
    contains(a, b) || contains(b, a)
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    let network = &azure.network;
    let at = |key: &str, message: String, help: &str| {
        spec.at(&RULE, &route!["platform", azure::NAME, "network", key], false, message).help(help.to_string())
    };
    // A range as written, or a finding at its key.
    let mut range = |key: &str, what: &str, value: &str, example: &str| match cidr(value) {
        Ok(range) => Some(range),
        Err(why) => {
            let message = format!("{what} `{value}` is not an IPv4 range: {why}");
            out.push(at(key, message, &format!("write a range such as `{example}`")));
            None
        }
    };
    let space = range("addressSpace", "address space", &network.address_space, "10.224.0.0/16");
    let subnet = range("nodesSubnet", "nodes subnet", &network.nodes_subnet, "10.224.0.0/20");
    if let Some(space) = space {
        for (name, taken) in [("the pods' overlay range", POD_CIDR), ("the Services' range", SERVICE_CIDR)] {
            if cidr(taken).is_ok_and(|taken| overlaps(space, taken)) {
                let message =
                    format!("address space `{}` overlaps {name} `{taken}`, which AKS refuses", network.address_space);
                out.push(at(
                    "addressSpace",
                    message,
                    "choose a range clear of 10.0.0.0/16 and 10.244.0.0/16, such as `10.224.0.0/16`",
                ));
            }
        }
    }
    if let Some(subnet) = subnet {
        if space.is_some_and(|space| !contains(space, subnet)) {
            let message = format!(
                "nodes subnet `{}` is not inside the address space `{}`",
                network.nodes_subnet, network.address_space
            );
            out.push(at("nodesSubnet", message, "choose a subnet inside the address space"));
        } else if subnet.1 > 28 {
            let message = format!(
                "nodes subnet `{}` is smaller than a /28: Azure keeps 5 addresses of each subnet, and an upgrade surges nodes",
                network.nodes_subnet
            );
            out.push(at("nodesSubnet", message, "give the nodes a /24 or larger (`10.224.0.0/20` by default)"));
        }
    }
    for (i, range) in azure.aks.api_server_authorized_ip_ranges.iter().enumerate() {
        if let Err(why) = cidr(range) {
            let route = route!["platform", azure::NAME, "aks", "apiServerAuthorizedIpRanges", i];
            let message = format!("authorized range `{range}` is not an IPv4 range: {why}");
            out.push(
                spec.at(&RULE, &route, false, message)
                    .help("write a range such as `203.0.113.0/24`, or `203.0.113.7/32` for one address"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{cidr, contains, overlaps};

    #[test]
    fn ranges_are_read_and_compared_as_azure_does() {
        assert_eq!(cidr("10.224.0.0/16"), Ok((0x0ae0_0000, 16)));
        assert!(cidr("10.224.0.1/16").is_err());
        assert!(cidr("10.224.0.0").is_err());
        assert!(cidr("10.224.0.0/33").is_err());
        assert!(cidr("fd00::/8").is_err());
        assert_eq!(cidr("0.0.0.0/0"), Ok((0, 0)));
        let (space, nodes) = (cidr("10.224.0.0/16").unwrap(), cidr("10.224.0.0/20").unwrap());
        assert!(contains(space, nodes) && !contains(nodes, space));
        assert!(!contains(space, cidr("10.225.0.0/20").unwrap()));
        assert!(overlaps(cidr("10.0.0.0/8").unwrap(), cidr("10.244.0.0/16").unwrap()));
        assert!(!overlaps(space, cidr("10.244.0.0/16").unwrap()));
    }
}
