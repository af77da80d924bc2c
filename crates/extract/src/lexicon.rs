//! The lexicon the features look words up in: word clusters and capitalization statistics
//! learned from unlabeled news, and gazetteers (places from GeoNames, person names from the US
//! Census lists). Loaded from two small text files; nothing here is specific to any article.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::clean::clean;
use crate::text::{combine, feature_form, hash_str};
use crate::tokenize::tokenize;

/// A hasher for keys that already are good 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by precomputed hashes.
pub type HashMap64<V> = HashMap<u64, V, BuildHasherDefault<IdHasher>>;

/// What the lexicon knows of one word form.
#[derive(Debug, Clone, Copy, Default)]
pub struct WordInfo {
    /// Cluster ids at three granularities (coarse, middle, fine).
    pub clusters: [u16; 3],
    /// How often the word is capitalized mid-sentence in unlabeled news, bucketed 0..=4
    /// (0: always lowercase, 4: always capitalized).
    pub cap_bucket: u8,
}

/// Gazetteer categories, one bit each.
pub const GAZ_CATEGORIES: &[(char, &str)] = &[
    ('C', "country"),
    ('T', "city"),
    ('S', "region"),
    ('K', "continent"),
    ('F', "first"),
    ('L', "last"),
    ('O', "orgword"),
    ('N', "nationality"),
];

/// The longest gazetteer phrase matched, in tokens.
pub const MAX_PHRASE: usize = 6;

/// Word clusters and gazetteers.
#[derive(Debug, Default)]
pub struct Lexicon {
    words: HashMap64<WordInfo>,
    phrases: HashMap64<u16>,
}

/// The seed of a phrase hash, before its first token.
pub const PHRASE_SEED: u64 = 0x5eed;

impl Lexicon {
    /// Parses the clusters file (`word\tc0\tc1\tc2\tcap`) and the gazetteer file
    /// (`phrase\tcategories`).
    pub fn parse(clusters: &str, gazetteer: &str) -> Result<Self, String> {
        let mut lex = Lexicon::default();
        for (n, line) in clusters.lines().enumerate() {
            let mut parts = line.split('\t');
            let (Some(word), Some(c0), Some(c1), Some(c2), Some(cap)) = (
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
                parts.next(),
            ) else {
                return Err(format!("clusters line {}: expected 5 fields", n + 1));
            };
            let num = |s: &str| {
                s.parse::<u16>()
                    .map_err(|e| format!("clusters line {}: {e}", n + 1))
            };
            let info = WordInfo {
                clusters: [num(c0)?, num(c1)?, num(c2)?],
                cap_bucket: u8::try_from(num(cap)?.min(4)).expect("at most 4"),
            };
            lex.words.insert(hash_str(word), info);
        }
        for line in gazetteer.lines() {
            let Some((phrase, cats)) = line.split_once('\t') else {
                continue;
            };
            let bits = cats.chars().fold(0u16, |acc, c| {
                let bit = GAZ_CATEGORIES.iter().position(|&(k, _)| k == c);
                bit.map_or(acc, |b| acc | (1 << b))
            });
            if let Some(h) = phrase_hash(phrase) {
                *lex.phrases.entry(h).or_insert(0) |= bits;
            }
        }
        Ok(lex)
    }

    /// What is known of a word, by the hash of its feature form.
    pub fn word(&self, form_hash: u64) -> Option<&WordInfo> {
        self.words.get(&form_hash)
    }

    /// The gazetteer categories of a phrase, by its hash (see [`phrase_step`]).
    pub fn phrase(&self, hash: u64) -> u16 {
        self.phrases.get(&hash).copied().unwrap_or(0)
    }

    /// The number of words with clusters and of gazetteer phrases.
    pub fn sizes(&self) -> (usize, usize) {
        (self.words.len(), self.phrases.len())
    }
}

impl crate::tokenize::WordKnowledge for Lexicon {
    fn is_lowercase_word(&self, form: &str) -> bool {
        self.word(hash_str(&feature_form(form)))
            .is_some_and(|w| w.cap_bucket <= 1)
    }
    fn is_capitalized_word(&self, form: &str) -> bool {
        self.word(hash_str(&feature_form(form)))
            .is_some_and(|w| w.cap_bucket >= 3)
    }
    fn is_known_word(&self, form: &str) -> bool {
        self.word(hash_str(&feature_form(form))).is_some()
    }
}

/// Extends a phrase hash by one token (given by the hash of its feature form).
pub fn phrase_step(h: u64, token: u64) -> u64 {
    combine(h, token)
}

/// The hash of a phrase as the tokenizer splits it, or `None` when it is empty or too long.
fn phrase_hash(phrase: &str) -> Option<u64> {
    let tokens = tokenize(&clean(phrase));
    if tokens.is_empty() || tokens.len() > MAX_PHRASE {
        return None;
    }
    Some(tokens.iter().fold(PHRASE_SEED, |h, t| {
        phrase_step(h, hash_str(&feature_form(&t.text)))
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_are_found_by_their_token_hashes() {
        let lex =
            Lexicon::parse("belgrade\t1\t2\t3\t4\n", "New York\tT\nSerbia\tC\n").expect("parses");

        let h = ["new", "york"]
            .iter()
            .fold(PHRASE_SEED, |h, w| phrase_step(h, hash_str(w)));
        assert_eq!(lex.phrase(h), 1 << 1);
        assert_eq!(
            lex.word(hash_str("belgrade")).map(|w| w.clusters),
            Some([1, 2, 3])
        );
    }

    #[test]
    fn a_malformed_clusters_file_is_an_error() {
        assert!(Lexicon::parse("belgrade\t1\n", "").is_err());
    }
}
