//! What the commands a README tells its reader to run (or a script it tells them to run)
//! provide in the cluster: `kubectl create secret generic x`, `kubectl create namespace x`,
//! `kubectl apply -f <a release of cert-manager>`, `helm install x <chart>`, `flux bootstrap`,
//! `dapr init -k`... Each is a declared prerequisite of the README's folder: the reader
//! provides it before deploying.
//!
//! Commands are read a line at a time (a `\` at the end joins the next, a prompt `$ ` is
//! dropped), words split on blanks with their quotes trimmed. A variable assigned before in the
//! same text (`NAMESPACE=shop`, `export KSA=boa-ksa`) is replaced by its value; a name that
//! holds one gen cannot tell declares any name of its kind, as a value gen cannot tell is not
//! judged.

use std::collections::HashMap;

use super::software::{self, Software};

/// What a command provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provided {
    /// An object of a kind; `name: None` for a name gen cannot tell.
    Object { kind: String, namespace: Option<String>, name: Option<String> },
    /// Every kind of an API group (the CRDs of software it installs).
    Group(String),
    /// A script it runs, by the path it is run by.
    Script(String),
}

/// What the commands of a shell text provide.
pub fn read(text: &str) -> Vec<Provided> {
    let mut vars: HashMap<String, String> = HashMap::new();
    let mut out = Vec::new();
    let mut joined = String::new();
    for line in text.lines() {
        let line = line.trim();
        if let Some(start) = line.strip_suffix('\\') {
            joined.push_str(start);
            joined.push(' ');
            continue;
        }
        joined.push_str(line);
        let command = std::mem::take(&mut joined);
        // Commands after `&&` or `;` are commands too.
        for part in command.split("&&").flat_map(|p| p.split(';')) {
            words(part.trim(), &mut vars, &mut out);
        }
    }
    out
}

/// The value of a word with the variables it names replaced; `None` when one is unknown.
fn expand(word: &str, vars: &HashMap<String, String>) -> Option<String> {
    let word = word.trim_matches(['"', '\'']);
    let mut out = String::new();
    let mut rest = word;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let (name, tail) = match after.strip_prefix('{') {
            Some(inner) => {
                let end = inner.find('}')?;
                (&inner[..end], &inner[end + 1..])
            }
            None => {
                let end = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push_str(vars.get(name)?);
        rest = tail;
    }
    out.push_str(rest);
    Some(out)
}

/// Reads one command.
fn words(command: &str, vars: &mut HashMap<String, String>, out: &mut Vec<Provided>) {
    let command = command.strip_prefix("$ ").unwrap_or(command).trim_start_matches('>').trim();
    let mut words: Vec<&str> = command.split_whitespace().take_while(|w| !w.starts_with('#')).collect();
    while words.first().is_some_and(|w| matches!(*w, "sudo" | "export" | "time" | "command")) {
        let export = words[0] == "export";
        words.remove(0);
        if export {
            break;
        }
    }
    // `NAME=value` alone: an assignment.
    if words.len() == 1
        && let Some((name, value)) = words[0].split_once('=')
        && !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    {
        if let Some(value) = expand(value, vars) {
            vars.insert(name.to_string(), value);
        }
        return;
    }
    let Some(&tool) = words.first() else { return };
    let args = &words[1..];
    let flag = |names: &[&str]| -> Option<String> {
        args.iter().enumerate().find_map(|(i, w)| {
            names.iter().find_map(|n| {
                if *w == *n {
                    args.get(i + 1).map(|v| v.to_string())
                } else {
                    w.strip_prefix(&format!("{n}=")).map(str::to_string)
                }
            })
        })
    };
    let namespace = flag(&["-n", "--namespace"]).and_then(|n| expand(&n, vars));
    // The words that are not flags or their values.
    let with_values = [
        "-n",
        "--namespace",
        "-f",
        "--filename",
        "-o",
        "--output",
        "--from-file",
        "--from-literal",
        "--from-env-file",
        "--key",
        "--cert",
        "--type",
        "--version",
        "--values",
        "--set",
        "--repo",
        "--context",
        "--kubeconfig",
        "--docker-server",
        "--docker-username",
        "--docker-password",
        "--docker-email",
        "--owner",
        "--repository",
        "--branch",
        "--path",
        "--personal",
        "--timeout",
        "--wait-for-jobs",
        "-l",
        "--selector",
    ];
    let mut plain = Vec::new();
    let mut skip = false;
    for w in args {
        if std::mem::take(&mut skip) {
            continue;
        }
        if w.starts_with('-') {
            skip = with_values.contains(w);
            continue;
        }
        plain.push(*w);
    }
    let install = |s: &Software, out: &mut Vec<Provided>| {
        out.extend(s.groups.iter().map(|g| Provided::Group(g.to_string())));
        for ns in s.namespaces {
            out.push(Provided::Object { kind: "Namespace".into(), namespace: None, name: Some(ns.to_string()) });
        }
        if let Some(class) = s.ingress_class {
            out.push(Provided::Object { kind: "IngressClass".into(), namespace: None, name: Some(class.into()) });
        }
        if let Some(class) = s.gateway_class {
            out.push(Provided::Object { kind: "GatewayClass".into(), namespace: None, name: Some(class.into()) });
        }
    };
    let script = |w: &str| w.ends_with(".sh") && !w.contains("://");
    match (tool, plain.as_slice()) {
        ("kubectl" | "oc", ["create", kind, rest @ ..]) => {
            let kind = match *kind {
                "secret" => Some("Secret"),
                "configmap" | "cm" => Some("ConfigMap"),
                "namespace" | "ns" => Some("Namespace"),
                "serviceaccount" | "sa" => Some("ServiceAccount"),
                "priorityclass" | "pc" => Some("PriorityClass"),
                _ => None,
            };
            // A Secret's type comes first: `secret generic x`, `secret tls x`.
            let name = match kind {
                Some("Secret") => rest.get(1),
                Some(_) => rest.first(),
                None => None,
            };
            if let (Some(kind), Some(name)) = (kind, name) {
                let namespace = if kind == "Namespace" { None } else { namespace.clone() };
                out.push(Provided::Object { kind: kind.into(), namespace, name: expand(name, vars) });
            }
        }
        ("kubectl" | "oc", ["apply" | "create" | "replace", ..]) => {
            for url in flag(&["-f", "--filename"]).into_iter().chain(flag(&["-k", "--kustomize"])) {
                if let Some(s) = software::by_url(&url) {
                    install(s, out);
                }
            }
        }
        ("helm", ["install" | "upgrade", rest @ ..]) => {
            // `helm install NAME CHART`, `helm upgrade --install NAME CHART`, `helm install CHART --generate-name`.
            let chart = rest.get(1).or(rest.first()).copied().unwrap_or_default();
            let chart = chart.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
            let chart = chart.split(['@', ':']).next().unwrap_or(chart);
            if let Some(s) = software::by_chart(chart) {
                install(s, out);
            }
            if chart == crate::platform::KUBE_PROMETHEUS_STACK.chart {
                // Its Prometheus reads the monitors labelled `release: <name>`, unless values
                // (a file gen does not read here) or a `--set` of a selector say otherwise.
                let values = args
                    .iter()
                    .any(|a| *a == "-f" || a.starts_with("--values") || a.starts_with("-f=") || a.contains("Selector"));
                let release = (rest.len() > 1 && !values).then(|| expand(rest[0], vars)).flatten();
                out.push(Provided::Object {
                    kind: super::monitoring::STACK_RELEASE.into(),
                    namespace: None,
                    name: release.clone(),
                });
                // No value at all: the chart's Alertmanager, which routes every alert to `null`.
                let any_value = args.iter().any(|a| a.starts_with("--set") || *a == "-f" || a.starts_with("--values"));
                if !any_value {
                    out.push(Provided::Object {
                        kind: super::monitoring::STACK_WITHOUT_RECEIVER.into(),
                        namespace: None,
                        name: release,
                    });
                }
            }
            if args.contains(&"--create-namespace")
                && let Some(ns) = &namespace
            {
                out.push(Provided::Object { kind: "Namespace".into(), namespace: None, name: Some(ns.clone()) });
            }
        }
        ("flux", ["bootstrap" | "install", ..]) | ("dapr", ["init", ..]) | ("istioctl", ["install", ..]) => {
            let name = match tool {
                "flux" => "flux",
                "dapr" => "dapr",
                _ => "istio",
            };
            if let Some(s) = software::SOFTWARE.iter().find(|s| s.names.contains(&name)) {
                install(s, out);
            }
        }
        ("bash" | "sh" | "source" | ".", [path, ..]) if script(path) => out.push(Provided::Script(path.to_string())),
        (path, _) if script(path) => out.push(Provided::Script(path.to_string())),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(kind: &str, namespace: Option<&str>, name: Option<&str>) -> Provided {
        Provided::Object { kind: kind.into(), namespace: namespace.map(Into::into), name: name.map(Into::into) }
    }

    #[test]
    fn kubectl_create_declares_the_object_it_creates() {
        let text = "NAMESPACE=bank\nexport KSA_NAME=boa-ksa\n$ kubectl create secret -n $NAMESPACE generic cloud-sql-admin \\\n  --from-literal=username=admin\n\
                    kubectl create secret tls nginxsecret --key /tmp/k --cert /tmp/c\n\
                    kubectl create configmap nginxconfigmap --from-file=default.conf\n\
                    kubectl create serviceaccount --namespace $NAMESPACE $KSA_NAME\n\
                    kubectl create sa $UNKNOWN\nkubectl create namespace vllm-example\n";
        assert_eq!(
            read(text),
            [
                object("Secret", Some("bank"), Some("cloud-sql-admin")),
                object("Secret", None, Some("nginxsecret")),
                object("ConfigMap", None, Some("nginxconfigmap")),
                object("ServiceAccount", Some("bank"), Some("boa-ksa")),
                object("ServiceAccount", None, None),
                object("Namespace", None, Some("vllm-example")),
            ]
        );
    }

    #[test]
    fn an_install_declares_what_the_software_installs_and_a_script_is_followed() {
        let found = read(
            "kubectl apply -f https://github.com/jetstack/cert-manager/releases/download/v1.0.4/cert-manager.yaml\n\
             flux bootstrap github --owner=x --repository=y\n./kind.sh\nhelm upgrade --install eg oci://docker.io/envoyproxy/gateway-helm --version v1.0.0 -n envoy-gateway-system --create-namespace\n",
        );
        for group in ["cert-manager.io", "helm.toolkit.fluxcd.io", "gateway.networking.k8s.io"] {
            assert!(found.contains(&Provided::Group(group.into())), "{group}: {found:?}");
        }
        assert!(found.contains(&object("Namespace", None, Some("flux-system"))));
        assert!(found.contains(&object("Namespace", None, Some("envoy-gateway-system"))));
        assert!(found.contains(&Provided::Script("./kind.sh".into())));
    }
}
