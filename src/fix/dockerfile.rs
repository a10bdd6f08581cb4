//! Fixes for Dockerfiles: byte edits inside the instruction a finding is on, found by the
//! parser's spans (continuation lines, comments and heredocs as BuildKit reads them).

use super::{Edit, FileText, Fix, Fixer, Safety};
use crate::diag::Diagnostic;
use crate::lint::dockerfile::parser::{Dockerfile, Instruction};

/// DF003: `COPY` for a local `ADD`.
pub static ADD_INSTEAD_OF_COPY: Fixer = Fixer {
    code: "DF003",
    family: "dockerfile",
    safety: "safe or unsafe",
    doc: "`gen lint --fix` writes `COPY` for `ADD` (flags and arguments kept). Safe when every source is a folder \
          (`app/`, `.`) or a file whose extension is not an archive's: `ADD` unpacks a local tar archive, which \
          it knows by its content, not its name, so a source without an extension (`ADD app /app`) is fixed only \
          with `--unsafe-fixes`. No fix for a source that looks like an archive (`.tar.gz`, `.tgz`...) or a flag \
          only `ADD` has (`--checksum`, `--keep-git-dir`, `--unpack`).",
    fix: add_instead_of_copy,
};

/// DF004: `--no-install-recommends`.
pub static APT_INSTALL_RECOMMENDS: Fixer = Fixer {
    code: "DF004",
    family: "dockerfile",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `--no-install-recommends` after `install`. Unsafe: the image \
          loses the packages apt recommended, and one of them may be what the application needs at run time \
          (`curl` recommends `ca-certificates`, without which every HTTPS request fails).",
    fix: apt_install_recommends,
};

/// DF006: `--no-cache-dir`.
pub static PIP_CACHE_KEPT: Fixer = Fixer {
    code: "DF006",
    family: "dockerfile",
    safety: "safe",
    doc: "`gen lint --fix` adds `--no-cache-dir` after `pip install`. Safe: it changes only pip's download \
          cache, not what is installed.",
    fix: pip_cache_kept,
};

/// DF011: a `/` at the end of the destination of several sources.
pub static COPY_DESTINATION_NOT_FOLDER: Fixer = Fixer {
    code: "DF011",
    family: "dockerfile",
    safety: "safe",
    doc: "`gen lint --fix` ends the destination with `/` (`COPY app.py wsgi.py /app` → `COPY app.py wsgi.py \
          /app/`). Safe: BuildKit refuses the instruction as written, and a folder is the only place several \
          sources can go.",
    fix: copy_destination_not_folder,
};

/// DF012: the exec (JSON) form of `CMD` and `ENTRYPOINT`.
pub static SHELL_FORM_COMMAND: Fixer = Fixer {
    code: "DF012",
    family: "dockerfile",
    safety: "safe or unsafe",
    doc: "`gen lint --fix` rewrites a shell-form `CMD` or `ENTRYPOINT` in exec form (`CMD gunicorn -b \
          0.0.0.0:8000 app:app` → `CMD [\"gunicorn\", \"-b\", \"0.0.0.0:8000\", \"app:app\"]`) when its text is \
          one command of plain words (quoted words too): then the same program runs with the same arguments, \
          and receives the stop signal itself, which is the point. Unsafe (only with `--unsafe-fixes`) when the \
          stage also sets the other of the two (an exec-form `ENTRYPOINT` is given `CMD` as arguments, which a \
          shell-form one ignores), starts from an earlier stage or a variable, or, for a `CMD`, from an image \
          that may set an `ENTRYPOINT` (the official `nginx`, `node`, `postgres` images do, and read their first \
          argument: `/bin/sh` in shell form, the program in exec form); a `CMD` is safe on `python`, `debian`, \
          `ubuntu`, `alpine`, `busybox`, `golang`, `rust` and `scratch`. No fix when the text uses the shell \
          (a variable, `&&`, a pipe, a redirection, a glob, `~`, an assignment, a builtin such as `cd`): \
          written in exec form it would no longer be expanded.",
    fix: shell_form_command,
};

/// The instruction the finding is on.
fn instruction<'d>(df: &'d Dockerfile, d: &Diagnostic) -> Option<&'d Instruction> {
    let at = d.span?.start;
    df.instructions.iter().find(|i| i.span.start <= at && at < i.span.end.max(i.span.start + 1))
}

/// Where the keyword of `inst` is written.
fn keyword_at(text: &str, inst: &Instruction) -> Option<usize> {
    let raw = text.get(inst.span.start..inst.span.end)?;
    raw.to_ascii_uppercase().find(&inst.keyword).map(|i| inst.span.start + i)
}

fn copy_destination_not_folder(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let df = file.dockerfile()?;
    let inst = instruction(df, d).filter(|i| matches!(i.keyword.as_str(), "COPY" | "ADD"))?;
    let span = d.span?;
    let written = file.text.get(span.start..span.end)?;
    // The span is the destination as written: bare, in a JSON array's quotes, or quoted.
    if written != inst.args.last()?.as_str() || written.ends_with('/') {
        return None;
    }
    // Inside the quotes that enclose it (the rule reads it without them), else at its end.
    let at = if crate::lint::dockerfile::unquoted(written).len() < written.len() { span.end - 1 } else { span.end };
    Some(Fix::new(Safety::Safe, vec![Edit::insert(at, "/")]))
}

/// Extensions of the archives `ADD` unpacks (tar, alone or compressed with gzip, bzip2, xz or
/// zstd), and of compressed files.
const ARCHIVES: [&str; 13] =
    [".tar", ".gz", ".tgz", ".bz2", ".tbz", ".tbz2", ".xz", ".txz", ".zst", ".tzst", ".lz4", ".lzma", ".z"];

fn add_instead_of_copy(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let df = file.dockerfile()?;
    let inst = instruction(df, d).filter(|i| i.keyword == "ADD" && i.heredocs.is_empty())?;
    let copy_flags = ["chown", "chmod", "link", "exclude", "parents"];
    let flag_name = |f: &String| f.trim_start_matches('-').split('=').next().unwrap_or_default().to_ascii_lowercase();
    if !inst.flags.iter().all(|f| copy_flags.contains(&flag_name(f).as_str())) {
        return None;
    }
    let sources = inst.args.get(..inst.args.len().checked_sub(1)?)?;
    if sources.is_empty() {
        return None;
    }
    let mut safety = Safety::Safe;
    for source in sources {
        if source.contains("://") || source.starts_with("git@") {
            return None;
        }
        let name = source.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_ascii_lowercase();
        if source.ends_with('/') || matches!(source.as_str(), "." | "./") {
            continue;
        }
        if ARCHIVES.iter().any(|a| name.ends_with(a)) {
            return None;
        }
        let extension = name.rsplit_once('.').is_some_and(|(stem, ext)| !stem.is_empty() && !ext.is_empty());
        if !extension {
            safety = Safety::Unsafe;
        }
    }
    let at = keyword_at(file.text, inst)?;
    let written = &file.text[at..at + 3];
    let copy = if written == "ADD" {
        "COPY"
    } else if written == "add" {
        "copy"
    } else {
        "Copy"
    };
    Some(Fix::new(safety, vec![Edit { start: at, end: at + 3, text: copy.to_string() }]))
}

/// A word of shell text: where it is, and its text as written.
#[derive(Clone, Copy, Debug)]
struct Word<'t> {
    end: usize,
    text: &'t str,
}

/// The simple commands of the instruction's text after its keyword, as words, read as far as
/// these fixes need: quotes keep a word whole, the escape character before a line break joins
/// lines, `#` lines inside continued lines are comments, and `&&`, `||`, `;`, `|`, `&`, `(`,
/// `)` and unescaped line breaks end a command. The instruction's own flags come first and are
/// left out.
fn commands<'t>(text: &'t str, inst: &Instruction, escape: char, from: usize) -> Vec<Vec<Word<'t>>> {
    let end = inst.span.end.min(text.len());
    let mut out: Vec<Vec<Word<'t>>> = vec![Vec::new()];
    let mut word: Option<usize> = None;
    let mut quote: Option<char> = None;
    let mut line_start = true;
    let mut chars = text[from..end].char_indices().map(|(i, c)| (from + i, c)).peekable();
    let finish = |out: &mut Vec<Vec<Word<'t>>>, word: &mut Option<usize>, at: usize| {
        if let Some(start) = word.take()
            && let Some(last) = out.last_mut()
        {
            last.push(Word { end: at, text: &text[start..at] });
        }
    };
    while let Some((i, c)) = chars.next() {
        if let Some(q) = quote {
            if c == q {
                quote = None;
            } else if c == escape && q == '"' {
                chars.next();
            }
            continue;
        }
        if line_start && c == '#' {
            while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                chars.next();
            }
            chars.next();
            continue;
        }
        line_start = false;
        match c {
            c if c == escape => {
                let rest = &text[i + c.len_utf8()..end];
                let blank = rest.len() - rest.trim_start_matches([' ', '\t']).len();
                if rest[blank..].starts_with('\n') || rest[blank..].starts_with("\r\n") {
                    finish(&mut out, &mut word, i);
                    while chars.peek().is_some_and(|(_, c)| *c != '\n') {
                        chars.next();
                    }
                    chars.next();
                    line_start = true;
                } else {
                    word.get_or_insert(i);
                    chars.next();
                }
            }
            '\'' | '"' => {
                word.get_or_insert(i);
                quote = Some(c);
            }
            ' ' | '\t' | '\r' => finish(&mut out, &mut word, i),
            '\n' | '&' | '|' | ';' | '(' | ')' => {
                finish(&mut out, &mut word, i);
                if out.last().is_some_and(|c| !c.is_empty()) {
                    out.push(Vec::new());
                }
                line_start = c == '\n';
            }
            _ => {
                word.get_or_insert(i);
            }
        }
    }
    finish(&mut out, &mut word, end);
    if let Some(first) = out.first_mut() {
        let flags = first.iter().take_while(|w| w.text.starts_with("--")).count();
        first.drain(..flags);
    }
    // Assignments and wrappers before the program (`DEBIAN_FRONTEND=noninteractive apt-get`).
    for cmd in &mut out {
        let skip = cmd
            .iter()
            .take_while(|w| {
                matches!(w.text, "sudo" | "env" | "exec" | "command" | "nohup")
                    || w.text
                        .split_once('=')
                        .is_some_and(|(k, _)| !k.is_empty() && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
            })
            .count();
        cmd.drain(..skip);
    }
    out.retain(|c| !c.is_empty());
    out
}

/// The end of the `install` word of the first command in the instruction that `installs`
/// (given its words) and lacks what `has_fix` looks for.
fn first_install(
    file: &FileText<'_>,
    d: &Diagnostic,
    installs: fn(&[Word<'_>]) -> Option<usize>,
    has_fix: fn(&[Word<'_>]) -> bool,
) -> Option<usize> {
    let df = file.dockerfile()?;
    let inst = instruction(df, d).filter(|i| i.keyword == "RUN")?;
    let from = keyword_at(file.text, inst)? + inst.keyword.len();
    commands(file.text, inst, df.escape, from)
        .iter()
        .filter(|cmd| !has_fix(cmd))
        .find_map(|cmd| installs(cmd).map(|i| cmd[i].end))
}

fn program<'t>(word: &Word<'t>) -> &'t str {
    word.text.rsplit('/').next().unwrap_or(word.text)
}

fn apt_install_recommends(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let installs = |cmd: &[Word<'_>]| -> Option<usize> {
        if !matches!(program(cmd.first()?), "apt-get" | "apt") {
            return None;
        }
        let i = cmd.iter().skip(1).position(|w| !w.text.starts_with('-'))? + 1;
        (cmd[i].text == "install").then_some(i)
    };
    let has_fix = |cmd: &[Word<'_>]| {
        cmd.iter().any(|w| w.text == "--no-install-recommends")
            || cmd
                .windows(2)
                .any(|w| w[0].text == "-o" && w[1].text.eq_ignore_ascii_case("APT::Install-Recommends=false"))
    };
    let at = first_install(file, d, installs, has_fix)?;
    Some(Fix::new(Safety::Unsafe, vec![Edit::insert(at, " --no-install-recommends")]))
}

fn pip_cache_kept(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let installs = |cmd: &[Word<'_>]| -> Option<usize> {
        let name = program(cmd.first()?);
        let i = if name == "pip" || name == "pip3" || name.starts_with("pip3.") {
            1
        } else if name.starts_with("python") {
            let m = cmd.iter().position(|w| w.text == "-m")?;
            (cmd.get(m + 1)?.text == "pip").then_some(m + 2)?
        } else {
            return None;
        };
        (cmd.get(i)?.text == "install").then_some(i)
    };
    let has_fix = |cmd: &[Word<'_>]| cmd.iter().any(|w| w.text == "--no-cache-dir");
    let at = first_install(file, d, installs, has_fix)?;
    Some(Fix::new(Safety::Safe, vec![Edit::insert(at, " --no-cache-dir")]))
}

/// Shell builtins and keywords: as the first word they are no program an exec form can run.
const BUILTINS: [&str; 24] = [
    ".", ":", "alias", "cd", "eval", "exec", "exit", "export", "read", "readonly", "return", "set", "shift", "source",
    "trap", "ulimit", "umask", "unset", "wait", "if", "for", "while", "case", "until",
];

/// The words of shell text that is one command of plain words, quotes removed; `None` when
/// the shell would do more with it than split it into words.
fn plain_words(script: &str) -> Option<Vec<String>> {
    let plain = |c: char| c.is_alphanumeric() || "_@%+=:,./-".contains(c);
    let mut words = Vec::new();
    let mut word: Option<String> = None;
    let mut chars = script.chars();
    while let Some(c) = chars.next() {
        match c {
            ' ' | '\t' | '\n' | '\r' => words.extend(word.take()),
            '\'' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '\'' => break,
                        c => w.push(c),
                    }
                }
            }
            '"' => {
                let w = word.get_or_insert_with(String::new);
                loop {
                    match chars.next()? {
                        '"' => break,
                        '$' | '`' | '\\' | '!' => return None,
                        c => w.push(c),
                    }
                }
            }
            c if plain(c) => word.get_or_insert_with(String::new).push(c),
            _ => return None,
        }
    }
    words.extend(word);
    let first = words.first()?;
    if BUILTINS.contains(&first.as_str()) || first.contains('=') {
        return None;
    }
    Some(words)
}

fn shell_form_command(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let df = file.dockerfile()?;
    let inst = instruction(df, d).filter(|i| matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT"))?;
    if !inst.heredocs.is_empty() || inst.json {
        return None;
    }
    let words = plain_words(inst.shell()?)?;
    let keyword = keyword_at(file.text, inst)?;
    let after = keyword + inst.keyword.len();
    let rest = &file.text[after..inst.span.end];
    let start = after + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
    let end = after + rest.trim_end().len();
    if start >= end || file.text[start..].starts_with(df.escape) {
        return None;
    }
    // Comments inside continued lines would be lost with the lines they are on.
    if df.comments.iter().any(|c| start <= c.start && c.start < end) {
        return None;
    }
    let json: Vec<String> = words.iter().map(|w| serde_json::Value::from(w.as_str()).to_string()).collect();
    let stage: Vec<&Instruction> = df.instructions.iter().filter(|i| i.stage == inst.stage).collect();
    let base = stage.iter().find(|i| i.keyword == "FROM").and_then(|f| f.args.first()).map(String::as_str);
    let earlier_stage = |image: &str| {
        df.instructions
            .iter()
            .filter(|i| i.keyword == "FROM" && i.stage < inst.stage)
            .any(|i| i.args.len() >= 3 && i.args[1].eq_ignore_ascii_case("as") && i.args[2].eq_ignore_ascii_case(image))
    };
    let inherits = base.is_none_or(earlier_stage);
    let safe = match inst.keyword.as_str() {
        // Setting ENTRYPOINT resets the CMD an image inherits; one set in this stage becomes its
        // arguments in exec form (a shell-form ENTRYPOINT ignores it).
        "ENTRYPOINT" => !inherits && !stage.iter().any(|i| i.keyword == "CMD"),
        // A CMD is the ENTRYPOINT's arguments: `/bin/sh -c "<text>"` in shell form, the words in
        // exec form. Only without an ENTRYPOINT, in the stage or its base, is that the same run.
        _ => !inherits && !stage.iter().any(|i| i.keyword == "ENTRYPOINT") && base.is_some_and(no_entrypoint),
    };
    let safety = if safe { Safety::Safe } else { Safety::Unsafe };
    Some(Fix::new(safety, vec![Edit { start, end, text: format!("[{}]", json.join(", ")) }]))
}

/// Whether a base image is one whose official image sets no ENTRYPOINT (`nginx`, `node`,
/// `postgres` set one, which a CMD's words are given to).
fn no_entrypoint(image: &str) -> bool {
    let name = image.split('@').next().unwrap_or(image);
    let name = match name.rsplit_once(':') {
        Some((n, tag)) if !tag.contains('/') => n,
        _ => name,
    };
    let name = name.strip_prefix("docker.io/").unwrap_or(name);
    let name = name.strip_prefix("library/").unwrap_or(name);
    matches!(name, "scratch" | "python" | "debian" | "ubuntu" | "alpine" | "busybox" | "golang" | "rust")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_are_read_as_the_shell_would_and_shell_features_refused() {
        assert_eq!(
            plain_words(r#"gunicorn --bind 0.0.0.0:5000 "app:create_app()""#),
            Some(vec!["gunicorn".into(), "--bind".into(), "0.0.0.0:5000".into(), "app:create_app()".into()])
        );
        assert_eq!(plain_words("echo 'a  b'"), Some(vec!["echo".into(), "a  b".into()]));
        for shell in ["run $PORT", "a && b", "a | b", "a > log", "ls *.py", "cd /app", "A=1 b", "echo ~", "x \"$y\""] {
            assert_eq!(plain_words(shell), None, "{shell}");
        }
    }

    /// The safety of the fix of the last `CMD` or `ENTRYPOINT` of a Dockerfile.
    fn command_fix(text: &str) -> Option<Safety> {
        crate::declare_rule! {
            /// A rule for the test.
            static TEST = ("TEST002", "test", Warning);
        }
        let df = crate::lint::dockerfile::parser::parse(text).expect("parses");
        let inst = df.instructions.iter().rev().find(|i| matches!(i.keyword.as_str(), "CMD" | "ENTRYPOINT"))?;
        let d = Diagnostic::new(&TEST, "Dockerfile", Some(inst.span), "m");
        shell_form_command(&FileText::new(text), &d).map(|f| f.safety)
    }

    #[test]
    fn an_exec_form_command_is_safe_only_where_the_same_program_gets_the_same_arguments() {
        assert_eq!(command_fix("FROM python:3.12-slim\nCMD gunicorn app:app\n"), Some(Safety::Safe));
        assert_eq!(command_fix("FROM python:3.12-slim\nENTRYPOINT gunicorn app:app\n"), Some(Safety::Safe));
        // nginx's ENTRYPOINT reads its first argument: `/bin/sh` in shell form, `nginx` in exec form.
        assert_eq!(command_fix("FROM nginx:1.27\nCMD nginx -g 'daemon off;'\n"), Some(Safety::Unsafe));
        assert_eq!(
            command_fix("FROM python:3.12\nCMD [\"--workers\", \"2\"]\nENTRYPOINT gunicorn\n"),
            Some(Safety::Unsafe)
        );
        assert_eq!(
            command_fix("FROM python:3.12 AS base\nFROM base\nENTRYPOINT gunicorn app:app\n"),
            Some(Safety::Unsafe)
        );
        assert_eq!(command_fix("FROM python:3.12\nCMD gunicorn -b 0.0.0.0:$PORT app:app\n"), None);
    }
}
