/**
 * The worker pipeline (src/replay/pipeline.ts) against the in-thread path: the same command lines run with
 * MMREPLAY_WORKER=1 and MMREPLAY_NO_WORKER=1 must give byte-identical stdout and stderr and the same exit code.
 * The worker is the compiled dist/replay/pipeline-worker.js, so this test builds (tsc emits even when some other
 * file has type errors) and drives the compiled CLI in-process.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
type Run = (argv: string[], io: unknown) => Promise<number>;
let run: Run;
let memoryIo: (env: Record<string, string>) => { out: string; err: string };
let usePipeline: (path: string, env: Record<string, string | undefined>) => boolean;
let runningPipelines: () => number;
let dir: string;
let synth: string;
let bad: string;

/** a deterministic 6.18 ftrace trace of every request kind over several 16384-record batches */
function synthTrace(lines: number, badAt: number[]): string {
  let seed = 12345;
  const rnd = () => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return seed / 2 ** 32; };
  const tasks = ['bash-16828', 'kworker/1:1-41', 'sshd-901', 'anon_touch-28172', 'kswapd0-98'];
  const gfps = ['GFP_HIGHUSER_MOVABLE|__GFP_ZERO', 'GFP_KERNEL', 'GFP_KERNEL_ACCOUNT|__GFP_ZERO', 'GFP_ATOMIC|__GFP_NOWARN', 'GFP_TRANSHUGE'];
  const live: number[] = [];
  let next = 0x100000;
  let t = 100;
  const out = ['# tracer: nop'];
  const line = (task: string, ev: string) => {
    t += 0.0000013;
    out.push(`${task.padStart(16)} [00${(rnd() * 4) | 0}] .....  ${t.toFixed(6)}: ${ev}`);
  };
  while (out.length < lines) {
    if (badAt.includes(out.length + 1)) { out.push('  garbage-1 [000] .....  1.0: mm_page_alloc: pfn=zz order=0'); continue; }
    const r = rnd();
    const task = tasks[(rnd() * tasks.length) | 0]!;
    if (r < 0.5 || live.length < 50) {
      const order = rnd() < 0.9 ? 0 : (rnd() * 4) | 0;
      const gi = (rnd() * (order > 0 ? 2 : gfps.length)) | 0;
      if (rnd() < 0.02) { line(task, `mm_page_alloc: page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE|__GFP_NORETRY`); continue; }
      const pfn = next;
      next += 1 << order;
      live.push(pfn, order);
      line(task, `mm_page_alloc: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=${order} migratetype=${gi === 0 ? 1 : 0} gfp_flags=${gfps[gi]}`);
    } else if (r < 0.9) {
      const i = (((rnd() * live.length) / 2) | 0) * 2;
      const [pfn, order] = live.splice(i, 2) as [number, number];
      line(task, `mm_page_free: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=${order}`);
      if (order === 0 && rnd() < 0.3) line(task, `mm_page_free_batched: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=0`);
    } else if (r < 0.93) {
      line(task, `mm_page_alloc_zone_locked: page=00000000deadbeef pfn=0x${(0x300000 + ((rnd() * 4096) | 0)).toString(16)} order=0 migratetype=1 percpu_refill=1`);
    } else if (r < 0.95) {
      line(task, `mm_page_pcpu_drain: page=00000000deadbeef pfn=0x${(0x300000 + ((rnd() * 4096) | 0)).toString(16)} order=0 migratetype=1`);
    } else if (r < 0.96) {
      line('anon_touch-28172', 'mm_vmscan_direct_reclaim_begin: order=9 gfp_flags=GFP_TRANSHUGE');
      line('anon_touch-28172', 'mm_compaction_begin: zone_start=0x100000 migrate_pfn=0x108c00 free_pfn=0x186800 zone_end=0x440000, mode=async');
      line('anon_touch-28172', 'mm_compaction_migratepages: nr_migrated=3 nr_failed=0');
      line('anon_touch-28172', 'mm_vmscan_direct_reclaim_end: nr_reclaimed=32');
    } else if (r < 0.97) {
      line(task, 'mm_vmscan_wakeup_kswapd: nid=0 order=0 gfp_flags=GFP_KERNEL');
      line(task, 'mm_page_alloc_extfrag: page=000000008cd8aef1 pfn=0x202000 alloc_order=0 fallback_order=9 pageblock_order=9 alloc_migratetype=0 fallback_migratetype=1 fragmenting=1 change_ownership=1');
    } else if (r < 0.972) {
      // a good watermark update, then a malformed one (not a request, but it writes the record's wmarks)
      line('sysctl-1', 'mm_setup_per_zone_wmarks: node_id=0 zone=Normal   watermark_min=16000 watermark_low=20000 watermark_high=24000 watermark_promo=28000');
      line('sysctl-1', 'mm_setup_per_zone_wmarks: node_id=0 zone=Bogus    watermark_min=1 watermark_low=2 watermark_high=3 watermark_promo=4');
    } else {
      line(task, 'mm_compaction_try_to_compact_pages: order=3 gfp_mask=GFP_KERNEL priority=1');
    }
  }
  return out.join('\n') + '\n';
}

beforeAll(async () => {
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'ignore' });
  if (!existsSync(join(root, 'dist/replay/pipeline-worker.js'))) throw new Error('build failed: no dist/replay/pipeline-worker.js');
  ({ run } = await import(join(root, 'dist/cli/main.js')) as { run: Run });
  ({ memoryIo } = await import(join(root, 'dist/cli/io.js')) as { memoryIo: typeof memoryIo });
  ({ usePipeline, runningPipelines } = await import(join(root, 'dist/replay/pipeline.js')) as { usePipeline: typeof usePipeline; runningPipelines: typeof runningPipelines });
  dir = mkdtempSync(join(tmpdir(), 'mmreplay-pipeline-'));
  synth = join(dir, 'synth.txt');
  writeFileSync(synth, synthTrace(50_000, []));
  bad = join(dir, 'bad.txt');
  writeFileSync(bad, synthTrace(40_000, [20_000, 35_000]));
}, 180_000);
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

async function once(args: string[], env: Record<string, string>) {
  const io = memoryIo(env) as { out: string; err: string; cwd: string };
  io.cwd = root;
  const code = await run(['replay', ...args], io);
  return { code, out: io.out, err: io.err };
}

/** runs both ways, expects identical results, returns them */
async function both(args: string[]) {
  const inThread = await once(args, { MMREPLAY_NO_WORKER: '1' });
  const worker = await once(args, { MMREPLAY_WORKER: '1' });
  expect(worker.err).toBe(inThread.err);
  expect(worker.code).toBe(inThread.code);
  expect(worker.out === inThread.out).toBe(true);
  return worker;
}

describe('replay pipeline (parser in a worker thread)', () => {
  it('when the run fails before the replay (the worker already started) then the error is the in-thread one and the worker is stopped', async () => {
    for (const args of [[synth, '--policy', 'v9.9'], [synth, '--machine', 'no-such-machine'], [synth, '--mode', 'mirror']]) {
      const r = await both(args);
      expect(r.code).toBe(2);
      expect(runningPipelines()).toBe(0);
    }
  });
  it('when MMREPLAY_WORKER=1 then a file takes the pipeline; MMREPLAY_NO_WORKER=1, stdin and small files do not', () => {
    expect(usePipeline(synth, { MMREPLAY_WORKER: '1' })).toBe(true);
    expect(usePipeline(synth, { MMREPLAY_NO_WORKER: '1', MMREPLAY_WORKER: '1' })).toBe(false);
    const small = join(dir, 'small.txt');
    writeFileSync(small, synthTrace(1000, []));
    expect(usePipeline(small, {})).toBe(false); // < PIPELINE_MIN_BYTES
    expect(usePipeline(small, { MMREPLAY_WORKER: '1' })).toBe(true);
    expect(usePipeline('-', { MMREPLAY_WORKER: '1' })).toBe(false);
    expect(usePipeline(dir, { MMREPLAY_WORKER: '1' })).toBe(false);
  });

  it('when stdout asks to wait then the main thread waits between batches and the log is the same', async () => {
    const args = ['replay', synth, '--log', 'decisions', '--format', 'jsonl'];
    const plain = memoryIo({ MMREPLAY_WORKER: '1' }) as { out: string; cwd: string; stdoutDrain?: () => Promise<void> | undefined };
    plain.cwd = root;
    expect(await run(args, plain as never)).toBe(0);
    const slow = memoryIo({ MMREPLAY_WORKER: '1' }) as typeof plain;
    slow.cwd = root;
    let asked = 0;
    slow.stdoutDrain = () => (++asked % 2 === 0 ? new Promise<void>((res) => setTimeout(res, 1)) : undefined);
    expect(await run(args, slow as never)).toBe(0);
    expect(asked).toBeGreaterThan(1);
    expect(slow.out === plain.out).toBe(true);
  }, 60_000);

  for (const t of ['quiet', 'fork-exec', 'fragment-compact']) {
    it(`when the real ${t} trace replays then text and JSONL decisions are byte-identical both ways`, async () => {
      const trace = `traces/real/${t}/trace.txt.gz`;
      const a = await both([trace, '--no-color']);
      expect(a.code).toBe(0);
      expect(a.out).toContain('pgalloc_normal');
      const b = await both([trace, '--log', 'decisions', '--format', 'jsonl']);
      expect(b.out.split('\n').length).toBeGreaterThan(5000);
      await both([trace, '--machine', `traces/real/${t}/before`, '--log', 'decisions', '--no-color']);
    }, 120_000);
  }

  it('when a synthetic trace of every request kind over several batches replays then the output is byte-identical', async () => {
    const a = await both([synth, '--log', 'decisions', '--no-color']);
    expect(a.code).toBe(0);
    expect(a.out).toContain('anon_touch');
    const b = await both([synth, '--log', 'decisions', '--format', 'jsonl', '--machine', 'x86_64-4G']);
    expect(b.out).toContain('"kind":"alloc"');
  }, 120_000);

  it('when lines are bad then stderr reports them in the same order and with --strict both stop with exit 2', async () => {
    const a = await both([bad, '--no-color']);
    expect(a.code).toBe(0);
    expect(a.err).toContain('bad.txt:20000: ');
    expect(a.err.indexOf('bad.txt:20000: ')).toBeLessThan(a.err.indexOf('bad.txt:35000: '));
    const s = await both([bad, '--strict', '--log', 'decisions', '--format', 'jsonl']);
    expect(s.code).toBe(2);
    expect(s.err).toContain('bad.txt:20000: ');
    expect(s.err).not.toContain('bad.txt:35000');
  }, 120_000);

  it('when several files replay (the first one\'s worker started before the machine is built) then the output is byte-identical', async () => {
    const r = await both([bad, synth, bad, '--log', 'decisions', '--format', 'jsonl']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n').filter((l) => l.includes('"kind":"header"')).length).toBe(1);
  }, 120_000);

  it('when --trace-kernel is not a known kernel then both give the same usage error', async () => {
    const r = await both([synth, '--trace-kernel', '9.9']);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--trace-kernel 9.9: not a kernel version mmreplay knows');
  }, 60_000);
});
