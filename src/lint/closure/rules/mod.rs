//! The `DEP` rules: one file each, and the check that runs them over a [`Graph`].
//!
//! The reference rules (DEP001 to DEP006, DEP009, DEP015) share one resolver ([`Graph::resolves`]);
//! each rule's file holds its documentation and what it tells the user to do. DEP007 and
//! DEP008 relate Terraform's grants to what the deployment needs; DEP013, the monitors and
//! rules to the Prometheus that reads them; DEP014, the alerts to who hears of them.

mod access_mode_unserved;
mod alert_without_receiver;
mod aws_object_missing;
mod cluster_access_not_granted;
mod config_missing;
mod deploy_role_misses_kinds;
mod gateway_or_class_missing;
mod key_vault_missing;
mod kind_without_crd;
mod monitor_not_selected;
mod namespace_missing;
mod priority_class_missing;
mod service_account_missing;
mod storage_missing;
mod workflow_input_undeclared;

pub use access_mode_unserved::RULE as ACCESS_MODE_UNSERVED;
pub use aws_object_missing::RULE as AWS_OBJECT_MISSING;
pub use config_missing::RULE as CONFIG_MISSING;
pub use gateway_or_class_missing::RULE as GATEWAY_OR_CLASS_MISSING;
pub use key_vault_missing::RULE as KEY_VAULT_MISSING;
pub use kind_without_crd::RULE as KIND_WITHOUT_CRD;
pub use namespace_missing::RULE as NAMESPACE_MISSING;
pub use priority_class_missing::RULE as PRIORITY_CLASS_MISSING;
pub use service_account_missing::RULE as SERVICE_ACCOUNT_MISSING;
pub use storage_missing::RULE as STORAGE_MISSING;
pub use workflow_input_undeclared::RULE as WORKFLOW_INPUT_UNDECLARED;

use super::{Graph, Reference};
use crate::diag::{Diagnostic, Rule};

/// Every rule of the closure check.
pub fn all() -> Vec<&'static Rule> {
    vec![
        &config_missing::RULE,
        &service_account_missing::RULE,
        &storage_missing::RULE,
        &gateway_or_class_missing::RULE,
        &kind_without_crd::RULE,
        &namespace_missing::RULE,
        &cluster_access_not_granted::RULE,
        &deploy_role_misses_kinds::RULE,
        &workflow_input_undeclared::RULE,
        &priority_class_missing::RULE,
        &access_mode_unserved::RULE,
        &key_vault_missing::RULE,
        &monitor_not_selected::RULE,
        &alert_without_receiver::RULE,
        &aws_object_missing::RULE,
    ]
}

/// Every finding of the graph, each with the index of the file it is in.
pub fn check(graph: &Graph, out: &mut Vec<(usize, Diagnostic)>) {
    for r in &graph.refs {
        let missing = graph.missing_in(r);
        if missing.is_empty() {
            continue;
        }
        if r.kind == super::SHARED_CLASS {
            out.extend(access_mode_unserved::finding(graph, r, &missing).map(|d| (r.origin, d)));
        } else {
            out.push((r.origin, unresolved(graph, r, &missing)));
        }
    }
    cluster_access_not_granted::check(graph, out);
    deploy_role_misses_kinds::check(graph, out);
    monitor_not_selected::check(graph, out);
    alert_without_receiver::check(graph, out);
}

/// The object a reference names, for messages: ``Secret `shop-env` ``.
pub fn target(r: &Reference) -> String {
    format!("{} `{}`", r.kind, r.name)
}

/// How a README's Prerequisites section declares the object: ``Secret `shop/shop-env` ``.
pub fn declaration(r: &Reference) -> String {
    match &r.namespace {
        Some(ns) if r.kind != "Namespace" => format!("{} `{ns}/{}`", r.kind, r.name),
        _ => format!("{} `{}`", r.kind, r.name),
    }
}

/// The finding of a reference that resolves to nothing in the clusters `missing` (`None`:
/// in any cluster of the deployment).
fn unresolved(graph: &Graph, r: &Reference, missing: &[Option<super::ClusterId>]) -> Diagnostic {
    let namespace = match &r.namespace {
        Some(ns) if r.kind != "Namespace" => format!(" (namespace `{ns}`)"),
        _ => String::new(),
    };
    // Where it is missing, when the deployment runs on several clusters and some are named.
    let labels = graph.labels_of(missing);
    let place = if labels.is_empty() || graph.clusters().len() < 2 {
        "in this deployment".to_string()
    } else {
        format!("on the cluster of {}", labels.join(" or "))
    };
    let message = format!(
        "{} {}{namespace}, which nothing {place} creates or declares as a prerequisite",
        r.from,
        r.how.replace('@', &target(r))
    );
    if r.rule.code == key_vault_missing::RULE.code {
        // Terraform creates the vault and lists its secrets: a README does not provide them.
        return graph.diag(r.rule, r.origin, r.span, message).help(key_vault_missing::HELP);
    }
    let how = match r.rule.code {
        "DEP001" => config_missing::HELP,
        "DEP002" => service_account_missing::HELP,
        "DEP003" => storage_missing::HELP,
        "DEP004" => gateway_or_class_missing::HELP,
        "DEP005" => kind_without_crd::HELP,
        "DEP006" => namespace_missing::HELP,
        "DEP010" => priority_class_missing::HELP,
        "DEP015" => aws_object_missing::HELP,
        _ => workflow_input_undeclared::HELP,
    };
    graph.diag(r.rule, r.origin, r.span, message).help(format!(
        "{how}; or, when the user provides it, list it in a README's Prerequisites section as {}",
        declaration(r)
    ))
}
