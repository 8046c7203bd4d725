// Parse benchmark: a seeded synthetic 6.18-style ftrace trace (≥ 2,000,000 lines, the event mix of the real
// captures in /work/shared/traces/real), written plain and gzipped into os.tmpdir(); `mmreplay stat --format json`
// runs on each in a child process; prints lines/s and the child's peak RSS (/usr/bin/time-free: read from
// /proc/<pid>/status VmHWM just before exit is not portable, so the child reports process.resourceUsage().maxRSS),
// plus lines per CPU-second (less sensitive to other load on the machine; gzip is inflated on the main thread and parsed on two threads).
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { createGzip } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { mulberry32 as prng } from './prng.js';
import { traceContext } from './context.js';

const here = dirname(fileURLToPath(import.meta.url));
const LINES = Number(process.env.BENCH_LINES ?? 2_000_000);
const SEED = 0x5eed;


const tasks = ['bash-16828', 'anon_touch-28172', 'kworker/1:1-41', 'kworker/u8:2-123', 'Web Content-4321',
  '<idle>-0', 'kswapd0-88', 'kdamond.0-512', 'cc1-5521', 'systemd-journal-301', '<...>-30539', 'sshd-1201'];
const gfps = ['GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP', 'GFP_KERNEL_ACCOUNT|__GFP_ZERO|__GFP_COMP',
  'GFP_KERNEL', 'GFP_USER', 'GFP_NOWAIT', 'GFP_ATOMIC|__GFP_NOWARN', 'GFP_HIGHUSER_MOVABLE',
  'GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE', 'GFP_TRANSHUGE', 'GFP_NOFS|__GFP_NOWARN|__GFP_COMP',
  'GFP_KERNEL|__GFP_NOWARN|__GFP_NORETRY|__GFP_COMP|__GFP_NOMEMALLOC', 'GFP_HIGHUSER_MOVABLE|__GFP_ACCOUNT'];

function hex(n, w) { return n.toString(16).padStart(w, '0'); }

/** writes the trace; returns the file name */
async function generate(path, gzip) {
  const rnd = prng(SEED);
  const file = createWriteStream(path);
  const out = gzip ? createGzip({ level: 6 }) : file;
  if (gzip) out.pipe(file);
  let t = 1973.972042;
  let chunk = '# tracer: nop\n#\n#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION\n#              | |         |   |||||     |         |\n';
  for (let i = 0; i < LINES; i++) {
    t += 0.000001 + rnd() * 0.000002;
    const task = tasks[(rnd() * rnd() * tasks.length) | 0];
    const cpu = (rnd() * 2) | 0;
    const flags = rnd() < 0.7 ? '.....' : 'd..3.';
    const pfn = 0x100000 + ((rnd() * 0x540000) | 0);
    const page = hex((rnd() * 0xffffffff) >>> 0, 16);
    const r = rnd();
    const pre = traceContext(task, cpu, flags, t);
    let line;
    if (r < 0.36) {
      const order = rnd() < 0.97 ? 0 : [1, 2, 3, 9][(rnd() * 4) | 0];
      const fail = order === 9 && rnd() < 0.3;
      line = `mm_page_alloc: page=${fail ? '0000000000000000' : page} pfn=0x${fail ? 0 : hex(pfn, 0)} order=${order} migratetype=${rnd() < 0.8 ? 1 : 0} gfp_flags=${gfps[(rnd() * rnd() * gfps.length) | 0]}`;
    } else if (r < 0.72) {
      line = `mm_page_free: page=${page} pfn=0x${hex(pfn, 0)} order=${rnd() < 0.98 ? 0 : 9}`;
    } else if (r < 0.88) {
      line = `mm_page_free_batched: page=${page} pfn=0x${hex(pfn, 0)} order=0`;
    } else if (r < 0.94) {
      line = `mm_page_alloc_zone_locked: page=${page} pfn=0x${hex(pfn, 0)} order=0 migratetype=${(rnd() * 2) | 0} percpu_refill=1`;
    } else if (r < 0.995) {
      line = `mm_page_pcpu_drain: page=${page} pfn=0x${hex(pfn, 0)} order=0 migratetype=${(rnd() * 2) | 0}`;
    } else if (r < 0.997) {
      line = `mm_compaction_suitable: node=0 zone=Normal   order=9 ret=continue`;
    } else if (r < 0.998) {
      line = `mm_compaction_begin: zone_start=0x100000 migrate_pfn=0x108c00 free_pfn=0x186800 zone_end=0x640000, mode=async`;
    } else if (r < 0.999) {
      line = `mm_vmscan_direct_reclaim_begin: order=9 gfp_flags=GFP_TRANSHUGE`;
    } else {
      line = `mm_vmscan_lru_shrink_inactive: nid=0 nr_scanned=3 nr_reclaimed=3 nr_dirty=0 nr_writeback=0 nr_congested=0 nr_immediate=0 nr_activate_anon=0 nr_activate_file=0 nr_ref_keep=0 nr_unmap_fail=0 priority=12 flags=RECLAIM_WB_FILE|RECLAIM_WB_ASYNC`;
    }
    chunk += pre + line + '\n';
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.write(chunk);
  out.end();
  await once(file, 'close');
  return path;
}

function runStat(path, env = {}) {
  return new Promise((resolve, reject) => {
    const code = `
      const { run } = await import(${JSON.stringify(join(here, '../dist/cli/main.js'))});
      const { memoryIo } = await import(${JSON.stringify(join(here, '../dist/cli/io.js'))});
      const { readFileSync } = await import('node:fs');
      // the main thread's own CPU (utime + stime in clock ticks, proc(5)), apart from the inflate and GC threads
      const mainMs = () => {
        try {
          const t = readFileSync('/proc/self/task/' + process.pid + '/stat', 'utf8');
          const f = t.slice(t.lastIndexOf(')') + 2).split(' ');
          return (Number(f[11]) + Number(f[12])) * 10;
        } catch { return NaN; }
      };
      const io = memoryIo(${JSON.stringify(env)});
      const c0 = process.cpuUsage();
      const m0 = mainMs();
      const t0 = process.hrtime.bigint();
      const rc = await run(['stat', '--format', 'json', ${JSON.stringify(path)}], io);
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      const cu = process.cpuUsage(c0);
      const cpuMs = (cu.user + cu.system) / 1000;
      const mainCpuMs = mainMs() - m0;
      const j = JSON.parse(io.out);
      process.stdout.write(JSON.stringify({ rc, ms, cpuMs, mainCpuMs, lines: j.lines, unparsed: j.unparsed, maxRssKb: process.resourceUsage().maxRSS }));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.on('error', reject);
    child.on('close', () => { try { resolve(JSON.parse(out)); } catch (e) { reject(new Error(`child output: ${out}`)); } });
  });
}

export async function run(print) {
  const { loadavg } = await import('node:os');
  print(`load average ${loadavg().map((x) => x.toFixed(2)).join(' ')} (other processes share the CPUs: compare with care)`);
  const plain = join(tmpdir(), `mmreplay-bench-v2-${LINES}.trace`);
  const gz = `${plain}.gz`;
  if (!existsSync(plain)) await generate(plain, false);
  if (!existsSync(gz)) await generate(gz, true);
  // plain files of 16 MiB or more are parsed on two threads (src/trace/parallel.ts); the serial row sets
  // MMREPLAY_NO_WORKER=1
  for (const [label, path, env] of [['plain', plain, {}], ['plain, serial (MMREPLAY_NO_WORKER=1)', plain, { MMREPLAY_NO_WORKER: '1' }], ['gzip', gz, {}]]) {
    const r = await runStat(path, env);
    const mb = statSync(path).size / 1e6;
    print(`stat ${label.padEnd(5)} ${r.lines} lines (${mb.toFixed(0)} MB) in ${(r.ms / 1000).toFixed(2)} s: ` +
      `${Math.round(r.lines / (r.ms / 1000)).toLocaleString('en-US')} lines/s ` +
      `(${Math.round(r.lines / (r.cpuMs / 1000)).toLocaleString('en-US')} lines per CPU-second, all threads; ` +
      `${Number.isNaN(r.mainCpuMs) ? '?' : Math.round(r.lines / (r.mainCpuMs / 1000)).toLocaleString('en-US')} per main-thread CPU-second), ` +
      `peak RSS ${(r.maxRssKb / 1024).toFixed(0)} MB` +
      `${r.rc !== 0 || r.unparsed !== 0 ? ` (exit ${r.rc}, unparsed ${r.unparsed}!)` : ''}`);
  }
}
