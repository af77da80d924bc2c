//! Whole news articles must yield the people, places and organizations a reader finds in them,
//! a later surname must resolve to the person named in full, and an acronym defined in
//! parentheses to its organization. Each check runs on the fixture written for the tests
//! (tests/fixtures, always there) and on the seed article, which is read from ../shared (the
//! development data set beside the repository) and skipped when it is not there.

use std::path::{Path, PathBuf};

use newsgraph_extract::{EntityKind, Extraction, Extractor, Field};

/// One article and what it must yield.
struct Article {
    path: Option<PathBuf>,
    persons: &'static [&'static str],
    places: &'static [&'static str],
    /// Canonical names or aliases.
    organizations: &'static [&'static str],
    /// A surname used alone after the full name, and that full name.
    surname: (&'static str, &'static str),
    /// An acronym defined in parentheses, and its expansion.
    acronym: (&'static str, &'static str),
}

fn repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The file `relative` under ../shared, or `None` after printing `skipped: ../shared/<relative>
/// is not there`; with `NEWSGRAPH_REQUIRE_SHARED` set (CI) a missing file fails the test.
fn shared_file(relative: &str) -> Option<PathBuf> {
    let path = repository().join("../shared").join(relative);
    if path.exists() {
        return Some(path);
    }
    assert!(
        std::env::var_os("NEWSGRAPH_REQUIRE_SHARED").is_none(),
        "{} is missing and NEWSGRAPH_REQUIRE_SHARED is set: this test reads it from ../shared",
        path.display()
    );
    println!("skipped: ../shared/{relative} is not there");
    None
}

/// The article written for the tests: a budget vote in Bulgaria, invented people.
fn fixture() -> Article {
    Article {
        path: Some(repository().join("tests/fixtures/001_budget_vote.txt")),
        persons: &["Radoslav Petkanov", "Yana Dobreva"],
        places: &["Bulgaria", "Sofia", "Plovdiv"],
        organizations: &["Civic Reform Alliance", "CRA", "European Commission"],
        surname: ("Petkanov", "Radoslav Petkanov"),
        acronym: ("CRA", "Civic Reform Alliance"),
    }
}

/// The seed article (Sputnik, 2023-12-09).
fn seed() -> Article {
    Article {
        path: shared_file("corpus/seed/000_a288471b0e0d1077.txt"),
        persons: &["Milos Vucevic", "Aleksandar Vucic"],
        places: &[
            "Serbia", "Russia", "Kosovo", "Belgrade", "Pristina", "China", "India",
        ],
        organizations: &[
            "Serbian Progressive Party",
            "Sputnik",
            "EU",
            "UN",
            "Kosovo Security Force",
            "Serbian Defense Ministry",
        ],
        surname: ("Vucevic", "Milos Vucevic"),
        acronym: ("SNS", "Serbian Progressive Party"),
    }
}

/// The article's extraction, or `None` when it is skipped.
fn extract(article: &Article) -> Option<Extraction> {
    let path = article.path.as_ref()?;
    let text = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{} must be readable: {e}", path.display()));
    // Seed format: "date YYYY-MM-DD URL", blank line, title, blank line, body.
    let mut parts = text.splitn(3, "\n\n");
    let _header = parts.next().expect("a header line");
    let title = parts.next().expect("a title").trim();
    let body = parts.next().expect("a body").trim();
    let extractor = Extractor::load_default().expect("the shipped model loads");
    Some(extractor.extract(Some(title), body))
}

/// The names of `wanted` that no entity of `kind` has as its canonical name (or, with
/// `aliases`, as an alias).
fn missing(x: &Extraction, kind: EntityKind, wanted: &[&str], aliases: bool) -> Vec<String> {
    wanted
        .iter()
        .filter(|name| {
            !x.entities.iter().any(|e| {
                e.kind == kind
                    && (e.canonical == **name || aliases && e.aliases.iter().any(|a| a == *name))
            })
        })
        .map(|name| (*name).to_owned())
        .collect()
}

fn yields_its_people_places_and_organizations(article: Article) {
    let Some(x) = extract(&article) else {
        return;
    };

    for (kind, wanted, aliases) in [
        (EntityKind::Person, article.persons, false),
        (EntityKind::Place, article.places, false),
        (EntityKind::Organization, article.organizations, true),
    ] {
        assert_eq!(
            missing(&x, kind, wanted, aliases),
            Vec::<String>::new(),
            "{kind:?}: {:#?}",
            x.entities
        );
    }
}

fn a_later_surname_resolves_to_the_full_person(article: Article) {
    let Some(x) = extract(&article) else {
        return;
    };
    let (surname, full) = article.surname;

    let lone: Vec<_> = x
        .mentions
        .iter()
        .filter(|m| m.text == surname && m.field == Field::Body)
        .collect();
    assert!(!lone.is_empty(), "no lone {surname}: {:#?}", x.mentions);
    for m in lone {
        let e = &x.entities[m.entity];
        assert_eq!((e.kind, e.canonical.as_str()), (EntityKind::Person, full));
        assert_eq!(e.key, format!("person:{}", full.to_lowercase()));
    }
}

fn an_acronym_in_parentheses_is_one_organization_with_its_expansion(article: Article) {
    let Some(x) = extract(&article) else {
        return;
    };
    let (acronym, expansion) = article.acronym;

    let short = x
        .mentions
        .iter()
        .find(|m| m.text == acronym)
        .expect("a mention of the acronym");
    let e = &x.entities[short.entity];
    assert_eq!(
        (e.kind, e.canonical.as_str()),
        (EntityKind::Organization, expansion)
    );
    assert!(e.aliases.iter().any(|a| a == acronym));
    let long = x
        .mentions
        .iter()
        .find(|m| m.text == expansion)
        .expect("the expansion");
    assert_eq!(long.entity, short.entity);
}

#[test]
fn the_fixture_yields_its_people_places_and_organizations() {
    yields_its_people_places_and_organizations(fixture());
}

#[test]
fn the_seed_yields_its_people_places_and_organizations() {
    yields_its_people_places_and_organizations(seed());
}

#[test]
fn a_later_surname_resolves_to_the_full_person_in_the_fixture() {
    a_later_surname_resolves_to_the_full_person(fixture());
}

#[test]
fn a_later_surname_resolves_to_the_full_person_in_the_seed() {
    a_later_surname_resolves_to_the_full_person(seed());
}

#[test]
fn an_acronym_in_parentheses_is_one_organization_with_its_expansion_in_the_fixture() {
    an_acronym_in_parentheses_is_one_organization_with_its_expansion(fixture());
}

#[test]
fn an_acronym_in_parentheses_is_one_organization_with_its_expansion_in_the_seed() {
    an_acronym_in_parentheses_is_one_organization_with_its_expansion(seed());
}
