//! The Kubernetes rules say what the ecosystem's own tools say: checkov reports its
//! counterpart of each rule on the rule's `fires` fixture (and not on its near miss), a strict
//! schema validation refuses what K8S002 and K8S003 refuse, and every near miss is a valid
//! object for the real Kubernetes schema. What the API server's validation or the kubelet
//! refuses beyond the schema (K8S048 to K8S050, K8S054) a schema validation lets pass: there gen is
//! the only check before the cluster.

use crate::common;

use std::path::PathBuf;

use common::{checkov_failures, fixture, validator};

/// Each rule with its checkov counterpart, checked on the rule's fires fixture (found by
/// running checkov on the fixtures; a rule without a counterpart is not listed).
const CHECKOV: &[(&str, &str)] = &[
    ("K8S011", "CKV_K8S_19"),
    ("K8S012", "CKV_K8S_16"),
    ("K8S013", "CKV_K8S_25"),
    ("K8S014", "CKV_K8S_27"),
    ("K8S015", "CKV_K8S_26"),
    ("K8S019", "CKV_K8S_31"),
    ("K8S022", "CKV_K8S_20"),
    ("K8S023", "CKV_K8S_23"),
    ("K8S025", "CKV_K8S_37"),
    ("K8S026", "CKV_K8S_22"),
    ("K8S027", "CKV_K8S_38"),
    ("K8S028", "CKV_K8S_40"),
    ("K8S030", "CKV_K8S_8"),
    ("K8S031", "CKV_K8S_9"),
    ("K8S034", "CKV_K8S_10"),
    ("K8S035", "CKV_K8S_11"),
    ("K8S040", "CKV_K8S_14"),
];

/// Where gen and checkov disagree on purpose, on the near miss: checkov's CKV_K8S_25 flags
/// any added capability, the restricted Pod Security Standard (and K8S013) allows
/// NET_BIND_SERVICE.
const CHECKOV_STRICTER_ON_NEAR_MISS: &[&str] = &["K8S013"];

#[test]
fn checkov_and_gen_agree_on_the_kubernetes_fixtures() {
    let fires = |code: &str| fixture(&format!("kubernetes/{code}/fires.yaml"));
    let passes = |code: &str| fixture(&format!("kubernetes/{code}/passes.yaml"));
    let files: Vec<PathBuf> = CHECKOV.iter().flat_map(|(ours, _)| [fires(ours), passes(ours)]).collect();
    let failed = checkov_failures("kubernetes", &files);
    for (ours, theirs) in CHECKOV {
        let reported = |file: PathBuf| failed.contains(&(file, theirs.to_string()));
        assert!(reported(fires(ours)), "{ours}: checkov did not report {theirs} on {}", fires(ours).display());
        if !CHECKOV_STRICTER_ON_NEAR_MISS.contains(ours) {
            assert!(
                !reported(passes(ours)),
                "{ours}: checkov reports {theirs} on the near miss {}",
                passes(ours).display()
            );
        }
    }
}

#[test]
fn a_strict_schema_validation_refuses_what_k8s002_and_k8s003_refuse() {
    // Each case: `fires.yaml` and `fires-<case>.yaml` (an unquoted `yes` read as YAML 1.1).
    let cases = ["K8S002", "K8S003"].into_iter().flat_map(|code| {
        let dir = fixture(&format!("kubernetes/{code}"));
        let mut files: Vec<_> = std::fs::read_dir(&dir).expect("fixtures").flatten().map(|e| e.path()).collect();
        files.retain(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("fires")));
        files.sort();
        files.into_iter().map(move |f| (code, f))
    });
    for (code, file) in cases {
        let out = validator("kubernetes-validate").args(["--strict", "--quiet"]).arg(&file).output().expect("runs");
        assert!(
            !out.status.success(),
            "{code}: kubernetes-validate accepts {}:\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn every_kubernetes_near_miss_is_valid_for_the_kubernetes_schema() {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(fixture("kubernetes")).expect("fixtures").flatten() {
        let passes = entry.path().join("passes");
        if passes.is_dir() {
            // A kustomization is kustomize's configuration, not an object for the API server.
            let objects = std::fs::read_dir(&passes).expect("passes folder").flatten().map(|e| e.path());
            files.extend(objects.filter(|p| !p.ends_with("kustomization.yaml")));
        } else {
            files.push(entry.path().join("passes.yaml"));
        }
        // Further near misses of the rule (`passes-<case>.yaml`).
        let cases = std::fs::read_dir(entry.path()).expect("a rule's fixtures").flatten().map(|e| e.path());
        files.extend(cases.filter(|p| p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("passes-"))));
    }
    files.sort();
    assert!(files.iter().all(|f| f.is_file()), "a kubernetes fixture folder without passes: {files:?}");
    let out = validator("kubernetes-validate").args(["--strict", "--quiet"]).args(&files).output().expect("runs");
    assert!(
        out.status.success(),
        "kubernetes-validate refuses a near miss:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_strict_schema_validation_lets_pass_what_only_the_api_server_or_the_kubelet_refuses() {
    // An image reference (the kubelet's `InvalidImageName`), a label value, a class name and
    // an Ingress's host or path (the API server's validation): the OpenAPI schema says "a
    // string" for each.
    let fires = [
        "K8S048/fires.yaml",
        "K8S049/fires.yaml",
        "K8S049/fires-selector.yaml",
        "K8S050/fires/ingress.yaml",
        "K8S054/fires.yaml",
        "K8S054/fires-uppercase-host.yaml",
        "K8S054/fires-prefix-path.yaml",
    ];
    for fires in fires {
        let file = fixture(&format!("kubernetes/{fires}"));
        let out = validator("kubernetes-validate").args(["--strict", "--quiet"]).arg(&file).output().expect("runs");
        assert!(
            out.status.success(),
            "kubernetes-validate now refuses {}: say so in the rule's documentation\n{}",
            file.display(),
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

/// Polaris', checkov's and kube-score's own fixtures (`tests/fixtures/agreement`, origins in
/// its NOTICE.md): (file, the tool's check, gen's counterpart rule, whether the tool reports
/// it there, by the file's name for Polaris and checkov, by kube-score's `score/*_test.go`
/// grade).
const TOOL_FIXTURES: &[(&str, &str, &str, bool)] = &[
    ("polaris/tagNotSpecified/failure.yaml", "tagNotSpecified", "K8S040", true),
    ("polaris/tagNotSpecified/failure.latest.yaml", "tagNotSpecified", "K8S040", true),
    ("polaris/tagNotSpecified/success.yaml", "tagNotSpecified", "K8S040", false),
    ("polaris/livenessProbeMissing/failure.yaml", "livenessProbeMissing", "K8S030", true),
    ("polaris/livenessProbeMissing/success.yaml", "livenessProbeMissing", "K8S030", false),
    ("polaris/hostPortSet/failure.yaml", "hostPortSet", "K8S015", true),
    ("polaris/hostPortSet/success.yaml", "hostPortSet", "K8S015", false),
    ("polaris/hostNetworkSet/failure.yaml", "hostNetworkSet", "K8S011", true),
    ("polaris/hostNetworkSet/success.yaml", "hostNetworkSet", "K8S011", false),
    ("polaris/privilegeEscalationAllowed/failure.unspecified.yaml", "privilegeEscalationAllowed", "K8S022", true),
    ("polaris/privilegeEscalationAllowed/success.yaml", "privilegeEscalationAllowed", "K8S022", false),
    ("polaris/runAsPrivileged/failure.yaml", "runAsPrivileged", "K8S012", true),
    ("polaris/runAsPrivileged/success.yaml", "runAsPrivileged", "K8S012", false),
    ("polaris/notReadOnlyRootFilesystem/failure.yaml", "notReadOnlyRootFilesystem", "K8S026", true),
    ("polaris/notReadOnlyRootFilesystem/success.yaml", "notReadOnlyRootFilesystem", "K8S026", false),
    ("polaris/cpuLimitsMissing/failure.yaml", "cpuLimitsMissing", "K8S035", true),
    ("polaris/cpuLimitsMissing/success.yaml", "cpuLimitsMissing", "K8S035", false),
    ("polaris/dangerousCapabilities/failure.yaml", "dangerousCapabilities", "K8S013", true),
    ("polaris/insecureCapabilities/failure.drop-most.yaml", "insecureCapabilities", "K8S025", true),
    ("polaris/insecureCapabilities/success.yaml", "insecureCapabilities", "K8S025", false),
    ("polaris/automountServiceAccountToken/failure.uses_defaults.yaml", "automountServiceAccountToken", "K8S027", true),
    ("polaris/automountServiceAccountToken/success.pod.yaml", "automountServiceAccountToken", "K8S027", false),
    (
        "polaris/automountServiceAccountToken/success.serviceaccount.yaml",
        "automountServiceAccountToken",
        "K8S027",
        false,
    ),
    ("polaris/pullPolicyNotAlways/failure.yaml", "pullPolicyNotAlways", "K8S041", true),
    ("polaris/pullPolicyNotAlways/success.yaml", "pullPolicyNotAlways", "K8S041", false),
    // checkov's example_ImageTagFixed.
    ("checkov/example_ImageTagFixed/ephemeralContainer-ImageTagLatest-FAILED.yaml", "CKV_K8S_14", "K8S040", true),
    // TestPodContainerTagLatest: GradeCritical.
    ("kube-score/pod-image-tag-latest.yaml", "container-image-tag", "K8S040", true),
    // TestPodContainerResourceLimitsAndRequests: GradeAllOK.
    ("kube-score/pod-test-resources-limits-and-requests.yaml", "container-resources", "K8S034", false),
    ("kube-score/pod-test-resources-limits-and-requests.yaml", "container-resources", "K8S035", false),
    // TestPodContainerStorageEphemeralNoLimit: GradeCritical; ...RequestAndLimitOK: GradeAllOK.
    (
        "kube-score/pod-ephemeral-storage-missing-limit.yaml",
        "container-ephemeral-storage-request-and-limit",
        "K8S036",
        true,
    ),
    (
        "kube-score/pod-ephemeral-storage-request-nomatch-limit.yaml",
        "container-ephemeral-storage-request-and-limit",
        "K8S036",
        false,
    ),
    // TestPodContainerPullPolicyUndefined and ...Never: GradeCritical.
    ("kube-score/pod-image-pullpolicy-undefined.yaml", "container-image-pull-policy", "K8S041", true),
    ("kube-score/pod-image-pullpolicy-never.yaml", "container-image-pull-policy", "K8S041", true),
    // TestIngressTargetsService (10) and ...NoMatch (1), networking.k8s.io/v1.
    ("kube-score/ingress-networkingv1-targets-service.yaml", "ingress-targets-service", "K8S044", false),
    ("kube-score/ingress-networkingv1-targets-service-no-match.yaml", "ingress-targets-service", "K8S044", true),
    // TestDeploymentWithHPAHasReplicas: GradeCritical.
    (
        "kube-score/deployment-with-hpa-has-replicas.yaml",
        "deployment-targeted-by-hpa-does-not-have-replicas",
        "K8S039",
        true,
    ),
];

/// Where gen differs from the tool on purpose: the rule's documentation names the tool's
/// check and says why. (file, rule)
const DIFFERS_ON_PURPOSE: &[(&str, &str)] = &[
    // A bare Pod is a one-off; gen asks probes of workloads a controller keeps running.
    ("polaris/livenessProbeMissing/failure.yaml", "K8S030"),
    // Dropping Polaris' fifteen one by one is not `drop: [ALL]`, which the restricted profile asks.
    ("polaris/insecureCapabilities/success.yaml", "K8S025"),
    // `Always` everywhere is not gen's choice: immutable tags with `IfNotPresent` (K8S041's doc).
    ("polaris/pullPolicyNotAlways/failure.yaml", "K8S041"),
    ("kube-score/pod-image-pullpolicy-undefined.yaml", "K8S041"),
    ("kube-score/pod-image-pullpolicy-never.yaml", "K8S041"),
    // Ephemeral containers cannot be written in a manifest (K8S040's doc).
    ("checkov/example_ImageTagFixed/ephemeralContainer-ImageTagLatest-FAILED.yaml", "K8S040"),
];

#[test]
fn gen_agrees_with_polaris_checkov_and_kube_score_on_their_own_fixtures_or_says_why_not() {
    for (file, check, rule, tool_reports) in TOOL_FIXTURES {
        let path = fixture(&format!("agreement/{file}"));
        let run = common::lint_json(&path);
        let gen_reports = run.codes().iter().any(|c| c == rule);
        let documented = gen_core::registry::find(rule).expect("a rule").doc.contains(check);
        assert!(documented, "{rule}'s documentation does not name its counterpart `{check}`");
        if DIFFERS_ON_PURPOSE.contains(&(file, rule)) {
            assert_ne!(gen_reports, *tool_reports, "{file}: {rule} now agrees: take it off DIFFERS_ON_PURPOSE");
        } else {
            assert_eq!(gen_reports, *tool_reports, "{file}: {check} says {tool_reports}, {rule} says {gen_reports}");
        }
    }
}
