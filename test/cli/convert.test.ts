/** `mmreplay convert`: lossless round trips (stat of the converted file equals stat of the original). */
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { collect } from '../trace/helpers.js';

const REAL = new URL('../../traces/real/', import.meta.url).pathname;
const FIX = new URL('../fixtures/trace/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'mmreplay-convert-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function stat(path: string): Promise<Record<string, unknown>> {
  const io = memoryIo();
  expect(await run(['stat', '--format', 'json', path], io)).toBe(0);
  const j = JSON.parse(io.out) as Record<string, unknown>;
  delete j.format;
  delete j.files;
  delete j.lines;
  return j;
}

async function convert(args: string[]): Promise<ReturnType<typeof memoryIo>> {
  const io = memoryIo();
  await run(['convert', ...args], io);
  return io;
}

describe('mmreplay convert round trips', () => {
  for (const t of ['quiet', 'fork-exec', 'fragment-compact']) {
    it(`when ${t} goes ftrace → jsonl → csv → jsonl then stat is unchanged at every step`, async () => {
      const src = `${REAL}${t}/trace.txt.gz`;
      const want = await stat(src);
      const j1 = join(tmp, `${t}.jsonl`);
      const c1 = join(tmp, `${t}.csv`);
      const j2 = join(tmp, `${t}.2.jsonl`);
      expect((await convert([src, '--to', 'jsonl', '--out', j1])).exitCode).toBe(0);
      expect((await convert([j1, '--to', 'csv', '--out', c1])).exitCode).toBe(0);
      expect((await convert([c1, '--to', 'jsonl', '--out', j2])).exitCode).toBe(0);
      for (const f of [j1, c1, j2]) expect(await stat(f)).toEqual(want);
      // jsonl → csv → jsonl is byte-identical apart from the header's source format
      expect(readFileSync(j2, 'utf8').split('\n').slice(1)).toEqual(readFileSync(j1, 'utf8').split('\n').slice(1));
    });
  }

  it('when every event kind of each era is converted then all record fields survive', async () => {
    for (const f of ['v4.0.txt', 'v4.12.txt', 'v4.14.txt', 'v5.0.txt', 'v5.15.txt', 'v6.1.txt', 'v6.6.txt', 'v6.18.txt',
      'v6.18-setup.txt', 'perf-script.txt', 'trace-cmd.txt', 'tgid-counter.txt']) {
      const orig = await collect(`${FIX}${f}`);
      for (const to of ['jsonl', 'csv']) {
        const out = join(tmp, `${f}.${to}`);
        expect((await convert([`${FIX}${f}`, '--to', to, '--out', out])).exitCode).toBe(0);
        const back = await collect(out);
        expect(back.r.format).toBe(to);
        expect(back.r.kernelEra).toBe(orig.r.kernelEra);
        expect(back.r.gfpEra).toBe(orig.r.gfpEra);
        expect(back.masks).toEqual(orig.masks);
        expect(back.evs.map(({ line: _l, ...e }) => e)).toEqual(orig.evs.map(({ line: _l, ...e }) => e));
      }
    }
  });

  it('when JSONL is written then the header carries the era and events use kernel field names', async () => {
    const io = await convert([`${FIX}v5.0.txt`, '--to', 'jsonl']);
    const lines = io.out.trim().split('\n');
    expect(JSON.parse(lines[0]!)).toEqual({ mmreplay: 'trace', schema: 1, format: 'ftrace', kernel_era: '4.15–5.1', gfp_era: '5.1' });
    expect(JSON.parse(lines[3]!)).toEqual({ ev: 'mm_page_alloc', sys: 'kmem', task: 'postgres', pid: 7788, cpu: 3, irq_flags: '....',
      ts: '880.100400', pfn: 0, order: 9, migratetype: 1, gfp_flags: 'GFP_TRANSHUGE_LIGHT|__GFP_THISNODE' });
  });

  it('when CSV is written then task names with commas and quotes are quoted', async () => {
    const p = join(tmp, 'comma.txt');
    writeFileSync(p, '    a,"b" c-77    [000] .....   1.000001: mm_page_free: page=000000008a3f1c2d pfn=0x100000 order=0\n');
    const io = await convert([p, '--to', 'csv']);
    expect(io.out.split('\n')[1]).toBe('mm_page_free,kmem,"a,""b"" c",77,,0,.....,1.000001,1048576,0,,,,,,,,,,,,,5.14–6.18,6.15,ftrace');
    const back = join(tmp, 'comma.csv');
    writeFileSync(back, io.out);
    expect((await collect(back)).evs[0]).toMatchObject({ task: 'a,"b" c', pid: 77, pfn: 0x100000 });
  });

  it('when stdin is converted then the output is the same as from the file', async () => {
    const a = await convert([`${FIX}v6.1.txt`, '--to', 'jsonl']);
    const io = memoryIo({}, readFileSync(`${FIX}v6.1.txt`, 'utf8'));
    expect(await run(['convert', '-', '--to', 'jsonl'], io)).toBe(0);
    expect(io.out).toBe(a.out);
  });

  it('when the Io offers stdoutDrain then reading waits on it between chunks and the output is unchanged', async () => {
    const a = await convert([`${REAL}quiet/trace.txt.gz`, '--to', 'csv']);
    const io = Object.assign(memoryIo(), { waits: 0, stdoutDrain(): Promise<void> { io.waits++; return new Promise((r) => setTimeout(r, 1)); } });
    expect(await run(['convert', `${REAL}quiet/trace.txt.gz`, '--to', 'csv'], io)).toBe(0);
    expect(io.waits).toBeGreaterThan(0);
    expect(io.out).toBe(a.out);
  });

  it('when --to scenario is asked then it is a usage error that says it is not built yet', async () => {
    const io = await convert([`${FIX}v6.1.txt`, '--to', 'scenario']);
    expect(io.exitCode).toBe(2);
    expect(io.err).toBe('mmreplay: convert --to scenario is not built yet (a later issue); use --to jsonl or --to csv\n');
  });

  it('when --to is missing or unknown then exit 2', async () => {
    expect((await convert([`${FIX}v6.1.txt`])).exitCode).toBe(2);
    expect((await convert([`${FIX}v6.1.txt`, '--to', 'xml'])).exitCode).toBe(2);
  });

  it('when the input is empty then only the header is written and stderr says so', async () => {
    const io = await convert([`${FIX}empty.txt`, '--to', 'csv']);
    expect(io.exitCode).toBe(0);
    expect(io.out.split('\n')[0]).toMatch(/^ev,sys,task,pid,tgid,cpu,irq_flags,ts,pfn,order/);
    expect(io.err).toBe(`mmreplay: ${FIX}empty.txt: empty trace (no events)\n`);
  });
});

describe('bad JSONL and CSV rows', () => {
  it('when JSONL lines are bad then each is a located error', async () => {
    const p = join(tmp, 'bad.jsonl');
    writeFileSync(p, [
      '{"mmreplay":"trace","schema":1,"format":"ftrace","kernel_era":"6.15–6.18","gfp_era":"6.15"}',
      '{"ev":"mm_page_free","sys":"kmem","task":"a","pid":1,"cpu":0,"ts":"1.0","pfn":5,"order":0}',
      '{"ev":"mm_page_free","pfn":5,"order":11}',
      '{"ev":"mm_page_alloc","pfn":5,"order":0,"migratetype":0,"gfp_flags":"GFP_KERNEL|__GFP_NOPE"}',
      '{not json',
      '{"ev":"mm_page_free","pfn":"five","order":0}',
    ].join('\n'));
    const { r, errors } = await collect(p);
    expect(r.events.get('mm_page_free')).toBe(1);
    expect(errors).toEqual([
      `${p}:3: mm_page_free: order 11 out of range 0..10 (NR_PAGE_ORDERS is 11)`,
      `${p}:4: unknown gfp flag '__GFP_NOPE'`,
      expect.stringMatching(new RegExp(`^${p}:5: bad JSON: `)),
      `${p}:6: "pfn" is not an integer`,
    ]);
  });

  it('when CSV rows are bad then each is a located error', async () => {
    const p = join(tmp, 'bad.csv');
    const head = 'ev,sys,task,pid,tgid,cpu,irq_flags,ts,pfn,order,migratetype,gfp_flags,percpu_refill,cold,alloc_order,fallback_order,pageblock_order,alloc_migratetype,fallback_migratetype,fragmenting,change_ownership,fields,kernel_era,gfp_era,format';
    writeFileSync(p, [
      head,
      'mm_page_free,kmem,a,1,,0,,1.0,5,0,,,,,,,,,,,,,6.15–6.18,6.15,ftrace',
      'mm_page_free,kmem,a,1,,0,,1.0,5,x,,,,,,,,,,,,,,,',
      'mm_page_free,kmem,a,1',
      '',
    ].join('\n'));
    const { r, errors } = await collect(p);
    expect(r.events.get('mm_page_free')).toBe(1);
    expect(errors).toEqual([
      `${p}:3: bad CSV cell order="x": not an integer`,
      `${p}:4: bad CSV row: 4 cells, the header has 25`,
    ]);
  });
});
