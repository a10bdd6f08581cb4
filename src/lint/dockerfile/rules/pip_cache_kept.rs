use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Form;
use crate::lint::dockerfile::{Context, assignments, commands};

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

fn is_pip_install(words: &[&str]) -> bool {
    let Some(i) = words.iter().position(|w| {
        let name = w.rsplit('/').next().unwrap_or(w);
        name == "pip" || name == "pip3" || name.starts_with("pip3.") || *w == "pip"
    }) else {
        return false;
    };
    words.get(i + 1) == Some(&"install")
}

pub fn check(ctx: &Context<'_>, out: &mut Diagnostics) {
    for inst in ctx.dockerfile.instructions.iter().filter(|i| i.keyword == "RUN") {
        let env_off = ctx.dockerfile.instructions.iter().any(|e| {
            e.stage == inst.stage
                && e.keyword == "ENV"
                && e.span < inst.span
                && matches!(&e.form, Form::Shell(s) if assignments(s).iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR"))
        });
        let cached = inst.flags.iter().any(|(k, v)| k == "mount" && v.contains("type=cache"));
        if env_off || cached {
            continue;
        }
        for words in commands(&inst.text()) {
            let words: Vec<&str> = match words.iter().position(|w| *w == "-m") {
                Some(i) if words.get(i + 1) == Some(&"pip") => words[i + 1..].to_vec(),
                _ => words,
            };
            if is_pip_install(&words) && !words.contains(&"--no-cache-dir") {
                out.push(
                    ctx.at(&RULE, inst, Some("pip"), "pip keeps its download cache in the image here")
                        .help("add `--no-cache-dir`"),
                );
            }
        }
    }
}
