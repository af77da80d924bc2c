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
//!
//! [`plan`] decides; `shapes` tells a partial name from a full one, `candidates` finds what
//! a partial name may mean, and `evidence` scores the candidates by their company.

use std::collections::HashMap;

use newsgraph_extract::{Entity, EntityKind};
use sqlx::PgConnection;
use uuid::Uuid;

use crate::db::link_candidates;
use candidates::candidates;
use evidence::Evidence;
use shapes::{Shape, full_person, key_words};

mod candidates;
mod evidence;
mod shapes;

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
/// `candidates::CandidatePool::for_shape`); else the one with the most evidence, enough of it and well
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
    use super::shapes::{initials, shape};
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
