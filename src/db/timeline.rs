//! An entity's timeline: articles and mentions per day, week or month, empty buckets
//! included.

use chrono::{DateTime, Utc};
use sqlx::PgExecutor;

use crate::domain::{EntityId, Named, spelled};

/// One bucket of a timeline.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Bucket {
    /// The bucket's start (UTC).
    pub start: DateTime<Utc>,
    /// Articles naming the entity.
    pub articles: i64,
    /// Mentions of it.
    pub mentions: i64,
}

/// The length of a timeline bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// A UTC day.
    Day,
    /// A week from Monday, UTC.
    Week,
    /// A calendar month, UTC.
    Month,
}

impl Named for Interval {
    const ALL: &'static [Self] = &[Self::Day, Self::Week, Self::Month];
    const WHAT: &'static str = "interval";

    /// The name used in `interval=`, and PostgreSQL's for `date_trunc` and intervals.
    fn as_str(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::Month => "month",
        }
    }
}

spelled!(Interval);

/// Articles and mentions per `interval` in [from, to), empty buckets
/// included. Undated articles have no place on a timeline.
#[tracing::instrument(skip_all)]
pub async fn timeline(
    executor: impl PgExecutor<'_>,
    entity: EntityId,
    interval: Interval,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Bucket>> {
    sqlx::query_as(
        r#"
        WITH buckets AS (
            SELECT generate_series(
                date_trunc($2, $3::timestamptz, 'UTC'),
                date_trunc($2, $4::timestamptz - interval '1 microsecond', 'UTC'),
                ('1 ' || $2)::interval
            ) AS start
        ),
        counts AS (
            SELECT date_trunc($2, published_at, 'UTC') AS start,
                   count(*) AS articles, sum(mention_count) AS mentions
            FROM article_entities
            WHERE entity_id = $1 AND published_at >= $3 AND published_at < $4
            GROUP BY 1
        )
        SELECT b.start, COALESCE(c.articles, 0)::bigint AS articles,
               COALESCE(c.mentions, 0)::bigint AS mentions
        FROM buckets b LEFT JOIN counts c ON c.start = b.start
        ORDER BY b.start
        "#,
    )
    .bind(entity)
    .bind(interval.as_str())
    .bind(from)
    .bind(to)
    .fetch_all(executor)
    .await
}
