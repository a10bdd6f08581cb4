//! Diagnostics shared by every stage: rules, findings and where they point.

mod diagnostic;
mod rule;
mod source;

pub use diagnostic::{Diagnostic, Diagnostics, Severity};
pub use rule::Rule;
pub use source::{Position, Source, SourceMap, Span};
