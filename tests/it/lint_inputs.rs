//! How `gen lint` and `gen render` read their inputs, when the input is written to fool them: a
//! `gen:ignore` written in a file's data, `{{` in a manifest's strings, bytes that are not
//! text, symbolic links that lead out of the repository.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Gen, fixture, lint_json};

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

// An input that is not UTF-8 text is an error at its byte, never a clean pass.

/// A folder holding one file `name` with `bytes`.
fn folder_with(name: &str, bytes: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join(name), bytes).expect("write");
    dir
}

#[test]
fn a_terraform_file_with_a_bad_last_byte_is_unreadable_not_clean() {
    let text = b"resource \"azurerm_container_registry\" \"this\" {\n  admin_enabled = true\n}\n\xff";
    let dir = folder_with("main.tf", text);
    for input in [dir.path().join("main.tf"), dir.path().to_path_buf()] {
        let run = lint_json(&input);
        assert_eq!(run.code, 2, "{}", run.stdout);
        assert_eq!(run.findings(), [finding("GEN001", 4, 1)], "{}", run.stdout);
        assert!(run.stdout.contains("is not UTF-8 text: invalid byte 0xff"), "{}", run.stdout);
    }
}

#[test]
fn a_dockerfile_with_a_bad_byte_is_unreadable_at_that_byte() {
    let dir = folder_with("Dockerfile", b"FROM python:3.12\nUSER r\xe9ot\n");
    let run = lint_json(&dir.path().join("Dockerfile"));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.findings(), [finding("GEN001", 2, 7)]);
    let human = Gen::new().arg("lint").arg(dir.path().join("Dockerfile")).run();
    assert!(human.stdout.contains("Dockerfile:2:7"), "{}", human.stdout);
}

#[test]
fn a_binary_named_dockerfile_is_reported_in_a_folder_walk() {
    // An ELF header: valid UTF-8 up to the byte 0xe0 (offset 24) that 0x8f cannot follow.
    let mut binary = b"\x7fELF\x02\x01\x01\x00".to_vec();
    binary.extend([0u8; 8]);
    binary.extend(b"\x03\x00\x3e\x00\x01\x00\x00\x00\xe0\x8f\x01\x00\x00\x00\x00\x00");
    let dir = folder_with("Dockerfile", &binary);
    let walked = lint_json(dir.path());
    assert_eq!(walked.code, 2, "{}", walked.stdout);
    assert_eq!(walked.findings(), [finding("GEN001", 1, 25)], "{}", walked.stdout);
    let named = lint_json(&dir.path().join("Dockerfile"));
    assert_eq!(named.findings(), [finding("GEN001", 1, 25)], "{}", named.stdout);
}

#[test]
fn a_utf16_dockerfile_is_named_for_what_it_is() {
    let utf16: Vec<u8> = "\u{feff}FROM python:3.12\n".encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let dir = folder_with("Dockerfile", &utf16);
    let run = lint_json(&dir.path().join("Dockerfile"));
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert_eq!(run.findings(), [finding("GEN001", 1, 1)]);
    assert!(run.stdout.contains("UTF-16 (little-endian), not UTF-8"), "{}", run.stdout);
}

// Symbolic links are followed only inside the repository.

/// A value that must never reach a report: `gen` runs with it as its only variable besides
/// NO_COLOR, so it is the first entry of `/proc/self/environ`.
const SECRET: &str = "AAAA_GEN_SECRET=hunter2-do-not-print";

/// Runs `gen` in `dir` with an environment of [`SECRET`] alone.
fn gen_in(dir: &Path, args: &[&str]) -> common::Run {
    let (key, value) = SECRET.split_once('=').expect("key=value");
    let out = Command::new(env!("CARGO_BIN_EXE_gen"))
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env(key, value)
        .env("NO_COLOR", "1")
        .output()
        .expect("gen runs");
    common::Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: std::time::Duration::ZERO,
    }
}

#[test]
fn a_spec_linked_to_the_process_environment_is_refused_and_never_quoted() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("spec.yaml")).expect("symlink");
    let secret = SECRET.split_once('=').expect("key=value").1;
    for with_repository in [false, true] {
        if with_repository {
            std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
        }
        for args in [&["render", "spec.yaml"][..], &["render", "spec.yaml", "--check"], &["lint", "spec.yaml"]] {
            let run = gen_in(dir.path(), args);
            let said = format!("{}{}", run.stdout, run.stderr);
            assert_eq!(run.code, 2, "{args:?}: {said}");
            assert!(!said.contains(secret) && !said.contains("AAAA_GEN"), "{args:?} printed the environment: {said}");
            assert!(said.contains("cannot read spec.yaml: a symbolic link takes it out of"), "{args:?}: {said}");
        }
    }
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

#[test]
fn a_walk_follows_links_inside_the_repository_and_reports_those_that_leave_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).expect("mkdir");
    std::fs::create_dir_all(root.join("docker")).expect("mkdir");
    std::fs::create_dir_all(root.join("svc")).expect("mkdir");
    std::fs::write(root.join("docker/Dockerfile"), "FROM python:3.12\nUSER root\n").expect("write");
    std::os::unix::fs::symlink("../docker/Dockerfile", root.join("svc/Dockerfile")).expect("symlink");
    std::os::unix::fs::symlink("/proc/self/environ", root.join("svc/main.tf")).expect("symlink");
    let run = gen_in(root, &["lint", "--format", "json", "svc"]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(!run.stdout.contains("AAAA_GEN"), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let found: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (d["code"].as_str().unwrap_or_default().to_string(), d["file"].as_str().unwrap_or_default().to_string())
        })
        .collect();
    assert!(found.contains(&("DF001".into(), "svc/Dockerfile".into())), "the linked Dockerfile is read: {found:?}");
    assert!(found.contains(&("GEN001".into(), "svc/main.tf".into())), "the link out is reported: {found:?}");
}

#[test]
fn a_spec_linked_from_elsewhere_in_the_same_repository_still_renders() {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).expect("mkdir");
    std::fs::create_dir_all(root.join("specs")).expect("mkdir");
    std::fs::create_dir_all(root.join("deploy")).expect("mkdir");
    std::fs::copy(fixture("specs/valid.yaml"), root.join("specs/shop.yaml")).expect("copy");
    std::os::unix::fs::symlink("../specs/shop.yaml", root.join("deploy/spec.yaml")).expect("symlink");
    let run = Gen::new().args(["render", "deploy/spec.yaml"]).current_dir(root).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lint = Gen::new().args(["lint", "deploy/spec.yaml"]).current_dir(root).run();
    assert_eq!(lint.code, 0, "{}", lint.stdout);
}

#[test]
fn a_file_without_line_breaks_is_quoted_only_around_its_finding() {
    // Like the process environment: NUL-separated, no newline. The report quotes a window of
    // the located line, never the whole file.
    let mut text = "A=".to_string() + &"x".repeat(100_000);
    text.push('\0');
    text.push_str(&"SECRET=".repeat(20_000));
    let dir = folder_with("spec.yaml", text.as_bytes());
    let run = Gen::new().arg("lint").arg(dir.path().join("spec.yaml")).run();
    assert_eq!(run.code, 2, "{}", &run.stdout[..run.stdout.len().min(2000)]);
    assert!(run.stdout.contains("spec.yaml:1:100003"), "{}", &run.stdout[..run.stdout.len().min(2000)]);
    assert!(run.stdout.len() < 2_000, "{} bytes of report", run.stdout.len());
}

// YAML as kubectl reads it (sigs.k8s.io/yaml: go-yaml, YAML 1.1).

#[test]
fn every_value_of_the_wrong_type_in_an_object_is_reported_in_one_run() {
    let run = lint_fixture("kubectl-yaml/configmap.yaml");
    let found = run.findings();
    assert_eq!(
        found,
        vec![finding("K8S003", 6, 10), finding("K8S003", 7, 9), finding("K8S003", 8, 10)],
        "{}",
        run.stdout
    );
    // Items taken out of a list leave the next ones at their written index.
    let run = lint_fixture("kubectl-yaml/deployment.yaml");
    let found = run.findings();
    for at in
        [finding("K8S003", 6, 13), finding("K8S003", 16, 26), finding("K8S003", 16, 41), finding("K8S003", 17, 35)]
    {
        assert!(found.contains(&at), "{at:?}: {found:?}");
    }
    assert!(run.stdout.contains("args[1]") && run.stdout.contains("args[3]"), "{}", run.stdout);
}

#[test]
fn an_unquoted_yes_is_the_boolean_kubectl_reads_and_the_help_says_to_quote_it() {
    let run = lint_fixture("kubectl-yaml/configmap.yaml");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let debug = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["location"]["line"] == 6)
        .expect("the finding at DEBUG");
    let (message, help) = (debug["message"].as_str().unwrap_or(""), debug["help"].as_str().unwrap_or(""));
    assert!(message.contains("boolean true") && message.contains("YAML 1.1"), "{message}");
    assert_eq!(help, "quote it: `\"yes\"`");
}
