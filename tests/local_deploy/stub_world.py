"""The stub world of tests/it/local_deploy.rs: one program for every tool a local deploy script
runs (docker, kind, minikube, kubectl, helm, curl, python3 and python3.X), told apart by the
name it is called by, answering as the real tool answers, so that a script fails here where
it would fail on a laptop.

What it models, and why each part is here (each is a way a first local deploy really failed):
- kubeconfigs are real YAML files: kind writes the one given with --kubeconfig, else
  $KUBECONFIG or ~/.kube/config, and makes its context current there; minikube writes the one
  $KUBECONFIG names (else ~/.kube/config) and makes its context current unless --keep-context.
  kubectl and helm read the --kubeconfig given (a missing file: `error: stat <path>: no such
  file or directory`), else $KUBECONFIG or ~/.kube/config, and the --context given (one not in
  that file: `error: context "x" does not exist`), and reach the cluster that context's server
  names, or are refused when its node is stopped.
- a cluster knows what it has: kind has StorageClass `standard` (local-path, ReadWriteOnce
  only), no VolumeSnapshot CRDs and no CSI driver; minikube has `standard` and gets
  `csi-hostpath-sc`, the snapshot CRDs and `csi-hostpath-snapclass` from its addons;
  ingress-nginx's IngressClass comes with its manifest or addon, snapscheduler's CRD with its
  chart. `kubectl apply` refuses a kind no CRD serves; a pod whose claim names a class the
  cluster lacks, whose CSI driver is missing, whose Secret key is missing, or whose image is
  not on the node (pull policy Never; any other policy pulls from the stub registry, which
  holds only what a test put there) never becomes ready, and `rollout status` times out.
- `kind get clusters` lists a cluster whose node container is stopped; the node needs
  `docker start`, and its API refuses the first calls after it.
- `kubectl apply` of an unchanged manifest changes nothing (its three-way merge), so a
  `kubectl patch` that appends is appended again on every run.
- the network: a URL (a manifest, a chart repository) fails when `$STATE/offline` exists.
- `kubectl port-forward` really listens on the port (and fails as kubectl does when the port
  is taken); curl, through a forward, is answered as ingress-nginx and the service would answer
  (404 for a host and path no Ingress routes, or a path the app does not serve; 503 without a
  ready pod); on a port something else holds, that server answers.

The state is `$STATE/world.json` (read and written under a lock); every call is appended to
`$STATE/calls` as `tool args...`. Knobs a test sets, files in `$STATE`: `offline`;
`python3-version` (what `python3 --version` says); `no-venv` (python makes no virtual
environment: Debian's python3 without python3-venv); `load-drops` (a load that says it loaded
and leaves nothing); `tag-race` (another build moves a shared tag right after a build tags
it); `fail.json` ({"kubectl get pod": "message"}: a call starting with those words fails);
`kubernetes-minor` (the cluster's Kubernetes minor version, 35 when absent); `docker-down`
(the daemon does not answer).

Docker is a current Docker Desktop's: its containerd image store gives every build a new image
id while the default provenance attestation (which holds the build's time) is on; with
`BUILDX_NO_DEFAULT_ATTESTATIONS=1` or `--provenance=false`, the same sources give the same id.
"""

import base64
import contextlib
import copy
import fcntl
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time

import yaml

STATE = os.environ["STATE"]
WORLD = os.path.join(STATE, "world.json")
HOME = os.environ.get("HOME", "/nonexistent")
TOOL = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]


def knob(name):
    return os.path.exists(os.path.join(STATE, name))


def die(message, code=1):
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.exit(code)


@contextlib.contextmanager
def world():
    """The world, locked for the duration, written back atomically (a reader never sees half)."""
    with open(os.path.join(STATE, "world.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            with open(WORLD) as f:
                w = json.load(f)
        except FileNotFoundError:
            w = {}
        for key, empty in (("clusters", {}), ("images", {}), ("tags", {}), ("containers", {}),
                           ("registry", {}), ("forwards", {}), ("next_port", 32771)):
            w.setdefault(key, empty)
        before = json.dumps(w, sort_keys=True)
        try:
            yield w
        finally:
            # Kept when the call fails too: a refused call still counts, a partial apply
            # still applied what it could.
            if json.dumps(w, sort_keys=True) != before:
                tmp = WORLD + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(w, f, indent=1, sort_keys=True)
                os.replace(tmp, WORLD)


def record_call():
    with open(os.path.join(STATE, "calls"), "a") as f:
        f.write(" ".join([TOOL] + ARGS) + "\n")


def injected_failure(words):
    """A failure a test asked for: the first entry of fail.json whose words start the call."""
    path = os.path.join(STATE, "fail.json")
    if not os.path.exists(path):
        return
    with open(path) as f:
        failures = json.load(f)
    call = " ".join(words)
    for prefix, message in failures.items():
        if call == prefix or call.startswith(prefix + " "):
            die(message)


# ---------------------------------------------------------------------------------------------
# Images


def normalize(ref):
    """An image reference as containerd names it: docker.io/library/x:latest for x."""
    if ref.startswith("sha256:"):
        return ref
    name, _, digest = ref.partition("@")
    first = name.split("/")[0]
    if "/" not in name or not ("." in first or ":" in first or first == "localhost"):
        name = "docker.io/" + (name if "/" in name else "library/" + name)
    last = name.rsplit("/", 1)[1]
    if ":" not in last and not digest:
        name += ":latest"
    return name + ("@" + digest if digest else "")


def resolve_image(w, ref):
    """The image id a reference names in docker on this machine: an id, a prefix of one, a tag."""
    if ref.startswith("sha256:") and ref in w["images"]:
        return ref
    if re.fullmatch(r"[0-9a-f]{12,64}", ref):
        for image_id in w["images"]:
            if image_id[len("sha256:"):].startswith(ref):
                return image_id
    return w["tags"].get(normalize(ref))


def content_id(folder, dockerfile=None):
    """What a build of a service's folder holds: a digest of its app's code. gen's scaffold: the
    folder's app/*.py; a service's own code (`source:`): every .py under the folder the
    Dockerfile copies whole (`COPY DIR/ ./`, from the context)."""
    digest = hashlib.sha256()
    code = None
    if dockerfile:
        with open(dockerfile) as f:
            for line in f:
                parts = line.split()
                if len(parts) == 3 and parts[0] == "COPY" and parts[1].endswith("/") and parts[2] == "./":
                    copied, code = parts[1], os.path.join(folder, parts[1])
    if code is None:
        app = os.path.join(folder, "app")
        files = [os.path.join(app, name) for name in sorted(os.listdir(app)) if name.endswith(".py")]
    else:
        if not os.path.isdir(code):
            die(f'ERROR: failed to solve: failed to compute cache key: "/{copied}": not found')
        found = [os.path.join(d, n) for d, _, names in os.walk(code) for n in names if n.endswith(".py")]
        files = sorted(found, key=lambda p: os.path.relpath(p, code))
    for path in files:
        with open(path, "rb") as f:
            digest.update(f.read())
    return "sha256:" + digest.hexdigest()


# ---------------------------------------------------------------------------------------------
# Kubeconfigs


def default_kubeconfig():
    """The kubeconfig a tool writes when given none: the first of $KUBECONFIG, else ~/.kube/config."""
    paths = [p for p in os.environ.get("KUBECONFIG", "").split(":") if p]
    return paths[0] if paths else os.path.join(HOME, ".kube", "config")


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def write_context(path, name, port, make_current):
    """Adds (or replaces) a cluster, user and context called `name`, as kind and minikube do."""
    config = load_yaml(path) if os.path.exists(path) else {}
    config.setdefault("apiVersion", "v1")
    config.setdefault("kind", "Config")
    for section, entry in (
        ("clusters", {"name": name, "cluster": {"server": f"https://127.0.0.1:{port}",
                                                "certificate-authority-data": "c3R1Yg=="}}),
        ("users", {"name": name, "user": {"client-certificate-data": "c3R1Yg==", "client-key-data": "c3R1Yg=="}}),
        ("contexts", {"name": name, "context": {"cluster": name, "user": name}}),
    ):
        entries = [e for e in (config.get(section) or []) if e.get("name") != name]
        config[section] = entries + [entry]
    if make_current or not config.get("current-context"):
        config["current-context"] = name
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)
    os.chmod(path, 0o600)


def remove_context(path, name):
    if not os.path.exists(path):
        return
    config = load_yaml(path)
    for section in ("clusters", "users", "contexts"):
        config[section] = [e for e in (config.get(section) or []) if e.get("name") != name]
    if config.get("current-context") == name:
        config["current-context"] = ""
    with open(path, "w") as f:
        yaml.safe_dump(config, f, sort_keys=False)


def reach(w, kubeconfig, context, prefix=""):
    """The cluster a kubectl (or helm) call reaches, or its error, as kubectl words it."""
    if kubeconfig:
        if not os.path.exists(kubeconfig):
            die(f"{prefix}error: stat {kubeconfig}: no such file or directory")
        files = [kubeconfig]
    else:
        env = [p for p in os.environ.get("KUBECONFIG", "").split(":") if p]
        files = [p for p in env if os.path.exists(p)] if env else \
            [p for p in [os.path.join(HOME, ".kube", "config")] if os.path.exists(p)]
    contexts, clusters, current = {}, {}, ""
    for path in files:
        config = load_yaml(path)
        for entry in config.get("contexts") or []:
            contexts.setdefault(entry["name"], entry.get("context") or {})
        for entry in config.get("clusters") or []:
            clusters.setdefault(entry["name"], entry.get("cluster") or {})
        current = current or config.get("current-context") or ""
    name = context or current
    if not name:
        die(f"{prefix}The connection to the server localhost:8080 was refused - did you specify the right host or port?")
    if name not in contexts:
        die(f'{prefix}error: context "{name}" does not exist')
    server = clusters.get(contexts[name].get("cluster"), {}).get("server", "")
    match = re.fullmatch(r"https://127\.0\.0\.1:(\d+)", server)
    cluster = next((c for c in w["clusters"].values() if match and c["port"] == int(match.group(1))), None)
    where = server.replace("https://", "") or "localhost:8080"
    if cluster is None or not cluster["running"]:
        die(f"{prefix}The connection to the server {where} was refused - did you specify the right host or port?")
    if cluster.get("refusals", 0) > 0:
        # An API server still starting.
        cluster["refusals"] -= 1
        die(f"{prefix}The connection to the server {where} was refused - did you specify the right host or port?")
    return cluster


# ---------------------------------------------------------------------------------------------
# Clusters

BUILTIN = {
    "Namespace", "ServiceAccount", "ConfigMap", "Secret", "Service", "Endpoints", "Pod",
    "PersistentVolumeClaim", "PersistentVolume", "Deployment", "ReplicaSet", "StatefulSet",
    "DaemonSet", "Job", "CronJob", "PodDisruptionBudget", "HorizontalPodAutoscaler", "Ingress",
    "IngressClass", "NetworkPolicy", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding",
    "StorageClass", "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "CustomResourceDefinition", "APIService", "LimitRange", "ResourceQuota", "PriorityClass",
}
CLUSTER_SCOPED = {
    "Namespace", "PersistentVolume", "IngressClass", "ClusterRole", "ClusterRoleBinding",
    "StorageClass", "CSIDriver", "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration",
    "CustomResourceDefinition", "APIService", "PriorityClass", "VolumeSnapshotClass",
    "VolumeSnapshotContent",
}
SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"]


def new_cluster(w, tool, name, node, labels, storage):
    port = w["next_port"]
    w["next_port"] += 1
    cluster = {
        "tool": tool, "name": name, "running": True, "port": port, "refusals": 0,
        "nodes": [{"name": node, "labels": dict({"kubernetes.io/os": "linux", "kubernetes.io/hostname": node}, **labels)}],
        "storageClasses": storage, "csiDrivers": [], "crds": [], "images": {}, "objects": {},
        "applied": {}, "revisions": {}, "releases": {}, "addons": [], "looks": 0,
    }
    for ns in SYSTEM_NAMESPACES:
        put(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    w["clusters"][f"{tool}:{name}"] = cluster
    return cluster


def key_of(obj):
    kind = obj["kind"]
    meta = obj.get("metadata") or {}
    ns = "" if kind in CLUSTER_SCOPED else meta.get("namespace", "default")
    return f"{kind}/{ns}/{meta.get('name', '')}"


def put(cluster, obj):
    cluster["objects"][key_of(obj)] = obj


def get(cluster, kind, ns, name):
    return cluster["objects"].get(f"{kind}/{'' if kind in CLUSTER_SCOPED else ns}/{name}")


def namespace_exists(cluster, ns):
    return get(cluster, "Namespace", "", ns) is not None


def served(cluster, obj):
    if obj["kind"] in BUILTIN:
        return True
    group = obj.get("apiVersion", "").split("/")[0]
    return f"{group}/{obj['kind']}" in cluster["crds"]


def system_deployment(ns, name, image, labels, args=None, node_selector=None):
    container = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent"}
    if args is not None:
        container["args"] = list(args)
    spec = {"containers": [container]}
    if node_selector:
        spec["nodeSelector"] = node_selector
    return {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns, "labels": dict(labels)},
        "spec": {"selector": {"matchLabels": dict(labels)},
                 "template": {"metadata": {"labels": dict(labels)}, "spec": spec}},
    }


INGRESS_LABELS = {"app.kubernetes.io/name": "ingress-nginx", "app.kubernetes.io/instance": "ingress-nginx",
                  "app.kubernetes.io/component": "controller"}


def ingress_nginx(version, node_selector):
    """The objects of ingress-nginx's release manifest (or minikube's addon) that matter here."""
    return [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ingress-nginx"}},
        system_deployment("ingress-nginx", "ingress-nginx-controller",
                          f"registry.k8s.io/ingress-nginx/controller:{version}@sha256:" + "0" * 64,
                          INGRESS_LABELS, node_selector=node_selector),
        {"apiVersion": "v1", "kind": "Service",
         "metadata": {"name": "ingress-nginx-controller", "namespace": "ingress-nginx"},
         "spec": {"selector": dict(INGRESS_LABELS)}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "IngressClass", "metadata": {"name": "nginx"},
         "spec": {"controller": "k8s.io/ingress-nginx"}},
        {"apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
         "metadata": {"name": "ingress-nginx-admission"}},
    ]


METRICS_ARGS = ["--cert-dir=/tmp", "--secure-port=10250",
                "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                "--kubelet-use-node-status-port", "--metric-resolution=15s"]


def metrics_server(version):
    return [system_deployment("kube-system", "metrics-server",
                              f"registry.k8s.io/metrics-server/metrics-server:{version}",
                              {"k8s-app": "metrics-server"}, args=METRICS_ARGS)]


def fetch(url):
    """The objects a release URL serves, or kubectl's error when it cannot be read."""
    if knob("offline"):
        host = url.split("/")[2]
        die(f'error: unable to read URL "{url}", server reported : Get "{url}": dial tcp: lookup {host}: no such host')
    m = re.fullmatch(r"https://raw\.githubusercontent\.com/kubernetes/ingress-nginx/controller-(v[\d.]+)/deploy/static/provider/kind/deploy\.yaml", url)
    if m:
        return ingress_nginx(m.group(1), {"ingress-ready": "true", "kubernetes.io/os": "linux"})
    m = re.fullmatch(r"https://github\.com/kubernetes-sigs/metrics-server/releases/download/(v[\d.]+)/components\.yaml", url)
    if m:
        return metrics_server(m.group(1))
    die(f'error: unable to read URL "{url}", server reported 404 Not Found, status code=404')


def controller_ready(cluster):
    deployment = get(cluster, "Deployment", "ingress-nginx", "ingress-nginx-controller")
    return deployment is not None and cluster["looks"] >= 2 and pod_problem(cluster, "ingress-nginx", deployment) is None


def apply_objects(cluster, objects, source, default_ns):
    """kubectl apply: namespaces first; each object refused as the API server refuses it."""
    errors, said = [], []
    objects = sorted(objects, key=lambda o: o.get("kind") != "Namespace")
    for obj in objects:
        if not obj:
            continue
        meta = obj.setdefault("metadata", {})
        if obj["kind"] not in CLUSTER_SCOPED:
            meta.setdefault("namespace", default_ns)
        ns = meta.get("namespace", "")
        if not served(cluster, obj):
            errors.append(f'error: resource mapping not found for name: "{meta.get("name")}" namespace: "{ns}" '
                          f'from "{source}": no matches for kind "{obj["kind"]}" in version "{obj.get("apiVersion")}"\n'
                          "ensure CRDs are installed first")
            continue
        if obj["kind"] not in CLUSTER_SCOPED and not namespace_exists(cluster, ns):
            errors.append(f'Error from server (NotFound): error when creating "{source}": namespaces "{ns}" not found')
            continue
        if (obj["kind"] == "Ingress" and get(cluster, "ValidatingWebhookConfiguration", "", "ingress-nginx-admission")
                and not controller_ready(cluster)):
            errors.append(f'Error from server (InternalError): error when creating "{source}": Internal error occurred: '
                          'failed calling webhook "validate.nginx.ingress.kubernetes.io": failed to call webhook: Post '
                          '"https://ingress-nginx-controller-admission.ingress-nginx.svc:443/networking/v1/ingresses?timeout=10s": '
                          "dial tcp 10.96.12.34:443: connect: connection refused")
            continue
        key = key_of(obj)
        live = cluster["objects"].get(key)
        kind = obj["kind"].lower() + ("." + obj["apiVersion"].split("/")[0] if "/" in obj.get("apiVersion", "") else "")
        what = f"{kind}/{meta.get('name')}"
        if live is not None and cluster["applied"].get(key) == obj:
            said.append(f"{what} unchanged")
            continue
        # Three-way merge, simplified: what the manifest changed since the last apply replaces
        # the live object; an unchanged manifest leaves the live object (and its patches) alone.
        if obj["kind"] == "Deployment" and (live is None or live["spec"]["template"] != obj["spec"]["template"]):
            cluster["revisions"][key] = cluster["revisions"].get(key, 0) + 1
        cluster["objects"][key] = copy.deepcopy(obj)
        cluster["applied"][key] = copy.deepcopy(obj)
        said.append(f"{what} {'configured' if live is not None else 'created'}")
    print("\n".join(said))
    if errors:
        die("\n".join(errors))


def pod_problem(cluster, ns, deployment):
    """Why the Deployment's pods never become ready, as `kubectl describe pod` says; None when they do."""
    spec = deployment["spec"]["template"]["spec"]
    selector = spec.get("nodeSelector") or {}
    if not any(all(n["labels"].get(k) == v for k, v in selector.items()) for n in cluster["nodes"]):
        return "FailedScheduling: 0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector"
    account = spec.get("serviceAccountName", "default")
    if account != "default" and get(cluster, "ServiceAccount", ns, account) is None:
        return f'FailedCreate: error looking up service account {ns}/{account}: serviceaccount "{account}" not found'
    for volume in spec.get("volumes") or []:
        if "persistentVolumeClaim" in volume:
            name = volume["persistentVolumeClaim"]["claimName"]
            claim = get(cluster, "PersistentVolumeClaim", ns, name)
            if claim is None:
                return f'FailedScheduling: persistentvolumeclaim "{name}" not found'
            cls = claim["spec"].get("storageClassName", "standard")
            if cls not in cluster["storageClasses"]:
                return f'ProvisioningFailed: storageclass.storage.k8s.io "{cls}" not found (the claim stays Pending)'
            modes = set(claim["spec"].get("accessModes") or ["ReadWriteOnce"])
            if not modes <= set(cluster["storageClasses"][cls]["accessModes"]):
                return f"ProvisioningFailed: {cls} does not provide {sorted(modes)} (the claim stays Pending)"
        if "csi" in volume and volume["csi"]["driver"] not in cluster["csiDrivers"]:
            return (f'FailedMount: MountVolume.SetUp failed for volume "{volume["name"]}" : kubernetes.io/csi: '
                    f'driver name {volume["csi"]["driver"]} not found in the list of registered CSI drivers')
        if "secret" in volume and not volume["secret"].get("optional") \
                and get(cluster, "Secret", ns, volume["secret"]["secretName"]) is None:
            return f'FailedMount: secret "{volume["secret"]["secretName"]}" not found'
        if "configMap" in volume and not volume["configMap"].get("optional") \
                and get(cluster, "ConfigMap", ns, volume["configMap"]["name"]) is None:
            return f'FailedMount: configmap "{volume["configMap"]["name"]}" not found'
    for container in (spec.get("initContainers") or []) + spec["containers"]:
        problem = image_problem(cluster, container)
        if problem:
            return problem
        for source in container.get("envFrom") or []:
            for kind, field in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                ref = source.get(field)
                if ref and not ref.get("optional") and get(cluster, kind, ns, ref["name"]) is None:
                    return f'CreateContainerConfigError: {kind.lower()} "{ref["name"]}" not found'
        for env in container.get("env") or []:
            for kind, field in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                ref = (env.get("valueFrom") or {}).get(field)
                if not ref or ref.get("optional"):
                    continue
                obj = get(cluster, kind, ns, ref["name"])
                if obj is None:
                    return f'CreateContainerConfigError: {kind.lower()} "{ref["name"]}" not found'
                if ref["key"] not in (obj.get("data") or {}) and ref["key"] not in (obj.get("stringData") or {}):
                    return f"CreateContainerConfigError: couldn't find key {ref['key']} in {kind} {ns}/{ref['name']}"
    return None


def image_problem(cluster, container):
    """Whether the node has the container's image, pulling it as its policy says."""
    ref = normalize(container["image"])
    tag = ref.rsplit(":", 1)[-1] if "@" not in ref else ""
    policy = container.get("imagePullPolicy") or ("Always" if tag == "latest" else "IfNotPresent")
    if policy != "Always" and ref in cluster["images"]:
        return None
    if policy == "Never":
        return (f'ErrImageNeverPull: Container image "{container["image"]}" is not present with pull policy of Never')
    if not ref.startswith("docker.io/"):
        return None  # the controllers' images, from their registries
    if ref in STUB_REGISTRY:
        cluster["images"][ref] = STUB_REGISTRY[ref]
        return None
    return (f'ErrImagePull: failed to pull and unpack image "{ref}": pull access denied, repository does not '
            "exist or may require authorization")


STUB_REGISTRY = {}


def ready_pods(cluster, ns, selector):
    """The pods a selector finds in a namespace: those of the Deployments it matches."""
    wanted = dict(part.split("=", 1) for part in selector.split(",") if part) if selector else {}
    pods = []
    for key, obj in sorted(cluster["objects"].items()):
        if not key.startswith(f"Deployment/{ns}/"):
            continue
        labels = obj["spec"]["template"]["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in wanted.items()):
            if obj["metadata"]["name"] == "ingress-nginx-controller" and cluster["looks"] < 2:
                continue  # a controller just installed has no pod yet (kind #2293)
            suffix = hashlib.sha256(key.encode()).hexdigest()
            pods.append((f"pod/{obj['metadata']['name']}-{suffix[:10]}-{suffix[10:15]}", pod_problem(cluster, ns, obj)))
    return pods


# ---------------------------------------------------------------------------------------------
# Tools


def options(args, with_value, flags=()):
    """Splits arguments into options (`--x v`, `--x=v`, `-x v`) and the rest."""
    found, rest, i = {}, [], 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in with_value:
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            found.setdefault(with_value[name], []).append(value)
        elif arg in flags:
            found[flags[arg]] = [True]
        else:
            rest.append(arg)
        i += 1
    return found, rest


def one(found, key, default=None):
    return found.get(key, [default])[-1]


def kubectl():
    found, rest = options(ARGS, {"--kubeconfig": "kubeconfig", "--context": "context", "--namespace": "ns", "-n": "ns",
                                 "--selector": "selector", "-l": "selector", "--output": "output", "-o": "output",
                                 "--filename": "file", "-f": "file", "--kustomize": "kustomize", "-k": "kustomize",
                                 "--type": "type", "-p": "patch", "--patch": "patch", "--timeout": "timeout",
                                 "--for": "for", "--from-literal": "literal", "--from-env-file": "envfile",
                                 "--raw": "raw", "--field-selector": "fields"},
                         {"--ignore-not-found": "ignore", "--all-namespaces": "all", "-A": "all"})
    injected_failure(["kubectl"] + rest)
    if rest[:1] == ["kustomize"]:
        os.execv(os.environ["STUB_REAL_KUBECTL"], ["kubectl"] + ARGS)
    ns = one(found, "ns", "default")
    with world() as w:
        STUB_REGISTRY.update(w["registry"])
        cluster = reach(w, one(found, "kubeconfig"), one(found, "context"))
        kubectl_in(w, cluster, found, rest, ns)


def kubectl_in(w, cluster, found, rest, ns):
    verb = rest[0] if rest else ""
    output = one(found, "output", "")
    if verb == "get" and one(found, "raw") == "/version":
        minor = "35"
        with contextlib.suppress(FileNotFoundError), open(os.path.join(STATE, "kubernetes-minor")) as f:
            minor = f.read().strip()
        print(json.dumps({"major": "1", "minor": minor, "gitVersion": f"v1.{minor}.0", "platform": "linux/amd64"},
                         indent=2))
    elif verb == "get" and one(found, "raw"):
        print("ok")
    elif verb == "get" and rest[1] in ("pod", "pods"):
        if ns == "ingress-nginx":
            cluster["looks"] += 1
        pods = ready_pods(cluster, ns, one(found, "selector", ""))
        if not pods:
            sys.stderr.write(f"No resources found in {ns} namespace.\n")
        for name, _ in pods:
            print(name)
    elif verb == "get" and rest[1] in ("node", "nodes"):
        wanted = dict(p.split("=", 1) for p in one(found, "selector", "").split(",") if p)
        for node in cluster["nodes"]:
            if all(node["labels"].get(k) == v for k, v in wanted.items()):
                print(f"node/{node['name']}")
    elif verb == "get" and len(rest) >= 3:
        kind = {"secret": "Secret", "secrets": "Secret", "deployment": "Deployment", "deployments": "Deployment",
                "deploy": "Deployment", "ingress": "Ingress", "namespace": "Namespace", "pvc": "PersistentVolumeClaim",
                "persistentvolumeclaim": "PersistentVolumeClaim", "volumesnapshotclass": "VolumeSnapshotClass",
                "storageclass": "StorageClass"}.get(rest[1])
        if kind is None:
            die(f'error: the server doesn\'t have a resource type "{rest[1]}"')
        obj = get(cluster, kind, ns, rest[2])
        if obj is None:
            if one(found, "ignore"):
                return
            die(f'Error from server (NotFound): {kind.lower()}s "{rest[2]}" not found')
        if output == "name":
            print(f"{kind.lower()}/{rest[2]}")
        elif output.startswith("jsonpath="):
            print(jsonpath(obj, output[len("jsonpath="):]), end="")
        else:
            print(rest[2])
    elif verb == "wait":
        pods = ready_pods(cluster, ns, one(found, "selector", ""))
        if not pods:
            die("error: no matching resources found")
        for name, problem in pods:
            if problem:
                die(f"error: timed out waiting for the condition on pods/{name[len('pod/'):]}")
            print(f"{name} condition met")
    elif verb == "apply" and one(found, "kustomize"):
        folder = one(found, "kustomize")
        built = subprocess.run([os.environ["STUB_REAL_KUBECTL"], "kustomize", folder], capture_output=True, text=True)
        if built.returncode != 0:
            die(built.stderr)
        apply_objects(cluster, list(yaml.safe_load_all(built.stdout)), folder, ns)
    elif verb == "apply" and one(found, "file"):
        # Each --filename, in order, as kubectl applies them.
        for source in found["file"]:
            if re.match(r"https?://", source):
                objects = fetch(source)
            else:
                with open(source) as f:
                    objects = [o for o in yaml.safe_load_all(f) if o]
            apply_objects(cluster, objects, source, ns)
    elif verb == "create" and rest[1:3] == ["secret", "generic"]:
        name = rest[3]
        if not namespace_exists(cluster, ns):
            die(f'error: failed to create secret namespaces "{ns}" not found')
        if get(cluster, "Secret", ns, name) is not None:
            die(f'error: failed to create secret secrets "{name}" already exists')
        data = {}
        for literal in found.get("literal", []):
            k, _, v = literal.partition("=")
            data[k] = v
        for path in found.get("envfile", []):
            with open(path) as f:
                for line in f:
                    line = line.lstrip().rstrip("\n")
                    if line and not line.startswith("#"):
                        k, _, v = line.partition("=")
                        data[k] = v
        # The API server keeps a Secret's values base64-encoded under `data`.
        encoded = {k: base64.b64encode(v.encode()).decode() for k, v in data.items()}
        put(cluster, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": ns},
                      "type": "Opaque", "data": encoded})
        print(f"secret/{name} created")
    elif verb == "delete" and one(found, "selector"):
        # `delete KIND,KIND... --selector k=v`: the objects of those kinds whose labels match.
        kinds = {"deployment": "Deployment", "service": "Service", "ingress": "Ingress",
                 "horizontalpodautoscaler": "HorizontalPodAutoscaler", "poddisruptionbudget": "PodDisruptionBudget",
                 "networkpolicy": "NetworkPolicy", "serviceaccount": "ServiceAccount", "configmap": "ConfigMap",
                 "secret": "Secret", "persistentvolumeclaim": "PersistentVolumeClaim"}
        wanted_kinds = []
        # A CRD's kind by its plural and group, served once its CRD is installed.
        served = {f"{kind.lower()}s.{group}": kind for group, kind in (c.split("/", 1) for c in cluster["crds"])}
        for name in rest[1].split(","):
            if name not in kinds and name not in served:
                die(f'error: the server doesn\'t have a resource type "{name}"')
            wanted_kinds.append(kinds.get(name) or served[name])
        # `k=v` (that value), `k` (any value) or `k notin (a,b)` (none of those, or no k), as
        # kubectl reads a selector.
        terms = re.findall(r"([^,=\s]+)(?:=([^,]*)|\s+notin\s+\(([^)]*)\))?", one(found, "selector"))

        def matches(labels):
            for k, v, notin in terms:
                if notin:
                    if labels.get(k) in notin.split(","):
                        return False
                elif v:
                    if labels.get(k) != v:
                        return False
                elif k not in labels:
                    return False
            return True

        for key, obj in list(cluster["objects"].items()):
            meta = obj.get("metadata") or {}
            labels = meta.get("labels") or {}
            if obj["kind"] in wanted_kinds and ("all" in found or meta.get("namespace", "default") == ns) \
                    and matches(labels):
                del cluster["objects"][key]
                print(f'{obj["kind"].lower()} "{meta.get("name")}" deleted')
    elif verb == "delete" and len(rest) >= 3:
        kind = {"secret": "Secret", "secrets": "Secret"}.get(rest[1])
        if kind is None:
            die(f"kubectl stub: delete {rest[1]} is not modelled")
        obj = get(cluster, kind, ns, rest[2])
        if obj is None:
            die(f'Error from server (NotFound): {kind.lower()}s "{rest[2]}" not found')
        del cluster["objects"][key_of(obj)]
        print(f'{rest[1]} "{rest[2]}" deleted')
    elif verb == "patch":
        kind, name = rest[1].split("/", 1) if "/" in rest[1] else rest[1:3]
        obj = get(cluster, {"deployment": "Deployment", "deployments": "Deployment"}.get(kind, kind), ns, name)
        if obj is None:
            die(f'Error from server (NotFound): deployments.apps "{name}" not found')
        before = copy.deepcopy(obj["spec"]["template"])
        for op in json.loads(one(found, "patch")):
            json_patch(obj, op)
        if obj["spec"]["template"] != before:
            key = key_of(obj)
            cluster["revisions"][key] = cluster["revisions"].get(key, 0) + 1
        print(f"deployment.apps/{name} patched")
    elif verb == "rollout" and rest[1] == "restart":
        name = rest[2].split("/")[-1]
        obj = get(cluster, "Deployment", ns, name)
        if obj is None:
            die(f'Error from server (NotFound): deployments.apps "{name}" not found')
        template = obj["spec"]["template"].setdefault("metadata", {})
        template.setdefault("annotations", {})["kubectl.kubernetes.io/restartedAt"] = str(time.time())
        key = key_of(obj)
        cluster["revisions"][key] = cluster["revisions"].get(key, 0) + 1
        print(f"deployment.apps/{name} restarted")
    elif verb == "rollout" and rest[1] == "status":
        name = rest[2].split("/")[-1]
        obj = get(cluster, "Deployment", ns, name)
        if obj is None:
            die(f'Error from server (NotFound): deployments.apps "{name}" not found')
        problem = pod_problem(cluster, ns, obj)
        if problem:
            with open(os.path.join(STATE, "events"), "a") as f:
                f.write(f"{ns}/{name}: {problem}\n")
            print(f'Waiting for deployment "{name}" rollout to finish: 0 of 1 updated replicas are available...')
            die("error: timed out waiting for the condition")
        obj.setdefault("status", {})["running"] = {
            c["name"]: cluster["images"].get(normalize(c["image"])) for c in obj["spec"]["template"]["spec"]["containers"]
        }
        print(f'deployment "{name}" successfully rolled out')
    elif verb == "port-forward":
        port_forward(w, cluster, ns, rest)
    elif verb == "describe":
        with contextlib.suppress(FileNotFoundError), open(os.path.join(STATE, "events")) as f:
            print(f.read())
    else:
        die(f"kubectl stub: {' '.join(rest)} is not modelled")


def jsonpath(obj, expression):
    """The jsonpath forms the scripts use: text with {.a.b[0].c} and {.a.b[*].c} in it."""

    def one(template):
        values = [obj]
        for name, index in re.findall(r"\.([^.\[\]]+)|\[(\d+|\*)\]", template.group(1)):
            nxt = []
            for v in values:
                if name:
                    if isinstance(v, dict) and name in v:
                        nxt.append(v[name])
                elif index == "*":
                    nxt.extend(v if isinstance(v, list) else [])
                elif isinstance(v, list) and int(index) < len(v):
                    nxt.append(v[int(index)])
            values = nxt
        return " ".join(json.dumps(v, separators=(",", ":")) if isinstance(v, (list, dict)) else str(v) for v in values)

    return re.sub(r"\{([^}]*)\}", one, expression)


def json_patch(obj, op):
    parts = [p for p in op["path"].split("/") if p]
    target = obj
    for part in parts[:-1]:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    last = parts[-1]
    if op["op"] == "add" and isinstance(target, list):
        target.insert(len(target) if last == "-" else int(last), op["value"])
    elif op["op"] in ("add", "replace"):
        target[last] = op["value"]
    elif op["op"] == "remove":
        del target[int(last) if isinstance(target, list) else last]


def port_forward(w, cluster, ns, rest):
    service = rest[1].split("/")[-1]
    port = int(rest[2].split(":")[0])
    svc = get(cluster, "Service", ns, service)
    if svc is None:
        die(f'Error from server (NotFound): services "{service}" not found')
    pods = ready_pods(cluster, ns, ",".join(f"{k}={v}" for k, v in svc["spec"]["selector"].items()))
    if not pods or pods[0][1]:
        die("error: unable to forward port because pod is not running. Current status=Pending")
    listener = socket.socket()
    # As Go's listeners do: a port whose last connections are in TIME_WAIT can be listened on.
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind(("127.0.0.1", port))
    except OSError:
        die(f"Unable to listen on port {port}: Listeners failed to create with the following errors: [unable to "
            f"create listener: Error listen tcp4 127.0.0.1:{port}: bind: address already in use]\n"
            f"error: unable to listen on any of the requested ports: [{{{port} 80}}]")
    listener.listen(16)
    w["forwards"][str(port)] = {"cluster": f"{cluster['tool']}:{cluster['name']}", "pid": os.getpid()}
    # Serves from here on, outside the world's lock.
    raise Forwarding(listener, port)


class Forwarding(Exception):
    def __init__(self, listener, port):
        super().__init__()
        self.listener, self.port = listener, port


def serve_forward(forwarding):
    print(f"Forwarding from 127.0.0.1:{forwarding.port} -> 80", flush=True)

    def stop(*_):
        # Once: a second signal while the world is written would wait for its own lock.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with world() as w:
            if w["forwards"].get(str(forwarding.port), {}).get("pid") == os.getpid():
                del w["forwards"][str(forwarding.port)]
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    forwarding.listener.settimeout(0.2)
    deadline = time.time() + 600  # never outlive a test
    while time.time() < deadline:
        with contextlib.suppress(OSError):
            conn, _ = forwarding.listener.accept()
            conn.close()
        if os.getppid() == 1:
            break
    stop()


def curl():
    found, rest = options(ARGS, {"--output": "output", "-o": "output", "--write-out": "format", "-w": "format",
                                 "--resolve": "resolve", "--max-time": "max", "-m": "max"},
                          {"--silent": "silent", "-s": "silent", "--fail": "fail", "-f": "fail"})
    url = rest[-1]
    m = re.fullmatch(r"http://([^/:]+)(?::(\d+))?(/.*)?", url)
    host, port, path = m.group(1), int(m.group(2) or 80), m.group(3) or "/"
    resolve = one(found, "resolve", "")
    if resolve and not resolve.startswith(f"{host}:{port}:127.0.0.1"):
        die(f"curl: (6) Could not resolve host: {host}", 6)
    with world() as w:
        STUB_REGISTRY.update(w["registry"])
        forward = w["forwards"].get(str(port))
        alive = forward is not None and pid_alive(forward["pid"])
        code = ingress_answer(w["clusters"][forward["cluster"]], host, path) if alive else None
    if code is None:
        # Whatever listens on the port answers (or nothing does).
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", path, headers={"Host": f"{host}:{port}"})
            code = conn.getresponse().status
        except OSError:
            sys.stdout.write("000")
            sys.exit(7)
    sys.stdout.write(str(code))


def pid_alive(pid):
    try:
        os.kill(pid, 0)
    except OSError:
        return False
    return True


def ingress_answer(cluster, host, path):
    """What ingress-nginx answers for a host and path, and the service behind it."""
    best = None
    if get(cluster, "IngressClass", "", "nginx") is None:
        return 404
    for key, ingress in cluster["objects"].items():
        if not key.startswith("Ingress/") or ingress["spec"].get("ingressClassName") != "nginx":
            continue
        annotations = ingress["metadata"].get("annotations") or {}
        regex = annotations.get("nginx.ingress.kubernetes.io/use-regex") == "true"
        for rule in ingress["spec"].get("rules") or []:
            if rule.get("host") not in (None, host):
                continue
            for p in rule["http"]["paths"]:
                prefix = p["path"]
                if regex:
                    match = re.match(prefix, path)
                else:
                    match = path == prefix or path.startswith(prefix.rstrip("/") + "/") or prefix == "/"
                if match and (best is None or len(prefix) > len(best[1])):
                    best = (ingress, prefix, p, match)
    if best is None:
        return 404  # the default backend
    ingress, prefix, p, match = best
    target = (ingress["metadata"].get("annotations") or {}).get("nginx.ingress.kubernetes.io/rewrite-target")
    if target and hasattr(match, "group"):
        path = re.sub(r"\$(\d)", lambda g: match.group(int(g.group(1))) or "", target)
    ns = ingress["metadata"]["namespace"]
    service = get(cluster, "Service", ns, p["backend"]["service"]["name"])
    if service is None:
        return 503
    pods = ready_pods(cluster, ns, ",".join(f"{k}={v}" for k, v in (service["spec"].get("selector") or {}).items()))
    ready = [name for name, problem in pods if problem is None]
    if not ready:
        return 503
    # The flask app answers at / and at its probes' paths; anything else is its 404.
    deployment = next(o for k, o in sorted(cluster["objects"].items()) if k.startswith(f"Deployment/{ns}/")
                      and all((o["spec"]["template"]["metadata"].get("labels") or {}).get(a) == b
                              for a, b in service["spec"]["selector"].items()))
    served_paths = {"/"}
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
            get_path = ((container.get(probe) or {}).get("httpGet") or {}).get("path")
            if get_path:
                served_paths.add(get_path)
    return 200 if path.split("?")[0] in served_paths else 404


def kind():
    found, rest = options(ARGS, {"--name": "name", "-n": "name", "--kubeconfig": "kubeconfig", "--config": "config",
                                 "--image": "image", "--wait": "wait"})
    name = one(found, "name", "kind")
    node = f"{name}-control-plane"
    with world() as w:
        cluster = w["clusters"].get(f"kind:{name}")
        if rest[:2] == ["get", "clusters"]:
            names = sorted(c["name"] for c in w["clusters"].values() if c["tool"] == "kind")
            if not names:
                sys.stderr.write("No kind clusters found.\n")
            for n in names:
                print(n)
        elif rest[:2] == ["create", "cluster"]:
            if cluster is not None:
                die(f'ERROR: failed to create cluster: node(s) already exist for a cluster with the name "{name}"')
            config = one(found, "config")
            text = sys.stdin.read() if config == "-" else (open(config).read() if config else "")
            labels = {}
            for n in (yaml.safe_load(text) or {}).get("nodes", [{}]) if text else [{}]:
                labels.update(n.get("labels") or {})
                for patch in n.get("kubeadmConfigPatches") or []:
                    m = re.search(r'node-labels:\s*"?([^"\n]+)"?', patch)
                    if m:
                        labels.update(dict(kv.split("=", 1) for kv in m.group(1).split(",")))
            cluster = new_cluster(w, "kind", name, node, labels,
                                  {"standard": {"provisioner": "rancher.io/local-path", "accessModes": ["ReadWriteOnce"]}})
            w["containers"][node] = {"running": True, "cluster": f"kind:{name}"}
            kubeconfig = one(found, "kubeconfig") or default_kubeconfig()
            write_context(kubeconfig, f"kind-{name}", cluster["port"], True)
            sys.stderr.write(f'Creating cluster "{name}" ...\nSet kubectl context to "kind-{name}"\n')
        elif rest[:2] == ["export", "kubeconfig"]:
            if cluster is None:
                die(f'ERROR: unknown cluster "{name}"')
            if not w["containers"][node]["running"]:
                die(f'ERROR: failed to get cluster internal kubeconfig: command "docker exec --privileged {node} '
                    f'cat /etc/kubernetes/admin.conf" failed with error: exit status 1\n'
                    f"Command Output: Error response from daemon: container {node} is not running")
            write_context(one(found, "kubeconfig") or default_kubeconfig(), f"kind-{name}", cluster["port"], True)
            sys.stderr.write(f'Set kubectl context to "kind-{name}"\n')
        elif rest[:2] == ["load", "docker-image"]:
            if cluster is None:
                die(f'ERROR: no nodes found for cluster "{name}"')
            for ref in rest[2:]:
                image_id = resolve_image(w, ref)
                if image_id is None:
                    die(f'ERROR: image: "{ref}" not present locally')
                if not w["containers"][node]["running"]:
                    die(f"ERROR: failed to load image: command \"docker exec --privileged -i {node} ctr ...\" failed: container {node} is not running")
                if not knob("load-drops"):
                    cluster["images"][normalize(ref)] = image_id
                sys.stderr.write(f'Image: "{ref}" with ID "{image_id}" not yet present on node "{node}", loading...\n')
        elif rest[:2] == ["delete", "cluster"]:
            if cluster is not None:
                del w["clusters"][f"kind:{name}"]
                del w["containers"][node]
            remove_context(one(found, "kubeconfig") or default_kubeconfig(), f"kind-{name}")
            sys.stderr.write(f'Deleting cluster "{name}" ...\n')
        else:
            die(f"kind stub: {' '.join(rest)} is not modelled")


def docker():
    verb = ARGS[0] if ARGS else ""
    with world() as w:
        if verb == "build":
            found, rest = options(ARGS[1:], {"--tag": "tag", "-t": "tag", "--iidfile": "iid", "--file": "file", "-f": "file"})
            image_id = content_id(rest[-1], one(found, "file"))
            attested = os.environ.get("BUILDX_NO_DEFAULT_ATTESTATIONS") != "1" and "--provenance=false" not in ARGS
            if attested:
                w["builds"] = w.get("builds", 0) + 1
                image_id = "sha256:" + hashlib.sha256(f"{image_id} build {w['builds']}".encode()).hexdigest()
            w["images"][image_id] = {}
            for tag in found.get("tag", []):
                w["tags"][normalize(tag)] = image_id
                if knob("tag-race"):
                    # Another environment's build of the same service, finished right after this
                    # one, moves the shared tag to its own image.
                    other = "sha256:" + hashlib.sha256(b"another environment's build").hexdigest()
                    w["images"][other] = {}
                    w["tags"][normalize(tag)] = other
            if one(found, "iid"):
                with open(one(found, "iid"), "w") as f:
                    f.write(image_id)
            sys.stderr.write(f"writing image {image_id} done\n")
        elif verb == "info":
            if knob("docker-down"):
                die("Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?")
            print("Server Version: 29.0.0")
        elif verb == "tag":
            image_id = resolve_image(w, ARGS[1])
            if image_id is None:
                die(f"Error response from daemon: No such image: {ARGS[1]}")
            w["tags"][normalize(ARGS[2])] = image_id
        elif verb == "inspect":
            found, rest = options(ARGS[1:], {"--format": "format", "-f": "format"})
            container = w["containers"].get(rest[0])
            if container is None:
                die(f"Error: No such object: {rest[0]}")
            if one(found, "format") == "{{.State.Running}}":
                print("true" if container["running"] else "false")
            else:
                print(json.dumps([{"State": {"Running": container["running"]}}]))
        elif verb in ("start", "stop"):
            for name in ARGS[1:]:
                container = w["containers"].get(name)
                if container is None:
                    die(f"Error response from daemon: No such container: {name}")
                container["running"] = verb == "start"
                cluster = w["clusters"][container["cluster"]]
                cluster["running"] = verb == "start"
                # A node just started: its API server refuses the first calls.
                cluster["refusals"] = 2 if verb == "start" else 0
                print(name)
        elif verb == "exec":
            name, command = ARGS[1], ARGS[2:]
            container = w["containers"].get(name)
            if container is None:
                die(f"Error response from daemon: No such container: {name}")
            if not container["running"]:
                die(f"Error response from daemon: container {name} is not running")
            cluster = w["clusters"][container["cluster"]]
            if command[:2] == ["crictl", "rmi"]:
                for ref in command[2:]:
                    if cluster["images"].pop(normalize(ref), None) is None:
                        die(f'E0101 00:00:00.000000 rpc error: code = NotFound desc = no such image "{ref}" present')
                    print(f"Deleted: {normalize(ref)}")
            elif command[:2] == ["crictl", "inspecti"]:
                ref = [c for c in command[2:] if not c.startswith("-")][0]
                if normalize(ref) not in cluster["images"]:
                    die(f'E0101 00:00:00.000000 no such image "{ref}" present')
                print(json.dumps({"status": {"id": cluster["images"][normalize(ref)], "repoTags": [normalize(ref)]}}))
            else:
                die(f"docker stub: exec {' '.join(command)} is not modelled")
        else:
            die(f"docker stub: {' '.join(ARGS)} is not modelled")


def minikube():
    found, rest = options(ARGS, {"--profile": "profile", "-p": "profile"}, {"--keep-context": "keep"})
    profile = one(found, "profile", "minikube")
    with world() as w:
        cluster = w["clusters"].get(f"minikube:{profile}")
        if rest[:1] == ["start"]:
            if cluster is None:
                cluster = new_cluster(w, "minikube", profile, profile, {"minikube.k8s.io/primary": "true"},
                                      {"standard": {"provisioner": "k8s.io/minikube-hostpath",
                                                    "accessModes": ["ReadWriteOnce", "ReadWriteMany", "ReadOnlyMany"]}})
                cluster["addons"] = ["default-storageclass", "storage-provisioner"]
            cluster["running"] = True
            write_context(default_kubeconfig(), profile, cluster["port"], not one(found, "keep"))
            print(f'Done! kubectl is now configured to use "{profile}" cluster and "default" namespace by default')
            return
        if cluster is None:
            die(f'Profile "{profile}" not found. Run "minikube profile list" to view all profiles.\n'
                f'To start a cluster, run: "minikube start -p {profile}"', 85)
        if not cluster["running"]:
            die(f'The control-plane node {profile} host is not running: state=Stopped\nTo start a cluster, run: "minikube start -p {profile}"', 80)
        if rest[:2] == ["addons", "enable"]:
            addon = rest[2]
            if addon == "ingress":
                for obj in ingress_nginx("v1.13.2", None):
                    put(cluster, obj)
            elif addon == "metrics-server":
                for obj in metrics_server("v0.8.0"):
                    put(cluster, obj)
            elif addon == "volumesnapshots":
                for kind in ("VolumeSnapshot", "VolumeSnapshotClass", "VolumeSnapshotContent"):
                    if f"snapshot.storage.k8s.io/{kind}" not in cluster["crds"]:
                        cluster["crds"].append(f"snapshot.storage.k8s.io/{kind}")
            elif addon == "csi-hostpath-driver":
                if "hostpath.csi.k8s.io" not in cluster["csiDrivers"]:
                    cluster["csiDrivers"].append("hostpath.csi.k8s.io")
                cluster["storageClasses"]["csi-hostpath-sc"] = {"provisioner": "hostpath.csi.k8s.io",
                                                                "accessModes": ["ReadWriteOnce"]}
                if "snapshot.storage.k8s.io/VolumeSnapshotClass" in cluster["crds"]:
                    put(cluster, {"apiVersion": "snapshot.storage.k8s.io/v1", "kind": "VolumeSnapshotClass",
                                  "metadata": {"name": "csi-hostpath-snapclass"}, "driver": "hostpath.csi.k8s.io"})
                else:
                    print("! [WARNING] For full functionality, the 'csi-hostpath-driver' addon requires the "
                          "'volumesnapshots' addon to be enabled.")
            else:
                die(f"Exiting due to MK_ADDON_ENABLE: addon {addon} is not modelled", 10)
            if addon not in cluster["addons"]:
                cluster["addons"].append(addon)
            print(f"The '{addon}' addon is enabled")
        elif rest[:2] == ["image", "load"]:
            ref = rest[2]
            image_id = resolve_image(w, ref)
            if image_id is None:
                die(f"X Exiting due to GUEST_IMAGE_LOAD: Failed to load image: {ref}: image not known to docker", 80)
            # minikube keeps what it has under a tag, whatever the new build is (minikube #23023).
            if not knob("load-drops"):
                cluster["images"].setdefault(normalize(ref), image_id)
        elif rest[:2] == ["image", "ls"]:
            for ref in sorted(cluster["images"]):
                print(ref)
        elif rest[:2] == ["image", "rm"]:
            for ref in rest[2:]:
                if cluster["images"].pop(normalize(ref), None) is None:
                    die(f"X Exiting due to GUEST_IMAGE_REMOVE: Failed to remove images: no such image {ref}", 80)
        elif rest[:1] == ["stop"]:
            cluster["running"] = False
        elif rest[:1] == ["delete"]:
            del w["clusters"][f"minikube:{profile}"]
            remove_context(default_kubeconfig(), profile)
        else:
            die(f"minikube stub: {' '.join(rest)} is not modelled")


def helm():
    found, rest = options(ARGS, {"--kubeconfig": "kubeconfig", "--kube-context": "context", "--namespace": "ns",
                                 "-n": "ns", "--repo": "repo", "--version": "version", "--filter": "filter",
                                 "--output": "output", "-o": "output", "--timeout": "timeout",
                                 "--values": "values", "-f": "values", "--description": "description",
                                 "--max": "max"},
                          {"--install": "install", "--create-namespace": "create", "--wait": "wait", "--atomic": "atomic"})
    ns = one(found, "ns", "default")
    with world() as w:
        cluster = reach(w, one(found, "kubeconfig"), one(found, "context"), "Error: Kubernetes cluster unreachable: ")
        helm_in(cluster, found, rest, ns)


def helm_in(cluster, found, rest, ns):
    releases = cluster["releases"]
    if rest[:1] == ["list"]:
        pattern = re.compile(one(found, "filter", ""))
        listed = [dict(r, name=n.split("/")[1], namespace=ns) for n, r in sorted(releases.items())
                  if n.startswith(ns + "/") and pattern.search(n.split("/")[1])]
        print(json.dumps(listed, separators=(",", ":")))
    elif rest[:1] == ["history"]:
        found_release = releases.get(f"{ns}/{rest[1]}")
        if not found_release:
            die("Error: release: not found")
        print(json.dumps([{"revision": int(found_release["revision"]), "updated": "2026-11-27T10:00:00Z",
                           "status": found_release["status"], "chart": found_release["chart"],
                           "app_version": found_release["app_version"],
                           "description": found_release.get("description", "Install complete")}],
                         separators=(",", ":")))
    elif rest[:1] == ["status"]:
        if f"{ns}/{rest[1]}" not in releases:
            die("Error: release: not found")
        print(f"NAME: {rest[1]}\nNAMESPACE: {ns}\nSTATUS: deployed")
    elif rest[:1] == ["upgrade"] and one(found, "install"):
        release, chart = rest[1], rest[2]
        repo = one(found, "repo")
        if repo and knob("offline"):
            host = repo.split("/")[2]
            die(f'Error: looks like "{repo}" is not a valid chart repository or cannot be reached: Get '
                f'"{repo.rstrip("/")}/index.yaml": dial tcp: lookup {host}: no such host')
        if not namespace_exists(cluster, ns):
            if not one(found, "create"):
                die(f'Error: create: failed to create: namespaces "{ns}" not found')
            put(cluster, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
        version = one(found, "version", "0.0.0")
        if chart == "snapscheduler":
            if "snapscheduler.backube/SnapshotSchedule" not in cluster["crds"]:
                cluster["crds"].append("snapscheduler.backube/SnapshotSchedule")
            put(cluster, system_deployment(ns, "snapscheduler", f"quay.io/backube/snapscheduler:{version}",
                                           {"app.kubernetes.io/name": "snapscheduler"}))
        if chart == "kube-prometheus-stack":
            # prometheus-operator's CRDs come with the chart.
            for kind in ["Alertmanager", "AlertmanagerConfig", "PodMonitor", "Probe", "Prometheus", "PrometheusAgent",
                         "PrometheusRule", "ScrapeConfig", "ServiceMonitor", "ThanosRuler"]:
                if f"monitoring.coreos.com/{kind}" not in cluster["crds"]:
                    cluster["crds"].append(f"monitoring.coreos.com/{kind}")
        values = one(found, "values")
        if values and not os.path.isfile(values):
            die(f"Error: open {values}: no such file or directory")
        previous = releases.get(f"{ns}/{release}")
        releases[f"{ns}/{release}"] = {"chart": f"{chart}-{version}", "app_version": version, "status": "deployed",
                                       "revision": str(int(previous["revision"]) + 1 if previous else 1),
                                       "description": one(found, "description", "Upgrade complete" if previous
                                                          else "Install complete")}
        print(f'Release "{release}" has been {"upgraded" if previous else "installed"}. Happy Helming!')
    else:
        die(f"helm stub: {' '.join(rest)} is not modelled")


def python():
    """python3 and python3.X: their version, and whether they make a virtual environment."""
    if TOOL == "python3":
        version = "3.12.3"
        with contextlib.suppress(FileNotFoundError), open(os.path.join(STATE, "python3-version")) as f:
            version = f.read().strip()
    else:
        version = TOOL[len("python"):] + ".0"
    if ARGS[:1] == ["--version"]:
        print(f"Python {version}")
    elif ARGS[:2] == ["-m", "venv"]:
        folder = ARGS[-1]
        os.makedirs(os.path.join(folder, "bin"), exist_ok=True)
        with open(os.path.join(folder, "pyvenv.cfg"), "w") as f:
            f.write(f"home = /usr/bin\nversion = {version}\n")
        if knob("no-venv"):
            minor = ".".join(version.split(".")[:2])
            die("The virtual environment was not created successfully because ensurepip is not\n"
                "available.  On Debian/Ubuntu systems, you need to install the python3-venv\n"
                "package using the following command.\n\n"
                f"    apt install python{minor}-venv\n\n"
                "You may need to use sudo with that command.  After installing the python3-venv\n"
                "package, recreate your virtual environment.\n\n"
                f"Failing command: {folder}/bin/python{minor}")


def sh():
    """A service's test command, run by the Python of the virtual environment first on the PATH.
    pip refuses a hashed lock on a Python older than the one it was compiled for: pytest's
    backports for older Pythons are not in the lock, so they have no hash."""
    command = ARGS[-1]
    m = re.search(r"pip install .*--require-hashes -r (\S+)", command)
    if not m:
        return
    venv_version = None
    for folder in os.environ.get("PATH", "").split(":"):
        cfg = os.path.join(os.path.dirname(folder), "pyvenv.cfg")
        if os.path.exists(cfg):
            with open(cfg) as f:
                venv_version = re.search(r"^version = (\d+)\.(\d+)", f.read(), re.M).groups()
            break
    if venv_version is None:
        die("/bin/sh: 1: python: not found", 127)
    with open(m.group(1)) as f:
        compiled = re.search(r"autogenerated by pip-compile with Python (\d+)\.(\d+)", f.read())
    if compiled and tuple(map(int, venv_version)) < tuple(map(int, compiled.groups())):
        die("ERROR: In --require-hashes mode, all requirements must have their versions pinned with ==. These do not:\n"
            "    exceptiongroup>=1.0.0rc8 from https://files.pythonhosted.org/packages/exceptiongroup-1.2.2-py3-none-any.whl (from pytest)\n"
            "    tomli>=1 from https://files.pythonhosted.org/packages/tomli-2.2.1-py3-none-any.whl (from pytest)")


def main():
    record_call()
    try:
        if TOOL == "kubectl":
            kubectl()
        elif TOOL == "kind":
            kind()
        elif TOOL == "docker":
            docker()
        elif TOOL == "minikube":
            minikube()
        elif TOOL == "helm":
            helm()
        elif TOOL == "curl":
            curl()
        elif TOOL.startswith("python3"):
            python()
        elif TOOL == "sh":
            sh()
        else:
            die(f"stub world: no tool {TOOL}", 127)
    except Forwarding as forwarding:
        serve_forward(forwarding)


if __name__ == "__main__":
    main()
