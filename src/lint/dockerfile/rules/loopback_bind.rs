use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::Document;
use crate::lint::dockerfile::parser::unquote;

declare_rule! {
    /// ## What it does
    /// Reports a server told to listen on `127.0.0.1`, `localhost` or `::1`: a `--bind`, `-b`
    /// or `--host` flag (or `-h` of `flask run`) in `CMD` or `ENTRYPOINT`, or `HOST`, `BIND`,
    /// `FLASK_RUN_HOST` or `GUNICORN_CMD_ARGS` in `ENV`. A `RUN` is a build step, and a client's
    /// `-h 127.0.0.1` (`redis-cli`, `psql`) names the host it connects to: neither is reported.
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
const ENV_KEYS: [&str; 5] = ["HOST", "BIND", "FLASK_RUN_HOST", "UVICORN_HOST", "GUNICORN_CMD_ARGS"];

/// Whether a flag sets a server's listening address: `--bind`/`-b` (gunicorn, hypercorn,
/// daphne, `python -m http.server`), `--host` (uvicorn, flask, waitress), and `-h` only for
/// `flask run`, where other tools (`redis-cli -h`) name the host they connect to.
fn is_bind_flag(program: &str, flag: &str) -> bool {
    matches!(flag, "--bind" | "-b" | "--host") || (flag == "-h" && program == "flask")
}

/// The loopback address a server command binds to, if any.
fn bound_loopback(words: &[String]) -> Option<String> {
    let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w)).unwrap_or_default();
    for (i, w) in words.iter().enumerate() {
        let value = match w.split_once('=') {
            Some((flag, v)) if is_bind_flag(program, flag) => v.to_string(),
            _ if is_bind_flag(program, w) => words.get(i + 1).cloned().unwrap_or_default(),
            _ => match w.split("host=").nth(1) {
                // `app.run(host="127.0.0.1")` in a `python -c`.
                Some(rest) if program.starts_with("python") => rest.trim_start_matches(['"', '\'']).to_string(),
                _ => continue,
            },
        };
        if let Some(lb) = LOOPBACK.iter().find(|lb| value.starts_with(*lb)) {
            return Some(lb.to_string());
        }
    }
    None
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    // Only what the container runs: a RUN is a build step, and the hosts its commands name
    // (`redis-cli -h 127.0.0.1`) are ones they connect to.
    for (inst, commands) in doc.with_commands() {
        let found = match (inst.keyword.as_str(), inst.exec()) {
            ("CMD" | "ENTRYPOINT", Some(words)) => bound_loopback(words),
            ("CMD" | "ENTRYPOINT", None) => commands.iter().find_map(|c| bound_loopback(&c.words)),
            ("ENV", _) => inst.pairs().find_map(|(k, v)| {
                if !ENV_KEYS.contains(&k) {
                    return None;
                }
                let v = unquote(v, doc.dockerfile.escape);
                let words: Vec<String> = v.split_whitespace().map(str::to_string).collect();
                let mut with_program = vec!["gunicorn".to_string()];
                with_program.extend(words);
                LOOPBACK
                    .iter()
                    .find(|lb| v.starts_with(*lb))
                    .map(|lb| lb.to_string())
                    .or_else(|| bound_loopback(&with_program))
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
