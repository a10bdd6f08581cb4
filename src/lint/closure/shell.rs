//! What gen's own deploy scripts (`scripts/deploy-local-<env>.sh`) install in the cluster they
//! set up: minikube add-ons, Helm releases of known charts, manifests applied from a known
//! controller's release, namespaces, the services' Secrets. Only a plan's scripts are read: gen knows what its
//! templates run; a hand-written script's branches and variables are not judged.

use super::{Graph, platform};

/// Reads a script's commands, a line at a time, into the graph.
pub fn read(graph: &mut Graph, text: &str) {
    for line in text.lines() {
        let words: Vec<&str> =
            line.split_whitespace().map(|w| w.trim_matches(['"', '\''])).take_while(|w| !w.starts_with('#')).collect();
        let after = |seq: &[&str]| {
            words.windows(seq.len()).position(|w| w == seq).and_then(|i| words.get(i + seq.len())).copied()
        };
        if let Some(addon) = after(&["addons", "enable"]) {
            platform::addon(graph, addon);
        }
        if let Some(release) = after(&["upgrade", "--install"]).or_else(|| after(&["helm", "install"])) {
            let chart = after(&[release]).unwrap_or_default();
            let chart = chart.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
            for group in platform::chart_crd_groups(chart) {
                graph.install_group(group);
            }
            if words.contains(&"--create-namespace")
                && let Some(ns) = after(&["--namespace"]).or_else(|| after(&["-n"]))
            {
                graph.create("Namespace", None, ns);
            }
        }
        if let Some(ns) = after(&["create", "namespace"]) {
            graph.create("Namespace", None, ns);
        }
        // A service's Secret, made from the laptop's .env.local (the script stops when it
        // cannot make it).
        if let Some(secret) = after(&["create", "secret", "generic"]) {
            let ns = after(&["--namespace"]).or_else(|| after(&["-n"]));
            graph.create("Secret", ns, secret);
        }
        // The ingress-nginx controller's own release manifest creates its IngressClass.
        if words.contains(&"apply") && words.iter().any(|w| w.contains("kubernetes/ingress-nginx/")) {
            graph.create("IngressClass", None, "nginx");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_makes_the_secrets_namespaces_and_classes_it_installs() {
        let mut graph = Graph::new();
        read(
            &mut graph,
            "run kubectl \"${kc[@]}\" --namespace 'shop' create secret generic 'api-env' --from-env-file=\"$f\"\n\
             run env KUBECONFIG=\"$kubeconfig\" minikube addons enable csi-hostpath-driver --profile \"$cluster\"\n\
             run kubectl \"${kc[@]}\" create namespace 'batch'\n",
        );
        let has = |kind: &str, ns: Option<&str>, name: &str| {
            graph
                .created
                .get(&(kind.to_string(), name.to_string()))
                .is_some_and(|c| c.iter().any(|(n, _)| n.as_deref() == ns))
        };
        assert!(has("Secret", Some("shop"), "api-env"));
        assert!(has("StorageClass", None, "csi-hostpath-sc"));
        assert!(has("Namespace", None, "batch"));
    }
}
