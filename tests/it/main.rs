//! Every integration test, in one binary. Each file below was a test binary of its own; each
//! linked the whole crate and its dependencies (about 55 MB apiece, 2.5 GB for 45 of them, and a
//! link each), and compiled `common` again. One binary is built and linked once: the cold set-up
//! of issue 49 (`benches/cold.sh`) leaves less disk and waits on fewer links. nextest still runs
//! each test in a process of its own; `cargo nextest run --test it chart::` runs one file's.

mod common;

mod adopt;
mod bad_input;
mod buildkit;
mod chart;
mod cli;
mod closure;
mod closure_corpus;
mod dockerfile;
mod environments;
mod family;
mod filters;
mod fix;
mod fix_property;
mod flask_service;
mod gen_preflight;
mod gotmpl;
mod hostile;
mod identity;
mod input_kinds;
mod kubernetes_agreement;
mod lint_config;
mod lint_inputs;
mod local_deploy;
mod local_grid;
mod no_panic;
mod output_safety;
mod own_code;
mod ownership;
mod ownership_property;
mod platform;
mod pre_commit;
mod refused_values;
mod release;
mod render;
mod render_stability;
mod report;
mod repository_root;
mod requirements;
mod rules;
mod schema_model;
mod schema_quick;
mod shared_once;
mod slo;
mod stack;
mod terraform;
mod terraform_agreement;
mod terraform_lint;
mod terraform_plan_time;
mod validators;
mod workflow;
mod workflow_agreement;
mod workflow_lint;
