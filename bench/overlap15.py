#!/usr/bin/python3
"""Cold start against a large corpus: issue 13's 15-paper measurement.

  bench/overlap15.py BIN [SEED] [LARGE.jsonl]

Takes the first 15 papers of the seed page (in page order) as JSON Lines,
ingests them alone into a fresh database, and again into a database where
LARGE (default ../shared/data/arxiv-cs/dev.jsonl) was ingested first; then
runs `similar ID --list LIST -k 5` for each of the 15 papers in both and
prints the mean overlap of the two top-5 answers (out of 5), and the model
of each database.
"""
import json, os, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
binary = os.path.abspath(sys.argv[1])
seed = sys.argv[2] if len(sys.argv) > 2 else os.path.join(here, "..", "testdata", "000_b745d9aefa4b81e4.txt")
large = sys.argv[3] if len(sys.argv) > 3 else os.path.join(here, "..", "..", "shared", "data", "arxiv-cs", "dev.jsonl")


def run(db, *args):
    p = subprocess.run([binary, "--db", db, *args], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"papersift {' '.join(args)}: exit {p.returncode}: {p.stderr}")
    return p.stdout


with tempfile.TemporaryDirectory() as tmp:
    # the seed's papers, in page order
    db0 = os.path.join(tmp, "seed.db")
    run(db0, "ingest", "--no-embed", seed)
    papers = json.loads(run(db0, "papers", "--format", "json"))
    page = open(seed, encoding="utf-8").read()
    papers.sort(key=lambda p: page.find(p["title"]))
    first = os.path.join(tmp, "first15.jsonl")
    with open(first, "w", encoding="utf-8") as f:
        for p in papers[:15]:
            f.write(json.dumps({"id": p["id"], "title": p["title"], "abstract": p["abstract"]}) + "\n")

    alone, big = os.path.join(tmp, "alone.db"), os.path.join(tmp, "big.db")
    run(alone, "ingest", "--list", "first15", first)
    run(big, "ingest", "--list", "dev", large)
    run(big, "ingest", "--list", "first15", first)
    total = 0
    for p in papers[:15]:
        a = [h["id"] for h in json.loads(run(alone, "similar", p["id"], "--list", "first15", "-k", "5", "--format", "json"))]
        b = [h["id"] for h in json.loads(run(big, "similar", p["id"], "--list", "first15", "-k", "5", "--format", "json"))]
        total += len(set(a) & set(b))
    models = [json.loads(run(d, "stats", "--format", "json"))["active_model"] for d in (alone, big)]
    print(json.dumps({"mean_overlap_at_5": total / 15, "alone": models[0], "after_large": models[1]}))
