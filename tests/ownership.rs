//! What gen owns, and that no byte written by hand is lost without a flag that names it: edited
//! managed files, files in the way, scaffold files, trees that cannot be written whole, two
//! renders at once, and what a render says it did.

mod common;

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
    assert_eq!(p.render().code, 0);
    assert_eq!(read(&p, DOCKERFILE), mine, "a released file is never written again");
    assert_eq!(p.run_gen(["render", "spec.yaml", "--check"]).code, 0, "nor drift-checked");
    let lint = p.run_gen(["lint", "--format", "json", "spec.yaml"]);
    assert!(!lint.codes().contains(&"DRIFT001".to_string()), "{:?}", lint.codes());
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
    let count = files(&p.path("out")).len() - 1;
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
