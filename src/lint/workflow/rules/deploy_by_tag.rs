use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::workflow::{Document, Step, is_true};
use crate::text::shell::Command;

declare_rule! {
    /// ## What it does
    /// Reports, in a workflow that pushes an image (`docker/build-push-action` with `push:
    /// true` or a registry output, `docker push`, `docker buildx build --push`), a step that
    /// deploys an image by its tag: `helm upgrade`/`install` setting an `image.tag` (or `tag`)
    /// value with no `digest` value beside it, `kubectl set image` with an image without
    /// `@sha256:`, or `azure/k8s-deploy` and `aws-actions/amazon-ecs-render-task-definition`
    /// given an image without a digest.
    ///
    /// checkov: `CKV_K8S_43` asks the same of the manifests (image by digest).
    ///
    /// ## Why it matters
    /// A tag is a name anyone with push rights can move: between the push and the pod start,
    /// the tag may name another image than the one the run built and scanned, nodes that pulled
    /// it earlier keep the old one (`IfNotPresent`), and a signature check of the tag proves
    /// nothing about what runs. The build's digest names exactly one image.
    ///
    /// ## Example
    /// ```yaml
    /// - uses: docker/build-push-action@...
    ///   with: {push: true, tags: "acr.azurecr.io/shop:${{ github.sha }}"}
    /// - run: helm upgrade --install shop ./chart --set image.tag="$GITHUB_SHA"
    /// ```
    ///
    /// ## How to fix
    /// Deploy the digest the build step outputs (`steps.<id>.outputs.digest`):
    /// `--set image.digest=$DIGEST` in a chart that writes `repository@digest`, or
    /// `kubectl set image deploy/shop shop=repo@$DIGEST`.
    pub static RULE = ("GHA024", "deploy-by-tag", Warning);
}

/// Whether a `docker/build-push-action` step pushes to a registry (`push: true`, or an output
/// that does).
pub(super) fn action_pushes(step: &Step<'_>) -> bool {
    step.uses_action("docker/build-push-action")
        && (step.with("push").is_some_and(|e| is_true(&e.value))
            || step
                .with("outputs")
                .and_then(|e| e.value.as_str())
                .is_some_and(|o| o.contains("push=true") || o.contains("type=registry")))
}

/// Whether a step pushes an image to a registry.
fn pushes(step: &Step<'_>) -> bool {
    let by_action = action_pushes(step);
    let by_script = step.run().is_some_and(|run| {
        run.commands().iter().any(|c| {
            let sub = c.args().first().map_or("", String::as_str);
            (matches!(c.name(), "docker" | "podman") && sub == "push")
                || (c.name() == "docker" && sub == "buildx" && c.has("--push"))
        })
    });
    by_action || by_script
}

/// The `--set` values of a Helm command, as `key=value`.
fn helm_values(cmd: &Command) -> Vec<&str> {
    let args = cmd.args();
    let mut values = Vec::new();
    for (i, arg) in args.iter().enumerate() {
        for flag in ["--set", "--set-string"] {
            if arg == flag {
                values.extend(args.get(i + 1).map(String::as_str));
            } else if let Some(v) = arg.strip_prefix(flag).and_then(|r| r.strip_prefix('=')) {
                values.push(v);
            }
        }
    }
    values.into_iter().flat_map(|v| v.split(',')).collect()
}

/// How a command deploys by tag, if it does.
fn by_tag(cmd: &Command) -> Option<String> {
    let sub = cmd.args().first().map_or("", String::as_str);
    match cmd.name() {
        "helm" if matches!(sub, "upgrade" | "install") => {
            let values = helm_values(cmd);
            let key = |v: &&str| v.split_once('=').map_or(*v, |(k, _)| k).to_string();
            let tag = values.iter().map(key).find(|k| k == "tag" || k.ends_with(".tag"))?;
            let digest = values.iter().map(key).any(|k| k.contains("digest"));
            (!digest).then(|| format!("`helm {sub}` sets `{tag}` and no digest"))
        }
        "kubectl" if sub == "set" && cmd.args().get(1).is_some_and(|a| a == "image") => {
            let images = cmd.args().iter().skip(2).filter(|a| !a.starts_with('-')).filter_map(|a| a.split_once('='));
            let tagged = images.map(|(_, image)| image).find(|image| !image.contains('@'))?;
            Some(format!("`kubectl set image` sets `{tagged}`, not a digest"))
        }
        _ => None,
    }
}

/// Images deploy actions are given, as written.
const IMAGE_INPUTS: [(&str, &str); 2] =
    [("azure/k8s-deploy", "images"), ("aws-actions/amazon-ecs-render-task-definition", "image")];

fn deploys_by_tag(step: &Step<'_>) -> Option<String> {
    let action = IMAGE_INPUTS.iter().find_map(|(action, input)| {
        let value = step.uses_action(action).then(|| step.with(input)?.value.as_str()).flatten()?;
        let value = without_expressions(value);
        let tagged = value.split_whitespace().find(|image| !image.contains('@'))?;
        Some(format!("`{action}` is given `{tagged}`, not a digest"))
    });
    action.or_else(|| step.run()?.commands().iter().find_map(by_tag))
}

/// `value` with each `${{ ... }}` expression as one word (`${{}}`): the spaces inside one do
/// not split an image (`${{ inputs.image }}@${{ steps.build.outputs.digest }}`).
fn without_expressions(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        out.push_str("${{}}");
        rest = match rest[start..].find("}}") {
            Some(end) => &rest[start + end + 2..],
            None => "",
        };
    }
    out.push_str(rest);
    out
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let steps = doc.steps();
    if !steps.iter().any(pushes) {
        return;
    }
    for step in &steps {
        let Some(why) = deploys_by_tag(step) else { continue };
        let message = format!(
            "this workflow pushes an image, and this step deploys one by tag ({why}): a tag can name another image by then"
        );
        out.push(
            doc.at(&RULE, step.span(), message)
                .help("deploy the digest the build outputs (`steps.<id>.outputs.digest`)"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn an_expression_is_one_word_of_an_image() {
        assert_eq!(super::without_expressions("${{ inputs.image }}@${{ needs.verify.outputs.digest }}"), "${{}}@${{}}");
        assert_eq!(super::without_expressions("repo:${{ github.sha }} other"), "repo:${{}} other");
        assert_eq!(super::without_expressions("repo:${{ unclosed"), "repo:${{}}");
    }
}
