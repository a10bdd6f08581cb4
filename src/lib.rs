//! gen: one declarative spec to a checked production path on Kubernetes.
//!
//! The pipeline reads top to bottom: `diag` (findings) → `yaml` (positioned documents) → `gotmpl`
//! (Helm's template engine: a chart rendered as `helm template` does) → `input`
//! (opening the files gen is given) → `text` (shell words, credential heuristics) → `spec` →
//! `blueprint` → `render` → `lint` (artifact families) → `output` → `report` (formats) →
//! `registry` (every rule) → `pipeline` (the stages as one library) → `cli`. Each module knows
//! only those before it.

pub mod calendar;
pub mod diag;
pub mod yaml;

pub mod gotmpl;

pub mod input;
pub mod text;

pub mod platform;
pub mod spec;

pub mod blueprint;
pub mod lint;
pub mod output;
pub mod render;

pub mod fix;

pub mod report;

pub mod registry;

pub mod pipeline;

pub mod adopt;

pub mod cli;
