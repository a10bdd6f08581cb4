//! The plan a render makes: the files it would write, where the spec and its output sit, and
//! which target paths are safe to write.

use crate::blueprint::Ownership;
use crate::diag::Findings;

/// The file in the output directory that records what gen owns.
pub const MANIFEST_NAME: &str = ".gen-manifest.json";

/// The manifest a render is about to write, written before it renames its files into place:
/// found by the next render, it says that this one stopped part way.
pub const JOURNAL_NAME: &str = ".gen-manifest.pending.json";

/// One file of the plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlannedFile {
    /// Relative to the output directory, `/`-separated, checked safe.
    pub path: String,
    pub bytes: Vec<u8>,
    pub ownership: Ownership,
    /// The index in `spec.services` of the service it belongs to; `None` for project files.
    pub service: Option<usize>,
    /// The artifact family the blueprint declares for it.
    pub kind: Option<String>,
    /// Which environments it is deployed to on its own.
    pub deployed: Deployed,
    /// For a scaffold file a workflow rewrites: the keys it may hold, dotted (see
    /// `FileEntry::holds`).
    pub holds: Option<Vec<String>>,
}

/// Which of a spec's environments a rendered file is deployed to on its own (each runs on a
/// cluster of its own, and its files must close there): what the closure check reads it for,
/// and what the output's manifest records, so that a linted output folder is read as its
/// render was.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub enum Deployed {
    /// Every environment (a spec without environments has one).
    #[default]
    Everywhere,
    /// None on its own: what every environment's overlay takes and patches (the chart and
    /// the plain manifests of the spec as written, when it declares environments).
    Nowhere,
    /// These environments, by their index in the spec's list.
    In(Vec<usize>),
}

/// Everything a render would write, sorted by path.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
}

/// Why rendering failed.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    #[error("the spec cannot be rendered: {0}")]
    Invalid(Findings),
}

/// Where a render's spec and output directory sit in their repository: the spec's name, which
/// the generated-file markers quote, and the paths that files run from the repository root use
/// (GitHub reads workflows only from the root's `.github/workflows/`, whatever `--out` is).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Place {
    /// The spec's file name.
    pub spec_name: String,
    /// The spec's path from the repository root, `/`-separated.
    pub spec: String,
    /// The output directory's path from the repository root, `/`-separated; `.` for the root.
    pub out: String,
    /// What was assumed where no repository was found, for `gen render` to tell.
    pub assumed: Option<String>,
}

/// The folder of the services' files in the output (the base layout's): each service's is
/// [`service_folder`].
pub const SERVICES_FOLDER: &str = "services";

/// The folder of a service's files in the output, `services/<name>`: gen's Dockerfile and, for
/// a service without `source:`, the code gen scaffolded.
pub fn service_folder(name: &str) -> String {
    format!("{SERVICES_FOLDER}/{name}")
}

impl Place {
    /// A spec at the root of its repository, rendered into the root.
    pub fn named(spec_name: &str) -> Place {
        Place { spec_name: spec_name.to_string(), spec: spec_name.to_string(), out: ".".to_string(), assumed: None }
    }

    /// The name of gen's README in the output directory: `README.md` in a folder of its own;
    /// `README.gen.md` in a folder the repository's own files share (its root, or the spec's
    /// folder), where the repository's README is, which gen never claims.
    pub fn readme(&self) -> &'static str {
        let spec_dir = self.spec.rsplit_once('/').map_or(".", |(dir, _)| dir);
        if self.out == "." || self.out == spec_dir { "README.gen.md" } else { "README.md" }
    }

    /// The output directory as a prefix of paths from the repository root: `` or `out/`.
    pub fn prefix(&self) -> String {
        if self.out == "." { String::new() } else { format!("{}/", self.out) }
    }

    /// A path written from the spec's folder (`.` for the folder itself), from the repository
    /// root: `.` for the root.
    pub fn from_spec_dir(&self, path: &str) -> String {
        let dir = self.spec.rsplit_once('/').map(|(dir, _)| dir);
        match (dir, path.trim_end_matches('/')) {
            (None, "." | "") => ".".to_string(),
            (None, path) => path.to_string(),
            (Some(dir), "." | "") => dir.to_string(),
            (Some(dir), path) => format!("{dir}/{path}"),
        }
    }

    /// The repository root from the output directory: `.`, `..`, `../..`.
    pub fn to_root(&self) -> String {
        if self.out == "." { ".".to_string() } else { vec![".."; self.depth()].join("/") }
    }

    /// How many folders the output directory is below the repository root: a file of the
    /// root ([`is_repository_file`]) is written that many `..` above the output directory.
    pub fn depth(&self) -> usize {
        if self.out == "." { 0 } else { self.out.split('/').count() }
    }

    /// The spec as the marker of the file at `path` names it: its path from the repository
    /// root for a file written at the root (where two specs' files could meet), its file name
    /// for a file beside the rest of the output.
    pub fn marker_name(&self, path: &str) -> &str {
        if is_repository_file(path) { &self.spec } else { &self.spec_name }
    }
}

/// The folder GitHub reads only at the root of a repository (workflows, Dependabot).
pub const REPOSITORY_FOLDER: &str = ".github";

/// Whether a planned file (its path relative to the output directory) belongs at the root of
/// the repository instead: GitHub reads `.github/` there and nowhere else, so a file a
/// blueprint targets under `.github/` is written at the root, whatever `--out` is.
pub fn is_repository_file(path: &str) -> bool {
    path.split('/').next() == Some(REPOSITORY_FOLDER) && path.contains('/')
}

/// Whether `path`, as an output folder's records hold it, is safe: a plain relative path in
/// the output folder ([`is_safe_relative`]), or a file of the repository root reached from
/// it, `../` repeated then a plain path under `.github/`.
pub fn is_safe_recorded(path: &str) -> bool {
    let mut rest = path;
    while let Some(r) = rest.strip_prefix("../") {
        rest = r;
    }
    is_safe_relative(rest) && (rest.len() == path.len() || is_repository_file(rest))
}

/// Whether `path` is a plain relative path inside the output directory, outside any
/// version-control folder.
pub fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.starts_with('/')
        && !path.contains('\\')
        && !path.contains('\0')
        && path.split('/').all(|s| !s.is_empty() && s != "." && s != ".." && !is_vcs_folder(s))
}

/// Whether `path` names one of the files gen keeps for itself in the output directory.
pub fn is_reserved(path: &str) -> bool {
    path == MANIFEST_NAME || path == JOURNAL_NAME
}

/// Folders where version control keeps its data and the hooks it runs, lower-cased.
const VCS_FOLDERS: [&str; 10] =
    [".git", ".hg", ".svn", ".bzr", "_darcs", "cvs", ".pijul", ".jj", ".fslckout", "_fossil_"];

/// Whether a path segment names a version-control folder as some file system would resolve it:
/// in any case (macOS and Windows fold it), with the trailing dots and spaces and the `:stream`
/// suffix Windows drops, with the invisible code points macOS ignores, or as Windows' short
/// name `git~1` (the spellings git itself refuses in a tree).
pub fn is_vcs_folder(segment: &str) -> bool {
    // Every path of a render is checked, segment by segment: an ASCII segment (nearly all of
    // them) holds no ignorable code point and folds case without allocating.
    if segment.is_ascii() {
        // Each of those names begins with `.`, `_`, `c` or `g`: any other segment is none.
        if !matches!(segment.as_bytes().first(), Some(b'.' | b'_' | b'c' | b'C' | b'g' | b'G')) {
            return false;
        }
        let name = segment.split(':').next().unwrap_or_default().trim_end_matches(['.', ' ']);
        return VCS_FOLDERS.iter().chain(&["git~1"]).any(|v| v.eq_ignore_ascii_case(name));
    }
    let visible: String = segment.chars().filter(|c| !is_ignorable(*c)).collect::<String>().to_lowercase();
    let name = visible.split(':').next().unwrap_or_default().trim_end_matches(['.', ' ']);
    VCS_FOLDERS.contains(&name) || name == "git~1"
}

/// The code points HFS+ ignores in names (git's list): zero-width joiners and directional marks.
fn is_ignorable(c: char) -> bool {
    matches!(c, '\u{200c}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{206a}'..='\u{206f}' | '\u{feff}')
}
