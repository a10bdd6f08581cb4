//! The versioned JSON report, documented by `schemas/lint-report.schema.json`.

use std::borrow::Cow;

use serde::Serialize;

use super::ReportError;
use crate::diag::{Findings, Position, Severity};

/// Version of the JSON report format; bumped on any incompatible change.
pub const REPORT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Report<'a> {
    version: u32,
    tool: Tool,
    diagnostics: Vec<Finding<'a>>,
    summary: crate::diag::Counts,
}

#[derive(Serialize)]
struct Tool {
    name: &'static str,
    version: &'static str,
}

#[derive(Serialize)]
struct Finding<'a> {
    code: &'static str,
    rule: &'static str,
    severity: Severity,
    message: Cow<'a, str>,
    help: Option<Cow<'a, str>>,
    file: &'a str,
    location: Option<Location>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
}

impl From<Position> for Location {
    fn from(p: Position) -> Self {
        Location { line: p.line, column: p.column, end_line: p.end_line, end_column: p.end_column }
    }
}

/// Renders findings as the stable JSON report.
pub fn json(findings: &Findings) -> Result<String, ReportError> {
    let (diags, sources) = (&findings.diagnostics, &findings.sources);
    let report = Report {
        version: REPORT_VERSION,
        tool: Tool { name: "gen", version: env!("CARGO_PKG_VERSION") },
        diagnostics: diags
            .iter()
            .map(|d| Finding {
                code: d.rule.code,
                rule: d.rule.name,
                severity: d.severity,
                message: super::shorten(&d.message),
                help: d.help.as_deref().map(super::shorten),
                file: &d.file,
                location: d.span.zip(sources.get(&d.file)).map(|(span, s)| s.position(span).into()),
            })
            .collect(),
        summary: findings.counts(),
    };
    let mut text = serde_json::to_string_pretty(&report)?;
    text.push('\n');
    Ok(text)
}
