#!/usr/bin/python3
"""The text pipeline done plainly, as the baseline for bench/text (run with Debian's /usr/bin/python3).

Normalize (NFKC + case fold, OpenCC's own `opencc -c t2s.json` command for traditional to simplified, punctuation and
spaces removed), near-duplicates by ALL-PAIRS exact Jaccard of character 3-gram sets (scikit-learn binary
CountVectorizer, sparse products in row blocks, threshold 0.8, connected components), themes by TF-IDF over character
bigrams and scikit-learn KMeans with the true number of themes given (an advantage the engine does not get).

  baseline.py --input corpus.jsonl --groups groups.csv --themes themes.json [--k 12]

Writes the same formats as `ningju text dedup` (CSV id,group; group = earliest member) and `ningju text themes`,
and prints the phase timings as JSON on stdout.
"""
import argparse
import json
import re
import subprocess
import sys
import time
import unicodedata

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--input", required=True)
    parser.add_argument("--groups", required=True)
    parser.add_argument("--themes", required=True)
    parser.add_argument("--k", type=int, default=12)
    parser.add_argument("--threshold", type=float, default=0.8)
    args = parser.parse_args()

    timings = {}
    start = time.perf_counter()
    ids, texts = [], []
    with open(args.input, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                record = json.loads(line)
                ids.append(str(record["id"]))
                texts.append(record["text"])
    folded = [unicodedata.normalize("NFKC", t).casefold().replace("\n", " ") for t in texts]
    converted = subprocess.run(["opencc", "-c", "t2s.json"], input="\n".join(folded), capture_output=True,
                               text=True, check=True).stdout.split("\n")
    content = [re.sub(r"[\W_]+", "", t) for t in converted[: len(ids)]]
    timings["read_normalize_seconds"] = time.perf_counter() - start

    t0 = time.perf_counter()
    shingles = CountVectorizer(analyzer="char", ngram_range=(3, 3), binary=True, lowercase=False,
                               dtype=np.float32).fit_transform(content)
    sizes = np.asarray(shingles.sum(axis=1)).ravel()
    n = len(ids)
    rows, cols = [], []
    block = 2000
    transposed = shingles.T.tocsr()
    for begin in range(0, n, block):
        inter = (shingles[begin:begin + block] @ transposed).tocoo()
        i = inter.row + begin
        j = inter.col
        keep = j > i
        i, j, common = i[keep], j[keep], inter.data[keep]
        jaccard = common / (sizes[i] + sizes[j] - common)
        hit = jaccard >= args.threshold
        rows.append(i[hit])
        cols.append(j[hit])
    rows = np.concatenate(rows) if rows else np.array([], dtype=np.int64)
    cols = np.concatenate(cols) if cols else np.array([], dtype=np.int64)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    first = {}
    for index, label in enumerate(labels):
        first.setdefault(label, index)
    group = [first[label] for label in labels]
    timings["dedup_seconds"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    distinct = sorted(set(group))
    tfidf = TfidfVectorizer(analyzer="char", ngram_range=(2, 2), sublinear_tf=True, lowercase=False)
    vectors = tfidf.fit_transform([content[i] for i in distinct])
    k = min(args.k, len(distinct))
    assignment = KMeans(n_clusters=k, n_init=1, random_state=1).fit_predict(vectors)
    theme_of = {item: int(a) for item, a in zip(distinct, assignment)}
    timings["themes_seconds"] = time.perf_counter() - t0
    timings["total_seconds"] = time.perf_counter() - start

    with open(args.groups, "w", encoding="utf-8") as out:
        out.write("id,group\n")
        for index, g in enumerate(group):
            out.write(f"{ids[index]},{ids[g]}\n")
    members = [[] for _ in range(k)]
    for index, g in enumerate(group):
        members[theme_of[g]].append(ids[index])
    themes = [{"terms": [], "size": len(m), "representative": m[0], "members": m} for m in members if m]
    themes.sort(key=lambda t: -t["size"])
    with open(args.themes, "w", encoding="utf-8") as out:
        json.dump({"themes": themes}, out, ensure_ascii=False)
    timings["items"] = n
    json.dump(timings, sys.stdout)
    print()


if __name__ == "__main__":
    main()
