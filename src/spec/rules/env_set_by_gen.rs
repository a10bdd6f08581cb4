use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a service's `env` entry whose name gen's own containers set: `PORT` (the
    /// service's port), `CPU_LIMIT_MILLICORES` (the CPU limit, from the downward API),
    /// `FORWARDED_PREFIX` (the path prefix the route strips, when it strips one),
    /// `PROXY_SETS_HOST` (on ECS, for a service with an ingress: whether the proxy sets
    /// X-Forwarded-Host), and a name the service also lists in `secretEnv`. In an
    /// environment's override too.
    ///
    /// ## Why it matters
    /// The spec's `env` reaches the container through a ConfigMap (`envFrom`), and a
    /// variable the container names itself (`env`) wins over it: the value written in the
    /// spec would be silently dropped, and the service would run with gen's.
    ///
    /// ## Example
    /// ```yaml
    /// port: 5000
    /// env: {PORT: "8000"}
    /// ```
    ///
    /// ## How to fix
    /// Set what gen derives the variable from instead (`port:`, `resources.limits.cpu`,
    /// `ingress.path`), keep a secret in `secretEnv` alone, or give the variable another name.
    pub static RULE = ("SPEC144", "env-set-by-gen", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let on_ecs = crate::platform::aws::of(&spec.spec).is_some_and(|aws| aws.ecs.is_some());
    for (i, svc) in spec.spec.services.iter().enumerate() {
        // The prefix a route strips, as the templates set FORWARDED_PREFIX: the path without
        // its trailing `/`, when that leaves one.
        let strips = svc.ingress.as_ref().is_some_and(|r| r.strip_prefix && !r.path.trim_end_matches('/').is_empty());
        for name in svc.env.keys() {
            let (what, instead) = match name.as_str() {
                "PORT" => ("the service's port", "set `port:` instead".to_string()),
                "CPU_LIMIT_MILLICORES" => {
                    ("the container's CPU limit", "set `resources.limits.cpu` instead".to_string())
                }
                "FORWARDED_PREFIX" if strips => {
                    ("the path prefix the route strips", "set `ingress.path` instead".to_string())
                }
                "PROXY_SETS_HOST" if on_ecs && svc.ingress.is_some() => (
                    "`false`: the load balancer on ECS sets no X-Forwarded-Host",
                    "the service reads the Host header there".to_string(),
                ),
                _ if svc.secret_env.contains(name) => (
                    "the value of the service's Secret, as `secretEnv` lists it",
                    format!("keep `{name}` in `secretEnv` alone, its value in the Secret `{}-env`", svc.name),
                ),
                _ => continue,
            };
            let message = format!(
                "gen sets `{name}` in service `{}`'s container to {what}, which replaces this value: it would never reach the service",
                svc.name
            );
            out.push(
                spec.at(&RULE, &service_path(i, &["env", name]), true, message)
                    .help(format!("remove `{name}` from `env`: {instead}, or name the variable otherwise")),
            );
        }
    }
}
