use std::collections::HashMap;

use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::{aws, cluster_creator};
use crate::spec::Loaded;
use crate::spec::model::Deploy;
use crate::spec::rules::environment_setting;

/// The longest name IAM gives a role.
const ROLE_NAME_MAX: usize = 64;
/// The longest IngressGroup name the AWS Load Balancer Controller takes
/// (`alb.ingress.kubernetes.io/group.name`).
const GROUP_NAME_MAX: usize = 63;

declare_rule! {
    /// ## What it does
    /// Reports an environment on AWS that runs on the EKS cluster of an earlier one (the same
    /// `platform.aws.eks.name`, account and region) in a way gen cannot render: with
    /// `platform.aws` values that differ from that environment's, in a namespace a service of
    /// the other environment is in, with `pipeline.deploy: gitops`, or with a name that makes
    /// its deploy role's name (`<cluster>-<environment>-deploy`) longer than IAM's 64
    /// characters or the name of another environment's deploy role, or its
    /// load balancer's Ingress group (`<project>-<environment>`) longer
    /// than the 63 the AWS Load Balancer Controller takes.
    ///
    /// ## Why it matters
    /// Several environments on one cluster share it: the first environment that names the
    /// cluster creates it in its Terraform workspace, and every later one on it gets its
    /// namespaces, its deploy role and its access entry, its certificates and its backups
    /// there, and nothing else. So the cluster's values (its network, its node group, its
    /// endpoint, its admins, the zone and the alert addresses) are that environment's: a later
    /// environment that wrote others would believe in a cluster nobody makes. Two
    /// environments' releases in one namespace would overwrite each other, and the deploy role
    /// of each may write in its own namespaces alone. With GitOps, each environment's Argo CD
    /// project and Applications are named for a cluster of its own and would replace each
    /// other's in the one Argo CD: not a path gen renders yet. Each environment on the cluster
    /// has a load balancer of its own for its Ingresses (the Ingress group
    /// `<project>-<environment>`), so that one's routes never touch the other's.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {eks: {name: shop}, network: {cidr: 10.30.0.0/16}, ...}
    /// environments:
    ///   - name: development
    ///   - name: test   # on development's cluster, in development's namespace `shop`
    /// ```
    ///
    /// ## How to fix
    /// Give each environment on the cluster namespaces of its own
    /// (`environments[].services.<name>.namespace: shop-test`) and keep the cluster's values
    /// as the first environment on it writes them; or give the environment a cluster of its
    /// own (`environments[].platform.aws.eks.name`, and a VPC range of its own beside it).
    pub static RULE = ("SPEC189", "eks-cluster-shared", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    // Per cluster (its creator's index), each namespace with the environment whose services
    // are in it.
    let mut namespaces: HashMap<usize, HashMap<&str, &str>> = HashMap::new();
    for (i, env) in spec.environments.iter().enumerate().filter(|(_, e)| e.target == aws::NAME) {
        let own = &env.spec(spec).spec;
        let Some(block) = aws::of(own) else { continue };
        let Some(eks) = block.eks.as_ref() else { continue };
        let creator = cluster_creator(spec, i);
        let seen = namespaces.entry(creator).or_default();
        if creator != i {
            let first = &spec.environments[creator];
            let cluster = &eks.name;
            let name_at = environment_setting(spec, i, &["platform", aws::NAME, "eks", "name"]);
            if let Some(theirs) = aws::of(&first.spec(spec).spec)
                && let Some(path) = first_difference(block, theirs)
            {
                let written = path.join(".");
                let message = format!(
                    "environment `{}` runs on the EKS cluster `{cluster}`, which `{}` creates, but gives it another \
                     `platform.aws.{written}`: the cluster's values are those of the environment that creates it",
                    env.name, first.name
                );
                let mut route = vec!["platform", aws::NAME];
                route.extend(path.iter().map(String::as_str));
                let at = environment_setting(spec, i, &route);
                out.push(spec.at(&RULE, &at, false, message).help(format!(
                    "drop `{written}` from `{}`'s platform, or give `{}` a cluster of its own \
                     (`platform.aws.eks.name`, and its own `network.cidr`)",
                    env.name, env.name
                )));
            }
            if own.pipeline.deploy == Deploy::Gitops {
                let message = format!(
                    "environments `{}` and `{}` deploy with GitOps to one EKS cluster `{cluster}`: each one's Argo CD \
                     project and Applications are named for a cluster of its own, and would replace the other's",
                    first.name, env.name
                );
                out.push(spec.at(&RULE, &name_at, false, message).help(format!(
                    "give `{}` a cluster of its own (`platform.aws.eks.name`), or deploy with `pipeline.deploy: helm`",
                    env.name
                )));
            }
            // A name the environment gives something past what AWS takes, at its name.
            let refuse_at_name = |out: &mut Diagnostics, message: String, help: &str| {
                out.push(spec.at(&RULE, &crate::route!["environments", i, "name"], false, message).help(help));
            };
            let group = format!("{}-{}", own.metadata.name, env.name);
            if group.len() > GROUP_NAME_MAX {
                let message = format!(
                    "the load balancer of environment `{}` on `{}`'s cluster, the Ingress group `{group}`, is named \
                     with {} characters: the AWS Load Balancer Controller takes {GROUP_NAME_MAX} at most",
                    env.name,
                    first.name,
                    group.len()
                );
                refuse_at_name(
                    out,
                    message,
                    "give the environment a shorter name, or the project a shorter `metadata.name`",
                );
            }
            let role = deploy_role(spec, i, cluster);
            // Another environment of the account whose deploy role has the name: a cluster's
            // own (`<cluster>-deploy`), or another guest's.
            let same = spec.environments.iter().enumerate().find(|(j, other)| {
                // (Two guests: reported at the later one.)
                *j != i
                    && (*j < i || cluster_creator(spec, *j) == *j)
                    && other.target == aws::NAME
                    && aws::of(&other.spec(spec).spec).is_some_and(|o| {
                        o.account_id == block.account_id
                            && o.eks.as_ref().is_some_and(|e| deploy_role(spec, *j, &e.name) == role)
                    })
            });
            if let Some((_, other)) = same {
                let message = format!(
                    "the deploy role of environment `{}` on `{}`'s cluster, `{role}`, is the name of the deploy role \
                     of `{}`: IAM holds one role of a name in an account",
                    env.name, first.name, other.name
                );
                refuse_at_name(
                    out,
                    message,
                    "give the environment another name, or one of the clusters another `platform.aws.eks.name`",
                );
            }
            if role.len() > ROLE_NAME_MAX {
                let message = format!(
                    "the deploy role of environment `{}` on `{}`'s cluster, `{role}`, is {} characters: IAM takes \
                     {ROLE_NAME_MAX} at most",
                    env.name,
                    first.name,
                    role.len()
                );
                refuse_at_name(
                    out,
                    message,
                    "give the environment a shorter name, or the cluster a shorter `platform.aws.eks.name`",
                );
            }
        }
        for service in &own.services {
            let Some(namespace) = service.namespace.as_deref() else { continue };
            match seen.get(namespace) {
                Some(other) if *other != env.name => {
                    let message = format!(
                        "environments `{other}` and `{}` both deploy into the namespace `{namespace}` of the EKS cluster \
                         `{}`: the releases of one would overwrite the other's",
                        env.name, eks.name
                    );
                    let at = environment_setting(spec, i, &["services", &service.name, "namespace"]);
                    out.push(spec.at(&RULE, &at, false, message).help(format!(
                        "give `{}` a namespace of its own in `{}` (`services: {{{}: {{namespace: {namespace}-{}}}}}`), \
                         or the environment a cluster of its own (`platform.aws.eks.name`)",
                        service.name, env.name, service.name, env.name
                    )));
                }
                Some(_) => {}
                None => {
                    seen.insert(namespace, env.name.as_str());
                }
            }
        }
    }
}

/// The name of the deploy role of the environment at `index`, on the cluster `cluster`:
/// `<cluster>-deploy` where its Terraform creates the cluster, else `<cluster>-<env>-deploy`.
fn deploy_role(spec: &Loaded, index: usize, cluster: &str) -> String {
    if cluster_creator(spec, index) == index {
        format!("{cluster}-deploy")
    } else {
        format!("{cluster}-{}-deploy", spec.environments[index].name)
    }
}

/// The first key (with its key under `eks`, `network`...) whose value two AWS blocks give
/// differently.
fn first_difference(ours: &aws::Spec, theirs: &aws::Spec) -> Option<Vec<String>> {
    let (ours, theirs) = (serde_json::to_value(ours).ok()?, serde_json::to_value(theirs).ok()?);
    let (ours, theirs) = (ours.as_object()?, theirs.as_object()?);
    let mut keys: Vec<&String> = ours.keys().chain(theirs.keys()).collect();
    keys.sort_unstable();
    keys.dedup();
    let key = keys.into_iter().find(|k| ours.get(*k) != theirs.get(*k))?;
    let mut path = vec![key.clone()];
    if let (Some(a), Some(b)) = (ours.get(key).and_then(|v| v.as_object()), theirs.get(key).and_then(|v| v.as_object()))
    {
        let mut sub: Vec<&String> = a.keys().chain(b.keys()).collect();
        sub.sort_unstable();
        sub.dedup();
        if let Some(k) = sub.into_iter().find(|k| a.get(*k) != b.get(*k)) {
            path.push(k.clone());
        }
    }
    Some(path)
}
