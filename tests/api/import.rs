//! The importer, in-process against a real database: formats, bad input, idempotency,
//! updates, merging entities across articles, and one news article read whole (the fixture,
//! and the seed article when ../shared has it).
//!
//! Over 400 lines: one self-contained test per behaviour of the importer, each with its own
//! input; they share helpers that a split would have to make public across files.

use std::fs;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use flate2::Compression;
use flate2::write::GzEncoder;
use newsgraph::ingest::{self, ImportOptions, Report, formats};
use sqlx::PgPool;
use tempfile::TempDir;

use crate::helpers::{assert_counts_consistent, extractor, fixture_path};
use crate::stories::{Story, story_tests};

/// Imports the paths with small batches and two extraction threads.
pub async fn import(pool: &PgPool, paths: &[PathBuf]) -> Report {
    let options = ImportOptions {
        batch_size: 3,
        jobs: 2,
    };
    ingest::import(
        pool,
        extractor(),
        formats::expand(paths),
        &options,
        Arc::new(AtomicBool::new(false)),
    )
    .await
    .expect("the import runs")
}

fn write(dir: &TempDir, name: &str, contents: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, contents).expect("write a fixture");
    path
}

fn gzip(contents: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::default());
    encoder.write_all(contents).expect("gzip");
    encoder.finish().expect("gzip")
}

fn jsonl(url: &str, title: &str, body: &str) -> String {
    serde_json::json!({ "url": url, "title": title, "body": body, "published_at": "2024-03-01T10:00:00Z" })
        .to_string()
}

const RSS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel>
  <title>Example Wire</title>
  <language>en-us</language>
  <item>
    <title>Talks in Geneva</title>
    <link>https://wire.example/geneva?utm_source=rss</link>
    <pubDate>Tue, 05 Mar 2024 08:00:00 GMT</pubDate>
    <description>&lt;p&gt;Short summary.&lt;/p&gt;</description>
    <content:encoded><![CDATA[<p>Diplomats met in <b>Geneva</b> on Tuesday.</p><p>Talks resume &amp; continue.</p>]]></content:encoded>
  </item>
</channel>
</rss>"#;

const ATOM: &str = r#"<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Atom Daily</title>
  <entry>
    <title>Markets in Tokyo</title>
    <link rel="alternate" href="https://atom.example/tokyo"/>
    <id>tag:atom.example,2024:1</id>
    <published>2024-03-06T09:30:00+09:00</published>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Shares rose in Tokyo.</p><p>Second paragraph.</p></div></content>
  </entry>
</feed>"#;

async fn stored_titles(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar("SELECT title FROM articles ORDER BY title")
        .fetch_all(pool)
        .await
        .expect("select titles")
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn every_format_is_imported(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let seed =
        "date 2024-03-01 https://seed.example/one\n\nSeed title\n\nThe seed body mentions Paris.\n";
    write(&dir, "a.txt", seed.as_bytes());
    write(
        &dir,
        "b.jsonl",
        format!(
            "{}\n",
            jsonl("https://j.example/1", "Lines", "A line about Rome.")
        )
        .as_bytes(),
    );
    let array = format!(
        "[\n{},\n{}\n]",
        jsonl("https://j.example/2", "Array one", "About Madrid."),
        jsonl("https://j.example/3", "Array two", "About Lisbon.")
    );
    write(&dir, "c.json", array.as_bytes());
    write(&dir, "d.rss", RSS.as_bytes());
    write(&dir, "e.atom", ATOM.as_bytes());
    let gz = format!(
        "{}\n",
        jsonl("https://j.example/4", "Gzipped", "About Vienna.")
    );
    write(&dir, "f.jsonl.gz", &gzip(gz.as_bytes()));
    // No extension: the content tells the format, the magic bytes tell gzip.
    let sniffed = format!(
        "{}\n",
        jsonl("https://j.example/5", "Sniffed", "About Oslo.")
    );
    let explicit = write(&dir, "no-extension", &gzip(sniffed.as_bytes()));

    let report = import(&pool, &[dir.path().to_path_buf(), explicit]).await;

    assert_eq!(report.failures, vec![], "{report:?}");
    assert_eq!(report.new, 8, "{report:?}");
    assert_eq!(
        report.skipped_files,
        vec![dir.path().join("no-extension").display().to_string()]
    );
    assert_eq!(
        stored_titles(&pool).await,
        [
            "Array one",
            "Array two",
            "Gzipped",
            "Lines",
            "Markets in Tokyo",
            "Seed title",
            "Sniffed",
            "Talks in Geneva"
        ]
    );
    let (url, body, source, published): (String, String, String, String) = sqlx::query_as(
        "SELECT a.url, a.body, s.name, to_char(a.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI')
         FROM articles a JOIN sources s ON s.id = a.source_id WHERE a.title = 'Talks in Geneva'",
    )
    .fetch_one(&pool)
    .await
    .expect("the RSS item");
    assert_eq!(url, "https://wire.example/geneva");
    assert_eq!(
        body,
        "Diplomats met in Geneva on Tuesday.\n\nTalks resume & continue."
    );
    assert_eq!(source, "Example Wire");
    assert_eq!(published, "2024-03-05 08:00");
    let atom_body: String =
        sqlx::query_scalar("SELECT body FROM articles WHERE url = 'https://atom.example/tokyo'")
            .fetch_one(&pool)
            .await
            .expect("the Atom entry");
    assert_eq!(atom_body, "Shares rose in Tokyo.\n\nSecond paragraph.");
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn bad_records_are_reported_with_file_line_and_reason_and_good_ones_are_kept(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines = [
        jsonl("https://bad.example/1", "Good one", "Fine text about Berlin."),
        "{not json".to_owned(),
        r#"{"url": "https://bad.example/3", "title": "No body"}"#.to_owned(),
        r#"{"url": "https://bad.example/4", "body": "x", "published_at": "the day after tomorrow"}"#.to_owned(),
        jsonl("https://bad.example/5", "Good two", "More text about Warsaw."),
    ];
    let path = write(&dir, "mixed.jsonl", lines.join("\n").as_bytes());

    let report = import(&pool, std::slice::from_ref(&path)).await;

    assert_eq!(report.new, 2);
    assert_eq!(report.failed, 3);
    assert_eq!(report.exit_code(), 2);
    let file = path.display().to_string();
    let at: Vec<(String, Option<u64>)> = report
        .failures
        .iter()
        .map(|f| (f.file.clone(), f.line))
        .collect();
    assert_eq!(
        at,
        vec![
            (file.clone(), Some(2)),
            (file.clone(), Some(3)),
            (file, Some(4))
        ]
    );
    assert!(
        report.failures[0].reason.contains("invalid JSON"),
        "{:?}",
        report.failures[0]
    );
    assert!(
        report.failures[1].reason.contains("body"),
        "{:?}",
        report.failures[1]
    );
    assert!(
        report.failures[2].reason.contains("published_at"),
        "{:?}",
        report.failures[2]
    );
    assert_eq!(stored_titles(&pool).await, ["Good one", "Good two"]);
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_file_that_is_not_utf8_is_reported_and_the_others_are_imported(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let bad = write(
        &dir,
        "latin1.txt",
        b"date 2024-03-01 https://l.example/1\n\nTitle\n\nCaf\xe9 in Paris.\n",
    );
    write(
        &dir,
        "good.jsonl",
        jsonl("https://l.example/2", "Fine", "Text about Prague.").as_bytes(),
    );
    let mut lines = format!(
        "{}\n",
        jsonl("https://l.example/3", "Fine too", "Text about Kyiv.")
    );
    lines.push_str("{\"url\": \"https://l.example/4\", \"body\": \"caf\u{fffd}\"}\n");
    let mut bytes = lines.into_bytes();
    bytes.extend_from_slice(b"{\"url\": \"https://l.example/5\", \"body\": \"caf\xe9\"}\n");
    write(&dir, "mixed.jsonl", &bytes);

    let report = import(&pool, &[dir.path().to_path_buf()]).await;

    assert_eq!(report.new, 3, "{report:?}");
    assert_eq!(report.failed, 2, "{report:?}");
    let latin1 = report
        .failures
        .iter()
        .find(|f| f.file == bad.display().to_string())
        .expect("the latin-1 file");
    assert_eq!(latin1.line, Some(5));
    assert!(latin1.reason.contains("UTF-8"));
    assert!(
        report
            .failures
            .iter()
            .any(|f| f.file.ends_with("mixed.jsonl")
                && f.line == Some(3)
                && f.reason.contains("UTF-8"))
    );
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_truncated_gzip_is_reported_and_the_records_before_the_cut_are_kept(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines: Vec<String> = (0..200)
        .map(|i| jsonl(&format!("https://gz.example/{i}"), &format!("Story {i}"), &format!("Story number {i} was filed from Nairobi by a correspondent who has covered East Africa for many years.")))
        .collect();
    let mut compressed = gzip(lines.join("\n").as_bytes());
    compressed.truncate(compressed.len() * 2 / 3);
    let path = write(&dir, "cut.jsonl.gz", &compressed);

    let report = import(&pool, std::slice::from_ref(&path)).await;

    assert!(report.new > 0 && report.new < 200, "{report:?}");
    assert_eq!(report.failed, 1);
    assert_eq!(report.failures[0].file, path.display().to_string());
    assert!(
        report.failures[0]
            .reason
            .contains("truncated or corrupt gzip"),
        "{:?}",
        report.failures[0]
    );
    assert!(report.failures[0].line.is_some());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_missing_path_is_reported_and_the_others_are_imported(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let good = write(
        &dir,
        "good.jsonl",
        jsonl("https://m.example/1", "Fine", "Text about Lima.").as_bytes(),
    );
    let missing = dir.path().join("nope.jsonl");

    let report = import(&pool, &[missing.clone(), good]).await;

    assert_eq!(report.new, 1);
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].file, missing.display().to_string());
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn importing_the_same_input_again_changes_nothing(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let lines: Vec<String> = (0..7)
        .map(|i| {
            jsonl(
                &format!("https://same.example/{i}"),
                &format!("Same {i}"),
                "Chancellor Olaf Scholz spoke in Berlin about the European Union.",
            )
        })
        .collect();
    let path = write(&dir, "same.jsonl", lines.join("\n").as_bytes());
    let first = import(&pool, std::slice::from_ref(&path)).await;
    let snapshot = table_snapshot(&pool).await;

    let second = import(&pool, std::slice::from_ref(&path)).await;

    assert_eq!(first.new, 7);
    assert_eq!(
        (
            second.new,
            second.updated,
            second.unchanged,
            second.entities_created
        ),
        (0, 0, 7, 0)
    );
    assert_eq!(table_snapshot(&pool).await, snapshot);
}

/// Everything an import writes, as text, to compare before and after.
async fn table_snapshot(pool: &PgPool) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT x FROM (
            SELECT 'a ' || id || url || updated_at::text AS x FROM articles
            UNION ALL SELECT 'e ' || id || slug || article_count || ' ' || mention_count || updated_at::text FROM entities
            UNION ALL SELECT 'm ' || article_id || field || start_offset || entity_id FROM mentions
            UNION ALL SELECT 'l ' || entity_id || alias FROM entity_aliases
         ) t ORDER BY x",
    )
    .fetch_all(pool)
    .await
    .expect("snapshot")
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_same_url_with_new_text_updates_the_article_and_replaces_its_mentions(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let before = write(
        &dir,
        "v1.jsonl",
        jsonl(
            "https://upd.example/1",
            "Visit",
            "The delegation arrived in Berlin on Monday.",
        )
        .as_bytes(),
    );
    let after = write(
        &dir,
        "v2.jsonl",
        jsonl(
            "https://upd.example/1?utm_campaign=x",
            "Visit",
            "The delegation arrived in Madrid on Monday.",
        )
        .as_bytes(),
    );
    import(&pool, &[before]).await;

    let report = import(&pool, &[after]).await;

    assert_eq!((report.new, report.updated), (0, 1));
    let articles: i64 = sqlx::query_scalar("SELECT count(*) FROM articles")
        .fetch_one(&pool)
        .await
        .expect("count");
    assert_eq!(articles, 1);
    let surfaces: Vec<String> =
        sqlx::query_scalar("SELECT surface FROM mentions ORDER BY start_offset")
            .fetch_all(&pool)
            .await
            .expect("mentions");
    assert_eq!(surfaces, ["Madrid"]);
    let berlin: i32 =
        sqlx::query_scalar("SELECT article_count FROM entities WHERE slug = 'berlin'")
            .fetch_one(&pool)
            .await
            .expect("Berlin stays as an entity");
    assert_eq!(berlin, 0);
    assert_counts_consistent(&pool).await;
}

async fn persons(pool: &PgPool) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT name, slug FROM entities WHERE kind = 'person' AND article_count > 0 ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("persons")
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_full_name_and_a_later_lone_accented_surname_are_one_person(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write(&dir, "1.jsonl", jsonl("https://merge.example/1", "Belgrade", "Serbian President Aleksandar Vucic said on Monday that Belgrade would not impose sanctions.").as_bytes());
    let second = write(
        &dir,
        "2.jsonl",
        jsonl(
            "https://merge.example/2",
            "Belgrade",
            "Speaking in Belgrade on Tuesday, Vučić said the talks had failed.",
        )
        .as_bytes(),
    );
    import(&pool, &[first]).await;

    import(&pool, &[second]).await;

    assert_eq!(
        persons(&pool).await,
        [("Aleksandar Vucic".to_owned(), "aleksandar-vucic".to_owned())]
    );
    let (articles, aliases): (i32, Vec<String>) = sqlx::query_as(
        "SELECT e.article_count, array_agg(a.alias ORDER BY a.alias) FROM entities e
         JOIN entity_aliases a ON a.entity_id = e.id WHERE e.slug = 'aleksandar-vucic' GROUP BY e.article_count",
    )
    .fetch_one(&pool)
    .await
    .expect("the person");
    assert_eq!(articles, 2);
    assert!(aliases.contains(&"Vučić".to_owned()), "{aliases:?}");
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_lone_surname_seen_first_is_merged_into_the_full_name_that_follows(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write(
        &dir,
        "1.jsonl",
        jsonl(
            "https://merge.example/3",
            "Belgrade",
            "Speaking in Belgrade on Tuesday, Vučić said the talks had failed.",
        )
        .as_bytes(),
    );
    let second = write(&dir, "2.jsonl", jsonl("https://merge.example/4", "Belgrade", "Serbian President Aleksandar Vucic said on Monday that Belgrade would not impose sanctions.").as_bytes());
    import(&pool, &[first]).await;
    let lone_slug: String = sqlx::query_scalar("SELECT slug FROM entities WHERE kind = 'person'")
        .fetch_one(&pool)
        .await
        .expect("the lone surname");

    import(&pool, &[second]).await;

    assert_eq!(
        persons(&pool).await,
        [("Aleksandar Vucic".to_owned(), "aleksandar-vucic".to_owned())]
    );
    let redirect: String = sqlx::query_scalar(
        "SELECT e.slug FROM entity_redirects r JOIN entities e ON e.id = r.entity_id WHERE r.old_slug = $1",
    )
    .bind(&lone_slug)
    .fetch_one(&pool)
    .await
    .expect("the old slug redirects");
    assert_eq!(redirect, "aleksandar-vucic");
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn two_people_who_share_a_surname_stay_apart(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = write(
        &dir,
        "clintons.jsonl",
        [
            jsonl(
                "https://sur.example/1",
                "Campaign",
                "Hillary Clinton spoke to voters in Iowa on Saturday.",
            ),
            jsonl(
                "https://sur.example/2",
                "Library",
                "Former president Bill Clinton opened a library in Arkansas.",
            ),
        ]
        .join("\n")
        .as_bytes(),
    );

    import(&pool, &[path]).await;

    let names: Vec<String> = persons(&pool)
        .await
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names, ["Bill Clinton", "Hillary Clinton"]);
}

story_tests!(an_article_is_imported_with_its_people_places_and_organizations);

async fn an_article_is_imported_with_its_people_places_and_organizations(
    pool: PgPool,
    story: &Story,
) {
    let Some(article) = (story.article)() else {
        return;
    };

    let report = import(&pool, &[article]).await;

    assert_eq!((report.new, report.failed), (1, 0), "{report:?}");
    let entities: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, name FROM entities ORDER BY kind, name")
            .fetch_all(&pool)
            .await
            .expect("entities");
    for expected in [
        ("person", story.person),
        ("person", story.other_person),
        ("organization", story.organization),
        ("place", story.place),
        ("place", story.city),
    ] {
        assert!(
            entities.contains(&(expected.0.to_owned(), expected.1.to_owned())),
            "{expected:?} missing from {entities:?}"
        );
    }
    let aliases: Vec<String> = sqlx::query_scalar(
        "SELECT a.alias FROM entity_aliases a JOIN entities e ON e.id = a.entity_id WHERE e.name = $1",
    )
    .bind(story.person)
    .fetch_all(&pool)
    .await
    .expect("aliases");
    assert!(aliases.contains(&story.surname.to_owned()), "{aliases:?}");
    let place: Vec<(String, i32, i32)> = sqlx::query_as(
        "SELECT a.body, m.start_offset, m.end_offset FROM mentions m JOIN articles a ON a.id = m.article_id
         JOIN entities e ON e.id = m.entity_id WHERE e.slug = $1 AND m.field = 'body'",
    )
    .bind(story.place_slug)
    .fetch_all(&pool)
    .await
    .expect("the place's mentions");
    assert!(!place.is_empty());
    for (body, start, end) in place {
        let text: String = body
            .chars()
            .skip(start as usize)
            .take((end - start) as usize)
            .collect();
        assert_eq!(text, story.place);
    }
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_batch_naming_a_stored_lone_surname_and_its_new_full_name_merges_cleanly(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write(
        &dir,
        "1.jsonl",
        jsonl(
            "https://merge.example/5",
            "Belgrade",
            "Speaking in Belgrade on Tuesday, Vučić said the talks had failed.",
        )
        .as_bytes(),
    );
    let both = [
        jsonl(
            "https://merge.example/6",
            "Belgrade",
            "Serbian President Aleksandar Vucic said on Monday that Belgrade would not impose sanctions.",
        ),
        jsonl(
            "https://merge.example/7",
            "Belgrade",
            "In Belgrade, Vucic repeated on Wednesday that the talks had failed.",
        ),
    ];
    let second = write(&dir, "2.jsonl", both.join("\n").as_bytes());
    import(&pool, &[first]).await;

    let report = import(&pool, &[second]).await;

    assert_eq!((report.new, report.failed), (2, 0), "{report:?}");
    assert_eq!(
        persons(&pool).await,
        [("Aleksandar Vucic".to_owned(), "aleksandar-vucic".to_owned())]
    );
    let articles: i32 =
        sqlx::query_scalar("SELECT article_count FROM entities WHERE slug = 'aleksandar-vucic'")
            .fetch_one(&pool)
            .await
            .expect("the person");
    assert_eq!(articles, 3);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn a_merged_entity_redirects_to_the_survivor_even_when_percent_encoded(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let first = write(
        &dir,
        "1.jsonl",
        jsonl(
            "https://merge.example/8",
            "Belgrade",
            "Speaking in Belgrade on Tuesday, Vučić said the talks had failed.",
        )
        .as_bytes(),
    );
    let second = write(&dir, "2.jsonl", jsonl("https://merge.example/9", "Belgrade", "Serbian President Aleksandar Vucic said on Monday that Belgrade would not impose sanctions.").as_bytes());
    import(&pool, &[first]).await;
    let lone: (String, String) =
        sqlx::query_as("SELECT slug, id::text FROM entities WHERE kind = 'person'")
            .fetch_one(&pool)
            .await
            .expect("the lone surname");
    import(&pool, &[second]).await;
    let app = crate::helpers::app(pool);

    let encoded = lone.0.replace('-', "%2D");
    let by_slug = crate::helpers::get(
        &app,
        &format!("/v1/entities/{encoded}/timeline?interval=week"),
    )
    .await;
    let by_id = crate::helpers::get(&app, &format!("/v1/entities/{}", lone.1)).await;

    assert_eq!(by_slug.status, axum::http::StatusCode::MOVED_PERMANENTLY);
    assert_eq!(
        by_slug.headers["location"],
        "/v1/entities/aleksandar-vucic/timeline?interval=week"
    );
    assert_eq!(by_id.headers["location"], "/v1/entities/aleksandar-vucic");
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn the_later_of_two_records_with_one_url_wins_even_across_parallel_batches(pool: PgPool) {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut lines: Vec<String> = (0..12)
        .map(|i| {
            jsonl(
                &format!("https://order.example/{i}"),
                &format!("Filler {i}"),
                "A story from Lagos.",
            )
        })
        .collect();
    lines[1] = jsonl(
        "https://order.example/same",
        "First",
        "The first version, from Nairobi.",
    );
    lines[4] = jsonl(
        "https://order.example/same",
        "Second",
        "The second version, from Accra.",
    );
    lines[10] = jsonl(
        "https://order.example/same",
        "Third",
        "The third version, from Dakar.",
    );
    let path = write(&dir, "order.jsonl", lines.join("\n").as_bytes());

    let report = import(&pool, &[path]).await;

    assert_eq!(report.failed, 0, "{report:?}");
    let title: String =
        sqlx::query_scalar("SELECT title FROM articles WHERE url = 'https://order.example/same'")
            .fetch_one(&pool)
            .await
            .expect("the article");
    assert_eq!(title, "Third");
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn reextract_redoes_the_articles_of_an_older_model_once_and_keeps_counts_true(pool: PgPool) {
    import(&pool, &[fixture_path()]).await;
    let mentions_before: i64 = sqlx::query_scalar("SELECT count(*) FROM mentions")
        .fetch_one(&pool)
        .await
        .expect("mentions");
    // As if an older model had found nothing in the article: no mentions, counts to
    // match, and that model's version.
    let mut conn = pool.acquire().await.expect("a connection");
    let ids: Vec<uuid::Uuid> = sqlx::query_scalar("SELECT id FROM entities")
        .fetch_all(&mut *conn)
        .await
        .expect("entities");
    sqlx::query("DELETE FROM mentions")
        .execute(&mut *conn)
        .await
        .expect("mentions");
    sqlx::query("DELETE FROM article_entities")
        .execute(&mut *conn)
        .await
        .expect("aggregates");
    newsgraph::db::entities::recount(&mut conn, &ids)
        .await
        .expect("recount");
    sqlx::query("UPDATE articles SET extractor_version = 'crf-0+older'")
        .execute(&mut *conn)
        .await
        .expect("version");
    drop(conn);
    let options = ImportOptions {
        batch_size: 10,
        jobs: 2,
    };
    let cancel = || Arc::new(AtomicBool::new(false));

    let first = ingest::reextract::reextract(&pool, extractor(), false, &options, cancel())
        .await
        .expect("reextract runs");
    let second = ingest::reextract::reextract(&pool, extractor(), false, &options, cancel())
        .await
        .expect("reextract runs again");
    let all = ingest::reextract::reextract(&pool, extractor(), true, &options, cancel())
        .await
        .expect("reextract --all runs");

    assert_eq!((first.reextracted, first.failed), (1, 0), "{first:?}");
    assert_eq!(second.reextracted, 0, "{second:?}");
    assert_eq!(all.reextracted, 1, "{all:?}");
    let (mentions_after, version, person_articles): (i64, String, i32) = sqlx::query_as(
        "SELECT (SELECT count(*) FROM mentions), (SELECT extractor_version FROM articles),
                (SELECT article_count FROM entities WHERE name = 'Radoslav Petkanov')",
    )
    .fetch_one(&pool)
    .await
    .expect("the store");
    assert_eq!(mentions_after, mentions_before);
    assert_eq!(version, extractor().version());
    assert_eq!(person_articles, 1);
    assert_counts_consistent(&pool).await;
}

#[sqlx::test(migrator = "newsgraph::MIGRATOR")]
async fn bodies_that_fit_in_a_page_are_stored_uncompressed_and_larger_ones_compressed(
    pool: PgPool,
) {
    let dir = tempfile::tempdir().expect("tempdir");
    // Compressible text: the old layout compressed any row over 2 KB.
    let sentences = |count: usize| -> String {
        (0..count)
            .map(|i| format!("Sentence {i} says the council met in Springfield again. "))
            .collect()
    };
    let medium = sentences(100);
    let large = sentences(700);
    assert!(
        medium.len() > 5_000 && medium.len() < 7_000,
        "{}",
        medium.len()
    );
    let lines = [
        jsonl("https://layout.example/medium", "Medium", &medium),
        jsonl("https://layout.example/large", "Large", &large),
    ];
    let path = write(&dir, "layout.jsonl", lines.join("\n").as_bytes());

    let report = import(&pool, &[path]).await;

    assert_eq!((report.new, report.failed), (2, 0), "{report:?}");
    let stored: Vec<(String, Option<String>, Option<String>, String)> = sqlx::query_as(
        "SELECT title, pg_column_compression(body), pg_column_compression(search), body
         FROM articles ORDER BY title",
    )
    .fetch_all(&pool)
    .await
    .expect("the layout");
    let compression: Vec<(&str, Option<&str>, Option<&str>)> = stored
        .iter()
        .map(|(title, body, search, _)| (title.as_str(), body.as_deref(), search.as_deref()))
        .collect();
    assert_eq!(
        compression,
        vec![("Large", Some("lz4"), None), ("Medium", None, None),]
    );
    assert_eq!(stored[0].3, large.trim_end());
    assert_eq!(stored[1].3, medium.trim_end());
}
