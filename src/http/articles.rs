//! `/v1/articles`: the filtered list, the streaming export, one article with its entities
//! and mentions, and its entities alone. (`POST` lives in [`super::ingest`].)

use std::collections::HashMap;

use axum::body::Body;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::stream::{self, Stream};
use sqlx::PgPool;
use uuid::Uuid;

use super::dto::{ARTICLE_FIELDS, ArticleEntity, ArticleResponse, Mention};
use super::entities::resolve_entity_param;
use super::error::ApiError;
use super::format::{Format, ListPage, negotiate, push_csv_row};
use super::params::{ENTITY_TYPES, Params};
use crate::db::article_search::{self, ArticleFilter, ArticleSort, PageRequest};
use crate::db::articles;

/// Parameters of `GET /v1/articles`.
pub const LIST_PARAMS: &[&str] = &[
    "q", "entity", "type", "from", "to", "source", "sort", "limit", "cursor", "count", "fields",
    "format",
];
/// Parameters of `GET /v1/articles/export`.
pub const EXPORT_PARAMS: &[&str] = &[
    "q", "entity", "type", "from", "to", "source", "sort", "fields", "format",
];
/// Parameters of `GET /v1/articles/{id}`.
pub const GET_PARAMS: &[&str] = &[];
/// Parameters of `GET /v1/articles/{id}/entities`.
pub const ENTITIES_PARAMS: &[&str] = &["type", "format"];

/// Rows per database round trip of an export.
const EXPORT_PAGE: i64 = 500;

/// `GET /v1/articles`.
pub async fn list_articles(
    State(pool): State<PgPool>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv", "ndjson"])?;
    let filter = article_filter(&pool, &params).await?;
    let sort = article_sort(&params, &filter)?;
    let fields = article_fields(&params, &filter)?;
    if format == Format::Ndjson {
        return Ok(export(pool, filter, sort, fields, Format::Ndjson));
    }
    let after = params.position(sort.name())?;
    let request = PageRequest {
        sort,
        after,
        limit: params.limit()?,
        with_body: fields.contains(&"body"),
        with_headline: fields.contains(&"headline"),
    };
    let page = article_search::list(&pool, &filter, &request).await?;
    let count = if params.flag("count")? {
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
    .respond(format, &uri))
}

/// `GET /v1/articles/export`: every matching article, streamed as NDJSON (default) or CSV,
/// with no cap; the server reads the database a page at a time, so memory stays bounded.
pub async fn export_articles(
    State(pool): State<PgPool>,
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
    let filter = article_filter(&pool, &params).await?;
    let sort = article_sort(&params, &filter)?;
    let fields = article_fields(&params, &filter)?;
    Ok(export(pool, filter, sort, fields, format))
}

/// The filters shared by the list and the export.
async fn article_filter(pool: &PgPool, params: &Params) -> Result<ArticleFilter, ApiError> {
    let mut entities = Vec::new();
    for value in params.all("entity") {
        entities.push(resolve_entity_param(pool, "entity", value).await?);
    }
    let from = params.date("from")?;
    let to = params.date("to")?;
    if let (Some(from), Some(to)) = (from, to)
        && from >= to
    {
        return Err(ApiError::invalid("to", "must be after from"));
    }
    let q = params.one("q")?.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 500) {
        return Err(ApiError::invalid("q", "longer than 500 characters"));
    }
    Ok(ArticleFilter {
        q: q.map(str::to_owned),
        entities,
        kind: params.choice("type", &ENTITY_TYPES)?.map(str::to_owned),
        from,
        to,
        source: params.one("source")?.map(|s| s.trim().to_lowercase()),
    })
}

fn article_sort(params: &Params, filter: &ArticleFilter) -> Result<ArticleSort, ApiError> {
    let sort = match params.choice("sort", &["-published_at", "published_at", "relevance"])? {
        Some("published_at") => ArticleSort::Oldest,
        Some("relevance") => ArticleSort::Relevance,
        Some(_) => ArticleSort::Newest,
        None => ArticleSort::Newest,
    };
    if sort == ArticleSort::Relevance && filter.q.is_none() {
        return Err(ApiError::invalid("sort", "relevance needs q"));
    }
    Ok(sort)
}

/// The fields to return: `fields=` (comma-separated), else all but `headline` (a highlighted
/// excerpt, costly, on request only); `score` only with `q`.
fn article_fields(params: &Params, filter: &ArticleFilter) -> Result<Vec<&'static str>, ApiError> {
    let all: Vec<&'static str> = ARTICLE_FIELDS
        .iter()
        .copied()
        .filter(|field| *field != "headline" && (filter.q.is_some() || *field != "score"))
        .collect();
    let Some(list) = params.one("fields")? else {
        return Ok(all);
    };
    let mut fields = Vec::new();
    for name in list
        .split(',')
        .map(str::trim)
        .filter(|name| !name.is_empty())
    {
        let field = ARTICLE_FIELDS
            .iter()
            .find(|field| **field == name)
            .ok_or_else(|| {
                ApiError::invalid(
                    "fields",
                    format!(
                        "unknown field {name:?}; fields are: {}",
                        ARTICLE_FIELDS.join(", ")
                    ),
                )
            })?;
        fields.push(*field);
    }
    if fields.is_empty() {
        return Err(ApiError::invalid("fields", "names no field"));
    }
    Ok(fields)
}

/// A streaming response walking the whole result set page by page.
fn export(
    pool: PgPool,
    filter: ArticleFilter,
    sort: ArticleSort,
    fields: Vec<&'static str>,
    format: Format,
) -> Response {
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        _ => "application/x-ndjson",
    };
    let body = Body::from_stream(export_stream(pool, filter, sort, fields, format));
    let mut response = (StatusCode::OK, body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    response.extensions_mut().insert(super::etag::Streaming);
    response
}

struct ExportState {
    pool: PgPool,
    filter: ArticleFilter,
    request: PageRequest,
    fields: Vec<&'static str>,
    format: Format,
    header_written: bool,
    done: bool,
}

fn export_stream(
    pool: PgPool,
    filter: ArticleFilter,
    sort: ArticleSort,
    fields: Vec<&'static str>,
    format: Format,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let state = ExportState {
        request: PageRequest {
            sort,
            after: None,
            limit: EXPORT_PAGE,
            with_body: fields.contains(&"body"),
            with_headline: fields.contains(&"headline"),
        },
        pool,
        filter,
        fields,
        format,
        header_written: false,
        done: false,
    };
    stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        let page = match article_search::list(&state.pool, &state.filter, &state.request).await {
            Ok(page) => page,
            Err(error) => {
                // Headers are gone already; the client sees a cut-off stream.
                tracing::error!(error = %error, "export failed mid-stream");
                state.done = true;
                return Some((Err(std::io::Error::other("export failed")), state));
            }
        };
        let mut chunk = String::new();
        for row in page.rows {
            let item = serde_json::to_value(ArticleResponse::from_row(row, &state.fields))
                .unwrap_or_default();
            match state.format {
                Format::Csv => {
                    if !state.header_written {
                        push_csv_row(
                            &mut chunk,
                            state
                                .fields
                                .iter()
                                .map(|f| if *f == "source" { "source.domain" } else { f }),
                        );
                        state.header_written = true;
                    }
                    let cells: Vec<String> = state
                        .fields
                        .iter()
                        .map(|field| csv_field(&item, field))
                        .collect();
                    push_csv_row(&mut chunk, cells.iter().map(String::as_str));
                }
                _ => {
                    chunk.push_str(&item.to_string());
                    chunk.push('\n');
                }
            }
        }
        match page.next {
            Some(next) => state.request.after = Some(next),
            None => state.done = true,
        }
        Some((Ok(Bytes::from(chunk)), state))
    })
}

fn csv_field(item: &serde_json::Value, field: &str) -> String {
    match (field, &item[field]) {
        ("source", value) => value["domain"].as_str().unwrap_or_default().to_owned(),
        (_, serde_json::Value::String(text)) => text.clone(),
        (_, serde_json::Value::Null) => String::new(),
        (_, other) => other.to_string(),
    }
}

fn parse_article_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::invalid("id", "expected an article id (UUID)"))
}

/// `GET /v1/articles/{id}`: the article, its entities, and every mention with offsets, text,
/// snippet and confidence.
pub async fn get_article(
    State(pool): State<PgPool>,
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
    let mut by_entity: HashMap<Uuid, Vec<Mention>> = HashMap::new();
    for mention in articles::mentions_in(&pool, &[id], None).await? {
        let text = if mention.field == "title" {
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
    let article = ArticleResponse::from_row(row, &ARTICLE_FIELDS).with_entities(entities);
    Ok(axum::Json(article).into_response())
}

/// `GET /v1/articles/{id}/entities`.
pub async fn list_article_entities(
    State(pool): State<PgPool>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), ENTITIES_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let kind = params.choice("type", &ENTITY_TYPES)?;
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn csv_cells_of_an_article_flatten_the_source() {
        let item = json!({"id": "x", "source": {"domain": "a.example", "name": "A"}, "published_at": null, "score": 0.5});

        assert_eq!(csv_field(&item, "source"), "a.example");
        assert_eq!(csv_field(&item, "published_at"), "");
        assert_eq!(csv_field(&item, "score"), "0.5");
        assert_eq!(csv_field(&item, "id"), "x");
    }
}
