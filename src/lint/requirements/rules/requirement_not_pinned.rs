use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::requirements::Document;

declare_rule! {
    /// ## What it does
    /// Reports a requirement not pinned with one `==` (or `===`) specifier, or an editable one
    /// (`-e ./pkg`), in a requirements file pip installs in hash-checking mode (see REQ001):
    /// what pip's own `is_pinned` refuses there. A direct reference (a URL or a path to an
    /// archive) is installed by its hash, pinned or not, and is not reported.
    ///
    /// ## Why it matters
    /// pip's hash-checking mode requires every requirement pinned with `==`: a range, a
    /// wildcard or an editable install makes it refuse the whole file, so the image does not
    /// build.
    ///
    /// ## Example
    /// ```text
    /// flask>=3 --hash=sha256:0ef0e52b8a9cd932855379197dd8f94047b359ca0a78695144304cb45f87c9eb
    /// ```
    ///
    /// ## How to fix
    /// Keep ranges in `requirements.in` and lock them: `pip-compile --generate-hashes
    /// requirements.in` writes each requirement with `==` and its hashes.
    pub static RULE = ("REQ002", "requirement-not-pinned", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let Some(why) = doc.hash_mode else { return };
    // A direct reference (a URL or a path) is installed by its hash alone; an editable one
    // cannot be hashed at all.
    for r in doc.parsed.requirements.iter().filter(|r| r.editable || (!r.pinned() && !r.direct())) {
        let what = if r.editable { "is editable" } else { "does not name one version with `==`" };
        out.push(
            Diagnostic::new(
                &RULE,
                doc.file(),
                Some(r.span),
                format!("`{}` {what}: {why}, and pip refuses the whole install", r.spec),
            )
            .help("keep ranges in requirements.in and lock them: `pip-compile --generate-hashes requirements.in`"),
        );
    }
}
