//! Curation rules applied to a batch as it is stored, so that what curators decided holds for
//! every later import, re-extraction and `resolve`: suppressed names are dropped before
//! entities are resolved, and after it, split mentions go to their chosen entity and removed
//! aliases stay removed. (Merged identities are looked up with the stored keys, in
//! `identities`.) The rules are read from [`crate::db::curation_rules`].

use std::collections::{HashMap, HashSet};

use newsgraph_extract::{EntityKind, Extraction, Field};
use sqlx::PgConnection;
use uuid::Uuid;

use super::Prepared;
use crate::db::curation_rules;
use crate::names;

/// The batch without the entities and mentions whose names are suppressed; `None` when no
/// name of the batch is (the common case, which copies nothing).
pub(super) async fn without_suppressed(
    conn: &mut PgConnection,
    batch: &[Prepared],
) -> sqlx::Result<Option<Vec<Prepared>>> {
    let suppressed = curation_rules::suppressions(conn).await?;
    if suppressed.is_empty() {
        return Ok(None);
    }
    let suppressed = Suppressed::new(suppressed);
    if !batch
        .iter()
        .any(|prepared| suppressed.touches(&prepared.extraction))
    {
        return Ok(None);
    }
    Ok(Some(
        batch
            .iter()
            .map(|prepared| Prepared {
                extraction: suppressed.apply(&prepared.extraction),
                ..prepared.clone()
            })
            .collect(),
    ))
}

/// Suppressed names by folded form: the kinds each applies to (empty: every kind).
struct Suppressed(HashMap<String, Vec<EntityKind>>);

impl Suppressed {
    fn new(rows: Vec<(String, Option<EntityKind>)>) -> Self {
        let mut by_norm: HashMap<String, Vec<EntityKind>> = HashMap::new();
        for (norm, kind) in rows {
            let kinds = by_norm.entry(norm).or_default();
            match kind {
                Some(kind) => kinds.push(kind),
                None => kinds.extend(EntityKind::ALL),
            }
        }
        Self(by_norm)
    }

    fn is_suppressed(&self, kind: EntityKind, name: &str) -> bool {
        self.0
            .get(&names::search_norm(name))
            .is_some_and(|kinds| kinds.contains(&kind))
    }

    fn touches(&self, extraction: &Extraction) -> bool {
        extraction.entities.iter().any(|entity| {
            entity
                .aliases
                .iter()
                .chain(std::iter::once(&entity.canonical))
                .any(|name| self.is_suppressed(entity.kind, name))
        })
    }

    /// The extraction without suppressed entities (by canonical name), mentions (by
    /// surface) and aliases; entities left without mentions go too.
    fn apply(&self, extraction: &Extraction) -> Extraction {
        let mut mentions: Vec<_> = extraction
            .mentions
            .iter()
            .filter(|mention| {
                let entity = &extraction.entities[mention.entity];
                !self.is_suppressed(entity.kind, &entity.canonical)
                    && !self.is_suppressed(entity.kind, &mention.text)
            })
            .cloned()
            .collect();
        let kept: HashSet<usize> = mentions.iter().map(|mention| mention.entity).collect();
        let mut index = vec![usize::MAX; extraction.entities.len()];
        let mut entities = Vec::with_capacity(kept.len());
        for (i, entity) in extraction.entities.iter().enumerate() {
            if kept.contains(&i) {
                index[i] = entities.len();
                let mut entity = entity.clone();
                entity
                    .aliases
                    .retain(|alias| !self.is_suppressed(entity.kind, alias));
                entities.push(entity);
            }
        }
        for mention in &mut mentions {
            mention.entity = index[mention.entity];
        }
        Extraction { entities, mentions }
    }
}

/// The rules about a batch's entities that apply after they are resolved.
#[derive(Debug, Default)]
pub(super) struct MentionRules {
    /// (entity, folded surface) → entity the mention goes to.
    by_alias: HashMap<(Uuid, String), Uuid>,
    /// (entity, article, field, start) → entity the mention goes to.
    by_position: HashMap<(Uuid, Uuid, Field, i32), Uuid>,
    /// (entity, folded alias) removed by a curator.
    removed: HashSet<(Uuid, String)>,
    /// Entities any rule is about, to skip folding for all others.
    about: HashSet<Uuid>,
}

impl MentionRules {
    /// Reads the rules about these entities.
    pub(super) async fn load(conn: &mut PgConnection, entity_ids: &[Uuid]) -> sqlx::Result<Self> {
        let mut rules = Self::default();
        for rule in curation_rules::split_rules(conn, entity_ids).await? {
            rules.about.insert(rule.entity_id);
            match (
                rule.alias_norm,
                rule.article_id,
                rule.field,
                rule.start_offset,
            ) {
                (Some(norm), ..) => {
                    rules
                        .by_alias
                        .insert((rule.entity_id, norm), rule.target_id);
                }
                (None, Some(article), Some(field), Some(start)) => {
                    rules
                        .by_position
                        .insert((rule.entity_id, article, field, start), rule.target_id);
                }
                _ => {}
            }
        }
        for (entity, norm) in curation_rules::removed_aliases(conn, entity_ids).await? {
            rules.about.insert(entity);
            rules.removed.insert((entity, norm));
        }
        Ok(rules)
    }

    /// The entity a mention resolved to `entity` is stored as.
    pub(super) fn mention_target(
        &self,
        entity: Uuid,
        article: Uuid,
        field: Field,
        start: i32,
        surface: &str,
    ) -> Uuid {
        if !self.about.contains(&entity) {
            return entity;
        }
        if let Some(target) = self.by_position.get(&(entity, article, field, start)) {
            return *target;
        }
        self.by_alias
            .get(&(entity, names::search_norm(surface)))
            .copied()
            .unwrap_or(entity)
    }

    /// The entity an alias of `entity` is added to, or `None` when a curator removed it.
    pub(super) fn alias_target(&self, entity: Uuid, alias: &str) -> Option<Uuid> {
        if !self.about.contains(&entity) {
            return Some(entity);
        }
        let norm = names::search_norm(alias);
        if let Some(target) = self.by_alias.get(&(entity, norm.clone())) {
            return Some(*target);
        }
        (!self.removed.contains(&(entity, norm))).then_some(entity)
    }
}

#[cfg(test)]
mod tests {
    use newsgraph_extract::Entity;

    use crate::ingest::testing::mention;

    use super::*;

    fn entity(kind: EntityKind, name: &str, aliases: &[&str]) -> Entity {
        Entity {
            kind,
            canonical: name.to_owned(),
            key: names::search_norm(name),
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
            known: None,
        }
    }

    #[test]
    fn suppressed_names_lose_their_mentions_and_entities_left_bare_go() {
        let extraction = Extraction {
            entities: vec![
                entity(EntityKind::Organization, "Reuters", &["Reuters"]),
                entity(
                    EntityKind::Person,
                    "Ana Brnabic",
                    &["Ana Brnabic", "Brnabic"],
                ),
                entity(EntityKind::Place, "Reuters", &["Reuters"]),
            ],
            mentions: vec![
                mention(0, 0, "Reuters"),
                mention(1, 10, "Ana Brnabic"),
                mention(2, 30, "Reuters"),
                mention(1, 40, "Brnabic"),
            ],
        };
        let suppressed = Suppressed::new(vec![
            ("reuters".to_owned(), Some(EntityKind::Organization)),
            ("brnabic".to_owned(), None),
        ]);

        let kept = suppressed.apply(&extraction);

        assert!(suppressed.touches(&extraction));
        let names: Vec<(&str, EntityKind)> = kept
            .entities
            .iter()
            .map(|e| (e.canonical.as_str(), e.kind))
            .collect();
        assert_eq!(
            names,
            [
                ("Ana Brnabic", EntityKind::Person),
                ("Reuters", EntityKind::Place)
            ],
            "only the organization named Reuters is suppressed"
        );
        assert_eq!(kept.entities[0].aliases, ["Ana Brnabic"]);
        let mentions: Vec<(usize, &str)> = kept
            .mentions
            .iter()
            .map(|m| (m.entity, m.text.as_str()))
            .collect();
        assert_eq!(mentions, [(0, "Ana Brnabic"), (1, "Reuters")]);
    }

    #[test]
    fn split_rules_send_mentions_by_surface_or_position_and_removed_aliases_stay_out() {
        let (x, y, z, article) = (
            Uuid::from_u128(1),
            Uuid::from_u128(2),
            Uuid::from_u128(3),
            Uuid::from_u128(9),
        );
        let mut rules = MentionRules::default();
        rules.about.insert(x);
        rules.by_alias.insert((x, "jordan".to_owned()), y);
        rules.by_position.insert((x, article, Field::Title, 4), z);
        rules.removed.insert((x, "mj".to_owned()));

        assert_eq!(
            rules.mention_target(x, article, Field::Body, 0, "JORDAN"),
            y
        );
        assert_eq!(
            rules.mention_target(x, article, Field::Title, 4, "Jordan"),
            z
        );
        assert_eq!(
            rules.mention_target(x, article, Field::Body, 8, "Michael"),
            x
        );
        assert_eq!(
            rules.mention_target(y, article, Field::Body, 0, "Jordan"),
            y
        );
        assert_eq!(rules.alias_target(x, "Jordan"), Some(y));
        assert_eq!(rules.alias_target(x, "MJ"), None);
        assert_eq!(rules.alias_target(x, "Michael"), Some(x));
    }
}
