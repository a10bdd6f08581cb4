//! Ignores, always with a reason: `lint.ignore` entries in the spec (a whole rule, or one
//! service, spec path or rendered file), and `gen:ignore` comments in a file.
//!
//! A comment `# gen:ignore RULE[,RULE] reason` silences the findings on its own line (after
//! code) or on the next line of code; `# gen:ignore-file RULE reason` silences a rule in the
//! whole file. Only a real comment of the file's language counts, as its family's parser
//! tells ([`Family::comments`]): the same words in a string, a block scalar or a heredoc are
//! the file's data, and a file under review must not switch its own checks off with them. An
//! ignore that silences nothing is reported, and rules that keep the output safe cannot be
//! ignored at all.

use super::Family;
use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Route, Rule, Source, Span};
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an entry of the spec's `lint:` block or of a `.gen-lint.yaml` (`select`,
    /// `ignore`, `severity`) that names no rule gen knows.
    ///
    /// ## Why it matters
    /// A mistyped code ignores nothing, so the finding it was meant to silence keeps failing
    /// the build, or a rule renamed since still looks ignored to the reader; a mistyped
    /// `select` entry quietly reports fewer rules than the reader thinks.
    ///
    /// ## Example
    /// ```yaml
    /// lint:
    ///   ignore: [{rule: SPEC999, reason: "no such rule"}]
    /// ```
    ///
    /// ## How to fix
    /// Use a code or name listed by `gen explain`.
    pub static UNKNOWN_IGNORED_RULE = ("SPEC118", "unknown-ignored-rule", Warning, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports an ignore (a `lint.ignore` entry in the spec, or a `gen:ignore` comment) that
    /// silences no finding.
    ///
    /// ## Why it matters
    /// An ignore outlives the finding it was written for: left in place, it will silently hide
    /// the next real problem of that rule at that place.
    ///
    /// ## Example
    /// ```dockerfile
    /// # gen:ignore DF006 the cache is needed
    /// RUN pip install --no-cache-dir flask
    /// ```
    ///
    /// ## How to fix
    /// Remove the ignore.
    pub static UNUSED_IGNORE = ("GEN002", "unused-ignore", Warning, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a `gen:ignore` comment that cannot take effect: it names no rule of the file's
    /// family, gives no reason, or names a rule that may not be ignored; or an entry of the
    /// spec's `lint:` block or of a `.gen-lint.yaml` that cannot: an ignore of a rule that may
    /// not be ignored (or, in the file, with no reason or a `path` that is not a glob), or a
    /// `severity` that would lower such a rule.
    ///
    /// ## Why it matters
    /// The finding it was meant for is still reported, and the comment suggests otherwise to
    /// the next reader. Rules that keep the output safe (names that become paths, unsafe
    /// targets, files that do not parse) can never be ignored.
    ///
    /// ## Example
    /// ```dockerfile
    /// # gen:ignore DF006
    /// RUN pip install flask
    /// ```
    ///
    /// ## How to fix
    /// Write `gen:ignore CODE reason` with a rule `gen explain` lists for this kind of file,
    /// or fix the finding.
    pub static INVALID_IGNORE = ("GEN003", "invalid-ignore", Warning, unignorable);
}

struct Directive {
    /// The line whose findings it silences; `None` for the whole file.
    line: Option<usize>,
    rules: Vec<&'static Rule>,
    span: Span,
    used: bool,
}

/// Reads the `gen:ignore` directives of a file from its comments (`comments`: the span of each,
/// from its marker to its end, in text order). A directive is a comment whose text, after the
/// marker, starts with `gen:ignore`. Problems with them are reported into `out`.
fn directives(source: &Source, comments: &[Span], rules: &[&'static Rule], out: &mut Diagnostics) -> Vec<Directive> {
    let text = source.text();
    let lines: Vec<(usize, &str)> =
        text.split_inclusive('\n').scan(0, |at, l| Some((std::mem::replace(at, *at + l.len()), l))).collect();
    let line_of = |offset: usize| lines.partition_point(|(start, _)| *start <= offset).saturating_sub(1);
    // The lines that hold nothing but a comment: a directive above them applies below them.
    let comment_lines: std::collections::HashSet<usize> = comments
        .iter()
        .filter(|c| {
            let (start, _) = lines[line_of(c.start)];
            text.get(start..c.start).is_some_and(|t| t.trim().is_empty())
        })
        .map(|c| line_of(c.start))
        .collect();
    let mut found = Vec::new();
    for comment in comments {
        let Some(body) = text.get(comment.start..comment.end) else { continue };
        let Some(at) = body.find("gen:ignore") else { continue };
        // Only the marker and blanks before it: `# gen:ignore`, `// gen:ignore`.
        if body[..at].chars().any(char::is_alphanumeric) {
            continue;
        }
        let index = line_of(comment.start);
        let trailing = !text[lines[index].0..comment.start].trim().is_empty();
        let rest = &body[at + "gen:ignore".len()..];
        let (file_wide, rest) = match rest.strip_prefix("-file") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let span = Span::new(comment.start + at, comment.start + body.trim_end().len());
        let rest = rest.trim();
        let (names, reason) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let problem = |out: &mut Diagnostics, msg: String, help: &str| {
            out.push(Diagnostic::new(&INVALID_IGNORE, source.name(), Some(span), msg).help(help));
        };
        let mut chosen = Vec::new();
        for name in names.split(',').filter(|n| !n.is_empty()) {
            match rules.iter().find(|r| r.is_named(name)) {
                Some(rule) if !rule.ignorable => {
                    problem(out, format!("{} ({}) cannot be ignored", rule.code, rule.name), "fix the finding instead")
                }
                Some(rule) => chosen.push(*rule),
                None => problem(
                    out,
                    format!("`{name}` is not a rule for this kind of file"),
                    "name a rule `gen explain` lists, by code or name",
                ),
            }
        }
        if names.is_empty() {
            problem(out, "the ignore names no rule".into(), "write `gen:ignore CODE reason`");
            continue;
        }
        if reason.trim().is_empty() {
            problem(
                out,
                "the ignore gives no reason".into(),
                "say why the finding does not apply: `gen:ignore CODE reason`",
            );
            continue;
        }
        if chosen.is_empty() {
            continue;
        }
        let line = if file_wide {
            None
        } else if trailing {
            Some(index + 1)
        } else {
            let next = lines
                .iter()
                .enumerate()
                .skip(index + 1)
                .find(|(i, (_, l))| !l.trim().is_empty() && !comment_lines.contains(i));
            match next {
                Some((i, _)) => Some(i + 1),
                None => Some(usize::MAX),
            }
        };
        found.push(Directive { line, rules: chosen, span, used: false });
    }
    found
}

/// Drops the findings that `gen:ignore` comments of `source` silence and reports the comments
/// that silence nothing or cannot take effect. `family` says where the file's comments are
/// (only a comment of the file's language is read: never a string, a block scalar or a
/// heredoc, whose text is the file's data); `rules` are the rules a comment may name.
pub fn apply_comments(
    source: &Source,
    family: &dyn Family,
    rules: &[&'static Rule],
    diags: Diagnostics,
) -> Diagnostics {
    let mut out = Vec::new();
    // Most files have no directive: their comments are not looked for.
    let mut directives = if source.text().contains("gen:ignore") {
        directives(source, &family.comments(source.text()), rules, &mut out)
    } else {
        Vec::new()
    };
    if directives.is_empty() {
        out.extend(diags);
        return out;
    }
    for d in diags {
        let line = d.span.map(|s| source.position(s).line);
        let silenced = d.rule.ignorable
            && directives.iter_mut().any(|dir| {
                let here = dir.line.is_none() || dir.line == line;
                let hit = here && dir.rules.iter().any(|r| std::ptr::eq(*r, d.rule));
                dir.used |= hit;
                hit
            });
        if !silenced {
            out.push(d);
        }
    }
    for dir in directives.iter().filter(|d| !d.used) {
        let codes: Vec<&str> = dir.rules.iter().map(|r| r.code).collect();
        let msg = format!("this ignore of {} silences nothing", codes.join(", "));
        out.push(Diagnostic::new(&UNUSED_IGNORE, source.name(), Some(dir.span), msg).help("remove it"));
    }
    out
}

/// How the spec's ignores look rules up: by code or name, and by likeness for "did you mean".
pub struct Lookup {
    /// Every rule a code or name refers to.
    pub find: fn(&str) -> Vec<&'static Rule>,
    /// Every rule a `select` entry chooses: by code, name, or code prefix (`DF`, `K8S0`).
    pub select: fn(&str) -> Vec<&'static Rule>,
    pub similar: fn(&str) -> Vec<&'static Rule>,
}

/// Where a `lint` entry applies: every finding of its rules, or only those about one service or
/// at one place (a spec path, covering what lies under it, or a rendered file or folder).
struct Scope<'e> {
    service: Option<&'e str>,
    path: Option<&'e str>,
    route: Option<Route>,
}

impl<'e> Scope<'e> {
    fn new(service: Option<&'e String>, path: Option<&'e String>) -> Self {
        Scope {
            service: service.map(String::as_str),
            path: path.map(String::as_str),
            route: path.map(String::as_str).and_then(Route::parse),
        }
    }

    fn covers(&self, d: &Diagnostic) -> bool {
        let service_ok = self.service.is_none_or(|s| d.subject.service.as_deref() == Some(s));
        let path_ok = self.path.is_none_or(|p| {
            let in_file = d.subject.artifact.as_ref().is_some_and(|a| a == p || (p.ends_with('/') && a.starts_with(p)));
            let at_node = matches!((&self.route, &d.subject.route), (Some(r), Some(at)) if at.starts_with(r));
            in_file || at_node
        });
        service_ok && path_ok
    }
}

/// The spec's `lint` block over a run: which rules are reported (`select`), which findings are
/// silenced (`ignore`), and at which severity (`severity`). Each stage's findings pass through
/// [`SpecIgnores::silence`]; [`SpecIgnores::report`] then says which entries were wrong or
/// silenced nothing.
pub struct SpecIgnores<'a> {
    loaded: &'a Loaded,
    lookup: &'a Lookup,
    /// Per entry, the rules it names: one by code; by name, every rule of that name (the spec
    /// and a family may each have one, as `latest-image-tag`).
    rules: Vec<Vec<&'static Rule>>,
    scopes: Vec<Scope<'a>>,
    used: Vec<bool>,
    /// Per `select` entry, the rules it chooses.
    selected: Vec<Vec<&'static Rule>>,
    /// Per `severity` entry, the rules it names, and where it applies.
    leveled: Vec<(Vec<&'static Rule>, Scope<'a>)>,
}

impl<'a> SpecIgnores<'a> {
    pub fn new(loaded: &'a Loaded, lookup: &'a Lookup) -> Self {
        let lint = &loaded.spec.lint;
        SpecIgnores {
            loaded,
            lookup,
            rules: lint.ignore.iter().map(|e| (lookup.find)(&e.rule)).collect(),
            scopes: lint.ignore.iter().map(|e| Scope::new(e.service.as_ref(), e.path.as_ref())).collect(),
            used: vec![false; lint.ignore.len()],
            selected: lint.select.iter().map(|s| (lookup.select)(s)).collect(),
            leveled: lint
                .severity
                .iter()
                .map(|e| ((lookup.find)(&e.rule), Scope::new(e.service.as_ref(), e.path.as_ref())))
                .collect(),
        }
    }

    /// The findings of selected rules that no entry silences, at the severity the spec gives.
    pub fn silence(&mut self, diags: Diagnostics) -> Diagnostics {
        let lint = &self.loaded.spec.lint;
        let mut out = Vec::with_capacity(diags.len());
        for mut d in diags {
            let named = |rules: &[&'static Rule]| rules.iter().any(|r| std::ptr::eq(*r, d.rule));
            // A mistyped entry must not narrow the run: until every entry names a rule,
            // `select` is not applied.
            let narrowing = !lint.select.is_empty() && self.selected.iter().all(|rules| !rules.is_empty());
            if d.rule.ignorable && narrowing && !self.selected.iter().any(|rules| named(rules)) {
                continue;
            }
            let mut silenced = false;
            for i in 0..lint.ignore.len() {
                if d.rule.ignorable && named(&self.rules[i]) && self.scopes[i].covers(&d) {
                    self.used[i] = true;
                    silenced = true;
                }
            }
            if silenced {
                continue;
            }
            // The last entry that applies decides; a safety rule is never lowered.
            for (entry, (rules, scope)) in lint.severity.iter().zip(&self.leveled) {
                let level = entry.level.severity();
                if named(rules) && scope.covers(&d) && (d.rule.ignorable || level >= d.rule.severity) {
                    d.severity = level;
                }
            }
            out.push(d);
        }
        out
    }

    /// Entries that name no rule or one that may not be ignored (or lowered); with `complete`
    /// (every stage ran), also ignores that silenced nothing.
    pub fn report(self, complete: bool) -> Diagnostics {
        let mut out = Vec::new();
        let lint = &self.loaded.spec.lint;
        let unknown_as = |name: &str, at: Route, message: String| {
            let help = match (self.lookup.similar)(name).first() {
                Some(r) => format!("did you mean `{}` ({})?", r.code, r.name),
                None => "list the rules with `gen explain`".to_string(),
            };
            self.loaded.at(&UNKNOWN_IGNORED_RULE, &at, false, message).help(help)
        };
        let unknown = |name: &str, at: Route| unknown_as(name, at, format!("`{name}` is not a gen rule"));
        for (i, name) in lint.select.iter().enumerate() {
            if self.selected[i].is_empty() {
                let message = format!(
                    "`{name}` is not a gen rule, nor a code prefix: `select` is not applied until it names only rules \
                     (every rule is reported)"
                );
                out.push(unknown_as(name, route!["lint", "select", i], message));
            }
        }
        for (i, entry) in lint.ignore.iter().enumerate() {
            let at = route!["lint", "ignore", i, "rule"];
            let rules = &self.rules[i];
            let locked = rules.iter().find(|r| !r.ignorable);
            match rules.first() {
                None => out.push(unknown(&entry.rule, at)),
                Some(_) if let Some(rule) = locked => out.push(
                    self.loaded
                        .at(&INVALID_IGNORE, &at, false, format!("{} ({}) cannot be ignored", rule.code, rule.name))
                        .help("fix the finding instead; rules that keep the output safe cannot be ignored"),
                ),
                Some(_) if complete && !self.used[i] => out.push(
                    self.loaded
                        .at(
                            &UNUSED_IGNORE,
                            &route!["lint", "ignore", i],
                            false,
                            format!(
                                "this ignore of {} silences nothing",
                                rules.iter().map(|r| r.code).collect::<Vec<_>>().join(", ")
                            ),
                        )
                        .help("remove it, or check its `service` and `path`"),
                ),
                Some(_) => {}
            }
        }
        for (i, (entry, (rules, _))) in lint.severity.iter().zip(&self.leveled).enumerate() {
            let level = entry.level.severity();
            match rules.iter().find(|r| !r.ignorable && level < r.severity) {
                _ if rules.is_empty() => out.push(unknown(&entry.rule, route!["lint", "severity", i, "rule"])),
                Some(rule) => out.push(
                    self.loaded
                        .at(
                            &INVALID_IGNORE,
                            &route!["lint", "severity", i, "level"],
                            false,
                            format!(
                                "{} ({}) keeps the output safe: it cannot be lowered to {}",
                                rule.code, rule.name, entry.level
                            ),
                        )
                        .help(
                            "fix the finding instead; a rule that keeps the output safe may be raised, never lowered",
                        ),
                ),
                None => {}
            }
        }
        out
    }
}
