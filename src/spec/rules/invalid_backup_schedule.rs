use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::{Loaded, cron};

declare_rule! {
    /// ## What it does
    /// Reports a volume backup whose `schedule` the snapshot operator cannot read: five cron
    /// fields (minute, hour, day of month, month, day of week) as snapscheduler parses them
    /// (robfig/cron's standard dialect: lists, ranges, steps, English month and weekday names,
    /// weekdays 0-6 from Sunday; no `L`, `W` or `#`).
    ///
    /// ## Why it matters
    /// The SnapshotSchedule is accepted by the API server and refused by the operator: no
    /// snapshot is ever taken, and only the operator's log says why.
    ///
    /// ## Example
    /// ```yaml
    /// persistence: {size: 1Gi, mountPath: /data, backup: {schedule: "0 3 * * 7", retentionDays: 30}}
    /// ```
    ///
    /// ## How to fix
    /// Write the schedule in that dialect: Sunday is `0` or `sun`, the last day of a month
    /// has no symbol.
    pub static RULE = ("SPEC132", "invalid-backup-schedule", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let Some(backup) = svc.persistence.as_ref().and_then(|p| p.backup.as_ref()) else { continue };
        if let Err(why) = cron::parse(&backup.schedule) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["persistence", "backup", "schedule"]),
                    false,
                    format!("the snapshot operator cannot read the schedule `{}`: {why}", backup.schedule),
                )
                .help("five cron fields: minute hour day-of-month month day-of-week, such as `0 3 * * *` (03:00 UTC daily)"),
            );
        }
    }
}
