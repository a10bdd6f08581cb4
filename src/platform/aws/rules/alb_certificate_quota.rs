use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;
use crate::spec::rules::service_path;

/// The certificates an Application Load Balancer's listeners hold by default (Service Quotas:
/// "Certificates per Application Load Balancer", the default certificate excepted).
pub const CERTIFICATES: usize = 25;

/// The rules an Application Load Balancer holds by default (Service Quotas: "Rules per
/// Application Load Balancer", the default rules excepted).
pub const RULES: usize = 100;

declare_rule! {
    /// ## What it does
    /// Reports an environment on AWS whose services need more of a load balancer than AWS
    /// gives by default: more than 25 TLS hosts (a certificate each on its HTTPS listener), or
    /// more than 100 rules (one per service and listener: the HTTPS one, and the HTTP one that
    /// redirects). The services' Ingresses share one ALB, and those routed through an
    /// HTTPRoute the Gateway's: each is counted apart. On a cluster several environments share
    /// (the same `platform.aws.eks.name`), each environment's Ingresses have a load balancer of
    /// their own, and the one Gateway serves every environment's routed hosts: it is counted
    /// over them, at the environment that takes it past a quota.
    ///
    /// ## Why it matters
    /// Every service's Ingress joins one ALB (`alb.ingress.kubernetes.io/group.name`, the
    /// project's name), and every HTTPRoute the Gateway's one ALB. Past the quota the AWS Load
    /// Balancer Controller fails to reconcile the whole group or Gateway: the new service gets
    /// no route, and every later change to the others fails with it, until the quota is
    /// raised.
    ///
    /// ## How to fix
    /// Split the services over projects (a load balancer each), or raise the quota through
    /// Service Quotas ("Certificates per Application Load Balancer", up to 100; "Rules per
    /// Application Load Balancer") and then ignore this rule in the lint configuration.
    pub static RULE = ("SPEC184", "alb-quota-exceeded", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    check_shared_gateways(spec, out);
    if aws::of(&spec.spec).is_none() {
        return;
    }
    // Two load balancers at most: the Ingresses' (false) and the Gateway's (true).
    let mut hosts: [Vec<&str>; 2] = [Vec::new(), Vec::new()];
    let mut rules = [0usize; 2];
    for (i, service) in spec.spec.services.iter().enumerate() {
        let Some(ingress) = &service.ingress else { continue };
        let lb = usize::from(!aws::on_ingress_alb(ingress));
        let which = if lb == 0 { "the project's one load balancer" } else { "the Gateway's load balancer" };
        let added = if ingress.tls { 2 } else { 1 };
        rules[lb] += added;
        if ingress.tls && !hosts[lb].contains(&ingress.host.as_str()) {
            hosts[lb].push(&ingress.host);
            if hosts[lb].len() == CERTIFICATES + 1 {
                let msg = format!(
                    "`{}` is the {}th TLS host on {which}, which holds {CERTIFICATES} certificates by default",
                    ingress.host.escape_debug(),
                    CERTIFICATES + 1
                );
                out.push(spec.at(&RULE, &service_path(i, &["ingress", "host"]), false, msg).help(
                    "split the services over projects, or raise the quota through Service Quotas and ignore this rule",
                ));
            }
        }
        if rules[lb] > RULES && rules[lb] - added <= RULES {
            let msg = format!(
                "service `{}` takes {which} past its {RULES} rules by default (one per service and listener)",
                service.name
            );
            out.push(spec.at(&RULE, &service_path(i, &["ingress"]), true, msg).help(
                "split the services over projects, or raise the quota through Service Quotas and ignore this rule",
            ));
        }
    }
}

/// The Gateway of a cluster several environments share serves the routed hosts of each (the
/// Ingresses of each have a load balancer of their own): counted over the environments on it,
/// and reported at the environment that takes it past a quota.
fn check_shared_gateways(spec: &Loaded, out: &mut Diagnostics) {
    // Per cluster (its creator's index): the Gateway's TLS hosts and rules so far.
    let mut gateways: std::collections::HashMap<usize, (std::collections::HashSet<String>, usize)> =
        std::collections::HashMap::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == aws::NAME) {
        let creator = crate::platform::cluster_creator(spec, i);
        let (hosts, rules) = gateways.entry(creator).or_default();
        let (had_hosts, had_rules) = (hosts.len(), *rules);
        for service in &env.spec(spec).spec.services {
            let Some(ingress) = service.ingress.as_ref().filter(|i| !aws::on_ingress_alb(i)) else { continue };
            *rules += if ingress.tls { 2 } else { 1 };
            if ingress.tls {
                hosts.insert(ingress.host.to_ascii_lowercase());
            }
        }
        if creator == i {
            continue;
        }
        let first = &spec.environments[creator].name;
        let at = crate::route!["environments", i, "name"];
        if hosts.len() > CERTIFICATES && had_hosts <= CERTIFICATES {
            let msg = format!(
                "with `{}`'s, the Gateway's load balancer on `{first}`'s cluster serves {} TLS hosts, and holds \
                 {CERTIFICATES} certificates by default: it serves the routed hosts of every environment on the cluster",
                env.name,
                hosts.len()
            );
            out.push(spec.at(&RULE, &at, false, msg).help(
                "give the environment a cluster of its own, or raise the quota through Service Quotas and ignore this rule",
            ));
        }
        if *rules > RULES && had_rules <= RULES {
            let msg = format!(
                "with `{}`'s, the Gateway's load balancer on `{first}`'s cluster takes {} rules, past its {RULES} by \
                 default: it serves the routed services of every environment on the cluster",
                env.name, *rules
            );
            out.push(spec.at(&RULE, &at, false, msg).help(
                "give the environment a cluster of its own, or raise the quota through Service Quotas and ignore this rule",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    fn findings(services: usize, tls: bool) -> Vec<String> {
        findings_routed(services, tls, 0)
    }

    /// `services` services, of which the first `routed` through an HTTPRoute.
    fn findings_routed(services: usize, tls: bool, routed: usize) -> Vec<String> {
        let mut text = String::from(
            "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  aws: {region: eu-west-1, accountId: \"123456789012\", eks: {name: shop, adminRoles: [\"arn:aws:iam::123456789012:role/A\"]}, state: {bucket: acme-shop-tfstate}}\n  github: {repository: acme/shop}\nservices:\n",
        );
        for i in 0..services {
            let route = if i < routed { "httproute" } else { "ingress" };
            text.push_str(&format!(
                "  - {{name: s{i}, port: 5000, ingress: {{host: s{i}.example.com, tls: {tls}, route: {route}}}}}\n"
            ));
        }
        let loaded = crate::spec::load("spec.yaml", text.as_bytes()).expect("a spec");
        let mut out = Vec::new();
        super::check(&loaded, &mut out);
        out.iter().map(|d| d.message.clone()).collect()
    }

    #[test]
    fn a_hundred_rules_fit_and_the_next_service_is_reported_once() {
        assert!(findings(100, false).is_empty());
        let found = findings(102, false);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].contains("`s100`") && found[0].contains("100 rules"), "{found:?}");
        // With TLS, the certificates run out first (and the 51st service's two rules too).
        let found = findings(51, true);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("26th TLS host"), "{found:?}");
    }

    #[test]
    fn the_gateway_of_a_shared_cluster_counts_the_hosts_of_every_environment_on_it() {
        let mut text = String::from(
            "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  aws: {region: eu-west-1, accountId: \"123456789012\", eks: {name: shop, adminRoles: [\"arn:aws:iam::123456789012:role/A\"]}, state: {bucket: acme-shop-tfstate}}\n  github: {repository: acme/shop}\nservices:\n",
        );
        for i in 0..13 {
            text.push_str(&format!(
                "  - {{name: s{i}, port: 5000, ingress: {{host: s{i}.example.com, tls: true, route: httproute}}}}\n"
            ));
        }
        text.push_str("environments:\n  - name: dev\n  - name: test\n    services:\n");
        for i in 0..13 {
            text.push_str(&format!("      s{i}: {{namespace: test, ingress: {{host: s{i}.test.example.com}}}}\n"));
        }
        let found = |text: &str| {
            let loaded = crate::spec::load("spec.yaml", text.as_bytes()).expect("a spec");
            let mut out = Vec::new();
            super::check(&loaded, &mut out);
            out.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
        };
        // 13 hosts in each environment alone fit; on one cluster, 26 do not.
        let shared = found(&text);
        assert_eq!(shared.len(), 1, "{shared:?}");
        assert!(shared[0].contains("with `test`'s") && shared[0].contains("26 TLS hosts"), "{shared:?}");
        let apart = text.replace(
            "  - name: test\n    services:\n",
            "  - name: test\n    platform: {aws: {eks: {name: shop-test}}}\n    services:\n",
        );
        assert!(found(&apart).is_empty(), "{:?}", found(&apart));
    }

    #[test]
    fn the_gateways_load_balancer_and_the_ingresses_are_counted_apart() {
        // 40 TLS hosts: 20 on each load balancer fit.
        assert!(findings_routed(40, true, 20).is_empty());
        let found = findings_routed(40, true, 30);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains("`s25.example.com` is the 26th TLS host on the Gateway's load balancer"),
            "{found:?}"
        );
    }
}
