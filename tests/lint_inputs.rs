//! How `gen lint` and `gen render` read their inputs, when the input is written to fool them: a
//! `gen:ignore` written in a file's data, `{{` in a manifest's strings.

mod common;

use common::{fixture, lint_json};

/// `gen lint --format json` on a fixture of `tests/fixtures/inputs`.
fn lint_fixture(rel: &str) -> common::Run {
    lint_json(&fixture(&format!("inputs/{rel}")))
}

fn finding(code: &str, line: usize, column: usize) -> (String, usize, usize) {
    (code.to_string(), line, column)
}

// Ignore comments are read only where the file's language has comments.

/// Lints a fixture whose only `gen:ignore` words are in its data: the rule they name is still
/// reported, and they are not taken for ignores at all (no unused-ignore warning either).
fn assert_data_ignores_nothing(rel: &str, code: &str, line: usize, column: usize) {
    let run = lint_fixture(rel);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let findings = run.findings();
    assert!(findings.contains(&finding(code, line, column)), "{rel}: {findings:?}");
    assert!(!run.codes().iter().any(|c| c == "GEN002" || c == "GEN003"), "{rel}: {findings:?}");
}

#[test]
fn a_gen_ignore_in_a_manifest_s_block_scalars_and_strings_silences_nothing() {
    // An annotation's `|` block, a quoted string over two lines, a flow list, a ConfigMap's script.
    assert_data_ignores_nothing("ignore-in-data/pod.yaml", "K8S012", 19, 21);
}

#[test]
fn a_gen_ignore_in_a_terraform_heredoc_or_string_silences_nothing() {
    assert_data_ignores_nothing("ignore-in-data/main.tf", "TF011", 9, 3);
}

#[test]
fn a_gen_ignore_in_a_dockerfile_heredoc_or_after_an_instruction_silences_nothing() {
    assert_data_ignores_nothing("ignore-in-data/Dockerfile", "DF001", 13, 6);
}

#[test]
fn a_gen_ignore_in_a_workflow_s_script_or_string_silences_nothing() {
    assert_data_ignores_nothing("ignore-in-data/.github/workflows/build.yml", "GHA002", 19, 15);
}

#[test]
fn real_comments_of_each_language_still_silence_what_they_name() {
    // After a block scalar, a quoted value or a heredoc; inside a continued RUN; `//` in HCL.
    for (rel, silenced) in [
        ("ignore-in-comments/pod.yaml", &["K8S012", "K8S026", "K8S040"][..]),
        ("ignore-in-comments/main.tf", &["TF011"]),
        ("ignore-in-comments/Dockerfile", &["DF001", "DF004"]),
        ("ignore-in-comments/.github/workflows/build.yml", &["GHA002"]),
    ] {
        let run = lint_fixture(rel);
        let codes = run.codes();
        assert!(!codes.iter().any(|c| silenced.contains(&c.as_str()) || c.starts_with("GEN")), "{rel}: {codes:?}");
    }
}

// A manifest with `{{` in its strings is a manifest.

#[test]
fn a_manifest_with_braces_in_its_strings_is_linted_named_or_in_a_folder() {
    let named = lint_fixture("braces-in-data/pod.yaml");
    assert_eq!(named.code, 1, "{}", named.stdout);
    assert!(named.findings().contains(&finding("K8S012", 14, 21)), "{:?}", named.findings());
    assert!(!named.codes().iter().any(|c| c.starts_with("SPEC")), "{:?}", named.codes());
    let walked = lint_fixture("braces-in-data");
    assert_eq!(walked.code, 1, "{}", walked.stdout);
    assert!(walked.findings().contains(&finding("K8S012", 14, 21)), "{:?}", walked.findings());
}

#[test]
fn templates_are_still_not_taken_for_manifests() {
    // `{{` where YAML structure goes, and a `templates/` folder's file: neither is a manifest.
    let run = lint_fixture("templates");
    assert_eq!(run.codes(), ["GEN004"], "{}", run.stdout);
}
