#!/usr/bin/env bash
# bench/jsonsame.sh BEFORE [AFTER]
#
# Proves that a change of structure changed no behaviour: builds papersift at
# two revisions (AFTER defaults to the working tree), runs every command with
# --format json on the seed page and on ../shared/data/arxiv-cs/dev.jsonl
# (skipped when absent), each in a fresh database at the same path, and
# compares the outputs byte for byte. Prints the commands whose output
# differs and exits 1 if any does.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${PAPERSIFT_SHARED:-$root/../shared}
before=${1:?usage: bench/jsonsame.sh BEFORE [AFTER]}
after=${2:-}
work=$(mktemp -d)
trap 'git -C "$root" worktree remove --force "$work/src" 2>/dev/null || true; rm -rf "$work"' EXIT

build() { # REV OUT: build the binary of a revision ("" is the working tree)
	if [ -z "$1" ]; then
		(cd "$root" && CGO_ENABLED=0 go build -o "$2" ./cmd/papersift)
	else
		git -C "$root" worktree add -q --detach "$work/src" "$1"
		(cd "$work/src" && CGO_ENABLED=0 go build -o "$2" ./cmd/papersift)
		git -C "$root" worktree remove --force "$work/src"
	fi
}

# suite BIN OUTDIR: every command, JSON output and exit code, one file each
suite() {
	local bin=$1 out=$2 n=0
	mkdir -p "$out"
	local run="$work/run"
	rm -rf "$run" && mkdir -p "$run"
	local db="$run/p.db"
	ps() { # name, args...
		local name=$1
		shift
		n=$((n + 1))
		local f
		f=$(printf '%s/%03d-%s' "$out" "$n" "$name")
		set +e
		(cd "$run" && HOME="$run" XDG_DATA_HOME= XDG_CONFIG_HOME="$run/config" "$bin" --db "$db" "$@" >"$f.json" 2>"$f.stderr")
		echo "exit $?" >>"$f.json"
		set -e
	}
	# the seed page
	ps ingest-seed ingest --format json "$root/testdata/000_b745d9aefa4b81e4.txt"
	ps ingest-again ingest --format json "$root/testdata/000_b745d9aefa4b81e4.txt"
	ps ingest-two ingest --format json "$root/testdata/seed-two.hf.json"
	ps embed embed --format json
	ps stats stats --format json
	ps papers papers --format json
	ps papers-limit papers --format json --limit 5 --since 2025-01-01
	ps similar-title similar "Brain-IT" -k 5 --format json
	ps similar-text similar --text "decoding images from fMRI" --format json
	ps similar-list similar "Titans" -k 20 --list 2026-01-07 --format json
	ps similar-missing similar "no such paper at all" --format json
	ps group-auto group --format json
	ps group-k4 group -k 4 --seed 3 --format json
	ps group-all group --all -k 6 --format json
	ps queue-empty queue --format json
	ps like like "Brain-IT" "MEG-GPT" --format json
	ps dislike dislike "Titans" --format json
	ps read read "SAM" --format json
	ps interest interest add "spiking neural networks" --format json
	ps profile profile --format json
	ps queue queue -n 10 --format json
	ps queue-all queue --all -n 30 --diversity 0 --format json
	ps queue-half queue -n 10 --half-life 3 --include-read --format json
	ps eval eval --format json
	ps digest digest --format json
	ps digest-md digest --format md
	ps digest-html digest --out "$run/d.html" --format json
	cp "$run/d.html" "$out/digest-page.html" 2>/dev/null || true
	ps unrate unrate "SAM" --format json
	ps interest-rm interest rm "spiking neural networks" --format json
	ps doctor doctor --format json
	ps refit embed --refit --format json
	ps group-after-refit group -k 5 --format json
	# a corpus: dev.jsonl
	local dev=$shared/data/arxiv-cs/dev.jsonl
	if [ -f "$dev" ]; then
		rm -rf "$run" && mkdir -p "$run"
		ps dev-ingest ingest --format json --list eval "$dev"
		ps dev-stats stats --format json
		for id in $(head -c 2000000 "$dev" | grep -o '"id": *"[^"]*"' | sed 's/.*"\([^"]*\)"$/\1/' | awk 'NR % 97 == 1' | head -12); do
			ps "dev-similar-$id" similar "$id" -k 10 --format json
		done
		ps dev-group group --list eval -k 13 --seed 1 --format json
		ps dev-group-auto group --all --format json
		local likes
		likes=$(grep -o '"id": *"[^"]*"' "$dev" | sed 's/.*"\([^"]*\)"$/\1/' | awk 'NR % 400 == 7' | head -10)
		ps dev-like like $likes --format json
		ps dev-dislike dislike "$(grep -o '"id": *"[^"]*"' "$dev" | sed 's/.*"\([^"]*\)"$/\1/' | sed -n 1000p)" --format json
		ps dev-interest interest add "graph neural networks" --format json
		ps dev-queue queue -n 20 --list eval --format json
		ps dev-eval eval --format json
		ps dev-digest digest --list eval --format json
	else
		echo "bench/jsonsame.sh: $dev is absent: the seed page only" >&2
	fi
}

build "$before" "$work/before"
build "$after" "$work/after"
suite "$work/before" "$work/out-before"
suite "$work/after" "$work/out-after"
if [ -n "${KEEP:-}" ]; then rm -rf "$KEEP"; cp -r "$work/out-after" "$KEEP"; fi
if diff -rq "$work/out-before" "$work/out-after"; then
	echo "bench/jsonsame.sh: $(ls "$work/out-before" | wc -l) outputs, byte-identical between ${before} and ${after:-the working tree}"
else
	for f in $(diff -rq "$work/out-before" "$work/out-after" | awk '{print $2}'); do
		diff "$f" "${f/out-before/out-after}" | head -20
	done
	exit 1
fi
