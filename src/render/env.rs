//! The one template environment: custom delimiters, strict undefined, and a formatter that
//! refuses to print a string that did not pass a language filter.

use minijinja::value::ValueKind;
use minijinja::{AutoEscape, Environment, Error, ErrorKind, UndefinedBehavior, syntax::SyntaxConfig};

use super::filters;

/// Block, variable and comment delimiters: none of the outputs (YAML, HCL, Go templates, GitHub
/// expressions, shell, Dockerfile, Python) uses them.
pub const DELIMITERS: [(&str, &str); 3] = [("<%", "%>"), ("<@", "@>"), ("<#", "#>")];

/// Whether a text holds no template tag, so that it renders to itself (a file's target that
/// is a plain path is used as written, not compiled and rendered).
pub fn is_plain(text: &str) -> bool {
    DELIMITERS.iter().all(|(open, _)| !text.contains(open))
}

/// Builds the environment every render uses.
pub fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    let syntax = SyntaxConfig::builder()
        .block_delimiters(DELIMITERS[0].0, DELIMITERS[0].1)
        .variable_delimiters(DELIMITERS[1].0, DELIMITERS[1].1)
        .comment_delimiters(DELIMITERS[2].0, DELIMITERS[2].1)
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(true)
        .build();
    // The delimiters are constants; a test builds this environment, so this cannot fail.
    env.set_syntax(syntax.expect("valid delimiters"));
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // "Escaping" on, in a mode of gen's own: the formatter below does the work (it refuses
    // what no language filter quoted), and minijinja marks what macros return as already
    // filtered, so a macro of quoted values can be printed.
    env.set_auto_escape_callback(|_| AutoEscape::Custom("gen".into()));
    env.set_debug(true);
    // `import "_macros.yaml"` names a partial beside the importing template, `../_x` one
    // folder up.
    env.set_path_join_callback(|name, parent| {
        let mut dir: Vec<&str> = parent.split('/').collect();
        dir.pop();
        for part in name.split('/') {
            match part {
                ".." => {
                    dir.pop();
                }
                "." => {}
                part => dir.push(part),
            }
        }
        dir.join("/").into()
    });
    env.remove_filter("safe");
    env.add_filter("yaml", filters::yaml);
    env.add_filter("hcl", filters::hcl);
    env.add_filter("gha", filters::gha);
    env.add_filter("gha_glob", filters::gha_glob);
    env.add_filter("shell", filters::shell);
    env.add_filter("json", filters::json);
    env.add_filter("gotmpl", filters::gotmpl);
    env.add_filter("text", filters::prose);
    env.add_filter("segment", filters::segment);
    env.add_filter("gojson", filters::gojson);
    env.add_filter("sha256", filters::sha256);
    env.add_filter("regex_quote", filters::regex_quote);
    env.add_filter("url_segment", filters::url_segment);
    env.add_filter("most_pods", filters::most_pods);
    env.add_filter("aks_backup_schedule", filters::aks_backup_schedule);
    env.add_filter("aws_backup_schedule", filters::aws_backup_schedule);
    env.add_filter("fargate_size", filters::fargate_size);
    env.add_filter("docker_hub", filters::docker_hub);
    env.add_filter("slo_burn_rates", filters::slo_burn_rates);
    env.add_filter("duration_seconds", filters::duration_seconds);
    env.add_filter("listener_priorities", filters::listener_priorities);
    env.add_filter("slo_rules", filters::slo_rules);
    env.add_filter("slo_dashboard", filters::slo_dashboard);
    env.add_filter("slo_tests", filters::slo_tests);
    env.add_filter("slo_services", filters::slo_services);
    env.add_filter("slo_sets", filters::slo_sets);
    env.set_formatter(|out, _state, value| {
        let ok = value.is_safe() || matches!(value.kind(), ValueKind::Number | ValueKind::Bool);
        if !ok {
            let kind = value.kind();
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("a {kind} must pass through a language filter before it is printed: yaml, hcl, shell, json, gotmpl, text or segment"),
            ));
        }
        let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
        out.write_str(&text).map_err(|e| Error::new(ErrorKind::WriteFailure, e.to_string()))
    });
    env
}
