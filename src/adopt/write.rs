//! The spec written from what the readers found: gen's commented style, each inferred value
//! with a trailing `# from FILE:LINE`, each conflict said above its value (both sources and
//! which won, and why), and each thing only the user can say a `# TODO(gen init --from): ...` at
//! its place. Every value from the repository goes through the YAML quoting filter; every
//! comment through the prose filter (one line, nothing hidden).

use std::collections::BTreeMap;
use std::fmt::Display;

use super::model::{DeployStep, Fact, Facts, Kind, Platform, Repository, Service};
use crate::platform::{self, Platform as _};
use crate::render::filters::{text as prose, yaml_quote};

/// The marker of what gen could not infer.
pub const TODO: &str = "TODO(gen init --from)";

/// A scalar value as written in the spec.
#[derive(Clone, Debug)]
pub enum Scalar {
    Str(String),
    Int(u64),
    Bool(bool),
}

impl Scalar {
    fn yaml(&self) -> String {
        match self {
            Scalar::Str(s) => yaml_quote(s),
            Scalar::Int(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }
}

impl From<String> for Scalar {
    fn from(s: String) -> Self {
        Scalar::Str(s)
    }
}
impl From<&str> for Scalar {
    fn from(s: &str) -> Self {
        Scalar::Str(s.to_string())
    }
}
impl From<u16> for Scalar {
    fn from(n: u16) -> Self {
        Scalar::Int(n.into())
    }
}
impl From<u32> for Scalar {
    fn from(n: u32) -> Self {
        Scalar::Int(n.into())
    }
}
impl From<bool> for Scalar {
    fn from(b: bool) -> Self {
        Scalar::Bool(b)
    }
}

/// What a refused line becomes: nothing (its block goes, children too), or a default.
#[derive(Clone, Debug)]
pub enum Fallback {
    Omit,
    Default(String),
}

/// One line of the spec.
#[derive(Clone, Debug)]
pub struct Line {
    pub indent: usize,
    /// `key: value`, `key:`, `- value`, or a whole comment (`# ...`).
    pub body: String,
    pub comment: Option<String>,
    /// What the line becomes when gen refuses it; `None`: it cannot be refused (structure).
    pub fallback: Option<Fallback>,
}

/// The spec as lines, before it is settled.
#[derive(Clone, Debug, Default)]
pub struct Doc {
    pub lines: Vec<Line>,
    /// Conflicts between sources, for stderr.
    pub conflicts: Vec<String>,
    /// How many values were inferred.
    pub inferred: usize,
}

impl Doc {
    fn push(&mut self, indent: usize, body: impl Into<String>, comment: Option<String>, fallback: Option<Fallback>) {
        self.lines.push(Line { indent, body: body.into(), comment: comment.map(|c| prose(&c)), fallback });
    }

    /// A comment line.
    pub fn note(&mut self, indent: usize, text: &str) {
        for part in wrap(&prose(text), 96usize.saturating_sub(indent)) {
            self.push(indent, format!("# {part}"), None, None);
        }
    }

    /// A TODO at its place.
    pub fn todo(&mut self, indent: usize, text: &str) {
        for (i, part) in wrap(&prose(text), 96usize.saturating_sub(indent + TODO.len())).into_iter().enumerate() {
            let body = if i == 0 { format!("# {TODO}: {part}") } else { format!("#   {part}") };
            self.push(indent, body, None, None);
        }
    }

    /// `key:` opening a block that goes whole when gen refuses it.
    fn block(&mut self, indent: usize, key: &str) {
        self.push(indent, format!("{key}:"), None, Some(Fallback::Omit));
    }

    /// `key:` that is structure.
    fn fixed_block(&mut self, indent: usize, key: &str) {
        self.push(indent, format!("{key}:"), None, None);
    }

    /// `key: value` of gen's own (not from the repository), with a comment.
    fn fixed(&mut self, indent: usize, key: &str, value: &str, comment: Option<&str>) {
        self.push(indent, format!("{key}: {value}"), comment.map(String::from), None);
    }

    /// `key: value` of a default gen writes, with why.
    fn gen_default(&mut self, indent: usize, key: &str, value: Scalar, comment: &str) {
        let body = format!("{key}: {}", value.yaml());
        self.push(indent, body, Some(comment.into()), Some(Fallback::Omit));
    }

    /// The value of `facts` at `key` (the chosen one, with its source and any conflict), or
    /// `otherwise` when the repository says nothing.
    fn fact<T>(&mut self, indent: usize, key: &str, facts: &Facts<T>, fallback: Fallback) -> bool
    where
        T: Clone + PartialEq + Display + Into<Scalar>,
    {
        let Some(chosen) = facts.pick() else { return false };
        self.conflict(indent, key, facts, chosen);
        let body = format!("{key}: {}", chosen.value.clone().into().yaml());
        self.push(indent, body, Some(format!("from {}", chosen.from)), Some(fallback));
        self.inferred += 1;
        true
    }

    fn conflict<T: Clone + PartialEq + Display>(
        &mut self,
        indent: usize,
        key: &str,
        facts: &Facts<T>,
        chosen: &Fact<T>,
    ) {
        let others = facts.conflicts();
        if others.is_empty() {
            return;
        }
        let said: Vec<String> = std::iter::once(chosen)
            .chain(others.iter().copied())
            .map(|f| format!("{} says {}", f.from, f.value))
            .collect();
        // A reason for each other kind of source (one of the same kind as the written value's
        // lost by the order they are read in, which the service's remarks say).
        let mut losers: Vec<&str> = Vec::new();
        for why in others.iter().map(|f| f.kind.why()).filter(|w| *w != chosen.kind.why()) {
            if !losers.contains(&why) {
                losers.push(why);
            }
        }
        let over = if losers.is_empty() { String::new() } else { format!(" (over: {})", losers.join("; ")) };
        let text = format!(
            "{key}: the sources disagree: {}; {} is written: {}{over}",
            said.join(", "),
            chosen.value,
            chosen.kind.why(),
        );
        self.conflicts.push(text.clone());
        self.note(indent, &text);
    }

    /// The spec's text with the lines in `refused` (by index) turned into TODOs that say why
    /// gen refused them, and for each output line the index of the line it came from.
    pub fn render(&self, refused: &BTreeMap<usize, String>) -> (String, Vec<usize>) {
        let mut out = String::new();
        let mut from = Vec::new();
        let mut skip_deeper: Option<usize> = None;
        for (i, line) in self.lines.iter().enumerate() {
            if let Some(depth) = skip_deeper {
                if line.indent > depth {
                    continue;
                }
                skip_deeper = None;
            }
            let pad = " ".repeat(line.indent);
            let mut emit = |body: &str, comment: Option<&str>| {
                out.push_str(&pad);
                out.push_str(body);
                if let Some(c) = comment {
                    out.push_str("   # ");
                    out.push_str(c);
                }
                out.push('\n');
                from.push(i);
            };
            match (refused.get(&i), &line.fallback) {
                (Some(why), Some(fallback)) => {
                    let what = line.body.trim_start_matches("- ");
                    let source = line.comment.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
                    let text = prose(&format!("gen refuses `{what}`{source}: {why}"));
                    for (n, part) in
                        wrap(&text, 96usize.saturating_sub(line.indent + TODO.len())).into_iter().enumerate()
                    {
                        let body = if n == 0 { format!("# {TODO}: {part}") } else { format!("#   {part}") };
                        emit(&body, None);
                    }
                    match fallback {
                        Fallback::Omit => skip_deeper = Some(line.indent),
                        Fallback::Default(text) => emit(text, Some("gen's default, until the TODO above is settled")),
                    }
                }
                _ => emit(&line.body, line.comment.as_deref()),
            }
        }
        (out, from)
    }
}

/// Splits prose into lines of about `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(40);
    let mut lines = vec![String::new()];
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let last = lines.last_mut().expect("one line at least");
        if !last.is_empty() && last.chars().count() + 1 + word.chars().count() > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// How the spec is to be written: the project's name and where the repository is.
pub struct Options<'a> {
    /// `--name`, when given.
    pub name: Option<&'a str>,
    /// The folder read, as the user named it.
    pub from: &'a str,
    /// The spec's folder, relative to the repository (`.` at its root): `source:` is written
    /// relative to it.
    pub spec_dir: &'a str,
}

/// The spec for a repository.
pub fn write(repo: &Repository, options: &Options<'_>) -> Doc {
    let mut doc = Doc::default();
    doc.note(0, "yaml-language-server: $schema=spec.schema.json");
    doc.note(0, "(write the schema beside this file with `gen schema > spec.schema.json` for editor help)");
    doc.note(
        0,
        &format!(
            "A gen project spec, written by `gen init --from {}` from the repository's own files: each value it read \
             says where (`# from FILE:LINE`), each conflict between files is said above its value, and each \
             `{TODO}` is what only you can say. Settle them, then `gen render` this file. Every key is documented \
             in the JSON Schema (`gen schema`); rules in `gen explain`.",
            options.from
        ),
    );
    doc.fixed(0, "apiVersion", "gen/v1", None);
    doc.fixed(0, "kind", "Project", None);
    doc.fixed_block(0, "metadata");
    let project = project_name(repo, options);
    doc.push(2, format!("name: {}", yaml_quote(&project.0)), Some(project.1), None);
    doc.push(2, "description: \"A Flask service adopted by gen init --from\"", None, None);
    for (what, from) in &repo.dependencies {
        doc.note(
            0,
            &format!("{from} runs {what}: not a gen service; run it beside the cluster, or as a managed service"),
        );
    }
    platform(&mut doc, repo, &project.0);
    doc.push(0, "", None, None);
    doc.fixed_block(0, "services");
    if repo.services.is_empty() {
        doc.todo(
            2,
            "no service found (no Deployment, chart, compose service, Dockerfile or Flask app): the service below is \
             gen's example; point its source at the code",
        );
        let s = Service::default();
        service(&mut doc, &s, &project.0, repo, options.spec_dir);
    }
    for (what, from) in &repo.workers {
        doc.todo(
            2,
            &format!(
                "{from}: {what}: it is not merged into a service, and its env is not carried over; gen's flask \
                 blueprint serves HTTP only: keep running it as it runs now"
            ),
        );
    }
    for s in &repo.services {
        service(&mut doc, s, &project.0, repo, options.spec_dir);
    }
    doc
}

/// The project's name and where it came from.
fn project_name(repo: &Repository, options: &Options<'_>) -> (String, String) {
    if let Some(n) = options.name {
        return (n.to_string(), "given with --name".into());
    }
    match repo.name.pick() {
        Some(f) => match super::label(&f.value) {
            Some(l) if f.from.line == 0 => (l, "the repository folder's name".into()),
            Some(l) => (l, format!("from {} (the repository's name)", f.from)),
            None => ("service".into(), format!("`{}` ({}) is no DNS label: gen's placeholder", f.value, f.from)),
        },
        None => ("service".into(), "gen's placeholder".into()),
    }
}

fn platform(doc: &mut Doc, repo: &Repository, project: &str) {
    let p = &repo.platform;
    let azure = !p.azure.is_empty();
    doc.push(0, "", None, None);
    doc.fixed_block(0, "platform");
    for t in &p.todos {
        doc.todo(2, t);
    }
    if azure {
        azure_block(doc, p, project);
    } else {
        if let Some(aws) = p.aws.first() {
            doc.todo(
                2,
                &format!(
                    "{aws} deploys to AWS, which is not a gen platform yet: the services are written for a local \
                     cluster (minikube) until it is; keep the AWS deployment as it is meanwhile"
                ),
            );
        } else {
            doc.note(
                2,
                "No Terraform or workflow shows a cloud: the services run on a local cluster (minikube). For AKS, \
                 write `azure:` here (`gen init --platform azure` shows every key).",
            );
        }
        doc.fixed_block(2, platform::local::PLATFORM.name());
        let local = p.local.first();
        let comment = local.map(|(what, from)| format!("from {from} ({what})"));
        doc.fixed(4, "cluster", "minikube", comment.as_deref().or(Some("minikube | kind")));
        doc.fixed(4, "domain", "localhost", Some("hosts are <service>.localhost on this machine"));
    }
    if let Some(repo_fact) = p.repository.pick() {
        doc.fixed_block(2, "github");
        doc.fact(4, "repository", &p.repository, Fallback::Omit);
        let _ = repo_fact;
        if !doc.fact(4, "branch", &p.branch, Fallback::Default("branch: \"main\"".into())) {
            doc.todo(
                4,
                "no workflow that deploys on push names its branch: `main` is written; write the branch that deploys",
            );
            doc.fixed(4, "branch", "\"main\"", None);
        }
    } else if azure {
        doc.fixed_block(2, "github");
        doc.todo(4, "no GitHub remote in .git/config: write the repository as OWNER/NAME");
        doc.fixed(4, "repository", &yaml_quote(&format!("acme/{project}")), None);
        if !doc.fact(4, "branch", &p.branch, Fallback::Default("branch: \"main\"".into())) {
            doc.fixed(4, "branch", "\"main\"", Some("gen's default"));
        }
    }
    if azure {
        doc.fixed_block(2, "terraformState");
        let account = format!("{}tfstate", project.replace('-', "").chars().take(17).collect::<String>());
        let teams = [&p.state_key, &p.state_container, &p.state_storage_account].into_iter().find_map(Facts::pick);
        for (key, facts, default, what) in [
            ("resourceGroup", &p.state_resource_group, "tfstate-rg".to_string(), "state resource group"),
            ("storageAccount", &p.state_storage_account, account, "state storage account"),
            ("container", &p.state_container, "tfstate".to_string(), ""),
        ] {
            if key == "container"
                && let Some(at) = teams
            {
                own_state_container(doc, p, project, &at.from);
                continue;
            }
            existing(doc, 4, facts, what, BOOTSTRAP_ROOT);
            let fallback = Fallback::Default(format!("{key}: {}", yaml_quote(&default)));
            if !doc.fact(4, key, facts, fallback) {
                doc.todo(
                    4,
                    &format!("no azurerm backend names the state's {key}: gen's default `{default}` is written"),
                );
                doc.fixed(4, key, &yaml_quote(&default), None);
            }
        }
    }
}

/// gen's roots, as its Terraform README names them: where each of its resources is created.
const BOOTSTRAP_ROOT: &str = "bootstrap root (terraform/bootstrap/)";
const PLATFORM_ROOT: &str = "platform root (terraform/)";
const SHARED_ROOT: &str = "shared root (terraform/shared/)";

/// A TODO above a name read from the team's files for a resource that exists already: gen's
/// Terraform would create one by that name (a clash, or a second resource) unless it is new or
/// imported. Nothing when the repository names none (gen's default is written).
fn existing(doc: &mut Doc, indent: usize, facts: &Facts<String>, what: &str, root: &str) {
    let Some(f) = facts.pick() else { return };
    doc.todo(
        indent,
        &format!(
            "`{}` ({}) names the team's existing {what}: gen's Terraform creates its own by this name in its {root}: \
             choose a new name for a deployment beside the old one and cut over, or import the existing one into \
             that root before its first apply (`import` blocks or `terraform import`)",
            f.value, f.from
        ),
    );
}

/// The state container gen's roots keep their states in, apart from the team's state (read at
/// `at`): gen's keys (`<project>.tfstate`, `-shared`, `-cluster`) in the team's container could
/// be the team's own key, whose state holds resources gen's configuration lacks: gen's first
/// plan on it would destroy them.
fn own_state_container(doc: &mut Doc, p: &Platform, project: &str, at: &super::model::Origin) {
    let theirs = p.state_container.pick().map_or("tfstate", |f| f.value.as_str());
    let own = if theirs == "gen-tfstate" { "gen-state" } else { "gen-tfstate" };
    let key = p.state_key.pick().map_or_else(|| "its key".to_string(), |k| format!("key `{}`", k.value));
    doc.note(
        4,
        &format!(
            "gen keeps its states in a container of its own ({project}.tfstate, {project}-shared.tfstate, \
             {project}-cluster.tfstate), never in the team's state ({key} in container `{theirs}`, {at}): that \
             state holds the team's resources, which gen's configuration lacks, so a plan on it would destroy them"
        ),
    );
    doc.fixed(4, "container", &yaml_quote(own), Some("gen's own, apart from the team's state (see above)"));
}

/// A folder of the repository relative to the spec's folder `spec_dir` (both relative to the
/// repository), or `None` when it is not under it.
fn rebase(folder: &str, spec_dir: &str) -> Option<String> {
    if spec_dir == "." {
        return Some(folder.to_string());
    }
    if folder == spec_dir {
        return Some(".".into());
    }
    folder.strip_prefix(&format!("{spec_dir}/")).map(String::from)
}

/// A name fact, or the reference default with a TODO saying what is missing.
fn named(doc: &mut Doc, indent: usize, key: &str, facts: &Facts<String>, default: &str, what: &str) {
    let fallback = Fallback::Default(format!("{key}: {}", yaml_quote(default)));
    if !doc.fact(indent, key, facts, fallback) {
        doc.todo(indent, &format!("{what}: the reference default `{default}` is written; write yours"));
        doc.push(indent, format!("{key}: {}", yaml_quote(default)), None, None);
    }
}

fn azure_block(doc: &mut Doc, p: &Platform, project: &str) {
    let evidence =
        p.azure.first().map(|o| format!(" ({o} and {} more)", p.azure.len().saturating_sub(1))).unwrap_or_default();
    doc.note(2, &format!("Where the services run: AKS, as the repository's Terraform and workflows show{evidence}."));
    doc.fixed_block(2, platform::azure::PLATFORM.name());
    named(doc, 4, "location", &p.location, "westeurope", "no Terraform names the location");
    existing(doc, 4, &p.resource_group, "resource group", PLATFORM_ROOT);
    named(doc, 4, "resourceGroup", &p.resource_group, &format!("{project}-rg"), "no resource group found");
    doc.fixed_block(4, "aks");
    existing(doc, 6, &p.aks_name, "AKS cluster", PLATFORM_ROOT);
    named(doc, 6, "name", &p.aks_name, &format!("{project}-aks"), "no AKS cluster's name found");
    let version = Fallback::Default("kubernetesVersion: \"1.36\"".into());
    if !doc.fact(6, "kubernetesVersion", &p.kubernetes_version, version) {
        doc.fixed(6, "kubernetesVersion", "\"1.36\"", Some("gen's default: the repository pins none"));
    }
    doc.fixed(6, "systemPool", "{vmSize: Standard_D2ds_v5, count: 3}", Some("gen's default: AKS's add-ons only"));
    doc.fixed_block(6, "nodePool");
    let vm = Fallback::Default("vmSize: \"Standard_D2ds_v5\"".into());
    if !doc.fact(8, "vmSize", &p.vm_size, vm) {
        doc.fixed(8, "vmSize", "Standard_D2ds_v5", Some("gen's default"));
    }
    let (min, max) = match (&p.min_count.pick(), &p.max_count.pick()) {
        (Some(_), Some(_)) => (&p.min_count, &p.max_count),
        _ => (&p.node_count, &p.node_count),
    };
    if !doc.fact(8, "minCount", min, Fallback::Default("minCount: 2".into())) {
        doc.fixed(8, "minCount", "2", Some("gen's default"));
    }
    if !doc.fact(8, "maxCount", max, Fallback::Default("maxCount: 3".into())) {
        doc.fixed(8, "maxCount", "3", Some("gen's default"));
    }
    if !doc.fact(8, "diskSizeGb", &p.disk_size_gb, Fallback::Default("diskSizeGb: 64".into())) {
        doc.fixed(8, "diskSizeGb", "64", Some("gen's default"));
    }
    doc.fixed_block(4, "acr");
    let acr: String = format!("{}acr", project.replace('-', "").chars().take(45).collect::<String>());
    existing(doc, 6, &p.acr_name, "container registry (its name is global)", SHARED_ROOT);
    named(doc, 6, "name", &p.acr_name, &acr, "no container registry found");
    if !doc.fact(6, "sku", &p.acr_sku, Fallback::Default("sku: Standard".into())) {
        doc.fixed(6, "sku", "Standard", Some("gen's default"));
    }
    doc.fixed_block(4, "dns");
    match (&p.dns_zone_guessed_from, p.dns_zone.pick()) {
        (Some((host, from)), Some(zone)) => {
            doc.todo(
                6,
                &format!(
                    "no file names a DNS zone: `{}` is a guess, the host {host} ({from}) without its first label: \
                     gen's Terraform creates and serves this zone in Azure DNS, so its parent must delegate it \
                     there: write the zone you will delegate, or drop dns and list the hosts under externalHosts",
                    zone.value
                ),
            );
            let fallback = Fallback::Default("zone: \"example.com\"".into());
            let comment = format!("a guess from the host at {from}");
            doc.push(6, format!("zone: {}", yaml_quote(&zone.value)), Some(comment), Some(fallback));
        }
        _ => {
            existing(doc, 6, &p.dns_zone, "DNS zone", SHARED_ROOT);
            named(doc, 6, "zone", &p.dns_zone, "example.com", "no DNS zone found");
        }
    }
    doc.fixed(4, "ingress", "{className: nginx}", Some("gen's: ingress-nginx, installed by its Terraform"));
    doc.fixed(4, "identity", "managed-identity", Some("GitHub signs in through OIDC; no stored secret"));
    // gen's Terraform sends the cluster's alerts and the services' SLO pages to these
    // addresses; with none, the spec is refused (SPEC173). No file of a repository says who is
    // on call.
    doc.todo(
        4,
        "no file names who is paged: write the addresses the cluster's alerts and the services' SLO \
         pages go to (an on-call tool's email integration, such as PagerDuty's, pages a phone)",
    );
    doc.fixed(
        4,
        "monitoring",
        "{alertEmails: [on-call@your-team.invalid]}",
        Some("a placeholder, until the TODO above is settled"),
    );
}

/// One service; returns its name.
fn service(doc: &mut Doc, s: &Service, project: &str, repo: &Repository, spec_dir: &str) -> String {
    if doc.lines.last().is_some_and(|l| l.body != "services:") {
        doc.push(0, "", None, None);
    }
    let (name, comment) = match s.name.pick() {
        Some(f) => match super::label(&f.value) {
            Some(l) if l == f.value => (l, format!("from {}", f.from)),
            Some(l) => (l, format!("from {} (`{}`, made a DNS label)", f.from, f.value)),
            None => (project.to_string(), format!("`{}` ({}) is no DNS label: the project's name", f.value, f.from)),
        },
        None => {
            (project.to_string(), "the project's name: no manifest, chart or compose file names the service".into())
        }
    };
    doc.inferred += usize::from(s.name.pick().is_some());
    if let Some(f) = s.name.pick() {
        doc.conflict(2, "name", &s.name, f);
    }
    doc.push(2, format!("- name: {}", yaml_quote(&name)), Some(comment), None);
    doc.fixed(4, "blueprint", "flask", Some("gen's Flask service: gunicorn, a non-root image, probes"));
    for t in &s.todos {
        doc.todo(4, t);
    }
    for (step, from) in &s.startup {
        doc.todo(
            4,
            &format!(
                "{from} runs {step}; gen's image runs gunicorn only, so it will not run: run it as a step of your \
                 own (a Kubernetes Job before the deploy, or the app's start-up code)"
            ),
        );
    }
    takeover(doc, s, &name, repo);
    // The code stays where it is: a folder inside the repository.
    match s.source.pick() {
        Some(f) if f.value.split('/').any(|p| p == "..") || f.value.starts_with('/') => {
            doc.todo(
                4,
                &format!(
                    "the code is in {} ({}), outside the repository: move it in, then write source",
                    f.value, f.from
                ),
            );
        }
        Some(f) => match rebase(&f.value, spec_dir) {
            Some(rel) => {
                let mut relative = Facts::default();
                relative.add(rel, f.from.clone(), f.kind);
                doc.conflict(4, "source", &s.source, f);
                doc.fact(4, "source", &relative, Fallback::Omit);
            }
            None => doc.todo(
                4,
                &format!(
                    "the code is in {} ({}), which is not under the spec's folder {spec_dir}: source is read from the \
                     spec's folder and cannot lead out of it (no `..`): write the spec at the repository's root, or in \
                     a folder that holds the code, then write source",
                    f.value, f.from
                ),
            ),
        },
        None => doc.todo(4, "write source: the folder of the service's code, relative to this file"),
    }
    if !doc.fact(4, "port", &s.port, Fallback::Default("port: 5000".into())) {
        doc.todo(4, "no file says the port the app listens on: 5000 (gen's default) is used; write `port:`");
    }
    if !doc.fact(4, "replicas", &s.replicas, Fallback::Omit) {
        doc.note(4, "replicas: gen's default (2); no manifest, chart or compose file sets it");
    }
    resources(doc, s);
    if !s.min_replicas.is_empty() || !s.max_replicas.is_empty() {
        doc.block(4, "autoscaling");
        if !doc.fact(6, "minReplicas", &s.min_replicas, Fallback::Omit) {
            doc.gen_default(6, "minReplicas", 2u32.into(), "gen's default");
        }
        if !doc.fact(6, "maxReplicas", &s.max_replicas, Fallback::Omit) {
            doc.gen_default(6, "maxReplicas", 5u32.into(), "gen's default");
        }
        if !doc.fact(6, "cpuUtilization", &s.cpu_utilization, Fallback::Omit) {
            doc.gen_default(6, "cpuUtilization", 70u32.into(), "gen's default");
        }
    }
    health(doc, s);
    ingress(doc, s, repo);
    env(doc, s);
    persistence(doc, s);
    params(doc, s);
    for (text, from) in &s.remarks {
        doc.note(4, &format!("{from}: {text}"));
    }
    name
}

/// Whether a team's deploy step deploys `s` (named `name` in the spec): its Helm release or
/// chart is the service's, or what `kubectl apply` applies holds its manifests.
fn deploys(step: &DeployStep, s: &Service, name: &str) -> bool {
    let keys: Vec<String> =
        s.name.0.iter().map(|n| super::key(&n.value)).chain(std::iter::once(super::key(name))).collect();
    let trim = |p: &str| p.trim_start_matches("./").trim_end_matches('/').to_string();
    let last = |p: &str| p.rsplit('/').next().map(super::key).unwrap_or_default();
    step.release.as_deref().is_some_and(|r| keys.contains(&super::key(r)))
        || step
            .chart
            .as_deref()
            .is_some_and(|c| s.chart.as_deref() == Some(trim(c).as_str()) || keys.contains(&last(&trim(c))))
        || step.applies.as_deref().is_some_and(|a| {
            let a = trim(a);
            s.name.0.iter().any(|n| {
                n.kind == Kind::Kubernetes
                    && (a.is_empty() || a == "." || n.from.file == a || n.from.file.starts_with(&format!("{a}/")))
            }) || keys.contains(&last(&a))
        })
}

/// What taking the service over from the team's deployment asks: each team workflow step that
/// deploys it (both would deploy on each push), and, when the team's Deployment selects its
/// pods by other labels than gen's chart does, the cutover (a selector cannot change).
fn takeover(doc: &mut Doc, s: &Service, name: &str, repo: &Repository) {
    let steps = &repo.platform.deploy_steps;
    // A step no service is known by may deploy any of them.
    let mine: Vec<&DeployStep> = steps
        .iter()
        .filter(|step| {
            repo.services.len() <= 1
                || deploys(step, s, name)
                || !repo
                    .services
                    .iter()
                    .any(|other| deploys(step, other, &other.name.pick().map(|n| n.value.clone()).unwrap_or_default()))
        })
        .collect();
    for step in &mine {
        doc.todo(
            4,
            &format!(
                "{}: the team's workflow deploys it (`{}`): retire that step when gen's workflow takes over, or both \
                 deploy it on each push",
                step.at, step.command
            ),
        );
    }
    let Some(selector) = &s.selector else { return };
    let release = mine.iter().find_map(|step| step.release.clone());
    let gens: BTreeMap<String, String> = ["app.kubernetes.io/name", "app.kubernetes.io/instance"]
        .into_iter()
        .map(|k| (k.to_string(), name.to_string()))
        .collect();
    let theirs: BTreeMap<&String, Option<String>> =
        selector.labels.iter().map(|(k, v)| (k, v.clone().or_else(|| release.clone()))).collect();
    let same = theirs.len() == gens.len()
        && theirs.iter().all(|(k, v)| gens.get(*k).is_some_and(|g| v.as_ref().is_none_or(|v| v == g)));
    if same {
        return;
    }
    let shown =
        |labels: Vec<(&String, String)>| labels.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join(", ");
    let their_labels =
        shown(theirs.iter().map(|(k, v)| (*k, v.clone().unwrap_or_else(|| "<release>".into()))).collect());
    let deployment = selector.deployment.clone().or(release).unwrap_or_else(|| name.to_string());
    let namespace = selector
        .namespace
        .clone()
        .or_else(|| mine.iter().find_map(|step| step.namespace.clone()))
        .unwrap_or_else(|| "default".into());
    doc.todo(
        4,
        &format!(
            "{}: the team's Deployment `{deployment}` selects its pods by {{{their_labels}}}, gen's by {{{}}}, and a \
             Deployment's selector cannot change, so gen's first deploy of it in `{namespace}` would fail: deploy gen's \
             beside it (another `namespace:` or name), check it through gen's Gateway, point the host's DNS there, \
             then `helm uninstall` the team's release; or in place, with an outage, after `kubectl delete deployment \
             {deployment} -n {namespace} --cascade=orphan` (README, \"Adopting a running service\")",
            selector.at,
            shown(gens.iter().map(|(k, v)| (k, v.clone())).collect())
        ),
    );
}

/// The probes' paths: as read; one read for both when only one was (said so); else a TODO,
/// since gen's /healthz and /readyz are then asked of an app that may not serve them.
fn health(doc: &mut Doc, s: &Service) {
    let (live, ready) = (s.liveness.pick(), s.readiness.pick());
    if live.is_none() && ready.is_none() {
        doc.todo(
            4,
            "no probe was read, and the code declares no health route (/healthz, /readyz, /health, /ping, /status...): \
             gen's probes ask /healthz (liveness) and /readyz (readiness), and the pods never become Ready unless \
             the app serves them: serve them, or write health: {liveness: PATH, readiness: PATH} with what it serves",
        );
        return;
    }
    doc.block(4, "health");
    for (key, facts, other_key, other) in
        [("liveness", &s.liveness, "readiness", ready), ("readiness", &s.readiness, "liveness", live)]
    {
        if doc.fact(6, key, facts, Fallback::Omit) {
            continue;
        }
        let Some(other) = other else { continue };
        let comment = format!("from {} (the {other_key} path: no {key} probe or route was read)", other.from);
        doc.push(6, format!("{key}: {}", yaml_quote(&other.value)), Some(comment), Some(Fallback::Omit));
        doc.inferred += 1;
    }
}

fn resources(doc: &mut Doc, s: &Service) {
    let any = [&s.cpu_request, &s.memory_request, &s.cpu_limit, &s.memory_limit].iter().any(|f| !f.is_empty());
    if !any {
        doc.note(4, "resources: gen's defaults (requests 100m/128Mi, limits 500m/256Mi); no manifest sets them");
        return;
    }
    doc.block(4, "resources");
    for (group, cpu, memory, defaults) in [
        ("requests", &s.cpu_request, &s.memory_request, ("100m", "128Mi")),
        ("limits", &s.cpu_limit, &s.memory_limit, ("500m", "256Mi")),
    ] {
        doc.fixed_block(6, group);
        for (key, facts, default) in [("cpu", cpu, defaults.0), ("memory", memory, defaults.1)] {
            let fallback = Fallback::Default(format!("{key}: {}", yaml_quote(default)));
            if !doc.fact(8, key, facts, fallback) {
                doc.gen_default(8, key, default.into(), &format!("gen's default: no {group}.{key} was set"));
            }
        }
    }
}

fn ingress(doc: &mut Doc, s: &Service, repo: &Repository) {
    if s.host.is_empty() && s.path.is_empty() {
        doc.note(4, "ingress: none found; write `ingress: {path: /}` (and a host) to expose the service");
        return;
    }
    doc.block(4, "ingress");
    let local = repo.platform.azure.is_empty();
    if local {
        if let Some(h) = s.host.pick() {
            doc.note(
                6,
                &format!(
                    "{} routed the host {}; on a local cluster gen's host is <service>.localhost",
                    h.from, h.value
                ),
            );
        }
    } else if !doc.fact(6, "host", &s.host, Fallback::Omit) {
        doc.todo(6, "no Ingress names a host: write the service's host (in the DNS zone)");
    }
    if !doc.fact(6, "path", &s.path, Fallback::Default("path: \"/\"".into())) {
        doc.fixed(6, "path", "\"/\"", Some("gen's default"));
    }
    doc.fact(6, "stripPrefix", &s.strip_prefix, Fallback::Omit);
    if local {
        doc.fixed(6, "tls", "false", Some("no certificate issuer runs on a local cluster"));
    } else {
        doc.fact(6, "tls", &s.tls, Fallback::Omit);
    }
}

fn env(doc: &mut Doc, s: &Service) {
    // A name a file takes from a secret is a secret's, whatever another file sets it to.
    let plain: Vec<(&String, &Facts<String>)> = s.env.iter().filter(|(n, _)| !s.secret_env.contains_key(*n)).collect();
    for (name, var, from) in &s.unset_env {
        if !s.env.contains_key(name) && !s.secret_env.contains_key(name) {
            doc.todo(
                4,
                &format!(
                    "{from}: compose sets {name} from the shell's ${var}, whose value is not in the repository: write \
                     it under env, or the name under secretEnv if it is a credential"
                ),
            );
        }
    }
    if !plain.is_empty() {
        doc.block(4, "env");
        if plain.iter().any(|(_, f)| f.0.iter().any(|f| f.kind == Kind::Compose) && !f.conflicts().is_empty()) {
            doc.note(
                6,
                "where compose and the image or the cluster's manifests disagree, theirs is written: compose is \
                 how it runs on a laptop",
            );
        }
        for (name, facts) in plain {
            doc.fact(6, &yaml_quote(name), facts, Fallback::Omit);
        }
    }
    if !s.secret_env.is_empty() {
        doc.fixed_block(4, "secretEnv");
        doc.note(
            6,
            "names only: the values were not copied; gen's render reads them from the secret <service>-env (Key \
             Vault on Azure)",
        );
        for (name, from) in &s.secret_env {
            doc.push(6, format!("- {}", yaml_quote(name)), Some(format!("from {from}")), Some(Fallback::Omit));
            doc.inferred += 1;
        }
    }
}

fn persistence(doc: &mut Doc, s: &Service) {
    if s.mount_path.is_empty() && s.volume_size.is_empty() {
        return;
    }
    doc.block(4, "persistence");
    if !doc.fact(6, "size", &s.volume_size, Fallback::Default("size: \"1Gi\"".into())) {
        doc.todo(6, "no claim says the volume's size: 1Gi is written; write the size the data needs");
        doc.fixed(6, "size", "\"1Gi\"", None);
    }
    if !doc.fact(6, "mountPath", &s.mount_path, Fallback::Omit) {
        doc.todo(6, "write mountPath: where the container mounts the volume");
    }
    doc.fact(6, "accessMode", &s.access_mode, Fallback::Omit);
}

fn params(doc: &mut Doc, s: &Service) {
    doc.fixed_block(4, "params");
    if !doc.fact(6, "pythonVersion", &s.python, Fallback::Default("pythonVersion: \"3.12\"".into())) {
        doc.fixed(6, "pythonVersion", "\"3.12\"", Some("gen's default: see the TODO above"));
    }
    if !doc.fact(6, "entrypoint", &s.entrypoint, Fallback::Omit) {
        doc.todo(
            6,
            "write entrypoint: the WSGI app gunicorn serves, `module:callable` (`app:create_app()`, `run:app`)",
        );
    }
    // The requirements file, relative to the code's folder.
    if let (Some(r), Some(source)) = (s.requirements.pick(), s.source.pick()) {
        let prefix = if source.value == "." { String::new() } else { format!("{}/", source.value) };
        if let Some(rel) = r.value.strip_prefix(&prefix) {
            let mut relative = Facts::default();
            relative.add(rel.to_string(), r.from.clone(), r.kind);
            doc.fact(6, "requirements", &relative, Fallback::Omit);
        }
    }
}
