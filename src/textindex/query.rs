//! A tsquery, as PostgreSQL prints it (`websearch_to_tsquery(...)::text`), parsed into a
//! tree that the index evaluates over posting lists. PostgreSQL does the parsing, stemming
//! and stop words, so the index matches exactly what `search @@ query` matches; a phrase
//! (`<->`) is evaluated as AND (a superset, checked again by the database), and forms the
//! web-search syntax never produces (weights, prefixes) are refused.

/// A parsed tsquery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Query {
    /// A lexeme.
    Term(String),
    /// All of these.
    And(Vec<Query>),
    /// Any of these.
    Or(Vec<Query>),
    /// Not this.
    Not(Box<Query>),
}

/// A query and whether it only approximates the database's (a phrase read as AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    /// The tree; `None` for the empty query (only stop words), which matches nothing.
    pub query: Option<Query>,
    /// Whether matches must be confirmed by the database.
    pub approximate: bool,
}

/// Parses PostgreSQL's text form of a tsquery. `None` when it holds something the index
/// cannot answer (weights, prefix matches, a phrase under NOT).
pub fn parse(text: &str) -> Option<Parsed> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Some(Parsed {
            query: None,
            approximate: false,
        });
    }
    let mut parser = Parser {
        tokens,
        at: 0,
        approximate: false,
        negations: 0,
    };
    let query = parser.or()?;
    if parser.at != parser.tokens.len() {
        return None;
    }
    Some(Parsed {
        query: Some(query),
        approximate: parser.approximate,
    })
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Lexeme(String),
    And,
    Or,
    Not,
    Phrase,
    Open,
    Close,
}

fn tokenize(text: &str) -> Option<Vec<Token>> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            ' ' => {}
            '&' => tokens.push(Token::And),
            '|' => tokens.push(Token::Or),
            '!' => tokens.push(Token::Not),
            '(' => tokens.push(Token::Open),
            ')' => tokens.push(Token::Close),
            '<' => {
                // `<->` or `<N>`: a phrase operator, whatever the distance.
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '>' {
                        closed = true;
                        break;
                    }
                    if c != '-' && !c.is_ascii_digit() {
                        return None;
                    }
                }
                if !closed {
                    return None;
                }
                tokens.push(Token::Phrase);
            }
            '\'' => {
                let lexeme = quoted(&mut chars)?;
                // A weight or prefix marker (`:*`, `:AB`) changes what matches.
                if chars.peek() == Some(&':') {
                    return None;
                }
                tokens.push(Token::Lexeme(lexeme));
            }
            _ => return None,
        }
    }
    Some(tokens)
}

/// Characters of a tsquery's or tsvector's text form.
pub(super) type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// The rest of a quoted lexeme after its opening quote: `''` is a quote, `\` escapes the
/// next character (as PostgreSQL prints tsqueries and tsvectors).
pub(super) fn quoted(chars: &mut Chars<'_>) -> Option<String> {
    let mut lexeme = String::new();
    loop {
        match chars.next()? {
            '\'' if chars.peek() == Some(&'\'') => {
                chars.next();
                lexeme.push('\'');
            }
            '\'' => return Some(lexeme),
            '\\' => lexeme.push(chars.next()?),
            c => lexeme.push(c),
        }
    }
}

struct Parser {
    tokens: Vec<Token>,
    at: usize,
    approximate: bool,
    negations: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at)
    }

    fn or(&mut self) -> Option<Query> {
        self.joined(&Token::Or, Self::and, Query::Or)
    }

    fn and(&mut self) -> Option<Query> {
        self.joined(&Token::And, Self::phrase, Query::And)
    }

    /// One or more `part`s separated by `operator`, combined by `join` when more than one.
    fn joined(
        &mut self,
        operator: &Token,
        part: fn(&mut Self) -> Option<Query>,
        join: fn(Vec<Query>) -> Query,
    ) -> Option<Query> {
        let mut parts = vec![part(self)?];
        while self.peek() == Some(operator) {
            self.at += 1;
            parts.push(part(self)?);
        }
        Some(if parts.len() == 1 {
            parts.remove(0)
        } else {
            join(parts)
        })
    }

    fn phrase(&mut self) -> Option<Query> {
        let mut parts = vec![self.unary()?];
        while self.peek() == Some(&Token::Phrase) {
            self.at += 1;
            parts.push(self.unary()?);
        }
        if parts.len() == 1 {
            return Some(parts.remove(0));
        }
        // Read as AND, a superset of the phrase; under NOT it would be a subset.
        if self.negations > 0 {
            return None;
        }
        self.approximate = true;
        Some(Query::And(parts))
    }

    fn unary(&mut self) -> Option<Query> {
        match self.tokens.get(self.at)?.clone() {
            Token::Not => {
                self.at += 1;
                self.negations += 1;
                let inner = self.unary();
                self.negations -= 1;
                Some(Query::Not(Box::new(inner?)))
            }
            Token::Open => {
                self.at += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return None;
                }
                self.at += 1;
                Some(inner)
            }
            Token::Lexeme(lexeme) => {
                self.at += 1;
                Some(Query::Term(lexeme))
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(text: &str) -> Query {
        Query::Term(text.to_owned())
    }

    #[test]
    fn reads_what_websearch_to_tsquery_prints() {
        let parsed = parse("'receiv'").expect("a term");
        assert_eq!(parsed.query, Some(term("receiv")));
        assert!(!parsed.approximate);

        let parsed = parse("'oil' & !'opec' | 'gas'").expect("a boolean");
        assert_eq!(
            parsed.query,
            Some(Query::Or(vec![
                Query::And(vec![term("oil"), Query::Not(Box::new(term("opec")))]),
                term("gas"),
            ]))
        );

        let parsed = parse("( 'a' | 'b' ) & 'it''s' & 'back\\\\slash'").expect("groups");
        assert_eq!(
            parsed.query,
            Some(Query::And(vec![
                Query::Or(vec![term("a"), term("b")]),
                term("it's"),
                term("back\\slash"),
            ]))
        );
    }

    #[test]
    fn a_phrase_is_approximated_by_and_except_under_not() {
        let parsed = parse("'new' <-> 'york' & 'citi'").expect("a phrase");
        assert!(parsed.approximate);
        assert_eq!(
            parsed.query,
            Some(Query::And(vec![
                Query::And(vec![term("new"), term("york")]),
                term("citi"),
            ]))
        );
        assert!(parse("'a' <2> 'b'").expect("a distance").approximate);
        assert_eq!(parse("!( 'new' <-> 'york' )"), None);
    }

    #[test]
    fn refuses_weights_prefixes_and_garbage() {
        assert_eq!(parse("'a':*"), None);
        assert_eq!(parse("'a':AB"), None);
        assert_eq!(parse("'a' &"), None);
        assert_eq!(parse("( 'a'"), None);
        assert_eq!(parse("'unterminated"), None);
        assert_eq!(parse("a"), None);
    }

    #[test]
    fn the_empty_query_matches_nothing() {
        assert_eq!(
            parse(""),
            Some(Parsed {
                query: None,
                approximate: false
            })
        );
    }
}
