//! The spec: load in stages (YAML, schema, typed model), then semantic rules.

pub mod model;
pub mod quantity;
pub mod rules;
pub mod schema;
pub mod yaml;

use std::sync::{Arc, LazyLock};

use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Rule, Source, Span};
pub use model::Spec;
use yaml::Node;

declare_rule! {
    /// ## What it does
    /// Reports a value the typed spec model cannot hold although the schema let it pass.
    ///
    /// ## Why it matters
    /// It means the schema and gen disagree; the value cannot be used.
    ///
    /// ## How to fix
    /// Change the value as the message says, and report the disagreement as a gen bug.
    pub static MODEL_MISMATCH = ("SPEC014", "model-mismatch", Error);
}

/// A spec that loaded: its text, its tree with positions, and the typed model.
#[derive(Debug)]
pub struct Loaded {
    pub source: Arc<Source>,
    pub root: Node,
    pub spec: Spec,
}

impl Loaded {
    /// A finding of `rule` at the node at `path` (the key itself when `key`).
    pub fn at<S: AsRef<str>>(
        &self,
        rule: &'static Rule,
        path: &[S],
        key: bool,
        message: impl Into<String>,
    ) -> Diagnostic {
        Diagnostic::new(rule, self.source.name(), Some(self.root.locate(path, key)), message)
    }
}

struct CompiledSchema {
    json: serde_json::Value,
    validator: jsonschema::Validator,
}

static SCHEMA: LazyLock<CompiledSchema> = LazyLock::new(|| {
    // The schema is part of the binary and a test compiles it: failing here is a build defect.
    let json: serde_json::Value = serde_json::from_str(schema::SPEC_SCHEMA).expect("embedded spec schema is JSON");
    let validator = schema::compile(&json).expect("embedded spec schema compiles");
    CompiledSchema { json, validator }
});

/// Loads a spec through the YAML, schema and model stages, reporting all errors of the first
/// stage that fails. `name` is how messages name the file.
pub fn load(name: &str, bytes: &[u8]) -> Result<Loaded, (Arc<Source>, Diagnostics)> {
    let (source, parsed) = yaml::load(name, bytes);
    let root = match parsed {
        Ok(root) => root,
        Err(diags) => return Err((source, diags)),
    };
    let errors = schema::validate(&SCHEMA.validator, &SCHEMA.json, &root, &source);
    if !errors.is_empty() {
        return Err((source, errors));
    }
    let json = root.to_json();
    match serde_path_to_error::deserialize::<_, Spec>(&json) {
        Ok(spec) => Ok(Loaded { source, root, spec }),
        Err(e) => {
            let path: Vec<String> = e
                .path()
                .iter()
                .map(|s| s.to_string().trim_start_matches('[').trim_end_matches(']').to_string())
                .collect();
            let span: Span = root.locate(&path, false);
            let d = Diagnostic::new(&MODEL_MISMATCH, source.name(), Some(span), e.inner().to_string());
            Err((source.clone(), vec![d]))
        }
    }
}

/// Runs every semantic rule over a loaded spec.
pub fn check(loaded: &Loaded) -> Diagnostics {
    let mut out = Vec::new();
    for (_, check) in rules::CHECKS {
        check(loaded, &mut out);
    }
    out
}

/// The spec's JSON Schema.
pub fn schema_json() -> &'static serde_json::Value {
    &SCHEMA.json
}
