//! Escaping article bodies as JSON: serde_json's byte loop against
//! `newsgraph::http::json_text::write_str`, over the bodies of ../shared/corpus/bench (read at
//! run time, never copied into the project).
//!
//!   cargo bench --bench json_text [-- CORPUS_DIR]
//!
//! Prints MB/s for each over five rounds and the ratio of the last round. Both write the same
//! bytes (the unit tests in src/http/json_text.rs compare them).

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .skip(1)
        .find(|arg| !arg.starts_with('-'))
        .map_or_else(
            || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/bench"),
            PathBuf::from,
        );
    let mut bodies = Vec::new();
    for entry in std::fs::read_dir(&dir)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "jsonl") {
            for line in std::fs::read_to_string(&path)?.lines() {
                let record: serde_json::Value = serde_json::from_str(line)?;
                if let Some(body) = record["body"].as_str() {
                    bodies.push(body.to_owned());
                }
            }
        }
    }
    let total: usize = bodies.iter().map(String::len).sum();
    println!(
        "{} bodies, {:.1} MB, from {}",
        bodies.len(),
        total as f64 / 1e6,
        dir.display()
    );
    let mut out = Vec::with_capacity(1 << 20);
    let mut ratio = 0.0;
    for round in 1..=5 {
        let start = Instant::now();
        for body in &bodies {
            out.clear();
            serde_json::to_writer(&mut out, body)?;
            black_box(&out);
        }
        let serde = start.elapsed().as_secs_f64();
        let start = Instant::now();
        for body in &bodies {
            out.clear();
            newsgraph::http::json_text::write_str(&mut out, body);
            black_box(&out);
        }
        let ours = start.elapsed().as_secs_f64();
        ratio = serde / ours;
        println!(
            "round {round}: serde_json {:.0} MB/s, write_str {:.0} MB/s",
            total as f64 / serde / 1e6,
            total as f64 / ours / 1e6
        );
    }
    println!("write_str / serde_json throughput: {ratio:.2}x");
    Ok(())
}
