"""Where the engine goes wrong on organizations: every gold organization span of a dev set
that the extract path does not return exactly, by what kind of organization it is and what
went wrong, and the organization spans it returns that match no gold span at all.

    python training/errors.py conll [MODEL_DIR]   # CoNLL-2003 dev (eng.testa)
    python training/errors.py gum [MODEL_DIR]     # GUM Wikinews sample
    python training/errors.py gmb [MODEL_DIR]     # last 1,000 GMB pseudo-documents
    python training/errors.py conll --show 20     # and up to 20 examples of each cell

Kinds, first that applies: a team named by its place ("Leicester", "Japan" in a results
line: the whole name is a place of the gazetteer), a government body (ministry, court,
police, army, council, ...), a party or movement, a company (legal forms, banks, airlines,
...), a news outlet, an abbreviation (all capitals), other. What went wrong: "type" (the exact
span came out as a person or place), "boundary" (an overlapping span came out), "missed"
(nothing overlaps it).
"""
import collections
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
import eval as evaluate  # noqa: E402

ROOT = evaluate.ROOT
GOVERNMENT = {"ministry", "department", "government", "council", "parliament", "court",
              "commission", "agency", "police", "army", "navy", "senate", "congress",
              "assembly", "cabinet", "committee", "office", "authority", "bureau", "forces",
              "administration", "tribunal", "board", "federation", "union", "nations"}
PARTY = {"party", "front", "movement", "league", "alliance", "coalition", "democrats",
         "republicans", "labour", "conservatives", "liberals", "rebels", "brigade"}
COMPANY = {"inc", "corp", "corporation", "co", "ltd", "plc", "group", "bank", "airlines",
           "airways", "holdings", "motors", "industries", "company", "ag", "sa", "nv", "llc",
           "gmbh", "securities", "capital", "investment", "investors", "energy", "oil",
           "petroleum", "telecom", "systems", "technologies", "fund", "exchange"}
MEDIA = {"news", "times", "post", "journal", "radio", "television", "tv", "herald",
         "agency", "press", "daily", "tribune", "telegraph", "guardian", "reuters",
         "newspaper", "magazine", "broadcasting"}
KINDS = ["team by place", "government", "party", "company", "media", "abbreviation", "other"]
WHAT = ["type", "boundary", "missed"]


def places(model_dir):
    path = os.path.join(model_dir or os.path.join(ROOT, "crates", "extract", "model"),
                        "gazetteer.tsv")
    out = set()
    for line in open(path, encoding="utf-8"):
        phrase, cats = line.rstrip("\n").split("\t")
        if set(cats) & set("CTSK"):
            out.add(phrase.lower())
    return out


def kind_of(name, place_names):
    words = [w.strip(".,'").lower() for w in name.split()]
    if name.lower() in place_names:
        return "team by place"
    if set(words) & GOVERNMENT:
        return "government"
    if set(words) & PARTY:
        return "party"
    if set(words) & COMPANY:
        return "company"
    if set(words) & MEDIA:
        return "media"
    if len(name) > 1 and name.replace(".", "").isupper():
        return "abbreviation"
    return "other"


def main():
    which = sys.argv[1]
    args = sys.argv[2:]
    show = 0
    if "--show" in args:
        at = args.index("--show")
        show = int(args[at + 1])
        del args[at:at + 2]
    model = args[0] if args else None
    (_, errors), docs = {"conll": evaluate.conll, "gum": evaluate.gum,
                         "gmb": evaluate.gmb}[which](model)
    texts = [d.get("text") or d.get("body") for d in docs]
    place_names = places(model)
    cells = collections.Counter()
    examples = collections.defaultdict(list)
    spurious = collections.Counter()
    spurious_examples = collections.defaultdict(list)
    for text, (missed, extra) in zip(texts, errors):
        for s, e, t in sorted(missed):
            if t != "organization":
                continue
            name = text[s:e]
            same = [x for x in extra if x[0] == s and x[1] == e]
            over = [x for x in extra if x[0] < e and s < x[1]]
            what = "type" if same else "boundary" if over else "missed"
            kind = kind_of(name, place_names)
            cells[kind, what] += 1
            got = "; ".join(f"{text[a:b]}/{c}" for a, b, c in (same or over))
            examples[kind, what].append(f"{name}" + (f"  <- {got}" if got else ""))
        for s, e, t in sorted(extra):
            if t != "organization" or any(x[0] < e and s < x[1] for x in missed):
                continue
            kind = kind_of(text[s:e], place_names)
            spurious[kind] += 1
            spurious_examples[kind].append(text[s:e])
    print(f"\ngold organizations not found exactly, by kind ({which}):")
    print(f"{'kind':15s}" + "".join(f"{w:>10s}" for w in WHAT)
          + f"{'all':>8s}" + f"{'spurious':>10s}")
    for kind in KINDS:
        row = [cells[kind, w] for w in WHAT]
        print(f"{kind:15s}" + "".join(f"{n:10d}" for n in row) + f"{sum(row):8d}"
              + f"{spurious[kind]:10d}")
    total = [sum(cells[k, w] for k in KINDS) for w in WHAT]
    print(f"{'all':15s}" + "".join(f"{n:10d}" for n in total) + f"{sum(total):8d}"
          + f"{sum(spurious.values()):10d}")
    if show:
        for kind in KINDS:
            for w in WHAT:
                if examples[kind, w]:
                    print(f"\n{kind}, {w}: " + " | ".join(examples[kind, w][:show]))
            if spurious_examples[kind]:
                print(f"\n{kind}, spurious: " + " | ".join(spurious_examples[kind][:show]))


if __name__ == "__main__":
    main()
