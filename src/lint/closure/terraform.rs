//! What Terraform creates in the cluster and in GitHub, and the access it grants, read from its
//! blocks without evaluating them (a name Terraform knows only at plan time creates "some
//! object of the kind": a value gen cannot tell is not judged).
//!
//! - `kubernetes_namespace`, `kubernetes_secret`, `kubernetes_config_map`,
//!   `kubernetes_service_account`, `kubernetes_storage_class`, `kubernetes_persistent_volume_claim`,
//!   `kubernetes_ingress_class` (and their `_v1`): the object of `metadata`;
//! - `kubernetes_manifest`, and a `helm_release`'s `values` (the `raw` chart's `resources`): the
//!   objects written as HCL objects with `kind` and `metadata.name`;
//! - `data "helm_template"` whose output the file reads where a `kubernetes_manifest` applies
//!   objects: the CRDs of a known chart;
//! - `helm_release`: its namespace with `create_namespace = true`, the CRDs of a known chart
//!   ([`platform::chart_crd_groups`]), the IngressClass or GatewayClass of a chart the
//!   closure's software table knows (ingress-nginx's read from its values);
//! - `azurerm_kubernetes_cluster`: an AKS cluster (its StorageClasses and snapshot API), the
//!   Key Vault secrets provider's SecretProviderClass CRD, the application routing add-on's
//!   IngressClass, and whether it lets in only identities Azure RBAC grants a role;
//! - `aws_eks_cluster`: an EKS cluster (its StorageClasses); `aws_eks_addon`: the snapshot
//!   controller's snapshot API;
//! - `azurerm_role_assignment` and `azurerm_role_definition`: who may do what in the cluster;
//! - `github_actions_secret`, `github_actions_variable`, `github_repository_environment` (and
//!   the environment's secrets and variables): what a workflow reads;
//! - a `module` from a registry or a repository: what the known software it is named after
//!   installs;
//! - AWS's secrets, parameters, log groups and roles, and what ECS task definitions name of
//!   them ([`super::aws`]).

use std::collections::HashMap;

use hcl_edit::Span as _;
use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Block, Body};

use super::platform::{self, BuiltinRole};
use super::{GITHUB_ENVIRONMENT, GITHUB_SECRET, GITHUB_VARIABLE, Graph, KEY_VAULT, KEY_VAULT_SECRET};
use crate::diag::{Source, Span};
use crate::lint::terraform::hcl;

/// A role given to an identity on (part of) a cluster.
#[derive(Clone, Debug)]
pub enum Role {
    Builtin(String, BuiltinRole),
    /// An `azurerm_role_definition` of this configuration, by its resource name.
    Custom(String),
}

/// A role assignment that lets its principal write in the cluster.
#[derive(Clone, Debug)]
pub struct Assignment {
    pub origin: usize,
    /// The role's attribute (`role_definition_name` or `role_definition_id`).
    pub span: Span,
    pub role: Role,
    /// The scope as written, without whitespace.
    pub scope: String,
}

/// What Terraform says about access to the cluster.
#[derive(Default)]
pub struct Facts {
    /// AKS clusters whose only way in is a role Azure RBAC grants (local accounts off, Azure
    /// RBAC on, no admin group): origin, header, address.
    pub locked: Vec<(usize, Span, String)>,
    /// Resources of the kubernetes and helm providers: origin, header, address.
    pub managed: Vec<(usize, Span, String)>,
    /// Role assignments of AKS data-plane roles (built-in or custom).
    pub assignments: Vec<Assignment>,
    /// Custom role definitions' data actions, by resource name.
    pub definitions: HashMap<String, Vec<String>>,
}

impl Facts {
    /// How many located facts it holds (their files are quoted by findings).
    pub fn located(&self) -> usize {
        self.locked.len() + self.managed.len() + self.assignments.len()
    }

    /// Renumbers the files its located facts are in, keeping the facts of each file in order
    /// and the files in the order of their new numbers.
    pub fn renumber(&mut self, new: impl Fn(usize) -> usize) {
        for (o, ..) in self.locked.iter_mut().chain(self.managed.iter_mut()) {
            *o = new(*o);
        }
        self.assignments.iter_mut().for_each(|a| a.origin = new(a.origin));
        self.locked.sort_by_key(|(o, ..)| *o);
        self.managed.sort_by_key(|(o, ..)| *o);
        self.assignments.sort_by_key(|a| a.origin);
    }

    /// Adds another reading's facts after these.
    pub fn append(&mut self, other: Facts) {
        self.locked.extend(other.locked);
        self.managed.extend(other.managed);
        self.assignments.extend(other.assignments);
        self.definitions.extend(other.definitions);
    }

    /// The files its located facts are in.
    pub fn origins(&self) -> impl Iterator<Item = usize> + '_ {
        let located = self.locked.iter().chain(&self.managed).map(|(o, ..)| *o);
        located.chain(self.assignments.iter().map(|a| a.origin))
    }
}

/// Reads a Terraform file into the graph. A file that does not parse adds nothing.
pub fn read(graph: &mut Graph, source: &Source, origin: usize) {
    let text = crate::lint::terraform::hcl_text(source.text());
    let Ok(body) = hcl_edit::parser::parse_body(&text) else { return };
    read_body(graph, &body, origin);
}

/// Reads a Terraform file, already parsed, into the graph.
pub fn read_body(graph: &mut Graph, body: &Body, origin: usize) {
    if let Some(Expression::Object(services)) = hcl::value(body, "secret_services") {
        secret_services(graph, services);
    }
    for block in body.get_blocks("resource") {
        let labels = hcl::labels(block);
        let [kind, name] = labels.as_slice() else { continue };
        resource(graph, origin, block, kind, name);
    }
    // A chart rendered by `data "helm_template"` whose output the file reads (in a local or a
    // resource) where a `kubernetes_manifest` applies objects: the CRDs of that chart, known by
    // its name.
    let text = body.to_string();
    let applies =
        body.get_blocks("resource").any(|r| hcl::labels(r).first().is_some_and(|k| *k == "kubernetes_manifest"));
    // An AWS object a data source reads exists (the plan fails where it does not).
    for block in body.get_blocks("data") {
        if let [kind, _] = hcl::labels(block).as_slice() {
            super::aws::creates(graph, &block.body, kind);
        }
    }
    for block in body.get_blocks("data") {
        let labels = hcl::labels(block);
        let ["helm_template", name] = labels.as_slice() else { continue };
        let reference = format!("data.helm_template.{name}");
        let applied = applies && ['.', '['].iter().any(|next| text.contains(&format!("{reference}{next}")));
        let chart = string(&block.body, "chart");
        if let Some(chart) = chart.filter(|_| applied) {
            let chart = chart.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
            platform::chart_crd_groups(chart).iter().for_each(|g| graph.install_group(g));
        }
    }
    // A module from a registry or a repository, which gen does not fetch: what known software
    // it is named after installs (`terraform-iaac/cert-manager/kubernetes` installs cert-manager).
    for block in body.get_blocks("module") {
        let Some(source) = string(&block.body, "source") else { continue };
        if source.starts_with("./") || source.starts_with("../") {
            continue;
        }
        if let Some(software) = super::software::by_url(&source) {
            software.groups.iter().for_each(|g| graph.install_group(g));
            software.namespaces.iter().for_each(|n| graph.create("Namespace", None, n));
        }
    }
}

/// The API group of what a release of a chart gen cannot tell installs: any.
pub const ANY_GROUP: &str = "*";

/// The string value of `key`.
fn string(body: &Body, key: &str) -> Option<String> {
    hcl::value(body, key).and_then(hcl::string)
}

fn resource(graph: &mut Graph, origin: usize, block: &Block, kind: &str, name: &str) {
    let body = &block.body;
    let address = format!("{kind}.{name}");
    if kind.starts_with("kubernetes_") || kind == "helm_release" {
        graph.tf.managed.push((origin, hcl::header(block), address.clone()));
    }
    let object = match kind.strip_suffix("_v1").unwrap_or(kind) {
        "kubernetes_namespace" => Some("Namespace"),
        "kubernetes_secret" => Some("Secret"),
        "kubernetes_config_map" => Some("ConfigMap"),
        "kubernetes_service_account" => Some("ServiceAccount"),
        "kubernetes_storage_class" => Some("StorageClass"),
        "kubernetes_persistent_volume_claim" => Some("PersistentVolumeClaim"),
        "kubernetes_ingress_class" => Some("IngressClass"),
        _ => None,
    };
    if let Some(object) = object {
        let metadata = hcl::block(body, "metadata").map(|b| &b.body);
        let namespace = metadata.and_then(|m| string(m, "namespace"));
        match metadata.and_then(|m| string(m, "name")) {
            Some(n) => graph.create(object, namespace.as_deref(), &n),
            None => graph.create_any(object),
        }
    }
    match kind {
        "kubernetes_manifest" => {
            if let Some(manifest) = hcl::value(body, "manifest") {
                objects(graph, manifest);
            }
        }
        "helm_release" => helm_release(graph, body),
        "azurerm_kubernetes_cluster" => cluster(graph, origin, block, &address),
        // An EKS cluster (its StorageClasses), and the add-ons installed in it: the snapshot
        // controller serves the snapshot API (its CRDs come with it).
        "aws_eks_cluster" => graph.platform(&crate::platform::aws::PLATFORM),
        "aws_eks_addon" => {
            let names = hcl::value(body, "addon_name")
                .and_then(|e| hcl::string(e).map(|n| vec![n]).or_else(|| each_key(body, e)))
                .unwrap_or_default();
            if names.iter().any(|n| n == "snapshot-controller") {
                graph.install_group("snapshot.storage.k8s.io");
            }
        }
        "azurerm_role_assignment" => assignment(graph, origin, body),
        "azurerm_role_definition" => {
            let actions: Vec<String> = hcl::blocks(body, "permissions")
                .filter_map(|p| hcl::value(&p.body, "data_actions"))
                .flat_map(strings)
                .collect();
            graph.tf.definitions.insert(name.to_string(), actions);
        }
        "github_actions_secret" | "github_actions_environment_secret" => {
            github(graph, body, "secret_name", GITHUB_SECRET);
        }
        "github_actions_variable" | "github_actions_environment_variable" => {
            github(graph, body, "variable_name", GITHUB_VARIABLE);
        }
        "github_repository_environment" => github(graph, body, "environment", GITHUB_ENVIRONMENT),
        "azurerm_key_vault" => key_vault(graph, origin, body),
        "aws_ecs_task_definition" => super::aws::task_definition(graph, origin, body, &address),
        _ => super::aws::creates(graph, body, kind),
    }
}

/// A vault: its name when written as a literal. gen's own vaults are named in `.tfvars`
/// ([`secret_services`]), which also says what each holds; a hand-written vault's secrets are
/// set by hand, and a name gen cannot read is any name.
fn key_vault(graph: &mut Graph, origin: usize, body: &Body) {
    graph.key_vaults = true;
    let own = graph.origins.get(origin).is_some_and(|o| o.own);
    match string(body, "name") {
        Some(name) => graph.create(KEY_VAULT, None, &name.to_ascii_lowercase()),
        None if !own => graph.create_any(KEY_VAULT),
        None => {}
    }
    if !own {
        graph.create_any(KEY_VAULT_SECRET);
    }
}

/// gen's `secret_services` values (its Terraform creates a vault per entry, so the vaults
/// classes read are judged): each service's vault (`vault`), created by the key-vault module, and the secrets it holds, its `secrets` with `_` written `-` (what the deploy's
/// preflight checks and the README asks for), in the clusters of the file's environment.
fn secret_services(graph: &mut Graph, services: &hcl_edit::expr::Object) {
    graph.key_vaults = true;
    for (_, service) in services.iter() {
        let Expression::Object(service) = service.expr() else { continue };
        let Some(vault) = field(service, "vault").and_then(hcl::string) else { continue };
        let vault = vault.to_ascii_lowercase();
        graph.create(KEY_VAULT, None, &vault);
        for secret in field(service, "secrets").map(strings).unwrap_or_default() {
            let object = secret.replace('_', "-").to_ascii_lowercase();
            graph.create(KEY_VAULT_SECRET, None, &format!("{vault}/{object}"));
        }
    }
}

fn github(graph: &mut Graph, body: &Body, key: &str, kind: &str) {
    match string(body, key) {
        Some(n) => graph.create(kind, None, &n),
        None => graph.create_any(kind),
    }
}

/// The string literals of an array literal.
fn strings(expr: &Expression) -> Vec<String> {
    match expr {
        Expression::Array(a) => a.iter().filter_map(hcl::string).collect(),
        _ => Vec::new(),
    }
}

/// The value at `key` of an HCL object literal.
fn field<'a>(object: &'a hcl_edit::expr::Object, key: &str) -> Option<&'a Expression> {
    object.iter().find_map(|(k, v)| {
        let k = match k {
            ObjectKey::Ident(i) => i.as_str().to_string(),
            ObjectKey::Expression(e) => hcl::string(e)?,
        };
        (k == key).then(|| v.expr())
    })
}

/// Kubernetes objects written as HCL objects anywhere in `expr` (`kind`, `metadata.name`,
/// `metadata.namespace` as literals; a CRD also installs its kind).
fn objects(graph: &mut Graph, expr: &Expression) {
    match expr {
        Expression::Object(o) => {
            let kind = field(o, "kind").and_then(hcl::string);
            let metadata = match field(o, "metadata") {
                Some(Expression::Object(m)) => Some(m),
                _ => None,
            };
            if let (Some(kind), Some(metadata)) = (kind, metadata) {
                let namespace = field(metadata, "namespace").and_then(hcl::string);
                match field(metadata, "name").and_then(hcl::string) {
                    Some(n) => graph.create(&kind, namespace.as_deref(), &n),
                    None => graph.create_any(&kind),
                }
                if kind == "CustomResourceDefinition"
                    && let Some(Expression::Object(spec)) = field(o, "spec")
                {
                    let names = match field(spec, "names") {
                        Some(Expression::Object(n)) => field(n, "kind").and_then(hcl::string),
                        _ => None,
                    };
                    if let (Some(group), Some(k)) = (field(spec, "group").and_then(hcl::string), names) {
                        graph.install_crd(&group, &k);
                    }
                }
            }
            for (_, v) in o.iter() {
                objects(graph, v.expr());
            }
        }
        Expression::Array(a) => a.iter().for_each(|e| objects(graph, e)),
        Expression::FuncCall(f) => f.args.iter().for_each(|e| objects(graph, e)),
        Expression::Parenthesis(p) => objects(graph, p.inner()),
        _ => {}
    }
}

fn helm_release(graph: &mut Graph, body: &Body) {
    let create_namespace = hcl::value(body, "create_namespace").and_then(hcl::boolean) == Some(true);
    if create_namespace {
        match string(body, "namespace") {
            Some(ns) => graph.create("Namespace", None, &ns),
            None => graph.create_any("Namespace"),
        }
    }
    // A chart named by URL or OCI reference is known by its last segment. A chart gen cannot
    // tell (`chart = var.chart`, `each.value.chart`) may install any CRD: what it could serve
    // is not judged. `each.key` over a written `for_each` names each of its keys.
    let charts = match hcl::value(body, "chart") {
        None => Vec::new(),
        Some(expr) => match hcl::string(expr).map(|c| vec![c]).or_else(|| each_key(body, expr)) {
            Some(charts) => charts,
            None => {
                graph.install_group(ANY_GROUP);
                Vec::new()
            }
        },
    };
    for chart in &charts {
        let chart = chart.trim_end_matches('/').rsplit('/').next().unwrap_or_default();
        for group in platform::chart_crd_groups(chart) {
            graph.install_group(group);
        }
    }
    let chart = charts.first().map(|c| c.trim_end_matches('/').rsplit('/').next().unwrap_or_default().to_string());
    let chart = if charts.len() == 1 { chart.unwrap_or_default() } else { String::new() };
    if chart == "ingress-nginx" {
        // Its IngressClass: `controller.ingressClassResource.name`, `nginx` by default; a name
        // gen cannot read (a variable) is some IngressClass.
        let written = hcl::value(body, "values").map(ingress_class_name).unwrap_or(Some(None));
        match written {
            Some(Some(name)) => graph.create("IngressClass", None, &name),
            Some(None) => graph.create("IngressClass", None, "nginx"),
            None => graph.create_any("IngressClass"),
        }
    }
    // Another chart the closure knows: its IngressClass and GatewayClass (the AWS Load
    // Balancer Controller's is its `ingressClass` value, `alb` unless written otherwise).
    if let Some(software) = super::software::by_chart(&chart).filter(|_| chart != "ingress-nginx") {
        if let Some(class) = software.ingress_class {
            let written = hcl::value(body, "values").and_then(|v| find_path(v, &["ingressClass"]));
            match written.map(hcl::string) {
                Some(Some(name)) => graph.create("IngressClass", None, &name),
                Some(None) => graph.create_any("IngressClass"),
                None => graph.create("IngressClass", None, class),
            }
        }
        if let Some(class) = software.gateway_class {
            graph.create("GatewayClass", None, class);
        }
    }
    if chart == crate::platform::KUBE_PROMETHEUS_STACK.chart {
        // Its Prometheus reads the monitors labelled `release: <name>`, unless its values or
        // `set`s touch a selector (or come from a file): what they select is then not judged.
        let release = hcl::value(body, "name").and_then(hcl::string);
        let values = hcl::value(body, "values").map(|v| v.to_string()).unwrap_or_default();
        let sets = hcl::blocks(body, "set").chain(hcl::blocks(body, "set_list")).map(|b| b.body.to_string());
        let set_attr = ["set", "set_list"].iter().filter_map(|k| hcl::value(body, k)).map(|v| v.to_string());
        let written: Vec<String> = sets.chain(set_attr).chain([values]).collect();
        let touches = written.iter().any(|w| w.contains("Selector") || w.contains("file("));
        // With no value at all, the chart's Alertmanager configuration: every alert to `null`.
        let receivers = if written.iter().all(|w| w.trim().is_empty()) { Some(false) } else { None };
        graph.stack_release(release.as_deref().filter(|_| !touches), receivers);
    }
    if let Some(values) = hcl::value(body, "values") {
        objects(graph, values);
    }
}

/// The keys of a resource's written `for_each` (an object's keys, or the strings of a list or
/// `toset([...])`), when `expr` is `each.key`; `None` otherwise.
fn each_key(body: &Body, expr: &Expression) -> Option<Vec<String>> {
    use hcl_edit::expr::TraversalOperator;
    let Expression::Traversal(t) = expr else { return None };
    let Expression::Variable(root) = &t.expr else { return None };
    let ops: Vec<&TraversalOperator> = t.operators.iter().map(|o| o.value()).collect();
    let [TraversalOperator::GetAttr(key)] = ops.as_slice() else { return None };
    if root.as_str() != "each" || key.as_str() != "key" {
        return None;
    }
    let keys = |e: &Expression| -> Option<Vec<String>> {
        match e {
            Expression::Object(o) => o
                .iter()
                .map(|(k, _)| match k {
                    ObjectKey::Ident(i) => Some(i.as_str().to_string()),
                    ObjectKey::Expression(e) => hcl::string(e),
                })
                .collect(),
            Expression::Array(a) => a.iter().map(hcl::string).collect(),
            _ => None,
        }
    };
    match hcl::value(body, "for_each")? {
        Expression::FuncCall(f) if f.name.name.as_str() == "toset" && f.args.len() == 1 => keys(f.args.iter().next()?),
        other => keys(other),
    }
}

/// ingress-nginx's class name in a release's values: `Some(Some(name))` written literally,
/// `Some(None)` not written, `None` written as something gen cannot read.
fn ingress_class_name(expr: &Expression) -> Option<Option<String>> {
    let found = find_path(expr, &["controller", "ingressClassResource", "name"]);
    match found {
        None => Some(None),
        Some(e) => hcl::string(e).map(Some),
    }
}

/// The expression at a path of keys in the object literals of `expr` (through `yamlencode`
/// and lists).
fn find_path<'a>(expr: &'a Expression, path: &[&str]) -> Option<&'a Expression> {
    match expr {
        Expression::Object(o) => {
            let (first, rest) = path.split_first()?;
            let v = field(o, first)?;
            if rest.is_empty() { Some(v) } else { find_path(v, rest) }
        }
        Expression::Array(a) => a.iter().find_map(|e| find_path(e, path)),
        Expression::FuncCall(f) => f.args.iter().find_map(|e| find_path(e, path)),
        Expression::Parenthesis(p) => find_path(p.inner(), path),
        _ => None,
    }
}

fn cluster(graph: &mut Graph, origin: usize, block: &Block, address: &str) {
    let body = &block.body;
    // An `azurerm_kubernetes_cluster` is an AKS cluster.
    graph.platform(&crate::platform::azure::PLATFORM);
    if hcl::block(body, "key_vault_secrets_provider").is_some() {
        graph.install_group("secrets-store.csi.x-k8s.io");
    }
    // Managed Prometheus' metrics add-on brings its PodMonitor and ServiceMonitor kinds; a
    // `dynamic` one may, as far as gen can tell (what it is for is a variable's).
    let dynamic = |name: &str| hcl::blocks(body, "dynamic").any(|b| hcl::labels(b).first() == Some(&name));
    if hcl::block(body, "monitor_metrics").is_some() || dynamic("monitor_metrics") {
        graph.install_group("azmonitoring.coreos.com");
    }
    if hcl::block(body, "web_app_routing").is_some() {
        graph.create("IngressClass", None, "webapprouting.kubernetes.azure.com");
    }
    let local_off = hcl::value(body, "local_account_disabled").and_then(hcl::boolean) == Some(true);
    let rbac = hcl::block(body, "azure_active_directory_role_based_access_control").map(|b| &b.body);
    let azure_rbac = rbac.and_then(|r| hcl::value(r, "azure_rbac_enabled")).and_then(hcl::boolean) == Some(true);
    // Members of an admin group are cluster admins: the group is the way in.
    let admin_group = rbac.and_then(|r| hcl::value(r, "admin_group_object_ids")).is_some_and(|e| match e {
        Expression::Array(a) => !a.is_empty(),
        _ => true,
    });
    if local_off && azure_rbac && !admin_group {
        graph.tf.locked.push((origin, hcl::header(block), address.to_string()));
    }
}

fn assignment(graph: &mut Graph, origin: usize, body: &Body) {
    let scope = hcl::value(body, "scope").map(scope_text).unwrap_or_default();
    if let Some(attr) = hcl::attr(body, "role_definition_name")
        && let Some(name) = hcl::string(&attr.value)
        && let Some(role) = platform::builtin_role(&name)
    {
        let span = hcl::span(attr.value.span());
        graph.tf.assignments.push(Assignment { origin, span, role: Role::Builtin(name, role), scope });
        return;
    }
    if let Some(attr) = hcl::attr(body, "role_definition_id") {
        let custom = hcl::references(&attr.value).into_iter().find_map(|r| {
            r.strip_prefix("azurerm_role_definition.").map(|n| n.split('.').next().unwrap_or(n).to_string())
        });
        if let Some(custom) = custom {
            let span = hcl::span(attr.value.span());
            graph.tf.assignments.push(Assignment { origin, span, role: Role::Custom(custom), scope });
        }
    }
}

/// A scope expression's literal text (its references kept as written), to tell a namespace
/// scope (`.../namespaces/shop`) from the cluster's.
fn scope_text(expr: &Expression) -> String {
    match hcl::pieces(expr) {
        Some(pieces) => pieces
            .into_iter()
            .map(|p| match p {
                hcl::Piece::Text(t) => t,
                hcl::Piece::Unknown => "${}".to_string(),
            })
            .collect(),
        None => "${}".to_string(),
    }
}
