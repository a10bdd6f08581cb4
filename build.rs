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
        let rel = rel.join("/");
        let _ = writeln!(
            code,
            "    ({provider:?}, {data}, {name:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), {:?}))),",
            format!("/schemas/terraform/{rel}")
        );
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("terraform_schemas.rs"), code).expect("write terraform_schemas.rs");
}
