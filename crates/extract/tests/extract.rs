//! Behaviour of the extractor on small articles: spans, resolution, identity, and scraped-text
//! robustness. These run the shipped model.
//!
//! Long by design: one short test per behaviour, thirty-three of them, read as a list.

use std::sync::OnceLock;

use newsgraph_extract::{EntityKind, Extraction, Extractor, Field, Mention};

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| Extractor::load_default().expect("the shipped model loads"))
}

fn extract(body: &str) -> Extraction {
    extractor().extract(None, body)
}

fn spans(x: &Extraction) -> Vec<(&str, EntityKind)> {
    x.mentions
        .iter()
        .map(|m| (m.text.as_str(), x.entities[m.entity].kind))
        .collect()
}

fn assert_offsets_match(text: &str, x: &Extraction) {
    let chars: Vec<char> = text.chars().collect();
    for m in &x.mentions {
        let slice: String = chars[m.start..m.end].iter().collect();
        assert_eq!(slice, m.text, "offsets {}..{} of {text:?}", m.start, m.end);
    }
}

#[test]
fn extractor_is_send_and_sync() {
    fn shareable<T: Send + Sync>() {}

    shareable::<Extractor>();
}

#[test]
fn empty_and_blank_input_yield_nothing() {
    assert_eq!(extract(""), Extraction::default());
    assert_eq!(
        extractor().extract(Some(""), " \n\t "),
        Extraction::default()
    );
}

#[test]
fn finds_persons_places_and_organizations_with_exact_spans() {
    let text =
        "German Chancellor Angela Merkel met officials of the World Bank in Nairobi on Monday.";

    let x = extract(text);

    assert_eq!(
        spans(&x),
        [
            ("Angela Merkel", EntityKind::Person),
            ("World Bank", EntityKind::Organization),
            ("Nairobi", EntityKind::Place)
        ]
    );
    assert_offsets_match(text, &x);
}

#[test]
fn titles_the_and_possessives_stay_outside_spans() {
    let text = "President Joe Biden spoke to the United Nations about Germany's budget.";

    let x = extract(text);

    let texts: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["Joe Biden", "United Nations", "Germany"]);
}

#[test]
fn titles_the_model_would_keep_are_cut_from_person_spans() {
    let text = "Chancellor Gerhard Lindqvist met Mr. Tomas Arvidsson and Dr. Anna Petrova.";

    let x = extract(text);

    let persons: Vec<&str> = x
        .mentions
        .iter()
        .filter(|m| x.entities[m.entity].kind == EntityKind::Person)
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(
        persons,
        ["Gerhard Lindqvist", "Tomas Arvidsson", "Anna Petrova"]
    );
}

#[test]
fn later_surname_resolves_to_the_full_person() {
    let x = extract(
        "Finance Minister Siniša Mali presented the budget. Later, Mali said taxes would fall.",
    );

    let lone = x
        .mentions
        .iter()
        .find(|m| m.text == "Mali" && m.start > 20)
        .expect("a lone surname");
    let person = &x.entities[lone.entity];
    assert_eq!(
        (person.kind, person.canonical.as_str()),
        (EntityKind::Person, "Siniša Mali")
    );
    assert_eq!(person.key, "person:sinisa mali");
    assert!(person.aliases.contains(&"Mali".to_owned()));
}

#[test]
fn people_sharing_a_surname_stay_apart_and_lone_surnames_join_the_nearest() {
    let x = extract(
        "Nancy Guthrie, 84, was last seen in Tucson. Guthrie lived alone. Her daughter Savannah Guthrie \
         hosts a morning show. Guthrie asked for help on Monday.",
    );

    let nancy = x
        .entities
        .iter()
        .position(|e| e.canonical == "Nancy Guthrie")
        .expect("Nancy found");
    let savannah = x
        .entities
        .iter()
        .position(|e| e.canonical == "Savannah Guthrie")
        .expect("Savannah found");
    assert_ne!(x.entities[nancy].key, x.entities[savannah].key);
    let lone: Vec<usize> = x
        .mentions
        .iter()
        .filter(|m| m.text == "Guthrie")
        .map(|m| m.entity)
        .collect();
    assert_eq!(lone, [nancy, savannah], "{:#?}", x.mentions);
}

#[test]
fn a_span_never_leaves_a_bracket_open() {
    let x = extract("Officers of Immigration and Customs Enforcement (ICE) detained him in Texas.");

    let texts: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert!(
        texts
            .iter()
            .all(|t| t.matches('(').count() == t.matches(')').count()),
        "{texts:?}"
    );
    assert!(texts.contains(&"ICE"), "{texts:?}");
}

#[test]
fn acronym_defined_in_parentheses_joins_its_expansion() {
    let x = extract(
        "The World Health Organization (WHO) warned on Tuesday. A WHO spokesman in Geneva said more cases were expected.",
    );

    let who: Vec<_> = x.mentions.iter().filter(|m| m.text == "WHO").collect();
    assert_eq!(who.len(), 2, "{:#?}", x.mentions);
    let entity = &x.entities[who[0].entity];
    assert_eq!(entity.canonical, "World Health Organization");
    assert_eq!(entity.kind, EntityKind::Organization);
    assert!(who.iter().all(|m| m.entity == who[0].entity));
}

#[test]
fn repeated_mentions_share_one_entity_whatever_their_diacritics() {
    let x = extract("Novak Đoković won in Paris. Novak Djokovic thanked the crowd in Paris.");

    let paris: Vec<_> = x.mentions.iter().filter(|m| m.text == "Paris").collect();
    assert_eq!(paris.len(), 2);
    assert_eq!(paris[0].entity, paris[1].entity);
    assert_eq!(
        x.entities
            .iter()
            .filter(|e| e.kind == EntityKind::Place)
            .count(),
        1
    );
}

#[test]
fn confidences_are_probabilities_and_high_for_clear_names() {
    let x = extract("Prime Minister Narendra Modi visited Tokyo on Friday.");

    assert!(
        x.mentions
            .iter()
            .all(|m| (0.0..=1.0).contains(&m.confidence))
    );
    let modi = x
        .mentions
        .iter()
        .find(|m| m.text == "Narendra Modi")
        .expect("Modi found");
    assert!(modi.confidence > 0.5, "{}", modi.confidence);
}

#[test]
fn title_mentions_are_marked_as_title_and_offsets_are_per_field() {
    let title = "Putin visits Beijing";
    let body = "Russian President Vladimir Putin arrived in Beijing on Tuesday.";

    let x = extractor().extract(Some(title), body);

    let in_title: Vec<_> = x
        .mentions
        .iter()
        .filter(|m| m.field == Field::Title)
        .collect();
    assert!(
        in_title
            .iter()
            .any(|m| m.text == "Beijing" && m.start == 13)
    );
    let beijing: Vec<_> = x.mentions.iter().filter(|m| m.text == "Beijing").collect();
    assert_eq!(beijing.len(), 2);
    assert_eq!(beijing[0].entity, beijing[1].entity);
}

#[test]
fn html_remnants_do_not_leak_into_mentions() {
    let text =
        "<p>Officials from <b>Microsoft</b> met Kenyan officials in Nairobi&nbsp;on Monday.</p>";

    let x = extract(text);

    let texts: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert!(
        texts.contains(&"Microsoft") && texts.contains(&"Nairobi"),
        "{texts:?}"
    );
    assert!(texts.iter().all(|t| !t.contains('<') && !t.contains('&')));
    assert_offsets_match(text, &x);
}

#[test]
fn glued_sentences_and_headings_are_split() {
    let text = "The talks ended in Geneva.Explaining the result, Smith said nothing.Regional TensionsDescribing Moscow as tense";

    let x = extract(text);

    let texts: Vec<&str> = x.mentions.iter().map(|m| m.text.as_str()).collect();
    assert!(texts.contains(&"Geneva"), "{texts:?}");
    assert!(texts.contains(&"Moscow"), "{texts:?}");
    assert!(
        texts
            .iter()
            .all(|t| !t.contains("Explaining") && !t.contains("Describing")),
        "{texts:?}"
    );
    assert_offsets_match(text, &x);
}

#[test]
fn names_glued_to_the_words_around_them_are_split() {
    // Scraped text loses the spaces around links: "Castellanossued" would make "Microsoft" a
    // person's surname, and every later "Microsoft" that person.
    let text = "Attorney General Dario Castellanos sued Microsoft on Monday. Dario \
                Castellanossued Microsoft again in May, and Microsoft said it would appeal. \
                Castellanostold reporters in Santa Fe that the case was strong, he toldCNN.";

    let x = extract(text);

    let found = spans(&x);
    assert_eq!(
        found
            .iter()
            .filter(|&&s| s == ("Microsoft", EntityKind::Organization))
            .count(),
        3,
        "{found:?}"
    );
    assert!(
        found.contains(&("Castellanos", EntityKind::Person)),
        "{found:?}"
    );
    assert!(
        found.contains(&("CNN", EntityKind::Organization)),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .all(|(t, _)| !t.contains("sued") && !t.contains("told")),
        "{found:?}"
    );
    assert_offsets_match(text, &x);
}

#[test]
fn a_name_glued_to_a_verb_and_the_next_name_keeps_that_name_a_place() {
    // "Velkclaimedthat" made "Dario Velkclaimedthat Peru" one person, and every later "Peru"
    // that person's surname.
    let text = "Senator Dario Velkclaimedthat Peru would strike first. Peru denied it, and Peru \
                said talks would go on.";

    let x = extract(text);

    let found = spans(&x);
    assert!(
        found.contains(&("Dario Velk", EntityKind::Person)),
        "{found:?}"
    );
    assert_eq!(
        found
            .iter()
            .filter(|&&s| s == ("Peru", EntityKind::Place))
            .count(),
        3,
        "{found:?}"
    );
    assert_offsets_match(text, &x);
}

#[test]
fn all_caps_headlines_still_yield_entities() {
    let x = extract(
        "OBAMA MEETS MERKEL IN BERLIN\nBarack Obama met Angela Merkel in Berlin on Friday.",
    );

    let kinds: Vec<(&str, EntityKind)> = spans(&x);
    assert!(kinds.contains(&("BERLIN", EntityKind::Place)), "{kinds:?}");
    assert!(kinds.contains(&("Berlin", EntityKind::Place)), "{kinds:?}");
}

#[test]
fn a_huge_single_line_is_processed_without_panic() {
    let line = "Angela Merkel visited Paris and the European Union said nothing, ".repeat(80_000);
    assert!(line.len() > 5_000_000);

    let x = extract(&line);

    assert!(x.mentions.len() > 100_000);
    assert_eq!(
        x.entities.iter().filter(|e| e.canonical == "Paris").count(),
        1
    );
}

#[test]
fn pathological_inputs_do_not_panic() {
    let inputs = [
        "A".repeat(100_000),
        "AAAA ".repeat(50_000),
        "(((((".repeat(10_000),
        "<".repeat(10_000) + &"&".repeat(10_000),
        "\u{0301}\u{0301}e\u{0301} \u{200B}\u{FEFF}".repeat(1000),
        "'s 's 's . . .".repeat(1000),
    ];
    for text in &inputs {
        let x = extract(text);
        assert_offsets_match(text, &x);
    }
}

#[test]
fn debug_output_names_the_version_without_dumping_the_weights() {
    let shown = format!("{:?}", extractor());

    assert!(shown.contains(extractor().version()), "{shown}");
    assert!(shown.len() < 1000, "{} characters", shown.len());
}

fn entity<'x>(x: &'x Extraction, canonical: &str) -> &'x newsgraph_extract::Entity {
    x.entities
        .iter()
        .find(|e| e.canonical == canonical)
        .unwrap_or_else(|| panic!("{canonical} not among {:#?}", x.entities))
}

#[test]
fn a_country_playing_in_a_sports_report_is_its_team_and_its_dateline_stays_a_place() {
    let x = extract(
        "CRICKET - ENGLAND BEAT PAKISTAN BY 107 RUNS . BIRMINGHAM , England 1996-08-31 England \
         beat Pakistan by 107 runs in the second one-day international at Edgbaston on Saturday . \
         Scores : England 292-8 in 50 overs , Pakistan 185 .",
    );

    let team = entity(&x, "England national cricket team");
    assert_eq!(team.kind, EntityKind::Organization);
    let index = x
        .entities
        .iter()
        .position(|e| std::ptr::eq(e, team))
        .expect("listed");
    let team_mentions: Vec<_> = x.mentions.iter().filter(|m| m.entity == index).collect();
    assert!(team_mentions.len() >= 2, "{:?}", x.mentions);
    for m in team_mentions {
        assert_eq!(m.kind, EntityKind::Place, "its name is a place's: {m:?}");
    }
    assert_eq!(
        entity(&x, "Pakistan national cricket team").kind,
        EntityKind::Organization
    );
    let country = entity(&x, "England");
    assert_eq!(country.kind, EntityKind::Place);
    assert_eq!(
        country
            .known
            .as_ref()
            .and_then(|k| k.wikidata_id.as_deref()),
        Some("Q21")
    );
}

#[test]
fn the_ground_heading_a_result_line_stays_a_place() {
    let x = extract(
        "CRICKET - ENGLISH COUNTY CHAMPIONSHIP SCORES . LONDON 1996-08-30 Results of English \
         county championship cricket matches on Friday :\nHove : Sussex 363 and 201-4 , \
         Leicestershire 197 .\nPortsmouth : Middlesex 199 and 426 , Hampshire 232 and 109-5 .",
    );

    for ground in ["Hove", "Portsmouth"] {
        assert_eq!(entity(&x, ground).kind, EntityKind::Place, "{ground}");
    }
    assert_eq!(entity(&x, "Sussex").kind, EntityKind::Organization);
}

#[test]
fn countries_in_other_news_stay_places() {
    let x = extract("England and Pakistan signed a trade agreement in London on Monday.");

    assert_eq!(entity(&x, "England").kind, EntityKind::Place);
    assert_eq!(entity(&x, "Pakistan").kind, EntityKind::Place);
}

#[test]
fn a_nickname_and_the_given_name_are_one_person() {
    let x = extract(
        "Chief executive Bob Nardelli said sales rose. Robert Nardelli joined the company in 2000.",
    );

    let person = entity(&x, "Robert Nardelli");
    assert!(
        person.aliases.contains(&"Bob Nardelli".to_owned()),
        "{person:?}"
    );
    assert_eq!(person.key, "person:robert nardelli");
}

#[test]
fn a_form_of_address_is_not_part_of_a_name() {
    let x = extract("Mr Blair told the House of Commons that Britain would act.");

    let blair = entity(&x, "Blair");
    assert_eq!(blair.kind, EntityKind::Person);
    assert!(x.mentions.iter().any(|m| m.text == "Blair"));
    assert_eq!(entity(&x, "United Kingdom").aliases, ["Britain"]);
}

#[test]
fn an_acronym_joins_the_organization_it_spells_without_brackets() {
    let x = extract("British Airways said on Monday that BA would cut 500 jobs at Heathrow.");

    let airline = entity(&x, "British Airways");
    assert!(airline.aliases.contains(&"BA".to_owned()), "{airline:?}");
}

#[test]
fn tickers_and_table_abbreviations_are_not_entities() {
    let tickers = extract("Shares of General Electric Co (GECL.L) rose in London.");
    let table = extract("NEW YORK, Feb 26 - Qtly div 25 cts vs 25 cts prior");

    assert!(
        tickers.mentions.iter().all(|m| m.text != "GECL.L"),
        "{:#?}",
        tickers.mentions
    );
    assert_eq!(
        entity(&tickers, "General Electric Co").key,
        "organization:general electric"
    );
    assert_eq!(spans(&table), [("NEW YORK", EntityKind::Place)]);
}

#[test]
fn a_city_and_its_region_pick_each_other() {
    let x = extract(
        "The company, based in Atlanta, Georgia, said sales fell. Georgia and Russia talked.",
    );

    let georgias: Vec<&str> = x
        .entities
        .iter()
        .filter(|e| e.canonical == "Georgia")
        .map(|e| e.key.as_str())
        .collect();
    assert_eq!(
        georgias.len(),
        2,
        "the US state and the country: {georgias:?}"
    );
    assert!(georgias.contains(&"place:georgia"));
}

#[test]
fn a_name_that_always_carries_its_possessive_keeps_it() {
    let x = extract(
        "Moody's Investors Service said it may downgrade Duquesne Light. Moody's said the review \
         covers 1.2 billion dlrs. Ford's profit rose, Ford said.",
    );

    // Only the names this test is about: whether the model also finds "Duquesne Light" is
    // not the possessive's business.
    let named: Vec<&Mention> = x
        .mentions
        .iter()
        .filter(|m| m.text.starts_with("Moody") || m.text.starts_with("Ford"))
        .collect();
    let texts: Vec<&str> = named.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Moody's Investors Service", "Moody's", "Ford", "Ford"]
    );
    assert_eq!(named[0].entity, named[1].entity, "{:#?}", x.entities);
    assert!(
        x.entities.iter().any(|e| e.canonical == "Ford"),
        "{:#?}",
        x.entities
    );
}

#[test]
fn an_acronyms_possessive_is_never_part_of_its_name() {
    // The article never writes "ZTV" alone, which lets a possessive into "Moody's".
    let text = "The outage hit thousands, according to ZTV’s analysis of the data. Prices \
                rose, ZTV’s Ava Kolt and Dan Morrow reported. The UN’s Food and Farming \
                Organisation agreed.\n\nZTV’s Jana Oslo contributed reporting.";

    let x = extract(text);

    let orgs: Vec<&str> = spans(&x)
        .into_iter()
        .filter(|(_, kind)| *kind == EntityKind::Organization)
        .map(|(text, _)| text)
        .collect();
    assert_eq!(
        orgs,
        ["ZTV", "ZTV", "UN", "Food and Farming Organisation", "ZTV"]
    );
    assert_offsets_match(text, &x);
}

#[test]
fn a_common_words_possessive_inside_a_name_is_part_of_it_an_institutions_is_not() {
    let x = extract(
        "The Varstan People's Party won 40 seats, the People's Daily reported. Officers of the \
         Kellam County Sheriff's Office arrived later. The Interior Department's Bureau of Mines \
         said output fell.",
    );

    let orgs: Vec<&str> = spans(&x)
        .into_iter()
        .filter(|(_, kind)| *kind == EntityKind::Organization)
        .map(|(text, _)| text)
        .collect();
    assert_eq!(
        orgs,
        [
            "Varstan People's Party",
            "People's Daily",
            "Kellam County Sheriff's Office",
            "Interior Department",
            "Bureau of Mines"
        ]
    );
}

#[test]
fn a_lone_given_name_joins_the_one_person_who_bears_it_however_often_named() {
    let x = extract(
        "Balaram Stack is a professional surfer. Balaram Stack was born in Florida. \
         Stack moved to Hawaii.\n\nBalaram graduated from Long Beach High School in 2010.",
    );

    let person = entity(&x, "Balaram Stack");
    assert!(
        person.aliases.contains(&"Balaram".to_owned()),
        "{:#?}",
        x.entities
    );
}

#[test]
fn a_given_name_coordinated_with_a_person_is_a_person() {
    let x = extract("David and Victoria named their children Brooklyn and Romeo.");
    let places = extract("Flights from Victoria and Sydney were cancelled.");

    assert_eq!(entity(&x, "Victoria").kind, EntityKind::Person);
    assert_eq!(entity(&places, "Victoria").kind, EntityKind::Place);
}

#[test]
fn a_feature_of_the_earth_is_a_place_and_a_state_abbreviation_its_state() {
    let x = extract("Iran threatened to close the Strait of Hormuz on Monday.");
    let dateline = extract("LANCASTER, Pa., March 2 - Sales rose.");

    assert_eq!(entity(&x, "Strait of Hormuz").kind, EntityKind::Place);
    assert_eq!(entity(&dateline, "Pennsylvania").aliases, ["Pa."]);
}

#[test]
fn no_entity_is_named_longer_than_the_limit() {
    // A token with no spaces and a run of capitalized words, each thousands of characters:
    // a tagger may label them, but nothing that long names a person, place or organization.
    let token = format!("Talks in Vienna with Z{} and others.", "a".repeat(5_000));
    let run = format!(
        "The {} Group met in Geneva.",
        vec!["Alpha Beta Gamma"; 400].join(" ")
    );

    for text in [token, run] {
        let x = extract(&text);

        assert!(
            x.entities.iter().all(|e| e.canonical.chars().count() <= 200
                && e.aliases.iter().all(|a| a.chars().count() <= 200)),
            "{:?}",
            x.entities
                .iter()
                .map(|e| e.canonical.len())
                .collect::<Vec<_>>()
        );
        assert!(
            x.mentions.iter().all(|m| m.end - m.start <= 200),
            "mentions within the limit"
        );
    }
}
