use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics};
use crate::lint::dockerfile::Document;

declare_rule! {
    /// ## What it does
    /// Reports a Dockerfile that Docker (BuildKit) would refuse to read: an `ENV` without a
    /// value, a JSON array of something other than strings, an unterminated heredoc, a second
    /// `# escape=` directive, no instruction at all, an instruction other than `ARG` before the
    /// first `FROM` or no `FROM` at all ("no build stage in current context"), a line longer
    /// than 64 KiB. Such a file is judged by no other rule.
    ///
    /// ## Why it matters
    /// The build fails before its first step, and no other rule can check the file.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.12-slim
    /// ENV PATH
    /// ```
    ///
    /// ## How to fix
    /// Fix the instruction at the reported line: `ENV PATH=/opt/venv/bin:$PATH`.
    pub static RULE = ("DF010", "dockerfile-syntax", Error, unignorable);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    if let Some(e) = &doc.syntax_error {
        out.push(
            Diagnostic::new(
                &RULE,
                doc.file(),
                Some(e.span),
                format!("Docker would refuse this Dockerfile: {}", e.message),
            )
            .help("fix the instruction at this line; `gen explain DF010` lists what Docker refuses"),
        );
    }
}
