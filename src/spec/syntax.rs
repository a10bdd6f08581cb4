//! Stage 1: how a spec file is read as YAML, and the rules its failures are reported under.

use crate::declare_rule;
use crate::yaml::{Policy, Rules, Tags};

declare_rule! {
    /// ## What it does
    /// Reports text that is not valid YAML, or YAML features a spec does not use (custom tags,
    /// complex mapping keys).
    ///
    /// ## Why it matters
    /// Nothing can be checked or rendered from a file that does not parse.
    ///
    /// ## Example
    /// ```yaml
    /// kind: [Project
    /// ```
    ///
    /// ## How to fix
    /// Fix the syntax at the reported line and column: indentation, an unclosed quote or
    /// bracket, a tab used for indentation, a missing `: ` after a key.
    pub static YAML_SYNTAX = ("SPEC001", "yaml-syntax", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a spec file that is not UTF-8 text, or that holds characters YAML does not
    /// allow (a NUL byte, other control characters).
    ///
    /// ## Why it matters
    /// YAML is defined over Unicode; a file in another encoding would be read as garbage, and
    /// a parser that stops at a NUL byte silently drops the rest of the file.
    ///
    /// ## How to fix
    /// Save the file as UTF-8 (the byte at the reported position is the first invalid one).
    pub static INVALID_ENCODING = ("SPEC002", "invalid-encoding", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a spec file with no content (empty, only comments, or an empty document).
    ///
    /// ## Why it matters
    /// An empty spec describes nothing; rendering it would delete nothing and create nothing,
    /// which is never what was meant.
    ///
    /// ## How to fix
    /// Run `gen init` for a commented starter spec.
    pub static EMPTY_SPEC = ("SPEC003", "empty-spec", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a second YAML document (after `---`) in a spec file.
    ///
    /// ## Why it matters
    /// A spec is one document; a second one would be silently ignored by most tools, so its
    /// settings would never take effect.
    ///
    /// ## How to fix
    /// Merge the documents into one, or split them into separate spec files.
    pub static MULTIPLE_DOCUMENTS = ("SPEC004", "multiple-documents", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a key that appears twice in the same mapping.
    ///
    /// ## Why it matters
    /// YAML forbids it, and parsers that accept it keep one of the values silently: the other
    /// setting is lost without a word.
    ///
    /// ## Example
    /// ```yaml
    /// services:
    ///   - name: api
    ///     port: 8080
    ///     port: 5000
    /// ```
    ///
    /// ## How to fix
    /// Keep one of the keys.
    pub static DUPLICATE_KEY = ("SPEC005", "duplicate-key", Error, unignorable);
}

declare_rule! {
    /// ## What it does
    /// Reports a spec over the loader's limits: larger than 16 MiB, nested deeper than 64
    /// levels, more than a million nodes, or aliases that expand to more than 100,000 nodes.
    ///
    /// ## Why it matters
    /// These limits keep `gen` fast and its memory bounded on hostile input (a "billion
    /// laughs" alias bomb expands a few hundred bytes into gigabytes). A spec of thousands of
    /// services stays far inside them.
    ///
    /// ## How to fix
    /// Remove the repetition or nesting; write values out instead of nesting aliases.
    pub static YAML_LIMITS = ("SPEC006", "yaml-limits", Error, unignorable);
}

static RULES: Rules = Rules {
    syntax: &YAML_SYNTAX,
    encoding: &INVALID_ENCODING,
    empty: &EMPTY_SPEC,
    multiple_documents: &MULTIPLE_DOCUMENTS,
    duplicate_key: &DUPLICATE_KEY,
    limits: &YAML_LIMITS,
};

/// How a spec is read: one document, `!!str` the only tag, limits no real spec comes near.
pub static POLICY: Policy = Policy {
    what: "a spec",
    max_bytes: 16 * 1024 * 1024,
    max_depth: 64,
    max_nodes: 1_000_000,
    max_alias_nodes: 100_000,
    multi_document: false,
    tags: Tags::StrOnly,
    rules: &RULES,
    empty_help: "run `gen init` to write a commented starter spec",
};
