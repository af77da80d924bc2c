//! `/v1/articles`: the filtered list, the export (streamed by [`super::export`]), one article
//! with its entities and mentions, and its entities alone. (`POST` lives in
//! [`super::ingest`].)

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use sqlx::PgPool;

use super::Exports;
use super::dto::{ArticleEntity, ArticleResponse, Mention};
use super::error::ApiError;
use super::export;
use super::fields::{ArticleField, all_but, select_fields};
use super::format::{Format, ListPage, negotiate};
use super::lookup::resolve_entity_param;
use super::params::Params;
use super::read_db::ReadDb;
use crate::db::article_search::{self, ArticleFilter, ArticleSort, PageRequest};
use crate::db::articles;
use crate::directory::Directory;
use crate::domain::{ArticleId, EntityId, EntityKind, Field, Named};
use crate::textindex::TextIndex;

/// Parameters of `GET /v1/articles`.
pub const LIST_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "updated_since",
    "sort",
    "limit",
    "cursor",
    "count",
    "fields",
    "format",
];
/// Parameters of `GET /v1/articles/export`.
pub const EXPORT_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "updated_since",
    "sort",
    "fields",
    "format",
];

/// Parameters of `GET /v1/articles/{id}`.
pub const GET_PARAMS: &[&str] = &[];
/// Parameters of `GET /v1/articles/{id}/entities`.
pub const ENTITIES_PARAMS: &[&str] = &["type", "format"];

/// `GET /v1/articles`.
pub async fn list_articles(
    ReadDb { pool, generic }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    State(exports): State<Exports>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv", "ndjson"])?;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let sort = article_sort(&params, &filter)?;
    let fields = article_fields(&params, &filter)?;
    // Checked in every format, though an NDJSON export walks everything from the start.
    let after = params.position(sort.as_str())?;
    let limit = params.limit()?;
    let with_count = params.flag("count")?;
    if format == Format::Ndjson {
        return export::stream(pool, filter, sort, fields, Format::Ndjson, &exports).await;
    }
    let request = PageRequest {
        sort,
        after,
        limit,
        with_body: fields.contains(&ArticleField::Body),
        with_headline: fields.contains(&ArticleField::Headline),
    };
    let indexed = match &text_index {
        Some(index) => index.page(&generic, &filter, &request).await?,
        None => None,
    };
    let page = match indexed {
        Some(page) => page,
        None => article_search::list_page(&pool, &generic, &filter, &request).await?,
    };
    let count = if with_count {
        Some(article_search::count(&pool, &filter).await?)
    } else {
        None
    };
    let data: Vec<ArticleResponse> = page
        .rows
        .into_iter()
        .map(|row| ArticleResponse::from_row(row, &fields))
        .collect();
    Ok(ListPage {
        data,
        next: page.next,
        count,
    }
    .respond_with(format, &uri, ArticleResponse::write_json))
}

/// `GET /v1/articles/export`: every matching article, streamed as NDJSON (default) or CSV,
/// with no cap; the server reads the database a page at a time, so memory stays bounded.
pub async fn export_articles(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(exports): State<Exports>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), EXPORT_PARAMS)?;
    let format = match params.choice("format", &["ndjson", "csv"])? {
        Some("csv") => Format::Csv,
        Some(_) => Format::Ndjson,
        None if headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv")) =>
        {
            Format::Csv
        }
        None => Format::Ndjson,
    };
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let sort = article_sort(&params, &filter)?;
    let fields = article_fields(&params, &filter)?;
    export::stream(pool, filter, sort, fields, format, &exports).await
}

/// The most `entity=` filters one request may combine: each is a join of the article's
/// mentions, so the work of a page grows with their number.
pub const MAX_ENTITY_FILTERS: usize = 10;

/// The entities a repeatable parameter (`entity=`, a comparison's `id=`) names, following
/// merges: at most [`MAX_ENTITY_FILTERS`], none named twice (by the same or another name).
pub(super) async fn entity_params(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    params: &Params,
    name: &str,
) -> Result<Vec<EntityId>, ApiError> {
    let values = params.all(name);
    if values.len() > MAX_ENTITY_FILTERS {
        return Err(ApiError::invalid(
            name,
            format!(
                "given {} times; at most {MAX_ENTITY_FILTERS} entities per request",
                values.len()
            ),
        ));
    }
    let mut entities = Vec::with_capacity(values.len());
    for value in values {
        let id = resolve_entity_param(pool, directory, name, value).await?;
        if entities.contains(&id) {
            return Err(ApiError::invalid(
                name,
                format!("{value} names an entity given more than once"),
            ));
        }
        entities.push(id);
    }
    Ok(entities)
}

/// The filters shared by the list, the export and the dashboard answers.
pub(super) async fn article_filter(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    params: &Params,
) -> Result<ArticleFilter, ApiError> {
    let entities = entity_params(pool, directory, params, "entity").await?;
    let (from, to) = params.date_range()?;
    let q = params.one("q")?.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 500) {
        return Err(ApiError::invalid("q", "longer than 500 characters"));
    }
    Ok(ArticleFilter {
        q: q.map(str::to_owned),
        entities,
        kind: params.choice_of("type", &EntityKind::ALL)?,
        from,
        to,
        source: params.one("source")?.map(|s| s.trim().to_lowercase()),
        updated_since: params.date("updated_since")?,
    })
}

fn article_sort(params: &Params, filter: &ArticleFilter) -> Result<ArticleSort, ApiError> {
    let sort = params
        .choice_of("sort", ArticleSort::ALL)?
        .unwrap_or(ArticleSort::Newest);
    if sort == ArticleSort::Relevance && filter.q.is_none() {
        return Err(ApiError::invalid("sort", "relevance needs q"));
    }
    Ok(sort)
}

/// The fields to return: `fields=` (comma-separated), else all but `headline` (a highlighted
/// excerpt, costly, on request only); `score` only with `q`.
fn article_fields(params: &Params, filter: &ArticleFilter) -> Result<Vec<ArticleField>, ApiError> {
    let allowed = if filter.q.is_some() {
        ArticleField::ALL.to_vec()
    } else {
        all_but(&[ArticleField::Score, ArticleField::Headline])
    };
    let default = all_but(&[ArticleField::Headline])
        .into_iter()
        .filter(|field| allowed.contains(field))
        .collect();
    select_fields(params, &allowed, default)
}

fn parse_article_id(id: &str) -> Result<ArticleId, ApiError> {
    id.parse()
        .map_err(|_| ApiError::invalid("id", "expected an article id (UUID)"))
}

/// `GET /v1/articles/{id}`: the article, its entities, and every mention with offsets, text,
/// snippet and confidence.
pub async fn get_article(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), GET_PARAMS)?;
    let id = parse_article_id(&id)?;
    let row = articles::by_id(&pool, id)
        .await?
        .ok_or(ApiError::NotFound("article"))?;
    let title: Vec<char> = row.title.chars().collect();
    let body: Vec<char> = row.body.as_deref().unwrap_or_default().chars().collect();
    let mut by_entity: HashMap<EntityId, Vec<Mention>> = HashMap::new();
    for mention in articles::mentions_in(&pool, &[id], None).await? {
        let text = if mention.field == Field::Title {
            &title
        } else {
            &body
        };
        by_entity
            .entry(mention.entity_id)
            .or_default()
            .push(Mention::from_row(&mention, text));
    }
    let entities = articles::entities_of(&pool, id)
        .await?
        .into_iter()
        .map(|entity| {
            let mentions = by_entity.remove(&entity.id).unwrap_or_default();
            ArticleEntity::from_row(entity, Some(mentions))
        })
        .collect();
    let article = ArticleResponse::from_row(row, ArticleField::ALL).with_entities(entities);
    Ok(axum::Json(article).into_response())
}

/// `GET /v1/articles/{id}/entities`.
pub async fn list_article_entities(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), ENTITIES_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let kind = params.choice_of("type", &EntityKind::ALL)?;
    let id = parse_article_id(&id)?;
    if !articles::exists(&pool, id).await? {
        return Err(ApiError::NotFound("article"));
    }
    let data: Vec<ArticleEntity> = articles::entities_of(&pool, id)
        .await?
        .into_iter()
        .filter(|entity| kind.is_none_or(|kind| entity.kind == kind))
        .map(|entity| ArticleEntity::from_row(entity, None))
        .collect();
    Ok(ListPage {
        data,
        next: None,
        count: None,
    }
    .respond(format, &uri))
}
