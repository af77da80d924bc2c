//! Names the model cut short of their head word: it often tags only the place an
//! institution's or a newspaper's name begins or ends with ("Massachusetts" in "Massachusetts
//! Institute of Technology", "Sydney" in "the Sydney Morning Herald", "Australia" in "the
//! Medical Journal of Australia") and leaves the rest untagged. When the capitalized words
//! next to such a name end with an institution's head word, the whole is one organization,
//! with the compass word the model may have left out before the place ("South" of "South
//! Wales Police").
//!
//! The model also misses whole names of that shape when the article writes their words in
//! lowercase elsewhere ("Transportation Security Administration" in an article about "the
//! administration"), and names of firms, labels and clubs it does not know ("Dixons Group",
//! "Island Records", "Jet Propulsion Laboratory"): an untagged run of capitalized words ending
//! with such a head word is an organization too.
//!
//! Only untagged words are taken (neither names nor what the model tagged MISC), only in
//! ordinary sentences (in a headline every word is capitalized), and never across a sentence
//! or a part of the article.
//!
//! A name written in camel case that the tokenizer split at its seam ("Marine|Traffic",
//! "Civic|Match", "Stream|Cast": it cannot tell them from words glued by scraped text,
//! "TensionsDescribing") is one name when the model tagged only its first part.

use std::collections::HashSet;

use super::orgs::INSTITUTION_HEADS;
use super::{Draft, Texts};
use crate::EntityKind;
use crate::features::Analysis;
use crate::kb::Kb;
use crate::tagger::Span;

/// Last words of newspapers' and journals' names: "Sydney Morning Herald", "Japan Times".
const OUTLET_HEADS: &[&str] = &[
    "herald",
    "times",
    "post",
    "journal",
    "gazette",
    "tribune",
    "telegraph",
    "chronicle",
    "newspaper",
    "magazine",
];

/// Head words that, alone after a place, describe rather than name: "a U.S. company",
/// "U.S. newspaper reports" (capitalized in some wire copy). They extend a name only with
/// other words before them ("Tokyo Electric Power Company").
const GENERIC_HEADS: &[&str] = &["company", "corporation", "newspaper", "magazine"];

/// Words that join the parts of an institution's name after its head: "Institute of
/// Technology", "Department of Health and Human Services".
const JOINERS: &[&str] = &["of", "for", "and", "&"];

/// The most words a name is extended by.
const MAX_WORDS: usize = 6;

/// Compass words that begin a place's name and that the model may leave out of it when the
/// place begins an institution's: "South" of "South Wales Police", "West" of "West German
/// Federation of Banks".
const COMPASS_WORDS: &[&str] = &[
    "north", "south", "east", "west", "northern", "southern", "eastern", "western",
];

/// Head words after which "of" continues an institution's name, as CoNLL-2003 tags it
/// ("National Association of Probation Officers", "Reserve Bank of India", "Council of
/// Europe"): the institutions' heads and "bank", not legal forms ("Bestop Inc of Boulder").
fn continues_with_of(form: &str) -> bool {
    (INSTITUTION_HEADS.contains(&form) || form == "bank")
        && !matches!(
            form,
            "inc" | "corp" | "ltd" | "plc" | "company" | "corporation" | "co"
        )
}

/// The end of the "of" part the model left out of an organization's name that ends with
/// `last`, a head word: "of" (and "the"), then untagged capitalized words and the joiners
/// between them ("of Water and Power"), without a title before a person's name ("of
/// Legislative Affairs Director [James Braid]").
fn of_tail(a: &Analysis, taken: &[bool], persons: &HashSet<usize>, last: usize) -> Option<usize> {
    let n = a.tokens.len();
    let mut i = last + 1;
    if i >= n || a.forms[i] != "of" || taken[i] {
        return None;
    }
    i += 1;
    if i < n && a.forms[i] == "the" && !taken[i] {
        i += 1;
    }
    if i >= n || a.tokens[i].sent_start {
        return None;
    }
    let mut end = run_end(a, taken, i)?;
    if end - last > MAX_WORDS + 1 {
        return None;
    }
    if before_person(a, persons, end) {
        end -= 1;
    }
    (end > i).then_some(end)
}

/// Titles of office holders that are not titles of address ([`crate::tagger::is_title`]).
const OFFICE_TITLES: &[&str] = &["director", "commissioner", "administrator", "chair", "head"];

/// Whether a person's name starts at `end` and a title comes before it: "Office of Legal
/// Affairs Director [James Braid]", "Federal Reserve Board Chairman [Paul Volcker]".
fn before_person(a: &Analysis, persons: &HashSet<usize>, end: usize) -> bool {
    persons.contains(&end)
        && end > 0
        && (crate::tagger::is_title(&a.tokens[end - 1].text)
            || OFFICE_TITLES.contains(&a.forms[end - 1].as_str()))
}

/// Extends place and organization names over the untagged capitalized words before or after
/// them that end with a head word, and a place over an "Air" before it, and makes them
/// organizations. An organization that ends with a head word takes the "of" part the model
/// left out after it ([`of_tail`]).
pub(super) fn extend(
    a: &Analysis,
    kb: &Kb,
    spans: &[Span],
    texts: &mut Texts,
    drafts: &mut [Draft],
) {
    let mut taken = taken(a, spans, drafts);
    let persons: HashSet<usize> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person)
        .map(|d| d.first)
        .collect();
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Organization
            && a.in_ordinary_sentence(d.first)
            && continues_with_of(&a.forms[d.last - 1])
            && let Some(end) = of_tail(a, &taken, &persons, d.last - 1)
        {
            taken[d.last..end].fill(true);
            let (first, confidence) = (d.first, d.confidence);
            *d = texts.draft(a, first, end, EntityKind::Organization, confidence);
            continue;
        }
        if d.kind == EntityKind::Person || !a.in_ordinary_sentence(d.first) {
            continue;
        }
        // "Air" before a place is an airline's name: "Air France", "Air China".
        let airline = d.kind == EntityKind::Place
            && d.first > 0
            && !a.tokens[d.first].sent_start
            && a.forms[d.first - 1] == "air"
            && free_word(a, &taken, d.first, d.first - 1);
        let first = if airline {
            d.first - 1
        } else {
            before(a, &taken, d.first).unwrap_or(d.first)
        };
        let last = after(a, &taken, d.last - 1)
            // A country's firm word describes: "the U.S. Group", "U.K. Press speculation"
            // (wire copy capitalizes them).
            .filter(|&end| {
                !(end == d.last + 1
                    && FIRM_HEADS.contains(&a.forms[d.last].as_str())
                    && kb.place(&d.text).is_some_and(|(_, p)| p.is_country()))
            })
            .unwrap_or(d.last);
        if (first, last) == (d.first, d.last) {
            continue;
        }
        let first = with_compass(a, &taken, first);
        taken[first..last].fill(true);
        let confidence = d.confidence;
        *d = texts.draft(a, first, last, EntityKind::Organization, confidence);
    }
}

/// Joins an organization that ends with a head word and the place the model tagged after its
/// "of" into the one organization they name: "Port Authority" "of" "New York", "Monetary
/// Authority" "of" "Singapore", "Motion Picture Association" "of" "America" (CoNLL-2003
/// tags them whole). Not when an acronym in brackets follows the place, which it defines
/// ("Supreme Council of the United Arab Emirates (UAE)").
pub(super) fn join_of_places(a: &Analysis, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    super::join_adjacent(
        a,
        texts,
        drafts,
        EntityKind::Organization,
        |d, next, gap| {
            d.kind == EntityKind::Organization
                && next.kind == EntityKind::Place
                && (gap == ["of"] || gap == ["of", "the"])
                && continues_with_of(&a.forms[d.last - 1])
                && a.in_ordinary_sentence(d.first)
                && a.tokens.get(next.last).is_none_or(|t| t.text != "(")
        },
    );
}

/// Which tokens are in a name already: the drafts', and those of the spans the model tagged
/// as other names (MISC: "Champions League", "Premier League" are competitions).
fn taken(a: &Analysis, spans: &[Span], drafts: &[Draft]) -> Vec<bool> {
    let mut taken = vec![false; a.tokens.len()];
    for s in spans {
        taken[s.start..s.end.min(a.tokens.len())].fill(true);
    }
    for d in drafts {
        taken[d.first..d.last].fill(true);
    }
    taken
}

/// Whether token `i` may be part of a name being extended from token `from`: an untagged,
/// capitalized word of the same sentence and part.
fn free_word(a: &Analysis, taken: &[bool], from: usize, i: usize) -> bool {
    !taken[i]
        && a.part[i] == a.part[from]
        && a.in_ordinary_sentence(i)
        && a.is_capitalized(i)
        && a.tokens[i].text.chars().all(char::is_alphabetic)
}

fn is_head(a: &Analysis, i: usize) -> bool {
    let form = a.forms[i].as_str();
    takes_of(form) || FIRM_HEADS.contains(&form)
}

/// Whether a head word goes on with "of" and a name: an institution's or an outlet's
/// ("Department of Health", "Medical Journal of Australia") and a club's ("Economic Club of
/// Detroit"); not a firm's, whose "of" gives where it is ("Sages Group of France").
fn takes_of(form: &str) -> bool {
    INSTITUTION_HEADS.contains(&form) || OUTLET_HEADS.contains(&form) || form == "club"
}

/// The end of the name that runs on from `last`, its last token: capitalized words up to a
/// head word ("State University"), then what the head joins ("of Technology"). None when no
/// head word follows.
fn after(a: &Analysis, taken: &[bool], last: usize) -> Option<usize> {
    let n = a.tokens.len();
    let mut i = last + 1;
    let mut head = None;
    while i < n && i - last <= MAX_WORDS && !a.tokens[i].sent_start && free_word(a, taken, last, i)
    {
        // A firm's head word ends its name: "White House Press Secretary" is an office.
        let firm_goes_on = FIRM_HEADS.contains(&a.forms[i].as_str())
            && i + 1 < n
            && !a.tokens[i + 1].sent_start
            && free_word(a, taken, last, i + 1);
        if is_head(a, i) && !firm_goes_on {
            head = Some(i);
        }
        i += 1;
    }
    let head = head?;
    if head == last + 1 && GENERIC_HEADS.contains(&a.forms[head].as_str()) {
        return None;
    }
    let mut end = head + 1;
    while takes_of(&a.forms[head])
        && end + 1 < n
        && end - last < MAX_WORDS
        && JOINERS.contains(&a.forms[end].as_str())
        && !taken[end]
        && !a.tokens[end + 1].sent_start
        && free_word(a, taken, last, end + 1)
    {
        end += 2;
        while end < n
            && end - last <= MAX_WORDS
            && !a.tokens[end].sent_start
            && free_word(a, taken, last, end)
        {
            end += 1;
        }
    }
    Some(end)
}

/// The start of the name that `first` ends: "<words> <head> of <name>" ("Medical Journal of
/// Australia"). None when the words before are not such a name.
fn before(a: &Analysis, taken: &[bool], first: usize) -> Option<usize> {
    if first < 2 || a.forms[first - 1] != "of" || taken[first - 1] {
        return None;
    }
    let head = first - 2;
    if !takes_of(&a.forms[head]) || !free_word(a, taken, first, head) {
        return None;
    }
    let mut start = head;
    while !a.tokens[start].sent_start
        && start > 0
        && head - (start - 1) < MAX_WORDS
        && free_word(a, taken, first, start - 1)
        && (!a.tokens[start - 1].sent_start || !a.is_common_word(start - 1))
    {
        start -= 1;
    }
    Some(start)
}

/// Head words that end an untagged name of three words or more but are too often a common
/// noun after one name to extend it ("the Trump administration").
const LONG_NAME_HEADS: &[&str] = &["administration"];

/// Last words of firms', labels' and clubs' names, which head a name the model left untagged
/// as it does not know it ("Dixons Group", "Qantas Airways", "Island Records", "Jet Propulsion
/// Laboratory", "National Press Club"): words that, capitalized after other capitalized words,
/// end a name and no common phrase. They find names and extend the model's, and retype none
/// it found whole ("Augusta National Golf Club", a course; "Natalie Press", a person).
pub(super) const FIRM_HEADS: &[&str] = &[
    "airlines",
    "airways",
    "books",
    "club",
    "enterprises",
    "entertainment",
    "foods",
    "group",
    "holdings",
    "industries",
    "laboratories",
    "laboratory",
    "labs",
    "motors",
    "partners",
    "pharma",
    "pharmaceuticals",
    "pictures",
    "press",
    "railway",
    "railways",
    "records",
    "studios",
    "technologies",
];

/// Head words of competitions as much as of institutions ("Champions League"): names the
/// model left untagged with them are not made organizations.
const COMPETITION_HEADS: &[&str] = &["league"];

/// Makes organizations of the untagged runs of capitalized words, in ordinary sentences,
/// that end with an institution's head word ("Transportation Security Administration",
/// "Supreme Court", "Ministry of Culture"): the model can miss a whole name when the article
/// also writes its words in lowercase ("the administration", "security"). A nationality the
/// model tagged right before is part of the name ("Brazilian" + "Coffee Institute"); a name
/// the article tags as something else (MISC) elsewhere stays untagged.
pub(super) fn find_untagged(
    a: &Analysis,
    spans: &[Span],
    texts: &mut Texts,
    drafts: &mut Vec<Draft>,
) {
    let taken = taken(a, spans, drafts);
    let persons: HashSet<usize> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person)
        .map(|d| d.first)
        .collect();
    let misc: Vec<&Span> = spans.iter().filter(|s| s.kind == "MISC").collect();
    let misc_names: HashSet<&[String]> = misc.iter().map(|s| &a.forms[s.start..s.end]).collect();
    let mut i = 0;
    while i < a.tokens.len() {
        let Some(end) = run_end(a, &taken, i) else {
            i += 1;
            continue;
        };
        let first = if a.forms[i] == "the" || a.tokens[i].sent_start && a.is_common_word(i) {
            i + 1
        } else {
            i
        };
        // A title before a person's name is no part of the institution's: "Office of
        // Management and Budget Director [Russell Vought]".
        let named = if before_person(a, &persons, end) {
            end - 1
        } else {
            end
        };
        if let Some(last) = named_institution(a, first, named)
            && !misc_names.contains(&a.forms[first..last])
        {
            let first = misc
                .iter()
                .find(|s| s.end == first && is_nationality(a, s))
                .map_or(first, |s| s.start);
            let first = with_compass(a, &taken, first);
            drafts.push(texts.draft(a, first, last, EntityKind::Organization, 0.5));
        }
        i = end;
    }
}

/// `first`, or the token before it when that is an untagged compass word of the same
/// sentence ("South" + "Wales Police").
fn with_compass(a: &Analysis, taken: &[bool], first: usize) -> usize {
    let compass = first > 0
        && !a.tokens[first].sent_start
        && COMPASS_WORDS.contains(&a.forms[first - 1].as_str())
        && free_word(a, taken, first, first - 1);
    if compass { first - 1 } else { first }
}

/// Whether a MISC span is a nationality that may begin a name: one or two capitalized words
/// ("Brazilian", "West German").
fn is_nationality(a: &Analysis, s: &Span) -> bool {
    s.end - s.start <= 2
        && (s.start..s.end)
            .all(|k| a.is_capitalized(k) && a.tokens[k].text.chars().all(char::is_alphabetic))
}

/// The end of the run of untagged capitalized words (and the joiners between them) that
/// starts at `i`, if one does.
fn run_end(a: &Analysis, taken: &[bool], i: usize) -> Option<usize> {
    let continues = i > 0 && !a.tokens[i].sent_start && free_word(a, taken, i, i - 1);
    if !free_word(a, taken, i, i) || continues {
        return None;
    }
    let n = a.tokens.len();
    let mut end = i + 1;
    loop {
        if end < n && !a.tokens[end].sent_start && free_word(a, taken, i, end) {
            end += 1;
        } else if end + 1 < n
            && JOINERS.contains(&a.forms[end].as_str())
            && !taken[end]
            && !a.tokens[end + 1].sent_start
            && free_word(a, taken, i, end + 1)
        {
            end += 2;
        } else {
            return Some(end);
        }
    }
}

/// The end of the institution's name that tokens `first..end` make, if they make one: two
/// capitalized words or more, ending with a head word ("Supreme Court") or, when they hold
/// "of", with "<head> of <words>" ("Court of Appeal"; not "Act of Parliament"). A firm's name
/// ends with its head word ([`FIRM_HEADS`]: "Vextor Group" of "Ostavia"), except a group
/// numbered by "of" ("Group of Seven").
fn named_institution(a: &Analysis, first: usize, end: usize) -> Option<usize> {
    if end < first + 2 || end - first > MAX_WORDS + 1 {
        return None;
    }
    let of = (first + 1..end - 1).find(|&k| a.forms[k] == "of");
    let head = of.map_or(end - 1, |of| of - 1);
    let form = a.forms[head].as_str();
    // "Group of Seven", "Group of 77"; not "Group of Latin [American ...]", nor "Group of
    // Five and Group of Seven", two names.
    let numbered_group =
        || form == "group" && of.is_some_and(|of| of + 2 == end && is_number(&a.forms[of + 1]));
    if FIRM_HEADS.contains(&form) && !takes_of(form) && !numbered_group() {
        // A firm's "of" part says where it is: "Vextor Group" of "Ostavia".
        return (head + 1 >= first + 2).then_some(head + 1);
    }
    let named = INSTITUTION_HEADS.contains(&form)
        && !GENERIC_HEADS.contains(&form)
        && !COMPETITION_HEADS.contains(&form)
        || LONG_NAME_HEADS.contains(&form) && end - first >= 3
        || FIRM_HEADS.contains(&form);
    named.then_some(end)
}

/// Whether a folded word is a cardinal number: "77", "seven", "twenty".
fn is_number(form: &str) -> bool {
    form.chars().all(|c| c.is_ascii_digit())
        || [
            "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
            "twelve", "fifteen", "twenty", "thirty",
        ]
        .contains(&form)
}

/// Days of the week, which scraped text glues after a name ("ReutersThursday").
const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Extends a draft over the capitalized word glued after it at a camel-case seam ("Marine"
/// of "MarineTraffic", "Civic" of "CivicMatch"), one the model left untagged: not a title
/// ("VermontSen.", "O'NeillandGeneral Counsel"), a given name ("IsraelMike Huckabee"), a day
/// ("ReutersThursday") or a word opening a heading's next sentence ("TensionsDescribing",
/// "ProtestsThe"), nor after a person's full name. The tokenizer takes a glued word news
/// writes in lowercase for a sentence's first ("Traffic" of "MarineTraffic"); the tagged name
/// before it says otherwise.
pub(super) fn extend_over_camel_seams(
    a: &Analysis,
    kb: &crate::kb::Kb,
    texts: &mut Texts,
    drafts: &mut [Draft],
) {
    if !a.tokens.iter().any(|t| t.glued) {
        return;
    }
    let mut tagged = vec![false; a.tokens.len()];
    for d in drafts.iter() {
        tagged[d.first..d.last].fill(true);
    }
    for d in drafts.iter_mut() {
        let next = d.last;
        let Some(t) = a.tokens.get(next) else {
            continue;
        };
        let camel = t.glued
            && t.text.starts_with(char::is_uppercase)
            && t.text.chars().skip(1).all(char::is_lowercase)
            && a.tokens[next - 1].text.ends_with(char::is_lowercase);
        let form = a.forms[next].as_str();
        // A heading glued to its next sentence opens it with a participle or a small word:
        // "TensionsDescribing", "ProtestsThe".
        let opener = form.ends_with("ing") || super::places::OPENERS.contains(&form);
        if !camel
            || tagged[next]
            || opener
            || crate::tagger::is_title(&t.text)
            || kb.is_given_name(form)
            || WEEKDAYS.contains(&form)
            || d.kind == EntityKind::Person && d.last - d.first > 1
        {
            continue;
        }
        *d = texts.draft(a, d.first, next + 1, d.kind, d.confidence);
        tagged[next] = true;
    }
}
