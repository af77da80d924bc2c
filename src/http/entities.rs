//! `/v1/entities`: the list with name search, one entity by id or slug, its articles with
//! the snippets that mention it, the entities named alongside it, and its timeline.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde_json::json;
use sqlx::PgPool;

use super::dto::{ArticleResponse, EntityResponse, Mention, RelatedEntity, TimelineBucket};
use super::error::ApiError;
use super::fields::{ArticleField, all_but, select_fields};
use super::format::{Format, ListPage, negotiate};
use super::lookup::path_entity;
use super::params::{DateRange, Params};
use super::read_db::ReadDb;
use crate::db::article_search::{self, ArticleFilter, ArticleSort, PageRequest};
use crate::db::articles;
use crate::db::entity_queries::EntityRow;
use crate::db::entity_search::{self, EntityFilter, EntitySort};
use crate::db::related::{self, RelatedFilter, RelatedSort};
use crate::db::timeline::{self, Interval};
use crate::directory::{self, Directory};
use crate::domain::{ArticleId, EntityId, EntityKind, Field, Named};
use crate::names::search_norm;

/// Parameters of `GET /v1/entities`.
pub const LIST_PARAMS: &[&str] = &["q", "type", "sort", "limit", "cursor", "count", "format"];
/// Parameters of `GET /v1/entities/{id}`.
pub const GET_PARAMS: &[&str] = &["format"];
/// Parameters of `GET /v1/entities/{id}/articles`.
pub const ARTICLES_PARAMS: &[&str] = &[
    "from", "to", "sort", "limit", "cursor", "count", "fields", "format",
];
/// Parameters of `GET /v1/entities/{id}/related`.
pub const RELATED_PARAMS: &[&str] = &["type", "from", "to", "sort", "limit", "min_count", "format"];
/// Parameters of `GET /v1/entities/{id}/timeline`.
pub const TIMELINE_PARAMS: &[&str] = &["interval", "from", "to", "format"];

/// `GET /v1/entities`.
pub async fn list_entities(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let geojson = super::places::wants_geojson(&params, &headers, &["json", "csv"])?;
    let format = if geojson {
        Format::Json
    } else {
        negotiate(&params, &headers, &["json", "csv"])?
    };
    let q = params.one("q")?.map(search_norm).filter(|q| !q.is_empty());
    if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
        return Err(ApiError::invalid("q", "longer than 200 characters"));
    }
    let sort = match params.choice_of("sort", EntitySort::ALL)? {
        Some(sort) => sort,
        None if q.is_some() => EntitySort::Relevance,
        None => EntitySort::ArticleCount,
    };
    if sort == EntitySort::Relevance && q.is_none() {
        return Err(ApiError::invalid("sort", "relevance needs q"));
    }
    let filter = EntityFilter {
        q,
        kind: params.choice_of("type", &EntityKind::ALL)?,
    };
    let after = params.position(sort.as_str())?;
    let limit = params.limit()?;
    let with_count = params.flag("count")?;
    // Name search runs in the directory when there is one; a plain list is an index range
    // in the database.
    let (page, count) = match (&filter.q, &directory) {
        (Some(q), Some(directory)) => {
            let snapshot = directory.snapshot().await?;
            let (page, total) =
                directory::search_page(&snapshot, q, filter.kind, sort, after.as_ref(), limit);
            (page, with_count.then_some(total))
        }
        _ => {
            let page = entity_search::list(&pool, &filter, sort, after.as_ref(), limit).await?;
            let count = if with_count {
                Some(entity_search::count(&pool, &filter).await?)
            } else {
                None
            };
            (page, count)
        }
    };
    let page = ListPage {
        data: page
            .rows
            .into_iter()
            .map(EntityResponse::from)
            .collect::<Vec<_>>(),
        next: page.next,
        count,
    };
    if geojson {
        return Ok(super::places::collection_response(page, &uri));
    }
    Ok(page.respond(format, &uri))
}

/// `GET /v1/entities/{id-or-slug}`.
pub async fn get_entity(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), GET_PARAMS)?;
    let geojson = super::places::wants_geojson(&params, &headers, &["json"])?;
    Ok(
        match path_entity(&pool, directory.as_ref(), &id, &uri).await? {
            Ok(row) if geojson => super::places::geojson_response(super::places::entity_feature(
                &EntityResponse::from(row),
            )),
            Ok(row) => axum::Json(EntityResponse::from(row)).into_response(),
            Err(moved) => moved,
        },
    )
}

/// `GET /v1/entities/{id}/articles`: newest first, each with the snippets that mention the
/// entity.
pub async fn list_entity_articles(
    ReadDb { pool, generic }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), ARTICLES_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let sort = params
        .choice_of("sort", &[ArticleSort::Newest, ArticleSort::Oldest])?
        .unwrap_or(ArticleSort::Newest);
    let allowed = all_but(&[ArticleField::Score, ArticleField::Headline]);
    let default = all_but(&[
        ArticleField::Score,
        ArticleField::Headline,
        ArticleField::Body,
    ]);
    let fields = select_fields(&params, &allowed, default)?;
    let (from, to) = params.date_range()?;
    let after = params.position(sort.as_str())?;
    let limit = params.limit()?;
    let with_count = params.flag("count")?;
    let entity = match path_entity(&pool, directory.as_ref(), &id, &uri).await? {
        Ok(row) => row,
        Err(moved) => return Ok(moved),
    };
    let filter = ArticleFilter {
        q: None,
        entities: vec![entity.id],
        kind: None,
        from,
        to,
        source: None,
        updated_since: None,
    };
    // Bodies are read for the snippets even when not returned.
    let request = PageRequest {
        sort,
        after,
        limit,
        with_body: true,
        with_headline: false,
    };
    let page = article_search::list_page(&pool, &generic, &filter, &request).await?;
    let count = if with_count {
        Some(article_search::count(&pool, &filter).await?)
    } else {
        None
    };
    let ids: Vec<ArticleId> = page.rows.iter().map(|row| row.id).collect();
    let mut mentions: HashMap<ArticleId, Vec<articles::MentionRow>> = HashMap::new();
    for mention in articles::mentions_in(&pool, &ids, Some(entity.id)).await? {
        mentions
            .entry(mention.article_id)
            .or_default()
            .push(mention);
    }
    let data: Vec<ArticleResponse> = page
        .rows
        .into_iter()
        .map(|row| {
            let title: Vec<char> = row.title.chars().collect();
            let body: Vec<char> = row.body.as_deref().unwrap_or_default().chars().collect();
            let snippets = mentions
                .remove(&row.id)
                .unwrap_or_default()
                .iter()
                .map(|m| {
                    Mention::from_row(
                        m,
                        if m.field == Field::Title {
                            &title
                        } else {
                            &body
                        },
                    )
                })
                .collect();
            ArticleResponse::from_row(row, &fields).with_mentions(snippets)
        })
        .collect();
    Ok(ListPage {
        data,
        next: page.next,
        count,
    }
    .respond_with(format, &uri, ArticleResponse::write_json))
}

/// `GET /v1/entities/{id}/related`: co-mentioned entities with counts and PMI; with
/// `format=graph`, nodes and edges for a network chart.
pub async fn list_related_entities(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), RELATED_PARAMS)?;
    let graph = params.one("format")? == Some("graph");
    let format = if graph {
        super::format::Format::Json
    } else {
        negotiate(&params, &headers, &["json", "csv", "graph"])?
    };
    let sort = params
        .choice_of("sort", RelatedSort::ALL)?
        .unwrap_or(RelatedSort::Count);
    let min_count = params
        .parsed("min_count", |value| match value.parse::<i64>() {
            Ok(n) if n >= 1 => Ok(n),
            _ => Err("expected a positive integer".to_owned()),
        })?
        .unwrap_or(if sort == RelatedSort::Pmi { 2 } else { 1 });
    let kind = params.choice_of("type", &EntityKind::ALL)?;
    let (from, to) = params.date_range()?;
    let limit = params.limit()?;
    let entity = match path_entity(&pool, directory.as_ref(), &id, &uri).await? {
        Ok(row) => row,
        Err(moved) => return Ok(moved),
    };
    let filter = RelatedFilter {
        entity: entity.id,
        kind,
        from,
        to,
        min_count,
    };
    let related: Vec<RelatedEntity> = related::related(&pool, &filter, sort, limit)
        .await?
        .into_iter()
        .map(RelatedEntity::from)
        .collect();
    if graph {
        return graph_response(&pool, &filter, entity, related).await;
    }
    Ok(ListPage {
        data: related,
        next: None,
        count: None,
    }
    .respond(format, &uri))
}

async fn graph_response(
    pool: &PgPool,
    filter: &RelatedFilter,
    entity: EntityRow,
    related: Vec<RelatedEntity>,
) -> Result<Response, ApiError> {
    let ids: Vec<EntityId> = related.iter().map(|r| r.id).collect();
    let pairs = related::pair_counts(pool, filter, &ids).await?;
    let mut nodes = vec![json!({
        "id": entity.id, "slug": entity.slug, "label": entity.name, "type": entity.kind,
        "article_count": entity.article_count, "center": true,
    })];
    let mut edges = Vec::new();
    for r in &related {
        nodes.push(json!({
            "id": r.id, "slug": r.slug, "label": r.name, "type": r.kind,
            "article_count": r.article_count, "center": false,
        }));
        edges.push(
            json!({ "source": entity.id, "target": r.id, "weight": r.co_count, "pmi": r.pmi }),
        );
    }
    for (source, target, weight) in pairs {
        edges.push(json!({ "source": source, "target": target, "weight": weight, "pmi": null }));
    }
    Ok(axum::Json(json!({ "nodes": nodes, "edges": edges })).into_response())
}

/// `GET /v1/entities/{id}/timeline`: articles and mentions per day, week or month, empty
/// buckets filled with zeros.
pub async fn get_entity_timeline(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), TIMELINE_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let interval = params
        .choice_of("interval", Interval::ALL)?
        .unwrap_or(Interval::Day);
    let range = params.date_range()?;
    let entity = match path_entity(&pool, directory.as_ref(), &id, &uri).await? {
        Ok(row) => row,
        Err(moved) => return Ok(moved),
    };
    let (from, to) = timeline_range(range, &entity, interval)?;
    let buckets: Vec<TimelineBucket> = timeline::timeline(&pool, entity.id, interval, from, to)
        .await?
        .into_iter()
        .map(TimelineBucket::from)
        .collect();
    let mut response = ListPage {
        data: buckets,
        next: None,
        count: None,
    }
    .respond(format, &uri);
    for (name, value) in [("x-timeline-from", from), ("x-timeline-to", to)] {
        if let Ok(value) = HeaderValue::from_str(&super::dto::timestamp(value)) {
            response.headers_mut().insert(name, value);
        }
    }
    Ok(response)
}

/// The range: `from`/`to`, else the entity's first and last seen dates (the last 30 days
/// when it has no dated article). At most [`crate::answers::MAX_BUCKETS`] buckets.
fn timeline_range(
    (from, to): DateRange,
    entity: &EntityRow,
    interval: Interval,
) -> Result<(DateTime<Utc>, DateTime<Utc>), ApiError> {
    let (from, to) = match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (Some(from), None) => {
            let last = entity
                .last_seen
                .map_or_else(Utc::now, |last| last + Duration::seconds(1));
            // A range that starts after the last article still gets its 30 days.
            (from, last.max(from + Duration::days(30)))
        }
        (None, Some(to)) => (
            entity
                .first_seen
                .filter(|first| *first < to)
                .unwrap_or(to - Duration::days(30)),
            to,
        ),
        (None, None) => {
            let to = entity
                .last_seen
                .map_or_else(Utc::now, |last| last + Duration::seconds(1));
            (entity.first_seen.unwrap_or(to - Duration::days(30)), to)
        }
    };
    super::answers::check_buckets(from, to, interval)?;
    Ok((from, to))
}
