//! In-article resolution: turns tagged spans into mentions and entities, one entity for each
//! thing the article names, with its canonical name and the match key that merges it with
//! the same thing in other articles.
//!
//! The passes, in order: a name tagged MISC that speaks or has shares is an organization's
//! ("Airbus said", `orgs`); a sentence's final period and a person's abbreviated title are
//! cut off the name before them ("Omaha.", "GOP Rep."); an untagged repeat of a name tagged
//! elsewhere in the article is a mention too (`repeats`); boilerplate, tickers and storms are
//! dropped (`junk`); firms named after partners are joined ("Goldman, Sachs and Co") and
//! names run together split (`places`, `orgs`: "Haitai and Samsung"); forms of address are
//! cut off names (`persons`); names the model cut short of their head word are extended to
//! it, and untagged ones found ("Massachusetts Institute of Technology", "Air France",
//! `heads`); acronyms defined in parentheses are found (`acronym`); the one name of a list
//! typed otherwise than the others takes their kind ("Google, Apple and Amazon", `lists`);
//! each name gets the kind most of its mentions were given, and a name ending with an
//! institution's head word ("High Court", "Arab League") is an organization (`orgs`);
//! datelines are places and known places get their knowledge-base identity (`places`); a name the
//! article gives members, officials, shareholders or reporters is an organization ("a member of
//! Scientology", "a Reuters reporter"; `orgs`), and so is a one-word "person" it refers back to as
//! a thing ("its") or written like a brand ("BlackRock"), a "person" written as a news outlet ("the
//! news weekly Der Spiegel"), and one that begins the name of an organization the article names in
//! full ("Harvard" after "Harvard University"); in sports reports, countries and cities that play
//! are teams, and so are "persons" in result lines (`teams`); shorter forms of names join the full
//! names they abbreviate (`persons`, `orgs`); mentions with one identity share one entity.

use std::collections::{HashMap, HashSet};

use crate::features::{Analysis, Cap};
use crate::kb::Kb;
use crate::tagger::Span;
use crate::{Entity, EntityKind, Extraction, Field, Known, Mention};

mod acronym;
mod heads;
mod junk;
mod keys;
mod lists;
mod orgs;
mod persons;
mod places;
mod repeats;
mod teams;

pub(crate) use keys::entity_key;

/// A mention before entities are assigned.
struct Draft {
    part: usize,
    /// First token.
    first: usize,
    /// One past the last token.
    last: usize,
    kind: EntityKind,
    confidence: f32,
    text: String,
    /// Code-point offsets into the part's text.
    start: usize,
    end: usize,
    /// The knowledge-base place it names.
    place: Option<u32>,
    /// The name of what it stands for when that is not its text ("England national cricket
    /// team" for "England" in a cricket report).
    stands_for: Option<String>,
    /// The type of its name when that is not its entity's kind: a place's name for the
    /// national team it stands for.
    written_as: Option<EntityKind>,
}

/// Joins each draft with the next one in the text, in the same part of the article, into one
/// draft of `kind` where `joined(draft, next, gap)` says so (`gap`: the folded tokens between
/// them); a draft joined to the one before it joins no further.
fn join_adjacent(
    a: &Analysis,
    texts: &mut Texts,
    drafts: &mut Vec<Draft>,
    kind: EntityKind,
    joined: impl Fn(&Draft, &Draft, &[String]) -> bool,
) {
    // The drafts are not in text order yet (repeats come last).
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (drafts[i].part, drafts[i].first));
    let mut joins: Vec<(usize, usize)> = Vec::new();
    for pair in order.windows(2) {
        let (d, next) = (&drafts[pair[0]], &drafts[pair[1]]);
        if joins.last().is_some_and(|&(_, j)| j == pair[0])
            || next.first < d.last
            || d.part != next.part
        {
            continue;
        }
        if joined(d, next, &a.forms[d.last..next.first]) {
            joins.push((pair[0], pair[1]));
        }
    }
    for &(i, j) in &joins {
        let (first, last) = (drafts[i].first, drafts[j].last);
        let confidence = drafts[i].confidence.min(drafts[j].confidence);
        drafts[i] = texts.draft(a, first, last, kind, confidence);
    }
    let mut gone: Vec<usize> = joins.iter().map(|&(_, j)| j).collect();
    gone.sort_unstable();
    for j in gone.into_iter().rev() {
        drafts.remove(j);
    }
}

/// Tokens `from..to` as written, one space apart: a name to look up in the knowledge base,
/// which folds it.
fn written(a: &Analysis, from: usize, to: usize) -> String {
    a.tokens[from..to]
        .iter()
        .map(|t| t.text.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

impl Draft {
    /// The name as its folded token forms, the same for "Vučić" and "VUCIC".
    fn name(&self, a: &Analysis) -> String {
        a.forms[self.first..self.last].join(" ")
    }

    /// The knowledge-base place it names, while it is a place.
    fn known_place(&self) -> Option<u32> {
        self.place
            .filter(|_| self.kind == EntityKind::Place && self.stands_for.is_none())
    }

    /// The name it is known by: what it stands for, else its text.
    fn canonical(&self, kb: &Kb) -> String {
        match (&self.stands_for, self.known_place()) {
            (Some(name), _) => name.clone(),
            (None, Some(place)) => kb.place_at(place).name.clone(),
            (None, None) => self.text.clone(),
        }
    }

    /// The match key of what it names.
    fn key(&self, kb: &Kb) -> String {
        match self.known_place() {
            Some(place) => format!("place:{}", kb.place_key(place)),
            None => entity_key(kb, self.kind, &self.canonical(kb)),
        }
    }
}

fn kind_of(conll: &str) -> Option<EntityKind> {
    match conll {
        "PER" => Some(EntityKind::Person),
        "LOC" => Some(EntityKind::Place),
        "ORG" => Some(EntityKind::Organization),
        _ => None,
    }
}

/// The parts' texts with code-point-to-byte offsets, built only for parts that have mentions.
struct Texts<'t> {
    parts: &'t [&'t str],
    index: Vec<Vec<usize>>,
}

impl<'t> Texts<'t> {
    fn new(parts: &'t [&'t str]) -> Self {
        Texts {
            parts,
            index: vec![Vec::new(); parts.len()],
        }
    }

    /// A draft for tokens `first..last` of the analysis.
    fn draft(
        &mut self,
        a: &Analysis,
        first: usize,
        last: usize,
        kind: EntityKind,
        confidence: f32,
    ) -> Draft {
        let part = a.part[first] as usize;
        let (start, end) = (
            a.tokens[first].start as usize,
            a.tokens[last - 1].end as usize,
        );
        let idx = &mut self.index[part];
        if idx.is_empty() {
            idx.extend(self.parts[part].char_indices().map(|(b, _)| b));
            idx.push(self.parts[part].len());
        }
        let end = end.min(idx.len() - 1);
        let start = start.min(end);
        let text = self.parts[part][idx[start]..idx[end]].to_owned();
        Draft {
            part,
            first,
            last,
            kind,
            confidence,
            text,
            start,
            end,
            place: None,
            stands_for: None,
            written_as: None,
        }
    }
}

/// Builds the extraction of one document from its tagged spans.
pub fn resolve(
    a: &Analysis,
    spans: &[Span],
    parts: &[&str],
    fields: &[Field],
    kb: &Kb,
) -> Extraction {
    let mut texts = Texts::new(parts);
    let mut drafts: Vec<Draft> = Vec::new();
    let spans = orgs::misc_as_orgs(a, kb, merge_nationality_into_org(a, spans));
    for s in &spans {
        let Some(kind) = kind_of(&s.kind) else {
            continue;
        };
        let first = if s.end - s.start > 1 && a.forms[s.start] == "the" {
            s.start + 1
        } else {
            s.start
        };
        let Some((last, kind)) = trim_end(a, kb, first, s.end, kind) else {
            continue;
        };
        drafts.push(texts.draft(a, first, last, kind, s.confidence));
    }
    repeats::tag(a, &spans, &mut texts, &mut drafts);
    junk::remove(a, &mut texts, &mut drafts);
    heads::extend_over_camel_seams(a, kb, &mut texts, &mut drafts);
    places::split_place_pairs(a, kb, &mut texts, &mut drafts);
    places::join_of_names(a, kb, &mut texts, &mut drafts);
    heads::extend(a, kb, &spans, &mut texts, &mut drafts);
    heads::join_of_places(a, &mut texts, &mut drafts);
    heads::find_untagged(a, &spans, &mut texts, &mut drafts);
    places::number_roads(a, &mut texts, &mut drafts);
    places::extend_to_divisions(a, kb, &mut texts, &mut drafts);
    orgs::join_comma_firms(a, kb, &mut texts, &mut drafts);
    orgs::split_coordinations(a, kb, &mut texts, &mut drafts);
    orgs::split_joined_names(a, kb, &mut texts, &mut drafts);
    persons::trim_honorifics(a, &mut texts, &mut drafts);
    persons::split_titles(a, kb, &mut texts, &mut drafts);
    persons::split_trailing_acronyms(a, &mut texts, &mut drafts);
    acronym::extend_to_definitions(a, &mut texts, &mut drafts);
    let acronyms = acronym::define(a, &mut texts, &mut drafts);
    drafts.sort_by_key(|d| d.first);
    persons::type_by_role(a, kb, &mut drafts);
    places::type_city_and_region(a, kb, &mut drafts);
    lists::type_by_list(a, kb, &mut drafts);
    vote_kinds(a, &mut drafts);
    orgs::type_by_head(a, kb, &mut drafts);
    orgs::possessive_names(a, kb, &mut texts, &mut drafts);
    orgs::type_places_by_description(a, &mut drafts);
    places::type_persons_by_preposition(a, kb, &mut drafts);
    places::mark_datelines(a, &mut drafts);
    places::mark_features(a, &mut drafts);
    places::identify(a, kb, &mut drafts);
    places::mark_planets(a, &mut drafts);
    orgs::type_by_context(a, kb, &mut drafts);
    orgs::type_by_pronouns(a, &mut drafts);
    orgs::type_brands(a, kb, &mut drafts);
    orgs::type_outlets(a, kb, &mut drafts);
    orgs::type_short_forms(a, kb, &mut drafts);

    teams::mark(a, kb, &mut drafts);
    persons::type_coordinated_given_names(a, kb, &mut drafts);
    persons::type_full_names_by_surname(a, kb, &mut drafts);
    let mut uf = UnionFind::new(drafts.len());
    // A lone surname joins its own full name, not every other "Guthrie" of the article:
    // "Nancy Guthrie" and "Savannah Guthrie" must stay two people.
    let persons = persons::link(a, kb, &mut drafts);
    for (i, full) in persons.iter().enumerate() {
        if let Some(full) = *full {
            uf.union(full, i);
        }
    }
    for (short, full) in orgs::link(a, kb, &drafts) {
        uf.union(short, full);
    }
    let keys: Vec<String> = drafts.iter().map(|d| d.key(kb)).collect();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    for (i, key) in keys.iter().enumerate() {
        if persons[i].is_none() {
            let first = *by_key.entry(key.as_str()).or_insert(i);
            uf.union(first, i);
        }
    }
    let mut expansions = vec![false; drafts.len()];
    let by_range: HashMap<(usize, usize), usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.first, d.last), i))
        .collect();
    let names: Vec<String> = drafts.iter().map(|d| d.name(a)).collect();
    let mut by_form: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        by_form.entry(name.as_str()).or_default().push(i);
    }
    for (acr, exp) in acronyms {
        let Some(&e) = by_range.get(&exp) else {
            continue;
        };
        expansions[e] = true;
        for &i in by_form.get(acr.as_str()).into_iter().flatten() {
            drafts[i].kind = drafts[e].kind;
            drafts[i].place = None;
            uf.union(i, e);
        }
    }
    build(kb, drafts, &mut uf, &expansions, fields)
}

/// Abbreviated titles that come before a person's name, never at the end of another name:
/// "GOP Rep. Mike Lawler", "Air Force Maj. Jane Kell".
const TITLE_ABBREVIATIONS: &[&str] = &[
    "rep.", "sen.", "gov.", "maj.", "gen.", "col.", "lt.", "capt.", "sgt.", "cpl.", "pvt.", "adm.",
    "cmdr.", "cdr.", "det.", "insp.", "supt.", "rev.", "dr.", "prof.", "mr.", "mrs.", "ms.",
];

/// Abbreviations longer than four letters that the tokenizer leaves without their period
/// ("Calif" "."), which the period belongs to.
const LONG_ABBREVIATIONS: &[&str] = &["calif"];

/// Whether a folded word before a period is an abbreviation the period belongs to: a word of
/// up to four letters ("Fla", "Ky", "Ave"), or one of [`LONG_ABBREVIATIONS`].
fn is_abbreviation(word: &str) -> bool {
    word.chars().count() <= 4 || LONG_ABBREVIATIONS.contains(&word)
}

/// The end and kind of a name the model ran over a sentence's last period ("Omaha .") or a
/// person's abbreviated title after it ("GOP Rep.", "Texas Rep.", "US Navy Capt."): the
/// period and the title are cut off, and what is left is a place when the knowledge base
/// knows it as one. None when nothing is left but a title, or an adjective ("Democratic Rep.").
fn trim_end(
    a: &Analysis,
    kb: &Kb,
    first: usize,
    end: usize,
    kind: EntityKind,
) -> Option<(usize, EntityKind)> {
    // "Mich" of "Lansing, Mich., March 25" or "Troy, Mich.": the period is the abbreviation's
    // (a period that opens a part has a space before it). In capitals, only before a comma:
    // "USA." ends its sentence.
    if let Some(dot) = a.tokens.get(end)
        && kind != EntityKind::Person
        && dot.text == "."
        && !dot.space_before
        && (Cap::of(&a.tokens[first].text) == Cap::Init
            || a.tokens.get(end + 1).is_some_and(|t| t.text == ","))
        && kb.is_place_abbreviation(&written(a, first, end))
    {
        return Some((end + 1, kind));
    }
    let mut last = end;
    if last - first > 1 && a.tokens[last - 1].text == "." && !is_abbreviation(&a.forms[last - 2]) {
        last -= 1;
    }
    if kind == EntityKind::Person
        || !TITLE_ABBREVIATIONS.contains(&a.tokens[last - 1].text.to_lowercase().as_str())
    {
        return Some((last, kind));
    }
    last -= 1;
    if last == first || last - first == 1 && persons::ends_like_nationality(&a.forms[first]) {
        return None;
    }
    let place = kb.place(&written(a, first, last)).is_some();
    Some((last, if place { EntityKind::Place } else { kind }))
}

/// "Serbian" (MISC) directly followed by "Defense Ministry" (ORG) is one organization, "the
/// Serbian Defense Ministry": a one-word nationality before an organization name is part of it.
fn merge_nationality_into_org(a: &Analysis, spans: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut k = 0;
    while k < spans.len() {
        let s = &spans[k];
        if let Some(next) = spans.get(k + 1)
            && s.kind == "MISC"
            && next.kind == "ORG"
            && s.end - s.start == 1
            && next.start == s.end
            && !a.tokens[next.start].sent_start
            && a.tokens[s.start].text.chars().all(char::is_alphabetic)
        {
            out.push(Span {
                start: s.start,
                end: next.end,
                kind: next.kind.clone(),
                confidence: s.confidence.min(next.confidence),
            });
            k += 2;
            continue;
        }
        out.push(s.clone());
        k += 1;
    }
    out
}

/// The folded words of the article's persons named with more than one token ("milos",
/// "vucevic"): a one-word name among them is a surname or a given name, not a company's or a
/// club's.
fn words_of_full_names<'a>(a: &'a Analysis, drafts: &[Draft]) -> HashSet<&'a str> {
    drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person && d.last - d.first > 1)
        .flat_map(|d| a.forms[d.first..d.last].iter().map(String::as_str))
        .collect()
}

/// Gives every occurrence of one name the kind with the most confidence over its mentions.
fn vote_kinds(a: &Analysis, drafts: &mut [Draft]) {
    let mut votes: HashMap<String, [f32; 3]> = HashMap::new();
    for d in drafts.iter() {
        votes.entry(d.name(a)).or_default()[d.kind as usize] += d.confidence;
    }
    for d in drafts.iter_mut() {
        let v = votes[&d.name(a)];
        let best = (0..3)
            .max_by(|&x, &y| v[x].total_cmp(&v[y]))
            .expect("three kinds");
        d.kind = [
            EntityKind::Person,
            EntityKind::Place,
            EntityKind::Organization,
        ][best];
    }
}

/// Groups the drafts into entities and mentions.
fn build(
    kb: &Kb,
    drafts: Vec<Draft>,
    uf: &mut UnionFind,
    expansions: &[bool],
    fields: &[Field],
) -> Extraction {
    let mut entity_of: HashMap<usize, usize> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (drafts[i].part, drafts[i].start));
    for &i in &order {
        let root = uf.find(i);
        let e = *entity_of.entry(root).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[e].push(i);
    }
    let entities: Vec<Entity> = members
        .iter()
        .map(|m| entity(kb, &drafts, m, expansions))
        .collect();
    let mentions = order
        .into_iter()
        .map(|i| {
            let d = &drafts[i];
            let entity = entity_of[&uf.find(i)];
            Mention {
                entity,
                field: fields.get(d.part).copied().unwrap_or(Field::Body),
                start: d.start,
                end: d.end,
                text: d.text.clone(),
                kind: d.written_as.unwrap_or_else(|| entities[entity].kind),
                confidence: d.confidence,
            }
        })
        .collect();
    Extraction { entities, mentions }
}

/// The entity of a group of drafts, named after its canonical member: a defined acronym's
/// expansion, else what a member stands for (a known place, a team), else the longest name.
fn entity(kb: &Kb, drafts: &[Draft], members: &[usize], expansions: &[bool]) -> Entity {
    // The longest name, written in mixed case when it can be ("Moody's", not the headline's
    // "MOODY'S").
    let size = |i: usize| {
        let name = drafts[i].canonical(kb);
        (name.chars().count(), name.chars().any(char::is_lowercase))
    };
    let canon = members
        .iter()
        .copied()
        .find(|&i| expansions[i])
        .or_else(|| {
            members
                .iter()
                .copied()
                .filter(|&i| drafts[i].stands_for.is_some() || drafts[i].known_place().is_some())
                .max_by_key(|&i| (size(i), std::cmp::Reverse(i)))
        })
        .unwrap_or_else(|| {
            members
                .iter()
                .copied()
                .max_by_key(|&i| (size(i), std::cmp::Reverse(i)))
                .expect("non-empty")
        });
    let d = &drafts[canon];
    let mut aliases: Vec<String> = Vec::new();
    for &i in members {
        if !aliases.contains(&drafts[i].text) {
            aliases.push(drafts[i].text.clone());
        }
    }
    let known = d.known_place().map(|p| {
        let place = kb.place_at(p);
        Known {
            wikidata_id: place.wikidata_id.clone(),
            geonames_id: place.geonames_id,
            coordinates: Some((place.latitude, place.longitude)),
        }
    });
    Entity {
        kind: d.kind,
        key: d.key(kb),
        canonical: d.canonical(kb),
        aliases,
        known,
    }
}

/// Disjoint sets over draft indices.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}

#[cfg(test)]
mod tests;
