//! The resolution knowledge base: what the engine knows of the world beyond one article.
//! Places with their alternate names and abbreviations ("U.S." = "United States" = "America";
//! "Calif." = "California"), given names and their nicknames ("Bob" = "Robert"), and the legal
//! forms that end company names ("Inc", "Plc", "NV"). Built by `scripts/gen_kb.py` from
//! packaged, attributed sources (`kb/ATTRIBUTION.md`) and embedded in the binary.
//!
//! It holds no rule of its own beyond "which place does a name mean": the resolution passes
//! decide when to ask.
//!
//! Over 400 lines with its tests, which check what the embedded tables make of real names.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use crate::key::fold_name;
use crate::text::{FNV_OFFSET, FNV_PRIME};

const PLACES: &str = include_str!("../kb/places.tsv");
const PEOPLE: &str = include_str!("../kb/people.tsv");
const ORGS: &str = include_str!("../kb/orgs.tsv");

/// What kind of place a known place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceClass {
    /// Africa, Europe, ...
    Continent,
    /// A country, present or historical.
    Country,
    /// A country's capital city.
    Capital,
    /// A first-level region: a US state, a Canadian province, a nation of the UK.
    Region,
    /// Any other city of 15,000 people or more.
    City,
}

/// A place of the knowledge base.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// GeoNames id, when known.
    pub geonames_id: Option<i64>,
    /// Wikidata id ("Q30"), when a source gives one.
    pub wikidata_id: Option<String>,
    /// Its class.
    pub class: PlaceClass,
    /// ISO 3166 code of a country or region ("US", "US-CA"); empty for cities.
    pub code: String,
    /// The country or region it lies in ("US", "US-CA"); empty for countries.
    pub parent: String,
    /// People living there.
    pub population: u64,
    /// A point for a map pin: latitude, degrees.
    pub latitude: f64,
    /// Longitude, degrees.
    pub longitude: f64,
    /// Its name in English.
    pub name: String,
}

impl Place {
    /// Preference among places sharing a name, lower first: continents and countries, then
    /// capitals and cities of a million people (news means New York City by "New York"),
    /// then regions, then other cities; more people first within a rank.
    fn rank(&self) -> (u8, std::cmp::Reverse<u64>) {
        let rank = match self.class {
            PlaceClass::Continent => 0,
            PlaceClass::Country => 1,
            PlaceClass::Capital => 2,
            PlaceClass::City if self.population >= 1_000_000 => 2,
            PlaceClass::Region => 3,
            PlaceClass::City => 4,
        };
        (rank, std::cmp::Reverse(self.population))
    }

    /// Whether it is a country or a continent.
    pub fn is_country(&self) -> bool {
        matches!(self.class, PlaceClass::Country | PlaceClass::Continent)
    }
}

/// How a place bears a name, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Tier {
    /// Its own name, or a country's or region's alternate name.
    Name,
    /// Another name of a city.
    OtherName,
    /// An abbreviation or code.
    Abbreviation,
    /// A town's name of three letters or fewer: below any other reading.
    Minor,
}

/// FNV-1a: the tables are fixed and their keys short, so SipHash's protection against chosen
/// collisions buys nothing here and costs most of the loading time.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(FNV_OFFSET)
    }
}

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;
type Set<K> = HashSet<K, BuildHasherDefault<Fnv>>;

/// The knowledge base.
pub struct Kb {
    places: Vec<Place>,
    /// Folded name → the place it means (the best ranked; names before abbreviations).
    place_names: Map<String, u32>,
    /// Folded abbreviation → the place it best stands for.
    abbreviations: Map<String, u32>,
    /// Folded name → every place bearing it as a name (not an abbreviation), best first,
    /// for the names more than one place bears.
    bearers: Map<String, Vec<u32>>,
    /// Folded nickname or given name → the folded given names it may stand for.
    given: Map<String, Vec<String>>,
    /// Folded nickname → the formal given name it stands for, when one stands out.
    formal: Map<String, String>,
    /// Folded legal forms ("inc", "co ltd", "n v").
    legal_forms: Set<String>,
}

impl std::fmt::Debug for Kb {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kb")
            .field("places", &self.places.len())
            .field("place_names", &self.place_names.len())
            .field("given_names", &self.given.len())
            .field("legal_forms", &self.legal_forms.len())
            .finish()
    }
}

/// The bytes of the embedded files, for the extractor's version digest.
pub(crate) fn embedded_files() -> [&'static str; 3] {
    [PLACES, PEOPLE, ORGS]
}

impl Kb {
    /// The knowledge base shipped in the binary.
    pub fn embedded() -> Result<Kb, String> {
        Kb::parse(PLACES, PEOPLE, ORGS)
    }

    /// Parses the three files (`places.tsv`, `people.tsv`, `orgs.tsv`).
    pub fn parse(places: &str, people: &str, orgs: &str) -> Result<Kb, String> {
        let mut kb = Kb {
            places: Vec::new(),
            place_names: Map::default(),
            bearers: Map::default(),
            abbreviations: Map::default(),
            given: Map::default(),
            formal: Map::default(),
            legal_forms: Set::default(),
        };
        kb.parse_places(places)?;
        kb.parse_people(people);
        kb.legal_forms = rows(orgs)
            .filter_map(|(_, line)| line.strip_prefix("legal\t").map(str::to_owned))
            .collect();
        Ok(kb)
    }

    fn parse_places(&mut self, text: &str) -> Result<(), String> {
        // (folded name, tier, place) for every name of every place, grouped by name below.
        let mut bearers: Vec<(String, Tier, u32)> = Vec::with_capacity(1 << 17);
        for (n, line) in rows(text) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 11 {
                return Err(format!("places.tsv line {n}: {} fields, not 11", f.len()));
            }
            let bad = |what: &str| format!("places.tsv line {n}: bad {what}");
            let place = Place {
                geonames_id: (!f[0].is_empty())
                    .then(|| f[0].parse().map_err(|_| bad("geonameid")))
                    .transpose()?,
                wikidata_id: (!f[1].is_empty()).then(|| f[1].to_owned()),
                class: match f[2] {
                    "continent" => PlaceClass::Continent,
                    "country" => PlaceClass::Country,
                    "capital" => PlaceClass::Capital,
                    "region" => PlaceClass::Region,
                    "city" => PlaceClass::City,
                    _ => return Err(bad("class")),
                },
                code: f[3].to_owned(),
                parent: f[4].to_owned(),
                population: f[5].parse().map_err(|_| bad("population"))?,
                latitude: f[6].parse().map_err(|_| bad("latitude"))?,
                longitude: f[7].parse().map_err(|_| bad("longitude"))?,
                name: f[8].to_owned(),
            };
            let index = u32::try_from(self.places.len()).map_err(|_| bad("row count"))?;
            // A city's other names (translations, old names) rank below every place's own
            // name: "Victoria" is the Australian state before it is Hong Kong's old capital.
            // A shortening of the city's own name ("New York" of "New York City", "Frankfurt"
            // of "Frankfurt am Main") is its name too.
            let city = matches!(place.class, PlaceClass::City | PlaceClass::Capital);
            let own = fold_name(f[8]);
            let tier = |folded: &str| {
                if !city || own.starts_with(folded) && own[folded.len()..].starts_with(' ') {
                    Tier::Name
                } else {
                    Tier::OtherName
                }
            };
            let names = std::iter::once((Some(Tier::Name), f[8]))
                .chain(f[9].split('|').map(|name| (None, name)))
                .chain(
                    f[10]
                        .split('|')
                        .map(|name| (Some(Tier::Abbreviation), name)),
                );
            for (tier_given, name) in names {
                let forms = folded_forms(name);
                let Some(first) = forms.first() else {
                    continue;
                };
                let tier = tier_given.unwrap_or_else(|| tier(first));
                for folded in forms {
                    bearers.push((folded, tier, index));
                }
            }
            self.places.push(place);
        }
        bearers.sort_unstable_by(|x, y| x.0.cmp(&y.0));
        self.place_names.reserve(bearers.len());
        let mut list: Vec<(Tier, u32)> = Vec::new();
        let mut rows = bearers.into_iter().peekable();
        while let Some((name, tier, index)) = rows.next() {
            list.clear();
            list.push((tier, index));
            while let Some((_, tier, index)) = rows.next_if(|next| next.0 == name) {
                list.push((tier, index));
            }
            // A town's name of three letters or fewer ("Pa", Burkina Faso) ranks below the
            // abbreviations others go by ("Pa." for Pennsylvania).
            let short = name.chars().count() <= 3;
            let tier_of = |tier: Tier, index: u32| match (tier, &self.places[index as usize]) {
                (Tier::Name, place) if short && place.class == PlaceClass::City => Tier::Minor,
                (Tier::OtherName, _) if short => Tier::Minor,
                _ => tier,
            };
            list.sort_by_key(|&(tier, index)| {
                (
                    tier_of(tier, index),
                    self.places[index as usize].rank(),
                    index,
                )
            });
            // Each place once, at its best tier (the lists are short: most hold one place).
            let mut k = 0;
            while k < list.len() {
                let index = list[k].1;
                if list[..k].iter().any(|&(_, seen)| seen == index) {
                    list.remove(k);
                } else {
                    k += 1;
                }
            }
            if let Some(&(_, index)) = list.iter().find(|(tier, _)| *tier == Tier::Abbreviation) {
                self.abbreviations.insert(name.clone(), index);
            }
            let named: Vec<u32> = list
                .iter()
                .filter(|(tier, _)| *tier != Tier::Abbreviation)
                .map(|&(_, index)| index)
                .collect();
            if named.len() > 1 {
                self.bearers.insert(name.clone(), named);
            }
            self.place_names.insert(name, list[0].1);
        }
        Ok(())
    }

    fn parse_people(&mut self, text: &str) {
        for (_, line) in rows(text) {
            let Some((formal, nicknames)) = line.split_once('\t') else {
                continue;
            };
            let formal = fold_name(formal);
            for nick in nicknames.split('|').map(fold_name) {
                self.given.entry(nick).or_default().push(formal.clone());
            }
            self.given.entry(formal.clone()).or_default().push(formal);
        }
        for formals in self.given.values_mut() {
            formals.sort_unstable();
            formals.dedup();
        }
        let mut nicknames: Map<&str, usize> = Map::default();
        for formal in self.given.values().flatten() {
            *nicknames.entry(formal).or_default() += 1;
        }
        for (name, formals) in &self.given {
            let mut ranked: Vec<(usize, &str)> = formals
                .iter()
                .map(|formal| (nicknames[formal.as_str()], formal.as_str()))
                .collect();
            ranked.sort_unstable_by(|x, y| y.cmp(x));
            let best = match ranked.as_slice() {
                [(_, only)] => Some(*only),
                [(first, best), (second, _), ..] if *first >= 2 * *second => Some(*best),
                _ => None,
            };
            if let Some(best) = best.filter(|best| best != name) {
                self.formal.insert(name.clone(), best.to_owned());
            }
        }
    }

    /// The place a name means, if the knowledge base knows it: "U.S.", "USA", "America" and
    /// "United States" all mean the United States.
    pub fn place(&self, name: &str) -> Option<(u32, &Place)> {
        let folded = fold_name(name);
        let folded = folded.strip_prefix("the ").unwrap_or(&folded);
        let joined = folded.replace(' ', "");
        // Written with periods, a short name is an abbreviation first ("Pa.", "N.J.").
        let dotted = name.contains('.') && joined.chars().count() <= 4;
        let index = *dotted
            .then(|| self.abbreviations.get(&joined))
            .flatten()
            .or_else(|| self.place_names.get(folded))
            .or_else(|| self.place_names.get(&joined))?;
        Some((index, &self.places[index as usize]))
    }

    /// Whether `name` is an abbreviation a place goes by ("Mich", "Calif.", "UK"), written
    /// with or without its periods.
    pub fn is_place_abbreviation(&self, name: &str) -> bool {
        self.abbreviations
            .contains_key(&fold_name(name).replace([' ', '.'], ""))
    }

    /// Every place bearing a name, best first: "Georgia" the country, then the US state.
    pub fn places_named(&self, name: &str) -> Vec<u32> {
        let folded = fold_name(name);
        let folded = folded.strip_prefix("the ").unwrap_or(&folded);
        match self.bearers.get(folded) {
            Some(all) => all.clone(),
            None => self
                .place(name)
                .map(|(index, _)| vec![index])
                .unwrap_or_default(),
        }
    }

    /// Whether place `inner` lies in place `outer` (a region or a country).
    pub fn lies_in(&self, inner: u32, outer: u32) -> bool {
        let (inner, outer) = (self.place_at(inner), self.place_at(outer));
        !outer.code.is_empty()
            && (inner.parent == outer.code
                || inner.parent.split('-').next() == Some(outer.code.as_str()))
    }

    /// The place with this index.
    pub fn place_at(&self, index: u32) -> &Place {
        &self.places[index as usize]
    }

    /// The match-key text of a known place: its folded name, with its GeoNames id when that
    /// name means another place (Georgia the state beside Georgia the country).
    pub fn place_key(&self, index: u32) -> String {
        let place = &self.places[index as usize];
        let folded = fold_name(&place.name);
        if self.place_names.get(&folded) == Some(&index) {
            folded
        } else {
            format!("{folded}#{}", place.geonames_id.unwrap_or(i64::from(index)))
        }
    }

    /// Whether a folded word is a given name or a nickname of one.
    pub fn is_given_name(&self, name: &str) -> bool {
        self.given.contains_key(name)
    }

    /// Whether two folded given names can name one person: the same name, a nickname of the
    /// other ("bob", "robert"), or nicknames of one name.
    pub fn same_given_name(&self, a: &str, b: &str) -> bool {
        if a == b {
            return true;
        }
        match (self.given.get(a), self.given.get(b)) {
            (Some(x), Some(y)) => x.iter().any(|name| y.contains(name)),
            _ => false,
        }
    }

    /// The formal given name a folded given name stands for, when one stands out: the name
    /// with at least twice the nicknames of any other it may stand for ("bob" → "robert", not
    /// "bert"; "bill", which may be William or Robert, stays itself).
    pub fn formal_given_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.formal.get(name).map_or(name, String::as_str)
    }

    /// Whether the folded words are a company's legal form ("inc", "co ltd").
    pub fn is_legal_form(&self, folded: &str) -> bool {
        self.legal_forms.contains(folded)
    }
}

/// The non-comment lines of a file with their 1-based numbers.
fn rows(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.starts_with('#') && !line.trim().is_empty())
        .map(|(i, line)| (i + 1, line))
}

/// The folded forms a name is looked up under: "W. Va." under "w va" and "wva".
fn folded_forms(name: &str) -> Vec<String> {
    let folded = fold_name(name);
    if folded.is_empty() {
        return Vec::new();
    }
    let joined = folded.replace(' ', "");
    if name.contains('.') && joined != folded {
        vec![folded, joined]
    } else {
        vec![folded]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kb() -> Kb {
        Kb::embedded().expect("the embedded knowledge base parses")
    }

    #[test]
    fn country_names_and_abbreviations_mean_one_country() {
        let kb = kb();

        let us = kb.place("United States").expect("known").0;
        for name in [
            "U.S.",
            "US",
            "USA",
            "U.S.A.",
            "America",
            "the United States",
        ] {
            assert_eq!(kb.place(name).map(|p| p.0), Some(us), "{name}");
        }
        let uk = kb.place("United Kingdom").expect("known").0;
        for name in ["UK", "Britain", "Great Britain", "U.K."] {
            assert_eq!(kb.place(name).map(|p| p.0), Some(uk), "{name}");
        }
        assert_eq!(kb.place_at(us).wikidata_id.as_deref(), Some("Q30"));
    }

    #[test]
    fn us_states_are_known_by_ap_and_postal_abbreviations() {
        let kb = kb();

        let california = kb.place("California").expect("known").0;
        assert_eq!(kb.place("Calif.").map(|p| p.0), Some(california));
        let west_virginia = kb.place("West Virginia").expect("known").0;
        assert_eq!(kb.place("W.Va.").map(|p| p.0), Some(west_virginia));
        assert_eq!(kb.place("W. Va.").map(|p| p.0), Some(west_virginia));
        let pennsylvania = kb.place("Pennsylvania").expect("known").0;
        assert_eq!(kb.place("Pa.").map(|p| p.0), Some(pennsylvania));
        assert_eq!(kb.place("Pa").map(|p| p.0), Some(pennsylvania));
        let new_jersey = kb.place("New Jersey").expect("known").0;
        assert_eq!(kb.place("N.J.").map(|p| p.0), Some(new_jersey));
        assert_eq!(kb.place("NJ").map(|p| p.0), Some(new_jersey));
    }

    #[test]
    fn a_name_means_the_most_prominent_place_that_bears_it() {
        let kb = kb();

        assert_eq!(
            kb.place("Holland").map(|p| p.1.name.as_str()),
            Some("Netherlands")
        );
        assert_eq!(
            kb.place("Georgia").map(|p| p.1.class),
            Some(PlaceClass::Country)
        );
        assert_eq!(
            kb.place("New York").map(|p| p.1.name.as_str()),
            Some("New York City")
        );
        assert_eq!(
            kb.place("D.C.").map(|p| p.1.name.as_str()),
            Some("Washington")
        );
        assert_eq!(kb.place("Narnia"), None);
        assert_ne!(
            kb.place("White House").map(|p| p.1.name.as_str()),
            Some("Casablanca")
        );
        assert_ne!(
            kb.place("Victoria").map(|p| p.1.name.as_str()),
            Some("Hong Kong")
        );
    }

    #[test]
    fn places_sharing_a_name_get_distinct_keys() {
        let kb = kb();
        let state = kb
            .places
            .iter()
            .position(|p| p.name == "Georgia" && p.code == "US-GA")
            .expect("the state is known") as u32;
        let country = kb.place("Georgia").expect("known").0;

        assert_eq!(kb.place_key(country), "georgia");
        assert_ne!(kb.place_key(state), kb.place_key(country));
    }

    #[test]
    fn nicknames_match_their_given_names() {
        let kb = kb();

        assert!(kb.same_given_name("bob", "robert"));
        assert!(kb.same_given_name("bill", "william"));
        assert!(!kb.same_given_name("bob", "william"));
        assert_eq!(kb.formal_given_name("bob"), "robert");
        assert_eq!(kb.formal_given_name("bill"), "bill");
    }

    #[test]
    fn legal_forms_are_known() {
        let kb = kb();

        for form in ["inc", "co", "corp", "plc", "nv", "ag", "gmbh", "co ltd"] {
            assert!(kb.is_legal_form(form), "{form}");
        }
        assert!(!kb.is_legal_form("in"));
        assert!(!kb.is_legal_form("bank"));
    }
}
