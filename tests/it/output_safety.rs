//! What `gen render` may write, and where: never over its own inputs, never into a
//! version-control folder, never over another spec's output without a flag, and after a render
//! killed half way, the next one finishes or undoes its work instead of calling it hand edits.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::Project;

/// Every file under `dir` with its bytes, by `/`-separated relative path.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

fn read(p: &Project, rel: &str) -> String {
    std::fs::read_to_string(p.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ---------------------------------------------------------------------------------------------
// A render never writes over (or removes) a file it read.

#[test]
fn a_render_never_writes_over_its_own_spec_whatever_the_flag() {
    let p = Project::new();
    std::fs::copy(p.path("spec.yaml"), p.path("README.gen.md")).expect("copy");
    let spec = read(&p, "README.gen.md");
    let before = snapshot(p.dir.path());
    for flags in [&[][..], &["--overwrite-unowned"][..], &["--discard-edits"][..]] {
        let run = p.run_gen(["render", "README.gen.md", "--out", "."].iter().chain(flags));
        assert_eq!(run.code, 2, "{flags:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("README.gen.md: is the spec this render reads; gen never writes over its own input"),
            "names the file and says why: {}",
            run.stderr
        );
        assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
        assert!(!run.stderr.contains("--overwrite-unowned)"), "offers no flag that would: {}", run.stderr);
        assert_eq!(read(&p, "README.gen.md"), spec, "{flags:?}: the spec is intact");
        assert_eq!(snapshot(p.dir.path()), before, "{flags:?}: nothing written");
    }
    // Rendered into another folder, the same spec goes through.
    assert_eq!(p.run_gen(["render", "README.gen.md", "--out", "out"]).code, 0);
}

#[cfg(unix)]
#[test]
fn the_spec_is_recognised_through_a_hard_link_or_a_symbolic_link() {
    let p = Project::new();
    let spec = read(&p, "spec.yaml");
    // A hard link: another name for the spec's bytes where the render writes gen's README (README.gen.md, rendered into the spec's folder).
    std::fs::hard_link(p.path("spec.yaml"), p.path("README.gen.md")).expect("link");
    let run = p.run_gen(["render", "spec.yaml", "--out", ".", "--overwrite-unowned"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("README.gen.md: is the spec this render reads"), "{}", run.stderr);
    assert_eq!(read(&p, "spec.yaml"), spec, "the spec is intact");
    std::fs::remove_file(p.path("README.gen.md")).expect("rm");
    // A symbolic link to the spec given as the spec: its real file is README.gen.md.
    std::fs::rename(p.path("spec.yaml"), p.path("README.gen.md")).expect("mv");
    std::os::unix::fs::symlink("README.gen.md", p.path("spec.yaml")).expect("symlink");
    let run = p.run_gen(["render", "spec.yaml", "--out", ".", "--overwrite-unowned"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("README.gen.md: is the spec this render reads"), "{}", run.stderr);
    assert_eq!(read(&p, "README.gen.md"), spec, "the spec is intact");
}

#[test]
fn a_spec_named_like_the_manifest_is_not_taken_for_it() {
    let p = Project::new();
    std::fs::copy(p.path("spec.yaml"), p.path(".gen-manifest.json")).expect("copy");
    let spec = read(&p, ".gen-manifest.json");
    let run = p.run_gen(["render", ".gen-manifest.json", "--out", "."]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains(".gen-manifest.json: is the spec this render reads"), "{}", run.stderr);
    assert!(!run.stderr.contains("delete it"), "does not advise deleting the spec: {}", run.stderr);
    assert_eq!(read(&p, ".gen-manifest.json"), spec);
    assert!(!p.path("services").exists());
}

#[test]
fn a_stale_managed_file_that_is_now_the_spec_is_never_removed() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    // The spec, renamed to a file an earlier render wrote and the spec no longer renders.
    let moved = "out/services/shop/gunicorn.conf.py";
    let text = read(&p, "spec.yaml").replace("  - name: \"shop\"", "  - name: \"api\"");
    std::fs::write(p.path(moved), &text).expect("write");
    std::fs::remove_file(p.path("spec.yaml")).expect("rm");
    let run = p.run_gen(["render", moved, "--out", "out", "--take-over", "--discard-edits"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&p, moved), text, "the spec was not removed");
    assert!(
        run.stderr
            .contains("out/services/shop/gunicorn.conf.py is no longer rendered and is the spec this render reads"),
        "{}",
        run.stderr
    );
    assert!(!p.path("out/services/shop/Dockerfile").exists(), "the rest of the old service went");
    let manifest = read(&p, "out/.gen-manifest.json");
    assert!(!manifest.contains("\"path\": \"services/shop/gunicorn.conf.py\""), "no longer gen's: {manifest}");
}

const TEMPLATE: &str = "<@ service.name | text @> was here\n";

/// A blueprint folder overriding `flask` whose one file is `target`, from template `t`.
fn blueprint_at(dir: &Path, target: &str) {
    std::fs::create_dir_all(dir).expect("mkdir");
    let yaml = format!(
        "name: flask\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {{type: object}}\nfiles:\n  - {{source: t, target: \"{target}\", ownership: managed}}\n"
    );
    std::fs::write(dir.join("blueprint.yaml"), yaml).expect("write");
    std::fs::write(dir.join("e.yaml"), "").expect("write");
    std::fs::write(dir.join("t"), TEMPLATE).expect("write");
}

#[test]
fn a_render_never_writes_over_a_file_of_its_blueprints() {
    let p = Project::new();
    // A blueprint kept inside the output folder whose target is its own template.
    blueprint_at(&p.path("out/bp"), "bp/t");
    let run = p.run_gen(["render", "spec.yaml", "--blueprints", "out/bp", "--overwrite-unowned"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("out/bp/t: is a file of the blueprint folder out/bp, which this render reads"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&p, "out/bp/t"), TEMPLATE);
    assert!(!p.path("out/.gen-manifest.json").exists(), "nothing written");
}

// ---------------------------------------------------------------------------------------------
// No target, and no manifest entry, inside a version-control folder.

#[test]
fn a_blueprint_cannot_write_into_a_version_control_folder() {
    let p = Project::new();
    std::fs::create_dir_all(p.path(".git/hooks")).expect("mkdir");
    for target in
        [".git/hooks/pre-commit", ".GIT/hooks/pre-commit", "x/.hg/hgrc", ".svn/wc.db", "CVS/Root", ".git./config"]
    {
        let bp = tempfile::tempdir().expect("tempdir");
        blueprint_at(bp.path(), target);
        let run = p.run_gen([
            "render".as_ref(),
            "spec.yaml".as_ref(),
            "--out".as_ref(),
            ".".as_ref(),
            "--blueprints".as_ref(),
            bp.path().as_os_str(),
        ]);
        assert_eq!(run.code, 2, "{target}: {}", run.stderr);
        assert!(run.stderr.contains("error[TPL002]"), "{target}: {}", run.stderr);
        assert!(run.stderr.contains("version-control folder"), "{target}: says why: {}", run.stderr);
        assert!(!p.path(".git/hooks/pre-commit").exists(), "{target}");
        assert!(!p.path("services").exists(), "{target}: nothing written");
    }
}

#[test]
fn version_control_folders_are_not_plain_paths_in_any_spelling() {
    use gen_core::render::is_safe_relative;
    for bad in [
        ".git/hooks/pre-commit",
        ".GIT/hooks/pre-commit",
        ".Git/config",
        "a/b/.git/config",
        ".git",
        ".git./hooks/x",
        ".git /hooks/x",
        ".git::$INDEX_ALLOCATION/hooks/x",
        "git~1/hooks/x",
        ".g\u{200c}it/hooks/x",
        ".hg/hgrc",
        ".HG/hgrc",
        ".svn/entries",
        ".bzr/branch/branch.conf",
        "_darcs/prefs/defaults",
        "CVS/Root",
        ".pijul/config",
        ".jj/repo/config.toml",
    ] {
        assert!(!is_safe_relative(bad), "{bad:?} is refused");
    }
    for good in [".github/workflows/ci.yml", ".gitignore", ".gitattributes", "services/git/Dockerfile", "a/.hgignore"] {
        assert!(is_safe_relative(good), "{good:?} is a plain path");
    }
}

#[test]
fn a_manifest_naming_a_path_in_a_version_control_folder_deletes_nothing() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    let hook = "out/.git/hooks/pre-commit";
    std::fs::create_dir_all(p.path("out/.git/hooks")).expect("mkdir");
    std::fs::write(p.path(hook), "#!/bin/sh\necho mine\n").expect("write");
    let hash = gen_core::output::sha256(b"#!/bin/sh\necho mine\n");
    let manifest = read(&p, "out/.gen-manifest.json").replacen(
        "\"files\": [",
        &format!("\"files\": [\n    {{\"path\": \".git/hooks/pre-commit\", \"ownership\": \"managed\", \"sha256\": \"{hash}\"}},"),
        1,
    );
    std::fs::write(p.path("out/.gen-manifest.json"), manifest).expect("write");
    for args in [&["render", "spec.yaml"][..], &["render", "spec.yaml", "--discard-edits"][..]] {
        let run = p.run_gen(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains("it lists the unsafe path `.git/hooks/pre-commit`"), "{}", run.stderr);
        assert_eq!(read(&p, hook), "#!/bin/sh\necho mine\n", "{args:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// An output folder belongs to one spec.

/// A second spec beside `spec.yaml`, with its service renamed.
fn other_spec(p: &Project) {
    let text = read(p, "spec.yaml").replace("  - name: \"shop\"", "  - name: \"api\"");
    std::fs::write(p.path("other.yaml"), text).expect("write");
}

#[test]
fn a_second_spec_is_refused_an_output_folder_that_records_another() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    other_spec(&p);
    let before = snapshot(&p.path("out"));
    let run = p.run_gen(["render", "other.yaml", "--out", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    for said in ["out holds the render of spec.yaml", "not of other.yaml", "--out", "gen render other.yaml --take-over"]
    {
        assert!(run.stderr.contains(said), "says {said:?}: {}", run.stderr);
    }
    assert_eq!(snapshot(&p.path("out")), before, "nothing removed or written");
    let run = p.run_gen(["render", "other.yaml", "--out", "out", "--take-over"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!p.path("out/services/shop/Dockerfile").exists(), "the other spec's files went");
    assert!(p.path("out/services/api/Dockerfile").exists());
    assert!(read(&p, "out/.gen-manifest.json").contains("\"spec\": \"../other.yaml\""));
    // From now on the folder is other.yaml's.
    let run = p.render();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("out holds the render of other.yaml, not of spec.yaml"), "{}", run.stderr);
}

#[test]
fn a_moved_spec_is_told_to_take_its_folder_over() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    std::fs::rename(p.path("spec.yaml"), p.path("moved.yaml")).expect("mv");
    let run = p.run_gen(["render", "moved.yaml", "--out", "out"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("out holds the render of spec.yaml, which no longer exists"), "{}", run.stderr);
    assert!(run.stderr.contains("if you moved or renamed it to moved.yaml"), "{}", run.stderr);
    assert!(run.stderr.contains("gen render moved.yaml --take-over"), "{}", run.stderr);
    assert_eq!(p.run_gen(["render", "moved.yaml", "--out", "out", "--take-over"]).code, 0);
    assert_eq!(p.run_gen(["render", "moved.yaml", "--out", "out", "--check"]).code, 0);
}

#[cfg(unix)]
#[test]
fn the_same_spec_by_another_path_is_not_another_spec() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    std::os::unix::fs::symlink("spec.yaml", p.path("link.yaml")).expect("symlink");
    let run = p.run_gen(["render", "link.yaml", "--out", "out"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn check_and_lint_of_a_second_spec_say_the_folder_is_another_specs() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    other_spec(&p);
    let run = p.run_gen(["render", "other.yaml", "--out", "out", "--check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("out holds the render of spec.yaml, not of other.yaml"), "{}", run.stderr);
    assert_eq!(run.stdout, "", "no diff of dozens of files");
    let lint = p.run_gen(["lint", "--format", "json", "other.yaml", "--out", "out"]);
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    let drift: Vec<String> = lint.codes().into_iter().filter(|c| c == "DRIFT001").collect();
    assert_eq!(drift.len(), 1, "one finding, not one per file: {}", lint.stdout);
    assert!(lint.stdout.contains("holds the render of spec.yaml"), "{}", lint.stdout);
}

// ---------------------------------------------------------------------------------------------
// A render killed during its rename phase.

const JOURNAL: &str = ".gen-manifest.pending.json";

/// The output folder as a render from `from` to `to` leaves it when killed during its rename
/// phase: the manifest still `from`'s, the journal `to`'s, every other changed file renamed to
/// `to`'s bytes, the rest still `from`'s with their staged copies beside them.
fn interrupted(out: &Path, from: &BTreeMap<String, Vec<u8>>, to: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let changed: Vec<String> = to
        .iter()
        .filter(|(rel, bytes)| rel.as_str() != ".gen-manifest.json" && from.get(*rel) != Some(bytes))
        .map(|(rel, _)| rel.clone())
        .collect();
    assert!(changed.len() >= 4, "{changed:?}");
    for (i, rel) in changed.iter().enumerate() {
        let path = out.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        if i % 2 == 0 {
            std::fs::write(&path, &to[rel]).expect("renamed");
        } else {
            match from.get(rel) {
                Some(bytes) => std::fs::write(&path, bytes).expect("not yet"),
                None => drop(std::fs::remove_file(&path)),
            }
            std::fs::write(path.with_file_name(format!(".gen-tmp-{i}")), &to[rel]).expect("staged");
        }
    }
    // Files `to` no longer renders: the first half removed already, the rest still there.
    let gone: Vec<&String> = from.keys().filter(|rel| !to.contains_key(*rel)).collect();
    for (i, rel) in gone.iter().enumerate() {
        let path = out.join(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        if i < gone.len() / 2 {
            drop(std::fs::remove_file(&path));
        } else {
            std::fs::write(&path, &from[*rel]).expect("still there");
        }
    }
    std::fs::write(out.join(".gen-manifest.json"), &from[".gen-manifest.json"]).expect("manifest");
    std::fs::write(out.join(JOURNAL), &to[".gen-manifest.json"]).expect("journal");
    changed
}

/// The scaffold files a snapshot's manifest records.
fn scaffold_files(snapshot: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let manifest: serde_json::Value = serde_json::from_slice(&snapshot[".gen-manifest.json"]).expect("manifest");
    let files = manifest["files"].as_array().expect("files");
    files.iter().filter(|f| f["ownership"] == "scaffold").filter_map(|f| f["path"].as_str()).map(String::from).collect()
}

/// The folder rendered from the spec, then from the spec with another port: both snapshots.
fn two_renders(p: &Project) -> (BTreeMap<String, Vec<u8>>, BTreeMap<String, Vec<u8>>) {
    assert_eq!(p.render().code, 0);
    let old = snapshot(&p.path("out"));
    p.edit_spec("port: 5000", "port: 5002");
    assert_eq!(p.render().code, 0);
    let new = snapshot(&p.path("out"));
    (old, new)
}

#[test]
fn after_a_render_killed_while_renaming_the_old_spec_renders_cleanly() {
    let p = Project::new();
    let (old, new) = two_renders(&p);
    interrupted(&p.path("out"), &old, &new);
    p.edit_spec("port: 5002", "port: 5000");
    let run = p.render();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("edited by hand"), "{}", run.stderr);
    assert!(run.stderr.contains("the last render into out stopped part way"), "says what it finished: {}", run.stderr);
    assert_eq!(snapshot(&p.path("out")), old, "the old spec's files, manifest, and no journal or staged file");
}

#[test]
fn after_a_render_killed_while_renaming_the_new_spec_finishes_it() {
    let p = Project::new();
    let (old, new) = two_renders(&p);
    interrupted(&p.path("out"), &old, &new);
    let run = p.render();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!run.stderr.contains("edited by hand"), "{}", run.stderr);
    assert_eq!(snapshot(&p.path("out")), new);
}

#[test]
fn after_a_render_killed_while_renaming_and_removing_either_spec_renders_cleanly() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    let old = snapshot(&p.path("out"));
    let shop = read(&p, "spec.yaml");
    p.edit_spec("  - name: \"shop\"", "  - name: \"api\"");
    assert_eq!(p.run_gen(["render", "spec.yaml", "--replace-services"]).code, 0);
    let new = snapshot(&p.path("out"));
    for (spec, expected) in [(&shop, &old), (&read(&p, "spec.yaml"), &new)] {
        interrupted(&p.path("out"), &old, &new);
        std::fs::write(p.path("spec.yaml"), spec).expect("write spec");
        let run = p.render();
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(!run.stderr.contains("edited by hand") && !run.stderr.contains("does not own"), "{}", run.stderr);
        let now = snapshot(&p.path("out"));
        for (rel, bytes) in expected {
            assert_eq!(now.get(rel), Some(bytes), "{rel}");
        }
        // Beyond them, only scaffold files of the other service: the user's once written.
        let scaffold = [scaffold_files(&old), scaffold_files(&new)].concat();
        let extra: Vec<&String> = now.keys().filter(|rel| !expected.contains_key(*rel)).collect();
        assert!(extra.iter().all(|rel| scaffold.contains(rel)), "{extra:?}");
        assert!(!p.path("out").join(JOURNAL).exists());
    }
}

#[test]
fn after_a_render_killed_while_renaming_a_hand_edit_is_still_one() {
    let p = Project::new();
    let (old, new) = two_renders(&p);
    let changed = interrupted(&p.path("out"), &old, &new);
    let edited = &changed[0];
    std::fs::write(p.path("out").join(edited), "# mine\n").expect("edit");
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains(&format!("out/{edited} was edited by hand")), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(p.path("out").join(edited)).expect("read"), "# mine\n");
    assert_eq!(run.stderr.matches("edited by hand").count(), 1, "{}", run.stderr);
}

#[test]
fn check_and_lint_say_a_render_stopped_part_way() {
    let p = Project::new();
    let (old, new) = two_renders(&p);
    interrupted(&p.path("out"), &old, &new);
    let run = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("the last render into out stopped part way"), "{}", run.stderr);
    assert!(run.stderr.contains("gen render spec.yaml"), "{}", run.stderr);
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    assert!(lint.stdout.contains("stopped part way"), "{}", lint.stdout);
    // Once a render finishes it, all is clean.
    assert_eq!(p.render().code, 0);
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0);
    assert!(!p.path("out").join(JOURNAL).exists());
}

#[test]
fn a_check_while_a_render_writes_does_not_call_it_stopped() {
    let p = Project::new();
    let (old, new) = two_renders(&p);
    interrupted(&p.path("out"), &old, &new);
    let held = std::fs::File::open(p.path("out")).expect("open");
    held.lock().expect("lock");
    let run = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("another gen render is writing into this folder"), "{}", run.stderr);
    assert!(!run.stderr.contains("stopped part way"), "{}", run.stderr);
}

// ---------------------------------------------------------------------------------------------
// What a render says.

#[test]
fn thousands_of_leftover_temporary_files_are_summarised() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    for i in 0..1200 {
        std::fs::write(p.path(&format!("out/services/shop/.gen-tmp-{i:04}")), "x").expect("write");
    }
    let run = p.render();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.stderr.lines().find(|l| l.contains("temporary file")).expect("a note");
    assert!(line.starts_with("note: removed 1200 temporary file(s) an interrupted render left: "), "{line}");
    assert!(line.ends_with(", and 1195 more"), "{line}");
    assert_eq!(line.matches(".gen-tmp-").count(), 5, "{line}");
    assert!(!p.path("out/services/shop/.gen-tmp-0000").exists());
}

#[test]
fn an_up_to_date_render_says_what_the_files_are_and_how_to_check_them() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    let run = p.render();
    assert_eq!(run.code, 0);
    // Every file but the manifest, with `.github/` at the repository root (the spec's folder).
    let count = snapshot(&p.path("out")).len() - 1 + snapshot(&p.path(".github")).len();
    assert_eq!(
        run.stdout,
        format!(
            "out: up to date, no file changed ({count} files in step with spec.yaml; gen lint spec.yaml checks them)\n"
        )
    );
}
