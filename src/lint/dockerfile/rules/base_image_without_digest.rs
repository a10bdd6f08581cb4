use super::unpinned_base_image::bases;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` base image without a digest where another base image is pinned by
    /// digest (`python:3.12-slim-trixie@sha256:...`): in the same Dockerfile, or in another
    /// Dockerfile of the same folder (gen lints a folder's files together, and one folder at a
    /// time).
    ///
    /// OpenSSF Scorecard: `Pinned-Dependencies` (container images by hash). hadolint's DL3006
    /// and DL3007 ask only for a tag.
    ///
    /// ## Why it matters
    /// A project that pins digests means its builds to be reproducible and its base images to
    /// change only through a reviewed update. One base left on a tag brings in whatever the
    /// tag names on the day of the build: a runtime stage on a tag undoes the builder
    /// stage's pin, and the image the pipeline scanned yesterday is not the one it builds
    /// today.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim-trixie@sha256:... AS builder
    /// FROM python:3.12-slim-trixie
    /// ```
    ///
    /// ## How to fix
    /// Pin this base by digest too (`docker buildx imagetools inspect IMAGE:TAG` prints it).
    /// Dependabot or Renovate can move the digests of hand-written Dockerfiles; in a file gen
    /// writes, the spec's digest moves them (a bot's edit would fail the drift check), and
    /// the rendered gen-refresh workflow proposes each new one.
    pub static RULE = ("DF015", "base-image-without-digest", Warning);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let pinned = docs.iter().find_map(|doc| {
        bases(doc).into_iter().find(|(_, _, image)| image.contains("@sha256:")).map(|(_, _, image)| (doc.file(), image))
    });
    let Some((file, image)) = pinned else { return };
    for doc in docs {
        for (inst, written, base) in bases(doc) {
            if base.contains("@sha256:") {
                continue;
            }
            let there = if file == doc.file() { String::new() } else { format!(" in {file}") };
            out.push(
                doc.at(
                    &RULE,
                    inst,
                    Some(written),
                    format!("the base image `{base}` has no digest, where `{image}`{there} has one"),
                )
                .help("pin it by digest too: `docker buildx imagetools inspect IMAGE:TAG` prints the digest"),
            );
        }
    }
}
