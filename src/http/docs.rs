//! The contract and its docs page: `/openapi.yaml` (the file at the repository's top level,
//! built in) and `/docs`, Swagger UI vendored under assets/ so it works offline.

use axum::extract::{OriginalUri, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::params::Params;

/// The OpenAPI document.
pub const OPENAPI_YAML: &str = include_str!("../../openapi.yaml");

/// `GET /openapi.yaml`.
pub async fn get_openapi(OriginalUri(uri): OriginalUri) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    Ok((
        [(header::CONTENT_TYPE, "application/yaml; charset=utf-8")],
        OPENAPI_YAML,
    )
        .into_response())
}

/// `GET /docs`.
pub async fn get_docs(OriginalUri(uri): OriginalUri) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    Ok((
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        include_str!("../../assets/docs.html"),
    )
        .into_response())
}

/// `GET /docs/assets/{file}`: the page's scripts and styles, cached for a day.
pub async fn get_docs_asset(
    Path(file): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let (content_type, body): (&str, &'static [u8]) = match file.as_str() {
        "swagger-ui-bundle.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/swagger-ui/swagger-ui-bundle.js"),
        ),
        "swagger-ui.css" => (
            "text/css; charset=utf-8",
            include_bytes!("../../assets/swagger-ui/swagger-ui.css"),
        ),
        "docs.js" => (
            "text/javascript; charset=utf-8",
            include_bytes!("../../assets/docs.js"),
        ),
        "docs.css" => (
            "text/css; charset=utf-8",
            include_bytes!("../../assets/docs.css"),
        ),
        _ => return Err(ApiError::NotFound("asset")),
    };
    Ok((
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        body,
    )
        .into_response())
}
