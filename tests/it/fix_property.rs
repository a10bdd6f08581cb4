//! `--fix` on damaged and odd input: the fires fixtures of the fixable rules, mutated at random
//! (quotes, line breaks, CRLF, tabs, comments, braces, non-ASCII text inserted; ranges
//! deleted). Fixing never panics, never makes a file its family can no longer parse, and a
//! second fix of the result changes nothing.

use std::path::PathBuf;

use gen_core::diag::Source;
use gen_core::lint::{self, Artifact};
use proptest::prelude::*;

/// The fires fixtures of the rules that have a fix, with their family.
fn seeds() -> Vec<(&'static str, String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    for family in ["dockerfile", "workflow", "kubernetes"] {
        let mut dirs: Vec<PathBuf> =
            std::fs::read_dir(root.join(family)).expect("fixtures").flatten().map(|e| e.path()).collect();
        dirs.sort();
        for dir in dirs {
            let code = dir.file_name().expect("name").to_string_lossy().into_owned();
            if gen_core::fix::fixer(&code).is_none() {
                continue;
            }
            let mut files: Vec<PathBuf> = std::fs::read_dir(&dir).expect("dir").flatten().map(|e| e.path()).collect();
            files.sort();
            for file in
                files.into_iter().filter(|f| f.file_name().is_some_and(|n| n.to_string_lossy().starts_with("fires")))
            {
                let name = file.file_name().expect("name").to_string_lossy().into_owned();
                out.push((family, name, std::fs::read_to_string(&file).expect("read")));
            }
        }
    }
    out
}

/// The findings of a text, as the family reports them.
fn lint(family: &dyn lint::Family, name: &str, text: &str) -> Vec<gen_core::diag::Diagnostic> {
    let artifact = Artifact::hand_written(Source::new(name, text));
    lint::lint_files(family, &mut std::iter::once(artifact)).diagnostics
}

/// The codes of the rules that say a file does not parse.
const SYNTAX: [&str; 3] = ["DF010", "K8S001", "GHA001"];

const PIECES: [&str; 16] =
    [" ", "\n", "\r\n", "\t", "#", "- ", ": ", "{", "}", "\"", "'", "\\\n", "$X", " && ", "é", "    "];

fn mutate(text: &str, ops: &[(usize, usize, usize)]) -> String {
    let mut text = text.to_string();
    for &(kind, at, len) in ops {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        if kind % 3 == 0 {
            let mut end = (at + len % 24).min(text.len());
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.replace_range(at..end, "");
        } else {
            text.insert_str(at, PIECES[len % PIECES.len()]);
        }
    }
    text
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn fixing_damaged_input_never_panics_breaks_parsing_or_fixes_twice(
        seed in 0usize..64,
        ops in proptest::collection::vec((0usize..3, 0usize..10_000, 0usize..64), 0..4),
    ) {
        let seeds = seeds();
        let (family_name, name, text) = &seeds[seed % seeds.len()];
        let family = lint::family(family_name).expect("family");
        let text = mutate(text, &ops);
        let found = lint(family, name, &text);
        let fixed = gen_core::fix::fix_text(family, name, &text, &found, true);
        let parsed = |diags: &[gen_core::diag::Diagnostic]| !diags.iter().any(|d| SYNTAX.contains(&d.rule.code));
        let after = lint(family, name, &fixed.text);
        prop_assert!(!parsed(&found) || parsed(&after), "a fix broke parsing:\n{}\n→\n{}", text, fixed.text);
        let again = gen_core::fix::fix_text(family, name, &fixed.text, &after, true);
        prop_assert_eq!(&again.text, &fixed.text, "a second fix changed the text of\n{}", text);
    }
}
