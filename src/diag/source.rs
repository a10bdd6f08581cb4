//! Source texts and the one function that turns a byte span into `line:col`.

use std::collections::BTreeMap;
use std::sync::Arc;

/// A byte range in a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    /// A span covering `start..end` (bytes).
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end: end.max(start) }
    }
}

/// A resolved position, 1-based, columns counted in characters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// One named text (a spec, a rendered file) that diagnostics can point into.
#[derive(Debug)]
pub struct Source {
    name: String,
    text: String,
    line_starts: Vec<usize>,
}

impl Source {
    /// Keeps `text` under the display `name` (a relative path, as the user typed it).
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Arc<Self> {
        let text = text.into();
        let line_starts =
            std::iter::once(0).chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1)).collect();
        Arc::new(Source { name: name.into(), text, line_starts })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// Line (1-based) and character column (1-based) of a byte offset.
    fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let prefix = self.text.get(start..offset).unwrap_or("");
        (line, prefix.chars().count() + 1)
    }

    /// The one function that turns a span into `line:col` for every stage.
    pub fn position(&self, span: Span) -> Position {
        let (line, column) = self.line_col(span.start);
        let (end_line, end_column) = self.line_col(span.end);
        Position { line, column, end_line, end_column }
    }

    /// Byte offset of a 1-based line and 0-based character column (clamped to the text).
    pub fn offset(&self, line: usize, column0: usize) -> usize {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return self.text.len();
        };
        let rest = &self.text[start..];
        start + rest.char_indices().nth(column0).map_or(rest.len(), |(i, _)| i)
    }

    /// The text of a 1-based line, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.line_starts.get(line).copied().unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }
}

/// Every source a run has read, by name, so reports can quote them.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    sources: BTreeMap<String, Arc<Source>>,
}

impl SourceMap {
    pub fn add(&mut self, source: Arc<Source>) {
        self.sources.insert(source.name().to_string(), source);
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Source>> {
        self.sources.get(name)
    }

    /// Adds every source of `other`.
    pub fn merge(&mut self, other: SourceMap) {
        self.sources.extend(other.sources);
    }

    /// Keeps only the sources that `keep` names (after a run, those findings quote).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.sources.retain(|name, _| keep(name));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters_from_one() {
        let s = Source::new("f", "ab\nçd: x\n");
        assert_eq!(s.position(Span::new(0, 1)).line, 1);
        let p = s.position(Span::new(8, 9));
        assert_eq!((p.line, p.column), (2, 5));
        assert_eq!(s.line_text(2), "çd: x");
        assert_eq!(s.line_text(9), "");
    }
}
