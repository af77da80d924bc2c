//! Tokenization and sentence splitting of cleaned text, in the style of the CoNLL-2003 news
//! tokens: punctuation and a possessive `'s` are tokens of their own, hyphenated words,
//! numbers and abbreviations such as "U.S." stay whole. It also undoes the gluing typical of
//! scraped text, where a link's text lost the spaces around it: "pledged.Explaining",
//! "TensionsDescribing" and "toldCNN" are split in two, and so, given the rest of the document
//! ([`split_glued_names`]), is "Trumpsaid".

use std::collections::HashSet;

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
                && (next.is_some_and(char::is_lowercase) && camel_seam(ch, i, j)
                    || acronym_seam(ch, i, j))
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

/// `'s` at `i` followed by a non-word character: a possessive or a contraction; or `'s`
/// glued to a capitalized word by scraped text ("Trump'sState of the Union").
fn possessive_at(ch: &[char], i: usize) -> bool {
    match (ch.get(i + 1), ch.get(i + 2), ch.get(i + 3)) {
        (Some('s' | 'S'), None, _) => true,
        (Some('s' | 'S'), Some(&c), _) if !is_word_char(c) => true,
        (Some('s'), Some(c), Some(d)) => c.is_uppercase() && d.is_lowercase(),
        _ => false,
    }
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
/// part of one name: "isNeil", "TensionsDescribing" and "TheNew" (an article opening the
/// token) split, "McDonald", "YouTube" and "InStyle" do not.
fn camel_seam(ch: &[char], i: usize, j: usize) -> bool {
    let len = letters_before(ch, i, j);
    let seg = &ch[j - len..j];
    if seg.iter().all(|c| c.is_lowercase()) {
        return len >= 2;
    }
    seg[0].is_uppercase()
        && seg[1..].iter().all(|c| c.is_lowercase())
        && (len >= 4 || j - len == i && seg == ['T', 'h', 'e'])
}

/// Short lowercase words that scraped text glues to an acronym after them: "toldCNN",
/// "theUS", "asCNN".
const GLUED_BEFORE_ACRONYM: &[&str] = &[
    "a", "an", "the", "to", "told", "tells", "as", "of", "by", "in", "on", "at", "and", "that",
    "for", "from", "with", "said", "says", "via",
];

/// Whether a lowercase-to-uppercase seam at `j` separates a short word glued to an acronym:
/// the token so far is one of [`GLUED_BEFORE_ACRONYM`] and two or more capitals follow up to
/// the word's end ("toldCNN" splits; "iOS", "mRNA" and "macOS" do not).
fn acronym_seam(ch: &[char], i: usize, j: usize) -> bool {
    let caps = ch[j..].iter().take_while(|c| c.is_alphabetic()).count();
    caps >= 2
        && ch[j..j + caps].iter().all(|c| c.is_uppercase())
        && !ch.get(j + caps).is_some_and(|&c| is_word_char(c))
        && GLUED_BEFORE_ACRONYM
            .iter()
            .any(|w| w.chars().eq(ch[i..j].iter().copied()))
}

/// Verbs of reporting that scraped text glues to the name before them ("Trumpsaid"): they
/// follow a name so often that a name the lexicon knows is evidence enough ("Pritzkersaid").
const REPORTING_VERBS: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "wrote",
    "writes",
    "reported",
    "announced",
    "posted",
    "sued",
];
/// Other words that scraped text glues to the name before them: "CNNthat", "Anthropicwhen".
/// Few names end with one of these or of [`REPORTING_VERBS`] ("Beckwith"); such a name stays
/// whole unless its first part stands alone in the same document, or the lexicon knows that
/// part as a name and not the whole ("Bloombergthat"; of four letters or more before a word of
/// three: "Summerswas", not "Rashad").
const GLUED_AFTER_NAME: &[&str] = &[
    "called", "added", "gave", "that", "which", "who", "was", "were", "has", "had", "with", "from",
    "when", "after", "will", "would", "could", "also", "did", "does", "while", "because", "about",
    "during", "before", "since", "until", "than", "this",
];

/// Conjunctions and prepositions that scraped text glues to the name before them: "Alex
/// Prettiand Renee Good", "Trumpon Monday", "Iranand". Many names end with one of them
/// ("Holland", "Austin", "Boston", "Derby"), so such a token splits only where the lexicon
/// does not know it, its first part is a name the document writes alone inside a sentence
/// (or, before "and", a name of five letters or more the lexicon knows: "Adam Mosseriand
/// YouTube"), and that part is no month ("Marchand"). Not "or" ("Mayor") nor "is"
/// ("Israelis").
const GLUED_SHORT_AFTER_NAME: &[&str] = &["and", "by", "in", "on", "to", "at", "of", "as"];

/// Months, which a sentence capitalizes wherever they stand: no evidence of a name.
const MONTH_NAMES: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Verbs of reporting that scraped text glues between a name and the word after them:
/// "Rubioclaimedthat", "Trumpsaidon", "Epsteinwroteto". [`REPORTING_VERBS`] and more, but not
/// "sued", the end of "issued" ("Newsomissuedan" is "Newsom issued an").
const REPORTING_VERBS_BETWEEN: &[&str] = &[
    "said",
    "says",
    "told",
    "tells",
    "wrote",
    "writes",
    "reported",
    "announced",
    "posted",
    "claimed",
    "noted",
    "argued",
    "added",
    "warned",
    "insisted",
    "suggested",
    "stated",
    "explained",
    "acknowledged",
    "confirmed",
    "called",
    "asked",
    "testified",
    "admitted",
    "alleged",
    "revealed",
    "urged",
    "denied",
];
/// Short words that scraped text glues after a verb of reporting glued to a name: the third
/// part of "Rubioclaimedthat".
const GLUED_AFTER_VERB: &[&str] = &[
    "that", "the", "on", "in", "to", "a", "an", "it", "he", "she", "they", "his", "her", "its",
    "at", "for", "this", "of", "about",
];

/// What [`split_glued_names`] asks of the lexicon about a folded word.
pub trait WordKnowledge {
    /// News writes the word in lowercase ("moreover", "everywhere").
    fn is_lowercase_word(&self, form: &str) -> bool;
    /// News writes the word capitalized: a name ("pritzker", "bloomberg").
    fn is_capitalized_word(&self, form: &str) -> bool;
    /// The lexicon knows the word at all.
    fn is_known_word(&self, form: &str) -> bool;
}

/// Splits a name glued to the word after it ("Trumpsaid" -> "Trump" "said", "CNNpreviously"
/// -> "CNN" "previously") in the tokens of a document's parts. The name must stand alone
/// elsewhere in the document, or be a name the lexicon knows before a verb of reporting; an
/// abbreviation must stand alone and the word after it be one news writes in lowercase
/// ("GEDmatch" stays whole unless "GED" stands alone). A word news writes in lowercase
/// ("Moreover", "Meanwhile") is never split, nor one whose text differs from the original's
/// (an entity decoded), whose offsets could not be split.
pub fn split_glued_names(parts: &mut [Vec<Token>], words: &impl WordKnowledge) {
    let candidates: Vec<(usize, usize, Glued)> = parts
        .iter()
        .enumerate()
        .flat_map(|(p, tokens)| {
            tokens
                .iter()
                .enumerate()
                .filter_map(move |(k, t)| glued(t).map(|g| (p, k, g)))
        })
        // Names ending like a glued short word are common ("Boston", "Putin"): the lexicon
        // knows most, which spares the sets below for most documents.
        .filter(|&(p, k, ref g)| {
            !matches!(g.kind, GluedKind::Short)
                || !words.is_known_word(&parts[p][k].text.to_lowercase())
        })
        .collect();
    if candidates.is_empty() {
        return;
    }
    let standalone: HashSet<&str> = parts
        .iter()
        .flatten()
        .filter(|t| t.text.starts_with(char::is_uppercase))
        .map(|t| t.text.as_str())
        .collect();
    // Capitalized inside a sentence: a name, not a sentence's first word ("Put", "New").
    let named: HashSet<&str> = parts
        .iter()
        .flatten()
        .filter(|t| !t.sent_start && t.text.starts_with(char::is_uppercase))
        .map(|t| t.text.as_str())
        .collect();
    let mut cuts: Vec<(usize, usize, usize)> = Vec::new();
    for (p, k, g) in candidates {
        let text = &parts[p][k].text;
        let (head, tail) = text.split_at(g.head);
        let known = match g.kind {
            GluedKind::Name => {
                head.chars().count() >= 3
                    && (standalone.contains(head)
                        || (REPORTING_VERBS.contains(&tail)
                            || !words.is_known_word(&text.to_lowercase())
                                && (tail.len() > 3 || head.chars().count() > 3))
                            && words.is_capitalized_word(&head.to_lowercase()))
            }
            GluedKind::Acronym => standalone.contains(head) && words.is_lowercase_word(tail),
            GluedKind::Possessive => words.is_lowercase_word(&tail[2..]),
            GluedKind::Short => {
                !MONTH_NAMES.contains(&head)
                    && (head.chars().count() >= 3 && named.contains(head)
                        || tail == "and"
                            && head.chars().count() >= 5
                            && words.is_capitalized_word(&head.to_lowercase()))
            }
            // Three words glued: the verb between them is evidence enough.
            GluedKind::Reported { .. } => true,
            GluedKind::Word => false,
        };
        // The seam first: it asks the lexicon only about the rare tokens that have one.
        let at = match g.kind {
            GluedKind::Word => match glued_word_seam(text, &standalone, words) {
                Some(at) if !words.is_known_word(&text.to_lowercase()) => at,
                _ => continue,
            },
            _ if known && !words.is_lowercase_word(&text.to_lowercase()) => head.chars().count(),
            _ => continue,
        };
        cuts.push((p, k, at));
        match g.kind {
            // Cut after the verb first (the cuts run backwards), then after the name.
            GluedKind::Reported { verb } => cuts.push((p, k, at + verb)),
            GluedKind::Possessive => cuts.push((p, k, at + 2)),
            _ => {}
        }
    }
    for (p, k, at) in cuts.into_iter().rev() {
        let tail = split_off(&mut parts[p][k], at);
        parts[p].insert(k + 1, tail);
    }
}

/// A token that may hold a name and the word glued after it.
struct Glued {
    /// The length in bytes of the name.
    head: usize,
    kind: GluedKind,
}

enum GluedKind {
    /// A capitalized name and one of [`REPORTING_VERBS`] or [`GLUED_AFTER_NAME`]: "Trumpsaid".
    Name,
    /// Capitals and a lowercase word: "CNNpreviously", "KJRHin".
    Acronym,
    /// A capitalized name, a possessive and a word news writes in lowercase:
    /// "Trump'sconflicting".
    Possessive,
    /// A capitalized name and one of [`GLUED_SHORT_AFTER_NAME`]: "Prettiand".
    Short,
    /// A capitalized name, one of [`REPORTING_VERBS_BETWEEN`] (`verb` letters) and one of
    /// [`GLUED_AFTER_VERB`]: "Rubioclaimedthat".
    Reported { verb: usize },
    /// A long capitalized word the lexicon does not know, which may be a name and any
    /// lowercase word: "Kanziparticipated" ([`glued_word_seam`]).
    Word,
}

/// The shortest glued word a token may hold.
const MIN_GLUED_WORD: usize = 7;

/// Irregular past tenses, which scraped text glues after a name as it does the regular ones
/// ("Gabbardsent", "Kanziwon").
const IRREGULAR_PASTS: &[&str] = &[
    "sent", "made", "took", "gave", "met", "won", "lost", "left", "went", "came", "held", "spoke",
    "began", "became", "brought", "bought", "thought", "knew", "kept", "led", "ran", "got",
];

/// Adverbs and auxiliaries that scraped text glues after a name: "Trumplater", "Iranhave".
const GLUED_ADVERBS: &[&str] = &[
    "earlier", "later", "last", "late", "back", "again", "have", "then", "now", "still", "never",
    "already", "even", "just", "only",
];

/// Whether a lowercase word glued after a name reads as the next word of a sentence rather
/// than the second half of a compound name ("Railtrack", "Boyzone", "Movielink"): a verb's
/// or an adverb's ending ("participated", "hitting", "quietly", "includes", "authorities"),
/// or one of the short words news glues ([`REPORTING_VERBS`], [`GLUED_AFTER_NAME`],
/// [`GLUED_ADVERBS`], [`IRREGULAR_PASTS`]).
fn reads_as_next_word(tail: &str) -> bool {
    ["ed", "ly", "ing"].iter().any(|e| tail.ends_with(e))
        || tail.ends_with('s') && !["ss", "us", "is"].iter().any(|e| tail.ends_with(e))
        || REPORTING_VERBS
            .iter()
            .chain(GLUED_AFTER_NAME)
            .chain(GLUED_ADVERBS)
            .chain(IRREGULAR_PASTS)
            .any(|w| *w == tail)
}

/// Where a capitalized word the lexicon does not know splits into a name the document writes
/// alone and a word news writes in lowercase, of four letters or more, that
/// [reads as the next word](reads_as_next_word): "Kanziparticipated" where "Kanzi" stands
/// alone, not "Westbrook" where "West" does. The longest such name wins.
fn glued_word_seam(
    text: &str,
    standalone: &HashSet<&str>,
    words: &impl WordKnowledge,
) -> Option<usize> {
    let bounds: Vec<usize> = text.char_indices().map(|(b, _)| b).collect();
    (3..bounds.len().saturating_sub(3)).rev().find(|&k| {
        let (head, tail) = text.split_at(bounds[k]);
        standalone.contains(head) && reads_as_next_word(tail) && words.is_lowercase_word(tail)
    })
}

/// Whether a token may be a name glued to the word after it: all letters, its text as long
/// as the original's, and either capitalized and ending with a word of [`REPORTING_VERBS`],
/// [`GLUED_AFTER_NAME`] or [`GLUED_SHORT_AFTER_NAME`], or two capitals or more followed by
/// two lowercase letters or more, or a long capitalized word ([`GluedKind::Word`]).
fn glued(t: &Token) -> Option<Glued> {
    let mut chars = t.text.chars();
    let (first, second) = (chars.next()?, chars.next()?);
    if !first.is_uppercase() || !t.text.ends_with(char::is_lowercase) {
        return None;
    }
    if let Some(head) = t.text.find("'s") {
        let (name, rest) = (&t.text[..head], &t.text[head + 2..]);
        let glued = name.chars().count() >= 2
            && name.chars().all(char::is_alphabetic)
            && rest.chars().count() >= 3
            && rest.chars().all(char::is_lowercase)
            && t.text.chars().count() == (t.end - t.start) as usize;
        return glued.then_some(Glued {
            head,
            kind: GluedKind::Possessive,
        });
    }
    let glued = if second.is_uppercase() {
        let capitals = t.text.chars().take_while(|c| c.is_uppercase()).count();
        // Capitals are one byte or more each: the byte offset of the first lowercase letter.
        let head = t.text.char_indices().nth(capitals).map_or(0, |(b, _)| b);
        let rest = &t.text[head..];
        (rest.chars().count() >= 2 && rest.chars().all(char::is_lowercase)).then_some(Glued {
            head,
            kind: GluedKind::Acronym,
        })?
    } else if let Some((head, verb)) = reported(&t.text) {
        Glued {
            head,
            kind: GluedKind::Reported { verb },
        }
    } else if let Some(tail) = REPORTING_VERBS
        .iter()
        .chain(GLUED_AFTER_NAME)
        .find(|w| t.text.ends_with(*w))
    {
        Glued {
            head: t.text.len() - tail.len(),
            kind: GluedKind::Name,
        }
    } else if let Some(tail) = GLUED_SHORT_AFTER_NAME.iter().find(|w| t.text.ends_with(*w)) {
        Glued {
            head: t.text.len() - tail.len(),
            kind: GluedKind::Short,
        }
    } else if t.text.chars().count() >= MIN_GLUED_WORD
        && t.text.chars().skip(1).all(char::is_lowercase)
    {
        Glued {
            head: 0,
            kind: GluedKind::Word,
        }
    } else {
        return None;
    };
    let len = t.text.chars().count();
    (t.text.chars().all(char::is_alphabetic) && len == (t.end - t.start) as usize).then_some(glued)
}

/// A name of three letters or more, a verb of reporting and a short word glued together
/// ("Trumpsaidon"): the byte length of the name and the length of the verb.
fn reported(text: &str) -> Option<(usize, usize)> {
    GLUED_AFTER_VERB.iter().find_map(|word| {
        let rest = text.strip_suffix(word)?;
        let verb = REPORTING_VERBS_BETWEEN
            .iter()
            .find(|v| rest.ends_with(*v))?;
        let head = rest.len() - verb.len();
        (rest[..head].chars().count() >= 3).then_some((head, verb.len()))
    })
}

/// Cuts a token `at` code points: it keeps the name, and the word glued after it is returned.
fn split_off(t: &mut Token, at: usize) -> Token {
    let end = t.start + u32::try_from(at).unwrap_or(u32::MAX);
    let tail = Token {
        start: end.min(t.end),
        end: t.end,
        text: t.text.chars().skip(at).collect(),
        space_before: true,
        glued: false,
        sent_start: false,
    };
    t.end = tail.start;
    t.text = t.text.chars().take(at).collect();
    tail
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
            texts("Regional TensionsDescribing isNeil McDonald YouTube MacArthur TheNew InStyle"),
            [
                "Regional",
                "Tensions",
                "Describing",
                "is",
                "Neil",
                "McDonald",
                "YouTube",
                "MacArthur",
                "The",
                "New",
                "InStyle"
            ]
        );
    }

    #[test]
    fn a_short_word_glued_to_an_acronym_is_split_but_product_names_are_not() {
        assert_eq!(
            texts("toldCNN theUS iOS mRNA macOS"),
            ["told", "CNN", "the", "US", "iOS", "mRNA", "macOS"]
        );
    }

    /// Words news writes in lowercase, and names, as the lexicon would answer.
    struct Words;

    impl WordKnowledge for Words {
        fn is_lowercase_word(&self, form: &str) -> bool {
            matches!(
                form,
                "meanwhile"
                    | "said"
                    | "told"
                    | "previously"
                    | "match"
                    | "participated"
                    | "track"
                    | "brook"
                    | "sent"
            )
        }
        fn is_capitalized_word(&self, form: &str) -> bool {
            matches!(
                form,
                "brelox" | "breloxin" | "ras" | "quelmar" | "march" | "vosk"
            )
        }
        fn is_known_word(&self, form: &str) -> bool {
            self.is_lowercase_word(form) || self.is_capitalized_word(form)
        }
    }

    /// The words of `s` once [`split_glued_names`] has run.
    fn split_words(s: &str) -> Vec<String> {
        split(s).into_iter().map(|(w, _, _)| w).collect()
    }

    fn split(s: &str) -> Vec<(String, u32, u32)> {
        let mut parts = vec![tokenize(&clean(s))];
        split_glued_names(&mut parts, &Words);
        parts[0]
            .iter()
            .map(|t| (t.text.clone(), t.start, t.end))
            .collect()
    }

    #[test]
    fn a_name_glued_to_the_next_word_is_split_where_the_document_names_it_alone() {
        let words: Vec<String> = split_words(
            "Vextrion and ZTV said. Vextriontold ZTVpreviously \
                                        Zorvathwhen GEDmatch",
        );

        // "Zorvath" and "GED" stand nowhere alone, and "when" is no verb of reporting.
        assert_eq!(
            words,
            [
                "Vextrion",
                "and",
                "ZTV",
                "said",
                ".",
                "Vextrion",
                "told",
                "ZTV",
                "previously",
                "Zorvathwhen",
                "GEDmatch"
            ]
        );
    }

    #[test]
    fn a_known_name_glued_to_a_verb_of_reporting_is_split_at_the_right_offsets() {
        assert_eq!(
            split("Breloxsaid"),
            [("Brelox".to_owned(), 0, 6), ("said".to_owned(), 6, 10)]
        );
    }

    #[test]
    fn a_name_glued_to_a_verb_of_reporting_and_the_next_word_is_split_in_three() {
        // "Zorvath" stands nowhere alone: the verb between the words is evidence enough.
        assert_eq!(
            split("Zorvathclaimedthat Quellia"),
            [
                ("Zorvath".to_owned(), 0, 7),
                ("claimed".to_owned(), 7, 14),
                ("that".to_owned(), 14, 18),
                ("Quellia".to_owned(), 19, 26)
            ]
        );
        let words: Vec<String> = split_words("Breloxsaidon Monday. Forethat Bysaidon");
        // "Forethat" has no verb; "By" is too short to be a name.
        assert_eq!(
            words,
            [
                "Brelox", "said", "on", "Monday", ".", "Forethat", "Bysaidon"
            ]
        );
    }

    #[test]
    fn an_unknown_word_splits_where_a_name_the_document_writes_alone_ends() {
        // "Kanzi" stands alone and "participated" reads as the next word; "Railtrack",
        // "Westbrook" and "Kanzimatch" end with words of the lexicon that read as none.
        let words: Vec<String> = split_words(
            "Kanzi slept . Kanziparticipated in Rail and West studies . Railtrack Westbrook \
             Kanzimatch",
        );

        assert_eq!(
            words,
            [
                "Kanzi",
                "slept",
                ".",
                "Kanzi",
                "participated",
                "in",
                "Rail",
                "and",
                "West",
                "studies",
                ".",
                "Railtrack",
                "Westbrook",
                "Kanzimatch"
            ]
        );
    }

    #[test]
    fn a_name_glued_to_a_conjunction_or_preposition_is_split_where_a_sentence_names_it() {
        // "Zorvath" stands alone inside a sentence; "Quellia" only opens one, "March" is a
        // month, and "Brelox" is a word of the lexicon however it ends.
        let words: Vec<String> = split_words(
            "We met Zorvath, Brelox and March. Quellia left. Zorvathand Korr met Zorvathon Monday. \
             Quelliaon Marchand Breloxin",
        );

        assert_eq!(
            words[11..],
            [
                "Zorvath",
                "and",
                "Korr",
                "met",
                "Zorvath",
                "on",
                "Monday",
                ".",
                "Quelliaon",
                "Marchand",
                "Breloxin"
            ]
        );
    }

    #[test]
    fn a_name_the_lexicon_knows_glued_to_and_is_split() {
        // Named nowhere alone: "Quelmar" is a name news writes capitalized, "Vosk" one too
        // short to tell from a name that ends so, and "on" no "and".
        let words: Vec<String> = split_words("Dario Quelmarand Korr met. Voskand Quelmaron left");

        assert_eq!(
            words,
            [
                "Dario",
                "Quelmar",
                "and",
                "Korr",
                "met",
                ".",
                "Voskand",
                "Quelmaron",
                "left"
            ]
        );
    }

    #[test]
    fn a_possessive_glued_to_the_next_word_is_split() {
        let words: Vec<String> =
            split_words("Zorvath'sState speech. Zorvath'smatch Mu'sab O'Brien's");

        assert_eq!(
            words,
            [
                "Zorvath", "'s", "State", "speech", ".", "Zorvath", "'s", "match", "Mu'sab",
                "O'Brien", "'s"
            ]
        );
    }

    #[test]
    fn more_glued_words_after_a_name_are_split() {
        // "of" after a verb of reporting; an irregular past ("sent") after a name the document
        // writes alone; "that" and "was" after a name the lexicon knows ("Brelox"), but not
        // after a known name of three letters ("Rashad" is no "Ras had").
        let words: Vec<String> = split_words(
            "Zorvathclaimedof Quellia . Kanzi slept . Kanzisent it . Breloxthat Breloxwas Rashad",
        );

        assert_eq!(
            words,
            [
                "Zorvath", "claimed", "of", "Quellia", ".", "Kanzi", "slept", ".", "Kanzi", "sent",
                "it", ".", "Brelox", "that", "Brelox", "was", "Rashad"
            ]
        );
    }

    #[test]
    fn words_that_end_like_a_glued_word_stay_whole() {
        // "Meanwhile" is a lowercase word; "Beckwith" would need "Beck" alone in the document.
        let words: Vec<String> = split_words("Mean news. Meanwhile Beckwith said");

        assert_eq!(
            words,
            ["Mean", "news", ".", "Meanwhile", "Beckwith", "said"]
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
