//! The files a render reads: the spec, and the files of `--blueprints` folders. gen never
//! writes over one or removes it, whichever path (a hard link, a symbolic link) reaches it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A file's identity on its file system, the same through every path that reaches it: its
/// device and inode where there are some, else its canonical path.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FileId(Key);

#[cfg(unix)]
type Key = (u64, u64);
#[cfg(not(unix))]
type Key = PathBuf;

impl FileId {
    /// The identity of the file at `path`, which `meta` describes.
    pub fn of(path: &Path, meta: &std::fs::Metadata) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let _ = path;
            Some(FileId((meta.dev(), meta.ino())))
        }
        #[cfg(not(unix))]
        {
            let _ = meta;
            path.canonicalize().ok().map(FileId)
        }
    }

    /// The identity of the file at `path`, following symbolic links; `None` when there is none.
    pub fn at(path: &Path) -> Option<FileId> {
        std::fs::metadata(path).ok().and_then(|meta| FileId::of(path, &meta))
    }
}

/// The spec a render reads, and every other file it read.
#[derive(Clone, Debug)]
pub struct Inputs {
    spec: PathBuf,
    shown: String,
    spec_id: Option<FileId>,
    /// What each input is, as messages say it.
    read: HashMap<FileId, String>,
}

impl Inputs {
    /// The spec at `spec`, shown as `shown`.
    pub fn new(spec: &Path, shown: &str) -> Inputs {
        let spec_id = FileId::at(spec);
        let read = spec_id.iter().map(|id| (id.clone(), "the spec this render reads".to_string())).collect();
        Inputs { spec: spec.to_path_buf(), shown: shown.to_string(), spec_id, read }
    }

    /// Adds a file read from the blueprint folder shown as `folder`.
    pub fn add_blueprint_file(&mut self, folder: &str, file: &Path) {
        if let Some(id) = FileId::at(file) {
            self.read
                .entry(id)
                .or_insert_with(|| format!("a file of the blueprint folder {folder}, which this render reads"));
        }
    }

    /// The spec's path, as given.
    pub fn spec(&self) -> &Path {
        &self.spec
    }

    /// The spec as messages show it.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// Whether `id` is the spec's file.
    pub fn is_spec(&self, id: &FileId) -> bool {
        self.spec_id.as_ref() == Some(id)
    }

    /// What the file `id` is, when it is an input.
    pub fn what(&self, id: &FileId) -> Option<&str> {
        self.read.get(id).map(String::as_str)
    }

    /// Why gen will not write at `path`, when the file there is an input.
    pub fn refusal(&self, path: &Path, id: &FileId) -> Option<String> {
        self.what(id).map(|what| {
            format!(
                "{}: is {what}; gen never writes over its own input: render into another folder (--out DIR), or move the file",
                super::fs::shown(path)
            )
        })
    }
}
