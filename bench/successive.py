#!/usr/bin/python3
"""Successive lists against one ingest: does the corpus come out the same?

  bench/successive.py BIN [LABELLED.jsonl] [--parts N] [--keep DIR]

LABELLED.jsonl: rows {id, title, abstract, label, categories, ...}, default
../shared/data/arxiv-cs/dev.jsonl (the labelled arXiv cs dev set).

1. ingests LABELLED all at once into a fresh database (list "eval");
2. in another fresh database, splits its rows in file order into N (default
   10) consecutive parts (sizes differing by at most one, the first parts the
   larger), writes each part's lines verbatim to partNN.jsonl and ingests the
   parts one after the other, each with --list partNN, as a reader whose
   library grows by a list a day;
3. computes for each database the corpus-scale figures of
   /work/shared/eval/quality.py's `project`, by its own procedure and helpers:
   group: `group -k K --seed s` (K = number of labels, s = 0..4) over the
   whole corpus (--list eval, or --list part00 ... --list partNN), V-measure /
   ARI / NMI against the primary category, averaged over the seeds;
   similar: `similar ID -k 10` for quality.py's 400 query papers, knn_p10
   (share of the 10 neighbours in the query's primary category) and
   knn_soft_p10 (sharing any category).

Prints one JSON object: both sets of figures, the relative differences
(successive - all at once) / all at once, whether each is within 2% (the
issue's requirement: successive figures within 2% of all at once), the model
each database ends with (`stats --format json`, active_model), and the
fitting notices the successive ingests printed.

Uses the stdlib, numpy and sklearn (through quality.py); run it with
/usr/bin/python3. Slow: 2 x (5 groups + 400 similar calls) on the corpus.
"""
import argparse, json, os, shutil, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
for d in (os.path.join(here, "..", "..", "shared", "eval"), "/work/shared/eval"):
    if os.path.exists(os.path.join(d, "quality.py")):
        sys.path.insert(0, d)
        break
import numpy as np  # noqa: E402
from quality import CLI, cluster_scores, knn_queries, load, p_at  # noqa: E402

TOLERANCE = 0.02


def split(n, parts):
    """Bounds of `parts` consecutive parts of n rows, sizes differing by at most one."""
    q, r = divmod(n, parts)
    out, lo = [], 0
    for i in range(parts):
        hi = lo + q + (1 if i < r else 0)
        out.append((lo, hi))
        lo = hi
    return out


def figures(cli, rows, lists):
    """quality.py project's group and similar figures for the papers on `lists`."""
    lab = {r["id"]: r["label"] for r in rows}; cats = {r["id"]: set(r["categories"]) for r in rows}
    ids = [r["id"] for r in rows]; k = len(set(lab.values()))
    scope = [a for l in lists for a in ("--list", l)]
    out = {}
    t = time.perf_counter()
    sc = []
    for s in range(5):
        g = cli.json("group", *scope, "-k", str(k), "--seed", str(s))
        pred = {}
        for c in g["clusters"]:
            for p in c["papers"]:
                pred[p["id"]] = c["id"]
        missing = [i for i in ids if i not in pred]
        if missing:
            raise SystemExit("group left out %d papers" % len(missing))
        sc.append(cluster_scores([lab[i] for i in ids], [pred[i] for i in ids]))
    out["group"] = {m: float(np.mean([s[m] for s in sc])) for m in sc[0]}
    out["group"]["seconds_per_call"] = (time.perf_counter() - t) / 5
    p, ps = [], []
    t = time.perf_counter()
    for qi in knn_queries(rows):
        nn = [x["id"] for x in cli.json("similar", qi, "-k", "10")]
        if qi in nn:
            raise SystemExit("similar returned the query itself")
        p.append(p_at(nn, lab, {lab[qi]}, 10)); ps.append(np.mean([1.0 if cats[j] & cats[qi] else 0.0 for j in nn]))
    out["similar"] = {"knn_p10": float(np.mean(p)), "knn_soft_p10": float(np.mean(ps)),
                      "seconds_per_call": (time.perf_counter() - t) / len(p)}
    out["active_model"] = cli.json("stats")["active_model"]
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("binary")
    ap.add_argument("labelled", nargs="?",
                    default=os.path.join(here, "..", "..", "shared", "data", "arxiv-cs", "dev.jsonl"))
    ap.add_argument("--parts", type=int, default=10)
    ap.add_argument("--keep", help="work in this directory and leave the databases there")
    a = ap.parse_args()
    binary, path = os.path.abspath(a.binary), os.path.abspath(a.labelled)
    rows = load(path)
    lines = [l for l in open(path, encoding="utf-8").read().splitlines() if l.strip()]
    if len(lines) != len(rows):
        raise SystemExit("%s: %d rows but %d non-empty lines" % (path, len(rows), len(lines)))
    tmp = a.keep or tempfile.mkdtemp(prefix="pssucc")
    os.makedirs(tmp, exist_ok=True)
    out = {"data": path, "n": len(rows), "k": len(set(r["label"] for r in rows)), "parts": a.parts}

    # 1. all at once
    db1 = os.path.join(tmp, "once.db")
    for suf in ("", "-wal", "-shm"):
        if os.path.exists(db1 + suf):
            os.remove(db1 + suf)
    once = CLI(binary, db1, [])
    t = time.perf_counter(); once.run("ingest", "--format", "jsonl", "--list", "eval", path)
    ingest_once = time.perf_counter() - t

    # 2. successive lists
    db2 = os.path.join(tmp, "successive.db")
    for suf in ("", "-wal", "-shm"):
        if os.path.exists(db2 + suf):
            os.remove(db2 + suf)
    succ = CLI(binary, db2, [])
    names, notes, sizes = [], [], []
    t = time.perf_counter()
    for i, (lo, hi) in enumerate(split(len(lines), a.parts)):
        name = "part%02d" % i
        f = os.path.join(tmp, name + ".jsonl")
        with open(f, "w", encoding="utf-8") as w:
            w.write("\n".join(lines[lo:hi]) + "\n")
        p = succ.run("ingest", "--format", "jsonl", "--list", name, f)
        names.append(name); sizes.append(hi - lo)
        notes += ["%s (%d papers): %s" % (name, hi, l) for l in p.stderr.splitlines()
                  if "model" in l or "fitting" in l or "re-embedding" in l]
    ingest_succ = time.perf_counter() - t

    # 3. the figures
    f1 = figures(once, rows, ["eval"]); f1["ingest_seconds"] = ingest_once
    f2 = figures(succ, rows, names); f2["ingest_seconds"] = ingest_succ
    out["all_at_once"], out["successive"] = f1, f2
    out["part_sizes"] = sizes
    rel, ok = {}, {}
    for sec, ms in (("group", ("vmeasure", "ari", "nmi")), ("similar", ("knn_p10", "knn_soft_p10"))):
        for m in ms:
            x, y = f1[sec][m], f2[sec][m]
            rel[m] = (y - x) / x if x else float("nan")
            ok[m] = abs(rel[m]) <= TOLERANCE
    out["relative_difference"] = rel
    out["within_2pct"] = ok
    out["successive_fits"] = notes
    if not a.keep:
        shutil.rmtree(tmp)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
