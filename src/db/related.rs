//! The entities co-mentioned with one: counts and PMI, and the pair counts among them for a
//! network chart.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use crate::domain::{EntityId, EntityKind, Named, spelled};

/// An entity named alongside another.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RelatedRow {
    /// Id.
    pub id: EntityId,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Type.
    pub kind: EntityKind,
    /// Its articles (all time).
    pub article_count: i32,
    /// Articles naming both (within the date range).
    pub co_count: i64,
    /// Pointwise mutual information of the two over all articles.
    pub pmi: f64,
}

/// The entity orders of `related`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelatedSort {
    /// Most shared articles first.
    Count,
    /// Strongest association first.
    Pmi,
}

impl Named for RelatedSort {
    const ALL: &'static [Self] = &[Self::Count, Self::Pmi];
    const WHAT: &'static str = "related sort";

    /// The name used in `sort=`.
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "-co_count",
            Self::Pmi => "-pmi",
        }
    }
}

spelled!(RelatedSort);

/// What to relate.
#[derive(Debug, Clone)]
pub struct RelatedFilter {
    /// The entity.
    pub entity: EntityId,
    /// Only entities of this type.
    pub kind: Option<EntityKind>,
    /// Articles published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Articles published before.
    pub to: Option<DateTime<Utc>>,
    /// Fewest shared articles.
    pub min_count: i64,
}

/// The entities co-mentioned with one, with co-occurrence counts and PMI:
/// ln(P(x, y) / (P(x) P(y))) with probabilities over all stored articles.
#[tracing::instrument(skip_all)]
pub async fn related(
    executor: impl PgExecutor<'_>,
    filter: &RelatedFilter,
    sort: RelatedSort,
    limit: i64,
) -> sqlx::Result<Vec<RelatedRow>> {
    let order = match sort {
        RelatedSort::Count => "co.n DESC, pmi DESC, e.id",
        RelatedSort::Pmi => "pmi DESC, co.n DESC, e.id",
    };
    sqlx::query_as(&format!(
        r#"
        WITH target AS (
            SELECT article_id FROM article_entities
            WHERE entity_id = $1
              AND ($2::timestamptz IS NULL OR published_at >= $2)
              AND ($3::timestamptz IS NULL OR published_at < $3)
        ),
        co AS (
            SELECT ae.entity_id, count(*) AS n
            FROM target t JOIN article_entities ae ON ae.article_id = t.article_id
            WHERE ae.entity_id <> $1
            GROUP BY ae.entity_id
            HAVING count(*) >= $4
        ),
        totals AS (
            SELECT GREATEST((SELECT count(*) FROM articles), 1)::float8 AS articles,
                   GREATEST((SELECT article_count FROM entities WHERE id = $1), 1)::float8 AS target
        )
        SELECT e.id, e.slug, e.name, e.kind, e.article_count, co.n AS co_count,
               ln(co.n * totals.articles / (totals.target * GREATEST(e.article_count, 1))) AS pmi
        FROM co JOIN entities e ON e.id = co.entity_id CROSS JOIN totals
        WHERE ($5::text IS NULL OR e.kind = $5)
        ORDER BY {order}
        LIMIT $6
        "#
    ))
    .bind(filter.entity)
    .bind(filter.from)
    .bind(filter.to)
    .bind(filter.min_count)
    .bind(filter.kind)
    .bind(limit)
    .fetch_all(executor)
    .await
}

/// How often each pair of these entities appears together within the articles naming
/// `entity` (for the edges of a network chart).
pub async fn pair_counts(
    executor: impl PgExecutor<'_>,
    filter: &RelatedFilter,
    ids: &[EntityId],
) -> sqlx::Result<Vec<(EntityId, EntityId, i64)>> {
    sqlx::query_as(
        r#"
        WITH target AS (
            SELECT article_id FROM article_entities
            WHERE entity_id = $1
              AND ($2::timestamptz IS NULL OR published_at >= $2)
              AND ($3::timestamptz IS NULL OR published_at < $3)
        )
        SELECT a.entity_id, b.entity_id, count(*)
        FROM target t
        JOIN article_entities a ON a.article_id = t.article_id AND a.entity_id = ANY($4)
        JOIN article_entities b ON b.article_id = t.article_id AND b.entity_id = ANY($4)
        WHERE a.entity_id < b.entity_id
        GROUP BY 1, 2
        "#,
    )
    .bind(filter.entity)
    .bind(filter.from)
    .bind(filter.to)
    .bind(ids)
    .fetch_all(executor)
    .await
}
