//! Chart values: reading a values file as Helm does, and Helm's merge of a chart's defaults
//! with the values files a release is given.

use serde_json::{Map, Value as Json};

use super::Error;
use super::value::Value;
use crate::declare_rule;
use crate::diag::Span;
use crate::yaml::{self, Policy, Rules, Tags};

declare_rule! {
    /// ## What it does
    /// Reports a chart's values file, Chart.yaml or a `fromYaml` text that is not YAML.
    ///
    /// ## Why it matters
    /// Helm refuses the chart.
    ///
    /// ## How to fix
    /// Fix the YAML at the reported place.
    static INVALID_CHART_YAML = ("GOTMPL001", "invalid-chart-yaml", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Marks a values file with no content, which sets nothing (never reported).
    ///
    /// ## Why it matters
    /// Helm reads an empty values file as no values.
    ///
    /// ## How to fix
    /// Nothing to fix.
    static EMPTY_CHART_YAML = ("GOTMPL002", "empty-chart-yaml", Info);
}

static RULES: Rules = Rules {
    syntax: &INVALID_CHART_YAML,
    encoding: &INVALID_CHART_YAML,
    empty: &EMPTY_CHART_YAML,
    multiple_documents: &INVALID_CHART_YAML,
    duplicate_key: &INVALID_CHART_YAML,
    limits: &INVALID_CHART_YAML,
};

/// Values are read as sigs.k8s.io/yaml reads them (go-yaml's YAML 1.1: `yes` is a boolean).
static POLICY: Policy = Policy {
    what: "a values file",
    max_bytes: 16 * 1024 * 1024,
    max_depth: 100,
    max_nodes: 1_000_000,
    max_alias_nodes: 100_000,
    multi_document: false,
    tags: Tags::Kubectl,
    rules: &RULES,
    empty_help: "an empty values file sets nothing",
};

/// Reads a YAML file (values, Chart.yaml) as JSON; an empty file is an empty map.
pub fn load(name: &str, text: &str) -> Result<Json, Error> {
    let loaded = yaml::load(name, text.as_bytes(), &POLICY);
    match loaded.documents {
        Ok(docs) => Ok(docs.first().map_or(Json::Object(Map::new()), |d| d.root.to_json())),
        Err(diags) if diags.iter().all(|d| std::ptr::eq(d.rule, &EMPTY_CHART_YAML)) => Ok(Json::Object(Map::new())),
        Err(diags) => {
            let d = diags.into_iter().next();
            let span = d.as_ref().and_then(|d| d.span).unwrap_or(Span::new(0, 0));
            let pos = loaded.source.position(span);
            Err(Error::Values {
                file: name.to_string(),
                offset: span.start,
                line: pos.line,
                column: pos.column,
                message: d.map_or_else(|| "not YAML".to_string(), |d| d.message),
            })
        }
    }
}

/// `fromYaml`'s reading of a text: numbers become float64, as through JSON.
pub fn parse_yaml(name: &str, text: &str) -> Result<Value, String> {
    load(name, text).map(|j| Value::from_json(&j)).map_err(|e| e.to_string())
}

/// Helm's values for a release: the `overrides` (values files, in order) merged, each map
/// deeply and anything else replaced, then coalesced with the chart's `defaults`: a key the
/// overrides lack comes from the defaults (its nulls dropped), a null in the overrides deletes
/// the default's key, and a null for a key the chart does not have stays null.
pub fn coalesce(defaults: &Json, overrides: &[Json]) -> Json {
    let mut user = Map::new();
    for o in overrides {
        if let Json::Object(m) = o {
            merge(&mut user, m);
        }
    }
    if let Json::Object(d) = defaults {
        coalesce_tables(&mut user, d);
    }
    Json::Object(user)
}

/// `helm -f a -f b`: maps merged deeply, anything else (a null too) replaced.
fn merge(into: &mut Map<String, Json>, more: &Map<String, Json>) {
    for (k, v) in more {
        match (into.get_mut(k), v) {
            (Some(Json::Object(a)), Json::Object(b)) => merge(a, b),
            _ => {
                into.insert(k.clone(), v.clone());
            }
        }
    }
}

fn coalesce_tables(dst: &mut Map<String, Json>, src: &Map<String, Json>) {
    for (k, sv) in src {
        match dst.get_mut(k) {
            None => {
                if !sv.is_null() {
                    dst.insert(k.clone(), without_nulls(sv));
                }
            }
            Some(Json::Null) => {
                dst.remove(k);
            }
            Some(Json::Object(d)) => {
                if let Json::Object(s) = sv {
                    coalesce_tables(d, s);
                }
            }
            Some(_) => {}
        }
    }
}

/// A default's maps without their null entries (Helm drops them when it copies a default).
fn without_nulls(v: &Json) -> Json {
    match v {
        Json::Object(m) => {
            Json::Object(m.iter().filter(|(_, v)| !v.is_null()).map(|(k, v)| (k.clone(), without_nulls(v))).collect())
        }
        v => v.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn coalesce_merges_maps_replaces_the_rest_and_deletes_on_null() {
        let defaults = json!({"e": {"z": null, "w": 1, "deep": {"q": null}}, "f": {"a": 1, "b": 2}, "g": [1, null], "h": 1, "k": {"a": 1}, "n": null});
        let a = json!({"f": {"a": null, "c": null}, "h": {"x": 1}});
        let b = json!({"k": 5, "u": {"v": null}});
        // What `helm template` printed for the same chart and values files.
        let helm = json!({"e":{"deep":{},"w":1},"f":{"b":2,"c":null},"g":[1,null],"h":{"x":1},"k":5,"u":{"v":null}});
        assert_eq!(coalesce(&defaults, &[a, b]), helm);
    }
}
