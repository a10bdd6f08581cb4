//! GitHub Actions expressions: the `${{ }}` in a value, and the contexts each one reads
//! (`github.event.issue.title`, `inputs.name`), as GitHub's expression grammar writes them:
//! string literals in single quotes (`''` is a quote), properties by `.name`, `['name']`,
//! `[0]` or `.*`, function calls by name and parentheses.

use std::ops::Range;

/// One `${{ }}` in a text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    /// Where it is, from `${{` to `}}` included, in bytes of the text.
    pub range: Range<usize>,
    /// What is between the braces.
    pub inner: String,
    /// Whether `}}` closes it; one that runs to the end of the text is not, and GitHub refuses
    /// the workflow ("The expression is not closed").
    pub closed: bool,
}

impl Expression {
    /// The contexts it reads.
    pub fn contexts(&self) -> Vec<String> {
        contexts(&self.inner)
    }

    /// The contexts whose values reach its value (see [`dataflow`]).
    pub fn dataflow(&self) -> Vec<String> {
        dataflow(&self.inner)
    }
}

/// The contexts whose values reach what an expression evaluates to, as [`contexts`] writes
/// them: `toJSON(x)`, `join(x)`, `format('{0}', x)` and both sides of `a || b` carry `x`,
/// `a`, `b`; `contains(x, 'y')`, `x == 'y'` and the left of `a && b` give a boolean or the
/// right side. Parsed by zizmor's expression parser; an expression it cannot parse (GitHub
/// refuses the workflow then) is read as carrying every context it names.
pub fn dataflow(inner: &str) -> Vec<String> {
    use github_actions_expressions::Expr;
    match Expr::parse(inner.trim()) {
        // A context headed by a call or a compound (`fromJSON(x).a`, `(a || b).title`) has no
        // pattern; what it reads is read through its head's own contexts.
        Ok(parsed) => parsed
            .dataflow_contexts()
            .into_iter()
            .flat_map(|(ctx, origin)| match ctx.as_pattern() {
                Some(pattern) => vec![pattern],
                None => dataflow_of_head(origin.raw),
            })
            .collect(),
        Err(_) => contexts(inner),
    }
}

/// Calls `f` on every subexpression of a parsed expression, itself first.
pub fn visit<'a>(e: &'a SpannedExpr<'a>, f: &mut dyn FnMut(&'a SpannedExpr<'a>)) {
    use github_actions_expressions::{Expr, call::Call, op::BinExpr};
    f(e);
    match &e.inner {
        Expr::Call(Call { args, .. }) => args.iter().for_each(|a| visit(a, f)),
        Expr::Index(inner) | Expr::UnExpr { expr: inner, .. } => visit(inner, f),
        Expr::Context(ctx) => ctx.parts.iter().for_each(|p| visit(p, f)),
        Expr::BinExpr(BinExpr { lhs, rhs, .. }) => {
            visit(lhs, f);
            visit(rhs, f);
        }
        _ => {}
    }
}

pub use github_actions_expressions::SpannedExpr;

/// The expression of an `if:` condition: its text without `${{ }}` when one wraps it all (an
/// `if:` is an expression either way); `None` for a value with text around a `${{ }}`.
pub fn condition(value: &str) -> Option<&str> {
    let trimmed = value.trim();
    match expressions(trimmed).as_slice() {
        [] => Some(trimmed),
        [one] if one.closed && one.range == (0..trimmed.len()) => trimmed.get(3..trimmed.len() - 2),
        _ => None,
    }
}

/// The contexts that reach `head.tail` through its head: `(a || b).c` carries `a.c` and
/// `b.c`; `fromJSON(x).y` carries what `x` holds, read as every context the call names.
fn dataflow_of_head(raw: &str) -> Vec<String> {
    let chars: Vec<char> = raw.chars().collect();
    if chars.first() == Some(&'(') {
        let mut depth = 0;
        let mut i = 0;
        while i < chars.len() {
            match chars[i] {
                '\'' => {
                    i = skip_string(&chars, i);
                    continue;
                }
                '(' => depth += 1,
                ')' => {
                    depth -= 1;
                    if depth == 0 {
                        let inner: String = chars[1..i].iter().collect();
                        let tail: String = chars[i + 1..].iter().collect();
                        return dataflow(&inner)
                            .into_iter()
                            .filter_map(|head| contexts(&format!("{head}{tail}")).into_iter().next())
                            .collect();
                    }
                }
                _ => {}
            }
            i += 1;
        }
    }
    contexts(raw)
}

/// Where the first `${{` at or after `from` (at most `text.len()`) in `text` starts. A `$` is
/// rare in most text (and every scalar of a workflow is searched): each one is found, then the
/// braces after it looked for.
pub fn opening(text: &str, from: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'$', &bytes[from..]).map(|i| from + i).find(|&at| bytes[at + 1..].starts_with(b"{{"))
}

/// Every `${{ }}` in `text`. A `}}` inside a string literal does not end one; an
/// unterminated one runs to the end of the text.
pub fn expressions(text: &str) -> Vec<Expression> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = opening(text, from) {
        let mut i = start + 3;
        let mut in_string = false;
        let end = loop {
            match bytes.get(i) {
                None => break text.len(),
                Some(b'\'') if in_string && bytes.get(i + 1) == Some(&b'\'') => i += 2,
                Some(b'\'') => {
                    in_string = !in_string;
                    i += 1;
                }
                Some(b'}') if !in_string && bytes.get(i + 1) == Some(&b'}') => break i + 2,
                Some(_) => i += 1,
            }
        };
        let closed = end >= start + 5 && text[..end].ends_with("}}");
        let inner_end = if closed { end - 2 } else { end };
        out.push(Expression { range: start..end, inner: text[start + 3..inner_end].to_string(), closed });
        from = end;
    }
    out
}

/// `text` with every `${{ }}` replaced by `$` and `E`s of the same length in bytes, so that a
/// shell reader sees a variable where GitHub substitutes a value, and offsets are unchanged.
pub fn masked(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for e in expressions(text) {
        out.push_str(&text[last..e.range.start]);
        out.push('$');
        out.extend(std::iter::repeat_n('E', e.range.len() - 1));
        last = e.range.end;
    }
    out.push_str(&text[last..]);
    out
}

/// The contexts an expression reads, lower-cased (contexts are case-insensitive), with
/// indices and computed properties as `*`: `github.event.commits[0].message` →
/// `github.event.commits.*.message`; `github.event['issue'].title` →
/// `github.event.issue.title`. Function names and literals are not contexts.
pub fn contexts(expr: &str) -> Vec<String> {
    let chars: Vec<char> = expr.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            i = skip_string(&chars, i);
        } else if c.is_ascii_alphabetic() || c == '_' {
            let (name, next) = ident(&chars, i);
            i = next;
            let mut at = skip_spaces(&chars, i);
            if chars.get(at) == Some(&'(') || matches!(name.as_str(), "true" | "false" | "null") {
                continue;
            }
            let mut path = vec![name.to_ascii_lowercase()];
            loop {
                match chars.get(at) {
                    Some('.') => {
                        let after = skip_spaces(&chars, at + 1);
                        match chars.get(after) {
                            Some('*') => {
                                path.push("*".into());
                                at = after + 1;
                            }
                            Some(c) if c.is_ascii_alphanumeric() || *c == '_' => {
                                let (segment, next) = ident(&chars, after);
                                path.push(segment.to_ascii_lowercase());
                                at = next;
                            }
                            _ => break,
                        }
                    }
                    Some('[') => {
                        let close = matching_bracket(&chars, at);
                        let inside: String = chars[at + 1..close.min(chars.len())].iter().collect();
                        let inside = inside.trim();
                        let literal = inside
                            .strip_prefix('\'')
                            .and_then(|s| s.strip_suffix('\''))
                            .filter(|s| !s.contains('\''))
                            .map(str::to_ascii_lowercase);
                        path.push(literal.unwrap_or_else(|| "*".into()));
                        // A computed index reads contexts of its own.
                        if !inside.starts_with('\'') {
                            out.extend(contexts(inside));
                        }
                        at = close + 1;
                    }
                    _ => break,
                }
                at = skip_spaces(&chars, at);
            }
            out.push(path.join("."));
            i = at;
        } else if c.is_ascii_digit() {
            // A number (`1.5`, `0x1F`) is not a property path.
            while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '.') {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    out
}

fn ident(chars: &[char], mut i: usize) -> (String, usize) {
    let start = i;
    while i < chars.len() && (chars[i].is_ascii_alphanumeric() || chars[i] == '_' || chars[i] == '-') {
        i += 1;
    }
    (chars[start..i].iter().collect(), i)
}

fn skip_spaces(chars: &[char], mut i: usize) -> usize {
    while chars.get(i).is_some_and(|c| c.is_whitespace()) {
        i += 1;
    }
    i
}

/// The index after a string literal that starts at `i`.
fn skip_string(chars: &[char], mut i: usize) -> usize {
    i += 1;
    while i < chars.len() {
        if chars[i] == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    i
}

/// The index of the `]` that closes the `[` at `open` (the end when there is none).
fn matching_bracket(chars: &[char], open: usize) -> usize {
    let mut depth = 0;
    let mut i = open;
    while i < chars.len() {
        match chars[i] {
            '\'' => {
                i = skip_string(chars, i);
                continue;
            }
            '[' => depth += 1,
            ']' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
        i += 1;
    }
    chars.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expressions_are_found_with_their_ranges() {
        let text = "echo \"${{ github.head_ref }}\" && echo ${{ format('}}{0}', inputs.x) }}";
        let found = expressions(text);
        assert_eq!(found.len(), 2);
        assert_eq!(&text[found[0].range.clone()], "${{ github.head_ref }}");
        assert_eq!(found[1].inner.trim(), "format('}}{0}', inputs.x)");
        assert_eq!(expressions("no ${ expression } here, ${{ unterminated").len(), 1);
        assert!(found.iter().all(|e| e.closed));
        assert!(!expressions("${{ github.event_name == 'push'")[0].closed);
        assert!(!expressions("${{ format('}}') ")[0].closed, "a `}}` in a string closes nothing");
        assert!(!expressions("${{}")[0].closed && expressions("${{}}")[0].closed);
    }

    #[test]
    fn masking_keeps_offsets() {
        let text = "docker login -p ${{ secrets.P }} é";
        let m = masked(text);
        assert_eq!(m.len(), text.len());
        assert!(m.starts_with("docker login -p $EEEE"));
        assert!(m.ends_with(" é"));
    }

    #[test]
    fn contexts_are_property_paths() {
        assert_eq!(contexts(" github.event.issue.title "), ["github.event.issue.title"]);
        assert_eq!(contexts("github.event.commits[0].message"), ["github.event.commits.*.message"]);
        assert_eq!(contexts("github.event['Issue'].title"), ["github.event.issue.title"]);
        assert_eq!(contexts("github.event.pages.*.page_name"), ["github.event.pages.*.page_name"]);
        assert_eq!(contexts("toJSON(github.event)"), ["github.event"]);
        assert_eq!(
            contexts("contains(github.event.pull_request.labels.*.name, 'a.b') && inputs.who || 'x'"),
            ["github.event.pull_request.labels.*.name", "inputs.who"]
        );
        assert_eq!(contexts("matrix.os == 'ubuntu-latest' && 1.5 > 0 && true"), ["matrix.os"]);
        assert_eq!(contexts("steps.x.outputs['my-out']"), ["steps.x.outputs.my-out"]);
        assert_eq!(contexts("github.event.commits[matrix.i].message"), ["matrix.i", "github.event.commits.*.message"]);
        assert_eq!(contexts("'it''s github.head_ref'"), Vec::<String>::new());
    }

    #[test]
    fn dataflow_is_what_reaches_the_value() {
        assert_eq!(dataflow(" toJSON(github.event.issue) "), ["github.event.issue"]);
        assert_eq!(
            dataflow("join(github.event.pull_request.labels.*.name, ', ')"),
            ["github.event.pull_request.labels.*.name"]
        );
        assert_eq!(dataflow("format('{0} {1}', github.head_ref, inputs.x)"), ["github.head_ref", "inputs.x"]);
        assert_eq!(dataflow("github.event.issue.labels[0].name"), ["github.event.issue.labels.*.name"]);
        assert_eq!(dataflow("a.b || c.d"), ["a.b", "c.d"]);
        assert_eq!(
            dataflow("(github.event.pull_request || github.event.issue).number"),
            ["github.event.pull_request.number", "github.event.issue.number"]
        );
        assert_eq!(
            dataflow("(github.event.pull_request || github.event.issue).title"),
            ["github.event.pull_request.title", "github.event.issue.title"]
        );
        assert_eq!(dataflow("fromJSON(inputs.on) && 'yes' || ''"), Vec::<String>::new());
        assert_eq!(dataflow("contains(github.event.issue.title, 'x')"), Vec::<String>::new());
        assert_eq!(dataflow("github.event.issue.title == 'x'"), Vec::<String>::new());
        assert_eq!(dataflow("github['event']['issue']['Title']"), ["github.event.issue.title"]);
        // Not an expression GitHub accepts: every context it names.
        assert_eq!(dataflow("github.head_ref ==="), ["github.head_ref"]);
    }
}
