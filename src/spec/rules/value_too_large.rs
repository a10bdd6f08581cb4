use super::service_path;
use crate::declare_rule;
use crate::diag::{Diagnostics, Route, Segment};
use crate::spec::Loaded;
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a spec value larger than what gen writes it into can hold.
    ///
    /// An `env` variable (`NAME=value`) may be at most 131,071 bytes: Linux refuses to start a
    /// process with a longer environment string (`MAX_ARG_STRLEN`, 128 KiB with its ending
    /// zero). A service's `env` may hold at most 1 MiB (1,048,576 bytes of names and values):
    /// gen writes it into a ConfigMap, which Kubernetes refuses past that. An `env` or
    /// `secretEnv` name may be at most 253 characters, the most a ConfigMap or Secret key may
    /// be. Any other string, or key, may be at most 8 KiB (8,192 bytes): the others are names,
    /// hosts, versions, addresses and paths, far shorter wherever they land (a host is at most
    /// 253 characters; ingress-nginx refuses a request line over 8 KiB, so no longer HTTP path
    /// is ever served).
    ///
    /// ## Why it matters
    /// The value is checked here, at its line, before anything is rendered. Otherwise it is
    /// copied into several files (the chart's values, the ConfigMap, each environment's
    /// values), a file passes the 8 MiB gen allows one, and the render stops at a template
    /// that is not at fault; or, rendered, the cluster refuses the object, or the container
    /// never starts.
    ///
    /// ## Example
    /// ```yaml
    /// env: {CONFIG: "<a 2 MB JSON document>"}
    /// ```
    ///
    /// ## How to fix
    /// Put large configuration in a file the service reads (baked into the image, or from a
    /// volume), and its path in an env value. A string over 8 KiB elsewhere was most likely
    /// pasted into the wrong key.
    pub static RULE = ("SPEC127", "value-too-large", Error, unignorable);
}

/// Most bytes of `NAME=value` in a process's environment: Linux's `MAX_ARG_STRLEN` (32 pages
/// of 4 KiB) less the terminating zero.
pub const ENV_STRING_BYTES: usize = 128 * 1024 - 1;
/// Most bytes of names and values in a ConfigMap's data, as the API server counts them.
pub const CONFIG_MAP_BYTES: usize = 1024 * 1024;
/// Most characters of a ConfigMap or Secret key (a DNS subdomain's length).
pub const KEY_CHARS: usize = 253;
/// Most bytes of any other string in a spec.
pub const STRING_BYTES: usize = 8 * 1024;

/// `n` with its thousands separated: `15,000,000`.
fn count(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut path = Vec::new();
    let mut seen = Vec::new();
    strings(spec, spec.root(), &mut path, &mut seen, out);
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let mut total = 0;
        for (name, value) in &svc.env {
            total += name.len() + value.len();
            let route = service_path(i, &["env", name]);
            if name.chars().count() > KEY_CHARS {
                let message = format!(
                    "this env name is {} characters long; gen makes it a ConfigMap key, which may be at most {KEY_CHARS}",
                    count(name.chars().count())
                );
                out.push(spec.at(&RULE, &route, true, message).help("give the variable a shorter name"));
                continue;
            }
            let bytes = name.len() + 1 + value.len();
            if bytes > ENV_STRING_BYTES {
                let message = format!(
                    "`{name}` and its value are {} bytes; one environment variable (`{name}=value`) may hold at most \
                     {} bytes (128 KiB) on Linux, or the container does not start",
                    count(bytes),
                    count(ENV_STRING_BYTES)
                );
                let help = "put large configuration in a file the service reads (in the image, or from a volume), \
                            and its path in the env value";
                out.push(spec.at(&RULE, &route, false, message).help(help));
            }
        }
        if total > CONFIG_MAP_BYTES {
            let message = format!(
                "the env of `{}` holds {} bytes of names and values; gen writes it into a ConfigMap, which \
                 Kubernetes refuses past 1 MiB ({} bytes)",
                svc.name,
                count(total),
                count(CONFIG_MAP_BYTES)
            );
            let help = "put large configuration in a file the service reads (in the image, or from a volume), and \
                        its path in an env value";
            out.push(spec.at(&RULE, &service_path(i, &["env"]), true, message).help(help));
        }
        for (j, name) in svc.secret_env.iter().enumerate() {
            if name.chars().count() > KEY_CHARS {
                let message = format!(
                    "this secretEnv name is {} characters long; it is a key of the Secret `{}-env`, which may be \
                     at most {KEY_CHARS}",
                    count(name.chars().count()),
                    svc.name
                );
                let route = service_path(i, &["secretEnv"]).with(j);
                out.push(spec.at(&RULE, &route, false, message).help("give the variable a shorter name"));
            }
        }
    }
}

/// Reports each string and key under `node` (at `path`) longer than [`STRING_BYTES`], once
/// per place (an alias repeats a node), but for the names and values of `env` and
/// `secretEnv`, which [`check`] holds to the limits of where they go.
fn strings(spec: &Loaded, node: &Node, path: &mut Vec<Segment>, seen: &mut Vec<(usize, bool)>, out: &mut Diagnostics) {
    match &node.value {
        Value::Str(s) if s.len() > STRING_BYTES => too_long(spec, path, false, s.len(), seen, out),
        Value::Seq(items) if !is_service_env(path) => {
            for (i, item) in items.iter().enumerate() {
                path.push(Segment::Index(i));
                strings(spec, item, path, seen, out);
                path.pop();
            }
        }
        Value::Map(entries) if !is_service_env(path) => {
            for e in entries {
                path.push(Segment::Key(e.key.clone()));
                if e.key.len() > STRING_BYTES {
                    too_long(spec, path, true, e.key.len(), seen, out);
                }
                strings(spec, &e.value, path, seen, out);
                path.pop();
            }
        }
        _ => {}
    }
}

/// A finding at the string (or with `key`, the key) at `path`, unless one was made there.
fn too_long(
    spec: &Loaded,
    path: &[Segment],
    key: bool,
    bytes: usize,
    seen: &mut Vec<(usize, bool)>,
    out: &mut Diagnostics,
) {
    let route = path.iter().cloned().fold(Route::root(), Route::with);
    let at = (spec.root().locate(&route, key).start, key);
    if seen.contains(&at) {
        return;
    }
    seen.push(at);
    let message = format!(
        "this {} is {} bytes long; a spec string other than an env value may be at most {} bytes (8 KiB)",
        if key { "key" } else { "value" },
        count(bytes),
        count(STRING_BYTES)
    );
    let help = "names, hosts, versions and paths are far shorter wherever gen writes them: check that nothing was \
                pasted here by mistake";
    out.push(spec.at(&RULE, &route, key, message).help(help));
}

/// Whether `path` is a service's `env` or `secretEnv` (`services[i].env`), or an
/// environment's override of one (`environments[i].services.NAME.env`).
fn is_service_env(path: &[Segment]) -> bool {
    let key = |s: &Segment, k: &str| matches!(s, Segment::Key(x) if x == k);
    let env = |s: &Segment| key(s, "env") || key(s, "secretEnv");
    match path {
        [services, Segment::Index(_), last] => key(services, "services") && env(last),
        [envs, Segment::Index(_), services, Segment::Key(_), last] => {
            key(envs, "environments") && key(services, "services") && env(last)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_written_with_separators() {
        assert_eq!(count(15_000_000), "15,000,000");
        assert_eq!(count(131_071), "131,071");
        assert_eq!(count(999), "999");
    }
}
