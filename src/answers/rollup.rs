//! Rollups: what the answers count of one entity's or one word's articles, counted once per
//! snapshot and kept with it ([`crate::textindex::memo`]). A dashboard asks again and again
//! for the same popular entities and words, whose matches grow with the corpus; a rollup
//! holds instead what does not: counts per UTC day (at most one entry per day the key
//! appears on, so a timeline of whatever size sums a few thousand entries), and the facets
//! at their largest size. Only a filter that is the entity or word alone is rolled up; any
//! other condition (a date range, a type, a source, a second entity or word) counts the
//! matches themselves. A rollup is computed on the first request after a build, by the
//! same counting code as every other answer.

use std::sync::Arc;

use super::Matched;
use super::count::{self, Counted, FacetCounts, MAX_FACETS};
use crate::textindex::{Single, Snapshot};

/// Microseconds in a day.
pub const DAY: i64 = 86_400_000_000;

/// The dates of a key's articles.
#[derive(Debug)]
pub struct Dates {
    /// Dated articles per UTC day: the day's first microsecond and the count, ascending.
    pub days: Vec<(i64, u32)>,
    /// Articles with no date.
    pub undated: i64,
    /// The earliest and latest publication times, if any article is dated.
    pub span: Option<(i64, i64)>,
}

fn key_name(what: &str, single: &Single) -> String {
    match single {
        Single::Entity(ordinal) => format!("{what} entity {ordinal}"),
        Single::Term(term) => format!("{what} term {term}"),
    }
}

/// The dates rollup of `single`.
pub fn dates(snapshot: &Snapshot, single: &Single) -> Arc<Dates> {
    snapshot.memo().get_or_make(&key_name("dates", single), || {
        let mut days: Vec<(i64, u32)> = Vec::new();
        let mut undated = 0;
        let mut span: Option<(i64, i64)> = None;
        // Ordinals ascend as dates descend: each day's articles come together.
        for doc in snapshot.postings_of(single).iter() {
            let key = snapshot.key_of(doc);
            if key == i64::MIN {
                undated += 1;
                continue;
            }
            span = Some(span.map_or((key, key), |(_, newest)| (key, newest)));
            let day = key.div_euclid(DAY) * DAY;
            match days.last_mut() {
                Some((last, count)) if *last == day => *count += 1,
                _ => days.push((day, 1)),
            }
        }
        days.reverse();
        let bytes = days.capacity() * std::mem::size_of::<(i64, u32)>();
        (
            Dates {
                days,
                undated,
                span,
            },
            bytes,
        )
    })
}

/// The facets rollup of `single`, whose matches `matched` are: each facet at [`MAX_FACETS`].
pub fn facets(matched: &Matched, snapshot: &Snapshot, single: &Single) -> Arc<FacetCounts> {
    snapshot
        .memo()
        .get_or_make(&key_name("facets", single), || {
            let facets = count::facets(matched, MAX_FACETS);
            let bytes = facets
                .top
                .iter()
                .map(|top| top.capacity() * std::mem::size_of::<Counted>())
                .sum::<usize>()
                + facets.sources.capacity() * std::mem::size_of::<(i32, u32)>();
            (facets, bytes)
        })
}

/// Sums `days` into the buckets between consecutive `bounds` (UTC midnights, ascending);
/// days outside them are not counted.
pub fn sum_days(days: &[(i64, u32)], bounds: &[i64]) -> Vec<i64> {
    let mut counts = vec![0; bounds.len().saturating_sub(1)];
    let mut bucket = 0;
    for (day, count) in days {
        while bucket < counts.len() && bounds[bucket + 1] <= *day {
            bucket += 1;
        }
        if bucket == counts.len() {
            break;
        }
        if bounds[bucket] <= *day {
            counts[bucket] += i64::from(*count);
        }
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_summed_into_the_buckets_that_hold_them() {
        let days = [(0, 1), (DAY, 2), (3 * DAY, 4), (7 * DAY, 8), (9 * DAY, 16)];
        let bounds = [DAY, 3 * DAY, 7 * DAY, 8 * DAY];

        let counts = sum_days(&days, &bounds);

        assert_eq!(counts, vec![2, 4, 8]);
    }
}
