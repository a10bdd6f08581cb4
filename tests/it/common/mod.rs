//! A small fluent builder that runs the real `gen` binary.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub mod objects;

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture path under `tests/fixtures`.
pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

/// One run of `gen` to set up.
pub struct Gen {
    cmd: Command,
}

/// What a run of `gen` did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub elapsed: Duration,
}

impl Gen {
    pub fn new() -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_gen"));
        cmd.stdin(Stdio::null()).env("NO_COLOR", "1");
        Gen { cmd }
    }

    pub fn args<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(mut self, args: I) -> Self {
        self.cmd.args(args);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.arg(arg);
        self
    }

    pub fn env(mut self, key: &str, value: impl AsRef<std::ffi::OsStr>) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn run(mut self) -> Run {
        let start = Instant::now();
        let out = self.cmd.output().expect("gen runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            elapsed: start.elapsed(),
        }
    }

    /// Runs gen, killing it after `limit` (code -1 then): a test of a bound fails, not hangs,
    /// when gen does not keep it.
    pub fn run_within(mut self, limit: Duration) -> Run {
        let start = Instant::now();
        let mut child = self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("gen runs");
        let read = |pipe: Option<Box<dyn std::io::Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                if let Some(mut pipe) = pipe {
                    let _ = pipe.read_to_string(&mut text);
                }
                text
            })
        };
        let stdout = read(child.stdout.take().map(|p| Box::new(p) as _));
        let stderr = read(child.stderr.take().map(|p| Box::new(p) as _));
        let code = loop {
            if let Some(status) = child.try_wait().expect("wait") {
                break status.code().unwrap_or(-1);
            }
            if start.elapsed() > limit {
                let _ = child.kill();
                let _ = child.wait();
                break -1;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let elapsed = start.elapsed();
        let text =
            |t: std::thread::JoinHandle<String>| if code == -1 { String::new() } else { t.join().unwrap_or_default() };
        Run { code, stdout: text(stdout), stderr: text(stderr), elapsed }
    }
}

impl Run {
    /// The findings of a `--format json` report as (code, line, column).
    pub fn findings(&self) -> Vec<(String, usize, usize)> {
        let report: serde_json::Value =
            serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout));
        report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| {
                let loc = &d["location"];
                let n = |k: &str| loc[k].as_u64().unwrap_or(0) as usize;
                (d["code"].as_str().unwrap_or_default().to_string(), n("line"), n("column"))
            })
            .collect()
    }

    /// The findings at warning or error level: notes (info) are news, not problems.
    pub fn problems(&self) -> Vec<(String, usize, usize)> {
        let report: serde_json::Value =
            serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}: {}", self.stdout));
        let notes: Vec<bool> =
            report["diagnostics"].as_array().expect("diagnostics").iter().map(|d| d["severity"] == "info").collect();
        self.findings().into_iter().zip(notes).filter(|(_, note)| !note).map(|(f, _)| f).collect()
    }

    pub fn codes(&self) -> Vec<String> {
        self.findings().into_iter().map(|f| f.0).collect()
    }
}

/// Runs `gen lint --format json FILE`.
pub fn lint_json(file: &Path) -> Run {
    Gen::new().args(["lint", "--format", "json"]).arg(file).run()
}

/// The validators' install prefix (scripts/install-validators); a test that needs them fails
/// with the command to run when they are missing.
pub fn validators() -> PathBuf {
    let home = std::env::var_os("GEN_VALIDATORS_HOME")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/gen-validators"));
    assert!(
        home.join("venv/bin/python").is_file(),
        "the validators are not installed in {}: run scripts/install-validators",
        home.display()
    );
    home
}

/// The `PATH` with the validators' bin folder (Helm) first: gen lint renders the charts it
/// finds with the `helm` a user has on theirs.
pub fn path_with_helm() -> String {
    format!("{}:{}", validators().join("bin").display(), std::env::var("PATH").unwrap_or_default())
}

/// A command from the validators' virtualenv or bin folder.
pub fn validator(name: &str) -> Command {
    let home = validators();
    let bin = [home.join("venv/bin").join(name), home.join("bin").join(name)].into_iter().find(|p| p.is_file());
    let mut cmd = Command::new(bin.unwrap_or_else(|| panic!("{name} is not in {}", home.display())));
    cmd.env(
        "PATH",
        format!(
            "{}:{}:{}",
            home.join("bin").display(),
            home.join("venv/bin").display(),
            std::env::var("PATH").unwrap_or_default()
        ),
    );
    cmd.env("NODE_PATH", home.join("node_modules"));
    cmd
}

/// A temporary project with a spec from `gen init`.
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new() -> Project {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = Gen::new().args(["init", "--name", "shop"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}", run.stderr);
        Project { dir }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn run_gen<I: IntoIterator<Item = S>, S: AsRef<std::ffi::OsStr>>(&self, args: I) -> Run {
        Gen::new().args(args).current_dir(self.dir.path()).run()
    }

    pub fn render(&self) -> Run {
        let run = self.run_gen(["render", "spec.yaml"]);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        run
    }

    pub fn edit_spec(&self, from: &str, to: &str) {
        let text = std::fs::read_to_string(self.path("spec.yaml")).expect("read spec");
        assert!(text.contains(from), "{from}");
        std::fs::write(self.path("spec.yaml"), text.replace(from, to)).expect("write spec");
    }
}

/// checkov's JSON reports (one per framework) of a run, once it has said it parsed every file
/// it read but those whose path ends with one of `unparsed`: a file checkov cannot parse is
/// checked by none of its rules, and its exit code says nothing of it.
pub fn checkov_reports(checkov: &mut Command, unparsed: &[&str]) -> Vec<serde_json::Value> {
    let out = checkov.args(["-o", "json"]).output().expect("checkov runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!("checkov's report is not JSON ({e}):\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr))
    });
    let reports = match report {
        serde_json::Value::Array(reports) => reports,
        report => vec![report],
    };
    for report in &reports {
        let errors = report["results"]["parsing_errors"].as_array().cloned().unwrap_or_default();
        let unexpected: Vec<&str> = errors
            .iter()
            .filter_map(serde_json::Value::as_str)
            .filter(|file| !unparsed.iter().any(|end| file.ends_with(end)))
            .collect();
        assert!(unexpected.is_empty(), "checkov could not parse, so checked nothing of: {unexpected:?}");
        let count = report["summary"]["parsing_errors"].as_u64().unwrap_or_default();
        assert_eq!(count as usize, errors.len(), "checkov's parsing errors: {:#}", report["summary"]);
    }
    reports
}

/// checkov's run of `frameworks` on `dir` passes: no check fails, each skip says why in the
/// file (a comment of more than a few words), and each file is parsed but those `unparsed`
/// names (see [`checkov_reports`]).
pub fn checkov_passes(frameworks: &[&str], dir: &Path, env: &[(&str, &str)], unparsed: &[&str]) {
    let mut checkov = validator("checkov");
    // Not --quiet: its report leaves out the files it could not parse.
    checkov.args(["--compact", "--skip-download", "--framework"]).args(frameworks).arg("-d").arg(dir);
    checkov.envs(env.iter().copied());
    for report in checkov_reports(&mut checkov, unparsed) {
        let failed = &report["results"]["failed_checks"];
        assert_eq!(failed.as_array().map_or(0, Vec::len), 0, "{}: checkov fails:\n{failed:#}", dir.display());
        for skipped in report["results"]["skipped_checks"].as_array().into_iter().flatten() {
            let why = skipped["check_result"]["suppress_comment"].as_str().unwrap_or_default();
            assert!(why.len() > 20, "{}: checkov skip without a reason: {skipped:#}", dir.display());
        }
    }
}

/// The (file, check id) pairs checkov's `framework` fails on `files`, all checked in one run
/// (each of which it parses).
pub fn checkov_failures(framework: &str, files: &[PathBuf]) -> std::collections::BTreeSet<(PathBuf, String)> {
    let mut checkov = validator("checkov");
    // Not --quiet: its report leaves out the files it could not parse.
    checkov.args(["--compact", "--skip-download", "--framework", framework, "-f"]).args(files);
    let reports = checkov_reports(&mut checkov, &[]);
    let report = reports.into_iter().next().unwrap_or_default();
    report["results"]["failed_checks"]
        .as_array()
        .expect("failed_checks")
        .iter()
        .map(|c| {
            let file = c["file_abs_path"].as_str().expect("file_abs_path");
            (PathBuf::from(file), c["check_id"].as_str().expect("check_id").to_string())
        })
        .collect()
}

/// A file or folder of the shared material (`../shared` beside the repository, or the
/// workplace's own copy), or where `env` points; `found` says whether a candidate is it.
fn shared(env: &str, rel: &str, found: impl Fn(&Path) -> bool) -> PathBuf {
    [
        std::env::var_os(env).map(PathBuf::from),
        Some(root().join("../shared").join(rel)),
        Some(PathBuf::from("/work/shared").join(rel)),
    ]
    .into_iter()
    .flatten()
    .find(|p| found(p))
    .unwrap_or_else(|| panic!("the shared {rel}: set {env} to it"))
}

/// The shared `terraform-schemas` folder (its `check.py`, the offline stand-in for `terraform
/// validate`): `GEN_TERRAFORM_SCHEMAS_DIR`, or `shared/terraform-schemas` beside the
/// repository, or the workplace's own copy.
pub fn shared_terraform_schemas() -> PathBuf {
    shared("GEN_TERRAFORM_SCHEMAS_DIR", "terraform-schemas", |d| d.join("check.py").is_file())
}

/// The shared `terraform-schemas-aws` folder (the AWS and TLS providers' schemas, beside the
/// others'): `GEN_TERRAFORM_SCHEMAS_AWS_DIR`, or `shared/terraform-schemas-aws` beside the
/// repository, or the workplace's own copy.
pub fn shared_terraform_schemas_aws() -> PathBuf {
    shared("GEN_TERRAFORM_SCHEMAS_AWS_DIR", "terraform-schemas-aws", |d| d.join("aws").is_dir())
}

/// The shared list of GitHub Actions pinned to commits (`github-actions-pins.json`):
/// `GEN_GITHUB_ACTIONS_PINS`, or the file in `shared/` beside the repository, or the
/// workplace's own copy.
pub fn shared_github_actions_pins() -> PathBuf {
    shared("GEN_GITHUB_ACTIONS_PINS", "github-actions-pins.json", Path::is_file)
}

/// The pinned actions everyone may use, from the shared list checked against each action's
/// repository: action (lower case) to (commit, tag).
pub fn pinned_actions() -> std::collections::BTreeMap<String, (String, String)> {
    let file = shared_github_actions_pins();
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&std::fs::read_to_string(file).expect("read pins")).expect("JSON");
    list.iter()
        .map(|p| {
            let s = |k: &str| p[k].as_str().expect(k).to_string();
            (s("action").to_ascii_lowercase(), (s("sha"), s("tag")))
        })
        .collect()
}

/// A rendered Terraform root's values files, relative to it: `terraform.tfvars`, or one
/// `environments/<name>.tfvars` per environment on Azure, sorted.
pub fn root_tfvars(terraform: &Path) -> Vec<String> {
    let mut found: Vec<String> =
        ["terraform.tfvars".to_string()].into_iter().filter(|f| terraform.join(f).is_file()).collect();
    if let Ok(dir) = std::fs::read_dir(terraform.join("environments")) {
        let mut envs: Vec<String> =
            dir.flatten().map(|e| format!("environments/{}", e.file_name().to_string_lossy())).collect();
        envs.sort();
        found.extend(envs);
    }
    found
}

/// Every file under `dir` with its bytes, by its path relative to `dir`.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (e.path().strip_prefix(dir).expect("inside").display().to_string(), std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Runs the `terraform` CLI in `dir` with no CLI configuration (no plugin cache, no
/// credentials), fails the test with its stderr when it fails, and returns its stdout. Offline
/// runs only: `init -backend=false` of a folder with no provider, `apply`, `plan`, `output`.
pub fn terraform(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("terraform")
        .args(args)
        .current_dir(dir)
        .env("TF_CLI_CONFIG_FILE", "/dev/null")
        .output()
        .expect("terraform");
    assert!(out.status.success(), "{}: terraform {args:?}: {}", dir.display(), String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}
