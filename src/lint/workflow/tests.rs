use super::*;
use crate::lint::run_checks;

fn doc(yaml: &str) -> Document {
    Document::parse(&Source::new("ci.yml", yaml))
}

/// The findings of every workflow rule, as `(code, line, column)`.
fn findings(yaml: &str) -> Vec<(&'static str, usize, usize)> {
    let d = doc(yaml);
    let mut found: Vec<_> = run_checks(CHECKS, std::slice::from_ref(&d))
        .into_iter()
        .map(|f| {
            let p = d.source.position(f.span.unwrap_or_default());
            (f.rule.code, p.line, p.column)
        })
        .collect();
    found.sort();
    found
}

fn codes(yaml: &str) -> Vec<&'static str> {
    findings(yaml).into_iter().map(|f| f.0).collect()
}

#[test]
fn on_is_read_as_the_string_key_on_in_every_form() {
    let events = |yaml: &str| doc(yaml).triggers().into_iter().map(|(t, _)| t.to_string()).collect::<Vec<_>>();
    assert_eq!(events("on: push\njobs: {}\n"), ["push"]);
    assert_eq!(events("on: [push, pull_request_target]\njobs: {}\n"), ["push", "pull_request_target"]);
    assert_eq!(
        events("on:\n  push:\n    branches: [main]\n  workflow_dispatch:\njobs: {}\n"),
        ["push", "workflow_dispatch"]
    );
    assert_eq!(events("\"on\": push\njobs: {}\n"), ["push"]);
    // YAML 1.1 read `on` as `true`; GitHub, and gen, read the key `on`.
    assert!(doc("on: push\n").get("on").is_some());
    assert!(doc("on: push\n").get("true").is_none());
    let d = doc("on:\n  - push\n  - workflow_run\njobs: {}\n");
    let (_, span) = d.triggers()[1];
    assert_eq!(d.source.position(span).line, 3);
    assert!(d.triggered_by("workflow_run"));
}

#[test]
fn permissions_are_read_in_every_form() {
    let d = doc("on: push\npermissions: write-all\njobs: {}\n");
    assert_eq!(d.permissions().and_then(|p| p.all()), Some("write-all"));
    let d = doc("on: push\npermissions: {}\njobs: {}\n");
    assert!(d.permissions().is_some_and(|p| p.scopes().is_empty() && p.all().is_none()));
    let d = doc("on: push\npermissions:\n  contents: read\n  id-token: write\njobs: {}\n");
    let p = d.permissions().expect("permissions");
    assert_eq!(
        p.scopes().iter().map(|(s, l, _)| format!("{s}:{l}")).collect::<Vec<_>>(),
        ["contents:read", "id-token:write"]
    );
    assert_eq!(p.grants("id-token", "write").map(|k| d.source.position(k).line), Some(4));
    assert_eq!(p.grants("contents", "write"), None);
}

#[test]
fn permissions_findings_follow_the_form() {
    let job = "jobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: make\n";
    assert_eq!(findings(&format!("on: push\n{job}")), [("GHA003", 3, 3)], "no permissions anywhere: at the job");
    assert_eq!(findings(&format!("on: push\npermissions: {{}}\n{job}")), []);
    assert_eq!(findings(&format!("on: push\npermissions: read-all\n{job}")), [("GHA003", 2, 1)]);
    assert_eq!(findings(&format!("on: push\npermissions:\n  contents: write\n{job}")), [("GHA003", 3, 3)]);
    let own = job.replace("    timeout-minutes: 5\n", "    timeout-minutes: 5\n    permissions: write-all\n");
    assert_eq!(findings(&format!("on: push\n{own}")), [("GHA003", 6, 5)]);
    let own =
        job.replace("    timeout-minutes: 5\n", "    timeout-minutes: 5\n    permissions:\n      packages: write\n");
    assert_eq!(findings(&format!("on: push\n{own}")), [], "every job sets its own, write in a job is fine");
}

#[test]
fn a_yaml_error_is_gha001_at_its_line_and_nothing_else() {
    assert_eq!(findings("on: push\njobs:\n  a: [\n"), [("GHA001", 4, 1)]);
    assert_eq!(codes("on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n"), ["GHA001"]);
    assert_eq!(findings("on: push\njobs:\n  a:\n    runs-on: x\n    runs-on: y\n")[0].1, 5);
    assert_eq!(codes(""), ["GHA001"]);
    assert_eq!(codes("- on\n- jobs\n"), ["GHA001"]);
    assert_eq!(codes("\u{0}"), ["GHA001"]);
    assert_eq!(codes("on: push\n---\njobs: {}\n"), ["GHA001"]);
}

#[test]
fn structure_errors_are_gha001_at_the_offending_key() {
    assert_eq!(findings("name: x\njobs: {}\n"), [("GHA001", 1, 1)]);
    assert_eq!(findings("on: push\npermissions: {}\n"), [("GHA001", 1, 1)]);
    let f = findings(
        "on: push\npermissions: {}\njobs:\n  a:\n    timeout-minutes: 5\n    steps:\n      - name: both\n        uses: ./x\n        run: make\n      - name: neither\n",
    );
    assert_eq!(f, [("GHA001", 4, 3), ("GHA001", 8, 9), ("GHA001", 10, 9)]);
    assert_eq!(findings("on: push\npermissions: {}\njobs:\n  call:\n    uses: ./.github/workflows/x.yml\n"), []);
}

#[test]
fn no_input_panics() {
    for text in [
        "on:",
        "on: push\njobs:",
        "on: push\njobs: [a]",
        "on: push\njobs:\n  a: 1",
        "on: push\njobs:\n  a:\n    steps: 3",
        "on: push\njobs:\n  a:\n    steps: [1, [2], {run: [3]}, {uses: {x: 1}}]",
        "on: {pull_request_target: 1}\njobs:\n  a:\n    steps:\n      - uses: actions/checkout@v1\n        with: [ref]",
        "on: push\njobs:\n  a:\n    steps:\n      - run: \"${{ \\\"é\"\n      - run: ${{ github.event.issue.title",
        "on: push\njobs:\n  a:\n    permissions: [id-token]\n    container: {credentials: [1]}\n    services: [1]\n    env: [1]",
        "on: push\njobs:\n  a:\n    steps:\n      - run: |\n          docker login -p\n          az aks get-credentials --admin\n          X='unterminated",
    ] {
        let _ = findings(text);
    }
}

#[test]
fn workflows_are_recognised_by_folder_or_by_content() {
    let r = |path: &str, text: &str| FAMILY.recognises(path, text);
    assert_eq!(r("/repo/.github/workflows/ci.yml", ""), Recognition::Yes);
    assert_eq!(r(".github/workflows/ci.yaml", "apiVersion: v1\nkind: Pod\n"), Recognition::Yes);
    assert_eq!(r(".github/workflows/sub/ci.yml", ""), Recognition::No, "GitHub reads no subfolder");
    assert_eq!(r(".github/workflows/README.md", ""), Recognition::No);
    assert_eq!(r("ci/build.yml", "name: x\non: push\njobs:\n  a: {}\n"), Recognition::Maybe);
    assert_eq!(r("ci/build.yml", "'on': push\njobs: {}\n"), Recognition::Maybe);
    assert_eq!(r("k8s/pod.yaml", "apiVersion: v1\nkind: Pod\non: x\njobs: y\n"), Recognition::No);
    assert_eq!(r("values.yaml", "image: x\n"), Recognition::No);
    let k8s = crate::lint::kubernetes::FAMILY.recognises(".github/workflows/ci.yml", "apiVersion: v1\nkind: Pod\n");
    assert_eq!(k8s, Recognition::No, "a file in .github/workflows is a workflow");
    let chosen = crate::lint::recognise("/r/.github/workflows/ci.yml", "on: push\njobs: {}\n", Recognition::Yes);
    assert_eq!(chosen.map(|f| f.name()), Some("workflow"));
    let chosen =
        crate::lint::recognise("k8s/deploy.yaml", "apiVersion: apps/v1\nkind: Deployment\n", Recognition::Maybe);
    assert_eq!(chosen.map(|f| f.name()), Some("kubernetes"));
}

#[test]
fn uses_values_are_read() {
    let d = doc(
        "on: push\njobs:\n  a:\n    steps:\n      - uses: Actions/Checkout/sub@v4\n      - uses: docker://alpine:3\n      - uses: ./local\n      - uses: owner/repo\n",
    );
    let uses = d.uses();
    assert_eq!(uses[0].target(), Target::Action { action: "Actions/Checkout/sub", reference: Some("v4") });
    assert!(uses[0].is("actions/checkout") && !uses[0].is("actions/checkout/other"));
    assert_eq!(uses[0].repository(), "actions/checkout");
    assert_eq!(uses[1].target(), Target::Docker("alpine:3"));
    assert_eq!(uses[2].target(), Target::Local);
    assert_eq!(uses[3].reference(), None);
}

#[test]
fn input_types_come_from_the_dispatch_or_call_inputs() {
    let d = doc(
        "on:\n  workflow_dispatch:\n    inputs:\n      tag: {type: string}\n      dry: {type: boolean}\n      free: {}\n  workflow_call:\n    inputs:\n      n: {type: number}\njobs: {}\n",
    );
    assert_eq!(d.input_type("tag"), Some("string"));
    assert_eq!(d.input_type("dry"), Some("boolean"));
    assert_eq!(d.input_type("free"), Some(""));
    assert_eq!(d.input_type("n"), Some("number"));
    assert_eq!(d.input_type("missing"), None);
}

/// Typed inputs declared with capitals and read in another case are values GitHub checks, not
/// free text. (A unit test rather than a `passes` fixture: zizmor's pedantic persona reports
/// typed inputs too, at low severity, so the fixture would fail the agreement test.)
#[test]
fn typed_inputs_declared_with_capitals_are_not_free_text() {
    let yaml = "on:\n  workflow_dispatch:\n    inputs:\n      DryRun: {type: boolean}\n      Replicas: {type: number}\n      Target: {type: choice, options: [staging, production]}\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: ./deploy.sh ${{ inputs.dryRun }} ${{ inputs.replicas }} ${{ github.event.inputs.TARGET }}\n";
    assert_eq!(codes(yaml), Vec::<&str>::new());
}

#[test]
fn input_types_are_found_whatever_the_case_of_the_declaration_or_the_reference() {
    let d = doc("on:\n  workflow_dispatch:\n    inputs:\n      DryRun: {type: boolean}\n      Notes: {}\njobs: {}\n");
    assert_eq!(d.input_type("dryrun"), Some("boolean"));
    assert_eq!(d.input_type("DRYRUN"), Some("boolean"));
    assert_eq!(d.input_type("notes"), Some(""));
}

#[test]
fn template_injection_is_placed_on_the_expression_inside_the_block() {
    let yaml = "on:\n  workflow_dispatch:\n    inputs:\n      dry: {type: boolean}\n      tag: {type: string}\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: |\n          echo ${{ inputs.dry }}\n            echo \"${{ github.event.head_commit.message }}\" ${{ inputs.tag }}\n          echo ${{ github.sha }} ${{ toJSON(github.event) }}\n";
    assert_eq!(findings(yaml), [("GHA005", 14, 19), ("GHA005", 14, 60), ("GHA005", 15, 34)]);
}

/// A workflow whose workflow-level `env:` is `top`, job `a`'s is `job`, and one step with `env:`
/// `step` runs `run`. Its `run:` is on line 12 (with every `env:` written).
fn with_env(top: &str, job: &str, step: &str, run: &str) -> String {
    format!(
        "on:\n  workflow_dispatch:\n    inputs:\n      note: {{type: string}}\n      dry: {{type: boolean}}\npermissions: {{}}\nenv: {top}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    env: {job}\n    steps:\n      - env: {step}\n        run: {run}\n"
    )
}

#[test]
fn an_env_context_is_what_its_env_entry_is_set_from() {
    let title = "{T: '${{ github.event.pull_request.title }}'}";
    let gha005 = |yaml: &str| findings(yaml).into_iter().filter(|f| f.0 == "GHA005").collect::<Vec<_>>();
    // Set at the workflow, the job or the step, read by `${{ env.T }}`: at the expression.
    for (top, job, step) in [(title, "{}", "{}"), ("{}", title, "{}"), ("{}", "{}", title)] {
        let yaml = with_env(top, job, step, "echo \"${{ env.T }}\"");
        assert_eq!(gha005(&yaml), [("GHA005", 15, 20)], "{yaml}");
    }
    // Contexts are case-insensitive; the message names the variable as the `env:` writes it.
    let yaml = with_env("{}", title, "{}", "echo \"${{ env.t }}\"");
    let d = doc(&yaml);
    let found = run_checks(CHECKS, std::slice::from_ref(&d));
    let message = &found.iter().find(|f| f.rule.code == "GHA005").expect("GHA005").message;
    assert!(
        message.starts_with("`env.T` is set from `github.event.pull_request.title` in the `env:` of job `a` (line 12)"),
        "{message}"
    );
    // Through a step's variable set from the job's; from a free-text input.
    let yaml = with_env("{}", title, "{S: '${{ env.T }}'}", "echo \"${{ env.S }}\"");
    assert_eq!(gha005(&yaml), [("GHA005", 15, 20)]);
    let yaml = with_env("{N: '${{ inputs.note }}'}", "{}", "{}", "echo ${{ env.N }}");
    assert_eq!(gha005(&yaml), [("GHA005", 15, 19)]);
    // Read by the shell, it is data; set from the repository's own values, it is not text
    // from outside; hidden by the step's own safe value, it is not the job's; unset, nothing.
    assert_eq!(gha005(&with_env("{}", title, "{}", "echo \"$T\"")), []);
    assert_eq!(
        gha005(&with_env(
            "{}",
            "{T: '${{ github.sha }}', D: '${{ inputs.dry }}'}",
            "{}",
            "echo ${{ env.T }} ${{ env.D }}"
        )),
        []
    );
    assert_eq!(gha005(&with_env("{}", title, "{T: fixed}", "echo ${{ env.T }}")), []);
    assert_eq!(gha005(&with_env("{}", "{}", "{}", "echo ${{ env.T }}")), []);
    // A step's variable cannot read its own `env:`: `S` is set from the job's `T`, not the step's.
    let yaml = with_env("{}", "{T: safe}", "{T: '${{ github.head_ref }}', S: '${{ env.T }}'}", "echo ${{ env.S }}");
    assert_eq!(gha005(&yaml), []);
}

#[test]
fn an_expression_never_closed_is_gha001_wherever_it_is() {
    let yaml = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    if: ${{ github.event_name == 'push'\n    steps:\n      - run: |\n          echo ok\n          echo \"${{ github.sha\"\n      - run: echo \"${{ '${{' }}\"\n";
    assert_eq!(findings(yaml), [("GHA001", 7, 9), ("GHA001", 11, 17)]);
}

#[test]
fn registry_logins_give_their_password_argument() {
    use crate::text::shell::commands;
    let found = |script: &str| {
        let cmd = commands(script).into_iter().next().expect("a command");
        login_password(&cmd).map(|(option, value)| (option, value.map(|(i, v)| (i, v.to_string()))))
    };
    assert_eq!(found("docker login -u me -p S3cr3t"), Some((4, Some((5, "S3cr3t".into())))));
    assert_eq!(found("podman login --password=S3cr3t r"), Some((2, Some((2, "S3cr3t".into())))));
    assert_eq!(found("helm registry login r -pS3cr3t"), Some((4, Some((4, "S3cr3t".into())))));
    assert_eq!(found("docker login -p"), Some((2, None)));
    assert_eq!(found("docker login -u me --password-stdin"), None);
    assert_eq!(found("docker push -p x"), None);
}

#[test]
fn the_seeds_docker_login_is_a_literal_credential_and_a_password_argument() {
    // Seed 002's build script: `docker login -u user -p <password>`, written in the script.
    let yaml = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: |\n          docker login -u user -p S3cr3t\n          DB_PASSWORD=hunter2 ./migrate\n          psql postgres://app:hunter2@db/app\n          echo \"$TOKEN\" | docker login -u user --password-stdin\n";
    assert_eq!(findings(yaml), [("GHA006", 9, 35), ("GHA006", 10, 11), ("GHA006", 11, 16), ("GHA007", 9, 32)],);
}

#[test]
fn a_job_image_without_a_digest_is_unpinned() {
    let yaml = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    container: python:3.13\n    services:\n      db:\n        image: postgres:17\n      cache:\n        image: redis@sha256:0000000000000000000000000000000000000000000000000000000000000000\n    steps:\n      - run: true\n";
    let found: Vec<_> = findings(yaml).into_iter().filter(|f| f.0 == "GHA002").collect();
    assert_eq!(found, [("GHA002", 7, 16), ("GHA002", 10, 16)]);
    let pinned = yaml
        .replace("python:3.13", "python@sha256:1111111111111111111111111111111111111111111111111111111111111111")
        .replace("postgres:17", "${{ matrix.db }}");
    assert!(!codes(&pinned).contains(&"GHA002"), "{:?}", findings(&pinned));
    let mapping = yaml.replace("container: python:3.13", "container:\n      image: python:3.13");
    assert!(findings(&mapping).contains(&("GHA002", 8, 14)), "{:?}", findings(&mapping));
}

#[test]
fn template_injection_help_reads_the_variable_in_the_script_language() {
    let help = |yaml: &str| {
        let d = doc(yaml);
        run_checks(CHECKS, std::slice::from_ref(&d))
            .into_iter()
            .filter(|f| f.rule.code == "GHA005")
            .map(|f| f.help.unwrap_or_default())
            .collect::<Vec<_>>()
    };
    let head = "on: issues\npermissions: {}\njobs:\n  a:\n    runs-on: windows-latest\n";
    let pwsh =
        format!("{head}    steps:\n      - shell: pwsh\n        run: echo \"${{{{ github.event.issue.title }}}}\"\n");
    assert!(help(&pwsh)[0].contains("$env:VALUE"), "{:?}", help(&pwsh));
    let defaults = format!(
        "{head}    defaults:\n      run:\n        shell: powershell\n    steps:\n      - run: echo \"${{{{ github.event.issue.title }}}}\"\n"
    );
    assert!(help(&defaults)[0].contains("$env:VALUE"));
    let script = format!(
        "{head}    steps:\n      - uses: actions/github-script@v7\n        with:\n          script: console.log('${{{{ github.event.issue.title }}}}')\n"
    );
    assert!(help(&script)[0].contains("process.env.VALUE"));
    let bash = format!("{head}    steps:\n      - run: echo \"${{{{ github.event.issue.title }}}}\"\n");
    assert!(help(&bash)[0].contains("\"$VALUE\""));
}

#[test]
fn unknown_contexts_and_properties_are_reported_and_known_ones_are_not() {
    let gha021 = |expr: &str| {
        let yaml = format!(
            "on: push\npermissions: {{}}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: echo ok\n  b:\n    needs: a\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - id: x\n        run: echo \"${{{{ {expr} }}}}\"\n"
        );
        findings(&yaml).into_iter().filter(|f| f.0 == "GHA021").count()
    };
    for bad in [
        "gihub.sha",
        "secret.TOKEN",
        "github.event_nam",
        "runner.arch_name",
        "steps.y.outputs.z",
        "needs.c.result",
        "steps.x.output",
        "needs.a.outputs_z",
    ] {
        assert_eq!(gha021(bad), 1, "{bad}");
    }
    for good in [
        "github.sha",
        "secrets.TOKEN",
        "github.event.issue.number",
        "runner.os",
        "steps.x.outputs.z",
        "needs.a.result",
        "needs.A.outputs.z",
        "format('{0}', matrix.os)",
        "env.A",
        "vars.B",
        "inputs.c",
    ] {
        assert_eq!(gha021(good), 0, "{good}");
    }
}

#[test]
fn a_docker_push_in_a_script_pushes_without_provenance_and_a_placeholder_path_is_no_credential() {
    let job = "on: push\npermissions: {}\njobs:\n  a:\n    runs-on: ubuntu-24.04\n    timeout-minutes: 5\n    steps:\n      - run: |\n";
    let with = |script: &str| findings(&format!("{job}{script}"));
    assert_eq!(with("          docker --config /tmp/c image push r/x:1\n"), [("GHA025", 9, 11)]);
    assert_eq!(with("          docker build -t r/x:1 . && docker push r/x:1\n"), [("GHA025", 9, 38)]);
    assert_eq!(with("          docker buildx build --push -t r/x:1 .\n          docker pull r/x:1\n"), []);
    // A connection string of placeholders says where the database is, not its password.
    assert_eq!(with("          CONNECTION_STRING=projects/PROJECT_ID/instances/I/databases/D ./t\n"), []);
    assert_eq!(with("          CONNECTION_STRING=Server=db;Password=hunter2 ./t\n"), [("GHA006", 9, 11)]);
}
