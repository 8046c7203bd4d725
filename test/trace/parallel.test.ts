/**
 * The parallel `stat` (src/trace/parallel.ts) against the serial one: the same command lines run with
 * MMREPLAY_NO_WORKER=1 and with the parallel path forced on small files (MMREPLAY_PARALLEL_MIN_BYTES=1, and
 * MMREPLAY_PARALLEL_RANGE_BYTES small so that a file is cut into many ranges) must give byte-identical stdout and
 * stderr and the same exit code. The worker is the compiled dist/trace/parallel-worker.js, so this test builds
 * (tsc emits even when some other file has type errors) and drives the compiled CLI in-process, as
 * test/replay/pipeline.test.ts does.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
type Run = (argv: string[], io: unknown) => Promise<number>;
type Par = (path: string, opts: { strict: boolean; traceKernel?: string }, env: Record<string, string | undefined>) => Promise<unknown>;
let run: Run;
let memoryIo: (env: Record<string, string>) => { out: string; err: string };
let statTraceParallel: Par;
let FIRST_LOOK_FILE_HEAD: number;
let openChunks: (path: string, stdin: () => NodeJS.ReadableStream) => Promise<{ gzip: boolean; chunks: AsyncIterable<Buffer> }>;
let dir: string;
const real: Record<string, string> = {};

/** forces the parallel path on any file, cut into ranges of `range` bytes */
function parEnv(range: number): Record<string, string> {
  return { MMREPLAY_PARALLEL_MIN_BYTES: '1', MMREPLAY_PARALLEL_RANGE_BYTES: String(range) };
}

const alloc = (task: string, t: number, pfn: number, gfp = 'GFP_KERNEL') =>
  `${task.padStart(16)} [001] ..... ${t.toFixed(6).padStart(12)}: mm_page_alloc: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=0 migratetype=0 gfp_flags=${gfp}`;
const free = (task: string, t: number, pfn: number) =>
  `${task.padStart(16)} [000] ..... ${t.toFixed(6).padStart(12)}: mm_page_free: page=00000000deadbeef pfn=0x${pfn.toString(16)} order=0`;
const BAD = '       garbage-1 [000] .....  1.000000: mm_page_alloc: pfn=zz order=0';

/** n lines of 6.18 ftrace (allocs and frees of a few tasks), bad lines at the 1-based line numbers in badAt */
function synth(n: number, badAt: Set<number> = new Set()): string[] {
  const tasks = ['bash-16828', 'kworker/1:1-41', 'Web Content-4321', 'sshd-901'];
  const out = ['# tracer: nop', '#'];
  let t = 100;
  while (out.length < n) {
    if (badAt.has(out.length + 1)) { out.push(BAD); continue; }
    const i = out.length;
    t += 0.000013;
    out.push(i % 3 === 2 ? free(tasks[i % 4]!, t, 0x100000 + i) : alloc(tasks[i % 4]!, t, 0x100000 + i, i % 5 === 0 ? 'GFP_HIGHUSER_MOVABLE|__GFP_ZERO' : 'GFP_KERNEL'));
  }
  return out;
}

function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

beforeAll(async () => {
  spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'ignore' });
  if (!existsSync(join(root, 'dist/trace/parallel-worker.js'))) throw new Error('build failed: no dist/trace/parallel-worker.js');
  ({ run } = await import(join(root, 'dist/cli/main.js')) as { run: Run });
  ({ memoryIo } = await import(join(root, 'dist/cli/io.js')) as { memoryIo: typeof memoryIo });
  ({ statTraceParallel, FIRST_LOOK_FILE_HEAD } = await import(join(root, 'dist/trace/parallel.js')) as
    { statTraceParallel: Par; FIRST_LOOK_FILE_HEAD: number });
  ({ openChunks } = await import(join(root, 'dist/trace/lines.js')) as { openChunks: typeof openChunks });
  dir = mkdtempSync(join(tmpdir(), 'mmreplay-parallel-'));
  for (const t of ['quiet', 'fork-exec', 'fragment-compact']) {
    real[t] = write(`${t}.txt`, gunzipSync(readFileSync(join(root, `traces/real/${t}/trace.txt.gz`))).toString('latin1'));
  }
  for (const f of ['ftrace-trace', 'perf-script', 'trace-cmd-report']) {
    real[f] = write(`${f}.txt`, gunzipSync(readFileSync(join(root, `traces/real/formats/${f}.txt.gz`))).toString('latin1'));
  }
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function once(args: string[], env: Record<string, string>) {
  const io = memoryIo(env) as { out: string; err: string; cwd: string };
  io.cwd = root;
  const code = await run(['stat', ...args], io);
  return { code, out: io.out, err: io.err };
}

/** runs serial and parallel, expects identical results, returns them */
async function both(args: string[], range: number) {
  const serial = await once(args, { MMREPLAY_NO_WORKER: '1' });
  const par = await once(args, parEnv(range));
  expect(par.err).toBe(serial.err);
  expect(par.code).toBe(serial.code);
  expect(par.out === serial.out).toBe(true);
  return par;
}

/** the parallel path is really taken for this file and environment */
async function takesParallel(path: string, range: number, traceKernel?: string): Promise<void> {
  expect(await statTraceParallel(path, { strict: false, traceKernel }, parEnv(range))).not.toBeNull();
}

describe('statTraceParallel() eligibility', () => {
  it('when MMREPLAY_NO_WORKER=1, stdin, JSONL or a file below the threshold then it declines (serial readTrace)', async () => {
    const p = real.quiet!;
    await takesParallel(p, 65536);
    expect(await statTraceParallel(p, { strict: false }, { ...parEnv(65536), MMREPLAY_NO_WORKER: '1' })).toBeNull();
    expect(await statTraceParallel(p, { strict: false }, {})).toBeNull(); // 5.9 MB < PARALLEL_MIN_BYTES (16 MiB)
    expect(await statTraceParallel('-', { strict: false }, parEnv(65536))).toBeNull();
    // gzip: below GZIP_PARALLEL_MIN_BYTES (4 MiB compressed) serial, forced by the test threshold parallel
    expect(await statTraceParallel(join(root, 'traces/real/quiet/trace.txt.gz'), { strict: false }, {})).toBeNull();
    await takesParallel(join(root, 'traces/real/quiet/trace.txt.gz'), 65536);
    expect(await statTraceParallel(write('e.jsonl.gz', gzipSync('{"ev":"mm_page_free"}\n')), { strict: false }, parEnv(65536))).toBeNull();
    expect(await statTraceParallel(write('e.jsonl', '{"ev":"mm_page_free"}\n'), { strict: false }, parEnv(65536))).toBeNull();
    expect(await statTraceParallel(join(dir, 'missing.txt'), { strict: false }, parEnv(65536))).toBeNull();
    expect(await statTraceParallel(dir, { strict: false }, parEnv(65536))).toBeNull();
  });

  it('when a regular file is opened then readTrace\'s first look sees exactly FIRST_LOOK_FILE_HEAD bytes (lines.ts CHUNK)', async () => {
    // the parallel first look reads FIRST_LOOK_FILE_HEAD bytes itself; readTrace takes the stream's first chunk(s)
    // until it has FIRST_LOOK_BYTES (64 KiB): for a regular file that is one chunk of lines.ts CHUNK
    const src = await openChunks(real['fragment-compact']!, () => Readable.from([]));
    let first = 0;
    for await (const c of src.chunks) { first = c.length; break; }
    expect(first).toBe(FIRST_LOOK_FILE_HEAD);
  });
});

describe('parallel-worker.ts', () => {
  it('when the worker cannot open its file then it posts the InputError as a message and exits (no crash, no hang)', async () => {
    const { Worker } = await import('node:worker_threads');
    const shared = new SharedArrayBuffer(8);
    new Int32Array(shared)[1] = 1;
    const missing = join(dir, 'gone.txt');
    const w = new Worker(join(root, 'dist/trace/parallel-worker.js'), { workerData: {
      kind: 'stat-ranges', path: missing, size: 100, rangeBytes: 100, nRanges: 1, gfpEra: '6.15', strict: false,
      longLineMessage: 'long', shared } });
    const [m, code] = await Promise.all([
      new Promise<{ t: string; err: { name: string; location: string; message: string } }>((res) => w.once('message', res)),
      new Promise<number>((res) => w.once('exit', res)),
    ]);
    expect(m.t).toBe('fail');
    expect(m.err.name).toBe('InputError');
    expect(m.err.location).toBe(missing);
    expect(m.err.message).toMatch(/^.*gone\.txt: cannot open: ENOENT/);
    expect(code).toBe(0);
  });
});

describe('stat on two threads, byte-identical to serial', () => {
  for (const t of ['quiet', 'fork-exec', 'fragment-compact', 'ftrace-trace', 'perf-script', 'trace-cmd-report']) {
    it(`when the real ${t} trace is cut into many ranges then text and JSON are byte-identical`, async () => {
      const p = real[t]!;
      await takesParallel(p, 65536);
      const a = await both([p, '--top', '50'], 65536);
      expect(a.code).toBe(0);
      expect(a.out).toContain('mm_page_alloc');
      const b = await both([p, '--format', 'json'], 1_000_003);
      expect(JSON.parse(b.out).format).toBe(t === 'perf-script' ? 'perf-script' : t === 'trace-cmd-report' ? 'trace-cmd' : 'ftrace');
      await both([p, '--format', 'json'], 4099);
    }, 120_000);
  }

  it('when --trace-kernel forces the era then both paths decode with it', async () => {
    const p = real.quiet!;
    await takesParallel(p, 65536, '6.6');
    const a = await both([p, '--trace-kernel', '6.6', '--format', 'json'], 65536);
    expect(JSON.parse(a.out).kernelEra).toBe('6.6');
    const u = await both([p, '--trace-kernel', '9.9'], 65536);
    expect(u.code).toBe(2);
    expect(u.err).toContain('--trace-kernel 9.9: not a kernel version mmreplay knows');
  }, 60_000);

  it('when lines end in CRLF and the last has no newline then the output is byte-identical', async () => {
    const text = readFileSync(real['fork-exec']!, 'latin1').split('\n').join('\r\n').replace(/\r\n$/, '');
    const p = write('crlf.txt', text);
    await takesParallel(p, 65536);
    const a = await both([p, '--format', 'json'], 65536);
    const j = JSON.parse(a.out);
    expect(j.unparsed).toBe(0);
    expect(j.lines).toBe(40000);
    await both([p], 997);
  }, 60_000);

  it('when several files mix the parallel and the serial path then the totals are byte-identical', async () => {
    const a = await both([real.quiet!, join(root, 'traces/real/fork-exec/trace.txt.gz'), real['perf-script']!], 65536);
    expect(a.out).toContain('format: ftrace,perf-script');
  }, 60_000);
});

describe('bad lines on two threads', () => {
  // 3,000 lines of ~120 bytes cut into 4 KiB ranges: bad lines fall in the first range, in the middle and in
  // the last range
  const badAt = new Set([3, 1501, 1502, 2999]);
  let bad: string;
  let late: string;
  beforeAll(() => {
    bad = write('bad.txt', `${synth(3000, badAt).join('\n')}\n`);
    // without the bad line of the first range, the first one is in the middle of the file
    late = write('late.txt', `${synth(3000, new Set([1502, 2999])).join('\n')}\n`);
  });

  it('when bad lines are spread over the ranges then stderr names them with the file\'s line numbers, in order', async () => {
    await takesParallel(bad, 4096);
    const a = await both([bad], 4096);
    expect(a.code).toBe(0);
    const lines = a.err.split('\n').filter((l) => l.includes('cannot parse') || l.includes('missing or bad'));
    expect(lines.map((l) => Number(/bad\.txt:(\d+):/.exec(l)![1]))).toEqual([3, 1501, 1502, 2999]);
    expect(lines[0]).toBe(`mmreplay: ${bad}:3: mm_page_alloc: missing or bad pfn=: ${BAD}`);
    expect(a.out).toContain('unparsed lines: 4\n');
    const j = await both([bad, '--format', 'json'], 4096);
    expect(JSON.parse(j.out).errors.map((e: string) => Number(/bad\.txt:(\d+):/.exec(e)![1]))).toEqual([3, 1501, 1502, 2999]);
    expect(j.err).toBe('');
  }, 60_000);

  it('when --strict then both stop with exit 2 at the first bad line in file order', async () => {
    const s = await both([bad, '--strict'], 4096);
    expect(s.code).toBe(2);
    expect(s.err).toBe(`mmreplay: ${bad}:3: mm_page_alloc: missing or bad pfn=: ${BAD}\n`);
    const t = await both([late, '--strict', '--format', 'json'], 4096);
    expect(t.code).toBe(2);
    expect(t.out).toBe('');
    expect(t.err).toBe(`mmreplay: ${late}:1502: mm_page_alloc: missing or bad pfn=: ${BAD}\n`);
  }, 60_000);

  it('when the built CLI runs a file in parallel then the process ends with the serial exit code and stderr (--strict: 2)', () => {
    const env = { ...process.env, ...parEnv(4096) };
    delete env.MMREPLAY_NO_WORKER;
    const r = spawnSync(process.execPath, [join(root, 'bin/mmreplay.js'), 'stat', '--strict', late], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined(); // no timeout
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`mmreplay: ${late}:1502: mm_page_alloc: missing or bad pfn=: ${BAD}\n`);
    const ok = spawnSync(process.execPath, [join(root, 'bin/mmreplay.js'), 'stat', '--format', 'json', late], { env, encoding: 'utf8', timeout: 30_000 });
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).unparsed).toBe(2);
  }, 60_000);

  it('when a file has more than 1000 bad lines then both print the first 1000 and count the rest', async () => {
    const many = new Set<number>();
    for (let i = 10; i < 5000; i += 2) many.add(i);
    const p = write('many.txt', `${synth(5000, many).join('\n')}\n`);
    const a = await both([p], 8192);
    const shown = a.err.split('\n').filter((l) => l.includes('missing or bad pfn'));
    expect(shown.length).toBe(1000);
    expect(shown[999]).toContain(`many.txt:${10 + 2 * 999}:`);
    expect(a.err).toContain(`mmreplay: ${p}: 1495 more malformed lines not shown (the first 1000 of a file are)\n`);
    expect(a.out).toContain('unparsed lines: 2495\n');
  }, 60_000);
});

describe('range boundaries', () => {
  it('when a split point falls inside a long line (longer than a range, and one over 1 MiB) then the output is byte-identical', async () => {
    const lines = synth(4000);
    // an unknown event with a 20 kB field list spans several 4 KiB ranges; a 1.5 MiB line is skipped as an error
    lines[1000] = `${alloc('bash-16828', 100.5, 0x1).split(': mm_page_alloc:')[0]}: my_event: blob=${'x'.repeat(20_000)}`;
    lines[2500] = `${'y'.repeat(1_500_000)}`;
    const p = write('long.txt', `${lines.join('\n')}\n`);
    await takesParallel(p, 4096);
    const a = await both([p], 4096);
    expect(a.err).toBe(`mmreplay: ${p}:2501: line longer than 1 MiB (skipped)\n`);
    expect(a.out).toMatch(/\n +1 +my_event\n/);
    await both([p, '--format', 'json'], 65536);
    await both([p, '--format', 'json', '--strict'], 4096);
  }, 60_000);

  it('when the second half of a file holds no events then the time span is the first half\'s', async () => {
    const ev = synth(2000);
    const filler = Array.from({ length: 3000 }, (_, i) => (i % 2 ? '#' : ''));
    const p = write('tail.txt', `${[...ev, ...filler].join('\n')}\n`);
    await takesParallel(p, 16384);
    const a = await both([p, '--format', 'json'], 16384);
    const j = JSON.parse(a.out);
    const only = JSON.parse((await once([write('ev.txt', `${ev.join('\n')}\n`), '--format', 'json'], { MMREPLAY_NO_WORKER: '1' })).out);
    expect(j.lines).toBe(5000);
    expect(j.lastTimestamp).toBe(only.lastTimestamp);
    expect(j.firstTimestamp).toBe(only.firstTimestamp);
    expect(j.alloc).toEqual(only.alloc);
    // and a file whose first ranges hold no events (and whose last line has no newline)
    const q = write('head.txt', `${[...filler, ...ev].join('\n')}`);
    await takesParallel(q, 16384);
    const b = JSON.parse((await both([q, '--format', 'json'], 16384)).out);
    expect(b.firstTimestamp).toBe(only.firstTimestamp);
    expect(b.lastTimestamp).toBe(only.lastTimestamp);
  }, 60_000);
});

describe('gzip on two threads (inflated on the main thread, pieces of whole lines)', () => {
  const gz = (name: string, text: string | Buffer): string => write(name, gzipSync(text));

  for (const t of ['quiet', 'fork-exec', 'fragment-compact', 'formats/ftrace-trace', 'formats/perf-script', 'formats/trace-cmd-report']) {
    it(`when the real ${t} trace.gz is cut into many pieces then text and JSON are byte-identical`, async () => {
      const p = join(root, `traces/real/${t}${t.startsWith('formats/') ? '.txt.gz' : '/trace.txt.gz'}`);
      await takesParallel(p, 65536);
      const a = await both([p, '--top', '50'], 65536);
      expect(a.code).toBe(0);
      expect(a.out).toContain('mm_page_alloc');
      await both([p, '--format', 'json'], 4099);
      await both([p, '--format', 'json'], 1 << 30); // one piece
    }, 120_000);
  }

  it('when bad lines fall in many pieces then stderr, --strict and the 1000-message cap are the serial ones', async () => {
    const p = gz('bad.txt.gz', `${synth(3000, new Set([3, 1501, 1502, 2999])).join('\n')}\n`);
    await takesParallel(p, 4096);
    const a = await both([p], 4096);
    const lines = a.err.split('\n').filter((l) => l.includes('missing or bad'));
    expect(lines.map((l) => Number(/bad\.txt\.gz:(\d+):/.exec(l)![1]))).toEqual([3, 1501, 1502, 2999]);
    const late = gz('late.txt.gz', `${synth(3000, new Set([1502, 2999])).join('\n')}\n`);
    const s = await both([late, '--strict', '--format', 'json'], 4096);
    expect(s.code).toBe(2);
    expect(s.err).toBe(`mmreplay: ${late}:1502: mm_page_alloc: missing or bad pfn=: ${BAD}\n`);
    const many = new Set<number>();
    for (let i = 10; i < 5000; i += 2) many.add(i);
    const m = gz('many.txt.gz', `${synth(5000, many).join('\n')}\n`);
    const c = await both([m], 8192);
    expect(c.err.split('\n').filter((l) => l.includes('missing or bad pfn')).length).toBe(1000);
    expect(c.err).toContain(`mmreplay: ${m}: 1495 more malformed lines not shown (the first 1000 of a file are)\n`);
  }, 60_000);

  it('when lines are longer than a piece or than 1 MiB, or end in CRLF without a last newline, then the output is byte-identical', async () => {
    const lines = synth(4000);
    lines[1000] = `${alloc('bash-16828', 100.5, 0x1).split(': mm_page_alloc:')[0]}: my_event: blob=${'x'.repeat(20_000)}`;
    lines[2500] = 'y'.repeat(2_500_000); // over two inflated chunks of 1 MiB: kept only up to MAX_LINE + 1
    const p = gz('long.txt.gz', `${lines.join('\n')}\n`);
    await takesParallel(p, 4096);
    const a = await both([p], 4096);
    expect(a.err).toBe(`mmreplay: ${p}:2501: line longer than 1 MiB (skipped)\n`);
    expect(a.out).toMatch(/\n +1 +my_event\n/);
    await both([p, '--format', 'json', '--strict'], 4096);
    const end = gz('longend.txt.gz', `${synth(100).join('\n')}\n${'z'.repeat(1_200_000)}`);
    expect((await both([end], 4096)).err).toBe(`mmreplay: ${end}:101: line longer than 1 MiB (skipped)\n`);
    const crlf = gz('crlf.txt.gz', readFileSync(real['fork-exec']!, 'latin1').split('\n').join('\r\n').replace(/\r\n$/, ''));
    expect(JSON.parse((await both([crlf, '--format', 'json'], 65536)).out).lines).toBe(40000);
  }, 60_000);

  it('when the gzip stream is truncated then both show the bad lines before it and fail with the same corrupt gzip error (exit 2)', async () => {
    const whole = gzipSync(`${synth(60000, new Set([5, 30000])).join('\n')}\n`);
    const p = write('cut.txt.gz', whole.subarray(0, Math.floor(whole.length * 0.8)));
    await takesParallel(p, 65536).catch(() => {}); // throws the gzip error itself
    const a = await both([p], 65536);
    expect(a.code).toBe(2);
    expect(a.out).toBe('');
    expect(a.err).toBe(`mmreplay: ${p}:5: mm_page_alloc: missing or bad pfn=: ${BAD}\nmmreplay: ${p}:30000: mm_page_alloc: missing or bad pfn=: ${BAD}\n` +
      `mmreplay: ${p}: corrupt gzip data: unexpected end of file\n`);
    const s = await both([p, '--strict'], 4096);
    expect(s.err).toBe(`mmreplay: ${p}:5: mm_page_alloc: missing or bad pfn=: ${BAD}\n`);
    const late = write('cut2.txt.gz', whole.subarray(0, 2000)); // corrupt within the first look: serial reports it
    expect((await both([late], 4096)).err).toBe(`mmreplay: ${late}: corrupt gzip data: unexpected end of file\n`);
    const junk = Buffer.from(whole);
    junk.fill(0x55, Math.floor(junk.length / 2), Math.floor(junk.length / 2) + 64);
    const j = await both([write('junk.txt.gz', junk), '--format', 'json'], 4096);
    expect(j.code).toBe(2);
    expect(j.err).toMatch(/: corrupt gzip data: /);
  }, 60_000);

  it('when PieceCutter cuts chunks then a piece ends at the last line end of the chunk that brings it to pieceBytes, and a long line is kept to MAX_LINE + 1 bytes', async () => {
    type Cutter = { push(c: Buffer): void; end(): void; flush(): void };
    const { PieceCutter } = await import(join(root, 'dist/trace/parallel.js')) as
      { PieceCutter: new (n: number, take: (min: number) => Buffer, emit: (b: Buffer, len: number) => void) => Cutter };
    const cut = (chunks: string[], end: 'end' | 'flush'): string[] => {
      const out: string[] = [];
      const c = new PieceCutter(10, (min) => Buffer.alloc(Math.max(min, 4)), (b, len) => out.push(b.toString('latin1', 0, len)));
      for (const x of chunks) c.push(Buffer.from(x, 'latin1'));
      c[end]();
      return out;
    };
    expect(cut(['aaaa\nbb', 'bbbbbbb\ncc\nd', 'dd\n', 'e'], 'end')).toEqual(['aaaa\nbbbbbbbbb\ncc\n', 'ddd\ne']);
    expect(cut(['aaaa\nbb', 'bbbbbbb\ncc\nd', 'dd\n', 'e'], 'flush')).toEqual(['aaaa\nbbbbbbbbb\ncc\n', 'ddd\n']);
    expect(cut(['', 'x'], 'flush')).toEqual([]);
    const long = cut(['a\n', 'y'.repeat(700_000), 'y'.repeat(700_000), 'yy\nb\n'], 'end');
    expect(long.map((p) => p.length)).toEqual([2 + (1 << 20) + 1 + 1 + 2]);
    expect(long[0]!.endsWith('y\nb\n')).toBe(true);
  });

  it('when the .gz holds nothing then both report an empty trace', async () => {
    const p = gz('empty.txt.gz', '');
    const a = await both([p, '--format', 'json'], 4096);
    expect(a.code).toBe(0);
    expect(JSON.parse(a.out).lines).toBe(0);
    expect(a.err).toBe(`mmreplay: ${p}: empty trace (no events)\n`);
  }, 60_000);

  it('when the built CLI runs a .gz in parallel then the process exits with the serial status (--strict: 2, truncated: 2)', () => {
    const env = { ...process.env, ...parEnv(4096) };
    delete env.MMREPLAY_NO_WORKER;
    const late = gz('late2.txt.gz', `${synth(3000, new Set([1502])).join('\n')}\n`);
    const r = spawnSync(process.execPath, [join(root, 'bin/mmreplay.js'), 'stat', '--strict', late], { env, encoding: 'utf8', timeout: 30_000 });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(`mmreplay: ${late}:1502: mm_page_alloc: missing or bad pfn=: ${BAD}\n`);
    const whole = readFileSync(late);
    const cut = write('late2cut.txt.gz', whole.subarray(0, whole.length - 10));
    const t = spawnSync(process.execPath, [join(root, 'bin/mmreplay.js'), 'stat', '--format', 'json', cut], { env, encoding: 'utf8', timeout: 30_000 });
    expect(t.error).toBeUndefined();
    expect(t.status).toBe(2);
    expect(t.stderr).toBe(`mmreplay: ${cut}: corrupt gzip data: unexpected end of file\n`);
  }, 60_000);
});
