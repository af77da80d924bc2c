//! Sports reports name teams after their countries and cities: "England beat Pakistan by
//! four wickets", "Romania 2 Lithuania 1", "CHICAGO AT NEW YORK". There "England" is not the
//! country but the England national cricket team, and counting it as the country would bury
//! the country's news under its results.
//!
//! In an article whose vocabulary says which team sport it reports, a name the model typed as
//! a place (or an organization named like a known place) becomes a team when the article uses
//! it as one: beside a score, in a fixture ("v", "against", "beat"), with a team's noun
//! ("captain", "squad", a position: "Norwich striker"), a player ("Birmingham 's Gary Breen"), a
//! transfer ("joined Milan") or a plural verb ("England were"). A country or a nation becomes
//! "<name> national <sport> team"; a city or region becomes the club organization of that
//! name. Players' nationalities in brackets, and places after "in", "at" or "from", stay places.
//! A one-word name the model typed as a person becomes a club on stronger evidence: a result
//! line ("Harlequins 75 Gloucester 19"), a plural verb ("Deportivo were") or fans.
//! A country's mentions keep the type of their name, place (as CoNLL-2003 and OntoNotes tag
//! them), while their entity is the team; a club is named as the organization it is.

use std::collections::{HashMap, HashSet};

use super::Draft;
use crate::EntityKind;
use crate::features::Analysis;
use crate::kb::Kb;

/// A team sport, with the words that show a report is about it.
struct Sport {
    /// The sport's name in a national team's name ("England national cricket team").
    team_name: &'static str,
    /// Folded words naming the sport: each counts as [`NAME_WEIGHT`] cues.
    names: &'static [&'static str],
    /// Folded words that appear in its reports and rarely elsewhere.
    cues: &'static [&'static str],
}

const SPORTS: &[Sport] = &[
    Sport {
        team_name: "football",
        names: &["soccer"],
        cues: &[
            "football",
            "goalkeeper",
            "striker",
            "midfielder",
            "halftime",
            "half-time",
            "scorers",
            "equaliser",
            "equalizer",
            "offside",
            "fifa",
            "uefa",
            "qualifier",
        ],
    },
    Sport {
        team_name: "cricket",
        names: &["cricket"],
        cues: &[
            "wicket",
            "wickets",
            "batsman",
            "batsmen",
            "bowler",
            "bowled",
            "overs",
            "lbw",
            "stumps",
            "one-day",
            "one-dayer",
            "innings",
            "all-rounder",
        ],
    },
    Sport {
        team_name: "rugby union",
        names: &["rugby"],
        cues: &[
            "scrum",
            "lineout",
            "fly-half",
            "flanker",
            "springboks",
            "wallabies",
        ],
    },
    Sport {
        team_name: "baseball",
        names: &["baseball"],
        cues: &[
            "pitcher",
            "inning",
            "innings",
            "homer",
            "homered",
            "rbi",
            "bullpen",
            "shortstop",
            "outfielder",
        ],
    },
    Sport {
        team_name: "basketball",
        names: &["basketball"],
        cues: &["nba", "three-pointer", "dunk"],
    },
    Sport {
        team_name: "ice hockey",
        names: &["hockey"],
        cues: &["nhl", "puck", "goaltender", "power-play"],
    },
];

/// How many cues a word naming the sport counts for.
const NAME_WEIGHT: usize = 3;
/// How many cues make a report, and how far ahead of the next sport the first must be.
const MIN_CUES: usize = 3;

/// Words before a name that make it a team: fixtures and results.
const TEAM_BEFORE: &[&str] = &[
    "beat", "beating", "against", "v", "vs", "vs.", "versus", "over", "joined", "joins", "join",
];
/// Words after a name that make it a team.
const TEAM_AFTER: &[&str] = &[
    "beat",
    "beats",
    "defeated",
    "drew",
    "draw",
    "lost",
    "lose",
    "won",
    "win",
    "trail",
    "led",
    "lead",
    "were",
    "are",
    "have",
    "need",
    "needed",
    "v",
    "vs",
    "vs.",
    "versus",
    "captain",
    "coach",
    "manager",
    "squad",
    "team",
    "side",
    "players",
    "skipper",
    "striker",
    "forward",
    "midfielder",
    "defender",
    "goalkeeper",
    "winger",
    "pitcher",
    "catcher",
    "quarterback",
    "outfielder",
    "shortstop",
    "infielder",
    "reliever",
    "left-hander",
    "right-hander",
    "fans",
    "supporters",
    "boss",
    "bowlers",
    "batsmen",
    "innings",
    "scored",
    "at",
    "dominate",
    "dominated",
    "debut",
    ":",
    "-",
];
/// Words after a possessive that make the possessor a team ("England 's captain").
const TEAM_NOUNS: &[&str] = &[
    "captain", "coach", "manager", "squad", "team", "side", "players", "skipper", "innings",
    "bowlers", "batsmen", "opening", "victory", "win", "defeat", "goal", "goals", "defence",
    "defense", "attack", "first", "second", "lead", "reply", "total", "best", "one-day",
];
/// Words before a name that keep it a place.
const PLACE_BEFORE: &[&str] = &["in", "from", "near", "of"];

/// Whether an article reports a team sport ([`sport_of`]).
pub(super) fn is_sports_report(a: &Analysis) -> bool {
    sport_of(a).is_some()
}

/// The sport an article reports, if its vocabulary says so clearly.
fn sport_of(a: &Analysis) -> Option<&'static Sport> {
    let mut counts = vec![0usize; SPORTS.len()];
    for form in &a.forms {
        for (k, sport) in SPORTS.iter().enumerate() {
            if sport.names.contains(&form.as_str()) {
                counts[k] += NAME_WEIGHT;
            } else if sport.cues.contains(&form.as_str()) {
                counts[k] += 1;
            }
        }
    }
    let mut ranked: Vec<usize> = (0..SPORTS.len()).collect();
    ranked.sort_by_key(|&k| std::cmp::Reverse(counts[k]));
    let (best, next) = (counts[ranked[0]], counts[ranked[1]]);
    (best >= MIN_CUES && best >= 2 * next).then(|| &SPORTS[ranked[0]])
}

/// Whether a token is a score: "2", "228-9", "3-1".
fn is_score(text: &str) -> bool {
    let parts: Vec<&str> = text.split(['-', '/']).collect();
    parts.len() <= 2
        && parts
            .iter()
            .all(|p| (1..=3).contains(&p.len()) && p.chars().all(|c| c.is_ascii_digit()))
}

/// Team evidence minus place evidence for one mention.
fn evidence(a: &Analysis, d: &Draft, person_starts: &HashSet<usize>) -> i32 {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let text = |i: usize| a.tokens.get(i).map_or("", |t| t.text.as_str());
    let before = if d.first > 0 { form(d.first - 1) } else { "" };
    let after = form(d.last);
    let mut score = 0;
    if is_score(text(d.last)) {
        score += 2;
    }
    if TEAM_BEFORE.contains(&before) {
        score += 1;
    }
    if TEAM_AFTER.contains(&after) {
        score += 1;
    }
    // "England 's captain", and "Birmingham 's Gary Breen": a team's player.
    if matches!(after, "'s" | "'")
        && (TEAM_NOUNS.contains(&form(d.last + 1)) || person_starts.contains(&(d.last + 1)))
    {
        score += 1;
    }
    if PLACE_BEFORE.contains(&before) || before == "(" && text(d.last) == ")" {
        score -= 2;
    }
    if is_date(text(d.last)) {
        score -= 3;
    }
    score
}

/// The score of a venue: low enough that the name stays a place ([`mark`] skips `<= -2`).
const VENUE: i32 = -3;

/// Whether a name heads a result line as the ground it was played at: "Hove: Sussex 363 and
/// 201-4", "Leicester: Leicestershire beat Somerset". It starts a sentence, and a colon and
/// another name follow it. A team's line-up ("England: Mike Atherton (captain), ...") has a
/// person after the colon, and a score line ("England: 326 all out") a number.
fn is_venue(a: &Analysis, d: &Draft, drafts: &[Draft]) -> bool {
    let colon = d.last;
    a.tokens.get(d.first).is_some_and(|t| t.sent_start)
        && a.tokens.get(colon).is_some_and(|t| t.text == ":")
        && drafts
            .iter()
            .any(|o| o.first == colon + 1 && o.kind != EntityKind::Person && o.name(a) != d.name(a))
}

/// A date written as digits: "1996-08-31".
fn is_date(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

/// Turns the places of a sports report that play into teams. A country named in a team
/// sport's report is its team unless the text places it ("in England", a player's
/// "( Germany )", a dateline); a city or region needs a team's company (a score, a fixture).
pub(super) fn mark(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let Some(sport) = sport_of(a) else {
        return;
    };
    let country = |d: &Draft| {
        d.place
            .or_else(|| kb.place(&d.text).map(|(index, _)| index))
            .map(|p| kb.place_at(p))
            .filter(|p| p.is_country())
    };
    let person_starts: HashSet<usize> = drafts
        .iter()
        .filter(|d| d.kind == EntityKind::Person)
        .map(|d| d.first)
        .collect();
    let scores: Vec<i32> = drafts
        .iter()
        .map(|d| {
            if is_venue(a, d, drafts) {
                return VENUE;
            }
            evidence(a, d, &person_starts) + i32::from(country(d).is_some())
        })
        .collect();
    // Evidence summed over the mentions of each name.
    let mut by_name: HashMap<String, i32> = HashMap::new();
    for (d, score) in drafts.iter().zip(&scores) {
        if could_be_team(kb, d) {
            *by_name.entry(d.name(a)).or_default() += score;
        }
    }
    clubs_typed_as_persons(a, kb, drafts);
    for (d, score) in drafts.iter_mut().zip(scores) {
        let team = by_name.get(&d.name(a)).is_some_and(|&total| total > 0);
        if !could_be_team(kb, d) || !team || score <= -2 {
            continue;
        }
        let national = country(d).map(|p| format!("{} national {} team", p.name, sport.team_name));
        // A country's name stays a place's name while it stands for its team; a club is
        // named, and tagged, as the organization it is.
        if national.is_some() {
            d.written_as = Some(EntityKind::Place);
        }
        d.kind = EntityKind::Organization;
        d.place = None;
        d.stands_for = national;
    }
}

/// Words after a name that make a club of what the model took for a person: people are not
/// plural, and have no fans ("Deportivo were", "Harlequins supporters").
const CLUB_AFTER: &[&str] = &[
    "were",
    "are",
    "have",
    "players",
    "fans",
    "supporters",
    "squad",
];
/// Words after a possessive that make the possessor a club: "Deportivo 's keeper".
const CLUB_NOUNS: &[&str] = &[
    "squad",
    "players",
    "fans",
    "supporters",
    "keeper",
    "goalkeeper",
    "defence",
    "defense",
    "midfield",
];

/// Whether a name stands in a result line: its score follows it, and either another name
/// with its score follows that, or a name and its score come just before it ("Harlequins 75
/// Gloucester 19").
fn in_result(a: &Analysis, d: &Draft, starts: &HashMap<usize, usize>, drafts: &[Draft]) -> bool {
    let goals = |i: usize| {
        a.tokens.get(i).is_some_and(|t| {
            (1..=3).contains(&t.text.len()) && t.text.chars().all(|c| c.is_ascii_digit())
        })
    };
    let after = goals(d.last)
        && starts
            .get(&(d.last + 1))
            .is_some_and(|&o| goals(drafts[o].last));
    let before = d.first >= 2
        && goals(d.last)
        && goals(d.first - 1)
        && drafts.iter().any(|o| o.last + 1 == d.first);
    after || before
}

/// Clubs the model typed as persons in a team sport's report: a name that plays a result
/// ("Harlequins 75 Gloucester 19"), takes a plural verb ("Deportivo were", not "Gethin and
/// Jones were") or has fans or a keeper becomes the club of that name. One word, not a given
/// name, nor part of a person's full name in the article.
fn clubs_typed_as_persons(a: &Analysis, kb: &Kb, drafts: &mut [Draft]) {
    let form = |i: usize| a.forms.get(i).map_or("", String::as_str);
    let in_full_names = super::words_of_full_names(a, drafts);
    let candidate = |d: &Draft| {
        d.kind == EntityKind::Person
            && d.last - d.first == 1
            && !kb.is_given_name(form(d.first))
            && !in_full_names.contains(form(d.first))
    };
    let starts: HashMap<usize, usize> = drafts
        .iter()
        .enumerate()
        .map(|(k, d)| (d.first, k))
        .collect();
    let mut by_name: HashMap<String, i32> = HashMap::new();
    for d in drafts.iter().filter(|d| candidate(d)) {
        let next = form(d.last);
        let owned = matches!(next, "'s" | "'") && CLUB_NOUNS.contains(&form(d.last + 1));
        // "Gethin and Jones were": two people are plural too.
        let coordinated =
            d.first > 0 && matches!(form(d.first - 1), "and" | "&" | "or" | "nor" | ",");
        let plural = CLUB_AFTER.contains(&next) && !coordinated;
        let club = in_result(a, d, &starts, drafts) || plural || owned;
        *by_name.entry(d.name(a)).or_default() += i32::from(club);
    }
    for d in drafts.iter_mut() {
        if candidate(d) && by_name.get(&d.name(a)).is_some_and(|&n| n > 0) {
            d.kind = EntityKind::Organization;
        }
    }
}

/// A place, or an organization named like a known place.
fn could_be_team(kb: &Kb, d: &Draft) -> bool {
    match d.kind {
        EntityKind::Place => true,
        EntityKind::Organization => d.stands_for.is_none() && kb.place(&d.text).is_some(),
        EntityKind::Person => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_numbers_and_results() {
        assert!(is_score("2"));
        assert!(is_score("228-9"));
        assert!(!is_score("1996-08-30"));
        assert!(!is_score("1996"));
        assert!(!is_score("Pakistan"));
    }
}
