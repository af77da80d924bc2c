//! The one error type of the HTTP layer, rendered as an RFC 9457 problem
//! (`application/problem+json`) with a stable machine-readable `code`, the offending
//! parameters, and the request id.
//!
//! 5xx causes are logged here, once, inside the request's span; the client only ever sees
//! "internal server error" and the request id.

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::request_id::current_request_id;

/// Everything a handler can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// A query parameter or path segment is unknown or invalid.
    #[error("invalid parameter {param}: {detail}")]
    InvalidParameter {
        /// The parameter's name.
        param: String,
        /// What is wrong with it.
        detail: String,
    },
    /// The request body is not what the endpoint takes.
    #[error("invalid body: {0}")]
    InvalidBody(String),
    /// The body parsed but its content cannot be processed.
    #[error("unprocessable: {detail}")]
    Unprocessable {
        /// What is wrong.
        detail: String,
        /// Per-field problems.
        errors: Vec<FieldError>,
    },
    /// No such resource.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// The request is valid, the state of the data refuses it.
    #[error("{detail}")]
    Conflict {
        /// A stable code (`type_conflict`, `later_change`, ...).
        code: &'static str,
        /// What is in the way.
        detail: String,
    },
    /// `If-Match` names a version that is no longer current.
    #[error("the resource changed since the version named by If-Match; fetch it again")]
    PreconditionFailed,
    /// No route matches.
    #[error("no such route")]
    NoRoute,
    /// The route exists, not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// No or malformed credentials.
    #[error("missing or malformed bearer token")]
    Unauthorized,
    /// Credentials given but not accepted.
    #[error("token not accepted")]
    Forbidden,
    /// The body is not JSON (by Content-Type).
    #[error("the body must be JSON (Content-Type: application/json)")]
    UnsupportedMediaType,
    /// Too many requests from this client.
    #[error("too many requests; retry after {retry_after} s")]
    RateLimited {
        /// Seconds until a request will be accepted.
        retry_after: u64,
    },
    /// The body is larger than the configured limit.
    #[error("request body larger than {limit} bytes")]
    PayloadTooLarge {
        /// The limit in bytes.
        limit: usize,
    },
    /// The request took longer than the configured timeout.
    #[error("request timed out")]
    Timeout,
    /// Too many costly requests are running or waiting; retry after the given seconds.
    #[error("too many costly requests at once; retry after {retry_after} s")]
    Overloaded {
        /// Seconds to wait before retrying.
        retry_after: u64,
    },
    /// The database cannot be reached.
    #[error("database unavailable")]
    DatabaseUnavailable,
    /// The database refuses writes: `DATABASE_URL` names a standby.
    #[error(
        "this server's database is a read-only standby; send writes to a server whose \
         DATABASE_URL is the primary"
    )]
    ReadOnlyDatabase,
    /// The server is still loading what it needs to answer quickly (the entity directory).
    #[error("starting: the entity directory is loading")]
    Starting,
    /// A bug or an unexpected failure; the cause is logged, never sent.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// One problem with one field or parameter.
#[derive(Debug, Clone, Serialize)]
pub struct FieldError {
    /// The parameter's name, for query and path problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub param: Option<String>,
    /// A JSON pointer into the body, for body problems.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pointer: Option<String>,
    /// What is wrong.
    pub detail: String,
}

impl From<sqlx::Error> for ApiError {
    fn from(error: sqlx::Error) -> Self {
        match error {
            sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed | sqlx::Error::Io(_) => {
                tracing::warn!(error = %error, "database unavailable");
                Self::DatabaseUnavailable
            }
            sqlx::Error::Database(ref database) => match database.code().as_deref() {
                // query_canceled: the statement timeout ran out, a timeout like the request's.
                Some("57014") => {
                    tracing::warn!(error = %error, "statement timed out");
                    Self::Timeout
                }
                Some(code) if lost_connection(code) => {
                    tracing::warn!(error = %error, "database unavailable");
                    Self::DatabaseUnavailable
                }
                Some("25006") => {
                    tracing::warn!(error = %error, "a write reached a read-only database");
                    Self::ReadOnlyDatabase
                }
                _ => Self::Internal(error.into()),
            },
            other => Self::Internal(other.into()),
        }
    }
}

/// Whether a SQLSTATE says the server went away or cannot take the query now, rather than
/// that the query is wrong: a lost or refused connection (08000, 08003, 08006, 08001,
/// 08004; not 08P01, a protocol violation, which is a bug), an administrator's or crash
/// shutdown, a server still starting (57P01-57P03), or a standby cancelling a query that
/// conflicts with the log it replays (40001, which newsgraph's own transactions, never
/// serializable, raise only there).
fn lost_connection(code: &str) -> bool {
    matches!(
        code,
        "08000" | "08003" | "08006" | "08001" | "08004" | "57P01" | "57P02" | "57P03" | "40001"
    )
}

/// Marks a response that reports the database unreachable, so that a read that failed on a
/// standby can be retried on the primary.
#[derive(Debug, Clone, Copy)]
pub struct DatabaseFailed;

impl ApiError {
    /// A 400 naming the parameter.
    pub fn invalid(param: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::InvalidParameter {
            param: param.into(),
            detail: detail.into(),
        }
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            Self::InvalidParameter { .. } | Self::InvalidBody(_) => StatusCode::BAD_REQUEST,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::NotFound(_) | Self::NoRoute => StatusCode::NOT_FOUND,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Self::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Timeout
            | Self::Overloaded { .. }
            | Self::DatabaseUnavailable
            | Self::ReadOnlyDatabase
            | Self::Starting => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The stable, machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::InvalidParameter { .. } => "invalid_parameter",
            Self::InvalidBody(_) => "invalid_body",
            Self::Unprocessable { .. } => "unprocessable",
            Self::NotFound(_) | Self::NoRoute => "not_found",
            Self::Conflict { code, .. } => code,
            Self::PreconditionFailed => "precondition_failed",
            Self::MethodNotAllowed => "method_not_allowed",
            Self::Unauthorized => "unauthorized",
            Self::Forbidden => "forbidden",
            Self::PayloadTooLarge { .. } => "payload_too_large",
            Self::UnsupportedMediaType => "unsupported_media_type",
            Self::RateLimited { .. } => "rate_limited",
            Self::Timeout => "timeout",
            Self::Overloaded { .. } => "overloaded",
            Self::DatabaseUnavailable => "database_unavailable",
            Self::ReadOnlyDatabase => "database_read_only",
            Self::Starting => "starting",
            Self::Internal(_) => "internal",
        }
    }

    fn errors(&self) -> Vec<FieldError> {
        match self {
            Self::InvalidParameter { param, detail } => vec![FieldError {
                param: Some(param.clone()),
                pointer: None,
                detail: detail.clone(),
            }],
            Self::Unprocessable { errors, .. } => errors.clone(),
            _ => Vec::new(),
        }
    }

    fn detail(&self) -> String {
        match self {
            Self::Internal(_) => "internal server error".to_owned(),
            other => other.to_string(),
        }
    }
}

/// The problem document.
#[derive(Debug, Serialize)]
struct Problem {
    #[serde(rename = "type")]
    kind: String,
    title: &'static str,
    status: u16,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    instance: Option<String>,
    code: &'static str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    errors: Vec<FieldError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let request_id = current_request_id();
        if let Self::Internal(cause) = &self {
            tracing::error!(
                request.id = request_id.as_deref().unwrap_or_default(),
                error = format!("{cause:#}"),
                "request failed"
            );
        }
        let status = self.status();
        let problem = Problem {
            kind: format!("/docs#problem-{}", self.code()),
            title: status.canonical_reason().unwrap_or("Error"),
            status: status.as_u16(),
            detail: self.detail(),
            instance: request_id.as_ref().map(|id| format!("urn:request:{id}")),
            code: self.code(),
            errors: self.errors(),
            request_id,
        };
        let mut response = (status, Json(problem)).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        match &self {
            Self::Unauthorized => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            Self::RateLimited { retry_after } | Self::Overloaded { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            Self::DatabaseUnavailable => {
                response.extensions_mut().insert(DatabaseFailed);
            }
            _ => {}
        }
        response
    }
}
