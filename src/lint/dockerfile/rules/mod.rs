//! The Dockerfile rules, one file each, and their registry.

mod add_instead_of_copy;
mod apt_install_recommends;
mod apt_lists_not_cleaned;
mod base_image_without_digest;
mod copy_destination_not_folder;
mod credential_in_build;
mod development_server;
mod dockerfile_syntax;
mod expose_port_mismatch;
mod loopback_bind;
mod pip_cache_kept;
mod python_past_end_of_life;
mod runs_as_root;
mod shell_form_command;
mod unpinned_base_image;

use super::Document;
use crate::lint::{Check, Run};

/// Every Dockerfile rule with its check.
pub static CHECKS: &[Check<Document>] = &[
    Check { rule: &dockerfile_syntax::RULE, run: Run::Each(dockerfile_syntax::check) },
    Check { rule: &runs_as_root::RULE, run: Run::Each(runs_as_root::check) },
    Check { rule: &unpinned_base_image::RULE, run: Run::Each(unpinned_base_image::check) },
    Check { rule: &base_image_without_digest::RULE, run: Run::All(base_image_without_digest::check) },
    Check { rule: &add_instead_of_copy::RULE, run: Run::Each(add_instead_of_copy::check) },
    Check { rule: &apt_install_recommends::RULE, run: Run::Each(apt_install_recommends::check) },
    Check { rule: &apt_lists_not_cleaned::RULE, run: Run::Each(apt_lists_not_cleaned::check) },
    Check { rule: &pip_cache_kept::RULE, run: Run::Each(pip_cache_kept::check) },
    Check { rule: &loopback_bind::RULE, run: Run::Each(loopback_bind::check) },
    Check { rule: &expose_port_mismatch::RULE, run: Run::Each(expose_port_mismatch::check) },
    Check { rule: &credential_in_build::RULE, run: Run::Each(credential_in_build::check) },
    Check { rule: &copy_destination_not_folder::RULE, run: Run::Each(copy_destination_not_folder::check) },
    Check { rule: &shell_form_command::RULE, run: Run::Each(shell_form_command::check) },
    Check { rule: &development_server::RULE, run: Run::Each(development_server::check) },
    Check { rule: &python_past_end_of_life::RULE, run: Run::Each(python_past_end_of_life::check) },
];
