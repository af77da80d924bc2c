//! The entities a partial name of the batch might mean, stored or of the batch, and which of
//! them fit its shape.

use std::collections::{HashMap, HashSet};

use newsgraph_extract::EntityKind;
use sqlx::PgConnection;
use uuid::Uuid;

use super::shapes::{Shape, full_person, initials, key_words, shape};
use super::{BatchView, Candidate, Identity};
use crate::db::{entities, entity_merges, link_candidates};

/// A partial identity of the batch and what it may mean.
pub(super) struct Partial {
    pub(super) shape: Shape,
    pub(super) found: Vec<Candidate>,
    /// Whether one fitting candidate is linked without further evidence.
    pub(super) evident: bool,
}

/// The candidates of every partial identity of the batch.
pub(super) async fn candidates(
    conn: &mut PgConnection,
    view: &BatchView<'_>,
    article_ids: &[Uuid],
) -> sqlx::Result<HashMap<Identity, Partial>> {
    let mut partial: HashMap<Identity, Shape> = HashMap::new();
    for entity in view.articles.iter().flatten() {
        let shape = shape(entity);
        if shape != Shape::Full {
            // An identity written as an acronym anywhere ("U.N.") is an acronym.
            let slot = partial
                .entry((entity.kind, entity.key.clone()))
                .or_insert(shape.clone());
            if matches!(shape, Shape::Acronym(_)) {
                *slot = shape;
            }
        }
    }
    if partial.is_empty() {
        return Ok(HashMap::new());
    }
    let mut pool = CandidatePool::load(conn, view, &partial).await?;
    pool.keep_named(conn, view, article_ids).await?;
    Ok(partial
        .into_iter()
        .map(|(identity, shape)| {
            let (found, evident) = pool.for_shape(&identity, &shape);
            (
                identity,
                Partial {
                    shape,
                    found,
                    evident,
                },
            )
        })
        .filter(|(_, partial)| !partial.found.is_empty())
        .collect())
}

/// Every entity a partial name of the batch might mean: full persons by surname, full
/// organizations by initials and by the acronyms they were seen under, and every kind's
/// entities by key.
#[derive(Default)]
struct CandidatePool {
    /// Surname → full persons.
    persons: HashMap<String, Vec<Candidate>>,
    /// Initials → full organizations.
    orgs: HashMap<String, Vec<Candidate>>,
    /// Acronym → organizations seen under it in some article.
    orgs_by_alias: HashMap<String, Vec<Candidate>>,
    /// Identity → candidate (for unknown places: the same name as another kind).
    by_identity: HashMap<Identity, Candidate>,
    /// Organizations of three words or more (or more than the short form), by key words.
    longer_orgs: Vec<(Vec<String>, Candidate)>,
}

impl CandidatePool {
    async fn load(
        conn: &mut PgConnection,
        view: &BatchView<'_>,
        partial: &HashMap<Identity, Shape>,
    ) -> sqlx::Result<Self> {
        let mut pool = CandidatePool::default();
        let mut surnames: HashSet<String> = HashSet::new();
        let mut acronyms: HashSet<String> = HashSet::new();
        let mut other_kinds: Vec<(EntityKind, String)> = Vec::new();
        let mut short_words: HashSet<String> = HashSet::new();
        let mut short_forms: HashSet<String> = HashSet::new();
        for shape in partial.values() {
            match shape {
                Shape::Lone(surname) => {
                    surnames.insert(surname.clone());
                    other_kinds.push((EntityKind::Organization, format!("organization:{surname}")));
                }
                Shape::Initial(_, surname) => {
                    surnames.insert(surname.clone());
                }
                Shape::Short(words) => {
                    short_words.extend(words.iter().cloned());
                    short_forms.insert(words.join(" "));
                }
                Shape::Acronym(letters) => {
                    acronyms.insert(letters.clone());
                }
                Shape::UnknownPlace(name) => {
                    for kind in [EntityKind::Organization, EntityKind::Person] {
                        other_kinds.push((kind, format!("{}:{name}", kind.as_str())));
                    }
                }
                Shape::Full => {}
            }
        }
        // Of this batch.
        let mut seen_longer: HashSet<Identity> = HashSet::new();
        for entity in view.articles.iter().flatten() {
            let identity = (entity.kind, entity.key.clone());
            let words = key_words(&entity.key);
            let candidate = || Candidate {
                identity: Some(identity.clone()),
                stored: view.stored.get(&identity).copied(),
            };
            match entity.kind {
                EntityKind::Person if full_person(&words) => {
                    let surname = words[words.len() - 1];
                    if surnames.contains(surname) {
                        pool.add_person(surname, candidate());
                    }
                }
                EntityKind::Organization if words.len() >= 2 => {
                    if words.iter().any(|w| short_words.contains(*w))
                        && seen_longer.insert(identity.clone())
                    {
                        pool.longer_orgs
                            .push((words.iter().map(|w| (*w).to_owned()).collect(), candidate()));
                    }
                    for letters in initials(&words) {
                        if acronyms.contains(&letters) {
                            pool.add_org(&letters, candidate());
                        }
                    }
                    for alias in &entity.aliases {
                        let letters = crate::names::search_norm(alias).replace(' ', "");
                        if acronyms.contains(&letters) {
                            add_unique(pool.orgs_by_alias.entry(letters).or_default(), candidate());
                        }
                    }
                }
                _ => {}
            }
            if entity.kind != EntityKind::Place {
                pool.by_identity.insert(identity.clone(), candidate());
            }
        }
        // Stored before it.
        let surnames: Vec<String> = surnames.into_iter().collect();
        for row in link_candidates::persons_by_surname(conn, &surnames).await? {
            if full_person(&key_words(&row.match_key)) {
                let identity = (EntityKind::Person, row.match_key.clone());
                pool.add_person(
                    &row.surname,
                    Candidate {
                        identity: view.appears.contains_key(&identity).then_some(identity),
                        stored: Some(row.id),
                    },
                );
            }
        }
        let acronyms: Vec<String> = acronyms.into_iter().collect();
        for row in link_candidates::organizations_by_alias(conn, &acronyms).await? {
            let identity = (EntityKind::Organization, row.match_key.clone());
            if key_words(&row.match_key).len() >= 2 {
                add_unique(
                    pool.orgs_by_alias.entry(row.alias.clone()).or_default(),
                    Candidate {
                        identity: view.appears.contains_key(&identity).then_some(identity),
                        stored: Some(row.id),
                    },
                );
            }
        }
        let short_forms: Vec<String> = short_forms.into_iter().collect();
        for row in link_candidates::organizations_extending(conn, &short_forms).await? {
            let identity = (EntityKind::Organization, row.match_key.clone());
            if view.appears.contains_key(&identity) || !seen_longer.insert(identity) {
                continue; // already a candidate
            }
            pool.longer_orgs.push((
                key_words(&row.match_key)
                    .iter()
                    .map(|w| (*w).to_owned())
                    .collect(),
                Candidate {
                    identity: None,
                    stored: Some(row.id),
                },
            ));
        }
        let (kinds, keys): (Vec<EntityKind>, Vec<String>) = other_kinds.into_iter().unzip();
        for row in entities::find_by_keys(conn, &kinds, &keys).await? {
            let identity = (row.kind, row.match_key);
            pool.by_identity
                .entry(identity.clone())
                .or_insert_with(|| Candidate {
                    identity: view.appears.contains_key(&identity).then_some(identity),
                    stored: None,
                })
                .stored = Some(row.id);
        }
        Ok(pool)
    }

    /// Drops the stored candidates that only linked short forms name (outside the batch):
    /// an entity is a candidate for what articles call it, not for what linking made of it.
    async fn keep_named(
        &mut self,
        conn: &mut PgConnection,
        view: &BatchView<'_>,
        article_ids: &[Uuid],
    ) -> sqlx::Result<()> {
        let stored_only = |c: &Candidate| {
            c.identity.is_none()
                || !view
                    .appears
                    .contains_key(c.identity.as_ref().expect("checked"))
        };
        let mut ids: Vec<Uuid> = self
            .persons
            .values()
            .chain(self.orgs.values())
            .chain(self.orgs_by_alias.values())
            .flatten()
            .chain(self.by_identity.values())
            .chain(self.longer_orgs.iter().map(|(_, c)| c))
            .filter(|c| stored_only(c))
            .filter_map(|c| c.stored)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let named: HashSet<Uuid> = entity_merges::named_elsewhere(conn, &ids, article_ids)
            .await?
            .into_iter()
            .collect();
        let keep =
            |c: &Candidate| !stored_only(c) || c.stored.is_some_and(|id| named.contains(&id));
        for list in self
            .persons
            .values_mut()
            .chain(self.orgs.values_mut())
            .chain(self.orgs_by_alias.values_mut())
        {
            list.retain(keep);
        }
        self.by_identity.retain(|_, c| keep(c));
        self.longer_orgs.retain(|(_, c)| keep(c));
        Ok(())
    }

    fn add_person(&mut self, surname: &str, candidate: Candidate) {
        add_unique(
            self.persons.entry(surname.to_owned()).or_default(),
            candidate,
        );
    }

    fn add_org(&mut self, letters: &str, candidate: Candidate) {
        add_unique(self.orgs.entry(letters.to_owned()).or_default(), candidate);
    }

    /// The candidates a partial identity of a shape may mean, and whether fitting alone is
    /// evidence enough: an initial's surname and letter, an acronym seen with its expansion,
    /// a place no gazetteer knows named like the one organization or person.
    fn for_shape(&self, identity: &Identity, shape: &Shape) -> (Vec<Candidate>, bool) {
        let not_itself = |c: &&Candidate| c.identity.as_ref() != Some(identity);
        match shape {
            // A lone name no person bears in full may be an organization's ("Kent").
            Shape::Lone(name) => match self.persons.get(name) {
                Some(persons) => (persons.clone(), false),
                None => (
                    self.by_identity
                        .get(&(EntityKind::Organization, format!("organization:{name}")))
                        .cloned()
                        .into_iter()
                        .collect(),
                    false,
                ),
            },
            Shape::Short(words) => (
                self.longer_orgs
                    .iter()
                    .filter(|(longer, _)| {
                        longer.len() > words.len()
                            && (longer[..words.len()] == words[..]
                                || longer[longer.len() - words.len()..] == words[..])
                    })
                    .map(|(_, candidate)| candidate.clone())
                    .collect(),
                false,
            ),
            Shape::Initial(initial, surname) => (
                self.persons
                    .get(surname)
                    .into_iter()
                    .flatten()
                    .filter(|c| given_initial(c) == Some(initial.as_str()))
                    .cloned()
                    .collect(),
                true,
            ),
            Shape::Acronym(letters) => {
                let seen: Vec<Candidate> = self
                    .orgs_by_alias
                    .get(letters)
                    .into_iter()
                    .flatten()
                    .filter(not_itself)
                    .cloned()
                    .collect();
                if seen.is_empty() {
                    let spelled = self.orgs.get(letters).into_iter().flatten();
                    (spelled.filter(not_itself).cloned().collect(), false)
                } else {
                    (seen, true)
                }
            }
            Shape::UnknownPlace(name) => (
                [EntityKind::Organization, EntityKind::Person]
                    .into_iter()
                    .find_map(|kind| {
                        self.by_identity
                            .get(&(kind, format!("{}:{name}", kind.as_str())))
                            .cloned()
                    })
                    .into_iter()
                    .collect(),
                true,
            ),
            Shape::Full => (Vec::new(), false),
        }
    }
}

/// Adds a candidate unless it is there already (by stored id or by identity).
fn add_unique(list: &mut Vec<Candidate>, candidate: Candidate) {
    let same = |c: &Candidate| {
        (candidate.stored.is_some() && c.stored == candidate.stored)
            || (candidate.identity.is_some() && c.identity == candidate.identity)
    };
    match list.iter_mut().find(|c| same(c)) {
        Some(existing) => {
            existing.stored = existing.stored.or(candidate.stored);
            if existing.identity.is_none() {
                existing.identity = candidate.identity;
            }
        }
        None => list.push(candidate),
    }
}

/// The first letter of a person candidate's given name.
fn given_initial(candidate: &Candidate) -> Option<&str> {
    let (_, key) = candidate.identity.as_ref()?;
    let words = key_words(key);
    let first = words.first()?;
    let end = first.char_indices().nth(1).map_or(first.len(), |(i, _)| i);
    Some(&first[..end])
}
