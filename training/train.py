"""Reproducible training of newsgraph's entity model. See training/README.md.

    python training/train.py --silver           # the shipped model (eng.testa held out)
    python training/train.py --silver --out DIR # the same, written elsewhere
    python training/train.py                    # the CoNLL-only model (its first stage)
    python training/train.py --with-testa       # also train on eng.testa (not shipped)

Steps (each cached in training/work/ unless --fresh):
 1. CoNLL-2003 and GMB to documents with character spans (data.py);
 2. unlabeled text (CoNLL, GMB, ../shared/corpus/bench) through the Rust tokenizer;
 3. the lexicon: word clusters and gazetteers (lexicon.py) into the model directory;
 4. training data through the Rust feature code (crate example dump_features), plus one
    copy of the CoNLL documents with 30% of the sentences in title case, as headlines and
    headings in scraped text are written (names unchanged: replacing them measured worse);
 5. CRFsuite training, then export to the binary model the crate embeds (crf.py);
 6. with --silver (the shipped model, see training/README.md): that model (with the crate's
    resolution rules, through the real extract path) tags GMB's sentences, except the last 1,000 pseudo-documents that
    `eval.py gmb` scores; the sentences where its person, place and organization spans are
    exactly GMB's are added to the training documents (agreement-filtered silver data:
    newswire of the 2000s from many countries, where neither source alone is trusted), and
    steps 4-5 run again on the whole;
 7. with --bench (an experiment, not shipped): CNN and BBC bench articles tagged by the two
    models (or by --teacher) through the extract path, their agreeing paragraphs added, and
    steps 4-5 run a third time (bench_silver).
"""
import argparse
import glob
import json
import os
import random
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import crf  # noqa: E402
import data  # noqa: E402
import eval as evaluate  # noqa: E402
import lexicon  # noqa: E402

ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
MODEL = os.path.join(ROOT, "crates", "extract", "model")
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
DUMP = os.path.join(TARGET, "release", "examples", "dump_features")


def step(path, fresh, make):
    if fresh or not os.path.exists(path):
        print(f"making {os.path.relpath(path, ROOT)}", flush=True)
        make(path)
    return path


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--with-testa", action="store_true",
                    help="also train on eng.testa (then the dev score means nothing)")
    ap.add_argument("--gmb", type=float, default=0.0, help="fraction of GMB documents to add")
    ap.add_argument("--augment", type=int, default=1,
                    help="copies of the CoNLL documents with names replaced (data.augment)")
    ap.add_argument("--replace-rate", type=float, default=0.0,
                    help="share of names replaced in augmented copies")
    ap.add_argument("--title-rate", type=float, default=0.3,
                    help="share of augmented sentences written in title case")
    ap.add_argument("--c1", type=float, default=0.05)
    ap.add_argument("--c2", type=float, default=0.1)
    ap.add_argument("--iterations", type=int, default=200)
    ap.add_argument("--scheme", default="bio", choices=["bio", "bilou"])
    ap.add_argument("--out", default=MODEL, help="model directory to write")
    ap.add_argument("--clusters", help="use this clusters file instead of the model's")
    ap.add_argument("--silver", action="store_true",
                    help="add GMB sentences where the CoNLL-only model agrees with GMB, and "
                         "train again (the shipped model)")
    ap.add_argument("--silver-orgs", action="store_true",
                    help="with --silver: a sentence also agrees where the model only missed "
                         "organizations GMB names (capitalized, no place or nationality of the "
                         "gazetteer, overlapping nothing the model found)")
    ap.add_argument("--bench", type=int, default=0, metavar="TOKENS",
                    help="with --silver: then tag the CNN and BBC bench articles with the "
                         "CoNLL-only and the --silver model, add up to TOKENS words of the "
                         "paragraphs where both agree, and train a third time")
    ap.add_argument("--stage2", metavar="DIR",
                    help="with --bench: the --silver model already trained in DIR (by "
                         "`--silver --out DIR` at the same commit, which left its CoNLL-only "
                         "model in training/work/base) instead of training both again")
    ap.add_argument("--teacher", metavar="DIR",
                    help="with --bench: tag the bench articles with this model alone instead of "
                         "the two models' agreement")
    ap.add_argument("--min-confidence", type=float, default=0.0,
                    help="with --bench: keep a paragraph only if every mention of it has this "
                         "confidence or more")
    ap.add_argument("--fresh", action="store_true", help="rebuild cached steps")
    ap.add_argument("--fresh-lexicon", action="store_true", help="rebuild the lexicon")
    args = ap.parse_args()
    os.makedirs(WORK, exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "newsgraph-extract",
                    "--example", "dump_features"], check=True, cwd=ROOT)

    docs = {}
    for split in ("train", "testa"):
        docs[split] = step(f"{WORK}/conll_{split}.jsonl", args.fresh,
                           lambda p, s=split: data.write_jsonl(data.conll_docs(data.CONLL[s]), p))
    docs["gmb"] = step(f"{WORK}/gmb.jsonl", args.fresh, lambda p: data.write_jsonl(data.gmb_docs(), p))

    def tokens(path):
        inputs = sorted(glob.glob(f"{data.SHARED}/corpus/bench/*.jsonl")) + \
            [docs["train"], docs["testa"], docs["gmb"]]
        with open(path, "w") as out, open(f"{WORK}/capstats.tsv", "w") as caps:
            cat = subprocess.Popen(["cat", *inputs], stdout=subprocess.PIPE)
            subprocess.run([DUMP, "tokens"], stdin=cat.stdout, stdout=out, stderr=caps, check=True)
            cat.wait()
    sentences = step(f"{WORK}/sentences.txt", args.fresh, tokens)

    fresh_lex = args.fresh or args.fresh_lexicon
    step(f"{MODEL}/gazetteer.tsv", fresh_lex, lexicon.write_gazetteer)
    step(f"{MODEL}/clusters.tsv", fresh_lex,
         lambda p: lexicon.write_clusters(sentences, f"{WORK}/capstats.tsv", p))
    if os.path.abspath(args.out) != os.path.abspath(MODEL):
        for name in ("gazetteer.tsv", "clusters.tsv"):
            shutil.copy(f"{MODEL}/{name}", f"{args.out}/{name}")
    if args.clusters:
        shutil.copy(args.clusters, f"{args.out}/clusters.tsv")

    inputs = [docs["train"]] + ([docs["testa"]] if args.with_testa else [])
    conll = [json.loads(l) for p in inputs for l in open(p)]
    gmb_lines = open(docs["gmb"]).readlines()
    gmb = gmb_lines[: int(len(gmb_lines) * args.gmb)]
    if not args.silver:
        fit(args, conll, gmb, args.out)
        return
    base = f"{WORK}/base"
    os.makedirs(base, exist_ok=True)
    for name in ("gazetteer.tsv", "clusters.tsv"):
        shutil.copy(f"{args.out}/{name}", f"{base}/{name}")
    if not args.stage2:
        fit(args, conll, gmb, base)
    silver = agreement_silver([json.loads(l) for l in gmb_lines[:-1000]], base,
                              missed_orgs=args.silver_orgs)
    print(f"silver: {len(silver)} GMB pseudo-documents of sentences the model and GMB agree on",
          flush=True)
    extra = gmb + [json.dumps(d, ensure_ascii=False) + "\n" for d in silver]
    if not args.bench:
        fit(args, conll, extra, args.out)
        return
    stage2 = args.stage2 or f"{WORK}/stage2"
    if not args.stage2 and not args.teacher:
        os.makedirs(stage2, exist_ok=True)
        for name in ("gazetteer.tsv", "clusters.tsv"):
            shutil.copy(f"{args.out}/{name}", f"{stage2}/{name}")
        fit(args, conll, extra, stage2)
    views = [args.teacher] if args.teacher else [base, stage2]
    bench = bench_silver(views, args.bench, args.min_confidence)
    print(f"bench: {len(bench)} articles of paragraphs the models agree on", flush=True)
    fit(args, conll, extra + [json.dumps(d, ensure_ascii=False) + "\n" for d in bench], args.out)


def fit(args, conll, extra_lines, out_dir):
    """Steps 4-5: the CoNLL documents, their title-case copies and `extra_lines` (JSON Lines
    documents) through the feature code, CRFsuite, and the export into `out_dir`."""
    train_docs = f"{WORK}/train_docs.jsonl"
    with open(train_docs, "w") as out:
        for d in conll:
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
        for k in range(args.augment):
            for d in data.augment(conll, seed=k + 1, rate=args.replace_rate,
                                  title_rate=args.title_rate):
                out.write(json.dumps(d, ensure_ascii=False) + "\n")
        out.writelines(extra_lines)
    feats = f"{WORK}/train.crfsuite"
    with open(train_docs) as inp, open(feats, "w") as out:
        subprocess.run([DUMP, "features", out_dir, args.scheme], stdin=inp, stdout=out, check=True)
    model = f"{WORK}/model.crfsuite"
    crf.train([feats], model, args.c1, args.c2, args.iterations)
    crf.export(model, f"{out_dir}/ner.crf")


def agreement_silver(docs, model_dir, missed_orgs=False):
    """The sentences (lines) of `docs` where the model in `model_dir`, through the extract
    path, finds exactly the person, place and organization spans the documents carry, and at
    least one; grouped per document, with all their spans (MISC included).

    With `missed_orgs`, a sentence also agrees when the documents' extra spans are all
    organizations the model missed entirely: capitalized, overlapping no span the model
    found, and not a place or nationality of the gazetteer (GMB types governments by their
    capitals and countries as organizations). The model is weakest at organizations it has
    never seen ("Taleban", "al-Qaida"), which the agreement alone never adds."""
    types = evaluate.TYPES
    preds = evaluate.run_extract([{"id": i, "text": d["text"]} for i, d in enumerate(docs)],
                                 model_dir)
    placeish = set()
    if missed_orgs:
        for line in open(f"{model_dir}/gazetteer.tsv", encoding="utf-8"):
            phrase, cats = line.rstrip("\n").split("\t")
            if set(cats) & set("CTSKN"):
                placeish.add(phrase.lower())

    def missed_org(span, text, pred):
        a, b, t = span
        return (t == "organization" and text[a:b][:1].isupper()
                and text[a:b].lower() not in placeish
                and not any(x[0] < b and a < x[1] for x in pred))
    out = []
    for d, p in zip(docs, preds):
        pred = {(x["start"], x["end"], x["type"]) for x in p["entities"]}

        def agree(start, end):
            gold = {(a, b, types[t]) for a, b, t in d["spans"] if start <= a < end and t in types}
            found = {x for x in pred if start <= x[0] < end}
            return gold and (gold == found or (
                missed_orgs and found < gold
                and all(missed_org(x, d["text"], found) for x in gold - found)))
        kept = kept_lines(d["text"], d["spans"], agree)
        if kept:
            out.append(kept)
    return out


def kept_lines(text, spans, keep):
    """The lines of `text` for which `keep(start, end)` holds, as one document with the
    `spans` (start, end, type, ...) that start in them, moved to the new offsets; None when
    no line is kept."""
    lines, kept, pos, off = [], [], 0, 0
    for line in text.split("\n"):
        start, end = pos, pos + len(line)
        pos = end + 1
        if keep(start, end):
            kept += [[x[0] - start + off, x[1] - start + off, x[2]]
                     for x in spans if start <= x[0] < end]
            lines.append(line)
            off += len(line) + 1
    return {"text": "\n".join(lines), "spans": kept} if lines else None


BENCH_SOURCES = ("cnn_lite_2026.jsonl", "bbc_2004_2005.jsonl")
LABELS = {"person": "PER", "place": "LOC", "organization": "ORG"}


def raw_spans(docs, model_dir):
    """The model's raw spans (MISC included, no resolution rule) of each document, through
    the crate's `raw_jsonl` example."""
    subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "newsgraph-extract",
                    "--example", "raw_jsonl"], check=True, cwd=ROOT)
    inp = "".join(json.dumps({"id": i, "text": d["text"]}, ensure_ascii=False) + "\n"
                  for i, d in enumerate(docs))
    out = subprocess.run([os.path.join(TARGET, "release", "examples", "raw_jsonl"),
                          "--model", model_dir], input=inp, capture_output=True, text=True,
                         check=True).stdout
    return [json.loads(l)["spans"] for l in out.splitlines()]


def labelled(extraction, raw):
    """Training spans of one document as the engine reads it: its person, place and
    organization mentions after the resolution rules, and the model's raw MISC spans that
    overlap none of them (MISC is learnt, never output)."""
    spans = [(e["start"], e["end"], LABELS[e["type"]], e["confidence"])
             for e in extraction["entities"]]
    for a, b, t, c in raw:
        if t == "MISC" and not any(x[0] < b and a < x[1] for x in spans):
            spans.append((a, b, "MISC", c))
    return sorted(spans)


def bench_silver(models, cap, min_confidence=0.0, seed=20):
    """Self-training text of today's news: paragraphs of the CNN and BBC bench articles where
    the `models`, each through the real extract path and its resolution rules, find exactly
    the same spans, MISC included, at least one, each with `min_confidence` or more (in the
    first model); whole articles drawn at random (fixed seed) until `cap` words, their kept
    paragraphs together as one document so that the document-level features still see the
    article."""
    arts = []
    for name in BENCH_SOURCES:
        for line in open(f"{data.SHARED}/corpus/bench/{name}", encoding="utf-8"):
            body = json.loads(line)["body"]
            paras = [p for p in body.split("\n") if p.strip()]
            if paras:
                arts.append("\n".join(paras))
    random.Random(seed).shuffle(arts)
    docs = [{"text": t} for t in arts]
    views = []
    for model in models:
        ext = evaluate.run_extract([{"id": i, "text": d["text"]} for i, d in enumerate(docs)],
                                   model)
        raw = raw_spans(docs, model)
        views.append([labelled(e, r) for e, r in zip(ext, raw)])
    out, words = [], 0
    for d, *labels in zip(docs, *views):

        def agree(start, end):
            here = [[x[:3] for x in v if start <= x[0] < end] for v in labels]
            first = [x for x in labels[0] if start <= x[0] < end]
            return (first and all(x[1] <= end and x[3] >= min_confidence for x in first)
                    and all(v == here[0] for v in here))
        kept = kept_lines(d["text"], labels[0], agree)
        if kept:
            out.append(kept)
            words += len(kept["text"].split())
            if words >= cap:
                break
    return out


if __name__ == "__main__":
    main()
