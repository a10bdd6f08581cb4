//! Messages cut to a size a reader can take in, in every format: a message quotes values and
//! tool output (`project name `...``, Helm's error line), and a value of 5,000 characters
//! quoted whole floods a terminal, an annotation or a code-scanning alert, where the finding's
//! location already points at it.

use std::borrow::Cow;

/// Longest quote (text between backticks) shown whole: the longest a rule quotes on its own is
/// an image reference with a digest (under 100 characters) or a line of HCL to write.
const MAX_QUOTE: usize = 200;
/// Characters kept from the start, and from the end, of a longer quote.
const QUOTE_HEAD: usize = 100;
const QUOTE_TAIL: usize = 20;
/// Longest message or help shown whole, after quotes are cut.
const MAX_TEXT: usize = 1_000;

/// `text` with each quote longer than [`MAX_QUOTE`] characters cut to its start and end (its
/// length said after it), and the whole cut at [`MAX_TEXT`] characters (what was left out said
/// at the end). Text within both limits is returned as it is.
pub fn shorten(text: &str) -> Cow<'_, str> {
    if text.len() <= MAX_QUOTE {
        return Cow::Borrowed(text);
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        out.push_str(&rest[..=open]);
        let inside = &rest[open + 1..];
        let Some(close) = inside.find('`') else {
            rest = inside;
            break;
        };
        let quote = &inside[..close];
        let chars = quote.chars().count();
        if chars > MAX_QUOTE {
            out.extend(quote.chars().take(QUOTE_HEAD));
            out.push('…');
            out.extend(quote.chars().skip(chars - QUOTE_TAIL));
            out.push_str(&format!("` ({chars} characters)"));
        } else {
            out.push_str(quote);
            out.push('`');
        }
        rest = &inside[close + 1..];
    }
    out.push_str(rest);
    if let Some((at, _)) = out.char_indices().nth(MAX_TEXT) {
        let left = out[at..].chars().count();
        out.truncate(at);
        out.push_str(&format!("… ({left} more characters)"));
    }
    if out == text { Cow::Borrowed(text) } else { Cow::Owned(out) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_and_short_quotes_are_kept() {
        let text = format!("image `{}` and more words {}", "r".repeat(150), "w".repeat(300));
        assert!(matches!(shorten(&text), Cow::Borrowed(_)));
        assert!(matches!(shorten("plain"), Cow::Borrowed(_)));
    }

    #[test]
    fn a_long_quote_keeps_its_ends_and_says_its_length() {
        let text = format!("project name `{}{}` is longer than 63 characters", "a".repeat(4990), "bcdefghijk");
        let short = shorten(&text);
        let expected = format!(
            "project name `{}…{}bcdefghijk` (5000 characters) is longer than 63 characters",
            "a".repeat(100),
            "a".repeat(10)
        );
        assert_eq!(short, expected);
    }

    #[test]
    fn a_long_text_is_cut_and_says_how_much_was_left_out() {
        let text = format!("Error: {}", "é".repeat(5000));
        let short = shorten(&text);
        assert_eq!(short.chars().count(), MAX_TEXT + " (4007 more characters)".chars().count() + 1);
        assert!(short.ends_with("… (4007 more characters)"), "{short}");
    }

    #[test]
    fn an_unpaired_backtick_leaves_the_rest_to_the_length_cut() {
        let text = format!("a ` quote that never ends {}", "z".repeat(2000));
        let short = shorten(&text);
        assert!(short.starts_with("a ` quote that never ends zzz") && short.ends_with("more characters)"), "{short}");
    }
}
