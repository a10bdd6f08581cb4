use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::route;
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports a `platform.github.environment` GitHub would not take as an environment's
    /// name: over 255 characters (GitHub's documented limit), white space first or last, a
    /// control character (a line break), or one of `'` `"` `` ` `` `,` `;` `\` (what GitHub
    /// refuses besides, as PyPI's maintainers found it and trusted publishing checks it:
    /// pypi/warehouse#17699); or a `*`, which would make the deploy identity's OIDC subject a
    /// pattern (gen's Terraform refuses it).
    ///
    /// Other characters GitHub takes are taken: a space, `/`, `(`, `&`, `|`, `>`, `$`. Every
    /// command gen prints with the name (the READMEs' `gh` commands, the workflow's messages)
    /// quotes it for the shell, and a GitHub API path holds it percent-encoded, as GitHub's
    /// REST API asks (`prod/eu` is `prod%2Feu`).
    ///
    /// ## Why it matters
    /// The name is the GitHub environment the deploy job runs in and the one OIDC subject
    /// the deploy identity trusts: GitHub refuses to create such an environment, so the
    /// deploy job never starts, or signs in under another subject than Azure trusts.
    ///
    /// ## Example
    /// ```yaml
    /// platform:
    ///   github: {repository: acme/shop, environment: "prod; staging"}
    /// ```
    ///
    /// ## How to fix
    /// Name one environment, as GitHub's settings page shows it: `production`.
    pub static RULE = ("SPEC146", "invalid-github-environment", Error);
}

/// Why `name` cannot name a GitHub environment, if it cannot.
pub fn problem(name: &str) -> Option<String> {
    if name.chars().count() > 255 {
        return Some("it is longer than the 255 characters GitHub allows".into());
    }
    if name.starts_with(char::is_whitespace) || name.ends_with(char::is_whitespace) {
        return Some("GitHub does not take white space first or last".into());
    }
    if let Some(c) = name.chars().find(|c| c.is_control() || "'\"`,;\\*".contains(*c)) {
        return Some(format!("GitHub does not take `{}` in an environment's name", c.escape_default()));
    }
    None
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let Some(name) = spec.spec.platform.github.as_ref().and_then(|g| g.environment.as_deref()) else { return };
    let Some(why) = problem(name) else { return };
    out.push(
        spec.at(
            &RULE,
            &route!["platform", "github", "environment"],
            false,
            format!("GitHub environment `{}` is not a name GitHub takes: {why}", name.escape_debug()),
        )
        .help("name one environment, as GitHub's settings page shows it, such as `production`"),
    );
}

#[cfg(test)]
mod tests {
    #[test]
    fn github_s_environment_names_pass_and_others_do_not() {
        for ok in
            ["production", "Production (EU)", "prod/eu", "staging-2", "é", "prod env", "a&b", "a|b", "a>b", "$(id)"]
        {
            assert_eq!(super::problem(ok), None, "{ok}");
        }
        for bad in
            [" prod", "prod ", "prod\nstaging", "a;b", "a,b", "it's", "a\"b", "a`b", "a\\b", "prod-*", &"a".repeat(256)]
        {
            assert!(super::problem(bad).is_some(), "{bad:?}");
        }
    }
}
