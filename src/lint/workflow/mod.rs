//! The GitHub workflow family: `.github/workflows/*.yml`, read with positions by the YAML
//! module and checked one file at a time. The loader reads YAML 1.2, as GitHub does for keys:
//! `on:` is the string `on` (a YAML 1.1 parser would read the boolean `true`).
//!
//! A [`Document`] is the workflow's mapping with the views the rules share: its triggers, its
//! `permissions`, its jobs, each job's steps, a step's `uses:` and `run:`, and a string
//! value's `${{ }}` expressions and shell commands, each placed at its `file:line:col` (inside
//! a block scalar too: see [`text`]).

pub mod expr;
pub mod pins;
mod rules;
pub mod text;

pub use rules::CHECKS;

use std::sync::Arc;

use super::closure::{Graph, Parsed};
use super::{Artifact, Emit, Family, Recognition, drive_reading, file_name};
use crate::diag::{Diagnostic, Diagnostics, Rule, Source, Span};
use crate::text::shell::Command;
use crate::yaml::{self, Entry, Node, Policy, Tags, Value};
use text::Text;

/// The family, as listed in [`super::FAMILIES`].
pub static FAMILY: WorkflowFamily = WorkflowFamily;

/// GitHub Actions workflows.
pub struct WorkflowFamily;

/// How a workflow file is read.
pub(crate) static POLICY: Policy = Policy {
    what: "a workflow",
    max_bytes: 16 * 1024 * 1024,
    max_depth: 100,
    max_nodes: 1_000_000,
    max_alias_nodes: 100_000,
    multi_document: false,
    tags: Tags::Core,
    rules: &rules::YAML_RULES,
    empty_help: "a workflow names its triggers under `on:` and its work under `jobs:`",
};

impl Family for WorkflowFamily {
    fn name(&self) -> &'static str {
        "workflow"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).collect()
    }

    fn comments(&self, text: &str) -> Vec<Span> {
        yaml::comments(text)
    }

    /// A `.yml` or `.yaml` file directly in a `.github/workflows/` folder (where GitHub reads
    /// workflows from) is one; another with top-level `on:` and `jobs:`, and no `apiVersion:`
    /// or `kind:`, may be.
    fn recognises(&self, path: &str, text: &str) -> Recognition {
        let name = file_name(path);
        if !(name.ends_with(".yml") || name.ends_with(".yaml")) {
            return Recognition::No;
        }
        if in_workflows_folder(path) {
            return Recognition::Yes;
        }
        let (mut on, mut jobs) = (false, false);
        for key in top_level_keys(text) {
            match key {
                // A Kubernetes object, whatever else it holds (most say so on their first line).
                "apiVersion" | "kind" => return Recognition::No,
                "on" => on = true,
                "jobs" => jobs = true,
                _ => {}
            }
        }
        if on && jobs { Recognition::Maybe } else { Recognition::No }
    }

    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        lint_with(files, emit, &mut |_, _| {});
    }

    fn lint_reading(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>, graph: &mut Graph) {
        lint_with(files, emit, &mut |file, doc| graph.read(file, Parsed::Workflow(doc.root.as_ref())));
    }
}

/// Lints workflows, handing each parsed file to `read`.
fn lint_with(
    files: &mut dyn Iterator<Item = Artifact>,
    emit: &mut Emit<'_>,
    read: &mut dyn FnMut(&Artifact, &Document),
) {
    drive_reading(CHECKS, files, Document::new, read, &mut |file, mut found| {
        super::past_byte_order_mark(file.source.text(), &mut found);
        found.sort_by_key(|d| d.span);
        emit(file, found)
    });
}

/// Whether a path is a file directly in a `.github/workflows/` folder.
pub fn in_workflows_folder(path: &str) -> bool {
    let mut parts = path.rsplit(['/', '\\']).skip(1);
    parts.next() == Some("workflows") && parts.next() == Some(".github")
}

/// The keys written at the start of a line (top-level mapping keys), unquoted.
fn top_level_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .filter(|l| l.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '"' || c == '\''))
        .filter_map(|l| l.split_once(':'))
        .map(|(k, _)| k.trim_end().trim_matches(['"', '\'']))
}

/// One workflow file.
pub struct Document {
    pub source: Arc<Source>,
    /// The workflow's top-level mapping; `None` when the file is not YAML or not a mapping.
    pub root: Option<Node>,
    /// Why the file, or a part of it, is not a workflow GitHub would run (GHA001).
    pub syntax: Diagnostics,
    /// Its scripts' commands, read once for every rule.
    scripts: text::Scripts,
}

impl Document {
    /// Reads a file.
    pub fn new(artifact: &Artifact) -> Document {
        Document::parse(&artifact.source)
    }

    /// Reads a text.
    pub fn parse(source: &Arc<Source>) -> Document {
        let loaded = yaml::load_source(source, &POLICY);
        // Spans count in the loader's text (without a byte-order mark).
        let mut doc =
            Document { source: loaded.source, root: None, syntax: Vec::new(), scripts: text::Scripts::default() };
        match loaded.documents {
            Ok(mut docs) if !docs.is_empty() => {
                let root = docs.swap_remove(0).root;
                if matches!(root.value, Value::Map(_)) {
                    doc.root = Some(root);
                } else {
                    let message = format!("a workflow is a mapping with `on:` and `jobs:`, not {}", root.type_name());
                    let d = doc.at(&rules::WORKFLOW_SYNTAX, root.span, message);
                    doc.syntax.push(d.help("start the file with `name:`, `on:` and `jobs:`"));
                }
            }
            Ok(_) => {}
            Err(problems) => doc.syntax = problems,
        }
        doc
    }

    /// How findings name the file.
    pub fn file(&self) -> &str {
        self.source.name()
    }

    /// A finding at `span`.
    pub fn at(&self, rule: &'static Rule, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(rule, self.file(), Some(span), message)
    }

    /// A top-level entry.
    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.root.as_ref().and_then(|r| entry(r, key))
    }

    /// A top-level value.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    /// The events that trigger the workflow, each with where it is named: `on: push`,
    /// `on: [push, pull_request]`, or the keys of `on: {push: ..., pull_request: ...}`.
    pub fn triggers(&self) -> Vec<(&str, Span)> {
        match self.get("on").map(|n| &n.value) {
            Some(Value::Str(s)) => vec![(s.as_str(), self.get("on").map_or_else(Span::default, |n| n.span))],
            Some(Value::Seq(items)) => items.iter().filter_map(|i| i.as_str().map(|s| (s, i.span))).collect(),
            Some(Value::Map(entries)) => entries.iter().map(|e| (e.key.as_str(), e.key_span)).collect(),
            _ => Vec::new(),
        }
    }

    /// Whether an event triggers the workflow.
    pub fn triggered_by(&self, event: &str) -> bool {
        self.triggers().iter().any(|(t, _)| *t == event)
    }

    /// The declared `type` of a workflow input (`on.workflow_dispatch.inputs.NAME.type`, or
    /// `workflow_call`'s): `Some("")` for an input declared without a type, `None` for one not
    /// declared. Contexts are case-insensitive: `inputs.dryrun` reads an input declared
    /// `DryRun`.
    pub fn input_type(&self, name: &str) -> Option<&str> {
        let on = self.get("on")?;
        ["workflow_dispatch", "workflow_call"]
            .iter()
            .filter_map(|event| {
                let inputs = on.get(event)?.get("inputs")?;
                entries(inputs).iter().find(|e| e.key.eq_ignore_ascii_case(name))
            })
            .map(|input| input.value.get("type").and_then(Node::as_str).unwrap_or(""))
            .next()
    }

    /// The workflow's `permissions`.
    pub fn permissions(&self) -> Option<Permissions<'_>> {
        self.entry("permissions").map(Permissions::new)
    }

    /// The jobs, in order (none when `jobs` is not a mapping).
    pub fn jobs(&self) -> Vec<Job<'_>> {
        match self.get("jobs").map(|n| &n.value) {
            Some(Value::Map(entries)) => entries
                .iter()
                .filter(|e| matches!(e.value.value, Value::Map(_)))
                .map(|e| Job { doc: self, id: &e.key, key: e.key_span, node: &e.value })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Every `uses:` of the workflow: of jobs that call a reusable workflow, and of steps.
    pub fn uses(&self) -> Vec<Uses<'_>> {
        self.jobs()
            .into_iter()
            .flat_map(|j| j.uses().into_iter().chain(j.steps().into_iter().filter_map(|s| s.uses())))
            .collect()
    }

    /// Every step of every job.
    pub fn steps(&self) -> Vec<Step<'_>> {
        self.jobs().iter().flat_map(Job::steps).collect()
    }

    /// The text of a string node, mapped back to the file.
    pub fn text<'a>(&'a self, node: &'a Node) -> Option<Text<'a>> {
        Text::kept(self.source.text(), node, &self.scripts)
    }
}

/// A mapping's entry.
pub fn entry<'a>(node: &'a Node, key: &str) -> Option<&'a Entry> {
    match &node.value {
        Value::Map(entries) => entries.iter().find(|e| e.key == key),
        _ => None,
    }
}

/// A mapping's entries (none for another node).
pub fn entries(node: &Node) -> &[Entry] {
    match &node.value {
        Value::Map(entries) => entries,
        _ => &[],
    }
}

/// Whether a value is literally `true` (a boolean, or the string GitHub reads as one).
pub fn is_true(node: &Node) -> bool {
    matches!(&node.value, Value::Bool(true)) || node.as_str().is_some_and(|s| s.eq_ignore_ascii_case("true"))
}

/// One job.
#[derive(Clone, Copy)]
pub struct Job<'a> {
    pub doc: &'a Document,
    pub id: &'a str,
    /// The job's key under `jobs:`.
    pub key: Span,
    pub node: &'a Node,
}

impl<'a> Job<'a> {
    /// A value of the job.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// An entry of the job.
    pub fn entry(&self, key: &str) -> Option<&'a Entry> {
        entry(self.node, key)
    }

    /// The steps (none for a job that calls a reusable workflow).
    pub fn steps(&self) -> Vec<Step<'a>> {
        match self.get("steps").map(|n| &n.value) {
            Some(Value::Seq(items)) => items
                .iter()
                .enumerate()
                .filter(|(_, n)| matches!(n.value, Value::Map(_)))
                .map(|(index, node)| Step { doc: self.doc, job: self.node, index, node })
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The reusable workflow the job calls (`jobs.<id>.uses`).
    pub fn uses(&self) -> Option<Uses<'a>> {
        self.get("uses").and_then(Uses::new)
    }

    /// The job's own `permissions`.
    pub fn permissions(&self) -> Option<Permissions<'a>> {
        self.entry("permissions").map(Permissions::new)
    }

    /// Whether the job or the workflow sets `concurrency`.
    pub fn has_concurrency(&self) -> bool {
        self.get("concurrency").is_some() || self.doc.get("concurrency").is_some()
    }
}

/// Every `if:` of the workflow (of jobs and steps), with the text of its condition.
pub fn conditions(doc: &Document) -> Vec<&Node> {
    doc.jobs()
        .into_iter()
        .flat_map(|j| j.get("if").into_iter().chain(j.steps().into_iter().filter_map(|s| s.get("if"))))
        .filter(|n| n.as_str().is_some())
        .collect()
}

/// One step of a job.
#[derive(Clone, Copy)]
pub struct Step<'a> {
    pub doc: &'a Document,
    /// The job's mapping.
    pub job: &'a Node,
    pub index: usize,
    pub node: &'a Node,
}

/// The language a script is read in, for how a value reaches it as data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    Shell,
    PowerShell,
    Python,
    Cmd,
    JavaScript,
}

impl Language {
    /// How a script in this language reads environment variable `name`.
    pub fn env_var(self, name: &str) -> String {
        match self {
            Language::Shell => format!("\"${name}\""),
            Language::PowerShell => format!("$env:{name}"),
            Language::Python => format!("os.environ[\"{name}\"]"),
            Language::Cmd => format!("\"%{name}%\""),
            Language::JavaScript => format!("process.env.{name}"),
        }
    }
}

/// Inputs of well-known actions that run their value as code, with its language (zizmor's
/// and CodeQL's lists of such sinks).
pub const CODE_INPUTS: [(&str, &str, Language); 12] = [
    ("actions/github-script", "script", Language::JavaScript),
    ("Amadevus/pwsh-script", "script", Language::PowerShell),
    ("mikefarah/yq", "cmd", Language::Shell),
    ("addnab/docker-run-action", "run", Language::Shell),
    ("addnab/docker-run-action", "options", Language::Shell),
    ("appleboy/ssh-action", "script", Language::Shell),
    ("uraimo/run-on-arch-action", "run", Language::Shell),
    ("cross-platform-actions/action", "run", Language::Shell),
    ("jannekem/run-python-script-action", "script", Language::Python),
    ("nick-fields/retry", "command", Language::Shell),
    ("Wandalen/wretry.action", "command", Language::Shell),
    ("devcontainers/ci", "runCmd", Language::Shell),
];

impl<'a> Step<'a> {
    /// A value of the step.
    pub fn get(&self, key: &str) -> Option<&'a Node> {
        self.node.get(key)
    }

    /// The action the step uses.
    pub fn uses(&self) -> Option<Uses<'a>> {
        self.get("uses").and_then(Uses::new)
    }

    /// Whether the step uses this action (`owner/repo` or `owner/repo/path`, any ref).
    pub fn uses_action(&self, action: &str) -> bool {
        self.uses().is_some_and(|u| u.is(action))
    }

    /// Its `run:` script.
    pub fn run(&self) -> Option<Text<'a>> {
        self.get("run").and_then(|n| self.doc.text(n))
    }

    /// An input under `with:`.
    pub fn with(&self, key: &str) -> Option<&'a Entry> {
        self.get("with").and_then(|w| entry(w, key))
    }

    /// The scripts GitHub substitutes expressions into: `run:`, and the inputs of well-known
    /// actions that run them as code ([`CODE_INPUTS`]), each with its language.
    pub fn scripts(&self) -> Vec<(Text<'a>, Language)> {
        let run = self.run().map(|t| (t, self.shell()));
        // Most steps use no action, or one that runs no input as code: read `uses:` once.
        let uses = self.uses();
        let inputs = CODE_INPUTS.iter().filter(|(action, _, _)| uses.is_some_and(|u| u.is(action))).filter_map(
            |(_, input, language)| self.with(input).and_then(|e| self.doc.text(&e.value)).map(|t| (t, *language)),
        );
        run.into_iter().chain(inputs).collect()
    }

    /// The language of its `run:`: the step's `shell:`, else its job's or the workflow's
    /// `defaults.run.shell`, else a POSIX shell (bash, or PowerShell on Windows runners: read as
    /// a shell either way, since the runner is not always known).
    pub fn shell(&self) -> Language {
        let shell = self.get("shell").and_then(Node::as_str).or_else(|| {
            let defaults = |n: Option<&'a Node>| n?.get("defaults")?.get("run")?.get("shell")?.as_str();
            defaults(Some(self.job)).or_else(|| defaults(self.doc.root.as_ref()))
        });
        match shell.map(|s| s.split_whitespace().next().unwrap_or("")) {
            Some("pwsh" | "powershell") => Language::PowerShell,
            Some("python") => Language::Python,
            Some("cmd") => Language::Cmd,
            _ => Language::Shell,
        }
    }

    /// Where the step starts (its first key, as in `- name: Build`).
    pub fn span(&self) -> Span {
        entries(self.node).first().map_or(self.node.span, |e| e.key_span)
    }
}

/// A `uses:` value.
#[derive(Clone, Copy)]
pub struct Uses<'a> {
    pub node: &'a Node,
    pub value: &'a str,
}

/// What a `uses:` names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target<'a> {
    /// `./path` in the same repository.
    Local,
    /// `docker://image[:tag][@digest]`.
    Docker(&'a str),
    /// `owner/repo[/path]@ref` (the ref may be missing).
    Action { action: &'a str, reference: Option<&'a str> },
}

impl<'a> Uses<'a> {
    fn new(node: &'a Node) -> Option<Uses<'a>> {
        node.as_str().map(|value| Uses { node, value })
    }

    /// What it names.
    pub fn target(&self) -> Target<'a> {
        let v = self.value.trim();
        if v.starts_with("./") || v.starts_with(".\\") {
            Target::Local
        } else if let Some(image) = v.strip_prefix("docker://") {
            Target::Docker(image)
        } else {
            match v.split_once('@') {
                Some((action, reference)) => Target::Action { action, reference: Some(reference) },
                None => Target::Action { action: v, reference: None },
            }
        }
    }

    /// `owner/repo[/path]` of an action, as written (empty for local and docker actions).
    pub fn action(&self) -> &'a str {
        match self.target() {
            Target::Action { action, .. } => action,
            _ => "",
        }
    }

    /// The ref of an action.
    pub fn reference(&self) -> Option<&'a str> {
        match self.target() {
            Target::Action { reference, .. } => reference,
            _ => None,
        }
    }

    /// `owner/repo` of an action (owner and repository names are case-insensitive).
    pub fn repository(&self) -> String {
        self.repository_as_written().to_ascii_lowercase()
    }

    /// `owner/repo` as written, before any path.
    fn repository_as_written(&self) -> &'a str {
        let action = self.action();
        match action.bytes().enumerate().filter(|&(_, b)| b == b'/').nth(1) {
            Some((second, _)) => &action[..second],
            None => action,
        }
    }

    /// Whether it names this action: `owner/repo` matches the repository and every path in
    /// it; `owner/repo/path` matches that path. Called by many rules on every step, so it
    /// compares without allocating.
    pub fn is(&self, action: &str) -> bool {
        if action.bytes().filter(|&b| b == b'/').count() == 1 {
            self.repository_as_written().eq_ignore_ascii_case(action)
        } else {
            self.action().eq_ignore_ascii_case(action)
        }
    }

    /// Whether the ref is a full commit SHA.
    pub fn pinned(&self) -> bool {
        self.reference().is_some_and(is_commit_sha)
    }
}

/// Commands whose `login` subcommand takes `-p`/`--password` (and `helm registry login`).
const REGISTRY_LOGINS: [&str; 6] = ["docker", "podman", "buildah", "nerdctl", "skopeo", "oras"];

/// The password argument of a registry login (`docker login -p X`, `--password X`,
/// `--password=X`, `-pX`): the index of the option's word, and the password with the index of
/// the word it is in (none when the option ends the command).
pub fn login_password(cmd: &Command) -> Option<(usize, Option<(usize, &str)>)> {
    let args = cmd.args();
    let login = (REGISTRY_LOGINS.contains(&cmd.name()) && args.first().is_some_and(|a| a == "login"))
        || (cmd.name() == "helm" && args.len() >= 2 && args[0] == "registry" && args[1] == "login");
    if !login {
        return None;
    }
    cmd.words.iter().enumerate().find_map(|(i, w)| {
        let value = match w.as_str() {
            "-p" | "--password" => cmd.words.get(i + 1).map(|v| (i + 1, v.as_str())),
            w if w.starts_with("--password=") => Some((i, &w["--password=".len()..])),
            w if w.starts_with("-p") && !w.starts_with("--") => Some((i, &w[2..])),
            _ => return None,
        };
        Some((i, value))
    })
}

/// Whether a ref is a full (40 hex digits) commit SHA.
pub fn is_commit_sha(reference: &str) -> bool {
    reference.len() == 40 && reference.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A `permissions` entry (of the workflow or a job).
#[derive(Clone, Copy)]
pub struct Permissions<'a> {
    /// The `permissions` key.
    pub key: Span,
    pub node: &'a Node,
}

impl<'a> Permissions<'a> {
    fn new(e: &'a Entry) -> Permissions<'a> {
        Permissions { key: e.key_span, node: &e.value }
    }

    /// `read-all` or `write-all`, when written so.
    pub fn all(&self) -> Option<&'a str> {
        self.node.as_str()
    }

    /// Each scope with its level (`contents: read`), and the scope's key.
    pub fn scopes(&self) -> Vec<(&'a str, &'a str, Span)> {
        entries(self.node).iter().filter_map(|e| e.value.as_str().map(|v| (e.key.as_str(), v, e.key_span))).collect()
    }

    /// The key of a scope written at `level`.
    pub fn grants(&self, scope: &str, level: &str) -> Option<Span> {
        self.scopes().into_iter().find(|(s, l, _)| *s == scope && *l == level).map(|(_, _, k)| k)
    }
}

#[cfg(test)]
mod tests;
