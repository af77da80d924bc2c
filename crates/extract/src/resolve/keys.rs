//! Match keys of names the knowledge base does not place: the folded name (see
//! [`crate::match_key`]), with a company's legal form dropped ("Avnet Inc" and "Avnet" share
//! "organization:avnet") and a person's nickname given as the formal name it stands for
//! ("Bob Nardelli" and "Robert Nardelli" share "person:robert nardelli").

use crate::EntityKind;
use crate::kb::Kb;
use crate::key::fold_words;

/// The longest legal form, in words ("co ltd").
const LEGAL_FORM_WORDS: usize = 2;

/// The match key of a name of the given kind.
pub(crate) fn entity_key(kb: &Kb, kind: EntityKind, name: &str) -> String {
    let mut words = fold_words(name);
    match kind {
        EntityKind::Person => {
            if words.len() > 1 {
                let formal = kb.formal_given_name(&words[0]).to_owned();
                words[0] = formal;
            }
        }
        EntityKind::Place | EntityKind::Organization => {
            if words.len() > 1 && words[0] == "the" {
                words.remove(0);
            }
            if kind == EntityKind::Organization {
                strip_legal_forms(kb, &mut words);
            }
        }
    }
    format!("{}:{}", kind.as_str(), words.join(" "))
}

/// Drops legal forms from the end of a company name ("Hanover Insurance Co" → "hanover
/// insurance", "Cable and Wireless Co Plc" → "cable and wireless"), never its only word.
fn strip_legal_forms(kb: &Kb, words: &mut Vec<String>) {
    'outer: loop {
        for n in (1..=LEGAL_FORM_WORDS).rev() {
            if words.len() > n && kb.is_legal_form(&words[words.len() - n..].join(" ")) {
                words.truncate(words.len() - n);
                continue 'outer;
            }
        }
        // "Smith and Co": the "and" before a dropped form goes too ("&" is not a word).
        if words.len() > 1 && words.last().is_some_and(|w| w == "and") {
            words.pop();
            continue;
        }
        break;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(kind: EntityKind, name: &str) -> String {
        entity_key(&Kb::embedded().expect("kb"), kind, name)
    }

    #[test]
    fn legal_forms_do_not_split_a_company() {
        let org = EntityKind::Organization;

        assert_eq!(key(org, "Avnet Inc"), key(org, "Avnet"));
        assert_eq!(key(org, "Avnet Inc."), "organization:avnet");
        assert_eq!(
            key(org, "Cable and Wireless Co Plc"),
            key(org, "Cable and Wireless")
        );
        assert_eq!(key(org, "Philips NV"), key(org, "Philips"));
        assert_eq!(key(org, "Siemens AG"), key(org, "Siemens"));
        assert_eq!(key(org, "Dow Chemical Corp"), key(org, "Dow Chemical"));
        assert_eq!(key(org, "The Coca-Cola Company"), key(org, "Coca-Cola"));
        assert_eq!(key(org, "Smith and Co"), "organization:smith");
    }

    #[test]
    fn a_name_that_is_only_a_legal_form_keeps_it() {
        assert_eq!(key(EntityKind::Organization, "Corp"), "organization:corp");
    }

    #[test]
    fn a_nickname_keys_as_its_formal_given_name() {
        let person = EntityKind::Person;

        assert_eq!(key(person, "Bob Nardelli"), key(person, "Robert Nardelli"));
        assert_eq!(key(person, "Bob Nardelli"), "person:robert nardelli");
        // "Bill" may be William or Robert: it stays itself.
        assert_eq!(key(person, "Bill Gates"), "person:bill gates");
        // A lone name is a surname or a given name: it stays itself.
        assert_eq!(key(person, "Bob"), "person:bob");
    }

    #[test]
    fn places_and_organizations_drop_a_leading_the() {
        assert_eq!(
            key(EntityKind::Organization, "the Kosovo Security Force"),
            "organization:kosovo security force"
        );
    }
}
