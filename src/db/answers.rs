//! What the dashboard answers read from the database: the matching
//! articles with their entities when the in-memory snapshot cannot answer, bucket bounds in a
//! time zone, totals per bucket, and the labels of the entities and sources shown.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::article_search::{ArticleFilter, push_from_where};
use super::text_index::EntityFactsRow;
use super::timeline::Interval;
use crate::domain::{EntityId, EntityKind, Named};

/// A matching article as the answers count it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MatchedRow {
    /// Publication date.
    pub published_at: Option<DateTime<Utc>>,
    /// Source.
    pub source_id: i32,
    /// The entities it names.
    pub entity_ids: Vec<Uuid>,
}

/// Every article matching `filter`, in list order (newest first), with its entities when
/// `with_entities` (else none: a timeline needs only dates).
#[tracing::instrument(skip_all)]
pub async fn matched(
    executor: impl PgExecutor<'_>,
    filter: &ArticleFilter,
    with_entities: bool,
) -> sqlx::Result<Vec<MatchedRow>> {
    let entities = if with_entities {
        "ARRAY(SELECT x.entity_id FROM article_entities x WHERE x.article_id = a.id)"
    } else {
        "'{}'::uuid[]"
    };
    let mut query = QueryBuilder::<Postgres>::new(format!(
        "SELECT a.published_at, a.source_id, {entities} AS entity_ids "
    ));
    push_from_where(&mut query, filter);
    query.push(" ORDER BY COALESCE(a.published_at, '-infinity'::timestamptz) DESC, a.id DESC");
    query.build_query_as().fetch_all(executor).await
}

/// The type and place of each of these entities.
pub async fn entity_facts(
    executor: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> sqlx::Result<Vec<EntityFactsRow>> {
    sqlx::query_as!(
        EntityFactsRow,
        r#"SELECT id, kind AS "kind: EntityKind", latitude, longitude
           FROM entities WHERE id = ANY($1)"#,
        ids,
    )
    .fetch_all(executor)
    .await
}

/// One bucket bound: the instant, and the local date it starts in the time zone asked for.
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct Bound {
    /// The instant.
    pub start: DateTime<Utc>,
    /// Its local date.
    pub date: NaiveDate,
}

/// The bounds of the `interval` buckets covering `from..to` in time zone `tz` (an IANA name
/// or an offset PostgreSQL accepts), from the start of the bucket holding `from` to the end
/// of the bucket holding the last instant before `to`: one more bound than buckets. Local
/// days, weeks (from Monday) and months follow the zone's daylight-saving changes. A zone
/// PostgreSQL does not know is its error `22023`.
pub async fn bounds(
    executor: impl PgExecutor<'_>,
    interval: Interval,
    tz: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> sqlx::Result<Vec<Bound>> {
    sqlx::query_as!(
        Bound,
        r#"
        SELECT (l AT TIME ZONE $2) AS "start!", l::date AS "date!"
        FROM generate_series(
            date_trunc($1, $3::timestamptz AT TIME ZONE $2),
            date_trunc($1, ($4::timestamptz - interval '1 microsecond') AT TIME ZONE $2)
                + ('1 ' || $1)::interval,
            ('1 ' || $1)::interval
        ) AS l
        "#,
        interval.as_str(),
        tz,
        from,
        to,
    )
    .fetch_all(executor)
    .await
}

/// How many articles were published in each bucket between consecutive `bounds`.
pub async fn totals(
    executor: impl PgExecutor<'_>,
    bounds: &[DateTime<Utc>],
) -> sqlx::Result<Vec<i64>> {
    let rows = sqlx::query!(
        r#"
        SELECT width_bucket(published_at, $1::timestamptz[]) AS "bucket!", count(*) AS "articles!"
        FROM articles
        WHERE published_at >= ($1::timestamptz[])[1]
          AND published_at < ($1::timestamptz[])[cardinality($1::timestamptz[])]
        GROUP BY 1
        "#,
        bounds,
    )
    .fetch_all(executor)
    .await?;
    let mut totals = vec![0; bounds.len().saturating_sub(1)];
    for row in rows {
        if let Some(total) = usize::try_from(row.bucket - 1)
            .ok()
            .and_then(|i| totals.get_mut(i))
        {
            *total = row.articles;
        }
    }
    Ok(totals)
}

/// What an answer shows of an entity.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntityLabel {
    /// Id.
    pub id: EntityId,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Type.
    pub kind: EntityKind,
    /// Its articles, all time.
    pub article_count: i32,
    /// Latitude.
    pub latitude: Option<f64>,
    /// Longitude.
    pub longitude: Option<f64>,
    /// Wikidata id.
    pub wikidata_id: Option<String>,
}

/// The labels of these entities (in no order).
pub async fn entity_labels(
    executor: impl PgExecutor<'_>,
    ids: &[Uuid],
) -> sqlx::Result<Vec<EntityLabel>> {
    sqlx::query_as!(
        EntityLabel,
        r#"SELECT id AS "id: EntityId", slug, name, kind AS "kind: EntityKind", article_count,
                  latitude, longitude, wikidata_id
           FROM entities WHERE id = ANY($1)"#,
        ids,
    )
    .fetch_all(executor)
    .await
}

/// A source's domain and name, by id.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SourceLabel {
    /// Id.
    pub id: i32,
    /// Domain.
    pub domain: String,
    /// Display name.
    pub name: String,
}

/// The labels of these sources (in no order).
pub async fn source_labels(
    executor: impl PgExecutor<'_>,
    ids: &[i32],
) -> sqlx::Result<Vec<SourceLabel>> {
    sqlx::query_as!(
        SourceLabel,
        r#"SELECT id, domain, name FROM sources WHERE id = ANY($1)"#,
        ids,
    )
    .fetch_all(executor)
    .await
}
