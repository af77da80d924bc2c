//! Prints what the extractor sees in one text read from standard input: the raw tagged spans
//! (MISC included) and the resolved entities. A debugging aid.
//!
//! ```text
//! show [--model DIR] < article.txt
//! ```

use std::io::Read;

use newsgraph_extract::Extractor;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let extractor = match args.iter().position(|a| a == "--model") {
        Some(i) => Extractor::from_path(std::path::Path::new(&args[i + 1])),
        None => Extractor::load_default(),
    }
    .expect("a model");
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .expect("UTF-8 input");
    let (a, spans) = extractor.tag_raw(&[&text]);
    for s in &spans {
        let words: Vec<&str> = a.tokens[s.start..s.end]
            .iter()
            .map(|t| t.text.as_str())
            .collect();
        println!(
            "{:5} {:4} {:.3} {}",
            a.tokens[s.start].start,
            s.kind,
            s.confidence,
            words.join(" ")
        );
    }
    let x = extractor.extract(None, &text);
    for e in &x.entities {
        println!(
            "{:13} {:35} {:40} {:?}",
            e.kind.as_str(),
            e.canonical,
            e.key,
            e.aliases
        );
    }
}
