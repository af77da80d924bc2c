//! Counting the matched articles: per time bucket, per entity, source and type, and the
//! co-mention network of the most named entities. Each count is one pass over the matches.

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use uuid::Uuid;

use super::Matched;
use crate::domain::EntityKind;
use crate::textindex::facts::{EntityFacts, kind_bit};

/// Matches per bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Buckets {
    /// Matches in each bucket (between consecutive bounds).
    pub counts: Vec<i64>,
    /// Matches with no publication date (on no timeline).
    pub undated: i64,
}

/// The matches in each bucket between consecutive `bounds` (microseconds, ascending); dated
/// matches outside them are not counted.
pub fn buckets(matched: &Matched, bounds: &[i64]) -> Buckets {
    let mut counts = vec![0; bounds.len().saturating_sub(1)];
    let mut undated = 0;
    matched.for_each(|key, _, _, _| {
        if key == i64::MIN {
            undated += 1;
            return;
        }
        let after = bounds.partition_point(|bound| *bound <= key);
        if let Some(count) = after.checked_sub(1).and_then(|i| counts.get_mut(i)) {
            *count += 1;
        }
    });
    Buckets { counts, undated }
}

/// The most entries a facet may have.
pub const MAX_FACETS: usize = 100;

/// The facets of the matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FacetCounts {
    /// The most named entities of each type, in [`EntityKind::ALL`] order (see [`top`]).
    pub top: [Vec<Counted>; 3],
    /// The sources with most matches (see [`source_counts`]).
    pub sources: Vec<(i32, u32)>,
    /// Matches naming each type (see [`kind_counts`]).
    pub kinds: [u32; 3],
}

/// The facets of the matches, `limit` entries each.
pub fn facets(matched: &Matched, limit: usize) -> FacetCounts {
    let counted = entity_counts(matched);
    let top = EntityKind::ALL.map(|kind| top(matched, &counted, limit, |facts| facts.kind == kind));
    let mut sources = source_counts(matched);
    sources.truncate(limit);
    FacetCounts {
        top,
        sources,
        kinds: kind_counts(matched),
    }
}

/// An entity and the matches naming it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counted {
    /// Its ordinal.
    pub ordinal: u32,
    /// Matches naming it.
    pub count: u32,
}

thread_local! {
    /// Per-entity counters, kept between requests by each worker thread (all zero between
    /// uses): allocating a counter per entity for every request cost more than the counting.
    static COUNTERS: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Every entity named by some match, with its number of matches (in no order).
pub fn entity_counts(matched: &Matched) -> Vec<Counted> {
    COUNTERS.with_borrow_mut(|counts| {
        if counts.len() < matched.entity_count() {
            counts.resize(matched.entity_count(), 0);
        }
        let mut named = Vec::new();
        matched.for_each(|_, _, _, entities| {
            for ordinal in entities {
                let count = &mut counts[*ordinal as usize];
                if *count == 0 {
                    named.push(*ordinal);
                }
                *count += 1;
            }
        });
        named
            .into_iter()
            .map(|ordinal| {
                let count = std::mem::take(&mut counts[ordinal as usize]);
                Counted { ordinal, count }
            })
            .collect()
    })
}

/// The `limit` most counted of `counted` whose facts pass `keep`, most first, ties by id.
pub fn top(
    matched: &Matched,
    counted: &[Counted],
    limit: usize,
    keep: impl Fn(&EntityFacts) -> bool,
) -> Vec<Counted> {
    // The best `limit` so far, the worst on top.
    let mut best: BinaryHeap<Reverse<(u32, Reverse<Uuid>, u32)>> = BinaryHeap::new();
    for counted in counted {
        if best.len() == limit
            && best
                .peek()
                .is_some_and(|Reverse((worst, _, _))| counted.count < *worst)
        {
            continue;
        }
        let facts = matched.entity(counted.ordinal);
        if !keep(facts) {
            continue;
        }
        best.push(Reverse((counted.count, Reverse(facts.id), counted.ordinal)));
        if best.len() > limit {
            best.pop();
        }
    }
    best.into_sorted_vec()
        .into_iter()
        .map(|Reverse((count, _, ordinal))| Counted { ordinal, count })
        .collect()
}

/// Matches per source id, most first, ties by id.
pub fn source_counts(matched: &Matched) -> Vec<(i32, u32)> {
    let mut counts: HashMap<i32, u32> = HashMap::new();
    matched.for_each(|_, source, _, _| *counts.entry(source).or_default() += 1);
    let mut counts: Vec<(i32, u32)> = counts.into_iter().collect();
    counts.sort_unstable_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    counts
}

/// Matches naming at least one entity of each type, in [`EntityKind::ALL`] order.
pub fn kind_counts(matched: &Matched) -> [u32; 3] {
    let mut counts = [0; 3];
    matched.for_each(|_, _, kinds, _| {
        for (count, kind) in counts.iter_mut().zip(EntityKind::ALL) {
            *count += u32::from(kinds & kind_bit(kind) != 0);
        }
    });
    counts
}

/// The co-mention network of some entities over the matches.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    /// The entities, as given.
    pub nodes: Vec<Node>,
    /// The pairs named together by at least one match.
    pub edges: Vec<Edge>,
    /// How many articles matched.
    pub articles: usize,
}

/// One entity of a network.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its ordinal and matches.
    pub counted: Counted,
    /// The buckets in which a match names it, ascending (with bounds).
    pub slices: Vec<usize>,
}

/// Two entities named together.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Index of one in [`Network::nodes`].
    pub source: usize,
    /// Index of the other (greater than `source`).
    pub target: usize,
    /// Matches naming both.
    pub count: u32,
    /// Pointwise mutual information over the matches: ln(count · articles / (n_source ·
    /// n_target)).
    pub pmi: f64,
    /// The buckets in which a match names both, ascending (with bounds).
    pub slices: Vec<usize>,
}

/// The network of `nodes` over the matches; with `bounds`, the buckets each node and edge
/// appears in (for time slices).
pub fn network(matched: &Matched, nodes: &[Counted], bounds: Option<&[i64]>) -> Network {
    let index: HashMap<u32, usize> = nodes
        .iter()
        .enumerate()
        .map(|(i, counted)| (counted.ordinal, i))
        .collect();
    let mut node_slices: Vec<Vec<usize>> = vec![Vec::new(); nodes.len()];
    let mut pairs: HashMap<(usize, usize), (u32, Vec<usize>)> = HashMap::new();
    let mut present = Vec::new();
    matched.for_each(|key, _, _, entities| {
        present.clear();
        present.extend(
            entities
                .iter()
                .filter_map(|ordinal| index.get(ordinal).copied()),
        );
        present.sort_unstable();
        let bucket = bounds.and_then(|bounds| {
            (key != i64::MIN)
                .then(|| bounds.partition_point(|bound| *bound <= key))
                .and_then(|after| after.checked_sub(1))
                .filter(|i| *i + 1 < bounds.len())
        });
        // Matches come in list order, so a bucket repeats only right after itself: each list
        // holds a bucket once, and at most as many as there are buckets.
        for (n, a) in present.iter().enumerate() {
            if let Some(bucket) = bucket {
                push_new(&mut node_slices[*a], bucket);
            }
            for b in &present[n + 1..] {
                let pair = pairs.entry((*a, *b)).or_default();
                pair.0 += 1;
                if let Some(bucket) = bucket {
                    push_new(&mut pair.1, bucket);
                }
            }
        }
    });
    let articles = matched.len();
    let mut edges: Vec<Edge> = pairs
        .into_iter()
        .map(|((source, target), (count, slices))| {
            let expected = f64::from(nodes[source].count) * f64::from(nodes[target].count);
            Edge {
                source,
                target,
                count,
                pmi: (f64::from(count) * articles as f64 / expected).ln(),
                slices: distinct(slices),
            }
        })
        .collect();
    edges.sort_unstable_by_key(|edge| (edge.source, edge.target));
    Network {
        nodes: nodes
            .iter()
            .zip(node_slices)
            .map(|(counted, slices)| Node {
                counted: *counted,
                slices: distinct(slices),
            })
            .collect(),
        edges,
        articles,
    }
}

fn push_new(slices: &mut Vec<usize>, bucket: usize) {
    if slices.last() != Some(&bucket) {
        slices.push(bucket);
    }
}

fn distinct(mut values: Vec<usize>) -> Vec<usize> {
    values.sort_unstable();
    values.dedup();
    values
}
