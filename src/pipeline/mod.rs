//! The pipeline as library functions that `render`, `lint` and `init` share: load a spec,
//! check it, render it, lint the plan, and (for `lint`) compare it with the output directory;
//! or lint hand-written files by the family that recognises them.
//!
//! `place`: where a spec and its output sit in their repository; `session`: the stages run
//! for a spec, a blueprint folder or hand-written files; `inputs`: what `gen lint` was given,
//! read and sorted into those.

mod closure;
mod inputs;
mod own_code;
mod place;
mod renames;
mod session;

pub use inputs::MAX_ARTIFACT_BYTES;
pub use own_code::{RULE as OWN_CODE_INCOMPLETE, UNSERVED_HEALTH_PATH};
pub use place::{default_out, display, place, spec_name};
pub use session::{Checked, Prepared, Session, Sink, Unprepared, Yours};

use crate::input::{NOTHING_TO_CHECK, UNREADABLE_INPUT};
use crate::spec;

/// Rules beyond the spec's load rules whose findings mean an input could not be read or
/// loaded at all.
static FAILURE_RULES: [&crate::diag::Rule; 3] =
    [&crate::blueprint::INVALID_BLUEPRINT, &UNREADABLE_INPUT, &NOTHING_TO_CHECK];

/// Whether a finding of `rule` means an input could not be read or loaded (exit code 2),
/// rather than a problem found in something that loaded.
pub fn is_failure(rule: &crate::diag::Rule) -> bool {
    spec::LOAD_RULES.iter().chain(&FAILURE_RULES).any(|r| std::ptr::eq(*r, rule))
}
