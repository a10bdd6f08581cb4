use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a volume backup the spec writes that an environment does not keep: the
    /// environment runs on a cluster whose storage cannot be snapshotted (a kind cluster on
    /// this machine, whose local-path provisioner is no CSI driver), so its overlay and
    /// values have the volume without the schedule. Reported once per environment, at the
    /// backup.
    ///
    /// ## Why it matters
    /// A backup written for the cloud is translated for a laptop, not copied: a schedule kind
    /// cannot run would take nothing, silently. Where it is dropped, the spec says so.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {azure: {...}}
    /// services:
    ///   - name: notes
    ///     persistence: {size: 1Gi, mountPath: /data, backup: {retentionDays: 30}}
    /// environments:
    ///   - {name: dev, platform: {local: {cluster: kind}}}
    /// ```
    ///
    /// ## How to fix
    /// Nothing, when a laptop needs no backup. To keep snapshots locally, run the environment
    /// on `cluster: minikube`, whose CSI driver takes them.
    pub static RULE = ("SPEC138", "backup-not-kept-in-environment", Info);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    for env in &spec.environments {
        let Some(env_spec) = env.loaded.as_deref() else { continue };
        for (i, (service, there)) in spec.spec.services.iter().zip(&env_spec.spec.services).enumerate() {
            let written = service.persistence.as_ref().is_some_and(|v| v.backup.is_some());
            let kept = there.persistence.as_ref().is_some_and(|v| v.backup.is_some());
            if written && !kept {
                let message = format!(
                    "environment `{}` keeps no backup of `{}`'s volume: its {} cluster's storage cannot be snapshotted",
                    env.name, service.name, env.target
                );
                let help = "nothing to do when that environment needs none; `cluster: minikube` takes local snapshots";
                out.push(spec.at(&RULE, &service_path(i, &["persistence", "backup"]), true, message).help(help));
            }
        }
    }
}
