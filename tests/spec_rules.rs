//! Every semantic and Dockerfile rule fires on its fixture, at the marked place, and stays quiet on its pair.

mod common;

use common::{fixture, lint_json};
use gen_core::lint::dockerfile::CHECKS as DOCKERFILE_CHECKS;
use gen_core::spec::rules::CHECKS;

/// The `# expect: CODE at LINE:COL` header of a fixture.
fn expectation(text: &str) -> (String, usize, usize) {
    let header = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).expect("fixture starts with # expect:");
    let (code, at) = header.split_once(" at ").expect("CODE at L:C");
    let (line, col) = at.split_once(':').expect("L:C");
    (code.to_string(), line.parse().expect("line"), col.parse().expect("col"))
}

/// Every rule with a fixture pair: (folder under tests/fixtures, file extension).
const FAMILIES: [(&str, &str); 2] = [("rules", "yaml"), ("dockerfile", "Dockerfile")];

#[test]
fn every_semantic_and_dockerfile_rule_has_a_fixture_pair() {
    let rules =
        CHECKS.iter().map(|(r, _)| (*r, FAMILIES[0])).chain(DOCKERFILE_CHECKS.iter().map(|(r, _)| (*r, FAMILIES[1])));
    for (rule, (dir, ext)) in rules {
        let dir = fixture(&format!("{dir}/{}", rule.code));
        assert!(dir.join(format!("fires.{ext}")).is_file(), "{} has no fires.{ext}", rule.code);
        assert!(dir.join(format!("passes.{ext}")).is_file(), "{} has no passes.{ext}", rule.code);
    }
}

/// Every fixture folder of every family, with its extension.
fn fixture_dirs() -> Vec<(std::path::PathBuf, &'static str)> {
    let mut out = Vec::new();
    for (family, ext) in FAMILIES {
        for dir in std::fs::read_dir(fixture(family)).expect("fixtures") {
            out.push((dir.expect("entry").path(), ext));
        }
    }
    out.sort();
    out
}

#[test]
fn each_rule_fires_at_the_marked_line_and_column() {
    let mut seen = 0;
    for (dir, ext) in fixture_dirs() {
        let fires = dir.join(format!("fires.{ext}"));
        let (code, line, col) = expectation(&std::fs::read_to_string(&fires).expect("read"));
        let run = lint_json(&fires);
        assert!(
            run.findings().contains(&(code.clone(), line, col)),
            "{}: expected {code} at {line}:{col}, got {:?}",
            fires.display(),
            run.findings()
        );
        let severity = gen_core::registry::find(&code).expect("a known rule").severity;
        let expected_exit = if severity == gen_core::diag::Severity::Error { 1 } else { 0 };
        assert_eq!(run.code, expected_exit, "{}", fires.display());
        seen += 1;
    }
    assert!(seen >= CHECKS.len() + DOCKERFILE_CHECKS.len());
}

#[test]
fn each_rule_is_quiet_on_its_near_miss() {
    for (dir, ext) in fixture_dirs() {
        let passes = dir.join(format!("passes.{ext}"));
        let run = lint_json(&passes);
        assert_eq!(run.findings(), vec![], "{}", passes.display());
        assert_eq!(run.code, 0, "{}", passes.display());
    }
}

#[test]
fn the_valid_example_is_clean() {
    let run = lint_json(&fixture("specs/valid.yaml"));
    assert_eq!(run.findings(), vec![]);
    assert_eq!(run.code, 0);
}

#[test]
fn an_ignored_rule_is_not_reported() {
    let text = std::fs::read_to_string(fixture("rules/SPEC112/fires.yaml")).expect("read");
    let text = text.replace("  ignore: []", "  ignore: [{rule: privileged-port, reason: \"a test of ignores\"}]");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).expect("write");
    let run = lint_json(&path);
    assert_eq!(run.findings(), vec![]);
    assert_eq!(run.code, 0);
}
