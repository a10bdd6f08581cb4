use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::{Loaded, cron};

declare_rule! {
    /// ## What it does
    /// Reports a volume backup on AWS whose `schedule` AWS Backup cannot run: more than one
    /// minute an hour, or both the day of month and the day of week restricted (`0 0 1 * 1`:
    /// the first of the month or any Monday).
    ///
    /// ## Why it matters
    /// On EKS, gen backs volumes up with AWS Backup (terraform/README.md, "Backups"): its
    /// recovery points outlive the claim, the namespace and the cluster, where a
    /// VolumeSnapshot would go with them. A plan's rule runs at most once an hour, and its cron
    /// dialect restricts one of the two day fields at most (the other is `?`): the apply would
    /// fail, or the backups would not be taken when the spec says.
    ///
    /// ## Example
    /// ```yaml
    /// persistence:
    ///   backup: {schedule: "*/30 * * * *", retentionDays: 7}
    /// ```
    ///
    /// ## How to fix
    /// Write one minute an hour (`"0 3 * * *"`, `"15 */4 * * *"`), and restrict either the day
    /// of month or the day of week (`"0 3 * * 0"`, `"0 3 1 * *"`).
    pub static RULE = ("SPEC181", "backup-aws-cannot-take", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    if aws::of(&spec.spec).is_none() {
        return;
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let Some(backup) = service.persistence.as_ref().and_then(|p| p.backup.as_ref()) else { continue };
        // An unreadable schedule is SPEC132's.
        let Ok(schedule) = cron::parse(&backup.schedule) else { continue };
        if schedule.aws_cron().is_none() {
            out.push(
                spec.at(
                    &RULE,
                    &route!["services", i, "persistence", "backup", "schedule"],
                    false,
                    format!(
                        "AWS Backup cannot take a backup on the schedule `{}`: it runs at most once an hour, on the day of month or the day of week",
                        backup.schedule.escape_debug()
                    ),
                )
                .help("write one minute an hour (`\"0 3 * * *\"`), restricting the day of month or the day of week, not both"),
            );
        }
    }
}
