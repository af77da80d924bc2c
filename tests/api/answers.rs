//! Dashboard answers: timelines and facets of any article filter agree with the list's
//! count and with each other whether the in-memory snapshot or the database answers; time
//! zones, spikes, maps and networks.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use newsgraph::http::HttpConfig;
use serde_json::{Value, json};
use sqlx::PgPool;

use crate::helpers::{TOKEN, TestResponse, app, app_with, get, load_sample_and_fixture, send};

/// An app whose answers always come from the database.
fn database_app(pool: &PgPool) -> axum::Router {
    app_with(
        pool.clone(),
        HttpConfig {
            text_index: false,
            ..HttpConfig::default()
        },
    )
}

/// An app whose in-memory snapshot is built and current.
async fn memory_app(pool: &PgPool) -> axum::Router {
    memory_app_with(pool, HttpConfig::default()).await
}

/// An app with `config` whose in-memory snapshot is built and current.
async fn memory_app_with(pool: &PgPool, config: HttpConfig) -> axum::Router {
    let app = app_with(pool.clone(), config);
    let started = Instant::now();
    loop {
        let response = get(&app, "/v1/articles/facets").await;
        if answered_from(&response) == "memory" {
            return app;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the snapshot is never built"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn answered_from(response: &TestResponse) -> &str {
    response
        .headers
        .get("x-answered-from")
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default()
}

/// Posts articles; panics unless they are stored.
async fn post_articles(app: &axum::Router, articles: Value) {
    let request = Request::post("/v1/articles")
        .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(articles.to_string()))
        .expect("a request");
    let response = send(app, request).await;
    assert!(response.status.is_success(), "{:?}", response.json());
}

/// Article filters drawn from the loaded data by a fixed pseudo-random sequence.
async fn random_filters(pool: &PgPool, how_many: usize) -> Vec<String> {
    let slugs: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC, slug LIMIT 15",
    )
    .fetch_all(pool)
    .await
    .expect("entities");
    let words = [
        "said",
        "government",
        "city",
        "president",
        "police",
        "water",
        "space",
    ];
    let types = ["person", "place", "organization"];
    let sources = ["en.wikinews.org", "news.example.org"];
    let dates = ["2008-01-01", "2012-06-01", "2015-01-01", "2020-01-01"];
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    (0..how_many)
        .map(|_| {
            let mut parts = Vec::new();
            for _ in 0..next(3) {
                parts.push(format!("entity={}", slugs[next(slugs.len())]));
            }
            if next(2) == 0 {
                parts.push(format!("q={}", words[next(words.len())]));
            }
            if next(3) == 0 {
                parts.push(format!("type={}", types[next(types.len())]));
            }
            if next(4) == 0 {
                parts.push(format!("source={}", sources[next(sources.len())]));
            }
            if next(3) == 0 {
                let from = next(dates.len() - 1);
                parts.push(format!("from={}", dates[from]));
                if next(2) == 0 {
                    parts.push(format!("to={}", dates[from + 1]));
                }
            }
            parts.sort();
            parts.dedup();
            parts.join("&")
        })
        .collect()
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn timelines_and_facets_of_random_filters_sum_to_the_list_count_from_memory_and_from_the_database(
    pool: PgPool,
) {
    load_sample_and_fixture(&pool).await;
    // An undated article: counted by the list and as `undated`, on no bucket.
    post_articles(
        &app(pool.clone()),
        json!({"url": "https://undated.example/1", "title": "Talks in Geneva",
               "body": "Diplomats from Canada and Italy met in Geneva, the United Nations said."}),
    )
    .await;
    let memory = memory_app(&pool).await;
    let database = database_app(&pool);
    let filters = random_filters(&pool, 40).await;
    let mut nonzero = 0;

    for filter in &filters {
        let listed = get(
            &database,
            &format!("/v1/articles?{filter}&count=true&limit=1"),
        )
        .await;
        let count = listed.json()["count"].as_i64().expect("a count");
        let mut answers = Vec::new();
        for (app, from) in [(&memory, "memory"), (&database, "database")] {
            let timeline = get(
                app,
                &format!("/v1/articles/timeline?{filter}&interval=month"),
            )
            .await;
            let facets = get(app, &format!("/v1/articles/facets?{filter}&limit=5")).await;
            assert_eq!(
                timeline.status,
                StatusCode::OK,
                "{filter}: {:?}",
                timeline.json()
            );
            assert_eq!(answered_from(&timeline), from, "{filter}");
            assert_eq!(answered_from(&facets), from, "{filter}");
            let timeline = timeline.json();
            let buckets: i64 = timeline["data"]
                .as_array()
                .expect("buckets")
                .iter()
                .map(|bucket| bucket["count"].as_i64().expect("a count"))
                .sum();
            let undated = timeline["undated"].as_i64().expect("undated");

            assert_eq!(
                buckets + undated,
                count,
                "{filter} ({from}): timeline vs count=true"
            );
            assert_eq!(
                facets.json()["count"].as_i64(),
                Some(count),
                "{filter} ({from})"
            );
            answers.push((timeline, facets.json()));
        }
        assert_eq!(
            answers[0], answers[1],
            "{filter}: memory and database disagree"
        );
        nonzero += usize::from(count > 0);
    }

    assert!(
        nonzero >= 10,
        "only {nonzero} of the filters match anything"
    );
}

/// The value of an unlabelled metric.
async fn metric(app: &axum::Router, name: &str) -> f64 {
    let text = String::from_utf8(get(app, "/metrics").await.body).expect("utf-8 metrics");
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
        .unwrap_or_else(|| panic!("no {name} in /metrics"))
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn rolled_up_timelines_and_facets_of_one_entity_or_word_equal_those_counted_from_the_matches(
    pool: PgPool,
) {
    load_sample_and_fixture(&pool).await;
    post_articles(
        &app(pool.clone()),
        json!({"url": "https://undated.example/2", "title": "Talks in Geneva",
               "body": "Diplomats from Canada and Italy met in Geneva, the United Nations said."}),
    )
    .await;
    let rolled = memory_app_with(
        &pool,
        HttpConfig {
            rollup_min_articles: 0,
            ..HttpConfig::default()
        },
    )
    .await;
    let counted = memory_app_with(
        &pool,
        HttpConfig {
            rollup_min_articles: usize::MAX,
            ..HttpConfig::default()
        },
    )
    .await;
    let slugs: Vec<String> = sqlx::query_scalar(
        "SELECT slug FROM entities WHERE article_count > 0 ORDER BY article_count DESC, slug LIMIT 12",
    )
    .fetch_all(&pool)
    .await
    .expect("entities");
    let mut filters: Vec<String> = slugs.iter().map(|slug| format!("entity={slug}")).collect();
    filters.extend(["said", "government", "geneva", "police"].map(|word| format!("q={word}")));
    let shapes = [
        "/v1/articles/timeline?{}&interval=week",
        "/v1/articles/timeline?{}&interval=month",
        "/v1/articles/timeline?{}",
        "/v1/articles/timeline?{}&interval=week&tz=Europe/Belgrade",
        "/v1/articles/timeline?{}&interval=week&tz=%2B00:00",
        "/v1/articles/timeline?{}&interval=month&tz=%2B05:30",
        "/v1/articles/facets?{}&limit=3",
        "/v1/articles/facets?{}&limit=100&format=csv",
    ];

    for filter in &filters {
        for shape in shapes {
            let uri = shape.replace("{}", filter);
            let from_rollup = get(&rolled, &uri).await;
            let from_matches = get(&counted, &uri).await;

            assert_eq!(from_rollup.status, StatusCode::OK, "{uri}");
            assert_eq!(answered_from(&from_rollup), "memory", "{uri}");
            assert_eq!(answered_from(&from_matches), "memory", "{uri}");
            assert!(
                from_rollup.body == from_matches.body,
                "{uri}: the rollup and the count disagree"
            );
        }
    }
    let ids = slugs[..4]
        .iter()
        .map(|slug| format!("id={slug}"))
        .collect::<Vec<_>>()
        .join("&");
    let uri = format!("/v1/entities/timeline?{ids}&interval=week");
    assert_eq!(
        get(&rolled, &uri).await.json(),
        get(&counted, &uri).await.json(),
        "{uri}"
    );

    let kept = metric(&rolled, "newsgraph_answer_rollups").await;
    assert!(
        kept >= (2 * filters.len()) as f64,
        "{kept} rollups kept for {} filters: the rolled-up app counted instead",
        filters.len()
    );
    assert_eq!(metric(&counted, "newsgraph_answer_rollups").await, 0.0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn facets_count_the_matching_articles_that_name_each_entity_source_and_type(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let app = memory_app(&pool).await;

    let facets = get(&app, "/v1/articles/facets?entity=united-states&limit=3")
        .await
        .json();

    let places = facets["entities"]["place"].as_array().expect("places");
    assert_eq!(places[0]["slug"], "united-states");
    for place in places {
        let slug = place["slug"].as_str().expect("a slug");
        let filter = if slug == "united-states" {
            "entity=united-states".to_owned()
        } else {
            format!("entity=united-states&entity={slug}")
        };
        let both = get(&app, &format!("/v1/articles?{filter}&count=true&limit=1"))
            .await
            .json();
        assert_eq!(place["count"], both["count"], "{slug}");
    }
    let people = get(
        &app,
        "/v1/articles?entity=united-states&type=person&count=true&limit=1",
    )
    .await
    .json();
    assert_eq!(
        facets["types"][0],
        json!({"type": "person", "count": people["count"]})
    );
    assert_eq!(facets["sources"][0]["domain"], "en.wikinews.org");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_time_zone_moves_an_article_to_its_local_day_across_a_daylight_saving_change(
    pool: PgPool,
) {
    let app = app(pool.clone());
    // 23:30 UTC on 30 March 2024 is 00:30 on 31 March in Belgrade (UTC+1, and UTC+2 from
    // 02:00 that day).
    post_articles(
        &app,
        json!({"url": "https://tz.example/1", "title": "Night session",
               "published_at": "2024-03-30T23:30:00Z",
               "body": "Lawmakers in Belgrade voted late at night, Serbia's parliament said."}),
    )
    .await;

    let utc = get(
        &app,
        "/v1/articles/timeline?q=lawmakers&from=2024-03-29&to=2024-04-02",
    )
    .await;
    let local = get(
        &app,
        "/v1/articles/timeline?q=lawmakers&from=2024-03-29&to=2024-04-02&tz=Europe/Belgrade",
    )
    .await;
    let offset = get(
        &app,
        "/v1/articles/timeline?q=lawmakers&from=2024-03-29&to=2024-04-02&tz=%2B05:30",
    )
    .await;
    let unknown = get(
        &app,
        "/v1/articles/timeline?tz=Nowhere/Else&from=2024-03-01&to=2024-04-01",
    )
    .await;

    let day = |timeline: &Value| -> Vec<(String, String)> {
        timeline["data"]
            .as_array()
            .expect("buckets")
            .iter()
            .filter(|bucket| bucket["count"] == 1)
            .map(|bucket| {
                (
                    bucket["date"].as_str().expect("a date").to_owned(),
                    bucket["start"].as_str().expect("a start").to_owned(),
                )
            })
            .collect()
    };
    assert_eq!(
        day(&utc.json()),
        [("2024-03-30".into(), "2024-03-30T00:00:00Z".into())]
    );
    assert_eq!(
        day(&local.json()),
        [("2024-03-31".into(), "2024-03-30T23:00:00Z".into())]
    );
    // 05:00 on 31 March at UTC+05:30, a day that began at 18:30 UTC the day before.
    assert_eq!(
        day(&offset.json()),
        [("2024-03-31".into(), "2024-03-30T18:30:00Z".into())]
    );
    // The next local midnight comes 23 hours later: the day that lost an hour.
    let local = local.json();
    let starts: Vec<&str> = local["data"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|bucket| bucket["start"].as_str().expect("a start"))
        .collect();
    assert_eq!(
        starts,
        [
            "2024-03-28T23:00:00Z",
            "2024-03-29T23:00:00Z",
            "2024-03-30T23:00:00Z",
            "2024-03-31T22:00:00Z",
            "2024-04-01T22:00:00Z"
        ]
    );
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);
    assert_eq!(unknown.json()["errors"][0]["param"], "tz");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_comparison_flags_the_day_an_entity_jumps_above_its_trailing_baseline(pool: PgPool) {
    let app = app(pool.clone());
    let mut articles = Vec::new();
    for day in 1..=8 {
        let copies = if day == 8 { 6 } else { 1 };
        for copy in 0..copies {
            articles.push(json!({
                "url": format!("https://spike.example/{day}/{copy}"),
                "title": format!("Report {day}-{copy}"),
                "published_at": format!("2024-05-{day:02}T12:00:00Z"),
                "body": "Fishermen in Iceland reported a large catch, officials in Norway said.",
            }));
        }
    }
    post_articles(&app, Value::Array(articles)).await;

    let compared = get(
        &app,
        "/v1/entities/timeline?id=iceland&id=norway&from=2024-05-01&to=2024-05-09&window=7",
    )
    .await;
    let too_many = get(
        &app,
        &format!(
            "/v1/entities/timeline?{}",
            (0..11)
                .map(|i| format!("id=e{i}"))
                .collect::<Vec<_>>()
                .join("&")
        ),
    )
    .await;

    assert_eq!(compared.status, StatusCode::OK, "{:?}", compared.json());
    let body = compared.json();
    let series = body["series"].as_array().expect("series");
    assert_eq!(series.len(), 2);
    assert_eq!(series[0]["entity"]["slug"], "iceland");
    assert_eq!(series[1]["entity"]["slug"], "norway");
    let iceland = series[0]["data"].as_array().expect("buckets");
    let counts: Vec<i64> = iceland
        .iter()
        .map(|b| b["count"].as_i64().expect("count"))
        .collect();
    assert_eq!(counts, [1, 1, 1, 1, 1, 1, 1, 6]);
    assert!(
        iceland[..7]
            .iter()
            .all(|b| b["spike"] == false && b["score"].is_null())
    );
    assert_eq!(iceland[7]["spike"], true);
    assert_eq!(iceland[7]["score"], 5.0);
    assert_eq!(iceland[7]["total"], 6);
    assert_eq!(too_many.status, StatusCode::BAD_REQUEST);
    // From the 5th, the month's total counts from the 5th too: 9 articles, all naming Iceland.
    let cut = get(
        &app,
        "/v1/articles/timeline?entity=iceland&from=2024-05-05&to=2024-06-01&interval=month",
    )
    .await
    .json();
    assert_eq!(cut["data"][0]["count"], 9);
    assert_eq!(cut["data"][0]["total"], 9);
    assert_eq!(cut["data"][0]["ratio"], 1.0);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn places_of_a_filter_are_geojson_points_with_counts_within_the_bbox(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let app = memory_app(&pool).await;

    let world = get(&app, "/v1/articles/places?limit=1000").await;
    // West, south, east, north: the contiguous United States and a little around it.
    let america = get(&app, "/v1/articles/places?bbox=-125,24,-66,50&limit=1000").await;
    let feature = get(&app, "/v1/entities/new-york-city?format=geojson").await;
    let person = get(&app, "/v1/entities/barack-obama?format=geojson").await;

    assert_eq!(world.headers[header::CONTENT_TYPE], "application/geo+json");
    let world = world.json();
    assert_eq!(world["type"], "FeatureCollection");
    let america = america.json();
    let inside = america["features"].as_array().expect("features");
    assert!(!inside.is_empty());
    for place in inside {
        let [lon, lat] = [
            &place["geometry"]["coordinates"][0],
            &place["geometry"]["coordinates"][1],
        ]
        .map(|c| c.as_f64().expect("a coordinate"));
        assert!(
            (-125.0..=-66.0).contains(&lon) && (24.0..=50.0).contains(&lat),
            "{place}"
        );
    }
    let all = world["features"].as_array().expect("features");
    assert!(all.len() > inside.len());
    let nyc = all
        .iter()
        .find(|f| f["properties"]["slug"] == "new-york-city")
        .expect("New York City is on the map");
    let articles = get(&app, "/v1/articles?entity=new-york-city&count=true&limit=1")
        .await
        .json();
    assert_eq!(nyc["properties"]["count"], articles["count"]);
    let feature = feature.json();
    assert_eq!(feature["type"], "Feature");
    assert_eq!(
        feature["geometry"]["coordinates"],
        nyc["geometry"]["coordinates"]
    );
    assert_eq!(feature["properties"]["slug"], "new-york-city");
    assert_eq!(person.status, StatusCode::OK);
    let person = person.json();
    assert_eq!(person["type"], "Feature");
    assert_eq!(person["properties"]["slug"], "barack-obama");
    assert!(person["geometry"].is_null());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_network_weighs_each_pair_by_the_articles_naming_both_in_json_gexf_and_graphml(
    pool: PgPool,
) {
    load_sample_and_fixture(&pool).await;
    let app = memory_app(&pool).await;

    let graph = get(&app, "/v1/articles/network?nodes=8").await.json();
    let gexf = get(&app, "/v1/articles/network?nodes=8&format=gexf").await;
    let graphml = get(&app, "/v1/articles/network?nodes=8&format=graphml").await;

    let nodes = graph["nodes"].as_array().expect("nodes");
    let edges = graph["edges"].as_array().expect("edges");
    assert_eq!(nodes.len(), 8);
    assert!(!edges.is_empty());
    let slug = |id: &Value| {
        nodes
            .iter()
            .find(|node| node["id"] == *id)
            .and_then(|node| node["slug"].as_str())
            .expect("an edge joins two nodes")
            .to_owned()
    };
    for edge in edges.iter().take(5) {
        let both = get(
            &app,
            &format!(
                "/v1/articles?entity={}&entity={}&count=true&limit=1",
                slug(&edge["source"]),
                slug(&edge["target"])
            ),
        )
        .await
        .json();
        assert_eq!(edge["weight"], both["count"], "{edge}");
    }
    assert_eq!(gexf.headers[header::CONTENT_TYPE], "application/gexf+xml");
    let gexf = String::from_utf8(gexf.body).expect("UTF-8");
    assert_well_formed(&gexf);
    assert_eq!(gexf.matches("<node ").count(), 8);
    assert_eq!(gexf.matches("<edge ").count(), edges.len());
    assert!(gexf.contains("<spell start=\""), "time slices");
    let graphml = String::from_utf8(graphml.body).expect("UTF-8");
    assert_well_formed(&graphml);
    assert_eq!(graphml.matches("<edge ").count(), edges.len());
}

fn assert_well_formed(xml: &str) {
    let mut reader = quick_xml::Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(error) => panic!("not well-formed XML: {error}\n{xml}"),
        }
    }
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn updated_since_lists_only_the_articles_stored_from_then_on(pool: PgPool) {
    load_sample_and_fixture(&pool).await;
    let app = app(pool.clone());
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    post_articles(
        &app,
        json!({"url": "https://late.example/1", "title": "Late news",
               "body": "Farmers in Plovdiv protested on Friday."}),
    )
    .await;

    let listed = get(
        &app,
        &format!(
            "/v1/articles?updated_since={}&count=true",
            since.replace('+', "%2B")
        ),
    )
    .await
    .json();
    let everything = get(
        &app,
        "/v1/articles?updated_since=2000-01-01&count=true&limit=1",
    )
    .await;

    assert_eq!(listed["count"], 1);
    assert_eq!(listed["data"][0]["url"], "https://late.example/1");
    assert_eq!(everything.json()["count"], 45);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn utc_buckets_computed_by_the_server_match_those_the_database_computes_for_etc_utc(
    pool: PgPool,
) {
    load_sample_and_fixture(&pool).await;
    let app = app(pool.clone());

    for query in [
        "interval=day&from=2012-02-27&to=2012-03-05",
        "interval=week",
        "interval=month",
        "interval=week&from=2015-01-01T13:00:00Z&to=2015-03-01T00:00:00.5Z",
    ] {
        let server = get(&app, &format!("/v1/articles/timeline?{query}"))
            .await
            .json();
        let database = get(&app, &format!("/v1/articles/timeline?{query}&tz=Etc/UTC"))
            .await
            .json();

        assert_eq!(server["data"], database["data"], "{query}");
        assert!(!server["data"].as_array().expect("buckets").is_empty());
    }
}
