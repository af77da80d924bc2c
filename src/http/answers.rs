//! Dashboard answers over any article filter: `GET /v1/articles/timeline` (matches, all
//! articles and their ratio per bucket, with spike scores), `GET /v1/articles/facets` (top
//! entities per type, sources and types) and `GET /v1/entities/timeline` (up to ten entities'
//! series on one time axis). The counting is [`crate::answers`]'; this module parses and
//! writes.

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sqlx::PgPool;
use uuid::Uuid;

use super::articles::{article_filter, entity_params};
use super::dto::timestamp;
use super::error::ApiError;
use super::format::{Format, csv_response, negotiate};
use super::params::Params;
use super::read_db::ReadDb;
use crate::answers::count::{Counted, MAX_FACETS};
use crate::answers::spikes::{self, Rule};
use crate::answers::{self, MAX_BUCKETS, Matched, Need};
use crate::db::answers::{self as queries, Bound};
use crate::db::article_search::ArticleFilter;
use crate::db::timeline::Interval;
use crate::directory::Directory;
use crate::domain::{EntityId, EntityKind, Named};
use crate::textindex::TextIndex;

/// Parameters of `GET /v1/articles/timeline`.
pub const TIMELINE_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "updated_since",
    "interval",
    "tz",
    "window",
    "threshold",
    "format",
];
/// Parameters of `GET /v1/articles/facets`.
pub const FACETS_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "updated_since",
    "limit",
    "format",
];
/// Parameters of `GET /v1/entities/timeline`.
pub const COMPARE_PARAMS: &[&str] = &[
    "id",
    "from",
    "to",
    "interval",
    "tz",
    "window",
    "threshold",
    "format",
];

/// One bucket of a series.
#[derive(Debug, Serialize)]
pub struct BucketResponse {
    /// Bucket start, RFC 3339 UTC.
    pub start: String,
    /// The local date the bucket starts on, in the time zone asked for.
    pub date: String,
    /// Matching articles.
    pub count: i64,
    /// All articles published in the bucket.
    pub total: i64,
    /// `count / total` (0 when the bucket is empty).
    pub ratio: f64,
    /// The spike score against the trailing baseline (`null` without one).
    pub score: Option<f64>,
    /// Whether the score reaches the threshold.
    pub spike: bool,
}

/// The most buckets of a timeline whose interval is chosen by the server.
pub const AUTO_BUCKETS: i64 = 400;

/// A time axis: interval, zone, range and bucket bounds.
pub(super) struct Axis {
    interval: Interval,
    tz: String,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    /// One more than the buckets: each bucket runs from one bound to the next.
    pub(super) bounds: Vec<Bound>,
    /// The bounds in microseconds.
    pub(super) micros: Vec<i64>,
    /// The range the request gave, which may cut the first and last buckets.
    asked: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
}

impl Axis {
    /// The axis covering `from`/`to`, else the matches' dates (else the last 30 days), in
    /// buckets of `interval=` (else `default`, else the finest interval that makes at most
    /// [`AUTO_BUCKETS`]) in time zone `tz=`.
    pub(super) async fn new(
        pool: &PgPool,
        params: &Params,
        range: (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
        matched: &[&Matched],
        default: Option<Interval>,
    ) -> Result<Self, ApiError> {
        let asked = params.choice_of("interval", Interval::ALL)?;
        let tz = time_zone(params)?;
        let span = matched
            .iter()
            .filter_map(|matched| matched.date_span())
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)))
            .map(|(first, last)| (first, last + Duration::seconds(1)));
        let (from, to) = resolve_range(range, span);
        let interval = asked.or(default).unwrap_or_else(|| {
            let days = (to - from).num_days();
            if days <= AUTO_BUCKETS {
                Interval::Day
            } else if days / 7 <= AUTO_BUCKETS {
                Interval::Week
            } else {
                Interval::Month
            }
        });
        check_buckets(from, to, interval)?;
        let bounds = if tz.eq_ignore_ascii_case("UTC") {
            answers::utc_bounds(interval, from, to)
        } else {
            queries::bounds(pool, interval, &postgres_zone(&tz), from, to)
                .await
                .map_err(|error| match &error {
                    sqlx::Error::Database(database)
                        if database.code().as_deref() == Some("22023") =>
                    {
                        ApiError::invalid("tz", format!("unknown time zone {tz:?}"))
                    }
                    _ => ApiError::from(error),
                })?
        };
        let micros = bounds
            .iter()
            .map(|bound| bound.start.timestamp_micros())
            .collect();
        Ok(Self {
            interval,
            tz,
            from,
            to,
            bounds,
            micros,
            asked: range,
        })
    }

    /// `counts` with their totals, ratios and spike scores.
    fn series(&self, counts: &[i64], totals: &[i64], rule: Rule) -> Vec<BucketResponse> {
        let scores = spikes::score(counts, rule);
        self.bounds
            .iter()
            .zip(counts.iter().zip(totals))
            .zip(scores)
            .map(|((bound, (count, total)), (score, spike))| BucketResponse {
                start: timestamp(bound.start),
                date: bound.date.to_string(),
                count: *count,
                total: *total,
                ratio: if *total > 0 {
                    ((*count as f64 / *total as f64) * 1e6).round() / 1e6
                } else {
                    0.0
                },
                score,
                spike,
            })
            .collect()
    }

    /// The bounds over which totals are counted: the buckets', but where `from` or `to` cut
    /// the first or last bucket, the totals are cut alike, so that `ratio` compares like
    /// with like.
    fn total_bounds(&self) -> Vec<DateTime<Utc>> {
        let mut bounds: Vec<DateTime<Utc>> = self.bounds.iter().map(|bound| bound.start).collect();
        if let (Some(from), Some(first)) = (self.asked.0, bounds.first_mut()) {
            *first = (*first).max(from);
        }
        if let (Some(to), Some(last)) = (self.asked.1, bounds.last_mut()) {
            *last = (*last).min(to);
        }
        bounds
    }

    /// The axis as the first fields of a response.
    fn describe(&self, rule: Rule) -> AxisResponse<'_> {
        AxisResponse {
            interval: self.interval.as_str(),
            tz: &self.tz,
            from: timestamp(self.from),
            to: timestamp(self.to),
            spike_rule: SpikeRuleResponse {
                window: rule.window,
                threshold: rule.threshold,
            },
        }
    }
}

/// The axis of a timeline response.
#[derive(Debug, Serialize)]
struct AxisResponse<'a> {
    interval: &'static str,
    tz: &'a str,
    from: String,
    to: String,
    spike_rule: SpikeRuleResponse,
}

#[derive(Debug, Serialize)]
struct SpikeRuleResponse {
    window: usize,
    threshold: f64,
}

/// `GET /v1/articles/timeline`'s body, written straight from its buckets (a timeline of a
/// few thousand buckets went through `serde_json::Value` at a cost).
#[derive(Debug, Serialize)]
struct TimelineResponse<'a> {
    #[serde(flatten)]
    axis: AxisResponse<'a>,
    undated: i64,
    data: Vec<BucketResponse>,
}

/// One entity's series in a comparison.
#[derive(Debug, Serialize)]
struct SeriesResponse {
    entity: Value,
    undated: i64,
    data: Vec<BucketResponse>,
}

/// `GET /v1/entities/timeline`'s body.
#[derive(Debug, Serialize)]
struct ComparisonResponse<'a> {
    #[serde(flatten)]
    axis: AxisResponse<'a>,
    series: Vec<SeriesResponse>,
}

/// `tz=`: an IANA zone name or a UTC offset, checked by the database when it is used.
fn time_zone(params: &Params) -> Result<String, ApiError> {
    let tz = params.one("tz")?.unwrap_or("UTC");
    let plausible = !tz.is_empty()
        && tz.len() <= 64
        && tz
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-:".contains(c));
    if !plausible {
        return Err(ApiError::invalid(
            "tz",
            "expected a time zone name such as Europe/Belgrade, or an offset such as +05:30",
        ));
    }
    Ok(tz.to_owned())
}

/// The zone as PostgreSQL reads it: it takes `+05:30` for a POSIX zone, five and a half
/// hours *behind* UTC, so an offset's sign is turned round.
fn postgres_zone(tz: &str) -> String {
    match tz.as_bytes().first() {
        Some(b'+') => format!("-{}", &tz[1..]),
        Some(b'-') => format!("+{}", &tz[1..]),
        _ => tz.to_owned(),
    }
}

/// `window=` and `threshold=`.
fn spike_rule(params: &Params) -> Result<Rule, ApiError> {
    let default = Rule::default();
    let window = params.bounded("window", 1, 60, default.window as i64)? as usize;
    let threshold = params
        .parsed("threshold", |value| {
            value
                .parse::<f64>()
                .ok()
                .filter(|threshold| {
                    threshold.is_finite() && *threshold > 0.0 && *threshold <= 100.0
                })
                .ok_or_else(|| "expected a number above 0, at most 100".to_owned())
        })?
        .unwrap_or(default.threshold);
    Ok(Rule { window, threshold })
}

/// The range asked for, completed from the matches' span (or the last 30 days).
fn resolve_range(
    (from, to): (Option<DateTime<Utc>>, Option<DateTime<Utc>>),
    span: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> (DateTime<Utc>, DateTime<Utc>) {
    let month = Duration::days(30);
    // The end of today (UTC) stands for "now": the same all day long, so repeated requests
    // answer alike.
    let end_of_today = Utc::now()
        .date_naive()
        .and_time(chrono::NaiveTime::MIN)
        .and_utc()
        + Duration::days(1);
    match (from, to) {
        (Some(from), Some(to)) => (from, to),
        (Some(from), None) => {
            let last = span.map_or(end_of_today, |(_, last)| last);
            (from, last.max(from + month))
        }
        (None, Some(to)) => (
            span.map(|(first, _)| first)
                .filter(|first| *first < to)
                .unwrap_or(to - month),
            to,
        ),
        (None, None) => span.unwrap_or((end_of_today - month, end_of_today)),
    }
}

/// At most [`MAX_BUCKETS`] buckets of `interval` over `from..to`, else a 400 naming
/// `interval`.
pub(super) fn check_buckets(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    interval: Interval,
) -> Result<(), ApiError> {
    let days = (to - from).num_days();
    let buckets = match interval {
        Interval::Month => days / 28,
        Interval::Week => days / 7,
        Interval::Day => days,
    };
    if buckets > MAX_BUCKETS {
        return Err(ApiError::invalid(
            "interval",
            format!(
                "{buckets} buckets of a {interval}; at most {MAX_BUCKETS}: use a longer interval or a shorter range"
            ),
        ));
    }
    Ok(())
}

/// `GET /v1/articles/timeline`.
pub async fn get_article_timeline(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), TIMELINE_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let rule = spike_rule(&params)?;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let matched = answers::matched(&pool, text_index.as_ref(), &filter, Need::Dates).await?;
    let axis = Axis::new(&pool, &params, (filter.from, filter.to), &[&matched], None).await?;
    let counted = matched.buckets(&axis.micros);
    let totals = matched.totals(&pool, &axis.total_bounds()).await?;
    let data = axis.series(&counted.counts, &totals, rule);
    if format == Format::Csv {
        return Ok(mark_source(csv_rows(&data), matched.from_memory()));
    }
    let body = TimelineResponse {
        axis: axis.describe(rule),
        undated: counted.undated,
        data,
    };
    Ok(mark_source(
        axum::Json(body).into_response(),
        matched.from_memory(),
    ))
}

/// Says in `x-answered-from` whether the in-memory snapshot (`memory`) or the database
/// (`database`) gave the matching articles.
pub(super) fn mark_source(mut response: Response, from_memory: bool) -> Response {
    let from = if from_memory { "memory" } else { "database" };
    response.headers_mut().insert(
        "x-answered-from",
        axum::http::HeaderValue::from_static(from),
    );
    response
}

fn csv_rows<T: Serialize>(rows: &[T]) -> Response {
    let values: Vec<Value> = rows
        .iter()
        .map(|row| serde_json::to_value(row).unwrap_or(Value::Null))
        .collect();
    csv_response(&values)
}

/// `GET /v1/articles/facets`.
pub async fn get_article_facets(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), FACETS_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let limit = params.bounded("limit", 1, MAX_FACETS as i64, 10)? as usize;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let matched = answers::matched(&pool, text_index.as_ref(), &filter, Need::Entities).await?;
    let facets = matched.facets(limit);
    let tops: Vec<(EntityKind, &Vec<Counted>)> =
        EntityKind::ALL.into_iter().zip(&facets.top).collect();
    let shown: Vec<Uuid> = tops
        .iter()
        .flat_map(|(_, top)| top.iter().map(|c| matched.entity(c.ordinal).id))
        .collect();
    let labels = entity_labels(&pool, &shown).await?;
    let sources = &facets.sources;
    let source_ids: Vec<i32> = sources.iter().map(|(id, _)| *id).collect();
    let source_labels: std::collections::HashMap<i32, queries::SourceLabel> =
        queries::source_labels(&pool, &source_ids)
            .await?
            .into_iter()
            .map(|label| (label.id, label))
            .collect();
    let mut rows: Vec<Value> = Vec::new();
    let mut entities = serde_json::Map::new();
    for (kind, top) in &tops {
        let list: Vec<Value> = top
            .iter()
            .filter_map(|c| labels.get(&matched.entity(c.ordinal).id).map(|l| (c, l)))
            .map(|(c, label)| {
                json!({
                    "id": label.id, "slug": label.slug, "name": label.name,
                    "type": label.kind, "count": c.count,
                })
            })
            .collect();
        for item in &list {
            rows.push(json!({
                "facet": kind.as_str(), "value": item["slug"], "label": item["name"],
                "count": item["count"],
            }));
        }
        entities.insert(kind.as_str().to_owned(), Value::Array(list));
    }
    let sources: Vec<Value> = sources
        .iter()
        .filter_map(|(id, count)| source_labels.get(id).map(|label| (label, count)))
        .map(|(label, count)| json!({ "domain": label.domain, "name": label.name, "count": count }))
        .collect();
    let types: Vec<Value> = EntityKind::ALL
        .iter()
        .zip(facets.kinds)
        .map(|(kind, count)| json!({ "type": kind.as_str(), "count": count }))
        .collect();
    if format == Format::Csv {
        for source in &sources {
            rows.push(json!({
                "facet": "source", "value": source["domain"], "label": source["name"],
                "count": source["count"],
            }));
        }
        for kind in &types {
            rows.push(json!({
                "facet": "type", "value": kind["type"], "label": kind["type"],
                "count": kind["count"],
            }));
        }
        return Ok(mark_source(csv_response(&rows), matched.from_memory()));
    }
    let body = json!({
        "count": matched.len(),
        "entities": entities,
        "sources": sources,
        "types": types,
    });
    Ok(mark_source(
        axum::Json(body).into_response(),
        matched.from_memory(),
    ))
}

/// The labels of the entities shown, by id.
pub(super) async fn entity_labels(
    pool: &PgPool,
    ids: &[Uuid],
) -> Result<std::collections::HashMap<Uuid, queries::EntityLabel>, ApiError> {
    Ok(queries::entity_labels(pool, ids)
        .await?
        .into_iter()
        .map(|label| (label.id.uuid(), label))
        .collect())
}

/// `GET /v1/entities/timeline?id=a&id=b…`: each entity's series on one axis.
pub async fn compare_entity_timelines(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), COMPARE_PARAMS)?;
    let format = negotiate(&params, &headers, &["json", "csv"])?;
    let rule = spike_rule(&params)?;
    let range = params.date_range()?;
    let ids = compared_entities(&pool, directory.as_ref(), &params).await?;
    let mut matched = Vec::with_capacity(ids.len());
    for id in &ids {
        let filter = ArticleFilter {
            q: None,
            entities: vec![*id],
            kind: None,
            from: range.0,
            to: range.1,
            source: None,
            updated_since: None,
        };
        matched.push(answers::matched(&pool, text_index.as_ref(), &filter, Need::Dates).await?);
    }
    let refs: Vec<&Matched> = matched.iter().collect();
    let axis = Axis::new(&pool, &params, range, &refs, None).await?;
    let totals = matched[0].totals(&pool, &axis.total_bounds()).await?;
    let uuids: Vec<Uuid> = ids.iter().map(|id| id.uuid()).collect();
    let labels = entity_labels(&pool, &uuids).await?;
    let mut series = Vec::new();
    let mut rows = Vec::new();
    for (id, matched) in ids.iter().zip(&matched) {
        let Some(label) = labels.get(&id.uuid()) else {
            continue;
        };
        let counted = matched.buckets(&axis.micros);
        let data = axis.series(&counted.counts, &totals, rule);
        if format == Format::Csv {
            for bucket in &data {
                let mut row =
                    json!({ "entity_id": label.id, "slug": label.slug, "name": label.name });
                if let (Value::Object(row), Ok(Value::Object(bucket))) =
                    (&mut row, serde_json::to_value(bucket))
                {
                    row.extend(bucket);
                }
                rows.push(row);
            }
            continue;
        }
        series.push(SeriesResponse {
            entity: json!({ "id": label.id, "slug": label.slug, "name": label.name, "type": label.kind }),
            undated: counted.undated,
            data,
        });
    }
    let from_memory = matched.iter().all(Matched::from_memory);
    if format == Format::Csv {
        return Ok(mark_source(csv_response(&rows), from_memory));
    }
    let body = ComparisonResponse {
        axis: axis.describe(rule),
        series,
    };
    Ok(mark_source(axum::Json(body).into_response(), from_memory))
}

/// The `id=` entities of a comparison: 1 to [`super::articles::MAX_ENTITY_FILTERS`], distinct, following
/// merges.
async fn compared_entities(
    pool: &PgPool,
    directory: Option<&Arc<Directory>>,
    params: &Params,
) -> Result<Vec<EntityId>, ApiError> {
    if params.all("id").is_empty() {
        return Err(ApiError::invalid("id", "give at least one entity (id=…)"));
    }
    entity_params(pool, directory, params, "id").await
}
