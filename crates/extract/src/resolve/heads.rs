//! Names the model cut short of their head word: it often tags only the place an
//! institution's or a newspaper's name begins or ends with ("Massachusetts" in "Massachusetts
//! Institute of Technology", "Sydney" in "the Sydney Morning Herald", "Australia" in "the
//! Medical Journal of Australia") and leaves the rest untagged. When the capitalized words
//! next to such a name end with an institution's head word, the whole is one organization.
//!
//! Only untagged words are taken, only in ordinary sentences (in a headline every word is
//! capitalized), and never across a sentence or a part of the article.

use super::orgs::INSTITUTION_HEADS;
use super::{Draft, Texts};
use crate::EntityKind;
use crate::features::Analysis;

/// Last words of newspapers' and journals' names: "Sydney Morning Herald", "Japan Times".
const OUTLET_HEADS: &[&str] = &[
    "herald",
    "times",
    "post",
    "journal",
    "gazette",
    "tribune",
    "telegraph",
    "chronicle",
    "newspaper",
    "magazine",
];

/// Head words that, alone after a place, describe rather than name: "a U.S. company",
/// "U.S. newspaper reports" (capitalized in some wire copy). They extend a name only with
/// other words before them ("Tokyo Electric Power Company").
const GENERIC_HEADS: &[&str] = &["company", "corporation", "newspaper", "magazine"];

/// Words that join the parts of an institution's name after its head: "Institute of
/// Technology", "Department of Health and Human Services".
const JOINERS: &[&str] = &["of", "for", "and", "&"];

/// The most words a name is extended by.
const MAX_WORDS: usize = 6;

/// Extends place and organization names over the untagged capitalized words before or after
/// them that end with a head word, and makes them organizations.
pub(super) fn extend(a: &Analysis, texts: &mut Texts, drafts: &mut [Draft]) {
    let mut taken = vec![false; a.tokens.len()];
    for d in drafts.iter() {
        taken[d.first..d.last].fill(true);
    }
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Person || !a.in_ordinary_sentence(d.first) {
            continue;
        }
        let first = before(a, &taken, d.first).unwrap_or(d.first);
        let last = after(a, &taken, d.last - 1).unwrap_or(d.last);
        if (first, last) == (d.first, d.last) {
            continue;
        }
        taken[first..last].fill(true);
        let confidence = d.confidence;
        *d = texts.draft(a, first, last, EntityKind::Organization, confidence);
    }
}

/// Whether token `i` may be part of a name being extended from token `from`: an untagged,
/// capitalized word of the same sentence and part.
fn free_word(a: &Analysis, taken: &[bool], from: usize, i: usize) -> bool {
    !taken[i]
        && a.part[i] == a.part[from]
        && a.in_ordinary_sentence(i)
        && a.is_capitalized(i)
        && a.tokens[i].text.chars().all(char::is_alphabetic)
}

fn is_head(a: &Analysis, i: usize) -> bool {
    let form = a.forms[i].as_str();
    INSTITUTION_HEADS.contains(&form) || OUTLET_HEADS.contains(&form)
}

/// The end of the name that runs on from `last`, its last token: capitalized words up to a
/// head word ("State University"), then what the head joins ("of Technology"). None when no
/// head word follows.
fn after(a: &Analysis, taken: &[bool], last: usize) -> Option<usize> {
    let n = a.tokens.len();
    let mut i = last + 1;
    let mut head = None;
    while i < n && i - last <= MAX_WORDS && !a.tokens[i].sent_start && free_word(a, taken, last, i)
    {
        if is_head(a, i) {
            head = Some(i);
        }
        i += 1;
    }
    let head = head?;
    if head == last + 1 && GENERIC_HEADS.contains(&a.forms[head].as_str()) {
        return None;
    }
    let mut end = head + 1;
    while end + 1 < n
        && end - last < MAX_WORDS
        && JOINERS.contains(&a.forms[end].as_str())
        && !taken[end]
        && !a.tokens[end + 1].sent_start
        && free_word(a, taken, last, end + 1)
    {
        end += 2;
        while end < n
            && end - last <= MAX_WORDS
            && !a.tokens[end].sent_start
            && free_word(a, taken, last, end)
        {
            end += 1;
        }
    }
    Some(end)
}

/// The start of the name that `first` ends: "<words> <head> of <name>" ("Medical Journal of
/// Australia"). None when the words before are not such a name.
fn before(a: &Analysis, taken: &[bool], first: usize) -> Option<usize> {
    if first < 2 || a.forms[first - 1] != "of" || taken[first - 1] {
        return None;
    }
    let head = first - 2;
    if !is_head(a, head) || !free_word(a, taken, first, head) {
        return None;
    }
    let mut start = head;
    while !a.tokens[start].sent_start
        && start > 0
        && head - (start - 1) < MAX_WORDS
        && free_word(a, taken, first, start - 1)
        && (!a.tokens[start - 1].sent_start || !a.is_common_word(start - 1))
    {
        start -= 1;
    }
    Some(start)
}
