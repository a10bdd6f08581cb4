use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;

declare_rule! {
    /// ## What it does
    /// Reports `ADD` used to copy local files or folders.
    ///
    /// ## Why it matters
    /// `ADD` also fetches URLs and unpacks archives: a file that happens to be a tarball is
    /// extracted instead of copied. `COPY` does only what it says.
    ///
    /// ## Example
    /// ```dockerfile
    /// ADD app/ /app/
    /// ```
    ///
    /// ## How to fix
    /// Use `COPY app/ /app/`. Keep `ADD` for a local archive you mean to unpack.
    pub static RULE = ("DF003", "add-instead-of-copy", Warning);
}

const ARCHIVES: [&str; 7] = [".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz"];

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for inst in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "ADD") {
        let sources = &inst.args[..inst.args.len().saturating_sub(1)];
        let special =
            |s: &String| s.contains("://") || s.starts_with("git@") || ARCHIVES.iter().any(|a| s.ends_with(a));
        if !inst.heredocs.is_empty() || sources.is_empty() || !sources.iter().all(special) {
            out.push(
                doc.at(
                    &RULE,
                    inst,
                    None,
                    "`ADD` copies local files here; `COPY` does that without unpacking or fetching",
                )
                .help("use COPY"),
            );
        }
    }
}
