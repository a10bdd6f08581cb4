//! The real validators judge the rendered output: hadolint on every rendered Dockerfile, with
//! no finding at warning level or above; gen's own lint agrees.

use crate::common;

use common::{Gen, validator};

#[test]
fn the_rendered_dockerfile_passes_hadolint_with_no_warning() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(Gen::new().args(["init"]).current_dir(dir.path()).run().code, 0);
    assert_eq!(Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run().code, 0);
    let dockerfile = dir.path().join("out/services/shop/Dockerfile");
    let out = validator("hadolint")
        .args(["--no-color", "--failure-threshold", "style"])
        .arg(&dockerfile)
        .output()
        .expect("hadolint");
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success() && said.trim().is_empty(), "hadolint:\n{said}");
    // The tree's charts are rendered by `helm template` (the validators' helm).
    let path = common::path_with_helm();
    let lint = Gen::new().args(["lint", "--strict"]).arg(dir.path().join("out")).env("PATH", path).run();
    assert_eq!(lint.code, 0, "{}", lint.stdout);
}

#[test]
fn hadolint_and_gen_agree_on_the_bad_dockerfile_fixtures() {
    // Each DF rule that has a hadolint counterpart is flagged by hadolint too: the rules say
    // what the ecosystem's own tool says.
    let pairs = [
        ("DF001", "DL3002"),
        ("DF002", "DL3007"),
        ("DF003", "DL3020"),
        ("DF004", "DL3015"),
        ("DF005", "DL3009"),
        ("DF006", "DL3042"),
        ("DF011", "DL3021"),
        ("DF012", "DL3025"),
    ];
    for (ours, theirs) in pairs {
        let file = common::fixture(&format!("dockerfile/{ours}/fires.Dockerfile"));
        let out = validator("hadolint")
            .args(["--no-color", "--failure-threshold", "none"])
            .arg(&file)
            .output()
            .expect("hadolint");
        let said = String::from_utf8_lossy(&out.stdout);
        assert!(said.contains(theirs), "{ours}: hadolint did not report {theirs}:\n{said}");
    }
}

#[test]
fn hadolint_and_gen_agree_on_who_the_image_runs_as() {
    // An image that inherits a non-root USER from its stage, or starts from an image that
    // runs as a non-root user, is root to neither (DL3002 is hadolint's DF001); a file with
    // no FROM is refused by both (DL3061, DF010), and gen says nothing more of it.
    let hadolint = |file: &std::path::Path| {
        let out = validator("hadolint")
            .args(["--no-color", "--failure-threshold", "none"])
            .arg(file)
            .output()
            .expect("hadolint");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    for case in ["passes-from-a-stage-with-user", "passes-distroless-nonroot", "passes-nginx-unprivileged"] {
        let file = common::fixture(&format!("dockerfile/DF001/{case}.Dockerfile"));
        let said = hadolint(&file);
        assert!(!said.contains("DL3002"), "{case}: hadolint reports DL3002:\n{said}");
        let ours = common::lint_json(&file).findings();
        assert!(ours.iter().all(|f| f.0 != "DF001"), "{case}: {ours:?}");
    }
    let file = common::fixture("dockerfile/DF010/fires-no-from.Dockerfile");
    let said = hadolint(&file);
    assert!(said.contains("DL3061"), "hadolint does not refuse a file with no FROM:\n{said}");
    let ours: Vec<String> = common::lint_json(&file).findings().into_iter().map(|f| f.0).collect();
    assert_eq!(ours, vec!["DF010"], "only BuildKit's refusal");
}
