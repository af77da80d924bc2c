//! `/v1/articles`: the filtered list, the streaming export, one article with its entities
//! and mentions, and its entities alone. (`POST` lives in [`super::ingest`].)

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures_util::StreamExt;
use futures_util::stream;
use sqlx::PgPool;

use super::Exports;
use super::dto::{ArticleEntity, ArticleResponse, Mention};
use super::error::ApiError;
use super::fields::{ArticleField, all_but, select_fields};
use super::format::{Format, ListPage, negotiate, push_csv_row};
use super::lookup::resolve_entity_param;
use super::metrics::{ExportEnd, ExportTracker};
use super::params::Params;
use crate::db::GenericPlans;
use crate::db::article_search::{self, ArticleFilter, ArticleSort, PageRequest};
use crate::db::articles;
use crate::directory::Directory;
use crate::domain::{ArticleId, EntityId, EntityKind, Field, Named};
use crate::textindex::TextIndex;

/// Parameters of `GET /v1/articles`.
pub const LIST_PARAMS: &[&str] = &[
    "q", "entity", "type", "from", "to", "source", "sort", "limit", "cursor", "count", "fields",
    "format",
];
/// Parameters of `GET /v1/articles/export`.
pub const EXPORT_PARAMS: &[&str] = &[
    "q", "entity", "type", "from", "to", "source", "sort", "fields", "format",
];
/// Parameters of `GET /v1/articles/{id}`.
pub const GET_PARAMS: &[&str] = &[];
/// Parameters of `GET /v1/articles/{id}/entities`.
pub const ENTITIES_PARAMS: &[&str] = &["type", "format"];

/// Rows per database round trip of an export.
const EXPORT_PAGE: i64 = 500;

/// `GET /v1/articles`.
pub async fn list_articles(
    State(pool): State<PgPool>,
    State(generic): State<GenericPlans>,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    State(exports): State<Exports>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), LIST_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv", "ndjson"])?;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let sort = article_sort(&params, &filter)?;
    let fields = article_fields(&params, &filter)?;
    // Checked in every format, though an NDJSON export walks everything from the start.
    let after = params.position(sort.as_str())?;
    let limit = params.limit()?;
    let with_count = params.flag("count")?;
    if format == Format::Ndjson {
        return export(pool, filter, sort, fields, Format::Ndjson, &exports).await;
    }
    let request = PageRequest {
        sort,
        after,
        limit,
        with_body: fields.contains(&ArticleField::Body),
        with_headline: fields.contains(&ArticleField::Headline),
    };
    let indexed = match &text_index {
        Some(index) => index.page(&filter, &request).await?,
        None => None,
    };
    let page = match indexed {
        Some(page) => page,
        None => article_search::list_page(&pool, &generic, &filter, &request).await?,
    };
    let count = if with_count {
        Some(article_search::count(&pool, &filter).await?)
    } else {
        None
    };
    let data: Vec<ArticleResponse> = page
        .rows
        .into_iter()
        .map(|row| ArticleResponse::from_row(row, &fields))
        .collect();
    Ok(ListPage {
        data,
        next: page.next,
        count,
    }
    .respond_with(format, &uri, ArticleResponse::write_json))
}

/// `GET /v1/articles/export`: every matching article, streamed as NDJSON (default) or CSV,
/// with no cap; the server reads the database a page at a time, so memory stays bounded.
pub async fn export_articles(
    State(pool): State<PgPool>,
    State(directory): State<Option<Arc<Directory>>>,
    State(exports): State<Exports>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), EXPORT_PARAMS)?;
    let format = match params.choice("format", &["ndjson", "csv"])? {
        Some("csv") => Format::Csv,
        Some(_) => Format::Ndjson,
        None if headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|accept| accept.contains("text/csv")) =>
        {
            Format::Csv
        }
        None => Format::Ndjson,
    };
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let sort = article_sort(&params, &filter)?;
    let fields = article_fields(&params, &filter)?;
    export(pool, filter, sort, fields, format, &exports).await
}

/// The most `entity=` filters one request may combine: each is a join of the article's
/// mentions, so the work of a page grows with their number.
pub const MAX_ENTITY_FILTERS: usize = 10;

/// The filters shared by the list and the export.
async fn article_filter(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    params: &Params,
) -> Result<ArticleFilter, ApiError> {
    let values = params.all("entity");
    if values.len() > MAX_ENTITY_FILTERS {
        return Err(ApiError::invalid(
            "entity",
            format!(
                "given {} times; at most {MAX_ENTITY_FILTERS} entities per request",
                values.len()
            ),
        ));
    }
    let mut entities = Vec::with_capacity(values.len());
    for (i, value) in values.iter().enumerate() {
        if values[..i].contains(value) {
            return Err(ApiError::invalid(
                "entity",
                format!("{value} given more than once"),
            ));
        }
        entities.push(resolve_entity_param(pool, directory, "entity", value).await?);
    }
    let (from, to) = params.date_range()?;
    let q = params.one("q")?.map(str::trim).filter(|q| !q.is_empty());
    if q.is_some_and(|q| q.chars().count() > 500) {
        return Err(ApiError::invalid("q", "longer than 500 characters"));
    }
    Ok(ArticleFilter {
        q: q.map(str::to_owned),
        entities,
        kind: params.choice_of("type", &EntityKind::ALL)?,
        from,
        to,
        source: params.one("source")?.map(|s| s.trim().to_lowercase()),
    })
}

fn article_sort(params: &Params, filter: &ArticleFilter) -> Result<ArticleSort, ApiError> {
    let sort = params
        .choice_of("sort", ArticleSort::ALL)?
        .unwrap_or(ArticleSort::Newest);
    if sort == ArticleSort::Relevance && filter.q.is_none() {
        return Err(ApiError::invalid("sort", "relevance needs q"));
    }
    Ok(sort)
}

/// The fields to return: `fields=` (comma-separated), else all but `headline` (a highlighted
/// excerpt, costly, on request only); `score` only with `q`.
fn article_fields(params: &Params, filter: &ArticleFilter) -> Result<Vec<ArticleField>, ApiError> {
    let allowed = if filter.q.is_some() {
        ArticleField::ALL.to_vec()
    } else {
        all_but(&[ArticleField::Score, ArticleField::Headline])
    };
    let default = all_but(&[ArticleField::Headline])
        .into_iter()
        .filter(|field| allowed.contains(field))
        .collect();
    select_fields(params, &allowed, default)
}

/// A streaming response walking the whole result set page by page. The first page is read
/// before answering, so a query that fails is a problem response, not a cut-off 200.
async fn export(
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

fn parse_article_id(id: &str) -> Result<ArticleId, ApiError> {
    id.parse()
        .map_err(|_| ApiError::invalid("id", "expected an article id (UUID)"))
}

/// `GET /v1/articles/{id}`: the article, its entities, and every mention with offsets, text,
/// snippet and confidence.
pub async fn get_article(
    State(pool): State<PgPool>,
    OriginalUri(uri): OriginalUri,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    Params::parse(uri.query(), GET_PARAMS)?;
    let id = parse_article_id(&id)?;
    let row = articles::by_id(&pool, id)
        .await?
        .ok_or(ApiError::NotFound("article"))?;
    let title: Vec<char> = row.title.chars().collect();
    let body: Vec<char> = row.body.as_deref().unwrap_or_default().chars().collect();
    let mut by_entity: HashMap<EntityId, Vec<Mention>> = HashMap::new();
    for mention in articles::mentions_in(&pool, &[id], None).await? {
        let text = if mention.field == Field::Title {
            &title
        } else {
            &body
        };
        by_entity
            .entry(mention.entity_id)
            .or_default()
            .push(Mention::from_row(&mention, text));
    }
    let entities = articles::entities_of(&pool, id)
        .await?
        .into_iter()
        .map(|entity| {
            let mentions = by_entity.remove(&entity.id).unwrap_or_default();
            ArticleEntity::from_row(entity, Some(mentions))
        })
        .collect();
    let article = ArticleResponse::from_row(row, ArticleField::ALL).with_entities(entities);
    Ok(axum::Json(article).into_response())
}

/// `GET /v1/articles/{id}/entities`.
pub async fn list_article_entities(
    State(pool): State<PgPool>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), ENTITIES_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let kind = params.choice_of("type", &EntityKind::ALL)?;
    let id = parse_article_id(&id)?;
    if !articles::exists(&pool, id).await? {
        return Err(ApiError::NotFound("article"));
    }
    let data: Vec<ArticleEntity> = articles::entities_of(&pool, id)
        .await?
        .into_iter()
        .filter(|entity| kind.is_none_or(|kind| entity.kind == kind))
        .map(|entity| ArticleEntity::from_row(entity, None))
        .collect();
    Ok(ListPage {
        data,
        next: None,
        count: None,
    }
    .respond(format, &uri))
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
