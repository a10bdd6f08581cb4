//! A service's blueprint and its params: resolved, validated, defaults applied.

use serde_json::{Map, Value};

use super::{Blueprint, Catalog, Kind};
use crate::declare_rule;
use crate::diag::{Diagnostics, Route};
use crate::route;
use crate::spec::{Loaded, schema};
use crate::yaml::{Node, Value as YamlValue};

declare_rule! {
    /// ## What it does
    /// Reports a service whose `blueprint` is not in the catalog.
    ///
    /// ## Why it matters
    /// gen cannot know what to render for it.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     blueprint: flsk
    /// ```
    ///
    /// ## How to fix
    /// Use a name from `gen blueprints list`, or add the blueprint's folder with
    /// `--blueprints DIR`.
    pub static UNKNOWN_BLUEPRINT = ("SPEC119", "unknown-blueprint", Error, unignorable);
}

/// Fills in `default`s of the schema's properties, recursively through objects.
pub(super) fn apply_defaults(schema: &Value, value: &mut Map<String, Value>) {
    let Some(props) = schema.get("properties").and_then(Value::as_object) else { return };
    for (key, sub) in props {
        if !value.contains_key(key)
            && let Some(default) = sub.get("default")
        {
            value.insert(key.clone(), default.clone());
        }
        if let Some(Value::Object(inner)) = value.get_mut(key) {
            apply_defaults(sub, inner);
        }
    }
}

/// Whether the schema (following `properties`, `items` and `additionalProperties`) types the
/// value at `route` as an integer only.
fn integer_at(schema: &Value, route: &[crate::diag::Segment]) -> bool {
    let Some((first, rest)) = route.split_first() else {
        return schema.get("type").is_some_and(|t| t == "integer");
    };
    let next = match first {
        crate::diag::Segment::Key(k) => schema
            .get("properties")
            .and_then(|p| p.get(k))
            .or_else(|| schema.get("additionalProperties").filter(|a| a.is_object())),
        crate::diag::Segment::Index(_) => schema.get("items"),
    };
    next.is_some_and(|s| integer_at(s, rest))
}

/// Whole numbers written with a fraction or exponent (`2.0`) where the params schema wants an
/// integer: JSON Schema accepts them, the rendered file would hold `2.0`.
fn fractional_integers(loaded: &Loaded, schema: &Value, node: &Node, route: Route, out: &mut Diagnostics) {
    let base = route.segments().len();
    let mut stack = vec![(node, route)];
    while let Some((n, at)) = stack.pop() {
        match &n.value {
            YamlValue::Float(f) if f.fract() == 0.0 && integer_at(schema, &at.segments()[base..]) => {
                let written = loaded.source().text().get(n.span.start..n.span.end).unwrap_or_default();
                out.push(
                    loaded
                        .at(&schema::WRONG_TYPE, &at, false, format!("expected a whole number, found `{written}`"))
                        .help(format!("write `{}` without a fraction", *f as i64)),
                );
            }
            YamlValue::Map(entries) => stack.extend(entries.iter().map(|e| (&e.value, at.clone().with(&e.key)))),
            YamlValue::Seq(items) => stack.extend(items.iter().enumerate().map(|(i, v)| (v, at.clone().with(i)))),
            _ => {}
        }
    }
}

/// A service's blueprint and its params with defaults applied.
pub type ServiceBlueprint<'c> = (&'c Blueprint, Map<String, Value>);

/// Each service's blueprint and params (defaults applied), or every finding about them.
pub fn resolve_params<'c>(loaded: &Loaded, catalog: &'c Catalog) -> Result<Vec<ServiceBlueprint<'c>>, Diagnostics> {
    let source = loaded.source();
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (i, svc) in loaded.spec.services.iter().enumerate() {
        let bp = match catalog.get(&svc.blueprint).filter(|b| b.kind == Kind::Service) {
            Some(bp) => bp,
            None => {
                let names = catalog.service_names();
                let help = match schema::did_you_mean(&svc.blueprint, names.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("available blueprints: {}", names.join(", ")),
                };
                let msg = format!("no service blueprint is called `{}`", svc.blueprint);
                errors.push(loaded.at(&UNKNOWN_BLUEPRINT, &route!["services", i, "blueprint"], false, msg).help(help));
                continue;
            }
        };
        let validator = bp.params_schema();
        match loaded.root().lookup(&route!["services", i, "params"]) {
            Some(node) => {
                errors.extend(schema::validate(validator, node, source, &schema::SPEC_RULES));
                fractional_integers(loaded, &bp.params, node, route!["services", i, "params"], &mut errors);
            }
            None if !validator.is_valid(&Value::Object(Map::new())) => {
                // Required params with no `params:` key at all: report at the service.
                let empty = Node { span: loaded.span(&route!["services", i]), value: YamlValue::Map(vec![]) };
                errors.extend(schema::validate(validator, &empty, source, &schema::SPEC_RULES));
            }
            None => {}
        }
        let mut params = svc.params.clone();
        apply_defaults(&bp.params, &mut params);
        out.push((bp, params));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
