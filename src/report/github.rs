//! GitHub Actions workflow commands: one `::error` or `::warning` annotation per finding,
//! escaped as the Actions runner reads them. Text from files is cleaned of terminal control
//! characters first, as in the human format: the Actions log is a terminal's log (it plays
//! ANSI escape sequences), and a file's ESC or BEL must not rewrite what the reader sees.

use std::fmt::Write;

use super::shorten::shorten;
use super::terminal::clean;
use crate::diag::{Findings, Severity};

/// Escapes the message part of a workflow command (`%`, CR and LF).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a property value of a workflow command (also `:` and `,`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// Renders findings as workflow commands, with the counts as a last plain line. A finding
/// reported again and again, identically, is one annotation that says how often.
pub fn github(findings: &Findings) -> String {
    let mut out = String::new();
    for (d, times) in super::collapse(&findings.diagnostics, |d| *d) {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut props = vec![format!("file={}", escape_property(&clean(&d.file)))];
        if let Some((span, source)) = d.span.zip(findings.sources.get(&d.file)) {
            let p = source.position(span);
            props.push(format!("line={}", p.line));
            props.push(format!("col={}", p.column));
            props.push(format!("endLine={}", p.end_line));
            props.push(format!("endColumn={}", p.end_column));
        }
        props.push(format!("title={}", escape_property(&format!("{} {}", d.rule.code, d.rule.name))));
        let mut message = clean(&shorten(&d.message)).into_owned();
        if times > 1 {
            let _ = write!(message, " (reported {times} times, identically)");
        }
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&clean(&shorten(help)));
        }
        let _ = writeln!(out, "::{command} {}::{}", props.join(","), escape_data(&message));
    }
    let _ = writeln!(out, "gen: {}", findings.counts());
    out
}
