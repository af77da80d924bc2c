//! Reading a JSON request body for the write routes: `Content-Type: application/json`, at
//! most the configured size (refused by its declared length before anything is read), and
//! valid JSON; each failure is the problem the client can act on.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde_json::Value;

use super::AppState;
use super::error::ApiError;

/// The request's body as JSON. With `empty_ok` (routes whose body is optional), an empty body
/// is `null` and the Content-Type may be left out.
pub(super) async fn read_json(
    state: &AppState,
    request: Request,
    empty_ok: bool,
) -> Result<Value, ApiError> {
    let headers = request.headers();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    // A route whose body is optional takes a request without Content-Type (and without body).
    let type_ok = match headers.get(header::CONTENT_TYPE) {
        None => empty_ok,
        Some(value) => value
            .to_str()
            .ok()
            .and_then(|value| value.split(';').next())
            .is_some_and(|mime| {
                let mime = mime.trim();
                mime.eq_ignore_ascii_case("application/json")
                    || mime.eq_ignore_ascii_case("application/merge-patch+json")
            }),
    };
    if !type_ok {
        return Err(ApiError::UnsupportedMediaType);
    }
    if declared.is_some_and(|length| length > state.max_body_bytes as u64) {
        return Err(ApiError::PayloadTooLarge {
            limit: state.max_body_bytes,
        });
    }
    let body = Bytes::from_request(request, state)
        .await
        .map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge {
                    limit: state.max_body_bytes,
                }
            } else {
                ApiError::InvalidBody(rejection.body_text())
            }
        })?;
    if empty_ok && body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(&body)
        .map_err(|error| ApiError::InvalidBody(format!("not JSON: {error}")))
}
