//! gen's Dockerfile parser against BuildKit's own test corpus
//! (`../shared/conformance/buildkit-dockerfile-parser`, read in place, never copied): for
//! every file BuildKit reads, the same instructions, flags and arguments, in the form BuildKit's
//! `Node.Dump()` prints them; for every file it refuses, an error.

use std::path::PathBuf;

use gen_core::lint::dockerfile::parser::{Instruction, parse};

/// The corpus: `GEN_CONFORMANCE_DIR`, or `shared/conformance` beside the repository, or the
/// workplace's own copy.
fn corpus() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("GEN_CONFORMANCE_DIR").map(PathBuf::from),
        Some(here.join("../shared/conformance")),
        Some(PathBuf::from("/work/shared/conformance")),
    ];
    let dir = candidates
        .into_iter()
        .flatten()
        .map(|d| d.join("buildkit-dockerfile-parser"))
        .find(|d| d.join("testfiles").is_dir());
    dir.expect("BuildKit's parser corpus: set GEN_CONFORMANCE_DIR to the shared conformance folder")
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c == '\u{7f}' => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// BuildKit's `Node.Dump()` of one instruction.
fn dump(inst: &Instruction) -> String {
    let mut s = inst.keyword.to_ascii_lowercase();
    if !inst.flags.is_empty() {
        let flags: Vec<String> = inst.flags.iter().map(|f| go_quote(f)).collect();
        s.push_str(&format!(" [{}]", flags.join(" ")));
    }
    if let Some(sub) = &inst.sub {
        s.push_str(&format!(" ({})", dump(sub)));
    }
    for arg in &inst.args {
        s.push(' ');
        s.push_str(&go_quote(arg));
    }
    s.trim().to_string()
}

fn cases(folder: &str) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(corpus().join(folder))
        .expect("corpus folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("Dockerfile").is_file())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_file_buildkit_reads_gives_buildkits_instructions() {
    let dirs = cases("testfiles");
    assert!(dirs.len() >= 30, "only {} cases found", dirs.len());
    let mut failures = Vec::new();
    for dir in &dirs {
        let text = String::from_utf8(std::fs::read(dir.join("Dockerfile")).expect("read")).expect("UTF-8");
        let expected = std::fs::read_to_string(dir.join("result")).expect("result");
        match parse(&text) {
            Ok(df) => {
                let got: String = df.instructions.iter().map(|i| format!("({})\n", dump(i))).collect();
                if got != expected {
                    failures.push(format!("{}:\n--- buildkit\n{expected}--- gen\n{got}", dir.display()));
                }
            }
            Err(e) => failures.push(format!("{}: refused: {}", dir.display(), e.message)),
        }
    }
    assert!(failures.is_empty(), "{} of {} cases differ:\n{}", failures.len(), dirs.len(), failures.join("\n"));
}

#[test]
fn every_file_buildkit_refuses_is_an_error() {
    let dirs = cases("testfiles-negative");
    assert!(dirs.len() >= 4);
    for dir in dirs {
        let text = String::from_utf8_lossy(&std::fs::read(dir.join("Dockerfile")).expect("read")).into_owned();
        assert!(parse(&text).is_err(), "{} was accepted", dir.display());
    }
}
