//! The pod inside a workload, with routes: what most Kubernetes rules read.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSecurityContext, PodSpec, Probe, SecurityContext, Volume};

use super::Object;
use super::typed::Typed;
use crate::diag::Route;
use crate::route;

/// A pod spec in an object: a Pod's own, or a workload's template.
pub struct PodView<'a> {
    pub spec: &'a PodSpec,
    /// The route of the pod spec in the object.
    pub route: Route,
    /// The pod's labels (a template's, for a workload).
    pub labels: Option<&'a BTreeMap<String, String>>,
    /// The pod's annotations.
    pub annotations: Option<&'a BTreeMap<String, String>>,
}

/// One container of a pod, with its route.
pub struct ContainerView<'a> {
    pub container: &'a Container,
    pub route: Route,
    /// An init container (it runs to completion before the others: no probes).
    pub init: bool,
}

impl<'a> ContainerView<'a> {
    /// The container's security context.
    pub fn security(&self) -> Option<&'a SecurityContext> {
        self.container.security_context.as_ref()
    }

    /// The route of a field of its security context.
    pub fn security_route(&self, field: &str) -> Route {
        self.route.clone().with("securityContext").with(field)
    }

    /// Its probes by field name (`livenessProbe`, `readinessProbe`, `startupProbe`), those it
    /// has.
    pub fn probes(&self) -> impl Iterator<Item = (&'static str, &'a Probe)> {
        let c = self.container;
        [
            ("livenessProbe", &c.liveness_probe),
            ("readinessProbe", &c.readiness_probe),
            ("startupProbe", &c.startup_probe),
        ]
        .into_iter()
        .filter_map(|(field, probe)| probe.as_ref().map(|p| (field, p)))
    }

    /// A sidecar: an init container that keeps running beside the others
    /// (`restartPolicy: Always`).
    pub fn is_sidecar(&self) -> bool {
        self.init && self.container.restart_policy.as_deref() == Some("Always")
    }
}

/// A security setting as it applies to a pod's containers: one value, the place it is written
/// (or belongs), and the containers it applies to.
pub struct Applied<'a, T> {
    /// The value that applies; `None` when neither the container nor the pod sets it.
    pub value: Option<T>,
    /// Where the value is written; when it is set nowhere, where it belongs: the pod's
    /// securityContext when no container sets it itself (one line fixes them all), else the
    /// container's.
    pub route: Route,
    /// The names of the containers it applies to.
    pub containers: Vec<&'a str>,
}

/// How findings name some containers of an object: "container `app` of Deployment/shop",
/// "containers `init` and `app` of Deployment/shop".
pub fn which(containers: &[&str], title: &str) -> String {
    let quoted: Vec<String> = containers.iter().map(|c| format!("`{c}`")).collect();
    match quoted.as_slice() {
        [one] => format!("container {one} of {title}"),
        [rest @ .., last] => format!("containers {} and {last} of {title}", rest.join(", ")),
        [] => format!("the pod of {title}"),
    }
}

impl Object {
    /// The pod this object runs: a Pod's spec, or a workload's pod template.
    pub fn pod(&self) -> Option<PodView<'_>> {
        let (template, route) = match &self.typed {
            Typed::Pod(p) => {
                let meta = &p.metadata;
                return p.spec.as_ref().map(|spec| PodView {
                    spec,
                    route: route!["spec"],
                    labels: meta.labels.as_ref(),
                    annotations: meta.annotations.as_ref(),
                });
            }
            Typed::Deployment(d) => (d.spec.as_ref().map(|s| &s.template), route!["spec", "template"]),
            Typed::StatefulSet(d) => (d.spec.as_ref().map(|s| &s.template), route!["spec", "template"]),
            Typed::DaemonSet(d) => (d.spec.as_ref().map(|s| &s.template), route!["spec", "template"]),
            Typed::ReplicaSet(d) => (d.spec.as_ref().and_then(|s| s.template.as_ref()), route!["spec", "template"]),
            Typed::ReplicationController(d) => {
                (d.spec.as_ref().and_then(|s| s.template.as_ref()), route!["spec", "template"])
            }
            Typed::Job(j) => (j.spec.as_ref().map(|s| &s.template), route!["spec", "template"]),
            Typed::CronJob(c) => (
                c.spec.as_ref().and_then(|s| s.job_template.spec.as_ref()).map(|s| &s.template),
                route!["spec", "jobTemplate", "spec", "template"],
            ),
            _ => return None,
        };
        let template = template?;
        let meta = template.metadata.as_ref();
        template.spec.as_ref().map(|spec| PodView {
            spec,
            route: route.with("spec"),
            labels: meta.and_then(|m| m.labels.as_ref()),
            annotations: meta.and_then(|m| m.annotations.as_ref()),
        })
    }

    /// Whether the object runs pods that keep running (a Deployment, a StatefulSet...), not
    /// pods that run to completion (a Job) or a bare Pod.
    pub fn is_long_running(&self) -> bool {
        matches!(
            self.typed,
            Typed::Deployment(_)
                | Typed::StatefulSet(_)
                | Typed::DaemonSet(_)
                | Typed::ReplicaSet(_)
                | Typed::ReplicationController(_)
        )
    }

    /// The replicas it declares (the API's default, 1, when it declares none); `None` for a
    /// kind that has no replica count (a DaemonSet runs one pod per node).
    pub fn replicas(&self) -> Option<i32> {
        let declared = match &self.typed {
            Typed::Deployment(d) => d.spec.as_ref().map(|s| s.replicas),
            Typed::StatefulSet(d) => d.spec.as_ref().map(|s| s.replicas),
            Typed::ReplicaSet(d) => d.spec.as_ref().map(|s| s.replicas),
            Typed::ReplicationController(d) => d.spec.as_ref().map(|s| s.replicas),
            Typed::Pod(_) => return Some(1),
            _ => return None,
        };
        Some(declared.flatten().unwrap_or(1))
    }
}

impl<'a> PodView<'a> {
    /// Its init containers, then its containers.
    pub fn containers(&self) -> impl Iterator<Item = ContainerView<'a>> + '_ {
        let init = self.spec.init_containers.iter().flatten().enumerate().map(|(i, c)| ContainerView {
            container: c,
            route: self.route.clone().with("initContainers").with(i),
            init: true,
        });
        let main = self.spec.containers.iter().enumerate().map(|(i, c)| ContainerView {
            container: c,
            route: self.route.clone().with("containers").with(i),
            init: false,
        });
        init.chain(main)
    }

    /// Its volumes, each with its route.
    pub fn volumes(&self) -> impl Iterator<Item = (&'a Volume, Route)> + '_ {
        self.spec.volumes.iter().flatten().enumerate().map(|(i, v)| (v, self.route.clone().with("volumes").with(i)))
    }

    /// The route of the pod's metadata (a template's, for a workload).
    pub fn metadata_route(&self) -> Route {
        self.route.parent().unwrap_or_default().with("metadata")
    }

    /// The pod's security context.
    pub fn security(&self) -> Option<&'a PodSecurityContext> {
        self.spec.security_context.as_ref()
    }

    /// The route of a field of the pod's security context.
    pub fn security_route(&self, field: &str) -> Route {
        self.route.clone().with("securityContext").with(field)
    }

    /// A value set on the container, or else on the pod: the value that applies, and the
    /// route it is written at (`None` for neither).
    pub fn effective<T>(
        &self,
        container: &ContainerView<'a>,
        field: &str,
        on_container: impl Fn(&'a SecurityContext) -> Option<T>,
        on_pod: impl Fn(&'a PodSecurityContext) -> Option<T>,
    ) -> Option<(T, Route)> {
        if let Some(v) = container.security().and_then(on_container) {
            return Some((v, container.security_route(field)));
        }
        self.security().and_then(on_pod).map(|v| (v, self.security_route(field)))
    }

    /// How a setting of both the pod's and the containers' securityContext applies to each
    /// container (the container's value wins), grouped by the place it is written or belongs.
    pub fn applied<T>(
        &self,
        field: &str,
        on_container: impl Fn(&'a SecurityContext) -> Option<T>,
        on_pod: impl Fn(&'a PodSecurityContext) -> Option<T>,
    ) -> Vec<Applied<'a, T>> {
        let containers: Vec<ContainerView<'a>> = self.containers().collect();
        let own = |c: &ContainerView<'a>| c.security().and_then(&on_container);
        let any_own = containers.iter().any(|c| own(c).is_some());
        let on_pod_level = self.security().and_then(&on_pod).is_some();
        let mut out: Vec<Applied<'a, T>> = Vec::new();
        let mut shared: Option<usize> = None;
        for c in &containers {
            let name = c.container.name.as_str();
            if let Some(value) = own(c) {
                out.push(Applied { value: Some(value), route: c.security_route(field), containers: vec![name] });
            } else if !on_pod_level && any_own {
                out.push(Applied { value: None, route: c.security_route(field), containers: vec![name] });
            } else if let Some(entry) = shared.and_then(|i| out.get_mut(i)) {
                entry.containers.push(name);
            } else {
                shared = Some(out.len());
                let value = self.security().and_then(&on_pod);
                out.push(Applied { value, route: self.security_route(field), containers: vec![name] });
            }
        }
        out
    }
}

/// Which of `names` a container's requests or limits do not set.
pub fn missing_resources<'n>(
    set: Option<&BTreeMap<String, k8s_openapi::apimachinery::pkg::api::resource::Quantity>>,
    names: &[&'n str],
) -> Vec<&'n str> {
    names.iter().copied().filter(|n| set.is_none_or(|s| !s.contains_key(*n))).collect()
}
