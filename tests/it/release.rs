//! gen's own release (`.github/workflows/release.yml`, `pyproject.toml`): the workflow holds to
//! the rules of the workflows gen renders, and the wheel maturin builds from this repository
//! installs into a fresh venv and renders what the `gen` under test renders.

use crate::common;

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
    let pins = common::pinned_actions();
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
    // The GitHub release follows PyPI's: a release refused there is not published here.
    assert_eq!(jobs["github-release"]["needs"], serde_json::json!(["attest", "pypi"]));
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

/// The wheel of this source, built by maturin into `dir/wheel` with the dev profile, from the
/// build `cargo build` left (scripts/test runs it before the tests, as the README's first
/// command does: the tests' own build is another set of units, the `test` profile's, and
/// compiling gen again here took 150 s of a full run). The release workflow's `--release
/// --strip` builds the same source; benches/install.sh builds that one and compares its render
/// too.
pub(crate) fn build_wheel(dir: &Path) -> PathBuf {
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
    let (a, b) = (common::tree(&by_wheel), common::tree(&by_test));
    assert!(a.len() > 100, "the reference spec renders its whole tree: {}", a.len());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for (path, bytes) in &a {
        assert!(bytes == &b[path], "{path} differs between the wheel's gen and the gen under test");
    }
}

/// The drift job's steps that install gen (`install: wheel`: the lock's check, then the
/// install; setup-python's step between them is the runner's), run as GitHub runs them (`bash
/// -eo pipefail`, one after the other until one fails) with the job's environment, from the
/// project's root: `index` is the package index, the runner's temporary folder `temp`. Whether
/// they all passed, and what they printed.
fn run_install_step(project: &Path, index: &str, temp: &Path) -> (bool, String) {
    let wf = read_yaml(&project.join(".github/workflows/gen.yml"));
    let steps = wf["jobs"]["drift"]["steps"].as_array().expect("steps");
    let names: Vec<&str> = steps.iter().filter_map(|s| s["name"].as_str()).collect();
    let lock = names.iter().position(|n| *n == "The lock of gen's wheel").expect("the lock's step");
    let install = names.iter().position(|n| n.starts_with("Install gen")).expect("the install step");
    assert!(lock < install, "{names:?}");
    let mut said = String::new();
    for name in [names[lock], names[install]] {
        let step = steps.iter().find(|s| s["name"] == name).expect("step");
        let (ok, out) = run_step(&wf, step["run"].as_str().expect("run"), project, index, temp);
        said.push_str(&out);
        if !ok {
            return (false, said);
        }
    }
    (true, said)
}

fn run_step(wf: &Value, script: &str, project: &Path, index: &str, temp: &Path) -> (bool, String) {
    std::fs::create_dir_all(temp).expect("mkdir");
    let mut cmd = Command::new("bash");
    cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script]).current_dir(project);
    for (key, value) in wf["env"].as_object().expect("env") {
        cmd.env(key, value.as_str().expect("a string"));
    }
    let out = cmd
        .env("GEN_INDEX", index)
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_PATH", temp.join("path"))
        // What a cache restored: pip checks it as it checks a download; none here, so that each
        // run reads the index.
        .env("PIP_NO_CACHE_DIR", "1")
        .output()
        .expect("bash runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// A package index as pip reads one (PEP 503) under `work/index`: a page per project linking
/// its files, here gen-platform's with `wheel`. Its URL, and the file it serves.
pub(crate) fn local_index(work: &Path, wheel: &Path) -> (String, PathBuf) {
    let wheel_name = wheel.file_name().expect("name").to_string_lossy().into_owned();
    let project_page = work.join("index/gen-platform");
    std::fs::create_dir_all(&project_page).expect("mkdir");
    let served = project_page.join(&wheel_name);
    std::fs::copy(wheel, &served).expect("copy wheel");
    std::fs::write(project_page.join("index.html"), format!("<a href=\"{wheel_name}\">{wheel_name}</a>\n"))
        .expect("index page");
    (format!("file://{}", work.join("index").display()), served)
}

#[test]
fn the_drift_job_installs_the_wheel_whose_hash_the_lock_lists_and_refuses_one_byte_changed() {
    let work = tempfile::tempdir().expect("tempdir");
    let wheel = build_wheel(work.path());
    let (index, served) = local_index(work.path(), &wheel);

    // A project whose drift job installs the wheel, its spec and lock in a folder.
    let project = work.path().join("project");
    std::fs::create_dir_all(project.join("deploy")).expect("mkdir");
    let spec = std::fs::read_to_string(root().join("spec.yaml")).expect("spec").replacen(
        "\npipeline:\n",
        "\npipeline:\n  gen: {install: wheel, version: \"0.1.0\"}\n",
        1,
    );
    assert!(spec.contains("install: wheel"));
    std::fs::write(project.join("deploy/spec.yaml"), spec).expect("spec");
    assert!(Command::new("git").args(["init", "-q"]).current_dir(&project).status().expect("git").success());
    let render = Gen::new().args(["render", "deploy/spec.yaml"]).current_dir(&project).run();
    assert_eq!(render.code, 0, "{}", render.stderr);

    // No lock yet: the step stops, saying where it goes and how to write it.
    let (ok, said) = run_install_step(&project, &index, &work.path().join("t0"));
    assert!(!ok && said.contains("deploy/gen-requirements.txt is missing") && said.contains("pip-compile"), "{said}");

    // The lock of another version: refused before anything is downloaded.
    let digest = {
        use sha2::Digest;
        let bytes = std::fs::read(&served).expect("read wheel");
        sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    let lock = project.join("deploy/gen-requirements.txt");
    std::fs::write(&lock, format!("gen-platform==0.2.0 \\\n    --hash=sha256:{digest}\n")).expect("lock");
    let (ok, said) = run_install_step(&project, &index, &work.path().join("t1"));
    assert!(!ok && said.contains("does not pin gen-platform==0.1.0"), "{said}");

    // The lock as pip-compile writes it: the wheel installs, and its gen is the one on the PATH.
    let text =
        format!("# pinned\ngen-platform==0.1.0 \\\n    --hash=sha256:{digest}\n    # via -r gen-requirements.in\n");
    std::fs::write(&lock, text).expect("lock");
    let temp = work.path().join("t2");
    let (ok, said) = run_install_step(&project, &index, &temp);
    assert!(ok, "{said}");
    let bin = std::fs::read_to_string(temp.join("path")).expect("GITHUB_PATH");
    let installed = Command::new(Path::new(bin.trim()).join("gen")).arg("--version").output().expect("gen runs");
    assert_eq!(String::from_utf8_lossy(&installed.stdout).trim(), "gen 0.1.0");

    // One byte of the file the index serves changed after its hash was recorded: refused.
    let mut bytes = std::fs::read(&served).expect("read");
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&served, bytes).expect("write");
    let temp = work.path().join("t3");
    let (ok, said) = run_install_step(&project, &index, &temp);
    assert!(!ok, "a changed wheel was installed:\n{said}");
    assert!(said.contains("DO NOT MATCH THE HASHES"), "{said}");
    assert!(!temp.join("path").exists(), "nothing was put on the PATH");
}

/// Serves each path's body (`routes`: the path and the body) on a local port until the test
/// ends, the rest a 404; the server's URL. The body of `/simple/gen-platform/` is served as a
/// PEP 691 JSON page.
fn serve(routes: Vec<(String, String)>) -> String {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut request = String::new();
            // The request line and headers, up to the blank line.
            while reader.read_line(&mut request).is_ok_and(|n| n > 2) {}
            let path = request.split_whitespace().nth(1).unwrap_or("").to_string();
            let answer = match routes.iter().find(|(p, _)| *p == path) {
                Some((p, body)) => {
                    let kind =
                        if p.starts_with("/simple/") { "application/vnd.pypi.simple.v1+json" } else { "text/plain" };
                    format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                }
                None => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
            };
            let _ = reader.get_mut().write_all(answer.as_bytes());
        }
    });
    url
}

#[test]
fn the_refresh_of_a_wheel_install_writes_the_newest_releases_lock_from_the_index_and_moves_the_version() {
    let spec = std::fs::read_to_string(root().join("spec.yaml")).expect("spec").replacen(
        "\npipeline:\n",
        "\npipeline:\n  gen: {install: wheel, version: \"0.1.0\"}\n",
        1,
    );
    let project = tempfile::tempdir().expect("tempdir");
    std::fs::write(project.path().join("spec.yaml"), &spec).expect("spec");
    assert!(Command::new("git").args(["init", "-q"]).current_dir(project.path()).status().expect("git").success());
    let render = Gen::new().args(["render", "spec.yaml"]).current_dir(project.path()).run();
    assert_eq!(render.code, 0, "{}", render.stderr);
    let refresh = read_yaml(&project.path().join(".github/workflows/gen-refresh.yml"));
    assert_eq!(refresh["env"]["GEN_VERSION"], "0.1.0");
    assert_eq!(refresh["env"]["GEN_LOCK"], "gen-requirements.txt");
    // The lookup, a job where no gen runs, hands the lock over as its output; the job that
    // proposes writes it.
    assert_eq!(refresh["jobs"]["gen-release"]["outputs"]["lock"], "${{ steps.release.outputs.lock }}");
    assert_eq!(refresh["jobs"]["gen-propose"]["needs"], "gen-release");
    let script = project.path().join("out/scripts/refresh-gen.sh");
    let hash = |c: char| c.to_string().repeat(64);
    let file = |name: &str, h: char, yanked: bool| serde_json::json!({"filename": name, "hashes": {"sha256": hash(h)}, "yanked": yanked});
    // A release as gen's release workflow uploads it: a wheel per platform, and the sdist.
    let platforms = [
        "manylinux_2_28_x86_64",
        "manylinux_2_28_aarch64",
        "musllinux_1_2_x86_64",
        "musllinux_1_2_aarch64",
        "macosx_10_12_x86_64",
        "macosx_11_0_arm64",
        "win_amd64",
    ];
    let release = |version: &str, h: char, yanked: bool| -> Vec<serde_json::Value> {
        let mut files: Vec<_> =
            platforms.iter().map(|p| file(&format!("gen_platform-{version}-py3-none-{p}.whl"), h, yanked)).collect();
        files.push(file(&format!("gen_platform-{version}.tar.gz"), 'e', yanked));
        files
    };
    let mut files = [release("0.1.0", '1', false), release("0.9.0", '9', false)].concat();
    // 0.10.0 is newer than 0.9.0 (by number, not by text), each of its wheels with its own hash;
    // 0.11.0 was withdrawn (true, or the reason given); 0.12.0 is a source distribution alone,
    // which this install cannot take; 0.13.0 is being uploaded, its Windows wheel not yet there,
    // and 0.14.0's Windows wheel was withdrawn.
    for (p, h) in platforms.iter().zip(['a', 'b', 'c', 'd', '5', '6', '7']) {
        files.push(file(&format!("gen_platform-0.10.0-py3-none-{p}.whl"), h, false));
    }
    files.push(file("gen_platform-0.10.0.tar.gz", 'e', false));
    files.extend(release("0.11.0", 'd', true));
    files.push(serde_json::json!({"filename": "gen_platform-0.11.1-py3-none-manylinux_2_28_x86_64.whl", "hashes": {}, "yanked": "broken"}));
    files.push(file("gen_platform-0.12.0.tar.gz", 'f', false));
    files.extend(
        release("0.13.0", 'f', false).into_iter().filter(|f| !f["filename"].as_str().unwrap_or("").contains("win")),
    );
    let mut v14 = release("0.14.0", 'f', false);
    v14[6]["yanked"] = serde_json::json!(true);
    files.extend(v14);
    files.push(file("other-1.0.0-py3-none-any.whl", 'f', false));
    let page = serde_json::json!({"meta": {"api-version": "1.1"}, "name": "gen-platform", "files": files});
    // gen's GitHub release of 0.10.0: its SHA256SUMS, as the release workflow writes it.
    let sums: String = files
        .iter()
        .filter_map(|f| f["filename"].as_str().filter(|n| n.starts_with("gen_platform-0.10.0")).map(|n| (n, f)))
        .map(|(n, f)| format!("{}  {n}\n", f["hashes"]["sha256"].as_str().expect("hash")))
        .collect();
    let sums_at = "/gen/releases/download/v0.10.0/SHA256SUMS".to_string();
    let page_at = "/simple/gen-platform/".to_string();
    let server = serve(vec![(page_at.clone(), page.to_string()), (sums_at.clone(), sums.clone())]);
    let index = format!("{server}/simple");
    let repository = format!("{server}/gen.git");
    // The release's checksums disagree with the index on one wheel; or are not published yet.
    let changed = sums.replacen(&hash('a'), &hash('0'), 1);
    let disagreeing = serve(vec![(page_at.clone(), page.to_string()), (sums_at.clone(), changed)]);
    let unpublished = serve(vec![(page_at, page.to_string())]);
    let run_at = |version: &str, index: &str, repository: &str| {
        let out = Command::new("bash")
            .arg(&script)
            .arg("spec.yaml")
            .env("GEN_INDEX", index)
            .env("GEN_VERSION", version)
            .env("GEN_LOCK", "gen-requirements.txt")
            .env("GEN_REPOSITORY", repository)
            .current_dir(project.path())
            .output()
            .expect("bash");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).trim().to_string(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let run = |version: &str, index: &str| run_at(version, index, &repository);
    let lock = project.path().join("gen-requirements.txt");
    // A spec that does not state the version follows the gen that renders it: the release is
    // printed, and neither the spec nor the lock is written.
    let unstated = project.path().join("unstated.yaml");
    std::fs::write(&unstated, "pipeline:\n  gen: {install: wheel}\n").expect("spec");
    let out = Command::new("bash")
        .arg(&script)
        .arg("unstated.yaml")
        .env("GEN_INDEX", &index)
        .env("GEN_VERSION", "0.1.0")
        .env("GEN_LOCK", "gen-requirements.txt")
        .env("GEN_REPOSITORY", &repository)
        .current_dir(project.path())
        .output()
        .expect("bash");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "0.10.0", "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!lock.exists() && !project.path().join("gen-requirements.txt.new").exists());
    assert_eq!(run("0.10.0", &index).1, "", "nothing newer than 0.10.0 that the drift job can install");
    assert!(!lock.exists(), "nothing written when nothing is newer");
    let (ok, _, said) = run("0.1.0", "http://127.0.0.1:9/simple");
    assert!(!ok && said.contains("pipeline.gen.index in spec.yaml") && said.contains("cannot be read"), "{said}");
    assert!(!lock.exists());
    // The index and the release disagree on a wheel's hash: no lock, and why.
    let (ok, _, said) = run_at("0.1.0", &format!("{disagreeing}/simple"), &format!("{disagreeing}/gen"));
    assert!(!ok && said.contains("gen_platform-0.10.0-py3-none-manylinux_2_28_x86_64.whl: the index"), "{said}");
    assert!(!lock.exists() && !project.path().join("gen-requirements.txt.new").exists());
    // Not on the GitHub release yet (it is published after the index): next time.
    let (ok, printed, said) = run_at("0.1.0", &format!("{unpublished}/simple"), &format!("{unpublished}/gen"));
    assert!(ok && printed.is_empty() && said.contains("has no SHA256SUMS yet"), "{said}");
    assert!(!lock.exists());
    assert_eq!(run("0.1.0", &index), (true, "0.10.0".to_string(), String::new()));
    // The lock of 0.10.0: each of its wheels' hashes as the index published them (the yanked
    // one and the sdist left out), in pip's requirements format; and the spec's version moved,
    // every other byte kept.
    let written = std::fs::read_to_string(&lock).expect("the lock");
    let requirement: Vec<&str> = written.lines().filter(|l| !l.starts_with('#')).collect();
    let mut expected = vec!["gen-platform==0.10.0 \\".to_string()];
    expected.extend(['5', '6', '7', 'a', 'b', 'c', 'd'].map(|h| format!("    --hash=sha256:{} \\", hash(h))));
    let last = expected.len() - 1;
    expected[last] = format!("    --hash=sha256:{}", hash('d'));
    assert_eq!(requirement, expected);
    assert_eq!(
        std::fs::read_to_string(project.path().join("spec.yaml")).expect("spec"),
        spec.replace("version: \"0.1.0\"", "version: \"0.10.0\""),
    );
    // pip reads it as a hash-pinned requirement of that release.
    let venv = project.path().join("venv");
    assert!(Command::new("python3").arg("-m").arg("venv").arg(&venv).status().expect("venv").success());
    let out = Command::new(venv.join("bin/pip"))
        .args(["download", "--no-index", "--no-deps", "--require-hashes", "--dest"])
        .arg(project.path().join("d"))
        .arg("--find-links")
        .arg(project.path().join("d"))
        .arg("-r")
        .arg(&lock)
        .output()
        .expect("pip");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("gen-platform==0.10.0"), "pip reads the lock: {said}");
    assert!(!said.contains("Invalid requirement") && !said.contains("--hash"), "{said}");
}
