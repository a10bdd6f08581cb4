use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::Document;

declare_rule! {
    /// ## What it does
    /// Reports a pod volume of type `hostPath`: a file or folder of the node mounted into the
    /// pod.
    ///
    /// Pod Security Standards, baseline: "HostPath Volumes". checkov: CKV_K8S_27 (the Docker
    /// socket in particular); trivy: KSV023 (and KSV006 for the Docker socket). (Restricted volume types other than hostPath
    /// are K8S021's.)
    ///
    /// ## Why it matters
    /// The pod reads, and unless mounted read-only writes, the node's files: its
    /// credentials, the container runtime's socket, other pods' data. The pod also becomes
    /// tied to what one node has on disk. A namespace enforcing the baseline profile refuses
    /// the pod.
    ///
    /// ## Example
    /// ```yaml
    /// volumes:
    ///   - name: docker
    ///     hostPath: {path: /var/run/docker.sock}
    /// ```
    ///
    /// ## How to fix
    /// Use an `emptyDir` for scratch space, a ConfigMap or Secret for configuration, a
    /// PersistentVolumeClaim for data.
    pub static RULE = ("K8S014", "host-path-volume", Error);
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Some(pod) = object.pod() else { continue };
        for (volume, route) in pod.volumes() {
            let Some(host_path) = &volume.host_path else { continue };
            let message = format!(
                "volume `{}` of {} mounts the node's `{}` into the pod",
                volume.name,
                object.title(),
                host_path.path
            );
            out.push(
                object
                    .at(&RULE, &route.with("hostPath"), message)
                    .help("use an emptyDir, a ConfigMap or Secret, or a PersistentVolumeClaim instead"),
            );
        }
    }
}
