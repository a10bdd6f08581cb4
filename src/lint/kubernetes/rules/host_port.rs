use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a container port with a `hostPort` other than 0.
    ///
    /// Pod Security Standards, baseline: "Host Ports". Polaris: `hostPortSet`; checkov:
    /// CKV_K8S_26; trivy: KSV024.
    ///
    /// ## Why it matters
    /// The port is opened on the node's own address, outside Services and NetworkPolicies;
    /// and only one pod using it fits on each node, so a rolling update or a second replica
    /// stays Pending. A namespace enforcing the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - {containerPort: 5000, hostPort: 80}
    /// ```
    ///
    /// ## How to fix
    /// Remove `hostPort`, and reach the pod through a Service (of type LoadBalancer, or
    /// behind an Ingress or a Gateway, for traffic from outside).
    pub static RULE = ("K8S015", "host-port", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            for (i, port) in c.container.ports.iter().flatten().enumerate() {
                let Some(host_port) = port.host_port.filter(|p| *p != 0) else { continue };
                let message = format!(
                    "{} opens port {host_port} on the node (hostPort)",
                    which(&[&c.container.name], &object.title())
                );
                let route = c.route.clone().with("ports").with(i).with("hostPort");
                out.push(
                    object.at(&RULE, &route, message).help("remove `hostPort` and reach the pod through a Service"),
                );
            }
        }
    }
}
