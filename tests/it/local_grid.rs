//! A grid of specs unlike the reference, of the shapes teams grow into: the spec as written on
//! a laptop (kind, minikube) or on Azure; no environments, environments on one platform, or on
//! two (a laptop's `dev` beside Azure's `staging` and `prod`); one service or three; secrets,
//! shared volumes, backups, TLS, HTTPRoutes and GitOps on and off. Each renders (or is refused
//! at its own line, when it asks a laptop for what no laptop serves), and each local
//! environment's objects, as `kubectl kustomize` builds its overlay, hold only what its cluster
//! has: no Key Vault wiring, a storage class and access mode its provisioner serves, a snapshot
//! class it has, routes through the ingress-nginx its script installs, images it loaded. The
//! closure check agrees however it is pointed at the output: `gen render`, `gen lint` of the
//! spec, `gen lint` of the rendered folder, `gen lint .` at the repository's root.

use crate::common;

use std::process::Command;

use common::Gen;
use common::objects::kustomize;
use serde_json::Value;

/// Where the spec as written runs.
#[derive(Clone, Copy, Debug)]
enum Base {
    Kind,
    Minikube,
    Azure,
}

/// Which environments the spec declares, and where each runs.
#[derive(Clone, Copy, Debug)]
enum Envs {
    None,
    /// `dev` on a laptop (the base's kind of laptop, kind for an Azure base), `prod` on Azure.
    LaptopAndAzure,
    /// `dev` on a laptop, `staging` and `prod` on Azure.
    LaptopAndTwoAzure,
    /// `dev` and `test`, both laptops (of the base's kind, or kind and minikube for Azure).
    TwoLaptops,
}

/// One spec of the grid.
#[derive(Clone, Copy, Debug)]
struct Shape {
    base: Base,
    envs: Envs,
    services: usize,
    /// Secrets, a volume (shared on Azure; backed up on minikube), TLS, an HTTPRoute on Azure, GitOps.
    options: bool,
}

const AZURE: &str = "  azure:
    location: westeurope
    resourceGroup: shop-rg
    aks: {name: shop-aks}
    acr: {name: shopacr}
    dns: {zone: example.com}
    monitoring: {alertEmails: [ops@example.com]}";
/// A block of the spec as an environment's: four more spaces on each line.
fn indent(block: &str) -> String {
    block.lines().map(|l| format!("    {l}")).collect::<Vec<_>>().join("\n")
}

const SHARED: &str = "  github: {repository: acme/shop}
  terraformState: {resourceGroup: shop-tfstate, storageAccount: shoptfstate}";

impl Shape {
    fn azure_anywhere(&self) -> bool {
        matches!(self.base, Base::Azure) || matches!(self.envs, Envs::LaptopAndAzure | Envs::LaptopAndTwoAzure)
    }

    fn laptop(&self) -> &'static str {
        match self.base {
            Base::Minikube => "minikube",
            _ => "kind",
        }
    }

    fn spec(&self) -> String {
        let mut s = String::from("apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n");
        match self.base {
            Base::Azure => s.push_str(AZURE),
            Base::Kind => s.push_str("  local: {cluster: kind}"),
            Base::Minikube => s.push_str("  local: {cluster: minikube}"),
        }
        s.push('\n');
        if self.azure_anywhere() {
            s.push_str(SHARED);
            s.push('\n');
        }
        s.push_str("services:\n");
        let azure = matches!(self.base, Base::Azure);
        for i in 0..self.services {
            let name = ["api", "web", "jobs"][i];
            s.push_str(&format!("  - name: {name}\n    port: 5000\n    replicas: 2\n"));
            if i == 2 {
                // A service without an ingress, in a namespace of its own.
                s.push_str("    namespace: batch\n");
                continue;
            }
            let host = if azure { format!("host: {name}.example.com, ") } else { String::new() };
            let route = if self.options && azure { ", route: httproute" } else { "" };
            let tls = if azure { format!(", tls: {}", self.options) } else { String::new() };
            s.push_str(&format!("    ingress: {{{host}path: /{tls}{route}}}\n"));
            if self.options {
                s.push_str("    secretEnv: [SECRET_KEY]\n");
                let volume = if azure {
                    // No backup: AKS Backup takes no Azure Files share (SPEC160).
                    "{size: 1Gi, mountPath: /app/data, storageClass: azurefile-csi, accessMode: ReadWriteMany}"
                } else if matches!(self.base, Base::Minikube) && !self.azure_anywhere() {
                    // Beside Azure, the environments there share the volume (below), and AKS
                    // Backup takes no Azure Files share (SPEC160).
                    "{size: 1Gi, mountPath: /app/data, backup: {retentionDays: 7}}"
                } else {
                    "{size: 1Gi, mountPath: /app/data}"
                };
                s.push_str(&format!("    persistence: {volume}\n"));
            }
        }
        let share =
            if self.options { ", persistence: {accessMode: ReadWriteMany, storageClass: azurefile-csi}" } else { "" };
        let laptop_share = if azure { "" } else { share };
        let staging = format!(
            "  - name: staging\n    platform: {{azure: {{resourceGroup: shop-staging-rg, aks: {{name: shop-staging}}}}}}\n    \
             services: {{api: {{ingress: {{host: api-staging.example.com}}{laptop_share}}}, web: {{ingress: {{host: web-staging.example.com}}{laptop_share}}}}}\n"
        );
        let staging = if self.services == 1 {
            staging.replace(&format!(", web: {{ingress: {{host: web-staging.example.com}}{laptop_share}}}"), "")
        } else {
            staging
        };
        // From a laptop's spec, staging is an Azure environment of its own.
        let staging = if azure {
            staging.to_string()
        } else {
            staging.replace(
                "    platform: {azure: {resourceGroup: shop-staging-rg, aks: {name: shop-staging}}}\n",
                &format!(
                    "    platform:\n{}\n",
                    indent(AZURE).replace("shop-rg", "shop-staging-rg").replace("name: shop-aks", "name: shop-staging")
                ),
            )
        };
        // On Azure each ingress needs a host of the DNS zone (a laptop's is `<service>.localhost`).
        // and a volume two replicas on two nodes share is a file share (a laptop has one node).
        let hosts = if self.services == 1 {
            format!("    services: {{api: {{ingress: {{host: api.example.com}}{share}}}}}\n")
        } else {
            format!(
                "    services: {{api: {{ingress: {{host: api.example.com}}{share}}}, web: {{ingress: {{host: web.example.com}}{share}}}}}\n"
            )
        };
        let azure_env = |name: &str| {
            if azure {
                format!("  - name: {name}\n")
            } else {
                format!("  - name: {name}\n    platform:\n{}\n{hosts}", indent(AZURE))
            }
        };
        let laptop_env = |name: &str, cluster: &str| {
            if azure || cluster != self.laptop() {
                format!("  - name: {name}\n    platform: {{local: {{cluster: {cluster}}}}}\n")
            } else {
                format!("  - name: {name}\n")
            }
        };
        match self.envs {
            Envs::None => {}
            Envs::LaptopAndAzure => {
                s.push_str("environments:\n");
                s.push_str(&laptop_env("dev", self.laptop()));
                s.push_str(&azure_env("prod"));
            }
            Envs::LaptopAndTwoAzure => {
                s.push_str("environments:\n");
                s.push_str(&laptop_env("dev", self.laptop()));
                s.push_str(&staging);
                s.push_str(&azure_env("prod"));
            }
            Envs::TwoLaptops => {
                s.push_str("environments:\n");
                s.push_str(&laptop_env("dev", self.laptop()));
                s.push_str(&laptop_env("test", if azure { "minikube" } else { self.laptop() }));
            }
        }
        if self.options && self.azure_anywhere() {
            s.push_str("pipeline: {deploy: gitops}\n");
        }
        s
    }
}

/// Every shape of the grid.
fn grid() -> Vec<Shape> {
    let mut out = Vec::new();
    for base in [Base::Kind, Base::Minikube, Base::Azure] {
        for envs in [Envs::None, Envs::LaptopAndAzure, Envs::LaptopAndTwoAzure, Envs::TwoLaptops] {
            for services in [1, 3] {
                for options in [false, true] {
                    out.push(Shape { base, envs, services, options });
                }
            }
        }
    }
    out
}

/// The DEP findings of a JSON report at error level: code and file.
fn closure_errors(stdout: &str) -> Vec<(String, String, String)> {
    let report: Value = serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("DEP")))
        .map(|d| (d["code"].to_string(), d["file"].to_string(), d["message"].to_string()))
        .collect()
}

/// Holds one local environment's objects to what its cluster has.
fn holds_to_its_cluster(what: &str, objects: &[Value], laptop: &str) {
    let classes: &[&str] = if laptop == "minikube" { &["standard", "csi-hostpath-sc"] } else { &["standard"] };
    for o in objects {
        let kind = o["kind"].as_str().unwrap_or_default();
        let at = format!("{what}: {kind}/{}", o["metadata"]["name"].as_str().unwrap_or_default());
        assert!(!matches!(kind, "SecretProviderClass" | "HTTPRoute" | "Gateway"), "{at}: no such kind on a laptop");
        if kind == "PersistentVolumeClaim" {
            let class = o["spec"]["storageClassName"].as_str();
            assert!(class.is_none_or(|c| classes.contains(&c)), "{at}: class {class:?}");
            assert_eq!(o["spec"]["accessModes"], serde_json::json!(["ReadWriteOnce"]), "{at}");
        }
        if kind == "SnapshotSchedule" {
            assert_eq!(laptop, "minikube", "{at}: kind's storage takes no snapshot");
            assert_eq!(o["spec"]["snapshotTemplate"]["snapshotClassName"], "csi-hostpath-snapclass", "{at}");
        }
        if kind == "Ingress" {
            assert_eq!(o["spec"]["ingressClassName"], "nginx", "{at}");
            assert!(o["spec"]["tls"].is_null(), "{at}: no issuer runs on a laptop");
            assert!(o["metadata"]["annotations"]["cert-manager.io/cluster-issuer"].is_null(), "{at}");
        }
        if kind == "Deployment" {
            let pod = &o["spec"]["template"];
            assert!(pod["metadata"]["labels"]["azure.workload.identity/use"].is_null(), "{at}: workload identity");
            for v in pod["spec"]["volumes"].as_array().into_iter().flatten() {
                assert!(v["csi"].is_null(), "{at}: a CSI volume {v}");
            }
            for c in pod["spec"]["containers"].as_array().into_iter().flatten() {
                assert_eq!(c["imagePullPolicy"], "Never", "{at}: the laptop's image, never pulled");
                let image = c["image"].as_str().unwrap_or_default();
                assert!(!image.contains(".azurecr.io"), "{at}: {image}");
            }
        }
    }
}

#[test]
fn every_local_environment_of_the_grid_holds_only_what_its_cluster_has_and_closes_alike_however_linted() {
    let path = common::path_with_helm();
    let mut checked = 0;
    for shape in grid() {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = shape.spec();
        std::fs::write(dir.path().join("spec.yaml"), &spec).expect("spec");
        assert!(Command::new("git").args(["init", "-q"]).current_dir(dir.path()).status().expect("git").success());
        let render = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(render.code, 0, "{shape:?}\n{spec}\n{}", render.stderr);
        assert!(!render.stderr.contains("error["), "{shape:?}: {}", render.stderr);
        // The closure check, pointed at the spec and at the rendered folder, says what the
        // render said: nothing.
        // With Helm on the PATH, as a user has it: gen renders the charts it finds too.
        let lint = |what: &str| {
            Gen::new().args(["lint", "--format", "json", what]).env("PATH", &path).current_dir(dir.path()).run()
        };
        let (of_spec, of_folder, of_root) = (lint("spec.yaml"), lint("out"), lint("."));
        for (how, run) in [("gen lint spec.yaml", &of_spec), ("gen lint out", &of_folder), ("gen lint .", &of_root)] {
            assert_eq!(closure_errors(&run.stdout), vec![], "{shape:?}: {how}\n{spec}");
            assert!(!run.stdout.contains("\"GEN006\""), "{shape:?}: {how}: a chart was not rendered: {}", run.stdout);
            assert_eq!(run.code, 0, "{shape:?}: {how}: {}", run.stdout);
        }
        // Each local environment's objects, as kustomize builds them.
        let out = dir.path().join("out");
        let locals: Vec<(String, &str)> = match (shape.envs, shape.base) {
            (Envs::None, Base::Azure) => vec![],
            (Envs::None, _) => vec![("manifests".to_string(), shape.laptop())],
            (Envs::LaptopAndAzure | Envs::LaptopAndTwoAzure, _) => {
                vec![("manifests/overlays/dev".to_string(), shape.laptop())]
            }
            (Envs::TwoLaptops, Base::Azure) => vec![
                ("manifests/overlays/dev".to_string(), "kind"),
                ("manifests/overlays/test".to_string(), "minikube"),
            ],
            (Envs::TwoLaptops, _) => vec![
                ("manifests/overlays/dev".to_string(), shape.laptop()),
                ("manifests/overlays/test".to_string(), shape.laptop()),
            ],
        };
        for (folder, laptop) in locals {
            let objects = kustomize(&out.join(&folder), &dir.path().join("built.yaml"));
            assert!(objects.iter().any(|o| o["kind"] == "Deployment"), "{shape:?}: {folder}");
            holds_to_its_cluster(&format!("{shape:?}: {folder}"), &objects, laptop);
            checked += 1;
        }
        let script = |env: &str| out.join(format!("scripts/deploy-local{env}.sh"));
        let scripts = match shape.envs {
            Envs::None => vec![script("")],
            _ => vec![script("-dev")],
        };
        if !matches!((shape.envs, shape.base), (Envs::None, Base::Azure)) {
            for s in scripts {
                assert!(s.is_file(), "{shape:?}: {}", s.display());
            }
        }
    }
    assert!(checked >= 40, "{checked} local environments checked");
}

/// What a laptop cannot serve, asked for by a local environment itself, is refused at the
/// line that asks, naming the environment; written for the cloud at the base, it is
/// translated instead (the grid above).
#[test]
fn what_a_local_environment_asks_itself_and_no_laptop_serves_is_refused_at_its_line() {
    let base = Shape { base: Base::Azure, envs: Envs::LaptopAndAzure, services: 1, options: true }.spec();
    for (ask, rule) in [
        ("{persistence: {storageClass: managed-csi}}", "SPEC137"),
        ("{persistence: {accessMode: ReadWriteMany}}", "SPEC137"),
        ("{ingress: {tls: true}}", "SPEC137"),
    ] {
        let spec = base.replace(
            "    platform: {local: {cluster: kind}}\n",
            &format!("    platform: {{local: {{cluster: kind}}}}\n    services: {{api: {ask}}}\n"),
        );
        assert!(spec.contains(ask), "{spec}");
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("spec.yaml"), &spec).expect("spec");
        let run = Gen::new().args(["lint", "--format", "json", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 1, "{ask}: {}", run.stdout);
        let report: Value = serde_json::from_str(&run.stdout).expect("json");
        let line = spec.lines().position(|l| l.contains(ask)).expect("the line") + 1;
        let found = report["diagnostics"].as_array().expect("diagnostics").iter().any(|d| {
            d["code"] == rule
                && d["location"]["line"] == line
                && d["message"].as_str().is_some_and(|m| m.contains("(in environment `dev`)"))
        });
        assert!(found, "{ask}: {rule} at line {line}: {}", run.stdout);
    }
}

/// A local overlay edited by hand to claim a class AKS has and kind does not: `gen lint` of the
/// rendered folder reports it for that environment, at the overlay's line.
#[test]
fn a_local_overlay_edited_to_claim_an_azure_class_is_reported_for_its_environment() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = Shape { base: Base::Azure, envs: Envs::LaptopAndAzure, services: 1, options: true }.spec();
    std::fs::write(dir.path().join("spec.yaml"), &spec).expect("spec");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let overlay = dir.path().join("out/manifests/overlays/dev/api/kustomization.yaml");
    let text = std::fs::read_to_string(&overlay).expect("overlay");
    let from = "      - op: remove\n        path: /spec/storageClassName\n";
    assert!(text.contains(from), "the dev overlay drops the Azure class:\n{text}");
    let edited =
        text.replace(from, "      - op: replace\n        path: /spec/storageClassName\n        value: managed-csi\n");
    std::fs::write(&overlay, &edited).expect("edit");
    let line = edited.lines().position(|l| l.contains("value: managed-csi")).expect("line") + 1;
    let run = Gen::new().args(["lint", "--format", "json", "out"]).current_dir(dir.path()).run();
    let report: Value = serde_json::from_str(&run.stdout).expect("json");
    let hit = report["diagnostics"].as_array().expect("diagnostics").iter().find(|d| d["code"] == "DEP003");
    let hit = hit.unwrap_or_else(|| panic!("no DEP003: {}", run.stdout));
    assert!(
        hit["file"].as_str().is_some_and(|f| f.ends_with("manifests/overlays/dev/api/kustomization.yaml")),
        "{hit}"
    );
    assert_eq!(hit["location"]["line"], line, "{hit}");
    let message = hit["message"].as_str().unwrap_or_default();
    assert!(message.contains("StorageClass `managed-csi`") && message.contains("environment `dev`"), "{message}");
    assert_eq!(hit["severity"], "error", "gen's own output is held to the closure");
    // The same class in the Azure environment is AKS's own: nothing to report there.
    assert!(!message.contains("`prod`"), "{message}");
}
