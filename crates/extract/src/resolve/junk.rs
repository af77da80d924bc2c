//! What the model tags that names nothing: exchange tickers ("GECL.L", "IBM.N", and the
//! bracketed "<EMH>" after a company's name), the abbreviations that open the lines of results
//! tables ("Qtly div 25 cts vs 25 cts prior", "Shr 1.20 dlrs vs 1.10"), legal forms
//! standing alone ("Inc"), abbreviations of common nouns ("AI", "GDP", "DVD": the model takes
//! any short capitalized abbreviation for an organization's) and plural abbreviations, which
//! are common nouns all ("PCs", "MPs", "PINs"), the names of storms ("Cyclone Phailin",
//! "Hurricane Katrina"), which are given like people's but are weather, and names of times,
//! faiths and laws that the model takes for places or people: holidays ("Christmas",
//! "Ramadan"), religions ("Islam"), a month before its day ("March 4") and a section of a law
//! ("Section 404", "Chapter 11"), and adjectives of race and ethnicity, which news
//! capitalizes ("Black women", "Latino community leaders").

use std::collections::HashSet;

use super::{Draft, Texts};
use crate::features::Analysis;

/// The most tokens a table line has.
const TABLE_LINE_TOKENS: usize = 16;

/// Removes the drafts that are not names and cuts bracketed tickers off the others. A word
/// that opens a table line is no name anywhere in the article ("QTLY" in the headline of a
/// "Qtly div ..." table).
pub(super) fn remove(a: &Analysis, texts: &mut Texts, drafts: &mut Vec<Draft>) {
    for d in drafts.iter_mut() {
        // The cleaner drops "<EMH>" as markup: find it in the draft's original text.
        let Some(bracket) = d.text.chars().position(|c| c == '<') else {
            continue;
        };
        let at = (d.start + bracket) as u32;
        if let Some(cut) = (d.first + 1..d.last).find(|&i| a.tokens[i].start >= at) {
            *d = texts.draft(a, d.first, cut, d.kind, d.confidence);
        }
    }
    let table_words: HashSet<String> = drafts
        .iter()
        .filter(|d| opens_table_line(a, d))
        .map(|d| d.name(a))
        .collect();
    let storms = storm_names(a, drafts);
    // The words of people's full names matter only to a holiday's name ("Dario Easter").
    let holiday = drafts.iter().any(|d| {
        d.last - d.first == 1
            && (TIMES_AND_FAITHS.contains(&a.forms[d.first].as_str())
                || IDENTITY_ADJECTIVES.contains(&a.forms[d.first].as_str()))
    });
    let full_names = if holiday {
        super::words_of_full_names(a, drafts)
    } else {
        HashSet::new()
    };
    drafts.retain(|d| {
        !is_ticker(&d.text)
            && !d.text.starts_with('<')
            && !is_legal_form_alone(&d.text)
            && !COMMON_ABBREVIATIONS.contains(&d.text.as_str())
            && !is_plural_abbreviation(&d.text)
            && !table_words.contains(&d.name(a))
            && !storms.contains(&d.name(a))
            && !names_a_time_faith_or_law(a, d, &full_names)
            && !is_okay(a, d)
            && !opens_participle_phrase(a, d)
            && !is_identity_adjective(a, d, &full_names)
    });
}

/// Words of race and ethnicity that news capitalizes as adjectives ("Black women", "the third
/// Black female senator", "White nationalists", "Latino community leaders"): no names, as
/// nationalities are none, but also surnames ("Leon Black", "Jack White").
const IDENTITY_ADJECTIVES: &[&str] = &[
    "black",
    "white",
    "latino",
    "latina",
    "latinx",
    "hispanic",
    "indigenous",
];

/// Lowercase words after which one of [`IDENTITY_ADJECTIVES`] is a surname: verbs of
/// speaking, auxiliaries and function words ("Black said", "White was", "Black and").
const AFTER_SURNAMES: &[&str] = &[
    "said", "says", "told", "tells", "asked", "added", "wrote", "writes", "noted", "argued", "is",
    "was", "has", "had", "will", "would", "could", "can", "may", "might", "should", "did", "does",
    "also", "and", "or", "but", "who", "whose", "to", "of", "in", "on", "at", "for", "with",
    "from", "by", "as", "after", "before", "when", "then",
];

/// Whether a one-word draft is an adjective of race or ethnicity before a lowercase word
/// ("Black women", "White culture"), not the surname of a person the article names in full,
/// nor one that speaks or acts ("Black said", "White joined").
fn is_identity_adjective(a: &Analysis, d: &Draft, full_names: &HashSet<&str>) -> bool {
    let name = a.forms[d.first].as_str();
    if d.last - d.first != 1 || !IDENTITY_ADJECTIVES.contains(&name) || full_names.contains(name) {
        return false;
    }
    let Some(next) = a.tokens.get(d.last) else {
        return false;
    };
    let next = next.text.as_str();
    next.chars().next().is_some_and(char::is_lowercase)
        && !next.ends_with("ed")
        && !AFTER_SURNAMES.contains(&next)
}

/// Prepositions that follow a participle opening a sentence ("Born in", "Raised on").
const PARTICIPLE_PREPOSITIONS: &[&str] = &["in", "on", "at", "to", "into", "near", "outside"];

/// A one-word draft that opens a sentence, is a word news writes in lowercase mid-sentence
/// and is followed by a preposition: a participle ("Born in the Bronx to Puerto Rican
/// parents, Colón recorded"), no name. A surname that is also a word speaks or acts instead
/// ("Rose said", "Fell told").
fn opens_participle_phrase(a: &Analysis, d: &Draft) -> bool {
    d.last - d.first == 1
        && a.tokens[d.first].sent_start
        && a.is_common_word(d.first)
        && a.forms
            .get(d.last)
            .is_some_and(|next| PARTICIPLE_PREPOSITIONS.contains(&next.as_str()))
}

/// Holidays, religions and their laws, and climate patterns, folded: names of no person,
/// place or organization (CoNLL-2003 tags them MISC), which the model types as places ("at
/// Christmas", "in Islam") or people ("Easter", "Ramadan", "El Niño").
const TIMES_AND_FAITHS: &[&str] = &[
    "advent",
    "chanukah",
    "christmas",
    "diwali",
    "easter",
    "eid",
    "eid al-adha",
    "eid al-fitr",
    "halloween",
    "hanukkah",
    "hanukah",
    "kwanzaa",
    "lent",
    "passover",
    "pentecost",
    "ramadan",
    "ramzan",
    "rosh hashanah",
    "thanksgiving",
    "yom kippur",
    "buddhism",
    "catholicism",
    "christianity",
    "hinduism",
    "islam",
    "judaism",
    "protestantism",
    "sikhism",
    "holocaust",
    "sharia",
    "shariah",
    // Climate patterns, named like people: "El Niño", "La Niña" (folded without accents).
    "el nino",
    "la nina",
];

/// Months as news writes them before or after a day: "March 4", "4 March", "Sept. 12".
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "jan.",
    "feb",
    "feb.",
    "mar.",
    "apr",
    "apr.",
    "jun.",
    "jul.",
    "aug",
    "aug.",
    "sep",
    "sep.",
    "sept",
    "sept.",
    "oct",
    "oct.",
    "nov",
    "nov.",
    "dec",
    "dec.",
];

/// Words that number the parts of a law or a rule book: "Section 404", "Chapter 11",
/// "Article 5", "Title IX".
const LAW_PARTS: &[&str] = &[
    "section",
    "chapter",
    "article",
    "title",
    "clause",
    "paragraph",
    "rule",
    "schedule",
];

/// Whether a draft names a holiday or a faith (not as a word of a person's full name in the
/// article: "Tariq Ramadan"), a month beside its day, or a numbered part of a law.
fn names_a_time_faith_or_law(a: &Analysis, d: &Draft, full_names: &HashSet<&str>) -> bool {
    let words = d.last - d.first;
    if words == 2 {
        return TIMES_AND_FAITHS.contains(&d.name(a).as_str());
    }
    if words != 1 {
        return false;
    }
    let name = &a.forms[d.first];
    if TIMES_AND_FAITHS.contains(&name.as_str()) {
        return !full_names.contains(name.as_str());
    }
    let text = |i: usize| a.tokens.get(i).map_or("", |t| t.text.as_str());
    let before = d.first.checked_sub(1).map_or("", text);
    if MONTHS.contains(&name.as_str()) {
        return is_day(text(d.last)) || is_day(before);
    }
    LAW_PARTS.contains(&name.as_str()) && is_law_number(text(d.last))
}

/// A day of the month: "4", "31", "4th".
fn is_day(text: &str) -> bool {
    let digits = text.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    let suffix = &text[digits.len()..];
    matches!(suffix, "" | "st" | "nd" | "rd" | "th")
        && (1..=2).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && digits.parse::<u8>().is_ok_and(|n| (1..=31).contains(&n))
}

/// The number of a law's part: "404", "11", "230(c)" as tokenized, "IX", "5A".
fn is_law_number(text: &str) -> bool {
    let roman = text.len() <= 5 && text.chars().all(|c| matches!(c, 'I' | 'V' | 'X' | 'L'));
    let numbered = text.starts_with(|c: char| c.is_ascii_digit())
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '.');
    !text.is_empty() && (roman || numbered)
}

/// Words that give a storm its name: "Hurricane Katrina", "Typhoon Haiyan", "Tropical Storm
/// Erin", "Cyclone Phailin".
const STORM_WORDS: &[&str] = &["hurricane", "typhoon", "cyclone", "storm"];

/// The names of the article's storms: a name that follows a storm word or starts with one,
/// and the storm's name without it ("Phailin" after "Cyclone Phailin").
fn storm_names(a: &Analysis, drafts: &[Draft]) -> HashSet<String> {
    let mut names = HashSet::new();
    for d in drafts {
        let first = a.forms[d.first].as_str();
        let before = d.first.checked_sub(1).map_or("", |i| a.forms[i].as_str());
        if STORM_WORDS.contains(&before) {
            names.insert(d.name(a));
        } else if STORM_WORDS.contains(&first) && d.last - d.first > 1 {
            names.insert(d.name(a));
            names.insert(a.forms[d.first + 1..d.last].join(" "));
        }
    }
    names
}

/// An exchange ticker: a symbol, a period and an exchange suffix ("GECL.L", "0005.HK").
fn is_ticker(text: &str) -> bool {
    let Some((symbol, exchange)) = text.split_once('.') else {
        return false;
    };
    (2..=6).contains(&symbol.len())
        && (1..=3).contains(&exchange.len())
        && symbol
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && exchange.chars().all(|c| c.is_ascii_uppercase())
}

/// A one-word draft opening a short line of figures and lowercase abbreviations, at the start
/// of a sentence or after a dateline's dash ("NEW YORK, Feb 26 - Qtly div 25 cts vs ...").
fn opens_table_line(a: &Analysis, d: &Draft) -> bool {
    let after_dash = d.first > 0 && matches!(a.tokens[d.first - 1].text.as_str(), "-" | "--" | "—");
    if d.last - d.first != 1 || !(a.tokens[d.first].sent_start || after_dash) {
        return false;
    }
    let Some(&(_, end)) = a
        .sentences
        .iter()
        .find(|(s, e)| (*s..*e).contains(&d.first))
    else {
        return false;
    };
    let tokens = &a.tokens[d.first..end];
    let numbers = tokens
        .iter()
        .filter(|t| t.text.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .count();
    let next_lower = tokens
        .get(1)
        .is_some_and(|t| t.text.chars().next().is_some_and(char::is_lowercase));
    tokens.len() <= TABLE_LINE_TOKENS && numbers >= 2 && next_lower
}

/// "Inc" or "Corp." alone.
fn is_legal_form_alone(text: &str) -> bool {
    matches!(
        text.trim_end_matches('.').to_lowercase().as_str(),
        "inc" | "corp" | "co" | "ltd" | "plc" | "llc"
    )
}

/// "OK", the word of assent ("it will be OK", "OK, we go"), which the model types as a place
/// or an organization; not Oklahoma's code after a town and a comma ("Tulsa, OK").
fn is_okay(a: &Analysis, d: &Draft) -> bool {
    let text = |i: usize| a.tokens.get(i).map_or("", |t| t.text.as_str());
    d.text == "OK"
        && !(d.first >= 2
            && text(d.first - 1) == ","
            && text(d.first - 2).starts_with(char::is_uppercase))
}

/// An abbreviation made plural: "PCs", "MPs", "SSRIs". A name is one thing, so it is none.
fn is_plural_abbreviation(text: &str) -> bool {
    text.strip_suffix('s').is_some_and(|stem| {
        stem.chars().count() >= 2 && stem.chars().all(|c| c.is_ascii_uppercase())
    })
}

/// Abbreviations of common nouns, which name nothing ("generative AI", "a DNA test", "GDP
/// growth"), as written. Not those that also name an organization or a place, such as "PC"
/// (Progressive Conservatives), "ID" (Idaho), "EU", "UN" or "NHS". Their plurals ("CDs",
/// "SUVs") are [`is_plural_abbreviation`]'s.
const COMMON_ABBREVIATIONS: &[&str] = &[
    "3D", "4G", "5G", "A.I.", "ADHD", "AI", "AIDS", "ALS", "API", "ATM", "BMI", "CBD", "CCTV",
    "CD", "CEO", "CFO", "CGI", "COPD", "COVID", "COVID-19", "CPI", "CPR", "CPU", "DIY", "DNA",
    "DSL", "DUI", "DVD", "EMT", "ETF", "EV", "GDP", "GIF", "GMO", "GNP", "GPA", "GPS", "GPU", "HD",
    "HDTV", "HIV", "HPV", "HRT", "HTML", "HTTP", "HTTPS", "ICU", "IPO", "IQ", "ISBN", "ISP", "IVF",
    "JPEG", "LCD", "LED", "LGBT", "LGBTQ", "LNG", "LPG", "LSD", "MBA", "MDMA", "MP3", "MRI", "NFT",
    "OCD", "OLED", "PDA", "PDF", "PhD", "PIN", "PMI", "PPE", "PTSD", "RNA", "RSV", "SIDS", "SIM",
    "SMS", "STD", "SUV", "THC", "TV", "UAV", "UFO", "URL", "USB", "UTI", "VAT", "VIP", "VPN", "VR",
    "Wi-Fi", "WiFi", "XML",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickers_are_recognized() {
        assert!(is_ticker("GECL.L"));
        assert!(is_ticker("IBM.N"));
        assert!(is_ticker("0005.HK"));
        assert!(!is_ticker("U.S."));
        assert!(!is_ticker("U.K"));
        assert!(!is_ticker("St.Louis"));
        assert!(!is_ticker("Corp."));
    }

    #[test]
    fn days_and_numbers_of_laws_are_recognized() {
        assert!(is_day("4") && is_day("31") && is_day("4th") && is_day("22nd"));
        assert!(!is_day("32") && !is_day("0") && !is_day("1996") && !is_day("4x"));
        assert!(is_law_number("404") && is_law_number("IX") && is_law_number("5A"));
        assert!(!is_law_number("Of") && !is_law_number("") && !is_law_number("I-95"));
    }

    #[test]
    fn plural_abbreviations_are_recognized() {
        assert!(is_plural_abbreviation("PCs"));
        assert!(is_plural_abbreviation("SSRIs"));
        assert!(!is_plural_abbreviation("US"));
        assert!(!is_plural_abbreviation("Ps"));
        assert!(!is_plural_abbreviation("NASA"));
        assert!(!is_plural_abbreviation("Toys"));
    }
}
