//! Tokenization and sentence splitting of cleaned text, in the style of the CoNLL-2003 news
//! tokens: punctuation and a possessive `'s` are tokens of their own, hyphenated words,
//! numbers and abbreviations such as "U.S." stay whole. It also undoes the gluing typical of
//! scraped text: "pledged.Explaining" and "TensionsDescribing" are split in two.

use crate::clean::Cleaned;

/// A sentence longer than this is cut, which bounds the work per sequence.
pub const MAX_SENTENCE: usize = 200;

/// One token.
#[derive(Debug, Clone)]
pub struct Token {
    /// Start in the original text, in code points.
    pub start: u32,
    /// End (exclusive) in the original text, in code points.
    pub end: u32,
    /// The cleaned text of the token.
    pub text: String,
    /// Whitespace precedes the token (or it starts the text).
    pub space_before: bool,
    /// The token was split from the previous one at a lowercase-to-uppercase seam.
    pub glued: bool,
    /// The token starts a sentence.
    pub sent_start: bool,
}

/// Lowercase abbreviations that keep their final period.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cpl", "maj", "adm", "gov",
    "sen", "rep", "rev", "st", "jr", "sr", "inc", "corp", "ltd", "co", "bros", "vs", "etc", "jan",
    "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "no",
    "nos", "vol", "approx", "dept", "univ", "assn", "ave", "blvd", "plc",
];

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || crate::text::is_mark(c)
}

/// Splits cleaned text into tokens; sentence starts are marked on the tokens.
pub fn tokenize(c: &Cleaned) -> Vec<Token> {
    let ch = &c.chars;
    let mut tokens: Vec<Token> = Vec::new();
    let (mut i, mut space, mut newline, mut glued) = (0, true, true, false);
    let mut since_break = 0;
    while i < ch.len() {
        let x = ch[i];
        if x.is_whitespace() {
            newline |= x == '\n';
            space = true;
            i += 1;
            continue;
        }
        let (end, glue_next) = next_token(ch, i);
        let sent_start = newline
            || since_break >= MAX_SENTENCE
            || tokens
                .last()
                .is_some_and(|prev| ends_sentence(&prev.text, x));
        if sent_start {
            since_break = 0;
        }
        since_break += 1;
        tokens.push(Token {
            start: c.starts[i],
            end: c.ends[end - 1],
            text: ch[i..end].iter().collect(),
            space_before: space,
            glued,
            sent_start,
        });
        (i, space, newline, glued) = (end, false, false, glue_next);
    }
    tokens
}

fn ends_sentence(prev: &str, next_first: char) -> bool {
    matches!(prev, "." | "!" | "?" | "..." | "?!" | "!!" | "!?") && !next_first.is_lowercase()
}

/// The end of the token starting at `i`, and whether the next token is glued to it.
fn next_token(ch: &[char], i: usize) -> (usize, bool) {
    let n = ch.len();
    let x = ch[i];
    if !is_word_char(x) {
        if x == '\'' && possessive_at(ch, i) {
            return (i + 2, false);
        }
        let mut j = i + 1;
        if matches!(x, '.' | '-' | '*' | '=' | '_' | '#' | '!' | '?' | '~') {
            while j < n && ch[j] == x {
                j += 1;
            }
        }
        return (j, false);
    }
    let mut j = i + 1;
    while j < n {
        let c = ch[j];
        let next = ch.get(j + 1).copied();
        let next_is_word = next.is_some_and(is_word_char);
        if is_word_char(c) {
            if ch[j - 1].is_lowercase()
                && c.is_uppercase()
                && next.is_some_and(char::is_lowercase)
                && camel_seam(ch, i, j)
            {
                return (j, true);
            }
            j += 1;
            continue;
        }
        if !next_is_word {
            break;
        }
        let prev = ch[j - 1];
        let next = next.expect("checked above");
        let joins = match c {
            '-' | '_' => true,
            '\'' => !possessive_at(ch, j),
            '.' => !(prev.is_lowercase() && next.is_uppercase() && letters_before(ch, i, j) >= 2),
            ',' | ':' => prev.is_ascii_digit() && next.is_ascii_digit(),
            '&' => prev.is_uppercase() && next.is_uppercase(),
            _ => false,
        };
        if !joins {
            break;
        }
        j += 1;
    }
    if j < n && ch[j] == '.' && keeps_period(&ch[i..j]) {
        j += 1;
    }
    (j, false)
}

/// `'s` at `i` followed by a non-word character: a possessive or a contraction.
fn possessive_at(ch: &[char], i: usize) -> bool {
    matches!(ch.get(i + 1), Some('s' | 'S')) && !ch.get(i + 2).is_some_and(|&c| is_word_char(c))
}

/// The number of letters directly before `j` (back to a non-letter or `i`).
fn letters_before(ch: &[char], i: usize, j: usize) -> usize {
    ch[i..j]
        .iter()
        .rev()
        .take_while(|c| c.is_alphabetic())
        .count()
}

/// Whether a lowercase-to-uppercase seam at `j` separates two glued words rather than being
/// part of one name: "isNeil" and "TensionsDescribing" split, "McDonald" and "YouTube" do not.
fn camel_seam(ch: &[char], i: usize, j: usize) -> bool {
    let len = letters_before(ch, i, j);
    let seg = &ch[j - len..j];
    if seg.iter().all(|c| c.is_lowercase()) {
        return len >= 2;
    }
    seg[0].is_uppercase() && seg[1..].iter().all(|c| c.is_lowercase()) && len >= 4
}

fn keeps_period(word: &[char]) -> bool {
    if word.contains(&'.') {
        return true;
    }
    if word.len() == 1 {
        return word[0].is_alphabetic();
    }
    let lower: String = word.iter().flat_map(|c| c.to_lowercase()).collect();
    ABBREVIATIONS.contains(&lower.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clean::clean;

    fn texts(s: &str) -> Vec<String> {
        tokenize(&clean(s)).into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn punctuation_and_possessives_are_split_off() {
        assert_eq!(
            texts("Serbia's army (SNS), \"said\"."),
            [
                "Serbia", "'s", "army", "(", "SNS", ")", ",", "\"", "said", "\"", "."
            ]
        );
    }

    #[test]
    fn abbreviations_numbers_and_hyphenated_words_stay_whole() {
        assert_eq!(
            texts("Mr. Smith of the U.S. paid 1,000.5 to pro-Western O'Neill."),
            [
                "Mr.",
                "Smith",
                "of",
                "the",
                "U.S.",
                "paid",
                "1,000.5",
                "to",
                "pro-Western",
                "O'Neill",
                "."
            ]
        );
    }

    #[test]
    fn a_period_glued_between_sentences_is_split_and_starts_a_sentence() {
        let tokens = tokenize(&clean("has pledged.Explaining it"));

        let words: Vec<&str> = tokens.iter().map(|t| t.text.as_str()).collect();
        assert_eq!(words, ["has", "pledged", ".", "Explaining", "it"]);
        assert!(tokens[3].sent_start);
    }

    #[test]
    fn a_heading_glued_to_the_next_sentence_is_split_but_names_are_not() {
        assert_eq!(
            texts("Regional TensionsDescribing isNeil McDonald YouTube MacArthur"),
            [
                "Regional",
                "Tensions",
                "Describing",
                "is",
                "Neil",
                "McDonald",
                "YouTube",
                "MacArthur"
            ]
        );
    }

    #[test]
    fn token_offsets_are_code_points_into_the_original_text() {
        let tokens = tokenize(&clean("Vučić &amp; Вучић"));

        let spans: Vec<(u32, u32)> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, [(0, 5), (6, 11), (12, 17)]);
    }

    #[test]
    fn newlines_start_sentences() {
        let tokens = tokenize(&clean("a b\nc"));

        assert!(tokens[0].sent_start && !tokens[1].sent_start && tokens[2].sent_start);
    }
}
