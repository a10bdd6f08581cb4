//! Which platforms a render renders for: the spec as written's and each environment's, each
//! with the capabilities it has for its spec. A file's declared platforms and capabilities
//! (`blueprint::Selector`) are held against them before its `when` is evaluated.

use super::Deployed;
use crate::blueprint::{FileEntry, Judged, Scope};
use crate::platform::{self, Capability};
use crate::spec::{Loaded, Spec};

/// A platform the render renders for: its target and what it can do for its spec.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct OnPlatform {
    pub(super) target: &'static str,
    pub(super) capabilities: Vec<Capability>,
}

impl OnPlatform {
    /// The platform `spec` (a spec as written, or an environment's) runs on, with what it can
    /// do for that spec: the platform that read its block, built in or added at run time.
    pub(super) fn of(spec: &Spec) -> OnPlatform {
        let on = spec.platform.on();
        OnPlatform { target: on.name(), capabilities: platform::capabilities_on(spec) }
    }
}

/// The platforms of one render: the spec as written's and each environment's, in order.
pub(super) struct Platforms {
    pub(super) spec: OnPlatform,
    pub(super) environments: Vec<OnPlatform>,
    /// Whether the spec lists its environments (else it has one, the spec as written).
    pub(super) declared: bool,
}

impl Platforms {
    pub(super) fn of(loaded: &Loaded) -> Platforms {
        let environments = loaded.environments.iter().map(|e| OnPlatform::of(&e.spec(loaded).spec)).collect();
        let declared = loaded.environments.iter().any(|e| e.declared);
        Platforms { spec: OnPlatform::of(&loaded.spec), environments, declared }
    }

    /// Which environments a file (rendered for environment `env`, when per environment) is
    /// deployed to on its own: its environment's; none for what the spec as written renders
    /// when each environment patches it (`for: spec`); else those whose platform it is for.
    pub(super) fn deployed(&self, file: &FileEntry, env: Option<usize>) -> Deployed {
        if !self.declared {
            return Deployed::Everywhere;
        }
        let sel = &file.select;
        match (file.scope, env) {
            (Scope::Environment | Scope::ServiceEnvironment, Some(e)) => Deployed::In(vec![e]),
            _ if sel.judged == Some(Judged::Spec) => Deployed::Nowhere,
            _ if sel.is_open() => Deployed::Everywhere,
            _ => {
                let on: Vec<usize> = (0..self.environments.len())
                    .filter(|&e| sel.admits(self.environments[e].target, &self.environments[e].capabilities))
                    .collect();
                if on.len() == self.environments.len() { Deployed::Everywhere } else { Deployed::In(on) }
            }
        }
    }

    /// Whether `file` renders: for a file rendered per environment, on environment `env`'s
    /// platform; otherwise on the spec's, or on any environment's, as the file says.
    pub(super) fn admit(&self, file: &FileEntry, env: Option<usize>) -> bool {
        let sel = &file.select;
        if sel.is_open() {
            return true;
        }
        let admits = |p: &OnPlatform| sel.admits(p.target, &p.capabilities);
        match (file.scope, env) {
            (Scope::Environment | Scope::ServiceEnvironment, Some(i)) => self.environments.get(i).is_some_and(admits),
            _ => match sel.judged.unwrap_or_default() {
                Judged::Spec => admits(&self.spec),
                Judged::Environments => self.environments.iter().any(admits),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::blueprint::Catalog;

    fn base_targets(platforms: &Platforms, scope: Scope, env: Option<usize>) -> Vec<String> {
        let catalog = Catalog::load(&[] as &[&str], &crate::lint::family_names(), platform::Known::builtin())
            .expect("the built-in blueprints load");
        let base = catalog.base();
        base.files.iter().filter(|f| f.scope == scope && platforms.admit(f, env)).map(|f| f.target.clone()).collect()
    }

    /// ECS on Fargate, say: containers run, a pipeline deploys them, no Kubernetes anywhere
    /// (the reference platform's name, so that its Terraform files are admitted).
    fn without_kubernetes() -> OnPlatform {
        OnPlatform {
            target: platform::reference().name(),
            capabilities: vec![Capability::Terraform, Capability::CloudPipeline, Capability::Gitops],
        }
    }

    #[test]
    fn a_platform_without_kubernetes_renders_no_chart_manifest_or_argo_cd_object() {
        let platforms =
            Platforms { spec: without_kubernetes(), environments: vec![without_kubernetes()], declared: true };
        let mut rendered = Vec::new();
        for scope in [Scope::Project, Scope::Service] {
            rendered.extend(base_targets(&platforms, scope, None));
        }
        for scope in [Scope::Environment, Scope::ServiceEnvironment] {
            rendered.extend(base_targets(&platforms, scope, Some(0)));
        }
        let kubernetes: Vec<&String> = rendered
            .iter()
            .filter(|t| ["chart/", "values/", "manifests/", "argocd/"].iter().any(|dir| t.starts_with(dir)))
            .collect();
        assert!(kubernetes.is_empty(), "{kubernetes:?}");
        // What needs no cluster still renders: the workflow, Terraform, the README.
        for wanted in
            [".github/workflows/<@ service.name | segment @>.yml", "terraform/main.tf", "<@ gen.readme | segment @>"]
        {
            assert!(rendered.iter().any(|t| t == wanted), "{wanted} in {rendered:?}");
        }
    }

    #[test]
    fn the_chart_follows_the_spec_as_written_and_an_overlay_its_environment() {
        let laptop = platform::PLATFORMS.iter().find(|p| p.on_this_machine()).expect("a platform on this machine");
        let kube = OnPlatform { target: laptop.name(), capabilities: vec![Capability::Kubernetes] };
        let platforms =
            Platforms { spec: without_kubernetes(), environments: vec![without_kubernetes(), kube], declared: true };
        let service = base_targets(&platforms, Scope::Service, None);
        assert!(!service.iter().any(|t| t.starts_with("values/")), "{service:?}");
        let project = base_targets(&platforms, Scope::Project, None);
        assert!(!project.iter().any(|t| t.starts_with("chart/")), "{project:?}");
        let overlays = base_targets(&platforms, Scope::ServiceEnvironment, Some(1));
        assert!(overlays.iter().any(|t| t.starts_with("manifests/overlays/")), "{overlays:?}");
        assert!(base_targets(&platforms, Scope::ServiceEnvironment, Some(0)).is_empty());
    }
}
