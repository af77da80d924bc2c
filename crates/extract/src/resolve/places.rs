//! Places inside one article: a dateline names a place whatever the model typed it as
//! ("NEW YORK, Feb 26 -", "LONDON 1996-08-30", "WASHINGTON (Reuters) -"), and every place the
//! knowledge base knows gets its identity there, so that "U.S.", "USA" and "America" are one
//! place.

use std::collections::HashSet;

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

/// Function words that open sentences: the knowledge base knows some as a place's other name
/// ("But", "No"), and scraped text glues them to a heading before them ("ProtestsThe").
pub(super) const OPENERS: &[&str] = &[
    "a", "after", "also", "an", "and", "as", "at", "before", "but", "by", "even", "for", "from",
    "he", "how", "i", "if", "in", "it", "no", "now", "on", "only", "or", "she", "so", "still",
    "that", "the", "then", "there", "they", "this", "to", "we", "what", "when", "while", "who",
    "why", "with", "yet",
];

/// Splits a name that is two known places side by side and no known name itself, as results
/// tables run team names together ("SEATTLE CHICAGO", "TEXAS NEW YORK"), but not a place
/// named with a common word or a feature of the earth ("Guantanamo Bay", "Panama Canal"). A
/// function word opening the sentence is cut off ("But Ireland").
pub(super) fn split_place_pairs(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        if d.kind == EntityKind::Person || d.last - d.first < 2 || kb.place(&d.text).is_some() {
            k += 1;
            continue;
        }
        let text = |from: usize, to: usize| super::written(a, from, to);
        // A common word the knowledge base knows as some place's other name ("Bay" for Baia
        // Mare, "Canal" for Port Said) does not make "Guantanamo Bay" two places, nor does a
        // word that heads organizations' names ("University" is a town in Florida) make
        // "Santa Clara University" a place and a town.
        let known = |from: usize, to: usize| {
            let word = to - from == 1;
            !(word
                && (a.is_common_word(from)
                    || a.is_org_word(from)
                    || FEATURES.contains(&a.forms[from].as_str())))
                && kb.place(&text(from, to)).is_some()
        };
        let cut = (d.first + 1..d.last).find(|&cut| known(d.first, cut) && known(cut, d.last));
        // A function word opening a sentence is no part of the place after it ("But
        // Ireland"); a noun may be a name's ("Environment Canada").
        let opener = a.tokens[d.first].sent_start
            && OPENERS.contains(&a.forms[d.first].as_str())
            && kb.place(&text(d.first + 1, d.last)).is_some();
        match cut {
            _ if opener => {
                let (first, last, kind, confidence) = (d.first, d.last, d.kind, d.confidence);
                drafts[k] = texts.draft(a, first + 1, last, kind, confidence);
                k += 1;
            }
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

/// Words that end the formal name of a state before its name ("Islamic Republic of Iran").
const STATE_FORMS: &[&str] = &[
    "republic",
    "kingdom",
    "emirate",
    "sultanate",
    "principality",
];

/// Joins two places the model tagged apart around an "of" (or "of the") into the one place
/// they name: "Gulf" "of" "Mexico" when the first is a feature of the earth ("Bay of Bengal"),
/// "Democratic Republic" "of" "Congo" when the first is a state's form and the knowledge base
/// knows the second, or any two when it knows the whole.
pub(super) fn join_of_names(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    super::join_adjacent(a, texts, drafts, EntityKind::Place, |d, next, gap| {
        d.kind == EntityKind::Place
            && next.kind == EntityKind::Place
            && (gap == ["of"] || gap == ["of", "the"])
            && (d.last - d.first == 1 && FEATURES.contains(&a.forms[d.first].as_str())
                || STATE_FORMS.contains(&a.forms[d.last - 1].as_str())
                    && kb.place(&next.text).is_some()
                || kb.place(&super::written(a, d.first, next.last)).is_some())
    });
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
    "bight",
];

/// Last words of the names of streets, squares, bridges and stadiums: places, as CoNLL-2003
/// tags them ("Elland Road", "Trent Bridge", "MetLife Stadium"), which the model often types
/// as organizations or people.
const STREET_HEADS: &[&str] = &[
    "avenue",
    "boulevard",
    "bridge",
    "highway",
    "road",
    "square",
    "stadium",
    "street",
];

/// Makes places of the drafts named "<feature> of <name>" ("Strait of Hormuz") and of those
/// that end with a street's head word ("Downing Street", "Lucas Oil Stadium").
pub(super) fn mark_features(a: &Analysis, drafts: &mut [Draft]) {
    for d in drafts.iter_mut() {
        let feature = d.last - d.first >= 3
            && FEATURES.contains(&a.forms[d.first].as_str())
            && a.forms[d.first + 1] == "of";
        let street = d.last - d.first >= 2 && STREET_HEADS.contains(&a.forms[d.last - 1].as_str());
        if feature || street {
            d.kind = EntityKind::Place;
        }
    }
}

/// Words that, capitalized before a number, name a road: "Interstate 95", "Highway 1",
/// "Route 66".
const ROAD_WORDS: &[&str] = &[
    "interstate",
    "highway",
    "route",
    "motorway",
    "freeway",
    "expressway",
];

/// Makes places of numbered roads, as CoNLL-2003 tags them ("Interstate 95"): a name the model
/// ended with a road's word takes the number after it ("Interstate" + "5", an organization
/// before), and an untagged road's word before a number is one ("Highway 1"). Not a number of
/// more than four digits, nor one a capitalized word follows ("the Highway 82 Fire"), nor a
/// person's name ("Mr. D'z Route" 66 Diner).
pub(super) fn number_roads(a: &Analysis, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let mut taken = vec![false; a.tokens.len()];
    for d in drafts.iter() {
        taken[d.first..d.last].fill(true);
    }
    let road_number = |i: usize| {
        i < a.tokens.len()
            && !taken[i]
            && !a.tokens[i].sent_start
            && a.part[i] == a.part[i - 1]
            && (1..=4).contains(&a.tokens[i].text.len())
            && a.tokens[i].text.chars().all(|c| c.is_ascii_digit())
            // "the Highway 82 Fire", "Route 66 Diner" name other things.
            && !(i + 1 < a.tokens.len() && !a.tokens[i + 1].sent_start && a.is_capitalized(i + 1))
    };
    let road_word = |i: usize| a.is_capitalized(i) && ROAD_WORDS.contains(&a.forms[i].as_str());
    for d in drafts.iter_mut() {
        if d.kind != EntityKind::Person && road_word(d.last - 1) && road_number(d.last) {
            let (first, last, confidence) = (d.first, d.last + 1, d.confidence);
            *d = texts.draft(a, first, last, EntityKind::Place, confidence);
        }
    }
    for (i, &named) in taken
        .iter()
        .enumerate()
        .take(a.tokens.len().saturating_sub(1))
    {
        if !named && road_word(i) && road_number(i + 1) {
            drafts.push(texts.draft(a, i, i + 2, EntityKind::Place, 0.5));
        }
    }
}

/// Extends a place the model cut before its division's word to the whole name where the
/// knowledge base knows it so ("Ondo" + "State", "Punjab" + "Province", "South Khorasan" +
/// "Province", typed a person), and makes it a place; not where a capitalized word goes on
/// ("Washington State University"), nor over a lowercase word ("Zanjan province").
pub(super) fn extend_to_divisions(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut [Draft]) {
    let mut taken = vec![false; a.tokens.len()];
    for d in drafts.iter() {
        taken[d.first..d.last].fill(true);
    }
    for d in drafts.iter_mut() {
        let next = d.last;
        let divides = next < a.tokens.len()
            && !taken[next]
            && !a.tokens[next].sent_start
            && a.part[next] == a.part[d.first]
            && a.is_capitalized(next)
            && super::orgs::PLACE_HEADS.contains(&a.forms[next].as_str())
            && !(next + 1 < a.tokens.len()
                && !a.tokens[next + 1].sent_start
                && a.is_capitalized(next + 1))
            && kb
                .place(&format!("{} {}", d.text, a.tokens[next].text))
                .is_some();
        if divides {
            let (first, confidence) = (d.first, d.confidence);
            *d = texts.draft(a, first, next + 1, EntityKind::Place, confidence);
        }
    }
}

/// The planets of the solar system, places as GMB and OntoNotes tag them; CoNLL-2003's
/// training text has none, and the model types "Earth" an organization (after "Earth First").
const PLANETS: &[&str] = &[
    "mercury", "venus", "earth", "mars", "jupiter", "saturn", "uranus", "neptune", "pluto",
];

/// Words of an article about space, in which a planet's name names the planet.
const SPACE_WORDS: &[&str] = &[
    "planet",
    "planets",
    "orbit",
    "orbits",
    "orbiting",
    "spacecraft",
    "astronaut",
    "astronauts",
    "astronomer",
    "astronomers",
    "astronomy",
    "telescope",
    "asteroid",
    "comet",
    "moon",
    "moons",
    "rover",
    "solar",
    "galaxy",
    "nasa",
];

/// Makes places of the planets: a one-word name of a planet that is no word of a person's
/// full name in the article ("Venus Williams"), "Earth" always, the others in an article with
/// two words about space or more ("the planet", "orbit", "NASA"; not "sister Venus", "Jupiter
/// Research"). A planet is no town the knowledge base knows ("Jupiter", Florida).
pub(super) fn mark_planets(a: &Analysis, drafts: &mut [Draft]) {
    let planet = |d: &Draft| d.last - d.first == 1 && PLANETS.contains(&a.forms[d.first].as_str());
    if !drafts.iter().any(planet) {
        return;
    }
    let space: HashSet<&str> = a
        .forms
        .iter()
        .map(String::as_str)
        .filter(|f| SPACE_WORDS.contains(f))
        .collect();
    let in_full_names = super::words_of_full_names(a, drafts);
    for d in drafts.iter_mut() {
        let form = a.forms[d.first].as_str();
        if planet(d) && !in_full_names.contains(form) && (form == "earth" || space.len() >= 2) {
            d.kind = EntityKind::Place;
            d.place = None;
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

/// Makes places of "City, Region" where the knowledge base knows the city as lying in the
/// region, or the region as another name of the city, whatever the model typed either as:
/// "Denver, Colo." (the city typed a person), "Washington, DC" ("DC" an organization; it is
/// Washington's abbreviation); not "Cabot, Cabot and Forbes". Runs before the kinds are
/// voted, so that the article's other mentions of either name count it as a place too.
pub(super) fn type_city_and_region(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    for k in 1..drafts.len() {
        let (city, region) = (&drafts[k - 1], &drafts[k]);
        if city.kind == EntityKind::Place && region.kind == EntityKind::Place
            || !comma_between(a, city, region)
        {
            continue;
        }
        let other_name = a.forms[city.first..city.last] != a.forms[region.first..region.last];
        let within = city_in_region(kb, city, region, other_name).is_some();
        if within {
            // A dateline's city is a place whatever the article's other mentions of the
            // name are ("KENT, Ohio - Kent Toys said ... Kent said"): mark_datelines makes it
            // one, after the vote.
            if !is_dateline(a, city) {
                drafts[k - 1].kind = EntityKind::Place;
            }
            drafts[k].kind = EntityKind::Place;
        }
    }
}

/// Whether a knowledge-base place is one a lone word in news names before any town: a
/// country, continent, capital or region, or a city of 100,000 people or more.
fn is_major(place: &crate::kb::Place) -> bool {
    !matches!(place.class, crate::kb::PlaceClass::City) || place.population >= 100_000
}

/// A one-word "person" that names a major place the knowledge base knows and follows "in",
/// "near" or another of the words that keep a name a place ([`super::orgs::PLACE_BEFORE`])
/// somewhere in the article is that place in all its mentions ("In
/// Asturias, images of great beauty", "the heritage of Asturias"): the model takes places it
/// has rarely seen for people. Not a given name ("Charlotte"), a word of a person's full name
/// in the article, nor a name before a possessive ("in Trump's view").
pub(super) fn type_persons_by_preposition(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let candidate = |d: &Draft| {
        d.kind == EntityKind::Person
            && d.last - d.first == 1
            && !kb.is_given_name(form(d.first))
            && kb.place(&d.text).is_some_and(|(_, p)| is_major(p))
    };
    let placed: HashSet<String> = drafts
        .iter()
        .filter(|d| {
            candidate(d)
                && d.first > 0
                && super::orgs::PLACE_BEFORE.contains(&form(d.first - 1))
                && !matches!(form(d.last), "'s" | "'" | "’s")
        })
        .map(|d| d.name(a))
        .collect();
    if placed.is_empty() {
        return;
    }
    let full_names = super::words_of_full_names(a, drafts);
    for d in drafts.iter_mut() {
        if candidate(d) && placed.contains(&d.name(a)) && !full_names.contains(form(d.first)) {
            d.kind = EntityKind::Place;
        }
    }
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
            || !comma_between(a, city, region)
        {
            continue;
        }
        if let Some((c, r)) = city_in_region(kb, city, region, false) {
            drafts[k - 1].place = Some(c);
            drafts[k].place = Some(r);
        }
    }
}

/// Whether `region` follows `city` after a comma: "Atlanta, Georgia".
fn comma_between(a: &Analysis, city: &Draft, region: &Draft) -> bool {
    region.first == city.last + 1 && a.tokens[city.last].text == ","
}

/// The first place named like `city` that lies in a place named like `region`, and that
/// region; with `same`, also a place both names name ("Washington", "DC").
fn city_in_region(kb: &Kb, city: &Draft, region: &Draft, same: bool) -> Option<(u32, u32)> {
    let regions = kb.places_named(&region.text);
    kb.places_named(&city.text).into_iter().find_map(|c| {
        regions
            .iter()
            .find(|&&r| r == c && same || kb.lies_in(c, r))
            .map(|&r| (c, r))
    })
}
