use super::schema_findings;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::Document;
use crate::lint::terraform::schema::Kind;

declare_rule! {
    /// ## What it does
    /// Reports a nested block written as an argument (`network_profile = { ... }`), an
    /// argument written as a block, and a `dynamic` block for something that is not a block.
    /// helm 3.0 turned `set`, `set_list`, `set_sensitive` and `postrender` of `helm_release`,
    /// and `kubernetes`, `registries` and `experiments` of the helm provider, into arguments:
    /// `set { ... }` and `kubernetes { ... }` are helm 2 syntax.
    ///
    /// ## Why it matters
    /// Terraform refuses the module ("Unsupported block type", "Unsupported argument"). A
    /// configuration written for helm 2 stops working as soon as the provider is upgraded.
    ///
    /// ## Example
    /// ```hcl
    /// resource "helm_release" "ingress" {
    ///   name  = "ingress-nginx"
    ///   chart = "ingress-nginx"
    ///   set {
    ///     name  = "controller.replicaCount"
    ///     value = "2"
    ///   }
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Write it the way the provider version expects:
    /// `set = [{ name = "controller.replicaCount", value = "2" }]`, or a list built with `for`
    /// instead of a `dynamic` block.
    pub static RULE = ("TF004", "block-argument-mismatch", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    schema_findings(docs, Kind::Syntax, &RULE, out);
}
