//! The Terraform family: `.tf` files (and `.tfvars`), parsed with hcl-edit into a tree with
//! byte spans, and checked a module at a time: the `.tf` files of one folder are one module,
//! so the rules that relate blocks (role assignments and the registries they name, a backend
//! and its storage account) see them together. Resource arguments are checked against the
//! provider schemas embedded from `schemas/terraform/`. A setting written as a variable or a
//! local is judged by the values it takes ([`values`]): the module is checked once per
//! reading (its defaults, each `.tfvars` linted with it, each caller's arguments).
//!
//! Terraform's JSON syntax (`.tf.json`) is not read: gen renders native syntax, and a
//! hand-written `.tf.json` is rare enough that a half-right reading would be worse than none.
//!
//! Not a rule, on purpose: an AKS API server reachable without authorized IP ranges (checkov
//! CKV_AZURE_6). The pipeline runs on GitHub-hosted runners, whose addresses change, and every
//! login goes through Entra ID once local accounts are off (TF012); ranges would break the
//! deploy job more often than they would stop anyone.

pub mod azurerm4;
pub(crate) mod ecs;
pub mod hcl;
pub mod iam;
mod rules;
pub mod schema;
pub mod values;

use std::collections::HashSet;
use std::sync::Arc;

pub use rules::CHECKS;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::closure::{Graph, Parsed};
use super::{Artifact, Emit, Family, Recognition, run_checks};
use crate::diag::{Diagnostic, Rule, Span};

/// The family, as listed in [`super::FAMILIES`].
pub static FAMILY: TerraformFamily = TerraformFamily;

/// Terraform configuration files.
pub struct TerraformFamily;

impl Family for TerraformFamily {
    fn name(&self) -> &'static str {
        "terraform"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).collect()
    }

    /// `#` and `//` line comments, outside strings and heredocs; none when the file does not
    /// parse.
    fn comments(&self, text: &str) -> Vec<Span> {
        hcl::comments(&hcl_text(text))
    }

    fn recognises(&self, path: &str, _text: &str) -> Recognition {
        if is_terraform(super::file_name(path)) { Recognition::Yes } else { Recognition::No }
    }

    /// Each module (a folder's files) is checked as one set, wherever its files come in the
    /// stream: a rendered plan lists `terraform/main.tf`, `terraform/modules/...`, then
    /// `terraform/outputs.tf`. It is checked once per reading of its variables (see
    /// [`readings`]); a finding of several readings is reported once, from the first.
    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        lint_with(files, emit, None);
    }

    fn lint_reading(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>, graph: &mut Graph) {
        lint_with(files, emit, Some(graph));
    }
}

/// Lints Terraform files, a module (a folder) at a time; with `graph`, also reads what each
/// file creates and references into it, in the order of the files.
fn lint_with(files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>, graph: Option<&mut Graph>) {
    let mut sets: Vec<(String, Vec<Artifact>)> = Vec::new();
    for file in files {
        let key = file.set_key().to_string();
        match sets.iter_mut().find(|(k, _)| *k == key) {
            Some((_, set)) => set.push(file),
            None => sets.push((key, vec![file])),
        }
    }
    let keys: Vec<String> = sets.iter().map(|(k, _)| k.clone()).collect();
    let mut parsed = parse_all(sets.iter().flat_map(|(_, files)| files).collect()).into_iter();
    let mut docs: Vec<Vec<Document>> =
        sets.iter().map(|(_, files)| parsed.by_ref().take(files.len()).collect()).collect();
    if let Some(graph) = graph {
        for doc in docs.iter().flatten() {
            graph.read(&doc.artifact, Parsed::Terraform(&doc.body));
        }
    }
    let readings = readings(&keys, &docs);
    for ((_, files), (docs, readings)) in sets.iter().zip(docs.iter_mut().zip(readings)) {
        let mut seen: HashSet<(&'static str, String, Option<Span>)> = HashSet::new();
        let mut found: Vec<Diagnostic> = Vec::new();
        for reading in readings {
            docs.iter_mut().for_each(|d| d.values = reading.clone());
            for d in run_checks(CHECKS, docs) {
                if seen.insert((d.rule.code, d.file.clone(), d.span)) {
                    found.push(d);
                }
            }
        }
        for file in files {
            let (mut mine, rest): (Vec<Diagnostic>, Vec<Diagnostic>) =
                found.into_iter().partition(|d| d.file == file.source.name());
            found = rest;
            mine.sort_by_key(|d| d.span);
            emit(file, mine);
        }
    }
}

/// The bytes of Terraform from which [`parse_all`] parses on two threads: the reference
/// example's project (about 100 KiB) took a third of its lint to parse and check against the
/// provider schemas, on one core while the other waited.
const PARALLEL_PARSE_BYTES: usize = 64 * 1024;

/// Each file parsed and checked against the provider schemas, in order: the second half (by
/// bytes) on a thread of its own when there are many bytes.
fn parse_all(files: Vec<&Artifact>) -> Vec<Document> {
    let total: usize = files.iter().map(|f| f.source.text().len()).sum();
    if total < PARALLEL_PARSE_BYTES {
        return files.into_iter().map(Document::new).collect();
    }
    let mut seen = 0;
    let half = files
        .iter()
        .position(|f| {
            seen += f.source.text().len();
            seen * 2 >= total
        })
        .map_or(files.len(), |i| i + 1);
    let (first, second) = files.split_at(half);
    std::thread::scope(|scope| {
        let later = scope.spawn(|| second.iter().copied().map(Document::new).collect::<Vec<_>>());
        let mut docs: Vec<Document> = first.iter().copied().map(Document::new).collect();
        docs.extend(later.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)));
        docs
    })
}

/// Most readings of one module checked: its own, one per `.tfvars` given, one per reading of
/// each caller (a module called from many places, or modules calling each other in a loop,
/// stop here).
const MAX_READINGS: usize = 16;

/// The readings of each set's module: its variables' defaults with the `.tfvars` Terraform
/// loads by itself; then each other `.tfvars` linted with it (in its folder, or in a folder
/// below it holding only `.tfvars`, such as `environments/`); then, for each `module` block
/// of a set that calls it by a local path (`source = "./modules/aks"`), the caller's
/// arguments in each of the caller's readings.
fn readings(keys: &[String], docs: &[Vec<Document>]) -> Vec<Vec<Arc<values::Values>>> {
    let tf = |i: usize| docs[i].iter().filter(|d| !is_tfvars(d.file()));
    let has_tf = |i: usize| tf(i).next().is_some();
    let normalized: Vec<String> = keys.iter().map(|k| join(k, "")).collect();
    // The module each `.tfvars`-only folder belongs to: the nearest folder above with `.tf`.
    let owner = |j: usize| {
        (0..keys.len())
            .filter(|&i| has_tf(i) && i != j)
            .filter(|&i| normalized[i].is_empty() || normalized[j].starts_with(&format!("{}/", normalized[i])))
            .max_by_key(|&i| normalized[i].len())
    };
    let mut tfvars: Vec<Vec<&Document>> = vec![Vec::new(); keys.len()];
    for (j, set) in docs.iter().enumerate() {
        let target = if has_tf(j) { Some(j) } else { owner(j) };
        if let Some(i) = target {
            tfvars[i].extend(set.iter().filter(|d| is_tfvars(d.file())));
        }
    }
    let tf_docs: Vec<Vec<&Document>> = (0..keys.len()).map(|i| tf(i).collect()).collect();
    let base: Vec<values::Values> = (0..keys.len()).map(|i| values::Values::module(&tf_docs[i], &tfvars[i])).collect();
    let mut readings: Vec<Vec<Arc<values::Values>>> = Vec::new();
    for i in 0..keys.len() {
        let mut mine = vec![Arc::new(base[i].clone())];
        for t in tfvars[i].iter().filter(|t| !values::loaded_by_terraform(t.file())) {
            mine.push(Arc::new(base[i].with_tfvars(t)));
        }
        readings.push(mine);
    }
    let mut queue: Vec<(usize, usize)> =
        (0..keys.len()).flat_map(|i| (0..readings[i].len()).map(move |r| (i, r))).collect();
    while let Some((i, r)) = queue.pop() {
        for doc in &tf_docs[i] {
            for block in doc.body.get_blocks("module") {
                let Some(source) = hcl::value(&block.body, "source").and_then(hcl::string) else { continue };
                if !(source.starts_with("./") || source.starts_with("../")) {
                    continue;
                }
                let target = join(&keys[i], &source);
                let Some(j) = normalized.iter().position(|k| *k == target).filter(|&j| has_tf(j)) else { continue };
                if readings[j].len() >= MAX_READINGS {
                    continue;
                }
                let label = hcl::labels(block).first().map_or(String::new(), |l| l.to_string());
                let line = doc.artifact.source.position(hcl::header(block)).line;
                let call = format!("`module \"{label}\"` in {}:{line}", doc.file());
                let called = values::Values::called(&base[j], &block.body, &readings[i][r], &call);
                readings[j].push(Arc::new(called));
                queue.push((j, readings[j].len() - 1));
            }
        }
    }
    readings
}

/// The local folders (`./`, `../`) the `module` blocks of a Terraform file call, as written;
/// none when it does not parse.
pub fn local_module_sources(text: &str) -> Vec<String> {
    let Ok(body) = hcl_edit::parser::parse_body(&hcl_text(text)) else { return Vec::new() };
    body.get_blocks("module")
        .filter_map(|b| hcl::value(&b.body, "source").and_then(hcl::string))
        .filter(|s| s.starts_with("./") || s.starts_with("../"))
        .collect()
}

/// A folder (`/`-separated, as set keys are) joined with a relative path, `.` and `..`
/// taken away as Terraform's module paths read.
fn join(folder: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in folder.split('/').chain(rel.split('/')) {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    parts.join("/")
}

/// What a parse error says when it is hcl-edit's own bound rather than HCL's grammar: the
/// parser stops at 64 nested levels and at 128 chained binary operators (its
/// `MAX_NESTING_DEPTH` and `MAX_OPERATOR_DEPTH`), where HashiCorp's parser, and so `terraform
/// fmt` and `validate`, read on.
fn parser_limit(message: &str) -> Option<&'static str> {
    if message.contains("at most 64 nested levels") {
        Some("it nests more than 64 levels deep (blocks, brackets, braces, parentheses and template directives)")
    } else if message.contains("at most 128 chained binary operators") {
        Some("an expression chains more than 128 binary operators")
    } else {
        None
    }
}

/// Whether a file name is a Terraform file gen reads: `*.tf`, `*.tfvars`.
pub fn is_terraform(file_name: &str) -> bool {
    let lower = file_name.to_ascii_lowercase();
    (lower.ends_with(".tf") || lower.ends_with(".tfvars")) && lower.len() > 3
}

/// The text hcl-edit parses. Terraform allows a byte-order mark, the HCL grammar does not: it
/// becomes spaces of the same length, so that spans still count from the file's start.
pub(crate) fn hcl_text(text: &str) -> std::borrow::Cow<'_, str> {
    match text.strip_prefix('\u{feff}') {
        Some(rest) => format!("{}{rest}", " ".repeat('\u{feff}'.len_utf8())).into(),
        None => text.into(),
    }
}

/// One Terraform file.
pub struct Document {
    pub artifact: Artifact,
    /// The file's blocks and arguments; empty when it does not parse.
    pub body: Body,
    /// Why the file could not be read (TF001).
    pub syntax: Option<Diagnostic>,
    /// Where its resources disagree with their provider's schema.
    pub schema: Vec<schema::Problem>,
    /// The values of its module's variables and locals in the reading being checked.
    pub values: Arc<values::Values>,
}

impl Document {
    /// Parses a file.
    pub fn new(artifact: &Artifact) -> Document {
        let text = artifact.source.text();
        let name = artifact.source.name();
        let mut doc = Document {
            artifact: artifact.clone(),
            body: Body::new(),
            syntax: None,
            schema: Vec::new(),
            values: Arc::default(),
        };
        match hcl_edit::parser::parse_body(&hcl_text(text)) {
            Ok(body) => doc.body = body,
            Err(e) => {
                let offset = e.location().offset().min(text.len());
                let at = (0..=offset).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
                let end = text[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                let (message, help) = match parser_limit(e.message()) {
                    Some(what) => (
                        format!(
                            "gen cannot check this file: {what}, the most gen's HCL parser reads (a bound that keeps \
                             a file from overflowing its stack); Terraform itself reads it"
                        ),
                        "move the inner part into a `locals` value of its own, so that gen can check the file",
                    ),
                    None => (
                        format!("Terraform cannot read this file: {}", e.message()),
                        "fix the HCL at this place; `terraform fmt` shows the same error",
                    ),
                };
                doc.syntax =
                    Some(Diagnostic::new(&rules::TERRAFORM_SYNTAX, name, Some(Span::new(at, end)), message).help(help));
                return doc;
            }
        }
        if is_tfvars(name) {
            if let Some(block) = doc.body.blocks().next() {
                let message = "a .tfvars file holds only `name = value` assignments, not blocks";
                doc.syntax = Some(
                    Diagnostic::new(&rules::TERRAFORM_SYNTAX, name, Some(hcl::header(block)), message)
                        .help("move the block into a .tf file, or write the variable's value as `name = { ... }`"),
                );
            }
            return doc;
        }
        doc.schema = schema::check(&doc.body);
        doc
    }

    /// How findings name the file.
    pub fn file(&self) -> &str {
        self.artifact.source.name()
    }

    /// The file's text.
    pub fn text(&self) -> &str {
        self.artifact.source.text()
    }

    /// A finding at `span`.
    pub fn at(&self, rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, self.file(), Some(span), message)
    }

    /// The `resource` blocks of a type (every type with `None`).
    pub fn resources<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = Resource<'a>> + 'a {
        self.body.get_blocks("resource").filter_map(move |b| {
            let labels = hcl::labels(b);
            let (Some(t), Some(n)) = (labels.first(), labels.get(1)) else { return None };
            (*t == type_name).then_some(Resource { doc: self, block: b, type_name: t, name: n, data: false })
        })
    }

    /// The `data` blocks of a type: data sources, read as resources are.
    pub fn data_sources<'a>(&'a self, type_name: &'a str) -> impl Iterator<Item = Resource<'a>> + 'a {
        self.body.get_blocks("data").filter_map(move |b| {
            let labels = hcl::labels(b);
            let (Some(t), Some(n)) = (labels.first(), labels.get(1)) else { return None };
            (*t == type_name).then_some(Resource { doc: self, block: b, type_name: t, name: n, data: true })
        })
    }

    /// Every `resource` block.
    pub fn all_resources(&self) -> impl Iterator<Item = Resource<'_>> {
        self.body.get_blocks("resource").filter_map(move |b| {
            let labels = hcl::labels(b);
            let (Some(t), Some(n)) = (labels.first(), labels.get(1)) else { return None };
            Some(Resource { doc: self, block: b, type_name: t, name: n, data: false })
        })
    }

    /// The `terraform { }` blocks.
    pub fn terraform_blocks(&self) -> impl Iterator<Item = &Block> {
        self.body.get_blocks("terraform")
    }
}

fn is_tfvars(name: &str) -> bool {
    name.to_ascii_lowercase().ends_with(".tfvars")
}

/// One `resource` block.
#[derive(Clone, Copy)]
pub struct Resource<'a> {
    pub doc: &'a Document,
    pub block: &'a Block,
    pub type_name: &'a str,
    pub name: &'a str,
    /// A `data` block, not a `resource` one.
    pub data: bool,
}

impl<'a> Resource<'a> {
    /// `type.name` (`data.type.name` for a data source), as Terraform addresses it.
    pub fn address(&self) -> String {
        if self.data {
            format!("data.{}.{}", self.type_name, self.name)
        } else {
            format!("{}.{}", self.type_name, self.name)
        }
    }

    /// The resource's body.
    pub fn body(&self) -> &'a Body {
        &self.block.body
    }

    /// The span of its header (`resource "type" "name"`).
    pub fn header(&self) -> Span {
        hcl::header(self.block)
    }

    /// A finding at `span`.
    pub fn at(&self, rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        self.doc.at(rule, span, message)
    }

    /// The span of the attribute `key` (from its key), or of the header when it is not set.
    pub fn attr_span(&self, key: &str) -> Span {
        use hcl_edit::Span as _;
        hcl::attr(self.body(), key).map_or_else(|| self.header(), |a| hcl::span(a.key.span()))
    }

    /// The value of the attribute `key`, read through the module's variables and locals,
    /// with where a variable or local got it.
    fn value(&self, key: &str) -> Option<(&'a hcl_edit::expr::Expression, Option<&'a str>)> {
        hcl::value(self.body(), key).and_then(|e| self.doc.values.resolve(e))
    }

    /// A string attribute's value, written literally or through a variable or local that has one.
    pub fn string(&self, key: &str) -> Option<String> {
        self.value(key).and_then(|(e, _)| hcl::string(e))
    }

    /// A bool attribute's value, written literally or through a variable or local that has one.
    pub fn boolean(&self, key: &str) -> Option<bool> {
        self.value(key).and_then(|(e, _)| hcl::boolean(e))
    }

    /// A finding at the attribute `key`, saying, when its value came through a variable or a
    /// local, which value and from where: `(var.rbac = false: its default, variables.tf:4)`.
    pub fn at_attr(&self, rule: &'static Rule, key: &str, message: impl Into<String>) -> Diagnostic {
        let mut message = message.into();
        if let (Some(written), Some((expr, Some(origin)))) = (hcl::value(self.body(), key), self.value(key)) {
            let value = hcl::boolean(expr)
                .map(|b| b.to_string())
                .or_else(|| hcl::string(expr).map(|s| format!("{s:?}")))
                .unwrap_or_else(|| "…".to_string());
            message.push_str(&format!(" ({} = {value}: {origin})", hcl::text(self.doc.text(), written)));
        }
        self.at(rule, self.attr_span(key), message)
    }

    /// The instances of a `for_each` resource whose bool attribute `key` is `value`, when it
    /// is written `each.value.FIELD` (or `each.value["FIELD"]`) and `for_each` is a map gen
    /// can read (written, or a variable's or local's value: its default, a `.tfvars`): each
    /// instance's key, and where the map was written. Empty for any other resource.
    pub fn instances_where(&self, key: &str, value: bool) -> (Vec<String>, Option<&'a str>) {
        use hcl_edit::expr::{ObjectKey, TraversalOperator};
        let none = (Vec::new(), None);
        let Some(Expression::Traversal(t)) = hcl::value(self.body(), key) else { return none };
        let Expression::Variable(root) = &t.expr else { return none };
        let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
        let field = match ops.as_slice() {
            [TraversalOperator::GetAttr(v), TraversalOperator::GetAttr(f)] if v.as_str() == "value" => {
                f.as_str().to_string()
            }
            [TraversalOperator::GetAttr(v), TraversalOperator::Index(i)] if v.as_str() == "value" => {
                let Some(f) = hcl::string(i) else { return none };
                f
            }
            _ => return none,
        };
        if root.as_str() != "each" {
            return none;
        }
        let Some((Expression::Object(map), origin)) =
            hcl::value(self.body(), "for_each").and_then(|e| self.doc.values.resolve(e))
        else {
            return none;
        };
        let mut found = Vec::new();
        for (k, v) in map.iter() {
            let name = match k {
                ObjectKey::Ident(i) => i.as_str().to_string(),
                ObjectKey::Expression(e) => match hcl::string(e) {
                    Some(s) => s,
                    None => continue,
                },
            };
            let Some((Expression::Object(instance), _)) = self.doc.values.resolve(v.expr()) else { continue };
            let set = instance.iter().find_map(|(k, v)| {
                let named = match k {
                    ObjectKey::Ident(i) => i.as_str() == field,
                    ObjectKey::Expression(e) => hcl::string(e).is_some_and(|s| s == field),
                };
                named.then(|| self.doc.values.resolve(v.expr()).and_then(|(e, _)| hcl::boolean(e))).flatten()
            });
            if set == Some(value) {
                found.push(name);
            }
        }
        (found, origin)
    }

    /// Whether `key` is set at all.
    pub fn has(&self, key: &str) -> bool {
        self.body().has_attribute(key)
    }
}

/// Every resource of a type in a set of files.
pub fn resources<'a>(docs: &'a [Document], type_name: &'a str) -> impl Iterator<Item = Resource<'a>> + 'a {
    docs.iter().flat_map(move |d| d.resources(type_name))
}

/// The providers a set of files pins (in `required_providers`) to versions the embedded
/// schemas are not: their resources are not checked against those schemas.
pub fn providers_pinned_elsewhere(docs: &[Document]) -> HashSet<String> {
    let mut out = HashSet::new();
    for doc in docs {
        for tf in doc.terraform_blocks() {
            for rp in hcl::blocks(&tf.body, "required_providers") {
                for a in rp.body.attributes() {
                    let name = a.key.as_str();
                    let Some((_, have)) = schema::PROVIDERS.iter().find(|(p, _)| *p == name) else { continue };
                    let constraint = match &a.value {
                        hcl_edit::expr::Expression::Object(o) => o.iter().find_map(|(k, v)| {
                            let key = match k {
                                hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                                hcl_edit::expr::ObjectKey::Expression(e) => hcl::string(e)?,
                            };
                            (key == "version").then(|| hcl::string(v.expr())).flatten()
                        }),
                        other => hcl::string(other),
                    };
                    if constraint.and_then(|c| schema::satisfies(&c, have)) == Some(false) {
                        out.insert(name.to_string());
                    }
                }
            }
        }
    }
    out
}
