//! The spec: load in stages (YAML, schema, typed model), then semantic rules.

pub mod cron;
pub mod environments;
pub mod grammar;
pub mod invisible;
pub mod model;
pub mod quantity;
pub mod rules;
pub mod schema;
pub mod syntax;

use std::io::Read;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Findings, Route, Rule, Segment, Source, Span};
use crate::platform::Known;
use crate::yaml::{self, Document, Node};
pub use environments::Environment;
pub use model::Spec;

declare_rule! {
    /// ## What it does
    /// Reports a value that the schema's JSON types let pass but gen's typed model cannot hold:
    /// a whole number written with a fraction or an exponent (`5000.0`, `5e3`) where a whole
    /// number is expected (JSON Schema counts `5000.0` as an integer).
    ///
    /// ## Why it matters
    /// Rendered as written, `5000.0` is not a port or a count to the programs that read it: an
    /// integer must be an integer everywhere it is rendered.
    ///
    /// ## Example
    /// ```yaml
    /// port: 5000.0
    /// ```
    ///
    /// ## How to fix
    /// Write the whole number without a fraction: `port: 5000`.
    pub static MODEL_MISMATCH = ("SPEC014", "model-mismatch", Error, unignorable);
}

/// The rules of the load stages (YAML, schema, model): a finding of one means the spec did not
/// load at all.
pub static LOAD_RULES: [&Rule; 12] = [
    &syntax::YAML_SYNTAX,
    &syntax::INVALID_ENCODING,
    &syntax::EMPTY_SPEC,
    &syntax::MULTIPLE_DOCUMENTS,
    &syntax::DUPLICATE_KEY,
    &syntax::YAML_LIMITS,
    &schema::UNKNOWN_KEY,
    &schema::MISSING_KEY,
    &schema::WRONG_TYPE,
    &schema::INVALID_VALUE,
    &MODEL_MISMATCH,
    &environments::PLATFORM_TARGET,
];

/// Why a spec could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum SpecError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("the spec is not valid: {0}")]
    Invalid(Findings),
}

/// A spec that loaded: its text, its tree with positions, and the typed model.
#[derive(Debug)]
pub struct Loaded {
    pub doc: Document,
    /// Shared with the artifacts rendered from it, whose rules read it.
    pub spec: Arc<Spec>,
    /// Where the services run, in promotion order: one `default` environment when the spec
    /// lists none. Empty in an environment's own spec.
    pub environments: Vec<Environment>,
}

impl Loaded {
    /// The spec's text.
    pub fn source(&self) -> &Arc<Source> {
        &self.doc.source
    }

    /// The spec's YAML tree.
    pub fn root(&self) -> &Node {
        &self.doc.root
    }

    /// A finding of `rule` at the node at `route` (the key itself when `key`), about the
    /// service the route lies under, if any.
    pub fn at(&self, rule: &'static Rule, route: &Route, key: bool, message: impl Into<String>) -> Diagnostic {
        let service = match route.segments() {
            [Segment::Key(k), Segment::Index(i), ..] if k == "services" => {
                self.spec.services.get(*i).map(|s| s.name.as_str())
            }
            _ => None,
        };
        self.doc.at(rule, route, key, message).service(service)
    }

    /// The span of the node at `route`.
    pub fn span(&self, route: &Route) -> Span {
        self.doc.root.locate(route, false)
    }
}

/// The spec's schema: compiled only for a spec that does not surely pass it.
static SCHEMA: LazyLock<schema::Schema> = LazyLock::new(|| {
    // The schema is part of the binary and a test compiles it: failing here is a build defect.
    schema::Schema::new(serde_json::from_str(schema::SPEC_SCHEMA).expect("embedded spec schema is JSON"))
});

/// The bytes of a spec file, at most one byte over the size limit (so a huge file costs
/// nothing and still gets its message). `name` is how messages name the file.
pub fn read_bytes(path: &Path, name: &str) -> Result<Vec<u8>, SpecError> {
    let read_err = |source| SpecError::Read { path: name.to_string(), source };
    // Only regular files are specs, and none a symbolic link takes out of its repository.
    let file = crate::input::Boundary::of(path).open(path).map_err(|e| match e {
        crate::input::OpenError::Io(e) => read_err(e),
        other => read_err(std::io::Error::other(other.to_string())),
    })?;
    let mut bytes = Vec::new();
    file.take(syntax::POLICY.max_bytes as u64 + 1).read_to_end(&mut bytes).map_err(read_err)?;
    Ok(bytes)
}

/// Loads a spec through the YAML, schema and model stages, reporting all errors of the first
/// stage that fails. `name` is how messages name the file.
pub fn load(name: &str, bytes: &[u8]) -> Result<Loaded, SpecError> {
    load_with(name, bytes, Known::builtin())
}

/// [`load`] for a spec that may name the platforms `known` adds to the built-in ones (a
/// platform defined in a test).
pub fn load_with(name: &str, bytes: &[u8], known: Known<'_>) -> Result<Loaded, SpecError> {
    let loaded = yaml::load(name, bytes, &syntax::POLICY);
    let source = loaded.source;
    let fail = |diags: Diagnostics| SpecError::Invalid(Findings::new([source.clone()], diags));
    let mut doc = loaded.documents.map_err(fail)?.remove(0);
    // A merge key is refused alone: the keys it would have brought are missing for a reason.
    let merges = merge_keys(&doc);
    if !merges.is_empty() {
        return Err(fail(merges));
    }
    // Environments merge over the spec as written: a local target's defaults are the spec's
    // own, not those of an environment that runs elsewhere.
    let written = environments::localize_spec(&mut doc.root, known);
    let extra = (!known.extra().is_empty()).then(|| extended_schema(known));
    let schema = extra.as_ref().unwrap_or(&SCHEMA);
    let typed = |doc| typed(doc, schema, known);
    let mut top = typed(doc).map_err(fail)?;
    let envs = environments::resolve(&top, written.as_ref(), &typed, known).map_err(fail)?;
    let missing = environments::requirements(&top, &envs, known);
    if !missing.is_empty() {
        return Err(fail(missing));
    }
    top.environments = envs;
    Ok(top)
}

/// A finding at each YAML merge key (`<<: *defaults`, written without quotes) of the spec:
/// YAML 1.2, which gen reads, merges nothing, so the keys it would bring are not there.
fn merge_keys(doc: &Document) -> Diagnostics {
    fn walk(node: &Node, text: &str, spans: &mut Vec<Span>) {
        match &node.value {
            yaml::Value::Map(entries) => {
                for e in entries {
                    if e.key == "<<"
                        && text.get(e.key_span.start..e.key_span.end) == Some("<<")
                        && !spans.contains(&e.key_span)
                    {
                        spans.push(e.key_span);
                    }
                    walk(&e.value, text, spans);
                }
            }
            yaml::Value::Seq(items) => items.iter().for_each(|n| walk(n, text, spans)),
            _ => {}
        }
    }
    let mut spans = Vec::new();
    walk(&doc.root, doc.source.text(), &mut spans);
    spans
        .into_iter()
        .map(|span| {
            Diagnostic::new(
                &schema::UNKNOWN_KEY,
                doc.source.name(),
                Some(span),
                "`<<` is a YAML merge key, which a spec does not support: gen reads YAML 1.2, where it merges nothing",
            )
            .help("write the keys it would bring here in full; an alias (`*name`) may still stand for a whole value")
        })
        .collect()
}

/// The spec's schema with the blocks of the platforms `known` adds, each a choice of target.
fn extended_schema(known: Known<'_>) -> schema::Schema {
    let mut json = SCHEMA.json.clone();
    let platform = &mut json["properties"]["platform"];
    for p in known.extra() {
        platform["properties"][p.name()] = p.schema();
        if let Some(choices) = platform["oneOf"].as_array_mut() {
            choices.push(serde_json::json!({"required": [p.name()]}));
        }
    }
    // The built-in schema with a block added compiles as the built-in one does.
    schema::Schema::new(json)
}

/// A YAML document through the schema and model stages.
fn typed(doc: Document, compiled: &schema::Schema, known: Known<'_>) -> Result<Loaded, Diagnostics> {
    let source = doc.source.clone();
    let mut json = doc.root.to_json();
    let errors =
        schema::validate_except(compiled, &json, &doc.root, &source, &schema::SPEC_RULES, &[schema::TARGET_CHOICE]);
    if !errors.is_empty() {
        return Err(errors);
    }
    // The model holds exactly one target: a platform naming none or two is SPEC015's to say.
    let target = environments::target_of(&doc, &crate::route!["platform"], known).map_err(|d| vec![*d])?;
    // A platform added at run time reads its own block.
    let extra = known.extra().iter().find(|p| p.name() == target).map(|p| {
        let block = json
            .get_mut("platform")
            .and_then(serde_json::Value::as_object_mut)
            .and_then(|m| m.remove(target))
            .unwrap_or_default();
        (*p, block)
    });
    match serde_path_to_error::deserialize::<_, Spec>(&json) {
        Ok(mut spec) => {
            if let Some((platform, block)) = extra {
                let read = platform.read(block).map_err(|message| {
                    let at = crate::route!["platform", target];
                    vec![doc.at(&MODEL_MISMATCH, &at, true, message)]
                })?;
                spec.platform.target = crate::platform::Target::Extra(crate::platform::Extra(read));
            }
            spec.fill_defaults();
            Ok(Loaded { doc, spec: Arc::new(spec), environments: Vec::new() })
        }
        Err(e) => {
            let route: Route = e
                .path()
                .iter()
                .map(|s| {
                    let s = s.to_string();
                    let s = s.trim_start_matches('[').trim_end_matches(']');
                    match s.parse::<usize>() {
                        Ok(i) => Segment::Index(i),
                        Err(_) => Segment::Key(s.to_string()),
                    }
                })
                .collect();
            let span = doc.root.locate(&route, false);
            let d = match doc.root.lookup(&route).map(|n| &n.value) {
                Some(yaml::Value::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => {
                    let written = source.text().get(span.start..span.end).unwrap_or_default();
                    Diagnostic::new(
                        &MODEL_MISMATCH,
                        source.name(),
                        Some(span),
                        format!("`{written}` is a whole number written with a fraction or exponent; this key takes a whole number"),
                    )
                    .help(format!("write `{}`", *f as i64))
                }
                _ => Diagnostic::new(&MODEL_MISMATCH, source.name(), Some(span), e.inner().to_string())
                    .help("change the value as the message says; the schema let it pass, so tell gen's maintainers"),
            };
            Err(vec![d])
        }
    }
}

/// Runs every semantic rule over a loaded spec, and over each environment's spec: a finding
/// that environments share (the same place, the same words) is reported once.
pub fn check(loaded: &Loaded) -> Diagnostics {
    check_with(loaded, Known::builtin())
}

/// [`check`] with the rules of the platforms `known` adds.
pub fn check_with(loaded: &Loaded, known: Known<'_>) -> Diagnostics {
    let extra = known.extra().iter().flat_map(|p| p.rules());
    let all: Vec<&(&Rule, rules::Check)> = rules::all().chain(extra).collect();
    let mut out = Vec::new();
    for (_, check) in all.iter().copied() {
        check(loaded, &mut out);
    }
    // Compared by the words before an environment's name is added to them.
    let mut seen: Vec<(&str, Option<Span>, String)> =
        out.iter().map(|d| (d.rule.code, d.span, d.message.clone())).collect();
    for (env, env_loaded) in loaded.environments.iter().filter_map(|e| e.loaded.as_deref().map(|l| (e, l))) {
        let mut found = Vec::new();
        for (_, check) in all.iter().copied() {
            check(env_loaded, &mut found);
        }
        for mut d in found {
            let id = (d.rule.code, d.span, d.message.clone());
            if !seen.contains(&id) {
                seen.push(id);
                d.message = format!("{} (in environment `{}`)", d.message, env.name);
                out.push(d);
            }
        }
    }
    out
}

/// The spec's JSON Schema.
pub fn schema_json() -> &'static serde_json::Value {
    &SCHEMA.json
}

/// Whether a hand-written file is a gen spec, by its content: `apiVersion: gen/...` and
/// `kind: Project` at the top level.
pub fn recognises(text: &str) -> bool {
    let top = |key: &str| {
        text.lines()
            .filter_map(|l| l.strip_prefix(key))
            .map(|v| v.split(" #").next().unwrap_or_default().trim().trim_matches(['"', '\'']))
            .next()
    };
    top("apiVersion:").is_some_and(|v| v.starts_with("gen/")) && top("kind:").is_some_and(|v| v == "Project")
}
