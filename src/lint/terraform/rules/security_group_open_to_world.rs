use hcl_edit::expr::{Expression, Object, ObjectKey};
use hcl_edit::structure::Body;

use crate::declare_rule;
use crate::diag::{Diagnostics, Span};
use crate::lint::terraform::values::Values;
use crate::lint::terraform::{Document, Resource, hcl};

declare_rule! {
    /// ## What it does
    /// Reports an AWS security group rule that admits every address (`0.0.0.0/0` or `::/0`)
    /// on anything but one of the ports 80 and 443: an `ingress` block of an
    /// `aws_security_group`, an `aws_security_group_rule` of `type = "ingress"`, or an
    /// `aws_vpc_security_group_ingress_rule`. Every protocol (`-1`), a port range (`0`-`65535`,
    /// `80`-`443`), SSH, RDP, a database's port and ICMP all fire, except the ICMP messages path
    /// MTU discovery needs (type 3 code 4; ICMPv6 type 2). Values are read written or
    /// through a variable or local; a port or address gen cannot read is not judged.
    ///
    /// checkov: CKV_AWS_24 (port 22), CKV_AWS_25 (3389) and CKV_AWS_277 (every port), each a
    /// part of this rule. Deliberately stricter: checkov has no check for other ports (5432,
    /// 9200...) open to the world. Looser: a rule with no source at all, which admits nothing,
    /// does not fire (checkov reports it).
    ///
    /// ## Why it matters
    /// What the internet reaches is the load balancer's HTTP and HTTPS listeners; every other
    /// port open to the world is a node's, a database's or an admin's door, found by scanners
    /// within minutes.
    ///
    /// ## Example
    /// ```hcl
    /// resource "aws_vpc_security_group_ingress_rule" "ssh" {
    ///   security_group_id = aws_security_group.nodes.id
    ///   cidr_ipv4         = "0.0.0.0/0"
    ///   from_port         = 22
    ///   to_port           = 22
    ///   ip_protocol       = "tcp"
    /// }
    /// ```
    ///
    /// ## How to fix
    /// Admit the load balancer's security group (`referenced_security_group_id`) or the
    /// addresses that need the port, and reach nodes through SSM Session Manager.
    pub static RULE = ("TF032", "security-group-open-to-world", Error);
}

/// Whether an address range is every address: any address with a prefix of 0 bits
/// (`0.0.0.0/0`, `::/0`, `::0/0`).
fn everyone(cidr: &str) -> bool {
    cidr.trim().ends_with("/0")
}

/// The arguments of an ingress rule: a block's body, or an object of the `ingress = [...]`
/// attribute form.
#[derive(Clone, Copy)]
enum Rule<'a> {
    Block(&'a Body),
    Object(&'a Object),
}

impl<'a> Rule<'a> {
    fn get(self, key: &str) -> Option<&'a Expression> {
        match self {
            Rule::Block(body) => hcl::value(body, key),
            Rule::Object(object) => object.iter().find_map(|(k, v)| {
                let named = match k {
                    ObjectKey::Ident(i) => i.as_str() == key,
                    ObjectKey::Expression(e) => hcl::string(e).is_some_and(|s| s == key),
                };
                named.then(|| v.expr())
            }),
        }
    }
}

/// A number written as a number or a string, read through the module's values.
fn number(rule: Rule<'_>, key: &str, values: &Values) -> Option<i64> {
    let (e, _) = values.resolve(rule.get(key)?)?;
    match e {
        hcl_edit::expr::Expression::Number(n) => n.value().as_i64(),
        hcl_edit::expr::Expression::UnaryOp(u) if matches!(u.operator.value(), hcl_edit::expr::UnaryOperator::Neg) => {
            hcl::whole_number(&u.expr).map(|n| -(n as i64))
        }
        other => hcl::string(other)?.parse().ok(),
    }
}

/// The strings of an attribute that is one string or a list of them.
fn strings(rule: Rule<'_>, key: &str, values: &Values) -> Vec<String> {
    let Some((e, _)) = rule.get(key).and_then(|v| values.resolve(v)) else { return Vec::new() };
    match e {
        hcl_edit::expr::Expression::Array(items) => items.iter().filter_map(hcl::string).collect(),
        other => hcl::string(other).into_iter().collect(),
    }
}

/// What a rule admits from every address, when it does more than one of ports 80 and 443.
fn judge(rule: Rule<'_>, values: &Values, protocol_key: &str, cidr_keys: &[&str]) -> Option<String> {
    let open = cidr_keys.iter().flat_map(|k| strings(rule, k, values)).find(|c| everyone(c))?;
    let protocol = rule
        .get(protocol_key)
        .and_then(|v| values.resolve(v))
        .and_then(|(e, _)| hcl::string(e).or_else(|| hcl::whole_number(e).map(|n| n.to_string())))
        .unwrap_or_else(|| "-1".into());
    let every = || Some(format!("admits every address ({open}) on every port"));
    if matches!(protocol.to_ascii_lowercase().as_str(), "-1" | "all") {
        return every();
    }
    let (from, to) = (number(rule, "from_port", values), number(rule, "to_port", values));
    let (from, to) = match (from, to) {
        (Some(f), Some(t)) => (f, t),
        // `ip_protocol = "icmp"` may leave the ports out.
        (None, None)
            if protocol_key == "ip_protocol" && rule.get("from_port").is_none() && rule.get("to_port").is_none() =>
        {
            (-1, -1)
        }
        _ => return None,
    };
    if from == to && (from == 80 || from == 443) {
        return None;
    }
    // For ICMP the ports are a message type and code. Path MTU discovery needs "fragmentation
    // needed" (type 3) and "packet too big" (ICMPv6 type 2) from everywhere.
    match protocol.to_ascii_lowercase().as_str() {
        "icmp" | "1" if from == 3 && matches!(to, -1 | 4) => return None,
        "icmpv6" | "58" if from == 2 => return None,
        "icmp" | "1" | "icmpv6" | "58" => return Some(format!("admits every address ({open}) to ICMP")),
        _ => {}
    }
    if from <= 0 && to >= 65535 || from == 0 && to == 0 {
        return every();
    }
    let ports = if from == to { format!("port {from}") } else { format!("ports {from}-{to}") };
    Some(format!("admits every address ({open}) on {ports}"))
}

fn report(r: &Resource<'_>, at: Span, problem: String, out: &mut Diagnostics) {
    let message = format!("{} {problem}", r.address());
    out.push(r.at(&RULE, at, message).help(
        "admit the load balancer's security group or the addresses that need the port; only 80 and 443 face the internet",
    ));
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let values = &doc.values;
    for r in doc.resources("aws_security_group") {
        for block in hcl::blocks(r.body(), "ingress") {
            if let Some(problem) =
                judge(Rule::Block(&block.body), values, "protocol", &["cidr_blocks", "ipv6_cidr_blocks"])
            {
                report(&r, hcl::header(block), problem, out);
            }
        }
        // The attribute form: `ingress = [{ from_port = 0, ... }]`.
        if let Some(Expression::Array(rules)) = hcl::value(r.body(), "ingress") {
            use hcl_edit::Span as _;
            for rule in rules.iter() {
                let Expression::Object(object) = rule else { continue };
                if let Some(problem) =
                    judge(Rule::Object(object), values, "protocol", &["cidr_blocks", "ipv6_cidr_blocks"])
                {
                    report(&r, hcl::span(rule.span()), problem, out);
                }
            }
        }
    }
    for r in doc.resources("aws_security_group_rule") {
        if r.string("type").as_deref() != Some("ingress") {
            continue;
        }
        if let Some(problem) = judge(Rule::Block(r.body()), values, "protocol", &["cidr_blocks", "ipv6_cidr_blocks"]) {
            report(&r, r.header(), problem, out);
        }
    }
    for r in doc.resources("aws_vpc_security_group_ingress_rule") {
        if let Some(problem) = judge(Rule::Block(r.body()), values, "ip_protocol", &["cidr_ipv4", "cidr_ipv6"]) {
            report(&r, r.header(), problem, out);
        }
    }
}
