//! `gen lint` finds workflows where GitHub does: a walk of a repository (or of its
//! `.github/workflows/` folder, or from inside it) reads the `.yml`/`.yaml` files directly in
//! `.github/workflows/` as workflows, and not as Kubernetes manifests; a workflow-shaped file
//! elsewhere is read only when it is named; a manifest is never read as a workflow. And no
//! text, built from pieces of real workflows or arbitrary, panics the rules.

use crate::common;

use std::path::Path;

use common::{Gen, fixture};

/// (code, file) of each finding of `gen lint --format json ARGS` run in `dir`.
fn lint(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>) {
    let run = Gen::new().args(["lint", "--format", "json"]).args(args).current_dir(dir).run();
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    let mut found: Vec<(String, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                d["file"].as_str().unwrap_or_default().replace('\\', "/"),
            )
        })
        .collect();
    found.sort();
    found.dedup();
    (run.code, found)
}

/// A repository with one workflow that draws GHA013 (and nothing else) in
/// `.github/workflows/`, one workflow-shaped file elsewhere, and a Kubernetes manifest.
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let workflows = dir.path().join(".github/workflows");
    std::fs::create_dir_all(&workflows).expect("mkdir");
    std::fs::copy(fixture("workflow/GHA013/fires.yml"), workflows.join("test.yml")).expect("copy");
    std::fs::create_dir_all(dir.path().join("ci")).expect("mkdir");
    std::fs::copy(fixture("workflow/GHA013/fires.yml"), dir.path().join("ci/template.yml")).expect("copy");
    std::fs::copy(fixture("kubernetes/K8S001/passes.yaml"), dir.path().join("ci/pod.yaml")).expect("copy");
    dir
}

#[test]
fn a_walk_reads_the_workflows_folder_as_github_does() {
    let repo = repository();
    let expected = vec![("GHA013".to_string(), ".github/workflows/test.yml".to_string())];
    // The walk of the repository does not read ci/template.yml: only a named file may be a
    // workflow outside .github/workflows.
    let (code, found) = lint(repo.path(), &["."]);
    assert_eq!(found.iter().filter(|(c, _)| c.starts_with("GHA")).cloned().collect::<Vec<_>>(), expected);
    assert_eq!(code, 0, "GHA013 is a warning: {found:?}");
    let (_, found) = lint(repo.path(), &[".github/workflows/"]);
    assert_eq!(found, expected);
    let (_, found) = lint(&repo.path().join(".github/workflows"), &["."]);
    assert_eq!(found, vec![("GHA013".to_string(), "test.yml".to_string())], "a walk from inside the folder");
}

#[test]
fn a_named_workflow_elsewhere_is_read_and_a_manifest_is_not_a_workflow() {
    let repo = repository();
    let (_, found) = lint(repo.path(), &["ci/template.yml"]);
    assert_eq!(found, vec![("GHA013".to_string(), "ci/template.yml".to_string())]);
    let (code, found) = lint(repo.path(), &["ci/pod.yaml"]);
    assert!(found.iter().all(|(c, _)| !c.starts_with("GHA")), "{found:?}");
    assert_eq!(code, 0, "{found:?}");
}

#[test]
fn a_manifest_in_the_workflows_folder_is_read_as_a_workflow() {
    let repo = repository();
    let misplaced = repo.path().join(".github/workflows/pod.yaml");
    std::fs::copy(fixture("kubernetes/K8S001/passes.yaml"), &misplaced).expect("copy");
    let (_, found) = lint(repo.path(), &[".github/workflows/pod.yaml"]);
    assert!(found.contains(&("GHA001".to_string(), ".github/workflows/pod.yaml".to_string())), "{found:?}");
    assert!(found.iter().all(|(c, _)| !c.starts_with("K8S")), "{found:?}");
}

#[test]
fn a_byte_order_mark_does_not_shift_the_findings() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture("workflow/GHA013/fires.yml")).expect("read");
    std::fs::write(dir.path().join("ci.yml"), format!("\u{feff}{text}")).expect("write");
    let run = Gen::new().args(["lint", "--format", "json", "ci.yml"]).current_dir(dir.path()).run();
    assert_eq!(run.findings(), [("GHA013".to_string(), 12, 3)]);
}

/// Every line of every workflow fixture, and pieces they do not have.
fn workflow_lines() -> &'static [String] {
    static LINES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| {
        let mut lines: Vec<String> = walkdir::WalkDir::new(fixture("workflow"))
            .into_iter()
            .flatten()
            .filter(|e| e.file_type().is_file())
            .flat_map(|e| {
                let text = std::fs::read_to_string(e.path()).expect("read");
                text.lines().map(|l| format!("{l}\n")).collect::<Vec<_>>()
            })
            .chain(WORKFLOW_PIECES.iter().map(|p| p.to_string()))
            .collect();
        lines.sort();
        lines.dedup();
        lines
    })
}

/// Pieces of workflows the fixtures do not have: other scalar styles, odd expressions, bytes.
const WORKFLOW_PIECES: &[&str] = &[
    "      - run: >-\n",
    "      - run: \"a \\\" ${{ github.head_ref }}\"\n",
    "      - run: 'it''s ${{ inputs.x }}'\n",
    "          ${{ github.event.commits[0].message }} ${{\n",
    "          }} ${{ '}}' }} é \\\n",
    "          docker login -p\n",
    "          az login --service-principal --password=x\n",
    "          X=\"unterminated\n",
    "    services: {db: {image: x, credentials: {password: y}}}\n",
    "on: [pull_request_target, workflow_run]\n",
    "permissions: write-all\n",
    "&a [*a]\n",
    "\t",
    "\u{feff}",
    "é",
];

/// Lints a text as a workflow through the binary's library, and renders every report.
fn lint_text(text: &str) {
    use gen_core::diag::Source;
    use gen_core::lint::{Artifact, lint_files, workflow};
    let file = Artifact::hand_written(Source::new(".github/workflows/w.yml", text));
    let findings = lint_files(&workflow::FAMILY, &mut std::iter::once(file));
    let _ = gen_core::report::human(&findings, false);
    let _ = gen_core::report::json(&findings).expect("JSON");
    let _ = gen_core::report::sarif(&findings).expect("SARIF");
    let _ = gen_core::report::github(&findings);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

    #[test]
    fn workflows_built_from_lines_of_real_ones_never_panic_the_rules(
        picks in proptest::collection::vec(proptest::prelude::any::<proptest::sample::Index>(), 0..80),
    ) {
        let lines = workflow_lines();
        let text: String = picks.iter().map(|i| i.get(lines).as_str()).collect();
        lint_text(&text);
    }

    #[test]
    fn arbitrary_text_never_panics_the_workflow_rules(text in "\\PC{0,400}") {
        lint_text(&text);
    }
}

#[test]
fn every_workflow_fixture_with_every_line_dropped_never_panics() {
    for entry in walkdir::WalkDir::new(fixture("workflow")).into_iter().flatten().filter(|e| e.file_type().is_file()) {
        let text = std::fs::read_to_string(entry.path()).expect("read");
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let cut: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
            lint_text(&cut.join("\n"));
        }
    }
}
