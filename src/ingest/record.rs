//! Records: what an input format yields ([`RawRecord`], strings as found) and what the
//! importer stores ([`ArticleInput`], validated and normalized), and the conversion between
//! them, which names the field at fault when a record is bad.

use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{date, text, url};

/// The largest body accepted, in bytes.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// The longest title, in characters (headlines run to about 150).
pub const MAX_TITLE_CHARS: usize = 2_000;
/// The longest source name, in characters.
pub const MAX_SOURCE_CHARS: usize = 200;

/// Where a record came from: a file (or `-` for stdin) and a line, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file as named on the command line or found in a directory; `-` for stdin.
    pub file: Arc<str>,
    /// The 1-based line the record starts on.
    pub line: Option<u64>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.file),
            None => write!(f, "{}", self.file),
        }
    }
}

/// One article as an input format found it, before validation.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawRecord {
    /// The article's URL.
    pub url: Option<String>,
    /// The headline.
    pub title: Option<String>,
    /// The text; HTML already turned into text by the format reader where it was HTML.
    pub body: Option<String>,
    /// The publication date as written.
    pub published_at: Option<String>,
    /// The publisher's display name.
    pub source: Option<String>,
    /// A BCP 47 language tag.
    pub language: Option<String>,
}

/// Why a record cannot be imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordError {
    /// The field at fault, when one is.
    pub field: Option<&'static str>,
    /// What is wrong.
    pub reason: String,
}

impl RecordError {
    fn field(field: &'static str, reason: impl Into<String>) -> Self {
        Self {
            field: Some(field),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.field {
            Some(field) => write!(f, "field {field}: {}", self.reason),
            None => f.write_str(&self.reason),
        }
    }
}

/// Every problem of one record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordErrors(pub Vec<RecordError>);

impl fmt::Display for RecordErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// A validated, normalized article, ready for extraction and storage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArticleInput {
    /// The canonical URL, the article's identity.
    pub url: String,
    /// The source domain, from the URL.
    pub domain: String,
    /// The source's display name (the domain when the input gives none).
    pub source_name: String,
    /// The normalized headline (may be empty).
    pub title: String,
    /// The normalized body (never empty).
    pub body: String,
    /// The publication date, when known.
    pub published_at: Option<DateTime<Utc>>,
    /// The language tag, `en` when the input gives none.
    pub language: String,
    /// SHA-256 of all of the above: equal hashes mean nothing to update.
    pub content_hash: [u8; 32],
}

impl RawRecord {
    /// Reads a record from a JSON object (JSON Lines, a JSON array item, an API body). Known
    /// fields are `url`, `title`, `body` (or `text`, `content`), `published_at` (or `date`),
    /// `source` and `language`; others are ignored.
    pub fn from_json(object: &Map<String, Value>) -> Result<Self, RecordErrors> {
        let mut errors = Vec::new();
        let mut field = |names: &[&'static str]| {
            string_field(object, names).unwrap_or_else(|error| {
                errors.push(error);
                None
            })
        };
        let record = Self {
            url: field(&["url"]),
            title: field(&["title"]),
            body: field(&["body", "text", "content"]),
            published_at: field(&["published_at", "date"]),
            source: field(&["source"]),
            language: field(&["language"]),
        };
        if errors.is_empty() {
            Ok(record)
        } else {
            Err(RecordErrors(errors))
        }
    }

    /// Validates and normalizes the record, naming every field at fault.
    pub fn validate(self) -> Result<ArticleInput, RecordErrors> {
        let mut errors = Vec::new();
        let canonical = match self.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
            None => {
                errors.push(RecordError::field("url", "missing"));
                None
            }
            Some(raw) => url::canonicalize(raw)
                .map_err(|e| errors.push(RecordError::field("url", e)))
                .ok(),
        };
        let raw_body = self.body.unwrap_or_default();
        let body = if raw_body.len() > MAX_BODY_BYTES {
            errors.push(RecordError::field(
                "body",
                format!("larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024)),
            ));
            String::new()
        } else {
            let body = text::normalize(&raw_body);
            if body.is_empty() {
                errors.push(RecordError::field("body", "missing or empty"));
            }
            body
        };
        let title = text::normalize_line(self.title.as_deref().unwrap_or_default());
        if title.chars().count() > MAX_TITLE_CHARS {
            errors.push(RecordError::field(
                "title",
                format!("longer than {MAX_TITLE_CHARS} characters"),
            ));
        }
        let published_at = match self.published_at.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => date::parse(raw)
                .map_err(|e| errors.push(RecordError::field("published_at", e)))
                .ok(),
        };
        let language = match self.language.as_deref().map(str::trim) {
            None | Some("") => Some("en".to_owned()),
            Some(tag) => {
                let parsed = language_tag(tag);
                if parsed.is_none() {
                    errors.push(RecordError::field(
                        "language",
                        format!("{tag:?} is not a language tag such as en or pt-BR"),
                    ));
                }
                parsed
            }
        };
        let (Some(canonical), Some(language), true) = (canonical, language, errors.is_empty())
        else {
            return Err(RecordErrors(errors));
        };
        let source_name = self
            .source
            .map(|name| text::normalize_line(&name))
            .filter(|name| !name.is_empty())
            .unwrap_or_else(|| canonical.domain.clone());
        if source_name.chars().count() > MAX_SOURCE_CHARS {
            return Err(RecordErrors(vec![RecordError::field(
                "source",
                format!("longer than {MAX_SOURCE_CHARS} characters"),
            )]));
        }
        let mut article = ArticleInput {
            url: canonical.url,
            domain: canonical.domain,
            source_name,
            title,
            body,
            published_at,
            language,
            content_hash: [0; 32],
        };
        article.content_hash = content_hash(&article);
        Ok(article)
    }
}

fn string_field(
    object: &Map<String, Value>,
    names: &[&'static str],
) -> Result<Option<String>, RecordError> {
    for &name in names {
        match object.get(name) {
            None | Some(Value::Null) => continue,
            Some(Value::String(text)) => return Ok(Some(text.clone())),
            Some(Value::Number(number)) if name == "published_at" || name == "date" => {
                // 1702117800 and 1702117800.0 are the same timestamp.
                let text = match (number.as_i64(), number.as_f64()) {
                    (Some(whole), _) => whole.to_string(),
                    (None, Some(float)) if float.fract() == 0.0 && float.abs() < 1e15 => {
                        format!("{float:.0}")
                    }
                    _ => number.to_string(),
                };
                return Ok(Some(text));
            }
            Some(other) => {
                return Err(RecordError::field(
                    name,
                    format!("expected a string, found {}", json_kind(other)),
                ));
            }
        }
    }
    Ok(None)
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Lowercases the primary subtag and checks the shape `ll(-xxxx)*`.
fn language_tag(tag: &str) -> Option<String> {
    let mut parts = tag.split(['-', '_']);
    let primary = parts.next()?.to_ascii_lowercase();
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_lowercase()) {
        return None;
    }
    let mut out = primary;
    for part in parts {
        if !(2..=8).contains(&part.len()) || !part.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        out.push('-');
        out.push_str(part);
    }
    Some(out)
}

fn content_hash(article: &ArticleInput) -> [u8; 32] {
    let mut hasher = Sha256::new();
    let published = article
        .published_at
        .map(|d| d.to_rfc3339())
        .unwrap_or_default();
    for field in [
        article.url.as_str(),
        article.source_name.as_str(),
        article.title.as_str(),
        article.body.as_str(),
        published.as_str(),
        article.language.as_str(),
    ] {
        // Length-prefixed, so that moving text between fields changes the hash.
        hasher.update((field.len() as u64).to_le_bytes());
        hasher.update(field.as_bytes());
    }
    hasher.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(json: &str) -> Result<ArticleInput, RecordErrors> {
        let value: Value = serde_json::from_str(json).expect("test JSON");
        RawRecord::from_json(value.as_object().expect("an object"))?.validate()
    }

    #[test]
    fn every_bad_field_of_a_record_is_named_at_once() {
        let errors = record(r#"{"title": ["x"], "published_at": "soon", "language": "??"}"#)
            .expect_err("all wrong");
        let more = record(r#"{"published_at": "soon", "language": "??"}"#).expect_err("all wrong");

        assert_eq!(errors.0.len(), 1, "type errors come first: {errors}");
        let fields: Vec<_> = more.0.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                Some("url"),
                Some("body"),
                Some("published_at"),
                Some("language")
            ]
        );
    }

    #[test]
    fn whole_number_timestamps_are_dates_in_either_json_form() {
        let integer =
            record(r#"{"url":"https://a.example/1","body":"x","published_at":1702117800}"#);
        let float =
            record(r#"{"url":"https://a.example/1","body":"x","published_at":1702117800.0}"#);

        assert_eq!(
            integer.expect("valid").published_at,
            float.expect("valid").published_at
        );
    }

    #[test]
    fn alternative_field_names_are_accepted() {
        let article =
            record(r#"{"url":"https://a.example/1","text":"Body.","date":"2023-12-09","extra":1}"#)
                .expect("valid");

        assert_eq!(article.body, "Body.");
        assert_eq!(
            article.published_at.map(|d| d.to_rfc3339()).as_deref(),
            Some("2023-12-09T00:00:00+00:00")
        );
        assert_eq!(article.source_name, "a.example");
        assert_eq!(article.language, "en");
    }

    #[test]
    fn each_bad_field_is_named() {
        let cases = [
            (r#"{"body":"x"}"#, "url"),
            (r#"{"url":"https://a.example/1"}"#, "body"),
            (r#"{"url":"https://a.example/1","body":"  "}"#, "body"),
            (
                r#"{"url":"https://a.example/1","body":"x","published_at":"soon"}"#,
                "published_at",
            ),
            (
                r#"{"url":"https://a.example/1","body":"x","language":"english!"}"#,
                "language",
            ),
            (r#"{"url":"https://a.example/1","body":["x"]}"#, "body"),
            (r#"{"url":"not a url","body":"x"}"#, "url"),
        ];
        for (json, field) in cases {
            let errors = record(json).expect_err(json);

            assert_eq!(errors.0[0].field, Some(field), "{json}: {errors}");
        }
    }

    #[test]
    fn the_hash_changes_with_the_text_and_only_with_it() {
        let a = record(r#"{"url":"https://a.example/1","body":"One."}"#).expect("valid");
        let same = record(r#"{"url":"https://a.example/1#x","body":" One. "}"#).expect("valid");
        let changed = record(r#"{"url":"https://a.example/1","body":"Two."}"#).expect("valid");

        assert_eq!(a.content_hash, same.content_hash);
        assert_ne!(a.content_hash, changed.content_hash);
    }
}
