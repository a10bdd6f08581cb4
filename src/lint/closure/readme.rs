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
//!   `terraform apply` holds on the cluster), and AWS's `Secrets Manager secret`, `SSM
//!   parameter`, `CloudWatch log group`, `IAM role`;
//! - further spans after the first, separated only by commas, `and`, `or`, keep its kind:
//!   ``GitHub variables `AZURE_TENANT_ID`, `AZURE_SUBSCRIPTION_ID` and `AZURE_CLIENT_ID` ``.
//!
//! What else the line says (how to provide it, the command that checks it) is for the reader.
//!
//! People write the same instruction in other forms, and a reviewer reads each as one: a
//! section under another heading of the same sense ("Before you begin", "Requirements",
//! "Setup", "Installation"), a kind in lower case or with words between it and the name
//! (``create the API keys secret, named `api-keys` ``), a table row (`| Secret | `x` |`). And
//! anywhere in the README:
//!
//! - a command the reader is told to run ([`super::commands`]: `kubectl create secret generic
//!   x`, `helm install` of a known chart, `flux bootstrap`...) declares what it creates, and a
//!   script it runs is read the same way ([`Readme::scripts`], read by the caller);
//! - software it names (`using the ECK operator`, `install the Argo Rollouts controller`)
//!   declares what that software installs ([`super::software`]);
//! - a cluster it names (GKE, AKS...) declares what such clusters are created with.
//!
//! A README that only links to documentation elsewhere declares nothing it does not name.

use super::commands::{self, Provided};
use super::software;
use super::{CRD, GITHUB_ENVIRONMENT, GITHUB_SECRET, GITHUB_VARIABLE};

/// One object a README declares the user provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prerequisite {
    /// The kind as written (`Secret`, `Secrets`, `GitHub variable`, `CustomResourceDefinition`).
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
    /// The environment whose cluster it is on, when its line says (``on the cluster of `dev` ``):
    /// it declares the object there alone.
    pub cluster: Option<String>,
}

/// Any name of the kind: what a command declares when gen cannot tell its name.
pub const ANY: &str = "*";

impl Prerequisite {
    /// Whether it declares the object of `kind` named `name` (in `namespace`, when both say one).
    /// A declared name `*` is any name; a CRD declared `*.<group>` is every CRD of the group.
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
        let name_matches = self.name == name
            || self.name == ANY
            || (kind == CRD && self.name.strip_prefix('*').is_some_and(|group| name.ends_with(group)));
        kind_matches && namespace_matches && name_matches
    }
}

/// The kinds written in lower case, or as words, in prose: ``the `x` secret``.
fn kind_word(words: &[&str]) -> Option<&'static str> {
    let lower: Vec<String> = words.iter().map(|w| w.to_ascii_lowercase()).collect();
    let last = lower.last()?.trim_end_matches('s');
    let two = lower.len().checked_sub(2).map(|i| format!("{} {}", lower[i], lower[i + 1]));
    let two = two.as_deref().map(|t| t.trim_end_matches('s'));
    match (two, last) {
        (Some("service account"), _) | (_, "serviceaccount") => Some("ServiceAccount"),
        (Some("config map"), _) | (_, "configmap") => Some("ConfigMap"),
        (Some("ingress clas"), _) | (_, "ingressclas") => Some("IngressClass"),
        (Some("storage clas"), _) | (_, "storageclas") => Some("StorageClass"),
        (Some("priority clas"), _) | (_, "priorityclas") => Some("PriorityClass"),
        (_, "secret") => Some("Secret"),
        (_, "namespace") => Some("Namespace"),
        _ => None,
    }
}

/// Words prose puts between a kind and its name: ``a secret, named `x` ``.
fn filler(word: &str) -> bool {
    matches!(word.to_ascii_lowercase().as_str(), "named" | "called" | "is" | "are" | "the" | "a" | "an" | "as" | "name")
}

/// The kind words before a code span name, if they name one.
fn kind_of(before: &str) -> Option<String> {
    let mut words: Vec<&str> = before
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| "*_:,;()[]-–—>|".contains(c)))
        .filter(|w| !w.is_empty())
        .collect();
    while words.last().is_some_and(|w| filler(w)) {
        words.pop();
    }
    let last = *words.last()?;
    if let [.., first, second] = words.as_slice() {
        let singular = second.to_ascii_lowercase();
        let singular = singular.strip_suffix('s').unwrap_or(&singular);
        let two = match (first.to_ascii_lowercase().as_str(), singular) {
            ("github", "secret") => Some(GITHUB_SECRET),
            ("github", "variable") => Some(GITHUB_VARIABLE),
            ("github", "environment") => Some(GITHUB_ENVIRONMENT),
            ("manager", "secret") => Some(super::aws::SECRET),
            ("ssm", "parameter") => Some(super::aws::PARAMETER),
            ("log", "group") => Some(super::aws::LOG_GROUP),
            ("iam", "role") => Some(super::aws::ROLE),
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
    if pascal && last.chars().skip(1).any(|c| c.is_ascii_lowercase()) {
        return Some(last.to_string());
    }
    kind_word(&words).map(str::to_string)
}

/// Whether a heading's words are those of a section that tells the reader what to provide.
fn instructs(heading: &str) -> bool {
    let words: Vec<&str> = heading.split(|c: char| !c.is_ascii_alphabetic()).filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    has("prerequisites")
        || has("prerequisite")
        || has("requirements")
        || has("setup")
        || (has("set") && has("up"))
        || has("installation")
        || (has("before") && (has("begin") || has("start")))
        || (has("getting") && has("started"))
}

/// What a README declares, and the scripts it tells its reader to run (paths as written,
/// relative to its folder), whose commands declare too.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Readme {
    pub prerequisites: Vec<Prerequisite>,
    pub scripts: Vec<String>,
    /// What the clusters it names are created with: what a deployment whose platform gen does
    /// not know may rely on (gen's own platforms say what theirs have).
    pub cluster: Vec<Prerequisite>,
}

/// Reads a README: its Prerequisites sections, the commands of its code, and the software and
/// clusters it names.
pub fn read(text: &str) -> Readme {
    let mut readme = Readme { prerequisites: prerequisites(text), scripts: Vec::new(), cluster: Vec::new() };
    let mut code = String::new();
    let mut prose = String::new();
    for (line, fenced) in markdown_lines(text) {
        if fenced {
            code.push_str(line);
            code.push('\n');
            continue;
        }
        prose.push_str(line);
        prose.push('\n');
        // Inline code spans are commands too (`kubectl create namespace x`), on the cluster
        // their line names when it names one.
        let cluster = cluster_of(line);
        let mut spans = String::new();
        for (i, span) in line.split('`').enumerate() {
            if i % 2 == 1 {
                spans.push_str(span);
                spans.push('\n');
            }
        }
        match cluster {
            Some(_) => provide(&mut readme, commands::read(&spans), cluster),
            None => code.push_str(&spans),
        }
    }
    let into = &mut readme;
    provide(into, commands::read(&code), None);
    for s in software::named_in(&prose) {
        declare_software(into, s);
    }
    let lower = prose.to_ascii_lowercase();
    for cluster in software::CLUSTERS.iter().filter(|c| c.names.iter().any(|n| software::has_words(&lower, n))) {
        let object = |kind: &str, name: &str| Prerequisite {
            kind: kind.into(),
            namespace: None,
            name: name.into(),
            cluster: None,
        };
        into.cluster.extend(cluster.storage_classes.iter().map(|n| object("StorageClass", n)));
        into.cluster.extend(cluster.ingress_classes.iter().map(|n| object("IngressClass", n)));
        into.cluster.extend(cluster.groups.iter().map(|g| object(CRD, &format!("*.{g}"))));
    }
    readme
}

/// Declares what a script's commands provide.
pub fn script(text: &str) -> Readme {
    let mut readme = Readme::default();
    provide(&mut readme, commands::read(text), None);
    readme
}

/// What commands provide, on the cluster of environment `cluster` alone when it is named.
fn provide(into: &mut Readme, provided: Vec<Provided>, cluster: Option<String>) {
    for p in provided {
        let cluster = cluster.clone();
        match p {
            Provided::Object { kind, namespace, name } => into.prerequisites.push(Prerequisite {
                kind,
                namespace,
                name: name.unwrap_or_else(|| ANY.into()),
                cluster,
            }),
            Provided::Group(group) => into.prerequisites.push(Prerequisite {
                kind: CRD.into(),
                namespace: None,
                name: format!("*.{group}"),
                cluster,
            }),
            Provided::Script(path) => into.scripts.push(path),
        }
    }
}

fn declare_software(into: &mut Readme, s: &software::Software) {
    let object =
        |kind: &str, name: &str| Prerequisite { kind: kind.into(), namespace: None, name: name.into(), cluster: None };
    into.prerequisites.extend(s.groups.iter().map(|g| object(CRD, &format!("*.{g}"))));
    into.prerequisites.extend(s.namespaces.iter().map(|n| object("Namespace", n)));
    into.prerequisites.extend(s.ingress_class.iter().map(|c| object("IngressClass", c)));
    into.prerequisites.extend(s.gateway_class.iter().map(|c| object("GatewayClass", c)));
}

/// Whether the text between two code spans only joins them (`, `, ` and `, ` or `).
fn only_joins(between: &str) -> bool {
    between.split(|c: char| c.is_whitespace() || c == ',' || c == '/').all(|w| matches!(w, "" | "and" | "or"))
}

/// A Markdown text's lines, each with whether it is inside a fenced code block (the fences
/// themselves are left out).
fn markdown_lines(text: &str) -> impl Iterator<Item = (&str, bool)> {
    let mut fence: Option<&str> = None;
    text.lines().filter_map(move |line| {
        let trimmed = line.trim_start();
        if let Some(f) = fence {
            if trimmed.starts_with(f) {
                fence = None;
                return None;
            }
            return Some((line, true));
        }
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            fence = Some(&trimmed[..3]);
            return None;
        }
        Some((line, false))
    })
}

/// The prerequisites a README's Prerequisites sections declare.
pub fn prerequisites(text: &str) -> Vec<Prerequisite> {
    let mut out = Vec::new();
    // The level of the Prerequisites heading whose section we are in.
    let mut section: Option<usize> = None;
    for (line, fenced) in markdown_lines(text) {
        if fenced {
            continue;
        }
        let trimmed = line.trim_start();
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        if (1..=6).contains(&level) && trimmed[level..].starts_with([' ', '\t']) {
            let heading = trimmed[level..].to_ascii_lowercase();
            if section.is_some_and(|l| level <= l) {
                section = None;
            }
            if section.is_none() && instructs(&heading) {
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
    let first = out.len();
    let cluster = cluster_of(line);
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
            out.push(Prerequisite { kind: k.clone(), namespace, name, cluster: None });
        }
        rest = &after[close + ticks..];
    }
    for p in &mut out[first..] {
        p.cluster.clone_from(&cluster);
    }
}

/// The environment a line scopes what it declares to: ``on the cluster of `dev` ``.
fn cluster_of(line: &str) -> Option<String> {
    const CLUSTER_OF: &str = "on the cluster of ";
    let at = line.find(CLUSTER_OF)?;
    let after = line[at + CLUSTER_OF.len()..].strip_prefix('`')?;
    after.find('`').map(|end| after[..end].trim().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(kind: &str, namespace: Option<&str>, name: &str) -> Prerequisite {
        Prerequisite { kind: kind.into(), namespace: namespace.map(Into::into), name: name.into(), cluster: None }
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
    fn a_line_on_the_cluster_of_an_environment_declares_its_objects_there_alone() {
        let text = "## Prerequisites\n\n\
                    - Secret `shop/api-env` on the cluster of `dev`, holding `API_KEY`: make it\n\
                    - Secret `shop/db` and ConfigMap `shop/flags`\n";
        let on = |p: Prerequisite, cluster: Option<&str>| Prerequisite { cluster: cluster.map(Into::into), ..p };
        assert_eq!(
            prerequisites(text),
            [
                on(p("Secret", Some("shop"), "api-env"), Some("dev")),
                p("Secret", Some("shop"), "db"),
                p("ConfigMap", Some("shop"), "flags"),
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
