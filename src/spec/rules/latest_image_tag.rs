use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a service image tagged `latest`, in `image.tag` or at the end of
    /// `image.repository`.
    ///
    /// ## Why it matters
    /// `latest` names a different image from one pull to the next: nodes run different code,
    /// a rollback restores nothing, and a Deployment with an unchanged tag never rolls out.
    /// Seed 002 deployed `flaskapp:latest` this way.
    ///
    /// ## Example
    /// ```yaml
    /// image: {tag: latest}
    /// ```
    ///
    /// ## How to fix
    /// Pin a version (`0.1.0`) or leave the tag out: the pipeline tags each build with a
    /// semver version.
    pub static RULE = ("SPEC116", "latest-image-tag", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(image) = &svc.image else { continue };
        if image.tag.as_deref().is_some_and(|t| t.eq_ignore_ascii_case("latest")) {
            out.push(
                spec.at(&RULE, &service_path(i, &["image", "tag"]), false, "the image tag `latest` is not a version")
                    .help("pin a version such as `0.1.0`, or omit the tag and let the pipeline set it"),
            );
        }
        if let Some(repo) = &image.repository {
            let last = repo.rsplit('/').next().unwrap_or(repo);
            if let Some((_, tag)) = last.split_once(':') {
                let msg = if tag.eq_ignore_ascii_case("latest") {
                    "the repository ends in the tag `latest`".to_string()
                } else {
                    format!("the repository carries a tag (`:{tag}`); tags belong in `image.tag`")
                };
                out.push(
                    spec.at(&RULE, &service_path(i, &["image", "repository"]), false, msg)
                        .help("write the repository without a tag and pin the version in `image.tag`"),
                );
            }
        }
    }
}
