use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;
use crate::lint::kubernetes::pod::which;

declare_rule! {
    /// ## What it does
    /// Reports a probe (`httpGet`, `tcpSocket` or `grpc`) whose port, a number or a name, is
    /// not one of its container's `ports` (a `containerPort`, or a port's `name`).
    ///
    /// ## Why it matters
    /// A port name that the container does not declare cannot be resolved: the probe fails
    /// every time, the pod never becomes ready, or is restarted in a loop by its liveness
    /// probe. A number that the container does not declare is most often a port changed in
    /// one place and not the other (the application moved to 8080, the probe still asks
    /// 5000) with the same result.
    ///
    /// ## Example
    /// ```yaml
    /// ports:
    ///   - {name: http, containerPort: 5000}
    /// livenessProbe:
    ///   httpGet: {path: /healthz, port: 8080}
    /// ```
    ///
    /// ## How to fix
    /// Point the probe at the container's port by name (`port: http`), so both change
    /// together; or declare the port the probe uses.
    pub static RULE = ("K8S032", "probe-port-not-exposed", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for c in pod.containers() {
            let ports = c.container.ports.as_deref().unwrap_or_default();
            for (field, probe) in c.probes() {
                let handlers = [
                    ("httpGet", probe.http_get.as_ref().map(|h| h.port.clone())),
                    ("tcpSocket", probe.tcp_socket.as_ref().map(|t| t.port.clone())),
                    ("grpc", probe.grpc.as_ref().map(|g| IntOrString::Int(g.port))),
                ];
                for (handler, port) in handlers {
                    let Some(port) = port else { continue };
                    let (exposed, shown) = match &port {
                        IntOrString::Int(n) => (ports.iter().any(|p| p.container_port == *n), n.to_string()),
                        IntOrString::String(name) => {
                            (ports.iter().any(|p| p.name.as_deref() == Some(name.as_str())), format!("`{name}`"))
                        }
                    };
                    if exposed {
                        continue;
                    }
                    let declared: Vec<String> = ports
                        .iter()
                        .map(|p| match &p.name {
                            Some(name) => format!("{} ({name})", p.container_port),
                            None => p.container_port.to_string(),
                        })
                        .collect();
                    let declared = if declared.is_empty() { "none".to_string() } else { declared.join(", ") };
                    let message = format!(
                        "the {field} of {} asks port {shown}, which the container does not declare (its ports: {declared})",
                        which(&[&c.container.name], &object.title())
                    );
                    let route = c.route.clone().with(field).with(handler).with("port");
                    out.push(
                        object.at(&RULE, &route, message).help(
                            "name one of the container's ports (`port: http`), or declare the port the probe uses",
                        ),
                    );
                }
            }
        }
    }
}
