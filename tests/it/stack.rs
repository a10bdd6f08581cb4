//! The observability stack on a local cluster (the spec's `observability`): the deploy script
//! installs kube-prometheus-stack, Loki and Fluent Bit with the values gen renders in `stack/`,
//! before the manifests whose ServiceMonitors need its CRDs; each service gets its SLO rules as
//! a PrometheusRule (the groups of rules.yaml, as promtool reads them) and a Grafana dashboard
//! whose every query parses; a cluster on AKS beside it keeps its managed Prometheus' monitor;
//! and observability turned off renders none of it. Specs unlike the reference: kind with two
//! services, objectives of their own, retention and volumes of its own; kind beside AKS.

use std::path::Path;

use crate::common::{Gen, root, validator};

const TWO_SERVICES: &str = "apiVersion: gen/v1
kind: Project
metadata: {name: shop}
platform:
  local: {cluster: kind}
services:
  - name: api
    port: 5000
    ingress: {path: /api}
    slo: {availability: 99.5, latency: {objective: 95, threshold: 1s}}
  - name: web
    port: 5000
    namespace: front
    ingress: {path: /}
observability:
  metrics: {retention: 45d, storage: 25Gi}
  logs: {retention: 14d, storage: 5Gi}
";

fn render(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), spec).expect("spec");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    dir
}

/// The documents of a YAML text (`---` between them), as JSON.
fn documents(name: &str, text: &str) -> Vec<serde_json::Value> {
    text.split("\n---\n")
        .flat_map(|doc| {
            let loaded = gen_core::yaml::load(name, doc.as_bytes(), &gen_core::spec::syntax::POLICY);
            let docs = loaded.documents.unwrap_or_else(|e| panic!("{name}: {:?}", e[0].message));
            docs.iter().map(|d| d.root.to_json()).collect::<Vec<_>>()
        })
        .collect()
}

fn yaml(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    documents(&path.display().to_string(), &text).remove(0)
}

#[test]
fn a_kind_cluster_gets_the_stack_the_services_rules_and_each_its_dashboard() {
    let dir = render(TWO_SERVICES);
    let out = dir.path().join("out");

    // The stack's values carry the spec's retention and volumes, and select every monitor.
    let kps = yaml(&out.join("stack/kube-prometheus-stack.yaml"));
    let spec = &kps["prometheus"]["prometheusSpec"];
    assert_eq!(spec["retention"], "45d");
    assert_eq!(spec["retentionSize"], "20480MiB", "four fifths of 25Gi");
    assert_eq!(spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"], "25Gi");
    for kind in ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"] {
        assert_eq!(spec[format!("{kind}SelectorNilUsesHelmValues")], false, "{kind}");
    }
    assert_eq!(kps["grafana"]["additionalDataSources"][0]["type"], "loki");
    let loki = yaml(&out.join("stack/loki.yaml"));
    assert_eq!(loki["loki"]["limits_config"]["retention_period"], "14d");
    assert_eq!(loki["loki"]["compactor"]["retention_enabled"], true);
    assert_eq!(loki["singleBinary"]["persistence"]["size"], "5Gi");
    let fluent_bit = std::fs::read_to_string(out.join("stack/fluent-bit.yaml")).expect("fluent-bit");
    assert!(fluent_bit.contains("Host loki.monitoring.svc.cluster.local"), "{fluent_bit}");

    // The script installs each chart at its pinned version, with those values, before it applies
    // the manifests (their ServiceMonitors need the stack's CRDs), and the rules and dashboards
    // after.
    let script = std::fs::read_to_string(out.join("scripts/deploy-local.sh")).expect("script");
    let at = |needle: &str| script.find(needle).unwrap_or_else(|| panic!("no {needle} in the script"));
    for chart in [gen_core::platform::KUBE_PROMETHEUS_STACK, gen_core::platform::LOKI, gen_core::platform::FLUENT_BIT] {
        let install = format!(
            "run helm upgrade --install '{}' '{}' --repo '{}' --version '{}' --namespace 'monitoring' --create-namespace --values \"$root/\"'stack/{}.yaml'",
            chart.release, chart.chart, chart.repository, chart.version, chart.release
        );
        assert!(at(&install) < at("apply --kustomize"), "{install}");
    }
    assert!(at("apply --kustomize") < at("--filename \"$root/monitoring/prometheusrule.yaml\""));
    assert!(script.contains("--filename \"$root/\"'monitoring/web/dashboard.yaml'"));

    // A PrometheusRule per set of rules (api and web have objectives of their own: two) holds
    // the very groups promtool reads in rules.yaml, in the stack's namespace, with the label
    // the stack's Prometheus selects rules by with the chart's defaults.
    let text = std::fs::read_to_string(out.join("monitoring/prometheusrule.yaml")).expect("rules");
    let rules = documents("prometheusrule.yaml", &text);
    // Terraform reads the file split at its separators (cluster/main.tf): the same documents.
    assert_eq!(text.split("\n---\n").count(), rules.len());
    assert_eq!(rules.len(), 2, "{text}");
    let mut groups = Vec::new();
    for rule in &rules {
        assert_eq!(rule["metadata"]["namespace"], "monitoring");
        assert_eq!(rule["metadata"]["labels"]["release"], "kube-prometheus-stack");
        groups.extend(rule["spec"]["groups"].as_array().expect("groups").iter().cloned());
    }
    assert_eq!(serde_json::json!({ "groups": groups }), yaml(&out.join("monitoring/rules.yaml")));
    let file = dir.path().join("groups.yaml");
    std::fs::write(&file, serde_json::json!({ "groups": groups }).to_string()).expect("groups");
    let checked = validator("promtool").args(["check", "rules"]).arg(&file).output().expect("promtool");
    assert!(checked.status.success(), "{}", String::from_utf8_lossy(&checked.stdout));

    for service in ["api", "web"] {
        // The monitor carries the same label.
        let monitor = yaml(&out.join(format!("manifests/{service}/servicemonitor.yaml")));
        assert_eq!(monitor["apiVersion"], "monitoring.coreos.com/v1");
        assert_eq!(monitor["metadata"]["labels"]["release"], "kube-prometheus-stack");

        // The dashboard: a ConfigMap the sidecar loads, every query of which parses, on the
        // service's own series, the rules' records, or the cluster's exporters' (named).
        let config_map = yaml(&out.join(format!("monitoring/{service}/dashboard.yaml")));
        assert_eq!(config_map["metadata"]["labels"]["grafana_dashboard"], "1");
        let json = config_map["data"][format!("{service}.json")].as_str().expect("the dashboard's JSON");
        let dashboard: serde_json::Value = serde_json::from_str(json).expect("JSON");
        assert_eq!(dashboard["uid"], format!("gen-{service}"));
        let queries = gen_core::render::dashboard::expressions(&dashboard);
        assert!(queries.len() >= 9, "{queries:?}");
        let own = [
            "http_requests_total",
            "http_request_duration_seconds_bucket",
            "http_request_duration_seconds_count",
            "http_requests_in_progress",
        ];
        let exporters = [
            "container_cpu_usage_seconds_total",
            "container_memory_working_set_bytes",
            "kube_pod_container_resource_limits",
        ];
        for (title, query) in &queries {
            let parsed = gen_core::lint::prometheus::parse(query).unwrap_or_else(|e| panic!("{title}: {e}\n{query}"));
            for name in gen_core::lint::prometheus::metric_names(&parsed) {
                assert!(
                    own.contains(&name) || exporters.contains(&name) || name.starts_with("slo:sli_error:ratio_rate"),
                    "{title} reads {name}"
                );
            }
        }
        // Each objective's budget is its own, and the latency panel names the spec's threshold.
        let titles: Vec<&str> = queries.iter().map(|(t, _)| t.as_str()).collect();
        if service == "api" {
            assert!(titles.contains(&"Error budget left: availability (99.5%)"), "{titles:?}");
            assert!(titles.contains(&"Latency percentiles (objective: 95% within 1s)"), "{titles:?}");
            assert!(queries.iter().any(|(_, q)| q.contains(") / 0.05")), "the latency budget is 5%");
        }
    }
    // Both objects validate against prometheus-operator's schema and Kubernetes'.
    let objects: Vec<_> = ["api", "web"]
        .iter()
        .map(|s| out.join(format!("monitoring/{s}/dashboard.yaml")))
        .chain([out.join("monitoring/prometheusrule.yaml")])
        .collect();
    let validated = validator("crd-validate").args(&objects).output().expect("crd-validate");
    assert!(validated.status.success(), "{}", String::from_utf8_lossy(&validated.stdout));
    // And gen lint of the tree, read as a repository of hand-written files, is clean.
    let lint = Gen::new().args(["lint", "out"]).current_dir(dir.path()).run();
    assert_eq!(lint.code, 0, "{}", lint.stderr);
}

#[test]
fn a_kind_environment_beside_aks_monitors_with_the_stack_and_aks_with_its_managed_prometheus() {
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/kind-dev-azure-prod.yaml")).expect("spec");
    let dir = render(&spec);
    let out = dir.path().join("out");
    // The base (AKS) reads managed Prometheus' kind; the kind cluster's overlay drops it for the
    // stack's, labelled as the stack selects.
    assert_eq!(yaml(&out.join("manifests/api/servicemonitor.yaml"))["apiVersion"], "azmonitoring.coreos.com/v1");
    let built = std::process::Command::new("kubectl")
        .args(["kustomize"])
        .arg(out.join("manifests/overlays/dev"))
        .output()
        .expect("kubectl kustomize");
    assert!(built.status.success(), "{}", String::from_utf8_lossy(&built.stderr));
    let objects = documents("overlay", &String::from_utf8_lossy(&built.stdout));
    let monitors: Vec<_> = objects.iter().filter(|o| o["kind"] == "ServiceMonitor").collect();
    assert_eq!(monitors.len(), 1, "{monitors:?}");
    assert_eq!(monitors[0]["apiVersion"], "monitoring.coreos.com/v1");
    assert_eq!(monitors[0]["metadata"]["labels"]["release"], "kube-prometheus-stack");
    // Only the kind cluster's script installs the stack; AKS keeps its add-on and rule groups.
    let script = std::fs::read_to_string(out.join("scripts/deploy-local-dev.sh")).expect("script");
    assert!(script.contains("--install 'kube-prometheus-stack'"));
    assert!(out.join("stack/kube-prometheus-stack.yaml").exists());
    let tfvars = std::fs::read_to_string(out.join("terraform/environments/prod.tfvars")).expect("tfvars");
    assert!(tfvars.contains("slo_services = [\n  \"api\",\n]"), "{tfvars}");
}

#[test]
fn aks_runs_kube_prometheus_stack_and_loki_in_the_cluster_and_alertmanager_mails_the_alert_addresses() {
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/aks-in-cluster-stack.yaml")).expect("spec");
    let dir = render(&spec);
    let out = dir.path().join("out");
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    // The platform root turns managed Prometheus and Container Insights' container logs off,
    // exempts the stacks' namespace from the Pod Security Standard, and hands the cluster
    // root its alerts and who hears of them.
    let tfvars = read("terraform/environments/prod.tfvars");
    assert!(tfvars.contains("metrics_stack = \"kube-prometheus-stack\"\nlogs_stack    = \"loki\""), "{tfvars}");
    let main = read("terraform/main.tf");
    for wired in [
        "pod_security_exempt      = var.metrics_stack == \"kube-prometheus-stack\" || var.logs_stack == \"loki\" ? [\"monitoring\"] : []",
        "managed_prometheus       = var.metrics_stack == \"managed\"",
        "container_logs     = var.logs_stack == \"cloud\"",
    ] {
        assert!(main.contains(wired), "{wired}");
    }
    let outputs = read("terraform/outputs.tf");
    assert!(outputs.contains("alerts       = module.monitoring.alerts"), "{outputs}");

    // The cluster root installs the stacks with the very values a local cluster gets, and
    // applies each service's rule and dashboard, read from the files beside them.
    let cluster = read("terraform/cluster/main.tf");
    installs_the_stacks_values(&out, &cluster);
    assert!(cluster.contains("stack_values          = \"${path.root}/../../stack\""));
    assert!(cluster.contains("split(\"\\n---\\n\", file(\"${local.monitored}/prometheusrule.yaml\"))"), "{cluster}");
    assert!(out.join("monitoring/prometheusrule.yaml").is_file());
    for s in ["api", "web"] {
        assert!(out.join(format!("monitoring/{s}/dashboard.yaml")).is_file(), "{s}");
    }
    // Each chart pin is the one a local cluster's script installs.
    let module = read("terraform/cluster/modules/observability/variables.tf");
    for (variable, chart) in [
        ("kube_prometheus_stack_chart_version", gen_core::platform::KUBE_PROMETHEUS_STACK),
        ("loki_chart_version", gen_core::platform::LOKI),
        ("fluent_bit_chart_version", gen_core::platform::FLUENT_BIT),
    ] {
        let at = module.find(&format!("variable \"{variable}\"")).expect(variable);
        assert!(module[at..].contains(&format!("default     = \"{}\"", chart.version)), "{variable}");
    }
    // The deploy identity writes prometheus-operator's ServiceMonitor, which the chart holds
    // on AKS too, labelled as the stack selects.
    assert!(cluster.contains("local.kube_prometheus_stack ? \"monitoring.coreos.com\" : \"azmonitoring.coreos.com\""));
    let values = read("values/api.prod.yaml");
    assert!(values.contains("apiVersion: \"monitoring.coreos.com/v1\""), "{values}");
    assert!(values.contains("\"release\": \"kube-prometheus-stack\""), "{values}");

    // The workflow hands the cluster root the pipeline's relay (the preview, the apply and the
    // drift check), and runs on
    // a change to the stacks' values and the services' rules and dashboards.
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/terraform.yml")).expect("workflow");
    // The relay's password reaches the cluster root as an ephemeral variable, parsed from the
    // secret in the step (preview, apply and drift), never as a value Terraform keeps.
    assert_eq!(workflow.matches("          MAIL_CONNECTION: ${{ secrets.MAIL_CONNECTION }}").count(), 3, "{workflow}");
    assert_eq!(workflow.matches("export TF_VAR_alertmanager_smtp TF_VAR_alertmanager_smtp_password").count(), 3);
    let module = read("terraform/cluster/modules/observability/main.tf");
    assert!(module.contains("data_wo          = { password = var.smtp_password }"), "{module}");
    let variables = read("terraform/cluster/modules/observability/variables.tf");
    let password = &variables[variables.find("variable \"smtp_password\"").expect("smtp_password")..];
    assert!(password[..password.find("\n}").expect("end")].contains("ephemeral   = true"), "{password}");
    for path in ["out/stack/*.yaml", "out/monitoring/prometheusrule.yaml", "out/monitoring/*/dashboard.yaml"] {
        assert!(workflow.contains(&format!("- \"{path}\"")), "{path}");
    }
    let readme = read("README.md");
    assert!(readme.contains("GitHub secret `MAIL_CONNECTION`"), "the relay is a prerequisite");
    assert!(readme.contains("On AKS with kube-prometheus-stack"), "{readme}");

    // The same spec with managed Prometheus on AKS keeps the add-on, and the relay is the
    // pipeline's notices' alone.
    let managed = render(&spec.replace(
        "  metrics: {stack: kube-prometheus-stack, retention: 15d, storage: 20Gi}\n  logs: {stack: loki, retention: 7d}\n",
        "  metrics: {retention: 15d, storage: 20Gi}\n  logs: {retention: 7d}\n",
    ));
    let managed_out = managed.path().join("out");
    let tfvars = std::fs::read_to_string(managed_out.join("terraform/environments/prod.tfvars")).expect("tfvars");
    assert!(tfvars.contains("metrics_stack = \"managed\"\nlogs_stack    = \"cloud\""), "{tfvars}");
    let workflow = std::fs::read_to_string(managed.path().join(".github/workflows/terraform.yml")).expect("workflow");
    assert!(!workflow.contains("TF_VAR_alertmanager"), "{workflow}");
    // Loki beside managed Prometheus is refused: no Grafana would show its lines.
    let refused = tempfile::tempdir().expect("tempdir");
    let loki_alone = spec.replace("  metrics: {stack: kube-prometheus-stack, retention: 15d, storage: 20Gi}\n", "");
    std::fs::write(refused.path().join("spec.yaml"), loki_alone).expect("spec");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(refused.path()).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.contains("error[SPEC174]") || run.stderr.contains("error[SPEC174]"), "{}", run.stderr);
    // The kind cluster still runs the stack (a local cluster's default), AKS does not.
    assert!(managed_out.join("monitoring/prometheusrule.yaml").is_file());
    let readme = std::fs::read_to_string(managed_out.join("README.md")).expect("readme");
    assert!(!readme.contains("On AKS with kube-prometheus-stack"), "{readme}");
}

/// The Alertmanager configuration the cluster root's module writes, as Terraform evaluates it
/// (its variables and its `locals`, no provider) with `tfvars`.
fn alertmanager_config(module: &Path, tfvars: &str) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(module.join("variables.tf"), dir.path().join("variables.tf")).expect("variables");
    let main = std::fs::read_to_string(module.join("main.tf")).expect("main.tf");
    let start = main.find("\nlocals {").expect("locals");
    let end = start + main[start..].find("\n}\n").expect("the end of locals") + 3;
    // The Secret's name, which the module reads from the resource that makes it.
    let locals = main[start..end].replace("kubernetes_secret_v1.smtp[0].metadata[0].name", "\"alertmanager-smtp\"");
    std::fs::write(dir.path().join("locals.tf"), locals).expect("locals");
    std::fs::write(dir.path().join("out.tf"), "output \"config\" { value = yamlencode(local.alertmanager) }\n")
        .expect("out");
    std::fs::write(dir.path().join("test.auto.tfvars"), tfvars).expect("tfvars");
    let terraform = |args: &[&str]| crate::common::terraform(dir.path(), args);
    terraform(&["init", "-backend=false", "-input=false"]);
    terraform(&["apply", "-auto-approve", "-input=false"]);
    terraform(&["output", "-raw", "config"])
}

/// Writes the Alertmanager configuration `config` in `dir`, holds it to `amtool check-config`,
/// and gives the receiver `amtool config routes test` sends an alert of some labels to.
fn amtool_router(dir: &Path, config: &str) -> impl Fn(&[&str]) -> String {
    let file = dir.join("alertmanager.yaml");
    std::fs::write(&file, config).expect("config");
    let checked = validator("amtool").arg("check-config").arg(&file).output().expect("amtool");
    assert!(checked.status.success(), "{config}\n{}", String::from_utf8_lossy(&checked.stdout));
    move |labels: &[&str]| {
        let out = validator("amtool")
            .args(["config", "routes", "test", "--config.file"])
            .arg(&file)
            .args(labels)
            .output()
            .expect("amtool");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }
}

#[test]
fn alertmanager_on_aks_pages_the_alert_addresses_and_stays_quiet_on_info_and_the_watchdog() {
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/aks-in-cluster-stack.yaml")).expect("spec");
    let dir = render(&spec);
    let module = dir.path().join("out/terraform/cluster/modules/observability");
    let with_mail = "metrics = true\nlogs = true\nalert_emails = [\"oncall@example.com\", \"sre@example.com\"]\n\
                     smtp = { smarthost = \"smtp.example.com:587\", username = \"alerts@example.com\", require_tls = true }\n\
                     mail_from = \"alerts@example.com\"\n";
    for (tfvars, receiver) in [(with_mail, "email"), ("metrics = true\nlogs = false\nalert_emails = []\n", "null")] {
        let config = alertmanager_config(&module, tfvars);
        let route = amtool_router(dir.path(), &config);
        // A page and a ticket reach the addresses; the stack's heartbeat and its info alerts
        // reach no one.
        assert_eq!(route(&["alertname=ErrorBudgetBurnFast", "severity=critical"]), receiver, "{config}");
        assert_eq!(route(&["alertname=ErrorBudgetBurnSlow", "severity=warning"]), receiver);
        assert_eq!(route(&["alertname=Watchdog", "severity=none"]), "null");
        assert_eq!(route(&["alertname=CPUThrottlingHigh", "severity=info"]), "null");
        if receiver == "email" {
            assert!(config.contains("sre@example.com") && config.contains("smtp_require_tls\": true"), "{config}");
            assert!(config.contains("/etc/alertmanager/secrets/alertmanager-smtp/password"), "{config}");
        }
    }
}

/// The cluster root's wiring of modules/observability (its `locals` and `module` blocks, from
/// `start` to `end`, with `replaced` swapped for what a plan needs no provider for, and the
/// module's variables), planned by Terraform with the platform root's output stubbed as
/// `platform` (a `locals` body).
fn plan_wiring(out: &Path, (start, end): (&str, &str), replaced: &[(&str, &str)], platform: &str) {
    // At the cluster root's depth: its paths (../../stack) read the same files.
    let dir = out.join("terraform/h");
    std::fs::create_dir_all(dir.join("modules/observability")).expect("mkdir");
    std::fs::copy(
        out.join("terraform/cluster/modules/observability/variables.tf"),
        dir.join("modules/observability/variables.tf"),
    )
    .expect("variables");
    let main = std::fs::read_to_string(out.join("terraform/cluster/main.tf")).expect("main.tf");
    let at = main.find(start).expect("the wiring");
    let mut wiring = main[at..at + main[at..].find(end).expect("its end")].to_string();
    for (from, to) in replaced {
        wiring = wiring.replace(from, to);
    }
    let variables = std::fs::read_to_string(out.join("terraform/cluster/variables.tf")).expect("variables.tf");
    let relay = &variables[variables.find("# Alertmanager's relay").expect("the relay's variables")..];
    let stub = format!("locals {{\n  platform = {platform}\n}}\n");
    std::fs::write(dir.join("main.tf"), format!("{wiring}\n{relay}\n{stub}")).expect("main");
    for args in [&["init", "-backend=false", "-input=false"][..], &["plan", "-input=false"]] {
        crate::common::terraform(&dir, args);
    }
    std::fs::remove_dir_all(&dir).expect("clean");
}

/// AKS' cluster root planned with what the platform says of metrics, and which services have
/// rules.
fn plan_observability_wiring(out: &Path, metrics: &str) {
    plan_wiring(
        out,
        ("# The observability stacks the spec names", "# GitOps: Argo CD"),
        &[("[kubernetes_namespace_v1.service, module.cert_manager]", "[]")],
        &format!(
            "{{ ingress_namespace = \"gateway-system\", observability = {{ metrics = \"{metrics}\", logs = \"cloud\", alerts = [], alert_emails = [\"oncall@example.com\"], slo_services = [\"api\", \"web\"] }} }}"
        ),
    );
}

#[test]
fn the_cluster_root_plans_with_the_stack_and_with_managed_prometheus_beside_a_local_cluster() {
    // The services' rule and dashboard files exist (the kind cluster runs the stack): they are
    // read only where the stack runs, and whatever they hold, the plan's types hold.
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/aks-in-cluster-stack.yaml")).expect("spec");
    let dir = render(&spec);
    for metrics in ["kube-prometheus-stack", "managed"] {
        plan_observability_wiring(&dir.path().join("out"), metrics);
    }
}

#[test]
fn observability_off_installs_no_stack_and_renders_no_monitor() {
    let dir = render(&TWO_SERVICES.replace(
        "observability:\n  metrics: {retention: 45d, storage: 25Gi}\n  logs: {retention: 14d, storage: 5Gi}\n",
        "observability: {enabled: false}\n",
    ));
    let out = dir.path().join("out");
    for gone in ["stack", "monitoring", "manifests/api/servicemonitor.yaml"] {
        assert!(!out.join(gone).exists(), "{gone}");
    }
    let script = std::fs::read_to_string(out.join("scripts/deploy-local.sh")).expect("script");
    assert!(!script.contains("kube-prometheus-stack") && !script.contains("monitoring"), "{script}");
}

#[test]
fn a_stack_the_platform_does_not_run_is_refused_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = TWO_SERVICES.replace("  logs: {retention: 14d, storage: 5Gi}\n", "  logs: {stack: cloud}\n");
    std::fs::write(dir.path().join("spec.yaml"), &spec).expect("spec");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("error[SPEC174]: gen installs no `cloud` logs stack on local"), "{}", run.stderr);
    assert!(run.stderr.contains("spec.yaml:17:17"), "{}", run.stderr);
    assert!(!dir.path().join("out").exists(), "nothing written");
}

#[test]
fn eks_runs_kube_prometheus_stack_and_loki_and_the_alert_addresses_hear_of_the_services_and_the_backups() {
    // Two services on EKS, one whose volume AWS Backup keeps: nothing in the spec names a stack.
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/aws.yaml")).expect("spec");
    let dir = render(&spec);
    let out = dir.path().join("out");
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    // The platform root hands the cluster root the stacks, who Alertmanager mails and whose
    // rules it loads.
    let tfvars = read("terraform/terraform.tfvars");
    for line in [
        "metrics_stack = \"kube-prometheus-stack\"\nlogs_stack    = \"loki\"\n",
        "alert_emails = [\n  \"oncall@example.com\",\n]\n",
        "slo_services = [\n  \"api\",\n  \"notes\",\n]\n",
    ] {
        assert!(tfvars.contains(line), "{line}\n{tfvars}");
    }
    let outputs = read("terraform/outputs.tf");
    assert!(outputs.contains("alert_emails = var.alert_emails"), "{outputs}");

    // The cluster root installs the stacks with the values a local cluster gets, on gp3, and
    // the services' rules and dashboards; the deploy role writes the charts' ServiceMonitors.
    let cluster = read("terraform/cluster/main.tf");
    installs_the_stacks_values(&out, &cluster);
    assert!(cluster.contains("storage_class                = kubernetes_storage_class_v1.gp3.metadata[0].name"));
    assert!(cluster.contains(
        "[{ api_groups = [\"monitoring.coreos.com\"], resources = [\"servicemonitors\"], verbs = local.write }]"
    ));
    for s in ["api", "notes"] {
        assert!(out.join(format!("monitoring/{s}/dashboard.yaml")).is_file(), "{s}");
        let values = read(&format!("values/{s}.yaml"));
        assert!(values.contains("apiVersion: \"monitoring.coreos.com/v1\""), "{values}");
    }
    // Planned by Terraform, with the platform root's output stubbed: the module's types hold
    // what the cluster root hands it.
    plan_eks_observability_wiring(&out);

    // The workflow hands the relay to the cluster root's preview, apply and drift check.
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/terraform.yml")).expect("workflow");
    assert_eq!(workflow.matches("          MAIL_CONNECTION: ${{ secrets.MAIL_CONNECTION }}").count(), 3, "{workflow}");
    for path in ["out/stack/*.yaml", "out/monitoring/prometheusrule.yaml", "out/monitoring/*/dashboard.yaml"] {
        assert!(workflow.contains(&format!("- \"{path}\"")), "{path}");
    }
    let readme = read("README.md");
    assert!(readme.contains("GitHub secret `MAIL_CONNECTION`"), "the relay is a prerequisite");
    assert!(readme.contains("Alertmanager on EKS mails the alerts through it too"), "{readme}");

    // AWS Backup is no cluster's: CloudWatch mails a failed, aborted or expired job of the
    // shared vault to the same addresses, through a topic encrypted with a key of its own (the
    // one CloudWatch may use), whatever other dimension the vault's series carry.
    let shared = read("terraform/shared/terraform.tfvars");
    assert!(shared.contains("alert_emails = [\n  \"oncall@example.com\",\n]\n"), "{shared}");
    let main = read("terraform/shared/main.tf");
    for wired in [
        "kms_master_key_id = aws_kms_key.alerts[0].arn",
        "WHERE BackupVaultName = '${aws_backup_vault.this[0].name}'",
        "alarm_actions      = [aws_sns_topic.backup_alerts[0].arn]",
    ] {
        assert!(main.contains(wired), "{wired}");
    }
    for metric in ["NumberOfBackupJobsFailed", "NumberOfBackupJobsAborted", "NumberOfBackupJobsExpired"] {
        assert!(main.contains(metric), "{metric}");
    }
    // CloudWatch may use the topic's key alone, never the key of the images and backups.
    let key_policy = |name: &str| {
        let at = main.find(&format!("data \"aws_iam_policy_document\" \"{name}\"")).expect(name);
        main[at..at + main[at..].find("\n}\n").expect("end")].to_string()
    };
    assert!(key_policy("alerts_key").contains("cloudwatch.amazonaws.com"));
    // No principal deletes a recovery point or shortens its retention: they expire alone.
    let vault = key_policy("backup_vault");
    assert!(vault.contains("effect    = \"Deny\""), "{vault}");
    assert!(vault.contains("[\"backup:DeleteRecoveryPoint\", \"backup:UpdateRecoveryPointLifecycle\"]"), "{vault}");
    assert!(main.contains("policy            = data.aws_iam_policy_document.backup_vault.json"), "{main}");
    assert!(!key_policy("shared_key").contains("cloudwatch.amazonaws.com"));
    assert!(read("terraform/README.md").contains("PendingConfirmation"), "the subscription is confirmed by hand");

    // Observability off: no stack, no relay, and no address is required.
    let off =
        spec.replace("    monitoring: {alertEmails: [oncall@example.com]}\n", "") + "observability: {enabled: false}\n";
    let dir = render(&off);
    let out = dir.path().join("out");
    let tfvars = std::fs::read_to_string(out.join("terraform/terraform.tfvars")).expect("tfvars");
    assert!(tfvars.contains("metrics_stack = \"none\"\nlogs_stack    = \"none\"\n"), "{tfvars}");
    assert!(!tfvars.contains("alert_emails = [") && !tfvars.contains("slo_services = ["), "{tfvars}");
    assert!(!out.join("stack").exists() && !out.join("monitoring").exists());
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/terraform.yml")).expect("workflow");
    assert!(!workflow.contains("MAIL_CONNECTION"), "{workflow}");
    let shared = std::fs::read_to_string(out.join("terraform/shared/terraform.tfvars")).expect("tfvars");
    assert!(!shared.contains("alert_emails"), "{shared}");
}

#[test]
fn alertmanager_on_eks_publishes_a_heartbeat_whose_silence_cloudwatch_mails_and_a_failed_mail_through_sns() {
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/aws.yaml")).expect("spec");
    let dir = render(&spec);
    let out = dir.path().join("out");
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap_or_else(|e| panic!("{p}: {e}"));

    // Alertmanager's configuration, as Terraform evaluates the module with the topics the
    // platform root hands it: the Watchdog goes to the heartbeat topic every 5 minutes or so;
    // a mail that fails goes to the alerts topic too (SNS mails it, not the relay); a failed
    // publish to SNS is mailed; the rest as on AKS.
    let module = out.join("terraform/cluster/modules/observability");
    let tfvars = "metrics = true\nlogs = true\nalert_emails = [\"oncall@example.com\"]\n\
                  smtp = { smarthost = \"smtp.example.com:587\", username = \"alerts@example.com\", require_tls = true }\n\
                  mail_from = \"alerts@example.com\"\n\
                  sns = { region = \"eu-central-1\", \
                  heartbeat_topic_arn = \"arn:aws:sns:eu-central-1:123456789012:shop-alertmanager-heartbeat\", \
                  alerts_topic_arn = \"arn:aws:sns:eu-central-1:123456789012:shop-alerts\" }\n";
    let config = alertmanager_config(&module, tfvars);
    let route = amtool_router(dir.path(), &config);
    assert_eq!(route(&["alertname=Watchdog", "severity=none"]), "heartbeat", "{config}");
    let failed = ["alertname=AlertmanagerFailedToSendAlerts", "severity=warning"];
    assert_eq!(route(&[failed[0], failed[1], "integration=email"]), "email-and-sns", "{config}");
    assert_eq!(route(&[failed[0], failed[1], "integration=sns"]), "email", "{config}");
    assert_eq!(route(&["alertname=ErrorBudgetBurnFast", "severity=critical"]), "email");
    assert_eq!(route(&["alertname=CPUThrottlingHigh", "severity=info"]), "null");
    // Checked every minute, sent again once more than 4 have passed: every 5 (yamlencode sorts keys).
    let heartbeat = "  - \"group_interval\": \"1m\"\n    \"group_wait\": \"0s\"\n    \"matchers\":\n    - \"alertname = \\\"Watchdog\\\"\"\n    \"receiver\": \"heartbeat\"\n    \"repeat_interval\": \"4m\"\n";
    // SNS refuses a subject of 100 characters or more: each receiver of SNS names a short one.
    let subjects = config.matches("\"subject\": \"").count();
    assert_eq!(subjects, config.matches("\"topic_arn\"").count(), "{config}");
    for line in config.lines().filter(|l| l.trim_start().starts_with("\"subject\"")) {
        assert!(line.trim().len() < 100 + 12, "{line}");
    }
    assert!(config.contains(heartbeat), "{config}");
    assert!(config.contains("\"topic_arn\": \"arn:aws:sns:eu-central-1:123456789012:shop-alertmanager-heartbeat\""));
    assert!(config.contains("\"sigv4\":\n      \"region\": \"eu-central-1\""), "{config}");

    // The platform root: the alarm watches the heartbeat topic's publications, missing ones
    // included, and mails this environment's addresses through a topic CloudWatch may publish
    // to (the shared alerts key); Alertmanager's ServiceAccount publishes through its own role.
    let alerts = read("terraform/alerts.tf");
    for wired in [
        "metric_name         = \"NumberOfMessagesPublished\"",
        "dimensions          = { TopicName = aws_sns_topic.heartbeat[0].name }",
        "treat_missing_data  = \"breaching\"",
        "comparison_operator = \"LessThanThreshold\"",
        "alarm_actions       = [aws_sns_topic.alerts[0].arn]",
        "kms_master_key_id = local.alerts_key_arn",
        "namespace       = \"monitoring\"",
        "service_account = \"kube-prometheus-stack-alertmanager\"",
        "resources = [aws_sns_topic.heartbeat[0].arn, aws_sns_topic.alerts[0].arn]",
    ] {
        assert!(alerts.contains(wired), "{wired}\n{alerts}");
    }
    assert!(read("terraform/outputs.tf").contains("heartbeat_topic_arn = aws_sns_topic.heartbeat[0].arn"));
    assert!(read("terraform/shared/outputs.tf").contains("value       = one(aws_kms_key.alerts[*].arn)"));
    assert!(
        read("terraform/cluster/main.tf").contains("sns                          = try(local.observability.sns, null)")
    );
    let readme = read("terraform/README.md");
    assert!(readme.contains("no heartbeat for 15 minutes"), "{readme}");
}

/// The AWS cluster root's wiring of modules/observability, planned with the platform root's
/// output stubbed as the platform root writes it.
fn plan_eks_observability_wiring(out: &Path) {
    // The platform root's output, as its outputs.tf writes it from the tfvars.
    let outputs = std::fs::read_to_string(out.join("terraform/outputs.tf")).expect("outputs.tf");
    let block = &outputs[outputs.find("    observability = {").expect("observability")..];
    let block = &block[..block.find("\n    }").expect("its end") + 6];
    let block = block
        .replace("var.metrics_stack", "\"kube-prometheus-stack\"")
        .replace("var.logs_stack", "\"loki\"")
        .replace("var.alert_emails", "[\"oncall@example.com\"]")
        .replace("var.slo_services", "[\"api\", \"notes\"]")
        .replace("local.heartbeat ?", "true ?")
        .replace("var.region", "\"eu-central-1\"")
        .replace("aws_sns_topic.heartbeat[0].arn", "\"arn:aws:sns:eu-central-1:123456789012:x-alertmanager-heartbeat\"")
        .replace("aws_sns_topic.alerts[0].arn", "\"arn:aws:sns:eu-central-1:123456789012:x-alerts\"");
    plan_wiring(
        out,
        ("# What watches the services, as on AKS", "# The class of a VolumeSnapshot"),
        &[("[kubernetes_namespace_v1.service]", "[]"), ("kubernetes_storage_class_v1.gp3.metadata[0].name", "\"gp3\"")],
        &format!("{{\n{block}\n  }}"),
    );
}

/// The cluster root (`cluster`, its main.tf) installs each stack with the values gen renders in
/// `stack/`, the very files a local cluster's script installs.
fn installs_the_stacks_values(out: &Path, cluster: &str) {
    for file in ["kube-prometheus-stack.yaml", "loki.yaml", "fluent-bit.yaml"] {
        assert!(cluster.contains(&format!("file(\"${{local.stack_values}}/{file}\")")), "{file}");
        assert!(out.join("stack").join(file).is_file(), "{file}");
    }
}

/// The Terraform workflow reads the pipeline's relay (MAIL_CONNECTION) for Alertmanager as the
/// pipeline's notices do, and refuses what the two would speak differently: Alertmanager
/// chooses TLS by the port alone (from the start on 465, STARTTLS elsewhere), the notices by
/// the scheme. Port 25, closed to the nodes, is refused too.
#[test]
fn the_relay_alertmanager_mails_through_is_refused_where_its_scheme_and_port_disagree() {
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/aks-in-cluster-stack.yaml")).expect("spec");
    let dir = render(&spec);
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/terraform.yml")).expect("workflow");
    // The parse, as the step runs it: from the pattern to the end of its `if`.
    let start = workflow.find("re='^(smtps?)").expect("the parse");
    let indent = workflow[..start].rsplit('\n').next().expect("line").len();
    let end = start + workflow[start..].find(&format!("\n{}fi\n", " ".repeat(indent))).expect("its end") + indent + 4;
    let script: String =
        workflow[start - indent..end].lines().map(|l| l.get(indent..).unwrap_or("").to_string() + "\n").collect();
    let run = |connection: &str| {
        let out = std::process::Command::new("bash")
            .args([
                "--noprofile",
                "--norc",
                "-euo",
                "pipefail",
                "-c",
                &format!("{script}echo \"$TF_VAR_alertmanager_smtp\""),
            ])
            .env("MAIL_CONNECTION", connection)
            .output()
            .expect("bash");
        (
            out.status.success(),
            format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)),
        )
    };
    let (ok, said) = run("smtp+starttls://alerts%40example.com:p%2Fss@smtp.example.com:587");
    assert!(ok, "{said}");
    assert!(
        said.contains(r#"{"smarthost":"smtp.example.com:587","username":"alerts@example.com","require_tls":true}"#),
        "{said}"
    );
    let (ok, said) = run("smtps://alerts:pass@smtp.example.com:465");
    assert!(ok && said.contains(r#""require_tls":false"#), "{said}");
    for (refused, because) in [
        ("smtps://alerts:pass@smtp.example.com:587", "pairs smtps with port 587"),
        ("smtp+starttls://alerts:pass@smtp.example.com:465", "pairs smtp with port 465"),
        ("smtps+starttls://alerts:pass@smtp.example.com:465", "smtps+starttls"),
        ("smtp+starttls://alerts:pass@smtp.example.com:25", "port 25"),
        ("https://smtp.example.com", "is not an SMTP URL"),
    ] {
        let (ok, said) = run(refused);
        assert!(!ok && said.contains(because), "{refused}: {said}");
    }
}
