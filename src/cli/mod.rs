//! The command line: arguments, one module per command, and the exit codes they map to.

/// Prints to standard output like `print!`, without panicking when the reader stopped early
/// (`gen explain | head`): what it no longer reads is dropped, and gen ends with the exit code
/// it would have had. (`print!` panics on a closed pipe, since Rust ignores SIGPIPE.)
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = std::io::stdout().lock().write_fmt(format_args!($($arg)*));
    }};
}

/// [`out!`] with a line end, like `println!`.
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let mut stdout = std::io::stdout().lock();
        let _ = stdout.write_fmt(format_args!($($arg)*)).and_then(|()| stdout.write_all(b"\n"));
    }};
}

mod blueprints;
mod compare;
mod explain;
mod init;
mod lint;
mod render;

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::Findings;
use crate::pipeline::Session;
use crate::report;

/// Exit code: nothing to report.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at error level (or warnings with --strict), drift, or files to look at.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, I/O error, or a spec that cannot be loaded or rendered.
pub const EXIT_FAILURE: u8 = 2;

/// One declarative spec to a production path on Kubernetes, checked before it ships.
#[derive(Debug, Parser)]
#[command(name = "gen", version, about, propagate_version = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate a spec, check what it renders, and write every artifact into the output
    /// directory (nothing is written when an error-level rule fails).
    Render(render::Args),
    /// Check specs (schema, rules, blueprints, rendered artifacts, drift), blueprint folders,
    /// and hand-written files or folders of them.
    Lint(lint::Args),
    /// Write a blueprint's commented example spec to start from.
    Init(init::Args),
    /// List the blueprints, or show one.
    Blueprints(blueprints::Args),
    /// Print the spec's JSON Schema (for editors and yaml-language-server).
    Schema,
    /// Print a rule's documentation; without RULE, list every rule.
    Explain(explain::Args),
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Compiler-style text with the source line and carets.
    Human,
    /// The versioned JSON report (schemas/lint-report.schema.json).
    Json,
    /// SARIF 2.1.0, for GitHub code scanning and other SARIF viewers.
    Sarif,
    /// GitHub Actions workflow commands: annotations on the pull request.
    Github,
}

/// Runs a command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Render(args) => render::run(args),
        Command::Lint(args) => lint::run(args),
        Command::Init(args) => init::run(args),
        Command::Blueprints(args) => blueprints::run(args),
        Command::Schema => {
            out!("{}", crate::spec::schema::SPEC_SCHEMA);
            EXIT_CLEAN
        }
        Command::Explain(args) => explain::run(args),
    }
}

/// Whether output to stderr may be styled: a terminal, and `NO_COLOR` unset.
fn color_stderr() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Whether output to stdout may be styled.
fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Prints findings to stderr the way a compiler does.
fn eprint_findings(findings: &Findings) {
    if !findings.diagnostics.is_empty() {
        eprint!("{}", report::human(findings, color_stderr()));
    }
}

/// The session for a command, or the exit code after printing why the blueprints are unusable.
fn session(dirs: &[PathBuf]) -> Result<&'static Session, u8> {
    Session::new(dirs).map(kept).map_err(|crate::blueprint::CatalogError::Invalid(findings)| {
        eprint_findings(&findings);
        eprintln!("gen: error: the blueprints cannot be used; see above");
        EXIT_FAILURE
    })
}

/// A command's session, kept until the process ends: one command runs per process, and its
/// catalog and compiled templates go with the address space. Dropping them one by one took a
/// third of a millisecond of every render (perf), after its work was done.
fn kept(session: Session) -> &'static Session {
    Box::leak(Box::new(session))
}
