use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::lint::kubernetes::Document;
use crate::route;

declare_rule! {
    /// ## What it does
    /// Reports an Azure workload identity written empty: a ServiceAccount's annotation
    /// `azure.workload.identity/client-id: ""`, or an Azure SecretProviderClass (Secrets Store
    /// CSI driver, `provider: azure`) whose `parameters.clientID` or `parameters.tenantId` is
    /// `""` (or only spaces). A field left out is not reported: a kustomization or a Helm
    /// value may set it later (gen's plain manifests leave both out, and their kustomize
    /// component sets them from Terraform's outputs).
    ///
    /// No counterpart in kube-score, Polaris, checkov or trivy: the API server accepts an empty
    /// string, and the failure comes only when a pod mounts the class.
    ///
    /// ## Why it matters
    /// The values are known only once Terraform has created the identity, so a template or a
    /// copied manifest often carries a blank to be filled in, and nothing fills it: the
    /// workload identity webhook gives the pod no identity, the CSI driver cannot sign in to
    /// Key Vault, and every pod of the Deployment stays in `ContainerCreating` with a failed
    /// mount (`FailedMount ... clientID is empty`). The Secret the driver would create from
    /// the class never exists, so nothing that reads it starts either.
    ///
    /// ## Example
    /// ```yaml
    /// apiVersion: secrets-store.csi.x-k8s.io/v1
    /// kind: SecretProviderClass
    /// spec:
    ///   provider: azure
    ///   parameters:
    ///     clientID: ""
    ///     tenantId: ""
    ///     keyvaultName: kv-shop
    /// ```
    ///
    /// ## How to fix
    /// Write the identity's client id and the tenant from Terraform's outputs (`terraform
    /// output workload_client_ids`, `terraform output tenant_id`; or `az identity show --name
    /// <identity> --resource-group <group> --query clientId`), or leave the fields out and set
    /// them where they become known (a kustomize replacement, a Helm value the deploy sets).
    pub static RULE = ("K8S053", "workload-identity-empty", Error);
}

/// The annotation the workload identity webhook reads the client id from.
const CLIENT_ID_ANNOTATION: &str = "azure.workload.identity/client-id";

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let fields: Vec<(Route, &str)> = match object.kind.as_str() {
            "ServiceAccount" => vec![(route!["metadata", "annotations", CLIENT_ID_ANNOTATION], CLIENT_ID_ANNOTATION)],
            "SecretProviderClass"
                if object.api_version.starts_with("secrets-store.csi.x-k8s.io/")
                    && object.doc.root.lookup(&route!["spec", "provider"]).and_then(|n| n.as_str())
                        == Some(crate::platform::azure::SECRETS_STORE_PROVIDER) =>
            {
                vec![
                    (route!["spec", "parameters", "clientID"], "clientID"),
                    (route!["spec", "parameters", "tenantId"], "tenantId"),
                ]
            }
            _ => continue,
        };
        for (route, field) in fields {
            let Some(value) = object.doc.root.lookup(&route).and_then(|n| n.as_str()) else { continue };
            if !value.trim().is_empty() {
                continue;
            }
            let message = format!(
                "{} has an empty `{field}`: its pods get no Azure identity and fail to mount the vault",
                object.title()
            );
            out.push(object.at(&RULE, &route, message).help(
                "write the value from `terraform output` (workload_client_ids, tenant_id), or leave the field out and set it where it becomes known (a kustomize replacement, a Helm value the deploy sets)",
            ));
        }
    }
}
