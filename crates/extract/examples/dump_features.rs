//! Turns labelled documents into CRFsuite training data, with the very feature code that runs
//! at inference (training/train.py drives it).
//!
//! ```text
//! dump_features features MODEL_DIR SCHEME < docs.jsonl > train.crfsuite
//! dump_features tokens < any.jsonl > sentences.txt   (one sentence of feature forms a line)
//! ```
//! `docs.jsonl` lines are `{"text": "...", "spans": [[start, end, "PER"], ...]}` with
//! code-point offsets; SCHEME is `bio` or `bilou`. In `tokens` mode each line's "title",
//! "text" and "body" fields are tokenized; capitalization counts go to stderr as
//! `form\tcapitalized_mid_sentence\tlowercase` lines at the end.

use std::collections::HashMap;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

use newsgraph_extract::features::{Analysis, Cap, analyze};
use newsgraph_extract::lexicon::Lexicon;

fn main() -> io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("features") if args.len() == 4 => features(Path::new(&args[2]), &args[3]),
        Some("tokens") => tokens(),
        _ => {
            eprintln!("usage: dump_features features MODEL_DIR bio|bilou | dump_features tokens");
            std::process::exit(2);
        }
    }
}

fn load_lexicon(dir: &Path) -> Lexicon {
    let read = |n: &str| std::fs::read_to_string(dir.join(n)).unwrap_or_default();
    Lexicon::parse(&read("clusters.tsv"), &read("gazetteer.tsv")).expect("a valid lexicon")
}

fn features(dir: &Path, scheme: &str) -> io::Result<()> {
    let lex = load_lexicon(dir);
    let bilou = scheme == "bilou";
    let mut out = BufWriter::new(io::stdout().lock());
    let mut feats = Vec::new();
    for line in io::stdin().lock().lines() {
        let doc: serde_json::Value = serde_json::from_str(&line?).expect("a JSON document");
        let text = doc["text"].as_str().expect("a text field");
        let spans: Vec<(u32, u32, String)> = doc["spans"]
            .as_array()
            .expect("a spans array")
            .iter()
            .map(|s| {
                let n = |i: usize| u32::try_from(s[i].as_u64().expect("an offset")).expect("fits");
                (n(0), n(1), s[2].as_str().expect("a type").to_owned())
            })
            .collect();
        let a = analyze(&lex, &[text]);
        let labels = project(&a, &spans, bilou);
        for &(s, e) in &a.sentences {
            for (i, label) in labels.iter().enumerate().take(e).skip(s) {
                write!(out, "{label}")?;
                a.features(i, &mut feats);
                for f in &feats {
                    write!(out, "\t{f:x}")?;
                }
                writeln!(out)?;
            }
            writeln!(out)?;
        }
    }
    out.flush()
}

/// Labels the analysed tokens from gold character spans.
fn project(a: &Analysis, spans: &[(u32, u32, String)], bilou: bool) -> Vec<String> {
    let n = a.tokens.len();
    let mut owner: Vec<Option<usize>> = vec![None; n];
    for (i, t) in a.tokens.iter().enumerate() {
        owner[i] = spans.iter().position(|s| s.0 <= t.start && t.start < s.1);
    }
    (0..n)
        .map(|i| {
            let Some(s) = owner[i] else {
                return "O".to_owned();
            };
            let starts = i == 0 || owner[i - 1] != Some(s) || a.tokens[i].sent_start;
            let ends = i + 1 == n || owner[i + 1] != Some(s) || a.tokens[i + 1].sent_start;
            let prefix = match (bilou, starts, ends) {
                (true, true, true) => "U",
                (true, false, true) => "L",
                (_, true, _) => "B",
                _ => "I",
            };
            format!("{prefix}-{}", spans[s].2)
        })
        .collect()
}

fn tokens() -> io::Result<()> {
    let lex = Lexicon::default();
    let mut caps: HashMap<String, (u32, u32)> = HashMap::new();
    let mut out = BufWriter::new(io::stdout().lock());
    for line in io::stdin().lock().lines() {
        let line = line?;
        let Ok(doc) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        let parts: Vec<&str> = ["title", "text", "body"]
            .iter()
            .filter_map(|k| doc[k].as_str())
            .collect();
        let a = analyze(&lex, &parts);
        for &(s, e) in &a.sentences {
            let words: Vec<&str> = a.forms[s..e].iter().map(String::as_str).collect();
            writeln!(out, "{}", words.join(" "))?;
            let all_caps = a.tokens[s..e]
                .iter()
                .filter(|t| Cap::of(&t.text) == Cap::Lower)
                .count()
                == 0;
            for i in s + 1..e {
                if all_caps {
                    break;
                }
                let c = caps.entry(a.forms[i].clone()).or_default();
                match Cap::of(&a.tokens[i].text) {
                    Cap::Init | Cap::All | Cap::Single => c.0 += 1,
                    Cap::Lower => c.1 += 1,
                    _ => {}
                }
            }
        }
    }
    out.flush()?;
    let mut err = BufWriter::new(io::stderr().lock());
    for (form, (cap, lower)) in caps {
        writeln!(err, "{form}\t{cap}\t{lower}")?;
    }
    err.flush()
}
