//! A baseline: the findings a repository had when it adopted `gen lint`, recorded so that CI
//! fails only on new ones (`gen lint --baseline FILE`, written with `--write-baseline`).
//!
//! A finding is recorded by its rule, its file (relative to the baseline's folder, `..` for a
//! file above it, so a baseline means the same in every checkout) and a fingerprint of its
//! message, not by its line or the text there: lines added above a recorded finding, or a
//! base image bumped on the line a missing `USER` is reported at, do not make it new; a second
//! finding of the same rule with the same message in the same file is new (entries are
//! counted). Rules that keep the output safe are never recorded: a file that does not parse
//! fails every run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Findings};
use crate::output;

/// The file's format version.
const VERSION: u32 = 1;

#[derive(Debug, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    version: u32,
    /// What wrote it, for the reader.
    #[serde(default)]
    comment: String,
    findings: Vec<Entry>,
}

/// One recorded finding.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    rule: String,
    file: String,
    /// Where it was when recorded, for the reader: matching does not use it.
    line: Option<usize>,
    fingerprint: String,
}

/// What a baseline did to a run.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Findings it matched, and dropped from the report.
    pub matched: usize,
    /// Entries of the files this run read that matched no finding (fixed since, or moved to
    /// another file).
    pub stale: usize,
}

/// The folder a baseline's paths are relative to.
fn base_of(path: &Path) -> PathBuf {
    output::normalize(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")))
}

/// `path` (absolute, normalized) relative to `base`, with `/` between folders and `..` for
/// each folder of `base` it is not under.
fn relative(path: &Path, base: &Path) -> String {
    let (p, b): (Vec<_>, Vec<_>) = (path.components().collect(), base.components().collect());
    let common = p.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let ups = std::iter::repeat_n("..".to_string(), b.len() - common);
    ups.chain(p[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned())).collect::<Vec<_>>().join("/")
}

/// A finding's file, as the baseline at `base` records it.
fn file_of(d: &Diagnostic, base: &Path) -> String {
    relative(&output::normalize(Path::new(&d.file)), base)
}

/// The key a finding is recorded and matched by, with its line for the reader.
fn entry(findings: &Findings, d: &Diagnostic, base: &Path) -> Entry {
    let file = file_of(d, base);
    let line = d.span.zip(findings.sources.get(&d.file)).map(|(span, source)| source.position(span).line);
    let mut hash = Sha256::new();
    for part in [d.rule.code, &file, &d.message] {
        hash.update(part.as_bytes());
        hash.update([0]);
    }
    let fingerprint = hash.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect();
    Entry { rule: d.rule.code.to_string(), file, line, fingerprint }
}

/// Whether a finding may be recorded: not a rule that keeps the output safe.
fn recordable(d: &Diagnostic) -> bool {
    d.rule.ignorable
}

/// Writes the run's recordable findings to `path` and returns how many it holds. The entries of
/// a baseline already there are kept for the files this run did not read (not under one of
/// `read`, the paths it was given, and with no finding of its own): a run over one folder
/// updates that folder's entries, not the rest.
pub fn write(path: &Path, findings: &Findings, read: &[PathBuf]) -> std::io::Result<usize> {
    let base = base_of(path);
    let mut entries: Vec<Entry> =
        findings.diagnostics.iter().filter(|d| recordable(d)).map(|d| entry(findings, d, &base)).collect();
    if let Ok(text) = std::fs::read_to_string(path)
        && let Ok(old) = serde_json::from_str::<File>(&text)
    {
        let found: std::collections::HashSet<String> = entries.iter().map(|e| e.file.clone()).collect();
        let read: Vec<PathBuf> = read.iter().map(|p| output::normalize(p)).collect();
        entries.extend(old.findings.into_iter().filter(|e| {
            let abs = output::normalize(&base.join(&e.file));
            !found.contains(&e.file) && !read.iter().any(|r| abs.starts_with(r))
        }));
    }
    entries.sort();
    let file = File {
        version: VERSION,
        comment: "findings recorded by `gen lint --write-baseline`: `gen lint --baseline` reports only others".into(),
        findings: entries,
    };
    let mut text = serde_json::to_string_pretty(&file).map_err(std::io::Error::other)?;
    text.push('\n');
    let n = file.findings.len();
    // Written whole or not at all: a run stopped part way leaves the old baseline.
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())?;
    // A file to commit, read as any other (the temporary file is made private).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(n)
}

/// A baseline read from disk.
pub struct Baseline {
    base: PathBuf,
    /// How many findings each key stands for.
    counts: BTreeMap<(String, String, String), usize>,
}

/// Reads the baseline at `path`, or says why it cannot be used.
pub fn read(path: &Path) -> Result<Baseline, String> {
    let shown = crate::pipeline::display(path);
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => {
            format!("{shown}: no baseline there: record today's findings with `gen lint --baseline {shown} --write-baseline`")
        }
        _ => format!("{shown}: the baseline cannot be read: {e}"),
    })?;
    let file: File = serde_json::from_str(&text)
        .map_err(|e| format!("{shown}:{}:{}: not a baseline gen wrote: {e}", e.line(), e.column()))?;
    if file.version != VERSION {
        return Err(format!(
            "{shown}: a baseline of format version {}, which this gen does not read (it reads {VERSION}): write it again \
             with `--write-baseline`",
            file.version
        ));
    }
    let mut counts = BTreeMap::new();
    for e in file.findings {
        *counts.entry((e.rule, e.file, e.fingerprint)).or_insert(0) += 1;
    }
    Ok(Baseline { base: base_of(path), counts })
}

impl Baseline {
    /// Drops from `findings` those the baseline records, each entry matching one finding. `read`
    /// are the paths the run was given: an entry of a file under none of them is not stale,
    /// only unread.
    pub fn apply(mut self, findings: &mut Findings, read: &[PathBuf]) -> Outcome {
        let mut outcome = Outcome::default();
        let diags = std::mem::take(&mut findings.diagnostics);
        for d in diags {
            if recordable(&d) {
                let e = entry(findings, &d, &self.base);
                if let Some(n) = self.counts.get_mut(&(e.rule, e.file, e.fingerprint))
                    && *n > 0
                {
                    *n -= 1;
                    outcome.matched += 1;
                    continue;
                }
            }
            findings.diagnostics.push(d);
        }
        let read: Vec<PathBuf> = read.iter().map(|p| output::normalize(p)).collect();
        outcome.stale = self
            .counts
            .iter()
            .filter(|((_, file, _), _)| {
                let abs = output::normalize(&self.base.join(file));
                read.iter().any(|r| abs.starts_with(r))
            })
            .map(|(_, n)| n)
            .sum();
        outcome
    }
}
