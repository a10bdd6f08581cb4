//! `gen lint`: specs, blueprint folders, hand-written files and folders, in any report format.

use std::path::{Path, PathBuf};

use super::{EXIT_CLEAN, EXIT_FAILURE, EXIT_FINDINGS, Format, color_stdout};
use crate::blueprint::CatalogError;
use crate::fix;
use crate::lint::{baseline, config};
use crate::pipeline::{self, Session};
use crate::report;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Spec files, blueprint folders, hand-written files (Dockerfiles...), or folders of them
    /// [default: the current folder].
    #[arg(default_value = ".", hide_default_value = true)]
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
    /// Fix the findings that have one right answer, in the files you wrote (never in a file gen
    /// renders and owns), then report what is left.
    #[arg(long)]
    fix: bool,
    /// With --fix: print the fixes as a unified diff and write nothing (exit 1 when there is one).
    #[arg(long, requires = "fix")]
    diff: bool,
    /// With --fix: also make the fixes that may change what the file does (see `gen explain`).
    #[arg(long, requires = "fix")]
    unsafe_fixes: bool,
    /// The repository's lint settings (`select`, `ignore`, `severity`) [default: the nearest
    /// `.gen-lint.yaml` in the current folder or above it, up to the repository's root].
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Report only findings this file does not record (see --write-baseline).
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,
    /// Record today's findings in the --baseline file (keeping the entries of files this run
    /// did not read), then report the rest.
    #[arg(long, requires = "baseline")]
    write_baseline: bool,
}

pub fn run(args: Args) -> u8 {
    // A named output folder that cannot be one is a usage error, not a folder with no drift.
    if let Some(out) = &args.out
        && let Err(e) = crate::output::check_folder(out)
    {
        eprintln!("gen: error: {e}");
        return EXIT_FAILURE;
    }
    // Settings that cannot be read stop the run before anything is linted under them.
    let settings = match args.config.clone().or_else(|| config::find(Path::new("."))) {
        Some(path) => match config::load(&path) {
            Ok(c) => Some(c),
            Err(findings) => {
                report_and_exit(&args, &findings);
                return EXIT_FAILURE;
            }
        },
        None => None,
    };
    let recorded = match &args.baseline {
        Some(path) if !args.write_baseline => match baseline::read(path) {
            Ok(b) => Some(b),
            Err(e) => {
                eprintln!("gen: error: {e}");
                return EXIT_FAILURE;
            }
        },
        _ => None,
    };
    let session = match Session::new(&args.blueprints) {
        Ok(session) => super::kept(session),
        Err(CatalogError::Invalid(findings)) => return report_and_exit(&args, &findings),
    };
    let lint = || {
        let mut findings = session.lint(&args.paths, args.out.as_deref());
        if let Some(settings) = &settings {
            settings.apply(&mut findings, settings.covered_by(&args.paths));
        }
        findings
    };
    let mut findings = lint();
    if args.fix {
        let reports = fix::fix_findings(&findings, args.unsafe_fixes, args.diff);
        tell_fixes(&reports, args.diff);
        if args.diff {
            for r in &reports {
                out!("{}", r.diff);
            }
            return if findings.diagnostics.iter().any(|d| pipeline::is_failure(d.rule)) {
                EXIT_FAILURE
            } else if reports.iter().any(|r| !r.diff.is_empty()) {
                EXIT_FINDINGS
            } else {
                EXIT_CLEAN
            };
        }
        if reports.iter().any(|r| !r.diff.is_empty()) {
            findings = lint();
        }
    }
    if let Some(path) = args.baseline.as_deref().filter(|_| args.write_baseline) {
        match baseline::write(path, &findings, &args.paths) {
            Ok(n) => eprintln!("gen: {}: the baseline holds {}", pipeline::display(path), count(n, "finding")),
            Err(e) => {
                eprintln!("gen: error: {}: the baseline cannot be written: {e}", pipeline::display(path));
                return EXIT_FAILURE;
            }
        }
        // What was recorded is not reported: the run reads as the next one will.
        if let Ok(b) = baseline::read(path) {
            b.apply(&mut findings, &args.paths);
        }
    } else if let (Some(b), Some(path)) = (recorded, &args.baseline) {
        let outcome = b.apply(&mut findings, &args.paths);
        let shown = pipeline::display(path);
        if outcome.matched > 0 {
            eprintln!("gen: {shown}: {} not reported", count(outcome.matched, "recorded finding"));
        }
        if outcome.stale > 0 {
            let (n, them) = (outcome.stale, if outcome.stale == 1 { "entry matches" } else { "entries match" });
            eprintln!("gen: {shown}: {n} {them} no finding any more (fixed, or moved): `--write-baseline` drops them");
        }
    }
    report_and_exit(&args, &findings)
}

/// Says on stderr what `--fix` fixed in each file, what it refused, and what waits for
/// `--unsafe-fixes` (stdout keeps the report, in its format).
fn tell_fixes(reports: &[fix::FileReport], dry: bool) {
    let verb = if dry { "would fix" } else { "fixed" };
    let mut unsafe_skipped = 0;
    for r in reports {
        if let Some(refused) = &r.refused {
            eprintln!("gen: {}: not fixed: {refused}", r.name);
            continue;
        }
        unsafe_skipped += r.unsafe_skipped;
        if !r.applied.is_empty() {
            eprintln!("gen: {}: {verb} {}: {}", r.name, count(r.applied.len(), "finding"), at_lines(&r.applied));
        }
        if !r.not_applied.is_empty() {
            let n = r.not_applied.len();
            eprintln!(
                "gen: {}: {n} {} a fix gen could not apply here: {} (a value written otherwise is yours to change; a \
                 form gen does not edit, such as flow-style YAML, is left as it is): fix {} by hand (`gen explain \
                 CODE` shows how)",
                r.name,
                if n == 1 { "finding has" } else { "findings have" },
                at_lines(&r.not_applied),
                if n == 1 { "it" } else { "them" }
            );
        }
    }
    if unsafe_skipped > 0 {
        eprintln!(
            "gen: {unsafe_skipped} more {} a fix that may change what the file does; review it with `gen explain \
             CODE`, then use `--unsafe-fixes`",
            if unsafe_skipped == 1 { "finding has" } else { "findings have" }
        );
    }
}

/// Findings as `CODE (line N)`, in line order.
fn at_lines(findings: &[(&'static str, usize)]) -> String {
    let mut sorted = findings.to_vec();
    sorted.sort_by_key(|(code, line)| (*line, *code));
    sorted.iter().map(|(code, line)| format!("{code} (line {line})")).collect::<Vec<_>>().join(", ")
}

fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// Prints the report in its format and returns the exit code the findings call for.
fn report_and_exit(args: &Args, findings: &crate::diag::Findings) -> u8 {
    let text = match args.format {
        Format::Human => Ok(report::human(findings, color_stdout())),
        Format::Json => report::json(findings),
        Format::Sarif => report::sarif(findings),
        Format::Github => Ok(report::github(findings)),
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
