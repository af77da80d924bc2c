//! Articles: lookups by URL for the importer, the bulk upsert, and the reads of the API.

use chrono::{DateTime, Utc};
use newsgraph_extract::{EntityKind, Field};

use crate::domain::{ArticleId, EntityId};
use sqlx::{PgConnection, PgExecutor};
use uuid::Uuid;

/// What the importer needs to know about an article already stored.
#[derive(Debug, Clone)]
pub struct StoredVersion {
    /// The article's id.
    pub id: Uuid,
    /// Its canonical URL.
    pub url: String,
    /// The hash of its content.
    pub content_hash: Vec<u8>,
    /// The extractor that produced its mentions.
    pub extractor_version: String,
}

/// The stored versions of the articles with these URLs.
#[tracing::instrument(skip_all, fields(urls = urls.len()))]
pub async fn versions_by_url(
    executor: impl PgExecutor<'_>,
    urls: &[String],
) -> sqlx::Result<Vec<StoredVersion>> {
    sqlx::query_as!(
        StoredVersion,
        r#"
        SELECT id, url, content_hash, extractor_version
        FROM articles
        WHERE url = ANY($1::text[])
        "#,
        urls,
    )
    .fetch_all(executor)
    .await
}

/// Columns of a batch of articles to upsert, one entry per article.
#[derive(Debug, Default)]
pub struct ArticleColumns {
    /// New ids (kept only for articles not stored yet).
    pub ids: Vec<Uuid>,
    /// Canonical URLs.
    pub urls: Vec<String>,
    /// Titles.
    pub titles: Vec<String>,
    /// Bodies.
    pub bodies: Vec<String>,
    /// Publication dates.
    pub published_at: Vec<Option<DateTime<Utc>>>,
    /// Source ids.
    pub source_ids: Vec<i32>,
    /// Language tags.
    pub languages: Vec<String>,
    /// Content hashes.
    pub hashes: Vec<Vec<u8>>,
    /// Extractor versions.
    pub extractor_versions: Vec<String>,
}

/// The id an upserted article ended up with, and whether it was new.
#[derive(Debug, Clone)]
pub struct Upserted {
    /// The article's id (the stored one when it existed).
    pub id: Uuid,
    /// Its URL.
    pub url: String,
    /// Whether the row was inserted rather than updated.
    pub inserted: bool,
}

/// Inserts the articles, or updates those whose URL is stored, in one statement.
#[tracing::instrument(skip_all, fields(articles = columns.urls.len()))]
pub async fn upsert(
    conn: &mut PgConnection,
    columns: &ArticleColumns,
) -> sqlx::Result<Vec<Upserted>> {
    sqlx::query_as!(
        Upserted,
        r#"
        INSERT INTO articles
            (id, url, title, body, published_at, source_id, language, content_hash, extractor_version)
        SELECT * FROM UNNEST(
            $1::uuid[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::int[],
            $7::text[], $8::bytea[], $9::text[])
        ON CONFLICT (url) DO UPDATE SET
            title = EXCLUDED.title,
            body = EXCLUDED.body,
            published_at = EXCLUDED.published_at,
            source_id = EXCLUDED.source_id,
            language = EXCLUDED.language,
            content_hash = EXCLUDED.content_hash,
            extractor_version = EXCLUDED.extractor_version,
            updated_at = now()
        RETURNING id, url, (xmax = 0) AS "inserted!"
        "#,
        &columns.ids,
        &columns.urls,
        &columns.titles,
        &columns.bodies,
        &columns.published_at as &[Option<DateTime<Utc>>],
        &columns.source_ids,
        &columns.languages,
        &columns.hashes,
        &columns.extractor_versions,
    )
    .fetch_all(conn)
    .await
}

/// Marks stored articles as extracted by `version`, where their content is still the one
/// extracted (`hashes`, in the order of `ids`), and returns the ids marked. An article updated
/// meanwhile, or being written by an import right now, is left to the extraction of that
/// write.
///
/// The rows are locked `FOR NO KEY UPDATE ... SKIP LOCKED`, not `FOR UPDATE`: callers hold or
/// are about to take the ingest lock, and an import locks its article rows before that lock.
/// Waiting for such a row under the ingest lock (a curation's undo) would deadlock with the
/// import, and a `FOR UPDATE` lock would block the foreign-key checks (`KEY SHARE`) of a
/// curation that holds the ingest lock.
#[tracing::instrument(skip_all, fields(articles = ids.len()))]
pub async fn mark_extracted(
    conn: &mut PgConnection,
    ids: &[Uuid],
    hashes: &[Vec<u8>],
    version: &str,
) -> sqlx::Result<Vec<Uuid>> {
    // Rows already at this version are not rewritten (an update recomputes the full-text
    // vector), but they are returned all the same.
    let rows = sqlx::query_scalar!(
        r#"
        WITH wanted AS (
            SELECT a.id FROM articles a
            JOIN UNNEST($1::uuid[], $2::bytea[]) AS w(id, hash)
              ON a.id = w.id AND a.content_hash = w.hash
            FOR NO KEY UPDATE OF a SKIP LOCKED
        ), updated AS (
            UPDATE articles a SET extractor_version = $3, updated_at = now()
            FROM wanted WHERE a.id = wanted.id AND a.extractor_version <> $3
            RETURNING a.id
        )
        SELECT id AS "id!" FROM wanted
        "#,
        ids,
        hashes,
        version,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows)
}

/// A stored article as `reextract` reads it.
#[derive(Debug, Clone)]
pub struct StoredArticle {
    /// Id.
    pub id: Uuid,
    /// Canonical URL.
    pub url: String,
    /// Title.
    pub title: String,
    /// Body.
    pub body: String,
    /// Publication date.
    pub published_at: Option<DateTime<Utc>>,
    /// Source domain.
    pub domain: String,
    /// Source display name.
    pub source_name: String,
    /// Language tag.
    pub language: String,
    /// Content hash.
    pub content_hash: Vec<u8>,
}

/// The next page (by id) of articles not extracted by `current_version` (all articles when
/// `all` is set).
#[tracing::instrument(skip_all)]
pub async fn page_to_reextract(
    executor: impl PgExecutor<'_>,
    current_version: &str,
    all: bool,
    after: Uuid,
    limit: i64,
) -> sqlx::Result<Vec<StoredArticle>> {
    sqlx::query_as!(
        StoredArticle,
        r#"
        SELECT a.id, a.url, a.title, a.body, a.published_at, s.domain, s.name AS source_name,
               a.language, a.content_hash
        FROM articles a
        JOIN sources s ON s.id = a.source_id
        WHERE a.id > $1 AND ($2 OR a.extractor_version <> $3)
        ORDER BY a.id
        LIMIT $4
        "#,
        after,
        all,
        current_version,
        limit,
    )
    .fetch_all(executor)
    .await
}

/// These stored articles, as [`page_to_reextract`] reads them.
pub async fn stored_by_ids(
    executor: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> sqlx::Result<Vec<StoredArticle>> {
    sqlx::query_as!(
        StoredArticle,
        r#"
        SELECT a.id, a.url, a.title, a.body, a.published_at, s.domain, s.name AS source_name,
               a.language, a.content_hash
        FROM articles a
        JOIN sources s ON s.id = a.source_id
        WHERE a.id = ANY($1)
        ORDER BY a.id
        "#,
        ids,
    )
    .fetch_all(executor)
    .await
}

/// How many articles `reextract` would visit.
pub async fn count_to_reextract(
    executor: impl PgExecutor<'_>,
    current_version: &str,
    all: bool,
) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "count!" FROM articles WHERE $1 OR extractor_version <> $2"#,
        all,
        current_version,
    )
    .fetch_one(executor)
    .await
}

/// One article with every column the API shows.
pub async fn by_id(
    executor: impl PgExecutor<'_>,
    id: ArticleId,
) -> sqlx::Result<Option<super::article_search::ArticleRow>> {
    sqlx::query_as!(
        super::article_search::ArticleRow,
        r#"
        SELECT a.id, a.url, a.title, a.body AS "body?", a.published_at, s.domain AS source_domain,
               s.name AS source_name, a.language, a.extractor_version, a.created_at, a.updated_at,
               NULL::real AS rank, NULL::text AS headline
        FROM articles a JOIN sources s ON s.id = a.source_id
        WHERE a.id = $1
        "#,
        id.uuid(),
    )
    .fetch_optional(executor)
    .await
}

/// An entity named in an article, with its mentions there.
#[derive(Debug, Clone)]
pub struct ArticleEntityRow {
    /// The entity.
    pub id: EntityId,
    /// Its slug.
    pub slug: String,
    /// Its name.
    pub name: String,
    /// Its type.
    pub kind: EntityKind,
    /// Its articles, all time.
    pub article_count: i32,
    /// Its mentions in this article.
    pub mention_count: i32,
}

/// The entities of an article, most mentioned first.
pub async fn entities_of(
    executor: impl PgExecutor<'_>,
    article: ArticleId,
) -> sqlx::Result<Vec<ArticleEntityRow>> {
    sqlx::query_as!(
        ArticleEntityRow,
        r#"
        SELECT e.id, e.slug, e.name, e.kind AS "kind: EntityKind", e.article_count, ae.mention_count
        FROM article_entities ae JOIN entities e ON e.id = ae.entity_id
        WHERE ae.article_id = $1
        ORDER BY ae.mention_count DESC, e.name
        "#,
        article.uuid(),
    )
    .fetch_all(executor)
    .await
}

/// A mention as the API shows it.
#[derive(Debug, Clone)]
pub struct MentionRow {
    /// The article.
    pub article_id: ArticleId,
    /// The entity.
    pub entity_id: EntityId,
    /// Title or body.
    pub field: Field,
    /// Start offset in code points.
    pub start_offset: i32,
    /// End offset in code points.
    pub end_offset: i32,
    /// Surface text.
    pub surface: String,
    /// Confidence.
    pub confidence: f32,
}

/// The mentions in these articles, of one entity or of all, in text order.
pub async fn mentions_in(
    executor: impl PgExecutor<'_>,
    articles: &[ArticleId],
    entity: Option<EntityId>,
) -> sqlx::Result<Vec<MentionRow>> {
    sqlx::query_as!(
        MentionRow,
        r#"
        SELECT article_id, entity_id, field AS "field: Field", start_offset, end_offset, surface,
               confidence
        FROM mentions
        WHERE article_id = ANY($1::uuid[]) AND ($2::uuid IS NULL OR entity_id = $2)
        ORDER BY article_id, field DESC, start_offset
        "#,
        articles as &[ArticleId],
        entity as Option<EntityId>,
    )
    .fetch_all(executor)
    .await
}

/// Whether an article exists.
pub async fn exists(executor: impl PgExecutor<'_>, id: ArticleId) -> sqlx::Result<bool> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM articles WHERE id = $1) AS "exists!""#,
        id.uuid()
    )
    .fetch_one(executor)
    .await
}
