//! The JSON shapes of the API (field names snake_case, timestamps RFC 3339 UTC, offsets in
//! Unicode code points), built from database rows. openapi.yaml describes each of them.
//!
//! Over 400 lines with its tests: the property test that holds the hand-written
//! `write_json` to what `Serialize` writes needs the private writer, so it stays here.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::fields::ArticleField;
use super::json_text;
use crate::db::article_search::ArticleRow;
use crate::db::articles::{ArticleEntityRow, MentionRow};
use crate::db::entity_queries::EntityRow;
use crate::db::related::RelatedRow;
use crate::db::timeline::Bucket;
use crate::domain::{ArticleId, EntityId, EntityKind, Field, Named};

/// Timestamps as RFC 3339 UTC with a `Z`.
pub fn timestamp(date: DateTime<Utc>) -> String {
    date.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn optional_timestamp(date: Option<DateTime<Utc>>) -> Option<String> {
    date.map(timestamp)
}

/// A source as embedded in an article.
#[derive(Debug, Serialize)]
pub struct SourceRef {
    /// Domain.
    pub domain: String,
    /// Display name.
    pub name: String,
}

/// An article. Fields not asked for (`fields=`) are left out. Its members are the variants of
/// [`ArticleField`] in the same order (a test holds them together), then the sub-lists.
#[derive(Debug, Serialize, Default)]
pub struct ArticleResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<ArticleId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published_at: Option<Option<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<SourceRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    language: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    extractor_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    created_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    entities: Option<Vec<ArticleEntity>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mentions: Option<Vec<Mention>>,
}

impl ArticleResponse {
    /// The fields of `row` named in `fields`.
    pub fn from_row(row: ArticleRow, fields: &[ArticleField]) -> Self {
        let has = |field: ArticleField| fields.contains(&field);
        Self {
            id: has(ArticleField::Id).then_some(row.id),
            url: has(ArticleField::Url).then_some(row.url),
            title: has(ArticleField::Title).then_some(row.title),
            body: if has(ArticleField::Body) {
                row.body
            } else {
                None
            },
            published_at: has(ArticleField::PublishedAt)
                .then(|| optional_timestamp(row.published_at)),
            source: has(ArticleField::Source).then_some(SourceRef {
                domain: row.source_domain,
                name: row.source_name,
            }),
            language: has(ArticleField::Language).then_some(row.language),
            extractor_version: has(ArticleField::ExtractorVersion).then_some(row.extractor_version),
            created_at: has(ArticleField::CreatedAt).then(|| timestamp(row.created_at)),
            updated_at: has(ArticleField::UpdatedAt).then(|| timestamp(row.updated_at)),
            score: if has(ArticleField::Score) {
                row.rank
                    .map(|rank| (f64::from(rank) * 10_000.0).round() / 10_000.0)
            } else {
                None
            },
            headline: if has(ArticleField::Headline) {
                row.headline
            } else {
                None
            },
            entities: None,
            mentions: None,
        }
    }

    /// Appends the same JSON as `Serialize` does, with the body (most of an article page's
    /// bytes) escaped a word at a time by [`json_text::write_str`].
    pub fn write_json(&self, out: &mut Vec<u8>) -> serde_json::Result<()> {
        use ArticleField as F;
        let mut object = JsonObject::begin(out);
        object.field(F::Id, self.id.as_ref())?;
        object.field(F::Url, self.url.as_ref())?;
        object.field(F::Title, self.title.as_ref())?;
        if let Some(body) = &self.body {
            json_text::write_str(object.key(F::Body.as_str()), body);
        }
        object.field(F::PublishedAt, self.published_at.as_ref())?;
        object.field(F::Source, self.source.as_ref())?;
        object.field(F::Language, self.language.as_ref())?;
        object.field(F::ExtractorVersion, self.extractor_version.as_ref())?;
        object.field(F::CreatedAt, self.created_at.as_ref())?;
        object.field(F::UpdatedAt, self.updated_at.as_ref())?;
        object.field(F::Score, self.score.as_ref())?;
        object.field(F::Headline, self.headline.as_ref())?;
        object.field("entities", self.entities.as_ref())?;
        object.field("mentions", self.mentions.as_ref())?;
        object.end();
        Ok(())
    }

    /// Adds the article's entities.
    pub fn with_entities(mut self, entities: Vec<ArticleEntity>) -> Self {
        self.entities = Some(entities);
        self
    }

    /// Adds mentions (those of one entity, in an entity's article list).
    pub fn with_mentions(mut self, mentions: Vec<Mention>) -> Self {
        self.mentions = Some(mentions);
        self
    }
}

/// A JSON object written field by field, leaving out absent fields.
struct JsonObject<'a> {
    out: &'a mut Vec<u8>,
    empty: bool,
}

impl<'a> JsonObject<'a> {
    fn begin(out: &'a mut Vec<u8>) -> Self {
        out.push(b'{');
        Self { out, empty: true }
    }

    /// Writes `"name":` (after a comma when needed) and returns where the value goes.
    fn key(&mut self, name: &str) -> &mut Vec<u8> {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        json_text::write_str(self.out, name);
        self.out.push(b':');
        self.out
    }

    fn field<T: Serialize>(
        &mut self,
        name: impl Into<Key>,
        value: Option<&T>,
    ) -> serde_json::Result<()> {
        match value {
            Some(value) => serde_json::to_writer(self.key(name.into().0), value),
            None => Ok(()),
        }
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

/// A member name of a [`JsonObject`]: an article field's, or another written out.
struct Key(&'static str);

impl From<ArticleField> for Key {
    fn from(field: ArticleField) -> Self {
        Self(field.as_str())
    }
}

impl From<&'static str> for Key {
    fn from(name: &'static str) -> Self {
        Self(name)
    }
}

/// An entity named in an article, with its mentions there.
#[derive(Debug, Serialize)]
pub struct ArticleEntity {
    /// Entity id.
    pub id: EntityId,
    /// Slug.
    pub slug: String,
    /// Canonical name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// Articles naming it, all time.
    pub article_count: i32,
    /// Mentions in this article.
    pub mention_count: i32,
    /// The mentions, when the article is shown whole.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mentions: Option<Vec<Mention>>,
}

impl ArticleEntity {
    /// From the database row.
    pub fn from_row(row: ArticleEntityRow, mentions: Option<Vec<Mention>>) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            kind: row.kind,
            article_count: row.article_count,
            mention_count: row.mention_count,
            mentions,
        }
    }
}

/// One mention: where it is, what it says, and the text around it.
#[derive(Debug, Serialize)]
pub struct Mention {
    /// Title or body.
    pub field: Field,
    /// Start offset in Unicode code points.
    pub start: i32,
    /// End offset (exclusive) in Unicode code points.
    pub end: i32,
    /// The surface text.
    pub text: String,
    /// The sentence around it, clipped.
    pub snippet: String,
    /// The extractor's confidence, to four decimals.
    pub confidence: f64,
}

impl Mention {
    /// From the row and the text of its field, as a vector of chars.
    pub fn from_row(row: &MentionRow, field_chars: &[char]) -> Self {
        Self {
            field: row.field,
            start: row.start_offset,
            end: row.end_offset,
            text: row.surface.clone(),
            snippet: super::snippet::around(field_chars, row.start_offset, row.end_offset),
            // Rounded: four decimals are all a confidence means.
            confidence: (f64::from(row.confidence) * 10_000.0).round() / 10_000.0,
        }
    }
}

/// Coordinates of a place.
#[derive(Debug, Serialize)]
pub struct Coordinates {
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// An entity.
#[derive(Debug, Serialize)]
pub struct EntityResponse {
    /// Id.
    pub id: EntityId,
    /// Readable unique address.
    pub slug: String,
    /// Canonical name.
    pub name: String,
    /// person | place | organization.
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// Surface forms seen.
    pub aliases: Vec<String>,
    /// Articles naming it.
    pub article_count: i32,
    /// Mentions of it.
    pub mention_count: i32,
    /// Earliest publication date among its articles.
    pub first_seen: Option<String>,
    /// Latest publication date among its articles.
    pub last_seen: Option<String>,
    /// Places: where, when known.
    pub coordinates: Option<Coordinates>,
    /// Places: GeoNames id, when known.
    pub geonames_id: Option<i64>,
    /// Wikidata id, when known.
    pub wikidata_id: Option<String>,
    /// Search score, with `q`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
}

impl From<EntityRow> for EntityResponse {
    fn from(row: EntityRow) -> Self {
        let coordinates = match (row.latitude, row.longitude) {
            (Some(lat), Some(lon)) => Some(Coordinates { lat, lon }),
            _ => None,
        };
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            kind: row.kind,
            aliases: row.aliases,
            article_count: row.article_count,
            mention_count: row.mention_count,
            first_seen: optional_timestamp(row.first_seen),
            last_seen: optional_timestamp(row.last_seen),
            coordinates,
            geonames_id: row.geonames_id,
            wikidata_id: row.wikidata_id,
            score: row.score.map(|score| (score * 10_000.0).round() / 10_000.0),
        }
    }
}

/// An entity co-mentioned with another.
#[derive(Debug, Serialize)]
pub struct RelatedEntity {
    /// Id.
    pub id: EntityId,
    /// Slug.
    pub slug: String,
    /// Name.
    pub name: String,
    /// Type.
    #[serde(rename = "type")]
    pub kind: EntityKind,
    /// Its articles, all time.
    pub article_count: i32,
    /// Articles naming both (within the date range).
    pub co_count: i64,
    /// Pointwise mutual information: ln(P(both) / (P(one) P(other))).
    pub pmi: f64,
}

impl From<RelatedRow> for RelatedEntity {
    fn from(row: RelatedRow) -> Self {
        Self {
            id: row.id,
            slug: row.slug,
            name: row.name,
            kind: row.kind,
            article_count: row.article_count,
            co_count: row.co_count,
            pmi: (row.pmi * 10_000.0).round() / 10_000.0,
        }
    }
}

/// One timeline bucket.
#[derive(Debug, Serialize)]
pub struct TimelineBucket {
    /// Bucket start, RFC 3339 UTC.
    pub start: String,
    /// Articles naming the entity.
    pub articles: i64,
    /// Mentions of it.
    pub mentions: i64,
}

impl From<Bucket> for TimelineBucket {
    fn from(bucket: Bucket) -> Self {
        Self {
            start: timestamp(bucket.start),
            articles: bucket.articles,
            mentions: bucket.mentions,
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use proptest::sample::subsequence;
    use uuid::Uuid;

    use super::{ArticleField, ArticleResponse, Mention};
    use crate::db::article_search::ArticleRow;
    use crate::domain::{Field, Named};

    fn row(body: String, title: String, rank: Option<f32>, dated: bool) -> ArticleRow {
        let date = Utc
            .with_ymd_and_hms(2024, 3, 1, 10, 0, 0)
            .single()
            .expect("a date");
        ArticleRow {
            id: Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0001).into(),
            url: "https://example.com/a?b=\"c\"".to_owned(),
            title,
            body: Some(body),
            published_at: dated.then_some(date),
            source_domain: "example.com".to_owned(),
            source_name: "Example \\ Wire".to_owned(),
            language: "en".to_owned(),
            extractor_version: "crf-1".to_owned(),
            created_at: date,
            updated_at: date,
            rank,
            headline: Some("<b>Paris</b>\n…".to_owned()),
        }
    }

    proptest! {
        #[test]
        fn write_json_writes_what_serialize_writes(
            body in "(?s).{0,300}",
            title in ".{0,40}",
            rank in proptest::option::of(0.0f32..1.0),
            dated in any::<bool>(),
            fields in subsequence(ArticleField::ALL.to_vec(), 0..=ArticleField::ALL.len()),
            with_mentions in any::<bool>(),
        ) {
            let mut article = ArticleResponse::from_row(row(body, title, rank, dated), &fields);
            if with_mentions {
                article = article.with_mentions(vec![Mention {
                    field: Field::Body,
                    start: 3,
                    end: 8,
                    text: "Paris".to_owned(),
                    snippet: "In \"Paris\"\ttoday".to_owned(),
                    confidence: 0.9871,
                }]);
            }
            let mut ours = Vec::new();
            article.write_json(&mut ours).expect("written");
            prop_assert_eq!(
                String::from_utf8(ours).expect("UTF-8"),
                serde_json::to_string(&article).expect("serialized")
            );
        }
    }

    #[test]
    fn an_article_writes_its_fields_in_the_order_and_spelling_of_article_field() {
        let article = ArticleResponse::from_row(
            row("body".to_owned(), "title".to_owned(), Some(0.5), true),
            ArticleField::ALL,
        );

        let json = serde_json::to_value(&article).expect("serialized");

        let keys: Vec<&str> = json
            .as_object()
            .expect("an object")
            .keys()
            .map(String::as_str)
            .collect();
        let names: Vec<&str> = ArticleField::ALL.iter().map(|f| f.as_str()).collect();
        assert_eq!(keys, names);
    }
}
