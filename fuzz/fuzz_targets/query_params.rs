//! Fuzzes the HTTP query-string parser (`Params::parse`) against every route's list of
//! parameters, then each typed accessor the handlers use (`limit`, `flag`, `choice`,
//! `date_range`, `cursor`/`position`, `all`, `one`) and the value parsers `parse_date` and
//! `IdOrSlug::parse` on their own.
//!
//! Properties: nothing panics; every refusal is a 400 naming the parameter at fault and saying
//! what was expected; what is accepted is what the handlers rely on (a limit in range, a
//! choice from its list, a range that ends after it starts, dates in the years PostgreSQL
//! stores, slugs of lowercase letters, digits and hyphens); dates and cursors survive being
//! written out and read back.

#![no_main]

use chrono::Datelike;
use libfuzzer_sys::fuzz_target;
use newsgraph::db::listing::{Position, SortKey};
use newsgraph::http::{HttpConfig, Route, served_routes};
use newsgraph::http::error::ApiError;
use newsgraph::http::fuzzing::{IdOrSlug, Params, encode_cursor, parse_date};

/// Every route the router serves, with the query parameters its handler takes.
fn routes() -> &'static [Route] {
    static ROUTES: std::sync::OnceLock<Vec<Route>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| served_routes(&HttpConfig::default()))
}

/// The choices the handlers offer, by parameter.
const CHOICES: [(&str, &[&str]); 4] = [
    ("type", &["person", "place", "organization"]),
    (
        "sort",
        &[
            "-published_at",
            "published_at",
            "relevance",
            "-co_count",
            "-pmi",
        ],
    ),
    ("format", &["json", "csv", "ndjson", "graph"]),
    ("interval", &["day", "week", "month"]),
];

fuzz_target!(|data: &[u8]| {
    // A request's query is text; percent-escapes inside it may still decode to anything.
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    check_date(query);
    check_id_or_slug(query);
    for (index, Route { params: allowed, .. }) in routes().iter().enumerate() {
        if routes()[..index]
            .iter()
            .any(|earlier| earlier.params == *allowed)
        {
            continue;
        }
        match Params::parse(Some(query), allowed) {
            Ok(params) => check_accessors(&params),
            Err(error) => {
                let (param, detail) = invalid(&error);
                if detail.starts_with("unknown parameter") {
                    assert!(!allowed.contains(&param), "{param} is allowed: {error}");
                }
            }
        }
    }
});

/// The parameter and detail of a 400; any other error is a failure.
fn invalid(error: &ApiError) -> (&str, &str) {
    let ApiError::InvalidParameter { param, detail } = error else {
        panic!("not an invalid-parameter error: {error:?}");
    };
    assert!(!detail.is_empty(), "no detail: {error:?}");
    (param, detail)
}

/// Checks that `result` is either accepted or refused naming one of `names`.
fn named<T>(result: Result<T, ApiError>, names: &[&str]) -> Option<T> {
    match result {
        Ok(value) => Some(value),
        Err(error) => {
            let (param, _) = invalid(&error);
            assert!(names.contains(&param), "{error} names none of {names:?}");
            None
        }
    }
}

fn check_accessors(params: &Params) {
    if let Some(limit) = named(params.limit(), &["limit"]) {
        assert!((1..=100).contains(&limit), "limit {limit}");
    }
    named(params.flag("count"), &["count"]);
    for (name, choices) in CHOICES {
        if let Some(Some(choice)) = named(params.choice(name, choices), &[name]) {
            assert!(choices.contains(&choice), "{name}={choice}");
        }
    }
    if let Some((Some(from), Some(to))) = named(params.date_range(), &["from", "to"]) {
        assert!(from < to, "from {from} is not before to {to}");
    }
    if let Some(Some(position)) = named(params.cursor::<Position>(), &["cursor"]) {
        check_cursor(params, &position);
    }
    for value in params.all("entity") {
        check_id_or_slug(value);
    }
    if let Some(Some(q)) = named(params.one("q"), &["q"]) {
        assert!(
            !q.is_empty() && !q.chars().any(|c| c.is_control() && c != '\t'),
            "q={q:?}"
        );
    }
}

/// A cursor is accepted for its own sort only, and reads back as written.
fn check_cursor(params: &Params, position: &Position) {
    let same = params
        .position(&position.sort)
        .expect("a cursor fits its own sort");
    assert_eq!(same.as_ref(), Some(position));
    let other = format!("{}~", position.sort);
    let refused = named(params.position(&other), &["cursor"]).is_none();
    assert!(refused, "accepted for sort {other}");
    let cursor = encode_cursor(position);
    let query = format!("cursor={cursor}");
    let again = Params::parse(Some(&query), &["cursor"])
        .and_then(|params| params.cursor::<Position>())
        .expect("an encoded cursor is accepted")
        .expect("an encoded cursor is read");
    assert_eq!(again.sort, position.sort);
    assert_eq!(again.id, position.id);
    match (&again.key, &position.key) {
        // The ranks compared are f32 and the counts integers: both read back exactly, while
        // serde_json may read other f64s back one unit in the last place off.
        (SortKey::Number(again), SortKey::Number(first)) => {
            assert_eq!(
                *again as f32, *first as f32,
                "rank {first} read back as {again}"
            );
            if first.fract() == 0.0 && first.abs() < 2f64.powi(53) {
                assert_eq!(again, first, "count {first} read back as {again}");
            }
        }
        (again, first) => assert_eq!(again, first),
    }
}

fn check_date(value: &str) {
    let Ok(date) = parse_date(value) else {
        return;
    };
    assert!((1..=9999).contains(&date.year()), "{value:?} gives {date}");
    assert_eq!(
        parse_date(&date.to_rfc3339()),
        Ok(date),
        "{value:?} does not read back"
    );
}

fn check_id_or_slug(value: &str) {
    match IdOrSlug::parse(value) {
        Ok(IdOrSlug::Id(_)) => {}
        Err(reason) => assert!(!reason.is_empty()),
        Ok(IdOrSlug::Slug(slug)) => {
            assert_eq!(slug, value);
            assert!(!slug.is_empty() && slug.len() <= 200, "{slug:?}");
            assert!(
                slug.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{slug:?}"
            );
        }
        Ok(IdOrSlug::Wikidata(id)) => {
            assert_eq!(id, value);
            assert!(
                id.starts_with('Q') && id[1..].bytes().all(|b| b.is_ascii_digit()),
                "{id}"
            );
        }
    }
}
