//! Every `count` and `for_each` of gen's Terraform is known at plan time, in every root of
//! every example and test spec.
//!
//! Terraform must know how many instances a block has before it plans them: a `count` or a
//! `for_each` that reads a value only known after apply (a managed resource's attribute, a
//! module output made of one, a module input it is passed to) stops the first `terraform
//! plan` of a fresh state with "Invalid count argument". A plan against mocked providers gives
//! computed attributes known values and misses it, and `unknown == null` stays unknown (SDKv2
//! providers refine nothing), so the test follows the values instead: through locals, module
//! inputs and module outputs, to a fixed point, from the HCL HashiCorp's parser reads.
//!
//! Stricter than Terraform in two ways, both safe: any managed resource's attribute counts as
//! unknown (Terraform knows some, from the configuration), and `for_each` is judged on its
//! whole value (Terraform needs only the keys). A data source counts as known: it is read
//! during the plan.

use crate::common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use common::{Gen, root, validator};
use serde_json::Value;

/// Every spec in the repository that renders (the ones a user starts from, and the tests').
fn specs() -> Vec<PathBuf> {
    let mut specs = vec![root().join("spec.yaml")];
    for dir in ["examples", "tests/fixtures/specs"] {
        for entry in std::fs::read_dir(root().join(dir)).expect("read_dir") {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "yaml") {
                specs.push(path);
            }
        }
    }
    specs.sort();
    specs
}

/// The `.tf` files of a rendered `terraform/` folder, parsed, grouped by module folder.
fn modules(terraform: &Path) -> BTreeMap<PathBuf, Vec<Value>> {
    let files: Vec<PathBuf> = walkdir::WalkDir::new(terraform)
        .into_iter()
        .flatten()
        .map(|e| e.into_path())
        .filter(|p| p.extension().is_some_and(|e| e == "tf"))
        .collect();
    let out = validator("hcl2json").args(&files).output().expect("hcl2json runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let parsed: BTreeMap<String, Value> = serde_json::from_slice(&out.stdout).expect("hcl2json prints JSON");
    let mut modules: BTreeMap<PathBuf, Vec<Value>> = BTreeMap::new();
    for (path, value) in parsed {
        let dir = Path::new(&path).parent().expect("a folder").to_path_buf();
        modules.entry(dir).or_default().push(value);
    }
    modules
}

/// The references an expression makes, each as its dotted names (`[0]`, `["k"]` skipped):
/// `module.github_oidc[0].deploy_principal_id` is `["module", "github_oidc",
/// "deploy_principal_id"]`.
fn references(expr: &str) -> Vec<Vec<String>> {
    let chars: Vec<char> = expr.chars().collect();
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    let mut refs = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = (chars[i].is_ascii_alphabetic() || chars[i] == '_') && (i == 0 || !word(chars[i - 1]));
        if !starts || (i > 0 && chars[i - 1] == '.') {
            i += 1;
            continue;
        }
        let mut path = Vec::new();
        loop {
            let start = i;
            while i < chars.len() && word(chars[i]) {
                i += 1;
            }
            path.push(chars[start..i].iter().collect::<String>());
            // Skip index brackets between traversals.
            while i < chars.len() && chars[i] == '[' {
                let mut depth = 0;
                while i < chars.len() {
                    depth += match chars[i] {
                        '[' => 1,
                        ']' => -1,
                        _ => 0,
                    };
                    i += 1;
                    if depth == 0 {
                        break;
                    }
                }
            }
            if i + 1 < chars.len() && chars[i] == '.' && (chars[i + 1].is_ascii_alphabetic() || chars[i + 1] == '_') {
                i += 1;
            } else {
                break;
            }
        }
        if path.len() > 1 {
            refs.push(path);
        }
    }
    refs
}

/// One module folder, read for what decides whether a value is known at plan.
#[derive(Default)]
struct Module {
    locals: BTreeMap<String, String>,
    outputs: BTreeMap<String, String>,
    /// Managed resource types declared here (their attributes may be unknown until apply).
    resource_types: BTreeSet<String>,
    /// Module calls: name -> (the called folder, its arguments).
    calls: BTreeMap<String, (PathBuf, BTreeMap<String, String>)>,
    /// `count` and `for_each` of every resource, data source and module call: (where, what).
    counts: Vec<(String, String)>,
}

fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn read(dir: &Path, files: &[Value]) -> Module {
    let mut m = Module::default();
    for file in files {
        for locals in file["locals"].as_array().into_iter().flatten() {
            for (k, v) in locals.as_object().into_iter().flatten() {
                m.locals.insert(k.clone(), text(v));
            }
        }
        for (name, blocks) in file["output"].as_object().into_iter().flatten() {
            m.outputs.insert(name.clone(), text(&blocks[0]["value"]));
        }
        for (kind, prefix) in [("resource", ""), ("data", "data.")] {
            for (ty, named) in file[kind].as_object().into_iter().flatten() {
                if kind == "resource" {
                    m.resource_types.insert(ty.clone());
                }
                for (name, blocks) in named.as_object().into_iter().flatten() {
                    for key in ["count", "for_each"] {
                        if let Some(v) = blocks[0].get(key) {
                            m.counts.push((format!("{prefix}{ty}.{name}.{key}"), text(v)));
                        }
                    }
                }
            }
        }
        for (name, blocks) in file["module"].as_object().into_iter().flatten() {
            let body = blocks[0].as_object().expect("a module block");
            let source = body["source"].as_str().expect("a source");
            let mut args = BTreeMap::new();
            for (k, v) in body {
                match k.as_str() {
                    "count" | "for_each" => m.counts.push((format!("module.{name}.{k}"), text(v))),
                    "source" | "version" | "providers" | "depends_on" => {}
                    _ => {
                        args.insert(k.clone(), text(v));
                    }
                }
            }
            m.calls.insert(name.clone(), (normalize(&dir.join(source)), args));
        }
    }
    m
}

/// `a/b/../c` as `a/c`, so a module's source names the folder it was read from.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// What is unknown at plan: per module folder, its unknown inputs, locals and outputs.
#[derive(Default, Clone, PartialEq)]
struct Unknown {
    vars: BTreeSet<String>,
    locals: BTreeSet<String>,
    outputs: BTreeSet<String>,
}

/// Why an expression of module `dir` is unknown at plan, if it is.
fn unknown_because(
    expr: &str,
    dir: &Path,
    modules: &BTreeMap<PathBuf, Module>,
    unknown: &BTreeMap<PathBuf, Unknown>,
) -> Option<String> {
    let m = &modules[dir];
    let u = &unknown[dir];
    references(expr).into_iter().find_map(|path| {
        let (head, name) = (path[0].as_str(), path[1].as_str());
        let hit = match head {
            "var" => u.vars.contains(name),
            "local" => u.locals.contains(name),
            "module" => match (m.calls.get(name), path.get(2)) {
                (Some((called, _)), Some(output)) => unknown.get(called).is_some_and(|c| c.outputs.contains(output)),
                _ => false,
            },
            _ => m.resource_types.contains(head),
        };
        hit.then(|| path.join("."))
    })
}

/// Every `count` or `for_each` of a rendered `terraform/` folder that is unknown at plan, as
/// `module-folder: block.count = expression (unknown: reference)`.
fn unknown_counts(terraform: &Path) -> Vec<String> {
    let parsed = modules(terraform);
    let modules: BTreeMap<PathBuf, Module> =
        parsed.iter().map(|(dir, files)| (normalize(dir), read(dir, files))).collect();
    let mut unknown: BTreeMap<PathBuf, Unknown> = modules.keys().map(|d| (d.clone(), Unknown::default())).collect();
    // To a fixed point: each round can only add names, and there are finitely many.
    loop {
        let before = unknown.clone();
        for (dir, m) in &modules {
            for (name, expr) in &m.locals {
                if unknown_because(expr, dir, &modules, &unknown).is_some() {
                    unknown.get_mut(dir).expect("module").locals.insert(name.clone());
                }
            }
            for (name, expr) in &m.outputs {
                if unknown_because(expr, dir, &modules, &unknown).is_some() {
                    unknown.get_mut(dir).expect("module").outputs.insert(name.clone());
                }
            }
            for (called, args) in m.calls.values() {
                for (name, expr) in args {
                    if unknown_because(expr, dir, &modules, &unknown).is_some()
                        && let Some(u) = unknown.get_mut(called)
                    {
                        u.vars.insert(name.clone());
                    }
                }
            }
        }
        if unknown == before {
            break;
        }
    }
    let mut found = Vec::new();
    for (dir, m) in &modules {
        for (block, expr) in &m.counts {
            if let Some(why) = unknown_because(expr, dir, &modules, &unknown) {
                let rel = dir.strip_prefix(terraform).unwrap_or(dir).display().to_string();
                found.push(format!("terraform/{rel}: {block} = {expr} (unknown until apply: {why})"));
            }
        }
    }
    found
}

#[test]
fn references_name_what_an_expression_reads() {
    assert_eq!(
        references("${module.github_oidc[0].deploy_principal_id == null ? 0 : 1}"),
        [["module", "github_oidc", "deploy_principal_id"]]
    );
    assert_eq!(
        references("${var.deploy_identity ? var.services : {}}"),
        [vec!["var", "deploy_identity"], vec!["var", "services"]]
    );
    assert_eq!(
        references("${azurerm_user_assigned_identity.github[\"deploy\"].principal_id}"),
        [["azurerm_user_assigned_identity", "github", "principal_id"]]
    );
    assert!(references("${\"Standard_B2s\"}").is_empty());
}

#[test]
fn every_count_and_for_each_is_known_at_plan_in_every_root_of_every_spec() {
    let mut found = Vec::new();
    let mut roots = 0;
    for spec in specs() {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = Gen::new().arg("render").arg(&spec).arg("--out").arg(dir.path()).run();
        assert_eq!(run.code, 0, "{}: {}", spec.display(), run.stderr);
        let terraform = dir.path().join("terraform");
        if !terraform.exists() {
            continue;
        }
        roots += 1;
        for f in unknown_counts(&terraform) {
            found.push(format!("{}: {f}", spec.strip_prefix(root()).unwrap_or(&spec).display()));
        }
    }
    assert!(roots >= 5, "only {roots} specs render Terraform");
    assert!(found.is_empty(), "a count or for_each the first plan cannot know:\n{}", found.join("\n"));
}
