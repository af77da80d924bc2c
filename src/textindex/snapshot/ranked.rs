//! Relevance order for a one-word query: each word's articles grouped by their rank for it
//! (`ts_rank_cd`, highest first; see [`crate::textindex::rank`]), and within a group by id,
//! highest first: `ORDER BY ts_rank_cd(search, q) DESC, id DESC`, read from the front, so a
//! page costs what it returns however common the word.
//!
//! A word's groups are one byte string ([`Ranked`]), group after group: the rank (`f32`, 4
//! bytes), the byte length of its entries (varint), then its articles' positions in the
//! snapshot's id order ([`IdOrder`]), ascending, the first in full and the rest as gaps
//! (varints). A group is skipped whole by its length; a cursor within one decodes it from
//! its start.
//!
//! Over 300 lines with its tests: the second half checks every walk against a brute-force
//! sort of the same articles (proptest) and the build's code blocks across page boundaries,
//! which need the private layout.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Doc, Snapshot};
use crate::db::listing::{Position, SortKey};
use crate::textindex::postings::{Postings, read_varint, write_varint};

/// One word's articles in relevance order (see the module's documentation).
pub(super) type Ranked = Box<[u8]>;

/// While a snapshot is built, the first and last of the blocks holding a word's rank codes
/// in [`RankCodes`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Codes {
    first: u32,
    last: u32,
}

impl Default for Codes {
    /// No blocks yet.
    fn default() -> Self {
        Self {
            first: NO_BLOCK,
            last: NO_BLOCK,
        }
    }
}

/// Code blocks: this many bytes, the last four holding the index of the next block, or in
/// a word's last block the number of code nibbles it holds.
const BLOCK: usize = 32;
const BLOCK_DATA: usize = BLOCK - 4;
const NO_BLOCK: u32 = u32::MAX;
/// The nibble that says the code follows in eight more.
const ESCAPE: u32 = 15;
/// Blocks are allocated this many at a time (1 MiB), never moved.
const PAGE_BLOCKS: usize = 32 * 1024;

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

/// Ranks seen while building, each stored per posting as a small code (an index into the
/// distinct ranks, in nibbles: see [`RankCodes::push`]) until the groups are made. Every
/// word's codes are a chain of small blocks in pages of 1 MiB: no word's codes are copied
/// as they grow (at 240,000 articles they take about 15 MB, which a growing vector would
/// hold twice while it moved).
#[derive(Debug, Default)]
pub(super) struct RankCodes {
    values: Vec<f32>,
    codes: HashMap<u32, u32>,
    pages: Vec<Box<[u8]>>,
    blocks: usize,
}

impl RankCodes {
    /// Appends the code of `rank` to the word's codes at `codes`.
    pub(super) fn push(&mut self, codes: &mut Codes, rank: f32) {
        let next = u32::try_from(self.values.len()).unwrap_or(u32::MAX);
        let code = *self.codes.entry(rank.to_bits()).or_insert(next);
        if code == next {
            self.values.push(rank);
        }
        // One nibble for the 15 ranks seen first (nearly every posting's), else an escape
        // and eight.
        if code < ESCAPE {
            self.push_nibble(codes, code as u8);
        } else {
            self.push_nibble(codes, ESCAPE as u8);
            for shift in (0..32).step_by(4).rev() {
                self.push_nibble(codes, ((code >> shift) & 0xf) as u8);
            }
        }
    }

    /// Appends a nibble (the low four bits of `nibble`); a block's fill counts nibbles.
    fn push_nibble(&mut self, codes: &mut Codes, nibble: u8) {
        if codes.first == NO_BLOCK {
            let block = self.new_block();
            *codes = Codes {
                first: block,
                last: block,
            };
        }
        let mut fill = self.tail(codes.last) as usize;
        if fill == BLOCK_DATA * 2 {
            let block = self.new_block();
            self.set_tail(codes.last, block);
            codes.last = block;
            fill = 0;
        }
        let byte = &mut self.block_mut(codes.last)[fill / 2];
        *byte |= (nibble & 0xf) << (4 * (fill % 2));
        self.set_tail(codes.last, u32::try_from(fill + 1).unwrap_or(u32::MAX));
    }

    fn new_block(&mut self) -> u32 {
        if self.blocks.is_multiple_of(PAGE_BLOCKS) {
            self.pages
                .push(vec![0u8; PAGE_BLOCKS * BLOCK].into_boxed_slice());
        }
        self.blocks += 1;
        u32::try_from(self.blocks - 1).unwrap_or(u32::MAX)
    }

    fn block(&self, block: u32) -> &[u8] {
        let (page, at) = (
            block as usize / PAGE_BLOCKS,
            block as usize % PAGE_BLOCKS * BLOCK,
        );
        &self.pages[page][at..at + BLOCK]
    }

    fn block_mut(&mut self, block: u32) -> &mut [u8] {
        let (page, at) = (
            block as usize / PAGE_BLOCKS,
            block as usize % PAGE_BLOCKS * BLOCK,
        );
        &mut self.pages[page][at..at + BLOCK]
    }

    fn tail(&self, block: u32) -> u32 {
        let mut tail = [0u8; 4];
        tail.copy_from_slice(&self.block(block)[BLOCK_DATA..]);
        u32::from_le_bytes(tail)
    }

    fn set_tail(&mut self, block: u32, value: u32) {
        self.block_mut(block)[BLOCK_DATA..].copy_from_slice(&value.to_le_bytes());
    }

    /// The code nibbles of the word at `codes`, in order.
    fn code_nibbles(&self, codes: Codes) -> impl Iterator<Item = u8> + '_ {
        let mut block = codes.first;
        let mut at = 0;
        std::iter::from_fn(move || {
            loop {
                if block == NO_BLOCK {
                    return None;
                }
                let (len, next) = if block == codes.last {
                    (self.tail(block) as usize, NO_BLOCK)
                } else {
                    (BLOCK_DATA * 2, self.tail(block))
                };
                if at < len {
                    let nibble = (self.block(block)[at / 2] >> (4 * (at % 2))) & 0xf;
                    at += 1;
                    return Some(nibble);
                }
                block = next;
                at = 0;
            }
        })
    }

    /// The groups of one word whose postings (ordinals, ascending) carry the codes at
    /// `codes`, in the same order. `positions` maps ordinals to id order; `scratch` is
    /// reused.
    pub(super) fn groups(
        &self,
        postings: &Postings,
        codes: Codes,
        positions: &[u32],
        scratch: &mut (Vec<(f32, u32)>, Vec<u8>, Vec<u8>),
    ) -> Ranked {
        let (entries, group, out) = scratch;
        entries.clear();
        out.clear();
        let mut nibbles = self.code_nibbles(codes);
        for ordinal in postings.iter() {
            let mut code = u32::from(nibbles.next().unwrap_or(0));
            if code == ESCAPE {
                code = (0..8).fold(0, |code, _| {
                    code << 4 | u32::from(nibbles.next().unwrap_or(0))
                });
            }
            entries.push((self.values[code as usize], positions[ordinal as usize]));
        }
        entries.sort_unstable_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (index, (rank, position)) in entries.iter().enumerate() {
            let first = index == 0 || entries[index - 1].0.to_bits() != rank.to_bits();
            if first {
                group.clear();
                write_varint(group, *position);
            } else {
                write_varint(group, position - entries[index - 1].1);
            }
            let last = entries
                .get(index + 1)
                .is_none_or(|next| next.0.to_bits() != rank.to_bits());
            if last {
                out.extend_from_slice(&rank.to_le_bytes());
                write_varint(out, u32::try_from(group.len()).unwrap_or(u32::MAX));
                out.extend_from_slice(group);
            }
        }
        out.as_slice().into()
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
    bytes: &'a [u8],
    /// The next group header or entry to read, and where the current group ends.
    at: usize,
    group_end: usize,
    /// The position last read in the current group (`None` before its first), and the
    /// group's rank.
    last: Option<u32>,
    rank: f32,
    range: Range<usize>,
    source: Option<i32>,
}

impl Snapshot {
    /// The articles holding `term`, in relevance order, within `bounds`.
    pub fn ranked<'a>(&'a self, term: &str, bounds: RankedBounds<'_>) -> RankedWalk<'a> {
        let bytes: &[u8] = self.terms.get(term).map_or(&[], |term| &term.ranked);
        let mut walk = RankedWalk {
            snapshot: self,
            bytes,
            at: 0,
            group_end: 0,
            last: None,
            rank: 0.0,
            range: self.date_range(bounds.from, bounds.to),
            source: bounds.source,
        };
        if let Some(Position {
            key: SortKey::Number(rank),
            id,
            ..
        }) = bounds.after
        {
            let ordinals = &self.ids.ordinals;
            let after = ordinals.partition_point(|ordinal| self.docs[*ordinal as usize].id >= *id);
            walk.resume(*rank as f32, u32::try_from(after).unwrap_or(u32::MAX));
        }
        walk
    }
}

impl RankedWalk<'_> {
    /// Moves to the first entry after `(rank, position)` in relevance order: past the groups
    /// of higher ranks, and within a group of this rank past the lower positions.
    fn resume(&mut self, rank: f32, position: u32) {
        while self.at < self.bytes.len() {
            let (group_rank, start, end) = self.header(self.at);
            if group_rank < rank {
                return;
            }
            if group_rank > rank {
                self.at = end;
                continue;
            }
            self.at = start;
            self.group_end = end;
            self.last = None;
            self.rank = group_rank;
            while self.at < end {
                let (next, used) = self.peek();
                if next >= position {
                    return;
                }
                self.at += used;
                self.last = Some(next);
            }
            return;
        }
    }

    /// The group whose header starts at `at`: its rank and its entries' byte range.
    fn header(&self, at: usize) -> (f32, usize, usize) {
        let mut rank = [0u8; 4];
        rank.copy_from_slice(&self.bytes[at..at + 4]);
        let (len, used) = read_varint(&self.bytes[at + 4..]);
        let start = at + 4 + used;
        (f32::from_le_bytes(rank), start, start + len as usize)
    }

    /// The position of the entry at `at`, and its bytes.
    fn peek(&self) -> (u32, usize) {
        let (value, used) = read_varint(&self.bytes[self.at..self.group_end]);
        (self.last.map_or(value, |last| last + value), used)
    }

    /// The next `wanted` matching ids, with the word's rank in each (fewer at the end).
    pub fn take(&mut self, wanted: usize) -> Vec<(Uuid, f32)> {
        let mut ids = Vec::with_capacity(wanted);
        while ids.len() < wanted && self.at < self.bytes.len() {
            if self.at >= self.group_end {
                let (rank, start, end) = self.header(self.at);
                self.at = start;
                self.group_end = end;
                self.last = None;
                self.rank = rank;
                continue;
            }
            let (position, used) = self.peek();
            self.at += used;
            self.last = Some(position);
            let ordinal = self.snapshot.ids.ordinals[position as usize] as usize;
            let doc = &self.snapshot.docs[ordinal];
            if self.range.contains(&ordinal)
                && self.source.is_none_or(|source| source == doc.source)
            {
                ids.push((doc.id, self.rank));
            }
        }
        ids
    }

    /// Whether every match has been taken.
    pub fn is_done(&self) -> bool {
        self.at >= self.bytes.len()
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use chrono::{DateTime, Utc};
    use proptest::prelude::*;
    use uuid::Uuid;

    use super::{Codes, RankCodes, RankedBounds};
    use crate::db::listing::{Position, SortKey};
    use crate::db::text_index::IndexRow;
    use crate::textindex::postings::{Postings, read_varint};
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
                found.extend(walk.take(chunk).into_iter().map(|(id, _)| id));
                if walk.is_done() {
                    break;
                }
            }
            prop_assert!(walk.is_done());
            prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn codes_outlive_block_and_page_boundaries_and_groups_come_out_sorted() {
        // Two words' codes interleaved, multi-byte codes among them, past one page of blocks.
        let mut codes = RankCodes::default();
        let mut words = [
            (Postings::default(), Codes::default()),
            (Postings::default(), Codes::default()),
        ];
        let rank = |ordinal: u32, word: usize| ((ordinal * 7 + word as u32) % 300) as f32;
        let n = 400_000u32;
        for ordinal in 0..n {
            for (word, (postings, word_codes)) in words.iter_mut().enumerate() {
                postings.push(ordinal);
                codes.push(word_codes, rank(ordinal, word));
            }
        }
        assert!(codes.pages.len() > 1, "{} pages", codes.pages.len());
        // Id order reverses list order.
        let positions: Vec<u32> = (0..n).map(|ordinal| n - 1 - ordinal).collect();

        for (word, (postings, word_codes)) in words.iter().enumerate() {
            let ranked = codes.groups(postings, *word_codes, &positions, &mut Default::default());
            let mut found = Vec::new();
            let mut at = 0;
            while at < ranked.len() {
                let group_rank =
                    f32::from_le_bytes(ranked[at..at + 4].try_into().expect("4 bytes"));
                let (len, used) = read_varint(&ranked[at + 4..]);
                let (mut entry, end) = (at + 4 + used, at + 4 + used + len as usize);
                let mut last = None;
                while entry < end {
                    let (value, used) = read_varint(&ranked[entry..end]);
                    let position = last.map_or(value, |last: u32| last + value);
                    found.push((group_rank, position));
                    last = Some(position);
                    entry += used;
                }
                at = end;
            }
            let mut expected: Vec<(f32, u32)> = (0..n)
                .map(|ordinal| (rank(ordinal, word), positions[ordinal as usize]))
                .collect();
            expected.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            assert!(found == expected, "word {word}: the groups differ");
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
            let taken = index.ranked("w", bounds).take(10);
            taken.into_iter().map(|(id, _)| id).collect::<Vec<_>>()
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
