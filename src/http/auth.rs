//! Bearer tokens: for write endpoints always, for reads when read tokens are configured.
//! Tokens come from configuration; only their SHA-256 digests are kept, and they are
//! compared in constant time.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::error::ApiError;

/// A set of accepted tokens.
#[derive(Clone, Default)]
pub struct BearerTokens {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for BearerTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BearerTokens({} configured)", self.digests.len())
    }
}

impl BearerTokens {
    /// The tokens to accept (empty ones are ignored).
    pub fn new(tokens: &[SecretString]) -> Self {
        Self {
            digests: tokens
                .iter()
                .map(|token| token.expose_secret().trim())
                .filter(|token| !token.is_empty())
                .map(digest)
                .collect(),
        }
    }

    /// Checks the request's `Authorization: Bearer <token>`: 401 when missing or malformed,
    /// 403 when not accepted (or when no token is configured: writes are then disabled).
    pub fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        let token = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let presented = digest(token);
        // Every configured token is compared, so the time does not tell which one matched.
        let matched = self.digests.iter().fold(false, |found, known| {
            found | constant_time_eq(known, &presented)
        });
        if matched {
            Ok(())
        } else {
            Err(ApiError::Forbidden)
        }
    }
}

fn digest(token: &str) -> [u8; 32] {
    Sha256::digest(token.as_bytes()).into()
}

fn constant_time_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Who may read `/v1`: anyone when no read token is configured, else the holders of a read
/// or a write token.
#[derive(Debug, Clone)]
pub struct ReadAccess {
    tokens: Option<BearerTokens>,
}

impl ReadAccess {
    /// Open reads when `read` is empty; else reads need one of `read` or `write`.
    pub fn new(read: &[SecretString], write: &[SecretString]) -> Arc<Self> {
        let tokens = (!BearerTokens::new(read).digests.is_empty())
            .then(|| BearerTokens::new(&[read, write].concat()));
        Arc::new(Self { tokens })
    }

    /// Whether reads need no token.
    pub fn is_open(&self) -> bool {
        self.tokens.is_none()
    }
}

/// Route layer: refuses reads without an accepted token when reads are protected.
pub async fn require_read_token(
    State(access): State<Arc<ReadAccess>>,
    request: Request,
    next: Next,
) -> Response {
    if let Some(tokens) = &access.tokens
        && let Err(error) = tokens.check(request.headers())
    {
        return error.into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(authorization: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            HeaderValue::from_str(authorization).expect("ASCII"),
        );
        headers
    }

    #[test]
    fn a_configured_token_is_accepted_and_others_are_refused() {
        let tokens = BearerTokens::new(&[SecretString::from("s3cret".to_owned())]);

        assert!(tokens.check(&headers("Bearer s3cret")).is_ok());
        assert!(matches!(
            tokens.check(&headers("Bearer wrong")),
            Err(ApiError::Forbidden)
        ));
        assert!(matches!(
            tokens.check(&headers("Basic s3cret")),
            Err(ApiError::Unauthorized)
        ));
        assert!(matches!(
            tokens.check(&HeaderMap::new()),
            Err(ApiError::Unauthorized)
        ));
    }

    #[test]
    fn protected_reads_take_read_or_write_tokens() {
        let read = [SecretString::from("reader".to_owned())];
        let write = [SecretString::from("writer".to_owned())];

        let access = ReadAccess::new(&read, &write);
        let open = ReadAccess::new(&[], &write);

        let tokens = access.tokens.as_ref().expect("reads are protected");
        assert!(tokens.check(&headers("Bearer reader")).is_ok());
        assert!(tokens.check(&headers("Bearer writer")).is_ok());
        assert!(tokens.check(&headers("Bearer other")).is_err());
        assert!(open.tokens.is_none());
    }

    #[test]
    fn without_configured_tokens_every_write_is_forbidden() {
        let tokens = BearerTokens::new(&[]);

        assert!(matches!(
            tokens.check(&headers("Bearer anything")),
            Err(ApiError::Forbidden)
        ));
    }
}
