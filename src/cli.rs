//! The command line: arguments, commands, and the exit codes they map to.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand, ValueEnum};

use crate::diag::{Diagnostics, Severity, SourceMap};
use crate::{registry, report, spec};

/// Exit code: nothing to report.
pub const EXIT_CLEAN: u8 = 0;
/// Exit code: findings at error level (or warnings with --strict), or drift.
pub const EXIT_FINDINGS: u8 = 1;
/// Exit code: usage error, I/O error, or a spec that cannot be loaded.
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
    /// Check specs: YAML, schema, and semantic rules.
    Lint {
        /// Spec files to check.
        #[arg(default_value = "spec.yaml")]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Human)]
        format: Format,
        /// Fail on warnings too.
        #[arg(long)]
        strict: bool,
    },
    /// Print the spec's JSON Schema (for editors and yaml-language-server).
    Schema,
    /// Print a rule's documentation; without RULE, list every rule.
    Explain {
        /// A rule code (SPEC111) or name (request-exceeds-limit).
        rule: Option<String>,
        /// Print every rule's documentation as Markdown.
        #[arg(long, conflicts_with = "rule")]
        markdown: bool,
    },
}

/// Report formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Compiler-style text with the source line and a caret.
    Human,
    /// The versioned JSON report (schemas/lint-report.schema.json).
    Json,
}

/// Runs a command and returns its exit code.
pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Lint { paths, format, strict } => lint(&paths, format, strict),
        Command::Schema => {
            print!("{}", spec::schema::SPEC_SCHEMA);
            EXIT_CLEAN
        }
        Command::Explain { rule, markdown } => explain(rule.as_deref(), markdown),
    }
}

fn explain(rule: Option<&str>, markdown: bool) -> u8 {
    if markdown {
        print!("{}", registry::markdown());
        return EXIT_CLEAN;
    }
    let Some(query) = rule else {
        for r in registry::all() {
            println!("{:<8} {:<32} {:<8} {}", r.code, r.name, r.severity, r.summary());
        }
        return EXIT_CLEAN;
    };
    match registry::find(query) {
        Some(r) => {
            println!("{} {} ({})\n\n{}", r.code, r.name, r.severity, r.documentation());
            EXIT_CLEAN
        }
        None => {
            eprintln!("gen: error: no rule is called `{query}`");
            let close = registry::similar(query);
            if !close.is_empty() {
                eprintln!("close matches:");
                for r in close {
                    eprintln!("  {} {}", r.code, r.name);
                }
            }
            eprintln!("list every rule with `gen explain`");
            EXIT_FAILURE
        }
    }
}

/// Reads a spec file, at most one byte over the size limit (so a huge file costs nothing).
pub fn read_spec(path: &Path) -> std::io::Result<Vec<u8>> {
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(spec::yaml::MAX_BYTES as u64 + 1).read_to_end(&mut bytes)?;
    Ok(bytes)
}

fn lint(paths: &[PathBuf], format: Format, strict: bool) -> u8 {
    let mut sources = SourceMap::default();
    let mut diags: Diagnostics = Vec::new();
    let mut unloadable = false;
    for path in paths {
        let name = path.display().to_string();
        let bytes = match read_spec(path) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("gen: error: cannot read {name}: {e}");
                return EXIT_FAILURE;
            }
        };
        match spec::load(&name, &bytes) {
            Ok(loaded) => {
                let found = spec::check(&loaded);
                diags.extend(registry::apply_ignores(&loaded, found));
                sources.add(loaded.source);
            }
            Err((source, errors)) => {
                unloadable = true;
                diags.extend(errors);
                sources.add(source);
            }
        }
    }
    let text = match format {
        Format::Human => report::human(&diags, &sources),
        Format::Json => report::json(&diags, &sources),
    };
    print!("{text}");
    if unloadable {
        EXIT_FAILURE
    } else if diags.iter().any(|d| d.severity == Severity::Error || strict) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
