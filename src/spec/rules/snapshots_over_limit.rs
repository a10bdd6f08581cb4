use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::{Loaded, cron};

declare_rule! {
    /// ## What it does
    /// Reports a volume backup that would keep more snapshots at once than the platform lets
    /// one volume hold: the most times `schedule` fires within `retentionDays`, and one more
    /// (snapscheduler takes the new snapshot before it expires the oldest), against the limit
    /// of its snapshot class (on Azure, 200 share snapshots per file share and 500
    /// incremental snapshots per managed disk).
    ///
    /// ## Why it matters
    /// Nothing fails at first. Once the volume holds as many snapshots as it can, every new
    /// one fails, and the backup silently stops in the environment whose retention was
    /// raised: daily snapshots kept three years on an Azure file share stop on day 201.
    ///
    /// ## Example
    /// ```yaml
    /// persistence:
    ///   accessMode: ReadWriteMany
    ///   storageClass: azurefile-csi
    ///   backup: {retentionDays: 1095}      # daily: 1,095 snapshots, and a share keeps 200
    /// ```
    ///
    /// ## How to fix
    /// Snapshot less often (`schedule: "0 3 * * 0"`, weekly: 157 in three years; on AKS, where
    /// AKS Backup takes nothing rarer than daily, `"0 3 * * *"` with fewer days) or keep them
    /// fewer days. For years of daily restore points, use the platform's backup service
    /// (Azure Backup's vaulted backup for Azure Files and disks) rather than volume snapshots.
    pub static RULE = ("SPEC133", "snapshots-over-limit", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let target = spec.spec.platform.target.spec();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(backup) = svc.persistence.as_ref().and_then(|p| p.backup.as_ref()) else { continue };
        let Some((limit, holder)) = backup.snapshot_class.as_deref().and_then(|c| target.snapshot_limit(c)) else {
            continue;
        };
        // An unreadable schedule is SPEC132's.
        let Ok(schedule) = cron::parse(&backup.schedule) else { continue };
        let kept = schedule.most_within(backup.retention_days);
        // snapscheduler takes the new snapshot before it expires the oldest: at the limit, the
        // new one is refused.
        if kept >= limit {
            // The longest retention within the limit: the count only grows with the days.
            let (mut low, mut high) = (0, backup.retention_days);
            while high - low > 1 {
                let mid = low + (high - low) / 2;
                if schedule.most_within(mid) < limit { low = mid } else { high = mid }
            }
            let most_days = (low > 0).then_some(low);
            let days = most_days.map_or_else(String::new, |d| format!("keep them at most {d} days, "));
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["persistence", "backup", "retentionDays"]),
                    false,
                    format!(
                        "snapshots taken at `{}` and kept {} days: up to {kept} of the volume, and one more while \
                         the newest is taken before the oldest expires; {holder} holds at most {limit}, so from then on \
                         every new snapshot fails",
                        backup.schedule, backup.retention_days
                    ),
                )
                .help(format!(
                    "{days}snapshot less often (daily, `0 3 * * *`, where AKS Backup takes them: it takes nothing rarer; \
                     elsewhere weekly, `0 3 * * 0`), or use the platform's backup service for long retention"
                )),
            );
        }
    }
}
