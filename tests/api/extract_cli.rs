//! `newsgraph extract`, the engine's command-line contract: JSON Lines in, one line out per
//! input line, code point offsets into `text`, malformed lines reported by number.

use std::io::Write;
use std::process::Stdio;

use serde_json::Value;

use crate::helpers::newsgraph;

#[test]
fn extract_answers_every_line_and_names_the_malformed_one() {
    let input = concat!(
        r#"{"id": "a", "title": "Talks in Belgrade", "text": "Serbian President Aleksandar Vučić met EU envoys in Belgrade."}"#,
        "\n{this is not json\n",
        r#"{"id": 7, "text": ""}"#,
        "\n"
    );
    let mut child = newsgraph()
        .arg("extract")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsgraph runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("write");

    let output = child.wait_with_output().expect("exits");

    assert!(output.status.success());
    let lines: Vec<Value> = String::from_utf8(output.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["id"], "a");
    let text: Vec<char> = "Serbian President Aleksandar Vučić met EU envoys in Belgrade."
        .chars()
        .collect();
    let entities = lines[0]["entities"].as_array().expect("entities");
    for entity in entities {
        let (start, end) = (
            entity["start"].as_u64().expect("start") as usize,
            entity["end"].as_u64().expect("end") as usize,
        );
        assert_eq!(
            text[start..end].iter().collect::<String>(),
            entity["text"].as_str().expect("text")
        );
        assert!(
            ["person", "place", "organization"].contains(&entity["type"].as_str().expect("type"))
        );
    }
    let person = entities
        .iter()
        .find(|e| e["type"] == "person")
        .expect("a person");
    assert_eq!(person["text"], "Aleksandar Vučić");
    assert!(
        entities
            .iter()
            .any(|e| e["text"] == "Belgrade" && e["type"] == "place")
    );
    assert!(lines[1]["error"].is_string());
    assert_eq!(lines[2]["id"], 7);
    assert_eq!(lines[2]["entities"], Value::Array(Vec::new()));
    assert!(String::from_utf8_lossy(&output.stderr).contains("line 2"));
}
