use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::{Document, expand_vars};

declare_rule! {
    /// ## What it does
    /// Reports an image whose final stage runs as root: no `USER` instruction, or `USER root`
    /// / `USER 0`, also through a variable (`ARG U=root` then `USER $U`).
    ///
    /// ## Why it matters
    /// A process that escapes its container as root owns the node. Kubernetes'
    /// `runAsNonRoot` refuses to start such an image, and a numeric non-root UID is what lets
    /// it check.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// CMD ["gunicorn", "app:app"]
    /// ```
    ///
    /// ## How to fix
    /// Create a user with a fixed UID and switch to it: `USER 10001:10001`.
    pub static RULE = ("DF001", "runs-as-root", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let stage: Vec<_> = doc.dockerfile.final_stage().collect();
    let Some(from) = stage.first() else { return };
    let Some(user) = stage.iter().rev().find(|i| i.keyword == "USER") else {
        out.push(
            doc.at(&RULE, from, None, "the image runs as root: its final stage has no USER instruction")
                .help("add `USER 10001:10001` (a user created in the image) before CMD"),
        );
        return;
    };
    let Some(written) = user.args.first() else { return };
    // `USER $U` runs as whatever `U` holds: an ARG default or an ENV of the stage.
    let mut scope = doc.scope();
    let value = expand_vars(written, scope.before(user));
    let who = value.split(':').next().unwrap_or_default().trim();
    if who == "root" || who == "0" {
        let shown =
            if &value == written { format!("`USER {written}`") } else { format!("`USER {written}` (= `{value}`)") };
        out.push(
            doc.at(&RULE, user, Some(written.trim()), format!("{shown} runs the image as root"))
                .help("switch to a non-root user with a fixed UID, such as `USER 10001:10001`"),
        );
    }
}
