use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::iam::Node;
use crate::lint::terraform::{Document, ecs, hcl, resources};

declare_rule! {
    /// ## What it does
    /// Reports a container of an `aws_ecs_task_definition` that runs as root: its `user` is
    /// `root` or `0` (alone or with a group), or it has no `user`, and so runs as whatever
    /// user its image names (root, unless the Dockerfile says otherwise). Read in
    /// `jsonencode(...)` or a JSON string; a value gen cannot read is not judged.
    ///
    /// checkov: none (it reads no container's user; CKV_AWS_334 and CKV_AWS_336 are the
    /// privilege and the root filesystem, TF034 and TF035).
    ///
    /// ## Why it matters
    /// ECS has no `runAsNonRoot`: the task definition's `user` is the only place a task says
    /// who its process is. Root in the container owns every file of its filesystem, and a flaw
    /// in the service's code or in the runtime then acts as root.
    ///
    /// ## Example
    /// ```hcl
    /// container_definitions = jsonencode([{ name = "api", image = "...", user = "0" }])
    /// ```
    ///
    /// ## How to fix
    /// Name the image's non-root user and group, by number: `user = "10001:10001"` (gen's
    /// Dockerfiles create that user).
    pub static RULE = ("TF040", "ecs-container-runs-as-root", Warning);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for r in resources(docs, "aws_ecs_task_definition") {
        for c in ecs::containers(&r).unwrap_or_default() {
            let user = match c.get("user") {
                None => Some("no `user`: it runs as its image's"),
                Some(Node::Str(pieces)) => match pieces.as_slice() {
                    [hcl::Piece::Text(t)] if matches!(t.split(':').next(), Some("root" | "0")) => Some("`user` root"),
                    _ => None,
                },
                Some(_) => None,
            };
            if let Some(why) = user {
                let message = format!("container `{}` of {} may run as root ({why})", c.name(), r.address());
                out.push(
                    r.at(&RULE, c.span, message)
                        .help("name the image's non-root user and group: `user = \"10001:10001\"`"),
                );
            }
        }
    }
}
