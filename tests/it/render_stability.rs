//! What every spec of the repository renders, byte for byte, and what gen says about every
//! spec fixture: a change of output is made on purpose, never as the side effect of a
//! refactor.
//!
//! Each spec (the reference, the examples, the test specs, variants of them the workflow tests
//! use, the specs `gen init` writes, and the spec rules' fixtures that render) is rendered by
//! the real binary into a fresh repository the way a user would, and its tree is compared with
//! a compact record in `tests/fixtures/renders/<case>.txt`: the exit code, then one line per
//! file, `sha256  path` (the manifest left out), and one for what the render printed. The
//! findings of every spec fixture (`gen lint --format json`) are recorded the same way in
//! `tests/fixtures/renders/spec-findings.txt`. A change of output updates the records on
//! purpose: `GEN_UPDATE_RENDERS=1 cargo test --test it render_stability::`.

use crate::common;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use common::{Gen, root};
use sha2::{Digest, Sha256};

/// A spec to render: its text, where it sits in the repository and where its output goes.
struct Case {
    name: String,
    spec: Spec,
    spec_at: &'static str,
    out: &'static str,
}

enum Spec {
    /// A file of this repository, with edits applied.
    File(PathBuf, Vec<(&'static str, &'static str)>, &'static str),
    /// What `gen init --platform P` writes.
    Init(&'static str),
    /// A spec written here.
    Text(&'static str),
}

/// A local cluster as written, two environments on Azure after it (the files of a project
/// render for every environment's platform, those of the spec as written for its own).
const LOCAL_THEN_AZURE: &str = "apiVersion: gen/v1
kind: Project
metadata: {name: shop}
platform:
  local: {cluster: minikube}
  github: {repository: acme/shop}
  terraformState: {resourceGroup: tfstate-rg, storageAccount: acmetfstate}
services:
  - name: shop
    replicas: 1
    ingress: {path: /}
    persistence: {size: 1Gi, mountPath: /data, backup: {retentionDays: 7}}
environments:
  - name: dev
  - name: test
    platform:
      azure: {location: westeurope, resourceGroup: shop-test-rg, aks: {name: shop-test}, acr: {name: shopacr}}
    services:
      shop: {ingress: {host: test.shop.example.com}}
  - name: prod
    platform:
      azure: {location: westeurope, resourceGroup: shop-prod-rg, aks: {name: shop-prod}, acr: {name: shopacr}}
    services:
      shop: {ingress: {host: shop.example.com}}
pipeline: {deploy: gitops}
";

fn file(rel: &str) -> Spec {
    Spec::File(root().join(rel), Vec::new(), "")
}

fn cases() -> Vec<Case> {
    let case = |name: &str, spec, spec_at, out| Case { name: name.to_string(), spec, spec_at, out };
    let mut cases = vec![
        case("reference", file("spec.yaml"), "spec.yaml", "out"),
        // GitHub reads workflows from the root: the paths inside them change with `--out`.
        case("reference-at-root", file("spec.yaml"), "spec.yaml", "."),
        case("init-azure", Spec::Init("azure"), "spec.yaml", "out"),
        case("init-local", Spec::Init("local"), "spec.yaml", "out"),
        case("environments", file("tests/fixtures/specs/environments.yaml"), "spec.yaml", "out"),
        case(
            "environments-gitops",
            Spec::File(
                root().join("tests/fixtures/specs/environments.yaml"),
                Vec::new(),
                "pipeline:\n  deploy: gitops\n  gitops: {update: commit}\n",
            ),
            "spec.yaml",
            "out",
        ),
        case("full", file("tests/fixtures/specs/full.yaml"), "spec.yaml", "out"),
        // `gen init --footprint starter`, with a second service.
        case("starter", file("tests/fixtures/specs/starter.yaml"), "spec.yaml", "out"),
        // A service renamed (`renamedFrom`): its tags, vault and identity keep the old name.
        case("renamed", file("tests/fixtures/specs/renamed.yaml"), "spec.yaml", "out"),
        case("gitops", file("tests/fixtures/specs/gitops.yaml"), "deploy/spec.yaml", "deploy/out"),
        case(
            "gitops-commit",
            Spec::File(
                root().join("tests/fixtures/specs/gitops.yaml"),
                vec![
                    ("update: pull-request", "update: commit"),
                    ("staticAnalysis: snyk", "staticAnalysis: none"),
                    ("  notify: {email: [ops@example.org, dev@example.org]}\n", ""),
                ],
                "",
            ),
            "spec.yaml",
            "generated",
        ),
        case("local-then-azure", Spec::Text(LOCAL_THEN_AZURE), "spec.yaml", "out"),
        case("local-azure", file("tests/fixtures/specs/local-azure.yaml"), "deploy/spec.yaml", "deploy/out"),
        case("options", file("tests/fixtures/specs/options.yaml"), "spec.yaml", "out"),
        case("terraform", file("tests/fixtures/specs/terraform.yaml"), "spec.yaml", "out"),
        case("valid", file("tests/fixtures/specs/valid.yaml"), "spec.yaml", "out"),
        case("vaults", file("tests/fixtures/specs/vaults.yaml"), "spec.yaml", "out"),
        case("seed-001-flask-duckdns", file("examples/seed-001-flask-duckdns.yaml"), "spec.yaml", "out"),
        case("seed-002-athletes", file("examples/seed-002-athletes.yaml"), "spec.yaml", "out"),
        case("seed-004-notejam", file("examples/seed-004-notejam.yaml"), "spec.yaml", "out"),
        case("seed-003-hello", file("examples/seed-003-hello.yaml"), "spec.yaml", "out"),
    ];
    // Every spec rule's near miss: small specs of every platform option. One that does not
    // render records its exit code and what gen printed.
    for dir in spec_fixture_dirs() {
        let code = dir.file_name().expect("a name").to_string_lossy().into_owned();
        let rel = format!("tests/fixtures/spec/{code}/passes.yaml");
        if root().join(&rel).is_file() {
            cases.push(case(&format!("spec-{code}-passes"), file(&rel), "spec.yaml", "out"));
        }
    }
    cases
}

fn spec_fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("tests/fixtures/spec"))
        .expect("the spec fixtures")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

/// Every file under `dir`, by its `/`-separated path from it, except what `skip` names.
fn tree(dir: &Path, skip: &dyn Fn(&str) -> bool) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("a walk entry"))
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).expect("under dir").to_string_lossy().replace('\\', "/");
            (!skip(&rel)).then(|| (rel, std::fs::read(e.path()).expect("read a rendered file")))
        })
        .collect()
}

/// Renders a case in a fresh repository: the record, and the files it describes (for a diff).
fn render(case: &Case) -> (String, BTreeMap<String, Vec<u8>>) {
    let repo = tempfile::tempdir().expect("tempdir");
    // A repository is the nearest folder with `.git`: what the workflows' paths are from.
    std::fs::create_dir(repo.path().join(".git")).expect("mkdir .git");
    let spec = repo.path().join(case.spec_at);
    std::fs::create_dir_all(spec.parent().expect("a parent")).expect("mkdir");
    match &case.spec {
        Spec::File(path, edits, appended) => {
            let mut text = std::fs::read_to_string(path).expect("read the spec");
            for (from, to) in edits {
                assert!(text.contains(from), "{}: the spec has no `{from}`", case.name);
                text = text.replace(from, to);
            }
            text.push_str(appended);
            std::fs::write(&spec, text).expect("write the spec");
        }
        Spec::Text(text) => std::fs::write(&spec, text).expect("write the spec"),
        Spec::Init(platform) => {
            let run =
                Gen::new().args(["init", "--platform", platform, "--out"]).arg(&spec).current_dir(repo.path()).run();
            assert_eq!(run.code, 0, "{}: {}", case.name, run.stderr);
        }
    }
    let run = Gen::new().args(["render", case.spec_at, "--out", case.out]).current_dir(repo.path()).run();
    assert!(!run.stderr.contains("panicked"), "{}: {}", case.name, run.stderr);
    let out = repo.path().join(case.out);
    let spec_rel = case.spec_at.to_string();
    let mut files = if run.code == 0 {
        tree(&out, &|rel| rel.starts_with(".git/") || rel == ".gen-manifest.json" || rel == spec_rel)
    } else {
        BTreeMap::new()
    };
    // `.github/` is rendered at the repository root: recorded by its path from the output
    // folder, as the manifest names it.
    if run.code == 0 && case.out != "." && repo.path().join(".github").is_dir() {
        let up = "../".repeat(case.out.split('/').count());
        for (rel, bytes) in tree(&repo.path().join(".github"), &|_| false) {
            files.insert(format!("{up}.github/{rel}"), bytes);
        }
    }
    let mut record = format!("exit {}\n", run.code);
    for (path, bytes) in &files {
        let _ = writeln!(record, "{}  {path}", sha256(bytes));
    }
    let said = format!("{}{}", run.stdout, run.stderr);
    let _ = writeln!(record, "{}  <what gen printed>", sha256(said.as_bytes()));
    files.insert("<what gen printed>".into(), said.into_bytes());
    (record, files)
}

fn records() -> PathBuf {
    root().join("tests/fixtures/renders")
}

fn updating() -> bool {
    std::env::var_os("GEN_UPDATE_RENDERS").is_some()
}

/// How two records differ: each path added, removed or changed, with the first lines of what
/// it holds now (no old content is stored to diff against).
fn explain(name: &str, old: &str, new: &str, files: &BTreeMap<String, Vec<u8>>) -> String {
    let parse = |r: &str| -> BTreeMap<String, String> {
        r.lines()
            .map(|l| match l.split_once("  ") {
                Some((hash, path)) => (path.to_string(), hash.to_string()),
                None => (String::from("<exit>"), l.to_string()),
            })
            .collect()
    };
    let (old, new) = (parse(old), parse(new));
    let mut out = format!("{name}: the render differs from tests/fixtures/renders/{name}.txt\n");
    for (path, hash) in &new {
        let change = match old.get(path) {
            None => "added",
            Some(h) if h != hash => "changed",
            Some(_) => continue,
        };
        let _ = writeln!(out, "  {change}: {path}");
        if let Some(bytes) = files.get(path) {
            for line in String::from_utf8_lossy(bytes).lines().take(12) {
                let _ = writeln!(out, "      | {line}");
            }
        } else if path == "<exit>" {
            let _ = writeln!(out, "      {hash} (was {})", old[path]);
        }
    }
    for path in old.keys().filter(|p| !new.contains_key(*p)) {
        let _ = writeln!(out, "  removed: {path}");
    }
    out
}

#[test]
fn every_spec_renders_as_recorded() {
    let mut failures = Vec::new();
    for case in cases() {
        let (record, files) = render(&case);
        let path = records().join(format!("{}.txt", case.name));
        if updating() {
            std::fs::create_dir_all(records()).expect("mkdir");
            std::fs::write(&path, &record).expect("write the record");
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(old) if old == record => {}
            Ok(old) => failures.push(explain(&case.name, &old, &record, &files)),
            Err(_) => failures.push(format!("{}: no record at {}", case.name, path.display())),
        }
    }
    assert!(
        failures.is_empty(),
        "{}\nif the change is meant, record it: GEN_UPDATE_RENDERS=1 cargo test --test it render_stability::",
        failures.join("\n")
    );
}

#[test]
fn every_record_belongs_to_a_spec() {
    if updating() {
        return;
    }
    let names: Vec<String> = cases().into_iter().map(|c| format!("{}.txt", c.name)).collect();
    let stale: Vec<String> = std::fs::read_dir(records())
        .expect("the records")
        .map(|e| e.expect("an entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "spec-findings.txt" && !names.contains(n))
        .collect();
    assert!(stale.is_empty(), "records of no spec (remove them): {stale:?}");
}

#[test]
fn every_spec_fixture_gets_the_findings_recorded() {
    let mut record = String::new();
    let mut reports = BTreeMap::new();
    for dir in spec_fixture_dirs() {
        let mut fixtures: Vec<PathBuf> =
            std::fs::read_dir(&dir).expect("a fixture folder").map(|e| e.expect("an entry").path()).collect();
        fixtures.sort();
        for fixture in fixtures {
            let rel = fixture.strip_prefix(root()).expect("under the root").to_string_lossy().replace('\\', "/");
            // Named from the root, so the report names it the same on every machine; `--out`
            // at a folder that is not there: no drift is compared.
            let run = Gen::new()
                .args(["lint", "--format", "json", "--out", "target/no-such-output"])
                .arg(&rel)
                .current_dir(root())
                .run();
            assert!(!run.stderr.contains("panicked"), "{rel}: {}", run.stderr);
            let said = format!("{}{}", run.stdout, run.stderr);
            let _ = writeln!(record, "exit {} {}  {rel}", run.code, sha256(said.as_bytes()));
            reports.insert(rel, said);
        }
    }
    let path = records().join("spec-findings.txt");
    if updating() {
        std::fs::write(&path, &record).expect("write the record");
        return;
    }
    let old = std::fs::read_to_string(&path).unwrap_or_default();
    let old: Vec<&str> = old.lines().collect();
    let changed: Vec<String> = record
        .lines()
        .filter(|l| !old.contains(l))
        .map(|l| {
            let rel = l.split_once("  ").map_or("", |(_, p)| p);
            format!("{l}\n{}", reports.get(rel).map_or("", String::as_str))
        })
        .collect();
    let gone: Vec<&&str> = old.iter().filter(|l| !record.lines().any(|n| n == **l)).collect();
    assert!(
        changed.is_empty() && gone.is_empty(),
        "what gen says about the spec fixtures changed:\n{}\nno longer: {gone:?}\nif the change is meant, record it: \
         GEN_UPDATE_RENDERS=1 cargo test --test it render_stability::",
        changed.join("\n")
    );
}
