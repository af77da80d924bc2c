//! Linking persons across articles by surname. The extraction engine resolves "Vucevic" to
//! "Milos Vucevic" inside one article; across articles the importer does it:
//!
//! - a lone surname (match key of one word) that no stored entity has yet joins the full-name
//!   person with that surname, if there is exactly one, or one named in at least three times
//!   as many articles as any other;
//! - a full-name person created while a lone-surname entity of that surname is stored, with
//!   no other full name of that surname, absorbs the lone entity (which becomes a redirect).
//!
//! Two persons who share a surname but not a first name keep their own keys and never merge.

use std::collections::HashMap;

use newsgraph_extract::EntityKind;
use sqlx::PgConnection;
use uuid::Uuid;

use super::store::Identity;
use crate::db::entities;

/// How much more often the chosen person must be named than the next one.
const DOMINANCE: i64 = 3;

/// What a lone surname is linked to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A stored person.
    Stored(Uuid),
    /// A person created by this batch.
    New(Identity),
}

/// The linking decisions for one batch.
#[derive(Debug, Default)]
pub struct Plan {
    /// Lone surnames of the batch and the person each joins (they are not created).
    pub links: HashMap<Identity, Target>,
    /// Stored lone-surname entities to merge into a person created by the batch.
    pub merges: Vec<(Uuid, Identity)>,
}

/// The surname of a person's match key and whether the key is that surname alone.
pub fn person_surname(identity: &Identity) -> Option<(&str, bool)> {
    if identity.0 != EntityKind::Person {
        return None;
    }
    let name = identity.1.strip_prefix("person:")?;
    match name.rsplit_once(' ') {
        Some((_, last)) => Some((last, false)),
        None if !name.is_empty() => Some((name, true)),
        None => None,
    }
}

/// Decides, for the entities a batch is about to create, which lone surnames join a person
/// and which stored lone surnames a new person absorbs.
pub async fn plan<T>(conn: &mut PgConnection, missing: &[(Identity, T)]) -> sqlx::Result<Plan> {
    let mut lone: Vec<(&Identity, &str)> = Vec::new();
    let mut new_full: Vec<(&Identity, &str)> = Vec::new();
    for (identity, _) in missing {
        match person_surname(identity) {
            Some((surname, true)) => lone.push((identity, surname)),
            Some((surname, false)) => new_full.push((identity, surname)),
            None => {}
        }
    }
    let mut plan = Plan::default();
    if lone.is_empty() && new_full.is_empty() {
        return Ok(plan);
    }
    let mut surnames: Vec<String> = lone
        .iter()
        .chain(&new_full)
        .map(|(_, surname)| (*surname).to_owned())
        .collect();
    surnames.sort_unstable();
    surnames.dedup();
    let stored = entities::persons_by_surname(conn, &surnames).await?;
    for (identity, surname) in &lone {
        let mut candidates: Vec<(Target, i64)> = stored_full(&stored, surname)
            .map(|c| (Target::Stored(c.id), i64::from(c.article_count)))
            .collect();
        candidates.extend(
            new_full
                .iter()
                .filter(|(_, s)| s == surname)
                .map(|(full, _)| (Target::New((*full).clone()), 0)),
        );
        if let Some(target) = pick(candidates) {
            plan.links.insert((*identity).clone(), target);
        }
    }
    for (identity, surname) in &new_full {
        let rivals = stored_full(&stored, surname).count()
            + new_full.iter().filter(|(_, s)| s == surname).count()
            - 1;
        let lone_key = format!("person:{surname}");
        if rivals == 0
            && let Some(stored_lone) = stored.iter().find(|c| c.match_key == lone_key)
        {
            plan.merges.push((stored_lone.id, (*identity).clone()));
        }
    }
    Ok(plan)
}

/// Stored full-name persons (not lone surnames) with this surname.
fn stored_full<'a>(
    stored: &'a [entities::SurnameCandidate],
    surname: &'a str,
) -> impl Iterator<Item = &'a entities::SurnameCandidate> {
    stored
        .iter()
        .filter(move |c| c.surname == surname && c.match_key.contains(' '))
}

/// The person a lone surname means among candidates with their article counts: the only one,
/// or one named [`DOMINANCE`] times as often as the next.
fn pick(mut candidates: Vec<(Target, i64)>) -> Option<Target> {
    candidates.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
    let mut iter = candidates.into_iter();
    let (first, first_count) = iter.next()?;
    match iter.next() {
        None => Some(first),
        Some((_, second_count)) if first_count >= DOMINANCE * second_count.max(1) => Some(first),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(n: u128) -> Target {
        Target::Stored(Uuid::from_u128(n))
    }

    #[test]
    fn a_single_candidate_is_picked() {
        assert_eq!(pick(vec![(id(1), 0)]), Some(id(1)));
    }

    #[test]
    fn a_dominant_candidate_is_picked_and_a_close_race_is_not() {
        assert_eq!(pick(vec![(id(1), 2), (id(2), 9)]), Some(id(2)));
        assert_eq!(pick(vec![(id(1), 5), (id(2), 9)]), None);
        assert_eq!(pick(vec![(id(1), 0), (id(2), 0)]), None);
    }

    #[test]
    fn surnames_come_from_person_keys_only() {
        let person = (EntityKind::Person, "person:aleksandar vucic".to_owned());
        let lone = (EntityKind::Person, "person:vucic".to_owned());
        let place = (EntityKind::Place, "place:novi sad".to_owned());

        assert_eq!(person_surname(&person), Some(("vucic", false)));
        assert_eq!(person_surname(&lone), Some(("vucic", true)));
        assert_eq!(person_surname(&place), None);
    }
}
