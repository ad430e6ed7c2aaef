#!/usr/bin/env python3
"""Fit the text line model ([text.model] in config.toml) on gold sets.

    python3 -m venv bench/.venv-train && bench/.venv-train/bin/pip install numpy scikit-learn
    bench/.venv-train/bin/python bench/train-text.py [--bin target/fast/boilerstrip] \
        [--cv] [--l2 0.001] [--te-weight 0.5] [--keep-threshold 0.1] \
        [--add-threshold 0.6] [--thresholds 'KEEP,ADD ...'] [--weighting sqrt|page] \
        [--trees [--iters 200] [--lr 0.1] [--depth 6] [--leaves 31] [--min-leaf 200] \
        [--tree-l2 1.0]] SET_DIR...

(scikit-learn is needed only for --trees.)

Each SET_DIR holds pages/ and gold.jsonl (e.g. ../shared/datasets/wcxb-dev-text and
../shared/datasets/trafilatura-eval-text). The script dumps every body line's features
with `boilerstrip dump-text-features` (run with `[text.model]` off, so the features do
not depend on the weights being fitted), labels lines from the gold, fits an L2
logistic regression and prints the `[text.model]` table (paste it into config.toml, or
into your own config file for `--config`) and the matching Rust constants for
TextConfig::default.

Labels. A gold with `gold_text`: a line's label is the share of its 4-token shingles
(tokenised as shared/tools/score.py does, over the page's line stream) found in the
gold's shingles; it weighs its shingle count over the page's (every page counts alike,
as the per-page averaged F1 does; with --weighting sqrt, the default, a page further
weighs 1/sqrt(its line count), which won under CV on the dev sets). A gold with
`with`/`without` snippets: a line holding
(or held by) a `with` snippet is 1, a `without` one 0, others are left out; weighed by
tokens, per page, times --te-weight.

--cv: 2-fold cross-validation grouped by site (host of the gold `url`; else the id up to
its first '-'): fit on one half, run the binary with those weights on the other half's
pages, and score the merged records with score.py, in-sample alongside. Needs the
binary; takes about three minutes on the two dev sets.

--trees fits gradient-boosted trees (scikit-learn's HistGradientBoostingClassifier, soft
labels as weighted positive + negative copies) instead, and writes `[text.model] kind =
"trees"` (features + one compact string per tree, see src/text/trees.rs) to a file, with
the matching Rust constants; it checks that the export scores as scikit-learn does.
--thresholds scores several KEEP,ADD decoder pairs with the same fitted models under --cv.
Trees are not shipped: on the two text dev sets (with the 52 features) 200-300 trees of
depth 6 reach in-sample wcxb-dev-text 0.83-0.84 but 2-fold CV 0.809-0.820 (logistic 0.819;
trafilatura-eval-text CV 0.879-0.885 vs 0.876), and they double the text path's CPU time.

The shipped weights come from the defaults on both text dev sets:
    bench/train-text.py ../shared/datasets/wcxb-dev-text ../shared/datasets/trafilatura-eval-text
"""
import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile
from urllib.parse import urlparse

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
TOKEN = re.compile(r"\w+")


def stem(s):
    name = s.replace("\\", "/").rsplit("/", 1)[-1]
    for end in (".gz", ".txt", ".text", ".html", ".htm"):
        if name.lower().endswith(end):
            name = name[: -len(end)]
    return name


def fold(t):
    return re.sub(r"\s+", " ", t or "").strip()


def site_of(g):
    url = g.get("url")
    if url:
        return urlparse(url).netloc.lower()
    return g["id"].split("-", 1)[0]


def fold_of(site):
    return int(hashlib.md5(site.encode()).hexdigest(), 16) % 2


def dump(binary, pages, config=None):
    cmd = [binary, "dump-text-features", pages]
    if config:
        cmd += ["--config", config]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    names = json.loads(lines[0])["features"]
    pages_ = {}
    for l in lines[1:]:
        r = json.loads(l)
        pages_.setdefault(stem(r["source"]), []).append(r)
    return names, pages_


def shingle_labels(rows, gold_text):
    gold = set()
    toks = TOKEN.findall(gold_text or "")
    for i in range(max(1, len(toks) - 3)):
        gold.add(tuple(toks[i : i + 4]))
    stream, owner = [], []
    for k, r in enumerate(rows):
        t = TOKEN.findall(r["text"])
        stream += t
        owner += [k] * len(t)
    hit = np.zeros(len(rows))
    cnt = np.zeros(len(rows))
    for p in range(len(stream)):
        sh = tuple(stream[p : p + 4])
        k = owner[p]
        cnt[k] += 1
        hit[k] += sh in gold
    y = np.where(cnt > 0, hit / np.maximum(cnt, 1), 0.0)
    w = cnt / max(cnt.sum(), 1.0)
    return y, w


def snippet_labels(rows, with_, without):
    w_ = [fold(s) for s in with_ or [] if fold(s)]
    wo = [fold(s) for s in without or [] if fold(s)]
    y = np.zeros(len(rows))
    w = np.zeros(len(rows))
    for k, r in enumerate(rows):
        t = fold(r["text"])
        if not t:
            continue

        def holds(s):
            return s in t or (len(t) >= 30 and t in s)

        pos, neg = any(holds(s) for s in w_), any(holds(s) for s in wo)
        if pos != neg:
            y[k] = 1.0 if pos else 0.0
            w[k] = len(TOKEN.findall(t))
    return y, w / max(w.sum(), 1.0)


def load_set(binary, set_dir, te_weight, weighting):
    names, pages = dump(binary, os.path.join(set_dir, "pages"), OFF_CONFIG)
    gold = [json.loads(l) for l in open(os.path.join(set_dir, "gold.jsonl")) if l.strip()]
    X, Y, W, G = [], [], [], []
    for g in gold:
        rows = [r for r in pages.get(stem(g.get("file") or g["id"]), []) if not r["rule"]]
        if not rows:
            continue
        if "gold_text" in g:
            y, w = shingle_labels(rows, g["gold_text"])
        else:
            y, w = snippet_labels(rows, g.get("with"), g.get("without"))
            w = w * te_weight
        if weighting == "sqrt":
            w = w / np.sqrt(len(rows))
        X.append(np.array([r["features"] for r in rows]))
        Y.append(y)
        W.append(w)
        G += [fold_of(site_of(g))] * len(rows)
    return names, np.vstack(X), np.concatenate(Y), np.concatenate(W), np.array(G), gold


def fit(X, y, w, l2, iters=30):
    """Weighted logistic regression with soft labels, by Newton steps; bias unpenalised."""
    n, k = X.shape
    A = np.hstack([np.ones((n, 1)), X])
    beta = np.zeros(k + 1)
    reg = np.full(k + 1, l2)
    reg[0] = 0.0
    sw = w.sum()
    for _ in range(iters):
        p = 1 / (1 + np.exp(-np.clip(A @ beta, -30, 30)))
        grad = A.T @ (w * (p - y)) / sw + reg * beta
        H = (A * (w * p * (1 - p))[:, None]).T @ A / sw + np.diag(reg + 1e-9)
        step = np.linalg.solve(H, grad)
        beta -= step
        if np.abs(step).max() < 1e-7:
            break
    return beta


def fit_trees(X, y, w, a):
    """Gradient-boosted trees (scikit-learn) on soft labels: a row with 0 < y < 1 counts
    as a positive weighing w*y and a negative weighing w*(1-y), which is the same log loss."""
    from sklearn.ensemble import HistGradientBoostingClassifier

    soft = (y > 0) & (y < 1)
    Xd = np.vstack([X, X[soft]])
    yd = np.concatenate([(y >= 0.5).astype(int), np.zeros(soft.sum(), dtype=int)])
    wd = np.concatenate([np.where(soft, w * y, w), w[soft] * (1 - y[soft])])
    yd[: len(y)][soft] = 1
    m = HistGradientBoostingClassifier(
        max_iter=a.iters, learning_rate=a.lr, max_depth=a.depth, max_leaf_nodes=a.leaves,
        min_samples_leaf=a.min_leaf, l2_regularization=a.tree_l2, early_stopping=False,
        random_state=0)
    m.fit(Xd, yd, sample_weight=wd / wd.mean())
    return m


def tree_strings(names, m):
    """The fitted trees as `[text.model]` `features` and `trees` (see src/text/trees.rs):
    the baseline as a one-leaf tree first, then each tree's nodes depth-first."""
    used = sorted({int(n["feature_idx"]) for pred in m._predictors for n in pred[0].nodes if not n["is_leaf"]})
    index = {f: k for k, f in enumerate(used)}
    trees = [f"{float(np.ravel(m._baseline_prediction)[0]):.6g}"]
    for pred in m._predictors:
        nodes = pred[0].nodes
        order, stack = [], [0]
        while stack:
            i = stack.pop()
            order.append(i)
            if not nodes[i]["is_leaf"]:
                stack += [int(nodes[i]["right"]), int(nodes[i]["left"])]
        pos = {i: k for k, i in enumerate(order)}
        toks = []
        for i in order:
            n = nodes[i]
            if n["is_leaf"]:
                toks.append(f"{float(n['value']):.6g}")
            else:
                toks.append(f"{index[int(n['feature_idx'])]}:{float(n['num_threshold'])!r}:{pos[int(n['left'])]}:{pos[int(n['right'])]}")
        trees.append(" ".join(toks))
    return [names[f] for f in used], trees


def predict_trees(cols, trees, X):
    """The Rust scoring, in numpy (a check that the export is exact enough)."""
    z = np.zeros(len(X))
    for t in trees:
        toks = t.split()
        at = np.zeros(len(X), dtype=int)
        done = np.zeros(len(X), dtype=bool)
        while not done.all():
            for j in set(at[~done]):
                sel = (at == j) & ~done
                parts = toks[j].split(":")
                if len(parts) == 1:
                    z[sel] += float(parts[0])
                    done[sel] = True
                else:
                    f, thr, l, r = cols[int(parts[0])], float(parts[1]), int(parts[2]), int(parts[3])
                    at[sel] = np.where(X[sel, f] <= thr, l, r)
    return z


def toml_trees(names, m, threshold):
    feats, trees = tree_strings(names, m)
    out = ["[text.model]", "enabled = true", 'kind = "trees"', f"keep_threshold = {threshold[0]}", f"add_threshold = {threshold[1]}"]
    out.append("features = [" + ", ".join(f'"{f}"' for f in feats) + "]")
    out.append("trees = [")
    out += [f'  "{t}",' for t in trees]
    out.append("]")
    return "\n".join(out) + "\n"


def rust_trees(names, m):
    feats, trees = tree_strings(names, m)
    out = ["pub(super) const DEFAULT_TREE_FEATURES: &[&str] = &[" + ", ".join(f'"{f}"' for f in feats) + "];",
           "pub(super) const DEFAULT_TREES: &[&str] = &["]
    out += [f'    "{t}",' for t in trees]
    return "\n".join(out + ["];"]) + "\n"


def toml_block(names, beta, threshold):
    out = ["[text.model]", "enabled = true", f"bias = {beta[0]:.4f}", f"keep_threshold = {threshold[0]}", f"add_threshold = {threshold[1]}", "", "[text.model.weights]"]
    out += [f"{n} = {b:.4f}" for n, b in zip(names, beta[1:])]
    return "\n".join(out) + "\n"


def rust_consts(names, beta, threshold):
    out = [f"const DEFAULT_MODEL_BIAS: f64 = {beta[0]:.4f};",
           f"const DEFAULT_MODEL_KEEP_THRESHOLD: f64 = {threshold[0]};",
           f"const DEFAULT_MODEL_ADD_THRESHOLD: f64 = {threshold[1]};",
           "const DEFAULT_MODEL_WEIGHTS: &[(&str, f64)] = &["]
    out += [f'    ("{n}", {b:.4f}),' for n, b in zip(names, beta[1:])]
    return "\n".join(out + ["];"]) + "\n"


def run_and_score(binary, set_dir, config, out):
    subprocess.run([binary, "run", os.path.join(set_dir, "pages"), "-o", out, "-q", "--config", config], check=True)


def score(gold_path, pred_path):
    tool = os.path.join(ROOT, "..", "shared", "tools", "score.py")
    return subprocess.run([sys.executable, tool, gold_path, pred_path], capture_output=True, text=True, check=True).stdout


def summary(txt):
    keep = [l for l in txt.splitlines() if l.startswith(("shingle", "snippet"))]
    return " | ".join(" ".join(l.split()) for l in keep)


OFF_CONFIG = None


def main():
    global OFF_CONFIG
    ap = argparse.ArgumentParser()
    ap.add_argument("sets", nargs="+")
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "fast", "boilerstrip"))
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument("--te-weight", type=float, default=0.5)
    ap.add_argument("--keep-threshold", type=float, default=0.1)
    ap.add_argument("--add-threshold", type=float, default=0.6)
    ap.add_argument("--thresholds", default=None,
                    help="with --cv: several KEEP,ADD pairs to score, e.g. '0.1,0.6 0.3,0.5'")
    ap.add_argument("--weighting", choices=["page", "sqrt"], default="sqrt")
    ap.add_argument("--trees", action="store_true", help="fit gradient-boosted trees")
    ap.add_argument("--iters", type=int, default=200)
    ap.add_argument("--lr", type=float, default=0.1)
    ap.add_argument("--depth", type=int, default=6)
    ap.add_argument("--leaves", type=int, default=31)
    ap.add_argument("--min-leaf", type=int, default=200)
    ap.add_argument("--tree-l2", type=float, default=1.0)
    ap.add_argument("--cv", action="store_true")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="train-text-")
    OFF_CONFIG = os.path.join(tmp, "off.toml")
    with open(OFF_CONFIG, "w") as f:
        f.write("[text.model]\nenabled = false\n")
    data = [load_set(a.bin, s, a.te_weight, a.weighting) for s in a.sets]
    names = data[0][0]
    X = np.vstack([d[1] for d in data])
    Y = np.concatenate([d[2] for d in data])
    W = np.concatenate([d[3] for d in data])
    G = np.concatenate([d[4] for d in data])
    if a.trees:
        fitter = lambda X_, Y_, W_: fit_trees(X_, Y_, W_, a)
        block = lambda m, t: toml_trees(names, m, t)
    else:
        fitter = lambda X_, Y_, W_: fit(X_, Y_, W_, a.l2)
        block = lambda m, t: toml_block(names, m, t)
    model = fitter(X, Y, W)
    thr = (a.keep_threshold, a.add_threshold)
    if a.trees:
        feats, trees = tree_strings(names, model)
        cols = [names.index(f) for f in feats]
        z = predict_trees(cols, trees, X[:5000])
        ref = model.decision_function(X[:5000])
        print(f"# {len(trees) - 1} trees; export agrees with scikit-learn to {np.abs(z - ref).max():.2g}", file=sys.stderr)
        out = os.path.join(tmp, "trees.toml")
        open(out, "w").write(block(model, thr))
        rs = os.path.join(tmp, "trees.rs")
        open(rs, "w").write(rust_trees(names, model))
        print(f"# [text.model] in {out}, Rust constants in {rs}")
    else:
        print(toml_block(names, model, thr))
        print(rust_consts(names, model, thr))
    if not a.cv:
        return
    pairs = [tuple(float(x) for x in p.split(",")) for p in a.thresholds.split()] if a.thresholds else [thr]
    folds = []
    for k in (0, 1):
        m = G != k  # fit on the other fold, apply to fold k
        folds.append(fitter(X[m], Y[m], W[m]))
    for t in pairs:
        full = os.path.join(tmp, "full.toml")
        open(full, "w").write(block(model, t))
        cfgs = []
        for k in (0, 1):
            p = os.path.join(tmp, f"fold{k}.toml")
            open(p, "w").write(block(folds[k], t))
            cfgs.append(p)
        print(f"==== keep_threshold {t[0]} add_threshold {t[1]}")
        for s, d in zip(a.sets, data):
            gold_path = os.path.join(s, "gold.jsonl")
            gold = d[5]
            fold_by_id = {stem(g.get("file") or g["id"]): fold_of(site_of(g)) for g in gold}
            base = os.path.join(tmp, os.path.basename(s.rstrip("/")))
            run_and_score(a.bin, s, full, base + ".in.jsonl")
            recs = {}
            for k in (0, 1):
                out = f"{base}.cv{k}.jsonl"
                run_and_score(a.bin, s, cfgs[k], out)
                for l in open(out):
                    r = json.loads(l)
                    if fold_by_id.get(stem(r["source"])) == k:
                        recs[r["source"]] = l
            with open(base + ".cv.jsonl", "w") as f:
                for src in sorted(recs):
                    f.write(recs[src])
            rej = sum(1 for _ in open(base + ".in.rejects.jsonl")) if os.path.exists(base + ".in.rejects.jsonl") else 0
            print(f"== {os.path.basename(s.rstrip('/'))}  (in-sample rejects {rej})")
            print("in-sample:", summary(score(gold_path, base + ".in.jsonl")))
            print("2-fold CV:", summary(score(gold_path, base + ".cv.jsonl")), flush=True)
    print("outputs in", tmp)


if __name__ == "__main__":
    main()
