//! What the readers found in a repository: each value with the file and line it came from and
//! the kind of file that said it, so that a conflict names both sources and a stated rule picks
//! one.

use std::collections::BTreeMap;
use std::fmt;

/// Where a value was read: a file relative to the repository, and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    pub file: String,
    pub line: usize,
}

impl Origin {
    pub fn new(file: &str, line: usize) -> Origin {
        Origin { file: file.to_string(), line }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The kind of file a value came from. When two kinds disagree, the one that says what runs
/// where the service is deployed wins ([`Kind::rank`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    Git,
    Code,
    Dockerfile,
    Compose,
    Workflow,
    Terraform,
    Helm,
    Kubernetes,
}

impl Kind {
    /// Higher wins a conflict: the cluster's own manifests, then the chart's values, then what
    /// Terraform creates and the pipeline uses, then the image (what is deployed), then compose
    /// (how it runs on a laptop: `APP_ENV=development` there does not undo the image's
    /// `APP_ENV=production`), then the code.
    fn rank(self) -> u8 {
        match self {
            Kind::Git => 0,
            Kind::Code => 1,
            Kind::Compose => 2,
            Kind::Dockerfile => 3,
            Kind::Workflow => 4,
            Kind::Terraform => 5,
            Kind::Helm => 6,
            Kind::Kubernetes => 7,
        }
    }

    /// Why a value of this kind wins, for the conflict's report.
    pub fn why(self) -> &'static str {
        match self {
            Kind::Kubernetes => "the cluster's manifests are what runs",
            Kind::Helm => "the chart's values are what the cluster runs",
            Kind::Terraform => "Terraform creates what is deployed",
            Kind::Workflow => "the pipeline deploys with it",
            Kind::Compose => "compose is how it runs on a laptop",
            Kind::Dockerfile => "the image is what is deployed",
            Kind::Code => "the code's own default",
            Kind::Git => "the repository's own",
        }
    }
}

/// One value read, with where it came from.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact<T> {
    pub value: T,
    pub from: Origin,
    pub kind: Kind,
}

/// Every value read for one setting, in the order read.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts<T>(pub Vec<Fact<T>>);

impl<T> Default for Facts<T> {
    fn default() -> Self {
        Facts(Vec::new())
    }
}

impl<T: Clone + PartialEq + fmt::Display> Facts<T> {
    pub fn add(&mut self, value: T, from: Origin, kind: Kind) {
        self.0.push(Fact { value, from, kind });
    }

    /// The value written: the first read of the highest-ranked kind.
    pub fn pick(&self) -> Option<&Fact<T>> {
        self.0.iter().rev().max_by_key(|f| f.kind.rank())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values that disagree with the one written, one per value.
    pub fn conflicts(&self) -> Vec<&Fact<T>> {
        let Some(chosen) = self.pick() else { return Vec::new() };
        let mut out: Vec<&Fact<T>> = Vec::new();
        for f in &self.0 {
            if f.value != chosen.value && !out.iter().any(|o| o.value == f.value) {
                out.push(f);
            }
        }
        out
    }

    /// Moves every value of `other` in.
    pub fn merge(&mut self, other: Facts<T>) {
        self.0.extend(other.0);
    }
}

/// What the repository says of one service.
#[derive(Clone, Debug, Default)]
pub struct Service {
    /// The name it goes by where it was found (a Deployment, a chart, a compose service).
    pub name: Facts<String>,
    pub port: Facts<u16>,
    pub replicas: Facts<u32>,
    pub cpu_request: Facts<String>,
    pub memory_request: Facts<String>,
    pub cpu_limit: Facts<String>,
    pub memory_limit: Facts<String>,
    pub liveness: Facts<String>,
    pub readiness: Facts<String>,
    /// Plain settings, by name; values that look like credentials never get here.
    pub env: BTreeMap<String, Facts<String>>,
    /// Credentials, by name: the value is never kept.
    pub secret_env: BTreeMap<String, Origin>,
    /// Env a file takes from the shell that runs it (compose's `${VAR}`): (name, variable,
    /// where); its value is not in the repository.
    pub unset_env: Vec<(String, String, Origin)>,
    pub host: Facts<String>,
    pub path: Facts<String>,
    pub tls: Facts<bool>,
    pub strip_prefix: Facts<bool>,
    pub min_replicas: Facts<u32>,
    pub max_replicas: Facts<u32>,
    pub cpu_utilization: Facts<u32>,
    pub volume_size: Facts<String>,
    pub mount_path: Facts<String>,
    pub access_mode: Facts<String>,
    /// The code's folder, relative to the repository.
    pub source: Facts<String>,
    /// gunicorn's WSGI app, `module:callable`.
    pub entrypoint: Facts<String>,
    /// The requirements file, relative to the repository (made relative to `source` when written).
    pub requirements: Facts<String>,
    pub python: Facts<String>,
    /// Things read that the spec has no field for, said as comments under the service.
    pub remarks: Vec<(String, Origin)>,
    /// Things the writer must mark as TODO for this service.
    pub todos: Vec<String>,
    /// The folder its image is built from (a compose build context, a Dockerfile's folder).
    pub build_context: Option<String>,
    /// The Dockerfile it is built with, when known.
    pub dockerfile: Option<String>,
    /// The images it runs (to tell a dependency such as postgres from the service).
    pub images: Vec<String>,
    /// The entry module named by a command (`python run.py`, `FLASK_APP=x.py`) whose callable
    /// the code must tell, with the folder it runs in.
    pub entry_module: Option<(String, Origin)>,
    /// What the Dockerfile copies: (source in the repository, destination in the image, where).
    pub copies: Vec<(String, String, Origin)>,
    /// The final stage's working directory in the image.
    pub workdir: Option<String>,
    /// Scripts the image starts through (`ENTRYPOINT ["docker-entrypoint.sh"]`), by the name
    /// the Dockerfile gives, with where: what they run before the app is read from them.
    pub entry_scripts: Vec<(String, Origin)>,
    /// Steps the image runs besides the app (a migration before it starts, a script while it
    /// is built): gen's image runs gunicorn only.
    pub startup: Vec<(String, Origin)>,
    /// The labels the team's Deployment selects its pods by: immutable, so gen's chart, which
    /// selects by its own, cannot upgrade that Deployment in place.
    pub selector: Option<Selector>,
    /// The folder of the chart it is deployed with, when a chart names it.
    pub chart: Option<String>,
}

/// A Deployment's pod selector, as the team's files write it.
#[derive(Clone, Debug, PartialEq)]
pub struct Selector {
    /// Literal labels; `None` as a value: the Helm release's name (`{{ .Release.Name }}`).
    pub labels: BTreeMap<String, Option<String>>,
    pub at: Origin,
    /// The Deployment's name; `None`: the chart's full name, from its release.
    pub deployment: Option<String>,
    pub namespace: Option<String>,
}

/// A step of the team's workflows that deploys (`helm upgrade --install`, `kubectl apply`).
#[derive(Clone, Debug, PartialEq)]
pub struct DeployStep {
    /// The command as written, on one line.
    pub command: String,
    pub at: Origin,
    /// Helm's release and chart (`helm upgrade --install RELEASE CHART`).
    pub release: Option<String>,
    pub chart: Option<String>,
    /// `kubectl apply -k DIR` / `-f PATH`: what it applies, and whether it is a kustomization.
    pub applies: Option<String>,
    pub kustomize: bool,
    pub namespace: Option<String>,
}

impl Service {
    /// Moves everything `other` says into this service.
    pub fn merge(&mut self, other: Service) {
        self.name.merge(other.name);
        self.port.merge(other.port);
        self.replicas.merge(other.replicas);
        self.cpu_request.merge(other.cpu_request);
        self.memory_request.merge(other.memory_request);
        self.cpu_limit.merge(other.cpu_limit);
        self.memory_limit.merge(other.memory_limit);
        self.liveness.merge(other.liveness);
        self.readiness.merge(other.readiness);
        for (k, v) in other.env {
            self.env.entry(k).or_default().merge(v);
        }
        self.unset_env.extend(other.unset_env);
        for (k, v) in other.secret_env {
            self.secret_env.entry(k).or_insert(v);
        }
        self.host.merge(other.host);
        self.path.merge(other.path);
        self.tls.merge(other.tls);
        self.strip_prefix.merge(other.strip_prefix);
        self.min_replicas.merge(other.min_replicas);
        self.max_replicas.merge(other.max_replicas);
        self.cpu_utilization.merge(other.cpu_utilization);
        self.volume_size.merge(other.volume_size);
        self.mount_path.merge(other.mount_path);
        self.access_mode.merge(other.access_mode);
        self.source.merge(other.source);
        self.entrypoint.merge(other.entrypoint);
        self.requirements.merge(other.requirements);
        self.python.merge(other.python);
        self.remarks.extend(other.remarks);
        self.todos.extend(other.todos);
        self.build_context = self.build_context.take().or(other.build_context);
        self.dockerfile = self.dockerfile.take().or(other.dockerfile);
        self.images.extend(other.images);
        self.entry_module = self.entry_module.take().or(other.entry_module);
        self.copies.extend(other.copies);
        self.workdir = self.workdir.take().or(other.workdir);
        self.entry_scripts.extend(other.entry_scripts);
        self.startup.extend(other.startup);
        self.selector = self.selector.take().or(other.selector);
        self.chart = self.chart.take().or(other.chart);
    }

    /// An env entry: a credential's name goes to `secret_env` (the value is dropped), any
    /// other to `env`.
    pub fn add_env(&mut self, name: &str, value: &str, from: Origin, kind: Kind) {
        if is_secret(name, value) {
            self.secret_env.entry(name.to_string()).or_insert(from);
        } else {
            self.env.entry(name.to_string()).or_default().add(value.to_string(), from, kind);
        }
    }

    /// A name the env takes from a secret: its value is not in the repository.
    pub fn add_secret(&mut self, name: &str, from: Origin) {
        self.env.remove(name);
        self.secret_env.entry(name.to_string()).or_insert(from);
    }
}

/// Whether an env entry is a credential: its name is built on a credential word (`PASSWORD`,
/// `SECRET_KEY`, `TOKEN`, `API_KEY`...), or ends in `DSN`, or its value carries one (a URL with a
/// password, a generated key).
pub fn is_secret(name: &str, value: &str) -> bool {
    use crate::text::credentials::{credential_word, looks_like_key, url_with_password};
    let upper = name.to_ascii_uppercase();
    credential_word(name).is_some()
        || upper.ends_with("DSN")
        || upper.ends_with("_KEY")
        || upper == "KEY"
        || url_with_password(value)
        || looks_like_key(value)
}

/// What the repository says of the platform.
#[derive(Clone, Debug, Default)]
pub struct Platform {
    pub repository: Facts<String>,
    pub branch: Facts<String>,
    /// Where the repository shows Azure (Terraform's azurerm, a workflow's azure/login).
    pub azure: Vec<Origin>,
    /// Where it shows AWS (Terraform's aws provider, an ECS task definition, aws-actions).
    pub aws: Vec<Origin>,
    /// Where it shows a cluster on a laptop (minikube, kind).
    pub local: Vec<(String, Origin)>,
    pub location: Facts<String>,
    pub resource_group: Facts<String>,
    pub aks_name: Facts<String>,
    pub kubernetes_version: Facts<String>,
    pub vm_size: Facts<String>,
    pub min_count: Facts<u32>,
    pub max_count: Facts<u32>,
    pub node_count: Facts<u32>,
    pub disk_size_gb: Facts<u32>,
    pub acr_name: Facts<String>,
    pub acr_sku: Facts<String>,
    pub dns_zone: Facts<String>,
    pub state_resource_group: Facts<String>,
    pub state_storage_account: Facts<String>,
    pub state_container: Facts<String>,
    /// The team's state key (`key` of its azurerm backend): never gen's, whose state it is not.
    pub state_key: Facts<String>,
    /// The host a DNS zone was guessed from (its first label taken off) when no file names a
    /// zone: no file states it, so it is the user's to confirm.
    pub dns_zone_guessed_from: Option<(String, Origin)>,
    /// What only the user can say of the platform (tfvars of environments that disagree).
    pub todos: Vec<String>,
    /// The team's workflow steps that deploy.
    pub deploy_steps: Vec<DeployStep>,
}

/// Everything read from a repository.
#[derive(Clone, Debug, Default)]
pub struct Repository {
    pub platform: Platform,
    pub services: Vec<Service>,
    /// Services the repository runs beside its own (a database image): not gen services.
    pub dependencies: Vec<(String, Origin)>,
    /// Services it builds that are not the web app (a compose worker): not merged into one.
    pub workers: Vec<(String, Origin)>,
    /// The repository's name (`.git/config`'s origin, else the folder's).
    pub name: Facts<String>,
    /// What was skipped or could not be told, for stderr.
    pub notes: Vec<String>,
    /// How many files were read.
    pub read: usize,
}
