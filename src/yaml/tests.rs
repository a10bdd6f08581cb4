use super::*;
use crate::declare_rule;
use crate::diag::Severity;

declare_rule! {
    /// ## What it does
    /// A rule for the loader's own tests.
    ///
    /// ## Why it matters
    /// Tests.
    ///
    /// ## How to fix
    /// Nothing.
    static TEST = ("TST001", "test-rule", Error);
}

static RULES: Rules = Rules {
    syntax: &TEST,
    encoding: &TEST,
    empty: &TEST,
    multiple_documents: &TEST,
    duplicate_key: &TEST,
    limits: &TEST,
};

fn policy(multi_document: bool) -> Policy {
    Policy {
        what: "a test file",
        max_bytes: 1 << 20,
        max_depth: 64,
        max_nodes: 100_000,
        max_alias_nodes: 10_000,
        multi_document,
        tags: Tags::Core,
        rules: &RULES,
        empty_help: "write something",
    }
}

fn parse(text: &str) -> Result<Node, Diagnostics> {
    load("t.yaml", text.as_bytes(), &policy(false)).documents.map(|mut d| d.remove(0).root)
}

#[test]
fn scalars_resolve_with_the_yaml_1_2_core_schema() {
    let n = parse("a: yes\nb: 1.30\nc: '5'\nd: 0x10\ne: ~\nf: 1e3\ng: True\nh: on\n").unwrap();
    let j = n.to_json();
    assert_eq!(j["a"], "yes");
    assert_eq!(j["b"], 1.3);
    assert_eq!(j["c"], "5");
    assert_eq!(j["d"], 16);
    assert!(j["e"].is_null());
    assert_eq!(j["f"], 1000.0);
    assert_eq!(j["g"], true);
    assert_eq!(j["h"], "on");
}

#[test]
fn spans_point_at_keys_and_values_in_bytes() {
    let text = "métadata:\n  name: shop\n";
    let n = parse(text).unwrap();
    let v = n.locate(&crate::route!["métadata", "name"], false);
    assert_eq!(&text[v.start..v.end], "shop");
    let k = n.locate(&crate::route!["métadata", "name"], true);
    assert_eq!(&text[k.start..k.end], "name");
}

#[test]
fn spans_on_a_long_line_of_wide_characters_are_exact() {
    let text = format!("k: [{}]\n", (0..200).map(|i| format!("é{i}")).collect::<Vec<_>>().join(", "));
    let n = parse(&text).unwrap();
    let v = n.locate(&crate::route!["k", 150], false);
    assert_eq!(&text[v.start..v.end], "é150");
}

#[test]
fn aliases_expand_to_copies() {
    let n = parse("a: &x {b: 1}\nc: *x\n").unwrap();
    assert_eq!(n.to_json()["c"]["b"], 1);
}

#[test]
fn a_stream_gives_each_non_empty_document_and_one_document_policies_refuse_it() {
    let text = "a: 1\n---\n---\nb: 2\n";
    let docs = load("t.yaml", text.as_bytes(), &policy(true)).documents.unwrap();
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[1].root.to_json()["b"], 2);
    let err = load("t.yaml", text.as_bytes(), &policy(false)).documents.unwrap_err();
    assert_eq!(err[0].severity, Severity::Error);
}

#[test]
fn core_tags_resolve_and_others_are_refused() {
    let n = parse("a: !!int '5'\nb: !!str 5\n").unwrap();
    assert_eq!(n.to_json()["a"], 5);
    assert_eq!(n.to_json()["b"], "5");
    assert!(parse("a: !custom 5\n").is_err());
    assert!(parse("a: !!int five\n").is_err());
}

#[test]
fn a_quoted_value_s_span_ends_at_its_closing_quote_not_at_a_comment_after_it() {
    let text = "a: \"x # y\" # note\nb: 'it''s' # note\nc: \"q\\\"\" # n\nd: \"multi\n  line\" # n\n";
    let n = parse(text).unwrap();
    let at = |key: &str| {
        let v = n.locate(&crate::route![key], false);
        &text[v.start..v.end]
    };
    assert_eq!(at("a"), "\"x # y\"");
    assert_eq!(at("b"), "'it''s'");
    assert_eq!(at("c"), "\"q\\\"\"");
    assert_eq!(at("d"), "\"multi\n  line\"");
}

fn parse_as_kubectl(text: &str) -> Result<Node, Diagnostics> {
    let policy = Policy { tags: Tags::Kubectl, ..policy(false) };
    load("t.yaml", text.as_bytes(), &policy).documents.map(|mut d| d.remove(0).root)
}

#[test]
fn plain_scalars_resolve_as_go_yaml_v2_resolves_them_for_kubectl() {
    let n = parse_as_kubectl(
        "a: yes\nb: 'yes'\nc: on\nd: N\ne: 0644\nf: 0o17\ng: 1_000\nh: 0b101\ni: 08\nj: .5\nk: -.inf\nl: Off\nm: 1.30\nw: yesno\no: 0x1F\np: -010\ny: 1\n",
    )
    .unwrap();
    let j = n.to_json();
    assert_eq!(j["a"], true);
    assert_eq!(j["b"], "yes", "quoted is a string");
    assert_eq!(j["c"], true);
    assert_eq!(j["d"], false);
    assert_eq!(j["e"], 420, "a leading 0 is octal");
    assert_eq!(j["f"], 15);
    assert_eq!(j["g"], 1000);
    assert_eq!(j["h"], 5);
    assert_eq!(j["i"], 8.0, "not octal: a float, as go-yaml falls through to it");
    assert_eq!(j["j"], 0.5);
    assert_eq!(j["k"].as_str(), Some("-inf"));
    assert_eq!(j["l"], false);
    assert_eq!(j["m"], 1.3);
    assert_eq!(j["w"], "yesno");
    assert_eq!(j["o"], 31);
    assert_eq!(j["p"], -8);
    assert_eq!(j["true"], 1, "a key `y` is the boolean true, written `true` (sigs.k8s.io/yaml)");
    // The core schema is unchanged for every other use.
    assert_eq!(parse("a: yes\ne: 0644\n").unwrap().to_json()["e"], 644);
}

#[test]
fn merge_keys_merge_what_the_mapping_does_not_write_itself() {
    let n = parse_as_kubectl(
        "base: &b {x: 1, q: 2}\nother: &o {q: 3, z: 4}\none: {<<: *b, q: 9}\nmany:\n  <<: [*b, *o]\n  w: 0\nquoted: {\"<<\": *b}\n",
    )
    .unwrap();
    let j = n.to_json();
    assert_eq!(j["one"], serde_json::json!({"x": 1, "q": 9}), "the mapping's own key wins");
    assert_eq!(j["many"], serde_json::json!({"x": 1, "q": 2, "z": 4, "w": 0}), "the first mapping of the list wins");
    assert_eq!(j["quoted"]["<<"], serde_json::json!({"x": 1, "q": 2}), "a quoted `<<` is a key");
    // Spans of merged entries point where they are written.
    let Value::Map(entries) = &n.get("one").unwrap().value else { panic!("a mapping") };
    assert_eq!(entries.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(), ["x", "q"]);
    // The core schema reads `<<` as a key like any other.
    assert_eq!(parse("a: {<<: {x: 1}}\n").unwrap().to_json()["a"]["<<"]["x"], 1);
    let err = parse_as_kubectl("a: {<<: 1}\n").unwrap_err();
    assert!(err[0].message.contains("merge key"), "{:?}", err[0].message);
}
