//! Streaming a whole filtered article list (`GET /v1/articles/export`, and the list with
//! `format=ndjson`) as NDJSON or CSV, without a cap: the database is read a page at a time,
//! so memory stays bounded, and each export is counted by how it ends.

use std::time::Instant;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use sqlx::PgPool;

use super::Exports;
use super::dto::ArticleResponse;
use super::error::ApiError;
use super::fields::ArticleField;
use super::format::{Format, push_csv_row};
use super::metrics::{ExportEnd, ExportTracker};
use crate::db::article_search::{self, ArticleFilter, ArticleSort, PageRequest};
use crate::domain::Named;

/// Rows per database round trip of an export.
const EXPORT_PAGE: i64 = 500;

/// A streaming response walking the whole result set page by page. The first page is read
/// before answering, so a query that fails is a problem response, not a cut-off 200.
pub async fn stream(
    pool: PgPool,
    filter: ArticleFilter,
    sort: ArticleSort,
    fields: Vec<ArticleField>,
    format: Format,
    exports: &Exports,
) -> Result<Response, ApiError> {
    let deadline = Instant::now() + exports.timeout;
    let mut tracker = exports.metrics.export_started();
    let mut request = PageRequest {
        sort,
        after: None,
        limit: EXPORT_PAGE,
        with_body: fields.contains(&ArticleField::Body),
        with_headline: fields.contains(&ArticleField::Headline),
    };
    let first = match article_search::list(&pool, &filter, &request).await {
        Ok(first) => first,
        Err(error) => {
            tracker.end(ExportEnd::Failed);
            return Err(error.into());
        }
    };
    let encoder = Encoder::new(fields, format);
    let mut head = encoder.header();
    head.push_str(&encoder.rows(first.rows));
    request.after = first.next;
    let done = request.after.is_none();
    if done {
        tracker.end(ExportEnd::Complete);
    }
    let state = ExportState {
        deadline,
        done,
        tracker,
        pool,
        filter,
        request,
        encoder,
    };
    let rest = stream::unfold(state, next_export_chunk);
    let body = stream::once(std::future::ready(Ok(Bytes::from(head))))
        .chain(rest)
        .fuse();
    let content_type = match format {
        Format::Csv => "text/csv; charset=utf-8",
        _ => "application/x-ndjson",
    };
    let mut response = (StatusCode::OK, Body::from_stream(body)).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

/// Where an export stands. When the client goes away, hyper drops the body and with it this
/// state: no page is read after that, and the tracker counts the export as abandoned.
struct ExportState {
    deadline: Instant,
    tracker: ExportTracker,
    pool: PgPool,
    filter: ArticleFilter,
    request: PageRequest,
    encoder: Encoder,
    done: bool,
}

async fn next_export_chunk(
    mut state: ExportState,
) -> Option<(Result<Bytes, std::io::Error>, ExportState)> {
    if state.done {
        return None;
    }
    if Instant::now() >= state.deadline {
        // Headers are gone already: ending the body with an error makes the transfer
        // incomplete (no final chunk), which every HTTP client reports.
        tracing::warn!("export stopped at its time limit");
        state.done = true;
        state.tracker.end(ExportEnd::TimeLimit);
        return Some((
            Err(std::io::Error::other("the export reached its time limit")),
            state,
        ));
    }
    match article_search::list(&state.pool, &state.filter, &state.request).await {
        Ok(page) => {
            let chunk = state.encoder.rows(page.rows);
            state.request.after = page.next;
            state.done = state.request.after.is_none();
            if state.done {
                state.tracker.end(ExportEnd::Complete);
            }
            Some((Ok(Bytes::from(chunk)), state))
        }
        Err(error) => {
            // Headers are gone already; the client sees a cut-off stream.
            tracing::error!(error = %error, "export failed mid-stream");
            state.done = true;
            state.tracker.end(ExportEnd::Failed);
            Some((Err(std::io::Error::other("export failed")), state))
        }
    }
}

/// Writes exported articles as NDJSON lines or CSV rows (the columns of the list's CSV:
/// the selected fields, `source` as `source.domain` and `source.name`).
struct Encoder {
    fields: Vec<ArticleField>,
    format: Format,
    columns: Vec<&'static str>,
}

impl Encoder {
    fn new(fields: Vec<ArticleField>, format: Format) -> Self {
        let columns = fields
            .iter()
            .flat_map(|field| match field {
                ArticleField::Source => vec!["source.domain", "source.name"],
                other => vec![other.as_str()],
            })
            .collect();
        Self {
            fields,
            format,
            columns,
        }
    }

    fn header(&self) -> String {
        let mut out = String::new();
        if self.format == Format::Csv {
            push_csv_row(&mut out, self.columns.iter().copied());
        }
        out
    }

    fn rows(&self, rows: Vec<article_search::ArticleRow>) -> String {
        let mut out = String::new();
        for row in rows {
            let item = serde_json::to_value(ArticleResponse::from_row(row, &self.fields))
                .unwrap_or_default();
            if self.format == Format::Csv {
                let cells: Vec<String> = self
                    .columns
                    .iter()
                    .map(|column| csv_field(&item, column))
                    .collect();
                push_csv_row(&mut out, cells.iter().map(String::as_str));
            } else {
                out.push_str(&item.to_string());
                out.push('\n');
            }
        }
        out
    }
}

/// The CSV cell of a column (`a.b` reads a nested field).
fn csv_field(item: &serde_json::Value, column: &str) -> String {
    let value = column.split('.').fold(item, |value, key| &value[key]);
    match value {
        serde_json::Value::String(text) => text.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn csv_cells_of_an_article_flatten_the_source() {
        let item = json!({"id": "x", "source": {"domain": "a.example", "name": "A"}, "published_at": null, "score": 0.5});

        assert_eq!(csv_field(&item, "source.domain"), "a.example");
        assert_eq!(csv_field(&item, "source.name"), "A");
        assert_eq!(csv_field(&item, "published_at"), "");
        assert_eq!(csv_field(&item, "score"), "0.5");
        assert_eq!(csv_field(&item, "id"), "x");
    }
}
