//! The Terraform rules say what the ecosystem's own tools say: checkov reports its
//! counterpart of each rule on the rule's `fires` fixture (and not on its near miss);
//! HashiCorp's HCL parser refuses what TF001 refuses and reads every near miss; the offline
//! stand-in for `terraform validate` (the shared `terraform-schemas/check.py`, run against the
//! schemas gen embeds) refuses what the schema rules refuse and accepts every near miss.

use crate::common;

use std::path::PathBuf;
use std::process::Command;

use common::{Gen, checkov_failures, fixture, root, shared_terraform_schemas, shared_terraform_schemas_aws, validator};

/// Each rule with its checkov counterpart, checked on a fires fixture of the rule and its near
/// miss (`fires.tf` and `passes.tf`, or the case named: `fires-CASE.tf`; found by running
/// checkov on the fixtures; a rule without a counterpart is not listed).
const CHECKOV: &[(&str, &str, &str)] = &[
    ("TF010", "aws-no-subject", "CKV_AWS_358"),
    ("TF011", "", "CKV_AZURE_137"),
    ("TF012", "", "CKV_AZURE_141"),
    ("TF015", "", "CKV_TF_1"),
    ("TF017", "", "CKV2_AZURE_38"),
    ("TF017", "aws", "CKV_AWS_21"),
    ("TF020", "", "CKV_AZURE_138"),
    ("TF021", "", "CKV_AZURE_5"),
    ("TF022", "", "CKV_AZURE_7"),
    ("TF026", "", "CKV_AWS_63"),
    ("TF027", "", "CKV_AWS_51"),
    ("TF028", "", "CKV_AWS_163"),
    ("TF029", "", "CKV_AWS_38"),
    ("TF030", "", "CKV_AWS_58"),
    ("TF031", "", "CKV_AWS_37"),
    ("TF032", "", "CKV_AWS_24"),
    // (TF034's counterpart, CKV_AWS_334, reads the key `privilege`, which ECS does not have:
    // it reports no privileged container, and is held to agree on its own test cases alone,
    // CHECKOV_CASES.)
    ("TF035", "", "CKV_AWS_336"),
    ("TF037", "", "CKV_AWS_333"),
    ("TF038", "", "CKV_AWS_131"),
    ("TF039", "", "CKV_AWS_2"),
];

/// The rules whose fires fixture the schema check refuses too.
const SCHEMA_RULES: &[&str] = &["TF002", "TF003", "TF004", "TF005", "TF006", "TF007"];

fn fires(code: &str) -> PathBuf {
    fixture(&format!("terraform/{code}/fires.tf"))
}

/// A rule's fixture `stem` (`fires`, `passes`) of `case` (`fires-CASE.tf`), or of its pair.
/// A case whose near miss has another name (`passes-aws-variable.tf` for `fires-aws-no-subject.tf`)
/// uses the first `passes-` file whose name shares the case's first word.
fn case(code: &str, stem: &str, case: &str) -> PathBuf {
    if case.is_empty() {
        return fixture(&format!("terraform/{code}/{stem}.tf"));
    }
    let exact = fixture(&format!("terraform/{code}/{stem}-{case}.tf"));
    if exact.is_file() {
        return exact;
    }
    let word = case.split('-').next().unwrap_or(case);
    let mut found: Vec<PathBuf> = std::fs::read_dir(fixture(&format!("terraform/{code}")))
        .expect("fixtures")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with(&format!("{stem}-{word}"))))
        .collect();
    found.sort();
    found.into_iter().next().unwrap_or(exact)
}

/// Every near miss of the family.
fn near_misses() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(fixture("terraform"))
        .expect("fixtures")
        .flatten()
        .map(|e| e.path().join("passes.tf"))
        .collect();
    files.sort();
    assert!(files.iter().all(|f| f.is_file()), "a terraform fixture folder without passes.tf: {files:?}");
    files
}

/// `check.py` against the schemas gen embeds, with HashiCorp's parser from the validators.
fn check_py() -> Command {
    let mut cmd = validator("python3");
    cmd.arg(shared_terraform_schemas().join("check.py")).arg("--schemas").arg(root().join("schemas/terraform"));
    cmd
}

#[test]
fn checkov_and_gen_agree_on_the_terraform_fixtures() {
    let files: Vec<PathBuf> =
        CHECKOV.iter().flat_map(|(ours, c, _)| [case(ours, "fires", c), case(ours, "passes", c)]).collect();
    assert!(files.iter().all(|f| f.is_file()), "{files:?}");
    let failed = checkov_failures("terraform", &files);
    for (ours, c, theirs) in CHECKOV {
        let reported = |file: PathBuf| failed.contains(&(file, theirs.to_string()));
        let (fires, passes) = (case(ours, "fires", c), case(ours, "passes", c));
        assert!(reported(fires.clone()), "{ours}: checkov did not report {theirs} on {}", fires.display());
        assert!(!reported(passes.clone()), "{ours}: checkov reports {theirs} on the near miss {}", passes.display());
    }
}

#[test]
fn hashicorps_parser_reads_every_near_miss_and_refuses_what_tf001_refuses() {
    let out = validator("hcl-check").args(near_misses()).output().expect("hcl-check runs");
    assert!(
        out.status.success(),
        "HashiCorp's parser refuses a near miss:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let out = validator("hcl-check").arg(fires("TF001")).output().expect("hcl-check runs");
    assert!(!out.status.success(), "HashiCorp's parser accepts {}", fires("TF001").display());
}

#[test]
fn past_the_nesting_gens_parser_reads_tf001_says_it_is_gens_limit_not_terraforms() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deep = dir.path().join("deep.tf");
    std::fs::write(&deep, format!("locals {{\n  x = {}1{}\n}}\n", "[".repeat(65), "]".repeat(65))).expect("write");
    let chained = dir.path().join("chained.tf");
    std::fs::write(&chained, format!("locals {{\n  x = {}\n}}\n", vec!["1"; 200].join(" + "))).expect("write");
    // HashiCorp's parser (what `terraform fmt` and `validate` use) reads both.
    let out = validator("hcl-check").arg(&deep).arg(&chained).output().expect("hcl-check runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stdout));
    for (file, what) in [(&deep, "more than 64 levels deep"), (&chained, "more than 128 binary operators")] {
        let run = common::Gen::new().args(["lint", "--format", "json"]).arg(file).run();
        assert_eq!(run.codes(), ["TF001"], "{}", run.stdout);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
        let finding = &report["diagnostics"][0];
        let text = format!("{} {}", finding["message"], finding["help"]);
        assert!(text.contains("gen cannot check this file") && text.contains(what), "{text}");
        assert!(text.contains("Terraform itself reads it") && !text.contains("terraform fmt"), "{text}");
    }
}

#[test]
fn the_schema_check_accepts_every_near_miss() {
    let out = check_py().args(near_misses()).output().expect("check.py runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "check.py refuses a near miss:\n{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(!stdout.contains("WARN"), "check.py warns on a near miss:\n{stdout}");
}

#[test]
fn the_schema_check_refuses_what_the_schema_rules_refuse() {
    for code in SCHEMA_RULES {
        let out = check_py().arg(fires(code)).output().expect("check.py runs");
        assert_eq!(
            out.status.code(),
            Some(1),
            "{code}: check.py accepts {}:\n{}{}",
            fires(code).display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn the_embedded_schemas_are_the_shared_ones() {
    let embedded = root().join("schemas/terraform");
    // Azure's, Helm's and Kubernetes' providers, then AWS's and TLS's (a folder of their own).
    for (shared, at_least) in [(shared_terraform_schemas(), 20), (shared_terraform_schemas_aws(), 60)] {
        let mut compared = 0;
        for entry in walkdir::WalkDir::new(&shared).into_iter().flatten() {
            let rel = entry.path().strip_prefix(&shared).expect("under shared");
            let is_schema = entry.path().extension().is_some_and(|e| e == "json") && !rel.starts_with("selftest");
            if !is_schema {
                continue;
            }
            let ours = std::fs::read(embedded.join(rel)).unwrap_or_default();
            let theirs = std::fs::read(entry.path()).expect("read");
            assert!(ours == theirs, "schemas/terraform/{} differs from the shared schema: copy it", rel.display());
            compared += 1;
        }
        assert!(compared > at_least, "only {compared} schemas of {} compared", shared.display());
    }
}

/// gen checks hand-written AWS Terraform against the AWS provider's schema as the offline
/// `terraform validate` does: on the shared schemas' own self-test, each error check.py
/// reports is a finding of gen's at its resource (an EKS cluster without its role, an argument
/// of the wrong name, a computed one set, a block written as an argument...), and the tree it
/// accepts is clean.
#[test]
fn gen_reads_aws_terraform_against_the_aws_schemas_as_terraform_validate_does() {
    let selftest = shared_terraform_schemas_aws().join("selftest");
    let out = check_py().arg("--strict").arg(selftest.join("aws-bad")).output().expect("check.py runs");
    let said = String::from_utf8_lossy(&out.stdout);
    let errors = said.lines().filter(|l| l.contains("ERROR")).count();
    assert_eq!(errors, 9, "check.py on the AWS self-test:\n{said}");
    let run = Gen::new().arg("lint").arg(selftest.join("aws-bad")).arg("--format").arg("json").run();
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
    let found: Vec<(String, u64)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| (d["code"].as_str().unwrap_or_default().to_string(), d["location"]["line"].as_u64().unwrap_or(0)))
        .collect();
    // The resource of each error, as check.py names it, is where gen's finding is.
    let tf = std::fs::read_to_string(selftest.join("aws-bad/main.tf")).expect("main.tf");
    let line_of = |needle: &str| tf.lines().position(|l| l.contains(needle)).map(|i| i as u64 + 1).expect(needle);
    for (code, needle) in [
        ("TF003", "resource \"aws_eks_cluster\""),
        ("TF002", "kubernetes_version"),
        ("TF005", "endpoint "),
        ("TF004", "vpc_config"),
        ("TF002", "scan_on_push = true"),
        ("TF003", "image_scanning_configuration {}"),
        ("TF003", "resource \"aws_iam_role\""),
        ("TF003", "resource \"aws_eks_access_policy_association\""),
        ("TF002", "principal {"),
    ] {
        let line = line_of(needle);
        assert!(found.iter().any(|(c, l)| c == code && *l == line), "no {code} at line {line} ({needle}): {found:?}");
    }
    assert_eq!(found.len(), errors, "{found:?}");
    let run = Gen::new().arg("lint").arg(selftest.join("aws-good")).run();
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

/// checkov reads variables through their defaults, `--var-file` and local modules as gen
/// does: it reports CKV_AZURE_5 (TF021's counterpart) where gen reports TF021 on the
/// fixtures of `terraform-module/variables`, and not on their near misses.
#[test]
fn checkov_and_gen_agree_on_settings_that_come_from_variables() {
    let dir = |name: &str| fixture(&format!("terraform-module/variables/{name}"));
    for (case, var_file) in [("default", None), ("tfvars", Some("prod.tfvars")), ("module", None)] {
        for (outcome, expected) in [("fires", true), ("passes", false)] {
            let folder = dir(&format!("{case}-{outcome}"));
            let mut cmd = validator("checkov");
            cmd.args(["--compact", "--skip-download", "--framework", "terraform", "-d"]).arg(&folder);
            if let Some(file) = var_file {
                cmd.arg("--var-file").arg(folder.join(file));
            }
            // Every file parsed: a near miss checkov could not read would pass for nothing.
            let reports = common::checkov_reports(&mut cmd, &[]);
            let failed: Vec<&serde_json::Value> =
                reports.iter().flat_map(|r| r["results"]["failed_checks"].as_array().into_iter().flatten()).collect();
            let reported = failed.iter().any(|c| c["check_id"] == "CKV_AZURE_5");
            let ours = common::lint_json(&folder);
            assert_eq!(reported, expected, "{case}-{outcome}: checkov fails: {failed:#?}");
            assert_eq!(ours.codes().contains(&"TF021".to_string()), expected, "{case}-{outcome}: {}", ours.stdout);
        }
    }
}

/// One of checkov's own test files for the counterparts of an AWS rule
/// (`tests/fixtures/agreement/checkov-terraform/`, see its NOTICE), the checks the rule is
/// compared with there, and each resource where the rule decides otherwise on purpose, with
/// why (the rule's docs say the same).
struct CheckovCase {
    example: &'static str,
    rule: &'static str,
    checks: &'static [&'static str],
    /// Resources checkov passes and the rule reports.
    stricter: &'static [(&'static str, &'static str)],
    /// Resources checkov reports and the rule passes.
    looser: &'static [(&'static str, &'static str)],
}

const ORG_WIDE: &str = "`repo:org/*`: any repository of the organisation";
const ANY_BRANCH: &str = "`repo:org/repo:*`: any branch of the repository, a pull request's included";
const OTHER_PORT: &str = "port 222 open to every address: only 80 and 443 face the internet";
const NO_SOURCE: &str = "a rule with no source admits nothing (AWS refuses one)";

const CHECKOV_CASES: &[CheckovCase] = &[
    CheckovCase {
        example: "example_GithubActionsOIDCTrustPolicy",
        rule: "TF010",
        checks: &["CKV_AWS_358"],
        stricter: &[
            ("aws_iam_policy_document.pass-org-only", ORG_WIDE),
            ("aws_iam_policy_document.pass2", ANY_BRANCH),
            ("aws_iam_policy_document.pass_aud_first", ANY_BRANCH),
        ],
        looser: &[],
    },
    CheckovCase {
        example: "example_GithubActionsOIDCTrustPolicyOnRole",
        rule: "TF010",
        checks: &["CKV_AWS_393"],
        stricter: &[
            ("aws_iam_role.pass-org-only", ORG_WIDE),
            ("aws_iam_role.pass-fm-customer", ORG_WIDE),
            ("aws_iam_role.pass2", ANY_BRANCH),
            ("aws_iam_role.pass_aud_first", ANY_BRANCH),
        ],
        looser: &[],
    },
    CheckovCase {
        example: "example_ECRImmutableTags",
        rule: "TF027",
        checks: &["CKV_AWS_51"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "example_EKSPublicAccessCIDR",
        rule: "TF029",
        checks: &["CKV_AWS_38"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "example_EKSControlPlaneLogging",
        rule: "TF031",
        checks: &["CKV_AWS_37"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "example_SecurityGroupUnrestrictedIngress22",
        rule: "TF032",
        checks: &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"],
        stricter: &[
            ("aws_security_group.pass", OTHER_PORT),
            ("aws_security_group_rule.pass", OTHER_PORT),
            (
                "aws_security_group.pass_self2",
                "`self = true` beside `cidr_blocks = [\"0.0.0.0/0\"]` still admits everyone",
            ),
        ],
        looser: &[("aws_security_group.not_self", NO_SOURCE), ("aws_vpc_security_group_ingress_rule.fail2", NO_SOURCE)],
    },
    CheckovCase {
        example: "example_SecurityGroupUnrestrictedIngressAny",
        rule: "TF032",
        checks: &["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "example_ECSContainerPrivilege",
        rule: "TF034",
        checks: &["CKV_AWS_334"],
        stricter: &[],
        looser: &[(
            "aws_ecs_task_definition.fail",
            "`privilege = true` is no key of a container definition (ECS's is `privileged`): ECS ignores it, and the \
             container runs unprivileged",
        )],
    },
    CheckovCase {
        example: "example_ECSContainerReadOnlyRoot",
        rule: "TF035",
        checks: &["CKV_AWS_336"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "example_ECSServicePublicIP",
        rule: "TF037",
        checks: &["CKV_AWS_333"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "inline_ALBListenerHTTPS",
        rule: "TF039",
        checks: &["CKV_AWS_2"],
        stricter: &[],
        looser: &[],
    },
    CheckovCase {
        example: "example_ALBDropHttpHeaders",
        rule: "TF038",
        checks: &["CKV_AWS_131"],
        stricter: &[],
        looser: &[],
    },
];

/// The resource a finding is about: the first `aws_TYPE.NAME` its message names.
fn resource_named(message: &str) -> Option<String> {
    let start = message.find("aws_")?;
    let rest: String =
        message[start..].chars().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.')).collect();
    let mut parts = rest.split('.');
    Some(format!("{}.{}", parts.next()?, parts.next()?))
}

/// On checkov's own test files for their counterparts, the AWS rules report exactly the
/// resources checkov reports, but where a rule's docs say it is stricter or looser (each such
/// resource listed with why, and each on the side of checkov it must be).
#[test]
fn the_aws_rules_agree_with_checkov_on_checkovs_own_test_cases() {
    let files: Vec<PathBuf> =
        CHECKOV_CASES.iter().map(|c| fixture(&format!("agreement/checkov-terraform/{}/main.tf", c.example))).collect();
    let mut checkov = validator("checkov");
    checkov.args(["--compact", "--skip-download", "--framework", "terraform", "-f"]).args(&files);
    let reports = common::checkov_reports(&mut checkov, &[]);
    let results = &reports.first().expect("a report")["results"];
    // (file, check) -> resources, as checkov names them (a data source without `data.`).
    let named = |kind: &str, file: &PathBuf, checks: &[&str]| -> std::collections::BTreeSet<String> {
        results[kind]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["file_abs_path"].as_str().is_some_and(|f| std::path::Path::new(f) == file.as_path()))
            .filter(|c| checks.contains(&c["check_id"].as_str().unwrap_or_default()))
            .filter_map(|c| c["resource"].as_str().map(|r| r.trim_start_matches("data.").to_string()))
            .collect()
    };
    for (case, file) in CHECKOV_CASES.iter().zip(&files) {
        let failed = named("failed_checks", file, case.checks);
        let passed: std::collections::BTreeSet<String> =
            named("passed_checks", file, case.checks).difference(&failed).cloned().collect();
        assert!(!failed.is_empty() && !passed.is_empty(), "{}: checkov ran none of {:?}", case.example, case.checks);
        let run = common::lint_json(file);
        let report: serde_json::Value = serde_json::from_str(&run.stdout).expect("a JSON report");
        let ours: std::collections::BTreeSet<String> = report["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["code"] == case.rule)
            .map(|d| resource_named(d["message"].as_str().unwrap_or_default()).expect("a finding names its resource"))
            .collect();
        for (resource, why) in case.stricter {
            assert!(passed.contains(*resource), "{}: checkov does not pass {resource} ({why})", case.example);
        }
        for (resource, why) in case.looser {
            assert!(failed.contains(*resource), "{}: checkov does not report {resource} ({why})", case.example);
        }
        let mut expected = failed.clone();
        expected.extend(case.stricter.iter().map(|(r, _)| r.to_string()));
        for (resource, _) in case.looser {
            expected.remove(*resource);
        }
        assert_eq!(ours, expected, "{} ({}): gen's findings against checkov's {failed:?}", case.example, case.rule);
    }
}
