#!/bin/bash
# Instructions of an in-thread replay (simulate, x86_64-16G), which repeat within ±2 % where wall time on a shared VM
# varies by ±30 %: valgrind cachegrind over bench/replay-slice.mjs with V8 in --single-threaded mode. Prints the
# start-up (a 3-line trace) and the steady cost per trace line, (Ir at 400k lines − Ir at 200k) / 200k, parser and
# engine together (bench/instructions.sh gives the parser alone). Needs valgrind and the replay bench's trace
# (`node bench/run.js replay` writes it). Usage: bench/replay-instructions.sh [failures|decisions]
set -e
here=$(dirname "$0")
LOG=${1:-failures}
trace=$(node -e "console.log(require('node:path').join(require('node:os').tmpdir(), 'mmreplay-replay-bench-v3-2000000.txt'))")
[ -f "$trace" ] || { echo "no $trace: run 'node bench/run.js replay' first" >&2; exit 2; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for n in 3 200000 400000; do head -n $((n + 1)) "$trace" > "$dir/$n.txt"; done
ir() { FILE=$1 LOG=$LOG valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
  node --single-threaded "$here/replay-slice.mjs" 2>&1 | awk '/I *refs/ {gsub(",","",$4); print $4}'; }
s=$(ir "$dir/3.txt"); a=$(ir "$dir/200000.txt"); b=$(ir "$dir/400000.txt")
echo "replay --log $LOG$([ "$LOG" = failures ] || echo " --format jsonl"), one thread: start-up $(( s / 1000000 )) M instructions; $(( (b - a) / 200000 )) instructions per trace line"
