//! Coordinates for places: a name-to-GeoNames table built into the binary
//! (data/geo/places.tsv, GeoNames CC BY 4.0, made by scripts/gen_places.py). Continents,
//! countries and US states win over cities of the same name, and larger cities over smaller.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::names::search_norm;

/// A known place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place {
    /// GeoNames id.
    pub geonames_id: i64,
    /// Latitude, degrees.
    pub latitude: f64,
    /// Longitude, degrees.
    pub longitude: f64,
}

static PLACES: LazyLock<HashMap<&'static str, Place>> = LazyLock::new(|| {
    include_str!("../data/geo/places.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let name = fields.next()?;
            let place = Place {
                geonames_id: fields.next()?.parse().ok()?,
                latitude: fields.next()?.parse().ok()?,
                longitude: fields.next()?.parse().ok()?,
            };
            Some((name, place))
        })
        .collect()
});

/// The place a name most likely means, if the table knows it.
pub fn lookup(name: &str) -> Option<Place> {
    let key = search_norm(name);
    let key = key.strip_prefix("the ").unwrap_or(&key);
    PLACES.get(key).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn countries_and_cities_have_coordinates_and_accents_do_not_matter() {
        let belgrade = lookup("Belgrade").expect("Belgrade is known");
        let kosovo = lookup("Kosovo").expect("Kosovo is known");

        assert!((belgrade.latitude - 44.8).abs() < 0.1 && (belgrade.longitude - 20.46).abs() < 0.1);
        assert!((kosovo.latitude - 42.6).abs() < 0.5);
        assert_eq!(lookup("São Paulo"), lookup("Sao Paulo"));
        assert!(lookup("Sao Paulo").is_some());
        assert_eq!(lookup("Narnia"), None);
    }
}
