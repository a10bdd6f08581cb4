//! A service renamed without saying so: the output's manifest records the folder of a service
//! the spec no longer has, and the spec has a service it records nothing of. Rendered as it
//! is, the old service's code is left behind, its release tags restart, and Terraform destroys
//! and creates its vault and identity; so it is refused, at the new service's name, with how
//! (`renamedFrom:`, or `gen render --replace-services` for a removal and a new service). So is
//! a `renamedFrom` the output records and the spec has dropped since.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::diag::Findings;
use crate::spec::Loaded;
use crate::{output, render};

/// What the output at `out` records of the services, read once: the finding of each service
/// of `loaded` that looks like a rename of one it records ([`unannounced`]), and the services
/// it records that the spec no longer has ([`removed`]).
pub fn of(loaded: &Loaded, spec: &Path, out: &Path) -> (Findings, Vec<String>) {
    match recorded_services(loaded, spec, out) {
        Some((recorded, renames)) => (unannounced(loaded, &recorded, &renames), removed(loaded, recorded)),
        None => (Findings::default(), Vec::new()),
    }
}

/// The finding of each service of `loaded` that looks like a rename of one the output
/// records (the services in `recorded`, the renames in `renames`), or nothing. The services'
/// folders are [`render::service_folder`]'s.
fn unannounced(loaded: &Loaded, recorded: &BTreeSet<String>, renames: &BTreeMap<String, String>) -> Findings {
    let mut findings = Findings::default();
    let recorded: BTreeSet<&str> = recorded.iter().map(String::as_str).collect();
    let services = &loaded.spec.services;
    // A rename said once and dropped since: the service's history is under the former name.
    for (i, svc) in services.iter().enumerate() {
        let Some(former) = renames.get(&svc.name) else { continue };
        if svc.renamed_from.is_some() || services.iter().any(|s| &s.name == former) {
            continue;
        }
        let at = crate::route!["services", i, "name"];
        let message = format!(
            "`{}` was renamed from `{former}` (the output records it), and the spec no longer says so: its release tags would restart under `{}/v`, and its image repository and Key Vault would be made again under the new name (Terraform destroys the old vault)",
            svc.name, svc.name
        );
        let help = format!(
            "keep `renamedFrom: {former}` under `{}`; to start the service afresh under its new name: `gen render --replace-services`",
            svc.name
        );
        findings.diagnostics.push(loaded.at(&crate::spec::rules::INVALID_RENAME, &at, false, message).help(help));
    }
    let gone: Vec<&str> = recorded.iter().copied().filter(|name| !known(loaded, name)).collect();
    if gone.is_empty() {
        if !findings.diagnostics.is_empty() {
            findings.sources.add(std::sync::Arc::clone(loaded.source()));
        }
        return findings;
    }
    let folders = gone.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ");
    for (i, svc) in services.iter().enumerate() {
        if svc.renamed_from.is_some() || recorded.contains(svc.name.as_str()) {
            continue;
        }
        let at = crate::route!["services", i, "name"];
        let message = format!(
            "`{}` is new, and the output still records {folders}, which the spec no longer has: renamed, `{}` would {}restart its release tags, and have Terraform destroy and create its vault and identity",
            svc.name,
            svc.name,
            if svc.source.is_some() { "" } else { "leave the old service's code behind, " }
        );
        let help = format!(
            "a rename: write `renamedFrom: {}` under `{}` (the render moves its folder, its tags, image and vault continue); a removal and a new service: `gen render --replace-services` (nothing of `{}` carries over)",
            gone[0], svc.name, gone[0]
        );
        findings.diagnostics.push(loaded.at(&crate::spec::rules::INVALID_RENAME, &at, false, message).help(help));
    }
    if !findings.diagnostics.is_empty() {
        findings.sources.add(std::sync::Arc::clone(loaded.source()));
    }
    findings
}

/// The services whose folders the output at `out` records (when it is the render of the spec
/// at `spec`), and the renames it records (service, former name).
fn recorded_services(loaded: &Loaded, spec: &Path, out: &Path) -> Option<(BTreeSet<String>, BTreeMap<String, String>)> {
    // Another spec's folder is refused where the render writes, and says so there.
    let inputs = output::Inputs::new(spec, loaded.source().name());
    let (paths, renames) = output::recorded_paths(out, &inputs)?;
    let recorded = paths
        .iter()
        .filter_map(|path| {
            let under = path.strip_prefix(render::SERVICES_FOLDER)?.strip_prefix('/')?;
            under.split_once('/').map(|(name, _)| name.to_string())
        })
        .collect();
    Some((recorded, renames))
}

/// Whether `name` is a service of the spec, or the former name of one.
fn known(loaded: &Loaded, name: &str) -> bool {
    loaded.spec.services.iter().any(|s| s.name == name || s.renamed_from.as_deref() == Some(name))
}

/// The services the output records (`recorded`) and the spec no longer has (nor names as a
/// former name): removed, their releases still run where they were deployed.
fn removed(loaded: &Loaded, recorded: BTreeSet<String>) -> Vec<String> {
    recorded.into_iter().filter(|name| !known(loaded, name)).collect()
}
