//! The Terraform root module, judged by the real tools: HashiCorp's HCL parser reads every
//! file, `terraform fmt` changes nothing, the provider schemas accept every resource and data
//! source (the shared `check.py`, the offline stand-in for `terraform validate`), checkov and
//! trivy pass but for skips that carry their reason, and gen's own rules say nothing. A walk of
//! the parsed HCL proves every reference declared and every variable typed and described. Run
//! on the reference spec, on the spec of every chart option (DNS, several hosts, managed
//! identities) and on a spec of the other Terraform options (Entra ID applications, no DNS, a
//! GitHub environment, a region without zones, a patch version, Premium).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{Gen, root, shared_terraform_schemas, validator};
use serde_json::Value;

const SPECS: &[&str] = &[
    "spec.yaml",
    "tests/fixtures/specs/options.yaml",
    "tests/fixtures/specs/terraform.yaml",
    "tests/fixtures/specs/gitops.yaml",
];

/// A spec rendered into a temporary project; its Terraform folder.
struct Rendered {
    dir: tempfile::TempDir,
    spec: String,
}

impl Rendered {
    fn new(spec: &str) -> Rendered {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::copy(root().join(spec), dir.path().join("spec.yaml")).expect("copy spec");
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{spec}: {}\n{}", run.stdout, run.stderr);
        Rendered { dir, spec: spec.to_string() }
    }

    fn terraform(&self) -> PathBuf {
        self.dir.path().join("out/terraform")
    }

    /// Every `.tf` and `.tfvars` file, sorted.
    fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = walkdir::WalkDir::new(self.terraform())
            .into_iter()
            .flatten()
            .map(|e| e.into_path())
            .filter(|p| p.extension().is_some_and(|e| e == "tf" || e == "tfvars"))
            .collect();
        files.sort();
        files
    }

    /// What HashiCorp's parser reads in each file, by path relative to `terraform/`.
    fn parsed(&self) -> BTreeMap<String, Value> {
        let out = validator("hcl2json").args(self.files()).output().expect("hcl2json runs");
        assert!(out.status.success(), "{}: {}", self.spec, String::from_utf8_lossy(&out.stderr));
        let all: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).expect("hcl2json prints JSON");
        let base = self.terraform();
        all.into_iter()
            .map(|(path, v)| {
                let rel =
                    Path::new(&path).strip_prefix(&base).expect("inside terraform/").to_string_lossy().into_owned();
                (rel, v)
            })
            .collect()
    }
}

fn output(cmd: &mut Command) -> (bool, String) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

#[test]
fn every_file_parses_and_terraform_fmt_changes_nothing() {
    for spec in SPECS {
        let r = Rendered::new(spec);
        assert!(r.files().len() >= 25, "{spec}: {:?}", r.files());
        let (ok, text) = output(validator("hcl-check").args(r.files()));
        assert!(ok, "{spec}: HashiCorp's parser refuses:\n{text}");
        let (ok, text) = output(
            Command::new("terraform")
                .args(["fmt", "-check", "-recursive", "-diff"])
                .arg(r.terraform())
                .env("TF_CLI_CONFIG_FILE", "/dev/null"),
        );
        assert!(ok, "{spec}: terraform fmt would change:\n{text}");
    }
}

#[test]
fn every_resource_matches_the_provider_schemas() {
    let shared = shared_terraform_schemas();
    for spec in SPECS {
        let r = Rendered::new(spec);
        let (ok, text) = output(
            validator("python3")
                .arg(shared.join("check.py"))
                .args(["--strict", "--schemas"])
                .arg(root().join("schemas/terraform"))
                .arg(r.terraform()),
        );
        assert!(ok && text.contains(" 0 error(s), 0 warning(s)"), "{spec}: check.py:\n{text}");
        assert!(!text.contains("not checked"), "{spec}: a resource type without a schema:\n{text}");
    }
}

#[test]
fn checkov_and_trivy_pass_and_every_skip_says_why() {
    for spec in SPECS {
        let r = Rendered::new(spec);
        let (_, text) = output(
            validator("checkov")
                .args(["--quiet", "--compact", "--skip-download", "--framework", "terraform", "-o", "json", "-d"])
                .arg(r.terraform()),
        );
        let report: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{spec}: checkov JSON ({e}):\n{text}"));
        let reports = if report.is_array() { report.as_array().cloned().unwrap_or_default() } else { vec![report] };
        for report in &reports {
            let failed = &report["results"]["failed_checks"];
            assert_eq!(failed.as_array().map_or(0, Vec::len), 0, "{spec}: checkov fails:\n{failed:#}");
            for skipped in report["results"]["skipped_checks"].as_array().into_iter().flatten() {
                let why = skipped["check_result"]["suppress_comment"].as_str().unwrap_or_default();
                assert!(why.len() > 20, "{spec}: checkov skip without a reason: {skipped:#}");
            }
        }
        let cache = tempfile::tempdir().expect("tempdir");
        let (ok, text) = output(
            validator("trivy")
                .args(["config", "--quiet", "--skip-check-update", "--skip-version-check", "--disable-telemetry"])
                .arg("--cache-dir")
                .arg(cache.path())
                .args(["--exit-code", "1", "--severity", "LOW,MEDIUM,HIGH,CRITICAL"])
                .arg(r.terraform()),
        );
        assert!(ok, "{spec}: trivy:\n{text}");
        // A trivy ignore is explained by the comment above it.
        for file in r.files() {
            let text = std::fs::read_to_string(&file).expect("read");
            let lines: Vec<&str> = text.lines().collect();
            for (i, line) in lines.iter().enumerate() {
                if let Some(id) = line.trim().strip_prefix("#trivy:ignore:") {
                    let explained = lines[..i]
                        .iter()
                        .any(|l| l.trim().starts_with('#') && !l.contains("trivy:ignore") && l.contains(id));
                    assert!(explained, "{}: trivy:ignore:{id} without its reason", file.display());
                }
            }
        }
    }
}

#[test]
fn gen_lint_finds_nothing_in_the_rendered_terraform_and_reads_all_of_it() {
    for spec in SPECS {
        let r = Rendered::new(spec);
        let run = Gen::new().args(["lint", "--format", "json"]).arg(r.terraform()).run();
        assert_eq!(run.problems(), vec![], "{spec}: {}", run.stdout);
    }
    // The same folder, with the seed's mistake made by hand in a module: found there.
    let r = Rendered::new("spec.yaml");
    let acr = r.terraform().join("modules/acr/main.tf");
    let text = std::fs::read_to_string(&acr).expect("read");
    std::fs::write(&acr, text.replace("admin_enabled          = false", "admin_enabled          = true"))
        .expect("write");
    let run = Gen::new().args(["lint", "--format", "json"]).arg(r.terraform()).run();
    assert_eq!(run.codes(), vec!["TF011".to_string()], "{}", run.stdout);
}

/// The references an HCL expression string makes: `var.x`, `local.x`, `module.x.y`.
fn references(text: &str, out: &mut BTreeSet<(String, String)>) {
    if !text.contains("${") {
        return;
    }
    let text = text.replace("[0]", "");
    let bytes = text.as_bytes();
    let ident =
        |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-').collect::<String>();
    for kind in ["var", "local", "module"] {
        let pattern = format!("{kind}.");
        for (at, _) in text.match_indices(&pattern) {
            if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || matches!(bytes[at - 1], b'_' | b'.')) {
                continue;
            }
            let rest = &text[at + pattern.len()..];
            let first = ident(rest);
            let name = match (kind, rest[first.len()..].strip_prefix('.')) {
                ("module", Some(after)) => format!("{first}.{}", ident(after)),
                _ => first,
            };
            out.insert((kind.to_string(), name));
        }
    }
}

fn strings(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(s) => out.push(s.clone()),
        Value::Array(a) => a.iter().for_each(|v| strings(v, out)),
        Value::Object(o) => o.values().for_each(|v| strings(v, out)),
        _ => {}
    }
}

/// Each folder's parsed files merged: block type -> name -> bodies.
fn modules(parsed: &BTreeMap<String, Value>) -> BTreeMap<String, Vec<&Value>> {
    let mut by_dir: BTreeMap<String, Vec<&Value>> = BTreeMap::new();
    for (path, value) in parsed {
        if path.ends_with(".tf") {
            let dir = Path::new(path).parent().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            by_dir.entry(dir).or_default().push(value);
        }
    }
    by_dir
}

fn declared<'v>(files: &[&'v Value], kind: &str) -> BTreeMap<String, &'v Value> {
    let mut names = BTreeMap::new();
    for file in files {
        if let Some(blocks) = file[kind].as_object() {
            for (name, bodies) in blocks {
                names.insert(name.clone(), &bodies[0]);
            }
        }
        if kind == "locals" {
            for locals in file["locals"].as_array().into_iter().flatten() {
                for name in locals.as_object().into_iter().flatten().map(|(k, _)| k) {
                    names.insert(name.clone(), locals);
                }
            }
        }
    }
    names
}

#[test]
fn every_reference_is_declared_and_every_variable_typed_and_described() {
    for spec in SPECS {
        let r = Rendered::new(spec);
        let parsed = r.parsed();
        let modules = modules(&parsed);
        let outputs_of = |dir: &str| declared(modules.get(dir).map(Vec::as_slice).unwrap_or(&[]), "output");
        for (dir, files) in &modules {
            let variables = declared(files, "variable");
            let locals = declared(files, "locals");
            let calls = declared(files, "module");
            for (name, body) in &variables {
                assert!(body["type"].is_string(), "{spec}: {dir}: variable {name} has no type");
                assert!(
                    body["description"].as_str().is_some_and(|d| d.len() > 10),
                    "{spec}: {dir}: variable {name} has no description"
                );
            }
            let mut used = BTreeSet::new();
            for file in files {
                let mut all = Vec::new();
                strings(file, &mut all);
                all.iter().for_each(|s| references(s, &mut used));
            }
            for (kind, name) in &used {
                let known = match kind.as_str() {
                    "var" => variables.contains_key(name),
                    "local" => locals.contains_key(name),
                    _ => {
                        let (module, output) = name.split_once('.').unwrap_or((name, ""));
                        let source = calls.get(module).and_then(|c| c["source"].as_str()).unwrap_or_default();
                        let child = Path::new(dir).join(source.trim_start_matches("./")).to_string_lossy().into_owned();
                        let child = child.trim_start_matches('/').to_string();
                        calls.contains_key(module) && (output.is_empty() || outputs_of(&child).contains_key(output))
                    }
                };
                assert!(known, "{spec}: {dir}: {kind}.{name} is used but not declared");
            }
            // Each module call passes exactly the child's variables, every required one.
            for (name, call) in &calls {
                let source = call["source"].as_str().expect("source");
                let child = Path::new(dir).join(source.trim_start_matches("./")).to_string_lossy().into_owned();
                let child = child.trim_start_matches('/').to_string();
                let child_vars = declared(modules.get(&child).map(Vec::as_slice).unwrap_or(&[]), "variable");
                assert!(!child_vars.is_empty(), "{spec}: module {name}: no variables in {child}");
                let meta = ["source", "count", "for_each", "depends_on", "providers", "version"];
                for arg in call.as_object().expect("module body").keys().filter(|k| !meta.contains(&k.as_str())) {
                    assert!(
                        child_vars.contains_key(arg),
                        "{spec}: module {name} passes {arg}, which {child} does not declare"
                    );
                }
                for (var, body) in &child_vars {
                    assert!(
                        body.get("default").is_some() || call.get(var).is_some(),
                        "{spec}: module {name} does not pass {child}'s required variable {var}"
                    );
                }
            }
        }
        // The root's tfvars set only declared variables, and every one without a default.
        for (tfvars, dir) in [("terraform.tfvars", ""), ("bootstrap/terraform.tfvars", "bootstrap")] {
            let values = parsed[tfvars].as_object().expect("tfvars");
            let variables = declared(&modules[dir], "variable");
            for name in values.keys() {
                assert!(variables.contains_key(name), "{spec}: {tfvars} sets {name}, which is not declared");
            }
            for (name, body) in &variables {
                assert!(body.get("default").is_some() || values.contains_key(name), "{spec}: {tfvars} lacks {name}");
            }
        }
    }
}

#[test]
fn the_identities_trust_one_subject_each_and_push_to_one_registry() {
    let r = Rendered::new("tests/fixtures/specs/terraform.yaml");
    let parsed = r.parsed();
    let tfvars = &parsed["terraform.tfvars"];
    assert_eq!(tfvars["github_environment"], "production");
    assert_eq!(tfvars["identity_mode"], "app-registration");
    assert_eq!(tfvars["zones"], serde_json::json!([]));
    assert_eq!(tfvars["dns_zone"], Value::Null);
    let oidc = &parsed["modules/github-oidc/main.tf"];
    let subjects = oidc["locals"][0]["subjects"].to_string();
    assert!(subjects.contains("repo:${var.repository}:ref:refs/heads/${var.branch}"), "{subjects}");
    assert!(subjects.contains("repo:${var.repository}:environment:${var.environment}"), "{subjects}");
    let push = &oidc["resource"]["azurerm_role_assignment"]["build_push"][0];
    assert_eq!(push["role_definition_name"], "AcrPush");
    assert_eq!(push["scope"], "${var.registry_id}");
    let text = std::fs::read_to_string(r.terraform().join("modules/github-oidc/main.tf")).expect("read");
    assert!(!text.contains("client_secret") && !text.contains("azuread_application_password"), "{text}");
}

#[test]
fn spec_values_reach_the_tfvars_literally() {
    let dir = tempfile::tempdir().expect("tempdir");
    let hostile = ["west${file(\"/etc/passwd\")}", "e%{ if true }x%{ endif }", "say \"hi\"\\n", "line\nbreak"];
    let mut rendered = 0;
    for value in hostile {
        let spec = std::fs::read_to_string(root().join("spec.yaml"))
            .expect("spec")
            .replace("location: westeurope", &format!("location: {}", serde_json::to_string(value).expect("json")));
        std::fs::write(dir.path().join("spec.yaml"), spec).expect("write");
        let run = Gen::new().args(["render", "spec.yaml", "--out", "o"]).current_dir(dir.path()).run();
        if run.code != 0 {
            // Refused with its location: fine, as long as nothing was written.
            assert_eq!(run.code, 2, "{value:?}: {}", run.stderr);
            assert!(!dir.path().join("o").exists());
            continue;
        }
        let tfvars = dir.path().join("o/terraform/terraform.tfvars");
        let out = validator("hcl2json").arg(&tfvars).output().expect("hcl2json");
        assert!(out.status.success(), "{value:?}: {}", String::from_utf8_lossy(&out.stderr));
        let parsed: Value = serde_json::from_slice(&out.stdout).expect("json");
        let read = &parsed[tfvars.to_string_lossy().as_ref()]["location"];
        // hcl2json shows a literal `${` as `$${`, as HCL writes it; undone, it is the value.
        let read = read.as_str().expect("a string").replace("$${", "${").replace("%%{", "%{");
        assert_eq!(read, value, "{value:?} came back changed");
        std::fs::remove_dir_all(dir.path().join("o")).expect("clean");
        rendered += 1;
    }
    assert!(rendered >= 3, "the spec refused the values this test sends through Terraform");
}
