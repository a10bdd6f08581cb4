//! The report formats as their readers take them: SARIF against the SARIF 2.1.0 schema, GitHub
//! workflow commands unescaped as the Actions runner does, JSON that stays valid when an input
//! cannot be read, and the human report (snapshots).

use crate::common;

use std::path::Path;

use common::{Gen, fixture, root};

fn schema(path: &Path) -> jsonschema::Validator {
    let json: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON");
    jsonschema::validator_for(&json).expect("the schema compiles")
}

#[test]
fn sarif_output_is_valid_sarif_2_1_0_that_github_code_scanning_reads() {
    let validator = schema(&fixture("sarif/sarif-schema-2.1.0.json"));
    let run = Gen::new()
        .args(["lint", "--format", "sarif"])
        .arg(fixture("spec/SPEC112/fires.yaml"))
        .arg(fixture("dockerfile/DF001/fires.Dockerfile"))
        .arg(fixture("engine/GEN001/fires.yaml"))
        .arg(fixture("output/DRIFT001/fires"))
        .run();
    assert_eq!(run.code, 2, "an unreadable input exits 2: {}", run.stdout);
    let log: serde_json::Value = serde_json::from_str(&run.stdout).expect("SARIF is JSON");
    let errors: Vec<String> = validator.iter_errors(&log).map(|e| format!("{e} at {}", e.instance_path())).collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // What GitHub's upload requires beyond the schema: one run, a driver name, each result
    // with a rule id known to the driver, a message, and a location whose region has a line.
    assert_eq!(log["version"], "2.1.0");
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "gen");
    let rules: Vec<&str> =
        driver["rules"].as_array().expect("rules").iter().map(|r| r["id"].as_str().expect("id")).collect();
    let results = runs[0]["results"].as_array().expect("results");
    let codes: Vec<&str> = results.iter().map(|r| r["ruleId"].as_str().expect("ruleId")).collect();
    for code in ["SPEC112", "DF001", "GEN001", "DRIFT001"] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
    for r in results {
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[index], r["ruleId"].as_str().expect("ruleId"));
        assert!(!r["message"]["text"].as_str().expect("message").is_empty());
        let region = &r["locations"][0]["physicalLocation"]["region"];
        assert!(region["startLine"].as_u64().expect("startLine") >= 1);
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(!uri.contains(' ') && !uri.contains('\\'), "{uri}");
    }
    for rule in driver["rules"].as_array().expect("rules") {
        let help = rule["help"]["text"].as_str().expect("help");
        assert!(help.contains("## What it does") && help.contains("## How to fix"), "{help}");
    }
    let spec_region = &results[codes.iter().position(|c| *c == "SPEC112").expect("SPEC112")]["locations"][0]["physicalLocation"]
        ["region"];
    assert_eq!((spec_region["startLine"].as_u64(), spec_region["startColumn"].as_u64()), (Some(20), Some(11)));
}

/// What the Actions runner does to a workflow command's message and property values.
fn unescape(s: &str) -> String {
    s.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")
}

#[test]
fn github_escaping_round_trips_percent_newlines_colons_and_commas() {
    let tricky = "50% done:\r\nkeys a,b: x%0Ay";
    assert_eq!(unescape(&gen_core::report::escape_data(tricky)), tricky);
    assert_eq!(unescape(&gen_core::report::escape_property(tricky)), tricky);
    let prop = gen_core::report::escape_property(tricky);
    assert!(!prop.contains([',', ':', '\n', '\r']), "{prop}");
}

#[test]
fn github_annotations_name_the_file_line_and_rule_and_carry_the_message() {
    // A folder name with `,` and `:` and a key with `%`, a colon, a comma and a newline: every
    // one must survive the runner's parsing of `::error file=...,line=...::message`.
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("a,b:c");
    std::fs::create_dir_all(&folder).expect("mkdir");
    let text = std::fs::read_to_string(fixture("specs/valid.yaml")).expect("read");
    let text = text.replace("metadata: {name: shop}", "metadata: {name: shop, \"x%y:z,w\\nv\": 1}");
    let spec = folder.join("spec.yaml");
    std::fs::write(&spec, &text).expect("write");
    let run = Gen::new().args(["lint", "--format", "github"]).arg(&spec).run();
    assert_eq!(run.code, 2, "{}", run.stdout);
    let line = run.stdout.lines().find(|l| l.starts_with("::error ")).expect("an annotation");
    let rest = line.strip_prefix("::error ").expect("prefix");
    let (props, message) = rest.split_once("::").expect("props::message");
    let props: Vec<(String, String)> = props
        .split(',')
        .map(|p| p.split_once('=').map(|(k, v)| (k.to_string(), unescape(v))).expect("key=value"))
        .collect();
    let get = |k: &str| props.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
    assert_eq!(get("file"), Some(spec.display().to_string().as_str()));
    assert_eq!(get("line"), Some("3"));
    assert_eq!(get("title"), Some("SPEC010 unknown-key"));
    assert!(unescape(message).starts_with("unknown key `x%y:z,w\nv`"), "{}", unescape(message));
}

#[test]
fn no_terminal_control_character_from_a_file_reaches_a_github_annotation() {
    // The Actions log plays ANSI sequences: a base image named with ESC and BEL would clear the
    // log's screen and ring; in an annotation they are shown as `␛` and `␇`.
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("Dockerfile");
    std::fs::write(&file, "FROM evil\u{1b}[2J\u{7}img\nUSER 10001\n").expect("write");
    let run = Gen::new().args(["lint", "--format", "github"]).arg(&file).run();
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(!run.stdout.contains(['\u{1b}', '\u{7}']), "{:?}", run.stdout);
    assert!(run.stdout.contains("evil\u{241b}[2J\u{2407}img"), "{}", run.stdout);
}

#[test]
fn the_json_report_stays_valid_when_an_input_cannot_be_read() {
    let validator = schema(&root().join("schemas/lint-report.schema.json"));
    let run = Gen::new()
        .args(["lint", "--format", "json"])
        .arg(fixture("specs/valid.yaml"))
        .arg("/nonexistent/spec.yaml")
        .arg(fixture("dockerfile/DF002/fires.Dockerfile"))
        .run();
    assert_eq!(run.code, 2);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    let errors: Vec<String> = validator.iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let codes = run.codes();
    assert!(codes.contains(&"GEN001".to_string()) && codes.contains(&"DF002".to_string()), "{codes:?}");
}

/// `gen lint` of fixture files, run from the fixtures folder so the report names them short.
fn human(args: &[&str]) -> String {
    let run = Gen::new().arg("lint").args(args).current_dir(fixture("")).run();
    run.stdout
}

#[test]
fn the_human_report_quotes_the_line_and_points_at_the_value() {
    insta::assert_snapshot!(human(&["spec/SPEC112/fires.yaml"]), @r"
    error[SPEC112]: port 80 is below 1024, which a non-root container cannot bind
      --> spec/SPEC112/fires.yaml:20:11
       |
    20 |     port: 80
       |           ^^
       |
       = help: use a port of 1024 or above, such as 8080
       = note: rule: privileged-port (gen explain SPEC112)

    1 error, 0 warnings
    ");
}

#[test]
fn the_human_report_prints_a_line_once_for_several_findings_on_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture("specs/valid.yaml")).expect("read");
    let text =
        text.replace("params: {pythonVersion: \"3.12\", workers: 3}", "params: {pythonVersion: \"2.7\", worker: 2}");
    std::fs::write(dir.path().join("spec.yaml"), text).expect("write");
    let run = Gen::new().args(["lint", "spec.yaml"]).current_dir(dir.path()).run();
    insta::assert_snapshot!(run.stdout, @r#"
    error[SPEC013]: `2.7` is not one of: 3.11, 3.12, 3.13
      --> spec.yaml:29:29
       |
    29 |     params: {pythonVersion: "2.7", worker: 2}
       |                             ^^^^^  ^^^^^^ SPEC010
       |                             |
       |                             SPEC013
       |
       = help: Python minor version of the base image (python:<version>-slim-trixie).
       = note: rule: invalid-value (gen explain SPEC013)
    error[SPEC010]: unknown key `worker`
      --> spec.yaml:29:36
       = help: did you mean `workers`?
       = note: rule: unknown-key (gen explain SPEC010)

    2 errors, 0 warnings
    "#);
    assert_eq!(run.stdout.matches("params: {").count(), 1);
}

#[test]
fn the_human_report_makes_terminal_control_characters_visible() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "FROM python:3.12-slim\nRUN echo \"\u{1b}[2J\u{202e}\" && pip install flask\nUSER 10001\n";
    std::fs::write(dir.path().join("Dockerfile"), text).expect("write");
    let run = Gen::new().args(["lint", "Dockerfile"]).current_dir(dir.path()).run();
    assert!(!run.stdout.contains('\u{1b}') && !run.stdout.contains('\u{202e}'), "{:?}", run.stdout);
    assert!(run.stdout.contains('\u{241b}'), "ESC is shown as a picture of itself: {}", run.stdout);
}

#[test]
fn the_human_report_cuts_a_long_line_around_the_finding() {
    let dir = tempfile::tempdir().expect("tempdir");
    let long = format!(
        "FROM python:3.12-slim\nRUN echo {} && apt-get install -y curl && echo {}\nUSER 1000\n",
        "x".repeat(5000),
        "y".repeat(5000)
    );
    std::fs::write(dir.path().join("Dockerfile"), &long).expect("write");
    let run = Gen::new().args(["lint", "Dockerfile"]).current_dir(dir.path()).run();
    assert!(run.stdout.contains("apt-get install"), "{}", run.stdout);
    assert!(run.stdout.len() < 2_000, "{} bytes for one finding on a 10 kB line", run.stdout.len());
    assert!(run.stdout.lines().all(|l| l.chars().count() < 200), "{}", run.stdout);
}

#[test]
fn the_human_report_of_many_findings_of_one_rule_stays_small() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("FROM python:3.12-slim\nUSER 1000\n");
    for i in 0..5_000 {
        text.push_str(&format!("RUN pip install package{i}\n"));
    }
    std::fs::write(dir.path().join("Dockerfile"), &text).expect("write");
    let run = Gen::new().args(["lint", "Dockerfile"]).current_dir(dir.path()).run();
    assert!(run.stdout.len() < text.len(), "{} bytes of report for {} of input", run.stdout.len(), text.len());
    assert!(run.stdout.contains("4980 more DF006 finding(s) in Dockerfile are not shown"), "{}", run.stdout);
    assert!(run.stdout.ends_with("0 errors, 5000 warnings\n"));
    let json = Gen::new().args(["lint", "--format", "json", "Dockerfile"]).current_dir(dir.path()).run();
    assert_eq!(json.codes().len(), 5_000, "the JSON report lists them all");
}

#[test]
fn a_5000_character_value_is_quoted_cut_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(fixture("specs/valid.yaml")).expect("read");
    let long = "a".repeat(5_000);
    std::fs::write(
        dir.path().join("spec.yaml"),
        text.replace("metadata: {name: shop}", &format!("metadata: {{name: {long}}}")),
    )
    .expect("write");
    let lint = |format: &str| Gen::new().args(["lint", "--format", format, "spec.yaml"]).current_dir(dir.path()).run();
    let human = lint("human");
    assert!(human.stdout.contains("error[SPEC101]") && human.stdout.contains("(5000 characters)"), "{}", human.stdout);
    assert!(human.stdout.len() < 2_000, "{} bytes of report for one finding", human.stdout.len());
    let json = lint("json");
    let report: serde_json::Value = serde_json::from_str(&json.stdout).expect("JSON");
    let errors: Vec<String> =
        schema(&root().join("schemas/lint-report.schema.json")).iter_errors(&report).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let message = report["diagnostics"][0]["message"].as_str().expect("message");
    assert!(message.contains("(5000 characters)") && message.len() < 400, "{message}");
    let sarif = lint("sarif");
    let log: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF is JSON");
    let errors: Vec<String> =
        schema(&fixture("sarif/sarif-schema-2.1.0.json")).iter_errors(&log).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    assert!(sarif.stdout.len() < json.stdout.len() + 10_000 && !sarif.stdout.contains(&long));
    let github = lint("github");
    assert!(github.stdout.lines().all(|l| l.len() < 1_000), "{}", github.stdout);
}
