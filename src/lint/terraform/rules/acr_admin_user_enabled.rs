use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_container_registry` with `admin_enabled = true`, written, through a
    /// variable or a local, or, for a `for_each` resource that sets `admin_enabled =
    /// each.value.admin_enabled`, in an entry of the map it iterates (a `.tfvars`' included).
    ///
    /// checkov: CKV_AZURE_137.
    ///
    /// ## Why it matters
    /// The admin user is one shared user name and password with push and pull on the whole
    /// registry, outside Entra ID: no per-identity audit, no conditional access, and whoever
    /// has the password keeps it until someone rotates it. The cluster pulls with its kubelet
    /// identity (AcrPull) and the pipeline pushes with OIDC; neither needs it.
    ///
    /// ## Example
    /// ```hcl
    /// resource "azurerm_container_registry" "this" {
    ///   name                = "shopacr"
    ///   resource_group_name = "shop-rg"
    ///   location            = "westeurope"
    ///   sku                 = "Standard"
    ///   admin_enabled       = true
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Remove `admin_enabled` (it defaults to false), and grant AcrPull and AcrPush to the
    /// identities that need them.
    pub static RULE = ("TF011", "acr-admin-user-enabled", Error);
}

const HELP: &str = "remove `admin_enabled`; pull with AcrPull and push with AcrPush through Entra ID identities";

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_container_registry") {
        if r.boolean("admin_enabled") == Some(true) {
            let message = format!("{} enables the registry's admin user (a shared password)", r.address());
            out.push(r.at_attr(&RULE, "admin_enabled", message).help(HELP));
            continue;
        }
        // `for_each` over a map whose entries set it: `admin_enabled = each.value.admin_enabled`.
        let (instances, origin) = r.instances_where("admin_enabled", true);
        if instances.is_empty() {
            continue;
        }
        let named: Vec<String> = instances.iter().map(|k| format!("{}[{k:?}]", r.address())).collect();
        let from = origin.map(|o| format!(": {o}")).unwrap_or_default();
        let message = format!(
            "{} {} the registry's admin user (a shared password) (`admin_enabled = true` in the `for_each` map{from})",
            named.join(", "),
            if named.len() > 1 { "enable" } else { "enables" }
        );
        out.push(r.at(&RULE, r.attr_span("admin_enabled"), message).help(HELP));
    }
}
