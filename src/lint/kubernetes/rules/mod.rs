//! The Kubernetes rules, one file each, and their registry.

mod invalid_field_type;
mod manifest_syntax;
mod privilege_escalation_allowed;
mod service_selects_no_pod;
mod unknown_field;

use super::Document;
use crate::lint::{Check, Run};
use crate::yaml::Rules;

pub use manifest_syntax::RULE as MANIFEST_SYNTAX;

/// The rules the YAML loader reports a manifest's failures under.
pub static YAML_RULES: Rules = Rules {
    syntax: &MANIFEST_SYNTAX,
    encoding: &MANIFEST_SYNTAX,
    empty: &MANIFEST_SYNTAX,
    multiple_documents: &MANIFEST_SYNTAX,
    duplicate_key: &MANIFEST_SYNTAX,
    limits: &MANIFEST_SYNTAX,
};

/// Every Kubernetes rule with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &MANIFEST_SYNTAX, run: Run::Each(manifest_syntax::check) },
    Check { rule: &unknown_field::RULE, run: Run::Each(unknown_field::check) },
    Check { rule: &invalid_field_type::RULE, run: Run::Each(invalid_field_type::check) },
    // Pod Security Standards.
    Check { rule: &privilege_escalation_allowed::RULE, run: Run::Each(privilege_escalation_allowed::check) },
    // Objects that relate to each other.
    Check { rule: &service_selects_no_pod::RULE, run: Run::All(service_selects_no_pod::check) },
];
