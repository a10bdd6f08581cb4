//! `gen lint` on Terraform folders: a module is a folder (its files are read together, a
//! subfolder is another module), `.tfvars` files are read, and a platform written the way
//! gen renders it (local modules, pinned providers, Entra ID backend, subjects built from
//! variables, an ignored autoscaled node count) draws no finding.

use crate::common;

use std::path::Path;

use common::{Gen, fixture};

/// Copies a fixture folder into a temporary one.
fn copy(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).expect("under the fixture");
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn edit(file: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(file).expect("read");
    assert!(text.contains(from), "{}: {from}", file.display());
    std::fs::write(file, text.replace(from, to)).expect("write");
}

/// (code, file name, line) of each finding of `gen lint --format json DIR`.
fn findings(dir: &Path) -> (i32, Vec<(String, String, usize)>) {
    let run = Gen::new().args(["lint", "--format", "json"]).arg(dir).run();
    let report: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    let found = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or_default().replace('\\', "/");
            let line = d["location"]["line"].as_u64().unwrap_or(0) as usize;
            (d["code"].as_str().unwrap_or_default().to_string(), file, line)
        })
        .collect();
    (run.code, found)
}

#[test]
fn a_platform_written_as_gen_renders_it_draws_no_finding() {
    let (code, found) = findings(&fixture("terraform-module/platform"));
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
}

#[test]
fn every_module_folder_and_the_tfvars_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    copy(&fixture("terraform-module/platform"), dir.path());
    edit(&dir.path().join("modules/github-oidc/main.tf"), "refs/heads/${var.github_branch}", "refs/heads/*");
    edit(
        &dir.path().join("modules/aks/main.tf"),
        "local_account_disabled    = true",
        "local_account_disabled    = false",
    );
    edit(&dir.path().join("terraform.tfvars"), "aks_name", "block {}\naks_name");
    let (code, found) = findings(dir.path());
    let has = |rule: &str, file: &str| found.iter().any(|(c, f, _)| c == rule && f.ends_with(file));
    assert!(has("TF010", "modules/github-oidc/main.tf"), "{found:?}");
    assert!(has("TF012", "modules/aks/main.tf"), "{found:?}");
    assert!(has("TF001", "terraform.tfvars"), "{found:?}");
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(code, 1);
}

const IDENTITY: &str = r#"resource "azurerm_user_assigned_identity" "ci" {
  name                = "shop-ci"
  resource_group_name = "shop-rg"
  location            = "westeurope"
}
"#;

fn push(name: &str, registry: &str) -> String {
    format!(
        r#"resource "azurerm_role_assignment" "{name}" {{
  scope                = azurerm_container_registry.{registry}.id
  role_definition_name = "AcrPush"
  principal_id         = azurerm_user_assigned_identity.ci.principal_id
}}
"#
    )
}

#[test]
fn role_assignments_in_two_files_of_one_module_are_related() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("identity.tf"), IDENTITY).expect("write");
    std::fs::write(dir.path().join("shop.tf"), push("shop", "shop")).expect("write");
    std::fs::write(dir.path().join("blog.tf"), push("blog", "blog")).expect("write");
    let (code, found) = findings(dir.path());
    assert_eq!(found.iter().map(|(c, _, _)| c.as_str()).collect::<Vec<_>>(), ["TF008"], "{found:?}");
    assert_eq!(code, 1);
}

/// A module large enough that gen parses its files on two threads (over 64 KiB): findings
/// keep their files and order, and a rule that relates two files still sees both halves.
#[test]
fn a_large_module_is_read_whole_and_its_findings_keep_their_files() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("a_identity.tf"), IDENTITY).expect("write");
    std::fs::write(dir.path().join("b_shop.tf"), push("shop", "shop")).expect("write");
    let unknown = "resource \"azurerm_resource_group\" \"extra\" {\n  name     = \"extra\"\n  location = \"westeurope\"\n  colour   = \"red\"\n}\n";
    std::fs::write(dir.path().join("c_unknown.tf"), unknown).expect("write");
    let padding = "# Nothing but a comment line, to make the module large.\n".repeat(40);
    for i in 0..40 {
        std::fs::write(dir.path().join(format!("m_{i:02}.tf")), &padding).expect("write");
    }
    std::fs::write(dir.path().join("y_unknown.tf"), unknown.replace("extra", "other")).expect("write");
    std::fs::write(dir.path().join("z_blog.tf"), push("blog", "blog")).expect("write");
    let (code, found) = findings(dir.path());
    let names = |(c, f, l): &(String, String, usize)| {
        (c.clone(), Path::new(f).file_name().map(|n| n.to_string_lossy().into_owned()), *l)
    };
    assert_eq!(
        found.iter().map(names).collect::<Vec<_>>(),
        [
            ("TF002".to_string(), Some("c_unknown.tf".to_string()), 4),
            ("TF002".to_string(), Some("y_unknown.tf".to_string()), 4),
            ("TF008".to_string(), Some("z_blog.tf".to_string()), 2),
        ],
        "{found:?}"
    );
    assert_eq!(code, 1);
}

#[test]
fn role_assignments_in_two_modules_are_not_related() {
    let dir = tempfile::tempdir().expect("tempdir");
    for (module, registry) in [("shop", "shop"), ("blog", "blog")] {
        let m = dir.path().join(module);
        std::fs::create_dir(&m).expect("mkdir");
        std::fs::write(m.join("identity.tf"), IDENTITY).expect("write");
        std::fs::write(m.join("push.tf"), push(module, registry)).expect("write");
    }
    let (code, found) = findings(dir.path());
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
}

#[test]
fn a_module_pinned_to_another_major_version_is_not_checked_against_the_4x_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pool = r#"resource "azurerm_kubernetes_cluster_node_pool" "user" {
  name                  = "user"
  kubernetes_cluster_id = "x"
  vm_size               = "Standard_D2ds_v5"
  orchestrator_version  = "1.36"
  enable_auto_scaling   = false
}
"#;
    std::fs::write(dir.path().join("main.tf"), pool).expect("write");
    let (_, found) = findings(dir.path());
    assert_eq!(found.iter().map(|(c, _, _)| c.as_str()).collect::<Vec<_>>(), ["TF007"], "{found:?}");
    let versions = "terraform {\n  required_providers {\n    azurerm = { source = \"hashicorp/azurerm\", version = \"~> 3.117\" }\n  }\n}\n";
    std::fs::write(dir.path().join("versions.tf"), versions).expect("write");
    let (code, found) = findings(dir.path());
    assert_eq!(found, vec![]);
    assert_eq!(code, 0);
}

// A setting that comes from a variable is judged by the values the variable takes.

/// `gen lint --format json PATH` on a fixture of `terraform-module/variables`: each finding
/// as (code, file, line, message).
fn variables(path: &str) -> Vec<(String, String, usize, String)> {
    let root = fixture("terraform-module/variables/");
    let run = Gen::new().args(["lint", "--format", "json"]).arg(root.join(path)).run();
    let root = root.display().to_string();
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let file = d["file"].as_str().unwrap_or_default().replace('\\', "/");
            let file = file.rsplit_once("variables/").map_or(file.clone(), |(_, f)| f.to_string());
            let line = d["location"]["line"].as_u64().unwrap_or(0) as usize;
            let message = d["message"].as_str().unwrap_or_default().replace(&root, "");
            (d["code"].as_str().unwrap_or_default().to_string(), file, line, message)
        })
        .collect()
}

#[test]
fn a_setting_from_a_variable_is_judged_by_its_default_and_the_tfvars_given() {
    let found = variables("default-fires");
    assert_eq!(found.len(), 1, "{found:?}");
    let (code, file, line, message) = &found[0];
    assert_eq!((code.as_str(), file.as_str(), *line), ("TF021", "default-fires/main.tf", 14));
    assert!(message.ends_with("(var.rbac = false: its default, default-fires/main.tf:5)"), "{message}");
    let found = variables("tfvars-fires");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!((found[0].0.as_str(), found[0].1.as_str(), found[0].2), ("TF021", "tfvars-fires/main.tf", 14));
    assert!(found[0].3.ends_with("(var.rbac = false: tfvars-fires/prod.tfvars:2)"), "{}", found[0].3);
    for near_miss in ["default-passes", "tfvars-passes"] {
        assert_eq!(variables(near_miss), vec![], "{near_miss}");
    }
}

#[test]
fn a_module_called_with_a_literal_is_checked_with_it_even_when_only_its_caller_is_named() {
    for named in ["module-fires", "module-fires/main.tf"] {
        let found = variables(named);
        assert_eq!(found.len(), 1, "{named}: {found:?}");
        let (code, file, line, message) = &found[0];
        assert_eq!((code.as_str(), file.as_str(), *line), ("TF021", "module-fires/modules/aks/main.tf", 14), "{named}");
        assert!(message.ends_with("(var.rbac = false: `module \"aks\"` in module-fires/main.tf:2)"), "{message}");
    }
    assert_eq!(variables("module-passes"), vec![]);
    // Alone, the module is judged by its own default, which keeps RBAC on.
    assert_eq!(variables("module-fires/modules/aks"), vec![]);
}

#[test]
fn values_follow_locals_and_a_caller_s_own_variables_and_stop_where_they_are_unknown() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cluster = std::fs::read_to_string(fixture("terraform-module/variables/default-passes/main.tf")).expect("read");
    let cluster = cluster.replace("default     = true", "default     = null").replace("= var.rbac", "= local.rbac");
    let module = dir.path().join("modules/aks");
    std::fs::create_dir_all(&module).expect("mkdir");
    std::fs::write(module.join("main.tf"), format!("{cluster}\nlocals {{\n  rbac = var.rbac\n}}\n")).expect("write");
    let root = "variable \"secure\" {\n  type    = bool\n  default = false\n}\n\nmodule \"aks\" {\n  source = \"./modules/aks\"\n  \
                rbac   = var.secure\n}\n\nmodule \"other\" {\n  source = \"./modules/aks\"\n  rbac   = data.x.y\n}\n";
    std::fs::write(dir.path().join("main.tf"), root).expect("write");
    let (_, found) = findings(dir.path());
    // Once through `module "aks"` (var.secure's default, false); `module "other"` passes
    // something gen cannot tell, and the module's own default is null.
    assert_eq!(found.iter().filter(|f| f.0 == "TF021").count(), 1, "{found:?}");
}

#[test]
fn a_setting_of_a_for_each_resource_is_judged_by_each_entry_of_its_map() {
    // `admin_enabled = each.value.admin_enabled` over a map a `.tfvars` gives: the entry that
    // enables it is named; a map that enables it nowhere, or one gen cannot read, is not judged.
    let dir = tempfile::tempdir().expect("tempdir");
    let main = "variable \"registries\" {\n  type = map(object({ sku = string, admin_enabled = bool }))\n}\n\n\
                resource \"azurerm_container_registry\" \"this\" {\n  for_each            = var.registries\n  \
                name                = each.key\n  resource_group_name = \"shop-rg\"\n  location            = \"westeurope\"\n  \
                sku                 = each.value.sku\n  admin_enabled       = each.value[\"admin_enabled\"]\n}\n";
    std::fs::write(dir.path().join("main.tf"), main).expect("write");
    let tfvars = "registries = {\n  shopacr   = { sku = \"Standard\", admin_enabled = false }\n  \
                  legacyacr = { sku = \"Basic\", admin_enabled = true }\n}\n";
    std::fs::write(dir.path().join("prod.tfvars"), tfvars).expect("write");
    let run = Gen::new().args(["lint", "--format", "json"]).arg(dir.path()).run();
    let (code, found) = findings(dir.path());
    let found: Vec<(String, usize)> =
        found.into_iter().map(|(c, f, l)| (c, f.ends_with("/main.tf") as usize * l)).collect();
    assert_eq!((code, found), (1, vec![("TF011".to_string(), 11)]), "{}", run.stdout);
    assert!(run.stdout.contains("azurerm_container_registry.this[\\\"legacyacr\\\"]"), "{}", run.stdout);
    assert!(run.stdout.contains("prod.tfvars:1"), "{}", run.stdout);
    edit(&dir.path().join("prod.tfvars"), "admin_enabled = true", "admin_enabled = false");
    assert_eq!(findings(dir.path()), (0, Vec::new()));
}
