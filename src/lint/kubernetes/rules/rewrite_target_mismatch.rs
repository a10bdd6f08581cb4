use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::kubernetes::ingress::nginx_class;
use crate::lint::kubernetes::typed::Typed;
use crate::lint::kubernetes::{Document, Object};
use crate::route;

declare_rule! {
    /// ## What it does
    /// Reports an ingress-nginx Ingress whose rewrite target and paths do not fit together.
    ///
    /// That is, for the annotation `nginx.ingress.kubernetes.io/rewrite-target`:
    /// - the rewrite target uses capture references (`$1`, `$2`...) while a path has no
    ///   capture group `(...)`, or fewer groups than the highest reference;
    /// - a path has capture groups that nothing uses: the rewrite target is a plain path
    ///   (`/`), or there is no rewrite target and `use-regex` is not `"true"` (the path is
    ///   then matched as text).
    ///
    /// ## Why it matters
    /// A reference to a group that does not exist is empty, so the request is rewritten to
    /// the wrong path (`/$2` becomes `/`): every page of the application answers with its
    /// home page or a 404, while the Ingress, the Service and the pods all look healthy. A
    /// path with groups and a plain rewrite target throws away what the groups captured. A
    /// rewrite target turns regular expressions on by itself (ingress-nginx documents it), so
    /// `use-regex` is not required beside one; the working pair, from ingress-nginx's
    /// documentation, writes both:
    ///
    /// ```yaml
    /// annotations:
    ///   nginx.ingress.kubernetes.io/use-regex: "true"
    ///   nginx.ingress.kubernetes.io/rewrite-target: /$2
    /// ...
    ///   - path: /athletes(/|$)(.*)
    ///     pathType: ImplementationSpecific
    /// ```
    ///
    /// ## Example
    /// ```yaml
    /// annotations:
    ///   nginx.ingress.kubernetes.io/rewrite-target: /$2
    /// ...
    ///   - path: /athletes
    ///     pathType: Prefix
    /// ```
    ///
    /// ## How to fix
    /// Give each path the groups its rewrite target uses (`/athletes(/|$)(.*)` for `/$2`),
    /// set `use-regex: "true"` and `pathType: ImplementationSpecific`; or, to route without
    /// rewriting, remove the rewrite target and the groups.
    pub static RULE = ("K8S045", "rewrite-target-mismatch", Error);
}

const REWRITE: &str = "nginx.ingress.kubernetes.io/rewrite-target";
const USE_REGEX: &str = "nginx.ingress.kubernetes.io/use-regex";

/// The number of capture groups of a PCRE pattern: `(` not escaped, not in a character
/// class, and not a non-capturing group (`(?:`, `(?=`...), named groups counted.
fn groups(pattern: &str) -> usize {
    let chars: Vec<char> = pattern.chars().collect();
    let (mut count, mut i, mut in_class) = (0, 0, false);
    while i < chars.len() {
        match chars[i] {
            '\\' => i += 1,
            '[' if !in_class => in_class = true,
            ']' if in_class => in_class = false,
            '(' if !in_class => {
                let rest: String = chars[i + 1..].iter().take(3).collect();
                let named = rest.starts_with("?P<")
                    || rest.starts_with("?'")
                    || (rest.starts_with("?<") && !rest.starts_with("?<=") && !rest.starts_with("?<!"));
                if !rest.starts_with('?') || named {
                    count += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    count
}

/// The highest capture reference (`$1`...`$9`, `${12}`) in a rewrite target; 0 for none.
fn highest_reference(target: &str) -> usize {
    let mut highest = 0;
    let mut rest = target;
    while let Some(at) = rest.find('$') {
        rest = &rest[at + 1..];
        let digits: String = rest.trim_start_matches('{').chars().take_while(char::is_ascii_digit).collect();
        highest = highest.max(digits.parse().unwrap_or(0));
    }
    highest
}

/// A rewrite target with its capture references empty, as nginx fills them when the path
/// captures nothing.
fn without_references(target: &str) -> String {
    let mut out = String::new();
    let mut rest = target;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let digits = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        rest = match after.strip_prefix('{').and_then(|a| a.split_once('}')) {
            Some((inside, tail)) if !inside.is_empty() && inside.chars().all(|c| c.is_ascii_digit()) => tail,
            _ if digits > 0 => &after[digits..],
            _ => {
                out.push('$');
                after
            }
        };
    }
    out.push_str(rest);
    if out.is_empty() { "/".to_string() } else { out }
}

/// Whether the Ingress is one ingress-nginx reads: of class nginx, or with its annotations.
fn for_nginx(object: &Object) -> bool {
    nginx_class(object).is_some() || object.annotations().any(|(k, _)| k.starts_with("nginx.ingress.kubernetes.io/"))
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    for object in &doc.objects {
        let Typed::Ingress(ingress) = &object.typed else { continue };
        if !for_nginx(object) {
            continue;
        }
        let rewrite = object.annotation(REWRITE);
        let regex = object.annotation(USE_REGEX) == Some("true");
        let highest = rewrite.map_or(0, highest_reference);
        let title = object.title();
        let rules = ingress.spec.as_ref().and_then(|s| s.rules.as_ref());
        for (i, rule) in rules.into_iter().flatten().enumerate() {
            for (j, p) in rule.http.iter().flat_map(|h| h.paths.iter()).enumerate() {
                let path = p.path.as_deref().unwrap_or("/");
                let route = route!["spec", "rules", i, "http", "paths", j, "path"];
                let found = groups(path);
                let (message, help) = match (rewrite, highest, found) {
                    (Some(target), 1.., 0) => (
                        format!("{title}: path `{path}` has no capture group, but rewrite-target `{target}` uses ${highest}: every request is rewritten to `{}`", without_references(target)),
                        format!("capture what the target uses, such as `{}(/|$)(.*)` for `/$2`", path.trim_end_matches('/')),
                    ),
                    (Some(target), 1.., n) if n < highest => (
                        format!("{title}: path `{path}` has {n} capture group{}, but rewrite-target `{target}` uses ${highest}", if n == 1 { "" } else { "s" }),
                        "give the path as many groups as the target uses".to_string(),
                    ),
                    (Some(target), 0, 1..) => (
                        format!("{title}: path `{path}` captures groups that rewrite-target `{target}` does not use: every request is rewritten to `{target}`"),
                        "use the groups in the target (`/$2`), or remove them from the path".to_string(),
                    ),
                    (None, _, 1..) if !regex => (
                        format!("{title}: path `{path}` has capture groups, but regular expressions are off (no use-regex, no rewrite-target): it is matched as text"),
                        "add `nginx.ingress.kubernetes.io/use-regex: \"true\"` (and a rewrite-target that uses the groups), or remove the groups".to_string(),
                    ),
                    _ => continue,
                };
                out.push(object.at(&RULE, &route, message).help(help));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{groups, highest_reference, without_references};

    #[test]
    fn capture_groups_are_counted_as_pcre_does() {
        assert_eq!(groups("/athletes(/|$)(.*)"), 2);
        assert_eq!(groups("/api"), 0);
        assert_eq!(groups(r"/a\(b\)"), 0);
        assert_eq!(groups("/a[(]b"), 0);
        assert_eq!(groups("/(?:v1|v2)/(.*)"), 1);
        assert_eq!(groups("/(?<rest>.*)"), 1);
        assert_eq!(groups("/(?<=x)y"), 0);
        assert_eq!(groups("(((\\"), 3);
    }

    #[test]
    fn references_to_missing_groups_are_empty() {
        assert_eq!(without_references("/$2"), "/");
        assert_eq!(without_references("/api/$1/x"), "/api//x");
        assert_eq!(without_references("/${12}x"), "/x");
        assert_eq!(without_references("$"), "$");
        assert_eq!(without_references("$1"), "/");
    }

    #[test]
    fn the_highest_reference_is_found() {
        assert_eq!(highest_reference("/$2"), 2);
        assert_eq!(highest_reference("/$1/x/$3"), 3);
        assert_eq!(highest_reference("/"), 0);
        assert_eq!(highest_reference("/${12}"), 12);
        assert_eq!(highest_reference("$"), 0);
    }
}
