//! Organizations inside one article: a short form joins the full name it begins when it can
//! mean only that one ("Dominion" → "Dominion Textile Inc"; "Hanover" → "Hanover Insurance
//! Co"), and an acronym joins the organization whose initials it spells even without a
//! definition in brackets ("BA" → "British Airways", "U.N." → "United Nations"). Legal forms
//! do not count as words ("Hanover Insurance Co" begins with "Hanover Insurance").

use std::collections::HashMap;

use super::{Draft, Texts, keys::entity_key};
use crate::EntityKind;
use crate::features::{Analysis, Cap};
use crate::kb::Kb;

/// Words an acronym may skip ("Organization of the Petroleum Exporting Countries": OPEC).
const MINOR_WORDS: &[&str] = &[
    "of", "the", "and", "for", "de", "la", "le", "du", "des", "del", "der", "in", "on", "at", "to",
    "&",
];

/// Verbs a company name is the subject of ("Moody's said", "Standard & Poor's cut").
const SUBJECT_VERBS: &[&str] = &[
    "said",
    "says",
    "rated",
    "rates",
    "cut",
    "cuts",
    "raised",
    "raises",
    "lowered",
    "downgraded",
    "upgraded",
    "affirmed",
    "placed",
    "put",
    "has",
    "had",
    "is",
    "was",
    "will",
    "would",
    "may",
    "also",
    "announced",
    "reported",
    "confirmed",
];

/// Last words that make a name an institution, whatever the model typed it as: "High Court",
/// "Arab League", "U.S. Geological Survey", "Reagan Communications Inc". Words that also end
/// places ("bank": "West Bank"; "union": "Soviet Union") are left out, and a name the knowledge
/// base knows as a place stays one. Only the unambiguous legal forms are here, not all of
/// [`Kb::is_legal_form`]'s: short ones such as "na", "se" or "ao" also end people's names.
const INSTITUTION_HEADS: &[&str] = &[
    "academy",
    "agency",
    "army",
    "assembly",
    "association",
    "authority",
    "board",
    "bureau",
    "cabinet",
    "college",
    "commission",
    "committee",
    "company",
    "congress",
    "corp",
    "corporation",
    "council",
    "court",
    "department",
    "federation",
    "foundation",
    "inc",
    "institute",
    "league",
    "ltd",
    "ministry",
    "navy",
    "parliament",
    "party",
    "plc",
    "police",
    "senate",
    "survey",
    "tribunal",
    "university",
];

/// Names of two words or more that end with an institution's head word are organizations.
pub(super) fn type_by_head(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Organization || d.last - d.first < 2 {
            continue;
        }
        let head = a.forms[d.last - 1].trim_end_matches('.');
        if INSTITUTION_HEADS.contains(&head) && kb.place(&d.text).is_none() {
            d.kind = EntityKind::Organization;
            d.place = None;
        }
    }
}

/// Takes the "'s" into names that always carry it: "Moody's", "Standard & Poor's",
/// "McDonald's", as opposed to "Ford's profit". A name counts when every one of its mentions
/// is followed by "'s", and one of them is then followed by a verb ("Moody's said") or a legal
/// form ("Standard and Poor's Corp"), or two
/// of them at least and one by a capitalized word ("Moody's Investors Service") or
/// punctuation.
pub(super) fn possessive_names(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut [Draft]) {
    // (mentions, all possessive, one then capitalized or punctuated, one then a verb)
    let mut by_name: HashMap<String, (usize, bool, bool, bool)> = HashMap::new();
    for d in drafts.iter() {
        if d.kind != EntityKind::Organization {
            continue;
        }
        let text = |i: usize| a.tokens.get(i).map_or("", |t| t.text.as_str());
        let possessive = matches!(text(d.last), "'s" | "'S" | "’s" | "’S");
        let after = text(d.last + 1);
        let next = a.forms.get(d.last + 1).map_or("", String::as_str);
        // "Moody's said", and "Standard and Poor's Corp": a verb or a legal form.
        let verb = possessive && (SUBJECT_VERBS.contains(&next) || kb.is_legal_form(next));
        let named = possessive
            && after
                .chars()
                .next()
                .is_none_or(|c| c.is_uppercase() || c.is_ascii_punctuation());
        let entry = by_name.entry(d.name(a)).or_insert((0, true, false, false));
        entry.0 += 1;
        entry.1 &= possessive;
        entry.2 |= named;
        entry.3 |= verb;
    }
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Organization
            && by_name
                .get(&d.name(a))
                .is_some_and(|&(count, all, named, verb)| all && (verb || count >= 2 && named))
        {
            *d = texts.draft(a, d.first, d.last + 1, d.kind, d.confidence);
        }
    }
}

/// Pairs (short form, full name) of drafts that name one organization.
pub(super) fn link(a: &Analysis, kb: &Kb, drafts: &[Draft]) -> Vec<(usize, usize)> {
    // Each distinct organization name (its key words) with its first draft.
    let mut names: HashMap<Vec<String>, usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.kind == EntityKind::Organization && d.stands_for.is_none() {
            names.entry(key_words(kb, d)).or_insert(i);
        }
    }
    let mut pairs = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let full = match d.kind {
            // An acronym begins longer names as their qualifier ("U.N. Council"), not as
            // their short form: it joins only the name it spells.
            EntityKind::Organization if d.stands_for.is_none() && Cap::of(&d.text) != Cap::All => {
                let words = key_words(kb, d);
                only(names.iter().filter(|(other, _)| {
                    other.len() > words.len() && other[..words.len()] == words[..]
                }))
            }
            EntityKind::Organization if d.stands_for.is_none() => acronym_of(a, d, &names),
            _ if d.place.is_none() => acronym_of(a, d, &names),
            _ => None,
        };
        if let Some(full) = full {
            pairs.push((i, full));
        }
    }
    pairs
}

/// The folded words of an organization's key ("hanover insurance" for "Hanover Insurance Co").
fn key_words(kb: &Kb, d: &Draft) -> Vec<String> {
    let key = entity_key(kb, EntityKind::Organization, &d.text);
    let name = key.split_once(':').map_or("", |(_, name)| name);
    name.split(' ').map(str::to_owned).collect()
}

/// The draft of the one organization among `candidates`; none when there are several.
fn only<'a>(mut candidates: impl Iterator<Item = (&'a Vec<String>, &'a usize)>) -> Option<usize> {
    let (_, &first) = candidates.next()?;
    candidates.next().is_none().then_some(first)
}

/// The organization whose initials a one-word, all-capitals draft spells: with or without
/// its minor words ("NATO", "OPEC", "U.N.").
fn acronym_of(a: &Analysis, d: &Draft, names: &HashMap<Vec<String>, usize>) -> Option<usize> {
    if d.last - d.first != 1 || Cap::of(&d.text) != Cap::All {
        return None;
    }
    let letters: String = a.forms[d.first]
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if !(2..=8).contains(&letters.chars().count()) {
        return None;
    }
    only(names.iter().filter(|(words, _)| {
        words.len() >= 2 && (initials(words, true) == letters || initials(words, false) == letters)
    }))
}

/// The first letters of the words, all of them or only the significant ones.
fn initials(words: &[String], all: bool) -> String {
    words
        .iter()
        .filter(|w| all || !MINOR_WORDS.contains(&w.as_str()))
        .filter_map(|w| w.chars().next())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn initials_skip_minor_words_or_keep_them() {
        let opec = words("organization of the petroleum exporting countries");

        assert_eq!(initials(&opec, false), "opec");
        assert_eq!(initials(&words("united nations"), true), "un");
    }
}
