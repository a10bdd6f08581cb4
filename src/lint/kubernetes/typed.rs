//! Reading an object into the typed structs of `k8s-openapi` (the Kubernetes types `kube`
//! uses), the way a strict API server decodes it: a field the type does not have is reported
//! with its route, a value of the wrong type stops the decoding at its route.

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy, rbac, storage};
use serde::de::DeserializeOwned;

use crate::diag::Route;

/// An object of a kind the rules read, decoded.
#[derive(Debug)]
pub enum Typed {
    Deployment(Box<apps::v1::Deployment>),
    StatefulSet(Box<apps::v1::StatefulSet>),
    DaemonSet(Box<apps::v1::DaemonSet>),
    ReplicaSet(Box<apps::v1::ReplicaSet>),
    Job(Box<batch::v1::Job>),
    CronJob(Box<batch::v1::CronJob>),
    Pod(Box<core::v1::Pod>),
    ReplicationController(Box<core::v1::ReplicationController>),
    Service(Box<core::v1::Service>),
    PersistentVolumeClaim(Box<core::v1::PersistentVolumeClaim>),
    Ingress(Box<networking::v1::Ingress>),
    HorizontalPodAutoscaler(Box<autoscaling::v2::HorizontalPodAutoscaler>),
    /// A kind decoded only to check its fields (a ConfigMap, a NetworkPolicy...).
    Checked,
    /// A kind `k8s-openapi` does not have (a custom resource, a Gateway API route): its
    /// fields are not checked.
    Unknown,
}

/// Why an object did not decode: the route of the offending value and what is wrong.
#[derive(Debug)]
pub struct TypeError {
    pub route: Route,
    pub message: String,
}

/// A decoded object and the routes of the fields its type does not have.
pub struct Decoded {
    pub typed: Typed,
    pub unknown_fields: Vec<Route>,
}

/// Decodes `value` as `T`, collecting unknown fields.
fn decode<T: DeserializeOwned>(value: serde_json::Value) -> Result<(T, Vec<Route>), TypeError> {
    let mut unknown = Vec::new();
    // Most objects decode: tracking the path, which only an error needs, costs a third of the
    // decoding. It is tracked on a second decoding, of an object that fails the first.
    {
        let mut record = |path: serde_ignored::Path<'_>| unknown.push(ignored_route(&path));
        if let Ok(t) = T::deserialize(serde_ignored::Deserializer::new(&value, &mut record)) {
            return Ok((t, unknown));
        }
    }
    unknown.clear();
    let mut record = |path: serde_ignored::Path<'_>| unknown.push(ignored_route(&path));
    let ignored = serde_ignored::Deserializer::new(value, &mut record);
    let decoded = serde_path_to_error::deserialize::<_, T>(ignored);
    match decoded {
        Ok(t) => Ok((t, unknown)),
        Err(e) => {
            let mut route = Route::root();
            for segment in e.path().iter() {
                route = match segment {
                    serde_path_to_error::Segment::Seq { index } => route.with(*index),
                    serde_path_to_error::Segment::Map { key } => route.with(key.as_str()),
                    serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => route,
                };
            }
            Err(TypeError { route, message: plain_words(&e.into_inner().to_string()) })
        }
    }
}

/// serde's message in the words of YAML: "expected i32" is "expected an integer".
fn plain_words(message: &str) -> String {
    let (found, expected) = match message.split_once(", expected ") {
        Some((f, e)) => (f, e),
        None => return message.to_string(),
    };
    let expected = match expected {
        "i32" | "i64" | "u32" | "u64" | "u16" | "u8" | "i16" | "i8" => "an integer".to_string(),
        "f64" | "f32" => "a number".to_string(),
        "a sequence" => "a list".to_string(),
        "a map" => "a mapping".to_string(),
        e if e.starts_with("struct ") => "a mapping".to_string(),
        e => e.to_string(),
    };
    let found = found
        .replace("invalid type: sequence", "invalid type: a list")
        .replace("invalid type: map", "invalid type: a mapping");
    format!("{found}, expected {expected}")
}

/// The route serde_ignored reports, as a route of keys and indices.
fn ignored_route(path: &serde_ignored::Path<'_>) -> Route {
    use serde_ignored::Path;
    match path {
        Path::Root => Route::root(),
        Path::Seq { parent, index } => ignored_route(parent).with(*index),
        Path::Map { parent, key } => ignored_route(parent).with(key.as_str()),
        Path::Some { parent } | Path::NewtypeStruct { parent } | Path::NewtypeVariant { parent } => {
            ignored_route(parent)
        }
    }
}

/// Decodes the kinds in the first list into their variant, those in the second only to check
/// their fields.
macro_rules! dispatch {
    ($api_version:expr, $kind:expr, $value:expr;
     $($variant:ident => $ty:ty),* ;
     $($checked:ty),* $(,)?) => {{
        use k8s_openapi::Resource;
        match ($api_version, $kind) {
            $(
                (<$ty>::API_VERSION, <$ty>::KIND) => {
                    decode::<$ty>($value).map(|(t, unknown_fields)| Decoded { typed: Typed::$variant(Box::new(t)), unknown_fields })
                }
            )*
            $(
                (<$checked>::API_VERSION, <$checked>::KIND) => {
                    decode::<$checked>($value).map(|(_, unknown_fields)| Decoded { typed: Typed::Checked, unknown_fields })
                }
            )*
            _ => Ok(Decoded { typed: Typed::Unknown, unknown_fields: Vec::new() }),
        }
    }};
}

/// Decodes an object of `api_version` and `kind`.
pub fn decode_object(api_version: &str, kind: &str, value: serde_json::Value) -> Result<Decoded, TypeError> {
    dispatch!(api_version, kind, value;
        Deployment => apps::v1::Deployment,
        StatefulSet => apps::v1::StatefulSet,
        DaemonSet => apps::v1::DaemonSet,
        ReplicaSet => apps::v1::ReplicaSet,
        Job => batch::v1::Job,
        CronJob => batch::v1::CronJob,
        Pod => core::v1::Pod,
        ReplicationController => core::v1::ReplicationController,
        Service => core::v1::Service,
        PersistentVolumeClaim => core::v1::PersistentVolumeClaim,
        Ingress => networking::v1::Ingress,
        HorizontalPodAutoscaler => autoscaling::v2::HorizontalPodAutoscaler;
        core::v1::ConfigMap,
        core::v1::Secret,
        core::v1::ServiceAccount,
        core::v1::Namespace,
        core::v1::PersistentVolume,
        core::v1::LimitRange,
        core::v1::ResourceQuota,
        core::v1::Endpoints,
        autoscaling::v1::HorizontalPodAutoscaler,
        networking::v1::NetworkPolicy,
        networking::v1::IngressClass,
        policy::v1::PodDisruptionBudget,
        rbac::v1::Role,
        rbac::v1::RoleBinding,
        rbac::v1::ClusterRole,
        rbac::v1::ClusterRoleBinding,
        storage::v1::StorageClass,
    )
}
