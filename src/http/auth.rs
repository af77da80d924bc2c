//! Bearer tokens: for write endpoints always, for reads when read tokens are configured.
//! Tokens come from configuration; only their SHA-256 digests are kept, and they are
//! compared in constant time. A token configured as `NAME:SECRET` (NAME of letters, digits,
//! `.`, `_` and `-`, at most 64) is known by NAME, which the curation change log records as
//! who made a change; clients send SECRET (or, as before names existed, the whole entry). Any
//! other entry is the secret itself, known as `token-N` (its position in the list, from 1).

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{HeaderMap, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};

use super::error::ApiError;

/// A set of accepted tokens, each with its name.
#[derive(Clone, Default)]
pub struct BearerTokens {
    digests: Vec<[u8; 32]>,
    names: Vec<String>,
}

impl std::fmt::Debug for BearerTokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "BearerTokens({} configured)", self.digests.len())
    }
}

impl BearerTokens {
    /// The tokens to accept (empty ones are ignored).
    pub fn new(tokens: &[SecretString]) -> Self {
        let mut accepted = Self::default();
        for (position, token) in tokens.iter().enumerate() {
            let token = token.expose_secret().trim();
            let (name, secret) = match token.split_once(':') {
                Some((name, secret)) if is_token_name(name) && !secret.trim().is_empty() => {
                    (name.to_owned(), secret.trim())
                }
                _ => (format!("token-{}", position + 1), token),
            };
            if !secret.is_empty() {
                accepted.digests.push(digest(secret));
                accepted.names.push(name.clone());
            }
            // The whole entry stays a token too, as it was before tokens had names.
            if secret != token && !token.is_empty() {
                accepted.digests.push(digest(token));
                accepted.names.push(name);
            }
        }
        accepted
    }

    /// Checks the request's `Authorization: Bearer <token>`: 401 when missing or malformed,
    /// 403 when not accepted (or when no token is configured: writes are then disabled).
    pub fn check(&self, headers: &HeaderMap) -> Result<(), ApiError> {
        self.holder(headers).map(drop)
    }

    /// [`BearerTokens::check`], answering the accepted token's name.
    pub fn holder(&self, headers: &HeaderMap) -> Result<&str, ApiError> {
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
        let matched = self
            .digests
            .iter()
            .enumerate()
            .fold(None, |found, (index, known)| {
                if constant_time_eq(known, &presented) {
                    Some(index)
                } else {
                    found
                }
            });
        match matched {
            Some(index) => Ok(&self.names[index]),
            None => Err(ApiError::Forbidden),
        }
    }
}

/// Whether `name` may name a token.
fn is_token_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 64
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
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
    fn a_named_token_is_known_by_its_name_and_an_unnamed_one_by_its_place() {
        let tokens = BearerTokens::new(&[
            SecretString::from("plain-secret".to_owned()),
            SecretString::from("alice:s3cret".to_owned()),
            SecretString::from("not a name:x".to_owned()),
        ]);

        assert_eq!(
            tokens.holder(&headers("Bearer plain-secret")).ok(),
            Some("token-1")
        );
        assert_eq!(tokens.holder(&headers("Bearer s3cret")).ok(), Some("alice"));
        assert_eq!(
            tokens.holder(&headers("Bearer alice:s3cret")).ok(),
            Some("alice"),
            "the whole entry, as configured before names, is still accepted"
        );
        assert_eq!(
            tokens.holder(&headers("Bearer not a name:x")).ok(),
            Some("token-3")
        );
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
