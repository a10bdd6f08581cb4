//! Fixes for GitHub workflows, made on the nodes the finding's span lands in.

use super::{Edit, FileText, Fix, Fixer, Safety, yaml_edit};
use crate::diag::Diagnostic;
use crate::lint::workflow::{is_commit_sha, pins};
use crate::yaml::{Node, Value};

/// GHA002: the reviewed commit of an action, its tag in a comment.
pub static UNPINNED_ACTION: Fixer = Fixer {
    code: "GHA002",
    family: "workflow",
    safety: "safe or unsafe",
    doc: "`gen lint --fix` pins an action gen knows a reviewed commit for (the list it embeds, \
          `schemas/github-actions-pins.json`) to that commit, its tag in a comment: `uses: \
          actions/checkout@v7.0.1` → `uses: actions/checkout@<sha> # v7.0.1`. Safe when the ref written is \
          the listed tag: the same code runs. Unsafe (only with `--unsafe-fixes`) when the ref is that tag's \
          major or minor (`@v7`, `@v7.0`): the job then runs the listed release, not the newest one the ref \
          points to today. No fix for an action not in the list (gen never guesses a commit), another major, a \
          branch, an image, or a `uses:` inside a flow mapping (`{uses: ...}`), where the tag's comment cannot \
          go.",
    fix: unpinned_action,
};

/// GHA003: `permissions: {contents: read}` for a workflow that sets none.
pub static PERMISSIONS_MISSING_OR_BROAD: Fixer = Fixer {
    code: "GHA003",
    family: "workflow",
    safety: "unsafe",
    doc: "`gen lint --fix --unsafe-fixes` adds `permissions: {contents: read}` at the top of a workflow where \
          neither it nor its jobs set `permissions`, before `jobs:`. Unsafe: a job that pushes, comments, \
          publishes a package or a release, or logs in with OIDC loses the right, and what an action does with \
          the token is not written in the workflow. `write-all`, `read-all` and a workflow-wide `write` have no \
          fix: which scopes the work needs is for its author to say.",
    fix: permissions_missing,
};

/// GHA012: `persist-credentials: false`.
pub static CHECKOUT_PERSISTS_CREDENTIALS: Fixer = Fixer {
    code: "GHA012",
    family: "workflow",
    safety: "safe or unsafe",
    doc: "`gen lint --fix` adds `persist-credentials: false` under the checkout's `with:` (and the `with:` when \
          there is none). Safe when no later step of the job runs `git` in a script or uses an action whose \
          name says it commits or pushes: nothing else reads the token the checkout left in `.git/config`. \
          Otherwise unsafe (only with `--unsafe-fixes`): that `git push` would lose its credential. A setting \
          written otherwise (`true`, an expression) is left to its author.",
    fix: checkout_persists_credentials,
};

fn unpinned_action(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let span = d.span?;
    let yaml = file.yaml()?;
    let bare = &file.text[yaml.bom..];
    let root = yaml.doc_at(span.start)?;
    let at = span.start - yaml.bom;
    let node = *yaml_edit::ancestors(root, at).last()?;
    let uses = node.as_str()?;
    let (action, reference) = uses.split_once('@')?;
    if action.starts_with("docker://") || action.starts_with("./") || is_commit_sha(reference) {
        return None;
    }
    let repo = |a: &str| a.splitn(3, '/').take(2).collect::<Vec<_>>().join("/").to_ascii_lowercase();
    let pin = pins::all()
        .iter()
        .find(|p| p.action.eq_ignore_ascii_case(action))
        .or_else(|| pins::all().iter().find(|p| repo(&p.action) == repo(action)))?;
    let safety = if reference == pin.tag {
        Safety::Safe
    } else if pin.tag.starts_with(&format!("{reference}.")) && reference.starts_with('v') {
        Safety::Unsafe
    } else {
        return None;
    };
    let (start, end) = (node.span.start, node.span.end);
    let written = &bare[start..end];
    let quote = written.chars().next().filter(|c| *c == '"' || *c == '\'');
    // The comment goes after the value: only when nothing but a comment follows on its line.
    let line_rest = &bare[end..bare[end..].find('\n').map_or(bare.len(), |i| end + i)];
    let rest = line_rest.trim();
    if !(rest.is_empty() || rest.starts_with('#')) || written.contains('\n') {
        return None;
    }
    let value = format!("{action}@{}", pin.sha);
    let value = match quote {
        Some(q) => format!("{q}{value}{q}"),
        None => value,
    };
    // A comment that only names a version (`# v4`, `# tag=v4.2.1`) is the one the pin replaces;
    // any other comment stays, after the tag's.
    let comment = rest.trim_start_matches('#').trim();
    let version = comment.strip_prefix("tag=").unwrap_or(comment);
    let names_version = version
        .strip_prefix('v')
        .unwrap_or(version)
        .split('.')
        .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let end = if rest.starts_with('#') && names_version { end + line_rest.trim_end().len() } else { end };
    let edits = vec![Edit { start: yaml.bom + start, end: yaml.bom + end, text: format!("{value} # {}", pin.tag) }];
    Some(Fix::new(safety, edits))
}

fn permissions_missing(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let yaml = file.yaml()?;
    let root = yaml.doc_at(d.span?.start)?;
    let bare = &file.text[yaml.bom..];
    if root.get("permissions").is_some() {
        return None;
    }
    // The finding for a job with no permissions in a workflow with none; others have no fix.
    let jobs = root.get("jobs")?;
    let Value::Map(entries) = &jobs.value else { return None };
    let at = d.span?.start;
    if !entries.iter().any(|e| e.key_span.start + yaml.bom == at && e.value.get("permissions").is_none()) {
        return None;
    }
    let at = yaml_edit::before_entry(bare, root, "jobs")?;
    let unit = yaml_edit::indent_unit(bare, root);
    let eol = super::eol_at(bare, at);
    let column = at_column(bare, root)?;
    let lines = format!("{0}permissions:{eol}{0}{1}contents: read{eol}", " ".repeat(column), " ".repeat(unit));
    Some(Fix::new(Safety::Unsafe, vec![Edit::insert(yaml.bom + at, lines)]))
}

/// The column of the top-level keys.
fn at_column(text: &str, root: &Node) -> Option<usize> {
    let Value::Map(entries) = &root.value else { return None };
    let first = entries.first()?;
    Some(first.key_span.start - yaml_edit::line_start(text, first.key_span.start))
}

fn checkout_persists_credentials(file: &FileText<'_>, d: &Diagnostic) -> Option<Fix> {
    let span = d.span?;
    let yaml = file.yaml()?;
    let bare = &file.text[yaml.bom..];
    let root = yaml.doc_at(span.start)?;
    let chain = yaml_edit::ancestors(root, span.start - yaml.bom);
    // The step is the innermost mapping with `uses:`; the job's steps hold it.
    let at = chain.iter().rposition(|n| n.get("uses").is_some())?;
    let step = chain[at];
    let steps = chain.get(at.checked_sub(1)?)?;
    let Value::Seq(items) = &steps.value else { return None };
    let index = items.iter().position(|i| std::ptr::eq(i, step))?;
    let needs_token = items[index + 1..].iter().any(|later| {
        let runs_git = later.get("run").and_then(Node::as_str).is_some_and(|script| {
            script.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).any(|w| w == "git")
        });
        let pushes = later.get("uses").and_then(Node::as_str).is_some_and(|u| {
            let name = u.split('@').next().unwrap_or(u).to_ascii_lowercase();
            ["commit", "push", "git-auto", "pull-request"].iter().any(|w| name.contains(w))
        });
        runs_git || pushes
    });
    let safety = if needs_token { Safety::Unsafe } else { Safety::Safe };
    let route =
        [crate::diag::Segment::Key("with".to_string()), crate::diag::Segment::Key("persist-credentials".to_string())];
    let (at, lines) = yaml_edit::ensure(bare, step, &route, "false", yaml_edit::indent_unit(bare, root))?;
    Some(Fix::new(safety, vec![Edit::insert(yaml.bom + at, lines)]))
}
