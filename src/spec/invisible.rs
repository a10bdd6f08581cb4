//! Characters that change how text is shown without being seen: the bidirectional controls of
//! "Trojan Source" (CVE-2021-42574), which reorder the text around them in an editor or a
//! review, zero-width characters, and the rest of Unicode's format characters (category Cf),
//! with the line and paragraph separators that some readers take for line breaks.
//!
//! The spec warns about them where they are written (SPEC130), and every output language's
//! filter writes them escaped, or, where a language has no escape, does without them (see
//! `render::filters`).

/// Unicode's format characters (General_Category=Cf, Unicode 16) and the two separators, as
/// inclusive ranges.
const FORMAT: [(u32, u32); 22] = [
    (0x00ad, 0x00ad),   // soft hyphen
    (0x0600, 0x0605),   // Arabic number signs
    (0x061c, 0x061c),   // Arabic letter mark
    (0x06dd, 0x06dd),   // Arabic end of ayah
    (0x070f, 0x070f),   // Syriac abbreviation mark
    (0x0890, 0x0891),   // Arabic pound and piastre marks above
    (0x08e2, 0x08e2),   // Arabic disputed end of ayah
    (0x180e, 0x180e),   // Mongolian vowel separator
    (0x200b, 0x200f),   // zero-width space, non-joiner, joiner; left-to-right and right-to-left marks
    (0x202a, 0x202e),   // bidirectional embeddings and overrides, pop directional formatting
    (0x2060, 0x2064),   // word joiner, invisible operators
    (0x2066, 0x206f),   // bidirectional isolates, deprecated format characters
    (0xfeff, 0xfeff),   // zero-width no-break space (byte-order mark)
    (0xfff9, 0xfffb),   // interlinear annotation
    (0x110bd, 0x110bd), // Kaithi number sign
    (0x110cd, 0x110cd), // Kaithi number sign above
    (0x13430, 0x1343f), // Egyptian hieroglyph format controls
    (0x1bca0, 0x1bca3), // shorthand format controls
    (0x1d173, 0x1d17a), // musical symbol beams and phrases
    (0xe0001, 0xe0001), // language tag
    (0xe0020, 0xe007f), // tag characters
    (0x2028, 0x2029),   // line and paragraph separators (Zl, Zp: not Cf, but read as line breaks)
];

/// Whether `c` is shown as nothing, or changes how the text around it is shown.
pub fn is_hidden(c: char) -> bool {
    let c = c as u32;
    FORMAT.iter().any(|(from, to)| (*from..=*to).contains(&c))
}

/// Whether `c` is a bidirectional control: an embedding, override, isolate or mark.
pub fn is_bidi(c: char) -> bool {
    matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// How a message names `c`: `U+202E (RIGHT-TO-LEFT OVERRIDE)`.
pub fn describe(c: char) -> String {
    let name = match c {
        '\u{061c}' => "ARABIC LETTER MARK",
        '\u{200b}' => "ZERO WIDTH SPACE",
        '\u{200c}' => "ZERO WIDTH NON-JOINER",
        '\u{200d}' => "ZERO WIDTH JOINER",
        '\u{200e}' => "LEFT-TO-RIGHT MARK",
        '\u{200f}' => "RIGHT-TO-LEFT MARK",
        '\u{202a}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202b}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202c}' => "POP DIRECTIONAL FORMATTING",
        '\u{202d}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202e}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{2060}' => "WORD JOINER",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{feff}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{00ad}' => "SOFT HYPHEN",
        _ if is_bidi(c) => "a bidirectional control",
        '\u{e0000}'..='\u{e007f}' => "a tag character",
        _ => "an invisible format character",
    };
    format!("U+{:04X} ({name})", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_controls_and_zero_width_characters_are_hidden() {
        for c in ['\u{202a}', '\u{202e}', '\u{2066}', '\u{2069}', '\u{200e}', '\u{200f}', '\u{061c}', '\u{200b}'] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['\u{feff}', '\u{e0041}', '\u{2028}', '\u{ad}'] {
            assert!(is_hidden(c), "{c:?}");
        }
        for c in ['a', ' ', 'é', '中', '🚀', '\u{2065}', '\u{202f}', 'ا', '\u{1b}', '\u{85}'] {
            assert!(!is_hidden(c), "{c:?}");
        }
        assert!(is_bidi('\u{202e}') && !is_bidi('\u{200b}'));
        assert_eq!(describe('\u{202e}'), "U+202E (RIGHT-TO-LEFT OVERRIDE)");
        assert_eq!(describe('\u{e0041}'), "U+E0041 (a tag character)");
    }
}
