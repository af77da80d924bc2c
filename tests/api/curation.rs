//! Curation: merge, split, edit, suppress and undo over the API and the command line, the
//! change log, and the rules later imports, re-extraction and `resolve` apply again.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use newsgraph::http::HttpConfig;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{
    TOKEN, TestResponse, app, app_with, assert_counts_consistent, extractor, get, send,
};

const ARTICLE: &str = "Bulgaria's parliament approved next year's budget early on Thursday after \
a debate that ran past midnight in Sofia, Finance Minister Radoslav Petkanov told reporters \
outside the National Assembly.\n\nThe Civic Reform Alliance (CRA), which leads the governing \
coalition, had pushed for the vote. Petkanov said the budget keeps the deficit low.\n\nPrime \
Minister Yana Dobreva thanked the opposition. Dobreva said the European Commission had asked \
Bulgaria for the reform.\n\nSeveral hundred farmers from Plovdiv protested against cuts to fuel \
subsidies.";

/// Posts one article; panics unless it is stored.
async fn post_article(app: &axum::Router, url: &str, body: &str) {
    let article = json!({
        "url": url, "title": "Budget vote", "body": body,
        "published_at": "2024-03-14T08:00:00Z", "source": "Wire",
    });
    let response = write(app, "POST", "/v1/articles", Some(article), &[]).await;
    assert!(response.status.is_success(), "{:?}", response.json());
}

/// Sends a write with the test token and a JSON body.
async fn write(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: Option<Value>,
    headers: &[(&str, &str)],
) -> TestResponse {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    send(app, request.body(body).expect("a request")).await
}

async fn post(app: &axum::Router, uri: &str, body: Value) -> TestResponse {
    write(app, "POST", uri, Some(body), &[]).await
}

/// An app with the built-in test token and the article imported.
async fn curated_app(pool: &PgPool) -> axum::Router {
    let app = app(pool.clone());
    post_article(&app, "https://wire.example/budget", ARTICLE).await;
    app
}

/// Every mention: (article URL, field, start) → entity slug, in order.
async fn mention_map(pool: &PgPool) -> Vec<(String, String, i32, String)> {
    sqlx::query_as(
        "SELECT a.url, m.field, m.start_offset, e.slug FROM mentions m
         JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id
         ORDER BY 1, 2, 3",
    )
    .fetch_all(pool)
    .await
    .expect("mentions")
}

/// Every entity: slug, kind, name, Wikidata id, counts, aliases.
async fn entity_rows(
    pool: &PgPool,
) -> Vec<(
    String,
    String,
    String,
    Option<String>,
    i32,
    i32,
    Vec<String>,
)> {
    sqlx::query_as(
        "SELECT e.slug, e.kind, e.name, e.wikidata_id, e.article_count, e.mention_count,
                ARRAY(SELECT alias FROM entity_aliases a WHERE a.entity_id = e.id ORDER BY alias)
         FROM entities e ORDER BY e.slug",
    )
    .fetch_all(pool)
    .await
    .expect("entities")
}

async fn slug_count(pool: &PgPool, slug: &str) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM entities WHERE slug = $1")
        .bind(slug)
        .fetch_one(pool)
        .await
        .expect("count")
}

fn options() -> newsgraph::ingest::ImportOptions {
    newsgraph::ingest::ImportOptions {
        batch_size: 50,
        jobs: 2,
    }
}

async fn reextract_all(pool: &PgPool) {
    let report = newsgraph::ingest::reextract::reextract(
        pool,
        extractor(),
        true,
        &options(),
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("reextract runs");
    assert_eq!(report.failed, 0);
}

async fn resolve_all(pool: &PgPool) {
    let report = newsgraph::ingest::resolve::resolve(
        pool,
        extractor(),
        &options(),
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("resolve runs");
    assert_eq!(report.failed, 0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_merge_moves_mentions_aliases_and_counts_and_the_old_slug_answers_301(pool: PgPool) {
    let mut config = HttpConfig::default();
    config
        .write_tokens
        .push(secrecy::SecretString::from("desk:desk-secret".to_owned()));
    let app = app_with(pool.clone(), config);
    post_article(&app, "https://wire.example/budget", ARTICLE).await;
    let sofia = get(&app, "/v1/entities/sofia").await.json();
    let plovdiv = get(&app, "/v1/entities/plovdiv").await.json();

    let request = Request::post("/v1/entities/sofia/merge")
        .header(header::AUTHORIZATION, "Bearer desk-secret")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({"entities": ["plovdiv"], "reason": "one city"}).to_string(),
        ))
        .expect("a request");
    let merged = send(&app, request).await;

    assert_eq!(merged.status, StatusCode::OK, "{:?}", merged.json());
    let body = merged.json();
    assert_eq!(body["change"]["operation"], "merge");
    assert_eq!(
        body["change"]["actor"], "desk",
        "the token's name, never its secret"
    );
    assert_eq!(body["change"]["reason"], "one city");
    assert_eq!(body["entity"]["slug"], "sofia");
    let after = get(&app, "/v1/entities/sofia").await.json();
    assert_eq!(
        after["mention_count"],
        sofia["mention_count"].as_i64().unwrap() + plovdiv["mention_count"].as_i64().unwrap()
    );
    assert!(
        after["aliases"]
            .as_array()
            .unwrap()
            .contains(&json!("Plovdiv"))
    );
    let old = get(&app, "/v1/entities/plovdiv").await;
    assert_eq!(old.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(old.headers[header::LOCATION], "/v1/entities/sofia");
    let by_id = get(
        &app,
        &format!("/v1/entities/{}", plovdiv["id"].as_str().unwrap()),
    )
    .await;
    assert_eq!(by_id.status, StatusCode::MOVED_PERMANENTLY);
    let search = get(&app, "/v1/entities?q=plovdiv").await.json();
    assert_eq!(
        search["data"][0]["slug"], "sofia",
        "search finds the survivor by the alias"
    );
    let history = get(&app, "/v1/entities/sofia/history").await.json();
    assert_eq!(history["data"][0]["id"], body["change"]["id"]);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_merge_stays_merged_through_later_imports_reextraction_and_resolve(pool: PgPool) {
    let app = curated_app(&pool).await;
    let merged = post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;
    assert_eq!(merged.status, StatusCode::OK);

    post_article(
        &app,
        "https://wire.example/farmers",
        "Farmers from Plovdiv blocked the road to Plovdiv again on Friday.",
    )
    .await;
    let after_import = get(&app, "/v1/entities/sofia").await.json();
    reextract_all(&pool).await;
    resolve_all(&pool).await;

    assert_eq!(
        after_import["article_count"], 2,
        "the new article's Plovdiv is Sofia"
    );
    let timeline = get(&app, "/v1/entities/sofia/timeline?interval=month")
        .await
        .json();
    let articles: i64 = timeline["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["articles"].as_i64().unwrap())
        .sum();
    assert_eq!(
        articles, 2,
        "the timeline counts the merged articles: {timeline}"
    );
    let related = get(&app, "/v1/entities/bulgaria/related?limit=50")
        .await
        .json();
    let slugs: Vec<&str> = related["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert!(
        slugs.contains(&"sofia") && !slugs.contains(&"plovdiv"),
        "{slugs:?}"
    );
    assert_eq!(
        slug_count(&pool, "plovdiv").await,
        0,
        "no new Plovdiv entity"
    );
    let after_resolve = get(&app, "/v1/entities/sofia").await.json();
    assert_eq!(after_resolve["article_count"], 2);
    assert_eq!(
        after_resolve["mention_count"],
        after_import["mention_count"]
    );
    assert_eq!(
        get(&app, "/v1/entities/plovdiv").await.status,
        StatusCode::MOVED_PERMANENTLY
    );
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_split_sends_an_alias_to_a_new_entity_and_later_imports_follow_it(pool: PgPool) {
    let app = curated_app(&pool).await;

    let split = post(
        &app,
        "/v1/entities/civic-reform-alliance/split",
        json!({"aliases": ["CRA"], "name": "Croatian Rowing Association"}),
    )
    .await;

    assert_eq!(split.status, StatusCode::OK, "{:?}", split.json());
    let new = split.json()["entity"].clone();
    assert_eq!(new["name"], "Croatian Rowing Association");
    assert_eq!(new["type"], "organization");
    assert_eq!(new["mention_count"], 1);
    assert!(new["aliases"].as_array().unwrap().contains(&json!("CRA")));
    let old = get(&app, "/v1/entities/civic-reform-alliance").await.json();
    assert_eq!(old["mention_count"], 1);
    assert!(!old["aliases"].as_array().unwrap().contains(&json!("CRA")));
    let slug = new["slug"].as_str().unwrap().to_owned();

    post_article(
        &app,
        "https://wire.example/coalition",
        "The Civic Reform Alliance (CRA) met on Monday. The CRA wants new elections.",
    )
    .await;
    reextract_all(&pool).await;
    resolve_all(&pool).await;

    let new = get(&app, &format!("/v1/entities/{slug}")).await.json();
    let old = get(&app, "/v1/entities/civic-reform-alliance").await.json();
    assert_eq!(new["mention_count"], 3, "every CRA mention, old and new");
    assert_eq!(
        old["mention_count"], 2,
        "one Civic Reform Alliance per article"
    );
    assert!(!old["aliases"].as_array().unwrap().contains(&json!("CRA")));
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_edit_holds_its_name_type_wikidata_id_and_aliases_through_resolve(pool: PgPool) {
    let app = curated_app(&pool).await;

    let edited = write(
        &app,
        "PATCH",
        "/v1/entities/yana-dobreva",
        Some(json!({
            "name": "Yana Dobreva-Petrova",
            "wikidata_id": "Q4242",
            "add_aliases": ["Dobreva-Petrova"],
            "remove_aliases": ["Dobreva"],
        })),
        &[],
    )
    .await;
    let retyped = write(
        &app,
        "PATCH",
        "/v1/entities/national-assembly",
        Some(json!({"type": "place"})),
        &[],
    )
    .await;
    let known = get(&app, "/v1/entities/bulgaria").await.json();
    assert!(
        known["wikidata_id"].is_string(),
        "the knowledge base knows Bulgaria"
    );
    let corrected = write(
        &app,
        "PATCH",
        "/v1/entities/bulgaria",
        Some(json!({"wikidata_id": "Q999999"})),
        &[],
    )
    .await;
    assert_eq!(corrected.status, StatusCode::OK);
    post_article(
        &app,
        "https://wire.example/assembly",
        "Yana Dobreva spoke in the National Assembly. Dobreva said little.",
    )
    .await;
    reextract_all(&pool).await;
    resolve_all(&pool).await;

    assert_eq!(edited.status, StatusCode::OK, "{:?}", edited.json());
    assert_eq!(retyped.status, StatusCode::OK, "{:?}", retyped.json());
    let person = get(&app, "/v1/entities/yana-dobreva").await.json();
    assert_eq!(person["name"], "Yana Dobreva-Petrova");
    assert_eq!(person["wikidata_id"], "Q4242");
    assert_eq!(person["article_count"], 2);
    let aliases = person["aliases"].as_array().unwrap();
    assert!(aliases.contains(&json!("Dobreva-Petrova")));
    assert!(
        !aliases.contains(&json!("Dobreva")),
        "a removed alias stays out: {aliases:?}"
    );
    assert_eq!(
        get(&app, "/v1/entities/bulgaria").await.json()["wikidata_id"],
        "Q999999",
        "re-extraction does not overwrite a curator's Wikidata id"
    );
    let place = get(&app, "/v1/entities/national-assembly").await.json();
    assert_eq!(place["type"], "place");
    assert_eq!(
        place["article_count"], 2,
        "the new article's assembly is the retyped one"
    );
    let organizations: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM entities WHERE kind = 'organization' AND name = 'National Assembly'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(organizations, 0);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_suppressed_name_leaves_every_read_and_is_not_created_again(pool: PgPool) {
    let app = curated_app(&pool).await;
    let article_id = get(&app, "/v1/articles?fields=id").await.json()["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let suppressed = post(
        &app,
        "/v1/suppressions",
        json!({"name": "European Commission", "type": "organization", "reason": "boilerplate"}),
    )
    .await;
    let surname = post(&app, "/v1/suppressions", json!({"name": "Dobreva"})).await;
    post_article(
        &app,
        "https://wire.example/brussels",
        "The European Commission praised Bulgaria. Dobreva welcomed it.",
    )
    .await;
    reextract_all(&pool).await;
    resolve_all(&pool).await;

    assert_eq!(suppressed.status, StatusCode::OK, "{:?}", suppressed.json());
    assert_eq!(surname.status, StatusCode::OK);
    assert_eq!(
        get(&app, "/v1/entities/european-commission").await.status,
        StatusCode::NOT_FOUND
    );
    let search = get(&app, "/v1/entities?q=european%20commission")
        .await
        .json();
    assert!(
        search["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["name"] != "European Commission"),
        "{search}"
    );
    let article = get(&app, &format!("/v1/articles/{article_id}"))
        .await
        .json();
    let texts: Vec<&str> = article["entities"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["mentions"].as_array().unwrap())
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert!(!texts.contains(&"European Commission"), "{texts:?}");
    assert!(!texts.contains(&"Dobreva"), "{texts:?}");
    assert!(
        texts.contains(&"Yana Dobreva"),
        "the full name stays: {texts:?}"
    );
    assert_eq!(slug_count(&pool, "european-commission").await, 0);
    let listed = get(&app, "/v1/suppressions").await.json();
    assert_eq!(listed["data"].as_array().unwrap().len(), 2);
    assert_eq!(listed["data"][0]["type"], "organization");
    assert_eq!(listed["data"][1]["type"], Value::Null);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn undo_puts_back_exactly_what_each_kind_of_change_replaced(pool: PgPool) {
    let app = curated_app(&pool).await;
    let before_mentions = mention_map(&pool).await;
    let before_entities = entity_rows(&pool).await;
    let changes = [
        post(&app, "/v1/entities/sofia/merge", json!({"entities": ["plovdiv"]})).await,
        post(&app, "/v1/entities/civic-reform-alliance/split", json!({"aliases": ["CRA"]})).await,
        write(
            &app,
            "PATCH",
            "/v1/entities/yana-dobreva",
            Some(json!({"name": "Y. Dobreva", "type": "organization", "remove_aliases": ["Dobreva"]})),
            &[],
        )
        .await,
        post(&app, "/v1/suppressions", json!({"name": "Petkanov"})).await,
    ];
    let numbers: Vec<i64> = changes
        .iter()
        .map(|c| {
            assert_eq!(c.status, StatusCode::OK, "{:?}", c.json());
            c.json()["change"]["id"].as_i64().unwrap()
        })
        .collect();
    assert_ne!(mention_map(&pool).await, before_mentions);

    for number in numbers.iter().rev() {
        let undone = write(
            &app,
            "POST",
            &format!("/v1/changes/{number}/undo"),
            None,
            &[],
        )
        .await;
        assert_eq!(undone.status, StatusCode::OK, "{:?}", undone.json());
        assert_eq!(undone.json()["change"]["undoes"], *number);
    }

    assert_eq!(mention_map(&pool).await, before_mentions);
    assert_eq!(entity_rows(&pool).await, before_entities);
    assert_eq!(
        get(&app, "/v1/entities/plovdiv").await.status,
        StatusCode::OK
    );
    let feed = get(&app, "/v1/changes").await.json();
    let undone_by: Vec<Value> = feed["data"].as_array().unwrap()[..4]
        .iter()
        .map(|c| c["undone_by"].clone())
        .collect();
    assert!(undone_by.iter().all(Value::is_i64), "{feed}");
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn undoing_a_merge_resolves_the_articles_stored_under_it_again(pool: PgPool) {
    let app = curated_app(&pool).await;
    let merged = post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;
    let number = merged.json()["change"]["id"].as_i64().unwrap();
    post_article(
        &app,
        "https://wire.example/later",
        "Farmers in Plovdiv protested again.",
    )
    .await;

    let undone = write(
        &app,
        "POST",
        &format!("/v1/changes/{number}/undo"),
        None,
        &[],
    )
    .await;

    assert_eq!(undone.status, StatusCode::OK, "{:?}", undone.json());
    let plovdiv = get(&app, "/v1/entities/plovdiv").await.json();
    assert_eq!(
        plovdiv["article_count"], 2,
        "the article stored under the merge is Plovdiv's"
    );
    assert_eq!(
        get(&app, "/v1/entities/sofia").await.json()["article_count"],
        1
    );
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn undo_is_refused_while_a_later_change_stands_and_after_it_was_undone(pool: PgPool) {
    let app = curated_app(&pool).await;
    let first = post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;
    let second = post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["bulgaria"]}),
    )
    .await;
    let (first, second) = (
        first.json()["change"]["id"].as_i64().unwrap(),
        second.json()["change"]["id"].as_i64().unwrap(),
    );

    let blocked = write(
        &app,
        "POST",
        &format!("/v1/changes/{first}/undo"),
        None,
        &[],
    )
    .await;
    let undo_second = write(
        &app,
        "POST",
        &format!("/v1/changes/{second}/undo"),
        None,
        &[],
    )
    .await;
    let again = write(
        &app,
        "POST",
        &format!("/v1/changes/{second}/undo"),
        None,
        &[],
    )
    .await;
    let undo_first = write(
        &app,
        "POST",
        &format!("/v1/changes/{first}/undo"),
        None,
        &[],
    )
    .await;
    let undo_of_undo = write(
        &app,
        "POST",
        &format!("/v1/changes/{}/undo", undo_first.json()["change"]["id"]),
        None,
        &[],
    )
    .await;
    let unknown = write(&app, "POST", "/v1/changes/999999/undo", None, &[]).await;

    assert_eq!(blocked.status, StatusCode::CONFLICT);
    assert_eq!(blocked.json()["code"], "later_change");
    assert_eq!(undo_second.status, StatusCode::OK);
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.json()["code"], "already_undone");
    assert_eq!(undo_first.status, StatusCode::OK, "{:?}", undo_first.json());
    assert_eq!(undo_of_undo.status, StatusCode::CONFLICT);
    assert_eq!(undo_of_undo.json()["code"], "undo_of_undo");
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn bad_curation_requests_are_problems_that_change_nothing(pool: PgPool) {
    let app = curated_app(&pool).await;
    post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;
    let before = mention_map(&pool).await;

    let cases = [
        (
            post(
                &app,
                "/v1/entities/sofia/merge",
                json!({"entities": ["sofia"]}),
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            post(
                &app,
                "/v1/entities/plovdiv/merge",
                json!({"entities": ["sofia"]}),
            )
            .await,
            409,
            "merged_entity",
        ),
        (
            post(
                &app,
                "/v1/entities/no-such-entity/merge",
                json!({"entities": ["sofia"]}),
            )
            .await,
            404,
            "not_found",
        ),
        (
            post(
                &app,
                "/v1/entities/sofia/merge",
                json!({"entities": ["no-such-entity"]}),
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            post(
                &app,
                "/v1/entities/sofia/merge",
                json!({"entities": ["radoslav-petkanov"]}),
            )
            .await,
            409,
            "type_conflict",
        ),
        (
            post(
                &app,
                "/v1/entities/sofia/merge",
                json!({"entities": "plovdiv"}),
            )
            .await,
            400,
            "invalid_body",
        ),
        (
            post(
                &app,
                "/v1/entities/sofia/merge",
                json!({"entities": ["x"], "colour": 1}),
            )
            .await,
            400,
            "invalid_body",
        ),
        (
            post(
                &app,
                "/v1/entities/radoslav-petkanov/split",
                json!({"aliases": ["Radoslav Petkanov", "Petkanov"]}),
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            post(
                &app,
                "/v1/entities/radoslav-petkanov/split",
                json!({"aliases": ["Sofia"]}),
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            post(&app, "/v1/entities/radoslav-petkanov/split", json!({})).await,
            422,
            "unprocessable",
        ),
        (
            write(
                &app,
                "PATCH",
                "/v1/entities/yana-dobreva",
                Some(json!({})),
                &[],
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            write(
                &app,
                "PATCH",
                "/v1/entities/yana-dobreva",
                Some(json!({"wikidata_id": "42"})),
                &[],
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            write(
                &app,
                "PATCH",
                "/v1/entities/yana-dobreva",
                Some(json!({"type": "planet"})),
                &[],
            )
            .await,
            400,
            "invalid_body",
        ),
        (
            post(&app, "/v1/suppressions", json!({"name": "  "})).await,
            422,
            "unprocessable",
        ),
        (
            post(
                &app,
                "/v1/suppressions",
                json!({"name": "Reuters", "reason": "a\u{0}b"}),
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            write(
                &app,
                "PATCH",
                "/v1/entities/yana-dobreva",
                Some(json!({"add_aliases": ["x\u{0}"]})),
                &[],
            )
            .await,
            422,
            "unprocessable",
        ),
        (
            write(&app, "POST", "/v1/changes/abc/undo", None, &[]).await,
            400,
            "invalid_parameter",
        ),
    ];
    let unauthorized = send(
        &app,
        Request::post("/v1/entities/sofia/merge")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json!({"entities": ["bulgaria"]}).to_string()))
            .unwrap(),
    )
    .await;

    for (i, (response, status, code)) in cases.iter().enumerate() {
        assert_eq!(
            response.status.as_u16(),
            *status,
            "case {i}: {:?}",
            response.json()
        );
        assert_eq!(
            response.headers[header::CONTENT_TYPE],
            "application/problem+json"
        );
        assert_eq!(response.json()["code"], *code, "case {i}");
    }
    assert_eq!(unauthorized.status, StatusCode::UNAUTHORIZED);
    assert_eq!(mention_map(&pool).await, before);
    let changes = get(&app, "/v1/changes").await.json();
    assert_eq!(
        changes["data"].as_array().unwrap().len(),
        1,
        "only the first merge"
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn if_match_with_an_outdated_etag_is_refused_with_412(pool: PgPool) {
    let app = curated_app(&pool).await;
    let seen = get(&app, "/v1/entities/yana-dobreva").await;
    let etag = seen.headers[header::ETAG].to_str().unwrap().to_owned();

    let first = write(
        &app,
        "PATCH",
        "/v1/entities/yana-dobreva",
        Some(json!({"add_aliases": ["Madam Dobreva"]})),
        &[("if-match", &etag)],
    )
    .await;
    let stale = write(
        &app,
        "PATCH",
        "/v1/entities/yana-dobreva",
        Some(json!({"add_aliases": ["PM Dobreva"]})),
        &[("if-match", &etag)],
    )
    .await;
    let fresh_tag = get(&app, "/v1/entities/yana-dobreva").await.headers[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();

    assert_eq!(first.status, StatusCode::OK, "{:?}", first.json());
    assert_eq!(first.headers[header::ETAG].to_str().unwrap(), fresh_tag);
    assert_eq!(stale.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(stale.json()["code"], "precondition_failed");
    let aliases = get(&app, "/v1/entities/yana-dobreva").await.json()["aliases"].clone();
    assert!(!aliases.as_array().unwrap().contains(&json!("PM Dobreva")));
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn two_concurrent_merges_of_the_same_entities_leave_exactly_one(pool: PgPool) {
    let app = curated_app(&pool).await;

    let (a, b) = tokio::join!(
        post(
            &app,
            "/v1/entities/sofia/merge",
            json!({"entities": ["plovdiv"]})
        ),
        post(
            &app,
            "/v1/entities/plovdiv/merge",
            json!({"entities": ["sofia"]})
        ),
    );

    let mut statuses = [a.status.as_u16(), b.status.as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [200, 409], "{:?} {:?}", a.json(), b.json());
    let survivors = slug_count(&pool, "sofia").await + slug_count(&pool, "plovdiv").await;
    assert_eq!(survivors, 1);
    let changes = get(&app, "/v1/changes").await.json();
    assert_eq!(changes["data"].as_array().unwrap().len(), 1);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_change_feed_pages_from_since_and_a_merged_entitys_history_redirects(pool: PgPool) {
    let app = curated_app(&pool).await;
    for name in ["alpha", "beta", "gamma"] {
        post(&app, "/v1/suppressions", json!({"name": name})).await;
    }
    post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;

    let first = get(&app, "/v1/changes?limit=2").await;
    let cursor = first.json()["next_cursor"].as_str().unwrap().to_owned();
    let second = get(&app, &format!("/v1/changes?limit=2&cursor={cursor}"))
        .await
        .json();
    let since = get(&app, "/v1/changes?since=3").await.json();
    let by_date = get(&app, "/v1/changes?since=2000-01-01").await.json();
    let csv = get(&app, "/v1/changes?format=csv").await;
    let history = get(&app, "/v1/entities/plovdiv/history").await;
    let bad = get(&app, "/v1/changes?since=yesterday").await;

    let ids = |page: &Value| -> Vec<i64> {
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(ids(&first.json()), [1, 2]);
    assert!(
        first.headers[header::LINK]
            .to_str()
            .unwrap()
            .contains("rel=\"next\"")
    );
    assert_eq!(ids(&second), [3, 4]);
    assert_eq!(ids(&since), [4]);
    assert_eq!(ids(&by_date), [1, 2, 3, 4]);
    assert!(String::from_utf8_lossy(&csv.body).starts_with("id,operation,"));
    assert_eq!(history.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        history.headers[header::LOCATION],
        "/v1/entities/sofia/history"
    );
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.json()["errors"][0]["param"], "since");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn another_serve_sees_a_change_within_its_directory_refresh(pool: PgPool) {
    let writer = curated_app(&pool).await;
    let reader = app(pool.clone());
    assert_eq!(
        get(&reader, "/v1/entities/plovdiv").await.status,
        StatusCode::OK
    );

    post(
        &writer,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;

    let started = std::time::Instant::now();
    loop {
        let status = get(&reader, "/v1/entities/plovdiv").await.status;
        if status == StatusCode::MOVED_PERMANENTLY {
            break;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the other process still answers {status} for the merged entity"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_command_line_applies_a_file_whole_or_reports_its_bad_row(pool: PgPool) {
    let app = curated_app(&pool).await;
    let database = pool.connect_options().get_database().unwrap().to_owned();
    let url = crate::process::server_url_with_database(&database);
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("curation.csv");
    std::fs::write(
        &good,
        "# the desk's corrections\n\
         operation,entity,into,name,type,aliases,reason\n\
         merge,plovdiv,sofia,,,,one city\n\
         suppress,,,European Commission,organization,,boilerplate\n\
         split,civic-reform-alliance,,Croatian Rowing Association,,CRA,\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "operation,entity,into\nmerge,radoslav-petkanov,yana-dobreva\nmerge,sofia,sofia\n",
    )
    .unwrap();
    let run = |file: &std::path::Path, extra: &[&str]| {
        let output = crate::helpers::newsgraph()
            .env("DATABASE_URL", &url)
            .env("NEWSGRAPH_ACTOR", "ci")
            .args(["entity", "apply"])
            .arg(file)
            .args(extra)
            .output()
            .expect("newsgraph runs");
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };

    let refused = run(&bad, &[]);
    let dry = run(&good, &["--dry-run"]);
    let after_dry = get(&app, "/v1/changes").await.json();
    let applied = run(&good, &[]);
    let again = run(&good, &[]);

    assert_eq!(refused.0, Some(2), "{refused:?}");
    assert!(
        refused.2.contains("bad.csv:3:"),
        "the bad row's line: {}",
        refused.2
    );
    assert_eq!(dry.0, Some(0), "{dry:?}");
    assert_eq!(
        after_dry["data"].as_array().unwrap().len(),
        0,
        "a dry run changes nothing"
    );
    assert_eq!(applied.0, Some(0), "{applied:?}");
    assert!(
        applied.1.contains("curation.csv:3: merge: change "),
        "{}",
        applied.1
    );
    assert!(
        again.1.contains("curation.csv:3: merge: nothing to change"),
        "{}",
        again.1
    );
    assert!(
        again.1.contains("curation.csv:5: split: nothing to change"),
        "{}",
        again.1
    );
    let changes = get(&app, "/v1/changes").await.json();
    let data = changes["data"].as_array().unwrap();
    assert_eq!(data.len(), 3, "applying the file again added nothing");
    assert_eq!(data[0]["actor"], "ci");
    assert_eq!(
        get(&app, "/v1/entities/plovdiv").await.status,
        StatusCode::MOVED_PERMANENTLY
    );
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_merged_names_knowledge_base_data_never_lands_on_the_survivor(pool: PgPool) {
    let app = curated_app(&pool).await;
    let before = get(&app, "/v1/entities/sofia").await.json();
    let plovdiv = get(&app, "/v1/entities/plovdiv").await.json();
    assert_ne!(
        before["coordinates"], plovdiv["coordinates"],
        "two known cities"
    );
    post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;

    post_article(
        &app,
        "https://wire.example/plovdiv",
        "Farmers marched through Plovdiv.",
    )
    .await;

    let after = get(&app, "/v1/entities/sofia").await.json();
    assert_eq!(after["coordinates"], before["coordinates"]);
    assert_eq!(after["geonames_id"], before["geonames_id"]);
    assert_eq!(after["article_count"], 2);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn undoing_a_split_after_imports_leaves_no_empty_entity_behind(pool: PgPool) {
    let app = curated_app(&pool).await;
    let split = post(
        &app,
        "/v1/entities/civic-reform-alliance/split",
        json!({"aliases": ["CRA"], "name": "Croatian Rowing Association"}),
    )
    .await;
    let number = split.json()["change"]["id"].as_i64().unwrap();
    let slug = split.json()["entity"]["slug"].as_str().unwrap().to_owned();
    post_article(
        &app,
        "https://wire.example/cra",
        "The Civic Reform Alliance (CRA) met. The CRA wants elections.",
    )
    .await;

    let undone = write(
        &app,
        "POST",
        &format!("/v1/changes/{number}/undo"),
        None,
        &[],
    )
    .await;

    assert_eq!(undone.status, StatusCode::OK, "{:?}", undone.json());
    let gone = get(&app, &format!("/v1/entities/{slug}")).await;
    assert_eq!(
        gone.status,
        StatusCode::MOVED_PERMANENTLY,
        "retired into the split entity"
    );
    let cra = get(&app, "/v1/entities/civic-reform-alliance").await.json();
    assert_eq!(cra["article_count"], 2);
    assert!(cra["aliases"].as_array().unwrap().contains(&json!("CRA")));
    let again = post(
        &app,
        "/v1/entities/civic-reform-alliance/split",
        json!({"aliases": ["CRA"], "name": "Croatian Rowing Association"}),
    )
    .await;
    assert_eq!(
        again.status,
        StatusCode::OK,
        "the split can be made again: {:?}",
        again.json()
    );
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn undoing_a_suppression_brings_back_entities_redirects_and_later_mentions(pool: PgPool) {
    let app = curated_app(&pool).await;
    post(
        &app,
        "/v1/entities/european-commission/merge",
        json!({"entities": ["national-assembly"]}),
    )
    .await;
    let suppressed = post(
        &app,
        "/v1/suppressions",
        json!({"name": "European Commission"}),
    )
    .await;
    let number = suppressed.json()["change"]["id"].as_i64().unwrap();
    assert_eq!(
        get(&app, "/v1/entities/national-assembly").await.status,
        StatusCode::NOT_FOUND
    );
    post_article(
        &app,
        "https://wire.example/commission",
        "The European Commission praised the budget in Brussels.",
    )
    .await;

    let undone = write(
        &app,
        "POST",
        &format!("/v1/changes/{number}/undo"),
        None,
        &[],
    )
    .await;

    assert_eq!(undone.status, StatusCode::OK, "{:?}", undone.json());
    let commission = get(&app, "/v1/entities/european-commission").await.json();
    assert_eq!(
        commission["article_count"], 2,
        "the article stored while suppressed counts again"
    );
    let redirect = get(&app, "/v1/entities/national-assembly").await;
    assert_eq!(
        redirect.status,
        StatusCode::MOVED_PERMANENTLY,
        "the merge's redirect is back"
    );
    assert_eq!(
        redirect.headers[header::LOCATION],
        "/v1/entities/european-commission"
    );
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn if_match_star_matches_any_version_and_a_weak_or_unreadable_tag_matches_none(pool: PgPool) {
    let app = curated_app(&pool).await;
    let etag = get(&app, "/v1/entities/sofia").await.headers[header::ETAG]
        .to_str()
        .unwrap()
        .to_owned();
    let weak = format!("W/{etag}");

    let star = write(
        &app,
        "POST",
        "/v1/entities/sofia/merge",
        Some(json!({"entities": ["plovdiv"]})),
        &[("if-match", "*")],
    )
    .await;
    let weak_answer = write(
        &app,
        "PATCH",
        "/v1/entities/sofia",
        Some(json!({"add_aliases": ["Serdica"]})),
        &[("if-match", &weak)],
    )
    .await;
    let request = Request::builder()
        .method("PATCH")
        .uri("/v1/entities/sofia")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::IF_MATCH,
            axum::http::HeaderValue::from_bytes(b"\"\xe9t\xe9\"").unwrap(),
        )
        .body(Body::from(json!({"add_aliases": ["Serdica"]}).to_string()))
        .unwrap();
    let unreadable = send(&app, request).await;

    assert_eq!(star.status, StatusCode::OK, "{:?}", star.json());
    assert_eq!(weak_answer.status, StatusCode::PRECONDITION_FAILED);
    assert_eq!(unreadable.status, StatusCode::PRECONDITION_FAILED);
    let aliases = get(&app, "/v1/entities/sofia").await.json()["aliases"].clone();
    assert!(!aliases.as_array().unwrap().contains(&json!("Serdica")));
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_undo_does_not_deadlock_with_an_import_holding_one_of_its_articles(pool: PgPool) {
    // The ingest lock's key (db::mentions::lock_for_ingest).
    const INGEST_LOCK: i64 = 0x6e65_7773_6772_6170;
    let app = curated_app(&pool).await;
    let merged = post(
        &app,
        "/v1/entities/sofia/merge",
        json!({"entities": ["plovdiv"]}),
    )
    .await;
    let number = merged.json()["change"]["id"].as_i64().unwrap();
    post_article(
        &app,
        "https://wire.example/held",
        "Farmers in Plovdiv protested again.",
    )
    .await;
    // An import's transaction: it has written its article row and will take the ingest lock.
    let mut import = pool.begin().await.unwrap();
    sqlx::query(
        "SELECT id FROM articles WHERE url = 'https://wire.example/held' FOR NO KEY UPDATE",
    )
    .execute(&mut *import)
    .await
    .unwrap();

    let undo = tokio::spawn({
        let app = app.clone();
        async move {
            write(
                &app,
                "POST",
                &format!("/v1/changes/{number}/undo"),
                None,
                &[],
            )
            .await
        }
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let locked = sqlx::query("SELECT pg_advisory_xact_lock($1)")
        .bind(INGEST_LOCK)
        .execute(&mut *import)
        .await;
    import.rollback().await.unwrap();
    let undone = undo.await.unwrap();

    assert!(locked.is_ok(), "the import got the ingest lock: {locked:?}");
    assert_eq!(undone.status, StatusCode::OK, "{:?}", undone.json());
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_split_of_single_mentions_moves_those_only_and_holds_through_reextraction(pool: PgPool) {
    let app = curated_app(&pool).await;
    post_article(
        &app,
        "https://wire.example/petkanov",
        "Finance Minister Radoslav Petkanov spoke. Petkanov said little.",
    )
    .await;
    let (article_id, start): (uuid::Uuid, i32) = sqlx::query_as(
        "SELECT m.article_id, m.start_offset FROM mentions m JOIN articles a ON a.id = m.article_id
         WHERE a.url = 'https://wire.example/budget' AND m.field = 'body' AND m.surface = 'Petkanov'
         ORDER BY m.start_offset LIMIT 1",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    let before = get(&app, "/v1/entities/radoslav-petkanov").await.json();

    let split = post(
        &app,
        "/v1/entities/radoslav-petkanov/split",
        json!({
            "mentions": [{"article_id": article_id, "field": "body", "start": start}],
            "name": "Ivan Petkanov",
        }),
    )
    .await;
    reextract_all(&pool).await;
    resolve_all(&pool).await;

    assert_eq!(split.status, StatusCode::OK, "{:?}", split.json());
    let slug = split.json()["entity"]["slug"].as_str().unwrap().to_owned();
    let ivan = get(&app, &format!("/v1/entities/{slug}")).await.json();
    assert_eq!(
        ivan["mention_count"], 1,
        "exactly the chosen mention: {ivan}"
    );
    let moved: (String,) = sqlx::query_as(
        "SELECT e.slug FROM mentions m JOIN entities e ON e.id = m.entity_id
         WHERE m.article_id = $1 AND m.field = 'body' AND m.start_offset = $2",
    )
    .bind(article_id)
    .bind(start)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        moved.0, slug,
        "the chosen mention stays split after re-extraction"
    );
    let radoslav = get(&app, "/v1/entities/radoslav-petkanov").await.json();
    assert_eq!(
        radoslav["mention_count"].as_i64().unwrap(),
        before["mention_count"].as_i64().unwrap() - 1,
        "only the chosen mention went"
    );
    let unknown = post(
        &app,
        "/v1/entities/radoslav-petkanov/split",
        json!({"mentions": [{"article_id": article_id, "field": "title", "start": 9999}]}),
    )
    .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(unknown.json()["errors"][0]["pointer"], "/mentions");
    assert_counts_consistent(&pool).await;
}
