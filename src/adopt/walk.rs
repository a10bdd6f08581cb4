//! The bounded walk of a repository: which files are read, and which are passed over with a
//! note (too big, binary, a link out of the folder, too deep). Nothing is ever written, no link
//! to a folder is followed (no loop can start), and no file that is not a regular file is
//! opened (a FIFO would block the read).

use std::io::Read;
use std::path::{Path, PathBuf};

use crate::render::MANIFEST_NAME;

/// The largest file read: a deployment file is a few KB; a bigger one is vendored or generated.
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;
/// The deepest folder read, counted from the repository.
pub const MAX_DEPTH: usize = 24;
/// The most files and folders looked at: a repository with more is read in part, with a note.
pub const MAX_ENTRIES: usize = 200_000;

/// Folders never read: version control, tool caches and virtual environments.
const SKIPPED_FOLDERS: &[&str] =
    &[".git", "node_modules", ".venv", "venv", "__pycache__", ".terraform", ".tox", ".mypy_cache", ".pytest_cache"];

/// One file read, its path relative to the repository with `/` separators.
#[derive(Clone, Debug)]
pub struct RepoFile {
    pub rel: String,
    pub text: String,
}

/// What the walk gave.
#[derive(Debug, Default)]
pub struct Walked {
    pub files: Vec<RepoFile>,
    /// `path: why`, for each file of interest passed over.
    pub notes: Vec<(String, String)>,
}

/// Whether the readers want a file, by its name.
pub fn wanted(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    lower == "dockerfile"
        || lower == "containerfile"
        || lower.starts_with("dockerfile.")
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || lower.ends_with(".tf")
        || lower.ends_with(".tfvars")
        || lower.ends_with(".py")
        // An entrypoint script: what the image runs before the app.
        || lower.ends_with(".sh")
        // A chart's named templates (its Deployment's selector labels).
        || lower == "_helpers.tpl"
        || (lower.starts_with("requirements") && lower.ends_with(".txt"))
        || (lower.ends_with(".json") && (lower.contains("task-def") || lower.contains("taskdef")))
}

/// Walks `root`, reading the files [`wanted`] names, and `.git/config`. `skip` is a folder
/// never read (where the spec's render would go).
pub fn walk(root: &Path, skip: &[PathBuf]) -> Walked {
    let mut out = Walked::default();
    let real_root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
    git_config(root, &real_root, &mut out);
    let mut seen = 0usize;
    // The output folders of earlier renders (one holding gen's manifest): not read, and what
    // their manifests list elsewhere (`.github/` at the root) is not read either.
    let outputs = std::cell::RefCell::new(Vec::new());
    if root.join(MANIFEST_NAME).exists() {
        outputs.borrow_mut().push(String::from("."));
    }
    let walker = walkdir::WalkDir::new(root)
        .follow_links(false)
        .max_depth(MAX_DEPTH)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            if e.depth() == 0 || !e.file_type().is_dir() {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if SKIPPED_FOLDERS.contains(&name.as_ref()) {
                return false;
            }
            // gen's own rendered output (the spec's own `out/` among them): what it says is the
            // spec's, not the repository's.
            if e.path().join(MANIFEST_NAME).exists() {
                outputs.borrow_mut().push(rel(root, e.path()));
                return false;
            }
            !skip.iter().any(|s| s == e.path())
        });
    for entry in walker {
        seen += 1;
        if seen > MAX_ENTRIES {
            out.notes.push((".".into(), format!("more than {MAX_ENTRIES} files and folders: the rest is not read")));
            break;
        }
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e.path().map(|p| rel(root, p)).unwrap_or_else(|| ".".into());
                out.notes.push((
                    path,
                    format!("cannot be read: {}", e.io_error().map_or(e.to_string(), |io| io.to_string())),
                ));
                continue;
            }
        };
        let path = entry.path();
        let rel_path = rel(root, path);
        let kind = entry.file_type();
        if kind.is_dir() {
            if entry.depth() == MAX_DEPTH {
                out.notes.push((rel_path, format!("deeper than {MAX_DEPTH} folders: not read")));
            }
            continue;
        }
        if !wanted(&rel_path) {
            continue;
        }
        if kind.is_symlink() {
            match std::fs::canonicalize(path) {
                Err(_) => out.notes.push((rel_path, "a link to nothing: not read".into())),
                Ok(target) if !target.starts_with(&real_root) => out.notes.push((
                    rel_path,
                    "a link out of the repository: not read (only what is in the folder is read)".into(),
                )),
                Ok(target) if target.is_dir() => {
                    out.notes.push((rel_path, "a link to a folder: not followed".into()));
                }
                Ok(target) => read_into(&target, &rel_path, &mut out),
            }
            continue;
        }
        if !kind.is_file() {
            out.notes.push((rel_path, "not a regular file: not read".into()));
            continue;
        }
        read_into(path, &rel_path, &mut out);
    }
    for folder in outputs.into_inner() {
        skip_rendered(root, &folder, &mut out);
    }
    out
}

/// Takes out of `out` the files the manifest in `folder` (relative to `root`) lists: gen's own
/// rendered output, which says what the spec says, not what the team deploys; and says so.
fn skip_rendered(root: &Path, folder: &str, out: &mut Walked) {
    let manifest = if folder == "." { MANIFEST_NAME.to_string() } else { format!("{folder}/{MANIFEST_NAME}") };
    if folder != "." {
        out.notes
            .push((format!("{folder}/"), format!("gen's own rendered output (it holds {MANIFEST_NAME}): not read")));
    }
    let listed = match crate::output::Manifest::read_at(&root.join(&manifest)) {
        Ok(Some(m)) => m.files,
        Ok(None) => return,
        Err(e) => {
            return out.notes.push((manifest, format!("not a manifest gen reads ({e}): the files it lists are read")));
        }
    };
    let paths: std::collections::BTreeSet<String> = listed.iter().filter_map(|f| from_root(folder, &f.path)).collect();
    let before = out.files.len();
    out.files.retain(|f| !paths.contains(&f.rel));
    let skipped = before - out.files.len();
    if skipped > 0 {
        out.notes.push((
            manifest,
            format!("the files it lists ({skipped} here) are gen's own rendered output, not the team's: not read"),
        ));
    }
}

/// A path a manifest in `folder` records (from that folder, `../` leading up), from the
/// repository root; `None` when it leads out of the repository.
fn from_root(folder: &str, path: &str) -> Option<String> {
    let mut parts: Vec<&str> = folder.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(parts.join("/"))
}

/// Reads `.git/config` (the remote's name), unless `.git` is a link that leads out of the
/// repository or to nothing: noted as any other such link.
fn git_config(root: &Path, real_root: &Path, out: &mut Walked) {
    let git = root.join(".git");
    let Ok(meta) = std::fs::symlink_metadata(&git) else { return };
    if meta.file_type().is_symlink() {
        match std::fs::canonicalize(&git) {
            Err(_) => return out.notes.push((".git".into(), "a link to nothing: not read".into())),
            Ok(target) if !target.starts_with(real_root) => {
                return out.notes.push((
                    ".git".into(),
                    "a link out of the repository: not read (only what is in the folder is read)".into(),
                ));
            }
            Ok(_) => {}
        }
    }
    let config = git.join("config");
    if std::fs::symlink_metadata(&config).is_ok_and(|m| m.is_file()) {
        read_into(&config, ".git/config", out);
    }
}

/// `path` relative to `root`, with `/` separators.
fn rel(root: &Path, path: &Path) -> String {
    let r = path.strip_prefix(root).unwrap_or(path);
    let parts: Vec<String> = r.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

/// Reads one regular file within the bounds, or notes why not.
fn read_into(path: &Path, rel: &str, out: &mut Walked) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => return out.notes.push((rel.into(), format!("cannot be read: {e}"))),
    };
    match file.metadata() {
        Ok(m) if !m.is_file() => return out.notes.push((rel.into(), "not a regular file: not read".into())),
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return out.notes.push((
                rel.into(),
                format!("{} bytes, over the {} KiB read of one file: not read", m.len(), MAX_FILE_BYTES / 1024),
            ));
        }
        Ok(_) => {}
        Err(e) => return out.notes.push((rel.into(), format!("cannot be read: {e}"))),
    }
    // Bounded even if the file grows while it is read.
    let mut bytes = Vec::new();
    if let Err(e) = file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes) {
        return out.notes.push((rel.into(), format!("cannot be read: {e}")));
    }
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return out
            .notes
            .push((rel.into(), format!("over the {} KiB read of one file: not read", MAX_FILE_BYTES / 1024)));
    }
    if bytes.contains(&0) {
        return out.notes.push((rel.into(), "a binary file (it holds NUL bytes): not read".into()));
    }
    match String::from_utf8(bytes) {
        Ok(text) => {
            let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
            out.files.push(RepoFile { rel: rel.into(), text });
        }
        Err(e) => {
            out.notes.push((rel.into(), format!("not UTF-8 text (byte {}): not read", e.utf8_error().valid_up_to())))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_files_the_readers_want_are_named_by_their_kind() {
        for yes in
            ["Dockerfile", "app/Dockerfile.prod", "k8s/deploy.yaml", "main.tf", "app/run.py", "requirements-dev.txt"]
        {
            assert!(wanted(yes), "{yes}");
        }
        for no in ["README.md", "logo.png", "notes.txt", "package.json"] {
            assert!(!wanted(no), "{no}");
        }
    }

    #[test]
    fn a_big_a_binary_and_a_linked_out_file_are_noted_not_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let outside = tempfile::tempdir().expect("tempdir");
        std::fs::write(outside.path().join("secret.yaml"), "a: 1\n").expect("write");
        std::fs::write(dir.path().join("Dockerfile"), b"FROM x\0\0").expect("write");
        std::fs::write(dir.path().join("big.yaml"), vec![b'#'; (MAX_FILE_BYTES + 1) as usize]).expect("write");
        std::fs::write(dir.path().join("ok.yaml"), "a: 1\n").expect("write");
        #[cfg(unix)]
        std::os::unix::fs::symlink(outside.path().join("secret.yaml"), dir.path().join("out.yaml")).expect("link");
        #[cfg(unix)]
        std::os::unix::fs::symlink(dir.path(), dir.path().join("loop")).expect("link");
        let walked = walk(dir.path(), &[]);
        let read: Vec<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(read, ["ok.yaml"]);
        let noted: Vec<&str> = walked.notes.iter().map(|n| n.0.as_str()).collect();
        assert!(noted.contains(&"Dockerfile") && noted.contains(&"big.yaml"), "{noted:?}");
        #[cfg(unix)]
        assert!(noted.contains(&"out.yaml"), "{noted:?}");
    }
}
