use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::parser::Form;
use crate::lint::dockerfile::{Document, assignments};

declare_rule! {
    /// ## What it does
    /// Reports a server told to listen on `127.0.0.1`, `localhost` or `::1`: a `--bind`,
    /// `-b`, `--host` or `-h` flag in `CMD`, `ENTRYPOINT` or `RUN`, or `HOST`, `BIND`,
    /// `FLASK_RUN_HOST` or `GUNICORN_CMD_ARGS` in `ENV`.
    ///
    /// ## Why it matters
    /// Loopback is reachable only from inside the container: the port is exposed, the probes
    /// fail, and nothing answers. Two of the seed deployments lost hours to exactly this.
    ///
    /// ## Example
    /// ```dockerfile
    /// CMD ["gunicorn", "--bind", "127.0.0.1:5000", "app:app"]
    /// ```
    ///
    /// ## How to fix
    /// Bind to all interfaces: `--bind 0.0.0.0:5000`.
    pub static RULE = ("DF007", "loopback-bind", Error);
}

const LOOPBACK: [&str; 4] = ["127.0.0.1", "localhost", "[::1]", "::1"];
const FLAGS: [&str; 4] = ["--bind", "-b", "--host", "-h"];
const ENV_KEYS: [&str; 5] = ["HOST", "BIND", "FLASK_RUN_HOST", "UVICORN_HOST", "GUNICORN_CMD_ARGS"];

/// The loopback address a list of words binds a server to, if any.
fn bound_loopback(words: &[String]) -> Option<String> {
    for (i, w) in words.iter().enumerate() {
        let value = match w.split_once('=') {
            Some((flag, v)) if FLAGS.contains(&flag) => v.to_string(),
            _ if FLAGS.contains(&w.as_str()) => words.get(i + 1).cloned().unwrap_or_default(),
            _ => {
                // `app.run(host="127.0.0.1")` in a `python -c`.
                if let Some(rest) = w.split("host=").nth(1) {
                    rest.trim_start_matches(['"', '\'']).to_string()
                } else {
                    continue;
                }
            }
        };
        if let Some(lb) = LOOPBACK.iter().find(|lb| value.starts_with(*lb)) {
            return Some(lb.to_string());
        }
    }
    None
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for inst in &doc.dockerfile.instructions {
        let found = match (inst.keyword.as_str(), &inst.form) {
            ("CMD" | "ENTRYPOINT" | "RUN", Form::Exec(words)) => bound_loopback(words),
            ("CMD" | "ENTRYPOINT" | "RUN", Form::Shell(s)) => {
                bound_loopback(&s.split_whitespace().map(str::to_string).collect::<Vec<_>>())
            }
            ("ENV", Form::Shell(s)) => assignments(s).into_iter().find_map(|(k, v)| {
                if !ENV_KEYS.contains(&k.as_str()) {
                    return None;
                }
                let words: Vec<String> = v.split_whitespace().map(str::to_string).collect();
                LOOPBACK
                    .iter()
                    .find(|lb| v.starts_with(*lb))
                    .map(|lb| lb.to_string())
                    .or_else(|| bound_loopback(&words))
            }),
            _ => None,
        };
        if let Some(address) = found {
            out.push(
                doc.at(
                    &RULE,
                    inst,
                    Some(&address),
                    format!("the server listens on {address}, which is unreachable from outside the container"),
                )
                .help("bind to 0.0.0.0 (all interfaces)"),
            );
        }
    }
}
