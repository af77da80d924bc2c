//! A lone surname ("Vucevic") joins the person whose full name ends with it ("Milos
//! Vucevic"): the nearest such person before it, or else the first after it.

use std::collections::HashMap;

use super::Draft;
use crate::EntityKind;
use crate::features::Analysis;

/// For each draft that is a lone surname of a full name in the article, that full name's
/// draft; such drafts become persons.
pub(super) fn link(a: &Analysis, drafts: &mut [Draft]) -> Vec<Option<usize>> {
    let mut links = vec![None; drafts.len()];
    // Surname form → full-name drafts ending with it, in document order.
    let mut full: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, d) in drafts.iter().enumerate() {
        if d.kind == EntityKind::Person && d.last - d.first >= 2 {
            full.entry(a.forms[d.last - 1].as_str())
                .or_default()
                .push(i);
        }
    }
    if full.is_empty() {
        return links;
    }
    for i in 0..drafts.len() {
        let d = &drafts[i];
        if d.last - d.first != 1 {
            continue;
        }
        let Some(candidates) = full.get(a.forms[d.first].as_str()) else {
            continue;
        };
        let before = candidates.partition_point(|&j| drafts[j].first < d.first);
        links[i] = Some(if before > 0 {
            candidates[before - 1]
        } else {
            candidates[0]
        });
        drafts[i].kind = EntityKind::Person;
    }
    links
}
