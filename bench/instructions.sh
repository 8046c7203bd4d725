#!/bin/bash
# Steady-state instructions per line of the text parser (bench/parse-slice.mjs under valgrind cachegrind, V8 in
# --single-threaded mode so the JIT decides the same way each run): (Ir with 5 passes − Ir with 2) / (3 × lines).
# Needs valgrind and the parse bench's trace (`node bench/run.js parse` writes it). Usage: bench/instructions.sh [MB]
set -e
here=$(dirname "$0")
MB=${1:-4}
run() { MB=$MB REPS=$1 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
  node --single-threaded "$here/parse-slice.mjs" 2>&1 | awk '/I *refs/ {gsub(",","",$4); print $4} / lines,/ {print $1 > "/dev/stderr"}'; }
a=$(run 2 2>/dev/null); b=$(run 5 2>/tmp/mmreplay-instr-lines); lines=$(cat /tmp/mmreplay-instr-lines); rm -f /tmp/mmreplay-instr-lines
echo "text parser: $(( (b - a) / (lines * 3) )) instructions per line ($lines lines, ${MB} MiB slice)"
