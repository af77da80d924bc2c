//! Match keys: the normalized form of a name under which the importer merges entities across
//! articles. Case, diacritics, Serbian Cyrillic/Latin and punctuation are folded away; the
//! entity kind is part of the key, so a person and a place of the same name stay apart.

use crate::EntityKind;
use crate::text::fold_into;

/// The normalized match key of a name of the given kind: folds case, diacritics (NFKD with
/// marks stripped, and đ→d, ß→ss, ø→o, ł→l), Serbian Cyrillic to Latin, punctuation and
/// whitespace, so that "Vučić", "Vucic" and "Вучић" share one key. Apostrophes and periods
/// vanish ("O'Neill" → "oneill", "U.S." → "us"); other punctuation separates words. A leading
/// "the" is dropped from places and organizations.
pub fn match_key(kind: EntityKind, name: &str) -> String {
    let mut words = fold_words(name);
    if kind != EntityKind::Person && words.len() > 1 && words[0] == "the" {
        words.remove(0);
    }
    format!("{}:{}", kind.as_str(), words.join(" "))
}

/// A name folded as in match keys, without the kind: "U.S." → "us", "Vučić" → "vucic".
pub fn fold_name(name: &str) -> String {
    let mut folded = String::with_capacity(name.len());
    fold_into(name, &mut folded);
    // Compatibility decompositions can bring capitals back ("™" is "TM").
    folded.make_ascii_lowercase();
    // Words are runs of letters and digits; apostrophes and periods vanish inside them, any
    // other character separates them, and they are joined by one space.
    let mut out = String::with_capacity(folded.len());
    let mut gap = false;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if gap && !out.is_empty() {
                out.push(' ');
            }
            gap = false;
            out.push(c);
        } else if !matches!(c, '\'' | '.' | '\u{2019}' | '`') {
            gap = true;
        }
    }
    out
}

/// The folded words of a name.
pub(crate) fn fold_words(name: &str) -> Vec<String> {
    fold_name(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use EntityKind::{Organization, Person, Place};

    #[test]
    fn fold_name_is_the_folded_words_joined() {
        let [places, people, orgs] = crate::kb::embedded_files();
        let names = [places, people, orgs]
            .into_iter()
            .flat_map(|file| file.split(['\t', '\n', '|']))
            .chain([
                " -- The  U.S.'s  Vučić--Вучић ™ ",
                "",
                "...",
                "O'Neill & Co.",
            ]);
        let mut n = 0;
        for name in names {
            assert_eq!(fold_name(name), fold_words(name).join(" "), "{name:?}");
            n += 1;
        }
        assert!(n > 70_000, "{n} names");
    }

    #[test]
    fn latin_with_and_without_diacritics_and_cyrillic_share_a_key() {
        let key = match_key(Person, "Vučić");

        assert_eq!(key, "person:vucic");
        assert_eq!(match_key(Person, "Vucic"), key);
        assert_eq!(match_key(Person, "Вучић"), key);
        assert_eq!(match_key(Person, "VUČIĆ"), key);
    }

    #[test]
    fn special_letters_fold_to_ascii() {
        assert_eq!(
            match_key(Person, "Đorđe Łukasz Øster Straße"),
            "person:dorde lukasz oster strasse"
        );
    }

    #[test]
    fn keys_are_lowercase_even_after_compatibility_decomposition() {
        assert_eq!(
            match_key(Organization, "Acme System™"),
            "organization:acme systemtm"
        );
    }

    #[test]
    fn punctuation_and_whitespace_are_folded() {
        assert_eq!(match_key(Place, "U.S."), match_key(Place, "US"));
        assert_eq!(
            match_key(Person, "  Jean-Pierre   O'Neill "),
            "person:jean pierre oneill"
        );
        assert_eq!(
            match_key(Organization, "the Kosovo Security Force"),
            "organization:kosovo security force"
        );
    }

    #[test]
    fn the_kind_is_part_of_the_key() {
        assert_ne!(
            match_key(Person, "Washington"),
            match_key(Place, "Washington")
        );
    }

    #[test]
    fn people_sharing_only_a_surname_get_different_keys() {
        assert_ne!(
            match_key(Person, "Milos Vucevic"),
            match_key(Person, "Nikola Vucevic")
        );
        assert_ne!(
            match_key(Person, "Milos Vucevic"),
            match_key(Person, "Vucevic")
        );
    }
}
