use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::platform::aws;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a state bucket name (`platform.aws.state.bucket`) S3 would refuse: 3 to 63
    /// lower-case letters, digits, `-` and `.`, starting and ending with a letter or digit, no
    /// `..`, not an IP address, none of S3's reserved prefixes (`xn--`, `sthree-`,
    /// `amzn-s3-demo-`) or suffixes (`-s3alias`, `--ol-s3`, `.mrap`, `--x-s3`, `--table-s3`).
    /// A name with a `.` is refused too: TLS to `bucket.s3.amazonaws.com` fails for it, and
    /// Terraform's S3 backend reaches the bucket that way.
    ///
    /// ## Why it matters
    /// The bootstrap root creates the bucket first: every later step waits on it.
    ///
    /// ## How to fix
    /// Use a name such as `acme-shop-tfstate` (bucket names are global: add the organisation).
    pub static RULE = ("SPEC180", "invalid-state-bucket-name", Error);
}

/// Why `name` is not a bucket name gen's Terraform can use, if it is not.
pub fn invalid(name: &str) -> Option<&'static str> {
    let edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if name.len() < 3 || name.len() > 63 {
        Some("it must be 3 to 63 characters long")
    } else if !name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.') {
        Some("it may hold only lower-case letters, digits, `-` and `.`")
    } else if !edge(name.chars().next()) || !edge(name.chars().last()) {
        Some("it must start and end with a letter or digit")
    } else if name.contains('.') {
        Some("a `.` in it breaks TLS to the bucket's virtual-hosted address, which the S3 backend uses")
    } else if ["xn--", "sthree-", "amzn-s3-demo-"].iter().any(|p| name.starts_with(p)) {
        Some("it starts with a prefix S3 reserves")
    } else if ["-s3alias", "--ol-s3", "--x-s3", "--table-s3"].iter().any(|s| name.ends_with(s)) {
        Some("it ends with a suffix S3 reserves")
    } else {
        None
    }
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(block) = aws::of(&spec.spec) else { return };
    let name = &block.state.bucket;
    if let Some(why) = invalid(name) {
        out.push(
            spec.at(
                &RULE,
                &crate::route!["platform", aws::NAME, "state", "bucket"],
                false,
                format!("state bucket `{}` is not a valid S3 bucket name: {why}", name.escape_debug()),
            )
            .help("use lower-case letters, digits and `-`, such as `acme-shop-tfstate`"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bucket_name_is_what_s3_accepts() {
        for ok in ["acme-tfstate", "abc", "a1-b2"] {
            assert_eq!(super::invalid(ok), None, "{ok}");
        }
        for bad in [
            "ab",
            "Acme",
            "acme_tfstate",
            "-acme",
            "acme-",
            "acme.tfstate",
            "xn--acme",
            "acme-s3alias",
            &"a".repeat(64),
        ] {
            assert!(super::invalid(bad).is_some(), "{bad:?}");
        }
    }
}
