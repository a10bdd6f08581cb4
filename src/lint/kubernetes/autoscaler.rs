//! HorizontalPodAutoscalers, `autoscaling/v2` (typed) and `autoscaling/v1` (read from the
//! YAML), seen the same way: what they scale, between which bounds, on which CPU targets.

use super::Object;
use super::typed::Typed;
use crate::diag::Route;
use crate::route;

/// An autoscaler and what the rules read of it.
pub struct Autoscaler<'a> {
    pub object: &'a Object,
    /// `spec.scaleTargetRef`'s kind and name.
    pub target_kind: &'a str,
    pub target_name: &'a str,
    /// `spec.minReplicas`, when written.
    pub min: Option<i64>,
    /// `spec.maxReplicas`.
    pub max: Option<i64>,
    /// The targets it sets on CPU utilisation, a share of the pods' CPU requests.
    pub cpu: Vec<CpuTarget<'a>>,
}

/// A target on CPU utilisation.
pub struct CpuTarget<'a> {
    /// Where it is written; for the API's default, where the metrics belong.
    pub route: Route,
    /// The one container it measures (a `ContainerResource` metric); `None` for the pod.
    pub container: Option<&'a str>,
    /// The API's default (80% CPU), which applies when no metric is named.
    pub default: bool,
}

impl<'a> Autoscaler<'a> {
    /// The autoscaler an object is, if it is one that decoded.
    pub fn of(object: &'a Object) -> Option<Autoscaler<'a>> {
        match &object.typed {
            Typed::HorizontalPodAutoscaler(hpa) => {
                let spec = hpa.spec.as_ref()?;
                let mut cpu = Vec::new();
                let metrics = spec.metrics.as_deref().unwrap_or_default();
                for (i, m) in metrics.iter().enumerate() {
                    let at = route!["spec", "metrics", i];
                    if let Some(r) = &m.resource
                        && r.name == "cpu"
                        && r.target.type_ == "Utilization"
                    {
                        cpu.push(CpuTarget {
                            route: at.clone().with("resource").with("name"),
                            container: None,
                            default: false,
                        });
                    }
                    if let Some(r) = &m.container_resource
                        && r.name == "cpu"
                        && r.target.type_ == "Utilization"
                    {
                        let route = at.with("containerResource").with("name");
                        cpu.push(CpuTarget { route, container: Some(r.container.as_str()), default: false });
                    }
                }
                if metrics.is_empty() {
                    cpu.push(CpuTarget { route: route!["spec", "metrics"], container: None, default: true });
                }
                Some(Autoscaler {
                    object,
                    target_kind: &spec.scale_target_ref.kind,
                    target_name: &spec.scale_target_ref.name,
                    min: spec.min_replicas.map(i64::from),
                    max: Some(i64::from(spec.max_replicas)),
                    cpu,
                })
            }
            Typed::Checked if object.api_version == "autoscaling/v1" && object.kind == "HorizontalPodAutoscaler" => {
                let spec = object.doc.root.get("spec")?;
                let target = spec.get("scaleTargetRef")?;
                let int = |key: &str| match spec.get(key).map(|n| &n.value) {
                    Some(crate::yaml::Value::Int(i)) => Some(*i),
                    _ => None,
                };
                let field = "targetCPUUtilizationPercentage";
                let default = spec.get(field).is_none();
                Some(Autoscaler {
                    object,
                    target_kind: target.get("kind")?.as_str()?,
                    target_name: target.get("name")?.as_str()?,
                    min: int("minReplicas"),
                    max: int("maxReplicas"),
                    cpu: vec![CpuTarget { route: route!["spec", field], container: None, default }],
                })
            }
            _ => None,
        }
    }

    /// Whether it scales `workload`.
    pub fn scales(&self, workload: &Object) -> bool {
        workload.is_referred(self.target_kind, self.target_name, None, self.object)
    }
}

/// Every autoscaler among the objects.
pub fn autoscalers<'a>(objects: impl Iterator<Item = &'a Object>) -> Vec<Autoscaler<'a>> {
    objects.filter_map(Autoscaler::of).collect()
}
