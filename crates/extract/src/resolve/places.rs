//! Places inside one article: a dateline names a place whatever the model typed it as
//! ("NEW YORK, Feb 26 -", "LONDON 1996-08-30", "WASHINGTON (Reuters) -"), and every place the
//! knowledge base knows gets its identity there, so that "U.S.", "USA" and "America" are one
//! place.

use super::{Draft, Texts};
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

/// Splits a name that is two known places side by side and no known name itself, as results
/// tables run team names together ("SEATTLE CHICAGO", "TEXAS NEW YORK").
pub(super) fn split_place_pairs(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        if d.kind == EntityKind::Person || d.last - d.first < 2 || kb.place(&d.text).is_some() {
            k += 1;
            continue;
        }
        let text = |from: usize, to: usize| {
            a.tokens[from..to]
                .iter()
                .map(|t| t.text.as_str())
                .collect::<Vec<_>>()
                .join(" ")
        };
        let cut = (d.first + 1..d.last).find(|&cut| {
            kb.place(&text(d.first, cut)).is_some() && kb.place(&text(cut, d.last)).is_some()
        });
        match cut {
            Some(cut) => {
                let (first, last, kind, confidence) = (d.first, d.last, d.kind, d.confidence);
                drafts[k] = texts.draft(a, first, cut, kind, confidence);
                drafts.insert(k + 1, texts.draft(a, cut, last, kind, confidence));
                k += 2;
            }
            None => k += 1,
        }
    }
}

/// Words for a feature of the earth that, followed by "of", make a place's name whatever the
/// model typed it as: "Strait of Hormuz", "Gulf of Mexico", "Bay of Bengal", "Isle of Man".
const FEATURES: &[&str] = &[
    "strait",
    "straits",
    "gulf",
    "bay",
    "sea",
    "ocean",
    "river",
    "lake",
    "mount",
    "cape",
    "isle",
    "island",
    "islands",
    "peninsula",
    "desert",
    "canal",
    "valley",
    "gulf",
    "bight",
];

/// Makes places of the drafts named "<feature> of <name>" ("Strait of Hormuz").
pub(super) fn mark_features(a: &Analysis, drafts: &mut [Draft]) {
    for d in drafts.iter_mut() {
        if d.last - d.first >= 3
            && FEATURES.contains(&a.forms[d.first].as_str())
            && a.forms[d.first + 1] == "of"
        {
            d.kind = EntityKind::Place;
        }
    }
}

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

/// Gives every place draft the knowledge-base place its name means. "City, Region" picks the
/// city that lies in that region, and the region it lies in: "Atlanta, Georgia" is the US
/// state, "London, Ontario" the Canadian city.
pub(super) fn identify(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Place {
            d.place = kb.place(&d.text).map(|(index, _)| index);
        }
    }
    for k in 1..drafts.len() {
        let (city, region) = (&drafts[k - 1], &drafts[k]);
        if city.kind != EntityKind::Place
            || region.kind != EntityKind::Place
            || region.first != city.last + 1
            || a.tokens[city.last].text != ","
        {
            continue;
        }
        let pair = kb.places_named(&city.text).into_iter().find_map(|c| {
            kb.places_named(&region.text)
                .into_iter()
                .find(|&r| kb.lies_in(c, r))
                .map(|r| (c, r))
        });
        if let Some((c, r)) = pair {
            drafts[k - 1].place = Some(c);
            drafts[k].place = Some(r);
        }
    }
}
