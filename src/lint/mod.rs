//! Rules over rendered artifacts (and hand-written ones given to `gen lint`).

pub mod dockerfile;

use crate::diag::{Diagnostics, Source};
use crate::render::Plan;
use crate::spec::Loaded;
use std::sync::Arc;

/// Lints every artifact of a plan. `out` prefixes file names so findings name the file as the
/// user sees it (`out/services/shop/Dockerfile`); the rendered texts are returned as sources.
pub fn lint_plan(plan: &Plan, loaded: &Loaded, out: &str) -> (Vec<Arc<Source>>, Diagnostics) {
    let mut sources = Vec::new();
    let mut diags = Vec::new();
    for file in &plan.files {
        let name = file.path.rsplit('/').next().unwrap_or(&file.path);
        if !dockerfile::is_dockerfile(name) {
            continue;
        }
        let Ok(text) = std::str::from_utf8(&file.bytes) else { continue };
        let shown = format!("{out}/{}", file.path);
        let port = file
            .service
            .as_deref()
            .and_then(|s| loaded.spec.services.iter().find(|svc| svc.name == s))
            .map(|svc| svc.port);
        diags.extend(dockerfile::lint(&shown, text, port));
        sources.push(Source::new(shown, text));
    }
    (sources, diags)
}
