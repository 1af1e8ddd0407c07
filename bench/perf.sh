#!/bin/sh
# bench/perf.sh [CORPUS.jsonl[.gz]] [N]
#
# Times papersift beside its peers (../shared/eval/perf.py: scikit-learn's
# TF-IDF featurizer, a numpy top-10 scan over SQLite blobs, scikit-learn's
# KMeans) on the same abstracts, and prints the ratios (below 1: papersift
# is faster). The corpus defaults to ../shared/data/arxiv-cs/dev.jsonl; N
# takes its first N papers. Needs python3 with scikit-learn
# (apt-get install -y python3-sklearn); without it, says so and exits 0.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${PAPERSIFT_SHARED:-$root/../shared}
perf=$shared/eval/perf.py
corpus=${1:-$shared/data/arxiv-cs/dev.jsonl}
n=${2:-}
py=/usr/bin/python3

if ! "$py" -c 'import sklearn, numpy' 2>/dev/null; then
	echo "bench/perf.sh: skipped: python3-sklearn is not installed (apt-get install -y python3-sklearn)"
	exit 0
fi
for f in "$perf" "$corpus"; do
	if [ ! -f "$f" ]; then
		echo "bench/perf.sh: skipped: $f is absent (it lives in ../shared beside the repository)"
		exit 0
	fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$root" && CGO_ENABLED=0 go build -o "$tmp/papersift" ./cmd/papersift)
set -- "$corpus" "$tmp/papersift"
if [ -n "$n" ]; then
	set -- "$@" --n "$n"
fi
"$py" "$perf" "$@" >"$tmp/perf.json"

"$py" - "$tmp/perf.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
p = r.get("project") or {}
print("papersift beside its peers: %d papers, %d dimensions" % (r["n"], r["dim"]))
print("%-28s %11s %11s %8s" % ("", "papersift", "peer", "ratio"))
for name, mine, peer, ratio in [
    ("ingest+embed vs featurize", p.get("ingest_embed_s"), r["peer_featurize_s"], r.get("ratio_ingest_vs_featurize")),
    ("similar -k 10", p.get("similar_s"), r["peer_similar_s"], r.get("ratio_similar")),
    ("group -k 50 vs KMeans", p.get("group_k50_s"), r["peer_kmeans_k50_s"], r.get("ratio_group")),
]:
    print("%-28s %10.3fs %10.3fs %8.2f" % (name, mine, peer, ratio))
print("(ratio below 1: papersift is faster; medians of perf.py's runs)")
PY
