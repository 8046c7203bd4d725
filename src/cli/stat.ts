/**
 * `mmreplay stat TRACE...`: parse-only statistics, like `perf kmem stat --page`: events by name, allocations by
 * order / migratetype / gfp_flags / task, failed allocations and frees by order, unparsed lines, time span, and
 * the kernel era inferred for each trace. `--format json` prints ONE object over all inputs (schema 1).
 */
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { readTrace, type ReadResult } from '../trace/read.js';
import { BAD_LINE_MESSAGES, statTraceParallel } from '../trace/parallel.js';
import { StatCollector, type StatJson } from '../trace/stat.js';
import type { Io } from './io.js';

interface StatOpts { strict?: boolean; traceKernel?: string; top: string; format: string }

export function register(program: Command, io: Io): void {
  program
    .command('stat')
    .description('parse-only statistics of page-allocator traces (orders, gfp, migratetypes, tasks, failures)')
    .argument('<trace...>', "trace files (ftrace, trace-cmd report, perf script, mmreplay CSV/JSONL; .gz read transparently; '-' = stdin)")
    .option('--strict', 'stop at the first malformed line (exit 2)')
    .option('--trace-kernel <version>', 'kernel that wrote the traces (e.g. 5.15), instead of inferring it')
    .option('--top <n>', 'rows in the by-gfp and by-task tables', '10')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (traces: string[], opts: StatOpts) => {
      const top = Number(opts.top);
      if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top ${opts.top}: expected a positive integer`);
      const stat = new StatCollector();
      const empty: string[] = [];
      for (const t of traces) {
        const name = t === '-' ? '<stdin>' : t;
        // bad-line messages on stderr (text only): the first BAD_LINE_MESSAGES of each file, whichever path reads it
        let shown = 0;
        const onError = opts.format === 'text' ? (msg: string) => {
          if (shown < BAD_LINE_MESSAGES) { io.stderr(`mmreplay: ${msg}\n`); shown++; }
        } : undefined;
        const strict = Boolean(opts.strict);
        const par = await statTraceParallel(t, { strict, traceKernel: opts.traceKernel }, io.env, onError);
        let r: ReadResult;
        if (par) {
          r = par.result;
          stat.endFile(name, r, par.counts);
        } else {
          r = await readTrace(t, io.stdin, { strict, traceKernel: opts.traceKernel }, stat.onEvent, onError);
          stat.endFile(name, r);
        }
        if (onError && r.unparsed > shown) {
          io.stderr(`mmreplay: ${name}: ${r.unparsed - shown} more malformed lines not shown (the first ${BAD_LINE_MESSAGES} of a file are)\n`);
        }
        if (r.lines === 0) empty.push(name);
      }
      for (const f of empty) io.stderr(`mmreplay: ${f}: empty trace (no events)\n`);
      const j = stat.json();
      if (opts.format === 'json') io.stdout(`${JSON.stringify(j, null, 2)}\n`);
      else io.stdout(formatStatText(j, top));
    });
}

function table(rows: string[][], right: boolean[]): string {
  const w: number[] = [];
  for (const r of rows) r.forEach((c, i) => { w[i] = Math.max(w[i] ?? 0, c.length); });
  return rows.map((r) => `  ${r.map((c, i) => (right[i] ? c.padStart(w[i]!) : c.padEnd(w[i]!))).join('  ').trimEnd()}\n`).join('');
}

function pct(n: number, total: number): string {
  return total > 0 ? `${((100 * n) / total).toFixed(1)}%` : '-';
}

function topRows(o: Record<string, number>, top: number, total: number): string[][] {
  const e = Object.entries(o);
  const rows = e.slice(0, top).map(([k, v]) => [String(v), pct(v, total), k]);
  if (e.length > top) {
    const rest = e.slice(top).reduce((a, [, v]) => a + v, 0);
    rows.push([String(rest), pct(rest, total), `(${e.length - top} more)`]);
  }
  return rows;
}

/** the text report */
export function formatStatText(j: StatJson, top: number): string {
  let s = '';
  s += `traces: ${j.files.join(', ')}\n`;
  s += `format: ${j.format}   kernel: ${j.kernelEra}\n`;
  const nev = Object.values(j.events).reduce((a, b) => a + b, 0);
  s += `lines: ${j.lines}   events: ${nev}   skipped (not interpreted): ${j.skipped}   unparsed: ${j.unparsed}\n`;
  if (j.lostNotices > 0) s += `lost events: ${j.lostEvents} in ${j.lostNotices} ring-buffer overrun notices (the trace is incomplete)\n`;
  if (j.firstTimestamp !== null && j.lastTimestamp !== null) {
    s += `time span: ${j.firstTimestamp.toFixed(6)} .. ${j.lastTimestamp.toFixed(6)} (${(j.lastTimestamp - j.firstTimestamp).toFixed(6)} s)\n`;
  }
  if (nev === 0) return `${s}\nno events\n`;
  s += '\nevents\n';
  s += table([['count', 'event'], ...Object.entries(j.events).map(([k, v]) => [String(v), k])], [true, false]);
  const a = j.alloc;
  s += `\nallocations (mm_page_alloc): ${a.total}, failed: ${a.failed}\n`;
  if (a.total > 0) {
    s += '\nby order\n';
    s += table([['order', 'allocs', 'failed', 'share'],
      ...Object.entries(a.byOrder).map(([o, v]) => [o, String(v), String(a.failedByOrder[o] ?? 0), pct(v, a.total)])], [true, true, true, true]);
    s += '\nby migratetype\n';
    s += table([['allocs', 'share', 'migratetype'], ...Object.entries(a.byMigratetype).map(([k, v]) => [String(v), pct(v, a.total), k])], [true, true, false]);
    s += `\nby gfp_flags (top ${top} of ${Object.keys(a.byGfp).length})\n`;
    s += table([['allocs', 'share', 'gfp_flags'], ...topRows(a.byGfp, top, a.total)], [true, true, false]);
    s += `\nby task (top ${top} of ${Object.keys(a.byTask).length})\n`;
    s += table([['allocs', 'share', 'task'], ...topRows(a.byTask, top, a.total)], [true, true, false]);
  }
  if (a.failed > 0) {
    s += '\nfailed allocations by order\n';
    s += table([['order', 'failed'], ...Object.entries(a.failedByOrder).map(([o, v]) => [o, String(v)])], [true, true]);
  }
  const f = j.free;
  s += `\nfrees (mm_page_free): ${f.total}   mm_page_free_batched: ${f.batched}\n`;
  if (f.total > 0) {
    s += '\nfrees by order\n';
    s += table([['order', 'frees', 'share'], ...Object.entries(f.byOrder).map(([o, v]) => [o, String(v), pct(v, f.total)])], [true, true, true]);
  }
  s += `\nunparsed lines: ${j.unparsed}\n`;
  for (const e of j.errors) s += `  ${e}\n`;
  if (j.unparsed > j.errors.length) s += `  (${j.unparsed - j.errors.length} more)\n`;
  return s;
}
