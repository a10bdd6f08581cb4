//! Terraform (`*.tf`, parsed with hcl-edit; `*.tfvars`): the resource group, AKS cluster, node
//! pool, registry and DNS zone of azurerm, its remote-state backend, and whether the code is
//! AWS's. A value is read where it is written literally, or through a variable's default, a
//! tfvars assignment, or another resource's literal attribute (`azurerm_resource_group.x.name`).

use std::collections::BTreeMap;

use hcl_edit::Span as _;
use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use super::model::{Facts, Kind, Origin, Platform};
use super::walk::RepoFile;
use crate::diag::Source;
use crate::lint::terraform::hcl;
use crate::platform::{aws, azure};

/// A parsed file and its text.
pub struct Parsed {
    source: std::sync::Arc<Source>,
    body: Body,
}

/// Parses a `.tf` or `.tfvars` file, or says why not.
pub fn parse(file: &RepoFile) -> Result<Parsed, String> {
    let text = crate::lint::terraform::hcl_text(&file.text).into_owned();
    match hcl_edit::parser::parse_body(&text) {
        Ok(body) => Ok(Parsed { source: Source::new(file.rel.clone(), text), body }),
        Err(e) => Err(format!("not HCL Terraform reads: {}", e.message())),
    }
}

/// Literal values by name: `var.NAME` (defaults, then tfvars over them), and resources'
/// attributes (`azurerm_resource_group.main.name`).
#[derive(Default)]
struct Values(BTreeMap<String, (String, Origin)>);

impl Values {
    /// The literal value of an expression, and where it is written.
    fn of(&self, file: &Parsed, expr: &Expression) -> Option<(String, Origin)> {
        if let Some(s) = hcl::string(expr) {
            return Some((s, origin(file, expr)));
        }
        if let Some(n) = hcl::whole_number(expr) {
            return Some((n.to_string(), origin(file, expr)));
        }
        if let Expression::Traversal(_) | Expression::Variable(_) = expr {
            let refs = hcl::references(expr);
            return refs.first().and_then(|r| self.0.get(r)).cloned();
        }
        None
    }
}

fn origin(file: &Parsed, expr: &Expression) -> Origin {
    Origin::new(file.source.name(), file.source.position(hcl::span(expr.span())).line)
}

/// Reads every Terraform file into the platform's facts.
pub fn read(files: &[Parsed], platform: &mut Platform) {
    let mut values = Values::default();
    // Variables' defaults, then tfvars over them (Terraform's own order).
    for file in files.iter().filter(|f| f.source.name().ends_with(".tf")) {
        for v in hcl::blocks(&file.body, "variable") {
            if let (Some(name), Some(default)) = (hcl::labels(v).first(), hcl::value(&v.body, "default"))
                && let Some(val) = values.of(file, default)
            {
                values.0.insert(format!("var.{name}"), val);
            }
        }
    }
    // The files Terraform loads itself (`terraform.tfvars`, `*.auto.tfvars`) first; then the
    // ones an environment names with -var-file (`dev.tfvars`, `prod.tfvars`): those are not
    // merged: where they disagree the first one's value is written, and a TODO says so.
    let auto = |f: &&Parsed| {
        let name = f.source.name().rsplit('/').next().unwrap_or_default();
        name == "terraform.tfvars" || name.ends_with(".auto.tfvars")
    };
    let tfvars: Vec<&Parsed> = files.iter().filter(|f| f.source.name().ends_with(".tfvars")).collect();
    for file in tfvars.iter().filter(|f| auto(f)) {
        for attr in file.body.attributes() {
            if let Some(val) = values.of(file, &attr.value) {
                values.0.insert(format!("var.{}", attr.key.as_str()), val);
            }
        }
    }
    let mut by_environment: BTreeMap<String, Vec<(String, Origin)>> = BTreeMap::new();
    for file in tfvars.iter().filter(|f| !auto(f)) {
        for attr in file.body.attributes() {
            if let Some(val) = values.of(file, &attr.value) {
                by_environment.entry(attr.key.as_str().to_string()).or_default().push(val);
            }
        }
    }
    for (name, set) in by_environment {
        let Some(first) = set.first().cloned() else { continue };
        if set.iter().any(|(v, _)| *v != first.0) {
            let said: Vec<String> = set.iter().map(|(v, o)| format!("{o} says `{v}`")).collect();
            platform.todos.push(format!(
                "the tfvars files of several environments set var.{name} differently ({}): the first is written; \
                 the spec describes one environment: write its value",
                said.join(", ")
            ));
        }
        values.0.insert(format!("var.{name}"), first);
    }
    // Resources' literal attributes, for references between them.
    for file in files {
        for r in hcl::blocks(&file.body, "resource") {
            if let [kind, name] = hcl::labels(r)[..] {
                for key in ["name", "location", "resource_group_name"] {
                    if let Some(e) = hcl::value(&r.body, key)
                        && let Some(val) = values.of(file, e)
                    {
                        values.0.insert(format!("{kind}.{name}.{key}"), val);
                    }
                }
            }
        }
    }
    for file in files {
        let set = |facts: &mut Facts<String>, body: &Body, key: &str| {
            if let Some(e) = hcl::value(body, key)
                && let Some((v, o)) = values.of(file, e)
            {
                facts.add(v, o, Kind::Terraform);
            }
        };
        let count = |facts: &mut Facts<u32>, body: &Body, key: &str| {
            if let Some(e) = hcl::value(body, key)
                && let Some((v, o)) = values.of(file, e)
                && let Ok(n) = v.parse::<u32>()
            {
                facts.add(n, o, Kind::Terraform);
            }
        };
        for p in hcl::blocks(&file.body, "provider") {
            match hcl::labels(p).first().copied() {
                Some(azure::TERRAFORM_PROVIDER) => platform.azure.push(at_block(file, p)),
                Some(aws::TERRAFORM_PROVIDER) => platform.aws.push(at_block(file, p)),
                _ => {}
            }
        }
        for t in hcl::blocks(&file.body, "terraform") {
            for b in hcl::blocks(&t.body, "backend") {
                match hcl::labels(b).first().copied() {
                    Some("azurerm") => {
                        platform.azure.push(at_block(file, b));
                        set(&mut platform.state_resource_group, &b.body, "resource_group_name");
                        set(&mut platform.state_storage_account, &b.body, "storage_account_name");
                        set(&mut platform.state_container, &b.body, "container_name");
                        set(&mut platform.state_key, &b.body, "key");
                    }
                    Some("s3") => platform.aws.push(at_block(file, b)),
                    _ => {}
                }
            }
        }
        for r in hcl::blocks(&file.body, "resource") {
            let Some(kind) = hcl::labels(r).first().copied() else { continue };
            if kind.starts_with("aws_") {
                platform.aws.push(at_block(file, r));
                continue;
            }
            if !kind.starts_with("azurerm_") {
                continue;
            }
            platform.azure.push(at_block(file, r));
            let body = &r.body;
            match kind {
                "azurerm_resource_group" => {
                    set(&mut platform.resource_group, body, "name");
                    set(&mut platform.location, body, "location");
                }
                "azurerm_kubernetes_cluster" => {
                    set(&mut platform.aks_name, body, "name");
                    set(&mut platform.kubernetes_version, body, "kubernetes_version");
                    set(&mut platform.location, body, "location");
                    set(&mut platform.resource_group, body, "resource_group_name");
                    if let Some(pool) = hcl::block(body, "default_node_pool") {
                        set(&mut platform.vm_size, &pool.body, "vm_size");
                        count(&mut platform.node_count, &pool.body, "node_count");
                        count(&mut platform.min_count, &pool.body, "min_count");
                        count(&mut platform.max_count, &pool.body, "max_count");
                        count(&mut platform.disk_size_gb, &pool.body, "os_disk_size_gb");
                    }
                }
                "azurerm_container_registry" => {
                    set(&mut platform.acr_name, body, "name");
                    set(&mut platform.acr_sku, body, "sku");
                }
                "azurerm_dns_zone" => set(&mut platform.dns_zone, body, "name"),
                _ => {}
            }
        }
    }
}

fn at_block(file: &Parsed, block: &Block) -> Origin {
    Origin::new(file.source.name(), file.source.position(hcl::header(block)).line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cluster_s_names_come_through_variables_and_references() {
        let main = RepoFile {
            rel: "infra/main.tf".into(),
            text: "terraform {\n  backend \"azurerm\" {\n    resource_group_name  = \"tfstate-rg\"\n    storage_account_name = \"acmestate\"\n    container_name       = \"tfstate\"\n  }\n}\nresource \"azurerm_resource_group\" \"rg\" {\n  name     = var.rg\n  location = \"westeurope\"\n}\nresource \"azurerm_kubernetes_cluster\" \"aks\" {\n  name                = \"shop-aks\"\n  resource_group_name = azurerm_resource_group.rg.name\n  location            = azurerm_resource_group.rg.location\n  default_node_pool {\n    name    = \"default\"\n    vm_size = \"Standard_B2s\"\n    min_count = 1\n    max_count = 3\n  }\n}\nvariable \"rg\" {\n  default = \"shop-rg\"\n}\n".into(),
        };
        let parsed = [parse(&main).expect("parses")];
        let mut p = Platform::default();
        read(&parsed, &mut p);
        assert_eq!(p.resource_group.pick().map(|f| (f.value.as_str(), f.from.line)), Some(("shop-rg", 24)));
        assert_eq!(p.location.pick().map(|f| f.value.as_str()), Some("westeurope"));
        assert_eq!(p.aks_name.pick().map(|f| f.from.to_string()), Some("infra/main.tf:13".into()));
        assert_eq!(p.vm_size.pick().map(|f| f.value.as_str()), Some("Standard_B2s"));
        assert_eq!(p.max_count.pick().map(|f| f.value), Some(3));
        assert_eq!(p.state_storage_account.pick().map(|f| f.value.as_str()), Some("acmestate"));
        assert!(!p.azure.is_empty() && p.aws.is_empty());
    }
}
