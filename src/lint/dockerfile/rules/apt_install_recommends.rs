use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;
use crate::text::shell::Command;

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
pub fn is_apt_install(cmd: &Command) -> bool {
    matches!(cmd.name(), "apt-get" | "apt")
        && cmd.args().iter().find(|w| !w.starts_with('-')).is_some_and(|w| w == "install")
}

/// Whether an apt command turns recommended packages off.
fn no_recommends(cmd: &Command) -> bool {
    cmd.has("--no-install-recommends")
        || cmd.args().windows(2).any(|w| w[0] == "-o" && w[1].eq_ignore_ascii_case("APT::Install-Recommends=false"))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for (inst, commands) in doc.with_commands().filter(|(i, _)| i.keyword == "RUN") {
        for cmd in commands.iter().filter(|c| is_apt_install(c) && !no_recommends(c)) {
            let tool = cmd.name();
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
