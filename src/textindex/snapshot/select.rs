//! Which articles of a snapshot match an article filter, as ordinals in list order (newest
//! first): the set a timeline, facets, a map or a network counts. The smallest posting list
//! among the entities leads, else the query's, else the date range; the rest is tested per
//! candidate.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{Node, Snapshot};
use crate::domain::EntityKind;
use crate::textindex::facts::kind_bit;
use crate::textindex::postings::Postings;
use crate::textindex::query::Query;

/// An article filter, in the snapshot's terms.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// Words that must match.
    pub query: Option<&'a Query>,
    /// Entities that must all be named.
    pub entities: &'a [Uuid],
    /// A type some entity of the article must have.
    pub kind: Option<EntityKind>,
    /// Published at or after.
    pub from: Option<DateTime<Utc>>,
    /// Published before.
    pub to: Option<DateTime<Utc>>,
    /// Only this source.
    pub source: Option<i32>,
}

/// A selection that is one entity or one word and nothing else: its matches are exactly one
/// posting list, so what is counted of them can be kept for the snapshot's life (a rollup).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Single {
    /// The articles naming the entity with this ordinal.
    Entity(u32),
    /// The articles holding this lexeme.
    Term(Box<str>),
}

/// The matches of a selection: as ordinals, or as one posting list not yet read.
#[derive(Debug)]
pub enum Selected {
    /// The ordinals, ascending.
    Docs(Vec<u32>),
    /// A posting list's.
    Single(Single),
}

impl Snapshot {
    /// The single posting list `selection` stands for, if it is one entity or one word
    /// that some article holds, with no other condition.
    pub fn single(&self, selection: &Selection<'_>) -> Option<Single> {
        if selection.kind.is_some()
            || selection.from.is_some()
            || selection.to.is_some()
            || selection.source.is_some()
        {
            return None;
        }
        match (selection.entities, selection.query) {
            ([id], None) => self.facts.ordinal(*id).map(Single::Entity),
            ([], Some(Query::Term(term))) => self
                .terms
                .contains_key(term.as_str())
                .then(|| Single::Term(term.as_str().into())),
            _ => None,
        }
    }

    /// The posting list of `single` (empty for a word no article holds).
    pub fn postings_of(&self, single: &Single) -> &Postings {
        static EMPTY: Postings = Postings::EMPTY;
        match single {
            Single::Entity(ordinal) => self.facts.docs_of(*ordinal),
            Single::Term(term) => self.terms.get(term).map_or(&EMPTY, |term| &term.postings),
        }
    }

    /// The ordinals of the articles matching `selection`, ascending (newest first).
    pub fn select(&self, selection: &Selection<'_>) -> Vec<u32> {
        let range = self.date_range(selection.from, selection.to);
        let facts = &self.facts;
        let mut postings = Vec::with_capacity(selection.entities.len());
        for id in selection.entities {
            match facts.ordinal(*id) {
                Some(ordinal) => postings.push(facts.docs_of(ordinal)),
                // No article names it.
                None => return Vec::new(),
            }
        }
        postings.sort_by_key(|postings| postings.len());
        let node = selection.query.map(|query| self.compile(query));
        let len = u32::try_from(self.docs.len()).unwrap_or(u32::MAX);
        let kind = selection.kind.map(kind_bit);
        let accept = |doc: u32, tested: &Option<Node<'_>>| {
            selection
                .source
                .is_none_or(|source| self.docs[doc as usize].source == source)
                && kind.is_none_or(|bit| facts.kinds_of(doc) & bit != 0)
                && postings.iter().skip(1).all(|other| other.contains(doc))
                && tested
                    .as_ref()
                    .is_none_or(|node| node.seek(doc, true, len) == Some(doc))
        };
        let (start, end) = (range.start as u32, range.end as u32);
        let mut found = Vec::new();
        if let Some(first) = postings.first() {
            for doc in first.iter().skip_while(|doc| *doc < start) {
                if doc >= end {
                    break;
                }
                if accept(doc, &node) {
                    found.push(doc);
                }
            }
        } else if let Some(walked) = &node {
            let mut from = start;
            while from < end {
                let Some(doc) = walked.seek(from, true, len).filter(|doc| *doc < end) else {
                    break;
                };
                if accept(doc, &None) {
                    found.push(doc);
                }
                from = doc + 1;
            }
        } else {
            found.extend((start..end).filter(|doc| accept(*doc, &None)));
        }
        found
    }

    /// The publication time of article `doc` in microseconds (`i64::MIN` when undated).
    pub fn key_of(&self, doc: u32) -> i64 {
        self.docs[doc as usize].key
    }

    /// The source id of article `doc`.
    pub fn source_of(&self, doc: u32) -> i32 {
        self.docs[doc as usize].source
    }

    /// How many articles were published in `from..to` (microseconds).
    pub fn count_between(&self, from: i64, to: i64) -> usize {
        let newest = self.docs.partition_point(|doc| doc.key >= to);
        let oldest = self.docs.partition_point(|doc| doc.key >= from);
        oldest.saturating_sub(newest)
    }
}
