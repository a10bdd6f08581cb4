//! Compose files (`docker-compose.yml`, `compose.yaml`): each service built from the repository
//! is a service; one that only runs an image is a dependency (a database), not gen's.

use super::dockerfile::join;
use super::kubernetes::is_dependency;
use super::model::{Kind, Origin, Service};
use super::yamls::{Yaml, entries, items, path, text};
use crate::yaml::{Node, Value};

/// Whether a file is a compose file, by name.
pub fn is_compose(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The services a compose file builds, and the dependencies it runs.
pub fn read(file: &Yaml, services: &mut Vec<Service>, dependencies: &mut Vec<(String, Origin)>) {
    let Some(root) = file.docs.first() else { return };
    let dir = super::dockerfile::folder(file.source.name());
    let named_volumes: Vec<&str> = entries(root.get("volumes")).iter().map(|e| e.key.as_str()).collect();
    for entry in entries(root.get("services")) {
        let node = &entry.value;
        let at = |n: &Node| file.at(n);
        let image = node.get("image").and_then(Node::as_str).unwrap_or_default();
        let Some(build) = node.get("build") else {
            if !image.is_empty() {
                let what = if is_dependency(image) { "a dependency" } else { "an image built elsewhere" };
                dependencies.push((format!("compose service `{}` ({what}: image {image})", entry.key), at(node)));
            }
            continue;
        };
        let mut s = Service::default();
        s.name.add(
            entry.key.clone(),
            Origin::new(file.source.name(), file.source.position(entry.key_span).line),
            Kind::Compose,
        );
        let (context, dockerfile) = match &build.value {
            Value::Str(c) => (c.clone(), None),
            _ => (
                build.get("context").and_then(Node::as_str).unwrap_or(".").to_string(),
                build.get("dockerfile").and_then(Node::as_str).map(String::from),
            ),
        };
        let context = join(&dir, &context);
        s.dockerfile = Some(join(&context, dockerfile.as_deref().unwrap_or("Dockerfile")));
        s.build_context = Some(context);
        if !image.is_empty() {
            s.images.push(image.to_string());
        }
        for p in items(node.get("ports")) {
            let container = match &p.value {
                Value::Map(_) => p.get("target").and_then(text),
                _ => text(p).map(|t| {
                    let t = t.split('/').next().unwrap_or_default().to_string();
                    t.rsplit(':').next().unwrap_or_default().to_string()
                }),
            };
            if let Some(port) = container.and_then(|c| c.parse::<u16>().ok()) {
                s.port.add(port, at(p), Kind::Compose);
                break;
            }
        }
        match node.get("environment").map(|e| &e.value) {
            Some(Value::Map(envs)) => {
                for e in envs {
                    let value = text(&e.value).unwrap_or_default();
                    s.add_env(&e.key, &value, at(&e.value), Kind::Compose);
                }
            }
            Some(Value::Seq(envs)) => {
                for e in envs {
                    if let Some(t) = e.as_str() {
                        let (k, v) = t.split_once('=').unwrap_or((t, ""));
                        s.add_env(k, v, at(e), Kind::Compose);
                    }
                }
            }
            _ => {}
        }
        if let Some(n) = node.get("env_file") {
            s.todos.push(format!(
                "{}: compose reads env from a file gen does not read: write its names under env, or under secretEnv for credentials",
                at(n)
            ));
        }
        for v in items(node.get("volumes")) {
            let (source, target) = match &v.value {
                Value::Map(_) => (v.get("source").and_then(text).unwrap_or_default(), v.get("target").and_then(text)),
                _ => {
                    let t = text(v).unwrap_or_default();
                    let mut parts = t.splitn(3, ':');
                    (parts.next().unwrap_or_default().to_string(), parts.next().map(String::from))
                }
            };
            let Some(target) = target else { continue };
            if named_volumes.contains(&source.as_str()) {
                if s.mount_path.is_empty() {
                    s.mount_path.add(target, at(v), Kind::Compose);
                }
            } else {
                s.remarks.push((
                    format!("compose mounts `{source}` at {target} from the host: not a cluster volume"),
                    at(v),
                ));
            }
        }
        if let Some(n) = path(node, &["deploy", "replicas"])
            && let Some(r) = super::yamls::int(n).and_then(|r| u32::try_from(r).ok())
        {
            s.replicas.add(r, at(n), Kind::Compose);
        }
        services.push(s);
    }
}
