//! Hostile and broken specs: a clear message with a location (or a reason for none), exit 2,
//! and no panic.

use crate::common;

use std::path::Path;

use common::{Gen, lint_json};

fn write(dir: &Path, bytes: &[u8]) -> std::path::PathBuf {
    let path = dir.join("spec.yaml");
    std::fs::write(&path, bytes).expect("write");
    path
}

/// Lints `bytes` and returns the run, asserting exit 2 and no panic.
fn lint_bytes(bytes: &[u8]) -> common::Run {
    let dir = tempfile::tempdir().expect("tempdir");
    let run = lint_json(&write(dir.path(), bytes));
    assert_eq!(run.code, 2, "stdout: {}\nstderr: {}", run.stdout, run.stderr);
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    // A hang would be a bug; this guards against one without measuring speed.
    assert!(run.elapsed.as_secs() < 20);
    run
}

#[test]
fn an_empty_file_is_an_empty_spec() {
    assert_eq!(lint_bytes(b"").findings(), vec![("SPEC003".into(), 0, 0)]);
    assert_eq!(lint_bytes(b"# only a comment\n").codes(), vec!["SPEC003"]);
    assert_eq!(lint_bytes(b"---\n").codes(), vec!["SPEC003"]);
}

#[test]
fn text_that_is_not_yaml_is_a_syntax_error_with_its_position() {
    let run = lint_bytes(b"apiVersion: gen/v1\nkind: [Project\n");
    let (code, line, _) = &run.findings()[0];
    assert_eq!(code, "SPEC001");
    assert!(*line >= 2, "{:?}", run.findings());
    assert_eq!(lint_bytes(b"a: 'unclosed\n").codes(), vec!["SPEC001"]);
    assert_eq!(lint_bytes(b"a: b: c\n").codes(), vec!["SPEC001"]);
}

#[test]
fn a_top_level_list_or_scalar_is_a_type_error() {
    assert_eq!(lint_bytes(b"- a\n- b\n").findings(), vec![("SPEC012".into(), 1, 1)]);
    assert_eq!(lint_bytes(b"just a string\n").findings(), vec![("SPEC012".into(), 1, 1)]);
}

#[test]
fn wrong_types_are_reported_with_a_quote_it_hint() {
    let text = std::fs::read_to_string(common::fixture("specs/valid.yaml")).expect("read");
    let text = text
        .replace("replicas: 3", "replicas: three")
        .replace("kubernetesVersion: \"1.36\"", "kubernetesVersion: 1.30");
    let run = lint_bytes(text.as_bytes());
    assert_eq!(run.findings(), vec![("SPEC012".into(), 8, 46), ("SPEC012".into(), 20, 15)]);
    assert!(run.stdout.contains("quote it to keep it a string: \\\"1.30\\\""), "{}", run.stdout);
}

#[test]
fn a_blueprint_param_written_as_a_number_gets_the_same_quote_it_hint() {
    let text = std::fs::read_to_string(common::fixture("specs/valid.yaml")).expect("read");
    for (written, help) in [("3.12", "quote it to keep it a string: \\\"3.12\\\""), ("3.10", "such as \\\"3.11\\\"")] {
        let edited = text.replace("pythonVersion: \"3.12\"", &format!("pythonVersion: {written}"));
        let run = lint_bytes(edited.as_bytes());
        assert_eq!(run.findings(), vec![("SPEC013".into(), 29, 29)], "{written}");
        // Shown as written (`3.10`, not the number YAML reads, 3.1), and told it is a number.
        assert!(run.stdout.contains(&format!("`{written}` is a number here")), "{}", run.stdout);
        assert!(run.stdout.contains(help), "{written}: {}", run.stdout);
    }
}

#[test]
fn an_unknown_key_at_every_level_is_reported_at_the_key() {
    let full = std::fs::read_to_string(common::fixture("specs/full.yaml")).expect("read");
    let lines: Vec<&str> = full.lines().collect();
    let mut tried = 0;
    for (i, line) in lines.iter().enumerate() {
        let key = line.trim_start().trim_start_matches("- ").trim_end();
        let opens_mapping = key.ends_with(':')
            && !matches!(
                key,
                "env:"
                    | "params:"
                    | "secretEnv:"
                    | "services:"
                    | "failOn:"
                    | "email:"
                    | "ignore:"
                    | "egress:"
                    | "ports:"
            );
        if !opens_mapping {
            continue;
        }
        let indent = lines.get(i + 1).map_or(0, |next| next.len() - next.trim_start().trim_start_matches("- ").len());
        let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
        edited.insert(i + 1, format!("{}replicaz: 1", " ".repeat(indent)));
        let run = lint_bytes(edited.join("\n").as_bytes());
        assert_eq!(run.findings(), vec![("SPEC010".into(), i + 2, indent + 1)], "under `{key}` (line {})", i + 1);
        tried += 1;
    }
    let run = lint_bytes(format!("replicaz: 1\n{full}").as_bytes());
    assert_eq!(run.findings(), vec![("SPEC010".into(), 1, 1)]);
    assert!(tried >= 20, "only {tried} mappings tried");
}

#[test]
fn an_unknown_key_suggests_the_closest_known_one() {
    let full = std::fs::read_to_string(common::fixture("specs/full.yaml")).expect("read");
    let dir = tempfile::tempdir().expect("tempdir");
    let run = Gen::new()
        .args(["lint"])
        .arg(write(dir.path(), full.replace("    replicas: 3", "    replica: 3").as_bytes()))
        .run();
    assert_eq!(run.code, 2);
    assert!(
        run.stdout.contains("unknown key `replica`") && run.stdout.contains("did you mean `replicas`?"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_billion_laughs_alias_bomb_is_refused() {
    let mut bomb = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"]) {
        bomb.push_str(&format!(
            "{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
        ));
    }
    let run = lint_bytes(bomb.as_bytes());
    assert_eq!(run.codes(), vec!["SPEC006"]);
    assert!(run.findings()[0].1 > 1, "points at the alias that overflows");
}

#[test]
fn ten_thousand_levels_of_nesting_are_refused() {
    let deep = format!("a: {}{}\n", "[".repeat(10_000), "]".repeat(10_000));
    let run = lint_bytes(deep.as_bytes());
    let findings = run.findings();
    assert_eq!(findings.len(), 1);
    assert_eq!((findings[0].0.as_str(), findings[0].1), ("SPEC006", 1));
    let deep_block: String = (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    assert_eq!(lint_bytes(deep_block.as_bytes()).codes(), vec!["SPEC006"]);
}

#[test]
fn invalid_utf8_is_reported_at_the_first_bad_byte() {
    let run = lint_bytes(b"apiVersion: gen/v1\nkind: Pro\xffject\n");
    assert_eq!(run.findings(), vec![("SPEC002".into(), 2, 10)]);
}

#[test]
fn a_50_mb_file_is_refused_without_reading_it_all() {
    // The limit is 16 MiB: room for thousands of services, far below what hurts.
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("spec.yaml");
    let line = "key: value that repeats for a long time\n";
    std::fs::write(&path, line.repeat(50 * 1024 * 1024 / line.len())).expect("write");
    let run = lint_json(&path);
    assert_eq!(run.code, 2);
    assert_eq!(run.findings(), vec![("SPEC006".into(), 0, 0)]);
    assert!(run.stdout.contains("larger than 16777216 bytes"), "{}", run.stdout);
}

#[test]
fn duplicate_keys_are_errors_at_the_second_key() {
    let run = lint_bytes(b"apiVersion: gen/v1\nkind: Project\napiVersion: gen/v2\n");
    assert_eq!(run.findings(), vec![("SPEC005".into(), 3, 1)]);
    let run = lint_bytes(b"a: {x: 1, y: 2, x: 3}\nb: 1\nb: 2\n");
    assert_eq!(run.findings(), vec![("SPEC005".into(), 1, 17), ("SPEC005".into(), 3, 1)]);
}

#[test]
fn a_second_document_is_refused() {
    let run = lint_bytes(b"apiVersion: gen/v1\n---\napiVersion: gen/v1\n");
    assert_eq!(run.findings(), vec![("SPEC004".into(), 2, 1)]);
}

#[test]
fn a_missing_file_is_an_io_error() {
    let run = Gen::new().args(["lint", "/nonexistent/spec.yaml"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stdout.contains("error[GEN001]: cannot read /nonexistent/spec.yaml"), "{}", run.stdout);
    let run = Gen::new().args(["render", "/nonexistent/spec.yaml"]).run();
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("cannot read /nonexistent/spec.yaml"), "{}", run.stderr);
}

#[test]
fn thousands_of_unknown_keys_give_a_short_report() {
    let text: String = (0..40_000).map(|i| format!("k{i}: {i}\n")).collect();
    let run = lint_bytes(text.as_bytes());
    let findings = run.findings();
    assert!(findings.len() <= 30, "{} findings", findings.len());
    assert!(run.stdout.contains("40000 unknown keys in this mapping"), "{}", &run.stdout[..500.min(run.stdout.len())]);
}

#[test]
fn a_port_out_of_range_is_reported_at_the_port() {
    let text = std::fs::read_to_string(common::fixture("specs/valid.yaml")).expect("read");
    let run = lint_bytes(text.replace("port: 5000", "port: 70000").as_bytes());
    assert_eq!(run.findings(), vec![("SPEC013".into(), 19, 11)]);
    assert!(run.stdout.contains("is above the maximum 65535"), "{}", run.stdout);
}

/// A host of `length` characters in `example.com`, every label valid.
fn long_host(length: usize) -> String {
    let mut labels = Vec::new();
    let mut left = length - ".example.com".len();
    while left > 0 {
        let label = left.min(63);
        labels.push("a".repeat(label));
        // A dot follows each label; the last label takes what remains without one.
        left = left.saturating_sub(label + 1);
        if left == 1 {
            // One character left would be an empty label after a dot: shorten this one.
            let last = labels.pop().expect("a label");
            labels.push("a".repeat(last.len() - 2));
            left = 2;
        }
    }
    let host = format!("{}.example.com", labels.join("."));
    assert_eq!(host.len(), length, "{host}");
    host
}

/// A host routed through the Gateway whose listener name (`https-<host>`) would pass the 253
/// characters a Gateway API listener name may have is refused at its line (an error of
/// `gen lint`; `gen render` exits 2 and writes nothing); one character shorter, it passes.
#[test]
fn a_host_too_long_for_its_gateway_listener_is_refused_at_its_line() {
    let spec = std::fs::read_to_string(common::root().join("spec.yaml")).expect("spec");
    assert!(spec.contains("host: \"shop.example.com\", path: /, tls: true"), "the reference spec's host");
    let line = spec.lines().position(|l| l.contains("host: \"shop.example.com\"")).expect("the host") + 1;
    let dir = tempfile::tempdir().expect("tempdir");
    let too_long = spec.replace("shop.example.com", &long_host(248));
    let run = common::lint_json(&write(dir.path(), too_long.as_bytes()));
    assert_eq!(run.code, 1, "an error finding: {}{}", run.stdout, run.stderr);
    let found: Vec<_> = run.findings().into_iter().filter(|f| f.0 == "SPEC106").collect();
    assert_eq!(found.len(), 1, "{}", run.stdout);
    assert_eq!(found[0].1, line, "{}", run.stdout);
    assert!(
        run.stdout.contains("is too long for the Gateway: its listener `https-<host>` would be 254 characters, over the 253 a Gateway API listener name may have"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("use a host of at most 247 characters"), "{}", run.stdout);
    let render = common::Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(render.code, 2, "{}{}", render.stdout, render.stderr);
    assert!(!dir.path().join("out").exists(), "nothing rendered");
    // 247 characters: the listener is 253, which the Gateway API accepts.
    let fits = spec.replace("shop.example.com", &long_host(247));
    write(dir.path(), fits.as_bytes());
    let run = common::lint_json(&dir.path().join("spec.yaml"));
    assert!(!run.codes().contains(&"SPEC106".to_string()), "{}", run.stdout);
}

#[test]
fn a_bad_service_name_is_reported_at_the_name_alone_not_again_through_what_derives_from_it() {
    // The tag prefix `<name>/v` is derived from the name: its problem is the name's.
    let text = "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  local: {}\nservices:\n  - port: 5000\n    name: \"shop api\"\n  - name: two\n    port: 5001\n";
    let lint = |text: &str| {
        let dir = tempfile::tempdir().expect("tempdir");
        lint_json(&write(dir.path(), text.as_bytes())).findings()
    };
    assert_eq!(lint(text), vec![("SPEC101".into(), 8, 11)]);
    // A prefix written is still checked at its line.
    let written = text.replace("    name: \"shop api\"\n", "    name: shop\n    release: {tagPrefix: \"shop v\"}\n");
    assert_eq!(lint(&written), vec![("SPEC134".into(), 9, 26)]);
}

#[test]
fn a_merge_key_is_reported_as_one_at_its_line_not_as_an_unknown_key() {
    let text = "apiVersion: gen/v1\nkind: Project\nmetadata: {name: shop}\nplatform:\n  local: {}\nservices:\n  - &base\n    name: shop\n    port: 5000\n  - name: cart\n    <<: *base\n";
    let run = lint_bytes(text.as_bytes());
    // Alone: not also the keys missing because nothing was merged, nor `<<` as an unknown key.
    assert_eq!(run.findings(), vec![("SPEC010".into(), 11, 5)]);
    assert!(run.stdout.contains("YAML merge key, which a spec does not support"), "{}", run.stdout);
    assert!(!run.stdout.contains("unknown key `<<`"), "{}", run.stdout);
}
