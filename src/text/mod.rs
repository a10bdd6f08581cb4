//! Text heuristics more than one stage reads: shell words as a shell splits them (Dockerfile
//! `RUN` lines and workflow scripts), and what looks like a credential (a spec's `env`, a
//! Dockerfile's build arguments, a workflow's values). Here, before the spec, so that no lint
//! family reaches into another's internals or into the spec's rules for them.

pub mod credentials;
pub mod shell;
