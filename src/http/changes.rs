//! Reading the curation log: `GET /v1/changes` (the feed, oldest first, from `since`),
//! `GET /v1/changes/{id}`, `GET /v1/entities/{id}/history` (newest first) and
//! `GET /v1/suppressions` (the names suppressed now).

use std::sync::Arc;

use axum::extract::{OriginalUri, Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::dto::timestamp;
use super::error::ApiError;
use super::format::{ListPage, negotiate};
use super::lookup::path_entity;
use super::params::{Params, parse_date};
use super::read_db::ReadDb;
use crate::db::curation_log::{self, ChangeRow};
use crate::db::curation_rules;
use crate::db::listing::{Position, SortKey};
use crate::directory::Directory;

/// Query parameters of `GET /v1/changes`.
pub const FEED_PARAMS: &[&str] = &["since", "limit", "cursor", "format"];
/// Query parameters of `GET /v1/entities/{id}/history` and `GET /v1/suppressions`.
pub const LIST_PARAMS: &[&str] = &["limit", "cursor", "format"];

/// A change as the API shows it.
#[derive(Debug, Serialize)]
pub struct ChangeResponse {
    /// Its number.
    pub id: i64,
    /// merge | split | edit | suppress | undo.
    pub operation: String,
    /// The entity it is about.
    pub entity_id: Option<Uuid>,
    /// Every entity it touched.
    pub entities: Vec<Uuid>,
    /// The name of the token that made it.
    pub actor: String,
    /// Why.
    pub reason: Option<String>,
    /// What was asked.
    pub request: Value,
    /// The change this one undid.
    pub undoes: Option<i64>,
    /// The change that undid this one.
    pub undone_by: Option<i64>,
    /// When.
    pub created_at: String,
}

impl From<ChangeRow> for ChangeResponse {
    fn from(row: ChangeRow) -> Self {
        Self {
            id: row.id,
            operation: row.operation,
            entity_id: row.entity_id,
            entities: row.entities,
            actor: row.actor,
            reason: row.reason,
            request: row.request,
            undoes: row.undoes,
            undone_by: row.undone_by,
            created_at: timestamp(row.created_at),
        }
    }
}

/// A change number from a path segment.
pub(super) fn change_number(segment: &str) -> Result<i64, ApiError> {
    segment
        .parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| ApiError::invalid("id", "a change number is a positive integer"))
}

/// The change number a cursor of these lists carries.
fn cursor_number(params: &Params) -> Result<Option<i64>, ApiError> {
    match params.cursor::<Position>()? {
        Some(Position {
            key: SortKey::Number(n),
            ..
        }) if n.fract() == 0.0 && n >= 0.0 => Ok(Some(n as i64)),
        Some(_) => Err(ApiError::invalid("cursor", "not a cursor of this list")),
        None => Ok(None),
    }
}

/// Where the next page starts, when `limit + 1` rows came: after the number of the last
/// row kept.
fn next_position<T>(rows: &[T], limit: i64, sort: &str, number: fn(&T) -> i64) -> Option<Position> {
    (rows.len() as i64 > limit).then(|| Position {
        sort: sort.to_owned(),
        key: SortKey::Number(
            rows.get(usize::try_from(limit - 1).unwrap_or_default())
                .map_or(0, number) as f64,
        ),
        id: Uuid::nil(),
    })
}

fn page(mut rows: Vec<ChangeRow>, limit: i64, sort: &str) -> ListPage<ChangeResponse> {
    let next = next_position(&rows, limit, sort, |row| row.id);
    rows.truncate(usize::try_from(limit).unwrap_or_default());
    ListPage {
        data: rows.into_iter().map(ChangeResponse::from).collect(),
        next,
        count: None,
    }
}

/// `GET /v1/changes`: every change, oldest first; `since` is a change number (the changes
/// after it) or a date (the changes made then or later).
pub async fn list_changes(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), FEED_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let limit = params.limit()?;
    let (mut after, mut since) = (0, None);
    if let Some(value) = params.one("since")? {
        match value.parse::<i64>() {
            Ok(n) if n >= 0 => after = n,
            _ => {
                since = Some(parse_date(value).map_err(|detail| {
                    ApiError::invalid("since", format!("a change number or a date: {detail}"))
                })?);
            }
        }
    }
    if let Some(cursor) = cursor_number(&params)? {
        after = after.max(cursor);
    }
    let rows = curation_log::feed(&pool, after, since, limit + 1).await?;
    Ok(page(rows, limit, "id").respond(format, &uri))
}

/// `GET /v1/changes/{id}`.
pub async fn get_change(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let number = change_number(&id)?;
    let row = curation_log::by_id(&pool, number)
        .await?
        .ok_or(ApiError::NotFound("change"))?;
    Ok(axum::Json(ChangeResponse::from(row)).into_response())
}

/// `GET /v1/entities/{id}/history`: the changes that touched the entity, newest first. A
/// merged entity's history is its survivor's (301).
pub async fn list_entity_history(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let limit = params.limit()?;
    let before = cursor_number(&params)?.unwrap_or(i64::MAX);
    let entity = match path_entity(&pool, directory.as_ref(), &id, &uri).await? {
        Ok(row) => row,
        Err(moved) => return Ok(moved),
    };
    let rows = curation_log::history(&pool, entity.id.uuid(), before, limit + 1).await?;
    Ok(page(rows, limit, "-id").respond(format, &uri))
}

/// A suppressed name.
#[derive(Debug, Serialize)]
struct SuppressionResponse {
    name: String,
    #[serde(rename = "type")]
    kind: Option<String>,
    change_id: i64,
    actor: String,
    reason: Option<String>,
    created_at: String,
}

/// `GET /v1/suppressions`: the names suppressed now, oldest first.
pub async fn list_suppressions(
    ReadDb { pool, .. }: ReadDb,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let limit = params.limit()?;
    let after = cursor_number(&params)?.unwrap_or(0);
    let mut rows = curation_rules::suppression_page(&pool, after, limit + 1).await?;
    let next = next_position(&rows, limit, "id", |row| row.change_id);
    rows.truncate(usize::try_from(limit).unwrap_or_default());
    Ok(ListPage {
        data: rows
            .into_iter()
            .map(|row| SuppressionResponse {
                name: row.name,
                kind: row.kind.map(|kind| kind.as_str().to_owned()),
                change_id: row.change_id,
                actor: row.actor,
                reason: row.reason,
                created_at: timestamp(row.created_at),
            })
            .collect(),
        next,
        count: None,
    }
    .respond(format, &uri))
}
