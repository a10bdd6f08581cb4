//! The Prometheus rules family's rules, one file each, and their registry.

mod alert_without_for;
mod alert_without_runbook;
mod alert_without_severity;
mod dashboard_metric_undeclared;
mod histogram_quantile_without_le;
mod invalid_promql;
mod rate_window_too_short;
mod rules_file_syntax;

use super::Document;
use crate::lint::{Check, Run};
use crate::yaml::Rules;

pub use rules_file_syntax::RULE as RULES_FILE_SYNTAX;

/// The rules the YAML loader reports a rules file's failures under.
pub static YAML_RULES: Rules = Rules {
    syntax: &RULES_FILE_SYNTAX,
    encoding: &RULES_FILE_SYNTAX,
    empty: &RULES_FILE_SYNTAX,
    multiple_documents: &RULES_FILE_SYNTAX,
    duplicate_key: &RULES_FILE_SYNTAX,
    limits: &RULES_FILE_SYNTAX,
};

/// Every rule of the family with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &RULES_FILE_SYNTAX, run: Run::Each(rules_file_syntax::check) },
    Check { rule: &invalid_promql::RULE, run: Run::Each(invalid_promql::check) },
    // Queries that answer another question than they seem to.
    Check { rule: &rate_window_too_short::RULE, run: Run::Each(rate_window_too_short::check) },
    Check { rule: &histogram_quantile_without_le::RULE, run: Run::Each(histogram_quantile_without_le::check) },
    // Alerts that page on noise, reach nobody in particular, or leave the reader guessing.
    Check { rule: &alert_without_for::RULE, run: Run::Each(alert_without_for::check) },
    Check { rule: &alert_without_severity::RULE, run: Run::Each(alert_without_severity::check) },
    Check { rule: &alert_without_runbook::RULE, run: Run::Each(alert_without_runbook::check) },
    // Dashboards that show "No data" for a series nothing exports.
    Check { rule: &dashboard_metric_undeclared::RULE, run: Run::All(dashboard_metric_undeclared::check) },
];
