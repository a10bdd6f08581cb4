//! A team's own code (`source:`) stays where it is: gen's Dockerfile builds it from the
//! repository's root, hadolint passes it, and what the folder lacks is a located error before
//! any build. A rename (`renamedFrom`) moves gen's scaffold folder with the user's files in it,
//! keeps the tags, image repository and cloud names; an unsaid rename is refused at its name.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use common::{Gen, Run, root, validator};

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

fn lock(name: &str) -> String {
    std::fs::read_to_string(root().join("blueprints/flask/templates").join(name)).expect("lock")
}

/// A repository holding a Flask service's code at `src/notes` (package `run`, its tests and
/// both hashed locks), and `spec`.
fn repository(spec: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let git = Command::new("git").args(["init", "-q"]).current_dir(dir.path()).status().expect("git");
    assert!(git.success());
    write(dir.path(), "src/notes/run.py", "from flask import Flask\n\napp = Flask(__name__)\n");
    write(dir.path(), "src/notes/tests/test_run.py", "from run import app\n\n\ndef test_app():\n    assert app\n");
    write(dir.path(), "src/notes/requirements.txt", &lock("requirements.txt"));
    write(dir.path(), "src/notes/requirements-dev.txt", &lock("requirements-dev.txt"));
    write(dir.path(), "spec.yaml", spec);
    dir
}

fn spec(extra: &str) -> String {
    let text = std::fs::read_to_string(root().join("tests/fixtures/specs/terraform.yaml")).expect("spec");
    let edited = text.replace("  - name: notes\n", &format!("  - name: notes\n    source: src/notes\n{extra}"));
    assert_ne!(edited, text);
    edited
}

/// Every file under `dir` (`.git` aside) and its bytes.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("entry"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(dir).expect("under").display().to_string(), std::fs::read(e.path()).expect("read"))
        })
        .filter(|(rel, _)| !rel.starts_with(".git/"))
        .collect()
}

fn run(dir: &Path, args: &[&str]) -> Run {
    Gen::new().args(args).current_dir(dir).run()
}

#[test]
fn a_service_whose_code_is_its_own_is_built_from_where_it_is_and_its_folder_is_never_written() {
    let repo = repository(&spec("    params: {entrypoint: \"run:app\"}\n"));
    let before = tree(&repo.path().join("src"));
    let rendered = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    assert_eq!(tree(&repo.path().join("src")), before, "the code's folder is the user's: nothing written there");
    // No scaffold for it: its code is its own. The other service keeps gen's.
    assert!(!repo.path().join("out/services/notes/app").exists());
    assert!(repo.path().join("out/services/users/app/__init__.py").is_file());
    let dockerfile = std::fs::read_to_string(repo.path().join("out/services/notes/Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains("COPY src/notes/requirements.txt requirements.txt\n"), "{dockerfile}");
    assert!(dockerfile.contains("COPY src/notes/ ./\n"), "{dockerfile}");
    assert!(dockerfile.contains("COPY out/services/notes/gunicorn.conf.py ./\n"), "{dockerfile}");
    assert!(dockerfile.contains(r#", "run:app"]"#), "{dockerfile}");
    // BuildKit's ignore file beside the Dockerfile lets in the code and gen's settings alone.
    let ignore =
        std::fs::read_to_string(repo.path().join("out/services/notes/Dockerfile.dockerignore")).expect("ignore");
    let lines: Vec<&str> = ignore.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(&lines[..3], ["*", "!src/notes", "!out/services/notes/gunicorn.conf.py"], "{ignore}");
    // Nor, of the code, what holds keys or deploys it.
    for secret in ["src/notes/**/instance/", "src/notes/**/*.pem", "src/notes/**/*secret*.yaml", "src/notes/**/.kube/"]
    {
        assert!(lines.contains(&secret), "{secret}: {ignore}");
    }
    assert!(!repo.path().join("out/services/notes/.dockerignore").exists());
    let hadolint = validator("hadolint")
        .args(["--no-color", "--failure-threshold", "style"])
        .arg(repo.path().join("out/services/notes/Dockerfile"))
        .output()
        .expect("hadolint");
    assert!(hadolint.status.success(), "hadolint:\n{}", String::from_utf8_lossy(&hadolint.stdout));
    // The pipeline tests, scans and builds it where it is, with gen's Dockerfile.
    let workflow = std::fs::read_to_string(repo.path().join(".github/workflows/notes.yml")).expect("workflow");
    for line in [
        "service-dir: \"src/notes\"",
        "build-context: \".\"",
        "dockerfile: \"out/services/notes/Dockerfile\"",
        "- \"src/notes/**\"",
    ] {
        assert!(workflow.contains(line), "{line}:\n{workflow}");
    }
    let check = run(repo.path(), &["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn what_the_code_lacks_is_a_located_error_before_any_build() {
    let repo = repository(&spec("    params: {entrypoint: \"wsgi:application\"}\n"));
    std::fs::remove_file(repo.path().join("src/notes/requirements-dev.txt")).expect("rm");
    write(repo.path(), "src/notes/requirements.txt", "flask==3.1.0\ngunicorn\n");
    let rendered = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(rendered.code, 2, "{}", rendered.stderr);
    assert!(!repo.path().join("out").exists(), "nothing written");
    let said = &rendered.stderr;
    // The unhashed lock, at its lines; the missing lock at `source:`; the missing module at
    // the entry point.
    assert!(said.contains("error[REQ001]") && said.contains("src/notes/requirements.txt:1:1"), "{said}");
    assert!(said.contains("error[REQ002]") && said.contains("src/notes/requirements.txt:2:1"), "{said}");
    assert!(said.contains("has no `requirements-dev.txt`, which the service's tests install"), "{said}");
    assert!(said.contains("the entry point `wsgi:application` imports `wsgi`"), "{said}");
    assert!(said.contains("spec.yaml:28:13"), "at `source:`: {said}");
    // gen lint says the same, as the pre-commit hook and CI run it.
    let lint = run(repo.path(), &["lint", "spec.yaml"]);
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    assert!(lint.stdout.contains("SPEC167") && lint.stdout.contains("REQ001"), "{}", lint.stdout);
}

#[test]
fn a_lock_s_includes_are_held_to_what_pip_and_the_image_build_do_with_them() {
    let repo = repository(&spec("    params: {entrypoint: \"run:app\"}\n"));
    // The tests' lock includes a file of its own, unhashed: pip's hash mode covers it too.
    let dev = lock("requirements-dev.txt");
    write(repo.path(), "src/notes/requirements-dev.txt", &format!("-r dev/extra.txt\n{dev}"));
    write(repo.path(), "src/notes/dev/extra.txt", "pytest-cov\n");
    let rendered = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(rendered.code, 2, "{}", rendered.stderr);
    assert!(rendered.stderr.contains("src/notes/dev/extra.txt:1:1"), "{}", rendered.stderr);
    // Hashed, it passes.
    let extra: String = dev
        .lines()
        .skip_while(|l| !l.starts_with("pytest=="))
        .take_while(|l| !l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(extra.contains("--hash=sha256:"), "{extra}");
    write(repo.path(), "src/notes/dev/extra.txt", &extra);
    let rendered = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(rendered.code, 0, "{}", rendered.stderr);
    // The image's lock is copied alone into the build: an include there cannot be read.
    let image = lock("requirements.txt");
    write(repo.path(), "src/notes/requirements.txt", &format!("--requirement base.txt\n{image}"));
    let refused = run(repo.path(), &["render", "spec.yaml", "--check"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("error[SPEC167]") && refused.stderr.contains("includes `base.txt` (line 1)"),
        "{}",
        refused.stderr
    );
    // The image runs gunicorn: a lock without it would build an image that cannot start.
    let mut without = String::new();
    let mut skipping = false;
    for line in image.lines() {
        if !line.starts_with(' ') {
            skipping = line.starts_with("gunicorn==");
        }
        if !skipping {
            without.push_str(line);
            without.push('\n');
        }
    }
    assert_ne!(without, image, "the lock pins gunicorn");
    write(repo.path(), "src/notes/requirements.txt", &without);
    let refused = run(repo.path(), &["lint", "spec.yaml"]);
    assert_eq!(refused.code, 1, "{}", refused.stdout);
    assert!(refused.stdout.contains("does not pin `gunicorn`, which gen's image runs"), "{}", refused.stdout);
}

#[test]
fn a_rename_with_renamed_from_moves_the_code_and_keeps_its_history() {
    let repo = repository(&spec(""));
    // `users` is gen's scaffold: the user edits its code and adds a module.
    assert_eq!(run(repo.path(), &["render", "spec.yaml"]).code, 2, "notes has no module `app`");
    let text = std::fs::read_to_string(repo.path().join("spec.yaml")).expect("spec");
    let text =
        text.replace("    source: src/notes\n", "    source: src/notes\n    params: {entrypoint: \"run:app\"}\n");
    std::fs::write(repo.path().join("spec.yaml"), &text).expect("write");
    let first = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    write(repo.path(), "out/services/users/app/accounts.py", "ACCOUNTS = {}\n");
    let edited =
        std::fs::read_to_string(repo.path().join("out/services/users/app/__init__.py")).expect("init") + "# ours\n";
    write(repo.path(), "out/services/users/app/__init__.py", &edited);

    // Renamed without saying so: refused at the new name, nothing moved or written.
    let unsaid = text.replace("  - name: users\n", "  - name: accounts\n");
    std::fs::write(repo.path().join("spec.yaml"), &unsaid).expect("write");
    let refused = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(refused.code, 2, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("error[SPEC168]") && refused.stderr.contains("`accounts` is new"),
        "{}",
        refused.stderr
    );
    assert!(refused.stderr.contains("renamedFrom: users"), "{}", refused.stderr);
    assert!(repo.path().join("out/services/users/app/accounts.py").is_file());
    // The drift check and the lint say the same, at the same line.
    let check = run(repo.path(), &["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 2, "{}", check.stderr);
    assert!(check.stderr.contains("error[SPEC168]") && check.stderr.contains("nothing compared"), "{}", check.stderr);
    let lint = run(repo.path(), &["lint", "spec.yaml"]);
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    assert!(lint.stdout.contains("SPEC168"), "{}", lint.stdout);

    // Said: the folder moves with the user's files, the tags and image continue.
    let said = text.replace("  - name: users\n", "  - name: accounts\n    renamedFrom: users\n");
    std::fs::write(repo.path().join("spec.yaml"), &said).expect("write");
    let renamed = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(renamed.code, 0, "{}", renamed.stderr);
    assert!(!repo.path().join("out/services/users").exists(), "{}", renamed.stderr);
    assert_eq!(
        std::fs::read_to_string(repo.path().join("out/services/accounts/app/accounts.py")).expect("moved"),
        "ACCOUNTS = {}\n"
    );
    assert_eq!(
        std::fs::read_to_string(repo.path().join("out/services/accounts/app/__init__.py")).expect("moved"),
        edited
    );
    let workflow = std::fs::read_to_string(repo.path().join(".github/workflows/accounts.yml")).expect("workflow");
    assert!(workflow.contains("tag-prefix: \"users/v\""), "{workflow}");
    assert!(workflow.contains("image: \"notejamacr.azurecr.io/users\""), "{workflow}");
    assert!(!repo.path().join(".github/workflows/users.yml").exists());
    let check = run(repo.path(), &["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let lint = run(repo.path(), &["lint", "spec.yaml"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    let manifest = std::fs::read_to_string(repo.path().join("out/.gen-manifest.json")).expect("manifest");
    assert!(manifest.contains(r#""accounts": "users""#), "{manifest}");

    // `renamedFrom` dropped later: the history would be lost, so it is refused, saying how.
    std::fs::write(repo.path().join("spec.yaml"), &unsaid).expect("write");
    let dropped = run(repo.path(), &["render", "spec.yaml"]);
    assert_eq!(dropped.code, 2, "{}", dropped.stderr);
    assert!(
        dropped.stderr.contains("`accounts` was renamed from `users`")
            && dropped.stderr.contains("keep `renamedFrom: users`"),
        "{}",
        dropped.stderr
    );
    // Said to start afresh: the tags and image take the new name.
    let afresh = run(repo.path(), &["render", "spec.yaml", "--replace-services"]);
    assert_eq!(afresh.code, 0, "{}", afresh.stderr);
    let workflow = std::fs::read_to_string(repo.path().join(".github/workflows/accounts.yml")).expect("workflow");
    assert!(workflow.contains("tag-prefix: \"accounts/v\""), "{workflow}");
    assert_eq!(run(repo.path(), &["render", "spec.yaml"]).code, 0);
}

/// gen's scaffold of a service is the user's once written: a lock scaffolded before the
/// blueprint's server needed a package (flask's metrics need prometheus-client) is reported at
/// the lock by `gen lint` and `gen render` (which still writes gen's files, and exits 1), and
/// passes once the user adds it.
#[test]
fn a_kept_scaffold_lock_without_a_package_the_image_runs_is_a_located_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    assert_eq!(run(dir.path(), &["init", "--name", "athletes"]).code, 0);
    assert_eq!(run(dir.path(), &["render", "spec.yaml"]).code, 0);
    let lock_path = dir.path().join("out/services/athletes/requirements.txt");
    let full = std::fs::read_to_string(&lock_path).expect("lock");
    // The lock as the scaffold wrote it before: without prometheus-client and its hashes.
    let mut old = String::new();
    let mut skipping = false;
    for line in full.lines() {
        if line.starts_with("prometheus-client==") {
            skipping = true;
            continue;
        }
        if skipping && line.starts_with(' ') {
            continue;
        }
        skipping = false;
        old.push_str(line);
        old.push('\n');
    }
    assert_ne!(old, full);
    std::fs::write(&lock_path, &old).expect("write");
    let lint = run(dir.path(), &["lint", "spec.yaml"]);
    assert_eq!(lint.code, 1, "{}{}", lint.stdout, lint.stderr);
    let said = format!("{}{}", lint.stdout, lint.stderr);
    assert!(said.contains("error[SPEC167]") && said.contains("out/services/athletes/requirements.txt:1:1"), "{said}");
    assert!(said.contains("does not pin `prometheus-client`"), "{said}");
    let render = run(dir.path(), &["render", "spec.yaml"]);
    assert_eq!(render.code, 1, "{}", render.stderr);
    assert!(render.stderr.contains("does not pin `prometheus-client`"), "{}", render.stderr);
    assert_eq!(std::fs::read_to_string(&lock_path).expect("lock"), old, "the user's lock is left as it is");
    std::fs::write(&lock_path, &full).expect("write");
    assert_eq!(run(dir.path(), &["lint", "spec.yaml"]).code, 0);
}
