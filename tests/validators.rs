//! The real validators judge the rendered output: hadolint on every rendered Dockerfile, with
//! no finding at warning level or above; gen's own lint agrees.

mod common;

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
