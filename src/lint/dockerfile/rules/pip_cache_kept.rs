use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Form;
use crate::lint::dockerfile::{Document, assignments, commands};

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

pub fn check(doc: &Document, out: &mut Diagnostics) {
    // One pass: whether the current stage has set PIP_NO_CACHE_DIR so far.
    let mut stage = usize::MAX;
    let mut env_off = false;
    for inst in &doc.dockerfile.instructions {
        if inst.stage != stage {
            stage = inst.stage;
            env_off = false;
        }
        if inst.keyword == "ENV" {
            env_off |=
                matches!(&inst.form, Form::Shell(s) if assignments(s).iter().any(|(k, _)| k == "PIP_NO_CACHE_DIR"));
            continue;
        }
        if inst.keyword != "RUN" {
            continue;
        }
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
                    doc.at(&RULE, inst, Some("pip"), "pip keeps its download cache in the image here")
                        .help("add `--no-cache-dir`"),
                );
            }
        }
    }
}
