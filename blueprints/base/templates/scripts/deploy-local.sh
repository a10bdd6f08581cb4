<#- A local environment, deployed from a laptop: test, build, load, apply, wait, print the URL.
    Every value reaches the script through the `shell` filter. -#>
<% set local = platform %>
<#- Each declared environment gets a cluster of its own (seed 004: dev, test, prod). -#>
<% set cluster_name = local.name if local.name else ((spec.metadata.name ~ "-" ~ environment.name) if environment.declared else local.cluster) %>
<% set context = cluster_name if local.cluster == "minikube" else ("kind-" ~ cluster_name) %>
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
# It talks to the cluster only through the context <@ context | text @>, never the current one,
# so it cannot deploy to a cloud cluster by mistake.
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
cluster=<@ cluster_name | shell @>
context=<@ context | shell @>
port=<@ local.port @>

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

echo "==> the cluster ($context)"
<% if local.cluster == "minikube" %>
# `minikube start` is a no-op for a running cluster, and starts a stopped one.
run minikube start --profile "$cluster"
run minikube addons enable ingress --profile "$cluster"
<% if autoscaled %>
run minikube addons enable metrics-server --profile "$cluster"
<% endif %>
<% if backups %>
run minikube addons enable volumesnapshots --profile "$cluster"
run minikube addons enable csi-hostpath-driver --profile "$cluster"
<% endif %>
<% else %>
if $dry_run || ! kind get clusters 2>/dev/null | grep -qxF "$cluster"; then
  # ingress-nginx's kind manifest runs the controller on the node labelled ingress-ready.
  run kind create cluster --name "$cluster" --config - <<'KIND'
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
# The controller release of the chart Terraform pins on Azure (ingress-nginx 4.14.0).
run kubectl --context "$context" apply -f https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-v1.14.0/deploy/static/provider/kind/deploy.yaml
<% if autoscaled %>
# The autoscaler reads CPU from metrics-server; kind's kubelets serve self-signed certificates.
run kubectl --context "$context" apply -f https://github.com/kubernetes-sigs/metrics-server/releases/download/v0.8.1/components.yaml
run kubectl --context "$context" -n kube-system patch deployment metrics-server --type json -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--kubelet-insecure-tls"}]'
<% endif %>
<% endif %>
<% if backups %>
# snapscheduler takes and expires the volume snapshots (chart 3.5.0, 2025-05-14).
run helm upgrade --install snapscheduler snapscheduler --repo https://backube.github.io/helm-charts/ --version 3.5.0 --namespace backube-snapscheduler --create-namespace --kube-context "$context" --wait
<% endif %>

# The controller's admission webhook refuses every Ingress until the controller is ready
# ("failed calling webhook", seed 002, which deleted the webhook instead): wait for it, as
# ingress-nginx's documentation says, rather than for a fixed time.
run kubectl --context "$context" --namespace ingress-nginx wait --for=condition=ready pod --selector=app.kubernetes.io/component=controller --timeout=300s

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
run docker build --tag <@ image | shell @> "$root"/<@ ("services/" ~ service.name) | shell @>
<% if local.cluster == "minikube" %>
run minikube image load <@ image | shell @> --profile "$cluster"
<% else %>
run kind load docker-image <@ image | shell @> --name "$cluster"
<% endif %>
<% if service.secretEnv %>
# Its secret variables come from a Secret this script never writes: create it once.
if ! $dry_run && ! kubectl --context "$context" --namespace <@ service.namespace | shell @> get secret <@ (service.name ~ "-env") | shell @> >/dev/null 2>&1; then
  fail "create the secret first: kubectl --context $context --namespace "<@ service.namespace | shell @>" create secret generic "<@ (service.name ~ "-env") | shell @><% for name in service.secretEnv %>" --from-literal="<@ (name ~ "=...") | shell @><% endfor %>" (with the values for this cluster)"
fi
<% endif %>

<% endfor %>
echo "==> apply <@ manifests | text @>"
# A just-started controller can still refuse the first Ingress: try a few times.
for attempt in 1 2 3 4 5; do
  if run kubectl --context "$context" apply --kustomize "$root"/<@ manifests | shell @>; then
    break
  fi
  [[ $attempt == 5 ]] && fail "kubectl apply failed 5 times"
  sleep $((attempt * 5))
done

# The image tag does not change between runs: restart to run the image just loaded.
<% for service in spec.services %>
run kubectl --context "$context" --namespace <@ service.namespace | shell @> rollout restart deployment/<@ service.name | segment @>
<% endfor %>
<% for service in spec.services %>
run kubectl --context "$context" --namespace <@ service.namespace | shell @> rollout status deployment/<@ service.name | segment @> --timeout=300s
<% endfor %>

stop_forward() {
  if [[ -n ${forwarder-} ]]; then
    kill "$forwarder" 2>/dev/null || true
  fi
}
trap stop_forward EXIT
if $dry_run; then
  run kubectl --context "$context" --namespace ingress-nginx port-forward service/ingress-nginx-controller "$port:80"
else
  kubectl --context "$context" --namespace ingress-nginx port-forward service/ingress-nginx-controller "$port:80" >/dev/null &
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
  $forwarded || fail "<@ service.name | text @> does not answer at "<@ url | shell @>" after a minute: kubectl --context $context --namespace "<@ service.namespace | shell @>" describe pods"
fi
echo "<@ service.name | text @>: "<@ url | shell @>
<% else %>
echo "<@ service.name | text @> has no ingress: kubectl --context $context --namespace "<@ service.namespace | shell @>" port-forward service/"<@ service.name | segment | shell @>" 8081:80"
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
  echo "To reach the services: kubectl --context $context --namespace ingress-nginx port-forward service/ingress-nginx-controller $port:80"
fi
