//! The curation write routes: `POST /v1/entities/{id}/merge`, `POST /v1/entities/{id}/split`,
//! `PATCH /v1/entities/{id}`, `POST /v1/suppressions` and `POST /v1/changes/{id}/undo`. Each
//! needs a write token (whose configured name the change log records), reads a bounded JSON
//! body, honours `If-Match` against the entity's current `ETag`, and hands the change to
//! `curation::Curator`. What the change did is visible at once in this process (the entity
//! directory waits for a fresh snapshot) and in every other `serve` within the directory's
//! refresh period.

use axum::extract::{OriginalUri, Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use newsgraph_extract::{EntityKind, Field};
use serde::{Deserialize, Deserializer};
use serde_json::{Value, json};
use uuid::Uuid;
use xxhash_rust::xxh3::xxh3_128;

use super::AppState;
use super::body::read_json;
use super::changes::ChangeResponse;
use super::dto::EntityResponse;
use super::error::{ApiError, FieldError};
use super::params::Params;
use crate::curation::{
    Applied, CurationError, Curator, IdOrSlug, MentionRef, Operation, Precondition,
    Request as Change,
};
use crate::db::curation_log;
use crate::db::entity_queries::{self, EntityRow};

/// `POST /v1/entities/{id}/merge` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    entities: Vec<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// One mention in a split body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MentionBody {
    article_id: Uuid,
    field: Field,
    start: i32,
}

/// `POST /v1/entities/{id}/split` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitBody {
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default)]
    mentions: Vec<MentionBody>,
    #[serde(default)]
    into: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<EntityKind>,
    #[serde(default)]
    reason: Option<String>,
}

/// `PATCH /v1/entities/{id}` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct EditBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default, rename = "type")]
    kind: Option<EntityKind>,
    #[serde(default, deserialize_with = "present")]
    wikidata_id: Option<Option<String>>,
    #[serde(default)]
    add_aliases: Vec<String>,
    #[serde(default)]
    remove_aliases: Vec<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /v1/suppressions` body.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuppressBody {
    name: String,
    #[serde(default, rename = "type")]
    kind: Option<EntityKind>,
    #[serde(default)]
    reason: Option<String>,
}

/// `POST /v1/changes/{id}/undo` body (optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct UndoBody {
    #[serde(default)]
    reason: Option<String>,
}

/// A field present in the body, `null` or not: `Some(None)` for `null`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// `POST /v1/entities/{id}/merge`: the listed entities are merged into `{id}`.
pub async fn merge_entities(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (actor, headers, body) = prepare(&state, &uri, request, false).await?;
    let body: MergeBody = parse(body)?;
    let entities = body
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| {
            IdOrSlug::parse(e).map_err(|detail| body_error(&format!("/entities/{i}"), detail))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let operation = Operation::Merge {
        into: path_ref(&id)?,
        entities,
    };
    run(&state, &actor, &headers, operation, body.reason).await
}

/// `POST /v1/entities/{id}/split`: chosen aliases or mentions of `{id}` go to another entity.
pub async fn split_entity(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (actor, headers, body) = prepare(&state, &uri, request, false).await?;
    let body: SplitBody = parse(body)?;
    let into = body
        .into
        .as_deref()
        .map(|into| IdOrSlug::parse(into).map_err(|detail| body_error("/into", detail)))
        .transpose()?;
    let operation = Operation::Split {
        entity: path_ref(&id)?,
        aliases: body.aliases,
        mentions: body
            .mentions
            .iter()
            .map(|m| MentionRef {
                article_id: m.article_id,
                field: m.field,
                start: m.start,
            })
            .collect(),
        into,
        name: body.name,
        kind: body.kind,
    };
    run(&state, &actor, &headers, operation, body.reason).await
}

/// `PATCH /v1/entities/{id}`: name, type, Wikidata id, aliases.
pub async fn edit_entity(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (actor, headers, body) = prepare(&state, &uri, request, false).await?;
    let body: EditBody = parse(body)?;
    let operation = Operation::Edit {
        entity: path_ref(&id)?,
        name: body.name,
        kind: body.kind,
        wikidata_id: body.wikidata_id,
        add_aliases: body.add_aliases,
        remove_aliases: body.remove_aliases,
    };
    run(&state, &actor, &headers, operation, body.reason).await
}

/// `POST /v1/suppressions`: a name that is not an entity.
pub async fn suppress_name(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    request: Request,
) -> Result<Response, ApiError> {
    let (actor, headers, body) = prepare(&state, &uri, request, false).await?;
    let body: SuppressBody = parse(body)?;
    let operation = Operation::Suppress {
        name: body.name,
        kind: body.kind,
    };
    run(&state, &actor, &headers, operation, body.reason).await
}

/// `POST /v1/changes/{id}/undo`.
pub async fn undo_change(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
    request: Request,
) -> Result<Response, ApiError> {
    let (actor, headers, body) = prepare(&state, &uri, request, true).await?;
    let body: UndoBody = if body.is_null() {
        UndoBody::default()
    } else {
        parse(body)?
    };
    let change = super::changes::change_number(&id)?;
    run(
        &state,
        &actor,
        &headers,
        Operation::Undo { change },
        body.reason,
    )
    .await
}

/// What every write route does before its own: the token (before the body is read), the
/// query (none taken), the body.
async fn prepare(
    state: &AppState,
    uri: &axum::http::Uri,
    request: Request,
    empty_ok: bool,
) -> Result<(String, HeaderMap, Value), ApiError> {
    let actor = state.write_tokens.holder(request.headers())?.to_owned();
    Params::parse(uri.query(), &[])?;
    let headers = request.headers().clone();
    let body = read_json(state, request, empty_ok).await?;
    Ok((actor, headers, body))
}

fn parse<T: serde::de::DeserializeOwned>(body: Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|error| ApiError::InvalidBody(error.to_string()))
}

fn path_ref(id: &str) -> Result<IdOrSlug, ApiError> {
    IdOrSlug::parse(id).map_err(|detail| ApiError::invalid("id", detail))
}

fn body_error(pointer: &str, detail: String) -> ApiError {
    ApiError::Unprocessable {
        detail: detail.clone(),
        errors: vec![FieldError {
            param: None,
            pointer: Some(pointer.to_owned()),
            detail,
        }],
    }
}

/// Makes the change and answers `{"change": ..., "entity": ...}` with the entity's new
/// `ETag`.
async fn run(
    state: &AppState,
    actor: &str,
    headers: &HeaderMap,
    operation: Operation,
    reason: Option<String>,
) -> Result<Response, ApiError> {
    if reason.as_ref().is_some_and(|r| r.chars().count() > 2000) {
        return Err(body_error("/reason", "at most 2000 characters".to_owned()));
    }
    let precondition = if_match(headers);
    let curator = Curator::new(state.pool.clone(), state.extractor.clone(), state.jobs);
    let change = Change { operation, reason };
    let applied = curator
        .apply(actor, &change, precondition.as_ref())
        .await
        .map_err(problem)?;
    // The next lookup or name search waits for a directory that includes the change, and
    // the dashboard answers (which count the articles' entities in the text index) go to the
    // database until the index includes it.
    if applied.change.is_some() {
        state.reads.seen_primary().await;
        if let Some(directory) = &state.directory {
            directory.invalidate();
        }
        if let Some(index) = &state.text_index {
            index.invalidate();
        }
    }
    respond(state, applied).await
}

async fn respond(state: &AppState, applied: Applied) -> Result<Response, ApiError> {
    let change = match applied.change {
        Some(number) => curation_log::by_id(&state.pool, number)
            .await?
            .map(ChangeResponse::from),
        None => None,
    };
    let entity = match applied.entity {
        Some(id) => entity_queries::by_id(&state.pool, id.into()).await?,
        None => None,
    };
    let tag = entity.as_ref().map(entity_tag);
    let body = json!({
        "change": change,
        "entity": entity.map(EntityResponse::from),
    });
    let mut response = (StatusCode::OK, axum::Json(body)).into_response();
    if let Some(tag) = tag.and_then(|tag| HeaderValue::from_str(&tag).ok()) {
        response.headers_mut().insert(header::ETAG, tag);
    }
    Ok(response)
}

/// The `ETag` of `GET /v1/entities/{id}` for this entity: the same hash of the same bytes
/// the conditional-GET layer computes.
pub(super) fn entity_tag(row: &EntityRow) -> String {
    let body = serde_json::to_vec(&EntityResponse::from(row.clone())).unwrap_or_default();
    format!("\"{:032x}\"", xxh3_128(&body))
}

/// `If-Match`, when sent: its entity tags (weak ones never match, as RFC 9110 says).
fn if_match(headers: &HeaderMap) -> Option<Precondition> {
    let raw: Vec<&HeaderValue> = headers.get_all(header::IF_MATCH).iter().collect();
    if raw.is_empty() {
        return None;
    }
    // A value that is not visible ASCII names no tag of ours: it matches nothing (412), it
    // does not make the change unconditional.
    let values: Vec<&str> = raw
        .iter()
        .map(|value| value.to_str().unwrap_or("\"unreadable\""))
        .collect();
    let tags = values
        .iter()
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .filter(|tag| !tag.is_empty() && !tag.starts_with("W/"))
        .map(str::to_owned)
        .collect();
    Some(Precondition {
        tags,
        tag_of: entity_tag,
    })
}

/// The problem a refused change answers.
fn problem(error: CurationError) -> ApiError {
    match error {
        CurationError::NoEntity(_) => ApiError::NotFound("entity"),
        CurationError::NoChange(_) => ApiError::NotFound("change"),
        error @ CurationError::Merged { .. } => ApiError::Conflict {
            code: "merged_entity",
            detail: error.to_string(),
        },
        CurationError::Invalid { field, detail } => ApiError::Unprocessable {
            detail: format!("{field}: {detail}"),
            errors: vec![FieldError {
                param: None,
                pointer: Some(format!("/{field}")),
                detail,
            }],
        },
        CurationError::Conflict { code, detail } => ApiError::Conflict { code, detail },
        CurationError::PreconditionFailed => ApiError::PreconditionFailed,
        CurationError::Database(error) => error.into(),
        CurationError::Other(error) => ApiError::Internal(error),
    }
}
