//! Compose files (`docker-compose.yml`, `compose.yaml`): each service built from the repository
//! is a service; one that only runs an image is a dependency (a database), not gen's.

use super::dockerfile::join;
use super::kubernetes::is_dependency;
use super::model::{Kind, Origin, Service, is_secret};
use super::yamls::{Yaml, entries, items, path, text};
use crate::yaml::{Node, Value};

/// Whether a file is a compose file, by name.
pub fn is_compose(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel).to_ascii_lowercase();
    (name.starts_with("docker-compose") || name.starts_with("compose"))
        && (name.ends_with(".yml") || name.ends_with(".yaml"))
}

/// The services a compose file builds, the dependencies it runs, and the services it builds
/// that are not the web app (a worker): those are said, never merged into a service.
pub fn read(
    file: &Yaml,
    services: &mut Vec<Service>,
    dependencies: &mut Vec<(String, Origin)>,
    workers: &mut Vec<(String, Origin)>,
) {
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
        let key_at = Origin::new(file.source.name(), file.source.position(entry.key_span).line);
        if let Some(why) = not_web(node, root) {
            workers.push((format!("compose service `{}` {why}", entry.key), key_at));
            continue;
        }
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
                    // `KEY:` with no value: compose passes the shell's.
                    let value = text(&e.value).unwrap_or_else(|| format!("${{{}}}", e.key));
                    env(&mut s, &e.key, &value, at(&e.value));
                }
            }
            Some(Value::Seq(envs)) => {
                for e in envs {
                    if let Some(t) = e.as_str() {
                        // `KEY` alone: compose passes the shell's.
                        let (k, v) = t.split_once('=').map_or_else(|| (t, format!("${{{t}}}")), |(k, v)| (k, v.into()));
                        env(&mut s, k, &v, at(e));
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

/// Words of a command that runs a worker, a scheduler or a queue's consumer, not a web server.
const WORKER_WORDS: [&str; 9] =
    ["celery", "rq", "dramatiq", "huey_consumer", "arq", "worker", "beat", "scheduler", "cron"];

/// Why a built compose service is not the web app, or `None` when it may be: its command runs
/// a worker (`celery -A app worker`), or it publishes no port while another service of the
/// file does.
fn not_web(node: &Node, root: &Node) -> Option<String> {
    let command: Vec<String> = match node.get("command").map(|c| &c.value) {
        Some(Value::Str(c)) => c.split_whitespace().map(String::from).collect(),
        Some(Value::Seq(words)) => words.iter().filter_map(text).collect(),
        _ => Vec::new(),
    };
    let worker = command.iter().any(|w| {
        let w = w.trim_matches(['"', '\'']).rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        WORKER_WORDS.contains(&w.as_str())
    });
    if worker {
        return Some(format!("runs `{}`, a worker, not the web app", command.join(" ")));
    }
    let publishes = |n: &Node| !items(n.get("ports")).is_empty() || n.get("expose").is_some();
    let others_serve =
        entries(root.get("services")).iter().any(|e| e.value.get("build").is_some() && publishes(&e.value));
    (!publishes(node) && others_serve).then(|| "publishes no port, while the web app does: not the web app".into())
}

/// One compose env entry: a credential by name; a value taken from the shell (`${VAR}`) is
/// not in the repository, and becomes a TODO unless another file sets it (compose's default,
/// `${VAR:-default}`, is written, said as such); any other value as written.
fn env(s: &mut Service, key: &str, value: &str, from: Origin) {
    if is_secret(key, value) {
        s.add_secret(key, from);
        return;
    }
    match interpolation(value) {
        None => s.add_env(key, value, from, Kind::Compose),
        Some((var, Some(default))) if !is_secret(key, &default) => {
            s.remarks.push((
                format!(
                    "compose sets {key} to the shell's ${var} or else `{default}`: its default is written under env"
                ),
                from.clone(),
            ));
            s.add_env(key, &default, from, Kind::Compose);
        }
        Some((var, _)) => s.unset_env.push((key.to_string(), var, from)),
    }
}

/// The variable a compose value takes from the shell (`${VAR}`, `$VAR`, `${VAR:-default}`,
/// `${VAR-default}`, `${VAR:?message}`), and its default when the whole value is one reference
/// with a default; `None` when the value holds no reference (`$$` is a literal `$`).
fn interpolation(value: &str) -> Option<(String, Option<String>)> {
    let unescaped = value.replace("$$", "");
    let start = unescaped.find('$')?;
    let rest = &unescaped[start + 1..];
    let (inner, whole) = match rest.strip_prefix('{') {
        Some(braced) => {
            let end = braced.find('}')?;
            (&braced[..end], start == 0 && end + 2 == rest.len())
        }
        None => {
            let end = rest.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(rest.len());
            (&rest[..end], start == 0 && end == rest.len())
        }
    };
    let name_end = inner.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(inner.len());
    let (name, modifier) = inner.split_at(name_end);
    if name.is_empty() {
        return None;
    }
    let default = modifier.strip_prefix(":-").or_else(|| modifier.strip_prefix('-')).filter(|_| whole);
    Some((name.to_string(), default.map(String::from)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shell_variable_is_named_and_a_whole_default_kept() {
        assert_eq!(interpolation("${DATABASE_URL}"), Some(("DATABASE_URL".into(), None)));
        assert_eq!(interpolation("$HOST"), Some(("HOST".into(), None)));
        assert_eq!(interpolation("${API:-http://a:8000}"), Some(("API".into(), Some("http://a:8000".into()))));
        assert_eq!(interpolation("${API-x}"), Some(("API".into(), Some("x".into()))));
        // Part of a value: no default stands for the whole.
        assert_eq!(interpolation("http://${HOST:-a}/x"), Some(("HOST".into(), None)));
        assert_eq!(interpolation("pa$$word"), None);
        assert_eq!(interpolation("plain"), None);
    }
}
