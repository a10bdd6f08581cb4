//! sprig's `semverCompare`: Masterminds/semver v3 constraints (`>=1.19-0`, `^1.2`, `~1.2.3`,
//! `1.2.x`, `!=`, `,` or space for and, `||` for or) checked against a version.

use std::cmp::Ordering;

/// A version: numbers, how many were written (`1.2` has two), and its prerelease.
struct Version {
    parts: [u64; 3],
    given: usize,
    pre: Vec<String>,
}

fn parse(text: &str) -> Result<Version, String> {
    let bad = || format!("invalid semantic version: {text:?}");
    let t = text.trim().trim_start_matches(['v', 'V']);
    let t = t.split_once('+').map_or(t, |(v, _)| v);
    let (core, pre) = match t.split_once('-') {
        Some((c, p)) => (c, p.split('.').map(str::to_string).collect()),
        None => (t, Vec::new()),
    };
    let mut parts = [0u64; 3];
    let mut given = 0;
    for (i, p) in core.split('.').enumerate() {
        if i > 2 {
            return Err(bad());
        }
        if matches!(p, "x" | "X" | "*") {
            break;
        }
        parts[i] = p.parse().map_err(|_| bad())?;
        given = i + 1;
    }
    Ok(Version { parts, given, pre })
}

fn cmp(a: &Version, b: &Version) -> Ordering {
    a.parts.cmp(&b.parts).then_with(|| match (a.pre.is_empty(), b.pre.is_empty()) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => {
            for (x, y) in a.pre.iter().zip(&b.pre) {
                let o = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(p), Ok(q)) => p.cmp(&q),
                    (Ok(_), Err(_)) => Ordering::Less,
                    (Err(_), Ok(_)) => Ordering::Greater,
                    _ => x.cmp(y),
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.pre.len().cmp(&b.pre.len())
        }
    })
}

/// The version just past the range a partial or caret/tilde constraint covers.
fn bump(c: &Version, at: usize) -> Version {
    let mut parts = [0u64; 3];
    parts[..at].copy_from_slice(&c.parts[..at]);
    parts[at - 1] += 1;
    Version { parts, given: 3, pre: vec!["0".into()] }
}

fn check(op: &str, c: &Version, v: &Version) -> bool {
    // A prerelease matches only a constraint that names a prerelease itself.
    if !v.pre.is_empty() && c.pre.is_empty() {
        return false;
    }
    let ge = cmp(v, c) != Ordering::Less;
    let below = |at: usize| cmp(v, &bump(c, at)) == Ordering::Less;
    match op {
        "" | "=" if c.given < 3 => c.given == 0 || (ge && below(c.given)),
        "" | "=" => cmp(v, c) == Ordering::Equal,
        "!=" if c.given < 3 => !(c.given == 0 || (ge && below(c.given))),
        "!=" => cmp(v, c) != Ordering::Equal,
        ">" if c.given < 3 && c.given > 0 => !below(c.given),
        ">" => cmp(v, c) == Ordering::Greater,
        ">=" | "=>" => ge,
        "<" => cmp(v, c) == Ordering::Less,
        "<=" | "=<" if c.given < 3 && c.given > 0 => below(c.given),
        "<=" | "=<" => cmp(v, c) != Ordering::Greater,
        "~" | "~>" => ge && below(if c.given >= 2 { 2 } else { 1.max(c.given) }),
        "^" => {
            let at = match c.parts {
                [0, 0, _] if c.given >= 3 => 3,
                [0, _, _] if c.given >= 2 => 2,
                _ => 1,
            };
            ge && below(at)
        }
        _ => false,
    }
}

/// Whether `version` meets `constraint`.
pub fn matches(constraint: &str, version: &str) -> Result<bool, String> {
    let v = parse(version)?;
    for group in constraint.split("||") {
        let mut all = true;
        let mut any = false;
        for item in group.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
            let item = item.trim();
            let split = item.find(|c: char| c.is_ascii_alphanumeric() || c == '*').unwrap_or(item.len());
            let (op, text) = item.split_at(split);
            if !matches!(op, "" | "=" | "!=" | ">" | "<" | ">=" | "=>" | "<=" | "=<" | "~" | "~>" | "^") {
                return Err(format!("improper constraint: {constraint}"));
            }
            let c = parse(text).map_err(|_| format!("improper constraint: {constraint}"))?;
            any = true;
            all &= check(op, &c, &v);
        }
        if any && all {
            return Ok(true);
        }
    }
    Ok(false)
}
