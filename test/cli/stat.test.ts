/**
 * `mmreplay stat` end to end. Expected counts on the real 6.18 traces are computed here independently of the
 * parser, with one regex per line and awk-like logic (the same rules as /work/shared/checks/awkcount.sh: the event
 * is the first `name:` after a `sec.usec:` token; a failed allocation prints pfn=0x0).
 */
import { gunzipSync } from 'node:zlib';
import { existsSync, readFileSync } from 'node:fs';
import { readTrace } from '../../src/trace/read.js';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

const REAL = new URL('../../traces/real/', import.meta.url).pathname;
const FIX = new URL('../fixtures/trace/', import.meta.url).pathname;
/** the untrimmed captures, where the machine has them */
const FULL = '/work/shared/traces/real/formats/';
const MT = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'];

function inc(o: Record<string, number>, k: string): void { o[k] = (o[k] ?? 0) + 1; }

/** independent counts of a 6.18 ftrace / trace-cmd / perf text trace */
function expected(path: string) {
  const text = gunzipSync(readFileSync(path)).toString('utf8');
  const events: Record<string, number> = {};
  const alloc = { total: 0, failed: 0, byOrder: {} as Record<string, number>, byMigratetype: {} as Record<string, number>,
    byGfp: {} as Record<string, number>, byTask: {} as Record<string, number>, failedByOrder: {} as Record<string, number> };
  const free = { total: 0, batched: 0, byOrder: {} as Record<string, number> };
  let first: number | null = null;
  let last: number | null = null;
  const re = /^\s*(.*?)[- ](\d+)\s+\[\d+\]\s+(?:\S+\s+)?(\d+\.\d+):\s+(?:[a-z]+:)?([a-z_0-9]+): (.*)$/;
  for (const line of text.split('\n')) {
    const m = re.exec(line);
    if (!m) continue;
    const [, task, , ts, ev, rest] = m as unknown as string[];
    inc(events, ev!);
    first ??= Number(ts);
    last = Number(ts);
    const order = /order=(\d+)/.exec(rest!)?.[1];
    if (ev === 'mm_page_alloc') {
      alloc.total++;
      inc(alloc.byOrder, order!);
      inc(alloc.byMigratetype, MT[Number(/migratetype=(\d+)/.exec(rest!)![1])]!);
      inc(alloc.byGfp, /gfp_flags=(\S+)/.exec(rest!)![1]!);
      inc(alloc.byTask, task!);
      if (/pfn=0x0 /.test(rest!)) { alloc.failed++; inc(alloc.failedByOrder, order!); }
    } else if (ev === 'mm_page_free') {
      free.total++;
      inc(free.byOrder, order!);
    } else if (ev === 'mm_page_free_batched') free.batched++;
  }
  return { events, alloc, free, first, last };
}

async function statJson(args: string[]) {
  const io = memoryIo();
  const code = await run(['stat', '--format', 'json', ...args], io);
  return { code, j: JSON.parse(io.out), err: io.err };
}

describe('mmreplay stat --format json on real traces', () => {
  for (const t of ['quiet', 'fork-exec', 'fragment-compact']) {
    it(`when ${t} is counted then every count equals the independent count`, async () => {
      const path = `${REAL}${t}/trace.txt.gz`;
      const e = expected(path);
      const { code, j, err } = await statJson([path]);
      expect(code).toBe(0);
      expect(err).toBe('');
      expect(j.schema).toBe(1);
      expect(j.format).toBe('ftrace');
      expect(j.kernelEra).toBe('6.15–6.18');
      expect(j.events).toEqual(e.events);
      expect(j.alloc).toEqual(e.alloc);
      expect(j.free).toEqual(e.free);
      expect(j.unparsed).toBe(0);
      expect(j.skipped).toBe(0);
      expect(j.firstTimestamp).toBe(e.first);
      expect(j.lastTimestamp).toBe(e.last);
    });
  }

  it('when fragment-compact is counted then the pinned awkcount.sh numbers hold', async () => {
    // bash /work/shared/checks/awkcount.sh traces/real/fragment-compact/trace.txt.gz
    const { j } = await statJson([`${REAL}fragment-compact/trace.txt.gz`]);
    expect(j.alloc.total).toBe(4182);
    expect(j.alloc.failed).toBe(18);
    expect(j.alloc.byOrder).toEqual({ 0: 4130, 9: 52 });
    expect(j.alloc.failedByOrder).toEqual({ 9: 18 });
    expect(j.free.total).toBe(5563);
    expect(j.events.mm_page_alloc_zone_locked).toBe(20349);
  });

  it('when the same buffer is read as ftrace and trace-cmd then the events are the same, one by one', async () => {
    // the trimmed copies hold the same window: 20,000 events each (ftrace: 12 header lines, trace-cmd: 1)
    const seq = async (f: string) => {
      const out: string[] = [];
      const r = await readTrace(f, () => process.stdin, { strict: true }, (ev) => {
        out.push(`${ev.name} ${ev.task} ${ev.pid} ${ev.cpu} ${ev.timestamp} ${ev.pfn} ${ev.order} ${ev.migratetype} ${ev.gfp} ${ev.failed}`);
      });
      return { out, r };
    };
    const a = await seq(`${REAL}formats/ftrace-trace.txt.gz`);
    const b = await seq(`${REAL}formats/trace-cmd-report.txt.gz`);
    expect(a.r.format).toBe('ftrace');
    expect(b.r.format).toBe('trace-cmd');
    expect(a.out).toHaveLength(20000);
    expect(b.out).toEqual(a.out);
  });

  it.skipIf(!existsSync(FULL))('when the full ftrace and trace-cmd captures are read then stat agrees exactly', async () => {
    const a = (await statJson([`${FULL}ftrace-trace.txt.gz`])).j;
    const b = (await statJson([`${FULL}trace-cmd-report.txt.gz`])).j;
    for (const k of ['events', 'alloc', 'free', 'unparsed', 'kernelEra', 'firstTimestamp', 'lastTimestamp']) expect(b[k]).toEqual(a[k]);
    expect(a.alloc.total).toBe(53897);
    expect(a.free.total).toBe(51594);
  });

  it('when perf script output is read then its counts equal the independent count', async () => {
    const path = `${REAL}formats/perf-script.txt.gz`;
    const e = expected(path);
    const { j } = await statJson([path]);
    expect(j.format).toBe('perf-script');
    expect(j.events).toEqual(e.events);
    expect(j.alloc).toEqual(e.alloc);
    expect(j.free).toEqual(e.free);
  });

  it('when several traces are given then one object sums them', async () => {
    const { j } = await statJson([`${REAL}quiet/trace.txt.gz`, `${REAL}fork-exec/trace.txt.gz`]);
    expect(j.alloc.total).toBe(16417 + 15402);
    expect(j.files).toHaveLength(2);
  });
});

describe('mmreplay stat, text and errors', () => {
  it('when text is asked then the tables are aligned and --top cuts the gfp and task tables', async () => {
    const io = memoryIo();
    expect(await run(['stat', '--top', '2', `${REAL}fragment-compact/trace.txt.gz`], io)).toBe(0);
    expect(io.out).toContain('allocations (mm_page_alloc): 4182, failed: 18\n');
    expect(io.out).toContain(`
by order
  order  allocs  failed  share
      0    4130       0  98.8%
      9      52      18   1.2%
`);
    expect(io.out).toContain(`
by gfp_flags (top 2 of 4)
  allocs  share  gfp_flags
    4088  97.8%  GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP
      42   1.0%  GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP
      52   1.2%  (2 more)
`);
    expect(io.out).toContain('format: ftrace   kernel: 6.15–6.18\n');
  });

  it('when lines are bad then they are reported on stderr with file:line and counted, exit 0', async () => {
    const io = memoryIo();
    expect(await run(['stat', `${FIX}bad.txt`], io)).toBe(0);
    expect(io.err).toContain(`mmreplay: ${FIX}bad.txt:7: cannot parse line: this is not a trace line\n`);
    expect(io.out).toContain('unparsed lines: 6\n');
  });

  it('when --strict meets a bad line then exit 2 with the located message', async () => {
    const io = memoryIo();
    expect(await run(['stat', '--strict', '--format', 'json', `${FIX}bad.txt`], io)).toBe(2);
    expect(io.err).toMatch(new RegExp(`^mmreplay: ${FIX}bad.txt:3: mm_page_alloc: order 12 out of range 0..10`));
    expect(io.out).toBe('');
  });

  it('when the file is missing then exit 2 names it', async () => {
    const io = memoryIo();
    expect(await run(['stat', '/nope/trace.gz'], io)).toBe(2);
    expect(io.err).toBe('mmreplay: /nope/trace.gz: no such file\n');
  });

  it('when the gzip is corrupt then exit 2', async () => {
    const io = memoryIo();
    expect(await run(['stat', `${FIX}corrupt.gz`], io)).toBe(2);
    expect(io.err).toBe(`mmreplay: ${FIX}corrupt.gz: corrupt gzip data: invalid code lengths set\n`);
  });

  it('when the file is empty then exit 0 and it says so', async () => {
    const io = memoryIo();
    expect(await run(['stat', `${FIX}empty.txt`], io)).toBe(0);
    expect(io.err).toBe(`mmreplay: ${FIX}empty.txt: empty trace (no events)\n`);
    expect(io.out).toContain('\nno events\n');
  });

  it('when stdin is read with - then it is counted', async () => {
    const io = memoryIo({}, readFileSync(`${FIX}v5.15.txt`, 'utf8'));
    expect(await run(['stat', '--format', 'json', '-'], io)).toBe(0);
    const j = JSON.parse(io.out);
    expect(j.files).toEqual(['<stdin>']);
    expect(j.alloc).toMatchObject({ total: 2, failed: 1, byOrder: { 0: 1, 9: 1 } });
  });

  it('when the kernel lost events then the notices are counted apart, never as unparsed lines', async () => {
    // kernel/trace/trace.c print_trace_line: `CPU:%d [LOST %lu EVENTS]`; trace-cmd: `CPU:%d [%lld EVENTS DROPPED]`
    const io = memoryIo();
    expect(await run(['stat', '--format', 'json', `${FIX}lost.txt`], io)).toBe(0);
    const j = JSON.parse(io.out);
    expect(j).toMatchObject({ lines: 4, unparsed: 0, lostNotices: 2, lostEvents: 3038, events: { mm_page_alloc: 1, mm_page_free: 1 } });
    const tc = memoryIo();
    expect(await run(['stat', '--format', 'json', `${FIX}lost-trace-cmd.txt`], tc)).toBe(0);
    expect(JSON.parse(tc.out)).toMatchObject({ format: 'trace-cmd', unparsed: 0, lostNotices: 2, lostEvents: 204600 });
    const text = memoryIo();
    expect(await run(['stat', `${FIX}lost.txt`], text)).toBe(0);
    expect(text.out).toContain('lost events: 3038 in 2 ring-buffer overrun notices (the trace is incomplete)\n');
    const rp = memoryIo();
    expect(await run(['replay', `${FIX}lost.txt`, '--machine', 'x86_64-1G', '--log', 'none'], rp)).toBe(0);
    expect(rp.err).toContain(`mmreplay: ${FIX}lost.txt: the kernel lost 3038 events (2 ring-buffer overrun notices): the replay does not see them\n`);
  });

  it('when --trace-kernel is given then the format is still recognised', async () => {
    const io = memoryIo();
    expect(await run(['stat', '--format', 'json', '--trace-kernel', '6.18', `${FIX}perf-script.txt`], io)).toBe(0);
    expect(JSON.parse(io.out).format).toBe('perf-script');
  });

  it('when --top is not a positive integer then exit 2', async () => {
    const io = memoryIo();
    expect(await run(['stat', '--top', '0', `${FIX}v5.15.txt`], io)).toBe(2);
    expect(io.err).toBe('mmreplay: --top 0: expected a positive integer\n');
  });

  it('when a 4.0 trace is given with --trace-kernel 4.0 then migratetypes use 4.0 numbering', async () => {
    const { j } = await statJson(['--trace-kernel', '4.0', `${FIX}v4.0.txt`]);
    expect(j.kernelEra).toBe('4.0');
    expect(j.alloc.byMigratetype).toEqual({ Movable: 2, Reclaimable: 1, Unmovable: 1 });
  });
});
