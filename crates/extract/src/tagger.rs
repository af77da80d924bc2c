//! Turns an analysed document into labelled token spans with confidences: one Viterbi pass
//! per sentence for the labels, forward-backward for the probability of each span.

use crate::crf::{Crf, Lattice};
use crate::features::{Analysis, Cap, is_acronym};
use std::collections::HashSet;

/// A span of tokens with one entity type (a CoNLL type name: PER, LOC, ORG, MISC).
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    /// First token.
    pub start: usize,
    /// One past the last token.
    pub end: usize,
    /// The type, as in the label names ("PER").
    pub kind: String,
    /// The marginal probability of exactly this span.
    pub confidence: f32,
}

/// The score of a label ruled out at a position.
const FORBIDDEN: f32 = -1.0e4;

/// Rules out the labels whose prefix and type match at one position.
fn forbid(row: &mut [f32], parsed: &[(char, String)], rule: impl Fn(char, &str) -> bool) {
    for (w, (p, ty)) in row.iter_mut().zip(parsed) {
        if rule(*p, ty) {
            *w = FORBIDDEN;
        }
    }
}

/// Titles and forms of address that precede a name but are not part of it (CoNLL-2003:
/// "President [Bill Clinton]", "Mr [Smith]"). A person's span never starts with one. Words
/// that are also common surnames or given names (King, Major, Prince, Pope) are left out.
const TITLES: &[&str] = &[
    "president",
    "chancellor",
    "premier",
    "minister",
    "secretary",
    "senator",
    "sen",
    "sen.",
    "rep",
    "rep.",
    "representative",
    "congressman",
    "congresswoman",
    "governor",
    "gov",
    "gov.",
    "mayor",
    "ambassador",
    "chairman",
    "chairwoman",
    "spokesman",
    "spokeswoman",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "prof",
    "prof.",
    "professor",
    "sir",
    "dame",
    "madam",
    "gen",
    "gen.",
    "general",
    "col",
    "col.",
    "colonel",
    "lt",
    "lt.",
    "lieutenant",
    "capt",
    "capt.",
    "captain",
    "sgt",
    "sgt.",
    "sergeant",
    "adm",
    "adm.",
    "admiral",
    "judge",
    "justice",
    "rev",
    "rev.",
    "reverend",
    "bishop",
    "archbishop",
    "cardinal",
    "sheikh",
    "ayatollah",
    "imam",
    "rabbi",
    "coach",
    "queen",
    "princess",
    "emperor",
    "empress",
    "sultan",
    "emir",
    "pm",
    "vice",
];

/// Whether a token is a title that cannot start a person's name.
pub(crate) fn is_title(token: &str) -> bool {
    token.len() <= 16 && TITLES.contains(&token.to_lowercase().as_str())
}

/// The length of the longest prefix of `tokens` with no unclosed bracket.
fn balanced_prefix(tokens: &[crate::tokenize::Token]) -> usize {
    let mut open: Option<usize> = None;
    for (k, tok) in tokens.iter().enumerate() {
        match tok.text.as_str() {
            "(" | "[" if open.is_none() => open = Some(k),
            ")" | "]" => match open.take() {
                Some(_) => {}
                None => return k,
            },
            _ => {}
        }
    }
    open.unwrap_or(tokens.len())
}

fn is_possessive(token: &str) -> bool {
    matches!(token, "'s" | "'S")
}

/// Which possessives of the article may be part of a name: "People's Liberation Army",
/// "Sheriff's Office" (a common word's possessive inside a capitalized name), "Moody's",
/// "Lloyd's List" (a name the article never writes without its "'s"). A name's possessive,
/// "CNN's" where the article also writes "CNN", an abbreviation's ("CNN's Ava Ko" where it
/// does not) and an institution's ("the Interior Department's Bureau of Mines", "Chevron
/// Corp's") end the name (CoNLL convention).
fn possessives_in_names(a: &Analysis) -> HashSet<usize> {
    let toks = &a.tokens;
    let possessive = |i: usize| toks.get(i).is_some_and(|t| is_possessive(&t.text));
    let capitals = |i: usize| toks.get(i).is_some_and(|t| Cap::of(&t.text) == Cap::All);
    // An acronym among words in lowercase: not "ST. JOHN'S" in a line of capitals.
    let acronym_in_text = |i: usize| {
        is_acronym(&toks[i].text)
            && a.in_ordinary_sentence(i)
            && !(i > 0 && capitals(i - 1))
            && !capitals(i + 2)
    };
    // Possessives after a capitalized word that is no institution's nor an acronym's.
    let candidates: Vec<usize> = (1..toks.len())
        .filter(|&i| {
            possessive(i)
                && a.is_capitalized(i - 1)
                && !a.is_org_word(i - 1)
                && !acronym_in_text(i - 1)
        })
        .collect();
    if candidates.is_empty() {
        return HashSet::new();
    }
    let possessors: HashSet<&str> = candidates
        .iter()
        .filter(|&&i| !a.is_common_word(i - 1))
        .map(|&i| a.forms[i - 1].as_str())
        .collect();
    // The possessors the article also writes without the "'s".
    let alone: HashSet<&str> = (0..toks.len())
        .filter(|&i| {
            possessors.contains(a.forms[i].as_str()) && a.is_capitalized(i) && !possessive(i + 1)
        })
        .map(|i| a.forms[i].as_str())
        .collect();
    candidates
        .into_iter()
        .filter(|&i| {
            if a.is_common_word(i - 1) {
                i + 1 < toks.len() && a.is_capitalized(i + 1)
            } else {
                !alone.contains(a.forms[i - 1].as_str())
            }
        })
        .collect()
}

/// Tags every sentence of `a` and returns the entity spans in order.
pub fn tag(crf: &Crf, a: &Analysis) -> Vec<Span> {
    let n = crf.n_labels();
    let parsed = &crf.parsed;
    let mut spans = Vec::new();
    let mut scores: Vec<f32> = Vec::new();
    let mut path = Vec::new();
    let mut feats = Vec::with_capacity(128);
    let in_name = possessives_in_names(a);
    for &(s, e) in &a.sentences {
        let len = e - s;
        scores.clear();
        scores.resize(len * n, 0.0);
        for t in 0..len {
            let row = &mut scores[t * n..(t + 1) * n];
            a.features(s + t, &mut feats);
            crf.score_token(&feats, row);
            match a.tokens[s + t].text.as_str() {
                // A possessive ends a name, unless it may be part of one (above).
                "'s" | "'S" if !in_name.contains(&(s + t)) => {
                    forbid(row, parsed, |p, _| p == 'I' || p == 'L');
                }
                // Separators are never part of a name.
                ";" | "," => forbid(row, parsed, |p, _| p != 'O'),
                title if is_title(title) => {
                    forbid(row, parsed, |p, ty| (p == 'B' || p == 'U') && ty == "PER");
                }
                _ => {}
            }
        }
        crf.viterbi(&scores, len, &mut path);
        let mut lattice = None;
        let mut t = 0;
        while t < len {
            let (p, ty) = &parsed[path[t] as usize];
            let p = *p;
            if p == 'O' {
                t += 1;
                continue;
            }
            let mut u = t + 1;
            if p != 'U' && p != 'L' {
                while u < len {
                    let (q, ty2) = &parsed[path[u] as usize];
                    let q = *q;
                    if ty2 != ty || !(q == 'I' || q == 'L') {
                        break;
                    }
                    u += 1;
                    if q == 'L' {
                        break;
                    }
                }
            }
            let lat = lattice.get_or_insert_with(|| Lattice::new(crf, &scores, len));
            let not_next = crf.inside[path[t] as usize].unwrap_or(u8::MAX);
            let confidence = lat.span_prob(crf, t, &path[t..u], not_next) as f32;
            // A bracket the span does not close ends it: "Customs Enforcement (ICE" is cut
            // to "Customs Enforcement", while "Mladost (L)" stays whole.
            let u = t + balanced_prefix(&a.tokens[s + t..s + u]);
            if u == t {
                t += 1;
                continue;
            }
            spans.push(Span {
                start: s + t,
                end: s + u,
                kind: ty.clone(),
                confidence,
            });
            t = u;
        }
    }
    spans
}
