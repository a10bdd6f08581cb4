use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::azure;
use crate::route;
use crate::spec::{Loaded, cron};

/// The longest AKS Backup keeps a backup in its operational tier (the only tier azurerm's
/// Kubernetes backup policy can express).
pub const MOST_DAYS: u32 = 360;

declare_rule! {
    /// ## What it does
    /// Reports a volume backup on Azure that AKS Backup cannot take: a file share's volume
    /// (`azurefile-csi`, a `ReadWriteMany` volume), a `schedule` other than once a day or every
    /// 4, 8 or 12 hours, or a `retentionDays` above 360.
    ///
    /// ## Why it matters
    /// On AKS, gen backs volumes up with AKS Backup: a Backup vault in a resource group of its
    /// own takes the services' namespaces and their Azure Disk snapshots into a resource group
    /// the cluster's lifecycle does not reach (terraform/README.md). It covers Azure Disk
    /// volumes only (a share's volume would silently have no backup), its policy repeats once
    /// a day or every 4, 8 or 12 hours (an ISO 8601 interval, not a cron), and its
    /// operational tier keeps a backup 360 days at most: the apply would fail or the backup
    /// would not be what the spec says.
    ///
    /// ## Example
    /// ```yaml
    /// persistence:
    ///   accessMode: ReadWriteMany          # an Azure Files share
    ///   backup: {schedule: "0 3 * * 0", retentionDays: 1095}
    /// ```
    ///
    /// ## How to fix
    /// Back up a `ReadWriteOnce` volume (an Azure Disk); for a share many pods write, protect
    /// its storage account with Azure Backup for Azure Files yourself and drop `backup`. Write
    /// the schedule as once a day (`"0 3 * * *"`) or every 4, 8 or 12 hours
    /// (`"0 */4 * * *"`), and keep backups at most 360 days.
    pub static RULE = ("SPEC160", "backup-aks-cannot-take", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if azure::of(&spec.spec).is_none() {
        return;
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let Some(volume) = &service.persistence else { continue };
        let Some(backup) = &volume.backup else { continue };
        let share = volume.storage_class.as_deref().is_some_and(|c| c.starts_with("azurefile"));
        if share {
            out.push(
                spec.at(
                    &RULE,
                    &route!["services", i, "persistence", "backup"],
                    true,
                    format!(
                        "`{}`'s volume is an Azure Files share (`{}`): AKS Backup, which takes volume backups on AKS, covers Azure Disk volumes only",
                        service.name,
                        volume.storage_class.as_deref().unwrap_or_default()
                    ),
                )
                .help(
                    "back up a ReadWriteOnce volume (an Azure Disk), or drop `backup` and protect the share's storage account with Azure Backup for Azure Files",
                ),
            );
        }
        // An unreadable schedule is SPEC132's.
        if cron::parse(&backup.schedule).is_ok() && azure::backup_interval(&backup.schedule).is_none() {
            out.push(
                spec.at(
                    &RULE,
                    &route!["services", i, "persistence", "backup", "schedule"],
                    false,
                    format!(
                        "AKS Backup cannot take a backup on the schedule `{}`: its policy repeats once a day or every 4, 8 or 12 hours",
                        backup.schedule
                    ),
                )
                .help("write a daily schedule (`\"0 3 * * *\"`) or one every 4, 8 or 12 hours (`\"0 */4 * * *\"`)"),
            );
        }
        if backup.retention_days > MOST_DAYS {
            out.push(
                spec.at(
                    &RULE,
                    &route!["services", i, "persistence", "backup", "retentionDays"],
                    false,
                    format!("AKS Backup keeps a backup at most {MOST_DAYS} days, not {}", backup.retention_days),
                )
                .help(format!("keep backups at most {MOST_DAYS} days")),
            );
        }
    }
}
