//! The local deploy scripts run to their service check on a fresh cluster, against stub tools
//! on the PATH that answer as the real ones do there: kubectl says NotFound for a namespace
//! not created yet and "no matching resources found" for pods a controller has not made yet
//! (kind #2293); minikube keeps the image it has under a tag it is asked to load again
//! (minikube #23023, #16032); kind writes the current context of the kubeconfig it is given.
//! The stubs keep the cluster's state in files, so the test sees which image the Deployment
//! runs, and whether the user's current context changed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::Gen;

/// One stub for every tool, told apart by the name it is called by. State lives in `$STATE`:
/// `docker/<image>` and `cluster/<image>` hold an image's content id, `ns/<name>` a namespace,
/// `secret/<ns>.<name>` a Secret, `deployment` the image the last apply set, `pods` how many
/// times the controller's pods were asked for.
const STUB: &str = r#"#!/bin/bash
set -u
tool=$(basename "$0")
echo "$tool $*" >>"$STATE/calls"
key() { printf '%s' "$1" | tr '/:' '__'; }
case $tool in
docker)
  case $1 in
  build)
    shift
    tag="" iid="" dir=""
    while (($#)); do
      case $1 in
      --tag) tag=$2; shift 2 ;;
      --iidfile) iid=$2; shift 2 ;;
      *) dir=$1; shift ;;
      esac
    done
    # The image's content: a digest of the service's files.
    id="sha256:$(cat "$dir"/app/*.py | sha256sum | cut -c1-64)"
    mkdir -p "$STATE/docker"
    printf '%s' "$id" >"$STATE/docker/$(key "$tag")"
    [[ -n $iid ]] && printf '%s' "$id" >"$iid"
    ;;
  tag) cp "$STATE/docker/$(key "$2")" "$STATE/docker/$(key "$3")" ;;
  esac
  ;;
minikube)
  case "$1 ${2-}" in
  "image load")
    # minikube keeps what it has under a tag, whatever the new build is.
    mkdir -p "$STATE/cluster"
    [[ -e $STATE/cluster/$(key "$3") ]] || cp "$STATE/docker/$(key "$3")" "$STATE/cluster/$(key "$3")"
    ;;
  "start "*)
    # Without --keep-context, minikube makes its cluster the current context.
    [[ " $* " == *" --keep-context "* ]] || echo "$3" >"$STATE/current-context"
    ;;
  esac
  ;;
kind)
  case "$1 ${2-}" in
  "get clusters") [[ -e $STATE/kind-cluster ]] && cat "$STATE/kind-cluster" ;;
  "create cluster" | "export kubeconfig")
    name=kind kubeconfig=""
    while (($#)); do
      case $1 in
      --name) name=$2; shift 2 ;;
      --kubeconfig) kubeconfig=$2; shift 2 ;;
      *) shift ;;
      esac
    done
    echo "$name" >"$STATE/kind-cluster"
    # kind sets the current context of the kubeconfig it writes: the user's, unless told.
    if [[ -n $kubeconfig ]]; then echo "kind-$name" >"$kubeconfig"; else echo "kind-$name" >"$STATE/current-context"; fi
    ;;
  "load docker-image")
    mkdir -p "$STATE/cluster"
    cp "$STATE/docker/$(key "$3")" "$STATE/cluster/$(key "$3")"
    ;;
  esac
  ;;
kubectl)
  ns=default args=()
  while (($#)); do
    case $1 in
    --context | --kubeconfig) shift 2 ;;
    --namespace | -n) ns=$2; shift 2 ;;
    *) args+=("$1"); shift ;;
    esac
  done
  set -- "${args[@]}"
  case "$1 ${2-}" in
  "get pod")
    # The controller's pods appear on the third look.
    n=$(($(cat "$STATE/pods" 2>/dev/null || echo 0) + 1))
    echo "$n" >"$STATE/pods"
    ((n >= 3)) && echo "pod/ingress-nginx-controller-5c8d66c76d-x2x4j"
    ;;
  "wait "*)
    if (($(cat "$STATE/pods" 2>/dev/null || echo 0) < 3)); then
      echo "error: no matching resources found" >&2
      exit 1
    fi
    ;;
  "get secret")
    if [[ ! -e $STATE/ns/$ns ]]; then
      echo "Error from server (NotFound): namespaces \"$ns\" not found" >&2
      exit 1
    fi
    [[ -e $STATE/secret/$ns.$3 ]] || { echo "Error from server (NotFound): secrets \"$3\" not found" >&2; exit 1; }
    ;;
  "create secret")
    if [[ ! -e $STATE/ns/$ns ]]; then
      echo "Error from server (NotFound): namespaces \"$ns\" not found" >&2
      exit 1
    fi
    mkdir -p "$STATE/secret"
    touch "$STATE/secret/$ns.$4"
    ;;
  "apply --filename" | "apply -f")
    mkdir -p "$STATE/ns"
    if [[ -f $3 ]]; then
      awk '/^kind: Namespace/{n=1} n && /^  name:/{gsub(/"/, "", $2); print $2; n=0}' "$3" | while read -r name; do touch "$STATE/ns/$name"; done
    fi
    ;;
  "apply --kustomize" | "apply -k")
    # The image each entry of the kustomization's `images` sets (the last apply wins).
    awk '/- name:/{name=$3} /newTag:/{print name ":" $2}' "$3/kustomization.yaml" >"$STATE/deployment"
    [[ -s $STATE/deployment ]] || echo "(the manifests' own tag)" >"$STATE/deployment"
    ;;
  esac
  ;;
curl) printf 200 ;;
esac
exit 0
"#;

/// A rendered spec and a home with the stubs.
struct Laptop {
    dir: tempfile::TempDir,
    state: PathBuf,
    bin: PathBuf,
}

impl Laptop {
    fn new(spec: &str) -> Laptop {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("spec.yaml"), spec).expect("spec");
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        let state = dir.path().join("state");
        let bin = dir.path().join("bin");
        std::fs::create_dir_all(&state).expect("state");
        std::fs::create_dir_all(&bin).expect("bin");
        let stub = bin.join("stub");
        std::fs::write(&stub, STUB).expect("stub");
        let mut perms = std::fs::metadata(&stub).expect("stub").permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&stub, perms).expect("chmod");
        for tool in ["docker", "kubectl", "minikube", "kind", "helm", "python3", "curl", "sh"] {
            std::os::unix::fs::symlink(&stub, bin.join(tool)).expect("link");
        }
        // The user's kubeconfig, whose current context must survive every run.
        std::fs::write(state.join("current-context"), "prod-aks\n").expect("context");
        Laptop { dir, state, bin }
    }

    fn out(&self, rel: &str) -> PathBuf {
        self.dir.path().join("out").join(rel)
    }

    /// Runs a deploy script with only the stubs and the basics (bash, coreutils) on its PATH.
    fn deploy(&self, script: &Path) -> Output {
        Command::new("bash")
            .arg(script)
            .arg("--no-forward")
            .env("PATH", format!("{}:/usr/bin:/bin", self.bin.display()))
            .env("HOME", self.dir.path())
            .env("STATE", &self.state)
            .env_remove("KUBECONFIG")
            .env_remove("XDG_CONFIG_HOME")
            .output()
            .expect("bash")
    }

    /// Runs a command the script printed, with the stubs.
    fn sh(&self, command: &str) -> Output {
        Command::new("bash")
            .args(["-c", command])
            .env("PATH", format!("{}:/usr/bin:/bin", self.bin.display()))
            .env("STATE", &self.state)
            .output()
            .expect("bash")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.state.join(name)).unwrap_or_default()
    }

    /// The content id the cluster runs for the image the Deployment was last set to.
    fn running(&self) -> (String, String) {
        let image = self.read("deployment").trim().to_string();
        let id = std::fs::read_to_string(self.state.join("cluster").join(image.replace(['/', ':'], "_")))
            .unwrap_or_else(|_| panic!("the cluster has no image {image:?}: {}", self.read("calls")));
        (image, id)
    }

    /// The content id of the service's files as they are now (what a build of them holds).
    fn built(&self, service: &str) -> String {
        let out = Command::new("bash")
            .args([
                "-c",
                &format!(
                    "cat {}/app/*.py | sha256sum | cut -c1-64",
                    self.out(&format!("services/{service}")).display()
                ),
            ])
            .output()
            .expect("sha256sum");
        format!("sha256:{}", String::from_utf8_lossy(&out.stdout).trim())
    }
}

fn text(out: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr))
}

/// Deploys to a fresh cluster: the script stops at the missing Secret with a command that
/// works (its namespace exists by then), runs to its service check once the Secret is there,
/// and after a change of the code, runs the new code; the user's current context never moves.
fn first_deploy_then_a_change(laptop: &Laptop, script: &Path, service: &str) {
    let first = laptop.deploy(script);
    let said = text(&first);
    assert_eq!(first.status.code(), Some(1), "it stops at the missing Secret:\n{said}");
    let command = said
        .lines()
        .find_map(|l| l.split_once("create the secret first: ").map(|(_, c)| c))
        .unwrap_or_else(|| panic!("no command for the Secret:\n{said}"));
    let command = command.split(" (with the values").next().expect("command");
    let created = laptop.sh(&command.replace("=...", "=a-local-key"));
    assert!(created.status.success(), "the printed command fails on a fresh cluster: {command}\n{}", text(&created));

    let second = laptop.deploy(script);
    let said = text(&second);
    assert!(second.status.success(), "{said}\ncalls:\n{}", laptop.read("calls"));
    assert!(said.contains(&format!("{service}: http://")), "it reaches the service check:\n{said}");
    let (image, id) = laptop.running();
    assert_eq!(id, laptop.built(service), "the Deployment runs {image}, not the fresh build");

    // A change of the code: the next run must run it, not the image kept under a reused tag.
    let app = laptop.out(&format!("services/{service}/app/__init__.py"));
    let code = std::fs::read_to_string(&app).expect("app");
    std::fs::write(&app, format!("{code}\n# changed\n")).expect("change");
    let third = laptop.deploy(script);
    assert!(third.status.success(), "{}", text(&third));
    let (image_after, id_after) = laptop.running();
    assert_ne!(image_after, image, "a new build gets a new tag");
    assert_eq!(id_after, laptop.built(service), "the Deployment runs {image_after}, not the changed code");
    assert_eq!(laptop.read("current-context").trim(), "prod-aks", "the user's current context moved");
}

#[test]
fn the_minikube_scripts_of_seed_004_deploy_the_fresh_build_on_a_fresh_cluster() {
    let spec = std::fs::read_to_string(common::root().join("examples/seed-004-notejam.yaml")).expect("seed 004");
    for env in ["development", "production"] {
        let laptop = Laptop::new(&spec);
        first_deploy_then_a_change(&laptop, &laptop.out(&format!("scripts/deploy-local-{env}.sh")), "notejam");
    }
}

#[test]
fn the_kind_script_deploys_the_fresh_build_and_leaves_the_current_context_alone() {
    let spec = std::fs::read_to_string(common::root().join("examples/seed-002-athletes.yaml")).expect("seed 002");
    let spec = spec.replace("cluster: minikube", "cluster: kind").replace(
        "    env:\n      FAVORITE_ATHLETE: Usain Bolt\n",
        "    env:\n      FAVORITE_ATHLETE: Usain Bolt\n    secretEnv: [SECRET_KEY]\n",
    );
    assert!(spec.contains("cluster: kind") && spec.contains("secretEnv"), "the edit applies");
    let laptop = Laptop::new(&spec);
    first_deploy_then_a_change(&laptop, &laptop.out("scripts/deploy-local.sh"), "flask-app");
    // Every kubectl call names the kind cluster's own kubeconfig.
    let calls = laptop.read("calls");
    for call in calls.lines().filter(|c| c.starts_with("kubectl ")) {
        assert!(call.starts_with("kubectl --kubeconfig ") && call.contains(" --context kind-"), "{call}");
    }
}

#[test]
fn a_deploy_script_runs_its_steps_in_order_and_prints_the_url() {
    let spec = std::fs::read_to_string(common::root().join("examples/seed-002-athletes.yaml")).expect("seed 002");
    let laptop = Laptop::new(&spec);
    let out = laptop.deploy(&laptop.out("scripts/deploy-local.sh"));
    let said = text(&out);
    assert!(out.status.success(), "{said}");
    assert!(said.contains("flask-app: http://flask-app.localhost:8080/"), "{said}");
    let calls = laptop.read("calls");
    let steps = [
        "minikube start --profile minikube --keep-context",
        "minikube addons enable ingress --profile minikube",
        // The controller's pods are looked for until they exist, then waited for.
        "kubectl --context minikube --namespace ingress-nginx get pod --selector=app.kubernetes.io/component=controller",
        "kubectl --context minikube --namespace ingress-nginx wait --for=condition=ready pod",
        "kubectl --context minikube apply --filename ",
        "python3 -m venv ",
        "sh -c python -m pip install",
        "sh -c python -m pytest",
        "docker build --tag athletes/flask-app:dev --iidfile ",
        "docker tag athletes/flask-app:dev athletes/flask-app:dev-",
        "minikube image load athletes/flask-app:dev-",
        "kubectl --context minikube apply --kustomize ",
        "kubectl --context minikube --namespace athletes rollout status deployment/flask-app",
        "curl --silent --output /dev/null --write-out %{http_code} --resolve flask-app.localhost:8080:127.0.0.1 http://flask-app.localhost:8080/",
    ];
    let mut at = 0;
    for step in steps {
        let found = calls[at..].find(step).unwrap_or_else(|| panic!("`{step}` after byte {at} in:\n{calls}"));
        at += found + step.len();
    }
    assert!(!calls.contains("push") && !calls.contains("login"), "{calls}");
    assert!(!calls.contains("rollout restart"), "a new tag rolls the pods: {calls}");
    // The overlay it applied is gone; the output holds only what gen wrote.
    let left: Vec<_> = std::fs::read_dir(laptop.out(""))
        .expect("out")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".deploy-local"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
