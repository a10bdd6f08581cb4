//! The GitHub workflows, judged by the real tools and read back by an independent YAML parser
//! (PyYAML). Each variant is rendered into a fresh git repository the way a user would: the
//! reference spec with `--out .` (the workflows land where GitHub reads them), and specs of
//! the other options with the output in a folder, so every path the workflows name must be
//! right relative to the repository root. Variants: Helm and GitOps deploys (a pull request
//! or a commit), semgrep, snyk and no static analysis, trivy on and off, notifications on and
//! off, a GitHub environment, several services, and environments (three on Azure, with Helm
//! and with GitOps; local for development and Azure for production), whose deploys must form
//! a chain in promotion order, each signing in as its own environment's identity.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Gen, root, validator};
use serde_json::Value;

/// A spec rendered into a fresh git repository.
struct Repo {
    dir: tempfile::TempDir,
    /// The output folder, relative to the repository root (`.` for the root).
    out: String,
    /// Where the spec is, relative to the repository root.
    spec: String,
    name: String,
}

/// A variant: its name, the spec's text, where the spec goes and where the output goes.
struct Variant {
    name: &'static str,
    spec: String,
    spec_at: &'static str,
    out: &'static str,
    /// The repository's own files besides the spec: a service's own code (`source:`).
    files: Vec<(&'static str, String)>,
}

/// A Flask app of the team's own, serving the paths gen probes by default.
const HEALTHY_APP: &str = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get(\"/healthz\")\ndef healthz():\n    return {}\n\n\n@app.get(\"/readyz\")\ndef readyz():\n    return {}\n";

fn spec_text(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).expect("read spec")
}

fn edited(text: String, edits: &[(&str, &str)]) -> String {
    edits.iter().fold(text, |t, (from, to)| {
        assert!(t.contains(from), "the spec has no `{from}`");
        t.replace(from, to)
    })
}

/// The three-environment spec with a second service, `cart`, in a namespace of its own.
fn two_services(spec: String) -> String {
    edited(
        spec,
        &[(
            "    secretEnv: [SECRET_KEY]\nenvironments:",
            "    secretEnv: [SECRET_KEY]\n  - name: cart\n    port: 8080\n    replicas: 1\nenvironments:",
        )],
    )
}

fn variants() -> Vec<Variant> {
    vec![
        // semgrep, trivy, notify, Helm, one service, the output at the repository root.
        Variant { name: "reference", spec: spec_text("spec.yaml"), spec_at: "spec.yaml", out: ".", files: Vec::new() },
        // Helm through a GitHub environment, a branch that is not main, two services in two
        // namespaces, defaults for the pipeline (no notify).
        Variant {
            name: "environment",
            spec: spec_text("tests/fixtures/specs/terraform.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // GitOps through a pull request, snyk failing on critical, no image scan, notify, the
        // spec and its output in a folder.
        Variant {
            name: "gitops",
            spec: spec_text("tests/fixtures/specs/gitops.yaml"),
            spec_at: "deploy/spec.yaml",
            out: "deploy/out",
            files: Vec::new(),
        },
        // GitOps committing the tag, no static analysis, no notifications; gen installed from
        // its wheel, verified against a lock.
        Variant {
            name: "gitops-commit",
            spec: edited(
                spec_text("tests/fixtures/specs/gitops.yaml"),
                &[
                    ("\npipeline:\n", "\npipeline:\n  gen: {install: wheel}\n"),
                    ("update: pull-request", "update: commit"),
                    ("staticAnalysis: snyk", "staticAnalysis: none"),
                    ("  notify: {email: [ops@example.org, dev@example.org]}\n", ""),
                    // The cluster's alerts still reach someone (SPEC173).
                    ("  azure:\n", "  azure:\n    monitoring: {alertEmails: [ops@example.org]}\n"),
                ],
            ),
            spec_at: "spec.yaml",
            out: "generated",
            files: Vec::new(),
        },
        // Three environments on Azure, promoted with Helm: one build, dev, test, then prod in
        // the GitHub environment `production`.
        Variant {
            name: "environments",
            spec: spec_text("tests/fixtures/specs/environments.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // The same through Argo CD, each environment's tag committed in turn.
        Variant {
            name: "environments-gitops",
            spec: spec_text("tests/fixtures/specs/environments.yaml")
                + "pipeline:\n  deploy: gitops\n  gitops: {update: commit}\n",
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // Two services through Argo CD in three environments, each release proposed in a pull
        // request (whose merge wait holds no concurrency group).
        Variant {
            name: "environments-gitops-pr-two-services",
            spec: two_services(spec_text("tests/fixtures/specs/environments.yaml"))
                + "pipeline:\n  deploy: gitops\n  gitops: {update: pull-request}\n",
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // The same committed by the release App (its token the ruleset's bypass actor).
        Variant {
            name: "environments-gitops-commit-two-services",
            spec: two_services(spec_text("tests/fixtures/specs/environments.yaml"))
                + "pipeline:\n  deploy: gitops\n  gitops: {update: commit}\n",
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // A team's repository: the service `notes`'s code stays in src/notes (gen's
        // Dockerfile builds it from the repository's root), `users` is gen's scaffold.
        Variant {
            name: "own-code",
            spec: own_code_spec("src/notes"),
            spec_at: "spec.yaml",
            out: "out",
            files: own_code("src/notes"),
        },
        // The code at the repository's root, gen's output there too (beside the team's files).
        Variant {
            name: "own-code-at-root",
            spec: own_code_spec("."),
            spec_at: "spec.yaml",
            out: ".",
            files: own_code("."),
        },
        // Local for development (no job: deployed from a laptop), Azure for production, the
        // spec and its output in a folder.
        Variant {
            name: "local-azure",
            spec: spec_text("tests/fixtures/specs/local-azure.yaml"),
            spec_at: "deploy/spec.yaml",
            out: "deploy/out",
            files: Vec::new(),
        },
        // kube-prometheus-stack on AKS: the cluster root's step reads the relay Alertmanager
        // mails through.
        Variant {
            name: "aks-in-cluster-stack",
            spec: spec_text("tests/fixtures/specs/aks-in-cluster-stack.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // EKS: two services, one environment, the roles' ARNs named by the workflows.
        Variant {
            name: "aws",
            spec: spec_text("tests/fixtures/specs/aws.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // Three EKS clusters; two services routed through the Gateway's ALB (one over TLS), one
        // through an Ingress.
        Variant {
            name: "eks-gateway",
            spec: spec_text("tests/fixtures/specs/aws-gateway.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // Development and test on one EKS cluster, each deploying as its own role into its
        // own namespace; production on its own.
        Variant {
            name: "eks-shared-cluster",
            spec: spec_text("tests/fixtures/specs/eks-shared-cluster.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // ECS on Fargate: two services behind one load balancer in two environments, each
        // release a task definition registered and deployed as the environment's role.
        Variant {
            name: "ecs",
            spec: spec_text("tests/fixtures/specs/ecs.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // ECS with one image on Docker Hub beside one in ECR: both sign-ins, the ECR steps
        // of the deploy held to the ECR image.
        Variant {
            name: "ecs-docker-hub",
            spec: spec_text("tests/fixtures/specs/ecs.yaml")
                .replace("  - name: web\n", "  - name: web\n    image: {repository: docker.io/acme/shop-web}\n"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // Seed 003: every image on Docker Hub, no ECR repository and no build role.
        Variant {
            name: "seed-003",
            spec: spec_text("examples/seed-003-hello.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // The same through Argo CD, each release proposed in a pull request.
        Variant {
            name: "eks-gitops",
            spec: spec_text("tests/fixtures/specs/eks-gitops.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // Seed 004 on three EKS clusters, promoted in order, each deploy as its own role.
        Variant {
            name: "eks-environments",
            spec: spec_text("examples/seed-004-notejam-eks.yaml"),
            spec_at: "spec.yaml",
            out: "out",
            files: Vec::new(),
        },
        // kind for development (deployed from a laptop), EKS for production; a secret, a
        // volume; the spec and its output in a folder.
        Variant {
            name: "kind-dev-aws-prod",
            spec: spec_text("tests/fixtures/specs/kind-dev-aws-prod.yaml"),
            spec_at: "deploy/spec.yaml",
            out: "deploy/out",
            files: Vec::new(),
        },
    ]
}

/// Whether a variant's services run on AWS (its Terraform and identities are AWS's).
fn on_aws(v: &Variant) -> bool {
    v.spec.contains("\n  aws:\n")
}

/// Whether a variant's services run as ECS services on Fargate (`platform.aws.ecs`).
fn on_ecs(v: &Variant) -> bool {
    v.spec.contains("\n    ecs: {")
}

/// A Flask service's own code, as a team's repository holds it: its package (`run:app`), its
/// tests and its two locks (gen's scaffold's, which are real, hashed locks), under `dir`.
fn own_code(dir: &'static str) -> Vec<(&'static str, String)> {
    let lock = |name: &str| spec_text(&format!("blueprints/flask/templates/{name}"));
    let at = |name: &str| -> &'static str {
        Box::leak(if dir == "." { name.to_string() } else { format!("{dir}/{name}") }.into_boxed_str())
    };
    vec![
        (at("run.py"), HEALTHY_APP.to_string()),
        (at("tests/test_run.py"), "from run import app\n\n\ndef test_app():\n    assert app\n".to_string()),
        (at("requirements.txt"), lock("requirements.txt")),
        (at("requirements-dev.txt"), lock("requirements-dev.txt")),
    ]
}

/// `tests/fixtures/specs/terraform.yaml` with the service `notes`'s code its own, at `dir`.
fn own_code_spec(dir: &str) -> String {
    edited(
        spec_text("tests/fixtures/specs/terraform.yaml"),
        &[(
            "  - name: notes\n",
            &format!("  - name: notes\n    source: {dir}\n    params: {{entrypoint: \"run:app\"}}\n"),
        )],
    )
}

impl Repo {
    fn new(v: &Variant) -> Repo {
        let dir = tempfile::tempdir().expect("tempdir");
        git(dir.path(), &["init", "-q"]);
        for (path, text) in &v.files {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
            std::fs::write(path, text).expect("write the repository's file");
        }
        let spec = dir.path().join(v.spec_at);
        std::fs::create_dir_all(spec.parent().expect("parent")).expect("mkdir");
        std::fs::write(&spec, &v.spec).expect("write spec");
        let run = Gen::new().args(["render", v.spec_at, "--out", v.out]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}: {}\n{}", v.name, run.stdout, run.stderr);
        Repo { dir, out: v.out.to_string(), spec: v.spec_at.to_string(), name: v.name.to_string() }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self) -> PathBuf {
        self.root().join(&self.out)
    }

    /// gen's README: `README.gen.md` in a folder the repository's own files share (its root,
    /// the spec's folder), `README.md` in an output folder of its own.
    fn readme(&self) -> String {
        let spec_dir = self.spec.rsplit_once('/').map_or(".", |(dir, _)| dir);
        let name = if self.out == "." || self.out == spec_dir { "README.gen.md" } else { "README.md" };
        std::fs::read_to_string(self.out().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    fn workflows(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.root().join(".github/workflows"))
            .expect("workflows folder")
            .map(|e| e.expect("entry").path())
            .collect();
        files.sort();
        files
    }
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(["-c", "user.name=gen", "-c", "user.email=gen@example.com", "-c", "commit.gpgsign=false"])
        .args(["-c", "tag.gpgsign=false", "-c", "init.defaultBranch=main"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("git runs");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The workflow as PyYAML's base loader reads it: every scalar a string, `on` a plain key.
pub(crate) fn read_yaml(path: &Path) -> Value {
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)))";
    let out = validator("python").args(["-c", script]).arg(path).output().expect("python runs");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// A workflow as its run sees it: each job that calls a reusable workflow of the repository
/// (`uses: ./.github/workflows/X.yml`) is replaced by the called workflow's jobs, with the
/// caller's inputs (or their defaults) in place of `${{ inputs.NAME }}` and the called
/// workflow's `env`. A reusable workflow read on its own starts no run: it has no jobs here,
/// and its jobs are read through each caller. On the way it checks what GitHub checks when the
/// run starts, whatever the event: the caller passes only inputs and secrets the called
/// workflow declares, and every one it requires, and no called job asks for more of the token
/// than the calling job grants.
fn read_workflow(path: &Path) -> Value {
    let mut wf = read_yaml(path);
    if wf["on"].get("workflow_call").is_some() {
        wf["jobs"] = Value::Object(serde_json::Map::new());
        return wf;
    }
    let root = path.parent().and_then(Path::parent).and_then(Path::parent).expect("the repository root");
    let mut env = wf["env"].as_object().cloned().unwrap_or_default();
    let mut jobs = serde_json::Map::new();
    for (id, job) in wf["jobs"].as_object().expect("jobs") {
        let Some(uses) = job["uses"].as_str().filter(|u| u.starts_with("./")) else {
            jobs.insert(id.clone(), job.clone());
            continue;
        };
        let called = read_yaml(&root.join(uses));
        let call = &called["on"]["workflow_call"];
        let declared = call["inputs"].as_object().cloned().unwrap_or_default();
        let with = job["with"].as_object().cloned().unwrap_or_default();
        let shown = path.display();
        for key in with.keys() {
            assert!(
                declared.contains_key(key),
                "{shown}: job {id} passes {uses} the input {key}, which it does not declare"
            );
        }
        let mut values = BTreeMap::new();
        for (key, input) in &declared {
            if input["required"] == "true" {
                assert!(with.contains_key(key), "{shown}: job {id} does not pass {uses} its required input {key}");
            }
            let value = with.get(key).or_else(|| input.get("default")).and_then(Value::as_str).unwrap_or_default();
            values.insert(format!("${{{{ inputs.{key} }}}}"), value.to_string());
        }
        let secrets = call["secrets"].as_object().cloned().unwrap_or_default();
        for key in job["secrets"].as_object().into_iter().flatten().map(|(k, _)| k) {
            assert!(
                secrets.contains_key(key),
                "{shown}: job {id} passes {uses} the secret {key}, which it does not declare"
            );
        }
        let level = |l: &Value| match l.as_str() {
            Some("write") => 2,
            Some("read") => 1,
            _ => 0,
        };
        for (called_id, called_job) in called["jobs"].as_object().expect("called jobs") {
            let asked = called_job.get("permissions").unwrap_or(&called["permissions"]);
            for (scope, wanted) in asked.as_object().into_iter().flatten() {
                assert!(
                    level(&job["permissions"][scope]) >= level(wanted),
                    "{shown}: job {id} grants {scope}: {}, and {uses}'s job {called_id} asks for {wanted}: GitHub would not start the run",
                    job["permissions"][scope]
                );
            }
            assert!(!jobs.contains_key(called_id), "{shown}: two jobs {called_id}");
            jobs.insert(called_id.clone(), with_inputs(called_job, &values));
        }
        for (key, value) in called["env"].as_object().into_iter().flatten() {
            env.insert(key.clone(), with_inputs(value, &values));
        }
    }
    wf["jobs"] = Value::Object(jobs);
    wf["env"] = Value::Object(env);
    wf
}

/// `value` with each `${{ inputs.NAME }}` of its strings replaced by the input's value.
fn with_inputs(value: &Value, inputs: &BTreeMap<String, String>) -> Value {
    match value {
        Value::String(s) => {
            Value::String(inputs.iter().fold(s.clone(), |text, (expression, v)| text.replace(expression, v)))
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| with_inputs(v, inputs)).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), with_inputs(v, inputs))).collect()),
        other => other.clone(),
    }
}

/// Every document of a YAML file, as PyYAML's base loader reads them.
fn read_yaml_all(path: &Path) -> Vec<Value> {
    let script = "import json, sys, yaml\nprint(json.dumps([d for d in yaml.load_all(open(sys.argv[1]), Loader=yaml.BaseLoader) if d]))";
    let out = validator("python").args(["-c", script]).arg(path).output().expect("python runs");
    assert!(out.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("JSON")
}

fn jobs(wf: &Value) -> Vec<(&String, &Value)> {
    wf["jobs"].as_object().expect("jobs").iter().collect()
}

fn steps(job: &Value) -> Vec<&Value> {
    job["steps"].as_array().map(|s| s.iter().collect()).unwrap_or_default()
}

#[test]
fn actionlint_zizmor_yamllint_and_gen_lint_pass_every_variant() {
    for v in variants() {
        let repo = Repo::new(&v);
        let home = common::validators();
        let mut actionlint = validator("actionlint");
        actionlint
            .arg("-shellcheck")
            .arg(home.join("venv/bin/shellcheck"))
            .arg("-pyflakes")
            .arg(home.join("venv/bin/pyflakes"));
        // At the root, actionlint finds the workflows where GitHub does.
        if repo.out != "." {
            actionlint.args(repo.workflows());
        }
        let out = actionlint.current_dir(repo.root()).output().expect("actionlint runs");
        assert!(
            out.status.success(),
            "{}: actionlint:\n{}{}",
            repo.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        if repo.out == "." {
            assert!(repo.root().join(".github/workflows/gen.yml").is_file(), "rendered where GitHub reads workflows");
        }
        // The refresh workflow keeps gen current in every project on GitHub, and the base
        // images of its services: it moves those pinned by digest and proposes the first pin
        // of those that follow their tag (every variant's services are flask services).
        let refresh = std::fs::read_to_string(repo.root().join(".github/workflows/gen-refresh.yml")).expect("refresh");
        assert!(refresh.contains("\n  base-images:\n"), "{}", v.name);
        let pinned = refresh.match_indices("sha256:").any(|(at, _)| {
            let digits = refresh[at + 7..].bytes().take_while(u8::is_ascii_hexdigit).count();
            digits == 64
        });
        assert!(!pinned, "{}: a pin in the workflow would make the refresh edit it", v.name);
        assert!(refresh.contains("\n  gen:\n"), "{}", v.name);
        assert!(repo.out().join("scripts/refresh-base-images.sh").is_file(), "{}", v.name);
        assert!(repo.out().join("scripts/refresh-gen.sh").is_file(), "{}", v.name);

        for persona in ["regular", "pedantic"] {
            let out = validator("zizmor")
                .args(["--offline", "--format", "json", "--persona", persona])
                // The repository: its workflows and its Dependabot configuration, at its root.
                .arg(repo.root())
                .output()
                .expect("zizmor runs");
            let findings: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
                panic!("{}: zizmor's report is not JSON ({e}): {}", repo.name, String::from_utf8_lossy(&out.stderr))
            });
            for f in &findings {
                let severity = f["determinations"]["severity"].as_str().unwrap_or_default();
                let shown = format!("{}: zizmor --persona {persona}: {}", repo.name, serde_json::to_string(f).unwrap());
                assert_eq!(severity, "Informational", "{shown}");
                // An informational finding is explained in a comment just above its step.
                let primary = f["locations"]
                    .as_array()
                    .and_then(|l| l.iter().find(|l| l["symbolic"]["kind"] == "Primary"))
                    .expect("primary location");
                let file = primary["symbolic"]["key"]["Local"]["verbatim_path"].as_str().expect("path");
                let row = primary["concrete"]["location"]["start_point"]["row"].as_u64().expect("row") as usize;
                let text = std::fs::read_to_string(file).expect("read workflow");
                let above: Vec<&str> = text.lines().take(row).collect();
                let explained =
                    above.iter().rev().take(6).any(|l| l.trim_start().starts_with('#') && l.contains("zizmor"));
                assert!(explained, "{shown}: no comment explains it");
            }
        }

        let out = validator("yamllint")
            .args(["--strict", "-f", "parsable", "-d", "relaxed"])
            .args(repo.workflows())
            .arg(repo.root().join(".github/dependabot.yml"))
            .output()
            .expect("yamllint runs");
        assert!(
            out.status.success(),
            "{}: yamllint:\n{}{}",
            repo.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );

        let lint = Gen::new().args(["lint", "--strict", v.spec_at, "--out", v.out]).current_dir(repo.root()).run();
        assert_eq!(lint.code, 0, "{}: gen lint:\n{}{}", repo.name, lint.stdout, lint.stderr);
    }
}

#[test]
fn every_action_is_pinned_to_a_listed_commit_with_its_tag() {
    let pins = common::pinned_actions();
    for v in variants() {
        let repo = Repo::new(&v);
        for file in repo.workflows() {
            let text = std::fs::read_to_string(&file).expect("read");
            let mut seen = 0;
            for line in text.lines().filter(|l| l.trim_start().trim_start_matches("- ").starts_with("uses:")) {
                let value = line.split_once("uses:").expect("uses").1.trim();
                // A call of the repository's own workflow: that file's lines are read here too.
                if value.starts_with("./.github/workflows/") {
                    continue;
                }
                let (action, rest) = value.split_once('@').unwrap_or_else(|| panic!("{line}: not pinned"));
                let (sha, comment) = rest.split_once(" # ").unwrap_or_else(|| panic!("{line}: no version comment"));
                let (pinned, tag) =
                    pins.get(&action.to_ascii_lowercase()).unwrap_or_else(|| panic!("{line}: not in the pinned list"));
                assert_eq!(sha, pinned, "{}: {line}", file.display());
                assert_eq!(comment.trim(), tag, "{}: {line}", file.display());
                seen += 1;
            }
            // Every `uses:` the YAML holds was on a line of its own that the loop above read.
            let wf = read_yaml(&file);
            let uses: usize =
                jobs(&wf).iter().map(|(_, j)| steps(j).iter().filter(|s| s.get("uses").is_some()).count()).sum();
            assert_eq!(seen, uses, "{}", file.display());
        }
    }
}

/// A Terraform values file's values (HCL read by HashiCorp's parser).
fn tfvars(path: &Path) -> Value {
    let out = validator("hcl2json").arg(path).output().expect("hcl2json");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    parsed.as_object().and_then(|m| m.values().next()).expect("tfvars").clone()
}

/// The `name` and `subject` of the `module "<module>"` block of a Terraform file, each with
/// `${var.x}` filled from `vars`.
fn role_of(code: &str, module: &str, vars: &Value) -> (String, String) {
    let block = code.split(&format!("module \"{module}\" {{")).nth(1).expect("the module block");
    let block = block.split("\n}").next().expect("its end");
    let attribute = |key: &str| {
        let line = block.lines().find(|l| l.trim_start().starts_with(&format!("{key} "))).expect("the attribute");
        let template = line.split('"').nth(1).expect("a string").to_string();
        let mut filled = template.clone();
        for name in template.split("${var.").skip(1).filter_map(|r| r.split('}').next()) {
            let value = vars[name].as_str().unwrap_or_else(|| panic!("var.{name} in {template}"));
            filled = filled.replace(&format!("${{var.{name}}}"), value);
        }
        filled
    };
    (attribute("name"), attribute("subject"))
}

/// On ECS, what a deploy job names is what Terraform creates for the environment it deploys:
/// the cluster (its values' `cluster_name`), the service (a key of its values' `services`),
/// the contract's family and the log group (the service module's names, `<cluster>-<service>`
/// and `/ecs/<cluster>/<service>`); and the secret the tasks pull a Docker Hub image with is
/// the root's, read by that service's execution role alone.
#[test]
fn on_ecs_every_name_a_deploy_job_uses_is_one_the_environment_s_terraform_creates() {
    for v in variants().into_iter().filter(on_ecs) {
        let repo = Repo::new(&v);
        let tf = repo.out().join("terraform");
        let module = std::fs::read_to_string(tf.join("modules/ecs-service/main.tf")).expect("module");
        // The module's names, as it writes them.
        for name in [
            "family = \"${var.cluster_name}-${var.name}\"",
            "family                   = \"${local.family}-contract\"",
            "name              = \"/ecs/${var.cluster_name}/${var.name}\"",
        ] {
            assert!(module.contains(name), "{}: the service module no longer writes {name}", repo.name);
        }
        let root = std::fs::read_to_string(tf.join("main.tf")).expect("root");
        assert!(root.contains("name                    = \"${var.cluster_name}/docker-hub\""), "{}", repo.name);
        // Each environment's values, by the GitHub environment its deploy role trusts.
        let mut clusters: BTreeMap<String, (String, BTreeSet<String>)> = BTreeMap::new();
        for file in common::root_tfvars(&tf) {
            let vars = tfvars(&tf.join(&file));
            let services = vars["services"].as_object().expect("services").keys().cloned().collect();
            let cluster = vars["cluster_name"].as_str().expect("cluster").to_string();
            clusters
                .insert(vars["github_environment"].as_str().expect("github environment").into(), (cluster, services));
        }
        let mut deployed = 0;
        let mut deployed_services: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for file in repo.workflows() {
            let wf = read_workflow(&file);
            for (id, job) in jobs(&wf) {
                let deploys = steps(job).into_iter().find(|s| {
                    s["uses"].as_str().is_some_and(|u| u.starts_with("aws-actions/amazon-ecs-deploy-task-definition@"))
                });
                let Some(deploy) = deploys else { continue };
                let environment = job["environment"].as_str().or_else(|| job["environment"]["name"].as_str());
                let environment =
                    environment.unwrap_or_else(|| panic!("{}: {id} deploys in no environment", repo.name));
                let (cluster, _) = clusters.get(environment).unwrap_or_else(|| {
                    panic!("{}: {id} deploys in {environment}, whose values are not there", repo.name)
                });
                assert_eq!(job["env"]["CLUSTER"].as_str(), Some(cluster.as_str()), "{}: {id}", repo.name);
                assert_eq!(deploy["with"]["cluster"].as_str(), Some(cluster.as_str()), "{}: {id}", repo.name);
                // The service, as the reusable workflow's caller names it.
                let service = deploy["with"]["service"].as_str().expect("service").to_string();
                assert_eq!(wf["env"]["SERVICE"].as_str(), Some(service.as_str()), "{}: {id}", repo.name);
                deployed_services.entry(environment.to_string()).or_default().insert(service);
                let script: String = steps(job).iter().filter_map(|s| s["run"].as_str()).collect();
                for name in [
                    "\"$CLUSTER-$SERVICE-contract\"",
                    "--cluster \"$CLUSTER\" --services \"$SERVICE\"",
                    "/ecs/$CLUSTER/$SERVICE",
                ] {
                    assert!(script.contains(name), "{}: {id} no longer names {name}", repo.name);
                }
                deployed += 1;
            }
        }
        assert!(deployed >= clusters.len(), "{}: {deployed} deploy jobs", repo.name);
        // The services deployed to each environment are those its values create.
        for (environment, (_, services)) in &clusters {
            assert_eq!(
                deployed_services.get(environment),
                Some(services),
                "{}: the services of {environment}",
                repo.name
            );
        }
    }
}

#[test]
fn every_aws_role_a_job_assumes_is_one_terraform_creates_trusting_that_job() {
    for v in variants().into_iter().filter(on_aws) {
        let repo = Repo::new(&v);
        let tf = repo.out().join("terraform");
        let spec = read_yaml(&repo.root().join(v.spec_at));
        let repository = spec["platform"]["github"]["repository"].as_str().expect("repository");
        // What Terraform creates: each role by its ARN, with the subjects it trusts, the region
        // its root applies in, and the clusters its jobs may read through kubectl: a deploy
        // role its environment's, the Terraform workflow's apply role every environment's
        // (where its apply waits for the monitoring stack).
        let mut roles: BTreeMap<String, (BTreeSet<String>, String, BTreeSet<String>)> = BTreeMap::new();
        let arn = |vars: &Value, name: &str| {
            format!("arn:aws:iam::{}:role/{name}", vars["account_id"].as_str().expect("account"))
        };
        let shared = tfvars(&tf.join("shared/terraform.tfvars"));
        // The build role, where some image is in ECR (Docker Hub's are pushed with a token).
        if shared["repositories"].as_array().is_some_and(|r| !r.is_empty()) {
            let (name, subject) =
                role_of(&std::fs::read_to_string(tf.join("shared/main.tf")).expect("shared"), "build_role", &shared);
            roles.insert(
                arn(&shared, &name),
                ([subject].into(), shared["region"].as_str().expect("region").into(), BTreeSet::new()),
            );
        }
        // The Terraform workflow's, in bootstrap/: a cluster-admin (apply) and a viewer (drift)
        // of every cluster; the drift check's jobs read none through kubectl.
        let bootstrap = tfvars(&tf.join("bootstrap/terraform.tfvars"));
        for (kind, subjects) in aws_terraform_subjects(&tf.join("bootstrap"), &bootstrap) {
            let name = format!("{}-terraform-{kind}", bootstrap["name"].as_str().expect("name"));
            let region = bootstrap["region"].as_str().expect("region").to_string();
            roles.insert(arn(&bootstrap, &name), (subjects, region, BTreeSet::new()));
        }
        let root = std::fs::read_to_string(tf.join("main.tf")).expect("root");
        for file in common::root_tfvars(&tf) {
            let vars = tfvars(&tf.join(&file));
            let (name, subject) = role_of(&root, "deploy_role", &vars);
            let cluster = vars["cluster_name"].as_str().expect("cluster").to_string();
            let region = vars["region"].as_str().expect("region").to_string();
            // On ECS no job reads a cluster through kubectl: the deploy role registers and
            // deploys task definitions.
            if on_ecs(&v) {
                assert!(vars["deploy"].is_null() && vars["terraform_roles"].is_null(), "{}: {file}", repo.name);
                let entry = ([subject].into(), region, BTreeSet::new());
                assert!(roles.insert(arn(&vars, &name), entry).is_none(), "{}: one role per environment", repo.name);
                continue;
            }
            // One deploy role either way: it deploys with Helm, or reads Argo CD's Applications.
            assert!(["helm", "gitops"].contains(&vars["deploy"].as_str().unwrap_or("")), "{}: {file}", repo.name);
            // The Terraform workflow's apply and drift roles work in this cluster (cluster/),
            // through the access entries this root gives them.
            for kind in ["apply", "drift"] {
                let name = format!("{}-terraform-{kind}", bootstrap["name"].as_str().expect("name"));
                assert_eq!(vars["terraform_roles"][kind], arn(&bootstrap, &name).as_str(), "{}: {file}", repo.name);
            }
            let apply = arn(&bootstrap, &format!("{}-terraform-apply", bootstrap["name"].as_str().expect("name")));
            roles.get_mut(&apply).expect("the apply role").2.insert(cluster.clone());
            // Each environment on this cluster that another's values hold (`guests`): a role of
            // its own, trusting its GitHub environment.
            for (guest, values) in vars["guests"].as_object().into_iter().flatten() {
                let (name, subject) = role_of(&root, "guest_deploy_role", &vars);
                let github_environment = values["github_environment"].as_str().expect("github_environment");
                let fill = |t: &str| {
                    t.replace("${each.key}", guest).replace("${each.value.github_environment}", github_environment)
                };
                assert!(
                    roles
                        .insert(
                            arn(&vars, &fill(&name)),
                            ([fill(&subject)].into(), region.clone(), [cluster.clone()].into())
                        )
                        .is_none(),
                    "{}: one role per environment",
                    repo.name
                );
            }
            assert!(
                roles.insert(arn(&vars, &name), ([subject].into(), region, [cluster].into())).is_none(),
                "{}: one role per environment",
                repo.name
            );
        }
        let mut assumed = BTreeSet::new();
        for file in repo.workflows() {
            let wf = read_workflow(&file);
            for (id, job) in jobs(&wf) {
                let mut role: Option<&(BTreeSet<String>, String, BTreeSet<String>)> = None;
                for step in steps(job) {
                    let uses = step["uses"].as_str().unwrap_or_default();
                    assert!(!uses.starts_with("azure/login@"), "{}: {id} signs in to Azure", repo.name);
                    if uses.starts_with("aws-actions/configure-aws-credentials@") {
                        let arn = step["with"]["role-to-assume"].as_str().expect("role-to-assume");
                        let found = roles.get(arn).unwrap_or_else(|| {
                            panic!("{}: {id} assumes {arn}, which Terraform does not create", repo.name)
                        });
                        // GitHub's token: the job's environment, else a pull request's for a job
                        // that runs on pull requests alone, else the branch the run is on (every
                        // other job that signs in without an environment runs on the branch).
                        let on_pull_request = job["if"].as_str().is_some_and(|c| {
                            c.contains("github.event_name == 'pull_request'")
                                && !["push", "workflow_dispatch", "schedule"]
                                    .iter()
                                    .any(|e| c.contains(&format!("github.event_name == '{e}'")))
                        });
                        let subject = match job.get("environment") {
                            Some(env) => format!("repo:{repository}:environment:{}", env.as_str().expect("env name")),
                            None if on_pull_request => format!("repo:{repository}:pull_request"),
                            None => format!(
                                "repo:{repository}:ref:refs/heads/{}",
                                spec["platform"]["github"]["branch"].as_str().unwrap_or("main")
                            ),
                        };
                        assert!(
                            found.0.contains(&subject),
                            "{}: {id} assumes {arn}, which trusts {:?}",
                            repo.name,
                            found.0
                        );
                        assert_eq!(step["with"]["aws-region"].as_str(), Some(found.1.as_str()), "{}: {id}", repo.name);
                        assumed.insert(arn.to_string());
                        role = Some(found);
                    }
                    // The cluster a job gets credentials for is the one its role may find.
                    if step["run"].as_str().is_some_and(|r| r.contains("aws eks update-kubeconfig")) {
                        let cluster = step["env"]["CLUSTER"].as_str().expect("CLUSTER");
                        let role =
                            role.unwrap_or_else(|| panic!("{}: {id} reads a cluster before signing in", repo.name));
                        assert!(role.2.contains(cluster), "{}: {id} reads {cluster} as another's role", repo.name);
                    }
                }
            }
        }
        // Every role is used: the build role, each environment's deploy role and the Terraform
        // workflow's.
        assert_eq!(assumed, roles.keys().cloned().collect::<BTreeSet<_>>(), "{}", repo.name);
    }
}

/// The subjects each role of the Terraform workflow on AWS trusts (`plan`, `drift`, `apply`),
/// as `bootstrap/identities.tf` writes them (one literal subject, or a `formatlist` over the
/// apply environments), filled with the bootstrap root's values; and what the pull requests'
/// plan role may do: read the state and the roots' data sources, nothing else.
fn aws_terraform_subjects(dir: &Path, vars: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let code = std::fs::read_to_string(dir.join("identities.tf")).expect("identities.tf");
    let fill = |t: &str| {
        t.replace("${var.github_repository}", vars["github_repository"].as_str().expect("repository"))
            .replace("${var.drift_environment}", vars["drift_environment"].as_str().expect("drift environment"))
    };
    let mut subjects = BTreeMap::new();
    for kind in ["plan", "drift", "apply"] {
        let block = code
            .split(&format!("data \"aws_iam_policy_document\" \"terraform_trust_{kind}\" {{"))
            .nth(1)
            .and_then(|b| b.split("\n}").next())
            .unwrap_or_else(|| panic!("the {kind} role's trust"));
        let sub = block.split(":sub\"").nth(1).expect("a sub condition");
        let values = sub.lines().find(|l| l.trim_start().starts_with("values")).expect("its values");
        let template = values.split('"').nth(1).expect("a string");
        let trusted: BTreeSet<String> = if values.contains("formatlist(") {
            let envs = vars["apply_environments"].as_array().expect("apply_environments");
            envs.iter().map(|e| fill(&template.replace("%s", e.as_str().expect("name")))).collect()
        } else {
            [fill(template)].into()
        };
        assert!(trusted.iter().all(|s| !s.contains('*')), "{kind}: {trusted:?}");
        // The branch is the build role's subject: every push's build job may ask for it.
        assert!(trusted.iter().all(|s| !s.contains(":ref:")), "{kind}: {trusted:?}");
        subjects.insert(kind.to_string(), trusted);
    }
    // The plan role is the one a pull request may assume: it reads the state and what the
    // data sources read; ReadOnlyAccess (every bucket's objects) and any write are the others'.
    assert!(!code.contains("aws_iam_role.terraform[\"plan\"].name"), "no managed policy on the plan role");
    let data_sources = code
        .split("data \"aws_iam_policy_document\" \"plan_data_sources\" {")
        .nth(1)
        .and_then(|b| b.split("\n}").next())
        .expect("the plan role's data source reads");
    let actions = data_sources.lines().find(|l| l.trim_start().starts_with("actions")).expect("actions");
    for action in actions.split('"').skip(1).step_by(2) {
        let verb = action.split(':').nth(1).expect("service:verb");
        assert!(["Describe", "List", "Get"].iter().any(|v| verb.starts_with(v)), "the plan role may {action}");
    }
    subjects
}

/// One environment as Terraform sees it: its values file (`terraform.tfvars`, or
/// `environments/<name>.tfvars`), the values, and the one subject each identity it creates
/// trusts, read from the values and the github-oidc module's subject templates.
struct TfEnvironment {
    file: String,
    vars: Value,
    /// Only in the shared root (`shared/terraform.tfvars`), beside the registry.
    build: Option<String>,
    /// With Helm and with GitOps (where it reads Argo CD's Applications and the vault).
    deploy: Option<String>,
}

/// Each environment's values and the shared root's (`shared/terraform.tfvars`), where the
/// build identity is.
fn terraform_roots(repo: &Repo) -> Vec<TfEnvironment> {
    let tf = repo.out().join("terraform");
    let mut files = common::root_tfvars(&tf);
    files.push("shared/terraform.tfvars".to_string());
    let module = std::fs::read_to_string(tf.join("modules/github-oidc/main.tf")).expect("module");
    let templates: Vec<&str> = module.split('"').filter(|s| s.starts_with("repo:")).collect();
    files
        .into_iter()
        .map(|file| {
            let vars = tfvars(&tf.join(&file));
            let fill = |t: &str| {
                t.replace("${var.repository}", vars["github_repository"].as_str().expect("repository"))
                    .replace("${var.branch}", vars["github_branch"].as_str().expect("branch"))
                    .replace("${var.environment}", vars["github_environment"].as_str().unwrap_or("<none>"))
            };
            let branch = templates.iter().find(|t| t.contains(":ref:")).map(|t| fill(t)).expect("branch subject");
            let environment =
                templates.iter().find(|t| t.contains(":environment:")).map(|t| fill(t)).expect("env subject");
            let owner = file.starts_with("shared/");
            // The shared root makes the build identity alone (`deploy_identity = false`).
            let deploy =
                (!owner).then(|| if vars["github_environment"].is_null() { branch.clone() } else { environment });
            TfEnvironment { file, build: owner.then_some(branch), deploy, vars }
        })
        .collect()
}

/// The subjects each identity of the Terraform workflow trusts (`plan`, `drift`, `apply`), as
/// `terraform/bootstrap` creates them: its credential templates filled with its values.
fn bootstrap_subjects(repo: &Repo) -> BTreeMap<&'static str, BTreeSet<String>> {
    let dir = repo.out().join("terraform/bootstrap");
    let vars = tfvars(&dir.join("terraform.tfvars"));
    let repository = vars["github_repository"].as_str().expect("github_repository");
    let drift = vars["drift_environment"].as_str().expect("drift_environment");
    let code = std::fs::read_to_string(dir.join("identities.tf")).expect("identities.tf");
    let mut subjects: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for line in code.lines().filter(|l| l.contains("subject = \"repo:")) {
        let identity = ["plan", "drift", "apply"]
            .into_iter()
            .find(|i| line.contains(&format!("identity = \"{i}\"")))
            .expect("an identity the workflow knows");
        let template = line.split("subject = \"").nth(1).and_then(|t| t.split('"').next()).expect("subject");
        let fill = |env: &str| {
            template
                .replace("${var.github_repository}", repository)
                .replace("${var.drift_environment}", drift)
                .replace("${env}", env)
        };
        if template.contains("${env}") {
            for env in vars["apply_environments"].as_array().expect("apply_environments") {
                subjects.entry(identity).or_default().insert(fill(env.as_str().expect("name")));
            }
        } else {
            subjects.entry(identity).or_default().insert(fill(""));
        }
    }
    assert_eq!(subjects.len(), 3, "{}: a plan, a drift and an apply identity", repo.name);
    // What the pull requests' identity holds: the resources' settings, and the state; no role
    // of its reads a cluster's object (Secrets) or a storage account's data (the backups).
    let mut plan_roles = BTreeSet::new();
    for block in code.split("\nresource \"").filter(|b| b.starts_with("azurerm_role_assignment\"")) {
        let block = block.split("\n}\n").next().expect("block");
        if !block.contains("azurerm_user_assigned_identity.terraform[\"plan\"]") {
            continue;
        }
        let attr = |name: &str| {
            block
                .lines()
                .find(|l| l.trim_start().starts_with(name))
                .and_then(|l| l.split_once('=').map(|(_, v)| v.trim().trim_matches('"').to_string()))
        };
        let role = attr("role_definition_name")
            .unwrap_or_else(|| panic!("{}: the plan identity holds a custom role:\n{block}", repo.name));
        plan_roles.insert((role, attr("scope").expect("scope")));
    }
    let expected: BTreeSet<(String, String)> = [
        ("Reader", "data.azurerm_subscription.current.id"),
        ("Storage Blob Data Reader", "azurerm_storage_account.state.id"),
    ]
    .into_iter()
    .map(|(r, s)| (r.to_string(), s.to_string()))
    .collect();
    assert_eq!(plan_roles, expected, "{}: the pull requests' identity's roles", repo.name);
    // Any pull request of the repository's own branches signs in as the plan identity: it alone
    // trusts a pull request, and trusts nothing else.
    let pull_request = format!("repo:{repository}:pull_request");
    for (identity, trusted) in &subjects {
        let trusts_pr = trusted.contains(&pull_request);
        assert_eq!(trusts_pr, *identity == "plan", "{}: {identity} trusts {trusted:?}", repo.name);
        // The branch is the build identity's subject: every push's build job may ask for it.
        assert!(!trusted.iter().any(|s| s.contains(":ref:")), "{}: {identity} trusts {trusted:?}", repo.name);
        if trusts_pr {
            assert_eq!(trusted.len(), 1, "{}: the pull requests' identity trusts {trusted:?}", repo.name);
        }
    }
    subjects
}

/// The branch a job without a GitHub environment signs in from: the job or the step runs on a
/// push only, and pushes are filtered to one branch; or the workflow runs by hand (or on a
/// schedule) only, and an earlier step of the job stops a run on any other branch.
fn login_branch(wf: &Value, id: &str, job: &Value, step: &Value, file: &Path) -> String {
    let on_push = |x: &Value| x["if"].as_str().is_some_and(|c| c == "github.event_name == 'push'");
    if on_push(job) || on_push(step) {
        let branches = wf["on"]["push"]["branches"].as_array().expect("push branches");
        assert_eq!(branches.len(), 1, "{}", file.display());
        return branches[0].as_str().expect("branch").to_string();
    }
    let triggers: Vec<&String> = wf["on"].as_object().map(|o| o.keys().collect()).unwrap_or_default();
    // A schedule runs on the default branch, which the guard below holds to the trusted one.
    let by_hand: Vec<&&String> = triggers.iter().filter(|t| t.as_str() != "schedule").collect();
    assert_eq!(by_hand, [&"workflow_dispatch"], "{}: job {id} logs in outside a push", file.display());
    let guard = steps(job)
        .into_iter()
        .take_while(|s| *s != step)
        .find(|s| {
            s["run"].as_str().is_some_and(|r| r.contains(r#"if [ "$GITHUB_REF" != "refs/heads/$BRANCH" ]; then"#))
        })
        .unwrap_or_else(|| panic!("{}: job {id} logs in on any branch a manual run names", file.display()));
    let run = guard["run"].as_str().expect("run");
    assert!(run.contains("exit 1"), "{}: job {id}: the branch check stops nothing", file.display());
    guard["env"]["BRANCH"].as_str().expect("BRANCH").to_string()
}

#[test]
fn every_azure_login_matches_a_subject_terraform_trusts() {
    for v in variants().into_iter().filter(|v| !on_aws(v)) {
        let repo = Repo::new(&v);
        let envs = terraform_roots(&repo);
        assert!(!envs.is_empty(), "{}: no Terraform values", repo.name);
        // One identity builds, in one environment; each environment's deploy identity trusts a
        // subject of its own.
        assert_eq!(envs.iter().filter(|e| e.build.is_some()).count(), 1, "{}: one build identity", repo.name);
        let deploy_subjects: BTreeSet<&String> = envs.iter().filter_map(|e| e.deploy.as_ref()).collect();
        assert_eq!(
            deploy_subjects.len(),
            envs.iter().filter(|e| e.deploy.is_some()).count(),
            "{}: one subject per environment",
            repo.name
        );
        let spec = read_yaml(&repo.root().join(v.spec_at));
        let repository = spec["platform"]["github"]["repository"].as_str().expect("repository");
        let mut logins = BTreeSet::new();
        let bootstrap = bootstrap_subjects(&repo);
        let mut terraform_logins: BTreeSet<(&str, String)> = BTreeSet::new();
        for file in repo.workflows() {
            let wf = read_workflow(&file);
            for (id, job) in jobs(&wf) {
                for step in steps(job) {
                    let uses = step["uses"].as_str().unwrap_or_default();
                    if !uses.to_ascii_lowercase().starts_with("azure/login@") {
                        continue;
                    }
                    // The Terraform workflow's: the plan or apply identity `bootstrap/` makes,
                    // named in the job's env for the providers' own OIDC sign-in too.
                    let client = step["with"]["client-id"].as_str().expect("client-id");
                    if client == "${{ env.ARM_CLIENT_ID }}" {
                        let var = job["env"]["ARM_CLIENT_ID"].as_str().expect("the job's ARM_CLIENT_ID");
                        let identity = match var {
                            "${{ vars.AZURE_TERRAFORM_PLAN_CLIENT_ID }}" => "plan",
                            "${{ vars.AZURE_TERRAFORM_DRIFT_CLIENT_ID }}" => "drift",
                            "${{ vars.AZURE_TERRAFORM_APPLY_CLIENT_ID }}" => "apply",
                            other => panic!("{}: job {id} logs in as {other}", file.display()),
                        };
                        let condition = job["if"].as_str().unwrap_or_default();
                        // GitHub's token: the job's environment, else what started the run.
                        let subject = match job.get("environment") {
                            Some(env) => format!("repo:{repository}:environment:{}", env.as_str().expect("env name")),
                            None if condition.contains("github.event_name == 'pull_request'") => {
                                format!("repo:{repository}:pull_request")
                            }
                            None => panic!("{}: job {id} logs in on an event it does not name", file.display()),
                        };
                        let trusted = &bootstrap[identity];
                        assert!(
                            trusted.contains(&subject),
                            "{}: job {id} signs in as the Terraform {identity} identity with {subject}, which trusts {trusted:?}",
                            repo.name
                        );
                        // The pull requests' identity reads no cluster and refreshes nothing: no
                        // step of its jobs plans cluster/, signs in to a cluster, or refreshes.
                        if identity == "plan" {
                            for s in steps(job) {
                                let run = s["run"].as_str().unwrap_or_default();
                                let uses = s["uses"].as_str().unwrap_or_default();
                                assert!(
                                    !run.contains("terraform -chdir=\"$dir\" plan") || run.contains(" -refresh=false "),
                                    "{}: job {id} refreshes as the plan identity:\n{run}",
                                    repo.name
                                );
                                assert!(
                                    !run.contains("$ROOT/cluster\n") && !run.contains("dir=$ROOT/cluster"),
                                    "{}: job {id} plans cluster/ as the pull requests' identity",
                                    repo.name
                                );
                                assert!(!uses.contains("kubelogin"), "{}: job {id} reaches a cluster", repo.name);
                            }
                        }
                        // The plan identity reads; only a job in a GitHub environment applies.
                        if identity == "apply" {
                            assert!(
                                job.get("environment").is_some(),
                                "{}: job {id} applies outside an environment",
                                repo.name
                            );
                        }
                        assert_eq!(job["permissions"]["id-token"], "write", "{}: job {id}", file.display());
                        terraform_logins.insert((identity, subject));
                        continue;
                    }
                    // GitHub's token names the environment when the job has one, else the ref.
                    let subject = match job.get("environment") {
                        Some(env) => format!("repo:{repository}:environment:{}", env.as_str().expect("env name")),
                        None => format!("repo:{repository}:ref:refs/heads/{}", login_branch(&wf, id, job, step, &file)),
                    };
                    // Which identity of which environment the job names.
                    let client = step["with"]["client-id"].as_str().expect("client-id");
                    let (identity, env) = match client {
                        "${{ vars.AZURE_BUILD_CLIENT_ID }}" => {
                            ("build", envs.iter().find(|e| e.build.is_some()).expect("a build identity"))
                        }
                        // A repository variable: the one environment's.
                        "${{ vars.AZURE_DEPLOY_CLIENT_ID }}" => {
                            let mut deploying = envs.iter().filter(|e| e.deploy.is_some());
                            let env = deploying.next().expect("a deploy identity");
                            assert!(deploying.next().is_none(), "{}: job {id}: whose deploy identity?", file.display());
                            ("deploy", env)
                        }
                        // The GitHub environment's own variable: the environment it deploys.
                        "${{ vars.AZURE_CLIENT_ID }}" => {
                            let github_env =
                                job["environment"].as_str().expect("a job with AZURE_CLIENT_ID runs in an environment");
                            let mut matching = envs.iter().filter(|e| e.vars["github_environment"] == github_env);
                            let env = matching.next().unwrap_or_else(|| {
                                panic!("{}: job {id}: no environment deploys through {github_env}", file.display())
                            });
                            assert!(matching.next().is_none(), "{}: {github_env} is two environments'", file.display());
                            ("deploy", env)
                        }
                        other => panic!("{}: job {id} logs in as {other}", file.display()),
                    };
                    let trusted = if identity == "build" { &env.build } else { &env.deploy };
                    assert_eq!(
                        trusted.as_ref(),
                        Some(&subject),
                        "{}: {}: job {id} signs in as {}'s {identity} identity with subject {subject}",
                        repo.name,
                        file.display(),
                        env.file,
                    );
                    assert_eq!(
                        job["permissions"]["id-token"],
                        "write",
                        "{}: job {id} logs in without id-token: write",
                        file.display()
                    );
                    // A deploy reaches that environment's cluster, with that environment's values.
                    if identity == "deploy" {
                        let context = steps(job)
                            .into_iter()
                            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("azure/aks-set-context@")))
                            .expect("cluster credentials");
                        assert_eq!(
                            context["with"]["resource-group"],
                            env.vars["resource_group_name"],
                            "{}: job {id}",
                            file.display()
                        );
                        assert_eq!(
                            context["with"]["cluster-name"],
                            env.vars["cluster_name"],
                            "{}: job {id}",
                            file.display()
                        );
                        if let Some(name) = env.vars.get("environment").and_then(Value::as_str) {
                            // Helm's values, or with GitOps the environment's release file.
                            let values = match steps(job).into_iter().find(|s| s["env"].get("VALUES").is_some()) {
                                Some(helm) => helm["env"]["VALUES"].as_str().expect("VALUES").to_string(),
                                None => {
                                    job["env"]["RELEASE_FILE"].as_str().expect("VALUES or RELEASE_FILE").to_string()
                                }
                            };
                            assert!(
                                (values.contains("/values/") && values.ends_with(&format!(".{name}.yaml")))
                                    || (values.contains(&format!("/argocd/{name}/"))
                                        && values.ends_with(".release.yaml")),
                                "{}: job {id}: {values}",
                                file.display()
                            );
                        }
                    }
                    logins.insert((env.file.clone(), identity));
                }
            }
        }
        let expected: BTreeSet<(String, &str)> = envs
            .iter()
            .flat_map(|e| {
                let build = e.build.as_ref().map(|_| (e.file.clone(), "build"));
                let deploy = e.deploy.as_ref().map(|_| (e.file.clone(), "deploy"));
                build.into_iter().chain(deploy)
            })
            .collect();
        assert_eq!(logins, expected, "{}: every identity Terraform creates is used, and no other", repo.name);
        // Every subject the Terraform identities trust is one a job of the Terraform workflow
        // signs in with: none is left for another workflow to borrow.
        let trusted: BTreeSet<(&str, String)> =
            bootstrap.iter().flat_map(|(i, subjects)| subjects.iter().map(move |s| (*i, s.clone()))).collect();
        assert_eq!(terraform_logins, trusted, "{}: the Terraform identities' subjects", repo.name);
    }
}

#[test]
fn deploys_promote_one_image_through_the_environments_in_order() {
    let mut checked = 0;
    for v in variants() {
        let spec = serde_yaml_like(&v.spec);
        let Some(declared) = spec["environments"].as_array() else { continue };
        let repo = Repo::new(&v);
        // Each environment's values (Azure's or AWS's root).
        let tf = repo.out().join("terraform");
        let envs: Vec<(String, Value)> = common::root_tfvars(&tf)
            .into_iter()
            .map(|file| {
                let vars = tfvars(&tf.join(&file));
                (file, vars)
            })
            .collect();
        // The environments on the cloud, in the spec's order: those Terraform has values for, in
        // a file of their own or among the `guests` of the environment whose cluster they run on.
        let github_environment_of = |n: &str| -> Option<Value> {
            envs.iter()
                .find(|e| e.0 == format!("environments/{n}.tfvars"))
                .map(|e| e.1["github_environment"].clone())
                .or_else(|| envs.iter().find_map(|e| e.1["guests"].get(n).map(|g| g["github_environment"].clone())))
        };
        let in_cloud: Vec<&str> = declared
            .iter()
            .map(|e| e["name"].as_str().expect("name"))
            .filter(|n| github_environment_of(n).is_some())
            .collect();
        assert!(!in_cloud.is_empty() && in_cloud.len() >= envs.len(), "{}: {in_cloud:?}", repo.name);
        let gitops = v.spec.contains("deploy: gitops");
        let kind = if gitops { "release" } else { "deploy" };
        // The service workflows (the Terraform workflow's own order is checked on its own).
        // (The reusable ones, `_*.yml`, are read through each service's, which calls them.)
        for file in repo.workflows().into_iter().filter(|f| {
            !["gen.yml", "gen-refresh.yml", "terraform.yml", "scan.yml"].iter().any(|name| f.ends_with(name))
                && !f.file_name().is_some_and(|n| n.to_string_lossy().starts_with('_'))
        }) {
            let wf = read_workflow(&file);
            let all = jobs(&wf);
            let rollback = file.to_string_lossy().ends_with(".rollback.yml");
            // One build, one push (none in a rollback, which deploys a release that exists).
            let pushes: Vec<&String> = all
                .iter()
                .filter(|(_, j)| {
                    steps(j).iter().any(|s| s["with"]["outputs"].as_str().is_some_and(|o| o.contains("push=true")))
                })
                .map(|(id, _)| *id)
                .collect();
            assert_eq!(pushes, if rollback { vec![] } else { vec!["build"] }, "{}: {}", repo.name, file.display());
            // One job per environment on Azure (none for a local one), written in promotion
            // order; `needs` below makes it the order they run in.
            let chain: Vec<String> =
                all.iter().map(|(id, _)| (*id).clone()).filter(|id| id.starts_with(&format!("{kind}-"))).collect();
            let expected: Vec<String> = in_cloud.iter().map(|e| format!("{kind}-{e}")).collect();
            assert_eq!(chain, expected, "{}: {}: one job per environment on Azure", repo.name, file.display());
            let mut previous: Option<String> = None;
            for (name, id) in in_cloud.iter().zip(&expected) {
                let job = &wf["jobs"][id];
                let needs: Vec<&str> = match &job["needs"] {
                    Value::String(one) => vec![one.as_str()],
                    Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
                    other => panic!("{id}: needs {other}"),
                };
                // Each deploys what `verify` checked; a release's promotion waits for the
                // environment before, a rollback deploys to the one environment the run names.
                let mut want = vec!["verify"];
                if !rollback {
                    want.extend(previous.as_deref());
                }
                assert_eq!(needs, want, "{}: {}: {id} follows the environment before it", repo.name, file.display());
                let github_environment = github_environment_of(name).expect("values");
                assert_eq!(job["environment"], github_environment, "{}: {id}", repo.name);
                let condition = if rollback {
                    let options = &wf["on"]["workflow_dispatch"]["inputs"]["environment"]["options"];
                    assert_eq!(options, &serde_json::json!(in_cloud), "{}: {}", repo.name, file.display());
                    format!("inputs.environment == '{name}'")
                } else if previous.is_none() {
                    // The first, unless a person deploys by hand (the fallback gate).
                    "github.event_name == 'push' && vars.DEPLOY_BY_HAND != 'true'".to_string()
                } else {
                    "github.event_name == 'push'".to_string()
                };
                assert_eq!(job["if"], condition.as_str(), "{}: {id}", repo.name);
                previous = Some(id.clone());
            }
            if v.name.starts_with("environments") {
                assert_eq!(wf["jobs"][&format!("{kind}-prod")]["environment"], "production", "{}", repo.name);
            }
            checked += 1;
        }
    }
    assert!(checked >= 3, "the variants with environments were not all checked");
}

/// A spec's text as JSON, through PyYAML like the workflows.
fn serde_yaml_like(text: &str) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).expect("write");
    read_yaml(&path)
}

#[test]
fn workflow_paths_are_right_from_the_repository_root() {
    for v in variants() {
        let repo = Repo::new(&v);
        for file in repo.workflows() {
            let raw = read_yaml(&file);
            if raw["on"].get("workflow_call").is_some() {
                continue; // read through each caller, with its inputs
            }
            // A change of a workflow it calls runs it again, as a change of its own does.
            for (id, job) in jobs(&raw) {
                let Some(called) = job["uses"].as_str().and_then(|u| u.strip_prefix("./")) else { continue };
                for event in ["push", "pull_request"].into_iter().filter(|e| raw["on"].get(e).is_some()) {
                    let filters = raw["on"][event]["paths"].as_array().expect("path filters");
                    assert!(
                        filters.iter().any(|f| f == called),
                        "{}: job {id}: {event} paths miss {called}",
                        file.display()
                    );
                }
            }
            let wf = read_workflow(&file);
            let env = &wf["env"];
            let mut paths: Vec<String> = Vec::new();
            if let Some(p) = env.get("SPEC").and_then(Value::as_str) {
                assert_eq!(p, v.spec_at, "{}", file.display());
                paths.push(p.to_string());
            }
            if let Some(p) = env.get("OUT").and_then(Value::as_str) {
                assert_eq!(p, v.out, "{}", file.display());
                paths.push(p.to_string());
            }
            paths.extend(env.get("SERVICE_DIR").and_then(Value::as_str).map(str::to_string));
            for (_, job) in jobs(&wf) {
                for (k, val) in job["env"].as_object().into_iter().flatten() {
                    if k == "VALUES" || k == "RELEASE_FILE" {
                        paths.push(val.as_str().expect("path").to_string());
                    }
                }
                for step in steps(job) {
                    for (k, val) in step["env"].as_object().into_iter().flatten() {
                        if ["CHART", "NEXT_VERSION", "VALUES", "DEPLOYED"].contains(&k.as_str()) {
                            paths.push(val.as_str().expect("path").to_string());
                        }
                    }
                }
            }
            let filters = ["push", "pull_request"]
                .iter()
                .flat_map(|e| wf["on"][e]["paths"].as_array().cloned().unwrap_or_default())
                .filter_map(|p| p.as_str().map(str::to_string));
            for filter in filters {
                // `**`: every path (a service whose code is the repository's root), and the
                // documents at the root left out of it.
                if filter == "**" || filter == "!*.md" {
                    continue;
                }
                let literal = filter.trim_start_matches('!').trim_end_matches("/**");
                // The workflow's own path is where GitHub reads it, at the root.
                if !literal.starts_with(".github/") {
                    paths.push(literal.to_string());
                }
            }
            // (An ECS rollback names no file of the repository: it deploys a task definition
            // ECS holds.)
            assert!(
                !paths.is_empty() || (on_ecs(&v) && file.to_string_lossy().ends_with(".rollback.yml")),
                "{}",
                file.display()
            );
            for p in paths {
                // A name with one `*` (the environments' tag files, each service's rules folder)
                // matches a file or folder there.
                let segments: Vec<&str> = p.split('/').collect();
                let exists = glob_exists(repo.root(), &segments);
                assert!(exists, "{}: {}: `{p}` is not in the repository", repo.name, file.display());
            }
        }
    }
}

/// Whether a path of `segments` under `dir` exists, a segment with one `*` matching any name
/// that starts and ends as it does (and is longer).
fn glob_exists(dir: &Path, segments: &[&str]) -> bool {
    let Some((first, rest)) = segments.split_first() else { return dir.exists() };
    match first.split_once('*') {
        None => glob_exists(&dir.join(first), rest),
        Some((head, tail)) => {
            assert!(!tail.contains('*'), "{first}: one star");
            std::fs::read_dir(dir).into_iter().flatten().flatten().any(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                n.len() > head.len() + tail.len()
                    && n.starts_with(head)
                    && n.ends_with(tail)
                    && glob_exists(&e.path(), rest)
            })
        }
    }
}

#[test]
fn argo_cd_objects_pass_their_crd_schemas_and_pin_each_service_to_a_release_not_a_branch() {
    let mut checked = 0;
    for v in variants().into_iter().filter(|v| v.name.contains("gitops")) {
        let repo = Repo::new(&v);
        let spec = read_yaml(&repo.root().join(v.spec_at));
        let repository = spec["platform"]["github"]["repository"].as_str().expect("repository");
        let branch = spec["platform"]["github"]["branch"].as_str().unwrap_or("main");
        // Each environment's values (on either cloud).
        let tf = repo.out().join("terraform");
        let envs: Vec<(String, Value)> =
            common::root_tfvars(&tf).into_iter().map(|file| (file.clone(), tfvars(&tf.join(&file)))).collect();
        // The Terraform root installs Argo CD in every environment; each environment's objects
        // are in its own folder, for its own cluster.
        let mut folders = Vec::new();
        for (file, vars) in &envs {
            assert_eq!(vars["deploy"], "gitops", "{}: {file}", repo.name);
            let name = vars.get("environment").and_then(Value::as_str);
            folders.push((
                name.map(str::to_string),
                name.map_or(repo.out().join("argocd"), |n| repo.out().join("argocd").join(n)),
            ));
        }
        if envs.len() > 1 {
            assert!(!repo.out().join("argocd/root.yaml").exists(), "{}: a root outside the environments", repo.name);
        }
        for (env, folder) in &folders {
            checked += 1;
            // What the root applies is what `kubectl apply -k` (Argo CD's kustomize) builds.
            let built = repo.dir.path().join("argocd-built.yaml");
            let objects = common::objects::kustomize(folder, &built);
            let root = folder.join("root.yaml");
            let out = validator("crd-validate").arg(&built).arg(&root).output().expect("crd-validate");
            let stdout = String::from_utf8_lossy(&out.stdout);
            assert!(out.status.success(), "{}: {stdout}", repo.name);
            let roots = read_yaml_all(&root);
            assert!(stdout.contains(&format!("{} custom resource(s) valid", objects.len() + roots.len())), "{stdout}");
            // The root tracks the branch, applies this folder, and may hold nothing but
            // Applications in Argo CD's namespace: the projects are in root.yaml, applied by
            // hand, never from the branch.
            let root_app = roots.iter().find(|o| o["kind"] == "Application").expect("a root Application");
            let prefix = repo
                .out()
                .strip_prefix(repo.root())
                .expect("under the repository")
                .to_string_lossy()
                .replace('\\', "/");
            let rel =
                folder.strip_prefix(repo.root()).expect("under the repository").to_string_lossy().replace('\\', "/");
            assert_eq!(root_app["spec"]["source"]["targetRevision"], branch);
            assert_eq!(root_app["spec"]["source"]["path"], rel.as_str());
            assert_eq!(root_app["spec"]["destination"]["namespace"], "argocd");
            let project = roots
                .iter()
                .find(|o| o["kind"] == "AppProject" && o["metadata"]["name"] == root_app["spec"]["project"])
                .expect("the root's project");
            assert_eq!(root_app["spec"]["project"], project["metadata"]["name"]);
            let kinds: Vec<&str> = project["spec"]["namespaceResourceWhitelist"]
                .as_array()
                .expect("whitelist")
                .iter()
                .map(|k| k["kind"].as_str().expect("kind"))
                .collect();
            assert_eq!(kinds, ["Application"], "{}", root.display());
            assert!(
                objects.iter().all(|o| o["kind"] == "Application"),
                "{}: the branch applies a project",
                folder.display()
            );
            // Argo CD's `default` project, which any Application may name, admits nothing.
            let default = roots.iter().find(|o| o["metadata"]["name"] == "default").expect("the default project");
            assert_eq!(default["kind"], "AppProject");
            for key in ["sourceRepos", "destinations", "clusterResourceWhitelist", "namespaceResourceWhitelist"] {
                assert_eq!(default["spec"][key], serde_json::json!([]), "{}: {key}", root.display());
            }
            // The services' project, applied by hand beside it: the services' namespaces only.
            let services =
                roots.iter().find(|o| o["metadata"]["name"] == spec["metadata"]["name"]).expect("services' project");
            assert_eq!(services["kind"], "AppProject");
            assert_eq!(services["spec"]["clusterResourceWhitelist"], serde_json::json!([]));
            // Every service's Application: the chart at a pinned revision (the seed names no
            // commit until the first release), never the branch, with that environment's values.
            let apps: Vec<&Value> = objects.iter().filter(|o| o["kind"] == "Application").collect();
            assert_eq!(apps.len(), spec["services"].as_array().expect("services").len(), "{}", folder.display());
            for app in apps {
                let source = &app["spec"]["source"];
                assert_eq!(source["repoURL"], format!("https://github.com/{repository}.git"));
                let revision = source["targetRevision"].as_str().expect("targetRevision");
                assert!(
                    revision.len() == 40 && revision.bytes().all(|b| b.is_ascii_hexdigit()),
                    "{}: {revision}",
                    folder.display()
                );
                assert_ne!(revision, branch);
                let chart = repo.root().join(source["path"].as_str().expect("path"));
                assert!(
                    chart.starts_with(repo.root().join(&prefix)) && chart.join("Chart.yaml").is_file(),
                    "{}",
                    chart.display()
                );
                let values = source["helm"]["valueFiles"].as_array().expect("valueFiles");
                for file in values {
                    assert!(chart.join(file.as_str().expect("file")).is_file(), "{}: {file}", folder.display());
                }
                let service = app["metadata"]["name"].as_str().expect("the service");
                let own = match env {
                    Some(env) => format!("../values/{service}.{env}.yaml"),
                    None => format!("../values/{service}.yaml"),
                };
                assert_eq!(values, &[serde_json::json!(own)], "{}", folder.display());
                assert!(source["helm"]["valuesObject"]["image"]["tag"].is_string(), "{}", folder.display());
                assert_eq!(app["spec"]["project"], spec["metadata"]["name"]);
            }
        }
    }
    assert!(checked >= 4, "the GitOps variants were not all checked");
}

/// Runs the rendered version script in a git repository with these tags.
fn next_version(script: &Path, tags: &[&str], prefix: Option<&str>) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    git(dir.path(), &["commit", "-q", "--allow-empty", "-m", "first"]);
    for tag in tags {
        git(dir.path(), &["tag", tag]);
    }
    let out = Command::new("bash").arg(script).args(prefix).current_dir(dir.path()).output().expect("bash");
    assert!(out.status.success(), "{tags:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn the_version_script_bumps_the_newest_semver_tag() {
    let repo = Repo::new(&variants().remove(0));
    let script = repo.out().join("scripts/next-version.sh");
    assert_eq!(next_version(&script, &[], None), "0.0.1");
    assert_eq!(next_version(&script, &["v0.0.9"], None), "0.0.10");
    assert_eq!(next_version(&script, &["v0.0.9", "v0.0.10"], None), "0.0.11", "newest by number, not by text");
    assert_eq!(next_version(&script, &["v1.2.3", "v0.9.9"], None), "1.2.4");
    let not_semver = ["latest", "v1.2", "release-3.0.0", "v01.0.0", "v1.0.0-rc.1", "v2.0.0+build", "1.0.0", "vv1.0.0"];
    assert_eq!(next_version(&script, &not_semver, None), "0.0.1", "tags that are not semver are ignored");
    assert_eq!(next_version(&script, &[&not_semver[..], &["v0.3.0"]].concat(), None), "0.3.1");
    // A service of several has its own line of tags.
    let tags = ["v5.0.0", "notes/v0.1.4", "users/v2.0.0", "notes-v9.9.9"];
    assert_eq!(next_version(&script, &tags, Some("notes/v")), "0.1.5");
    assert_eq!(next_version(&script, &tags, Some("users/v")), "2.0.1");
    assert_eq!(next_version(&script, &tags, Some("other/v")), "0.0.1");

    let out = validator("shellcheck").arg(&script).output().expect("shellcheck");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn spec_values_reach_the_workflows_as_inert_literals() {
    // A branch name has no space (git refuses one) and no `${{` (the spec refuses one: GitHub
    // matches trigger filters as written, actionlint reads them as expressions).
    let branch = "rel{{secrets.LEAK}}'\"$(touch;pwned)`id`";
    // A GitHub environment's name has no `'`, `"`, `` ` ``, `,`, `;` or `\` (GitHub refuses
    // them, and so does the spec: SPEC146), but may hold an expression and a command.
    let environment = "prod ${{ secrets.LEAK }} $(touch pwned) | id & {{id}}";
    let spec = edited(
        spec_text("tests/fixtures/specs/terraform.yaml"),
        &[
            ("branch: release", &format!("branch: {}", serde_json::to_string(branch).unwrap())),
            ("environment: production", &format!("environment: {}", serde_json::to_string(environment).unwrap())),
        ],
    ) + &format!(
        "pipeline:\n  notify: {{email: [{}]}}\n  gen: {{install: source, repository: {}}}\n",
        serde_json::to_string("a'\"$(id)${{github.token}}@example.org").unwrap(),
        serde_json::to_string("https://example.org/${{github.token}}'\"$(id)").unwrap()
    );
    let v = Variant {
        name: "hostile",
        spec,
        spec_at: "spec.yaml",
        out: "o'ut {{ secrets.LEAK }} $(id)",
        files: Vec::new(),
    };
    let repo = Repo::new(&v);
    // GitHub reads `${{ '${{' }}` as the two characters `${{`.
    let evaluated = |s: &str| s.replace("${{ '${{' }}", "${{");
    let mut literals = BTreeSet::new();
    for file in repo.workflows() {
        let wf = read_workflow(&file);
        // GitHub evaluates expressions in values, not in comments, and not in `on:` (trigger
        // filters are matched as written).
        let text = std::fs::read_to_string(&file).expect("read");
        let evaluated_part: String = text
            .lines()
            .skip_while(|l| !l.starts_with("on:"))
            .skip(1)
            .skip_while(|l| l.is_empty() || l.starts_with(' '))
            .filter(|l| !l.trim_start().starts_with('#'))
            .collect::<Vec<_>>()
            .join("\n");
        for expression in ["${{ secrets.LEAK", "${{secrets.LEAK", "${{github.token"] {
            assert!(!evaluated_part.contains(expression), "{}: an expression from the spec:\n{text}", file.display());
        }
        if wf["on"].get("push").is_some() {
            let branches = &wf["on"]["push"]["branches"];
            assert_eq!(branches[0].as_str().map(unglob).as_deref(), Some(branch), "{}", file.display());
        }
        for (id, job) in jobs(&wf) {
            for step in steps(job) {
                if let Some(run) = step["run"].as_str() {
                    for hostile in ["LEAK", "touch pwned", "$(id)", "o'ut", "example.org"] {
                        assert!(!run.contains(hostile), "{}: job {id} runs a spec value: {run}", file.display());
                    }
                }
            }
        }
        let mut strings = Vec::new();
        collect_strings(&wf, &mut strings);
        literals.extend(strings.iter().map(|s| evaluated(s)));
    }
    for expected in [
        branch.to_string(),
        environment.to_string(),
        "a'\"$(id)${{github.token}}@example.org".to_string(),
        "https://example.org/${{github.token}}'\"$(id)".to_string(),
        v.out.to_string(),
    ] {
        let found = literals.iter().any(|l| l == &expected || l.starts_with(&format!("{expected}/")));
        assert!(found, "`{expected}` does not reach the workflows as the literal it is; they hold {literals:#?}");
    }
    let home = common::validators();
    let out = validator("actionlint")
        .arg("-shellcheck")
        .arg(home.join("venv/bin/shellcheck"))
        .args(repo.workflows())
        .current_dir(repo.root())
        .output()
        .expect("actionlint");
    assert!(out.status.success(), "actionlint:\n{}", String::from_utf8_lossy(&out.stdout));
}

/// A trigger filter's text as the literal it matches.
fn unglob(s: &str) -> String {
    let mut out = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        out.push(if c == '\\' { chars.next().unwrap_or(c) } else { c });
    }
    out
}

fn collect_strings(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::String(s) => out.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(i, out)),
        Value::Object(map) => map.iter().for_each(|(k, v)| {
            out.push(k.clone());
            collect_strings(v, out)
        }),
        _ => {}
    }
}

#[test]
fn a_branch_git_or_github_would_misread_is_refused_at_its_line() {
    for branch in ["feat ure", "a..b", "x.lock", "-x", "rel${{ github.token }}"] {
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = edited(
            spec_text("spec.yaml"),
            &[("branch: main", &format!("branch: {}", serde_json::to_string(branch).unwrap()))],
        );
        std::fs::write(dir.path().join("spec.yaml"), spec).expect("write");
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 2, "{branch}: {}", run.stderr);
        assert!(run.stderr.contains("spec.yaml:31:13"), "{branch}: {}", run.stderr);
        assert!(!dir.path().join("out").exists(), "{branch}: nothing is written");
    }
}

#[test]
fn a_spec_reached_through_a_symbolic_link_is_placed_as_its_real_path() {
    let base = tempfile::tempdir().expect("tempdir");
    let real = base.path().join("real/repo");
    std::fs::create_dir_all(real.join("deploy")).expect("mkdir");
    git(&real, &["init", "-q"]);
    std::fs::write(real.join("deploy/spec.yaml"), spec_text("tests/fixtures/specs/gitops.yaml")).expect("spec");
    let link = base.path().join("link");
    std::os::unix::fs::symlink(&real, &link).expect("symlink");
    // The spec by its linked absolute path, the output relative to the (resolved) working folder.
    let run = Gen::new()
        .arg("render")
        .arg(link.join("deploy/spec.yaml"))
        .args(["--out", "deploy/out"])
        .current_dir(&link)
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("gen: note: "), "{}", run.stderr);
    let gen_yml = read_yaml(&real.join(".github/workflows/gen.yml"));
    assert_eq!(gen_yml["env"]["SPEC"], "deploy/spec.yaml");
    assert_eq!(gen_yml["env"]["OUT"], "deploy/out");
    // What a fresh clone computes: no drift.
    let check = Gen::new().args(["render", "deploy/spec.yaml", "--check"]).current_dir(&real).run();
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
}

#[test]
fn a_render_says_what_it_assumed_without_a_repository() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), spec_text("spec.yaml")).expect("spec");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("gen: note: no git repository above spec.yaml"), "{}", run.stderr);
    let elsewhere = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    let run = Gen::new().args(["render", "spec.yaml", "--out"]).arg(elsewhere.path()).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("gen: note: the output folder is outside"), "{}", run.stderr);
    let again = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert!(!again.stderr.contains("gen: note: "), "{}", again.stderr);
}

/// Every deploy job of every variant that deploys with Helm: (variant, job name, job).
fn helm_deploys(f: &mut dyn FnMut(&str, &str, &Value)) {
    let mut seen = 0;
    for v in variants() {
        let repo = Repo::new(&v);
        for path in repo.workflows() {
            let wf = read_workflow(&path);
            for (name, job) in jobs(&wf) {
                if steps(job).iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("helm upgrade --install"))) {
                    f(&repo.name, name, job);
                    seen += 1;
                }
            }
        }
    }
    assert!(seen >= 4, "only {seen} Helm deploy jobs");
}

#[test]
fn the_deploy_job_runs_a_helm_whose_wait_stays_in_the_namespace() {
    // Helm 4.0.0's --wait listed at cluster scope, which the namespaced deploy Role refuses;
    // 4.0.5 watches per namespace (helm/helm PR #31610, in the v4.0.5 release notes).
    helm_deploys(&mut |variant, name, job| {
        let setup = steps(job)
            .into_iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("azure/setup-helm@")))
            .unwrap_or_else(|| panic!("{variant} {name}: no setup-helm"));
        assert_eq!(setup["with"]["version"], "v4.0.5", "{variant} {name}");
    });
}

#[test]
fn helm_keeps_its_release_records_in_config_maps_and_the_role_reads_no_secret() {
    helm_deploys(&mut |variant, name, job| {
        let upgrade = steps(job)
            .into_iter()
            .find(|s| s["run"].as_str().is_some_and(|r| r.contains("helm upgrade --install")))
            .expect("the upgrade");
        assert_eq!(upgrade["env"]["HELM_DRIVER"], "configmap", "{variant} {name}");
    });
    // The Role the deploy identity holds in each namespace: config maps, no secrets.
    let repo = Repo::new(&variants().remove(0));
    let main = std::fs::read_to_string(repo.out().join("terraform/cluster/main.tf")).expect("cluster/main.tf");
    let rules = main.lines().find(|l| l.contains("resources = [\"configmaps\"")).expect("the core rule");
    assert!(!rules.contains("\"secrets\""), "{rules}");
    let readme = repo.readme();
    assert!(!readme.contains("Helm's release Secrets"), "{readme}");
    // A person's helm command on such a release names the driver, or finds no release.
    assert!(readme.contains("`HELM_DRIVER=configmap helm history`"), "{readme}");
    // A record a cancelled deploy left pending is one of those ConfigMaps, by its labels.
    assert!(readme.contains("delete configmap -l owner=helm,name=SERVICE,status=pending-upgrade"), "{readme}");
    let notes = std::fs::read_to_string(repo.out().join("chart/templates/NOTES.txt")).expect("NOTES");
    assert!(notes.contains("`HELM_DRIVER=configmap helm test "), "{notes}");
}

#[test]
fn the_image_scan_is_uploaded_only_where_code_scanning_takes_it_and_its_gate_always_runs() {
    let mut seen = 0;
    for v in variants() {
        let repo = Repo::new(&v);
        for path in repo.workflows() {
            let wf = read_workflow(&path);
            for (name, job) in jobs(&wf) {
                let steps = steps(job);
                let Some(upload) = steps
                    .iter()
                    .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif@")))
                else {
                    continue;
                };
                seen += 1;
                let condition = upload["if"].as_str().expect("a condition");
                for expected in ["github.event.repository.visibility == 'public'", "vars.CODE_SCANNING == 'true'"] {
                    assert!(condition.contains(expected), "{} {name}: {condition}", repo.name);
                }
                // The gate that fails the build on the spec's severities runs unconditionally.
                let gate = steps
                    .iter()
                    .find(|s| s["with"]["exit-code"] == "1" && s["uses"].as_str().is_some_and(|u| u.contains("trivy")))
                    .unwrap_or_else(|| panic!("{} {name}: no gate", repo.name));
                assert!(gate.get("if").is_none(), "{} {name}: {gate}", repo.name);
                // The variable is a declared prerequisite of the README (the closure check, DEP009).
                let readme = repo.readme();
                assert!(readme.contains("- GitHub variable `CODE_SCANNING`"), "{}", repo.name);
            }
        }
    }
    assert!(seen >= 3, "only {seen} uploads");
}

/// Runs the workflow's own "Next version" step, as the runner would, in a git repository with
/// these tags (the repository the workflow is in: its scripts are there): the version it
/// writes to `$GITHUB_OUTPUT`, and the tag prefix the release would get.
fn next_release(repo: &Repo, service: &str, tags: &[&str]) -> (String, String) {
    let wf = read_workflow(&repo.out().join(format!(".github/workflows/{service}.yml")));
    let step = steps(&wf["jobs"]["build"])
        .into_iter()
        .find(|s| s["name"] == "Next version")
        .cloned()
        .expect("a Next version step");
    let root = repo.root();
    git(root, &["init", "-q"]);
    git(root, &["commit", "-q", "--allow-empty", "-m", "first"]);
    for tag in tags {
        git(root, &["tag", tag]);
    }
    let output = root.join("github-output");
    std::fs::write(&output, "").expect("write");
    let mut run = Command::new("bash");
    run.args(["-e", "-c", step["run"].as_str().expect("run")]).current_dir(root).env("GITHUB_OUTPUT", &output);
    for (key, value) in wf["env"].as_object().into_iter().flatten().chain(step["env"].as_object().into_iter().flatten())
    {
        run.env(key, value.as_str().expect("a string"));
    }
    let out = run.output().expect("bash");
    assert!(out.status.success(), "{}: {}", repo.name, String::from_utf8_lossy(&out.stderr));
    for tag in tags {
        git(root, &["tag", "-d", tag]);
    }
    let written = std::fs::read_to_string(&output).expect("read");
    let version = written.trim().strip_prefix("version=").expect("version=").to_string();
    (wf["env"]["TAG_PREFIX"].as_str().expect("TAG_PREFIX").to_string(), version)
}

#[test]
fn adding_a_service_leaves_the_first_ones_tags_and_versions_as_they_were() {
    let reference = spec_text("spec.yaml");
    let second = "  - name: cart\n    blueprint: flask\n    port: 5000\n    ingress: {host: cart.example.com, path: /, tls: true}\n\n# The GitHub workflow";
    let variant = |name, spec| Variant { name, spec, spec_at: "spec.yaml", out: ".", files: Vec::new() };
    let one = Repo::new(&variant("one service", reference.clone()));
    let two = Repo::new(&variant("two services", edited(reference.clone(), &[("\n# The GitHub workflow", second)])));
    // The first service's releases so far, and another line of tags beside them.
    let tags = ["shop/v0.1.0", "shop/v0.1.1", "cart-v7.0.0", "v9.9.9"];
    assert_eq!(next_release(&one, "shop", &tags), ("shop/v".into(), "0.1.2".into()));
    assert_eq!(
        next_release(&two, "shop", &tags),
        ("shop/v".into(), "0.1.2".into()),
        "the second service moved the first's"
    );
    assert_eq!(next_release(&two, "cart", &tags), ("cart/v".into(), "0.0.1".into()));
    // A prefix changed on purpose continues the sequence of the old one, and of no other.
    let renamed = edited(
        reference.clone(),
        &[(
            "    params: {pythonVersion: \"3.12\", workers: 2, timeout: 30}\n",
            "    params: {pythonVersion: \"3.12\", workers: 2, timeout: 30}\n    release: {tagPrefix: shop-v, formerTagPrefixes: [shop/v]}\n",
        )],
    );
    let renamed = Repo::new(&variant("renamed prefix", renamed));
    assert_eq!(next_release(&renamed, "shop", &tags), ("shop-v".into(), "0.1.2".into()));
    assert_eq!(next_release(&renamed, "shop", &["shop/v0.1.1", "shop-v0.1.2"]), ("shop-v".into(), "0.1.3".into()));
}

/// Runs the rendered refresh workflow's lookup step in the repository, as the runner would, with
/// a `docker` on the PATH that answers `answer` for every image (a failure when `None`).
/// Returns the step's exit status, its outputs and the list of what moved.
fn refresh_lookup(repo: &Repo, answer: Option<&str>) -> (bool, String, String) {
    let wf = read_yaml(&repo.root().join(".github/workflows/gen-refresh.yml"));
    let step =
        steps(&wf["jobs"]["base-images"]).into_iter().find(|s| s["id"] == "lookup").expect("the lookup step").clone();
    let bin = tempfile::tempdir().expect("tempdir");
    let docker = match answer {
        Some(digest) => format!(
            "#!/bin/sh\n[ \"$1 $2 $3\" = 'buildx imagetools inspect' ] || exit 9\necho '{{\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"digest\":\"{digest}\",\"size\":10}}'\n"
        ),
        None => "#!/bin/sh\necho 'ERROR: failed to authorize: 429 Too Many Requests' >&2\nexit 1\n".to_string(),
    };
    let fake = bin.path().join("docker");
    std::fs::write(&fake, docker).expect("write docker");
    Command::new("chmod").arg("+x").arg(&fake).status().expect("chmod");
    let temp = tempfile::tempdir().expect("tempdir");
    let output = temp.path().join("output");
    let mut run = Command::new("bash");
    run.args(["-e", "-c", step["run"].as_str().expect("run")]).current_dir(repo.root());
    for scope in [&wf["env"], &step["env"]] {
        for (k, v) in scope.as_object().expect("env") {
            run.env(k, v.as_str().expect("string"));
        }
    }
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    run.env("PATH", path)
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", temp.path().join("summary"));
    let status = run.status().expect("bash").success();
    let read = |p: PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    (status, read(output), read(temp.path().join("moved.md")))
}

#[test]
fn the_refresh_workflow_moves_a_pinned_base_image_in_the_spec_and_renders_again() {
    let variant = variants().into_iter().find(|v| v.name == "gitops").expect("gitops variant");
    let old = "sha256:7f1a4b4a5c5bb0fa3b4c9bbdb53a0d3b9a4ef2d4e1d0d8b0f1e9f9cf6b2e1a3c";
    assert!(variant.spec.contains(old), "the variant pins its base image");
    let repo = Repo::new(&variant);
    let spec = repo.root().join(variant.spec_at);
    let written = std::fs::read_to_string(&spec).expect("spec");

    // The registry is unreachable: the step fails and the spec is as it was.
    let (ok, outputs, _) = refresh_lookup(&repo, None);
    assert!(!ok, "a failed lookup fails the job");
    assert!(!outputs.contains("moved=true"));
    assert_eq!(std::fs::read_to_string(&spec).expect("spec"), written);

    // The service `notes` follows its tag: every run proposes its first pin, after its name.
    let notes = "  - name: notes\n";
    let first_pin = |digest: &str| format!("{notes}    params: {{baseImageDigest: \"{digest}\"}}\n");
    let pin_line =
        |digest: &str| format!("- `notes`: `python:3.12-slim-trixie` pinned at `{digest}` (it followed the tag)\n");

    // The tag still points to the pinned digest: `users` does not move.
    let (ok, outputs, moved) = refresh_lookup(&repo, Some(old));
    assert!(ok && outputs.contains("moved=true"), "{outputs}{moved}");
    assert_eq!(moved, pin_line(old));
    assert_eq!(std::fs::read_to_string(&spec).expect("spec"), written.replace(notes, &first_pin(old)));
    std::fs::write(&spec, &written).expect("the spec as it was");

    // The tag moved: the spec gets the new digest where it said the old one, every other byte
    // kept (comments, order, quoting), and the later steps run.
    let new = format!("sha256:{}", "0123456789abcdef".repeat(4));
    let (ok, outputs, moved) = refresh_lookup(&repo, Some(&new));
    assert!(ok, "{moved}");
    assert!(outputs.contains("moved=true"), "{outputs}");
    assert_eq!(moved, format!("{}- `python:3.13-slim-trixie`: `{old}` to `{new}`\n", pin_line(&new)));
    assert_eq!(
        std::fs::read_to_string(&spec).expect("spec"),
        written.replace(old, &new).replace(notes, &first_pin(&new))
    );

    // What the workflow's next step runs: gen renders the Dockerfile again, and the result is
    // what the drift check expects. No workflow changes: the job's token may not push one.
    let workflows: Vec<(PathBuf, Vec<u8>)> =
        repo.workflows().into_iter().map(|f| (f.clone(), std::fs::read(&f).expect("read"))).collect();
    let run = Gen::new().args(["render", variant.spec_at, "--out", variant.out]).current_dir(repo.root()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (file, before) in &workflows {
        assert!(std::fs::read(file).expect("read") == *before, "{} changed", file.display());
    }
    let dockerfile = std::fs::read_to_string(repo.out().join("services/users/Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains(&format!("FROM python:3.13-slim-trixie@{new} AS builder")), "{dockerfile}");
    assert!(!dockerfile.contains(old));
    let check =
        Gen::new().args(["render", variant.spec_at, "--out", variant.out, "--check"]).current_dir(repo.root()).run();
    assert_eq!(check.code, 0, "{}", check.stderr);

    let out = validator("shellcheck").arg(repo.out().join("scripts/refresh-base-images.sh")).output().expect("sc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn the_refresh_workflow_proposes_the_first_pin_of_each_base_image_that_follows_its_tag() {
    // Two flask services, neither pinned: gen reads no network, so the weekly refresh pins them.
    let variant = variants().into_iter().find(|v| v.name == "environment").expect("environment variant");
    assert!(!variant.spec.contains("baseImageDigest"), "the variant pins no base image");
    let repo = Repo::new(&variant);
    let spec = repo.root().join(variant.spec_at);
    let written = std::fs::read_to_string(&spec).expect("spec");
    let lint = common::lint_json(&spec);
    assert_eq!(lint.codes(), ["SPEC165", "SPEC165"], "each unpinned service is noted");

    // The registry is unreachable: the step fails and the spec is as it was.
    let (ok, outputs, _) = refresh_lookup(&repo, None);
    assert!(!ok, "a failed lookup fails the job");
    assert!(!outputs.contains("moved=true"));
    assert_eq!(std::fs::read_to_string(&spec).expect("spec"), written);

    // The tags' digest: each service's params get it, every other line kept.
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    let (ok, outputs, moved) = refresh_lookup(&repo, Some(&digest));
    assert!(ok, "{moved}");
    assert!(outputs.contains("moved=true"), "{outputs}");
    let pinned = std::fs::read_to_string(&spec).expect("spec");
    for service in ["notes", "users"] {
        assert!(moved.contains(&format!("- `{service}`: `python:")), "{moved}");
    }
    let added: Vec<&str> = pinned.lines().filter(|l| !written.lines().any(|w| w == *l)).collect();
    assert_eq!(added.len(), 2, "one line per service: {added:?}");
    assert!(added.iter().all(|l| l.contains(&format!("baseImageDigest: \"{digest}\""))), "{added:?}");
    // Neither service had params: each gets them after its name, and no line is lost.
    assert!(written.lines().all(|w| pinned.lines().any(|p| p == w)), "{pinned}");
    assert!(pinned.contains(&format!("  - name: notes\n    params: {{baseImageDigest: \"{digest}\"}}\n")), "{pinned}");

    // The next step renders again: both Dockerfiles pin it, no workflow changes (the job's
    // token may not push one), nothing else is noted, and the drift check passes on the
    // result. Run once more, the step finds nothing left to pin.
    let workflows: Vec<(PathBuf, Vec<u8>)> =
        repo.workflows().into_iter().map(|f| (f.clone(), std::fs::read(&f).expect("read"))).collect();
    let run = Gen::new().args(["render", variant.spec_at, "--out", variant.out]).current_dir(repo.root()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    for (file, before) in &workflows {
        assert!(std::fs::read(file).expect("read") == *before, "{} changed", file.display());
    }
    for service in ["notes", "users"] {
        let dockerfile =
            std::fs::read_to_string(repo.out().join(format!("services/{service}/Dockerfile"))).expect("Dockerfile");
        assert!(dockerfile.contains(&format!("-slim-trixie@{digest} AS builder")), "{dockerfile}");
    }
    assert_eq!(common::lint_json(&spec).codes(), Vec::<String>::new());
    let check =
        Gen::new().args(["render", variant.spec_at, "--out", variant.out, "--check"]).current_dir(repo.root()).run();
    assert_eq!(check.code, 0, "{}", check.stderr);
    let (ok, outputs, moved) = refresh_lookup(&repo, Some(&digest));
    assert!(ok && moved.is_empty() && !outputs.contains("moved=true"), "{outputs}{moved}");

    let out = validator("shellcheck").arg(repo.out().join("scripts/refresh-base-images.sh")).output().expect("sc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// A job's `needs`, as a list whether it is written as one name or several.
fn needs(job: &Value) -> Vec<String> {
    match &job["needs"] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a.iter().filter_map(|n| n.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

#[test]
fn the_digest_built_is_the_one_scanned_signed_verified_and_deployed() {
    let mut deploys = 0;
    for v in variants() {
        let repo = Repo::new(&v);
        let Some(branch) = read_yaml(&repo.root().join(".github/workflows/gen.yml"))["on"]["push"]["branches"][0]
            .as_str()
            .map(str::to_string)
        else {
            continue;
        };
        for file in repo.workflows() {
            let name = file.file_name().and_then(|n| n.to_str()).expect("name").to_string();
            let wf = read_workflow(&file);
            // The services' pipelines: those with a job that builds the image.
            let Some(build) = wf["jobs"].get("build") else { continue };
            if wf["jobs"].get("verify").is_none() {
                continue; // a pipeline that deploys nothing from GitHub (local only)
            }
            let shown = format!("{}: {name}", v.name);
            let build_steps = steps(build);
            // The push builds by digest, with provenance and an SBOM attached, once.
            let pushes: Vec<&&Value> = build_steps
                .iter()
                .filter(|s| s["with"]["outputs"].as_str().is_some_and(|o| o.contains("push=true")))
                .collect();
            assert_eq!(pushes.len(), 1, "{shown}: one push");
            let push = pushes[0];
            assert_eq!(push["id"], "build", "{shown}");
            assert!(push["with"]["outputs"].as_str().unwrap().contains("push-by-digest=true"), "{shown}");
            assert_eq!(push["with"]["provenance"], "mode=max", "{shown}");
            assert_eq!(push["with"]["sbom"], "true", "{shown}");
            assert_eq!(build["outputs"]["digest"], "${{ steps.build.outputs.digest }}", "{shown}");
            // The scan reads that digest.
            for scan in build_steps.iter().filter(|s| s["uses"].as_str().is_some_and(|u| u.contains("trivy-action"))) {
                assert_eq!(scan["with"]["image-ref"], "${{ steps.image.outputs.ref }}", "{shown}");
            }
            let image = build_steps.iter().find(|s| s["id"] == "image").expect("the image step");
            assert_eq!(image["env"]["DIGEST"], "${{ steps.build.outputs.digest }}", "{shown}");
            assert!(image["run"].as_str().unwrap().contains("ref=$IMAGE@$DIGEST"), "{shown}");
            // It is signed by digest.
            let sign = build_steps
                .iter()
                .find(|s| s["run"].as_str().is_some_and(|r| r.contains("cosign sign")))
                .unwrap_or_else(|| panic!("{shown}: a cosign sign step"));
            assert!(sign["run"].as_str().unwrap().contains("\"$IMAGE@$DIGEST\""), "{shown}");
            assert_eq!(sign["env"]["DIGEST"], "${{ steps.build.outputs.digest }}", "{shown}");
            // Verified as signed by the project's pipeline (the called workflow, which keyless
            // certificates name) on the branch, in this commit's run, for this service.
            let verify = &wf["jobs"]["verify"];
            assert_eq!(needs(verify), ["build"], "{shown}");
            let check = steps(verify).into_iter().find(|s| s["id"] == "verify").expect("verify step");
            let run = check["run"].as_str().unwrap();
            assert!(run.contains("cosign verify \"$IMAGE@$DIGEST\""), "{shown}: {run}");
            assert!(
                run.contains("--certificate-identity \"$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/$SIGNER\""),
                "{shown}"
            );
            assert!(run.contains("--certificate-github-workflow-sha \"$COMMIT\""), "{shown}");
            assert!(run.contains("--certificate-github-workflow-trigger push"), "{shown}");
            assert!(run.contains("-a \"service=$SERVICE\""), "{shown}: {run}");
            assert!(sign["run"].as_str().unwrap().contains("-a \"service=$SERVICE\""), "{shown}");
            assert_eq!(wf["env"]["SERVICE"], name.trim_end_matches(".yml"), "{shown}");
            // GitHub runs the workflow from the repository's root, whatever folder gen renders to.
            let signer = format!(".github/workflows/_pipeline.yml@refs/heads/{branch}");
            assert_eq!(check["env"]["SIGNER"], signer.as_str(), "{shown}");
            assert_eq!(check["env"]["DIGEST"], "${{ needs.build.outputs.digest }}", "{shown}");
            assert_eq!(verify["outputs"]["digest"], "${{ steps.verify.outputs.digest }}", "{shown}");
            // Every deploy waits for the verification and deploys its digest.
            for (job_name, job) in jobs(&wf) {
                let text = serde_json::to_string(job).unwrap();
                if !(text.contains("helm upgrade") || text.contains("Write the new tag")) {
                    continue;
                }
                deploys += 1;
                assert!(needs(job).contains(&"verify".to_string()), "{shown}: {job_name} waits for verify");
                let deploying: Vec<&Value> = steps(job)
                    .into_iter()
                    .filter(|s| {
                        s["run"].as_str().is_some_and(|r| {
                            r.contains("--set-string \"image.digest=$DIGEST\"")
                                || r.contains("\"  digest: \\\"$DIGEST\\\"\"")
                        })
                    })
                    .collect();
                assert!(!deploying.is_empty(), "{shown}: {job_name} deploys the digest");
                for step in deploying {
                    let digest =
                        if step["env"]["DIGEST"].is_null() { &job["env"]["DIGEST"] } else { &step["env"]["DIGEST"] };
                    assert_eq!(digest, "${{ needs.verify.outputs.digest }}", "{shown}: {job_name}");
                }
            }
        }
    }
    assert!(deploys >= 6, "the variants' deploy jobs were not all checked ({deploys})");
}

/// Runs the rendered gen-refresh script against a gen source with these tags, for a project at
/// `revision` whose spec says `spec`: what it printed (the release to move to), and the spec
/// after. `None` when the script failed.
fn refresh_gen(script: &Path, tags: &[&str], revision: &str, spec: &str) -> Option<(String, String)> {
    let source = tempfile::tempdir().expect("tempdir");
    git(source.path(), &["init", "-q"]);
    git(source.path(), &["commit", "-q", "--allow-empty", "-m", "gen"]);
    for tag in tags {
        git(source.path(), &["tag", tag]);
    }
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(project.path().join("spec.yaml"), spec).expect("write");
    let out = Command::new("bash")
        .arg(script)
        .arg("spec.yaml")
        .env("GEN_REPOSITORY", source.path())
        .env("GEN_REVISION", revision)
        .current_dir(project.path())
        .output()
        .expect("bash");
    let after = std::fs::read_to_string(project.path().join("spec.yaml")).expect("read");
    out.status.success().then(|| (String::from_utf8_lossy(&out.stdout).trim().to_string(), after))
}

/// Whether a job runs code that is not the pinned actions': gen, its install, or a script.
fn runs_code(job: &Value) -> bool {
    steps(job).iter().filter_map(|s| s["run"].as_str()).flat_map(str::lines).map(str::trim_start).any(|l| {
        l.starts_with("gen ")
            || l.starts_with("cargo install")
            || l.contains("pip\" install")
            || l.starts_with("bash ")
            || l.contains("$(bash ")
    })
}

#[test]
fn a_refresh_holds_no_secret_and_its_pull_requests_start_no_workflow() {
    let variant = variants().into_iter().find(|v| v.name == "gitops").expect("gitops variant");
    let repo = Repo::new(&variant);
    let file = repo.root().join(".github/workflows/gen-refresh.yml");
    let text = std::fs::read_to_string(&file).expect("read");
    // No job of it holds a secret: not the ones that run gen's code, not the ones that push.
    assert!(!text.contains("secrets."), "gen-refresh.yml names a secret");
    let wf = read_yaml(&file);
    let (mut renders, mut proposes) = (0, 0);
    for (name, job) in jobs(&wf) {
        if runs_code(job) {
            renders += 1;
            // Code from gen's source runs here: a read-only token.
            assert_eq!(job["permissions"], serde_json::json!({"contents": "read"}), "{name}");
        }
        if job["permissions"]["contents"] == "write" {
            proposes += 1;
            assert!(!runs_code(job), "{name} can push and runs code");
            assert_eq!(needs(job).len(), 1, "{name} proposes what one render job uploaded");
            // The workflow's own token opens the pull request: GitHub starts no workflow for
            // it, so nothing it changes runs with the repository's secrets before a review.
            let opens: Vec<&Value> = steps(job)
                .into_iter()
                .filter(|s| s["uses"].as_str().is_some_and(|u| u.contains("create-pull-request")))
                .collect();
            assert_eq!(opens.len(), 1, "{name}");
            assert_eq!(opens[0]["with"]["token"], "${{ github.token }}", "{name}");
        }
    }
    assert_eq!((renders, proposes), (3, 2), "base images in two jobs, gen's release in three");
    // The README says what the refresh's token does, and that it starts no workflow.
    let readme = repo.readme();
    assert!(readme.contains("starts no workflow"), "{readme}");
    assert!(!readme.contains("pull requests and workflows"), "no token is asked for with workflow rights");
}

/// Runs the step of a refresh's proposing `job` that applies what the job before uploaded
/// (`patch`, handed over by the `gh` in `bin`), with the workflow's env, the release found
/// (`v0.2.0`) and the spec's revision (`v0.1.0`); `RUNNER_TEMP` is `temp`.
fn propose(repo: &Repo, job: &str, patch: &str, temp: &Path, bin: &Path) -> std::process::Output {
    propose_with(repo, job, patch, temp, bin, &[("NEWEST", "v0.2.0"), ("GEN_REVISION", "v0.1.0")])
}

/// `propose`, with the job's inputs (`NEWEST`, and with a wheel `LOCK`) given. gen's
/// proposal takes the lookup's change as its input `CHANGE`; the base images' downloads the
/// render job's artifact (the `gh` in `bin` hands `patch` over).
fn propose_with(
    repo: &Repo,
    job: &str,
    patch: &str,
    temp: &Path,
    bin: &Path,
    inputs: &[(&str, &str)],
) -> std::process::Output {
    let file = temp.join("uploaded.patch");
    std::fs::write(&file, patch).expect("write");
    let wf = read_yaml(&repo.root().join(".github/workflows/gen-refresh.yml"));
    let name = if job == "gen-propose" { "Apply the release's change" } else { "Apply the render's patch" };
    let step = steps(&wf["jobs"][job]).into_iter().find(|s| s["name"] == name).expect("step").clone();
    let mut run = Command::new("bash");
    run.args(["-e", "-o", "pipefail", "-c", step["run"].as_str().expect("run")])
        .current_dir(repo.root())
        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_OUTPUT", temp.join("output"))
        .env("PATCH", &file)
        .env("RUN_ID", "1")
        .env("RUN_URL", "https://github.com/acme/shop/actions/runs/1");
    if job == "gen-propose" {
        // As GitHub hands a multi-line output over: without its last line break.
        run.env("CHANGE", patch.strip_suffix('\n').unwrap_or(patch));
    } else {
        assert!(step["run"].as_str().is_some_and(|r| r.contains("gh run download")), "{job}");
    }
    for (k, v) in wf["env"].as_object().into_iter().flatten() {
        run.env(k, v.as_str().expect("string"));
    }
    run.envs(inputs.iter().copied()).output().expect("bash")
}

/// A `gh` for the proposing jobs: `gh run download` hands over the patch at `$PATCH`, and `gh
/// api` answers how many branches of the proposal exist (`$PROPOSED`, none by default).
fn fake_gh(bin: &Path) {
    let gh = bin.join("gh");
    std::fs::write(
        &gh,
        "#!/bin/sh\nif [ \"$1\" = api ]; then echo \"${PROPOSED:-0}\"; exit 0; fi\nwhile [ $# -gt 0 ]; do [ \"$1\" = --dir ] && d=$2; shift; done\nmkdir -p \"$d\" && cp \"$PATCH\" \"$d/change.patch\"\n",
    )
    .expect("write gh");
    Command::new("chmod").arg("+x").arg(&gh).status().expect("chmod");
}

#[test]
fn a_refresh_never_pushes_a_workflow_and_gens_release_moves_the_spec_alone() {
    let variant = variants().into_iter().find(|v| v.name == "gitops").expect("gitops variant");
    let repo = Repo::new(&variant);
    git(repo.root(), &["add", "--all"]);
    git(repo.root(), &["commit", "-q", "-m", "rendered"]);
    let spec = variant.spec_at;
    let workflow = ".github/workflows/gen.yml".to_string();
    let script = format!("{}/scripts/refresh-gen.sh", variant.out).trim_start_matches("./").to_string();
    let dockerfile = format!("{}/services/users/Dockerfile", variant.out).trim_start_matches("./").to_string();
    let edit = |rel: &str| {
        let path = repo.root().join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("{text}# changed\n")).expect("write");
    };
    let reset = || {
        git(repo.root(), &["reset", "-q", "--hard"]);
    };
    // The patch of each change, as a render job would upload it.
    let patch = |files: &[&str]| -> String {
        for f in files {
            edit(f);
        }
        let diff = git(repo.root(), &["diff", "--binary"]);
        reset();
        diff
    };

    // gen's lookup hands over the spec's change alone; the job that runs the release renders a
    // preview, and nothing it does reaches the proposal.
    let wf = read_yaml(&repo.root().join(".github/workflows/gen-refresh.yml"));
    assert_eq!(wf["jobs"]["gen-propose"]["needs"], "gen-release");
    // The job that runs the release comes after every job that proposes (its runtime token
    // could replace an artifact a proposal reads), and not when the release is proposed already.
    assert_eq!(wf["jobs"]["gen"]["needs"], serde_json::json!(["gen-release", "gen-propose", "base-images-propose"]));
    let when = wf["jobs"]["gen"]["if"].as_str().expect("a condition");
    assert!(
        when.starts_with("${{ !cancelled() && ") && when.contains("needs.gen-propose.outputs.proposed != 'true'"),
        "{when}"
    );
    assert!(wf["jobs"]["gen"]["outputs"].is_null(), "the render job hands nothing over");
    // No cache where gen is installed: an entry is one another run could have written.
    for file in [".github/workflows/gen.yml", ".github/workflows/gen-refresh.yml"] {
        let text = std::fs::read_to_string(repo.root().join(file)).expect("read");
        assert!(!text.contains("cache: pip") && text.contains("--no-cache-dir"), "{file}");
    }
    assert!(runs_code(&wf["jobs"]["gen-release"]) && !wf["jobs"]["gen-release"].to_string().contains("gen render"));
    // The jobs that push apply what was uploaded, and refuse what they must never push.
    let bin = tempfile::tempdir().expect("tempdir");
    fake_gh(bin.path());
    let cases: [(&str, Vec<&str>, Option<&str>); 5] = [
        // A line the release's render added to the spec: not the revision moved.
        ("gen-propose", vec![spec], Some("more of the spec than pipeline.gen.version")),
        ("gen-propose", vec![spec, workflow.as_str()], Some("more than the spec")),
        ("gen-propose", vec![spec, script.as_str()], Some("more than the spec")),
        ("base-images-propose", vec![spec, dockerfile.as_str()], None),
        ("base-images-propose", vec![spec, dockerfile.as_str(), workflow.as_str()], Some("under .github/")),
    ];
    for (job, files, refused) in cases {
        let temp = tempfile::tempdir().expect("tempdir");
        let out = propose(&repo, job, &patch(&files), temp.path(), bin.path());
        let stdout = String::from_utf8_lossy(&out.stdout);
        match refused {
            None => {
                assert!(out.status.success(), "{job} {files:?}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
                let staged = git(repo.root(), &["diff", "--cached", "--name-only"]);
                assert_eq!(staged.lines().collect::<BTreeSet<_>>(), files.iter().copied().collect(), "{job}");
            }
            Some(why) => {
                assert!(!out.status.success(), "{job} pushes {files:?}");
                assert!(stdout.contains(why), "{job} {files:?}: {stdout}");
            }
        }
        reset();
    }
}

/// A valid lock of gen-platform `version`, as the refresh's lookup writes it.
fn lock_of(version: &str) -> String {
    format!(
        "# gen's release\ngen-platform=={version} \\\n    --hash=sha256:{} \\\n    --hash=sha256:{}",
        "a".repeat(64),
        "b".repeat(64)
    )
}

/// How the spec installs gen: its gen block, the key that moves, the old and new value, the
/// proposing job's inputs.
type Mode<'a> = (&'a str, &'a str, &'a str, &'a str, &'a [(&'a str, &'a str)]);
/// A refresh's case: what it is, the spec after it, the job's inputs, why it is refused if it is.
type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, Option<&'a str>);

#[test]
fn gens_release_is_proposed_as_the_spec_line_moved_and_with_a_wheel_its_lock() {
    let bin = tempfile::tempdir().expect("tempdir");
    fake_gh(bin.path());
    let source_inputs = [("NEWEST", "v0.2.0"), ("GEN_REVISION", "v0.1.0")];
    let lock = lock_of("0.2.0");
    let wheel_inputs = [("NEWEST", "0.2.0"), ("LOCK", lock.as_str())];
    let modes: [Mode; 2] = [
        (
            "  gen:\n    install: source\n    revision: v0.1.0  # reviewed\n",
            "revision",
            "v0.1.0",
            "v0.2.0",
            &source_inputs,
        ),
        ("  gen:\n    version: 0.1.0  # reviewed\n", "version", "0.1.0", "0.2.0", &wheel_inputs),
    ];
    for (block, key, old, new, inputs) in modes {
        // gen's release ran in the job that made the patch: what is proposed is the spec's
        // line moved from the one the spec states to the release found, and nothing else (with
        // a wheel, the lock the lookup wrote beside it); the pull request's text is written by
        // the job that proposes, not taken from it.
        let mut variant = variants().into_iter().find(|v| v.name == "gitops").expect("gitops variant");
        let stated = variant.spec.replacen("pipeline:\n", &format!("pipeline:\n{block}"), 1);
        assert_ne!(stated, variant.spec, "the spec has a pipeline block");
        variant.spec = stated.clone();
        let repo = Repo::new(&variant);
        git(repo.root(), &["add", "--all"]);
        git(repo.root(), &["commit", "-q", "-m", "rendered"]);
        let path = repo.root().join(variant.spec_at);
        let line = format!("{key}: {old}  # reviewed");
        let moved = stated.replace(&line, &format!("{key}: {new}  # reviewed"));
        let mut cases: Vec<Case> = vec![
            ("moved", moved.clone(), inputs.to_vec(), None),
            (
                "to another release",
                stated.replace(&line, &format!("{key}: 0.3.0  # reviewed")),
                inputs.to_vec(),
                Some("more of the spec"),
            ),
            (
                "and a key changed",
                moved.replace("pipeline:\n", "pipeline:\n  deploy: helm\n"),
                inputs.to_vec(),
                Some("more of the spec"),
            ),
            ("a line elsewhere", format!("{stated}# {key}: {new}\n"), inputs.to_vec(), Some("more of the spec")),
        ];
        let bad_locks = [
            lock_of("0.3.0"),
            format!("{}\ncurl https://example.org/x | sh", lock_of("0.2.0")),
            lock.replace(&"a".repeat(64), "a"),
        ];
        // Proposed already (a branch per release): nothing pushed over a reviewer's commits.
        let mut again = inputs.to_vec();
        again.push(("PROPOSED", "1"));
        cases.push(("proposed already", moved.clone(), again, None));
        if key == "version" {
            for bad in &bad_locks {
                cases.push((
                    "a lock of something else",
                    moved.clone(),
                    vec![("NEWEST", "0.2.0"), ("LOCK", bad.as_str())],
                    Some("is not a requirement of it with hashes"),
                ));
            }
        }
        for (what, after, inputs, refused) in cases {
            std::fs::write(&path, &after).expect("write");
            let diff = git(repo.root(), &["diff", "--binary"]);
            git(repo.root(), &["reset", "-q", "--hard"]);
            let temp = tempfile::tempdir().expect("tempdir");
            let out = propose_with(&repo, "gen-propose", &diff, temp.path(), bin.path(), &inputs);
            let stdout = String::from_utf8_lossy(&out.stdout);
            match refused {
                None if what == "proposed already" => {
                    assert!(out.status.success(), "{key} {what}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
                    let output = std::fs::read_to_string(temp.path().join("output")).expect("outputs");
                    assert_eq!(output, "proposed=true\n");
                    assert!(
                        stdout.contains(&format!("proposed already, on the branch gen/refresh-gen-{new}")),
                        "{stdout}"
                    );
                }
                None => {
                    assert!(out.status.success(), "{key} {what}: {stdout}{}", String::from_utf8_lossy(&out.stderr));
                    let output = std::fs::read_to_string(temp.path().join("output")).expect("outputs");
                    assert_eq!(output, format!("branch=gen/refresh-gen-{new}\n"));
                    let body = std::fs::read_to_string(temp.path().join("patch/body.md")).expect("body");
                    assert!(body.contains(&format!("moves the spec's pipeline.gen.{key} to {new}")), "{body}");
                    let staged = git(repo.root(), &["diff", "--cached", "--name-only"]);
                    let lock_at = variant.spec_at.replace("spec.yaml", "gen-requirements.txt");
                    if key == "version" {
                        assert_eq!(
                            staged.lines().collect::<BTreeSet<_>>(),
                            BTreeSet::from([variant.spec_at, lock_at.as_str()])
                        );
                        let written = std::fs::read_to_string(repo.root().join(&lock_at)).expect("the lock");
                        assert_eq!(written, format!("{lock}\n"));
                        assert!(body.contains("pip install --require-hashes"), "{body}");
                    } else {
                        assert_eq!(staged.trim(), variant.spec_at);
                        assert!(body.contains("cargo install --locked"), "{body}");
                    }
                }
                Some(why) => {
                    assert!(!out.status.success(), "{key} {what} is proposed");
                    assert!(stdout.contains(why), "{key} {what}: {stdout}");
                }
            }
            git(repo.root(), &["reset", "-q", "--hard"]);
        }
    }
}

#[test]
fn the_refresh_workflow_moves_the_project_to_gens_newest_release() {
    let repo = Repo::new(&variants().remove(0));
    let script = repo.out().join("scripts/refresh-gen.sh");
    let tags = ["v0.1.0", "v0.2.0", "v0.10.0", "v0.9.9", "v1.0.0-rc.1", "latest", "v01.0.0", "other"];
    let block = "# gen's own\npipeline:\n  gen:\n    repository: https://example.org/gen\n    revision: v0.1.0  # reviewed\nservices: []\n";
    // The newest release by number (v0.10.0 above v0.9.9 and v0.2.0), pre-releases and other
    // tags ignored; the spec's revision moves, every other byte kept.
    let (newest, after) = refresh_gen(&script, &tags, "v0.1.0", block).expect("runs");
    assert_eq!(newest, "v0.10.0");
    assert_eq!(after, block.replace("revision: v0.1.0", "revision: v0.10.0"));
    // Quoted, in a flow mapping.
    let flow =
        "pipeline: {gen: {revision: \"v0.1.0\", repository: \"https://example.org/gen\"}}\nimage: {tag: v0.1.0}\n";
    let (_, after) = refresh_gen(&script, &tags, "v0.1.0", flow).expect("runs");
    assert_eq!(after, flow.replace("revision: \"v0.1.0\"", "revision: \"v0.10.0\""), "only the revision moves");
    // A key before it in the flow mapping.
    let before = "pipeline:\n  gen: {install: source, revision: v0.1.0}\n";
    let (_, after) = refresh_gen(&script, &tags, "v0.1.0", before).expect("runs");
    assert_eq!(after, before.replace("v0.1.0", "v0.10.0"));
    // JSON's quoted key.
    let json = "{\"pipeline\": {\"gen\": {\"revision\": \"v0.1.0\"}}}\n";
    let (_, after) = refresh_gen(&script, &tags, "v0.1.0", json).expect("runs");
    assert_eq!(after, json.replace("v0.1.0", "v0.10.0"));
    // Spaces and a comment after the value are kept.
    let spaced = "pipeline:\n  gen:\n    revision:  \"v0.1.0\"   # x\n";
    let (_, after) = refresh_gen(&script, &tags, "v0.1.0", spaced).expect("runs");
    assert_eq!(after, spaced.replace("v0.1.0", "v0.10.0"));
    // A `revision:` elsewhere (a service's env, a text) is not gen's: it is never moved.
    let elsewhere = "services:\n  - name: a\n    env: {revision: v0.1.0}\n    description: |\n      revision: v0.1.0\n  - name: b\n    env:\n      revision: v0.1.0\npipeline:\n  gen:\n    revision: v0.1.0\n";
    let (_, after) = refresh_gen(&script, &tags, "v0.1.0", elsewhere).expect("runs");
    assert_eq!(after, elsewhere.replace("  gen:\n    revision: v0.1.0", "  gen:\n    revision: v0.10.0"));
    let only_elsewhere = "services:\n  - name: a\n    env:\n      revision: v0.1.0\n";
    assert_eq!(refresh_gen(&script, &tags, "v0.1.0", only_elsewhere), Some(("v0.10.0".into(), only_elsewhere.into())));
    let json = "{\"env\":{\"revision\":\"v0.1.0\"},\"pipeline\":{\"gen\":{\"revision\":\"v0.1.0\"}}}\n";
    let (_, after) = refresh_gen(&script, &tags, "v0.1.0", json).expect("runs");
    assert_eq!(after, json.replace("\"gen\":{\"revision\":\"v0.1.0\"", "\"gen\":{\"revision\":\"v0.10.0\""));
    // A form the script does not follow (the value on the next line, an alias) stops the run.
    for unread in
        ["pipeline:\n  gen:\n    revision:\n      v0.1.0\n", "x: &r v0.1.0\npipeline:\n  gen: {revision: *r}\n"]
    {
        assert_eq!(refresh_gen(&script, &tags, "v0.1.0", unread), None, "{unread}");
    }
    // A spec that leaves the revision to gen keeps its text: the new gen renders its own.
    let default = "name: shop\nimage: {tag: v0.1.0}\n";
    assert_eq!(refresh_gen(&script, &tags, "v0.1.0", default), Some(("v0.10.0".into(), default.into())));
    // Nothing newer: nothing printed, nothing moved; never back to an older release.
    for revision in ["v0.10.0", "v0.11.0", "v2.0.0"] {
        assert_eq!(refresh_gen(&script, &tags, revision, block), Some((String::new(), block.into())), "{revision}");
    }
    // gen pinned by commit or branch is the user's to move.
    let sha = "0123456789abcdef0123456789abcdef01234567";
    assert_eq!(refresh_gen(&script, &tags, sha, block), Some((String::new(), block.into())));
    assert_eq!(refresh_gen(&script, &tags, "main", block), Some((String::new(), block.into())));
    // A source that cannot be read fails the run.
    let missing = Command::new("bash")
        .arg(&script)
        .arg("spec.yaml")
        .env("GEN_REPOSITORY", "/nonexistent/gen")
        .env("GEN_REVISION", "v0.1.0")
        .current_dir(repo.root())
        .output()
        .expect("bash");
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot be read"));

    let out = validator("shellcheck").arg(&script).output().expect("shellcheck");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

/// Helm's `--wait` does not wait on a route: the deploy job waits for the Gateway to accept
/// the service's HTTPRoute and resolve its backend, then for its public URL to answer, and
/// fails (red, with where to look) when it never does. Its time limit leaves room for a
/// failed upgrade's rollback, which Helm 4 gives the same 10 minutes.
#[test]
fn a_deploy_waits_for_its_route_and_its_public_url_and_outlives_a_rollback() {
    let repo = Repo::new(&variants().remove(0));
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.yml"));
    let (_, job) = jobs(&wf).into_iter().find(|(n, _)| n.as_str() == "deploy").expect("the deploy job");
    let minutes: u32 = job["timeout-minutes"].as_str().and_then(|m| m.parse().ok()).expect("timeout-minutes");
    assert!(minutes >= 30, "10 minutes of upgrade and 10 of rollback, then the route: {minutes}");
    let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
    let helm = names.iter().position(|n| *n == "helm upgrade").expect("helm upgrade");
    let route = names.iter().position(|n| *n == "The route is accepted and the service answers").expect("the wait");
    assert_eq!(route, helm + 1, "{names:?}");
    let step = steps(job)
        .into_iter()
        .find(|s| s["name"] == "The route is accepted and the service answers")
        .expect("the wait")
        .clone();
    assert_eq!(step["env"]["URL"], "https://shop.example.com/readyz");

    // Run it with a kubectl that prints the route `route` and a curl that answers `codes` in
    // turn.
    let run = |route: &Value, codes: &[&str]| {
        let (route, codes) = (route.to_string(), codes.join(" "));
        run_with_stubs(
            &step,
            &[("kubectl", "printf '%s' \"$STUB_ROUTE\""), ("curl", CURL_ANSWERING)],
            &[("STUB_ROUTE", &route), ("CODES", &codes)],
        )
    };
    // The route's status as Envoy Gateway leaves it after a move between Gateways: the old
    // parent's entry first, accepted; the host's own Gateway's, for this generation or the last.
    let route = |generation: u64| {
        let conditions = |observed: u64| {
            serde_json::json!([
                {"type": "Accepted", "status": "True", "observedGeneration": observed},
                {"type": "ResolvedRefs", "status": "True", "observedGeneration": observed}
            ])
        };
        serde_json::json!({
            "metadata": {"name": "shop", "generation": 3},
            "status": {"parents": [
                {"parentRef": {"name": "gen-gateway", "sectionName": "https-shop.example.com"}, "conditions": conditions(3)},
                {"parentRef": {"name": "shop.example.com", "sectionName": "https-shop.example.com"}, "conditions": conditions(generation)}
            ]}
        })
    };
    let (code, said, calls) = run(&route(3), &["000", "503", "200"]);
    assert_eq!(code, Some(0), "{said}");
    assert!(calls.contains("get --namespace shop httproute/shop --output json"), "{calls}");
    assert_eq!(calls.matches("curl").count(), 3, "{calls}");
    // The host's Gateway has not seen this generation: the old parent's status does not count.
    let (code, said, calls) = run(&route(2), &["200"]);
    assert_ne!(code, Some(0));
    assert!(said.contains("has not accepted the route"), "{calls}");
    assert!(!calls.contains("curl"), "{calls}");
    let (code, said, _) = run(&route(3), &["404"; 20]);
    assert_ne!(code, Some(0));
    assert!(said.contains("does not answer after 20 tries"));
    // Redirects are followed: one left at the end (a loop, or past five) is no answer.
    let (code, said, calls) = run(&route(3), &["301"; 20]);
    assert_ne!(code, Some(0));
    assert!(said.contains("(last status: 301)"), "{said}");
    assert!(calls.contains("--location --max-redirs 5"), "{calls}");
}

/// On EKS a route attaches to the Gateway the spec names (not its host's, as on AKS), and its
/// host's record is ExternalDNS's, written once the route is accepted: each deploy waits for the
/// route, then asks the zone's own name server for the host's address and requests the URL
/// there, as behind an Ingress.
#[test]
fn an_eks_deploy_waits_for_its_route_on_the_named_gateway_then_for_its_record() {
    const STEP: &str = "The route is accepted and the service answers";
    let repo = Repo::new(&variants().into_iter().find(|v| v.name == "eks-gateway").expect("variant"));
    let wf = read_workflow(&repo.root().join(".github/workflows/api.yml"));
    let mut checked = 0;
    for (id, job) in jobs(&wf) {
        let Some(step) = steps(job).into_iter().find(|s| s["name"] == STEP).cloned() else { continue };
        assert_eq!(step["env"]["GATEWAY"], "gen-gateway", "{id}");
        assert_eq!(step["env"]["ZONE"], "shop.example.com", "{id}");
        assert_eq!(step["timeout-minutes"], "25", "{id}");
        let url = step["env"]["URL"].as_str().expect("URL").to_string();
        let host = url.trim_start_matches("https://").split('/').next().expect("host").to_string();
        assert!(host.starts_with("api.") && host.ends_with(".shop.example.com"), "{id}: {host}");
        let route = serde_json::json!({
            "metadata": {"name": "api", "generation": 1},
            "status": {"parents": [{"parentRef": {"name": "gen-gateway", "sectionName": "https"}, "conditions": [
                {"type": "Accepted", "status": "True", "observedGeneration": 1},
                {"type": "ResolvedRefs", "status": "True", "observedGeneration": 1}
            ]}]}
        })
        .to_string();
        let run = |empty: &str, codes: &str| {
            run_with_stubs(
                &step,
                &[("kubectl", "printf '%s' \"$STUB_ROUTE\""), ("dig", DIG_ZONE), ("curl", CURL_ANSWERING)],
                &[("STUB_ROUTE", &route), ("HOST", &host), ("NO_SOA", ""), ("EMPTY", empty), ("CODES", codes)],
            )
        };
        // The record comes after two asks; the URL answers through the address it gives.
        let (code, said, calls) = run("2", "503 200");
        assert_eq!(code, Some(0), "{id}: {said}\n{calls}");
        assert_eq!(calls.matches(" A @ns-1.awsdns-01.org.").count(), 3, "{id}: {calls}");
        assert!(
            calls.contains(&format!("--resolve {host}:80:192.0.2.7 --resolve {host}:443:192.0.2.7 {url}")),
            "{calls}"
        );
        // No record after 40 asks: said, with where to look.
        let (code, said, calls) = run("40", "200");
        assert_eq!(code, Some(1), "{id}");
        assert!(said.contains("has no address for") && said.contains("external-dns"), "{id}: {said}");
        assert!(!calls.contains("curl"), "{id}: {calls}");
        checked += 1;
    }
    assert_eq!(checked, 3, "a deploy per environment");
}

/// GitOps on EKS: each promotion signs in as its environment's deploy role, waits until that
/// cluster's Argo CD reports the release synced and healthy, tags it as the release the
/// environment runs (ECR's lifecycle policy keeps it), then checks its route or load balancer.
#[test]
fn an_eks_gitops_promotion_waits_for_argo_cd_then_keeps_the_release_it_promoted() {
    const ARGO: &str = "Wait until Argo CD reports the release synced and healthy";
    let repo = Repo::new(&variants().into_iter().find(|v| v.name == "eks-gitops").expect("variant"));
    let wf = read_workflow(&repo.root().join(".github/workflows/api.yml"));
    let mut checked = Vec::new();
    for (id, job) in jobs(&wf) {
        let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
        let Some(argo) = names.iter().position(|n| *n == ARGO) else { continue };
        let login = names.iter().position(|n| n.starts_with("AWS credentials (deploy role of ")).expect("the sign-in");
        assert!(login < argo, "{id}: {names:?}");
        assert_eq!(
            &names[argo + 1..argo + 4],
            [
                "Log in to ECR (the deploy role tags the release it deployed)",
                "Keep the deployed release in the registry",
                "The route is accepted and the service answers"
            ],
            "{id}: {names:?}"
        );
        let tag =
            steps(job).into_iter().find(|s| s["name"] == "Keep the deployed release in the registry").expect("tag");
        checked.push(tag["env"]["TAG"].as_str().expect("TAG").to_string());
    }
    assert_eq!(checked, ["deployed-development", "deployed-test", "deployed-production"]);
}

/// A dig stub's body: the zone's SOA (none with `$NO_SOA`), then, from the name server it
/// names, no address for the host the first `$EMPTY` asks, then 192.0.2.7.
const DIG_ZONE: &str = "case \"$*\" in\n\
    \"-4 +time=2 +tries=2 +short $ZONE SOA\") [ -z \"$NO_SOA\" ] || exit 9\n\
    echo 'ns-1.awsdns-01.org. awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400' ;;\n\
    \"-4 +time=2 +tries=2 +short $HOST A @ns-1.awsdns-01.org.\") n=$(grep -c ' A @' \"$CALLS\")\n\
    [ \"$n\" -le \"$EMPTY\" ] || echo 192.0.2.7 ;;\n\
    *) exit 7 ;;\nesac";

/// A curl stub's body: each call answers the next of `$CODES` (space-separated) as its status.
const CURL_ANSWERING: &str = "n=$(grep -c '^curl' \"$CALLS\")\nprintf %s \"$(echo \"$CODES\" | cut -d' ' -f\"$n\")\"";

/// Runs a step's script as the runner does (bash, -e and pipefail, the step's env, and `envs`)
/// with a stub for each `(tool, body)` first on the PATH: each logs `tool ARGS` to `$CALLS`,
/// then runs its body; `sleep` returns at once. Its exit code, what it printed, and the calls.
fn run_with_stubs(step: &Value, stubs: &[(&str, &str)], envs: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let bin = tempfile::tempdir().expect("tempdir");
    let calls = bin.path().join("calls");
    for (tool, body) in stubs.iter().chain(&[("sleep", "exit 0")]) {
        let path = bin.path().join(tool);
        std::fs::write(&path, format!("#!/bin/bash\necho \"{tool} $*\" >> \"$CALLS\"\n{body}\n")).expect("stub");
        std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
    }
    let mut command = Command::new("bash");
    command
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"].as_str().expect("run")])
        .env("PATH", format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default()));
    for (k, v) in step["env"].as_object().into_iter().flatten() {
        command.env(k, v.as_str().expect("string"));
    }
    let out = command.envs(envs.iter().copied()).env("CALLS", &calls).output().expect("bash");
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code(), said, std::fs::read_to_string(&calls).unwrap_or_default())
}

/// Helm's `--wait` (and Argo CD's health) does not wait on an Ingress's load balancer nor its
/// DNS record (on AWS, external-dns writes it once the ALB exists, minutes after the release):
/// each deploy on EKS, and each promotion, waits for the zone's own name server to give the
/// host an address, then for the URL to answer through it, and fails with where to look when
/// either never comes. A resolver's cached "no such name" cannot keep it waiting: the address
/// is asked of the name server the zone's SOA names.
#[test]
fn a_deploy_behind_an_ingress_waits_for_its_load_balancer_and_its_public_url() {
    const STEP: &str = "The load balancer serves the host and the service answers";
    for name in ["aws", "eks-environments"] {
        let repo = Repo::new(&variants().into_iter().find(|v| v.name == name).expect("variant"));
        let mut checked = 0;
        for file in repo.workflows().into_iter().filter(|f| !f.to_string_lossy().ends_with("terraform.yml")) {
            let wf = read_workflow(&file);
            for (id, job) in jobs(&wf) {
                let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
                let Some(at) = names.iter().position(|n| *n == STEP) else { continue };
                let what = format!("{name}: {}: {id}", file.display());
                let before = names[at - 1];
                // Once the release runs (and, on AWS, is tagged as the one deployed).
                assert!(
                    ["helm upgrade", "Keep the deployed release in the registry"].contains(&before)
                        || before.starts_with("Wait until Argo CD"),
                    "{what}: {names:?}"
                );
                let step = steps(job).into_iter().find(|s| s["name"] == STEP).expect("the step").clone();
                let host = step["env"]["HOST"].as_str().expect("HOST").to_string();
                let url = step["env"]["URL"].as_str().expect("URL").to_string();
                assert!(url.starts_with(&format!("https://{host}/")), "{what}: {url}");
                let minutes: u32 = job["timeout-minutes"].as_str().and_then(|m| m.parse().ok()).expect("timeout");
                assert!(
                    minutes >= 45,
                    "{what}: the upgrade, its rollback and 20 minutes for the load balancer: {minutes}"
                );
                // dig answers the SOA, then no address `empty` times, then 192.0.2.7; curl
                // answers `codes` in turn; sleep returns at once.
                let run = |soa: bool, empty: usize, codes: &[&str]| {
                    let (empty, codes) = (empty.to_string(), codes.join(" "));
                    run_with_stubs(
                        &step,
                        &[("dig", DIG_ZONE), ("curl", CURL_ANSWERING)],
                        &[("NO_SOA", if soa { "" } else { "1" }), ("EMPTY", &empty), ("CODES", &codes)],
                    )
                };
                // The record comes after three asks; the URL answers on the third try, through
                // the address the name server gave, by the host's own name (its certificate).
                let (code, said, calls) = run(true, 3, &["000", "503", "200"]);
                assert_eq!(code, Some(0), "{what}: {said}\n{calls}");
                assert_eq!(calls.matches(" A @ns-1.awsdns-01.org.").count(), 4, "{what}: {calls}");
                // The zone's SOA first: the name server asked is the zone's own.
                let zone = step["env"]["ZONE"].as_str().expect("ZONE");
                assert!(host.ends_with(&format!(".{zone}")) || host == zone, "{what}: {host} in {zone}");
                assert!(calls.starts_with(&format!("dig -4 +time=2 +tries=2 +short {zone} SOA\n")), "{what}: {calls}");
                assert_eq!(step["timeout-minutes"], "25", "{what}: each ask, each try and the step are bounded");
                assert_eq!(calls.lines().filter(|l| l.starts_with("curl ")).count(), 3, "{what}: {calls}");
                assert!(
                    calls.contains(&format!(
                        "--location --max-redirs 5 --resolve {host}:80:192.0.2.7 --resolve {host}:443:192.0.2.7 {url}"
                    )),
                    "{what}: {calls}"
                );
                // No zone: said, before any wait.
                let (code, said, calls) = run(false, 0, &["200"]);
                assert_eq!(code, Some(1), "{what}");
                assert!(
                    said.contains(&format!("::error::The zone {zone} has no SOA through public DNS")),
                    "{what}: {said}"
                );
                assert!(!calls.contains("curl"), "{what}: {calls}");
                // No record after 40 asks: the load balancer or external-dns, said.
                let (code, said, calls) = run(true, 40, &["200"]);
                assert_eq!(code, Some(1), "{what}");
                assert!(
                    said.contains(&format!("has no address for {host}")) && said.contains("external-dns"),
                    "{what}: {said}"
                );
                assert!(!calls.contains("curl"), "{what}: {calls}");
                // The load balancer's 404 (no rule for the host) never counts as an answer.
                let (code, said, _) = run(true, 0, &["404"; 30]);
                assert_eq!(code, Some(1), "{what}");
                assert!(said.contains("does not answer there after 30 tries (last status: 404)"), "{what}: {said}");
                // Nor a redirect left unfollowed (an HTTP-only service behind a load balancer
                // that sends every request to HTTPS).
                let (code, said, _) = run(true, 0, &["301"; 30]);
                assert_eq!(code, Some(1), "{what}");
                assert!(said.contains("(last status: 301)"), "{what}: {said}");
                checked += 1;
            }
        }
        assert!(checked >= 2, "{name}: every deploy and rollback behind an Ingress waits ({checked})");
    }
    // Where the record is a person's (no `platform.aws.dns`, made once the first deploy made the
    // load balancer), the deploy does not wait for it.
    let mut own_dns = variants().into_iter().find(|v| v.name == "aws").expect("variant");
    assert!(own_dns.spec.contains("    dns: {zone: example.com}\n"));
    own_dns.spec = own_dns.spec.replace("    dns: {zone: example.com}\n", "");
    let repo = Repo::new(&own_dns);
    for file in repo.workflows() {
        let text = std::fs::read_to_string(&file).expect("workflow");
        assert!(!text.contains(STEP) && !text.contains("ingress-url"), "{}", file.display());
    }
}

#[test]
fn the_gitops_preflight_runs_in_each_environment_and_prints_a_gh_command_that_runs_nothing_else() {
    let spec = edited(
        spec_text("tests/fixtures/spec/SPEC146/fires-environment.yaml"),
        &[
            ("environment: \"prod\\nx\"", "environment: \"prod env $(touch pwned) a|b\""),
            (
                "    ingress: {host: test.shop.example.com}\n",
                "    ingress: {host: test.shop.example.com}\n    secretEnv: [SECRET_KEY]\n",
            ),
            ("  azure:\n", "  azure:\n    monitoring: {alertEmails: [ops@example.com]}\n"),
        ],
    ) + "pipeline:\n  deploy: gitops\n";
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), spec).expect("write");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let wf = read_workflow(&dir.path().join(".github/workflows/shop.yml"));
    // Each environment's preflight, in the job that runs in that GitHub environment.
    let preflights: Vec<(&str, &Value)> = jobs(&wf)
        .into_iter()
        .flat_map(|(_, job)| {
            let environment = job["environment"].as_str().or_else(|| job["environment"]["name"].as_str());
            steps(job).into_iter().map(move |s| (environment, s))
        })
        .filter(|(_, s)| s["name"] == "Preflight (Key Vault holds every secret)")
        .map(|(environment, s)| (environment.expect("the job's GitHub environment"), s))
        .collect();
    assert_eq!(
        preflights.iter().map(|(e, _)| *e).collect::<Vec<_>>(),
        ["test", "prod env $(touch pwned) a|b"],
        "a preflight per environment"
    );
    for (environment, step) in preflights {
        let shell = tempfile::tempdir().expect("tempdir");
        let mut bash = Command::new("bash");
        bash.args(["-c", step["run"].as_str().expect("run")]).current_dir(shell.path());
        for (key, value) in step["env"].as_object().into_iter().flatten() {
            bash.env(key, value.as_str().unwrap_or_default());
        }
        // No tenant id: the step fails, printing the command that sets it (a repository
        // variable: the environment's name, hostile here, is no part of it).
        let out = bash.env("TENANT_ID", "").output().expect("bash");
        let said = String::from_utf8_lossy(&out.stdout);
        let command = said
            .lines()
            .find_map(|l| l.strip_prefix("::error::The GitHub variable AZURE_TENANT_ID is empty: "))
            .unwrap_or_else(|| panic!("no message: {said}"));
        // The command as a user pastes it, with `gh` printing what it gets.
        let script = format!("gh() {{ printf '%s\\0' \"$@\"; }}\nterraform() {{ :; }}\n{command}\n");
        let pasted = Command::new("bash").args(["-c", &script]).current_dir(shell.path()).output().expect("bash");
        let args: Vec<String> =
            String::from_utf8_lossy(&pasted.stdout).split_terminator('\0').map(str::to_string).collect();
        assert_eq!(args[..3], ["variable", "set", "AZURE_TENANT_ID"], "{command}");
        assert!(!args.iter().any(|a| a.contains(environment)), "{command}: {args:?}");
        let leftovers: Vec<_> = std::fs::read_dir(shell.path()).expect("ls").flatten().map(|e| e.file_name()).collect();
        assert!(leftovers.is_empty(), "`{command}` ran something of the name: {leftovers:?}");
    }
}

/// The environments of a spec on its cloud (Azure or AWS), in the spec's order (one unnamed when
/// it lists none).
fn cloud_environments(spec: &Value) -> Vec<Option<String>> {
    match spec["environments"].as_array() {
        None => vec![None],
        Some(envs) => envs
            .iter()
            .filter(|e| e["platform"].get("local").is_none())
            .map(|e| Some(e["name"].as_str().expect("name").to_string()))
            .collect(),
    }
}

/// The lines of a step's script that run `terraform`, joined over continuations.
fn terraform_commands(step: &Value) -> Vec<String> {
    let run = step["run"].as_str().unwrap_or_default().replace("\\\n", " ");
    run.lines().map(str::trim).filter(|l| l.starts_with("terraform ")).map(str::to_string).collect()
}

#[test]
fn the_terraform_workflow_plans_applies_and_checks_drift_of_both_roots_in_promotion_order() {
    // The same jobs on both clouds; each signs in as its kind's identity (Azure) or role (AWS).
    for v in variants() {
        let repo = Repo::new(&v);
        let spec = read_yaml(&repo.root().join(v.spec_at));
        let mut envs = cloud_environments(&spec);
        let aws = on_aws(&v);
        // On AWS, an environment on the cluster of an earlier one is applied in that one's
        // workspace (its `guests`), with no job of its own.
        if aws {
            envs.retain(|e| {
                e.as_ref().is_none_or(|n| repo.out().join(format!("terraform/environments/{n}.tfvars")).is_file())
            });
        }
        let is_login = |s: &&&Value| {
            s["uses"].as_str().is_some_and(|u| {
                u.starts_with(if aws { "aws-actions/configure-aws-credentials@" } else { "azure/login@" })
            })
        };
        // The identity or role a job signs in as, by kind.
        let signs_in_as = |job: &Value, kind: &str, id: &str| {
            let steps = steps(job);
            let logins: Vec<&&Value> = steps.iter().filter(is_login).collect();
            // Once; on Azure again, as the same identity, before a wait after a long apply
            // (the CLI's token may have expired).
            let waits = steps.iter().any(|s| s["name"] == "Prometheus and Alertmanager run");
            assert_eq!(logins.len(), if waits && !aws { 2 } else { 1 }, "{}: {id} signs in once", repo.name);
            assert!(logins.iter().all(|l| l["with"] == logins[0]["with"]), "{}: {id}", repo.name);
            if aws {
                let role = logins[0]["with"]["role-to-assume"].as_str().expect("role-to-assume");
                assert!(
                    role.ends_with(&format!(
                        ":role/{}-terraform-{kind}",
                        spec["metadata"]["name"].as_str().expect("name")
                    )),
                    "{}: {id} assumes {role}",
                    repo.name
                );
                assert!(job["env"].get("ARM_CLIENT_ID").is_none(), "{}: {id}", repo.name);
            } else {
                let client = format!("${{{{ vars.AZURE_TERRAFORM_{}_CLIENT_ID }}}}", kind.to_uppercase());
                assert_eq!(job["env"]["ARM_CLIENT_ID"], client.as_str(), "{}: {id}", repo.name);
            }
        };
        let file = repo.root().join(".github/workflows/terraform.yml");
        let wf = read_workflow(&file);
        let job_id =
            |kind: &str, env: &Option<String>| env.as_ref().map_or(kind.to_string(), |e| format!("{kind}-{e}"));
        let tf_root = if v.out == "." { "terraform".to_string() } else { format!("{}/terraform", v.out) };
        assert_eq!(wf["env"]["ROOT"], tf_root.as_str(), "{}: the roots from the repository root", repo.name);
        let mut expected_jobs: BTreeSet<String> = ["review".to_string()].into();
        for (n, env) in envs.iter().enumerate() {
            for kind in ["plan", "preview", "apply", "drift"] {
                let id = job_id(kind, env);
                expected_jobs.insert(id.clone());
                let job = &wf["jobs"][&id];
                let steps = steps(job);
                // Both roots, the platform first: the cluster root reads its state.
                let commands: Vec<String> = steps.iter().flat_map(|s| terraform_commands(s)).collect();
                let dirs: Vec<&str> = steps
                    .iter()
                    .filter(|s| !terraform_commands(s).is_empty())
                    .map(|s| s["run"].as_str().expect("run").lines().find(|l| l.starts_with("dir=")).expect("dir="))
                    .collect();
                // A pull request's plan leaves cluster/ out: its Helm release records are Secrets,
                // and the identity a pull request signs in as reads none.
                // On ECS there is no cluster/.
                let roots: &[&str] =
                    if kind == "plan" || on_ecs(&v) { &["dir=$ROOT"] } else { &["dir=$ROOT", "dir=$ROOT/cluster"] };
                assert_eq!(dirs, roots, "{}: {id}", repo.name);
                for init in commands.iter().filter(|c| c.contains(" init")) {
                    assert!(init.contains("-lockfile=readonly"), "{}: {id}: {init}", repo.name);
                }
                let plans: Vec<&String> = commands.iter().filter(|c| c.contains(" plan")).collect();
                assert_eq!(plans.len(), roots.len(), "{}: {id}: {commands:?}", repo.name);
                // The pull request's plan compares the code with the state: a refresh would read
                // storage accounts' data planes (the backups'); the drift check refreshes.
                assert_eq!(
                    plans.iter().all(|p| p.contains(" -refresh=false")),
                    kind == "plan",
                    "{}: {id}: {plans:?}",
                    repo.name
                );
                if let Some(name) = env {
                    assert_eq!(job["env"]["WORKSPACE"], name.as_str(), "{}: {id}", repo.name);
                    assert_eq!(job["env"]["VAR_FILE"], format!("environments/{name}.tfvars").as_str());
                    assert!(plans[0].contains("-var-file=\"$VAR_FILE\""), "{}: {id}", repo.name);
                }
                // The lock files are looked for before anything signs in.
                let lock = steps.iter().position(|s| s["name"] == "The dependency lock files are committed");
                let login = steps.iter().position(|s| is_login(&s));
                assert!(lock.is_some() && lock < login, "{}: {id}", repo.name);
                // The preview, as the drift identity or role: a reader of all, never a writer.
                signs_in_as(job, if kind == "preview" { "drift" } else { kind }, &id);
                match kind {
                    "apply" => {
                        // The shared root first: every environment's root reads its state; and
                        // the plan its reviewers read.
                        let previous =
                            n.checked_sub(1).map_or("shared-apply".to_string(), |p| job_id("apply", &envs[p]));
                        let preview = job_id("preview", env);
                        assert_eq!(job["needs"], serde_json::json!([previous, preview]), "{}: {id}", repo.name);
                        let github_env = env.as_ref().map_or("terraform".to_string(), |e| format!("terraform-{e}"));
                        assert_eq!(job["environment"], github_env.as_str(), "{}: {id}", repo.name);
                        let roots = if on_ecs(&v) { 1 } else { 2 };
                        assert_eq!(
                            commands.iter().filter(|c| c.contains(" apply tfplan")).count(),
                            roots,
                            "{}: {id}",
                            repo.name
                        );
                    }
                    _ => {
                        // Read-only: no lock taken, nothing applied, no workspace created.
                        assert!(plans.iter().all(|p| p.contains("-lock=false")), "{}: {id}", repo.name);
                        // The preview keeps its plan for the apply's comparison; the others say
                        // by their exit code whether anything would change.
                        let flag = if kind == "preview" {
                            "-out=\"$RUNNER_TEMP/review.tfplan\""
                        } else {
                            "-detailed-exitcode"
                        };
                        assert!(plans.iter().all(|p| p.contains(flag)), "{}: {id}: {plans:?}", repo.name);
                        assert!(!commands.iter().any(|c| c.contains(" apply") || c.contains("-or-create")));
                        // The drift check and the preview in the environment the drift role or
                        // identity alone trusts.
                        let environment = (kind != "plan").then_some("terraform-drift");
                        assert_eq!(job.get("environment").and_then(Value::as_str), environment, "{}: {id}", repo.name);
                    }
                }
            }
            assert_eq!(wf["jobs"][job_id("plan", env)]["needs"], "review", "{}", repo.name);
        }
        // The shared root, once: no workspace, no environment's values, applied in a GitHub
        // environment of its own before any environment's.
        for kind in ["plan", "preview", "apply", "drift"] {
            let id = format!("shared-{kind}");
            expected_jobs.insert(id.clone());
            let job = &wf["jobs"][&id];
            let steps = steps(job);
            let commands: Vec<String> = steps.iter().flat_map(|s| terraform_commands(s)).collect();
            let runs: Vec<&str> = steps
                .iter()
                .filter(|s| !terraform_commands(s).is_empty())
                .map(|s| s["run"].as_str().expect("run"))
                .collect();
            assert_eq!(runs.len(), 1, "{}: {id}: one root", repo.name);
            assert!(runs[0].lines().any(|l| l == "dir=$ROOT/shared"), "{}: {id}", repo.name);
            assert!(runs[0].contains("-backend-config=\"key=$SHARED_STATE_KEY\""), "{}: {id}", repo.name);
            assert!(
                !commands.iter().any(|c| c.contains("workspace") || c.contains("-var-file")),
                "{}: {id}",
                repo.name
            );
            assert!(commands.iter().filter(|c| c.contains(" init")).all(|c| c.contains("-lockfile=readonly")));
            let plans: Vec<&String> = commands.iter().filter(|c| c.contains(" plan")).collect();
            assert_eq!(plans.len(), 1, "{}: {id}: {commands:?}", repo.name);
            let lock = steps.iter().position(|s| s["name"] == "The dependency lock files are committed");
            let login = steps.iter().position(|s| is_login(&s));
            assert!(lock.is_some() && lock < login, "{}: {id}", repo.name);
            signs_in_as(job, if kind == "preview" { "drift" } else { kind }, &id);
            if kind == "apply" {
                assert_eq!(job["environment"], "terraform-shared", "{}: {id}", repo.name);
                assert_eq!(job["needs"], "shared-preview", "{}: {id}: first of the applies", repo.name);
                assert_eq!(commands.iter().filter(|c| c.contains(" apply tfplan")).count(), 1);
            } else {
                let flag = if kind == "preview" { "-out=\"$RUNNER_TEMP/review.tfplan\"" } else { "-detailed-exitcode" };
                assert!(plans[0].contains("-lock=false") && plans[0].contains(flag), "{}: {id}", repo.name);
                assert!(!commands.iter().any(|c| c.contains(" apply")), "{}: {id}", repo.name);
                // The drift check and the preview run in the environment the drift role or
                // identity alone trusts (not the branch, which every push's build job signs in
                // from); a pull request's plan in none.
                let environment = (kind != "plan").then_some("terraform-drift");
                assert_eq!(job.get("environment").and_then(Value::as_str), environment, "{}: {id}", repo.name);
                assert_eq!(!plans[0].contains(" -refresh=false"), kind != "plan", "{}: {id}", repo.name);
            }
        }
        assert_eq!(wf["jobs"]["shared-plan"]["needs"], "review", "{}", repo.name);
        // Applies queue in their ref's group: a run by hand on another branch (refused by
        // every environment's branch rule) never replaces the branch's waiting apply.
        let group = wf["concurrency"]["group"].as_str().expect("group");
        assert!(group.contains("format('apply-{0}', github.ref)"), "{}: {group}", repo.name);
        assert_eq!(
            wf["env"]["SHARED_STATE_KEY"],
            format!("{}-shared.tfstate", spec["metadata"]["name"].as_str().expect("name")).as_str()
        );
        if let Some(notify) = wf["jobs"].get("notify") {
            let needs = notify["needs"].as_array().expect("needs");
            assert!(needs.iter().any(|n| n == "shared-drift"), "{}: the shared root's drift notifies", repo.name);
        }
        let jobs: BTreeSet<String> =
            jobs(&wf).into_iter().map(|(id, _)| id.clone()).filter(|id| id != "notify").collect();
        assert_eq!(
            jobs, expected_jobs,
            "{}: a plan, an apply and a drift check per environment on the cloud",
            repo.name
        );
        // The gate of a gen-refresh pull request: an environment with reviewers, for its branches alone.
        let review = &wf["jobs"]["review"];
        assert_eq!(review["environment"], "terraform-plan-review");
        assert!(review["if"].as_str().expect("if").contains("startsWith(github.head_ref, 'gen/refresh-')"));
        assert!(wf["on"]["schedule"][0]["cron"].is_string(), "{}: a scheduled drift check", repo.name);
    }
}

#[test]
fn the_terraform_workflow_stops_without_a_committed_lock_file_and_runs_with_one() {
    let v = variants().into_iter().find(|v| v.name == "environment").expect("variant");
    let repo = Repo::new(&v);
    let wf = read_yaml(&repo.root().join(".github/workflows/terraform.yml"));
    let step = steps(&wf["jobs"]["plan"])
        .into_iter()
        .find(|s| s["name"] == "The dependency lock files are committed")
        .expect("the lock file check");
    let script = step["run"].as_str().expect("run");
    let run = |dir: &Path| {
        Command::new("bash")
            .args(["-e", "-c", script])
            .env("ROOT", "out/terraform")
            .current_dir(dir)
            .output()
            .expect("bash")
    };
    let missing = run(repo.root());
    assert!(!missing.status.success());
    let said = String::from_utf8_lossy(&missing.stdout);
    for root in [
        "out/terraform/shared/.terraform.lock.hcl",
        "out/terraform/.terraform.lock.hcl",
        "out/terraform/cluster/.terraform.lock.hcl",
    ] {
        assert!(said.lines().any(|l| l.starts_with("::error file=") && l.contains(root)), "{said}");
    }
    assert!(said.contains("providers lock -platform=linux_amd64"), "{said}");
    std::fs::write(repo.out().join("terraform/.terraform.lock.hcl"), "# lock\n").expect("write");
    let one = run(repo.root());
    assert!(!one.status.success());
    assert!(!String::from_utf8_lossy(&one.stdout).contains("out/terraform/.terraform.lock.hcl"));
    std::fs::write(repo.out().join("terraform/cluster/.terraform.lock.hcl"), "# lock\n").expect("write");
    let two = run(repo.root());
    assert!(!two.status.success());
    assert!(String::from_utf8_lossy(&two.stdout).contains("out/terraform/shared/.terraform.lock.hcl"));
    std::fs::write(repo.out().join("terraform/shared/.terraform.lock.hcl"), "# lock\n").expect("write");
    assert!(run(repo.root()).status.success());
}

#[test]
fn no_terraform_workflow_where_no_environment_is_on_a_cloud() {
    let dir = tempfile::tempdir().expect("tempdir");
    git(dir.path(), &["init", "-q"]);
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/kind-two-services.yaml")).expect("spec");
    let spec = spec.replacen("platform:\n", "platform:\n  github: {repository: acme/shop, branch: main}\n", 1);
    std::fs::write(dir.path().join("spec.yaml"), &spec).expect("write");
    let run = Gen::new().args(["render", "spec.yaml", "--out", "out"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(dir.path().join(".github/workflows/gen.yml").is_file(), "the spec has a GitHub repository");
    assert!(!dir.path().join(".github/workflows/terraform.yml").exists());
    assert!(!dir.path().join("out/terraform").exists());
}

/// The GitOps variants with three environments and two services, one per update mode.
fn gitops_two_service_variants() -> Vec<Variant> {
    variants().into_iter().filter(|v| v.name.ends_with("-two-services")).collect()
}

/// The concurrency group of a job, if it has one.
fn group(job: &Value) -> Option<String> {
    job["concurrency"]["group"].as_str().map(str::to_string)
}

#[test]
fn an_incident_rollback_shares_no_group_with_a_release_and_a_merge_wait_holds_none() {
    for v in gitops_two_service_variants() {
        let repo = Repo::new(&v);
        let pr = v.name.contains("-pr-");
        for service in ["shop", "cart"] {
            let wf = read_workflow(&repo.root().join(format!(".github/workflows/{service}.yml")));
            let rollback = read_workflow(&repo.root().join(format!(".github/workflows/{service}.rollback.yml")));
            let releases: Vec<(&String, &Value)> =
                jobs(&wf).into_iter().filter(|(_, j)| j["environment"].is_string()).collect();
            assert_eq!(releases.len(), 3, "{}: {service}", v.name);
            let mut release_groups = BTreeSet::new();
            for (id, job) in &releases {
                let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
                assert!(names.contains(&"No rollback since this run began"), "{}: {id}", v.name);
                if pr {
                    // The job waits up to 90 minutes for a merge: it must hold no group.
                    assert!(group(job).is_none(), "{}: {id} holds {:?} while it waits for a merge", v.name, group(job));
                    assert!(names.contains(&"No newer release proposed or promoted"), "{}: {id}", v.name);
                } else {
                    release_groups.insert(group(job).expect("a release's group"));
                    // The branch is written with the release App's token, the ruleset's bypass
                    // actor; the workflow's own token only reads.
                    assert_eq!(job["permissions"]["contents"], "read", "{}: {id}", v.name);
                    let commit = steps(job).into_iter().find(|s| s["name"] == "Commit it").expect("Commit it");
                    assert_eq!(commit["env"]["GH_TOKEN"], "${{ steps.app.outputs.token }}", "{}: {id}", v.name);
                    let app = steps(job).into_iter().find(|s| s["id"] == "app").expect("the App's token");
                    assert!(app["uses"].as_str().expect("uses").starts_with("actions/create-github-app-token@"));
                    assert_eq!(app["with"]["permission-contents"], "write");
                }
            }
            let rollbacks: Vec<(&String, &Value)> =
                jobs(&rollback).into_iter().filter(|(_, j)| j["environment"].is_string()).collect();
            assert_eq!(rollbacks.len(), 3, "{}: {service}", v.name);
            // The run's own group is the rollback workflow's, never a release's.
            let run_group = rollback["concurrency"]["group"].as_str().expect("the run's group");
            assert!(run_group.starts_with("${{ github.workflow }}"), "{}: {run_group}", v.name);
            for (id, job) in rollbacks {
                let g = group(job).expect("a rollback's group");
                assert!(g.starts_with(&format!("rollback-{service}-")), "{}: {id}: {g}", v.name);
                assert!(!release_groups.contains(&g), "{}: {id} shares {g} with a release", v.name);
                let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
                assert!(!names.contains(&"No rollback since this run began"), "{}: {id}", v.name);
            }
        }
    }
}

#[test]
fn a_rollback_verifies_provenance_and_the_promotion_order() {
    for v in
        gitops_two_service_variants().into_iter().chain(variants().into_iter().filter(|v| v.name == "environments"))
    {
        let repo = Repo::new(&v);
        let rollback = read_workflow(&repo.root().join(".github/workflows/shop.rollback.yml"));
        let verify = &rollback["jobs"]["verify"];
        assert_eq!(verify["permissions"]["attestations"], "read", "{}", v.name);
        let runs: Vec<&str> = steps(verify).iter().filter_map(|s| s["run"].as_str()).collect();
        assert!(runs.iter().any(|r| r.contains("gh attestation verify")), "{}", v.name);
        let order = steps(verify)
            .into_iter()
            .find(|s| s["name"] == "Released to the environment before, or deployed here before")
            .expect("the promotion check");
        assert_eq!(order["env"]["ENVIRONMENTS"], "dev test prod", "{}", v.name);
        // The run is named after what it deployed, which the check reads back.
        assert_eq!(rollback["run-name"], "shop ${{ inputs.version }} to ${{ inputs.environment }}", "{}", v.name);
        let script = order["run"].as_str().expect("run");
        assert!(script.contains("$SERVICE $VERSION to $1"), "{}", v.name);
    }
}

/// A `gh` that answers as GitHub does for the release's push run of `shop.yml`, whose one job
/// that succeeded is named `job`, and for no rollback run; each answer through the `--jq` asked.
fn gh_with_a_release_run(job: &str) -> String {
    format!(
        r#"#!/bin/bash
url=""; expr="."
while [ $# -gt 0 ]; do case "$1" in api) ;; --jq) expr=$2; shift ;; *) url=$1 ;; esac; shift; done
case "$url" in
  */actions/workflows/shop.yml/runs*) body='{{"workflow_runs":[{{"id":7}}]}}' ;;
  */actions/runs/7/jobs*) body='{{"jobs":[{{"name":"{job}","conclusion":"success","id":1}}]}}' ;;
  */actions/workflows/shop.rollback.yml/runs*) body='{{"workflow_runs":[]}}' ;;
  *) echo "unexpected: $url" >&2; exit 1 ;;
esac
jq -r "$expr" <<< "$body"
"#
    )
}

#[test]
fn a_rollbacks_promotion_check_finds_the_called_deploy_job_by_its_name_in_the_callers_run() {
    let v = variants().into_iter().find(|v| v.name == "environments").expect("environments variant");
    let repo = Repo::new(&v);
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.rollback.yml"));
    let verify = &wf["jobs"]["verify"];
    let step = steps(verify)
        .into_iter()
        .find(|s| s["name"] == "Released to the environment before, or deployed here before")
        .expect("the promotion check");
    let env = [("ENVIRONMENT", "test"), ("COMMIT", "abc"), ("VERSION", "1.2.3"), ("GITHUB_REPOSITORY", "acme/shop")];
    let check = |job: &str| run_step(&wf, verify, step, &[("gh", &gh_with_a_release_run(job))], &env);
    // A job of the called workflow is named after the caller's job in the run's jobs: its
    // name, the service's (`shop.yml`'s job `pipeline` is named `shop`).
    let caller = read_yaml(&repo.root().join(".github/workflows/shop.yml"));
    assert_eq!(caller["jobs"]["pipeline"]["name"], "shop");
    let (ok, out) = check("shop / Deploy to dev");
    assert!(ok && out.contains("was deployed to dev"), "{out}");
    // A caller without a name is named by its id.
    let (ok, out) = check("pipeline / Deploy to dev");
    assert!(ok && out.contains("was deployed to dev"), "{out}");
    // Another service's deploy is not this one's.
    let (ok, out) = check("cart / Deploy to dev");
    assert!(!ok, "{out}");
    // A release from before the pipeline was called (its job had the name alone).
    let (ok, out) = check("Deploy to dev");
    assert!(ok, "{out}");
    let (ok, out) = check("pipeline / Deploy to prod");
    assert!(!ok && out.contains("was never deployed to dev"), "{out}");
}

#[test]
fn a_rollback_takes_a_release_signed_by_the_pipeline_or_before_it_by_the_services_own_workflow() {
    let v = variants().into_iter().find(|v| v.name == "environments").expect("environments variant");
    let repo = Repo::new(&v);
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.rollback.yml"));
    let verify = &wf["jobs"]["verify"];
    let step = steps(verify).into_iter().find(|s| s["id"] == "verify").expect("cosign verify");
    // A cosign that finds one signature: by the identity SIGNED_BY, annotated ANNOTATIONS.
    let cosign = r#"#!/bin/bash
identity=""; annotations=()
while [ $# -gt 0 ]; do
  case "$1" in --certificate-identity) identity=$2; shift ;; -a) annotations+=("$2"); shift ;; esac
  shift
done
[ "$identity" = "$SIGNED_BY" ] || exit 1
for a in "${annotations[@]}"; do [[ " $ANNOTATIONS " == *" $a "* ]] || exit 1; done
echo "verified: $identity" >&2
"#;
    let run = |signed_by: &str, annotations: &str| {
        let env = [
            ("SIGNED_BY", signed_by),
            ("ANNOTATIONS", annotations),
            ("GITHUB_SERVER_URL", "https://github.com"),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("VERSION", "1.2.3"),
            ("COMMIT", "abc"),
            ("DIGEST", "sha256:1"),
        ];
        run_step(&wf, verify, step, &[("cosign", cosign)], &env)
    };
    let pipeline = "https://github.com/acme/shop/.github/workflows/_pipeline.yml@refs/heads/main";
    let own = "https://github.com/acme/shop/.github/workflows/shop.yml@refs/heads/main";
    let (ok, out) = run(pipeline, "service=shop version=1.2.3");
    assert!(ok && out.contains(&format!("verified: {pipeline}")), "{out}");
    // Signed by the pipeline for another service: neither identity takes it.
    let (ok, out) = run(pipeline, "service=cart version=1.2.3");
    assert!(!ok, "{out}");
    // A release of this service from before it called the pipeline.
    let (ok, out) = run(own, "version=1.2.3");
    assert!(ok && out.contains(&format!("verified: {own}")), "{out}");
    // Another service's own workflow signs no release of this one.
    let (ok, out) = run("https://github.com/acme/shop/.github/workflows/cart.yml@refs/heads/main", "version=1.2.3");
    assert!(!ok, "{out}");
    // The provenance is checked against the signer the signature named.
    let provenance = steps(verify).into_iter().find(|s| s["name"] == "Verify the build's provenance").expect("step");
    assert_eq!(provenance["env"]["WORKFLOW"], "${{ steps.verify.outputs.signer }}");
}

#[test]
fn a_pull_requests_build_holds_a_read_only_token() {
    for v in variants() {
        let repo = Repo::new(&v);
        for file in repo.workflows() {
            let wf = read_workflow(&file);
            let Some(check) = wf["jobs"].get("build-check") else { continue };
            assert_eq!(check["if"], "github.event_name != 'push'", "{}", file.display());
            assert_eq!(check["permissions"], serde_json::json!({"contents": "read"}), "{}", file.display());
            assert_eq!(wf["jobs"]["build"]["if"], "github.event_name == 'push'", "{}", file.display());
            assert_eq!(wf["jobs"]["build"]["permissions"]["id-token"], "write", "{}", file.display());
        }
    }
}

/// Runs the `run` of `step` (in the job `job` of `wf`) with bash, fakes of `tools` first on
/// the PATH (each a shell script), and `env` over the workflow's and the step's own.
fn run_step(wf: &Value, job: &Value, step: &Value, tools: &[(&str, &str)], env: &[(&str, &str)]) -> (bool, String) {
    let bin = tempfile::tempdir().expect("tempdir");
    for (name, script) in tools {
        let fake = bin.path().join(name);
        std::fs::write(&fake, script).expect("write fake");
        Command::new("chmod").arg("+x").arg(&fake).status().expect("chmod");
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let mut run = Command::new("bash");
    run.args(["-e", "-c", step["run"].as_str().expect("run")]).current_dir(temp.path());
    for scope in [&wf["env"], &job["env"], &step["env"]] {
        for (k, v) in scope.as_object().into_iter().flatten() {
            run.env(k, v.as_str().unwrap_or(""));
        }
    }
    for (k, v) in env {
        run.env(k, v);
    }
    let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
    run.env("PATH", path).env("RUNNER_TEMP", temp.path()).env("GITHUB_OUTPUT", temp.path().join("output"));
    let out = run.output().expect("bash");
    (out.status.success(), String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr))
}

#[test]
fn the_release_commit_retries_a_stale_blob_and_stops_on_any_other_refusal() {
    let v = gitops_two_service_variants().into_iter().find(|v| v.name.contains("-commit-")).expect("commit variant");
    let repo = Repo::new(&v);
    let wf = read_workflow(&repo.root().join(".github/workflows/cart.yml"));
    let (_, job) = jobs(&wf).into_iter().find(|(_, j)| j["environment"] == "production").expect("prod's job");
    let step = steps(job).into_iter().find(|s| s["name"] == "Commit it").expect("Commit it");
    let state = tempfile::tempdir().expect("tempdir");
    let log = state.path().join("log");
    // The branch's file is another release, at a blob that moves on each read; the first
    // `refusals` writes are refused as `answer` says.
    let gh = |refusals: u32, answer: &str| {
        format!(
            "#!/bin/bash\nlog={log}\nif [ \"$2\" = --method ]; then\n  n=$(grep -c PUT \"$log\" 2>/dev/null || true)\n  \
             echo \"PUT $*\" >> \"$log\"\n  if [ \"$n\" -lt {refusals} ]; then echo 'gh: {answer}' >&2; exit 1; fi\n  echo '{{}}'\nelse\n  \
             n=$(cat \"$log\" 2>/dev/null | grep -c GET || true)\n  echo \"GET $*\" >> \"$log\"\n  \
             printf '{{\"content\": \"%s\", \"sha\": \"blob%s\"}}' \"$(printf 'old\\n' | base64 -w0)\" \"$n\"\nfi\n",
            log = log.display()
        )
    };
    let env = [("GITHUB_REPOSITORY", "acme/shop"), ("MESSAGE", "Deploy cart/v1.0.1 to prod")];
    let release = "out/argocd/prod/cart.release.yaml";
    // Two stale writes (409, then 422 on the blob), then one that lands: each write reads the
    // branch again first, and the last is on the newest blob.
    for (refusals, answer, ok, puts) in [
        (2, "sha does not match (HTTP 409)", true, 3),
        (1, "Invalid request. sha does not name the blob (HTTP 422)", true, 2),
        (9, "is at abc but expected def (HTTP 409)", false, 6),
        (1, "Resource not accessible by integration (HTTP 403)", false, 1),
    ] {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::create_dir_all(dir.path().join("out/argocd/prod")).expect("mkdir");
        std::fs::write(dir.path().join(release), "new\n").expect("write");
        let _ = std::fs::remove_file(&log);
        let mut s = step.clone();
        s["run"] = Value::String(format!("cd {}\n{}", dir.path().display(), step["run"].as_str().expect("run")));
        let (success, output) =
            run_step(&wf, job, &s, &[("gh", &gh(refusals, answer)), ("sleep", "#!/bin/sh\nexit 0\n")], &env);
        assert_eq!(success, ok, "{answer}: {output}");
        let calls = std::fs::read_to_string(&log).expect("log");
        let put: Vec<&str> = calls.lines().filter(|l| l.starts_with("PUT")).collect();
        let get = calls.lines().filter(|l| l.starts_with("GET")).count();
        assert_eq!(put.len(), puts, "{answer}: {calls}");
        assert_eq!(get, puts, "each write reads the branch's file again first: {calls}");
        assert!(put.last().expect("a write").contains(&format!("sha=blob{}", puts - 1)), "{calls}");
        if !ok && puts == 1 {
            assert!(output.contains("refused the release file"), "{output}");
        }
    }
}

#[test]
fn the_argo_cd_wait_retries_a_failed_read_and_stops_on_a_refusal() {
    let v = gitops_two_service_variants().into_iter().find(|v| v.name.contains("-pr-")).expect("pr variant");
    let repo = Repo::new(&v);
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.yml"));
    let (_, job) = jobs(&wf).into_iter().find(|(_, j)| j["environment"] == "production").expect("prod's job");
    let step = steps(job)
        .into_iter()
        .find(|s| s["name"] == "Wait until Argo CD reports the release synced and healthy")
        .expect("the wait");
    let commit = "0123456789abcdef0123456789abcdef01234567";
    let digest = format!("sha256:{}", "a".repeat(64));
    let app = serde_json::json!({"status": {
        "sync": {"status": "Synced", "revision": commit,
                 "comparedTo": {"source": {"targetRevision": commit, "helm": {"valuesObject": {"image": {"digest": digest}}}}}},
        "health": {"status": "Healthy"}}});
    let state = tempfile::tempdir().expect("tempdir");
    let count = state.path().join("count");
    let kubectl = |error: &str| {
        format!(
            "#!/bin/bash\necho x >> {count}\nif [ \"$(wc -l < {count})\" -le 2 ]; then echo '{error}' >&2; exit 1; fi\necho '{app}'\n",
            count = count.display()
        )
    };
    let env = [("SERVICE", "shop"), ("COMMIT", commit), ("DIGEST", digest.as_str()), ("VERSION", "1.0.1")];
    let sleep = "#!/bin/sh\nexit 0\n";
    let (ok, output) = run_step(
        &wf,
        job,
        step,
        &[("kubectl", &kubectl("Unable to connect to the server: dial tcp: i/o timeout")), ("sleep", sleep)],
        &env,
    );
    assert!(ok, "a transient error is tried again: {output}");
    assert!(output.contains("synced and healthy"), "{output}");
    std::fs::remove_file(&count).expect("rm");
    let refused = "Error from server (Forbidden): applications.argoproj.io \"shop\" is forbidden";
    let (ok, output) = run_step(&wf, job, step, &[("kubectl", &kubectl(refused)), ("sleep", sleep)], &env);
    assert!(!ok && output.contains("cannot read the Application"), "{output}");
    assert_eq!(std::fs::read_to_string(&count).expect("count").lines().count(), 1, "a refusal is not tried again");
}

#[test]
fn with_helm_a_rollback_waits_for_a_running_deploy_and_a_release_never_undoes_it() {
    let v = variants().into_iter().find(|v| v.name == "environments").expect("environments variant");
    let repo = Repo::new(&v);
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.yml"));
    let rollback = read_workflow(&repo.root().join(".github/workflows/shop.rollback.yml"));
    let mut release_groups = BTreeSet::new();
    for (id, job) in jobs(&wf).into_iter().filter(|(_, j)| j["environment"].is_string()) {
        release_groups.insert(group(job).expect("a deploy's group"));
        let guard = steps(job).into_iter().find(|s| s["name"] == "No rollback since this run began").expect(id);
        assert!(guard["run"].as_str().expect("run").contains("\"Rollback by \"*"), "{id}");
        assert_eq!(job["permissions"]["actions"], "read", "{id}");
    }
    for (id, job) in jobs(&rollback).into_iter().filter(|(_, j)| j["environment"].is_string()) {
        let g = group(job).expect("a rollback's group");
        assert!(g.starts_with("rollback-shop-") && !release_groups.contains(&g), "{id}: {g}");
        let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
        let wait = names.iter().position(|n| *n == "Wait for a running Helm operation on the release").expect(id);
        let upgrade = names.iter().position(|n| *n == "helm upgrade").expect(id);
        assert!(wait < upgrade, "{id}: {names:?}");
        let step = steps(job).into_iter().find(|s| s["name"] == "helm upgrade").expect("helm upgrade");
        let helm = step["run"].as_str().expect("run");
        // The description the releases' guard reads.
        assert!(
            helm.contains("--description \"Rollback by run $GITHUB_RUN_ID to $VERSION, chart tree $tree\""),
            "{id}: {helm}"
        );
    }
}

#[test]
fn a_gitops_release_stops_on_a_rollback_asked_for_after_it_began() {
    let v = gitops_two_service_variants().into_iter().find(|v| v.name.contains("-commit-")).expect("commit variant");
    let repo = Repo::new(&v);
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.yml"));
    let (_, job) = jobs(&wf).into_iter().find(|(_, j)| j["environment"] == "production").expect("prod's job");
    let step = steps(job).into_iter().find(|s| s["name"] == "No rollback since this run began").expect("the guard");
    // The run began at 10:00; the file's last commit is `message` at `when`.
    let gh = |when: &str, message: &str| {
        format!(
            "#!/bin/bash\ncase \"$2\" in\n  */actions/runs/*) echo 2026-01-01T10:00:00Z ;;\n  */commits\\?*) printf '%s\\t%s\\n' '{when}' '{message}' ;;\n  *) exit 9 ;;\nesac\n"
        )
    };
    let env = [("GITHUB_REPOSITORY", "acme/shop"), ("GITHUB_RUN_ID", "42"), ("SERVICE", "shop"), ("VERSION", "1.0.2")];
    for (when, message, ok) in [
        ("2026-01-01T10:05:00Z", "Roll back shop to 1.0.0 to prod", false),
        ("2026-01-01T09:55:00Z", "Roll back shop to 1.0.0 to prod", true),
        ("2026-01-01T10:05:00Z", "Deploy shop/v1.0.1 to prod", true),
    ] {
        let (success, output) = run_step(&wf, job, step, &[("gh", &gh(when, message))], &env);
        assert_eq!(success, ok, "{when} {message}: {output}");
        if !ok {
            assert!(output.contains("after this run began"), "{output}");
        }
    }
}

/// Runs the step `name` of the job `job` of the workflow `file` at the repository's root, as
/// the runner would, with `bin` first on the PATH.
fn workflow_step(repo: &Repo, file: &str, job: &str, name: &str, temp: &Path, bin: &Path) -> std::process::Output {
    let wf = read_workflow(&repo.root().join(".github/workflows").join(file));
    let step = steps(&wf["jobs"][job]).into_iter().find(|s| s["name"] == name).expect("the step").clone();
    let mut run = Command::new("bash");
    run.args(["-e", "-o", "pipefail", "-c", step["run"].as_str().expect("run")]).current_dir(repo.root());
    for scope in [&wf["env"], &step["env"]] {
        for (k, v) in scope.as_object().into_iter().flatten() {
            run.env(k, v.as_str().expect("string"));
        }
    }
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    run.env("PATH", path)
        .env("GITHUB_REPOSITORY", "acme/shop")
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_OUTPUT", temp.join("output"))
        .env("GITHUB_STEP_SUMMARY", temp.join("summary"))
        .output()
        .expect("bash")
}

/// The `images` output of the scan's first job: each image once, with where it runs.
fn scanned(temp: &Path) -> Value {
    let output = std::fs::read_to_string(temp.join("output")).expect("the step's outputs");
    let images = output.lines().find_map(|l| l.strip_prefix("images=")).expect("images=");
    serde_json::from_str(images).expect("JSON")
}

#[test]
fn the_scan_workflow_scans_the_digest_each_gitops_environment_runs_and_notifies_on_a_finding() {
    let variant = variants().into_iter().find(|v| v.name == "environments-gitops").expect("variant");
    let repo = Repo::new(&variant);
    let wf = read_yaml(&repo.root().join(".github/workflows/scan.yml"));
    // Least privilege: nothing at the top, the registry login only where the scan runs.
    assert_eq!(wf["permissions"], serde_json::json!({}));
    assert_eq!(wf["jobs"]["deployed"]["permissions"], serde_json::json!({"contents": "read"}));
    assert_eq!(wf["jobs"]["scan"]["permissions"]["id-token"], "write");
    assert!(wf["on"]["schedule"].is_array());
    // The pipeline's scanner and threshold.
    let service = read_workflow(&repo.root().join(".github/workflows/shop.yml"));
    let gate = |job: &Value| {
        steps(job)
            .into_iter()
            .find(|s| s["name"].as_str().is_some_and(|n| n.starts_with("Fail on")))
            .expect("gate")
            .clone()
    };
    let (ours, theirs) = (gate(&wf["jobs"]["scan"]), gate(&service["jobs"]["build"]));
    assert_eq!(ours["uses"], theirs["uses"]);
    for key in ["version", "severity", "ignore-unfixed", "exit-code"] {
        assert_eq!(ours["with"][key], theirs["with"][key], "{key}");
    }
    // Notified as the pipeline is, where it is.
    assert_eq!(wf["jobs"]["notify"].is_null(), !variant.spec.contains("notify:"));

    // Released to dev and test at one digest, prod not yet: one scan, naming both.
    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    for env in ["dev", "test"] {
        let file = repo.out().join(format!("argocd/{env}/shop.release.yaml"));
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
        std::fs::write(&file, format!("spec:\n  source:\n    helm:\n      valuesObject:\n        image:\n          tag: \"0.1.2\"\n          digest: \"{digest}\"\n"))
            .expect("write");
    }
    let temp = tempfile::tempdir().expect("tempdir");
    let out = workflow_step(&repo, "scan.yml", "deployed", "The deployed images", temp.path(), temp.path());
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(
        scanned(temp.path()),
        serde_json::json!([{"ref": format!("shopacr.azurecr.io/shop@{digest}"), "where": "shop in dev, shop in test"}])
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("not released to prod yet"));
}

#[test]
fn the_scan_workflow_finds_each_helm_environments_release_from_its_deployments() {
    let variant = variants().into_iter().find(|v| v.name == "environments").expect("variant");
    let repo = Repo::new(&variant);
    let wf = read_yaml(&repo.root().join(".github/workflows/scan.yml"));
    assert_eq!(wf["jobs"]["deployed"]["permissions"]["deployments"], "read");
    let reference = read_yaml(&Repo::new(&variants()[0]).root().join(".github/workflows/scan.yml"));
    assert_eq!(reference["jobs"]["notify"]["needs"], serde_json::json!(["deployed", "scan"]));
    assert!(reference["jobs"]["notify"]["if"].as_str().is_some_and(|c| c.contains("needs.scan.result == 'failure'")));
    let sources = steps(&wf["jobs"]["deployed"])
        .into_iter()
        .find(|s| s["name"] == "The deployed images")
        .and_then(|s| s["env"]["SOURCES"].as_str())
        .expect("sources")
        .to_string();
    assert_eq!(sources.lines().count(), 3, "{sources}");
    // dev: the pipeline's deployment of the release 0.1.2 (an older one before it); test: a
    // rollback to 0.1.1, read from its run's name, behind a page of another service's
    // deployments; prod: nothing deployed yet, or (`untagged`) a deployment at a commit no
    // release tag names, which fails the run once the others are scanned.
    let (a, b, c, d) = ("a".repeat(40), "b".repeat(40), "c".repeat(40), "d".repeat(40));
    let gh = |untagged: bool| {
        let prod = if untagged { format!("printf '31 {d}\\n'") } else { ":".to_string() };
        format!(
            r#"#!/bin/bash
[ "$1" = api ] || exit 9
shift
# Every deployment list is read page after page.
if [[ $1 == --paginate ]]; then paginate=1; shift; fi
case $1 in
  *deployments\?environment=*) [ -n "${{paginate-}}" ] || {{ echo "deployments read without --paginate" >&2; exit 9; }} ;;
esac
case $1 in
  *deployments\?environment=dev\&*) printf '11 {a}\n10 {b}\n' ;;
  *deployments\?environment=test\&*) printf '20 {a}\n21 {c}\n' ;;
  *deployments\?environment=production\&*) {prod} ;;
  *deployments\?environment=*) ;;
  */deployments/11/statuses*) echo 'success https://github.com/acme/shop/actions/runs/111/job/1' ;;
  */deployments/20/statuses*) echo 'success https://github.com/acme/shop/actions/runs/333/job/1' ;;
  */deployments/21/statuses*) echo 'success https://github.com/acme/shop/actions/runs/222/job/1' ;;
  */deployments/31/statuses*) echo 'success https://github.com/acme/shop/actions/runs/444/job/1' ;;
  */actions/runs/111) echo '.github/workflows/shop.yml shop' ;;
  */actions/runs/222) echo '.github/workflows/shop.rollback.yml shop 0.1.1 to test' ;;
  */actions/runs/333) echo '.github/workflows/other.yml other 9.9.9' ;;
  */actions/runs/444) echo '.github/workflows/shop.yml shop' ;;
  */git/matching-refs/tags/shop/v) [[ $* == *{a}* ]] && echo refs/tags/shop/v0.1.2 ;;
  *) echo "unexpected $1" >&2; exit 9 ;;
esac
exit 0
"#
        )
    };
    let bin = tempfile::tempdir().expect("tempdir");
    let install = |untagged: bool| {
        std::fs::write(bin.path().join("gh"), gh(untagged)).expect("write gh");
        Command::new("chmod").arg("+x").arg(bin.path().join("gh")).status().expect("chmod");
    };
    install(false);
    let temp = tempfile::tempdir().expect("tempdir");
    let out = workflow_step(&repo, "scan.yml", "deployed", "The deployed images", temp.path(), bin.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        scanned(temp.path()),
        serde_json::json!([
            {"ref": "shopacr.azurecr.io/shop:0.1.1", "where": "shop in test"},
            {"ref": "shopacr.azurecr.io/shop:0.1.2", "where": "shop in dev"}
        ])
    );
    assert!(!stderr.contains("::error::") && !stderr.contains("::warning::"), "{stderr}");
    assert!(stderr.contains("no successful deployment to prod"), "{stderr}");
    let output = std::fs::read_to_string(temp.path().join("output")).expect("outputs");
    assert!(output.contains("undetermined=false"), "{output}");

    // prod's image cannot be determined: dev and test are still scanned, and the run fails
    // (the notify job reads the first job's failure).
    install(true);
    let temp = tempfile::tempdir().expect("tempdir");
    let out = workflow_step(&repo, "scan.yml", "deployed", "The deployed images", temp.path(), bin.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the step hands over what it read: {stderr}");
    assert_eq!(scanned(temp.path()).as_array().map(Vec::len), Some(2));
    assert!(stderr.contains(&format!("::error::shop's newest deployment to prod (run 444) is at {d}")), "{stderr}");
    let output = std::fs::read_to_string(temp.path().join("output")).expect("outputs");
    assert!(output.contains("undetermined=true"), "{output}");
    let fail = steps(&wf["jobs"]["deployed"])
        .into_iter()
        .find(|s| s["name"] == "Every environment's image determined")
        .expect("the failing step")
        .clone();
    assert_eq!(fail["if"], "steps.deployed.outputs.undetermined == 'true'");
    let out =
        workflow_step(&repo, "scan.yml", "deployed", "Every environment's image determined", temp.path(), bin.path());
    assert!(!out.status.success());
    let scan_if = wf["jobs"]["scan"]["if"].as_str().expect("if");
    assert!(scan_if.contains("!cancelled()") && scan_if.contains("!= '[]'"), "{scan_if}");
    assert!(
        reference["jobs"]["notify"]["if"].as_str().is_some_and(|c| c.contains("needs.deployed.result == 'failure'"))
    );
    let out = validator("shellcheck").arg(repo.out().join("scripts/deployed-images.sh")).output().expect("sc");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn no_scan_workflow_renders_where_the_pipeline_scans_no_image() {
    let variant = variants().into_iter().find(|v| v.name == "gitops").expect("variant");
    assert!(variant.spec.contains("imageScan: {tool: none}"));
    let repo = Repo::new(&variant);
    assert!(!repo.root().join(".github/workflows/scan.yml").exists());
    assert!(!repo.out().join("scripts/deployed-images.sh").exists());
}

#[test]
fn a_gitops_promotion_waits_for_its_route_and_url_as_a_helm_deploy_does() {
    const ROUTE: &str = "The route is accepted and the service answers";
    const ARGO: &str = "Wait until Argo CD reports the release synced and healthy";
    let route_step = |repo: &Repo, file: &str| -> Vec<(String, Value)> {
        let wf = read_workflow(&repo.root().join(".github/workflows").join(file));
        let mut found = vec![];
        for (name, job) in wf["jobs"].as_object().expect("jobs") {
            let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
            if let Some(step) = steps(job).into_iter().find(|s| s["name"] == ROUTE) {
                // Under GitOps the route is checked once Argo CD reports the release live.
                if let Some(argo) = names.iter().position(|n| *n == ARGO) {
                    assert_eq!(names.get(argo + 1), Some(&ROUTE), "{file} {name}: {names:?}");
                }
                found.push((name.clone(), step.clone()));
            }
        }
        found
    };
    let of = |name: &str| Repo::new(&variants().into_iter().find(|v| v.name == name).expect("variant"));
    let (helm, gitops) = (of("environments"), of("environments-gitops"));
    let reference = route_step(&helm, "shop.yml");
    assert_eq!(reference.len(), 3, "dev, test and prod deploy with a route check");
    for file in ["shop.yml", "shop.rollback.yml"] {
        let ours = route_step(&gitops, file);
        assert_eq!(ours.len(), reference.len(), "{file}: every promotion checks its route");
        for ((job, step), (_, theirs)) in ours.iter().zip(&reference) {
            // The same check, word for word, with the environment's own host and URL.
            assert_eq!(step["run"], theirs["run"], "{file} {job}");
            assert_eq!(step["env"], theirs["env"], "{file} {job}");
        }
    }
    // The deploy identity may read the routes it waits for (and only under GitOps with routes).
    let cluster = std::fs::read_to_string(gitops.out().join("terraform/cluster/main.tf")).expect("cluster");
    assert!(cluster.contains("resource \"kubernetes_role_binding_v1\" \"route_reader\""), "the route reader");
}

#[test]
fn a_rollback_deploys_a_release_from_before_the_one_chart_with_that_releases_own_chart_and_values() {
    // The rollback checks out the release's commit. One rendered by a gen that wrote a chart per
    // service has `charts/shop/` (values inside) and no `chart/`: it deploys with that chart and
    // its values; one rendered since, with the project's chart and the service's values file.
    let variant = variants().into_iter().find(|v| v.name == "environments").expect("variant");
    let repo = Repo::new(&variant);
    let wf = read_workflow(&repo.root().join(".github/workflows/shop.rollback.yml"));
    let mut seen = 0;
    for (_, job) in jobs(&wf) {
        let Some(step) = steps(job).into_iter().find(|s| s["name"] == "helm upgrade") else { continue };
        let values = step["env"]["VALUES"].as_str().expect("VALUES").to_string();
        let env =
            values.strip_prefix("out/values/shop.").and_then(|v| v.strip_suffix(".yaml")).expect("an environment's");
        for (layout, chart, expected) in [
            ("before", "out/charts/shop", format!("out/charts/shop/values-{env}.yaml")),
            ("since", "out/chart", values.clone()),
        ] {
            let commit = tempfile::tempdir().expect("tempdir");
            let write = |rel: &str| {
                let path = commit.path().join(rel);
                std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
                std::fs::write(path, "x: 1\n").expect("write");
            };
            write(&format!("{chart}/Chart.yaml"));
            write(&expected);
            // The release's commit, as actions/checkout leaves it: a repository.
            let git = |args: &[&str]| {
                let out = Command::new("git")
                    .args(["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"])
                    .args(args)
                    .current_dir(commit.path())
                    .output()
                    .expect("git");
                assert!(out.status.success(), "git {args:?}");
                String::from_utf8_lossy(&out.stdout).trim().to_string()
            };
            git(&["init", "-q"]);
            git(&["add", "-A"]);
            git(&["commit", "-qm", "the release"]);
            let tree = git(&["rev-parse", &format!("HEAD:{chart}")]);
            let bin = tempfile::tempdir().expect("tempdir");
            let log = bin.path().join("log");
            let helm = bin.path().join("helm");
            let script = format!(
                "#!/bin/bash\necho \"$*\" >> {}\nif [ \"$1\" = package ]; then mkdir -p \"$8\" && touch \"$8/service-1.0.0.tgz\"; fi\n",
                log.display()
            );
            std::fs::write(&helm, script).expect("write helm");
            Command::new("chmod").arg("+x").arg(&helm).status().expect("chmod");
            let temp = tempfile::tempdir().expect("tempdir");
            let mut run = Command::new("bash");
            run.args(["-e", "-o", "pipefail", "-c", step["run"].as_str().expect("run")]).current_dir(commit.path());
            for (k, v) in step["env"].as_object().into_iter().flatten() {
                run.env(k, v.as_str().unwrap_or(""));
            }
            let path = format!("{}:{}", bin.path().display(), std::env::var("PATH").unwrap_or_default());
            let out = run
                .env("PATH", path)
                .env("RUNNER_TEMP", temp.path())
                .env("GITHUB_RUN_ID", "7")
                .env("VERSION", "1.0.0")
                .env("DIGEST", format!("sha256:{}", "0".repeat(64)))
                .output()
                .expect("bash");
            assert!(out.status.success(), "{env} {layout}: {}", String::from_utf8_lossy(&out.stderr));
            let said = std::fs::read_to_string(&log).expect("helm ran");
            let mut lines = said.lines();
            let package = lines.next().expect("helm package");
            assert!(package.starts_with(&format!("package {chart} --version")), "{env} {layout}: {said}");
            let upgrade = lines.next().expect("helm upgrade");
            assert!(upgrade.contains(&format!("--values {expected} ")), "{env} {layout}: {said}");
            // `helm history` says which revision of the chart was deployed.
            assert!(upgrade.contains(&format!("to 1.0.0, chart tree {tree} ")), "{env} {layout}: {said}");
        }
        seen += 1;
    }
    assert_eq!(seen, 3, "a deploy step per environment");
}

/// Whether a change of `path` runs a workflow with these `paths` filters, as GitHub decides: the
/// last pattern the path matches wins, and a `!` pattern leaves it out (`*` stops at a `/`).
fn triggers(filters: &[String], path: &str) -> bool {
    let mut hit = false;
    for filter in filters {
        let (out, pattern) = filter.strip_prefix('!').map_or((false, filter.as_str()), |p| (true, p));
        let glob = globset::GlobBuilder::new(pattern).literal_separator(true).build().expect("a glob");
        if glob.compile_matcher().is_match(path) {
            hit = !out;
        }
    }
    hit
}

/// A service whose code is the repository's root runs its pipeline on a change of its code, its
/// chart or its workflows, not on every commit: not on a document, another workflow of the
/// team's, nor gen's files of other services.
#[test]
fn a_service_whose_code_is_the_repository_root_runs_on_its_code_not_on_every_commit() {
    let at_root = variants().into_iter().find(|v| v.name == "own-code-at-root").expect("the variant");
    let in_out = Variant {
        name: "own-code-at-root-out",
        out: "out",
        ..variants().into_iter().find(|v| v.name == "own-code-at-root").expect("the variant")
    };
    for v in [at_root, in_out] {
        let repo = Repo::new(&v);
        let wf = read_yaml(&repo.root().join(".github/workflows/notes.yml"));
        let prefix = if v.out == "." { String::new() } else { format!("{}/", v.out) };
        for event in ["push", "pull_request"] {
            let filters: Vec<String> = wf["on"][event]["paths"]
                .as_array()
                .expect("paths")
                .iter()
                .map(|f| f.as_str().expect("a filter").to_string())
                .collect();
            let runs = [
                "run.py".to_string(),
                "notes/views.py".to_string(),
                "requirements.txt".to_string(),
                ".github/workflows/notes.yml".to_string(),
                ".github/workflows/_pipeline.yml".to_string(),
                format!("{prefix}chart/templates/deployment.yaml"),
                format!("{prefix}services/notes/Dockerfile"),
            ];
            for path in &runs {
                assert!(
                    triggers(&filters, path),
                    "{}: {event}: a change of {path} does not run it: {filters:?}",
                    v.name
                );
            }
            let mut quiet = vec!["README.md", "CHANGELOG.md", ".github/workflows/ci.yml", ".github/dependabot.yml"]
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>();
            if !prefix.is_empty() {
                quiet.push(format!("{prefix}terraform/main.tf"));
                quiet.push(format!("{prefix}README.md"));
            }
            for path in &quiet {
                assert!(!triggers(&filters, path), "{}: {event}: a change of {path} runs it: {filters:?}", v.name);
            }
        }
    }
}

/// A job in a GitHub environment signs in as what trusts that environment, and GitHub creates
/// an environment a job names, on its first run, with no rule. So each such job's first step
/// reads the environment and stops unless it has required reviewers and a branch rule that
/// admits the spec's branch alone (one custom branch policy naming it: not "protected
/// branches", a pattern, a second branch or a tag): the branch rule alone where DEPLOY_BY_HAND
/// says reviewers are not available (a person runs each deploy and apply there); reviewers
/// alone for terraform-plan-review, which gates pull requests; the branch rule alone for
/// terraform-drift, whose scheduled runs no person approves.
#[test]
fn every_job_in_a_github_environment_stops_unless_the_environment_has_its_rules() {
    const STEP: &str = "The GitHub environment has its protection rules";
    for v in variants() {
        let repo = Repo::new(&v);
        // gh answers, through the job's own jq filter, with an environment holding the rules
        // RULES names and admitting ADMITS branches (all, protected or selected), or with its
        // branch policies (POLICIES: `type:name` pairs, comma-separated), and records each path
        // it was asked for.
        let bin = repo.root().join("stub-bin");
        std::fs::create_dir_all(&bin).expect("bin");
        let gh = bin.join("gh");
        std::fs::write(
            &gh,
            r#"#!/usr/bin/env bash
[ "$1" = api ] || exit 9
shift
[ "$1" != --paginate ] || shift
[ "$2" = --jq ] || exit 9
echo "$1" >> "$CALLS"
case "$1" in
  */deployment-branch-policies)
    jq -cn --arg p "$POLICIES" '$p | split(",") | map(select(. != "") | split(":") | {id: 1, type: .[0], name: .[1]})
      | {total_count: length, branch_policies: .}' ;;
  *)
    jq -cn --arg r "$RULES" --arg a "$ADMITS" '{name: "x",
      protection_rules: ($r | split(" ") | map(select(. != "") | {id: 1, type: .})),
      deployment_branch_policy: {all: null, protected: {protected_branches: true, custom_branch_policies: false},
        selected: {protected_branches: false, custom_branch_policies: true}}[$a]}' ;;
esac | jq -r "$3"
"#,
        )
        .expect("stub");
        let spec = read_yaml(&repo.root().join(v.spec_at));
        let branch = spec["platform"]["github"]["branch"].as_str().unwrap_or("main").to_string();
        let only_branch = format!("branch:{branch}");
        let executable = std::os::unix::fs::PermissionsExt::from_mode(0o755);
        std::fs::set_permissions(&gh, executable).expect("chmod");
        let calls = repo.root().join("calls");
        let mut checked = 0;
        for file in repo.workflows() {
            let wf = read_yaml(&file);
            for (id, job) in jobs(&wf) {
                let Some(environment) = job.get("environment").and_then(Value::as_str) else { continue };
                let what = format!("{}: {}: {id}", v.name, file.display());
                let first = steps(job).first().copied().unwrap_or_else(|| panic!("{what}: no step"));
                assert_eq!(first["name"], STEP, "{what}: the rules are read before anything else");
                assert_eq!(first["env"]["ENVIRONMENT"], environment, "{what}");
                assert_eq!(job["permissions"]["actions"], "read", "{what}: the token reads the environment");
                let gates_pull_requests = environment == "terraform-plan-review";
                assert_eq!(
                    first["env"].get("BRANCH").and_then(Value::as_str),
                    (!gates_pull_requests).then_some(branch.as_str()),
                    "{what}: the one branch it admits"
                );
                let policies_path = format!("repos/octo/shop/environments/{environment}/deployment-branch-policies");
                let run_admitting = |rules: &str, by_hand: &str, admits: &str, policies: &str| {
                    let _ = std::fs::remove_file(&calls);
                    let out = Command::new("bash")
                        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
                        .arg(first["run"].as_str().expect("run"))
                        .env("PATH", format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default()))
                        .env("GITHUB_REPOSITORY", "octo/shop")
                        .envs(
                            first["env"]
                                .as_object()
                                .expect("env")
                                .iter()
                                .map(|(k, v)| (k, v.as_str().unwrap_or_default())),
                        )
                        .env("BY_HAND", by_hand)
                        .env("RULES", rules)
                        .env("ADMITS", admits)
                        .env("POLICIES", policies)
                        .env("CALLS", &calls)
                        .output()
                        .expect("bash");
                    let said = String::from_utf8_lossy(&out.stdout).into_owned();
                    let asked = std::fs::read_to_string(&calls).unwrap_or_default();
                    let asked = asked.lines().collect::<Vec<_>>();
                    assert_eq!(
                        asked.first().copied(),
                        Some(format!("repos/octo/shop/environments/{environment}").as_str()),
                        "{what}"
                    );
                    assert!(asked[1..].iter().all(|path| *path == policies_path), "{what}: {asked:?}");
                    (out.status.code(), said)
                };
                let run = |rules: &str, by_hand: &str| run_admitting(rules, by_hand, "selected", &only_branch);
                // The daily drift check's: no person approves a scheduled run.
                let scheduled = environment == "terraform-drift";
                let both = "wait_timer required_reviewers branch_policy";
                assert_eq!(run(both, "").0, Some(0), "{what}");
                let (code, said) = run("", "");
                assert_eq!(code, Some(1), "{what}: an environment GitHub created, with no rule");
                let first_missing = if scheduled { "branch_policy" } else { "required_reviewers" };
                assert!(
                    said.contains(&format!(
                        "::error::The GitHub environment {environment} has no {first_missing} rule (it has: none)"
                    )),
                    "{what}: {said}"
                );
                let (code, said) = run("required_reviewers", "");
                if gates_pull_requests {
                    assert_eq!(code, Some(0), "{what}: a branch rule would refuse pull requests");
                } else {
                    assert_eq!(code, Some(1), "{what}: any branch could deploy");
                    assert!(said.contains("has no branch_policy rule (it has: required_reviewers)"), "{what}: {said}");
                }
                assert_eq!(
                    run("branch_policy", "").0,
                    Some(if scheduled { 0 } else { 1 }),
                    "{what}: no reviewer gates it"
                );
                // Where reviewers are not available, the person who runs the job is the gate;
                // the branch rule still holds.
                assert_eq!(run("branch_policy", "true").0, Some(0), "{what}");
                assert_eq!(run("", "true").0, Some(if gates_pull_requests { 0 } else { 1 }), "{what}");
                // Rules of every kind, and branches admitted otherwise than by one custom policy
                // naming the spec's branch: "all branches" (no rule), "protected branches" (any
                // protected branch's job), a pattern, a second branch, a tag, no branch at all.
                let rules = "required_reviewers branch_policy";
                let other_refs = [
                    ("all", only_branch.clone(), "admits all branches"),
                    ("protected", only_branch.clone(), "admits protected branches"),
                    ("selected", "branch:*".to_string(), "admits branch *, not the branch"),
                    ("selected", format!("{only_branch},branch:release/*"), "not the branch"),
                    ("selected", format!("{only_branch},tag:v*"), "not the branch"),
                    ("selected", format!("tag:{branch}"), "not the branch"),
                    ("selected", String::new(), "admits no branch, not the branch"),
                ];
                for (admits, policies, message) in &other_refs {
                    let (code, said) = run_admitting(rules, "", admits, policies);
                    if gates_pull_requests {
                        assert_eq!(code, Some(0), "{what}: {admits} {policies}: pull requests' refs run there");
                    } else {
                        assert_eq!(code, Some(1), "{what}: {admits} {policies}: another ref's job would sign in");
                        assert!(
                            said.contains(&format!("::error::The GitHub environment {environment} "))
                                && said.contains(message),
                            "{what}: {admits} {policies}: {said}"
                        );
                    }
                }
                if !gates_pull_requests {
                    assert_eq!(run_admitting(rules, "", "selected", &only_branch).0, Some(0), "{what}");
                }
                checked += 1;
            }
        }
        // Every deploy and every apply of Terraform runs in an environment (a variant whose
        // environments are all local has neither).
        let terraform = repo.root().join(".github/workflows/terraform.yml");
        if terraform.exists() {
            let wf = read_yaml(&terraform);
            for (id, job) in jobs(&wf).into_iter().filter(|(id, _)| id.contains("apply")) {
                // DEPLOY_BY_HAND: no push applies; a person runs the workflow.
                assert_eq!(
                    job["if"],
                    "(github.event_name == 'push' && vars.DEPLOY_BY_HAND != 'true') || github.event_name == 'workflow_dispatch'",
                    "{}: {id}",
                    v.name
                );
                assert!(job.get("environment").is_some(), "{}: {id}", v.name);
            }
        }
        assert!(checked >= 3, "{}: {checked} jobs in environments", v.name);
    }
}

/// cosign is the release the installer's pin was checked with (its default there), named in
/// every step that installs it, so that an update of the installer never moves it unseen.
#[test]
fn every_cosign_install_names_the_release_its_installers_pin_was_checked_with() {
    let pins: Vec<Value> =
        serde_json::from_slice(&std::fs::read(root().join("schemas/github-actions-pins.json")).expect("pins"))
            .expect("JSON");
    let notes = pins.iter().find(|p| p["action"] == "sigstore/cosign-installer").expect("the installer's pin")["notes"]
        .as_str()
        .expect("notes");
    let default = notes.split("(default ").nth(1).and_then(|t| t.split(',').next()).expect("the default release");
    let mut installs = 0;
    for v in variants().into_iter().filter(|v| ["reference", "gitops", "eks-environments"].contains(&v.name)) {
        let repo = Repo::new(&v);
        for file in repo.workflows() {
            let wf = read_yaml(&file);
            for (id, job) in jobs(&wf) {
                for step in steps(job) {
                    if step["uses"].as_str().is_some_and(|u| u.starts_with("sigstore/cosign-installer@")) {
                        assert_eq!(step["with"]["cosign-release"], default, "{}: {}: {id}", v.name, file.display());
                        installs += 1;
                    }
                }
            }
        }
    }
    // The signature (the build), and its check (a release's, a rollback's).
    assert!(installs >= 6, "{installs} installs of cosign");
}

/// Each apply applies only the plan its reviewers read: the job "Plan … for its reviewers"
/// hands on a digest of each root's changes, and the apply's own plan must make the same
/// changes (a no-op resource aside) or nothing of it is applied. Run on a stub `terraform`
/// whose plan says what `PLAN` holds.
#[test]
fn every_apply_applies_only_the_plan_its_reviewers_read() {
    let change = |address: &str, value: &str| serde_json::json!({"address": address, "change": {"actions": ["update"], "after": {"v": value}, "after_unknown": {}}});
    let noop =
        serde_json::json!({"address": "x.quiet", "change": {"actions": ["no-op"], "after": {}, "after_unknown": {}}});
    let reviewed = serde_json::json!({"resource_changes": [change("x.a", "1")]});
    let same = serde_json::json!({"resource_changes": [noop.clone(), change("x.a", "1")]});
    let other = serde_json::json!({"resource_changes": [change("x.a", "2")]});
    // A value the change leaves as it is, read differently by the preview's reader and the
    // apply's writer (a storage account's keys, which a Reader sees empty), and a sensitive
    // value the change writes: the same changes.
    let seen = |key: &str| {
        serde_json::json!({"resource_changes": [{"address": "x.a", "change": {"actions": ["update"],
            "before": {"v": "0", "key": key, "password": "old"}, "after": {"v": "1", "key": key, "password": key},
            "after_unknown": {}, "after_sensitive": {"password": true}}}]})
    };
    for v in variants() {
        let repo = Repo::new(&v);
        let file = repo.root().join(".github/workflows/terraform.yml");
        if !file.exists() {
            continue;
        }
        let wf = read_yaml(&file);
        let on_azure = std::fs::read_to_string(&file).expect("terraform.yml").contains("uses: azure/login@");
        let tmp = repo.root().join("runner");
        std::fs::create_dir_all(tmp.join("bin")).expect("bin");
        let terraform = tmp.join("bin/terraform");
        std::fs::write(
            &terraform,
            "#!/usr/bin/env bash\necho \"$*\" >> \"$CALLS\"\ncase \" $* \" in\n\
             *' workspace list '*) echo '* default'; echo \"  $WORKSPACE\" ;;\n\
             *' show -json '*) cat \"$PLAN\" ;;\n\
             *' plan '*) printf '  ~ v = \"````\"\\n' ;;\nesac\n",
        )
        .expect("stub");
        std::fs::set_permissions(&terraform, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        let run = |job: &Value, step: &Value, plan: &Value, reviewed: Option<&str>, platform_changed: &str| {
            for f in ["calls", "output", "summary", "plan.json"] {
                let _ = std::fs::remove_file(tmp.join(f));
            }
            std::fs::write(tmp.join("plan.json"), plan.to_string()).expect("plan");
            let mut cmd = Command::new("bash");
            // The workflow's env (the state's settings), an expression's value as any text.
            let workflow_env = wf["env"].as_object().expect("env").iter().map(|(k, v)| (k, v.as_str().unwrap_or("1")));
            cmd.envs(workflow_env)
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c"])
                .arg(step["run"].as_str().expect("run"))
                .env("PATH", format!("{}:{}", tmp.join("bin").display(), std::env::var("PATH").unwrap_or_default()))
                .env("ROOT", "terraform")
                .env("RUNNER_TEMP", &tmp)
                .env("GITHUB_OUTPUT", tmp.join("output"))
                .env("GITHUB_STEP_SUMMARY", tmp.join("summary"))
                .env("CALLS", tmp.join("calls"))
                .env("PLAN", tmp.join("plan.json"))
                .env("WORKSPACE", job["env"]["WORKSPACE"].as_str().unwrap_or("default"))
                .env("VAR_FILE", job["env"]["VAR_FILE"].as_str().unwrap_or(""));
            if let Some(r) = reviewed {
                cmd.env("REVIEWED", r);
            }
            cmd.env("PLATFORM_CHANGED", platform_changed);
            let out = cmd.output().expect("bash");
            let read = |f: &str| std::fs::read_to_string(tmp.join(f)).unwrap_or_default();
            let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
            (out.status.code(), said, read("calls"), read("output"))
        };
        let mut checked = 0;
        for (id, job) in jobs(&wf).into_iter().filter(|(id, _)| id.contains("apply")) {
            let preview_id = id.replace("apply", "preview");
            let preview = &wf["jobs"][&preview_id];
            let needs = job["needs"].as_array().map(|n| n.iter().filter_map(Value::as_str).collect::<Vec<_>>());
            let needs = needs.unwrap_or_else(|| vec![job["needs"].as_str().expect("needs")]);
            assert!(needs.contains(&preview_id.as_str()), "{}: {id} needs {preview_id}", v.name);
            for step in steps(preview).into_iter().filter(|s| s.get("id").is_some()) {
                let what = format!("{}: {preview_id}: {}", v.name, step["name"]);
                let key = step["id"].as_str().expect("id");
                assert_eq!(
                    preview["outputs"][key],
                    format!("${{{{ steps.{key}.outputs.digest }}}}").as_str(),
                    "{what}"
                );
                let preview_of = |plan: &Value| {
                    let (code, said, calls, output) = run(preview, step, plan, None, "");
                    assert_eq!(code, Some(0), "{what}: {said}");
                    // The plan's text, in a fence no run of backticks in it closes.
                    let summary = std::fs::read_to_string(tmp.join("summary")).unwrap_or_default();
                    assert!(summary.contains("\n`````\n  ~ v = \"````\"\n`````\n"), "{what}: {summary}");
                    assert!(calls.lines().any(|c| c.contains(" plan -lock=false")), "{what}: {calls}");
                    let value = |name: &str| {
                        output
                            .lines()
                            .find_map(|l| l.strip_prefix(&format!("{name}=")))
                            .unwrap_or_else(|| panic!("{what}: no {name} in {output}"))
                            .to_string()
                    };
                    (value("digest"), value("changes"))
                };
                let (digest, changes) = preview_of(&reviewed);
                let digest = digest.as_str();
                assert_eq!(digest.len(), 64, "{what}: {digest}");
                assert_eq!(changes, "true", "{what}");
                assert_eq!(preview_of(&serde_json::json!({"resource_changes": [noop]})).1, "false", "{what}");
                // On Azure, a plan that writes a lock is a person's (the apply identity writes
                // none): its preview stops, naming the lock, and hands on no digest.
                let lock = serde_json::json!({"resource_changes": [{"address": "module.backup.azurerm_management_lock.vault",
                    "type": "azurerm_management_lock", "change": {"actions": ["create"], "after": {"v": "1"}, "after_unknown": {}}}]});
                let (code, said, _, output) = run(preview, step, &lock, None, "");
                if on_azure {
                    assert_eq!(code, Some(1), "{what}: {said}");
                    assert!(said.contains("writes the lock module.backup.azurerm_management_lock.vault, which the apply identity may not"), "{what}: {said}");
                    assert!(!output.contains("digest="), "{what}: {output}");
                } else {
                    assert_eq!(code, Some(0), "{what}: {said}");
                }
                // The apply's step of the same root, given the preview's output.
                let apply_step = steps(job)
                    .into_iter()
                    .find(|s| s["name"] == step["name"])
                    .unwrap_or_else(|| panic!("{what}: no such step in {id}"));
                assert_eq!(
                    apply_step["env"]["REVIEWED"],
                    format!("${{{{ needs.{preview_id}.outputs.{key} }}}}").as_str(),
                    "{what}"
                );
                let applied = |calls: &str| calls.lines().any(|c| c.ends_with(" apply tfplan"));
                let (code, said, calls, _) = run(job, apply_step, &same, Some(digest), "false");
                assert_eq!(code, Some(0), "{what}: the plan the reviewers read: {said}");
                assert!(applied(&calls), "{what}: {calls}");
                let (code, said, calls, _) = run(job, apply_step, &other, Some(digest), "false");
                assert_eq!(code, Some(1), "{what}: another plan");
                assert!(!applied(&calls), "{what}: applied a plan no one read: {calls}");
                assert!(said.contains("is not the one the reviewers read"), "{what}: {said}");
                let (code, _, calls, _) = run(job, apply_step, &reviewed, Some(""), "false");
                assert_eq!(code, Some(1), "{what}: no preview");
                assert!(!applied(&calls), "{what}: {calls}");
                let (read, _) = preview_of(&seen(""));
                let (code, said, calls, _) = run(job, apply_step, &seen("a-key"), Some(&read), "false");
                assert_eq!(code, Some(0), "{what}: what the change leaves, read otherwise: {said}");
                assert!(applied(&calls), "{what}: {calls}");
                // cluster/, previewed before the platform root's apply: held to its preview
                // when that apply changed nothing, else applied as it plans after it.
                let cluster = key == "cluster";
                let (code, said, calls, _) = run(job, apply_step, &other, Some(digest), "true");
                assert_eq!(code, Some(if cluster { 0 } else { 1 }), "{what}: after a platform change: {said}");
                assert_eq!(applied(&calls), cluster, "{what}: {calls}");
                if cluster {
                    assert_eq!(
                        apply_step["env"]["PLATFORM_CHANGED"],
                        format!("${{{{ needs.{preview_id}.outputs.platform-changes }}}}").as_str(),
                        "{what}"
                    );
                    assert_eq!(
                        preview["outputs"]["platform-changes"], "${{ steps.platform.outputs.changes }}",
                        "{what}"
                    );
                }
                checked += 1;
            }
        }
        // The shared root and each environment's, and on EKS each cluster root: two at least
        // for one environment on ECS (no cluster root).
        assert!(checked >= if on_ecs(&v) { 2 } else { 3 }, "{}: {checked} roots", v.name);
    }
}

/// The digest a Terraform preview shows its reviewers, and the apply compares, counts an output
/// the plan changes alone: the cluster root reads the platform root's outputs, so a platform
/// plan that changes one is a change (the cluster root's apply then follows from it). An
/// output left as it is, or one whose sensitive value alone differs, changes nothing.
#[test]
fn a_terraform_plan_that_changes_an_output_alone_is_a_change_to_review() {
    let repo = Repo::new(&variants().into_iter().find(|v| v.name == "aws").expect("variant"));
    let wf = read_yaml(&repo.root().join(".github/workflows/terraform.yml"));
    let script = jobs(&wf)
        .iter()
        .flat_map(|(_, job)| steps(job))
        .filter_map(|s| s["run"].as_str())
        .find(|run| run.contains("plan_digest() {"))
        .expect("a step that digests a plan")
        .to_string();
    let start = script.find("plan_digest() {").expect("start");
    let function = &script[start..start + script[start..].find("\n}\n").expect("end") + 2];
    let digest = |plan: &serde_json::Value| {
        let dir = tempfile::tempdir().expect("tempdir");
        let json = dir.path().join("plan.json");
        std::fs::write(&json, plan.to_string()).expect("plan");
        let stub = dir.path().join("terraform");
        std::fs::write(&stub, format!("#!/bin/sh\ncat '{}'\n", json.display())).expect("stub");
        std::fs::set_permissions(&stub, std::os::unix::fs::PermissionsExt::from_mode(0o755)).expect("chmod");
        let out = Command::new("bash")
            .args(["-eo", "pipefail", "-c", &format!("{function}\nplan_digest root plan")])
            .env("PATH", format!("{}:{}", dir.path().display(), std::env::var("PATH").unwrap_or_default()))
            .output()
            .expect("bash");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    };
    let output = |actions: &str, after: serde_json::Value, sensitive: bool| {
        serde_json::json!({"resource_changes": [], "output_changes": {
            "in_cluster": {"actions": [actions], "after": after, "after_unknown": false, "after_sensitive": sensitive}
        }})
    };
    let nothing = digest(&serde_json::json!({"resource_changes": []}));
    assert_eq!(digest(&output("no-op", serde_json::json!({"metrics": "none"}), false)), nothing);
    let stack = digest(&output("update", serde_json::json!({"metrics": "kube-prometheus-stack"}), false));
    assert_ne!(stack, nothing, "an output changed alone is a change");
    assert_ne!(stack, digest(&output("update", serde_json::json!({"metrics": "none"}), false)));
    assert_eq!(
        digest(&output("update", serde_json::json!("one secret"), true)),
        digest(&output("update", serde_json::json!("another"), true)),
        "a sensitive value is not in the digest"
    );
}

/// Where kube-prometheus-stack runs in the cloud's cluster, the apply waits, after the cluster
/// root's, until prometheus-operator has Prometheus and Alertmanager running (Helm's wait ends
/// before the operator makes them), signed in to the cluster as the apply role or identity;
/// one that never runs fails the apply, saying where to look.
#[test]
fn an_apply_waits_until_prometheus_and_alertmanager_run_where_the_stack_is_the_clusters() {
    const STEP: &str = "Prometheus and Alertmanager run";
    // The operator's resource is reconciled at the generation $OBSERVED (3, its own, unless
    // said); `get` finds the StatefulSet at its third look; `rollout status` answers $ROLLOUT.
    const KUBECTL: &str = "case \"$*\" in\n\
        *' get prometheus/'*|*' get alertmanager/'*) printf '{\"metadata\":{\"generation\":3},\"status\":{\"conditions\":\
        [{\"type\":\"Available\",\"status\":\"True\",\"observedGeneration\":3},\
        {\"type\":\"Reconciled\",\"status\":\"True\",\"observedGeneration\":%s}]}}' \"${OBSERVED:-3}\" ;;\n\
        *' get statefulset '*) [ \"$(grep -c ' get statefulset ' \"$CALLS\")\" -ge 3 ] ;;\n\
        *'rollout status'*) exit \"${ROLLOUT:-0}\" ;;\n\
        *) exit 0 ;;\n\
        esac";
    for (name, sign_in) in
        [("aws", "aws eks update-kubeconfig"), ("aks-in-cluster-stack", "kubelogin convert-kubeconfig -l azurecli")]
    {
        let repo = Repo::new(&variants().into_iter().find(|v| v.name == name).expect("variant"));
        let wf = read_yaml(&repo.root().join(".github/workflows/terraform.yml"));
        let mut waits = 0;
        for (id, job) in jobs(&wf) {
            let names: Vec<&str> = steps(job).iter().filter_map(|s| s["name"].as_str()).collect();
            let Some(at) = names.iter().position(|n| *n == STEP) else { continue };
            waits += 1;
            assert!(id.starts_with("apply"), "{name}: {id}");
            // After the cluster root's apply; on Azure signed in again first (the CLI's token
            // may have expired during the apply).
            let before = if names[at - 1] == "Azure login (OIDC)" { names[at - 2] } else { names[at - 1] };
            assert!(before.starts_with("Cluster root"), "{name}: {id}: {names:?}");
            assert_eq!(names[at - 1] == "Azure login (OIDC)", name.starts_with("aks"), "{name}: {names:?}");
            let step = steps(job).into_iter().find(|s| s["name"] == STEP).expect("the step").clone();
            let stubs = [("kubectl", KUBECTL), ("aws", "exit 0"), ("az", "exit 0"), ("kubelogin", "exit 0")];
            let (code, said, calls) = run_with_stubs(&step, &stubs, &[]);
            assert_eq!(code, Some(0), "{name}: {said}\n{calls}");
            // Signed in before the first look at the cluster.
            let signed = calls.find(sign_in).expect("signed in");
            assert!(signed < calls.find("kubectl --namespace").expect("a look"), "{calls}");
            for set in
                ["prometheus-kube-prometheus-stack-prometheus", "alertmanager-kube-prometheus-stack-alertmanager"]
            {
                assert!(
                    calls.contains(&format!(
                        "kubectl --namespace monitoring rollout status statefulset/{set} --timeout=10m"
                    )),
                    "{calls}"
                );
            }
            // Each of the operator's resources is reconciled at its generation before the
            // rollouts are read.
            for kind in ["prometheus", "alertmanager"] {
                let asked =
                    format!("kubectl --namespace monitoring get {kind}/kube-prometheus-stack-{kind} --output json");
                assert!(calls.find(&asked).expect("asked") < calls.find("rollout status").expect("rollout"), "{calls}");
            }
            // A release the operator has not reconciled yet (the StatefulSet still the former
            // one, its rollout long complete) is no pass.
            let (code, said, calls) = run_with_stubs(&step, &stubs, &[("OBSERVED", "2")]);
            assert_eq!(code, Some(1), "{said}");
            assert!(said.contains("::error::prometheus-operator has not reconciled prometheus/"), "{said}");
            assert!(!calls.contains("rollout status"), "{calls}");
            let (code, said, _) = run_with_stubs(&step, &stubs, &[("ROLLOUT", "1")]);
            assert_eq!(code, Some(1), "{said}");
            assert!(
                said.contains(
                    "::error::prometheus-kube-prometheus-stack-prometheus does not run in monitoring (10 minutes of rollout)"
                ),
                "{said}"
            );
        }
        assert_eq!(waits, 1, "{name}: one apply of one cluster with the stack");
    }
    // A cluster whose metrics are managed Prometheus has no such wait.
    let repo = Repo::new(&variants().into_iter().find(|v| v.name == "environment").expect("variant"));
    let workflow = std::fs::read_to_string(repo.root().join(".github/workflows/terraform.yml")).expect("workflow");
    assert!(!workflow.contains(STEP), "managed Prometheus");
}

/// GitOps: what the branch holds is what Argo CD deploys, so every job that hands Argo CD a
/// release stops, after its environment's rules, unless the branch's active rulesets refuse
/// its deletion and force pushes and require a pull request approved by a code owner: a
/// push straight to the branch would otherwise deploy past every reviewer.
#[test]
fn a_gitops_release_stops_unless_the_branch_requires_a_code_owners_review() {
    const STEP: &str = "The branch has its ruleset";
    let full = r#"[{"type":"deletion"},{"type":"non_fast_forward"},
        {"type":"pull_request","parameters":{"required_approving_review_count":1,"require_code_owner_review":true}}]"#;
    let weak = r#"[{"type":"deletion"},{"type":"non_fast_forward"},
        {"type":"pull_request","parameters":{"required_approving_review_count":1,"require_code_owner_review":false}}]"#;
    let no_force = r#"[{"type":"deletion"},
        {"type":"pull_request","parameters":{"required_approving_review_count":2,"require_code_owner_review":true}}]"#;
    // gh answers with RULES through the step's own jq filter, and records the path asked.
    let gh = "#!/usr/bin/env bash\n[ \"$1\" = api ] && [ \"$2\" = --paginate ] && [ \"$4\" = --jq ] || exit 9\n\
              echo \"$3\" > \"$CALLS\"\nprintf '%s' \"$RULES\" | jq -r \"$5\"\n";
    let mut checked = 0;
    for v in variants().into_iter().chain(gitops_two_service_variants()) {
        let repo = Repo::new(&v);
        for file in repo.workflows() {
            let wf = read_workflow(&file);
            for (id, job) in jobs(&wf) {
                let steps = steps(job);
                if !steps.iter().any(|s| s["name"] == "Write the release") {
                    continue;
                }
                let what = format!("{}: {}: {id}", v.name, file.display());
                let step = steps.iter().find(|s| s["name"] == STEP).unwrap_or_else(|| panic!("{what}: no {STEP}"));
                assert_eq!(steps[1]["name"], STEP, "{what}: right after the environment's rules");
                let calls = repo.root().join("calls");
                for (rules, ok) in [(full, true), (weak, false), (no_force, false), ("[]", false)] {
                    let calls_at = calls.display().to_string();
                    let (success, output) = run_step(
                        &wf,
                        job,
                        step,
                        &[("gh", gh)],
                        &[("GITHUB_REPOSITORY", "acme/shop"), ("RULES", rules), ("CALLS", &calls_at)],
                    );
                    assert_eq!(success, ok, "{what}: {rules}\n{output}");
                    let branch = step["env"]["BRANCH"].as_str().expect("the branch");
                    if !ok {
                        let said = format!("::error::The branch {branch} lacks the active rule");
                        assert!(output.contains(&said), "{output}");
                    }
                    let asked = std::fs::read_to_string(&calls).expect("gh was asked");
                    assert_eq!(asked.trim(), format!("repos/acme/shop/rules/branches/{branch}"), "{what}");
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "only {checked} GitOps release jobs checked");
}

/// Each README's references to its own "Decisions" name a decision it gives, whatever the
/// cloud (the Azure README's section was once the only one: the AWS README named what it
/// did not have).
#[test]
fn every_decision_a_readme_names_is_in_it() {
    let mut checked = 0;
    for v in variants() {
        let repo = Repo::new(&v);
        let readme = repo.readme();
        let mut at = 0;
        while let Some(found) = readme[at..].find("Decisions, \"") {
            let start = at + found + "Decisions, \"".len();
            let name = &readme[start..start + readme[start..].find('"').expect("closing quote")];
            assert!(readme.contains(&format!("- **{name}")), "{}: Decisions, \"{name}\" is not in its README", v.name);
            checked += 1;
            at = start;
        }
    }
    assert!(checked > 10, "only {checked} references checked");
}
