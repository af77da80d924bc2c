//! Resolution of spans given as if the model had tagged them, so that a rule is tested on
//! the tagging it is written for.

use super::*;
use crate::Extractor;

/// Resolves `text` with the spans the model is given to have found: (words, type).
fn resolve_as_tagged(text: &str, tagged: &[(&str, &str)]) -> Extraction {
    let extractor = Extractor::load_default().expect("the shipped model loads");
    let a = crate::features::analyze(extractor.lexicon(), &[text]);
    let mut spans = Vec::new();
    for (words, kind) in tagged {
        let words: Vec<&str> = words.split(' ').collect();
        for start in 0..a.tokens.len() {
            let end = start + words.len();
            if end <= a.tokens.len()
                && a.tokens[start..end]
                    .iter()
                    .zip(&words)
                    .all(|(t, w)| t.text == *w)
            {
                spans.push(Span {
                    start,
                    end,
                    kind: (*kind).to_owned(),
                    confidence: 0.9,
                });
            }
        }
    }
    spans.sort_by_key(|s| s.start);
    resolve(&a, &spans, &[text], &[Field::Body], extractor.kb())
}

fn kind_of_name(x: &Extraction, name: &str) -> Option<EntityKind> {
    x.entities
        .iter()
        .find(|e| e.canonical == name)
        .map(|e| e.kind)
}

#[test]
fn a_full_name_mistyped_is_the_person_its_surname_names() {
    let text = "Tiger Woods won on Sunday. Woods said he felt well. Woods will rest.";
    let mistyped = resolve_as_tagged(text, &[("Tiger Woods", "LOC"), ("Woods", "PER")]);
    let text = "Fans of the Philadelphia Eagles cheered. Eagles said nothing.";
    let team = resolve_as_tagged(text, &[("Philadelphia Eagles", "ORG"), ("Eagles", "PER")]);

    assert_eq!(
        kind_of_name(&mistyped, "Tiger Woods"),
        Some(EntityKind::Person)
    );
    assert_eq!(mistyped.entities.len(), 1, "{:?}", mistyped.entities);
    assert_eq!(
        kind_of_name(&team, "Philadelphia Eagles"),
        Some(EntityKind::Organization),
        "a name starting with a known place keeps its type"
    );
}

#[test]
fn a_name_ending_with_an_institutions_head_word_is_an_organization() {
    let text = "The High Court in Islamabad ruled. The U.S. Geological Survey said the West Bank \
                and the Soviet Union felt it.";
    let x = resolve_as_tagged(
        text,
        &[
            ("High Court", "LOC"),
            ("Islamabad", "LOC"),
            ("U.S. Geological Survey", "PER"),
            ("West Bank", "LOC"),
            ("Soviet Union", "LOC"),
        ],
    );

    assert_eq!(
        kind_of_name(&x, "High Court"),
        Some(EntityKind::Organization)
    );
    assert_eq!(
        kind_of_name(&x, "U.S. Geological Survey"),
        Some(EntityKind::Organization)
    );
    assert_eq!(kind_of_name(&x, "Islamabad"), Some(EntityKind::Place));
    assert_eq!(kind_of_name(&x, "West Bank"), Some(EntityKind::Place));
}
