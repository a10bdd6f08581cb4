use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a project name, service name or namespace that is not a Kubernetes DNS-1123
    /// label, and a service name that does not start with a letter or is longer than 53
    /// characters.
    ///
    /// ## Why it matters
    /// These names become Deployment, Service and Helm release names, which Kubernetes accepts
    /// only as lowercase letters, digits and `-`, starting and ending with a letter or digit, at
    /// most 63 characters. A bad name fails at `helm install`, long after the spec was written.
    /// A service's name also names its Kubernetes Service, which must start with a letter (a
    /// DNS-1035 label), and its Helm release, which Helm limits to 53 characters.
    /// They also become folders of the output, so names Windows reserves (`con`, `nul`, `aux`,
    /// `com1`...) are refused too: a repository holding them cannot be checked out there.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: Athletes_API
    /// ```
    ///
    /// ## How to fix
    /// Use a name such as `athletes-api`.
    pub static RULE = ("SPEC101", "invalid-kubernetes-name", Error, unignorable);
}

/// Names Windows refuses as file names, whatever their extension.
const WINDOWS_RESERVED: [&str; 22] = [
    "con", "prn", "aux", "nul", "com1", "com2", "com3", "com4", "com5", "com6", "com7", "com8", "com9", "lpt1", "lpt2",
    "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Whether a path segment is a name Windows reserves (`con`, `nul.txt`, `COM1`).
pub fn windows_reserved(segment: &str) -> bool {
    let stem = segment.split('.').next().unwrap_or(segment).to_ascii_lowercase();
    WINDOWS_RESERVED.contains(&stem.as_str())
}

/// The most characters of a Helm release name (Helm's `validateReleaseName`).
const RELEASE_NAME_MAX: usize = 53;

/// Why a service's `name`, a DNS-1123 label, still cannot name its Service and its release.
fn service_problem(name: &str) -> Option<&'static str> {
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("it names the service's Kubernetes Service, whose name starts with a letter (a DNS-1035 label)")
    } else if name.len() > RELEASE_NAME_MAX {
        Some("it names the service's Helm release, which Helm limits to 53 characters")
    } else {
        None
    }
}

/// Why `name` cannot name a service (its Kubernetes Service, its Helm release), if it cannot.
pub fn service_name_problem(name: &str) -> Option<&'static str> {
    dns1123_label_problem(name).or_else(|| service_problem(name))
}

/// Why `name` is not a DNS-1123 label, if it is not.
pub fn dns1123_label_problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("it is empty")
    } else if name.len() > 63 {
        Some("it is longer than 63 characters")
    } else if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-') {
        Some("it may hold only lowercase letters, digits and `-`")
    } else if name.starts_with('-') || name.ends_with('-') {
        Some("it must start and end with a letter or digit")
    } else if windows_reserved(name) {
        Some("it is a file name Windows reserves, and the name becomes a folder of the output")
    } else {
        None
    }
}

fn suggestion(name: &str) -> String {
    let mut s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    s = s.trim_matches('-').chars().take(63).collect();
    s.trim_end_matches('-').to_string()
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut names = vec![(crate::route!["metadata", "name"], &spec.spec.metadata.name, "project")];
    for (i, svc) in spec.spec.services.iter().enumerate() {
        names.push((service_path(i, &["name"]), &svc.name, "service"));
        // A namespace the spec does not write is the project's name, reported there.
        if let Some(ns) =
            svc.namespace.as_ref().filter(|_| spec.doc.root.lookup(&service_path(i, &["namespace"])).is_some())
        {
            names.push((service_path(i, &["namespace"]), ns, "namespace"));
        }
    }
    for (path, name, what) in names {
        let why = dns1123_label_problem(name).or_else(|| (what == "service").then(|| service_problem(name)).flatten());
        if let Some(why) = why {
            let mut fix = suggestion(name);
            if what == "service" {
                if !fix.starts_with(|c: char| c.is_ascii_lowercase()) && !fix.is_empty() {
                    fix = format!("svc-{fix}");
                }
                fix = fix.chars().take(RELEASE_NAME_MAX).collect::<String>().trim_end_matches('-').to_string();
            }
            let help = if fix.is_empty() {
                "use a name such as `web`".to_string()
            } else {
                format!("use a name such as `{fix}`")
            };
            out.push(
                spec.at(&RULE, &path, false, format!("{what} name `{name}` is not a Kubernetes name: {why}"))
                    .help(help),
            );
        }
    }
}
