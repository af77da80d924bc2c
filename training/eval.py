"""Entity-level exact-span micro P/R/F1 over person, place and organization, through the real
extract path: documents go as JSON Lines through the crate's `extract_jsonl` example (the
`newsgraph extract` contract) and the output spans are compared with the gold spans.

    python training/eval.py conll [MODEL_DIR]   # CoNLL-2003 dev (eng.testa)
    python training/eval.py gum [MODEL_DIR]     # GUM Wikinews sample
    python training/eval.py gmb [MODEL_DIR]     # last 1,000 GMB pseudo-documents
    python training/eval.py wiki [MODEL_DIR]    # recall by type on Wiki-Fair's linked mentions
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
TYPES = {"PER": "person", "LOC": "place", "ORG": "organization"}
SAMPLE = f"{data.SHARED}/corpus/sample"


def run_extract(lines, model_dir=None):
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "newsgraph-extract",
                    "--example", "extract_jsonl"], check=True, cwd=ROOT)
    cmd = [os.path.join(TARGET, "release", "examples", "extract_jsonl"), "-"]
    if model_dir:
        cmd += ["--model", model_dir]
    inp = "".join(json.dumps(l, ensure_ascii=False) + "\n" for l in lines)
    out = subprocess.run(cmd, input=inp, capture_output=True, text=True, check=True).stdout
    return [json.loads(l) for l in out.splitlines()]


def score(gold_docs, pred_docs, show=0):
    counts = {t: [0, 0, 0] for t in TYPES.values()}
    errors = []
    for gold, pred in zip(gold_docs, pred_docs):
        g = {(s, e, TYPES[t]) for s, e, t in gold if t in TYPES}
        p = {(x["start"], x["end"], x["type"]) for x in pred["entities"]}
        for t in counts:
            gt = {x for x in g if x[2] == t}
            pt = {x for x in p if x[2] == t}
            counts[t][0] += len(gt & pt)
            counts[t][1] += len(pt)
            counts[t][2] += len(gt)
        errors.append((g - p, p - g))
    rows = []
    tot = [sum(c[i] for c in counts.values()) for i in range(3)]
    for name, (tp, np_, ng) in list(counts.items()) + [("overall", tot)]:
        p = tp / np_ if np_ else 0.0
        r = tp / ng if ng else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        rows.append((name, p, r, f, ng))
        print(f"{name:13s} P {100 * p:5.2f}  R {100 * r:5.2f}  F1 {100 * f:5.2f}  (gold {ng})")
    return rows, errors


def conll(model_dir=None, split="testa"):
    docs = data.conll_docs(data.CONLL[split])
    preds = run_extract([{"id": i, "text": d["text"]} for i, d in enumerate(docs)], model_dir)
    return score([d["spans"] for d in docs], preds), docs


def gum(model_dir=None):
    arts = [json.loads(l) for l in open(f"{SAMPLE}/gum_wikinews.jsonl", encoding="utf-8")]
    gold = {json.loads(l)["url"]: json.loads(l) for l in open(f"{SAMPLE}/gum_wikinews_gold_entities.jsonl", encoding="utf-8")}
    preds = run_extract([{"id": a["url"], "title": a["title"], "text": a["body"]} for a in arts], model_dir)
    golds = [[(e["start"], e["end"], e["type"]) for e in gold[a["url"]]["body_entities"]] for a in arts]
    return score(golds, preds), arts


def gmb(model_dir=None, n=1000):
    """A rough proxy for modern newswire: the last `n` GMB pseudo-documents, cleaned as for
    training (data.gmb_docs). GMB's tags are mostly machine-made and its conventions differ."""
    docs = data.gmb_docs()[-n:]
    preds = run_extract([{"id": i, "text": d["text"]} for i, d in enumerate(docs)], model_dir)
    return score([d["spans"] for d in docs], preds), docs


EL_TYPES = {"Q215627": "person", "Q27096213": "place", "Q43229": "organization"}


def wiki(model_dir=None):
    """Wikipedia paragraphs (../shared/el, Wiki-Fair v2): the share of its linked person, place
    and organization mentions (one of the three types only) found with the exact span and type,
    and what became of the others. Only linked things are labelled, so there is no precision;
    the closest text here to Wikipedia-style held-out sets."""
    docs = [json.loads(l) for l in open(f"{data.SHARED}/el/wiki-fair-v2-no-coref.jsonl", encoding="utf-8")]
    preds = run_extract([{"id": str(d["id"]), "text": d["text"]} for d in docs], model_dir)
    counts = {t: {} for t in EL_TYPES.values()}
    for doc, pred in zip(docs, preds):
        found = [(x["start"], x["end"], x["type"]) for x in pred["entities"]]
        for label in doc["labels"]:
            kinds = {EL_TYPES[t] for t in label["type"].split("|") if t in EL_TYPES}
            if len(kinds) != 1:
                continue
            (kind,), (s, e) = kinds, label["span"]
            same = [f for f in found if f[0] == s and f[1] == e]
            if same:
                what = "right" if same[0][2] == kind else f"typed {same[0][2]}"
            else:
                what = "boundary" if any(f[0] < e and s < f[1] for f in found) else "missed"
            counts[kind][what] = counts[kind].get(what, 0) + 1
    for kind, c in counts.items():
        total = sum(c.values())
        rest = ", ".join(f"{w} {n}" for w, n in sorted(c.items()) if w != "right")
        print(f"{kind:13s} right {100 * c.get('right', 0) / total:5.1f}%  (of {total}; {rest})")
    return counts


if __name__ == "__main__":
    which = sys.argv[1]
    model = sys.argv[2] if len(sys.argv) > 2 else None
    {"conll": conll, "gum": gum, "gmb": gmb, "wiki": wiki}[which](model)
