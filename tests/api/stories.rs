//! The articles the usability tests question, and what an analyst expects of each: the
//! fixture written for the tests (tests/fixtures, always there) and the seed article
//! (../shared, skipped when it is not there). Each question is written once, as a check
//! `async fn(PgPool, &Story)`, and [`story_tests!`] makes one test per article of it, so a
//! clone with nothing beside it still asks every question.

use std::path::PathBuf;

use sqlx::PgPool;

use crate::helpers::{fixture_path, load, sample_path, seed_path};

/// One article and the answers it must give.
pub struct Story {
    /// Where the article is: the fixture, or the seed under ../shared.
    pub article: fn() -> Option<PathBuf>,
    /// The domain of its URL.
    pub source: &'static str,
    /// Its publication day (YYYY-MM-DD).
    pub date: &'static str,
    /// A person named in full once and by surname afterwards.
    pub person: &'static str,
    pub person_slug: &'static str,
    pub surname: &'static str,
    /// The surname with a letter dropped, which search must forgive.
    pub surname_typo: &'static str,
    /// Another person the article names, so co-mentioned with [`Story::person`].
    pub other_person: &'static str,
    /// Spellings of that person's surname search must take (URL-encoded): other case,
    /// accents, Cyrillic.
    pub other_person_spellings: &'static [&'static str],
    /// An organization introduced as "Full Name (ACRONYM)" and later called by the acronym.
    pub organization: &'static str,
    pub acronym: &'static str,
    /// A place the body names, with the slug of its entity.
    pub place: &'static str,
    pub place_slug: &'static str,
    /// A city of the gazetteer the article names: a prefix of its name, its slug, GeoNames id
    /// and coordinates.
    pub city: &'static str,
    pub city_prefix: &'static str,
    pub city_slug: &'static str,
    pub city_geonames_id: i64,
    pub city_lat_lon: (f64, f64),
    /// A word of the title.
    pub title_word: &'static str,
}

/// The article written for the tests: a budget vote in Bulgaria, invented people.
pub const FIXTURE: Story = Story {
    article: || Some(fixture_path()),
    source: "news.example.org",
    date: "2024-03-14",
    person: "Radoslav Petkanov",
    person_slug: "radoslav-petkanov",
    surname: "Petkanov",
    surname_typo: "petkanv",
    other_person: "Yana Dobreva",
    // DOBREVA, Dobréva, Добрева
    other_person_spellings: &[
        "DOBREVA",
        "Dobr%C3%A9va",
        "%D0%94%D0%BE%D0%B1%D1%80%D0%B5%D0%B2%D0%B0",
    ],
    organization: "Civic Reform Alliance",
    acronym: "CRA",
    place: "Bulgaria",
    place_slug: "bulgaria",
    city: "Sofia",
    city_prefix: "sofi",
    city_slug: "sofia",
    city_geonames_id: 727_011,
    city_lat_lon: (42.70, 23.32),
    title_word: "Bulgaria",
};

/// The seed article (Sputnik, 2023-12-09), under ../shared.
pub const SEED: Story = Story {
    article: seed_path,
    source: "sputnikglobe.com",
    date: "2023-12-09",
    person: "Milos Vucevic",
    person_slug: "milos-vucevic",
    surname: "Vucevic",
    surname_typo: "vucevc",
    other_person: "Aleksandar Vucic",
    // Vučić, Вучић, VUCIC
    other_person_spellings: &["Vu%C4%8Di%C4%87", "%D0%92%D1%83%D1%87%D0%B8%D1%9B", "VUCIC"],
    organization: "Serbian Progressive Party",
    acronym: "SNS",
    place: "Kosovo",
    place_slug: "kosovo",
    city: "Belgrade",
    city_prefix: "belgr",
    city_slug: "belgrade",
    city_geonames_id: 792_680,
    city_lat_lon: (44.80, 20.46),
    title_word: "Serbia",
};

impl Story {
    /// Imports the bundled sample and this article; `false` when the article is not there
    /// and the test is skipped.
    pub async fn load_with_sample(&self, pool: &PgPool) -> bool {
        let Some(article) = (self.article)() else {
            return false;
        };
        load(pool, vec![sample_path(), article]).await;
        true
    }
}

/// For each check `async fn name(pool: PgPool, story: &Story)`, a module `name` with the
/// tests `on_the_fixture` and `on_the_seed`.
macro_rules! story_tests {
    ($($check:ident),* $(,)?) => {$(
        mod $check {
            #[sqlx::test(migrator = "newsgraph::MIGRATOR")]
            async fn on_the_fixture(pool: sqlx::PgPool) {
                super::$check(pool, &crate::stories::FIXTURE).await;
            }

            #[sqlx::test(migrator = "newsgraph::MIGRATOR")]
            async fn on_the_seed(pool: sqlx::PgPool) {
                super::$check(pool, &crate::stories::SEED).await;
            }
        }
    )*};
}
pub(crate) use story_tests;
