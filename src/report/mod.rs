//! Report formats for findings: one module per format.

mod human;
mod json;

pub use human::human;
pub use json::{REPORT_VERSION, json};

use crate::diag::{Diagnostic, Severity};

/// How many findings of each severity a report holds.
pub fn counts(diags: &[Diagnostic]) -> (usize, usize) {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    (errors, diags.len() - errors)
}
