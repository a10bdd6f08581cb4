//! The Helm chart and the plain manifests, judged by the real tools: `helm lint --strict`,
//! Helm's template engine, kubernetes-validate in strict mode for every Kubernetes minor a
//! spec accepts, the Gateway API schemas, checkov and trivy; and the manifests equal the chart
//! rendered with each service's values, object by object and field by field. Run on the
//! reference spec and on a spec that exercises every option.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::objects::{assert_same_objects, chart_objects, helm_render, is_hook, key, kustomize, objects};
use common::{Gen, fixture, root, validator};
use serde_json::Value;

/// A spec rendered into a temporary project.
struct Rendered {
    dir: tempfile::TempDir,
}

impl Rendered {
    fn new(spec: &Path) -> Rendered {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(spec, dir.path().join("spec.yaml")).expect("copy spec");
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        Rendered { dir }
    }

    fn out(&self, rel: &str) -> PathBuf {
        self.dir.path().join("out").join(rel)
    }

    /// The project's chart with each service's values, by service name.
    fn charts(&self) -> BTreeMap<String, ServiceChart> {
        self.spec().services.iter().map(|s| (s.name.clone(), self.chart(&s.name))).collect()
    }

    /// The project's chart with the values of `service`.
    fn chart(&self, service: &str) -> ServiceChart {
        let values = self.out(&format!("values/{service}.yaml"));
        assert!(values.is_file(), "{} is rendered", values.display());
        ServiceChart { dir: self.out("chart"), values }
    }

    /// The spec, loaded (with every default applied).
    fn spec(&self) -> gen_core::spec::model::Spec {
        let bytes = std::fs::read(self.dir.path().join("spec.yaml")).expect("spec");
        let loaded = gen_core::spec::load("spec.yaml", &bytes).unwrap_or_else(|_| panic!("the spec loads"));
        (*loaded.spec).clone()
    }
}

/// The project's one chart, as a service deploys it: with the service's values file.
struct ServiceChart {
    dir: PathBuf,
    values: PathBuf,
}

impl ServiceChart {
    /// The objects Helm renders for a release, the service's values first, then `set`.
    fn render(&self, release: &str, namespace: &str, set: &[&str]) -> Result<Vec<(String, Value)>, String> {
        let values = format!("@{}", self.values.display());
        let mut all = vec![values.as_str()];
        all.extend(set);
        helm_render(&self.dir, release, namespace, &all)
    }
}

fn specs() -> Vec<PathBuf> {
    // On AWS, an HTTPRoute on the Gateway's ALB over TLS and one in plain HTTP.
    vec![root().join("spec.yaml"), fixture("specs/options.yaml"), fixture("specs/aws-gateway.yaml")]
}

#[test]
fn the_charts_pass_helm_lint_strict() {
    for spec in specs() {
        let rendered = Rendered::new(&spec);
        // The chart alone (it installs nothing), then with each service's values.
        let run = validator("helm-lint").arg("--strict").arg(rendered.out("chart")).output().expect("helm-lint");
        assert!(run.status.success(), "the chart alone:\n{}", String::from_utf8_lossy(&run.stdout));
        let alone = helm_render(&rendered.out("chart"), "shop", "shop", &[]).expect("the chart renders alone");
        assert!(alone.is_empty(), "the chart alone installs nothing: {alone:?}");
        for (name, chart) in rendered.charts() {
            let run = validator("helm-lint")
                .arg("--strict")
                .arg("-f")
                .arg(&chart.values)
                .arg(&chart.dir)
                .output()
                .expect("helm-lint");
            let said = String::from_utf8_lossy(&run.stdout);
            assert!(run.status.success(), "{name}:\n{said}");
        }
    }
}

#[test]
fn every_object_passes_kubernetes_validate_strict_for_every_supported_minor() {
    for spec in specs() {
        let rendered = Rendered::new(&spec);
        let files = tempfile::tempdir().expect("tempdir");
        let mut paths: Vec<PathBuf> = Vec::new();
        for (name, chart) in rendered.charts() {
            let docs = chart.render(&name, "shop", &[]).expect("the chart renders");
            for (i, (_, object)) in docs.iter().enumerate() {
                let path = files.path().join(format!("{name}-{i}.json"));
                std::fs::write(&path, object.to_string()).expect("write");
                paths.push(path);
            }
        }
        for entry in walkdir::WalkDir::new(rendered.out("manifests")).into_iter().flatten() {
            // kustomize's configuration is no object of the API server's, and .gitattributes
            // (which marks the folder generated for GitHub) is no manifest.
            let manifest = entry.path().extension().is_some_and(|ext| ext == "yaml");
            if entry.file_type().is_file() && manifest && entry.file_name() != "kustomization.yaml" {
                paths.push(entry.path().to_path_buf());
            }
        }
        for minor in gen_core::platform::azure::rules::unsupported_kubernetes_version::SUPPORTED_MINORS {
            let version = format!("1.{minor}");
            let run = validator("kubernetes-validate")
                .args(["--strict", "--quiet", "-k", &version])
                .args(&paths)
                .output()
                .expect("kubernetes-validate");
            // --quiet leaves the failures; one it cannot parse is said on stderr.
            let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
            assert!(run.status.success(), "{} on Kubernetes {version}:\n{said}", spec.display());
            // It has no schema for the Gateway API, snapscheduler's SnapshotSchedule, the
            // Secrets Store CSI driver's SecretProviderClass or managed Prometheus's
            // ServiceMonitor: only these may be reported as unchecked (crd-validate checks the
            // HTTPRoute and the ServiceMonitor, tests/it/environments.rs the SnapshotSchedule; no
            // published schema package exists for the SecretProviderClass, whose fields
            // tests/it/terraform.rs asserts).
            for line in said.lines() {
                assert!(
                    ["HTTPRoute", "SnapshotSchedule", "SecretProviderClass", "ServiceMonitor"]
                        .iter()
                        .any(|kind| line.contains(&format!("Couldn't find schema for kind {kind}"))),
                    "{line}"
                );
            }
        }
        let run = validator("crd-validate").args(&paths).output().expect("crd-validate");
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stdout));
    }
}

#[test]
fn the_conformance_script_checks_the_minors_the_spec_accepts() {
    let script = std::fs::read_to_string(root().join("scripts/conformance")).expect("script");
    let listed = script.lines().find_map(|l| l.strip_prefix("KUBE_MINORS=(")).expect("KUBE_MINORS");
    let expected: Vec<String> = gen_core::platform::azure::rules::unsupported_kubernetes_version::SUPPORTED_MINORS
        .map(|m| format!("1.{m}"))
        .collect();
    assert_eq!(listed.trim_end_matches(')').split(' ').collect::<Vec<_>>(), expected);
}

/// Asserts that each service's plain manifests hold the objects its chart renders (release
/// named after the service, in the service's namespace), field by field.
fn assert_manifests_equal_charts(rendered: &Rendered) {
    for service in &rendered.spec().services {
        let chart = rendered.chart(&service.name);
        let namespace = service.namespace.as_deref().expect("a namespace");
        let values = format!("@{}", chart.values.display());
        let from_chart = chart_objects(&chart.dir, &service.name, namespace, &[&values]).expect("the chart renders");
        // The service's folder as kustomize builds it: its kustomization must list every file.
        let dir = rendered.out(&format!("manifests/{}", service.name));
        let file = rendered.dir.path().join(format!("{}.kustomized.yaml", service.name));
        let listed = std::fs::read_dir(&dir).expect("manifests folder").count() - 1;
        let from_manifests: BTreeMap<String, Value> =
            kustomize(&dir, &file).into_iter().map(|o| (key(&o), o)).collect();
        assert_eq!(from_manifests.len(), listed, "{}: the kustomization lists every manifest", service.name);
        assert_same_objects(&service.name, &from_chart, &from_manifests, "manifests");
    }
}

#[test]
fn the_plain_manifests_equal_the_chart_rendered_with_the_services_values() {
    for spec in specs() {
        assert_manifests_equal_charts(&Rendered::new(&spec));
    }
}

/// Values a spec may hold that try to break out of YAML, JSON or a Go template.
const CORPUS: &[&str] = &[
    "{{ .Values.secret }}",
    "{{- /* x */ -}}",
    "}} {{",
    "key: value",
    "- item",
    "# comment",
    "&anchor *alias",
    "yes",
    "1.30",
    "null",
    "'single' \"double\"",
    "back\\slash",
    "line\nbreak\r\nand\ttab",
    "<script>&amp;</script>",
    "\u{1}\u{8}\u{c}\u{1b}[31m",
    "\u{2028}\u{2029}\u{feff}",
    "é ü 中文 🚀",
    "--- \n...",
    "$(rm -rf /) `id` ${HOME}",
];

#[test]
fn spec_values_come_back_literally_through_helms_engine_and_the_manifests() {
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = std::fs::read_to_string(root().join("spec.yaml")).expect("spec");
    let mut env = String::from("    env:\n");
    for (i, value) in CORPUS.iter().enumerate() {
        env.push_str(&format!("      V{i}: {}\n", gen_core::render::filters::yaml_quote(value)));
    }
    // No IngressClass is called `{{ .Values.secret }}` (SPEC129, K8S050 refuse it): silenced
    // here, the name still reaches the chart only quoted.
    let why = "reason: \"an injection through the class name\"";
    let ignore = format!("lint:\n  ignore: [{{rule: SPEC129, {why}}}, {{rule: K8S050, {why}}}]\n");
    // An Ingress names the class: asked for, since on Azure the default route is an HTTPRoute.
    let spec = reference
        .replace("    env:\n      FAVORITE_ATHLETE: Usain Bolt\n", &env)
        .replace(
            "ingress: {className: nginx}",
            &format!("ingress: {{className: {}}}", gen_core::render::filters::yaml_quote(CORPUS[0])),
        )
        .replace("path: /, tls: true}", "path: /, tls: true, route: ingress}")
        + &ignore;
    assert!(
        spec.contains("V0:") && spec.contains("className: \"{{") && spec.contains("route: ingress"),
        "the reference spec changed shape"
    );
    let file = dir.path().join("spec.yaml");
    std::fs::write(&file, spec).expect("write");
    let rendered = Rendered::new(&file);
    let docs = rendered.chart("shop").render("shop", "shop", &[]).expect("the chart renders");
    let config = docs.iter().map(|(_, o)| o).find(|o| o["kind"] == "ConfigMap").expect("a ConfigMap");
    for (i, value) in CORPUS.iter().enumerate() {
        assert_eq!(config["data"][format!("V{i}")], *value, "V{i}");
    }
    let ingress = docs.iter().map(|(_, o)| o).find(|o| o["kind"] == "Ingress").expect("an Ingress");
    assert_eq!(ingress["spec"]["ingressClassName"], CORPUS[0]);
    // The manifests hold the same, and the same checksum of env: Go's JSON, written by gen.
    assert_manifests_equal_charts(&rendered);
}

#[test]
fn every_reference_names_what_the_chart_creates_whatever_the_release_is_called() {
    let rendered = Rendered::new(&fixture("specs/options.yaml"));
    let mut monitors = 0;
    for (service, chart) in rendered.charts() {
        for release in ["prod", &format!("{service}-canary"), &service] {
            let docs = chart.render(release, "shop", &[]).expect("the chart renders");
            let named = |kind: &str| -> Vec<String> {
                docs.iter()
                    .filter(|(_, o)| o["kind"] == kind)
                    .filter_map(|(_, o)| o["metadata"]["name"].as_str().map(str::to_string))
                    .collect()
            };
            let services = named("Service");
            assert_eq!(services.len(), 1, "{service} as {release}");
            let deployment = docs.iter().map(|(_, o)| o).find(|o| o["kind"] == "Deployment").expect("a Deployment");
            let pod = &deployment["spec"]["template"]["spec"];
            for (_, o) in &docs {
                let refs: Vec<(&str, &Value, Vec<String>)> = vec![
                    (
                        "Ingress backend",
                        &o["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]["name"],
                        services.clone(),
                    ),
                    ("HTTPRoute backend", &o["spec"]["rules"][0]["backendRefs"][0]["name"], services.clone()),
                    ("HPA target", &o["spec"]["scaleTargetRef"]["name"], named("Deployment")),
                ];
                for (what, value, existing) in refs {
                    if let Some(name) = value.as_str() {
                        assert!(existing.iter().any(|e| e == name), "{service} as {release}: {what} `{name}`");
                    }
                }
            }
            assert!(named("ServiceAccount").iter().any(|n| pod["serviceAccountName"] == *n.as_str()));
            let config = &pod["containers"][0]["envFrom"][0]["configMapRef"]["name"];
            assert!(named("ConfigMap").iter().any(|n| config == n.as_str()), "{service} as {release}");
            for volume in pod["volumes"].as_array().into_iter().flatten() {
                if let Some(claim) = volume["persistentVolumeClaim"]["claimName"].as_str() {
                    assert!(named("PersistentVolumeClaim").iter().any(|n| n == claim), "{service}: claim {claim}");
                }
            }
            // The Service's selector selects the Deployment's pods, and not the test pod.
            let svc = docs.iter().map(|(_, o)| o).find(|o| o["kind"] == "Service").expect("a Service");
            let selector = svc["spec"]["selector"].as_object().expect("a selector");
            let selects = |o: &Value, labels: &str| {
                selector.iter().all(|(k, v)| o.pointer(labels).and_then(|l| l.get(k)) == Some(v))
            };
            assert!(selects(deployment, "/spec/template/metadata/labels"), "{service} as {release}");
            for (_, hook) in docs.iter().filter(|(_, o)| is_hook(o)) {
                assert!(!selects(hook, "/metadata/labels"), "the Service would send traffic to the test pod");
            }
            // The ServiceMonitor selects the Service by its labels and scrapes a port it has,
            // which the pod's container names.
            for monitor in docs.iter().map(|(_, o)| o).filter(|o| o["kind"] == "ServiceMonitor") {
                let wanted = monitor["spec"]["selector"]["matchLabels"].as_object().expect("matchLabels");
                let labels = &svc["metadata"]["labels"];
                assert!(wanted.iter().all(|(k, v)| labels.get(k) == Some(v)), "{service} as {release}: {monitor}");
                let port = &monitor["spec"]["endpoints"][0]["port"];
                let ports = svc["spec"]["ports"].as_array().expect("ports");
                let target = ports.iter().find(|p| &p["name"] == port).expect("the Service has the monitor's port");
                let container = pod["containers"][0]["ports"].as_array().expect("container ports");
                assert!(container.iter().any(|p| p["name"] == target["targetPort"]), "{service} as {release}");
                monitors += 1;
            }
        }
    }
    // The spec is on AKS, whose managed Prometheus reads a ServiceMonitor of each service.
    assert_eq!(monitors, 3 * rendered.spec().services.len());
}

#[test]
fn a_wrong_value_fails_before_it_reaches_the_cluster() {
    let rendered = Rendered::new(&root().join("spec.yaml"));
    let chart = rendered.chart("shop");
    for set in [
        "replicaCount=three",
        "image.pullPolicy=Sometimes",
        "image.tag=latest",
        "ingress.hots=shop.example.com",
        "resources.requests.cpu=lots",
        "autoscaling.targetCPUUtilizationPercentage=150",
        "image.digest=sha256:abc",
    ] {
        let err = chart.render("shop", "shop", &[set]).expect_err(set);
        assert!(err.contains("values don't meet the specifications of the schema"), "{set}: {err}");
    }
    for set in ["replicaCount=4", "image.tag=1.2.3", "ingress.annotations.cert-manager\\.io/cluster-issuer=letsencrypt"]
    {
        chart.render("shop", "shop", &[set]).unwrap_or_else(|e| panic!("{set}: {e}"));
    }
}

#[test]
fn checkov_trivy_and_gens_own_rules_pass_the_chart_and_the_manifests() {
    for spec in specs() {
        let rendered = Rendered::new(&spec);
        let out = rendered.out("");
        // Kubernetes' framework alone: the shared chart rendered with its own values (what
        // checkov's Helm framework would check) installs nothing; the plain manifests are it
        // rendered with each service's values.
        common::checkov_passes(&["kubernetes"], &out, &[], &[]);
        let cache = tempfile::tempdir().expect("tempdir");
        let run = validator("trivy")
            .args(["config", "--quiet", "--skip-check-update", "--skip-version-check", "--disable-telemetry"])
            .args(["--exit-code", "1", "--severity", "LOW,MEDIUM,HIGH,CRITICAL", "--cache-dir"])
            .arg(cache.path())
            .arg(&out)
            .output()
            .expect("trivy");
        assert!(run.status.success(), "{}: trivy:\n{}", spec.display(), String::from_utf8_lossy(&run.stdout));
        // gen's own rules on the tree as hand-written files: the manifests, and each chart
        // rendered by `helm template`.
        let path = common::path_with_helm();
        let lint = Gen::new().args(["lint", "--strict", "--format", "json"]).arg(&out).env("PATH", path).run();
        assert_eq!(lint.code, 0, "{}: {:?}", spec.display(), lint.findings());
    }
}

#[test]
fn gen_lint_checks_a_chart_folder_as_helm_renders_it() {
    let rendered = Rendered::new(&root().join("spec.yaml"));
    let chart = tempfile::tempdir().expect("tempdir");
    // A hand-written chart: the project's chart, with the service's values as its defaults.
    for entry in walkdir::WalkDir::new(rendered.out("chart")).into_iter().flatten() {
        let rel = entry.path().strip_prefix(rendered.out("chart")).expect("inside");
        let to = chart.path().join("shop").join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    std::fs::copy(rendered.out("values/shop.yaml"), chart.path().join("shop/values.yaml")).expect("values");
    let template = chart.path().join("shop/templates/deployment.yaml");
    let text = std::fs::read_to_string(&template).expect("template");
    std::fs::write(&template, text.replace("            allowPrivilegeEscalation: false\n", "")).expect("edit");
    let helm_on_path = common::path_with_helm();
    let lint = Gen::new().args(["lint", "--format", "json"]).arg(chart.path()).env("PATH", &helm_on_path).run();
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    let report: Value = serde_json::from_str(&lint.stdout).expect("JSON");
    let finding = &report["diagnostics"][0];
    assert_eq!(finding["code"], "K8S022", "{}", lint.stdout);
    let file = finding["file"].as_str().expect("a file");
    assert!(file.ends_with("shop/templates/deployment.yaml (rendered)"), "{file}");
    assert!(finding["location"]["line"].as_u64().is_some_and(|l| l > 1), "{finding}");
    // Without Helm, gen says how to get it and checks nothing it did not read: the chart named
    // is an input it could not read; found in a walk, one it warns it did not check.
    let lint = Gen::new().arg("lint").arg(chart.path().join("shop")).env("GEN_HELM", "/nonexistent/helm").run();
    assert_eq!(lint.code, 2, "{}", lint.stdout);
    assert!(lint.stdout.contains("GEN001") && lint.stdout.contains("install Helm"), "{}", lint.stdout);
    let lint = Gen::new().arg("lint").arg(chart.path()).env("GEN_HELM", "/nonexistent/helm").run();
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    assert!(lint.stdout.contains("warning[GEN006]") && lint.stdout.contains("install Helm"), "{}", lint.stdout);
}

#[test]
fn gen_lint_stops_helm_on_a_chart_whose_template_loops_and_says_so() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chart = dir.path().join("loops");
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: loops\nversion: 0.1.0\n").expect("write");
    // 10^10 steps that print nothing: Helm would run for hours.
    let template = "{{ range $i := until 100000 }}{{ range $j := until 100000 }}{{ end }}{{ end }}\n";
    std::fs::write(chart.join("templates/loop.yaml"), template).expect("write");
    let helm_on_path = common::path_with_helm();
    let lint = Gen::new()
        .args(["lint", "--format", "json"])
        .arg(&chart)
        .env("PATH", &helm_on_path)
        .env("GEN_TOOL_TIMEOUT", "3")
        .run_within(std::time::Duration::from_secs(60));
    assert!(lint.elapsed < std::time::Duration::from_secs(20), "gen waited {:?} for helm", lint.elapsed);
    assert_eq!(lint.code, 2, "{}", lint.stdout);
    let report: Value = serde_json::from_str(&lint.stdout).expect("JSON");
    let finding = &report["diagnostics"][0];
    assert_eq!(finding["code"], "GEN001", "{}", lint.stdout);
    assert!(finding["file"].as_str().is_some_and(|f| f.ends_with("loops")), "{finding}");
    let message = finding["message"].as_str().expect("message");
    assert!(message.contains("did not finish rendering the chart") && message.contains("within 3 s"), "{message}");
}

/// A service's object of `kind` (its route, its Deployment) as its chart renders it (release
/// named after the service) and as its plain manifest says it.
fn chart_and_manifest(rendered: &Rendered, service: &str, kind: &str) -> [Value; 2] {
    let chart = rendered.chart(service).render(service, service, &[]).expect("renders");
    let file = rendered.out(&format!("manifests/{service}/{}.yaml", kind.to_lowercase()));
    let manifest = objects(&["files", &file.display().to_string()]).expect("parses").remove(0).1;
    let chart = chart.iter().map(|(_, o)| o).find(|o| o["kind"] == kind).expect("the chart's route").clone();
    [chart, manifest]
}

/// The request headers an HTTPRoute's rule sets, by name, and those it removes.
fn header_changes(route: &Value) -> (BTreeMap<String, String>, Vec<String>) {
    let modifier = route["spec"]["rules"][0]["filters"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["type"] == "RequestHeaderModifier"))
        .map(|f| f["requestHeaderModifier"].clone())
        .unwrap_or(Value::Null);
    let set = modifier["set"].as_array().map_or_else(Vec::new, Clone::clone);
    let set = set
        .iter()
        .map(|h| (h["name"].as_str().unwrap_or("").to_string(), h["value"].as_str().unwrap_or("").to_string()));
    let removed = modifier["remove"].as_array().map_or_else(Vec::new, Clone::clone);
    (set.collect(), removed.iter().map(|h| h.as_str().unwrap_or("").to_string()).collect())
}

#[test]
fn routes_that_strip_a_prefix_send_it_as_x_forwarded_prefix() {
    // options.yaml strips `/athletes` through an Ingress (asked for) and `/api` through an
    // HTTPRoute, valid.yaml `/athletes` through an HTTPRoute (Azure's default): the service
    // behind each redirects under the prefix only if it is told it.
    for (spec, service, kind, prefix) in [
        ("specs/options.yaml", "athletes", "Ingress", "/athletes"),
        ("specs/options.yaml", "results", "HTTPRoute", "/api"),
        ("specs/valid.yaml", "athletes", "HTTPRoute", "/athletes"),
    ] {
        let rendered = Rendered::new(&fixture(spec));
        for route in chart_and_manifest(&rendered, service, kind) {
            let sent = match kind {
                "Ingress" => route["metadata"]["annotations"]["nginx.ingress.kubernetes.io/x-forwarded-prefix"].clone(),
                _ => {
                    header_changes(&route).0.get("X-Forwarded-Prefix").map_or(Value::Null, |v| Value::from(v.as_str()))
                }
            };
            assert_eq!(sent, Value::from(prefix), "{spec}: {route}");
        }
    }
}

#[test]
fn an_annotation_of_the_values_replaces_the_charts_own_instead_of_repeating_its_key() {
    // options.yaml's `athletes` strips `/athletes` through an Ingress. A key twice in one
    // mapping leaves the value to whichever YAML reader the cluster's tools use (Kubernetes's
    // refuses it): the values' timeout wins, the chart's strip stays whole.
    let rendered = Rendered::new(&fixture("specs/options.yaml"));
    let dir = tempfile::tempdir().expect("tempdir");
    let values = dir.path().join("values.yaml");
    let annotations = [
        ("nginx.ingress.kubernetes.io/proxy-read-timeout", "120"),
        ("nginx.ingress.kubernetes.io/use-regex", "false"),
        ("example.com/team", "athletes"),
    ];
    let body: String = annotations.iter().map(|(k, v)| format!("    {k}: \"{v}\"\n")).collect();
    std::fs::write(&values, format!("ingress:\n  annotations:\n{body}")).expect("write");
    let at = format!("@{}", values.display());
    let docs = rendered.chart("athletes").render("athletes", "athletes", &[&at]).expect("renders");
    let ingress = docs.iter().map(|(_, o)| o).find(|o| o["kind"] == "Ingress").expect("an Ingress");
    let said = &ingress["metadata"]["annotations"];
    assert_eq!(said["nginx.ingress.kubernetes.io/proxy-read-timeout"], "120", "{said}");
    assert_eq!(said["nginx.ingress.kubernetes.io/proxy-send-timeout"], "35", "{said}");
    assert_eq!(said["nginx.ingress.kubernetes.io/use-regex"], "true", "{said}");
    assert_eq!(said["example.com/team"], "athletes", "{said}");
}

#[test]
fn http_routes_say_the_forwarded_host_and_prefix_so_a_client_cannot() {
    // The service trusts one hop of X-Forwarded-Host and -Prefix, and Envoy passes a client's
    // own through: each route sets the host it serves, and the prefix only where it strips
    // one; elsewhere it removes a client's. The reference serves `/` unstripped.
    for (spec, service, host, prefix) in [
        (root().join("spec.yaml"), "shop", "shop.example.com", None),
        (fixture("specs/options.yaml"), "results", "results.example.com", Some("/api")),
    ] {
        let rendered = Rendered::new(&spec);
        for route in chart_and_manifest(&rendered, service, "HTTPRoute") {
            let (set, removed) = header_changes(&route);
            let mut expected = BTreeMap::from([("X-Forwarded-Host".to_string(), host.to_string())]);
            if let Some(prefix) = prefix {
                expected.insert("X-Forwarded-Prefix".to_string(), prefix.to_string());
            }
            assert_eq!(set, expected, "{}: {route}", spec.display());
            let expected_removed: Vec<String> =
                if prefix.is_none() { vec!["X-Forwarded-Prefix".into()] } else { vec![] };
            assert_eq!(removed, expected_removed, "{}: {route}", spec.display());
        }
    }
}

/// The `timeout` a rendered service's gunicorn.conf.py sets.
fn gunicorn_timeout(rendered: &Rendered, service: &str) -> u64 {
    let conf = std::fs::read_to_string(rendered.out(&format!("services/{service}/gunicorn.conf.py"))).expect("config");
    let line = conf.lines().find_map(|l| l.strip_prefix("timeout = ")).expect("a timeout line");
    line.trim().parse().expect("a number")
}

#[test]
fn the_edge_lets_a_request_run_as_long_as_gunicorn_does_and_5_s_more() {
    // Envoy Gateway cuts a request at 15 s and ingress-nginx at 60 s unless the route says
    // otherwise: each route waits for the service's own timeout (gunicorn's), plus 5 s so the
    // service, not the proxy, ends a request it does not allow. The reference at 90 s (an
    // HTTPRoute); options.yaml at the default 30 s, through Ingresses and an HTTPRoute.
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = std::fs::read_to_string(root().join("spec.yaml")).expect("spec");
    let slow = reference.replace("timeout: 30}", "timeout: 90}");
    assert_ne!(slow, reference, "the reference spec changed shape");
    let file = dir.path().join("spec.yaml");
    std::fs::write(&file, slow).expect("write");
    for (spec, service, kind) in [
        (file, "shop", "HTTPRoute"),
        (fixture("specs/options.yaml"), "athletes", "Ingress"),
        (fixture("specs/options.yaml"), "notes", "Ingress"),
        (fixture("specs/options.yaml"), "results", "HTTPRoute"),
    ] {
        let rendered = Rendered::new(&spec);
        let expected = gunicorn_timeout(&rendered, service) + 5;
        for route in chart_and_manifest(&rendered, service, kind) {
            if kind == "Ingress" {
                let annotations = &route["metadata"]["annotations"];
                for key in ["proxy-read-timeout", "proxy-send-timeout"] {
                    let value = &annotations[format!("nginx.ingress.kubernetes.io/{key}")];
                    assert_eq!(*value, Value::from(expected.to_string()), "{service} {key}: {route}");
                }
            } else {
                let timeouts = &route["spec"]["rules"][0]["timeouts"];
                assert_eq!(*timeouts, serde_json::json!({"request": format!("{expected}s")}), "{service}: {route}");
            }
        }
    }
}

#[test]
fn a_single_writer_volumes_pods_are_recreated_not_rolled() {
    // A ReadWriteOnce disk attaches to one node: a surge pod scheduled on another node (the
    // anti-affinity prefers one) waits on it for ever, and the rollout with it. options.yaml:
    // `results` mounts a ReadWriteOnce claim, `athletes` a ReadWriteMany one, `notes` none.
    let rendered = Rendered::new(&fixture("specs/options.yaml"));
    let rolling = serde_json::json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}});
    for (service, expected) in [
        ("results", serde_json::json!({"type": "Recreate"})),
        ("athletes", rolling.clone()),
        ("notes", rolling.clone()),
    ] {
        for deployment in chart_and_manifest(&rendered, service, "Deployment") {
            assert_eq!(deployment["spec"]["strategy"], expected, "{service}: {deployment}");
        }
    }
}

/// The chart's NOTES.txt as Helm renders it after an install (release `shop`), with `set`.
fn notes(chart: &ServiceChart, set: &[&str]) -> String {
    let script = r#"
import sys, helm_python as helm
from helm_shim import merge
values = helm.values_from_yaml(open(sys.argv[2]).read())
for pair in sys.argv[3:]:
    merge(values, helm.parse_set_string(pair))
with helm.Chart.load(sys.argv[1]) as c:
    rendered = c.render(values=values or None, name="shop", namespace="shop")
print(next(text for path, text in rendered.items() if path.endswith("NOTES.txt")))
"#;
    let out = validator("python")
        .env("PYTHONPATH", common::validators().join("bin"))
        .arg("-c")
        .arg(script)
        .arg(&chart.dir)
        .arg(&chart.values)
        .args(set)
        .output()
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn on_eks_the_notes_name_each_services_scheme_and_no_tls_secret_acm_serves() {
    let rendered = Rendered::new(&root().join("tests/fixtures/specs/aws-gateway.yaml"));
    let charts = rendered.charts();
    // An HTTPRoute on the Gateway's `https` listener, and one on its `http` listener.
    let api = notes(&charts["api"], &[]);
    assert!(api.contains("It answers on https://api.dev.shop.example.com/"), "{api}");
    let status = notes(&charts["status"], &[]);
    assert!(status.contains("It answers on http://status.dev.shop.example.com/"), "{status}");
    // The ALB serves ACM's certificate: no Secret to wait for.
    let ingress = notes(&charts["notes"], &[]);
    assert!(ingress.contains("It answers on https://notes.dev.shop.example.com/."), "{ingress}");
    assert!(!ingress.contains("TLS secret"), "{ingress}");
}

#[test]
fn the_notes_never_ask_for_by_hand_the_secret_key_vault_provides() {
    let rendered = Rendered::new(&root().join("spec.yaml"));
    let chart = &rendered.charts()["shop"];
    // Key Vault is the source: the CSI driver owns `shop-env`; a hand-made copy would conflict.
    let vault = notes(chart, &[]);
    assert!(!vault.contains("create secret generic"), "{vault}");
    assert!(vault.contains("Secrets Store CSI driver") && vault.contains("do not create it"), "{vault}");
    assert!(vault.contains("az keyvault secret set --vault-name kvshop-443b4d6992bc --name SECRET-KEY"), "{vault}");
    // Without Key Vault, the Secret is the user's to create, and the notes say how.
    let by_hand = notes(chart, &["secretEnv.keyVault.enabled=false"]);
    let command = by_hand
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("kubectl -n shop create secret generic shop-env "))
        .unwrap_or_else(|| panic!("no command: {by_hand}"));
    assert!(by_hand.contains("(SECRET_KEY=...)"), "{by_hand}");
    // The command as a user runs it, the value typed (never in its arguments), makes the
    // Secret with it: kubectl's client side, offline.
    let mut kubectl = std::process::Command::new("bash")
        .args(["-c", &format!("{command} --dry-run=client --output json")])
        .env("KUBECONFIG", "/nonexistent")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("kubectl");
    use std::io::Write;
    kubectl.stdin.take().expect("stdin").write_all(b"SECRET_KEY=a=b c\n").expect("typed");
    let out = kubectl.wait_with_output().expect("kubectl runs");
    assert!(out.status.success(), "{command}");
    let secret: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(secret["data"]["SECRET_KEY"], "YT1iIGM=", "{command}: the value typed, whole");
    assert!(!by_hand.contains("az keyvault"), "{by_hand}");
}

#[test]
fn a_key_vault_chart_refuses_a_deploy_without_its_identity_and_renders_without_one() {
    // The reference reads Key Vault. Its default values know no identity (Terraform makes
    // it): the chart renders, for helm lint and gen lint, and leaves the ids out. A deploy
    // (an image digest set, as the Helm job and the GitOps release job set it with the ids)
    // without them is refused at render, not left to pods stuck at their vault mount.
    let rendered = Rendered::new(&root().join("spec.yaml"));
    let chart = &rendered.charts()["shop"];
    let spc = |objects: &[(String, Value)]| {
        objects.iter().find(|(_, o)| o["kind"] == "SecretProviderClass").expect("a SecretProviderClass").1.clone()
    };
    let defaults = chart.render("shop", "shop", &[]).expect("renders with its default values");
    assert!(spc(&defaults)["spec"]["parameters"].get("clientID").is_none());
    let digest = "image.digest=sha256:0000000000000000000000000000000000000000000000000000000000000000";
    let refused = chart.render("shop", "shop", &[digest]).expect_err("a deploy without the identity");
    assert!(refused.contains("secretEnv.keyVault.clientId: the workload identity's client id"), "{refused}");
    let tenant_missing = chart
        .render("shop", "shop", &[digest, "secretEnv.keyVault.clientId=c-1"])
        .expect_err("a deploy without the tenant");
    assert!(tenant_missing.contains("secretEnv.keyVault.tenantId: the Entra tenant id"), "{tenant_missing}");
    let deployed = chart
        .render("shop", "shop", &[digest, "secretEnv.keyVault.clientId=c-1", "secretEnv.keyVault.tenantId=t-1"])
        .expect("a deploy with the identity");
    let parameters = &spc(&deployed)["spec"]["parameters"];
    assert_eq!((parameters["clientID"].as_str(), parameters["tenantId"].as_str()), (Some("c-1"), Some("t-1")));
}

#[test]
fn autoscaling_hands_the_count_to_the_autoscaler_and_the_liveness_budget_outlasts_the_longest_request() {
    // options.yaml: `athletes` autoscales, the others do not. Without a cluster to ask (helm
    // template, Argo CD) an autoscaled Deployment names no count; an upgrade through Helm
    // keeps the live one (Helm's `lookup`, empty here).
    let rendered = Rendered::new(&fixture("specs/options.yaml"));
    let spec = rendered.spec();
    for service in &spec.services {
        let chart = &rendered.charts()[&service.name];
        let objects = chart.render(&service.name, &service.name, &[]).expect("renders");
        let deployment = &objects.iter().find(|(_, o)| o["kind"] == "Deployment").expect("a Deployment").1;
        assert_eq!(
            deployment["spec"].get("replicas").is_none(),
            service.autoscaling.is_some(),
            "{}: {deployment}",
            service.name
        );
    }
    let template = std::fs::read_to_string(rendered.out("chart/templates/deployment.yaml")).expect("read");
    assert!(template.contains("lookup \"apps/v1\" \"Deployment\" .Release.Namespace"), "{template}");

    // The reference at gunicorn's 30 s keeps a minute (6 x 10 s); at 120 s the budget is the
    // request and two periods, in the chart and in the plain manifests alike.
    let dir = tempfile::tempdir().expect("tempdir");
    let reference = std::fs::read_to_string(root().join("spec.yaml")).expect("spec");
    let slow = reference.replace("timeout: 30}", "timeout: 120}");
    assert_ne!(slow, reference, "the reference spec changed shape");
    for (text, failures) in [(reference, 6), (slow, 14)] {
        std::fs::write(dir.path().join("spec.yaml"), &text).expect("write");
        let rendered = Rendered::new(&dir.path().join("spec.yaml"));
        assert!(gunicorn_timeout(&rendered, "shop") <= 10 * failures - 20);
        for deployment in chart_and_manifest(&rendered, "shop", "Deployment") {
            let probe = &deployment["spec"]["template"]["spec"]["containers"][0]["livenessProbe"];
            assert_eq!(probe["periodSeconds"], 10, "{probe}");
            assert_eq!(probe["failureThreshold"], failures, "{probe}");
        }
    }
}

/// What Helm renders of the project's chart for a release named `shop`, with `values` (a
/// values file) and `set`, as an install or an upgrade: its objects' kinds, or Helm's error.
fn render_as(chart: &Path, values: Option<&Path>, set: &[&str], upgrade: bool) -> Result<Vec<String>, String> {
    let script = r#"
import json, sys, helm_python as helm
from helm_shim import merge
chart, values, upgrade, sets = sys.argv[1], sys.argv[2], sys.argv[3] == "1", sys.argv[4:]
merged = helm.values_from_yaml(open(values).read()) if values else {}
for pair in sets:
    merge(merged, helm.parse_set_string(pair))
try:
    with helm.Chart.load(chart) as c:
        rendered = c.render(values=merged or None, name="shop", namespace="shop", is_upgrade=upgrade, is_install=not upgrade)
except helm.HelmError as e:
    print(str(e), file=sys.stderr)
    sys.exit(3)
kinds = [line[6:].strip() for path, text in rendered.items() if not path.endswith("NOTES.txt")
         for line in text.splitlines() if line.startswith("kind: ")]
print(json.dumps(sorted(kinds)))
"#;
    let out = validator("python")
        .env("PYTHONPATH", common::validators().join("bin"))
        .arg("-c")
        .arg(script)
        .arg(chart)
        .arg(values.map(|v| v.display().to_string()).unwrap_or_default())
        .arg(if upgrade { "1" } else { "0" })
        .args(set)
        .output()
        .expect("python runs");
    if !out.status.success() {
        return Err(String::from_utf8_lossy(&out.stderr).into_owned());
    }
    Ok(serde_json::from_slice(&out.stdout).expect("JSON"))
}

#[test]
fn the_chart_without_a_services_values_installs_nothing_and_an_upgrade_without_them_is_refused() {
    let rendered = Rendered::new(&root().join("spec.yaml"));
    let chart = rendered.out("chart");
    let values = rendered.out("values/shop.yaml");
    // With the service's values: the service, as an install and as an upgrade.
    for upgrade in [false, true] {
        let kinds = render_as(&chart, Some(&values), &[], upgrade).expect("renders");
        assert!(kinds.contains(&"Deployment".to_string()) && kinds.contains(&"Service".to_string()), "{kinds:?}");
    }
    // Alone (helm lint, helm template, an install by mistake): nothing at all, not half a
    // service.
    assert_eq!(render_as(&chart, None, &[], false).expect("renders"), Vec::<String>::new());
    for set in [&["image.tag=1.2.4"][..], &["autoscaling.enabled=true", "httpRoute.enabled=true"][..]] {
        assert_eq!(render_as(&chart, None, set, false).expect("renders"), Vec::<String>::new(), "{set:?}");
    }
    // An upgrade of a release without them would remove every object it has: refused.
    let refused = render_as(&chart, None, &["image.tag=1.2.4"], true).expect_err("an upgrade without values");
    assert!(refused.contains("no service's values: pass its values file"), "{refused}");
    // A service's values name both its image and itself: either alone is refused.
    for set in ["nameOverride=", "image.repository="] {
        let err = render_as(&chart, Some(&values), &[set], false).expect_err(set);
        assert!(err.contains("values don't meet the specifications of the schema"), "{set}: {err}");
    }
}

/// A name Kubernetes' YAML reads as something else (`on` is true to sigs.k8s.io/yaml, as `yes`,
/// `n` and `null` are; `Y` likewise) stays a string in every object of the chart, as Helm
/// renders it, and of the plain manifests: unquoted, `helm install` of a service named `on`
/// failed on `metadata.name` (a bool, not a string).
#[test]
fn a_service_named_like_a_yaml_boolean_keeps_its_name_a_string() {
    let spec = std::fs::read_to_string(root().join("spec.yaml")).expect("spec");
    let spec = spec.replace("  - name: \"shop\"\n", "  - name: \"on\"\n").replace("[SECRET_KEY]", "[Y]");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, spec).expect("write spec");
    let rendered = Rendered::new(&path);
    let from_chart = rendered.chart("on").render("on", "on", &[]).expect("helm renders the chart");
    let files: Vec<String> = std::fs::read_dir(rendered.out("manifests/on"))
        .expect("manifests")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.file_name().is_some_and(|n| n != "kustomization.yaml"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["files"];
    args.extend(files.iter().map(String::as_str));
    let from_manifests = objects(&args).expect("the manifests read");
    let mut names = 0;
    for (file, object) in from_chart.iter().chain(&from_manifests).filter(|(_, o)| !is_hook(o)) {
        assert_eq!(object["metadata"]["name"], "on", "{file}: {}", key(object));
        names += 1;
        if object["kind"] == "Deployment" {
            let pod = &object["spec"]["template"]["spec"];
            assert_eq!(pod["serviceAccountName"], "on", "{file}");
            assert_eq!(pod["containers"][0]["name"], "on", "{file}");
        }
        if object["kind"] == "SecretProviderClass" {
            let objects = object["spec"]["parameters"]["objects"].as_str().expect("objects");
            assert!(
                objects.contains("objectName: \"Y\"") && objects.contains("objectAlias: \"Y\""),
                "{file}: {objects}"
            );
        }
    }
    assert!(names >= 16, "the chart's and the manifests' objects were read: {names}");
}

/// Under GitOps the services' AppProject admits, in their namespaces, the kinds the chart
/// renders and no other (no Secret, Role or RoleBinding a change in git could deploy): every
/// kind of every spec's charts, its `helm test` hook included, is on its list.
#[test]
fn the_services_argo_cd_project_admits_every_kind_the_chart_renders_and_no_secret() {
    let gitops = Rendered::new(&fixture("specs/eks-gitops.yaml"));
    let root = std::fs::read_to_string(gitops.out("argocd/development/root.yaml")).expect("root.yaml");
    let project = &root[root.find("# The Argo CD project of the services").expect("the project")..];
    let project = &project[..project.find("\n---").expect("its end")];
    assert!(!project.contains("kind: Secret}") && !project.contains("kind: Role"), "{project}");
    let mut seen = std::collections::BTreeSet::new();
    for spec in specs().into_iter().chain([fixture("specs/eks-gitops.yaml")]) {
        let rendered = Rendered::new(&spec);
        for (name, chart) in rendered.charts() {
            // With every option a spec may turn on for the service.
            for set in [&[][..], &["autoscaling.enabled=true", "metrics.serviceMonitor.enabled=true"][..]] {
                for (_, object) in chart.render(&name, "shop", set).expect("the chart renders") {
                    let api = object["apiVersion"].as_str().expect("apiVersion");
                    let group = api.rsplit_once('/').map(|(g, _)| g).unwrap_or("");
                    let group = if group.is_empty() { "\"\"" } else { group };
                    seen.insert(format!("{{group: {group}, kind: {}}}", object["kind"].as_str().expect("kind")));
                }
            }
        }
    }
    for kind in &seen {
        assert!(
            project.contains(&format!("- {kind}\n")) || project.ends_with(&format!("- {kind}")),
            "{kind} is not admitted:\n{project}"
        );
    }
    assert!(seen.len() >= 8, "{seen:?}");
}
