//! One quoting filter per output language: every spec value reaches a file through one.
//!
//! No filter writes a character that a reader of the file cannot see as it is (a control
//! character, a bidirectional control that reorders the text around it, a zero-width or other
//! format character: `spec::invisible`): YAML, JSON, HCL and Go templates write it as an
//! escape (`\u202e`), a shell word gets it from `printf`, and prose, where no escape exists,
//! gets a space. The program that reads the file still gets the value exactly.

use minijinja::value::ValueKind;

use crate::spec::model::Service;
use minijinja::{Error, ErrorKind, Value};

use crate::spec::invisible::is_hidden;

/// The text of a scalar: strings as they are, numbers and booleans as written.
fn scalar(value: &Value, filter: &str) -> Result<String, Error> {
    match value.kind() {
        ValueKind::String => Ok(value.as_str().unwrap_or_default().to_string()),
        // minijinja prints a boolean as Python does (`False`); every output language here
        // spells it `false`.
        ValueKind::Bool => Ok(value.is_true().to_string()),
        ValueKind::Number => Ok(value.to_string()),
        other => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("the `{filter}` filter takes a string, a number or a boolean, not {other}"),
        )),
    }
}

/// A C-style double-quoted string body, shared by YAML, HCL and Go: `"`, `\\`, `\n`, `\t`,
/// `\r` escaped, other characters that `needs_code` picks written by `code`.
fn escaped(s: &str, needs_code: fn(char) -> bool, code: fn(char) -> String) -> String {
    // Most values are printable ASCII with nothing to escape (which `needs_code` never picks):
    // copied as they are, without a look at each character's class.
    if s.bytes().all(|b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            ' '..='~' => out.push(c),
            c if needs_code(c) => out.push_str(&code(c)),
            c => out.push(c),
        }
    }
    out
}

/// What no filter writes as it is: a control character (C0, DEL, C1) or a hidden one (a
/// bidirectional control, a zero-width or other format character, a line or paragraph
/// separator).
fn unseen(c: char) -> bool {
    c.is_control() || is_hidden(c)
}

/// The `\u` escape of YAML, HCL, Go and JSON's `\uXXXX` form for a character of the Basic
/// Multilingual Plane; `\UXXXXXXXX` (YAML, HCL, Go) beyond it.
fn unicode_escape(c: char) -> String {
    match c as u32 {
        n @ 0..=0xffff => format!("\\u{n:04x}"),
        n => format!("\\U{n:08x}"),
    }
}

/// A YAML double-quoted scalar that reads back as exactly `s`.
pub fn yaml_quote(s: &str) -> String {
    // YAML also reads C1 controls, line/paragraph separators and a BOM specially: escaped,
    // with every other character a reader would not see.
    format!("\"{}\"", escaped(s, unseen, unicode_escape))
}

/// An HCL quoted string that reads back as exactly `s`: no interpolation, no directive.
pub fn hcl_quote(s: &str) -> String {
    let body = escaped(s, unseen, unicode_escape);
    format!("\"{}\"", body.replace("${", "$${").replace("%{", "%%{"))
}

/// A POSIX shell word that the shell reads as exactly `s`. Single quotes hold any character
/// but have no escape: a character a reader would not see (say U+202E, which would reorder
/// the script on screen) is left out of them and made by `printf` from its bytes in octal,
/// `"$(printf '\342\200\256')"`, which every POSIX shell reads (`$'...'` is not in dash).
/// Line breaks and tabs stay in the quotes, where they are seen.
pub fn shell_quote(s: &str) -> String {
    let made = |c: char| unseen(c) && !matches!(c, '\n' | '\t');
    let mut out = String::with_capacity(s.len() + 2);
    let mut rest = s;
    while !rest.is_empty() {
        let plain_len = rest.find(made).unwrap_or(rest.len());
        let (plain, after) = rest.split_at(plain_len);
        if !plain.is_empty() {
            out.push_str(&format!("'{}'", plain.replace('\'', "'\\''")));
        }
        let made_len = after.find(|c: char| !made(c)).unwrap_or(after.len());
        let (hidden, after) = after.split_at(made_len);
        if !hidden.is_empty() {
            let octal: String = hidden.bytes().map(|b| format!("\\{b:03o}")).collect();
            out.push_str(&format!("\"$(printf '{octal}')\""));
        }
        rest = after;
    }
    if out.is_empty() { "''".to_string() } else { out }
}

/// A Go template action printing exactly `s` (for text inside Helm templates).
pub fn gotmpl_quote(s: &str) -> String {
    let code = |c: char| if c.is_ascii() { format!("\\x{:02x}", c as u32) } else { unicode_escape(c) };
    format!("{{{{ \"{}\" }}}}", escaped(s, unseen, code))
}

/// Prose for a comment or a Markdown line: one line, no control characters, no character any
/// language reads as a line break (U+2028, U+2029), that reorders text (bidi controls) or
/// that is not seen at all (zero-width and other format characters): each becomes a space.
pub fn text(s: &str) -> String {
    s.chars().map(|c| if unseen(c) { ' ' } else { c }).collect()
}

/// A YAML scalar for a GitHub workflow that GitHub reads as exactly `s`: GitHub evaluates
/// `${{ }}` in every string of a workflow, so each `${{` is written as the expression
/// `${{ '${{' }}`, which evaluates to the two characters and runs nothing.
pub fn gha_quote(s: &str) -> String {
    yaml_quote(&s.replace("${{", "${{ '${{' }}"))
}

/// Text a GitHub trigger filter (`branches`, `paths`) matches literally: the filter characters
/// (`*`, `?`, `+`, `[`, `]`, `!`, `\\`) escaped with a backslash. Not quoted: the result still
/// goes through `yaml` (GitHub evaluates no expression in `on:`), after a pattern of the
/// template's own (`/**`) is appended.
pub fn gha_glob_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    for c in s.chars() {
        if matches!(c, '*' | '?' | '+' | '[' | ']' | '!' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

pub fn gha(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "gha")?;
    Ok(Value::from_safe_string(if value.kind() == ValueKind::String { gha_quote(&s) } else { s }))
}

pub fn gha_glob(value: Value) -> Result<Value, Error> {
    Ok(Value::from(gha_glob_escape(&scalar(&value, "gha_glob")?)))
}

pub fn yaml(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "yaml")?;
    Ok(Value::from_safe_string(if value.kind() == ValueKind::String { yaml_quote(&s) } else { s }))
}

pub fn hcl(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "hcl")?;
    Ok(Value::from_safe_string(if value.kind() == ValueKind::String { hcl_quote(&s) } else { s }))
}

pub fn shell(value: Value) -> Result<Value, Error> {
    Ok(Value::from_safe_string(shell_quote(&scalar(&value, "shell")?)))
}

pub fn gotmpl(value: Value) -> Result<Value, Error> {
    Ok(Value::from_safe_string(gotmpl_quote(&scalar(&value, "gotmpl")?)))
}

pub fn json(value: Value) -> Result<Value, Error> {
    serde_json::to_string(&value)
        .map(|text| Value::from_safe_string(json_escape_unseen(&text)))
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("cannot write JSON: {e}")))
}

/// JSON text with every character a reader would not see written as `\uXXXX` (a surrogate
/// pair beyond the Basic Multilingual Plane). Outside strings JSON holds only ASCII, which
/// serde_json already escapes where it must, so each such character is inside a string.
fn json_escape_unseen(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if unseen(c) {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

pub fn prose(value: Value) -> Result<Value, Error> {
    Ok(Value::from_safe_string(text(&scalar(&value, "text")?)))
}

/// JSON as Go's `encoding/json` writes it (Helm's `toJson`): keys sorted, no spaces, `<`, `>`,
/// `&`, U+2028 and U+2029 escaped. Not a language filter: what it prints still needs one, or
/// `sha256`, so that a rendered manifest can carry the checksum Helm computes for the chart.
pub fn gojson(value: Value) -> Result<Value, Error> {
    let json = serde_json::to_value(&value)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("cannot write JSON: {e}")))?;
    let mut out = String::new();
    write_gojson(&json, &mut out);
    Ok(Value::from(out))
}

fn write_gojson(value: &serde_json::Value, out: &mut String) {
    use serde_json::Value as J;
    match value {
        J::Null | J::Bool(_) | J::Number(_) => out.push_str(&value.to_string()),
        J::String(s) => write_gostring(s, out),
        J::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_gojson(item, out);
            }
            out.push(']');
        }
        J::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_gostring(key, out);
                out.push(':');
                write_gojson(item, out);
            }
            out.push('}');
        }
    }
}

fn write_gostring(s: &str, out: &mut String) {
    crate::gotmpl::json_string(s, out);
}

/// A regular expression matching exactly the string (Go's `regexp.QuoteMeta`, Sprig's
/// `regexQuoteMeta`). Not a language filter: what it prints still needs one.
pub fn regex_quote(value: Value) -> Result<Value, Error> {
    Ok(Value::from(regex_escape(&scalar(&value, "regex_quote")?)))
}

/// An RE2 pattern that matches `text` exactly: each metacharacter escaped.
pub fn regex_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// One segment of a URL's path, percent-encoded: every byte of its UTF-8 outside RFC 3986's
/// unreserved characters (letters, digits, `-`, `.`, `_`, `~`), so that a `/` or a space in a
/// name stays in its segment (GitHub's REST API takes an environment's name in the path this
/// way: "any slashes in the name must be replaced with %2F"). Not a language filter: what it
/// prints still needs one.
pub fn url_segment(value: Value) -> Result<Value, Error> {
    Ok(Value::from(percent_encode_segment(&scalar(&value, "url_segment")?)))
}

/// [`url_segment`] on a string.
pub fn percent_encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The SHA-256 of a string, in lowercase hex (Sprig's `sha256sum`).
pub fn sha256(value: Value) -> Result<Value, Error> {
    use sha2::{Digest, Sha256};
    let text = scalar(&value, "sha256")?;
    let digest = Sha256::digest(text.as_bytes());
    Ok(Value::from_safe_string(digest.iter().map(|b| format!("{b:02x}")).collect()))
}

/// The most pods a service may run: its autoscaler's maximum, else its replicas. More than one
/// gets a PodDisruptionBudget (and shares a ReadWriteOnce disk).
pub fn most_pods(service: Value) -> Result<Value, Error> {
    let scaling = service.get_attr("autoscaling")?;
    let most = if scaling.is_undefined() || scaling.is_none() {
        service.get_attr("replicas")?
    } else {
        scaling.get_attr("maxReplicas")?
    };
    match most.kind() {
        ValueKind::Number => Ok(most),
        _ => Err(Error::new(ErrorKind::InvalidOperation, "most_pods takes a service (replicas, autoscaling)")),
    }
}

/// AKS Backup's schedule of a cron `schedule` (SPEC160 refuses any other): `interval`, the
/// ISO 8601 repeating interval of its policy (a start in UTC and a period, daily or every 4, 8
/// or 12 hours), and `hours`, the period, by which the most frequent of several is chosen.
pub fn aks_backup_schedule(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "aks_backup_schedule")?;
    match crate::platform::azure::backup_interval(&s) {
        Some((interval, hours)) => {
            Ok(Value::from(minijinja::value::Serde(serde_json::json!({"interval": interval, "hours": hours}))))
        }
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("AKS Backup cannot take a backup on the schedule `{s}` (daily, or every 4, 8 or 12 hours)"),
        )),
    }
}

/// AWS Backup's schedule of a cron `schedule` (SPEC181 refuses one AWS cannot run): the
/// `cron(...)` expression of a backup plan's rule.
pub fn aws_backup_schedule(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "aws_backup_schedule")?;
    match crate::spec::cron::parse(&s).ok().and_then(|c| c.aws_cron()) {
        Some(cron) => Ok(Value::from(cron)),
        None => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("AWS Backup cannot take a backup on the schedule `{s}` (one minute an hour, one day field)"),
        )),
    }
}

/// The smallest Fargate task size that holds a container's `limits` (`cpu` and `memory`
/// quantities): `{cpu, memory}` in CPU units and MiB (SPEC192 refuses limits no size holds),
/// with `millicores`, the CPU limit's, which the container is told as Kubernetes tells it.
pub fn fargate_size(value: Value) -> Result<Value, Error> {
    let cpu = scalar(&value.get_attr("cpu")?, "fargate_size")?;
    let memory = scalar(&value.get_attr("memory")?, "fargate_size")?;
    let millicores = crate::spec::quantity::Quantity::parse(&cpu).map(|q| q.ceil_in(1000, 1)).ok();
    match (crate::platform::aws::fargate_size(&cpu, &memory), millicores) {
        (Some((units, mebibytes)), Some(millicores)) => Ok(Value::from(minijinja::value::Serde(
            serde_json::json!({"cpu": units, "memory": mebibytes, "millicores": millicores.to_string()}),
        ))),
        _ => Err(Error::new(
            ErrorKind::InvalidOperation,
            format!("no Fargate task size holds {cpu} CPU and {memory} of memory (16 vCPU and 120 GiB at most)"),
        )),
    }
}

/// The repository of an image (a service's `image`) on Docker Hub, without its host
/// (`NAMESPACE/NAME`); none for one elsewhere (the account's own registry).
pub fn docker_hub(value: Value) -> Result<Value, Error> {
    let repository = value.get_attr("repository")?;
    let image = crate::spec::model::Image { repository: repository.as_str().map(str::to_string), ..Default::default() };
    Ok(image.docker_hub_repository().map_or_else(|| Value::from(()), Value::from))
}

/// The burn-rate conditions of the SLO alerts (`spec | slo_burn_rates`, whatever it is applied
/// to): each with its alert (`fast`, `slow`), factor of the budget and windows in seconds, as
/// the Prometheus rules read them ([`super::slo::burn_rates`]).
pub fn slo_burn_rates(_value: Value) -> Result<Value, Error> {
    Ok(Value::from(minijinja::value::Serde(super::slo::burn_rates())))
}

/// Each served service's priority on the load balancer's listener (`services | listener_priorities`:
/// the services with an ingress, in the spec's order), by name ([`crate::platform::aws::listener_priorities`]).
pub fn listener_priorities(services: Value) -> Result<Value, Error> {
    let mut routes = Vec::new();
    for service in services.try_iter()? {
        let ingress = service.get_attr("ingress")?;
        let path = ingress.get_attr("path")?;
        let path = path.as_str().unwrap_or("/").trim_matches('/');
        routes.push((
            scalar(&service.get_attr("name")?, "listener_priorities")?,
            scalar(&ingress.get_attr("host")?, "listener_priorities")?,
            if path.is_empty() { String::new() } else { format!("/{path}") },
        ));
    }
    let priorities = crate::platform::aws::listener_priorities(&routes);
    Ok(Value::from(priorities.into_iter().collect::<std::collections::BTreeMap<_, _>>()))
}

/// The seconds of a latency threshold (`250ms`, `1s`), as a number.
pub fn duration_seconds(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "duration_seconds")?;
    crate::spec::model::duration_seconds(&s)
        .map(Value::from)
        .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, format!("`{s}` is not a duration in ms or s")))
}

/// One path segment, refused unless it is plain: no separators, no `.` or `..`, no name
/// Windows reserves.
pub fn segment(value: Value) -> Result<Value, Error> {
    let s = scalar(&value, "segment")?;
    let plain = !s.is_empty()
        && s != "."
        && s != ".."
        && !crate::spec::rules::windows_reserved(&s)
        && s.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c));
    if plain {
        Ok(Value::from_safe_string(s))
    } else {
        Err(Error::new(ErrorKind::InvalidOperation, format!("`{s}` cannot be a path segment")))
    }
}

/// A value of the context as the model type it was made from.
fn model<T: serde::de::DeserializeOwned>(value: &Value, what: &str) -> Result<T, Error> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("not {what}: {e}")))
}

/// The metrics that count a service's requests, from its blueprint's `runtime`.
fn request_metrics(runtime: &Value) -> Result<crate::blueprint::RequestMetrics, Error> {
    model(&runtime.get_attr("metrics")?.get_attr("requests")?, "a runtime's request metrics")
}

/// The services of `services` whose blueprint's runtime (`runtimes[service.blueprint]`) counts
/// their requests, with those metrics: the services SLO rules watch.
fn monitored(services: &Value, runtimes: &Value) -> Result<Vec<(Service, crate::blueprint::RequestMetrics)>, Error> {
    let mut monitored = Vec::new();
    for service in services.try_iter()? {
        // A blueprint without a runtime, or a runtime that counts no requests: not watched.
        let absent = |v: &Value| v.is_undefined() || v.is_none();
        let runtime = runtimes.get_item(&service.get_attr("blueprint")?)?;
        if absent(&runtime) {
            continue;
        }
        let metrics = runtime.get_attr("metrics")?;
        if absent(&metrics) || absent(&metrics.get_attr("requests")?) {
            continue;
        }
        monitored.push((model(&service, "a service")?, request_metrics(&runtime)?));
    }
    Ok(monitored)
}

/// The names of the services SLO rules watch (`spec.services | slo_services(runtimes)`).
pub fn slo_services(services: Value, runtimes: Value) -> Result<Value, Error> {
    Ok(Value::from(monitored(&services, &runtimes)?.into_iter().map(|(s, _)| Value::from(s.name)).collect::<Vec<_>>()))
}

/// The project's Prometheus rules file (`spec.services | slo_rules(runtimes)`): the SLO
/// indicators and alerts of the services SLO rules watch (`render::slo`), one set of rules for
/// the services whose rules differ in their names alone.
pub fn slo_rules(services: Value, runtimes: Value) -> Result<Value, Error> {
    let sets = super::slo::rule_sets(monitored(&services, &runtimes)?);
    Ok(Value::from_safe_string(super::slo::rules_file(&sets)))
}

/// A service's Grafana dashboard, as JSON (`service | slo_dashboard(runtime)`).
pub fn slo_dashboard(service: Value, runtime: Value) -> Result<Value, Error> {
    let service: Service = model(&service, "a service")?;
    let dashboard = super::dashboard::dashboard(&service, &request_metrics(&runtime)?);
    Ok(Value::from_safe_string(serde_json::to_string_pretty(&dashboard).unwrap_or_default()))
}

/// The project's rule sets (`spec.services | slo_sets(runtimes)`), each with its `label` and
/// its `rules` (its groups, indented by 2: a PrometheusRule's `spec`).
pub fn slo_sets(services: Value, runtimes: Value) -> Result<Value, Error> {
    let sets = super::slo::rule_sets(monitored(&services, &runtimes)?);
    Ok(Value::from(
        sets.iter()
            .map(|set| {
                let rules = super::slo::rules_indented(std::slice::from_ref(set), 2);
                Value::from(std::collections::BTreeMap::from([
                    ("label", Value::from(set.label())),
                    ("rules", Value::from_safe_string(rules)),
                ]))
            })
            .collect::<Vec<_>>(),
    ))
}

/// The `promtool test rules` file of the project's rules at `rules_path` (from the test file's
/// folder): `spec.services | slo_tests(runtimes, "rules.yaml")`.
pub fn slo_tests(services: Value, runtimes: Value, rules_path: &str) -> Result<Value, Error> {
    let sets = super::slo::rule_sets(monitored(&services, &runtimes)?);
    Ok(Value::from_safe_string(super::slo::tests_file(&sets, rules_path)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn booleans_are_written_as_every_output_language_spells_them() {
        for (value, written) in [(true, "true"), (false, "false")] {
            let value = Value::from(value);
            assert_eq!(hcl(value.clone()).unwrap().to_string(), written);
            assert_eq!(shell(value.clone()).unwrap().to_string(), format!("'{written}'"));
        }
    }

    #[test]
    fn hcl_quote_escapes_interpolation_and_directives() {
        assert_eq!(hcl_quote("a${b}%{c}$d"), r#""a$${b}%%{c}$d""#);
    }

    #[test]
    fn shell_quote_survives_single_quotes() {
        assert_eq!(shell_quote("it's"), r#"'it'\''s'"#);
    }

    #[test]
    fn gojson_writes_what_go_writes() {
        let value = Value::from(minijinja::value::Serde(
            serde_json::json!({"b": "<a&b>\u{2028}\u{8}\u{1}", "a": [1, true, null]}),
        ));
        let json = gojson(value).unwrap();
        // What Go's json.Marshal prints for the same map.
        assert_eq!(json.as_str(), Some(r#"{"a":[1,true,null],"b":"\u003ca\u0026b\u003e\u2028\b\u0001"}"#));
    }

    #[test]
    fn gotmpl_quote_is_a_string_action() {
        assert_eq!(gotmpl_quote("{{ x }}"), r#"{{ "{{ x }}" }}"#);
    }

    #[test]
    fn a_url_segment_keeps_a_slash_a_space_and_a_percent_inside_it() {
        assert_eq!(percent_encode_segment("prod/eu (A&B)"), "prod%2Feu%20%28A%26B%29");
        assert_eq!(percent_encode_segment("$(id)|%é"), "%24%28id%29%7C%25%C3%A9");
        assert_eq!(percent_encode_segment("Prod-1.x_~"), "Prod-1.x_~");
    }
}
