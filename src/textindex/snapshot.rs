//! One build of the full-text index: the articles in list order, each lexeme's posting
//! list, and the walk that finds a query's matches from a position on; each lexeme's
//! articles in relevance order are [`ranked`]'s.
//!
//! Over 400 lines with its tests: the second half checks every walk against a brute-force
//! filter of the same articles (proptest), which needs the private layout.

use std::collections::HashMap;
use std::ops::Range;

use chrono::{DateTime, Utc};
use uuid::Uuid;

mod ranked;
mod select;

use ranked::{Codes, IdOrder, RankCodes, Ranked};
pub use ranked::{RankedBounds, RankedWalk};
pub use select::{Selected, Selection, Single};

use super::facts::{Facts, FactsBuilder};
use super::memo::Memo;
use super::postings::Postings;
use super::query::Query;
use super::rank;
use crate::db::article_search::ArticleSort;
use crate::db::listing::{Position, SortKey};
use crate::db::text_index::IndexRow;

/// One article: its sort key (publication time in microseconds, `i64::MIN` undated), id
/// and source.
#[derive(Debug, Clone, Copy)]
struct Doc {
    key: i64,
    id: Uuid,
    source: i32,
}

impl Doc {
    /// List order is descending `(key, id)`.
    fn sort_key(&self) -> (i64, Uuid) {
        (self.key, self.id)
    }
}

/// One word's articles: in list order, and in relevance order.
#[derive(Debug, Default)]
struct Term {
    postings: Postings,
    ranked: Ranked,
    /// Where the word's rank codes were while the snapshot was built (kept in the same map,
    /// filled in place, so that the map is not built twice: at 240,000 articles it takes
    /// about 10 MB).
    codes: Codes,
}

impl Term {
    fn heap_bytes(&self) -> usize {
        self.postings.heap_bytes() + self.ranked.len()
    }
}

/// One build of the index.
#[derive(Debug, Default)]
pub struct Snapshot {
    docs: Vec<Doc>,
    ids: IdOrder,
    terms: HashMap<Box<str>, Term>,
    sources: HashMap<String, i32>,
    facts: Facts,
    memo: Memo,
}

impl Snapshot {
    /// Articles indexed.
    pub fn len(&self) -> usize {
        self.docs.len()
    }

    /// Whether no article is indexed.
    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    /// Distinct lexemes indexed.
    pub fn lexemes(&self) -> usize {
        self.terms.len()
    }

    /// The id of the source with this domain, if it has articles here.
    pub fn source_id(&self, domain: &str) -> Option<i32> {
        self.sources.get(domain).copied()
    }

    /// A walk over the matches of `query` within `bounds`.
    pub fn walk<'a>(&'a self, query: &Query, bounds: Bounds<'_>) -> Walk<'a> {
        let range = self.date_range(bounds.from, bounds.to);
        let next = self.start(&range, bounds.sort, bounds.after);
        Walk {
            snapshot: self,
            node: self.compile(query),
            range,
            forward: bounds.sort != ArticleSort::Oldest,
            source: bounds.source,
            next,
        }
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        let terms: usize = self
            .terms
            .iter()
            .map(|(word, term)| word.len() + term.heap_bytes() + 64)
            .sum();
        terms
            + self.docs.capacity() * std::mem::size_of::<Doc>()
            + self.ids.heap_bytes()
            + self.facts.heap_bytes()
    }

    /// The entities of the articles, and the articles of the entities.
    pub fn facts(&self) -> &Facts {
        &self.facts
    }

    /// What was computed from this snapshot and kept with it.
    pub fn memo(&self) -> &Memo {
        &self.memo
    }

    /// The ordinals whose publication date is within `from..to` (undated articles only when
    /// neither is given).
    fn date_range(&self, from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Range<usize> {
        let start = to.map_or(0, |to| {
            let to = to.timestamp_micros();
            self.docs.partition_point(|doc| doc.key >= to)
        });
        let mut end = from.map_or(self.docs.len(), |from| {
            let from = from.timestamp_micros();
            self.docs.partition_point(|doc| doc.key >= from)
        });
        if from.is_some() || to.is_some() {
            end = end.min(self.docs.partition_point(|doc| doc.key != i64::MIN));
        }
        start..end.max(start)
    }

    /// The first ordinal to examine, walking `range` in `sort` order after `after`.
    fn start(
        &self,
        range: &Range<usize>,
        sort: ArticleSort,
        after: Option<&Position>,
    ) -> Option<u32> {
        let cursor = match after.map(|position| (&position.key, position.id)) {
            Some((SortKey::Date(date), id)) => {
                Some((date.map_or(i64::MIN, |date| date.timestamp_micros()), id))
            }
            _ => None,
        };
        let (start, end) = match (sort, cursor) {
            (ArticleSort::Oldest, Some(cursor)) => {
                let end = self.docs.partition_point(|doc| doc.sort_key() > cursor);
                (range.start, end.min(range.end))
            }
            (_, Some(cursor)) => {
                let start = self.docs.partition_point(|doc| doc.sort_key() >= cursor);
                (start.max(range.start), range.end)
            }
            (_, None) => (range.start, range.end),
        };
        if start >= end {
            return None;
        }
        let at = if sort == ArticleSort::Oldest {
            end - 1
        } else {
            start
        };
        u32::try_from(at).ok()
    }

    fn compile<'a>(&'a self, query: &Query) -> Node<'a> {
        match query {
            Query::Term(term) => {
                Node::Term(self.terms.get(term.as_str()).map(|term| &term.postings))
            }
            Query::And(parts) => Node::And(parts.iter().map(|part| self.compile(part)).collect()),
            Query::Or(parts) => Node::Or(parts.iter().map(|part| self.compile(part)).collect()),
            Query::Not(part) => Node::Not(Box::new(self.compile(part))),
        }
    }
}

/// A query over one snapshot's posting lists.
enum Node<'a> {
    Term(Option<&'a Postings>),
    And(Vec<Node<'a>>),
    Or(Vec<Node<'a>>),
    Not(Box<Node<'a>>),
}

impl Node<'_> {
    /// The first matching ordinal from `from` on (forward: at or after; else at or before),
    /// among `0..len`.
    fn seek(&self, from: u32, forward: bool, len: u32) -> Option<u32> {
        match self {
            Node::Term(postings) => {
                let postings = (*postings)?;
                if forward {
                    postings.next_at_or_after(from)
                } else {
                    postings.prev_at_or_before(from)
                }
            }
            Node::Or(parts) => {
                let found = parts
                    .iter()
                    .filter_map(|part| part.seek(from, forward, len));
                if forward { found.min() } else { found.max() }
            }
            Node::And(parts) => {
                let mut candidate = from;
                'agree: loop {
                    for part in parts {
                        let found = part.seek(candidate, forward, len)?;
                        if found != candidate {
                            candidate = found;
                            continue 'agree;
                        }
                    }
                    return Some(candidate);
                }
            }
            Node::Not(part) => {
                let mut candidate = from;
                loop {
                    if candidate >= len {
                        return None;
                    }
                    if part.seek(candidate, forward, len) != Some(candidate) {
                        return Some(candidate);
                    }
                    candidate = if forward {
                        candidate + 1
                    } else {
                        candidate.checked_sub(1)?
                    };
                }
            }
        }
    }
}

/// Where and how a walk goes.
#[derive(Debug, Clone, Copy)]
pub struct Bounds<'p> {
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
    /// Only articles of this source.
    pub source: Option<i32>,
    /// Newest or oldest first.
    pub sort: ArticleSort,
    /// Continue after this position.
    pub after: Option<&'p Position>,
}

/// A match of a walk: the article, and for a relevance walk the rank it was ordered by.
#[derive(Debug, Clone, Copy)]
pub struct Match {
    /// The article.
    pub id: Uuid,
    /// The query's rank in it, as this snapshot holds it.
    pub rank: Option<f32>,
}

/// The matches of a walk, taken a few at a time.
pub trait Matches {
    /// The next `wanted` matches (fewer at the end).
    fn take(&mut self, wanted: usize) -> Vec<Match>;
    /// Whether every match has been taken.
    fn is_done(&self) -> bool;
}

impl Matches for Walk<'_> {
    fn take(&mut self, wanted: usize) -> Vec<Match> {
        let ids = Walk::take(self, wanted);
        ids.into_iter().map(|id| Match { id, rank: None }).collect()
    }

    fn is_done(&self) -> bool {
        Walk::is_done(self)
    }
}

impl Matches for RankedWalk<'_> {
    fn take(&mut self, wanted: usize) -> Vec<Match> {
        let taken = RankedWalk::take(self, wanted);
        let matches = taken.into_iter();
        matches
            .map(|(id, rank)| Match {
                id,
                rank: Some(rank),
            })
            .collect()
    }

    fn is_done(&self) -> bool {
        RankedWalk::is_done(self)
    }
}

/// A walk over one query's matches in list order.
pub struct Walk<'a> {
    snapshot: &'a Snapshot,
    node: Node<'a>,
    range: Range<usize>,
    forward: bool,
    source: Option<i32>,
    next: Option<u32>,
}

impl Walk<'_> {
    /// The next `wanted` matching ids (fewer at the end).
    pub fn take(&mut self, wanted: usize) -> Vec<Uuid> {
        let len = u32::try_from(self.snapshot.docs.len()).unwrap_or(u32::MAX);
        let mut ids = Vec::with_capacity(wanted);
        while ids.len() < wanted {
            let Some(from) = self.next else { break };
            let found = self.node.seek(from, self.forward, len).filter(|found| {
                let at = *found as usize;
                at >= self.range.start && at < self.range.end
            });
            let Some(found) = found else {
                self.next = None;
                break;
            };
            self.next = if self.forward {
                found
                    .checked_add(1)
                    .filter(|next| (*next as usize) < self.range.end)
            } else {
                found
                    .checked_sub(1)
                    .filter(|next| (*next as usize) >= self.range.start)
            };
            let doc = self.snapshot.docs[found as usize];
            if self.source.is_none_or(|source| source == doc.source) {
                ids.push(doc.id);
            }
        }
        ids
    }

    /// Whether every match has been taken.
    pub fn is_done(&self) -> bool {
        self.next.is_none()
    }
}

/// Builds a snapshot from articles given in list order.
#[derive(Debug, Default)]
pub struct Builder {
    docs: Vec<Doc>,
    /// Each word's postings and where the codes of their ranks are.
    terms: HashMap<Box<str>, Term>,
    ranks: RankCodes,
    facts: FactsBuilder,
}

impl Builder {
    /// A builder whose articles name these entities.
    pub fn new(facts: FactsBuilder) -> Self {
        Self {
            facts,
            ..Self::default()
        }
    }

    /// Adds one article, the next in list order; an error names an article whose `search`
    /// vector is not in the form PostgreSQL prints.
    pub fn add(&mut self, row: IndexRow) -> Result<(), String> {
        let Some(lexemes) = rank::lexemes(&row.search) else {
            return Err(format!(
                "article {}: its search vector is not in the form PostgreSQL prints",
                row.id
            ));
        };
        let ordinal = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        self.docs.push(Doc {
            key: row
                .published_at
                .map_or(i64::MIN, |date| date.timestamp_micros()),
            id: row.id,
            source: row.source_id,
        });
        self.facts.add(ordinal, &row.entity_ids);
        for ranked in lexemes {
            let term = match self.terms.get_mut(ranked.lexeme.as_str()) {
                Some(term) => term,
                None => self
                    .terms
                    .entry(ranked.lexeme.into_boxed_str())
                    .or_default(),
            };
            let before = term.postings.len();
            term.postings.push(ordinal);
            if term.postings.len() > before {
                self.ranks.push(&mut term.codes, ranked.rank);
            }
        }
        Ok(())
    }

    /// The snapshot, with the sources' ids by domain.
    pub fn finish(mut self, sources: HashMap<String, i32>) -> Snapshot {
        self.docs.shrink_to_fit();
        let (ids, positions) = IdOrder::of(&self.docs);
        let mut scratch = Default::default();
        for term in self.terms.values_mut() {
            term.postings.shrink();
            term.ranked = self
                .ranks
                .groups(&term.postings, term.codes, &positions, &mut scratch);
        }
        drop(self.ranks);
        self.terms.shrink_to_fit();
        Snapshot {
            docs: self.docs,
            ids,
            terms: self.terms,
            sources,
            facts: self.facts.finish(),
            memo: Memo::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    use crate::domain::Named;

    const WORDS: [&str; 5] = ["a", "b", "c", "d", "e"];
    const DAY: i64 = 86_400_000_000;

    #[derive(Debug, Clone)]
    struct TestDoc {
        day: Option<i64>,
        id: Uuid,
        source: i32,
        words: Vec<&'static str>,
    }

    impl TestDoc {
        fn key(&self) -> (i64, Uuid) {
            (self.day.map_or(i64::MIN, |day| day * DAY), self.id)
        }
    }

    fn date(day: i64) -> DateTime<Utc> {
        DateTime::from_timestamp_micros(day * DAY).expect("a valid day")
    }

    fn doc() -> impl Strategy<Value = TestDoc> {
        (
            proptest::option::weighted(0.8, 0i64..12),
            any::<u128>(),
            1i32..3,
            proptest::collection::vec(proptest::sample::select(WORDS.to_vec()), 0..4),
        )
            .prop_map(|(day, id, source, words)| TestDoc {
                day,
                id: Uuid::from_u128(id),
                source,
                words,
            })
    }

    fn query() -> impl Strategy<Value = Query> {
        let leaf = proptest::sample::select(WORDS.to_vec()).prop_map(|w| Query::Term(w.into()));
        leaf.prop_recursive(3, 12, 3, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 2..4).prop_map(Query::And),
                proptest::collection::vec(inner.clone(), 2..4).prop_map(Query::Or),
                inner.prop_map(|q| Query::Not(Box::new(q))),
            ]
        })
    }

    fn matches(query: &Query, words: &[&str]) -> bool {
        match query {
            Query::Term(term) => words.contains(&term.as_str()),
            Query::And(parts) => parts.iter().all(|part| matches(part, words)),
            Query::Or(parts) => parts.iter().any(|part| matches(part, words)),
            Query::Not(part) => !matches(part, words),
        }
    }

    /// The text form of a tsvector of `words`, at positions 1, 2, ... (weight D).
    fn tsvector(words: &[&str]) -> String {
        let mut positions: std::collections::BTreeMap<&str, Vec<String>> = Default::default();
        for (at, word) in words.iter().enumerate() {
            positions
                .entry(word)
                .or_default()
                .push((at + 1).to_string());
        }
        positions
            .iter()
            .map(|(word, at)| format!("'{word}':{}", at.join(",")))
            .collect::<Vec<_>>()
            .join(" ")
    }

    fn snapshot(docs: &[TestDoc]) -> Snapshot {
        let mut builder = Builder::default();
        for doc in docs {
            builder
                .add(IndexRow {
                    id: doc.id,
                    published_at: doc.day.map(date),
                    source_id: doc.source,
                    search: tsvector(&doc.words),
                    entity_ids: Vec::new(),
                })
                .expect("a tsvector");
        }
        builder.finish(HashMap::new())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        #[test]
        fn a_walk_finds_what_filtering_and_sorting_every_article_finds(
            mut docs in proptest::collection::vec(doc(), 0..40),
            query in query(),
            from in proptest::option::of(0i64..12),
            to in proptest::option::of(0i64..13),
            source in proptest::option::of(1i32..3),
            oldest in any::<bool>(),
            cursor in proptest::option::of(any::<proptest::sample::Index>()),
            chunk in 1usize..5,
        ) {
            docs.sort_by_key(|doc| std::cmp::Reverse(doc.key()));
            docs.dedup_by_key(|doc| doc.id);
            let index = snapshot(&docs);
            let sort = if oldest { ArticleSort::Oldest } else { ArticleSort::Newest };
            let after = cursor.filter(|_| !docs.is_empty()).map(|i| {
                let doc = &docs[i.index(docs.len())];
                Position { sort: sort.as_str().to_owned(), key: SortKey::Date(doc.day.map(date)), id: doc.id }
            });

            let mut expected: Vec<&TestDoc> = docs
                .iter()
                .filter(|doc| matches(&query, &doc.words))
                .filter(|doc| source.is_none_or(|s| s == doc.source))
                .filter(|doc| match (from, to, doc.day) {
                    (None, None, _) => true,
                    (_, _, None) => false,
                    (from, to, Some(day)) => from.is_none_or(|f| day >= f) && to.is_none_or(|t| day < t),
                })
                .collect();
            if oldest {
                expected.reverse();
            }
            if let Some(after) = &after {
                let cursor = (match after.key { SortKey::Date(d) => d.map_or(i64::MIN, |d| d.timestamp_micros()), _ => unreachable!() }, after.id);
                expected.retain(|doc| if oldest { doc.key() > cursor } else { doc.key() < cursor });
            }
            let expected: Vec<Uuid> = expected.iter().map(|doc| doc.id).collect();

            let mut walk = index.walk(&query, Bounds {
                from: from.map(date),
                to: to.map(date),
                source,
                sort,
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
    fn an_unknown_word_matches_nothing_and_its_negation_everything() {
        let docs: Vec<TestDoc> = (0..5)
            .map(|i| TestDoc {
                day: Some(10 - i),
                id: Uuid::from_u128(i as u128 + 1),
                source: 1,
                words: vec!["a"],
            })
            .collect();
        let index = snapshot(&docs);
        let bounds = Bounds {
            from: None,
            to: None,
            source: None,
            sort: ArticleSort::Newest,
            after: None,
        };
        let unknown = Query::Term("zzz".into());
        assert!(index.walk(&unknown, bounds).take(10).is_empty());
        let all = index.walk(&Query::Not(Box::new(unknown)), bounds).take(10);
        assert_eq!(all, docs.iter().map(|doc| doc.id).collect::<Vec<_>>());
    }
}
