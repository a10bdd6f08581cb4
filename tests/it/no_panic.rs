//! No input panics the spec loader, the YAML document loader, the Dockerfile parser, the
//! Kubernetes manifests' decoding, the Terraform (HCL) parser, the rules or the reports: arbitrary bytes, and text built
//! from pieces of real files.

use proptest::prelude::*;

use gen_core::diag::{Findings, Source};
use gen_core::lint::{Artifact, dockerfile, kubernetes, lint_files, terraform};

fn load_and_check(bytes: &[u8]) {
    if let Ok(loaded) = gen_core::spec::load("p.yaml", bytes) {
        let diags = gen_core::spec::check(&loaded);
        let mut ignores = gen_core::lint::ignore::SpecIgnores::new(&loaded, &gen_core::registry::LOOKUP);
        let _ = ignores.silence(diags);
        let _ = ignores.report(true);
    }
}

/// Loads a YAML stream as a manifest would be, and walks every node's span.
fn load_stream(bytes: &[u8]) {
    let loaded = gen_core::yaml::load("m.yaml", bytes, &gen_core::spec::syntax::POLICY);
    if let Ok(docs) = loaded.documents {
        for doc in docs {
            let _ = doc.root.to_json();
            let _ = loaded.source.position(doc.root.span);
        }
    }
}

/// Lints a Dockerfile's text through the family and renders every report format.
fn lint_dockerfile(text: &str) {
    let file = Artifact::hand_written(Source::new("Dockerfile", text));
    let findings: Findings = lint_files(&dockerfile::FAMILY, &mut std::iter::once(file));
    let human = gen_core::report::human(&findings, false);
    assert!(human.len() < 64 * 1024 + 16 * text.len(), "the report grows with its input");
    let _ = gen_core::report::json(&findings).expect("JSON");
    let _ = gen_core::report::sarif(&findings).expect("SARIF");
    let _ = gen_core::report::github(&findings);
}

/// Lints manifests through the Kubernetes family as one set of files (so the rules that
/// relate objects see them all), and renders the reports.
fn lint_manifests(texts: &[String]) {
    let mut files =
        texts.iter().enumerate().map(|(i, t)| Artifact::hand_written(Source::new(format!("m{i}.yaml"), t.clone())));
    let findings: Findings = lint_files(&kubernetes::FAMILY, &mut files);
    let _ = gen_core::report::human(&findings, false);
    let _ = gen_core::report::json(&findings).expect("JSON");
}

/// Lints Terraform files through the family as one module (so the rules that relate blocks
/// see them all), and renders the reports.
fn lint_terraform(texts: &[String]) {
    let mut files =
        texts.iter().enumerate().map(|(i, t)| Artifact::hand_written(Source::new(format!("m/f{i}.tf"), t.clone())));
    let findings: Findings = lint_files(&terraform::FAMILY, &mut files);
    let _ = gen_core::report::human(&findings, false);
    let _ = gen_core::report::json(&findings).expect("JSON");
    let _ = gen_core::report::sarif(&findings).expect("SARIF");
}

/// Every line of every Terraform fixture, for files built from pieces of real ones.
fn terraform_lines() -> &'static [String] {
    static LINES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/terraform");
        let mut lines: Vec<String> = walkdir::WalkDir::new(root)
            .into_iter()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "tf"))
            .flat_map(|e| {
                let text = std::fs::read_to_string(e.path()).expect("read");
                text.lines().map(|l| format!("{l}\n")).collect::<Vec<_>>()
            })
            .chain(TERRAFORM_PIECES.iter().map(|p| p.to_string()))
            .collect();
        lines.sort();
        lines.dedup();
        lines
    })
}

/// Pieces of HCL that the fixtures do not have: heredocs, templates, comments, odd bytes.
const TERRAFORM_PIECES: &[&str] = &[
    "x = <<EOT\n",
    "x = <<-EOT\n",
    "EOT\n",
    "y = \"${var.a}%{ if true }b%{ endif }\"\n",
    "z = [for k, v in var.m : v if k != \"\"]\n",
    "dynamic \"set\" {\n",
    "content {\n",
    "/* c */\n",
    "// c\n",
    "\u{feff}",
    "subject = \"repo:${\n",
    "scope = \"/subscriptions/${var.s}/resourceGroups/\"\n",
    "ignore_changes = all\n",
    "{",
    "}",
    "\"",
    "é",
    "\r\n",
];

/// The text of every Kubernetes fixture, folders' files one by one.
fn kubernetes_fixtures() -> Vec<String> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/kubernetes");
    let mut texts: Vec<(std::path::PathBuf, String)> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .map(|e| (e.path().to_path_buf(), std::fs::read_to_string(e.path()).expect("read")))
        .collect();
    texts.sort();
    texts.into_iter().map(|(_, t)| t).collect()
}

/// Every line of every Kubernetes fixture, for manifests built from pieces of real ones.
fn manifest_lines() -> &'static [String] {
    static LINES: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    LINES.get_or_init(|| {
        let mut lines: Vec<String> =
            kubernetes_fixtures().iter().flat_map(|t| t.lines().map(|l| format!("{l}\n"))).collect();
        lines.sort();
        lines.dedup();
        lines
    })
}

const SPEC_PIECES: &[&str] = &[
    "apiVersion: gen/v1\n",
    "kind: Project\n",
    "metadata: {name: x}\n",
    "services:\n",
    "  - name: a\n",
    "    port: 0\n",
    "    port: 5000.0\n",
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
    "!!int 5\n",
    "%YAML 1.2\n",
    "#c\n",
    "\u{feff}",
    "é",
    "\u{0}",
    "key: &x v\n",
    "k2: *x\n",
    "platform: {azure: {aks: {name: ''}}}\n",
    "    env: {TOKEN: x}\n",
    "lint: {ignore: [{rule: '', reason: r, path: 'services[9]'}]}\n",
];

const DOCKERFILE_PIECES: &[&str] = &[
    "FROM python:3.12-slim AS b\n",
    "FROM b\n",
    "FROM $IMG\n",
    "ARG IMG=python\n",
    "RUN pip install x \\\n",
    "  && apt-get install -y curl\n",
    "RUN <<EOF\n",
    "RUN <<-'EOT' cat\n",
    "EOF\n",
    "\tEOT\n",
    "CMD [\"gunicorn\", \"--bind\", \"127.0.0.1:5000\"]\n",
    "CMD [\"a\", [\"nested\"]]\n",
    "ENTRYPOINT [\n",
    "ENV A=1 B=\"2 3\" C='x\n",
    "ENV PORT 5000\n",
    "EXPOSE 5000/tcp $PORT 1-2\n",
    "USER root\n",
    "USER $U:0\n",
    "HEALTHCHECK --interval=5s CMD curl -f http://localhost/\n",
    "ONBUILD RUN echo\n",
    "# escape=`\n",
    "# syntax=docker/dockerfile:1\n",
    "# gen:ignore DF006\n",
    "# gen:ignore-file DF001 reason\n",
    "COPY --from=b --chown=1:1 /a /b\n",
    "ADD http://x/y.tar.gz /\n",
    "\\\n",
    "`\n",
    "\n",
    "\r\n",
    " ",
    "\u{1b}[2J",
    "\u{202e}",
    "é",
    "\"",
    "'",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic_the_spec_loader(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        load_and_check(&bytes);
        load_stream(&bytes);
    }

    #[test]
    fn spec_shaped_yaml_never_panics(picks in proptest::collection::vec(0..SPEC_PIECES.len(), 0..40)) {
        let text: String = picks.into_iter().map(|i| SPEC_PIECES[i]).collect();
        load_and_check(text.as_bytes());
        load_stream(text.as_bytes());
    }

    #[test]
    fn arbitrary_text_never_panics_the_dockerfile_parser_or_its_rules(text in "\\PC{0,400}") {
        lint_dockerfile(&text);
    }

    #[test]
    fn manifests_built_from_lines_of_real_ones_never_panic_the_kubernetes_rules(
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..80),
        split in any::<proptest::sample::Index>(),
    ) {
        let lines = manifest_lines();
        let text: String = picks.iter().map(|i| i.get(lines).as_str()).collect();
        let at = split.index(text.len() + 1);
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        lint_manifests(&[text[..at].to_string(), text[at..].to_string()]);
    }

    #[test]
    fn arbitrary_text_never_panics_the_terraform_parser_or_its_rules(text in "\\PC{0,400}") {
        lint_terraform(&[text]);
    }

    #[test]
    fn terraform_built_from_lines_of_real_files_never_panics_its_rules(
        picks in proptest::collection::vec(any::<proptest::sample::Index>(), 0..80),
        split in any::<proptest::sample::Index>(),
    ) {
        let lines = terraform_lines();
        let text: String = picks.iter().map(|i| i.get(lines).as_str()).collect();
        let at = split.index(text.len() + 1);
        let at = (0..=at).rev().find(|i| text.is_char_boundary(*i)).unwrap_or(0);
        lint_terraform(&[text[..at].to_string(), text[at..].to_string()]);
    }

    #[test]
    fn dockerfile_shaped_text_never_panics(picks in proptest::collection::vec(0..DOCKERFILE_PIECES.len(), 0..60)) {
        let text: String = picks.into_iter().map(|i| DOCKERFILE_PIECES[i]).collect();
        lint_dockerfile(&text);
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

#[test]
fn every_kubernetes_fixture_with_every_line_dropped_never_panics() {
    for text in kubernetes_fixtures() {
        let lines: Vec<&str> = text.lines().collect();
        for skip in 0..lines.len() {
            let cut: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, l)| *l).collect();
            lint_manifests(&[cut.join("\n")]);
        }
    }
}

#[test]
fn a_keyword_after_a_line_continuation_is_marked_on_whole_characters() {
    // Found by dockerfile_shaped_text_never_panics: a finding at the keyword of an
    // instruction that starts with a line continuation once cut a character in two.
    lint_dockerfile("\\\n\u{202e}");
    lint_dockerfile("\\\n\\\n\u{e9}\u{202e} x");
}
