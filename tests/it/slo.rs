//! The services' SLO rules (`monitoring/rules.yaml`, src/render/slo.rs) as the real
//! Prometheus reads them: `promtool check rules` passes, and `promtool test rules` proves on
//! the rendered unit tests that an outage pages, a slow burn opens a ticket alone and a healthy
//! service fires nothing, for specs unlike the reference (several services, objectives of their
//! own, a timeout as the latency threshold, environments on two platforms). A rule broken on
//! purpose fails its tests, so the tests are the judge.

use std::path::Path;

use crate::common::{Project, validator};

/// Runs promtool with `args` in `dir`: whether it passed, and what it said.
fn promtool(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = validator("promtool").args(args).current_dir(dir).output().expect("promtool runs");
    (out.status.success(), format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr)))
}

/// The services each set of rules in `out`'s rules file selects, as the comment before its
/// groups names them.
fn rule_sets(out: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(out.join("monitoring/rules.yaml")).expect("rules");
    text.lines()
        .filter_map(|l| l.strip_prefix("  # ").and_then(|l| l.split_once(": ")))
        .map(|(names, _)| names.split(", ").map(str::to_string).collect())
        .collect()
}

/// The project's rules pass `promtool check rules` and their unit tests, and select `sets`.
fn assert_rules_hold(out: &Path, sets: &[&[&str]]) {
    assert_eq!(rule_sets(out), sets, "the services of each set of rules");
    let dir = out.join("monitoring");
    // 24 rules of each set (its indicators and the alerts on its targets), and the 4 burn-rate
    // alerts of each objectives' first set, for every set of the same.
    let firsts =
        std::fs::read_to_string(out.join("monitoring/rules.yaml")).expect("rules").matches("-alerts\"\n").count();
    let (ok, said) = promtool(&dir, &["check", "rules", "rules.yaml"]);
    assert!(ok && said.contains(&format!("SUCCESS: {} rules found", 24 * sets.len() + 4 * firsts)), "{said}");
    let (ok, said) = promtool(&dir, &["test", "rules", "rules.test.yaml"]);
    assert!(ok, "{said}");
}

/// Writes the promtool unit test `text` as `name` beside the rules in `dir`, and runs it.
fn assert_test_passes(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).expect("test");
    let (ok, said) = promtool(dir, &["test", "rules", name]);
    assert!(ok && said.contains("SUCCESS"), "{said}");
}

fn project_with(edits: &[(&str, &str)]) -> Project {
    let p = Project::new();
    for (from, to) in edits {
        p.edit_spec(from, to);
    }
    let run = p.render();
    assert_eq!(run.code, 0, "{}", run.stderr);
    p
}

const SERVICE: &str = "    params: {pythonVersion: \"3.12\", workers: 2, timeout: 30}\n";

#[test]
fn the_rules_of_services_with_objectives_of_their_own_pass_promtool_and_their_tests() {
    // Four services: the defaults; a looser availability and a 1 s latency; a 10 s timeout
    // that is the latency threshold itself (the histogram's last bucket before +Inf); the
    // defaults again, which share the first one's rules.
    let p = project_with(&[(
        SERVICE,
        "    params: {pythonVersion: \"3.12\", workers: 2, timeout: 30}
  - name: orders
    slo: {availability: 99.5, latency: {objective: 95, threshold: 1s}}
    ingress: {host: orders.example.com}
  - name: reports
    params: {timeout: 10}
    health: {liveness: /live, readiness: /live}
    slo: {availability: 99.99, latency: {objective: 99.9, threshold: 10s}}
  - name: cart
    ingress: {host: cart.example.com}
",
    )]);
    assert_rules_hold(&p.path("out"), &[&["shop", "cart"], &["orders"], &["reports"]]);
    let rules = std::fs::read_to_string(p.path("out/monitoring/rules.yaml")).expect("rules");
    // The threshold as the client writes `le`; one probe path, said once.
    assert!(rules.contains("le=\"10.0\""), "{rules}");
    assert!(rules.contains("route!~\"/live\""), "{rules}");
    assert!(rules.contains("> (14.4 * 0.0001)"), "{rules}");
    // Two services of one set: one selector, and the absence of each is an alert of its own.
    assert!(rules.contains("job=~\"shop|cart\", route!~\"/healthz|/readyz\""), "{rules}");
    assert!(
        rules.contains("absent(up{job=\"shop\"})\n            or\n            absent(up{job=\"cart\"}),"),
        "{rules}"
    );
    // Each set's rules are named after what makes them (not after a service, which a spec may
    // move or rename), and its alerts read its records by that name.
    assert!(rules.contains("  - name: \"slo-99.9-99-250ms-"), "{rules}");
    assert!(rules.contains("slo:sli_error:ratio_rate1h{slo_rules=~\"slo-99\\\\.5-95-1s-"), "{rules}");
    // The unit tests prove that the rules keep the services of a set apart.
    let tests = std::fs::read_to_string(p.path("out/monitoring/rules.test.yaml")).expect("tests");
    assert!(tests.contains("shop: one service failing while the next is slow, each pages"), "{tests}");
    // Terraform evaluates the rules of the four on AKS, and the Terraform workflow plans a
    // change to them.
    let tfvars = std::fs::read_to_string(p.path("out/terraform/terraform.tfvars")).expect("tfvars");
    assert!(
        tfvars.contains("slo_services = [\n  \"cart\",\n  \"orders\",\n  \"reports\",\n  \"shop\",\n]"),
        "{tfvars}"
    );
    let workflow = std::fs::read_to_string(p.path(".github/workflows/terraform.yml")).expect("workflow");
    assert!(workflow.contains("- \"out/monitoring/rules.yaml\""), "{workflow}");
}

#[test]
fn environments_on_two_platforms_render_each_services_rules_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = std::fs::read(crate::common::root().join("tests/fixtures/specs/kind-dev-azure-staging-prod.yaml"))
        .expect("spec");
    std::fs::write(dir.path().join("spec.yaml"), spec).expect("copy");
    let run = crate::common::Gen::new().args(["render", "spec.yaml"]).current_dir(dir.path()).run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_rules_hold(&dir.path().join("out"), &[&["api"]]);
    // Each Azure environment's values name the service; the local one has no Terraform.
    for env in ["staging", "prod"] {
        let tfvars = std::fs::read_to_string(dir.path().join(format!("out/terraform/environments/{env}.tfvars")))
            .expect("tfvars");
        assert!(tfvars.contains("slo_services = [\n  \"api\",\n]"), "{env}: {tfvars}");
    }
}

#[test]
fn a_rule_broken_on_purpose_fails_its_unit_tests() {
    let p = project_with(&[]);
    let dir = p.path("out/monitoring");
    let rules = std::fs::read_to_string(dir.join("rules.yaml")).expect("rules");
    // A page that waits 20 minutes misses the outage at 10; a ticket at a tenth of the budget
    // fires on the healthy service.
    for (from, to) in [("for: 2m", "for: 20m"), ("> (1 * 0.001)", "> (0.1 * 0.001)")] {
        assert!(rules.contains(from), "{from}");
        std::fs::write(dir.join("rules.yaml"), rules.replace(from, to)).expect("write");
        let (ok, said) = promtool(&dir, &["test", "rules", "rules.test.yaml"]);
        assert!(!ok && said.contains("FAILED"), "{from} -> {to}: {said}");
    }
}

#[test]
fn observability_off_renders_no_rules_and_nothing_reads_them() {
    let p = project_with(&[("pipeline:\n", "observability: {enabled: false}\n\npipeline:\n")]);
    assert!(!p.path("out/monitoring").exists());
    let tfvars = std::fs::read_to_string(p.path("out/terraform/terraform.tfvars")).expect("tfvars");
    assert!(tfvars.contains("slo_services = [\n]"), "{tfvars}");
    let workflow = std::fs::read_to_string(p.path(".github/workflows/terraform.yml")).expect("workflow");
    assert!(!workflow.contains("monitoring/rules.yaml"), "{workflow}");
    let readme = std::fs::read_to_string(p.path("out/README.md")).expect("readme");
    assert!(!readme.contains("## Monitoring"));
    // Turned on again, a render brings them back.
    p.edit_spec("observability: {enabled: false}\n", "");
    assert_eq!(p.render().code, 0);
    assert_rules_hold(&p.path("out"), &[&["shop"]]);
}

#[test]
fn gen_explain_says_what_each_rendered_alert_means_and_how_to_see_the_signals() {
    let p = project_with(&[]);
    // Every alert the service's rules and the platform's Terraform hold.
    let mut names: Vec<String> = Vec::new();
    let text = std::fs::read_to_string(p.path("out/monitoring/rules.yaml")).expect("rules");
    names.extend(
        text.lines().filter_map(|l| l.trim().strip_prefix("- alert: ")).map(|n| n.trim_matches('"').to_string()),
    );
    let alerts = std::fs::read_to_string(p.path("out/terraform/modules/monitoring/alerts.tf")).expect("alerts.tf");
    let section = |from: &str| -> Vec<String> {
        let start = alerts.find(from).expect(from);
        alerts[start..]
            .lines()
            .skip(1)
            .take_while(|l| *l != "  }")
            .filter_map(|l| l.strip_prefix("    ").and_then(|l| l.strip_suffix(" = {")))
            .map(str::to_string)
            .collect()
    };
    names.extend(section("service_alerts = {"));
    names.extend(section("certificate_alerts = {"));
    names.sort();
    names.dedup();
    assert!(names.len() >= 9, "{names:?}");
    for name in &names {
        let run = p.run_gen(["explain", name]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        assert!(run.stdout.contains("## What to do first") && run.stdout.contains(name.as_str()), "{}", run.stdout);
    }
    let signals = p.run_gen(["explain", "signals"]);
    assert_eq!(signals.code, 0);
    for said in ["port-forward svc/kube-prometheus-stack-grafana", "slo:sli_error:ratio_rate1h", "ContainerLogV2"] {
        assert!(signals.stdout.contains(said), "{said}");
    }
}

#[test]
fn past_ten_services_of_the_same_objectives_another_set_of_rules_selects_the_rest() {
    let extra: String =
        (1..=11).map(|i| format!("  - name: svc{i:02}\n    ingress: {{host: svc{i:02}.example.com}}\n")).collect();
    let p = project_with(&[(SERVICE, &format!("{SERVICE}{extra}"))]);
    let names: Vec<String> =
        std::iter::once("shop".to_string()).chain((1..=11).map(|i| format!("svc{i:02}"))).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    assert_rules_hold(&p.path("out"), &[&names[..10], &names[10..]]);
    // The second set is the first's name with `-2`: adding a twelfth renames neither.
    let rules = std::fs::read_to_string(p.path("out/monitoring/rules.yaml")).expect("rules");
    let first = rules.lines().find_map(|l| l.strip_prefix("  - name: \"")).expect("a group");
    let id = first.strip_suffix("-availability\"").expect("the availability indicators first");
    assert!(rules.contains(&format!("  - name: \"{id}-2-availability\"")), "{rules}");
    // The second set has indicators of its own and no burn-rate alerts: the first set's page
    // for its services too, as its outage case proves (promtool, above).
    assert!(!rules.contains(&format!("{id}-2-alerts")), "{rules}");
    let tests = std::fs::read_to_string(p.path("out/monitoring/rules.test.yaml")).expect("tests");
    assert!(tests.contains("svc10: an outage"), "{tests}");
}

/// A service briefly in two sets of the same objectives (a change applied set by set, as
/// Terraform updates Azure's rule groups one by one) pages once per set, and fails no rule:
/// alerts that set their objectives' first set's `slo_rules` over their series' would make
/// the two series one, and Prometheus would fail the rule for every service of those
/// objectives ("vector contains metrics with the same labelset after applying alert labels").
#[test]
fn a_service_in_two_sets_at_once_pages_once_per_set_and_fails_no_rule() {
    let p = project_with(&[]);
    let dir = p.path("out/monitoring");
    let rules = std::fs::read_to_string(dir.join("rules.yaml")).expect("rules");
    let label = rules
        .lines()
        .find_map(|l| l.trim().strip_prefix("slo_rules: \""))
        .map(|l| l.trim_end_matches('"').to_string())
        .expect("a set's label");
    // The same set under the next set's name, without the burn-rate alerts (the first set's).
    let own = &rules[..rules.find(&format!("  - name: \"{label}-alerts\"")).expect("the alerts' group")];
    std::fs::write(dir.join("moved.yaml"), own.replace(&label, &format!("{label}-2"))).expect("moved");
    let test = format!(
        "rule_files: [rules.yaml, moved.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n      \
         - series: 'http_requests_total{{cluster=\"aks-1\", job=\"shop\", namespace=\"shop\", route=\"/\", status=\"500\"}}'\n        \
         values: \"0+1000x60\"\n      - series: 'up{{cluster=\"aks-1\", job=\"shop\", namespace=\"shop\"}}'\n        \
         values: \"1x60\"\n    promql_expr_test:\n      \
         - expr: 'count by (slo_rules) (ALERTS{{alertname=\"ErrorBudgetBurnFast\", alertstate=\"firing\", job=\"shop\"}})'\n        \
         eval_time: 10m\n        exp_samples:\n          - labels: '{{slo_rules=\"{label}\"}}'\n            value: 1\n          \
         - labels: '{{slo_rules=\"{label}-2\"}}'\n            value: 1\n"
    );
    assert_test_passes(&dir, "moved.test.yaml", &test);
}

/// A service moved to another set (one added before it in the spec) keeps its history: the
/// longer windows read its 5-minute records by `job`, whichever set recorded them. Three hours
/// of healthy requests recorded under its former set, then errors at 2 % (20 times the
/// budget) under its own: ten minutes of them are a sixth of an hour, and page nobody; an
/// hour of them pages. Windows that restarted empty with the set's name would page at once.
#[test]
fn a_service_moved_to_another_set_keeps_its_history_and_a_burst_pages_nobody() {
    let p = project_with(&[]);
    let dir = p.path("out/monitoring");
    let labels = "cluster=\"aks-1\", job=\"shop\", namespace=\"shop\"";
    let former = format!("{labels}, service=\"shop\", slo=\"availability\", slo_rules=\"slo-former\"");
    let series = [
        (format!("slo:sli_errors:rate5m{{{former}}}"), "0x180 stale".to_string()),
        (format!("slo:sli_requests:rate5m{{{former}}}"), "16.667x180 stale".to_string()),
        (format!("http_requests_total{{{labels}, route=\"/\", status=\"200\"}}"), "_x180 0+980x120".to_string()),
        (format!("http_requests_total{{{labels}, route=\"/\", status=\"500\"}}"), "_x180 0+20x120".to_string()),
        (format!("up{{{labels}}}"), "1x300".to_string()),
    ];
    let mut test = String::from(
        "rule_files: [rules.yaml]\nevaluation_interval: 1m\ntests:\n  - interval: 1m\n    input_series:\n",
    );
    for (name, values) in &series {
        test.push_str(&format!("      - series: '{name}'\n        values: \"{values}\"\n"));
    }
    test.push_str("    promql_expr_test:\n");
    let firing = "count(ALERTS{alertname=\"ErrorBudgetBurnFast\", alertstate=\"firing\", job=\"shop\"})";
    test.push_str(&format!("      - expr: '{firing}'\n        eval_time: 190m\n        exp_samples: []\n"));
    test.push_str(&format!(
        "      - expr: '{firing}'\n        eval_time: 250m\n        exp_samples:\n          - labels: '{{}}'\n            value: 1\n"
    ));
    assert_test_passes(&dir, "moved.test.yaml", &test);
}
