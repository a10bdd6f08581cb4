//! `gen init --from DIR --compare`: the repository's own files beside what the spec written
//! from them renders, family by family: how many files each side has, the findings of the
//! repository's files that gen's version no longer has, and those it still has. gen's files
//! are rendered in memory (nothing is written but the spec), the repository's are linted as
//! `gen lint DIR` lints them, before the spec is written.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

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

/// Each family's findings of `findings`, with the files they are in.
fn sides(findings: &Findings, families: &HashMap<&str, &'static str>) -> BTreeMap<&'static str, Side> {
    let mut sides: BTreeMap<&'static str, Side> = BTreeMap::new();
    for d in &findings.diagnostics {
        let Some(family) = families.get(d.rule.code).copied() else { continue };
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
    let mine = sides(old, &families);
    let gens = sides(&checked.findings, &families);
    // gen's files per family: the kind a blueprint gives each file, else none.
    let mut rendered: BTreeMap<String, usize> = BTreeMap::new();
    for file in &planned {
        if let Some(kind) = &file.kind {
            *rendered.entry(kind.clone()).or_default() += 1;
        }
    }
    outln!("compare: your files under the repository beside what {} renders (in memory):", display(&prepared.spec));
    let names: BTreeSet<&str> = mine.keys().copied().chain(rendered.keys().map(String::as_str)).collect();
    let empty = Side::default();
    for family in names {
        let (mine, ours) = (mine.get(family).unwrap_or(&empty), gens.get(family).unwrap_or(&empty));
        let files = rendered.get(family).copied().unwrap_or(0);
        let yours = match mine.findings() {
            0 => "no finding".to_string(),
            n => format!("{} in {}", count(n, "finding"), count(mine.files.len(), "file")),
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
        let kept: Vec<String> = ours.rules.iter().map(|(code, (n, name))| format!("{code} {name} ×{n}")).collect();
        if !kept.is_empty() {
            outln!("    in gen's too: {} (`gen lint` of the spec says where)", kept.join(", "));
        }
    }
    true
}
