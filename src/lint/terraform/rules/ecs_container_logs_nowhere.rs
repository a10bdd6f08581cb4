use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::{Document, ecs, resources};

declare_rule! {
    /// ## What it does
    /// Reports a container of an `aws_ecs_task_definition` with no `logConfiguration` (read in
    /// `jsonencode(...)` or a JSON string; a value gen cannot read is not judged).
    ///
    /// checkov: none (CKV_AWS_223 is the ECS cluster's execute-command logging, not the
    /// containers' output).
    ///
    /// ## Why it matters
    /// On Fargate a container's output goes nowhere without a log driver: no `docker logs`, no
    /// node to read it from. A task that fails at start, or a request that fails, leaves no
    /// line to find why, and the deploy's "the tasks' logs" point at nothing.
    ///
    /// ## Example
    /// ```hcl
    /// container_definitions = jsonencode([{ name = "api", image = "..." }])
    /// ```
    ///
    /// ## How to fix
    /// The `awslogs` driver to a log group of the service's, with a retention:
    /// `logConfiguration = { logDriver = "awslogs", options = { awslogs-group = aws_cloudwatch_log_group.api.name, awslogs-region = "eu-west-1", awslogs-stream-prefix = "api" } }`.
    pub static RULE = ("TF041", "ecs-container-logs-nowhere", Warning);
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    for r in resources(docs, "aws_ecs_task_definition") {
        for c in ecs::containers(&r).unwrap_or_default() {
            if c.get("logConfiguration").is_none() {
                let message = format!(
                    "container `{}` of {} writes its logs nowhere (no `logConfiguration`)",
                    c.name(),
                    r.address()
                );
                out.push(r.at(&RULE, c.span, message).help(
                    "add `logConfiguration` with the `awslogs` driver, to a log group of the service's with a retention",
                ));
            }
        }
    }
}
