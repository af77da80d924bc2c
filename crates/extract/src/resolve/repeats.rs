//! Document-level consistency: a name the model tagged once is the same name where it repeats
//! untagged. The model decides each occurrence from its own context, and misses some that it
//! found elsewhere in the article ("Scientology officials have stated" after "a member of
//! Scientology"). An untagged occurrence of a tagged name, written the same way, becomes a
//! mention of the kind that name was given, unless it is part of a longer capitalized name
//! ("Church of Scientology"), or a one-word name opening a sentence that is a common word
//! ("Church" and "church"), as a word news mostly writes in lowercase or the article does.

use std::collections::{HashMap, HashSet};

use super::{Draft, Texts};
use crate::EntityKind;
use crate::features::Analysis;
use crate::tagger::Span;

/// Words that join a capitalized name to the next ("Church of Scientology", "Marks & Spencer").
const JOINERS: &[&str] = &["of", "and", "&", "de", "for", "the"];

/// A tagged name: its words as written, its kind, and its best mention's confidence.
struct Name<'a> {
    words: Vec<&'a str>,
    kind: EntityKind,
    confidence: f32,
}

fn capitalized(text: &str) -> bool {
    text.chars().next().is_some_and(char::is_uppercase)
}

/// Adds drafts for the untagged repeats of the drafts' names, with the confidence of the
/// name's best tagged mention. `spans` are every span the model tagged, miscellaneous names
/// included: their tokens are not free.
pub(super) fn tag(a: &Analysis, spans: &[Span], texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let n = a.tokens.len();
    let mut taken = vec![false; n];
    for s in spans {
        taken[s.start..s.end.min(n)].fill(true);
    }
    // Each name's kind and confidence, by its first token's text.
    let mut names: HashMap<&str, Vec<Name>> = HashMap::new();
    for d in drafts.iter() {
        let words: Vec<&str> = a.tokens[d.first..d.last]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        if !words.iter().any(|w| capitalized(w)) || d.text.chars().count() < 2 {
            continue;
        }
        let entry = names.entry(words[0]).or_default();
        let name = Name {
            words,
            kind: d.kind,
            confidence: d.confidence,
        };
        match entry.iter_mut().find(|n| n.words == name.words) {
            Some(known) if known.confidence < name.confidence => *known = name,
            Some(_) => {}
            None => entry.push(name),
        }
    }
    if names.is_empty() {
        return;
    }
    for list in names.values_mut() {
        list.sort_by_key(|n| std::cmp::Reverse(n.words.len()));
    }
    let lowercase: HashSet<&str> = a
        .tokens
        .iter()
        .filter(|t| t.text.chars().next().is_some_and(char::is_lowercase))
        .map(|t| t.text.as_str())
        .collect();
    // A capitalized word beside a repeat extends the name, unless it is a common word
    // opening the sentence ("Later Ana Wu left").
    let free_boundary = |outside: usize, beyond: Option<usize>| {
        let word = a.tokens[outside].text.as_str();
        if capitalized(word) {
            return a.tokens[outside].sent_start && a.is_common_word(outside);
        }
        !(JOINERS.contains(&word) && beyond.is_some_and(|b| capitalized(&a.tokens[b].text)))
    };
    let mut added = Vec::new();
    let mut i = 0;
    while i < n {
        let candidates = names.get(a.tokens[i].text.as_str()).filter(|_| !taken[i]);
        let found = candidates.into_iter().flatten().find(|name| {
            let words = &name.words;
            let end = i + words.len();
            end <= n
                && (i..end).all(|k| !taken[k] && a.part[k] == a.part[i])
                && a.tokens[i..end]
                    .iter()
                    .zip(words)
                    .all(|(t, w)| t.text == *w)
                && (i == 0
                    || a.tokens[i].sent_start
                    || a.part[i - 1] != a.part[i]
                    || free_boundary(i - 1, i.checked_sub(2)))
                && (end == n
                    || a.tokens[end].sent_start
                    || a.part[end] != a.part[i]
                    || free_boundary(end, (end + 1 < n).then_some(end + 1)))
                && !(words.len() == 1
                    && a.tokens[i].sent_start
                    && (a.is_common_word(i)
                        || lowercase.contains(words[0].to_lowercase().as_str())))
        });
        match found {
            Some(name) => {
                let end = i + name.words.len();
                added.push(texts.draft(a, i, end, name.kind, name.confidence));
                i = end;
            }
            None => i += 1,
        }
    }
    drafts.extend(added);
}
