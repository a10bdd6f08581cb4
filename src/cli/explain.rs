//! `gen explain`: a rule's documentation, or the list of rules; an alert gen renders, or how
//! to see a service's signals ([`crate::render::signals`]).

use super::{EXIT_CLEAN, EXIT_FAILURE};
use crate::registry;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A rule code (SPEC111) or name (request-exceeds-limit); an alert gen renders
    /// (ErrorBudgetBurnFast); or `signals`, how to see a service's metrics, indicators,
    /// dashboards, logs and alerts.
    rule: Option<String>,
    /// Print every rule's documentation as Markdown.
    #[arg(long, conflicts_with = "rule")]
    markdown: bool,
}

pub fn run(args: Args) -> u8 {
    if args.markdown {
        out!("{}", registry::markdown());
        return EXIT_CLEAN;
    }
    let Some(query) = args.rule else {
        for r in registry::all() {
            let fix = crate::fix::fixer(r.code).map_or(String::new(), |f| format!(" [fix: {}]", f.safety));
            outln!("{:<8} {:<32} {:<8} {}{fix}", r.code, r.name, r.severity, r.summary());
        }
        return EXIT_CLEAN;
    };
    if query.eq_ignore_ascii_case("signals") {
        out!("{}", crate::render::signals::SIGNALS);
        return EXIT_CLEAN;
    }
    if let Some(alert) = crate::render::signals::alert(&query) {
        outln!("{}", crate::render::signals::explain(alert));
        return EXIT_CLEAN;
    }
    let found = registry::find_all(&query);
    match found.is_empty() {
        false => {
            // A name a spec rule and a family's rule share explains both.
            for (i, r) in found.iter().enumerate() {
                let ignorable = if r.ignorable { "" } else { ", not ignorable" };
                let gap = if i > 0 { "\n" } else { "" };
                outln!("{gap}{} {} ({}{ignorable})\n\n{}", r.code, r.name, r.severity, r.documentation());
                if let Some(f) = crate::fix::fixer(r.code) {
                    outln!("\n## Fix ({})\n{}", f.safety, f.doc);
                }
            }
            EXIT_CLEAN
        }
        true => {
            eprintln!("gen: error: no rule or alert is called `{query}`");
            let close = registry::similar(&query);
            if !close.is_empty() {
                eprintln!("close matches:");
                for r in close {
                    eprintln!("  {} {}", r.code, r.name);
                }
            }
            eprintln!("list every rule with `gen explain`; `gen explain signals` says how to see a service's signals");
            EXIT_FAILURE
        }
    }
}
