//! SARIF 2.1.0, as GitHub code scanning accepts it: one run per invocation, the rules that
//! fired with their documentation, and each finding with its region.
//!
//! The structs hold the part of SARIF gen writes. (serde-sarif generates every type of the
//! 2,800-line schema at build time, for the nine used here.) A test validates the output
//! against the official SARIF 2.1.0 schema.

use std::collections::BTreeMap;

use serde::Serialize;

use super::ReportError;
use crate::diag::{Findings, Rule, Severity};

const SCHEMA: &str = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
    /// gen counts columns in characters, GitHub's default is UTF-16 code units.
    column_kind: &'static str,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    name: &'static str,
    short_description: Text,
    full_description: Text,
    help: Help,
    default_configuration: Configuration,
    properties: Properties,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Properties {
    tags: Vec<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Text,
    locations: [Location; 1],
    partial_fingerprints: BTreeMap<&'static str, String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    region: Region,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// A relative URI reference for a path as gen names it: `/`-separated, percent-encoded where
/// a URI needs it; an absolute path becomes a `file://` URI.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.replace('\\', "/").bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' | b'/' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    if out.starts_with('/') { format!("file://{out}") } else { out }
}

fn descriptor(rule: &'static Rule) -> Descriptor {
    let doc = rule.documentation();
    Descriptor {
        id: rule.code,
        name: rule.name,
        short_description: Text { text: rule.summary() },
        full_description: Text { text: section(&doc, "What it does").unwrap_or_else(|| rule.summary()) },
        help: Help { text: doc.clone(), markdown: doc },
        default_configuration: Configuration { level: level(rule.severity) },
        properties: Properties { tags: vec!["gen", family_tag(rule.code)] },
    }
}

/// The text of one `## NAME` section of a rule's documentation, lines joined.
fn section(doc: &str, name: &str) -> Option<String> {
    let start = doc.find(&format!("## {name}\n"))? + name.len() + 4;
    let body = &doc[start..];
    let body = body.find("\n## ").map_or(body, |end| &body[..end]);
    Some(body.split_whitespace().collect::<Vec<_>>().join(" "))
}

/// The tag of a rule's family, from its code's prefix.
fn family_tag(code: &str) -> &'static str {
    match code.trim_end_matches(|c: char| c.is_ascii_digit()) {
        "SPEC" => "spec",
        "DF" => "dockerfile",
        "K8S" => "kubernetes",
        "TF" => "terraform",
        "GHA" => "workflow",
        "DRIFT" => "drift",
        "TPL" | "BP" => "blueprint",
        _ => "engine",
    }
}

/// Renders findings as a SARIF 2.1.0 log.
pub fn sarif(findings: &Findings) -> Result<String, ReportError> {
    let mut rules: Vec<&'static Rule> = Vec::new();
    let mut results = Vec::with_capacity(findings.diagnostics.len());
    for d in &findings.diagnostics {
        let rule_index = match rules.iter().position(|r| std::ptr::eq(*r, d.rule)) {
            Some(i) => i,
            None => {
                rules.push(d.rule);
                rules.len() - 1
            }
        };
        let region = match d.span.zip(findings.sources.get(&d.file)) {
            Some((span, source)) => {
                let p = source.position(span);
                Region {
                    start_line: p.line,
                    start_column: Some(p.column),
                    end_line: Some(p.end_line),
                    end_column: Some(p.end_column.max(if p.end_line == p.line { p.column + 1 } else { 1 })),
                }
            }
            None => Region { start_line: 1, start_column: None, end_line: None, end_column: None },
        };
        let mut message = super::shorten(&d.message).into_owned();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(&super::shorten(help));
        }
        // Stable across runs and line moves: the rule, the file and the message.
        let fingerprint =
            crate::output::sha256(format!("{}\0{}\0{}", d.rule.code, d.file, d.message).as_bytes()).to_string();
        results.push(SarifResult {
            rule_id: d.rule.code,
            rule_index,
            level: level(d.severity),
            message: Text { text: message },
            locations: [Location {
                physical_location: PhysicalLocation {
                    artifact_location: ArtifactLocation { uri: uri(&d.file) },
                    region,
                },
            }],
            partial_fingerprints: BTreeMap::from([("genFinding/v1", fingerprint)]),
        });
    }
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "gen",
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: rules.into_iter().map(descriptor).collect(),
                },
            },
            results,
            column_kind: "unicodeCodePoints",
        }],
    };
    let mut text = serde_json::to_string_pretty(&log)?;
    text.push('\n');
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::uri;

    #[test]
    fn paths_become_uri_references() {
        assert_eq!(uri("out/services/a b/Dockerfile"), "out/services/a%20b/Dockerfile");
        assert_eq!(uri("/abs/path"), "file:///abs/path");
        assert_eq!(uri("é"), "%C3%A9");
    }
}
