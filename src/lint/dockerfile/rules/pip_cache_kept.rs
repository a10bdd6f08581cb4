use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;
use crate::text::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports `pip install` without `--no-cache-dir` (and no `PIP_NO_CACHE_DIR` in the stage,
    /// nor a cache mount).
    ///
    /// ## Why it matters
    /// pip's download cache lands in the layer: megabytes of wheels the image never uses.
    ///
    /// ## Example
    /// ```dockerfile
    /// RUN pip install -r requirements.txt
    /// ```
    ///
    /// ## How to fix
    /// `pip install --no-cache-dir -r requirements.txt`.
    pub static RULE = ("DF006", "pip-cache-kept", Warning);
}

/// The arguments of a pip command (`pip`, `pip3`, `pip3.12`, `python -m pip`).
fn pip_args(cmd: &Command) -> Option<&[String]> {
    let name = cmd.name();
    if name == "pip" || name == "pip3" || name.starts_with("pip3.") {
        return Some(cmd.args());
    }
    if name.starts_with("python") {
        let args = cmd.args();
        let m = args.iter().position(|a| a == "-m")?;
        return (args.get(m + 1)? == "pip").then(|| &args[m + 2..]);
    }
    None
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    // One pass: whether the current stage has set PIP_NO_CACHE_DIR so far.
    let mut stage = usize::MAX;
    let mut env_off = false;
    for (inst, commands) in doc.with_commands() {
        if inst.stage != stage {
            stage = inst.stage;
            env_off = false;
        }
        if inst.keyword == "ENV" {
            env_off |= inst.pairs().any(|(k, _)| k == "PIP_NO_CACHE_DIR");
            continue;
        }
        if inst.keyword != "RUN" || env_off || inst.flag_values("mount").any(|v| v.contains("type=cache")) {
            continue;
        }
        for args in commands.iter().filter_map(pip_args) {
            if args.first().is_some_and(|a| a == "install") && !args.iter().any(|a| a == "--no-cache-dir") {
                out.push(
                    doc.at(&RULE, inst, Some("pip"), "pip keeps its download cache in the image here")
                        .help("add `--no-cache-dir`"),
                );
            }
        }
    }
}
