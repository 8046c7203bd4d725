#!/usr/bin/env node
// The text parser alone (dist/trace/ftrace.js TextParser.parse) over an in-memory slice of the parse bench's trace,
// REPS times; prints lines and the best CPU ns per line. Run by bench/instructions.sh under valgrind, which counts
// instructions: on a shared VM wall time cannot show a 10 % change, instruction counts repeat within ±2 %.
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const { TextParser, LINE_EVENT } = await import(join(here, '../dist/trace/ftrace.js'));
const { TraceEvent } = await import(join(here, '../dist/trace/event.js'));
const file = process.env.FILE ?? join(tmpdir(), 'mmreplay-bench-v2-2000000.trace');
const buf = readFileSync(file).subarray(0, Number(process.env.MB ?? 4) << 20);
const parser = new TextParser();
parser.setEra('6.15');
const ev = new TraceEvent(parser.names, parser.tasks, parser.gfps);
let best = Infinity;
let lines = 0;
let sum = 0;
for (let rep = 0; rep < Number(process.env.REPS ?? 5); rep++) {
  const t0 = process.cpuUsage().user;
  let p = 0;
  let n = 0;
  for (;;) {
    const nl = buf.indexOf(10, p);
    if (nl < 0) break;
    if (parser.parse(buf, p, nl, ev) === LINE_EVENT) sum += ev.pfn;
    n++;
    p = nl + 1;
  }
  lines = n;
  best = Math.min(best, (process.cpuUsage().user - t0) * 1000);
}
console.log(`${lines} lines, best ${(best / lines).toFixed(0)} ns/line (checksum ${sum})`);
