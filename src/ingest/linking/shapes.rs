//! What part of a name an entity's match key holds: a lone surname, an initial and a
//! surname, an acronym, a short organization name, a place no gazetteer knows, or a full name.

use newsgraph_extract::{Entity, EntityKind};

/// What part of a name an entity's key holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Shape {
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
pub(super) fn key_words(key: &str) -> Vec<&str> {
    key.split_once(':')
        .map_or("", |(_, name)| name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .collect()
}

pub(super) fn shape(entity: &Entity) -> Shape {
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
pub(super) fn full_person(words: &[&str]) -> bool {
    words.len() >= 2 && words[0].chars().count() > 1
}

/// The initials of an organization's key words, all of them and the significant ones.
pub(super) fn initials(words: &[&str]) -> [String; 2] {
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
