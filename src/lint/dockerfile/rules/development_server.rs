use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::shell;
use crate::lint::dockerfile::{Document, parser::Instruction};

declare_rule! {
    /// ## What it does
    /// Reports a development server as the command a container runs (`CMD` or `ENTRYPOINT`,
    /// either form, an exec-form `ENTRYPOINT` with its `CMD` read as one): Flask's `flask
    /// run` (or `python -m flask run`), Django's `manage.py runserver`. A file named for
    /// development (`Dockerfile.dev`, `dev.Dockerfile`, `Dockerfile.local`) is not checked.
    ///
    /// `python app.py` is not reported: what it serves depends on the script (`app.run()`,
    /// Flask's development server, or `waitress.serve(app)`, a production one), which gen does
    /// not read from a Dockerfile.
    ///
    /// No hadolint counterpart: seed 001's first lesson.
    ///
    /// ## Why it matters
    /// Werkzeug's and Django's development servers say so themselves ("Do not use it in a
    /// production deployment"): they are built for one developer, not for load, not hardened,
    /// and handle requests with no worker management or timeouts. One of the seed deployments
    /// replaced `python run.py` with gunicorn for exactly this.
    ///
    /// ## Example
    /// ```dockerfile
    /// ENTRYPOINT FLASK_APP=runserver.py flask run --host=0.0.0.0
    /// ```
    ///
    /// ## How to fix
    /// Serve the application with a production WSGI server:
    /// `CMD ["gunicorn", "--bind", "0.0.0.0:5000", "--workers", "3", "runserver:app"]`.
    pub static RULE = ("DF013", "development-server", Warning);
}

/// Which development server `words` (a command with its arguments) start, if any.
fn dev_server(words: &[String]) -> Option<&'static str> {
    let name = |w: &String| w.rsplit('/').next().unwrap_or(w).to_string();
    let program = name(words.first()?);
    let args = &words[1..];
    let has = |w: &str| args.iter().any(|a| a == w);
    if program == "flask" && has("run") {
        return Some("Flask's development server (`flask run`)");
    }
    if program.starts_with("python") {
        if args.windows(2).any(|w| w[0] == "-m" && w[1] == "flask") && has("run") {
            return Some("Flask's development server (`python -m flask run`)");
        }
        if args.iter().any(|a| name(a) == "manage.py") && has("runserver") {
            return Some("Django's development server (`manage.py runserver`)");
        }
    }
    if matches!(program.as_str(), "sh" | "bash" | "ash" | "dash") {
        // `sh -c "flask run"`: the script's commands.
        let script = args.windows(2).find(|w| w[0] == "-c").map(|w| &w[1])?;
        return shell::commands(script).iter().find_map(|c| dev_server(&c.words));
    }
    None
}

/// Whether a Dockerfile's name says it is for development, where a development server is
/// what it should run.
fn for_development(file: &str) -> bool {
    let name = crate::lint::file_name(file).to_ascii_lowercase();
    name.split(['.', '-', '_']).any(|w| matches!(w, "dev" | "development" | "local" | "debug"))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    if for_development(doc.file()) {
        return;
    }
    // The exec-form ENTRYPOINT of the stage so far, which a CMD gives its arguments (none
    // once it was reported itself).
    let mut entrypoint: Option<&Instruction> = None;
    for (inst, commands) in doc.with_commands() {
        match inst.keyword.as_str() {
            "FROM" => entrypoint = None,
            "ENTRYPOINT" | "CMD" => {}
            _ => continue,
        }
        let found = match inst.exec() {
            Some(words) => {
                let mut words = words.to_vec();
                if inst.keyword == "CMD"
                    && let Some(ep) = entrypoint.and_then(Instruction::exec)
                {
                    words.splice(0..0, ep.iter().cloned());
                }
                dev_server(&words)
            }
            None => commands.iter().find_map(|c| dev_server(&c.words)),
        };
        if inst.keyword == "ENTRYPOINT" {
            entrypoint = Some(inst).filter(|_| found.is_none());
        }
        if let Some(server) = found {
            out.push(
                doc.at(&RULE, inst, None, format!("the container runs {server}, which is not for production"))
                    .help("serve the application with gunicorn (or another production WSGI server)"),
            );
        }
    }
}
