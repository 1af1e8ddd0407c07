#!/bin/bash
# bench/lockprobe.sh PAPERSIFT DB PAPER_ID
#
# Runs `embed --refit` on DB and meanwhile, from a second process, likes and
# unrates PAPER_ID every 0.2 s; prints the longest `like` round trip (how
# long the refit's transaction made a writer wait) and any failure. The
# paper's feedback is left as it was found only if it had none.
set -u
bin=$1 db=$2 id=$3
"$bin" --db "$db" embed -q --refit >/dev/null 2>"$db.refit.err" &
pid=$!
max=0 n=0 fails=0
while kill -0 $pid 2>/dev/null; do
	start=$(date +%s%N)
	if ! "$bin" --db "$db" like "$id" -q >/dev/null 2>"$db.like.err"; then
		fails=$((fails + 1))
		cat "$db.like.err"
	fi
	ms=$((($(date +%s%N) - start) / 1000000))
	"$bin" --db "$db" unrate "$id" -q >/dev/null 2>&1
	n=$((n + 1))
	[ $ms -gt $max ] && max=$ms
	sleep 0.2
done
wait $pid
code=$?
rm -f "$db.like.err"
echo "embed --refit: exit $code $(cat "$db.refit.err")"
rm -f "$db.refit.err"
echo "like rounds: $n, longest like: ${max} ms, failures: $fails"
