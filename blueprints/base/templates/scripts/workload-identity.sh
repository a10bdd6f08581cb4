<#- Writes the plain manifests' workload identities (a kustomize component's identity.env) from
    Terraform's outputs. Every value reaches the script through the `shell` filter. -#>
<% set vaulted = spec.services | selectattr("secretEnv") | list %>
<% set folder = ("manifests/overlays/" ~ environment.name ~ "/identity") if environment.declared else "manifests/identity" %>
#!/usr/bin/env bash
# Writes <@ folder | text @>/identity.env: the tenant and each service's workload
# identity client id, from `terraform output`<% if environment.declared %> in the workspace <@ environment.name | text @><% endif %>, which `kubectl apply -k`
# sets on the ServiceAccounts and SecretProviderClasses (their clientID, tenantId and
# azure.workload.identity/client-id). Run it after `terraform apply` and before applying the
# plain manifests; it fails, naming what is missing, rather than write an empty identity.
# Ids, not secrets: the file may be committed (a GitOps controller applying the manifests
# needs it in git).
#
# usage: <@ ("scripts/workload-identity-" ~ environment.name ~ ".sh" if environment.declared else "scripts/workload-identity.sh") | text @>
set -euo pipefail

# The output folder: this script is in its scripts/ folder.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
<% if environment.declared %>
# The environment's workspace, without selecting it for the shell that runs this.
export TF_WORKSPACE=<@ environment.name | shell @>
<% endif %>
tf() { terraform -chdir="$root/terraform" "$@"; }

fail() {
  echo "workload-identity: $1" >&2
  echo "  check: terraform -chdir=$root/terraform output$2 (after terraform apply<% if environment.declared %>, in the workspace $TF_WORKSPACE<% endif %>)" >&2
  exit 1
}

if ! tenant=$(tf output -raw tenant_id) || [ -z "$tenant" ]; then
  fail "the tenant_id output is empty or missing: apply terraform/ first" " tenant_id"
fi
if ! ids=$(tf output -json workload_client_ids); then
  fail "the workload_client_ids output is missing: apply terraform/ first" " workload_client_ids"
fi
# A map of service names (DNS labels) to client ids (GUIDs): no character JSON would escape.
client_id() {
  grep -o "\"$1\"[[:space:]]*:[[:space:]]*\"[^\"]*\"" <<< "$ids" | sed 's/.*"\([^"]*\)"$/\1/' || true
}

lines=("tenant-id=$tenant")
<% for service in vaulted %>
id=$(client_id <@ service.name | shell @>)
if [ -z "$id" ]; then
  fail "no workload identity client id for the service "<@ service.name | shell @>" in the workload_client_ids output: apply terraform/ with this spec's values" " workload_client_ids"
fi
lines+=("client-id-"<@ service.name | shell @>"=$id")
<% endfor %>

out="$root/"<@ folder | shell @>"/identity.env"
printf '%s\n' "${lines[@]}" > "$out.tmp"
mv "$out.tmp" "$out"
echo "workload-identity: wrote $out"
