//! The schema check without a compile (`gen_core::spec::schema::quick`) never passes a document
//! that jsonschema refuses, and passes every spec gen ships, so that a valid spec is never
//! compiled against: on every spec and spec fixture of the repository, on the params of their
//! services, and on thousands of mutations of them.

use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use gen_core::spec::schema::{compile, quick};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::common::root;

/// The spec's schema and the flask blueprint's params schema, each with jsonschema's validator.
static SCHEMAS: LazyLock<Vec<(Value, jsonschema::Validator)>> = LazyLock::new(|| {
    let spec: Value = gen_core::spec::schema_json().clone();
    let manifest = std::fs::read_to_string(root().join("blueprints/flask/blueprint.yaml")).expect("manifest");
    let doc = gen_core::yaml::load("blueprint.yaml", manifest.as_bytes(), &gen_core::spec::syntax::POLICY);
    let params = doc.documents.expect("the manifest parses")[0].root.to_json()["params"].clone();
    assert!(params.get("properties").is_some(), "flask has params");
    [spec, params].into_iter().map(|s| (s.clone(), compile(&s).expect("compiles"))).collect()
});

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
}

/// Every document of every spec gen ships or tests with (as gen reads YAML), and of each its
/// services' params.
fn documents(dirs: &[&str]) -> Vec<(String, Value)> {
    let mut files = vec![root().join("spec.yaml")];
    for dir in dirs {
        yaml_files(&root().join(dir), &mut files);
    }
    let mut out = Vec::new();
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        let name = file.strip_prefix(root()).unwrap_or(&file).display().to_string();
        let Ok(docs) = gen_core::yaml::load(&name, &bytes, &gen_core::spec::syntax::POLICY).documents else {
            continue;
        };
        for doc in docs {
            let json = doc.root.to_json();
            if json.get("apiVersion").is_none() {
                continue;
            }
            if let Some(services) = json.get("services").and_then(Value::as_array) {
                for (i, svc) in services.iter().enumerate() {
                    if let Some(params) = svc.get("params") {
                        out.push((format!("{name} services[{i}].params"), json!({"params": params.clone()})));
                    }
                }
            }
            out.push((name.clone(), json));
        }
    }
    out
}

/// The document `(name, json)` against the schema it belongs to: params against flask's.
fn against(json: &Value) -> (&'static Value, &'static jsonschema::Validator, Value) {
    match json.as_object().filter(|m| m.len() == 1).and_then(|m| m.get("params")) {
        Some(params) => (&SCHEMAS[1].0, &SCHEMAS[1].1, params.clone()),
        None => (&SCHEMAS[0].0, &SCHEMAS[0].1, json.clone()),
    }
}

#[test]
fn every_shipped_spec_passes_without_a_compile_and_no_refused_fixture_does() {
    let docs = documents(&["examples", "tests/fixtures/specs", "tests/fixtures/spec"]);
    assert!(docs.len() > 150, "the specs and fixtures are found: {}", docs.len());
    let (mut valid, mut refused) = (0, 0);
    for (name, json) in &docs {
        let (schema, validator, instance) = against(json);
        let quick = quick::check(schema, &instance, 0);
        let full = validator.is_valid(&instance);
        assert!(
            full || quick != quick::Verdict::Valid,
            "{name}: passed without a compile, but jsonschema refuses it: {:?}",
            validator.iter_errors(&instance).map(|e| e.to_string()).collect::<Vec<_>>()
        );
        // What gen ships and renders in its tests passes without the compile.
        let shipped = !name.starts_with("tests/fixtures/spec/");
        assert!(
            !(full && shipped) || quick == quick::Verdict::Valid,
            "{name}: valid, but the quick check says {quick:?}"
        );
        valid += usize::from(full && quick == quick::Verdict::Valid);
        refused += usize::from(!full);
    }
    assert!(valid > 200 && refused > 0, "both kinds are checked: {valid} valid, {refused} refused");
}

/// Values a mutation puts in place of another: the edges of the spec schema's ranges and
/// patterns, each type, floats that are integers, and fractions.
fn replacement(pick: usize) -> Value {
    let pool = [
        json!(null),
        json!(true),
        json!(0),
        json!(1),
        json!(-1),
        json!(2),
        json!(2.0),
        json!(2.5),
        // Fractions at and past the edges of an objective's range (compared as floats).
        json!(99.9),
        json!(99.99999999999999),
        json!(100.00000000000001),
        json!(100.5),
        json!(-0.5),
        json!(0.1),
        json!(64),
        json!(65),
        json!(600),
        json!(601),
        json!(65535),
        json!(65536),
        json!(u64::MAX),
        json!(-9_223_372_036_854_775_808_i64),
        json!(1e300),
        json!(""),
        json!("a"),
        json!("shop"),
        json!("Shop"),
        json!("shop-"),
        json!("-shop"),
        json!("a".repeat(64)),
        json!("é"),
        json!("shop\n"),
        json!("100m"),
        json!("128Mi"),
        json!("/healthz"),
        json!("healthz"),
        json!("example.com"),
        json!("3.12"),
        json!("sha256:0000000000000000000000000000000000000000000000000000000000000000"),
        json!("owner/repo"),
        json!("CRITICAL"),
        json!("helm"),
        json!("azure"),
        json!("westeurope"),
        json!("0 3 * * *"),
        json!([]),
        json!(["a", "a"]),
        json!([1, 1.0]),
        json!(["CRITICAL"]),
        json!({}),
        json!({"azure": {}}),
        json!({"azure": {}, "local": {}}),
        json!({"local": {}}),
        json!({"a": 1}),
    ];
    pool[pick % pool.len()].clone()
}

/// Every path to a value in `json`, as JSON pointer tokens.
fn paths(json: &Value, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(prefix.clone());
    match json {
        Value::Object(map) => {
            for (k, v) in map {
                prefix.push(k.clone());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                prefix.push(i.to_string());
                paths(v, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(json: &'a mut Value, path: &[String]) -> Option<&'a mut Value> {
    path.iter().try_fold(json, |v, token| match v {
        Value::Object(map) => map.get_mut(token),
        Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
        _ => None,
    })
}

/// `json` with `ops` applied: a value replaced, a key removed, an unknown key added, an item
/// repeated.
fn mutate(json: &Value, ops: &[(usize, usize, usize)]) -> Value {
    let mut json = json.clone();
    for &(op, where_, pick) in ops {
        let mut all = Vec::new();
        paths(&json, &mut Vec::new(), &mut all);
        let path = all[where_ % all.len()].clone();
        match op {
            0 => {
                if let Some(v) = at(&mut json, &path) {
                    *v = replacement(pick);
                }
            }
            1 => {
                if let Some((last, parent)) = path.split_last()
                    && let Some(v) = at(&mut json, parent)
                {
                    match v {
                        Value::Object(map) => {
                            map.shift_remove(last);
                        }
                        Value::Array(items) => {
                            if let Ok(i) = last.parse::<usize>()
                                && i < items.len()
                            {
                                items.remove(i);
                            }
                        }
                        _ => {}
                    }
                }
            }
            2 => {
                if let Some(v) = at(&mut json, &path) {
                    match v {
                        Value::Object(map) => {
                            let key = ["replica", "extra", "FOO_BAR", "1bad", "azure", "local"][pick % 6];
                            map.insert(key.to_string(), replacement(pick / 6));
                        }
                        Value::Array(items) if !items.is_empty() => {
                            let item = items[pick % items.len()].clone();
                            items.push(item);
                        }
                        _ => *v = replacement(pick),
                    }
                }
            }
            _ => {}
        }
    }
    json
}

static SEEDS: LazyLock<Vec<(String, Value)>> = LazyLock::new(|| {
    documents(&["examples", "tests/fixtures/specs"])
        .into_iter()
        .filter(|(_, json)| {
            let (_, validator, instance) = against(json);
            validator.is_valid(&instance)
        })
        .collect()
});

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_mutation_of_a_valid_spec_passes_without_a_compile_when_jsonschema_refuses_it(
        seed in 0usize..1000,
        ops in proptest::collection::vec((0usize..3, 0usize..100_000, 0usize..1000), 1..4),
    ) {
        let (name, json) = &SEEDS[seed % SEEDS.len()];
        let mutated = mutate(json, &ops);
        let (schema, validator, instance) = against(&mutated);
        if quick::passes(schema, &instance) {
            prop_assert!(
                validator.is_valid(&instance),
                "{}: a mutation passed without a compile, but jsonschema refuses it: {:?}\n{}",
                name,
                validator.iter_errors(&instance).map(|e| e.to_string()).collect::<Vec<_>>(),
                serde_json::to_string_pretty(&instance).unwrap_or_default()
            );
        }
    }
}

/// The mutations above are not vacuous: many pass without a compile (so the check is asked
/// of documents it passes), and many jsonschema refuses (so passing one would be caught).
#[test]
fn the_mutations_reach_both_sides() {
    let (mut passed, mut refused, mut caught) = (0, 0, 0);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |bound: usize| {
        state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % bound
    };
    for _ in 0..2000 {
        let (_, json) = &SEEDS[next(SEEDS.len())];
        let ops: Vec<_> = (0..1 + next(3)).map(|_| (next(3), next(100_000), next(1000))).collect();
        let (schema, validator, instance) = against(&mutate(json, &ops));
        let quick = quick::check(schema, &instance, 0);
        let full = validator.is_valid(&instance);
        assert!(full || quick != quick::Verdict::Valid, "passed without a compile, refused by jsonschema: {instance}");
        passed += usize::from(quick == quick::Verdict::Valid);
        refused += usize::from(!full);
        caught += usize::from(!full && quick == quick::Verdict::Invalid);
    }
    assert!(
        passed > 300 && refused > 300 && caught > 200,
        "{passed} passed, {refused} refused, {caught} refused by both"
    );
}
