//! `GET /v1/articles/stream`: Server-Sent Events, one `article` event for each article stored
//! (new, or changed) that matches the filters, as it is committed by any process. Each
//! event's id is its place in the change feed: a client that reconnects with
//! `Last-Event-ID` (browsers' `EventSource` does so by itself) or `last_event_id=` gets what
//! it missed first. Streams with the same filters share each batch's query and rendering
//! ([`crate::feed::Batch::rendered`]).

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use sqlx::PgPool;
use tokio::sync::{broadcast, watch};

use super::Streams;
use super::articles::article_filter;
use super::dto::ArticleResponse;
use super::error::ApiError;
use super::fields::{ArticleField, all_but, select_fields};
use super::params::Params;
use crate::db::article_search::{self, ArticleFilter};
use crate::directory::Directory;
use crate::feed::{Batch, Feed, Rendered, StreamGuard};

/// Parameters of `GET /v1/articles/stream`.
pub const STREAM_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "fields",
    "last_event_id",
];

/// How often an idle stream sends a comment, so that proxies keep it open.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// `GET /v1/articles/stream`.
pub async fn stream_articles(
    State(pool): State<PgPool>,
    State(directory): State<Option<Arc<Directory>>>,
    State(streams): State<Streams>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), STREAM_PARAMS)?;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let allowed = all_but(&[ArticleField::Score, ArticleField::Headline]);
    let default = all_but(&[
        ArticleField::Score,
        ArticleField::Headline,
        ArticleField::Body,
    ]);
    let fields = select_fields(&params, &allowed, default)?;
    let resume = last_event_id(&params, &headers)?;
    // Subscribed before it is counted: a stream counted open hears every later commit.
    let subscription = streams.feed.subscribe().await?;
    let guard = streams
        .feed
        .open_stream(streams.max)
        .ok_or(ApiError::Overloaded { retry_after: 5 })?;
    let state = Follower {
        key: format!("{filter:?}|{fields:?}"),
        pool,
        feed: Arc::clone(&streams.feed),
        filter,
        fields,
        batches: subscription.batches,
        closed: subscription.closed,
        last: resume.unwrap_or(subscription.cursor),
        replaying: resume.is_some(),
        _guard: guard,
    };
    let events = futures_util::stream::unfold(state, |mut state| async move {
        let events = state.next_events().await?;
        Some((
            futures_util::stream::iter(events.into_iter().map(Ok::<Event, Infallible>)),
            state,
        ))
    })
    .flatten();
    let mut response = Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response();
    // Proxies that buffer responses (nginx) pass this one through as it comes.
    response
        .headers_mut()
        .insert("x-accel-buffering", HeaderValue::from_static("no"));
    Ok(response)
}

/// `Last-Event-ID` (the header), else `last_event_id=`: the feed number to resume after.
fn last_event_id(params: &Params, headers: &HeaderMap) -> Result<Option<i64>, ApiError> {
    let parse = |value: &str| {
        value
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|id| *id >= 0)
            .ok_or_else(|| "expected an event id this stream sent (a whole number)".to_owned())
    };
    if let Some(header) = headers.get("last-event-id") {
        let value = header.to_str().unwrap_or_default();
        return parse(value)
            .map(Some)
            .map_err(|detail| ApiError::invalid("Last-Event-ID", detail));
    }
    params.parsed("last_event_id", parse)
}

/// One stream's place in the feed.
struct Follower {
    key: String,
    pool: PgPool,
    feed: Arc<Feed>,
    filter: ArticleFilter,
    fields: Vec<ArticleField>,
    batches: broadcast::Receiver<Arc<Batch>>,
    closed: watch::Receiver<bool>,
    /// The newest feed entry seen.
    last: i64,
    /// Whether the stream reads the feed itself (resuming, or after falling behind).
    replaying: bool,
    _guard: StreamGuard,
}

impl Follower {
    /// The next events to send; `None` ends the stream (shutdown, or a database error: the
    /// client resumes from its last event).
    async fn next_events(&mut self) -> Option<Vec<Event>> {
        loop {
            if *self.closed.borrow() {
                return None;
            }
            let batch = if self.replaying {
                match self.feed.after(self.last).await {
                    Ok(changes) if changes.is_empty() => {
                        self.replaying = false;
                        continue;
                    }
                    Ok(changes) => Arc::new(Batch::new(changes)),
                    Err(error) => {
                        tracing::warn!(%error, "a stream cannot read the article feed");
                        return None;
                    }
                }
            } else {
                tokio::select! {
                    _ = self.closed.changed() => return None,
                    received = self.batches.recv() => match received {
                        Ok(batch) => batch,
                        Err(broadcast::error::RecvError::Lagged(_)) => {
                            self.replaying = true;
                            continue;
                        }
                        Err(broadcast::error::RecvError::Closed) => return None,
                    },
                }
            };
            match self.render(&batch).await {
                Ok(events) if events.is_empty() => {}
                Ok(events) => return Some(events),
                Err(error) => {
                    tracing::warn!(%error, "a stream cannot read its articles");
                    return None;
                }
            }
        }
    }

    /// The events of the batch's entries after `last` that match.
    async fn render(&mut self, batch: &Batch) -> sqlx::Result<Vec<Event>> {
        let after = self.last;
        let Some(newest) = batch.changes.last().map(|change| change.seq) else {
            return Ok(Vec::new());
        };
        if newest <= after {
            return Ok(Vec::new());
        }
        self.last = newest;
        let rendered = batch
            .rendered(&self.key, || {
                render(&self.pool, &self.filter, &self.fields, batch)
            })
            .await?;
        Ok(rendered
            .iter()
            .filter(|(seq, _)| *seq > after)
            .map(|(seq, json)| {
                Event::default()
                    .id(seq.to_string())
                    .event("article")
                    .data(json)
            })
            .collect())
    }
}

/// The batch's articles that match `filter`, in feed order, as JSON.
async fn render(
    pool: &PgPool,
    filter: &ArticleFilter,
    fields: &[ArticleField],
    batch: &Batch,
) -> sqlx::Result<Vec<Rendered>> {
    let ids: Vec<uuid::Uuid> = batch
        .changes
        .iter()
        .map(|change| change.article_id)
        .collect();
    let rows =
        article_search::matching_of(pool, filter, &ids, fields.contains(&ArticleField::Body))
            .await?;
    let mut rendered: Vec<Rendered> = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row.id.uuid();
        let Some(change) = batch.changes.iter().find(|change| change.article_id == id) else {
            continue;
        };
        let mut json = Vec::new();
        if ArticleResponse::from_row(row, fields)
            .write_json(&mut json)
            .is_ok()
        {
            rendered.push((change.seq, String::from_utf8(json).unwrap_or_default()));
        }
    }
    rendered.sort_unstable_by_key(|(seq, _)| *seq);
    Ok(rendered)
}
