//! `gen lint`: specs, blueprint folders, hand-written files and folders, in any report format.

use std::path::PathBuf;

use super::{EXIT_CLEAN, EXIT_FAILURE, EXIT_FINDINGS, Format, color_stdout};
use crate::blueprint::CatalogError;
use crate::pipeline::{self, Session};
use crate::report;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, blueprint folders, hand-written files (Dockerfiles...), or folders of them.
    #[arg(default_value = "spec.yaml")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,
    /// Fail on warnings too.
    #[arg(long)]
    strict: bool,
    /// Output directory to check for drift [default: `out` beside each spec, when it exists].
    #[arg(long)]
    out: Option<PathBuf>,
    /// A folder of extra blueprints (repeatable).
    #[arg(long = "blueprints", value_name = "DIR")]
    blueprints: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let findings = match Session::new(&args.blueprints) {
        Ok(session) => session.lint(&args.paths, args.out.as_deref()),
        Err(CatalogError::Invalid(findings)) => findings,
    };
    let text = match args.format {
        Format::Human => Ok(report::human(&findings, color_stdout())),
        Format::Json => report::json(&findings),
        Format::Sarif => report::sarif(&findings),
        Format::Github => Ok(report::github(&findings)),
    };
    match text {
        Ok(text) => out!("{text}"),
        Err(e) => {
            eprintln!("gen: error: {e}");
            return EXIT_FAILURE;
        }
    }
    if findings.diagnostics.iter().any(|d| pipeline::is_failure(d.rule)) {
        EXIT_FAILURE
    } else if findings.fail(args.strict) {
        EXIT_FINDINGS
    } else {
        EXIT_CLEAN
    }
}
