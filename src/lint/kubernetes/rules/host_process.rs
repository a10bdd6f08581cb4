use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a pod or container that sets `securityContext.windowsOptions.hostProcess:
    /// true`.
    ///
    /// Pod Security Standards, baseline: "HostProcess". trivy: KSV103.
    ///
    /// ## Why it matters
    /// A Windows HostProcess container runs directly on the node, with the node's network
    /// and file system and as a node account: it is a process on the host, not a container.
    /// A namespace enforcing the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// securityContext:
    ///   windowsOptions:
    ///     hostProcess: true
    /// ```
    ///
    /// ## How to fix
    /// Remove `hostProcess` (or set it `false`). Node agents that need the host belong in a
    /// separately governed namespace, not in an application's manifests.
    pub static RULE = ("K8S010", "host-process", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let help = "remove `windowsOptions.hostProcess`; a HostProcess container runs on the node itself";
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let on_pod = pod.security().and_then(|s| s.windows_options.as_ref()).and_then(|w| w.host_process);
        if on_pod == Some(true) {
            let route = pod.security_route("windowsOptions").with("hostProcess");
            let message = format!("the pod of {} runs as a Windows HostProcess, on the node itself", object.title());
            out.push(object.at(&RULE, &route, message).help(help));
        }
        for c in pod.containers() {
            if c.security().and_then(|s| s.windows_options.as_ref()).and_then(|w| w.host_process) == Some(true) {
                let route = c.security_route("windowsOptions").with("hostProcess");
                let message = format!(
                    "{} runs as a Windows HostProcess, on the node itself",
                    which(&[&c.container.name], &object.title())
                );
                out.push(object.at(&RULE, &route, message).help(help));
            }
        }
    }
}
