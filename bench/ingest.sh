#!/bin/sh
# bench/ingest.sh [N] [RUNS]
#
# Times `papersift ingest --no-embed` of an N-paper JSON Lines listing
# (default 100,000, made by ../shared/eval/synth_corpus.py from the
# labelled arXiv abstracts) RUNS times (default 5), each into a new
# database (a bulk ingest, through a rollback journal) and into a database
# that already holds a paper (through the WAL), and prints the median
# time, papers per second and the peak memory of each. Needs ../shared
# beside the repository and python3; without them, says so and exits 0.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${PAPERSIFT_SHARED:-$root/../shared}
n=${1:-100000}
runs=${2:-5}
py=/usr/bin/python3
synth=$shared/eval/synth_corpus.py
dev=$shared/data/arxiv-cs/dev.jsonl
for f in "$py" "$synth" "$dev"; do
	if [ ! -e "$f" ]; then
		echo "bench/ingest.sh: skipped: $f is absent"
		exit 0
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/papersift" ./cmd/papersift)
"$py" "$synth" "$dev" "$n" "$tmp/corpus.jsonl" >/dev/null
head -n 1 "$tmp/corpus.jsonl" | sed 's/"id": *"[^"]*"/"id": "bench-seed"/' >"$tmp/one.jsonl"

"$py" - "$tmp" "$n" "$runs" <<'PY'
import os, resource, statistics, subprocess, sys, time
tmp, n, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
bin, corpus = os.path.join(tmp, "papersift"), os.path.join(tmp, "corpus.jsonl")

def fresh(db):
    for suf in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(db + suf):
            os.remove(db + suf)

def run(db):
    # peak memory of this child alone: run it under a shell-less fork and
    # read its rusage from wait4
    t = time.perf_counter()
    p = subprocess.Popen([bin, "--db", db, "--quiet", "ingest", "--no-embed", "--format", "jsonl", corpus],
                         stdout=subprocess.DEVNULL)
    _, status, ru = os.wait4(p.pid, 0)
    if status != 0:
        sys.exit("ingest failed: status %d" % status)
    return time.perf_counter() - t, ru.ru_maxrss / 1024

cases = {"new database (bulk)": [], "database with papers (WAL)": []}
db = os.path.join(tmp, "b.db")
for _ in range(runs):
    fresh(db)
    cases["new database (bulk)"].append(run(db))
    fresh(db)
    subprocess.run([bin, "--db", db, "--quiet", "ingest", "--no-embed", "--format", "jsonl", os.path.join(tmp, "one.jsonl")],
                   check=True, stdout=subprocess.DEVNULL)
    cases["database with papers (WAL)"].append(run(db))
print("papersift ingest --no-embed of %d papers, %d runs each" % (n, runs))
print("%-28s %9s %12s %10s" % ("", "median", "papers/s", "peak MB"))
for name, rs in cases.items():
    t = statistics.median(r[0] for r in rs)
    print("%-28s %8.2fs %12.0f %10.0f" % (name, t, n / t, max(r[1] for r in rs)))
PY
