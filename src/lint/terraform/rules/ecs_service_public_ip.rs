use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl, resources};

declare_rule! {
    /// ## What it does
    /// Reports an `aws_ecs_service` whose tasks get a public address
    /// (`network_configuration { assign_public_ip = true }`).
    ///
    /// checkov: CKV_AWS_333.
    ///
    /// ## Why it matters
    /// A task with a public address in a public subnet answers the internet on every port its
    /// security group opens, beside the load balancer meant to be its one way in; its traffic
    /// out leaves from an address of its own. Tasks in private subnets reach out through the
    /// NAT gateway and are reached through the load balancer alone.
    ///
    /// ## Example
    /// ```hcl
    /// network_configuration {
    ///   subnets          = module.network.public_subnet_ids
    ///   assign_public_ip = true
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Run the tasks in private subnets with `assign_public_ip = false`, behind a load balancer.
    pub static RULE = ("TF037", "ecs-service-public-ip", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for r in resources(docs, "aws_ecs_service") {
        let Some(network) = hcl::block(r.body(), "network_configuration") else { continue };
        let Some(value) = hcl::value(&network.body, "assign_public_ip") else { continue };
        if r.doc.values.resolve(value).and_then(|(e, _)| hcl::boolean(e)) == Some(true) {
            use hcl_edit::Span as _;
            let at =
                hcl::attr(&network.body, "assign_public_ip").map_or_else(|| r.header(), |a| hcl::span(a.key.span()));
            let message = format!("{} gives its tasks a public address", r.address());
            out.push(
                r.at(&RULE, at, message).help("set `assign_public_ip = false` and run the tasks in private subnets"),
            );
        }
    }
}
