use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::requirements::Document;

declare_rule! {
    /// ## What it does
    /// Reports a requirement without `--hash` in a requirements file pip installs in
    /// hash-checking mode: one that says `--require-hashes`, one where another requirement has
    /// a hash, one pip-compile wrote with `--generate-hashes`, or one gen renders (gen's
    /// Dockerfiles install it with `pip install --require-hashes -r`, a service's own copy in
    /// the output folder included). A requirement behind an environment marker is not judged:
    /// pip skips it where the marker is false. A file it includes (`-r base.txt`) is checked
    /// on its own, not in the mode of the file that includes it.
    ///
    /// ## Why it matters
    /// In hash-checking mode pip refuses the whole install for one requirement it cannot
    /// check: `docker build` fails on a file every other check passed, after the build has
    /// started. Without hashes, an index or a mirror that serves another file under the same
    /// version installs it unnoticed.
    ///
    /// ## Example
    /// ```text
    /// flask==3.1.0
    /// ```
    ///
    /// ## How to fix
    /// Lock the file with its hashes: `pip-compile --generate-hashes requirements.in` (or
    /// `uv pip compile --generate-hashes`), and commit what it writes.
    pub static RULE = ("REQ001", "requirement-without-hash", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let Some(why) = doc.hash_mode else { return };
    // An editable requirement is REQ002's; one behind an environment marker may be skipped by
    // pip where the image installs it, which gen cannot tell.
    for r in doc.parsed.requirements.iter().filter(|r| r.hashes == 0 && !r.editable && !r.marked()) {
        out.push(
            Diagnostic::new(&RULE, doc.file(), Some(r.span), format!("`{}` has no `--hash`: {why}, and pip refuses the whole install", r.spec))
                .help("lock the file with hashes: `pip-compile --generate-hashes requirements.in` (or `uv pip compile --generate-hashes`)"),
        );
    }
}
