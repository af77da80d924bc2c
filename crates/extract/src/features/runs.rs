//! Capitalized runs: the words of a multi-word name written with capitals ("Kosovo Security
//! Force", "Bank of England"). Every word of a run learns what the run ends with.

use super::{Analysis, Emitter, TokenFacts};
use crate::text::combine;

/// Words that may join the capitalized words of one name ("Bank of England").
const CONNECTORS: &[&str] = &[
    "of", "and", "for", "de", "du", "la", "al", "el", "van", "von", "der", "&",
];

/// For each token inside a run of two or more capitalized words (connectors allowed) in an
/// ordinary sentence, the run's token range.
pub(super) fn capitalized_runs(
    a: &Analysis,
    facts: &[TokenFacts],
    kind: &[u8],
) -> Vec<Option<(u32, u32)>> {
    let n = a.tokens.len();
    let mut runs = vec![None; n];
    let cap = |i: usize| facts[i].cap.is_capitalized() && kind[i] == 0;
    let mut i = 0;
    while i < n {
        if !cap(i) {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < n && !a.tokens[j].sent_start {
            if cap(j) {
                j += 1;
            } else if j + 1 < n
                && !a.tokens[j + 1].sent_start
                && CONNECTORS.contains(&a.forms[j].as_str())
                && cap(j + 1)
            {
                j += 2;
            } else {
                break;
            }
        }
        if j - i >= 2 {
            let range = (
                u32::try_from(i).unwrap_or(u32::MAX),
                u32::try_from(j).unwrap_or(u32::MAX),
            );
            runs[i..j].fill(Some(range));
        }
        i = j;
    }
    runs
}

/// Features of the capitalized run around token `i`: where the token sits in it and what
/// the run's last word is (a "Force", "Ministry" or "Party" makes the whole run a name).
pub(super) fn emit_run(e: &mut Emitter, facts: &[TokenFacts], s: usize, end: usize, i: usize) {
    let pos = if i == s {
        0
    } else if i + 1 == end {
        2
    } else {
        1
    };
    let len = (end - s).min(5) as u64;
    e.add(90, pos * 8 + len);
    let last = &facts[end - 1];
    e.add(91, last.form_h);
    e.add(92, combine(pos, u64::from(last.gaz)));
    if let Some(w) = &last.info {
        e.add(93, u64::from(w.clusters[2]));
    }
    e.add(94, facts[s].form_h);
}
