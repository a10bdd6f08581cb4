//! The pod inside a workload, with routes: what most Kubernetes rules read.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSecurityContext, PodSpec, SecurityContext};

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
}
