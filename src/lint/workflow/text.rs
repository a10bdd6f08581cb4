//! A string value of a workflow and where each of its bytes is written in the file. The value
//! of a `run: |` block has its indentation removed (a folded `>` one its line breaks too, a
//! quoted one its quotes), so a place in the value is found in the file line by line: each
//! line's content is in the value, verbatim and in order.

use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;

use super::expr::{self, Expression};
use crate::diag::Span;
use crate::text::shell::{self, Command};
use crate::yaml::Node;

/// A run of bytes written the same in the value and in the file.
#[derive(Clone, Copy, Debug)]
struct Piece {
    value: usize,
    file: usize,
    len: usize,
}

/// A string node's value with the map back to the file. The map is drawn on first use: most
/// strings a rule reads hold nothing it reports, and a workflow has thousands of them.
pub struct Text<'a> {
    pub node: &'a Node,
    pub value: &'a str,
    file: &'a str,
    pieces: OnceCell<Vec<Piece>>,
    /// The commands of the document's scripts read so far (see [`Scripts`]).
    scripts: Option<&'a Scripts>,
}

/// The shell commands of a document's strings, by node, read once: a dozen rules read every
/// `run:` script of a workflow, and reading one as a shell is most of what they do.
#[derive(Default)]
pub struct Scripts(RefCell<HashMap<*const Node, Rc<[Command]>>>);

impl<'a> Text<'a> {
    /// The text of a string node of `file` (the whole file's text); `None` for other nodes.
    pub fn new(file: &'a str, node: &'a Node) -> Option<Text<'a>> {
        let value = node.as_str()?;
        Some(Text { node, value, file, pieces: OnceCell::new(), scripts: None })
    }

    /// The text of a string node of `file` whose commands are read once into `scripts`.
    pub fn kept(file: &'a str, node: &'a Node, scripts: &'a Scripts) -> Option<Text<'a>> {
        Text::new(file, node).map(|t| Text { scripts: Some(scripts), ..t })
    }

    /// Where each line of the value is written in the file.
    fn pieces(&self) -> &[Piece] {
        self.pieces.get_or_init(|| map(self.file, self.node, self.value))
    }
}

/// Where each line of a string node's `value` is written in `file`: each line's content is in
/// the value, verbatim and in order.
fn map(file: &str, node: &Node, value: &str) -> Vec<Piece> {
    let written = file.get(node.span.start..node.span.end.min(file.len())).unwrap_or("");
    let mut pieces = Vec::new();
    let mut cursor = 0;
    let mut at = node.span.start;
    for (n, line) in written.split_inclusive('\n').enumerate() {
        let line_at = at;
        at += line.len();
        let body = line.trim_end_matches(['\n', '\r']);
        let mut lead = body.len() - body.trim_start_matches([' ', '\t']).len();
        let mut content = &body[lead..];
        if n == 0 && (content.starts_with('"') || content.starts_with('\'')) {
            lead += 1;
            content = &content[1..];
        }
        let content = content.trim_end_matches([' ', '\t']);
        let unquoted = content.strip_suffix(['"', '\'']).unwrap_or(content);
        let whole = [content, unquoted].into_iter().find(|c| !c.is_empty() && value[cursor..].contains(*c));
        // A line written with escapes (`\"`, `''`) is matched run by run between them.
        let runs: Vec<(usize, &str)> = match whole {
            Some(c) => vec![(0, c)],
            None => {
                let mut offset = 0;
                content
                    .split(['\'', '"', '\\'])
                    .map(|run| {
                        let at = offset;
                        offset += run.len() + 1;
                        (at, run)
                    })
                    .collect()
            }
        };
        for (offset, run) in runs.into_iter().filter(|(_, r)| !r.is_empty()) {
            if let Some(found) = value[cursor..].find(run) {
                let piece = Piece { value: cursor + found, file: line_at + lead + offset, len: run.len() };
                cursor = piece.value + piece.len;
                pieces.push(piece);
            }
        }
    }
    pieces
}

impl Text<'_> {
    /// Where the byte at `offset` of the value is in the file (the node's start when the
    /// value cannot be matched to the file, as with escapes in a double-quoted string).
    fn at(&self, offset: usize) -> usize {
        match self.pieces().iter().rev().find(|p| p.value <= offset) {
            Some(p) => p.file + (offset - p.value).min(p.len),
            None => self.node.span.start,
        }
    }

    /// Where a range of the value is in the file.
    pub fn span(&self, range: Range<usize>) -> Span {
        let start = self.at(range.start);
        Span::new(start, self.at(range.end))
    }

    /// The `${{ }}` expressions of the value, each with where it is in the file.
    pub fn expressions(&self) -> Vec<(Expression, Span)> {
        expr::expressions(self.value)
            .into_iter()
            .map(|e| {
                let span = self.span(e.range.clone());
                (e, span)
            })
            .collect()
    }

    /// The value read as a shell script: its simple commands, each word with its range in the
    /// value. An expression reads as a variable (GitHub substitutes it before the shell runs).
    pub fn commands(&self) -> Rc<[Command]> {
        let read = || Rc::from(shell::commands(&expr::masked(self.value)));
        let Some(Scripts(kept)) = self.scripts else { return read() };
        let key = std::ptr::from_ref(self.node);
        if let Some(commands) = kept.borrow().get(&key) {
            return Rc::clone(commands);
        }
        let commands = read();
        kept.borrow_mut().insert(key, Rc::clone(&commands));
        commands
    }
}

#[cfg(test)]
mod tests {
    use crate::diag::Source;
    use crate::lint::workflow::{Document, Step};

    /// The `line:col` of every expression in the `run:` of the first step of job `a`.
    fn positions(yaml: &str) -> Vec<(usize, usize)> {
        let source = Source::new("w.yml", yaml);
        let doc = Document::parse(&source);
        let job = doc.jobs().into_iter().next().expect("a job");
        let steps: Vec<Step> = job.steps();
        let run = steps[0].run().expect("a run");
        run.expressions()
            .into_iter()
            .map(|(_, span)| {
                let p = source.position(span);
                (p.line, p.column)
            })
            .collect()
    }

    const HEAD: &str = "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n";

    #[test]
    fn expressions_in_a_literal_block_are_placed_on_their_own_line_and_column() {
        let yaml = format!(
            "{HEAD}      - run: |\n          echo hi\n            echo \"${{{{ github.head_ref }}}}\" ${{{{ inputs.x }}}}\n"
        );
        assert_eq!(positions(&yaml), [(8, 19), (8, 43)]);
    }

    #[test]
    fn expressions_in_folded_kept_and_stripped_blocks_are_placed() {
        let yaml = format!("{HEAD}      - run: >-\n          a\n\n          b ${{{{ x }}}}\n");
        assert_eq!(positions(&yaml), [(9, 13)]);
        let yaml = format!("{HEAD}      - run: |+\n\n          ${{{{ x }}}}\n");
        assert_eq!(positions(&yaml), [(8, 11)]);
    }

    #[test]
    fn expressions_in_plain_and_quoted_scalars_are_placed() {
        assert_eq!(positions(&format!("{HEAD}      - run: echo ${{{{ x }}}} # note\n")), [(6, 19)]);
        assert_eq!(positions(&format!("{HEAD}      - run: \"echo ${{{{ x }}}}\"\n")), [(6, 20)]);
        assert_eq!(positions(&format!("{HEAD}      - run: 'it''s ${{{{ x }}}}'\n")), [(6, 21)]);
        assert_eq!(positions(&format!("{HEAD}      - run: \"a \\\"b\\\" ${{{{ x }}}}\"\n")), [(6, 23)]);
        assert_eq!(positions(&format!("{HEAD}      - run: echo a\n          ${{{{ x }}}}\n")), [(7, 11)]);
    }

    #[test]
    fn non_ascii_text_counts_columns_in_characters() {
        let yaml = format!("{HEAD}      - run: |\n          echo \"é ${{{{ x }}}}\"\n");
        assert_eq!(positions(&yaml), [(7, 19)]);
    }

    #[test]
    fn shell_words_map_back_to_the_file() {
        let yaml = format!("{HEAD}      - run: |\n          docker login \\\n            -p ${{{{ secrets.P }}}} r\n");
        let source = Source::new("w.yml", yaml.as_str());
        let doc = Document::parse(&source);
        let job = doc.jobs().into_iter().next().expect("a job");
        let steps = job.steps();
        let run = steps[0].run().expect("a run");
        let cmd = &run.commands()[0];
        assert_eq!(cmd.words[..3], ["docker", "login", "-p"]);
        let p = source.position(run.span(cmd.spans[2].clone()));
        assert_eq!((p.line, p.column), (8, 13));
        assert!(cmd.words[3].starts_with('$'), "an expression reads as a variable");
    }

    /// Pieces of script lines; each expression stays on one line.
    const LINES: &[&str] = &[
        "echo a",
        "  echo \"${{ github.head_ref }}\"",
        "${{ inputs.x }} é ${{ matrix.os }}",
        "",
        "b ${{ format('{0}}}', github.sha) }} \\",
        "    deeper ${{ env.A }}",
        "'quoted' \"${{ x }}\" # not a YAML comment",
    ];

    proptest::proptest! {
        /// Whatever the block style and the lines, each expression found in the value is
        /// placed on the very text of that expression in the file.
        #[test]
        fn every_expression_is_placed_on_its_own_text(
            style in proptest::sample::select(vec!["|", "|-", "|+", ">", ">-", "|2"]),
            picks in proptest::collection::vec(0..LINES.len(), 1..12),
        ) {
            let mut yaml = format!("{HEAD}      - run: {style}\n");
            // The first line sets the indentation (a block may not start more indented
            // than an explicit indicator says).
            yaml.push_str("          first\n");
            let written: usize = picks.iter().map(|i| LINES[*i].matches("${{").count()).sum();
            for i in picks {
                let line = LINES[i];
                yaml.push_str(&if line.is_empty() { "\n".to_string() } else { format!("          {line}\n") });
            }
            let source = Source::new("w.yml", yaml.as_str());
            let doc = Document::parse(&source);
            let job = doc.jobs().into_iter().next().expect("a job");
            let steps = job.steps();
            let run = steps[0].run().expect("a run");
            proptest::prop_assert_eq!(run.expressions().len(), written);
            for (e, span) in run.expressions() {
                let written = &yaml[span.start..span.end];
                proptest::prop_assert_eq!(written, &run.value[e.range.clone()]);
            }
        }
    }
}
