//! Lists: names the article coordinates are mostly things of one kind ("Google, Apple and
//! Amazon", "Usher, Norah Jones and Kanye West"), so the one name of a list the model typed
//! otherwise takes the kind of the others.

use crate::EntityKind;
use crate::features::{Analysis, Cap};
use crate::kb::{Kb, PlaceClass};

use super::Draft;
use super::orgs::PLACE_HEADS;

/// People a place must have for a list of places to claim a name the model typed an
/// organization: a town shares its name with companies ("Oxford, UK and Nokia") more often
/// than a city does ("Hong Kong, Tokyo and Pusan").
const LIST_PLACE_POPULATION: u64 = 100_000;

/// The one name of a list of three names or more that the model typed otherwise than all
/// the others takes their kind, before the kinds are voted over the article. A list is names
/// separated by commas, the last two by "and" or "or" (with or without a comma before it);
/// a capitalized name the model left untagged may stand in it between commas or before the
/// last name ("Google, Yahoo, Ebay and Amazon") and has no kind to vote with.
///
/// Lists where a name holds a legal form or an institution's word ("Smith Barney, Harris
/// Upham and Co Inc", "Bank of Iron County") are firms' names cut into pieces, and are left
/// alone, and so is an odd name that is a firm's own: "&" in it ("Jenner & Block"), or an
/// organization among partners' one-word names ("Cabot, Cabot and Forbes"). So are acronyms
/// ("U.S., EC and Japan"), places named with a place's head word ("Capitol Reef National
/// Park"), names that go on in capitals ("Reagan, Greenspan, and Treasury
/// Secretary James Baker") and, among persons, a name after "the" ("stormed the Capitol,
/// Trump and Olsen spoke"). The knowledge base decides for places: a name it knows as a
/// place stays a place among organizations ("New York, Bankers Trust and Salomon Brothers")
/// and among persons, and only a name it knows becomes a place among places; from an
/// organization, only a region, a country or a city of [`LIST_PLACE_POPULATION`] people.
pub(super) fn type_by_list(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let mut k = 0;
    while k < drafts.len() {
        let end = list_end(a, drafts, k);
        if end - k >= 3 {
            retype_odd_one(a, kb, &mut drafts[k..end]);
        }
        k = end;
    }
}

/// One past the last draft of the list that starts at `drafts[k]`; `k + 1` when none does.
fn list_end(a: &Analysis, drafts: &[Draft], k: usize) -> usize {
    let mut j = k;
    while let Some(next) = drafts.get(j + 1) {
        let d = &drafts[j];
        let Some((shape, len)) = gap_shape(a, d.last, next.first).filter(|_| d.part == next.part)
        else {
            break;
        };
        match shape[..len] {
            [","] | [",", "name", ","] => j += 1,
            ["and" | "or"]
            | [",", "and" | "or"]
            | [",", "name", "and" | "or"]
            | [",", "name", ",", "and" | "or"] => return j + 2,
            _ => break,
        }
    }
    k + 1
}

/// The tokens `from..to` between two names as a list reads them: commas, "and", "or", and a
/// run of capitalized words as one "name", an untagged name of the list ("Google, Yahoo,
/// Ebay and Amazon"). None when anything else stands there or there are more than four
/// parts: no list has them.
fn gap_shape(a: &Analysis, from: usize, to: usize) -> Option<([&'static str; 4], usize)> {
    let mut shape = [""; 4];
    let mut len = 0;
    for i in from..to {
        let part = match a.forms[i].as_str() {
            "," => ",",
            "and" => "and",
            "or" => "or",
            _ if !matches!(Cap::of(&a.tokens[i].text), Cap::Lower | Cap::None) => "name",
            _ => return None,
        };
        if part == "name" && len > 0 && shape[len - 1] == "name" {
            continue;
        }
        *shape.get_mut(len)? = part;
        len += 1;
    }
    Some((shape, len))
}

/// Retypes the one draft of `list` whose kind differs from all the others', if the others
/// agree and the guards of [`type_by_list`] let it.
fn retype_odd_one(a: &Analysis, kb: &Kb, list: &mut [Draft]) {
    let count = |kind: EntityKind| list.iter().filter(|d| d.kind == kind).count();
    let Some(major) = [
        EntityKind::Person,
        EntityKind::Place,
        EntityKind::Organization,
    ]
    .into_iter()
    .find(|&kind| count(kind) == list.len() - 1) else {
        return;
    };
    let firm_words = list.iter().any(|d| {
        (d.first..d.last)
            .any(|i| a.is_org_word(i) || kb.is_legal_form(a.forms[i].trim_end_matches('.')))
    });
    if firm_words {
        return;
    }
    let odd_at = list.iter().position(|d| d.kind != major).expect("one odd");
    // A firm named after its partners: "Merrill Lynch, Pierce, Fenner and Smith", "Cabot,
    // Cabot and Forbes".
    let partners = major == EntityKind::Person
        && list
            .iter()
            .all(|d| d.kind != major || d.last - d.first == 1)
        && (list[odd_at].last - list[odd_at].first > 1
            || list[odd_at].kind == EntityKind::Organization);
    let odd = &mut list[odd_at];
    let acronym =
        (odd.first..odd.last).any(|i| matches!(Cap::of(&a.tokens[i].text), Cap::All | Cap::Single));
    // "Reagan, Greenspan, and Treasury Secretary James Baker".
    let continued = odd.last < a.tokens.len() && a.is_capitalized(odd.last);
    // "after rioters attacked the Capitol, Trump and Olsen spoke": no person has "the".
    let the = odd.first > 0 && a.forms[odd.first - 1] == "the";
    // "Capitol Reef National Park" among companies.
    let place_head = odd.kind == EntityKind::Place
        && odd.last - odd.first > 1
        && (PLACE_HEADS.contains(&a.forms[odd.last - 1].as_str())
            || a.forms[odd.last - 1] == "park");
    if acronym
        || continued
        || partners
        || place_head
        || odd.text.contains('&')
        || major == EntityKind::Person && the
    {
        return;
    }
    let place = kb.place(&odd.text).map(|(_, p)| p);
    let allowed = match (major, place) {
        (EntityKind::Person | EntityKind::Organization, None) => true,
        (EntityKind::Place, Some(p)) => {
            odd.kind == EntityKind::Person
                || p.class != PlaceClass::City
                || p.population >= LIST_PLACE_POPULATION
        }
        _ => false,
    };
    if allowed {
        odd.kind = major;
        odd.place = None;
    }
}
