//! Tests of reading whole inputs through [`read_bytes`]: gzip and format detection, and where
//! each record and failure is located.

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;

use super::*;

fn events(name: &str, bytes: &[u8]) -> Vec<Event> {
    let mut events = Vec::new();
    read_bytes(name, bytes, &mut |event| {
        events.push(event);
        true
    });
    events
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
    encoder.write_all(bytes).expect("writing to memory");
    encoder.finish().expect("writing to memory")
}

fn lines(events: &[Event]) -> Vec<(bool, Option<u64>)> {
    events
        .iter()
        .map(|event| match event {
            Event::Record(location, _) => (true, location.line),
            Event::Failure(location, _) => (false, location.line),
        })
        .collect()
}

const JSON_LINES: &[u8] = b"{\"url\":\"https://a.example/1\",\"body\":\"One.\"}\n\nnot json\n";

#[test]
fn json_lines_are_read_by_content_and_each_failure_names_its_line() {
    let read = events("input", JSON_LINES);

    assert_eq!(lines(&read), [(true, Some(1)), (false, Some(3))]);
    let Event::Failure(location, reason) = &read[1] else {
        panic!("a failure");
    };
    assert_eq!(location.to_string(), "input:3");
    assert!(reason.starts_with("invalid JSON"), "{reason}");
}

#[test]
fn gzip_is_undone_whatever_the_name_says() {
    let plain = events("input.json", JSON_LINES);
    let compressed = events("input.json", &gzip(JSON_LINES));

    assert_eq!(lines(&plain), lines(&compressed));
}

#[test]
fn the_extension_decides_the_format_before_the_content() {
    let as_seed = events("input.txt", JSON_LINES);

    assert_eq!(lines(&as_seed), [(false, Some(1))]);
}

#[test]
fn unknown_content_is_one_failure_of_the_whole_file() {
    let read = events("input", b"hello");

    assert_eq!(lines(&read), [(false, None)]);
}

#[test]
fn a_truncated_gzip_keeps_the_records_before_the_cut_and_says_where() {
    let mut text = Vec::new();
    for i in 0..200 {
        text.extend_from_slice(
            format!("{{\"url\":\"https://a.example/{i}\",\"body\":\"Body {i}.\"}}\n").as_bytes(),
        );
    }
    let compressed = gzip(&text);

    let read = events("input.jsonl.gz", &compressed[..compressed.len() - 12]);

    let Some(Event::Failure(location, reason)) = read.last() else {
        panic!("ends with a failure");
    };
    assert!(reason.starts_with("truncated or corrupt gzip"), "{reason}");
    assert!(location.line.is_some_and(|line| line >= 1));
}
