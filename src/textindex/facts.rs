//! What a snapshot holds about each article besides its words: the entities it names, and
//! each entity's articles as a posting list, so that timelines, facets, maps and networks of
//! any article filter are counted in memory instead of joining `article_entities` per
//! request. Entities are numbered by the snapshot (their ordinals) and described by
//! [`EntityFacts`]; names and slugs are read from the database for the few that are shown.

use std::collections::HashMap;

use uuid::Uuid;

use super::postings::Postings;
use crate::domain::EntityKind;

/// One entity as a snapshot holds it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EntityFacts {
    /// Id.
    pub id: Uuid,
    /// Type.
    pub kind: EntityKind,
    /// Latitude and longitude, for places that have them.
    pub point: Option<(f64, f64)>,
}

/// The bit of `kind` in an article's kind mask.
pub fn kind_bit(kind: EntityKind) -> u8 {
    match kind {
        EntityKind::Person => 1,
        EntityKind::Place => 2,
        EntityKind::Organization => 4,
    }
}

/// The entities of every article of one snapshot, and the articles of every entity.
#[derive(Debug, Default)]
pub struct Facts {
    entities: Vec<EntityFacts>,
    by_id: HashMap<Uuid, u32>,
    /// Article `n`'s entity ordinals are `doc_entities[doc_offsets[n]..doc_offsets[n + 1]]`.
    doc_offsets: Vec<u32>,
    doc_entities: Vec<u32>,
    /// The types article `n` names, as [`kind_bit`]s.
    doc_kinds: Vec<u8>,
    entity_docs: Vec<Postings>,
}

impl Facts {
    /// The entity with this ordinal.
    pub fn entity(&self, ordinal: u32) -> &EntityFacts {
        &self.entities[ordinal as usize]
    }

    /// How many entities are numbered.
    pub fn entity_count(&self) -> usize {
        self.entities.len()
    }

    /// The ordinal of the entity with this id, if any article names it.
    pub fn ordinal(&self, id: Uuid) -> Option<u32> {
        self.by_id.get(&id).copied()
    }

    /// The entity ordinals of article `doc`.
    pub fn of_doc(&self, doc: u32) -> &[u32] {
        let doc = doc as usize;
        match (self.doc_offsets.get(doc), self.doc_offsets.get(doc + 1)) {
            (Some(start), Some(end)) => &self.doc_entities[*start as usize..*end as usize],
            _ => &[],
        }
    }

    /// The [`kind_bit`]s of the types article `doc` names.
    pub fn kinds_of(&self, doc: u32) -> u8 {
        self.doc_kinds.get(doc as usize).copied().unwrap_or(0)
    }

    /// The articles naming entity `ordinal`.
    pub fn docs_of(&self, ordinal: u32) -> &Postings {
        &self.entity_docs[ordinal as usize]
    }

    /// Approximate heap bytes held.
    pub fn heap_bytes(&self) -> usize {
        self.entities.capacity() * std::mem::size_of::<EntityFacts>()
            + self.by_id.capacity() * (std::mem::size_of::<(Uuid, u32)>() + 8)
            + (self.doc_offsets.capacity() + self.doc_entities.capacity()) * 4
            + self.doc_kinds.capacity()
            + self
                .entity_docs
                .iter()
                .map(|postings| postings.heap_bytes() + std::mem::size_of::<Postings>())
                .sum::<usize>()
    }
}

/// Builds [`Facts`] from articles given in list order.
#[derive(Debug, Default)]
pub struct FactsBuilder {
    facts: Facts,
}

impl FactsBuilder {
    /// A builder numbering these entities.
    pub fn new(entities: Vec<EntityFacts>) -> Self {
        let by_id = entities
            .iter()
            .enumerate()
            .map(|(ordinal, entity)| (entity.id, ordinal as u32))
            .collect();
        let entity_docs = vec![Postings::default(); entities.len()];
        Self {
            facts: Facts {
                entities,
                by_id,
                doc_offsets: vec![0],
                doc_entities: Vec::new(),
                doc_kinds: Vec::new(),
                entity_docs,
            },
        }
    }

    /// Adds article `doc` (the next ordinal) naming `ids`; ids not numbered are skipped.
    pub fn add(&mut self, doc: u32, ids: &[Uuid]) {
        let facts = &mut self.facts;
        let mut kinds = 0;
        let start = facts.doc_entities.len();
        for id in ids {
            if let Some(ordinal) = facts.by_id.get(id).copied() {
                facts.doc_entities.push(ordinal);
                facts.entity_docs[ordinal as usize].push(doc);
                kinds |= kind_bit(facts.entities[ordinal as usize].kind);
            }
        }
        facts.doc_entities[start..].sort_unstable();
        facts.doc_kinds.push(kinds);
        facts
            .doc_offsets
            .push(u32::try_from(facts.doc_entities.len()).unwrap_or(u32::MAX));
    }

    /// The facts.
    pub fn finish(mut self) -> Facts {
        let facts = &mut self.facts;
        for postings in &mut facts.entity_docs {
            postings.shrink();
        }
        facts.doc_entities.shrink_to_fit();
        facts.doc_offsets.shrink_to_fit();
        facts.doc_kinds.shrink_to_fit();
        self.facts
    }
}
