//! `gen render`: check, then write or compare.

use std::path::{Path, PathBuf};

use super::{EXIT_CLEAN, EXIT_FAILURE, EXIT_FINDINGS, eprint_findings, session};
use crate::output;
use crate::pipeline::{self, Prepared, Unprepared, display};
use crate::render::Plan;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The spec file.
    spec: PathBuf,
    /// Output directory [default: `out` beside the spec].
    #[arg(long)]
    out: Option<PathBuf>,
    /// Write nothing; exit 1 with a unified diff when managed files have drifted.
    #[arg(long)]
    check: bool,
    /// Also rewrite scaffold files, replace files gen does not own, and remove edited
    /// files the spec no longer renders.
    #[arg(long, conflicts_with = "check")]
    force: bool,
    /// A folder of extra blueprints (repeatable; overrides built-ins by name).
    #[arg(long = "blueprints", value_name = "DIR")]
    blueprints: Vec<PathBuf>,
}

pub fn run(args: Args) -> u8 {
    let session = match session(&args.blueprints) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let prepared = match session.prepare(&args.spec, args.out.as_deref()) {
        Ok(p) => p,
        Err(Unprepared::Unreadable(reason)) => {
            eprintln!("gen: error: cannot read {}: {reason}", display(&args.spec));
            return EXIT_FAILURE;
        }
        Err(Unprepared::Invalid(findings)) => {
            eprint_findings(&findings);
            eprintln!("gen: nothing written: fix the errors above");
            return EXIT_FAILURE;
        }
    };
    let Prepared { bytes, out, checked, .. } = prepared;
    eprint_findings(&checked.findings);
    let plan = match checked.plan {
        Some(plan) if !checked.findings.has_errors() => plan,
        _ => {
            eprintln!("gen: nothing written: fix the errors above");
            return EXIT_FAILURE;
        }
    };
    if args.check {
        return check_drift(&plan, &out);
    }
    let spec_rel = output::relative_path(&out, &args.spec);
    match output::apply(&plan, &out, &spec_rel, &bytes, args.force) {
        Ok(outcome) => {
            let shown = display(&out);
            for path in &outcome.overwrote_edits {
                eprintln!("note: {shown}/{path} had been edited by hand; it is managed, so it was rewritten");
            }
            for path in &outcome.conflicts {
                eprintln!(
                    "error: {shown}/{path} exists and gen does not own it: not written (move it away, or use --force)"
                );
            }
            for path in &outcome.kept_edited {
                eprintln!(
                    "error: {shown}/{path} is no longer rendered but was edited by hand: kept (delete it, or use --force)"
                );
            }
            if outcome.changed_anything() {
                println!(
                    "{shown}: wrote {} managed file(s), created {} scaffold file(s), removed {}, {} unchanged",
                    outcome.written.len(),
                    outcome.scaffolded.len(),
                    outcome.removed.len(),
                    outcome.unchanged
                );
            } else {
                println!("{shown}: up to date, no file written ({} files)", outcome.unchanged);
            }
            if outcome.needs_attention() { EXIT_FINDINGS } else { EXIT_CLEAN }
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}

fn check_drift(plan: &Plan, out: &Path) -> u8 {
    let shown = pipeline::display(out);
    match output::drift(plan, out) {
        Ok(drifts) if drifts.is_empty() => {
            println!("{shown}: in sync with the spec");
            EXIT_CLEAN
        }
        Ok(drifts) => {
            for d in &drifts {
                print!("{}", d.diff);
            }
            eprintln!(
                "{shown}: {} managed file(s) differ from the spec; run `gen render` to update them",
                drifts.len()
            );
            EXIT_FINDINGS
        }
        Err(e) => {
            eprintln!("gen: error: {e}");
            EXIT_FAILURE
        }
    }
}
