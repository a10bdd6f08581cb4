use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::route;
use crate::spec::Loaded;
use crate::spec::model::{Deploy, RouteKind};
use crate::spec::rules::service_path;

declare_rule! {
    /// ## What it does
    /// Reports, on ECS (`platform.aws.ecs`), what a spec can say that ECS services on Fargate
    /// cannot do as gen renders them: a volume (`persistence`), an `egress` list, an HTTPRoute
    /// (`ingress.route: httproute`), an ingress without TLS (`ingress.tls: false`) or without
    /// the Route 53 zone (`platform.aws.dns`), `pipeline.deploy: gitops`, resource limits
    /// larger than any Fargate task, and an image repository outside the account's ECR.
    ///
    /// ## Why it matters
    /// - **Volumes:** Fargate mounts no block volume: a task's only lasting storage is EFS, a
    ///   network file system many tasks write at once, where the file locks SQLite and DuckDB
    ///   rely on are not safe. A service with a volume runs on EKS (a disk one pod mounts), or
    ///   keeps its data in a managed database.
    /// - **Egress:** a task's security group also carries its image pulls, its logs and its
    ///   secrets (ECR, CloudWatch Logs and Secrets Manager over HTTPS through the NAT
    ///   gateway), so it cannot be narrowed to the listed ranges; the tasks' way out is the
    ///   VPC's.
    /// - **Routes and TLS:** the project's one load balancer serves each host over HTTPS with
    ///   an ACM certificate, which Route 53 validates, and redirects HTTP: there is no Gateway
    ///   for an HTTPRoute, and no host served in plain HTTP. A path is a listener rule's
    ///   pattern, which refuses `!(),;=%` and reads `*` and `?` as wildcards.
    /// - **GitOps:** no Argo CD runs without Kubernetes; the pipeline deploys each release.
    /// - **Size:** a task gets the smallest Fargate size that holds the container's limits;
    ///   Fargate's largest is 16 vCPU and 120 GiB.
    /// - **Registry:** the pipeline pushes to and signs in the account's ECR (the tasks pull
    ///   with their execution role) or Docker Hub (`docker.io/NAMESPACE/NAME`: the pipeline
    ///   signs in with a token, the tasks pull with the credentials of a Secrets Manager
    ///   secret). Another registry's sign-in and pull credentials are not rendered.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: notes
    ///     persistence: {size: 1Gi, mountPath: /data}
    /// ```
    ///
    /// ## How to fix
    /// Remove the key, or run the services on EKS (`platform.aws.eks`).
    pub static RULE = ("SPEC192", "ecs-cannot-run", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    if block.ecs.is_none() {
        return;
    }
    let on_eks = "or run the services on EKS (`platform.aws.eks`)";
    if spec.spec.pipeline.deploy == Deploy::Gitops {
        out.push(
            spec.at(
                &RULE,
                &route!["pipeline", "deploy"],
                false,
                "`pipeline.deploy: gitops` on ECS: no Argo CD runs without Kubernetes",
            )
            .help(format!("remove it (the pipeline deploys each release to ECS), {on_eks}")),
        );
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let name = &service.name;
        let mut refuse = |rest: &[&str], message: String, help: String| {
            let at = service_path(i, rest);
            let at = if spec.doc.root.lookup(&at).is_some() { at } else { service_path(i, &[rest[0]]) };
            out.push(spec.at(&RULE, &at, true, message).help(help));
        };
        // A repository elsewhere than the account's ECR and Docker Hub: the pipeline's sign-in
        // and the task's pull credentials are those two registries' alone.
        let registry = format!("{}/", block.registry());
        if let Some(image) = service.image.as_ref()
            && let Some(repository) = image.repository.as_deref()
            && !repository.starts_with(&registry)
            && !image.on_docker_hub()
        {
            refuse(
                &["image", "repository"],
                format!(
                    "service `{name}`'s image is pushed to `{repository}`, and on ECS gen renders the pipeline's sign-in and \
                     the tasks' pulls for the account's ECR ({registry}...) and Docker Hub ({}/...) alone",
                    crate::spec::model::DOCKER_HUB
                ),
                format!(
                    "remove `image.repository` (gen makes the service's ECR repository), write a Docker Hub repository as \
                     `{}/NAMESPACE/NAME`, or run the services on EKS",
                    crate::spec::model::DOCKER_HUB
                ),
            );
        }
        let limits = &service.resources.limits;
        if aws::fargate_size(&limits.cpu, &limits.memory).is_none() {
            refuse(
                &["resources", "limits"],
                format!(
                    "service `{name}` may use {} CPU and {} of memory, and no Fargate task holds that: 16 vCPU and 120 \
                     GiB at most",
                    limits.cpu, limits.memory
                ),
                format!("lower its limits, {on_eks}"),
            );
        }
        if service.persistence.is_some() {
            refuse(
                &["persistence"],
                format!(
                    "service `{name}` has a volume, and on ECS a Fargate task's only lasting storage is EFS, a network file \
                     system where SQLite's and DuckDB's file locks are not safe"
                ),
                format!("keep its data in a managed database, {on_eks}"),
            );
        }
        if !service.egress.is_empty() {
            refuse(
                &["egress"],
                format!(
                    "service `{name}` lists its `egress`, and on ECS a task's security group also carries its image \
                     pulls, logs and secrets over HTTPS: it cannot be narrowed to the list"
                ),
                format!("remove `egress` (the tasks reach out through the VPC's NAT gateway), {on_eks}"),
            );
        }
        let Some(ingress) = &service.ingress else { continue };
        if ingress.route == Some(RouteKind::Httproute) {
            refuse(
                &["ingress", "route"],
                format!(
                    "service `{name}` asks for an HTTPRoute, and on ECS there is no Gateway: the load balancer routes by host and path"
                ),
                "remove `route: httproute`".into(),
            );
        }
        if !ingress.tls {
            refuse(
                &["ingress", "tls"],
                format!(
                    "service `{name}` asks for its host without TLS, and on ECS the load balancer serves every host over HTTPS and redirects HTTP"
                ),
                "remove `tls: false`".into(),
            );
        }
        // A listener rule's path pattern: ALB refuses these characters, and reads `*` and `?`
        // as wildcards.
        if let Some(c) = ingress.path.chars().find(|c| "!(),;=%*?".contains(*c)) {
            refuse(
                &["ingress", "path"],
                format!(
                    "service `{name}`'s path `{}` has `{c}`, which the load balancer's path patterns refuse (`!`, `(`, `)`, \
                     `,`, `;`, `=`, `%`) or read as a wildcard (`*`, `?`)",
                    ingress.path
                ),
                "write the path with letters, digits and `_-.$/~\"'@:+&` alone".into(),
            );
        }
        if block.dns.is_none() {
            refuse(
                &["ingress"],
                format!(
                    "service `{name}` has an ingress, and on ECS its HTTPS certificate is validated in the Route 53 zone, \
                     which `platform.aws.dns` does not name"
                ),
                "name the public hosted zone the hosts are in: `platform: {aws: {dns: {zone: example.com}}}`".into(),
            );
        }
    }
}
