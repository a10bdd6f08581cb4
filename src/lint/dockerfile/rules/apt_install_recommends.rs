use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::{Document, commands};

declare_rule! {
    /// ## What it does
    /// Reports `apt-get install` (or `apt install`) without `--no-install-recommends`.
    ///
    /// ## Why it matters
    /// Recommended packages are not needed to run, and routinely double the image's size and
    /// its count of vulnerable packages to scan.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y curl
    /// ```
    ///
    /// ## How to fix
    /// `apt-get install -y --no-install-recommends curl`.
    pub static RULE = ("DF004", "apt-install-recommends", Warning);
}

/// Whether a simple command is an apt install.
pub fn is_apt_install(words: &[&str]) -> bool {
    let Some(i) = words.iter().position(|w| *w == "apt-get" || *w == "apt") else { return false };
    words[i + 1..].iter().find(|w| !w.starts_with('-')) == Some(&"install")
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for inst in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "RUN") {
        for words in commands(&inst.text()) {
            if is_apt_install(&words) && !words.contains(&"--no-install-recommends") {
                let tool = if words.contains(&"apt-get") { "apt-get" } else { "apt" };
                let raw = doc.text().get(inst.span.start..inst.span.end).unwrap_or_default();
                let exact = format!("{tool} install");
                let needle = if raw.contains(&exact) { exact.as_str() } else { tool };
                out.push(
                    doc.at(&RULE, inst, Some(needle), "apt installs recommended packages here")
                        .help("add `--no-install-recommends`"),
                );
            }
        }
    }
}
