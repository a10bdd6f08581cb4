//! A service renamed without saying so: the output's manifest records the folder of a service
//! the spec no longer has, and the spec has a service it records nothing of. Rendered as it
//! is, the old service's code is left behind, its release tags restart, and Terraform destroys
//! and creates its vault and identity; so it is refused, at the new service's name, with how.

use std::collections::BTreeSet;
use std::path::Path;

use crate::diag::Findings;
use crate::output;
use crate::spec::Loaded;

/// The finding of each service of `loaded` that looks like a rename of one the output at
/// `out` records, or nothing. The services' folders are the base layout's `services/<name>/`.
pub fn unannounced(loaded: &Loaded, out: &Path) -> Findings {
    let mut findings = Findings::default();
    let Ok(Some(manifest)) = output::Manifest::read(out) else { return findings };
    let recorded: BTreeSet<&str> = manifest
        .files
        .iter()
        .filter_map(|e| e.path.strip_prefix("services/")?.split_once('/').map(|(name, _)| name))
        .collect();
    let services = &loaded.spec.services;
    let known = |name: &str| services.iter().any(|s| s.name == name || s.renamed_from.as_deref() == Some(name));
    let gone: Vec<&str> = recorded.iter().copied().filter(|name| !known(name)).collect();
    if gone.is_empty() {
        return findings;
    }
    let folders = gone.iter().map(|g| format!("`{g}`")).collect::<Vec<_>>().join(", ");
    for (i, svc) in services.iter().enumerate() {
        if svc.renamed_from.is_some() || recorded.contains(svc.name.as_str()) {
            continue;
        }
        let at = crate::route!["services", i, "name"];
        let message = format!(
            "`{}` is new, and the output still records {folders}, which the spec no longer has: renamed, `{}` would leave the old service's code behind, restart its release tags, and have Terraform destroy and create its vault and identity",
            svc.name, svc.name
        );
        let help = format!(
            "a rename: write `renamedFrom: {}` under `{}` (the render moves its folder, its tags and cloud names continue); a removal and a new service: render once without `{}`, then add it",
            gone[0], svc.name, svc.name
        );
        findings.diagnostics.push(loaded.at(&crate::spec::rules::INVALID_RENAME, &at, false, message).help(help));
    }
    if !findings.diagnostics.is_empty() {
        findings.sources.add(std::sync::Arc::clone(loaded.source()));
    }
    findings
}
