use super::deploy_by_tag::action_pushes;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Step};
use crate::text::shell::Command;
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a step that pushes an image without provenance: `docker/build-push-action`
    /// with `provenance: false` and `push: true` (or a registry output), `docker buildx
    /// build --push` with `--provenance=false`, or a script's `docker push` (`docker image
    /// push`), which sends the image in the runner's local store: Docker's own image store
    /// keeps no attestation, so what it pushes has none, however it was built.
    ///
    /// OpenSSF Scorecard and SLSA's build track ask for provenance; no check of zizmor or
    /// checkov reads the build step.
    ///
    /// ## Why it matters
    /// BuildKit attaches SLSA provenance (which repository, commit, workflow and build
    /// arguments made the image) to what it pushes, unless told not to. Without it nothing
    /// ties the image in the registry to the code it came from, and an admission policy or a
    /// reviewer that asks for provenance cannot be satisfied.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: docker/build-push-action@...
    ///   with: {push: true, provenance: false, tags: "acr.azurecr.io/shop:1.2.3"}
    /// ```
    ///
    /// ## How to fix
    /// Remove `provenance: false`, or ask for the full record: `provenance: mode=max` (with
    /// `sbom: true` for an SBOM beside it). A build that only loads the image into the
    /// runner's Docker may keep `provenance: false`: it pushes nothing. Instead of `docker
    /// build` then `docker push`, build and push in one step: `docker buildx build --push`
    /// or `docker/build-push-action` with `push: true`.
    pub static RULE = ("GHA025", "push-without-provenance", Warning);
}

/// Whether a value is literally `false` (a boolean, or the string the action reads as one).
fn is_false(value: Option<&Node>) -> bool {
    value.is_some_and(|v| {
        matches!(v.value, Value::Bool(false)) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
    })
}

/// Why a step pushes without provenance, if it does.
fn without_provenance(step: &Step<'_>) -> Option<&'static str> {
    if step.uses_action("docker/build-push-action") {
        let off = is_false(step.with("provenance").map(|e| &e.value));
        return (action_pushes(step) && off).then_some("`provenance: false`");
    }
    let run = step.run()?;
    run.commands()
        .iter()
        .any(|c| {
            c.name() == "docker"
                && c.has("--push")
                && (c.has("--provenance=false") || c.has("--attest=type=provenance,disabled=true"))
        })
        .then_some("`--provenance=false`")
}

/// Docker's global options that take a value (`docker --config DIR push ...`).
const DOCKER_OPTIONS_WITH_VALUE: [&str; 7] = ["--config", "-c", "--context", "-H", "--host", "-l", "--log-level"];

/// How many words of a `docker` command name a push of the local store (`push`, `image
/// push`), after its global options; `None` for any other command.
fn docker_push(cmd: &Command) -> Option<usize> {
    if cmd.name() != "docker" {
        return None;
    }
    let mut i = 1;
    while let Some(word) = cmd.words.get(i).filter(|w| w.starts_with('-')) {
        let takes_value = DOCKER_OPTIONS_WITH_VALUE.contains(&word.as_str());
        i += if takes_value { 2 } else { 1 };
    }
    match (cmd.words.get(i).map(String::as_str), cmd.words.get(i + 1).map(String::as_str)) {
        (Some("push"), _) => Some(i + 1),
        (Some("image"), Some("push")) => Some(i + 2),
        _ => None,
    }
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for step in doc.steps() {
        if let Some(run) = step.run() {
            for cmd in run.commands().iter() {
                let Some(words) = docker_push(cmd) else { continue };
                let (Some(first), Some(last)) = (cmd.spans.first(), cmd.spans.get(words - 1)) else { continue };
                let shown = cmd.words[..words].join(" ");
                out.push(
                    doc.at(
                        &RULE,
                        run.span(first.start..last.end),
                        format!(
                            "`{shown}` pushes the image in the runner's Docker store, which keeps no provenance: nothing records which code and workflow built it"
                        ),
                    )
                    .help("build and push in one step, which attaches provenance: `docker buildx build --push` or `docker/build-push-action` with `push: true`"),
                );
            }
        }
        let Some(how) = without_provenance(&step) else { continue };
        out.push(
            doc.at(
                &RULE,
                step.span(),
                format!("this step pushes an image with {how}: nothing records which code and workflow built it"),
            )
            .help("remove `provenance: false`, or set `provenance: mode=max` and `sbom: true`"),
        );
    }
}
