//! Report formats for findings: one module per format.

mod github;
mod human;
mod json;
mod sarif;
mod terminal;

pub use github::{escape_data, escape_property, github};
pub use human::human;
pub use json::{REPORT_VERSION, json};
pub use sarif::sarif;
pub use terminal::clean;

/// Why a report could not be written (a serialization failure is a gen bug, never hidden).
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("cannot write the report: {0}")]
    Serialize(#[from] serde_json::Error),
}
