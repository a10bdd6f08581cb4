use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Form;
use crate::lint::dockerfile::{Document, assignments};

declare_rule! {
    /// ## What it does
    /// Reports an `EXPOSE` that does not include the service's port: the spec's `port`, or
    /// the `PORT` the final stage sets in `ENV` when no spec is known.
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

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let stage: Vec<_> = doc.dockerfile.final_stage().collect();
    let from_env = || {
        stage.iter().filter(|i| i.keyword == "ENV").find_map(|i| match &i.form {
            Form::Shell(s) => {
                assignments(s).into_iter().find(|(k, _)| k == "PORT").and_then(|(_, v)| v.parse::<u16>().ok())
            }
            Form::Exec(_) => None,
        })
    };
    let Some(port) = doc.port().or_else(from_env) else { return };
    for inst in stage.iter().filter(|i| i.keyword == "EXPOSE") {
        let Form::Shell(args) = &inst.form else { continue };
        let ports: Vec<&str> = args.split_whitespace().collect();
        let matches = ports.iter().any(|p| p.split('/').next().and_then(|n| n.parse::<u16>().ok()) == Some(port));
        if !matches {
            let first = ports.first().copied();
            out.push(
                doc.at(&RULE, inst, first, format!("EXPOSE {args} does not include the service's port {port}"))
                    .help(format!("EXPOSE {port}")),
            );
        }
    }
}
