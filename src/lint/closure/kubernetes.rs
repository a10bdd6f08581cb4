//! What Kubernetes objects create and reference, read from a manifest's YAML (a plain
//! manifest, or a chart's template as Helm rendered it). The reference table, by source path:
//!
//! | from | path | to |
//! | --- | --- | --- |
//! | pod spec (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob, and any kind with a pod template: an Argo Rollout) | `serviceAccountName` | ServiceAccount |
//! | | `priorityClassName` | PriorityClass (but `system-*`) |
//! | | `imagePullSecrets[].name` | Secret |
//! | | `volumes[].secret.secretName`, `.projected.sources[].secret.name` | Secret (`optional`) |
//! | | `volumes[].configMap.name`, `.projected.sources[].configMap.name` | ConfigMap (`optional`) |
//! | | `volumes[].persistentVolumeClaim.claimName` | PersistentVolumeClaim |
//! | | containers' `env[].valueFrom.secretKeyRef.name`, `envFrom[].secretRef.name` | Secret (`optional`) |
//! | | containers' `env[].valueFrom.configMapKeyRef.name`, `envFrom[].configMapRef.name` | ConfigMap (`optional`) |
//! | Ingress | `spec.tls[].secretName` | Secret (issued by cert-manager when the Ingress names an issuer) |
//! | | `spec.ingressClassName` (else the `kubernetes.io/ingress.class` annotation) | IngressClass |
//! | HTTPRoute, GRPCRoute, TLSRoute, TCPRoute, UDPRoute | `spec.parentRefs[]` of kind Gateway | Gateway |
//! | Gateway | `spec.gatewayClassName` | GatewayClass |
//! | | `spec.listeners[].tls.certificateRefs[]` of kind Secret | Secret |
//! | PersistentVolumeClaim | `spec.storageClassName` | StorageClass |
//! | StatefulSet | `spec.volumeClaimTemplates[].spec.storageClassName` | StorageClass |
//! | VolumeSnapshot | `spec.volumeSnapshotClassName`, `spec.source.persistentVolumeClaimName` | VolumeSnapshotClass, PersistentVolumeClaim |
//! | SnapshotSchedule (snapscheduler) | `spec.snapshotTemplate.snapshotClassName` | VolumeSnapshotClass |
//! | RoleBinding, ClusterRoleBinding | `subjects[]` of kind ServiceAccount | ServiceAccount |
//! | any object | `metadata.namespace` | Namespace |
//! | any object of a group Kubernetes does not serve | `apiVersion`, `kind` | its CRD |
//!
//! Besides the object itself, a CustomResourceDefinition installs its kind, a
//! SecretProviderClass creates the Secrets of its `secretObjects`, a cert-manager Certificate
//! its `secretName`, an ExternalSecret its target, a SealedSecret its name, a StatefulSet the
//! claims of its claim templates (`<template>-<statefulset>-<ordinal>`, which its pods' volumes
//! are not asked for), and a Flux HelmRelease of a known chart the CRDs it installs.

use super::rules::{
    ACCESS_MODE_UNSERVED, CONFIG_MISSING, GATEWAY_OR_CLASS_MISSING, KEY_VAULT_MISSING, KIND_WITHOUT_CRD,
    NAMESPACE_MISSING, PRIORITY_CLASS_MISSING, SERVICE_ACCOUNT_MISSING, STORAGE_MISSING,
};
use super::{CRD, Graph, Reference, platform};
use crate::diag::{Rule, Source, Span};
use crate::yaml::{self, Node, Value};

/// Reads the objects of a manifest into the graph. A file that is not YAML, or a
/// kustomization, adds nothing (the family reports what is wrong with it).
pub fn read(graph: &mut Graph, source: &Source, origin: usize) {
    if crate::lint::kubernetes::kustomize::is_kustomization(crate::lint::file_name(source.name())) {
        return;
    }
    let loaded = yaml::load(source.name(), source.text().as_bytes(), &crate::lint::kubernetes::POLICY);
    let Ok(docs) = loaded.documents else { return };
    let roots: Vec<&Node> = docs.iter().map(|d| &d.root).collect();
    read_objects(graph, source, &roots, origin);
}

/// Reads the objects of a manifest, already parsed (each document's root), into the graph.
pub fn read_objects(graph: &mut Graph, source: &Source, roots: &[&Node], origin: usize) {
    // The loader reads the text without its byte-order mark; findings quote the file with it.
    let shift = if source.text().starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let locate = |s: Span| (origin, Span::new(s.start + shift, s.end + shift));
    read_located(graph, roots.iter().copied(), &locate);
}

/// Reads objects whose nodes may come from several files (a kustomization's build: an
/// overlay's patch in its base's object): `locate` gives the file (its origin) and the span in
/// it of a node's span.
pub fn read_located<'n>(
    graph: &mut Graph,
    roots: impl Iterator<Item = &'n Node>,
    locate: &dyn Fn(Span) -> (usize, Span),
) {
    for root in roots {
        let mut ctx = Ctx { graph: &mut *graph, locate, from: String::new(), namespace: None };
        ctx.object(root);
    }
}

/// The names of the secrets (`objectType: secret`) an Azure SecretProviderClass's `objects`
/// lists: YAML in a string, `array:` of items that are YAML strings themselves, read line by
/// line (`objectName: x`, `objectType: secret`).
fn key_vault_secrets(objects: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut item: (Option<String>, Option<String>) = (None, None);
    let mut flush = |item: &mut (Option<String>, Option<String>)| {
        if let (Some(name), Some(kind)) = std::mem::take(item)
            && kind == "secret"
        {
            out.push(name);
        }
    };
    for line in objects.lines() {
        let line = line.trim();
        if line.starts_with('-') {
            flush(&mut item);
        }
        let line = line.trim_start_matches(|c: char| c == '-' || c == '|' || c.is_whitespace());
        let value = |v: &str| v.trim().trim_matches(|c| c == '"' || c == '\'').to_string();
        if let Some(v) = line.strip_prefix("objectName:") {
            item.0 = Some(value(v));
        } else if let Some(v) = line.strip_prefix("objectType:") {
            item.1 = Some(value(v));
        }
    }
    flush(&mut item);
    out
}

/// The string at `key` of a mapping.
fn text<'a>(node: &'a Node, key: &str) -> Option<&'a str> {
    node.get(key).and_then(Node::as_str)
}

/// The items of the sequence at `key` (none when absent or not a sequence).
fn items<'a>(node: &'a Node, key: &str) -> &'a [Node] {
    match node.get(key).map(|n| &n.value) {
        Some(Value::Seq(items)) => items,
        _ => &[],
    }
}

/// Whether the mapping says `optional: true`.
fn optional(node: &Node) -> bool {
    matches!(node.get("optional").map(|n| &n.value), Some(Value::Bool(true)))
}

/// Reading one object: where its findings go and what it is.
struct Ctx<'g> {
    graph: &'g mut Graph,
    /// The file (its origin) and span in it of a node's span.
    locate: &'g dyn Fn(Span) -> (usize, Span),
    /// The object, for messages: `Deployment/shop`.
    from: String,
    namespace: Option<String>,
}

impl Ctx<'_> {
    /// A reference to the object of `kind` named by the string at `node`, in `namespace`.
    fn refer(
        &mut self,
        rule: &'static Rule,
        kind: &str,
        namespace: Option<&str>,
        node: &Node,
        optional: bool,
        how: String,
    ) {
        let Some(name) = node.as_str().filter(|n| !n.is_empty()) else { return };
        self.refer_at(rule, kind, namespace, name.to_string(), optional, node.span, how);
    }

    /// A reference to the object of `kind` named `name` (as the caller derives it), reported
    /// at `at`, a span of the object's own text.
    #[allow(clippy::too_many_arguments)]
    fn refer_at(
        &mut self,
        rule: &'static Rule,
        kind: &str,
        namespace: Option<&str>,
        name: String,
        optional: bool,
        at: Span,
        how: String,
    ) {
        let (origin, span) = (self.locate)(at);
        let scope = self.graph.current.clone();
        self.graph.refer(Reference {
            rule,
            kind: kind.to_string(),
            namespace: namespace.map(str::to_string),
            name,
            optional,
            from: self.from.clone(),
            how,
            span,
            origin,
            scope,
        });
    }

    /// A claim's (or a claim template's) `spec` that asks for a volume many nodes mount: a
    /// reference to a class that serves one, its own or (none named) the cluster's default.
    /// An empty class name binds a volume made by hand, which is not judged.
    fn shared_claim(&mut self, spec: &Node, what: &str) {
        let Some(mode) =
            items(spec, "accessModes").iter().find(|m| matches!(m.as_str(), Some("ReadWriteMany" | "ReadOnlyMany")))
        else {
            return;
        };
        let class = match spec.get("storageClassName") {
            Some(node) => match node.as_str() {
                Some("") | None => return,
                Some(class) => class,
            },
            None => "",
        };
        let how = format!("asks {what}for {} volumes, which many nodes mount, of @", mode.as_str().unwrap_or_default());
        self.refer_at(&ACCESS_MODE_UNSERVED, super::SHARED_CLASS, None, class.to_string(), false, mode.span, how);
    }

    /// A reference in the object's own namespace.
    fn local(&mut self, rule: &'static Rule, kind: &str, node: Option<&Node>, optional: bool, how: String) {
        if let Some(node) = node {
            let ns = self.namespace.clone();
            self.refer(rule, kind, ns.as_deref(), node, optional, how);
        }
    }

    /// An Azure SecretProviderClass's `spec`: the vault it reads, and each secret in it.
    fn key_vault(&mut self, spec: &Node) {
        let Some(parameters) = spec.get("parameters") else { return };
        let Some(node) = parameters.get("keyvaultName") else { return };
        let Some(vault) = node.as_str().filter(|v| !v.is_empty()).map(str::to_ascii_lowercase) else { return };
        self.refer_at(&KEY_VAULT_MISSING, super::KEY_VAULT, None, vault.clone(), false, node.span, "reads @".into());
        let Some(objects) = parameters.get("objects") else { return };
        for object in key_vault_secrets(objects.as_str().unwrap_or_default()) {
            let name = format!("{vault}/{}", object.to_ascii_lowercase());
            let how = format!("reads @ (the secret `{object}` of vault `{vault}`)");
            self.refer_at(&KEY_VAULT_MISSING, super::KEY_VAULT_SECRET, None, name, false, objects.span, how);
        }
    }

    fn object(&mut self, root: &Node) {
        let (Some(api_version), Some(kind)) = (text(root, "apiVersion"), text(root, "kind")) else { return };
        let metadata = root.get("metadata");
        let name = metadata.and_then(|m| text(m, "name")).unwrap_or("");
        self.namespace = metadata.and_then(|m| text(m, "namespace")).map(str::to_string);
        self.from = if name.is_empty() { kind.to_string() } else { format!("{kind}/{name}") };
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let ns = self.namespace.clone();
        if !name.is_empty() {
            self.graph.create(kind, ns.as_deref(), name);
        }
        let scope = self.graph.current.clone();
        self.graph.kinds.insert((group.to_string(), kind.to_string(), scope));
        if let Some(node) = metadata.and_then(|m| m.get("namespace")) {
            self.refer(&NAMESPACE_MISSING, "Namespace", None, node, false, "is created in @".into());
        }
        if !platform::builtin_group(group)
            && let Some(node) = root.get("kind")
        {
            // The kind's CRD, by its name; a chart that installs the whole group resolves it too.
            let how = format!("is a {kind}, a kind served only once @ is installed");
            let crd = format!("{}.{group}", platform::plural(kind));
            self.refer_at(&KIND_WITHOUT_CRD, CRD, None, crd, false, node.span, how);
        }
        let spec = root.get("spec");
        match (group, kind) {
            ("apiextensions.k8s.io", "CustomResourceDefinition") => {
                if let Some(spec) = spec
                    && let (Some(g), Some(k)) = (text(spec, "group"), spec.get("names").and_then(|n| text(n, "kind")))
                {
                    self.graph.install_crd(g, k);
                }
            }
            ("secrets-store.csi.x-k8s.io", "SecretProviderClass") => {
                for o in spec.map(|s| items(s, "secretObjects")).unwrap_or_default() {
                    if let Some(secret) = text(o, "secretName") {
                        self.graph.create("Secret", ns.as_deref(), secret);
                    }
                }
                if let Some(spec) = spec
                    && text(spec, "provider") == Some(crate::platform::azure::SECRETS_STORE_PROVIDER)
                {
                    self.key_vault(spec);
                }
            }
            ("cert-manager.io", "Certificate") => {
                if let Some(secret) = spec.and_then(|s| text(s, "secretName")) {
                    self.graph.create("Secret", ns.as_deref(), secret);
                }
            }
            (g, "ExternalSecret") if g.starts_with("external-secrets.io") => {
                let target = spec.and_then(|s| s.get("target")).and_then(|t| text(t, "name")).unwrap_or(name);
                self.graph.create("Secret", ns.as_deref(), target);
            }
            ("bitnami.com", "SealedSecret") if !name.is_empty() => self.graph.create("Secret", ns.as_deref(), name),
            (g, "HelmRelease") if g.starts_with("helm.toolkit.fluxcd.io") => {
                // The chart it installs, by the names Flux gives it: the chart's, the
                // source's, the release's.
                let chart =
                    spec.and_then(|s| s.get("chart")).and_then(|c| c.get("spec")).and_then(|c| text(c, "chart"));
                let source = spec.and_then(|s| s.get("chartRef")).and_then(|c| text(c, "name"));
                let release = spec.and_then(|s| text(s, "releaseName"));
                let installs = [chart, source, release, Some(name)].into_iter().flatten();
                if let Some(software) = installs.filter_map(super::software::by_chart).next() {
                    software.groups.iter().for_each(|g| self.graph.install_group(g));
                }
                if chart == Some(crate::platform::KUBE_PROMETHEUS_STACK.chart) {
                    // Flux names the release `[<targetNamespace>-]<name>` unless it is given one.
                    let target = spec.and_then(|s| text(s, "targetNamespace"));
                    let named = match (release, target) {
                        (Some(r), _) => r.to_string(),
                        (None, Some(t)) => format!("{t}-{name}"),
                        (None, None) => name.to_string(),
                    };
                    let values = spec.and_then(|s| s.get("values"));
                    let from_elsewhere = spec.is_none_or(|s| s.get("valuesFrom").is_some());
                    let reads_own = !from_elsewhere && !values.is_some_and(super::monitoring::values_select);
                    let receivers = if from_elsewhere { None } else { Some(super::monitoring::values_receive(values)) };
                    self.graph.stack_release(reads_own.then_some(named.as_str()), receivers);
                }
            }
            ("monitoring.coreos.com", "Prometheus" | "ServiceMonitor" | "PodMonitor" | "PrometheusRule") => {
                // A monitor is found at its labels (what a Prometheus selects it by), else
                // at its kind.
                let at = metadata.and_then(|m| m.get("labels")).or(root.get("kind")).map_or(root.span, |n| n.span);
                let (origin, span) = (self.locate)(at);
                let from = self.from.clone();
                self.graph.monitoring_object(root, kind, &from, (span, origin), self.locate);
            }
            ("networking.k8s.io" | "extensions", "Ingress") => self.ingress(root, spec),
            ("gateway.networking.k8s.io", "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute") => {
                self.route(spec)
            }
            ("gateway.networking.k8s.io", "Gateway") => self.gateway(spec),
            ("", "PersistentVolumeClaim") => {
                if let Some(class) = spec.and_then(|s| s.get("storageClassName")) {
                    self.refer(&STORAGE_MISSING, "StorageClass", None, class, false, "provisions from @".into());
                }
                if let Some(spec) = spec {
                    self.shared_claim(spec, "");
                }
            }
            ("storage.k8s.io", "StorageClass") => {
                // A class whose volumes many nodes may mount, or whose provisioner gen cannot
                // tell: a claim of many nodes is not judged against it.
                let provisioner = text(root, "provisioner").unwrap_or("");
                if !name.is_empty() && !super::platform::SINGLE_NODE_PROVISIONERS.contains(&provisioner) {
                    self.graph.create(super::SHARED_CLASS, None, name);
                    let default = metadata
                        .and_then(|m| m.get("annotations"))
                        .and_then(|a| text(a, "storageclass.kubernetes.io/is-default-class"));
                    if default == Some("true") {
                        self.graph.create(super::SHARED_CLASS, None, "");
                    }
                }
            }
            ("snapshot.storage.k8s.io", "VolumeSnapshot") => {
                let class = spec.and_then(|s| s.get("volumeSnapshotClassName"));
                if let Some(class) = class {
                    self.refer(&STORAGE_MISSING, "VolumeSnapshotClass", None, class, false, "snapshots with @".into());
                }
                let claim = spec.and_then(|s| s.get("source")).and_then(|s| s.get("persistentVolumeClaimName"));
                self.local(&STORAGE_MISSING, "PersistentVolumeClaim", claim, false, "snapshots @".into());
            }
            ("snapscheduler.backube", "SnapshotSchedule") => {
                let class = spec.and_then(|s| s.get("snapshotTemplate")).and_then(|t| t.get("snapshotClassName"));
                if let Some(class) = class {
                    self.refer(&STORAGE_MISSING, "VolumeSnapshotClass", None, class, false, "snapshots with @".into());
                }
            }
            ("rbac.authorization.k8s.io", "RoleBinding" | "ClusterRoleBinding") => {
                for s in items(root, "subjects") {
                    if text(s, "kind") == Some("ServiceAccount")
                        && let Some(n) = s.get("name")
                    {
                        let subject_ns = text(s, "namespace").map(str::to_string).or(ns.clone());
                        let how = "binds a role to @".to_string();
                        self.refer(&SERVICE_ACCOUNT_MISSING, "ServiceAccount", subject_ns.as_deref(), n, false, how);
                    }
                }
            }
            _ => {}
        }
        // A StatefulSet's claim templates: the claims `<template>-<statefulset>-<ordinal>` it
        // makes, and the class each provisions from.
        let mut claims = Vec::new();
        if (group, kind) == ("apps", "StatefulSet") {
            for t in spec.map(|s| items(s, "volumeClaimTemplates")).unwrap_or_default() {
                let Some(template) = t.get("metadata").and_then(|m| text(m, "name")) else { continue };
                claims.push(template.to_string());
                self.graph.claim_template(format!("{template}-{name}-"), ns.as_deref());
                if let Some(class) = t.get("spec").and_then(|s| s.get("storageClassName")) {
                    let how = format!("provisions its claims {template} from @");
                    self.refer(&STORAGE_MISSING, "StorageClass", None, class, false, how);
                }
                if let Some(spec) = t.get("spec") {
                    self.shared_claim(spec, &format!("its claims {template} "));
                }
            }
        }
        if let Some(pod) = pod_spec(group, kind, root) {
            self.pod(pod, &claims);
        }
    }

    fn ingress(&mut self, root: &Node, spec: Option<&Node>) {
        let Some(spec) = spec else { return };
        // cert-manager's ingress-shim issues the TLS secrets of an Ingress that names an issuer.
        let annotations = root.get("metadata").and_then(|m| m.get("annotations"));
        let issued = annotations.is_some_and(|a| {
            ["cert-manager.io/cluster-issuer", "cert-manager.io/issuer"].iter().any(|k| a.get(k).is_some())
        });
        let ns = self.namespace.clone();
        for tls in items(spec, "tls") {
            match (issued, text(tls, "secretName")) {
                (true, Some(secret)) => self.graph.create("Secret", ns.as_deref(), secret),
                _ => self.local(&CONFIG_MISSING, "Secret", tls.get("secretName"), false, "serves TLS with @".into()),
            }
        }
        // The class, or the annotation that named it before IngressClass objects.
        let legacy = annotations.and_then(|a| a.get("kubernetes.io/ingress.class"));
        if let Some(class) = spec.get("ingressClassName").or(legacy) {
            self.refer(&GATEWAY_OR_CLASS_MISSING, "IngressClass", None, class, false, "is served by @".into());
        }
    }

    fn route(&mut self, spec: Option<&Node>) {
        for parent in spec.map(|s| items(s, "parentRefs")).unwrap_or_default() {
            let is_gateway = text(parent, "kind").is_none_or(|k| k == "Gateway")
                && text(parent, "group").is_none_or(|g| g == "gateway.networking.k8s.io");
            if !is_gateway {
                continue;
            }
            let ns = text(parent, "namespace").map(str::to_string).or(self.namespace.clone());
            if let Some(n) = parent.get("name") {
                let how = "attaches to @".to_string();
                self.refer(&GATEWAY_OR_CLASS_MISSING, "Gateway", ns.as_deref(), n, false, how);
            }
        }
    }

    fn gateway(&mut self, spec: Option<&Node>) {
        let Some(spec) = spec else { return };
        if let Some(class) = spec.get("gatewayClassName") {
            self.refer(&GATEWAY_OR_CLASS_MISSING, "GatewayClass", None, class, false, "is implemented by @".into());
        }
        for listener in items(spec, "listeners") {
            for cert in listener.get("tls").map(|t| items(t, "certificateRefs")).unwrap_or_default() {
                let is_secret =
                    text(cert, "kind").is_none_or(|k| k == "Secret") && text(cert, "group").is_none_or(str::is_empty);
                if !is_secret {
                    continue;
                }
                let ns = text(cert, "namespace").map(str::to_string).or(self.namespace.clone());
                if let Some(n) = cert.get("name") {
                    self.refer(&CONFIG_MISSING, "Secret", ns.as_deref(), n, false, "serves TLS with @".into());
                }
            }
        }
    }

    fn pod(&mut self, pod: &Node, claims: &[String]) {
        let sa = pod.get("serviceAccountName").or_else(|| pod.get("serviceAccount"));
        self.local(&SERVICE_ACCOUNT_MISSING, "ServiceAccount", sa, false, "runs its pods as @".into());
        if let Some(class) = pod.get("priorityClassName") {
            self.refer(
                &PRIORITY_CLASS_MISSING,
                "PriorityClass",
                None,
                class,
                false,
                "schedules its pods with @".into(),
            );
        }
        for s in items(pod, "imagePullSecrets") {
            self.local(&CONFIG_MISSING, "Secret", s.get("name"), false, "pulls its images with @".into());
        }
        for v in items(pod, "volumes") {
            let volume = text(v, "name").unwrap_or("?");
            if let Some(secret) = v.get("secret") {
                let how = format!("mounts @ as volume {volume}");
                self.local(&CONFIG_MISSING, "Secret", secret.get("secretName"), optional(secret), how);
            }
            if let Some(cm) = v.get("configMap") {
                let how = format!("mounts @ as volume {volume}");
                self.local(&CONFIG_MISSING, "ConfigMap", cm.get("name"), optional(cm), how);
            }
            if let Some(claim) = v.get("persistentVolumeClaim") {
                // A StatefulSet's claim template makes its pods' claims, named after the volume.
                if !claims.iter().any(|c| c == volume) {
                    let how = format!("mounts @ as volume {volume}");
                    self.local(&STORAGE_MISSING, "PersistentVolumeClaim", claim.get("claimName"), false, how);
                }
            }
            for source in v.get("projected").map(|p| items(p, "sources")).unwrap_or_default() {
                for (key, kind) in [("secret", "Secret"), ("configMap", "ConfigMap")] {
                    if let Some(s) = source.get(key) {
                        let how = format!("projects @ into volume {volume}");
                        self.local(&CONFIG_MISSING, kind, s.get("name"), optional(s), how);
                    }
                }
            }
        }
        for list in ["initContainers", "containers", "ephemeralContainers"] {
            for c in items(pod, list) {
                self.container(c);
            }
        }
    }

    fn container(&mut self, c: &Node) {
        for e in items(c, "env") {
            let var = text(e, "name").unwrap_or("?");
            let Some(from) = e.get("valueFrom") else { continue };
            for (key, kind) in [("secretKeyRef", "Secret"), ("configMapKeyRef", "ConfigMap")] {
                if let Some(r) = from.get(key) {
                    let how = format!("reads @ in env {var}");
                    self.local(&CONFIG_MISSING, kind, r.get("name"), optional(r), how);
                }
            }
        }
        for e in items(c, "envFrom") {
            for (key, kind) in [("secretRef", "Secret"), ("configMapRef", "ConfigMap")] {
                if let Some(r) = e.get(key) {
                    self.local(&CONFIG_MISSING, kind, r.get("name"), optional(r), "reads its env from @".into());
                }
            }
        }
    }
}

/// The pod spec of a workload: a built-in one's, or a custom workload's pod template (an Argo
/// `Rollout`, a `Job` of another operator) where it has one with containers.
fn pod_spec<'a>(group: &str, kind: &str, root: &'a Node) -> Option<&'a Node> {
    let spec = root.get("spec")?;
    let template = |spec: &'a Node| spec.get("template")?.get("spec").filter(|s| s.get("containers").is_some());
    match (group, kind) {
        ("", "Pod") => Some(spec),
        ("batch", "CronJob") => spec.get("jobTemplate")?.get("spec")?.get("template")?.get("spec"),
        ("", "PodTemplate") => spec.get("template")?.get("spec"),
        _ => template(spec),
    }
}
