//! The render engine end to end: owned output, drift, scaffold files, path safety, init.

use crate::common;

use std::collections::BTreeMap;
use std::path::Path;

use common::{Gen, Project, root, tree};

fn mtimes(dir: &Path) -> BTreeMap<String, std::time::SystemTime> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().display().to_string(), e.metadata().expect("meta").modified().expect("mtime")))
        .collect()
}

#[test]
fn rendering_twice_gives_identical_trees_and_the_second_writes_nothing() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    let first = tree(&p.path("out"));
    let before = mtimes(&p.path("out"));
    std::thread::sleep(std::time::Duration::from_millis(20));
    let again = p.render();
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("up to date, no file changed"), "{}", again.stdout);
    assert_eq!(mtimes(&p.path("out")), before);
    // A second output folder of the same spec (its `.github/` kept inside it: at the root, the
    // first render's workflows already stand, which name the first folder's paths).
    let other = p.run_gen(["render", "spec.yaml", "--out", "elsewhere/out2", "--github-at", "output"]);
    assert_eq!(other.code, 0, "{}", other.stderr);
    let mut second = tree(&p.path("elsewhere/out2"));
    let mut first_no_manifest = first.clone();
    for (path, bytes) in tree(&p.path(".github")) {
        first_no_manifest.insert(format!(".github/{path}"), bytes);
    }
    // Only the manifest's path back to the spec, and the paths from the repository root in
    // the workflows and the Dependabot configuration, depend on where the output directory is.
    first_no_manifest.remove(".gen-manifest.json");
    second.remove(".gen-manifest.json");
    let from_root = |p: &str| p.starts_with(".github/workflows/") || p == ".github/dependabot.yml";
    for (path, bytes) in second.iter_mut().filter(|(p, _)| from_root(p)) {
        let text = String::from_utf8(bytes.clone()).expect("UTF-8");
        assert!(text.contains("elsewhere/out2"), "{path} names the output folder");
        *bytes = text.replace("elsewhere/out2", "out").into_bytes();
    }
    assert_eq!(first_no_manifest, second);
}

/// A spec whose rendered files are too many to keep in memory between the check and the
/// write (32 MiB; here a bound of the tests' build) is rendered again, on another thread,
/// while the first files are written: what lands is still exactly what was checked.
#[test]
fn a_plan_too_big_to_keep_is_rendered_again_as_it_is_written() {
    let p = Project::new();
    let spec = std::fs::read_to_string(p.path("spec.yaml")).expect("read spec");
    let start = spec.find("  - name: \"shop\"").expect("the shop service");
    let end = start + spec[start..].find("\n\n").expect("the end of the services");
    let shop = &spec[start..=end];
    let services: String = (0..8)
        .map(|i| {
            shop.replace("\"shop", &format!("\"shop{i:03}"))
                .replace("shop.example.com", &format!("shop{i:03}.example.com"))
        })
        .collect();
    std::fs::write(p.path("spec.yaml"), format!("{}{services}{}", &spec[..start], &spec[end + 1..]))
        .expect("write spec");
    // What a render keeps is 32 MiB, which 400 services with long variables pass (two minutes
    // of this test in the tests' build); the tests' build takes a smaller bound.
    let limit = 256 * 1024;
    let run_gen = |args: &[&str]| {
        Gen::new().args(args).env("GEN_TEST_KEPT_BYTES", limit.to_string()).current_dir(p.dir.path()).run()
    };
    let run = run_gen(&["render", "spec.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let written = tree(&p.path("out"));
    let bytes: usize = written.values().map(Vec::len).sum();
    assert!(bytes > 2 * limit, "the plan must not fit what a render keeps: {bytes} bytes");
    assert!(written.contains_key("services/shop007/Dockerfile"), "{:?}", written.keys().last());
    let check = run_gen(&["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 0, "{}{}", check.stdout, check.stderr);
    // Rendered again, written whole: the same tree as a render that kept every file.
    let kept = Project::new();
    std::fs::copy(p.path("spec.yaml"), kept.path("spec.yaml")).expect("copy spec");
    assert_eq!(kept.render().code, 0);
    assert_eq!(tree(&kept.path("out")), written, "the tree written from a second render differs");
}

/// Every date or time of day in `text`: `2025-11-22`, `2025/11/22`, `22.11.2025`, `11/22/2025`,
/// `13:45:07`, `Nov 22 2025`, `22 Nov 2025`.
fn dates_in(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let digits = |at: usize, n: usize| at + n <= b.len() && b[at..at + n].iter().all(u8::is_ascii_digit);
    let sep = |at: usize, set: &[u8]| at < b.len() && set.contains(&b[at]);
    let boundary = |at: usize| at == 0 || !b[at - 1].is_ascii_alphanumeric();
    let mut found = Vec::new();
    // A CalVer version pinned in a lock (`certifi==2026.10.19`) is the package's, the same
    // whenever gen runs: not a date of the render.
    let pinned = |at: usize| at >= 2 && &b[at - 2..at] == b"==";
    for i in 0..b.len() {
        if !boundary(i) || pinned(i) {
            continue;
        }
        let iso = digits(i, 4) && sep(i + 4, b"-/.") && digits(i + 5, 2) && sep(i + 7, b"-/.") && digits(i + 8, 2);
        let dmy = digits(i, 2) && sep(i + 2, b"-/.") && digits(i + 3, 2) && sep(i + 5, b"-/.") && digits(i + 6, 4);
        let time = digits(i, 2)
            && b.get(i + 2) == Some(&b':')
            && digits(i + 3, 2)
            && b.get(i + 5) == Some(&b':')
            && digits(i + 6, 2);
        if iso || dmy || time {
            found.push(text[i..(i + 10).min(text.len())].to_string());
        }
    }
    const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let words: Vec<&str> = text.split(|c: char| c.is_whitespace() || c == ',').filter(|w| !w.is_empty()).collect();
    for w in words.windows(3) {
        let year = |s: &str| s.len() == 4 && s.starts_with(['1', '2']) && s.chars().all(|c| c.is_ascii_digit());
        let day = |s: &str| (1..=2).contains(&s.len()) && s.chars().all(|c| c.is_ascii_digit());
        let month = |s: &str| MONTHS.iter().any(|m| s.starts_with(m));
        if (month(w[0]) && day(w[1]) && year(w[2])) || (day(w[0]) && month(w[1]) && year(w[2])) {
            found.push(w.join(" "));
        }
    }
    found
}

#[test]
fn the_date_detector_finds_dates_in_every_common_form() {
    for text in ["built 2019-03-04", "at 07:08:09 UTC", "on 04.03.2019", "Mon, 4 Mar 2019", "Mar 4 2019", "2019/03/04"]
    {
        assert!(!dates_in(text).is_empty(), "{text}");
    }
    for text in ["Flask==3.1.2", "certifi==2026.10.19", "python:3.12-slim", "version 0.1.0", "port 5000", "10001:10001"]
    {
        assert!(dates_in(text).is_empty(), "{text}: {:?}", dates_in(text));
    }
}

#[test]
fn output_has_no_timestamps_or_absolute_paths() {
    let p = Project::new();
    p.render();
    let home = p.dir.path().display().to_string();
    for (path, bytes) in tree(&p.path("out")).into_iter().chain(tree(&p.path(".github"))) {
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&home), "{path} holds an absolute path");
        assert_eq!(dates_in(&text), Vec::<String>::new(), "{path} holds a date or time");
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path("out/.gen-manifest.json")).expect("manifest")).expect("JSON");
    assert_eq!(manifest["spec"], "../spec.yaml");
    assert_eq!(manifest["generator"], format!("gen {}", env!("CARGO_PKG_VERSION")));
    // `.github/` at the repository root (the spec's folder: no git above it), recorded from
    // the output folder.
    let rendered = tree(&p.path("out")).len() - 1 + tree(&p.path(".github")).len();
    assert_eq!(manifest["files"].as_array().expect("files").len(), rendered, "every file but the manifest");
    assert!(manifest.to_string().contains("\"../.github/workflows/shop.yml\""), "{manifest}");
}

#[test]
fn managed_files_carry_the_generated_marker_and_scaffold_files_do_not() {
    let p = Project::new();
    p.render();
    let dockerfile = std::fs::read_to_string(p.path("out/services/shop/Dockerfile")).expect("Dockerfile");
    let lines: Vec<&str> = dockerfile.lines().collect();
    assert_eq!(lines[0], "# syntax=docker/dockerfile:1", "parser directive stays first");
    assert_eq!(lines[1], "# Code generated by gen from spec.yaml; DO NOT EDIT.");
    let readme = std::fs::read_to_string(p.path("out/README.md")).expect("README");
    assert!(readme.starts_with("<!-- Code generated by gen from spec.yaml; DO NOT EDIT. -->\n"));
    let app = std::fs::read_to_string(p.path("out/services/shop/app/__init__.py")).expect("app");
    assert!(!app.contains("DO NOT EDIT"));
}

#[test]
fn check_is_clean_on_a_fresh_render_and_shows_a_diff_when_drifted() {
    let p = Project::new();
    let missing = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(missing.code, 1);
    assert!(!p.path("out").exists(), "--check writes nothing");
    p.render();
    let clean = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    assert!(clean.stdout.contains("in sync"));
    let dockerfile = p.path("out/services/shop/Dockerfile");
    let text = std::fs::read_to_string(&dockerfile).expect("read");
    std::fs::write(&dockerfile, text.replace("EXPOSE 5000", "EXPOSE 6000")).expect("write");
    let drifted = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(drifted.code, 1);
    assert!(
        drifted.stdout.contains("--- a/services/shop/Dockerfile\n+++ b/services/shop/Dockerfile\n"),
        "{}",
        drifted.stdout
    );
    assert!(drifted.stdout.contains("-EXPOSE 6000\n+EXPOSE 5000\n"), "{}", drifted.stdout);
    assert_eq!(
        std::fs::read_to_string(&dockerfile).expect("read"),
        text.replace("EXPOSE 5000", "EXPOSE 6000"),
        "--check wrote"
    );
    // A spec change that changes output is drift too, and lint reports it as DRIFT001.
    p.render();
    p.edit_spec("port: 5000", "port: 5001");
    let run = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("+EXPOSE 5001"));
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert_eq!(lint.code, 1);
    let codes = lint.codes();
    // Every finding is drift (gen's own output draws no note on the controller it renders for),
    // but the note that the spec's base image follows its tag (SPEC165).
    assert!(codes.iter().all(|c| *c == "DRIFT001" || *c == "SPEC165") && codes.len() >= 2, "{codes:?}");
    assert!(lint.stdout.contains("out/services/shop/Dockerfile"));
}

#[test]
fn scaffold_files_survive_rerender_and_user_files_are_never_touched() {
    let p = Project::new();
    p.render();
    let app = p.path("out/services/shop/app/__init__.py");
    std::fs::write(&app, "# my own code\n").expect("write");
    std::fs::write(p.path("out/services/shop/NOTES.md"), "mine\n").expect("write");
    p.edit_spec("port: 5000", "port: 5001");
    assert_eq!(p.render().code, 0);
    assert_eq!(std::fs::read_to_string(&app).expect("read"), "# my own code\n");
    assert_eq!(std::fs::read_to_string(p.path("out/services/shop/NOTES.md")).expect("read"), "mine\n");
    // Another service in its place: unsaid, it is taken for a rename and refused, nothing
    // written; said, gen cleans up its own files, never the user's.
    p.edit_spec("  - name: \"shop\"", "  - name: \"api\"");
    let run = p.render();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[SPEC168]") && run.stderr.contains("renamedFrom: shop"), "{}", run.stderr);
    assert!(run.stderr.contains("--replace-services") && !p.path("out/services/api").exists(), "{}", run.stderr);
    let replaced = p.run_gen(["render", "spec.yaml", "--replace-services"]);
    assert_eq!(replaced.code, 0, "{}", replaced.stderr);
    assert!(replaced.stderr.contains("`shop` is no longer rendered, but it still runs"), "{}", replaced.stderr);
    assert!(replaced.stderr.contains("helm uninstall shop"), "{}", replaced.stderr);
    assert!(!p.path("out/services/shop/Dockerfile").exists(), "stale managed file removed");
    assert!(app.exists(), "scaffold file kept");
    assert!(p.path("out/services/shop/NOTES.md").exists(), "user file kept");
    assert!(p.path("out/services/api/Dockerfile").exists());
    // No flag rewrites a scaffold file; deleting it gives gen's version back.
    std::fs::write(p.path("out/services/api/app/__init__.py"), "# mine\n").expect("write");
    assert_eq!(p.run_gen(["render", "spec.yaml", "--discard-edits", "--overwrite-unowned"]).code, 0);
    assert_eq!(std::fs::read_to_string(p.path("out/services/api/app/__init__.py")).expect("read"), "# mine\n");
    std::fs::remove_file(p.path("out/services/api/app/__init__.py")).expect("rm");
    assert_eq!(p.render().code, 0);
    assert!(std::fs::read_to_string(p.path("out/services/api/app/__init__.py")).expect("read").contains("create_app"));
}

#[test]
fn an_edited_stale_managed_file_is_kept_and_reported() {
    let p = Project::new();
    p.render();
    let conf = p.path("out/services/shop/gunicorn.conf.py");
    std::fs::write(&conf, "# tuned by hand\n").expect("write");
    p.edit_spec("  - name: \"shop\"", "  - name: \"api\"");
    let run = p.run_gen(["render", "spec.yaml", "--replace-services"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("services/shop/gunicorn.conf.py is no longer rendered but was edited by hand: kept"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&conf).expect("read"), "# tuned by hand\n");
    // Still reported next time, until the user decides (the output records `shop` still).
    assert_eq!(p.run_gen(["render", "spec.yaml", "--replace-services"]).code, 1);
    assert_eq!(p.run_gen(["render", "spec.yaml", "--replace-services", "--discard-edits"]).code, 0);
    assert!(!conf.exists());
}

#[test]
fn a_file_gen_does_not_own_is_not_overwritten() {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out/services/shop")).expect("mkdir");
    std::fs::write(p.path("out/services/shop/Dockerfile"), "FROM mine\n").expect("write");
    let run = p.render();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("exists and gen does not own it"), "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(p.path("out/services/shop/Dockerfile")).expect("read"), "FROM mine\n");
}

#[test]
fn an_invalid_spec_writes_nothing_and_exits_two() {
    let p = Project::new();
    p.edit_spec("port: 5000", "port: 80");
    let run = p.render();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[SPEC112]") && run.stderr.contains("spec.yaml:"), "{}", run.stderr);
    assert!(!p.path("out").exists());
}

#[test]
fn a_symlink_in_the_output_directory_is_not_followed() {
    let p = Project::new();
    let outside = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(p.path("out/services")).expect("mkdir");
    #[cfg(unix)]
    std::os::unix::fs::symlink(outside.path(), p.path("out/services/shop")).expect("symlink");
    let run = p.render();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("symbolic link"), "{}", run.stderr);
    assert_eq!(std::fs::read_dir(outside.path()).expect("read").count(), 0, "nothing written outside");
}

/// Writes a blueprint folder with the given `blueprint.yaml` and template files.
fn blueprint_dir(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    dir
}

/// A service blueprint of one template, `t`, rendered to `x`.
const ONE_TEMPLATE: &str = "name: flask\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {type: object}\nfiles:\n  - {source: t, target: x, ownership: managed}\n";
const EVIL: &str = "name: flask\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {type: object}\nfiles:\n  - {source: t, target: \"../<@ service.name | segment @>\", ownership: managed}\n";

#[test]
fn a_target_path_that_escapes_is_refused() {
    let p = Project::new();
    let bp = blueprint_dir(&[("blueprint.yaml", EVIL), ("t", "x\n"), ("e.yaml", "")]);
    let run = p.run_gen(
        ["render", "spec.yaml", "--blueprints"].iter().map(|s| s.to_string()).chain([bp.path().display().to_string()]),
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("error[TPL002]"), "{}", run.stderr);
    assert!(!p.path("out").exists() && !p.path("shop").exists());
}

#[test]
fn a_spec_value_cannot_become_a_path() {
    // Names are checked, and `segment` refuses separators even if a check were missed.
    let run = Gen::new().args(["render", "/dev/null"]).run();
    assert_eq!(run.code, 2);
    for bad in ["../x", "a/b", "..", ""] {
        let v = minijinja::Value::from(bad);
        assert!(gen_core::render::filters::segment(v).is_err(), "{bad}");
    }
}

/// An error in a template another includes is named where it happened, with its reason, not
/// only at the include.
#[test]
fn a_template_error_inside_an_include_names_the_included_template_and_its_reason() {
    let p = Project::new();
    let bp = blueprint_dir(&[
        ("blueprint.yaml", ONE_TEMPLATE),
        ("t", "line one\n<% include \"_inc\" %>\n"),
        ("_inc", "ok\nstill ok\n<@ service.name @>\n"),
        ("e.yaml", ""),
    ]);
    let run =
        p.run_gen(["render".to_string(), "spec.yaml".into(), "--blueprints".into(), bp.path().display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[TPL001]") && run.stderr.contains("/t:2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("because of") && run.stderr.contains("must pass through a language filter"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("_inc:3)"), "{}", run.stderr);
}

#[test]
fn a_template_error_names_the_template_and_line() {
    let p = Project::new();
    let bp =
        blueprint_dir(&[("blueprint.yaml", ONE_TEMPLATE), ("t", "line one\n<@ service.name @>\n"), ("e.yaml", "")]);
    let run =
        p.run_gen(["render".to_string(), "spec.yaml".into(), "--blueprints".into(), bp.path().display().to_string()]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("error[TPL001]") && run.stderr.contains("must pass through a language filter"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("/t:2:"), "{}", run.stderr);
}

#[test]
fn blueprint_params_are_checked_at_their_place_in_the_spec() {
    let p = Project::new();
    p.edit_spec(
        "params: {pythonVersion: \"3.12\", workers: 2, timeout: 30}",
        "params: {pythonVersion: \"2.7\", worker: 2}",
    );
    let run = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    // Params the blueprint's schema rejects make the spec invalid, as the spec's own schema does.
    assert_eq!(run.code, 2, "{}", run.stdout);
    let findings = run.findings();
    let text = std::fs::read_to_string(p.path("spec.yaml")).expect("read");
    let (index, line) = text.lines().enumerate().find(|(_, l)| l.contains("worker: 2")).expect("line");
    let col = |needle: &str| line.find(needle).expect("needle") + 1;
    assert!(findings.contains(&("SPEC013".into(), index + 1, col("\"2.7\""))), "{findings:?}");
    assert!(findings.contains(&("SPEC010".into(), index + 1, col("worker"))), "{findings:?}");
    assert!(run.stdout.contains("did you mean `workers`?"));
    p.edit_spec("blueprint: flask", "blueprint: flsk");
    let run = p.run_gen(["lint", "spec.yaml"]);
    assert!(run.stdout.contains("error[SPEC119]") && run.stdout.contains("did you mean `flask`?"), "{}", run.stdout);
}

#[test]
fn an_organisation_blueprint_overrides_a_builtin_by_name() {
    let p = Project::new();
    let yaml = "name: flask\ndescription: Our own flask\nversion: 9.9.9\nkind: service\nexample: e.yaml\nparams: {type: object}\nfiles:\n  - {source: t, target: \"services/<@ service.name | segment @>/ours.txt\", ownership: managed}\n";
    let bp = blueprint_dir(&[
        ("flask/blueprint.yaml", yaml),
        ("flask/t", "port <@ service.port @>\n"),
        ("flask/e.yaml", ""),
    ]);
    let dir = bp.path().display().to_string();
    let list = p.run_gen(["blueprints", "list", "--blueprints", &dir]);
    assert!(list.stdout.contains("9.9.9") && list.stdout.contains("Our own flask"), "{}", list.stdout);
    let run = p.run_gen(["render", "spec.yaml", "--blueprints", &dir]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        std::fs::read_to_string(p.path("out/services/shop/ours.txt")).expect("read"),
        "# Code generated by gen from spec.yaml; DO NOT EDIT.\nport 5000\n"
    );
    assert!(!p.path("out/services/shop/Dockerfile").exists());
}

#[test]
fn a_broken_blueprint_yaml_is_reported_at_its_line() {
    let bp = blueprint_dir(&[("blueprint.yaml", "name: x\ndescription: d\nversion: 1.0\nkind: service\nfiles: []\n")]);
    let run = Gen::new().args(["blueprints", "list", "--blueprints"]).arg(bp.path()).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[BP001]") && run.stderr.contains("blueprint.yaml:3:10"), "{}", run.stderr);
    assert!(run.stderr.contains("quote it to keep it a string"), "{}", run.stderr);
}

#[test]
fn a_file_kind_that_names_no_family_is_refused() {
    let yaml = "name: x\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nfiles:\n  - {source: t, target: t, ownership: managed, kind: kubernetz}\n";
    let bp = blueprint_dir(&[("blueprint.yaml", yaml), ("t", "x\n"), ("e.yaml", "")]);
    let run = Gen::new().args(["blueprints", "list", "--blueprints"]).arg(bp.path()).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[BP001]: `kubernetz` is not an artifact family gen knows"), "{}", run.stderr);
    assert!(run.stderr.contains("use one of: dockerfile"), "{}", run.stderr);
}

/// A base blueprint whose one Kubernetes object belongs to Azure, with a rule-breaking pod in it.
const AZURE_ONLY_POD: &str = "name: base\ndescription: d\nversion: 1.0.0\nkind: base\nfolders:\n  k8s/: {platforms: [azure], requires: [kubernetes]}\nfiles:\n  - {source: k8s/pod.yaml, target: pod.yaml, ownership: managed, scope: project, kind: kubernetes}\n  - {source: notes.txt, target: notes.txt, ownership: managed, scope: project}\n";
const PRIVILEGED_POD: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: shop}\nspec:\n  containers:\n    - name: c\n      image: nginx:1.27\n      securityContext: {privileged: true}\n";

#[test]
fn a_file_declared_for_another_platform_is_neither_rendered_nor_linted() {
    let bp = blueprint_dir(&[
        ("base/blueprint.yaml", AZURE_ONLY_POD),
        ("base/k8s/pod.yaml", PRIVILEGED_POD),
        ("base/notes.txt", "n\n"),
    ]);
    let dir = bp.path().display().to_string();
    // On Azure the pod renders, and the Kubernetes family reads it.
    let azure = Project::new();
    let run = azure.run_gen(["lint", "spec.yaml", "--blueprints", &dir]);
    assert!(run.stdout.contains("K8S012") && run.stdout.contains("pod.yaml"), "{}", run.stdout);
    // On a local cluster it does not exist: nothing is written, nothing is linted.
    let local = tempfile::tempdir().expect("tempdir");
    let init = Gen::new().args(["init", "--platform", "local"]).current_dir(local.path()).run();
    assert_eq!(init.code, 0, "{}", init.stderr);
    let run = Gen::new().args(["lint", "spec.yaml", "--blueprints", &dir]).current_dir(local.path()).run();
    assert!(!run.stdout.contains("K8S") && !run.stdout.contains("pod.yaml"), "{}", run.stdout);
    let run = Gen::new().args(["render", "spec.yaml", "--blueprints", &dir]).current_dir(local.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(local.path().join("out/notes.txt").is_file() && !local.path().join("out/pod.yaml").exists());
}

#[test]
fn a_platform_a_blueprint_names_must_be_one_gen_knows() {
    let yaml = AZURE_ONLY_POD.replace("platforms: [azure]", "platforms: [azur]");
    let bp = blueprint_dir(&[
        ("base/blueprint.yaml", &yaml),
        ("base/k8s/pod.yaml", PRIVILEGED_POD),
        ("base/notes.txt", "n\n"),
    ]);
    let run = Gen::new().args(["blueprints", "list", "--blueprints"]).arg(bp.path()).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("error[BP001]: `azur` is not a platform gen knows"), "{}", run.stderr);
    assert!(run.stderr.contains("blueprint.yaml:6:22"), "{}", run.stderr);
}

/// A service blueprint whose tests run on a toolchain gen's code never names.
fn toolchain_blueprint(action: &str) -> tempfile::TempDir {
    let yaml = format!(
        "name: flask\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {{type: object, properties: {{pypyVersion: {{type: string, default: pypy3.10}}}}}}\nruntime:\n  test:\n    toolchain: pypy\n    setup: {{action: {action}, versionInput: python-version}}\n    versionParam: pypyVersion\n    commands: [pypy -m pytest]\nfiles:\n  - {{source: t, target: \"services/<@ service.name | segment @>/t.txt\", ownership: managed}}\n"
    );
    blueprint_dir(&[("flask/blueprint.yaml", &yaml), ("flask/t", "t\n"), ("flask/e.yaml", "")])
}

#[test]
fn a_blueprint_states_its_toolchain_and_the_workflow_sets_it_up() {
    let p = Project::new();
    let bp = toolchain_blueprint("actions/setup-python");
    let run = p.run_gen(["render", "spec.yaml", "--blueprints", &bp.path().display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The project's pipeline sets up the blueprint's toolchain at the version the service's
    // workflow passes it.
    let pipeline = std::fs::read_to_string(p.path(".github/workflows/_pipeline.yml")).expect("read");
    assert!(pipeline.contains("      - uses: actions/setup-python@5fda3b95a4ea91299a34e894583c3862153e4b97 # v7.0.0\n        with:\n          python-version: ${{ inputs.runtime-version }}\n"), "{pipeline}");
    assert!(pipeline.contains("run: \"pypy -m pytest\""), "{pipeline}");
    let workflow = std::fs::read_to_string(p.path(".github/workflows/shop.yml")).expect("read");
    assert!(workflow.contains("\n      runtime-version: \"pypy3.10\"\n"), "{workflow}");
}

#[test]
fn a_setup_action_without_a_reviewed_commit_is_refused() {
    let bp = toolchain_blueprint("actions/setup-node");
    let run = Gen::new().args(["blueprints", "list", "--blueprints"]).arg(bp.path()).run();
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("error[BP001]: `actions/setup-node` is not an action gen knows a reviewed commit of"),
        "{}",
        run.stderr
    );
}

/// A service blueprint that declares its base image as `tag` with a digest param `digest`.
fn base_image_blueprint(tag: &str, digest: &str) -> tempfile::TempDir {
    let yaml = format!(
        "name: node\ndescription: d\nversion: 1.0.0\nkind: service\nexample: e.yaml\nparams: {{type: object, properties: {{nodeVersion: {{type: string, default: \"22\"}}, flavour: {{type: string}}, pin: {{type: string}}}}}}\nruntime:\n  baseImage: {{name: node, tag: \"{tag}\", digestParam: {digest}}}\nfiles:\n  - {{source: t, target: \"services/<@ service.name | segment @>/from.txt\", ownership: managed}}\n"
    );
    blueprint_dir(&[
        ("node/blueprint.yaml", &yaml),
        ("node/t", "<@ runtime.baseImage.from | text @>\n"),
        ("node/e.yaml", ""),
    ])
}

#[test]
fn a_blueprint_states_its_base_image_and_each_service_gets_its_own() {
    let p = Project::new();
    let pin = format!("sha256:{}", "ab".repeat(32));
    p.edit_spec("blueprint: flask", "blueprint: node");
    p.edit_spec("params: {pythonVersion: \"3.12\", workers: 2, timeout: 30}", &format!("params: {{pin: \"{pin}\"}}"));
    let bp = base_image_blueprint("{nodeVersion}-bookworm-slim", "pin");
    let run = p.run_gen(["render", "spec.yaml", "--blueprints", &bp.path().display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let from = std::fs::read_to_string(p.path("out/services/shop/from.txt")).expect("read");
    assert!(from.ends_with(&format!("node:22-bookworm-slim@{pin}\n")), "{from}");
}

#[test]
fn a_base_image_tag_naming_no_param_with_a_default_is_refused() {
    for (tag, digest, message) in [
        ("{flavour}-slim", "pin", "error[BP001]: `{flavour}` is not a param of this blueprint with a default"),
        ("{nodeVersion-slim", "pin", "error[BP001]: `{nodeVersion-slim` has a `{` or `}` that does not enclose"),
        ("{nodeVersion}", "sha", "error[BP001]: `sha` is not a param of this blueprint"),
    ] {
        let bp = base_image_blueprint(tag, digest);
        let run = Gen::new().args(["blueprints", "list", "--blueprints"]).arg(bp.path()).run();
        assert_eq!(run.code, 2, "{tag}");
        assert!(run.stderr.contains(message), "{tag}: {}", run.stderr);
        assert!(run.stderr.contains("blueprint.yaml:8:"), "{tag}: {}", run.stderr);
    }
}

#[test]
fn blueprints_show_lists_params_and_files() {
    let run = Gen::new().args(["blueprints", "show", "flask"]).run();
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("pythonVersion") && run.stdout.contains("default \"3.12\""), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("managed   per service  services/<@ service.name | segment @>/Dockerfile  [dockerfile rules]"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("scaffold"));
    assert_eq!(Gen::new().args(["blueprints", "show", "rails"]).run().code, 2);
}

#[test]
fn init_writes_a_spec_that_lints_clean_and_never_overwrites() {
    let p = Project::new();
    let lint = p.run_gen(["lint", "spec.yaml"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    std::fs::write(p.path("spec.yaml"), "mine\n").expect("write");
    let again = p.run_gen(["init"]);
    assert_eq!(again.code, 2);
    assert_eq!(std::fs::read_to_string(p.path("spec.yaml")).expect("read"), "mine\n");
    assert_eq!(p.run_gen(["init", "--overwrite", "--name", "web-shop"]).code, 0);
    assert!(std::fs::read_to_string(p.path("spec.yaml")).expect("read").contains("name: \"web-shop\""));
    assert_eq!(p.run_gen(["init", "--name", "Bad_Name", "--out", "other.yaml"]).code, 2);
    assert!(!p.path("other.yaml").exists());
}

#[test]
fn init_pins_the_base_image_at_a_digest_it_is_given_and_says_the_next_step_when_not() {
    let p = Project::new();
    // Without a digest, the spec's base image follows its tag: init says how to pin it, and
    // lint notes it (SPEC165) without failing.
    let first = p.run_gen(["init", "--out", "unpinned.yaml"]);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(first.stdout.contains("next: the base image python:3.12-slim-trixie follows its tag"), "{}", first.stdout);
    let lint = p.run_gen(["lint", "--format", "json", "--out", "none", "unpinned.yaml"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    assert!(lint.stdout.contains("\"SPEC165\""), "{}", lint.stdout);
    // On a laptop nothing is said: no pipeline builds the image.
    let local = p.run_gen(["init", "--platform", "local", "--out", "local.yaml"]);
    assert_eq!(local.code, 0, "{}", local.stderr);
    assert!(!local.stdout.contains("next:"), "{}", local.stdout);

    let digest = format!("sha256:{}", "0123456789abcdef".repeat(4));
    let pinned = p.run_gen(["init", "--out", "pinned.yaml", "--base-image-digest", &digest]);
    assert_eq!(pinned.code, 0, "{}", pinned.stderr);
    assert!(!pinned.stdout.contains("next:"), "{}", pinned.stdout);
    let text = std::fs::read_to_string(p.path("pinned.yaml")).expect("read");
    assert!(text.contains(&format!("baseImageDigest: \"{digest}\"")), "{text}");
    let lint = p.run_gen(["lint", "--format", "json", "--out", "none", "pinned.yaml"]);
    assert_eq!(lint.code, 0, "{}", lint.stdout);
    assert!(!lint.stdout.contains("SPEC165"), "{}", lint.stdout);
    let render = p.run_gen(["render", "pinned.yaml", "--out", "pinned"]);
    assert_eq!(render.code, 0, "{}", render.stderr);
    let dockerfile = std::fs::read_to_string(p.path("pinned/services/shop/Dockerfile")).expect("Dockerfile");
    assert!(dockerfile.contains(&format!("FROM python:3.12-slim-trixie@{digest} AS builder")), "{dockerfile}");

    // Not a digest (a tag, upper case, short): a usage error, nothing written.
    for bad in ["3.12-slim", "sha256:ABC", &format!("sha256:{}", "0".repeat(63)), &digest.to_uppercase()] {
        let run = p.run_gen(["init", "--out", "bad.yaml", "--base-image-digest", bad]);
        assert_eq!(run.code, 2, "{bad}: {}", run.stdout);
        assert!(run.stderr.contains("is not a digest"), "{}", run.stderr);
        assert!(!p.path("bad.yaml").exists());
    }
}

#[test]
fn the_committed_example_is_what_init_writes_and_out_is_in_sync() {
    let p = Project::new();
    let committed = std::fs::read_to_string(root().join("spec.yaml")).expect("spec.yaml at the root");
    assert_eq!(std::fs::read_to_string(p.path("spec.yaml")).expect("read"), committed);
    let run = Gen::new().args(["render", "spec.yaml", "--check"]).current_dir(root()).run();
    assert_eq!(run.code, 0, "out/ drifted:\n{}", run.stdout);
    // The drift check leaves scaffold files alone (they are a user's once written), so it
    // would not see the shipped example's go stale: they are what a first render writes today.
    // (The lock without hashes that the Dockerfile's `--require-hashes` refuses once was.)
    let run = p.run_gen(["render", "spec.yaml"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("out/.gen-manifest.json")).expect("manifest"))
            .expect("JSON");
    let scaffold: Vec<&str> = manifest["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["ownership"] == "scaffold")
        .map(|f| f["path"].as_str().expect("path"))
        .collect();
    assert!(scaffold.contains(&"services/shop/requirements.txt"), "{scaffold:?}");
    for path in scaffold {
        let shipped = std::fs::read(root().join("out").join(path)).expect("shipped");
        let fresh = std::fs::read(p.path("out").join(path)).expect("fresh");
        assert!(shipped == fresh, "out/{path} is not what gen writes today: delete it and render again");
    }
}

#[test]
fn the_binary_alone_in_an_empty_directory_can_init_and_render() {
    let dir = tempfile::tempdir().expect("tempdir");
    let bin = dir.path().join("gen");
    std::fs::copy(env!("CARGO_BIN_EXE_gen"), &bin).expect("copy");
    let run =
        |args: &[&str]| std::process::Command::new(&bin).args(args).current_dir(dir.path()).output().expect("run");
    assert!(run(&["init"]).status.success());
    let out = run(&["render", "spec.yaml"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(dir.path().join("out/services/shop/Dockerfile").is_file());
}

#[test]
fn gen_s_own_local_render_notes_nothing_about_the_ingress_controller_it_renders_for() {
    // Seed 002 on minikube: its ingress addon is ingress-nginx, the platform's choice. The same
    // Ingress written by hand draws K8S047's note.
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = dir.path().join("spec.yaml");
    std::fs::copy(root().join("examples/seed-002-athletes.yaml"), &spec).expect("copy");
    let run = Gen::new().args(["render"]).arg(&spec).env("PATH", common::path_with_helm()).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("K8S047") && !run.stdout.contains("K8S047"), "{}", run.stderr);
    let lint = Gen::new().args(["lint", "--format", "json"]).arg(&spec).env("PATH", common::path_with_helm()).run();
    assert!(!lint.codes().contains(&"K8S047".to_string()), "{}", lint.stdout);
    let ingress = std::fs::read_to_string(dir.path().join("out/manifests/flask-app/ingress.yaml")).expect("ingress");
    let hand = dir.path().join("hand");
    std::fs::create_dir(&hand).expect("mkdir");
    std::fs::write(hand.join("ingress.yaml"), ingress).expect("write");
    let lint = Gen::new().args(["lint", "--format", "json"]).arg(hand.join("ingress.yaml")).run();
    assert!(lint.codes().contains(&"K8S047".to_string()), "{}", lint.stdout);
}

/// The reference spec with `extra` more services beside `shop`, each with a host of its own.
fn with_services(extra: usize) -> String {
    let text = std::fs::read_to_string(root().join("spec.yaml")).expect("the reference spec");
    let services: String = (1..=extra)
        .map(|i| {
            format!(
                "  - name: \"svc{i}\"\n    blueprint: flask\n    port: 5000\n    replicas: 1\n    \
                 ingress: {{host: \"svc{i}.example.com\", path: /, tls: true}}\n    params: {{pythonVersion: \"3.12\"}}\n"
            )
        })
        .collect();
    let at = "\n# The GitHub workflow";
    assert!(text.contains(at), "the reference spec's services end before its pipeline");
    text.replacen(at, &format!("{services}{at}"), 1)
}

#[test]
fn a_change_to_a_job_every_service_runs_is_one_changed_file_for_thirty_services() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), with_services(29)).expect("write spec");
    // The base blueprint with one line of the build job changed (its timeout), given as a
    // folder of blueprints: it overrides the built-in one.
    let blueprints = dir.path().join("blueprints");
    for entry in walkdir::WalkDir::new(root().join("blueprints/base")).into_iter().flatten() {
        let to = blueprints.join("base").join(entry.path().strip_prefix(root().join("blueprints/base")).expect("in"));
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&to).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &to).expect("copy");
        }
    }
    let pipeline = blueprints.join("base/templates/workflows/pipeline.yml");
    let text = std::fs::read_to_string(&pipeline).expect("read");
    assert_eq!(text.matches("    timeout-minutes: 30\n").count(), 1, "the build job's timeout");
    std::fs::write(&pipeline, text.replace("    timeout-minutes: 30\n", "    timeout-minutes: 31\n")).expect("write");

    let render = |extra: &[&str]| {
        let mut args = vec!["render", "spec.yaml", "--github-at", "output"];
        args.extend(extra);
        let run = Gen::new().args(&args).current_dir(dir.path()).run();
        assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
        tree(&dir.path().join("out"))
    };
    let before = render(&[]);
    let blueprints_arg = blueprints.display().to_string();
    let after = render(&["--blueprints", &blueprints_arg]);
    let workflows = before.keys().filter(|p| p.starts_with(".github/workflows/")).count();
    assert_eq!(workflows, 30 * 2 + 6, "a caller and a rollback caller per service, and the project's six");
    assert_eq!(before.keys().collect::<Vec<_>>(), after.keys().collect::<Vec<_>>());
    let changed: Vec<&String> = before.iter().filter(|(path, bytes)| after[*path] != **bytes).map(|(p, _)| p).collect();
    assert_eq!(changed, [".gen-manifest.json", ".github/workflows/_pipeline.yml"]);
    // The manifest records each file's digest: that file's alone changed.
    let lines = |tree: &BTreeMap<String, Vec<u8>>| {
        String::from_utf8(tree[".gen-manifest.json"].clone())
            .expect("UTF-8")
            .lines()
            .map(str::to_string)
            .collect::<Vec<_>>()
    };
    let (old, new) = (lines(&before), lines(&after));
    let differ = old.iter().zip(&new).filter(|(a, b)| a != b).count();
    assert_eq!((old.len(), differ), (new.len(), 1), "the manifest changed beyond the one file's digest");
}

/// `gen init --platform aws --runtime ecs` starts an ECS spec, which renders Terraform and the
/// pipeline and no Kubernetes file; `--runtime ecs` elsewhere writes nothing and says why.
#[test]
fn gen_init_starts_an_ecs_spec_on_aws_alone() {
    let dir = tempfile::tempdir().expect("tempdir");
    let init = Gen::new().args(["init", "--platform", "aws", "--runtime", "ecs"]).current_dir(dir.path()).run();
    assert_eq!(init.code, 0, "{}", init.stderr);
    let spec = std::fs::read_to_string(dir.path().join("spec.yaml")).expect("spec");
    assert!(spec.contains("    ecs:\n") && !spec.contains("eks:"), "{spec}");
    let run = Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let out = dir.path().join("out");
    assert!(out.join("terraform/modules/ecs-service/main.tf").is_file());
    assert!(dir.path().join(".github/workflows/_pipeline.yml").is_file());
    for kubernetes in ["chart", "manifests", "values", "terraform/cluster"] {
        assert!(!out.join(kubernetes).exists(), "{kubernetes}");
    }
    let elsewhere = Gen::new().args(["init", "--runtime", "ecs", "--out", "azure.yaml"]).current_dir(dir.path()).run();
    assert_eq!(elsewhere.code, 2);
    assert!(elsewhere.stderr.contains("--platform aws"), "{}", elsewhere.stderr);
    assert!(!dir.path().join("azure.yaml").exists());
}
