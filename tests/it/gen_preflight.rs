//! The drift job's preflight (`gen.yml`, "Preflight (gen's source is reachable)"), run against a
//! real git repository: what it says when `pipeline.gen.revision` is a short commit SHA, which
//! it cannot check (`git ls-remote` lists tags and branches, and a full SHA is taken as is).

use crate::common;

use std::path::Path;
use std::process::Command;

use common::{Gen, root, validator};
use serde_json::Value;

/// The `run:` script of the preflight step of `gen.yml`, rendered from the reference spec with
/// gen installed from its source (`pipeline.gen.install: source`).
fn preflight() -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = std::fs::read_to_string(root().join("spec.yaml")).expect("the reference spec");
    let source = spec.replacen("\npipeline:\n", "\npipeline:\n  gen: {install: source}\n", 1);
    assert_ne!(source, spec, "the reference spec has a pipeline block");
    std::fs::write(dir.path().join("spec.yaml"), source).expect("write");
    let run = Gen::new().args(["render", "spec.yaml", "--out", "out"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let workflow = dir.path().join(".github/workflows/gen.yml");
    let script = "import json, sys, yaml\nprint(json.dumps(yaml.load(open(sys.argv[1]), Loader=yaml.BaseLoader)))";
    let out = validator("python").args(["-c", script]).arg(&workflow).output().expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let steps = doc["jobs"]["drift"]["steps"].as_array().expect("steps");
    let step = steps.iter().find(|s| s["name"] == "Preflight (gen's source is reachable)").expect("the preflight");
    step["run"].as_str().expect("a script").to_string()
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.org", "-c", "commit.gpgsign=false"])
        .args(args)
        .output()
        .expect("git");
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Runs the script as GitHub's `bash` shell does; its exit code and output.
fn run(script: &str, repository: &Path, revision: &str) -> (i32, String) {
    let out = Command::new("bash")
        .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
        .env("GEN_REPOSITORY", repository)
        .env("GEN_REVISION", revision)
        .env("SPEC", "spec.yaml")
        .env("GIT_TERMINAL_PROMPT", "0")
        .output()
        .expect("bash runs");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

/// A short SHA fails the preflight with a message that says what would pass: a tag or a branch
/// of gen's source, or the full 40-character SHA (which passes).
#[test]
fn a_short_commit_sha_is_refused_naming_the_full_sha_or_a_tag_or_branch() {
    let script = preflight();
    let dir = tempfile::tempdir().expect("tempdir");
    let source = dir.path().join("gen-source");
    std::fs::create_dir_all(&source).expect("source");
    git(&source, &["init", "-q"]);
    git(&source, &["commit", "-q", "--allow-empty", "-m", "gen"]);
    let sha = git(&source, &["rev-parse", "HEAD"]);
    assert_eq!(sha.len(), 40, "{sha}");
    let (code, text) = run(&script, &source, &sha);
    assert_eq!(code, 0, "the full SHA passes: {text}");
    let (code, text) = run(&script, &source, &sha[..12]);
    assert_eq!(code, 1, "{text}");
    let expected = format!(
        "::error::gen's source {} has no tag or branch {} (pipeline.gen.revision in spec.yaml: a tag or branch it has, or a full 40-character commit SHA, since a short SHA cannot be checked before the install;",
        source.display(),
        &sha[..12]
    );
    assert!(text.contains(&expected), "{text}");
}
