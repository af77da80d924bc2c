//! Name search over the directory's aliases, in memory: what `GET /v1/entities?q=` ranks.
//!
//! An alias matches in one of two tiers, scored as [`crate::names::rank`] says (the SQL
//! search scores them the same). Names: the folded alias equals the query, starts with it or
//! has a word starting with it, plus how much of the alias the query covers. Typos: every word of the query (3+ letters) is similar to a word of
//! the alias (trigram similarity at least [`WORD_SIMILARITY`]); the score is the typo weight
//! times the mean similarity, so it stays below every name match. An entity scores its best alias.

use std::collections::{HashMap, HashSet};

use crate::names::rank;

/// The least trigram similarity of two words for a typo match.
pub const WORD_SIMILARITY: f64 = 0.45;

/// The search structures of one snapshot.
#[derive(Debug, Default)]
pub struct NameIndex {
    /// (alias norm, entity index), one per alias.
    aliases: Vec<(String, u32)>,
    /// Every word-start suffix of every alias ("milos vucevic", "vucevic"), sorted, with the
    /// alias index and whether it is the alias's start.
    suffixes: Vec<(String, u32, bool)>,
    /// The distinct words, their trigrams, and the aliases they occur in.
    words: Vec<(String, Vec<u32>)>,
    /// How many distinct trigrams each word has.
    word_gram_counts: Vec<u16>,
    /// Trigram -> words containing it.
    trigram_words: HashMap<[char; 3], Vec<u32>>,
}

impl NameIndex {
    /// Indexes (alias norm, entity index) pairs.
    pub fn build(aliases: Vec<(String, u32)>) -> Self {
        let mut suffixes = Vec::new();
        let mut word_ids: HashMap<&str, u32> = HashMap::new();
        let mut words: Vec<(String, Vec<u32>)> = Vec::new();
        for (alias_index, (norm, _)) in aliases.iter().enumerate() {
            let alias_index = u32::try_from(alias_index).unwrap_or(u32::MAX);
            let mut start = 0;
            for word in norm.split(' ') {
                if !word.is_empty() {
                    suffixes.push((norm[start..].to_owned(), alias_index, start == 0));
                    let next = u32::try_from(words.len()).unwrap_or(u32::MAX);
                    let id = *word_ids.entry(word).or_insert_with(|| {
                        words.push((word.to_owned(), Vec::new()));
                        next
                    });
                    let occurrences = &mut words[id as usize].1;
                    if occurrences.last() != Some(&alias_index) {
                        occurrences.push(alias_index);
                    }
                }
                start += word.len() + 1;
            }
        }
        suffixes.sort_unstable();
        let mut word_gram_counts = Vec::with_capacity(words.len());
        let mut trigram_words: HashMap<[char; 3], Vec<u32>> = HashMap::new();
        for (id, (word, _)) in words.iter().enumerate() {
            let grams = trigrams(word);
            word_gram_counts.push(u16::try_from(grams.len()).unwrap_or(u16::MAX));
            for gram in grams {
                trigram_words
                    .entry(gram)
                    .or_default()
                    .push(u32::try_from(id).unwrap_or(u32::MAX));
            }
        }
        Self {
            aliases,
            suffixes,
            words,
            word_gram_counts,
            trigram_words,
        }
    }

    /// The entities whose aliases match `q` (folded), with their scores, name matches first.
    pub fn search(&self, q: &str) -> Vec<(u32, f64)> {
        let mut best: HashMap<u32, f64> = HashMap::new();
        let query_length = q.chars().count();
        let start = self
            .suffixes
            .partition_point(|(suffix, _, _)| suffix.as_str() < q);
        for (suffix, alias, at_start) in &self.suffixes[start..] {
            if !suffix.starts_with(q) {
                break;
            }
            let (norm, entity) = &self.aliases[*alias as usize];
            let base = match (at_start, norm.len() == q.len()) {
                (true, true) => rank::EXACT,
                (true, false) => rank::PREFIX,
                (false, _) => rank::WORD_PREFIX,
            };
            let score = rank::name_match(base, query_length, norm.chars().count());
            let entry = best.entry(*entity).or_insert(score);
            *entry = entry.max(score);
        }
        for (entity, score) in self.typos(q) {
            best.entry(entity).or_insert(score);
        }
        best.into_iter().collect()
    }

    /// Typo matches: entities whose aliases hold, for every query word, a similar word.
    fn typos(&self, q: &str) -> Vec<(u32, f64)> {
        let query_words: Vec<&str> = q.split(' ').filter(|w| w.chars().count() >= 3).collect();
        if query_words.is_empty() {
            return Vec::new();
        }
        // For each query word, the best similarity it reaches in each alias.
        let mut per_alias: HashMap<u32, Vec<f64>> = HashMap::new();
        for (position, query_word) in query_words.iter().enumerate() {
            let grams = trigrams(query_word);
            // Shared trigrams per word, counted over the posting lists of the query's
            // trigrams (each word appears once per trigram it shares).
            let mut shared: HashMap<u32, u16> = HashMap::new();
            for gram in &grams {
                if let Some(words) = self.trigram_words.get(gram) {
                    for word in words {
                        *shared.entry(*word).or_insert(0) += 1;
                    }
                }
            }
            for (word, count) in shared {
                let theirs = usize::from(self.word_gram_counts[word as usize]);
                let similarity = jaccard(f64::from(count), grams.len(), theirs);
                if similarity < WORD_SIMILARITY {
                    continue;
                }
                for alias in &self.words[word as usize].1 {
                    let slots = per_alias
                        .entry(*alias)
                        .or_insert_with(|| vec![0.0; query_words.len()]);
                    slots[position] = slots[position].max(similarity);
                }
            }
        }
        let mut best: HashMap<u32, f64> = HashMap::new();
        for (alias, slots) in per_alias {
            if slots.iter().all(|s| *s >= WORD_SIMILARITY) {
                let score = rank::TYPO * slots.iter().sum::<f64>() / slots.len() as f64;
                let entity = self.aliases[alias as usize].1;
                let entry = best.entry(entity).or_insert(score);
                *entry = entry.max(score);
            }
        }
        best.into_iter().collect()
    }
}

fn jaccard(shared: f64, left: usize, right: usize) -> f64 {
    let union = left as f64 + right as f64 - shared;
    if union <= 0.0 { 0.0 } else { shared / union }
}

/// The trigrams of a word as pg_trgm makes them: padded with two spaces before, one after.
fn trigrams(word: &str) -> HashSet<[char; 3]> {
    let padded: Vec<char> = "  "
        .chars()
        .chain(word.chars())
        .chain(" ".chars())
        .collect();
    padded.windows(3).map(|w| [w[0], w[1], w[2]]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index() -> NameIndex {
        NameIndex::build(vec![
            ("milos vucevic".to_owned(), 0),
            ("vucevic".to_owned(), 0),
            ("aleksandar vucic".to_owned(), 1),
            ("vucic".to_owned(), 1),
            ("belgrade".to_owned(), 2),
            ("sns".to_owned(), 3),
            ("serbian progressive party".to_owned(), 3),
        ])
    }

    fn ranked(index: &NameIndex, q: &str) -> Vec<u32> {
        let mut hits = index.search(q);
        hits.sort_by(|a, b| b.1.total_cmp(&a.1));
        hits.into_iter().map(|(entity, _)| entity).collect()
    }

    #[test]
    fn exact_aliases_beat_prefixes_and_words() {
        let index = index();

        assert_eq!(ranked(&index, "vucevic")[0], 0);
        assert_eq!(ranked(&index, "vucic")[0], 1);
        assert_eq!(ranked(&index, "sns"), [3]);
        assert_eq!(ranked(&index, "progressive"), [3]);
    }

    #[test]
    fn prefixes_and_typos_are_found() {
        let index = index();

        assert_eq!(ranked(&index, "belgr"), [2]);
        assert_eq!(ranked(&index, "vucevc")[0], 0);
        assert_eq!(ranked(&index, "aleksander vucic")[0], 1);
        assert!(ranked(&index, "zzzz").is_empty());
    }

    #[test]
    fn typo_scores_stay_below_name_matches() {
        let index = index();

        let hits = index.search("belgrad");
        let typo = index.search("belgrde");

        assert!(hits[0].1 >= 0.8);
        assert!(typo.iter().all(|(_, score)| *score < 0.5), "{typo:?}");
    }
}
