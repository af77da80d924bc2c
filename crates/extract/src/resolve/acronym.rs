//! Acronyms defined in parentheses: "Serbian Progressive Party (SNS)" or "SNS (Serbian
//! Progressive Party)". The acronym becomes a mention of the expansion's entity, here and
//! wherever else it occurs in the article, tagged by the model or not.

use std::collections::HashMap;

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
