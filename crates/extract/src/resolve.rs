//! In-article resolution: turns tagged spans into mentions and entities. Acronyms defined in
//! parentheses join their expansion, a lone surname joins the full name it abbreviates,
//! repeated names share one entity, and each entity gets its canonical name and match key.

use std::collections::HashMap;

use crate::features::Analysis;
use crate::tagger::Span;
use crate::{Entity, EntityKind, Extraction, Field, Mention, match_key};

mod acronym;
mod surname;

/// A mention before entities are assigned.
struct Draft {
    part: usize,
    /// First token.
    first: usize,
    /// One past the last token.
    last: usize,
    kind: EntityKind,
    confidence: f32,
    text: String,
    /// Code-point offsets into the part's text.
    start: usize,
    end: usize,
}

impl Draft {
    /// The name as its folded token forms, the same for "Vučić" and "VUCIC".
    fn name(&self, a: &Analysis) -> String {
        a.forms[self.first..self.last].join(" ")
    }
}

fn kind_of(conll: &str) -> Option<EntityKind> {
    match conll {
        "PER" => Some(EntityKind::Person),
        "LOC" => Some(EntityKind::Place),
        "ORG" => Some(EntityKind::Organization),
        _ => None,
    }
}

/// The parts' texts with code-point-to-byte offsets, built only for parts that have mentions.
struct Texts<'t> {
    parts: &'t [&'t str],
    index: Vec<Vec<usize>>,
}

impl<'t> Texts<'t> {
    fn new(parts: &'t [&'t str]) -> Self {
        Texts {
            parts,
            index: vec![Vec::new(); parts.len()],
        }
    }

    /// A draft for tokens `first..last` of the analysis.
    fn draft(
        &mut self,
        a: &Analysis,
        first: usize,
        last: usize,
        kind: EntityKind,
        confidence: f32,
    ) -> Draft {
        let part = a.part[first] as usize;
        let (start, end) = (
            a.tokens[first].start as usize,
            a.tokens[last - 1].end as usize,
        );
        let idx = &mut self.index[part];
        if idx.is_empty() {
            idx.extend(self.parts[part].char_indices().map(|(b, _)| b));
            idx.push(self.parts[part].len());
        }
        let end = end.min(idx.len() - 1);
        let start = start.min(end);
        let text = self.parts[part][idx[start]..idx[end]].to_owned();
        Draft {
            part,
            first,
            last,
            kind,
            confidence,
            text,
            start,
            end,
        }
    }
}

/// Builds the extraction of one document from its tagged spans.
pub fn resolve(a: &Analysis, spans: &[Span], parts: &[&str], fields: &[Field]) -> Extraction {
    let mut texts = Texts::new(parts);
    let mut drafts: Vec<Draft> = Vec::new();
    let spans = merge_nationality_into_org(a, spans);
    for s in &spans {
        let Some(kind) = kind_of(&s.kind) else {
            continue;
        };
        let first = if s.end - s.start > 1 && a.forms[s.start] == "the" {
            s.start + 1
        } else {
            s.start
        };
        drafts.push(texts.draft(a, first, s.end, kind, s.confidence));
    }
    let acronyms = acronym::define(a, &mut texts, &mut drafts);
    drafts.sort_by_key(|d| d.first);
    vote_kinds(a, &mut drafts);
    let names: Vec<String> = drafts.iter().map(|d| d.name(a)).collect();
    let mut uf = UnionFind::new(drafts.len());
    // A lone surname joins its own full name, not every other "Guthrie" of the article:
    // "Nancy Guthrie" and "Savannah Guthrie" must stay two people.
    let surnames = surname::link(a, &mut drafts);
    let mut by_name: HashMap<(&str, EntityKind), usize> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        match surnames[i] {
            Some(full) => uf.union(full, i),
            None => {
                let first = *by_name.entry((names[i].as_str(), d.kind)).or_insert(i);
                uf.union(first, i);
            }
        }
    }
    let mut expansions = vec![false; drafts.len()];
    let by_range: HashMap<(usize, usize), usize> = drafts
        .iter()
        .enumerate()
        .map(|(i, d)| ((d.first, d.last), i))
        .collect();
    let mut by_form: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, name) in names.iter().enumerate() {
        by_form.entry(name.as_str()).or_default().push(i);
    }
    for (acr, exp) in acronyms {
        let Some(&e) = by_range.get(&exp) else {
            continue;
        };
        expansions[e] = true;
        for &i in by_form.get(acr.as_str()).into_iter().flatten() {
            drafts[i].kind = drafts[e].kind;
            uf.union(i, e);
        }
    }
    build(drafts, &mut uf, &expansions, fields)
}

/// "Serbian" (MISC) directly followed by "Defense Ministry" (ORG) is one organization, "the
/// Serbian Defense Ministry": a one-word nationality before an organization name is part of it.
fn merge_nationality_into_org(a: &Analysis, spans: &[Span]) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut k = 0;
    while k < spans.len() {
        let s = &spans[k];
        if let Some(next) = spans.get(k + 1)
            && s.kind == "MISC"
            && next.kind == "ORG"
            && s.end - s.start == 1
            && next.start == s.end
            && !a.tokens[next.start].sent_start
            && a.tokens[s.start].text.chars().all(char::is_alphabetic)
        {
            out.push(Span {
                start: s.start,
                end: next.end,
                kind: next.kind.clone(),
                confidence: s.confidence.min(next.confidence),
            });
            k += 2;
            continue;
        }
        out.push(s.clone());
        k += 1;
    }
    out
}

/// Gives every occurrence of one name the kind with the most confidence over its mentions.
fn vote_kinds(a: &Analysis, drafts: &mut [Draft]) {
    let mut votes: HashMap<String, [f32; 3]> = HashMap::new();
    for d in drafts.iter() {
        votes.entry(d.name(a)).or_default()[d.kind as usize] += d.confidence;
    }
    for d in drafts.iter_mut() {
        let v = votes[&d.name(a)];
        let best = (0..3)
            .max_by(|&x, &y| v[x].total_cmp(&v[y]))
            .expect("three kinds");
        d.kind = [
            EntityKind::Person,
            EntityKind::Place,
            EntityKind::Organization,
        ][best];
    }
}

/// Groups the drafts into entities and mentions.
fn build(
    drafts: Vec<Draft>,
    uf: &mut UnionFind,
    expansions: &[bool],
    fields: &[Field],
) -> Extraction {
    let mut entity_of: HashMap<usize, usize> = HashMap::new();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut order: Vec<usize> = (0..drafts.len()).collect();
    order.sort_by_key(|&i| (drafts[i].part, drafts[i].start));
    for &i in &order {
        let root = uf.find(i);
        let e = *entity_of.entry(root).or_insert_with(|| {
            members.push(Vec::new());
            members.len() - 1
        });
        members[e].push(i);
    }
    let entities = members
        .iter()
        .map(|m| {
            let canon = m
                .iter()
                .copied()
                .find(|&i| expansions[i])
                .unwrap_or_else(|| {
                    let longest = m
                        .iter()
                        .map(|&i| drafts[i].text.chars().count())
                        .max()
                        .unwrap_or(0);
                    *m.iter()
                        .find(|&&i| drafts[i].text.chars().count() == longest)
                        .expect("non-empty")
                });
            let kind = drafts[canon].kind;
            let canonical = drafts[canon].text.clone();
            let mut aliases: Vec<String> = Vec::new();
            for &i in m {
                if !aliases.contains(&drafts[i].text) {
                    aliases.push(drafts[i].text.clone());
                }
            }
            Entity {
                kind,
                key: match_key(kind, &canonical),
                canonical,
                aliases,
            }
        })
        .collect();
    let mentions = order
        .into_iter()
        .map(|i| {
            let d = &drafts[i];
            Mention {
                entity: entity_of[&uf.find(i)],
                field: fields.get(d.part).copied().unwrap_or(Field::Body),
                start: d.start,
                end: d.end,
                text: d.text.clone(),
                confidence: d.confidence,
            }
        })
        .collect();
    Extraction { entities, mentions }
}

/// Disjoint sets over draft indices.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind((0..n).collect())
    }
    fn find(&mut self, mut i: usize) -> usize {
        while self.0[i] != i {
            self.0[i] = self.0[self.0[i]];
            i = self.0[i];
        }
        i
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.0[ra.max(rb)] = ra.min(rb);
        }
    }
}
