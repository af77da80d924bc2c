//! The model's raw labelled spans (MISC included, before any resolution rule) of JSON Lines
//! documents, for the training scripts: each input line `{"id": .., "text": ..}` gives an
//! output line `{"id": .., "spans": [[start, end, "PER", confidence], ..]}`, offsets in code
//! points of `text`. A bad line gives `{"id": null, "error": ..}` and the run goes on.
//!
//! ```text
//! raw_jsonl [--model DIR] < docs.jsonl > spans.jsonl
//! ```

use std::io::{self, BufRead, Write};

use newsgraph_extract::Extractor;
use serde::Deserialize;

#[derive(Deserialize)]
struct Doc {
    id: serde_json::Value,
    text: String,
}

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let extractor = match args.iter().position(|a| a == "--model") {
        Some(i) => match args.get(i + 1) {
            Some(dir) => Extractor::from_path(std::path::Path::new(dir)),
            None => {
                eprintln!("raw_jsonl: --model needs a directory");
                std::process::exit(2)
            }
        },
        None => Extractor::load_default(),
    }
    .unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let mut out = io::BufWriter::new(io::stdout().lock());
    for (n, line) in io::stdin().lock().lines().enumerate() {
        let line = line?;
        let doc: Doc = match serde_json::from_str(&line) {
            Ok(d) => d,
            Err(e) => {
                let msg = format!("line {}: {e}", n + 1);
                writeln!(out, "{}", serde_json::json!({"id": null, "error": msg}))?;
                continue;
            }
        };
        let (a, spans) = extractor.tag_raw(&[&doc.text]);
        let spans: Vec<serde_json::Value> = spans
            .iter()
            .map(|s| {
                serde_json::json!([
                    a.tokens[s.start].start,
                    a.tokens[s.end - 1].end,
                    s.kind,
                    s.confidence
                ])
            })
            .collect();
        writeln!(out, "{}", serde_json::json!({"id": doc.id, "spans": spans}))?;
    }
    out.flush()
}
