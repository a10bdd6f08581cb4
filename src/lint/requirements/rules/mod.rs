//! The requirements rules, one file each, and their registry.

mod requirement_not_pinned;
mod requirement_without_hash;

use super::Document;
use crate::lint::{Check, Run};

/// Every requirements rule with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &requirement_without_hash::RULE, run: Run::Each(requirement_without_hash::check) },
    Check { rule: &requirement_not_pinned::RULE, run: Run::Each(requirement_not_pinned::check) },
];
