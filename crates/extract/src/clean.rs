//! Cleaning of scraped text before tokenization: HTML tags and character references, exotic
//! spaces, invisible characters and typographic quotes are folded into plain characters, while
//! every cleaned character remembers the code-point range of the original text it came from.
//! It never reorders or invents text, so spans found on the cleaned text map back exactly.

/// Text after cleaning, with the original code-point range of every character.
#[derive(Debug, Default)]
pub struct Cleaned {
    /// The cleaned characters.
    pub chars: Vec<char>,
    /// For each cleaned character, its start offset in the original text (code points).
    pub starts: Vec<u32>,
    /// For each cleaned character, its end offset (exclusive) in the original text.
    pub ends: Vec<u32>,
}

impl Cleaned {
    fn push(&mut self, c: char, start: usize, end: usize) {
        self.chars.push(c);
        self.starts.push(u32::try_from(start).unwrap_or(u32::MAX));
        self.ends.push(u32::try_from(end).unwrap_or(u32::MAX));
    }
}

/// The longest HTML tag recognised; a longer `<…>` is left as text, which keeps the scan linear.
const MAX_TAG: usize = 256;
/// The longest character reference recognised, `&` and `;` included.
const MAX_REF: usize = 10;

/// Cleans `text` (see the module documentation).
pub fn clean(text: &str) -> Cleaned {
    let src: Vec<char> = text.chars().collect();
    let mut out = Cleaned::default();
    out.chars.reserve(src.len());
    out.starts.reserve(src.len());
    out.ends.reserve(src.len());
    let mut i = 0;
    while i < src.len() {
        let c = src[i];
        if c == '<'
            && let Some(end) = tag_end(&src, i)
        {
            out.push(' ', i, end);
            i = end;
            continue;
        }
        if c == '&'
            && let Some((decoded, end)) = char_ref(&src, i)
        {
            push_folded(&mut out, decoded, i, end);
            i = end;
            continue;
        }
        push_folded(&mut out, c, i, i + 1);
        i += 1;
    }
    out
}

fn push_folded(out: &mut Cleaned, c: char, start: usize, end: usize) {
    if let Some(f) = fold_char(c) {
        out.push(f, start, end);
    }
}

/// Folds one character: typographic variants to ASCII, invisible characters to nothing.
fn fold_char(c: char) -> Option<char> {
    Some(match c {
        '\u{00AD}' | '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' => return None,
        '\n' | '\u{2028}' | '\u{2029}' | '\u{85}' => '\n',
        '\r' => '\n',
        c if c.is_whitespace() => ' ',
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}'
        | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => '-',
        '\u{2026}' => '.',
        c if c.is_control() => ' ',
        c => c,
    })
}

/// The end (exclusive) of an HTML tag, comment or doctype starting at `i`, if there is one.
fn tag_end(src: &[char], i: usize) -> Option<usize> {
    let next = *src.get(i + 1)?;
    if !(next.is_ascii_alphabetic() || next == '/' || next == '!' || next == '?') {
        return None;
    }
    let limit = src.len().min(i + MAX_TAG);
    // A '<' before the closing '>' means this one was a plain less-than sign.
    let end = (i + 1..limit).find(|&j| src[j] == '>' || src[j] == '<')?;
    (src[end] == '>').then_some(end + 1)
}

/// A character reference (`&amp;`, `&#39;`, `&#x27;`) starting at `i`: the character and the
/// end of the reference.
fn char_ref(src: &[char], i: usize) -> Option<(char, usize)> {
    let limit = src.len().min(i + MAX_REF);
    let semi = (i + 1..limit).find(|&j| src[j] == ';')?;
    let name: String = src[i + 1..semi].iter().collect();
    let c = if let Some(num) = name.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse::<u32>().ok()?,
        };
        char::from_u32(code)?
    } else {
        named_ref(&name)?
    };
    Some((c, semi + 1))
}

fn named_ref(name: &str) -> Option<char> {
    Some(match name {
        "amp" | "AMP" => '&',
        "lt" | "LT" => '<',
        "gt" | "GT" => '>',
        "quot" | "QUOT" => '"',
        "apos" => '\'',
        "nbsp" => ' ',
        "ndash" | "mdash" | "minus" => '-',
        "lsquo" | "rsquo" | "sbquo" | "prime" => '\'',
        "ldquo" | "rdquo" | "bdquo" | "laquo" | "raquo" => '"',
        "hellip" => '.',
        "euro" => '€',
        "pound" => '£',
        "copy" => '©',
        "eacute" => 'é',
        "egrave" => 'è',
        "aacute" => 'á',
        "oacute" => 'ó',
        "iacute" => 'í',
        "uacute" => 'ú',
        "ntilde" => 'ñ',
        "ccedil" => 'ç',
        "ouml" => 'ö',
        "uuml" => 'ü',
        "auml" => 'ä',
        "szlig" => 'ß',
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(text: &str) -> String {
        clean(text).chars.iter().collect()
    }

    #[test]
    fn html_tags_become_single_spaces_mapped_to_the_whole_tag() {
        let c = clean("a<b>B</b>");

        assert_eq!(c.chars.iter().collect::<String>(), "a B ");
        assert_eq!((c.starts[1], c.ends[1]), (1, 4));
        assert_eq!((c.starts[2], c.ends[2]), (4, 5));
    }

    #[test]
    fn character_references_are_decoded_and_keep_their_original_range() {
        let c = clean("AT&amp;T &#39;x&#x27;");

        assert_eq!(c.chars.iter().collect::<String>(), "AT&T 'x'");
        assert_eq!((c.starts[2], c.ends[2]), (2, 7));
    }

    #[test]
    fn a_lone_less_than_or_ampersand_stays_text() {
        assert_eq!(cleaned("1 < 2 & 3 <"), "1 < 2 & 3 <");
    }

    #[test]
    fn typographic_quotes_and_dashes_fold_to_ascii() {
        assert_eq!(cleaned("“Serbia’s” – x\u{00AD}y"), "\"Serbia's\" - xy");
    }
}
