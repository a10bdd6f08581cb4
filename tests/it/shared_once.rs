//! What every service shares is written once: in a project of 30 services, a change to one
//! shared template changes one file of the output, not one per service.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Gen, root};

/// The reference spec with `n` services like its own, each on a host of its own.
fn spec_of(n: usize) -> String {
    let reference = std::fs::read_to_string(root().join("spec.yaml")).expect("spec");
    let start = reference.find("services:\n").expect("services");
    let end = reference.find("\n# The GitHub workflow").expect("the pipeline's comment");
    let service = &reference[start + "services:\n".len()..end];
    assert!(service.contains("name: \"shop\"") && service.contains("host: \"shop.example.com\""), "{service}");
    let services: String = (0..n)
        .map(|i| {
            service
                .replace("name: \"shop\"", &format!("name: \"s{i:02}\""))
                .replace("host: \"shop.example.com\"", &format!("host: \"s{i:02}.example.com\""))
        })
        .collect();
    format!("{}services:\n{services}{}", &reference[..start], &reference[end..])
}

/// Every file under `dir` but the repository's own and gen's manifest, by path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.file_name() != ".git")
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name() != ".gen-manifest.json")
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().into_owned();
            (rel, std::fs::read(e.path()).expect("read"))
        })
        .collect()
}

/// Copies the folder `from` into `to`.
fn copy_dir(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let target = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

#[test]
fn a_change_to_a_shared_template_is_one_changed_file_in_a_30_service_project() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    std::fs::write(repo.join("spec.yaml"), spec_of(30)).expect("write");
    let git = std::process::Command::new("git").args(["init", "-q"]).current_dir(&repo).status().expect("git");
    assert!(git.success());
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(&repo).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let before = tree(&repo);
    assert!(before.keys().filter(|p| p.starts_with("out/values/")).count() == 30, "30 services' values");

    // Each shared template, changed as a fix to it would be, in a blueprint folder that
    // overrides the built-in one: the file it renders, and no other, changes.
    for (template, edit, rendered) in [
        ("templates/chart/templates/service.yaml", "\n{{- /* a fix */}}\n", "out/chart/templates/service.yaml"),
        ("templates/chart/templates/_helpers.tpl", "\n{{- /* a fix */}}\n", "out/chart/templates/_helpers.tpl"),
        ("templates/chart/values.schema.json", "\n", "out/chart/values.schema.json"),
        ("templates/workflows/pipeline.yml", "# a fix\n", ".github/workflows/_pipeline.yml"),
        ("templates/workflows/rollback-jobs.yml", "# a fix\n", ".github/workflows/_rollback.yml"),
    ] {
        let blueprints = dir.path().join(format!("blueprints-{}", template.replace('/', "-")));
        copy_dir(&root().join("blueprints/base"), &blueprints.join("base"));
        let file = blueprints.join("base").join(template);
        let mut text = std::fs::read_to_string(&file).expect("template");
        text.push_str(edit);
        std::fs::write(&file, text).expect("edit");
        let run = Gen::new().args(["render", "spec.yaml", "--blueprints"]).arg(&blueprints).current_dir(&repo).run();
        assert_eq!(run.code, 0, "{template}: {}{}", run.stdout, run.stderr);
        let after = tree(&repo);
        let changed: Vec<&String> = after
            .iter()
            .filter(|(path, bytes)| before.get(*path) != Some(*bytes))
            .map(|(path, _)| path)
            .chain(before.keys().filter(|path| !after.contains_key(*path)))
            .collect();
        assert_eq!(changed, [rendered], "{template}");
        // Back to the built-in blueprint for the next template.
        let run = Gen::new().args(["render", "spec.yaml"]).current_dir(&repo).run();
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        assert_eq!(tree(&repo), before, "{template}: rendered back");
    }
}

#[test]
fn github_folds_the_plain_manifests_in_a_pull_request_and_shows_what_they_come_from() {
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path();
    std::fs::write(repo.join("spec.yaml"), spec_of(2)).expect("write");
    let git = |args: &[&str]| {
        let out = std::process::Command::new("git").args(args).current_dir(repo).output().expect("git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    git(&["init", "-q"]);
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(repo).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    // Git reads the attribute as GitHub's linguist does: set on the chart's expansions, unset
    // on the chart, the values and the service's code, which a reviewer reads.
    let paths = [
        "out/manifests/s00/deployment.yaml",
        "out/manifests/s01/service.yaml",
        "out/manifests/kustomization.yaml",
        "out/chart/templates/deployment.yaml",
        "out/values/s00.yaml",
        "out/services/s00/Dockerfile",
        ".github/workflows/s00.yml",
    ];
    for p in paths {
        assert!(repo.join(p).is_file(), "{p} is rendered");
    }
    let attrs = git(&[&["check-attr", "linguist-generated", "--"][..], &paths[..]].concat());
    let set: Vec<&str> =
        attrs.lines().filter(|l| l.ends_with(": true")).map(|l| l.split(':').next().expect("path")).collect();
    assert_eq!(set, &paths[..3], "{attrs}");
}
