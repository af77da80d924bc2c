//! Acronyms defined in parentheses: "Serbian Progressive Party (SNS)" or "SNS (Serbian
//! Progressive Party)". The acronym becomes a mention of the expansion's entity, here and
//! wherever else it occurs in the article, tagged by the model or not. An organization's
//! name the model cut short before its acronym is first made whole by the acronym's letters
//! ("Economic and Financial Crimes Commission (EFCC)", where the model found only "Financial
//! Crimes Commission").

use std::collections::{HashMap, HashSet};

use super::{Draft, Texts};
use crate::EntityKind;
use crate::features::{Analysis, is_acronym};

/// Finds acronym definitions, adds the missing acronym mentions to `drafts`, and returns each
/// acronym's folded form with the token range of its expansion.
pub(super) fn define(
    a: &Analysis,
    texts: &mut Texts,
    drafts: &mut Vec<Draft>,
) -> Vec<(String, (usize, usize))> {
    let n = a.tokens.len();
    let text = |i: usize| a.tokens[i].text.as_str();
    let mut defs: HashMap<&str, (usize, usize, EntityKind, f32)> = HashMap::new();
    let mut order = Vec::new();
    for d in drafts.iter() {
        if d.kind == EntityKind::Person || d.last - d.first < 2 {
            continue;
        }
        let (l, r) = (d.last, d.first);
        let after = l + 2 < n && text(l) == "(" && text(l + 2) == ")" && is_acronym(text(l + 1));
        let before =
            r >= 2 && l < n && text(r - 1) == "(" && text(l) == ")" && is_acronym(text(r - 2));
        for (ok, tok) in [(after, l + 1), (before, r.wrapping_sub(2))] {
            if ok && !defs.contains_key(a.forms[tok].as_str()) {
                defs.insert(
                    a.forms[tok].as_str(),
                    (d.first, d.last, d.kind, d.confidence),
                );
                order.push(a.forms[tok].as_str());
            }
        }
    }
    if defs.is_empty() {
        return Vec::new();
    }
    let mut covered: Vec<Option<usize>> = vec![None; n];
    for (k, d) in drafts.iter().enumerate() {
        covered[d.first..d.last].fill(Some(k));
    }
    for (i, form) in a.forms.iter().enumerate() {
        let Some(&(_, _, kind, confidence)) = defs.get(form.as_str()) else {
            continue;
        };
        if !is_acronym(text(i)) {
            continue;
        }
        match covered[i] {
            Some(k) if drafts[k].first == i && drafts[k].last == i + 1 => drafts[k].kind = kind,
            Some(_) => {}
            None => drafts.push(texts.draft(a, i, i + 1, kind, confidence)),
        }
    }
    order
        .into_iter()
        .map(|form| (form.to_owned(), (defs[form].0, defs[form].1)))
        .collect()
}

/// The most tokens an acronym's expansion spans.
const MAX_EXPANSION: usize = 14;

/// Lowercase words an organization's name holds that give no letter to its acronym.
const UNLETTERED: &[&str] = &[
    "of", "and", "for", "the", "on", "in", "to", "de", "des", "du", "del", "la", "e", "&", ",",
    "'", "’",
];

/// The letters a token gives an acronym: the capitals opening its hyphenated parts
/// ("Tehreek-e-Insaf" gives "TI"), none for a word of [`UNLETTERED`]; `None` for any other
/// token, which no name spelt by an acronym holds.
fn letters(text: &str) -> Option<String> {
    if UNLETTERED.contains(&text) {
        return Some(String::new());
    }
    if !text.starts_with(|c: char| c.is_uppercase()) {
        return None;
    }
    Some(
        text.split('-')
            .filter_map(|part| part.chars().next().filter(|c| c.is_uppercase()))
            .collect(),
    )
}

/// Makes an organization's name whole where the model cut it short before its acronym in
/// parentheses: the longest run of capitalized words (and the small words of names, "of",
/// "and", "for the") just before "(EFCC)" whose capitals spell the acronym becomes one
/// organization, in place of the drafts inside it, when one of them is an organization
/// ("Financial Crimes Commission"), none runs out of it ("US Securities and Exchange
/// Commission (SEC)" stays as the model found it) and the run ends where a draft ends or with
/// an organization's word. Names the model found whole, or not at all ("Consumer Electronics
/// Show (CES)", an event), are left alone.
pub(super) fn extend_to_definitions(a: &Analysis, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let n = a.tokens.len();
    let text = |i: usize| a.tokens[i].text.as_str();
    let mut runs = Vec::new();
    for open in 1..n.saturating_sub(2) {
        if text(open) != "(" || text(open + 2) != ")" || !is_acronym(text(open + 1)) {
            continue;
        }
        let acronym: String = text(open + 1)
            .chars()
            .filter(|c| c.is_alphabetic())
            .collect();
        let mut spelt = String::new();
        let mut run = None;
        for first in (open.saturating_sub(MAX_EXPANSION)..open).rev() {
            let Some(l) = letters(text(first)) else {
                break;
            };
            spelt.insert_str(0, &l);
            // Letters added in front can only make a spelling that is no suffix longer.
            if !acronym.ends_with(spelt.as_str()) {
                break;
            }
            if spelt == acronym && !l.is_empty() {
                run = Some(first);
            }
        }
        // The name ends with its last lettered word: "Incomes Data Services' (IDS)".
        let Some(last) = (open.saturating_sub(MAX_EXPANSION)..open)
            .rev()
            .find(|&i| letters(text(i)).is_some_and(|l| !l.is_empty()))
            .map(|i| i + 1)
        else {
            continue;
        };
        if let Some(first) = run.filter(|&first| last - first >= 2) {
            runs.push((first, last));
        }
    }
    for (first, last) in runs {
        let inside: Vec<usize> = (0..drafts.len())
            .filter(|&k| drafts[k].first < last && first < drafts[k].last)
            .collect();
        let org = inside
            .iter()
            .any(|&k| drafts[k].kind == EntityKind::Organization);
        let contained = inside
            .iter()
            .all(|&k| first <= drafts[k].first && drafts[k].last <= last);
        // The model found the name's end, or it ends with an organization's word: not
        // "London Inter Bank Offered Rate (LIBOR)", a rate.
        let ends = inside.iter().any(|&k| drafts[k].last == last) || a.is_org_word(last - 1);
        if !org || !contained || !ends {
            continue;
        }
        let confidence = inside
            .iter()
            .map(|&k| drafts[k].confidence)
            .fold(0.0, f32::max);
        let gone: HashSet<usize> = inside.into_iter().collect();
        let mut k = 0;
        drafts.retain(|_| {
            k += 1;
            !gone.contains(&(k - 1))
        });
        drafts.push(texts.draft(a, first, last, EntityKind::Organization, confidence));
    }
}
