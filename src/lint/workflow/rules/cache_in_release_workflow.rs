use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Step, is_true};
use crate::yaml::Node;

declare_rule! {
    /// ## What it does
    /// Reports a step that restores a cache in a workflow that publishes a release: one
    /// triggered by `release`, or by a `push` of `tags`. A step restores a cache when it uses
    /// `actions/cache` (or `actions/cache/restore`), a `setup-*` action with its `cache:` input
    /// set (`actions/setup-node`, `setup-python`, `setup-java`, `setup-dotnet`), `actions/setup-go`
    /// from v4 unless `cache: false` and `actions/setup-node` from v5 unless
    /// `package-manager-cache: false` (they cache by default), `ruby/setup-ruby` with
    /// `bundler-cache: true`, or `astral-sh/setup-uv` with `enable-cache: true`.
    ///
    /// zizmor: `cache-poisoning`.
    ///
    /// ## Why it matters
    /// GitHub's cache is shared by the repository's workflows, and a workflow any pull request
    /// runs (on the default branch's cache scope after a merge, or through a compromised
    /// dependency in a test job) can write an entry the release then restores: the attacker's
    /// files end up in what is published, signed with the release's identity.
    ///
    /// ## Example
    /// ```yaml
    /// on:
    ///   push:
    ///     tags: ["v*"]
    /// jobs:
    ///   publish:
    ///     steps:
    ///       - uses: actions/setup-node@...
    ///         with:
    ///           cache: npm
    /// ```
    ///
    /// ## How to fix
    /// Build releases from a clean state: drop the cache in the release workflow (remove
    /// `cache:`; `cache: false` for `setup-go`, `package-manager-cache: false` for `setup-node`), or restore it only with
    /// `actions/cache/restore` in jobs that publish nothing.
    pub static RULE = ("GHA016", "cache-in-release-workflow", Warning);
}

/// What makes the workflow a release's, when it is one.
fn release_trigger(doc: &Document) -> Option<&'static str> {
    if doc.triggered_by("release") {
        return Some("`release`");
    }
    let push = doc.get("on").and_then(|on| on.get("push"));
    push.and_then(|p| p.get("tags")).map(|_| "a push of tags")
}

/// Whether an input is set to something other than off.
fn set(node: Option<&Node>) -> bool {
    node.is_some_and(|n| match n.as_str() {
        Some(s) => !s.trim().is_empty() && !s.eq_ignore_ascii_case("false"),
        None => is_true(n),
    })
}

/// The major version of a `vN[.x.y]` ref (none for a SHA or a branch).
fn major(step: &Step<'_>) -> Option<u32> {
    step.uses()?.reference()?.strip_prefix('v')?.split('.').next()?.parse().ok()
}

/// How a step restores a cache, when it does.
fn restores(step: &Step<'_>) -> Option<&'static str> {
    let with = |k: &str| step.with(k).map(|e| &e.value);
    if step.uses_action("actions/cache/restore")
        || (step.uses_action("actions/cache") && !step.uses_action("actions/cache/save"))
    {
        return Some("restores a cache");
    }
    for action in ["actions/setup-node", "actions/setup-python", "actions/setup-java", "actions/setup-dotnet"] {
        if step.uses_action(action) && set(with("cache")) {
            return Some("restores the package manager's cache (`cache:`)");
        }
    }
    // From v5, setup-node caches the package manager a `package.json` declares unless told
    // not to.
    if step.uses_action("actions/setup-node")
        && major(step).is_none_or(|m| m >= 5)
        && with("package-manager-cache").is_none_or(|c| set(Some(c)))
    {
        return Some("restores the package manager's cache (on by default from v5)");
    }
    if step.uses_action("actions/setup-go")
        && major(step).is_none_or(|m| m >= 4)
        && with("cache").is_none_or(|c| set(Some(c)))
    {
        return Some("restores the Go module cache (on by default from v4)");
    }
    if step.uses_action("ruby/setup-ruby") && set(with("bundler-cache")) {
        return Some("restores the bundler cache (`bundler-cache: true`)");
    }
    if step.uses_action("astral-sh/setup-uv") && set(with("enable-cache")) {
        return Some("restores the uv cache (`enable-cache: true`)");
    }
    None
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let Some(trigger) = release_trigger(doc) else { return };
    for step in doc.steps() {
        let (Some(uses), Some(how)) = (step.uses(), restores(&step)) else { continue };
        let message = format!(
            "`{}` {how} in a workflow that publishes a release ({trigger}): a poisoned cache entry ends up in the release",
            uses.action()
        );
        out.push(
            doc.at(&RULE, uses.node.span, message)
                .help("build releases without a cache: remove `cache:` (`cache: false` for setup-go)"),
        );
    }
}
