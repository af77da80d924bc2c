//! Document-level features: how the same word is written and used elsewhere in the article.
//! A sentence-initial or all-caps "Vucevic" learns from a mid-sentence "Milos Vucevic" in the
//! same article that it is capitalized there and ends a multi-word name.

use super::{Analysis, Emitter, TokenFacts};
use crate::lexicon::HashMap64;
use crate::text::combine;
use crate::tokenize::Token;

#[derive(Default, Clone, Copy)]
struct WordStat {
    /// Capitalized in the middle of an ordinary sentence.
    cap_mid: u16,
    /// Written in lowercase.
    lower: u16,
    /// Bit 0: first of a capitalized run of two or more; bit 1: last of one; bit 2: inside one.
    seq: u8,
    /// The feature forms of up to two distinct words seen right before capitalized uses.
    prev: [u64; 2],
}

/// Statistics over one document, keyed by feature-form hash.
#[derive(Default)]
pub(crate) struct DocStats {
    words: HashMap64<WordStat>,
}

impl DocStats {
    pub fn collect(a: &Analysis, facts: &[TokenFacts], kind: &[u8]) -> DocStats {
        let mut words: HashMap64<WordStat> = HashMap64::default();
        let n = a.tokens.len();
        let capmid =
            |i: usize| facts[i].cap.is_capitalized() && !a.tokens[i].sent_start && kind[i] == 0;
        let mut i = 0;
        while i < n {
            let f = &facts[i];
            let stat = words.entry(f.form_h).or_default();
            if capmid(i) {
                stat.cap_mid = stat.cap_mid.saturating_add(1);
                if i > 0 {
                    let p = facts[i - 1].form_h;
                    if stat.prev[0] == 0 {
                        stat.prev[0] = p;
                    } else if stat.prev[0] != p && stat.prev[1] == 0 {
                        stat.prev[1] = p;
                    }
                }
            } else if f.cap == super::Cap::Lower {
                stat.lower = stat.lower.saturating_add(1);
            }
            // Capitalized runs in ordinary sentences.
            if kind[i] == 0 && f.cap.is_capitalized() {
                let mut j = i + 1;
                while j < n && !a.tokens[j].sent_start && facts[j].cap.is_capitalized() {
                    j += 1;
                }
                if j - i >= 2 {
                    for (k, fk) in facts.iter().enumerate().take(j).skip(i) {
                        let bit = if k == i {
                            1
                        } else if k == j - 1 {
                            2
                        } else {
                            4
                        };
                        words.entry(fk.form_h).or_default().seq |= bit;
                    }
                }
                i = j;
                continue;
            }
            i += 1;
        }
        DocStats { words }
    }

    pub fn emit(
        &self,
        e: &mut Emitter,
        tokens: &[Token],
        facts: &[TokenFacts],
        kind: &[u8],
        i: usize,
    ) {
        let f = &facts[i];
        if !f.cap.is_capitalized() && kind[i] == 0 {
            return;
        }
        let Some(s) = self.words.get(&f.form_h) else {
            return;
        };
        let own_capmid = u16::from(!tokens[i].sent_start && kind[i] == 0);
        let others_cap = s.cap_mid > own_capmid;
        let cap = f.cap as u64;
        e.add(80, u64::from(others_cap) * 2 + u64::from(s.lower > 0));
        e.add(
            81,
            combine(cap, u64::from(others_cap) * 2 + u64::from(s.lower > 0)),
        );
        e.add(82, u64::from(s.seq));
        for &p in s.prev.iter().filter(|&&p| p != 0) {
            e.add(83, p);
        }
    }
}
