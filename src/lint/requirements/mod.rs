//! The pip requirements family (`requirements*.txt`, `requirements/*.txt`): the lock files a
//! Dockerfile installs with `pip install --require-hashes -r`. In hash-checking mode pip
//! refuses the whole install for one requirement without a hash or not pinned to one version,
//! so `docker build` fails on a file every other check passed; these rules say so at the line.
//!
//! A file is in hash-checking mode as pip decides it (one requirement carries `--hash`), when
//! pip-compile wrote it with `--generate-hashes` (its header says so), or when gen renders it
//! (a blueprint's `kind: requirements` file: gen's Dockerfiles and workflows install it with
//! `--require-hashes`; a service's own copy in the output folder is linted as that file).

mod rules;

pub use rules::CHECKS;

use std::sync::{Arc, Mutex};

use super::{Artifact, Emit, Family, Recognition, drive};
use crate::diag::{Rule, Span};

pub static FAMILY: RequirementsFamily = RequirementsFamily;

pub struct RequirementsFamily;

impl Family for RequirementsFamily {
    fn name(&self) -> &'static str {
        "requirements"
    }

    fn rules(&self) -> Vec<&'static Rule> {
        CHECKS.iter().map(|c| c.rule).collect()
    }

    fn comments(&self, text: &str) -> Vec<Span> {
        parse(text).comments
    }

    fn recognises(&self, path: &str, _text: &str) -> Recognition {
        let name = super::file_name(path);
        let in_folder = path.strip_suffix(name).unwrap_or_default().trim_end_matches(['/', '\\']);
        let folder = super::file_name(in_folder);
        let txt = name.ends_with(".txt");
        if txt && (name.starts_with("requirements") || folder == "requirements") {
            Recognition::Yes
        } else {
            Recognition::No
        }
    }

    fn lint(&self, files: &mut dyn Iterator<Item = Artifact>, emit: &mut Emit<'_>) {
        drive(CHECKS, files, |a: &Artifact| Document::new(a.clone()), &mut |file, mut found| {
            found.sort_by_key(|d| d.span);
            emit(file, found)
        });
    }
}

/// One requirement of the file: its specifier and the options written on its line.
#[derive(Debug)]
pub struct Requirement {
    /// The specifier as written (`flask==3.1.0`, `flask[async]>=3`, `./pkg`), or the path of
    /// an editable one.
    pub spec: String,
    pub span: Span,
    pub editable: bool,
    pub hashes: usize,
}

impl Requirement {
    /// The package's name as pip compares names ([`canonical_name`]).
    pub fn name(&self) -> String {
        canonical_name(&self.spec)
    }

    /// Whether it is a direct reference (a URL, a path, `name @ url`): pip installs that file
    /// by its hash alone, pinned or not (pip's `is_direct`).
    pub fn direct(&self) -> bool {
        let spec = self.spec.split(';').next().unwrap_or_default();
        self.editable
            || spec.contains("://")
            || spec.contains(" @ ")
            || (spec.contains('@') && !spec.contains("=="))
            || spec.starts_with(['.', '/', '~'])
            || spec.ends_with(".whl")
            || spec.ends_with(".tar.gz")
            || spec.ends_with(".zip")
    }

    /// Whether it holds an environment marker (`; python_version < "3.0"`): pip skips it where
    /// the marker is false, which gen does not know of the image that installs it.
    pub fn marked(&self) -> bool {
        self.spec.contains(';')
    }

    /// Whether it is pinned as pip's hash-checking mode requires: one specifier, `==` or `===`
    /// (pip's `is_pinned`, which takes `==1.*` as pinned too).
    pub fn pinned(&self) -> bool {
        let spec = self.spec.split(';').next().unwrap_or_default();
        let Some(at) = spec.find("==") else { return false };
        let version = spec[at..].trim_start_matches('=').trim();
        !version.is_empty() && !version.contains([',', '<', '>', '!', '~']) && !self.editable
    }
}

/// The name a specifier starts with, as pip compares names (PEP 503: lower case, each run of
/// `-`, `_` and `.` one `-`): `Zope.Interface[x]>=7` is `zope-interface`. Empty for a direct
/// reference by path or URL.
pub fn canonical_name(spec: &str) -> String {
    let spec = spec.trim();
    let end = spec.find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))).unwrap_or(spec.len());
    let mut name = String::with_capacity(end);
    for c in spec[..end].to_ascii_lowercase().chars() {
        let c = if matches!(c, '_' | '.') { '-' } else { c };
        if !(c == '-' && name.ends_with('-')) {
            name.push(c);
        }
    }
    name
}

/// A requirements file, read as pip reads it.
#[derive(Debug, Default)]
pub struct Parsed {
    pub requirements: Vec<Requirement>,
    /// Whether the file says `--require-hashes` itself (an option line).
    pub requires_hashes: bool,
    /// Each comment, from its `#` to the end of its line.
    pub comments: Vec<Span>,
}

/// The files a requirements file includes (`-r FILE`, `--requirement FILE`, `-c FILE`,
/// `--constraint FILE`, or with `=`), each with its line (from 1).
pub fn includes(text: &str) -> Vec<(usize, String)> {
    let mut found = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split(" #").next().unwrap_or("").trim();
        let (flag, file) = match line.split_once([' ', '\t', '=']) {
            Some((flag, rest)) => (flag, rest.trim()),
            // `-rbase.txt`: a short option and its value, joined.
            None if line.len() > 2 && (line.starts_with("-r") || line.starts_with("-c")) => (&line[..2], &line[2..]),
            None => continue,
        };
        if matches!(flag, "-r" | "-c" | "--requirement" | "--constraint") && !file.is_empty() {
            found.push((n + 1, file.to_string()));
        }
    }
    found
}

/// Reads `text` as pip does: a `\` at the end of a line joins it to the next; `#` at the start
/// of a line or after a blank starts a comment; a line starting with `-` is an option (`-r`,
/// `--index-url`), but `-e`/`--editable` is a requirement; a requirement's own options
/// (`--hash=...`) follow it on its (joined) line.
pub fn parse(text: &str) -> Parsed {
    let mut parsed = Parsed::default();
    // Logical lines: (start offset, the physical lines' pieces with their offsets).
    let mut logical: Vec<Vec<(usize, &str)>> = Vec::new();
    let mut open = false;
    let mut at = 0;
    for raw in text.split_inclusive('\n') {
        let start = at;
        at += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        // The comment of this physical line.
        let mut code = line;
        let mut prev_blank = true;
        for (i, c) in line.char_indices() {
            if c == '#' && prev_blank {
                parsed.comments.push(Span::new(start + i, start + line.len()));
                code = &line[..i];
                break;
            }
            prev_blank = c.is_whitespace();
        }
        let continued = code.trim_end().ends_with('\\');
        let piece = if continued { code.trim_end().trim_end_matches('\\') } else { code };
        if open {
            if let Some(last) = logical.last_mut() {
                last.push((start, piece));
            }
        } else {
            logical.push(vec![(start, piece)]);
        }
        open = continued;
    }
    for pieces in logical {
        // Words with their offsets, across the pieces.
        let mut words: Vec<(usize, &str)> = Vec::new();
        for (start, piece) in pieces {
            let mut rest = piece;
            let mut offset = start;
            while let Some(i) = rest.find(|c: char| !c.is_whitespace()) {
                let word_start = offset + i;
                let tail = &rest[i..];
                let len = tail.find(char::is_whitespace).unwrap_or(tail.len());
                words.push((word_start, &tail[..len]));
                offset = word_start + len;
                rest = &tail[len..];
            }
        }
        let Some(&(first_at, first)) = words.first() else { continue };
        let hashes = words.iter().filter(|(_, w)| w.starts_with("--hash")).count();
        let (editable, spec_word) = if first == "-e" || first == "--editable" {
            (true, words.get(1).copied())
        } else if let Some(path) = first.strip_prefix("--editable=").or_else(|| first.strip_prefix("-e")) {
            (true, Some((first_at + first.len() - path.len(), path)))
        } else if first.starts_with('-') {
            parsed.requires_hashes |= words.iter().any(|(_, w)| *w == "--require-hashes");
            continue;
        } else {
            (false, Some((first_at, first)))
        };
        let Some((spec_at, _)) = spec_word else { continue };
        // The specifier runs to the first option (`--hash`), spaces included (`flask == 3`).
        let end = words
            .iter()
            .skip_while(|(at, _)| *at < spec_at)
            .take_while(|(_, w)| !w.starts_with('-'))
            .last()
            .map_or(spec_at, |(at, w)| at + w.len());
        let spec: String = text[spec_at..end].split_whitespace().collect::<Vec<_>>().join(" ");
        parsed.requirements.push(Requirement { spec, span: Span::new(spec_at, end), editable, hashes });
    }
    parsed
}

/// How many of the texts last parsed [`parsed`] keeps.
const RECENT: usize = 4;

/// [`parse`] of `text`, read once per process for the texts last parsed: the services of a
/// project install locks rendered from one template, the same text for each (at 1,000
/// services, 2,000 files of 15 KB read again were 7% of `gen lint`). The few texts kept are
/// compared whole; any other is parsed as it comes.
fn parsed(text: &str) -> Arc<Parsed> {
    static LAST: Mutex<Vec<(Arc<str>, Arc<Parsed>)>> = Mutex::new(Vec::new());
    let found = LAST.lock().ok().and_then(|last| last.iter().find(|(t, _)| **t == *text).map(|(_, p)| p.clone()));
    if let Some(parsed) = found {
        return parsed;
    }
    let parsed = Arc::new(parse(text));
    if let Ok(mut last) = LAST.lock() {
        if last.len() == RECENT {
            last.remove(0);
        }
        last.push((text.into(), parsed.clone()));
    }
    parsed
}

/// A requirements file with what is known of how it is installed.
pub struct Document {
    pub artifact: Artifact,
    pub parsed: Arc<Parsed>,
    /// Whether pip installs it in hash-checking mode, and why.
    pub hash_mode: Option<&'static str>,
}

impl Document {
    pub fn new(artifact: Artifact) -> Document {
        let text = artifact.source.text();
        let parsed = parsed(text);
        let compiled_with_hashes = parsed.comments.iter().any(|c| {
            let comment = &text[c.start..c.end];
            comment.contains("pip-compile") && comment.contains("--generate-hashes")
        });
        let hash_mode = if parsed.requires_hashes {
            Some("the file asks for `--require-hashes`")
        } else if artifact.path.is_some() {
            Some("gen installs this file with `pip install --require-hashes`")
        } else if parsed.requirements.iter().any(|r| r.hashes > 0) {
            Some("a requirement of this file has a hash, which puts pip in hash-checking mode for all of them")
        } else if compiled_with_hashes {
            Some("pip-compile wrote it with `--generate-hashes`, to be installed with `--require-hashes`")
        } else {
            None
        };
        Document { artifact, parsed, hash_mode }
    }

    pub fn file(&self) -> &str {
        self.artifact.source.name()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_continued_requirement_keeps_its_hashes_and_a_comment_is_not_one() {
        let text = "# header\nflask==3.1.0 \\\n    --hash=sha256:aa \\\n    --hash=sha256:bb\n    # via x\n-r base.txt\n--index-url https://pypi.org/simple\nrequests >= 2 # latest\n-e ./local\nurl#egg=x\n";
        let parsed = parse(text);
        let found: Vec<(&str, usize, bool)> =
            parsed.requirements.iter().map(|r| (r.spec.as_str(), r.hashes, r.editable)).collect();
        assert_eq!(
            found,
            [("flask==3.1.0", 2, false), ("requests >= 2", 0, false), ("./local", 0, true), ("url#egg=x", 0, false)]
        );
        assert_eq!(&text[parsed.requirements[1].span.start..parsed.requirements[1].span.end], "requests >= 2");
        assert_eq!(parsed.comments.len(), 3);
        assert!(parsed.requirements[0].pinned());
        assert!(!parsed.requirements[1].pinned());
        assert!(Requirement { spec: "x==1.*".into(), span: Span::new(0, 0), editable: false, hashes: 0 }.pinned());
        assert!(
            !Requirement { spec: "x==1.0,!=1.1".into(), span: Span::new(0, 0), editable: false, hashes: 0 }.pinned()
        );
        assert!(
            Requirement {
                spec: "x===1.0; python_version>'3'".into(),
                span: Span::new(0, 0),
                editable: false,
                hashes: 0
            }
            .pinned()
        );
    }
}
