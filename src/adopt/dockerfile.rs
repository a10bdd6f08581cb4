//! A Dockerfile, read with the lint's own parser (BuildKit's rules): the port it exposes, the
//! command that starts the app (gunicorn's WSGI app, `flask run`, `python run.py`), what it
//! copies, its user, and the Python version of its base image.

use super::model::{Kind, Origin, Service};
use super::walk::RepoFile;
use crate::diag::Source;
use crate::lint::dockerfile::parser::{self, Instruction};

/// The Python versions the flask blueprint builds (its `pythonVersion` param's enum).
pub const PYTHON_VERSIONS: [&str; 3] = ["3.11", "3.12", "3.13"];

/// gunicorn's options that take no value (its settings' `store_true` and `store_const`
/// options, and argparse's own): any other option takes the next word as its value when
/// written without `=`.
const GUNICORN_FLAGS: [&str; 29] = [
    "--capture-output",
    "--casefold-http-method",
    "--check-config",
    "--daemon",
    "-D",
    "--disable-redirect-access-to-syslog",
    "--do-handshake-on-connect",
    "--enable-backlog-metric",
    "--enable-stdio-inheritance",
    "-R",
    "--initgroups",
    "--log-syslog",
    "--no-control-socket",
    "--no-sendfile",
    "--permit-obsolete-folding",
    "--permit-unconventional-http-method",
    "--permit-unconventional-http-version",
    "--preload",
    "--print-config",
    "--reload",
    "--reuse-port",
    "--spew",
    "--strip-header-spaces",
    "--suppress-ragged-eofs",
    "--help",
    "-h",
    "--version",
    "-v",
    "--",
];

/// Programs that start the command after them (an init, a user switch, `exec`): the app is
/// in what follows.
const WRAPPERS: [&str; 8] = ["tini", "tini-static", "dumb-init", "catatonit", "exec", "nohup", "env", "nice"];

/// A wrapper's options that take the next word as their value.
const WRAPPER_VALUES: [&str; 6] = ["-p", "-e", "-r", "--rewrite", "-u", "--unset"];

/// What one Dockerfile says of the service it builds, or why it was not read.
pub fn read(file: &RepoFile) -> Result<Service, String> {
    let dockerfile =
        parser::parse(&file.text).map_err(|e| format!("not a Dockerfile BuildKit reads: {}", e.message))?;
    let source = Source::new(file.rel.clone(), file.text.clone());
    let at = |i: &Instruction| Origin::new(&file.rel, source.position(i.span).line);
    let mut service = Service::default();
    let context = folder(&file.rel);
    service.build_context = Some(context.clone());
    service.dockerfile = Some(file.rel.clone());
    let last_stage = dockerfile.instructions.iter().map(|i| i.stage).max().unwrap_or(0);
    let mut workdir = String::from("/");
    let mut flask_app: Option<(String, Origin)> = None;
    let mut command: Vec<(Vec<String>, Origin)> = Vec::new();
    let mut entrypoint: Option<(Vec<String>, bool, Origin)> = None;
    for i in &dockerfile.instructions {
        let final_stage = i.stage == last_stage;
        match i.keyword.as_str() {
            "FROM" if final_stage || i.stage == 0 => {
                let image = i.args.iter().find(|a| !a.starts_with("--")).cloned().unwrap_or_default();
                python_version(&image, at(i), final_stage, &mut service);
            }
            "EXPOSE" if final_stage => {
                if let Some(port) = i.args.first().and_then(|p| p.split('/').next()).and_then(|p| p.parse::<u16>().ok())
                {
                    service.port.add(port, at(i), Kind::Dockerfile);
                }
            }
            "WORKDIR" if final_stage => {
                if let Some(dir) = i.args.first() {
                    workdir = if dir.starts_with('/') {
                        dir.clone()
                    } else {
                        format!("{}/{dir}", workdir.trim_end_matches('/'))
                    };
                }
            }
            "USER" if final_stage => {
                if let Some(user) = i.args.first() {
                    service.remarks.push((
                        format!("the Dockerfile runs as USER {user}; gen's image runs as its blueprint's non-root user (UID 10001)"),
                        at(i),
                    ));
                }
            }
            "ENV" if final_stage => {
                for (k, v) in i.pairs() {
                    let value = parser::unquote(v, dockerfile.escape);
                    if k == "FLASK_APP" {
                        flask_app = Some((value, at(i)));
                    } else if !image_only(k) && !value.contains('$') {
                        service.add_env(k, &value, at(i), Kind::Dockerfile);
                    }
                }
            }
            "COPY" | "ADD" if i.flag("from").is_none() => {
                let words: Vec<&String> = i.args.iter().collect();
                if let Some((dest, sources)) = words.split_last() {
                    let dest = if dest.starts_with('/') { dest.to_string() } else { format!("{workdir}/{dest}") };
                    for src in sources {
                        service.copies.push((join(&context, src), dest.clone(), at(i)));
                    }
                }
            }
            "RUN" if final_stage => {
                if let Some(step) = startup_step(&words(i)) {
                    service.startup.push((format!("`{step}` while the image is built"), at(i)));
                }
            }
            "CMD" if final_stage => command.push((words(i), at(i))),
            "ENTRYPOINT" if final_stage => entrypoint = Some((words(i), i.exec().is_none(), at(i))),
            _ => {}
        }
    }
    service.workdir = Some(workdir);
    let mut run: Vec<String> = Vec::new();
    let mut run_at = None;
    // Docker's rule: an exec-form ENTRYPOINT is given CMD as its arguments; a shell-form one
    // ignores CMD.
    let mut shell_entrypoint = false;
    let mut wrapper_at = None;
    if let Some((w, shell, o)) = entrypoint {
        // An ENTRYPOINT that only wraps (`tini --`, a script) leaves the app to CMD: its line.
        let wraps_only = unwrap(&w, &mut None, &o, &mut Service::default()).is_empty();
        run.extend(w);
        run_at = (!wraps_only).then(|| o.clone());
        wrapper_at = Some(o);
        shell_entrypoint = shell;
    }
    if let Some((w, o)) = command.pop()
        && !shell_entrypoint
    {
        run.extend(w);
        run_at.get_or_insert(o);
    }
    let run_at = run_at.or(wrapper_at);
    if let Some(origin) = run_at {
        entry(&run, flask_app, origin, Kind::Dockerfile, &mut service);
    }
    Ok(service)
}

/// Whether an image's ENV is the image's own plumbing (Python's and pip's settings, paths,
/// locale) or one gen sets itself (`PORT`), not the app's configuration.
fn image_only(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PYTHON", "PIP_", "POETRY_", "UV_", "LC_", "GUNICORN_CMD_ARGS"].iter().any(|p| upper.starts_with(p))
        || matches!(
            upper.as_str(),
            "PATH" | "LANG" | "HOME" | "VIRTUAL_ENV" | "DEBIAN_FRONTEND" | "PORT" | "CPU_LIMIT_MILLICORES" | "APP_HOME"
        )
}

/// The words of a CMD, ENTRYPOINT or RUN: the exec form's, or the shell form's as Docker runs
/// it (`/bin/sh -c "..."`).
fn words(i: &Instruction) -> Vec<String> {
    match i.exec() {
        Some(w) => w.to_vec(),
        None => vec!["/bin/sh".into(), "-c".into(), i.shell().unwrap_or_default().to_string()],
    }
}

/// A shell command's words, split at blanks, quotes dropped.
fn split_words(command: &str) -> Vec<String> {
    command.split_whitespace().map(|w| w.trim_matches(['"', '\'']).to_string()).filter(|w| !w.is_empty()).collect()
}

/// The commands of a shell script line, split at `&&`, `||`, `;` and newlines.
fn commands(script: &str) -> Vec<String> {
    script
        .split(['\n', ';'])
        .flat_map(|c| c.split("&&"))
        .flat_map(|c| c.split("||"))
        .map(|c| c.trim().trim_end_matches('\\').trim().to_string())
        .filter(|c| !c.is_empty())
        .collect()
}

/// A step that runs the app's own code or a migration (`flask db upgrade`, `python db.py`,
/// `alembic upgrade head`), as written; not an install, a shell built-in or the app's server.
pub fn startup_step(run: &[String]) -> Option<String> {
    let script = match run {
        [sh, c, script, ..] if is_shell(sh) && c.starts_with('-') && c.ends_with('c') => script.clone(),
        _ => run.join(" "),
    };
    commands(&script).into_iter().find(|c| is_step(c))
}

/// Whether one shell command is a step of the app's own (see [`startup_step`]).
pub fn is_step(command: &str) -> bool {
    let words = split_words(command);
    let words: Vec<&str> = words.iter().map(String::as_str).skip_while(|w| *w == "exec" || w.contains('=')).collect();
    let Some(first) = words.first().map(|w| w.rsplit('/').next().unwrap_or(w)) else { return false };
    match first {
        "flask" => !matches!(words.get(1), Some(&"run") | None),
        "alembic" | "django-admin" => true,
        p if p.starts_with("python") => match words.get(1) {
            Some(&"-m") => !matches!(words.get(2), Some(&"pip" | &"gunicorn" | &"flask" | &"venv" | &"compileall")),
            Some(script) => script.ends_with(".py"),
            None => false,
        },
        p => p.ends_with(".py"),
    }
}

/// Whether a program is a POSIX shell.
fn is_shell(program: &str) -> bool {
    matches!(program.rsplit('/').next(), Some("sh" | "bash" | "ash" | "dash" | "zsh"))
}

/// The folder of a repository path (`.` at the root).
pub fn folder(rel: &str) -> String {
    match rel.rsplit_once('/') {
        Some((dir, _)) => dir.to_string(),
        None => ".".into(),
    }
}

/// `rel` inside `dir`, normalised (`./`, trailing `/` dropped).
pub fn join(dir: &str, rel: &str) -> String {
    let rel = rel.trim_start_matches("./").trim_end_matches('/');
    let rel = if rel == "." { "" } else { rel };
    match (dir, rel) {
        (".", "") => ".".into(),
        (".", r) => r.into(),
        (d, "") => d.into(),
        (d, r) => format!("{d}/{r}"),
    }
}

/// The Python version of a `python:<version>...` base image, or a TODO saying why none is.
fn python_version(image: &str, from: Origin, final_stage: bool, service: &mut Service) {
    let (name, tag) = image.split_once(':').unwrap_or((image, "latest"));
    let name = name.rsplit('/').next().unwrap_or(name);
    if name != "python" {
        if final_stage && service.python.is_empty() {
            service.todos.push(format!(
                "{from} builds on `{image}`, not a python image: say the Python version the code runs on in \
                 params.pythonVersion (3.11, 3.12 or 3.13)"
            ));
        }
        return;
    }
    let version: String = {
        let mut parts = tag.split(|c: char| !c.is_ascii_digit());
        match (parts.next(), parts.next()) {
            (Some(major), Some(minor)) if !major.is_empty() && !minor.is_empty() => format!("{major}.{minor}"),
            _ => String::new(),
        }
    };
    if PYTHON_VERSIONS.contains(&version.as_str()) {
        service.python.add(version, from, Kind::Dockerfile);
    } else if !service.todos.iter().any(|t| t.contains("pythonVersion")) {
        let what =
            if version.is_empty() { format!("`{image}` names no Python version") } else { format!("Python {version}") };
        service.todos.push(format!(
            "{from} builds on {image}: {what}, which the flask blueprint does not build (it builds 3.11, 3.12, \
             3.13): 3.12 is written; check that the code runs on it (its requirements' pins too)"
        ));
    }
}

/// The service's entry point from the words of the command that starts it: gunicorn's app,
/// or the module `flask run` or `python X.py` runs (its callable told by the code later). The
/// words are read past what wraps the app's command: an init (`tini --`, `dumb-init`), `exec`,
/// `env`, a user switch (`gosu USER`), an entrypoint script (`docker-entrypoint.sh`, which
/// hands over to its arguments), and `sh -c "..."` (its last command; the ones before it are
/// steps the image runs first).
pub fn entry(run: &[String], flask_app: Option<(String, Origin)>, from: Origin, kind: Kind, service: &mut Service) {
    let mut flask_app = flask_app;
    let run = unwrap(run, &mut flask_app, &from, service);
    let rest: Vec<&String> = run.iter().collect();

    let program = |w: &str| w.rsplit('/').next().unwrap_or(w).to_string();
    let Some(first) = rest.first().map(|w| program(w)) else {
        if let Some((script, at)) = service.entry_scripts.last() {
            service.todos.push(format!(
                "{at} starts the image with `{script}` and no command after it: gen does not read what the script \
                 serves: write the WSGI app gunicorn serves in params.entrypoint (`module:callable`)"
            ));
        }
        return;
    };
    let args: Vec<&str> = rest[1..].iter().map(|s| s.as_str()).collect();
    let python = first.starts_with("python");
    if first == "gunicorn" || (python && args.starts_with(&["-m", "gunicorn"])) {
        let args = if python { &args[2..] } else { &args[..] };
        gunicorn(args, from, kind, service);
    } else if first == "flask" || (python && args.starts_with(&["-m", "flask"])) {
        let from_for_remark = from.clone();
        let args = if python { &args[2..] } else { &args[..] };
        let mut app = flask_app.map(|(a, _)| a);
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if let Some(v) = a.strip_prefix("--app=") {
                app = Some(v.to_string());
            } else if *a == "--app" || *a == "-A" {
                app = it.next().map(|s| s.to_string());
            } else if let Some(p) = a.strip_prefix("--port=") {
                port(p, &from, kind, service);
            } else if (*a == "--port" || *a == "-p")
                && let Some(p) = it.next()
            {
                port(p, &from, kind, service);
            }
        }
        match app {
            Some(app) => app_or_module(&app, from, kind, service),
            None => service.todos.push(format!(
                "{from} runs `flask run` with no FLASK_APP: write the WSGI app in params.entrypoint (`module:callable`)"
            )),
        }
        service.remarks.push((
            "the image runs Flask's development server (`flask run`); gen's image runs gunicorn".into(),
            service.entry_module.as_ref().map_or_else(|| from_for_remark.clone(), |m| m.1.clone()),
        ));
    } else if python {
        match args.first() {
            Some(&"-m") => {
                if let Some(m) = args.get(1) {
                    service.entry_module = Some((m.to_string(), from));
                }
            }
            Some(script) if script.ends_with(".py") => {
                let module = script.trim_start_matches("./").trim_end_matches(".py").replace('/', ".");
                service
                    .remarks
                    .push((format!("the image runs `python {script}`; gen's image runs gunicorn"), from.clone()));
                service.entry_module = Some((module, from));
            }
            _ => {}
        }
    } else {
        service.todos.push(format!(
            "{from} starts the app with `{first}`, which gen does not read: write the WSGI app gunicorn serves in \
             params.entrypoint (`module:callable`)"
        ));
    }
}

/// The words of the command a wrapper runs (see [`entry`]): `FLASK_APP=` among them is kept
/// in `flask_app`, the scripts and the steps before the app in `service`.
fn unwrap(
    run: &[String],
    flask_app: &mut Option<(String, Origin)>,
    from: &Origin,
    service: &mut Service,
) -> Vec<String> {
    let mut run: Vec<String> = run.to_vec();
    let mut i = 0;
    // Bounded: each round takes a word, or replaces the words by a shorter script's.
    for _ in 0..64 {
        let Some(word) = run.get(i).cloned() else { break };
        let program = word.rsplit('/').next().unwrap_or(&word).to_string();
        if let Some((name, value)) = word.split_once('=')
            && !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            // A leading `VAR=value` (`FLASK_APP=runserver.py flask run`).
            if name == "FLASK_APP" {
                *flask_app = Some((value.to_string(), from.clone()));
            }
            i += 1;
        } else if WRAPPERS.contains(&program.as_str()) {
            i += 1;
            while let Some(flag) = run.get(i).filter(|w| w.starts_with('-')) {
                i += if WRAPPER_VALUES.contains(&flag.as_str()) { 2 } else { 1 };
            }
        } else if matches!(program.as_str(), "gosu" | "su-exec") {
            i += 2;
        } else if is_shell(&program) {
            if !run.get(i + 1).is_some_and(|c| c.starts_with('-') && c.ends_with('c')) {
                // `sh script.sh ARGS`: the script, as an entrypoint.
                i += 1;
                continue;
            }
            let script = run[i + 2..].join(" ");
            let mut steps = commands(&script);
            let Some(last) = steps.pop() else { break };
            for step in steps.iter().filter(|c| is_step(c)) {
                service.startup.push((format!("`{step}` before the app starts"), from.clone()));
            }
            run = split_words(&last);
            i = 0;
        } else if program.ends_with(".sh") || program.contains("entrypoint") {
            service.entry_scripts.push((word.clone(), from.clone()));
            i += 1;
        } else {
            break;
        }
    }
    run.split_off(i.min(run.len()))
}

/// `module:callable`, or a module (`x.py`, `pkg.mod`) whose callable the code tells.
fn app_or_module(app: &str, from: Origin, kind: Kind, service: &mut Service) {
    match app.split_once(':') {
        Some((m, c)) if !m.is_empty() && !c.is_empty() => service.entrypoint.add(app.to_string(), from, kind),
        _ => {
            let module = app.trim_start_matches("./").trim_end_matches(".py").replace('/', ".");
            service.entry_module = Some((module, from));
        }
    }
}

fn port(text: &str, from: &Origin, kind: Kind, service: &mut Service) {
    if let Ok(p) = text.parse::<u16>() {
        service.port.add(p, from.clone(), kind);
    }
}

/// gunicorn's arguments: the app (its first operand), and the port of `--bind`.
fn gunicorn(args: &[&str], from: Origin, kind: Kind, service: &mut Service) {
    let mut it = args.iter();
    let mut app = None;
    while let Some(a) = it.next() {
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) if a.starts_with('-') => (f, Some(v.to_string())),
            _ => (*a, None),
        };
        if !flag.starts_with('-') {
            app.get_or_insert(a.to_string());
            continue;
        }
        if GUNICORN_FLAGS.contains(&flag) {
            continue;
        }
        let value = inline.or_else(|| it.next().map(|s| s.to_string()));
        if matches!(flag, "-b" | "--bind")
            && let Some(v) = value
            && let Some((_, p)) = v.rsplit_once(':')
        {
            port(p, &from, kind, service);
        }
    }
    match app {
        // gunicorn's default callable is `application`.
        Some(app) if !app.contains(':') => service.entrypoint.add(format!("{app}:application"), from, kind),
        Some(app) => service.entrypoint.add(app, from, kind),
        None => service.todos.push(format!("{from} runs gunicorn with no app: write it in params.entrypoint")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_text(text: &str) -> Service {
        read(&RepoFile { rel: "app/Dockerfile".into(), text: text.into() }).expect("parses")
    }

    #[test]
    fn gunicorn_s_app_port_and_python_come_with_their_lines() {
        let s = read_text(
            "FROM python:3.12-slim AS builder\nWORKDIR /app\nCOPY . .\nFROM python:3.12-slim\nWORKDIR /app\n\
             EXPOSE 5000\nCMD [\"gunicorn\", \"--config\", \"gunicorn_config.py\", \"-b\", \"0.0.0.0:5000\", \"run:app\"]\n",
        );
        assert_eq!(s.entrypoint.pick().map(|f| (f.value.as_str(), f.from.line)), Some(("run:app", 7)));
        assert_eq!(s.port.pick().map(|f| (f.value, f.from.line)), Some((5000, 6)));
        assert_eq!(s.python.pick().map(|f| f.value.as_str()), Some("3.12"));
        assert_eq!(s.build_context.as_deref(), Some("app"));
    }

    #[test]
    fn an_unbuilt_python_version_is_a_todo_and_flask_run_names_its_module() {
        let s = read_text(
            "FROM python:3.8-alpine\nWORKDIR /app\nEXPOSE 5000\nENTRYPOINT FLASK_APP=runserver.py flask run --host=0.0.0.0\n",
        );
        assert!(s.python.is_empty());
        assert!(s.todos.iter().any(|t| t.contains("Python 3.8")), "{:?}", s.todos);
        assert_eq!(s.entry_module.as_ref().map(|m| m.0.as_str()), Some("runserver"));
    }

    #[test]
    fn wrappers_are_read_past_and_steps_before_the_app_are_kept() {
        let s = read_text(
            "FROM python:3.12-slim\nENTRYPOINT [\"tini\", \"-g\", \"--\"]\n\
             CMD [\"sh\", \"-c\", \"flask db upgrade && exec gunicorn --reuse-port -b :8000 wsgi:app\"]\n",
        );
        assert_eq!(s.entrypoint.pick().map(|f| (f.value.as_str(), f.from.line)), Some(("wsgi:app", 3)));
        assert_eq!(s.port.pick().map(|f| f.value), Some(8000));
        assert!(s.startup.iter().any(|(step, _)| step.contains("flask db upgrade")), "{:?}", s.startup);
        assert!(is_step("python db.py") && !is_step("pip install -r requirements.txt") && !is_step("flask run"));
    }

    #[test]
    fn a_file_buildkit_refuses_is_a_reason_not_a_panic() {
        for text in ["FROM x\nRUN <<EOF\n", "\u{0}", "CMD\n", "ENTRYPOINT [\"sh\", \"-c\"]\n", "CMD gunicorn -b\n"] {
            let _ = read(&RepoFile { rel: "Dockerfile".into(), text: text.into() });
        }
    }
}
