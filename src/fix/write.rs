//! The disk side of `--fix`: which files may be rewritten, and rewriting them.
//!
//! A file is rewritten only when the bytes on disk are the text that was linted (so a chart's
//! rendered templates, a spec's plan, or a file changed since are never written over), when it
//! is inside the repository it was named in (a link is followed only inside it, as gen reads
//! files: [`crate::input::Boundary`]), and when no output folder's manifest says gen renders
//! and owns it (a `managed` entry of `.gen-manifest.json`): such a file is rewritten by the
//! next `gen render`, so its fix belongs in the spec or the blueprint. A read-only file is left
//! as it is: someone made it so. Writes are atomic: a temporary file in the same folder with
//! the file's permissions (and owner), renamed over it; except for a file with several hard
//! links, which is written in place so that every name still reaches the fixed file (as an
//! editor keeps a hard link: the file's mode, owner and links stay).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::input::{Boundary, OpenError};
use crate::output::{Manifest, Owner};
use crate::render::MANIFEST_NAME;

/// Why a file with fixes is not rewritten.
#[derive(Debug, thiserror::Error)]
pub enum Refused {
    #[error("cannot open it: {0}")]
    Open(#[from] OpenError),
    #[error(
        "gen renders it and owns it ({manifest} lists it): fix the spec or the blueprint it comes from, then `gen render`"
    )]
    Owned { manifest: String },
    #[error("cannot tell whether gen owns it: {0}")]
    Manifest(String),
    #[error("it is read-only: left as it is (make it writable, `chmod u+w`, to let --fix change it)")]
    ReadOnly,
    #[error("cannot write it: {0}")]
    Write(#[from] std::io::Error),
}

/// The real path of the file findings name `name`, when it may be rewritten; `Ok(None)` when
/// the file on disk is not the text that was linted (nothing to fix there).
pub fn target(name: &str, linted: &str) -> Result<Option<PathBuf>, Refused> {
    let path = Path::new(name);
    let boundary = Boundary::of(path);
    let real = match boundary.check(path) {
        Ok(real) => real,
        // Not a file on disk (a rendered plan's name): nothing to rewrite.
        Err(OpenError::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    if !std::fs::metadata(&real).map(|m| m.is_file()).unwrap_or(false) {
        return Ok(None);
    }
    let mut file = boundary.open(path)?;
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut file, &mut bytes)?;
    if bytes != linted.as_bytes() {
        return Ok(None);
    }
    owner_check(&real)?;
    Ok(Some(real))
}

/// Refuses a file that the manifest of a folder above it lists as gen's own.
fn owner_check(real: &Path) -> Result<(), Refused> {
    for dir in real.ancestors().skip(1) {
        let manifest_path = dir.join(MANIFEST_NAME);
        if manifest_path.is_file() {
            let shown = manifest_path.display().to_string();
            let manifest = Manifest::read_at(&manifest_path)
                .map_err(|e| Refused::Manifest(e.to_string()))?
                .ok_or_else(|| Refused::Manifest(format!("{shown} vanished")))?;
            let rel = real.strip_prefix(dir).unwrap_or(real).to_string_lossy().replace('\\', "/");
            if manifest.files.iter().any(|f| f.path == rel && f.owner == Owner::Managed) {
                return Err(Refused::Owned { manifest: shown });
            }
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    Ok(())
}

/// Replaces the file at `real` with `text`: a temporary file beside it, given its permissions
/// and owner, then renamed over it, so that a reader sees the old file or the new one. A file
/// with several hard links is written in place instead, which keeps them. A read-only file is
/// refused.
pub fn replace(real: &Path, text: &str) -> Result<(), Refused> {
    let meta = std::fs::metadata(real)?;
    // Its mode says read-only (which root's rights would pass over), or this user may not
    // write it.
    let writable = std::fs::OpenOptions::new().append(true).open(real);
    if meta.permissions().readonly()
        || writable.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::PermissionDenied)
    {
        return Err(Refused::ReadOnly);
    }
    drop(writable);
    if links(&meta) > 1 {
        return in_place(real, text);
    }
    let dir = real.parent().unwrap_or(Path::new("."));
    let mut temp = tempfile::Builder::new().prefix(".gen-fix-").tempfile_in(dir)?;
    temp.write_all(text.as_bytes())?;
    temp.as_file().sync_all()?;
    std::fs::set_permissions(temp.path(), meta.permissions())?;
    if !same_owner(temp.as_file(), &meta) {
        // Another user's file (fixed by root): renamed over, it would become root's.
        drop(temp);
        return in_place(real, text);
    }
    temp.persist(real).map_err(|e| Refused::Write(e.error))?;
    Ok(())
}

/// Writes `text` over the file's bytes, keeping the file itself: its mode, owner and links.
fn in_place(real: &Path, text: &str) -> Result<(), Refused> {
    let mut file = std::fs::OpenOptions::new().write(true).open(real)?;
    file.write_all(text.as_bytes())?;
    file.set_len(text.len() as u64)?;
    file.sync_all()?;
    Ok(())
}

/// How many names the file has.
fn links(meta: &std::fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(meta)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        1
    }
}

/// Whether `file` belongs to the owner `meta` names, once given it when this user may.
fn same_owner(file: &std::fs::File, meta: &std::fs::Metadata) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        let mine = file.metadata().map(|m| (m.uid(), m.gid())).ok();
        mine == Some((meta.uid(), meta.gid()))
            || std::os::unix::fs::fchown(file, Some(meta.uid()), Some(meta.gid())).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = (file, meta);
        true
    }
}
