//! What the event parser says about a YAML text without building its tree: where its comments
//! are, and whether a string occurs in it only as data. The scalars (plain, quoted over several
//! lines, block scalars with their `#` lines, inside flow collections too) come from the same
//! event parser the loader reads the text with, so what the loader takes for data is never
//! taken for a comment (a `# gen:ignore` line in an annotation's `|` block is data).

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

use crate::diag::Span;

/// The spans of the comments of a YAML text, each from its `#` to the end of its line. The
/// spans count in `text` as given (a byte-order mark included). Where the text stops being
/// YAML, the comments stop too: after a syntax error the parser no longer says what is data.
pub fn comments(text: &str) -> Vec<Span> {
    let bom = if text.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 };
    let body = &text[bom..];
    comments_in(body, &scan(body)).into_iter().map(|s| Span::new(bom + s.start, bom + s.end)).collect()
}

/// Whether every `needle` in a text is written as data or remark, not as the text's structure
/// or a plain value: inside a quoted or block scalar, or a comment (`"{{ x }}"`, a `|` block,
/// `# {{ x }}`, not `{{ x }}` or `repo:{{ x }}`). False when the text is not YAML up to the
/// last one.
pub fn only_in_strings_or_comments(text: &str, needle: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let scan = scan(text);
    let comments = comments_in(text, &scan);
    let quoted = scan.scalars.iter().filter(|(_, quoted)| *quoted).map(|(s, _)| s);
    let allowed: Vec<&Span> = quoted.chain(&comments).collect();
    text.match_indices(needle).all(|(at, _)| {
        let end = at + needle.len();
        end <= scan.readable && allowed.iter().any(|s| s.start <= at && end <= s.end)
    })
}

/// The comments of `text` given its scan.
fn comments_in(text: &str, scan: &Scan) -> Vec<Span> {
    let mut out = Vec::new();
    let mut data = scan.scalars.iter().peekable();
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches(['\n', '\r']);
        let mut search = 0;
        while let Some(i) = content[search..].find('#') {
            let at = line_start + search + i;
            search += i + 1;
            if at >= scan.readable {
                return out;
            }
            // Scalars are in text order: those that end before this `#` are behind us.
            while data.next_if(|(s, _)| s.end <= at).is_some() {}
            let in_data = data.peek().is_some_and(|(s, _)| s.start <= at);
            let after_space = search == 1 || content[..search - 1].ends_with([' ', '\t']);
            if !in_data && after_space {
                out.push(Span::new(at, line_start + content.len()));
                break;
            }
        }
        line_start += line.len();
    }
    out
}

/// What the event parser says about a text without building its tree.
struct Scan {
    /// The byte spans of the scalars, in text order, each with whether it is quoted or a
    /// block scalar (rather than plain).
    scalars: Vec<(Span, bool)>,
    /// How far the parser read: the offset of its error, or `usize::MAX`.
    readable: usize,
}

fn scan(text: &str) -> Scan {
    let mut offsets = Offsets { text, char_index: 0, byte: 0 };
    let mut scalars = Vec::new();
    let mut parser = Parser::new_from_str(text);
    while let Some(event) = parser.next_event() {
        match event {
            Ok((Event::Scalar(_, style, _, _), span)) => {
                let start = offsets.of(&span.start);
                // The parser ends a quoted scalar after the comment that follows it on its
                // line; the closing quote is where it really ends.
                let end = match style {
                    ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted => quoted_end(text, start),
                    _ => None,
                };
                let end = end.unwrap_or_else(|| offsets.of(&span.end));
                scalars.push((Span::new(start, end), style != ScalarStyle::Plain));
            }
            Ok(_) => {}
            Err(e) => {
                let at = offsets.of(e.marker());
                return Scan { scalars, readable: at };
            }
        }
    }
    Scan { scalars, readable: usize::MAX }
}

/// The end of the quoted scalar whose opening quote is at `start`: just after its closing
/// quote (`''` is a quote inside single quotes, `\"` inside double quotes). `None` when no
/// quote is at `start`.
fn quoted_end(text: &str, start: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let quote = bytes.get(start).copied().filter(|q| matches!(q, b'"' | b'\''))?;
    let mut i = start + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if quote == b'"' => i += 2,
            b'\'' if quote == b'\'' && bytes.get(i + 1) == Some(&b'\'') => i += 2,
            c if c == quote => return Some(i + 1),
            _ => i += 1,
        }
    }
    Some(text.len())
}

/// Byte offsets of the parser's markers, which count characters. Markers come mostly in text
/// order; the last answer is kept so that a forward walk costs the distance walked.
struct Offsets<'t> {
    text: &'t str,
    char_index: usize,
    byte: usize,
}

impl Offsets<'_> {
    fn of(&mut self, m: &Marker) -> usize {
        let want = m.index();
        if want < self.char_index {
            (self.char_index, self.byte) = (0, 0);
        }
        let rest = &self.text[self.byte..];
        let step = rest.char_indices().nth(want - self.char_index).map_or(rest.len(), |(i, _)| i);
        self.byte += step;
        self.char_index = want;
        self.byte
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<&str> {
        comments(text).into_iter().map(|s| &text[s.start..s.end]).collect()
    }

    #[test]
    fn comments_are_found_outside_scalars_only() {
        let text = "# top\na: |\n  # in block\n  x\n# after\nb: \"multi\n  # quoted\n  line\" # c1\nc: 'it''s # no' # c2\nd: [x, # c3\n  \"y # no\"]\ne: plain#no # c4\nf: >-\n   folded\n  # c5\n";
        assert_eq!(texts(text), ["# top", "# after", "# c1", "# c2", "# c3", "# c4", "# c5"]);
    }

    #[test]
    fn spans_count_bytes_of_the_text_as_given() {
        let text = "\u{feff}é: \"ü # no\" # ça\n";
        assert_eq!(texts(text), ["# ça"]);
    }

    #[test]
    fn after_a_syntax_error_nothing_is_a_comment() {
        assert_eq!(texts("# one\na: b: c\n# two\n"), ["# one"]);
    }

    #[test]
    fn braces_are_data_only_inside_strings_and_comments() {
        let data = |t: &str| only_in_strings_or_comments(t, "{{");
        assert!(data("# {{ w }}\na: \"{{ x }}\"\nb: '{{ y }}' # {{\nc: |\n  {{ z }}\n"));
        assert!(!data("a: {{ x }}\n") && !data("a: repo:{{ x }}\n") && !data("a: \"{{ x }}\"\nb: {{ y }}\n"));
        assert!(!data("a: b: c\nd: \"{{ x }}\"\n"), "after a syntax error nothing is data");
    }
}
