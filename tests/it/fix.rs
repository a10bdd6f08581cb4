//! `gen lint --fix`: on every `fires` fixture of a rule that has a fix, the fix silences the
//! rule, changes only the lines it edits, is idempotent, and leaves a file the ecosystem's own
//! validator judges no worse (hadolint, actionlint and zizmor, kubernetes-validate); and the
//! command's promises: `--diff` writes nothing, unsafe fixes wait for `--unsafe-fixes`, line
//! endings are kept, a file gen renders and owns is refused, permissions are kept.

use crate::common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::{Gen, fixture, lint_json, validator};

/// Fires fixtures on which no fix applies, and why: the value is written, and what to write
/// instead is the author's choice.
const NO_FIX: [&str; 3] = [
    "kubernetes/K8S019/fires.yaml", // seccompProfile: {type: Unconfined} is written
    "kubernetes/K8S025/fires.yaml", // capabilities: {drop: [NET_RAW]} is written
    "kubernetes/K8S026/fires.yaml", // readOnlyRootFilesystem: false is written
];

/// Fires fixtures whose fix may change what the file does: applied only with `--unsafe-fixes`.
const UNSAFE_ONLY: [&str; 8] = [
    "dockerfile/DF004/fires.Dockerfile",  // drops recommended packages
    "workflow/GHA002/fires.yml",          // @v4 → the listed v4.x.y release
    "workflow/GHA003/fires.yml",          // contents: read may take a right a job uses
    "kubernetes/K8S022/fires.yaml",       // setuid programs stop gaining rights
    "kubernetes/K8S023/fires.yaml",       // a root image stops starting
    "kubernetes/K8S025/fires-unset.yaml", // root loses chown, low ports
    "kubernetes/K8S026/fires-unset.yaml", // an application that writes fails
    "kubernetes/K8S027/fires.yaml",       // an API client loses its token
];

/// Every fires fixture (`fires.*`, `fires-<case>.*` files) of a rule `--fix` knows, as
/// `family/CODE/file`.
fn fixable_fixtures() -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for family in ["dockerfile", "workflow", "kubernetes"] {
        let mut dirs: Vec<PathBuf> =
            std::fs::read_dir(fixture(family)).expect("fixtures").flatten().map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            let code = dir.file_name().expect("name").to_string_lossy().into_owned();
            if gen_core::fix::fixer(&code).is_none() {
                continue;
            }
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
                .expect("fixture folder")
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("fires")))
                .collect();
            files.sort();
            for file in files {
                let rel = format!("{family}/{code}/{}", file.file_name().expect("name").to_string_lossy());
                out.push((code.clone(), rel, file));
            }
        }
    }
    out
}

/// A copy of a fixture in a folder of its own (a repository, so that its boundary is that
/// folder), under the name it has in the fixtures.
fn copy(file: &Path) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let to = dir.path().join(file.file_name().expect("name"));
    std::fs::copy(file, &to).expect("copy");
    (dir, to)
}

fn fix(file: &Path, unsafe_fixes: bool) -> common::Run {
    let mut args = vec!["lint", "--format", "json", "--fix"];
    if unsafe_fixes {
        args.push("--unsafe-fixes");
    }
    Gen::new().args(args).arg(file).run()
}

/// The line (1-based) of the first line of a fixture's `# expect: CODE at L:C` header.
fn expected_line(text: &str) -> usize {
    let header = text.lines().next().and_then(|l| l.strip_prefix("# expect: ")).expect("expect header");
    let at = header.split(" at ").nth(1).expect("at");
    at.split(':').next().and_then(|l| l.parse().ok()).expect("line")
}

/// The lines of `old` that a line diff to `new` removes or replaces (1-based).
fn changed_old_lines(old: &str, new: &str) -> Vec<usize> {
    let diff = similar::TextDiff::from_lines(old, new);
    diff.iter_all_changes()
        .filter(|c| c.tag() == similar::ChangeTag::Delete)
        .filter_map(|c| c.old_index().map(|i| i + 1))
        .collect()
}

/// What a validator says about a file, as a set of finding names; `None` when it cannot read it.
fn hadolint(file: &Path) -> BTreeSet<String> {
    let out = validator("hadolint")
        .args(["--no-color", "--failure-threshold", "none", "--format", "json"])
        .arg(file)
        .output()
        .expect("hadolint");
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("hadolint json");
    found.as_array().expect("list").iter().map(|f| f["code"].as_str().unwrap_or_default().to_string()).collect()
}

fn actionlint(file: &Path) -> BTreeSet<String> {
    let home = common::validators();
    let out = validator("actionlint")
        .args(["-format", "{{range $err := .}}{{$err.Kind}}: {{$err.Message}}\n{{end}}"])
        .arg("-shellcheck")
        .arg(home.join("venv/bin/shellcheck"))
        .arg(file)
        .output()
        .expect("actionlint");
    String::from_utf8_lossy(&out.stdout).lines().map(str::to_string).collect()
}

fn zizmor(file: &Path) -> BTreeSet<String> {
    let out = validator("zizmor")
        .args(["--offline", "--persona=pedantic", "--format=json", "--no-config", "--no-exit-codes", "--no-progress"])
        .arg(file)
        .output()
        .expect("zizmor");
    let found: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("zizmor: {e}: {}", String::from_utf8_lossy(&out.stderr)));
    found.as_array().expect("list").iter().map(|f| f["ident"].as_str().unwrap_or_default().to_string()).collect()
}

fn kubernetes_validate(file: &Path) -> Result<(), String> {
    let out = validator("kubernetes-validate").args(["--strict", "--quiet"]).arg(file).output().expect("runs");
    if out.status.success() {
        Ok(())
    } else {
        Err(format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
    }
}

/// The validator's counterpart of each fixed rule, which the fix must silence too.
fn counterpart(code: &str) -> Option<&'static str> {
    Some(match code {
        "DF003" => "DL3020",
        "DF004" => "DL3015",
        "DF006" => "DL3042",
        "DF011" => "DL3021",
        "DF012" => "DL3025",
        "GHA002" => "unpinned-uses",
        "GHA012" => "artipacked",
        _ => return None,
    })
}

/// Holds the fixed file to the family's validator: no finding it did not have before, and the
/// counterpart of the fixed rule gone.
fn judged_no_worse(code: &str, original: &Path, fixed: &Path) {
    match &code[..2] {
        "DF" => {
            let (before, after) = (hadolint(original), hadolint(fixed));
            assert!(after.is_subset(&before), "{code}: hadolint finds more after the fix: {before:?} → {after:?}");
            if let Some(theirs) = counterpart(code) {
                assert!(before.contains(theirs) && !after.contains(theirs), "{code}: hadolint {before:?} → {after:?}");
            }
        }
        "GH" => {
            let (before, after) = (actionlint(original), actionlint(fixed));
            assert!(after.is_subset(&before), "{code}: actionlint finds more after the fix: {before:?} → {after:?}");
            let (before, after) = (zizmor(original), zizmor(fixed));
            assert!(after.is_subset(&before), "{code}: zizmor finds more after the fix: {before:?} → {after:?}");
            if let Some(theirs) = counterpart(code) {
                assert!(before.contains(theirs) && !after.contains(theirs), "{code}: zizmor {before:?} → {after:?}");
            }
        }
        _ => {
            kubernetes_validate(original).unwrap_or_else(|e| panic!("{code}: the fixture itself: {e}"));
            kubernetes_validate(fixed).unwrap_or_else(|e| panic!("{code}: after the fix: {e}"));
        }
    }
}

#[test]
fn every_fixable_fires_fixture_is_fixed_minimally_idempotently_and_stays_valid() {
    let fixtures = fixable_fixtures();
    assert!(fixtures.len() >= 16, "{} fixtures", fixtures.len());
    for (code, rel, file) in fixtures {
        let original = std::fs::read_to_string(&file).expect("read");
        for unsafe_fixes in [false, true] {
            let (_dir, copy) = copy(&file);
            let run = fix(&copy, unsafe_fixes);
            assert_ne!(run.code, 2, "{rel}: {}", run.stderr);
            let fixed = std::fs::read_to_string(&copy).expect("read");
            let should_fix = !NO_FIX.contains(&rel.as_str()) && (unsafe_fixes || !UNSAFE_ONLY.contains(&rel.as_str()));
            let mode = if unsafe_fixes { "--fix --unsafe-fixes" } else { "--fix" };
            if !should_fix {
                assert_eq!(fixed, original, "{rel}: {mode} changed a file it has no fix for");
                continue;
            }
            assert_ne!(fixed, original, "{rel}: {mode} did not fix it: {}", run.stderr);
            // The rule is silent, and no other rule speaks that did not before.
            let before: BTreeSet<String> = lint_json(&file).codes().into_iter().collect();
            let after: BTreeSet<String> = lint_json(&copy).codes().into_iter().collect();
            assert!(!after.contains(&code), "{rel}: {code} still fires after {mode}");
            assert!(after.is_subset(&before), "{rel}: {mode} made new findings: {before:?} → {after:?}");
            // Only the finding's own line is replaced; every other line is kept (lines may be
            // added next to it).
            let changed = changed_old_lines(&original, &fixed);
            let line = expected_line(&original);
            assert!(changed.iter().all(|l| *l == line), "{rel}: {mode} changed lines {changed:?}, not only {line}");
            // The report that follows the fix is what is left, and the exit code follows it.
            let left: BTreeSet<String> = run.codes().into_iter().collect();
            assert_eq!(left, after, "{rel}: the report after {mode}");
            // A second run changes nothing.
            let again = fix(&copy, true);
            assert_eq!(std::fs::read_to_string(&copy).expect("read"), fixed, "{rel}: a second fix changed the file");
            assert!(!again.stderr.contains("fixed"), "{rel}: a second fix says it fixed: {}", again.stderr);
            judged_no_worse(&code, &file, &copy);
        }
    }
}

#[test]
fn diff_prints_the_fix_and_writes_nothing() {
    let (_dir, file) = copy(&fixture("dockerfile/DF003/fires.Dockerfile"));
    let before = std::fs::read(&file).expect("read");
    let run = Gen::new().args(["lint", "--fix", "--diff"]).arg(&file).run();
    assert_eq!(std::fs::read(&file).expect("read"), before, "--diff wrote the file");
    assert!(run.stdout.contains("-ADD app/ ./app/\n+COPY app/ ./app/\n"), "{}", run.stdout);
    assert!(run.stdout.contains("@@ -12,7 +12,7 @@"), "{}", run.stdout);
    assert_eq!(run.code, 1, "a fix to make: {}", run.stderr);
    // Nothing to fix: no diff, exit 0.
    let (_dir, clean) = copy(&fixture("dockerfile/DF003/passes.Dockerfile"));
    let run = Gen::new().args(["lint", "--fix", "--diff"]).arg(&clean).run();
    assert_eq!((run.code, run.stdout.as_str()), (0, ""), "{}", run.stderr);
}

#[test]
fn unsafe_fixes_wait_for_their_flag() {
    let (_dir, file) = copy(&fixture("dockerfile/DF004/fires.Dockerfile"));
    let before = std::fs::read_to_string(&file).expect("read");
    let run = Gen::new().args(["lint", "--fix"]).arg(&file).run();
    assert_eq!(std::fs::read_to_string(&file).expect("read"), before);
    assert!(run.stderr.contains("--unsafe-fixes"), "{}", run.stderr);
    assert!(run.stdout.contains("DF004"), "the finding is still reported: {}", run.stdout);
    let run = Gen::new().args(["lint", "--fix", "--unsafe-fixes"]).arg(&file).run();
    let after = std::fs::read_to_string(&file).expect("read");
    assert_eq!(after, before.replace("apt-get install -y curl", "apt-get install --no-install-recommends -y curl"));
    assert!(run.stderr.contains("fixed 1 finding: DF004 (line 10)"), "{}", run.stderr);
    assert_eq!(run.code, 0, "nothing left: {}", run.stdout);
    // The flags need --fix.
    assert_eq!(Gen::new().args(["lint", "--unsafe-fixes"]).arg(&file).run().code, 2);
    assert_eq!(Gen::new().args(["lint", "--diff"]).arg(&file).run().code, 2);
}

#[test]
fn crlf_line_endings_are_kept() {
    for (rel, unsafe_fixes) in [
        ("workflow/GHA012/fires.yml", false),
        ("dockerfile/DF012/fires.Dockerfile", false),
        ("kubernetes/K8S019/fires-unset.yaml", false),
        ("workflow/GHA003/fires.yml", true),
    ] {
        let (_dir, file) = copy(&fixture(rel));
        let crlf = std::fs::read_to_string(&file).expect("read").replace('\n', "\r\n");
        std::fs::write(&file, &crlf).expect("write");
        let run = fix(&file, unsafe_fixes);
        let fixed = std::fs::read_to_string(&file).expect("read");
        assert_ne!(fixed, crlf, "{rel}: not fixed: {}", run.stderr);
        let bare = fixed.match_indices('\n').filter(|(i, _)| *i == 0 || fixed.as_bytes()[i - 1] != b'\r').count();
        assert_eq!(bare, 0, "{rel}: a line ends in LF alone:\n{fixed}");
        let line = expected_line(&crlf);
        assert!(changed_old_lines(&crlf, &fixed).iter().all(|l| *l == line), "{rel}:\n{fixed}");
    }
}

#[test]
fn a_file_gen_renders_and_owns_is_not_fixed() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let out = dir.path().join("out/services/shop");
    std::fs::create_dir_all(&out).expect("mkdir");
    let dockerfile = out.join("Dockerfile");
    std::fs::copy(fixture("dockerfile/DF003/fires.Dockerfile"), &dockerfile).expect("copy");
    let manifest = serde_json::json!({
        "generator": "gen 0.1.0",
        "spec": "../spec.yaml",
        "specSha256": "0".repeat(64),
        "files": [{"path": "services/shop/Dockerfile", "ownership": "managed", "sha256": "0".repeat(64)}],
    });
    std::fs::write(dir.path().join("out/.gen-manifest.json"), manifest.to_string()).expect("write");
    let before = std::fs::read(&dockerfile).expect("read");
    let run = Gen::new().args(["lint", "--fix"]).arg(&dockerfile).run();
    assert_eq!(std::fs::read(&dockerfile).expect("read"), before, "an owned file was rewritten");
    assert!(run.stderr.contains("not fixed: gen renders it and owns it"), "{}", run.stderr);
    assert!(run.stderr.contains("fix the spec or the blueprint"), "{}", run.stderr);
    assert!(run.stdout.contains("DF003"), "the finding is still reported: {}", run.stdout);
    // A scaffold file (the user's from its first render) is fixed.
    let scaffold = manifest.to_string().replace("\"managed\"", "\"scaffold\"");
    std::fs::write(dir.path().join("out/.gen-manifest.json"), scaffold).expect("write");
    let run = Gen::new().args(["lint", "--fix"]).arg(&dockerfile).run();
    assert_ne!(std::fs::read(&dockerfile).expect("read"), before, "{}", run.stderr);
}

#[test]
fn a_fixed_file_keeps_its_permissions_and_a_link_inside_the_repository_stays_a_link() {
    use std::os::unix::fs::PermissionsExt as _;
    let (dir, file) = copy(&fixture("dockerfile/DF006/fires.Dockerfile"));
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
    let link = dir.path().join("Dockerfile");
    std::os::unix::fs::symlink(file.file_name().expect("name"), &link).expect("link");
    let run = Gen::new().args(["lint", "--fix"]).arg(&link).run();
    assert!(run.stderr.contains("fixed 1 finding: DF006"), "{}", run.stderr);
    assert!(std::fs::symlink_metadata(&link).expect("stat").file_type().is_symlink(), "the link was replaced");
    assert!(std::fs::read_to_string(&file).expect("read").contains("pip install --no-cache-dir -r"));
    assert_eq!(std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777, 0o640);
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".gen-fix"))
        .collect();
    assert!(leftovers.is_empty(), "temporary files left: {leftovers:?}");
}

#[test]
fn explain_and_the_rule_reference_say_which_rules_have_a_fix_and_whether_it_is_safe() {
    for f in gen_core::fix::FIXERS {
        let rule = gen_core::registry::find(f.code).unwrap_or_else(|| panic!("{}: a fix for no rule", f.code));
        assert!(["safe", "unsafe", "safe or unsafe"].contains(&f.safety), "{}: {}", f.code, f.safety);
        assert!(f.doc.contains("--fix"), "{}: the fix's doc says how it is run", f.code);
        let run = Gen::new().args(["explain", f.code]).run();
        assert!(run.stdout.contains(&format!("## Fix ({})\n{}", f.safety, f.doc)), "{}: {}", f.code, run.stdout);
        assert!(gen_core::registry::markdown().contains(&format!("### Fix ({})\n\n{}", f.safety, f.doc)), "{}", f.code);
        let listed = Gen::new().arg("explain").run();
        let line = listed.stdout.lines().find(|l| l.starts_with(&format!("{} ", rule.code))).expect("listed");
        assert!(line.ends_with(&format!("[fix: {}]", f.safety)), "{line}");
    }
    let listed = Gen::new().arg("explain").run();
    let marked = listed.stdout.lines().filter(|l| l.contains("[fix: ")).count();
    assert_eq!(marked, gen_core::fix::FIXERS.len(), "only rules with a fix are marked");
}

#[test]
fn a_pin_keeps_the_quotes_and_the_comments_of_its_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
    std::fs::create_dir_all(dir.path().join(".github/workflows")).expect("mkdir");
    let file = dir.path().join(".github/workflows/ci.yml");
    let checkout = gen_core::lint::workflow::pins::all().iter().find(|p| p.action == "actions/checkout").expect("pin");
    let text = format!(
        "on: push\npermissions: {{contents: read}}\njobs:\n  ci:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      \
         - uses: \"actions/checkout@{tag}\" # reviewed by ops\n        with: {{persist-credentials: false}}\n      \
         - uses: actions/checkout@{tag} # {tag}\n        with: {{persist-credentials: false}}\n",
        tag = checkout.tag
    );
    std::fs::write(&file, &text).expect("write");
    let run = Gen::new().args(["lint", "--fix"]).arg(&file).run();
    let fixed = std::fs::read_to_string(&file).expect("read");
    let sha = &checkout.sha;
    let tag = &checkout.tag;
    assert!(
        fixed.contains(&format!("- uses: \"actions/checkout@{sha}\" # {tag} # reviewed by ops\n")),
        "{fixed}\n{}",
        run.stderr
    );
    // A comment that only named the version is the one the pin's replaces.
    assert!(fixed.contains(&format!("- uses: actions/checkout@{sha} # {tag}\n")), "{fixed}");
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn a_link_out_of_the_repository_is_neither_read_nor_written() {
    let base = tempfile::tempdir().expect("tempdir");
    let repo = base.path().join("repo");
    std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
    let outside = base.path().join("Dockerfile");
    std::fs::copy(fixture("dockerfile/DF003/fires.Dockerfile"), &outside).expect("copy");
    let before = std::fs::read(&outside).expect("read");
    let link = repo.join("Dockerfile");
    std::os::unix::fs::symlink(&outside, &link).expect("link");
    let run = Gen::new().args(["lint", "--fix"]).arg(&link).run();
    assert_eq!(std::fs::read(&outside).expect("read"), before, "a file outside the repository was written");
    assert!(run.stdout.contains("GEN001"), "{}", run.stdout);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

/// A file written into a fresh repository, and what `gen lint --fix` (with `--unsafe-fixes`
/// when asked) leaves in it.
fn fixed_text(name: &str, text: &str, unsafe_fixes: bool) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(dir.path().join(".git")).expect("mkdir");
    let file = dir.path().join(name);
    std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
    std::fs::write(&file, text).expect("write");
    fix(&file, unsafe_fixes);
    std::fs::read_to_string(&file).expect("read")
}

#[test]
fn a_checkout_whose_job_pushes_keeps_its_credentials_unless_unsafe_fixes_are_asked_for() {
    let checkout = gen_core::lint::workflow::pins::all().iter().find(|p| p.action == "actions/checkout").expect("pin");
    let text = format!(
        "on: push\npermissions: {{contents: write}}\njobs:\n  tag:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    \
         steps:\n      - uses: actions/checkout@{} # {}\n      - run: git tag v1 && git push --tags\n",
        checkout.sha, checkout.tag
    );
    let name = ".github/workflows/tag.yml";
    assert_eq!(fixed_text(name, &text, false), text, "the push needs the persisted token");
    let fixed = fixed_text(name, &text, true);
    assert!(fixed.contains("\n        with:\n          persist-credentials: false\n      - run: git tag"), "{fixed}");
}

#[test]
fn add_of_a_file_without_an_extension_is_unsafe_and_of_an_archive_not_fixed() {
    let base = "FROM python:3.12-slim\nUSER 10001\n";
    let no_extension = format!("{base}ADD app /app\n");
    assert_eq!(fixed_text("Dockerfile", &no_extension, false), no_extension, "ADD unpacks an archive by content");
    assert_eq!(fixed_text("Dockerfile", &no_extension, true), format!("{base}COPY app /app\n"));
    let archive = format!("{base}ADD app.py vendor.tar.gz /app/\n");
    assert_eq!(fixed_text("Dockerfile", &archive, true), archive, "COPY would not unpack vendor.tar.gz");
    let lower = format!("{base}add --chown=10001 app.py /app/\n");
    assert_eq!(fixed_text("Dockerfile", &lower, false), format!("{base}copy --chown=10001 app.py /app/\n"));
}

/// The destination is read without the quotes that enclose it, by the rule and by its fix
/// alike: a quote that encloses nothing (damaged text) is part of the name, so a second fix
/// finds nothing to do.
#[test]
fn a_destination_gets_its_slash_inside_its_quotes_and_only_once() {
    let base = "FROM python:3.12-slim\nUSER 10001\n";
    for (written, fixed) in [("'/app'", "'/app/'"), ("\"/app\"", "\"/app/\""), ("/app'", "/app'/"), ("/app", "/app/")] {
        let text = format!("{base}COPY app.py wsgi.py {written}\n");
        let once = fixed_text("Dockerfile", &text, false);
        assert_eq!(once, format!("{base}COPY app.py wsgi.py {fixed}\n"), "{written}");
        assert_eq!(fixed_text("Dockerfile", &once, false), once, "{written}: a second fix changed it");
    }
}

#[test]
fn pending_unsafe_fixes_are_counted_one_by_one_even_when_their_messages_match() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let file = dir.path().join("Dockerfile");
    let text = "FROM debian:12.5\nRUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\nRUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*\nUSER 10001\n";
    std::fs::write(&file, text).expect("write");
    let run = Gen::new().args(["lint", "--fix"]).arg(&file).run();
    assert!(run.stderr.contains("gen: 2 more findings have a fix that may change"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text, "an unsafe fix waits for --unsafe-fixes");
}

#[test]
fn fixable_findings_gen_cannot_fix_in_flow_style_yaml_are_named() {
    let text = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: x}\nspec: {containers: [{name: a, image: \"nginx:1.27\", securityContext: {runAsNonRoot: true}}]}\n";
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect("mkdir");
    let file = dir.path().join("pod.yaml");
    std::fs::write(&file, text).expect("write");
    let run = Gen::new().args(["lint", "--fix", "--unsafe-fixes"]).arg(&file).run();
    assert!(
        run.stderr.contains("findings have a fix gen could not apply here: K8S019 (line 4), K8S022 (line 4)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("flow-style YAML"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&file).expect("read"), text);
}

#[cfg(unix)]
#[test]
fn a_read_only_file_is_left_as_it_is_and_said_so() {
    use std::os::unix::fs::PermissionsExt as _;
    let (_dir, file) = copy(&fixture("dockerfile/DF006/fires.Dockerfile"));
    let before = std::fs::read(&file).expect("read");
    std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let run = Gen::new().args(["lint", "--fix"]).arg(&file).run();
    assert!(run.stderr.contains("not fixed: it is read-only"), "{}", run.stderr);
    assert_eq!(std::fs::read(&file).expect("read"), before);
    assert_eq!(std::fs::metadata(&file).expect("stat").permissions().mode() & 0o777, 0o444);
}

#[cfg(unix)]
#[test]
fn a_fixed_file_with_a_hard_link_is_written_in_place_and_keeps_it() {
    use std::os::unix::fs::MetadataExt as _;
    let (dir, file) = copy(&fixture("dockerfile/DF006/fires.Dockerfile"));
    let other = dir.path().join("Dockerfile.other");
    std::fs::hard_link(&file, &other).expect("link");
    let inode = std::fs::metadata(&file).expect("stat").ino();
    let run = Gen::new().args(["lint", "--fix"]).arg(&file).run();
    assert!(run.stderr.contains("fixed 1 finding: DF006"), "{}", run.stderr);
    let (a, b) = (std::fs::metadata(&file).expect("stat"), std::fs::metadata(&other).expect("stat"));
    assert_eq!((a.ino(), b.ino(), a.nlink()), (inode, inode, 2), "still one file with two names");
    assert!(std::fs::read_to_string(&other).expect("read").contains("pip install --no-cache-dir -r"));
}
