use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a project name, service name or namespace that is not a Kubernetes DNS-1123
    /// label.
    ///
    /// ## Why it matters
    /// These names become Deployment, Service and Helm release names, which Kubernetes accepts
    /// only as lowercase letters, digits and `-`, starting and ending with a letter or digit, at
    /// most 63 characters. A bad name fails at `helm install`, long after the spec was written.
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
        if let Some(why) = dns1123_label_problem(name) {
            let fix = suggestion(name);
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
