//! Whether a document surely passes a JSON Schema, read straight from the schema's JSON: no
//! compile, so a valid spec (every run's common case) costs what its own size costs.
//!
//! Compiling the spec's schema with `jsonschema` (which first checks the schema against its
//! meta-schema, then builds a validator and a regular expression for each of its 31 patterns)
//! was a quarter of the instructions of `gen render --check`, for a spec that almost always
//! passes. This reader answers only "surely valid": anything it is not certain of (a keyword it
//! does not know, a number past a float's range, a regular expression that fails
//! to build) is [`Verdict::Unsure`], and the caller asks the compiled validator, which also
//! gives the located messages of a spec that fails. So it can make a check faster, never
//! laxer: the tests hold it to `jsonschema` on every spec and fixture gen ships and on
//! thousands of mutations of them (`tests/it/schema_quick.rs`).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde_json::{Map, Value as Json};

/// What the reader can say of a document against a (sub)schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// `jsonschema` finds no error.
    Valid,
    /// `jsonschema` finds an error.
    Invalid,
    /// The reader cannot tell.
    Unsure,
}

use Verdict::{Invalid, Unsure, Valid};

impl Verdict {
    /// Both must hold.
    fn and(self, other: impl FnOnce() -> Verdict) -> Verdict {
        match self {
            Invalid => Invalid,
            Valid => other(),
            Unsure => match other() {
                Invalid => Invalid,
                _ => Unsure,
            },
        }
    }
}

/// Whether `instance` surely passes `schema` (a draft 2020-12 schema without references).
pub fn passes(schema: &Json, instance: &Json) -> bool {
    check(schema, instance, 0) == Valid
}

/// Keywords that only annotate: they never make a document invalid.
const ANNOTATIONS: &[&str] = &[
    "$schema",
    "$id",
    "$comment",
    "title",
    "description",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// Deeper than any schema gen reads: a schema nested further is not followed.
const MAX_DEPTH: usize = 64;

/// The verdict of `instance` against `schema`.
pub fn check(schema: &Json, instance: &Json, depth: usize) -> Verdict {
    if depth > MAX_DEPTH {
        return Unsure;
    }
    let keywords = match schema {
        Json::Bool(true) => return Valid,
        Json::Bool(false) => return Invalid,
        Json::Object(keywords) => keywords,
        _ => return Unsure,
    };
    let mut verdict = Valid;
    for (keyword, value) in keywords {
        let this = match keyword.as_str() {
            k if ANNOTATIONS.contains(&k) => Valid,
            "type" => of_type(value, instance),
            "enum" => match value {
                Json::Array(members) => one_of_values(members, instance),
                _ => Unsure,
            },
            "const" => one_of_values(std::slice::from_ref(value), instance),
            "properties" | "additionalProperties" | "required" | "propertyNames" => {
                object(keyword, value, keywords, instance, depth)
            }
            "items" | "minItems" | "maxItems" | "uniqueItems" => array(keyword, value, instance, depth),
            "pattern" | "minLength" | "maxLength" => string(keyword, value, instance),
            "minimum" | "maximum" => number(keyword, value, instance),
            "oneOf" => one_of(value, instance, depth),
            _ => Unsure,
        };
        verdict = verdict.and(|| this);
        if verdict == Invalid {
            return Invalid;
        }
    }
    verdict
}

/// `type`: one name or a list of names.
fn of_type(value: &Json, instance: &Json) -> Verdict {
    let is = |name: &Json| -> Verdict {
        let Some(name) = name.as_str() else { return Unsure };
        let yes = match (name, instance) {
            ("null", Json::Null) | ("boolean", Json::Bool(_)) | ("string", Json::String(_)) => true,
            ("object", Json::Object(_)) | ("array", Json::Array(_)) | ("number", Json::Number(_)) => true,
            ("integer", Json::Number(n)) => {
                if n.is_i64() || n.is_u64() {
                    true
                } else if n.as_f64().is_some_and(|f| f.fract() == 0.0) {
                    // `2.0`: jsonschema's call, not this reader's.
                    return Unsure;
                } else {
                    false
                }
            }
            ("null" | "boolean" | "string" | "object" | "array" | "number" | "integer", _) => false,
            _ => return Unsure,
        };
        if yes { Valid } else { Invalid }
    };
    match value {
        Json::String(_) => is(value),
        Json::Array(names) => {
            let verdicts: Vec<Verdict> = names.iter().map(is).collect();
            if verdicts.contains(&Valid) {
                Valid
            } else if verdicts.iter().all(|v| *v == Invalid) {
                Invalid
            } else {
                Unsure
            }
        }
        _ => Unsure,
    }
}

/// Whether a value holds a number that is not an integer anywhere: jsonschema compares numbers
/// by value (`1` equals `1.0`), serde_json by how they were read; an integer has one form.
fn has_float(value: &Json) -> bool {
    match value {
        Json::Number(n) => !(n.is_i64() || n.is_u64()),
        Json::Array(items) => items.iter().any(has_float),
        Json::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

/// `enum` and `const`: equal to one of `members`.
fn one_of_values(members: &[Json], instance: &Json) -> Verdict {
    if members.iter().any(|m| m == instance) {
        Valid
    } else if has_float(instance) || members.iter().any(has_float) {
        Unsure
    } else {
        Invalid
    }
}

/// The keywords of an object: `properties`, `additionalProperties` (beside the `properties`
/// of the same schema), `required` and `propertyNames`.
fn object(keyword: &str, value: &Json, keywords: &Map<String, Json>, instance: &Json, depth: usize) -> Verdict {
    let Json::Object(map) = instance else { return Valid };
    match keyword {
        "properties" => {
            let Json::Object(properties) = value else { return Unsure };
            let mut verdict = Valid;
            for (key, item) in map {
                if let Some(sub) = properties.get(key) {
                    verdict = verdict.and(|| check(sub, item, depth + 1));
                    if verdict == Invalid {
                        return Invalid;
                    }
                }
            }
            verdict
        }
        "additionalProperties" => {
            if keywords.contains_key("patternProperties") {
                return Unsure;
            }
            let known = keywords.get("properties").and_then(Json::as_object);
            let mut verdict = Valid;
            for (key, item) in map {
                if known.is_some_and(|k| k.contains_key(key)) {
                    continue;
                }
                verdict = verdict.and(|| check(value, item, depth + 1));
                if verdict == Invalid {
                    return Invalid;
                }
            }
            verdict
        }
        "required" => {
            let Json::Array(names) = value else { return Unsure };
            let mut verdict = Valid;
            for name in names {
                match name.as_str() {
                    Some(name) if !map.contains_key(name) => return Invalid,
                    Some(_) => {}
                    None => verdict = Unsure,
                }
            }
            verdict
        }
        "propertyNames" => {
            let mut verdict = Valid;
            for key in map.keys() {
                verdict = verdict.and(|| check(value, &Json::String(key.clone()), depth + 1));
                if verdict == Invalid {
                    return Invalid;
                }
            }
            verdict
        }
        _ => Unsure,
    }
}

/// The keywords of an array: `items` (one schema for every item), `minItems`, `maxItems`,
/// `uniqueItems`.
fn array(keyword: &str, value: &Json, instance: &Json, depth: usize) -> Verdict {
    let Json::Array(items) = instance else { return Valid };
    let bound = || value.as_u64();
    match keyword {
        "items" => {
            let mut verdict = Valid;
            for item in items {
                verdict = verdict.and(|| check(value, item, depth + 1));
                if verdict == Invalid {
                    return Invalid;
                }
            }
            verdict
        }
        "minItems" => bound().map_or(Unsure, |min| if items.len() as u64 >= min { Valid } else { Invalid }),
        "maxItems" => bound().map_or(Unsure, |max| if items.len() as u64 <= max { Valid } else { Invalid }),
        "uniqueItems" => match value {
            Json::Bool(false) => Valid,
            Json::Bool(true) => {
                let twice = items.iter().enumerate().any(|(i, a)| items[i + 1..].contains(a));
                if twice {
                    Invalid
                } else if items.iter().any(has_float) {
                    Unsure
                } else {
                    Valid
                }
            }
            _ => Unsure,
        },
        _ => Unsure,
    }
}

/// The keywords of a string: `pattern` (an ECMA-262 expression, translated and matched as
/// jsonschema matches it), `minLength`, `maxLength` (in characters).
fn string(keyword: &str, value: &Json, instance: &Json) -> Verdict {
    let Json::String(text) = instance else { return Valid };
    match keyword {
        "pattern" => {
            let Some(pattern) = value.as_str() else { return Unsure };
            let Some(regex) = regex(pattern) else { return Unsure };
            match regex.is_match(text) {
                Ok(true) => Valid,
                Ok(false) => Invalid,
                Err(_) => Unsure,
            }
        }
        "minLength" => {
            value.as_u64().map_or(Unsure, |min| if text.chars().count() as u64 >= min { Valid } else { Invalid })
        }
        "maxLength" => {
            value.as_u64().map_or(Unsure, |max| if text.chars().count() as u64 <= max { Valid } else { Invalid })
        }
        _ => Unsure,
    }
}

/// `minimum` and `maximum`, between integers only: a float is jsonschema's to compare.
fn number(keyword: &str, value: &Json, instance: &Json) -> Verdict {
    let Json::Number(n) = instance else { return Valid };
    let as_int = |n: &serde_json::Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    let yes = match (as_int(n), value.as_number().and_then(as_int)) {
        (Some(n), Some(limit)) => {
            if keyword == "minimum" {
                n >= limit
            } else {
                n <= limit
            }
        }
        // A fraction (an objective of 99.9%): both read as the same f64 serde_json gives
        // jsonschema, which compares them so too; a number past f64's range is its call.
        _ => match (n.as_f64().filter(|f| f.is_finite()), value.as_f64().filter(|f| f.is_finite())) {
            (Some(n), Some(limit)) => {
                if keyword == "minimum" {
                    n >= limit
                } else {
                    n <= limit
                }
            }
            _ => return Unsure,
        },
    };
    if yes { Valid } else { Invalid }
}

/// `oneOf`: exactly one branch passes, each of the others surely failing.
fn one_of(value: &Json, instance: &Json, depth: usize) -> Verdict {
    let Json::Array(branches) = value else { return Unsure };
    let verdicts: Vec<Verdict> = branches.iter().map(|b| check(b, instance, depth + 1)).collect();
    let valid = verdicts.iter().filter(|v| **v == Valid).count();
    if verdicts.contains(&Unsure) {
        // One more sure pass than allowed fails whatever the rest are.
        return if valid > 1 { Invalid } else { Unsure };
    }
    if valid == 1 { Valid } else { Invalid }
}

/// The regular expression of a schema pattern, as jsonschema builds it (its ECMA-262
/// translation, compiled by fancy-regex with the default limits), built once per process.
fn regex(pattern: &str) -> Option<Arc<fancy_regex::Regex>> {
    static BUILT: LazyLock<Mutex<HashMap<String, Option<Arc<fancy_regex::Regex>>>>> = LazyLock::new(Mutex::default);
    let mut built = BUILT.lock().ok()?;
    if let Some(regex) = built.get(pattern) {
        return regex.clone();
    }
    let regex = jsonschema_regex::to_rust_regex(pattern)
        .ok()
        .and_then(|translated| fancy_regex::Regex::new(&translated).ok())
        .map(Arc::new);
    built.insert(pattern.to_string(), regex.clone());
    regex
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn verdict(schema: Json, instance: Json) -> Verdict {
        check(&schema, &instance, 0)
    }

    #[test]
    fn what_it_is_sure_of() {
        let schema = json!({
            "type": "object", "additionalProperties": false, "required": ["name"],
            "properties": {
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9-]*$", "maxLength": 8},
                "replicas": {"type": "integer", "minimum": 1, "maximum": 10},
                "tags": {"type": "array", "items": {"enum": ["a", "b"]}, "uniqueItems": true, "minItems": 1}
            }
        });
        assert_eq!(verdict(schema.clone(), json!({"name": "shop", "replicas": 2, "tags": ["a", "b"]})), Valid);
        assert_eq!(verdict(schema.clone(), json!({"name": "Shop"})), Invalid);
        assert_eq!(verdict(schema.clone(), json!({"name": "shopshopshop"})), Invalid);
        assert_eq!(verdict(schema.clone(), json!({"name": "shop", "replica": 2})), Invalid);
        assert_eq!(verdict(schema.clone(), json!({"replicas": 2})), Invalid);
        assert_eq!(verdict(schema.clone(), json!({"name": "shop", "replicas": 0})), Invalid);
        assert_eq!(verdict(schema.clone(), json!({"name": "shop", "tags": ["a", "a"]})), Invalid);
        assert_eq!(verdict(schema.clone(), json!({"name": "shop", "tags": []})), Invalid);
        assert_eq!(verdict(schema, json!({"name": "shop", "tags": ["c"]})), Invalid);
    }

    #[test]
    fn what_it_leaves_to_jsonschema() {
        // A float where an integer belongs, a number past a float's range, a keyword it does
        // not read. A fraction against a bound is compared as jsonschema compares it.
        assert_eq!(verdict(json!({"type": "integer"}), json!(2.0)), Unsure);
        assert_eq!(verdict(json!({"type": "integer"}), json!(2.5)), Invalid);
        assert_eq!(verdict(json!({"minimum": 1}), json!(1.5)), Valid);
        assert_eq!(verdict(json!({"maximum": 99.9}), json!(99.95)), Invalid);
        assert_eq!(verdict(json!({"minimum": 95}), json!(99.9)), Valid);
        assert_eq!(verdict(json!({"format": "email"}), json!("x")), Unsure);
        assert_eq!(verdict(json!({"$ref": "#/$defs/x"}), json!("x")), Unsure);
        assert_eq!(verdict(json!({"enum": [1]}), json!(1.0)), Unsure);
        assert_eq!(verdict(json!({"uniqueItems": true}), json!([1, 1.0])), Unsure);
        assert_eq!(verdict(json!({"uniqueItems": true}), json!([80, 443])), Valid);
        assert_eq!(verdict(json!({"uniqueItems": true}), json!([80, 80])), Invalid);
        // oneOf: an unsure branch beside a sure pass could be a second pass.
        assert_eq!(verdict(json!({"oneOf": [{"required": ["a"]}, {"format": "x"}]}), json!({"a": 1})), Unsure);
        assert_eq!(verdict(json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}), json!({"a": 1})), Valid);
        assert_eq!(
            verdict(json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}), json!({"a": 1, "b": 2})),
            Invalid
        );
        assert_eq!(verdict(json!({"oneOf": [{"required": ["a"]}, {"required": ["b"]}]}), json!({})), Invalid);
        // An unsure keyword does not hide a sure failure beside it.
        assert_eq!(verdict(json!({"format": "x", "type": "string"}), json!(1)), Invalid);
    }
}
