use super::*;

#[test]
fn a_rules_file_is_recognised_by_its_groups_and_a_kubernetes_object_is_not() {
    let r = |path: &str, text: &str| FAMILY.recognises(path, text);
    assert_eq!(r("rules.yaml", "groups:\n  - name: a\n    rules: []\n"), Recognition::Yes);
    assert_eq!(r("rules.yml", "# c\ngroups:\n- name: a\n  rules: []\n"), Recognition::Yes);
    assert_eq!(
        r("rule.yaml", "apiVersion: v1\nkind: PrometheusRule\nspec:\n  groups: []\n  rules:\n"),
        Recognition::No
    );
    assert_eq!(r("rules.test.yaml", "rule_files: [rules.yaml]\ntests: []\n"), Recognition::No);
    assert_eq!(r("rules.json", "groups:\n  rules:\n"), Recognition::No);
}

#[test]
fn a_query_too_deep_or_too_long_is_refused_before_it_is_parsed() {
    let deep = format!("{}x{}", "(".repeat(1_000), ")".repeat(1_000));
    assert!(parse(&deep).unwrap_err().contains("nests deeper"));
    let chain = vec!["x"; 5_000].join(" + ");
    assert!(parse(&chain).unwrap_err().contains("nests deeper"));
    let long = format!("x{{a=\"{}\"}}", "b".repeat(MAX_EXPR_BYTES));
    assert!(parse(&long).unwrap_err().contains("bytes"));
    assert!(parse("sum by (job) (rate(x[5m]))").is_ok());
    // Operators in a string are text: a long path of many `/` and `-` is one matcher.
    let path = "/a-b".repeat(2_000);
    assert!(parse(&format!("rate(x{{route!~\"{path}\"}}[5m])")).is_ok());
}

#[test]
fn the_walk_sees_every_selector_of_a_query() {
    let q =
        parse("histogram_quantile(0.9, sum by (le) (rate(a_bucket[5m]))) / on() group_left scalar(b) - -c").unwrap();
    assert_eq!(metric_names(&q), vec!["a_bucket", "b", "c"]);
}

#[test]
fn grafana_variables_are_given_values_of_their_kind_before_the_query_is_read() {
    assert_eq!(grafana_query("rate(x[$__rate_interval])"), "rate(x[5m])");
    assert_eq!(grafana_query("rate(x{job=\"$job\"}[${window}])"), "rate(x{job=\"x\"}[5m])");
    assert_eq!(grafana_query("x{a=~\"${a:regex}\", b=\"[[b]]\"}"), "x{a=~\"x\", b=\"x\"}");
    // A `$` that starts no name (a regex's end anchor) and a `[` of a range stay.
    assert_eq!(grafana_query("x{a=~\"b$\"}[5m]"), "x{a=~\"b$\"}[5m]");
    assert_eq!(
        grafana_query("label_replace(x, \"a\", \"$1\", \"b\", \"(.*)\")"),
        "label_replace(x, \"a\", \"x\", \"b\", \"(.*)\")"
    );
    assert!(parse(&grafana_query("sum(increase(x[$__range])) / $__range_s")).is_ok());
}
