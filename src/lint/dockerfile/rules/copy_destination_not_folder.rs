use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::{Document, expand_vars, unquoted};

declare_rule! {
    /// ## What it does
    /// Reports a `COPY` or `ADD` of several sources whose destination does not end in `/`:
    /// `COPY db.py runserver.py /app`. A destination of `.` or `..` (a folder by name, as
    /// BuildKit reads it) or one that still holds an unknown variable is not reported.
    ///
    /// hadolint: DL3021 (which reports `COPY` only, and `.` as well).
    ///
    /// ## Why it matters
    /// Docker's reference requires a folder, written with its trailing `/`, for several
    /// sources; the classic builder stops the build ("When using COPY with more than one
    /// source file, the destination must be a directory and end with a /"), and what another
    /// builder does depends on whether the folder happens to exist already.
    ///
    /// ## Example
    /// ```dockerfile
    /// COPY db.py runserver.py /app
    /// ```
    ///
    /// ## How to fix
    /// End the destination with `/`: `COPY db.py runserver.py /app/`.
    pub static RULE = ("DF011", "copy-destination-not-folder", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let mut scope = doc.scope();
    for inst in doc.dockerfile.instructions.iter() {
        // The scope walks forward: every instruction is visited, in order.
        let vars = scope.before(inst);
        if !matches!(inst.keyword.as_str(), "COPY" | "ADD") || inst.args.len() < 3 {
            continue;
        }
        let Some(written) = inst.args.last() else { continue };
        let dest = expand_vars(unquoted(written), vars);
        let folder_by_name = matches!(dest.as_str(), "." | "..") || dest.ends_with("/.") || dest.ends_with("/..");
        if dest.ends_with('/') || folder_by_name || dest.contains('$') {
            continue;
        }
        let sources = inst.args.len() - 1;
        out.push(
            doc.at_last(
                &RULE,
                inst,
                written,
                format!(
                    "{} copies {sources} sources to `{dest}`, which is not a folder: it must end with `/`",
                    inst.keyword
                ),
            )
            .help(format!("write the destination as `{dest}/`")),
        );
    }
}
