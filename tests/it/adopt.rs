//! `gen init --from DIR`: the spec of an existing repository. Each of the four seeds' hand-written
//! deployments (tests/fixtures/adopt/seedNNN, a small repository made from what the seed's README
//! shows) is adopted: the spec states what its files state, each value with its file and line,
//! what cannot be read is a located TODO, and the spec lints and renders a deployment of the same
//! service. Nothing under DIR is written; hostile files are noted and skipped.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{Gen, Run, fixture};

/// A copy of a seed's repository in a temporary folder (`dot-git`, `dot-github` become `.git`
/// and `.github`: the fixture cannot hold them under their own names).
fn seed(n: u32) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&fixture(&format!("adopt/seed{n:03}")), dir.path());
    dir
}

fn copy(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).min_depth(1) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(from).expect("inside").to_string_lossy().into_owned();
        let rel = rel.replace("dot-git", ".git").replace("dot-github", ".github");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Every file, link and folder under `dir` with its bytes (a link: its target).
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .follow_links(false)
        .into_iter()
        .flatten()
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            let bytes = if e.file_type().is_symlink() {
                std::fs::read_link(e.path()).expect("link").to_string_lossy().into_owned().into_bytes()
            } else if e.file_type().is_file() {
                std::fs::read(e.path()).expect("read")
            } else {
                b"<folder>".to_vec()
            };
            (rel, bytes)
        })
        .collect()
}

/// `gen init --from DIR --out DIR/adopted.yaml`, and the spec it wrote, removed from DIR (the
/// tree under DIR is as it was).
fn adopt(dir: &Path, args: &[&str]) -> (Run, String) {
    let spec = dir.join("adopted.yaml");
    let run = Gen::new().args(["init", "--from"]).arg(dir).arg("--out").arg(&spec).args(args).run();
    let text = std::fs::read_to_string(&spec).unwrap_or_default();
    let _ = std::fs::remove_file(&spec);
    (run, text)
}

/// Asserts that the spec writes `line` (`key: value`, as written) with `# from SOURCE`.
#[track_caller]
fn says(spec: &str, line: &str, source: &str) {
    let written: Vec<&str> = spec.lines().filter(|l| l.trim_start().starts_with(line)).collect();
    assert!(!written.is_empty(), "the spec does not write `{line}`:\n{spec}");
    assert!(
        written.iter().any(|l| l
            .split_once(&format!("# from {source}"))
            .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with(' '))),
        "`{line}` does not say it is from {source}: {written:?}\n{spec}"
    );
}

/// Asserts that the spec's comments say `what` (wrapped over lines or not).
#[track_caller]
fn said(spec: &str, what: &str) {
    let joined: String =
        spec.lines().map(|l| l.trim_start().trim_start_matches('#').trim()).collect::<Vec<_>>().join(" ");
    assert!(joined.contains(what), "the spec does not say `{what}`:\n{spec}");
}

/// Asserts that a TODO of the spec says `what`.
#[track_caller]
fn todo(spec: &str, what: &str) {
    // A TODO may be wrapped over comment lines: joined, they say it.
    let joined: String =
        spec.lines().map(|l| l.trim_start().trim_start_matches('#').trim()).collect::<Vec<_>>().join(" ");
    assert!(spec.contains("# TODO(gen init --from):"), "no TODO:\n{spec}");
    assert!(joined.contains(what), "no TODO says `{what}`:\n{spec}");
}

#[test]
fn seed001_aks_terraform_chart_and_workflow_are_read_with_their_sources() {
    let dir = seed(1);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "name: \"flask-on-aks\"", ".git/config:6");
    says(&spec, "repository: \"acme/flask-on-aks\"", ".git/config:6");
    says(&spec, "branch: \"main\"", ".github/workflows/deploy.yml:4");
    says(&spec, "location: \"westeurope\"", "terraform/variables.tf:8");
    says(&spec, "resourceGroup: \"flask-app-rg\"", "terraform/variables.tf:3");
    says(&spec, "name: \"flask-aks\"", "terraform/main.tf:26");
    says(&spec, "vmSize: \"Standard_D2ds_v5\"", "terraform/variables.tf:13");
    says(&spec, "minCount: 1", "terraform/main.tf:36");
    says(&spec, "maxCount: 3", "terraform/main.tf:37");
    says(&spec, "name: \"flaskappacr\"", "terraform/main.tf:47");
    says(&spec, "zone: \"flask-test.example.org\"", "terraform/main.tf:54");
    says(&spec, "storageAccount: \"flaskappstate01\"", "terraform/main.tf:10");
    says(&spec, "- name: \"flask-application\"", "flask-application-helm-chart/Chart.yaml:2");
    says(&spec, "port: 5000", "flask-application-helm-chart/values.yaml:18");
    says(&spec, "replicas: 2", "flask-application-helm-chart/values.yaml:1");
    says(&spec, "host: \"flask.flask-test.example.org\"", "flask-application-helm-chart/values.yaml:27");
    says(&spec, "path: \"/flask-app\"", "flask-application-helm-chart/values.yaml:29");
    says(&spec, "stripPrefix: true", "flask-application-helm-chart/values.yaml:25");
    says(&spec, "pythonVersion: \"3.12\"", "Dockerfile:1");
    // The Terraform's Kubernetes version is one AKS no longer runs: refused, with gen's default.
    todo(&spec, "gen refuses `kubernetesVersion: \"1.34\"` (from terraform/main.tf:30)");
    assert!(run.stderr.contains("kubernetesVersion"), "{}", run.stderr);
}

#[test]
fn seed002_minikube_manifests_and_an_unbuilt_python_are_read() {
    let dir = seed(2);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(spec.contains("\n  local:\n"), "a local platform:\n{spec}");
    says(&spec, "- name: \"flask-app\"", "k8s/deployment.yaml:4");
    says(&spec, "replicas: 3", "k8s/deployment.yaml:6");
    says(&spec, "port: 5000", "k8s/deployment.yaml:23");
    says(&spec, "cpu: \"500m\"", "k8s/deployment.yaml:21");
    says(&spec, "memory: \"128Mi\"", "k8s/deployment.yaml:20");
    says(&spec, "path: \"/\"", "k8s/ingress.yaml:10");
    todo(&spec, "docker-files/Dockerfile:1 builds on python:3.10-alpine: Python 3.10");
    assert!(spec.contains("k8s/ingress.yaml:7 routed the host atuls-fav-athlete.192.168.49.2.nip.io"), "{spec}");
}

#[test]
fn seed003_aws_is_a_todo_that_says_it_is_not_a_platform_yet() {
    let dir = seed(3);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(&spec, "ecs/task-definition.json:1 deploys to AWS, which is not a gen platform yet");
    assert!(spec.contains("\n  local:\n"), "{spec}");
    says(&spec, "- name: \"python-web-app\"", "app-k8.yaml:4");
    says(&spec, "port: 5000", "app-k8.yaml:19");
    says(&spec, "replicas: 2", "app-k8.yaml:6");
    says(&spec, "pythonVersion: \"3.11\"", "Dockerfile:1");
    // Its Service was a load balancer: said, with what gen does instead.
    todo(
        &spec,
        "app-k8.yaml:26: the Service `python-web-app` is a LoadBalancer, which exposed the app itself on port 80",
    );
    todo(&spec, "exposes the app through the ingress: write ingress: with the host");
}

#[test]
fn seed004_notejam_s_secret_claim_and_autoscaler_are_read_and_no_value_of_the_secret_is() {
    let dir = seed(4);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "- name: \"notejam\"", "sample/flask/notejam-deployment.yaml:4");
    says(&spec, "replicas: 1", "sample/flask/notejam-deployment.yaml:6");
    says(&spec, "port: 5000", "sample/flask/notejam-deployment.yaml:19");
    says(&spec, "cpu: \"200m\"", "sample/flask/notejam-deployment.yaml:33");
    says(&spec, "minReplicas: 1", "sample/flask/notejam-hpa.yaml:10");
    says(&spec, "maxReplicas: 5", "sample/flask/notejam-hpa.yaml:11");
    says(&spec, "cpuUtilization: 50", "sample/flask/notejam-hpa.yaml:12");
    says(&spec, "size: \"1Gi\"", "sample/flask/notejam-pvc.yaml:10");
    says(&spec, "mountPath: \"/app/data\"", "sample/flask/notejam-deployment.yaml:40");
    says(&spec, "accessMode: \"ReadWriteOnce\"", "sample/flask/notejam-pvc.yaml:7");
    says(&spec, "\"FLASK_ENV\": \"production\"", "sample/flask/notejam-deployment.yaml:21");
    says(&spec, "- \"DATABASE_URL\"", "sample/flask/notejam-deployment.yaml:23");
    says(&spec, "- \"DB_PASSWORD\"", "sample/flask/notejam-secret.yaml:7");
    says(&spec, "- \"SECRET_KEY\"", "sample/flask/notejam-secret.yaml:8");
    todo(&spec, "sample/flask/Dockerfile:1 builds on python:3.8-alpine: Python 3.8");
    for value in ["hunter2", "correct-horse-battery-staple"] {
        assert!(!spec.contains(value) && !run.stderr.contains(value) && !run.stdout.contains(value), "{value} copied");
    }
}

/// The code's folder, entry point and requirements of each seed, as `source:` and `params`.
/// Waits on `services[].source` and `params.entrypoint`/`requirements` landing in the spec
/// schema and the flask blueprint: until then gen refuses them and they are TODOs.
#[test]
fn each_seed_s_code_stays_where_it_is_as_source_and_entrypoint() {
    for (n, source, source_from, entry, entry_from) in [
        (1, "app", "Dockerfile:3", "run:app", "Dockerfile:18"),
        (2, "docker-files", "docker-files/Dockerfile:3", "app:app", "docker-files/app.py:3"),
        (3, ".", "Dockerfile:5", "wsgi:application", "Dockerfile:7"),
        (4, "sample/flask", "sample/flask/Dockerfile:3", "runserver:app", "sample/flask/runserver.py:1"),
    ] {
        let dir = seed(n);
        let (run, spec) = adopt(dir.path(), &[]);
        assert_eq!(run.code, 0, "seed {n}: {}", run.stderr);
        says(&spec, &format!("source: \"{source}\""), source_from);
        says(&spec, &format!("entrypoint: \"{entry}\""), entry_from);
        assert!(spec.contains("requirements: \"requirements.txt\""), "seed {n}:\n{spec}");
    }
}

/// Each seed's spec lints without an error, and renders the same service: its port, replicas,
/// host and volume. Waits on `source` and `params.entrypoint` (see above) for the render to
/// build the code where it is.
#[test]
fn each_seed_s_spec_lints_and_renders_the_same_service() {
    for (n, source, service, port, replicas, host, volume) in [
        (1, "app", "flask-application", 5000, Some(2), Some("flask.flask-test.example.org"), None),
        (2, "docker-files", "flask-app", 5000, Some(3), None, None),
        (3, ".", "python-web-app", 5000, Some(2), None, None),
        (4, "sample/flask", "notejam", 5000, None, None, Some("1Gi")),
    ] {
        let dir = seed(n);
        let spec = dir.path().join("spec.yaml");
        let run = Gen::new().args(["init", "--from"]).arg(dir.path()).run();
        assert_eq!(run.code, 0, "seed {n}: {}", run.stderr);
        let lint = Gen::new().args(["lint", "--format", "json"]).arg(&spec).run();
        only_at_todos(dir.path(), &lint, n);
        // The TODOs about the code settled as its owner would: its requirements locked with
        // hashes, and a requirements-dev.txt for gen's test job.
        settle_locks(dir.path(), source);
        // gen refuses a spec whose TODOs are not settled (SPEC170); the owner settles the rest by
        // confirming what each stands at, which deletes it.
        let out = tempfile::tempdir().expect("tempdir");
        let refused = Gen::new().args(["render"]).arg(&spec).arg("--out").arg(out.path()).run();
        assert_eq!(refused.code, 2, "seed {n}: {}", refused.stderr);
        assert!(refused.stderr.contains("SPEC170"), "seed {n}: {}", refused.stderr);
        confirm_todos(&spec);
        let render = Gen::new().args(["render"]).arg(&spec).arg("--out").arg(out.path()).run();
        assert_eq!(render.code, 0, "seed {n}: {}", render.stderr);
        let manifests: String = walkdir::WalkDir::new(out.path().join("manifests").join(service))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .map(|e| std::fs::read_to_string(e.path()).unwrap_or_default())
            .collect();
        assert!(manifests.contains(&format!("containerPort: {port}")), "seed {n}: port");
        if let Some(r) = replicas {
            assert!(manifests.contains(&format!("replicas: {r}")), "seed {n}: replicas {r}");
        }
        if let Some(h) = host {
            assert!(manifests.contains(h), "seed {n}: host {h}");
        }
        if let Some(v) = volume {
            assert!(manifests.contains(&format!("storage: \"{v}\"")), "seed {n}: volume {v}");
        }
    }
}

/// Deletes each `TODO(gen init --from)` comment of the spec at `path`, with the lines that go on
/// with it: its owner has settled what it stands at.
fn confirm_todos(path: &Path) {
    let text = std::fs::read_to_string(path).expect("spec");
    let mut kept = Vec::new();
    let mut in_todo = false;
    for line in text.lines() {
        let comment = line.trim_start();
        if comment.starts_with("# TODO(gen init --from)") {
            in_todo = true;
            continue;
        }
        if in_todo && comment.starts_with("#  ") {
            continue;
        }
        in_todo = false;
        kept.push(line.split("  # TODO(gen init --from)").next().unwrap_or(line));
    }
    std::fs::write(path, kept.join("\n") + "\n").expect("spec");
}

/// Locks the requirements of the code at `source` with (made-up) hashes, gunicorn among them,
/// and writes a locked requirements-dev.txt: what the spec's TODOs ask of the code's owner.
fn settle_locks(dir: &Path, source: &str) {
    let folder = dir.join(source);
    let hash = format!("--hash=sha256:{}", "0".repeat(64));
    let requirements = std::fs::read_to_string(folder.join("requirements.txt")).expect("requirements");
    // gen's image runs gunicorn, and prometheus-client for its metrics: the owner adds them
    // (gunicorn where the team's image installed it apart).
    let gunicorn = if requirements.to_ascii_lowercase().contains("gunicorn") { "" } else { "gunicorn==23.0.0\n" };
    let locked: String = format!("{requirements}\n{gunicorn}prometheus-client==0.26.0\n")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| format!("{l} \\\n    {hash}\n"))
        .collect();
    std::fs::write(folder.join("requirements.txt"), locked).expect("write");
    std::fs::write(folder.join("requirements-dev.txt"), format!("pytest==8.3.3 \\\n    {hash}\n")).expect("write");
}

/// Asserts that every error `gen lint` reports is where the spec has a TODO: at the line under
/// a TODO of the spec, or in a repository file a TODO names (an unlocked requirements file).
#[track_caller]
fn only_at_todos(dir: &Path, lint: &Run, n: u32) {
    let spec = std::fs::read_to_string(dir.join("spec.yaml")).expect("spec");
    let lines: Vec<&str> = spec.lines().collect();
    let todos: String = lines.iter().filter(|l| l.trim_start().starts_with('#')).copied().collect::<Vec<_>>().join(" ");
    let report: serde_json::Value =
        serde_json::from_str(&lint.stdout).unwrap_or_else(|e| panic!("{e}: {}", lint.stdout));
    for d in report["diagnostics"].as_array().expect("diagnostics") {
        if d["severity"] != "error" {
            continue;
        }
        let file = d["file"].as_str().unwrap_or_default();
        let line = d["location"]["line"].as_u64().unwrap_or(0) as usize;
        let at_todo = if file.ends_with("spec.yaml") {
            // The finding's line (SPEC170: the TODO itself), or the comment lines just above
            // it, hold a TODO.
            lines.get(line.saturating_sub(1)).is_some_and(|l| l.contains("TODO(gen init --from)"))
                || lines[..line.saturating_sub(1)]
                    .iter()
                    .rev()
                    .take_while(|l| l.trim_start().starts_with('#'))
                    .any(|l| l.contains("TODO(gen init --from)"))
        } else {
            let rel =
                Path::new(file).strip_prefix(dir).map(|p| p.to_string_lossy().into_owned()).unwrap_or(file.into());
            todos.contains(&rel)
        };
        assert!(at_todo, "seed {n}: {} at {file}:{line} is not where a TODO is:\n{spec}", d["code"]);
    }
}

#[test]
fn a_password_in_compose_and_a_manifest_is_a_secret_name_never_its_value() {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(
        "docker-compose.yml",
        "services:\n  web:\n    build: .\n    ports: [\"8000:5000\"]\n    environment:\n      PASSWORD: hunter2\n      \
         DATABASE_URL: postgres://app:hunter2@db/app\n      LOG_LEVEL: info\n  db:\n    image: postgres:16\n    \
         environment:\n      POSTGRES_PASSWORD: hunter2\n",
    );
    write(
        "k8s/web.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec:\n  template:\n    spec:\n      \
         containers:\n        - name: web\n          image: acme/web:1\n          ports: [{containerPort: 8000}]\n          \
         env:\n            - {name: API_TOKEN, value: hunter2}\n            - {name: SENTRY_DSN, value: \"https://k@sentry.io/1\"}\n",
    );
    write("Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n");
    write("app.py", "from flask import Flask\napp = Flask(__name__)\n");
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for name in ["PASSWORD", "DATABASE_URL", "API_TOKEN", "SENTRY_DSN"] {
        assert!(spec.contains(&format!("- \"{name}\"")), "{name} is a secretEnv name:\n{spec}");
    }
    says(&spec, "\"LOG_LEVEL\": \"info\"", "docker-compose.yml:8");
    assert!(!spec.contains("hunter2") && !run.stderr.contains("hunter2"), "a value was copied:\n{spec}");
    // compose (5000) and the Deployment (8000) disagree: the cluster's manifest wins, said both ways.
    says(&spec, "port: 8000", "k8s/web.yaml:10");
    assert!(spec.contains("docker-compose.yml:4 says 5000"), "{spec}");
    assert!(run.stderr.contains("k8s/web.yaml:10 says 8000, docker-compose.yml:4 says 5000"), "{}", run.stderr);
    assert!(spec.contains("compose service `db`"), "the database is a dependency:\n{spec}");
}

#[test]
fn hostile_files_are_noted_and_skipped_and_the_spec_is_written() {
    let dir = seed(2);
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::write(outside.path().join("secret.yaml"), "apiVersion: v1\nkind: Secret\n").expect("write");
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(outside.path().join("secret.yaml"), dir.path().join("k8s/out.yaml")).expect("link");
        std::os::unix::fs::symlink(dir.path(), dir.path().join("k8s/loop")).expect("link");
    }
    std::fs::write(dir.path().join("k8s/huge.yaml"), vec![b'#'; 5 * 1024 * 1024]).expect("write");
    std::fs::write(dir.path().join("Dockerfile"), b"\x7fELF\x02\x01\x01\0\0\0binary").expect("write");
    std::fs::write(dir.path().join("k8s/broken.yaml"), "apiVersion: v1\nkind: Service\nmetadata: {name: [\n")
        .expect("write");
    let mut deep = dir.path().to_path_buf();
    for i in 0..40 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).expect("mkdir");
    std::fs::write(deep.join("Dockerfile"), "FROM scratch\n").expect("write");
    let before = tree(dir.path());
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    for noted in
        ["skipped k8s/huge.yaml", "skipped Dockerfile: a binary file", "skipped k8s/broken.yaml", "deeper than"]
    {
        assert!(run.stderr.contains(noted), "`{noted}` not noted:\n{}", run.stderr);
    }
    #[cfg(unix)]
    assert!(run.stderr.contains("skipped k8s/out.yaml: a link out of the repository"), "{}", run.stderr);
    says(&spec, "replicas: 3", "k8s/deployment.yaml:6");
    assert_eq!(tree(dir.path()), before, "something under DIR changed");
}

#[test]
fn nothing_under_dir_is_written_and_the_default_spec_is_its_one_new_file() {
    let dir = seed(4);
    let before = tree(dir.path());
    let (run, _spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(tree(dir.path()), before);
    // Without --out, DIR/spec.yaml is written, and only when absent.
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let mut after = tree(dir.path());
    assert!(after.remove("spec.yaml").is_some());
    assert_eq!(after, before);
    let again = Gen::new().args(["init", "--from"]).arg(dir.path()).run();
    assert_eq!(again.code, 2, "{}", again.stderr);
    assert!(again.stderr.contains("exists; use --overwrite"), "{}", again.stderr);
}

#[test]
fn bad_arguments_are_said_with_exit_2_and_nothing_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("file");
    std::fs::write(&file, "x").expect("write");
    for (args, says) in [
        (vec![PathBuf::from("init"), "--from".into(), dir.path().join("missing")], "does not exist"),
        (vec![PathBuf::from("init"), "--from".into(), file.clone()], "is not a folder"),
        (
            vec![PathBuf::from("init"), "--from".into(), dir.path().into(), "--out".into(), dir.path().into()],
            "is a folder",
        ),
        (
            vec![PathBuf::from("init"), "--from".into(), dir.path().into(), "--blueprint".into(), "other".into()],
            "flask",
        ),
    ] {
        let before = tree(dir.path());
        let run = Gen::new().args(&args).run();
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(says), "{args:?}: {}", run.stderr);
        assert_eq!(tree(dir.path()), before, "{args:?} wrote");
    }
}

#[test]
fn an_empty_folder_gives_a_spec_of_todos() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(&spec, "no service found");
}

/// A repository of `n` files shaped like a real one: a package of modules, templates, static
/// files, manifests and a Dockerfile. `benches/adopt.sh` times `gen init --from` on it.
pub fn generate_repository(dir: &Path, n: usize) {
    let write = |rel: String, text: &str| {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    };
    write(
        "Dockerfile".into(),
        "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nEXPOSE 8000\nCMD [\"gunicorn\", \"shop:create_app()\"]\n",
    );
    write("requirements.txt".into(), "Flask==3.0.3\n");
    write("shop/__init__.py".into(), "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n");
    write(
        "k8s/deployment.yaml".into(),
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: shop}\nspec:\n  replicas: 2\n  template:\n    spec:\n      \
         containers: [{name: shop, image: acme/shop:1, ports: [{containerPort: 8000}]}]\n",
    );
    for i in 0..n.saturating_sub(4) {
        match i % 4 {
            0 => write(format!("shop/views/v{i}.py"), "from shop import create_app\n\ndef view():\n    return 'ok'\n"),
            1 => write(format!("shop/templates/t{i}.html"), "<p>{{ x }}</p>\n"),
            2 => write(format!("shop/static/s{i}.css"), "p { color: red }\n"),
            _ => write(
                format!("k8s/extra/c{i}.yaml"),
                &format!("apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c{i}}}\ndata: {{a: b}}\n"),
            ),
        }
    }
}

/// A thousand-file repository is read whole; the time is `benches/adopt.sh`'s to measure (a
/// timed test would fail on a loaded machine): here only a bound against a hang.
#[test]
fn a_thousand_file_repository_is_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate_repository(dir.path(), 1000);
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).run_within(std::time::Duration::from_secs(120));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("files of"), "{}", run.stdout);
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    says(&spec, "port: 8000", "k8s/deployment.yaml:8");
}

#[test]
fn compare_says_per_family_which_findings_of_the_team_s_files_go_away_and_writes_only_the_spec() {
    let dir = seed(4);
    let before = tree(dir.path());
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).arg("--compare").run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // The team's Dockerfile runs as root with Flask's development server; gen's does neither.
    let dockerfile = run.stdout.lines().find(|l| l.trim_start().starts_with("dockerfile:")).expect("dockerfile line");
    assert!(dockerfile.contains("in 1 file; gen's 1 file, 0 findings"), "{}", run.stdout);
    let gone = run.stdout.lines().find(|l| l.contains("gone in gen's: DF001 runs-as-root")).expect("gone");
    assert!(gone.contains("DF013 development-server"), "{}", run.stdout);
    assert!(run.stdout.contains("kubernetes: yours 13 findings in 1 file; gen's"), "{}", run.stdout);
    // Nothing under the repository changed; the spec is the one file added.
    let mut after = tree(dir.path());
    assert!(after.remove("spec.yaml").is_some());
    assert_eq!(after, before);
    // Without --from there is nothing to compare: a usage error.
    let alone = Gen::new().args(["init", "--compare"]).current_dir(dir.path()).run();
    assert_eq!(alone.code, 2, "{}", alone.stderr);
}

/// A repository of `files` (path, text) in a temporary folder.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (rel, text) in files {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// A Deployment of `web` whose container says `probes` (YAML lines at the container's indent).
fn deployment_with(probes: &str) -> String {
    format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n      containers:\n\
         \x20       - name: web\n          image: acme/web:1\n          ports: [{{containerPort: 8000}}]\n{probes}"
    )
}

const APP: &str = "from flask import Flask\napp = Flask(__name__)\n";

#[test]
fn one_probe_read_serves_for_both_and_a_tcp_probe_is_a_todo() {
    let dir = repository(&[
        ("k8s/web.yaml", &deployment_with("          readinessProbe:\n            httpGet: {path: /up, port: 8000}\n")),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "readiness: \"/up\"", "k8s/web.yaml:13");
    // The liveness probe asks the path the readiness probe asks, and says so.
    says(&spec, "liveness: \"/up\"", "k8s/web.yaml:13");
    assert!(spec.contains("(the readiness path: no liveness probe or route was read)"), "{spec}");
    assert!(!spec.contains("/healthz"), "gen's path is not invented:\n{spec}");

    let dir = repository(&[
        ("k8s/web.yaml", &deployment_with("          livenessProbe:\n            tcpSocket: {port: 8000}\n")),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(&spec, "k8s/web.yaml:13: the liveness probe is a tcpSocket probe, and gen probes over HTTP");
}

#[test]
fn without_a_probe_the_code_s_health_route_is_read_or_a_todo_says_what_to_serve() {
    let served =
        "from flask import Flask\napp = Flask(__name__)\n\n\n@app.route(\"/ping\")\ndef ping():\n    return \"ok\"\n";
    let dir = repository(&[
        ("k8s/web.yaml", &deployment_with("")),
        ("app.py", served),
        ("tests/test_app.py", "def test_ready(client):\n    client.get(\"/readyz\")\n"),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "liveness: \"/ping\"", "app.py:5");
    says(&spec, "readiness: \"/ping\"", "app.py:5");

    let dir = repository(&[("k8s/web.yaml", &deployment_with("")), ("app.py", APP)]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(&spec, "the pods never become Ready unless the app serves them");
    assert!(!spec.lines().any(|l| l.trim_start().starts_with("health:")), "{spec}");
}

#[test]
fn the_entrypoint_is_read_past_wrappers_and_flags_and_a_test_s_app_is_not_the_service_s() {
    let factory = "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n";
    for (dockerfile, entry) in [
        // An entrypoint script hands over to CMD (shell form: Docker runs it with `sh -c`).
        (
            "ENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD gunicorn --workers 4 --bind 0.0.0.0:8000 pkg.wsgi:create_app()\n",
            "pkg.wsgi:create_app()",
        ),
        // gunicorn's flags that take no value do not take the app as theirs.
        ("CMD [\"gunicorn\", \"--no-sendfile\", \"--reuse-port\", \"-w\", \"4\", \"pkg.wsgi:app\"]\n", "pkg.wsgi:app"),
        (
            "ENTRYPOINT [\"/usr/bin/tini\", \"--\"]\nCMD [\"sh\", \"-c\", \"exec gunicorn --preload --spew pkg.wsgi:app\"]\n",
            "pkg.wsgi:app",
        ),
        (
            "ENTRYPOINT [\"dumb-init\", \"--\", \"gosu\", \"app\", \"gunicorn\", \"--check-config\", \"pkg.wsgi:app\"]\n",
            "pkg.wsgi:app",
        ),
    ] {
        let dir = repository(&[
            ("Dockerfile", &format!("FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\n{dockerfile}")),
            ("docker-entrypoint.sh", "#!/bin/sh\nset -e\nexec \"$@\"\n"),
            ("pkg/__init__.py", ""),
            ("pkg/wsgi.py", factory),
            ("conftest.py", "from pkg.wsgi import create_app\napp = create_app()\n"),
            ("test_views.py", "from flask import Flask\napp = Flask(__name__)\n"),
        ]);
        let (run, spec) = adopt(dir.path(), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let line = 4 + dockerfile.lines().count() - 1;
        says(&spec, &format!("entrypoint: \"{entry}\""), &format!("Dockerfile:{line}"));
        assert!(!spec.contains("conftest") && !spec.contains("test_views"), "{dockerfile}:\n{spec}");
    }
    // With no command but the code's, a test's app is not the service's.
    let dir = repository(&[
        ("pkg/__init__.py", ""),
        ("pkg/wsgi.py", factory),
        ("conftest.py", "from pkg.wsgi import create_app\napp = create_app()\n"),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "entrypoint: \"wsgi:create_app()\"", "pkg/wsgi.py:4");
}

#[test]
fn steps_the_image_runs_besides_the_app_are_todos_that_name_them() {
    let dir = repository(&[
        (
            "Dockerfile",
            "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\nRUN python db.py\n\
             ENTRYPOINT [\"docker-entrypoint.sh\"]\nCMD [\"gunicorn\", \"app:app\"]\n",
        ),
        ("docker-entrypoint.sh", "#!/bin/sh\nset -e\nflask db upgrade\nexec \"$@\"\n"),
        ("app.py", APP),
        ("db.py", "print('create tables')\n"),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(&spec, "docker-entrypoint.sh:3 runs `flask db upgrade` before the app starts");
    todo(&spec, "Dockerfile:5 runs `python db.py` while the image is built");
    todo(&spec, "gen's image runs gunicorn only");
    assert!(!spec.contains("pip install"), "an install is no step of the app's:\n{spec}");
    says(&spec, "entrypoint: \"app:app\"", "Dockerfile:7");
}

#[test]
fn compose_s_shell_variables_worker_and_laptop_values_do_not_become_the_service_s() {
    let dir = repository(&[
        (
            "Dockerfile",
            "FROM python:3.12-slim\nENV APP_ENV=production PYTHONPATH=/app\nWORKDIR /app\nCOPY . .\n\
             CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]\n",
        ),
        (
            "docker-compose.yml",
            "services:\n  api:\n    build: .\n    ports: [\"8000:8000\"]\n    environment:\n      - APP_ENV=development\n      \
             - SHOP_URL=${SHOP_URL}\n      - API_BASE=${API_BASE:-http://api:8000}\n  worker:\n    build: .\n    \
             command: celery -A app.tasks worker\n    environment:\n      REDIS_URL: redis://cache:6379/0\n",
        ),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The image's production value, not the laptop's; said both ways.
    says(&spec, "\"APP_ENV\": \"production\"", "Dockerfile:2");
    said(&spec, "Dockerfile:2 says production, docker-compose.yml:6 says development");
    assert!(!spec.contains("PYTHONPATH"), "the image's plumbing is not the app's env:\n{spec}");
    // A shell variable is no value: a TODO names it; a default is written, said as such.
    assert!(!spec.contains("${SHOP_URL}\""), "{spec}");
    todo(&spec, "docker-compose.yml:7: compose sets SHOP_URL from the shell's $SHOP_URL");
    says(&spec, "\"API_BASE\": \"http://api:8000\"", "docker-compose.yml:8");
    said(&spec, "or else `http://api:8000`: its default is written under env");
    // The worker is said, not merged into the web service.
    assert!(!spec.contains("REDIS_URL"), "the worker's env is not the service's:\n{spec}");
    todo(&spec, "compose service `worker` runs `celery -A app.tasks worker`, a worker, not the web app");
    assert_eq!(spec.matches("blueprint: flask").count(), 1, "{spec}");
}

#[test]
fn a_spec_in_a_folder_of_the_repository_names_the_code_from_there_and_one_outside_is_refused() {
    let files = [
        ("services/api/Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD [\"gunicorn\", \"app:app\"]\n"),
        ("services/api/app.py", APP),
        ("services/api/requirements.txt", "flask==3.0.3\n"),
    ];
    // In the folder above the code: source is the code's folder from there, which gen finds.
    let dir = repository(&files);
    let spec = dir.path().join("services").join("spec.yaml");
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).arg("--out").arg(&spec).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&spec).expect("spec");
    says(&text, "source: \"api\"", "services/api/Dockerfile:3");
    let lint = Gen::new().args(["lint"]).arg(&spec).run();
    assert!(!lint.stdout.contains("does not exist") && !lint.stderr.contains("does not exist"), "{}", lint.stdout);
    // In a folder beside the code: no `..` can lead to it; a TODO says where the spec can be.
    let dir = repository(&files);
    let spec = dir.path().join("deploy").join("spec.yaml");
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).arg("--out").arg(&spec).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = std::fs::read_to_string(&spec).expect("spec");
    todo(&text, "the code is in services/api (services/api/Dockerfile:3), which is not under the spec's folder deploy");
    assert!(!text.lines().any(|l| l.trim_start().starts_with("source:")), "{text}");
    // Outside the repository: refused, nothing written.
    let dir = repository(&files);
    let out = tempfile::tempdir().expect("tempdir");
    let before = tree(dir.path());
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).arg("--out").arg(out.path().join("spec.yaml")).run();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("the spec must sit inside the repository it describes"), "{}", run.stderr);
    assert!(!out.path().join("spec.yaml").exists());
    assert_eq!(tree(dir.path()), before);
}

#[cfg(unix)]
#[test]
fn a_git_folder_linked_out_of_the_repository_is_noted_and_not_read() {
    let dir = repository(&[("app.py", APP)]);
    let outside = repository(&[("config", "[remote \"origin\"]\n\turl = https://github.com/elsewhere/other.git\n")]);
    std::os::unix::fs::symlink(outside.path(), dir.path().join(".git")).expect("link");
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("skipped .git: a link out of the repository"), "{}", run.stderr);
    assert!(!spec.contains("elsewhere"), "the linked repository's remote was read:\n{spec}");
}

#[test]
fn the_registry_and_the_dns_zone_are_read_from_images_workflows_and_ingress_hosts() {
    let workflow = "name: ci\non:\n  push:\n    branches: [main]\nenv:\n  ACR_NAME: contosoacr\njobs:\n  build:\n    \
                    runs-on: ubuntu-latest\n    steps:\n      - uses: azure/login@v2\n      - run: |\n          \
                    az acr login --name $ACR_NAME\n          kubectl apply -f k8s/\n";
    let ingress = "---\napiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}, ports: \
                   [{port: 80, targetPort: 8000}]}\n---\napiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: \
                   {name: web}\nspec:\n  rules:\n    - host: orders.contoso.com\n      http:\n        paths:\n          \
                   - path: /\n            backend: {service: {name: web, port: {number: 80}}}\n";
    let manifest = deployment_with("").replace(
        "metadata:\n  name: web\nspec:\n  template:\n",
        "metadata:\n  name: web\nspec:\n  template:\n    metadata: {labels: {app: web}}\n",
    );
    let dir = repository(&[
        ("k8s/web.yaml", &format!("{manifest}{ingress}")),
        (".github/workflows/ci.yml", workflow),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // `az acr login --name $ACR_NAME`: the workflow's env says the name.
    says(&spec, "name: \"contosoacr\"", ".github/workflows/ci.yml:6");
    // The Ingress's host makes a guess of the zone, a TODO; the host is written, not refused as
    // outside example.com.
    assert!(spec.contains("zone: \"contoso.com\"   # a guess from the host at k8s/web.yaml:24"), "{spec}");
    todo(&spec, "`contoso.com` is a guess, the host orders.contoso.com (k8s/web.yaml:24)");
    says(&spec, "host: \"orders.contoso.com\"", "k8s/web.yaml:24");
    assert!(!spec.contains("example.com"), "{spec}");

    let image = manifest.replace("image: acme/web:1", "image: shopacr.azurecr.io/web:1.4");
    let dir = repository(&[
        ("k8s/web.yaml", &image),
        (".github/workflows/ci.yml", workflow.replace("          az acr login --name $ACR_NAME\n", "").as_str()),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "name: \"shopacr\"", "k8s/web.yaml:11");
}

#[test]
fn tfvars_of_several_environments_that_disagree_are_a_todo_not_a_merge() {
    let main = "resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"platform-rg\"\n  location = var.location\n}\n\
                variable \"location\" {}\n";
    let dir = repository(&[
        ("infra/main.tf", main),
        ("infra/dev.tfvars", "location = \"northeurope\"\n"),
        ("infra/prod.tfvars", "location = \"westeurope\"\n"),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(
        &spec,
        "the tfvars files of several environments set var.location differently (infra/dev.tfvars:1 says \
         `northeurope`, infra/prod.tfvars:1 says `westeurope`)",
    );
    says(&spec, "location: \"northeurope\"", "infra/dev.tfvars:1");
}

/// The team's Terraform: its state backend, resource group, cluster and registry.
const TEAM_TF: &str = "terraform {\n  backend \"azurerm\" {\n    resource_group_name  = \"tfstate-rg\"\n    \
                       storage_account_name = \"acmestate\"\n    container_name       = \"tfstate\"\n    \
                       key                  = \"shop.tfstate\"\n  }\n}\n\
                       resource \"azurerm_resource_group\" \"rg\" {\n  name     = \"shop-prod-rg\"\n  \
                       location = \"westeurope\"\n}\n\
                       resource \"azurerm_kubernetes_cluster\" \"aks\" {\n  name                = \"shop-aks\"\n  \
                       resource_group_name = azurerm_resource_group.rg.name\n  \
                       location            = azurerm_resource_group.rg.location\n}\n\
                       resource \"azurerm_container_registry\" \"acr\" {\n  name                = \"acmeshop\"\n  \
                       resource_group_name = azurerm_resource_group.rg.name\n  sku                 = \"Premium\"\n}\n";

#[test]
fn existing_azure_resources_are_todos_and_gen_s_state_is_never_the_team_s() {
    let dir = repository(&[("infra/main.tf", TEAM_TF), ("app.py", APP)]);
    // Named `shop`, gen's platform state key would be the team's `shop.tfstate`.
    let (run, spec) = adopt(dir.path(), &["--name", "shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The names stay written, so that the user sees them, each under a TODO to settle.
    says(&spec, "resourceGroup: \"shop-prod-rg\"", "infra/main.tf:10");
    says(&spec, "name: \"shop-aks\"", "infra/main.tf:14");
    says(&spec, "name: \"acmeshop\"", "infra/main.tf:19");
    says(&spec, "storageAccount: \"acmestate\"", "infra/main.tf:4");
    for (name, from, what) in [
        ("shop-prod-rg", "infra/main.tf:10", "resource group"),
        ("shop-aks", "infra/main.tf:14", "AKS cluster"),
        ("acmeshop", "infra/main.tf:19", "container registry (its name is global)"),
        ("acmestate", "infra/main.tf:4", "state storage account"),
        ("tfstate-rg", "infra/main.tf:3", "state resource group"),
    ] {
        let says = format!("`{name}` ({from}) names the team's existing {what}: gen's Terraform creates its own");
        todo(&spec, &says);
    }
    todo(
        &spec,
        "or import the existing one into that root before its first apply (`import` blocks or `terraform import`)",
    );
    // gen's states go in a container of their own, never under the team's key.
    assert!(spec.contains("container: \"gen-tfstate\""), "{spec}");
    assert!(!spec.contains("container: \"tfstate\""), "{spec}");
    said(&spec, "never in the team's state (key `shop.tfstate` in container `tfstate`, infra/main.tf:6)");

    // Nothing read, nothing existing: gen's defaults carry no such TODO.
    let dir = repository(&[
        (
            ".github/workflows/ci.yml",
            "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: azure/login@v2\n",
        ),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &["--name", "shop"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!spec.contains("names the team's existing"), "{spec}");
}

/// A chart whose Deployment selects by `selector` (lines under matchLabels), with an ingress host.
fn billing_chart(selector: &str) -> Vec<(&'static str, String)> {
    vec![
        ("deploy/helm/billing/Chart.yaml", "apiVersion: v2\nname: billing\nversion: 0.1.0\n".into()),
        (
            "deploy/helm/billing/values.yaml",
            "replicaCount: 2\nservice:\n  port: 8000\ningress:\n  enabled: true\n  hosts:\n    - host: billing.acme.io\n      paths:\n        - path: /\n".into(),
        ),
        (
            "deploy/helm/billing/templates/deployment.yaml",
            format!("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: x\nspec:\n  selector:\n    matchLabels:\n{selector}  template: {{}}\n"),
        ),
        ("app.py", APP.into()),
    ]
}

fn deploy_workflow(run: &str) -> String {
    format!(
        "name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      \
         - uses: azure/login@v2\n      - run: {run}\n"
    )
}

#[test]
fn the_team_s_deploy_step_and_a_selector_gen_cannot_upgrade_are_todos_with_the_cutover() {
    let mut files = billing_chart("      app: billing\n");
    files.push((
        ".github/workflows/deploy.yml",
        deploy_workflow("helm upgrade --install billing ./deploy/helm/billing -n payments --wait"),
    ));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = repository(&files);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(
        &spec,
        ".github/workflows/deploy.yml:10: the team's workflow deploys it (`helm upgrade --install billing \
         ./deploy/helm/billing -n payments --wait`): retire that step when gen's workflow takes over",
    );
    todo(
        &spec,
        "deploy/helm/billing/templates/deployment.yaml:7: the team's Deployment `billing` selects its pods by {app: \
         billing}, gen's by {app.kubernetes.io/instance: billing, app.kubernetes.io/name: billing}",
    );
    todo(&spec, "deploy gen's beside it (another `namespace:` or name), check it through gen's Gateway");
    todo(&spec, "`kubectl delete deployment billing -n payments --cascade=orphan`");

    // A chart whose named template (in its _helpers.tpl) selects by other labels.
    let mut files = billing_chart("      {{- include \"billing.selectorLabels\" . | nindent 6 }}\n");
    files.push((
        "deploy/helm/billing/templates/_helpers.tpl",
        "{{- define \"billing.name\" -}}\n{{ .Chart.Name }}\n{{- end }}\n\n{{- define \"billing.selectorLabels\" -}}\napp: \
         {{ include \"billing.name\" . }}\nrelease: {{ .Release.Name }}\n{{- end }}\n"
            .into(),
    ));
    files.push((".github/workflows/deploy.yml", deploy_workflow("helm upgrade --install billing deploy/helm/billing")));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = repository(&files);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    todo(&spec, "selects its pods by {app: billing, release: billing}");
    todo(&spec, "`kubectl delete deployment billing -n default --cascade=orphan`");

    // `helm create`'s selector, the chart's name and the release's: the same as gen's under
    // the release `billing`; another release is another instance label.
    let helm_create = "      {{- include \"billing.selectorLabels\" . | nindent 6 }}\n";
    for (release, cutover) in [("billing", false), ("shop-billing", true)] {
        let mut files = billing_chart(helm_create);
        files.push((
            ".github/workflows/deploy.yml",
            deploy_workflow(&format!("helm upgrade --install {release} deploy/helm/billing")),
        ));
        let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
        let dir = repository(&files);
        let (run, spec) = adopt(dir.path(), &[]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        todo(&spec, &format!("(`helm upgrade --install {release} deploy/helm/billing`): retire that step"));
        assert_eq!(spec.contains("--cascade=orphan"), cutover, "release {release}:\n{spec}");
        if cutover {
            todo(&spec, "`kubectl delete deployment shop-billing -n default --cascade=orphan`");
        }
    }
}

#[test]
fn a_dns_zone_guessed_from_an_ingress_host_is_a_todo_not_a_read_value() {
    let mut files = billing_chart("      app: billing\n");
    files.push((".github/workflows/deploy.yml", deploy_workflow("echo")));
    let files: Vec<(&str, &str)> = files.iter().map(|(p, t)| (*p, t.as_str())).collect();
    let dir = repository(&files);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let zone = spec.lines().find(|l| l.trim_start().starts_with("zone:")).expect("zone");
    assert!(!zone.contains("# from"), "a guess is not said to be read: {zone}");
    todo(
        &spec,
        "no file names a DNS zone: `acme.io` is a guess, the host billing.acme.io \
         (deploy/helm/billing/values.yaml:7) without its first label: gen's Terraform creates and serves this zone \
         in Azure DNS",
    );
    said(&spec, "list the hosts under externalHosts");
}

#[test]
fn every_lock_gen_installs_with_hashes_is_named_by_a_todo() {
    let hash = format!("--hash=sha256:{}", "0".repeat(64));
    let locked = format!("flask==3.1.0 \\\n    {hash}\ngunicorn==23.0.0 \\\n    {hash}\n");
    let dir = repository(&[
        ("src/api/app.py", APP),
        ("src/api/requirements.txt", &locked),
        ("src/api/requirements-dev.txt", "-r requirements.txt\n-r test-tools.txt\npytest==8.2.0\n"),
        ("src/api/test-tools.txt", "coverage==7.6.0\n"),
    ]);
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    todo(&spec, "src/api/requirements-dev.txt:3 is not locked with hashes, and gen's test job installs");
    todo(&spec, "src/api/requirements-dev.txt:2 includes src/api/test-tools.txt, which gen's test job installs");
    // Every error gen's lint finds in the code's locks is in a file a TODO names.
    let lint = Gen::new().args(["lint", "--format", "json"]).arg(dir.path().join("spec.yaml")).run();
    assert!(lint.stdout.contains("requirements-dev.txt"), "{}", lint.stdout);
    only_at_todos(dir.path(), &lint, 0);
}

#[test]
fn gen_s_own_rendered_files_are_skipped_not_read_as_the_team_s() {
    let digest = "0".repeat(64);
    let manifest = |paths: &[&str]| {
        let files: Vec<String> = paths
            .iter()
            .map(|p| format!("{{\"path\": \"{p}\", \"ownership\": \"managed\", \"sha256\": \"{digest}\"}}"))
            .collect();
        format!(
            "{{\"generator\": \"gen 0.1.0\", \"spec\": \"spec.yaml\", \"specSha256\": \"{digest}\", \"files\": [{}]}}\n",
            files.join(", ")
        )
    };
    let gens = deployment_with("").replace("spec:\n  template:", "spec:\n  replicas: 5\n  template:");
    let teams = deployment_with("").replace("spec:\n  template:", "spec:\n  replicas: 3\n  template:");
    // Rendered with `--out .`: the manifest at the root lists gen's files.
    let root_manifest = manifest(&["manifests/web/deployment.yaml"]);
    let dir = repository(&[
        (".gen-manifest.json", &root_manifest),
        ("manifests/web/deployment.yaml", &gens),
        ("k8s/web.yaml", &teams),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "replicas: 3", "k8s/web.yaml:6");
    assert!(!spec.contains("manifests/web/deployment.yaml"), "{spec}");
    assert!(
        run.stderr.contains("skipped .gen-manifest.json: the files it lists (1 here) are gen's own rendered output"),
        "{}",
        run.stderr
    );

    // Rendered into out/: its workflow at the repository's root is gen's too.
    let out_manifest = manifest(&["manifests/web/deployment.yaml", "../.github/workflows/web.yml"]);
    let dir = repository(&[
        ("out/.gen-manifest.json", &out_manifest),
        ("out/manifests/web/deployment.yaml", &gens),
        (".github/workflows/web.yml", &deploy_workflow("helm upgrade --install web chart")),
        ("k8s/web.yaml", &teams),
        ("app.py", APP),
    ]);
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "replicas: 3", "k8s/web.yaml:6");
    assert!(!spec.contains(".github/workflows/web.yml"), "{spec}");
    assert!(run.stderr.contains("skipped out/: gen's own rendered output"), "{}", run.stderr);
    assert!(run.stderr.contains("skipped out/.gen-manifest.json: the files it lists (1 here)"), "{}", run.stderr);
}

#[test]
fn a_kustomize_overlay_s_values_are_a_conflict_and_the_applied_overlay_wins() {
    let base = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n  template:\n    \
                spec:\n      containers:\n        - name: web\n          image: acme/web:1\n          ports: \
                [{containerPort: 8000}]\n";
    let patch = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 4\n";
    let files = |workflow: Option<String>| {
        let mut files = vec![
            ("k8s/base/deployment.yaml", base.to_string()),
            ("k8s/base/kustomization.yaml", "resources: [deployment.yaml]\n".to_string()),
            (
                "k8s/overlays/prod/kustomization.yaml",
                "resources: [../../base]\npatches:\n  - path: replicas.yaml\n".into(),
            ),
            ("k8s/overlays/prod/replicas.yaml", patch.to_string()),
            ("app.py", APP.to_string()),
        ];
        if let Some(w) = workflow {
            files.push((".github/workflows/deploy.yml", w));
        }
        files
    };
    // No workflow applies the overlay: the base's value, and a TODO naming both.
    let owned = files(None);
    let dir = repository(&owned.iter().map(|(p, t)| (*p, t.as_str())).collect::<Vec<_>>());
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "replicas: 3", "k8s/base/deployment.yaml:6");
    todo(
        &spec,
        "k8s/overlays/prod/replicas.yaml:6: the overlay k8s/overlays/prod sets replicas 4, not the 3 written \
         (k8s/base/deployment.yaml:6), and no workflow applies it",
    );
    // The workflow applies it: the overlay's value, the base's said as a conflict.
    let owned = files(Some(deploy_workflow("kubectl apply -k k8s/overlays/prod")));
    let dir = repository(&owned.iter().map(|(p, t)| (*p, t.as_str())).collect::<Vec<_>>());
    let (run, spec) = adopt(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    says(&spec, "replicas: 4", "k8s/overlays/prod/replicas.yaml:6");
    said(&spec, "k8s/base/deployment.yaml:6 says 3");
    assert!(!spec.contains("no workflow applies it"), "{spec}");
}

#[test]
fn compare_lists_the_findings_of_the_code_s_own_locks_as_still_to_fix_not_gone() {
    // A lock hashed in part: pip's hash mode, and REQ001 on the line without one.
    let hash = format!("--hash=sha256:{}", "0".repeat(64));
    let dir = repository(&[
        ("src/api/app.py", APP),
        ("src/api/requirements.txt", &format!("flask==3.1.0 \\\n    {hash}\ngunicorn==23.0.0\n")),
        ("Dockerfile", "FROM python:3.12-slim\nCOPY src/api /app\nCMD [\"gunicorn\", \"app:app\"]\n"),
    ]);
    let run = Gen::new().args(["init", "--from"]).arg(dir.path()).arg("--compare").run();
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    // gen's image installs that lock as it is: its finding is not gone; the Dockerfile's is.
    assert!(run.stdout.contains("gone in gen's: DF001 runs-as-root"), "{}", run.stdout);
    let gone: Vec<&str> = run.stdout.lines().filter(|l| l.contains("gone in gen's")).collect();
    assert!(gone.iter().all(|l| !l.contains("REQ001")), "{}", run.stdout);
    assert!(
        run.stdout.lines().any(|l| l.contains("still yours to fix") && l.contains("REQ001 requirement-without-hash")),
        "{}",
        run.stdout
    );
}
