//! What gen owns, and that no byte written by hand is lost without a flag that names it: edited
//! managed files, files in the way, scaffold files, trees that cannot be written whole, two
//! renders at once, and what a render says it did.

use crate::common;

use std::path::Path;

use common::Project;

const DOCKERFILE: &str = "out/services/shop/Dockerfile";

fn read(p: &Project, rel: &str) -> String {
    std::fs::read_to_string(p.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn edit(p: &Project, rel: &str, from: &str, to: &str) -> String {
    let text = read(p, rel).replace(from, to);
    std::fs::write(p.path(rel), &text).expect("write");
    text
}

#[test]
fn a_hand_edited_managed_file_is_kept_shown_and_the_render_exits_1() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    let mine = edit(&p, DOCKERFILE, "EXPOSE 5000", "EXPOSE 5000 5001");
    p.edit_spec("port: 5000", "port: 5002");
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(read(&p, DOCKERFILE), mine, "the edit survives a plain render");
    assert!(run.stderr.contains("-EXPOSE 5000 5001\n+EXPOSE 5002"), "the diff is shown: {}", run.stderr);
    for way in ["--discard-edits", "--keep-edits", "move the change into the spec"] {
        assert!(run.stderr.contains(way), "says how to proceed ({way}): {}", run.stderr);
    }
    // Other files still follow the spec.
    assert!(read(&p, "out/services/shop/gunicorn.conf.py").contains("5002"));
    // Reported again until the user decides.
    assert_eq!(p.render().code, 1);
    assert_eq!(read(&p, DOCKERFILE), mine);
}

#[test]
fn discard_edits_takes_gens_version_and_says_so() {
    let p = Project::new();
    p.render();
    edit(&p, DOCKERFILE, "EXPOSE 5000", "EXPOSE 5001");
    let run = p.run_gen(["render", "spec.yaml", "--discard-edits"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&p, DOCKERFILE).contains("EXPOSE 5000\n"));
    assert!(
        run.stderr.contains("--discard-edits discarded the hand edits of out/services/shop/Dockerfile"),
        "{}",
        run.stderr
    );
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0);
}

#[test]
fn keep_edits_makes_the_file_the_users_and_gen_stops_checking_it() {
    let p = Project::new();
    p.render();
    let mine = edit(&p, DOCKERFILE, "EXPOSE 5000", "EXPOSE 5000 9090");
    let run = p.run_gen(["render", "spec.yaml", "--keep-edits"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("yours now"), "{}", run.stderr);
    p.edit_spec("port: 5000", "port: 5003");
    // The render writes gen's files, and says what the kept file now lacks: exit 1, as `gen lint`.
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("written; your files above"), "{}", run.stderr);
    assert_eq!(read(&p, DOCKERFILE), mine, "a released file is never written again");
    // The render says it too, at the kept file's line: it deploys it with the spec.
    let at =
        format!("out/services/shop/Dockerfile:{}:8", mine.lines().position(|l| l == "EXPOSE 5000 9090").unwrap() + 1);
    assert!(
        run.stderr.contains("error[DF008]: EXPOSE 5000 9090 does not include the service's port 5003"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&at) && run.stderr.contains("yours since `gen render --keep-edits`"), "{}", run.stderr);
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0, "nor drift-checked");
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert!(!lint.codes().contains(&"DRIFT001".to_string()), "{:?}", lint.codes());
    // Still linted as what the spec renders there: its EXPOSE no longer has the port.
    let line = mine.lines().position(|l| l == "EXPOSE 5000 9090").expect("EXPOSE") + 1;
    assert!(lint.findings().contains(&("DF008".to_string(), line, 8)), "{:?}", lint.findings());
    assert_eq!(lint.code, 1);
    // Deleting it hands it back to gen.
    std::fs::remove_file(p.path(DOCKERFILE)).expect("rm");
    assert_eq!(p.render().code, 0);
    assert!(read(&p, DOCKERFILE).contains("EXPOSE 5003\n"));
    edit(&p, DOCKERFILE, "EXPOSE 5003", "EXPOSE 1");
    assert_eq!(p.render().code, 1, "managed again: a new edit is reported");
}

#[test]
fn a_file_already_where_a_scaffold_file_goes_is_reported_and_kept() {
    let p = Project::new();
    let app = "out/services/shop/app/__init__.py";
    std::fs::create_dir_all(p.path("out/services/shop/app")).expect("mkdir");
    std::fs::write(p.path(app), "# my existing app\n").expect("write");
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("out/services/shop/app/__init__.py was already there"), "{}", run.stderr);
    assert_eq!(read(&p, app), "# my existing app\n");
    assert!(!run.stdout.contains("created 8"), "{}", run.stdout);
    // Reported once: from then on it is a scaffold file, the user's.
    assert_eq!(p.render().code, 0);
    assert_eq!(read(&p, app), "# my existing app\n");
}

#[test]
fn a_file_in_the_way_of_a_managed_file_is_kept_until_overwrite_unowned() {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out/services/shop")).expect("mkdir");
    std::fs::write(p.path(DOCKERFILE), "FROM mine\n").expect("write");
    let run = p.render();
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("exists and gen does not own it") && run.stderr.contains("--overwrite-unowned"));
    assert_eq!(read(&p, DOCKERFILE), "FROM mine\n");
    let run = p.run_gen(["render", "spec.yaml", "--discard-edits"]);
    assert_eq!(run.code, 1, "--discard-edits is about edits of gen's files, not files gen does not own");
    assert_eq!(read(&p, DOCKERFILE), "FROM mine\n");
    let run = p.run_gen(["render", "spec.yaml", "--overwrite-unowned"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("--overwrite-unowned replaced out/services/shop/Dockerfile"));
    assert!(read(&p, DOCKERFILE).contains("EXPOSE 5000"));
}

#[test]
fn force_is_refused_with_the_flags_that_name_what_they_lose() {
    let p = Project::new();
    let run = p.run_gen(["render", "spec.yaml", "--force"]);
    assert_eq!(run.code, 2);
    for flag in ["--discard-edits", "--keep-edits", "--overwrite-unowned"] {
        assert!(run.stderr.contains(flag), "{}", run.stderr);
    }
    assert!(!p.path("out").exists());
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    let mut out: Vec<String> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).expect("inside").display().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn a_folder_where_a_file_goes_stops_the_render_before_any_write() {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out/services/shop/Dockerfile")).expect("mkdir");
    let run = p.render();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("a folder stands where gen writes a file"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(files(&p.path("out")), Vec::<String>::new(), "no file written, no manifest");
}

#[test]
fn a_file_where_a_folder_goes_stops_the_render_before_any_write() {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out/services")).expect("mkdir");
    std::fs::write(p.path("out/services/shop"), "a file, not a folder\n").expect("write");
    let run = p.render();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("a file stands where gen needs a folder"), "{}", run.stderr);
    assert_eq!(files(&p.path("out")), vec!["services/shop".to_string()]);
}

/// Makes a folder unwritable, even for root (whom a mode of 0555 does not stop).
fn make_unwritable(dir: &Path) -> impl Drop + use<> {
    struct Restore(std::path::PathBuf);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = std::process::Command::new("chattr").arg("-i").arg(&self.0).status();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let _ = std::fs::set_permissions(&self.0, std::fs::Permissions::from_mode(0o755));
            }
        }
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    }
    if std::fs::write(dir.join("probe"), "").is_ok() {
        let _ = std::fs::remove_file(dir.join("probe"));
        let ok = std::process::Command::new("chattr").arg("+i").arg(dir).status().is_ok_and(|s| s.success());
        assert!(ok, "cannot make {} unwritable (neither mode 0555 nor chattr +i holds)", dir.display());
        assert!(std::fs::write(dir.join("probe"), "").is_err());
    }
    Restore(dir.to_path_buf())
}

#[test]
fn a_folder_that_cannot_be_written_stops_the_render_with_nothing_written() {
    let p = Project::new();
    std::fs::create_dir_all(p.path("out/services/shop")).expect("mkdir");
    let guard = make_unwritable(&p.path("out/services/shop"));
    let run = p.render();
    drop(guard);
    assert_eq!(run.code, 2, "{}", run.stderr);
    // Named by the file it could not write, not by a temporary one, and said to write nothing.
    assert!(run.stderr.contains("gen: error: out/services/shop/"), "{}", run.stderr);
    assert!(!run.stderr.contains(".gen-tmp-"), "{}", run.stderr);
    assert!(run.stderr.contains("nothing was written"), "{}", run.stderr);
    assert_eq!(files(&p.path("out")), Vec::<String>::new(), "README.md and the manifest were not written either");
    assert_eq!(p.render().code, 0, "once writable, the render goes through");
}

#[test]
fn an_interrupted_renders_temporary_files_are_removed_by_the_next() {
    let p = Project::new();
    p.render();
    std::fs::write(p.path("out/services/shop/.gen-tmp-Ab12Cd"), "half a Dockerfile").expect("write");
    let run = p.render();
    assert_eq!(run.code, 0);
    assert!(
        run.stderr
            .contains("removed 1 temporary file(s) an interrupted render left: out/services/shop/.gen-tmp-Ab12Cd"),
        "{}",
        run.stderr
    );
    assert!(!p.path("out/services/shop/.gen-tmp-Ab12Cd").exists());
}

#[test]
fn a_render_into_a_folder_another_render_holds_is_refused() {
    let p = Project::new();
    p.render();
    let before = files(&p.path("out"));
    let held = std::fs::File::open(p.path("out")).expect("open");
    held.lock().expect("lock");
    p.edit_spec("port: 5000", "port: 5004");
    let run = p.render();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("another gen render is writing into this folder"), "{}", run.stderr);
    assert!(read(&p, DOCKERFILE).contains("EXPOSE 5000\n"), "nothing written while it is held");
    assert_eq!(files(&p.path("out")), before);
    drop(held);
    assert_eq!(p.render().code, 0);
}

#[test]
fn a_spec_change_that_alters_no_file_says_the_manifest_was_updated() {
    let p = Project::new();
    p.render();
    p.edit_spec("# A gen project spec", "# The gen project spec");
    let run = p.render();
    assert_eq!(run.code, 0);
    // Every file but the manifest, with `.github/` at the repository root (the spec's folder).
    let count = files(&p.path("out")).len() - 1 + files(&p.path(".github")).len();
    assert!(
        run.stdout.contains(&format!(
            "up to date, no file changed ({count} files in step with spec.yaml; gen lint spec.yaml checks them); manifest updated"
        )),
        "{}",
        run.stdout
    );
    let again = p.render();
    assert!(
        again.stdout.ends_with(&format!(
            "up to date, no file changed ({count} files in step with spec.yaml; gen lint spec.yaml checks them)\n"
        )),
        "{}",
        again.stdout
    );
    std::fs::remove_file(p.path("out/.gen-manifest.json")).expect("rm");
    let run = p.render();
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("manifest written"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------------------------
// Files gen did not write, where they matter: in a folder gen owns whole (a tool reads all of
// it), a file that says it is gen's in a shared folder, and a killed render's temporary file.

const BACKDOOR: &str = "apiVersion: v1\nkind: Pod\nmetadata: {name: backdoor}\nspec:\n  hostPID: true\n  containers:\n    - name: c\n      image: busybox:1.36\n      securityContext: {privileged: true}\n";
const OWNER: &str = "resource \"azurerm_role_assignment\" \"x\" {\n  scope                = \"/subscriptions/0\"\n  role_definition_name = \"Owner\"\n  principal_id         = \"00000000-0000-0000-0000-000000000000\"\n}\n";

fn write(p: &Project, rel: &str, text: &str) {
    let path = p.path(rel);
    std::fs::create_dir_all(path.parent().expect("a folder")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// The files `gen lint` reports under a rule, as it names them.
fn reported(p: &Project, code: &str) -> Vec<String> {
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    let report: serde_json::Value =
        serde_json::from_str(&lint.stdout).unwrap_or_else(|e| panic!("{e}: {}", lint.stdout));
    let mut files: Vec<String> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| d["file"].as_str().expect("a file").to_string())
        .collect();
    files.sort();
    files
}

#[test]
fn a_file_added_where_gen_owns_the_whole_folder_is_drift_and_a_render_keeps_and_reports_it() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    write(&p, "out/chart/templates/backdoor.yaml", BACKDOOR);
    write(&p, "out/terraform/zz_extra.tf", OWNER);
    // What the tools write themselves, and the user's own workflow beside gen's: not drift.
    for tools in [
        // Each root's dependency lock file is the user's to commit (gen never writes hashes).
        "out/terraform/.terraform.lock.hcl",
        "out/terraform/cluster/.terraform.lock.hcl",
        "out/terraform/bootstrap/.terraform.lock.hcl",
        "out/terraform/.terraform/providers/registry.terraform.io/hashicorp/azurerm/4.79.0/x",
        "out/terraform/cluster/.terraform/terraform.tfstate",
        "out/terraform/bootstrap/terraform.tfstate",
        "out/terraform/bootstrap/terraform.tfstate.backup",
        ".github/workflows/mine.yml",
    ] {
        write(&p, tools, "x\n");
    }
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    for added in ["out/chart/templates/backdoor.yaml", "out/terraform/zz_extra.tf"] {
        assert!(check.stderr.contains(&format!("error: {added}: file the manifest does not list")), "{}", check.stderr);
    }
    assert!(check.stderr.contains("Helm reads every file under it"), "{}", check.stderr);
    assert_eq!(check.stderr.matches("file the manifest does not list").count(), 2, "{}", check.stderr);
    assert_eq!(reported(&p, "DRIFT002"), ["out/chart/templates/backdoor.yaml", "out/terraform/zz_extra.tf"]);
    // A render keeps them, says so, and exits 1 until they go.
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error: out/terraform/zz_extra.tf: not gen's, in a Terraform root"), "{}", run.stderr);
    assert!(run.stderr.contains("kept: gen removes no file it did not write"), "{}", run.stderr);
    assert_eq!(read(&p, "out/chart/templates/backdoor.yaml"), BACKDOOR);
    assert_eq!(read(&p, "out/terraform/zz_extra.tf"), OWNER);
    std::fs::remove_file(p.path("out/chart/templates/backdoor.yaml")).expect("rm");
    std::fs::remove_file(p.path("out/terraform/zz_extra.tf")).expect("rm");
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0);
    assert_eq!(p.render().code, 0);
}

#[test]
fn a_second_spec_rendered_into_a_chart_is_drift_of_the_first() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    std::fs::copy(p.path("spec.yaml"), p.path("other.yaml")).expect("copy");
    // That render writes, and says that the files of the chart it writes beside are gen's
    // but not its own.
    // (Its `.github/` kept in its output folder: a second spec's at the root is refused.)
    let planted = p.run_gen(["render", "other.yaml", "--out", "out/chart", "--github-at", "output"]);
    assert_eq!(planted.code, 1, "{}", planted.stderr);
    assert!(planted.stderr.contains("error: out/chart/Chart.yaml: says it is generated by gen"), "{}", planted.stderr);
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("error: out/chart/chart/Chart.yaml: file the manifest does not list"));
    let drift = reported(&p, "DRIFT002");
    assert!(drift.contains(&"out/chart/.gen-manifest.json".to_string()), "{drift:?}");
    assert!(drift.contains(&"out/chart/chart/templates/deployment.yaml".to_string()), "{drift:?}");
}

#[test]
fn a_file_that_says_it_is_gens_in_a_shared_folder_is_drift_and_the_users_own_are_not() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    let marker = "# Code generated by gen from spec.yaml; DO NOT EDIT.\n";
    write(&p, ".github/workflows/old.yml", &format!("{marker}on: push\n"));
    write(&p, "out/scripts/old.sh", &format!("#!/usr/bin/env bash\n{marker}echo hi\n"));
    write(&p, ".github/workflows/mine.yml", "on: push\n# Code generated by gen, line 2 of a comment\n");
    write(&p, "out/services/shop/notes.md", "mine\n");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains(".github/workflows/old.yml: file says it is generated by gen"), "{}", check.stderr);
    assert_eq!(reported(&p, "DRIFT002"), [".github/workflows/old.yml", "out/scripts/old.sh"]);
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("if an earlier render wrote it, delete it"), "{}", run.stderr);
    assert!(p.path(".github/workflows/old.yml").exists(), "kept");
}

#[test]
fn a_killed_renders_temporary_file_is_drift_until_the_next_render_removes_it() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    write(&p, "out/chart/templates/.gen-tmp-Ab12Cd", "half a template");
    write(&p, ".github/workflows/.gen-tmp-Ef34Gh", "half a workflow");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert_eq!(reported(&p, "DRIFT002"), [".github/workflows/.gen-tmp-Ef34Gh", "out/chart/templates/.gen-tmp-Ab12Cd"]);
    assert_eq!(p.render().code, 0);
    assert!(!p.path("out/chart/templates/.gen-tmp-Ab12Cd").exists());
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0);
}

// ---------------------------------------------------------------------------------------------
// What a render says when it cannot write, or must not.

#[test]
fn an_output_folder_that_is_a_file_is_named_as_one_and_nothing_is_written() {
    let p = Project::new();
    write(&p, "notes.txt", "mine\n");
    for out in ["notes.txt", "notes.txt/sub"] {
        let run = p.run_gen(["render", "spec.yaml", "--out", out]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        let file = if out == "notes.txt" { "notes.txt: is a file" } else { "notes.txt/sub: notes.txt is a file" };
        assert!(run.stderr.contains(&format!("{file}, not a folder")), "{}", run.stderr);
        assert!(run.stderr.contains("--out DIR; nothing was written"), "{}", run.stderr);
        assert!(!run.stderr.contains("os error"), "{}", run.stderr);
        let check = p.run_gen(["render", "spec.yaml", "--check", "--out", out]);
        assert_eq!(check.code, 2, "{}", check.stderr);
        assert!(check.stderr.contains("not a folder"), "{}", check.stderr);
        let lint = p.run_gen(["lint", "spec.yaml", "--out", out]);
        assert_eq!(lint.code, 2, "{}", lint.stderr);
        assert!(lint.stderr.contains("not a folder"), "{}", lint.stderr);
    }
    assert_eq!(read(&p, "notes.txt"), "mine\n");
}

#[cfg(unix)]
#[test]
fn a_linked_folder_in_the_output_is_said_once() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    std::fs::rename(p.path("out/chart"), p.path("moved")).expect("mv");
    std::os::unix::fs::symlink(p.path("moved"), p.path("out/chart")).expect("link");
    p.edit_spec("port: 5000", "port: 5002");
    let run = p.render();
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert_eq!(run.stderr.matches("out/chart: is a symbolic link").count(), 1, "{}", run.stderr);
}

#[test]
fn check_says_which_flags_settle_a_hand_edit_or_a_file_in_the_way() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    edit(&p, DOCKERFILE, "EXPOSE 5000", "EXPOSE 5001");
    std::fs::remove_file(p.path("out/services/shop/gunicorn.conf.py")).expect("rm");
    let manifest =
        read(&p, "out/.gen-manifest.json").replace("services/shop/gunicorn.conf.py", "services/shop/gone.py");
    std::fs::write(p.path("out/.gen-manifest.json"), manifest).expect("write");
    write(&p, "out/services/shop/gunicorn.conf.py", "mine = True\n");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(
        check.stderr.contains("error: out/services/shop/Dockerfile: managed file was edited by hand"),
        "{}",
        check.stderr
    );
    for flag in [
        "gen render spec.yaml --discard-edits",
        "gen render spec.yaml --keep-edits",
        "gen render spec.yaml --overwrite-unowned",
    ] {
        assert!(check.stderr.contains(flag), "names {flag}: {}", check.stderr);
    }
    assert!(check.stderr.contains("out/services/shop/gunicorn.conf.py: a file gen does not own"), "{}", check.stderr);
    // A plain render keeps both and exits 1, as the check said.
    assert_eq!(p.render().code, 1);
}

// ---------------------------------------------------------------------------------------------
// #48 review: what Helm packages into a chart, the files the pipeline rewrites, and gen's
// temporary files as told from the user's.

#[cfg(unix)]
#[test]
fn a_packaged_subchart_or_lock_the_chart_does_not_declare_is_drift_and_so_is_a_linked_one() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    // gen's Chart.yaml declares no dependency: Helm would install this subchart (a `global`
    // chart with a privileged pod, say) with the service's, and nothing of the spec shows it.
    write(&p, "out/chart/charts/evil.tgz", "a packaged chart\n");
    write(&p, "out/chart/Chart.lock", "dependencies: []\n");
    write(&p, "elsewhere/global-1.0.0.tgz", "a packaged chart outside the repository\n");
    std::os::unix::fs::symlink(p.path("elsewhere/global-1.0.0.tgz"), p.path("out/chart/charts/link.tgz"))
        .expect("link");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    for added in ["Chart.lock", "charts/evil.tgz", "charts/link.tgz"] {
        let line = format!("error: out/chart/{added}: file the manifest does not list");
        assert!(check.stderr.contains(&line), "{line}: {}", check.stderr);
    }
    assert_eq!(
        reported(&p, "DRIFT002"),
        ["out/chart/Chart.lock", "out/chart/charts/evil.tgz", "out/chart/charts/link.tgz"]
    );
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("error: out/chart/charts/evil.tgz: not gen's"), "{}", run.stderr);
    assert!(p.path("out/chart/charts/evil.tgz").exists() && p.path("out/chart/charts/link.tgz").exists());
}

/// A project of its own holding `spec`: its text, and its output rendered (exit 0).
fn rendered_project(spec: &str) -> Project {
    let p = Project { dir: tempfile::tempdir().expect("tempdir") };
    std::fs::write(p.path("spec.yaml"), spec).expect("spec");
    let run = p.render();
    assert_eq!(run.code, 0, "{}", run.stderr);
    p
}

/// The findings `gen lint` reports under a rule: file, line and column.
fn reported_at(p: &Project, code: &str) -> Vec<(String, u64, u64)> {
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    let report: serde_json::Value =
        serde_json::from_str(&lint.stdout).unwrap_or_else(|e| panic!("{e}: {}", lint.stdout));
    let mut found: Vec<(String, u64, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == code)
        .map(|d| {
            let n = |k: &str| d["location"][k].as_u64().unwrap_or(0);
            (d["file"].as_str().expect("a file").to_string(), n("line"), n("column"))
        })
        .collect();
    found.sort();
    found
}

const DIGEST: &str = "sha256:0000000000000000000000000000000000000000000000000000000000000000";

/// What the release job writes into an Argo CD release file, `values` under `valuesObject`.
fn release_file(service: &str, values: &str) -> String {
    let values: String = values.lines().map(|l| format!("        {l}\n")).collect();
    format!(
        "# the pipeline's\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: \"{service}\"\nspec:\n  source:\n    \
         targetRevision: \"0123456789abcdef0123456789abcdef01234567\"\n    helm:\n      valuesObject:\n{values}"
    )
}

#[test]
fn a_gitops_release_file_holds_only_what_the_pipeline_writes() {
    let p = rendered_project(&std::fs::read_to_string(common::fixture("specs/gitops.yaml")).expect("spec"));
    // What the release job writes: the commit, the image (and, for `users`, which reads Key
    // Vault, the workload identity and the vault values' checksum).
    let image = format!("image:\n  tag: \"0.0.2\"\n  digest: \"{DIGEST}\"\n");
    let identity = "secretEnv:\n  checksum: \"abc\"\n  keyVault:\n    tenantId: \"00000000-0000-0000-0000-000000000001\"\n    clientId: \"00000000-0000-0000-0000-000000000002\"\n";
    write(&p, "out/argocd/users.release.yaml", &release_file("users", &format!("{image}{identity}")));
    write(&p, "out/argocd/notes.release.yaml", &release_file("notes", &image));
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0);
    assert_eq!(reported_at(&p, "DRIFT003"), []);
    // Anything else is deployed by Argo CD, unsigned and unreviewed: another image, no network
    // policy, the identity where the service reads no vault, another source, and a second
    // document (kustomize applies it as a patch of its own, to any object it names).
    let evil =
        release_file("notes", &format!("{image}  repository: evil.io/x\nnetworkPolicy:\n  enabled: false\n{identity}"))
            + "    repoURL: https://evil.example/x.git\n---\nkind: AppProject\nmetadata: {name: notejam}\n";
    write(&p, "out/argocd/notes.release.yaml", &evil);
    let file = "out/argocd/notes.release.yaml";
    let expected: Vec<(String, u64, u64)> =
        [(14, 11), (15, 9), (17, 9), (22, 5), (24, 1)].iter().map(|(l, c)| (file.to_string(), *l, *c)).collect();
    assert_eq!(reported_at(&p, "DRIFT003"), expected);
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    for at in
        ["notes.release.yaml:14:11", "notes.release.yaml:15:9", "notes.release.yaml:22:5", "notes.release.yaml:24:1"]
    {
        assert!(check.stderr.contains(at), "{at}: {}", check.stderr);
    }
    assert!(check.stderr.contains("`spec.source.helm.valuesObject.networkPolicy`"), "{}", check.stderr);
    assert!(check.stderr.contains("`spec.source.repoURL`"), "{}", check.stderr);
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("DRIFT003") && run.stderr.contains("notes.release.yaml:15:9"), "{}", run.stderr);
    assert_eq!(read(&p, file), evil, "the user's file, kept");
}

#[cfg(unix)]
#[test]
fn a_gitops_release_file_that_is_a_link_is_reported() {
    let p = rendered_project(&std::fs::read_to_string(common::fixture("specs/gitops.yaml")).expect("spec"));
    // Argo CD would read the file it points to, whatever it holds.
    write(&p, "elsewhere.yaml", "spec: {source: {targetRevision: main}}\n");
    std::fs::remove_file(p.path("out/argocd/notes.release.yaml")).expect("rm");
    std::os::unix::fs::symlink(p.path("elsewhere.yaml"), p.path("out/argocd/notes.release.yaml")).expect("link");
    assert_eq!(reported(&p, "DRIFT003"), ["out/argocd/notes.release.yaml"]);
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("it is a symbolic link, where the pipeline writes a file"), "{}", check.stderr);
}

#[test]
fn a_release_file_of_an_environment_holds_only_what_the_pipeline_writes() {
    let spec = std::fs::read_to_string(common::fixture("specs/environments.yaml")).expect("spec");
    let p = rendered_project(&format!("{spec}pipeline:\n  deploy: gitops\n"));
    let file = "out/argocd/prod/shop.release.yaml";
    // Any key of the Application the pipeline does not write is reported.
    let text = release_file("shop", &format!("image:\n  tag: \"1.0.0\"\n  digest: \"{DIGEST}\"\nreplicas: 0\n"))
        + "  syncPolicy: {automated: null}\n";
    write(&p, file, &text);
    assert_eq!(reported_at(&p, "DRIFT003"), [(file.to_string(), 14, 9), (file.to_string(), 15, 3)]);
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 1);
}

#[test]
fn a_file_named_like_gens_temporary_files_where_gen_writes_nothing_is_left_alone() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    write(&p, "out/mystuff/.gen-tmp-keep", "mine\n");
    write(&p, "out/services/shop/app/deep/.gen-tmp-notes.txt", "my notes\n");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert_eq!(reported(&p, "DRIFT002"), Vec::<String>::new());
    // A leftover beside gen's own files goes; the user's files stay.
    write(&p, "out/services/shop/app/.gen-tmp-Zz9Yy8", "half a file");
    let run = p.render();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("out/services/shop/app/.gen-tmp-Zz9Yy8"), "{}", run.stderr);
    assert!(!p.path("out/services/shop/app/.gen-tmp-Zz9Yy8").exists());
    assert_eq!(read(&p, "out/mystuff/.gen-tmp-keep"), "mine\n");
    assert_eq!(read(&p, "out/services/shop/app/deep/.gen-tmp-notes.txt"), "my notes\n");
}

#[cfg(unix)]
#[test]
fn a_link_named_like_a_temporary_file_is_drift_a_render_keeps_and_a_leftover_is_named() {
    let p = Project::new();
    assert_eq!(p.render().code, 0);
    std::os::unix::fs::symlink("/etc/hostname", p.path("out/scripts/.gen-tmp-link")).expect("link");
    // gen never makes a temporary folder: one named so is not a leftover of gen's.
    write(&p, "out/scripts/.gen-tmp-dir/f", "mine\n");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("error: out/scripts/.gen-tmp-link: symbolic link named like"), "{}", check.stderr);
    assert!(!check.stderr.contains("it removes it") && !check.stderr.contains(".gen-tmp-dir"), "{}", check.stderr);
    assert_eq!(reported(&p, "DRIFT002"), ["out/scripts/.gen-tmp-link"]);
    // The render says the same: kept, exit 1.
    let run = p.render();
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("out/scripts/.gen-tmp-link"), "{}", run.stderr);
    assert!(std::fs::symlink_metadata(p.path("out/scripts/.gen-tmp-link")).is_ok(), "kept");
    std::fs::remove_file(p.path("out/scripts/.gen-tmp-link")).expect("rm");
    // A leftover temporary file is named by --check, and removed by the render it names.
    write(&p, "out/scripts/.gen-tmp-x", "half a script");
    let check = p.run_gen(["render", "spec.yaml", "--check"]);
    assert_eq!(check.code, 1, "{}", check.stderr);
    assert!(check.stderr.contains("out/scripts/.gen-tmp-x: temporary file a killed render left"), "{}", check.stderr);
    assert_eq!(p.render().code, 0);
    assert!(!p.path("out/scripts/.gen-tmp-x").exists());
    assert_eq!(read(&p, "out/scripts/.gen-tmp-dir/f"), "mine\n");
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0);
}

#[test]
fn a_release_file_naming_a_branch_tag_short_sha_or_no_digest_is_reported_at_the_value() {
    // Three environments, two services, each release proposed in a pull request.
    let spec = std::fs::read_to_string(common::fixture("specs/environments.yaml")).expect("spec").replace(
        "    secretEnv: [SECRET_KEY]\nenvironments:",
        "    secretEnv: [SECRET_KEY]\n  - name: cart\n    port: 8080\n    replicas: 1\nenvironments:",
    );
    let p = rendered_project(&format!("{spec}pipeline:\n  deploy: gitops\n  gitops: {{update: pull-request}}\n"));
    // What gen seeds and what the pipeline writes pass.
    assert_eq!(reported_at(&p, "DRIFT003"), []);
    let file = "out/argocd/test/cart.release.yaml";
    write(&p, file, &release_file("cart", &format!("image:\n  tag: \"1.0.0\"\n  digest: \"{DIGEST}\"\n")));
    assert_eq!(reported_at(&p, "DRIFT003"), []);
    // A branch, a tag, a short or upper-case SHA makes Argo CD follow a name again; a digest
    // that is not one leaves the image to its tag.
    for (revision, digest) in [
        ("main", "sha256:abc"),
        ("cart/v1.0.0", ""),
        ("0123456", "sha512:00"),
        ("0123456789ABCDEF0123456789ABCDEF01234567", "latest"),
    ] {
        let text = release_file("cart", &format!("image:\n  tag: \"1.0.0\"\n  digest: \"{digest}\"\n"))
            .replace("0123456789abcdef0123456789abcdef01234567", revision);
        write(&p, file, &text);
        assert_eq!(reported_at(&p, "DRIFT003"), [(file.to_string(), 8, 21), (file.to_string(), 13, 19)], "{revision}");
        let check = p.run_gen(["render", "spec.yaml", "--check"]);
        assert_eq!(check.code, 1, "{}", check.stderr);
        assert!(check.stderr.contains("a full commit SHA"), "{}", check.stderr);
        assert!(check.stderr.contains("an image digest"), "{}", check.stderr);
    }
    // The other environments' and the other service's files are untouched, and pass.
    let other = "out/argocd/prod/shop.release.yaml";
    write(&p, file, &release_file("cart", &format!("image:\n  tag: \"1.0.0\"\n  digest: \"{DIGEST}\"\n")));
    write(&p, other, &read(&p, other).replace("0000000000000000000000000000000000000000", "main"));
    assert_eq!(reported_at(&p, "DRIFT003"), [(other.to_string(), 12, 21)]);
}

#[test]
fn a_file_kept_with_keep_edits_is_linted_against_the_spec_it_no_longer_follows() {
    // Two services on kind: web's Dockerfile is kept, then web's port moves.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(common::fixture("specs/kind-two-services.yaml"), dir.path().join("spec.yaml")).expect("copy");
    let p = Project { dir };
    assert_eq!(p.render().code, 0);
    let web = "out/services/web/Dockerfile";
    let mine = edit(&p, web, "\nEXPOSE ", "\n# ours: we build it our way\nEXPOSE ");
    assert_eq!(p.run_gen(["render", "spec.yaml", "--keep-edits"]).code, 0);
    p.edit_spec("  - name: web\n", "  - name: web\n    port: 7000\n");
    assert_eq!(p.render().code, 1, "written, and the kept file's DF008 said");
    assert_eq!(read(&p, web), mine, "kept");
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    let line = mine.lines().position(|l| l.starts_with("EXPOSE ")).expect("EXPOSE") + 1;
    let report: serde_json::Value = serde_json::from_str(&lint.stdout).expect("json");
    let df008: Vec<(String, u64, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "DF008")
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_string();
            (s("file"), d["location"]["line"].as_u64().unwrap_or(0), s("help"))
        })
        .collect();
    assert_eq!(df008.len(), 1, "only the kept file, whose EXPOSE is not 7000: {df008:?}");
    assert_eq!((df008[0].0.as_str(), df008[0].1), (web, line as u64));
    assert!(df008[0].2.contains("EXPOSE 7000") && df008[0].2.contains("--keep-edits"), "{}", df008[0].2);
    assert_eq!(lint.code, 1);
    // api's Dockerfile is gen's, rendered with the spec: nothing to report there.
    assert!(read(&p, "out/services/api/Dockerfile").contains("EXPOSE 8080\n"));
}

#[test]
fn a_services_own_requirements_lock_without_hashes_is_reported_before_any_build() {
    // gen's Dockerfile installs requirements.txt with --require-hashes: a service's own lock
    // that has no hashes would fail `docker build`; `gen lint SPEC` says so at its lines.
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::copy(common::fixture("specs/kind-two-services.yaml"), dir.path().join("spec.yaml")).expect("copy");
    let p = Project { dir };
    assert_eq!(p.render().code, 0);
    let clean = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert!(!clean.codes().iter().any(|c| c.starts_with("REQ")), "gen's locks are hashed: {:?}", clean.codes());
    let lock = "out/services/web/requirements.txt";
    std::fs::write(p.path(lock), "# ours\nflask==3.1.3\ngunicorn>=23\n").expect("write");
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert_eq!(lint.code, 1, "{}", lint.stdout);
    let mut req: Vec<(String, usize, usize)> = lint.findings().into_iter().filter(|f| f.0.starts_with("REQ")).collect();
    req.sort();
    assert_eq!(
        req,
        [("REQ001".to_string(), 2, 1), ("REQ001".into(), 3, 1), ("REQ002".into(), 3, 1)],
        "{}",
        lint.stdout
    );
    assert!(lint.stdout.contains(lock), "named where it is: {}", lint.stdout);
    // The render, which writes no scaffold file twice, keeps it as it is, and says the same.
    let render = p.render();
    assert_eq!(render.code, 1, "{}", render.stderr);
    assert!(render.stderr.contains("error[REQ001]") && render.stderr.contains(lock), "{}", render.stderr);
    assert_eq!(read(&p, lock), "# ours\nflask==3.1.3\ngunicorn>=23\n");
    // Alone, as a hand-written file, nothing says it is installed with --require-hashes.
    assert_eq!(common::lint_json(&p.path(lock)).code, 0);
}

/// The render that keeps a hand edit already lints the kept file against the spec it renders:
/// an edit kept while the spec's port moves is said in that run, not only in the next.
#[test]
fn the_render_that_keeps_an_edit_lints_the_kept_file_against_the_spec() {
    let p = Project::new();
    p.render();
    let mine = edit(&p, DOCKERFILE, "EXPOSE 5000", "EXPOSE 5000 9090");
    p.edit_spec("port: 5000", "port: 5003");
    let run = p.run_gen(["render", "spec.yaml", "--keep-edits"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(read(&p, DOCKERFILE), mine, "kept");
    assert!(
        run.stderr.contains("error[DF008]: EXPOSE 5000 9090 does not include the service's port 5003"),
        "{}",
        run.stderr
    );
    // A file gen wrote and nobody edited is not the user's: its new version is gen's.
    assert!(!run.stderr.contains("out/services/shop/gunicorn.conf.py"), "{}", run.stderr);
}
