//! gen's Helm template engine (`gen_core::gotmpl`) against the real Helm (Helm v4's engine
//! through the validators' SDK): gen's own chart and the examples' charts rendered by both,
//! text for text and object for object; a table of small templates, one per construct and
//! function, whose expected text is what Helm prints; located errors; and hostile templates
//! that must fail fast rather than hang.

use crate::common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::objects::{difference, key, objects};
use common::{Gen, root, validator};
use gen_core::gotmpl::{Chart, Error, Release, values};
use serde_json::Value;

/// Helm's rendered text of every template, unsplit and untrimmed (what `helm template`
/// prints, before its `---`/`# Source:` headers): `{"ok": {path: text}}` or `{"error": msg}`.
const HELM_TEXT: &str = r#"
import json, sys
import helm_python as helm
from helm_shim import merge
chart, release, namespace, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
values = {}
for f in files:
    merge(values, helm.values_from_yaml(open(f).read()) or {})
try:
    with helm.Chart.load(chart) as c:
        rendered = c.render(values=values or None, name=release, namespace=namespace)
    print(json.dumps({"ok": rendered}))
except helm.HelmError as e:
    print(json.dumps({"error": str(e)}))
"#;

/// Helm's texts by path inside the chart (`templates/x.yaml`), whitespace-only ones left out
/// as gen's engine leaves them out; or Helm's error.
fn helm_text(
    chart: &Path,
    release: &str,
    namespace: &str,
    files: &[PathBuf],
) -> Result<BTreeMap<String, String>, String> {
    let run = validator("python")
        .env("PYTHONPATH", common::validators().join("bin"))
        .args(["-c", HELM_TEXT])
        .arg(chart)
        .args([release, namespace])
        .args(files)
        .output()
        .expect("python");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out: Value = serde_json::from_slice(&run.stdout).expect("JSON");
    if let Some(e) = out.get("error") {
        return Err(e.as_str().unwrap_or_default().to_string());
    }
    Ok(out["ok"]
        .as_object()
        .expect("rendered")
        .iter()
        .filter_map(|(path, text)| {
            let text = text.as_str().unwrap_or_default();
            let (_, inside) = path.split_once('/')?;
            (!text.trim().is_empty()).then(|| (inside.to_string(), text.to_string()))
        })
        .collect())
}

/// A chart folder's files as `Chart::parse` takes them.
fn chart_files(dir: &Path) -> Vec<(String, String)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).expect("inside").to_string_lossy().replace('\\', "/");
            (rel, std::fs::read_to_string(e.path()).expect("text"))
        })
        .collect()
}

/// gen's engine on a chart folder with values files, as `helm template -f ...` would run.
fn gen_text(dir: &Path, release: &str, namespace: &str, files: &[PathBuf]) -> Result<BTreeMap<String, String>, Error> {
    let chart = Chart::parse(&chart_files(dir))?;
    let overrides = files
        .iter()
        .map(|f| values::load(&f.display().to_string(), &std::fs::read_to_string(f).expect("values")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(chart.render(&chart.values(&overrides), &Release::new(release, namespace))?.into_iter().collect())
}

/// The Kubernetes objects of rendered texts, read as Helm's SDK reads them, by `Kind/name`.
fn objects_of(texts: &BTreeMap<String, String>) -> BTreeMap<String, Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut paths = Vec::new();
    for (i, (path, text)) in texts.iter().enumerate() {
        if path.ends_with("NOTES.txt") {
            continue;
        }
        let p = dir.path().join(format!("{i}.yaml"));
        std::fs::write(&p, text).expect("write");
        paths.push(p.display().to_string());
    }
    let mut args = vec!["files"];
    args.extend(paths.iter().map(String::as_str));
    objects(&args).expect("the rendered YAML parses").into_iter().map(|(_, o)| (key(&o), o)).collect()
}

/// Asserts gen's engine renders `dir` as Helm does; with `exact`, text for text.
fn assert_same_render(what: &str, dir: &Path, release: &str, namespace: &str, files: &[PathBuf], exact: bool) {
    let helm = helm_text(dir, release, namespace, files).unwrap_or_else(|e| panic!("{what}: helm fails: {e}"));
    let ours = gen_text(dir, release, namespace, files).unwrap_or_else(|e| panic!("{what}: gen's engine fails: {e}"));
    assert_eq!(helm.keys().collect::<Vec<_>>(), ours.keys().collect::<Vec<_>>(), "{what}: the same files render");
    if exact {
        for (path, text) in &helm {
            assert_eq!(&ours[path], text, "{what}: {path} differs from helm's text");
        }
    }
    let (a, b) = (objects_of(&helm), objects_of(&ours));
    assert!(!a.is_empty(), "{what}: objects render");
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>(), "{what}: the same objects");
    for (k, object) in &a {
        if let Some(d) = difference(object, &b[k], k) {
            panic!("{what}: helm / gen's engine differ at {d}");
        }
    }
}

/// Each service of a rendered project's spec, with its namespace, and its values files.
fn services(project: &Path, spec: &Path) -> Vec<(String, String, PathBuf)> {
    let bytes = std::fs::read(spec).expect("spec");
    let loaded = gen_core::spec::load("spec.yaml", &bytes).unwrap_or_else(|_| panic!("{} loads", spec.display()));
    let namespaces: BTreeMap<String, Option<String>> =
        loaded.spec.services.iter().map(|s| (s.name.clone(), s.namespace.clone())).collect();
    let mut out = Vec::new();
    for entry in std::fs::read_dir(project.join("values")).expect("values/") {
        let path = entry.expect("entry").path();
        let stem = path.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        let service = stem.split('.').next().unwrap_or_default().to_string();
        let namespace = namespaces.get(&service).cloned().flatten().unwrap_or_else(|| service.clone());
        out.push((service, namespace, path));
    }
    out.sort();
    assert!(!out.is_empty(), "{} has values files", project.display());
    out
}

#[test]
fn gens_own_chart_renders_as_helm_renders_it_text_for_text() {
    let out = root().join("out");
    for (service, namespace, values) in services(&out, &root().join("spec.yaml")) {
        let what = format!("out/chart with {}", values.display());
        assert_same_render(&what, &out.join("chart"), &service, &namespace, &[values], true);
    }
}

#[test]
fn the_examples_charts_render_as_helm_renders_them() {
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .collect();
    examples.sort();
    assert!(!examples.is_empty());
    // And the specs whose values reach every branch of gen's chart (ingress and HTTPRoute,
    // Key Vault, persistence and backups, autoscaling, environments).
    examples
        .extend(["options.yaml", "vaults.yaml", "environments.yaml"].map(|f| common::fixture(&format!("specs/{f}"))));
    for spec in examples {
        let dir = tempfile::tempdir().expect("tempdir");
        let run = Gen::new().arg("render").arg(&spec).arg("--out").arg(dir.path()).run();
        assert_eq!(run.code, 0, "gen render {}: {}\n{}", spec.display(), run.stdout, run.stderr);
        // An example on ECS has no chart (its test is the task's contract, tests/it/terraform.rs).
        if !dir.path().join("chart").exists() {
            let text = std::fs::read_to_string(&spec).expect("spec");
            assert!(text.contains("\n    ecs: {"), "{} renders no chart", spec.display());
            continue;
        }
        for (service, namespace, values) in services(dir.path(), &spec) {
            let what = format!("{} with {}", spec.display(), values.file_name().unwrap_or_default().to_string_lossy());
            assert_same_render(&what, &dir.path().join("chart"), &service, &namespace, &[values], true);
        }
    }
}

/// The values every small template of the table reads.
const TABLE_VALUES: &str = r##"
big: 1000000
mid: 123456
half: 1.5
two: 2
neg: -3
t: true
f: false
s: "hello world"
empty: ""
zero: 0
nul: null
l: [a, b, c]
nums: [3, 1, 2]
m: {b: 2, a: 1, "key with space": x}
nested: {a: {b: {c: deep}}}
res:
  requests: {cpu: 100m, memory: 128Mi, ephemeral-storage: 64Mi}
  limits: {cpu: "1", memory: 1Gi}
annotations:
  nginx.ingress.kubernetes.io/rewrite-target: /$2
  a10: x
  a9: y
  B: z
  b: w
  "a_b": v
  "aZ": u
strs: ["true", "1.0", "", "a: b", "- x", "#c", "a #b", " lead", "trail ", "y", "on", "0.0.1", "1e3", "0x1F",
  "0755", "multi\nline", "multi\nline\n", "multi\n\n", "  ind\nx", "tab\there", "é ü", "~", "null", "*a", "a'b",
  "x:", "-", "12:30:00", "2001-12-14", ".5", "+1", "NaN", "1_000", "sp \nx", "x\n y", "x\r\ny", "a\"b", "09",
  "aaaa bbbb cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq rrrr ssss tttt",
  "aaaa 'bbbb' cccc dddd eeee ffff gggg hhhh iiii jjjj kkkk llll mmmm nnnn oooo pppp qqqq: rrrr ssss tttt"]
floats: [1.5, 1e21, 1e-7, 0.1, 100000000, 2.0]
list_of_maps: [{name: a, port: 80}, {name: b, ports: [1, 2]}]
yaml11: {on: 1, n: 2, mode: 0644, yes_value: yes, big: 1e3, under: 1_000, "quoted": "on"}
"##;

/// Small templates, one construct or function each; the expected text of each is what Helm
/// prints for it, asked of Helm when the test runs.
const TABLE: &[&str] = &[
    // Text, trimming, comments.
    "plain text\n  kept  \n",
    "a  {{- \"b\" -}}  c\n",
    "a\n\n{{- /* a comment */ -}}\n\nb",
    "a {{/* comment */}} b",
    "{{- /* multi\nline */}}\nx",
    "{{ \"}}\" }} {{ `raw\\n` }} {{ \"esc\\t\\u00e9\\x41\" }} {{ 'a' }}",
    // Literals and Go's printing.
    "{{ 2 }} {{ -3 }} {{ 1.5 }} {{ 1.0 }} {{ 1e6 }} {{ 0x10 }} {{ 0o17 }} {{ 1_000 }} {{ true }} {{ false }}",
    "{{ .Values.big }} {{ .Values.mid }} {{ .Values.half }} {{ .Values.two }} {{ .Values.neg }} {{ .Values.zero }}",
    "{{ .Values.t }} [{{ .Values.nul }}] [{{ .Values.missing }}] [{{ .Values.empty }}] <no value>",
    "{{ .Values.l }} {{ .Values.m }} {{ .Values.nested }} {{ .Values.list_of_maps }} {{ .Values.floats }}",
    "{{ list 1 \"a\" nil 2.5 (list) (dict) }} {{ dict \"k\" (list 1 2) }}",
    // Fields, variables, sub-pipelines.
    "{{ .Values.nested.a.b.c }} {{ $.Values.two }} {{ (.Values.nested).a.b.c }} {{ $x := .Values.nested }}{{ $x.a.b.c }}",
    "{{ $a := 1 }}{{ $a }}{{ $a = 2 }}{{ $a }}{{ if true }}{{ $a = 3 }}{{ $b := 9 }}{{ end }}{{ $a }}",
    "{{ .Release.Name }} {{ .Release.Namespace }} {{ .Release.IsInstall }} {{ .Release.IsUpgrade }} {{ .Release.Revision }} {{ .Release.Service }}",
    "{{ .Chart.Name }} {{ .Chart.Version }} {{ .Chart.AppVersion }} {{ .Chart.Description }} {{ .Chart.Type }} {{ .Chart.KubeVersion }} {{ .Chart.APIVersion }}",
    "{{ .Template.Name }} {{ .Template.BasePath }}",
    "{{ .Capabilities.KubeVersion.Version }} {{ .Capabilities.KubeVersion.Major }} {{ .Capabilities.KubeVersion.Minor }} {{ .Capabilities.APIVersions.Has \"apps/v1\" }} {{ .Capabilities.APIVersions.Has \"example.com/v9\" }}",
    // Control structures.
    "{{ if .Values.t }}yes{{ end }} {{ if .Values.f }}no{{ else }}else{{ end }} {{ if .Values.f }}1{{ else if .Values.two }}2{{ else }}3{{ end }}",
    "{{ if .Values.empty }}x{{ end }}{{ if .Values.l }}list{{ end }}{{ if .Values.zero }}z{{ end }}{{ if .Values.m }}map{{ end }}{{ if .Values.nul }}n{{ end }}",
    "{{ range .Values.l }}[{{ . }}]{{ end }} {{ range $i, $v := .Values.l }}{{ $i }}={{ $v }} {{ end }}",
    "{{ range $k, $v := .Values.m }}{{ $k }}:{{ $v }};{{ end }} {{ range .Values.m }}{{ . }}{{ end }}",
    "{{ range 3 }}{{ . }}{{ end }} {{ range $i := 2 }}{{ $i }}{{ end }} {{ range .Values.missing }}x{{ else }}none{{ end }}",
    "{{ range .Values.l }}{{ if eq . \"b\" }}{{ continue }}{{ end }}{{ if eq . \"c\" }}{{ break }}{{ end }}{{ . }}{{ end }}",
    "{{ range $i, $m := .Values.list_of_maps }}{{ $i }}:{{ $m.name }}{{ range $m.ports }}/{{ . }}{{ end }} {{ end }}",
    "{{ with .Values.nested.a }}{{ .b.c }}{{ end }} {{ with .Values.missing }}x{{ else }}none{{ end }} {{ with $v := .Values.s }}{{ $v }}{{ end }}",
    "{{ with .Values.missing }}x{{ else with .Values.s }}{{ . }}{{ end }}",
    "{{ define \"t.inner\" }}[{{ . }}]{{ end }}{{ template \"t.inner\" \"arg\" }} {{ include \"t.inner\" 5 | quote }} {{ block \"t.block\" . }}block{{ end }}",
    "{{ define \"t.rec\" }}{{ if gt (len .) 0 }}{{ first . }}{{ include \"t.rec\" (rest .) }}{{ end }}{{ end }}{{ include \"t.rec\" (list 1 2 3) }}",
    "{{ tpl \"{{ .Values.s }} {{ .Release.Name }}\" . }} {{ tpl (toYaml .Values.m) . }}",
    // Comparisons and logic.
    "{{ eq 1 1 }} {{ eq \"a\" \"b\" \"a\" }} {{ ne 1 2 }} {{ lt 1 2 }} {{ le 2 2 }} {{ gt \"b\" \"a\" }} {{ ge 1.5 2.5 }} {{ eq .Values.two 2.0 }}",
    "{{ eq .Values.missing \"x\" }} {{ eq nil nil }} {{ and 1 0 }} {{ and 1 2 }} {{ or 0 \"\" }} {{ or 0 \"x\" }} {{ not 0 }} {{ not .Values.l }}",
    "{{ and .Values.missing .Values.missing.x }} {{ or .Values.t .Values.missing.x }}",
    // Go builtins.
    "{{ len \"héllo\" }} {{ len .Values.l }} {{ len .Values.m }} {{ index .Values.l 1 }} {{ index .Values.m \"a\" }} {{ index .Values.nested \"a\" \"b\" \"c\" }} [{{ index .Values.m \"zz\" }}]",
    "{{ print 1 2 \"a\" \"b\" 3 nil }} {{ println \"x\" 1 }}{{ printf \"%s-%d-%v-%q-%5.2f|%-4s|%04d|%x|%t|%%\" \"s\" 7 .Values.half \"q\" 3.14159 \"ab\" 42 255 true }}",
    "{{ printf \"%d %s %v\" .Values.two 5 }} {{ printf \"%s\" }} {{ printf \"x\" 1 }} {{ printf \"%v %v\" .Values.l .Values.m }}",
    // sprig strings.
    "{{ quote \"a\\\"b\" }} {{ quote 5 }} {{ quote .Values.half }} {{ quote nil }}| {{ squote \"x\" }} {{ .Values.big | quote }} {{ quote \"tab\\there é\" }}",
    "{{ upper \"abc\" }} {{ lower \"ABC\" }} {{ title \"hello wide world\" }} [{{ trim \"  x  \" }}] {{ trimAll \"-\" \"--x--\" }} {{ trimPrefix \"ab\" \"abc\" }} {{ trimSuffix \"-\" \"name-\" }}",
    "{{ replace \"a\" \"b\" \"banana\" }} {{ contains \"ell\" \"hello\" }} {{ hasPrefix \"he\" \"hello\" }} {{ hasSuffix \"lo\" \"hello\" }} {{ join \", \" .Values.l }} {{ join \"-\" (list 1 nil 2) }}",
    "{{ split \",\" \"a,b\" }} {{ splitList \",\" \"a,b,,c\" }} {{ trunc 3 \"abcdef\" }} {{ trunc -2 \"abcdef\" }} {{ trunc 63 \"short\" }} {{ substr 1 3 \"abcdef\" }} {{ repeat 3 \"ab\" }} {{ cat \"a\" 1 nil \"b\" }}",
    "{{ \"a\\nb\" | indent 2 }}|{{ \"a\\nb\" | nindent 4 }}|{{ toString 5 }} {{ toString .Values.half }} {{ toString .Values.l }} {{ nospace \" a b \" }}",
    "{{ regexQuoteMeta \"/a.b-c(d)+$\" }} {{ regexMatch \"^a.c$\" \"abc\" }} {{ regexReplaceAll \"a(x*)b\" \"-ab-axxb-\" \"${1}W\" }} {{ regexFind \"[0-9]+\" \"ab123cd\" }}",
    "{{ b64enc \"hello world!\" }} {{ b64dec \"aGVsbG8=\" }} {{ sha256sum \"abc\" }} {{ .Values.m | toJson | sha256sum }}",
    // sprig defaults and logic.
    "{{ default \"d\" .Values.missing }} {{ default \"d\" .Values.empty }} {{ default \"d\" .Values.s }} {{ default 5 .Values.zero }} {{ .Values.missing | default \"p\" }} {{ default \"d\" .Values.f }}",
    "{{ empty .Values.l }} {{ empty .Values.empty }} {{ empty (dict) }} {{ coalesce .Values.missing .Values.empty \"c\" }} {{ ternary \"y\" \"n\" true }} {{ ternary \"y\" \"n\" .Values.f }}",
    // sprig lists.
    "{{ list 1 2 | append (list) }} {{ append .Values.l \"d\" }} {{ prepend .Values.l \"z\" }} {{ first .Values.l }} {{ last .Values.l }} {{ rest .Values.l }} {{ initial .Values.l }}",
    "{{ reverse .Values.l }} {{ uniq (list 1 1 2) }} {{ has \"b\" .Values.l }} {{ compact (list 1 \"\" nil 2) }} {{ concat .Values.l (list 1) }} {{ without .Values.l \"a\" }} {{ sortAlpha (list \"b\" \"a\" \"C\") }} {{ until 3 }}",
    // sprig dicts.
    "{{ $d := dict \"a\" 1 \"b\" 2 }}{{ get $d \"a\" }} [{{ get $d \"z\" }}] {{ $_ := set $d \"c\" 3 }}{{ $d }} {{ $_ = unset $d \"a\" }}{{ $d }} {{ hasKey $d \"b\" }} {{ keys $d | sortAlpha }}",
    "{{ pick .Values.m \"a\" \"b\" }} {{ omit .Values.m \"a\" }} {{ $d := dict \"a\" (dict \"x\" 1) }}{{ $_ := merge $d (dict \"a\" (dict \"y\" 2 \"x\" 9) \"b\" 3) }}{{ toJson $d }} {{ mergeOverwrite (dict \"a\" 1) (dict \"a\" 2) }}",
    "{{ $c := deepCopy .Values.m }}{{ $_ := set $c \"a\" 99 }}{{ .Values.m.a }} {{ dig \"a\" \"b\" \"c\" \"none\" .Values.nested }} {{ dig \"a\" \"x\" \"none\" .Values.nested }} {{ dict \"k\" }}",
    // sprig numbers.
    "{{ int .Values.half }} {{ int \"42\" }} {{ int64 .Values.two }} {{ float64 \"1.25\" }} {{ atoi \"7\" }} {{ add 1 2 .Values.two }} {{ add1 .Values.two }} {{ sub 5 .Values.two }} {{ mul 2 3 }} {{ div 7 2 }} {{ mod 7 3 }}",
    "{{ max 1 .Values.big 3 }} {{ min 5 .Values.two }} {{ floor 1.7 }} {{ ceil 1.2 }} {{ gt (int .Values.two) 1 }} {{ printf \"%ds\" (int .Values.big) }}",
    "{{ kindOf .Values.l }} {{ kindOf .Values.m }} {{ kindOf .Values.two }} {{ kindOf \"s\" }} {{ typeOf .Values.half }} {{ kindIs \"map\" .Values.m }} {{ typeIs \"string\" .Values.s }}",
    // Helm's functions.
    "{{ lookup \"v1\" \"Pod\" \"ns\" \"name\" }} {{ $l := lookup \"apps/v1\" \"Deployment\" \"ns\" \"x\" }}{{ if and $l $l.spec }}live{{ else }}none{{ end }} {{ required \"need\" .Values.s }}",
    "{{ toJson .Values.m }} {{ toJson .Values.floats }} {{ toJson (dict \"h\" \"<a&b>\") }} {{ toJson .Values.missing }} {{ toJson \"s\" }} {{ mustToJson (list 1) }}",
    "{{ toPrettyJson .Values.nested }}\n{{ toPrettyJson (list) }}",
    "{{ toYaml .Values.res }}\n---\n{{ toYaml .Values.annotations }}\n---\n{{ toYaml .Values.list_of_maps }}",
    "{{ toYaml .Values.strs }}",
    "{{ toYaml .Values.floats }}\n{{ toYaml .Values.missing }}\n{{ toYaml \"str\" }}\n{{ toYaml (list) }}\n{{ toYaml (dict) }}\n{{ toYaml 5 }}",
    "{{ toYaml (dict \"k\" \"v\" \"nested\" (dict \"e\" (list) \"m\" (dict) \"l\" (list (list 1 2) (dict \"a\" 1))) \"true\" 1 \"\" 2 \"multi\\nkey\" 3) }}",
    "{{ toYaml (dict \"a\" (list \"x\\n\" \"y\")) | nindent 4 }}",
    "{{ $v := fromYaml \"a: 1\\nb: [x, yes]\\nc: {d: 1.5}\" }}{{ $v.a }} {{ $v.b }} {{ $v.c.d }} {{ (fromYaml \"- a\").Error }} {{ fromYamlArray \"[1, 2]\" }}",
    "{{ $j := fromJson \"{\\\"a\\\": [1, 2.5, null], \\\"b\\\": {\\\"c\\\": true}}\" }}{{ $j.a }} {{ $j.b.c }} {{ fromJsonArray \"[1]\" }}",
    // Which `define` wins: Helm parses deeper paths first, then paths in reverse order, and the
    // last definition of a name wins (`_helpers.tpl` over `t0NN.txt`, both over `sub/`).
    "{{ define \"t.shared\" }}from the table{{ end }}{{ include \"t.shared\" . }} {{ template \"t.none\" }}",
    "{{- /* renders to whitespace only: left out */ -}}\n  \n",
    "{{ range $v := .Values.m }}{{ $v }},{{ end }} {{ index .Values.list_of_maps 0 \"name\" }} {{ (index .Values.list_of_maps 1).ports }} {{ .Values.res }}",
    "{{ quote \"a\" \"b\" }} {{ \"x\" | printf \"%s-%s\" \"a\" }} {{ printf \"%v|%s|%d\" nil nil .Values.big }} {{ toString .Values.missing }} {{ ternary 1 2 (eq 1 1) }}",
    "{{ .Values.half | int }} {{ trunc 2 \"éa\" }} {{ .Values.nul | default \"d\" }} {{ default \"x\" nil }} {{ .Values.strs | toJson }}",
    "{{ semverCompare \">=1.19-0\" .Capabilities.KubeVersion.GitVersion }} {{ semverCompare \"^1.2.0\" \"1.3.5\" }} {{ semverCompare \"~1.2.0\" \"1.3.0\" }} {{ semverCompare \"<1.0.0 || >=2.0.0\" \"2.1.0\" }} {{ semverCompare \">1.0.0, <1.5\" \"1.4.9\" }} {{ semverCompare \"1.2.x\" \"1.2.7\" }} {{ semverCompare \"!=1.2.3\" \"1.2.3\" }} {{ semverCompare \">=1.0.0\" \"1.1.0-beta\" }} {{ semverCompare \"^0.2.3\" \"0.3.0\" }} {{ semverCompare \"<=1.2\" \"1.2.9\" }} {{ semverCompare \">1.2\" \"1.2.9\" }} {{ semverCompare \"~1\" \"1.9.0\" }}",
    "{{ toJson .Values.yaml11 }} {{ .Values.yaml11.mode }} {{ .Values.yaml11.big }}",
    // Pipelines through several functions, as charts write them.
    "{{ printf \"%s-%s\" .Release.Name .Chart.Name | trunc 63 | trimSuffix \"-\" }} {{ .Values.s | upper | quote }} {{ .Values.l | toJson | b64enc }}",
    "name: {{ .Release.Name }}\nlabels:\n  {{- toYaml .Values.m | nindent 2 }}\n{{- with .Values.res }}\nresources:\n{{ toYaml . | indent 2 }}\n{{- end }}\n",
];

#[test]
fn each_construct_and_function_prints_what_helm_prints() {
    let dir = tempfile::tempdir().expect("tempdir");
    let chart = dir.path().join("table");
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: table\ndescription: the table's chart\nversion: 1.2.3\nappVersion: \"4.5\"\ntype: application\nkubeVersion: \">=1.30.0-0\"\n",
    )
    .expect("Chart.yaml");
    std::fs::write(chart.join("values.yaml"), TABLE_VALUES).expect("values.yaml");
    for (i, template) in TABLE.iter().enumerate() {
        std::fs::write(chart.join(format!("templates/t{i:03}.txt")), template).expect("template");
    }
    std::fs::write(chart.join("templates/_helpers.tpl"), "{{ define \"t.shared\" }}from _helpers{{ end }}")
        .expect("helpers");
    std::fs::create_dir_all(chart.join("templates/sub")).expect("mkdir");
    std::fs::write(
        chart.join("templates/sub/deep.txt"),
        "{{ define \"t.shared\" }}from sub{{ end }}{{ define \"t.none\" }}none: {{ . }}{{ end }}deep",
    )
    .expect("sub");
    let helm = helm_text(&chart, "rel", "ns", &[]).unwrap_or_else(|e| panic!("helm fails on the table: {e}"));
    let ours = gen_text(&chart, "rel", "ns", &[]).unwrap_or_else(|e| panic!("gen's engine fails on the table: {e}"));
    assert_eq!(helm.keys().collect::<Vec<_>>(), ours.keys().collect::<Vec<_>>(), "the same files render");
    let mut wrong = Vec::new();
    for (i, template) in TABLE.iter().enumerate() {
        let path = format!("templates/t{i:03}.txt");
        let (h, o) = (helm.get(&path), ours.get(&path));
        if h != o {
            wrong.push(format!("{template:?}\n  helm: {h:?}\n  gen:  {o:?}"));
        }
    }
    assert!(wrong.is_empty(), "{} of {} templates differ from helm:\n{}", wrong.len(), TABLE.len(), wrong.join("\n"));
}

/// A chart of one template, for the errors.
fn one_template(template: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let chart = dir.path().join("errs");
    std::fs::create_dir_all(chart.join("templates")).expect("mkdir");
    std::fs::write(chart.join("Chart.yaml"), "apiVersion: v2\nname: errs\nversion: 0.1.0\n").expect("Chart.yaml");
    std::fs::write(chart.join("values.yaml"), "two: 2\n").expect("values.yaml");
    std::fs::write(chart.join("templates/x.yaml"), template).expect("template");
    (dir, chart)
}

#[test]
fn errors_name_the_file_line_and_column_and_helms_message() {
    // Template, the message Helm and gen's engine both give, and gen's `line:column`.
    let cases = [
        ("a: 1\nb: {{ nosuch 1 }}\n", "function \"nosuch\" not defined", "2:7"),
        ("a: 1\nb: {{ .Values.two\n", "unclosed action", "2:4"),
        ("a: 1\n  {{ fail \"boom\" }}\n", "boom", "2:6"),
        ("a: 1\n  {{ required \"need b\" .Values.b }}\n", "need b", "2:6"),
        ("x: {{ .Values.x.y }}", "nil pointer evaluating interface {}.y", "1:7"),
        ("x: {{ eq .Values.two 2 }}", "incompatible types for comparison", "1:7"),
        ("{{ if true }}\nx\n", "unexpected EOF", "3:1"),
        ("{{ $x }}", "undefined variable \"$x\"", "1:4"),
        ("{{ break }}", "{{break}} outside {{range}}", "1:1"),
        ("{{ include \"nope\" . }}", "no template \"nope\"", "1:4"),
    ];
    for (template, message, at) in cases {
        let (_dir, chart) = one_template(template);
        let helm = helm_text(&chart, "rel", "ns", &[]).expect_err("helm refuses it");
        assert!(helm.contains(message), "helm's message for {template:?} is {helm:?}");
        let ours = gen_text(&chart, "rel", "ns", &[]).expect_err("gen's engine refuses it").to_string();
        assert!(ours.contains(message), "gen's engine's message for {template:?} is {ours:?}");
        assert!(ours.contains(&format!("errs/templates/x.yaml:{at}")), "{template:?}: {ours:?} is at {at}");
        let line = at.split(':').next().unwrap_or_default();
        assert!(
            helm.contains(&format!("errs/templates/x.yaml:{line}")),
            "{template:?}: helm's {helm:?} is on line {line}"
        );
    }
}

/// A second values file over a service's, as a deploy passes one (`-f values/shop.yaml -f
/// more.yaml`): maps merged, lists replaced, a null deleting the chart's key, and the
/// chart's branches the service's own values leave off.
const MORE_VALUES: &str = r##"
image: {digest: "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", pullPolicy: Never}
replicaCount: 1000000
env: {B: "two words", A: "1.0", C: "yes", LONG: "a long value that goes past the eightieth column of the line, where go-yaml folds it"}
ingress:
  enabled: true
  className: nginx
  host: shop.example.com
  path: /shop/
  stripPrefix: true
  tls: {enabled: true, secretName: shop-tls, clusterIssuer: letsencrypt}
  annotations: {nginx.ingress.kubernetes.io/proxy-body-size: 8m, nginx.ingress.kubernetes.io/proxy-read-timeout: "60"}
autoscaling: {enabled: true, minReplicas: 2, maxReplicas: 5}
persistence: {enabled: true, oneNode: true, storageClass: fast, backup: {enabled: true, snapshotClass: snap}}
networkPolicy: {ingressNamespace: ingress-nginx, egress: [{cidr: 10.0.0.0/8, protocol: TCP, ports: [5432, 6379]}]}
secretEnv: {secretName: shop-secrets, names: [DB_URL, API_KEY], checksum: null}
writablePaths: []
nameOverride: null
"##;

#[test]
fn gens_own_chart_with_two_values_files_renders_as_helm_renders_it() {
    let out = root().join("out");
    let dir = tempfile::tempdir().expect("tempdir");
    let more = dir.path().join("more.yaml");
    std::fs::write(&more, MORE_VALUES).expect("write");
    let ids = dir.path().join("ids.yaml");
    std::fs::write(&ids, "secretEnv: {keyVault: {clientId: 00000000-0000-0000-0000-000000000001, tenantId: t}}\n")
        .expect("write");
    for (service, namespace, values) in services(&out, &root().join("spec.yaml")) {
        // A digest without the vault identity: both refuse it, with the chart's message, at
        // the same place (Helm counts the column from 0, gen from 1).
        let files = [values.clone(), more.clone()];
        let helm = helm_text(&out.join("chart"), &service, &namespace, &files).expect_err("helm refuses");
        let ours = gen_text(&out.join("chart"), &service, &namespace, &files).expect_err("gen refuses").to_string();
        assert_eq!(helm.replace(":27:20)", ":27:21)"), ours);
        let what = format!("out/chart with {} and more.yaml", values.display());
        assert_same_render(&what, &out.join("chart"), &service, &namespace, &[values, more.clone(), ids.clone()], true);
    }
}

#[test]
fn the_charts_defaults_alone_render_nothing_as_with_helm() {
    let chart = root().join("out/chart");
    let helm = helm_text(&chart, "shop", "shop", &[]).expect("helm renders the defaults");
    let ours = gen_text(&chart, "shop", "shop", &[]).expect("gen's engine renders the defaults");
    assert_eq!(helm, ours);
}

#[test]
fn a_chart_is_parsed_once_and_shared_between_threads() {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Chart>();
    let chart = Chart::parse(&chart_files(&root().join("out/chart"))).expect("the chart parses");
    let values =
        values::load("shop.yaml", &std::fs::read_to_string(root().join("out/values/shop.yaml")).expect("values"))
            .expect("values load");
    let values = chart.values(&[values]);
    let start = Instant::now();
    for i in 0..100 {
        let rendered = chart.render(&values, &Release::new(format!("shop{i}"), "shop")).expect("renders");
        assert!(rendered.len() > 5);
    }
    // Not a bound (debug builds, shared machines): the figure the report quotes.
    eprintln!("100 renders of gen's chart: {:?}", start.elapsed());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    /// No template text panics the parser or the engine: text built from the pieces templates
    /// are made of, in any order.
    #[test]
    fn no_template_panics(pieces in proptest::collection::vec(proptest::sample::select(&[
        "{{", "}}", "{{-", "-}}", " ", "\n", "(", ")", "|", "$x", ":=", "=", "$", ".", ".Values", ".a", "\"s\"", "`r`",
        "'c'", "1", "-1.5e3", "0x1F", "nil", "true", "if", "else", "end", "range", "with", "define", "template",
        "block", "break", "continue", "include", "tpl", "toYaml", "fromYaml", "toJson", "printf", "\"%s%d%v\"",
        "default", "dict", "list", "set", "merge", "index", "len", "eq", "lt", "and", "or", "not", "quote",
        "nindent", "trunc", "until", "\"t\"", "/*", "*/", ",", "$i", "required", "fail", "add", "div", "0",
    ][..]), 0..40)) {
        let text: String = pieces.concat();
        let files = vec![
            ("Chart.yaml".to_string(), "apiVersion: v2\nname: p\nversion: 0.1.0\n".to_string()),
            ("values.yaml".to_string(), "a: {b: [1, x]}\n".to_string()),
            ("templates/_h.tpl".to_string(), "{{ define \"t\" }}{{ . }}{{ end }}".to_string()),
            ("templates/x.yaml".to_string(), text),
        ];
        if let Ok(chart) = Chart::parse(&files) {
            let _ = chart.render(&chart.values(&[]), &Release::new("r", "ns"));
        }
    }
}

#[test]
fn values_that_are_not_yaml_are_located() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("bad.yaml");
    std::fs::write(&file, "a: 1\nb: [unclosed\n").expect("write");
    let err = values::load("bad.yaml", &std::fs::read_to_string(&file).expect("read")).expect_err("not YAML");
    assert!(err.to_string().starts_with("bad.yaml:"), "{err}");
}

/// Hostile templates: each must end in an error, quickly.
#[test]
fn hostile_templates_fail_fast() {
    let deep_parens = format!("{{{{ {}1{} }}}}", "(".repeat(10_000), ")".repeat(10_000));
    let deep_ifs = format!("{}x{}", "{{ if true }}".repeat(10_000), "{{ end }}".repeat(10_000));
    let doubling = format!("{{{{ $x := \"ab\" }}}}{}{{{{ $x }}}}", "{{ $x = printf \"%s%s\" $x $x }}".repeat(64));
    let cases = [
        ("infinite include", "{{ define \"r\" }}{{ include \"r\" . }}{{ end }}{{ include \"r\" . }}".to_string()),
        ("infinite template", "{{ define \"r\" }}{{ template \"r\" . }}{{ end }}{{ template \"r\" . }}".to_string()),
        ("mutual recursion", "{{ define \"a\" }}{{ include \"b\" . }}{{ end }}{{ define \"b\" }}x{{ include \"a\" . }}{{ end }}{{ include \"a\" . }}".to_string()),
        ("huge range", "{{ range 1000000000000 }}x{{ end }}".to_string()),
        ("nested ranges", "{{ range 100000 }}{{ range 100000 }}{{ . }}{{ end }}{{ end }}".to_string()),
        ("huge until", "{{ range until 1000000000 }}x{{ end }}".to_string()),
        ("deep parentheses", deep_parens),
        ("deep ifs", deep_ifs),
        ("doubling string", doubling),
        ("huge repeat", "{{ repeat 1000000000 \"abc\" }}".to_string()),
        ("huge indent", "{{ $x := repeat 1000000 \"\\n\" }}{{ indent 1000 $x }}".to_string()),
        ("self-holding map", "{{ $d := dict }}{{ $_ := set $d \"d\" $d }}{{ toYaml $d }}{{ toJson $d }}{{ $d }}".to_string()),
        ("deeply nested dicts", "{{ $d := dict }}{{ range until 1000000 }}{{ $d = dict \"x\" $d }}{{ end }}{{ fail \"built\" }}".to_string()),
        ("deeply nested lists", "{{ $l := list }}{{ range until 1000000 }}{{ $l = list $l }}{{ end }}{{ toJson $l }}".to_string()),
        ("tpl bomb", "{{ define \"t\" }}{{ tpl \"{{ include \\\"t\\\" . }}\" . }}{{ end }}{{ include \"t\" . }}".to_string()),
    ];
    for (what, template) in cases {
        let files = vec![
            ("Chart.yaml".to_string(), "apiVersion: v2\nname: bad\nversion: 0.1.0\n".to_string()),
            ("templates/x.yaml".to_string(), template),
        ];
        let start = Instant::now();
        // A thread, so that a template that does overflow the stack fails this test alone.
        let result = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn(move || {
                Chart::parse(&files).and_then(|c| c.render(&c.values(&[]), &Release::new("r", "ns"))).map(|r| r.len())
            })
            .expect("thread")
            .join()
            .unwrap_or_else(|_| panic!("{what}: panicked"));
        let elapsed = start.elapsed();
        assert!(result.is_err(), "{what}: rendered ({result:?})");
        assert!(elapsed < Duration::from_secs(60), "{what}: took {elapsed:?}");
    }
}
