//! What the in-memory full-text index (the `textindex` module) reads: every article's lexemes
//! in list order, the sources, and a change marker.

use chrono::{DateTime, Utc};
use futures_util::stream::BoxStream;
use sqlx::{PgExecutor, PgPool};
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
    /// The distinct lexemes of its `search` vector.
    pub lexemes: Vec<String>,
}

/// Every article's lexemes, in list order (newest first, undated last, ties by id
/// descending), streamed.
pub fn rows(pool: &PgPool) -> BoxStream<'_, sqlx::Result<IndexRow>> {
    sqlx::query_as!(
        IndexRow,
        r#"SELECT id, published_at, source_id, tsvector_to_array(search) AS "lexemes!"
           FROM articles
           ORDER BY COALESCE(published_at, '-infinity'::timestamptz) DESC, id DESC"#
    )
    .fetch(pool)
}

/// Every source's id and domain.
pub async fn sources(executor: impl PgExecutor<'_>) -> sqlx::Result<Vec<(i32, String)>> {
    let rows = sqlx::query!(r#"SELECT id, domain FROM sources"#)
        .fetch_all(executor)
        .await?;
    Ok(rows.into_iter().map(|row| (row.id, row.domain)).collect())
}

/// A number that changes whenever rows of `articles` are inserted, updated or deleted: the
/// table's cumulative statistics, which reach this view within about a second of a commit.
pub async fn change_marker(executor: impl PgExecutor<'_>) -> sqlx::Result<i64> {
    sqlx::query_scalar!(
        r#"SELECT pg_stat_get_tuples_inserted(c.oid) + pg_stat_get_tuples_updated(c.oid)
                  + pg_stat_get_tuples_deleted(c.oid) AS "marker!"
           FROM pg_class c WHERE c.oid = 'articles'::regclass"#
    )
    .fetch_one(executor)
    .await
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
