//! Diagnostics shared by every stage: rules, findings and where they point.

mod diagnostic;
mod route;
mod rule;
mod source;

pub use diagnostic::{Counts, Diagnostic, Diagnostics, Findings, Severity, Subject};
pub use route::{Route, Segment};
pub use rule::Rule;
pub use source::{Position, Source, SourceMap, Span};
