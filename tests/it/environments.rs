//! Local clusters and environments, judged by the real tools: each declared environment's
//! kustomize overlay builds with `kubectl kustomize` and equals the chart rendered by Helm's
//! engine with that environment's values/<service>.<env>.yaml, object by object and field by field;
//! `helm lint --strict` accepts every values file; kubernetes-validate (strict) accepts every
//! object, and snapscheduler's SnapshotSchedule reads back through its typed API without an
//! unknown field; each local deploy script passes shellcheck, and its dry run names every
//! command it would run while running none. Run on seeds 002 and 004 written as gen specs, on
//! three environments on Azure, and on local for development with Azure for production.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::objects::{assert_same_objects, chart_objects, key, kustomize, objects};
use common::{Gen, root, validator};
use serde_json::Value;

const SPECS: &[&str] = &[
    "examples/seed-002-athletes.yaml",
    "examples/seed-004-notejam.yaml",
    "tests/fixtures/specs/environments.yaml",
    "tests/fixtures/specs/local-azure.yaml",
    "tests/fixtures/specs/kind-dev-azure-prod.yaml",
    "tests/fixtures/specs/kind-dev-azure-staging-prod.yaml",
    // Three environments on EKS, a cluster and a VPC each.
    "examples/seed-004-notejam-eks.yaml",
    // kind beside EKS, each way round: each overlay's Ingress is its own controller's.
    "tests/fixtures/specs/kind-dev-aws-prod.yaml",
    "tests/fixtures/specs/kind-base-aws-prod.yaml",
    // Three environments on EKS, two services on the Gateway's ALB, production in an
    // existing VPC.
    "tests/fixtures/specs/aws-gateway.yaml",
    // Development and test on one EKS cluster, each in its own namespace (the overlay moves
    // every object there) behind its own Ingress group.
    "tests/fixtures/specs/eks-shared-cluster.yaml",
];

/// A spec rendered into a fresh git repository, as a user would.
struct Rendered {
    dir: tempfile::TempDir,
    loaded: gen_core::spec::Loaded,
}

impl Rendered {
    fn new(spec: &str) -> Rendered {
        let dir = tempfile::tempdir().expect("tempdir");
        let bytes = std::fs::read(root().join(spec)).expect("spec");
        std::fs::write(dir.path().join("spec.yaml"), &bytes).expect("copy spec");
        let git = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).status().expect("git");
        assert!(git.success());
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{spec}: {}\n{}", run.stdout, run.stderr);
        let loaded = gen_core::spec::load("spec.yaml", &bytes).unwrap_or_else(|e| panic!("{spec}: {e}"));
        Rendered { dir, loaded }
    }

    fn out(&self, rel: &str) -> PathBuf {
        self.dir.path().join("out").join(rel)
    }

    /// The declared environments, with each one's spec.
    fn environments(&self) -> Vec<(&str, &str, &gen_core::spec::Spec)> {
        self.loaded
            .environments
            .iter()
            .filter(|e| e.declared)
            .map(|e| (e.name.as_str(), e.target, e.spec(&self.loaded).spec.as_ref()))
            .collect()
    }

    /// The objects `kubectl kustomize` builds from an environment's overlay.
    /// Also written to `<env>.yaml` beside the tree, for the other validators.
    /// An environment's workload identity (what scripts/workload-identity-<env>.sh writes from
    /// `terraform output`) is written first when the overlay takes one.
    fn kustomize(&self, env: &str) -> Vec<Value> {
        let overlay = self.out(&format!("manifests/overlays/{env}"));
        if overlay.join("identity/kustomization.yaml").is_file() {
            let (tenant, client) = identity(env);
            let services =
                self.environments().into_iter().find(|e| e.0 == env).expect("an environment").2.services.clone();
            let lines: Vec<String> = std::iter::once(format!("tenant-id={tenant}"))
                .chain(services.iter().map(|s| format!("client-id-{}={client}", s.name)))
                .collect();
            std::fs::write(overlay.join("identity/identity.env"), lines.join("\n") + "\n").expect("identity.env");
        }
        kustomize(&overlay, &self.dir.path().join(format!("{env}.yaml")))
    }
}

/// The tenant and client id an environment's Terraform would output (one per environment).
fn identity(env: &str) -> (String, String) {
    let n = env.len();
    (format!("6f1a2b3c-0000-4000-8000-{n:012}"), format!("0d9e8f7a-0000-4000-8000-{n:012}"))
}

/// The `--set`s the deploy gives the chart of a service that reads Key Vault.
fn identity_set(env: &str, service: &gen_core::spec::model::Service, on_azure: bool) -> Vec<String> {
    if !on_azure || service.secret_env.is_empty() {
        return Vec::new();
    }
    let (tenant, client) = identity(env);
    vec![format!("secretEnv.keyVault.tenantId={tenant}"), format!("secretEnv.keyVault.clientId={client}")]
}

#[test]
fn every_overlay_builds_and_equals_the_chart_with_the_environments_values() {
    for spec in SPECS {
        let rendered = Rendered::new(spec);
        assert!(!rendered.environments().is_empty() || spec.contains("seed-002"), "{spec} declares environments");
        for (env, target, env_spec) in rendered.environments() {
            let built = rendered.kustomize(env);
            for service in &env_spec.services {
                let namespace = service.namespace.as_deref().expect("a namespace");
                let chart = rendered.out("chart");
                let values = format!("@{}", rendered.out(&format!("values/{}.{env}.yaml", service.name)).display());
                let set = identity_set(env, service, target == "azure");
                let args: Vec<&str> = std::iter::once(values.as_str()).chain(set.iter().map(String::as_str)).collect();
                let from_chart = chart_objects(&chart, &service.name, namespace, &args)
                    .unwrap_or_else(|e| panic!("{spec}: {env}: the chart renders: {e}"));
                let from_overlay: BTreeMap<String, Value> = built
                    .iter()
                    .filter(|o| o["metadata"]["namespace"] == namespace && o["kind"] != "Namespace")
                    .filter(|o| o["metadata"]["labels"]["app.kubernetes.io/name"] == service.name.as_str())
                    .map(|o| (key(o), o.clone()))
                    .collect();
                assert_same_objects(&format!("{spec}: {env}: {}", service.name), &from_chart, &from_overlay, "overlay");
            }
        }
    }
}

#[test]
fn an_environment_gets_what_it_overrides_and_a_local_one_builds_its_image_on_the_laptop() {
    let rendered = Rendered::new("examples/seed-004-notejam.yaml");
    let production = rendered.kustomize("production");
    let find = |objects: &[Value], kind: &str| objects.iter().find(|o| o["kind"] == kind).cloned().expect(kind);
    let hpa = find(&production, "HorizontalPodAutoscaler");
    assert_eq!((hpa["spec"]["minReplicas"].as_u64(), hpa["spec"]["maxReplicas"].as_u64()), (Some(2), Some(5)));
    assert_eq!(find(&production, "PersistentVolumeClaim")["spec"]["resources"]["requests"]["storage"], "5Gi");
    // Three years of snapshots in production, a week in development.
    assert_eq!(find(&production, "SnapshotSchedule")["spec"]["retention"]["expires"], "26280h");
    let development = rendered.kustomize("development");
    assert_eq!(find(&development, "SnapshotSchedule")["spec"]["retention"]["expires"], "168h");
    assert_eq!(find(&development, "HorizontalPodAutoscaler")["spec"]["maxReplicas"], 2);
    let container = &find(&production, "Deployment")["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(container["image"], "notejam/notejam:dev", "built and loaded, never pulled from a registry");
    assert_eq!(container["imagePullPolicy"], "Never", "loaded on the laptop, never pulled from Docker Hub");
    assert_eq!(container["resources"]["limits"]["cpu"], "1");
    let ingress = find(&production, "Ingress");
    assert_eq!(ingress["spec"]["rules"][0]["host"], "notejam.localhost");
    assert!(ingress["spec"]["tls"].is_null(), "no certificate issuer runs locally");
    // Snapshots need a CSI driver: minikube's csi-hostpath-driver addon.
    assert_eq!(find(&production, "PersistentVolumeClaim")["spec"]["storageClassName"], "csi-hostpath-sc");

    // Local for development, Azure for production: the same service, two worlds.
    let rendered = Rendered::new("tests/fixtures/specs/local-azure.yaml");
    let dev = rendered.kustomize("dev");
    let prod = rendered.kustomize("prod");
    let image = |objects: &[Value]| {
        find(objects, "Deployment")["spec"]["template"]["spec"]["containers"][0]["image"].as_str().map(str::to_string)
    };
    assert_eq!(image(&dev).as_deref(), Some("athletes/athletes:dev"));
    assert_eq!(image(&prod).as_deref(), Some("athletesacr.azurecr.io/athletes:0.0.1"));
    // Each platform's default route: an Ingress for the local cluster's controller, an
    // HTTPRoute on the host's Gateway gen's Terraform creates on Azure, at its HTTPS listener.
    assert_eq!(find(&dev, "Ingress")["spec"]["rules"][0]["host"], "athletes.localhost");
    assert!(!dev.iter().any(|o| o["kind"] == "HTTPRoute"), "the local cluster runs no Gateway");
    let route = find(&prod, "HTTPRoute");
    assert_eq!(route["spec"]["hostnames"][0], "athletes.example.com");
    assert_eq!(
        route["spec"]["parentRefs"][0],
        serde_json::json!({"group": "gateway.networking.k8s.io", "kind": "Gateway", "name": "athletes.example.com", "namespace": "gateway-system", "sectionName": "https-athletes.example.com"})
    );
    assert!(!prod.iter().any(|o| o["kind"] == "Ingress"), "ingress-nginx only when a service asks for it");
    assert_eq!(find(&dev, "HorizontalPodAutoscaler")["spec"]["maxReplicas"], 2);
    assert_eq!(find(&prod, "HorizontalPodAutoscaler")["spec"]["maxReplicas"], 6);
    assert!(dev.iter().any(|o| o["kind"] == "PodDisruptionBudget"), "two pods at most still get a budget");
}

#[test]
fn every_values_file_passes_helm_lint_strict() {
    for spec in SPECS {
        let rendered = Rendered::new(spec);
        for (env, _, env_spec) in rendered.environments() {
            for service in &env_spec.services {
                let run = validator("helm-lint")
                    .arg("--strict")
                    .arg("-f")
                    .arg(rendered.out(&format!("values/{}.{env}.yaml", service.name)))
                    .arg(rendered.out("chart"))
                    .output()
                    .expect("helm-lint");
                assert!(run.status.success(), "{spec}: {env}: {}", String::from_utf8_lossy(&run.stdout));
            }
        }
    }
}

/// snapscheduler's SnapshotSchedule as its CRD declares it (backube/snapscheduler,
/// config/crd/bases/snapscheduler.backube_snapshotschedules.yaml, v1): every field of `spec`
/// with its type, and no other. (The typed crate kcr_snapscheduler_backube needs a kube whose
/// k8s-openapi differs from gen's, so the fields are read here.)
#[allow(dead_code)] // Read by serde: a field it does not know is an error.
mod snapscheduler {
    use std::collections::BTreeMap;

    use serde::Deserialize;

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct SnapshotSchedule {
        pub api_version: String,
        pub kind: String,
        pub metadata: serde_json::Value,
        pub spec: Spec,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Spec {
        pub claim_selector: Option<Selector>,
        pub disabled: Option<bool>,
        pub retention: Option<Retention>,
        /// Pattern `^(@(annually|yearly|monthly|weekly|daily|hourly))|((((\d+,)*\d+|(\d+(\/|-)\d+)|\*(\/\d+)?)\s?){5})$`.
        pub schedule: Option<String>,
        pub snapshot_template: Option<Template>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Selector {
        pub match_labels: Option<BTreeMap<String, String>>,
        pub match_expressions: Option<Vec<serde_json::Value>>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Retention {
        /// Pattern `^\d+(h|m|s)$`.
        pub expires: Option<String>,
        /// Minimum 1.
        pub max_count: Option<u32>,
    }

    #[derive(Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    pub struct Template {
        pub labels: Option<BTreeMap<String, String>>,
        pub snapshot_class_name: Option<String>,
    }
}

/// Whether a rendered SnapshotSchedule is one snapscheduler's CRD admits: its fields, their
/// types, and the CRD's patterns for the schedule and the retention.
fn schedule_admitted(object: &Value) -> Result<(), String> {
    let typed: snapscheduler::SnapshotSchedule = serde_json::from_value(object.clone()).map_err(|e| e.to_string())?;
    if typed.api_version != "snapscheduler.backube/v1"
        || typed.kind != "SnapshotSchedule"
        || !typed.metadata.is_object()
    {
        return Err("not a snapscheduler.backube/v1 SnapshotSchedule".into());
    }
    let expires = typed.spec.retention.and_then(|r| r.expires).unwrap_or_default();
    let digits = expires.strip_suffix(['h', 'm', 's']).unwrap_or_default();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("retention.expires `{expires}` is not ^\\d+(h|m|s)$"));
    }
    let schedule = typed.spec.schedule.unwrap_or_default();
    let number = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let field = |f: &str| {
        f == "*"
            || f.strip_prefix("*/").is_some_and(number)
            || f.split(',').all(number)
            || f.split_once(['/', '-']).is_some_and(|(a, b)| number(a) && number(b))
    };
    let fields: Vec<&str> = schedule.split(' ').collect();
    if fields.len() != 5 || !fields.iter().all(|f| field(f)) {
        return Err(format!("schedule `{schedule}` is not five cron fields"));
    }
    Ok(())
}

#[test]
fn every_object_of_every_environment_passes_kubernetes_validate_and_snapschedulers_crd() {
    for spec in SPECS {
        let rendered = Rendered::new(spec);
        let mut files = Vec::new();
        for (env, _, _) in rendered.environments() {
            rendered.kustomize(env);
            files.push(rendered.dir.path().join(format!("{env}.yaml")));
        }
        if files.is_empty() {
            files.extend(walkdir::WalkDir::new(rendered.out("manifests")).into_iter().flatten().filter_map(|e| {
                // Neither kustomize's configuration nor .gitattributes is an object.
                let manifest = e.path().extension().is_some_and(|ext| ext == "yaml");
                (e.file_type().is_file() && manifest && e.file_name() != "kustomization.yaml").then(|| e.into_path())
            }));
        }
        for minor in gen_core::platform::azure::rules::unsupported_kubernetes_version::SUPPORTED_MINORS {
            let version = format!("1.{minor}");
            let run = validator("kubernetes-validate")
                .args(["--strict", "--quiet", "-k", &version])
                .args(&files)
                .output()
                .expect("kubernetes-validate");
            // --quiet leaves the failures; one it cannot parse is said on stderr.
            let said = format!("{}{}", String::from_utf8_lossy(&run.stdout), String::from_utf8_lossy(&run.stderr));
            assert!(run.status.success(), "{spec} on Kubernetes {version}:\n{said}");
            // Custom kinds kubernetes-validate has no schema for (as in tests/it/chart.rs): the
            // snapscheduler's, checked below, the Secrets Store CSI driver's, and the Gateway
            // API's and managed Prometheus's ServiceMonitor, checked by crd-validate
            // (tests/it/chart.rs, scripts/conformance).
            for line in said.lines() {
                assert!(
                    ["SnapshotSchedule", "SecretProviderClass", "HTTPRoute", "ServiceMonitor"]
                        .iter()
                        .any(|kind| line.contains(&format!("Couldn't find schema for kind {kind} "))),
                    "{spec}: {line}"
                );
            }
        }
        let mut schedules = 0;
        for file in &files {
            let args = ["files", &file.display().to_string()];
            for (_, object) in objects(&args).expect("objects") {
                if object["kind"] != "SnapshotSchedule" {
                    continue;
                }
                schedules += 1;
                schedule_admitted(&object).unwrap_or_else(|e| panic!("{spec}: {}: {e}", file.display()));
            }
        }
        // On AKS and EKS, AKS Backup and AWS Backup take the backups (Terraform), not a
        // schedule in the cluster.
        let backed_up = rendered.loaded.spec.platform.target.spec().backups_in_cluster()
            && rendered.loaded.spec.services.iter().any(|s| s.persistence.as_ref().is_some_and(|p| p.backup.is_some()));
        assert_eq!(schedules > 0, backed_up, "{spec}: a SnapshotSchedule exactly where the cluster takes a backup");
    }
}

#[test]
fn the_snapshot_schedule_check_refuses_what_the_crd_refuses() {
    let good = serde_json::json!({
        "apiVersion": "snapscheduler.backube/v1", "kind": "SnapshotSchedule", "metadata": {"name": "x"},
        "spec": {"schedule": "0 3 * * *", "retention": {"expires": "24h"}}
    });
    assert_eq!(schedule_admitted(&good), Ok(()));
    let mut misspelled = good.clone();
    misspelled["spec"]["retention"] = serde_json::json!({"expire": "24h"});
    assert!(schedule_admitted(&misspelled).is_err_and(|e| e.contains("unknown field `expire`")));
    let mut years = good.clone();
    years["spec"]["retention"]["expires"] = "3y".into();
    assert!(schedule_admitted(&years).is_err());
    let mut words = good;
    words["spec"]["schedule"] = "every night".into();
    assert!(schedule_admitted(&words).is_err());
}

/// Stub executables that record each call, so that a dry run can be shown to run none.
fn stubs(dir: &Path, tools: &[&str]) -> PathBuf {
    for tool in tools {
        stub(dir, tool, "");
    }
    dir.join("bin")
}

/// One recording stub in `dir/bin` that prints `answer` after recording its call.
fn stub(dir: &Path, tool: &str, answer: &str) {
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).expect("bin");
    let path = bin.join(tool);
    let calls = dir.join("calls");
    let script = format!("#!/bin/sh\necho {tool} \"$@\" >> \"{}\"\nprintf '%s' '{answer}'\n", calls.display());
    std::fs::write(&path, script).expect("stub");
    let mut perms = std::fs::metadata(&path).expect("stub").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&path, perms).expect("chmod");
}

/// Runs a deploy script with only the stubs (and the shell's basics) on its PATH.
fn deploy(script: &Path, bin: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    Command::new("bash")
        .arg(script)
        .args(args)
        .env("PATH", format!("{}:/usr/bin:/bin", bin.display()))
        .env("HOME", home)
        .env_remove("KUBECONFIG")
        .output()
        .expect("bash")
}

#[test]
fn a_deploy_script_names_a_missing_tool_and_runs_nothing() {
    let rendered = Rendered::new("examples/seed-002-athletes.yaml");
    let script = rendered.out("scripts/deploy-local.sh");
    let home = tempfile::tempdir().expect("home");
    let bin = stubs(home.path(), &["docker", "kubectl", "python3", "curl"]);
    let out = deploy(&script, &bin, home.path(), &[]);
    assert_eq!(out.status.code(), Some(1));
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("minikube is not installed: https://minikube.sigs.k8s.io/docs/start/"), "{said}");
    assert!(!home.path().join("calls").exists(), "it ran {:?}", std::fs::read_to_string(home.path().join("calls")));

    // minikube's folder made by root (seed 002: `sudo minikube start`) is named with its fix,
    // before anything runs. (The user's kubeconfig is neither read nor written: not checked.)
    // helm installs the monitoring stack.
    let bin = stubs(home.path(), &["minikube", "helm"]);
    let config = home.path().join(".minikube");
    std::fs::create_dir_all(&config).expect("minikube's folder");
    let root_user = Command::new("id").arg("-u").output().is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    let taken = if root_user {
        Command::new("chown").args(["65534:65534"]).arg(&config).status()
    } else {
        Command::new("chmod").args(["000"]).arg(&config).status()
    };
    assert!(taken.is_ok_and(|s| s.success()));
    let out = deploy(&script, &bin, home.path(), &[]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("is not this user's to read and write") && said.contains("sudo chown"), "{said}");
    assert!(!home.path().join("calls").exists(), "it ran {:?}", std::fs::read_to_string(home.path().join("calls")));
}

#[test]
fn gen_lint_strict_and_yamllint_strict_are_clean_on_every_rendered_tree() {
    for spec in SPECS {
        let rendered = Rendered::new(spec);
        let run = Gen::new().args(["lint", "--strict", "spec.yaml", "out"]).current_dir(rendered.dir.path()).run();
        assert_eq!(run.code, 0, "{spec}: {}\n{}", run.stdout, run.stderr);
        // YAML outside the chart's templates (Go templates) and the workflows (tests/it/workflow.rs).
        let yamls: Vec<PathBuf> = walkdir::WalkDir::new(rendered.out(""))
            .into_iter()
            .flatten()
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
            .filter(|p| !p.components().any(|c| c.as_os_str() == "templates" || c.as_os_str() == ".github"))
            .collect();
        let run = validator("yamllint")
            .args(["--strict", "-f", "parsable", "-d", "relaxed"])
            .args(&yamls)
            .output()
            .expect("yamllint");
        assert!(run.status.success(), "{spec}: {}", String::from_utf8_lossy(&run.stdout));
    }
}

#[test]
fn checkov_and_trivy_pass_every_tree_and_every_environments_objects() {
    // Every spec's tree and each environment's objects side by side in one folder, read by
    // one run of checkov, which starts once rather than twice a spec.
    let all = tempfile::tempdir().expect("tempdir");
    let mut trees = Vec::new();
    for spec in SPECS {
        let rendered = Rendered::new(spec);
        // Each environment's objects as kustomize builds them, beside the tree.
        let built = rendered.dir.path().join("built");
        std::fs::create_dir_all(&built).expect("built");
        for (env, _, _) in rendered.environments() {
            rendered.kustomize(env);
            std::fs::rename(rendered.dir.path().join(format!("{env}.yaml")), built.join(format!("{env}.yaml")))
                .expect("move");
        }
        let folder = all.path().join(spec.replace(['/', '.'], "_"));
        for (from, to) in [(rendered.out(""), folder.join("out")), (built.clone(), folder.join("built"))] {
            for entry in walkdir::WalkDir::new(&from).into_iter().flatten().filter(|e| e.file_type().is_file()) {
                let at = to.join(entry.path().strip_prefix(&from).expect("under the tree"));
                std::fs::create_dir_all(at.parent().expect("a folder")).expect("mkdir");
                std::fs::copy(entry.path(), &at).expect("copy");
            }
        }
        trees.push((spec, rendered, built));
    }
    // Kubernetes' framework alone: the shared chart rendered with its own values (what
    // checkov's Helm framework would check) installs nothing; the plain manifests are it
    // rendered with each service's values.
    common::checkov_passes(&["kubernetes", "secrets"], all.path(), &[], &[]);
    for (spec, rendered, built) in trees {
        let cache = tempfile::tempdir().expect("tempdir");
        let ignore = rendered.out(".trivyignore.yaml");
        let local = gen_core::platform::local::of(&rendered.loaded.spec).is_some();
        assert_eq!(ignore.is_file(), local, "{spec}: trivy's suppressions exactly where the images are local");
        for dir in [rendered.out(""), built.clone()] {
            let mut trivy = validator("trivy");
            trivy
                .args(["config", "--quiet", "--skip-check-update", "--skip-version-check", "--disable-telemetry"])
                .args(["--exit-code", "1", "--severity", "LOW,MEDIUM,HIGH,CRITICAL", "--cache-dir"])
                .arg(cache.path());
            if ignore.is_file() && dir == rendered.out("") {
                trivy.arg("--ignorefile").arg(&ignore);
            }
            let run = trivy.arg(&dir).output().expect("trivy");
            let said = String::from_utf8_lossy(&run.stdout);
            // A local environment's image is never pulled: its objects alone may be reported for
            // that (KSV-0125), and for nothing else.
            let local_images = said.lines().filter(|l| l.starts_with("KSV-0125")).count();
            let failures: usize = said
                .lines()
                .filter_map(|l| l.strip_prefix("Failures: "))
                .filter_map(|l| l.split_whitespace().next()?.parse::<usize>().ok())
                .sum();
            assert!(
                run.status.success() || (failures > 0 && failures == local_images),
                "{spec}: trivy {}:\n{said}{}",
                dir.display(),
                String::from_utf8_lossy(&run.stderr)
            );
        }
    }
}

#[test]
fn gen_init_platform_local_writes_a_spec_that_renders_for_a_laptop() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = Gen::new().args(["init", "--platform", "local", "--name", "notes"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = dir.path().join("out");
    assert!(out.join("scripts/deploy-local.sh").is_file());
    // Nothing of the cloud: no Terraform, no workflow, no registry.
    for cloud in ["terraform", ".github", "scripts/next-version.sh"] {
        assert!(!out.join(cloud).exists(), "{cloud}");
    }
    let deployment = std::fs::read_to_string(out.join("manifests/notes/deployment.yaml")).expect("deployment");
    assert!(deployment.contains("image: \"notes/notes:dev\""), "{deployment}");
    let ingress = std::fs::read_to_string(out.join("manifests/notes/ingress.yaml")).expect("ingress");
    assert!(ingress.contains("host: \"notes.localhost\"") && !ingress.contains("tls:"), "{ingress}");
    let run = Gen::new().args(["init", "--platform", "gcp"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
}

#[test]
fn gen_init_platform_aws_writes_a_spec_whose_render_closes_on_the_eks_cluster_its_terraform_creates() {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = Gen::new().args(["init", "--platform", "aws", "--name", "notes"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    let out = dir.path().join("out");
    // The image is the account's ECR repository `<project>/<service>`, at a tag never pushed.
    let deployment = std::fs::read_to_string(out.join("manifests/notes/deployment.yaml")).expect("deployment");
    assert!(
        deployment.contains("image: \"123456789012.dkr.ecr.eu-west-1.amazonaws.com/notes/notes:0.0.0\""),
        "{deployment}"
    );
    // An Ingress of the AWS Load Balancer Controller: TLS from ACM (no Secret to create),
    // HTTP redirected, one load balancer for the project.
    let ingress = std::fs::read_to_string(out.join("manifests/notes/ingress.yaml")).expect("ingress");
    for line in [
        "ingressClassName: \"alb\"",
        "alb.ingress.kubernetes.io/ssl-redirect: \"443\"",
        "alb.ingress.kubernetes.io/group.name: notes",
        "- \"notes.example.com\"",
    ] {
        assert!(ingress.contains(line), "{line}: {ingress}");
    }
    assert!(!ingress.contains("secretName") && !ingress.contains("nginx.ingress"), "{ingress}");
    // The load balancer reaches the pods from its subnets: the NetworkPolicy admits their
    // range (the VPC's last sixteenth), not every pod of the VPC.
    let policy = std::fs::read_to_string(out.join("manifests/notes/networkpolicy.yaml")).expect("policy");
    assert!(policy.contains("cidr: \"10.0.240.0/20\"") && !policy.contains("10.0.0.0/16"), "{policy}");
    // gen's Terraform creates the cluster and what the chart needs in it, and the pipeline
    // pushes the image and deploys it as the roles that Terraform creates (no variable). The
    // README names each cluster with the command that reaches it, and the GitHub environment
    // the deploy runs in; no image is the user's to push.
    assert!(out.join("terraform/modules/eks/main.tf").is_file());
    let pipeline = std::fs::read_to_string(dir.path().join(".github/workflows/_pipeline.yml")).expect("pipeline");
    for line in [
        "role-to-assume: \"arn:aws:iam::123456789012:role/notes-build\"",
        "role-to-assume: \"arn:aws:iam::123456789012:role/notes-eks-deploy\"",
        "run: aws eks update-kubeconfig --region \"$REGION\" --name \"$CLUSTER\"",
    ] {
        assert!(pipeline.contains(line), "{line}");
    }
    assert!(!pipeline.contains("AZURE_") && !pipeline.contains("azure/login"), "{pipeline}");
    let readme = std::fs::read_to_string(out.join("README.md")).expect("readme");
    for line in ["EKS cluster `notes-eks`", "`kubectl get ingressclass 'alb'`", "- GitHub environment `production`"] {
        assert!(readme.contains(line), "{line}");
    }
    assert!(!readme.contains("Image `123456789012.dkr.ecr"), "{readme}");
    // The zone is Route 53's: the host's certificate is Terraform's, not a prerequisite.
    assert!(!readme.contains("ACM certificate for"), "{readme}");
    // What closes the render is the Terraform, not the README's words: without the READMEs it
    // still closes, and without the controller's release the class is missing.
    std::fs::write(out.join("README.md"), "# notes\n").expect("write");
    std::fs::write(out.join("terraform/README.md"), "# notes\n").expect("write");
    let lint = Gen::new().args(["lint", "out"]).current_dir(dir.path()).run();
    assert!(!lint.stdout.contains("DEP0"), "{}\n{}", lint.stdout, lint.stderr);
    let main = out.join("terraform/cluster/main.tf");
    let text = std::fs::read_to_string(&main).expect("main.tf");
    std::fs::write(&main, text.replace("chart      = \"aws-load-balancer-controller\"", "chart      = \"other\""))
        .expect("write");
    let lint = Gen::new().args(["lint", "out"]).current_dir(dir.path()).run();
    assert!(lint.stdout.contains("IngressClass `alb`"), "{}\n{}", lint.stdout, lint.stderr);
}

#[test]
fn gen_init_footprint_starter_writes_the_smallest_cluster_that_closes_and_says_what_it_costs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).status().expect("git");
    assert!(git.success());
    let run = Gen::new().args(["init", "--footprint", "starter", "--name", "notes"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    for line in ["tier: Free", "count: 2}", "minCount: 1, maxCount: 2", "sku: Basic", "What it gives up"] {
        assert!(spec.contains(line), "{line}:\n{spec}");
    }
    // The fixture the validators read (tests/it/terraform.rs) is this spec, with a service more.
    let fixture = std::fs::read_to_string(root().join("tests/fixtures/specs/starter.yaml")).expect("fixture");
    let head = |text: &str| {
        text[text.find("apiVersion").expect("apiVersion")..text.find("\nservices:").expect("services")].to_string()
    };
    assert_eq!(head(&fixture), head(&spec), "the fixture's platform is what init writes");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lint = Gen::new().args(["lint", "--format", "json", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(lint.problems(), vec![], "it closes and lints clean: {}", lint.stdout);
    // Terraform takes the tier; the README says the tier's price and the month's estimate.
    let tfvars = std::fs::read_to_string(dir.path().join("out/terraform/terraform.tfvars")).expect("tfvars");
    assert!(tfvars.contains("aks_tier = \"Free\""), "{tfvars}");
    let readme = std::fs::read_to_string(dir.path().join("out/README.md")).expect("README");
    assert!(readme.contains("the AKS Free tier,\n  nothing, with no SLA"), "{readme}");
    assert!(readme.contains("comes to about $348 to\n  $458 a month"), "{readme}");
    assert!(readme.contains("come to about $616 to $726"), "{readme}");
    // Production's is what `gen init` writes by default.
    let run = Gen::new().args(["init", "--footprint", "production", "--out", "p.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let production = std::fs::read_to_string(dir.path().join("p.yaml")).expect("spec");
    assert!(!production.contains("tier:") && production.contains("count: 3}") && production.contains("sku: Standard"));
    // A laptop's cluster has no footprint gen could choose.
    let run = Gen::new()
        .args(["init", "--platform", "local", "--footprint", "starter", "--out", "l.yaml"])
        .current_dir(dir.path())
        .run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("--footprint starter sizes a cloud platform's cluster"), "{}", run.stderr);
    assert!(!dir.path().join("l.yaml").exists());
}

/// Runs `gen lint` on a spec written into a temporary folder: (exit code, stderr).
fn lint_text(text: &str) -> (i32, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), text).expect("spec");
    let run = Gen::new().args(["lint", "spec.yaml"]).current_dir(dir.path()).run();
    (run.code, run.stderr + &run.stdout)
}

#[test]
fn a_mistake_in_an_environment_is_reported_where_it_was_written() {
    let base = std::fs::read_to_string(root().join("tests/fixtures/specs/local-azure.yaml")).expect("spec");
    // A misspelt key in an override: its own line and column, the environment named, a guess.
    let (code, said) =
        lint_text(&base.replace("platform: {local: {cluster: kind}}", "platform: {local: {clustr: kind}}"));
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("unknown key `clustr` (in environment `dev`)") && said.contains("spec.yaml:26:24"), "{said}");
    assert!(said.contains("did you mean `cluster`?"), "{said}");
    // A service the spec does not have.
    let (code, said) = lint_text(&base.replace("      athletes: {replicas: 1", "      athlete: {replicas: 1"));
    assert_eq!(code, 2, "{said}");
    assert!(
        said.contains("overrides `athlete`, which is no service of this spec")
            && said.contains("did you mean `athletes`?"),
        "{said}"
    );
    // Two targets for one environment; none at all.
    let (code, said) = lint_text(
        &base.replace("platform: {local: {cluster: kind}}", "platform: {local: {}, azure: {location: northeurope}}"),
    );
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("SPEC015") && said.contains("names both `local` and `azure`"), "{said}");
    // An object the service as written does not have.
    let (code, said) = lint_text(&base.replace(
        "autoscaling: {minReplicas: 1, maxReplicas: 2}}",
        "autoscaling: {minReplicas: 1, maxReplicas: 2}, persistence: {size: 1Gi}}",
    ));
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("gives `athletes` persistence, which the service as written does not have"), "{said}");
    // A value only wrong after the merge: its rule runs on the environment's spec.
    let (code, said) = lint_text(
        &base.replace("autoscaling: {minReplicas: 1, maxReplicas: 2}", "autoscaling: {minReplicas: 4, maxReplicas: 2}"),
    );
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("SPEC109") && said.contains("(in environment `dev`)"), "{said}");
}

/// A laptop spec that grows a cloud environment, as the local example's comment suggests.
const LOCAL_THEN_AZURE: &str = "apiVersion: gen/v1
kind: Project
metadata: {name: shop}
platform:
  local: {cluster: minikube}
  github: {repository: acme/shop}
  terraformState: {resourceGroup: tfstate-rg, storageAccount: acmetfstate}
services:
  - name: shop
    ingress: {path: /}
environments:
  - name: dev
  - name: test
    platform:
      azure: {location: westeurope, resourceGroup: shop-test-rg, aks: {name: shop-test}, acr: {name: shopacr}}
    services:
      shop: {ingress: {host: test.shop.example.com}}
  - name: prod
    platform:
      azure: {location: westeurope, resourceGroup: shop-prod-rg, aks: {name: shop-prod}, acr: {name: shopacr}}
    services:
      shop: {ingress: {host: shop.example.com}}
";

#[test]
fn a_local_default_stays_in_local_environments() {
    let loaded = gen_core::spec::load("spec.yaml", LOCAL_THEN_AZURE.as_bytes()).expect("loads");
    let tls: Vec<(&str, bool)> = loaded
        .environments
        .iter()
        .map(|e| (e.name.as_str(), e.spec(&loaded).spec.services[0].ingress.as_ref().expect("ingress").tls))
        .collect();
    assert_eq!(tls, [("dev", false), ("test", true), ("prod", true)]);
}

#[test]
fn what_environments_share_is_reported_once() {
    // Two Azure environments that both lack the service's host: one finding, at the ingress.
    let spec = LOCAL_THEN_AZURE
        .replace("      shop: {ingress: {host: test.shop.example.com}}\n", "      shop: {replicas: 1}\n")
        .replace("      shop: {ingress: {host: shop.example.com}}\n", "      shop: {replicas: 2}\n");
    let (code, said) = lint_text(&spec);
    assert_eq!(code, 2, "{said}");
    assert_eq!(said.matches("has an ingress without a host").count(), 1, "{said}");
    // A rule that fires the same way in two environments (a backup on kind's storage): once.
    let spec = "apiVersion: gen/v1
kind: Project
metadata: {name: shop}
platform:
  local: {cluster: minikube}
services:
  - name: shop
    persistence: {size: 1Gi, mountPath: /data, backup: {retentionDays: 7}}
environments:
  - name: a
    platform: {local: {cluster: kind}}
  - name: b
    platform: {local: {cluster: kind}}
";
    let (code, said) = lint_text(spec);
    assert_eq!(code, 1, "{said}");
    assert_eq!(said.matches("error[SPEC124]").count(), 1, "{said}");
}

#[test]
fn an_azure_environment_cannot_deploy_an_image_the_build_never_pushed() {
    // The workflow builds and pushes one image, the first Azure environment's; prod's values
    // would name another.
    let base = std::fs::read_to_string(root().join("tests/fixtures/specs/environments.yaml")).expect("spec");
    let spec = base.replace(
        "        ingress: {host: shop.example.com}\n",
        "        ingress: {host: shop.example.com}\n        image: {repository: shopacr.azurecr.io/shop-prod}\n",
    );
    assert_ne!(spec, base);
    let (code, said) = lint_text(&spec);
    assert_eq!(code, 1, "{said}");
    assert!(said.contains("error[SPEC122]") && said.contains("image repository of `shop`"), "{said}");
    assert_eq!(said.matches("error[SPEC122]").count(), 1, "{said}");
}

#[test]
fn the_readme_names_one_delegation_per_zone_and_only_the_edge_the_cluster_gets() {
    // Every environment adds its records to the zone the shared root creates: one delegation.
    let envs = Rendered::new("tests/fixtures/specs/environments.yaml");
    let readme = std::fs::read_to_string(envs.out("README.md")).expect("README");
    let delegations: Vec<&str> = readme.lines().filter(|l| l.starts_with("- DNS delegation `")).collect();
    assert_eq!(delegations.len(), 1, "{delegations:#?}");
    assert!(delegations[0].contains("output of `terraform/shared/`"), "{}", delegations[0]);
    // Seed 001 routes through ingress-nginx only: its cluster gets no Gateway, and its first
    // deploy says so.
    let seed = Rendered::new("examples/seed-001-flask-duckdns.yaml");
    let readme = std::fs::read_to_string(seed.out("README.md")).expect("README");
    let step = readme.lines().skip_while(|l| !l.starts_with("4. **Inside the cluster**")).take(4).collect::<String>();
    assert!(step.contains("ingress-nginx on the static IP") && !step.contains("Gateway"), "{step}");
}

/// A volume many nodes mount, with no class named: on AKS an Azure Files share (its default
/// class is a disk one node mounts, and the claim would never bind), snapshotted by the file
/// driver's class; on a laptop beside it, the local cluster's own class. The rendered tree
/// closes on each cluster.
#[test]
fn a_shared_volume_without_a_class_is_a_file_share_on_aks_and_the_laptops_class_locally() {
    let spec = "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  azure:\n    location: westeurope\n    \
                monitoring: {alertEmails: [ops@example.com]}\n    resourceGroup: shop-rg\n    aks: {name: shop}\n    acr: {name: shopacr}\n  github: {repository: acme/shop}\n  \
                terraformState: {resourceGroup: tfstate-rg, storageAccount: acmetfstate}\nservices:\n  - name: shop\n    \
                replicas: 2\n    ingress: {host: shop.example.com}\n    persistence: {size: 1Gi, mountPath: /data, accessMode: \
                ReadWriteMany}\nenvironments:\n  - name: dev\n    platform: {local: {cluster: minikube}}\n  \
                - name: prod\n";
    let loaded = gen_core::spec::load("spec.yaml", spec.as_bytes()).expect("loads");
    let volumes: Vec<(&str, Option<&str>, Option<&str>)> = loaded
        .environments
        .iter()
        .map(|e| {
            let volume = e.spec(&loaded).spec.services[0].persistence.as_ref().expect("volume");
            let backup = volume.backup.as_ref().and_then(|b| b.snapshot_class.as_deref());
            (e.name.as_str(), volume.storage_class.as_deref(), backup)
        })
        .collect();
    assert_eq!(volumes, [("dev", None, None), ("prod", Some("azurefile-csi"), None)]);
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), spec).expect("write");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let values = std::fs::read_to_string(dir.path().join("out/values/shop.prod.yaml")).expect("values");
    assert!(values.contains("storageClass: \"azurefile-csi\""), "{values}");
    let lint = Gen::new()
        .args(["lint", "--format", "json", "out"])
        .env("PATH", common::path_with_helm())
        .current_dir(dir.path())
        .run();
    assert_eq!(lint.problems(), vec![], "{}", lint.stdout);
}

#[test]
fn local_environments_on_one_port_are_told_that_one_runs_at_a_time() {
    // Each deploy script forwards the ingress controller to its port until Ctrl-C, and the
    // next one's port check stops it: taken as environments used one after another, and said.
    let spec = |production_port: u16| {
        format!(
            "apiVersion: gen/v1\nkind: Project\nmetadata: {{name: shop}}\nplatform:\n  local: {{port: 8081}}\nservices:\n  - name: shop\n    \
             ingress: {{path: /}}\nenvironments:\n  - name: test\n  - name: production\n    platform: {{local: {{cluster: kind, port: {production_port}}}}}\n"
        )
    };
    for (port, shared) in [(8081, true), (8082, false)] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("spec.yaml"), spec(port)).expect("write");
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        let readme = std::fs::read_to_string(dir.path().join("out/README.md")).expect("README");
        let ports: Vec<&str> = readme.lines().filter(|l| l.starts_with("- Port `127.0.0.1:")).collect();
        assert_eq!(ports.len(), 2, "{ports:#?}");
        for (line, other) in ports.iter().zip(["production", "test"]) {
            let says =
                format!("`{other}` forwards to the same port, so one of these environments is reachable at a time");
            assert_eq!(line.contains(&says), shared, "{port}: {line}");
        }
    }
}

#[test]
fn plain_manifests_leave_the_count_of_an_autoscaled_deployment_to_its_hpa_in_every_environment() {
    // `api` autoscales (prod raises its bounds), `web` runs a fixed count (prod raises it): in
    // each environment's built objects, `api`'s Deployment carries no `replicas` beside its
    // HPA (`kubectl apply` would reset the count the HPA set on every apply), and `web`'s
    // carries the environment's count. (An environment cannot turn autoscaling on or off:
    // SPEC013.)
    let spec = r#"apiVersion: gen/v1
kind: Project
metadata: {name: shop}
platform:
  azure:
    location: westeurope
    monitoring: {alertEmails: [ops@example.com]}
    resourceGroup: shop-dev-rg
    aks: {name: shop-dev}
    acr: {name: shopacr}
  github: {repository: acme/shop, branch: main}
  terraformState: {resourceGroup: shop-tfstate, storageAccount: shoptfstate}
services:
  - name: api
    port: 5000
    replicas: 2
    autoscaling: {minReplicas: 2, maxReplicas: 4, cpuUtilization: 60}
  - name: web
    port: 5000
    replicas: 2
environments:
  - name: dev
  - name: prod
    platform:
      azure:
        resourceGroup: shop-prod-rg
        aks: {name: shop-prod}
    services:
      api: {autoscaling: {minReplicas: 3, maxReplicas: 8}}
      web: {replicas: 4}
"#;
    let file = tempfile::NamedTempFile::new().expect("spec");
    std::fs::write(file.path(), spec).expect("write spec");
    let rendered = Rendered::new(file.path().to_str().expect("utf-8"));
    let find = |objects: &[Value], kind: &str, name: &str| -> Option<Value> {
        objects.iter().find(|o| o["kind"] == kind && o["metadata"]["name"] == name).cloned()
    };
    for (env, web_replicas, api_min) in [("dev", 2, 2), ("prod", 4, 3)] {
        let built = rendered.kustomize(env);
        let api = find(&built, "Deployment", "api").expect("api");
        assert!(api["spec"].get("replicas").is_none(), "{env}: api sets replicas beside its HPA: {}", api["spec"]);
        let hpa = find(&built, "HorizontalPodAutoscaler", "api").expect("api's HPA");
        assert_eq!(hpa["spec"]["minReplicas"], api_min, "{env}");
        let web = find(&built, "Deployment", "web").expect("web");
        assert_eq!(web["spec"]["replicas"], web_replicas, "{env}");
        assert!(find(&built, "HorizontalPodAutoscaler", "web").is_none(), "{env}: web has no HPA");
    }
}

#[test]
fn on_aws_each_missing_piece_is_reported_once_in_the_first_environment_that_lacks_it() {
    // dev has admins and a host-less ingress; prod names no admin: both are reported.
    let text = "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  aws: {region: eu-west-1, accountId: \"123456789012\", eks: {name: shop, adminRoles: [\"arn:aws:iam::123456789012:role/A\"]}, state: {bucket: acme-shop-tfstate}}\n  github: {repository: acme/shop}\nservices:\n  - {name: shop, port: 5000, ingress: {path: /}}\nenvironments:\n  - name: dev\n  - name: prod\n    platform:\n      aws: {eks: {name: shop-prod, adminRoles: []}}\n  - name: test\n    platform:\n      aws: {eks: {name: shop-test, adminRoles: []}}\n";
    let (code, out) = lint_text(text);
    assert_eq!(code, 2, "{out}");
    assert_eq!(out.matches("adminRoles` is empty (environment `prod`)").count(), 1, "{out}");
    assert!(!out.contains("environment `test`): no one"), "{out}");
    assert_eq!(out.matches("ingress without a host").count(), 1, "{out}");
}
