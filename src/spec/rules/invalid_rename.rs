use std::collections::HashMap;

use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a `renamedFrom` that cannot be a rename: a former name that is not a service
    /// name, the service's own name, the name of another service of the spec, a name two
    /// services say they had, or a renamed service with a volume. Also a rename not said: the
    /// output records the folder of a service the spec no longer has, and the spec has a new
    /// service (reported at its name); or a rename dropped: the output records that a service
    /// was renamed, and the spec no longer says `renamedFrom`.
    ///
    /// ## Why it matters
    /// A renamed service keeps what is under its former name: its release tags and image
    /// repository, its scaffolded code folder (moved by the render), its Key Vault (Terraform
    /// `moved` blocks). Two services cannot both keep one history, and a
    /// service cannot take over one that still runs. A volume's claim is named after the
    /// service and holds its data: a new name would start it empty.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: catalogue
    ///     renamedFrom: catalog
    ///   - name: catalog
    /// ```
    ///
    /// ## How to fix
    /// Name the service's former name, once (`renamedFrom: catalog` under `catalogue`); for a
    /// service removed while another is added, say so: `gen render --replace-services` (the
    /// new one starts afresh: its own folder, tags, image and vault). For a service with
    /// `persistence`, keep its name (or copy the data from the old claim to the new one before
    /// removing the old release).
    pub static RULE = ("SPEC168", "invalid-rename", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let names: HashMap<&str, usize> =
        spec.spec.services.iter().enumerate().map(|(i, s)| (s.name.as_str(), i)).collect();
    let mut claimed: HashMap<&str, usize> = HashMap::new();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(former) = svc.renamed_from.as_deref() else { continue };
        let at = service_path(i, &["renamedFrom"]);
        let problem = if let Some(why) = super::kubernetes_name::service_name_problem(former) {
            Some(format!("`{former}` cannot have been a service's name: {why}"))
        } else if former == svc.name {
            Some(format!("`{former}` is the service's own name"))
        } else if names.contains_key(former) {
            Some(format!("`{former}` is the name of another service of the spec: it still runs, under that name"))
        } else if let Some(first) = claimed.insert(former, i) {
            claimed.insert(former, first);
            Some(format!(
                "`{former}` is the former name of `{}` too: one history, one service",
                spec.spec.services[first].name
            ))
        } else if svc.persistence.is_some() {
            Some(format!(
                "`{}` has a volume: its claim is named after the service, and under a new name it starts empty; the data stays in `{former}`'s claim",
                svc.name
            ))
        } else {
            None
        };
        if let Some(message) = problem {
            out.push(spec.at(&RULE, &at, false, message).help(
                "name the service's former name, once; for a service with `persistence`, keep its name (or copy the data to the new claim first)",
            ));
        }
    }
}
