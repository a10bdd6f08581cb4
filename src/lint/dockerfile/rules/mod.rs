//! The Dockerfile rules, one file each, and their registry.

mod add_instead_of_copy;
mod apt_install_recommends;
mod apt_lists_not_cleaned;
mod credential_in_build;
mod expose_port_mismatch;
mod loopback_bind;
mod pip_cache_kept;
mod runs_as_root;
mod unpinned_base_image;

use super::Context;
use crate::diag::{Diagnostics, Rule};

/// A Dockerfile check: reads the parsed file, appends findings.
pub type Check = fn(&Context<'_>, &mut Diagnostics);

/// Every Dockerfile rule with its check.
pub static CHECKS: &[(&Rule, Check)] = &[
    (&runs_as_root::RULE, runs_as_root::check),
    (&unpinned_base_image::RULE, unpinned_base_image::check),
    (&add_instead_of_copy::RULE, add_instead_of_copy::check),
    (&apt_install_recommends::RULE, apt_install_recommends::check),
    (&apt_lists_not_cleaned::RULE, apt_lists_not_cleaned::check),
    (&pip_cache_kept::RULE, pip_cache_kept::check),
    (&loopback_bind::RULE, loopback_bind::check),
    (&expose_port_mismatch::RULE, expose_port_mismatch::check),
    (&credential_in_build::RULE, credential_in_build::check),
];
