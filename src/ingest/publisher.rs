//! An article's publisher is not one of its entities: "(CNN) —", "told Reuters", "Wikinews
//! spoke with ..." and the "Reuter" sign-off name the source, not what the article is about,
//! and counting them would put every publisher at the top of its own corpus. Entities named
//! like the article's source (its display name or its domain's own label) are dropped, with
//! their mentions.

use newsgraph_extract::{Extraction, fold_name};

/// The folded names a source goes by: its display name and the first word of it
/// ("reuters-21578" → "reuters"), and its domain's registered label ("en.wikinews.org" →
/// "wikinews", "bbc.co.uk" → "bbc").
pub fn names(domain: &str, source_name: &str) -> Vec<String> {
    let mut names = Vec::new();
    let display = fold_name(source_name);
    if let Some(first) = display.split(' ').next().filter(|w| w.len() > 1) {
        names.push(first.to_owned());
    }
    names.push(display);
    if let Some(label) = registered_label(domain) {
        names.push(fold_name(label));
    }
    names.retain(|n| n.len() > 1);
    names.sort_unstable();
    names.dedup();
    names
}

/// The label a domain was registered under: the one before the public suffix ("cnn" of
/// "edition.cnn.com", "bbc" of "news.bbc.co.uk").
fn registered_label(domain: &str) -> Option<&str> {
    // Second-level suffixes under which names are registered (co.uk, com.au, ...).
    const SECOND_LEVEL: &[&str] = &["co", "com", "net", "org", "gov", "ac", "edu", "or", "ne"];
    let labels: Vec<&str> = domain.split('.').filter(|l| !l.is_empty()).collect();
    match labels.as_slice() {
        [.., label, second, tld] if tld.len() == 2 && SECOND_LEVEL.contains(second) => Some(label),
        [.., label, _tld] => Some(label),
        _ => None,
    }
}

/// Whether a folded name is one of the publisher's: equal, or the same but for a final "s"
/// ("Reuter", the sign-off of "Reuters").
fn is_publisher(name: &str, publisher: &[String]) -> bool {
    publisher.iter().any(|p| {
        name == p || name.strip_suffix('s') == Some(p) || p.strip_suffix('s') == Some(name)
    })
}

/// Removes the entities named like the publisher, and their mentions.
pub fn strip(extraction: &mut Extraction, publisher: &[String]) {
    let keep: Vec<bool> = extraction
        .entities
        .iter()
        .map(|e| {
            !e.aliases
                .iter()
                .chain([&e.canonical])
                .any(|n| is_publisher(&fold_name(n), publisher))
        })
        .collect();
    if keep.iter().all(|k| *k) {
        return;
    }
    let mut new_index = Vec::with_capacity(keep.len());
    let mut next = 0;
    for &k in &keep {
        new_index.push(next);
        next += usize::from(k);
    }
    extraction.mentions.retain(|m| keep[m.entity]);
    for m in &mut extraction.mentions {
        m.entity = new_index[m.entity];
    }
    let mut k = 0;
    extraction.entities.retain(|_| {
        k += 1;
        keep[k - 1]
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use newsgraph_extract::{Entity, EntityKind};

    use crate::ingest::testing::mention;

    #[test]
    fn a_source_goes_by_its_display_name_and_its_domain_label() {
        assert_eq!(names("cnn.com", "cnn"), ["cnn"]);
        assert_eq!(
            names("en.wikinews.org", "wikinews-via-gum"),
            ["wikinews", "wikinews via gum"]
        );
        assert_eq!(
            names("example.org", "reuters-21578"),
            ["example", "reuters", "reuters 21578"]
        );
        assert_eq!(names("news.bbc.co.uk", "BBC News"), ["bbc", "bbc news"]);
    }

    fn entity(name: &str) -> Entity {
        Entity {
            kind: EntityKind::Organization,
            canonical: name.to_owned(),
            key: format!("organization:{}", fold_name(name)),
            aliases: vec![name.to_owned()],
            known: None,
        }
    }

    #[test]
    fn the_publisher_and_its_mentions_are_removed_and_the_rest_kept() {
        let mut x = Extraction {
            entities: vec![entity("Reuter"), entity("Bank of England"), entity("CNN")],
            mentions: vec![
                mention(1, 0, "Bank of England"),
                mention(0, 40, "Reuter"),
                mention(2, 60, "CNN"),
            ],
        };

        strip(&mut x, &names("example.org", "reuters-21578"));

        assert_eq!(x.entities.len(), 2);
        assert_eq!(
            x.entities[x.mentions[0].entity].canonical,
            "Bank of England"
        );
        assert_eq!(x.entities[x.mentions[1].entity].canonical, "CNN");
        assert_eq!(x.mentions.len(), 2);
    }
}
