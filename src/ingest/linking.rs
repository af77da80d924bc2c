//! Linking across articles: what one article names only partly joins the entity it names in
//! full elsewhere, when the evidence says which one.
//!
//! The extraction engine resolves "Vucevic" to "Milos Vucevic" inside one article. Across
//! articles the importer links, per article:
//!
//! - a lone surname ("Yeltsin") to a person with that surname;
//! - an initial and a surname ("R. Croft") to the person with that surname whose given name
//!   has that initial;
//! - an acronym ("U.N.", "KDP") to the organization whose initials it spells, or which was
//!   seen under it in another article;
//! - a name typed as a place that no gazetteer knows ("Microsoft") to the one organization or
//!   person of that name.
//!
//! A candidate is chosen by the company it keeps: the other entities of the article, weighed
//! by how rare they are, that the candidate appears with in other articles (stored, or of the
//! same batch). Lone names need such evidence, and a clear winner among candidates; an initial
//! or an acronym that fits one candidate only needs no more. What is not linked keeps its own
//! entity ("Yeltsin", the bucket of the lone surname), and a full name created while such a
//! bucket is stored absorbs it when no other full name has that surname.

use std::collections::{HashMap, HashSet};

use newsgraph_extract::{Entity, EntityKind};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::{entities, entity_merges, link_candidates};

/// An entity's identity across articles: its kind and match key.
pub type Identity = (EntityKind, String);

/// The least evidence that links a lone name, in summed context weights.
const MIN_EVIDENCE: f64 = 0.3;
/// How much more evidence the chosen candidate needs than the next one.
const DOMINANCE: f64 = 2.0;
/// Stored articles of a candidate read for evidence, newest first.
pub const EVIDENCE_ARTICLES: i64 = 200;

/// What an article's entity is linked to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    /// A stored entity.
    Stored(Uuid),
    /// An entity created by this batch.
    New(Identity),
}

/// The linking decisions for one batch.
#[derive(Debug, Default)]
pub struct Plan {
    /// (article index in the batch, identity) → the entity that article's entity joins.
    pub links: HashMap<(usize, Identity), Target>,
    /// Stored lone-surname entities to merge into a person created by the batch.
    pub merges: Vec<(Uuid, Identity)>,
}

/// What part of a name an entity's key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// A person's single name: "yeltsin".
    Lone(String),
    /// A person's initial and surname: ("r", "croft").
    Initial(String, String),
    /// An acronym: "un", "kdp".
    Acronym(String),
    /// A place no gazetteer knows: "microsoft".
    UnknownPlace(String),
    /// An organization's short name, one or two words: "treasury", "security council".
    Short(Vec<String>),
    /// A full name.
    Full,
}

/// The words of a key, without its kind.
fn key_words(key: &str) -> Vec<&str> {
    key.split_once(':')
        .map_or("", |(_, name)| name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect()
}

fn shape(entity: &Entity) -> Shape {
    let words = key_words(&entity.key);
    match (entity.kind, words.as_slice()) {
        (EntityKind::Person, [lone]) => Shape::Lone((*lone).to_owned()),
        (EntityKind::Person, [initial, surname]) if initial.chars().count() == 1 => {
            Shape::Initial((*initial).to_owned(), (*surname).to_owned())
        }
        (EntityKind::Organization, [word])
            if (2..=8).contains(&word.chars().count())
                && entity
                    .canonical
                    .chars()
                    .filter(|c| c.is_alphabetic())
                    .all(char::is_uppercase) =>
        {
            Shape::Acronym((*word).to_owned())
        }
        (EntityKind::Organization, words) if (1..=2).contains(&words.len()) => {
            Shape::Short(words.iter().map(|w| (*w).to_owned()).collect())
        }
        (EntityKind::Place, words) if entity.known.is_none() && !words.is_empty() => {
            Shape::UnknownPlace(words.join(" "))
        }
        _ => Shape::Full,
    }
}

/// A full person name: two words or more, the first not an initial.
fn full_person(words: &[&str]) -> bool {
    words.len() >= 2 && words[0].chars().count() > 1
}

/// The initials of an organization's key words, all of them and the significant ones.
fn initials(words: &[&str]) -> [String; 2] {
    const MINOR: &[&str] = &[
        "of", "the", "and", "for", "de", "la", "du", "des", "in", "on",
    ];
    [
        words.iter().filter_map(|w| w.chars().next()).collect(),
        words
            .iter()
            .filter(|w| !MINOR.contains(w))
            .filter_map(|w| w.chars().next())
            .collect(),
    ]
}

/// One candidate entity: stored, of this batch, or both.
#[derive(Debug, Clone, Default)]
struct Candidate {
    identity: Option<Identity>,
    stored: Option<Uuid>,
}

impl Candidate {
    fn target(&self) -> Target {
        match (&self.stored, &self.identity) {
            (Some(id), _) => Target::Stored(*id),
            (None, Some(identity)) => Target::New(identity.clone()),
            (None, None) => unreachable!("a candidate is stored or of the batch"),
        }
    }
}

/// The batch as linking sees it: each article's entities, and who appears where.
struct BatchView<'a> {
    articles: Vec<Vec<&'a Entity>>,
    /// Identity → the batch articles naming it.
    appears: HashMap<Identity, Vec<usize>>,
    /// Identity → stored entity, for the identities stored before this batch.
    stored: &'a HashMap<Identity, Uuid>,
}

/// Decides, for every entity of the batch that names something only partly, which entity it
/// joins in each article, and which stored lone surnames a new person absorbs.
///
/// `article_ids` are the batch's stored articles: an article already stored (updated,
/// re-extracted) is no evidence for itself.
pub async fn plan(
    conn: &mut PgConnection,
    articles: Vec<Vec<&Entity>>,
    article_ids: &[Uuid],
    stored: &HashMap<Identity, Uuid>,
) -> sqlx::Result<Plan> {
    let mut appears: HashMap<Identity, Vec<usize>> = HashMap::new();
    for (a, entities) in articles.iter().enumerate() {
        for entity in entities {
            appears
                .entry((entity.kind, entity.key.clone()))
                .or_default()
                .push(a);
        }
    }
    let view = BatchView {
        articles,
        appears,
        stored,
    };
    let candidates = candidates(conn, &view, article_ids).await?;
    let evidence = Evidence::gather(conn, &view, &candidates, article_ids).await?;
    let mut plan = Plan::default();
    for (a, entities) in view.articles.iter().enumerate() {
        for entity in entities {
            let identity = (entity.kind, entity.key.clone());
            let Some(partial) = candidates.get(&identity) else {
                continue;
            };
            let found = &partial.found;
            // A place the gazetteer does not know is another kind's name only where that
            // kind is named at least as often ("Microsoft", but not the "Middle East" that
            // one article's organization shares its name with).
            if matches!(partial.shape, Shape::UnknownPlace(_))
                && found
                    .iter()
                    .all(|c| evidence.frequency_of(c) < evidence.frequency(&identity))
            {
                continue;
            }
            let score = |c: &Candidate| evidence.score(&view, a, &identity, c);
            let chosen = choose(partial.evident, found, score);
            tracing::debug!(
                article = a,
                entity = %identity.1,
                candidates = ?found.iter().map(|c| (c.identity.as_ref().map(|i| i.1.as_str()), c.stored, score(c))).collect::<Vec<_>>(),
                chosen = ?chosen.map(Candidate::target),
                "link"
            );
            if let Some(chosen) = chosen {
                plan.links.insert((a, identity), chosen.target());
            }
        }
    }
    plan.merges = absorbed_buckets(conn, &view).await?;
    Ok(plan)
}

/// Picks a candidate: the only one, when fitting is evidence enough (see
/// [`CandidatePool::for_shape`]); else the one with the most evidence, enough of it and well
/// ahead of the next.
fn choose(
    evident: bool,
    found: &[Candidate],
    score: impl Fn(&Candidate) -> f64,
) -> Option<&Candidate> {
    if found.len() == 1 && evident {
        return found.first();
    }
    let mut scored: Vec<(f64, &Candidate)> = found.iter().map(|c| (score(c), c)).collect();
    scored.sort_by(|x, y| y.0.total_cmp(&x.0));
    let (best, chosen) = *scored.first()?;
    let second = scored.get(1).map_or(0.0, |s| s.0);
    (best >= MIN_EVIDENCE && best >= DOMINANCE * second).then_some(chosen)
}

/// A partial identity of the batch and what it may mean.
struct Partial {
    shape: Shape,
    found: Vec<Candidate>,
    /// Whether one fitting candidate is linked without further evidence.
    evident: bool,
}

/// The candidates of every partial identity of the batch.
async fn candidates(
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

/// Who appears with whom: in the batch and, for stored candidates, in their stored articles.
#[derive(Default)]
struct Evidence {
    /// Candidate identity → co-mentioned identity → batch articles naming both.
    batch: HashMap<Identity, HashMap<Identity, usize>>,
    /// Stored candidate → co-mentioned stored entity → stored articles naming both.
    stored: HashMap<Uuid, HashMap<Uuid, i64>>,
    /// Articles naming each identity (batch and stored), for its weight.
    frequency: HashMap<Identity, i64>,
    /// Stored articles naming each stored candidate and context.
    stored_counts: HashMap<Uuid, i64>,
}

impl Evidence {
    async fn gather(
        conn: &mut PgConnection,
        view: &BatchView<'_>,
        candidates: &HashMap<Identity, Partial>,
        article_ids: &[Uuid],
    ) -> sqlx::Result<Self> {
        let mut evidence = Evidence::default();
        let mut stored_candidates: HashSet<Uuid> = HashSet::new();
        for partial in candidates.values() {
            for candidate in &partial.found {
                if let Some(identity) = &candidate.identity {
                    let profile = evidence.batch.entry(identity.clone()).or_default();
                    if profile.is_empty() {
                        for &a in view.appears.get(identity).into_iter().flatten() {
                            for other in &view.articles[a] {
                                *profile.entry((other.kind, other.key.clone())).or_default() += 1;
                            }
                        }
                    }
                }
                stored_candidates.extend(candidate.stored);
            }
        }
        for (identity, articles) in &view.appears {
            evidence
                .frequency
                .insert(identity.clone(), articles.len() as i64);
        }
        if stored_candidates.is_empty() {
            return Ok(evidence);
        }
        let contexts: Vec<Uuid> = view.stored.values().copied().collect();
        let candidates: Vec<Uuid> = stored_candidates.into_iter().collect();
        let rows = link_candidates::co_mentions(
            conn,
            &candidates,
            &contexts,
            article_ids,
            EVIDENCE_ARTICLES,
        )
        .await?;
        for row in rows {
            evidence
                .stored
                .entry(row.candidate)
                .or_default()
                .insert(row.context, row.articles);
        }
        let mut counted = contexts;
        counted.extend(&candidates);
        evidence.stored_counts = link_candidates::article_counts(conn, &counted)
            .await?
            .into_iter()
            .collect();
        for (identity, id) in view.stored {
            if let Some(count) = evidence.stored_counts.get(id) {
                *evidence.frequency.entry(identity.clone()).or_default() += count;
            }
        }
        Ok(evidence)
    }

    /// Articles naming an identity, in the batch and stored.
    fn frequency(&self, identity: &Identity) -> i64 {
        self.frequency.get(identity).copied().unwrap_or(0)
    }

    /// Articles naming a candidate, in the batch and stored.
    fn frequency_of(&self, candidate: &Candidate) -> i64 {
        match (&candidate.identity, candidate.stored) {
            (Some(identity), _) => self.frequency(identity),
            (None, Some(id)) => self.stored_counts.get(&id).copied().unwrap_or(0),
            (None, None) => 0,
        }
    }

    /// The evidence that article `a`'s entity `partial` means `candidate`: the weights of the
    /// article's other entities that the candidate appears with elsewhere.
    fn score(
        &self,
        view: &BatchView<'_>,
        a: usize,
        partial: &Identity,
        candidate: &Candidate,
    ) -> f64 {
        let mut score = 0.0;
        for other in &view.articles[a] {
            let context = (other.kind, other.key.clone());
            if &context == partial || candidate.identity.as_ref() == Some(&context) {
                continue;
            }
            // Articles other than this one that name both.
            let in_batch = candidate
                .identity
                .as_ref()
                .and_then(|c| self.batch.get(c))
                .and_then(|profile| profile.get(&context))
                .copied()
                .unwrap_or(0);
            let both_here = candidate
                .identity
                .as_ref()
                .is_some_and(|c| view.appears.get(c).is_some_and(|arts| arts.contains(&a)));
            let in_batch = in_batch.saturating_sub(usize::from(both_here));
            let in_store = match (candidate.stored, view.stored.get(&context)) {
                (Some(c), Some(x)) => self
                    .stored
                    .get(&c)
                    .and_then(|p| p.get(x))
                    .copied()
                    .unwrap_or(0),
                _ => 0,
            };
            if in_batch > 0 || in_store > 0 {
                let frequency = self.frequency.get(&context).copied().unwrap_or(1).max(1);
                score += 1.0 / (1.0 + (frequency as f64).ln());
            }
        }
        score
    }
}

/// Stored lone-surname buckets that a full name created by this batch absorbs: the only full
/// name with that surname, stored or new.
async fn absorbed_buckets(
    conn: &mut PgConnection,
    view: &BatchView<'_>,
) -> sqlx::Result<Vec<(Uuid, Identity)>> {
    let mut new_full: HashMap<String, Vec<Identity>> = HashMap::new();
    for identity in view.appears.keys() {
        let words = key_words(&identity.1);
        if identity.0 == EntityKind::Person
            && full_person(&words)
            && !view.stored.contains_key(identity)
        {
            new_full
                .entry(words[words.len() - 1].to_owned())
                .or_default()
                .push(identity.clone());
        }
    }
    if new_full.is_empty() {
        return Ok(Vec::new());
    }
    let surnames: Vec<String> = new_full.keys().cloned().collect();
    let stored = link_candidates::persons_by_surname(conn, &surnames).await?;
    let mut merges = Vec::new();
    for (surname, identities) in new_full {
        let stored_full = stored
            .iter()
            .filter(|c| c.surname == surname && full_person(&key_words(&c.match_key)))
            .count();
        let lone_key = format!("person:{surname}");
        if let ([identity], 0) = (identities.as_slice(), stored_full)
            && let Some(bucket) = stored.iter().find(|c| c.match_key == lone_key)
        {
            merges.push((bucket.id, identity.clone()));
        }
    }
    Ok(merges)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity(kind: EntityKind, key: &str, canonical: &str) -> Entity {
        Entity {
            kind,
            canonical: canonical.to_owned(),
            key: key.to_owned(),
            aliases: vec![canonical.to_owned()],
            known: None,
        }
    }

    #[test]
    fn shapes_tell_partial_names_from_full_ones() {
        use EntityKind::{Organization, Person, Place};

        assert_eq!(
            shape(&entity(Person, "person:yeltsin", "Yeltsin")),
            Shape::Lone("yeltsin".into())
        );
        assert_eq!(
            shape(&entity(Person, "person:r croft", "R. Croft")),
            Shape::Initial("r".into(), "croft".into())
        );
        assert_eq!(
            shape(&entity(Person, "person:robert croft", "Robert Croft")),
            Shape::Full
        );
        assert_eq!(
            shape(&entity(Organization, "organization:un", "U.N.")),
            Shape::Acronym("un".into())
        );
        assert_eq!(
            shape(&entity(Organization, "organization:apple", "Apple")),
            Shape::Short(vec!["apple".into()])
        );
        assert_eq!(
            shape(&entity(
                Organization,
                "organization:bank of england",
                "Bank of England"
            )),
            Shape::Full
        );
        assert_eq!(
            shape(&entity(Place, "place:microsoft", "Microsoft")),
            Shape::UnknownPlace("microsoft".into())
        );
    }

    #[test]
    fn a_lone_name_needs_evidence_and_a_clear_winner() {
        let a = Candidate {
            stored: Some(Uuid::from_u128(1)),
            identity: None,
        };
        let b = Candidate {
            stored: Some(Uuid::from_u128(2)),
            identity: None,
        };
        let found = [a.clone(), b.clone()];

        let scores = |x: f64, y: f64| move |c: &Candidate| if c.stored == a.stored { x } else { y };

        assert!(choose(false, &found[..1], scores(0.0, 0.0)).is_none());
        assert_eq!(
            choose(false, &found[..1], scores(1.0, 0.0)).and_then(|c| c.stored),
            a.stored
        );
        assert!(choose(false, &found, scores(1.0, 0.8)).is_none());
        assert_eq!(
            choose(false, &found, scores(0.2, 1.2)).and_then(|c| c.stored),
            b.stored
        );
    }

    #[test]
    fn an_initial_or_an_acronym_that_fits_one_candidate_needs_no_more() {
        let only = [Candidate {
            stored: Some(Uuid::from_u128(7)),
            identity: None,
        }];

        let chosen = choose(true, &only, |_| 0.0);

        assert_eq!(chosen.and_then(|c| c.stored), Some(Uuid::from_u128(7)));
    }

    #[test]
    fn initials_count_all_words_and_the_significant_ones() {
        assert_eq!(
            initials(&["united", "nations"]),
            ["un".to_owned(), "un".to_owned()]
        );
        assert_eq!(
            initials(&["bank", "of", "england"]),
            ["boe".to_owned(), "be".to_owned()]
        );
    }
}
