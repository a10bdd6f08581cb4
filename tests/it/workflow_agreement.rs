//! The workflow rules say what the ecosystem's own tools say. zizmor (offline, pedantic
//! persona, so that every audit that has a say runs) reports the counterpart audit of each rule
//! on the rule's `fires` fixture at the line gen reports, and not on its near miss; where it
//! does not, the reason is written next to the rule below. actionlint (with shellcheck) reads
//! every fixture, finds nothing at all in any near miss, and reports its own counterparts.
//! zizmor's workflow schema refuses what GHA001 refuses and accepts every other fixture. And
//! the pins gen embeds, and every pin the fixtures write, are the shared list's. A rule's
//! further cases (`fires-<case>.yml`, `passes-<case>.yml`) are held to the same as its pair.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use common::{fixture, lint_json, validator, validators};

/// How zizmor's location of a finding compares with gen's.
#[derive(Clone, Copy, Debug)]
enum Place {
    /// zizmor's primary location starts on gen's line.
    Primary,
    /// One of zizmor's related locations starts on gen's line (its primary one is the whole
    /// workflow).
    Related,
    /// zizmor's primary location spans several lines, gen's line among them.
    Within,
}

/// Each rule with its zizmor counterpart, as zizmor places it.
const ZIZMOR: &[(&str, &str, Place)] = &[
    ("GHA002", "unpinned-uses", Place::Primary),
    // The job without permissions (zizmor's regular finding; the pedantic one is the workflow).
    ("GHA003", "excessive-permissions", Place::Primary),
    // zizmor points inside the braces (`github.event...`), gen at `${{`: the same line.
    ("GHA005", "template-injection", Place::Primary),
    // zizmor points at the `credentials:` block, gen at the literal password inside it.
    ("GHA006", "hardcoded-container-credentials", Place::Within),
    ("GHA012", "artipacked", Place::Primary),
    // zizmor's primary location is the workflow missing `concurrency`; the deploy job is a
    // related one. (It asks every workflow for `concurrency`; gen only deploys.)
    ("GHA014", "concurrency-limits", Place::Related),
    ("GHA016", "cache-poisoning", Place::Primary),
    ("GHA017", "bot-conditions", Place::Primary),
    // zizmor's primary location is the `uses:` of the called workflow, `secrets: inherit` a related one.
    ("GHA018", "secrets-inherit", Place::Related),
    ("GHA019", "unsound-contains", Place::Primary),
];

// Rules whose counterpart does not meet gen's finding, and why (checked where it can be):
// - GHA009: zizmor's `dangerous-triggers` reports the `pull_request_target` trigger itself, on
//   the near miss too (which never runs the pull request's code); gen reports the checkout of
//   the pull request's code. See `zizmor_reports_the_trigger_where_gha009_reports_the_checkout`.
// - GHA011: zizmor's `known-vulnerable-actions` asks GitHub's advisory database: an online
//   audit, absent from `--offline` runs.
// - GHA004: zizmor's `excessive-permissions` reports `id-token: write` at the workflow level
//   only; GHA004's fixture grants it in a job.
// - GHA015: zizmor's `github-env` reports writes to `$GITHUB_ENV` in workflows with dangerous
//   triggers only (it meets `fires-workflow-run.yml`); gen also reports untrusted text
//   written there under any trigger (`fires.yml`), which zizmor leaves to template-injection.
// - GHA001, GHA007, GHA008, GHA010, GHA013: no zizmor audit (GHA001 is zizmor's schema check,
//   below).

fn fires(code: &str) -> PathBuf {
    fixture(&format!("workflow/{code}/fires.yml"))
}

fn passes(code: &str) -> PathBuf {
    fixture(&format!("workflow/{code}/passes.yml"))
}

/// A rule's further cases beside its pair (`fires-<case>.yml`, `passes-<case>.yml`), sorted.
fn cases(code: &str, stem: &str) -> Vec<PathBuf> {
    let prefix = format!("{stem}-");
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixture(&format!("workflow/{code}")))
        .expect("a rule's fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
        .collect();
    found.sort();
    found
}

/// A rule's fires fixture and its further fires cases.
fn all_fires(code: &str) -> Vec<PathBuf> {
    std::iter::once(fires(code)).chain(cases(code, "fires")).collect()
}

/// A rule's near miss and its further near misses.
fn all_passes(code: &str) -> Vec<PathBuf> {
    std::iter::once(passes(code)).chain(cases(code, "passes")).collect()
}

/// Every fixture of the family, near misses first.
fn fixtures() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut codes: Vec<String> = std::fs::read_dir(fixture("workflow"))
        .expect("workflow fixtures")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    codes.sort();
    assert!(codes.len() >= 14, "workflow fixtures: {codes:?}");
    (codes.iter().flat_map(|c| all_passes(c)).collect(), codes.iter().flat_map(|c| all_fires(c)).collect())
}

/// One location of a zizmor finding: its kind (`Primary`, `Related`) and its 1-based lines.
#[derive(Debug)]
struct Location {
    kind: String,
    start: usize,
    end: usize,
}

/// zizmor's findings on `files`, by file and audit.
fn zizmor(files: &[PathBuf]) -> BTreeMap<(PathBuf, String), Vec<Location>> {
    let out = validator("zizmor")
        .args(["--offline", "--persona=pedantic", "--format=json", "--no-config", "--no-exit-codes", "--no-progress"])
        .args(files)
        .output()
        .expect("zizmor runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "zizmor failed:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    let report: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("zizmor's report is not JSON ({e}):\n{stdout}"));
    let mut found: BTreeMap<(PathBuf, String), Vec<Location>> = BTreeMap::new();
    for finding in report.as_array().expect("a list of findings") {
        let audit = finding["ident"].as_str().expect("ident").to_string();
        for loc in finding["locations"].as_array().expect("locations") {
            let path = loc["symbolic"]["key"]["Local"]["verbatim_path"].as_str().expect("a local file");
            let row = |p: &str| loc["concrete"]["location"][p]["row"].as_u64().expect("row") as usize + 1;
            let location = Location {
                kind: loc["symbolic"]["kind"].as_str().unwrap_or("").to_string(),
                start: row("start_point"),
                end: row("end_point"),
            };
            found.entry((PathBuf::from(path), audit.clone())).or_default().push(location);
        }
    }
    found
}

/// The lines at which gen reports `code` in `file`.
fn gen_lines(file: &Path, code: &str) -> Vec<usize> {
    lint_json(file).findings().into_iter().filter(|(c, _, _)| c == code).map(|(_, line, _)| line).collect()
}

#[test]
fn zizmor_reports_each_counterpart_where_gen_does_and_not_on_the_near_miss() {
    let files: Vec<PathBuf> =
        ZIZMOR.iter().flat_map(|(ours, _, _)| all_fires(ours).into_iter().chain(all_passes(ours))).collect();
    let found = zizmor(&files);
    for (ours, theirs, place) in ZIZMOR {
        for fires in all_fires(ours) {
            let lines = gen_lines(&fires, ours);
            assert!(!lines.is_empty(), "{ours}: gen reports nothing on {}", fires.display());
            let none = Vec::new();
            let at = found.get(&(fires.clone(), theirs.to_string())).unwrap_or(&none);
            let meets = |line: usize| {
                at.iter().any(|l| match place {
                    Place::Primary => l.kind == "Primary" && l.start == line,
                    Place::Related => l.kind == "Related" && l.start == line,
                    Place::Within => l.kind == "Primary" && (l.start..=l.end).contains(&line),
                })
            };
            assert!(
                lines.iter().copied().all(meets),
                "{ours}: zizmor's {theirs} is not at gen's lines {lines:?} ({place:?}) in {}: {at:?}",
                fires.display()
            );
        }
        for passes in all_passes(ours) {
            assert!(
                !found.contains_key(&(passes.clone(), theirs.to_string())),
                "{ours}: zizmor reports {theirs} on the near miss {}",
                passes.display()
            );
        }
    }
}

#[test]
fn zizmor_reports_the_trigger_where_gha009_reports_the_checkout() {
    let found = zizmor(&[fires("GHA009"), passes("GHA009")]);
    let trigger = |file: PathBuf| {
        let text = std::fs::read_to_string(&file).expect("read");
        let line = text.lines().position(|l| l.trim() == "pull_request_target:").expect("the trigger") + 1;
        let at = found.get(&(file.clone(), "dangerous-triggers".to_string()));
        assert!(
            at.is_some_and(|locs| locs.iter().any(|l| l.kind == "Primary" && l.start == line)),
            "zizmor does not report the trigger at line {line} of {}: {at:?}",
            file.display()
        );
    };
    trigger(fires("GHA009"));
    trigger(passes("GHA009"));
    assert_eq!(gen_lines(&fires("GHA009"), "GHA009").len(), 1);
    assert_eq!(gen_lines(&passes("GHA009"), "GHA009"), Vec::<usize>::new());
}

#[test]
fn zizmors_schema_refuses_what_gha001_refuses_and_reads_every_other_fixture() {
    let strict = |files: &[PathBuf]| {
        validator("zizmor")
            .args([
                "--offline",
                "--strict-collection",
                "--no-config",
                "--no-exit-codes",
                "--no-progress",
                "--format=json",
            ])
            .args(files)
            .output()
            .expect("zizmor runs")
    };
    let (near_misses, fires_all) = fixtures();
    let others: Vec<PathBuf> = near_misses.into_iter().chain(fires_all).filter(|f| *f != fires("GHA001")).collect();
    let out = strict(&others);
    assert!(
        out.status.success(),
        "zizmor cannot read a fixture as a workflow:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = strict(&[fires("GHA001")]);
    assert!(!out.status.success(), "zizmor reads {} as a workflow", fires("GHA001").display());
}

/// actionlint's findings on `files` as (file, kind, line), with shellcheck for `run:` scripts.
fn actionlint(files: &[PathBuf]) -> Vec<(PathBuf, String, usize)> {
    let shellcheck = validators().join("venv/bin/shellcheck");
    assert!(shellcheck.is_file(), "shellcheck is not in {}", shellcheck.display());
    let out = validator("actionlint")
        .args(["-no-color", "-format", "{{json .}}", "-shellcheck"])
        .arg(&shellcheck)
        .args(files)
        .output()
        .expect("actionlint runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    // 0: clean, 1: findings; anything else is actionlint failing.
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "actionlint failed:\n{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(if stdout.trim().is_empty() { "[]" } else { &stdout })
        .unwrap_or_else(|e| panic!("actionlint's report is not JSON ({e}):\n{stdout}"));
    report
        .as_array()
        .expect("a list of errors")
        .iter()
        .map(|e| {
            // actionlint names files relative to its working folder, the repository.
            let file = common::root().join(e["filepath"].as_str().expect("filepath"));
            (file, e["kind"].as_str().unwrap_or("").to_string(), e["line"].as_u64().unwrap_or(0) as usize)
        })
        .collect()
}

#[test]
fn actionlint_finds_nothing_in_the_near_misses_and_reads_every_fixture() {
    let (near_misses, fires_all) = fixtures();
    let found = actionlint(&near_misses);
    assert_eq!(found, vec![], "actionlint reports on near misses");
    let syntax: Vec<_> = actionlint(&fires_all)
        .into_iter()
        .filter(|(f, kind, _)| kind == "syntax-check" && *f != fires("GHA001"))
        .collect();
    assert_eq!(syntax, vec![], "actionlint cannot read a fires fixture as a workflow");
}

#[test]
fn actionlint_reports_its_counterparts_where_gen_does() {
    // GHA001 and GHA006 at gen's line.
    for (ours, theirs) in [("GHA001", "syntax-check"), ("GHA006", "credentials")] {
        let lines = gen_lines(&fires(ours), ours);
        let found = actionlint(&[fires(ours)]);
        let at: Vec<usize> = found.iter().filter(|(_, k, _)| k == theirs).map(|(_, _, l)| *l).collect();
        assert!(
            !lines.is_empty() && lines.iter().all(|l| at.contains(l)),
            "{ours}: gen at {lines:?}, actionlint's {theirs} at {at:?}"
        );
    }
    // GHA005: actionlint's `expression` ("potentially untrusted") places what it finds inside a
    // `run: |` block on the line of `run:` itself, so only the report is compared. (It does
    // not follow `env`: the `${{ env.TITLE }}` of `fires-env.yml` is zizmor's alone.)
    let found = actionlint(&[fires("GHA005")]);
    assert!(found.iter().any(|(_, k, _)| k == "expression"), "actionlint does not report GHA005's fixture: {found:?}");
    // An expression never closed: actionlint's `expression` ("unexpected character '$' while
    // lexing expression") at gen's line.
    let unclosed = fixture("workflow/GHA001/fires-unclosed-expression.yml");
    let lines = gen_lines(&unclosed, "GHA001");
    let at: Vec<usize> = actionlint(std::slice::from_ref(&unclosed))
        .into_iter()
        .filter(|(_, k, _)| k == "expression")
        .map(|(_, _, l)| l)
        .collect();
    assert!(
        !lines.is_empty() && lines.iter().all(|l| at.contains(l)),
        "GHA001: gen at {lines:?}, actionlint at {at:?}"
    );
}

#[test]
fn the_embedded_pins_are_the_shared_list_and_every_fixture_pin_is_in_it() {
    let shared = std::fs::read(common::shared_github_actions_pins()).expect("read the shared pins");
    let embedded =
        std::fs::read(common::root().join("schemas/github-actions-pins.json")).expect("read the embedded pins");
    assert!(shared == embedded, "schemas/github-actions-pins.json differs from the shared list: copy it");
    let pins: Vec<serde_json::Value> = serde_json::from_slice(&shared).expect("the pins are JSON");
    let known = |action: &str, sha: &str, tag: &str| {
        let repo = |a: &str| a.splitn(3, '/').take(2).collect::<Vec<_>>().join("/").to_ascii_lowercase();
        pins.iter()
            .any(|p| repo(p["action"].as_str().unwrap_or("")) == repo(action) && p["sha"] == sha && p["tag"] == tag)
    };
    let (near_misses, fires_all) = fixtures();
    let mut checked = 0;
    for file in near_misses.iter().chain(&fires_all) {
        let text = std::fs::read_to_string(file).expect("read");
        for line in text.lines() {
            let Some(uses) = line.trim_start().trim_start_matches("- ").strip_prefix("uses: ") else { continue };
            let Some((target, tag)) = uses.split_once(" # ") else { continue };
            let Some((action, sha)) = target.split_once('@') else { continue };
            assert!(known(action, sha, tag.trim()), "{}: `{uses}` is not a pin of the shared list", file.display());
            checked += 1;
        }
    }
    assert!(checked > 30, "only {checked} pins checked");
}
