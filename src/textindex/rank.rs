//! What `ts_rank_cd` gives a one-word query in one article, computed from the article's
//! `search` vector as PostgreSQL prints it (`search::text`), so that the index can order a
//! word's matches by relevance exactly as the database would.
//!
//! PostgreSQL's `calc_rank_cd` (src/backend/utils/adt/tsrank.c, normalization 0) adds, for
//! each cover of the query, the cover's length divided by the sum of the inverse weights of
//! its positions, divided by one plus its noise words. A one-word query's covers are its
//! occurrences, each of length one and no noise, so the rank is the sum, in position order
//! and in double precision, of `1 / (1 / w)` over the word's positions, `w` being the
//! position's weight as a `float4` (D 0.1, C 0.2, B 0.4, A 1.0), and the result is cast to
//! `float4`. The same operations in the same order give the same bits. A word stored without
//! positions has no cover, and ranks 0. Owns no SQL and knows nothing of the index.

use super::query::{Chars, quoted};

/// PostgreSQL's default weights, by the two weight bits of a position: D, C, B, A.
const WEIGHTS: [f32; 4] = [0.1, 0.2, 0.4, 1.0];

/// One lexeme of an article and the rank of a query of that lexeme alone.
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    /// The lexeme.
    pub lexeme: String,
    /// `ts_rank_cd(search, 'lexeme'::tsquery)`.
    pub rank: f32,
}

/// Every lexeme of a tsvector's text form, in its order, with its one-word rank; `None` when
/// the text is not a tsvector's output.
pub fn lexemes(text: &str) -> Option<Vec<Ranked>> {
    let mut found = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek() == Some(&' ') {
            chars.next();
        }
        match chars.next() {
            None => return Some(found),
            Some('\'') => {}
            Some(_) => return None,
        }
        let lexeme = quoted(&mut chars)?;
        let rank = if chars.peek() == Some(&':') {
            chars.next();
            cover_density(&mut chars)?
        } else {
            // No positions: no cover.
            0.0
        };
        if chars.peek().is_some_and(|c| *c != ' ') {
            return None;
        }
        found.push(Ranked { lexeme, rank });
    }
}

/// `calc_rank_cd` of a position list (`1A,5,7B`: D is not written) whose positions are each
/// a cover of one: the cover's length (1) over the sum of its inverse weights, over one plus
/// its noise words (0), added in position order.
fn cover_density(chars: &mut Chars<'_>) -> Option<f32> {
    let mut rank = 0.0f64;
    loop {
        let mut digits = 0;
        while chars.peek().is_some_and(char::is_ascii_digit) {
            chars.next();
            digits += 1;
        }
        if digits == 0 {
            return None;
        }
        let weight = match chars.peek() {
            Some('A') => 3,
            Some('B') => 2,
            Some('C') => 1,
            _ => 0,
        };
        if weight > 0 {
            chars.next();
        }
        let inverse_sum = 1.0 / f64::from(WEIGHTS[weight]);
        rank += (1.0 / inverse_sum) / 1.0;
        if chars.peek() != Some(&',') {
            return Some(rank as f32);
        }
        chars.next();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ranks(text: &str) -> Vec<(String, f32)> {
        lexemes(text)
            .expect("a tsvector")
            .into_iter()
            .map(|ranked| (ranked.lexeme, ranked.rank))
            .collect()
    }

    #[test]
    fn sums_the_weights_of_each_position() {
        assert_eq!(
            ranks("'bank':1A,7B,9 'it''s':3C 'back\\\\slash':4"),
            [
                (
                    "bank".to_owned(),
                    (1.0f64 + 0.4f32 as f64 + 0.1f32 as f64) as f32
                ),
                ("it's".to_owned(), 0.2),
                ("back\\slash".to_owned(), 0.1),
            ]
        );
    }

    #[test]
    fn a_lexeme_without_positions_ranks_zero() {
        assert_eq!(
            ranks("'a' 'b':2A"),
            [("a".to_owned(), 0.0), ("b".to_owned(), 1.0)]
        );
        assert_eq!(ranks(""), []);
    }

    #[test]
    fn refuses_what_is_not_a_tsvector() {
        assert_eq!(lexemes("word"), None);
        assert_eq!(lexemes("'open"), None);
        assert_eq!(lexemes("'a':"), None);
        assert_eq!(lexemes("'a':1,"), None);
        assert_eq!(lexemes("'a':1X"), None);
    }
}
