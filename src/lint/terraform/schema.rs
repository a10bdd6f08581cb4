//! The provider schemas gen knows (`schemas/terraform/`, embedded), and the check of a
//! `resource` or `data` block against its type's schema: what `terraform validate` refuses
//! before it reaches a provider. The semantics are those of the offline stand-in for
//! `terraform validate` the project's tests use: unknown arguments and blocks, missing
//! required ones, read-only (computed) arguments set, a block written as an argument or the
//! reverse, too many blocks. A type without a schema here is not checked.

use std::collections::HashMap;
use std::sync::OnceLock;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body, Structure};
use serde_json::Value;

use super::azurerm4::{self, Change};
use super::hcl::{self, header, span};
use crate::diag::Span;

include!(concat!(env!("OUT_DIR"), "/terraform_schemas.rs"));

/// The provider versions of the embedded schemas (`schemas/terraform/README.md`).
pub const PROVIDERS: &[(&str, &str)] = &[
    (crate::platform::azure::TERRAFORM_PROVIDER, "4.79.0"),
    ("azuread", "3.7.0"),
    ("helm", "3.0.2"),
    ("kubernetes", "2.38.0"),
    (crate::platform::aws::TERRAFORM_PROVIDER, "6.47.0"),
    ("tls", "4.1.0"),
];

/// The schema of a resource type (or, with `data`, a data source): its `block`. Each type's
/// JSON is parsed the first time a file uses that type: parsing every embedded schema up front
/// cost a fifth of a `gen render`, most of it for types no file names.
pub fn schema(data: bool, type_name: &str) -> Option<&'static Value> {
    type Lazy = (&'static str, OnceLock<Option<Value>>);
    static INDEX: OnceLock<HashMap<(bool, String), Lazy>> = OnceLock::new();
    let index = INDEX.get_or_init(|| {
        TERRAFORM_SCHEMAS.iter().map(|(_, d, name, json)| ((*d, name.to_string()), (*json, OnceLock::new()))).collect()
    });
    let (json, parsed) = index.get(&(data, type_name.to_string()))?;
    parsed
        .get_or_init(|| {
            // The files are checked in and tested; one that did not parse would only go unchecked.
            let mut v: Value = serde_json::from_str(json).ok()?;
            Some(v.get_mut("block")?.take())
        })
        .as_ref()
}

/// The provider a type belongs to: the part of its name before the first `_`.
pub fn provider_of(type_name: &str) -> &str {
    type_name.split('_').next().unwrap_or(type_name)
}

/// What kind of mismatch a problem is; each is its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unknown,
    Missing,
    Syntax,
    Computed,
    TooMany,
    /// An argument azurerm 4 renamed or removed (reported instead of [`Kind::Unknown`]).
    Azurerm4,
}

/// One mismatch between a block and its schema.
#[derive(Debug, Clone)]
pub struct Problem {
    pub kind: Kind,
    /// The provider whose schema says so.
    pub provider: String,
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

/// Meta-arguments Terraform itself reads in a resource (and, less `provisioner` and
/// `connection`, in a data source).
const RESOURCE_META: &[&str] =
    &["count", "for_each", "provider", "depends_on", "lifecycle", "provisioner", "connection"];
const DATA_META: &[&str] = &["count", "for_each", "provider", "depends_on", "lifecycle"];

/// Checks every `resource` and `data` block of a file whose type has a schema, and the helm
/// provider's block.
pub fn check(body: &Body) -> Vec<Problem> {
    let mut out = Vec::new();
    for block in body.blocks() {
        let ident = block.ident.as_str();
        let data = match ident {
            "resource" => false,
            "data" => true,
            "provider" => {
                helm_provider(block, &mut out);
                continue;
            }
            _ => continue,
        };
        let Some(type_name) = block.labels.first().map(|l| l.as_str()) else { continue };
        let Some(schema) = schema(data, type_name) else { continue };
        let name = block.labels.get(1).map_or("", |l| l.as_str());
        let address = if data { format!("data.{type_name}.{name}") } else { format!("{type_name}.{name}") };
        let mut walk = Walk { type_name, provider: provider_of(type_name), out: &mut out };
        let meta = if data { DATA_META } else { RESOURCE_META };
        walk.body(&block.body, schema, "", &address, header(block), meta);
    }
    out
}

/// The helm provider's `kubernetes`, `registries` and `experiments` are nested attributes in
/// helm 3.x (its provider schema, read from the provider's source; provider schemas are not
/// among the embedded files): `kubernetes = { ... }`, not a block.
fn helm_provider(block: &Block, out: &mut Vec<Problem>) {
    if block.labels.first().map(|l| l.as_str()) != Some("helm") {
        return;
    }
    for inner in block.body.blocks() {
        let name = inner.ident.as_str();
        if ["kubernetes", "registries", "experiments"].contains(&name) {
            let form = if name == "registries" { "[{ ... }]" } else { "{ ... }" };
            out.push(Problem {
                kind: Kind::Syntax,
                provider: "helm".into(),
                span: span(inner.ident.span()),
                message: format!("`{name}` is an argument of the helm provider since helm 3.0, not a block"),
                help: Some(format!("write `{name} = {form}`")),
            });
        }
    }
}

struct Walk<'a> {
    type_name: &'a str,
    provider: &'a str,
    out: &'a mut Vec<Problem>,
}

fn attributes(block: &Value) -> Option<&serde_json::Map<String, Value>> {
    block.get("attributes").and_then(Value::as_object)
}

fn block_types(block: &Value) -> Option<&serde_json::Map<String, Value>> {
    block.get("block_types").and_then(Value::as_object)
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

/// Whether an attribute's type is a list or set of objects, which Terraform also accepts in
/// block syntax ("attributes as blocks").
fn is_object_collection(attr: &Value) -> bool {
    let Some(t) = attr.get("type").and_then(Value::as_array) else { return false };
    matches!(t.first().and_then(Value::as_str), Some("list" | "set"))
        && t.get(1).and_then(Value::as_array).and_then(|e| e.first()).and_then(Value::as_str) == Some("object")
}

/// Names that say the same once `enable`, `enabled` and `is` are dropped (3.x's
/// `enable_auto_scaling` and 4.x's `auto_scaling_enabled`), then the closest spellings.
pub fn suggest<'a>(name: &str, known: impl Iterator<Item = &'a str> + Clone) -> Vec<&'a str> {
    let words = |n: &str| {
        let mut w: Vec<String> =
            n.split('_').filter(|w| !matches!(*w, "enable" | "enabled" | "is" | "")).map(str::to_string).collect();
        w.sort();
        w
    };
    let mine = words(name);
    let mut out: Vec<&str> = known.clone().filter(|k| *k != name && !mine.is_empty() && words(k) == mine).collect();
    let mut close: Vec<(f64, &str)> = known
        .map(|k| (strsim::normalized_damerau_levenshtein(name, k), k))
        .filter(|(score, k)| *score >= 0.75 && !out.contains(k))
        .collect();
    close.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    out.extend(close.into_iter().map(|(_, k)| k));
    out.truncate(3);
    out
}

fn did_you_mean(names: &[&str]) -> Option<String> {
    if names.is_empty() {
        return None;
    }
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    Some(format!("did you mean {}?", quoted.join(" or ")))
}

impl Walk<'_> {
    fn push(&mut self, kind: Kind, span: Span, message: String, help: Option<String>) {
        self.out.push(Problem { kind, provider: self.provider.to_string(), span, message, help });
    }

    /// An argument or block the schema does not have: renamed or removed in azurerm 4, or
    /// unknown.
    fn unknown(&mut self, name: &str, at: Span, path: &str, whose: &str, schema: &Value) {
        if let Some(change) = azurerm4::change(self.type_name, path, name) {
            let (message, help) = match change {
                Change::Renamed(new) => (
                    format!("`{name}` of {whose} was renamed to `{new}` in azurerm 4.0"),
                    format!("write `{new}` instead"),
                ),
                Change::Replaced(new) => (
                    format!("`{name}` of {whose} was replaced by {new} in azurerm 4.0"),
                    format!("write {new} instead"),
                ),
                Change::Removed(why) => {
                    (format!("`{name}` of {whose} was removed in azurerm 4.0: {why}"), "remove it".to_string())
                }
            };
            self.push(Kind::Azurerm4, at, message, Some(help));
            return;
        }
        let known = attributes(schema)
            .into_iter()
            .flat_map(|m| m.keys())
            .chain(block_types(schema).into_iter().flat_map(|m| m.keys()))
            .map(String::as_str);
        let help = did_you_mean(&suggest(name, known))
            .unwrap_or_else(|| format!("remove it, or check the {} provider's documentation", self.provider));
        self.push(Kind::Unknown, at, format!("{whose} has no argument or block `{name}`"), Some(help));
    }

    /// Checks a block's body against its schema `block`. `path` is the dotted path of block
    /// names inside the resource, `whose` how messages name the block.
    fn body(&mut self, body: &Body, schema: &Value, path: &str, whose: &str, header: Span, meta: &[&str]) {
        let empty = serde_json::Map::new();
        let attrs = attributes(schema).unwrap_or(&empty);
        let btypes = block_types(schema).unwrap_or(&empty);
        let mut counts: HashMap<&str, Vec<Span>> = HashMap::new();
        let mut dynamic: Vec<&str> = Vec::new();
        for structure in body.iter() {
            match structure {
                Structure::Attribute(a) => {
                    let name = a.key.as_str();
                    let at = span(a.key.span());
                    if meta.contains(&name) {
                        continue;
                    }
                    if let Some(attr) = attrs.get(name) {
                        if flag(attr, "computed") && !flag(attr, "optional") && !flag(attr, "required") {
                            self.push(
                                Kind::Computed,
                                at,
                                format!("`{name}` of {whose} is read-only: the provider sets it"),
                                Some(format!("remove it; read it as `{}`", read_as(whose, name))),
                            );
                        }
                        if let Some(nested) = attr.get("nested_type") {
                            self.nested(&a.value, nested, &format!("`{name}` of {whose}"));
                        }
                    } else if btypes.contains_key(name) {
                        self.push(
                            Kind::Syntax,
                            at,
                            format!("`{name}` of {whose} is a nested block, not an argument"),
                            Some(format!("write `{name} {{ ... }}`, not `{name} = ...`")),
                        );
                        counts.entry(btypes.get_key_value(name).map_or(name, |(k, _)| k.as_str())).or_default();
                    } else {
                        self.unknown(name, at, path, whose, schema);
                    }
                }
                Structure::Block(b) => {
                    let name = b.ident.as_str();
                    let at = span(b.ident.span());
                    if meta.contains(&name) {
                        continue;
                    }
                    if name == "dynamic" && !btypes.contains_key("dynamic") {
                        let Some(target) = b.labels.first().map(|l| l.as_str()) else { continue };
                        let at = span(b.labels.first().and_then(|l| l.span()));
                        if let Some((key, bt)) = btypes.get_key_value(target) {
                            dynamic.push(key.as_str());
                            if let (Some(content), Some(inner)) = (hcl::block(&b.body, "content"), bt.get("block")) {
                                let sub = join(path, target);
                                let inner_whose = format!("`{target}` in {whose}");
                                self.body(&content.body, inner, &sub, &inner_whose, header, &[]);
                            }
                        } else if let Some(attr) = attrs.get(target) {
                            if attr.get("nested_type").is_some() {
                                self.push(
                                    Kind::Syntax,
                                    at,
                                    format!("`{target}` of {whose} is an argument, which a dynamic block cannot set"),
                                    Some(format!("write `{target} = [for item in ... : {{ ... }}]`")),
                                );
                            } else if !is_object_collection(attr) {
                                self.push(
                                    Kind::Syntax,
                                    at,
                                    format!("`{target}` of {whose} is an argument, which a dynamic block cannot set"),
                                    Some(format!("write `{target} = ...`")),
                                );
                            }
                        } else {
                            self.unknown(target, at, path, whose, schema);
                        }
                        continue;
                    }
                    if let Some((key, bt)) = btypes.get_key_value(name) {
                        counts.entry(key.as_str()).or_default().push(at);
                        if let Some(inner) = bt.get("block") {
                            let sub = join(path, name);
                            let inner_whose = format!("`{name}` in {whose}");
                            self.body(&b.body, inner, &sub, &inner_whose, at, &[]);
                        }
                    } else if let Some(attr) = attrs.get(name) {
                        if let Some(nested) = attr.get("nested_type") {
                            let list = nested.get("nesting_mode").and_then(Value::as_str) != Some("single");
                            let form = if list { "[{ ... }]" } else { "{ ... }" };
                            self.push(
                                Kind::Syntax,
                                at,
                                format!("`{name}` of {whose} is an argument in this provider version, not a block"),
                                Some(format!("write `{name} = {form}`")),
                            );
                        } else if !is_object_collection(attr) {
                            self.push(
                                Kind::Syntax,
                                at,
                                format!("`{name}` of {whose} is an argument, not a block"),
                                Some(format!("write `{name} = ...`")),
                            );
                        }
                    } else {
                        self.unknown(name, at, path, whose, schema);
                    }
                }
            }
        }
        for (name, attr) in attrs {
            if flag(attr, "required") && !body.has_attribute(name) {
                self.push(
                    Kind::Missing,
                    header,
                    format!("{whose} lacks the required argument `{name}`"),
                    Some(format!("set `{name}`")),
                );
            }
        }
        for (name, bt) in btypes {
            let found = counts.get(name.as_str()).map_or(0, Vec::len);
            let min = bt.get("min_items").and_then(Value::as_u64).unwrap_or(0) as usize;
            let single = matches!(bt.get("nesting_mode").and_then(Value::as_str), Some("single" | "group"));
            let max = if single { 1 } else { bt.get("max_items").and_then(Value::as_u64).unwrap_or(0) as usize };
            let written_as_argument = body.has_attribute(name);
            if found < min && !dynamic.contains(&name.as_str()) && !written_as_argument {
                self.push(
                    Kind::Missing,
                    header,
                    format!("{whose} lacks the required block `{name}`"),
                    Some(format!("add a `{name} {{ ... }}` block")),
                );
            }
            if max > 0
                && found > max
                && let Some(extra) = counts.get(name.as_str()).and_then(|s| s.get(max))
            {
                let times = if max == 1 { "once".to_string() } else { format!("{max} times") };
                self.push(
                    Kind::TooMany,
                    *extra,
                    format!("{whose} may have the block `{name}` at most {times}, it has {found}"),
                    Some(format!("merge the `{name}` blocks into {}", if max == 1 { "one" } else { "fewer" })),
                );
            }
        }
    }

    /// Checks the objects of a nested attribute (helm 3's `set = [{ name = ..., value = ... }]`)
    /// where they are written literally.
    fn nested(&mut self, value: &Expression, nested: &Value, whose: &str) {
        let objects: Vec<&hcl_edit::expr::Object> = match value {
            Expression::Object(o) => vec![o],
            Expression::Array(a) => a.iter().filter_map(Expression::as_object).collect(),
            _ => return,
        };
        let empty = serde_json::Map::new();
        let attrs = attributes(nested).unwrap_or(&empty);
        for object in objects {
            let mut keys = Vec::new();
            for (key, _) in object.iter() {
                let name = match key {
                    hcl_edit::expr::ObjectKey::Ident(i) => i.as_str().to_string(),
                    hcl_edit::expr::ObjectKey::Expression(e) => match hcl::string(e) {
                        Some(s) => s,
                        None => continue,
                    },
                };
                let at = span(key.span());
                if !attrs.contains_key(&name) {
                    let help = did_you_mean(&suggest(&name, attrs.keys().map(String::as_str))).unwrap_or_else(|| {
                        format!("remove it, or check the {} provider's documentation", self.provider)
                    });
                    self.push(Kind::Unknown, at, format!("{whose} has no attribute `{name}`"), Some(help));
                }
                keys.push(name);
            }
            for (name, attr) in attrs {
                if flag(attr, "required") && !keys.contains(name) {
                    self.push(
                        Kind::Missing,
                        span(object.span()),
                        format!("an object of {whose} lacks the required attribute `{name}`"),
                        Some(format!("set `{name}`")),
                    );
                }
            }
        }
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() { name.to_string() } else { format!("{path}.{name}") }
}

/// How a resource's computed attribute is read: `azurerm_x.y.name` (for the resource itself).
fn read_as(whose: &str, name: &str) -> String {
    let address = whose.trim_matches('`');
    if address.contains(' ') { name.to_string() } else { format!("{address}.{name}") }
}

/// Whether version `have` (`4.79.0`) satisfies a Terraform version constraint (`~> 4.79`,
/// `>= 3.0, < 5.0`); `None` when the constraint is not one gen reads.
pub fn satisfies(constraint: &str, have: &str) -> Option<bool> {
    fn parse(v: &str) -> Option<Vec<u64>> {
        let v = v.trim().trim_start_matches('v');
        let core = v.split(['-', '+']).next()?;
        core.split('.').map(|p| p.parse().ok()).collect()
    }
    let have = parse(have)?;
    let at = |v: &[u64], i: usize| v.get(i).copied().unwrap_or(0);
    let cmp = |a: &[u64], b: &[u64]| {
        (0..3).map(|i| at(a, i).cmp(&at(b, i))).find(|o| o.is_ne()).unwrap_or(std::cmp::Ordering::Equal)
    };
    let mut ok = true;
    for part in constraint.split(',') {
        let part = part.trim();
        let (op, version) = ["~>", ">=", "<=", "!=", ">", "<", "="]
            .iter()
            .find_map(|op| part.strip_prefix(op).map(|rest| (*op, rest)))
            .unwrap_or(("=", part));
        let want = parse(version)?;
        use std::cmp::Ordering::*;
        let c = cmp(&have, &want);
        ok &= match op {
            "=" => c == Equal,
            "!=" => c != Equal,
            ">" => c == Greater,
            ">=" => c != Less,
            "<" => c == Less,
            "<=" => c != Greater,
            // `~> 4.79` allows 4.79 up to 5; `~> 4.79.1` allows 4.79.1 up to 4.80.
            _ => {
                let fixed = want.len().saturating_sub(1).max(1);
                c != Less && (0..fixed).all(|i| at(&have, i) == at(&want, i))
            }
        };
    }
    Some(ok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_read_as_terraform_reads_them() {
        assert_eq!(satisfies("~> 4.79", "4.79.0"), Some(true));
        assert_eq!(satisfies("~> 4.0", "4.79.0"), Some(true));
        assert_eq!(satisfies("~> 3.0", "4.79.0"), Some(false));
        assert_eq!(satisfies("~> 4.80", "4.79.0"), Some(false));
        assert_eq!(satisfies("~> 4.79.1", "4.79.0"), Some(false));
        assert_eq!(satisfies(">= 3.0, < 5.0", "4.79.0"), Some(true));
        assert_eq!(satisfies("=3.117.0", "4.79.0"), Some(false));
        assert_eq!(satisfies("3.117.0", "4.79.0"), Some(false));
        assert_eq!(satisfies("latest", "4.79.0"), None);
    }

    #[test]
    fn every_embedded_schema_parses() {
        for (_, data, name, _) in TERRAFORM_SCHEMAS {
            assert!(schema(*data, name).is_some(), "{name}");
        }
        assert!(schema(false, "azurerm_kubernetes_cluster").is_some());
        // Embedded without the descriptions written for people, but an argument called
        // `description` is an argument.
        let role = schema(false, "azurerm_role_assignment").expect("azurerm_role_assignment");
        assert!(role["attributes"]["description"]["optional"].as_bool() == Some(true), "{role}");
        assert!(role["attributes"]["principal_id"].get("description_kind").is_none(), "{role}");
    }

    #[test]
    fn renamed_3x_names_suggest_their_4x_names() {
        let known = ["auto_scaling_enabled", "node_count", "max_count"];
        assert_eq!(suggest("enable_auto_scaling", known.iter().copied()), ["auto_scaling_enabled"]);
        assert_eq!(suggest("node_cont", known.iter().copied()), ["node_count"]);
    }
}
