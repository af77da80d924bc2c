//! No input makes the extractor panic, and every mention's offsets point at its text.

use std::sync::OnceLock;

use newsgraph_extract::Extractor;
use proptest::prelude::*;

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| Extractor::load_default().expect("the shipped model loads"))
}

fn check(title: Option<&str>, body: &str) {
    let x = extractor().extract(title, body);
    for m in &x.mentions {
        let field = if m.field == newsgraph_extract::Field::Title {
            title.unwrap_or("")
        } else {
            body
        };
        let slice: String = field.chars().skip(m.start).take(m.end - m.start).collect();
        assert_eq!(slice, m.text);
        assert!(m.start < m.end && m.entity < x.entities.len());
        assert!((0.0..=1.0).contains(&m.confidence));
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_unicode_never_panics_and_offsets_match(title in proptest::option::of(".{0,40}"), body in ".{0,400}") {
        check(title.as_deref(), &body);
    }

    #[test]
    fn text_shaped_input_never_panics_and_offsets_match(
        body in r"([A-Z][a-z]{0,8}|[A-Z]{2,5}|[a-z]{1,8}|\(|\)|&amp;|<b>|'s|\.|,|\n| ){0,120}"
    ) {
        check(None, &body);
    }
}
