use crate::declare_rule;
use crate::diag::Diagnostics;
use crate::lint::dockerfile::{Document, expand_vars};

declare_rule! {
    /// ## What it does
    /// Reports a base image of the official `python` image (`python:3.8-alpine`,
    /// `docker.io/library/python:3.9-slim`) whose Python version is past its end of life on
    /// the day gen runs. The dates are those of the Python developer's guide
    /// (<https://devguide.python.org/versions/>, from each version's release PEP): 2.7
    /// 2020-01-01, 3.5 2020-09-30, 3.6 2021-12-23, 3.7 2023-06-27, 3.8 2024-10-07, 3.9
    /// 2025-10-31; and as planned there, to the month, taken as its last day: 3.10 2026-10,
    /// 3.11 2027-10, 3.12 2028-10, 3.13 2029-10, 3.14 2030-10. A tag without a version
    /// (`python:3`, `python:slim`) follows the newest release and is not reported; neither is
    /// a version newer than the table.
    ///
    /// No hadolint counterpart (trivy reports the packages of such an image one by one).
    ///
    /// ## Why it matters
    /// Past its end of life a Python gets no security fixes: a vulnerability found in it, or
    /// in the OS packages of an image nobody rebuilds any more, stays open in every container.
    /// Seed 004 built on `python:3.8-alpine`, a year past 3.8's end of life.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM python:3.8-alpine
    /// ```
    ///
    /// ## How to fix
    /// Move to a supported Python (`python:3.13-slim-trixie`), test, and pin it.
    pub static RULE = ("DF014", "python-past-end-of-life", Warning);
}

/// A Python version: (major, minor).
type Version = (u32, u32);
/// A date: (year, month, day).
type Date = (i64, u32, u32);

/// End of life of each Python version.
const END_OF_LIFE: [(Version, Date); 17] = [
    ((2, 6), (2013, 10, 29)),
    ((2, 7), (2020, 1, 1)),
    ((3, 0), (2009, 6, 27)),
    ((3, 1), (2012, 4, 9)),
    ((3, 2), (2016, 2, 20)),
    ((3, 3), (2017, 9, 29)),
    ((3, 4), (2019, 3, 18)),
    ((3, 5), (2020, 9, 30)),
    ((3, 6), (2021, 12, 23)),
    ((3, 7), (2023, 6, 27)),
    ((3, 8), (2024, 10, 7)),
    ((3, 9), (2025, 10, 31)),
    ((3, 10), (2026, 10, 31)),
    ((3, 11), (2027, 10, 31)),
    ((3, 12), (2028, 10, 31)),
    ((3, 13), (2029, 10, 31)),
    ((3, 14), (2030, 10, 31)),
];

/// Registries and namespaces the official `python` image is pulled by.
const OFFICIAL: [&str; 7] = [
    "python",
    "library/python",
    "docker.io/python",
    "docker.io/library/python",
    "index.docker.io/library/python",
    "mirror.gcr.io/library/python",
    "public.ecr.aws/docker/library/python",
];

/// The Python version an official `python` image reference runs: `python:3.8-alpine` →
/// (3, 8), `python:2` → (2, 7); none for another image or a tag without a version.
fn python_version(image: &str) -> Option<Version> {
    let image = image.split('@').next().unwrap_or(image);
    let (name, tag) = match image.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') => (name, tag),
        _ => return None,
    };
    if !OFFICIAL.iter().any(|o| name.eq_ignore_ascii_case(o)) {
        return None;
    }
    let mut parts = tag.split(|c: char| !c.is_ascii_digit());
    let major: u32 = parts.next()?.parse().ok()?;
    let rest = tag.trim_start_matches(|c: char| c.is_ascii_digit());
    let minor = match rest.strip_prefix('.') {
        Some(after) => after.split(|c: char| !c.is_ascii_digit()).next()?.parse().ok()?,
        // `python:2` is 2.7; `python:3` follows the newest 3.x.
        None if major == 2 => 7,
        None => return None,
    };
    Some((major, minor))
}

/// Today, in UTC.
fn today() -> Date {
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64);
    crate::calendar::civil_from_days(secs.div_euclid(86_400))
}

/// The end of life of a version, when it is past on `day`.
fn past_end_of_life(version: Version, day: Date) -> Option<Date> {
    END_OF_LIFE.iter().find(|(v, _)| *v == version).map(|(_, eol)| *eol).filter(|eol| *eol < day)
}

pub fn check(doc: &Document, out: &mut Diagnostics) {
    let day = today();
    let mut scope = doc.scope();
    for inst in doc.dockerfile.instructions.iter().filter(|i| i.keyword == "FROM") {
        let Some(written) = inst.args.first() else { continue };
        let image = expand_vars(written, scope.before(inst));
        let Some((major, minor)) = python_version(&image) else { continue };
        let Some((y, m, d)) = past_end_of_life((major, minor), day) else { continue };
        let shown = if &image == written { format!("`{image}`") } else { format!("`{written}` (= `{image}`)") };
        out.push(
            doc.at(
                &RULE,
                inst,
                Some(written),
                format!("{shown} runs Python {major}.{minor}, past its end of life ({y}-{m:02}-{d:02}): it gets no security fixes"),
            )
            .help("move to a supported Python, such as `python:3.13-slim-trixie` (devguide.python.org/versions)"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_python_version_of_an_official_image_is_read_from_its_tag() {
        assert_eq!(python_version("python:3.8-alpine"), Some((3, 8)));
        assert_eq!(python_version("docker.io/library/python:3.10.4-slim-bullseye"), Some((3, 10)));
        assert_eq!(python_version("python:2-slim"), Some((2, 7)));
        assert_eq!(python_version("python:3.9@sha256:0123"), Some((3, 9)));
        assert_eq!(python_version("python:3-slim"), None, "follows the newest");
        assert_eq!(python_version("python:slim"), None);
        assert_eq!(python_version("python"), None);
        assert_eq!(python_version("ghcr.io/acme/python:3.8"), None, "not the official image");
        assert_eq!(python_version("localhost:5000/python"), None);
    }

    #[test]
    fn a_version_is_past_its_end_of_life_from_the_day_after() {
        assert_eq!(past_end_of_life((3, 8), (2024, 10, 7)), None);
        assert_eq!(past_end_of_life((3, 8), (2024, 10, 8)), Some((2024, 10, 7)));
        assert_eq!(past_end_of_life((3, 10), (2026, 11, 23)), Some((2026, 10, 31)));
        assert_eq!(past_end_of_life((3, 11), (2026, 11, 23)), None);
        assert_eq!(past_end_of_life((3, 99), (2099, 1, 1)), None, "unknown: not judged");
    }
}
