//! Every semantic rule fires on its fixture, at the marked place, and stays quiet on its pair.

mod common;

use common::{fixture, lint_json};
use gen_core::spec::rules::CHECKS;

/// The `# expect: CODE at LINE:COL` header of a fixture.
fn expectation(text: &str) -> (String, usize, usize) {
    let header = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).expect("fixture starts with # expect:");
    let (code, at) = header.split_once(" at ").expect("CODE at L:C");
    let (line, col) = at.split_once(':').expect("L:C");
    (code.to_string(), line.parse().expect("line"), col.parse().expect("col"))
}

#[test]
fn every_semantic_rule_has_a_fixture_pair() {
    for (rule, _) in CHECKS {
        let dir = fixture(&format!("rules/{}", rule.code));
        assert!(dir.join("fires.yaml").is_file(), "{} has no fires.yaml", rule.code);
        assert!(dir.join("passes.yaml").is_file(), "{} has no passes.yaml", rule.code);
    }
}

#[test]
fn each_rule_fires_at_the_marked_line_and_column() {
    let dirs = std::fs::read_dir(fixture("rules")).expect("rules fixtures");
    let mut seen = 0;
    for dir in dirs {
        let dir = dir.expect("entry").path();
        let fires = dir.join("fires.yaml");
        let (code, line, col) = expectation(&std::fs::read_to_string(&fires).expect("read"));
        let run = lint_json(&fires);
        assert!(
            run.findings().contains(&(code.clone(), line, col)),
            "{}: expected {code} at {line}:{col}, got {:?}",
            fires.display(),
            run.findings()
        );
        assert!(run.code == 1 || code == "SPEC118", "{}: exit {}", fires.display(), run.code);
        seen += 1;
    }
    assert!(seen >= CHECKS.len());
}

#[test]
fn each_rule_is_quiet_on_its_near_miss() {
    for dir in std::fs::read_dir(fixture("rules")).expect("rules fixtures") {
        let passes = dir.expect("entry").path().join("passes.yaml");
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
