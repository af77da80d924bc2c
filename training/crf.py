"""Trains the CRF with CRFsuite on feature files dumped by the Rust crate, and exports the
weights into the binary format the crate loads (crates/extract/src/crf.rs):

    b"NGCRF\\0\\0\\x01", u32 label count, labels (u8 length + UTF-8),
    transitions f32[from][to], u32 attribute count,
    per attribute: u64 feature hash, u8 count, count x (u8 label, f32 weight)

all little-endian.
"""
import struct
import sys
import time

import pycrfsuite


def read_sequences(path, limit=None):
    xseq, yseq = [], []
    with open(path, encoding="ascii") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line:
                if xseq:
                    yield xseq, yseq
                    xseq, yseq = [], []
                continue
            label, *feats = line.split("\t")
            yseq.append(label)
            xseq.append(feats)
    if xseq:
        yield xseq, yseq


def train(feature_files, model_path, c1, c2, iterations):
    trainer = pycrfsuite.Trainer(verbose=False)
    n = 0
    for path in feature_files:
        for xseq, yseq in read_sequences(path):
            trainer.append(xseq, yseq)
            n += len(yseq)
    print(f"training on {n} tokens, c1={c1} c2={c2} iterations={iterations}", flush=True)
    trainer.set_params({"c1": c1, "c2": c2, "max_iterations": iterations,
                        "feature.possible_transitions": True})
    t = time.time()
    trainer.train(model_path)
    print(f"trained in {time.time() - t:.0f} s; last: {trainer.logparser.last_iteration}", flush=True)


def export(model_path, out_path):
    tagger = pycrfsuite.Tagger()
    tagger.open(model_path)
    info = tagger.info()
    labels = sorted(info.labels.keys(), key=lambda l: (l != "O", l))
    index = {l: i for i, l in enumerate(labels)}
    n = len(labels)
    trans = [0.0] * (n * n)
    for (a, b), w in info.transitions.items():
        trans[index[a] * n + index[b]] = w
    attrs = {}
    for (attr, label), w in info.state_features.items():
        if w != 0.0:
            attrs.setdefault(int(attr, 16), []).append((index[label], w))
    out = bytearray(b"NGCRF\x00\x00\x01")
    out += struct.pack("<I", n)
    for l in labels:
        b = l.encode()
        out += bytes([len(b)]) + b
    out += struct.pack(f"<{n * n}f", *trans)
    out += struct.pack("<I", len(attrs))
    for h in sorted(attrs):
        ws = attrs[h]
        out += struct.pack("<QB", h, len(ws))
        for label, w in ws:
            out += struct.pack("<Bf", label, w)
    with open(out_path, "wb") as f:
        f.write(out)
    print(f"exported {len(attrs)} attributes, {len(info.state_features)} weights, "
          f"{len(out) / 1e6:.1f} MB to {out_path}")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    if cmd == "export":
        export(*args)
