//! Throughput of the whole extract path (clean, tokenize, features, tag, resolve) on one core,
//! model load time and peak memory, over the benchmark corpus in ../shared/corpus/bench.
//!
//! ```text
//! cargo run --release -p newsgraph-extract --example bench [FILE.jsonl ...]
//! ```
//! Without arguments it reads every `*.jsonl` in ../shared/corpus/bench (fields `title`,
//! `body`). Tokens are counted with the engine's own tokenizer, outside the timed loop.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use newsgraph_extract::Extractor;

fn main() {
    let mut files: Vec<PathBuf> = std::env::args().skip(1).map(PathBuf::from).collect();
    if files.is_empty() {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/bench");
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        files = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
    }
    let mut docs: Vec<(Option<String>, String)> = Vec::new();
    for f in &files {
        let file = std::fs::File::open(f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        for line in std::io::BufReader::new(file).lines() {
            let v: serde_json::Value =
                serde_json::from_str(&line.expect("readable")).expect("JSON");
            let body = v["body"]
                .as_str()
                .or(v["text"].as_str())
                .unwrap_or("")
                .to_owned();
            docs.push((v["title"].as_str().map(str::to_owned), body));
        }
    }
    let t = Instant::now();
    let extractor = Extractor::load_default().expect("the shipped model loads");
    let load = t.elapsed();

    let tokens: usize = docs
        .iter()
        .map(|(title, body)| {
            let count = |s: &str| {
                newsgraph_extract::tokenize::tokenize(&newsgraph_extract::clean::clean(s)).len()
            };
            title.as_deref().map_or(0, count) + count(body)
        })
        .sum();
    let bytes: usize = docs
        .iter()
        .map(|(t, b)| t.as_ref().map_or(0, String::len) + b.len())
        .sum();

    let cpu0 = cpu_seconds();
    let t = Instant::now();
    let mut mentions = 0;
    for (title, body) in &docs {
        mentions += extractor.extract(title.as_deref(), body).mentions.len();
    }
    let secs = t.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu0).map(|(b, a)| b - a);
    println!(
        "model {} loaded in {:.0} ms",
        extractor.version(),
        load.as_secs_f64() * 1000.0
    );
    println!(
        "{} documents, {} tokens, {:.1} MB, {} mentions in {:.2} s on one core",
        docs.len(),
        tokens,
        bytes as f64 / 1e6,
        mentions,
        secs
    );
    println!(
        "{:.0} tokens/s, {:.0} documents/s, {:.2} MB/s",
        tokens as f64 / secs,
        docs.len() as f64 / secs,
        bytes as f64 / 1e6 / secs
    );
    if let Some(cpu) = cpu {
        // CPU time is what one core spent, whatever else the machine was doing.
        println!(
            "{:.0} tokens per CPU second ({cpu:.2} s of CPU)",
            tokens as f64 / cpu
        );
    }
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        for line in status
            .lines()
            .filter(|l| l.starts_with("VmHWM") || l.starts_with("VmRSS"))
        {
            println!("{line}");
        }
    }
}

/// User plus system CPU time of this process, from /proc (Linux), at 100 ticks a second.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
