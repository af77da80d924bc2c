//! The `newsgraph extract` contract: JSON Lines in, one JSON line out per input line.
//!
//! ```text
//! in:  {"id": "...", "text": "...", "title": "..."}   (title optional; id a string or number)
//! out: {"id": "...", "entities": [{"start": 0, "end": 5, "type": "person|place|organization",
//!                                  "text": "...", "canonical": "...", "confidence": 0.97}]}
//! ```
//! `type` is the type of the name as written ([`crate::Mention::kind`]), `canonical` the name
//! of its entity: a country's name standing for its national team is a `place` whose
//! canonical name is the team's.
//! Offsets are Unicode code points into `text`; only mentions in `text` are written, the title
//! serves as context. A malformed line still gets its output line, so that output line N
//! always answers input line N: `{"id": <id or null>, "entities": [], "error": "..."}`, and
//! the same reason, with its line number, goes to the error stream. Blank lines are skipped
//! without output. Lines are processed in parallel batches; the output keeps the input order.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::{Extractor, Field};

/// Counts of one run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Non-blank input lines.
    pub lines: usize,
    /// Lines that could not be processed.
    pub malformed: usize,
    /// Entity mentions written.
    pub mentions: usize,
}

#[derive(Deserialize)]
struct Input {
    id: Value,
    text: String,
    #[serde(default)]
    title: Option<String>,
}

#[derive(Serialize)]
struct Output<'a> {
    id: &'a Value,
    entities: Vec<OutEntity<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

#[derive(Serialize)]
struct OutEntity<'a> {
    start: usize,
    end: usize,
    #[serde(rename = "type")]
    kind: &'static str,
    text: &'a str,
    canonical: &'a str,
    confidence: f32,
}

/// Lines read and processed together; big enough to keep every thread busy.
const BATCH_LINES: usize = 512;
const BATCH_BYTES: usize = 8 << 20;

/// Runs the extract contract over `input` with one thread per available core.
pub fn run_jsonl(
    input: impl BufRead,
    output: impl Write,
    errors: impl Write,
    extractor: &Extractor,
) -> io::Result<RunStats> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    run_jsonl_with_threads(input, output, errors, extractor, threads)
}

/// [`run_jsonl`] with a chosen number of worker threads (1: no extra thread).
pub fn run_jsonl_with_threads(
    mut input: impl BufRead,
    mut output: impl Write,
    mut errors: impl Write,
    extractor: &Extractor,
    threads: usize,
) -> io::Result<RunStats> {
    let mut stats = RunStats::default();
    let mut line_no = 0usize;
    let mut batch: Vec<(usize, Vec<u8>)> = Vec::new();
    loop {
        batch.clear();
        let mut bytes = 0;
        while batch.len() < BATCH_LINES && bytes < BATCH_BYTES {
            let mut buf = Vec::new();
            if input.read_until(b'\n', &mut buf)? == 0 {
                break;
            }
            line_no += 1;
            if buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            bytes += buf.len();
            batch.push((line_no, buf));
        }
        if batch.is_empty() {
            break;
        }
        for (line, result) in batch.iter().zip(process_batch(&batch, extractor, threads)) {
            stats.lines += 1;
            output.write_all(result.json.as_bytes())?;
            output.write_all(b"\n")?;
            stats.mentions += result.mentions;
            if let Some(reason) = result.error {
                stats.malformed += 1;
                writeln!(errors, "line {}: {reason}", line.0)?;
            }
        }
    }
    output.flush()?;
    Ok(stats)
}

struct LineResult {
    json: String,
    mentions: usize,
    error: Option<String>,
}

fn process_batch(
    batch: &[(usize, Vec<u8>)],
    extractor: &Extractor,
    threads: usize,
) -> Vec<LineResult> {
    if threads <= 1 || batch.len() < 2 {
        return batch
            .iter()
            .map(|(_, l)| process_line(l, extractor))
            .collect();
    }
    let chunk = batch.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = batch
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(_, l)| process_line(l, extractor))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("extraction does not panic"))
            .collect()
    })
}

/// Processes one input line into its output line.
fn process_line(line: &[u8], extractor: &Extractor) -> LineResult {
    let parsed = std::str::from_utf8(line)
        .map_err(|e| format!("not valid UTF-8: {e}"))
        .and_then(|s| serde_json::from_str::<Input>(s).map_err(|e| format!("malformed JSON: {e}")))
        .and_then(|input| match input.id {
            Value::String(_) | Value::Number(_) => Ok(input),
            _ => Err("\"id\" must be a string or a number".to_owned()),
        });
    let input = match parsed {
        Ok(input) => input,
        Err(reason) => return failed(line, reason),
    };
    let extraction = extractor.extract(input.title.as_deref(), &input.text);
    let entities: Vec<OutEntity> = extraction
        .mentions
        .iter()
        .filter(|m| m.field == Field::Body)
        .map(|m| {
            let entity = &extraction.entities[m.entity];
            OutEntity {
                start: m.start,
                end: m.end,
                kind: m.kind.as_str(),
                text: &m.text,
                canonical: &entity.canonical,
                confidence: (m.confidence * 10_000.0).round() / 10_000.0,
            }
        })
        .collect();
    let mentions = entities.len();
    let json = serde_json::to_string(&Output {
        id: &input.id,
        entities,
        error: None,
    })
    .expect("plain data serializes");
    LineResult {
        json,
        mentions,
        error: None,
    }
}

/// The output line of a malformed input line: its id when one can be read, and the reason.
fn failed(line: &[u8], reason: String) -> LineResult {
    let id = serde_json::from_slice::<Value>(line)
        .ok()
        .and_then(|v| v.get("id").cloned())
        .filter(|id| id.is_string() || id.is_number())
        .unwrap_or(Value::Null);
    let json = serde_json::to_string(&Output {
        id: &id,
        entities: Vec::new(),
        error: Some(&reason),
    })
    .expect("plain data serializes");
    LineResult {
        json,
        mentions: 0,
        error: Some(reason),
    }
}
