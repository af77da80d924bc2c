//! Query parameters: every endpoint lists the parameters it takes, an unknown or repeated one
//! is a 400 that names it, and typed accessors turn bad values into 400s that name the
//! parameter and say what was expected. Shared values (limit, cursors, dates, formats) are
//! parsed here so that every endpoint reads them the same way.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::ApiError;
use crate::db::listing::Position;
use crate::domain::{Named, spellings};

/// A half-open range of dates, either end open.
pub type DateRange = (Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// The page size when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 20;
/// The largest page size.
pub const MAX_LIMIT: i64 = 100;
/// The most name=value pairs a query string may hold; no endpoint needs more than a few.
pub const MAX_PAIRS: usize = 32;

/// The parsed query string of one request.
#[derive(Debug)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Parses the query string, refusing names not in `allowed`.
    pub fn parse(query: Option<&str>, allowed: &[&str]) -> Result<Self, ApiError> {
        let pairs: Vec<(String, String)> =
            url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
                .take(MAX_PAIRS + 1)
                .map(|(name, value)| (name.into_owned(), value.into_owned()))
                .collect();
        if pairs.len() > MAX_PAIRS {
            let name = pairs
                .last()
                .map_or_else(String::new, |(name, _)| name.clone());
            return Err(ApiError::invalid(
                name,
                format!("more than {MAX_PAIRS} parameters in one query string"),
            ));
        }
        if let Some((name, _)) = pairs
            .iter()
            .find(|(name, _)| !allowed.contains(&name.as_str()))
        {
            let takes = if allowed.is_empty() {
                "this endpoint takes no parameters".to_owned()
            } else {
                format!("this endpoint takes: {}", allowed.join(", "))
            };
            return Err(ApiError::invalid(
                name.clone(),
                format!("unknown parameter; {takes}"),
            ));
        }
        // PostgreSQL text cannot hold NUL; no parameter has a use for control characters.
        if let Some((name, _)) = pairs
            .iter()
            .find(|(_, value)| value.chars().any(|c| c.is_control() && c != '\t'))
        {
            return Err(ApiError::invalid(
                name.clone(),
                "contains a control character",
            ));
        }
        Ok(Self { pairs })
    }

    /// Every value of a repeatable parameter, empty ones dropped.
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.pairs
            .iter()
            .filter(|(n, v)| n == name && !v.is_empty())
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// The value of a parameter given at most once; an empty value counts as absent.
    pub fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        match self.all(name).as_slice() {
            [] => Ok(None),
            [value] => Ok(Some(value)),
            _ => Err(ApiError::invalid(name, "given more than once")),
        }
    }

    /// A value parsed by `parse`, whose error message says what was expected.
    pub fn parsed<T>(
        &self,
        name: &str,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.one(name)?
            .map(|value| parse(value).map_err(|detail| ApiError::invalid(name, detail)))
            .transpose()
    }

    /// A whole number from `min` to `max`; `default` when absent.
    pub fn bounded(&self, name: &str, min: i64, max: i64, default: i64) -> Result<i64, ApiError> {
        Ok(self
            .parsed(name, |value| {
                value
                    .parse::<i64>()
                    .ok()
                    .filter(|number| (min..=max).contains(number))
                    .ok_or_else(|| format!("expected a whole number from {min} to {max}"))
            })?
            .unwrap_or(default))
    }

    /// `limit`: 1 to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`].
    pub fn limit(&self) -> Result<i64, ApiError> {
        Ok(self
            .parsed("limit", |value| match value.parse::<i64>() {
                Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
                _ => Err(format!("expected an integer from 1 to {MAX_LIMIT}")),
            })?
            .unwrap_or(DEFAULT_LIMIT))
    }

    /// A boolean: `true`/`false` (also `1`/`0`).
    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        Ok(self
            .parsed(name, |value| match value {
                "true" | "1" => Ok(true),
                "false" | "0" => Ok(false),
                _ => Err("expected true or false".to_owned()),
            })?
            .unwrap_or(false))
    }

    /// One of a fixed set of words.
    pub fn choice<'a>(&self, name: &str, choices: &[&'a str]) -> Result<Option<&'a str>, ApiError> {
        self.parsed(name, |value| {
            choices
                .iter()
                .find(|choice| **choice == value)
                .copied()
                .ok_or_else(|| format!("expected one of: {}", choices.join(", ")))
        })
    }

    /// One of `choices`, read by its spelling ([`Named`]).
    pub fn choice_of<T: Named>(&self, name: &str, choices: &[T]) -> Result<Option<T>, ApiError> {
        self.parsed(name, |value| {
            choices
                .iter()
                .copied()
                .find(|choice| choice.as_str() == value)
                .ok_or_else(|| format!("expected one of: {}", spellings(choices)))
        })
    }

    /// A date or date-time: RFC 3339, or YYYY-MM-DD (midnight UTC).
    pub fn date(&self, name: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
        self.parsed(name, parse_date)
    }

    /// `from` and `to` (half-open); `to` must come after `from` when both are given.
    pub fn date_range(&self) -> Result<DateRange, ApiError> {
        let from = self.date("from")?;
        let to = self.date("to")?;
        if let (Some(from), Some(to)) = (from, to)
            && from >= to
        {
            return Err(ApiError::invalid("to", "must be after from"));
        }
        Ok((from, to))
    }

    /// The `cursor` of a keyset page, decoded into `T`.
    pub fn cursor<T: DeserializeOwned>(&self) -> Result<Option<T>, ApiError> {
        self.parsed("cursor", |value| {
            let bytes = URL_SAFE_NO_PAD
                .decode(value)
                .map_err(|_| "not a cursor returned by this endpoint".to_owned())?;
            serde_json::from_slice(&bytes)
                .map_err(|_| "not a cursor returned by this endpoint".to_owned())
        })
    }
}

impl Params {
    /// The keyset position of `cursor`, which must have been made for this `sort`.
    pub fn position(&self, sort: &str) -> Result<Option<Position>, ApiError> {
        let position = self.cursor::<Position>()?;
        match position {
            Some(position) if position.sort != sort => Err(ApiError::invalid(
                "cursor",
                format!("made for sort={}, not sort={sort}", position.sort),
            )),
            other => Ok(other),
        }
    }
}

/// Encodes a keyset position as an opaque cursor.
pub fn encode_cursor(position: &impl Serialize) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(position).expect("cursor positions serialize"))
}

/// RFC 3339, or a plain date meaning midnight UTC, in the years 1 to 9999 (PostgreSQL's
/// timestamps reach further back than chrono's, but not as far as chrono's negative years).
pub fn parse_date(value: &str) -> Result<DateTime<Utc>, String> {
    let date = if let Ok(date) = NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        date.and_hms_opt(0, 0, 0)
            .expect("midnight exists")
            .and_utc()
    } else {
        DateTime::parse_from_rfc3339(value)
            .map(|date| date.with_timezone(&Utc))
            .map_err(|_| "expected an RFC 3339 date-time or a YYYY-MM-DD date".to_owned())?
    };
    if !(1..=9999).contains(&date.year()) {
        return Err("expected a date in the years 0001 to 9999".to_owned());
    }
    Ok(date)
}

pub use crate::domain::IdOrSlug;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_repeated_parameters_are_named() {
        let unknown = Params::parse(Some("limit=5&colour=red"), &["limit"]).expect_err("unknown");
        let params = Params::parse(Some("limit=5&limit=6"), &["limit"]).expect("known");

        assert!(
            matches!(unknown, ApiError::InvalidParameter { ref param, .. } if param == "colour")
        );
        assert!(
            matches!(params.limit(), Err(ApiError::InvalidParameter { ref param, .. }) if param == "limit")
        );
    }

    #[test]
    fn limits_outside_the_range_are_refused() {
        for bad in ["0", "101", "-1", "ten"] {
            let params = Params::parse(Some(&format!("limit={bad}")), &["limit"]).expect("known");

            assert!(params.limit().is_err(), "{bad}");
        }
        let none = Params::parse(None, &["limit"]).expect("empty");
        assert_eq!(none.limit().expect("default"), DEFAULT_LIMIT);
    }

    #[test]
    fn cursors_round_trip_and_garbage_is_refused() {
        let cursor = encode_cursor(&(42, "x"));
        let params = Params::parse(Some(&format!("cursor={cursor}")), &["cursor"]).expect("known");
        let garbage = Params::parse(Some("cursor=%%%"), &["cursor"]).expect("known");

        assert_eq!(
            params.cursor::<(i32, String)>().expect("valid"),
            Some((42, "x".to_owned()))
        );
        assert!(garbage.cursor::<(i32, String)>().is_err());
    }

    #[test]
    fn control_characters_and_unknown_names_are_refused() {
        let nul = Params::parse(Some("q=a%00b"), &["q"]).expect_err("NUL");
        let none = Params::parse(Some("x=1"), &[]).expect_err("no parameters");

        assert!(matches!(nul, ApiError::InvalidParameter { ref param, .. } if param == "q"));
        assert!(none.to_string().contains("takes no parameters"));
    }

    #[test]
    fn a_range_must_not_end_before_it_starts() {
        let backwards =
            Params::parse(Some("from=2024-02-01&to=2024-01-01"), &["from", "to"]).expect("known");

        assert!(matches!(
            backwards.date_range(),
            Err(ApiError::InvalidParameter { ref param, .. }) if param == "to"
        ));
    }

    #[test]
    fn dates_and_slugs_are_validated() {
        assert!(parse_date("2024-02-30").is_err());
        assert_eq!(
            parse_date("2024-02-03").expect("date").to_rfc3339(),
            "2024-02-03T00:00:00+00:00"
        );
        assert!(IdOrSlug::parse("milos-vucevic").is_ok());
        assert_eq!(
            IdOrSlug::parse("Q30"),
            Ok(IdOrSlug::Wikidata("Q30".to_owned()))
        );
        assert!(IdOrSlug::parse("Q030").is_err());
        assert!(IdOrSlug::parse("Q").is_err());
        assert!(IdOrSlug::parse("Milos Vucevic").is_err());
    }

    #[test]
    fn dates_outside_the_years_postgresql_stores_are_refused() {
        assert!(parse_date("-200000-01-01").is_err());
        assert!(parse_date("+200000-01-01T00:00:00Z").is_err());
        assert!(parse_date("0000-12-31").is_err());
        assert!(parse_date("0001-01-01").is_ok());
        assert!(parse_date("9999-12-31T23:59:59Z").is_ok());
    }

    #[test]
    fn a_query_string_holds_a_bounded_number_of_parameters() {
        let many = vec!["entity=kosovo"; MAX_PAIRS + 1].join("&");
        let refused = Params::parse(Some(&many), &["entity"]).expect_err("too many");
        assert!(
            refused.to_string().contains("more than 32 parameters"),
            "{refused}"
        );
        let enough = vec!["entity=kosovo"; MAX_PAIRS].join("&");
        assert!(Params::parse(Some(&enough), &["entity"]).is_ok());
    }
}
