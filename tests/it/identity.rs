//! Every deploy style gets the workload identity from Terraform, never an empty one: the chart
//! values and the plain manifests carry no blank, `kubectl apply -k` takes the ids from the file
//! the rendered script writes from `terraform output` (and refuses to build without it), the
//! Helm deploy job and the GitOps release job stop on an empty id before anything reaches the
//! cluster, and the README lists each of these prerequisites with its check. The drift job's
//! source of gen (`pipeline.gen`) is declared the same way and checked before it is built.

use crate::common;

use common::{Gen, fixture, root, validator};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const TENANT: &str = "6f1a2b3c-0000-4000-8000-000000000001";
const CLIENT: &str = "0d9e8f7a-0000-4000-8000-000000000002";

/// A spec rendered into a temporary folder (its own git repository, as a user's would be).
struct Rendered {
    dir: tempfile::TempDir,
}

impl Rendered {
    fn new(spec: &Path, edit: Option<(&str, &str)>) -> Rendered {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut text = std::fs::read_to_string(spec).expect("spec");
        if let Some((from, to)) = edit {
            assert!(text.contains(from), "{from}");
            text = text.replace(from, to);
        }
        std::fs::write(dir.path().join("spec.yaml"), text).expect("write spec");
        assert!(Command::new("git").arg("init").arg("-q").arg(dir.path()).status().expect("git").success());
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        Rendered { dir }
    }

    /// A rendered file: `.github/` at the repository root (the spec's folder: no git above
    /// it), the rest in `out/`.
    fn out(&self, rel: &str) -> PathBuf {
        if rel.starts_with(".github/") { self.dir.path().join(rel) } else { self.dir.path().join("out").join(rel) }
    }

    fn text(&self, rel: &str) -> String {
        std::fs::read_to_string(self.out(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }
}

fn read_yaml(path: &Path) -> Value {
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)))";
    let out = validator("python").args(["-c", script]).arg(path).output().expect("python runs");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A workflow as GitHub runs it: a job that calls a reusable workflow of the repository
/// (`uses: ./.github/workflows/...`, as each service's does) stands for the called jobs, each
/// `${{ inputs.NAME }}` of theirs replaced by what the caller passes (or the input's default).
fn read_workflow(path: &Path) -> Value {
    let mut doc = read_yaml(path);
    let root = path.parent().and_then(Path::parent).and_then(Path::parent).expect("the repository root");
    let mut jobs = serde_json::Map::new();
    for (id, job) in doc["jobs"].as_object().expect("jobs").clone() {
        let Some(uses) = job["uses"].as_str().filter(|u| u.starts_with("./")) else {
            jobs.insert(id, job);
            continue;
        };
        let called = read_yaml(&root.join(uses));
        let declared = called["on"]["workflow_call"]["inputs"].as_object().cloned().unwrap_or_default();
        let inputs: Vec<(String, String)> = declared
            .iter()
            .map(|(key, input)| {
                let value = job["with"].get(key).or_else(|| input.get("default"));
                (format!("${{{{ inputs.{key} }}}}"), value.and_then(Value::as_str).unwrap_or_default().to_string())
            })
            .collect();
        fn fill(value: &Value, inputs: &[(String, String)]) -> Value {
            match value {
                Value::String(s) => Value::String(inputs.iter().fold(s.clone(), |t, (e, v)| t.replace(e, v))),
                Value::Array(items) => Value::Array(items.iter().map(|v| fill(v, inputs)).collect()),
                Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), fill(v, inputs))).collect()),
                other => other.clone(),
            }
        }
        for (called_id, called_job) in called["jobs"].as_object().expect("called jobs") {
            jobs.insert(called_id.clone(), fill(called_job, &inputs));
        }
    }
    doc["jobs"] = Value::Object(jobs);
    doc
}

/// The `run:` script of the step named `name` in job `job` of a workflow.
fn step_script(workflow: &Path, job: &str, name: &str) -> String {
    let doc = read_workflow(workflow);
    let steps = doc["jobs"][job]["steps"].as_array().unwrap_or_else(|| panic!("{job}: steps"));
    let step = steps.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("{job}: no step {name}"));
    step["run"].as_str().expect("a run script").to_string()
}

/// Runs a step's script as GitHub's `bash` shell does (`bash -e`), with `env` and a PATH that
/// finds the stubs in `bin` first.
fn run_step(script: &str, env: &[(&str, &str)], bin: Option<&Path>) -> (i32, String) {
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script]);
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(bin) = bin {
        cmd.env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()));
    }
    let out = cmd.output().expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// An executable stub `tool` in `bin` running `body` (a bash script; "$*" is its arguments).
fn stub(bin: &Path, tool: &str, body: &str) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::create_dir_all(bin).expect("bin");
    let path = bin.join(tool);
    std::fs::write(&path, format!("#!/usr/bin/env bash\n{body}\n")).expect("stub");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).expect("chmod");
}

/// Lines that write an identity field as an empty string.
fn empty_identities(dir: &Path) -> Vec<String> {
    let keys = ["clientID:", "tenantId:", "clientId:", "azure.workload.identity/client-id:"];
    let mut found = Vec::new();
    for entry in walkdir::WalkDir::new(dir).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let Ok(text) = std::fs::read_to_string(entry.path()) else { continue };
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if keys.iter().any(|k| line.starts_with(k)) && line.ends_with("\"\"") {
                found.push(format!("{}:{}: {line}", entry.path().display(), i + 1));
            }
        }
    }
    found
}

#[test]
fn the_rendered_manifests_and_chart_values_never_carry_an_empty_identity() {
    for spec in [root().join("spec.yaml"), fixture("specs/gitops.yaml"), fixture("specs/options.yaml")] {
        let rendered = Rendered::new(&spec, None);
        let mut empty = empty_identities(&rendered.out("manifests"));
        empty.extend(empty_identities(&rendered.out("charts")));
        assert!(empty.is_empty(), "{}: empty identities:\n{}", spec.display(), empty.join("\n"));
    }
    // The committed rendering too.
    let mut empty = empty_identities(&root().join("out/manifests"));
    empty.extend(empty_identities(&root().join("out/charts")));
    assert!(empty.is_empty(), "out/: empty identities:\n{}", empty.join("\n"));
}

#[test]
fn each_service_gets_its_own_identity_and_no_identity_file_grows_with_the_spec() {
    // Two services read Key Vault, in two namespaces.
    let rendered = Rendered::new(
        &fixture("specs/options.yaml"),
        Some((
            "    replicas: 1\n    image: {repository: shopacr",
            "    replicas: 1\n    secretEnv: [API_TOKEN]\n    image: {repository: shopacr",
        )),
    );
    // The shared component holds no service's name: each service has its own.
    let shared = rendered.text("manifests/identity/kustomization.yaml");
    assert!(!shared.contains("athletes") && !shared.contains("results"), "{shared}");
    for service in ["athletes", "results"] {
        assert!(rendered.text(&format!("manifests/identity/{service}/kustomization.yaml")).contains(service));
    }
    let bin = rendered.dir.path().join("bin");
    const OTHER: &str = "0d9e8f7a-0000-4000-8000-000000000003";
    stub(
        &bin,
        "terraform",
        &format!(
            "case \"$*\" in\n  *'output -raw tenant_id') echo {TENANT} ;;\n  *'output -json workload_client_ids') echo '{{\"athletes\":\"{CLIENT}\",\"results\":\"{OTHER}\"}}' ;;\n  *) exit 3 ;;\nesac"
        ),
    );
    let script = rendered.out("scripts/workload-identity.sh");
    let (code, text) = run_step(&format!("bash {}", script.display()), &[], Some(&bin));
    assert_eq!(code, 0, "{text}");
    let objects = common::objects::kustomize(&rendered.out("manifests"), &rendered.dir.path().join("built.yaml"));
    let of = |kind: &str, name: &str| {
        objects
            .iter()
            .find(|o| o["kind"] == kind && o["metadata"]["name"] == name)
            .unwrap_or_else(|| panic!("no {kind}/{name}"))
            .clone()
    };
    for (service, id) in [("athletes", CLIENT), ("results", OTHER)] {
        assert_eq!(of("ServiceAccount", service)["metadata"]["annotations"]["azure.workload.identity/client-id"], id);
        let class = of("SecretProviderClass", service);
        assert_eq!(class["spec"]["parameters"]["clientID"], id, "{service}");
        assert_eq!(class["spec"]["parameters"]["tenantId"], TENANT, "{service}");
    }
}

#[test]
fn kubectl_apply_k_takes_the_identity_the_script_writes_from_terraform_or_refuses_to_build() {
    let rendered = Rendered::new(&root().join("spec.yaml"), None);
    let manifests = rendered.out("manifests");
    // Before the script has run: kustomize stops, naming the file, and nothing is applied.
    let build = Command::new("kubectl").arg("kustomize").arg(&manifests).output().expect("kubectl");
    assert!(!build.status.success(), "kustomize built the manifests without the identities");
    assert!(String::from_utf8_lossy(&build.stderr).contains("identity/identity.env"));

    // The script refuses an output that lacks the service, and writes nothing.
    let bin = rendered.dir.path().join("bin");
    let terraform = |ids: &str| {
        format!(
            "case \"$*\" in\n  *'output -raw tenant_id') echo {TENANT} ;;\n  *'output -json workload_client_ids') echo '{ids}' ;;\n  *) echo \"unexpected: $*\" >&2; exit 3 ;;\nesac"
        )
    };
    stub(&bin, "terraform", &terraform("{}"));
    let script = rendered.out("scripts/workload-identity.sh");
    let (code, text) = run_step(&format!("bash {}", script.display()), &[], Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("no workload identity client id for the service shop") && text.contains("workload_client_ids"),
        "{text}"
    );
    assert!(!rendered.out("manifests/identity/identity.env").exists());

    // With Terraform's outputs (as `terraform output -json` prints a map), the ids reach both
    // objects, and the ConfigMap that carried them does not reach the cluster.
    stub(&bin, "terraform", &terraform(&format!("{{\"shop\":\"{CLIENT}\"}}")));
    let (code, text) = run_step(&format!("bash {}", script.display()), &[], Some(&bin));
    assert_eq!(code, 0, "{text}");
    let into = rendered.dir.path().join("built.yaml");
    let objects = common::objects::kustomize(&manifests, &into);
    let find = |kind: &str| objects.iter().find(|o| o["kind"] == kind).unwrap_or_else(|| panic!("no {kind}"));
    assert_eq!(find("ServiceAccount")["metadata"]["annotations"]["azure.workload.identity/client-id"], CLIENT);
    assert_eq!(find("SecretProviderClass")["spec"]["parameters"]["clientID"], CLIENT);
    assert_eq!(find("SecretProviderClass")["spec"]["parameters"]["tenantId"], TENANT);
    assert!(
        !objects.iter().any(|o| o["metadata"]["name"] == "gen-workload-identity"),
        "the local ConfigMap was applied"
    );
}

#[test]
fn the_helm_deploy_job_stops_on_an_empty_tenant_or_client_id() {
    let rendered = Rendered::new(&root().join("spec.yaml"), None);
    let script =
        step_script(&rendered.out(".github/workflows/shop.yml"), "deploy", "Preflight (Key Vault holds every secret)");
    let bin = rendered.dir.path().join("bin");
    stub(
        &bin,
        "az",
        "case \"$*\" in\n  'keyvault secret list'*) printf 'SECRET-KEY\\t2026-01-01\\n' ;;\n  'identity show'*) echo \"$CLIENT_ANSWER\" ;;\nesac",
    );
    let outputs = rendered.dir.path().join("github_output");
    let env = |tenant: &'static str, client: &'static str| {
        vec![
            ("VAULT", "kv"),
            ("SECRETS", "SECRET-KEY"),
            ("RESOURCE_GROUP", "shop-rg"),
            ("IDENTITY", "shop-aks-shop"),
            ("CLUSTER", "shop-aks"),
            ("SERVICE", "shop"),
            ("TF_DIR", "terraform"),
            ("TENANT_ID", tenant),
            ("CLIENT_ANSWER", client),
            ("GITHUB_OUTPUT", outputs.to_str().expect("utf-8")),
        ]
    };
    let (code, text) = run_step(&script, &env("", CLIENT), Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("::error::The GitHub variable AZURE_TENANT_ID is empty: gh variable set AZURE_TENANT_ID"),
        "{text}"
    );
    // No identity, and no apply of Terraform running: the job stops at once, saying how.
    stub(&bin, "gh", "case \"$*\" in\n  *'/actions/runs/'*) echo 2026-11-27T10:00:00Z ;;\n  *) echo 0 ;;\nesac");
    let (code, text) = run_step(&script, &env(TENANT, ""), Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("::error::The workload identity shop-aks-shop in shop-rg has no client id"), "{text}");
    assert!(text.contains("then re-run this job"), "{text}");
    let (code, text) = run_step(&script, &env(TENANT, CLIENT), Some(&bin));
    assert_eq!(code, 0, "{text}");
    assert!(std::fs::read_to_string(&outputs).expect("outputs").contains(&format!("client-id={CLIENT}")));
}

/// The push that adds (or renames) a service makes its identity in the terraform workflow's
/// apply, which runs beside the service's pipeline: its deploy waits for that apply, not fails.
#[test]
fn the_deploy_of_a_new_service_waits_for_terraforms_apply_of_its_identity() {
    let rendered = Rendered::new(&root().join("spec.yaml"), None);
    let script =
        step_script(&rendered.out(".github/workflows/shop.yml"), "deploy", "Preflight (Key Vault holds every secret)");
    let bin = rendered.dir.path().join("bin");
    let state = rendered.dir.path().join("state");
    std::fs::create_dir_all(&state).expect("state");
    // The identity appears once Terraform's apply has run (the second look at the runs).
    stub(
        &bin,
        "az",
        "case \"$*\" in\n  'keyvault secret list'*) printf 'SECRET-KEY\\t2026-01-01\\n' ;;\n  'identity show'*) cat \"$STATE/client\" 2>/dev/null || true ;;\nesac",
    );
    stub(
        &bin,
        "gh",
        "echo \"$*\" >> \"$STATE/gh.log\"\ncase \"$*\" in\n  *'/actions/runs/'*) echo 2026-11-27T10:00:00Z ;;\n  *'workflows/terraform.yml/runs'*) n=$(cat \"$STATE/looks\" 2>/dev/null || echo 0); echo $((n + 1)) > \"$STATE/looks\"; if [ \"$n\" -ge 1 ]; then echo \"$CLIENT\" > \"$STATE/client\"; fi; echo 1 ;;\nesac",
    );
    stub(&bin, "sleep", "echo \"slept $*\" >> \"$STATE/gh.log\"");
    let outputs = rendered.dir.path().join("github_output");
    let env = [
        ("VAULT", "kv"),
        ("SECRETS", "SECRET-KEY"),
        ("RESOURCE_GROUP", "shop-rg"),
        ("CLUSTER", "shop-aks"),
        ("SERVICE", "shop"),
        ("TF_DIR", "terraform"),
        ("TENANT_ID", TENANT),
        ("CLIENT", CLIENT),
        ("STATE", state.to_str().expect("utf-8")),
        ("GITHUB_REPOSITORY", "team/shop"),
        ("GITHUB_RUN_ID", "42"),
        ("GITHUB_SHA", "0123abc"),
        ("GITHUB_REF_NAME", "main"),
        ("GITHUB_OUTPUT", outputs.to_str().expect("utf-8")),
    ];
    let (code, text) = run_step(&script, &env, Some(&bin));
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("the terraform workflow's apply of this commit"), "{text}");
    assert!(std::fs::read_to_string(&outputs).expect("outputs").contains(&format!("client-id={CLIENT}")));
    let log = std::fs::read_to_string(state.join("gh.log")).expect("gh log");
    // It asked about the pushes' applies of this branch, and waited between two looks.
    assert!(log.contains("workflows/terraform.yml/runs?event=push&branch=main"), "{log}");
    assert!(log.contains("0123abc") && log.contains("2026-11-27T10:00:00Z"), "{log}");
    assert_eq!(log.matches("slept 30").count(), 2, "{log}");
}

#[test]
fn the_gitops_release_job_checks_the_vault_and_hands_argo_cd_the_release_commit_image_and_identity() {
    let rendered = Rendered::new(&fixture("specs/gitops.yaml"), None);
    let workflow = rendered.out(".github/workflows/users.yml");
    let doc = read_workflow(&workflow);
    // The same preflight as the Helm deploy, as the deploy identity: the vault holds every
    // value, and Azure names the workload identity (no variable per service to keep in step).
    let login = doc["jobs"]["release"]["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("azure/login@")))
        .expect("the sign-in");
    assert_eq!(login["with"]["client-id"], "${{ vars.AZURE_DEPLOY_CLIENT_ID }}");
    let preflight = step_script(&workflow, "release", "Preflight (Key Vault holds every secret)");
    let bin = rendered.dir.path().join("bin");
    stub(
        &bin,
        "az",
        "case \"$*\" in\n  'keyvault secret list'*) printf \"$LISTING\" ;;\n  'identity show'*) echo \"$CLIENT_ANSWER\" ;;\nesac",
    );
    let outputs = rendered.dir.path().join("github_output");
    let env = |listing: &'static str| {
        vec![
            ("VAULT", "kv"),
            ("SECRETS", "SECRET-KEY"),
            ("RESOURCE_GROUP", "notejam-rg"),
            ("IDENTITY", "notejam-aks-users"),
            ("TF_DIR", "out/terraform"),
            ("TENANT_ID", TENANT),
            ("LISTING", listing),
            ("CLIENT_ANSWER", CLIENT),
            ("GITHUB_OUTPUT", outputs.to_str().expect("utf-8")),
        ]
    };
    let (code, text) = run_step(&preflight, &env(""), Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("::error::Key Vault secret SECRET-KEY is not in the vault kv"), "{text}");
    let (code, text) = run_step(&preflight, &env("SECRET-KEY\\t2026-01-01\\n"), Some(&bin));
    assert_eq!(code, 0, "{text}");
    let outputs_text = std::fs::read_to_string(&outputs).expect("outputs");
    assert!(outputs_text.contains(&format!("client-id={CLIENT}")), "{outputs_text}");
    let checksum = outputs_text.lines().find_map(|l| l.strip_prefix("checksum=")).expect("checksum").to_string();

    // The release file gets the release's commit, its image and both ids, and nothing else.
    let write = step_script(&workflow, "release", "Write the release");
    let step =
        doc["jobs"]["release"]["steps"].as_array().expect("steps").iter().find(|s| s["name"] == "Write the release");
    let step_env = &step.expect("the step")["env"];
    assert_eq!((&step_env["CHART"], &step_env["CHARTS"]), (&"out/chart".into(), &"out/charts".into()));
    let file = rendered.dir.path().join("users.release.yaml");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
    // `gh api` answers for the files the release's commit has (HAVE): the layout it was
    // rendered in, the project's chart or (before it) the service's own.
    stub(
        &bin,
        "gh",
        "[ \"$1 $3\" = 'api --silent' ] || exit 2\n\
         for f in $HAVE; do [ \"$2\" = \"repos/acme/notejam/contents/$f?ref=$COMMIT\" ] && exit 0; done\n\
         echo 'gh: Not Found (HTTP 404)' >&2; exit 1",
    );
    let release_env = |commit: &'static str| {
        vec![
            ("GITHUB_REPOSITORY", "acme/notejam"),
            ("CHART", "out/chart"),
            ("CHARTS", "out/charts"),
            ("HAVE", "out/chart/Chart.yaml out/services/users/Dockerfile"),
            ("RELEASE_FILE", file.to_str().expect("utf-8")),
            ("SERVICE", "users"),
            ("VERSION", "1.2.3"),
            ("DIGEST", digest),
            ("COMMIT", commit),
            ("TENANT_ID", TENANT),
            ("CLIENT_ID", CLIENT),
            ("CHECKSUM", checksum.as_str()),
        ]
    };
    // No commit from the job `verify`: nothing is written.
    let (code, text) = run_step(&write, &release_env(""), Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(!file.exists());
    let (code, text) = run_step(&write, &release_env(commit), Some(&bin));
    assert_eq!(code, 0, "{text}");
    // In place, the drift check passes (DRIFT003 holds it to these keys), and the
    // kustomization Argo CD's root applies pins the service's Application to that commit.
    std::fs::copy(&file, rendered.out("argocd/users.release.yaml")).expect("copy");
    let check = Gen::new().args(["render", "spec.yaml", "--check"]).current_dir(rendered.dir.path()).run();
    assert_eq!(check.code, 0, "{}", check.stderr);
    let lint = Gen::new().args(["lint", "spec.yaml"]).current_dir(rendered.dir.path()).run();
    assert_eq!(lint.code, 0, "{}{}", lint.stdout, lint.stderr);
    let objects = common::objects::kustomize(&rendered.out("argocd"), &rendered.dir.path().join("built.yaml"));
    let app = objects
        .iter()
        .find(|o| o["kind"] == "Application" && o["metadata"]["name"] == "users")
        .expect("the Application of users");
    let source = &app["spec"]["source"];
    assert_eq!(source["targetRevision"], commit);
    assert_eq!(source["path"], "out/chart");
    assert_eq!(source["helm"]["valueFiles"], serde_json::json!(["../values/users.yaml"]));
    let values = &source["helm"]["valuesObject"];
    assert_eq!(values["image"]["tag"], "1.2.3");
    assert_eq!(values["image"]["digest"], digest);
    assert_eq!(values["secretEnv"]["keyVault"]["tenantId"], TENANT);
    assert_eq!(values["secretEnv"]["keyVault"]["clientId"], CLIENT);
    assert_eq!(values["secretEnv"]["checksum"], checksum.as_str());
    // The other service's Application keeps the seed: a revision that names no commit.
    let notes = objects.iter().find(|o| o["kind"] == "Application" && o["metadata"]["name"] == "notes").expect("notes");
    assert_eq!(notes["spec"]["source"]["targetRevision"], "0".repeat(40));

    // A release rendered before the project's one chart (a rollback to it, or one promoted
    // across the move): Argo CD reads that commit's own chart and values, which the drift
    // check admits; the chart of another service, or a values file of the chart's choosing, not.
    let mut former = release_env(commit);
    former.retain(|(k, _)| *k != "HAVE");
    former.push(("HAVE", "out/charts/users/Chart.yaml"));
    let (code, text) = run_step(&write, &former, Some(&bin));
    assert_eq!(code, 0, "{text}");
    std::fs::copy(&file, rendered.out("argocd/users.release.yaml")).expect("copy");
    let check = Gen::new().args(["render", "spec.yaml", "--check"]).current_dir(rendered.dir.path()).run();
    assert_eq!(check.code, 0, "{}", check.stderr);
    let objects = common::objects::kustomize(&rendered.out("argocd"), &rendered.dir.path().join("built.yaml"));
    let app = objects.iter().find(|o| o["kind"] == "Application" && o["metadata"]["name"] == "users").expect("users");
    assert_eq!(app["spec"]["source"]["path"], "out/charts/users");
    assert_eq!(app["spec"]["source"]["helm"]["valueFiles"], serde_json::json!(["values.yaml"]));
    let held = std::fs::read_to_string(&file).expect("release file");
    std::fs::write(rendered.out("argocd/users.release.yaml"), held.replace("out/charts/users", "out/charts/notes"))
        .expect("write");
    let lint = Gen::new().args(["lint", "spec.yaml"]).current_dir(rendered.dir.path()).run();
    assert_eq!(lint.code, 1, "{}{}", lint.stdout, lint.stderr);
    assert!(
        lint.stdout.contains("DRIFT003") && lint.stdout.contains("`spec.source.path` is not what the pipeline writes"),
        "{}",
        lint.stdout
    );
    // A commit with neither layout is not deployed.
    let mut neither = release_env(commit);
    neither.retain(|(k, _)| *k != "HAVE");
    neither.push(("HAVE", "out/services/users/Dockerfile"));
    std::fs::remove_file(&file).expect("rm");
    let (code, text) = run_step(&write, &neither, Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("has neither the project's chart (out/chart) nor the service's own (out/charts/users)"),
        "{text}"
    );
    assert!(!file.exists(), "nothing is written");
}

/// The bullet of the README's prerequisites that names `what`, and where it is.
fn prerequisite(readme: &str, what: &str) -> (usize, String) {
    let first_deploy = readme.find("## First deploy").expect("a first-deploy section");
    let prerequisites = readme.find("## Prerequisites").expect("a prerequisites section");
    let at = readme.find(what).unwrap_or_else(|| panic!("the README does not name {what}"));
    assert!(prerequisites < at && at < first_deploy, "{what} is not among the prerequisites, before the first deploy");
    let line = readme[..at].rfind('\n').map_or(0, |i| i + 1);
    let text = readme[line..].lines().next().unwrap_or_default().to_string();
    assert!(text.starts_with("- "), "{what}: not a prerequisite line: {text}");
    (at, text)
}

#[test]
fn the_readme_lists_each_identity_and_the_source_of_gen_as_prerequisites_with_their_check() {
    let rendered = Rendered::new(&fixture("specs/gitops.yaml"), None);
    let readme = rendered.text("README.md");
    // With GitOps too, the deploy identity (it checks the vault and reads Argo CD), and no
    // variable per workload identity: the release job asks Azure for it.
    let (_, line) = prerequisite(&readme, "GitHub variable `AZURE_DEPLOY_CLIENT_ID`");
    assert!(line.contains("`deploy_client_id` output") && line.ends_with(": `gh variable list`."), "{line}");
    assert!(!readme.contains("AZURE_WORKLOAD_CLIENT_ID"));
    let (_, line) = prerequisite(&readme, "File `manifests/identity/identity.env`");
    assert!(
        line.contains("`bash 'scripts/workload-identity.sh'`")
            && line.contains("`kubectl kustomize 'manifests' > /dev/null` builds"),
        "{line}"
    );
    // gen's wheel, by default: the lock beside the spec, and the command that writes it.
    let (_, line) = prerequisite(&readme, "gen's wheel `gen-platform==0.1.0` on the index `https://pypi.org/simple`");
    assert!(line.contains("with the SHA-256 of its wheels in `gen-requirements.txt`"), "{line}");
    assert!(
        line.contains(
            "pip-compile --generate-hashes --index-url 'https://pypi.org/simple' --output-file 'gen-requirements.txt'"
        ),
        "{line}"
    );
    assert!(!readme.contains("gen's source `"), "gen is not compiled by default");
    // terraform/README.md gives the command that sets the variable.
    let terraform = rendered.text("terraform/README.md");
    assert!(
        terraform
            .contains("gh variable set AZURE_DEPLOY_CLIENT_ID --body \"$(terraform output -raw deploy_client_id)\"")
    );
    // A private repository: the plan GitHub environments need, and Argo CD's read access to
    // the repository (the root Application syncs nothing without it), each with its check.
    let (_, line) = prerequisite(&readme, "GitHub plan, only for a private repository");
    assert!(line.contains("`gh api 'repos/acme/notejam' --jq '.private, .owner.login'`"), "{line}");
    assert!(line.contains("`gh api 'orgs/acme' --jq .plan.name`"), "{line}");
    // Every identity trusts GitHub's default subject forms, and the scheduled checks run on
    // the default branch: both are prerequisites, each with its check.
    let (_, line) = prerequisite(&readme, "GitHub's OIDC subject claim in its default form");
    assert!(
        line.ends_with("`gh api 'repos/acme/notejam/actions/oidc/customization/sub' --jq .use_default` prints `true`."),
        "{line}"
    );
    let (_, line) = prerequisite(&readme, "Default branch `trunk`");
    assert!(line.ends_with("`gh api 'repos/acme/notejam' --jq .default_branch` prints `trunk`."), "{line}");
    let (_, line) = prerequisite(&readme, "Argo CD repository credential");
    assert!(line.ends_with("`kubectl get secret -n argocd -l argocd.argoproj.io/secret-type=repository`."), "{line}");
    // Nor without GitOps: the deploy job asks Azure.
    let helm = Rendered::new(&root().join("spec.yaml"), None).text("README.md");
    assert!(!helm.contains("AZURE_WORKLOAD_CLIENT_ID"));
    prerequisite(&helm, "File `manifests/identity/identity.env`");
    prerequisite(&helm, "GitHub plan, only for a private repository");
    assert!(!helm.contains("Argo CD repository credential"), "Helm deploys need no Argo CD credential");
}

#[test]
fn the_drift_job_installs_gen_from_the_spec_and_checks_that_source_first() {
    let sha = "0123456789abcdef0123456789abcdef01234567";
    let rendered = Rendered::new(
        &root().join("spec.yaml"),
        Some((
            "  deploy: helm",
            &format!(
                "  deploy: helm\n  gen: {{install: source, repository: \"https://git.example.org/mirror/gen.git\", revision: \"{sha}\"}}"
            ),
        )),
    );
    let workflow = rendered.out(".github/workflows/gen.yml");
    let doc = read_yaml(&workflow);
    assert_eq!(doc["env"]["GEN_REPOSITORY"], "https://git.example.org/mirror/gen.git");
    assert_eq!(doc["env"]["GEN_REVISION"], sha);
    let names: Vec<&str> =
        doc["jobs"]["drift"]["steps"].as_array().expect("steps").iter().filter_map(|s| s["name"].as_str()).collect();
    let preflight = names.iter().position(|n| *n == "Preflight (gen's source is reachable)").expect("a preflight");
    assert!(preflight < names.iter().position(|n| *n == "Install gen").expect("install"), "{names:?}");
    let readme = rendered.text("README.md");
    prerequisite(
        &readme,
        "gen's source `https://git.example.org/mirror/gen.git` at `0123456789abcdef0123456789abcdef01234567`",
    );

    // The preflight against real git repositories: a tag that exists, one that does not, and a
    // repository that cannot be read.
    let script = step_script(&workflow, "drift", "Preflight (gen's source is reachable)");
    let source = rendered.dir.path().join("gen-source");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .arg("-C")
            .arg(&source)
            .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
            .args(args)
            .status()
            .expect("git")
            .success();
        assert!(ok, "git {args:?}");
    };
    std::fs::create_dir_all(&source).expect("source");
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "gen"]);
    git(&["tag", "v0.1.0"]);
    let repo = source.to_str().expect("utf-8");
    let env = |repository: &'static str, revision: &'static str| -> Vec<(&'static str, String)> {
        vec![
            ("GEN_REPOSITORY", repository.to_string()),
            ("GEN_REVISION", revision.to_string()),
            ("SPEC", "spec.yaml".to_string()),
            ("GIT_TERMINAL_PROMPT", "0".to_string()),
        ]
    };
    let run = |repository: &str, revision: &str| {
        let mut e = env("", "");
        e[0].1 = repository.to_string();
        e[1].1 = revision.to_string();
        let pairs: Vec<(&str, &str)> = e.iter().map(|(k, v)| (*k, v.as_str())).collect();
        run_step(&script, &pairs, None)
    };
    let (code, text) = run(repo, "v0.1.0");
    assert_eq!(code, 0, "{text}");
    let (code, text) = run(repo, sha);
    assert_eq!(code, 0, "a full commit SHA is not a ref ls-remote lists: {text}");
    let (code, text) = run(repo, "v9.9.9");
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains(&format!(
            "::error::gen's source {repo} has no tag or branch v9.9.9 (pipeline.gen.revision in spec.yaml"
        )),
        "{text}"
    );
    let missing = rendered.dir.path().join("no-such-repository");
    let (code, text) = run(missing.to_str().expect("utf-8"), "v0.1.0");
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("cannot be read without credentials (pipeline.gen.repository in spec.yaml"), "{text}");
}

#[test]
fn each_gitops_promotion_waits_for_the_merge_and_the_environment_before_synced_and_healthy() {
    let rendered = Rendered::new(
        &fixture("specs/environments.yaml"),
        Some((
            "    secretEnv: [SECRET_KEY]\n",
            "    secretEnv: [SECRET_KEY]\npipeline:\n  deploy: gitops\n  gitops: {update: pull-request}\n",
        )),
    );
    let workflow = rendered.out(".github/workflows/shop.yml");
    let doc = read_workflow(&workflow);
    let jobs = &doc["jobs"];
    // dev, then test once dev's job ended, then prod once test's did; each job ends waiting
    // for its own environment, so the next starts only when that one is live.
    assert_eq!(jobs["release-dev"]["needs"], "verify");
    assert_eq!(jobs["release-test"]["needs"], serde_json::json!(["verify", "release-dev"]));
    assert_eq!(jobs["release-prod"]["needs"], serde_json::json!(["verify", "release-test"]));
    for (job, env) in [("release-dev", "dev"), ("release-test", "test"), ("release-prod", "prod")] {
        let steps = jobs[job]["steps"].as_array().expect("steps");
        let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
        let at = |name: &str| names.iter().position(|n| *n == name).unwrap_or_else(|| panic!("{job}: no step {name}"));
        assert!(at("Preflight (Key Vault holds every secret)") < at("Write the release"), "{job}");
        assert!(at("Write the release") < at("Propose it"), "{job}");
        assert!(at("Propose it") < at("Wait for the pull request to be merged"), "{job}");
        // Synced and healthy, then the Gateway has accepted the route and the URL answers.
        assert!(
            at("Wait for the pull request to be merged")
                < at("Wait until Argo CD reports the release synced and healthy")
        );
        assert_eq!(
            names[names.len() - 2..],
            [
                "Wait until Argo CD reports the release synced and healthy",
                "The route is accepted and the service answers"
            ],
            "{job}"
        );
        assert_eq!(jobs[job]["env"]["RELEASE_FILE"], format!("out/argocd/{env}/shop.release.yaml"));
        assert_eq!(jobs[job]["env"]["COMMIT"], "${{ needs.verify.outputs.commit }}");
        assert_eq!(jobs[job]["permissions"]["id-token"], "write");
    }
    let bin = rendered.dir.path().join("bin");
    stub(&bin, "sleep", "exit 0");
    let count = rendered.dir.path().join("count");
    let answers = |name: &str, answers: &[String]| {
        let cases: String =
            answers.iter().enumerate().map(|(i, a)| format!("  {}) cat <<'JSON'\n{a}\nJSON\n  ;;\n", i + 1)).collect();
        format!(
            "n=$(( $(cat {c} 2>/dev/null || echo 0) + 1 )); echo $n > {c}\ncase $n in\n{cases}  *) echo '{name}: asked too often' >&2; exit 9 ;;\nesac",
            c = count.display()
        )
    };

    // The merge: an open pull request is waited for; a closed one stops the promotion.
    let merge = step_script(&workflow, "release-test", "Wait for the pull request to be merged");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let env = [
        ("NUMBER", "7"),
        ("SERVICE", "shop"),
        ("VERSION", "1.2.3"),
        ("TO", " to test"),
        ("COMMIT", commit),
        ("BRANCH", "main"),
        ("RELEASE_FILE", "out/argocd/test/shop.release.yaml"),
        ("GITHUB_REPOSITORY", "acme/shop"),
    ];
    // Once merged, the branch's file must hold this release: a newer one may have rewritten
    // the pull request before its merge.
    let held = |revision: &str| {
        use std::io::Write;
        let mut child = std::process::Command::new("base64")
            .arg("-w0")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("base64");
        write!(child.stdin.take().expect("stdin"), "spec:\n  source:\n    targetRevision: \"{revision}\"\n")
            .expect("write");
        String::from_utf8(child.wait_with_output().expect("base64").stdout).expect("utf-8")
    };
    stub(&bin, "gh", &answers("gh", &["OPEN".into(), "OPEN".into(), "MERGED".into(), held(commit)]));
    let (code, text) = run_step(&merge, &env, Some(&bin));
    assert_eq!(code, 0, "{text}");
    std::fs::remove_file(&count).expect("rm");
    stub(&bin, "gh", &answers("gh", &["MERGED".into(), held("89abcdef0123456789abcdef0123456789abcdef")]));
    let (code, text) = run_step(&merge, &env, Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("holding another release than shop 1.2.3: this one is superseded to test"), "{text}");
    std::fs::remove_file(&count).expect("rm");
    stub(&bin, "gh", &answers("gh", &["OPEN".into(), "CLOSED".into()]));
    let (code, text) = run_step(&merge, &env, Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("::error::Pull request #7 was closed without a merge: shop 1.2.3 is not promoted to test"),
        "{text}"
    );

    // Argo CD: the previous release synced, then this one applied but still rolling out, then
    // this one synced and healthy, which alone ends the wait.
    let wait = step_script(&workflow, "release-test", "Wait until Argo CD reports the release synced and healthy");
    let old = "89abcdef0123456789abcdef0123456789abcdef";
    let digest = "sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae";
    let app = |revision: &str, image: &str, sync: &str, health: &str| {
        serde_json::json!({"kind": "Application", "status": {
            "sync": {"status": sync, "revision": revision,
                     "comparedTo": {"source": {"targetRevision": revision, "helm": {"valuesObject": {"image": {"digest": image}}}}}},
            "health": {"status": health}}})
        .to_string()
    };
    let env = [("SERVICE", "shop"), ("VERSION", "1.2.3"), ("TO", " to test"), ("COMMIT", commit), ("DIGEST", digest)];
    std::fs::remove_file(&count).expect("rm");
    stub(
        &bin,
        "kubectl",
        &answers(
            "kubectl",
            &[
                app(old, "sha256:00", "Synced", "Healthy"),
                app(commit, digest, "Synced", "Progressing"),
                app(commit, "sha256:00", "Synced", "Healthy"),
                app(commit, digest, "Synced", "Healthy"),
            ],
        ),
    );
    let (code, text) = run_step(&wait, &env, Some(&bin));
    assert_eq!(code, 0, "{text}");
    assert_eq!(std::fs::read_to_string(&count).expect("count").trim(), "4", "{text}");
    assert!(text.contains("Argo CD reports shop 1.2.3 synced and healthy to test"), "{text}");
    // An Application the deploy identity cannot read stops the promotion, saying why.
    std::fs::remove_file(&count).expect("rm");
    stub(&bin, "kubectl", "echo 'Error from server (Forbidden)' >&2; exit 1");
    let (code, text) = run_step(&wait, &env, Some(&bin));
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("::error::The deploy identity cannot read the Application shop in argocd"), "{text}");
}

/// A renamed service's deploy removes the former name's release once the new one is up, then
/// checks the route again: while both served, the older route may have won the host, and the
/// first check passed on the former release's pods.
#[test]
fn a_renamed_services_deploy_checks_its_route_again_once_the_former_release_is_gone() {
    let rendered = Rendered::new(&fixture("specs/renamed.yaml"), None);
    let doc = read_workflow(&rendered.out(".github/workflows/notes.yml"));
    let uninstall = "helm uninstall the release of the former name";
    let (id, job) = doc["jobs"]
        .as_object()
        .expect("jobs")
        .iter()
        .find(|(_, job)| job["steps"].as_array().is_some_and(|s| s.iter().any(|s| s["name"] == uninstall)))
        .expect("a deploy job that removes the former release");
    let steps = job["steps"].as_array().expect("steps");
    let at = |name: &str| steps.iter().position(|s| s["name"] == name).unwrap_or_else(|| panic!("{id}: no {name}"));
    let first = at("The route is accepted and the service answers");
    let again = at("The route is accepted and the service answers, without the former name's release");
    assert!(first < at(uninstall) && at(uninstall) < again, "{id}: the check, the removal, the check again");
    assert_eq!(steps[first]["run"], steps[again]["run"], "the same check");
    assert!(steps[again]["if"].as_str().is_some_and(|c| c.contains("inputs.former-release != ''")), "{id}");
    // Helm's 20 minutes at most, 5 for the removal and 10 for each check, 15 for Terraform's apply.
    let timeout = &job["timeout-minutes"];
    let minutes = timeout.as_u64().or_else(|| timeout.as_str().and_then(|t| t.parse().ok()));
    assert!(minutes.is_some_and(|t| t >= 20 + 5 + 10 + 10), "{id}: {timeout}");
}
