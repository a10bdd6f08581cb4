//! What a service's workflow does, decided once per render rather than worked out in the
//! template: which environments it deploys to and in which order, from which registry, and
//! its deploy jobs with their ids and what each waits for.

use minijinja::Value;

use crate::blueprint::ServiceBlueprint;
use crate::platform::{self, Capability};
use crate::spec::Loaded;
use crate::spec::model::Deploy;

/// The `pipeline` value templates read:
/// - `declared`: whether the spec lists environments;
/// - `environments`: those the pipeline deploys to, in the spec's order (each environment's
///   value, as in `environments`), the first holding the registry;
/// - `registry`: the spec of the environment whose registry the image is pushed to;
/// - `offPipeline`: whether some environment is deployed from a laptop, not by the pipeline;
/// - `deploys`: the deploy jobs in order, each with its `job` id, its `environment` (none
///   without environments), the `githubEnvironment` it runs in (`production` unless the spec
///   names one) and the `previous` job it waits for (none for the first);
/// - `deployJobs`: their ids;
/// - `baseImages`: the base images (`name:tag`) some service pins by digest, each once, for the
///   refresh workflow;
/// - `baseImageServices`: each service whose blueprint can pin its base image by digest, pinned
///   or not: its `service` name, the `param` that pins it and the `image` (`name:tag`), for the
///   refresh workflow to move each pin and propose the first (what it renders stays the same
///   when a pin is added, so that the refresh never changes a workflow);
/// - `unpinnedBaseImages`: whether some service's base image follows its tag where its
///   blueprint could pin it;
/// - `testedBlueprints`: the blueprints whose services the project's test job tests (those
///   whose `runtime` has a `test`), each once, in the order of their first service. Worked
///   out here once, not by each service's workflow over every service: that made a
///   1,000-service render a thousand times a thousand steps.
pub(super) fn pipeline_value(loaded: &Loaded, services: &[ServiceBlueprint<'_>], environments: &[Value]) -> Value {
    let cloud: Vec<(usize, &Value)> = loaded
        .environments
        .iter()
        .zip(environments)
        .enumerate()
        .filter(|(_, (env, _))| {
            let spec = &env.spec(loaded).spec;
            platform::capabilities_on(spec).contains(&Capability::CloudPipeline)
        })
        .map(|(i, (_, value))| (i, value))
        .collect();
    let declared = loaded.environments.first().is_some_and(|e| e.declared);
    let kind = match loaded.spec.pipeline.deploy {
        Deploy::Gitops => "release",
        Deploy::Helm => "deploy",
    };
    let registry = cloud.first().map_or(Value::from(()), |(_, env)| env.get_attr("spec").unwrap_or_default());
    let jobs: Vec<(String, Value)> = if declared {
        cloud.iter().map(|(i, value)| (format!("{kind}-{}", loaded.environments[*i].name), (*value).clone())).collect()
    } else {
        vec![(kind.to_string(), Value::from(()))]
    };
    // Every deploy job runs in a GitHub environment, whose protection rules gate it and whose
    // name is the subject its identity trusts: the environment's, or the one environment's.
    let github_environment = |env: &Value| {
        let env = if env.is_none() { environments.first().cloned().unwrap_or_default() } else { env.clone() };
        env.get_attr("githubEnvironment").unwrap_or_default()
    };
    let deploys: Vec<Value> = jobs
        .iter()
        .enumerate()
        .map(|(n, (job, env))| {
            let previous = n.checked_sub(1).map_or(Value::from(()), |p| Value::from(jobs[p].0.as_str()));
            Value::from_pairs([
                ("job", Value::from(job.as_str())),
                ("environment", env.clone()),
                ("githubEnvironment", github_environment(env)),
                ("previous", previous),
            ])
        })
        .collect();
    let mut base_images: Vec<String> = Vec::new();
    let mut pinnable: Vec<Value> = Vec::new();
    let mut unpinned = false;
    let mut tested: Vec<&str> = Vec::new();
    for ((bp, params), svc) in services.iter().zip(&loaded.spec.services) {
        if bp.runtime.test.is_some() && !tested.contains(&bp.name.as_str()) {
            tested.push(&bp.name);
        }
        let Some(base) = bp.runtime.base_image.as_ref() else { continue };
        let image = base.for_params(params);
        if image.digest.is_some() && !base_images.contains(&image.reference) {
            base_images.push(image.reference.clone());
        }
        unpinned |= image.digest.is_none() && base.digest_param.is_some();
        if let Some(param) = &base.digest_param {
            pinnable.push(Value::from_pairs([
                ("service", Value::from(svc.name.as_str())),
                ("param", Value::from(param.as_str())),
                ("image", Value::from(image.reference)),
            ]));
        }
    }
    Value::from_pairs([
        ("baseImages", Value::from(base_images)),
        ("baseImageServices", Value::from(pinnable)),
        ("unpinnedBaseImages", Value::from(unpinned)),
        ("testedBlueprints", Value::from(tested.into_iter().map(Value::from).collect::<Vec<_>>())),
        ("declared", Value::from(declared)),
        ("environments", Value::from(cloud.iter().map(|(_, v)| (*v).clone()).collect::<Vec<_>>())),
        ("registry", registry),
        // Which registries the services' images are in: Docker Hub (a token signs in), the
        // platform's own (its identities sign in).
        (
            "dockerHub",
            Value::from(loaded.spec.services.iter().any(|s| s.image.as_ref().is_some_and(|i| i.on_docker_hub()))),
        ),
        (
            "ownRegistry",
            Value::from(loaded.spec.services.iter().any(|s| !s.image.as_ref().is_some_and(|i| i.on_docker_hub()))),
        ),
        ("offPipeline", Value::from(cloud.len() < loaded.environments.len())),
        ("deployJobs", Value::from(jobs.iter().map(|(j, _)| Value::from(j.as_str())).collect::<Vec<_>>())),
        ("deploys", Value::from(deploys)),
    ])
}
