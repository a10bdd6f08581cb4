//! Every rule of every group (the pipeline's stages and each artifact family) has a fixture
//! pair under `tests/fixtures/<group>/<CODE>/`: `fires` (a file `fires.*` or a folder `fires/`)
//! on which the rule fires at the place the expectation names, and `passes`, its near miss, on
//! which gen reports nothing. The expectation is the first line of the fires file
//! (`# expect: CODE at [FILE:]LINE:COL`) or, where that cannot be, a file `expect` beside it
//! (`CODE at FILE[:LINE:COL]`). A rule with cases its pair does not show has more files beside
//! it, `fires-<case>.*` (each with its `# expect:` line) and `passes-<case>.*`, held to the same.

use crate::common;

use std::path::{Path, PathBuf};

use common::{Gen, fixture};
use gen_core::diag::Severity;
use gen_core::registry;

/// Runs `gen lint --format json FILE` with the validators' Helm on the `PATH`: fixtures that
/// hold a chart are rendered by it.
fn lint_json(file: &Path) -> common::Run {
    let path = common::path_with_helm();
    Gen::new().args(["lint", "--format", "json"]).arg(file).env("PATH", path).run()
}

/// The entry named `stem` or `stem.<ext>` in a rule's fixture folder.
fn entry(dir: &Path, stem: &str) -> Option<PathBuf> {
    let mut found = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n == stem || n.to_string_lossy().starts_with(&format!("{stem}."))))
        .collect::<Vec<_>>();
    found.sort();
    found.into_iter().next()
}

/// The further cases of a rule beside its pair: the files `<stem>-<case>.*` of its folder.
fn cases(dir: &Path, stem: &str) -> Vec<PathBuf> {
    let prefix = format!("{stem}-");
    let Ok(read) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut found: Vec<PathBuf> = read
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&prefix)))
        .collect();
    found.sort();
    found
}

/// An expected finding: code, a suffix of its file (if given), line and column (0 for none).
#[derive(Debug)]
struct Expect {
    code: String,
    file: Option<String>,
    line: usize,
    column: usize,
}

fn parse_expect(text: &str) -> Expect {
    let (code, at) = text.trim().split_once(" at ").expect("CODE at [FILE:]L:C");
    let parts: Vec<&str> = at.rsplitn(3, ':').collect();
    let number = |s: &str| s.parse::<usize>().ok();
    let (file, line, column) = match parts.as_slice() {
        [c, l, f] if number(c).is_some() && number(l).is_some() => (Some(f.to_string()), number(l), number(c)),
        [c, l] if number(c).is_some() && number(l).is_some() => (None, number(l), number(c)),
        _ => (Some(at.to_string()), Some(0), Some(0)),
    };
    Expect { code: code.to_string(), file, line: line.unwrap_or(0), column: column.unwrap_or(0) }
}

fn expectation(dir: &Path, fires: &Path) -> Expect {
    if let Ok(bytes) = std::fs::read(fires) {
        let text = String::from_utf8_lossy(&bytes);
        if let Some(header) = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")) {
            return parse_expect(header);
        }
    }
    let text = std::fs::read_to_string(dir.join("expect"))
        .unwrap_or_else(|_| panic!("{}: no `# expect:` header and no expect file", fires.display()));
    parse_expect(&text)
}

/// A copy of the fixtures in a repository of their own. A deployment is read with the READMEs
/// above it up to its repository's root: fixtures linted in place would be read with this
/// project's own README too (which says what the local script installs), and a fixture must
/// hold what it needs itself.
fn fixtures() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    // `cp -a` keeps the fixtures that are symbolic links as links.
    let status = std::process::Command::new("cp")
        .arg("-a")
        .arg(fixture(""))
        .arg(dir.path().join("fixtures"))
        .status()
        .expect("cp");
    assert!(status.success(), "copying the fixtures");
    let status =
        std::process::Command::new("git").args(["init", "-q"]).arg(dir.path().join("fixtures")).status().expect("git");
    assert!(status.success(), "git init");
    dir
}

/// Every (group, rule code) with its fixture folder in the copy at `copy`.
fn rules(copy: &Path) -> Vec<(&'static str, &'static gen_core::diag::Rule, PathBuf)> {
    let root = copy.join("fixtures");
    registry::groups()
        .into_iter()
        .flat_map(|g| {
            let root = root.clone();
            g.rules.into_iter().map(move |r| (g.name, r, root.join(g.name).join(r.code)))
        })
        .collect()
}

#[test]
fn every_rule_of_every_group_has_a_fixture_pair() {
    let copy = fixtures();
    let missing: Vec<String> = rules(copy.path())
        .into_iter()
        .filter(|(_, _, dir)| entry(dir, "fires").is_none() || entry(dir, "passes").is_none())
        .map(|(g, r, _)| format!("{g}/{}", r.code))
        .collect();
    assert!(missing.is_empty(), "rules without a fires/passes fixture pair: {missing:?}");
}

#[test]
fn each_rule_fires_at_the_expected_place() {
    let copy = fixtures();
    for (group, rule, dir) in rules(copy.path()) {
        for fires in entry(&dir, "fires").into_iter().chain(cases(&dir, "fires")) {
            fires_where_expected(group, rule, &dir, &fires);
        }
    }
}

fn fires_where_expected(group: &str, rule: &gen_core::diag::Rule, dir: &Path, fires: &Path) {
    let expect = expectation(dir, fires);
    assert_eq!(expect.code, rule.code, "{}: the expectation names another rule", fires.display());
    let run = lint_json(fires);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let hit = report["diagnostics"].as_array().expect("diagnostics").iter().any(|d| {
        let n = |k: &str| d["location"][k].as_u64().unwrap_or(0) as usize;
        d["code"] == rule.code
            && n("line") == expect.line
            && n("column") == expect.column
            && expect.file.as_ref().is_none_or(|f| d["file"].as_str().is_some_and(|file| file.ends_with(f.as_str())))
    });
    assert!(hit, "{group}/{}: expected {expect:?}, got {:?}", rule.code, run.findings());
    // The exit code follows from what was found: 2 when an input did not load, 1 for
    // errors, 0 for warnings alone.
    let found: Vec<&gen_core::diag::Rule> =
        run.codes().iter().map(|c| registry::find(c).expect("a known rule")).collect();
    let expected_exit = if found.iter().any(|r| gen_core::pipeline::is_failure(r)) {
        2
    } else if found.iter().any(|r| r.severity == Severity::Error) {
        1
    } else {
        0
    };
    assert_eq!(run.code, expected_exit, "{}: {:?}", fires.display(), run.findings());
}

#[test]
fn each_rule_is_quiet_on_its_near_miss() {
    let copy = fixtures();
    for (group, rule, dir) in rules(copy.path()) {
        for passes in entry(&dir, "passes").into_iter().chain(cases(&dir, "passes")) {
            quiet(group, rule, &passes);
        }
    }
}

fn quiet(group: &str, rule: &gen_core::diag::Rule, passes: &Path) {
    let run = lint_json(passes);
    // Notes of other rules (the retired ingress controller) are news, not problems.
    assert_eq!(run.problems(), vec![], "{group}/{}: {}", rule.code, passes.display());
    assert!(!run.codes().contains(&rule.code.to_string()), "{group}/{}: {}", rule.code, passes.display());
    assert_eq!(run.code, 0, "{}", passes.display());
}

#[test]
fn the_valid_example_is_clean() {
    let run = lint_json(&fixture("specs/valid.yaml"));
    assert_eq!(run.problems(), vec![]);
    // On Azure its services route through the Gateway by default: no Ingress, no note that
    // ingress-nginx is retired.
    // Its base images follow their tags: noted (SPEC165), nothing else.
    let codes: Vec<String> = run.codes().into_iter().filter(|c| c != "SPEC165").collect();
    assert_eq!(codes, Vec::<String>::new(), "its services route through HTTPRoutes");
    assert_eq!(run.code, 0);
}

#[test]
fn an_ignored_rule_is_not_reported() {
    let text = std::fs::read_to_string(fixture("spec/SPEC112/fires.yaml")).expect("read");
    let text = text.replace("  ignore: []", "  ignore: [{rule: privileged-port, reason: \"a test of ignores\"}]");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spec.yaml");
    std::fs::write(&path, text).expect("write");
    let run = lint_json(&path);
    assert_eq!(run.problems(), vec![]);
    assert!(!run.codes().contains(&"SPEC112".to_string()));
    assert_eq!(run.code, 0);
}

/// A byte-order mark (which YAML allows and the loader skips) moves no finding of a YAML
/// family: each fires fixture reports the same rules at the same lines and columns with one.
#[test]
fn a_byte_order_mark_moves_no_finding_of_the_yaml_families() {
    let dir = tempfile::tempdir().expect("tempdir");
    let copy = fixtures();
    for (group, rule, fixtures) in
        rules(copy.path()).into_iter().filter(|(g, _, _)| ["kubernetes", "workflow"].contains(g))
    {
        // A fixture that is a folder (a chart, a set of manifests) is read as several files.
        let files = entry(&fixtures, "fires").filter(|f| f.is_file()).into_iter().chain(cases(&fixtures, "fires"));
        for fires in files {
            let text = std::fs::read_to_string(&fires).expect("read");
            let with_bom = dir.path().join(fires.file_name().expect("name"));
            std::fs::write(&with_bom, format!("\u{feff}{text}")).expect("write");
            assert_eq!(lint_json(&with_bom).findings(), lint_json(&fires).findings(), "{group}/{}", rule.code);
        }
    }
}
