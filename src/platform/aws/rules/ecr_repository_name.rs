use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports an ECR repository name AWS would refuse. gen names each service's repository
    /// `<prefix>/<service>` (`platform.aws.ecr.prefix`, by default the project's name): each
    /// part lower-case letters and digits, separated by one `.`, `_` or `-` (the API's pattern
    /// `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`), the whole 2 to 256
    /// characters.
    ///
    /// ## Why it matters
    /// ECR refuses the repository at `terraform apply`, and the image name in every chart is
    /// wrong until the spec changes.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   aws: {ecr: {prefix: Shop}}
    /// ```
    ///
    /// ## How to fix
    /// Use lower-case letters, digits and single separators, such as `shop`.
    pub static RULE = ("SPEC179", "invalid-ecr-repository-name", Error);
}

/// Whether `part` is one path part of a repository name: `[a-z0-9]+` runs separated by one
/// `.`, `_` or `-` (ECR's pattern).
fn valid_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    let alnum = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if bytes.first().is_none_or(|b| !alnum(*b)) || bytes.last().is_none_or(|b| !alnum(*b)) {
        return false;
    }
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if alnum(b) {
            i += 1;
            continue;
        }
        let run = bytes[i..].iter().take_while(|b| !alnum(**b)).count();
        let sep = &part[i..i + run];
        if !matches!(sep, "." | "-" | "_") {
            return false;
        }
        i += run;
    }
    true
}

/// Why `name` is not a valid ECR repository name, if it is not.
pub fn invalid(name: &str) -> Option<&'static str> {
    if name.len() < 2 || name.len() > 256 {
        Some("it must be 2 to 256 characters long")
    } else if !name.split('/').all(valid_part) {
        Some("each part must be lower-case letters and digits with single `.`, `-` or `_` between them")
    } else {
        None
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    let prefix = block.repository_prefix(&spec.spec.metadata.name);
    // The prefix is reported once, where it is written; then each service whose name makes
    // the repository's invalid (`a--b`, too long), at the name.
    if let Some(why) = invalid(&format!("{prefix}/x0")) {
        let route = if block.ecr.prefix.is_empty() {
            crate::route!["metadata", "name"]
        } else {
            crate::route!["platform", aws::NAME, "ecr", "prefix"]
        };
        let message = format!("the ECR repositories `{}/<service>` are not valid names: {why}", prefix.escape_debug());
        out.push(
            spec.at(&RULE, &route, false, message)
                .help("set `platform.aws.ecr.prefix` to lower-case letters and digits, such as `shop`"),
        );
        return;
    }
    for (i, service) in spec.spec.services.iter().enumerate() {
        let name = format!("{prefix}/{}", service.name);
        if let Some(why) = invalid(&name) {
            let message = format!("the ECR repository `{}` is not a valid name: {why}", name.escape_debug());
            out.push(
                spec.at(&RULE, &crate::route!["services", i, "name"], false, message)
                    .help("shorten the prefix or the service's name"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_repository_name_is_what_ecr_accepts() {
        for ok in ["shop/api", "shop", "a.b-c_d/e", "ab"] {
            assert_eq!(super::invalid(ok), None, "{ok}");
        }
        for bad in
            ["Shop/api", "shop//api", "-shop/api", "shop-/api", "a", "shop/a..b", "shop/a__b", "shop/a--b", "shop/"]
        {
            assert!(super::invalid(bad).is_some(), "{bad:?}");
        }
    }
}
