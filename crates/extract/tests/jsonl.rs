//! The `newsgraph extract` JSON Lines contract (see `newsgraph_extract::jsonl`).

use std::sync::OnceLock;

use newsgraph_extract::jsonl::run_jsonl_with_threads;
use newsgraph_extract::{Extractor, run_jsonl};
use serde_json::Value;

fn extractor() -> &'static Extractor {
    static EXTRACTOR: OnceLock<Extractor> = OnceLock::new();
    EXTRACTOR.get_or_init(|| Extractor::load_default().expect("the shipped model loads"))
}

fn run(input: &str, threads: usize) -> (Vec<Value>, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    run_jsonl_with_threads(input.as_bytes(), &mut out, &mut err, extractor(), threads)
        .expect("in-memory I/O");
    let lines = String::from_utf8(out)
        .expect("UTF-8 output")
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    (lines, String::from_utf8(err).expect("UTF-8 errors"))
}

#[test]
fn each_line_yields_its_id_and_entities_with_code_point_offsets() {
    let input = r#"{"id": "a1", "text": "Žarko met Angela Merkel in Berlin."}"#;

    let (out, err) = run(input, 1);

    assert_eq!(err, "");
    assert_eq!(out.len(), 1);
    assert_eq!(out[0]["id"], "a1");
    let entities = out[0]["entities"].as_array().expect("an entities array");
    let merkel = entities
        .iter()
        .find(|e| e["text"] == "Angela Merkel")
        .expect("Merkel found");
    assert_eq!(
        (merkel["start"].as_u64(), merkel["end"].as_u64()),
        (Some(10), Some(23))
    );
    assert_eq!(merkel["type"], "person");
    assert_eq!(merkel["canonical"], "Angela Merkel");
    let confidence = merkel["confidence"].as_f64().expect("a number");
    assert!((0.0..=1.0).contains(&confidence));
}

#[test]
fn numeric_ids_are_echoed_as_numbers() {
    let (out, _) = run(r#"{"id": 42, "text": "Paris"}"#, 1);

    assert_eq!(out[0]["id"], 42);
}

#[test]
fn malformed_lines_are_reported_with_their_line_number_and_the_rest_go_through() {
    let input = concat!(
        r#"{"id": 1, "text": "Talks in Geneva."}"#,
        "\n",
        "not json\n",
        r#"{"id": 3}"#,
        "\n",
        r#"{"id": [1], "text": "x"}"#,
        "\n",
        r#"{"id": 5, "text": "Talks in Vienna."}"#,
        "\n"
    );

    let (out, err) = run(input, 2);

    assert_eq!(out.len(), 5, "one output line per input line");
    let ids: Vec<&Value> = out.iter().map(|o| &o["id"]).collect();
    assert_eq!(
        ids,
        [
            &Value::from(1),
            &Value::Null,
            &Value::from(3),
            &Value::Null,
            &Value::from(5)
        ]
    );
    assert!(
        out[1]["error"].is_string() && out[2]["error"].is_string() && out[3]["error"].is_string()
    );
    assert!(
        out[4]["entities"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["text"] == "Vienna"))
    );
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 3, "{err}");
    assert!(lines[0].starts_with("line 2: "), "{err}");
    assert!(
        lines[1].starts_with("line 3: ") && lines[1].contains("text"),
        "{err}"
    );
    assert!(
        lines[2].starts_with("line 4: ") && lines[2].contains("id"),
        "{err}"
    );
}

#[test]
fn the_title_is_context_only_and_its_mentions_are_not_output() {
    let input = r#"{"id": "t", "title": "Merkel in Paris", "text": "She arrived on Monday."}"#;

    let (out, _) = run(input, 1);

    assert_eq!(out[0]["entities"], Value::Array(Vec::new()));
}

#[test]
fn a_countrys_name_standing_for_its_team_is_typed_as_the_place_name_it_is() {
    let line = serde_json::json!({
        "id": "c1",
        "text": "England beat Pakistan by 107 runs in the second one-day international . \
                 Scores : England 292-8 in 50 overs , Pakistan 185 . England captain Mike \
                 Atherton won the toss and the bowlers took four wickets ."
    });
    let (out, _) = run(&format!("{line}\n"), 1);

    let england: Vec<&Value> = out[0]["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .filter(|e| e["text"] == "England")
        .collect();
    assert_eq!(england.len(), 3, "{out:?}");
    for e in england {
        assert_eq!(e["type"], "place", "{e}");
        assert_eq!(e["canonical"], "England national cricket team", "{e}");
    }
}

#[test]
fn output_order_follows_input_order_across_threads() {
    let input: String = (0..300)
        .map(|i| {
            format!(
                "{{\"id\": {i}, \"text\": \"Reporters met officials in Nairobi on day {i}.\"}}\n"
            )
        })
        .collect();

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let stats =
        run_jsonl(input.as_bytes(), &mut out, &mut err, extractor()).expect("in-memory I/O");

    let ids: Vec<u64> = String::from_utf8(out)
        .expect("UTF-8")
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).expect("JSON")["id"]
                .as_u64()
                .expect("numeric id")
        })
        .collect();
    assert_eq!(ids, (0..300).collect::<Vec<u64>>());
    assert_eq!((stats.lines, stats.malformed), (300, 0));
}

#[test]
fn blank_lines_and_invalid_utf8_are_handled() {
    let mut input = b"\n   \n".to_vec();
    input.extend_from_slice(b"{\"id\": 1, \"text\": \"\xff\"}\n");

    let (mut out, mut err) = (Vec::new(), Vec::new());
    let stats = run_jsonl_with_threads(&input[..], &mut out, &mut err, extractor(), 1)
        .expect("in-memory I/O");

    assert_eq!((stats.lines, stats.malformed), (1, 1));
    assert!(
        String::from_utf8(err)
            .expect("UTF-8")
            .starts_with("line 3: not valid UTF-8")
    );
}
