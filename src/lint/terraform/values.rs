//! The values a module's variables and locals take in one reading of it: their defaults, a
//! `.tfvars` file given with it, or a caller's arguments (`module "aks" { source = "./aks"
//! rbac = false }`). A rule that judges a setting (`role_based_access_control_enabled =
//! var.rbac`) reads it through these, and says where the value came from.
//!
//! Only what is written literally is known: a variable without a default, a caller's argument
//! that is itself computed, a local that calls a function, stay unknown and are not judged.

use std::collections::HashMap;
use std::sync::Arc;

use hcl_edit::expr::{Expression, TraversalOperator};
use hcl_edit::structure::Body;

use super::{Document, hcl};
use crate::diag::Span;

/// Most steps from one name to the next (`local.a` = `var.b` = ...) followed.
const MAX_STEPS: usize = 8;

/// A value a name takes, and where it was written.
#[derive(Clone, Debug)]
pub struct Value {
    /// Shared: the readings of a module (one per caller and `.tfvars`) hold the same
    /// expressions, and a spec of thousands of services writes maps of thousands of entries.
    pub expr: Arc<Expression>,
    /// Where it comes from, as a reader finds it: "its default, variables.tf:4".
    pub origin: String,
}

/// The variables and locals of a module in one reading. A variable mapped to `None` is known
/// to be set to something gen cannot tell (a caller's computed argument): its default does
/// not apply.
#[derive(Clone, Debug, Default)]
pub struct Values {
    vars: HashMap<String, Option<Value>>,
    locals: HashMap<String, Value>,
}

/// The line of a span in a document, for origins.
fn line(doc: &Document, span: Span) -> usize {
    doc.artifact.source.position(span).line
}

impl Values {
    /// The defaults and locals of a module's files, with the `.tfvars` files Terraform loads
    /// by itself (`terraform.tfvars`, `*.auto.tfvars`) among `tfvars` applied over them.
    pub fn module(docs: &[&Document], tfvars: &[&Document]) -> Values {
        use hcl_edit::Span as _;
        let mut values = Values::default();
        for doc in docs {
            for block in doc.body.get_blocks("variable") {
                let Some(name) = hcl::labels(block).first().map(|n| n.to_string()) else { continue };
                let Some(default) = hcl::attr(&block.body, "default") else { continue };
                let at = line(doc, hcl::span(default.value.span()));
                let origin = format!("its default, {}:{at}", doc.file());
                values.vars.insert(name, Some(Value { expr: Arc::new(default.value.clone()), origin }));
            }
            for block in doc.body.get_blocks("locals") {
                for attr in block.body.attributes() {
                    let at = line(doc, hcl::span(attr.value.span()));
                    let origin = format!("`local.{}`, {}:{at}", attr.key.as_str(), doc.file());
                    values.locals.insert(attr.key.to_string(), Value { expr: Arc::new(attr.value.clone()), origin });
                }
            }
        }
        for doc in tfvars.iter().filter(|d| loaded_by_terraform(d.file())) {
            values.assign(doc);
        }
        values
    }

    /// These values with the assignments of a `.tfvars` file over them.
    pub fn with_tfvars(&self, doc: &Document) -> Values {
        let mut values = self.clone();
        values.assign(doc);
        values
    }

    fn assign(&mut self, doc: &Document) {
        use hcl_edit::Span as _;
        for attr in doc.body.attributes() {
            let at = line(doc, hcl::span(attr.span()));
            let origin = format!("{}:{at}", doc.file());
            self.vars.insert(attr.key.to_string(), Some(Value { expr: Arc::new(attr.value.clone()), origin }));
        }
    }

    /// The values of the module a `module` block in `caller` calls: its arguments, read in
    /// the caller's values (a literal, or a variable of the caller's that has one), over
    /// `module`'s own defaults and locals. `call` names the block for origins.
    pub fn called(module: &Values, arguments: &Body, caller: &Values, call: &str) -> Values {
        let mut values = module.clone();
        for attr in arguments.attributes() {
            let name = attr.key.as_str();
            if matches!(name, "source" | "version" | "count" | "for_each" | "providers" | "depends_on") {
                continue;
            }
            let value = caller.follow(&attr.value).filter(|(e, _, _)| hcl::is_literal(e) || is_collection(e));
            let value = value.map(|(expr, last, origin)| Value {
                expr: last.map_or_else(|| Arc::new(expr.clone()), |v| Arc::clone(&v.expr)),
                origin: match origin {
                    Some(o) => format!("{call}, from {o}"),
                    None => call.to_string(),
                },
            });
            values.vars.insert(name.to_string(), value);
        }
        values
    }

    /// What `expr` is in these values: itself, or, for `var.NAME` or `local.NAME`, the value
    /// the name takes (followed through other names), with where it was written. `None` when
    /// the name's value is unknown.
    pub fn resolve<'a>(&'a self, expr: &'a Expression) -> Option<(&'a Expression, Option<&'a str>)> {
        self.follow(expr).map(|(expr, _, origin)| (expr, origin))
    }

    /// [`Values::resolve`], with the value the expression was last taken from (none when it
    /// is `expr` itself).
    fn follow<'a>(&'a self, expr: &'a Expression) -> Option<(&'a Expression, Option<&'a Value>, Option<&'a str>)> {
        let mut expr = expr;
        let mut last: Option<&Value> = None;
        let mut origin: Option<&str> = None;
        for _ in 0..MAX_STEPS {
            let next = match named(expr) {
                Some(Named::Var(name)) => self.vars.get(name)?.as_ref()?,
                Some(Named::Local(name)) => self.locals.get(name)?,
                Some(Named::Other) => return None,
                None => return Some((expr, last, origin)),
            };
            origin = origin.or(Some(&next.origin));
            expr = &next.expr;
            last = Some(next);
        }
        None
    }
}

/// Whether Terraform reads a `.tfvars` file without being told to.
pub fn loaded_by_terraform(file: &str) -> bool {
    let name = crate::lint::file_name(file).to_ascii_lowercase();
    name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
}

/// Whether a value is a literal list or object (passed on as it is written).
fn is_collection(expr: &Expression) -> bool {
    matches!(expr, Expression::Array(_) | Expression::Object(_))
}

/// A reference, as [`Values`] follows it.
enum Named<'a> {
    /// `var.name`, with nothing after it.
    Var(&'a str),
    /// `local.name`, with nothing after it.
    Local(&'a str),
    /// Another reference, which is not followed.
    Other,
}

/// The reference `expr` is; `None` for an expression that is not a reference.
fn named(expr: &Expression) -> Option<Named<'_>> {
    match expr {
        Expression::Parenthesis(p) => named(p.inner()),
        Expression::Traversal(t) => {
            let Expression::Variable(root) = &t.expr else { return Some(Named::Other) };
            let [TraversalOperator::GetAttr(name)] = t.operators.iter().map(|o| o.value()).collect::<Vec<_>>()[..]
            else {
                return Some(Named::Other);
            };
            Some(match root.as_str() {
                "var" => Named::Var(name.as_str()),
                "local" => Named::Local(name.as_str()),
                _ => Named::Other,
            })
        }
        Expression::Variable(_) => Some(Named::Other),
        _ => None,
    }
}
