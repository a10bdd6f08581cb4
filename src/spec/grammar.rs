//! The grammars Kubernetes and the container runtimes hold values to: label values, DNS-1123
//! subdomains (the names of classes and most objects) and image references. The spec's rules
//! check the values gen writes there, and the Kubernetes family checks manifests with the same
//! functions, so both say the same thing about the same value.
//!
//! Each function says why a value is not in its grammar, or `None` when it is.

/// The most characters of a label value (`IsValidLabelValue` in k8s.io/apimachinery).
pub const LABEL_VALUE_MAX: usize = 63;
/// The most characters of a DNS-1123 subdomain (`IsDNS1123Subdomain`).
pub const SUBDOMAIN_MAX: usize = 253;
/// The most characters of an image name, registry included (distribution's
/// `NameTotalLengthMax`).
pub const IMAGE_NAME_MAX: usize = 255;
/// The most characters of an image tag (`[\w][\w.-]{0,127}`).
pub const TAG_MAX: usize = 128;

/// Why `value` is not a label value: at most 63 characters, empty or letters and digits with
/// `-`, `_` and `.` between them (`(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?`).
pub fn label_value_problem(value: &str) -> Option<&'static str> {
    let inner = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.');
    let bytes = value.as_bytes();
    if value.chars().count() > LABEL_VALUE_MAX {
        Some("a label value is at most 63 characters")
    } else if !bytes.iter().all(|b| inner(*b)) {
        Some("a label value holds only letters, digits, `-`, `_` and `.`")
    } else if bytes.first().is_some_and(|b| !b.is_ascii_alphanumeric())
        || bytes.last().is_some_and(|b| !b.is_ascii_alphanumeric())
    {
        Some("a label value starts and ends with a letter or digit")
    } else {
        None
    }
}

/// Why `name` is not a DNS-1123 subdomain: at most 253 characters, lowercase letters, digits,
/// `-` and `.`, each dot-separated part starting and ending with a letter or digit.
pub fn subdomain_problem(name: &str) -> Option<&'static str> {
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if name.is_empty() {
        Some("it is empty")
    } else if name.chars().count() > SUBDOMAIN_MAX {
        Some("it is longer than 253 characters")
    } else if !name.bytes().all(|b| edge(b) || b == b'-' || b == b'.') {
        Some("it may hold only lowercase letters, digits, `-` and `.`")
    } else if name
        .split('.')
        .any(|part| !part.bytes().next().is_some_and(edge) || !part.bytes().last().is_some_and(edge))
    {
        Some("each dot-separated part must start and end with a letter or digit")
    } else {
        None
    }
}

/// Why `tag` is not an image tag: at most 128 letters, digits, `_`, `.` and `-`, not starting
/// with `.` or `-`.
pub fn tag_problem(tag: &str) -> Option<&'static str> {
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    if tag.is_empty() {
        Some("it is empty")
    } else if tag.chars().count() > TAG_MAX {
        Some("a tag is at most 128 characters")
    } else if !tag.bytes().all(|b| word(b) || b == b'.' || b == b'-') {
        Some("a tag holds only letters, digits, `_`, `.` and `-`")
    } else if !tag.bytes().next().is_some_and(word) {
        Some("a tag starts with a letter, digit or `_`")
    } else {
        None
    }
}

/// The digest algorithms the runtimes accept (go-digest's), with the length of their hex.
const DIGESTS: [(&str, usize); 3] = [("sha256", 64), ("sha384", 96), ("sha512", 128)];

/// Why `digest` is not a content digest a runtime accepts: `sha256:` and 64 lowercase hex
/// digits (or `sha384:` and 96, `sha512:` and 128). The reference grammar admits other
/// algorithms; go-digest, which containerd and CRI-O parse with, refuses them.
pub fn digest_problem(digest: &str) -> Option<&'static str> {
    let Some((algorithm, hex)) = digest.split_once(':') else {
        return Some("a digest is `algorithm:hex`, such as `sha256:` and 64 hex digits");
    };
    let Some((_, len)) = DIGESTS.iter().find(|(a, _)| *a == algorithm) else {
        return Some("a digest's algorithm is `sha256`, `sha384` or `sha512`");
    };
    if hex.len() != *len || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        Some("a digest's value is lowercase hex digits: 64 after `sha256:`, 96 after `sha384:`, 128 after `sha512:`")
    } else {
        None
    }
}

/// Why `component` is not one part of a repository path: lowercase letters and digits, with
/// `.`, `_`, `__` or any run of `-` between them.
fn path_component_problem(component: &str) -> Option<&'static str> {
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    let bytes = component.as_bytes();
    if bytes.is_empty() {
        return Some("a repository path has no empty part (`//`, or `/` at an end)");
    }
    if !bytes.iter().all(|b| alnum(*b) || matches!(b, b'.' | b'_' | b'-')) {
        return Some("a repository path holds only lowercase letters, digits, `.`, `_`, `-` and `/`");
    }
    if !alnum(bytes[0]) || !alnum(bytes[bytes.len() - 1]) {
        return Some("each part of a repository path starts and ends with a lowercase letter or digit");
    }
    // Between two runs of letters and digits: `.`, `_`, `__` or `-`, `--`, ...
    for separator in component.split(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit()).filter(|s| !s.is_empty()) {
        if !(matches!(separator, "." | "_" | "__") || separator.bytes().all(|b| b == b'-')) {
            return Some("letters and digits in a repository path are separated by one `.`, `_` or `__`, or by `-`");
        }
    }
    None
}

/// Whether `domain` is a registry host with an optional port: DNS components of letters,
/// digits and `-` (either case), an IPv4 address, or an IPv6 address in brackets.
fn is_registry(domain: &str) -> bool {
    let (host, port) = if let Some(v6) = domain.strip_prefix('[') {
        let Some((address, after)) = v6.split_once(']') else { return false };
        if address.is_empty() || !address.bytes().all(|b| b.is_ascii_hexdigit() || b == b':') {
            return false;
        }
        (None, after)
    } else {
        match domain.find(':') {
            Some(i) => (Some(&domain[..i]), &domain[i..]),
            None => (Some(domain), ""),
        }
    };
    let port_ok = port.is_empty()
        || port.strip_prefix(':').is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
    let component = |c: &str| {
        let b = c.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|x| x.is_ascii_alphanumeric() || *x == b'-')
    };
    port_ok && host.is_none_or(|h| h.split('.').all(component))
}

/// Why `name` is not an image name without a tag or digest: `[registry[:port]/]path`, the
/// path lowercase components separated by `/`, at most 255 characters in all.
pub fn image_name_problem(name: &str) -> Option<String> {
    if name.is_empty() {
        return Some("it is empty".into());
    }
    if name.chars().count() > IMAGE_NAME_MAX {
        return Some("an image name is at most 255 characters, its registry included".into());
    }
    // The grammar makes the registry optional: the name is either all path, or a registry,
    // `/`, and a path. A first part that is no path component (`localhost:5000`,
    // `MyRegistry.io`) can only be a registry.
    let path_problem = |path: &str| path.split('/').find_map(path_component_problem);
    // No problem read as all path: a name without a registry.
    let all_path = path_problem(name)?;
    match name.split_once('/') {
        Some((first, rest)) if is_registry(first) => path_problem(rest).map(str::to_string),
        Some((first, _)) if first.contains([':', '.']) || first.bytes().any(|b| b.is_ascii_uppercase()) => {
            Some(format!("`{first}` is not a registry host (letters, digits, `-` and `.`, with an optional `:port`)"))
        }
        _ => Some(all_path.to_string()),
    }
}

/// Why `reference` is not an image reference that a container runtime pulls:
/// `name[:tag][@digest]`, each part in its grammar, with no space around it.
pub fn image_reference_problem(reference: &str) -> Option<String> {
    if reference.trim() != reference {
        return Some("it has spaces or line breaks around it".into());
    }
    let (name, digest) = match reference.split_once('@') {
        Some((name, digest)) => (name, Some(digest)),
        None => (reference, None),
    };
    if let Some(why) = digest.and_then(digest_problem) {
        return Some(why.into());
    }
    // A `:` after the last `/` starts the tag; one before it is a registry's port.
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name[last..].rfind(':') {
        Some(i) => (&name[..last + i], Some(&name[last + i + 1..])),
        None => (name, None),
    };
    if let Some(why) = tag.and_then(tag_problem) {
        return Some(format!("its tag `{}`: {why}", tag.unwrap_or_default()));
    }
    image_name_problem(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_values_are_kubernetes_label_values() {
        for ok in ["", "a", "1.4.2", "v1.4.2-rc.1", "A_b-c.D", &"x".repeat(63)] {
            assert_eq!(label_value_problem(ok), None, "{ok:?}");
        }
        for bad in ["1.0 x", "1.4.2+build", "-a", "a-", ".a", "a\nb", "é", &"x".repeat(64), "a\"b"] {
            assert!(label_value_problem(bad).is_some(), "{bad:?}");
        }
    }

    #[test]
    fn subdomains_are_dns_1123_subdomains() {
        for ok in ["nginx", "managed-csi", "csi-azuredisk-vsc", "a.b-c.d", "0", &"a".repeat(253)] {
            assert_eq!(subdomain_problem(ok), None, "{ok:?}");
        }
        for bad in ["", "Nginx", "nginx internal", "ngi\nnx", "a..b", "a.-b", "-a", "a_b", &"a".repeat(254)] {
            assert!(subdomain_problem(bad).is_some(), "{bad:?}");
        }
    }

    /// Cases from distribution/reference's own tests (`reference_test.go`, `regexp_test.go`).
    #[test]
    fn references_follow_the_distribution_grammar() {
        let digest = format!("sha256:{}", "f".repeat(64));
        let ok = [
            "test_com".to_string(),
            "test.com:tag".into(),
            "test.com:5000".into(),
            "test.com/repo:tag".into(),
            "test:5000/repo".into(),
            "test:5000/repo:tag".into(),
            format!("test:5000/repo@{digest}"),
            format!("test:5000/repo:tag@{digest}"),
            "lowercase:Uppercase".into(),
            "sub-dom1.foo.com/bar/baz/quux".into(),
            "sub-dom1.foo.com/bar/baz/quux:some-long-tag".into(),
            "b.gcr.io/test.example.com/my-app:test.example.com".into(),
            "xn--n3h.com/myimage:xn--n3h.com".into(),
            "foo_bar.com:8080".into(),
            "foo/foo_bar.com:8080".into(),
            "[2001:db8::1]:5000/repo".into(),
            "localhost:5000/a__b/c---d".into(),
            "Uppercase.io/lower".into(),
            "shopacr.azurecr.io/shop:1.4.2".into(),
            format!("a/{}", "b".repeat(253)),
        ];
        for r in &ok {
            assert_eq!(image_reference_problem(r), None, "{r}");
        }
        let bad = [
            "".to_string(),
            ":justtag".into(),
            format!("@{digest}"),
            format!("repo@sha256:{}", "f".repeat(63)),
            format!("repo@sha256:{}", "F".repeat(64)),
            format!("validname@invaliddigest:{}", "f".repeat(64)),
            "Uppercase:tag".into(),
            "aa/asdf$$^/aa".into(),
            "a..b/c".into(),
            "a___b/c".into(),
            "a/b/".into(),
            "test:5000/Uppercase/lowercase:tag".into(),
            "repo:.tag".into(),
            format!("repo:{}", "t".repeat(129)),
            format!("a/{}", "b".repeat(254)),
            "shopacr.azurecr.io/athletes:1.0 x\"y\nz".into(),
            " shop:1.0".into(),
            "shop:1.0\n".into(),
            "my_host:5000/app".into(),
        ];
        for r in &bad {
            assert!(image_reference_problem(r).is_some(), "{r:?}");
        }
    }

    #[test]
    fn an_image_name_takes_no_tag_and_says_which_part_is_wrong() {
        assert_eq!(image_name_problem("shopacr.azurecr.io/team/shop"), None);
        assert!(image_name_problem("shop:1.0").is_some());
        assert!(
            image_name_problem("Shop").is_some_and(|w| w.contains("lowercase")),
            "{:?}",
            image_name_problem("Shop")
        );
        assert!(image_name_problem("my_host:5000/app").is_some_and(|w| w.contains("registry")));
    }

    #[test]
    fn tags_and_digests() {
        assert_eq!(tag_problem("_x"), None);
        assert_eq!(tag_problem("1.0-"), None, "a tag may end in `-`; its label may not");
        assert!(label_value_problem("1.0-").is_some());
        assert!(tag_problem("-x").is_some() && tag_problem("a b").is_some() && tag_problem("").is_some());
        assert_eq!(digest_problem(&format!("sha512:{}", "0a".repeat(64))), None);
        assert!(digest_problem("sha256:abc").is_some() && digest_problem("sha256").is_some());
        assert!(digest_problem(&format!("md5:{}", "0".repeat(32))).is_some());
    }
}
