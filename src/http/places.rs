//! Maps: `GET /v1/articles/places` (the places named by the articles matching a filter, with
//! counts, as a GeoJSON FeatureCollection) and the GeoJSON form of entities
//! (`format=geojson` on `GET /v1/entities` and `GET /v1/entities/{id}`). Coordinates are
//! written longitude first, as GeoJSON (RFC 7946) has them.

use std::sync::Arc;

use axum::extract::{OriginalUri, State};
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use super::answers::{entity_labels, mark_source};
use super::articles::article_filter;
use super::dto::EntityResponse;
use super::error::ApiError;
use super::format::{Format, ListPage, csv_response, negotiate, next_link};
use super::params::{Params, encode_cursor};
use super::read_db::ReadDb;
use crate::answers::{self, count};
use crate::directory::Directory;
use crate::domain::EntityKind;
use crate::textindex::TextIndex;

/// Parameters of `GET /v1/articles/places`.
pub const PLACES_PARAMS: &[&str] = &[
    "q",
    "entity",
    "type",
    "from",
    "to",
    "source",
    "updated_since",
    "bbox",
    "limit",
    "format",
];

/// The media type of GeoJSON.
const GEOJSON: &str = "application/geo+json";

/// The most places one map holds.
const MAX_PLACES: i64 = 1_000;

/// Whether GeoJSON is asked for: `format=geojson`, or `Accept: application/geo+json` without
/// a `format`.
pub fn wants_geojson(
    params: &Params,
    headers: &HeaderMap,
    others: &[&str],
) -> Result<bool, ApiError> {
    let mut allowed = vec!["geojson"];
    allowed.extend_from_slice(others);
    if let Some(format) = params.choice("format", &allowed)? {
        return Ok(format == "geojson");
    }
    Ok(headers
        .get(header::ACCEPT)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|accept| accept.contains(GEOJSON)))
}

/// A response with the GeoJSON media type.
pub fn geojson_response(body: Value) -> Response {
    let mut response = axum::Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(GEOJSON));
    response
}

/// One entity as a GeoJSON Feature: a Point where it has coordinates, else no geometry.
pub fn entity_feature(entity: &EntityResponse) -> Value {
    let geometry = entity.coordinates.as_ref().map_or(
        Value::Null,
        |c| json!({ "type": "Point", "coordinates": [c.lon, c.lat] }),
    );
    let mut properties = serde_json::to_value(entity).unwrap_or(Value::Null);
    if let Value::Object(map) = &mut properties {
        map.remove("coordinates");
    }
    json!({ "type": "Feature", "id": entity.id, "geometry": geometry, "properties": properties })
}

/// A page of entities as a FeatureCollection, with the page's `next_cursor` (and `count`,
/// when asked for) beside the features, and the `Link` header of the next page.
pub fn collection_response(page: ListPage<EntityResponse>, uri: &Uri) -> Response {
    let features: Vec<Value> = page.data.iter().map(entity_feature).collect();
    let cursor = page.next.as_ref().map(encode_cursor);
    let mut body = json!({
        "type": "FeatureCollection",
        "features": features,
        "next_cursor": cursor,
    });
    if let Some(count) = page.count {
        body["count"] = json!(count);
    }
    let mut response = geojson_response(body);
    if let Some(link) =
        cursor.and_then(|cursor| HeaderValue::from_str(&next_link(uri, &cursor)).ok())
    {
        response.headers_mut().insert(header::LINK, link);
    }
    response
}

/// `bbox=west,south,east,north` (degrees; west above east crosses the antimeridian).
#[derive(Debug, Clone, Copy)]
struct Bbox {
    west: f64,
    south: f64,
    east: f64,
    north: f64,
}

impl Bbox {
    fn parse(value: &str) -> Result<Self, String> {
        let numbers: Vec<f64> = value
            .split(',')
            .map(|part| part.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| "expected four numbers: west,south,east,north".to_owned())?;
        let [west, south, east, north] = numbers[..] else {
            return Err("expected four numbers: west,south,east,north".to_owned());
        };
        let longitude = -180.0..=180.0;
        let latitude = -90.0..=90.0;
        if !longitude.contains(&west) || !longitude.contains(&east) {
            return Err("longitudes must be within -180..180".to_owned());
        }
        if !latitude.contains(&south) || !latitude.contains(&north) || south > north {
            return Err("latitudes must be within -90..90, south at most north".to_owned());
        }
        Ok(Self {
            west,
            south,
            east,
            north,
        })
    }

    fn contains(&self, (lat, lon): (f64, f64)) -> bool {
        let within_longitude = if self.west <= self.east {
            (self.west..=self.east).contains(&lon)
        } else {
            lon >= self.west || lon <= self.east
        };
        within_longitude && (self.south..=self.north).contains(&lat)
    }
}

/// `GET /v1/articles/places`.
pub async fn list_article_places(
    ReadDb { pool, .. }: ReadDb,
    State(directory): State<Option<Arc<Directory>>>,
    State(text_index): State<Option<Arc<TextIndex>>>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let params = Params::parse(uri.query(), PLACES_PARAMS)?;
    let csv = !wants_geojson(&params, &headers, &["csv"])?
        && negotiate(&params, &headers, &["geojson", "csv"])? == Format::Csv;
    let bbox = params.parsed("bbox", Bbox::parse)?;
    let limit = params.bounded("limit", 1, MAX_PLACES, 100)? as usize;
    let filter = article_filter(&pool, directory.as_ref(), &params).await?;
    let matched =
        answers::matched(&pool, text_index.as_ref(), &filter, answers::Need::Entities).await?;
    let counted = count::entity_counts(&matched);
    let unmapped = counted
        .iter()
        .filter(|c| {
            let facts = matched.entity(c.ordinal);
            facts.kind == EntityKind::Place && facts.point.is_none()
        })
        .count();
    let top = count::top(&matched, &counted, limit, |facts| {
        facts.kind == EntityKind::Place
            && facts
                .point
                .is_some_and(|point| bbox.is_none_or(|bbox| bbox.contains(point)))
    });
    let ids: Vec<Uuid> = top.iter().map(|c| matched.entity(c.ordinal).id).collect();
    let labels = entity_labels(&pool, &ids).await?;
    let places: Vec<(&crate::db::answers::EntityLabel, u32, (f64, f64))> = top
        .iter()
        .filter_map(|c| {
            let facts = matched.entity(c.ordinal);
            Some((labels.get(&facts.id)?, c.count, facts.point?))
        })
        .collect();
    if csv {
        let rows: Vec<Value> = places
            .iter()
            .map(|(label, count, (lat, lon))| {
                json!({
                    "id": label.id, "slug": label.slug, "name": label.name,
                    "lat": lat, "lon": lon, "count": count,
                    "article_count": label.article_count,
                })
            })
            .collect();
        return Ok(mark_source(csv_response(&rows), matched.from_memory()));
    }
    let features: Vec<Value> = places
        .iter()
        .map(|(label, count, (lat, lon))| {
            json!({
                "type": "Feature",
                "id": label.id,
                "geometry": { "type": "Point", "coordinates": [lon, lat] },
                "properties": {
                    "id": label.id, "slug": label.slug, "name": label.name,
                    "count": count, "article_count": label.article_count,
                    "wikidata_id": label.wikidata_id,
                },
            })
        })
        .collect();
    let body = json!({
        "type": "FeatureCollection",
        "features": features,
        "count": matched.len(),
        "unmapped_places": unmapped,
    });
    Ok(mark_source(geojson_response(body), matched.from_memory()))
}
