use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::terraform::hcl;
use crate::lint::terraform::{Document, Resource, resources};

declare_rule! {
    /// ## What it does
    /// Reports a permission given to an EKS node role beyond what a node itself needs: an
    /// `aws_iam_role_policy_attachment` of a policy other than the node's own managed
    /// policies (`AmazonEKSWorkerNodePolicy`, `AmazonEKSWorkerNodeMinimalPolicy`,
    /// `AmazonEKS_CNI_Policy`, `AmazonEC2ContainerRegistryReadOnly`,
    /// `AmazonEC2ContainerRegistryPullOnly`, `AmazonSSMManagedInstanceCore`), or an inline
    /// `aws_iam_role_policy`. A node role is a role the module's `aws_eks_node_group`s
    /// (`node_role_arn`) or an `aws_eks_cluster`'s Auto Mode (`compute_config`) name.
    ///
    /// No checkov or trivy counterpart: they judge a policy, not whose it is.
    ///
    /// ## Why it matters
    /// Every pod on a node can read the node's credentials from the instance metadata
    /// service (unless its hop limit is 1, and even then through the node's own processes): a
    /// permission on the node role is a permission of every workload on the cluster. The
    /// classic case is the EBS CSI driver's `AmazonEBSCSIDriverPolicy` on the node role,
    /// which lets any pod create, attach and delete volumes. A workload's permissions belong
    /// to its service account, through EKS Pod Identity (`aws_eks_pod_identity_association`)
    /// or IRSA.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_iam_role_policy_attachment" "ebs" {
    ///   role       = aws_iam_role.node.name
    ///   policy_arn = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Give the policy to a role of the workload's own, associated with its service account
    /// (`aws_eks_pod_identity_association` for the EBS CSI driver's `ebs-csi-controller-sa`).
    pub static RULE = ("TF033", "eks-node-role-workload-permissions", Warning);
}

/// The managed policies a node itself needs.
const NODE_POLICIES: &[&str] = &[
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKSWorkerNodeMinimalPolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryReadOnly",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
];

/// The addresses (`aws_iam_role.node`) of the module's node roles.
fn node_roles(docs: &[Document]) -> Vec<String> {
    let mut roles = Vec::new();
    let mut add = |expr: &hcl_edit::expr::Expression| {
        for r in hcl::references(expr).into_iter().filter(|r| r.starts_with("aws_iam_role.")) {
            let address: String = r.split('.').take(2).collect::<Vec<_>>().join(".");
            if !roles.contains(&address) {
                roles.push(address);
            }
        }
    };
    for group in resources(docs, "aws_eks_node_group") {
        if let Some(v) = hcl::value(group.body(), "node_role_arn") {
            add(v);
        }
    }
    for cluster in resources(docs, "aws_eks_cluster") {
        for config in hcl::blocks(cluster.body(), "compute_config") {
            if let Some(v) = hcl::value(&config.body, "node_role_arn") {
                add(v);
            }
        }
    }
    roles
}

/// The node role `r`'s `role` argument names, when it names one.
fn role_of<'a>(r: &Resource<'_>, roles: &'a [String]) -> Option<&'a String> {
    let refs = hcl::value(r.body(), "role").map(hcl::references).unwrap_or_default();
    roles.iter().find(|role| refs.iter().any(|x| x.starts_with(&format!("{role}."))))
}

/// The strings of a resource's `for_each` (a list, `toset([...])` or a map's values), read
/// through the module's values; `None` when any is not written literally.
fn for_each_strings(r: &Resource<'_>) -> Option<Vec<String>> {
    use hcl_edit::expr::Expression;
    let (expr, _) = r.doc.values.resolve(hcl::value(r.body(), "for_each")?)?;
    let expr = match expr {
        Expression::FuncCall(f) if f.name.name.as_str() == "toset" => f.args.iter().next()?,
        other => other,
    };
    match expr {
        Expression::Array(items) => items.iter().map(hcl::string).collect(),
        Expression::Object(map) => map.iter().map(|(_, v)| hcl::string(v.expr())).collect(),
        _ => None,
    }
}

pub fn check(docs: &[Document], out: &mut Diagnostics) {
    let roles = node_roles(docs);
    if roles.is_empty() {
        return;
    }
    let help = "give the permission to the workload's own role, through EKS Pod Identity or IRSA";
    for a in resources(docs, "aws_iam_role_policy_attachment") {
        let Some(role) = role_of(&a, &roles) else { continue };
        let policy = a.string("policy_arn");
        let managed = policy.as_deref().and_then(|p| p.strip_prefix("arn:aws:iam::aws:policy/"));
        if managed.is_some_and(|m| NODE_POLICIES.contains(&m.rsplit('/').next().unwrap_or(m))) {
            continue;
        }
        // An ARN built from a partition (`arn:${data.aws_partition.current.partition}:iam::aws:policy/...`).
        let written = hcl::value(a.body(), "policy_arn").and_then(hcl::pieces).unwrap_or_default();
        let last = written.iter().rev().find_map(|p| match p {
            hcl::Piece::Text(t) => Some(t.as_str()),
            hcl::Piece::Unknown => None,
        });
        if policy.is_none() && last.is_some_and(|t| NODE_POLICIES.iter().any(|n| t.ends_with(&format!("/{n}")))) {
            continue;
        }
        // `for_each` over the policies' names or ARNs: each element is judged.
        let mut what = managed.map_or_else(|| "a policy".to_string(), |m| format!("`{m}`"));
        if hcl::value(a.body(), "policy_arn").is_some_and(|v| hcl::refers_to(v, &["each."])) {
            let Some(elements) = for_each_strings(&a) else { continue };
            let others: Vec<String> = elements
                .iter()
                .filter(|e| !NODE_POLICIES.contains(&e.rsplit('/').next().unwrap_or(e)))
                .map(|e| format!("`{e}`"))
                .collect();
            if others.is_empty() {
                continue;
            }
            what = others.join(", ");
        }
        let message = format!("{} gives {what} to the node role {role}: every pod on its nodes gets it", a.address());
        out.push(a.at_attr(&RULE, "policy_arn", message).help(help));
    }
    for p in resources(docs, "aws_iam_role_policy") {
        let Some(role) = role_of(&p, &roles) else { continue };
        let message =
            format!("{} gives an inline policy to the node role {role}: every pod on its nodes gets it", p.address());
        out.push(p.at(&RULE, p.header(), message).help(help));
    }
}
