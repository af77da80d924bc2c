//! Finding an entity from what a request names it by (id, slug or Wikidata id), for every
//! resource that takes one: a path segment of `/v1/entities/{id}/…` or an `entity=` filter of
//! the article list. It follows merges and answers no route itself.

use std::sync::Arc;

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sqlx::PgPool;

use super::error::ApiError;
use super::params::IdOrSlug;
use crate::db::entity_queries::{self, EntityRow};
use crate::directory::{Directory, Found};
use crate::domain::EntityId;

/// Finds an entity by id, slug or Wikidata id, in the directory first, then in the database
/// (for an entity newer than the directory's snapshot). A merged entity's old id or slug
/// resolves to the survivor; a Wikidata id finds the most named entity carrying it.
pub async fn find_entity(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    key: &IdOrSlug,
) -> Result<Resolved, ApiError> {
    let snapshot = match directory {
        Some(directory) => directory.snapshot().await.ok(),
        None => None,
    };
    if let Some(snapshot) = snapshot {
        let found = match key {
            IdOrSlug::Id(id) => snapshot.by_id(*id),
            IdOrSlug::Slug(slug) => snapshot.by_slug(slug),
            IdOrSlug::Wikidata(qid) => snapshot.by_wikidata(qid),
        };
        match found {
            Some(Found::Entity(row)) => return Ok(Resolved::Found(row)),
            Some(Found::MergedInto(row)) => {
                return Ok(Resolved::Moved {
                    id: row.id,
                    slug: row.slug.clone(),
                });
            }
            None => {}
        }
    }
    let row = match key {
        IdOrSlug::Id(id) => entity_queries::by_id(pool, *id).await?,
        IdOrSlug::Slug(slug) => entity_queries::by_slug(pool, slug).await?,
        IdOrSlug::Wikidata(qid) => entity_queries::by_wikidata(pool, qid).await?,
    };
    if let Some(row) = row {
        return Ok(Resolved::Found(Arc::new(row)));
    }
    let redirect = match key {
        IdOrSlug::Id(id) => entity_queries::redirect(pool, Some(*id), None).await?,
        IdOrSlug::Slug(slug) => entity_queries::redirect(pool, None, Some(slug)).await?,
        IdOrSlug::Wikidata(_) => None,
    };
    match redirect {
        Some((id, slug)) => Ok(Resolved::Moved { id, slug }),
        None => Err(ApiError::NotFound("entity")),
    }
}

/// An entity looked up by id or slug.
pub enum Resolved {
    /// Here it is.
    Found(Arc<EntityRow>),
    /// It was merged into this one.
    Moved {
        /// The surviving entity's id.
        id: EntityId,
        /// Its slug.
        slug: String,
    },
}

/// The id of the entity a parameter (`entity=`) names, following merges; a 400 naming the
/// parameter when there is none.
pub async fn resolve_entity_param(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    param: &str,
    value: &str,
) -> Result<EntityId, ApiError> {
    let key = IdOrSlug::parse(value).map_err(|detail| ApiError::invalid(param, detail))?;
    match find_entity(pool, directory, &key).await {
        Ok(Resolved::Found(row)) => Ok(row.id),
        Ok(Resolved::Moved { id, .. }) => Ok(id),
        Err(ApiError::NotFound(_)) => Err(ApiError::invalid(param, format!("no entity {value:?}"))),
        Err(other) => Err(other),
    }
}

/// The entity of a path segment; merged entities answer 301 to their survivor.
pub(super) async fn path_entity(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    segment: &str,
    uri: &axum::http::Uri,
) -> Result<Result<EntityRow, Response>, ApiError> {
    let key = IdOrSlug::parse(segment).map_err(|detail| ApiError::invalid("id", detail))?;
    match find_entity(pool, directory, &key).await? {
        Resolved::Found(row) => Ok(Ok(Arc::unwrap_or_clone(row))),
        Resolved::Moved { slug, .. } => {
            // The same route with the survivor's slug: /v1/entities/{id}[/rest]. The raw
            // segment may be percent-encoded, so the path is rebuilt, not searched.
            let rest: Vec<&str> = uri.path().split('/').skip(4).collect();
            let path = if rest.is_empty() {
                format!("/v1/entities/{slug}")
            } else {
                format!("/v1/entities/{slug}/{}", rest.join("/"))
            };
            let location = match uri.query() {
                Some(query) => format!("{path}?{query}"),
                None => path,
            };
            let mut response = (
                StatusCode::MOVED_PERMANENTLY,
                axum::Json(json!({ "moved_to": slug, "location": location })),
            )
                .into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            Ok(Err(response))
        }
    }
}
