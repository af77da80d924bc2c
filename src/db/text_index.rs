//! What the in-memory full-text index (the `textindex` module) reads: every article's lexemes
//! in list order, the sources, and a change marker.

use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use sqlx::{PgConnection, PgExecutor, PgPool, Postgres, Transaction};

use crate::domain::EntityKind;
use uuid::Uuid;

/// One article as the full-text index holds it.
#[derive(Debug, Clone)]
pub struct IndexRow {
    /// Id.
    pub id: Uuid,
    /// Publication date.
    pub published_at: Option<DateTime<Utc>>,
    /// Source.
    pub source_id: i32,
    /// Its `search` vector's text form: lexemes, positions and weights.
    pub search: String,
    /// The entities it names.
    pub entity_ids: Vec<Uuid>,
}

/// Every article's search vector and entities, in list order (newest first, undated last, ties by
/// id descending), streamed.
pub fn rows<'c>(conn: &'c mut PgConnection) -> BoxStream<'c, sqlx::Result<IndexRow>> {
    sqlx::query_as!(
        IndexRow,
        r#"SELECT a.id, a.published_at, a.source_id, a.search::text AS "search!",
                  ARRAY(SELECT x.entity_id FROM article_entities x WHERE x.article_id = a.id)
                      AS "entity_ids!"
           FROM articles a
           ORDER BY COALESCE(a.published_at, '-infinity'::timestamptz) DESC, a.id DESC"#
    )
    .fetch(conn)
}

/// An entity as the index holds it.
#[derive(Debug, Clone)]
pub struct EntityFactsRow {
    /// Id.
    pub id: Uuid,
    /// Type.
    pub kind: EntityKind,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
}

/// Every entity some article names.
pub async fn entities(executor: impl PgExecutor<'_>) -> sqlx::Result<Vec<EntityFactsRow>> {
    sqlx::query_as!(
        EntityFactsRow,
        r#"SELECT id, kind AS "kind: EntityKind", latitude, longitude
           FROM entities WHERE article_count > 0"#
    )
    .fetch_all(executor)
    .await
}

/// Starts the read-only, repeatable-read transaction a build reads in, so that the articles'
/// entities are among the entities it read.
pub async fn begin_build(pool: &PgPool) -> sqlx::Result<Transaction<'static, Postgres>> {
    let mut tx = pool.begin().await?;
    sqlx::query!("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    Ok(tx)
}

/// Every source's id and domain.
pub async fn sources(executor: impl PgExecutor<'_>) -> sqlx::Result<Vec<(i32, String)>> {
    let rows = sqlx::query!(r#"SELECT id, domain FROM sources"#)
        .fetch_all(executor)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.domain)).collect())
}

/// The feed's newest number and the entities' latest `updated_at`.
pub type ChangeMarker = (i64, Option<DateTime<Utc>>);

/// What changes, in the same transaction, with every write the index holds: the article
/// feed's newest number (every import, `POST`, re-extraction and resolution of articles) and
/// the entities' latest `updated_at` (set under the ingest lock by every write of entities or
/// of which entities an article names, curation included).
pub async fn change_marker(executor: impl PgExecutor<'_>) -> sqlx::Result<ChangeMarker> {
    let row = sqlx::query!(
        r#"SELECT (SELECT COALESCE(max(seq), 0) FROM article_changes) AS "feed!",
                  (SELECT max(updated_at) FROM entities) AS "entities""#
    )
    .fetch_one(executor)
    .await?;
    Ok((row.feed, row.entities))
}

/// The text form of `websearch_to_tsquery(q)`, as the database parses and stems it.
pub async fn tsquery_text(executor: impl PgExecutor<'_>, q: &str) -> sqlx::Result<String> {
    sqlx::query_scalar!(
        r#"SELECT websearch_to_tsquery('newsgraph_english'::regconfig, $1)::text AS "query!""#,
        q
    )
    .fetch_one(executor)
    .await
}
