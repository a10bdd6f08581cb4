//! gen: one declarative spec to a checked production path on Kubernetes.
//!
//! The pipeline reads top to bottom: `spec` → `blueprint` → `render` → `lint` → `output` → `report`
//! (formats) → `registry` (every rule) → `cli`. Each module knows only those before it.

pub mod diag;
pub mod spec;

pub mod blueprint;
pub mod lint;
pub mod output;
pub mod render;

pub mod report;

pub mod registry;

pub mod cli;
