//! JSON Lines (one object per line) and JSON arrays of objects.

use std::io::{BufRead, Read};

use serde::de::{Deserializer as _, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Event, LineCounter, ReadContext, read_text};
use crate::ingest::record::{MAX_BODY_BYTES, RawRecord};

/// Reads one JSON object per line. Blank lines are skipped; a line that is not UTF-8, not
/// JSON, or not a valid record is reported with its number and the others go on.
pub(super) fn read_lines(
    mut reader: Box<dyn BufRead + Send>,
    context: &ReadContext,
    sink: &mut dyn FnMut(Event) -> bool,
) {
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let limit = u64::try_from(MAX_LINE_BYTES).unwrap_or(u64::MAX) + 1;
        match reader.by_ref().take(limit).read_until(b'\n', &mut line) {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) => {
                let (location, reason) = context.read_failure(number, &error);
                sink(Event::Failure(location, reason));
                return;
            }
        }
        number += 1;
        if line.len() > MAX_LINE_BYTES && line.last() != Some(&b'\n') {
            let reason = format!(
                "line longer than {} MiB (an article's body may hold {} MiB)",
                MAX_LINE_BYTES >> 20,
                MAX_BODY_BYTES >> 20
            );
            let skipped = skip_line(&mut *reader);
            if !sink(Event::Failure(context.at(number), reason)) {
                return;
            }
            if let Err(error) = skipped {
                let (location, reason) = context.read_failure(number, &error);
                sink(Event::Failure(location, reason));
                return;
            }
            continue;
        }
        let event = match std::str::from_utf8(&line) {
            Err(_) => Event::Failure(context.at(number), "not UTF-8 text".to_owned()),
            Ok(text) if text.trim().is_empty() => continue,
            Ok(text) => match serde_json::from_str::<Value>(text) {
                Ok(value) => object_event(&value, context, number),
                Err(error) => Event::Failure(context.at(number), format!("invalid JSON: {error}")),
            },
        };
        if !sink(event) {
            return;
        }
    }
}

/// The longest line read: an article's largest body, escaped, with room for its other fields.
/// A longer line is reported and skipped without being held in memory.
pub const MAX_LINE_BYTES: usize = 2 * MAX_BODY_BYTES + (1 << 20);

/// Reads up to and including the next newline (or the end), keeping nothing.
fn skip_line(reader: &mut dyn BufRead) -> std::io::Result<()> {
    loop {
        let buffer = reader.fill_buf()?;
        if buffer.is_empty() {
            return Ok(());
        }
        if let Some(at) = buffer.iter().position(|&b| b == b'\n') {
            reader.consume(at + 1);
            return Ok(());
        }
        let length = buffer.len();
        reader.consume(length);
    }
}

/// Reads a `.json` file: an array of objects, or objects one per line.
pub(super) fn read_json(
    reader: Box<dyn BufRead + Send>,
    context: &ReadContext,
    sink: &mut dyn FnMut(Event) -> bool,
) {
    let Some(text) = read_text(reader, context, sink) else {
        return;
    };
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if !trimmed.starts_with('[') {
        let cursor = std::io::Cursor::new(text.into_bytes());
        read_lines(Box::new(cursor), context, sink);
        return;
    }
    let mut deserializer = serde_json::Deserializer::from_str(&text);
    let visitor = ArrayVisitor {
        lines: LineCounter::new(&text),
        context,
        sink: &mut *sink,
    };
    if let Err(error) = deserializer.deserialize_seq(visitor) {
        // Items before the fault have gone through already.
        let line = u64::try_from(error.line()).unwrap_or(0).max(1);
        sink(Event::Failure(
            context.at(line),
            format!("invalid JSON: {error}"),
        ));
    }
}

/// Walks the array item by item, so that a syntax error late in the file keeps the items
/// before it, and each item's line is known.
struct ArrayVisitor<'a, 's> {
    lines: LineCounter<'a>,
    context: &'a ReadContext,
    sink: &'s mut dyn FnMut(Event) -> bool,
}

impl<'de, 's> Visitor<'de> for ArrayVisitor<'de, 's> {
    type Value = ();

    fn expecting(&self, formatter: &mut std::fmt::Formatter) -> std::fmt::Result {
        formatter.write_str("a JSON array of article objects")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(item) = seq.next_element::<&'de RawValue>()? {
            let line = self.lines.line_of(item.get());
            let event = match serde_json::from_str::<Value>(item.get()) {
                Ok(value) => object_event(&value, self.context, line),
                Err(error) => {
                    Event::Failure(self.context.at(line), format!("invalid JSON: {error}"))
                }
            };
            if !(self.sink)(event) {
                return Ok(());
            }
        }
        Ok(())
    }
}

fn object_event(value: &Value, context: &ReadContext, line: u64) -> Event {
    let Some(object) = value.as_object() else {
        return Event::Failure(context.at(line), "expected a JSON object".to_owned());
    };
    match RawRecord::from_json(object) {
        Ok(record) => Event::Record(context.at(line), record),
        Err(error) => Event::Failure(context.at(line), error.to_string()),
    }
}
