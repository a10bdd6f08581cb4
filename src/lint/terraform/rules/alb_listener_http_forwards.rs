use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl, resources};

declare_rule! {
    /// ## What it does
    /// Reports a load balancer listener (`aws_lb_listener`, `aws_alb_listener`) that serves
    /// plain HTTP: `protocol = "HTTP"` (or no protocol on an application load balancer's port
    /// 80) with a default action other than a redirect to HTTPS.
    ///
    /// checkov: CKV_AWS_2.
    ///
    /// ## Why it matters
    /// A listener in plain HTTP that forwards sends the requests, their cookies and tokens
    /// among them, and the answers unencrypted between the client and the load balancer. The
    /// HTTP listener of a service on the internet redirects to HTTPS, and serves nothing.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_lb_listener" "http" {
    ///   load_balancer_arn = aws_lb.shop.arn
    ///   port              = 80
    ///   protocol          = "HTTP"
    ///   default_action {
    ///     type             = "forward"
    ///     target_group_arn = aws_lb_target_group.api.arn
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Serve HTTPS with a certificate (`protocol = "HTTPS"`, `certificate_arn`, a current
    /// `ssl_policy`), and make the HTTP listener's default action a `redirect` to `HTTPS`.
    pub static RULE = ("TF039", "alb-listener-http-forwards", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for kind in ["aws_lb_listener", "aws_alb_listener"] {
        for r in resources(docs, kind) {
            // A protocol gen cannot read is not judged; none is HTTP (the API's default for an
            // application load balancer).
            let protocol = match hcl::value(r.body(), "protocol") {
                None => "HTTP".to_string(),
                Some(_) => match r.string("protocol") {
                    Some(p) => p.to_ascii_uppercase(),
                    None => continue,
                },
            };
            if protocol != "HTTP" || hcl::has_dynamic(r.body(), "default_action") {
                continue;
            }
            let redirects = hcl::block(r.body(), "default_action").is_some_and(|action| {
                let redirect = hcl::block(&action.body, "redirect");
                let to = redirect.and_then(|b| hcl::value(&b.body, "protocol")).and_then(hcl::string);
                hcl::value(&action.body, "type").and_then(hcl::string).as_deref() == Some("redirect")
                    && to.is_none_or(|p| p.eq_ignore_ascii_case("HTTPS"))
            });
            if !redirects {
                let message = format!("{} serves plain HTTP rather than redirecting it to HTTPS", r.address());
                out.push(r.at_attr(&RULE, "protocol", message).help(
                    "serve HTTPS (`protocol = \"HTTPS\"` with a certificate), and redirect HTTP to it (`default_action { type = \"redirect\" redirect { protocol = \"HTTPS\", port = \"443\", status_code = \"HTTP_301\" } }`)",
                ));
            }
        }
    }
}
