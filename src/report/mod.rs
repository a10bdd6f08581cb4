//! Report formats for findings: one module per format.

mod github;
mod human;
mod json;
mod sarif;
mod shorten;
mod terminal;

pub use github::{escape_data, escape_property, github};
pub use human::human;
pub use json::{REPORT_VERSION, json};
pub use sarif::sarif;
pub use shorten::shorten;
pub use terminal::clean;

use std::collections::HashMap;

use crate::diag::{Diagnostic, Span};

/// What makes two findings one: rule, file, place, message and help.
type Identity<'a> = (&'a str, &'a str, Option<Span>, &'a str, Option<&'a str>);

/// `items` with each finding reported more than once, identically, kept once where it first
/// came, with how many times it was reported.
fn collapse<'a, T>(items: impl IntoIterator<Item = T>, diag: impl Fn(&T) -> &'a Diagnostic) -> Vec<(T, usize)> {
    let mut first_of: HashMap<Identity<'a>, usize> = HashMap::new();
    let mut kept: Vec<(T, usize)> = Vec::new();
    for item in items {
        let d = diag(&item);
        let identity = (d.rule.code, d.file.as_str(), d.span, d.message.as_str(), d.help.as_deref());
        match first_of.get(&identity) {
            Some(&i) => kept[i].1 += 1,
            None => {
                first_of.insert(identity, kept.len());
                kept.push((item, 1));
            }
        }
    }
    kept
}

/// Why a report could not be written (a serialization failure is a gen bug, never hidden).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the report: {0}")]
    Serialize(#[from] serde_json::Error),
}
