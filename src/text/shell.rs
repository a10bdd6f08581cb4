//! Shell text as a shell reads it: the simple commands of a `RUN` or shell-form `CMD` (and of
//! a workflow's `run:` script), each with its words, quotes removed, and where each word is.
//! Tokenized by brush-parser (the POSIX and bash tokenizer of the brush shell), which knows
//! quotes, `$( )`, redirections and heredocs.

use std::ops::Range;

use brush_parser::{Token, TokenizerOptions, tokenize_str_with_options};

/// One simple command: its words with quotes removed, assignments and wrappers (`sudo`, `env`,
/// `exec`...) in front of the command left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<String>,
    /// Where each word is written in the text, in bytes (quotes included).
    pub spans: Vec<Range<usize>>,
}

impl Command {
    /// The command's name without its folder (`/usr/bin/pip3` → `pip3`).
    pub fn name(&self) -> &str {
        let first = self.words.first().map_or("", String::as_str);
        first.rsplit('/').next().unwrap_or(first)
    }

    /// Whether a word is among the arguments.
    pub fn has(&self, word: &str) -> bool {
        self.words.iter().skip(1).any(|w| w == word)
    }

    /// The arguments after the command's name.
    pub fn args(&self) -> &[String] {
        self.words.get(1..).unwrap_or(&[])
    }
}

/// Operators that end a simple command.
const SEPARATORS: [&str; 11] = ["&&", "||", ";", ";;", ";&", ";;&", "|", "|&", "&", "\n", ")"];
/// Words that open or close compound commands, or prefix a command.
const RESERVED: [&str; 14] =
    ["if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time", "("];
/// Commands that run the command after them.
const WRAPPERS: [&str; 6] = ["sudo", "exec", "nohup", "command", "env", "xargs"];

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// Trims a command to the program it runs: leading reserved words, assignments and wrappers
/// (with their options) go; `for`, `case` and function headers are not commands.
fn simple(mut words: Vec<(String, Range<usize>)>) -> Option<Command> {
    loop {
        let first = &words.first()?.0;
        if RESERVED.contains(&first.as_str()) || is_assignment(first) {
            words.remove(0);
        } else if WRAPPERS.contains(&first.as_str()) {
            words.remove(0);
            while words.first().is_some_and(|(w, _)| w.starts_with('-') || is_assignment(w)) {
                words.remove(0);
            }
        } else if matches!(first.as_str(), "for" | "case" | "select" | "function" | "esac") {
            return None;
        } else {
            let (words, spans) = words.into_iter().unzip();
            return Some(Command { words, spans });
        }
    }
}

/// The simple commands of a shell text. Text the tokenizer cannot read (an unterminated
/// quote) is split at whitespace and `&&`, `||`, `;` and `|`, as a reader would.
pub fn commands(script: &str) -> Vec<Command> {
    // The pieces split below are slices of `script`: where they start is where they are.
    let at = |w: &str| {
        let start = w.as_ptr() as usize - script.as_ptr() as usize;
        start..start + w.len()
    };
    // brush keeps the last 64 scripts it tokenized: several rules read the same `run:` script
    // of a workflow, and a spec's services render the same scripts.
    let Ok(tokens) = tokenize_str_with_options(script, &TokenizerOptions::default()) else {
        return script
            .split(['\n', ';', '|'])
            .flat_map(|p| p.split("&&"))
            .filter_map(|p| simple(p.split_whitespace().map(|w| (unquote(w, '\\'), at(w))).collect()))
            .collect();
    };
    // The tokenizer counts characters; spans are in bytes.
    let bytes: Vec<usize> = if script.is_ascii() {
        Vec::new()
    } else {
        script.char_indices().map(|(b, _)| b).chain([script.len()]).collect()
    };
    let byte =
        |i: usize| if bytes.is_empty() { i.min(script.len()) } else { bytes.get(i).copied().unwrap_or(script.len()) };
    let mut out = Vec::new();
    let mut words: Vec<(String, Range<usize>)> = Vec::new();
    let mut last_word_end = usize::MAX;
    let mut skip = 0;
    for token in tokens {
        match token {
            Token::Word(_, _) if skip > 0 => skip -= 1,
            Token::Word(w, span) => {
                // After a line continuation the tokenizer starts a word at the line's indentation.
                let (mut start, end) = (byte(span.start.index), byte(span.end.index));
                while let Some(rest) = script.get(start..end) {
                    match rest.as_bytes() {
                        [b'\\', b'\n', ..] => start += 2,
                        [b' ' | b'\t' | b'\n', ..] => start += 1,
                        _ => break,
                    }
                }
                words.push((unquote(&w, '\\'), start..end));
                last_word_end = span.end.index;
            }
            Token::Operator(op, span) if SEPARATORS.contains(&op.as_str()) => {
                let _ = span;
                if let Some(cmd) = simple(std::mem::take(&mut words)) {
                    out.push(cmd);
                }
            }
            Token::Operator(op, span) => {
                // A redirection: its target is not an argument, nor is a file descriptor
                // number written against it (`2>&1`); a heredoc's body and end follow too.
                if last_word_end == span.start.index
                    && words.last().is_some_and(|(w, _)| w.chars().all(|c| c.is_ascii_digit()))
                {
                    words.pop();
                }
                skip = match op.as_str() {
                    "<<" | "<<-" => 3,
                    "(" => 0,
                    _ => 1,
                };
            }
        }
    }
    if let Some(cmd) = simple(words) {
        out.push(cmd);
    }
    out
}

/// The text of a word with quotes removed and escapes applied (BuildKit's lexer without
/// variable expansion).
pub fn unquote(word: &str, escape: char) -> String {
    let mut out = String::with_capacity(word.len());
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                for c in chars.by_ref() {
                    if c == '\'' {
                        break;
                    }
                    out.push(c);
                }
            }
            '"' => {
                while let Some(c) = chars.next() {
                    match c {
                        '"' => break,
                        c if c == escape => match chars.next() {
                            Some(n @ ('"' | '$')) => out.push(n),
                            Some(n) if n == escape => out.push(n),
                            Some(n) => {
                                out.push(c);
                                out.push(n);
                            }
                            None => out.push(c),
                        },
                        c => out.push(c),
                    }
                }
            }
            c if c == escape => {
                if let Some(n) = chars.next() {
                    out.push(n);
                }
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(script: &str) -> Vec<Vec<String>> {
        commands(script).into_iter().map(|c| c.words).collect()
    }

    #[test]
    fn commands_split_at_operators_and_keep_quoted_words_whole() {
        assert_eq!(
            words(
                "apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \"a b\" || true; echo 'x y' | wc -l"
            ),
            vec![
                vec!["apt-get", "update"],
                vec!["apt-get", "install", "-y", "a b"],
                vec!["true"],
                vec!["echo", "x y"],
                vec!["wc", "-l"],
            ]
        );
    }

    #[test]
    fn redirections_heredocs_and_compound_commands_are_understood() {
        assert_eq!(
            words("if [ -f x ]; then sudo -E pip install flask 2>&1 >/dev/null; fi"),
            vec![vec!["[", "-f", "x", "]"], vec!["pip", "install", "flask"]]
        );
        assert_eq!(words("cat <<EOF >/x && echo hi\nline1\nEOF\n"), vec![vec!["cat"], vec!["echo", "hi"]]);
        assert_eq!(words("python -c \"print(1<<20)\""), vec![vec!["python", "-c", "print(1<<20)"]]);
    }

    #[test]
    fn words_know_where_they_are_written() {
        let script = "docker login -u \"é user\" \\\n  -p $P\necho ok";
        let cmds = commands(script);
        let spans: Vec<&str> = cmds[0].spans.iter().map(|s| &script[s.clone()]).collect();
        assert_eq!(spans, ["docker", "login", "-u", "\"é user\"", "-p", "$P"]);
        assert_eq!(&script[cmds[1].spans[0].clone()], "echo");
        let broken = "echo \"oops && ls -l";
        let cmds = commands(broken);
        assert_eq!(&broken[cmds[1].spans[1].clone()], "-l");
    }

    #[test]
    fn unreadable_text_still_splits() {
        assert_eq!(words("echo \"oops && ls"), vec![vec!["echo", "oops"], vec!["ls"]]);
    }
}
