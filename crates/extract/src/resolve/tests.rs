//! Resolution of spans given as if the model had tagged them, so that a rule is tested on
//! the tagging it is written for.

use super::*;
use crate::Extractor;

/// Resolves `text` with the spans the model is given to have found: (words, type), tagged
/// wherever they occur but inside a longer tagged name.
fn resolve_as_tagged(text: &str, tagged: &[(&str, &str)]) -> Extraction {
    let tagged: Vec<(&str, &str, f32)> = tagged.iter().map(|&(w, k)| (w, k, 0.9)).collect();
    resolve_as_tagged_with(text, &tagged)
}

/// [`resolve_as_tagged`] with the model's confidence in each span: (words, type, confidence).
fn resolve_as_tagged_with(text: &str, tagged: &[(&str, &str, f32)]) -> Extraction {
    let extractor = Extractor::load_default().expect("the shipped model loads");
    let a = crate::features::analyze(extractor.lexicon(), &[text]);
    let mut spans = Vec::new();
    for &(words, kind, confidence) in tagged {
        let words: Vec<&str> = words.split(' ').collect();
        for start in 0..a.tokens.len() {
            let end = start + words.len();
            if end <= a.tokens.len()
                && a.tokens[start..end]
                    .iter()
                    .zip(&words)
                    .all(|(t, w)| t.text == *w)
            {
                spans.push(Span {
                    start,
                    end,
                    kind: kind.to_owned(),
                    confidence,
                });
            }
        }
    }
    // A word tagged alone is not tagged again inside a longer name ("Easter" of "Dario Easter").
    let covered: Vec<bool> = spans
        .iter()
        .map(|s| {
            spans
                .iter()
                .any(|o| o.end - o.start > s.end - s.start && o.start <= s.start && s.end <= o.end)
        })
        .collect();
    let mut spans: Vec<Span> = spans
        .into_iter()
        .zip(covered)
        .filter_map(|(s, covered)| (!covered).then_some(s))
        .collect();
    spans.sort_by_key(|s| s.start);
    resolve(&a, &spans, &[text], &[Field::Body], extractor.kb())
}

/// Each mention's text with its entity's kind, in order.
fn mention_kinds(x: &Extraction) -> Vec<(&str, EntityKind)> {
    x.mentions
        .iter()
        .map(|m| (m.text.as_str(), x.entities[m.entity].kind))
        .collect()
}

fn kind_of_name(x: &Extraction, name: &str) -> Option<EntityKind> {
    x.entities
        .iter()
        .find(|e| e.canonical == name)
        .map(|e| e.kind)
}

#[test]
fn a_full_name_mistyped_is_the_person_its_surname_names() {
    let text = "Tiger Woods won on Sunday. Woods said he felt well. Woods will rest.";
    let mistyped = resolve_as_tagged(text, &[("Tiger Woods", "LOC"), ("Woods", "PER")]);
    let text = "Fans of the Philadelphia Eagles cheered. Eagles said nothing.";
    let team = resolve_as_tagged(text, &[("Philadelphia Eagles", "ORG"), ("Eagles", "PER")]);

    assert_eq!(
        kind_of_name(&mistyped, "Tiger Woods"),
        Some(EntityKind::Person)
    );
    assert_eq!(mistyped.entities.len(), 1, "{:?}", mistyped.entities);
    assert_eq!(
        kind_of_name(&team, "Philadelphia Eagles"),
        Some(EntityKind::Organization),
        "a name starting with a known place keeps its type"
    );
}

#[test]
fn a_relatives_full_name_mistyped_is_a_person_when_the_given_name_is_one() {
    let text = "Dorin Valka bought the rifle. His son Tovan Valka was 14. Tovan said little, \
                and Tovan was arrested. Valka denied it.";
    let relative = resolve_as_tagged(
        text,
        &[
            ("Dorin Valka", "PER"),
            ("Tovan Valka", "LOC"),
            ("Tovan", "PER"),
            ("Valka", "PER"),
        ],
    );
    let text = "Dorin Valka sued. The Kelmo Valka mill closed. Workers in Kelmo were angry.";
    let mill = resolve_as_tagged(
        text,
        &[
            ("Dorin Valka", "PER"),
            ("Kelmo Valka", "LOC"),
            ("Kelmo", "LOC"),
        ],
    );
    let text = "The fire started in Quorvin County, Oklahoma. In Tobel County, Kansas, a man died. \
                The governor declared an emergency for Quorvin, Texas and Woodward counties.";
    let counties = resolve_as_tagged(
        text,
        &[
            ("Quorvin County", "LOC"),
            ("Tobel County", "PER"),
            ("Quorvin", "PER"),
            ("Oklahoma", "LOC"),
            ("Kansas", "LOC"),
            ("Texas", "LOC"),
        ],
    );

    assert_eq!(
        kind_of_name(&relative, "Tovan Valka"),
        Some(EntityKind::Person)
    );
    assert_eq!(
        kind_of_name(&mill, "Kelmo Valka"),
        Some(EntityKind::Place),
        "a first word named alone as a place is no given name"
    );
    assert_eq!(
        kind_of_name(&counties, "Quorvin County"),
        Some(EntityKind::Place),
        "a place's head word is no family's surname"
    );
}

#[test]
fn a_city_and_its_region_are_places_whatever_the_model_typed() {
    let text = "Flights run to Denver, Colorado, and on to Washington, DC. Denver is cold. DC \
                voted. In Washington, DC, it rained.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Denver", "PER"),
            ("Colorado", "LOC"),
            ("Washington", "LOC"),
            ("DC", "ORG"),
        ],
    );
    let text = "He chairs Lowell, Lowell and Hart. Lowell said profits rose.";
    let firm = resolve_as_tagged(text, &[("Lowell", "ORG")]);
    let text = "TOLEDO, Ohio, March 3 - Toledo said it would merge with Arvo Corp.";
    let dateline = resolve_as_tagged_with(
        text,
        &[
            ("TOLEDO", "ORG", 0.95),
            ("Ohio", "LOC", 0.9),
            ("Toledo", "ORG", 0.6),
        ],
    );

    assert_eq!(
        kind_of_name(&x, "Denver"),
        Some(EntityKind::Place),
        "{:?}",
        mention_kinds(&x)
    );
    assert!(
        !mention_kinds(&x).contains(&("DC", EntityKind::Organization)),
        "{:?}",
        mention_kinds(&x)
    );
    assert_eq!(
        kind_of_name(&firm, "Lowell"),
        Some(EntityKind::Organization),
        "a name and the same name again is no city in its region"
    );
    assert!(
        mention_kinds(&dateline).contains(&("Toledo", EntityKind::Organization)),
        "a dateline's city does not make the company a place: {:?}",
        mention_kinds(&dateline)
    );
}

#[test]
fn a_name_ending_with_an_institutions_head_word_is_an_organization() {
    let text = "The High Court in Islamabad ruled. The U.S. Geological Survey said the West Bank \
                and the Soviet Union felt it.";
    let x = resolve_as_tagged(
        text,
        &[
            ("High Court", "LOC"),
            ("Islamabad", "LOC"),
            ("U.S. Geological Survey", "PER"),
            ("West Bank", "LOC"),
            ("Soviet Union", "LOC"),
        ],
    );

    assert_eq!(
        kind_of_name(&x, "High Court"),
        Some(EntityKind::Organization)
    );
    assert_eq!(
        kind_of_name(&x, "U.S. Geological Survey"),
        Some(EntityKind::Organization)
    );
    assert_eq!(kind_of_name(&x, "Islamabad"), Some(EntityKind::Place));
    assert_eq!(kind_of_name(&x, "West Bank"), Some(EntityKind::Place));
}

#[test]
fn an_institutions_of_part_is_part_of_its_name() {
    let text = "The Kell Association of Probation Officers met the Port Authority of Velmora \
                and Zorvath Inc of Velmora . The Supreme Council of the Drava Union ( DU ) and \
                the Bureau of Legal Affairs Director Dario Brelox agreed .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Kell Association", "ORG"),
            ("Port Authority", "ORG"),
            ("Velmora", "LOC"),
            ("Zorvath Inc", "ORG"),
            ("Supreme Council", "ORG"),
            ("Drava Union", "LOC"),
            ("Bureau", "ORG"),
            ("Dario Brelox", "PER"),
        ],
    );

    // A legal form's "of" is the company's seat, an acronym in brackets defines the place,
    // and a title before a person's name is no part of the bureau's.
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "Kell Association of Probation Officers",
            "Port Authority of Velmora",
            "Zorvath Inc",
            "Velmora",
            "Supreme Council",
            "Drava Union",
            "DU",
            "Bureau of Legal Affairs",
            "Dario Brelox",
        ]
    );
}

#[test]
fn streets_squares_bridges_and_stadiums_are_places() {
    let text = "Fans left Elvor Stadium for Kell Street , crossed the Dravin Bridge and met \
                at Zorvath Corp .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Elvor Stadium", "ORG"),
            ("Kell Street", "PER"),
            ("Dravin Bridge", "ORG"),
            ("Zorvath Corp", "ORG"),
        ],
    );

    assert_eq!(
        mention_kinds(&x),
        [
            ("Elvor Stadium", EntityKind::Place),
            ("Kell Street", EntityKind::Place),
            ("Dravin Bridge", EntityKind::Place),
            ("Zorvath Corp", EntityKind::Organization),
        ]
    );
}

#[test]
fn a_name_ending_with_a_companys_head_word_is_an_organization() {
    let text = "Dravin Pharma sold its painkiller . Later Dravin filed for bankruptcy , and \
                Kell Laboratories bought Orvex Foods .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Dravin Pharma", "PER"),
            ("Dravin", "PER"),
            ("Kell Laboratories", "PER"),
            ("Orvex Foods", "LOC"),
        ],
    );

    // "Dravin" alone is the short form of the company's name (rules 32).
    assert_eq!(
        mention_kinds(&x),
        [
            ("Dravin Pharma", EntityKind::Organization),
            ("Dravin", EntityKind::Organization),
            ("Kell Laboratories", EntityKind::Organization),
            ("Orvex Foods", EntityKind::Organization),
        ]
    );
}

#[test]
fn a_place_unknown_to_the_knowledge_base_with_members_or_headquarters_is_an_organization() {
    let text = "Montalvo, a member of Zorvathism all his life, left. Zorvathism officials said \
                so. Quellbright headquarters in Tarvik were closed. Ferndale Mills in Tarvik \
                and members of Paris were there.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Montalvo", "PER"),
            ("Zorvathism", "LOC"),
            ("Quellbright", "LOC"),
            ("Tarvik", "LOC"),
            ("Ferndale Mills", "LOC"),
            ("Paris", "LOC"),
        ],
    );

    assert_eq!(
        kind_of_name(&x, "Zorvathism"),
        Some(EntityKind::Organization)
    );
    assert_eq!(
        kind_of_name(&x, "Quellbright"),
        Some(EntityKind::Organization)
    );
    assert_eq!(
        kind_of_name(&x, "Tarvik"),
        Some(EntityKind::Place),
        "no cue"
    );
    assert_eq!(
        kind_of_name(&x, "Ferndale Mills"),
        Some(EntityKind::Place),
        "no cue"
    );
    assert_eq!(
        kind_of_name(&x, "Paris"),
        Some(EntityKind::Place),
        "a place the knowledge base knows stays one"
    );
}

#[test]
fn a_place_unknown_to_the_knowledge_base_quoted_as_a_source_is_an_organization() {
    let text = "Prices rose, according to Kevlora. In an interview with Dramvel, he said so. \
                Prices fell in Tarvik, according to Tarvik police, and Zorbel County officials \
                agreed, according to Zorbel County.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Kevlora", "LOC"),
            ("Dramvel", "LOC"),
            ("Tarvik", "LOC"),
            ("Zorbel County", "LOC"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Kevlora"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Dramvel"), Some(EntityKind::Organization));
    assert_eq!(
        kind_of_name(&x, "Tarvik"),
        Some(EntityKind::Place),
        "not the whole source: {:?}",
        x.entities
    );
    assert_eq!(
        kind_of_name(&x, "Zorbel County"),
        Some(EntityKind::Place),
        "named as a place is"
    );
}

#[test]
fn a_one_word_person_with_reporters_or_users_is_an_organization() {
    let text = "A Zorblat reporter asked Jane Kell. Zorblat users complained. Kell reporters \
                waited, and Gloria reporters too.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorblat", "PER"),
            ("Jane Kell", "PER"),
            ("Kell", "PER"),
            ("Gloria", "PER"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Zorblat"), Some(EntityKind::Organization));
    assert_eq!(
        kind_of_name(&x, "Jane Kell"),
        Some(EntityKind::Person),
        "a surname of a full name in the article stays a person"
    );
    assert_eq!(
        kind_of_name(&x, "Gloria"),
        Some(EntityKind::Person),
        "a given name"
    );
}

#[test]
fn a_leader_with_officials_stays_a_person() {
    let text = "Top Zorblat officials met Velk officials on Monday, and the Velk administration \
                said nothing about it.";
    let x = resolve_as_tagged(text, &[("Zorblat", "PER"), ("Velk", "PER")]);

    assert_eq!(
        kind_of_name(&x, "Velk"),
        Some(EntityKind::Person),
        "the article writes of the Velk administration"
    );
    assert_eq!(kind_of_name(&x, "Zorblat"), Some(EntityKind::Organization));
}

#[test]
fn an_acronym_run_into_a_persons_name_is_cut_off_where_the_article_names_it_alone() {
    let text = "The shootings of Dario Velkby ZHQ agents were filmed, and the ZHQ said it would \
                look at them. Pope Leo XIV spoke of Mira Sollen QXV on Monday, and signed it \
                XIV. Nestor KALDEN won, and KALDEN said so.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Dario Velkby ZHQ", "PER"),
            ("ZHQ", "ORG"),
            ("Leo XIV", "PER"),
            ("XIV", "ORG"),
            ("Mira Sollen QXV", "PER"),
            ("Nestor KALDEN", "PER"),
            ("KALDEN", "PER"),
        ],
    );
    let kinds = mention_kinds(&x);

    assert!(
        kinds.contains(&("Dario Velkby", EntityKind::Person)),
        "{kinds:?}"
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|m| **m == ("ZHQ", EntityKind::Organization))
            .count(),
        2,
        "{kinds:?}"
    );
    assert!(
        kinds.contains(&("Leo XIV", EntityKind::Person)),
        "a roman numeral"
    );
    assert!(
        kinds.contains(&("Mira Sollen QXV", EntityKind::Person)),
        "an acronym the article never names alone"
    );
    assert!(
        kinds.contains(&("Nestor KALDEN", EntityKind::Person)),
        "a surname in capitals, named alone as a person"
    );
}

#[test]
fn a_persons_name_and_an_acronym_tagged_as_one_organization_are_split() {
    let text = "Velk said it was over, and Velk aides agreed, but the Velk ZDJ declined to \
                comment, as the ZDJ always does on Mondays.";
    let x = resolve_as_tagged(
        text,
        &[("Velk", "PER"), ("Velk ZDJ", "ORG"), ("ZDJ", "ORG")],
    );
    let kinds = mention_kinds(&x);

    assert_eq!(
        kinds
            .iter()
            .filter(|m| **m == ("Velk", EntityKind::Person))
            .count(),
        3,
        "{kinds:?}"
    );
    assert_eq!(kind_of_name(&x, "ZDJ"), Some(EntityKind::Organization));
}

#[test]
fn planets_are_places() {
    let space = "Water once covered Earth and may have covered Mars, a planet whose orbit the \
                 probe will follow, said astronomer Venus Okafor. Venus said so twice.";
    let x = resolve_as_tagged(
        space,
        &[
            ("Earth", "ORG"),
            ("Mars", "PER"),
            ("Venus Okafor", "PER"),
            ("Venus", "PER"),
        ],
    );
    assert_eq!(kind_of_name(&x, "Earth"), Some(EntityKind::Place));
    assert_eq!(kind_of_name(&x, "Mars"), Some(EntityKind::Place));
    assert!(
        mention_kinds(&x).contains(&("Venus", EntityKind::Person)),
        "a word of a person's full name"
    );

    let tennis = "Serena Williams said that her sister Venus would play, and analysts at \
                  Jupiter agreed with Earth scientists. Venus Williams nodded.";
    let x = resolve_as_tagged(
        tennis,
        &[
            ("Venus", "PER"),
            ("Venus Williams", "PER"),
            ("Jupiter", "ORG"),
            ("Earth", "ORG"),
        ],
    );
    assert_eq!(kind_of_name(&x, "Venus Williams"), Some(EntityKind::Person));
    assert_eq!(
        kind_of_name(&x, "Jupiter"),
        Some(EntityKind::Organization),
        "no article about space"
    );
    assert_eq!(kind_of_name(&x, "Earth"), Some(EntityKind::Place), "always");
}

#[test]
fn storms_are_not_people() {
    let text = "Cyclone Phailin hit the coast. Phailin weakened inland, and Hurricane Dolvra \
                followed. Mark Dolan reported.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Cyclone Phailin", "PER"),
            ("Phailin", "PER"),
            ("Dolvra", "PER"),
            ("Mark Dolan", "PER"),
        ],
    );

    let names: Vec<&str> = x.entities.iter().map(|e| e.canonical.as_str()).collect();
    assert_eq!(names, ["Mark Dolan"]);
}

/// Resolves `text` with spans at the given (token start, token end, type).
fn resolve_spans(text: &str, tagged: &[(usize, usize, &str)]) -> (Extraction, Vec<String>) {
    let extractor = Extractor::load_default().expect("the shipped model loads");
    let a = crate::features::analyze(extractor.lexicon(), &[text]);
    let spans: Vec<Span> = tagged
        .iter()
        .map(|&(start, end, kind)| Span {
            start,
            end,
            kind: kind.to_owned(),
            confidence: 0.8,
        })
        .collect();
    let words = a.tokens.iter().map(|t| t.text.clone()).collect();
    (
        resolve(&a, &spans, &[text], &[Field::Body], extractor.kb()),
        words,
    )
}

#[test]
fn an_untagged_repeat_of_a_tagged_name_is_a_mention_of_it() {
    let text = "Zorvath Ltd hired Ana Wu . Later Ana Wu left Zorvath Ltd . The Church of \
                Zorvath Ltd met . Zorvath Ltd ' s chief resigned .";
    let (x, words) = resolve_spans(text, &[(0, 2, "ORG"), (3, 5, "PER")]);
    assert_eq!(&words[0..2], ["Zorvath", "Ltd"]);

    let texts: Vec<(&str, usize)> = x
        .mentions
        .iter()
        .map(|m| (m.text.as_str(), m.start))
        .collect();
    let of_org = |start: usize| texts.contains(&("Zorvath Ltd", start));
    assert!(of_org(0), "{texts:?}");
    assert!(of_org(text.find("left Zorvath").unwrap() + 5), "{texts:?}");
    assert!(
        texts.contains(&("Ana Wu", text.find("Later Ana").unwrap() + 6)),
        "{texts:?}"
    );
    assert!(
        !of_org(text.find("of Zorvath").unwrap() + 3),
        "part of a longer name: {texts:?}"
    );
    assert!(of_org(text.rfind("Zorvath").unwrap()), "{texts:?}");
    assert_eq!(x.entities.len(), 2, "{:?}", x.entities);
    assert!(x.mentions.iter().all(|m| m.confidence == 0.8));
}

#[test]
fn a_coordination_of_names_the_article_gives_apart_is_split() {
    let text = "Haitai and Samsung drew . Haitai won on Sunday and Samsung lost . Marks and \
                Spencer rose . Bosnia and Herzegovina voted .";
    let (x, words) = resolve_spans(
        text,
        &[
            (0, 3, "ORG"),
            (5, 6, "ORG"),
            (10, 11, "ORG"),
            (13, 16, "ORG"),
            (18, 21, "LOC"),
        ],
    );
    assert_eq!(words[18..21], ["Bosnia", "and", "Herzegovina"]);

    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "Haitai",
            "Samsung",
            "Haitai",
            "Samsung",
            "Marks and Spencer",
            "Bosnia and Herzegovina"
        ]
    );
}

#[test]
fn an_organizations_name_cut_short_before_its_acronym_is_made_whole() {
    let text = "The Zorvath and Financial Crimes Commission ( ZFCC ) met . The ZFCC left . Bank of \
                Tavix and Kuwait ( BTK ) lent . Tavix Palm Oil Licensing Authority ( TPOLA ) \
                rose . US Kelmar and Exchange Commission ( KEC ) sued . London Inter Velk \
                Offered Rate ( LIVOR ) fell . Consumer Drevna Show ( CDS ) opened . Ostavia Data \
                Services ' ( ODS ) figures . Kelmar Data Services ' ( KDS ) data . Drevna Ostavia \
                Club ( DOC ) won .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Financial Crimes Commission", "ORG"),
            ("Bank of Tavix", "ORG"),
            ("Kuwait", "LOC"),
            ("Tavix Palm", "ORG"),
            ("US Kelmar and Exchange Commission", "ORG"),
            ("London Inter Velk", "ORG"),
            ("Drevna", "LOC"),
            ("Ostavia Data Services", "ORG"),
            ("Kelmar Data", "ORG"),
            ("Ostavia", "LOC"),
        ],
    );
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "Zorvath and Financial Crimes Commission",
            "ZFCC",
            "ZFCC",
            "Bank of Tavix and Kuwait",
            "BTK",
            "Tavix Palm Oil Licensing Authority",
            "TPOLA",
            "US Kelmar and Exchange Commission",
            "KEC",
            "London Inter Velk",
            "Drevna",
            "Ostavia Data Services",
            "Kelmar Data Services",
            "Drevna",
            "Ostavia",
        ],
        "a name the acronym spells is whole where the model found an organization in it that \
         ends it or the name ends with an organization's word; not a name the model ran out \
         of, a rate, a name with no organization in it, nor one the model found whole"
    );
}

#[test]
fn a_major_place_typed_a_person_after_in_is_a_place() {
    // Real places: the rule asks the knowledge base.
    let text = "In Asturias , mining began early . Asturias became Roman . Hanover grew . Trade \
                near Hanover rose . In Jordan 's view , Jordan won . Vicky Denver spoke in \
                Denver . In Bavaria 's hills , Bavaria said no . In Khagaria , Khagaria spoke .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Asturias", "PER"),
            ("Hanover", "PER"),
            ("Jordan", "PER"),
            ("Vicky Denver", "PER"),
            ("Denver", "PER"),
            ("Bavaria", "PER"),
            ("Khagaria", "PER"),
        ],
    );
    let kinds: Vec<(&str, EntityKind)> = mention_kinds(&x);
    let (place, person) = (EntityKind::Place, EntityKind::Person);
    assert_eq!(
        kinds,
        [
            ("Asturias", place),
            ("Asturias", place),
            ("Hanover", place),
            ("Hanover", place),
            ("Jordan", person),
            ("Jordan", person),
            ("Vicky Denver", person),
            ("Denver", person),
            ("Bavaria", person),
            ("Bavaria", person),
            ("Khagaria", person),
            ("Khagaria", person),
        ],
        "not a given name, a word of a full name, a name before a possessive, nor a town of \
         fewer than 100,000 people"
    );

    let text = "Support in Charlotte grew . Charlotte spoke . Ilka Bavaria spoke in Bavaria .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Charlotte", "PER"),
            ("Ilka Bavaria", "PER"),
            ("Bavaria", "PER"),
        ],
    );
    assert_eq!(
        mention_kinds(&x),
        [
            ("Charlotte", person),
            ("Charlotte", person),
            ("Ilka Bavaria", person),
            ("Bavaria", person),
        ],
        "a given name, and the surname of a person named in full, stay persons after \"in\""
    );
}

#[test]
fn an_administrative_division_typed_an_organization_is_a_place() {
    let text = "Officers in Zorvath County , Ostavia , said so . The Zorvath County medical \
                examiner ruled . Bank of Kelmar County lent . Drevna Pediatrics in Velk County \
                closed .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath County", "ORG"),
            ("Ostavia", "LOC"),
            ("Bank of Kelmar County", "ORG"),
            ("Drevna Pediatrics in Velk County", "ORG"),
        ],
    );
    assert_eq!(kind_of_name(&x, "Zorvath County"), Some(EntityKind::Place));
    assert_eq!(
        kind_of_name(&x, "Bank of Kelmar County"),
        Some(EntityKind::Organization),
        "an institution's name ending with its county"
    );
    assert_eq!(
        kind_of_name(&x, "Drevna Pediatrics in Velk County"),
        Some(EntityKind::Organization),
        "a name with a lowercase word in it"
    );

    // A soccer report's county is a club.
    let text = "Soccer : Velk County announced a signing . The striker scored before halftime \
                and the goalkeeper saved a penalty .";
    let x = resolve_as_tagged(text, &[("Velk County", "ORG")]);
    assert_eq!(
        kind_of_name(&x, "Velk County"),
        Some(EntityKind::Organization)
    );
}

#[test]
fn a_camel_case_name_split_at_its_seam_is_one_name() {
    let text = "Data from KelvarTraffic showed it . ZorvathThursday , it rained . VelbrookSenator \
                Arn spoke . OstaviaMike spoke . DrevnaExplaining the plan , he left . Ilka \
                VarnesBridge spoke . TavixQuill rose .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Kelvar", "ORG"),
            ("Zorvath", "ORG"),
            ("Velbrook", "LOC"),
            ("Ostavia", "LOC"),
            ("Drevna", "LOC"),
            ("Ilka Varnes", "PER"),
            ("Tavix", "ORG"),
            ("Quill", "ORG"),
        ],
    );
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "KelvarTraffic",
            "Zorvath",
            "Velbrook",
            "Ostavia",
            "Drevna",
            "Ilka Varnes",
            "Tavix",
            "Quill"
        ],
        "not over a day, a title, a given name, a sentence's opening word, after a person's full \
         name, nor over a name of its own"
    );
}

#[test]
fn a_coordination_of_two_institutions_is_split() {
    let text = "The Varnish Monetary Fund and World Bank met . Drelka Revenue Authority and \
                Zorvacom agreed . Kelmar Trust and Banking Co Ltd rose . House Energy and Commerce \
                Committee voted . Ostavia Army and Maoist rebels fought . Tavix Bank and Savings \
                Corp fell . Ostavia Navy and Coast Guard sailed . Drelka Fund and Affiliates grew . \
                Kelmar Securities and Exchange Commission sued . Velbrook police and Marlow came . Kelmar \
                Plc and NV merged . Ostavia Council and Committee sat . Drelka Army and Ostavian \
                troops left . Senate and Zorvacom talked .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Varnish Monetary Fund and World Bank", "ORG"),
            ("Drelka Revenue Authority and Zorvacom", "ORG"),
            ("Kelmar Trust and Banking Co Ltd", "ORG"),
            ("House Energy and Commerce Committee", "ORG"),
            ("Ostavia Army and Maoist", "ORG"),
            ("Tavix Bank and Savings Corp", "ORG"),
            ("Ostavia Navy and Coast Guard", "ORG"),
            ("Drelka Fund and Affiliates", "ORG"),
            ("Kelmar Securities and Exchange Commission", "ORG"),
            ("Velbrook police and Marlow", "ORG"),
            ("Kelmar Plc and NV", "ORG"),
            ("Ostavia Council and Committee", "ORG"),
            ("Drelka Army and Ostavian", "ORG"),
            ("Senate and Zorvacom", "ORG"),
        ],
    );
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "Varnish Monetary Fund",
            "World Bank",
            "Drelka Revenue Authority",
            "Zorvacom",
            "Kelmar Trust and Banking Co Ltd",
            "House Energy and Commerce Committee",
            "Ostavia Army and Maoist",
            "Tavix Bank and Savings Corp",
            "Ostavia Navy and Coast Guard",
            "Drelka Fund and Affiliates",
            "Kelmar Securities and Exchange Commission",
            "Velbrook police and Marlow",
            "Kelmar Plc and NV",
            "Ostavia Council and Committee",
            "Drelka Army and Ostavian",
            "Senate and Zorvacom",
        ],
        "two institutions' names are two names; a firm's name going on after \"and\", a first \
         part ending otherwise or with a company's word or in lowercase, a one-word first part, \
         a second part ending otherwise, a common word, a legal form, a head word alone and an \
         adjective after \"and\" are not"
    );
}

#[test]
fn a_name_run_into_an_office_and_a_person_is_split() {
    let text = "Los Angeles Mayor Karen Bass spoke . Kellam County Sheriff Chris Tasker and \
                Zorvex CEO Ilka Varnes agreed . Varnes left . Indian Prime Minister Narendra Modi \
                and Ruritania Governor Anna Moss did not . Ruritania Governor Ilka Tovna left .";
    let (x, words) = resolve_spans(
        text,
        &[
            (0, 5, "ORG"),
            (7, 12, "ORG"),
            (13, 17, "PER"),
            (19, 20, "PER"),
            (22, 27, "PER"),
            (28, 32, "ORG"),
            (35, 39, "ORG"),
        ],
    );
    assert_eq!(words[35..39], ["Ruritania", "Governor", "Ilka", "Tovna"]);

    assert_eq!(
        mention_kinds(&x),
        [
            ("Los Angeles", EntityKind::Place),
            ("Karen Bass", EntityKind::Person),
            ("Kellam County", EntityKind::Place),
            ("Chris Tasker", EntityKind::Person),
            ("Zorvex", EntityKind::Organization),
            ("Ilka Varnes", EntityKind::Person),
            ("Varnes", EntityKind::Person),
            ("Narendra Modi", EntityKind::Person),
            ("Ruritania", EntityKind::Organization),
            ("Anna Moss", EntityKind::Person),
            ("Ruritania Governor Ilka Tovna", EntityKind::Organization),
        ]
    );
}

#[test]
fn abbreviations_of_common_nouns_and_the_word_ok_are_not_names() {
    let text = "Generative AI lifted GDP growth , Zorvex said , and AI chips sold out . \
                OK , it will be OK , she said in Tulsa , OK . RSV and HPV cases rose after a DUI \
                arrest .";
    let x = resolve_as_tagged(
        text,
        &[
            ("AI", "ORG"),
            ("GDP", "ORG"),
            ("RSV", "PER"),
            ("HPV", "ORG"),
            ("DUI", "ORG"),
            ("Zorvex", "ORG"),
            ("OK", "LOC"),
            ("Tulsa", "LOC"),
        ],
    );

    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        ["Zorvex", "Tulsa", "OK"],
        "Oklahoma's code after a town"
    );
}

#[test]
fn a_places_abbreviation_keeps_its_period() {
    let text = "LANSING, MICH., March 25 - Velbrook said it hired staff in Troy, Mich. \
                and in Pa. It left the USA. It thanked Mo. Quarrix left Dravik. Then it went \
                to Va . Then home.";
    let x = resolve_as_tagged(
        text,
        &[
            ("LANSING", "LOC"),
            ("MICH", "ORG"),
            ("Velbrook", "ORG"),
            ("Troy", "LOC"),
            ("Mich", "LOC"),
            ("Pa", "LOC"),
            ("USA", "LOC"),
            ("Mo", "PER"),
            ("Quarrix", "PER"),
            ("Dravik", "LOC"),
            ("Va", "LOC"),
        ],
    );

    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "LANSING", "MICH.", "Velbrook", "Troy", "Mich.", "Pa.", "USA", "Mo", "Quarrix",
            "Dravik", "Va"
        ],
        "a state's abbreviation with its period, in capitals in a dateline; not a country's \
         code in capitals, a person, a name that is no abbreviation, or a period apart"
    );
}

#[test]
fn an_adjective_of_race_or_ethnicity_is_no_name() {
    let text = "Only five Black women have served . The first Black female senator spoke to \
                Latino community leaders and White voters . Black said it rained . White joined \
                later . Black and Tamsin met .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Black", "PER"),
            ("Latino", "PER"),
            ("White", "ORG"),
            ("Tamsin", "PER"),
        ],
    );
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        ["Black", "White", "Black", "Tamsin"],
        "before a noun they are adjectives; before a verb of speaking, a verb in the past or \
         \"and\", surnames"
    );

    // The surname of a person the article names in full stays a name before any word.
    let text = "Velma Black spoke . Black donors gave .";
    let x = resolve_as_tagged(text, &[("Velma Black", "PER"), ("Black", "PER")]);
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(names, ["Velma Black", "Black"]);
}

#[test]
fn a_participle_opening_a_sentence_is_no_name() {
    let text = "Born in Velbrook to Quarrix parents , Corvin Dast sang . Rose said it rained . \
                Tamsin in Velbrook said it rained . Fans met Born at home .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Born", "LOC"),
            ("Velbrook", "LOC"),
            ("Corvin Dast", "PER"),
            ("Rose", "PER"),
            ("Tamsin", "PER"),
        ],
    );

    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "Velbrook",
            "Corvin Dast",
            "Rose",
            "Tamsin",
            "Velbrook",
            "Born"
        ],
        "\"Born in\" is none; \"Rose said\", a given name before \"in\" and a word \
         capitalized mid-sentence are names"
    );
}

#[test]
fn a_name_run_over_its_place_or_a_second_name_is_split() {
    let text = "Zorvex University in Chicago hired staff . Tarvik News and the Varnel Journal \
                agreed . The Organisation for Security and Cooperation in Europe met . Kevlora \
                And The Wheelies played .";
    let (x, words) = resolve_spans(
        text,
        &[
            (0, 4, "ORG"),
            (7, 13, "ORG"),
            (16, 23, "ORG"),
            (25, 29, "ORG"),
        ],
    );
    assert_eq!(words[25..29], ["Kevlora", "And", "The", "Wheelies"]);

    assert_eq!(
        mention_kinds(&x),
        [
            ("Zorvex University", EntityKind::Organization),
            ("Chicago", EntityKind::Place),
            ("Tarvik News", EntityKind::Organization),
            ("Varnel Journal", EntityKind::Organization),
            (
                "Organisation for Security and Cooperation in Europe",
                EntityKind::Organization
            ),
            ("Kevlora And The Wheelies", EntityKind::Organization),
        ]
    );
}

#[test]
fn a_name_after_a_persons_title_or_role_is_a_person() {
    let text = "Secretary of State Ilvana Korsh arrived . Ilvana Korsh spoke . The \
                pro-democracy leader Tavi Morrow Quen is free . Market leader Zorvex Dairy rose \
                . Committee chairman Kelmar Corp agreed .";
    let (x, _) = resolve_spans(
        text,
        &[
            (3, 5, "ORG"),
            (7, 9, "ORG"),
            (14, 17, "LOC"),
            (22, 24, "ORG"),
            (28, 30, "ORG"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Ilvana Korsh"), Some(EntityKind::Person));
    assert_eq!(
        kind_of_name(&x, "Tavi Morrow Quen"),
        Some(EntityKind::Person)
    );
    assert_eq!(
        kind_of_name(&x, "Zorvex Dairy"),
        Some(EntityKind::Organization),
        "a market leader is a company"
    );
    assert_eq!(
        kind_of_name(&x, "Kelmar Corp"),
        Some(EntityKind::Organization),
        "a name with a legal form is an organization's"
    );
}

#[test]
fn places_named_with_common_words_stay_whole_and_places_around_of_are_joined() {
    let text = "Prisoners at Guantanamo Bay waited . Oil reached the Gulf of Mexico . Rebels in \
                the Democratic Republic of Congo fought . But Ireland won . Environment Canada \
                said so .";
    let (x, _) = resolve_spans(
        text,
        &[
            (2, 4, "LOC"),
            (9, 10, "LOC"),
            (11, 12, "LOC"),
            (16, 18, "LOC"),
            (19, 20, "LOC"),
            (22, 24, "LOC"),
            (26, 28, "ORG"),
        ],
    );

    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        names,
        [
            "Guantanamo Bay",
            "Gulf of Mexico",
            "Democratic Republic of Congo",
            "Ireland",
            "Environment Canada"
        ]
    );
}

#[test]
fn a_city_with_a_player_a_position_or_a_transfer_in_a_sports_report_is_its_club() {
    let text = "Soccer : the goalkeeper and the striker scored in the qualifier . Leeds 's Ivo \
                Brant was selected . Norwich forward Tom Wells played . He joined Torino last \
                year .";
    let (x, words) = resolve_spans(
        text,
        &[
            (12, 13, "LOC"),
            (14, 16, "PER"),
            (19, 20, "LOC"),
            (21, 23, "PER"),
            (27, 28, "LOC"),
        ],
    );
    assert_eq!(words[27], "Torino");

    for club in ["Leeds", "Norwich", "Torino"] {
        assert_eq!(
            kind_of_name(&x, club),
            Some(EntityKind::Organization),
            "{club}"
        );
    }
}

#[test]
fn a_name_described_in_apposition_as_a_company_is_an_organization() {
    let text = "Kevlora , an Atlanta-based safety technology company , makes cameras . Kevlora \
                said so . Tavix , a Russian oil company , grew . Morvel , a company spokesman , \
                declined . Quenby , the youngest member of the group , sang . Drelling is the \
                only U.S. motorcycle maker . The Brannocks were a traveling team that played \
                here . Vostrel is a team player . Ardley was the party 's candidate .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Kevlora", "PER"),
            ("Tavix", "LOC"),
            ("Morvel", "PER"),
            ("Quenby", "PER"),
            ("Drelling", "PER"),
            ("Brannocks", "LOC"),
            ("Vostrel", "PER"),
            ("Ardley", "PER"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Kevlora"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Tavix"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Morvel"), Some(EntityKind::Person));
    assert_eq!(kind_of_name(&x, "Quenby"), Some(EntityKind::Person));
    // Described by "is", "was", "were" as well as in apposition (rules 60).
    assert_eq!(kind_of_name(&x, "Drelling"), Some(EntityKind::Organization));
    assert_eq!(
        kind_of_name(&x, "Brannocks"),
        Some(EntityKind::Organization)
    );
    // A description's noun that goes on to another noun or a possessive describes a person.
    assert_eq!(kind_of_name(&x, "Vostrel"), Some(EntityKind::Person));
    assert_eq!(kind_of_name(&x, "Ardley"), Some(EntityKind::Person));
}

#[test]
fn a_name_described_as_a_place_is_a_place() {
    let text = "Velmar Tosk is an unincorporated community in Kelmar County . Velmar Tosk lies \
                near the river . Drevna Holt , Ostavia , is a village and parish . Tamsin Vey , a \
                food delivery driver in the city , spoke . Corvin Dast , an expert on the Arvel \
                Peninsula , spoke . Zorvath is a community organizer . Ilka Varnes , the attorney \
                for the southern district , spoke . Quenby , a Marlow government spokesman said \
                the country would pay . Harl , a painter the town of Vey honoured , died . The \
                Velk Utilities Board , the Port of Arvel Authority and others bid .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Velmar Tosk", "PER"),
            ("Kelmar County", "LOC"),
            ("Drevna Holt", "PER"),
            ("Ostavia", "LOC"),
            ("Tamsin Vey", "PER"),
            ("Corvin Dast", "PER"),
            ("Arvel Peninsula", "LOC"),
            ("Zorvath", "PER"),
            ("Ilka Varnes", "PER"),
            ("Quenby", "PER"),
            ("Harl", "PER"),
            ("Velk Utilities Board", "ORG"),
        ],
    );

    let kinds: Vec<(&str, EntityKind)> = mention_kinds(&x);
    let place = EntityKind::Place;
    let person = EntityKind::Person;
    assert_eq!(
        kinds,
        [
            ("Velmar Tosk", place),
            ("Kelmar County", place),
            ("Velmar Tosk", place),
            ("Drevna Holt", place),
            ("Ostavia", place),
            ("Tamsin Vey", person),
            ("Corvin Dast", person),
            ("Arvel Peninsula", place),
            ("Zorvath", person),
            ("Ilka Varnes", person),
            ("Quenby", person),
            ("Harl", person),
            ("Velk Utilities Board", EntityKind::Organization),
        ],
        "a community, a village are places; not a driver in a city, an expert on a peninsula \
         that is a name, an organizer, an attorney for a district, a spokesman who speaks of a \
         country, a painter a town honoured, nor a name before a list of names"
    );
}

#[test]
fn a_place_the_model_cut_from_an_institutions_name_is_extended_to_its_head() {
    let text = "She studied at Zorvath State University and at the Kelmar Institute of Technology \
                before writing for the Drevna Morning Herald and the Medical Journal of Ostavia. \
                A Zorvath company bought it. Zorvath Police Arrest Kelmar Council Members";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath", "LOC"),
            ("Kelmar", "LOC"),
            ("Drevna", "LOC"),
            ("Ostavia", "LOC"),
        ],
    );

    let names: Vec<(&str, EntityKind)> = mention_kinds(&x);
    assert_eq!(
        &names[..4],
        [
            ("Zorvath State University", EntityKind::Organization),
            ("Kelmar Institute of Technology", EntityKind::Organization),
            ("Drevna Morning Herald", EntityKind::Organization),
            ("Medical Journal of Ostavia", EntityKind::Organization),
        ]
    );
    // A lowercase generic noun is not a head, and a headline's capitals say nothing.
    assert_eq!(
        &names[4..],
        [
            ("Zorvath", EntityKind::Place),
            ("Zorvath", EntityKind::Place),
            ("Kelmar", EntityKind::Place),
        ]
    );
}

#[test]
fn a_generic_head_alone_after_a_place_does_not_extend_it() {
    let text =
        "It sold shares to a Zorvath Company last year and Kelmar Newspaper reports said so.";
    let x = resolve_as_tagged(text, &[("Zorvath", "LOC"), ("Kelmar", "LOC")]);

    let texts: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Zorvath", "Kelmar"]);
}

#[test]
fn an_untagged_run_of_capitalized_words_ending_with_an_institutions_head_is_an_organization() {
    let text = "Officials of the Zorvath Quality Administration and the Brelian Grain Institute \
                met the Court of Kelmar Appeals. An Act of Parliament and the Brelian Champions \
                League were not named, nor was the Trump Administration.";
    let x = resolve_as_tagged(text, &[("Brelian", "MISC"), ("Trump", "PER")]);

    let texts: Vec<(&str, EntityKind)> = mention_kinds(&x);
    assert_eq!(
        texts,
        [
            ("Zorvath Quality Administration", EntityKind::Organization),
            ("Brelian Grain Institute", EntityKind::Organization),
            ("Court of Kelmar Appeals", EntityKind::Organization),
            ("Trump", EntityKind::Person),
        ]
    );
}

#[test]
fn offices_services_trusts_and_funds_head_institutions_names_and_titles_end_them() {
    let text = "The Office of Zorvath Affairs , the Brelian Relief Fund , the Kelmar Prison \
                Service and the Talo Heritage Trust agreed . In a letter sent on Monday , the \
                Vextor Water Board Chairman Dario Velk said that the plan was late . It was \
                signed by the Kell Grain Office Director Ana Dorn as well .";
    let x = resolve_as_tagged(text, &[("Dario Velk", "PER"), ("Ana Dorn", "PER")]);

    assert_eq!(
        mention_kinds(&x),
        [
            ("Office of Zorvath Affairs", EntityKind::Organization),
            ("Brelian Relief Fund", EntityKind::Organization),
            ("Kelmar Prison Service", EntityKind::Organization),
            ("Talo Heritage Trust", EntityKind::Organization),
            ("Vextor Water Board", EntityKind::Organization),
            ("Dario Velk", EntityKind::Person),
            ("Kell Grain Office", EntityKind::Organization),
            ("Ana Dorn", EntityKind::Person),
        ]
    );
}

#[test]
fn a_name_an_analyst_or_professor_works_at_is_an_organization() {
    let text = "said Ana Pereira, a strategist at Vextrion, and a professor at Quillmore agreed.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Ana Pereira", "PER"),
            ("Vextrion", "LOC"),
            ("Quillmore", "LOC"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Vextrion"), Some(EntityKind::Organization));
    assert_eq!(
        kind_of_name(&x, "Quillmore"),
        Some(EntityKind::Organization)
    );
}

#[test]
fn a_compass_word_before_an_institutions_place_is_part_of_its_name() {
    let text = "Campaigners handed copies to South Zorvath Police, and the West Brelian Federation \
                of Banks agreed. Storms hit the North Kelmar coast.";
    let x = resolve_as_tagged(
        text,
        &[("Zorvath", "LOC"), ("Brelian", "MISC"), ("Kelmar", "LOC")],
    );

    assert_eq!(
        mention_kinds(&x),
        [
            ("South Zorvath Police", EntityKind::Organization),
            ("West Brelian Federation of Banks", EntityKind::Organization),
            // Only an institution's name takes the compass word the model left out.
            ("Kelmar", EntityKind::Place),
        ]
    );
}

#[test]
fn a_one_word_person_the_article_refers_back_to_as_a_thing_is_an_organization() {
    let text = "Vextrion said its profit rose . Vextrion describes itself as a platform . \
                Quorvel said its plan failed . Quorvel said he would stay . Brelian criticized \
                the agency for its delays . Brelian blamed the board for its errors . Tovalin , \
                which makes chips , grew . Tovalin cut its prices .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Vextrion", "PER"),
            ("Quorvel", "PER"),
            ("Brelian", "PER"),
            ("Tovalin", "PER"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Vextrion"), Some(EntityKind::Organization));
    assert_eq!(
        kind_of_name(&x, "Tovalin"),
        Some(EntityKind::Organization),
        "\", which\" refers to a thing too"
    );
    assert_eq!(
        kind_of_name(&x, "Quorvel"),
        Some(EntityKind::Person),
        "referred to as \"he\" once, a person"
    );
    assert_eq!(
        kind_of_name(&x, "Brelian"),
        Some(EntityKind::Person),
        "\"its\" after another noun phrase refers to that"
    );
}

#[test]
fn a_one_word_person_the_next_sentence_takes_up_as_a_company_is_an_organization() {
    let text = "Vextrion sued the agency on Monday . The AI company says it lost contracts . \
                Vextrion views itself as safe . Quorvel founded a firm . The company grew . \
                Quorvel cut its prices . Quorvel said he would stay .";
    let x = resolve_as_tagged(text, &[("Vextrion", "PER"), ("Quorvel", "PER")]);

    // "Vextrion" is taken up as "the AI company" and refers to itself as a thing; so is
    // "Quorvel", but it is also a "he".
    assert_eq!(kind_of_name(&x, "Vextrion"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Quorvel"), Some(EntityKind::Person));
}

#[test]
fn a_word_heading_organizations_names_does_not_split_a_name_as_a_place() {
    // GeoNames knows "University" (Florida) and "Bank" as places' names.
    let text = "Students at Dundee University protested . Savers at Lisbon Bank queued .";
    let (x, _) = resolve_spans(text, &[(2, 4, "ORG"), (8, 10, "ORG")]);

    let names: Vec<(&str, EntityKind)> = mention_kinds(&x);
    assert_eq!(
        names,
        [
            ("Dundee University", EntityKind::Organization),
            ("Lisbon Bank", EntityKind::Organization)
        ]
    );
}

#[test]
fn a_name_tagged_misc_that_speaks_or_has_shares_is_an_organization() {
    let text = "Zorvath said it would build more planes . Airlines buy Zorvath planes . Brelox \
                shares fell after the sale of shares of Brelox , and Velorians said so , as \
                did the Texas Quorvan said Tom Kell .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath", "MISC"),
            ("Brelox", "MISC"),
            ("Velorians", "MISC"),
            ("Quorvan", "MISC"),
            ("Tom Kell", "PER"),
        ],
    );

    let names: Vec<(&str, EntityKind)> = mention_kinds(&x);
    assert_eq!(
        names,
        [
            ("Zorvath", EntityKind::Organization),
            ("Zorvath", EntityKind::Organization),
            ("Brelox", EntityKind::Organization),
            ("Brelox", EntityKind::Organization),
            ("Tom Kell", EntityKind::Person),
        ],
        "a plural naming people and a word after a name stay MISC"
    );
}

#[test]
fn a_club_the_model_took_for_a_person_in_a_sports_report_is_a_club() {
    let text = "Rugby union : the scrum and the lineout decided it . Zorvex 75 Brelox 19 . \
                Quellin were unable to score , and Tom Kell and Vardo were tired . Drennick 's \
                supporters sang .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvex", "PER"),
            ("Brelox", "PER"),
            ("Quellin", "PER"),
            ("Tom Kell", "PER"),
            ("Vardo", "PER"),
            ("Drennick", "PER"),
        ],
    );

    for club in ["Zorvex", "Brelox", "Quellin", "Drennick"] {
        assert_eq!(
            kind_of_name(&x, club),
            Some(EntityKind::Organization),
            "{club}"
        );
    }
    assert_eq!(
        kind_of_name(&x, "Vardo"),
        Some(EntityKind::Person),
        "two people coordinated are plural too"
    );
    assert_eq!(kind_of_name(&x, "Tom Kell"), Some(EntityKind::Person));
}

#[test]
fn air_before_a_place_is_an_airlines_name() {
    let text = "Passengers flew Air Vextria to Brelox . Air travel to Brelox grew .";
    let x = resolve_as_tagged(text, &[("Vextria", "LOC"), ("Brelox", "LOC")]);

    assert_eq!(
        mention_kinds(&x),
        [
            ("Air Vextria", EntityKind::Organization),
            ("Brelox", EntityKind::Place),
            ("Brelox", EntityKind::Place),
        ]
    );
}

#[test]
fn a_one_word_person_with_shareholders_a_board_or_products_is_an_organization() {
    let text = "Zorblat shareholders approved the merger . Vextor 's board met . Brelox \
                products sold well . Jane Kell spoke .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorblat", "PER"),
            ("Vextor", "PER"),
            ("Brelox", "PER"),
            ("Jane Kell", "PER"),
        ],
    );

    assert_eq!(kind_of_name(&x, "Zorblat"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Vextor"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Brelox"), Some(EntityKind::Organization));
    assert_eq!(kind_of_name(&x, "Jane Kell"), Some(EntityKind::Person));
}

#[test]
fn a_person_written_like_a_brand_is_an_organization() {
    let text = "VextraLink said so . McZorvan agreed . JaneKell wrote . UBrelox won . ODravin \
                lost .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Vextra Link", "PER"),
            ("Vextralink", "PER"),
            ("Mc Zorvan", "PER"),
            ("McZorvan", "PER"),
            ("Jane Kell", "PER"),
            ("JaneKell", "PER"),
            ("UBrelox", "PER"),
            ("ODravin", "PER"),
        ],
    );
    let kinds: Vec<(&str, EntityKind)> = mention_kinds(&x);

    assert_eq!(
        kinds,
        [
            ("VextraLink", EntityKind::Organization),
            ("McZorvan", EntityKind::Person),
            ("JaneKell", EntityKind::Person),
            ("UBrelox", EntityKind::Organization),
            ("ODravin", EntityKind::Person),
        ],
        "a surname's prefix, or a given name glued to a surname, is a person's"
    );
}

#[test]
fn a_sentences_period_and_a_persons_title_are_cut_off_the_name_before_them() {
    let text = "He moved to Brelox. GOP Rep. Tom Vardo spoke in Vexo, Calif. Democratic Rep. \
                Jane Kell agreed.";
    let x = resolve_as_tagged(
        text,
        &[
            ("Brelox .", "LOC"),
            ("GOP Rep.", "ORG"),
            ("Tom Vardo", "PER"),
            ("Vexo", "LOC"),
            ("Calif .", "LOC"),
            ("Democratic Rep.", "ORG"),
            ("Jane Kell", "PER"),
        ],
    );
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();

    assert_eq!(
        names,
        ["Brelox", "GOP", "Tom Vardo", "Vexo", "Calif.", "Jane Kell"],
        "a state's abbreviation keeps its period; an adjective with a title is no name"
    );
}

#[test]
fn a_schools_name_is_an_organization() {
    let text = "The pupils of Zorvath High School protested on a cold day . All of the Vexo City \
                Schools were closed for a week .";
    let x = resolve_as_tagged(text, &[("Zorvath", "LOC"), ("Vexo City", "ORG")]);

    assert_eq!(
        mention_kinds(&x),
        [
            ("Zorvath High School", EntityKind::Organization),
            ("Vexo City Schools", EntityKind::Organization),
        ]
    );
}

#[test]
fn a_person_written_as_a_news_outlet_is_an_organization() {
    let text = "The news weekly Zorvath Tagblatt said so . Zorvath Tagblatt said its editor \
                agreed . The Brelox newspaper reported it . Tom Vardo told the newspaper Kell \
                had lied . Vexo Dran met Dorvak weekly .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath Tagblatt", "PER"),
            ("Brelox", "PER"),
            ("Tom Vardo", "PER"),
            ("Kell", "PER"),
            ("Vexo Dran", "PER"),
            ("Dorvak", "PER"),
        ],
    );

    assert_eq!(
        mention_kinds(&x),
        [
            ("Zorvath Tagblatt", EntityKind::Organization),
            ("Zorvath Tagblatt", EntityKind::Organization),
            ("Brelox", EntityKind::Organization),
            ("Tom Vardo", EntityKind::Person),
            ("Kell", EntityKind::Person),
            ("Vexo Dran", EntityKind::Person),
            ("Dorvak", EntityKind::Person),
        ],
        "told the newspaper X, and a person met weekly, stay persons"
    );
}

#[test]
fn a_person_that_begins_an_organizations_name_is_its_short_form() {
    let text = "Students of Zorvath University protested . Zorvath cut its budget . The Brelox \
                Administration met . Brelox spoke . The Vextor Foundation grew . Vextor said he \
                would stay .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath University", "ORG"),
            ("Zorvath", "PER"),
            ("Brelox Administration", "ORG"),
            ("Brelox", "PER"),
            ("Vextor Foundation", "ORG"),
            ("Vextor", "PER"),
        ],
    );

    assert_eq!(
        kind_of_name(&x, "Zorvath University"),
        Some(EntityKind::Organization)
    );
    let zorvath = x
        .mentions
        .iter()
        .find(|m| m.text == "Zorvath")
        .expect("short form");
    assert_eq!(
        x.entities[zorvath.entity].canonical, "Zorvath University",
        "the short form joins the full name"
    );
    assert_eq!(kind_of_name(&x, "Brelox"), Some(EntityKind::Person));
    assert_eq!(
        kind_of_name(&x, "Vextor"),
        Some(EntityKind::Person),
        "a name referred back to as he is a person's"
    );
}

#[test]
fn plural_abbreviations_are_no_names() {
    let text = "The MPs voted . Zorvath Ltd sold PCs and SSRIs .";
    let x = resolve_as_tagged(
        text,
        &[
            ("MPs", "PER"),
            ("Zorvath Ltd", "ORG"),
            ("PCs", "ORG"),
            ("SSRIs", "LOC"),
        ],
    );

    assert_eq!(
        mention_kinds(&x),
        [("Zorvath Ltd", EntityKind::Organization)]
    );
}

#[test]
fn holidays_faiths_climate_patterns_dates_and_sections_of_laws_are_no_names() {
    let text = "Zorvath Ltd closed at Christmas and for Ramadan , and Islam says so , El Niño too . \
                On March 4 Brelox cited Section 404 . Dario Easter spoke . Easter agreed . \
                Kell March joined Chapter Seven .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath Ltd", "ORG"),
            ("Christmas", "LOC"),
            ("Ramadan", "PER"),
            ("Islam", "LOC"),
            ("El Niño", "PER"),
            ("March", "PER"),
            ("Brelox", "PER"),
            ("Section", "ORG"),
            ("Dario Easter", "PER"),
            ("Easter", "PER"),
            ("Kell March", "PER"),
            ("Chapter Seven", "ORG"),
        ],
    );

    // "Easter" is a person's surname here, and "March" of "Kell March" no date.
    assert_eq!(
        mention_kinds(&x),
        [
            ("Zorvath Ltd", EntityKind::Organization),
            ("Brelox", EntityKind::Person),
            ("Dario Easter", EntityKind::Person),
            ("Easter", EntityKind::Person),
            ("Kell March", EntityKind::Person),
            ("Chapter Seven", EntityKind::Organization),
        ]
    );
}

#[test]
fn a_firm_named_after_partners_with_a_comma_is_one_organization() {
    let text = "It hired Zorvath , Brelox and Co Inc . Dravin Corp , Vextor and Co agreed . \
                It retained Talo Corp and Kell , Dorn and Co .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorvath", "PER"),
            ("Brelox and Co Inc", "ORG"),
            ("Dravin Corp", "ORG"),
            ("Vextor and Co", "ORG"),
            ("Talo Corp", "ORG"),
            ("Kell", "PER"),
            ("Dorn and Co", "ORG"),
        ],
    );
    let names: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();

    assert_eq!(
        names,
        [
            "Zorvath , Brelox and Co Inc",
            "Dravin Corp",
            "Vextor and Co",
            "Talo Corp",
            "Kell , Dorn and Co"
        ],
        "a legal form is no partner"
    );
}

/// The kind the one draft written `name` was given in `x`.
fn kind_of_mention(x: &Extraction, name: &str) -> Option<EntityKind> {
    mention_kinds(x)
        .into_iter()
        .find(|&(text, _)| text == name)
        .map(|(_, kind)| kind)
}

#[test]
fn the_odd_name_of_a_list_takes_the_kind_of_the_others() {
    let kinds = |text: &str, tagged: &[(&str, &str)], name: &str| {
        kind_of_mention(&resolve_as_tagged(text, tagged), name)
    };
    let (org, place, person) = (
        Some(EntityKind::Organization),
        Some(EntityKind::Place),
        Some(EntityKind::Person),
    );
    let text = "Shoppers choose Velbrook, Quarrix and Amazon.";
    let tagged = [("Velbrook", "ORG"), ("Quarrix", "ORG"), ("Amazon", "LOC")];
    assert_eq!(kinds(text, &tagged, "Amazon"), org, "among companies");
    let text = "Guests included Tamsin Orell, Bexley Marne, or Corvin Dast.";
    let tagged = [
        ("Tamsin Orell", "PER"),
        ("Bexley Marne", "PER"),
        ("Corvin Dast", "LOC"),
    ];
    assert_eq!(kinds(text, &tagged, "Corvin Dast"), person, "among persons");
    let text = "Rents rose in Seattle, Dallas and Pontiac.";
    let tagged = [("Seattle", "LOC"), ("Dallas", "LOC"), ("Pontiac", "PER")];
    assert_eq!(kinds(text, &tagged, "Pontiac"), place, "a known town");
    let text = "Events were held in Hong Kong, Tokyo and Pusan.";
    let tagged = [("Hong Kong", "LOC"), ("Tokyo", "LOC"), ("Pusan", "ORG")];
    assert_eq!(kinds(text, &tagged, "Pusan"), place, "a city of millions");
    let text = "Shoppers choose Velbrook, Quarrix, Zembla and Amazon.";
    let tagged = [("Velbrook", "ORG"), ("Quarrix", "ORG"), ("Amazon", "LOC")];
    assert_eq!(
        kinds(text, &tagged, "Amazon"),
        org,
        "an untagged name among them"
    );
    let text = "Shoppers choose Velbrook, Zembla Rows, Amazon and Quarrix.";
    let tagged = [("Velbrook", "ORG"), ("Amazon", "LOC"), ("Quarrix", "ORG")];
    assert_eq!(
        kinds(text, &tagged, "Amazon"),
        org,
        "an untagged name of two words between them"
    );
    let text = "Shoppers choose Velbrook, Amazon, zEmbla, and Quarrix.";
    assert_eq!(
        kinds(text, &tagged, "Amazon"),
        org,
        "an untagged name before \", and\""
    );

    // What stays as the model typed it.
    let text = "Shoppers choose Velbrook and Tamsin Orell.";
    let tagged = [("Velbrook", "ORG"), ("Tamsin Orell", "PER")];
    assert_eq!(
        kinds(text, &tagged, "Velbrook"),
        org,
        "two names are no list"
    );
    let text = "Sponsors include Velbrook, Quarrix and Dravik National Park.";
    let tagged = [
        ("Velbrook", "ORG"),
        ("Quarrix", "ORG"),
        ("Dravik National Park", "LOC"),
    ];
    let park = kinds(text, &tagged, "Dravik National Park");
    assert_eq!(park, place, "a place's head word");
    let text = "Shoppers choose Velbrook, Quarrix and Houston.";
    let tagged = [("Velbrook", "ORG"), ("Quarrix", "ORG"), ("Houston", "LOC")];
    assert_eq!(kinds(text, &tagged, "Houston"), place, "a known place");
    let text = "Labs in Oxford, Reading and Nokia hired.";
    let tagged = [("Oxford", "LOC"), ("Reading", "LOC"), ("Nokia", "ORG")];
    assert_eq!(
        kinds(text, &tagged, "Nokia"),
        org,
        "a town named like a company"
    );
    let text = "Rents rose in Seattle, Dallas and Quarrix.";
    let tagged = [("Seattle", "LOC"), ("Dallas", "LOC"), ("Quarrix", "PER")];
    assert_eq!(
        kinds(text, &tagged, "Quarrix"),
        person,
        "no place the kb knows"
    );
    let text = "It hired the firm of Dravik, Lune, Orsen and Pell.";
    let tagged = [
        ("Dravik", "ORG"),
        ("Lune", "PER"),
        ("Orsen", "PER"),
        ("Pell", "PER"),
    ];
    assert_eq!(kinds(text, &tagged, "Dravik"), org, "partners' names");
    let text = "After fans stormed the Velbrook, Tamsin Orell and Corvin Dast spoke.";
    let tagged = [
        ("Velbrook", "ORG"),
        ("Tamsin Orell", "PER"),
        ("Corvin Dast", "PER"),
    ];
    assert_eq!(
        kinds(text, &tagged, "Velbrook"),
        org,
        "\"the\" before a name"
    );
    let text = "Guests included Tamsin Orell, Bexley Marne and Quarrix Secretary Dast.";
    let tagged = [
        ("Tamsin Orell", "PER"),
        ("Bexley Marne", "PER"),
        ("Quarrix", "ORG"),
        ("Dast", "PER"),
    ];
    assert_eq!(kinds(text, &tagged, "Quarrix"), org, "a name that goes on");
    let text = "Trade grew between Japan, EC and Canada.";
    let tagged = [("Japan", "LOC"), ("EC", "ORG"), ("Canada", "LOC")];
    assert_eq!(kinds(text, &tagged, "EC"), org, "an acronym");
    let text = "Shoppers choose Velbrook, Quarrix, some Zembla and Amazon.";
    let tagged = [("Velbrook", "ORG"), ("Quarrix", "ORG"), ("Amazon", "LOC")];
    assert_eq!(
        kinds(text, &tagged, "Amazon"),
        place,
        "a lowercase word between names"
    );
    let text = "Talks between QVX, Tamsin Orell and Corvin Dast stalled.";
    let tagged = [
        ("QVX", "ORG"),
        ("Tamsin Orell", "PER"),
        ("Corvin Dast", "PER"),
    ];
    assert_eq!(kinds(text, &tagged, "QVX"), org, "an acronym among persons");
    let text = "Guests included Tamsin Orell, Bexley Marne and Dravik & Lune.";
    let tagged = [
        ("Tamsin Orell", "PER"),
        ("Bexley Marne", "PER"),
        ("Dravik & Lune", "ORG"),
    ];
    assert_eq!(
        kinds(text, &tagged, "Dravik & Lune"),
        org,
        "a name with \"&\""
    );
    let text = "Loans came from Velbrook Bank, Quarrix University and Dravik.";
    let tagged = [
        ("Velbrook Bank", "ORG"),
        ("Quarrix University", "ORG"),
        ("Dravik", "PER"),
    ];
    assert_eq!(
        kinds(text, &tagged, "Dravik"),
        person,
        "firms' words in the list"
    );
}

#[test]
fn names_ending_with_a_firms_head_word_are_organizations() {
    let text = "The album came out on Zorvath Brelo Records and Kelmar Holdings bought the \
                label , said the Group of Seven . The Vextor Group of Ostavia and the Group of \
                Kelmar Brelians met . Drevna Press Secretary Ana Dorn spoke at the Economic Club \
                of Talo , flew Drevna Airways of Vextora and spoke to a Canada Group adviser .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Ostavia", "LOC"),
            ("Brelians", "MISC"),
            ("Drevna", "LOC"),
            ("Ana Dorn", "PER"),
            ("Talo", "LOC"),
            ("Canada", "LOC"),
        ],
    );

    assert_eq!(
        mention_kinds(&x),
        [
            ("Zorvath Brelo Records", EntityKind::Organization),
            ("Kelmar Holdings", EntityKind::Organization),
            ("Group of Seven", EntityKind::Organization),
            // A firm's "of" says where it is; "of" with no number names no group.
            ("Vextor Group", EntityKind::Organization),
            ("Ostavia", EntityKind::Place),
            // A firm's head word before a title is an office's.
            ("Drevna", EntityKind::Place),
            ("Ana Dorn", EntityKind::Person),
            ("Economic Club of Talo", EntityKind::Organization),
            ("Drevna Airways", EntityKind::Organization),
            // A country's firm word describes.
            ("Canada", EntityKind::Place),
        ]
    );
}

#[test]
fn a_name_right_after_a_lowercase_noun_of_firms_is_an_organization() {
    let text = "Shares of tech giant Zorblat rose after the band Quellmire toured . The lobbying \
                firm Vextrion hired Ana Dorn , and Vextrion won . The company Dorn founded grew , \
                Brelo Company Tarvik said , the state utility Ostrel cut power , and Ana asked \
                the firm Velk had left .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Zorblat", "PER"),
            ("Quellmire", "LOC"),
            ("Vextrion", "PER"),
            ("Ana Dorn", "PER"),
            ("Dorn", "PER"),
            ("Tarvik", "PER"),
            ("Ostrel", "LOC"),
            ("Velk", "PER"),
        ],
    );

    for name in ["Zorblat", "Quellmire", "Vextrion", "Ostrel"] {
        assert_eq!(
            kind_of_name(&x, name),
            Some(EntityKind::Organization),
            "{name}"
        );
    }
    // A surname of a full name in the article stays a person, and a capitalized word before a
    // name is no noun of firms.
    assert!(
        mention_kinds(&x).contains(&("Dorn", EntityKind::Person)),
        "{:?}",
        mention_kinds(&x)
    );
    assert_eq!(kind_of_name(&x, "Tarvik"), Some(EntityKind::Person));
    assert_eq!(
        kind_of_name(&x, "Velk"),
        Some(EntityKind::Person),
        "the subject of what the firm was asked"
    );
}

#[test]
fn armed_forces_are_organizations() {
    let text = "The Rapid Zorvath Forces shelled the town , the Kelmar Defense Forces said , and \
                the Armed Forces of Ostavia and the Brelo Police Force agreed .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Kelmar", "LOC"),
            ("Ostavia", "LOC"),
            ("Brelo Police Force", "LOC"),
        ],
    );

    assert_eq!(
        mention_kinds(&x),
        [
            ("Rapid Zorvath Forces", EntityKind::Organization),
            ("Kelmar Defense Forces", EntityKind::Organization),
            ("Armed Forces of Ostavia", EntityKind::Organization),
            ("Brelo Police Force", EntityKind::Organization),
        ]
    );
}

#[test]
fn numbered_roads_are_places() {
    let text = "Traffic on Interstate 45 and Highway 9 stopped , the Highway 12 Fire spread to \
                Vel Route 7 , and the Interstate Zorvath Commission met at Route 12345 .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Interstate", "ORG"),
            ("Vel Route", "PER"),
            ("Interstate Zorvath Commission", "ORG"),
        ],
    );

    assert_eq!(
        mention_kinds(&x),
        [
            ("Interstate 45", EntityKind::Place),
            ("Highway 9", EntityKind::Place),
            ("Vel Route", EntityKind::Person),
            ("Interstate Zorvath Commission", EntityKind::Organization),
        ]
    );
}

#[test]
fn a_place_cut_before_its_divisions_word_is_extended_where_the_knowledge_base_knows_it() {
    let text = "Gunmen struck in Ondo State and South Khorasan Province on Monday , at Ohio State \
                and at Punjab State University , and the Ondo State Government said so , as \
                did Zanjan province .";
    let x = resolve_as_tagged(
        text,
        &[
            ("Ondo", "LOC"),
            ("Zanjan", "LOC"),
            ("South Khorasan", "PER"),
            ("Ohio", "LOC"),
            ("Punjab", "LOC"),
        ],
    );

    // "Ohio State" is no name the knowledge base knows; a capitalized word after the division's
    // word goes on with another name.
    assert_eq!(
        mention_kinds(&x),
        [
            ("Ondo State", EntityKind::Place),
            ("South Khorasan Province", EntityKind::Place),
            ("Ohio", EntityKind::Place),
            ("Punjab State University", EntityKind::Organization),
            ("Ondo", EntityKind::Place),
            ("Zanjan", EntityKind::Place),
        ]
    );
}
