<#- A local environment, deployed from a laptop: check what the laptop needs, bring the cluster
    up, apply the namespaces and the Secrets, install the add-ons, test, build, load, apply,
    wait, check each service's URL. Every value reaches the script through a filter: `shell`
    for a word of the script (inside a message too), `text` in a comment, `segment` in a path. -#>
<% set local = platform %>
<#- Each declared environment gets a cluster of its own (seed 004: dev, test, prod): its name,
    context and kubeconfig file are the local platform's (`platform.clusterName`, ...). -#>
<% set manifests = ("manifests/overlays/" ~ environment.name) if environment.declared else "manifests" %>
<% set script = ("scripts/deploy-local-" ~ environment.name ~ ".sh") if environment.declared else "scripts/deploy-local.sh" %>
<% set minikube = local.cluster == "minikube" %>
<% set autoscaled = spec.services | selectattr("autoscaling", "defined") | list %>
<% set secrets = spec.services | selectattr("secretEnv") | list %>
<% set found = namespace(python=[], backups=[], csi=false, monitored=[]) %>
<#- The stacks that watch the services here (the spec's `observability`), and the services whose
    rules and dashboard they load (those whose blueprint says which metrics count requests). -#>
<% set stack_charts = ([stacks.kubePrometheusStack] if local.observability.metrics == "kube-prometheus-stack" else []) + ([stacks.loki, stacks.fluentBit] if local.observability.logs == "loki" else []) %>
<% for service in spec.services %>
<% if local.observability.metrics == "kube-prometheus-stack" and runtimes[service.blueprint].metrics is defined and runtimes[service.blueprint].metrics.requests is defined %>
<% set found.monitored = found.monitored + [service] %>
<% endif %>
<% if runtimes[service.blueprint].test is defined and runtimes[service.blueprint].test.toolchain == "python" %>
<% set found.python = found.python + [service] %>
<% endif %>
<% if service.persistence is defined and service.persistence.backup is defined %>
<% set found.backups = found.backups + [service] %>
<% endif %>
<#- minikube's CSI driver class: a backup's (snapshots need it), or one a volume names. #>
<% if service.persistence is defined and service.persistence.storageClass is defined and service.persistence.storageClass == "csi-hostpath-sc" %>
<% set found.csi = true %>
<% endif %>
<% endfor %>
#!/usr/bin/env bash
# Deploys <@ ("the " ~ environment.name ~ " environment" if environment.declared else "the project") | text @> to a local <@ local.cluster | text @> cluster, <@ local.clusterName | text @>:
# checks the tools and the tests' Python, brings the cluster up, applies the namespaces and
# each service's Secret, runs each service's tests, builds its image and loads it into the
# cluster (nothing is pushed: no registry and no credential), applies the plain manifests,
# waits until every Deployment is ready, checks that each service answers, then forwards the
# ingress controller to 127.0.0.1:<@ local.port @> until Ctrl-C.
#
# usage: <@ script | text @> [--dry-run] [--no-forward]
#   --dry-run     print every command it would run, and run none
#   --no-forward  print the URLs and the port-forward command, and exit
#
# It talks to the cluster only through a kubeconfig of its own,
# ${XDG_CONFIG_HOME:-$HOME/.config}/gen/<@ local.kubeconfigFile | text @>, and the context <@ local.kubeContext | text @>:
# <@ local.cluster | text @> writes the cluster's credentials there, never into your kubeconfig ($KUBECONFIG or
# ~/.kube/config), which this script neither reads nor writes: its current context stays
# where it was, and nothing here can deploy to a cloud cluster by mistake.
# Each build is loaded under a tag of its own content, so the cluster never keeps running an
# older image under a reused tag, and an unchanged build restarts nothing.
<% if secrets %>
# A service's Secret is never written here: when it is missing, it is created from .env.local
# in the output folder (NAME=value lines, yours, never committed) if that file holds every
# name; otherwise the script stops and says how to create it. An existing Secret is only
# checked for every name (a name added to the spec stops the script before the slow steps):
# to change a value, delete the Secret and run again.
<% endif %>
set -euo pipefail

dry_run=false
forward=true
for arg in "$@"; do
  case $arg in
    --dry-run) dry_run=true ;;
    --no-forward) forward=false ;;
    -h | --help)
      sed -n '3,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
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
# The cluster's own kubeconfig. <@ local.cluster | text @> writes the cluster's credentials to it (and makes it
# that file's current context); every kubectl and helm call names it, with the context.
kubeconfig="${XDG_CONFIG_HOME:-$HOME/.config}/gen/"<@ local.kubeconfigFile | shell @>
kc=(--kubeconfig "$kubeconfig" --context "$context")
# How messages write a kubectl command for this cluster, quoted as a shell reads it.
kubectl_here="kubectl$(printf ' %q' "${kc[@]}")"
<% if minikube %>
# minikube writes the kubeconfig KUBECONFIG names: each minikube command is given this one.
<% endif %>

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
<% if minikube %>
need minikube "https://minikube.sigs.k8s.io/docs/start/ (or set platform.local.cluster: kind)"
<% else %>
need kind "https://kind.sigs.k8s.io/docs/user/quick-start/ (or set platform.local.cluster: minikube)"
<% endif %>
<% if found.backups %>
need helm "https://helm.sh/docs/intro/install/ (it installs snapscheduler, which takes the volume snapshots)"
<% elif stack_charts %>
need helm "https://helm.sh/docs/intro/install/ (it installs the monitoring stack: "<@ (stack_charts | map(attribute="chart") | join(", ")) | shell @>")"
<% endif %>

# Files root owns in this user's home make the cluster tools fail half-way: `sudo minikube
# start` (seed 002) leaves ~/.minikube, which minikube then cannot write. Say so now, with the
# fix, instead of working around it. (The user's kubeconfig is neither read nor written here.)
<% if minikube %>
minikube_home=${MINIKUBE_HOME:-$HOME}
[[ $minikube_home == */.minikube ]] || minikube_home+=/.minikube
<% endif %>
for owned in "$(dirname "$kubeconfig")" "$kubeconfig"<% if minikube %> "$minikube_home"<% endif %>; do
  if [[ -e $owned && (! -O $owned || ! -r $owned || ! -w $owned) ]]; then
    fail "$owned is not this user's to read and write (it was probably made with sudo): run 'sudo chown -R $(id -u):$(id -g) $owned'"
  fi
done

# Docker's daemon: it answers only when it runs and this user may use it, and every later
# step needs it (kind's node is a container; each image is built here).
if ! $dry_run && command -v docker >/dev/null 2>&1 && ! docker info >/dev/null 2>&1; then
  fail "docker does not answer ('docker info' fails): start Docker (Docker Desktop, or 'sudo systemctl start docker'), or let this user use it ('sudo usermod -aG docker \$USER', then log in again)"
fi
# Docker's default provenance attestation holds the build's time: with the containerd image
# store (Docker Desktop's default, and a new Docker Engine's) each build of the same sources
# would get a new image id, and every run would load it and roll the pods again.
export BUILDX_NO_DEFAULT_ATTESTATIONS=1
<% if found.python %>

# The services' tests run here, each in a virtual environment of its own, installing a lock
# of hashed requirements: pip refuses it on a Python older than the one it was compiled for
# (the lock's header says which), and Debian's and Ubuntu's python3 makes no virtual
# environment without python3-venv. Both are found out now, before the cluster is touched.
#
# Whether Python version $1 (3.10) is at least $2 (3.11).
at_least() {
  local major minor want_major want_minor
  IFS=. read -r major minor _ <<<"$1."
  IFS=. read -r want_major want_minor _ <<<"$2."
  ((major > want_major || (major == want_major && minor >= want_minor)))
}

# Makes a service's virtual environment ($3) with python$1 when the spec names a version,
# else python3, as long as it is at least the Python its lock ($2) was compiled for.
make_venv() {
  local want=$1 lock=$2 venv=$3 service=$4 minimum python version
  minimum=$(sed -n 's/^# This file is autogenerated by pip-compile with Python \([0-9][0-9.]*\)$/\1/p' "$lock" 2>/dev/null | head -n 1)
  local wanted=${want:-${minimum:-3}}
  local found_version=""
  python=""
  for candidate in ${want:+"python$want"} python3; do
    command -v "$candidate" >/dev/null 2>&1 || continue
    if $dry_run; then
      python=$candidate
      break
    fi
    version=$("$candidate" --version 2>&1 | sed -n 's/^Python \([0-9][0-9.]*\).*/\1/p')
    if [[ -n $version ]] && { [[ -z $minimum ]] || at_least "$version" "$minimum"; }; then
      python=$candidate
      break
    fi
    found_version+="${found_version:+, }$candidate is ${version:-unknown}"
  done
  if [[ -z $python ]] && $dry_run; then
    python=python3
  elif [[ -z $python ]]; then
    fail "the tests of $service need Python $wanted${minimum:+ (their lock, requirements.txt, is compiled for Python $minimum and pip refuses it on an older one)}${found_version:+: $found_version}, none is on the PATH otherwise. Install it: on macOS 'brew install python@$wanted'; on Debian or Ubuntu 'sudo apt install python$wanted python$wanted-venv' (from the deadsnakes PPA where the release has none); or 'pyenv install $wanted'"
  fi
  $dry_run || mkdir -p "$(dirname "$venv")"
  if ! run "$python" -m venv "$venv"; then
    version=$("$python" --version 2>&1 | sed -n 's/^Python \([0-9]*\.[0-9]*\).*/\1/p')
    fail "$python cannot make the virtual environment the tests of $service run in (ensurepip is missing): on Debian or Ubuntu 'sudo apt install python${version:-3}-venv' (or python3-venv), then run this again; elsewhere, install Python from python.org or 'brew install python@${version:-$wanted}'"
  fi
}
<% for service in found.python %>
<% set test = runtimes[service.blueprint].test %>
<% set version = service.params[test.versionParam] if service.params[test.versionParam] is defined else "" %>
<% set code = gen.code[service.name] %>
<% set lock = (gen.toRoot ~ "/" ~ code.prefix ~ code.locks[0]) if code.own and code.locks else ("services/" ~ service.name ~ "/requirements.txt") %>
make_venv <@ version | shell @> "$root"/<@ lock | shell @> "${XDG_CACHE_HOME:-$HOME/.cache}/gen/venv-"<@ (spec.metadata.name ~ "-" ~ service.name) | shell @> <@ service.name | shell @>
<% endfor %>
<% endif %>

# The port the ingress controller is forwarded to must be free: a server already there would
# answer in the services' place.
check_port() {
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    local holder=""
    if command -v lsof >/dev/null 2>&1; then
      holder=$(lsof -nP -iTCP:"$port" -sTCP:LISTEN 2>/dev/null | awk 'NR == 2 { print $1 " (pid " $2 ")" }')
    fi
    fail "port $port on 127.0.0.1 is taken${holder:+ by $holder}: stop it, or set platform.local.port to a free port, render again and run the new script"
  fi
}
$dry_run || check_port

# Temporary files (a Secret's names picked from .env.local, the build's image id, the
# overlay), removed on exit.
build_dir=$(mktemp -d)
overlay=""
cleanup() {
  rm -rf "$build_dir" ${overlay:+"$overlay"}
}
trap cleanup EXIT

# Waits until the cluster's API answers: a node just started takes a few seconds. After a
# minute it stops, with kubectl's own error.
wait_api() {
  $dry_run && return
  local deadline=$((SECONDS + 60)) error
  until error=$(kubectl "${kc[@]}" get --raw=/readyz 2>&1 >/dev/null); do
    ((SECONDS < deadline)) || fail "the cluster's API does not answer after a minute: $error"
    sleep 1
  done
}

# The manifests' pods stop with a preStop sleep (the kubelet's sleep action), which Kubernetes
# 1.30 and later serve: an older cluster (a kind before v0.23, a minikube before v1.33) would
# refuse every Deployment after the tests and the builds. Checked once the API answers.
check_version() {
  $dry_run && return
  local version minor
  version=$(kubectl "${kc[@]}" get --raw=/version) || fail "cannot read the cluster's version: kubectl's error is above"
  minor=$(sed -n 's/.*"minor": *"\([0-9]*\).*/\1/p' <<<"$version" | head -n 1)
  if [[ -z $minor ]] || ((minor < 30)); then
<% if minikube %>
    fail "the cluster $cluster runs Kubernetes 1.${minor:-?}; its manifests need 1.30 or later: 'minikube delete --profile $cluster', upgrade minikube (v1.33 or later) and run this again"
<% else %>
    fail "the cluster $cluster runs Kubernetes 1.${minor:-?}; its manifests need 1.30 or later: 'kind delete cluster --name $cluster', upgrade kind (v0.23 or later) and run this again"
<% endif %>
  fi
}

# Waits until the pods `kubectl get` finds exist, then until they are ready: `kubectl wait` on
# objects not created yet fails at once with "no matching resources found" (kind #2293), as
# it does right after a controller's manifest is applied. Only "no pod yet" is waited on: a
# kubectl error (the cluster refusing, a kubeconfig gone) stops here, with that error.
wait_ready() {
  local namespace=$1 selector=$2 what=$3
  if $dry_run; then
    run kubectl "${kc[@]}" --namespace "$namespace" wait --for=condition=ready pod --selector="$selector" --timeout=300s
    return
  fi
  local deadline=$((SECONDS + 300)) pods
  while :; do
    pods=$(kubectl "${kc[@]}" --namespace "$namespace" get pod --selector="$selector" --output=name 2>"$build_dir/get.err") ||
      fail "cannot list the pods of $what: $(cat "$build_dir/get.err")"
    [[ -n $pods ]] && break
    ((SECONDS < deadline)) || fail "$what has no pod after 5 minutes: $kubectl_here --namespace $namespace get all"
    sleep 2
  done
  kubectl "${kc[@]}" --namespace "$namespace" wait --for=condition=ready pod --selector="$selector" --timeout=300s
}

# The images a Deployment's containers run, "" when it does not exist yet.
images_of() {
  kubectl "${kc[@]}" --namespace "$1" get deployment "$2" --ignore-not-found --output=jsonpath='{.spec.template.spec.containers[*].image}'
}

echo "==> the cluster $cluster ($context)"
$dry_run || mkdir -p "$(dirname "$kubeconfig")"
<% if minikube %>
# `minikube start` starts a stopped cluster and is a no-op for a running one.
run env KUBECONFIG="$kubeconfig" minikube start --profile "$cluster"
wait_api
check_version
<% else %>
node="$cluster-control-plane"
if $dry_run || ! grep -qxF "$cluster" <<<"$(kind get clusters 2>/dev/null)"; then
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
elif [[ $(docker inspect --format '{{.State.Running}}' "$node") != true ]]; then
  # kind lists a cluster whose node is stopped (after a restart of the machine or of docker)
  # and creates nothing for it: its node is started instead.
  run docker start "$node"
fi
# The credentials of a cluster made before, or of a node just started, written again.
(umask 077 && run kind export kubeconfig --name "$cluster" --kubeconfig "$kubeconfig")
wait_api
check_version
# Only a cluster this script made has a node labelled ingress-ready=true: one of the same
# name made otherwise is someone else's work, not this project's to deploy into.
if ! $dry_run; then
  labelled=$(kubectl "${kc[@]}" get nodes --selector=ingress-ready=true --output=name)
  [[ -n $labelled ]] ||
    fail "the kind cluster $cluster was not made by this script (no node is labelled ingress-ready=true, which the ingress controller runs on): delete it if it is yours to lose ('kind delete cluster --name $cluster') and run this again, or set platform.local.name to another cluster and render again"
fi
<% endif %>

# The namespaces first: each service's Secret is looked for in its namespace before
# anything slow runs.
echo "==> namespaces"
run kubectl "${kc[@]}" apply --filename "$root"/<@ (manifests ~ "/namespaces.yaml") | shell @>
<% if secrets %>

echo "==> secrets"
env_local="$root/.env.local"
# It holds the Secrets' values: in a git work tree, read only while git ignores it (the
# .gitignore gen renders beside it does).
if ! $dry_run && [[ -f $env_local ]] && command -v git >/dev/null 2>&1 &&
  git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1 && ! git -C "$root" check-ignore -q "$env_local"; then
  fail "$env_local holds Secrets' values and git does not ignore it, so a commit would take it: add '.env.local' to $root/.gitignore (gen renders it there: render again) and run this again"
fi
# The services whose Secret this run made: their pods are restarted below when their image
# did not change, or they would keep the values they started with.
made_secrets=" "
# Whether a Secret exists: only a NotFound is "no" (--ignore-not-found); any other kubectl
# error stops here.
has_secret() {
  local found
  found=$(kubectl "${kc[@]}" --namespace "$1" get secret "$2" --ignore-not-found --output=name) ||
    fail "cannot read the Secret $1/$2: kubectl's error is above"
  [[ -n $found ]]
}
# Copies a Secret's names ($2...) out of .env.local into the file $1, and only those: a Secret
# never holds another service's values. Fails, naming in $missing what .env.local lacks.
missing=""
from_env_local() {
  local file=$1 name line value
  shift
  missing=""
  : >"$file"
  for name in "$@"; do
    # `NAME=value`, as a shell or a .env loader writes it: `export ` before, quotes around
    # the value and a Windows line end are not part of it.
    if line=$(grep -m 1 -E "^[[:space:]]*(export[[:space:]]+)?$name=" "$env_local" 2>/dev/null); then
      value=${line#*=}
      value=${value%$'\r'}
      if [[ ${#value} -ge 2 && ( ($value == \"*\" ) || ($value == \'*\') ) ]]; then
        value=${value:1:${#value}-2}
      fi
      printf '%s=%s\n' "$name" "$value" >>"$file"
    else
      missing+="${missing:+, }$name"
    fi
  done
  [[ -z $missing ]]
}
# Whether the Secret $1/$2 lacks some of the names $3... (named in $missing): a Secret made
# before a name was added to the spec, which the pods would fail on only after the rollout.
lacks() {
  local data name
  data=$(kubectl "${kc[@]}" --namespace "$1" get secret "$2" --output=jsonpath='{.data}') ||
    fail "cannot read the Secret $1/$2: kubectl's error is above"
  shift 2
  missing=""
  for name in "$@"; do
    [[ $data == *"\"$name\":"* ]] || missing+="${missing:+, }$name"
  done
  [[ -n $missing ]]
}
<% for service in secrets %>
<% set secret = service.name ~ "-env" %>
if $dry_run || ! has_secret <@ service.namespace | shell @> <@ secret | shell @>; then
  if $dry_run || from_env_local "$build_dir/secret.env"<% for name in service.secretEnv %> <@ name | shell @><% endfor %>; then
    echo "the Secret "<@ (service.namespace ~ "/" ~ secret) | shell @>" from .env.local"
    run kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> create secret generic <@ secret | shell @> --from-env-file="$build_dir/secret.env"
    rm -f "$build_dir/secret.env"
    made_secrets+=<@ (service.name ~ " ") | shell @>
  else
    fail "the service "<@ service.name | shell @>" reads the Secret "<@ (service.namespace ~ "/" ~ secret) | shell @>", which this cluster does not have yet. Either
  - put "<@ (service.secretEnv | join("=..., ") ~ "=...") | shell @>" in $env_local (NAME=value lines, yours, never committed; missing there: $missing), and run this again; or
  - create it yourself: $kubectl_here --namespace "<@ service.namespace | shell @>" create secret generic "<@ secret | shell @><% for name in service.secretEnv %>" --from-literal="<@ (name ~ "=...") | shell @><% endfor %>

  fi
elif lacks <@ service.namespace | shell @> <@ secret | shell @><% for name in service.secretEnv %> <@ name | shell @><% endfor %>; then
  fail "the Secret "<@ (service.namespace ~ "/" ~ secret) | shell @>" lacks $missing, which the service "<@ service.name | shell @>" reads: delete it ($kubectl_here --namespace "<@ service.namespace | shell @>" delete secret "<@ secret | shell @>") and run this again, to make it from $env_local, or add the names to it"
fi
<% endfor %>
<% endif %>

echo "==> add-ons"
<% if minikube %>
run env KUBECONFIG="$kubeconfig" minikube addons enable ingress --profile "$cluster"
<% if autoscaled %>
run env KUBECONFIG="$kubeconfig" minikube addons enable metrics-server --profile "$cluster"
<% endif %>
<% if found.backups %>
run env KUBECONFIG="$kubeconfig" minikube addons enable volumesnapshots --profile "$cluster"
<% endif %>
<% if found.csi %>
run env KUBECONFIG="$kubeconfig" minikube addons enable csi-hostpath-driver --profile "$cluster"
<% endif %>
<% else %>
# Whether a Deployment runs the release $3 of its image: each add-on is fetched and applied
# only when it does not, so a re-run fetches none of them again and changes nothing.
runs_release() {
  $dry_run && return 1
  local images
  images=" $(images_of "$1" "$2") "
  [[ $images == *":$3@"* || $images == *":$3 "* ]]
}
# The controller release of the chart Terraform pins on Azure (ingress-nginx 4.15.1).
ingress_nginx=v1.15.1
if ! runs_release ingress-nginx ingress-nginx-controller "$ingress_nginx"; then
  run kubectl "${kc[@]}" apply -f "https://raw.githubusercontent.com/kubernetes/ingress-nginx/controller-$ingress_nginx/deploy/static/provider/kind/deploy.yaml"
fi
<% if autoscaled %>
# The autoscaler reads CPU from metrics-server.
metrics_server=v0.8.1
if ! runs_release kube-system metrics-server "$metrics_server"; then
  run kubectl "${kc[@]}" apply -f "https://github.com/kubernetes-sigs/metrics-server/releases/download/$metrics_server/components.yaml"
fi
# kind's kubelets serve self-signed certificates: metrics-server is told to accept them,
# once (a JSON patch "add" appends the flag again each time it runs).
args=""
$dry_run || args=$(kubectl "${kc[@]}" --namespace kube-system get deployment metrics-server --output=jsonpath='{.spec.template.spec.containers[0].args}')
if [[ $args != *--kubelet-insecure-tls* ]]; then
  run kubectl "${kc[@]}" --namespace kube-system patch deployment metrics-server --type json -p '[{"op": "add", "path": "/spec/template/spec/containers/0/args/-", "value": "--kubelet-insecure-tls"}]'
fi
<% endif %>
<% endif %>
<% if found.backups %>
# snapscheduler takes and expires the volume snapshots (chart 3.5.0, 2025-05-14), installed
# when this release of it is not.
snapscheduler=3.5.0
releases=""
$dry_run || releases=$(helm list --kubeconfig "$kubeconfig" --kube-context "$context" --namespace backube-snapscheduler --filter '^snapscheduler$' --output json)
if [[ $releases != *"\"chart\":\"snapscheduler-$snapscheduler\""* ]]; then
  run helm upgrade --install snapscheduler snapscheduler --repo https://backube.github.io/helm-charts/ --version "$snapscheduler" --namespace backube-snapscheduler --create-namespace --kubeconfig "$kubeconfig" --kube-context "$context" --wait
fi
<% endif %>
<% if stack_charts %>

echo "==> monitoring: "<@ (stack_charts | map(attribute="chart") | join(", ")) | shell @>
# The stacks that watch the services (the spec's `observability`), with the values gen renders
# in stack/. A release is installed or upgraded when it does not run this version of
# its chart with these values (their checksum is its revision's description), so a re-run
# changes nothing. The first install takes a few minutes: it pulls every image of the stack.
# Whether release $1 runs chart $2 (name-version), deployed with the values whose checksum is $3.
stack_runs() {
  $dry_run && return 1
  local history
  history=$(helm history "$1" --kubeconfig "$kubeconfig" --kube-context "$context" --namespace monitoring --max 1 --output json 2>/dev/null) || return 1
  # An install or upgrade stopped part way (Ctrl-C, a laptop asleep) leaves the release pending:
  # every later helm call on it fails until it is rolled back or removed.
  if [[ $history == *'"status":"pending-'* ]]; then
    fail "the release $1 was left half installed by an interrupted run: remove it (helm uninstall $1 --namespace monitoring --kubeconfig $kubeconfig --kube-context $context) and run this again"
  fi
  [[ $history == *"\"chart\":\"$2\""* && $history == *"\"description\":\"gen values $3\""* && $history == *'"status":"deployed"'* ]]
}
<% for chart in stack_charts %>
<% set values = "stack/" ~ chart.release ~ ".yaml" %>
# <@ chart.chart | text @> <@ chart.version | text @>, from <@ chart.repository | text @>.
sum=$(cksum <"$root/"<@ values | shell @> | cut -d ' ' -f 1)
if ! stack_runs <@ chart.release | shell @> <@ (chart.chart ~ "-" ~ chart.version) | shell @> "$sum"; then
  run helm upgrade --install <@ chart.release | shell @> <@ chart.chart | shell @> --repo <@ chart.repository | shell @> --version <@ chart.version | shell @> --namespace <@ chart.namespace | shell @> --create-namespace --values "$root/"<@ values | shell @> --description "gen values $sum" --kubeconfig "$kubeconfig" --kube-context "$context" --wait --timeout 10m
fi
<% endfor %>
<% endif %>

# The controller's admission webhook refuses every Ingress until the controller is ready
# ("failed calling webhook", seed 002, which deleted the webhook instead): wait for it, as
# ingress-nginx's documentation says, rather than for a fixed time.
wait_ready ingress-nginx app.kubernetes.io/component=controller "the ingress controller"

<% if minikube %>
# Whether the node has an image: a load that reports success is not taken on its word.
on_node() {
  local images
  images=$(env KUBECONFIG="$kubeconfig" minikube image ls --profile "$cluster")
  grep -qxF -e "$1" -e "docker.io/$1" -e "docker.io/library/$1" <<<"$images"
}
<% else %>
# Whether the node has an image: a load that reports success is not taken on its word.
on_node() {
  docker exec "$node" crictl inspecti "$1" >/dev/null 2>&1
}
<% endif %>

# Each image is loaded under a tag of its own content (dev-<image id>): the cluster can never
# keep an older image under a reused tag (minikube #23023, #16032), and an unchanged build
# keeps its tag and restarts nothing. The manifests are applied with these tags; the image
# each Deployment ran before is noted, to be removed from the node once the new one is ready.
images=""
tags=()
previous=()

<% for service in spec.services %>
<% set i = loop.index0 %>
<% set repository = service.image.repository %>
echo "==> "<@ service.name | shell @>": test, build, load"
<% set test = runtimes[service.blueprint].test if runtimes[service.blueprint].test is defined else none %>
<% if test and test.toolchain == "python" %>
(
<% set code = gen.code[service.name] %>
  dir="$root"/<@ ((gen.toRoot ~ "/" ~ code.dir) if code.own else ("services/" ~ service.name)) | shell @>
  venv="${XDG_CACHE_HOME:-$HOME/.cache}/gen/venv-"<@ (spec.metadata.name ~ "-" ~ service.name) | shell @>
  cd "$dir"
  $dry_run && printf '+ cd %q\n' "$dir"
<% for command in test.commands %>
  run env PATH="$venv/bin:$PATH" sh -c <@ command | shell @>
<% endfor %>
)
<% elif test %>
echo "("<@ service.name | shell @>": its "<@ test.toolchain | shell @>" tests run in the pipeline, not here)"
<% endif %>
# No tag at the build: the id it writes is this build's, whatever another build (another
# environment's script, run at the same time) does meanwhile with a shared tag.
<% if gen.code[service.name].own %>
# The service's code is its own: the context is the repository's root, the Dockerfile gen's.
# BuildKit: the legacy builder ignores the Dockerfile's own ignore file, and would send the whole repository.
run env DOCKER_BUILDKIT=1 docker build --iidfile "$build_dir/iid" --file "$root"/<@ ("services/" ~ service.name ~ "/Dockerfile") | shell @> "$root"/<@ gen.toRoot | shell @>
<% else %>
run docker build --iidfile "$build_dir/iid" "$root"/<@ ("services/" ~ service.name) | shell @>
<% endif %>
if $dry_run; then
  id="<image id>"
  tag="dev-<image id>"
else
  id=$(cat "$build_dir/iid")
  hex=${id#sha256:}
  tag="dev-${hex:0:12}"
fi
run docker tag "$id" <@ (repository ~ ":") | shell @>"$tag"
<% if minikube %>
run env KUBECONFIG="$kubeconfig" minikube image load <@ (repository ~ ":") | shell @>"$tag" --profile "$cluster"
<% else %>
run kind load docker-image <@ (repository ~ ":") | shell @>"$tag" --name "$cluster"
<% endif %>
if ! $dry_run; then
  on_node <@ (repository ~ ":") | shell @>"$tag" ||
    fail <@ (repository ~ ":") | shell @>"$tag is not on the node of $cluster after its load: nothing is applied (the manifests never pull it; run this again)"
  previous[<@ i @>]=$(images_of <@ service.namespace | shell @> <@ service.name | shell @>)
fi
tags[<@ i @>]=$tag
images+=$(printf '\n  - name: %s\n    newTag: %s' <@ repository | shell @> "$tag")

<% endfor %>
echo "==> apply "<@ manifests | shell @>" with the images just built"
# An overlay of the output's manifests with each image's tag (kustomize takes a folder
# relative to the overlay), removed on exit.
overlay=$(mktemp -d "$root/.deploy-local.XXXXXX")
printf 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../%s\nimages:%s\n' <@ manifests | shell @> "$images" >"$overlay/kustomization.yaml"
$dry_run && sed 's/^/  | /' "$overlay/kustomization.yaml"
# A just-started controller can still refuse the first Ingress ("failed calling webhook"): that
# is tried again a few times; any other refusal stops here.
for attempt in 1 2 3 4 5; do
  if applied=$(run kubectl "${kc[@]}" apply --kustomize "$overlay" 2>&1); then
    echo "$applied"
    break
  fi
  echo "$applied" >&2
  [[ $applied == *"failed calling webhook"* ]] || fail "kubectl apply failed (its error is above)"
  [[ $attempt == 5 ]] && fail "kubectl apply failed 5 times"
  sleep $((attempt * 5))
done

# A new tag rolls the pods; the same tag is the same image, already running. Once a new image
# is ready, the one it replaced leaves the node (each build would otherwise stay there).
<% for service in spec.services %>
<% set i = loop.index0 %>
<% if service.secretEnv %>
# A Secret made again (deleted to change a value) reaches pods only when they start: the same
# image rolls no pod, so they are restarted.
if [[ ${made_secrets-} == *" "<@ service.name | shell @>" "* && " ${previous[<@ i @>]-} " == *":${tags[<@ i @>]} "* ]]; then
  run kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> rollout restart deployment/<@ service.name | segment @>
fi
<% endif %>
run kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> rollout status deployment/<@ service.name | segment @> --timeout=300s ||
  fail <@ service.name | shell @>" is not ready: $kubectl_here --namespace "<@ service.namespace | shell @>" describe pods"
<% if service.renamedFrom is defined %>
# Renamed (spec: renamedFrom): what its former name runs here goes once the new name is ready.
# A volume's claim stays: its data is the service's (delete it with kubectl when done with it).
run kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> delete \
  deployment,service,ingress,horizontalpodautoscaler,poddisruptionbudget,networkpolicy,serviceaccount,configmap,secret<% if local.observability.metrics == "kube-prometheus-stack" %>,servicemonitors.monitoring.coreos.com,prometheusrules.monitoring.coreos.com<% endif %> \
  --selector app.kubernetes.io/instance=<@ service.renamedFrom | shell @> --ignore-not-found
<% endif %>
read -r -a olds <<<"${previous[<@ i @>]-}"
for old in ${olds[@]+"${olds[@]}"}; do
  if [[ $old == <@ (service.image.repository ~ ":dev-") | shell @>* && $old != <@ (service.image.repository ~ ":") | shell @>"${tags[<@ i @>]}" ]]; then
<% if minikube %>
    run env KUBECONFIG="$kubeconfig" minikube image rm "$old" --profile "$cluster" ||
<% else %>
    run docker exec "$node" crictl rmi "$old" >/dev/null ||
<% endif %>
      echo "deploy-local: could not remove $old from the node (it stays until the cluster is deleted)" >&2
  fi
done
<% endfor %>
<% if found.monitored %>

echo "==> rules and dashboards"
# The services' SLO rules (monitoring/prometheusrule.yaml, in the stack's namespace) and each
# one's Grafana dashboard (monitoring/<service>/), which the stack's Prometheus and Grafana
# load from wherever they are.
run kubectl "${kc[@]}" apply --filename "$root/monitoring/prometheusrule.yaml"<% for service in found.monitored %> --filename "$root/"<@ ("monitoring/" ~ service.name ~ "/dashboard.yaml") | shell @><% endfor %>

# Then the rules this project's render no longer holds go, or their alerts would fire twice:
# each service's PrometheusRule of an earlier gen (labelled with its instance), and a set's
# whose services' objectives changed.
run kubectl "${kc[@]}" delete prometheusrules.monitoring.coreos.com --all-namespaces --ignore-not-found \
  --selector <@ ("app.kubernetes.io/part-of=" ~ spec.metadata.name ~ ",app.kubernetes.io/managed-by=gen,app.kubernetes.io/name notin (" ~ (spec.services | slo_sets(runtimes) | map(attribute="label") | join(",")) ~ ")") | shell @>
# And the dashboards it no longer holds (Grafana would load two of one uid): a removed or
# renamed service's, and each one an earlier gen kept in its service's namespace, where the
# stack's namespace holds it now.
run kubectl "${kc[@]}" delete configmap --all-namespaces --ignore-not-found \
  --selector <@ ("grafana_dashboard=1,app.kubernetes.io/part-of=" ~ spec.metadata.name ~ ",app.kubernetes.io/managed-by=gen,app.kubernetes.io/name notin (" ~ (found.monitored | map(attribute="name") | join(",")) ~ ")") | shell @>
<% for service in found.monitored %>
run kubectl "${kc[@]}" --namespace <@ service.namespace | shell @> delete configmap --ignore-not-found \
  --selector <@ ("grafana_dashboard=1,app.kubernetes.io/instance=" ~ service.name) | shell @>
<% endfor %>
<% endif %>
<% if found.backups and minikube %>

# The snapshots live on csi-hostpath volumes inside minikube's node: `minikube delete` takes
# them with the cluster. Said after each deploy, with how to restore one.
minikube_here="KUBECONFIG=$(printf '%q' "$kubeconfig") minikube"
echo "Snapshots live inside this minikube cluster: '$minikube_here delete --profile $cluster' deletes them with it."
<% for service in found.backups %>
service=<@ service.name | shell @>
namespace=<@ service.namespace | shell @>
schedule=<@ service.persistence.backup.schedule | shell @>
days=<@ service.persistence.backup.retentionDays @>
class=<@ service.persistence.storageClass | shell @>
size=<@ service.persistence.size | shell @>
mode=<@ service.persistence.accessMode | shell @>
replicas=<@ (service.autoscaling.minReplicas if service.autoscaling is defined else service.replicas) @>
cat <<EOF
$service: its volume is snapshotted at '$schedule', each snapshot kept $days days. To restore
one (list them: $kubectl_here --namespace $namespace get volumesnapshots), stop the
service, replace its claim with one whose dataSource is the snapshot, and start it again:
$kubectl_here --namespace $namespace scale deployment/$service --replicas=0
$kubectl_here --namespace $namespace delete pvc $service
$kubectl_here --namespace $namespace create -f - <<'CLAIM'
apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: $service
  namespace: $namespace
  # The labels the snapshot schedule selects the claim by.
  labels: {app.kubernetes.io/name: $service, app.kubernetes.io/instance: $service}
spec:
  storageClassName: $class
  accessModes: [$mode]
  resources: {requests: {storage: $size}}
  dataSource: {apiGroup: snapshot.storage.k8s.io, kind: VolumeSnapshot, name: <the snapshot>}
CLAIM
$kubectl_here --namespace $namespace scale deployment/$service --replicas=$replicas
EOF
<% endfor %>
<% endif %>

stop_forward() {
  if [[ -n ${forwarder-} ]]; then
    kill "$forwarder" 2>/dev/null || true
    forwarder=""
  fi
  cleanup
}
trap stop_forward EXIT
if $dry_run; then
  run kubectl "${kc[@]}" --namespace ingress-nginx port-forward service/ingress-nginx-controller "$port:80"
else
  # Taken since the start? Then what answers would not be the services.
  check_port
  kubectl "${kc[@]}" --namespace ingress-nginx port-forward service/ingress-nginx-controller "$port:80" >"$build_dir/forward.log" 2>&1 &
  forwarder=$!
  # Until the forward listens, or stops with kubectl's reason.
  for _ in $(seq 100); do
    kill -0 "$forwarder" 2>/dev/null || fail "kubectl port-forward stopped: $(cat "$build_dir/forward.log")"
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
  done
fi

# Each service through the ingress, as a browser reaches it: up to a minute, until the service
# itself answers with a success or a redirect. A 404 is the controller's until it has loaded
# the new Ingress (or for a host and path it does not route); a 502 or 503, no ready pod yet.
<% for service in spec.services %>
<% if service.ingress is defined %>
<% set url = "http://" ~ service.ingress.host ~ ":" ~ local.port ~ service.ingress.path %>
if ! $dry_run; then
  answered=false
  code=000
  for _ in $(seq 60); do
    code=$(curl --silent --output /dev/null --write-out '%{http_code}' --resolve <@ (service.ingress.host ~ ":" ~ local.port ~ ":127.0.0.1") | shell @> <@ url | shell @> || true)
    if ((${code:-0} >= 200 && ${code:-0} < 400)); then
      answered=true
      break
    fi
    sleep 1
  done
  $answered || fail <@ service.name | shell @>" answers $code at "<@ url | shell @>" after a minute, not a success: $kubectl_here --namespace "<@ service.namespace | shell @>" describe ingress,pods"
fi
echo <@ service.name | shell @>": "<@ url | shell @>
<% else %>
echo <@ service.name | shell @>" has no ingress: $kubectl_here --namespace "<@ service.namespace | shell @>" port-forward service/"<@ service.name | segment | shell @>" 8081:80"
<% endif %>
<% endfor %>
<% if local.observability.metrics == "kube-prometheus-stack" %>
echo "Grafana: $kubectl_here --namespace monitoring port-forward service/kube-prometheus-stack-grafana 3000:80, then http://127.0.0.1:3000"
echo "  (user admin; the chart keeps its sign-in in the Secret monitoring/kube-prometheus-stack-grafana: README.md, Monitoring)"
<% endif %>
<% if local.domain != "localhost" %>
echo "(the hosts are under "<@ local.domain | shell @>": they reach this machine only if that name resolves to 127.0.0.1)"
<% endif %>

if $forward && ! $dry_run; then
  echo "Forwarding 127.0.0.1:$port to the ingress controller; Ctrl-C to stop."
  wait "$forwarder"
else
  stop_forward
  echo "To reach the services: $kubectl_here --namespace ingress-nginx port-forward service/ingress-nginx-controller $port:80"
fi
