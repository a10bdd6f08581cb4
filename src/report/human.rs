//! Compiler-style output: the message, `file:line:col`, the source line with a caret, the help.

use std::fmt::Write;

use crate::diag::{Diagnostic, SourceMap};

/// Renders findings as a person reads them in a terminal.
pub fn human(diags: &[Diagnostic], sources: &SourceMap) -> String {
    let mut out = String::new();
    for d in diags {
        let _ = writeln!(out, "{}[{}]: {}", d.severity, d.rule.code, d.message);
        let source = sources.get(&d.file);
        match (d.span, source) {
            (Some(span), Some(source)) => {
                let pos = source.position(span);
                let number = pos.line.to_string();
                let pad = " ".repeat(number.len());
                let text = source.line_text(pos.line);
                let _ = writeln!(out, "{pad}--> {}:{}:{}", d.file, pos.line, pos.column);
                let _ = writeln!(out, "{pad} |");
                let _ = writeln!(out, "{number} | {}", text.replace('\t', " "));
                let width = if pos.end_line == pos.line {
                    pos.end_column.saturating_sub(pos.column).max(1)
                } else {
                    text.chars().count().saturating_sub(pos.column - 1).max(1)
                };
                let _ = writeln!(out, "{pad} | {}{}", " ".repeat(pos.column - 1), "^".repeat(width.min(120)));
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "{pad} = help: {help}");
                }
                let _ = writeln!(out, "{pad} = rule: {} (gen explain {})", d.rule.name, d.rule.code);
            }
            _ => {
                let _ = writeln!(out, " --> {}", d.file);
                if let Some(help) = &d.help {
                    let _ = writeln!(out, "  = help: {help}");
                }
                let _ = writeln!(out, "  = rule: {} (gen explain {})", d.rule.name, d.rule.code);
            }
        }
        out.push('\n');
    }
    let (errors, warnings) = super::counts(diags);
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    if diags.is_empty() {
        out.push_str("no findings\n");
    } else {
        let _ = writeln!(out, "{}, {}", plural(errors, "error"), plural(warnings, "warning"));
    }
    out
}
