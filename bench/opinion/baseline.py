#!/usr/bin/python3
"""scikit-learn baseline for bench/opinion.

Runs the textbook version of the Polis pipeline on a file written by
`go run ./bench/opinion gen`: a dense participants x statements matrix with
missing votes imputed by the statement's mean, PCA to two components
(sklearn's PCA: centred, randomized SVD at this size), each participant's
position scaled by sqrt(statements / votes cast) as Polis does, KMeans with
100 base clusters on the participants with at least min(7, statements)
votes, then weighted KMeans over the base centres for k = 2..5 chosen by
silhouette (over the base centres, as Polis does). Representative
statements and consensus are not computed (Go computes them too).

Use Debian's Python, which has python3-sklearn:

    /usr/bin/python3 bench/opinion/baseline.py /tmp/op1m.bin --runs 3

It prints each run's time (building the dense matrix included, reading the
file not), the median, the CPU time per run (user + system, all threads),
the adjusted Rand index against the planted groups, and the peak resident
set size (getrusage ru_maxrss).
"""

import argparse
import resource
import statistics
import sys
import time

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score, silhouette_score


def load(path):
    with open(path, "rb") as f:
        if f.read(4) != b"PVM1":
            sys.exit(f"{path}: not a PVM1 file")
        participants, statements, groups = (int(x) for x in np.frombuffer(f.read(12), "<u4"))
        n = int(np.frombuffer(f.read(8), "<u8")[0])
        p = np.frombuffer(f.read(4 * n), "<i4")
        s = np.frombuffer(f.read(4 * n), "<i4")
        v = np.frombuffer(f.read(n), "i1")
        label = np.frombuffer(f.read(4 * participants), "<i4")
    return participants, statements, groups, p, s, v, label


def pipeline(participants, statements, p, s, v, seed, dtype):
    counts = np.bincount(p, minlength=participants)
    # Statement means over the votes cast; missing cells take the mean.
    sums = np.bincount(s, weights=v.astype(np.float64), minlength=statements)
    seen = np.bincount(s, minlength=statements)
    means = np.divide(sums, seen, out=np.zeros(statements), where=seen > 0)
    X = np.empty((participants, statements), dtype=dtype)
    X[:] = means.astype(dtype)
    X[p, s] = v
    voters = counts > 0
    pca = PCA(n_components=2, random_state=seed)
    pca.fit(X[voters] if not voters.all() else X)
    xy = pca.transform(X)
    del X
    xy *= np.sqrt(statements / np.maximum(counts, 1))[:, None]
    clustered = counts >= min(7, statements)
    pts = xy[clustered]
    base = KMeans(n_clusters=min(100, len(pts)), n_init=1, random_state=seed).fit(pts)
    centres = base.cluster_centers_
    sizes = np.bincount(base.labels_, minlength=len(centres))
    best, best_sil = None, -2.0
    for k in range(2, min(5, 2 + len(centres) // 12) + 1):
        km = KMeans(n_clusters=k, n_init=10, random_state=seed).fit(centres, sample_weight=sizes)
        sil = silhouette_score(centres, km.labels_)
        if sil > best_sil:
            best, best_sil = km, sil
    groups = best.labels_[base.labels_]
    return clustered, groups, best.n_clusters


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("file")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dtype", default="float64", choices=["float64", "float32"])
    a = ap.parse_args()
    participants, statements, ngroups, p, s, v, label = load(a.file)
    print(f"{participants} participants x {statements} statements, {len(v)} votes, {ngroups} planted groups, {a.dtype}")
    times = []
    r0 = resource.getrusage(resource.RUSAGE_SELF)
    for i in range(a.runs):
        t0 = time.perf_counter()
        clustered, groups, k = pipeline(participants, statements, p, s, v, a.seed, np.dtype(a.dtype))
        t = time.perf_counter() - t0
        times.append(t)
        print(f"run {i + 1}: {t:.3f}s")
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime + r1.ru_stime - r0.ru_utime - r0.ru_stime) / a.runs
    ari = adjusted_rand_score(label[clustered], groups)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"median {statistics.median(times):.3f}s over {a.runs} runs (min {min(times):.3f}s, max {max(times):.3f}s)")
    print(f"CPU time (user + system) per run {cpu:.3f}s")
    print(f"k = {k}, group sizes {sorted(np.bincount(groups).tolist(), reverse=True)}, clustered {int(clustered.sum())}, ARI vs planted {ari:.4f}")
    print(f"peak RSS (getrusage ru_maxrss) {rss:.1f} MB")


if __name__ == "__main__":
    main()
