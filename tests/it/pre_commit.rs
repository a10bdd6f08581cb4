//! The pre-commit hooks end to end, with the real `pre-commit` from PyPI, on `git commit`: the
//! default hooks install gen's wheel as the project's lock pins it (language: script), the
//! `-source` ones build gen from a snapshot of this repository (language: rust).

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Gen, root, validator};

/// The target folder this test was built in (`<target>/debug/gen` is the binary under test).
fn this_target_dir() -> PathBuf {
    let gen_bin = Path::new(env!("CARGO_BIN_EXE_gen"));
    gen_bin.ancestors().nth(2).map_or_else(|| root().join("target"), Path::to_path_buf)
}

/// `git` in `dir`, as a test user who signs nothing.
fn git_in(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.args([
        "-c",
        "user.name=gen test",
        "-c",
        "user.email=test@example.com",
        "-c",
        "commit.gpgsign=false",
        "-c",
        "init.defaultBranch=main",
    ])
    .current_dir(dir);
    cmd
}

fn git(dir: &Path, args: &[&str]) -> std::process::Output {
    git_in(dir).args(args).output().expect("git")
}

/// A git repository holding this working tree as one commit (tracked and untracked files).
fn snapshot_of_this_repository(into: &Path) -> String {
    let files = Command::new("git")
        .args(["ls-files", "-co", "--exclude-standard", "-z"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    for rel in files.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rel = String::from_utf8_lossy(rel).into_owned();
        let from = root().join(&rel);
        if from.is_file() {
            let to = into.join(&rel);
            std::fs::create_dir_all(to.parent().expect("parent")).expect("mkdir");
            std::fs::copy(&from, &to).expect("copy");
        }
    }
    assert!(git(into, &["init", "-q"]).status.success());
    assert!(git(into, &["add", "-A"]).status.success());
    assert!(git(into, &["commit", "-qm", "snapshot"]).status.success());
    String::from_utf8_lossy(&git(into, &["rev-parse", "HEAD"]).stdout).trim().to_string()
}

fn pre_commit(project: &Path, home: &Path, args: &[&str]) -> std::process::Output {
    let mut cmd = validator("pre-commit");
    cmd.args(args).current_dir(project);
    // pre-commit runs `cargo install` (release, without `--locked`), as it does for users. It
    // builds into the target folder of this test run, where the dependencies stay built from
    // one run to the next: only gen itself (a package at another path) and the dependencies
    // published since `Cargo.lock` are compiled again, not the whole tree.
    hook_env(&mut cmd, home);
    cmd.output().expect("pre-commit")
}

/// The environment pre-commit runs in, for `pre-commit install` and for the hook `git commit`
/// starts (which would otherwise use `~/.cache/pre-commit` and build gen in the hook
/// repository's own `target/`, every dependency from nothing).
fn hook_env(cmd: &mut Command, home: &Path) {
    let target = std::env::var_os("GEN_PRECOMMIT_TARGET").map(PathBuf::from).unwrap_or_else(this_target_dir);
    cmd.env("PRE_COMMIT_HOME", home).env("CARGO_TARGET_DIR", target);
    // gen is compiled without optimisation: what this test proves is that the published hooks
    // install through `cargo install` and run as users get them, not how fast the result is;
    // an optimised build of gen takes minutes of the test run's two cores, an unoptimised one
    // a fraction of that. The dependencies built so stay in the target folder for the next run.
    cmd.env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0");
}

/// `git commit` in the project, whose hook runs pre-commit.
fn commit(project: &Path, home: &Path, message: &str) -> std::process::Output {
    let mut cmd = git_in(project);
    cmd.args(["commit", "-m", message]);
    hook_env(&mut cmd, home);
    cmd.output().expect("git commit")
}

#[test]
fn built_from_source_a_commit_with_a_drifted_managed_file_is_refused_and_a_clean_one_passes() {
    let work = tempfile::tempdir().expect("tempdir");
    let hooks_repo = work.path().join("gen-repo");
    let project = work.path().join("project");
    let home = work.path().join("pre-commit-home");
    std::fs::create_dir_all(&hooks_repo).expect("mkdir");
    std::fs::create_dir_all(&project).expect("mkdir");
    let rev = snapshot_of_this_repository(&hooks_repo);

    assert_eq!(Gen::new().args(["init"]).current_dir(&project).run().code, 0);
    assert_eq!(Gen::new().args(["render", "spec.yaml"]).current_dir(&project).run().code, 0);
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: gen-lint-source\n      - id: gen-render-check-source\n",
        hooks_repo.display()
    );
    std::fs::write(project.join(".pre-commit-config.yaml"), config).expect("write config");
    assert!(git(&project, &["init", "-q"]).status.success());
    let install = pre_commit(&project, &home, &["install"]);
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));

    // A clean tree commits (the first commit also builds gen through cargo install).
    assert!(git(&project, &["add", "-A"]).status.success());
    let clean = commit(&project, &home, "render");
    let said = format!("{}{}", String::from_utf8_lossy(&clean.stdout), String::from_utf8_lossy(&clean.stderr));
    assert!(clean.status.success(), "clean commit refused:\n{said}");
    assert!(said.contains("gen lint") && said.contains("Passed"), "{said}");

    // A hand edit of a managed file is refused, with the diff.
    let dockerfile = project.join("out/services/shop/Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).expect("read");
    std::fs::write(&dockerfile, text.replace("EXPOSE 5000", "EXPOSE 8000")).expect("write");
    assert!(git(&project, &["add", "-A"]).status.success());
    let drifted = commit(&project, &home, "edit");
    let said = format!("{}{}", String::from_utf8_lossy(&drifted.stdout), String::from_utf8_lossy(&drifted.stderr));
    assert!(!drifted.status.success(), "drifted commit accepted:\n{said}");
    assert!(said.contains("-EXPOSE 8000") && said.contains("+EXPOSE 5000"), "{said}");
    assert!(said.contains("DRIFT001"), "{said}");
}

/// `git commit` in the project with pre-commit's cache at `home`, and what it printed.
fn commit_with_cache(project: &Path, home: &Path, message: &str) -> (bool, String) {
    let out = git_in(project).args(["commit", "-m", message]).env("PRE_COMMIT_HOME", home).output().expect("commit");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn the_default_hooks_run_the_wheel_the_lock_pins_and_refuse_one_whose_hash_it_does_not_list() {
    let work = tempfile::tempdir().expect("tempdir");
    let hooks_repo = work.path().join("gen-repo");
    let project = work.path().join("project");
    std::fs::create_dir_all(&hooks_repo).expect("mkdir");
    std::fs::create_dir_all(&project).expect("mkdir");
    let rev = snapshot_of_this_repository(&hooks_repo);
    let wheel = crate::release::build_wheel(work.path());
    let (index, served) = crate::release::local_index(work.path(), &wheel);

    // The project, its lock (the wheel's hash, as an index publishes it) and the hooks.
    assert_eq!(Gen::new().args(["init"]).current_dir(&project).run().code, 0);
    assert_eq!(Gen::new().args(["render", "spec.yaml"]).current_dir(&project).run().code, 0);
    let sum = Command::new("sha256sum").arg(&served).output().expect("sha256sum");
    let hash = String::from_utf8_lossy(&sum.stdout).split_whitespace().next().expect("a hash").to_string();
    std::fs::write(project.join("gen-requirements.txt"), format!("gen-platform==0.1.0 \\\n    --hash=sha256:{hash}\n"))
        .expect("lock");
    let config = format!(
        "repos:\n  - repo: {}\n    rev: {rev}\n    hooks:\n      - id: gen-lint\n        args: [spec.yaml, --index, '{index}']\n      - id: gen-render-check\n        args: [spec.yaml, --index, '{index}']\n",
        hooks_repo.display()
    );
    std::fs::write(project.join(".pre-commit-config.yaml"), config).expect("write config");
    assert!(git(&project, &["init", "-q"]).status.success());
    let home = work.path().join("pre-commit-home");
    let install = validator("pre-commit").arg("install").current_dir(&project).env("PRE_COMMIT_HOME", &home).output();
    let install = install.expect("pre-commit");
    assert!(install.status.success(), "{}", String::from_utf8_lossy(&install.stderr));

    // A clean tree commits: both hooks ran the wheel's gen, installed once, compiling nothing.
    assert!(git(&project, &["add", "-A"]).status.success());
    let (ok, said) = commit_with_cache(&project, &home, "render");
    assert!(ok, "clean commit refused:\n{said}");
    assert!(said.contains("gen lint") && said.contains("gen render --check") && said.contains("Passed"), "{said}");
    let envs: Vec<_> = std::fs::read_dir(home.join("gen-wheel")).expect("the wheel's environments").flatten().collect();
    assert_eq!(envs.len(), 1, "one environment for the lock: {envs:?}");
    assert!(envs[0].path().join("bin/gen").is_file());
    assert!(!home.join("rustenv-default").exists() && !said.contains("cargo"), "nothing compiled: {said}");

    // A hand edit of a managed file is refused, with the diff.
    let dockerfile = project.join("out/services/shop/Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).expect("read");
    std::fs::write(&dockerfile, text.replace("EXPOSE 5000", "EXPOSE 8000")).expect("write");
    assert!(git(&project, &["add", "-A"]).status.success());
    let (ok, said) = commit_with_cache(&project, &home, "edit");
    assert!(!ok, "drifted commit accepted:\n{said}");
    assert!(said.contains("-EXPOSE 8000") && said.contains("+EXPOSE 5000") && said.contains("DRIFT001"), "{said}");
    std::fs::write(&dockerfile, text).expect("write");
    assert!(git(&project, &["add", "-A"]).status.success());

    // One byte of the file the index serves changed after its hash was recorded: on a machine
    // without the environment, the hooks refuse it, and no gen runs.
    let mut bytes = std::fs::read(&served).expect("read");
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&served, bytes).expect("write");
    let fresh = work.path().join("another-machine");
    let install = validator("pre-commit").arg("install").current_dir(&project).env("PRE_COMMIT_HOME", &fresh).output();
    assert!(install.expect("pre-commit").status.success());
    let (ok, said) = commit_with_cache(&project, &fresh, "again");
    assert!(!ok, "a wheel whose hash the lock does not list ran:\n{said}");
    assert!(said.contains("DO NOT MATCH THE HASHES") && said.contains("gen did not run"), "{said}");
    assert!(!fresh.join("gen-wheel").read_dir().expect("read").flatten().any(|e| e.path().join("bin/gen").exists()));

    // The lock is looked for beside the spec the hook's args name.
    let hook = hooks_repo.join("hooks/gen-wheel.py");
    let out = Command::new("python3").arg(&hook).args(["lint", "deploy/spec.yaml"]).current_dir(&project).output();
    let said = String::from_utf8_lossy(&out.expect("the hook runs").stderr).into_owned();
    assert!(said.contains("deploy/gen-requirements.txt cannot be read"), "{said}");

    // A lock pinning no hash: said, at once.
    std::fs::write(project.join("gen-requirements.txt"), "gen-platform==0.1.0\n").expect("lock");
    assert!(git(&project, &["add", "-A"]).status.success());
    let (ok, said) = commit_with_cache(&project, &home, "unhashed");
    assert!(!ok && said.contains("does not pin gen-platform==X.Y.Z with the SHA-256 of its wheels"), "{said}");
}
