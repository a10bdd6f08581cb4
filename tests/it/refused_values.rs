//! Values the programs downstream of gen refuse, or show as other than they are, never reach
//! a rendered file unannounced. A spec value Kubernetes would refuse (a label value, an image
//! reference, a class name, a Service or release name) stops `gen render` with exit 2 at the
//! line that wrote it, in an environment's override too, and writes nothing; ignoring that
//! rule does not let it through, because the rendered manifests fail the Kubernetes family's
//! rules. And a bidirectional control in a value ("Trojan Source") is warned about where it is
//! written and reaches every file escaped, read back as the same value.

use crate::common;

use common::{Gen, Run, fixture};

/// `file:line:col` of the first `needle` in `text`, as gen reports it (columns in characters).
fn at(text: &str, needle: &str) -> String {
    let offset = text.find(needle).unwrap_or_else(|| panic!("`{needle}` is not in the spec"));
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[..offset].matches('\n').count() + 1;
    format!("spec.yaml:{line}:{}", text[line_start..offset].chars().count() + 1)
}

/// The valid example with `from` replaced by `to` (each must be in it once).
fn valid_with(edits: &[(&str, &str)]) -> String {
    let mut text = std::fs::read_to_string(fixture("specs/valid.yaml")).expect("read");
    for (from, to) in edits {
        assert_eq!(text.matches(from).count(), 1, "`{from}` once in valid.yaml");
        text = text.replace(from, to);
    }
    text
}

/// Runs gen with `args` in a fresh folder holding `spec` as `spec.yaml`.
fn gen_in(spec: &str, args: &[&str]) -> (tempfile::TempDir, Run) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("spec.yaml"), spec).expect("write");
    let run = Gen::new().args(args).current_dir(dir.path()).run();
    (dir, run)
}

#[test]
fn a_value_kubernetes_refuses_stops_the_render_at_the_line_that_wrote_it() {
    // (edit, the text its finding points at, the rule)
    let cases: &[(&str, &str, &str, &str)] = &[
        // A tag with a space, a quote and a line break: a label value and an image reference.
        ("image: {tag: \"0.1.0\"}", "image: {tag: \"1.0 x\\\"y\\nz\"}", "\"1.0 x", "SPEC128"),
        // A semver build: neither a tag nor a label value.
        ("image: {tag: \"0.1.0\"}", "image: {tag: \"1.4.2+build.5\"}", "\"1.4.2+build.5\"", "SPEC128"),
        // A tag a runtime pulls but no label value may be (the version label).
        ("image: {tag: \"0.1.0\"}", "image: {tag: \"1.4.2-\"}", "\"1.4.2-\"", "SPEC128"),
        (
            "image: {tag: \"0.1.0\"}",
            "image: {repository: shopacr.azurecr.io/Athletes, tag: \"0.1.0\"}",
            "shopacr.azurecr.io/Athletes",
            "SPEC128",
        ),
        ("ingress: {className: nginx}", "ingress: {className: \"ngi\\nnx\"}", "\"ngi\\nnx\"", "SPEC129"),
        ("storageClass: azurefile-csi", "storageClass: azurefile_csi", "azurefile_csi", "SPEC129"),
        // A Service's name starts with a letter; a Helm release's is at most 53 characters.
        ("  - name: athletes", "  - name: 1athletes", "1athletes", "SPEC101"),
        ("  - name: athletes", &format!("  - name: {}", "a".repeat(54)), &"a".repeat(54), "SPEC101"),
    ];
    for (from, to, needle, code) in cases {
        let spec = valid_with(&[(from, to)]);
        let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{to}: {said}");
        assert!(said.contains(&format!("error[{code}]")) && said.contains(&at(&spec, needle)), "{to}: {said}");
        assert!(!dir.path().join("out").exists(), "{to}: a refused spec wrote files");
    }
}

#[test]
fn an_environments_override_is_checked_at_the_override() {
    let base = std::fs::read_to_string(fixture("specs/local-azure.yaml")).expect("read");
    assert!(base.ends_with("  - name: prod\n"), "the fixture ends with the prod environment");
    let spec = base.replace(
        "  - name: prod\n",
        "  - name: prod\n    platform: {azure: {ingress: {className: nginx_internal}}}\n    services:\n      athletes: {image: {tag: \"1.4.2+build.5\"}}\n",
    );
    let (_, run) = gen_in(&spec, &["lint", "--format", "json", "spec.yaml"]);
    let report: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout));
    let found: Vec<(String, String, String)> = report["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"].as_str().is_some_and(|c| c.starts_with("SPEC")))
        .map(|d| {
            let n = |k: &str| d["location"][k].as_u64().unwrap_or(0);
            (
                d["code"].as_str().unwrap_or_default().to_string(),
                format!("spec.yaml:{}:{}", n("line"), n("column")),
                d["message"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mut codes: Vec<(&str, &str)> = found.iter().map(|(c, l, _)| (c.as_str(), l.as_str())).collect();
    codes.sort();
    let (image, class) = (at(&spec, "\"1.4.2+build.5\""), at(&spec, "nginx_internal"));
    assert_eq!(codes, [("SPEC128", image.as_str()), ("SPEC129", class.as_str())], "{found:?}");
    assert!(found.iter().all(|(_, _, m)| m.ends_with("(in environment `prod`)")), "{found:?}");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(!dir.path().join("out").exists());
}

#[test]
fn ignoring_the_spec_rule_does_not_let_the_value_through_the_rendered_manifests() {
    let spec = valid_with(&[
        ("image: {tag: \"0.1.0\"}", "image: {tag: \"1.4.2+build.5\"}"),
        ("  ignore: []", "  ignore: [{rule: SPEC128, reason: \"a test: the manifests must still be refused\"}]"),
    ]);
    let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    assert!(!said.contains("SPEC128"), "{said}");
    for (code, file, text) in [
        ("K8S049", "manifests/athletes/deployment.yaml", "app.kubernetes.io/version: \"1.4.2+build.5\""),
        ("K8S048", "manifests/athletes/deployment.yaml", "image: \"shopacr.azurecr.io/athletes:1.4.2+build.5\""),
    ] {
        assert!(said.contains(&format!("error[{code}]")) && said.contains(file), "{code}: {said}");
        assert!(said.contains(text), "{code} quotes the line: {said}");
    }
    assert!(!dir.path().join("out").exists(), "nothing is written");
}

/// The string at `keys` in the single YAML document `text`.
fn yaml_string(text: &str, keys: &[&str]) -> String {
    let loaded = gen_core::yaml::load("f.yaml", text.as_bytes(), &gen_core::spec::syntax::POLICY);
    let docs = loaded.documents.unwrap_or_else(|e| panic!("{:?}", e[0].message));
    let json = docs[0].root.to_json();
    keys.iter().fold(&json, |j, k| &j[*k]).as_str().unwrap_or_else(|| panic!("{keys:?} in {text}")).to_string()
}

#[test]
fn a_bidi_control_in_a_value_is_warned_about_and_written_escaped_everywhere() {
    // One written as it is (the Trojan Source form), one written as a YAML escape.
    let spec = valid_with(&[(
        "env: {FAVORITE_ATHLETE: \"Usain Bolt\"}",
        "env: {FAVORITE_ATHLETE: \"Usain Bolt\", MOTTO: \"admin\u{202e} \u{2066}// check\u{2069}\u{2066}\", SIGN: \"\\u200Fx\\u2069\"}",
    )]);
    let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("warning[SPEC130]")).collect();
    assert_eq!(warnings.len(), 2, "{}", run.stderr);
    assert!(warnings[0].contains("U+202E (RIGHT-TO-LEFT OVERRIDE), U+2066 (LEFT-TO-RIGHT ISOLATE)"), "{warnings:?}");
    assert!(run.stderr.contains(&at(&spec, "\u{202e}")), "the raw character's own column: {}", run.stderr);
    assert!(run.stderr.contains(&at(&spec, "\"\\u200Fx")), "the escaped value: {}", run.stderr);
    // No file holds a hidden character as it is.
    let out = dir.path().join("out");
    let written = common::tree(&out);
    assert!(written.len() > 50, "{} files", written.len());
    for (path, bytes) in &written {
        let text = String::from_utf8_lossy(bytes);
        let hidden = text.chars().find(|c| gen_core::spec::invisible::is_hidden(*c));
        assert_eq!(hidden, None, "{path} holds a hidden character as it is");
    }
    // And the values read back as written in the spec: in the chart's values and the ConfigMap.
    let motto = "admin\u{202e} \u{2066}// check\u{2069}\u{2066}";
    let values = std::fs::read_to_string(out.join("values/athletes.yaml")).expect("values");
    assert!(values.contains("\\u202e"), "{values}");
    assert_eq!(yaml_string(&values, &["env", "MOTTO"]), motto);
    assert_eq!(yaml_string(&values, &["env", "SIGN"]), "\u{200f}x\u{2069}");
    let configmap = std::fs::read_to_string(out.join("manifests/athletes/configmap.yaml")).expect("configmap");
    assert_eq!(yaml_string(&configmap, &["data", "MOTTO"]), motto);
}

#[test]
fn the_longest_service_name_is_the_longest_release_name_helm_accepts() {
    // Helm's own check of a release name (the SDK the tests render charts with).
    let script = "import helm_python as h, sys\ntry:\n    h.validate_release_name(sys.argv[1])\nexcept Exception:\n    sys.exit(1)";
    for (length, accepted) in [(53, true), (54, false)] {
        let name = "a".repeat(length);
        let helm = common::validator("python").args(["-c", script, &name]).status().expect("python runs");
        assert_eq!(helm.success(), accepted, "Helm on a release name of {length} characters");
        let spec = valid_with(&[("  - name: athletes", &format!("  - name: {name}"))]);
        let (_, run) = gen_in(&spec, &["lint", "--format", "json", "spec.yaml"]);
        assert_eq!(!run.codes().contains(&"SPEC101".to_string()), accepted, "gen on a service name of {length}");
    }
}

#[test]
fn a_namespace_the_cluster_or_the_platform_owns_stops_the_render_at_its_line() {
    // Azure: Kubernetes' own, and those gen's Terraform installs into or AKS runs in.
    for namespace in [
        "kube-system",
        "kube-public",
        "kube-node-lease",
        "default",
        "gateway-system",
        "cert-manager",
        "argocd",
        "gatekeeper-system",
        "dataprotection-microsoft",
        // kube-prometheus-stack's and Loki's, which this spec does not run on AKS: refused all
        // the same.
        "monitoring",
    ] {
        let spec = valid_with(&[("  - name: coaches\n", &format!("  - name: coaches\n    namespace: {namespace}\n"))]);
        let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{namespace}: {said}");
        assert!(said.contains("error[SPEC140]") && said.contains(&at(&spec, namespace)), "{namespace}: {said}");
        assert!(!dir.path().join("out").exists(), "{namespace}: a refused spec wrote files");
    }
    // Local (the environment `dev` of this spec is on kind): the deploy script's namespaces,
    // and the project's name when a service names none.
    let base = std::fs::read_to_string(fixture("specs/local-azure.yaml")).expect("read");
    for (from, to, needle) in [
        ("  name: athletes\n", "  name: ingress-nginx\n", "ingress-nginx"),
        ("  name: athletes\n", "  name: local-path-storage\n", "local-path-storage"),
        ("    port: 5000\n", "    port: 5000\n    namespace: kube-system\n", "kube-system"),
    ] {
        let spec = base.replacen(from, to, 1);
        let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{to}: {said}");
        assert!(said.contains("error[SPEC140]") && said.contains(&at(&spec, needle)), "{to}: {said}");
        assert!(!dir.path().join("out").exists(), "{to}: a refused spec wrote files");
    }
}

#[test]
fn a_namespace_the_platform_s_own_software_is_put_in_is_refused_where_the_cluster_or_other_software_owns_it() {
    // The edge's namespace (Envoy Gateway, ingress-nginx, which every service's NetworkPolicy
    // admits) and the Gateway's (the Gateways, every host's TLS Secret): not Kubernetes' own,
    // nor where cert-manager, Argo CD (on a helm spec too) or AKS Backup's extension are installed.
    let reserved = ["kube-system", "default", "kube-public", "cert-manager", "argocd", "dataprotection-microsoft"];
    let cases = reserved.iter().map(|ns| (format!("ingress: {{className: nginx, namespace: {ns}}}"), *ns)).chain(
        reserved
            .iter()
            .map(|ns| (format!("ingress: {{className: nginx, gateway: {{name: web, namespace: {ns}}}}}"), *ns)),
    );
    for (to, namespace) in cases {
        let spec = valid_with(&[("ingress: {className: nginx}", &to)]);
        let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{to}: {said}");
        let needle = format!("namespace: {namespace}");
        let at = at(&spec, &needle);
        let (file, col) = at.rsplit_once(':').expect("line:col");
        let at = format!("{file}:{}", col.parse::<usize>().expect("col") + "namespace: ".len());
        assert!(said.contains("error[SPEC140]") && said.contains(&at), "{to}: {said}");
        assert!(!dir.path().join("out").exists(), "{to}: a refused spec wrote files");
    }
    // The Gateway beside the edge (the default), and namespaces of the platform's own.
    for to in [
        "ingress: {className: nginx, namespace: web}",
        "ingress: {className: nginx, namespace: web, gateway: {name: web, namespace: web}}",
        "ingress: {className: nginx, gateway: {name: web, namespace: gateway-system}}",
        "ingress: {className: nginx, gateway: {name: web, namespace: web-gateways}}",
    ] {
        let spec = valid_with(&[("ingress: {className: nginx}", to)]);
        let (_, run) = gen_in(&spec, &["lint", "--format", "json", "spec.yaml"]);
        assert!(!run.codes().contains(&"SPEC140".to_string()), "{to}: {:?}", run.findings());
    }
    // A service in the edge's namespace, as the spec names it.
    let spec = valid_with(&[
        ("ingress: {className: nginx}", "ingress: {className: nginx, namespace: web}"),
        ("  - name: coaches\n", "  - name: coaches\n    namespace: web\n"),
    ]);
    let (_, run) = gen_in(&spec, &["render", "spec.yaml"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(said.contains("error[SPEC140]") && said.contains(&at(&spec, "web\n")), "{said}");
    // In an environment's override, at the override; locally the edge's namespace is the
    // deploy script's alone, and another is refused (SPEC137).
    let base = std::fs::read_to_string(fixture("specs/local-azure.yaml")).expect("read");
    for (from, to, code) in [
        ("  - name: prod\n", "  - name: prod\n    platform: {azure: {ingress: {namespace: kube-system}}}\n", "SPEC140"),
        ("{local: {cluster: kind}}", "{local: {cluster: kind, ingress: {namespace: kube-system}}}", "SPEC137"),
    ] {
        assert_eq!(base.matches(from).count(), 1, "{from}");
        let spec = base.replace(from, to);
        let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{said}");
        assert!(said.contains(&format!("error[{code}]")) && said.contains(&at(&spec, "kube-system")), "{said}");
        assert!(!dir.path().join("out").exists(), "a refused spec wrote files");
    }
}

#[test]
fn argo_cd_s_namespace_is_refused_on_a_helm_spec_too_with_words_true_of_it() {
    let service = ("  - name: coaches\n", "  - name: coaches\n    namespace: argocd\n");
    for (deploy, says, never) in [
        (
            "deploy: helm",
            "gen's Terraform installs Argo CD when `pipeline.deploy` is `gitops` (refused on this `helm` spec too",
            "Argo CD runs",
        ),
        (
            "deploy: gitops",
            "is where Argo CD runs, which gen's Terraform installs for `pipeline.deploy: gitops`",
            "helm",
        ),
    ] {
        let spec = valid_with(&[service, ("deploy: helm", deploy)]);
        let (_, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{deploy}: {said}");
        let message = said.lines().find(|l| l.starts_with("error[SPEC140]")).unwrap_or_else(|| panic!("{said}"));
        assert!(message.contains(says) && !message.contains(never), "{deploy}: {message}");
    }
}

#[test]
fn a_value_azure_or_the_api_server_refuses_stops_the_render_at_its_line_with_what_to_write() {
    // (edit, the text its finding points at, the rule, what the help says to write)
    let cases: &[(&str, &str, &str, &str, &str)] = &[
        ("location: westeurope", "location: West Europe", "West Europe", "SPEC142", "write `westeurope`"),
        (
            "location: westeurope",
            "location: \"westeurope\\nx\"",
            "\"westeurope",
            "SPEC142",
            "az account list-locations",
        ),
        (
            "vmSize: Standard_D2ds_v5",
            "vmSize: Standard D2ds v5",
            "Standard D2ds",
            "SPEC143",
            "write `Standard_D2ds_v5`",
        ),
        ("vmSize: Standard_D2ds_v5", "vmSize: D4ds_v5", "D4ds_v5", "SPEC143", "write `Standard_D4ds_v5`"),
        ("storageClass: azurefile-csi", "storageClass: fast-ssd", "fast-ssd", "SPEC141", "`managed-csi-premium`"),
        (
            "storageClass: azurefile-csi",
            "storageClass: azurefile-cs",
            "azurefile-cs,",
            "SPEC141",
            "did you mean `azurefile-csi`?",
        ),
        (
            "host: coaches.example.com",
            "host: \"20.1.2.3\"",
            "\"20.1.2.3\"",
            "SPEC106",
            "a DNS name that resolves to the address",
        ),
        ("host: coaches.example.com", "host: Coaches.Example.com", "Coaches", "SPEC106", "write `coaches.example.com`"),
    ];
    for (from, to, needle, code, help) in cases {
        let spec = valid_with(&[(from, to)]);
        let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
        let said = format!("{}{}", run.stdout, run.stderr);
        assert_eq!(run.code, 2, "{to}: {said}");
        assert!(said.contains(&format!("error[{code}]")) && said.contains(&at(&spec, needle)), "{to}: {said}");
        assert!(said.contains(help), "{to}: the help says {help}: {said}");
        assert!(!dir.path().join("out").exists(), "{to}: a refused spec wrote files");
    }
}

#[test]
fn an_ip_address_as_a_local_host_is_refused_with_its_nip_io_name() {
    let base = std::fs::read_to_string(fixture("specs/local-azure.yaml")).expect("read");
    // The environment `dev` runs on kind: its host is an override.
    let spec = base.replace(
        "athletes: {replicas: 1, autoscaling: {minReplicas: 1, maxReplicas: 2}}",
        "athletes: {replicas: 1, autoscaling: {minReplicas: 1, maxReplicas: 2}, ingress: {host: \"192.168.49.2\"}}",
    );
    assert_ne!(spec, base);
    let (dir, run) = gen_in(&spec, &["render", "spec.yaml"]);
    let said = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(run.code, 2, "{said}");
    assert!(said.contains("error[SPEC106]") && said.contains(&at(&spec, "\"192.168.49.2\"")), "{said}");
    assert!(said.contains("write `192.168.49.2.nip.io`") && said.contains("in environment `dev`"), "{said}");
    assert!(!dir.path().join("out").exists());
}
