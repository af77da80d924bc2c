//! `POST /v1/articles`: one article (a JSON object) or a batch (an array of up to
//! [`MAX_BATCH`]) through the importer's pipeline: the same validation, extraction and
//! transactional write, idempotent by canonical URL. Needs a bearer token.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::Request;
use axum::extract::{OriginalUri, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::AppState;
use super::body::read_json;
use super::dto::{ArticleEntity, ArticleResponse};
use super::error::{ApiError, FieldError};
use super::fields::ArticleField;
use super::params::Params;
use crate::db::articles;
use crate::domain::ArticleId;
use crate::ingest::RawRecord;
use crate::ingest::pipeline::{Change, extract_all};
use crate::ingest::store;

/// The most articles one request may carry.
pub const MAX_BATCH: usize = 100;

/// `POST /v1/articles`.
pub async fn post_articles(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    request: Request,
) -> Result<Response, ApiError> {
    // Everything that can refuse the request comes before its body is read: a client without
    // a token cannot make the server buffer megabytes.
    let headers = request.headers();
    state.write_tokens.check(headers)?;
    Params::parse(uri.query(), &[])?;
    let value = read_json(&state, request, false).await?;
    let (items, single) = match value {
        Value::Array(items) => (items, false),
        object @ Value::Object(_) => (vec![object], true),
        _ => {
            return Err(ApiError::InvalidBody(
                "expected an article object or an array of them".to_owned(),
            ));
        }
    };
    if items.is_empty() || items.len() > MAX_BATCH {
        return Err(ApiError::Unprocessable {
            detail: format!("send 1 to {MAX_BATCH} articles per request"),
            errors: Vec::new(),
        });
    }
    let inputs = validate(&items, single)?;
    let ids = store_articles(&state, inputs).await?;
    respond(&state, &ids, single).await
}

/// Validates every item; any invalid one refuses the whole request (nothing is stored), with
/// a pointer to each bad field.
fn validate(items: &[Value], single: bool) -> Result<Vec<crate::ingest::ArticleInput>, ApiError> {
    let mut inputs = Vec::with_capacity(items.len());
    let mut errors = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, item) in items.iter().enumerate() {
        let prefix = if single {
            String::new()
        } else {
            format!("/{index}")
        };
        let Some(object) = item.as_object() else {
            errors.push(field_error(prefix.clone(), "expected an article object"));
            continue;
        };
        match RawRecord::from_json(object).and_then(RawRecord::validate) {
            Ok(article) => {
                if let Some(first) = seen.insert(article.url.clone(), index) {
                    errors.push(field_error(
                        format!("{prefix}/url"),
                        &format!("same canonical URL as item {first}"),
                    ));
                }
                inputs.push(article);
            }
            Err(record_errors) => {
                for error in record_errors.0 {
                    errors.push(field_error(
                        format!("{prefix}/{}", error.field.unwrap_or_default()),
                        &error.reason,
                    ));
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(inputs)
    } else {
        Err(ApiError::Unprocessable {
            detail: format!(
                "{} invalid article field(s); nothing was stored",
                errors.len()
            ),
            errors,
        })
    }
}

fn field_error(pointer: String, detail: &str) -> FieldError {
    FieldError {
        param: None,
        pointer: Some(pointer),
        detail: detail.to_owned(),
    }
}

/// What happened to each posted article: its id and whether it was created.
type Stored = Vec<(ArticleId, bool)>;

async fn store_articles(
    state: &AppState,
    inputs: Vec<crate::ingest::ArticleInput>,
) -> Result<Stored, ApiError> {
    let urls: Vec<String> = inputs.iter().map(|a| a.url.clone()).collect();
    let stored: HashMap<String, articles::StoredVersion> =
        articles::versions_by_url(&state.pool, &urls)
            .await?
            .into_iter()
            .map(|version| (version.url.clone(), version))
            .collect();
    let version = state.extractor.version().to_owned();
    let mut result: Vec<Option<(ArticleId, bool)>> = vec![None; inputs.len()];
    let mut work = Vec::new();
    let mut positions = Vec::new();
    for (index, article) in inputs.into_iter().enumerate() {
        match stored.get(&article.url) {
            Some(old)
                if old.content_hash == article.content_hash && old.extractor_version == version =>
            {
                result[index] = Some((old.id.into(), false));
            }
            Some(_) => {
                work.push((Change::Updated, None, article));
                positions.push(index);
            }
            None => {
                work.push((Change::New, None, article));
                positions.push(index);
            }
        }
    }
    if !work.is_empty() {
        let extractor = Arc::clone(&state.extractor);
        let jobs = state.jobs;
        let (batch, failures) =
            tokio::task::spawn_blocking(move || extract_all(&extractor, work, jobs))
                .await
                .map_err(|error| ApiError::Internal(error.into()))?;
        if !failures.is_empty() {
            return Err(ApiError::Internal(anyhow::anyhow!(
                "entity extraction failed for {} article(s)",
                failures.len()
            )));
        }
        let prepared: Vec<store::Prepared> = batch.into_iter().map(|(_, p)| p).collect();
        let outcome = store::store_batch(&state.pool, &version, &prepared).await;
        // Whatever happened, reads wait for a standby that has replayed it (or go to the
        // primary), and then for a fresh entity directory: in this order, so that no read
        // picks a standby by the old floor and then reads the new directory.
        state.reads.seen_primary().await;
        if let Some(directory) = &state.directory {
            directory.invalidate();
        }
        if let Some(index) = &state.text_index {
            index.invalidate();
        }
        let outcome = outcome?;
        for (position, stored) in positions.into_iter().zip(outcome.articles) {
            result[position] = Some((stored.id.into(), stored.inserted));
        }
    }
    Ok(result.into_iter().flatten().collect())
}

async fn respond(state: &AppState, ids: &Stored, single: bool) -> Result<Response, ApiError> {
    let mut data = Vec::with_capacity(ids.len());
    for (id, _) in ids {
        let row = articles::by_id(&state.pool, *id)
            .await?
            .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("a stored article vanished")))?;
        let entities = articles::entities_of(&state.pool, *id)
            .await?
            .into_iter()
            .map(|entity| ArticleEntity::from_row(entity, None))
            .collect();
        data.push(ArticleResponse::from_row(row, ArticleField::ALL).with_entities(entities));
    }
    let created = ids.iter().any(|(_, inserted)| *inserted);
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let mut response = if single {
        (status, axum::Json(&data[0])).into_response()
    } else {
        (status, axum::Json(json!({ "data": data }))).into_response()
    };
    if single
        && created
        && let Ok(location) = HeaderValue::from_str(&format!("/v1/articles/{}", ids[0].0))
    {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
