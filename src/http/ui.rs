//! The reference dashboard: `/` and the files under `/ui/`, built into the binary (no CDN,
//! no network), turned off with `--no-ui`. It is plain HTML, CSS and JavaScript modules over
//! the public `/v1` API only (assets/ui/app.js the views, dom.js the building blocks,
//! charts.js the drawings); the world outline its maps draw places on is
//! generated once from Natural Earth by ui/build-world.mjs and committed.

use axum::extract::{OriginalUri, Path};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::params::Params;

/// One built-in file.
struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const JS: &str = "text/javascript; charset=utf-8";

const fn asset(name: &'static str, content_type: &'static str, body: &'static [u8]) -> Asset {
    Asset {
        name,
        content_type,
        body,
    }
}

const INDEX: Asset = asset(
    "index.html",
    "text/html; charset=utf-8",
    include_bytes!("../../assets/ui/index.html"),
);

const ASSETS: [Asset; 5] = [
    asset("app.js", JS, include_bytes!("../../assets/ui/app.js")),
    asset("dom.js", JS, include_bytes!("../../assets/ui/dom.js")),
    asset("charts.js", JS, include_bytes!("../../assets/ui/charts.js")),
    asset(
        "app.css",
        "text/css; charset=utf-8",
        include_bytes!("../../assets/ui/app.css"),
    ),
    asset("world.js", JS, include_bytes!("../../assets/ui/world.js")),
];

/// `GET /`: the dashboard's page.
pub async fn get_index(OriginalUri(uri): OriginalUri) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    Ok(respond(&INDEX))
}

/// `GET /ui/{file}`: its scripts, styles and world outline.
pub async fn get_asset(
    Path(file): Path<String>,
    OriginalUri(uri): OriginalUri,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), &[])?;
    let asset = ASSETS
        .iter()
        .find(|asset| asset.name == file)
        .ok_or(ApiError::NotFound("asset"))?;
    Ok(respond(asset))
}

/// The file, revalidated on every use (`no-cache`; the ETag every complete answer gets makes
/// that a `304`), so that an upgraded binary's page never runs a cached older script.
fn respond(asset: &Asset) -> Response {
    (
        StatusCode::OK,
        [
            (header::CONTENT_TYPE, asset.content_type),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        asset.body,
    )
        .into_response()
}
