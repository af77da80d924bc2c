//! Answers for dashboards: timelines, facets, maps and co-mention networks of the articles
//! matching any article filter (the filters of `GET /v1/articles`).
//!
//! The matching articles come from the full-text snapshot when it is current
//! ([`TextIndex::select`]): it holds every article's date, source and entities, so a panel
//! is counted in memory in time proportional to the articles that match, with no join per
//! request. Otherwise (while a new snapshot is built after a write, with `updated_since`,
//! for a phrase the snapshot only approximates, or with the index turned off) the same
//! articles and entities are read from the database. Both feed the same counting code
//! ([`count`]), so the two paths cannot disagree on what they count.
//!
//! This module owns no SQL (it calls [`crate::db::answers`]) and knows nothing of HTTP.

pub mod count;
mod loaded;
pub mod rollup;
pub mod spikes;

use std::sync::Arc;

use chrono::{DateTime, Datelike, Days, Months, NaiveDate, NaiveTime, Utc};
use sqlx::PgPool;

use crate::db::answers;
use crate::db::answers::Bound;
use crate::db::article_search::ArticleFilter;
use crate::db::timeline::Interval;
use crate::textindex::facts::EntityFacts;
use crate::textindex::{Selected, Single, Snapshot, TextIndex};
use count::{Buckets, FacetCounts};
use rollup::DAY;

/// The most buckets one timeline may have.
pub const MAX_BUCKETS: i64 = 3_700;

/// The articles matching a filter, with what the answers count of each.
#[derive(Debug)]
pub struct Matched {
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    /// Ordinals of a current snapshot.
    Memory {
        snapshot: Arc<Snapshot>,
        docs: Vec<u32>,
    },
    /// One entity or word alone, with enough matches to be rolled up ([`rollup`]): the
    /// ordinals are its posting list's.
    Rolled {
        snapshot: Arc<Snapshot>,
        single: Single,
    },
    /// Read from the database: article `n` names `entities[offsets[n]..offsets[n + 1]]`,
    /// ordinals into `table`.
    Loaded {
        keys: Vec<i64>,
        sources: Vec<i32>,
        kinds: Vec<u8>,
        offsets: Vec<u32>,
        entities: Vec<u32>,
        table: Vec<EntityFacts>,
    },
}

/// What an answer counts of each article.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Its date (timelines): the database path reads no entities.
    Dates,
    /// Its date, source and entities.
    Entities,
}

/// The articles matching `filter`, in list order: from the snapshot when it can answer, else
/// from the database.
pub async fn matched(
    pool: &PgPool,
    text_index: Option<&Arc<TextIndex>>,
    filter: &ArticleFilter,
    need: Need,
) -> sqlx::Result<Matched> {
    if let Some(index) = text_index
        && let Some((snapshot, selected)) = index.select(pool, filter).await?
    {
        let inner = match selected {
            Selected::Single(single)
                if snapshot.postings_of(&single).len() >= index.rollup_min() =>
            {
                Inner::Rolled { snapshot, single }
            }
            Selected::Single(single) => {
                let docs = snapshot.postings_of(&single).iter().collect();
                Inner::Memory { snapshot, docs }
            }
            Selected::Docs(docs) => Inner::Memory { snapshot, docs },
        };
        return Ok(Matched { inner });
    }
    loaded::load(pool, filter, need).await
}

/// The bounds of the UTC `interval` buckets covering `from..to`, as
/// [`crate::db::answers::bounds`] computes them in the database for other zones: from the
/// start of the bucket holding `from` to the end of the bucket holding the last instant
/// before `to`.
pub fn utc_bounds(interval: Interval, from: DateTime<Utc>, to: DateTime<Utc>) -> Vec<Bound> {
    let truncate = |date: NaiveDate| match interval {
        Interval::Day => date,
        Interval::Week => date - Days::new(u64::from(date.weekday().num_days_from_monday())),
        Interval::Month => date.with_day(1).unwrap_or(date),
    };
    let step = |date: NaiveDate| match interval {
        Interval::Day => date.checked_add_days(Days::new(1)),
        Interval::Week => date.checked_add_days(Days::new(7)),
        Interval::Month => date.checked_add_months(Months::new(1)),
    };
    let bound = |date: NaiveDate| Bound {
        start: date.and_time(NaiveTime::MIN).and_utc(),
        date,
    };
    let last = truncate((to - chrono::Duration::microseconds(1)).date_naive());
    let mut date = truncate(from.date_naive());
    let mut bounds = Vec::new();
    while date <= last {
        bounds.push(bound(date));
        match step(date) {
            Some(next) => date = next,
            None => return bounds,
        }
    }
    bounds.push(bound(date));
    bounds
}

/// An article's publication time in microseconds, `i64::MIN` when undated.
pub fn key(date: Option<DateTime<Utc>>) -> i64 {
    date.map_or(i64::MIN, |date| date.timestamp_micros())
}

impl Matched {
    /// How many articles match.
    pub fn len(&self) -> usize {
        match &self.inner {
            Inner::Memory { docs, .. } => docs.len(),
            Inner::Rolled { snapshot, single } => snapshot.postings_of(single).len(),
            Inner::Loaded { keys, .. } => keys.len(),
        }
    }

    /// Whether none match.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Whether the in-memory snapshot answered (else the database did).
    pub fn from_memory(&self) -> bool {
        !matches!(self.inner, Inner::Loaded { .. })
    }

    /// Calls `f` with each article's publication key, source id, the [`kind_bit`]s of the
    /// types it names, and its entity ordinals.
    pub fn for_each(&self, mut f: impl FnMut(i64, i32, u8, &[u32])) {
        let mut each = |snapshot: &Snapshot, doc: u32| {
            let facts = snapshot.facts();
            f(
                snapshot.key_of(doc),
                snapshot.source_of(doc),
                facts.kinds_of(doc),
                facts.of_doc(doc),
            );
        };
        match &self.inner {
            Inner::Memory { snapshot, docs } => {
                for doc in docs {
                    each(snapshot, *doc);
                }
            }
            Inner::Rolled { snapshot, single } => {
                for doc in snapshot.postings_of(single).iter() {
                    each(snapshot, doc);
                }
            }
            Inner::Loaded {
                keys,
                sources,
                kinds,
                offsets,
                entities,
                ..
            } => {
                for (n, key) in keys.iter().enumerate() {
                    let span = offsets[n] as usize..offsets[n + 1] as usize;
                    f(*key, sources[n], kinds[n], &entities[span]);
                }
            }
        }
    }

    /// The entity with this ordinal.
    pub fn entity(&self, ordinal: u32) -> &EntityFacts {
        match &self.inner {
            Inner::Memory { snapshot, .. } | Inner::Rolled { snapshot, .. } => {
                snapshot.facts().entity(ordinal)
            }
            Inner::Loaded { table, .. } => &table[ordinal as usize],
        }
    }

    /// How many entity ordinals there are.
    pub fn entity_count(&self) -> usize {
        match &self.inner {
            Inner::Memory { snapshot, .. } | Inner::Rolled { snapshot, .. } => {
                snapshot.facts().entity_count()
            }
            Inner::Loaded { table, .. } => table.len(),
        }
    }

    /// The earliest and latest publication times matched, if any article is dated.
    pub fn date_span(&self) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let mut span: Option<(i64, i64)> = None;
        if let Inner::Rolled { snapshot, single } = &self.inner {
            span = rollup::dates(snapshot, single).span;
        } else {
            self.for_each(|key, _, _, _| {
                if key != i64::MIN {
                    span =
                        Some(span.map_or((key, key), |(low, high)| (low.min(key), high.max(key))));
                }
            });
        }
        span.and_then(|(low, high)| {
            Some((
                DateTime::from_timestamp_micros(low)?,
                DateTime::from_timestamp_micros(high)?,
            ))
        })
    }

    /// How many articles (matching or not) were published between consecutive `bounds`.
    pub async fn totals(&self, pool: &PgPool, bounds: &[DateTime<Utc>]) -> sqlx::Result<Vec<i64>> {
        match &self.inner {
            Inner::Memory { snapshot, .. } | Inner::Rolled { snapshot, .. } => Ok(bounds
                .windows(2)
                .map(|pair| {
                    let count = snapshot
                        .count_between(pair[0].timestamp_micros(), pair[1].timestamp_micros());
                    i64::try_from(count).unwrap_or(i64::MAX)
                })
                .collect()),
            Inner::Loaded { .. } => answers::totals(pool, bounds).await,
        }
    }

    /// The matches in each bucket between consecutive `bounds` (microseconds, ascending):
    /// from the rollup when there is one and the bounds are UTC midnights, else counted.
    pub fn buckets(&self, bounds: &[i64]) -> Buckets {
        if let Inner::Rolled { snapshot, single } = &self.inner
            && bounds.iter().all(|bound| bound.rem_euclid(DAY) == 0)
        {
            let dates = rollup::dates(snapshot, single);
            return Buckets {
                counts: rollup::sum_days(&dates.days, bounds),
                undated: dates.undated,
            };
        }
        count::buckets(self, bounds)
    }

    /// The facets of the matches, `limit` (at most [`count::MAX_FACETS`]) entries each: from
    /// the rollup when there is one, else counted.
    pub fn facets(&self, limit: usize) -> FacetCounts {
        if let Inner::Rolled { snapshot, single } = &self.inner {
            let mut facets = FacetCounts::clone(&rollup::facets(self, snapshot, single));
            for top in &mut facets.top {
                top.truncate(limit);
            }
            facets.sources.truncate(limit);
            return facets;
        }
        count::facets(self, limit)
    }
}
