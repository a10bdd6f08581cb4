//! Opening the files gen is given to read (a spec, a Dockerfile, a folder's manifests): regular
//! files only, and none that a symbolic link takes out of the repository they are in.
//!
//! gen runs in CI on the content of pull requests (the rendered `gen.yml` does). A link
//! committed as `spec.yaml` or `Dockerfile` that leads to `/proc/self/environ` or to the
//! runner's credentials must not be read: what gen reads, its report quotes. A link to a file
//! elsewhere in the same repository is followed, and the file read under the link's name.
//! Pseudo-files of `/proc` and `/sys` pass for regular files, so the test is where a file
//! really is, not what it claims to be.

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports an input `gen lint` was asked to check but could not read: a missing file, a
    /// folder it may not enter, a file too large to be what it claims, a file that is not
    /// UTF-8 text (at its first bad byte), a symbolic link that leads out of the repository
    /// being checked.
    ///
    /// ## Why it matters
    /// A check that silently skips what it cannot read reports "no findings" for files it
    /// never saw; a CI job would pass on nothing. A link out of the repository is not
    /// followed: a pull request could otherwise have gen read, and quote, the runner's
    /// environment or credentials.
    ///
    /// ## How to fix
    /// Fix the path or the permissions, save the file as UTF-8, or name the file a link leads
    /// to; the message names the file and the reason.
    pub static UNREADABLE_INPUT = ("GEN001", "unreadable-input", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a folder given to `gen lint` that holds no file gen checks: no spec, no
    /// blueprint, no file of an artifact family (a Dockerfile...).
    ///
    /// ## Why it matters
    /// "No findings" for a folder gen found nothing in would let a CI job pass on a wrong
    /// path.
    ///
    /// ## How to fix
    /// Point `gen lint` at the spec, the output folder or the files to check.
    pub static NOTHING_TO_CHECK = ("GEN004", "nothing-to-check", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Says that a file `gen lint` was named is not one it checks: a Terraform lock file, a
    /// file in Terraform's JSON syntax, a GitHub Action's `action.yml`, a YAML file that is
    /// neither a gen spec (`apiVersion: gen/v1`), a Kubernetes manifest or kustomization, nor
    /// a workflow, a template for another tool, any other file. A note, not a problem: `gen
    /// lint` exits 0 for it.
    ///
    /// ## Why it matters
    /// A tool that runs `gen lint` on every changed file (a pre-commit hook, an editor) gives
    /// it files of every kind; reading one as a spec and failing would stop the commit for
    /// nothing, and passing over it silently would hide that it was never checked.
    ///
    /// ## How to fix
    /// Nothing to fix. To check a chart's files, name the chart's folder (or any of its
    /// templates or `values.yaml`); a spec says `apiVersion: gen/v1` on its first lines.
    pub static NOT_CHECKED = ("GEN005", "file-not-checked", Info, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a Helm chart found in a folder `gen lint` walked that could not be rendered
    /// (Helm is not installed, the chart's dependencies are not in its `charts/` folder, a
    /// template needs a value the defaults do not give), so its templates were not checked.
    /// A chart named directly that cannot be rendered is an input gen could not read
    /// (`GEN001`, exit code 2).
    ///
    /// ## Why it matters
    /// Such charts are ordinary in a repository (dependencies are fetched at deploy time,
    /// values given per environment); failing the whole walk for one would stop every other
    /// check, and passing over it silently would claim a check that never ran.
    ///
    /// ## How to fix
    /// Install Helm (or set `GEN_HELM`), run `helm dependency build`, or give the chart
    /// defaults that render; the message quotes Helm's reason.
    pub static CHART_NOT_RENDERED = ("GEN006", "chart-not-rendered", Warning, unignorable);
}

/// Why an input was not opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("it is not a regular file")]
    NotRegular,
    #[error(
        "a symbolic link takes it out of {}: gen reads only files inside the {} it checks",
        .boundary.display(),
        if *.repository { "repository" } else { "folder (there is no git repository above it)" }
    )]
    Outside { boundary: PathBuf, repository: bool },
}

/// The folder the files of an input must really be in: the input's repository (the nearest
/// folder above it, as named, that holds `.git`), or without one the folder named, or the
/// folder the named file is in.
#[derive(Clone, Debug)]
pub struct Boundary {
    path: PathBuf,
    repository: bool,
    /// Its real path, resolved once for a walk's many files.
    real: Option<PathBuf>,
}

impl OpenError {
    /// What to do about it.
    pub fn help(&self) -> &'static str {
        match self {
            OpenError::Outside { .. } => "name the file the link leads to, if it is yours to check",
            _ => "check the path and its permissions",
        }
    }
}

impl Boundary {
    /// The boundary of the file or folder at `path`.
    pub fn of(path: &Path) -> Boundary {
        let named = normalize(path);
        let (path, repository) = match named.ancestors().find(|d| d.join(".git").exists()) {
            Some(repo) => (repo.to_path_buf(), true),
            None if named.is_dir() => (named, false),
            None => (named.parent().map(Path::to_path_buf).unwrap_or(named), false),
        };
        let real = path.canonicalize().ok();
        Boundary { path, repository, real }
    }

    /// The folder itself: the repository's, or the folder named.
    pub fn root(&self) -> &Path {
        &self.path
    }

    /// The real path of `path` when it lies inside the boundary.
    pub fn check(&self, path: &Path) -> Result<PathBuf, OpenError> {
        let real = path.canonicalize()?;
        let root = match &self.real {
            Some(root) => root.clone(),
            None => self.path.canonicalize()?,
        };
        if real.starts_with(&root) {
            Ok(real)
        } else {
            Err(OpenError::Outside { boundary: self.path.clone(), repository: self.repository })
        }
    }

    /// Opens the regular file at `path` for reading, when it lies inside the boundary.
    pub fn open(&self, path: &Path) -> Result<File, OpenError> {
        let real = self.check(path)?;
        // A FIFO would block at open, a device never end.
        if !std::fs::metadata(&real)?.is_file() {
            return Err(OpenError::NotRegular);
        }
        Ok(File::open(real)?)
    }
}

/// `path` made absolute, `.` and `..` folded away as written (as `output::normalize` does; the
/// spec, which reads through this module, comes before `output`).
fn normalize(path: &Path) -> PathBuf {
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_link_is_followed_inside_its_repository_and_not_out_of_it() {
        let base = tempfile::tempdir().expect("tempdir");
        let repo = base.path().join("repo");
        std::fs::create_dir_all(repo.join(".git")).expect("mkdir");
        std::fs::create_dir_all(repo.join("deploy")).expect("mkdir");
        std::fs::write(repo.join("spec.yaml"), "x").expect("write");
        std::fs::write(base.path().join("secret"), "s").expect("write");
        std::os::unix::fs::symlink("../spec.yaml", repo.join("deploy/spec.yaml")).expect("link");
        std::os::unix::fs::symlink("../secret", repo.join("leak.yaml")).expect("link");
        let inside = repo.join("deploy/spec.yaml");
        assert!(Boundary::of(&inside).open(&inside).is_ok());
        let outside = repo.join("leak.yaml");
        let err = Boundary::of(&outside).open(&outside).expect_err("refused");
        assert!(matches!(err, OpenError::Outside { repository: true, .. }), "{err}");
    }
}
