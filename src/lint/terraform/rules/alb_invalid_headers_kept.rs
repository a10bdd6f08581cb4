use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, resources};

declare_rule! {
    /// ## What it does
    /// Reports an application load balancer (`aws_lb`, `aws_alb`; not a network or gateway
    /// one) that passes on headers that are not valid HTTP: no `drop_invalid_header_fields =
    /// true`.
    ///
    /// checkov: CKV_AWS_131.
    ///
    /// ## Why it matters
    /// A header with characters HTTP does not allow in its name is read one way by the load
    /// balancer and another by the service behind it: the ground of request smuggling and of
    /// headers that slip past the load balancer's own rules.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb" "shop" {
    ///   load_balancer_type = "application"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// `drop_invalid_header_fields = true`.
    pub static RULE = ("TF038", "alb-invalid-headers-kept", Warning);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for kind in ["aws_lb", "aws_alb"] {
        for r in resources(docs, kind) {
            let application = r.string("load_balancer_type").is_none_or(|t| t == "application");
            let drops = r.boolean("drop_invalid_header_fields");
            // A value gen cannot read is not judged.
            let written = crate::lint::terraform::hcl::value(r.body(), "drop_invalid_header_fields").is_some();
            if application && drops != Some(true) && !(written && drops.is_none()) {
                let message = format!("{} passes on headers that are not valid HTTP", r.address());
                out.push(
                    r.at_attr(&RULE, "drop_invalid_header_fields", message)
                        .help("set `drop_invalid_header_fields = true`"),
                );
            }
        }
    }
}
