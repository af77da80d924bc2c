//! Small text helpers shared by the tokenizer, the features and the match keys: folding of
//! case, diacritics and Cyrillic, word shapes and a fast string hash. Pure functions only.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A combining mark (accent) that belongs to the preceding letter.
pub fn is_mark(c: char) -> bool {
    is_combining_mark(c)
}

/// Appends the folded form of one lowercase character: letters without diacritics, Serbian
/// (and Russian) Cyrillic transliterated to Latin as Serbian Latin writes it, then stripped.
fn push_folded_lower(c: char, out: &mut String) {
    let s: &str = match c {
        'đ' | 'ђ' => "d",
        'ß' => "ss",
        'ø' => "o",
        'ł' => "l",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        'ð' => "d",
        'ı' => "i",
        'а' => "a",
        'б' => "b",
        'в' => "v",
        'г' | 'ґ' => "g",
        'д' => "d",
        'е' | 'ё' | 'є' | 'э' => "e",
        'ж' => "z",
        'з' => "z",
        'и' | 'і' | 'ї' => "i",
        'й' | 'ј' => "j",
        'к' => "k",
        'л' => "l",
        'љ' => "lj",
        'м' => "m",
        'н' => "n",
        'њ' => "nj",
        'о' => "o",
        'п' => "p",
        'р' => "r",
        'с' => "s",
        'т' => "t",
        'ћ' => "c",
        'у' | 'ў' => "u",
        'ф' => "f",
        'х' => "h",
        'ц' => "c",
        'ч' => "c",
        'џ' => "dz",
        'ш' => "s",
        'щ' => "sc",
        'ъ' | 'ь' => "",
        'ы' => "y",
        'ю' => "ju",
        'я' => "ja",
        _ => {
            if c.is_ascii() {
                out.push(c);
            } else {
                out.extend(c.nfkd().filter(|&d| !is_combining_mark(d)));
            }
            return;
        }
    };
    out.push_str(s);
}

/// Lowercases and folds `s` into `out`: diacritics stripped, Cyrillic transliterated.
pub fn fold_into(s: &str, out: &mut String) {
    for c in s.chars() {
        if c.is_ascii() {
            out.push(c.to_ascii_lowercase());
        } else {
            for l in c.to_lowercase() {
                push_folded_lower(l, out);
            }
        }
    }
}

/// The form of a token used for word features and lexicon look-ups: folded, digits as `0`.
pub fn feature_form(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    fold_into(s, &mut out);
    if out.bytes().any(|b| b.is_ascii_digit()) {
        out = out
            .chars()
            .map(|c| if c.is_ascii_digit() { '0' } else { c })
            .collect();
    }
    out
}

/// The shape of a word: `Xxxx` → "Xx", "U.S." → "X.X.", "1996" → "d", runs collapsed.
pub fn shape(s: &str) -> String {
    let mut out = String::with_capacity(8);
    shape_chars(s, |k| out.push(k));
    out
}

/// The hash of [`shape`]`(s)`, computed without building the string.
pub fn shape_hash(s: &str) -> u64 {
    let mut h = FNV_OFFSET;
    shape_chars(s, |k| {
        let mut buf = [0u8; 4];
        for &b in k.encode_utf8(&mut buf).as_bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
    });
    mix(h)
}

fn shape_chars(s: &str, mut emit: impl FnMut(char)) {
    let mut last = '\0';
    let mut n = 0;
    for c in s.chars() {
        let k = if c.is_ascii_uppercase() || (!c.is_ascii() && c.is_uppercase()) {
            'X'
        } else if c.is_ascii_lowercase() || (!c.is_ascii() && (c.is_alphabetic() || is_mark(c))) {
            'x'
        } else if c.is_numeric() {
            'd'
        } else {
            c
        };
        if k != last {
            emit(k);
            last = k;
            n += 1;
            if n > 12 {
                break;
            }
        }
    }
}

/// FNV-1a's offset basis and prime, 64-bit.
pub(crate) const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
pub(crate) const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A 64-bit hash of a string (FNV-1a with a final mix); stable across platforms and versions,
/// because the trained model stores feature hashes.
pub fn hash_str(s: &str) -> u64 {
    let mut h = FNV_OFFSET;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(FNV_PRIME);
    }
    mix(h)
}

/// The splitmix64 finalizer.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Combines two hashes (order matters).
pub fn combine(a: u64, b: u64) -> u64 {
    mix(a.rotate_left(17) ^ b.wrapping_mul(0x9e37_79b9_7f4a_7c15))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_removes_case_diacritics_and_cyrillic() {
        assert_eq!(feature_form("Vučić"), "vucic");
        assert_eq!(feature_form("Вучић"), "vucic");
        assert_eq!(feature_form("Đoković"), "dokovic");
        assert_eq!(feature_form("Straße"), "strasse");
        assert_eq!(feature_form("1996-08"), "0000-00");
    }

    #[test]
    fn shapes_collapse_runs() {
        assert_eq!(shape("Belgrade"), "Xx");
        assert_eq!(shape("U.S."), "X.X.");
        assert_eq!(shape("SNS"), "X");
        assert_eq!(shape("1,000"), "d,d");
        assert_eq!(shape_hash("Vučić"), hash_str(&shape("Vučić")));
    }

    /// The committed model stores feature hashes: any change of these values (another hash
    /// function, byte order, constant or finalizer) silently detaches every weight from its
    /// feature, so the values are written out here rather than recomputed.
    #[test]
    fn hashes_are_stable() {
        assert_eq!(hash_str(""), 0xf52a_15e9_a9b5_e89b);
        assert_eq!(hash_str("belgrade"), 0x2952_fb3a_b9cf_5adb);
        assert_eq!(hash_str("Vučić"), 0x6f05_9335_eff1_7b70);
        assert_eq!(combine(1, 2), 0x5b00_c671_9759_0451);
        assert_eq!(combine(2, 1), 0xca9c_0d0d_e2fa_5bc0);
    }
}
