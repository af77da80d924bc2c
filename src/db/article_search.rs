//! The article list query: full text, entities (all must match), entity type, dates and
//! source, sorted newest first, oldest first or by relevance, paged by keyset. Built with
//! `QueryBuilder` because the filters combine freely; every value is a bind parameter.
//!
//! With an entity filter the query walks that entity's range of
//! `article_entities_entity_recent_idx`, so "the latest articles about X" reads only the
//! rows it returns.
//!
//! A little over 400 lines: the filters, the orders and the keyset bounds build one
//! statement together, and split apart each would need the others' internals.

use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use newsgraph_extract::EntityKind;
use sqlx::{PgExecutor, PgPool, Postgres, QueryBuilder};
use uuid::Uuid;

use super::listing::{Page, Position, SortKey};
use crate::db::GenericPlans;
use crate::domain::{ArticleId, EntityId, Named, spelled};

/// The article orders.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArticleSort {
    /// Newest first (undated last).
    Newest,
    /// Oldest first (undated first).
    Oldest,
    /// Best full-text match first; needs `q`.
    Relevance,
}

impl Named for ArticleSort {
    const ALL: &'static [Self] = &[Self::Newest, Self::Oldest, Self::Relevance];
    const WHAT: &'static str = "article sort";

    /// The name used in `sort=` and in cursors.
    fn as_str(self) -> &'static str {
        match self {
            Self::Newest => "-published_at",
            Self::Oldest => "published_at",
            Self::Relevance => "relevance",
        }
    }
}

spelled!(ArticleSort);

/// What to list.
#[derive(Debug, Clone)]
pub struct ArticleFilter {
    /// Web-search syntax full text.
    pub q: Option<String>,
    /// Entities that must all be mentioned.
    pub entities: Vec<EntityId>,
    /// An entity type that must be mentioned.
    pub kind: Option<EntityKind>,
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
    /// Source domain.
    pub source: Option<String>,
    /// Stored (new or changed) at or after, by the change feed's clock.
    pub updated_since: Option<DateTime<Utc>>,
}

/// A row of the list.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ArticleRow {
    /// Id.
    pub id: ArticleId,
    /// Canonical URL.
    pub url: String,
    /// Title.
    pub title: String,
    /// Body, when asked for.
    pub body: Option<String>,
    /// Publication date.
    pub published_at: Option<DateTime<Utc>>,
    /// Source domain.
    pub source_domain: String,
    /// Source name.
    pub source_name: String,
    /// Language.
    pub language: String,
    /// Extractor version.
    pub extractor_version: String,
    /// First stored.
    pub created_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Full-text rank, with `q`.
    pub rank: Option<f32>,
    /// Highlighted excerpt, with `q`.
    pub headline: Option<String>,
}

/// Options of one page.
#[derive(Debug, Clone)]
pub struct PageRequest {
    /// Order.
    pub sort: ArticleSort,
    /// Continue after this position.
    pub after: Option<Position>,
    /// Rows per page.
    pub limit: i64,
    /// Whether to read bodies.
    pub with_body: bool,
    /// Whether to make highlighted excerpts (with `q`).
    pub with_headline: bool,
}

/// One page of articles. Without `q` the query is the same index range whatever the entity
/// or date, so it runs on the generic-plan pool: PostgreSQL would otherwise re-plan it for
/// every entity (its statistics make each value look different), and the planning took
/// longer than the query (measured: 930 -> 1,230 requests/s for `?entity=` pages). With `q`
/// the planner's view of the terms matters, so it runs on `pool` and plans each time.
pub async fn list_page(
    pool: &PgPool,
    generic: &GenericPlans,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<ArticleRow>> {
    if filter.q.is_some() {
        list(pool, filter, page).await
    } else {
        list(&generic.0, filter, page).await
    }
}

/// The most bytes of bodies one page of articles holds before it ends early (bodies may be
/// 8 MiB each: a page of 100, or an export page of 500, could otherwise take gigabytes).
pub const MAX_PAGE_BODY_BYTES: usize = 16 << 20;

/// One page of articles.
#[tracing::instrument(skip_all)]
pub async fn list(
    executor: impl PgExecutor<'_>,
    filter: &ArticleFilter,
    page: &PageRequest,
) -> sqlx::Result<Page<ArticleRow>> {
    let mut query = QueryBuilder::<Postgres>::new(
        "SELECT page.id, page.url, page.title, page.body, page.published_at, page.source_domain, \
         page.source_name, page.language, page.extractor_version, page.created_at, page.updated_at, ",
    );
    // Ranked by date, the rank is only computed for the page's rows.
    match (&filter.q, page.sort) {
        (Some(q), ArticleSort::Newest | ArticleSort::Oldest) => {
            query.push(
                "(SELECT ts_rank_cd(r.search, websearch_to_tsquery('newsgraph_english'::regconfig, ",
            );
            query.push_bind(q.clone());
            query.push(")) FROM articles r WHERE r.id = page.id) AS rank, ");
        }
        _ => {
            query.push("page.rank, ");
        }
    }
    match (&filter.q, page.with_headline) {
        (Some(q), true) => {
            query.push("ts_headline('newsgraph_english'::regconfig, page.body_for_headline, websearch_to_tsquery('newsgraph_english'::regconfig, ");
            query.push_bind(q.clone());
            query.push(format!("), '{HEADLINE_OPTIONS}') AS headline"));
        }
        _ => {
            query.push("NULL::text AS headline");
        }
    }
    query.push(" FROM (");
    push_select(&mut query, filter, page);
    query.push(") page");
    push_order(
        &mut query,
        page.sort,
        "page.sort_date",
        "page.rank",
        "page.id",
    );
    // Rows are read one by one so that a page of long bodies ends once it holds
    // MAX_PAGE_BODY_BYTES (and the row that passed it): its next link goes on from there.
    let mut rows: Vec<ArticleRow> = Vec::new();
    let mut body_bytes = 0;
    let mut cut_short = false;
    let mut stream = query.build_query_as::<ArticleRow>().fetch(executor);
    while let Some(row) = stream.try_next().await? {
        body_bytes += row.body.as_ref().map_or(0, String::len);
        rows.push(row);
        if body_bytes > MAX_PAGE_BODY_BYTES {
            cut_short = true;
            break;
        }
    }
    drop(stream);
    Ok(Page::from_rows(
        rows,
        page.limit,
        cut_short,
        page.sort.as_str(),
        |row| {
            let key = match page.sort {
                ArticleSort::Relevance => SortKey::Number(f64::from(row.rank.unwrap_or_default())),
                ArticleSort::Newest | ArticleSort::Oldest => SortKey::Date(row.published_at),
            };
            (key, row.id.uuid())
        },
    ))
}

/// How many articles match, for `count=true`.
#[tracing::instrument(skip_all)]
pub async fn count(executor: impl PgExecutor<'_>, filter: &ArticleFilter) -> sqlx::Result<i64> {
    let mut query = QueryBuilder::<Postgres>::new("SELECT count(*) ");
    push_from_where(&mut query, filter);
    query.build_query_scalar().fetch_one(executor).await
}

/// Those of the articles `ids` that match `filter` (in no order), for a live stream.
#[tracing::instrument(skip_all, fields(articles = ids.len()))]
pub async fn matching_of(
    executor: impl PgExecutor<'_>,
    filter: &ArticleFilter,
    ids: &[Uuid],
    with_body: bool,
) -> sqlx::Result<Vec<ArticleRow>> {
    let mut query = QueryBuilder::<Postgres>::new(format!(
        "SELECT {columns}, NULL::real AS rank, NULL::text AS headline ",
        columns = article_columns(with_body),
    ));
    push_from_where(&mut query, filter);
    query.push(" AND a.id = ANY(");
    query.push_bind(ids.to_vec());
    query.push(")");
    query.build_query_as().fetch_all(executor).await
}

/// The inner select: columns, FROM, WHERE, keyset, ORDER BY, LIMIT.
fn push_select(query: &mut QueryBuilder<'_, Postgres>, filter: &ArticleFilter, page: &PageRequest) {
    let (date, id) = date_and_id(filter);
    query.push(format!(
        "SELECT {columns}, {date} AS sort_date, {headline_body} AS body_for_headline, ",
        columns = article_columns(page.with_body),
        headline_body = if page.with_headline && filter.q.is_some() {
            "a.body"
        } else {
            "NULL::text"
        },
    ));
    if page.sort == ArticleSort::Relevance {
        push_rank(query, filter);
    } else {
        query.push("NULL::real");
    }
    query.push(" AS rank ");
    push_from_where(query, filter);
    if let Some(after) = &page.after {
        push_keyset(query, filter, page.sort, after, &date, &id);
    }
    match page.sort {
        ArticleSort::Relevance => push_order(query, page.sort, &date, "rank", &id),
        _ => push_order(query, page.sort, &date, "", &id),
    }
    query.push(" LIMIT ");
    query.push_bind(page.limit + 1);
}

/// The columns of [`ArticleRow`] read from `articles a` and `sources s`, up to `rank`.
fn article_columns(with_body: bool) -> String {
    format!(
        "a.id, a.url, a.title, {body} AS body, a.published_at, s.domain AS source_domain, \
         s.name AS source_name, a.language, a.extractor_version, a.created_at, a.updated_at",
        body = if with_body { "a.body" } else { "NULL::text" },
    )
}

/// The expressions the date order and its tie-breaker use: the entity aggregate's own
/// columns when an entity is filtered on (so its index serves the order), else the article's.
fn date_and_id(filter: &ArticleFilter) -> (String, String) {
    if filter.entities.is_empty() {
        (
            "COALESCE(a.published_at, '-infinity'::timestamptz)".to_owned(),
            "a.id".to_owned(),
        )
    } else {
        (
            "COALESCE(ae0.published_at, '-infinity'::timestamptz)".to_owned(),
            "ae0.article_id".to_owned(),
        )
    }
}

fn push_rank(query: &mut QueryBuilder<'_, Postgres>, filter: &ArticleFilter) {
    match &filter.q {
        Some(q) => {
            query
                .push("ts_rank_cd(a.search, websearch_to_tsquery('newsgraph_english'::regconfig, ");
            query.push_bind(q.clone());
            query.push("))");
        }
        None => {
            query.push("NULL::real");
        }
    }
}

/// `FROM articles a JOIN sources s ... WHERE <filter>`: the rows of `filter`, for the list, its
/// count and the dashboard answers read from the database.
pub(crate) fn push_from_where(query: &mut QueryBuilder<'_, Postgres>, filter: &ArticleFilter) {
    match filter.entities.first() {
        Some(first) => {
            query.push("FROM article_entities ae0 JOIN articles a ON a.id = ae0.article_id ");
            query.push("JOIN sources s ON s.id = a.source_id WHERE ae0.entity_id = ");
            query.push_bind(*first);
        }
        None => {
            query.push("FROM articles a JOIN sources s ON s.id = a.source_id WHERE TRUE");
        }
    }
    for entity in filter.entities.iter().skip(1) {
        query.push(" AND EXISTS (SELECT 1 FROM article_entities x WHERE x.article_id = a.id AND x.entity_id = ");
        query.push_bind(*entity);
        query.push(")");
    }
    if let Some(q) = &filter.q {
        query.push(" AND a.search @@ websearch_to_tsquery('newsgraph_english'::regconfig, ");
        query.push_bind(q.clone());
        query.push(")");
    }
    if let Some(kind) = filter.kind {
        query.push(
            " AND EXISTS (SELECT 1 FROM article_entities x JOIN entities e ON e.id = x.entity_id \
             WHERE x.article_id = a.id AND e.kind = ",
        );
        query.push_bind(kind);
        query.push(")");
    }
    if let Some(from) = filter.from {
        query.push(" AND a.published_at >= ");
        query.push_bind(from);
    }
    if let Some(to) = filter.to {
        query.push(" AND a.published_at < ");
        query.push_bind(to);
    }
    if let Some(source) = &filter.source {
        query.push(" AND s.domain = ");
        query.push_bind(source.clone());
    }
    if let Some(since) = filter.updated_since {
        query.push(
            " AND EXISTS (SELECT 1 FROM article_changes c WHERE c.article_id = a.id \
             AND c.changed_at >= ",
        );
        query.push_bind(since);
        query.push(")");
    }
}

fn push_keyset(
    query: &mut QueryBuilder<'_, Postgres>,
    filter: &ArticleFilter,
    sort: ArticleSort,
    after: &Position,
    date: &str,
    id: &str,
) {
    match (sort, &after.key) {
        (ArticleSort::Relevance, SortKey::Number(rank)) => {
            query.push(" AND (");
            push_rank(query, filter);
            query.push(format!(", {id}) < ("));
            // Ranks are real (f32); compare in that type so the boundary row is excluded.
            query.push_bind(*rank as f32);
            query.push(", ");
            query.push_bind(after.id);
            query.push(")");
        }
        (_, SortKey::Date(published)) => {
            let op = if sort == ArticleSort::Oldest {
                ">"
            } else {
                "<"
            };
            query.push(format!(" AND ({date}, {id}) {op} (COALESCE("));
            query.push_bind(*published);
            query.push("::timestamptz, '-infinity'::timestamptz), ");
            query.push_bind(after.id);
            query.push(")");
        }
        // The handler only passes positions made for this sort.
        _ => {}
    }
}

fn push_order(
    query: &mut QueryBuilder<'_, Postgres>,
    sort: ArticleSort,
    date: &str,
    rank: &str,
    id: &str,
) {
    query.push(match sort {
        ArticleSort::Newest => format!(" ORDER BY {date} DESC, {id} DESC"),
        ArticleSort::Oldest => format!(" ORDER BY {date} ASC, {id} ASC"),
        ArticleSort::Relevance => format!(" ORDER BY {rank} DESC, {id} DESC"),
    });
}

/// `ts_headline` options of the highlighted excerpt.
const HEADLINE_OPTIONS: &str = "MaxFragments=2, MaxWords=30, MinWords=10";

/// The articles with these ids (in no order), with the rank and excerpt of `tsquery` (the
/// text form of an already parsed query, as [`super::text_index::tsquery_text`] gives it).
/// With `verify`, only those whose text matches it.
pub async fn by_ids(
    executor: impl PgExecutor<'_>,
    ids: &[Uuid],
    tsquery: &str,
    page: &PageRequest,
    verify: bool,
) -> sqlx::Result<Vec<ArticleRow>> {
    let mut query = QueryBuilder::<Postgres>::new(format!(
        "SELECT {columns}, ts_rank_cd(a.search, tsq.query) AS rank, ",
        columns = article_columns(page.with_body),
    ));
    if page.with_headline {
        query.push(format!(
            "ts_headline('newsgraph_english'::regconfig, a.body, tsq.query, '{HEADLINE_OPTIONS}')"
        ));
    } else {
        query.push("NULL::text");
    }
    query.push(" AS headline FROM articles a JOIN sources s ON s.id = a.source_id, CAST(");
    query.push_bind(tsquery.to_owned());
    query.push(" AS tsquery) AS tsq(query) WHERE a.id = ANY(");
    query.push_bind(ids.to_vec());
    query.push(")");
    if verify {
        query.push(" AND a.search @@ tsq.query");
    }
    query.build_query_as().fetch_all(executor).await
}
