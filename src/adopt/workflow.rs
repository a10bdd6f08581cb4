//! GitHub workflows: the branch a push to which deploys, Azure sign-in and the cluster and
//! registry the pipeline reaches (`azure/login`, `azure/aks-set-context`, registry logins,
//! `az` commands), and AWS's actions (no platform of gen's yet).

use std::collections::BTreeMap;

use super::model::{DeployStep, Kind, Origin, Platform};
use super::yamls::{Yaml, entries, items, path, text};
use crate::yaml::{Node, Value};

/// Whether a file is a workflow, by path.
pub fn is_workflow(rel: &str) -> bool {
    rel.starts_with(".github/workflows/") && (rel.ends_with(".yml") || rel.ends_with(".yaml"))
}

/// What one workflow says of the platform.
pub fn read(file: &Yaml, platform: &mut Platform) {
    let Some(root) = file.docs.first() else { return };
    let at = |n: &Node| file.at(n);
    let mut env: BTreeMap<String, (String, Origin)> = BTreeMap::new();
    let mut add_env = |node: Option<&Node>| {
        for e in entries(node) {
            if let Some(v) = text(&e.value) {
                env.insert(e.key.clone(), (v, file.at(&e.value)));
            }
        }
    };
    add_env(root.get("env"));
    for job in entries(root.get("jobs")) {
        add_env(job.value.get("env"));
    }
    // A literal, with each `${{ env.NAME }}` of the workflow's own env put in (and the place
    // of the env's value then); any other expression is known only when the workflow runs.
    let resolve = |n: &Node| -> Option<(String, Origin)> {
        let mut t = text(n)?;
        let mut from = at(n);
        while let Some(start) = t.find("${{") {
            let end = start + t[start..].find("}}")?;
            let name = t[start + 3..end].trim().strip_prefix("env.")?.trim().to_string();
            let (value, origin) = env.get(&name)?;
            t.replace_range(start..end + 2, value);
            from = origin.clone();
        }
        Some((t, from))
    };
    let mut deploys = false;
    for job in entries(root.get("jobs")) {
        for step in items(job.value.get("steps")) {
            let uses = step.get("uses").and_then(Node::as_str).unwrap_or_default();
            let action = uses.split('@').next().unwrap_or_default();
            let with = step.get("with");
            let input = |k: &str| with.and_then(|w| w.get(k)).and_then(resolve);
            match action {
                "azure/login" => {
                    platform.azure.push(at(step));
                    deploys = true;
                }
                "azure/aks-set-context" | "azure/k8s-set-context" => {
                    platform.azure.push(at(step));
                    deploys = true;
                    if let Some((v, o)) = input("resource-group") {
                        platform.resource_group.add(v, o, Kind::Workflow);
                    }
                    if let Some((v, o)) = input("cluster-name") {
                        platform.aks_name.add(v, o, Kind::Workflow);
                    }
                }
                "azure/docker-login" | "docker/login-action" => {
                    if let Some((v, o)) = input("login-server").or_else(|| input("registry"))
                        && let Some(acr) = v.strip_suffix(".azurecr.io")
                    {
                        platform.acr_name.add(acr.to_string(), o, Kind::Workflow);
                    }
                }
                a if a.starts_with("aws-actions/") => platform.aws.push(at(step)),
                a if a.starts_with("medyagh/setup-minikube") => platform.local.push(("minikube".into(), at(step))),
                _ => {}
            }
            if let Some(node) = step.get("run")
                && let Some(run) = node.as_str()
            {
                // A block scalar's first line is the one after its `|`.
                let block = file.source.text().get(node.span.start..).is_some_and(|t| t.starts_with(['|', '>']));
                let first = at(node);
                let first = Origin::new(&first.file, first.line + usize::from(block));
                commands(run, &first, &env, platform, &mut deploys);
            }
        }
    }
    // The push branches of a workflow that deploys (one that only tests says nothing of it).
    let on = root.get("on").or_else(|| root.get("true"));
    if deploys && let Some(on) = on {
        let branches = path(on, &["push", "branches"]);
        match branches.map(|b| &b.value) {
            Some(Value::Seq(list)) => {
                if let Some(first) = list.first()
                    && let Some(b) = first.as_str()
                    && !b.contains('*')
                {
                    platform.branch.add(b.to_string(), at(first), Kind::Workflow);
                }
            }
            Some(Value::Str(b)) if !b.contains('*') => {
                platform.branch.add(b.clone(), at(branches.unwrap_or(on)), Kind::Workflow);
            }
            _ => {}
        }
    }
}

/// What `az`, `helm`, `kubectl` and `docker push` lines of a `run:` script say; a flag's
/// value that is a variable of the workflow's env (`$ACR_NAME`, `${ACR_NAME}`,
/// `${{ env.ACR_NAME }}`) is its value there, from where it is set.
fn commands(
    run: &str,
    from: &Origin,
    env: &BTreeMap<String, (String, Origin)>,
    platform: &mut Platform,
    deploys: &mut bool,
) {
    // A command continued over `\`-ended lines is one, at its first line.
    let mut logical: Vec<(usize, String)> = Vec::new();
    let mut continued = false;
    for (i, line) in run.lines().enumerate() {
        let text = line.trim_end().strip_suffix('\\');
        match logical.last_mut() {
            Some((_, last)) if continued => {
                last.push(' ');
                last.push_str(text.unwrap_or(line));
            }
            _ => logical.push((i, text.unwrap_or(line).to_string())),
        }
        continued = text.is_some();
    }
    for (i, line) in &logical {
        let at = Origin::new(&from.file, from.line + i);
        let words: Vec<&str> = line.split_whitespace().collect();
        let flag = |names: &[&str]| -> Option<(String, Origin)> {
            let value = words.windows(2).find(|w| names.contains(&w[0])).map(|w| w[1].trim_matches(['"', '\'']))?;
            if !value.contains('$') {
                return Some((value.to_string(), at.clone()));
            }
            let name = value.strip_prefix("${{").and_then(|v| v.strip_suffix("}}")).map_or_else(
                || value.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}'),
                |v| v.trim().strip_prefix("env.").unwrap_or("").trim(),
            );
            env.get(name).filter(|(v, _)| !v.contains('$')).cloned()
        };
        match words.as_slice() {
            ["az", "aks", "get-credentials", ..] => {
                *deploys = true;
                platform.azure.push(at.clone());
                if let Some((rg, o)) = flag(&["--resource-group", "-g"]) {
                    platform.resource_group.add(rg, o, Kind::Workflow);
                }
                if let Some((n, o)) = flag(&["--name", "-n"]) {
                    platform.aks_name.add(n, o, Kind::Workflow);
                }
            }
            ["az", "acr", "login", ..] => {
                platform.azure.push(at.clone());
                if let Some((n, o)) = flag(&["--name", "-n"]) {
                    platform.acr_name.add(n, o, Kind::Workflow);
                }
            }
            ["helm", "upgrade" | "install", ..] | ["kubectl", "apply", ..] => {
                *deploys = true;
                let word = |w: &str| {
                    let plain = w.trim_matches(['"', '\'']);
                    if !plain.contains('$') {
                        return Some(plain.to_string());
                    }
                    let name = plain.trim_start_matches("${{").trim_end_matches("}}").trim();
                    let name = name.strip_prefix("env.").unwrap_or(name);
                    let name = name.trim_start_matches('$').trim_start_matches('{').trim_end_matches('}');
                    env.get(name).map(|(v, _)| v.clone()).filter(|v| !v.contains('$'))
                };
                let (positional, named) = arguments(&words[2..]);
                let value = |names: &[&str]| named.iter().find(|(n, _)| names.contains(n)).and_then(|(_, v)| word(v));
                let helm = words[0] == "helm";
                let kustomized = value(&["-k", "--kustomize"]);
                platform.deploy_steps.push(DeployStep {
                    command: words.join(" "),
                    at: at.clone(),
                    release: helm.then(|| positional.first().and_then(|w| word(w))).flatten(),
                    chart: helm.then(|| positional.get(1).and_then(|w| word(w))).flatten(),
                    kustomize: kustomized.is_some(),
                    applies: if helm { None } else { kustomized.or_else(|| value(&["-f", "--filename"])) },
                    namespace: value(&["-n", "--namespace"]),
                });
            }
            ["docker", "push", ..] => *deploys = true,
            ["minikube", ..] => platform.local.push(("minikube".into(), at.clone())),
            [crate::platform::aws::CLI, ..] => platform.aws.push(at.clone()),
            _ => {}
        }
    }
}

/// The flags of helm's and kubectl's that take a value (as the next word, or after `=`).
const VALUE_FLAGS: [&str; 16] = [
    "-n",
    "--namespace",
    "-f",
    "--values",
    "--filename",
    "-k",
    "--kustomize",
    "--set",
    "--set-string",
    "--set-file",
    "--version",
    "--timeout",
    "--kube-context",
    "--kubeconfig",
    "--repo",
    "-o",
];

/// A command's arguments: the positional ones, and each flag with its value.
fn arguments<'a>(words: &[&'a str]) -> (Vec<&'a str>, Vec<(&'a str, &'a str)>) {
    let (mut positional, mut named) = (Vec::new(), Vec::new());
    let mut rest = words.iter();
    while let Some(w) = rest.next() {
        if matches!(*w, "&&" | "||" | ";" | "|") {
            break;
        }
        if let Some((flag, value)) = w.split_once('=').filter(|(f, _)| f.starts_with('-')) {
            named.push((flag, value));
        } else if VALUE_FLAGS.contains(w) {
            if let Some(value) = rest.next() {
                named.push((*w, *value));
            }
        } else if !w.starts_with('-') {
            positional.push(*w);
        }
    }
    (positional, named)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_deploy_step_names_its_release_chart_namespace_and_what_it_applies() {
        let mut p = Platform::default();
        let env = BTreeMap::from([("RELEASE".to_string(), ("billing".to_string(), Origin::new("w.yml", 3)))]);
        let run = "helm upgrade --install $RELEASE ./deploy/helm/billing \\\n  -n shop --wait\nkubectl apply -k k8s/overlays/prod\n";
        commands(run, &Origin::new("w.yml", 10), &env, &mut p, &mut false);
        let [helm, kubectl] = &p.deploy_steps[..] else { panic!("{:?}", p.deploy_steps) };
        assert_eq!((helm.release.as_deref(), helm.chart.as_deref()), (Some("billing"), Some("./deploy/helm/billing")));
        assert_eq!((helm.namespace.as_deref(), helm.at.line), (Some("shop"), 10));
        assert_eq!(
            (kubectl.applies.as_deref(), kubectl.kustomize, kubectl.at.line),
            (Some("k8s/overlays/prod"), true, 12)
        );
    }
}
