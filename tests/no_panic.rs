//! No input panics the loader or the rules: arbitrary bytes, and YAML built from spec pieces.

use proptest::prelude::*;

fn load_and_check(bytes: &[u8]) {
    if let Ok(loaded) = gen_core::spec::load("p.yaml", bytes) {
        let diags = gen_core::spec::check(&loaded);
        let _ = gen_core::registry::apply_ignores(&loaded, diags);
    }
}

const PIECES: &[&str] = &[
    "apiVersion: gen/v1\n",
    "kind: Project\n",
    "metadata: {name: x}\n",
    "services:\n",
    "  - name: a\n",
    "    port: 0\n",
    "    resources: {requests: {cpu: 1e400}}\n",
    "&a [*a]\n",
    "*b\n",
    "? [a]\n: b\n",
    "{",
    "}",
    "[",
    "]",
    "'",
    "\"",
    "\t",
    "- ",
    ": ",
    "---\n",
    "...\n",
    "!!binary x\n",
    "%YAML 1.2\n",
    "#c\n",
    "\u{feff}",
    "é",
    "\u{0}",
    "key: &x v\n",
    "k2: *x\n",
    "platform: {azure: {aks: {name: ''}}}\n",
    "    env: {TOKEN: x}\n",
    "lint: {ignore: [{rule: '', reason: r}]}\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_and_check(&bytes);
    }

    #[test]
    fn spec_shaped_yaml_never_panics(picks in proptest::collection::vec(0..PIECES.len(), 0..40)) {
        let text: String = picks.into_iter().map(|i| PIECES[i]).collect();
        load_and_check(text.as_bytes());
    }
}

#[test]
fn every_fixture_with_every_line_dropped_never_panics() {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/specs/full.yaml")).expect("read");
    let lines: Vec<&str> = text.lines().collect();
    for skip in 0..lines.len() {
        let cut: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
        load_and_check(cut.join("\n").as_bytes());
    }
}
