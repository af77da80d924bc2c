//! Persons inside one article. A name's shorter forms join the full name they abbreviate:
//! a lone surname ("Vucevic" → "Milos Vucevic", the nearest such person before it, or else
//! the first after it), a lone given name or nickname ("Saddam" → "Saddam Hussein", "Kat" →
//! "Kat Moon") when one person of the article bears it, and a full name written another way
//! ("Bob Nardelli" = "Robert Nardelli", "George Bush" = "George W. Bush") when it can mean
//! only one of the article's persons. Forms of address are not part of a name: "Mr Blair" is
//! the person "Blair", whatever the model typed it as.

use std::collections::{HashMap, HashSet};

use super::{Draft, Texts};
use crate::EntityKind;
use crate::features::Analysis;
use crate::kb::Kb;

/// Forms of address that make what follows a person's name ("Mr", "Mrs", "Dr", "Sir").
const HONORIFICS: &[&str] = &[
    "mr", "mrs", "ms", "miss", "dr", "sir", "dame", "madam", "mme", "mlle", "messrs",
];

/// Whether a token is a form of address.
pub(super) fn is_honorific(token: &str) -> bool {
    let bare = token.trim_end_matches('.').to_lowercase();
    HONORIFICS.contains(&bare.as_str())
}

/// Cuts forms of address off the start of every mention ("Mr Blair" → "Blair") and makes
/// the rest a person. A mention that is only a form of address is dropped.
pub(super) fn trim_honorifics(a: &Analysis, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        let mut first = d.first;
        while first < d.last && is_honorific(&a.tokens[first].text) {
            first += 1;
        }
        if first == d.first {
            k += 1;
            continue;
        }
        if first == d.last {
            drafts.remove(k);
            continue;
        }
        let (last, confidence) = (d.last, d.confidence);
        drafts[k] = texts.draft(a, first, last, EntityKind::Person, confidence);
        k += 1;
    }
}

/// Words that make a title of the one after them ("Prime Minister", "Deputy Mayor").
const TITLE_MODIFIERS: &[&str] = &[
    "acting",
    "assistant",
    "attorney",
    "chief",
    "deputy",
    "first",
    "foreign",
    "former",
    "interim",
    "lieutenant",
    "prime",
    "state",
    "vice",
];

/// Offices a place's or an organization's name runs into a person's: "Los Angeles Mayor
/// Karen Bass", "Telsa CEO Elon Musk". Forms of address ("Sir", "Dame", "Sheikh") are not
/// here: what precedes them is seldom a place or an organization.
const ROLES: &[&str] = &[
    "ambassador",
    "ceo",
    "chairman",
    "chairwoman",
    "chancellor",
    "commissioner",
    "congressman",
    "congresswoman",
    "director",
    "gov",
    "gov.",
    "governor",
    "mayor",
    "minister",
    "premier",
    "president",
    "rep",
    "rep.",
    "secretary",
    "sen",
    "sen.",
    "senator",
    "sheriff",
    "spokesman",
    "spokeswoman",
];

/// Splits a name that runs an office into a person's name: "Los Angeles Mayor Karen Bass" is
/// the place "Los Angeles" and the person "Karen Bass", "Telsa CEO Elon Musk" the
/// organization "Telsa" and the person (CoNLL convention: a title is part of no name). The
/// person must open with a given name or end with a surname the article gives a person.
/// What precedes the office is what the article calls it elsewhere, or else a place if the
/// knowledge base knows it or it ends like a place's name ("Pima County"); a nationality
/// ("Indian Prime Minister X", "Qatari Emir") or a common word ("Agriculture Commissioner X")
/// is not a name and goes with the title.
pub(super) fn split_titles(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let role = |i: usize| ROLES.contains(&a.forms[i].as_str()) && a.is_capitalized(i);
    let title = |i: usize| crate::tagger::is_title(&a.forms[i]) || role(i);
    if !drafts
        .iter()
        .any(|d| (d.first + 1..d.last.saturating_sub(2)).any(role))
    {
        return;
    }
    // Surnames of the article's persons: "Mamdani" said alone makes "Zohran Mamdani" one.
    let surnames: HashSet<&str> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person)
        .map(|d| a.forms[d.last - 1].as_str())
        .collect();
    // What the article's other mentions of a name are: "Beggs" named alone as a place.
    let kinds: HashMap<String, EntityKind> = drafts.iter().map(|d| (d.name(a), d.kind)).collect();
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        let found = (d.first + 1..d.last.saturating_sub(2)).find_map(|i| {
            if !role(i) {
                return None;
            }
            let mut person = i + 1;
            while person < d.last && title(person) {
                person += 1;
            }
            let named = d.last - person >= 2
                && d.last - person <= 3
                && (person..d.last).all(|j| a.is_capitalized(j))
                && (a.begins_gazetteer_match(person, "first")
                    || kb.is_given_name(&a.forms[person])
                    || surnames.contains(a.forms[d.last - 1].as_str()));
            named.then_some((i, person))
        });
        let Some((at, person)) = found else {
            k += 1;
            continue;
        };
        let (first, last, confidence) = (d.first, d.last, d.confidence);
        let mut end = at;
        while end > first
            && (title(end - 1) || TITLE_MODIFIERS.contains(&a.forms[end - 1].as_str()))
        {
            end -= 1;
        }
        drafts[k] = texts.draft(a, person, last, EntityKind::Person, confidence);
        let named = end > first
            && !a.is_common_word(end - 1)
            && !(end - first == 1 && is_nationality(kb, &a.tokens[first].text));
        if named {
            let mut left = texts.draft(a, first, end, EntityKind::Place, confidence);
            let place_head = super::orgs::PLACE_HEADS.contains(&a.forms[end - 1].as_str());
            if let Some(&kind) = kinds.get(&left.name(a)) {
                left.kind = kind;
            } else if !place_head && kb.place(&left.text).is_none() {
                left.kind = EntityKind::Organization;
            }
            drafts.insert(k, left);
            k += 1;
        }
        k += 1;
    }
}

/// Cuts an acronym off the end of a person's name when the article writes it alone: scraped
/// text that glued a link to the name before it ("Renee Goodby DHS immigration agents"), or a
/// name run into the next ("Trump DOJ officials"). Otherwise the lone acronym would take the
/// person for its full name, and every "DHS" of the article would be that person. The same
/// for an organization named by a person the article names alone and an acronym ("the Biden
/// DOJ"), whose person would otherwise be taken for its short form. The acronym keeps the kind
/// the article gives it alone, an organization's or a place's ("Team USA"). Acronyms of two
/// letters ("Frank Field MP") and roman numerals ("Leo XIV") are not cut, nor one the article
/// never names alone ("Charli XCX"), or names alone as a person (a surname in capitals:
/// "Nestor KIRCHNER").
pub(super) fn split_trailing_acronyms(a: &Analysis, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let ends_with_acronym = |d: &Draft| {
        let last = d.last - 1;
        let word = a.tokens[last].text.as_str();
        d.kind != EntityKind::Place
            && d.last - d.first >= 2
            && word.chars().count() >= 3
            && word.chars().all(|c| c.is_ascii_uppercase())
            && !word.chars().all(|c| "IVXLC".contains(c))
            && a.tokens[last - 1].text.chars().any(char::is_lowercase)
    };
    if !drafts.iter().any(ends_with_acronym) {
        return;
    }
    // The kinds of the article's lone names, weighed by confidence: an acronym the article
    // names alone as something other than a person is cut ("DHS"), a surname written in
    // capitals that it names alone as a person is not ("Nestor KIRCHNER", "KIRCHNER said").
    let mut kinds: HashMap<&str, [f32; 3]> = HashMap::new();
    for d in drafts.iter().filter(|d| d.last - d.first == 1) {
        kinds.entry(a.forms[d.first].as_str()).or_default()[d.kind as usize] += d.confidence;
    }
    let kind_alone = |i: usize| kinds.get(a.forms[i].as_str()).copied().unwrap_or_default();
    let [person, place, organization] = [
        EntityKind::Person,
        EntityKind::Place,
        EntityKind::Organization,
    ]
    .map(|k| k as usize);
    let named_alone = |i: usize| {
        let w = kind_alone(i);
        w[place] + w[organization] > w[person]
    };
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        let cut = ends_with_acronym(d)
            && named_alone(d.last - 1)
            && (d.kind == EntityKind::Person
                || d.last - d.first == 2 && {
                    let w = kind_alone(d.first);
                    w[person] > w[organization]
                });
        if !cut {
            k += 1;
            continue;
        }
        let (first, last, confidence) = (d.first, d.last, d.confidence);
        let w = kind_alone(last - 1);
        let kind = if w[place] > w[organization] {
            EntityKind::Place
        } else {
            EntityKind::Organization
        };
        let acronym = texts.draft(a, last - 1, last, kind, confidence);
        drafts[k] = texts.draft(a, first, last - 1, EntityKind::Person, confidence);
        drafts.insert(k + 1, acronym);
        k += 2;
    }
}

/// Whether a one-word name is a nationality: a word the knowledge base takes for a place
/// whose name it is not but begins like ("Qatari" for Qatar), or one it does not know that
/// ends like a nationality ("Indian", "Chinese", "Turkish").
fn is_nationality(kb: &Kb, word: &str) -> bool {
    let word = word.to_lowercase();
    match kb.place(&word) {
        Some((_, place)) => {
            let name = place.name.to_lowercase();
            name != word && word.len() > 3 && name.get(..3) == word.get(..3)
        }
        None => ends_like_nationality(&word),
    }
}

/// Whether a folded word ends like a nationality: "russian", "chinese", "turkish", "qatari",
/// "icelandic".
pub(super) fn ends_like_nationality(word: &str) -> bool {
    ["an", "ese", "ish", "i", "ic"]
        .iter()
        .any(|end| word.ends_with(end))
}

/// Lowercase nouns that, directly before a name, say it is a person's: "pro-democracy leader
/// Aung San Suu Kyi", "activist X", "striker Y". Capitalized titles ("President", "Secretary
/// of State") are the tagger's [`crate::tagger::is_title`].
const PERSON_ROLES: &[&str] = &[
    "activist",
    "actor",
    "actress",
    "author",
    "businessman",
    "businesswoman",
    "candidate",
    "cleric",
    "columnist",
    "commander",
    "correspondent",
    "defender",
    "dissident",
    "envoy",
    "goalkeeper",
    "journalist",
    "lawmaker",
    "lawyer",
    "leader",
    "legislator",
    "midfielder",
    "negotiator",
    "novelist",
    "poet",
    "prosecutor",
    "rapper",
    "singer",
    "striker",
    "tycoon",
    "widow",
    "writer",
];

/// Words before a role that make it a company's ("market leader Nintendo").
const NOT_PERSONS_ROLES: &[&str] = &["market", "industry", "sector"];

/// A name of two words or more that the model typed as an organization or a place and that
/// follows a person's title or role is a person, with all its other mentions: "Secretary of
/// State Condoleezza Rice", "pro-democracy leader Aung San Suu Kyi". Not a name with an
/// institution's word or a title in it ("Labour MP"), an abbreviation, a place the knowledge
/// base knows, or a company leading a market ("market leader Mengniu Dairy").
pub(super) fn type_by_role(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let word = |i: usize| a.tokens[i].text.as_str();
    let titled = |first: usize| {
        let role = first >= 1
            && PERSON_ROLES.contains(&word(first - 1))
            && !(first >= 2 && NOT_PERSONS_ROLES.contains(&a.forms[first - 2].as_str()));
        let title = first >= 1 && crate::tagger::is_title(word(first - 1));
        // "Secretary of State", "Minister of Defence": a minister's title.
        let of_title = first >= 3
            && word(first - 2) == "of"
            && a.is_capitalized(first - 1)
            && matches!(a.forms[first - 3].as_str(), "secretary" | "minister");
        role || title || of_title
    };
    let mut persons: HashSet<String> = HashSet::new();
    for d in drafts.iter() {
        if d.kind != EntityKind::Person
            && d.last - d.first >= 2
            && titled(d.first)
            && (d.first..d.last).all(|i| {
                let form = a.forms[i].as_str();
                a.is_capitalized(i)
                    && !a.is_org_word(i)
                    && !kb.is_legal_form(form.trim_end_matches('.'))
                    && !crate::tagger::is_title(word(i))
                    && !ROLES.contains(&form)
                    && !matches!(form, "mp" | "mps")
            })
            && d.text.chars().any(char::is_lowercase)
            && kb.place(&d.text).is_none()
        {
            persons.insert(d.name(a));
        }
    }
    if persons.is_empty() {
        return;
    }
    for d in drafts.iter_mut() {
        if persons.contains(&d.name(a)) {
            d.kind = EntityKind::Person;
        }
    }
}

/// A given name coordinated with a person's name is a person's too, whatever the model
/// typed it as: "David and Victoria", "Heidi and her husband Seal" aside, "Charles and
/// Camilla". Both must be one word, joined by "and", "&" or a comma.
pub(super) fn type_coordinated_given_names(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let joins = |i: usize| {
        a.tokens
            .get(i)
            .is_some_and(|t| matches!(t.text.as_str(), "and" | "&" | ","))
    };
    let person_word = |d: &Draft| d.kind == EntityKind::Person && d.last - d.first == 1;
    for k in 0..drafts.len() {
        let d = &drafts[k];
        if d.kind == EntityKind::Person
            || d.last - d.first != 1
            || !kb.is_given_name(&a.forms[d.first])
        {
            continue;
        }
        let before = k > 0
            && person_word(&drafts[k - 1])
            && drafts[k - 1].last + 1 == d.first
            && joins(d.first - 1);
        let after = k + 1 < drafts.len()
            && person_word(&drafts[k + 1])
            && d.last + 1 == drafts[k + 1].first
            && joins(d.last);
        if before || after {
            drafts[k].kind = EntityKind::Person;
            drafts[k].place = None;
        }
    }
}

/// A name of two to four capitalized words that the model typed as a place or an
/// organization is a person's when the article calls someone by its last word alone and no
/// person's full name ends with that word: "Tiger Woods" (typed a place) with "Woods" five
/// times a person. The lone word must weigh at least as much as the full name's own votes,
/// or the name must start with a known given name ("Dora Kallmus"). Names that start with
/// a known place ("Philadelphia Eagles"), that the knowledge base knows as a place, or that
/// stand for a team stay as they are.
///
/// Where a person's full name does end with that word, the name is a relative's when it is
/// two words and the article calls someone by its first word alone more than it names
/// anything else so: "Colt Gray" (typed a place) beside "Colin Gray", with "Colt" a person.
pub(super) fn type_full_names_by_surname(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let mut lone_person: HashMap<&str, f32> = HashMap::new();
    let mut full_surnames: Vec<&str> = Vec::new();
    for d in drafts.iter().filter(|d| d.kind == EntityKind::Person) {
        if d.last - d.first == 1 {
            *lone_person.entry(a.forms[d.first].as_str()).or_default() += d.confidence;
        } else {
            full_surnames.push(a.forms[d.last - 1].as_str());
        }
    }
    let capitalized = |i: usize| {
        a.tokens[i]
            .text
            .chars()
            .next()
            .is_some_and(char::is_uppercase)
    };
    let mut votes: HashMap<Vec<String>, f32> = HashMap::new();
    for d in drafts.iter().filter(|d| d.kind != EntityKind::Person) {
        *votes.entry(a.forms[d.first..d.last].to_vec()).or_default() += d.confidence;
    }
    let mut retyped: Vec<usize> = Vec::new();
    for (k, d) in drafts.iter().enumerate() {
        let words = d.last - d.first;
        if d.kind == EntityKind::Person
            || !(2..=4).contains(&words)
            || d.stands_for.is_some()
            || d.place.is_some()
            || !(d.first..d.last).all(capitalized)
        {
            continue;
        }
        if kb.place(&d.text).is_some() || kb.place(&a.tokens[d.first].text).is_some() {
            continue;
        }
        let surname = a.forms[d.last - 1].as_str();
        if full_surnames.contains(&surname) {
            // A relative: the surname is a family's ("Gray", not "County"), and the given
            // name alone is mostly someone's.
            let given = &a.forms[d.first];
            let as_person = lone_person.get(given.as_str()).copied().unwrap_or(0.0);
            let as_other = votes
                .get(std::slice::from_ref(given))
                .copied()
                .unwrap_or(0.0);
            if words == 2 && as_person > as_other && !super::orgs::PLACE_HEADS.contains(&surname) {
                retyped.push(k);
            }
            continue;
        }
        let Some(&lone) = lone_person.get(surname) else {
            continue;
        };
        let own = votes[&a.forms[d.first..d.last].to_vec()];
        if lone >= own || kb.is_given_name(&a.forms[d.first]) {
            retyped.push(k);
        }
    }
    for k in retyped {
        drafts[k].kind = EntityKind::Person;
    }
}

/// The words of a multi-word person name: given name, middle names, surname.
struct FullName<'a> {
    given: &'a str,
    middle: &'a [String],
    surname: &'a str,
}

impl<'a> FullName<'a> {
    fn of(a: &'a Analysis, d: &Draft) -> Option<Self> {
        if d.kind != EntityKind::Person || d.last - d.first < 2 {
            return None;
        }
        let forms = &a.forms[d.first..d.last];
        Some(FullName {
            given: &forms[0],
            middle: &forms[1..forms.len() - 1],
            surname: &forms[forms.len() - 1],
        })
    }

    /// Whether a given name matches another: the same, a nickname ("bob" = "robert"), or an
    /// initial ("j" = "john").
    fn given_matches(kb: &Kb, x: &str, y: &str) -> bool {
        let initial = |short: &str, long: &str| {
            short.chars().count() == 1 && long.starts_with(short) && long.len() > 1
        };
        kb.same_given_name(x, y) || initial(x, y) || initial(y, x)
    }

    /// Whether two full names can name one person: one surname, matching given names, and
    /// middle names that agree (one has none, or both have the same).
    fn compatible(&self, kb: &Kb, other: &FullName) -> bool {
        self.surname == other.surname
            && Self::given_matches(kb, self.given, other.given)
            && (self.middle.is_empty() || other.middle.is_empty() || self.middle == other.middle)
    }
}

/// For each draft that is a shorter or other form of one person's name in the article, the
/// draft of that person it joins. Lone surnames and given names become persons.
pub(super) fn link(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) -> Vec<Option<usize>> {
    let mut links = vec![None; drafts.len()];
    link_full_names(a, kb, drafts, &mut links);
    // Surname form → full-name drafts ending with it, and given name → full-name drafts
    // starting with it, in document order.
    let mut by_surname: HashMap<&str, Vec<usize>> = HashMap::new();
    let mut by_given: Vec<(usize, &str)> = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        if let Some(name) = FullName::of(a, d) {
            by_surname.entry(name.surname).or_default().push(i);
            by_given.push((i, name.given));
        }
    }
    if by_surname.is_empty() {
        return links;
    }
    for i in 0..drafts.len() {
        let d = &drafts[i];
        if d.last - d.first != 1 || links[i].is_some() {
            continue;
        }
        let form = a.forms[d.first].as_str();
        let target = match by_surname.get(form) {
            Some(candidates) => {
                let before = candidates.partition_point(|&j| drafts[j].first < d.first);
                Some(if before > 0 {
                    candidates[before - 1]
                } else {
                    candidates[0]
                })
            }
            None if d.kind == EntityKind::Person => {
                one_person_named(a, drafts, kb, &links, &by_given, form)
            }
            None => None,
        };
        if let Some(target) = target {
            links[i] = Some(root(&links, target));
            drafts[i].kind = EntityKind::Person;
        }
    }
    links
}

/// The one person of the article whose given name (or a nickname of it) is `form`; none
/// when two people of the article could be meant.
fn one_person_named(
    a: &Analysis,
    drafts: &[Draft],
    kb: &Kb,
    links: &[Option<usize>],
    by_given: &[(usize, &str)],
    form: &str,
) -> Option<usize> {
    // Several mentions of one full name are one person: compare the names they end at.
    let name = |i: usize| &a.forms[drafts[i].first..drafts[i].last];
    let mut found: Option<usize> = None;
    for &(j, given) in by_given {
        if !kb.same_given_name(given, form) {
            continue;
        }
        let person = root(links, j);
        match found {
            Some(other) if name(other) != name(person) => return None,
            Some(_) => {}
            None => found = Some(person),
        }
    }
    found
}

/// The draft a chain of links ends at.
fn root(links: &[Option<usize>], mut i: usize) -> usize {
    while let Some(next) = links[i] {
        i = next;
    }
    i
}

/// Full names written two ways join when the shorter (or the nickname) can mean only one of
/// the article's full names: "George Bush" joins "George W. Bush" unless "George H. W. Bush"
/// is named too.
fn link_full_names(a: &Analysis, kb: &Kb, drafts: &[Draft], links: &mut [Option<usize>]) {
    let names: Vec<Option<FullName>> = drafts.iter().map(|d| FullName::of(a, d)).collect();
    let forms = |i: usize| &a.forms[drafts[i].first..drafts[i].last];
    // Each spelling's first draft.
    let mut firsts: HashMap<&[String], usize> = HashMap::new();
    for i in (0..drafts.len()).filter(|&i| names[i].is_some()) {
        firsts.entry(forms(i)).or_insert(i);
    }
    let mut spellings: Vec<usize> = firsts.values().copied().collect();
    spellings.sort_unstable();
    let size = |j: usize| (drafts[j].last - drafts[j].first, drafts[j].text.len());
    let mut target_of: HashMap<usize, usize> = HashMap::new();
    for &i in &spellings {
        let name = names[i].as_ref().expect("a full name");
        let fuller: Vec<&FullName> = spellings
            .iter()
            .filter(|&&j| size(j) > size(i))
            .filter_map(|&j| names[j].as_ref())
            .filter(|other| name.compatible(kb, other))
            .collect();
        let one_person = fuller
            .iter()
            .all(|x| fuller.iter().all(|y| x.compatible(kb, y)));
        let best = spellings
            .iter()
            .copied()
            .filter(|&j| {
                size(j) > size(i) && names[j].as_ref().is_some_and(|o| name.compatible(kb, o))
            })
            .max_by_key(|&j| size(j));
        if let (Some(best), true) = (best, one_person) {
            target_of.insert(i, best);
        }
    }
    for i in (0..drafts.len()).filter(|&i| names[i].is_some()) {
        if let Some(&target) = target_of.get(&firsts[forms(i)]) {
            links[i] = Some(target);
        }
    }
}
