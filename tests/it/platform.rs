//! A new platform is a module that implements `Platform` and `TargetSpec`, its templates, and
//! one line in `src/platform/mod.rs`'s list. This test defines a toy platform here, outside
//! the crate, and runs a spec that names it through the same stages as `gen render`: the
//! schema (with the toy's block), SPEC015's choice of target, the model, environments, the
//! semantic rules (with the toy's own), and the render engine, which renders the toy's own
//! blueprint files from the values the toy adds to the template context. A second one, `bare`,
//! runs containers with no Kubernetes: the blueprints name both in their files' `platforms`,
//! and a file that `requires` Kubernetes renders on the toy only.

use std::path::PathBuf;
use std::sync::Arc;

use gen_core::declare_rule;
use gen_core::diag::{Diagnostics, Route, Rule};
use gen_core::pipeline::Session;
use gen_core::platform::{Capability, Known, Platform, TargetSpec};
use gen_core::render::{Place, render};
use gen_core::spec::model::IngressController;
use gen_core::spec::rules::Check;
use gen_core::spec::{Loaded, SpecError, check_with, load_with};
use serde::{Deserialize, Serialize};

declare_rule! {
    /// ## What it does
    /// Reports a toy region that is not lower case.
    ///
    /// ## Why it matters
    /// A test of the platform abstraction.
    ///
    /// ## How to fix
    /// Write the region in lower case.
    static TOY_REGION = ("TOY001", "toy-region-case", Error);
}

/// A platform defined here: a cloud with a registry per region, and what it can do. Two are
/// defined: `toy`, a cluster somewhere, and `bare`, which runs containers with no Kubernetes
/// anywhere (as ECS on Fargate will): a pipeline builds and deploys, and nothing needs a cluster.
#[derive(Debug)]
struct Cloud {
    name: &'static str,
    summary: &'static str,
    capabilities: &'static [Capability],
    rules: &'static [(&'static Rule, Check)],
    /// The image tag deployed until the pipeline sets one.
    tag: &'static str,
}

static TOY: Cloud = Cloud {
    name: "toy",
    summary: "a toy cloud",
    capabilities: &[Capability::Kubernetes],
    rules: &[(&TOY_REGION, region_case)],
    tag: "toy-1",
};

static BARE: Cloud = Cloud {
    name: "bare",
    summary: "containers without Kubernetes",
    capabilities: &[Capability::CloudPipeline],
    rules: &[],
    tag: "bare-1",
};

/// The platforms this test adds to the built-in ones.
static CLOUDS: [&dyn Platform; 2] = [&TOY, &BARE];

/// `platform.toy` or `platform.bare`.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
struct CloudSpec {
    region: String,
    #[serde(default)]
    ingress: IngressController,
    /// The platform that read the block.
    #[serde(skip)]
    on: Option<&'static Cloud>,
}

fn region_case(spec: &Loaded, out: &mut Diagnostics) {
    let ctx = spec.spec.platform.target.spec().context();
    let Some(region) = ctx["region"].as_str() else { return };
    if spec.spec.platform.target_name() == "toy" && region != region.to_lowercase() {
        let at: Route = ["platform", "toy", "region"].into_iter().collect();
        out.push(spec.at(&TOY_REGION, &at, false, format!("region `{region}` is not lower case")));
    }
}

impl Platform for Cloud {
    fn name(&self) -> &'static str {
        self.name
    }
    fn summary(&self) -> &'static str {
        self.summary
    }
    fn capabilities(&self) -> &'static [Capability] {
        self.capabilities
    }
    fn rules(&self) -> &'static [(&'static Rule, Check)] {
        self.rules
    }
    fn schema(&self) -> serde_json::Value {
        serde_json::json!({
            "description": self.summary,
            "type": "object",
            "additionalProperties": false,
            "required": ["region"],
            "properties": {
                "region": {"description": "Where.", "type": "string", "minLength": 1},
                "ingress": {"description": "The ingress controller.", "type": "object"}
            }
        })
    }
    fn read(&self, block: serde_json::Value) -> Result<Arc<dyn TargetSpec>, String> {
        let mut spec: CloudSpec = serde_json::from_value(block).map_err(|e| e.to_string())?;
        spec.on = [&TOY, &BARE].into_iter().find(|c| c.name == self.name);
        Ok(Arc::new(spec))
    }
}

impl CloudSpec {
    fn cloud(&self) -> &'static Cloud {
        self.on.expect("read by its platform")
    }
}

impl TargetSpec for CloudSpec {
    fn platform(&self) -> &'static dyn Platform {
        self.cloud()
    }
    fn default_image(&self, project: &str, service: &str) -> (String, &'static str) {
        (format!("registry.{}.{}/{project}/{service}", self.region, self.cloud().name), self.cloud().tag)
    }
    fn snapshot_class(&self, _storage_class: Option<&str>) -> &'static str {
        "snapshots"
    }
    fn ingress(&self) -> &IngressController {
        &self.ingress
    }
    /// The block, and a value the platform works out for templates: its registry.
    fn context(&self) -> serde_json::Value {
        let mut value = serde_json::to_value(self).unwrap_or_default();
        value["registry"] = format!("registry.{}.{}", self.region, self.cloud().name).into();
        value
    }
}

/// A catalog whose base blueprint renders the toy's files (selected by the platforms and
/// capabilities each file declares), and a service blueprint.
fn toy_blueprints() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let write = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("a folder");
        std::fs::write(path, text).expect("write");
    };
    write(
        "base/blueprint.yaml",
        "name: base\ndescription: The toy's project files.\nversion: 0.1.0\nkind: base\nfiles:\n\
         \x20 - source: templates/cluster.txt\n    target: toy/cluster.txt\n    ownership: managed\n    scope: project\n\
         \x20   when: 'platform.target == \"toy\"'\n\
         \x20 - source: templates/env.txt\n    target: environments/<@ environment.name | segment @>.txt\n    ownership: managed\n\
         \x20   scope: environment\n\
         \x20 - source: templates/deployment.yaml\n    target: manifests/<@ service.name | segment @>/deployment.yaml\n\
         \x20   ownership: managed\n    requires: [kubernetes]\n\
         \x20 - source: templates/task.json\n    target: tasks/<@ service.name | segment @>.json\n    ownership: managed\n\
         \x20   platforms: [bare]\n\
         \x20 - source: templates/pvc.yaml\n    target: manifests/<@ service.name | segment @>/pvc.yaml\n\
         \x20   ownership: managed\n    requires: [kubernetes]\n\
         \x20 - source: templates/pipeline.txt\n    target: pipeline.txt\n    ownership: managed\n    scope: project\n",
    );
    write(
        "base/templates/cluster.txt",
        "cluster in <@ platform.region | text @>, registry <@ platform.registry | text @>\n",
    );
    write("base/templates/env.txt", "<@ environment.name | text @> runs on <@ environment.platform | text @>\n");
    // A Deployment the Kubernetes family has things to say about (no probes, no limits).
    write(
        "base/templates/deployment.yaml",
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: <@ service.name | text @>\nspec:\n  selector:\n\
         \x20   matchLabels: {app: <@ service.name | text @>}\n  template:\n    metadata:\n      labels: {app: <@ service.name | text @>}\n\
         \x20   spec:\n      containers:\n        - name: app\n          image: <@ service.image.repository | text @>:latest\n",
    );
    write("base/templates/task.json", "{\"family\": \"<@ service.name | text @>\"}\n");
    // A claim on a class Azure's clusters have and the toy's do not.
    write(
        "base/templates/pvc.yaml",
        "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: <@ service.name | text @>-data\nspec:\n\
         \x20 accessModes: [ReadWriteOnce]\n  storageClassName: managed-csi\n  resources: {requests: {storage: 1Gi}}\n",
    );
    write("base/templates/pipeline.txt", "deployed from a laptop: <@ pipeline.offPipeline | text @>\n");
    write(
        "toyapp/blueprint.yaml",
        "name: toyapp\ndescription: A toy service.\nversion: 0.1.0\nkind: service\nexample: example.spec.yaml\nfiles:\n\
         \x20 - source: templates/app.txt\n    target: services/<@ service.name | segment @>/app.txt\n    ownership: managed\n",
    );
    write("toyapp/example.spec.yaml", SPEC);
    write(
        "toyapp/templates/app.txt",
        "<@ service.name | text @> from <@ service.image.repository | text @>:<@ service.image.tag | text @>\n",
    );
    let session =
        Session::with_platforms(&[PathBuf::from(dir.path())], Known::with(&CLOUDS)).expect("the toy blueprints load");
    (dir, session)
}

const SPEC: &str = "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  toy: {region: north}\n\
                    services:\n  - name: api\n    blueprint: toyapp\n";

fn load(text: &str) -> Result<Loaded, SpecError> {
    load_with("spec.yaml", text.as_bytes(), Known::with(&CLOUDS))
}

#[test]
fn a_toy_platform_renders_its_own_files_from_its_own_values() {
    let (_dir, session) = toy_blueprints();
    let loaded = load(SPEC).expect("a spec on the toy platform loads");
    assert!(check_with(&loaded, Known::with(&[&TOY])).is_empty());
    let plan = render(&loaded, &session.catalog, &Place::named("spec.yaml")).expect("it renders");
    let files: Vec<(String, String)> = plan
        .files
        .iter()
        .map(|f| (f.path.clone(), String::from_utf8_lossy(&f.bytes).lines().last().unwrap_or_default().to_string()))
        .collect();
    assert_eq!(
        files,
        [
            ("environments/default.txt".to_string(), "default runs on toy".to_string()),
            (
                "manifests/api/deployment.yaml".to_string(),
                "          image: registry.north.toy/shop/api:latest".to_string()
            ),
            ("manifests/api/pvc.yaml".to_string(), "  resources: {requests: {storage: 1Gi}}".to_string()),
            ("pipeline.txt".to_string(), "deployed from a laptop: true".to_string()),
            ("services/api/app.txt".to_string(), "api from registry.north.toy/shop/api:toy-1".to_string()),
            ("toy/cluster.txt".to_string(), "cluster in north, registry registry.north.toy".to_string()),
        ]
    );
    assert_eq!(gen_core::platform::capabilities(&loaded).into_iter().collect::<Vec<_>>(), [Capability::Kubernetes]);
}

/// What a spec renders, and each finding (`CODE file`) of the whole check `gen render` runs
/// before it writes.
fn checked_on(session: &Session, text: &str) -> (Vec<String>, Vec<String>) {
    let loaded = load(text).expect("the spec loads");
    let plan = render(&loaded, &session.catalog, &Place::named("spec.yaml")).expect("it renders");
    let files = plan.files.iter().map(|f| f.path.clone()).collect();
    let checked = session.check(&loaded, &Place::named("spec.yaml"), "out");
    assert!(checked.rendered, "{:?}", checked.findings.diagnostics);
    let found = checked.findings.diagnostics.iter().map(|d| format!("{} {}", d.rule.code, d.file)).collect();
    (files, found)
}

/// A platform without Kubernetes (as ECS on Fargate will be) renders no manifest, so the
/// Kubernetes family and the closure check never see one; on a platform with Kubernetes the
/// same blueprint's manifests render and are checked, against that platform's clusters.
#[test]
fn a_platform_without_kubernetes_renders_and_checks_no_manifest() {
    let (_dir, session) = toy_blueprints();
    let (files, found) = checked_on(&session, SPEC);
    let manifests: Vec<&String> = files.iter().filter(|f| f.starts_with("manifests/")).collect();
    assert_eq!(manifests, ["manifests/api/deployment.yaml", "manifests/api/pvc.yaml"]);
    // The Kubernetes family checked the Deployment: its image is tagged `latest`.
    assert!(found.contains(&"K8S040 out/manifests/api/deployment.yaml".to_string()), "{found:?}");
    // The toy's clusters have no `managed-csi` class: Azure's do not count for it.
    assert!(found.contains(&"DEP003 out/manifests/api/pvc.yaml".to_string()), "{found:?}");

    let bare = SPEC.replace("  toy: {region: north}\n", "  bare: {region: north}\n");
    let (files, found) = checked_on(&session, &bare);
    assert_eq!(files, ["environments/default.txt", "pipeline.txt", "services/api/app.txt", "tasks/api.json"]);
    assert!(found.is_empty(), "{found:?}");
    let loaded = load(&bare).expect("the spec loads");
    assert_eq!(gen_core::platform::capabilities(&loaded).into_iter().collect::<Vec<_>>(), [Capability::CloudPipeline]);
}

/// A run-time platform that deploys from the pipeline is among the pipeline's environments;
/// one that cannot is deployed from a laptop.
#[test]
fn the_pipeline_deploys_to_a_run_time_platform_that_can() {
    let (_dir, session) = toy_blueprints();
    let said = |text: &str| {
        let loaded = load(text).expect("the spec loads");
        let plan = render(&loaded, &session.catalog, &Place::named("spec.yaml")).expect("it renders");
        let file = plan.files.iter().find(|f| f.path == "pipeline.txt").expect("the pipeline's file");
        String::from_utf8_lossy(&file.bytes).lines().last().unwrap_or_default().to_string()
    };
    assert_eq!(
        said(&SPEC.replace("  toy: {region: north}\n", "  bare: {region: north}\n")),
        "deployed from a laptop: false"
    );
    assert_eq!(said(SPEC), "deployed from a laptop: true");
}

#[test]
fn a_toy_environment_next_to_a_local_one_runs_on_the_toy() {
    let (_dir, session) = toy_blueprints();
    let text = "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  local: {}\n\
                services:\n  - name: api\n    blueprint: toyapp\n\
                environments:\n  - name: dev\n  - name: prod\n    platform: {toy: {region: south}}\n";
    let loaded = load(text).expect("environments on local and on the toy load");
    let plan = render(&loaded, &session.catalog, &Place::named("spec.yaml")).expect("it renders");
    let dev = plan.files.iter().find(|f| f.path == "environments/dev.txt").expect("dev's file");
    let prod = plan.files.iter().find(|f| f.path == "environments/prod.txt").expect("prod's file");
    assert!(String::from_utf8_lossy(&dev.bytes).ends_with("dev runs on local\n"));
    assert!(String::from_utf8_lossy(&prod.bytes).ends_with("prod runs on toy\n"));
    let targets: Vec<&str> = gen_core::platform::targets(&loaded).iter().map(|p| p.name()).collect();
    assert_eq!(targets, ["local", "toy"]);
}

#[test]
fn the_toy_block_is_checked_by_its_schema_and_its_rules() {
    let Err(SpecError::Invalid(findings)) = load(&SPEC.replace("{region: north}", "{regoin: north}")) else {
        panic!("a misspelled key of the toy's block is refused");
    };
    let said: Vec<String> = findings.diagnostics.iter().map(|d| format!("{} {}", d.rule.code, d.message)).collect();
    assert!(said.contains(&"SPEC010 unknown key `regoin`".to_string()), "{said:?}");

    let loaded = load(&SPEC.replace("north", "North")).expect("loads");
    let found = check_with(&loaded, Known::with(&[&TOY]));
    let said: Vec<String> = found.iter().map(|d| format!("{} {}", d.rule.code, d.message)).collect();
    assert_eq!(said, ["TOY001 region `North` is not lower case"]);
    // A session that knows the toy runs its rules too, before anything renders.
    let (_dir, session) = toy_blueprints();
    let checked = session.check(&loaded, &Place::named("spec.yaml"), "out");
    let said: Vec<String> =
        checked.findings.diagnostics.iter().map(|d| format!("{} {}", d.rule.code, d.message)).collect();
    assert_eq!(said, ["TOY001 region `North` is not lower case"]);
    assert!(!checked.rendered);
}

#[test]
fn a_platform_naming_the_toy_and_another_target_is_spec015() {
    let text = SPEC.replace("  toy: {region: north}\n", "  toy: {region: north}\n  local: {}\n");
    let Err(SpecError::Invalid(findings)) = load(&text) else { panic!("two targets are refused") };
    let said: Vec<String> = findings.diagnostics.iter().map(|d| format!("{} {}", d.rule.code, d.message)).collect();
    assert_eq!(said, ["SPEC015 the platform names both `toy` and `local`; an environment runs on exactly one"]);
}

#[test]
fn without_the_toy_gen_knows_no_such_target() {
    let Err(SpecError::Invalid(findings)) = gen_core::spec::load("spec.yaml", SPEC.as_bytes()) else {
        panic!("the built-in platforms do not include the toy");
    };
    let codes: Vec<&str> = findings.diagnostics.iter().map(|d| d.rule.code).collect();
    assert_eq!(codes, ["SPEC010"]);
}

/// What blueprint file selection will read: the platforms a spec's environments run on and
/// what they can do together (`gitops` only when the spec deploys that way).
#[test]
fn a_spec_can_do_what_the_platforms_of_its_environments_can() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let spec_of = |rel: &str| {
        let bytes = std::fs::read(root.join(rel)).expect("the fixture");
        gen_core::spec::load(rel, &bytes).expect("it loads")
    };
    let names =
        |loaded: &Loaded| -> Vec<&str> { gen_core::platform::targets(loaded).iter().map(|p| p.name()).collect() };
    let can = |loaded: &Loaded| gen_core::platform::capabilities(loaded).into_iter().collect::<Vec<_>>();

    let both = spec_of("tests/fixtures/specs/local-azure.yaml");
    assert_eq!(names(&both), ["azure", "local"]);
    // Each environment with its own spec: the local one runs kube-prometheus-stack (its
    // prometheus-operator), production Azure's managed Prometheus.
    assert_eq!(
        can(&both),
        [Capability::Kubernetes, Capability::Terraform, Capability::CloudPipeline, Capability::PrometheusOperator]
    );

    let gitops = spec_of("tests/fixtures/specs/gitops.yaml");
    assert_eq!(names(&gitops), ["azure"]);
    assert_eq!(
        can(&gitops),
        [Capability::Kubernetes, Capability::Terraform, Capability::CloudPipeline, Capability::Gitops]
    );

    let text = SPEC.replace("  toy: {region: north}\n", "  local: {}\n").replace("    blueprint: toyapp\n", "");
    let local = gen_core::spec::load("spec.yaml", text.as_bytes()).expect("a local spec loads");
    assert_eq!(names(&local), ["local"]);
    // A local cluster runs kube-prometheus-stack by default: prometheus-operator's objects
    // deploy there; with observability off, none.
    assert_eq!(can(&local), [Capability::Kubernetes, Capability::PrometheusOperator]);
    let off = format!("{text}observability: {{enabled: false}}\n");
    let off = gen_core::spec::load("spec.yaml", off.as_bytes()).expect("a local spec loads");
    assert_eq!(can(&off), [Capability::Kubernetes]);
}
