//! A service on a cloud pipeline whose base image follows its tag.

use super::{Catalog, Kind};
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::{self, Capability};
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Notes a service deployed by the cloud pipeline whose blueprint can pin its base image
    /// by digest (the Dockerfile's `FROM`, for `flask` `params.baseImageDigest`) where the spec
    /// pins none.
    ///
    /// ## Why it matters
    /// A base image on a tag is whatever the tag names on the day of the build: two builds of
    /// one commit may differ, and the image the pipeline scanned is not proof of the next one.
    /// Pinned, the base changes only through a reviewed pull request, and the rendered
    /// gen-refresh workflow proposes each new digest of the tag (a rebuild, most often for
    /// security fixes). gen cannot look the digest up itself (it reads no network), so until the
    /// spec pins one, gen-refresh's weekly run proposes the first pin.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     blueprint: flask
    ///     params: {pythonVersion: "3.12"}
    /// ```
    ///
    /// ## How to fix
    /// Pin the digest the tag names now: `docker buildx imagetools inspect
    /// python:3.12-slim-trixie` prints it; write it in the param (`params: {pythonVersion:
    /// "3.12", baseImageDigest: "sha256:..."}`), or start with `gen init --base-image-digest
    /// sha256:...`. Or merge the pull request gen-refresh opens.
    pub static RULE = ("SPEC165", "unpinned-base-image", Info);
}

/// Each service deployed by the cloud pipeline whose blueprint takes a base image digest the
/// spec does not give, once every service's params are valid. Services whose blueprint is
/// unknown are the render's to report.
pub fn check(loaded: &Loaded, catalog: &Catalog) -> Diagnostics {
    let cloud = loaded.environments.iter().any(|env| {
        let spec = &env.spec(loaded).spec;
        platform::capabilities_on(spec).contains(&Capability::CloudPipeline)
    });
    let mut out = Vec::new();
    // Params the blueprint refuses are the finding to fix first; a note beside it is noise.
    if !cloud || super::resolve_params(loaded, catalog).is_err() {
        return out;
    }
    for (i, svc) in loaded.spec.services.iter().enumerate() {
        let Some(bp) = catalog.get(&svc.blueprint).filter(|b| b.kind == Kind::Service) else { continue };
        let Some(base) = &bp.runtime.base_image else { continue };
        let Some(param) = &base.digest_param else { continue };
        if svc.params.contains_key(param) {
            continue;
        }
        let mut params = svc.params.clone();
        super::params::apply_defaults(&bp.params, &mut params);
        let image = base.for_params(&params);
        let at = if loaded.root().lookup(&route!["services", i, "params"]).is_some() {
            route!["services", i, "params"]
        } else {
            route!["services", i, "name"]
        };
        out.push(
            loaded
                .at(&RULE, &at, true, format!("the base image `{}` follows its tag: no `params.{param}` pins it", image.reference))
                .help(format!(
                    "pin it: `docker buildx imagetools inspect {}` prints the digest to write in `params.{param}`; until \
                     then the gen-refresh workflow proposes one each week",
                    image.reference
                )),
        );
    }
    out
}
