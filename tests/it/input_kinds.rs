//! What `gen lint` does with each kind of file a repository holds, named or walked: a file is
//! a gen spec when it says `apiVersion: gen/v1`; any other goes to the family that checks it,
//! or is a note that gen does not check it (exit 0), never a spec error (exit 2). A walk of
//! ordinary repository content exits 2 only for a file it cannot read or a broken gen spec.

use crate::common;

use std::path::Path;

use common::Gen;

/// Writes `files` (path, text) under a fresh git repository.
fn repository(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir(dir.path().join(".git")).expect(".git");
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
        std::fs::write(path, text).expect("write");
    }
    dir
}

/// `gen lint --format json PATH` run in `dir`, with the validators' Helm on the `PATH`.
fn lint(dir: &Path, path: &str) -> common::Run {
    let on_path = common::path_with_helm();
    let run = Gen::new().args(["lint", "--format", "json", path]).current_dir(dir).env("PATH", on_path).run();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    run
}

const CONFIGMAP: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  region: westeurope\n";

/// A patch: a partial Deployment, which as a whole object would miss probes, resources and
/// every security setting.
const REPLICAS_PATCH: &str = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 3\n";

/// An Ingress template a default value switches off, with a comment outside its `if`.
const INGRESS_TEMPLATE: &str = "# The Ingress, when enabled.\n{{- if .Values.ingress.enabled }}\napiVersion: networking.k8s.io/v1\n\
                                kind: Ingress\nmetadata:\n  name: web\nspec:\n  rules: []\n{{- end }}\n";

/// Ordinary content of a platform repository, none of it a gen spec.
fn ordinary() -> tempfile::TempDir {
    repository(&[
        ("k8s/base/configmap.yaml", CONFIGMAP),
        ("k8s/base/kustomization.yaml", "resources:\n  - configmap.yaml\n"),
        (
            "k8s/overlays/prod/kustomization.yaml",
            "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - ../../base\n\
             patches:\n  - path: replicas.yaml\n",
        ),
        ("k8s/overlays/prod/replicas.yaml", REPLICAS_PATCH),
        ("chart/Chart.yaml", "apiVersion: v2\nname: web\nversion: 0.1.0\n"),
        ("chart/values.yaml", "ingress:\n  enabled: false\n"),
        ("chart/templates/ingress.yaml", INGRESS_TEMPLATE),
        ("chart/templates/configmap.yaml", CONFIGMAP),
        (
            ".github/actions/setup/action.yaml",
            "name: setup\nruns:\n  using: composite\n  steps:\n    - run: echo ready\n      shell: bash\n",
        ),
        (
            "terraform/.terraform.lock.hcl",
            "provider \"registry.terraform.io/hashicorp/azurerm\" {\n  version = \"4.79.0\"\n  hashes = [\"h1:x\"]\n}\n",
        ),
        ("terraform/prod.tfvars.json", "{\"location\": \"westeurope\"}\n"),
        ("docs/mkdocs.yml", "site_name: Platform\nnav:\n  - index.md\n"),
        ("docker/Dockerfile.j2", "FROM {{ base_image }}\n{% for p in packages %}RUN install {{ p }}\n{% endfor %}\n"),
    ])
}

#[test]
fn each_file_a_repository_holds_named_alone_is_checked_by_its_family_or_noted_never_a_spec_error() {
    let repo = ordinary();
    // (file, what gen says about it: the codes of its findings)
    let cases: [(&str, &[&str]); 10] = [
        ("k8s/base/kustomization.yaml", &[]),
        ("k8s/overlays/prod/kustomization.yaml", &[]),
        ("chart/values.yaml", &[]),
        ("chart/templates/ingress.yaml", &[]),
        ("chart/Chart.yaml", &[]),
        (".github/actions/setup/action.yaml", &["GEN005"]),
        ("terraform/.terraform.lock.hcl", &["GEN005"]),
        ("terraform/prod.tfvars.json", &["GEN005"]),
        ("docs/mkdocs.yml", &["GEN005"]),
        ("docker/Dockerfile.j2", &["GEN005"]),
    ];
    for (file, codes) in cases {
        let run = lint(repo.path(), file);
        assert_eq!(run.codes(), codes.iter().map(|c| c.to_string()).collect::<Vec<_>>(), "{file}: {}", run.stdout);
        assert_eq!(run.code, 0, "{file}: {}", run.stdout);
    }
}

#[test]
fn a_walk_of_ordinary_repository_content_exits_0_and_takes_no_patch_for_an_object() {
    let repo = ordinary();
    let run = lint(repo.path(), ".");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.problems(), vec![], "{}", run.stdout);
    assert!(!run.stdout.contains("replicas.yaml"), "{}", run.stdout);
}

#[test]
fn a_file_that_says_it_is_a_gen_spec_is_one_named_or_walked_even_broken() {
    let repo = repository(&[("deploy/project.yaml", "apiVersion: gen/v1\nkind: Projcet\nmetadata: {name: shop}\n")]);
    for path in ["deploy/project.yaml", "."] {
        let run = lint(repo.path(), path);
        assert_eq!(run.code, 2, "{path}: {}", run.stdout);
        assert!(run.codes().iter().all(|c| c.starts_with("SPEC")), "{path}: {}", run.stdout);
    }
}

#[test]
fn yaml_without_an_api_version_is_a_spec_only_when_it_was_meant_as_one() {
    let repo = repository(&[
        ("spec.yaml", "metadata: {name: shop}\n"),
        ("project.yaml", "kind: Project\nmetadata: {name: shop}\n"),
        ("new.yaml", "# the spec of the shop, to be written\n"),
        ("values-prod.yaml", "replicas: 3\n"),
    ]);
    for meant in ["spec.yaml", "project.yaml", "new.yaml"] {
        let run = lint(repo.path(), meant);
        assert_eq!(run.code, 2, "{meant}: {}", run.stdout);
        assert!(run.codes().iter().all(|c| c.starts_with("SPEC")), "{meant}: {}", run.stdout);
    }
    let run = lint(repo.path(), "values-prod.yaml");
    assert_eq!((run.code, run.codes()), (0, vec!["GEN005".to_string()]), "{}", run.stdout);
}

#[test]
fn an_overlay_linted_alone_checks_the_base_its_kustomization_names() {
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    \
                      matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      \
                      containers:\n        - name: web\n          image: nginx:latest\n";
    let repo = repository(&[
        ("base/deployment.yaml", deployment),
        ("base/kustomization.yaml", "resources: [deployment.yaml]\n"),
        ("overlays/prod/kustomization.yaml", "resources: [../../base]\npatches:\n  - path: replicas.yaml\n"),
        ("overlays/prod/replicas.yaml", REPLICAS_PATCH),
    ]);
    let run = lint(repo.path(), "overlays/prod");
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let files: Vec<&str> =
        report["diagnostics"].as_array().expect("list").iter().filter_map(|d| d["file"].as_str()).collect();
    assert!(run.codes().contains(&"K8S040".to_string()), "the base's latest tag: {}", run.stdout);
    assert!(files.iter().all(|f| *f == "base/deployment.yaml"), "{files:?}");
}

#[test]
fn a_template_of_objects_outside_a_chart_is_noted_as_a_template_with_how_to_check_it() {
    let template = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Values.name }}\nspec:\n  replicas: {{ .Values.n }}\n";
    let repo = repository(&[("manifests/deployment.yaml", template), ("docs/mkdocs.yml", "site_name: x\n")]);
    let run = lint(repo.path(), "manifests/deployment.yaml");
    assert_eq!((run.code, run.codes()), (0, vec!["GEN005".to_string()]), "{}", run.stdout);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("json");
    let d = &report["diagnostics"][0];
    let (message, help) = (d["message"].as_str().unwrap_or(""), d["help"].as_str().unwrap_or(""));
    assert!(message.contains("is a template") && !message.contains("not a gen spec"), "{message}");
    assert!(help.contains("gen lint rendered.yaml") && help.contains("templates/"), "{help}");
    // Any other YAML is still "not a manifest".
    let run = lint(repo.path(), "docs/mkdocs.yml");
    assert!(run.stdout.contains("a Kubernetes manifest (`apiVersion:` and `kind:`)"), "{}", run.stdout);
}

#[test]
fn a_yaml_file_too_large_to_read_is_passed_over_with_a_note_and_the_walk_goes_on() {
    // A vendored bundle of CRDs over the 16 MiB gen reads of one file.
    let crd = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.com\n\
               spec:\n  group: example.com\n  description: |\n";
    let filler = format!("    {}\n", "x".repeat(120));
    let bundle = format!("{crd}{}", filler.repeat(17 * 1024 * 1024 / filler.len()));
    let configmap = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  DEBUG: yes\n";
    let repo = repository(&[("crds/bundle.yaml", &bundle), ("k8s/configmap.yaml", configmap)]);
    let run = lint(repo.path(), ".");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let found = run.findings();
    assert!(found.contains(&("GEN005".to_string(), 0, 0)), "{found:?}");
    assert!(found.iter().any(|f| f.0 == "K8S003"), "the walk goes on past it: {found:?}");
    assert!(run.stdout.contains("crds/bundle.yaml is not checked"), "{}", run.stdout);
}

#[test]
fn a_committed_kubeconfig_is_read_and_its_token_or_client_key_is_a_credential_in_plain_text() {
    let kubeconfig = |user: &str| {
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n  - name: prod\n    cluster: {{server: https://prod.example.com}}\n\
             contexts:\n  - name: prod\n    context: {{cluster: prod, user: ci}}\ncurrent-context: prod\nusers:\n  - name: ci\n    \
             user:\n{user}"
        )
    };
    let token = kubeconfig("      token: eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln\n");
    let key = kubeconfig(
        "      client-certificate-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0t\n      client-key-data: LS0tLS1CRUdJTiBSU0EgUFJJVkFURSBLRVktLS0tLQ==\n",
    );
    let file_token = kubeconfig("      tokenFile: /var/run/secrets/token\n");
    let repo =
        repository(&[("deploy/kubeconfig", &token), ("ops/.kube/config", &key), ("ops/prod.kubeconfig", &file_token)]);
    let run = lint(repo.path(), ".");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(run.findings(), [("K8S055".into(), 13, 14), ("K8S055".into(), 14, 24)], "{}", run.stdout);
    assert!(run.stdout.contains("bearer token of the user `ci`"), "{}", run.stdout);
    assert!(run.stdout.contains("client certificate's private key"), "{}", run.stdout);
}
