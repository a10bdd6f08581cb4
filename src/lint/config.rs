//! A repository's lint settings in a file of their own, `.gen-lint.yaml`: for repositories
//! with no spec (a team that adopts `gen lint` before `gen render`), or rules a repository sets
//! for every file it holds. The same three keys as a spec's `lint:` block (`select`, `ignore`,
//! `severity`), with `path` a glob relative to the file's folder (`legacy/**`,
//! `**/Dockerfile`). `gen lint` reads the nearest one above the current folder, up to the
//! repository's root, or the one `--config` names.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::ignore::{INVALID_IGNORE, UNKNOWN_IGNORED_RULE, UNUSED_IGNORE};
use crate::diag::{Diagnostic, Diagnostics, Findings, Route, Rule, Segment};
use crate::input::UNREADABLE_INPUT;
use crate::output;
use crate::registry;
use crate::route;
use crate::spec::model::Level;
use crate::yaml;

/// The file's name.
pub const FILE_NAME: &str = ".gen-lint.yaml";

static RULES: yaml::Rules = yaml::Rules {
    syntax: &UNREADABLE_INPUT,
    encoding: &UNREADABLE_INPUT,
    empty: &UNREADABLE_INPUT,
    multiple_documents: &UNREADABLE_INPUT,
    duplicate_key: &UNREADABLE_INPUT,
    limits: &UNREADABLE_INPUT,
};

static POLICY: yaml::Policy = yaml::Policy {
    what: "a lint configuration",
    max_bytes: 1024 * 1024,
    max_depth: 16,
    max_nodes: 100_000,
    max_alias_nodes: 1_000,
    multi_document: false,
    tags: yaml::Tags::Core,
    rules: &RULES,
    empty_help: "write the rules to select, ignore or set the severity of (see `gen lint --help`), or remove the file",
};

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
struct Settings {
    select: Vec<String>,
    ignore: Vec<IgnoreEntry>,
    severity: Vec<LevelEntry>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct IgnoreEntry {
    rule: String,
    reason: String,
    path: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelEntry {
    rule: String,
    level: Level,
    path: Option<String>,
}

/// An entry's rules and the files it applies to (`None`: every file).
struct Entry {
    rules: Vec<&'static Rule>,
    files: Option<globset::GlobSet>,
}

impl Entry {
    fn covers(&self, d: &Diagnostic, at: Option<&str>) -> bool {
        self.rules.iter().any(|r| std::ptr::eq(*r, d.rule))
            && self.files.as_ref().is_none_or(|g| at.is_some_and(|p| g.is_match(p)))
    }
}

/// The files a `path` entry names, relative to the configuration's folder: a glob (`*` within a
/// folder, `**` across), or a plain path (`legacy`, `legacy/`), which is that file or folder and
/// everything under it; a leading `./` is the folder itself.
fn files_of(written: &str) -> Result<globset::GlobSet, globset::Error> {
    let mut p = written;
    while let Some(rest) = p.strip_prefix("./") {
        p = rest;
    }
    let mut set = globset::GlobSetBuilder::new();
    if p.contains(['*', '?', '[', '{']) {
        set.add(globset::GlobBuilder::new(p).literal_separator(true).build()?);
    } else {
        let p = p.trim_end_matches('/');
        set.add(globset::GlobBuilder::new(p).literal_separator(true).build()?);
        set.add(globset::GlobBuilder::new(&format!("{p}/**")).literal_separator(true).build()?);
    }
    set.build()
}

/// A loaded `.gen-lint.yaml`.
pub struct Config {
    doc: yaml::Document,
    /// The folder its paths are relative to (absolute).
    dir: PathBuf,
    settings: Settings,
    selected: Vec<Vec<&'static Rule>>,
    ignores: Vec<Entry>,
    levels: Vec<Entry>,
    /// Entries that could not take effect, found while loading.
    problems: Diagnostics,
}

/// The nearest `.gen-lint.yaml` in `start` or a folder above it, up to the repository's root
/// (the first folder that holds `.git`).
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = output::normalize(start);
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            // Named as the user would: relative to the current folder when under it.
            let here = output::normalize(Path::new("."));
            return Some(candidate.strip_prefix(&here).map_or_else(|_| candidate.clone(), Path::to_path_buf));
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

/// Reads the configuration at `path`: a file that cannot be read, is not YAML, or holds a key
/// gen does not know is every finding of the first problem (exit 2: nothing is linted under
/// settings half read).
pub fn load(path: &Path) -> Result<Config, Findings> {
    let name = crate::pipeline::display(path);
    let bytes = std::fs::read(path).map_err(|e| {
        let d = Diagnostic::new(&UNREADABLE_INPUT, &name, None, format!("the lint configuration cannot be read: {e}"))
            .help("fix the path given to --config, or the file's permissions");
        Findings::new([], vec![d])
    })?;
    let loaded = yaml::load(&name, &bytes, &POLICY);
    let source = loaded.source.clone();
    let fail = |diags: Diagnostics| Findings::new([source.clone()], diags);
    let doc = loaded.documents.map_err(fail)?.into_iter().next().ok_or_else(|| fail(Vec::new()))?;
    let settings: Settings = serde_path_to_error::deserialize(doc.root.to_json()).map_err(|e| {
        let route: Route = e
            .path()
            .iter()
            .filter_map(|s| match s {
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                _ => None,
            })
            .collect();
        // An unknown key is pointed at itself, not at its value.
        let key = e.inner().to_string().starts_with("unknown field");
        let d = doc.at(&UNREADABLE_INPUT, &route, key, format!("the lint configuration: {}", e.inner())).help(
            "its keys are `select` (rule codes, names or code prefixes), `ignore` ({rule, reason, path}) and \
             `severity` ({rule, level, path}); `path` is a glob relative to the file's folder",
        );
        fail(vec![d])
    })?;
    let dir = output::normalize(path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new(".")));
    Ok(Config::new(doc, dir, settings))
}

impl Config {
    fn new(doc: yaml::Document, dir: PathBuf, settings: Settings) -> Self {
        let mut problems = Vec::new();
        let unknown = |problems: &mut Diagnostics, name: &str, at: Route| {
            let help = match registry::similar(name).first() {
                Some(r) => format!("did you mean `{}` ({})?", r.code, r.name),
                None => "list the rules with `gen explain`".to_string(),
            };
            let what = if matches!(at.segments().first(), Some(Segment::Key(k)) if k == "select") {
                format!(
                    "`{name}` is not a gen rule, nor a code prefix: `select` is not applied until it names only rules \
                     (every rule is reported)"
                )
            } else {
                format!("`{name}` is not a gen rule")
            };
            problems.push(doc.at(&UNKNOWN_IGNORED_RULE, &at, false, what).help(help));
        };
        // `None`: the glob is not one (reported), and its entry applies to no file.
        let glob = |problems: &mut Diagnostics, path: Option<&String>, at: Route| -> Option<Option<globset::GlobSet>> {
            let Some(written) = path else { return Some(None) };
            match files_of(written) {
                Ok(set) => Some(Some(set)),
                Err(e) => {
                    let msg = format!("`{written}` is not a glob: {e}");
                    problems.push(doc.at(&INVALID_IGNORE, &at, false, msg).help(
                        "write a path relative to this file's folder; `*` matches within a folder, `**` across folders",
                    ));
                    None
                }
            }
        };
        let selected: Vec<Vec<&'static Rule>> = settings.select.iter().map(|s| registry::selected(s)).collect();
        for (i, (name, rules)) in settings.select.iter().zip(&selected).enumerate() {
            if rules.is_empty() {
                unknown(&mut problems, name, route!["select", i]);
            }
        }
        // A mistyped entry must not narrow the run to less than the reader thinks: until every
        // entry names a rule, `select` is not applied and every rule is reported.
        let selected = if selected.iter().any(Vec::is_empty) { Vec::new() } else { selected };
        let mut ignores = Vec::new();
        for (i, e) in settings.ignore.iter().enumerate() {
            let rules = registry::find_all(&e.rule);
            if rules.is_empty() {
                unknown(&mut problems, &e.rule, route!["ignore", i, "rule"]);
            } else if let Some(rule) = rules.iter().find(|r| !r.ignorable) {
                let msg = format!("{} ({}) cannot be ignored", rule.code, rule.name);
                problems.push(
                    doc.at(&INVALID_IGNORE, &route!["ignore", i, "rule"], false, msg)
                        .help("fix the finding instead; rules that keep the output safe cannot be ignored"),
                );
            }
            if e.reason.trim().is_empty() {
                problems.push(
                    doc.at(&INVALID_IGNORE, &route!["ignore", i, "reason"], false, "the ignore gives no reason")
                        .help("say why the rule does not apply here: the next reader needs it"),
                );
            }
            let files = glob(&mut problems, e.path.as_ref(), route!["ignore", i, "path"]);
            let usable = !e.reason.trim().is_empty() && files.is_some();
            let rules = rules.into_iter().filter(|r| r.ignorable && usable).collect();
            ignores.push(Entry { rules, files: files.flatten() });
        }
        let mut levels = Vec::new();
        for (i, e) in settings.severity.iter().enumerate() {
            let rules = registry::find_all(&e.rule);
            let level = e.level.severity();
            if rules.is_empty() {
                unknown(&mut problems, &e.rule, route!["severity", i, "rule"]);
            } else if let Some(rule) = rules.iter().find(|r| !r.ignorable && level < r.severity) {
                let msg =
                    format!("{} ({}) keeps the output safe: it cannot be lowered to {}", rule.code, rule.name, e.level);
                problems.push(
                    doc.at(&INVALID_IGNORE, &route!["severity", i, "level"], false, msg).help(
                        "fix the finding instead; a rule that keeps the output safe may be raised, never lowered",
                    ),
                );
            }
            let files = glob(&mut problems, e.path.as_ref(), route!["severity", i, "path"]);
            let usable = files.is_some();
            let rules = rules.into_iter().filter(|r| usable && (r.ignorable || level >= r.severity)).collect();
            levels.push(Entry { rules, files: files.flatten() });
        }
        Config { doc, dir, settings, selected, ignores, levels, problems }
    }

    /// Applies the settings to a run's findings: drops those of rules not selected and those an
    /// ignore silences, sets the severities, and adds the entries that could not take effect
    /// or silenced nothing. Findings of rules that keep the output safe are only ever raised.
    pub fn apply(&self, findings: &mut Findings, complete: bool) {
        let mut used = vec![false; self.ignores.len()];
        let diags = std::mem::take(&mut findings.diagnostics);
        for mut d in diags {
            let at = self.relative(&d.file);
            let at = at.as_deref();
            if !d.rule.ignorable {
                // A rule that keeps the output safe may be raised (its entries were kept only
                // then), never silenced.
                for (entry, setting) in self.levels.iter().zip(&self.settings.severity) {
                    if entry.covers(&d, at) && setting.level.severity() > d.severity {
                        d.severity = setting.level.severity();
                    }
                }
                findings.diagnostics.push(d);
                continue;
            }
            let named = |rules: &[&'static Rule]| rules.iter().any(|r| std::ptr::eq(*r, d.rule));
            if !self.selected.is_empty() && !self.selected.iter().any(|rules| named(rules)) {
                continue;
            }
            let mut silenced = false;
            for (i, entry) in self.ignores.iter().enumerate() {
                if entry.covers(&d, at) {
                    used[i] = true;
                    silenced = true;
                }
            }
            if silenced {
                continue;
            }
            for (entry, setting) in self.levels.iter().zip(&self.settings.severity) {
                if entry.covers(&d, at) {
                    d.severity = setting.level.severity();
                }
            }
            findings.diagnostics.push(d);
        }
        let mut problems = self.problems.clone();
        // Only a run over the file's whole folder can tell that an ignore silences nothing.
        for (i, entry) in self.ignores.iter().enumerate().filter(|_| complete) {
            if !used[i] && !entry.rules.is_empty() {
                let codes: Vec<&str> = entry.rules.iter().map(|r| r.code).collect();
                let msg = format!("this ignore of {} silences nothing", codes.join(", "));
                problems.push(
                    self.doc
                        .at(&UNUSED_IGNORE, &route!["ignore", i], false, msg)
                        .help("remove it, or check its `path`"),
                );
            }
        }
        findings.sources.add(self.doc.source.clone());
        findings.diagnostics.extend(problems);
    }

    /// Whether a run over `paths` reads everything the configuration's folder holds: one of
    /// them is that folder or a folder above it.
    pub fn covered_by(&self, paths: &[PathBuf]) -> bool {
        paths.iter().any(|p| p.is_dir() && self.dir.starts_with(output::normalize(p)))
    }

    /// A finding's file relative to the configuration's folder, with `/` between folders; `None`
    /// for a file outside it.
    fn relative(&self, file: &str) -> Option<String> {
        // A chart's template as Helm rendered it is named after the template.
        let file = file.strip_suffix(" (rendered)").unwrap_or(file);
        let abs = output::normalize(Path::new(file));
        let rel = abs.strip_prefix(&self.dir).ok()?;
        Some(rel.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"))
    }
}
