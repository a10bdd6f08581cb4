use crate::declare_rule;
use crate::diag::{Diagnostic, Diagnostics, Span};
use crate::spec::Loaded;

declare_rule! {
    /// ## What it does
    /// Reports each `# TODO(gen init --from): ...` comment still in the spec: what `gen init
    /// --from` could not read from the repository, or read but cannot take as it is (a name
    /// of a resource the team's Terraform already manages, a zone guessed from a host, a lock
    /// to hash, a workflow of the team's that deploys the same service).
    ///
    /// ## Why it matters
    /// Each of them stands at a value that is a default or a guess, not the team's: the first
    /// render would deploy gen's sample code in place of the team's, create a DNS zone for
    /// the company's domain, or plan over the state of the team's own infrastructure. A
    /// comment is easy to miss in a long spec; a render that stops at it is not.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: web
    ///     # TODO(gen init --from): the code is in ../app, outside the spec's folder
    ///     port: 8000  # from Dockerfile:9
    /// ```
    ///
    /// ## How to fix
    /// Do what the comment says (write the value, or confirm the one below it), then delete
    /// the comment. `gen lint` lists every one left, each at its line.
    pub static RULE = ("SPEC170", "unsettled-adoption-todo", Error);
}

pub fn check(spec: &Loaded, out: &mut Diagnostics) {
    let source = spec.source();
    let text = source.text();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let mut offset = 0;
    for (i, line) in lines.iter().enumerate() {
        if let Some(at) = todo_in_comment(line) {
            let first = line[at..].trim_end();
            // What it says: its first line after the marker, and the lines that go on with it
            // (`#   ...`, as `gen init --from` wraps them).
            let mut said = first[crate::adopt::TODO.len()..].trim_start_matches(':').trim().to_string();
            for next in lines[i + 1..].iter().map(|l| l.trim()) {
                match next.strip_prefix('#') {
                    Some(rest) if rest.starts_with("  ") && !rest.trim().is_empty() => {
                        said.push(' ');
                        said.push_str(rest.trim());
                    }
                    _ => break,
                }
            }
            let shown: String = said.chars().take(400).collect();
            let more = if shown.len() < said.len() { " ..." } else { "" };
            let span = Span::new(offset + at, offset + at + first.len());
            out.push(
                Diagnostic::new(&RULE, source.name(), Some(span), format!("not settled yet: {shown}{more}")).help(
                    "do what it says (write the value, or confirm the one it stands at), then delete the comment \
                     with the lines that go on with it",
                ),
            );
        }
        offset += line.len();
    }
}

/// Where the marker starts on `line`, when it is in a YAML comment: after a `#` that begins
/// the line or follows a blank, outside a quoted scalar on that line.
fn todo_in_comment(line: &str) -> Option<usize> {
    let marker = crate::adopt::TODO;
    let at = line.find(marker)?;
    let (mut single, mut double) = (false, false);
    let mut previous = ' ';
    for (i, c) in line[..at].char_indices() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single && previous != '\\' => double = !double,
            '#' if !single && !double && previous.is_whitespace() => {
                return line[i + 1..at].trim().is_empty().then_some(at);
            }
            _ => {}
        }
        previous = c;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::todo_in_comment;

    #[test]
    fn only_a_comment_holds_a_todo() {
        assert_eq!(todo_in_comment("# TODO(gen init --from): say it\n"), Some(2));
        assert_eq!(todo_in_comment("    port: 8000  # TODO(gen init --from): which\n"), Some(18));
        assert_eq!(todo_in_comment("    greeting: \"# TODO(gen init --from)\"\n"), None);
        assert_eq!(todo_in_comment("    note: x#TODO(gen init --from)\n"), None);
        assert_eq!(todo_in_comment("    # a note, then TODO(gen init --from)\n"), None);
    }
}
