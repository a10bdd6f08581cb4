use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a cloud environment (AKS, EKS, ECS) whose alerts reach no one: no
    /// `platform.<cloud>.monitoring.alertEmails`, and no `pipeline.notify.email` for them to
    /// default to, while gen renders the services' SLO alerts (`observability`, on by default).
    ///
    /// ## Why it matters
    /// The alerts are created with no receiver: on AKS, Azure Monitor's rule groups with no
    /// action group; on EKS (and with kube-prometheus-stack on AKS), an Alertmanager that sends
    /// nowhere; on ECS, CloudWatch alarms with no action. A burn-rate page for a service that
    /// fails its users fires in a portal or a pod nobody is looking at at 3am. An alert without
    /// a receiver is an unresolved reference, as a Service without pods is.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   azure: {monitoring: {alertEmails: []}}
    /// ```
    ///
    /// ## How to fix
    /// Name who is paged: `platform.<cloud>.monitoring.alertEmails` (an on-call tool's email
    /// integration, such as PagerDuty's or Opsgenie's, pages a phone), or
    /// `pipeline.notify.email`, its default. Or turn the services' monitoring off with
    /// `observability: {enabled: false}`.
    pub static RULE = ("SPEC173", "alerts-without-receiver", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some((at, emails)) = spec.spec.platform.target.spec().alert_receivers() else { return };
    // On ECS the alarms are CloudWatch's, on the load balancer's metrics of each service it
    // serves (terraform/alarms.tf): no stack, the same alerts.
    let on_ecs = spec.spec.platform.target.spec().capabilities().contains(&crate::platform::Capability::Ecs);
    let alarms = spec.spec.observability.enabled && spec.spec.services.iter().any(|s| s.ingress.is_some());
    let alerts = crate::platform::observability_stacks(&spec.spec).0.is_some() || (on_ecs && alarms);
    if !alerts || !emails.is_empty() {
        return;
    }
    let cloud = spec.spec.platform.on().name();
    let message = "no address hears of this cluster's alerts: the services' SLO pages would fire and reach no one";
    out.push(spec.at(&RULE, &at, false, message).help(format!(
        "name who is paged in `platform.{cloud}.monitoring.alertEmails` (or `pipeline.notify.email`, its default), or set `observability: {{enabled: false}}`"
    )));
}
