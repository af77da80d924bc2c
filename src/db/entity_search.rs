//! The entity list of the API: a plain list in one of the [`EntitySort`] orders, or a name
//! search with tiers of match quality, keyset-paginated, with an optional count.

use sqlx::{PgExecutor, Postgres, QueryBuilder};
use uuid::Uuid;

use super::entity_queries::{ENTITY_COLUMNS, EntityRow};
use super::listing::{Page, Position, SortKey};
use crate::domain::{EntityKind, Named, spelled};
use crate::names::rank;

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

/// Name search, best first, scored as [`crate::names::rank`] says (the in-memory directory
/// scores the same): exact alias, alias prefix, word prefix, each plus the share of the alias
/// covered, then typo-tolerant trigram matches below them all. The
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
            query.push(" THEN ");
            query.push_bind(rank::EXACT);
            query.push(" WHEN ea.norm LIKE ");
            query.push_bind(format!("{escaped}%"));
            query.push(" THEN ");
            query.push_bind(rank::PREFIX);
            query.push(" ELSE ");
            query.push_bind(rank::WORD_PREFIX);
            query.push(" END + ");
            query.push_bind(rank::COVERAGE);
            query.push(" * ");
            query.push_bind(i32::try_from(q.chars().count()).unwrap_or(i32::MAX));
            query.push("::float8 / greatest(char_length(ea.norm), 1)");
        }
        Tier::Fuzzy => {
            query.push_bind(rank::TYPO);
            query.push(" * greatest(similarity(ea.norm, ");
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
