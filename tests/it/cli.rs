//! The commands as a user meets them: schema, explain, report formats, exit codes.

use crate::common;

use common::{Gen, fixture, lint_json, root};
use gen_core::registry;

#[test]
fn schema_prints_the_shipped_json_schema() {
    let run = Gen::new().arg("schema").run();
    assert_eq!(run.code, 0);
    let shipped = std::fs::read_to_string(root().join("schemas/spec.schema.json")).expect("read");
    assert_eq!(run.stdout, shipped);
    let parsed: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(parsed["$schema"], "https://json-schema.org/draft/2020-12/schema");
}

#[test]
fn explain_prints_a_rule_by_code_or_name() {
    for query in ["SPEC111", "spec111", "request-exceeds-limit"] {
        let run = Gen::new().args(["explain", query]).run();
        assert_eq!(run.code, 0);
        assert!(run.stdout.starts_with("SPEC111 request-exceeds-limit (error)"), "{}", run.stdout);
        assert!(run.stdout.contains("## How to fix"));
    }
}

#[test]
fn explain_of_an_unknown_rule_lists_close_ones() {
    let run = Gen::new().args(["explain", "request-exceed-limit"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no rule or alert is called `request-exceed-limit`"));
    assert!(run.stderr.contains("SPEC111 request-exceeds-limit"), "{}", run.stderr);
}

#[test]
fn explain_without_a_rule_lists_them_all() {
    let run = Gen::new().arg("explain").run();
    assert_eq!(run.code, 0);
    assert_eq!(run.stdout.lines().count(), registry::all().len());
}

#[test]
fn every_rule_is_documented_in_the_fixed_sections() {
    for rule in registry::all() {
        let doc = rule.documentation();
        for section in ["## What it does", "## Why it matters", "## How to fix"] {
            assert!(doc.contains(section), "{} lacks {section}", rule.code);
        }
        assert!(!rule.summary().is_empty(), "{}", rule.code);
    }
    let mut codes: Vec<_> = registry::all().iter().map(|r| r.code).collect();
    codes.dedup();
    assert_eq!(codes.len(), registry::all().len(), "rule codes are unique");
}

#[test]
fn the_committed_rule_reference_is_up_to_date() {
    let path = root().join("docs/rules.md");
    let generated = registry::markdown();
    if std::env::var_os("GEN_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &generated).expect("write docs");
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(committed == generated, "docs/rules.md is stale: run `GEN_UPDATE_DOCS=1 cargo test --test it cli::`");
}

#[test]
fn the_json_report_matches_its_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("schemas/lint-report.schema.json")).expect("read"))
            .expect("JSON");
    let validator = jsonschema::draft202012::new(&schema).expect("compiles");
    for file in ["spec/SPEC111/fires.yaml", "specs/valid.yaml", "spec/SPEC118/fires.yaml"] {
        let run = lint_json(&fixture(file));
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{file}: {errors:?}");
    }
}

#[test]
fn human_output_quotes_the_line_with_a_caret_under_the_value() {
    let run = Gen::new().arg("lint").arg(fixture("spec/SPEC112/fires.yaml")).run();
    assert_eq!(run.code, 1);
    let expected = "error[SPEC112]: port 80 is below 1024, which a non-root container cannot bind\n";
    assert!(run.stdout.starts_with(expected), "{}", run.stdout);
    assert!(run.stdout.contains("20 |     port: 80\n   |           ^^\n"), "{}", run.stdout);
    // The fixture's base image follows its tag: a note (SPEC165) may follow the counts.
    assert!(run.stdout.lines().last().is_some_and(|l| l.starts_with("1 error, 0 warnings")), "{}", run.stdout);
}

#[test]
fn warnings_alone_exit_zero_unless_strict() {
    let spec = fixture("spec/SPEC118/fires.yaml");
    assert_eq!(Gen::new().arg("lint").arg(&spec).run().code, 0);
    assert_eq!(Gen::new().args(["lint", "--strict"]).arg(&spec).run().code, 1);
}

#[test]
fn a_usage_error_exits_two() {
    assert_eq!(Gen::new().arg("lint").args(["--format", "xml"]).run().code, 2);
    assert_eq!(Gen::new().arg("frobnicate").run().code, 2);
}

#[test]
fn a_reader_that_stops_early_makes_no_panic() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // `gen explain --markdown | head -1`: 150 KB for a pipe that holds 64 KB, closed after a line.
    for args in [&["explain", "--markdown"][..], &["schema"], &["explain"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_gen"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("gen runs");
        let mut first = [0u8; 16];
        child.stdout.take().expect("stdout").read_exact(&mut first).expect("gen writes");
        let mut stderr = String::new();
        child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
        let status = child.wait().expect("gen ends");
        assert!(!stderr.contains("panicked"), "gen {args:?}: {stderr}");
        assert_eq!(status.code(), Some(0), "gen {args:?}: {stderr}");
    }
}

#[test]
fn a_rule_name_shared_by_the_spec_and_a_family_names_both() {
    // `latest-image-tag` is SPEC116 in the spec and K8S040 in the manifests it renders.
    let explain = Gen::new().args(["explain", "latest-image-tag"]).run();
    assert_eq!(explain.code, 0, "{}", explain.stderr);
    assert!(explain.stdout.contains("SPEC116 latest-image-tag") && explain.stdout.contains("K8S040 latest-image-tag"));
    let project = common::Project::new();
    project.edit_spec("    port: 5000 ", "    image: {tag: latest}\n    port: 5000 ");
    let fired = project.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert!(fired.codes().contains(&"SPEC116".to_string()), "{}", fired.stdout);
    let text = std::fs::read_to_string(project.path("spec.yaml")).expect("read");
    let ignore = "lint:\n  ignore:\n    - {rule: latest-image-tag, reason: \"a demo that always runs the newest\"}\n";
    std::fs::write(project.path("spec.yaml"), format!("{text}{ignore}")).expect("write");
    let silenced = project.run_gen(["lint", "--format", "json", "spec.yaml"]);
    let codes = silenced.codes();
    assert!(!codes.iter().any(|c| c == "SPEC116" || c == "K8S040" || c == "GEN002"), "{}", silenced.stdout);
}
