//! Publication dates in the formats feeds and exports use: RFC 3339 / ISO 8601 (with or
//! without offset or time), RFC 2822 (RSS `pubDate`, zone names included), common written
//! dates ("9 December 2023", "Dec 9, 2023"), and Unix timestamps. A time without a zone is
//! taken as UTC.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

const WITH_OFFSET: [&str; 4] = [
    "%Y-%m-%dT%H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M%:z",
    "%Y-%m-%d %H:%M:%S%.f%:z",
    "%Y-%m-%dT%H:%M:%S%.f%z",
];
const NAIVE_DATETIME: [&str; 6] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
];
const DATE: [&str; 9] = [
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
    "%d.%m.%Y",
];

/// Parses a publication date, or says why it cannot.
pub fn parse(raw: &str) -> Result<DateTime<Utc>, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("empty date".to_owned());
    }
    let parsed = parse_any(text).ok_or_else(|| format!("unrecognized date {text:?}"))?;
    let year = parsed.format("%Y").to_string();
    if !(1800..=2200).contains(&year.parse::<i32>().unwrap_or(0)) {
        return Err(format!(
            "date {text:?} is out of range (years 1800 to 2200)"
        ));
    }
    Ok(parsed)
}

fn parse_any(text: &str) -> Option<DateTime<Utc>> {
    if let Some(timestamp) = unix_timestamp(text) {
        return Some(timestamp);
    }
    // chrono's %:z does not read "Z"; RFC 3339 does.
    if let Ok(parsed) = DateTime::parse_from_rfc3339(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    let zulu = text
        .strip_suffix(['Z', 'z'])
        .map(|rest| format!("{rest}+00:00"));
    let offset_text = zulu.as_deref().unwrap_or(text);
    for format in WITH_OFFSET {
        if let Ok(parsed) = DateTime::parse_from_str(offset_text, format) {
            return Some(parsed.with_timezone(&Utc));
        }
    }
    if let Ok(parsed) = DateTime::parse_from_rfc2822(text) {
        return Some(parsed.with_timezone(&Utc));
    }
    for format in NAIVE_DATETIME {
        if let Ok(parsed) =
            NaiveDateTime::parse_from_str(offset_text.trim_end_matches("+00:00"), format)
        {
            return Some(Utc.from_utc_datetime(&parsed));
        }
    }
    for format in DATE {
        if let Ok(date) = NaiveDate::parse_from_str(text, format) {
            return Some(Utc.from_utc_datetime(&date.and_hms_opt(0, 0, 0)?));
        }
    }
    None
}

/// Seconds (10 digits or fewer) or milliseconds (13 digits) since 1970.
fn unix_timestamp(text: &str) -> Option<DateTime<Utc>> {
    if !text.bytes().all(|b| b.is_ascii_digit()) || text.len() < 9 {
        return None;
    }
    let number: i64 = text.parse().ok()?;
    match text.len() {
        9 | 10 => DateTime::from_timestamp(number, 0),
        13 => DateTime::from_timestamp_millis(number),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(text: &str) -> String {
        parse(text).expect("a date").to_rfc3339()
    }

    #[test]
    fn iso_dates_with_and_without_zone_are_read() {
        assert_eq!(utc("2023-12-09"), "2023-12-09T00:00:00+00:00");
        assert_eq!(utc("2023-12-09T10:30:00Z"), "2023-12-09T10:30:00+00:00");
        assert_eq!(
            utc("2023-12-09T10:30:00+02:00"),
            "2023-12-09T08:30:00+00:00"
        );
        assert_eq!(utc("2023-12-09 10:30:00"), "2023-12-09T10:30:00+00:00");
        assert_eq!(
            utc("2023-12-09T10:30:00.123-0500"),
            "2023-12-09T15:30:00.123+00:00"
        );
    }

    #[test]
    fn rfc2822_dates_with_zone_names_are_read() {
        assert_eq!(
            utc("Sat, 09 Dec 2023 10:30:00 GMT"),
            "2023-12-09T10:30:00+00:00"
        );
        assert_eq!(
            utc("Sat, 9 Dec 2023 10:30:00 EST"),
            "2023-12-09T15:30:00+00:00"
        );
        assert_eq!(
            utc("Sat, 09 Dec 2023 10:30:00 +0100"),
            "2023-12-09T09:30:00+00:00"
        );
    }

    #[test]
    fn written_dates_and_timestamps_are_read() {
        assert_eq!(utc("9 December 2023"), "2023-12-09T00:00:00+00:00");
        assert_eq!(utc("Dec 9, 2023"), "2023-12-09T00:00:00+00:00");
        assert_eq!(utc("1702117800"), "2023-12-09T10:30:00+00:00");
        assert_eq!(utc("1702117800000"), "2023-12-09T10:30:00+00:00");
    }

    #[test]
    fn nonsense_and_impossible_dates_are_refused_with_the_value() {
        assert!(parse("yesterday").unwrap_err().contains("yesterday"));
        assert!(parse("2023-02-30").is_err());
        assert!(parse("0001-01-01").is_err());
        assert!(parse("").is_err());
    }
}
