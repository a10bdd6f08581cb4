//! The JSON Schema and the typed model describe the same spec: same keys, same defaults.

use gen_core::spec::{Spec, schema_json};
use serde_json::{Map, Value};

/// An instance with every property the schema declares, from examples where given.
fn maximal(schema: &Value) -> Value {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        return Value::Object(props.iter().map(|(k, s)| (k.clone(), maximal(s))).collect());
    }
    if let Some(example) = schema.get("examples").and_then(|e| e.get(0)) {
        return example.clone();
    }
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Value::Array(vec![maximal(&schema["items"])]);
    }
    schema.get("default").cloned().or_else(|| schema.get("enum").and_then(|e| e.get(0)).cloned()).unwrap_or(Value::Null)
}

/// The instance with only required properties.
fn minimal(schema: &Value) -> Value {
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        return Value::Object(
            props
                .iter()
                .filter(|(k, _)| required.contains(&k.as_str()))
                .map(|(k, s)| (k.clone(), minimal(s)))
                .collect(),
        );
    }
    if schema.get("type").and_then(Value::as_str) == Some("array") {
        return Value::Array(vec![minimal(&schema["items"])]);
    }
    maximal(schema)
}

fn paths(value: &Value, prefix: String, out: &mut Vec<String>) {
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                let p = format!("{prefix}/{k}");
                out.push(p.clone());
                paths(v, p, out);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                paths(v, format!("{prefix}/{i}"), out);
            }
        }
        _ => {}
    }
}

fn validate(instance: &Value) {
    let validator = jsonschema::draft202012::new(schema_json()).expect("schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn every_schema_key_is_a_model_field_and_back() {
    let schema = schema_json();
    let full = maximal(schema);
    let (mut want, mut got) = (Vec::new(), Vec::new());
    paths(&full, String::new(), &mut want);
    // A spec names one target: the maximal spec once per platform, the others left out.
    for platform in gen_core::platform::PLATFORMS {
        let mut one = full.clone();
        let block = one["platform"].as_object_mut().expect("platform is a mapping");
        block.retain(|k, _| k == platform.name() || gen_core::platform::by_name(k).is_none());
        validate(&one);
        let spec: Spec = serde_json::from_value(one).expect("the model accepts every schema key");
        let back = serde_json::to_value(&spec).expect("serialize");
        validate(&back);
        paths(&back, String::new(), &mut got);
    }
    let lost: Vec<&String> = want.iter().filter(|p| !got.contains(p)).collect();
    assert!(lost.is_empty(), "the model drops {lost:?}");
}

/// Walks the schema and checks each documented default against the model's, where the parent
/// exists in the model's output for a minimal spec.
fn check_defaults(schema: &Value, model: &Value, at: &str, checked: &mut usize) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else { return };
    for (key, sub) in props {
        let path = format!("{at}/{key}");
        let Some(value) = model.get(key) else { continue };
        if let Some(default) = sub.get("default") {
            // A mapping's documented default names the keys it documents, not every key.
            match (default, value) {
                (Value::Object(d), Value::Object(v)) => {
                    for (k, want) in d {
                        assert_eq!(v.get(k), Some(want), "default of {path}/{k}");
                    }
                }
                _ => assert_eq!(value, default, "default of {path}"),
            }
            *checked += 1;
        }
        let sub = if sub.get("type").and_then(Value::as_str) == Some("array") { &sub["items"] } else { sub };
        match value {
            Value::Array(items) => items.iter().for_each(|v| check_defaults(sub, v, &path, checked)),
            v => check_defaults(sub, v, &path, checked),
        }
    }
}

#[test]
fn schema_defaults_are_the_model_defaults() {
    let schema = schema_json();
    // A spec names one target: the minimal spec once per platform, with that target's block.
    for platform in gen_core::platform::PLATFORMS {
        let mut min = minimal(schema);
        let block = minimal(&schema["properties"]["platform"]["properties"][platform.name()]);
        min["platform"] = serde_json::json!({ platform.name(): block });
        // Optional blocks that have defaults inside them only when present.
        let svc = &mut min["services"][0];
        svc["autoscaling"] = Value::Object(Map::new());
        svc["ingress"] = serde_json::json!({"host": "a.example.com"});
        validate(&min);
        let spec: Spec = serde_json::from_value(min).expect("minimal spec");
        let model = serde_json::to_value(&spec).expect("serialize");
        let mut checked = 0;
        check_defaults(schema, &model, "", &mut checked);
        assert!(checked >= 30, "only {checked} defaults checked on {}", platform.name());
    }
}

#[test]
fn every_schema_property_has_a_description() {
    fn walk(schema: &Value, at: &str, missing: &mut Vec<String>) {
        if let Some(props) = schema.get("properties").and_then(Value::as_object) {
            for (k, s) in props {
                if s.get("description").is_none() {
                    missing.push(format!("{at}/{k}"));
                }
                walk(s, &format!("{at}/{k}"), missing);
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(s) = schema.get(key).filter(|s| s.is_object()) {
                walk(s, &format!("{at}/{key}"), missing);
            }
        }
    }
    let mut missing = Vec::new();
    walk(schema_json(), "", &mut missing);
    assert!(missing.is_empty(), "{missing:?}");
}

/// Adding a platform adds its block and its branch of the target choice to the schema: the
/// schema offers exactly the platforms gen knows, each as one `oneOf` branch requiring its key
/// (what editors complete), and nothing else names a target.
#[test]
fn the_schema_offers_each_platform_as_one_choice_of_target() {
    let platform = &schema_json()["properties"]["platform"];
    let names: Vec<&str> = gen_core::platform::names().collect();
    let branches: Vec<&str> = platform["oneOf"]
        .as_array()
        .expect("platform is a oneOf of targets")
        .iter()
        .map(|b| match b["required"].as_array().map(Vec::as_slice) {
            Some([Value::String(key)]) => key.as_str(),
            other => panic!("a branch requires exactly its target's key, not {other:?}"),
        })
        .collect();
    assert_eq!(branches, names, "one branch per platform, in the order of PLATFORMS");
    let keys: Vec<&str> = platform["properties"].as_object().expect("properties").keys().map(String::as_str).collect();
    let targets: Vec<&str> = keys.iter().copied().filter(|k| !["github", "terraformState"].contains(k)).collect();
    assert_eq!(targets, names, "the platform's keys are the platforms and the shared blocks");
}
