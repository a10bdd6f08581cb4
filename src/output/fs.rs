//! Safe paths, the output folder's lock, and writes that either all happen or leave nothing.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, PoisonError};

use super::inputs::{FileId, Inputs};
use super::{OutputError, io};
use crate::render::is_safe_recorded;

/// The prefix of the temporary files a render writes beside their targets.
pub const TEMP_PREFIX: &str = ".gen-tmp-";

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

    /// The path of `rel` inside the output directory (or, `../` repeated then `.github/`, at
    /// the repository root above it), refusing unsafe paths, symbolic links on the way, and
    /// files where a folder must be.
    pub fn target(&mut self, rel: &str) -> Result<PathBuf, OutputError> {
        if !is_safe_recorded(rel) {
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
            if let Ok(meta) = std::fs::symlink_metadata(&path) {
                if meta.file_type().is_symlink() {
                    return Err(OutputError::Symlink(path));
                }
                if is_dir && !meta.is_dir() {
                    return Err(OutputError::NotAFolder(path));
                }
            }
            if is_dir {
                self.checked.insert(path.clone());
            }
        }
        Ok(path)
    }
}

/// What stands at a path.
pub enum Disk {
    Absent,
    /// A regular file: its bytes, and which file it is.
    File(Vec<u8>, Option<FileId>),
    /// Something a file cannot replace: `folder`, `symbolic link`, `special file`.
    Other(&'static str),
}

/// What stands at `path`, with a file's bytes.
pub fn probe(path: &Path) -> Result<Disk, OutputError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Disk::Absent),
        Err(e) => return Err(io(path)(e)),
    };
    if meta.file_type().is_symlink() {
        return Ok(Disk::Other("symbolic link"));
    }
    if meta.is_dir() {
        return Ok(Disk::Other("folder"));
    }
    if !meta.is_file() {
        return Ok(Disk::Other("special file"));
    }
    Ok(Disk::File(std::fs::read(path).map_err(io(path))?, FileId::of(path, &meta)))
}

/// The file's bytes, or `None` when it does not exist.
pub fn read(path: &Path) -> Result<Option<Vec<u8>>, OutputError> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(path)(e)),
    }
}

/// An exclusive advisory lock on an output folder (created when missing), held while a render
/// writes into it: two renders into one folder would leave a tree matching neither.
pub struct Lock {
    _file: std::fs::File,
    out: PathBuf,
    created: bool,
}

impl Lock {
    /// Takes the lock, or says that another render holds it.
    pub fn take(out: &Path) -> Result<Lock, OutputError> {
        check_folder(out)?;
        let created = !out.exists();
        std::fs::create_dir_all(out).map_err(io(out))?;
        let file = std::fs::File::open(out).map_err(io(out))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock { _file: file, out: out.to_path_buf(), created }),
            Err(std::fs::TryLockError::WouldBlock) => Err(OutputError::Busy(out.to_path_buf())),
            Err(std::fs::TryLockError::Error(e)) => Err(io(out)(e)),
        }
    }

    /// Whether a render holds the lock on `out` now.
    pub fn held(out: &Path) -> bool {
        std::fs::File::open(out).is_ok_and(|f| matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock)))
    }

    /// Releases the lock; a folder it created for a render that wrote nothing is removed.
    pub fn release(self, wrote: bool) {
        if self.created && !wrote {
            let _ = std::fs::remove_dir(&self.out);
        }
    }
}

/// Refuses an output folder that is a file, or under one (`--out spec.yaml`): nothing can be
/// written there, and the system's own words ("File exists", "Not a directory") do not say why.
pub fn check_folder(out: &Path) -> Result<(), OutputError> {
    let file =
        out.ancestors().filter(|p| !p.as_os_str().is_empty()).find(|p| std::fs::metadata(p).is_ok_and(|m| !m.is_dir()));
    match file {
        Some(file) => Err(OutputError::OutIsAFile { out: out.to_path_buf(), file: file.to_path_buf() }),
        None => Ok(()),
    }
}

/// Removes a temporary file an interrupted render left (found as a regular file beside gen's
/// files), unless it is now something else or an input of this render, whatever its name;
/// whether it was removed.
pub fn remove_leftover(path: &Path, inputs: &Inputs) -> Result<bool, OutputError> {
    let meta = match std::fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io(path)(e)),
    };
    if !meta.is_file() || FileId::of(path, &meta).is_some_and(|id| inputs.what(&id).is_some()) {
        return Ok(false);
    }
    remove_if_present(path)?;
    Ok(true)
}

/// A staged file: its folder (an index into [`Staged`]'s folders), the temporary file's name,
/// the target's.
type StagedFile = (u32, Box<str>, Box<std::ffi::OsStr>);

/// New files written beside their targets, not yet in place. Dropped uncommitted, they are
/// removed with the folders made for them. Each folder is kept once and each file by its two
/// names in it, so that staging the files of thousands of services stays small.
#[derive(Default)]
pub struct Staged {
    /// Per file: its folder (an index into `dirs`), the temporary file's name, the target's.
    files: Vec<StagedFile>,
    dirs: Vec<PathBuf>,
    known_dirs: HashMap<PathBuf, u32>,
    made: Vec<PathBuf>,
}

impl Staged {
    /// Nothing staged yet.
    pub fn new() -> Staged {
        Staged::default()
    }

    /// Whether nothing is staged.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The paths of the temporary files staged, not yet in place.
    pub fn temporaries(&self) -> HashSet<PathBuf> {
        self.files.iter().map(|(dir, temp, _)| self.dirs[*dir as usize].join(&**temp)).collect()
    }

    /// Renames every file into place.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let files = std::mem::take(&mut self.files);
        let mut left = files.iter();
        while let Some((dir, temp, name)) = left.next() {
            let dir = &self.dirs[*dir as usize];
            let target = dir.join(&**name);
            if let Err(e) = std::fs::rename(dir.join(&**temp), &target) {
                // What is not in place yet goes, as when nothing was committed.
                self.files = left.cloned().collect();
                return Err(io(&target)(e));
            }
        }
        self.made.clear();
        Ok(())
    }

    /// Writes a file as a temporary file in its target's folder (made when missing), which
    /// proves the folder writable with room for it before any target changes.
    pub fn add(&mut self, target: &Path, bytes: &[u8]) -> Result<(), OutputError> {
        self.add_all(&[(target.to_path_buf(), bytes)])
    }

    /// [`Staged::add`] for many files: their folders are made first, in order, then the
    /// temporary files are written on two threads when there are enough of them (a render's
    /// files are written after every check, when the other core has nothing left to do), or on
    /// this one when no thread can be started. Each temporary file is recorded as soon as it is
    /// written, so that dropping this removes it whatever happens next: a failed write or a
    /// panic on either thread.
    pub fn add_all(&mut self, files: &[(PathBuf, &[u8])]) -> Result<(), OutputError> {
        let mut placed = Vec::with_capacity(files.len());
        for (target, _) in files {
            let name = target.file_name().ok_or_else(|| OutputError::UnsafePath(target.display().to_string()))?;
            placed.push((self.folder(target)?, name));
        }
        let dirs = &self.dirs;
        let halves: [Mutex<Vec<StagedFile>>; 2] = Default::default();
        let write = |part: &[(PathBuf, &[u8])], at: &[(u32, &std::ffi::OsStr)], into: &Mutex<Vec<StagedFile>>| {
            for ((target, bytes), (dir, name)) in part.iter().zip(at) {
                let temp = temporary(&dirs[*dir as usize], target, bytes)?;
                into.lock().unwrap_or_else(PoisonError::into_inner).push((*dir, temp, Box::from(*name)));
            }
            Ok(())
        };
        let half = if files.len() < PARALLEL_WRITES { files.len() } else { files.len() / 2 };
        let written = std::panic::catch_unwind(AssertUnwindSafe(|| {
            std::thread::scope(|scope| {
                let (first, second) = (&files[..half], &files[half..]);
                let other = (!second.is_empty())
                    .then(|| {
                        std::thread::Builder::new()
                            .name("write".into())
                            .spawn_scoped(scope, || write(second, &placed[half..], &halves[1]))
                            .ok()
                    })
                    .flatten();
                let mine = write(first, &placed[..half], &halves[0]);
                let theirs = match other {
                    Some(thread) => thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                    None => write(second, &placed[half..], &halves[1]),
                };
                // The first failure in the files' order, as when they were written one by one.
                mine.and(theirs)
            })
        }));
        for half in halves {
            self.files.extend(half.into_inner().unwrap_or_else(PoisonError::into_inner));
        }
        written.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }

    /// The index of a target's folder, made (with its missing parents) the first time.
    fn folder(&mut self, target: &Path) -> Result<u32, OutputError> {
        let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let index = match self.known_dirs.get(dir) {
            Some(&index) => index,
            None => {
                let mut missing = Vec::new();
                let mut d = Some(dir);
                while let Some(p) = d.filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
                    missing.push(p.to_path_buf());
                    d = p.parent();
                }
                for p in missing.into_iter().rev() {
                    std::fs::create_dir(&p).map_err(io(&p))?;
                    self.made.push(p);
                }
                let index =
                    u32::try_from(self.dirs.len()).map_err(|_| OutputError::UnsafePath(dir.display().to_string()))?;
                self.dirs.push(dir.to_path_buf());
                self.known_dirs.insert(dir.to_path_buf(), index);
                index
            }
        };
        Ok(index)
    }
}

/// From how many files a batch's temporary files are written on two threads.
const PARALLEL_WRITES: usize = 16;

/// Writes `bytes` for `target` as a temporary file in `dir`, its folder; the temporary file's
/// name. From then on the caller's list removes it (on drop).
fn temporary(dir: &Path, target: &Path, bytes: &[u8]) -> Result<Box<str>, OutputError> {
    let mut tmp = temp_file_in(dir, target)?;
    tmp.write_all(bytes).map_err(io(target))?;
    let temp = tmp.into_temp_path();
    let temp_name = temp.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    temp.keep().map_err(|e| io(target)(e.error))?;
    Ok(temp_name.into_boxed_str())
}

impl Drop for Staged {
    fn drop(&mut self) {
        for (dir, temp, _) in self.files.drain(..) {
            let _ = std::fs::remove_file(self.dirs[dir as usize].join(&*temp));
        }
        for dir in self.made.iter().rev() {
            let _ = std::fs::remove_dir(dir);
        }
    }
}

/// Writes each file as a temporary file beside its target; on the first failure, what was
/// staged is removed and nothing has changed.
pub fn stage<'a>(files: impl IntoIterator<Item = (&'a Path, &'a [u8])>) -> Result<Staged, OutputError> {
    let mut staged = Staged::new();
    for (target, bytes) in files {
        staged.add(target, bytes)?;
    }
    Ok(staged)
}

/// Writes one file atomically (a temporary file, then a rename), without flushing it: readers
/// see the old file or the new one. Rendered files are not flushed one by one (a flush each made
/// a 1,000-service render seconds slower, and a whole-file-system flush waits on every other
/// program's writes); after a crash, a file left damaged no longer matches the hash the
/// manifest records, so the next render reports it as edited instead of trusting it.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    stage([(path, bytes)])?.commit()
}

/// Writes a file atomically and durably (the manifest, last; a spec from `gen init`).
pub fn write_durable(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    write_atomic(path, bytes)?;
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io(path))
}

/// A new temporary file in `dir` for `target`, named with [`TEMP_PREFIX`] (so that a later
/// render removes one a crash left) and readable as a rendered file is (0644, not tempfile's
/// 0600). A failure names the target, which the user knows, not a temporary name.
fn temp_file_in(dir: &Path, target: &Path) -> Result<tempfile::NamedTempFile, OutputError> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    builder.tempfile_in(dir).map_err(|e| io(target)(without_temporary_name(e)))
}

/// The system's error under tempfile's wrapper, which adds the temporary file's path to its
/// message (and keeps only its kind and text).
fn without_temporary_name(e: std::io::Error) -> std::io::Error {
    if e.get_ref().is_none() {
        return e;
    }
    let text = e.to_string();
    match text.split_once(" at path ") {
        Some((system, _)) => std::io::Error::new(e.kind(), system.to_string()),
        None => e,
    }
}

/// A file written in full and flushed to disk under a temporary name in its target's folder,
/// not yet in place: [`Durable::persist`] renames it there, dropping it removes it.
pub struct Durable(tempfile::NamedTempFile);

/// Writes a file durably under a temporary name beside `target`, through `write` (buffered),
/// without holding its bytes: the manifest of a large spec is tens of MiB.
pub fn write_durable_with<T>(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> Result<T, OutputError>,
) -> Result<(Durable, T), OutputError> {
    let dir = target.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = temp_file_in(dir, target)?;
    let mut buffered = std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut());
    let value = write(&mut buffered)?;
    buffered.flush().map_err(io(target))?;
    drop(buffered);
    tmp.as_file().sync_all().map_err(io(target))?;
    Ok((Durable(tmp), value))
}

impl Durable {
    /// Puts the file in place at `target` (a rename: readers see the old file or this one).
    pub fn persist(self, target: &Path) -> Result<(), OutputError> {
        self.0.persist(target).map(drop).map_err(|e| io(target)(e.error))
    }
}

/// The SHA-256 of a file's bytes, read in pieces, if the file is there.
pub fn hash_file(path: &Path) -> Result<Option<super::manifest::Digest>, OutputError> {
    use sha2::Digest as _;
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io(path)(e)),
    };
    let mut hasher = sha2::Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(io(path))?;
    Ok(Some(super::manifest::Digest(hasher.finalize().into())))
}

/// Renames a file over another (readers see the old file or the new one).
pub fn rename(from: &Path, to: &Path) -> Result<(), OutputError> {
    std::fs::rename(from, to).map_err(io(to))
}

/// Removes a file if it is there.
pub fn remove_if_present(path: &Path) -> Result<(), OutputError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(io(path)(e)),
        _ => Ok(()),
    }
}

/// How a path is shown in messages: as given, without a leading `./`.
pub fn shown(path: &Path) -> String {
    let text = path.display().to_string();
    let mut s = text.as_str();
    while let Some(rest) = s.strip_prefix("./") {
        s = rest.trim_start_matches('/');
    }
    if s.is_empty() { ".".to_string() } else { s.to_string() }
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The names of the files under `dir`, sorted.
    fn files_under(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
            .map(|e| e.path().strip_prefix(dir).unwrap_or(e.path()).to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_batch_written_on_two_threads_is_put_in_place_whole() {
        let dir = tempfile::tempdir().expect("a folder");
        let files: Vec<(PathBuf, Vec<u8>)> = (0..40)
            .map(|i| (dir.path().join(format!("d{}/f{i}", i % 3)), format!("file {i}\n").into_bytes()))
            .collect();
        let batch: Vec<(PathBuf, &[u8])> = files.iter().map(|(p, b)| (p.clone(), b.as_slice())).collect();
        let mut staged = Staged::new();
        staged.add_all(&batch).expect("staged");
        assert!(files_under(dir.path()).iter().all(|f| f.contains(TEMP_PREFIX)), "nothing is in place before commit");
        staged.commit().expect("committed");
        for (path, bytes) in &files {
            assert_eq!(&std::fs::read(path).expect("written"), bytes);
        }
        assert_eq!(files_under(dir.path()).len(), 40, "no temporary file is left");
    }

    #[test]
    fn a_file_that_cannot_be_staged_is_named_not_its_temporary_file() {
        let dir = tempfile::tempdir().expect("a folder");
        let target = dir.path().join("gone/values.yaml");
        let e = temporary(&dir.path().join("gone"), &target, b"x\n").expect_err("no such folder");
        let text = e.to_string();
        assert!(text.starts_with(&format!("{}: ", target.display())), "{text}");
        assert!(text.contains("No such file or directory") && !text.contains(TEMP_PREFIX), "{text}");
    }

    #[test]
    fn a_write_that_fails_on_one_thread_leaves_nothing_of_the_batch() {
        let dir = tempfile::tempdir().expect("a folder");
        // A file stands where the last files' folder would be: writing into it fails, on the
        // second thread, after the first has written its half.
        std::fs::write(dir.path().join("blocked"), "mine\n").expect("write");
        let mut files: Vec<(PathBuf, Vec<u8>)> =
            (0..30).map(|i| (dir.path().join(format!("ok/f{i}")), b"x\n".to_vec())).collect();
        files.push((dir.path().join("blocked/f"), b"x\n".to_vec()));
        let batch: Vec<(PathBuf, &[u8])> = files.iter().map(|(p, b)| (p.clone(), b.as_slice())).collect();
        let mut staged = Staged::new();
        assert!(staged.add_all(&batch).is_err(), "the blocked file cannot be written");
        drop(staged);
        assert_eq!(files_under(dir.path()), ["blocked"], "every temporary file and made folder goes");
        assert!(!dir.path().join("ok").exists());
    }
}
