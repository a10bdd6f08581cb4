//! gen's own release (`.github/workflows/release.yml`, `pyproject.toml`): the workflow holds to
//! the rules of the workflows gen renders, and the wheel maturin builds from this repository
//! installs into a fresh venv and renders what the `gen` under test renders.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Gen, root, validator};
use serde_json::Value;

fn release_workflow() -> PathBuf {
    root().join(".github/workflows/release.yml")
}

fn read_yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("read");
    let out = validator("python")
        .args(["-c", "import sys, json, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child.stdin.take().expect("stdin").write_all(text.as_bytes())?;
            child.wait_with_output()
        })
        .expect("python runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// The shared list of pinned actions: action (lower case) to (commit, tag).
fn pins() -> BTreeMap<String, (String, String)> {
    let file = common::shared_github_actions_pins();
    let list: Vec<Value> = serde_json::from_str(&std::fs::read_to_string(file).expect("read pins")).expect("JSON");
    list.iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().expect(k).to_string();
            (s("action").to_ascii_lowercase(), (s("sha"), s("tag")))
        })
        .collect()
}

#[test]
fn the_release_workflow_passes_actionlint_zizmor_and_yamllint() {
    let file = release_workflow();
    let home = common::validators();
    let out = validator("actionlint")
        .arg("-shellcheck")
        .arg(home.join("venv/bin/shellcheck"))
        .arg(&file)
        .current_dir(root())
        .output()
        .expect("actionlint runs");
    assert!(
        out.status.success(),
        "actionlint:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    for persona in ["regular", "pedantic"] {
        let out = validator("zizmor")
            .args(["--offline", "--format", "json", "--persona", persona])
            .arg(&file)
            .output()
            .expect("zizmor runs");
        let findings: Vec<Value> = serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("zizmor's report is not JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
        assert!(
            findings.is_empty(),
            "zizmor --persona {persona}: {}",
            serde_json::to_string_pretty(&findings).unwrap()
        );
    }
    let out = validator("yamllint")
        .args(["--strict", "-f", "parsable", "-d", "{extends: relaxed, rules: {line-length: disable}}"])
        .arg(&file)
        .output()
        .expect("yamllint runs");
    assert!(out.status.success(), "yamllint:\n{}", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn every_action_of_the_release_is_pinned_to_a_listed_commit_and_every_job_narrows_its_token() {
    let pins = pins();
    let file = release_workflow();
    let text = std::fs::read_to_string(&file).expect("read");
    let mut seen = 0;
    for line in text.lines().filter(|l| l.trim_start().trim_start_matches("- ").starts_with("uses:")) {
        let value = line.split_once("uses:").expect("uses").1.trim();
        let (action, rest) = value.split_once('@').unwrap_or_else(|| panic!("{line}: not pinned"));
        let (sha, comment) = rest.split_once(" # ").unwrap_or_else(|| panic!("{line}: no version comment"));
        let (pinned, tag) =
            pins.get(&action.to_ascii_lowercase()).unwrap_or_else(|| panic!("{line}: not in the pinned list"));
        assert_eq!(sha, pinned, "{line}");
        assert_eq!(comment.trim(), tag, "{line}");
        seen += 1;
    }
    let wf = read_yaml(&file);
    let jobs = wf["jobs"].as_object().expect("jobs");
    let uses: usize = jobs
        .values()
        .map(|j| j["steps"].as_array().map_or(0, |s| s.iter().filter(|s| s.get("uses").is_some()).count()))
        .sum();
    assert_eq!(seen, uses, "every `uses:` is on a line of its own");
    // The workflow grants nothing; each job asks for what it needs, and only the publishing
    // jobs may write.
    assert_eq!(wf["permissions"], serde_json::json!({}), "the workflow's token grants nothing by default");
    for (name, job) in jobs {
        let perms = job["permissions"].as_object().unwrap_or_else(|| panic!("job {name} states its permissions"));
        for (scope, level) in perms {
            if level == "write" {
                let allowed = match name.as_str() {
                    "attest" => ["id-token", "attestations"].contains(&scope.as_str()),
                    "pypi" => scope == "id-token",
                    "github-release" => scope == "contents",
                    _ => false,
                };
                assert!(allowed, "job {name} may not write {scope}");
            }
        }
        // No cache in a release: one a pull request wrote could poison what is published.
        let steps = job["steps"].as_array().map(Vec::as_slice).unwrap_or_default();
        assert!(
            steps.iter().all(|s| !s["uses"].as_str().unwrap_or_default().starts_with("actions/cache")),
            "job {name} restores a cache"
        );
    }
    // PyPI gets its token from the workflow's identity (trusted publishing), never a secret.
    assert!(!text.contains("secrets."), "the release reads no stored secret");
    assert_eq!(jobs["pypi"]["environment"]["name"], "pypi");
    // Every platform the issue names is built, and the Linux archives are static (musl).
    let targets: Vec<&str> = jobs["build"]["strategy"]["matrix"]["include"]
        .as_array()
        .expect("matrix")
        .iter()
        .map(|t| t["target"].as_str().expect("target"))
        .collect();
    for t in [
        "x86_64-unknown-linux-gnu",
        "aarch64-unknown-linux-gnu",
        "x86_64-unknown-linux-musl",
        "aarch64-unknown-linux-musl",
        "aarch64-apple-darwin",
        "x86_64-apple-darwin",
        "x86_64-pc-windows-msvc",
    ] {
        assert!(targets.contains(&t), "{t} is not built: {targets:?}");
    }
}

/// The package's name and version as pyproject.toml and Cargo.toml state them.
#[test]
fn the_wheel_is_named_for_pypi_and_versioned_by_cargo() {
    let pyproject = std::fs::read_to_string(root().join("pyproject.toml")).expect("pyproject.toml");
    assert!(pyproject.contains("\nname = \"gen-platform\"\n"), "{pyproject}");
    assert!(pyproject.contains("bindings = \"bin\""), "{pyproject}");
    assert!(pyproject.contains("dynamic = [\"version\"]"), "the version is Cargo.toml's: {pyproject}");
}

/// The target folder the `gen` under test was built in: maturin builds there, so that it
/// finds gen built and only packs it.
fn this_target_dir() -> PathBuf {
    let gen_bin = Path::new(env!("CARGO_BIN_EXE_gen"));
    gen_bin.ancestors().nth(2).map_or_else(|| root().join("target"), Path::to_path_buf)
}

fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read_dir").flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).expect("under").to_path_buf();
                out.insert(rel, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

/// The wheel of this source, built by maturin into `dir/wheel`, with the dev profile of the
/// tests' own build (the release workflow's `--release --strip` builds the same source;
/// benches/install.sh builds that one and compares it too).
fn build_wheel(dir: &Path) -> PathBuf {
    // maturin moves the binary it packs out of the target folder (to `<target>/maturin/`): in
    // the tests' own folder that would take `gen` from every test running beside this one. It
    // builds in a copy of the debug build made of hard links (a second or less, no bytes
    // copied), where cargo finds everything built and only the copy's link is moved.
    let target = tempfile::tempdir_in(this_target_dir()).expect("a folder beside the build");
    let linked =
        Command::new("cp").arg("-al").arg(this_target_dir().join("debug")).arg(target.path()).status().expect("cp");
    assert!(linked.success(), "cp -al of the debug build");
    let out = validator("maturin")
        .args(["build", "--locked", "--out"])
        .arg(dir.join("wheel"))
        .env("CARGO_TARGET_DIR", target.path())
        .current_dir(root())
        .output()
        .expect("maturin runs");
    assert!(out.status.success(), "maturin build:\n{}", String::from_utf8_lossy(&out.stderr));
    let wheels: Vec<PathBuf> = std::fs::read_dir(dir.join("wheel"))
        .expect("wheel folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "whl"))
        .collect();
    assert_eq!(wheels.len(), 1, "{wheels:?}");
    let name = wheels[0].file_name().expect("name").to_string_lossy().into_owned();
    assert!(name.starts_with("gen_platform-0.1.0-py3-none-"), "{name}");
    wheels.into_iter().next().expect("one wheel")
}

#[test]
fn the_wheel_installs_into_a_fresh_venv_and_renders_the_reference_spec_as_the_gen_under_test_does() {
    let work = tempfile::tempdir().expect("tempdir");
    let wheels = [build_wheel(work.path())];

    let venv = work.path().join("venv");
    let made = Command::new("python3").arg("-m").arg("venv").arg(&venv).status().expect("python3 -m venv");
    assert!(made.success());
    let pip = Command::new(venv.join("bin/pip"))
        .args(["install", "-q", "--disable-pip-version-check", "--no-index", "--no-deps"])
        .arg(&wheels[0])
        .output()
        .expect("pip runs");
    assert!(pip.status.success(), "pip install:\n{}", String::from_utf8_lossy(&pip.stderr));
    let wheel_gen = venv.join("bin/gen");
    let version = Command::new(&wheel_gen).arg("--version").output().expect("the wheel's gen runs");
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), "gen 0.1.0");

    // The reference spec, rendered outside this checkout: the wheel's gen needs none.
    let (by_wheel, by_test) = (work.path().join("by-wheel"), work.path().join("by-test"));
    for dir in [&by_wheel, &by_test] {
        std::fs::create_dir_all(dir).expect("mkdir");
        std::fs::copy(root().join("spec.yaml"), dir.join("spec.yaml")).expect("copy spec");
    }
    let wheel_run =
        Command::new(&wheel_gen).args(["render", "spec.yaml"]).current_dir(&by_wheel).output().expect("runs");
    assert!(wheel_run.status.success(), "{}", String::from_utf8_lossy(&wheel_run.stderr));
    let test_run = Gen::new().args(["render", "spec.yaml"]).current_dir(&by_test).run();
    assert_eq!(test_run.code, 0, "{}", test_run.stderr);
    let (a, b) = (files_under(&by_wheel), files_under(&by_test));
    assert!(a.len() > 100, "the reference spec renders its whole tree: {}", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{} differs between the wheel's gen and the gen under test", path.display());
    }
}
