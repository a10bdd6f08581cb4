use crate::declare_rule;
use crate::diag::{Diagnostics, Route, Span};
use crate::spec::Loaded;
use crate::spec::invisible::{describe, is_hidden};
use crate::yaml::{Node, Value};

declare_rule! {
    /// ## What it does
    /// Reports a key or a value of the spec that holds a character shown as nothing or that
    /// changes how the text around it is shown: a bidirectional control (U+202A to U+202E,
    /// U+2066 to U+2069, U+200E, U+200F, U+061C), a zero-width character (U+200B to U+200D,
    /// U+2060, U+FEFF), another Unicode format character (category Cf, such as the tag
    /// characters U+E0000 to U+E007F), or a line or paragraph separator (U+2028, U+2029).
    ///
    /// ## Why it matters
    /// "Trojan Source" (CVE-2021-42574): a right-to-left override makes text read differently
    /// in an editor or a code review from what programs receive, and a zero-width character
    /// makes two values that look the same differ. gen never writes such a character as it
    /// is: YAML, JSON, HCL and Go templates get an escape (`\u202E`), a shell script gets it
    /// from `printf` (`"$(printf '\342\200\256')"`), and comments and prose, where no escape
    /// exists, a space. So the value reaches the program intact and every reader of the
    /// rendered files sees it; this warning says so where it is written.
    ///
    /// ## Example
    /// ```yaml
    /// env: {GREETING: "hello \u202E dlrow"}
    /// ```
    ///
    /// ## How to fix
    /// Remove the character, or keep it (a right-to-left mark in Arabic or Hebrew text) and
    /// write it as an escape in a double-quoted string (`"\u200F"`), so that a reader of the
    /// spec sees it too.
    pub static RULE = ("SPEC130", "invisible-character", Warning);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    walk(spec, &spec.doc.root, Route::root(), out);
}

fn walk(spec: &Loaded, node: &Node, route: Route, out: &mut Diagnostics) {
    match &node.value {
        Value::Str(s) => report(spec, s, node.span, &route, false, out),
        Value::Seq(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(spec, item, route.clone().with(i), out);
            }
        }
        Value::Map(entries) => {
            for e in entries {
                let at = route.clone().with(e.key.as_str());
                report(spec, &e.key, e.key_span, &at, true, out);
                walk(spec, &e.value, at, out);
            }
        }
        _ => {}
    }
}

/// One finding for `text` when it holds hidden characters: at the first one when it is
/// written as it is in the file, else at the whole value (written as an escape).
fn report(spec: &Loaded, text: &str, span: Span, route: &Route, key: bool, out: &mut Diagnostics) {
    let mut found: Vec<char> = Vec::new();
    for c in text.chars().filter(|c| is_hidden(*c)) {
        if !found.contains(&c) {
            found.push(c);
        }
    }
    let Some(first) = found.first().copied() else { return };
    let named: Vec<String> = found.iter().take(3).map(|c| describe(*c)).collect();
    let more = if found.len() > 3 { format!(" and {} more", found.len() - 3) } else { String::new() };
    let what = if key { "this key" } else { "this value" };
    // The message names no route: the same place read in an environment's spec is the same
    // finding, reported once.
    let message = format!(
        "{what} holds {}{more}, which changes how the text around it is shown without being seen",
        named.join(", ")
    );
    let mut d = spec.at(&RULE, route, key, message).help(
        "remove it, or write it as an escape in a double-quoted string (\"\\u200F\") so readers of the spec see it; \
         gen writes it escaped in every output",
    );
    let written = spec.source().text().get(span.start..span.end).unwrap_or_default();
    if let Some(at) = written.find(first) {
        d.span = Some(Span::new(span.start + at, span.start + at + first.len_utf8()));
    }
    out.push(d);
}
