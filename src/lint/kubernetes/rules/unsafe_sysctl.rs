use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a sysctl in the pod's `securityContext.sysctls` outside the set Kubernetes
    /// deems safe.
    ///
    /// The safe set: `kernel.shm_rmid_forced`, `net.ipv4.ip_local_port_range`,
    /// `net.ipv4.ip_unprivileged_port_start`, `net.ipv4.tcp_syncookies`,
    /// `net.ipv4.ping_group_range`, `net.ipv4.ip_local_reserved_ports`,
    /// `net.ipv4.tcp_keepalive_time`, `net.ipv4.tcp_fin_timeout`,
    /// `net.ipv4.tcp_keepalive_intvl`, `net.ipv4.tcp_keepalive_probes`.
    ///
    /// Pod Security Standards, baseline: "Sysctls". trivy: KSV026.
    ///
    /// ## Why it matters
    /// The other sysctls are not isolated per pod, or not safely: setting them changes the
    /// node for every pod on it, or lets one pod starve the others. The kubelet refuses them
    /// unless the node allows them (`--allowed-unsafe-sysctls`), so the pod fails to start
    /// with `SysctlForbidden`; a namespace enforcing the baseline profile refuses it first.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   sysctls:
    ///     - {name: net.core.somaxconn, value: "1024"}
    /// ```
    ///
    /// ## How to fix
    /// Remove the sysctl, or tune it on the nodes (a node pool's configuration) for the
    /// workloads that need it.
    pub static RULE = ("K8S020", "unsafe-sysctl", Error);
}

/// The sysctls the baseline profile allows.
const SAFE: &[&str] = &[
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
    "net.ipv4.tcp_keepalive_time",
    "net.ipv4.tcp_fin_timeout",
    "net.ipv4.tcp_keepalive_intvl",
    "net.ipv4.tcp_keepalive_probes",
];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let sysctls = pod.security().and_then(|s| s.sysctls.as_ref());
        for (i, sysctl) in sysctls.into_iter().flatten().enumerate() {
            if SAFE.contains(&sysctl.name.as_str()) {
                continue;
            }
            let route = pod.security_route("sysctls").with(i).with("name");
            let message = format!(
                "the pod of {} sets sysctl `{}`, which is not safe to set per pod",
                object.title(),
                sysctl.name
            );
            out.push(object.at(&RULE, &route, message).help("remove it, or tune it on the nodes that need it"));
        }
    }
}
