use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

declare_rule! {
    /// ## What it does
    /// Reports a service on AWS whose Ingress has no TLS (`ingress.tls: false`) while another
    /// service's Ingress has TLS. Services routed through an HTTPRoute are not on that load
    /// balancer: the Gateway's ALB redirects each TLS host alone, and serves a plain one.
    ///
    /// ## Why it matters
    /// gen puts every service of a project behind one ALB (the controller's IngressGroup), and
    /// a TLS service redirects HTTP to HTTPS (`ssl-redirect`). That annotation holds for the
    /// whole group: every HTTP listener's default action becomes the redirect and the
    /// listener's other rules are ignored. The HTTP-only service then has no rule that
    /// answers: each request is sent to HTTPS, where it has none, and the load balancer
    /// answers 404. The deploy's check of the URL would fail on it.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {aws: {...}}
    /// services:
    ///   - name: api
    ///     ingress: {host: api.example.com, tls: true}
    ///   - name: status
    ///     ingress: {host: status.example.com, tls: false}
    /// ```
    ///
    /// ## How to fix
    /// Give the service TLS too (`ingress.tls: true`: gen's Terraform requests its ACM
    /// certificate where `platform.aws.dns` names the zone), route it through the Gateway
    /// (`ingress.route: httproute`), or take TLS off every service's Ingress.
    pub static RULE = ("SPEC187", "http-service-behind-redirecting-alb", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if aws::of(&spec.spec).is_none() {
        return;
    }
    let on_ingress_alb =
        |s: &crate::spec::model::Service| s.ingress.as_ref().filter(|i| aws::on_ingress_alb(i)).cloned();
    let with_tls = spec.spec.services.iter().find(|s| on_ingress_alb(s).is_some_and(|i| i.tls));
    let Some(redirecting) = with_tls else { return };
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = on_ingress_alb(svc) else { continue };
        if !ingress.tls {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["ingress", "tls"]),
                    false,
                    format!(
                        "`{}` serves `{}` over HTTP alone, behind the project's one ALB, which redirects every HTTP request \
                         to HTTPS for `{}`'s TLS: no request would reach it",
                        svc.name.escape_debug(),
                        ingress.host.escape_debug(),
                        redirecting.name.escape_debug()
                    ),
                )
                .help("set `ingress.tls: true` on it too, route it through the Gateway (`route: httproute`), or take TLS off every service's Ingress"),
            );
        }
    }
}
