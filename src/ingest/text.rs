//! Text normalization applied to every imported title and body: HTML character references
//! decoded, Unicode NFC, control characters dropped, whitespace tidied (runs of blanks become
//! one space, lines are trimmed, at most one blank line separates paragraphs).
//!
//! Mention offsets are taken on the normalized text, so this runs before extraction and the
//! stored body is exactly what was extracted from.

use unicode_normalization::UnicodeNormalization;

/// Normalizes a body or a title. Paragraph breaks survive; everything else is single-spaced.
pub fn normalize(raw: &str) -> String {
    let decoded = htmlize::unescape(raw);
    let nfc: String = decoded.nfc().collect();
    let mut out = String::with_capacity(nfc.len());
    let mut blank_lines = 0usize;
    for line in nfc.split('\n') {
        let tidy = tidy_line(line);
        if tidy.is_empty() {
            blank_lines += 1;
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_lines > 0 { "\n\n" } else { "\n" });
        }
        out.push_str(&tidy);
        blank_lines = 0;
    }
    out
}

/// Normalizes a one-line field (a title, a source name): like [`normalize`], with line breaks
/// turned into spaces.
pub fn normalize_line(raw: &str) -> String {
    normalize(raw)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn tidy_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut pending_space = false;
    for c in line.chars() {
        if c.is_whitespace() || c == '\u{200b}' {
            pending_space = true;
        } else if c.is_control() || c == '\u{feff}' {
            // Dropped: C0/C1 controls and byte-order marks carry no text.
        } else {
            if pending_space && !out.is_empty() {
                out.push(' ');
            }
            pending_space = false;
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entities_are_decoded_and_text_is_composed() {
        assert_eq!(
            normalize("AT&amp;T &mdash; Vuc\u{30c}ic&#769;"),
            "AT&T — Vučić"
        );
    }

    #[test]
    fn whitespace_is_tidied_but_paragraphs_survive() {
        let raw = "  First   line\t here \r\n\n\n\n Second\u{a0}paragraph \nsame paragraph\n";

        assert_eq!(
            normalize(raw),
            "First line here\n\nSecond paragraph\nsame paragraph"
        );
    }

    #[test]
    fn control_characters_are_dropped() {
        assert_eq!(normalize("a\u{0}b\u{7}c\u{feff}"), "abc");
    }

    #[test]
    fn one_line_fields_lose_their_line_breaks() {
        assert_eq!(
            normalize_line(" Serbia\n won't\n\n impose "),
            "Serbia won't impose"
        );
    }
}
