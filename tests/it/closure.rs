//! The closure check (`DEP` rules) on whole deployments: hand-written folders of manifests,
//! READMEs that declare prerequisites, and gen's own output (a spec's plan, an output folder).
//! Each rule's fires/passes pair is in `tests/fixtures/dep/` (run by tests/it/rules.rs).

use crate::common;

use std::path::Path;

use common::{Gen, fixture};
use gen_core::diag::Severity;
use gen_core::lint::closure;
use gen_core::pipeline::Session;

/// Runs `gen lint --format json` on `path` with the validators' Helm on the `PATH`.
fn lint(args: &[&str], path: &Path) -> common::Run {
    let helm = common::path_with_helm();
    Gen::new().args(["lint", "--format", "json"]).args(args).arg(path).env("PATH", helm).run()
}

/// The DEP findings of a run: code, file name (last part), line, column, severity.
fn dep(run: &common::Run) -> Vec<(String, String, usize, usize, String)> {
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let mut found: Vec<_> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("DEP")))
        .map(|d| {
            let n = |k: &str| d["location"][k].as_u64().unwrap_or(0) as usize;
            let file = d["file"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("").to_string();
            (d["code"].as_str().unwrap_or("").to_string(), file, n("line"), n("column"), d["severity"].to_string())
        })
        .collect();
    found.sort();
    found
}

fn f(code: &str, file: &str, line: usize, column: usize) -> (String, String, usize, usize, String) {
    (code.into(), file.into(), line, column, "\"warning\"".into())
}

/// The Ingress gen rendered for the reference example before #26: TLS from a Secret nothing
/// issues (no cert-manager annotation), on the class `nginx` nothing installs.
const INGRESS_BEFORE_26: &str = r#"apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: "shop"
  namespace: "shop"
  labels:
    app.kubernetes.io/name: "shop"
    app.kubernetes.io/instance: "shop"
    app.kubernetes.io/version: "0.0.1"
    app.kubernetes.io/part-of: "shop"
spec:
  ingressClassName: "nginx"
  tls:
    - hosts:
        - "shop.example.com"
      secretName: "shop-tls"
  rules:
    - host: "shop.example.com"
      http:
        paths:
          - path: "/"
            pathType: Prefix
            backend:
              service:
                name: "shop"
                port:
                  name: http
"#;

/// The reference example's objects as gen rendered them before #26, written by hand into `dir`: a Deployment
/// that reads the Secret `shop-env`, an Ingress whose TLS secret is `shop-tls` (class
/// `nginx`), and an HTTPRoute whose Gateway is `shop-gateway`.
fn hand_written(dir: &Path) {
    let fixtures = fixture("dep");
    for (from, to) in [
        ("DEP001/fires/namespace.yaml", "namespace.yaml"),
        ("DEP001/fires/serviceaccount.yaml", "serviceaccount.yaml"),
        ("DEP001/fires/configmap.yaml", "configmap.yaml"),
        ("DEP001/fires/service.yaml", "service.yaml"),
        ("DEP001/fires/deployment.yaml", "deployment.yaml"),
        ("DEP004/fires/httproute.yaml", "httproute.yaml"),
    ] {
        std::fs::copy(fixtures.join(from), dir.join(to)).expect("copy");
    }
    std::fs::write(dir.join("ingress.yaml"), INGRESS_BEFORE_26).expect("write");
    // The Gateway API's CRDs come with the cluster here: declared, so that what is left is
    // what the test is about.
    let readme = "# shop\n\n## Prerequisites\n\n- CRDs `httproutes.gateway.networking.k8s.io` and \
                  `gateways.gateway.networking.k8s.io`\n";
    std::fs::write(dir.join("README.md"), readme).expect("write");
}

#[test]
fn hand_written_manifests_report_each_name_nothing_creates_at_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    hand_written(dir.path());
    let run = lint(&[], dir.path());
    assert_eq!(
        dep(&run),
        [
            f("DEP001", "deployment.yaml", 84, 25),
            f("DEP001", "ingress.yaml", 16, 19),
            f("DEP004", "httproute.yaml", 9, 13),
            f("DEP004", "ingress.yaml", 12, 21),
        ],
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("Deployment/shop reads Secret `shop-env` in env SECRET_KEY (namespace `shop`)"));
    // Warnings on hand-written files: exit 0, and 1 with --strict.
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(lint(&["--strict"], dir.path()).code, 1);
}

#[test]
fn a_folder_that_creates_what_it_references_reports_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    hand_written(dir.path());
    let fixtures = fixture("dep");
    std::fs::copy(fixtures.join("DEP001/passes/secretproviderclass.yaml"), dir.path().join("secretproviderclass.yaml"))
        .expect("copy");
    std::fs::copy(fixtures.join("DEP004/passes/gateway.yaml"), dir.path().join("gateway.yaml")).expect("copy");
    let created = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: shop\n  namespace: shop\n\
                   spec:\n  secretName: shop-tls\n  dnsNames: [shop.example.com]\n  issuerRef: {name: letsencrypt, \
                   kind: ClusterIssuer}\n---\napiVersion: networking.k8s.io/v1\nkind: IngressClass\nmetadata:\n  \
                   name: nginx\nspec:\n  controller: k8s.io/ingress-nginx\n";
    std::fs::write(dir.path().join("created.yaml"), created).expect("write");
    let readme = "# shop\n\n## Prerequisites\n\n- CRDs `httproutes.gateway.networking.k8s.io`, \
                  `gateways.gateway.networking.k8s.io`, `certificates.cert-manager.io` and \
                  `secretproviderclasses.secrets-store.csi.x-k8s.io`\n- GatewayClass `approuting-istio`\n";
    std::fs::write(dir.path().join("README.md"), readme).expect("write");
    let run = lint(&[], dir.path());
    assert_eq!(dep(&run), [], "{}", run.stdout);
    // Without the Certificate and the IngressClass, what they created is missing again.
    std::fs::remove_file(dir.path().join("created.yaml")).expect("remove");
    assert_eq!(dep(&lint(&[], dir.path())), [f("DEP001", "ingress.yaml", 16, 19), f("DEP004", "ingress.yaml", 12, 21)]);
}

#[test]
fn a_readme_prerequisites_section_silences_exactly_what_it_names() {
    let repo = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(repo.path().join(".git")).expect("mkdir");
    let deploy = repo.path().join("deploy");
    std::fs::create_dir(&deploy).expect("mkdir");
    hand_written(&deploy);
    // The repository's README, above the folder linted: it declares the Secret (in its
    // namespace) and the IngressClass; the TLS secret and the Gateway stay reported.
    let readme = "# shop\n\nSecret `shop-tls` is named here, outside the section: no declaration.\n\n\
                  ## Prerequisites\n\n- Secret `shop/shop-env` (`kubectl get secret -n shop shop-env`)\n\
                  - IngressClass `nginx`\n\n## Deploy\n\nGateway `shop-gateway` comes later.\n";
    std::fs::write(repo.path().join("README.md"), readme).expect("write");
    let run = lint(&[], &deploy);
    assert_eq!(
        dep(&run),
        [f("DEP001", "ingress.yaml", 16, 19), f("DEP004", "httproute.yaml", 9, 13)],
        "{}",
        run.stdout
    );
    // Declared in another namespace, the Secret is still missing in `shop`.
    std::fs::write(repo.path().join("README.md"), readme.replace("shop/shop-env", "staging/shop-env")).expect("write");
    assert!(dep(&lint(&[], &deploy)).contains(&f("DEP001", "deployment.yaml", 84, 25)));
}

#[test]
fn an_optional_reference_is_never_reported() {
    let dir = tempfile::tempdir().expect("tempdir");
    hand_written(dir.path());
    let deployment = std::fs::read_to_string(dir.path().join("deployment.yaml")).expect("read");
    let optional = deployment.replace("key: \"SECRET_KEY\"", "key: \"SECRET_KEY\"\n                  optional: true");
    assert_ne!(optional, deployment);
    std::fs::write(dir.path().join("deployment.yaml"), optional).expect("write");
    let found = dep(&lint(&[], dir.path()));
    assert!(!found.iter().any(|(_, file, ..)| file == "deployment.yaml"), "{found:?}");
}

#[test]
fn files_named_one_by_one_are_not_a_deployment() {
    // A pre-commit hook names each changed file: a Deployment alone references a Secret the
    // rest of its deployment (not given) creates.
    let run = lint(&[], &fixture("dep/DEP001/fires/deployment.yaml"));
    assert_eq!(dep(&run), [], "{}", run.stdout);
}

/// The library's check of a spec (a fixture), with the closure check at `severity`.
fn check_spec(spec: &str, severity: Option<Severity>) -> gen_core::diag::Findings {
    check_spec_at(&fixture(spec), severity)
}

fn check_spec_at(spec: &Path, severity: Option<Severity>) -> gen_core::diag::Findings {
    let session = Session::new(&[]).expect("catalog");
    let Ok(prepared) = session.prepare(spec, None) else { panic!("{} loads", spec.display()) };
    session.check_closed(&prepared.loaded, &prepared.place, "out", &mut |_| {}, severity).findings
}

/// `specs/valid.yaml` with its volume on the StorageClass `fast-ssd`, which AKS does not come
/// with and nothing in the output creates: the one reference of its output that does not close.
/// The spec's own rule (SPEC141) is ignored, as by a user whose cluster has the class from
/// elsewhere: the output's closure is what still stands between it and a deploy.
fn unknown_storage_class(dir: &Path, ignore: &str) -> std::path::PathBuf {
    let spec = std::fs::read_to_string(fixture("specs/valid.yaml")).expect("read");
    let ignore = format!(
        "  ignore:\n    - {{rule: SPEC141, reason: \"the platform team creates the class\"}}\n{}",
        ignore.trim_start_matches("  ignore:\n").trim_start_matches("  ignore: []\n")
    );
    let spec = spec.replace("storageClass: azurefile-csi", "storageClass: fast-ssd").replace("  ignore: []\n", &ignore);
    let path = dir.join("spec.yaml");
    std::fs::write(&path, spec).expect("write");
    path
}

#[test]
fn gen_s_own_output_is_checked_at_the_severity_own_output_gives() {
    // On: an unresolved reference of gen's own output is an error, and `gen render` writes
    // nothing.
    assert_eq!(closure::OWN_OUTPUT, Some(Severity::Error));
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = unknown_storage_class(dir.path(), "  ignore: []\n");
    let findings = check_spec_at(&spec, closure::OWN_OUTPUT);
    let dep: Vec<_> = findings.diagnostics.iter().filter(|d| d.rule.code.starts_with("DEP")).collect();
    assert_eq!(dep.len(), 1, "{dep:?}");
    assert_eq!(
        (dep[0].rule.code, dep[0].file.as_str(), dep[0].severity),
        ("DEP003", "out/manifests/athletes/pvc.yaml", Severity::Error)
    );
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(render.code, 2, "{}", render.stderr);
    assert!(render.stderr.contains("DEP003"), "{}", render.stderr);
    assert!(!dir.path().join("out").exists(), "nothing is written");
    // The stock spec closes; and `check_each` (what `gen render` runs) checks it.
    let session = Session::new(&[]).expect("catalog");
    let Ok(prepared) = session.prepare(&spec, None) else { panic!("loads") };
    let each = session.check_each(&prepared.loaded, &prepared.place, "out", &mut |_| {}).findings;
    assert!(each.diagnostics.iter().any(|d| d.rule.code == "DEP003"));
    assert!(
        !check_spec("specs/valid.yaml", closure::OWN_OUTPUT).diagnostics.iter().any(|d| d.rule.code.starts_with("DEP"))
    );
}

#[test]
fn every_example_and_test_spec_renders_an_output_that_closes() {
    let mut specs = vec![common::root().join("spec.yaml")];
    for dir in ["examples", "tests/fixtures/specs"] {
        for entry in std::fs::read_dir(common::root().join(dir)).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                specs.push(path);
            }
        }
    }
    for entry in std::fs::read_dir(fixture("spec")).expect("read_dir") {
        let passes = entry.expect("entry").path().join("passes.yaml");
        if passes.exists() {
            specs.push(passes);
        }
    }
    let mut open = Vec::new();
    for spec in &specs {
        let session = Session::new(&[]).expect("catalog");
        let Ok(prepared) = session.prepare(spec, None) else { continue };
        let findings =
            session.check_closed(&prepared.loaded, &prepared.place, "out", &mut |_| {}, Some(Severity::Error));
        for d in findings.findings.diagnostics.iter().filter(|d| d.rule.code.starts_with("DEP")) {
            open.push(format!("{}: {} {}: {}", spec.display(), d.rule.code, d.file, d.message));
        }
    }
    assert!(specs.len() > 20, "{specs:?}");
    assert!(open.is_empty(), "{}", open.join("\n"));
}

#[test]
fn an_output_folder_s_managed_files_are_gen_s_own_output() {
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixture("specs/valid.yaml"), project.path().join("spec.yaml")).expect("copy");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(project.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let out = project.path().join("out");
    assert_eq!(dep(&lint(&[], &out)), [], "gen's own output closes");
    // A managed manifest edited to read a Secret nothing creates: an error, as gen's own.
    let deployment = out.join("manifests/athletes/deployment.yaml");
    let text = std::fs::read_to_string(&deployment).expect("read");
    let edited = text.replacen("name: \"athletes-env\"", "name: \"athletes-extra\"", 1);
    assert_ne!(edited, text);
    std::fs::write(&deployment, edited).expect("write");
    let own = dep(&lint(&[], &out));
    assert!(
        !own.is_empty() && own.iter().all(|d| d.0 == "DEP001" && d.1 == "deployment.yaml" && d.4 == "\"error\""),
        "{own:?}"
    );
    // The same files without the manifest are hand-written: warnings.
    std::fs::remove_file(out.join(".gen-manifest.json")).expect("remove");
    let hand = dep(&lint(&[], &out));
    assert_eq!(
        hand.iter().map(|d| (d.0.as_str(), d.4.as_str())).collect::<Vec<_>>(),
        own.iter().map(|d| (d.0.as_str(), "\"warning\"")).collect::<Vec<_>>()
    );
}

#[test]
fn a_prerequisite_on_one_environment_s_cluster_closes_no_other_s() {
    // kind for dev beside EKS for prod: `api` reads Secret `shop/api-env` on both clusters, and
    // the README declares it on each (the local script's on dev's, kubectl's on prod's).
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixture("specs/kind-dev-aws-prod.yaml"), project.path().join("spec.yaml")).expect("copy");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(project.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let out = project.path().join("out");
    assert_eq!(dep(&lint(&[], &out)), [], "gen's own output closes");
    // Its prod line rewritten for dev's cluster: prod's Secret is declared nowhere.
    let readme = out.join("README.md");
    let text = std::fs::read_to_string(&readme).expect("read");
    let prod = "Secret `shop/api-env` on the cluster of `prod`";
    assert!(text.contains(prod), "{text}");
    std::fs::write(&readme, text.replace(prod, "Secret `shop/api-env` on the cluster of `dev`")).expect("write");
    let run = lint(&[], &out);
    assert_eq!(
        dep(&run).iter().map(|d| (d.0.as_str(), d.1.as_str())).collect::<Vec<_>>(),
        [("DEP001", "deployment.yaml")],
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("`api-env`") && run.stdout.contains("environment `prod`"), "{}", run.stdout);
}

#[test]
fn a_spec_s_lint_ignore_silences_a_dep_finding_of_its_own_output_by_path() {
    let dir = tempfile::tempdir().expect("tempdir");
    let ignore = "  ignore:\n    - {rule: DEP003, reason: \"the platform team creates the class\", path: \
                  manifests/athletes/pvc.yaml}\n";
    let spec = unknown_storage_class(dir.path(), ignore);
    let findings = check_spec_at(&spec, Some(Severity::Error));
    assert!(!findings.diagnostics.iter().any(|d| d.rule.code.starts_with("DEP")), "{:?}", findings.diagnostics);
    assert!(!findings.diagnostics.iter().any(|d| d.rule.code == "GEN002"), "the ignore silences something");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
}

#[test]
fn what_gen_s_local_deploy_script_installs_resolves_the_local_manifests_names() {
    // Seed 004 on minikube: the script enables the ingress, volumesnapshots and
    // csi-hostpath-driver add-ons and installs snapscheduler with Helm, which create the
    // IngressClass, the StorageClass, the VolumeSnapshotClass and the CRDs the manifests use.
    let findings = check_spec_at(&common::root().join("examples/seed-004-notejam.yaml"), Some(Severity::Error));
    let codes: Vec<(&str, &str)> = findings
        .diagnostics
        .iter()
        .filter(|d| d.rule.code.starts_with("DEP"))
        .map(|d| (d.rule.code, d.file.as_str()))
        .collect();
    // And the Secret the script asks the user for is a prerequisite of the rendered README.
    assert_eq!(codes, [], "{codes:?}");
}

#[test]
fn a_workflow_s_inputs_are_read_from_its_expressions_only() {
    // `{{ secrets.X }}` outside `${{ }}` is literal text (here, in a path): no input.
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("mkdir");
    let workflow = "name: ci\non: push\npermissions: {}\njobs:\n  build:\n    runs-on: ubuntu-24.04\n    \
                    steps:\n      - run: echo \"o'ut {{ secrets.LEAK }} ${{ secrets.TOKEN }}\"\n        \
                    if: vars.ENABLED == 'yes'\n";
    std::fs::write(workflows.join("ci.yml"), workflow).expect("write");
    let found = dep(&lint(&[], dir.path()));
    assert_eq!(found, [f("DEP009", "ci.yml", 8, 48), f("DEP009", "ci.yml", 9, 13)], "{found:?}");
}

#[test]
fn a_secret_a_caller_passes_to_a_reusable_workflow_is_the_caller_s_to_resolve() {
    // The called workflow declares the secret (`on.workflow_call.secrets`), and reads it: that
    // resolves its own reading. The caller's `secrets.TOKEN` must still be set or declared.
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("mkdir");
    let called = "name: called\non:\n  workflow_call:\n    secrets:\n      TOKEN: {required: false}\npermissions: {}\n\
                  jobs:\n  push:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo\n        env:\n          \
                  TOKEN: ${{ secrets.TOKEN }}\n";
    let caller = "name: caller\non: push\npermissions: {}\njobs:\n  call:\n    uses: ./.github/workflows/called.yml\n    \
                  secrets:\n      TOKEN: ${{ secrets.TOKEN }}\n";
    std::fs::write(workflows.join("called.yml"), called).expect("write");
    std::fs::write(workflows.join("caller.yml"), caller).expect("write");
    let found = dep(&lint(&[], dir.path()));
    assert_eq!(found, [f("DEP009", "caller.yml", 8, 18)], "{found:?}");
    // Declared in the README beside them, it resolves.
    std::fs::write(
        dir.path().join("README.md"),
        "# x\n\n## Prerequisites\n\n- GitHub secret `TOKEN`: `gh secret list`.\n",
    )
    .expect("write");
    let found = dep(&lint(&[], dir.path()));
    assert_eq!(found, [], "{found:?}");
}

/// A claim of many nodes is judged against its class as the deployment creates it: a class
/// of a disk's provisioner never serves it, one of a file share's (or one gen cannot tell) is
/// not judged, and with no class named on a cluster gen knows nothing of, neither is the
/// cluster's default. On AKS, whose default class is a disk, a claim that names none is.
#[test]
fn a_claim_of_many_nodes_on_a_class_of_one_node_is_reported_at_its_access_mode() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("volume.yaml"), include_str!("../fixtures/closure/shared-volume-disk-class.yaml"))
        .expect("write");
    assert_eq!(dep(&lint(&[], dir.path())), [f("DEP011", "volume.yaml", 21, 17)]);
    std::fs::write(dir.path().join("volume.yaml"), include_str!("../fixtures/closure/shared-volume-file-class.yaml"))
        .expect("write");
    let run = lint(&[], dir.path());
    assert_eq!(dep(&run), [], "{}", run.stdout);

    // gen's own output on AKS: a hand-edited claim of many nodes on the default class.
    let project = tempfile::tempdir().expect("tempdir");
    let spec = std::fs::read_to_string(fixture("spec/SPEC139/passes.yaml")).expect("spec");
    let spec = spec.replace(
        "    secretEnv: [TOKEN]\n",
        "    replicas: 2\n    persistence: {size: 1Gi, mountPath: /data, accessMode: ReadWriteMany}\n",
    );
    std::fs::write(project.path().join("spec.yaml"), spec).expect("write");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(project.path()).run();
    assert_eq!(render.code, 0, "{}{}", render.stdout, render.stderr);
    let claim = project.path().join("out/manifests/api-admin/pvc.yaml");
    let text = std::fs::read_to_string(&claim).expect("pvc");
    assert!(text.contains("storageClassName: \"azurefile-csi\""), "{text}");
    let check = Gen::new().args(["lint", "--format", "json", "spec.yaml"]).current_dir(project.path()).run();
    assert_eq!(dep(&check), [], "{}", check.stdout);
    let line = text.lines().position(|l| l.contains("storageClassName")).expect("class line");
    let edited: String = text.lines().enumerate().filter(|(i, _)| *i != line).map(|(_, l)| format!("{l}\n")).collect();
    std::fs::write(&claim, edited).expect("write");
    let check = lint(&[], &project.path().join("out"));
    assert!(dep(&check).iter().any(|d| d.0 == "DEP011" && d.1 == "pvc.yaml"), "{}", check.stdout);
}

#[test]
fn a_helm_release_of_a_chart_gen_cannot_tell_leaves_the_crds_it_may_install_unjudged() {
    let certificate = "apiVersion: cert-manager.io/v1\nkind: Certificate\nmetadata:\n  name: shop-tls\n  \
                       namespace: cert-manager\nspec:\n  secretName: shop-tls\n  dnsNames: [shop.example.com]\n  \
                       issuerRef: {name: letsencrypt, kind: ClusterIssuer}\n";
    let release = |for_each: &str, chart: &str| {
        format!(
            "resource \"helm_release\" \"addons\" {{\n  for_each         = {for_each}\n  name             = \"addons\"\n  \
             chart            = {chart}\n  repository       = \"https://charts.jetstack.io\"\n  namespace        = \
             \"cert-manager\"\n  create_namespace = true\n}}\n\nvariable \"charts\" {{\n  type = list(string)\n}}\n"
        )
    };
    let run_with = |main: String| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir(dir.path().join(".git")).expect(".git");
        std::fs::write(dir.path().join("main.tf"), main).expect("write");
        std::fs::write(dir.path().join("certificate.yaml"), certificate).expect("write");
        dep(&lint(&[], dir.path()))
    };
    // `each.key` over a variable gen cannot read: the chart may be cert-manager.
    assert_eq!(run_with(release("toset(var.charts)", "each.key")), []);
    assert_eq!(run_with(release("var.releases", "each.value.chart")), []);
    // `each.key` over a written set is each of its names: cert-manager installs the kind...
    assert_eq!(run_with(release("toset([\"cert-manager\"])", "each.key")), []);
    // ...and a chart named that is known not to is still judged.
    assert_eq!(run_with(release("toset([\"podinfo\"])", "each.key")), [f("DEP005", "certificate.yaml", 2, 7)]);
}

#[test]
fn a_podmonitor_of_managed_prometheus_closes_on_a_cluster_with_its_metrics_add_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let monitor = "apiVersion: azmonitoring.coreos.com/v1\nkind: PodMonitor\nmetadata:\n  name: cert-manager\n  \
                   namespace: default\nspec:\n  selector:\n    matchLabels: {app: cert-manager}\n  \
                   podMetricsEndpoints:\n    - port: http-metrics\n";
    std::fs::write(dir.path().join("podmonitor.yaml"), monitor).expect("write");
    let cluster = |addon: &str| {
        format!(
            "resource \"azurerm_kubernetes_cluster\" \"this\" {{\n  name                = \"shop\"\n  \
             location            = \"westeurope\"\n  resource_group_name = \"shop\"\n  dns_prefix          = \
             \"shop\"\n{addon}}}\n"
        )
    };
    // An AKS cluster without the add-on serves no PodMonitor: the kind is reported.
    std::fs::write(dir.path().join("main.tf"), cluster("")).expect("write");
    let without = dep(&lint(&[], dir.path()));
    assert!(without.iter().any(|d| d.1 == "podmonitor.yaml"), "{without:?}");
    // With `monitor_metrics`, the add-on installs it.
    std::fs::write(dir.path().join("main.tf"), cluster("  monitor_metrics {}\n")).expect("write");
    let with = dep(&lint(&[], dir.path()));
    assert!(!with.iter().any(|d| d.1 == "podmonitor.yaml"), "{with:?}");
}

/// A vault per service with secretEnv, per environment: each SecretProviderClass's vault and
/// secrets resolve against the Terraform values of its own environment, and a vault or secret
/// they do not list is reported where the class (or the overlay that names the vault) says it.
#[test]
fn each_secret_provider_class_reads_a_vault_and_secrets_its_environments_terraform_creates() {
    let project = tempfile::tempdir().expect("tempdir");
    let spec = std::fs::read_to_string(fixture("specs/vaults.yaml")).expect("spec");
    std::fs::write(project.path().join("spec.yaml"), spec).expect("write");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(project.path()).run();
    assert_eq!(render.code, 0, "{}{}", render.stdout, render.stderr);
    let out = project.path().join("out");
    let check = lint(&[], &out);
    assert_eq!(dep(&check), [], "{}", check.stdout);
    let error = |code: &str, file: &str, line: usize, column: usize| {
        (code.to_string(), file.to_string(), line, column, "\"error\"".to_string())
    };

    // prod's Terraform names another vault for api: prod's overlay names one nothing creates.
    let prod = out.join("terraform/environments/prod.tfvars");
    let values = std::fs::read_to_string(&prod).expect("prod.tfvars");
    let vault = values.lines().find_map(|l| l.trim().strip_prefix("vault     = ")).expect("a vault").to_string();
    std::fs::write(&prod, values.replacen(&vault, "\"kvapi-000000000000\"", 1)).expect("write");
    let check = lint(&[], &out);
    let overlay = std::fs::read_to_string(out.join("manifests/overlays/prod/api/kustomization.yaml")).expect("overlay");
    let line = overlay.lines().position(|l| l.contains(vault.as_str())).expect("the vault's patch") + 1;
    let found = dep(&check);
    assert!(found.contains(&error("DEP012", "kustomization.yaml", line, 16)), "{found:?}\n{}", check.stdout);
    assert!(check.stdout.contains("environment `prod`"), "{}", check.stdout);
    std::fs::write(&prod, values).expect("write");

    // A secret the service's secretEnv does not list: in every environment.
    let class = out.join("manifests/api/secretproviderclass.yaml");
    let text = std::fs::read_to_string(&class).expect("class");
    assert!(text.contains("objectName: \"DB-URL\""), "{text}");
    std::fs::write(&class, text.replace("objectName: \"DB-URL\"", "objectName: \"DB-URI\"")).expect("write");
    let check = lint(&[], &out);
    let found = dep(&check);
    let misses: Vec<_> = found.iter().filter(|d| d.0 == "DEP012" && d.1 == "secretproviderclass.yaml").collect();
    assert_eq!(misses.len(), 2, "one per environment: {found:?}\n{}", check.stdout);
    assert!(check.stdout.contains("/db-uri"), "{}", check.stdout);
}

/// A SecretProviderClass whose deployment has no Terraform vault is not judged: the vault is
/// made elsewhere.
#[test]
fn a_vault_outside_the_deployments_terraform_is_not_judged() {
    let dir = tempfile::tempdir().expect("tempdir");
    let class = "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\nmetadata:\n  name: shop\nspec:\n  provider: azure\n  parameters:\n    keyvaultName: kv-made-by-hand\n    objects: |\n      array:\n        - |\n          objectName: TOKEN\n          objectType: secret\n";
    std::fs::write(dir.path().join("class.yaml"), class).expect("write");
    let run = lint(&[], dir.path());
    assert!(dep(&run).iter().all(|d| d.0 != "DEP012"), "{}", run.stdout);
    // Beside Terraform that creates another vault, by hand: the class's vault is reported.
    let tf = "resource \"azurerm_key_vault\" \"this\" {\n  name = \"kv-other\"\n}\n";
    std::fs::write(dir.path().join("main.tf"), tf).expect("write");
    let run = lint(&[], dir.path());
    assert!(dep(&run).iter().any(|d| d.0 == "DEP012" && d.1 == "class.yaml" && d.2 == 8), "{}", run.stdout);
}

/// A PrometheusRule labelled `labels` in namespace `shop`.
fn rule_labelled(labels: &str) -> String {
    format!(
        "apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata:\n  name: shop\n  namespace: shop\n  labels: {labels}\nspec:\n  groups:\n    - name: shop\n      rules:\n        - alert: ShopDown\n          expr: up == 0\n          for: 5m\n          labels: {{severity: critical}}\n          annotations: {{runbook: \"kubectl -n shop get pods\"}}\n"
    )
}

#[test]
fn a_monitor_no_installed_prometheus_selects_and_an_alert_that_reaches_no_one_are_reported() {
    let namespaces = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: monitoring\n";
    let crds = "## Prerequisites\n\n- CustomResourceDefinition `*.monitoring.coreos.com`\n";
    let case = |files: &[(&str, &str)]| {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("namespaces.yaml"), namespaces).expect("write");
        std::fs::write(dir.path().join("README.md"), crds).expect("write");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).expect("write");
        }
        dep(&lint(&[], dir.path()))
    };
    // The findings of one rule.
    let only = |code: &str, found: Vec<(String, String, usize, usize, String)>| -> Vec<_> {
        found.into_iter().filter(|f| f.0 == code).collect()
    };
    let c13 = |files: &[(&str, &str)]| only("DEP013", case(files));
    let c14 = |files: &[(&str, &str)]| only("DEP014", case(files));
    let wrong = rule_labelled("{release: kube-prometheus-stack}");
    let right = rule_labelled("{release: prom}");
    // Nothing installs a Prometheus: not judged.
    assert_eq!(c13(&[("rule.yaml", &wrong)]), []);
    // A Prometheus object whose namespace selector is null reads only its own namespace.
    let own = "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\nmetadata:\n  name: k8s\n  namespace: monitoring\nspec:\n  ruleSelector: {}\n";
    assert_eq!(c13(&[("rule.yaml", &wrong), ("prometheus.yaml", own)]), [f("DEP013", "rule.yaml", 6, 11)]);
    let every = format!("{own}  ruleNamespaceSelector: {{}}\n");
    assert_eq!(c13(&[("rule.yaml", &wrong), ("prometheus.yaml", &every)]), []);
    // A script the README runs installs the stack as release `prom`, with the chart's
    // defaults: only `release: prom` is read; with values gen does not read, anything may be.
    let readme = format!("{crds}\n## Deploy\n\n```sh\n./install.sh\n```\n");
    let script = |args: &str| {
        format!(
            "#!/bin/sh\nhelm upgrade --install prom prometheus-community/kube-prometheus-stack -n monitoring {args}\n"
        )
    };
    for (args, wrong_found) in [
        ("", true),
        ("--values values.yaml", false),
        ("--set prometheus.prometheusSpec.ruleSelectorNilUsesHelmValues=false", false),
    ] {
        let found = c13(&[("rule.yaml", &wrong), ("README.md", &readme), ("install.sh", &script(args))]);
        assert_eq!(found.len(), usize::from(wrong_found), "{args}: {found:?}");
        assert_eq!(c13(&[("rule.yaml", &right), ("README.md", &readme), ("install.sh", &script(args))]), []);
    }
    // A Flux HelmRelease: Flux names the release `<targetNamespace>-<name>`.
    let flux = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: prom\n  namespace: flux-system\nspec:\n  targetNamespace: monitoring\n  chart:\n    spec:\n      chart: kube-prometheus-stack\n      sourceRef: {kind: HelmRepository, name: prometheus-community}\n";
    let flux_crds = format!("{crds}- CustomResourceDefinition `*.helm.toolkit.fluxcd.io`\n- Namespace `flux-system`\n");
    let found = c13(&[
        ("rule.yaml", &rule_labelled("{release: monitoring-prom}")),
        ("flux.yaml", flux),
        ("README.md", &flux_crds),
    ]);
    assert_eq!(found, []);
    let found = c13(&[("rule.yaml", &right), ("flux.yaml", flux), ("README.md", &flux_crds)]);
    assert_eq!(found, [f("DEP013", "rule.yaml", 6, 11)]);
    let selects_all = format!(
        "{flux}  values:\n    prometheus:\n      prometheusSpec:\n        ruleSelectorNilUsesHelmValues: false\n"
    );
    assert_eq!(c13(&[("rule.yaml", &right), ("flux.yaml", &selects_all), ("README.md", &flux_crds)]), []);

    // DEP014: read, but its alerts reach no one. The stack's values give Alertmanager no
    // receiver (the chart routes every alert to `null`), at the alert; a receiver silences it.
    assert_eq!(
        c14(&[("rule.yaml", &right), ("flux.yaml", &selects_all), ("README.md", &flux_crds)]),
        [f("DEP014", "rule.yaml", 11, 18)]
    );
    let mails = format!(
        "{selects_all}    alertmanager:\n      config:\n        route: {{receiver: oncall}}\n        receivers:\n          - name: oncall\n            email_configs: [{{to: oncall@example.com}}]\n"
    );
    assert_eq!(case(&[("rule.yaml", &right), ("flux.yaml", &mails), ("README.md", &flux_crds)]), []);
    // A script's release with no value at all: the same; with values gen does not read, not
    // judged.
    assert_eq!(c14(&[("rule.yaml", &right), ("README.md", &readme), ("install.sh", &script(""))]).len(), 1);
    let values = script("--values values.yaml");
    assert_eq!(c14(&[("rule.yaml", &right), ("README.md", &readme), ("install.sh", &values)]), []);
    // A Prometheus object without `alerting.alertmanagers` sends its alerts nowhere.
    assert_eq!(c14(&[("rule.yaml", &wrong), ("prometheus.yaml", &every)]), [f("DEP014", "rule.yaml", 11, 18)]);
    let alerting = format!(
        "{every}  alerting:\n    alertmanagers: [{{namespace: monitoring, name: alertmanager-operated, port: web}}]\n"
    );
    assert_eq!(case(&[("rule.yaml", &wrong), ("prometheus.yaml", &alerting)]), []);
}

/// On EKS an HTTPRoute closes on what the in-cluster root installs: the Gateway API's CRDs,
/// rendered from Envoy Gateway's CRD chart and applied by a `kubernetes_manifest`, and the
/// Gateway of `modules/gateway`. Without either (the chart rendered but not applied), the route
/// is reported.
#[test]
fn an_eks_httproute_needs_the_gateway_api_crds_applied_and_the_gateway_module() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(fixture("spec/SPEC187/passes-gateway.yaml"), dir.path().join("spec.yaml")).expect("copy");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("out");
    assert_eq!(dep(&lint(&[], &out)), []);

    // The Gateway API's CRDs rendered, but not among the files the manifests apply.
    let cluster = out.join("terraform/cluster/main.tf");
    let text = std::fs::read_to_string(&cluster).expect("read");
    let applied = "local.gateway == null ? [] : [data.helm_template.gateway_api_crds[0].manifest],";
    assert!(text.contains(applied), "{text}");
    std::fs::write(&cluster, text.replace(applied, "[],")).expect("write");
    let found: Vec<String> = dep(&lint(&[], &out)).into_iter().map(|d| d.0).collect();
    assert_eq!(found, ["DEP005"], "the route's CRD");

    std::fs::write(&cluster, text).expect("write");
    std::fs::remove_dir_all(out.join("terraform/cluster/modules/gateway")).expect("remove");
    let found: Vec<String> = dep(&lint(&[], &out)).into_iter().map(|d| d.0).collect();
    assert_eq!(found, ["DEP004"], "the route's Gateway");
}
