use std::collections::HashMap;

use super::service_path;
use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a service's release tag prefix (`release.tagPrefix`, or one of
    /// `release.formerTagPrefixes`) that git cannot hold in a tag, and two services with the
    /// same prefix.
    ///
    /// ## Why it matters
    /// The pipeline reserves each release as the git tag prefix + version before it pushes the
    /// image, and bumps the newest such tag for the next. A prefix git refuses fails every
    /// release. Two services with one prefix share one line of tags: each reserves versions the
    /// other then finds taken.
    ///
    /// ## Example
    /// ```yaml
    /// release: {tagPrefix: "shop v"}
    /// ```
    ///
    /// ## How to fix
    /// Use letters, digits, `.`, `_`, `-` and `/` (no `..`, no `//`, no part starting with `.` or
    /// ending in `.lock`), and give each service its own prefix; `<service>/v` is the default.
    pub static RULE = ("SPEC134", "invalid-tag-prefix", Error);
}

/// What git's `check-ref-format` would refuse in `refs/tags/<prefix>1.2.3`, or `None`.
pub fn tag_prefix_problem(prefix: &str) -> Option<String> {
    if let Some(c) = prefix.chars().find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '/'))) {
        return Some(format!("`{}` is not allowed in a tag prefix", c.escape_default()));
    }
    if prefix.contains("..") || prefix.contains("//") {
        return Some("a tag has no `..` or `//`".into());
    }
    if prefix.starts_with('/') {
        return Some("a tag does not start with `/`".into());
    }
    let parts: Vec<&str> = prefix.split('/').collect();
    // The last part continues with the version: only the parts before it are whole.
    let whole = &parts[..parts.len() - 1];
    if parts.iter().any(|p| p.starts_with('.')) {
        return Some("no part of a tag starts with `.`".into());
    }
    if whole.iter().any(|p| p.ends_with(".lock")) {
        return Some("no part of a tag ends in `.lock`".into());
    }
    None
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let mut seen: HashMap<String, (usize, bool)> = HashMap::new();
    for (i, svc) in spec.spec.services.iter().enumerate() {
        let prefix = svc.tag_prefix();
        // A prefix the spec does not write is `<name>/v`, whose every problem is the name's
        // (SPEC101 reports it, at the name).
        let written = spec.doc.root.lookup(&service_path(i, &["release", "tagPrefix"])).is_some();
        if let Some(problem) = tag_prefix_problem(&prefix).filter(|_| written) {
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["release", "tagPrefix"]),
                    false,
                    format!("the tag prefix `{prefix}`: {problem}"),
                )
                .help("use letters, digits, `.`, `_`, `-` and `/`, such as `shop/v`"),
            );
        }
        for (n, former) in svc.release.former_tag_prefixes.iter().enumerate() {
            if let Some(problem) = tag_prefix_problem(former) {
                let route = service_path(i, &["release", "formerTagPrefixes"]).with(n);
                out.push(
                    spec.at(&RULE, &route, false, format!("the tag prefix `{former}`: {problem}"))
                        .help("write the prefix the service's tags had, as `git tag --list` shows them"),
                );
            }
        }
        if let Some(&(first, first_written)) = seen.get(&prefix) {
            // Two prefixes of the names alone are two services of one name: SPEC103's.
            if !(written || first_written) {
                continue;
            }
            let other = &spec.spec.services[first].name;
            out.push(
                spec.at(
                    &RULE,
                    &service_path(i, &["release", "tagPrefix"]),
                    false,
                    format!("the tag prefix `{prefix}` is also the service `{other}`'s: the two would take each other's versions"),
                )
                .help(format!("give `{}` a prefix of its own, such as `{}/v`", svc.name, svc.name)),
            );
        } else {
            seen.insert(prefix, (i, written));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tag_prefix_problem;

    #[test]
    fn git_refuses_what_the_rule_refuses() {
        for ok in ["v", "", "shop/v", "shop-v", "release/shop/v", "shop.v", "a_b/"] {
            assert_eq!(tag_prefix_problem(ok), None, "{ok}");
        }
        for bad in [
            "shop v", "shop..v", "a//v", "/v", ".v", "a/.v", "a.lock/v", "v~", "v^", "v:", "v?", "v*", "v[", "v\\",
            "v@{",
        ] {
            assert!(tag_prefix_problem(bad).is_some(), "{bad}");
        }
    }
}
