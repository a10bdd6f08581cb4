//! What well-known cluster software installs (its CRDs' API groups, its namespaces, the
//! IngressClass of an ingress controller) and what well-known clusters are created with, known
//! by the names people install them by: a Helm chart's name, a word of a release manifest's
//! URL, the name a README gives them ("install the Argo Rollouts controller"). The closure
//! check reads a chart a deployment installs (Terraform's `helm_release`, a Flux
//! `HelmRelease`, gen's deploy scripts) and the software or cluster a README tells its reader
//! to install or use through this one table.

/// One piece of software.
pub struct Software {
    /// The Helm charts that install it.
    pub charts: &'static [&'static str],
    /// Words of the URL of a release manifest that installs it (`kubectl apply -f <url>`).
    pub urls: &'static [&'static str],
    /// The names prose gives it, matched as whole words, case aside.
    pub names: &'static [&'static str],
    /// The API groups whose CRDs it installs.
    pub groups: &'static [&'static str],
    /// The namespaces it is installed in (by its documented install).
    pub namespaces: &'static [&'static str],
    /// The IngressClass it creates.
    pub ingress_class: Option<&'static str>,
    /// The GatewayClass it creates, when it makes one of its own.
    pub gateway_class: Option<&'static str>,
}

/// The software the closure check knows.
pub static SOFTWARE: &[Software] = &[
    Software {
        charts: &["cert-manager"],
        urls: &["cert-manager"],
        names: &["cert-manager"],
        groups: &["cert-manager.io", "acme.cert-manager.io"],
        namespaces: &["cert-manager"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["snapscheduler"],
        urls: &["snapscheduler"],
        names: &["snapscheduler"],
        groups: &["snapscheduler.backube"],
        namespaces: &[],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["argo-cd"],
        urls: &["argoproj/argo-cd"],
        names: &["argo cd", "argocd"],
        groups: &["argoproj.io"],
        namespaces: &["argocd"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["argo-rollouts"],
        urls: &["argo-rollouts"],
        names: &["argo rollouts"],
        groups: &["argoproj.io"],
        namespaces: &["argo-rollouts"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["secrets-store-csi-driver"],
        urls: &["secrets-store-csi-driver"],
        names: &["secrets store csi driver"],
        groups: &["secrets-store.csi.x-k8s.io"],
        namespaces: &[],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["external-secrets"],
        urls: &["external-secrets"],
        names: &["external secrets operator", "external-secrets"],
        groups: &["external-secrets.io", "generators.external-secrets.io"],
        namespaces: &["external-secrets"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["gateway-helm", "envoy-gateway"],
        urls: &["envoyproxy/gateway"],
        names: &["envoy gateway"],
        groups: &["gateway.networking.k8s.io", "gateway.envoyproxy.io"],
        namespaces: &["envoy-gateway-system"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["gateway-api", "gateway-crds-helm"],
        urls: &["gateway-api"],
        names: &["gateway api"],
        groups: &["gateway.networking.k8s.io"],
        namespaces: &[],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["kube-prometheus-stack", "prometheus-operator-crds", "prometheus-operator"],
        urls: &["prometheus-operator", "kube-prometheus"],
        names: &["prometheus operator", "kube-prometheus"],
        groups: &["monitoring.coreos.com"],
        namespaces: &["monitoring"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["keda"],
        urls: &["kedacore"],
        names: &["keda"],
        groups: &["keda.sh", "eventing.keda.sh"],
        namespaces: &["keda"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["traefik", "traefik-crds"],
        urls: &["traefik"],
        names: &["traefik"],
        groups: &["traefik.io", "traefik.containo.us"],
        namespaces: &["traefik"],
        ingress_class: Some("traefik"),
        gateway_class: None,
    },
    Software {
        charts: &["nginx-gateway-fabric"],
        urls: &["nginx-gateway-fabric"],
        names: &["nginx gateway fabric"],
        groups: &["gateway.nginx.org", "gateway.networking.k8s.io"],
        namespaces: &["nginx-gateway"],
        ingress_class: None,
        gateway_class: Some("nginx"),
    },
    Software {
        charts: &["aws-load-balancer-controller"],
        urls: &["aws-load-balancer-controller"],
        names: &["aws load balancer controller"],
        groups: &["elbv2.k8s.aws", "gateway.k8s.aws", "aga.k8s.aws"],
        namespaces: &[],
        ingress_class: Some("alb"),
        gateway_class: None,
    },
    Software {
        charts: &["ingress-nginx"],
        urls: &["ingress-nginx"],
        names: &["ingress-nginx"],
        groups: &[],
        namespaces: &["ingress-nginx"],
        ingress_class: Some("nginx"),
        gateway_class: None,
    },
    Software {
        charts: &["istiod", "istio-base"],
        urls: &["istio"],
        names: &["istio", "anthos service mesh", "cloud service mesh"],
        groups: &["networking.istio.io", "security.istio.io", "telemetry.istio.io", "extensions.istio.io"],
        namespaces: &["istio-system"],
        ingress_class: Some("istio"),
        gateway_class: Some("istio"),
    },
    Software {
        charts: &["eck-operator", "eck-operator-crds"],
        urls: &["download.elastic.co/downloads/eck", "cloud-on-k8s"],
        names: &["eck", "elastic cloud on kubernetes"],
        groups: &[
            "elasticsearch.k8s.elastic.co",
            "kibana.k8s.elastic.co",
            "agent.k8s.elastic.co",
            "apm.k8s.elastic.co",
            "beat.k8s.elastic.co",
            "enterprisesearch.k8s.elastic.co",
            "maps.k8s.elastic.co",
            "logstash.k8s.elastic.co",
            "stackconfigpolicy.k8s.elastic.co",
            "autoscaling.k8s.elastic.co",
        ],
        namespaces: &["elastic-system"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["flux2", "flux-operator"],
        urls: &["fluxcd/flux2"],
        names: &["flux", "fluxcd"],
        groups: &[
            "source.toolkit.fluxcd.io",
            "kustomize.toolkit.fluxcd.io",
            "helm.toolkit.fluxcd.io",
            "notification.toolkit.fluxcd.io",
            "image.toolkit.fluxcd.io",
            "source.extensions.fluxcd.io",
        ],
        namespaces: &["flux-system"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["dapr"],
        urls: &["dapr"],
        names: &["dapr"],
        groups: &["dapr.io"],
        namespaces: &["dapr-system"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["kueue"],
        urls: &["kueue"],
        names: &["kueue"],
        groups: &["kueue.x-k8s.io"],
        namespaces: &["kueue-system"],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["sealed-secrets"],
        urls: &["sealed-secrets"],
        names: &["sealed secrets", "sealed-secrets"],
        groups: &["bitnami.com"],
        namespaces: &[],
        ingress_class: None,
        gateway_class: None,
    },
    Software {
        charts: &["strimzi-kafka-operator"],
        urls: &["strimzi"],
        names: &["strimzi"],
        groups: &["kafka.strimzi.io", "core.strimzi.io"],
        namespaces: &[],
        ingress_class: None,
        gateway_class: None,
    },
];

/// The software a Helm chart of this name installs.
pub fn by_chart(chart: &str) -> Option<&'static Software> {
    SOFTWARE.iter().find(|s| s.charts.contains(&chart))
}

/// The software a release manifest at this URL installs.
pub fn by_url(url: &str) -> Option<&'static Software> {
    let lower = url.to_ascii_lowercase();
    SOFTWARE.iter().find(|s| s.urls.iter().any(|u| lower.contains(u)))
}

/// The software prose tells its reader to install or use: a name (as whole words, case aside)
/// with an instruction a few words before it on its line (`install the Argo Rollouts
/// controller`, `using the ECK operator`), not one the text only mentions (`the official Istio
/// repository`).
pub fn named_in(text: &str) -> Vec<&'static Software> {
    let lower = without_link_targets(&text.to_ascii_lowercase());
    SOFTWARE.iter().filter(|s| s.names.iter().any(|n| instructed(&lower, n))).collect()
}

/// Markdown text with the targets of its links left out (`[text](url)` reads as `[text]`): a
/// URL's words are not the sentence's.
fn without_link_targets(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        out.push_str(&rest[..=at]);
        let after = &rest[at + 2..];
        match after.find(')') {
            Some(end) if !after[..end].contains(char::is_whitespace) => rest = &after[end + 1..],
            _ => rest = &rest[at + 1..],
        }
    }
    out.push_str(rest);
    out
}

/// Words that tell a reader to have software in their cluster.
const INSTRUCTIONS: &[&str] = &[
    "install",
    "installs",
    "installed",
    "installing",
    "using",
    "use",
    "requires",
    "require",
    "need",
    "needs",
    "enable",
    "deploy",
];

/// Words after software that say the reader's cluster has it (`the Gateway API ... enabled`).
const STATES: &[&str] = &["enabled", "installed", "required", "running"];

/// Whether `phrase` is on a line of `text` with an instruction at most four words before it,
/// or a state at most four words after it.
fn instructed(text: &str, phrase: &str) -> bool {
    let separator = |c: char| !c.is_ascii_alphanumeric();
    // Each place the phrase is, then its line: a walk of every line for each of the names
    // was a tenth of a render's time.
    text.match_indices(phrase).any(|(found, _)| {
        let start = text[..found].rfind('\n').map_or(0, |i| i + 1);
        let end = text[found..].find('\n').map_or(text.len(), |i| found + i);
        let (line, at) = (&text[start..end], found - start);
        let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
        if word(line[..at].chars().next_back()) || word(line[at + phrase.len()..].chars().next()) {
            return false;
        }
        // The four words on each side, read in place: a README names `helm` or `kubectl` on
        // hundreds of lines, and collecting each line's words was most of this check.
        let mut before = line[..at].rsplit(separator).filter(|w| !w.is_empty()).take(4);
        let mut after = line[at + phrase.len()..].split(separator).filter(|w| !w.is_empty()).take(4);
        before.any(|w| INSTRUCTIONS.contains(&w)) || after.any(|w| STATES.contains(&w))
    })
}

/// Whether `phrase` is in `text` with no letter or digit right before or after it.
pub fn has_words(text: &str, phrase: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_ascii_alphanumeric());
    text.match_indices(phrase)
        .any(|(at, _)| !word(text[..at].chars().next_back()) && !word(text[at + phrase.len()..].chars().next()))
}

/// A cluster people name (a managed service, a laptop's), and what it is created with.
pub struct NamedCluster {
    pub names: &'static [&'static str],
    pub storage_classes: &'static [&'static str],
    pub groups: &'static [&'static str],
    pub ingress_classes: &'static [&'static str],
}

/// The clusters the closure check knows by name, beyond gen's own platforms.
pub static CLUSTERS: &[NamedCluster] = &[
    NamedCluster {
        names: &["gke", "google kubernetes engine"],
        storage_classes: &["standard", "standard-rwo", "premium-rwo", "standard-rwx", "premium-rwx"],
        groups: &[
            "networking.gke.io",
            "cloud.google.com",
            "monitoring.googleapis.com",
            "nodemanagement.gke.io",
            "snapshot.storage.k8s.io",
            "hub.gke.io",
            "auto.gke.io",
        ],
        ingress_classes: &["gce", "gce-internal"],
    },
    NamedCluster {
        names: &["aks", "azure kubernetes service"],
        storage_classes: crate::platform::azure::STORAGE_CLASSES,
        groups: &["snapshot.storage.k8s.io"],
        ingress_classes: &[],
    },
    NamedCluster {
        names: &["eks", "amazon elastic kubernetes service"],
        storage_classes: &["gp2", "gp3"],
        groups: &["vpcresources.k8s.aws", "crd.k8s.amazonaws.com"],
        ingress_classes: &[],
    },
    NamedCluster {
        names: &["minikube", "kind cluster"],
        storage_classes: &["standard"],
        groups: &[],
        ingress_classes: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn software_is_found_by_chart_url_and_name() {
        assert!(by_chart("cert-manager").is_some_and(|s| s.groups.contains(&"cert-manager.io")));
        let url = "https://github.com/jetstack/cert-manager/releases/download/v1.0.4/cert-manager.yaml";
        assert!(by_url(url).is_some_and(|s| s.groups.contains(&"cert-manager.io")));
        let named = named_in("1. Install the Argo Rollouts controller in your cluster");
        assert!(named.iter().any(|s| s.groups.contains(&"argoproj.io")));
        assert!(!named_in("in Autopilot mode using the Elastic Cloud on Kubernetes (ECK) operator").is_empty());
        assert!(named_in("a workflow of its own").is_empty(), "`flow` is not Flux");
        assert!(named_in("to build/push images to the official Istio repository").is_empty(), "a mention asks nothing");
        let linked =
            "we need [GKE Workload Identity](https://x.y/a), and the [Gateway API definitions](https://x.y/b) enabled";
        assert!(!named_in(linked).is_empty(), "a link's URL is not part of its sentence");
        assert!(!has_words("fluxcd", "flux"), "a word, not part of one");
    }
}
