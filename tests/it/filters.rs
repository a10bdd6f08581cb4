//! Every language filter, fed an injection corpus, reads back as the literal value through a
//! real parser of that language: YAML (saphyr), JSON (serde_json), POSIX shell (bash and
//! dash), HCL (HashiCorp's parser), Go templates (Helm's engine), GitHub workflow values (YAML,
//! then GitHub's expression syntax). And none writes a character its reader would not see as
//! it is: no control character, no bidirectional control ("Trojan Source", CVE-2021-42574), no
//! zero-width or other format character reaches the bytes of a file raw.

use crate::common;

use common::validator;
use gen_core::render::filters::{gha_glob_escape, gha_quote, gotmpl_quote, hcl_quote, shell_quote, yaml_quote};

const CORPUS: &[&str] = &[
    "plain",
    "",
    "with space",
    "yes",
    "1.30",
    "~",
    "null",
    "- item",
    "key: value",
    "# comment",
    "&anchor *alias",
    "!tag",
    "{flow: map}",
    "[flow, seq]",
    "'single' \"double\"",
    "back\\slash",
    "line\nbreak\r\nand\ttab",
    "{{ .Values.secret }}",
    "{{- /* x */ -}}",
    "${var.injected}",
    "$${escaped}",
    "%{ if true }x%{ endif }",
    "$(rm -rf /)",
    "`id`",
    "a'b",
    "'; echo pwned; '",
    "\u{0}\u{1}\u{1b}[31m",
    "é ü 中文 🚀",
    "\u{2028}\u{feff}",
    "}} {{",
    "--- \n...",
    "${{ secrets.TOKEN }}",
    "${{${{ '${{' }}}}",
    "x${{",
    "*?+[]!\\",
    // Trojan Source: overrides, isolates, marks; zero-width and tag characters.
    "access\u{202e}\u{2066}// admin\u{2069}\u{2066}",
    "\u{202a}\u{202b}\u{202c}\u{202d}\u{2067}\u{2068}\u{200e}\u{200f}\u{061c}",
    "zero\u{200b}width\u{200d}join\u{2060}\u{ad}",
    "tag\u{e0041}\u{e007f}",
    "c1\u{85}\u{9b}[31m",
    "it's \u{202e}'quoted'",
];

/// Whether the bytes a filter wrote hold a character a reader would not see: a control
/// character other than a line break or tab, or a hidden one (bidi controls, zero-width and
/// other format characters, line and paragraph separators).
fn shows_all(written: &str) -> Result<(), char> {
    match written
        .chars()
        .find(|c| (c.is_control() && !matches!(c, '\n' | '\t')) || gen_core::spec::invisible::is_hidden(*c))
    {
        Some(c) => Err(c),
        None => Ok(()),
    }
}

#[test]
fn no_filter_writes_a_character_its_reader_would_not_see() {
    let env = gen_core::render::environment();
    for value in CORPUS.iter().filter(|v| !v.contains('\0')) {
        let json = env.render_str("<@ v | json @>", minijinja::context! { v => *value }).expect("render");
        for (filter, written) in [
            ("yaml", yaml_quote(value)),
            ("gha", gha_quote(value)),
            ("hcl", hcl_quote(value)),
            ("shell", shell_quote(value)),
            ("gotmpl", gotmpl_quote(value)),
            ("json", json),
            ("text", gen_core::render::filters::text(value)),
        ] {
            assert_eq!(shows_all(&written), Ok(()), "{filter} wrote {written:?} for {value:?}");
        }
    }
}

#[test]
fn yaml_filter_reads_back_literally() {
    for value in CORPUS {
        let doc = format!("k: {}\n", yaml_quote(value));
        let loaded = gen_core::yaml::load("t.yaml", doc.as_bytes(), &gen_core::spec::syntax::POLICY);
        let docs = loaded.documents.unwrap_or_else(|e| panic!("{value:?}: {:?}", e[0].message));
        let json = docs[0].root.to_json();
        assert_eq!(json["k"], *value, "{doc}");
    }
}

/// What GitHub makes of a workflow value: every `${{ expr }}` evaluated. The only expression
/// `gha` writes is the string literal `'${{'`; any other is a value that did not stay inert.
fn github_evaluates(value: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(at) = rest.find("${{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let end = after.find("}}").ok_or_else(|| format!("an unclosed expression in {value:?}"))?;
        match after[..end].trim() {
            "'${{'" => out.push_str("${{"),
            other => return Err(format!("the expression `{other}` in {value:?}")),
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[test]
fn gha_filter_reads_back_literally_after_github_evaluates_it() {
    for value in CORPUS {
        let doc = format!("k: {}\n", gha_quote(value));
        let loaded = gen_core::yaml::load("t.yaml", doc.as_bytes(), &gen_core::spec::syntax::POLICY);
        let docs = loaded.documents.unwrap_or_else(|e| panic!("{value:?}: {:?}", e[0].message));
        let read = docs[0].root.to_json();
        let read = read["k"].as_str().expect("a string");
        assert_eq!(github_evaluates(read).as_deref(), Ok(*value), "{doc}");
    }
}

#[test]
fn gha_glob_escapes_every_filter_character() {
    assert_eq!(gha_glob_escape("rel*?+[]!\\x"), "rel\\*\\?\\+\\[\\]\\!\\\\x");
    assert_eq!(gha_glob_escape("release/1.x"), "release/1.x");
}

#[test]
fn json_filter_reads_back_literally() {
    let env = gen_core::render::environment();
    for value in CORPUS {
        let text = env.render_str("<@ v | json @>", minijinja::context! { v => *value }).expect("render");
        let back: String = serde_json::from_str(&text).expect("JSON");
        assert_eq!(back, *value);
    }
}

#[test]
fn shell_filter_reads_back_literally() {
    for value in CORPUS.iter().filter(|v| !v.contains('\0')) {
        // bash strings cannot hold NUL at all; that value is refused by every shell. dash is
        // the POSIX shell without bash's extensions (`$'...'`).
        let script = format!("printf %s {}", shell_quote(value));
        for shell in ["bash", "dash"] {
            let out = std::process::Command::new(shell).args(["-c", &script]).output().expect(shell);
            assert_eq!(String::from_utf8_lossy(&out.stdout), *value, "{shell}: {script}");
        }
    }
}

#[test]
fn hcl_filter_reads_back_literally_through_hashicorps_parser() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut source = String::new();
    for (i, value) in CORPUS.iter().enumerate() {
        source.push_str(&format!("v{i} = {}\n", hcl_quote(value)));
    }
    let file = dir.path().join("corpus.tf");
    std::fs::write(&file, &source).expect("write");
    let script = "const {parse}=require('@cdktf/hcl2json');(async()=>{const f=process.argv[1];process.stdout.write(JSON.stringify(await parse(f,require('fs').readFileSync(f,'utf8'))))})().catch(e=>{console.error(e.message);process.exit(1)})";
    let run = std::process::Command::new("node")
        .args(["-e", script, &file.display().to_string()])
        .env("NODE_PATH", common::validators().join("node_modules"))
        .output()
        .expect("node");
    assert!(run.status.success(), "{}\n{source}", String::from_utf8_lossy(&run.stderr));
    let parsed: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    for (i, value) in CORPUS.iter().enumerate() {
        let template = parsed[format!("v{i}")].as_str().expect("a string");
        // HCL's JSON form writes a literal `${`/`%{` as `$${`/`%%{`; a bare one would be live
        // interpolation, which must never appear.
        let live = template.replace("$${", "").replace("%%{", "");
        assert!(!live.contains("${") && !live.contains("%{"), "{value:?} became a live template: {template}");
        assert_eq!(template.replace("$${", "${").replace("%%{", "%{"), *value);
    }
}

#[test]
fn gotmpl_filter_reads_back_literally_through_helms_engine() {
    let chart = tempfile::tempdir().expect("tempdir");
    std::fs::create_dir_all(chart.path().join("templates")).expect("mkdir");
    std::fs::write(chart.path().join("Chart.yaml"), "apiVersion: v2\nname: corpus\nversion: 0.1.0\n").expect("write");
    for (i, value) in CORPUS.iter().enumerate() {
        std::fs::write(chart.path().join(format!("templates/v{i}.txt")), gotmpl_quote(value)).expect("write");
    }
    let script = "import helm_python as helm, json, sys\nwith helm.Chart.load(sys.argv[1]) as c:\n    print(json.dumps(c.render(name='r', namespace='default')))";
    let run = validator("python").args(["-c", script]).arg(chart.path()).output().expect("python");
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let rendered: serde_json::Value = serde_json::from_slice(&run.stdout).expect("JSON");
    for (i, value) in CORPUS.iter().enumerate() {
        assert_eq!(rendered[format!("corpus/templates/v{i}.txt")], *value, "{value:?}");
    }
}

#[test]
fn a_macro_prints_what_it_quoted_and_refuses_what_it_did_not() {
    let env = gen_core::render::environment();
    let quoted = "<% macro m(v) %>k: <@ v | yaml @><% endmacro %><@ m(x) @>";
    assert_eq!(env.render_str(quoted, minijinja::context! { x => "a: b" }).expect("quoted"), "k: \"a: b\"");
    let raw = "<% macro m(v) %>k: <@ v @><% endmacro %><@ m(x) @>";
    let err = env.render_str(raw, minijinja::context! { x => "a: b" }).expect_err("refused inside the macro");
    assert!(err.to_string().contains("language filter"), "{err}");
    let joined = "<% macro m(v) %><@ v | yaml @><% endmacro %><@ m(x) ~ x @>";
    assert!(env.render_str(joined, minijinja::context! { x => "a" }).is_err(), "a join is not quoted");
}

#[test]
fn a_plain_string_cannot_be_printed_without_a_filter() {
    let env = gen_core::render::environment();
    let err = env.render_str("<@ v @>", minijinja::context! { v => "x" }).expect_err("refused");
    assert!(err.to_string().contains("language filter"), "{err}");
    assert_eq!(env.render_str("<@ n @>", minijinja::context! { n => 5 }).expect("numbers print"), "5");
    assert!(env.render_str("<@ v | safe @>", minijinja::context! { v => "x" }).is_err(), "no `safe` escape hatch");
}

#[test]
fn a_concatenation_is_filtered_as_a_whole_not_in_parts() {
    let env = gen_core::render::environment();
    let name = minijinja::context! { name => "a b" };
    let whole = r#"<@ ("services/" ~ name) | shell @>"#;
    assert_eq!(env.render_str(whole, name.clone()).expect("filtered last"), "'services/a b'");
    let part = r#"<@ "services/" ~ (name | shell) @>"#;
    let err = env.render_str(part, name).expect_err("the plain side is refused");
    assert!(err.to_string().contains("language filter"), "{err}");
}
