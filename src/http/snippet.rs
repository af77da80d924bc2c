//! Snippets: the sentence around a mention, clipped to a readable length at word boundaries,
//! with "…" where text was cut.

/// How far a snippet reaches on each side of the mention, in code points.
const REACH: usize = 100;

/// The sentence around `start..end` (code points into `text`), at most [`REACH`] code points
/// on each side.
pub fn around(text: &[char], start: i32, end: i32) -> String {
    let len = text.len();
    let start = usize::try_from(start).unwrap_or(0).min(len);
    let end = usize::try_from(end).unwrap_or(0).clamp(start, len);
    let mut from = start;
    let limit_left = start.saturating_sub(REACH);
    while from > limit_left && !ends_sentence(text, from) {
        from -= 1;
    }
    let mut to = end;
    let limit_right = (end + REACH).min(len);
    while to < limit_right && !ends_sentence(text, to) {
        to += 1;
    }
    if to < len && ends_sentence(text, to) && text[to] != '\n' {
        to += 1;
    }
    // Clipped mid-sentence: back off to a word boundary.
    let cut_left = from == limit_left && from > 0 && !ends_sentence(text, from);
    if cut_left {
        while from < start && !text[from].is_whitespace() {
            from += 1;
        }
    }
    let cut_right = to == limit_right && to < len;
    if cut_right {
        while to > end && !text[to - 1].is_whitespace() {
            to -= 1;
        }
    }
    let body: String = text[from..to].iter().collect();
    let mut snippet = String::with_capacity(body.len() + 6);
    if cut_left {
        snippet.push('…');
    }
    snippet.push_str(body.trim());
    if cut_right {
        snippet.push('…');
    }
    snippet
}

/// Whether a sentence ends just before position `i` (a boundary between sentences).
fn ends_sentence(text: &[char], i: usize) -> bool {
    if i == 0 || i >= text.len() {
        return true;
    }
    let previous = text[i - 1];
    previous == '\n' || (matches!(previous, '.' | '!' | '?') && text[i].is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(text: &str) -> Vec<char> {
        text.chars().collect()
    }

    #[test]
    fn the_snippet_is_the_sentence_of_the_mention() {
        let text = chars("First sentence. Vucevic spoke in Belgrade. Last one.");

        assert_eq!(around(&text, 16, 23), "Vucevic spoke in Belgrade.");
    }

    #[test]
    fn a_long_sentence_is_clipped_at_words_with_ellipses() {
        let long = format!("{} Kosovo {}", "word ".repeat(60), "more ".repeat(60));
        let text = chars(&long);
        let start = long.find("Kosovo").expect("present") as i32;

        let snippet = around(&text, start, start + 6);

        assert!(snippet.starts_with("…word"), "{snippet}");
        assert!(snippet.ends_with("more…"), "{snippet}");
        assert!(snippet.contains("Kosovo"));
        assert!(snippet.chars().count() <= 2 * REACH + 10);
    }

    #[test]
    fn offsets_out_of_range_do_not_panic() {
        let text = chars("short");

        assert_eq!(around(&text, 3, 99), "short");
        assert_eq!(around(&text, -4, 2), "short");
    }
}
