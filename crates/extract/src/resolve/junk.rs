//! What the model tags that names nothing: exchange tickers ("GECL.L", "IBM.N"), the
//! abbreviations that open the lines of results tables ("Qtly div 25 cts vs 25 cts prior",
//! "Shr 1.20 dlrs vs 1.10"), and legal forms standing alone ("Inc").

use super::Draft;
use crate::features::Analysis;

/// The most tokens a table line has.
const TABLE_LINE_TOKENS: usize = 16;

/// Removes the drafts that are not names.
pub(super) fn remove(a: &Analysis, drafts: &mut Vec<Draft>) {
    drafts.retain(|d| {
        !is_ticker(&d.text) && !opens_table_line(a, d) && !is_legal_form_alone(&d.text)
    });
}

/// An exchange ticker: a symbol, a period and an exchange suffix ("GECL.L", "0005.HK").
fn is_ticker(text: &str) -> bool {
    let Some((symbol, exchange)) = text.split_once('.') else {
        return false;
    };
    (2..=6).contains(&symbol.len())
        && (1..=3).contains(&exchange.len())
        && symbol
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        && exchange.chars().all(|c| c.is_ascii_uppercase())
}

/// A one-word draft opening a short line of figures and lowercase abbreviations.
fn opens_table_line(a: &Analysis, d: &Draft) -> bool {
    if d.last - d.first != 1 || !a.tokens[d.first].sent_start {
        return false;
    }
    let Some(&(start, end)) = a.sentences.iter().find(|(s, _)| *s == d.first) else {
        return false;
    };
    let tokens = &a.tokens[start..end];
    let numbers = tokens
        .iter()
        .filter(|t| t.text.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .count();
    let next_lower = tokens
        .get(1)
        .is_some_and(|t| t.text.chars().next().is_some_and(char::is_lowercase));
    tokens.len() <= TABLE_LINE_TOKENS && numbers >= 2 && next_lower
}

/// "Inc" or "Corp." alone.
fn is_legal_form_alone(text: &str) -> bool {
    matches!(
        text.trim_end_matches('.').to_lowercase().as_str(),
        "inc" | "corp" | "co" | "ltd" | "plc" | "llc"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tickers_are_recognized() {
        assert!(is_ticker("GECL.L"));
        assert!(is_ticker("IBM.N"));
        assert!(is_ticker("0005.HK"));
        assert!(!is_ticker("U.S."));
        assert!(!is_ticker("U.K"));
        assert!(!is_ticker("St.Louis"));
        assert!(!is_ticker("Corp."));
    }
}
