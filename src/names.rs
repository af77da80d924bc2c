//! Name folding shared by the importer and the API: the search form of a name (the same
//! folding as the extraction engine's match keys: case, diacritics, Cyrillic to Latin,
//! punctuation) and readable URL slugs.

use newsgraph_extract::{EntityKind, match_key};

/// The longest slug base, in bytes.
const MAX_SLUG_BASE: usize = 80;

/// How a name search ranks a match, the same in the in-memory directory and in the SQL
/// search that serves when the directory is off. A name match scores its kind (the alias
/// equals the query, starts with it, or has a word starting with it) plus [`COVERAGE`] times
/// the share of the alias the query covers; a typo match scores [`TYPO`] times its
/// similarity, which keeps it below every name match.
pub mod rank {
    /// The alias equals the query.
    pub const EXACT: f64 = 1.0;
    /// The alias starts with the query.
    pub const PREFIX: f64 = 0.8;
    /// A later word of the alias starts with the query.
    pub const WORD_PREFIX: f64 = 0.6;
    /// Weight of the share of the alias the query covers.
    pub const COVERAGE: f64 = 0.5;
    /// Weight of a typo match's similarity (at most 1), below [`WORD_PREFIX`].
    pub const TYPO: f64 = 0.5;

    /// The score of a name match of kind `base` of a query of `query_chars` characters on an
    /// alias of `alias_chars`.
    pub fn name_match(base: f64, query_chars: usize, alias_chars: usize) -> f64 {
        base + COVERAGE * query_chars as f64 / alias_chars.max(1) as f64
    }
}

/// The folded form under which names and aliases are searched: "Vučić", "VUCIC" and "Вучић"
/// all give "vucic".
pub fn search_norm(text: &str) -> String {
    // The person key folds without dropping a leading "the", which a search must keep.
    let key = match_key(EntityKind::Person, text);
    key.split_once(':')
        .map_or(key.clone(), |(_, norm)| norm.to_owned())
}

/// A slug base for a name: ASCII letters and digits joined by hyphens ("Miloš Vučević" →
/// "milos-vucevic"), or the kind when nothing of the name is ASCII.
pub fn slug_base(kind: EntityKind, name: &str) -> String {
    let key = match_key(kind, name).to_ascii_lowercase();
    let folded = key.split_once(':').map_or("", |(_, norm)| norm);
    let mut slug = String::with_capacity(folded.len());
    for word in folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|word| !word.is_empty())
    {
        if slug.len() + word.len() + 1 > MAX_SLUG_BASE {
            break;
        }
        if !slug.is_empty() {
            slug.push('-');
        }
        slug.push_str(word);
    }
    if slug.is_empty() {
        kind.as_str().to_owned()
    } else {
        slug
    }
}

/// Segments of fixed routes beside `/v1/entities/{id}` (`/v1/entities/timeline`): an entity
/// with one of them as its slug could not be reached by it.
pub const RESERVED_SLUGS: &[&str] = &["timeline"];

/// The slugs tried in order for a new entity: the base, the base with the kind, and the base
/// with the kind and a hash of the match key (the base is skipped when it is reserved).
pub fn slug_candidates(kind: EntityKind, name: &str, key: &str) -> [String; 3] {
    let base = slug_base(kind, name);
    if RESERVED_SLUGS.contains(&base.as_str()) {
        let with_kind = format!("{base}-{}", kind.as_str());
        let hashed = format!("{with_kind}-{:08x}", fnv(key) & 0xffff_ffff);
        let hashed_more = format!("{with_kind}-{:016x}", fnv(key));
        return [with_kind, hashed, hashed_more];
    }
    let with_kind = if base == kind.as_str() {
        format!("{base}-{:08x}", fnv(key) >> 32)
    } else {
        format!("{base}-{}", kind.as_str())
    };
    let hashed = format!("{with_kind}-{:08x}", fnv(key) & 0xffff_ffff);
    [base, with_kind, hashed]
}

fn fnv(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn search_norm_folds_accents_case_and_cyrillic() {
        assert_eq!(search_norm("Vučić"), "vucic");
        assert_eq!(search_norm("VUCIC"), "vucic");
        assert_eq!(search_norm("Вучић"), "vucic");
    }

    #[test]
    fn slugs_are_readable_ascii() {
        assert_eq!(
            slug_base(EntityKind::Person, "Miloš Vučević"),
            "milos-vucevic"
        );
        assert_eq!(slug_base(EntityKind::Place, "Kosovo"), "kosovo");
        assert_eq!(slug_base(EntityKind::Person, "习近平"), "person");
        assert_eq!(
            slug_base(EntityKind::Organization, "Acme System™"),
            "acme-systemtm"
        );
    }

    #[test]
    fn a_reserved_route_segment_is_never_a_slug() {
        let candidates = slug_candidates(
            EntityKind::Organization,
            "Timeline",
            "organization:timeline",
        );

        assert!(
            candidates
                .iter()
                .all(|slug| !RESERVED_SLUGS.contains(&slug.as_str()))
        );
        assert_eq!(candidates[0], "timeline-organization");
    }

    #[test]
    fn slug_candidates_differ_by_kind_and_key() {
        let place = slug_candidates(EntityKind::Place, "Georgia", "place:georgia");
        let person = slug_candidates(EntityKind::Person, "Georgia", "person:georgia");

        assert_eq!(place[0], "georgia");
        assert_eq!(place[1], "georgia-place");
        assert_ne!(place[2], person[2]);
    }
}
