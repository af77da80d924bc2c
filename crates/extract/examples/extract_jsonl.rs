//! `newsgraph extract` without the rest of newsgraph: runs the JSON Lines contract over a file
//! or standard input, for evaluation scripts and benchmarks.
//!
//! ```text
//! extract_jsonl [FILE|-] [--model DIR] [--threads N]
//! ```

use std::io::{self, BufReader};

use newsgraph_extract::Extractor;
use newsgraph_extract::jsonl::run_jsonl_with_threads;

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut file = None;
    let mut model = None;
    let mut threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--model" => model = it.next().cloned(),
            "--threads" => threads = it.next().and_then(|t| t.parse().ok()).unwrap_or(1),
            _ => file = Some(a.clone()),
        }
    }
    let extractor = match model {
        Some(dir) => Extractor::from_path(std::path::Path::new(&dir)),
        None => Extractor::load_default(),
    }
    .unwrap_or_else(|e| {
        eprintln!("{e}");
        std::process::exit(1)
    });
    let stdout = io::stdout().lock();
    let stderr = io::stderr().lock();
    let stats = match file.as_deref() {
        None | Some("-") => {
            run_jsonl_with_threads(io::stdin().lock(), stdout, stderr, &extractor, threads)?
        }
        Some(path) => {
            let f = BufReader::new(std::fs::File::open(path)?);
            run_jsonl_with_threads(f, stdout, stderr, &extractor, threads)?
        }
    };
    eprintln!(
        "{} lines, {} malformed, {} mentions",
        stats.lines, stats.malformed, stats.mentions
    );
    Ok(())
}
