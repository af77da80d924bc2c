//! Which entity each extracted entity of a batch is stored as: a stored one with its
//! (kind, match key), one it is linked to across articles, or a new one with a unique slug.

use std::collections::{HashMap, HashSet};

use newsgraph_extract::{Entity, EntityKind};
use sqlx::PgConnection;
use uuid::Uuid;

use super::Prepared;
use crate::db::{curation_rules, entities, entity_merges};
use crate::ingest::linking::{self, Identity};
use crate::names;

/// The entity ids of a batch: by identity, and where an article's entity was linked
/// elsewhere ([`crate::ingest::linking`]), by article and identity.
#[derive(Debug, Default)]
pub(super) struct EntityIds {
    by_identity: HashMap<Identity, Uuid>,
    linked: HashMap<(usize, Identity), Uuid>,
}

impl EntityIds {
    /// The entity that article `article`'s entity `identity` is stored as.
    pub(super) fn of(&self, article: usize, identity: &Identity) -> Uuid {
        // Identities are cloned for the lookup only when some entity of the batch was linked.
        if !self.linked.is_empty()
            && let Some(id) = self.linked.get(&(article, identity.clone()))
        {
            return *id;
        }
        self.by_identity[identity]
    }

    /// Every entity id of the batch, without repeats.
    pub(super) fn all(&self) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .by_identity
            .values()
            .chain(self.linked.values())
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Whether article `article`'s entity `identity` was linked to another entity.
    pub(super) fn is_linked(&self, article: usize, identity: &Identity) -> bool {
        !self.linked.is_empty() && self.linked.contains_key(&(article, identity.clone()))
    }
}

/// Maps every entity of the batch to an entity id: stored ones by (kind, key), partly named
/// ones linked across articles (see [`crate::ingest::linking`]), the rest created.
/// Returns the ids, the entities that absorbed merged ones, and how many were created.
pub(super) async fn resolve_entities(
    conn: &mut PgConnection,
    batch: &[Prepared],
    article_ids: &[Uuid],
) -> sqlx::Result<(EntityIds, Vec<Uuid>, u64)> {
    // The first canonical name seen in the batch names a new entity.
    let mut wanted: HashMap<Identity, &Entity> = HashMap::new();
    for prepared in batch {
        for entity in &prepared.extraction.entities {
            wanted
                .entry((entity.kind, entity.key.clone()))
                .or_insert(entity);
        }
    }
    let (kinds, keys): (Vec<EntityKind>, Vec<String>) = wanted
        .keys()
        .map(|(kind, key)| (*kind, key.clone()))
        .unzip();
    let mut ids = EntityIds::default();
    for row in entities::find_by_keys(conn, &kinds, &keys).await? {
        ids.by_identity.insert((row.kind, row.match_key), row.id);
    }
    write_known(conn, &wanted, &ids.by_identity).await?;
    // A curator's merge or type change outranks whatever holds the key now. After
    // `write_known`: what the knowledge base knows of a merged name ("New York City") is not
    // the survivor's.
    for rule in curation_rules::key_rules(conn, &kinds, &keys).await? {
        ids.by_identity
            .insert((rule.kind, rule.match_key), rule.entity_id);
    }
    let articles: Vec<Vec<&Entity>> = batch
        .iter()
        .map(|prepared| prepared.extraction.entities.iter().collect())
        .collect();
    let plan = linking::plan(conn, articles, article_ids, &ids.by_identity).await?;
    // An identity linked in every article that names it needs no entity of its own.
    let mut unlinked: HashSet<&Identity> = HashSet::new();
    for (a, prepared) in batch.iter().enumerate() {
        for entity in &prepared.extraction.entities {
            let identity = (entity.kind, entity.key.clone());
            if !plan.links.contains_key(&(a, identity)) {
                unlinked.insert(
                    wanted
                        .get_key_value(&(entity.kind, entity.key.clone()))
                        .expect("wanted")
                        .0,
                );
            }
        }
    }
    // A link target is created even where it is itself linked elsewhere ("Kent" joined to
    // "Kent County Cricket Club" in one article, while another article's lone person "Kent"
    // was linked to the organization "Kent").
    for target in plan.links.values() {
        if let linking::Target::New(identity) = target {
            unlinked.insert(
                wanted
                    .get_key_value(identity)
                    .expect("link targets are of the batch")
                    .0,
            );
        }
    }
    let mut missing: Vec<(Identity, &Entity)> = wanted
        .iter()
        .filter(|(identity, _)| {
            !ids.by_identity.contains_key(*identity) && unlinked.contains(identity)
        })
        .map(|(identity, entity)| (identity.clone(), *entity))
        .collect();
    // A stable order, so that slug allocation does not depend on hash order.
    missing.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    let created = create_entities(conn, &missing, &mut ids.by_identity).await?;
    for (occurrence, target) in plan.links {
        let id = match target {
            linking::Target::Stored(id) => id,
            linking::Target::New(identity) => ids.by_identity[&identity],
        };
        ids.linked.insert(occurrence, id);
    }
    // A lone name a curator named, typed or made is theirs: no full name absorbs it.
    let lone: Vec<Uuid> = plan.merges.iter().map(|(id, _)| *id).collect();
    let curated: HashSet<Uuid> = if lone.is_empty() {
        HashSet::new()
    } else {
        curation_rules::curated_among(conn, &lone)
            .await?
            .into_iter()
            .collect()
    };
    let mut merged_into = Vec::with_capacity(plan.merges.len());
    for (lone_id, identity) in plan.merges.iter().filter(|(id, _)| !curated.contains(id)) {
        let into = ids.by_identity[identity];
        entity_merges::merge_into(conn, *lone_id, into).await?;
        // The batch may name the merged entity too: it now means the survivor.
        for id in ids
            .by_identity
            .values_mut()
            .chain(ids.linked.values_mut())
            .filter(|id| **id == *lone_id)
        {
            *id = into;
        }
        merged_into.push(into);
    }
    Ok((ids, merged_into, created))
}

/// Gives stored entities what the knowledge base now knows of them (a Wikidata id, a map
/// point), when it differs from what they carry.
async fn write_known(
    conn: &mut PgConnection,
    wanted: &HashMap<Identity, &Entity>,
    stored: &HashMap<Identity, Uuid>,
) -> sqlx::Result<()> {
    let mut found: Vec<(Uuid, &newsgraph_extract::Known)> = wanted
        .iter()
        .filter_map(|(identity, entity)| Some((*stored.get(identity)?, entity.known.as_ref()?)))
        .collect();
    // The same lock order in every transaction.
    found.sort_unstable_by_key(|(id, _)| *id);
    let mut known = entities::KnownColumns::default();
    for (id, k) in found {
        known.ids.push(id);
        known.wikidata_ids.push(k.wikidata_id.clone());
        known.geonames_ids.push(k.geonames_id);
        known.latitudes.push(k.coordinates.map(|c| c.0));
        known.longitudes.push(k.coordinates.map(|c| c.1));
    }
    entities::set_known(conn, &known).await?;
    Ok(())
}

async fn create_entities(
    conn: &mut PgConnection,
    missing: &[(Identity, &Entity)],
    ids: &mut HashMap<Identity, Uuid>,
) -> sqlx::Result<u64> {
    if missing.is_empty() {
        return Ok(0);
    }
    let candidates: Vec<[String; 3]> = missing
        .iter()
        .map(|((kind, key), entity)| names::slug_candidates(*kind, &entity.canonical, key))
        .collect();
    let all: Vec<String> = candidates.iter().flatten().cloned().collect();
    let mut taken = entities::taken_slugs(conn, &all).await?;
    let mut new = entities::NewEntities::default();
    for (((kind, key), entity), candidates) in missing.iter().zip(candidates) {
        let slug = allocate_slug(&candidates, &mut taken);
        let id = Uuid::now_v7();
        new.ids.push(id);
        new.kinds.push(*kind);
        new.names.push(entity.canonical.clone());
        new.slugs.push(slug);
        new.keys.push(key.clone());
        let known = entity.known.as_ref();
        let point = known.and_then(|k| k.coordinates);
        new.latitudes.push(point.map(|p| p.0));
        new.longitudes.push(point.map(|p| p.1));
        new.geonames_ids.push(known.and_then(|k| k.geonames_id));
        new.wikidata_ids
            .push(known.and_then(|k| k.wikidata_id.clone()));
        ids.insert((*kind, key.clone()), id);
    }
    entities::insert(conn, &new).await
}

/// The first free candidate; numbered variants of the last one if all are taken.
fn allocate_slug(candidates: &[String; 3], taken: &mut HashSet<String>) -> String {
    let free = candidates
        .iter()
        .find(|slug| !taken.contains(*slug))
        .cloned();
    let slug = free.unwrap_or_else(|| {
        (2u64..)
            .map(|n| format!("{}-{n}", candidates[2]))
            .find(|slug| !taken.contains(slug))
            .expect("an unbounded sequence has a free slug")
    });
    taken.insert(slug.clone());
    slug
}
