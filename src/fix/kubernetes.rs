//! Fixes for Kubernetes manifests: the field a finding's route names, added where nothing is
//! written (a value written otherwise is the author's choice, and is left to them).

use super::{Edit, FileText, Fix, Fixer, Safety, yaml_edit};
use crate::diag::{Diagnostic, Segment};

/// K8S019: `seccompProfile.type: RuntimeDefault`.
pub static SECCOMP_UNCONFINED: Fixer = Fixer {
    code: "K8S019",
    family: "kubernetes",
    safety: "safe",
    doc: "`gen lint --fix` adds `seccompProfile: {type: RuntimeDefault}` to the securityContext the finding \
          names (the pod's, unless a container sets its own), creating the securityContext when there is none. \
          Safe: `RuntimeDefault` is the container runtime's own profile, the one Docker applies to every \
          `docker run`; it blocks system calls an application does not make (loading kernel modules, `mount`, \
          `reboot`). A profile written otherwise (`Unconfined`) is left to its author.",
    fix: seccomp_unconfined,
};

/// K8S022: `allowPrivilegeEscalation: false`.
pub static PRIVILEGE_ESCALATION_ALLOWED: Fixer = Fixer {
    code: "K8S022",
    family: "kubernetes",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `allowPrivilegeEscalation: false` to the container's \
          securityContext. Unsafe: a program that gains rights through a setuid binary or file capabilities \
          (`sudo`, `su`, `ping` on older images) stops working. An explicit `true` is left to its author.",
    fix: |file, d| set(file, d, "allowPrivilegeEscalation", "false", Safety::Unsafe),
};

/// K8S023: `runAsNonRoot: true`.
pub static RUN_AS_NON_ROOT_MISSING: Fixer = Fixer {
    code: "K8S023",
    family: "kubernetes",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `runAsNonRoot: true` where the finding points (the pod's \
          securityContext, or the container's). Unsafe: an image whose user is root (no `USER`, or `USER 0`) \
          then refuses to start. An explicit `false` is left to its author.",
    fix: |file, d| set(file, d, "runAsNonRoot", "true", Safety::Unsafe),
};

/// K8S025: `capabilities.drop: [ALL]`.
pub static CAPABILITIES_NOT_DROPPED: Fixer = Fixer {
    code: "K8S025",
    family: "kubernetes",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `capabilities: {drop: [ALL]}` to the container's securityContext \
          (`drop: [ALL]` beside capabilities it adds). Unsafe: a process running as root loses the rights it \
          may use (changing file owners, binding a port below 1024). A `drop` list written without `ALL` is \
          left to its author.",
    fix: |file, d| set(file, d, "drop", "[ALL]", Safety::Unsafe),
};

/// K8S026: `readOnlyRootFilesystem: true`.
pub static WRITABLE_ROOT_FILESYSTEM: Fixer = Fixer {
    code: "K8S026",
    family: "kubernetes",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `readOnlyRootFilesystem: true` to the container's securityContext. \
          Unsafe: an application that writes files (a cache, `/tmp`, a PID file) fails until an `emptyDir` is \
          mounted where it writes, which gen cannot know.",
    fix: |file, d| set(file, d, "readOnlyRootFilesystem", "true", Safety::Unsafe),
};

/// K8S027: `automountServiceAccountToken: false`.
pub static SERVICE_ACCOUNT_TOKEN_MOUNTED: Fixer = Fixer {
    code: "K8S027",
    family: "kubernetes",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `automountServiceAccountToken: false` to the pod spec. Unsafe: an \
          application that calls the Kubernetes API with its in-cluster credentials (an operator, a controller, \
          a client that reads ConfigMaps) loses them.",
    fix: |file, d| set(file, d, "automountServiceAccountToken", "false", Safety::Unsafe),
};

/// The edit that writes `leaf` at the finding's route, which must end in `field`.
fn set(file: &FileText<'_>, d: &Diagnostic, field: &str, leaf: &str, safety: Safety) -> Option<Fix> {
    let route = d.subject.route.as_ref()?;
    let segments = route.segments();
    if !matches!(segments.last(), Some(Segment::Key(k)) if k == field) {
        return None;
    }
    let yaml = file.yaml()?;
    let root = yaml.doc_at(d.span?.start)?;
    let bare = &file.text[yaml.bom..];
    let (at, lines) = yaml_edit::ensure(bare, root, segments, leaf, yaml_edit::indent_unit(bare, root))?;
    Some(Fix::new(safety, vec![Edit::insert(yaml.bom + at, lines)]))
}

fn seccomp_unconfined(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let route = d.subject.route.as_ref()?;
    let segments = route.segments();
    let profile = segments.iter().position(|s| matches!(s, Segment::Key(k) if k == "seccompProfile"))?;
    let yaml = file.yaml()?;
    let root = yaml.doc_at(d.span?.start)?;
    let bare = &file.text[yaml.bom..];
    // Only a profile that is not written at all: `Unconfined` is a choice.
    if segments[..=profile].iter().try_fold(root, |n, s| n.child(s).map(|(c, _)| c)).is_some() {
        return None;
    }
    let mut path = segments[..=profile].to_vec();
    path.push(Segment::Key("type".to_string()));
    let (at, lines) = yaml_edit::ensure(bare, root, &path, "RuntimeDefault", yaml_edit::indent_unit(bare, root))?;
    Some(Fix::new(Safety::Safe, vec![Edit::insert(yaml.bom + at, lines)]))
}
