//! Text from files and specs made safe for a terminal: no escape sequences, no bidirectional
//! overrides, nothing that moves the cursor or rewrites what the reader sees.

use std::borrow::Cow;

/// What a character is shown as, when it may not reach the terminal as it is.
fn replacement(c: char) -> Option<char> {
    match c {
        '\t' | '\n' => None,
        '\u{0}'..='\u{1f}' => char::from_u32(0x2400 + c as u32),
        '\u{7f}' => Some('\u{2421}'),
        '\u{80}'..='\u{9f}'
        | '\u{061c}'
        | '\u{200e}'
        | '\u{200f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{feff}' => Some('\u{fffd}'),
        _ => None,
    }
}

/// `s` with terminal control characters replaced by visible stand-ins (`␛` for ESC).
pub fn clean(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| replacement(c).is_some()) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(s.chars().map(|c| replacement(c).unwrap_or(c)).collect())
}

/// `s` cleaned, with a function that maps a byte offset of `s` to the offset of the same place
/// in the cleaned text.
pub fn clean_with_offsets(s: &str) -> (Cow<'_, str>, impl Fn(usize) -> usize) {
    // (old offset, new offset) after each replaced character; offsets between them shift alike.
    let mut shifts: Vec<(usize, usize)> = Vec::new();
    let cleaned = if s.chars().any(|c| replacement(c).is_some()) {
        let mut out = String::with_capacity(s.len() + 8);
        for (i, c) in s.char_indices() {
            match replacement(c) {
                Some(r) => {
                    out.push(r);
                    shifts.push((i + c.len_utf8(), out.len()));
                }
                None => out.push(c),
            }
        }
        Cow::Owned(out)
    } else {
        Cow::Borrowed(s)
    };
    let map = move |offset: usize| match shifts.partition_point(|(old, _)| *old <= offset) {
        0 => offset,
        n => {
            let (old, new) = shifts[n - 1];
            new + (offset - old)
        }
    };
    (cleaned, map)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_and_bidi_overrides_become_visible() {
        assert_eq!(clean("a\u{1b}[31mb\u{202e}c\td"), "a\u{241b}[31mb\u{fffd}c\td");
        assert!(matches!(clean("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn offsets_follow_the_replacements() {
        let (text, map) = clean_with_offsets("\u{1b}ab\u{85}c");
        assert_eq!(text, "\u{241b}ab\u{fffd}c");
        assert_eq!(&text[map(1)..map(3)], "ab");
        assert_eq!(&text[map(5)..map(6)], "c");
    }
}
