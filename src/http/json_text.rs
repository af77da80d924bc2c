//! Long strings written as JSON string literals, eight bytes at a time.
//!
//! serde_json escapes a string one byte at a time through a lookup table. Article bodies are
//! most of the bytes of every article page, and that loop was 11% of all CPU (serve,
//! PostgreSQL and the load generator together) under `GET /v1/articles?entity=…` at 32
//! connections. Here each 8-byte word is tested at once for a byte that needs escaping, and
//! only the words that have one are looked at byte by byte. The output is byte for byte what
//! serde_json writes (the tests compare them). Over the 23,878 bodies of ../shared/corpus/bench
//! it runs at 1.6 times serde_json's speed (2.2 against 1.35 GB/s; `cargo bench --bench
//! json_text`).

/// Appends `text` as a JSON string literal, exactly as `serde_json::to_writer(out, text)`
/// writes it.
pub fn write_str(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    let mut index = 0;
    while let Some(chunk) = bytes.get(index..index + 8) {
        let word = u64::from_le_bytes(chunk.try_into().expect("a slice of eight bytes"));
        let flagged = bytes_to_escape(word);
        if flagged == 0 {
            index += 8;
            continue;
        }
        // The lowest flagged byte is always a true one (a false flag needs a borrow from a
        // true one below it), so go straight to it and scan on from the byte after.
        index += (flagged.trailing_zeros() / 8) as usize;
        escape_at(bytes, index, &mut start, out);
        index += 1;
    }
    while index < bytes.len() {
        escape_at(bytes, index, &mut start, out);
        index += 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

const ONES: u64 = u64::MAX / 255;
const HIGHS: u64 = ONES << 7;

/// The high bit of every byte of `word` that is a control character, `"` or `\` (the
/// "has a zero byte" test applied to the word less 0x20, and to its XOR with `"` and with
/// `\`), and maybe of bytes above the lowest such one. Bytes of 0x80 and above, which make
/// up multi-byte UTF-8 characters, are never flagged.
fn bytes_to_escape(word: u64) -> u64 {
    let control = word.wrapping_sub(ONES * 0x20) & !word;
    let quote = word ^ (ONES * u64::from(b'"'));
    let quote = quote.wrapping_sub(ONES) & !quote;
    let backslash = word ^ (ONES * u64::from(b'\\'));
    let backslash = backslash.wrapping_sub(ONES) & !backslash;
    (control | quote | backslash) & HIGHS
}

/// When the byte at `index` needs escaping, writes the text since `start` and its escape.
/// Such bytes are ASCII, so every cut is between two characters.
fn escape_at(bytes: &[u8], index: usize, start: &mut usize, out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let byte = bytes[index];
    let escape: &[u8] = match byte {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0c => b"\\f",
        0x00..=0x1f => &[
            b'\\',
            b'u',
            b'0',
            b'0',
            HEX[usize::from(byte >> 4)],
            HEX[usize::from(byte & 0xf)],
        ],
        _ => return,
    };
    out.extend_from_slice(&bytes[*start..index]);
    out.extend_from_slice(escape);
    *start = index + 1;
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::write_str;

    fn ours(text: &str) -> String {
        let mut out = Vec::new();
        write_str(&mut out, text);
        String::from_utf8(out).expect("UTF-8")
    }

    #[test]
    fn every_escape_is_written_as_serde_json_writes_it() {
        let all_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            "",
            "plain",
            "exactly8",
            "\"quoted\" and \\ back\\slashed\\",
            "line\nbreak\r\n\ttab \u{8} \u{c} \u{1} \u{1f} \u{7f}",
            "Vučić, Вучић and 東京 \u{2028} — “quotes”",
            all_ascii.as_str(),
        ] {
            assert_eq!(ours(text), serde_json::to_string(text).expect("serde_json"));
        }
    }

    proptest! {
        #[test]
        fn any_text_is_written_as_serde_json_writes_it(text in "(?s).{0,200}") {
            prop_assert_eq!(ours(&text), serde_json::to_string(&text).expect("serde_json"));
        }

        #[test]
        fn text_dense_with_escapes_is_written_as_serde_json_writes_it(
            text in "[\"\\\\\n\t\u{0}-\u{1f} a-zé€😀]{0,100}"
        ) {
            prop_assert_eq!(ours(&text), serde_json::to_string(&text).expect("serde_json"));
        }
    }
}
