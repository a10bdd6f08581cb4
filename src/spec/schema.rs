//! Stage 2: JSON Schema validation with every error placed at its node.
//!
//! Used for the spec against `schemas/spec.schema.json` and for a blueprint's `params` against
//! the blueprint's own schema: the same messages and locations for both.

use jsonschema::error::ValidationErrorKind;
use jsonschema::paths::LocationSegment;
use jsonschema::{ValidationError, Validator};
use serde_json::Value as Json;

pub mod quick;

use std::sync::OnceLock;

use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Route, Rule, Segment, Source};
use crate::yaml::{Node, Value};

/// The spec's JSON Schema, as shipped in `schemas/` and printed by `gen schema`.
pub const SPEC_SCHEMA: &str = include_str!("../../schemas/spec.schema.json");

declare_rule! {
    /// ## What it does
    /// Reports a key the schema does not know, with the closest known key when there is one.
    ///
    /// ## Why it matters
    /// A misspelled key (`replica` for `replicas`) would otherwise be ignored and its default
    /// used without a word.
    ///
    /// ## How to fix
    /// Use the suggested key, or remove it. `gen schema` prints every key with its description.
    pub static UNKNOWN_KEY = ("SPEC010", "unknown-key", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a required key that is missing.
    ///
    /// ## Why it matters
    /// Some values only the user can know (names, the repository, the region); gen will not guess.
    ///
    /// ## How to fix
    /// Add the key; the message quotes its description.
    pub static MISSING_KEY = ("SPEC011", "missing-key", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a value of the wrong type: a number where a string belongs, a list for a mapping.
    ///
    /// ## Why it matters
    /// YAML guesses types from how values are written: `1.30` is the number 1.3, not the
    /// version "1.30".
    ///
    /// ## How to fix
    /// Write the expected type; quote a value that must stay a string.
    pub static WRONG_TYPE = ("SPEC012", "wrong-type", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a value the schema rejects: not one of the allowed values, out of range, too short
    /// or long, not matching the expected format.
    ///
    /// ## Why it matters
    /// Such a value would render artifacts that fail when applied, far from the spec line that
    /// caused it.
    ///
    /// ## How to fix
    /// Use a value the message allows.
    pub static INVALID_VALUE = ("SPEC013", "invalid-value", Error, unignorable);
}

/// The rules schema errors are reported under.
#[derive(Debug)]
pub struct SchemaRules {
    pub unknown_key: &'static Rule,
    pub missing_key: &'static Rule,
    pub wrong_type: &'static Rule,
    pub invalid_value: &'static Rule,
}

/// The spec's schema rules (also used for a blueprint's `params` in a spec).
pub static SPEC_RULES: SchemaRules = SchemaRules {
    unknown_key: &UNKNOWN_KEY,
    missing_key: &MISSING_KEY,
    wrong_type: &WRONG_TYPE,
    invalid_value: &INVALID_VALUE,
};

/// Most unknown keys reported one by one in a single mapping.
const MAX_UNKNOWN_KEYS: usize = 20;

/// Builds a draft 2020-12 validator with no network or file access for `$ref`.
pub fn compile(schema: &Json) -> Result<Validator, String> {
    jsonschema::draft202012::options().should_validate_formats(true).build(schema).map_err(|e| e.to_string())
}

/// A JSON Schema, compiled only when a document does not surely pass it ([`quick`]): a valid
/// document, the common case, costs no compile.
#[derive(Debug)]
pub struct Schema {
    pub json: Json,
    validator: OnceLock<Validator>,
}

impl Schema {
    /// A schema known to compile (gen's own, checked by a test): compiled on first need.
    pub fn new(json: Json) -> Schema {
        Schema { json, validator: OnceLock::new() }
    }

    /// A schema compiled now, for one that may not compile (a blueprint folder's).
    pub fn compiled(json: Json) -> Result<Schema, String> {
        let validator = compile(&json)?;
        Ok(Schema { json, validator: OnceLock::from(validator) })
    }

    /// The compiled validator.
    pub fn validator(&self) -> &Validator {
        // `new` is for schemas a test compiles: failing here is a build defect.
        self.validator.get_or_init(|| compile(&self.json).expect("a schema of gen's own compiles"))
    }

    /// Whether `instance` passes.
    pub fn is_valid(&self, instance: &Json) -> bool {
        quick::passes(&self.json, instance) || self.validator().is_valid(instance)
    }
}

/// Validates `node` against `schema`, reporting every error at the node it concerns.
pub fn validate(schema: &Schema, node: &Node, source: &Source, rules: &SchemaRules) -> Diagnostics {
    validate_json(schema, &node.to_json(), node, source, rules)
}

/// [`validate`] for a node whose JSON value the caller already has (`instance`).
pub fn validate_json(
    schema: &Schema,
    instance: &Json,
    node: &Node,
    source: &Source,
    rules: &SchemaRules,
) -> Diagnostics {
    validate_except(schema, instance, node, source, rules, &[])
}

/// The schema location of the spec's choice of platform target (`oneOf` a branch per
/// platform, each requiring its key): a platform naming no target or two is reported by
/// SPEC015 (`spec::environments::target_of`), in its own words, not as a schema error.
pub const TARGET_CHOICE: &str = "/properties/platform/oneOf";

/// [`validate_json`] without the errors of the keywords at `skip` (schema locations), which a
/// later stage reports in its own words.
pub fn validate_except(
    schema: &Schema,
    instance: &Json,
    node: &Node,
    source: &Source,
    rules: &SchemaRules,
    skip: &[&str],
) -> Diagnostics {
    if quick::passes(&schema.json, instance) {
        return Vec::new();
    }
    let (validator, schema) = (schema.validator(), &schema.json);
    if validator.is_valid(instance) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        if skip.contains(&error.schema_path().as_str()) {
            continue;
        }
        diagnose(&error, schema, node, source, rules, &mut out);
    }
    out.sort_by_key(|d| d.span);
    out.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    out
}

fn segments(location: &jsonschema::paths::Location) -> Vec<String> {
    location
        .iter()
        .map(|s| match s {
            LocationSegment::Property(p) => p.into_owned(),
            LocationSegment::Index(i) => i.to_string(),
        })
        .collect()
}

fn route(location: &jsonschema::paths::Location) -> Route {
    location
        .iter()
        .map(|s| match s {
            LocationSegment::Property(p) => Segment::Key(p.into_owned()),
            LocationSegment::Index(i) => Segment::Index(i),
        })
        .collect()
}

/// The subschema at a keyword location, following local `$ref`s on the way.
fn subschema<'a>(schema: &'a Json, path: &[String]) -> Option<&'a Json> {
    let mut node = schema;
    for seg in path {
        if seg == "$ref" {
            let target = node.get("$ref")?.as_str()?.strip_prefix('#')?;
            node = schema.pointer(target)?;
        } else {
            node = match node {
                Json::Object(m) => m.get(seg)?,
                Json::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
    }
    Some(node)
}

fn describe(schema: Option<&Json>) -> Option<String> {
    schema?.get("description")?.as_str().map(str::to_string)
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&lower, &c.to_ascii_lowercase()), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min()
        .map(|(_, c)| c)
}

fn diagnose(
    error: &ValidationError<'_>,
    schema: &Json,
    root: &Node,
    source: &Source,
    rules: &SchemaRules,
    out: &mut Diagnostics,
) {
    let file = source.name();
    let at = route(error.instance_path());
    let keyword_path = segments(error.schema_path());
    let parent = subschema(schema, &keyword_path[..keyword_path.len().saturating_sub(1)]);
    let node_span = root.locate(&at, false);
    let value_text = |n: &Node| match &n.value {
        Value::Str(s) => format!("`{s}`"),
        other => format!("`{}`", Node { span: n.span, value: other.clone() }.to_json()),
    };
    let node = root.lookup(&at);
    let push = |out: &mut Diagnostics, rule: &'static Rule, span, msg: String, help: Option<String>| {
        let mut d = Diagnostic::new(rule, file, Some(span), msg);
        d.help = help;
        out.push(d);
    };
    match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let rule = rules.unknown_key;
            let known: Vec<&str> = parent
                .and_then(|p| p.get("properties"))
                .and_then(Json::as_object)
                .map(|m| m.keys().map(String::as_str).collect())
                .unwrap_or_default();
            // A pasted file of thousands of keys gets a readable report, not thousands of lines.
            if unexpected.len() > MAX_UNKNOWN_KEYS {
                let more = unexpected.len() - MAX_UNKNOWN_KEYS;
                let msg = format!(
                    "{} unknown keys in this mapping (the first {MAX_UNKNOWN_KEYS} are listed)",
                    unexpected.len()
                );
                push(out, rule, node_span, msg, Some(format!("{more} more are not shown: is this the right file?")));
            }
            for key in unexpected.iter().take(MAX_UNKNOWN_KEYS) {
                let span = root.locate(&at.clone().with(key), true);
                let help = match did_you_mean(key, known.iter().copied()) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None if known.is_empty() => "remove it".to_string(),
                    None => format!("known keys here: {}", known.join(", ")),
                };
                push(out, rule, span, format!("unknown key `{key}`"), Some(help));
            }
        }
        ValidationErrorKind::Required { property } => {
            let name = property.as_str().unwrap_or_default();
            let help = describe(parent.and_then(|p| p.get("properties")).and_then(|p| p.get(name)));
            let span = match node.map(|n| &n.value) {
                Some(Value::Map(entries)) if !entries.is_empty() => entries[0].key_span,
                _ => node_span,
            };
            push(out, rules.missing_key, span, format!("missing required key `{name}`"), help);
        }
        ValidationErrorKind::Type { .. } => {
            let expected = match parent.and_then(|p| p.get("type")) {
                Some(Json::String(t)) => type_phrase(t).to_string(),
                Some(Json::Array(ts)) => {
                    ts.iter().filter_map(Json::as_str).map(type_phrase).collect::<Vec<_>>().join(" or ")
                }
                _ => "another type".to_string(),
            };
            let found = node.map_or("another type", Node::type_name);
            let help = match (expected.as_str(), node) {
                (
                    "a string",
                    Some(n @ Node { value: Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null, .. }),
                ) => {
                    let raw = source.text().get(n.span.start..n.span.end).unwrap_or_default();
                    Some(format!("quote it to keep it a string: \"{raw}\""))
                }
                _ => describe(parent),
            };
            push(out, rules.wrong_type, node_span, format!("expected {expected}, found {found}"), help);
        }
        ValidationErrorKind::Enum { options } => {
            let opts: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string)).collect())
                .unwrap_or_default();
            // A number, boolean or null where the options are strings is shown as written
            // (`3.10`, which YAML reads as 3.1) and, when its text is an option, told to quote it.
            let unquoted = node
                .filter(|n| matches!(n.value, Value::Int(_) | Value::Float(_) | Value::Bool(_) | Value::Null))
                .filter(|_| options.as_array().is_some_and(|a| a.iter().all(Json::is_string)))
                .and_then(|n| source.text().get(n.span.start..n.span.end));
            let shown = match unquoted {
                Some(raw) => format!("`{raw}`"),
                None => node.map_or_else(String::new, value_text),
            };
            let guess = node.and_then(|n| match &n.value {
                Value::Str(s) => did_you_mean(s, opts.iter().map(String::as_str)),
                _ => None,
            });
            let help = match unquoted {
                Some(raw) if opts.iter().any(|o| o == raw) => Some(format!("quote it to keep it a string: \"{raw}\"")),
                Some(_) => {
                    Some(format!("write one of them, quoted, such as \"{}\"", opts.first().map_or("", String::as_str)))
                }
                None => guess.map_or_else(|| describe(parent), |g| Some(format!("did you mean `{g}`?"))),
            };
            let message = match (unquoted, node) {
                (Some(_), Some(n)) => format!(
                    "{shown} is {} here, not one of the strings {}",
                    n.type_name(),
                    opts.iter().map(|o| format!("\"{o}\"")).collect::<Vec<_>>().join(", ")
                ),
                _ => format!("{shown} is not one of: {}", opts.join(", ")),
            };
            push(out, rules.invalid_value, node_span, message, help);
        }
        ValidationErrorKind::Constant { expected_value } => {
            let shown = node.map_or_else(String::new, value_text);
            let want = expected_value.as_str().map_or_else(|| expected_value.to_string(), str::to_string);
            push(out, rules.invalid_value, node_span, format!("{shown} must be `{want}`"), describe(parent));
        }
        ValidationErrorKind::FalseSchema
            if at.parent().and_then(|p| root.lookup(&p)).is_some_and(|n| matches!(n.value, Value::Map(_))) =>
        {
            let key = match at.segments().last() {
                Some(Segment::Key(k)) => k.clone(),
                Some(Segment::Index(i)) => i.to_string(),
                None => String::new(),
            };
            push(
                out,
                rules.unknown_key,
                root.locate(&at, true),
                format!("unknown key `{key}`"),
                Some("remove it".into()),
            );
        }
        ValidationErrorKind::PropertyNames { error } => {
            let name = error.instance().as_str().unwrap_or_default().to_string();
            let span = root.locate(&at.clone().with(&name), true);
            push(
                out,
                rules.invalid_value,
                span,
                format!("`{name}` is not a valid name here"),
                Some("use letters, digits and `_`, not starting with a digit".into()),
            );
        }
        ValidationErrorKind::AnyOf { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::OneOfMultipleValid { .. } => {
            push(
                out,
                rules.invalid_value,
                node_span,
                format!("this value matches none of the allowed forms: {error}"),
                describe(parent),
            );
        }
        _ => {
            let shown = node.map_or_else(String::new, value_text);
            let what = match error.kind() {
                ValidationErrorKind::Minimum { limit } => format!("{shown} is below the minimum {limit}"),
                ValidationErrorKind::Maximum { limit } => format!("{shown} is above the maximum {limit}"),
                ValidationErrorKind::MinLength { limit } => format!("{shown} is shorter than {limit} characters"),
                ValidationErrorKind::MaxLength { limit } => format!("{shown} is longer than {limit} characters"),
                ValidationErrorKind::Pattern { pattern } => format!("{shown} does not match the pattern `{pattern}`"),
                ValidationErrorKind::MinItems { limit } => format!("the list needs at least {limit} item(s)"),
                ValidationErrorKind::MaxItems { limit } => format!("the list may have at most {limit} item(s)"),
                ValidationErrorKind::UniqueItems => "the list has the same item twice".to_string(),
                _ => format!("invalid value: {error}"),
            };
            push(out, rules.invalid_value, node_span, what, describe(parent));
        }
    }
}

fn type_phrase(t: &str) -> &'static str {
    match t {
        "string" => "a string",
        "integer" => "a whole number",
        "number" => "a number",
        "boolean" => "true or false",
        "array" => "a list",
        "object" => "a mapping",
        "null" => "null",
        _ => "another type",
    }
}
