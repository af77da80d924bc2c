//! Places inside one article: a dateline names a place whatever the model typed it as
//! ("NEW YORK, Feb 26 -", "LONDON 1996-08-30", "WASHINGTON (Reuters) -"), and every place the
//! knowledge base knows gets its identity there, so that "U.S.", "USA" and "America" are one
//! place.

use super::Draft;
use crate::EntityKind;
use crate::features::{Analysis, Cap};
use crate::kb::Kb;

const MONTHS: &[&str] = &[
    "jan",
    "january",
    "feb",
    "february",
    "mar",
    "march",
    "apr",
    "april",
    "may",
    "jun",
    "june",
    "jul",
    "july",
    "aug",
    "august",
    "sep",
    "sept",
    "september",
    "oct",
    "october",
    "nov",
    "november",
    "dec",
    "december",
];

/// Makes places of the drafts that are datelines.
pub(super) fn mark_datelines(a: &Analysis, drafts: &mut [Draft]) {
    for d in drafts.iter_mut() {
        if is_dateline(a, d) {
            d.kind = EntityKind::Place;
        }
    }
}

/// An all-capitals name followed by a date, by ", <Month>" (perhaps after a region:
/// "READING, Penn., Feb 26"), or by a news agency in brackets and a dash.
fn is_dateline(a: &Analysis, d: &Draft) -> bool {
    let all_caps = a.tokens[d.first..d.last]
        .iter()
        .all(|t| matches!(Cap::of(&t.text), Cap::All | Cap::Single | Cap::None));
    if !all_caps
        || a.tokens[d.first..d.last]
            .iter()
            .all(|t| Cap::of(&t.text) != Cap::All)
    {
        return false;
    }
    let text = |i: usize| a.tokens.get(i).map_or("", |t| t.text.as_str());
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let is_date = |t: &str| {
        let parts: Vec<&str> = t.split('-').collect();
        parts.len() == 3
            && parts
                .iter()
                .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
    };
    let l = d.last;
    if is_date(text(l)) {
        return true;
    }
    if text(l) == "," {
        // ", Feb 26" or ", Penn., Feb 26"
        if MONTHS.contains(&form(l + 1).trim_end_matches('.')) {
            return true;
        }
        let mut k = l + 1;
        while k < a.tokens.len() && k < l + 4 && text(k) != "," {
            k += 1;
        }
        return text(k) == "," && MONTHS.contains(&form(k + 1).trim_end_matches('.'));
    }
    text(l) == "(" && text(l + 2) == ")" && matches!(text(l + 3), "-" | "--" | "—" | "–")
}

/// Gives every place draft the knowledge-base place its name means.
pub(super) fn identify(kb: &Kb, drafts: &mut [Draft]) {
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Place {
            d.place = kb.place(&d.text).map(|(index, _)| index);
        }
    }
}
