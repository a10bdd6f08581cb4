//! The template context: the values every template reads (the spec, its platform, the
//! environments, the place), built once per render and shared by every file.

use minijinja::Value;
use minijinja::value::Serde;

use super::plan::{Place, RenderError};
use crate::blueprint::{Blueprint, Catalog, ServiceBlueprint, resolve_params};
use crate::diag::Findings;
use crate::spec::Loaded;
use crate::spec::model::DEFAULT_GITHUB_ENVIRONMENT;

/// The template context: the spec's value is built once and shared (a minijinja value is a
/// reference-counted handle), so a context costs the same for the thousandth service as for
/// the first. A service's context holds the service, its params and its blueprint's
/// `runtime`, for the base blueprint's files as for its own, and `serviceIndex`, its place in
/// the spec's list, the same in every environment's spec (`registry.services[serviceIndex]`:
/// a lookup by name would cost each service the length of the list); an environment's, the
/// environment.
pub(super) fn context(
    shared: &[(&'static str, Value)],
    bp: &Blueprint,
    service: Option<(&[Value; 3], usize)>,
    env: Option<&Value>,
) -> Value {
    let blueprint = Value::from(Serde(serde_json::json!({"name": bp.name, "version": bp.version})));
    let mut entries: Vec<(&str, Value)> = shared.to_vec();
    entries.push(("blueprint", blueprint));
    if let Some(env) = env {
        entries.push(("environment", env.clone()));
    }
    if let Some(([svc, params, runtime], index)) = service {
        entries.push(("service", svc.clone()));
        entries.push(("params", params.clone()));
        entries.push(("runtime", runtime.clone()));
        entries.push(("serviceIndex", Value::from(index)));
    }
    Value::from_pairs(entries)
}

/// The target block of a spec's platform, with the target's name: what a template reads
/// whatever the target (`platform.target`, `platform.ingress.className`). For an
/// environment's files (`environment`: `None` for the spec's own, the name of one it
/// declares), also what the platform works out for that environment.
pub(super) fn platform_value(spec: &crate::spec::Spec, environment: Option<Option<&str>>) -> Value {
    let p = &spec.platform;
    let target = p.target.spec();
    let mut block = target.context();
    let name = p.target_name();
    if let Some(map) = block.as_object_mut() {
        map.insert("target".into(), name.into());
        map.insert("imagePullPolicy".into(), target.image_pull_policy().into());
        map.insert("singleNode".into(), target.single_node().into());
        map.insert("backupsInCluster".into(), target.backups_in_cluster().into());
        map.insert("shutdownDelaySeconds".into(), target.shutdown_delay_seconds().into());
        let (metrics, logs) = crate::platform::observability_stacks(spec);
        map.insert("prometheus".into(), crate::platform::prometheus_value(target, metrics));
        map.insert("observability".into(), crate::platform::observability_value(metrics, logs));
        let capabilities = crate::platform::capabilities_on(spec);
        map.insert("capabilities".into(), capabilities.iter().map(|c| c.name()).collect::<Vec<_>>().into());
        if let Some(environment) = environment {
            map.extend(target.environment_context(&spec.metadata.name, environment));
        }
    }
    Value::from(Serde(block))
}

/// What templates know of each environment: its name, whether the spec lists it, its
/// target, its GitHub environment, whether it is the first on its target, the environment
/// whose Terraform creates its cluster (`cluster`: its own name unless it shares an earlier
/// one's), and its whole spec
/// (`spec`, the value its own files get), so that a file rendered once can read any
/// environment's values (the registry of the first on azure, each one's cluster).
pub(super) fn environment_values(loaded: &Loaded, specs: &[Value]) -> Vec<Value> {
    let envs = &loaded.environments;
    envs.iter()
        .zip(specs)
        .enumerate()
        .map(|(i, (env, spec_value))| {
            let spec = &env.spec(loaded).spec;
            let github_environment = spec
                .platform
                .github
                .as_ref()
                .and_then(|g| g.environment.clone())
                .unwrap_or_else(|| if env.declared { env.name.clone() } else { DEFAULT_GITHUB_ENVIRONMENT.into() });
            Value::from_pairs([
                ("name", Value::from(env.name.as_str())),
                ("declared", Value::from(env.declared)),
                ("platform", Value::from(env.target)),
                ("index", Value::from(i)),
                ("first", Value::from(!envs[..i].iter().any(|e| e.target == env.target))),
                ("githubEnvironment", Value::from(github_environment)),
                ("cluster", Value::from(envs[crate::platform::cluster_creator(loaded, i)].name.as_str())),
                ("spec", spec_value.clone()),
                // What its files read as `platform`: the block and what the platform works out.
                ("context", platform_value(spec, Some(env.declared.then_some(env.name.as_str())))),
            ])
        })
        .collect()
}

/// The values a template's context starts from, by name.
pub(super) type Shared = Vec<(&'static str, Value)>;

/// An environment's spec, services' params and shared values, for the files rendered per
/// environment.
pub(super) struct EnvContext<'l, 'c> {
    pub(super) loaded: &'l Loaded,
    /// The services' blueprints and params in this environment; `None` where the environment
    /// changes nothing (the spec's own).
    pub(super) services: Option<Vec<ServiceBlueprint<'c>>>,
    pub(super) shared: Shared,
    /// What templates know of the environment (`environment`).
    pub(super) value: Value,
}

/// Every context a render starts from: the project's and each environment's.
pub(super) struct Contexts<'l, 'c> {
    pub(super) shared: Shared,
    pub(super) per_env: Vec<EnvContext<'l, 'c>>,
}

impl<'l, 'c> Contexts<'l, 'c> {
    /// Builds the shared values once for a render of `loaded`, whose services use `services`.
    pub(super) fn build(
        loaded: &'l Loaded,
        catalog: &'c Catalog,
        services: &[ServiceBlueprint<'c>],
        place: &Place,
    ) -> Result<Self, RenderError> {
        // Each environment's spec, built once: the undeclared one's is the spec itself.
        let top_spec = Value::from(Serde(loaded.spec.as_ref()));
        let env_specs: Vec<Value> = loaded
            .environments
            .iter()
            .map(|e| e.loaded.as_deref().map_or_else(|| top_spec.clone(), |l| Value::from(Serde(l.spec.as_ref()))))
            .collect();
        let env_values = environment_values(loaded, &env_specs);
        let mut targets: Vec<&str> = loaded.environments.iter().map(|e| e.target).collect();
        targets.sort_unstable();
        targets.dedup();
        // What each blueprint the services use promises (its `runtime`), for the files that
        // cover every service: `runtimes[service.blueprint]`.
        let runtimes: serde_json::Map<String, serde_json::Value> = services
            .iter()
            .map(|(bp, _)| (bp.name.clone(), serde_json::to_value(&bp.runtime).unwrap_or_default()))
            .collect();
        let shared = vec![
            ("spec", top_spec.clone()),
            ("platform", platform_value(&loaded.spec, None)),
            ("environments", Value::from(env_values.clone())),
            ("targets", Value::from(Serde(&targets))),
            ("runtimes", Value::from(Serde(&runtimes))),
            // Each service's runtime for its own params (its request timeout, say), by name,
            // for the files that cover every service: `serviceRuntimes[service.name]`.
            ("serviceRuntimes", service_runtimes(&loaded.spec.services, services)),
            ("pipeline", super::workflow::pipeline_value(loaded, services, &env_values)),
            ("stacks", Value::from(Serde(crate::platform::stacks_value(&loaded.spec)))),
            (
                "gen",
                Value::from(Serde(serde_json::json!({
                    "version": env!("CARGO_PKG_VERSION"),
                    "spec": place.spec_name,
                    "specPath": place.spec,
                    // The lock of `pipeline.gen` (install: wheel), beside the spec, from the
                    // repository's root.
                    "lockPath": match place.spec.rsplit_once('/') {
                        Some((dir, _)) => format!("{dir}/{}", loaded.spec.pipeline.gen_source.lock),
                        None => loaded.spec.pipeline.gen_source.lock.clone(),
                    },
                    "out": place.out,
                    "prefix": place.prefix(),
                    "readme": place.readme(),
                    // From the output folder up to the repository's root (`.` when it is the
                    // root): a local script's build context when a service's code is its own.
                    "toRoot": place.to_root(),
                    "code": code_folders(&loaded.spec.services, services, place),
                }))),
            ),
        ];
        // Each environment's spec, platform and params, for the files rendered per environment.
        let base_platform = platform_value(&loaded.spec, None);
        let mut per_env = Vec::new();
        for ((env, value), env_spec) in loaded.environments.iter().zip(&env_values).zip(&env_specs) {
            let env_loaded = env.spec(loaded);
            let env_services = match &env.loaded {
                None => None,
                Some(l) => Some(
                    resolve_params(l, catalog)
                        .map_err(|d| RenderError::Invalid(Findings::new([loaded.source().clone()], d)))?,
                ),
            };
            // `base`: the spec as written, before the environment's overrides (what an overlay
            // patches), and `basePlatform` what its files read as `platform`.
            let mut env_shared = shared.clone();
            env_shared[0] = ("spec", env_spec.clone());
            env_shared[1] =
                ("platform", platform_value(&env_loaded.spec, Some(env.declared.then_some(env.name.as_str()))));
            if let (Some(l), Some(env_services)) = (&env.loaded, &env_services)
                && let Some(slot) = env_shared.iter_mut().find(|(name, _)| *name == "serviceRuntimes")
            {
                slot.1 = service_runtimes(&l.spec.services, env_services);
            }
            env_shared.push(("base", top_spec.clone()));
            env_shared.push(("basePlatform", base_platform.clone()));
            per_env.push(EnvContext {
                loaded: env_loaded,
                services: env_services,
                shared: env_shared,
                value: value.clone(),
            });
        }
        Ok(Contexts { shared, per_env })
    }
}

/// Each service's runtime for its params, by service name.
fn service_runtimes(services: &[crate::spec::model::Service], blueprints: &[ServiceBlueprint<'_>]) -> Value {
    let map: serde_json::Map<String, serde_json::Value> = services
        .iter()
        .zip(blueprints)
        .map(|(svc, (bp, params))| {
            (svc.name.clone(), serde_json::to_value(bp.runtime.for_params(params)).unwrap_or_default())
        })
        .collect();
    Value::from(Serde(&map))
}

/// Where each service's code is, by service name: `dir`, its folder from the repository's root
/// (`.` for the root), and `prefix`, the same as a prefix of paths (`` or `dir/`); `own`,
/// whether it is the team's own (`source:`), built with the repository's root as the context,
/// or gen's scaffold in `services/<name>/` of the output, its own context; `locks`, for code of
/// its own, the locks its blueprint installs from it (`runtime.source`), from its folder.
fn code_folders(
    services: &[crate::spec::model::Service],
    blueprints: &[ServiceBlueprint<'_>],
    place: &Place,
) -> serde_json::Value {
    services
        .iter()
        .zip(blueprints)
        .map(|(svc, (bp, params))| {
            let dir = match &svc.source {
                Some(source) => place.from_spec_dir(source),
                None => format!("{}{}", place.prefix(), super::service_folder(&svc.name)),
            };
            let prefix = if dir == "." { String::new() } else { format!("{dir}/") };
            let locks = match (&svc.source, &bp.runtime.source) {
                (Some(_), Some(recipe)) => recipe.locks_for(params),
                _ => Vec::new(),
            };
            let value = serde_json::json!({"dir": dir, "prefix": prefix, "own": svc.source.is_some(), "locks": locks});
            (svc.name.clone(), value)
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}
