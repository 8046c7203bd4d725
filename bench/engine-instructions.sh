#!/bin/bash
# Engine-only cost per trace line (the main thread's half of the replay pipeline: replayBatch unpack + engine),
# measured with cachegrind on packed batches loaded from a dump (no parsing in the measured process).
# Usage: bench/engine-instructions.sh [DIST_DIR]   (default ./dist; build first with `npx tsc -p .`; needs valgrind)
# Prints instructions, I1 misses and D1 misses per line: (run over 400k lines - run over 200k) / 200k.
# The slices are the first 200k and 400k lines of the replay bench's trace (`node bench/run.js replay` writes it).
set -e
. "$(dirname "$0")/cachegrind-lib.sh"
python3 - "$T/dist/replay/pipeline.js" <<'PY'
import sys
p=sys.argv[1]; s=open(p).read()
s=s.replace("import { Worker } from 'node:worker_threads';","import { Worker } from 'node:worker_threads';\nimport { writeFileSync, readFileSync } from 'node:fs';\nimport v8s from 'node:v8';",1)
a="        this.worker = new Worker(WORKER_URL,"
assert a in s
s=s.replace(a,"""        if (process.env.LOAD) {
            const msgs = v8s.deserialize(readFileSync(process.env.LOAD));
            this.worker = { unref() {}, ref() {}, on() {}, terminate() {}, postMessage() {} };
            for (const m of msgs) this.queue.push(m.t === 'batch' ? { ...m, buf: m.f.buffer } : m);
        } else
"""+a,1)
b="                const m = queue.shift();"
assert b in s
s=s.replace(b,b+"""
                if (process.env.DUMP) { (globalThis.__dump ??= []).push(m.t === 'batch' ? { t: 'batch', n: m.n, strs: m.strs, f: new Float64Array(m.buf.slice(0)) } : m); if (m.t === 'done') writeFileSync(process.env.DUMP, v8s.serialize(globalThis.__dump)); }""",1)
open(p,'w').write(s)
PY
cat > "$T/slice.mjs" <<'JS'
import { Readable } from 'node:stream';
const { run } = await import(process.env.MAINJS);
const io = { stdout: () => {}, stderr: (s) => process.stderr.write(s), stdin: () => Readable.from([]), env: { MMREPLAY_WORKER: '1' }, stdoutIsTTY: false, stderrIsTTY: false, exitCode: 0, cwd: process.cwd() };
const rc = await run(['replay', process.env.FILE, '--machine', 'x86_64-16G', '--mode', 'simulate', '--log', 'failures'], io);
if (rc !== 0) process.exit(rc);
JS
export MAINJS="$T/dist/cli/main.js"
for n in 200000 400000; do
  DUMP=$T/d$n.bin FILE=$S/$n.txt node "$T/slice.mjs"
done
cg() { LOAD=$T/d$1.bin FILE=$S/$1.txt valgrind --tool=cachegrind --cache-sim=yes --cachegrind-out-file=/dev/null node --single-threaded "$T/slice.mjs" 2>&1; }
cg 200000 > $T/a.txt & cg 400000 > $T/b.txt; wait
per_line $T/a.txt $T/b.txt "I *refs" "I1 *misses" "D1 *misses" "LLd misses"
