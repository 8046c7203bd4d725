#!/bin/bash
# Worker-side cost per trace line of the replay pipeline (the parser worker's whole job: read, split, parse,
# eventToRequest, pack into batches), run in one thread under cachegrind: dist/replay/pipeline-worker.js with its
# parentPort replaced by a stub that hands every batch straight back.
# Usage: bench/worker-instructions.sh [DIST_DIR]   (default ./dist; build first with `npx tsc -p .`; needs valgrind)
# Prints instructions, I1 and D1 misses per line: (run over 400k lines - run over 200k) / 200k.
set -e
. "$(dirname "$0")/cachegrind-lib.sh"
python3 - "$T/dist/replay/pipeline-worker.js" <<'PY'
import sys
p=sys.argv[1]; s=open(p).read()
a="import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';"
assert a in s, 'worker import line changed: update bench/worker-instructions.sh'
s=s.replace(a,"""const workerData = { path: process.env.FILE, strict: false, traceKernel: undefined, nrCpus: 2**30, batchEvents: 16384, batchesAhead: 16 };
const q = [];
const parentPort = { on() {}, postMessage(m) { if (m.t === 'batch') q.push({ message: { t: 'free', buf: m.buf } }); if (m.t === 'done') console.log('lines', m.result.lines); if (m.t === 'fail') console.log(m); } };
const receiveMessageOnPort = () => q.shift();""")
open(p,'w').write(s)
PY
cg() { FILE=$S/$1.txt valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null node --single-threaded "$T/dist/replay/pipeline-worker.js" 2>&1; }
cg 200000 > $T/a.txt & cg 400000 > $T/b.txt; wait
grep -h "^lines" $T/a.txt $T/b.txt | tr '\n' ' '; echo
per_line $T/a.txt $T/b.txt "I *refs" "I1 *misses" "D1 *misses"
