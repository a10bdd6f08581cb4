use crate::declare_rule;

declare_rule! {
    /// ## What it does
    /// Reports a name an ECS task definition writes as a literal that nothing in the
    /// deployment creates or declares: an IAM role (`execution_role_arn`, `task_role_arn`), a
    /// Secrets Manager secret or an SSM parameter a container reads (`secrets[].valueFrom`),
    /// the secret of its registry credentials (`repositoryCredentials`), its `awslogs` log
    /// group. Terraform creates them with `aws_iam_role`, `aws_secretsmanager_secret`,
    /// `aws_ssm_parameter` and `aws_cloudwatch_log_group` (or says they exist, with the same
    /// data sources). A name written as a Terraform reference is Terraform's to check.
    ///
    /// ## Why it matters
    /// ECS reads them when a task starts: a secret, a parameter or a log group that does not
    /// exist stops every task with `ResourceInitializationError`, the deployment's circuit
    /// breaker rolls the release back, and the service never runs it.
    ///
    /// ## Example
    /// ```hcl
    /// container_definitions = jsonencode([{
    ///   name    = "api"
    ///   secrets = [{ name = "DATABASE_URL", valueFrom = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shop/db" }]
    /// }])
    /// ```
    ///
    /// ## How to fix
    /// Create it in the deployment's Terraform (and reference it: `aws_secretsmanager_secret.db.arn`),
    /// or, when it is made elsewhere, list it in a README's Prerequisites section with the
    /// command that checks it.
    pub static RULE = ("DEP015", "aws-object-missing", Warning);
}

/// What to do, before the prerequisite form.
pub const HELP: &str = "create it in the deployment's Terraform and reference it (`aws_secretsmanager_secret.x.arn`, \
                        `aws_iam_role.x.arn`, `aws_cloudwatch_log_group.x.name`)";
