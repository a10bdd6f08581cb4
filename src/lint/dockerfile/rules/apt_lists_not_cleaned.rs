use super::apt_install_recommends::is_apt_install;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that installs with apt but leaves `/var/lib/apt/lists` in the layer.
    ///
    /// ## Why it matters
    /// The package lists are tens of megabytes that ship in the image; removing them in a
    /// later `RUN` does not shrink the earlier layer.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN apt-get update && apt-get install -y --no-install-recommends curl
    /// ```
    ///
    /// ## How to fix
    /// End the same `RUN` with `&& rm -rf /var/lib/apt/lists/*`, or use a cache mount.
    pub static RULE = ("DF005", "apt-lists-not-cleaned", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for (inst, commands) in doc.with_commands().filter(|(i, _)| i.keyword == "RUN") {
        if !commands.iter().any(is_apt_install) {
            continue;
        }
        let cached = inst.flag_values("mount").any(|v| v.contains("type=cache") && v.contains("/var/lib/apt"));
        let cleaned =
            commands.iter().any(|c| c.name() == "rm" && c.args().iter().any(|a| a.starts_with("/var/lib/apt/lists")));
        if !cached && !cleaned {
            out.push(
                doc.at(&RULE, inst, Some("apt"), "this RUN leaves the apt package lists in the image")
                    .help("end it with `&& rm -rf /var/lib/apt/lists/*`"),
            );
        }
    }
}
