//! The local platform's spec rules: what a cluster on this machine, as gen's deploy script
//! sets it up, cannot serve. One file per rule.

pub mod local_cluster_shared;
pub mod setting_no_local_cluster_serves;
