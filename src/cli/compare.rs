//! `gen init --from DIR --compare`: the repository's own files beside what the spec written
//! from them renders, family by family: how many files each side has, the findings of the
//! repository's files that gen's version no longer has, and those it still has. gen's files
//! are rendered in memory (nothing is written but the spec), the repository's are linted as
//! `gen lint DIR` lints them, before the spec is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use crate::diag::Findings;
use crate::pipeline::{Prepared, Session, display};
use crate::render::PlannedFile;

/// The family (a rule group's name) of each rule code.
fn families() -> HashMap<&'static str, &'static str> {
    crate::registry::groups().into_iter().flat_map(|g| g.rules.into_iter().map(move |r| (r.code, g.name))).collect()
}

/// What one side (the repository's files, or gen's) has of one family.
#[derive(Default)]
struct Side {
    files: BTreeSet<String>,
    /// Each rule code with how often it fires, and its name.
    rules: BTreeMap<&'static str, (usize, &'static str)>,
}

impl Side {
    fn findings(&self) -> usize {
        self.rules.values().map(|(n, _)| n).sum()
    }
}

/// Each family's findings of `findings` that `keep` takes, with the files they are in.
fn sides(
    findings: &Findings,
    families: &HashMap<&str, &'static str>,
    keep: impl Fn(&str, &str) -> bool,
) -> BTreeMap<&'static str, Side> {
    let mut sides: BTreeMap<&'static str, Side> = BTreeMap::new();
    for d in &findings.diagnostics {
        let Some(family) = families.get(d.rule.code).copied() else { continue };
        if !keep(family, &d.file) {
            continue;
        }
        let side = sides.entry(family).or_default();
        side.files.insert(d.file.clone());
        side.rules.entry(d.rule.code).or_insert((0, d.rule.name)).0 += 1;
    }
    sides
}

/// "3 files", "1 file".
fn count(n: usize, what: &str) -> String {
    format!("{n} {what}{}", if n == 1 { "" } else { "s" })
}

/// The findings of the repository's own files under `dir`: what `gen lint DIR` reports of
/// them, the spec's own rules aside (there is no spec yet).
pub fn before(session: &Session, dir: &Path) -> Findings {
    session.lint(&[dir.to_path_buf()], None)
}

/// Renders the spec `prepared` in memory and prints, per family, the repository's files
/// (`old`, their findings) beside gen's. Returns whether the spec rendered. The code's folder
/// is not read: what it lacks is the spec's TODOs to settle, not a change of gen's files.
pub fn print(session: &Session, prepared: &Prepared, old: &Findings) -> bool {
    let families = families();
    // What the code's folder still lacks (a lock to hash) is the spec's TODOs', not gen's files'.
    let session = &session.settling();
    let mut planned: Vec<PlannedFile> = Vec::new();
    let checked = session.check_each(&prepared.loaded, &prepared.place, &display(&prepared.out), &mut |batch| {
        planned.extend(batch.iter().cloned())
    });
    if !checked.rendered {
        outln!("compare: {} does not render yet (settle its TODOs first); nothing to compare", display(&prepared.spec));
        return false;
    }
    // The team's files gen's render keeps using: the requirements of each service's own code
    // (`source:`), which gen's image installs as they are: their findings are not gone.
    let spec_dir = prepared.spec.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let sources: Vec<PathBuf> = prepared
        .loaded
        .spec
        .services
        .iter()
        .filter_map(|s| s.source.as_ref())
        .filter_map(|src| spec_dir.join(src).canonicalize().ok())
        .collect();
    let used = |family: &str, file: &str| {
        family == "requirements"
            && Path::new(file).canonicalize().is_ok_and(|f| sources.iter().any(|s| f.starts_with(s)))
    };
    let all = sides(old, &families, |_, _| true);
    let mine = sides(old, &families, |family, file| !used(family, file));
    let still = sides(old, &families, used);
    let gens = sides(&checked.findings, &families, |_, _| true);
    // gen's files per family: the kind a blueprint gives each file, else none.
    let mut rendered: BTreeMap<String, usize> = BTreeMap::new();
    for file in &planned {
        if let Some(kind) = &file.kind {
            *rendered.entry(kind.clone()).or_default() += 1;
        }
    }
    outln!("compare: your files under the repository beside what {} renders (in memory):", display(&prepared.spec));
    let names: BTreeSet<&str> = all.keys().copied().chain(rendered.keys().map(String::as_str)).collect();
    let empty = Side::default();
    let listed = |side: &Side| -> Vec<String> {
        side.rules
            .iter()
            .map(|(code, (n, name))| if *n > 1 { format!("{code} {name} ×{n}") } else { format!("{code} {name}") })
            .collect()
    };
    for family in names {
        let (mine, ours) = (mine.get(family).unwrap_or(&empty), gens.get(family).unwrap_or(&empty));
        let (every, kept) = (all.get(family).unwrap_or(&empty), still.get(family).unwrap_or(&empty));
        let files = rendered.get(family).copied().unwrap_or(0);
        let yours = match every.findings() {
            0 => "no finding".to_string(),
            n => format!("{} in {}", count(n, "finding"), count(every.files.len(), "file")),
        };
        outln!("  {family}: yours {yours}; gen's {}, {}", count(files, "file"), count(ours.findings(), "finding"));
        let gone: Vec<String> = mine
            .rules
            .iter()
            .filter(|(code, _)| !ours.rules.contains_key(*code))
            .map(|(code, (n, name))| if *n > 1 { format!("{code} {name} ×{n}") } else { format!("{code} {name}") })
            .collect();
        if !gone.is_empty() {
            outln!("    gone in gen's: {}", gone.join(", "));
        }
        if !kept.rules.is_empty() {
            outln!(
                "    still yours to fix (gen's image installs these files of your code as they are): {}",
                listed(kept).join(", ")
            );
        }
        let kept: Vec<String> = ours.rules.iter().map(|(code, (n, name))| format!("{code} {name} ×{n}")).collect();
        if !kept.is_empty() {
            outln!("    in gen's too: {} (`gen lint` of the spec says where)", kept.join(", "));
        }
    }
    true
}
