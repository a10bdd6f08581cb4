use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;
use crate::spec::grammar::{image_name_problem, label_value_problem, tag_problem};

declare_rule! {
    /// ## What it does
    /// Reports an `image.repository` that is not an image name (`[registry[:port]/]path`, the
    /// path in lowercase letters, digits and `.`, `_`, `-`, `/`), and an `image.tag` that is
    /// not a tag (at most 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`)
    /// or not a label value: the tag is also the label `app.kubernetes.io/version` of every
    /// object, and a label value is at most 63 characters, starting and ending with a letter
    /// or digit. In an environment's override too, at the override's line.
    ///
    /// ## Why it matters
    /// Nothing else stops such a value before the cluster does: the manifests are valid YAML
    /// and pass a schema check, then the API server refuses every object whose label holds
    /// the tag, and a pod whose image does not parse never starts (`InvalidImageName`).
    /// `1.4.2+build.5` is a valid semver version and neither a tag nor a label value.
    ///
    /// ## Example
    /// ```yaml
    /// image: {repository: shopacr.azurecr.io/Shop, tag: "1.4.2+build.5"}
    /// ```
    ///
    /// ## How to fix
    /// Write the repository in lowercase (`shopacr.azurecr.io/shop`) and a tag of letters,
    /// digits, `.`, `_` and `-` (`1.4.2-build.5`).
    pub static RULE = ("SPEC128", "invalid-image", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(image) = &svc.image else { continue };
        // Only what the spec writes: the defaults are built from names other rules check.
        let written = |key: &str| spec.doc.root.lookup(&service_path(i, &["image", key])).is_some();
        if let Some(repository) = image.repository.as_deref().filter(|_| written("repository")) {
            // A tag written into the repository is SPEC116's finding; the name before it is ours.
            let last = repository.rfind('/').map_or(0, |i| i + 1);
            let name = match repository[last..].find(':') {
                Some(at) if !repository.contains('@') => &repository[..last + at],
                _ => repository,
            };
            let why = if name.contains('@') {
                Some("a digest does not belong in the repository: gen deploys `repository:tag`".to_string())
            } else {
                image_name_problem(name)
            };
            if let Some(why) = why {
                out.push(
                    spec.at(
                        &RULE,
                        &service_path(i, &["image", "repository"]),
                        false,
                        format!("image repository `{}` is not an image name: {why}", repository.escape_debug()),
                    )
                    .help("write a name such as `shopacr.azurecr.io/shop`: a registry, then a lowercase path"),
                );
            }
        }
        if let Some(tag) = image.tag.as_deref().filter(|_| written("tag")) {
            let why = tag_problem(tag).map(str::to_string).or_else(|| {
                label_value_problem(tag)
                    .map(|why| format!("it is also the label `app.kubernetes.io/version`, and {why}"))
            });
            if let Some(why) = why {
                out.push(
                    spec.at(
                        &RULE,
                        &service_path(i, &["image", "tag"]),
                        false,
                        format!("image tag `{}` cannot be used: {why}", tag.escape_debug()),
                    )
                    .help("write a tag such as `1.4.2` or `1.4.2-rc.1`: letters, digits, `.`, `_` and `-`"),
                );
            }
        }
    }
}
