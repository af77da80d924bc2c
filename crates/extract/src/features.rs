//! Feature extraction, written once and used both to dump training data and at inference, so
//! the two cannot drift apart. Every feature is a 64-bit hash of a template id and a value; the
//! model maps hashes to weights without ever building feature strings.

use crate::lexicon::{GAZ_CATEGORIES, Lexicon, MAX_PHRASE, PHRASE_SEED, WordInfo, phrase_step};
use crate::text::{combine, feature_form, hash_str, shape_hash};
use crate::tokenize::Token;

mod doc;
mod runs;

use runs::{capitalized_runs, emit_run};

/// A document ready for tagging: its tokens, sentences and what the features of each token
/// are computed from. Features are produced one token at a time ([`Analysis::features`]), so
/// a huge document never holds all its features at once.
#[derive(Default)]
pub struct Analysis {
    /// The tokens of all parts (title, then body), in order.
    pub tokens: Vec<Token>,
    /// For each token, the index of the part (the `parts` given to [`analyze`]) it is in.
    pub part: Vec<u8>,
    /// Sentences as token ranges `start..end`.
    pub sentences: Vec<(usize, usize)>,
    /// For each token, its feature form (folded, lowercase).
    pub forms: Vec<String>,
    facts: Vec<TokenFacts>,
    sent_kind: Vec<u8>,
    stats: doc::DocStats,
    runs: Vec<Option<(u32, u32)>>,
}

impl Analysis {
    /// Replaces `out` with the feature hashes of token `i`.
    pub fn features(&self, i: usize, out: &mut Vec<u64>) {
        out.clear();
        let mut e = Emitter { out };
        emit_token(
            &mut e,
            &self.tokens,
            &self.forms,
            &self.facts,
            &self.sent_kind,
            i,
        );
        self.stats
            .emit(&mut e, &self.tokens, &self.facts, &self.sent_kind, i);
        if let Some((s, end)) = self.runs[i] {
            emit_run(&mut e, &self.facts, s as usize, end as usize, i);
        }
    }

    /// Whether token `i` is a word that unlabeled news nearly always writes in lowercase
    /// mid-sentence ("Later", "The" opening a sentence): a common word, not a name.
    pub fn is_common_word(&self, i: usize) -> bool {
        self.facts[i].info.is_some_and(|w| w.cap_bucket <= 1)
    }

    /// Whether token `i` is a word that heads organizations' names ("University", "Corp";
    /// the lexicon's `orgword` gazetteer).
    pub fn is_org_word(&self, i: usize) -> bool {
        self.begins_gazetteer_match(i, "orgword")
    }

    /// Whether token `i` begins a phrase of the lexicon's gazetteer `category`
    /// ([`GAZ_CATEGORIES`]: "nationality", "orgword", …).
    pub fn begins_gazetteer_match(&self, i: usize, category: &str) -> bool {
        let bit = GAZ_CATEGORIES
            .iter()
            .position(|&(_, name)| name == category);
        bit.is_some_and(|b| self.facts[i].gaz & (1 << b) != 0)
    }

    /// Whether token `i` is in an ordinary sentence, not a headline written in title case or
    /// all capitals, where capitals say nothing about names.
    pub fn in_ordinary_sentence(&self, i: usize) -> bool {
        self.sent_kind[i] == 0
    }

    /// Whether token `i` begins with a capital letter.
    pub fn is_capitalized(&self, i: usize) -> bool {
        self.facts[i].cap.is_capitalized()
    }
}

/// How a token is capitalized.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Cap {
    /// No letters.
    None = 0,
    /// All letters lowercase.
    Lower = 1,
    /// First letter uppercase, some lowercase.
    Init = 2,
    /// Two or more letters, all uppercase.
    All = 3,
    /// One uppercase letter.
    Single = 4,
    /// Starts lowercase, has uppercase ("iPhone").
    Mixed = 5,
}

impl Cap {
    /// The capitalization of `s`.
    pub fn of(s: &str) -> Cap {
        let (mut upper, mut lower) = (0usize, 0usize);
        let mut first_upper = None;
        for c in s.chars() {
            if c.is_uppercase() {
                upper += 1;
                first_upper.get_or_insert(true);
            } else if c.is_lowercase() {
                lower += 1;
                first_upper.get_or_insert(false);
            }
        }
        match (first_upper, upper, lower) {
            (None, _, _) => Cap::None,
            (Some(false), 0, _) => Cap::Lower,
            (Some(false), _, _) => Cap::Mixed,
            (Some(true), 1, 0) => Cap::Single,
            (Some(true), _, 0) => Cap::All,
            (Some(true), _, _) => Cap::Init,
        }
    }

    /// Starts with an uppercase letter.
    pub fn is_capitalized(self) -> bool {
        matches!(self, Cap::Init | Cap::All | Cap::Single)
    }
}

/// An acronym-like token: two to eight characters, uppercase letters (digits and `&` allowed):
/// "CNN", "AT&T", "3M".
pub fn is_acronym(text: &str) -> bool {
    (2..=8).contains(&text.chars().count())
        && text
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '&')
        && Cap::of(text) == Cap::All
}

/// Per-token facts the templates draw on.
pub(crate) struct TokenFacts {
    pub form_h: u64,
    pub cased_h: u64,
    pub shape_h: u64,
    pub cap: Cap,
    pub info: Option<WordInfo>,
    /// Gazetteer matches: bit `c` = the token begins a match of category `c`, bit `16 + c` =
    /// it continues one.
    pub gaz: u32,
}

/// Tokenizes the parts of a document (title, body) and computes every token's features.
pub fn analyze(lex: &Lexicon, parts: &[&str]) -> Analysis {
    let mut a = Analysis::default();
    let mut tokens: Vec<Vec<Token>> = parts
        .iter()
        .map(|text| crate::tokenize::tokenize(&crate::clean::clean(text)))
        .collect();
    crate::tokenize::split_glued_names(&mut tokens, lex);
    for (p, mut tokens) in tokens.into_iter().enumerate() {
        if let Some(first) = tokens.first_mut() {
            first.sent_start = true;
        }
        a.part.extend(std::iter::repeat_n(
            u8::try_from(p).unwrap_or(u8::MAX),
            tokens.len(),
        ));
        a.tokens.extend(tokens);
    }
    a.forms = a.tokens.iter().map(|t| feature_form(&t.text)).collect();
    // A heading glued to the next sentence ("TensionsDescribing"): the seam starts a sentence
    // when the second word is one news text nearly always writes in lowercase.
    for (t, form) in a.tokens.iter_mut().zip(&a.forms) {
        if t.glued
            && t.text.starts_with(char::is_uppercase)
            && lex.word(hash_str(form)).is_some_and(|w| w.cap_bucket == 0)
        {
            t.sent_start = true;
        }
    }
    a.sentences = sentences(&a.tokens);
    a.facts = token_facts(lex, &a);
    a.sent_kind = sentence_kinds(&a, &a.facts);
    a.stats = doc::DocStats::collect(&a, &a.facts, &a.sent_kind);
    a.runs = capitalized_runs(&a, &a.facts, &a.sent_kind);
    a
}

fn sentences(tokens: &[Token]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, t) in tokens.iter().enumerate() {
        if t.sent_start && i > start {
            out.push((start, i));
            start = i;
        }
    }
    if start < tokens.len() {
        out.push((start, tokens.len()));
    }
    out
}

fn token_facts(lex: &Lexicon, a: &Analysis) -> Vec<TokenFacts> {
    let mut facts: Vec<TokenFacts> = a
        .tokens
        .iter()
        .zip(&a.forms)
        .map(|(t, form)| {
            let form_h = hash_str(form);
            TokenFacts {
                form_h,
                cased_h: hash_str(&t.text),
                shape_h: shape_hash(&t.text),
                cap: Cap::of(&t.text),
                info: lex.word(form_h).copied(),
                gaz: 0,
            }
        })
        .collect();
    for &(s, e) in &a.sentences {
        for i in s..e {
            let mut h = PHRASE_SEED;
            for j in i..e.min(i + MAX_PHRASE) {
                h = phrase_step(h, facts[j].form_h);
                let bits = u32::from(lex.phrase(h));
                if bits != 0 {
                    facts[i].gaz |= bits;
                    for f in &mut facts[i + 1..=j] {
                        f.gaz |= bits << 16;
                    }
                }
            }
        }
    }
    facts
}

/// Sentence kind per token: 0 ordinary, 1 all caps, 2 title case (a headline).
fn sentence_kinds(a: &Analysis, facts: &[TokenFacts]) -> Vec<u8> {
    let mut kinds = vec![0u8; a.tokens.len()];
    for &(s, e) in &a.sentences {
        let (mut words, mut all, mut init, mut lower) = (0, 0, 0, 0);
        for f in &facts[s..e] {
            match f.cap {
                Cap::None => continue,
                Cap::All => all += 1,
                Cap::Init | Cap::Single => init += 1,
                Cap::Lower | Cap::Mixed => lower += 1,
            }
            words += 1;
        }
        let kind = if words >= 2 && all * 10 >= words * 8 {
            1
        } else if (words >= 4 && (init + all) * 10 >= words * 7 && lower <= 3)
            || (words >= 2 && lower == 0 && a.tokens[e - 1].text != ".")
        {
            // A headline, or a short heading such as "Unavoidable Kosovo Issue".
            2
        } else {
            0
        };
        kinds[s..e].fill(kind);
    }
    kinds
}

/// Collects feature hashes for one token.
pub(crate) struct Emitter<'a> {
    out: &'a mut Vec<u64>,
}

impl Emitter<'_> {
    pub fn add(&mut self, template: u64, value: u64) {
        self.out
            .push(combine(template.wrapping_add(0x7e3d_0000), value));
    }
}

const BOS: u64 = 0xb05;
const EOS: u64 = 0xe05;

fn emit_token(
    e: &mut Emitter,
    tokens: &[Token],
    forms: &[String],
    facts: &[TokenFacts],
    sent_kind: &[u8],
    i: usize,
) {
    let t = &tokens[i];
    let f = &facts[i];
    let sentence_start = |k: usize| tokens[k].sent_start;
    let prev = (i > 0 && !sentence_start(i)).then(|| i - 1);
    let prev2 = prev.and_then(|p| (p > 0 && !sentence_start(p)).then(|| p - 1));
    let next = (i + 1 < tokens.len() && !sentence_start(i + 1)).then_some(i + 1);
    let next2 =
        next.and_then(|n| (n + 1 < tokens.len() && !sentence_start(n + 1)).then_some(n + 1));
    let form = |k: Option<usize>, edge: u64| k.map_or(edge, |k| facts[k].form_h);
    let sh = |k: Option<usize>, edge: u64| k.map_or(edge, |k| facts[k].shape_h);
    let kind = u64::from(sent_kind[i]);
    let start = u64::from(t.sent_start);

    e.add(0, 0);
    e.add(1, f.form_h);
    e.add(2, f.cased_h);
    e.add(3, form(prev, BOS));
    e.add(4, form(next, EOS));
    e.add(5, form(prev2, BOS));
    e.add(6, form(next2, EOS));
    e.add(7, combine(form(prev, BOS), f.form_h));
    e.add(8, combine(f.form_h, form(next, EOS)));
    affixes(e, &forms[i]);
    e.add(20, f.shape_h);
    e.add(21, sh(prev, BOS));
    e.add(22, sh(next, EOS));
    e.add(23, combine(sh(prev, BOS), f.shape_h));
    e.add(24, combine(f.shape_h, sh(next, EOS)));
    e.add(25, combine(f.shape_h, kind * 2 + start));
    let cap = f.cap as u64;
    e.add(26, cap * 8 + kind * 2 + start);
    e.add(27, u64::from(t.glued) * 2 + u64::from(t.space_before));
    let len = forms[i].chars().count().min(12) as u64;
    e.add(28, combine(cap, len));
    let word = |k: Option<usize>| k.map_or("", |k| forms[k].as_str());
    if reporting_cue(word(prev2), word(prev)) {
        e.add(29, cap);
    }
    clusters(e, facts, prev, next, i);
    gazetteer(e, facts, prev, next, i);
}

/// Whether the two words before a token introduce whom something was told to or who did
/// the telling: "told X", "an interview with X", "quoted by X". Such an X is a person or an
/// organization (often a news outlet), rarely a place; CoNLL teaches the cue mostly through
/// "told Reuters".
fn reporting_cue(before: &str, last: &str) -> bool {
    match last {
        "told" => true,
        "with" => matches!(before, "interview" | "interviews" | "conversation"),
        "to" => matches!(before, "speaking" | "spoke" | "talking"),
        "by" => matches!(before, "quoted" | "reported" | "interviewed" | "published"),
        _ => false,
    }
}

fn affixes(e: &mut Emitter, form: &str) {
    let n = form.chars().count();
    if n == 0 || n > 64 {
        return;
    }
    let mut bounds = [0usize; 5];
    for (k, (b, _)) in form.char_indices().take(5).enumerate() {
        bounds[k] = b;
    }
    let mut rbounds = [form.len(); 5];
    for (k, (b, _)) in form.char_indices().rev().take(4).enumerate() {
        rbounds[k + 1] = b;
    }
    for k in 1..=4.min(n) {
        let end = if k < n { bounds[k] } else { form.len() };
        e.add(10 + k as u64, hash_str(&form[..end]));
        e.add(14 + k as u64, hash_str(&form[rbounds[k]..]));
    }
}

fn clusters(
    e: &mut Emitter,
    facts: &[TokenFacts],
    prev: Option<usize>,
    next: Option<usize>,
    i: usize,
) {
    let f = &facts[i];
    let cap = f.cap as u64;
    match &f.info {
        Some(w) => {
            for (g, &c) in w.clusters.iter().enumerate() {
                e.add(40 + g as u64, u64::from(c));
            }
            e.add(43, u64::from(w.cap_bucket) * 8 + cap);
            e.add(44, combine(u64::from(w.clusters[1]), cap));
        }
        None => e.add(45, cap),
    }
    for (t, k) in [(46, prev), (48, next)] {
        let Some(k) = k else { continue };
        if let Some(w) = &facts[k].info {
            e.add(t, u64::from(w.clusters[1]));
            e.add(t + 1, u64::from(w.cap_bucket) * 8 + facts[k].cap as u64);
        }
    }
    let mid = |k: Option<usize>| {
        k.and_then(|k| facts[k].info.as_ref())
            .map_or(0xffff, |w| w.clusters[1])
    };
    e.add(50, combine(u64::from(mid(prev)), u64::from(mid(Some(i)))));
    e.add(51, combine(u64::from(mid(Some(i))), u64::from(mid(next))));
}

fn gazetteer(
    e: &mut Emitter,
    facts: &[TokenFacts],
    prev: Option<usize>,
    next: Option<usize>,
    i: usize,
) {
    for (t, k) in [(60u64, Some(i)), (61, prev), (62, next)] {
        let Some(k) = k else { continue };
        let g = facts[k].gaz;
        for c in 0..GAZ_CATEGORIES.len() as u64 {
            if g & (1 << c) != 0 {
                e.add(t, c * 2);
            }
            if g & (1 << (16 + c)) != 0 {
                e.add(t, c * 2 + 1);
            }
        }
    }
    if facts[i].gaz != 0 {
        e.add(63, combine(u64::from(facts[i].gaz), facts[i].cap as u64));
    }
}
