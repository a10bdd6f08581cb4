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
    manifests(&root, &out_dir, &mut code);
    std::fs::write(out_dir.join("blueprints.rs"), code).expect("write blueprints.rs");
    terraform_schemas(&out_dir);
}

/// The values of `src/yaml/scalar.rs`, which resolves a plain scalar as gen's YAML reader does:
/// the built-in manifests are read here with the same parser and the same resolution.
#[allow(dead_code)]
enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}
#[allow(dead_code)]
#[path = "src/yaml/scalar.rs"]
mod scalar;

/// Each built-in blueprint's `blueprint.yaml` as JSON (`MANIFESTS`, by folder): parsing the 40
/// KB of the base blueprint's was a quarter of `gen render --check` on the thread that decides
/// its time. A test holds each equal to what gen's reader makes of the YAML
/// (`every_built_in_manifest_is_its_yaml_as_gen_reads_it`).
fn manifests(root: &Path, out_dir: &Path, code: &mut String) {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("read blueprints/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("blueprint.yaml").is_file())
        .collect();
    dirs.sort();
    std::fs::create_dir_all(out_dir.join("blueprint-manifests")).expect("mkdir blueprint-manifests");
    code.push_str(
        "/// Each built-in blueprint's manifest as JSON, by folder.\npub static MANIFESTS: &[(&str, &str)] = &[\n",
    );
    for dir in dirs {
        let name = dir.file_name().expect("a folder name").to_string_lossy().into_owned();
        let path = dir.join("blueprint.yaml");
        let text = std::fs::read_to_string(&path).expect("read a blueprint.yaml");
        let json = yaml_to_json(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let embedded = format!("blueprint-manifests/{name}.json");
        std::fs::write(out_dir.join(&embedded), json.to_string()).expect("write a manifest");
        let _ =
            writeln!(code, "    ({name:?}, include_str!(concat!(env!(\"OUT_DIR\"), {:?}))),", format!("/{embedded}"));
    }
    code.push_str("];\n");
}

/// One YAML document as JSON, its aliases expanded; a built-in manifest uses no tag, so one
/// is refused.
fn yaml_to_json(text: &str) -> Result<serde_json::Value, String> {
    use saphyr_parser::{Event, Parser, ScalarStyle};
    use serde_json::Value as J;
    enum Open {
        Seq(Vec<J>),
        Map(serde_json::Map<String, J>, Option<String>),
    }
    // Each open collection with its anchor (0: none), and each anchored node read so far.
    let mut stack: Vec<(Open, usize)> = Vec::new();
    let mut anchors: std::collections::HashMap<usize, J> = std::collections::HashMap::new();
    let mut root = None;
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| e.to_string())?;
        let at = span.start.line();
        let (value, anchor) = match event {
            Event::Scalar(_, _, _, Some(_)) | Event::SequenceStart(_, Some(_)) | Event::MappingStart(_, Some(_)) => {
                return Err(format!("line {at}: no tag in a built-in manifest"));
            }
            Event::Scalar(text, style, anchor, None) => {
                let plain = style == ScalarStyle::Plain;
                // A key is held as gen's reader holds it: as written, its value's text.
                let value = if plain && matches!(stack.last(), Some((Open::Map(_, None), _))) {
                    J::String(text.into_owned())
                } else if plain {
                    match scalar::resolve_plain(&text) {
                        Value::Null => J::Null,
                        Value::Bool(b) => J::Bool(b),
                        Value::Int(i) => J::from(i),
                        Value::Float(f) => {
                            serde_json::Number::from_f64(f).map_or_else(|| J::String(f.to_string()), J::Number)
                        }
                        Value::Str(s) => J::String(s),
                    }
                } else {
                    J::String(text.into_owned())
                };
                (value, anchor)
            }
            Event::SequenceStart(anchor, None) => {
                stack.push((Open::Seq(Vec::new()), anchor));
                continue;
            }
            Event::MappingStart(anchor, None) => {
                stack.push((Open::Map(serde_json::Map::new(), None), anchor));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some((Open::Seq(items), anchor)) => (J::Array(items), anchor),
                Some((Open::Map(map, _), anchor)) => (J::Object(map), anchor),
                None => return Err(format!("line {at}: an end with nothing open")),
            },
            Event::Alias(id) => match anchors.get(&id) {
                Some(value) => (value.clone(), 0),
                None => return Err(format!("line {at}: an alias of no anchor before it")),
            },
            _ => continue,
        };
        if anchor != 0 {
            anchors.insert(anchor, value.clone());
        }
        match stack.last_mut() {
            Some((Open::Seq(items), _)) => items.push(value),
            Some((Open::Map(map, key), _)) => match key.take() {
                None => match value {
                    J::String(k) => *key = Some(k),
                    _ => return Err(format!("line {at}: a key that is not a scalar")),
                },
                Some(k) => {
                    if map.insert(k.clone(), value).is_some() {
                        return Err(format!("line {at}: the key `{k}` appears twice"));
                    }
                }
            },
            None if root.is_none() => root = Some(value),
            None => return Err(format!("line {at}: a second document")),
        }
    }
    root.ok_or_else(|| "an empty manifest".to_string())
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
