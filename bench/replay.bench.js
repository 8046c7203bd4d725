// Replay benchmark: end-to-end `mmreplay replay` (parse + simulate, simulate mode on x86_64-16G) of a seeded
// synthetic 6.18 ftrace trace of BENCH_LINES (default 2,000,000) lines with the event mix of the real quiet +
// fork-exec captures (REAL_MIX below: alloc/free pairs of order 0 almost only, each order-0 free followed by its
// mm_page_free_batched as often as there, pcp refills and drains), each run in a child process that reports its own
// peak RSS; then a compaction-heavy trace (fragmenting frees, THP faults, some order 1-3, kswapd frees) reported
// separately. Prints wall-clock events/s and events per CPU-second (user + system of the child: other processes
// loading the machine do not count). Trace files replay with the parser in a worker thread
// (src/replay/pipeline.ts); the in-thread row sets MMREPLAY_NO_WORKER=1.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { mulberry32 as prng } from './prng.js';
import { traceContext } from './context.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINES = Number(process.env.BENCH_LINES ?? 2_000_000);


const tasks = ['bash-16828', 'true-30001', 'kworker/1:1-41', 'kworker/u8:2-123', 'sshd-901', 'kdamond.0-77'];
const gfps = [
  [0, 1, 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO'], [0, 0, 'GFP_KERNEL_ACCOUNT|__GFP_ZERO'], [0, 1, 'GFP_HIGHUSER_MOVABLE'],
  [0, 0, 'GFP_KERNEL'], [0, 2, 'GFP_KERNEL|__GFP_RECLAIMABLE'], [2, 0, 'GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP'],
  [3, 0, 'GFP_KERNEL|__GFP_COMP|__GFP_NOWARN|__GFP_NORETRY'], [1, 0, 'GFP_KERNEL_ACCOUNT|__GFP_COMP'],
];

/**
 * The event mix of traces/real quiet + fork-exec (Linux 6.18, 244,809 page events): mm_page_alloc 93,220 (38.1 %;
 * order 0 in all but 44, 0.05 %), mm_page_free 93,810 (38.3 %), mm_page_free_batched 53,635 (21.9 %: 57 % of the
 * frees, each after the mm_page_free of its page), mm_page_alloc_zone_locked 2,360 (1.0 %), mm_page_pcpu_drain 1,772
 * (0.7 %), no kswapd frees. Per generated alloc-or-free step: the chance of drawing from every gfp row (3 of 8 are
 * orders 1-3), of a kswapd free, of an order-0 free's mm_page_free_batched, of a pcp refill line and of a pcp drain
 * line. (Until this was measured the bench drew 45 % allocations with 4 % of orders 1-3 and 5 % kswapd frees: its
 * `v2` trace, heavier per event.)
 */
const REAL_MIX = { highOrder: 0.00125, kswapdFree: 0, batched: 0.59, zoneLocked: 0.012, drain: 0.009 };
/** the compaction-heavy trace's mix (as before the real mix was measured; its figures stay comparable) */
const HEAVY_MIX = { highOrder: 0.1, kswapdFree: 0.05, batched: 0.3, zoneLocked: 0.05, drain: 0 };

async function writeTrace(file, lines, compactionHeavy) {
  const mix = compactionHeavy ? HEAVY_MIX : REAL_MIX;
  const out = createWriteStream(file);
  const rnd = prng(compactionHeavy ? 0xc0ffee : 0x5eed);
  const live = [];
  let next = 0x100000;
  let t = 1000;
  let buf = '# tracer: nop\n';
  const line = (task, ev) => {
    t += 0.000002;
    buf += `${traceContext(task, (rnd() * 2) | 0, '.....', t)}${ev}\n`;
  };
  for (let n = 0; n < lines; ) {
    const r = rnd();
    const task = tasks[(rnd() * tasks.length) | 0];
    if (compactionHeavy && r < 0.01) {
      line('anon_touch-28172', `mm_page_alloc: page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE`);
      n++;
    } else if (live.length < 20000 && r < 0.55 || live.length < 100) {
      const [order, mt, gfp] = gfps[(rnd() * (rnd() < 1 - mix.highOrder ? 5 : gfps.length)) | 0];
      const pfn = next;
      next += 1 << order;
      if (next > 0x500000) next = 0x100000;
      live.push(pfn, order);
      line(task, `mm_page_alloc: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=${order} migratetype=${mt} gfp_flags=${gfp}`);
      n++;
    } else {
      // free a random live block (compaction-heavy: every other one, leaving holes)
      const i = compactionHeavy ? 0 : (((rnd() * live.length) / 2) | 0) * 2;
      const pfn = live[i], order = live[i + 1];
      live.splice(i, 2);
      const who = rnd() < mix.kswapdFree ? 'kswapd0-98' : task;
      line(who, `mm_page_free: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=${order}`);
      n++;
      if (order === 0 && rnd() < mix.batched) { line(who, `mm_page_free_batched: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=0`); n++; }
    }
    if (mix.drain > 0 && rnd() < mix.drain) { line(task, `mm_page_pcpu_drain: page=00000000deadbeef pfn=0x${(0x500000 + ((rnd() * 4096) | 0)).toString(16)} order=0 migratetype=1`); n++; }
    if (rnd() < mix.zoneLocked) { line(task, `mm_page_alloc_zone_locked: page=00000000deadbeef pfn=0x${(0x500000 + ((rnd() * 4096) | 0)).toString(16)} order=0 migratetype=1 percpu_refill=1`); n++; }
    if (buf.length > 1 << 20) { if (!out.write(buf)) await once(out, 'drain'); buf = ''; }
  }
  out.write(buf);
  out.end();
  await once(out, 'finish');
}

function runChild(args, env = {}) {
  return new Promise((resolve, reject) => {
    const code = `
      const { run } = await import(${JSON.stringify(join(here, '../dist/cli/main.js'))});
      const { Readable } = await import('node:stream');
      const { openSync, writeSync } = await import('node:fs');
      // the log goes where the CLI's stdout would put it: encoded and written (to /dev/null), as process.stdout does
      const devnull = openSync('/dev/null', 'w');
      let bytes = 0;
      const io = { stdout: (s) => { bytes += s.length; writeSync(devnull, s); }, stderr: () => {}, stdin: () => Readable.from([]), env: ${JSON.stringify(env)}, stdoutIsTTY: false, stderrIsTTY: false, exitCode: 0, cwd: process.cwd() };
      const t0 = process.hrtime.bigint();
      const c0 = process.cpuUsage();
      const rc = await run(${JSON.stringify(args)}, io);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const c = process.cpuUsage(c0);
      process.stdout.write(JSON.stringify({ rc, ms, cpuMs: (c.user + c.system) / 1000, bytes, maxRssKb: process.resourceUsage().maxRSS }));`;
    const p = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let o = '';
    p.stdout.on('data', (d) => { o += d; });
    p.on('close', () => { try { resolve(JSON.parse(o)); } catch (e) { reject(e); } });
  });
}

export async function run(print) {
  if (!existsSync(join(here, '../dist/cli/main.js'))) throw new Error('build first: npx tsc -p .');
  const file = join(tmpdir(), `mmreplay-replay-bench-v3-${LINES}.txt`);
  const heavy = join(tmpdir(), `mmreplay-replay-bench-v2-compact-${LINES >> 2}.txt`);
  if (!existsSync(file)) await writeTrace(file, LINES, false);
  if (!existsSync(heavy)) await writeTrace(heavy, LINES >> 2, true);
  const cases = [
    ['replay simulate --log failures', [file, '--machine', 'x86_64-16G', '--log', 'failures'], LINES],
    ['replay simulate --log decisions --format jsonl', [file, '--machine', 'x86_64-16G', '--log', 'decisions', '--format', 'jsonl'], LINES],
    ['replay compaction-heavy --log failures', [heavy, '--machine', 'x86_64-4G', '--log', 'failures'], LINES >> 2],
  ];
  // the same first case in one thread: the parser's worker (src/replay/pipeline.ts) off, for comparison
  cases.splice(1, 0, ['replay simulate --log failures, in-thread (MMREPLAY_NO_WORKER=1)', cases[0][1], LINES, { MMREPLAY_NO_WORKER: '1' }]);
  for (const [name, args, lines, env] of cases) {
    const r = await runChild(['replay', ...args], env);
    const perS = (ms) => Math.round(lines / (ms / 1000)).toLocaleString('en');
    print(`${name}: ${lines} lines in ${(r.ms / 1000).toFixed(2)} s wall (${(r.cpuMs / 1000).toFixed(2)} s CPU) = ${perS(r.ms)} events/s wall, ${perS(r.cpuMs)} events/CPU-s, ${(r.bytes / 1048576).toFixed(0)} MiB out, peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MiB, exit ${r.rc}`);
  }
}
