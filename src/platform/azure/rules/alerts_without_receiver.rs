use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an AKS environment whose alerts reach no one: no
    /// `platform.azure.monitoring.alertEmails`, and no `pipeline.notify.email` for them to
    /// default to, while gen renders the services' SLO alerts (`observability`, on by default).
    ///
    /// ## Why it matters
    /// Terraform creates the alerts with no action group: a burn-rate page for a service that
    /// fails its users fires in the Azure portal, where nobody is looking at 3am. An alert
    /// without a receiver is an unresolved reference, as a Service without pods is.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   azure: {monitoring: {alertEmails: []}}
    /// ```
    ///
    /// ## How to fix
    /// Name who is paged: `platform.azure.monitoring.alertEmails` (an on-call tool's email
    /// integration, such as PagerDuty's or Opsgenie's, pages a phone), or
    /// `pipeline.notify.email`, its default. Or turn the services' monitoring off with
    /// `observability: {enabled: false}`.
    pub static RULE = ("SPEC173", "alerts-without-receiver", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(azure) = azure::of(&spec.spec) else { return };
    if !spec.spec.observability.enabled || !azure.monitoring.alert_emails.is_empty() {
        return;
    }
    let message =
        "no address hears of this cluster's alerts: the services' SLO pages would fire in the Azure portal alone";
    out.push(spec.at(&RULE, &route!["platform", azure::NAME, "monitoring", "alertEmails"], false, message).help(
        "name who is paged in `platform.azure.monitoring.alertEmails` (or `pipeline.notify.email`, its default), or set `observability: {enabled: false}`",
    ));
}
