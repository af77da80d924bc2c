//! The read endpoints as analysts and dashboards use them, on the bundled sample plus one
//! news article: the questions an analyst asks of an article run once on the fixture and once
//! on the seed article (tests/api/stories.rs).
//!
//! Over 400 lines: one self-contained test per question an analyst asks of the read routes;
//! split by length, the questions about one route would land in different files.

use std::collections::HashSet;

use axum::http::{StatusCode, header};
use serde_json::Value;
use sqlx::PgPool;

use newsgraph::http::HttpConfig;

use crate::helpers::{app, app_with, get, load_sample_and_fixture};
use crate::stories::{Story, story_tests};

fn names(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .expect("a data array")
        .iter()
        .map(|item| item["name"].as_str().unwrap_or_default().to_owned())
        .collect()
}

story_tests!(
    searching_a_surname_returns_the_full_person_first,
    searching_an_acronym_returns_its_organization,
    searching_another_spelling_of_a_name_finds_the_person,
    entity_search_tolerates_typos_and_prefixes,
    name_search_without_the_entity_directory_finds_the_same_entities,
    the_entity_directory_shows_what_another_process_imported_within_seconds,
    articles_of_a_place_carry_offsets_on_the_place_name,
    entity_filters_combine_with_and,
    fields_trim_articles_and_full_text_ranks_them,
    entity_pages_show_their_articles_with_snippets_related_entities_and_timeline,
    places_carry_coordinates_and_a_geonames_id,
);

async fn searching_a_surname_returns_the_full_person_first(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    let response = get(&app, &format!("/v1/entities?q={}", story.surname)).await;

    assert_eq!(response.status, StatusCode::OK);
    let page = response.json();
    assert_eq!(names(&page)[0], story.person);
    assert_eq!(page["data"][0]["type"], "person");
}

async fn searching_an_acronym_returns_its_organization(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    let page = get(&app, &format!("/v1/entities?q={}", story.acronym))
        .await
        .json();

    assert_eq!(names(&page)[0], story.organization);
    assert_eq!(page["data"][0]["type"], "organization");
}

async fn searching_another_spelling_of_a_name_finds_the_person(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    for query in story.other_person_spellings {
        let page = get(&app, &format!("/v1/entities?q={query}")).await.json();

        assert_eq!(names(&page)[0], story.other_person, "q={query}");
    }
}

async fn entity_search_tolerates_typos_and_prefixes(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    let typo = get(&app, &format!("/v1/entities?q={}", story.surname_typo))
        .await
        .json();
    let prefix = get(&app, &format!("/v1/entities?q={}", story.city_prefix))
        .await
        .json();

    assert_eq!(names(&typo)[0], story.person);
    assert_eq!(names(&prefix)[0], story.city);
}

async fn name_search_without_the_entity_directory_finds_the_same_entities(
    pool: PgPool,
    story: &Story,
) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let in_memory = app(pool.clone());
    let database = app_with(
        pool,
        HttpConfig {
            entity_directory: false,
            ..HttpConfig::default()
        },
    );

    let mut questions = vec![
        (story.surname, story.person),
        (story.acronym, story.organization),
        (story.surname_typo, story.person),
        (story.city_prefix, story.city),
    ];
    questions.extend(
        story
            .other_person_spellings
            .iter()
            .map(|spelling| (*spelling, story.other_person)),
    );
    for (query, expected) in questions {
        let uri = format!("/v1/entities?q={query}");
        let from_memory = get(&in_memory, &uri).await.json();
        let from_database = get(&database, &uri).await.json();

        assert_eq!(names(&from_memory)[0], expected, "directory, q={query}");
        assert_eq!(names(&from_database)[0], expected, "database, q={query}");
    }
    let place = get(&database, &format!("/v1/entities/{}", story.place_slug)).await;
    assert_eq!(place.status, StatusCode::OK);
    assert_eq!(place.json()["type"], "place");
}

async fn the_entity_directory_shows_what_another_process_imported_within_seconds(
    pool: PgPool,
    story: &Story,
) {
    let app = app(pool.clone());
    let search = format!("/v1/entities?q={}", story.surname);
    let before = get(&app, &search).await.json();
    assert!(names(&before).is_empty(), "{before}");

    // Written straight to the database, as `newsgraph import` in another process would.
    if !story.load_with_sample(&pool).await {
        return;
    }

    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    loop {
        let page = get(&app, &search).await.json();
        if names(&page).first().map(String::as_str) == Some(story.person) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the import is not visible after 15 s: {page}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let entity = get(&app, &format!("/v1/entities/{}", story.person_slug)).await;
    assert_eq!(entity.status, StatusCode::OK, "{}", entity.json());
    assert!(entity.json()["article_count"].as_i64() >= Some(1));
}

async fn articles_of_a_place_carry_offsets_on_the_place_name(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    let page = get(&app, &format!("/v1/articles?entity={}", story.place_slug))
        .await
        .json();

    let ours = page["data"]
        .as_array()
        .expect("data")
        .iter()
        .find(|a| a["url"].as_str().unwrap_or_default().contains(story.source))
        .expect("the story's article");
    let id = ours["id"].as_str().expect("an id");
    let article = get(&app, &format!("/v1/articles/{id}")).await.json();
    let body: Vec<char> = article["body"].as_str().expect("a body").chars().collect();
    let place = article["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .find(|e| e["slug"] == story.place_slug)
        .expect("the place among the entities");
    assert_eq!(place["type"], "place");
    let mentions: Vec<&Value> = place["mentions"]
        .as_array()
        .expect("mentions")
        .iter()
        .filter(|m| m["field"] == "body")
        .collect();
    assert!(!mentions.is_empty(), "{place}");
    for mention in mentions {
        let start = mention["start"].as_u64().expect("start") as usize;
        let end = mention["end"].as_u64().expect("end") as usize;
        assert_eq!(body[start..end].iter().collect::<String>(), story.place);
        assert!(
            mention["snippet"]
                .as_str()
                .expect("snippet")
                .contains(story.place)
        );
        assert!(mention["confidence"].as_f64().expect("confidence") > 0.0);
    }
}

async fn entity_filters_combine_with_and(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    let both = get(
        &app,
        &format!(
            "/v1/articles?entity={}&entity={}&count=true",
            story.place_slug, story.person_slug
        ),
    )
    .await
    .json();
    let place = get(
        &app,
        &format!("/v1/articles?entity={}&count=true", story.place_slug),
    )
    .await
    .json();
    let unknown = get(&app, "/v1/articles?entity=no-such-entity").await;

    assert_eq!(both["count"], 1);
    assert!(place["count"].as_i64().expect("count") >= both["count"].as_i64().expect("count"));
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["errors"][0]["param"], "entity");
}

/// Every id of a listing, page by page through `next_cursor`.
async fn walk_pages(app: &axum::Router, first: &str) -> Vec<String> {
    let mut uri = first.to_owned();
    let mut ids = Vec::new();
    loop {
        let page = get(app, &uri).await.json();
        for entity in page["data"].as_array().expect("data") {
            ids.push(entity["id"].as_str().expect("id").to_owned());
        }
        let Some(cursor) = page["next_cursor"].as_str() else {
            return ids;
        };
        uri = format!("{first}&cursor={cursor}");
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn entity_search_pages_walk_every_match_once_in_each_order(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let app = app(pool);

    for sort in ["relevance", "-article_count", "name", "-last_seen"] {
        let whole = get(
            &app,
            &format!("/v1/entities?q=united&sort={sort}&limit=100&count=true"),
        )
        .await
        .json();
        let paged = walk_pages(&app, &format!("/v1/entities?q=united&sort={sort}&limit=2")).await;

        let expected: Vec<String> = whole["data"]
            .as_array()
            .expect("data")
            .iter()
            .map(|entity| entity["id"].as_str().expect("id").to_owned())
            .collect();
        assert!(expected.len() > 4, "sort={sort}: {whole}");
        assert_eq!(
            whole["count"].as_u64(),
            Some(expected.len() as u64),
            "sort={sort}"
        );
        assert_eq!(paged, expected, "sort={sort}");
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn keyset_pages_walk_every_article_once_in_order(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&pool)
        .await
        .expect("count");
    let app = app(pool);
    let mut uri = "/v1/articles?limit=7&fields=id,published_at".to_owned();
    let mut seen = Vec::new();

    loop {
        let response = get(&app, &uri).await;
        let page = response.json();
        for article in page["data"].as_array().expect("data") {
            seen.push((
                article["published_at"].as_str().map(str::to_owned),
                article["id"].as_str().expect("id").to_owned(),
            ));
        }
        let Some(cursor) = page["next_cursor"].as_str() else {
            assert!(response.headers.get(header::LINK).is_none());
            break;
        };
        let link = response.headers[header::LINK]
            .to_str()
            .expect("a Link header")
            .to_owned();
        assert!(
            link.ends_with("rel=\"next\"") && link.contains(cursor),
            "{link}"
        );
        uri = format!("/v1/articles?limit=7&fields=id,published_at&cursor={cursor}");
    }

    assert_eq!(seen.len() as i64, total);
    let unique: HashSet<&String> = seen.iter().map(|(_, id)| id).collect();
    assert_eq!(unique.len(), seen.len(), "no article twice");
    let dates: Vec<&Option<String>> = seen.iter().map(|(date, _)| date).collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted, "newest first");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn unknown_and_bad_parameters_are_400_problems_naming_them(pool: PgPool) {
    let app = app(pool);

    for (uri, param) in [
        ("/v1/articles?colour=red", "colour"),
        ("/v1/articles?limit=1000", "limit"),
        ("/v1/articles?from=yesterday", "from"),
        ("/v1/articles?sort=relevance", "sort"),
        ("/v1/articles?cursor=garbage", "cursor"),
        ("/v1/entities?type=animal", "type"),
        ("/v1/entities/kosovo/timeline?interval=hour", "interval"),
        ("/v1/articles?fields=id,secret", "fields"),
    ] {
        let response = get(&app, uri).await;

        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
        let problem = response.json();
        assert_eq!(problem["code"], "invalid_parameter", "{uri}");
        assert_eq!(problem["errors"][0]["param"], param, "{uri}");
    }
}

async fn fields_trim_articles_and_full_text_ranks_them(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);
    // The organization's name as a quoted phrase.
    let phrase = story.organization.replace(' ', "%20");

    let page = get(
        &app,
        &format!("/v1/articles?q=%22{phrase}%22&fields=title,score"),
    )
    .await
    .json();

    let first = &page["data"][0];
    assert_eq!(first.as_object().expect("an object").len(), 2, "{first}");
    assert!(
        first["title"]
            .as_str()
            .expect("title")
            .contains(story.title_word)
    );
    assert!(first["score"].as_f64().expect("score") > 0.0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn lists_answer_csv_when_asked(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let app = app(pool);
    let request = axum::http::Request::get("/v1/entities?limit=3&type=place")
        .header(header::ACCEPT, "text/csv")
        .body(axum::body::Body::empty())
        .expect("a request");

    let response = crate::helpers::send(&app, request).await;

    assert_eq!(
        response.headers[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let text = String::from_utf8(response.body).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].starts_with("id,slug,name,type,aliases,article_count"),
        "{}",
        lines[0]
    );
    assert_eq!(lines.len(), 4);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_export_streams_every_matching_article_as_ndjson(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let total: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&pool)
        .await
        .expect("count");
    let app = app(pool);

    let response = get(&app, "/v1/articles/export?fields=id,title").await;

    assert_eq!(
        response.headers[header::CONTENT_TYPE],
        "application/x-ndjson"
    );
    let text = String::from_utf8(response.body).expect("UTF-8");
    let lines: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len() as i64, total);
    assert!(
        lines
            .iter()
            .all(|l| l["id"].is_string() && l["title"].is_string())
    );
}

async fn entity_pages_show_their_articles_with_snippets_related_entities_and_timeline(
    pool: PgPool,
    story: &Story,
) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);
    let person = format!("/v1/entities/{}", story.person_slug);
    let day: chrono::NaiveDate = story.date.parse().expect("a date");
    let (from, to) = (day - chrono::Days::new(2), day + chrono::Days::new(3));

    let entity = get(&app, &person).await.json();
    let articles = get(&app, &format!("{person}/articles")).await.json();
    let related = get(&app, &format!("{person}/related")).await.json();
    let graph = get(&app, &format!("{person}/related?format=graph&limit=3"))
        .await
        .json();
    let timeline = get(
        &app,
        &format!(
            "/v1/entities/{}/timeline?interval=day&from={from}&to={to}",
            story.place_slug
        ),
    )
    .await
    .json();

    assert_eq!(entity["name"], story.person);
    assert!(
        entity["aliases"]
            .as_array()
            .expect("aliases")
            .contains(&Value::from(story.surname))
    );
    let snippets = articles["data"][0]["mentions"]
        .as_array()
        .expect("mentions");
    assert!(snippets.iter().all(|m| {
        m["snippet"]
            .as_str()
            .unwrap_or_default()
            .contains(story.surname)
    }));
    let related_names = names(&related);
    assert!(
        related_names.contains(&story.other_person.to_owned()),
        "{related_names:?}"
    );
    assert!(related["data"][0]["co_count"].as_i64().expect("count") >= 1);
    assert!(related["data"][0]["pmi"].is_number());
    assert_eq!(graph["nodes"].as_array().expect("nodes").len(), 4);
    assert!(!graph["edges"].as_array().expect("edges").is_empty());
    let days: Vec<(String, i64)> = timeline["data"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            (
                b["start"].as_str().expect("start").to_owned(),
                b["articles"].as_i64().expect("n"),
            )
        })
        .collect();
    let expected: Vec<(String, i64)> = (0..5)
        .map(|i| {
            let bucket = from + chrono::Days::new(i);
            (format!("{bucket}T00:00:00Z"), i64::from(bucket == day))
        })
        .collect();
    assert_eq!(days, expected);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_missing_article_or_entity_is_a_404_problem(pool: PgPool) {
    let app = app(pool);

    let article = get(&app, "/v1/articles/01a21eea-64c1-7266-b6c9-95fcebe9d93f").await;
    let entity = get(&app, "/v1/entities/nobody-at-all").await;

    assert_eq!(article.status, StatusCode::NOT_FOUND);
    assert_eq!(article.json()["code"], "not_found");
    assert_eq!(entity.status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn stats_and_sources_sum_up_the_store(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let app = app(pool);

    let stats = get(&app, "/v1/stats").await.json();
    let sources = get(&app, "/v1/sources").await.json();

    assert_eq!(stats["articles"], 44);
    assert!(
        stats["entities_by_type"]["person"]
            .as_i64()
            .expect("persons")
            > 0
    );
    assert!(
        !stats["top_entities"]["place"]
            .as_array()
            .expect("top places")
            .is_empty()
    );
    let domains: Vec<&str> = sources["data"]
        .as_array()
        .expect("data")
        .iter()
        .map(|s| s["domain"].as_str().expect("domain"))
        .collect();
    assert_eq!(domains, ["en.wikinews.org", "news.example.org"]);
}

async fn places_carry_coordinates_and_a_geonames_id(pool: PgPool, story: &Story) {
    if !story.load_with_sample(&pool).await {
        return;
    }
    let app = app(pool);

    let city = get(&app, &format!("/v1/entities/{}", story.city_slug))
        .await
        .json();
    let person = get(&app, &format!("/v1/entities/{}", story.person_slug))
        .await
        .json();

    let (lat, lon) = story.city_lat_lon;
    assert!(
        (city["coordinates"]["lat"].as_f64().expect("lat") - lat).abs() < 0.1,
        "{city}"
    );
    assert!((city["coordinates"]["lon"].as_f64().expect("lon") - lon).abs() < 0.1);
    assert_eq!(city["geonames_id"], story.city_geonames_id);
    assert!(person["coordinates"].is_null());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn control_characters_and_bad_values_are_400s_in_every_format(pool: PgPool) {
    let app = app(pool);

    for uri in [
        "/v1/articles?q=%00",
        "/v1/articles?source=a%00b",
        "/v1/articles/export?q=%00",
        "/v1/articles?format=ndjson&limit=abc",
        "/v1/articles?format=ndjson&count=maybe",
        "/v1/entities/kosovo/related?from=2024-02-01&to=2024-01-01",
        "/v1/entities/kosovo/articles?from=2024-02-01&to=2024-01-01",
    ] {
        let response = get(&app, uri).await;

        assert_eq!(response.status, StatusCode::BAD_REQUEST, "{uri}");
    }
}
