use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::Capability;
use crate::spec::{Loaded, Spec};

declare_rule! {
    /// ## What it does
    /// Reports a service whose image is on Docker Hub (`image.repository: docker.io/...`)
    /// and that runs on a cloud Kubernetes cluster (AKS, EKS). The pipeline pushes it there
    /// with a token, but gen renders no `imagePullSecret`: the cluster's nodes pull it
    /// anonymously. On ECS the tasks pull with Docker Hub's credentials, and a cluster on this
    /// machine gets the image gen builds there, so neither is reported.
    ///
    /// ## Why it matters
    /// A private repository answers an anonymous pull with "not found": every pod stays in
    /// `ImagePullBackOff`. A public one works, within Docker Hub's limit on anonymous pulls
    /// per address, which every node behind one NAT gateway shares.
    ///
    /// ## Example
    /// ```yaml
    /// platform: {aws: {eks: {name: shop}}}
    /// services:
    ///   - name: api
    ///     image: {repository: docker.io/acme/api}
    /// ```
    ///
    /// ## How to fix
    /// Keep the repository public, or leave `image.repository` out: gen then pushes to the
    /// platform's own registry, which the nodes pull from with their identity.
    pub static RULE = ("SPEC193", "docker-hub-pulled-anonymously", Warning);
}

/// Whether the spec's values run on a Kubernetes cluster in a cloud.
fn cloud_cluster(spec: &Spec) -> bool {
    spec.platform.target.spec().capabilities().contains(&Capability::Kubernetes)
        && !spec.platform.on().on_this_machine()
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    // Each environment on a cloud cluster, as the message names it (a spec without
    // environments has one, undeclared: its cluster).
    let clusters: Vec<String> = spec
        .environments
        .iter()
        .filter(|e| cloud_cluster(&e.spec(spec).spec))
        .map(|e| if e.declared { format!("environment `{}`'s cluster", e.name) } else { "its cluster".into() })
        .collect();
    if clusters.is_empty() {
        return;
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let Some(image) = service.image.as_ref().filter(|i| i.on_docker_hub()) else { continue };
        let repository = image.repository.as_deref().unwrap_or_default();
        let message = format!(
            "service `{}`'s image is on Docker Hub (`{repository}`), and the nodes of {} pull it anonymously: gen renders \
             no pull secret, so a private repository leaves its pods in ImagePullBackOff",
            service.name,
            clusters.join(", ")
        );
        out.push(spec.at(&RULE, &service_path(i, &["image", "repository"]), true, message).help(
            "keep the repository public, or leave `image.repository` out (gen pushes to the platform's own registry)",
        ));
    }
}
