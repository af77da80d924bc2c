//! Organizations inside one article: a short form joins the full name it begins when it can
//! mean only that one ("Dominion" → "Dominion Textile Inc"; "Hanover" → "Hanover Insurance
//! Co"), and an acronym joins the organization whose initials it spells even without a
//! definition in brackets ("BA" → "British Airways", "U.N." → "United Nations"). Legal forms
//! do not count as words ("Hanover Insurance Co" begins with "Hanover Insurance").
//!
//! Before that, names the model gave another type become organizations by their head word
//! ("High Court") or by what the article says of them ("a member of Scientology", "Google
//! headquarters", "a Reuters reporter").

use std::collections::{HashMap, HashSet};

use super::heads::FIRM_HEADS;
use super::{Draft, Texts, keys::entity_key};
use crate::EntityKind;
use crate::features::{Analysis, Cap, is_acronym};
use crate::kb::Kb;
use crate::tagger::Span;

/// Words an acronym may skip ("Organization of the Petroleum Exporting Countries": OPEC).
const MINOR_WORDS: &[&str] = &[
    "of", "the", "and", "for", "de", "la", "le", "du", "des", "del", "der", "in", "on", "at", "to",
    "&",
];

/// Verbs a company name is the subject of ("Moody's said", "Standard & Poor's cut").
const SUBJECT_VERBS: &[&str] = &[
    "said",
    "says",
    "rated",
    "rates",
    "cut",
    "cuts",
    "raised",
    "raises",
    "lowered",
    "downgraded",
    "upgraded",
    "affirmed",
    "placed",
    "put",
    "has",
    "had",
    "is",
    "was",
    "will",
    "would",
    "may",
    "also",
    "announced",
    "reported",
    "confirmed",
];

/// Last words that make a name an institution, whatever the model typed it as: "High Court",
/// "Arab League", "U.S. Geological Survey", "Reagan Communications Inc". Words that also end
/// places ("bank": "West Bank"; "union": "Soviet Union") are left out, and a name the knowledge
/// base knows as a place stays one. Only the unambiguous legal forms are here, not all of
/// [`Kb::is_legal_form`]'s: short ones such as "na", "se" or "ao" also end people's names.
pub(super) const INSTITUTION_HEADS: &[&str] = &[
    "academy",
    "agency",
    "army",
    "assembly",
    "association",
    "authority",
    "board",
    "bureau",
    "cabinet",
    "college",
    "commission",
    "committee",
    "company",
    "congress",
    "corp",
    "corporation",
    "council",
    "court",
    "department",
    "federation",
    "force",
    "forces",
    "foundation",
    "fund",
    "inc",
    "institute",
    "league",
    "ltd",
    "ministry",
    "navy",
    "office",
    "parliament",
    "party",
    "plc",
    "police",
    "school",
    "schools",
    "senate",
    "service",
    "survey",
    "tribunal",
    "trust",
    "university",
];

/// Splits a name that coordinates two names the article also gives apart: "Haitai and
/// Samsung" when "Haitai" and "Samsung" are named alone elsewhere, as lists and results
/// run names together, and an organization that coordinates two institutions' names even
/// where the article never gives them apart ("International Monetary Fund and World Bank";
/// [`coordinates_institutions`]). "Marks and Spencer", named only whole, stays one, and so
/// does a place the knowledge base knows whole ("Bosnia and Herzegovina").
pub(super) fn split_coordinations(
    a: &Analysis,
    kb: &Kb,
    texts: &mut Texts,
    drafts: &mut Vec<Draft>,
) {
    let joined = |d: &Draft| {
        a.forms[d.first..d.last]
            .iter()
            .any(|f| matches!(f.as_str(), "and" | "&"))
    };
    if !drafts.iter().any(joined) {
        return;
    }
    let names: HashSet<String> = drafts.iter().map(|d| d.name(a)).collect();
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        let cut = (d.first + 1..d.last.saturating_sub(1)).find(|&i| {
            matches!(a.forms[i].as_str(), "and" | "&")
                && (names.contains(&a.forms[d.first..i].join(" "))
                    && names.contains(&a.forms[i + 1..d.last].join(" "))
                    || coordinates_institutions(a, kb, d, i))
        });
        match cut {
            Some(cut) if d.kind != EntityKind::Person && kb.place(&d.text).is_none() => {
                let (first, last, kind, confidence) = (d.first, d.last, d.kind, d.confidence);
                drafts[k] = texts.draft(a, first, cut, kind, confidence);
                drafts.insert(k + 1, texts.draft(a, cut + 1, last, kind, confidence));
                k += 2;
            }
            _ => k += 1,
        }
    }
}

/// Words that go on a bank's or a trust's name after "and": "Sumitomo Trust and Banking Co",
/// "First National Bank and Trust Co", "National Trust and Savings Association", "Nomura
/// Investment Trust and Management Co".
const FIRM_CONTINUATIONS: &[&str] = &[
    "trust",
    "banking",
    "savings",
    "loan",
    "loans",
    "investment",
    "management",
];

/// Whether the "and" at token `and` of an organization's draft joins two institutions'
/// names: the part before it is two words or more ending with an institution's or a firm's
/// head word or "bank", and the part after it is either a name ending so (or with a legal
/// form) or one capitalized word that news writes capitalized and is no nationality nor
/// "Maoist" ("International Monetary Fund and World Bank", "Federal Trade Commission and
/// Justice Department", "Kenya Revenue Authority and Safaricom", "Salomon Brothers Inc and
/// Cowen and Co", "Eastern Airlines and People Express Airlines"). A firm's name that goes
/// on after "and" ("Sumitomo Trust and Banking Co Ltd", "Citizens Bank and Trust
/// Co") and a name whose first part ends otherwise ("House Energy and Commerce Committee")
/// stay one.
fn coordinates_institutions(a: &Analysis, kb: &Kb, d: &Draft, and: usize) -> bool {
    let head = |i: usize| {
        let form = a.forms[i].as_str();
        INSTITUTION_HEADS.contains(&form) || form == "bank" || FIRM_HEADS.contains(&form)
    };
    // Not a company's head before "and": "Securities and Exchange Commission".
    if d.kind != EntityKind::Organization
        || and - d.first < 2
        || !head(and - 1)
        || !a.is_capitalized(and - 1)
    {
        return false;
    }
    let head = |i: usize| head(i) || COMPANY_HEADS.contains(&a.forms[i].as_str());
    let right = and + 1;
    if !a.is_capitalized(right) || FIRM_CONTINUATIONS.contains(&a.forms[right].as_str()) {
        return false;
    }
    if d.last - right == 1 {
        let form = a.forms[right].as_str();
        return !head(right)
            && !a.is_common_word(right)
            && !kb.is_legal_form(form)
            && !super::persons::ends_like_nationality(form)
            && !form.ends_with("ist");
    }
    head(d.last - 1) || kb.is_legal_form(&a.forms[d.last - 1])
}

/// Splits a name the model ran over a place it is in or over a second name: "Washington
/// State University in Pullman" is the university and the place "Pullman" (when the name
/// before "in" ends with an institution's word and the knowledge base knows the place or its
/// name ends like a place's, "in Orange County"), and "NBC News and the Wall Street Journal"
/// two organizations. "Organisation for Security and Cooperation in Europe", "Investors in
/// Industry Plc", "the Economic and Social Commission for Asia and the Pacific" (places
/// coordinated inside a name) and "Chorlton And The Wheelies" (a title) stay one.
pub(super) fn split_joined_names(
    a: &Analysis,
    kb: &Kb,
    texts: &mut Texts,
    drafts: &mut Vec<Draft>,
) {
    let capitalized = |from: usize, to: usize| (from..to).all(|j| a.is_capitalized(j));
    let mut k = 0;
    while k < drafts.len() {
        let d = &drafts[k];
        let joined = |d: &Draft| {
            a.forms[d.first + 1..d.last - 1]
                .iter()
                .any(|f| f == "in" || f == "and")
        };
        if d.kind == EntityKind::Person
            || d.last - d.first < 3
            || !joined(d)
            || kb.place(&d.text).is_some()
        {
            k += 1;
            continue;
        }
        let (first, last, kind, confidence) = (d.first, d.last, d.kind, d.confidence);
        let place = |from: usize| {
            kb.place(&super::written(a, from, last)).is_some()
                || PLACE_HEADS.contains(&a.forms[last - 1].as_str())
        };
        let cut = (first + 1..last - 1).find_map(|i| match a.forms[i].as_str() {
            "in" if a.is_org_word(i - 1)
                && !a.forms[first..i].iter().any(|f| f == "for")
                && capitalized(i + 1, last)
                && place(i + 1) =>
            {
                Some((i, i + 1, EntityKind::Place))
            }
            "and"
                if a.tokens[i].text == "and"
                    && a.forms[i + 1] == "the"
                    && i + 2 < last
                    && a.is_capitalized(i + 2)
                    && !place(i + 2)
                    && kb.place(&a.tokens[i - 1].text).is_none() =>
            {
                Some((i, i + 2, kind))
            }
            _ => None,
        });
        match cut {
            Some((end, start, right_kind)) => {
                drafts[k] = texts.draft(a, first, end, kind, confidence);
                drafts.insert(k + 1, texts.draft(a, start, last, right_kind, confidence));
                k += 2;
            }
            None => k += 1,
        }
    }
}

/// Joins firms named after partners with a comma: "Goldman, Sachs and Co", "Kidder, Peabody
/// and Co Inc", which the model tags as a person and an organization ("Goldman" and "Sachs
/// and Co") or leaves the first partner out of. An organization that starts with a word, then
/// "and" or "&", then "Co" or "Company", takes in a capitalized word and a comma before it,
/// and the draft of that word, if any, goes. Not an abbreviation or a legal form ("Upjohn Co,
/// Merck and Co"). The second of two names is taken in ("First Boston Corp and Kidder,
/// Peabody and Co" is right; "between Jefferies and Boesky, Jefferies and Co would" is not,
/// and rarer).
pub(super) fn join_comma_firms(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    // A capitalized word, not an abbreviation ("AZT, Merck and Co" lists two).
    let partner = |text: &str| {
        text.starts_with(char::is_uppercase)
            && text.chars().all(char::is_alphabetic)
            && text.chars().any(char::is_lowercase)
    };
    let firm = |d: &Draft| {
        d.kind == EntityKind::Organization
            && d.first >= 2
            && d.last - d.first >= 3
            && matches!(form(d.first + 1), "and" | "&")
            && matches!(form(d.first + 2), "co" | "co." | "company")
            && form(d.first - 1) == ","
            && !a.tokens[d.first - 2].sent_start
            && partner(&a.tokens[d.first - 2].text)
            && !kb.is_legal_form(form(d.first - 2))
    };
    let firms: Vec<usize> = (0..drafts.len()).filter(|&k| firm(&drafts[k])).collect();
    if firms.is_empty() {
        return;
    }
    let partners: HashSet<usize> = firms.iter().map(|&k| drafts[k].first - 2).collect();
    for &k in &firms {
        let d = &drafts[k];
        drafts[k] = texts.draft(a, d.first - 2, d.last, d.kind, d.confidence);
    }
    // The first partner's own draft, one word ending at the comma, is now part of the firm.
    drafts.retain(|d| !(d.last - d.first == 1 && partners.contains(&d.first)));
}

/// Words that end companies' names and no person's or place's: "Purdue Pharma", "Wang
/// Laboratories", "Tyson Foods". Used where the model has found the name, not to find one.
const COMPANY_HEADS: &[&str] = &[
    "bancorp",
    "bancshares",
    "enterprises",
    "foods",
    "labs",
    "laboratories",
    "networks",
    "pharma",
    "pharmaceutical",
    "pharmaceuticals",
    "securities",
];

/// Names of two words or more that end with an institution's or a company's head word are
/// organizations.
pub(super) fn type_by_head(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    // A sports report's "Notts County" is a club.
    let mut report = None;
    for d in drafts.iter_mut() {
        if d.last - d.first < 2 {
            continue;
        }
        if d.kind == EntityKind::Organization {
            if names_a_division(a, d)
                && !*report.get_or_insert_with(|| super::teams::is_sports_report(a))
            {
                d.kind = EntityKind::Place;
            }
            continue;
        }
        let head = a.forms[d.last - 1].trim_end_matches('.');
        if (INSTITUTION_HEADS.contains(&head) || COMPANY_HEADS.contains(&head))
            && kb.place(&d.text).is_none()
        {
            d.kind = EntityKind::Organization;
            d.place = None;
        }
    }
}

/// Last words of administrative divisions' names: "Dodge County", "Kaliningrad Oblast".
const DIVISION_HEADS: &[&str] = &[
    "county",
    "province",
    "oblast",
    "prefecture",
    "governorate",
    "canton",
    "township",
    "parish",
];

/// Whether an organization's draft names an administrative division: it ends with one of
/// [`DIVISION_HEADS`] and all its words are capitalized ("in Dodge County, Wisconsin", "the
/// Los Angeles County medical examiner's office", "the Kaliningrad Oblast", which the model
/// types as organizations by their governments' acts; not "Bank of Iron County", nor a name
/// run over its place, "Ocean Pediatrics in Orange County").
fn names_a_division(a: &Analysis, d: &Draft) -> bool {
    DIVISION_HEADS.contains(&a.forms[d.last - 1].as_str())
        && (d.first..d.last).all(|i| a.is_capitalized(i))
}

/// Two words before a name that make it an organization: places have people, not members,
/// staff or spokesmen ("a member of Scientology", "a spokesman for Hamas"), and analysts and
/// professors work at institutions ("a strategist at Fundstrat").
const ORG_BEFORE_PAIRS: &[(&str, &str)] = &[
    ("member", "of"),
    ("members", "of"),
    ("employees", "of"),
    ("employee", "of"),
    ("spokesman", "for"),
    ("spokeswoman", "for"),
    ("spokesperson", "for"),
    ("founder", "of"),
    ("co-founder", "of"),
    ("chairman", "of"),
    ("executive", "of"),
    ("ceo", "of"),
    ("shares", "of"),
    ("stake", "in"),
    ("works", "for"),
    ("worked", "for"),
    ("work", "for"),
    ("works", "at"),
    ("worked", "at"),
    ("work", "at"),
    ("analyst", "at"),
    ("analysts", "at"),
    ("strategist", "at"),
    ("economist", "at"),
    ("economists", "at"),
    ("researcher", "at"),
    ("researchers", "at"),
    ("scientist", "at"),
    ("scientists", "at"),
    ("professor", "at"),
    ("engineer", "at"),
    ("engineers", "at"),
    ("executive", "at"),
    ("executives", "at"),
    ("employee", "at"),
    ("employees", "at"),
];
/// Words after a name (or after its "'s") that make it an organization: "Google
/// headquarters", "Scientology officials", "Ubisoft's chief executive", "Lane's shareholders",
/// "Apple products", "Myers stock".
const ORG_AFTER: &[&str] = &[
    "headquarters",
    "officials",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "employees",
    "executives",
    "shares",
    "ceo",
    "founder",
    "co-founder",
    "chairman",
    "subsidiary",
    "subsidiaries",
    "shareholders",
    "stockholders",
    "board",
    "products",
    "stores",
    "stock",
    "revenue",
    "profit",
    "profits",
];
/// Words directly after a one-word name that make it an organization, not a person: "a
/// Reuters reporter", "Twitter users", "the LibriVox website". After a possessive they would
/// not ("Smith's website").
const ORG_AFTER_NAME: &[&str] = &[
    "reporter",
    "reporters",
    "correspondent",
    "website",
    "users",
    "subscribers",
    "customers",
];
/// Two words before a name that make a "place" a news outlet or agency: places give no
/// interviews and report nothing ("in an interview with Xinhua", "according to Interfax").
const MEDIA_BEFORE_PAIRS: &[(&str, &str)] = &[
    ("interview", "with"),
    ("interviewed", "by"),
    ("according", "to"),
    ("quoted", "by"),
    ("reported", "by"),
];
/// Words after a "place" that make it a news outlet ("the Al-Anbaa newspaper"). Not
/// "reported": countries report figures.
const MEDIA_AFTER: &[&str] = &["newspaper", "correspondent"];
/// Last words of places' names: "Suffolk County officials" are a place's officials.
pub(super) const PLACE_HEADS: &[&str] = &[
    "county",
    "province",
    "district",
    "state",
    "city",
    "region",
    "island",
    "islands",
    "beach",
    "valley",
    "river",
    "village",
    "town",
    "township",
    "parish",
    "prefecture",
    "governorate",
    "oblast",
    "canton",
];
/// Words before a name that keep it a place.
pub(super) const PLACE_BEFORE: &[&str] =
    &["in", "near", "outside", "across", "throughout", "around"];

/// Names the model typed as places or persons that the article treats as organizations
/// become organizations: a place the knowledge base does not know, whose name does not end
/// like a place's ("Suffolk County"), that has members, officials or headquarters ("a member
/// of Scientology", "Google headquarters") or is quoted as a source ("according to Kpler.",
/// "in an interview with Interfax,"); and a one-word "person" that is no given name and no
/// part of a person's full name in the article and has reporters, users or officials ("a
/// Reuters reporter", "Twitter users"). Either is also an organization when the article
/// describes it as one in apposition ("Flock, an Atlanta-based safety technology company") or
/// with a lowercase noun of firms right before it ("tech giant Huawei", "the band Keane").
/// Cues are summed over all the mentions of a name, so that one cue types them all, and
/// "in", "near" count against a place. A leader's name is no candidate: "Biden officials"
/// where the article also writes "the Biden administration" or "President Biden".
pub(super) fn type_by_context(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let in_full_names = super::words_of_full_names(a, drafts);
    let leaders: HashSet<&str> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person && d.last - d.first == 1)
        .filter(|d| {
            LED_NOUNS.contains(&form(d.last))
                || d.first > 0 && crate::tagger::is_title(&a.tokens[d.first - 1].text)
        })
        .map(|d| form(d.first))
        .collect();
    let candidate = |d: &Draft| match d.kind {
        EntityKind::Place => {
            d.place.is_none()
                && kb.place(&d.text).is_none()
                && !PLACE_HEADS.contains(&form(d.last - 1))
        }
        EntityKind::Person => {
            d.last - d.first == 1
                && !in_full_names.contains(form(d.first))
                && !leaders.contains(form(d.first))
                && !kb.is_given_name(form(d.first))
        }
        EntityKind::Organization => false,
    };
    let candidates: Vec<bool> = drafts.iter().map(candidate).collect();
    let mut by_name: HashMap<String, i32> = HashMap::new();
    for (d, _) in drafts.iter().zip(&candidates).filter(|(_, c)| **c) {
        let before = |k: usize| if d.first >= k { form(d.first - k) } else { "" };
        let next = form(d.last);
        let after = if matches!(next, "'s" | "'" | "’s") {
            form(d.last + 1)
        } else {
            next
        };
        let is_place = d.kind == EntityKind::Place;
        // The outlet is the whole object: "according to Suffolk County police" is not.
        let whole = !next.chars().next().is_some_and(char::is_alphanumeric);
        let media = is_place
            && (MEDIA_BEFORE_PAIRS.contains(&(before(2), before(1))) && whole
                || MEDIA_AFTER.contains(&next));
        // "tech giant Huawei", "chipmaker Foxconn": a lowercase noun of firms right before.
        let led_by_noun = d.first > 0
            && !a.tokens[d.first].sent_start
            && !a.is_capitalized(d.first - 1)
            && !told_the_noun(a, d.first)
            && (ORG_DESCRIPTIONS.contains(&before(1)) || ORG_NOUNS_BEFORE.contains(&before(1)));
        let org = media
            || led_by_noun
            || ORG_BEFORE_PAIRS.contains(&(before(2), before(1)))
            || ORG_AFTER.contains(&after)
            || ORG_AFTER_NAME.contains(&next)
            || described_as_org(a, d.last);
        let place = is_place && PLACE_BEFORE.contains(&before(1));
        *by_name.entry(d.name(a)).or_default() += i32::from(org) - i32::from(place);
    }
    for (d, _) in drafts.iter_mut().zip(candidates).filter(|(_, c)| *c) {
        if by_name.get(&d.name(a)).is_some_and(|&score| score > 0) {
            d.kind = EntityKind::Organization;
        }
    }
}

/// Nouns that, heading a description in apposition or after "is", make the name described an
/// organization's: "Flock, an Atlanta-based safety technology company", "Redfin, the real
/// estate brokerage".
const ORG_DESCRIPTIONS: &[&str] = &[
    "agency",
    "airline",
    "app",
    "automaker",
    "band",
    "bank",
    "brand",
    "brokerage",
    "broadcaster",
    "carmaker",
    "chain",
    "charity",
    "chipmaker",
    "club",
    "college",
    "company",
    "conglomerate",
    "developer",
    "firm",
    "group",
    "insurer",
    "lender",
    "manufacturer",
    "maker",
    "militia",
    "movement",
    "network",
    "newspaper",
    "nonprofit",
    "non-profit",
    "organization",
    "organisation",
    "outlet",
    "party",
    "platform",
    "publisher",
    "retailer",
    "school",
    "startup",
    "start-up",
    "subsidiary",
    "team",
    "union",
    "university",
    "website",
];

/// Nouns of firms that, right before a name, make it an organization's as
/// [`ORG_DESCRIPTIONS`] do ("tech giant Huawei", "state utility Eskom"), though they would not
/// head a description after it.
const ORG_NOUNS_BEFORE: &[&str] = &["giant", "utility", "operator", "supplier", "miner"];

/// Nouns that, heading a description in apposition or after "is", make the name described a
/// place's: "Glen Wilton is an unincorporated community in Botetourt County", "Guilden Morden,
/// England, is a village and parish", "Kibera, a slum in Nairobi".
const PLACE_DESCRIPTIONS: &[&str] = &[
    "archipelago",
    "borough",
    "capital",
    "city",
    "commune",
    "community",
    "country",
    "county",
    "district",
    "hamlet",
    "island",
    "lake",
    "locality",
    "mountain",
    "municipality",
    "neighborhood",
    "neighbourhood",
    "oblast",
    "parish",
    "peninsula",
    "port",
    "prefecture",
    "province",
    "region",
    "river",
    "settlement",
    "slum",
    "suburb",
    "town",
    "township",
    "valley",
    "village",
];

/// Words after a place's description noun that end the description: "a village and parish
/// located in", "the capital of", "a town on the coast".
const AFTER_PLACE_DESCRIPTIONS: &[&str] = &[
    "and", "that", "which", "in", "with", "located", "situated", "of", "on", "near", "at", "about",
    "along", "between",
];

/// Words no description's head comes after.
const DESCRIPTION_STOPS: &[&str] = &[
    "a", "an", "the", "in", "at", "on", "for", "from", "to", "by", "near", "with", "said", "says",
];

/// What a description makes of the name it describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Described {
    Organization,
    Place,
}

/// What the name ending before token `end` is described as, in apposition or by a copula
/// ("Geely is the Chinese car company that", "The Owls were a traveling team that played",
/// "Glen Wilton is an unincorporated community in"): a comma, "is", "was", "are" or "were"
/// (after a comma, a place's region and a comma: "Guilden Morden, England, is a village"),
/// then "a", "an" or "the", then at most six words ending with one of [`ORG_DESCRIPTIONS`]
/// or [`PLACE_DESCRIPTIONS`] before any punctuation, as the head ("a company spokesman", "a
/// town councillor" describe persons).
fn description(a: &Analysis, end: usize) -> Option<Described> {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let word = |i: usize| form(i).chars().next().is_some_and(char::is_alphanumeric);
    let mut start = end;
    if form(end) == "," {
        let comma = (end + 2..end + 5).find(|&k| form(k) == ",");
        if let Some(k) = comma.filter(|&k| {
            (end + 1..k).all(|j| a.is_capitalized(j)) && matches!(form(k + 1), "is" | "was")
        }) {
            start = k + 1;
        }
    }
    if !matches!(form(start), "," | "is" | "was" | "are" | "were")
        || !matches!(form(start + 1), "a" | "an" | "the")
    {
        return None;
    }
    for i in start + 2..start + 8 {
        let next = form(i + 1);
        let ends = !word(i + 1) && !matches!(next, "'s" | "'");
        if ORG_DESCRIPTIONS.contains(&form(i)) {
            return (ends
                || matches!(next, "that" | "which" | "based" | "founded" | "in" | "with"))
            .then_some(Described::Organization);
        }
        let text = a.tokens.get(i).map_or("", |t| t.text.as_str());
        if PLACE_DESCRIPTIONS.contains(&form(i)) && !a.is_capitalized(i) {
            return (ends || AFTER_PLACE_DESCRIPTIONS.contains(&next)).then_some(Described::Place);
        }
        // The head comes before a preposition or a second determiner: "a food delivery driver
        // in the city", "a government spokesperson said the country".
        if DESCRIPTION_STOPS.contains(&form(i)) {
            return None;
        }
        // Lowercase words, abbreviations ("a US company"), compounds ("an Atlanta-based
        // firm") and nationalities ("a Russian oil company", "a French insurer"); another
        // name ends the description ("the Basij is a group"), and so does "of" ("the youngest
        // member of the group" describes a member).
        let nationality = super::persons::ends_like_nationality(form(i)) || form(i).ends_with("ch");
        let name = a.is_capitalized(i)
            && !text.contains('-')
            && !nationality
            && text.chars().any(char::is_lowercase);
        if !word(i) || name || form(i) == "of" {
            return None;
        }
    }
    None
}

/// Whether the name ending before token `end` is described as an organization
/// ([`description`]).
fn described_as_org(a: &Analysis, end: usize) -> bool {
    description(a, end) == Some(Described::Organization)
}

/// A name the article describes as a place ("Glen Wilton is an unincorporated community in
/// Botetourt County") is a place in all its mentions, whatever the model typed: it tags
/// villages named like people ("Glen Wilton", "Guilden Morden") as persons.
pub(super) fn type_places_by_description(a: &Analysis, drafts: &mut [Draft]) {
    let described: HashSet<String> = drafts
        .iter()
        .filter(|d| d.kind != EntityKind::Place)
        .filter(|d| description(a, d.last) == Some(Described::Place))
        .map(|d| d.name(a))
        .collect();
    if described.is_empty() {
        return;
    }
    for d in drafts.iter_mut() {
        if described.contains(&d.name(a)) {
            d.kind = EntityKind::Place;
        }
    }
}

/// Takes the "'s" into names that always carry it: "Moody's", "Standard & Poor's",
/// "McDonald's", as opposed to "Ford's profit". A name counts when every one of its mentions
/// is followed by "'s", and one of them is then followed by a verb ("Moody's said") or a legal
/// form ("Standard and Poor's Corp"), or two
/// of them at least and one by a capitalized word ("Moody's Investors Service") or
/// punctuation. An acronym's possessive is never its name's ("CNN's Ava Ko contributed").
pub(super) fn possessive_names(a: &Analysis, kb: &Kb, texts: &mut Texts, drafts: &mut [Draft]) {
    // (mentions, all possessive, one then capitalized or punctuated, one then a verb)
    let mut by_name: HashMap<String, (usize, bool, bool, bool)> = HashMap::new();
    for d in drafts.iter() {
        let text = |i: usize| a.tokens.get(i).map_or("", |t| t.text.as_str());
        if d.kind != EntityKind::Organization
            || d.last - d.first == 1 && a.in_ordinary_sentence(d.first) && is_acronym(text(d.first))
        {
            continue;
        }
        let possessive = matches!(text(d.last), "'s" | "'S" | "’s" | "’S");
        let after = text(d.last + 1);
        let next = a.forms.get(d.last + 1).map_or("", String::as_str);
        // "Moody's said", and "Standard and Poor's Corp": a verb or a legal form.
        let verb = possessive && (SUBJECT_VERBS.contains(&next) || kb.is_legal_form(next));
        let named = possessive
            && after
                .chars()
                .next()
                .is_none_or(|c| c.is_uppercase() || c.is_ascii_punctuation());
        let entry = by_name.entry(d.name(a)).or_insert((0, true, false, false));
        entry.0 += 1;
        entry.1 &= possessive;
        entry.2 |= named;
        entry.3 |= verb;
    }
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Organization
            && by_name
                .get(&d.name(a))
                .is_some_and(|&(count, all, named, verb)| all && (verb || count >= 2 && named))
        {
            *d = texts.draft(a, d.first, d.last + 1, d.kind, d.confidence);
        }
    }
}

/// Pairs (short form, full name) of drafts that name one organization.
pub(super) fn link(a: &Analysis, kb: &Kb, drafts: &[Draft]) -> Vec<(usize, usize)> {
    // Each distinct organization name (its key words) with its first draft.
    let mut names: HashMap<Vec<String>, usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.kind == EntityKind::Organization && d.stands_for.is_none() {
            names.entry(key_words(kb, d)).or_insert(i);
        }
    }
    let mut pairs = Vec::new();
    for (i, d) in drafts.iter().enumerate() {
        let full = match d.kind {
            // An acronym begins longer names as their qualifier ("U.N. Council"), not as
            // their short form: it joins only the name it spells.
            EntityKind::Organization if d.stands_for.is_none() && Cap::of(&d.text) != Cap::All => {
                let words = key_words(kb, d);
                only(names.iter().filter(|(other, _)| {
                    other.len() > words.len() && other[..words.len()] == words[..]
                }))
            }
            EntityKind::Organization if d.stands_for.is_none() => acronym_of(a, d, &names),
            _ if d.place.is_none() => acronym_of(a, d, &names),
            _ => None,
        };
        if let Some(full) = full {
            pairs.push((i, full));
        }
    }
    pairs
}

/// The folded words of an organization's key ("hanover insurance" for "Hanover Insurance Co").
fn key_words(kb: &Kb, d: &Draft) -> Vec<String> {
    let key = entity_key(kb, EntityKind::Organization, &d.text);
    let name = key.split_once(':').map_or("", |(_, name)| name);
    name.split(' ').map(str::to_owned).collect()
}

/// The draft of the one organization among `candidates`; none when there are several.
fn only<'a>(mut candidates: impl Iterator<Item = (&'a Vec<String>, &'a usize)>) -> Option<usize> {
    let (_, &first) = candidates.next()?;
    candidates.next().is_none().then_some(first)
}

/// The organization whose initials a one-word, all-capitals draft spells: with or without
/// its minor words ("NATO", "OPEC", "U.N.").
fn acronym_of(a: &Analysis, d: &Draft, names: &HashMap<Vec<String>, usize>) -> Option<usize> {
    if d.last - d.first != 1 || Cap::of(&d.text) != Cap::All {
        return None;
    }
    let letters: String = a.forms[d.first]
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    if !(2..=8).contains(&letters.chars().count()) {
        return None;
    }
    only(names.iter().filter(|(words, _)| {
        words.len() >= 2 && (initials(words, true) == letters || initials(words, false) == letters)
    }))
}

/// The first letters of the words, all of them or only the significant ones.
fn initials(words: &[String], all: bool) -> String {
    words
        .iter()
        .filter(|w| all || !MINOR_WORDS.contains(&w.as_str()))
        .filter_map(|w| w.chars().next())
        .collect()
}

/// Pronouns that refer back to a thing ("Zorvath said its profit rose", "Zorvath describes
/// itself as ...") and to a person.
const NEUTER_PRONOUNS: &[&str] = &["its", "itself"];
const PERSONAL_PRONOUNS: &[&str] = &[
    "he", "his", "him", "himself", "she", "her", "hers", "herself",
];
/// Words that begin another noun phrase, which a pronoun after them may refer to instead:
/// "Zorvath criticized the government for its handling".
const PHRASE_STARTS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "each", "every", "another",
];

/// Retypes a one-word "person" the article refers back to as a thing: two of its mentions
/// or more are followed, in their own clause, by "its" or "itself" ("Vextrion said it will
/// separate its own safety plans", "Vextrion views itself as a platform"), or by ", which",
/// or open a sentence that the next one takes up as "the company" ("Vextrion sued. The AI
/// company says ..."), and none is followed by "he", "she", ", who" or has a form of
/// address before it. Web and technology brands the model takes for surnames ("Anthropic",
/// "Meta") are named so in today's news; people's names never are.
pub(super) fn type_by_pronouns(a: &Analysis, drafts: &mut [Draft]) {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let in_full_names = super::words_of_full_names(a, drafts);
    let starts: HashSet<usize> = drafts.iter().map(|d| d.first).collect();
    let taken_up = subjects_taken_up_as_organizations(a, drafts);
    // (references as a thing, references as a person) for each one-word person name.
    let mut by_name: HashMap<String, (u32, u32)> = HashMap::new();
    for d in drafts.iter() {
        if d.kind != EntityKind::Person
            || d.last - d.first != 1
            || in_full_names.contains(form(d.first))
        {
            continue;
        }
        let entry = by_name.entry(d.name(a)).or_default();
        match reference(a, d, &starts) {
            Some(Reference::Thing) => entry.0 += 1,
            Some(Reference::Person) => entry.1 += 1,
            None => {}
        }
        entry.0 += u32::from(taken_up.contains(&d.first));
    }
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Person
            && by_name
                .get(&d.name(a))
                .is_some_and(|&(thing, person)| thing >= 2 && person == 0)
        {
            d.kind = EntityKind::Organization;
        }
    }
}

/// The first tokens of the names that open a sentence the next sentence takes up as an
/// organization: "the", at most two words in lowercase or capitals ("The AI company"), and
/// one of [`ORG_DESCRIPTIONS`] open it ("Vextrion sued. The company says ...").
fn subjects_taken_up_as_organizations(a: &Analysis, drafts: &[Draft]) -> HashSet<usize> {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let mut subjects = HashSet::new();
    let mut next_draft = drafts.iter().map(|d| d.first).peekable();
    for pair in a.sentences.windows(2) {
        let ((start, end), (next, _)) = (pair[0], pair[1]);
        while next_draft.next_if(|&first| first < start).is_some() {}
        let Some(&first) = next_draft.peek() else {
            break;
        };
        if first >= end || form(next) != "the" {
            continue;
        }
        let described = (next + 1..next + 4).find(|&i| {
            let text = a.tokens.get(i).map_or("", |t| t.text.as_str());
            ORG_DESCRIPTIONS.contains(&form(i))
                || !(text.starts_with(char::is_lowercase) || is_acronym(text))
        });
        if described.is_some_and(|i| ORG_DESCRIPTIONS.contains(&form(i))) {
            subjects.insert(first);
        }
    }
    subjects
}

/// How a mention is referred back to.
#[derive(PartialEq)]
enum Reference {
    Thing,
    Person,
}

/// How the words after a mention refer back to it, in its own clause: "its", "itself" or ",
/// which" as a thing; "he", "she", ", who" or a form of address before it as a person.
/// `starts` holds the first tokens of the article's mentions: another name ends the search.
fn reference(a: &Analysis, d: &Draft, starts: &HashSet<usize>) -> Option<Reference> {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    if d.first > 0 && super::persons::is_honorific(&a.tokens[d.first - 1].text) {
        return Some(Reference::Person);
    }
    let mut i = d.last;
    if matches!(form(i), "'s" | "'" | "’s") {
        i += 1;
    }
    if form(i) == "," {
        return match form(i + 1) {
            "which" => Some(Reference::Thing),
            "who" => Some(Reference::Person),
            _ => None,
        };
    }
    for k in i..(i + 8).min(a.tokens.len()) {
        let word = form(k);
        if a.tokens[k].sent_start
            || starts.contains(&k)
            || a.is_capitalized(k) && word != "i"
            || PHRASE_STARTS.contains(&word)
            || matches!(word, "," | ";" | ":" | "(" | ")" | "\"" | "“" | "”")
        {
            return None;
        }
        if NEUTER_PRONOUNS.contains(&word) {
            return Some(Reference::Thing);
        }
        if PERSONAL_PRONOUNS.contains(&word) {
            return Some(Reference::Person);
        }
    }
    None
}

/// Verbs that, right after a name the model tagged MISC, make it a company's that speaks:
/// "Airbus said", "Zorvath announced"; products and events say nothing.
const SPEAKING_VERBS: &[&str] = &["said", "says", "announced", "reported", "confirmed"];

/// Whether a folded word is a plural naming people: "americans", "democrats", "new yorkers",
/// "saudis", "finns", not "airbus".
fn names_people(word: &str) -> bool {
    word.strip_suffix('s').is_some_and(|stem| {
        super::persons::ends_like_nationality(stem)
            || ["n", "r", "t", "ite"].iter().any(|end| stem.ends_with(end))
    })
}

/// Names the model tagged MISC (as it tags products and nationalities) that the article
/// treats as an organization's: "Airbus said", "shares of Airbus", "an Airbus spokesman",
/// "Airbus, the European planemaker". Cues are summed over all the name's MISC mentions, so
/// one cue makes all of them organizations. Nationalities and given names are left alone
/// ("Indian said" is no sentence of news; "Christian said" is a person's).
pub(super) fn misc_as_orgs(a: &Analysis, kb: &Kb, mut spans: Vec<Span>) -> Vec<Span> {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let name = |s: &Span| a.forms[s.start..s.end].join(" ");
    let candidate = |s: &Span| {
        s.kind == "MISC"
            && s.end - s.start <= 3
            && (s.start..s.end).all(|i| a.is_capitalized(i) && a.in_ordinary_sentence(i))
            && !(s.start..s.end).any(|i| {
                super::persons::ends_like_nationality(form(i)) || kb.is_given_name(form(i))
            })
            && !names_people(form(s.end - 1))
            && !form(s.end - 1).ends_with("-based")
    };
    let mut by_name: HashMap<String, i32> = HashMap::new();
    for s in spans.iter().filter(|s| candidate(s)) {
        let before = |k: usize| if s.start >= k { form(s.start - k) } else { "" };
        let next = form(s.end);
        // Only a possessive: "Soviet officials", "a French spokesman" are adjectives.
        let owned = matches!(next, "'s" | "'" | "’s") && ORG_AFTER.contains(&form(s.end + 1));
        // "shares of French chemical group X": an adjective goes on to its noun.
        let ends =
            !next.chars().next().is_some_and(char::is_lowercase) || matches!(next, "and" | "or");
        // "Airbus said it", not "the Texas Democrat said", "turn to Windows said Dominic
        // Hirsch".
        let speaks = SPEAKING_VERBS.contains(&next)
            && !matches!(before(1), "the" | "a" | "an")
            && !(s.start > 0 && a.is_capitalized(s.start - 1) && !a.tokens[s.start].sent_start)
            && !(s.end + 1 < a.tokens.len() && a.is_capitalized(s.end + 1));
        let org = ORG_BEFORE_PAIRS.contains(&(before(2), before(1))) && ends
            || owned
            || speaks
            || described_as_org(a, s.end);
        *by_name.entry(name(s)).or_default() += i32::from(org);
    }
    if by_name.values().any(|&n| n > 0) {
        for s in &mut spans {
            if candidate(s) && by_name.get(&name(s)).is_some_and(|&n| n > 0) {
                s.kind = "ORG".to_owned();
            }
        }
    }
    spans
}

/// Beginnings of surnames written with a capital inside: "McDonald", "MacArthur",
/// "DeSantis", "DiCaprio", "LaGuardia", "FitzGerald", "VanHollen".
const SURNAME_PREFIXES: &[&str] = &[
    "mc", "mac", "de", "di", "da", "del", "della", "du", "la", "le", "van", "von", "fitz", "st",
    "o", "d", "al", "el", "ben", "abu", "ibn", "sy", "ten", "ter", "des", "dos", "ja", "ke", "ty",
    "ta", "sha", "ra",
];

/// Whether a word is written like a brand, with a capital inside that begins no surname's
/// second part: "YouTube", "BlackRock", "DoorDash", "OpenAI", and capitals before a
/// capitalized word ("UConn", "JPMorgan"); not "McDonald", "DeSantis" or "OConnor", nor a
/// given name run into a surname ("DonaldTrump", text glued at the source).
fn brand_cased(kb: &Kb, word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    if chars.len() < 4 || !chars.iter().all(|c| c.is_alphanumeric()) {
        return false;
    }
    let inner = (1..chars.len()).find(|&k| chars[k - 1].is_lowercase() && chars[k].is_uppercase());
    let after_capitals = || {
        (1..chars.len() - 1).find(|&k| {
            chars[k].is_uppercase()
                && chars[k + 1].is_lowercase()
                && chars[..k].iter().all(|c| c.is_uppercase())
        })
    };
    let Some(k) = inner.or_else(after_capitals) else {
        return false;
    };
    let head: String = chars[..k].iter().collect::<String>().to_lowercase();
    !SURNAME_PREFIXES.contains(&head.as_str()) && !kb.is_given_name(&head)
}

/// Retypes one-word "persons" written like brands ([`brand_cased`]) that are no part of a
/// person's full name in the article: "BlackRock announced", "Meta and YouTube said".
pub(super) fn type_brands(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let in_full_names: HashSet<String> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person && d.text.contains(char::is_whitespace))
        .flat_map(|d| a.forms[d.first..d.last].iter().cloned())
        .collect();
    for d in drafts.iter_mut() {
        // The tokenizer splits "BlackRock" in two ("Black" "Rock") for text glued at the
        // source, so a one-word name may span several tokens.
        if d.kind == EntityKind::Person
            && !d.text.contains(char::is_whitespace)
            && !a.forms[d.first..d.last]
                .iter()
                .any(|f| in_full_names.contains(f))
            && brand_cased(kb, &d.text)
        {
            d.kind = EntityKind::Organization;
        }
    }
}

/// Nouns after a name that say it is a leader's: "the Biden administration".
const LED_NOUNS: &[&str] = &["administration", "presidency"];

/// Common nouns that follow a person's name in an institution's or a period's: "Trump
/// Administration", "Obama White House".
const EPONYMOUS_NOUNS: &[&str] = &[
    "administration",
    "government",
    "campaign",
    "era",
    "presidency",
    "cabinet",
    "white",
    "tribe",
    "doctrine",
];

/// Retypes a one-word "person" that begins the name of an organization the same article
/// names in full: "Harvard" after "Harvard University", "Goldman" after "Goldman Sachs". Not
/// a given name, nor a word of a person's full name in the article ("Ford" beside "Henry
/// Ford" and "Ford Motor Co"), nor a name with a form of address or a title before it or
/// referred back to as a person ("Mr Lehman", "President Trump", "Gates said he").
/// [`link`] then joins the short form to the full name.
pub(super) fn type_short_forms(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let one_word_persons: HashSet<&str> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person && d.last - d.first == 1)
        .map(|d| form(d.first))
        .collect();
    if !drafts.iter().any(|d| {
        d.kind == EntityKind::Organization
            && d.last - d.first > 1
            && one_word_persons.contains(form(d.first))
    }) {
        return;
    }
    let names: HashSet<&[String]> = drafts.iter().map(|d| &a.forms[d.first..d.last]).collect();
    // "Trump White House", "Trump EPA", "Trump Administration": a person's name before an
    // institution's, which the article names alone too, abbreviates or calls by a common
    // noun, is no short form of a company's.
    let eponymous = |d: &Draft| {
        let rest = &a.forms[d.first + 1..d.last];
        let next = &a.tokens[d.first + 1].text;
        names.contains(rest)
            || !a.is_capitalized(d.first + 1)
            || next.chars().count() > 1 && next.chars().all(char::is_uppercase)
            || EPONYMOUS_NOUNS.contains(&rest[0].as_str())
    };
    let firsts: HashSet<&str> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Organization && d.last - d.first > 1)
        .filter(|d| d.stands_for.is_none() && !eponymous(d))
        .map(|d| form(d.first))
        .collect();
    if firsts.is_empty() {
        return;
    }
    let in_full_names = super::words_of_full_names(a, drafts);
    // "President Trump", "Gates said he": a person's name, whatever else it names.
    let starts: HashSet<usize> = drafts.iter().map(|d| d.first).collect();
    let personal: HashSet<&str> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person)
        .filter(|d| {
            d.first > 0 && crate::tagger::is_title(&a.tokens[d.first - 1].text)
                || reference(a, d, &starts) == Some(Reference::Person)
        })
        .map(|d| form(d.first))
        .collect();
    for d in drafts.iter_mut() {
        let word = form(d.first);
        if d.kind == EntityKind::Person
            && d.last - d.first == 1
            && firsts.contains(word)
            && !in_full_names.contains(word)
            && !personal.contains(word)
            && !kb.is_given_name(word)
        {
            d.kind = EntityKind::Organization;
        }
    }
}

/// Nouns naming kinds of news outlets: "the news weekly Der Spiegel", "Mercurio newspaper".
const OUTLET_NOUNS: &[&str] = &[
    "newspaper",
    "daily",
    "weekly",
    "magazine",
    "tabloid",
    "broadsheet",
];
/// What outlets do after "daily" or "weekly", which also follow a person as adverbs ("met
/// Smith weekly").
const OUTLET_VERBS: &[&str] = &[
    "said",
    "says",
    "reported",
    "reports",
    "quoted",
    "cited",
    "wrote",
    "published",
];

/// Verbs whose object a clause follows: "told the newspaper Chavez had lied", "asked the
/// company Dorn founded".
const TELLING_VERBS: &[&str] = &[
    "told", "tells", "telling", "asked", "warned", "informed", "assured", "reminded",
];

/// Whether the name at token `first` follows "<telling verb> the <noun>", where it is more
/// likely the subject of the clause that follows than the noun's name.
fn told_the_noun(a: &Analysis, first: usize) -> bool {
    first >= 3
        && matches!(a.forms[first - 2].as_str(), "the" | "a")
        && TELLING_VERBS.contains(&a.forms[first - 3].as_str())
}

/// Whether a name is written as a news outlet's: after its kind ("the news weekly Der
/// Spiegel", "Danish newspaper Ekstra Bladet"; not "told the newspaper Chavez had lied"), or
/// before it and then no other name ("the Mercurio newspaper reported", "Zycie Warszawy
/// daily said"). Not a name that starts with a given name ("Jane's Defence Weekly"), nor one
/// glued to the kind ("Interview magazineJaafar Jackson", punctuation lost at the source).
fn written_as_outlet(a: &Analysis, kb: &Kb, d: &Draft) -> bool {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    if kb.is_given_name(form(d.first)) || a.tokens[d.first].glued {
        return false;
    }
    let before = |k: usize| if d.first >= k { form(d.first - k) } else { "" };
    let after_kind = OUTLET_NOUNS.contains(&before(1)) && !told_the_noun(a, d.first);
    let then = d.last + 1;
    let before_kind = !form(d.last - 1).contains('-')
        && match form(d.last) {
            "daily" | "weekly" => OUTLET_VERBS.contains(&form(then)),
            "newspaper" | "magazine" | "tabloid" | "broadsheet" => {
                then >= a.tokens.len() || !a.is_capitalized(then)
            }
            _ => false,
        };
    after_kind || before_kind
}

/// Retypes "persons" the article writes as news outlets ([`written_as_outlet`]) once: all
/// mentions of the name follow ("Zycie Warszawy daily said ... Zycie Warszawy said its").
pub(super) fn type_outlets(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let outlets: HashSet<String> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person && written_as_outlet(a, kb, d))
        .map(|d| d.name(a))
        .collect();
    if outlets.is_empty() {
        return;
    }
    for d in drafts.iter_mut() {
        if d.kind == EntityKind::Person && outlets.contains(&d.name(a)) {
            d.kind = EntityKind::Organization;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        text.split(' ').map(str::to_owned).collect()
    }

    #[test]
    fn initials_skip_minor_words_or_keep_them() {
        let opec = words("organization of the petroleum exporting countries");

        assert_eq!(initials(&opec, false), "opec");
        assert_eq!(initials(&words("united nations"), true), "un");
    }
}
