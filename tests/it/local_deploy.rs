//! The local deploy scripts, run against a stub world that fails where a laptop fails
//! (`tests/local_deploy/stub_world.py`: kubeconfigs, clusters that know what they have,
//! images that are on the node or not, the network, the port). Each test runs a rendered
//! script with only the stubs and the system's basic tools on its PATH (no real Python, no
//! real cluster tool), and every run checks that the user's own kubeconfig is left byte for
//! byte as it was.

use crate::common;

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use common::{Gen, root, validator, validators};
use serde_json::Value;

/// Every stub, one program told apart by the name it is called by.
const STUB_WORLD: &str = include_str!("../local_deploy/stub_world.py");

/// The tools the stub world answers for. `sh` runs a service's test commands.
const STUBBED: &[&str] = &["docker", "kubectl", "kind", "minikube", "helm", "curl", "python3", "sh"];

/// The user's own kubeconfig: a cloud cluster, current. A deploy to a laptop cluster must
/// neither write it nor move its current context.
const USER_KUBECONFIG: &str = "apiVersion: v1
kind: Config
clusters:
- name: prod-aks
  cluster:
    server: https://prod-aks-4f2a1c.hcp.westeurope.azmk8s.io:443
    certificate-authority-data: cHJvZA==
contexts:
- name: prod-aks
  context: {cluster: prod-aks, user: clusterUser_prod-rg_prod-aks, namespace: shop}
current-context: prod-aks
users:
- name: clusterUser_prod-rg_prod-aks
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --login, azurecli, --server-id, 6dae42f8-4368-4678-94ff-3960e28e3630]
";

/// A rendered spec on a laptop whose tools are the stub world's.
struct Laptop {
    dir: tempfile::TempDir,
    state: PathBuf,
    bin: PathBuf,
    path: String,
    /// Each service whose code is its own (`source:`), with its folder from the spec's.
    sources: Vec<(String, String)>,
}

impl Laptop {
    fn new(spec: &str) -> Laptop {
        Laptop::with_code(spec, &[], &[])
    }

    /// A laptop whose repository also holds `files` (path, text), the code of each service of
    /// `sources` (service, its `source:` folder).
    fn with_code(spec: &str, sources: &[(&str, &str)], files: &[(&str, String)]) -> Laptop {
        let dir = tempfile::tempdir().expect("tempdir");
        for (rel, text) in files {
            let path = dir.path().join(rel);
            std::fs::create_dir_all(path.parent().expect("parent")).expect("folder");
            std::fs::write(path, text).expect("code");
        }
        let sources = sources.iter().map(|(s, f)| (s.to_string(), f.to_string())).collect();
        std::fs::write(dir.path().join("spec.yaml"), spec).expect("spec");
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
        let state = dir.path().join("state");
        let bin = dir.path().join("bin");
        let system = dir.path().join("system");
        for folder in [&state, &bin, &system] {
            std::fs::create_dir_all(folder).expect("folder");
        }
        let python = validators().join("venv/bin/python");
        let stub = bin.join("stub_world.py");
        std::fs::write(&stub, format!("#!{}\n{STUB_WORLD}", python.display())).expect("stub");
        executable(&stub);
        for tool in STUBBED {
            std::os::unix::fs::symlink(&stub, bin.join(tool)).expect("link");
        }
        // The scripts' waits, a hundred times shorter.
        let sleep = bin.join("sleep");
        std::fs::write(&sleep, format!("#!/bin/sh\nexec {} 0.02\n", which("sleep").display())).expect("sleep");
        executable(&sleep);
        // The system's tools, but none of its Pythons nor any tool the stubs stand for: what
        // the script finds on the PATH is the stub world's or the basics.
        for folder in ["/usr/bin", "/bin", "/usr/sbin", "/sbin"] {
            for entry in std::fs::read_dir(folder).into_iter().flatten().flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let hidden = name.starts_with("python")
                    || name.starts_with("pip")
                    || STUBBED.contains(&name.as_str())
                    || name == "sleep";
                if !hidden && !system.join(&name).exists() {
                    let _ = std::os::unix::fs::symlink(entry.path(), system.join(&name));
                }
            }
        }
        let kube = dir.path().join(".kube");
        std::fs::create_dir_all(&kube).expect("kube");
        std::fs::write(kube.join("config"), USER_KUBECONFIG).expect("kubeconfig");
        let path = format!("{}:{}", bin.display(), system.display());
        Laptop { dir, state, bin, path, sources }
    }

    fn home(&self) -> &Path {
        self.dir.path()
    }

    fn out(&self, rel: &str) -> PathBuf {
        self.dir.path().join("out").join(rel)
    }

    /// The kubeconfig gen's script keeps for a cluster.
    fn gen_kubeconfig(&self, file: &str) -> PathBuf {
        self.home().join(".config/gen").join(file)
    }

    /// Runs a deploy script (`--no-forward` unless `args` says otherwise), within a time
    /// limit; the user's kubeconfig must be byte for byte what it was before.
    fn deploy(&self, script: &Path, args: &[&str]) -> Run {
        self.deploy_with(script, args, &[], Duration::from_secs(240))
    }

    fn deploy_with(&self, script: &Path, args: &[&str], env: &[(&str, &Path)], limit: Duration) -> Run {
        let user_files: Vec<PathBuf> = std::iter::once(self.home().join(".kube/config"))
            .chain(env.iter().filter(|(k, _)| *k == "KUBECONFIG").map(|(_, v)| v.to_path_buf()))
            .collect();
        let before: Vec<Option<Vec<u8>>> = user_files.iter().map(|p| std::fs::read(p).ok()).collect();
        let calls_before = self.calls().len();
        let args = if args.is_empty() { vec!["--no-forward"] } else { args.to_vec() };
        let start = Instant::now();
        let mut command = Command::new(which("timeout"));
        command
            .arg("--kill-after=5")
            .arg(limit.as_secs().to_string())
            .arg(which("bash"))
            .arg(script)
            .args(&args)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.home())
            .env("STATE", &self.state)
            .env("STUB_REAL_KUBECTL", which("kubectl"));
        for (k, v) in env {
            command.env(k, v);
        }
        let out = command.output().expect("bash");
        let run = Run { out, elapsed: start.elapsed(), calls: self.calls()[calls_before..].to_string() };
        for (path, before) in user_files.iter().zip(before) {
            assert_eq!(
                std::fs::read(path).ok(),
                before,
                "the run changed the user's kubeconfig {}:\n{}",
                path.display(),
                run.said()
            );
        }
        self.no_forward_left(&run);
        run
    }

    /// A port-forward the script started must be gone when it exits (it is stopped, not
    /// left running): one still alive is stopped here, and the test fails.
    fn no_forward_left(&self, run: &Run) {
        let deadline = Instant::now() + Duration::from_secs(3);
        loop {
            let alive: Vec<i64> = self.world()["forwards"]
                .as_object()
                .map(|f| f.values().filter_map(|v| v["pid"].as_i64()).collect::<Vec<i64>>())
                .unwrap_or_default()
                .into_iter()
                .filter(|pid| {
                    Command::new(which("kill")).args(["-0", &pid.to_string()]).status().is_ok_and(|s| s.success())
                })
                .collect();
            if alive.is_empty() {
                return;
            }
            if Instant::now() > deadline {
                for pid in &alive {
                    let _ = Command::new(which("kill")).arg(pid.to_string()).status();
                }
                panic!("the script left its port-forward running ({alive:?}):\n{}", run.said());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Runs a command the script printed, with the stub world.
    fn sh(&self, command: &str) -> Output {
        Command::new(which("bash"))
            .args(["-c", command])
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.home())
            .env("STATE", &self.state)
            .env("STUB_REAL_KUBECTL", which("kubectl"))
            .output()
            .expect("bash")
    }

    /// Sets a knob of the stub world (a file in its state folder).
    fn knob(&self, name: &str, content: &str) {
        std::fs::write(self.state.join(name), content).expect("knob");
    }

    fn calls(&self) -> String {
        std::fs::read_to_string(self.state.join("calls")).unwrap_or_default()
    }

    fn world(&self) -> Value {
        std::fs::read_to_string(self.state.join("world.json"))
            .ok()
            .and_then(|t| serde_json::from_str(&t).ok())
            .unwrap_or(Value::Null)
    }

    fn cluster(&self, id: &str) -> Value {
        let world = self.world();
        let cluster = world["clusters"][id].clone();
        assert!(
            !cluster.is_null(),
            "no cluster {id} in the stub world: {:?}",
            world["clusters"].as_object().map(|c| c.keys().collect::<Vec<_>>())
        );
        cluster
    }

    /// The Deployment's image, and the content the node runs for it (what `rollout status`
    /// saw ready).
    fn running(&self, cluster: &str, namespace: &str, name: &str) -> (String, String) {
        let cluster = self.cluster(cluster);
        let deployment = &cluster["objects"][format!("Deployment/{namespace}/{name}")];
        let image = deployment["spec"]["template"]["spec"]["containers"][0]["image"].as_str().unwrap_or_default();
        let id = deployment["status"]["running"][name].as_str().unwrap_or_default();
        (image.to_string(), id.to_string())
    }

    /// How many times the Deployment's pods were replaced.
    fn revision(&self, cluster: &str, namespace: &str, name: &str) -> u64 {
        self.cluster(cluster)["revisions"][format!("Deployment/{namespace}/{name}")].as_u64().unwrap_or(0)
    }

    /// The images the cluster's node holds of a repository.
    fn node_images(&self, cluster: &str, repository: &str) -> Vec<String> {
        let prefix = format!("docker.io/{repository}:");
        self.cluster(cluster)["images"]
            .as_object()
            .map(|i| i.keys().filter(|k| k.starts_with(&prefix)).cloned().collect())
            .unwrap_or_default()
    }

    /// The content a build of the service's files holds now (what the stub's docker build
    /// computes from them).
    fn built(&self, service: &str) -> String {
        use sha2::{Digest, Sha256};
        if let Some((_, folder)) = self.sources.iter().find(|(s, _)| s == service) {
            // Code of its own: every .py under its folder, as the Dockerfile copies it whole.
            let code = self.home().join(folder);
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(&code)
                .into_iter()
                .flatten()
                .map(|e| e.into_path())
                .filter(|p| p.extension().is_some_and(|e| e == "py"))
                .collect();
            files.sort_by_key(|p| p.strip_prefix(&code).expect("under").to_string_lossy().into_owned());
            let mut digest = Sha256::new();
            for file in files {
                digest.update(std::fs::read(file).expect("code file"));
            }
            return format!("sha256:{:x}", digest.finalize());
        }
        let app = self.out(&format!("services/{service}/app"));
        let mut names: Vec<PathBuf> = std::fs::read_dir(&app)
            .expect("app")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "py"))
            .collect();
        names.sort();
        let mut digest = Sha256::new();
        for name in names {
            digest.update(std::fs::read(name).expect("app file"));
        }
        format!("sha256:{:x}", digest.finalize())
    }

    fn change_the_code(&self, service: &str) {
        let app = match self.sources.iter().find(|(s, _)| s == service) {
            Some((_, folder)) => self.home().join(folder).join("wsgi.py"),
            None => self.out(&format!("services/{service}/app/__init__.py")),
        };
        let code = std::fs::read_to_string(&app).expect("app");
        std::fs::write(&app, format!("{code}\n# changed\n")).expect("change");
    }
}

/// One run of a script: what it said, how long it took, which tools it called.
struct Run {
    out: Output,
    elapsed: Duration,
    calls: String,
}

impl Run {
    fn said(&self) -> String {
        format!(
            "exit {:?} after {:?}\n{}{}\n--- calls:\n{}",
            self.out.status.code(),
            self.elapsed,
            String::from_utf8_lossy(&self.out.stdout),
            String::from_utf8_lossy(&self.out.stderr),
            self.calls
        )
    }

    fn text(&self) -> String {
        format!("{}{}", String::from_utf8_lossy(&self.out.stdout), String::from_utf8_lossy(&self.out.stderr))
    }

    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }

    fn ok(&self) -> &Run {
        assert_eq!(self.code(), Some(0), "the run fails:\n{}", self.said());
        self
    }

    fn fails(&self) -> &Run {
        assert_eq!(self.code(), Some(1), "the run must stop with exit 1:\n{}", self.said());
        self
    }

    fn says(&self, what: &str) -> &Run {
        assert!(self.text().contains(what), "it does not say `{what}`:\n{}", self.said());
        self
    }

    fn called(&self, call: &str) -> bool {
        self.calls.lines().any(|l| l.contains(call))
    }
}

fn executable(path: &Path) {
    let mut perms = std::fs::metadata(path).expect("file").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(path, perms).expect("chmod");
}

/// A tool of the machine running the tests, by its absolute path.
fn which(tool: &str) -> PathBuf {
    std::env::var_os("PATH")
        .and_then(|p| std::env::split_paths(&p).map(|d| d.join(tool)).find(|p| p.is_file()))
        .unwrap_or_else(|| panic!("{tool} is not on the PATH of the tests"))
}

/// Ports nothing listens on now, `n` of them, all different.
fn free_ports(n: usize) -> Vec<u16> {
    let listeners: Vec<TcpListener> = (0..n).map(|_| TcpListener::bind("127.0.0.1:0").expect("bind")).collect();
    listeners.iter().map(|l| l.local_addr().expect("addr").port()).collect()
}

/// An example of the repository, its local ports moved to free ones (8080 may be taken on
/// the machine running the tests).
fn example(name: &str) -> String {
    let spec = std::fs::read_to_string(root().join("examples").join(name)).expect("example");
    let ports = free_ports(3);
    let spec = spec
        .replace("port: 8081", &format!("port: {}", ports[1]))
        .replace("port: 8082", &format!("port: {}", ports[2]));
    let block = spec.find("  local:\n    cluster: ").expect("a local block");
    let end = block + spec[block..].find("\n    cluster: ").expect("cluster") + 1;
    let end = end + spec[end..].find('\n').expect("line") + 1;
    format!("{}    port: {}\n{}", &spec[..end], ports[0], &spec[end..])
}

/// Seed 002 on kind, its service reading a Secret.
fn seed_002_on_kind() -> String {
    let spec = example("seed-002-athletes.yaml").replace("cluster: minikube", "cluster: kind").replace(
        "    env:\n      FAVORITE_ATHLETE: Usain Bolt\n",
        "    env:\n      FAVORITE_ATHLETE: Usain Bolt\n    secretEnv: [SECRET_KEY]\n",
    );
    assert!(spec.contains("cluster: kind") && spec.contains("secretEnv"), "the edit applies");
    spec
}

/// The line of a message that holds the command creating a Secret by hand.
fn create_command(run: &Run) -> String {
    let text = run.text();
    let line = text
        .lines()
        .find(|l| l.contains("create secret generic"))
        .unwrap_or_else(|| panic!("no command for the Secret:\n{}", run.said()));
    line[line.find("kubectl ").expect("a kubectl command")..].trim_end().to_string()
}

/// The steps a first deploy must not have taken when it stops at a missing Secret: the slow
/// ones (tests, builds, loads, add-ons, fetches).
fn assert_stopped_before_the_slow_steps(run: &Run) {
    for slow in [
        "docker build",
        "sh -c",
        "image load",
        "load docker-image",
        "addons enable",
        "apply -f https://",
        "helm upgrade",
    ] {
        assert!(!run.called(slow), "it ran `{slow}` before stopping at the Secret:\n{}", run.said());
    }
}

/// A first deploy stops at the missing Secret, before any slow step, and says both ways to
/// create it (the printed command works on the fresh cluster); once it exists the deploy
/// runs to its service check and runs the fresh build; a re-run with nothing changed builds
/// the same image and restarts nothing; a change of the code runs the new code, and the
/// image it replaced leaves the node.
fn first_deploy_then_a_change(
    laptop: &Laptop,
    script: &Path,
    cluster: &str,
    namespace: &str,
    service: &str,
    repository: &str,
) {
    let first = laptop.deploy(script, &[]);
    first.fails().says(".env.local");
    assert_stopped_before_the_slow_steps(&first);
    let command = create_command(&first);
    let created = laptop.sh(&command.replace("=...", "=a-local-key"));
    assert!(
        created.status.success(),
        "the printed command fails on a fresh cluster: {command}\n{}{}",
        String::from_utf8_lossy(&created.stdout),
        String::from_utf8_lossy(&created.stderr)
    );

    let second = laptop.deploy(script, &[]);
    second.ok().says(&format!("{service}: http://"));
    let (image, id) = laptop.running(cluster, namespace, service);
    assert_eq!(id, laptop.built(service), "the Deployment runs {image}, not the fresh build:\n{}", second.said());
    let revision = laptop.revision(cluster, namespace, service);

    // Nothing changed: the same image, no restart, nothing removed.
    let again = laptop.deploy(script, &[]);
    again.ok();
    assert_eq!(laptop.running(cluster, namespace, service).0, image, "{}", again.said());
    assert_eq!(
        laptop.revision(cluster, namespace, service),
        revision,
        "a re-run restarted the pods:\n{}",
        again.said()
    );
    assert!(!again.called("rmi") && !again.called("image rm"), "{}", again.said());

    // A change of the code: the next run must run it, and the image it replaced is removed
    // from the node.
    laptop.change_the_code(service);
    let third = laptop.deploy(script, &[]);
    third.ok();
    let (image_after, id_after) = laptop.running(cluster, namespace, service);
    assert_ne!(image_after, image, "a new build gets a new tag");
    assert_eq!(id_after, laptop.built(service), "the Deployment runs {image_after}, not the changed code");
    assert_eq!(
        laptop.node_images(cluster, repository),
        vec![format!("docker.io/{image_after}")],
        "the node keeps the image the Deployment ran before:\n{}",
        third.said()
    );
}

#[test]
fn the_minikube_scripts_of_seed_004_deploy_the_fresh_build_on_a_fresh_cluster() {
    let spec = example("seed-004-notejam.yaml");
    for env in ["development", "production"] {
        let laptop = Laptop::new(&spec);
        let script = laptop.out(&format!("scripts/deploy-local-{env}.sh"));
        first_deploy_then_a_change(
            &laptop,
            &script,
            &format!("minikube:notejam-{env}"),
            "notejam",
            "notejam",
            "notejam/notejam",
        );
        // minikube wrote its credentials to gen's kubeconfig, never the user's.
        let config = std::fs::read_to_string(laptop.gen_kubeconfig(&format!("minikube-notejam-{env}.kubeconfig")))
            .expect("gen's kubeconfig for the cluster");
        assert!(config.contains(&format!("name: notejam-{env}")), "{config}");
    }
}

#[test]
fn the_kind_script_deploys_the_fresh_build_and_leaves_the_users_kubeconfig_alone() {
    let laptop = Laptop::new(&seed_002_on_kind());
    let script = laptop.out("scripts/deploy-local.sh");
    first_deploy_then_a_change(&laptop, &script, "kind:athletes", "athletes", "flask-app", "athletes/flask-app");
    // Every kubectl and helm call names the kind cluster's own kubeconfig and its context.
    let kubeconfig = laptop.gen_kubeconfig("kind-athletes.kubeconfig");
    for call in laptop.calls().lines().filter(|c| c.starts_with("kubectl ")) {
        assert!(
            call.starts_with(&format!("kubectl --kubeconfig {} --context kind-athletes ", kubeconfig.display())),
            "{call}"
        );
    }
    let config = std::fs::read_to_string(&kubeconfig).expect("gen's kubeconfig");
    assert!(config.contains("current-context: kind-athletes"), "{config}");
}

#[test]
fn a_service_whose_code_is_its_own_deploys_its_fresh_build_to_kind_beside_aks() {
    // kind for development beside AKS for production; the service's code is the team's own,
    // at src/api with its own locks and module, built with gen's Dockerfile from the root.
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs/kind-dev-azure-prod.yaml")).expect("spec");
    let own = spec.replacen(
        "  - name: api\n",
        "  - name: api\n    source: src/api\n    params: {entrypoint: \"wsgi:app\"}\n",
        1,
    );
    assert_ne!(own, spec, "the edit applies");
    let lock =
        |name: &str| std::fs::read_to_string(root().join("blueprints/flask/templates").join(name)).expect("lock");
    let code = "from flask import Flask\n\napp = Flask(__name__)\n\n\n@app.get(\"/healthz\")\ndef healthz():\n    return {}\n\n\n@app.get(\"/readyz\")\ndef readyz():\n    return {}\n";
    let files = [
        ("src/api/wsgi.py", code.to_string()),
        ("src/api/requirements.txt", lock("requirements.txt")),
        ("src/api/requirements-dev.txt", lock("requirements-dev.txt")),
        ("src/api/tests/test_wsgi.py", "from wsgi import app\n\n\ndef test_app():\n    assert app\n".to_string()),
    ];
    let laptop = Laptop::with_code(&own, &[("api", "src/api")], &files);
    assert!(!laptop.home().join("src/api/app").exists() && !laptop.out("services/api/app").exists(), "no scaffold");
    let script = laptop.out("scripts/deploy-local-dev.sh");
    first_deploy_then_a_change(&laptop, &script, "kind:shop-dev", "shop", "api", "shop/api");
    // Built from the repository's root with gen's Dockerfile, whose ignore file BuildKit reads.
    let calls = laptop.calls();
    let build = calls.lines().find(|c| c.starts_with("docker build")).expect("a build");
    assert!(build.contains("--file") && build.contains("services/api/Dockerfile"), "{build}");
}

#[test]
fn a_user_with_kubeconfig_set_keeps_that_file_too() {
    let laptop = Laptop::new(&example("seed-002-athletes.yaml"));
    let theirs = laptop.home().join("work.kubeconfig");
    std::fs::write(&theirs, USER_KUBECONFIG.replace("prod-aks", "work-aks")).expect("KUBECONFIG");
    let script = laptop.out("scripts/deploy-local.sh");
    laptop.deploy_with(&script, &["--no-forward"], &[("KUBECONFIG", &theirs)], Duration::from_secs(240)).ok();
    let kind = Laptop::new(&seed_002_on_kind().replace("    secretEnv: [SECRET_KEY]\n", ""));
    let theirs = kind.home().join("work.kubeconfig");
    std::fs::write(&theirs, USER_KUBECONFIG.replace("prod-aks", "work-aks")).expect("KUBECONFIG");
    kind.deploy_with(
        &kind.out("scripts/deploy-local.sh"),
        &["--no-forward"],
        &[("KUBECONFIG", &theirs)],
        Duration::from_secs(240),
    )
    .ok();
}

#[test]
fn a_deploy_script_runs_its_steps_in_order_and_prints_the_url() {
    let laptop = Laptop::new(&example("seed-002-athletes.yaml"));
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.ok().says("flask-app: http://flask-app.localhost:");
    let kc = format!(
        "kubectl --kubeconfig {} --context athletes",
        laptop.gen_kubeconfig("minikube-athletes.kubeconfig").display()
    );
    let steps = [
        // The tests' Python, before the cluster is touched.
        "python3 --version".to_string(),
        "python3 -m venv ".into(),
        // The project's own cluster, never minikube's default profile.
        "minikube start --profile athletes".into(),
        format!("{kc} apply --filename "),
        "minikube addons enable ingress --profile athletes".into(),
        // The controller's pods are looked for until they exist, then waited for.
        format!("{kc} --namespace ingress-nginx get pod --selector=app.kubernetes.io/component=controller"),
        format!("{kc} --namespace ingress-nginx wait --for=condition=ready pod"),
        "sh -c python -m pip install".into(),
        "sh -c python -m pytest".into(),
        "docker build --iidfile ".into(),
        "docker tag sha256:".into(),
        "minikube image load athletes/flask-app:dev-".into(),
        format!("{kc} apply --kustomize "),
        format!("{kc} --namespace athletes rollout status deployment/flask-app"),
        format!("{kc} --namespace ingress-nginx port-forward service/ingress-nginx-controller"),
        "curl --silent --output /dev/null --write-out %{http_code} --resolve flask-app.localhost:".into(),
    ];
    let mut at = 0;
    for step in &steps {
        let found = run.calls[at..]
            .find(step.as_str())
            .unwrap_or_else(|| panic!("`{step}` after byte {at} in:\n{}", run.said()));
        at += found + step.len();
    }
    assert!(!run.called("push") && !run.called("login"), "{}", run.said());
    assert!(!run.called("rollout restart"), "a new tag rolls the pods: {}", run.said());
    assert!(!run.called("--profile minikube"), "{}", run.said());
    // The overlay it applied is gone; the output holds only what gen wrote.
    let left: Vec<_> = std::fs::read_dir(laptop.out(""))
        .expect("out")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".deploy-local"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// The specs whose local scripts the dry run covers: seeds 002 and 004, three environments on
/// Azure, local for development with Azure for production, and two services on kind.
const SPECS: &[&str] = &[
    "tests/fixtures/specs/kind-two-services.yaml",
    "examples/seed-002-athletes.yaml",
    "examples/seed-004-notejam.yaml",
    "tests/fixtures/specs/environments.yaml",
    "tests/fixtures/specs/local-azure.yaml",
];

#[test]
fn each_local_environment_has_a_deploy_script_that_shellcheck_passes_and_a_dry_run_that_runs_nothing() {
    for spec in SPECS {
        let text = std::fs::read_to_string(root().join(spec)).expect("spec");
        let laptop = Laptop::new(&text);
        let loaded = gen_core::spec::load("spec.yaml", text.as_bytes()).unwrap_or_else(|e| panic!("{spec}: {e}"));
        let declared = loaded.environments.iter().any(|e| e.declared);
        let locals: Vec<(String, PathBuf, &gen_core::spec::Spec)> = loaded
            .environments
            .iter()
            .filter(|e| e.target == "local")
            .map(|e| {
                let script = if declared {
                    format!("scripts/deploy-local-{}.sh", e.name)
                } else {
                    "scripts/deploy-local.sh".into()
                };
                (e.name.clone(), laptop.out(&script), e.spec(&loaded).spec.as_ref())
            })
            .collect();
        let scripts: Vec<PathBuf> = walkdir::WalkDir::new(laptop.out("scripts"))
            .into_iter()
            .flatten()
            .map(|e| e.into_path())
            .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("deploy-local")))
            .collect();
        assert_eq!(scripts.len(), locals.len(), "{spec}: one script per local environment, none for the cloud");
        if !scripts.is_empty() {
            let run = validator("shellcheck").args(&scripts).output().expect("shellcheck");
            assert!(run.status.success(), "{spec}: {}", String::from_utf8_lossy(&run.stdout));
        }
        for (env, script, env_spec) in &locals {
            let text = std::fs::read_to_string(script).unwrap_or_else(|_| panic!("{}", script.display()));
            for secret in ["docker login", "docker push", "password", "--from-literal=SECRET_KEY=s"] {
                assert!(!text.to_lowercase().contains(secret), "{spec}: {env}: `{secret}` in the script");
            }
            let run = laptop.deploy(script, &["--dry-run"]);
            assert_eq!(run.code(), Some(0), "{spec}: {env}: {}", run.said());
            assert!(run.calls.is_empty(), "{spec}: {env}: a dry run ran {}", run.calls);
            let said = String::from_utf8_lossy(&run.out.stdout).into_owned();
            let commands: Vec<&str> = said.lines().filter_map(|l| l.strip_prefix("+ ")).collect();
            // Every cluster command names the local cluster's kubeconfig and context, never
            // the user's current one; minikube is given that kubeconfig to write.
            for command in &commands {
                let words: Vec<&str> = command.split(' ').collect();
                if words[0] == "kubectl" {
                    assert!(words[1] == "--kubeconfig" && words[3] == "--context", "{spec}: {env}: {command}");
                }
                if words[0] == "helm" {
                    assert!(
                        command.contains(" --kubeconfig ") && command.contains(" --kube-context "),
                        "{spec}: {env}: {command}"
                    );
                }
                if command.contains("minikube ") {
                    assert!(command.starts_with("env KUBECONFIG="), "{spec}: {env}: {command}");
                }
            }
            // The manifests are applied through an overlay that sets the tags just built.
            let overlay = if declared { format!("manifests/overlays/{env}") } else { "manifests".to_string() };
            let apply = commands.iter().find(|c| c.contains(" apply --kustomize ")).expect("an apply");
            assert!(apply.contains("/out/.deploy-local."), "{spec}: {env}: {apply}");
            assert!(said.contains(&format!("  |   - ../{overlay}\n")), "{spec}: {env}: {said}");
            assert!(laptop.out(&overlay).join("kustomization.yaml").is_file());
            for service in &env_spec.services {
                let image = service.image.as_ref().expect("a local environment fills the image");
                let repository = image.repository.as_deref().expect("repository");
                assert!(
                    commands.iter().any(|c| c.starts_with("docker build --iidfile ") && !c.contains("--tag")),
                    "{spec}: {env}: builds with no shared tag"
                );
                assert!(
                    commands.iter().any(|c| c.starts_with("docker tag ") && c.contains(&format!("{repository}:dev-"))),
                    "{spec}: {env}: tags {repository} by content"
                );
                assert!(
                    commands
                        .iter()
                        .any(|c| (c.contains("minikube image load ") || c.starts_with("kind load docker-image "))
                            && c.contains(&format!("{repository}:dev-"))),
                    "{spec}: {env}: loads {repository}"
                );
                assert!(
                    commands.iter().any(|c| c.contains(&format!("rollout status deployment/{}", service.name))),
                    "{spec}: {env}: waits for readiness"
                );
            }
            assert!(commands.iter().any(|c| {
                c.contains("wait --for=condition=ready pod --selector=app.kubernetes.io/component=controller")
            }));
            assert!(!said.contains("sleep 20"));
        }
    }
}

#[test]
fn the_tests_python_is_checked_before_the_cluster_with_the_fix_in_the_message() {
    let spec = example("seed-002-athletes.yaml");
    // Python 3.10 cannot install the lock compiled for 3.11: said up front, with the fix.
    let laptop = Laptop::new(&spec);
    let script = laptop.out("scripts/deploy-local.sh");
    laptop.knob("python3-version", "3.10.12");
    let run = laptop.deploy(&script, &[]);
    run.fails().says("3.10").says("3.11").says("brew install python@").says("apt install python3.");
    for cluster in ["minikube", "kubectl", "docker build", "docker start", "-m venv"] {
        assert!(!run.called(cluster), "it went on to `{cluster}`:\n{}", run.said());
    }

    // Debian's and Ubuntu's python3 without python3-venv makes no virtual environment.
    let laptop = Laptop::new(&spec);
    laptop.knob("no-venv", "");
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.fails().says("apt install python3.12-venv");
    assert!(!run.called("minikube") && !run.called("kubectl"), "{}", run.said());

    // The version the spec names is preferred to an older python3.
    let named = spec.replace("    env:\n", "    params: {pythonVersion: \"3.13\"}\n    env:\n");
    assert_ne!(named, spec);
    let laptop = Laptop::new(&named);
    laptop.knob("python3-version", "3.9.6");
    std::os::unix::fs::symlink(laptop.bin.join("stub_world.py"), laptop.bin.join("python3.13")).expect("python3.13");
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.ok();
    assert!(run.called("python3.13 -m venv"), "{}", run.said());
}

#[test]
fn a_kind_cluster_the_script_did_not_make_is_refused_with_the_command_that_fixes_it() {
    let laptop = Laptop::new(&seed_002_on_kind().replace("    secretEnv: [SECRET_KEY]\n", ""));
    // A plain `kind create cluster --name athletes`, made before: no node labelled
    // ingress-ready, and the user's kubeconfig got its context (kind's doing, not gen's).
    let made = laptop.sh("kind create cluster --name athletes");
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.fails().says("ingress-ready").says("kind delete cluster --name athletes");
    assert!(!run.called(" apply "), "it deployed into a cluster it did not make:\n{}", run.said());
}

#[test]
fn an_image_the_cluster_never_got_is_named_at_the_load_and_nothing_is_applied() {
    for spec in [example("seed-002-athletes.yaml"), seed_002_on_kind().replace("    secretEnv: [SECRET_KEY]\n", "")] {
        let laptop = Laptop::new(&spec);
        // A load that says it loaded and leaves nothing on the node.
        laptop.knob("load-drops", "");
        let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
        run.fails().says("athletes/flask-app:dev-").says("not on the node");
        assert!(!run.called("apply --kustomize"), "{}", run.said());
        // Applied anyway, the manifests would never run: they never pull a local image, and
        // the node has none.
        let cluster = if spec.contains("cluster: kind") { "kind-athletes" } else { "minikube-athletes" };
        let kc = format!(
            "kubectl --kubeconfig {} --context {}",
            laptop.gen_kubeconfig(&format!("{cluster}.kubeconfig")).display(),
            cluster.strip_prefix("minikube-").unwrap_or(cluster)
        );
        let applied = laptop.sh(&format!(
            "{kc} apply --kustomize {} && {kc} --namespace athletes rollout status deployment/flask-app",
            laptop.out("manifests").display()
        ));
        assert!(!applied.status.success(), "{}", String::from_utf8_lossy(&applied.stdout));
        let events = std::fs::read_to_string(laptop.state.join("events")).unwrap_or_default();
        assert!(events.contains("ErrImageNeverPull"), "{events}");
    }
}

/// What gen's closure check reads in a script (src/lint/closure/shell.rs: a line at a time,
/// words split on whitespace, quotes trimmed): each add-on, release and controller manifest it
/// installs, and the Secret each service needs, created in its namespace.
#[test]
fn the_scripts_say_what_they_install_in_lines_the_closure_check_reads() {
    let words = |line: &str| -> Vec<String> {
        line.split_whitespace().map(|w| w.trim_matches(['"', '\'']).to_string()).collect()
    };
    // Whether one line holds each of `runs`, its words one after the other.
    let has = |text: &str, runs: &[&[&str]]| {
        text.lines().map(words).any(|w| {
            runs.iter().all(|run| w.windows(run.len()).any(|win| win.iter().zip(run.iter()).all(|(a, b)| a == b)))
        })
    };
    let seed_004 = Laptop::new(&example("seed-004-notejam.yaml"));
    let script = std::fs::read_to_string(seed_004.out("scripts/deploy-local-production.sh")).expect("script");
    for addon in ["ingress", "metrics-server", "volumesnapshots", "csi-hostpath-driver"] {
        assert!(has(&script, &[&["minikube", "addons", "enable", addon]]), "minikube addons enable {addon}");
    }
    let helm: &[&[&str]] = &[
        &["helm", "upgrade", "--install", "snapscheduler", "snapscheduler"],
        &["--namespace", "backube-snapscheduler", "--create-namespace"],
    ];
    assert!(has(&script, helm), "helm upgrade --install snapscheduler");
    let secret: &[&[&str]] = &[&["--namespace", "notejam", "create", "secret", "generic", "notejam-env"]];
    assert!(has(&script, secret), "the Secret");
    let kind = Laptop::new(&seed_002_on_kind());
    let script = std::fs::read_to_string(kind.out("scripts/deploy-local.sh")).expect("script");
    assert!(
        script.lines().any(|l| {
            let w = words(l);
            w.iter().any(|w| w == "apply") && w.iter().any(|w| w.contains("kubernetes/ingress-nginx/"))
        }),
        "ingress-nginx's manifest"
    );
    let secret: &[&[&str]] = &[&["--namespace", "athletes", "create", "secret", "generic", "flask-app-env"]];
    assert!(has(&script, secret), "the Secret");
}

#[test]
fn a_missing_secret_stops_before_the_slow_steps_and_comes_from_env_local_when_it_holds_every_name() {
    let spec =
        example("seed-002-athletes.yaml").replace("    env:\n", "    secretEnv: [SECRET_KEY, API_TOKEN]\n    env:\n");
    let laptop = Laptop::new(&spec);
    let script = laptop.out("scripts/deploy-local.sh");
    let env_local = laptop.out(".env.local");
    // .env.local holds one of the two names: both ways are said, the missing name named.
    std::fs::write(&env_local, "# this laptop's values\nSECRET_KEY=s3cr3t-value\n").expect(".env.local");
    let run = laptop.deploy(&script, &[]);
    run.fails().says("API_TOKEN").says(".env.local").says("create secret generic flask-app-env");
    assert!(!run.text().contains("s3cr3t-value"), "a value was printed:\n{}", run.said());
    assert_stopped_before_the_slow_steps(&run);
    assert!(
        create_command(&run).contains("--namespace athletes create secret generic flask-app-env "),
        "{}",
        run.said()
    );

    // With every name, the Secret is made from it, holding exactly the service's names, as a
    // shell or a .env loader writes them (`export`, quotes, a Windows line end).
    std::fs::write(
        &env_local,
        "export SECRET_KEY=\"s3cr3t-value\"\r\nOTHER_SERVICE_KEY=not-mine\n  API_TOKEN='t0k=n'\n",
    )
    .expect(".env.local");
    let run = laptop.deploy(&script, &[]);
    run.ok();
    assert!(
        !run.text().contains("s3cr3t-value") && !run.text().contains("t0k=n"),
        "a value was printed:\n{}",
        run.said()
    );
    let secret = &laptop.cluster("minikube:athletes")["objects"]["Secret/athletes/flask-app-env"]["data"];
    let decoded = |name: &str| {
        let value = secret[name].as_str().unwrap_or_else(|| panic!("{name} in {secret}"));
        let out = Command::new("base64")
            .arg("-d")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn();
        let mut child = out.expect("base64");
        std::io::Write::write_all(&mut child.stdin.take().expect("stdin"), value.as_bytes()).expect("write");
        String::from_utf8(child.wait_with_output().expect("base64").stdout).expect("UTF-8")
    };
    assert_eq!(secret.as_object().map(|o| o.len()), Some(2), "{secret}");
    assert_eq!((decoded("SECRET_KEY"), decoded("API_TOKEN")), ("s3cr3t-value".to_string(), "t0k=n".to_string()));

    // A value changed as the script's header says (the Secret deleted, .env.local edited):
    // the Secret made again reaches the pods, whose image did not change, by a restart.
    let revision = laptop.revision("minikube:athletes", "athletes", "flask-app");
    let kc = format!(
        "kubectl --kubeconfig {} --context athletes",
        laptop.gen_kubeconfig("minikube-athletes.kubeconfig").display()
    );
    let deleted = laptop.sh(&format!("{kc} --namespace athletes delete secret flask-app-env"));
    assert!(deleted.status.success(), "{}", String::from_utf8_lossy(&deleted.stderr));
    std::fs::write(&env_local, "SECRET_KEY=a-new-value\nAPI_TOKEN=t0k=n\n").expect(".env.local");
    let run = laptop.deploy(&script, &[]);
    run.ok();
    assert_eq!(laptop.revision("minikube:athletes", "athletes", "flask-app"), revision + 1, "{}", run.said());
    // And a run that made no Secret restarts nothing.
    let run = laptop.deploy(&script, &[]);
    run.ok();
    assert_eq!(laptop.revision("minikube:athletes", "athletes", "flask-app"), revision + 1, "{}", run.said());

    // A name the spec adds later is missing from the Secret made before it: said right after
    // the namespaces, naming it, not after the rollout times out.
    let spec = spec.replace("secretEnv: [SECRET_KEY, API_TOKEN]", "secretEnv: [SECRET_KEY, API_TOKEN, MAIL_URL]");
    std::fs::write(laptop.dir.path().join("spec.yaml"), &spec).expect("spec");
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(laptop.dir.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let run = laptop.deploy(&script, &[]);
    run.fails().says("lacks MAIL_URL").says("delete secret flask-app-env");
    assert_stopped_before_the_slow_steps(&run);
    // gen never writes it.
    assert!(
        std::fs::read_to_string(laptop.dir.path().join("out/.gen-manifest.json"))
            .is_ok_and(|m| !m.contains(".env.local"))
    );
}

#[test]
fn a_port_another_server_holds_is_refused_and_only_a_2xx_or_3xx_counts_as_the_service() {
    // Another server on the port answers 404 to everything.
    let spec = example("seed-002-athletes.yaml");
    let port: u16 =
        spec.split("    port: ").nth(1).and_then(|p| p.lines().next()).and_then(|p| p.parse().ok()).expect("port");
    let server = TcpListener::bind(("127.0.0.1", port)).expect("the other server");
    std::thread::spawn(move || {
        for mut stream in server.incoming().flatten() {
            let mut buffer = [0u8; 1024];
            let _ = stream.read(&mut buffer);
            let _ = stream.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    let laptop = Laptop::new(&spec);
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.fails().says(&format!("port {port}"));

    // The service's own 404: its Ingress sends /athletes on unchanged, and the app serves only
    // / and its health paths.
    let laptop =
        Laptop::new(&example("seed-002-athletes.yaml").replace("ingress: {path: /}", "ingress: {path: /athletes}"));
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.fails().says("404").says("http://flask-app.localhost:");
}

#[test]
fn a_kubectl_error_while_waiting_for_pods_stops_at_once_with_the_error() {
    let laptop = Laptop::new(&example("seed-002-athletes.yaml"));
    laptop.knob(
        "fail.json",
        r#"{"kubectl get pod": "The connection to the server 127.0.0.1:32771 was refused - did you specify the right host or port?"}"#,
    );
    let run =
        laptop.deploy_with(&laptop.out("scripts/deploy-local.sh"), &["--no-forward"], &[], Duration::from_secs(60));
    run.fails().says("was refused");
    assert!(run.elapsed < Duration::from_secs(30), "it waited {:?} on an error", run.elapsed);
}

#[test]
fn a_rerun_fetches_nothing_already_installed_and_patches_metrics_server_once() {
    // kind: ingress-nginx and metrics-server from their release URLs.
    let spec = seed_002_on_kind().replace("    secretEnv: [SECRET_KEY]\n", "").replace(
        "    replicas: 3\n",
        "    replicas: 3\n    autoscaling: {minReplicas: 2, maxReplicas: 4, cpuUtilization: 60}\n",
    );
    assert!(spec.contains("autoscaling"));
    let laptop = Laptop::new(&spec);
    let script = laptop.out("scripts/deploy-local.sh");
    laptop.deploy(&script, &[]).ok();
    let metrics = "Deployment/kube-system/metrics-server";
    let revision = laptop.cluster("kind:athletes")["revisions"][metrics].clone();
    laptop.knob("offline", "");
    let run = laptop.deploy(&script, &[]);
    run.ok();
    assert!(!run.called("https://"), "{}", run.said());
    let args = laptop.cluster("kind:athletes")["objects"][metrics]["spec"]["template"]["spec"]["containers"][0]["args"]
        .clone();
    let flags = args.as_array().expect("args").iter().filter(|a| *a == "--kubelet-insecure-tls").count();
    assert_eq!(flags, 1, "{args}");
    assert_eq!(
        laptop.cluster("kind:athletes")["revisions"][metrics],
        revision,
        "metrics-server restarted:\n{}",
        run.said()
    );

    // minikube: snapscheduler's chart from its repository.
    let laptop = Laptop::new(&example("seed-004-notejam.yaml"));
    let script = laptop.out("scripts/deploy-local-production.sh");
    std::fs::write(laptop.out(".env.local"), "SECRET_KEY=k\n").expect(".env.local");
    laptop.deploy(&script, &[]).ok();
    laptop.knob("offline", "");
    let run = laptop.deploy(&script, &[]);
    run.ok();
    assert!(!run.called("helm upgrade"), "{}", run.said());
}

#[test]
fn a_build_is_tagged_from_its_own_id_whatever_another_build_does_with_a_shared_tag() {
    let laptop = Laptop::new(&example("seed-002-athletes.yaml"));
    // Another environment's build of the same service moves any shared tag right after ours.
    laptop.knob("tag-race", "");
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.ok();
    let (image, id) = laptop.running("minikube:athletes", "athletes", "flask-app");
    assert_eq!(id, laptop.built("flask-app"), "the Deployment runs {image}, another build:\n{}", run.said());
}

#[test]
fn a_stopped_kind_node_is_started_and_its_api_waited_for() {
    let laptop = Laptop::new(&seed_002_on_kind().replace("    secretEnv: [SECRET_KEY]\n", ""));
    let script = laptop.out("scripts/deploy-local.sh");
    laptop.deploy(&script, &[]).ok();
    // After a reboot: kind still lists the cluster, its node container is stopped.
    assert!(laptop.sh("docker stop athletes-control-plane").status.success());
    let run = laptop.deploy(&script, &[]);
    run.ok().says("flask-app: http://");
    assert!(run.called("docker start athletes-control-plane") && !run.called("kind create"), "{}", run.said());
}

#[test]
fn the_snapshots_of_a_minikube_cluster_are_said_to_die_with_it_and_how_to_restore_one() {
    let laptop = Laptop::new(&example("seed-004-notejam.yaml"));
    std::fs::write(laptop.out(".env.local"), "SECRET_KEY=k\n").expect(".env.local");
    let run = laptop.deploy(&laptop.out("scripts/deploy-local-production.sh"), &[]);
    run.ok()
        .says("1095 days")
        .says("minikube delete --profile notejam-production")
        .says("get volumesnapshots")
        .says("dataSource")
        .says("kind: VolumeSnapshot")
        // The restored claim is the schedule's again: it carries the labels it selects.
        .says("labels: {app.kubernetes.io/name: notejam, app.kubernetes.io/instance: notejam}");
    let readme = std::fs::read_to_string(laptop.out("README.md")).expect("README");
    let local = &readme[readme.find("## Prerequisites of the local cluster").expect("the local section")..];
    assert!(readme.contains("app.kubernetes.io/instance: \"notejam\""), "the README's restored claim has no labels");
    for what in ["`minikube delete", "dataSource", "VolumeSnapshot", ".env.local"] {
        assert!(local.contains(what), "the README's local section does not say {what}:\n{local}");
    }
}

/// A spec of `tests/fixtures/specs` whose `dev` is a kind cluster beside Azure (its service
/// reads a Secret, keeps a volume with a backup, routes through an HTTPRoute on Azure), the
/// laptop's port moved to a free one.
fn mixed(fixture: &str) -> String {
    let spec = std::fs::read_to_string(root().join("tests/fixtures/specs").join(fixture)).expect("fixture");
    let local = "platform: {local: {cluster: kind}}";
    assert!(spec.contains(local), "{fixture}: a kind dev");
    spec.replace(local, &format!("platform: {{local: {{cluster: kind, port: {}}}}}", free_ports(1)[0]))
}

/// The kind script of a mixed spec deploys once its Secret is there, and a re-run restarts
/// nothing.
fn the_kind_environment_deploys(spec: &str) {
    let laptop = Laptop::new(spec);
    let script = laptop.out("scripts/deploy-local-dev.sh");
    let first = laptop.deploy(&script, &[]);
    first.fails().says(".env.local");
    assert_stopped_before_the_slow_steps(&first);
    std::fs::write(laptop.out(".env.local"), "SECRET_KEY=a-local-key\n").expect(".env.local");
    let second = laptop.deploy(&script, &[]);
    second.ok().says("api: http://");
    let (image, id) = laptop.running("kind:shop-dev", "shop", "api");
    assert_eq!(id, laptop.built("api"), "the Deployment runs {image}, not the fresh build:\n{}", second.said());
    let revision = laptop.revision("kind:shop-dev", "shop", "api");
    let third = laptop.deploy(&script, &[]);
    third.ok();
    assert_eq!(laptop.running("kind:shop-dev", "shop", "api").0, image, "{}", third.said());
    assert_eq!(
        laptop.revision("kind:shop-dev", "shop", "api"),
        revision,
        "a re-run restarted the pods:\n{}",
        third.said()
    );
}

#[test]
fn a_kind_dev_beside_azure_prod_deploys_on_the_laptop() {
    the_kind_environment_deploys(&mixed("kind-dev-azure-prod.yaml"));
}

#[test]
fn a_kind_dev_beside_azure_staging_and_prod_deploys_on_the_laptop() {
    the_kind_environment_deploys(&mixed("kind-dev-azure-staging-prod.yaml"));
}

/// .env.local holds the Secrets' values: gen's .gitignore beside it keeps it out of git, and in
/// a work tree where git would take it, the script refuses to read it and says how to fix that.
#[test]
fn env_local_is_ignored_by_git_and_read_only_while_it_is() {
    let laptop = Laptop::new(&seed_002_on_kind());
    let ignore = std::fs::read_to_string(laptop.out(".gitignore")).expect("out/.gitignore");
    assert!(ignore.lines().any(|l| l == "/.env.local") && ignore.lines().any(|l| l == "/.deploy-local.*"), "{ignore}");
    let git = |args: &[&str]| {
        let out = Command::new(which("git")).args(args).current_dir(laptop.dir.path()).output().expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    };
    git(&["init", "-q"]);
    std::fs::write(laptop.out(".env.local"), "SECRET_KEY=s3cr3t-value\n").expect(".env.local");
    laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]).ok();

    std::fs::write(laptop.out(".gitignore"), "").expect("gitignore");
    let run = laptop.deploy(&laptop.out("scripts/deploy-local.sh"), &[]);
    run.fails().says("git does not ignore it").says(".gitignore");
    assert!(!run.text().contains("s3cr3t-value"), "{}", run.said());

    // A laptop environment beside Azure's reads .env.local in the same place: it is ignored there too.
    for fixture in ["kind-dev-azure-prod.yaml", "kind-dev-azure-staging-prod.yaml"] {
        let laptop = Laptop::new(&mixed(fixture));
        let ignore = std::fs::read_to_string(laptop.out(".gitignore")).unwrap_or_default();
        assert!(ignore.lines().any(|l| l == "/.env.local"), "{fixture}: {ignore}");
    }
}

/// What the script needs of the machine and the cluster is checked before the slow steps: a
/// Docker daemon that answers, and a Kubernetes that serves the manifests (1.30 and later:
/// their preStop sleep); each refusal says how to fix it.
#[test]
fn a_stopped_docker_or_an_old_kubernetes_is_said_before_the_slow_steps() {
    for spec in [example("seed-002-athletes.yaml"), seed_002_on_kind()] {
        let laptop = Laptop::new(&spec.replace("    secretEnv: [SECRET_KEY]\n", ""));
        let script = laptop.out("scripts/deploy-local.sh");
        laptop.knob("docker-down", "");
        let run = laptop.deploy(&script, &[]);
        run.fails().says("docker does not answer").says("start Docker");
        assert_stopped_before_the_slow_steps(&run);
        std::fs::remove_file(laptop.state.join("docker-down")).expect("knob");

        laptop.knob("kubernetes-minor", "29");
        let run = laptop.deploy(&script, &[]);
        run.fails().says("runs Kubernetes 1.29").says("1.30 or later");
        assert_stopped_before_the_slow_steps(&run);
        laptop.knob("kubernetes-minor", "30");
        laptop.deploy(&script, &[]).ok();
    }
}

/// A service renamed with `renamedFrom` deploys under its new name on kind, and what its former
/// name ran there goes once the new name is ready.
#[test]
fn a_renamed_service_on_kind_leaves_nothing_of_its_former_name() {
    let spec = example("seed-002-athletes.yaml").replace("cluster: minikube", "cluster: kind");
    let laptop = Laptop::new(&spec);
    let script = laptop.out("scripts/deploy-local.sh");
    laptop.deploy(&script, &[]).ok();
    let former = "Deployment/athletes/flask-app";
    assert!(!laptop.cluster("kind:athletes")["objects"][former].is_null(), "deployed under its first name");
    let renamed = spec.replace("  - name: flask-app\n", "  - name: flask-api\n    renamedFrom: flask-app\n");
    assert_ne!(renamed, spec, "the rename applies");
    std::fs::write(laptop.home().join("spec.yaml"), renamed).expect("spec");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(laptop.home()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    laptop.deploy(&script, &[]).ok().says("flask-api: http://");
    let objects = laptop.cluster("kind:athletes")["objects"].clone();
    assert!(!objects["Deployment/athletes/flask-api"].is_null(), "deployed under its new name");
    let left: Vec<&String> = objects
        .as_object()
        .expect("objects")
        .iter()
        .filter(|(_, o)| o["metadata"]["labels"]["app.kubernetes.io/instance"] == "flask-app")
        .map(|(k, _)| k)
        .collect();
    assert!(left.is_empty(), "the former name's objects are still there: {left:?}");
}
