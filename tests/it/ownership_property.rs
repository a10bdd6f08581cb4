//! Random sequences of renders (with any of the flags), hand edits of gen's files and the
//! user's, files placed where gen writes, spec changes and deletions, over a temporary folder.
//! After every render: no byte written by hand is gone unless the render reports it lost under
//! the flag that names exactly that, and the manifest matches the files.

use std::collections::BTreeMap;
use std::path::Path;

use gen_core::output::{self, Allow, Owner};
use gen_core::pipeline::Session;
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Step {
    Render {
        discard_edits: bool,
        keep_edits: bool,
        overwrite_unowned: bool,
    },
    /// Writes by hand over the n-th file on disk.
    Edit(usize),
    /// Places a file by hand at the n-th planned path where nothing stands.
    Place(usize),
    /// Picks one of the spec variants.
    Spec(u8),
    /// Deletes the n-th file on disk.
    Delete(usize),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (any::<bool>(), any::<bool>(), any::<bool>()).prop_map(|(d, k, o)| Step::Render {
            discard_edits: d && !k,
            keep_edits: k,
            overwrite_unowned: o,
        }),
        3 => (0usize..64).prop_map(Step::Edit),
        1 => (0usize..64).prop_map(Step::Place),
        2 => (0u8..8).prop_map(Step::Spec),
        1 => (0usize..64).prop_map(Step::Delete),
    ]
}

/// The spec `gen init` writes, varied by port, service name, and a second service.
fn spec_variant(base: &str, v: u8) -> String {
    let mut s = base.to_string();
    if v & 1 == 1 {
        s = s.replace("port: 5000", "port: 5001");
    }
    if v & 2 == 2 {
        s = s.replace("  - name: \"shop\"", "  - name: \"api\"");
    }
    if v & 4 == 4 {
        s = s.replace("\nservices:\n", "\nservices:\n  - name: \"worker\"\n    port: 8080\n");
    }
    s
}

/// Every file under `out` but the manifest, relative, sorted.
fn disk_files(out: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(out)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(out).expect("inside").to_string_lossy().into_owned())
        .filter(|p| p != ".gen-manifest.json")
        .collect();
    files.sort();
    files
}

fn run(steps: Vec<Step>) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir().expect("tempdir");
    let session = Session::new(&[]).expect("catalog");
    let base = gen_core::render::example_spec(&session.catalog, "flask", "shop", "azure").expect("example");
    let spec = dir.path().join("spec.yaml");
    let out = dir.path().join("out");
    std::fs::write(&spec, spec_variant(&base, 0)).expect("write spec");
    // Bytes written by hand that must still be on disk, by path under `out`.
    let mut hand: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let mut counter = 0u32;
    for step in steps {
        match step {
            Step::Spec(v) => std::fs::write(&spec, spec_variant(&base, v)).expect("write spec"),
            Step::Edit(n) => {
                let files = disk_files(&out);
                if let Some(rel) = files.get(n % files.len().max(1)) {
                    counter += 1;
                    let bytes = format!("# edited by hand {counter}\n").into_bytes();
                    std::fs::write(out.join(rel), &bytes).expect("edit");
                    hand.insert(rel.clone(), bytes);
                }
            }
            Step::Place(n) => {
                let prepared = session.prepare(&spec, Some(&out)).ok().expect("prepare");
                let Ok(plan) = gen_core::render::render(&prepared.loaded, &session.catalog, &prepared.place) else {
                    panic!("the spec renders")
                };
                let free: Vec<&str> =
                    plan.files.iter().map(|f| f.path.as_str()).filter(|p| !out.join(p).exists()).collect();
                if let Some(rel) = free.get(n % free.len().max(1)) {
                    counter += 1;
                    let bytes = format!("placed by hand {counter}\n").into_bytes();
                    let path = out.join(rel);
                    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
                    std::fs::write(&path, &bytes).expect("place");
                    hand.insert(rel.to_string(), bytes);
                }
            }
            Step::Delete(n) => {
                let files = disk_files(&out);
                if let Some(rel) = files.get(n % files.len().max(1)) {
                    std::fs::remove_file(out.join(rel)).expect("rm");
                    hand.remove(rel);
                }
            }
            Step::Render { discard_edits, keep_edits, overwrite_unowned } => {
                let prepared = session.prepare(&spec, Some(&out)).ok().expect("prepare");
                let Ok(plan) = gen_core::render::render(&prepared.loaded, &session.catalog, &prepared.place) else {
                    panic!("the spec renders")
                };
                let allow = Allow { discard_edits, keep_edits, overwrite_unowned, take_over: false };
                let inputs = output::Inputs::new(&spec, "spec.yaml");
                let outcome = output::apply(&plan, &out, &inputs, &prepared.bytes, allow, output::Layout::default())
                    .expect("apply");
                for (rel, bytes) in hand.clone() {
                    if std::fs::read(out.join(&rel)).ok().as_deref() == Some(bytes.as_slice()) {
                        continue;
                    }
                    let under_flag = (discard_edits && outcome.discarded_edits.contains(&rel))
                        || (overwrite_unowned && outcome.overwrote_unowned.contains(&rel));
                    prop_assert!(under_flag, "{rel}: written by hand, lost without its flag ({allow:?}): {outcome:?}");
                    hand.remove(&rel);
                }
                let manifest = output::Manifest::read(&out).expect("manifest").expect("a manifest");
                for entry in &manifest.files {
                    let bytes = std::fs::read(out.join(&entry.path));
                    prop_assert!(bytes.is_ok(), "{} is in the manifest but not on disk", entry.path);
                    if entry.owner == Owner::Managed {
                        let matches = output::sha256(&bytes.expect("read")) == entry.sha256;
                        prop_assert!(
                            matches || hand.contains_key(&entry.path),
                            "{}: gen's, but neither gen's bytes nor a kept edit",
                            entry.path
                        );
                    }
                }
                let recorded: Vec<&str> = manifest.files.iter().map(|e| e.path.as_str()).collect();
                for file in plan.files.iter().filter(|f| f.ownership == gen_core::blueprint::Ownership::Managed) {
                    let kept = outcome.kept_edits.iter().chain(&outcome.kept_unowned).any(|k| k.path == file.path)
                        || recorded.contains(&file.path.as_str())
                            && manifest.files.iter().any(|e| e.path == file.path && e.owner == Owner::Released);
                    if !kept {
                        let on_disk = std::fs::read(out.join(&file.path)).expect("rendered file");
                        prop_assert_eq!(on_disk, file.bytes.clone(), "{} is not what the spec renders", &file.path);
                    }
                }
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]

    #[test]
    fn no_hand_written_byte_is_lost_without_the_flag_that_names_it(steps in proptest::collection::vec(step(), 1..14)) {
        run(steps)?;
    }
}
