//! `/v1/sources` and `/v1/stats`.

use axum::extract::OriginalUri;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::json;

use super::dto::timestamp;
use super::error::ApiError;
use super::format::{ListPage, negotiate};
use super::params::Params;
use super::read_db::ReadDb;
use crate::db::listing::{Position, SortKey};
use crate::db::{sources, stats};

/// Parameters of `GET /v1/sources`.
pub const LIST_PARAMS: &[&str] = &["limit", "cursor", "format"];
/// Parameters of `GET /v1/stats`.
pub const STATS_PARAMS: &[&str] = &["top"];

/// A source as listed.
#[derive(Debug, Serialize)]
struct SourceResponse {
    domain: String,
    name: String,
    article_count: i64,
    first_published: Option<String>,
    last_published: Option<String>,
}

/// `GET /v1/sources`: sources by domain, with their article counts and date ranges.
pub async fn list_sources(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let limit = params.limit()?;
    let after = match params.cursor::<Position>()? {
        Some(Position {
            key: SortKey::Text(domain),
            ..
        }) => Some(domain),
        Some(_) => return Err(ApiError::invalid("cursor", "not a cursor of this list")),
        None => None,
    };
    let mut rows = sources::list(&pool, after.as_deref(), limit + 1).await?;
    let next = (rows.len() as i64 > limit).then(|| {
        rows.truncate(usize::try_from(limit).unwrap_or_default());
        let last = rows
            .last()
            .map(|row| row.domain.clone())
            .unwrap_or_default();
        Position {
            sort: "domain".to_owned(),
            key: SortKey::Text(last),
            id: uuid::Uuid::nil(),
        }
    });
    let data: Vec<SourceResponse> = rows
        .into_iter()
        .map(|row| SourceResponse {
            domain: row.domain,
            name: row.name,
            article_count: row.article_count,
            first_published: row.first_published.map(timestamp),
            last_published: row.last_published.map(timestamp),
        })
        .collect();
    Ok(ListPage {
        data,
        next,
        count: None,
    }
    .respond(format, &uri))
}

/// `GET /v1/stats`: totals, entities per type, and the most-named entities of each type.
pub async fn get_stats(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), STATS_PARAMS)?;
    let top = params
        .parsed("top", |value| match value.parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => Ok(n),
            _ => Err("expected an integer from 1 to 100".to_owned()),
        })?
        .unwrap_or(10);
    let totals = stats::totals(&pool).await?;
    let by_kind = stats::entities_by_kind(&pool).await?;
    let top_entities = stats::top_entities(&pool, top).await?;
    let mut entities = json!({ "person": 0, "place": 0, "organization": 0 });
    let mut total_entities = 0;
    for (kind, count) in by_kind {
        entities[kind.as_str()] = json!(count);
        total_entities += count;
    }
    let mut tops = json!({ "person": [], "place": [], "organization": [] });
    for entity in top_entities {
        if let Some(list) = tops[entity.kind.as_str()].as_array_mut() {
            list.push(json!({
                "id": entity.id, "slug": entity.slug, "name": entity.name,
                "article_count": entity.article_count,
            }));
        }
    }
    Ok(axum::Json(json!({
        "articles": totals.articles,
        "sources": totals.sources,
        "mentions": totals.mentions,
        "entities": total_entities,
        "entities_by_type": entities,
        "first_published": totals.first_published.map(timestamp),
        "last_published": totals.last_published.map(timestamp),
        "top_entities": tops,
    }))
    .into_response())
}
