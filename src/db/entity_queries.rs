//! The entity reads of the API: one entity by id or slug (following merge redirects), the
//! list with name search, the entities co-mentioned with one, and its timeline.

use chrono::{DateTime, Utc};
use newsgraph_extract::EntityKind;
use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::listing::{Page, Position, SortKey};
use crate::domain::{EntityId, Named, spelled};

/// An entity as the API shows it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct EntityRow {
    /// Id.
    pub id: EntityId,
    /// Person, place or organization.
    pub kind: EntityKind,
    /// Canonical name.
    pub name: String,
    /// Readable unique address.
    pub slug: String,
    /// Articles naming it.
    pub article_count: i32,
    /// Mentions of it.
    pub mention_count: i32,
    /// Earliest publication date among its articles.
    pub first_seen: Option<DateTime<Utc>>,
    /// Latest publication date among its articles.
    pub last_seen: Option<DateTime<Utc>>,
    /// Latitude, for places when known.
    pub latitude: Option<f64>,
    /// Longitude, for places when known.
    pub longitude: Option<f64>,
    /// GeoNames id, for places when known.
    pub geonames_id: Option<i64>,
    /// Wikidata id, when known.
    pub wikidata_id: Option<String>,
    /// Every surface form seen.
    pub aliases: Vec<String>,
    /// Search score, with `q`.
    pub score: Option<f64>,
}

/// The entity's own columns, without its aliases.
macro_rules! entity_fields {
    () => {
        "e.id, e.kind, e.name, e.slug, e.article_count, e.mention_count, e.first_seen, \
         e.last_seen, e.latitude, e.longitude, e.geonames_id, e.wikidata_id"
    };
}

const ENTITY_COLUMNS: &str = concat!(
    entity_fields!(),
    ", ARRAY(SELECT ea.alias FROM entity_aliases ea WHERE ea.entity_id = e.id ORDER BY ea.alias) AS aliases"
);

/// An entity by id.
pub async fn by_id(executor: impl PgExecutor<'_>, id: EntityId) -> sqlx::Result<Option<EntityRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e WHERE e.id = $1"
    ))
    .bind(id)
    .fetch_optional(executor)
    .await
}

/// An entity by slug.
pub async fn by_slug(executor: impl PgExecutor<'_>, slug: &str) -> sqlx::Result<Option<EntityRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e WHERE e.slug = $1"
    ))
    .bind(slug)
    .fetch_optional(executor)
    .await
}

/// The most named entity carrying a Wikidata id.
pub async fn by_wikidata(
    executor: impl PgExecutor<'_>,
    qid: &str,
) -> sqlx::Result<Option<EntityRow>> {
    sqlx::query_as(&format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e \
         WHERE e.wikidata_id = $1 ORDER BY e.article_count DESC, e.id LIMIT 1"
    ))
    .bind(qid)
    .fetch_optional(executor)
    .await
}

/// Where a merged entity's id or slug now points: the surviving entity's id and slug.
pub async fn redirect(
    executor: impl PgExecutor<'_>,
    id: Option<EntityId>,
    slug: Option<&str>,
) -> sqlx::Result<Option<(EntityId, String)>> {
    let row = sqlx::query!(
        r#"
        SELECT e.id, e.slug FROM entity_redirects r JOIN entities e ON e.id = r.entity_id
        WHERE r.old_id = $1 OR r.old_slug = $2
        LIMIT 1
        "#,
        id.map(EntityId::uuid),
        slug,
    )
    .fetch_optional(executor)
    .await?;
    Ok(row.map(|row| (row.id.into(), row.slug)))
}

/// The entity orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntitySort {
    /// Most articles first.
    ArticleCount,
    /// By name, A to Z.
    Name,
    /// Most recently seen first.
    Recency,
    /// Best name match first; needs `q`.
    Relevance,
}

impl Named for EntitySort {
    const ALL: &'static [Self] = &[
        Self::ArticleCount,
        Self::Name,
        Self::Recency,
        Self::Relevance,
    ];
    const WHAT: &'static str = "entity sort";

    /// The name used in `sort=` and in cursors.
    fn as_str(self) -> &'static str {
        match self {
            Self::ArticleCount => "-article_count",
            Self::Name => "name",
            Self::Recency => "-last_seen",
            Self::Relevance => "relevance",
        }
    }
}

spelled!(EntitySort);

impl EntitySort {
    /// Where a row stands in this order, for its page's cursor.
    pub fn position_of(self, row: &EntityRow) -> (SortKey, Uuid) {
        let key = match self {
            Self::ArticleCount => SortKey::Number(f64::from(row.article_count)),
            Self::Name => SortKey::Text(row.name.to_lowercase()),
            Self::Recency => SortKey::Date(row.last_seen),
            // The score and the count together: a cursor must place the row exactly.
            Self::Relevance => SortKey::Text(format!(
                "{}:{}",
                row.score.unwrap_or_default(),
                row.article_count
            )),
        };
        (key, row.id.uuid())
    }
}

/// What to list.
#[derive(Debug, Clone, Default)]
pub struct EntityFilter {
    /// The folded search text (see `names::search_norm`).
    pub q: Option<String>,
    /// Only entities of this type.
    pub kind: Option<EntityKind>,
}

/// One page of entities.
#[tracing::instrument(skip_all)]
pub async fn list(
    executor: impl PgExecutor<'_>,
    filter: &EntityFilter,
    sort: EntitySort,
    after: Option<&Position>,
    limit: i64,
) -> sqlx::Result<Page<EntityRow>> {
    let mut query = QueryBuilder::<Postgres>::new("");
    match (&filter.q, sort) {
        (Some(q), EntitySort::Relevance) => push_ranked_search(&mut query, q, filter, after, limit),
        _ => push_plain_list(&mut query, filter, sort, after, limit),
    }
    let rows: Vec<EntityRow> = query.build_query_as().fetch_all(executor).await?;
    Ok(Page::from_overfetch(rows, limit, sort.as_str(), |row| {
        sort.position_of(row)
    }))
}

/// How many entities match, for `count=true`.
pub async fn count(executor: impl PgExecutor<'_>, filter: &EntityFilter) -> sqlx::Result<i64> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT count(*) FROM (");
    match &filter.q {
        Some(q) => {
            push_tier(&mut query, q, filter, Tier::Names, None);
            query.push(" UNION ALL ");
            push_tier(&mut query, q, filter, Tier::Fuzzy, None);
        }
        None => {
            query.push("SELECT e.id FROM entities e WHERE e.article_count > 0");
            push_kind(&mut query, filter);
        }
    }
    query.push(") matched");
    query.build_query_scalar().fetch_one(executor).await
}

/// A list sorted by a column, optionally restricted to entities with a matching alias.
fn push_plain_list(
    query: &mut QueryBuilder<'_, Postgres>,
    filter: &EntityFilter,
    sort: EntitySort,
    after: Option<&Position>,
    limit: i64,
) {
    query.push(format!(
        "SELECT {ENTITY_COLUMNS}, NULL::float8 AS score FROM entities e WHERE e.article_count > 0"
    ));
    push_kind(query, filter);
    if let Some(q) = &filter.q {
        query.push(" AND e.id IN (SELECT ea.entity_id FROM entity_aliases ea WHERE ");
        push_name_match(query, q);
        query.push(" OR ");
        push_fuzzy_match(query, q);
        query.push(")");
    }
    if let Some(after) = after {
        push_keyset(query, sort, after);
    }
    query.push(match sort {
        EntitySort::Name => " ORDER BY lower(e.name) COLLATE \"C\", e.id",
        EntitySort::Recency => {
            " ORDER BY COALESCE(e.last_seen, '-infinity'::timestamptz) DESC, e.id DESC"
        }
        _ => " ORDER BY e.article_count DESC, e.id DESC",
    });
    query.push(" LIMIT ");
    query.push_bind(limit + 1);
}

/// The two tiers of a name search.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tier {
    /// An alias equal to the query, starting with it, or with a word starting with it.
    Names,
    /// Only similar (typos): trigram similarity.
    Fuzzy,
}

/// Name search, best first: exact alias (score 1.0 + coverage/2), alias prefix (0.8 +),
/// word prefix (0.6 +), then typo-tolerant trigram matches (similarity/2, below 0.5). The
/// fuzzy tier is a second branch of a UNION ALL under the LIMIT, so PostgreSQL only runs it
/// when the name matches do not fill the page.
fn push_ranked_search(
    query: &mut QueryBuilder<'_, Postgres>,
    q: &str,
    filter: &EntityFilter,
    after: Option<&Position>,
    limit: i64,
) {
    query.push("(");
    push_tier(query, q, filter, Tier::Names, after);
    query.push(" ORDER BY score DESC, article_count DESC, id DESC) UNION ALL (");
    push_tier(query, q, filter, Tier::Fuzzy, after);
    query.push(" ORDER BY score DESC, article_count DESC, id DESC) LIMIT ");
    query.push_bind(limit + 1);
}

fn push_tier(
    query: &mut QueryBuilder<'_, Postgres>,
    q: &str,
    filter: &EntityFilter,
    tier: Tier,
    after: Option<&Position>,
) {
    query.push("SELECT * FROM (SELECT ");
    query.push(ENTITY_COLUMNS);
    query.push(", m.score FROM (SELECT ea.entity_id, max(");
    match tier {
        // Name matches: the kind of match, then how much of the alias the query covers
        // (cheap, and a shorter alias is the closer one).
        Tier::Names => {
            let escaped = escape_like(q);
            query.push("CASE WHEN ea.norm = ");
            query.push_bind(q.to_owned());
            query.push(" THEN 1.0 WHEN ea.norm LIKE ");
            query.push_bind(format!("{escaped}%"));
            query.push(" THEN 0.8 ELSE 0.6 END + 0.5 * ");
            query.push_bind(i32::try_from(q.chars().count()).unwrap_or(i32::MAX));
            query.push("::float8 / greatest(char_length(ea.norm), 1)");
        }
        Tier::Fuzzy => {
            query.push("0.5 * greatest(similarity(ea.norm, ");
            query.push_bind(q.to_owned());
            query.push("), word_similarity(");
            query.push_bind(q.to_owned());
            query.push(", ea.norm))");
        }
    }
    query.push(")::float8 AS score FROM entity_aliases ea WHERE ");
    match tier {
        Tier::Names => push_name_match(query, q),
        Tier::Fuzzy => {
            query.push("(");
            push_fuzzy_match(query, q);
            query
                .push(") AND ea.entity_id NOT IN (SELECT n.entity_id FROM entity_aliases n WHERE ");
            push_name_match_on(query, q, "n");
            query.push(")");
        }
    }
    query.push(
        " GROUP BY ea.entity_id) m JOIN entities e ON e.id = m.entity_id WHERE e.article_count > 0",
    );
    push_kind(query, filter);
    query.push(") t");
    if let Some(Position {
        key: SortKey::Text(key),
        id,
        ..
    }) = after
    {
        let (score, count) = key.split_once(':').unwrap_or(("0", "0"));
        query.push(" WHERE (t.score, t.article_count, t.id) < (");
        query.push_bind(score.parse::<f64>().unwrap_or(0.0));
        query.push(", ");
        query.push_bind(count.parse::<i32>().unwrap_or(0));
        query.push(", ");
        query.push_bind(*id);
        query.push(")");
    }
}

fn push_name_match(query: &mut QueryBuilder<'_, Postgres>, q: &str) {
    push_name_match_on(query, q, "ea");
}

/// An alias starting with the query, or with a word starting with it.
fn push_name_match_on(query: &mut QueryBuilder<'_, Postgres>, q: &str, alias: &str) {
    let escaped = escape_like(q);
    query.push(format!("({alias}.norm LIKE "));
    query.push_bind(format!("{escaped}%"));
    query.push(format!(" OR {alias}.norm LIKE "));
    query.push_bind(format!("% {escaped}%"));
    query.push(")");
}

/// An alias similar to the query as a whole or to one of its words (pg_trgm).
fn push_fuzzy_match(query: &mut QueryBuilder<'_, Postgres>, q: &str) {
    query.push("ea.norm % ");
    query.push_bind(q.to_owned());
    query.push(" OR ");
    query.push_bind(q.to_owned());
    query.push(" <% ea.norm");
}

fn push_kind(query: &mut QueryBuilder<'_, Postgres>, filter: &EntityFilter) {
    if let Some(kind) = filter.kind {
        query.push(" AND e.kind = ");
        query.push_bind(kind);
    }
}

fn push_keyset(query: &mut QueryBuilder<'_, Postgres>, sort: EntitySort, after: &Position) {
    match (sort, &after.key) {
        (EntitySort::ArticleCount, SortKey::Number(count)) => {
            query.push(" AND (e.article_count, e.id) < (");
            query.push_bind(*count as i32);
            query.push(", ");
        }
        (EntitySort::Name, SortKey::Text(name)) => {
            query.push(" AND (lower(e.name) COLLATE \"C\", e.id) > (");
            query.push_bind(name.clone());
            query.push(" COLLATE \"C\", ");
        }
        (EntitySort::Recency, SortKey::Date(last_seen)) => {
            query.push(" AND (COALESCE(e.last_seen, '-infinity'::timestamptz), e.id) < (COALESCE(");
            query.push_bind(*last_seen);
            query.push("::timestamptz, '-infinity'::timestamptz), ");
        }
        // The handler only passes positions made for this sort.
        _ => return,
    }
    query.push_bind(after.id);
    query.push(")");
}

/// Escapes LIKE's wildcards.
fn escape_like(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

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

/// Every entity, without aliases (see [`all_aliases`]), for the in-memory directory.
pub async fn all(executor: impl PgExecutor<'_>) -> sqlx::Result<Vec<EntityRow>> {
    sqlx::query_as(concat!(
        "SELECT ",
        entity_fields!(),
        ", ARRAY[]::text[] AS aliases, NULL::float8 AS score FROM entities e"
    ))
    .fetch_all(executor)
    .await
}

/// Every alias: entity, surface form, folded form.
pub async fn all_aliases(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(EntityId, String, String)>> {
    sqlx::query_as("SELECT entity_id, alias, norm FROM entity_aliases ORDER BY entity_id, alias")
        .fetch_all(executor)
        .await
}

/// Every redirect: old id, old slug, surviving entity.
pub async fn all_redirects(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<Vec<(EntityId, String, EntityId)>> {
    sqlx::query_as("SELECT old_id, old_slug, entity_id FROM entity_redirects")
        .fetch_all(executor)
        .await
}

/// What changes when entities do: the latest `updated_at` (set with the clock at write
/// time, under the ingest lock, so it grows in commit order) and how many there are.
pub async fn change_marker(
    executor: impl PgExecutor<'_>,
) -> sqlx::Result<(Option<DateTime<Utc>>, i64)> {
    sqlx::query_as("SELECT (SELECT max(updated_at) FROM entities), (SELECT count(*) FROM entities)")
        .fetch_one(executor)
        .await
}
