<#- A local environment, deployed from a laptop: test, build, load, apply, wait, print the URL.
    Every value reaches the script through the `shell` filter. -#>
<% set local = platform %>
<#- Each declared environment gets a cluster of its own (seed 004: dev, test, prod): its name,
    context and kubeconfig file are the local platform's (`platform.clusterName`, ...). -#>
<% set manifests = ("manifests/overlays/" ~ environment.name) if environment.declared else "manifests" %>
<% set autoscaled = spec.services | selectattr("autoscaling", "defined") | list %>
<% set backups = spec.services | selectattr("persistence", "defined") | map(attribute="persistence") | selectattr("backup", "defined") | list %>
#!/usr/bin/env bash
# Deploys <@ ("the " ~ environment.name ~ " environment" if environment.declared else "the project") | text @> to a local <@ local.cluster | text @> cluster:
# runs each service's tests, builds its image and loads it into the cluster (nothing is
# pushed: no registry and no credential), applies the plain manifests, waits until every
# Deployment is ready, then prints each service's URL and forwards the ingress controller
# to 127.0.0.1:<@ local.port @> until Ctrl-C.
#
# usage: <@ ("scripts/deploy-local-" ~ environment.name ~ ".sh" if environment.declared else "scripts/deploy-local.sh") | text @> [--dry-run] [--no-forward]
#   --dry-run     print every command it would run, and run none
#   --no-forward  print the URLs and the port-forward command, and exit
#
# It talks to the cluster only through the context <@ local.kubeContext | text @>, never the current one,
# and never makes that context the current one: a later bare `kubectl` still reaches the
# cluster it reached before, and nothing here can deploy to a cloud cluster by mistake.
# Each build is loaded under a tag of its own content, so the cluster never keeps running an
# older image under a reused tag.
set -euo pipefail

dry_run=false
forward=true
for arg in "$@"; do
  case $arg in
    --dry-run) dry_run=true ;;
    --no-forward) forward=false ;;
    -h | --help)
      sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    *)
      echo "deploy-local: unknown argument '$arg' (try --help)" >&2
      exit 2
      ;;
  esac
done

# The output folder: this script is in its scripts/ folder.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cluster=<@ local.clusterName | shell @>
context=<@ local.kubeContext | shell @>
port=<@ local.port @>
<% if local.cluster == "minikube" %>
kc=(--context "$context")
<% else %>
# kind makes the cluster it creates the current context of the kubeconfig it writes: it writes
# this one instead, of its own, and every call names it.
kubeconfig="${XDG_CONFIG_HOME:-$HOME/.config}/gen/"<@ local.kubeconfigFile | shell @>
kc=(--kubeconfig "$kubeconfig" --context "$context")
<% endif %>
# How messages write a kubectl command for this cluster.
kubectl_here="kubectl ${kc[*]}"

# Runs a command, or prints it (quoted as a shell reads it) in a dry run.
run() {
  if $dry_run; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

fail() {
  echo "deploy-local: $*" >&2
  exit 1
}

# Every tool, before anything runs: a missing one is named with where to get it (a dry run
# names it too, and goes on).
need() {
  if ! command -v "$1" >/dev/null 2>&1; then
    if $dry_run; then
      echo "deploy-local: $1 is not installed: $2" >&2
    else
      fail "$1 is not installed: $2"
    fi
  fi
}
need docker "https://docs.docker.com/get-docker/"
need kubectl "https://kubernetes.io/docs/tasks/tools/"
need curl "your system's package manager"
<% if local.cluster == "minikube" %>
need minikube "https://minikube.sigs.k8s.io/docs/start/ (or set platform.local.cluster: kind)"
<% else %>
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/ (or set platform.local.cluster: minikube)"
<% endif %>
<% if backups %>
need helm "https://helm.sh/docs/intro/install/ (it installs snapscheduler, which takes the volume snapshots)"
<% endif %>
<% set tests = namespace(python=false) %>
<% for service in spec.services %>
<% if runtimes[service.blueprint].test is defined and runtimes[service.blueprint].test.toolchain == "python" %>
<% set tests.python = true %>
<% endif %>
<% endfor %>
<% if tests.python %>
need python3 "https://www.python.org/downloads/ (the tests run in a virtual environment)"
<% endif %>

# A kubeconfig this user cannot write (seed 002: created by `sudo minikube start`) makes the
# cluster tools fail half-way: say so now, and how to fix it, instead of working around it.
kubeconfig=${KUBECONFIG:-$HOME/.kube/config}
kubeconfig=${kubeconfig%%:*}
if [[ -e $kubeconfig && (! -O $kubeconfig || ! -r $kubeconfig || ! -w $kubeconfig) ]]; then
  fail "$kubeconfig is not this user's to read and write (it was probably created with sudo): run 'sudo chown $(id -u):$(id -g) $kubeconfig'"
fi

# Waits until the pods `kubectl get` finds exist, then until they are ready: `kubectl wait` on
# objects not created yet fails at once with "no matching resources found" (kind #2293), as
# it does right after a controller's manifest is applied.
wait_ready() {
  local namespace=$1 selector=$2 what=$3
  if $dry_run; then
    run kubectl "${kc[@]}" --namespace "$namespace" wait --for=condition=ready pod --selector="$selector" --timeout=300s
    return
  fi
  local deadline=$((SECONDS + 300))
  until [[ -n $(kubectl "${kc[@]}" --namespace "$namespace" get pod --selector="$selector" --output=name 2>/dev/null) ]]; do
    ((SECONDS < deadline)) || fail "$what has no pod after 5 minutes: $kubectl_here --namespace $namespace get all"
    sleep 2
  done
  kubectl "${kc[@]}" --namespace "$namespace" wait --for=condition=ready pod --selector="$selector" --timeout=300s
}

echo "==> the cluster ($context)"
<% if local.cluster == "minikube" %>
# `minikube start` is a no-op for a running cluster, and starts a stopped one; --keep-context
# leaves the current context as it was.
run minikube start --profile "$cluster" --keep-context
run minikube addons enable ingress --profile "$cluster"
<% if autoscaled %>
run minikube addons enable metrics-server --profile "$cluster"
<% endif %>
<% if backups %>
run minikube addons enable volumesnapshots --profile "$cluster"
run minikube addons enable csi-hostpath-driver --profile "$cluster"
<% endif %>
<% else %>
$dry_run || mkdir -p "$(dirname "$kubeconfig")"
if $dry_run || ! kind get clusters 2>/dev/null | grep -qxF "$cluster"; then
  # ingress-nginx's kind manifest runs the controller on the node labelled ingress-ready.
  run kind create cluster --name "$cluster" --kubeconfig "$kubeconfig" --config - <<'KIND'
kind: Cluster
apiVersion: kind.x-k8s.io/v1alpha4
nodes:
  - role: control-plane
    kubeadmConfigPatches:
      - |
        kind: InitConfiguration
        nodeRegistration:
          kubeletExtraArgs:
            node-labels: "ingress-ready=true"
KIND
fi
# A cluster made before (or by hand) gets its credentials written to the same file.
(umask 077 && run kind export kubeconfig --name "$cluster" --kubeconfig "$kubeconfig")
# The controller release of the chart Terraform pins on Azure (ingress-nginx 4.15.1).
run kubectl "${kc[@]}" apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.15.1/deploy/static/provider/kind/deploy.yaml
<% if autoscaled %>
# The autoscaler reads CPU from metrics-server; kind's kubelets serve self-signed certificates.
run kubectl "${kc[@]}" apply -f https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml
run kubectl "${kc[@]}" -n kube-system patch deployment metrics-server --type json -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--kubelet-insecure-tls"}]'
<% endif %>
<% endif %>
<% if backups %>
# snapscheduler takes and expires the volume snapshots (chart 3.5.0, 2025-05-14).
run helm upgrade --install snapscheduler snapscheduler --repo https://backube.github.io/helm-charts/ --version 3.5.0 --namespace backube-snapscheduler --create-namespace<% if local.cluster == "kind" %> --kubeconfig "$kubeconfig"<% endif %> --kube-context "$context" --wait
<% endif %>

# The controller's admission webhook refuses every Ingress until the controller is ready
# ("failed calling webhook", seed 002, which deleted the webhook instead): wait for it, as
# ingress-nginx's documentation says, rather than for a fixed time.
wait_ready ingress-nginx app.kubernetes.io/component=controller "the ingress controller"

# The namespaces first: a service's Secret is created in its namespace, before the first
# apply (the command printed below works on a fresh cluster).
echo "==> namespaces"
run kubectl "${kc[@]}" apply --filename "$root"/<@ (manifests ~ "/namespaces.yaml") | shell @>

# Each image is loaded under a tag of its own content (dev-<image id>): the cluster can never
# keep an older image under a reused tag (minikube #23023, #16032), and an unchanged build
# keeps its tag and restarts nothing. The manifests are applied with these tags.
images=""
build_dir=$(mktemp -d)
overlay=""
cleanup() {
  rm -rf "$build_dir" ${overlay:+"$overlay"}
}
trap cleanup EXIT

<% for service in spec.services %>
<% set image = service.image.repository ~ ":" ~ service.image.tag %>
echo "==> <@ service.name | text @>: test, build, load"
<% set test = runtimes[service.blueprint].test if runtimes[service.blueprint].test is defined else none %>
<% if test and test.toolchain == "python" %>
(
  dir="$root"/<@ ("services/" ~ service.name) | shell @>
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/gen/venv-"<@ (spec.metadata.name ~ "-" ~ service.name) | shell @>
  run python3 -m venv "$venv"
  cd "$dir"
  $dry_run && printf '+ cd %q\n+ PATH=%q:%s\n' "$dir" "$venv/bin" "\$PATH"
  PATH="$venv/bin:$PATH"
<% for command in test.commands %>
  run sh -c <@ command | shell @>
<% endfor %>
)
<% elif test %>
echo "(<@ service.name | text @>: its <@ test.toolchain | text @> tests run in the pipeline, not here)"
<% endif %>
run docker build --tag <@ image | shell @> --iidfile "$build_dir/iid" "$root"/<@ ("services/" ~ service.name) | shell @>
if $dry_run; then
  tag="dev-<image id>"
else
  id=$(cat "$build_dir/iid")
  id=${id#sha256:}
  tag="dev-${id:0:12}"
fi
run docker tag <@ image | shell @> <@ (service.image.repository ~ ":") | shell @>"$tag"
<% if local.cluster == "minikube" %>
run minikube image load <@ (service.image.repository ~ ":") | shell @>"$tag" --profile "$cluster"
<% else %>
run kind load docker-image <@ (service.image.repository ~ ":") | shell @>"$tag" --name "$cluster"
<% endif %>
images+=$(printf '\n  - name: %s\n    newTag: %s' <@ service.image.repository | shell @> "$tag")
<% if service.secretEnv %>
# Its secret variables come from a Secret this script never writes: create it once (its
# namespace exists by now).
if ! $dry_run && ! kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> get secret <@ (service.name ~ "-env") | shell @> >/dev/null 2>&1; then
  fail "create the secret first: $kubectl_here --namespace "<@ service.namespace | shell @>" create secret generic "<@ (service.name ~ "-env") | shell @><% for name in service.secretEnv %>" --from-literal="<@ (name ~ "=...") | shell @><% endfor %>" (with the values for this cluster)"
fi
<% endif %>

<% endfor %>
echo "==> apply <@ manifests | text @> with the images just built"
# An overlay of the output's manifests with each image's tag (kustomize takes a folder
# relative to the overlay), removed on exit.
overlay=$(mktemp -d "$root/.deploy-local.XXXXXX")
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../%s\nimages:%s\n' <@ manifests | shell @> "$images" >"$overlay/kustomization.yaml"
$dry_run && sed 's/^/  | /' "$overlay/kustomization.yaml"
# A just-started controller can still refuse the first Ingress: try a few times.
for attempt in 1 2 3 4 5; do
  if run kubectl "${kc[@]}" apply --kustomize "$overlay"; then
    break
  fi
  [[ $attempt == 5 ]] && fail "kubectl apply failed 5 times"
  sleep $((attempt * 5))
done

# A new tag rolls the pods; the same tag is the same image, already running.
<% for service in spec.services %>
run kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> rollout status deployment/<@ service.name | segment @> --timeout=300s
<% endfor %>

stop_forward() {
  if [[ -n ${forwarder-} ]]; then
    kill "$forwarder" 2>/dev/null || true
  fi
  cleanup
}
trap stop_forward EXIT
if $dry_run; then
  run kubectl "${kc[@]}" --namespace ingress-nginx port-forward service/ingress-nginx-controller "$port:80"
else
  kubectl "${kc[@]}" --namespace ingress-nginx port-forward service/ingress-nginx-controller "$port:80" >/dev/null &
  forwarder=$!
fi

# Each service through the ingress, as a browser reaches it: up to a minute, until the service
# itself answers (any status below 500: a 502 or 503 is the controller, still without a pod).
<% for service in spec.services %>
<% if service.ingress is defined %>
<% set url = "http://" ~ service.ingress.host ~ ":" ~ local.port ~ service.ingress.path %>
if ! $dry_run; then
  forwarded=false
  for _ in $(seq 60); do
    code=$(curl --silent --output /dev/null --write-out '%{http_code}' --resolve <@ (service.ingress.host ~ ":" ~ local.port ~ ":127.0.0.1") | shell @> <@ url | shell @> || true)
    if ((code >= 200 && code < 500)); then
      forwarded=true
      break
    fi
    sleep 1
  done
  $forwarded || fail "<@ service.name | text @> does not answer at "<@ url | shell @>" after a minute: $kubectl_here --namespace "<@ service.namespace | shell @>" describe pods"
fi
echo "<@ service.name | text @>: "<@ url | shell @>
<% else %>
echo "<@ service.name | text @> has no ingress: $kubectl_here --namespace "<@ service.namespace | shell @>" port-forward service/"<@ service.name | segment | shell @>" 8081:80"
<% endif %>
<% endfor %>
<% if local.domain != "localhost" %>
echo "(the hosts are under <@ local.domain | text @>: they reach this machine only if that name resolves to 127.0.0.1)"
<% endif %>

if $forward && ! $dry_run; then
  echo "Forwarding 127.0.0.1:$port to the ingress controller; Ctrl-C to stop."
  wait "$forwarder"
else
  stop_forward
  echo "To reach the services: $kubectl_here --namespace ingress-nginx port-forward service/ingress-nginx-controller $port:80"
fi
