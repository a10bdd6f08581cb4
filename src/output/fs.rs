//! Safe paths and atomic writes inside the output directory.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::{OutputError, io};
use crate::render::is_safe_relative;

/// Paths checked safe inside one output directory, remembering the folders already checked so
/// that thousands of files under the same folders cost one check each.
#[derive(Debug)]
pub struct Tree {
    out: PathBuf,
    checked: HashSet<PathBuf>,
}

impl Tree {
    pub fn new(out: &Path) -> Tree {
        Tree { out: out.to_path_buf(), checked: HashSet::new() }
    }

    /// The path of `rel` inside the output directory, refusing unsafe paths and symbolic links
    /// on the way.
    pub fn target(&mut self, rel: &str) -> Result<PathBuf, OutputError> {
        if !is_safe_relative(rel) {
            return Err(OutputError::UnsafePath(rel.to_string()));
        }
        let mut path = self.out.clone();
        let mut segments = rel.split('/').peekable();
        while let Some(segment) = segments.next() {
            path.push(segment);
            let is_dir = segments.peek().is_some();
            if is_dir && self.checked.contains(&path) {
                continue;
            }
            if let Ok(meta) = std::fs::symlink_metadata(&path)
                && meta.file_type().is_symlink()
            {
                return Err(OutputError::Symlink(path));
            }
            if is_dir {
                self.checked.insert(path.clone());
            }
        }
        Ok(path)
    }
}

/// The file's bytes, or `None` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, OutputError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// Writes through a temporary file in the same folder and a rename: a reader sees the old file
/// or the new one, never a torn one. The data is not flushed here; [`sync`] flushes every write
/// of a render at once, before the manifest that records them.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    if !dir.is_dir() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".gen-tmp-");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(io(dir))?;
    tmp.write_all(bytes).map_err(io(path))?;
    tmp.persist(path).map_err(|e| io(path)(e.error))?;
    Ok(())
}

/// Makes every write so far under `out` durable: one `syncfs` of its file system on Linux
/// (one flush for a render of thousands of files instead of one per file), a flush of each
/// written file elsewhere.
pub fn sync(out: &Path, written: &[PathBuf]) -> Result<(), OutputError> {
    #[cfg(target_os = "linux")]
    {
        let _ = written;
        let dir = std::fs::File::open(out).map_err(io(out))?;
        rustix::fs::syncfs(&dir).map_err(|e| io(out)(e.into()))
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = out;
        for path in written {
            std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io(path))?;
        }
        Ok(())
    }
}

/// Writes the manifest last and durably: the files it records are on disk before it is.
pub fn write_durable(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic(path, bytes)?;
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io(path))
}

/// Removes a file, then the folders it leaves empty, up to `out`.
pub fn remove(out: &Path, path: &Path) -> Result<(), OutputError> {
    std::fs::remove_file(path).map_err(io(path))?;
    let mut dir = path.parent();
    while let Some(d) = dir {
        if d == out || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
    Ok(())
}

/// `path` made absolute and free of `.` and `..`, without touching the disk.
pub fn normalize(path: &Path) -> PathBuf {
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

/// `to` relative to the folder `from`, `/`-separated (both normalized first).
pub fn relative(from: &Path, to: &Path) -> String {
    let (from, to) = (normalize(from), normalize(to));
    let (f, t): (Vec<_>, Vec<_>) = (from.components().collect(), to.components().collect());
    let common = f.iter().zip(&t).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = vec!["..".to_string(); f.len() - common];
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}
