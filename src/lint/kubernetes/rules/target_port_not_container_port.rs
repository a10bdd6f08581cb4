use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::refs::selected;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, objects};
use crate::route;

declare_rule! {
    /// ## What it does
    /// Reports a Service port whose `targetPort` (a number or a port name; `port` when not
    /// written) is exposed by no container of the pods the Service selects in the same set
    /// of files. A Service that selects no pod is K8S042's.
    ///
    /// ## Why it matters
    /// The Service forwards to a port nothing listens on (a number), or to a name no
    /// container has, which gives the Service no endpoints for that port: requests are
    /// refused or time out, while every pod is Running and Ready.
    ///
    /// ## Example
    /// ```yaml
    /// kind: Service
    /// spec:
    ///   ports: [{name: http, port: 80, targetPort: 8080}]   # the container exposes 5000
    /// ```
    ///
    /// ## How to fix
    /// Name the container's port (`targetPort: http`), so the Service follows the container
    /// when its port changes.
    pub static RULE = ("K8S043", "target-port-not-container-port", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for (_, object) in objects(docs) {
        let Typed::Service(service) = &object.typed else { continue };
        let Some(spec) = &service.spec else { continue };
        if spec.type_.as_deref() == Some("ExternalName") {
            continue;
        }
        let Some(selector) = &spec.selector else { continue };
        let pods = selected(selector, objects(docs).map(|(_, o)| o).filter(|o| o.shares_namespace(object)));
        if pods.is_empty() {
            continue;
        }
        let exposed: Vec<_> = pods
            .iter()
            .flat_map(|(_, pod)| pod.containers())
            .flat_map(|c| c.container.ports.iter().flatten())
            .collect();
        for (i, port) in spec.ports.iter().flatten().enumerate() {
            let written = port.target_port.is_some();
            let target = port.target_port.clone().unwrap_or(IntOrString::Int(port.port));
            let (found, shown) = match &target {
                IntOrString::Int(n) => (exposed.iter().any(|p| p.container_port == *n), n.to_string()),
                IntOrString::String(name) => {
                    (exposed.iter().any(|p| p.name.as_deref() == Some(name.as_str())), format!("`{name}`"))
                }
            };
            if found {
                continue;
            }
            let workloads: Vec<String> = pods.iter().map(|(o, _)| o.title()).collect();
            let message = format!(
                "{} sends port {} to port {shown}{}, which no container of {} exposes",
                object.title(),
                port.port,
                if written { "" } else { " (targetPort defaults to port)" },
                workloads.join(", ")
            );
            let field = if written { "targetPort" } else { "port" };
            out.push(
                object
                    .at(&RULE, &route!["spec", "ports", i, field], message)
                    .help("set `targetPort` to the name of the container's port, such as `targetPort: http`"),
            );
        }
    }
}
