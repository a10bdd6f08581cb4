//! What `gen render` may write, and where: never into a version-control folder.

mod common;

use std::path::Path;

use common::Project;

fn read(p: &Project, rel: &str) -> String {
    std::fs::read_to_string(p.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
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
