//! Relevance order for a one-word query: each word's articles grouped by their rank for it
//! (`ts_rank_cd`, highest first; see [`crate::textindex::rank`]), and within a group by id,
//! highest first: `ORDER BY ts_rank_cd(search, q) DESC, id DESC`, read from the front, so a
//! page costs what it returns however common the word. A group's posting list holds
//! positions in the snapshot's id order (see [`IdOrder`]), ascending.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Doc, Snapshot};
use crate::db::listing::{Position, SortKey};
use crate::textindex::postings::{Postings, read_varint, write_varint};

/// One word's articles in relevance order: its distinct ranks, descending, each with the
/// id-order positions of the articles that rank so.
pub(super) type Groups = Box<[(f32, Postings)]>;

/// The articles by id, highest first: position -> ordinal.
#[derive(Debug, Default)]
pub(super) struct IdOrder {
    ordinals: Vec<u32>,
}

impl IdOrder {
    /// The id order of `docs`, and its inverse (ordinal -> position).
    pub(super) fn of(docs: &[Doc]) -> (Self, Vec<u32>) {
        let mut ordinals: Vec<u32> = (0..u32::try_from(docs.len()).unwrap_or(u32::MAX)).collect();
        ordinals.sort_unstable_by(|a, b| docs[*b as usize].id.cmp(&docs[*a as usize].id));
        let mut positions = vec![0u32; ordinals.len()];
        for (position, ordinal) in ordinals.iter().enumerate() {
            positions[*ordinal as usize] = u32::try_from(position).unwrap_or(u32::MAX);
        }
        (Self { ordinals }, positions)
    }

    pub(super) fn heap_bytes(&self) -> usize {
        self.ordinals.capacity() * std::mem::size_of::<u32>()
    }
}

/// Ranks seen while building, each stored per posting as a small code (a varint index into
/// the distinct ranks) until the groups are made.
#[derive(Debug, Default)]
pub(super) struct RankCodes {
    values: Vec<f32>,
    codes: HashMap<u32, u32>,
}

impl RankCodes {
    /// Appends the code of `rank` to `codes`.
    pub(super) fn push(&mut self, codes: &mut Vec<u8>, rank: f32) {
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let code = *self.codes.entry(rank.to_bits()).or_insert(next);
        if code == next {
            self.values.push(rank);
        }
        write_varint(codes, code);
    }

    /// The groups of one word whose postings (ordinals, ascending) carry these codes, in
    /// the same order. `positions` maps ordinals to id order; `scratch` is reused.
    pub(super) fn groups(
        &self,
        postings: &Postings,
        codes: &[u8],
        positions: &[u32],
        scratch: &mut Vec<(f32, u32)>,
    ) -> Groups {
        scratch.clear();
        let mut at = 0;
        for ordinal in postings.iter() {
            let (code, used) = read_varint(&codes[at..]);
            at += used;
            scratch.push((self.values[code as usize], positions[ordinal as usize]));
        }
        scratch.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let mut groups: Vec<(f32, Postings)> = Vec::new();
        for (rank, position) in scratch.iter() {
            match groups.last_mut() {
                Some((last, postings)) if last.to_bits() == rank.to_bits() => {
                    postings.push(*position);
                }
                _ => {
                    let mut postings = Postings::default();
                    postings.push(*position);
                    groups.push((*rank, postings));
                }
            }
        }
        for (_, postings) in &mut groups {
            postings.shrink();
        }
        groups.into_boxed_slice()
    }
}

/// Where a relevance walk goes.
#[derive(Debug, Clone, Copy)]
pub struct RankedBounds<'p> {
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
    /// Only articles of this source.
    pub source: Option<i32>,
    /// Continue after this position (a relevance cursor: rank and id).
    pub after: Option<&'p Position>,
}

/// A walk over one word's matches, best first.
pub struct RankedWalk<'a> {
    snapshot: &'a Snapshot,
    groups: &'a [(f32, Postings)],
    /// The group being read, and the next id-order position to examine in it.
    group: usize,
    next: u32,
    range: Range<usize>,
    source: Option<i32>,
}

impl Snapshot {
    /// The articles holding `term`, in relevance order, within `bounds`.
    pub fn ranked<'a>(&'a self, term: &str, bounds: RankedBounds<'_>) -> RankedWalk<'a> {
        let groups: &[(f32, Postings)] = self.terms.get(term).map_or(&[], |term| &term.ranked);
        let (group, next) = match bounds.after {
            Some(Position {
                key: SortKey::Number(rank),
                id,
                ..
            }) => self.resume(groups, *rank as f32, *id),
            _ => (0, 0),
        };
        RankedWalk {
            snapshot: self,
            groups,
            group,
            next,
            range: self.date_range(bounds.from, bounds.to),
            source: bounds.source,
        }
    }

    /// The group and position after `(rank, id)` in relevance order.
    fn resume(&self, groups: &[(f32, Postings)], rank: f32, id: Uuid) -> (usize, u32) {
        let group = groups.partition_point(|(group_rank, _)| *group_rank > rank);
        match groups.get(group) {
            Some((group_rank, _)) if *group_rank == rank => {
                let ordinals = &self.ids.ordinals;
                let after =
                    ordinals.partition_point(|ordinal| self.docs[*ordinal as usize].id >= id);
                (group, u32::try_from(after).unwrap_or(u32::MAX))
            }
            _ => (group, 0),
        }
    }
}

impl RankedWalk<'_> {
    /// The next `wanted` matching ids (fewer at the end).
    pub fn take(&mut self, wanted: usize) -> Vec<Uuid> {
        let mut ids = Vec::with_capacity(wanted);
        while ids.len() < wanted {
            let Some((_, postings)) = self.groups.get(self.group) else {
                break;
            };
            let Some(position) = postings.next_at_or_after(self.next) else {
                self.group += 1;
                self.next = 0;
                continue;
            };
            self.next = position + 1;
            let ordinal = self.snapshot.ids.ordinals[position as usize] as usize;
            let doc = &self.snapshot.docs[ordinal];
            if self.range.contains(&ordinal)
                && self.source.is_none_or(|source| source == doc.source)
            {
                ids.push(doc.id);
            }
        }
        ids
    }

    /// Whether every match has been taken.
    pub fn is_done(&self) -> bool {
        self.group >= self.groups.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::{DateTime, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::RankedBounds;
    use crate::db::listing::{Position, SortKey};
    use crate::db::text_index::IndexRow;
    use crate::textindex::rank;
    use crate::textindex::snapshot::{Builder, Snapshot};

    const DAY: i64 = 86_400_000_000;

    /// An article: day (none: undated), id, source, and its tsvector's positions of "w" and
    /// "x" as weight letters ("" is D).
    #[derive(Debug, Clone)]
    struct TestDoc {
        day: Option<i64>,
        id: Uuid,
        source: i32,
        w: Vec<&'static str>,
        x: Vec<&'static str>,
    }

    impl TestDoc {
        fn search(&self) -> String {
            let mut at = 0;
            let mut word = |name: &str, weights: &[&str]| {
                let positions: Vec<String> = weights
                    .iter()
                    .map(|weight| {
                        at += 1;
                        format!("{at}{weight}")
                    })
                    .collect();
                (!positions.is_empty()).then(|| format!("'{name}':{}", positions.join(",")))
            };
            let w = word("w", &self.w);
            let x = word("x", &self.x);
            [w, x].into_iter().flatten().collect::<Vec<_>>().join(" ")
        }
    }

    fn date(day: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(day * DAY).expect("a valid day")
    }

    fn doc() -> impl Strategy<Value = TestDoc> {
        let weights =
            || proptest::collection::vec(proptest::sample::select(vec!["", "A", "B"]), 0..4);
        (
            proptest::option::weighted(0.8, 0i64..8),
            0u128..40,
            1i32..3,
            weights(),
            weights(),
        )
            .prop_map(|(day, id, source, w, x)| TestDoc {
                day,
                id: Uuid::from_u128(id),
                source,
                w,
                x,
            })
    }

    fn snapshot(docs: &[TestDoc]) -> Snapshot {
        let mut builder = Builder::default();
        for doc in docs {
            builder
                .add(IndexRow {
                    id: doc.id,
                    published_at: doc.day.map(date),
                    source_id: doc.source,
                    search: doc.search(),
                    entity_ids: Vec::new(),
                })
                .expect("a tsvector");
        }
        builder.finish(HashMap::new())
    }

    /// The word's rank in the article, as `ts_rank_cd` would give it.
    fn rank_of(doc: &TestDoc, word: &str) -> Option<f32> {
        rank::lexemes(&doc.search())
            .expect("a tsvector")
            .into_iter()
            .find(|ranked| ranked.lexeme == word)
            .map(|ranked| ranked.rank)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn a_ranked_walk_finds_what_sorting_every_match_by_rank_and_id_finds(
            mut docs in proptest::collection::vec(doc(), 0..40),
            word in proptest::sample::select(vec!["w", "x", "y"]),
            from in proptest::option::of(0i64..8),
            to in proptest::option::of(0i64..9),
            source in proptest::option::of(1i32..3),
            cursor in proptest::option::of(any::<proptest::sample::Index>()),
            chunk in 1usize..5,
        ) {
            // List order: newest first, ties by id; ids unique.
            let mut seen = std::collections::HashSet::new();
            docs.retain(|doc| seen.insert(doc.id));
            docs.sort_by_key(|doc| std::cmp::Reverse((doc.day.map_or(i64::MIN, |day| day * DAY), doc.id)));
            let index = snapshot(&docs);

            let mut expected: Vec<(f32, Uuid)> = docs
                .iter()
                .filter(|doc| source.is_none_or(|s| s == doc.source))
                .filter(|doc| match (from, to, doc.day) {
                    (None, None, _) => true,
                    (_, _, None) => false,
                    (from, to, Some(day)) => from.is_none_or(|f| day >= f) && to.is_none_or(|t| day < t),
                })
                .filter_map(|doc| rank_of(doc, word).map(|rank| (rank, doc.id)))
                .collect();
            expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
            let after = cursor.filter(|_| !expected.is_empty()).map(|i| {
                let (rank, id) = expected[i.index(expected.len())];
                Position { sort: "relevance".to_owned(), key: SortKey::Number(f64::from(rank)), id }
            });
            if let Some(after) = &after {
                let at = expected.iter().position(|(_, id)| *id == after.id).expect("the cursor's row");
                expected.drain(..=at);
            }
            let expected: Vec<Uuid> = expected.iter().map(|(_, id)| *id).collect();

            let mut walk = index.ranked(word, RankedBounds {
                from: from.map(date),
                to: to.map(date),
                source,
                after: after.as_ref(),
            });
            let mut found = Vec::new();
            for _ in 0..100 {
                found.extend(walk.take(chunk));
                if walk.is_done() {
                    break;
                }
            }
            prop_assert!(walk.is_done());
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn a_cursor_between_ranks_or_ids_goes_on_after_its_position() {
        let docs: Vec<TestDoc> = [
            (1, vec!["A"]),
            (2, vec!["B"]),
            (3, vec!["A"]),
            (4, vec![""]),
        ]
        .into_iter()
        .map(|(id, w)| TestDoc {
            day: Some(1),
            id: Uuid::from_u128(id),
            source: 1,
            w,
            x: vec![],
        })
        .collect();
        let index = snapshot(&docs);
        let after = |rank: f64, id: u128| Position {
            sort: "relevance".to_owned(),
            key: SortKey::Number(rank),
            id: Uuid::from_u128(id),
        };
        let take = |position: &Position| {
            let bounds = RankedBounds {
                from: None,
                to: None,
                source: None,
                after: Some(position),
            };
            index.ranked("w", bounds).take(10)
        };

        // A rank no article has (e.g. the article since changed): the next lower rank's.
        assert_eq!(
            take(&after(0.7, 99)),
            [Uuid::from_u128(2), Uuid::from_u128(4)]
        );
        // An id no article has, within a rank: the lower ids of that rank, then the rest.
        assert_eq!(
            take(&after(1.0, 2)),
            [Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(4)]
        );
    }
}
