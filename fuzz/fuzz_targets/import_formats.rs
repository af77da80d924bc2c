//! Fuzzes the importer's input formats end to end, as `newsgraph import` reads a file:
//! gzip detection, format detection (by extension, else by content), the seed, JSON Lines,
//! JSON array and RSS/Atom readers, then validation of every record.
//!
//! Each input is read under every name the format detection distinguishes (no extension, as
//! stdin; `.txt`, `.jsonl`, `.json`, `.xml`), and once more gzip-compressed here, so that the
//! readers see well-formed gzip of every format rather than only mutated gzip bytes.
//!
//! Properties: nothing panics; every failure is located in the file it came from, on a line
//! the input has (or on the whole file), in file order; gzip changes nothing but the bytes;
//! a record that fails validation says why, and one that passes is already normalized
//! (validating it again changes nothing, so an export imported again is unchanged, unless
//! its text was escaped more often than normalization decodes).

#![no_main]

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use libfuzzer_sys::fuzz_target;
use newsgraph::ingest::formats::{Event, read_bytes};
use newsgraph::ingest::record::{MAX_SOURCE_CHARS, MAX_TITLE_CHARS};
use newsgraph::ingest::text::MAX_DECODE_PASSES;
use newsgraph::ingest::{Location, RawRecord};

/// No extension (the content decides, as for stdin), then each extension that decides.
const NAMES: [&str; 5] = [
    "fuzz-input",
    "fuzz-input.txt",
    "fuzz-input.jsonl",
    "fuzz-input.json",
    "fuzz-input.xml",
];

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

fuzz_target!(|data: &[u8]| {
    let is_gzip = data.starts_with(&GZIP_MAGIC);
    // Lines are counted in the decompressed text, which only a plain input shows here.
    let last_line = (!is_gzip).then(|| 1 + data.iter().filter(|&&b| b == b'\n').count() as u64);
    let mut by_content = Vec::new();
    for name in NAMES {
        let events = read(name, data, last_line);
        if name == NAMES[0] {
            by_content = events;
        }
    }
    if !is_gzip {
        let compressed = read(NAMES[0], &gzip(data), last_line);
        assert_eq!(by_content, compressed, "gzip changed what was read");
    }
});

/// What a reader yielded, comparable.
#[derive(Debug, PartialEq)]
enum Seen {
    Record(Location, RawRecord),
    Failure(Location, String),
}

/// Reads `data` as a file called `name`, checks every event, and validates every record.
fn read(name: &str, data: &[u8], last_line: Option<u64>) -> Vec<Seen> {
    let mut seen = Vec::new();
    let mut previous_line = 0;
    read_bytes(name, data, &mut |event| {
        let (location, is_record) = match &event {
            Event::Record(location, _) => (location, true),
            Event::Failure(location, _) => (location, false),
        };
        assert_eq!(&*location.file, name, "located in another file: {event:?}");
        match location.line {
            Some(line) => {
                assert!(line >= 1, "line 0: {event:?}");
                assert!(
                    last_line.is_none_or(|last| line <= last),
                    "past the last line {last_line:?}: {event:?}"
                );
                assert!(
                    line >= previous_line,
                    "out of order after line {previous_line}: {event:?}"
                );
                previous_line = line;
            }
            None => assert!(!is_record, "a record without a line: {event:?}"),
        }
        seen.push(match event {
            Event::Record(location, raw) => {
                check_validation(&raw);
                Seen::Record(location, raw)
            }
            Event::Failure(location, reason) => {
                assert!(
                    !reason.trim().is_empty(),
                    "a failure without a reason at {location}"
                );
                Seen::Failure(location, reason)
            }
        });
        true
    });
    seen
}

fn check_validation(raw: &RawRecord) {
    let article = match raw.clone().validate() {
        Ok(article) => article,
        Err(errors) => {
            assert!(!errors.0.is_empty(), "refused without a reason: {raw:?}");
            for error in &errors.0 {
                assert!(!error.reason.is_empty(), "an empty reason: {errors:?}");
            }
            return;
        }
    };
    assert!(
        !article.url.is_empty() && !article.domain.is_empty(),
        "{article:?}"
    );
    assert!(
        !article.body.trim().is_empty(),
        "an empty body: {article:?}"
    );
    assert!(!article.source_name.is_empty() && !article.language.is_empty());
    assert!(article.title.chars().count() <= MAX_TITLE_CHARS);
    assert!(article.source_name.chars().count() <= MAX_SOURCE_CHARS);
    let again = RawRecord {
        url: Some(article.url.clone()),
        title: Some(article.title.clone()),
        body: Some(article.body.clone()),
        published_at: article.published_at.map(|date| date.to_rfc3339()),
        source: Some(article.source_name.clone()),
        language: Some(article.language.clone()),
    }
    .validate();
    if again.as_ref() != Ok(&article) {
        // The one change allowed: text escaped more often than normalization decodes.
        let deep = [&raw.title, &raw.body, &raw.source]
            .into_iter()
            .any(|field| field.as_deref().is_some_and(escaped_too_often));
        assert!(deep, "validating again changed it: {raw:?}\n{again:?}");
    }
}

/// Whether `text` still holds a character reference after the passes normalization makes,
/// each dropping control characters first as it does.
fn escaped_too_often(text: &str) -> bool {
    let strip = |text: &str| -> String {
        text.chars()
            .filter(|&c| (c.is_whitespace() || !c.is_control()) && c != '\u{feff}')
            .collect()
    };
    let mut text = strip(text);
    for _ in 0..MAX_DECODE_PASSES {
        let decoded = strip(&htmlize::unescape(&text));
        if decoded == text {
            return false;
        }
        text = decoded;
    }
    strip(&htmlize::unescape(&text)) != text
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(data).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}
