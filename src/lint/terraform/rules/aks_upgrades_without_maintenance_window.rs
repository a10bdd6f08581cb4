use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an `azurerm_kubernetes_cluster` that AKS upgrades on its own with no window to
    /// do it in: an `automatic_upgrade_channel` other than `none` without a
    /// `maintenance_window_auto_upgrade` block, or node OS updates (`node_os_upgrade_channel`
    /// `NodeImage`, its default, or `SecurityPatch`) without a `maintenance_window_node_os`
    /// block.
    ///
    /// ## Why it matters
    /// Without a window, AKS upgrades and reimages nodes when it chooses: nodes are drained and
    /// replaced in the middle of a working day, a release, or an incident.
    ///
    /// ## Example
    /// ```hcl
    /// automatic_upgrade_channel = "patch"
    /// node_os_upgrade_channel   = "NodeImage"
    /// ```
    ///
    /// ## How to fix
    /// Add `maintenance_window_auto_upgrade` and `maintenance_window_node_os` blocks (weekly,
    /// at least 4 hours, at a quiet time: `frequency = "Weekly"`, `interval = 1`,
    /// `day_of_week = "Sunday"`, `start_time = "02:00"`, `utc_offset = "+00:00"`,
    /// `duration = 4`).
    pub static RULE = ("TF024", "aks-upgrades-without-maintenance-window", Warning);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for r in doc.resources("azurerm_kubernetes_cluster") {
        let window = |name: &str| hcl::block(r.body(), name).is_some();
        // Set, and not literally `none`: an expression may choose a channel.
        let auto = r.has("automatic_upgrade_channel")
            && r.string("automatic_upgrade_channel").is_none_or(|c| !c.eq_ignore_ascii_case("none"));
        if auto && !window("maintenance_window_auto_upgrade") {
            let message = format!(
                "{} upgrades Kubernetes on its own (automatic_upgrade_channel) with no maintenance_window_auto_upgrade: at any hour",
                r.address()
            );
            out.push(
                r.at_attr(&RULE, "automatic_upgrade_channel", message)
                    .help("add a `maintenance_window_auto_upgrade` block (weekly, at least 4 hours, at a quiet time)"),
            );
        }
        // Absent, the channel is NodeImage.
        let node_os =
            r.string("node_os_upgrade_channel").is_none_or(|c| matches!(c.as_str(), "NodeImage" | "SecurityPatch"));
        if node_os && !window("maintenance_window_node_os") {
            let message = format!(
                "{} updates its nodes' OS on its own (node_os_upgrade_channel, NodeImage unless set) with no maintenance_window_node_os: at any hour",
                r.address()
            );
            out.push(
                r.at_attr(&RULE, "node_os_upgrade_channel", message)
                    .help("add a `maintenance_window_node_os` block (weekly, at least 4 hours, at a quiet time)"),
            );
        }
    }
}
