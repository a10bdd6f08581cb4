//! Kubernetes manifests (plain files and Kustomize bases): each Deployment or StatefulSet is a
//! service, and the Services, Ingresses, HPAs, claims, Secrets and ConfigMaps that relate to it
//! add its port, hosts and paths, autoscaling, volume and env.

use super::model::{Kind, Origin, Selector, Service};
use super::yamls::{Yaml, entries, int, items, path, text};
use crate::yaml::Node;

/// Images of the services a repository runs beside its own: not services gen renders.
pub const DEPENDENCY_IMAGES: [&str; 14] = [
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "redis",
    "mongo",
    "mongodb",
    "rabbitmq",
    "memcached",
    "elasticsearch",
    "nginx",
    "bitnami/postgresql",
    "bitnami/redis",
    "adminer",
];

/// Whether an image is a known dependency's (`postgres:16`, `docker.io/library/redis`).
pub fn is_dependency(image: &str) -> bool {
    let name = image.split(['@', ':']).next().unwrap_or(image);
    let short = name.trim_start_matches("docker.io/").trim_start_matches("library/");
    DEPENDENCY_IMAGES.iter().any(|d| short == *d || short.ends_with(&format!("/{d}")))
}

/// One object of a manifest, with the file it is in.
struct Object<'a> {
    file: &'a Yaml,
    node: &'a Node,
    kind: String,
    name: String,
}

/// What the manifests say: services, dependencies, and TODOs for what they leave unsaid.
#[derive(Default)]
pub struct Read {
    pub services: Vec<Service>,
    pub dependencies: Vec<(String, Origin)>,
    /// The Azure container registries the images come from (`NAME.azurecr.io/...`).
    pub registries: Vec<(String, Origin)>,
}

/// The name a Deployment's service goes by: without a `-deployment` suffix.
pub fn service_name(name: &str) -> String {
    for suffix in ["-deployment", "-deploy", "-dep", "-statefulset", "-sts"] {
        if let Some(stem) = name.strip_suffix(suffix)
            && !stem.is_empty()
        {
            return stem.to_string();
        }
    }
    name.to_string()
}

/// A workload's replicas and its container's resources, into `s`.
fn sizes(file: &Yaml, workload: &Node, container: Option<&Node>, s: &mut Service) {
    if let Some(n) = path(workload, &["spec", "replicas"])
        && let Some(r) = int(n).and_then(|r| u32::try_from(r).ok())
    {
        s.replicas.add(r, file.at(n), Kind::Kubernetes);
    }
    for (field, target) in [
        (["requests", "cpu"], &mut s.cpu_request),
        (["requests", "memory"], &mut s.memory_request),
        (["limits", "cpu"], &mut s.cpu_limit),
        (["limits", "memory"], &mut s.memory_limit),
    ] {
        if let Some(n) = container.and_then(|c| c.get("resources")).and_then(|r| path(r, &field))
            && let Some(v) = text(n)
        {
            target.add(v, file.at(n), Kind::Kubernetes);
        }
    }
}

/// What a kustomize patch sets of each Deployment it patches (by the service's name): its
/// replicas and its first container's resources.
pub fn patched(file: &Yaml) -> Vec<(String, Service)> {
    let mut out = Vec::new();
    for node in &file.docs {
        let kind = node.get("kind").and_then(Node::as_str);
        let name = path(node, &["metadata", "name"]).and_then(Node::as_str);
        if let (Some("Deployment" | "StatefulSet"), Some(name)) = (kind, name) {
            let mut s = Service::default();
            let containers = items(path(node, &["spec", "template", "spec", "containers"]));
            sizes(file, node, containers.first(), &mut s);
            out.push((service_name(name), s));
        }
    }
    out
}

pub fn read(files: &[Yaml]) -> Read {
    let mut objects = Vec::new();
    for file in files {
        for node in &file.docs {
            // A `List` holds objects in `items`.
            let nodes: Vec<&Node> = if node.get("kind").and_then(Node::as_str) == Some("List") {
                items(node.get("items")).iter().collect()
            } else {
                vec![node]
            };
            for node in nodes {
                let (Some(kind), Some(name)) =
                    (node.get("kind").and_then(Node::as_str), path(node, &["metadata", "name"]).and_then(Node::as_str))
                else {
                    continue;
                };
                objects.push(Object { file, node, kind: kind.to_string(), name: name.to_string() });
            }
        }
    }
    let mut out = Read::default();
    for workload in objects.iter().filter(|o| matches!(o.kind.as_str(), "Deployment" | "StatefulSet")) {
        let pod = path(workload.node, &["spec", "template"]);
        let containers = items(pod.and_then(|p| path(p, &["spec", "containers"])));
        let Some(container) = containers.first() else { continue };
        let image = container.get("image").and_then(Node::as_str).unwrap_or_default();
        if is_dependency(image) {
            out.dependencies.push((
                format!("{} `{}` (image {image})", workload.kind, workload.name),
                workload.file.at(workload.node),
            ));
            continue;
        }
        let mut s = Service::default();
        let at = |n: &Node| workload.file.at(n);
        if let Some(n) = path(workload.node, &["metadata", "name"]) {
            s.name.add(service_name(&workload.name), at(n), Kind::Kubernetes);
        }
        s.images.push(image.to_string());
        if let Some(n) = path(workload.node, &["spec", "selector", "matchLabels"]) {
            let labels = entries(Some(n)).iter().map(|e| (e.key.clone(), text(&e.value))).collect();
            s.selector = Some(Selector {
                labels,
                at: at(n),
                deployment: Some(workload.name.clone()),
                namespace: path(workload.node, &["metadata", "namespace"]).and_then(text),
            });
        }
        if let Some(n) = container.get("image")
            && let Some(acr) = image.split('/').next().and_then(|host| host.strip_suffix(".azurecr.io"))
            && !acr.is_empty()
        {
            out.registries.push((acr.to_string(), at(n)));
        }
        if let Some(n) = container.get("image") {
            s.remarks.push((format!("the cluster ran the image `{image}`; gen builds and tags its own"), at(n)));
        }
        if containers.len() > 1 {
            s.todos.push(format!(
                "{} runs {} containers: gen's flask service is the first (`{}`); the others are not carried over",
                at(workload.node),
                containers.len(),
                container.get("name").and_then(Node::as_str).unwrap_or("?")
            ));
        }
        sizes(workload.file, workload.node, Some(container), &mut s);
        let ports = items(container.get("ports"));
        if let Some(n) = ports.first().and_then(|p| p.get("containerPort"))
            && let Some(p) = int(n).and_then(|p| u16::try_from(p).ok())
        {
            s.port.add(p, at(n), Kind::Kubernetes);
        }
        let mut probe_todos = Vec::new();
        for (probe, which, target) in
            [("livenessProbe", "liveness", &mut s.liveness), ("readinessProbe", "readiness", &mut s.readiness)]
        {
            let Some(p) = container.get(probe) else { continue };
            if let Some(n) = path(p, &["httpGet", "path"])
                && let Some(v) = n.as_str()
            {
                target.add(v.to_string(), at(n), Kind::Kubernetes);
            } else if let Some((how, n)) = ["tcpSocket", "exec", "grpc"].iter().find_map(|k| p.get(k).map(|n| (*k, n)))
            {
                probe_todos.push(format!(
                    "{}: the {which} probe is a {how} probe, and gen probes over HTTP (a GET of health.{which}): \
                     write the path the app answers with 200 under health.{which}",
                    at(n)
                ));
            }
        }
        s.todos.extend(probe_todos);
        env(workload, container, &objects, &mut s);
        volumes(workload, pod, container, &objects, &mut s);
        let labels = pod.and_then(|p| path(p, &["metadata", "labels"]));
        for svc in objects.iter().filter(|o| o.kind == "Service" && selects(o.node, labels)) {
            if let Some(n) = path(svc.node, &["spec", "type"])
                && let Some(kind @ ("LoadBalancer" | "NodePort")) = n.as_str()
            {
                let port = items(path(svc.node, &["spec", "ports"]))
                    .first()
                    .and_then(|p| p.get("port"))
                    .and_then(text)
                    .map(|p| format!(" on port {p}"))
                    .unwrap_or_default();
                s.todos.push(format!(
                    "{}: the Service `{}` is a {kind}, which exposed the app itself{port}; gen's Service is \
                     ClusterIP and exposes the app through the ingress: write ingress: with the host it is to be \
                     reached at (and point its DNS there)",
                    svc.file.at(n),
                    svc.name
                ));
            }
            for p in items(path(svc.node, &["spec", "ports"])) {
                if let Some(n) = p.get("targetPort")
                    && let Some(port) = int(n).and_then(|p| u16::try_from(p).ok())
                {
                    s.port.add(port, svc.file.at(n), Kind::Kubernetes);
                }
            }
            ingresses(&svc.name, &objects, &mut s);
        }
        for hpa in objects.iter().filter(|o| {
            o.kind == "HorizontalPodAutoscaler"
                && path(o.node, &["spec", "scaleTargetRef", "name"]).and_then(Node::as_str)
                    == Some(workload.name.as_str())
        }) {
            autoscaler(hpa, &mut s);
        }
        out.services.push(s);
    }
    out
}

/// Whether a Service's selector picks pods with these labels.
fn selects(service: &Node, labels: Option<&Node>) -> bool {
    let selector = entries(path(service, &["spec", "selector"]));
    !selector.is_empty() && selector.iter().all(|e| labels.and_then(|l| l.get(&e.key)).and_then(text) == text(&e.value))
}

/// The pod's env: values (credentials by name only), Secret and ConfigMap references.
fn env(workload: &Object<'_>, container: &Node, objects: &[Object<'_>], s: &mut Service) {
    let at = |n: &Node| workload.file.at(n);
    for e in items(container.get("env")) {
        let Some(name) = e.get("name").and_then(Node::as_str) else { continue };
        if let Some(v) = e.get("value") {
            s.add_env(name, &text(v).unwrap_or_default(), at(e), Kind::Kubernetes);
        } else if e.get("valueFrom").and_then(|v| v.get("secretKeyRef")).is_some() {
            s.add_secret(name, at(e));
        } else if let Some(r) = e.get("valueFrom").and_then(|v| v.get("configMapKeyRef")) {
            let map = r.get("name").and_then(Node::as_str).unwrap_or_default();
            let key = r.get("key").and_then(Node::as_str).unwrap_or_default();
            match find(objects, "ConfigMap", map).and_then(|m| path(m.node, &["data", key]).map(|v| (m, v))) {
                Some((m, v)) => s.add_env(name, &text(v).unwrap_or_default(), m.file.at(v), Kind::Kubernetes),
                None => s.todos.push(format!(
                    "{}: env {name} comes from the ConfigMap `{map}`, which is not in the repository: write its value under env",
                    at(e)
                )),
            }
        }
    }
    for e in items(container.get("envFrom")) {
        if let Some(secret) = path(e, &["secretRef", "name"]).and_then(Node::as_str) {
            match find(objects, "Secret", secret) {
                Some(obj) => {
                    for key in entries(obj.node.get("data")).iter().chain(entries(obj.node.get("stringData"))) {
                        s.add_secret(&key.key, Origin::new(obj.file.source.name(), obj.file.source.position(key.key_span).line));
                    }
                }
                None => s.todos.push(format!(
                    "{}: the env comes from the Secret `{secret}`, which is not in the repository: list its keys under secretEnv",
                    at(e)
                )),
            }
        }
        if let Some(map) = path(e, &["configMapRef", "name"]).and_then(Node::as_str) {
            match find(objects, "ConfigMap", map) {
                Some(obj) => {
                    for entry in entries(obj.node.get("data")) {
                        s.add_env(
                            &entry.key,
                            &text(&entry.value).unwrap_or_default(),
                            obj.file.at(&entry.value),
                            Kind::Kubernetes,
                        );
                    }
                }
                None => s.todos.push(format!(
                    "{}: the env comes from the ConfigMap `{map}`, which is not in the repository: write it under env",
                    at(e)
                )),
            }
        }
    }
}

fn find<'a>(objects: &'a [Object<'a>], kind: &str, name: &str) -> Option<&'a Object<'a>> {
    objects.iter().find(|o| o.kind == kind && o.name == name)
}

/// The first volume claim the container mounts: its path, size and access mode.
fn volumes(workload: &Object<'_>, pod: Option<&Node>, container: &Node, objects: &[Object<'_>], s: &mut Service) {
    let at = |n: &Node| workload.file.at(n);
    let volumes = items(pod.and_then(|p| path(p, &["spec", "volumes"])));
    let templates = items(path(workload.node, &["spec", "volumeClaimTemplates"]));
    let mut claimed = false;
    for mount in items(container.get("volumeMounts")) {
        let Some(name) = mount.get("name").and_then(Node::as_str) else { continue };
        let Some(mount_path) = mount.get("mountPath") else { continue };
        let volume = volumes.iter().find(|v| v.get("name").and_then(Node::as_str) == Some(name));
        let claim_name = volume.and_then(|v| path(v, &["persistentVolumeClaim", "claimName"])).and_then(Node::as_str);
        let (claim_spec, claim_file): (Option<&Node>, Option<&Yaml>) = match claim_name {
            Some(c) => match find(objects, "PersistentVolumeClaim", c) {
                Some(o) => (o.node.get("spec"), Some(o.file)),
                None => (None, None),
            },
            None => {
                match templates.iter().find(|t| path(t, &["metadata", "name"]).and_then(Node::as_str) == Some(name)) {
                    Some(t) => (t.get("spec"), Some(workload.file)),
                    None => {
                        if volume.is_some_and(|v| v.get("emptyDir").is_some() || v.get("hostPath").is_some()) {
                            s.remarks.push((
                                format!("the volume `{name}` is not a claim: gen mounts only claims"),
                                at(mount),
                            ));
                        }
                        continue;
                    }
                }
            }
        };
        if claimed {
            s.todos.push(format!(
                "{}: a second claim (`{name}`) is mounted: gen mounts one volume per service",
                at(mount)
            ));
            continue;
        }
        claimed = true;
        if let Some(p) = mount_path.as_str() {
            s.mount_path.add(p.to_string(), at(mount_path), Kind::Kubernetes);
        }
        match (claim_spec, claim_file) {
            (Some(spec), Some(file)) => {
                if let Some(n) = path(spec, &["resources", "requests", "storage"])
                    && let Some(v) = text(n)
                {
                    s.volume_size.add(v, file.at(n), Kind::Kubernetes);
                }
                if let Some(n) = items(spec.get("accessModes")).first()
                    && let Some(v) = n.as_str()
                {
                    s.access_mode.add(v.to_string(), file.at(n), Kind::Kubernetes);
                }
                if let Some(n) = spec.get("storageClassName")
                    && let Some(v) = n.as_str()
                {
                    s.remarks.push((
                        format!("the claim asked for the storage class `{v}`; gen uses the platform's"),
                        file.at(n),
                    ));
                }
            }
            _ => s.todos.push(format!(
                "{}: the claim `{}` is not in the repository: write persistence.size",
                at(mount),
                claim_name.unwrap_or(name)
            )),
        }
    }
}

/// The Ingress rules that route to the Service `service`: host, path, TLS, a stripped prefix.
fn ingresses(service: &str, objects: &[Object<'_>], s: &mut Service) {
    for ing in objects.iter().filter(|o| o.kind == "Ingress") {
        let at = |n: &Node| ing.file.at(n);
        let rewrite = entries(path(ing.node, &["metadata", "annotations"]))
            .iter()
            .find(|e| e.key.ends_with("/rewrite-target"))
            .map(|e| &e.value);
        let tls_hosts: Vec<String> = items(path(ing.node, &["spec", "tls"]))
            .iter()
            .flat_map(|t| items(t.get("hosts")).iter().filter_map(text))
            .collect();
        for rule in items(path(ing.node, &["spec", "rules"])) {
            for p in items(path(rule, &["http", "paths"])) {
                let backend = path(p, &["backend", "service", "name"]).or_else(|| path(p, &["backend", "serviceName"]));
                if backend.and_then(Node::as_str) != Some(service) {
                    continue;
                }
                let host = rule.get("host");
                if let Some(h) = host.and_then(Node::as_str) {
                    s.host.add(h.to_string(), at(host.unwrap_or(rule)), Kind::Kubernetes);
                    s.tls.add(tls_hosts.iter().any(|t| t == h), at(host.unwrap_or(rule)), Kind::Kubernetes);
                }
                if let Some(n) = p.get("path")
                    && let Some(v) = n.as_str()
                {
                    let (prefix, regex) = prefix_of(v);
                    s.path.add(prefix, at(n), Kind::Kubernetes);
                    if let Some(r) = rewrite {
                        s.strip_prefix.add(regex, at(r), Kind::Kubernetes);
                    }
                }
                if let Some(class) = path(ing.node, &["spec", "ingressClassName"]).and_then(Node::as_str) {
                    s.remarks
                        .push((format!("the Ingress's class was `{class}`; gen's is the platform's"), at(ing.node)));
                }
            }
        }
    }
}

/// The literal prefix of an ingress path, and whether it was a regex that captures the rest
/// (`/flask-app/(.*)` with `rewrite-target: /$1`: the prefix is stripped).
pub fn prefix_of(path: &str) -> (String, bool) {
    match path.find(['(', '*', '$', '[']) {
        Some(i) => {
            let prefix = path[..i].trim_end_matches('/');
            (if prefix.is_empty() { "/".into() } else { prefix.to_string() }, true)
        }
        None => (path.to_string(), false),
    }
}

fn autoscaler(hpa: &Object<'_>, s: &mut Service) {
    let at = |n: &Node| hpa.file.at(n);
    for (key, target) in [("minReplicas", &mut s.min_replicas), ("maxReplicas", &mut s.max_replicas)] {
        if let Some(n) = path(hpa.node, &["spec", key])
            && let Some(v) = int(n).and_then(|v| u32::try_from(v).ok())
        {
            target.add(v, at(n), Kind::Kubernetes);
        }
    }
    let v1 = path(hpa.node, &["spec", "targetCPUUtilizationPercentage"]);
    let v2 = items(path(hpa.node, &["spec", "metrics"]))
        .iter()
        .find(|m| path(m, &["resource", "name"]).and_then(Node::as_str) == Some("cpu"))
        .and_then(|m| path(m, &["resource", "target", "averageUtilization"]));
    if let Some(n) = v1.or(v2)
        && let Some(v) = int(n).and_then(|v| u32::try_from(v).ok())
    {
        s.cpu_utilization.add(v, at(n), Kind::Kubernetes);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adopt::walk::RepoFile;

    fn yaml(rel: &str, text: &str) -> Yaml {
        super::super::yamls::load(&RepoFile { rel: rel.into(), text: text.into() }, true).expect("loads")
    }

    #[test]
    fn a_deployment_its_service_ingress_hpa_and_claim_make_one_service() {
        let files = [
            yaml(
                "k8s/app.yaml",
                "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web-deployment}\nspec:\n  replicas: 3\n  template:\n    metadata: {labels: {app: web}}\n    spec:\n      containers:\n        - name: web\n          image: acme/web:1\n          ports: [{containerPort: 8000}]\n          env:\n            - {name: DB_PASSWORD, value: hunter2}\n            - {name: MODE, value: prod}\n          volumeMounts: [{name: data, mountPath: /data}]\n      volumes: [{name: data, persistentVolumeClaim: {claimName: web-data}}]\n---\napiVersion: v1\nkind: Service\nmetadata: {name: web-svc}\nspec: {selector: {app: web}, ports: [{port: 80, targetPort: 8000}]}\n",
            ),
            yaml(
                "k8s/more.yaml",
                "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata:\n  name: web\n  annotations: {nginx.ingress.kubernetes.io/rewrite-target: /$1}\nspec:\n  rules:\n    - host: web.example.com\n      http:\n        paths:\n          - path: /web/(.*)\n            backend: {service: {name: web-svc, port: {number: 80}}}\n---\napiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: web}\nspec:\n  scaleTargetRef: {name: web-deployment}\n  minReplicas: 2\n  maxReplicas: 6\n  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 60}}}]\n---\napiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: web-data}\nspec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 2Gi}}}\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: db}\nspec: {template: {spec: {containers: [{name: db, image: 'postgres:16'}]}}}\n",
            ),
        ];
        let read = read(&files);
        assert_eq!(read.services.len(), 1);
        assert_eq!(read.dependencies.len(), 1);
        let s = &read.services[0];
        assert_eq!(s.name.pick().map(|f| f.value.as_str()), Some("web"));
        assert_eq!(s.replicas.pick().map(|f| (f.value, f.from.to_string())), Some((3, "k8s/app.yaml:5".into())));
        assert_eq!(s.port.pick().map(|f| f.value), Some(8000));
        assert!(s.secret_env.contains_key("DB_PASSWORD") && !s.env.contains_key("DB_PASSWORD"));
        assert_eq!(s.host.pick().map(|f| f.value.as_str()), Some("web.example.com"));
        assert_eq!(s.path.pick().map(|f| f.value.as_str()), Some("/web"));
        assert_eq!(s.strip_prefix.pick().map(|f| f.value), Some(true));
        assert_eq!(
            (s.min_replicas.pick().map(|f| f.value), s.cpu_utilization.pick().map(|f| f.value)),
            (Some(2), Some(60))
        );
        assert_eq!(s.volume_size.pick().map(|f| f.value.as_str()), Some("2Gi"));
        assert_eq!(s.mount_path.pick().map(|f| f.value.as_str()), Some("/data"));
    }
}
