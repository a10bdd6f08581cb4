use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::{Document, expand_vars};

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` that does not include the service's port: the spec's `port`, or
    /// the `PORT` the final stage sets in `ENV` when no spec is known. Variables are expanded
    /// from the stage's `ARG`s and `ENV`s (`EXPOSE $PORT`), ranges count (`5000-5010`), and a
    /// variable gen cannot resolve is not judged.
    ///
    /// ## Why it matters
    /// The chart's Service and probes target the spec's port; an image that documents another
    /// one misleads everyone who runs it by hand, and usually means the server listens there.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENV PORT=5000
    /// EXPOSE 8000
    /// ```
    ///
    /// ## How to fix
    /// `EXPOSE` the port the server binds, the spec's `port`.
    pub static RULE = ("DF008", "expose-port-mismatch", Error);
}

/// Whether a port spec (`5000`, `5000/tcp`, `5000-5010`) covers `port`; `None` when it holds
/// a variable gen cannot resolve.
fn covers(spec: &str, port: u16) -> Option<bool> {
    let number = spec.split('/').next().unwrap_or_default();
    if number.contains('$') {
        return None;
    }
    let (low, high) = number.split_once('-').unwrap_or((number, number));
    match (low.parse::<u16>(), high.parse::<u16>()) {
        (Ok(l), Ok(h)) => Some(l <= port && port <= h),
        _ => Some(false),
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let stage: Vec<_> = doc.dockerfile.final_stage().collect();
    let mut scope = doc.scope();
    let mut env_port = None;
    let mut exposes = Vec::new();
    for inst in &stage {
        if inst.keyword == "EXPOSE" {
            let vars = scope.before(inst);
            let expanded: Vec<String> = inst.args.iter().map(|a| expand_vars(a, vars)).collect();
            env_port = vars.get("PORT").and_then(|p| p.parse::<u16>().ok());
            exposes.push((*inst, expanded));
        }
    }
    let Some(port) = doc.port().or(env_port) else { return };
    for (inst, ports) in exposes {
        let verdicts: Vec<Option<bool>> = ports.iter().map(|p| covers(p, port)).collect();
        if verdicts.iter().any(|v| v.is_none_or(|covered| covered)) {
            continue;
        }
        let written = inst.args.join(" ");
        out.push(
            doc.at(
                &RULE,
                inst,
                inst.args.first().map(String::as_str),
                format!("EXPOSE {written} does not include the service's port {port}"),
            )
            .help(format!("EXPOSE {port}")),
        );
    }
}
