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

declare_rule! {
    /// ## What it does
    /// Reports a latency objective whose `threshold` is not a bucket boundary of the latency
    /// histogram the service's blueprint exports (`gen blueprints show NAME`, its
    /// `runtime.metrics.requests.buckets`, bounded by a param such as flask's `timeout`).
    ///
    /// ## Why it matters
    /// The indicator counts the requests in the bucket at the threshold. Between two
    /// boundaries Prometheus can only interpolate, and an alert on an interpolated share pages
    /// for requests that met the objective, or misses those that did not.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: shop
    ///     slo: {latency: {objective: 99, threshold: 300ms}}
    /// ```
    ///
    /// ## How to fix
    /// Use a boundary the message lists, such as `250ms` or `500ms`.
    pub static LATENCY_THRESHOLD_NOT_A_BUCKET = ("SPEC171", "latency-threshold-not-a-bucket", Error);
}

declare_rule! {
    /// ## What it does
    /// Reports a service whose `port` is the port its blueprint serves Prometheus metrics on
    /// (flask's 9464).
    ///
    /// ## Why it matters
    /// Two servers cannot bind one port: the container would not start, or the metrics
    /// server would fail and nothing would watch the service.
    ///
    /// ## How to fix
    /// Choose another port, such as `8080`.
    pub static PORT_TAKEN_BY_METRICS = ("SPEC172", "port-taken-by-metrics", Error);
}

/// The service's objectives as its blueprint's metrics can measure them, and its port beside
/// the metrics'.
fn check_metrics(loaded: &Loaded, i: usize, bp: &Blueprint, params: &Map<String, Value>, errors: &mut Diagnostics) {
    let svc = &loaded.spec.services[i];
    let Some(metrics) = &bp.runtime.metrics else { return };
    if svc.port == metrics.port {
        let msg = format!("port {} is the one the `{}` blueprint serves its metrics on", svc.port, bp.name);
        errors.push(
            loaded
                .at(&PORT_TAKEN_BY_METRICS, &route!["services", i, "port"], false, msg)
                .help("choose another port, such as 8080"),
        );
    }
    let (Some(requests), true) = (&metrics.requests, loaded.spec.observability.enabled) else { return };
    let Some(threshold) = svc.slo.latency.seconds() else { return };
    let buckets = requests.buckets_for(params);
    if buckets.iter().any(|b| (b - threshold).abs() <= 1e-9 * b.max(1.0)) {
        return;
    }
    let said: Vec<String> = buckets
        .iter()
        .map(|b| {
            let ms = b * 1000.0;
            if (ms - ms.round()).abs() < 1e-6 && ms < 1000.0 { format!("{}ms", ms.round()) } else { format!("{b}s") }
        })
        .collect();
    let written = route!["services", i, "slo", "latency", "threshold"];
    let at = if loaded.root().lookup(&written).is_some() { written } else { route!["services", i] };
    let msg = format!(
        "the latency threshold {} is not a bucket boundary of `{}`'s histogram ({})",
        svc.slo.latency.threshold, bp.name, requests.duration
    );
    errors.push(
        loaded.at(&LATENCY_THRESHOLD_NOT_A_BUCKET, &at, false, msg).help(format!("use one of {}", said.join(", "))),
    );
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
        check_metrics(loaded, i, bp, &params, &mut errors);
        out.push((bp, params));
    }
    if errors.is_empty() { Ok(out) } else { Err(errors) }
}
