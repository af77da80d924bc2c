//! Totals for `/v1/stats`.

use chrono::{DateTime, Utc};
use newsgraph_extract::EntityKind;
use sqlx::PgExecutor;

/// Counts over the whole store.
#[derive(Debug, Clone)]
pub struct Totals {
    /// Articles.
    pub articles: i64,
    /// Sources.
    pub sources: i64,
    /// Mentions.
    pub mentions: i64,
    /// Earliest publication date.
    pub first_published: Option<DateTime<Utc>>,
    /// Latest publication date.
    pub last_published: Option<DateTime<Utc>>,
}

/// Store-wide totals.
pub async fn totals(executor: impl PgExecutor<'_>) -> sqlx::Result<Totals> {
    sqlx::query_as!(
        Totals,
        r#"
        SELECT (SELECT count(*) FROM articles) AS "articles!",
               (SELECT count(*) FROM sources) AS "sources!",
               (SELECT COALESCE(sum(mention_count), 0) FROM entities)::bigint AS "mentions!",
               (SELECT min(published_at) FROM articles) AS first_published,
               (SELECT max(published_at) FROM articles) AS last_published
        "#
    )
    .fetch_one(executor)
    .await
}

/// Entities named in at least one article, per type.
pub async fn entities_by_kind(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(EntityKind, i64)>> {
    let rows = sqlx::query!(
        r#"SELECT kind AS "kind: EntityKind", count(*) AS "count!" FROM entities WHERE article_count > 0 GROUP BY kind ORDER BY kind"#
    )
    .fetch_all(executor)
    .await?;
    Ok(rows.into_iter().map(|row| (row.kind, row.count)).collect())
}

/// The most-named entities of each type.
#[derive(Debug, Clone)]
pub struct TopEntity {
    /// Type.
    pub kind: EntityKind,
    /// Id.
    pub id: uuid::Uuid,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Articles naming it.
    pub article_count: i32,
}

/// The `per_kind` most-named entities of each type.
pub async fn top_entities(
    executor: impl PgExecutor<'_>,
    per_kind: i64,
) -> sqlx::Result<Vec<TopEntity>> {
    sqlx::query_as!(
        TopEntity,
        r#"
        SELECT t.kind AS "kind!: EntityKind", t.id AS "id!", t.slug AS "slug!", t.name AS "name!",
               t.article_count AS "article_count!"
        FROM (VALUES ('person'), ('place'), ('organization')) AS k(kind)
        CROSS JOIN LATERAL (
            SELECT e.kind, e.id, e.slug, e.name, e.article_count FROM entities e
            WHERE e.kind = k.kind AND e.article_count > 0
            ORDER BY e.article_count DESC, e.id DESC
            LIMIT $1
        ) t
        "#,
        per_kind,
    )
    .fetch_all(executor)
    .await
}
