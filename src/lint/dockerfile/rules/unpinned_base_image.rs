use std::collections::HashSet;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Instruction;
use crate::lint::dockerfile::{Document, expand_vars};

declare_rule! {
    /// ## What it does
    /// Reports a `FROM` image without a tag or digest, or tagged `latest`.
    ///
    /// ## Why it matters
    /// The same Dockerfile builds a different image next month: a new major Python, a new
    /// distribution, a broken build nobody changed anything for.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:latest
    /// ```
    ///
    /// ## How to fix
    /// Pin a version and variant, such as `python:3.12-slim-trixie`, or a digest.
    pub static RULE = ("DF002", "unpinned-base-image", Error);
}

/// The external base images of a Dockerfile, in order: each `FROM` with its written argument
/// and the image its build arguments give, leaving out `scratch`, earlier stages and images a
/// variable still names.
pub(super) fn bases(doc: &Document) -> Vec<(&Instruction, &String, String)> {
    let mut scope = doc.scope();
    let mut stages: HashSet<String> = HashSet::new();
    let mut found = Vec::new();
    for inst in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "FROM") {
        let Some(written) = inst.args.first() else { continue };
        let image = expand_vars(written, scope.before(inst));
        let earlier_stage = stages.contains(&image.to_ascii_lowercase());
        if let (Some(as_kw), Some(name)) = (inst.args.get(1), inst.args.get(2))
            && as_kw.eq_ignore_ascii_case("as")
        {
            stages.insert(name.to_ascii_lowercase());
        }
        if !(image.contains('$') || image == "scratch" || earlier_stage) {
            found.push((inst, written, image));
        }
    }
    found
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for (inst, written, image) in bases(doc) {
        if image.contains("@sha256:") {
            continue;
        }
        let last = image.rsplit('/').next().unwrap_or(&image);
        let message = match last.split_once(':') {
            None => format!("the base image `{image}` has no tag: it follows `latest`"),
            Some((_, tag)) if tag.eq_ignore_ascii_case("latest") => {
                format!("the base image `{image}` is tagged `latest`")
            }
            Some(_) => continue,
        };
        out.push(
            doc.at(&RULE, inst, Some(written), message)
                .help("pin a version, such as `python:3.12-slim-trixie`, or a digest"),
        );
    }
}
