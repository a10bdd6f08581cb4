//! Embeds `blueprints/` and the Terraform provider schemas (`schemas/terraform/`) in the binary
//! so an installed gen needs no checkout.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR")).join("blueprints");
    println!("cargo:rerun-if-changed=blueprints");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    let mut code = String::from(
        "/// Every file under `blueprints/`, by path relative to it.\npub static EMBEDDED: &[(&str, &[u8])] = &[\n",
    );
    for file in files {
        let rel = file.strip_prefix(&root).expect("under blueprints/").to_string_lossy().replace('\\', "/");
        // Through CARGO_MANIFEST_DIR, not an absolute path: a target folder shared by two
        // checkouts (CI's clone and a working copy) must not embed the other one's files.
        let _ = writeln!(
            code,
            "    ({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            format!("/blueprints/{rel}")
        );
    }
    code.push_str("];\n");
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(out_dir.join("blueprints.rs"), code).expect("write blueprints.rs");
    terraform_schemas(&out_dir);
}

/// `schemas/terraform/<provider>/[data/]<type>.json`, as (provider, is data source, type, JSON).
fn terraform_schemas(out_dir: &Path) {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"))
        .join("schemas/terraform");
    println!("cargo:rerun-if-changed=schemas/terraform");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.retain(|f| f.extension().is_some_and(|e| e == "json"));
    files.sort();
    let mut code = String::from(
        "/// Every provider schema under `schemas/terraform/`: (provider, data source, type, JSON).\npub static TERRAFORM_SCHEMAS: &[(&str, bool, &str, &str)] = &[\n",
    );
    for file in files {
        let rel: Vec<String> = file
            .strip_prefix(&root)
            .expect("under schemas/terraform/")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let (provider, data) = match rel.as_slice() {
            [p, _] => (p.clone(), false),
            [p, d, _] if d == "data" => (p.clone(), true),
            _ => continue,
        };
        let name = file.file_stem().expect("a file name").to_string_lossy().into_owned();
        // Embedded without what the lint never reads (descriptions) and without white space:
        // the 470 KB as checked in parse in a third of the time (a one-service lint parses
        // every schema its Terraform uses, before its first finding).
        let text = std::fs::read_to_string(&file).expect("read a provider schema");
        let mut schema: serde_json::Value = serde_json::from_str(&text).expect("a provider schema is JSON");
        strip_descriptions(&mut schema);
        let embedded = format!("terraform-schemas/{}", rel.join("-"));
        std::fs::create_dir_all(out_dir.join("terraform-schemas")).expect("mkdir terraform-schemas");
        std::fs::write(out_dir.join(&embedded), schema.to_string()).expect("write a provider schema");
        let _ = writeln!(
            code,
            "    ({provider:?}, {data}, {name:?}, include_str!(concat!(env!(\"OUT_DIR\"), {:?}))),",
            format!("/{embedded}")
        );
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("terraform_schemas.rs"), code).expect("write terraform_schemas.rs");
}

/// Removes the texts of a provider schema written for people (`description`,
/// `description_kind`, `deprecation_message`) from every attribute and block at every depth;
/// not from the maps of `attributes` and `block_types`, whose keys are argument names (an
/// argument may be called `description`), nor from type expressions.
fn strip_descriptions(value: &mut serde_json::Value) {
    strip(value, false);
    fn strip(value: &mut serde_json::Value, names: bool) {
        match value {
            serde_json::Value::Object(map) => {
                if !names {
                    map.retain(|key, _| {
                        !matches!(key.as_str(), "description" | "description_kind" | "deprecation_message")
                    });
                }
                // A `type` is a type expression (`["object", {"description": "string"}]`):
                // its maps are names too, and it holds no text for people.
                for (key, inner) in map.iter_mut().filter(|(key, _)| names || key.as_str() != "type") {
                    strip(inner, !names && matches!(key.as_str(), "attributes" | "block_types"));
                }
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(|item| strip(item, false)),
            _ => {}
        }
    }
}
