//! Declared prerequisites: what a deployment's README says the user provides.
//!
//! The form, as people already write it and as gen's rendered README writes it:
//!
//! - a Markdown heading (`#` to `######`) whose text holds the word `Prerequisites`, in any
//!   case; its section runs to the next heading of the same or a higher level;
//! - in that section, outside fenced code blocks, each code span preceded on its line by a kind
//!   declares one object: ``Secret `ghcr-pull` ``, ``IngressClass `nginx` ``, ``Secret
//!   `shop/shop-env` `` (namespace `shop`; without one, any namespace). The kind is the word
//!   before the span: a Kubernetes kind as Kubernetes spells it (a plural, `Secrets`, also
//!   reads), `CRD` or `CustomResourceDefinition` with the CRD's name
//!   (`httproutes.gateway.networking.k8s.io`), or the two words `GitHub secret`, `GitHub
//!   variable`, `GitHub environment`, `Azure role` (the role the person or pipeline running
//!   `terraform apply` holds on the cluster);
//! - further spans after the first, separated only by commas, `and`, `or`, keep its kind:
//!   ``GitHub variables `AZURE_TENANT_ID`, `AZURE_SUBSCRIPTION_ID` and `AZURE_CLIENT_ID` ``.
//!
//! What else the line says (how to provide it, the command that checks it) is for the reader.

use super::{CRD, GITHUB_ENVIRONMENT, GITHUB_SECRET, GITHUB_VARIABLE};

/// One object a README declares the user provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prerequisite {
    /// The kind as written (`Secret`, `Secrets`, `GitHub variable`, `CustomResourceDefinition`).
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Prerequisite {
    /// Whether it declares the object of `kind` named `name` (in `namespace`, when both say one).
    pub fn names(&self, kind: &str, namespace: Option<&str>, name: &str) -> bool {
        // Kinds of two words are read into one spelling; a Kubernetes kind may be plural.
        let kind_matches = if kind.contains(' ') {
            self.kind == kind
        } else {
            [kind.to_string(), format!("{kind}s"), format!("{kind}es")].contains(&self.kind)
        };
        let namespace_matches = match (namespace, &self.namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        kind_matches && namespace_matches && self.name == name
    }
}

/// The kind words before a code span name, if they name one.
fn kind_of(before: &str) -> Option<String> {
    let words: Vec<&str> = before
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| "*_:,;()[]-–—>".contains(c)))
        .filter(|w| !w.is_empty())
        .collect();
    let last = *words.last()?;
    if let [.., first, second] = words.as_slice() {
        let singular = second.to_ascii_lowercase();
        let singular = singular.strip_suffix('s').unwrap_or(&singular);
        let two = match (first.to_ascii_lowercase().as_str(), singular) {
            ("github", "secret") => Some(GITHUB_SECRET),
            ("github", "variable") => Some(GITHUB_VARIABLE),
            ("github", "environment") => Some(GITHUB_ENVIRONMENT),
            (platform, "role") => crate::platform::by_name(platform).and_then(|p| p.role_kind()),
            _ => None,
        };
        if let Some(kind) = two {
            return Some(kind.to_string());
        }
    }
    if matches!(last, "CRD" | "CRDs" | "CustomResourceDefinition" | "CustomResourceDefinitions") {
        return Some(CRD.to_string());
    }
    let pascal = last.starts_with(|c: char| c.is_ascii_uppercase()) && last.chars().all(|c| c.is_ascii_alphanumeric());
    pascal.then(|| last.to_string())
}

/// Whether the text between two code spans only joins them (`, `, ` and `, ` or `).
fn only_joins(between: &str) -> bool {
    between.split(|c: char| c.is_whitespace() || c == ',' || c == '/').all(|w| matches!(w, "" | "and" | "or"))
}

/// The prerequisites a README's Prerequisites sections declare.
pub fn prerequisites(text: &str) -> Vec<Prerequisite> {
    let mut out = Vec::new();
    // The level of the Prerequisites heading whose section we are in.
    let mut section: Option<usize> = None;
    let mut fence: Option<&str> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
            }
            continue;
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            continue;
        }
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&level) && trimmed[level..].starts_with([' ', '\t']) {
            let heading = trimmed[level..].to_ascii_lowercase();
            if section.is_some_and(|l| level <= l) {
                section = None;
            }
            if section.is_none() && heading.split(|c: char| !c.is_ascii_alphabetic()).any(|w| w == "prerequisites") {
                section = Some(level);
            }
            continue;
        }
        if section.is_some() {
            declarations(line, &mut out);
        }
    }
    out
}

/// The declarations of one line of a Prerequisites section.
fn declarations(line: &str, out: &mut Vec<Prerequisite>) {
    let mut rest = line;
    let mut kind: Option<String> = None;
    while let Some(open) = rest.find('`') {
        let ticks = rest[open..].chars().take_while(|&c| c == '`').count();
        let after = &rest[open + ticks..];
        let fence = "`".repeat(ticks);
        let Some(close) = after.find(&fence) else { break };
        let before = &rest[..open];
        let name = after[..close].trim();
        kind = match kind_of(before) {
            Some(k) => Some(k),
            None if only_joins(before) => kind,
            None => None,
        };
        if let Some(k) = &kind
            && !name.is_empty()
        {
            let split = !(k == CRD || k.contains(' '));
            let (namespace, name) = match name.split_once('/') {
                Some((ns, n)) if split => (Some(ns.to_string()), n.to_string()),
                _ => (None, name.to_string()),
            };
            out.push(Prerequisite { kind: k.clone(), namespace, name });
        }
        rest = &after[close + ticks..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: &str, namespace: Option<&str>, name: &str) -> Prerequisite {
        Prerequisite { kind: kind.into(), namespace: namespace.map(Into::into), name: name.into() }
    }

    #[test]
    fn a_prerequisites_section_declares_each_named_object_by_kind() {
        let text = "# shop\n\nSecret `not-here` is not in the section.\n\n## Prerequisites\n\n\
                    - Secret `ghcr-pull` (create it with `kubectl create secret`)\n\
                    - **IngressClass** `nginx`: the controller's\n\
                    - Secret `shop/shop-env`\n\
                    - CRD `httproutes.gateway.networking.k8s.io`\n\
                    - GitHub variables `AZURE_TENANT_ID`, `AZURE_SUBSCRIPTION_ID` and `AZURE_CLIENT_ID`\n\
                    - GitHub secret `MAIL_CONNECTION`; GitHub environment `production`\n\
                    - Azure role `Azure Kubernetes Service RBAC Cluster Admin` on the cluster\n\
                    ```sh\nSecret `in-a-fence`\n```\n\
                    ### Checking them\nConfigMap `below-in-a-subsection`\n\
                    ## Deploy\nSecret `after-the-section`\n";
        let found = prerequisites(text);
        assert_eq!(
            found,
            [
                p("Secret", None, "ghcr-pull"),
                p("IngressClass", None, "nginx"),
                p("Secret", Some("shop"), "shop-env"),
                p(CRD, None, "httproutes.gateway.networking.k8s.io"),
                p(GITHUB_VARIABLE, None, "AZURE_TENANT_ID"),
                p(GITHUB_VARIABLE, None, "AZURE_SUBSCRIPTION_ID"),
                p(GITHUB_VARIABLE, None, "AZURE_CLIENT_ID"),
                p(GITHUB_SECRET, None, "MAIL_CONNECTION"),
                p(GITHUB_ENVIRONMENT, None, "production"),
                p(crate::platform::azure::ROLE_KIND, None, "Azure Kubernetes Service RBAC Cluster Admin"),
                p("ConfigMap", None, "below-in-a-subsection"),
            ]
        );
    }

    #[test]
    fn a_declaration_matches_its_kind_plural_and_namespace() {
        assert!(p("Secrets", None, "a").names("Secret", Some("x"), "a"));
        assert!(p("Secret", Some("x"), "a").names("Secret", None, "a"));
        assert!(!p("Secret", Some("x"), "a").names("Secret", Some("y"), "a"));
        assert!(!p("Secret", None, "a").names("ConfigMap", None, "a"));
        assert!(!p("Secret", None, "a").names("Secret", None, "b"));
        assert!(p(GITHUB_VARIABLE, None, "V").names(GITHUB_VARIABLE, None, "V"));
        assert!(!p("Ingresses", None, "a").names("Secret", None, "a"));
    }
}
