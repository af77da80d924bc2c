//! One entity per real-world thing across articles: known places under their other names,
//! companies without their legal forms, partial names linked by the company they keep (and
//! not without it), publishers left out of their own articles, Wikidata ids, and
//! `resolve` bringing stored data up to date with redirects for what it retires.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use axum::http::StatusCode;
use newsgraph::ingest::{self, ImportOptions, formats};
use sqlx::PgPool;
use tempfile::TempDir;

use crate::helpers::{app, assert_counts_consistent, extractor, get};

/// Imports articles (url, title, body) in one batch.
async fn import(pool: &PgPool, articles: &[(&str, &str, &str)]) {
    let dir = TempDir::new().expect("tempdir");
    let lines: Vec<String> = articles
        .iter()
        .map(|(url, title, body)| {
            serde_json::json!({
                "url": url, "title": title, "body": body,
                "published_at": "2024-03-01T10:00:00Z",
            })
            .to_string()
        })
        .collect();
    let path: PathBuf = dir.path().join("articles.jsonl");
    std::fs::write(&path, lines.join("\n")).expect("write");
    let options = ImportOptions {
        batch_size: 500,
        jobs: 2,
    };
    let report = ingest::import(
        pool,
        extractor(),
        formats::expand(&[path]),
        &options,
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("the import runs");
    assert_eq!(report.failed, 0, "{report:?}");
}

/// (kind, name, articles) of every entity some article names, by name.
async fn entities(pool: &PgPool) -> Vec<(String, String, i32)> {
    sqlx::query_as(
        "SELECT kind, name, article_count FROM entities WHERE article_count > 0 ORDER BY name, kind",
    )
    .fetch_all(pool)
    .await
    .expect("entities")
}

/// The name of the entity a mention with this surface text belongs to, in every article.
async fn entity_of_surface(pool: &PgPool, surface: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT DISTINCT e.name FROM mentions m JOIN entities e ON e.id = m.entity_id
         WHERE m.surface = $1 ORDER BY 1",
    )
    .bind(surface)
    .fetch_all(pool)
    .await
    .expect("mentions")
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_place_under_its_other_names_is_one_entity_with_its_wikidata_id(pool: PgPool) {
    import(
        &pool,
        &[
            (
                "https://res.example/us/1",
                "Troops",
                "U.S. troops left Iraq on Monday.",
            ),
            (
                "https://res.example/us/2",
                "Aid",
                "The United States said on Tuesday it would send aid to Sudan.",
            ),
            (
                "https://res.example/us/3",
                "Vote",
                "Voters across America went to the polls in California and N.J. on Tuesday.",
            ),
        ],
    )
    .await;

    let us: Vec<(String, i32, Option<String>)> = sqlx::query_as(
        "SELECT name, article_count, wikidata_id FROM entities WHERE kind = 'place' AND name = 'United States'",
    )
    .fetch_all(&pool)
    .await
    .expect("the United States");
    assert_eq!(
        us,
        [("United States".to_owned(), 3, Some("Q30".to_owned()))]
    );
    assert_eq!(entity_of_surface(&pool, "N.J.").await, ["New Jersey"]);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_company_is_one_entity_whatever_its_legal_form(pool: PgPool) {
    import(
        &pool,
        &[(
            "https://res.example/avnet/1",
            "Results",
            "Avnet Inc said on Monday its profit rose.",
        )],
    )
    .await;

    import(
        &pool,
        &[(
            "https://res.example/avnet/2",
            "Shares",
            "Shares of Avnet fell 2 percent in New York.",
        )],
    )
    .await;

    let avnet: Vec<(String, i32)> =
        sqlx::query_as("SELECT name, article_count FROM entities WHERE kind = 'organization'")
            .fetch_all(&pool)
            .await
            .expect("organizations");
    assert_eq!(avnet, [("Avnet Inc".to_owned(), 2)]);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_lone_surname_joins_the_person_whose_company_it_keeps(pool: PgPool) {
    import(&pool, &[(
        "https://res.example/yeltsin/1",
        "Budget",
        "Russian President Boris Yeltsin met Prime Minister Viktor Chernomyrdin in Moscow on Monday to discuss the budget.",
    )])
    .await;

    import(
        &pool,
        &[(
            "https://res.example/yeltsin/2",
            "Budget cuts",
            "Yeltsin told Chernomyrdin in Moscow on Tuesday that the budget must be cut.",
        )],
    )
    .await;

    assert_eq!(entity_of_surface(&pool, "Yeltsin").await, ["Boris Yeltsin"]);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_lone_surname_without_shared_company_keeps_its_own_entity(pool: PgPool) {
    import(
        &pool,
        &[(
            "https://res.example/armstrong/1",
            "Cycling",
            "Lance Armstrong won the Tour de France again, cycling officials in Paris said.",
        )],
    )
    .await;

    import(
        &pool,
        &[(
            "https://res.example/armstrong/2",
            "Space",
            "Armstrong was the first man to walk on the Moon, NASA said on Monday.",
        )],
    )
    .await;

    assert_eq!(entity_of_surface(&pool, "Armstrong").await, ["Armstrong"]);
    let persons: Vec<String> = entities(&pool)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "person")
        .map(|(_, name, _)| name)
        .collect();
    assert_eq!(persons, ["Armstrong", "Lance Armstrong"]);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn an_acronym_seen_with_its_expansion_means_it_in_other_articles(pool: PgPool) {
    import(
        &pool,
        &[(
            "https://res.example/un/1",
            "Food",
            "The United Nations (U.N.) said on Monday it would send food to Sudan.",
        )],
    )
    .await;

    import(
        &pool,
        &[(
            "https://res.example/un/2",
            "Inspectors",
            "U.N. inspectors arrived in Baghdad on Tuesday.",
        )],
    )
    .await;

    assert_eq!(entity_of_surface(&pool, "U.N.").await, ["United Nations"]);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_publisher_is_not_an_entity_of_its_own_articles(pool: PgPool) {
    import(
        &pool,
        &[
            (
                "https://edition.cnn.com/2024/03/01/politics/a",
                "Senate",
                "(CNN) The Senate voted on Friday in Washington, CNN has learned.",
            ),
            (
                "https://www.bbc.co.uk/news/b",
                "Ratings",
                "CNN and Fox News both gained viewers in Washington, analysts said.",
            ),
        ],
    )
    .await;

    let cnn: Vec<String> = sqlx::query_scalar(
        "SELECT a.url FROM mentions m JOIN entities e ON e.id = m.entity_id
         JOIN articles a ON a.id = m.article_id WHERE e.name = 'CNN'",
    )
    .fetch_all(&pool)
    .await
    .expect("CNN mentions");
    assert_eq!(cnn, ["https://www.bbc.co.uk/news/b"]);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn entities_are_found_by_their_wikidata_id(pool: PgPool) {
    import(
        &pool,
        &[(
            "https://res.example/qid/1",
            "Troops",
            "U.S. troops left Iraq on Monday.",
        )],
    )
    .await;
    let app = app(pool);

    let entity = get(&app, "/v1/entities/Q30").await;
    let articles = get(&app, "/v1/articles?entity=Q30&fields=url").await;
    let unknown = get(&app, "/v1/entities/Q999999999").await;
    let unknown_param = get(&app, "/v1/articles?entity=Q999999999").await;

    assert_eq!(entity.status, StatusCode::OK);
    assert_eq!(entity.json()["name"], "United States");
    assert_eq!(entity.json()["wikidata_id"], "Q30");
    assert_eq!(
        articles.json()["data"][0]["url"],
        "https://res.example/qid/1"
    );
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown_param.status, StatusCode::BAD_REQUEST);
}

/// Makes the stored data look like an older engine's: the United States split into "US"
/// (keyed "place:us") and the rest.
async fn split_as_an_older_engine_would(pool: &PgPool) {
    let us: (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "SELECT e.id, a.id FROM entities e JOIN article_entities ae ON ae.entity_id = e.id
         JOIN articles a ON a.id = ae.article_id
         WHERE e.name = 'United States' AND a.url = 'https://res.example/old/1'",
    )
    .fetch_one(pool)
    .await
    .expect("the United States in the first article");
    let old = uuid::Uuid::now_v7();
    sqlx::query(
        "INSERT INTO entities (id, kind, name, slug, match_key) VALUES ($1, 'place', 'US', 'us', 'place:us')",
    )
    .bind(old)
    .execute(pool)
    .await
    .expect("the old entity");
    for statement in [
        "UPDATE mentions SET entity_id = $1 WHERE entity_id = $2 AND article_id = $3",
        "UPDATE article_entities SET entity_id = $1 WHERE entity_id = $2 AND article_id = $3",
    ] {
        sqlx::query(statement)
            .bind(old)
            .bind(us.0)
            .bind(us.1)
            .execute(pool)
            .await
            .expect("move the first article's mentions");
    }
    sqlx::query(
        "UPDATE entities e SET article_count = s.a, mention_count = s.m, first_seen = s.f, last_seen = s.l
         FROM (SELECT entity_id, count(*)::int AS a, sum(mention_count)::int AS m,
                      min(published_at) AS f, max(published_at) AS l
               FROM article_entities GROUP BY entity_id) s WHERE s.entity_id = e.id",
    )
    .execute(pool)
    .await
    .expect("recount");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn resolve_retires_what_an_older_engine_split_and_redirects_it(pool: PgPool) {
    import(
        &pool,
        &[
            (
                "https://res.example/old/1",
                "Troops",
                "U.S. troops left Iraq on Monday.",
            ),
            (
                "https://res.example/old/2",
                "Aid",
                "The United States said on Tuesday it would send aid to Sudan.",
            ),
        ],
    )
    .await;
    split_as_an_older_engine_would(&pool).await;
    let options = ImportOptions {
        batch_size: 1,
        jobs: 2,
    };

    let first = ingest::resolve::resolve(
        &pool,
        extractor(),
        &options,
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("resolve runs");
    let second = ingest::resolve::resolve(
        &pool,
        extractor(),
        &options,
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("resolve runs again");

    assert_eq!(first.entities_redirected, 1, "{first:?}");
    assert_eq!(second.articles_changed, [0], "{second:?}");
    assert_eq!(second.articles_changed_net, 0, "{second:?}");
    assert_eq!(
        second.entities_redirected + second.entities_deleted,
        0,
        "{second:?}"
    );
    let places: Vec<(String, String, i32)> = entities(&pool)
        .await
        .into_iter()
        .filter(|(kind, _, _)| kind == "place")
        .collect();
    assert!(
        places.contains(&("place".to_owned(), "United States".to_owned(), 2)),
        "{places:?}"
    );
    let moved = get(&app(pool.clone()), "/v1/entities/us").await;
    assert_eq!(moved.status, StatusCode::MOVED_PERMANENTLY);
    assert_eq!(moved.headers["location"], "/v1/entities/united-states");
    let aliases: Vec<String> = sqlx::query_scalar(
        "SELECT a.alias FROM entity_aliases a JOIN entities e ON e.id = a.entity_id
         WHERE e.name = 'United States' ORDER BY 1",
    )
    .fetch_all(&pool)
    .await
    .expect("aliases");
    assert!(aliases.contains(&"US".to_owned()), "{aliases:?}");
    assert_counts_consistent(&pool).await;
}

/// The index entries a transaction has read so far from article_entities' indexes.
async fn article_entities_index_reads(conn: &mut sqlx::PgConnection) -> i64 {
    sqlx::query_scalar(
        "SELECT sum(pg_stat_get_xact_tuples_returned(indexrelid))::bigint
         FROM pg_index WHERE indrelid = 'article_entities'::regclass",
    )
    .fetch_one(conn)
    .await
    .expect("index reads")
}

/// Co-mention evidence reads a candidate's newest articles and probes each of them for the
/// contexts. What it reads must be bounded by the candidate's articles and the limit, not by
/// how many articles a context entity has: when a plan read every row of the common entities,
/// the import slowed from about 375 to 128 articles a second at 441,000 articles.
#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn co_mention_evidence_reads_rows_bounded_by_the_candidate_not_the_context(pool: PgPool) {
    let [candidate, context, other]: [uuid::Uuid; 3] =
        std::array::from_fn(|_| uuid::Uuid::new_v4());
    let source: i32 = sqlx::query_scalar(
        "INSERT INTO sources (domain, name) VALUES ('cost.example', 'Cost') RETURNING id",
    )
    .fetch_one(&pool)
    .await
    .expect("source");
    for (id, kind, name) in [
        (candidate, "person", "Ana Candidate"),
        (context, "place", "Commonplace"),
        (other, "organization", "Other Council"),
    ] {
        let slug = name.to_lowercase().replace(' ', "-");
        sqlx::query(
            "INSERT INTO entities (id, kind, name, slug, match_key) VALUES ($1, $2, $3, $4, $2 || ':' || $4)",
        )
        .bind(id)
        .bind(kind)
        .bind(name)
        .bind(slug)
        .execute(&pool)
        .await
        .expect("entity");
    }
    // 2,000 articles name the context, the newest 3 of them the candidate too, and one of
    // those also names the other context.
    sqlx::query(
        "INSERT INTO articles (id, url, title, body, published_at, source_id, content_hash, extractor_version)
         SELECT gen_random_uuid(), 'https://cost.example/' || n, 'Title', 'Body', now() - n * interval '1 hour',
                $1, sha256(n::text::bytea), 'test'
         FROM generate_series(1, 2000) AS n",
    )
    .bind(source)
    .execute(&pool)
    .await
    .expect("articles");
    sqlx::query(
        "INSERT INTO article_entities (article_id, entity_id, mention_count, published_at)
         SELECT a.id, e.id, 1, a.published_at
         FROM (SELECT id, published_at, row_number() OVER (ORDER BY published_at DESC) AS n FROM articles) a
         JOIN (VALUES ($1::uuid, 2000), ($2::uuid, 3), ($3::uuid, 1)) AS e(id, newest) ON a.n <= e.newest",
    )
    .bind(context)
    .bind(candidate)
    .bind(other)
    .execute(&pool)
    .await
    .expect("article_entities");
    // And, as in a real corpus, most entities are named in one or a few articles: 30,000 more,
    // each in one of the articles, so that the planner expects few rows per entity.
    sqlx::query(
        "WITH filler AS (
             INSERT INTO entities (id, kind, name, slug, match_key)
             SELECT gen_random_uuid(), 'person', 'Filler ' || n, 'filler-' || n, 'person:filler ' || n
             FROM generate_series(1, 30000) AS n
             RETURNING id
         )
         INSERT INTO article_entities (article_id, entity_id, mention_count, published_at)
         SELECT a.id, f.id, 1, a.published_at
         FROM (SELECT id, row_number() OVER (ORDER BY id) % 2000 AS n FROM filler) f
         JOIN (SELECT id, published_at, row_number() OVER (ORDER BY id) % 2000 AS n FROM articles) a
           ON a.n = f.n",
    )
    .execute(&pool)
    .await
    .expect("filler");
    sqlx::query("VACUUM ANALYZE article_entities")
        .execute(&pool)
        .await
        .expect("analyze");

    let mut conn = pool.acquire().await.expect("connection");
    // Generic plans, as a long import ends up with after its first executions.
    sqlx::query("SET plan_cache_mode = force_generic_plan")
        .execute(&mut *conn)
        .await
        .expect("set");
    let mut tx = sqlx::Connection::begin(&mut *conn).await.expect("begin");
    let before = article_entities_index_reads(&mut tx).await;
    let mut found = newsgraph::db::link_candidates::co_mentions(
        &mut tx,
        &[candidate],
        &[context, other, context],
        &[],
        200,
    )
    .await
    .expect("co-mentions");
    let read = article_entities_index_reads(&mut tx).await - before;

    found.sort_by_key(|row| row.articles);
    let found: Vec<(uuid::Uuid, uuid::Uuid, i64)> = found
        .iter()
        .map(|row| (row.candidate, row.context, row.articles))
        .collect();
    assert_eq!(found, [(candidate, other, 1), (candidate, context, 3)]);
    // The candidate's 3 articles, then at most each of their entity rows (18 each here):
    // 55 as written, where reading the context's rows is 2,008.
    assert!(
        read <= 3 + 3 * 18,
        "read {read} index entries of article_entities"
    );
}
