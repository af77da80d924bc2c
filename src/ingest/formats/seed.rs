//! The seed text format: one article per file.
//!
//! ```text
//! date YYYY-MM-DD URL
//! (blank line)
//! Title
//! (blank line)
//! Body ...
//! ```

use std::io::BufRead;

use super::{Event, ReadContext, read_text};
use crate::ingest::record::RawRecord;

pub(super) fn read(
    reader: Box<dyn BufRead + Send>,
    context: &ReadContext,
    sink: &mut dyn FnMut(Event) -> bool,
) {
    let Some(text) = read_text(reader, context, sink) else {
        return;
    };
    match parse(&text) {
        Ok(record) => sink(Event::Record(context.at(1), record)),
        Err((line, reason)) => sink(Event::Failure(context.at(line), reason)),
    };
}

/// Parses one seed-format article, or gives the line and reason of the fault.
fn parse(text: &str) -> Result<RawRecord, (u64, String)> {
    let text = text.trim_start_matches('\u{feff}');
    let mut lines = text.split('\n').map(|line| line.trim_end_matches('\r'));
    let header = lines.next().unwrap_or_default();
    let mut words = header.split_whitespace();
    let (Some("date"), Some(date), Some(url), None) =
        (words.next(), words.next(), words.next(), words.next())
    else {
        return Err((
            1,
            format!("expected a first line `date YYYY-MM-DD URL`, found {header:?}"),
        ));
    };
    let mut line_number = 1u64;
    let mut title = None;
    for line in lines.by_ref() {
        line_number += 1;
        if !line.trim().is_empty() {
            title = Some(line.to_owned());
            break;
        }
    }
    let Some(title) = title else {
        return Err((line_number, "no title after the date line".to_owned()));
    };
    let body: Vec<&str> = lines.collect();
    Ok(RawRecord {
        url: Some(url.to_owned()),
        title: Some(title),
        body: Some(body.join("\n")),
        published_at: Some(date.to_owned()),
        source: None,
        language: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_title_and_body_are_read() {
        let record =
            parse("date 2023-12-09 https://a.example/x\n\nThe title\n\nBody one.\n\nBody two.\n")
                .expect("valid");

        assert_eq!(record.url.as_deref(), Some("https://a.example/x"));
        assert_eq!(record.published_at.as_deref(), Some("2023-12-09"));
        assert_eq!(record.title.as_deref(), Some("The title"));
        assert_eq!(record.body.as_deref(), Some("\nBody one.\n\nBody two.\n"));
    }

    #[test]
    fn a_bad_header_is_reported_on_line_one() {
        let error = parse("Title only\n\nBody").expect_err("no header");

        assert_eq!(error.0, 1);
        assert!(error.1.contains("date YYYY-MM-DD URL"));
    }
}
