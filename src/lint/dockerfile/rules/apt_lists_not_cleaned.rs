use super::apt_install_recommends::is_apt_install;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;
use crate::lint::dockerfile::shell::Command;

const LISTS: &str = "/var/lib/apt/lists";

/// Whether a path is the lists' folder, inside it, or a folder above it (a glob included:
/// `/var/lib/apt/*` removes the lists too).
fn covers_lists(path: &str) -> bool {
    let path = path.trim_end_matches(['/', '*']);
    let inside = path == LISTS || path.strip_prefix(LISTS).is_some_and(|rest| rest.starts_with('/'));
    let above = !path.is_empty() && LISTS.strip_prefix(path).is_some_and(|rest| rest.starts_with('/'));
    inside || above
}

/// Whether a command removes the package lists.
fn cleans_lists(cmd: &Command) -> bool {
    match cmd.name() {
        "rm" => cmd.args().iter().any(|a| !a.starts_with('-') && covers_lists(a)),
        "apt-get" | "apt" => cmd.args().iter().find(|w| !w.starts_with('-')).is_some_and(|w| w == "dist-clean"),
        "find" => cmd.has("-delete") && cmd.args().iter().any(|a| covers_lists(a)),
        _ => false,
    }
}

declare_rule! {
    /// ## What it does
    /// Reports a `RUN` that installs with apt but leaves `/var/lib/apt/lists` in the layer.
    /// The lists are cleaned by `rm` of them (or of a folder above them, `/var/lib/apt/*`),
    /// `apt-get dist-clean` (apt 2.7 and later: Debian 13, Ubuntu 24.04), a `find` of them
    /// with `-delete`, or kept out of the layer by a cache or tmpfs mount over them.
    ///
    /// hadolint: DL3009.
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
        let mounted = inst.flag_values("mount").any(|v| {
            let kind = v.split(',').any(|o| matches!(o, "type=cache" | "type=tmpfs"));
            let target = v
                .split(',')
                .filter_map(|o| o.split_once('='))
                .find(|(k, _)| matches!(*k, "target" | "dst" | "destination"));
            kind && target.is_some_and(|(_, t)| covers_lists(t))
        });
        let cleaned = commands.iter().any(cleans_lists);
        if !mounted && !cleaned {
            out.push(
                doc.at(&RULE, inst, Some("apt"), "this RUN leaves the apt package lists in the image")
                    .help("end it with `&& rm -rf /var/lib/apt/lists/*`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lists_are_covered_by_their_folder_and_the_folders_above_it_only() {
        for path in ["/var/lib/apt/lists/*", "/var/lib/apt/lists", "/var/lib/apt/*", "/var/lib/apt", "/var/lib/apt/"] {
            assert!(covers_lists(path), "{path}");
        }
        for path in ["/var/cache/apt/*", "/var/lib/apt/listsold", "/var/lib/ap", "/tmp/*", "*", ""] {
            assert!(!covers_lists(path), "{path}");
        }
    }
}
