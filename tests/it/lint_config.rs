//! Adopting `gen lint` in a repository as it is: `gen lint` with no path, a `.gen-lint.yaml`
//! (rule selection, ignores by path glob, severities), a baseline that makes CI fail only on
//! new findings, and the same `select` and `severity` in a spec's `lint:` block.

use std::path::Path;

use crate::common::{Gen, Run, root};

/// A repository with a Dockerfile at its root and one under `legacy/` (DF006 each, a warning)
/// and a workflow with an unpinned action (GHA002, an error, and warnings beside it).
fn repository() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    };
    std::fs::create_dir(dir.path().join(".git")).expect("a repository root");
    let dockerfile = "FROM python:3.12-slim\nRUN pip install flask\nUSER app\nCMD [\"python\", \"app.py\"]\n";
    write("Dockerfile", dockerfile);
    write("legacy/Dockerfile", dockerfile);
    write(
        ".github/workflows/ci.yml",
        "name: ci\non: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-24.04\n    steps:\n      - uses: actions/checkout@v4\n",
    );
    std::fs::create_dir(dir.path().join("app")).expect("mkdir");
    dir
}

fn lint(dir: &Path, args: &[&str]) -> Run {
    Gen::new().current_dir(dir).args(["lint", "--format", "json"]).args(args).run()
}

/// Each finding as (code, severity, file, line).
fn findings(run: &Run) -> Vec<(String, String, String, usize)> {
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}\n{}", run.stdout, run.stderr));
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("code"), s("severity"), s("file"), d["location"]["line"].as_u64().unwrap_or(0) as usize)
        })
        .collect()
}

fn codes_in(run: &Run, file: &str) -> Vec<String> {
    findings(run).into_iter().filter(|f| f.2 == file).map(|f| f.0).collect()
}

#[test]
fn gen_lint_with_no_path_lints_the_current_folder() {
    let repo = repository();
    let run = lint(repo.path(), &[]);
    assert_eq!(run.code, 1, "{}{}", run.stdout, run.stderr);
    assert_eq!(codes_in(&run, "Dockerfile"), ["DF006"]);
    assert_eq!(codes_in(&run, "legacy/Dockerfile"), ["DF006"]);
    assert!(codes_in(&run, ".github/workflows/ci.yml").contains(&"GHA002".to_string()), "{run:?}");
    // In a folder with nothing gen checks, it says so rather than passing on nothing.
    let run = lint(&repo.path().join("app"), &[]);
    assert_eq!(run.code, 2, "{run:?}");
    assert_eq!(run.codes(), ["GEN004"]);
}

#[test]
fn a_lint_configuration_above_the_current_folder_selects_ignores_by_glob_and_sets_severities() {
    let repo = repository();
    std::fs::write(
        repo.path().join(".gen-lint.yaml"),
        "select: [DF, GHA0]\n\
         ignore:\n  - {rule: DF006, path: \"legacy/**\", reason: the legacy image is retired in Q1}\n\
         severity:\n  - {rule: pip-cache-kept, level: error}\n  - {rule: GHA002, level: note, path: \".github/**\"}\n",
    )
    .expect("write");
    // Run from a subfolder: the file is found above it, and its paths are relative to its folder.
    let run = lint(&repo.path().join("app"), &[".."]);
    let all = findings(&run);
    assert_eq!(run.code, 1, "{all:?}\n{}", run.stderr);
    // DF006 stays at the root, raised to an error; the legacy copy is ignored.
    assert!(all.contains(&("DF006".into(), "error".into(), "../Dockerfile".into(), 2)), "{all:?}");
    assert!(!all.iter().any(|f| f.2 == "../legacy/Dockerfile"), "{all:?}");
    // GHA0 selects GHA001 to GHA099: GHA012, GHA013 and GHA022 stay; GHA002 is a note there.
    let workflow: Vec<(String, String)> =
        all.iter().filter(|f| f.2 == "../.github/workflows/ci.yml").map(|f| (f.0.clone(), f.1.clone())).collect();
    assert!(workflow.contains(&("GHA002".into(), "info".into())), "{workflow:?}");
    assert!(workflow.iter().all(|(code, _)| code.starts_with("GHA0")), "{workflow:?}");
    assert!(workflow.len() > 1, "{workflow:?}");
    // Without the severity entry for DF006, the run passes: only warnings and a note are left.
    std::fs::write(
        repo.path().join(".gen-lint.yaml"),
        "select: [DF, GHA0]\nseverity:\n  - {rule: GHA002, level: note}\n",
    )
    .expect("write");
    let run = lint(repo.path(), &[]);
    assert_eq!(run.code, 0, "{:?}", findings(&run));
    // `--config` names another file; the repository's own is then not read.
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let other = elsewhere.path().join("lint.yaml");
    std::fs::write(&other, "select: [GHA002]\n").expect("write");
    let run = lint(repo.path(), &["--config", other.to_str().expect("utf-8")]);
    let codes: Vec<String> = findings(&run).into_iter().map(|f| f.0).collect();
    assert_eq!(codes, ["GHA002"], "{run:?}");
    assert_eq!(run.code, 1);
}

#[test]
fn a_lint_configuration_says_at_its_line_what_cannot_take_effect() {
    let repo = repository();
    std::fs::write(
        repo.path().join(".gen-lint.yaml"),
        "select: [DF, DFX]\n\
         ignore:\n  - {rule: DF006, path: \"nothing/**\", reason: stale}\n  - {rule: GEN001, reason: not wanted}\n  - {rule: DF006, reason: \"  \"}\n\
         severity:\n  - {rule: GEN004, level: warning}\n  - {rule: pip-cache-keep, level: error}\n  - {rule: DF006, level: error, path: \"[z-a]\"}\n",
    )
    .expect("write");
    let run = lint(repo.path(), &[]);
    let at_config: Vec<(String, usize)> =
        findings(&run).into_iter().filter(|f| f.2 == ".gen-lint.yaml").map(|f| (f.0, f.3)).collect();
    assert_eq!(
        at_config,
        [
            ("SPEC118".to_string(), 1), // DFX: no such rule or prefix
            ("GEN003".into(), 4),       // GEN001 keeps the output safe: not ignorable
            ("GEN003".into(), 5),       // an ignore with no reason
            ("GEN003".into(), 7),       // GEN004 cannot be lowered
            ("SPEC118".into(), 8),      // a mistyped name
            ("GEN003".into(), 9),       // not a glob
            ("GEN002".into(), 3),       // silences nothing
        ],
        "{}",
        run.stdout
    );
    // The mistyped name gets a suggestion.
    assert!(run.stdout.contains("did you mean `DF006` (pip-cache-kept)?"), "{}", run.stdout);
    // The ignore without a reason silenced nothing: both DF006 are still reported.
    assert_eq!(findings(&run).iter().filter(|f| f.0 == "DF006").count(), 2);
}

#[test]
fn a_lint_configuration_gen_cannot_read_stops_the_run_at_its_place() {
    let repo = repository();
    for (text, line, column) in [
        ("select: [DF]\nignores: []\n", 2, 1),
        ("severity:\n  - {rule: DF006, level: fatal}\n", 2, 26),
        ("select: [DF\n", 2, 1),
    ] {
        std::fs::write(repo.path().join(".gen-lint.yaml"), text).expect("write");
        let run = lint(repo.path(), &[]);
        assert_eq!(run.code, 2, "{text}: {run:?}");
        let all = findings(&run);
        assert_eq!(all.len(), 1, "{text}: {all:?}");
        assert_eq!((all[0].0.as_str(), all[0].2.as_str()), ("GEN001", ".gen-lint.yaml"), "{text}: {all:?}");
        let loc =
            serde_json::from_str::<serde_json::Value>(&run.stdout).expect("json")["diagnostics"][0]["location"].clone();
        assert_eq!((loc["line"].as_u64(), loc["column"].as_u64()), (Some(line), Some(column)), "{text}: {loc}");
    }
}

#[test]
fn a_baseline_makes_the_next_lint_fail_only_on_new_findings() {
    let repo = repository();
    let dir = repo.path();
    // No baseline yet: a usage error that says how to write one.
    let run = lint(dir, &["--baseline", "gen-baseline.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("--write-baseline"), "{}", run.stderr);

    let run = lint(dir, &["--baseline", "gen-baseline.json", "--write-baseline"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(findings(&run).is_empty(), "{:?}", findings(&run));
    let recorded: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("gen-baseline.json")).expect("written")).expect("json");
    let files: Vec<&str> =
        recorded["findings"].as_array().expect("findings").iter().filter_map(|f| f["file"].as_str()).collect();
    assert!(files.contains(&"legacy/Dockerfile") && files.contains(&".github/workflows/ci.yml"), "{recorded}");

    // The next run passes, from another folder too (paths are the baseline's folder's).
    let run = lint(dir, &["--baseline", "gen-baseline.json", "--strict"]);
    assert_eq!(run.code, 0, "{:?}", findings(&run));
    let run = Gen::new()
        .current_dir(dir.parent().expect("parent"))
        .args(["lint", "--format", "json", "--strict"])
        .arg(dir)
        .arg("--baseline")
        .arg(dir.join("gen-baseline.json"))
        .run();
    assert_eq!(run.code, 0, "{:?}", findings(&run));

    // Lines added above a recorded finding, or the line it is on changed, do not make it new.
    let dockerfile = dir.join("Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).expect("read");
    let bumped = text.replace("FROM python:3.12-slim", "FROM python:3.13-slim").replace("flask", "flask gunicorn");
    std::fs::write(&dockerfile, format!("# syntax=docker/dockerfile:1\n\n{bumped}")).expect("write");
    let run = lint(dir, &["--baseline", "gen-baseline.json", "--strict"]);
    assert_eq!(run.code, 0, "{:?}", findings(&run));
    std::fs::write(&dockerfile, format!("# syntax=docker/dockerfile:1\n\n{text}")).expect("write");

    // A new finding of a recorded rule, in a recorded file, is reported alone.
    std::fs::write(&dockerfile, format!("# syntax=docker/dockerfile:1\n\n{text}RUN pip install requests\n"))
        .expect("write");
    let run = lint(dir, &["--baseline", "gen-baseline.json", "--strict"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(findings(&run), [("DF006".into(), "warning".into(), "Dockerfile".into(), 7)]);
    assert!(run.stderr.contains("recorded findings not reported"), "{}", run.stderr);

    // A recorded finding fixed since is said, and does not fail the run.
    let legacy = dir.join("legacy/Dockerfile");
    let fixed = std::fs::read_to_string(&legacy).expect("read").replace("pip install", "pip install --no-cache-dir");
    std::fs::write(&legacy, fixed).expect("write");
    std::fs::write(&dockerfile, format!("# syntax=docker/dockerfile:1\n\n{text}")).expect("write");
    let run = lint(dir, &["--baseline", "gen-baseline.json", "--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("1 entry matches no finding any more"), "{}", run.stderr);
    // A run over another folder does not call it stale: it did not read it.
    let run = lint(dir, &[".github", "--baseline", "gen-baseline.json", "--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("no finding any more"), "{}", run.stderr);

    // Written again from a run over one folder, the baseline keeps the other files' entries.
    let before = std::fs::read_to_string(dir.join("gen-baseline.json")).expect("read");
    let run = lint(dir, &["legacy", "--baseline", "gen-baseline.json", "--write-baseline"]);
    assert_eq!(run.code, 0, "{run:?}");
    let after = std::fs::read_to_string(dir.join("gen-baseline.json")).expect("read");
    assert!(after.contains(".github/workflows/ci.yml"), "{after}");
    assert!(!after.contains("legacy/Dockerfile") && before.contains("legacy/Dockerfile"), "fixed, dropped: {after}");
    assert_eq!(lint(dir, &["--baseline", "gen-baseline.json", "--strict"]).code, 0);

    // A file that does not parse is never recorded: it fails every run.
    std::fs::write(dir.join(".github/workflows/broken.yml"), "jobs: [\n").expect("write");
    let run = lint(dir, &["--baseline", "gen-baseline.json", "--write-baseline"]);
    assert_eq!(run.code, 1, "{run:?}");
    assert_eq!(findings(&run).len(), 1, "{:?}", findings(&run));
    assert_eq!(findings(&run)[0].2, ".github/workflows/broken.yml");
}

#[test]
fn a_baseline_gen_did_not_write_is_refused_with_its_place() {
    let repo = repository();
    std::fs::write(repo.path().join("b.json"), "{\"version\": 1,\n \"findings\": 3}\n").expect("write");
    let run = lint(repo.path(), &["--baseline", "b.json"]);
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("b.json:2:"), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "nothing is linted: {}", run.stdout);
}

/// The reference spec with a `lint:` block appended, rendered into a fresh folder.
fn render_with_lint(block: &str) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = std::fs::read_to_string(root().join("spec.yaml")).expect("spec");
    assert!(!spec.contains("\nlint:"), "the reference spec has a lint block of its own");
    std::fs::write(dir.path().join("spec.yaml"), format!("{spec}lint:\n{block}")).expect("write");
    let run = Gen::new().current_dir(dir.path()).args(["render", "spec.yaml", "--github-at", "output"]).run();
    (dir, run)
}

#[test]
fn a_spec_s_lint_block_raises_a_rule_to_an_error_and_nothing_is_written() {
    // SPEC165 (an unpinned base image) is a note of the reference spec: raised for its one
    // service, the render stops.
    let (dir, run) = render_with_lint("  severity:\n    - {rule: unpinned-base-image, level: error, service: shop}\n");
    assert_eq!(run.code, 2, "{run:?}");
    assert!(run.stderr.contains("error[SPEC165]"), "{}", run.stderr);
    assert!(!dir.path().join("out").exists(), "nothing is written");
    // For another service name it does not apply, and the render writes.
    let (dir, run) = render_with_lint("  severity:\n    - {rule: unpinned-base-image, level: error, service: other}\n");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(dir.path().join("out").is_dir());
    assert!(run.stderr.contains("note[SPEC165]"), "{}", run.stderr);
}

#[test]
fn a_spec_s_lint_block_selects_rules_and_cannot_lower_a_safety_rule() {
    // Only the Dockerfile rules: the spec's own note is not reported.
    let (_dir, run) = render_with_lint("  select: [DF]\n");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("SPEC165"), "{}", run.stderr);
    // A mistyped entry does not narrow the run: `select` waits until it names only rules. The
    // entries that cannot take effect are said at their lines (the block starts at the spec's
    // last line + 2).
    let (_dir, run) = render_with_lint("  select: [DF, XYZ]\n  severity:\n    - {rule: SPEC001, level: note}\n");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(run.stderr.contains("note[SPEC165]"), "every rule is reported: {}", run.stderr);
    let lines = std::fs::read_to_string(root().join("spec.yaml")).expect("spec").lines().count();
    assert!(
        run.stderr.contains(&format!(
            "warning[SPEC118]: `XYZ` is not a gen rule, nor a code prefix: `select` is not applied until it names only \
             rules (every rule is reported)\n  --> spec.yaml:{}:",
            lines + 2
        )),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!(
            "warning[GEN003]: SPEC001 (yaml-syntax) keeps the output safe: it cannot be lowered to note\n  --> spec.yaml:{}:",
            lines + 4
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_mistyped_select_reports_every_rule_and_a_partial_run_does_not_call_an_ignore_unused() {
    let repo = repository();
    let config = repo.path().join(".gen-lint.yaml");
    // `DFF` names nothing: the run is not narrowed to nothing, and says why.
    std::fs::write(&config, "select: [DFF]\n").expect("write");
    let run = lint(repo.path(), &[]);
    let codes: Vec<String> = findings(&run).into_iter().map(|f| f.0).collect();
    assert!(codes.contains(&"GHA002".to_string()) && codes.contains(&"DF006".to_string()), "{codes:?}");
    assert!(codes.contains(&"SPEC118".to_string()), "{codes:?}");
    assert_eq!(run.code, 1);
    // An ignore for the root's Dockerfile, by a plain folder path and by `./`: a run over
    // `legacy/` alone cannot tell whether it silences something, and does not say it does not.
    std::fs::write(
        &config,
        "ignore:\n  - {rule: DF006, path: legacy, reason: retired in Q1}\n  - {rule: GHA002, path: ./.github/workflows/ci.yml, reason: pinned by the platform team}\n  - {rule: DF001, path: app/, reason: not yet}\n",
    )
    .expect("write");
    let run = lint(repo.path(), &["legacy"]);
    assert!(findings(&run).is_empty(), "{:?}", findings(&run));
    assert_eq!(run.code, 0);
    // The whole repository: the two that silence something do; the third is said.
    let run = lint(repo.path(), &[]);
    let all = findings(&run);
    assert!(!all.iter().any(|f| f.0 == "GHA002" || f.2 == "legacy/Dockerfile"), "{all:?}");
    assert!(all.contains(&("GEN002".into(), "warning".into(), ".gen-lint.yaml".into(), 4)), "{all:?}");
    // A rule that keeps the output safe is raised, never lowered: a file gen does not check,
    // named, is a note (GEN005), here a warning that fails a strict run.
    std::fs::write(&config, "severity:\n  - {rule: GEN005, level: warning}\n").expect("write");
    std::fs::write(repo.path().join("notes.txt"), "hello\n").expect("write");
    let run = lint(repo.path(), &["notes.txt", "--strict"]);
    assert_eq!(findings(&run), [("GEN005".into(), "warning".into(), "notes.txt".into(), 0)]);
    assert_eq!(run.code, 1);
}

#[test]
fn a_baseline_below_the_repository_s_root_means_the_same_in_another_checkout() {
    let repo = repository();
    std::fs::create_dir(repo.path().join("ci")).expect("mkdir");
    let run = lint(repo.path(), &["--baseline", "ci/gen-baseline.json", "--write-baseline"]);
    assert_eq!(run.code, 0, "{run:?}");
    let text = std::fs::read_to_string(repo.path().join("ci/gen-baseline.json")).expect("read");
    assert!(text.contains("\"../legacy/Dockerfile\""), "relative to the baseline's folder: {text}");
    assert!(!text.contains(&repo.path().display().to_string()), "no absolute path: {text}");
    // The same repository elsewhere (a CI checkout).
    let elsewhere = tempfile::tempdir().expect("tempdir");
    let copy = elsewhere.path().join("checkout");
    let status = std::process::Command::new("cp").arg("-a").arg(repo.path()).arg(&copy).status().expect("cp");
    assert!(status.success());
    let run = lint(&copy, &["--baseline", "ci/gen-baseline.json", "--strict"]);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(!run.stderr.contains("no finding any more"), "{}", run.stderr);
}
