//! Reading an object into the typed structs of `k8s-openapi` (the Kubernetes types `kube`
//! uses), the way a strict API server decodes it: a field the type does not have is reported
//! with its route, and so is each value of the wrong type.

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

/// A decoded object, the routes of the fields its type does not have, and every value of the
/// wrong type (the object is [`Typed::Unknown`] when there is one).
pub struct Decoded {
    pub typed: Typed,
    pub unknown_fields: Vec<Route>,
    pub type_errors: Vec<TypeError>,
}

/// The most type errors reported of one object: past them, the object is not what it was
/// meant to be.
const MAX_TYPE_ERRORS: usize = 50;

/// Decodes `value` as `T`, collecting unknown fields and every value of the wrong type: serde
/// stops at the first, which is taken out and the rest decoded again, so that one run reports
/// them all (the API server refuses the object for each).
fn decode<T: DeserializeOwned>(value: serde_json::Value) -> (Option<T>, Vec<Route>, Vec<TypeError>) {
    let mut unknown = Vec::new();
    // Most objects decode: tracking the path, which only an error needs, costs a third of the
    // decoding. It is tracked on a second decoding, of an object that fails the first.
    {
        let mut record = |path: serde_ignored::Path<'_>| unknown.push(ignored_route(&path));
        if let Ok(t) = T::deserialize(serde_ignored::Deserializer::new(&value, &mut record)) {
            return (Some(t), unknown, Vec::new());
        }
    }
    let mut value = value;
    let mut errors: Vec<TypeError> = Vec::new();
    // The items taken out of lists so far, by the written route of their list: later routes
    // are told in the indices of the file.
    let mut removed: Vec<(Route, usize)> = Vec::new();
    loop {
        unknown.clear();
        let mut record = |path: serde_ignored::Path<'_>| unknown.push(ignored_route(&path));
        let ignored = serde_ignored::Deserializer::new(&value, &mut record);
        let e = match serde_path_to_error::deserialize::<_, T>(ignored) {
            Ok(t) if errors.is_empty() => return (Some(t), unknown, errors),
            Ok(_) => break,
            Err(e) => e,
        };
        // The keys and indices of the path (an enum's variant is no level of the value).
        let path: Vec<serde_path_to_error::Segment> = e
            .path()
            .iter()
            .filter(|s| {
                matches!(s, serde_path_to_error::Segment::Seq { .. } | serde_path_to_error::Segment::Map { .. })
            })
            .cloned()
            .collect();
        let message = plain_words(&e.into_inner().to_string());
        let written = written_route(&path, &removed);
        errors.push(TypeError { route: written.clone(), message });
        let taken = errors.len() < MAX_TYPE_ERRORS && take_out(&mut value, &path);
        if !taken {
            break;
        }
        if let (Some(parent), Some(serde_path_to_error::Segment::Seq { .. })) = (written.parent(), path.last())
            && let Some(crate::diag::Segment::Index(i)) = written.segments().last()
        {
            removed.push((parent, *i));
        }
    }
    let unknown = unknown.into_iter().map(|r| original_route(&r, &removed)).collect();
    (None, unknown, errors)
}

/// The route of serde's path in the file (indices of lists with items taken out told as
/// written).
fn written_route(path: &[serde_path_to_error::Segment], removed: &[(Route, usize)]) -> Route {
    let mut route = Route::root();
    for segment in path {
        route = match segment {
            serde_path_to_error::Segment::Seq { index } => route.with(*index),
            serde_path_to_error::Segment::Map { key } => route.with(key.as_str()),
            serde_path_to_error::Segment::Enum { .. } | serde_path_to_error::Segment::Unknown => route,
        };
    }
    original_route(&route, removed)
}

/// A route in the decoded value told in the file's indices.
fn original_route(route: &Route, removed: &[(Route, usize)]) -> Route {
    let mut written = Route::root();
    for segment in route.segments() {
        written = match segment {
            crate::diag::Segment::Index(i) => {
                let mut gone: Vec<usize> =
                    removed.iter().filter(|(list, _)| *list == written).map(|(_, at)| *at).collect();
                gone.sort_unstable();
                let mut at = *i;
                for g in gone {
                    if g <= at {
                        at += 1;
                    }
                }
                written.with(at)
            }
            crate::diag::Segment::Key(k) => written.with(k.as_str()),
        };
    }
    written
}

/// Takes the value at serde's `path` out of `value` (a key out of its mapping, an item out
/// of its list); whether there was one.
fn take_out(value: &mut serde_json::Value, path: &[serde_path_to_error::Segment]) -> bool {
    use serde_path_to_error::Segment;
    let Some((last, parents)) = path.split_last() else { return false };
    let mut node = value;
    for segment in parents {
        node = match (segment, node) {
            (Segment::Seq { index }, serde_json::Value::Array(items)) => match items.get_mut(*index) {
                Some(n) => n,
                None => return false,
            },
            (Segment::Map { key }, serde_json::Value::Object(map)) => match map.get_mut(key) {
                Some(n) => n,
                None => return false,
            },
            _ => return false,
        };
    }
    match (last, node) {
        (Segment::Seq { index }, serde_json::Value::Array(items)) if *index < items.len() => {
            items.remove(*index);
            true
        }
        (Segment::Map { key }, serde_json::Value::Object(map)) => map.remove(key).is_some(),
        _ => false,
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
                    let (t, unknown_fields, type_errors) = decode::<$ty>($value);
                    let typed = t.map_or(Typed::Unknown, |t| Typed::$variant(Box::new(t)));
                    Decoded { typed, unknown_fields, type_errors }
                }
            )*
            $(
                (<$checked>::API_VERSION, <$checked>::KIND) => {
                    let (t, unknown_fields, type_errors) = decode::<$checked>($value);
                    let typed = if t.is_some() { Typed::Checked } else { Typed::Unknown };
                    Decoded { typed, unknown_fields, type_errors }
                }
            )*
            _ => Decoded { typed: Typed::Unknown, unknown_fields: Vec::new(), type_errors: Vec::new() },
        }
    }};
}

/// Decodes an object of `api_version` and `kind`.
pub fn decode_object(api_version: &str, kind: &str, value: serde_json::Value) -> Decoded {
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
