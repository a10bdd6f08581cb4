//! Helm's template engine in Rust: a chart's templates (Go text/template with Helm's and
//! sprig's functions) rendered as `helm template` renders them, without a Helm binary, so that
//! gen's plain manifests can be its chart rendered with each service's values.
//!
//! ```
//! use gen_core::gotmpl::{Chart, Release, values};
//! # fn main() -> Result<(), gen_core::gotmpl::Error> {
//! let files = vec![
//!     ("Chart.yaml".to_string(), "apiVersion: v2\nname: web\nversion: 0.1.0\n".to_string()),
//!     ("values.yaml".to_string(), "replicas: 1\n".to_string()),
//!     ("templates/cm.yaml".to_string(), "replicas: {{ .Values.replicas }}\n".to_string()),
//! ];
//! let chart = Chart::parse(&files)?; // once
//! let service = values::load("values/shop.yaml", "replicas: 2\n")?;
//! let rendered = chart.render(&chart.values(&[service]), &Release::new("shop", "shop"))?;
//! assert_eq!(rendered, vec![("templates/cm.yaml".to_string(), "replicas: 2\n".to_string())]);
//! # Ok(()) }
//! ```
//!
//! ## Supported
//! - Go text/template: text, actions with `{{-`/`-}}` trimming, comments, pipelines,
//!   parenthesised pipelines, field chains on dot, variables and sub-pipelines, variables
//!   (`:=`, `=`, `range $i, $v :=`), string (both quotes, raw), number, char, bool and nil
//!   literals, `if`/`else if`/`else`, `range` (lists, maps in key order, integers; `else`;
//!   `break`, `continue`), `with` (`else`, `else with`), `define`, `template`, `block`.
//!   Unknown functions and undefined variables are parse errors, as in Go.
//! - Helm's objects: `.Values`, `.Release` (Name, Namespace, IsInstall, IsUpgrade, Revision,
//!   Service), `.Chart` (Chart.yaml under Helm's capitalised names), `.Capabilities`
//!   (KubeVersion.Version/GitVersion/Major/Minor, APIVersions and `APIVersions.Has`),
//!   `.Template` (Name, BasePath). Missing keys are nil and print as nothing (Helm replaces
//!   Go's `<no value>` with nothing in every rendered file); a field of nil is Go's
//!   `nil pointer evaluating interface {}.x` error.
//! - Go's printing: numbers from values are float64 (`1000000` prints `1e+06`, as in Helm),
//!   literals and sprig arithmetic are ints, lists print `[a b]`, maps `map[a:1]`.
//!   `eq` of a float64 and an int is Helm's `incompatible types for comparison` error.
//! - Functions: see `funcs::NAMES`: Go's builtins but `html`, `js`, `urlquery`, `call`,
//!   `slice`; Helm's `include`, `tpl`, `required`, `fail`, `lookup` (always an empty map, as
//!   with `helm template`), `toYaml` (go-yaml v2's emitter: natural key order, quoting,
//!   folding at column 80, literal blocks), `fromYaml`, `toJson`, `fromJson` and array forms;
//!   sprig's string, list, dict, number, default, type, regex, base64 and sha256 functions,
//!   and `semverCompare` (Masterminds/semver v3 constraints).
//!
//! ## Not supported
//! `.Files`, subcharts and dependencies, `values.schema.json` validation, the semver functions
//! other than `semverCompare`, `sha1sum`, date, random, crypto and network functions, the
//! float arithmetic (`addf`...), `toToml`; defines inside a `tpl` text are not registered.
//! Integer kinds are not told apart (`int` and `int64` are one kind, as `eq` treats them).
//!
//! ## Bounds
//! A template may take [`exec::MAX_STEPS`] steps, nest `include`/`template`/`tpl`
//! [`exec::MAX_INCLUDE_DEPTH`] deep (Helm's own limit; the stack grows as needed), nest
//! control structures and parentheses [`parse::MAX_NESTING`] deep, `range` over an integer up
//! to [`exec::MAX_RANGE_INT`], and produce [`exec::MAX_OUTPUT`] bytes per file or string.
//! Past a bound the render fails with a located error; no input panics or hangs.

mod chart;
pub mod exec;
mod funcs;
pub mod parse;
mod semver;
mod to_yaml;
mod value;
pub mod values;

use std::sync::Arc;

pub use chart::{Chart, Release};
pub use funcs::json_string;
pub use value::Value;

use crate::diag::Span;

/// Why a chart could not be parsed or rendered. Locations are gen's: line and column from 1,
/// the column in characters (Helm counts columns in bytes from 0); `offset` is the byte
/// offset in the file, for a [`Span`].
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A template that is not Go template syntax (Helm: `parse error at (file:line)`).
    #[error("parse error at ({file}:{line}:{column}): {message}")]
    Parse { file: String, offset: usize, line: usize, column: usize, message: String },
    /// A template that failed while rendering: `fail`, `required`, a function's error.
    #[error("execution error at ({file}:{line}:{column}): {message}")]
    Execution { file: String, offset: usize, line: usize, column: usize, message: String },
    /// A values file or Chart.yaml that is not YAML.
    #[error("{file}:{line}:{column}: {message}")]
    Values { file: String, offset: usize, line: usize, column: usize, message: String },
    /// A chart that lacks what Helm requires.
    #[error("{file}: {message}")]
    Chart { file: String, message: String },
}

impl Error {
    fn parse(source: &Arc<parse::Source>, offset: usize, message: String) -> Error {
        let (line, column) = position(source, offset);
        Error::Parse { file: source.name.clone(), offset, line, column, message }
    }

    fn exec(e: exec::ExecError) -> Error {
        let (line, column) = position(&e.source, e.offset);
        Error::Execution { file: e.source.name.clone(), offset: e.offset, line, column, message: e.message }
    }

    /// The byte span of the error in its file, when it has one.
    pub fn span(&self) -> Option<Span> {
        match self {
            Error::Parse { offset, .. } | Error::Execution { offset, .. } | Error::Values { offset, .. } => {
                Some(Span::new(*offset, *offset))
            }
            Error::Chart { .. } => None,
        }
    }
}

/// Line and column through gen's one location function.
fn position(source: &parse::Source, offset: usize) -> (usize, usize) {
    let s = crate::diag::Source::new(source.name.as_str(), source.text.as_str());
    let p = s.position(Span::new(offset, offset));
    (p.line, p.column)
}
