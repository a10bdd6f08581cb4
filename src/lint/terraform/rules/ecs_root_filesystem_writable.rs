use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::iam::Node;
use crate::lint::terraform::{Document, ecs, resources};

declare_rule! {
    /// ## What it does
    /// Reports a container of an `aws_ecs_task_definition` whose root filesystem is writable:
    /// no `"readonlyRootFilesystem": true` in its container definitions (read in
    /// `jsonencode(...)` or a JSON string; a value gen cannot read is not judged).
    ///
    /// checkov: CKV_AWS_336.
    ///
    /// ## Why it matters
    /// A writable root lets a compromised process change the image's own files (its code, its
    /// libraries) for as long as the task runs. A service writes to the folders it names, each
    /// an empty volume of the task's, and nothing else.
    ///
    /// ## Example
    /// ```hcl
    /// container_definitions = jsonencode([{ name = "api", image = "..." }])
    /// ```
    ///
    /// ## How to fix
    /// `readonlyRootFilesystem = true`, with a volume of the task's mounted over each folder
    /// the process writes (`mountPoints`).
    pub static RULE = ("TF035", "ecs-root-filesystem-writable", Warning);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for r in resources(docs, "aws_ecs_task_definition") {
        for c in ecs::containers(&r).unwrap_or_default() {
            if matches!(c.get("readonlyRootFilesystem"), None | Some(Node::Bool(false))) {
                let message = format!("container `{}` of {} may write its root filesystem", c.name(), r.address());
                out.push(
                    r.at(&RULE, c.span, message)
                        .help("add `readonlyRootFilesystem = true`, and a volume over each folder it writes"),
                );
            }
        }
    }
}
