use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a pod that shares a namespace of its node: `hostNetwork`, `hostPID` or
    /// `hostIPC` set to `true`.
    ///
    /// Pod Security Standards, baseline: "Host Namespaces". Polaris: `hostNetworkSet`,
    /// `hostPIDSet`, `hostIPCSet`; checkov: CKV_K8S_19 (network), CKV_K8S_17 (PID),
    /// CKV_K8S_18 (IPC); trivy: KSV009, KSV010, KSV008.
    ///
    /// ## Why it matters
    /// With the host's network the pod listens on and reaches every interface of the node,
    /// NetworkPolicies no longer apply to it, and its ports collide with the node's; with the
    /// host's PID namespace it sees and can signal every process of the node; with the
    /// host's IPC namespace it reads other processes' shared memory. A namespace enforcing
    /// the baseline profile refuses the pod.
    ///
    /// ## Example
    /// ```yaml
    /// spec:
    ///   hostNetwork: true
    /// ```
    ///
    /// ## How to fix
    /// Remove the field. Expose the application through a Service instead of the node's
    /// network.
    pub static RULE = ("K8S011", "host-namespace", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        let shared = [
            ("hostNetwork", "network", pod.spec.host_network),
            ("hostPID", "process (PID)", pod.spec.host_pid),
            ("hostIPC", "IPC", pod.spec.host_ipc),
        ];
        for (field, what, set) in shared {
            if set == Some(true) {
                let message = format!("the pod of {} shares the node's {what} namespace", object.title());
                out.push(
                    object
                        .at(&RULE, &pod.route.clone().with(field), message)
                        .help(format!("remove `{field}`; the pod gets a namespace of its own")),
                );
            }
        }
    }
}
