use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::iam::Node;
use crate::lint::terraform::{Document, ecs, resources};

declare_rule! {
    /// ## What it does
    /// Reports a container of an `aws_ecs_task_definition` that runs privileged
    /// (`"privileged": true` in its container definitions, read in `jsonencode(...)` or a JSON
    /// string).
    ///
    /// checkov: CKV_AWS_334, which reads the key `privilege` (the ECS API's is `privileged`):
    /// it reports what its own test writes, not a privileged container of the API's key.
    ///
    /// ## Why it matters
    /// A privileged container holds every capability of the host and its devices: a flaw in
    /// the service is the host's. Fargate refuses it at registration; on EC2 it runs.
    ///
    /// ## Example
    /// ```hcl
    /// container_definitions = jsonencode([{ name = "api", image = "...", privileged = true }])
    /// ```
    ///
    /// ## How to fix
    /// Remove `privileged`; give the container the one capability it needs, if any
    /// (`linuxParameters.capabilities.add`).
    pub static RULE = ("TF034", "ecs-container-privileged", Error);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for r in resources(docs, "aws_ecs_task_definition") {
        for c in ecs::containers(&r).unwrap_or_default() {
            if matches!(c.get("privileged"), Some(Node::Bool(true))) {
                let message = format!("container `{}` of {} runs privileged", c.name(), r.address());
                out.push(r.at(&RULE, c.span, message).help("remove `privileged = true`"));
            }
        }
    }
}
