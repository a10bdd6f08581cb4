//! Container image references (`[REGISTRY/]REPOSITORY[:TAG][@DIGEST]`), read as the
//! container runtimes read them: a registry host may carry a port (`host:5000/app`), which is
//! not a tag.

/// An image reference, split into its parts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageRef<'a> {
    /// The registry host (`shopacr.azurecr.io`, `localhost:5000`), when the reference names one.
    pub registry: Option<&'a str>,
    /// The repository path (`library/nginx`, `shop`).
    pub repository: &'a str,
    pub tag: Option<&'a str>,
    /// The digest after `@` (`sha256:...`).
    pub digest: Option<&'a str>,
}

impl<'a> ImageRef<'a> {
    /// Splits a reference. A trailing `:` or `@` with nothing after it gives no tag or digest.
    pub fn parse(reference: &'a str) -> ImageRef<'a> {
        let reference = reference.trim();
        let (name, digest) = match reference.split_once('@') {
            Some((name, digest)) => (name, Some(digest).filter(|d| !d.is_empty())),
            None => (reference, None),
        };
        // The tag is after the last `:` of the last path component; a `:` before a `/` is
        // a registry port.
        let last_slash = name.rfind('/').map_or(0, |i| i + 1);
        let (path, tag) = match name[last_slash..].rfind(':') {
            Some(i) => (&name[..last_slash + i], Some(&name[last_slash + i + 1..]).filter(|t| !t.is_empty())),
            None => (name, None),
        };
        let (registry, repository) = match path.split_once('/') {
            Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => (Some(first), rest),
            _ => (None, path),
        };
        ImageRef { registry, repository, tag, digest }
    }

    /// Pinned to one image by its digest (a tag beside it is ignored by the runtime).
    pub fn is_pinned(&self) -> bool {
        self.digest.is_some()
    }

    /// Names an image that can change under the same reference: no tag and no digest (which
    /// means `latest`), or the tag `latest`.
    pub fn is_mutable(&self) -> bool {
        !self.is_pinned() && self.tag.is_none_or(|t| t == "latest")
    }
}

#[cfg(test)]
mod tests {
    use super::ImageRef;

    fn parts(s: &str) -> (Option<&str>, &str, Option<&str>, Option<&str>) {
        let r = ImageRef::parse(s);
        (r.registry, r.repository, r.tag, r.digest)
    }

    #[test]
    fn a_registry_port_is_not_a_tag() {
        assert_eq!(parts("host:5000/app"), (Some("host:5000"), "app", None, None));
        assert_eq!(parts("host:5000/team/app:1.2"), (Some("host:5000"), "team/app", Some("1.2"), None));
        assert_eq!(parts("localhost/app:dev"), (Some("localhost"), "app", Some("dev"), None));
    }

    #[test]
    fn docker_hub_names_have_no_registry() {
        assert_eq!(parts("nginx"), (None, "nginx", None, None));
        assert_eq!(parts("library/nginx:1.27"), (None, "library/nginx", Some("1.27"), None));
        assert_eq!(parts("shopacr.azurecr.io/shop:1.4.2"), (Some("shopacr.azurecr.io"), "shop", Some("1.4.2"), None));
    }

    #[test]
    fn digests_pin_with_or_without_a_tag() {
        let d = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
        let tagged = format!("host:5000/app:latest@{d}");
        assert_eq!(parts(&tagged), (Some("host:5000"), "app", Some("latest"), Some(d)));
        let bare = format!("app@{d}");
        assert_eq!(parts(&bare), (None, "app", None, Some(d)));
        assert!(ImageRef::parse(&tagged).is_pinned());
        assert!(!ImageRef::parse(&tagged).is_mutable());
    }

    #[test]
    fn latest_or_no_tag_is_mutable() {
        assert!(ImageRef::parse("nginx").is_mutable());
        assert!(ImageRef::parse("nginx:latest").is_mutable());
        assert!(ImageRef::parse("host:5000/nginx").is_mutable());
        assert!(ImageRef::parse("nginx:").is_mutable());
        assert!(!ImageRef::parse("nginx:1.27.3").is_mutable());
        assert!(!ImageRef::parse("host:5000/nginx:1.27").is_mutable());
    }

    #[test]
    fn odd_references_do_not_panic() {
        for s in ["", ":", "@", "/", "a/", ":/", "a:b:c/d:e@f@g", "ü:ß/é", " app : 1 "] {
            let _ = ImageRef::parse(s);
        }
    }
}
