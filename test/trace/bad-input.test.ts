/** Bad input: each a located `file:line: message`, counted in unparsed, exit 2 on the first with --strict. */
import { gzipSync } from 'node:zlib';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collect, FIX } from './helpers.js';
import { InputError } from '../../src/errors.js';
import { MAX_LINE } from '../../src/trace/lines.js';

const tmp = mkdtempSync(join(tmpdir(), 'mmreplay-trace-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const ALLOC = '            bash-2817  [003] .....   123.000001: mm_page_alloc: page=000000008a3f1c2d pfn=0x100000 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO';

describe('bad lines', () => {
  it('when lines are malformed then each is a located error and the good lines still count', async () => {
    const f = `${FIX}bad.txt`;
    const { r, errors } = await collect(f);
    expect(errors.map((e) => e.slice(0, 110))).toEqual([
      `${f}:3: mm_page_alloc: order 12 out of range 0..10 (NR_PAGE_ORDERS is 11):             bash-2817  [003] .....   123.000002`.slice(0, 110),
      `${f}:4: mm_page_free: order -1 out of range 0..10 (NR_PAGE_ORDERS is 11):             bash-2817  [003] .....   123.000003: `.slice(0, 110),
      `${f}:5: unknown gfp flag '__GFP_BOGUS'`,
      `${f}:7: cannot parse line: this is not a trace line`,
      `${f}:8: cannot parse mm_page_alloc:             bash-2817  [003] .....   123.000006: mm_page_alloc: page=000000008a3f1c2d pfn=0x100003 ord`.slice(0, 110),
      `${f}:9: cannot parse line: \\x00\\x01\\x02garbage\\xff\\xfe`,
    ]);
    expect(r.unparsed).toBe(6);
    // compaction events legitimately print order=-1 (a full compaction): not an error
    expect(Object.fromEntries(r.events)).toEqual({ mm_page_alloc: 1, mm_compaction_suitable: 1, mm_page_free: 1 });
    expect(r.skipped).toBe(0);
  });

  it('when --strict is given then the first bad line throws an InputError (exit 2) with its location', async () => {
    const f = `${FIX}bad.txt`;
    const err = await collect(f, { strict: true }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).exitCode).toBe(2);
    expect((err as InputError).message).toMatch(new RegExp(`^${f}:3: mm_page_alloc: order 12 out of range`));
  });

  it('when a line is longer than 1 MiB then it is reported and skipped, and the next line parses', async () => {
    const p = join(tmp, 'long.txt');
    writeFileSync(p, `${ALLOC}\n${'x'.repeat(10 * 1024 * 1024)}\n${ALLOC}\n`);
    const { r, errors } = await collect(p);
    expect(MAX_LINE).toBe(1 << 20);
    expect(errors).toEqual([`${p}:2: line longer than 1 MiB (skipped)`]);
    expect(r.events.get('mm_page_alloc')).toBe(2);
    expect(r.lines).toBe(3);
  });

  it('when the 10 MB line is the last, without a newline, then it is still reported', async () => {
    const p = join(tmp, 'long-last.txt');
    writeFileSync(p, `${ALLOC}\n${'y'.repeat(10 * 1024 * 1024)}`);
    const { errors } = await collect(p);
    expect(errors).toEqual([`${p}:2: line longer than 1 MiB (skipped)`]);
  });

  it('when the last line is truncated mid-field then it is an error on that line', async () => {
    const p = join(tmp, 'trunc.txt');
    writeFileSync(p, `${ALLOC}\n${ALLOC.slice(0, 100)}`);
    const { r, errors } = await collect(p);
    expect(errors).toEqual([`${p}:2: cannot parse mm_page_alloc: ${ALLOC.slice(0, 100)}`]);
    expect(r.unparsed).toBe(1);
  });
});

describe('bad files', () => {
  it('when a file claims gzip but is corrupt then the whole file is an InputError', async () => {
    const err = await collect(`${FIX}corrupt.gz`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as Error).message).toBe(`${FIX}corrupt.gz: corrupt gzip data: invalid code lengths set`);
  });

  it('when a gzip file is cut short then it is an InputError', async () => {
    const p = join(tmp, 'cut.gz');
    writeFileSync(p, gzipSync(Buffer.from(`${ALLOC}\n`.repeat(1000))).subarray(0, 200));
    const err = await collect(p).catch((e: unknown) => e);
    expect((err as Error).message).toBe(`${p}: corrupt gzip data: unexpected end of file`);
  });

  it('when the file is missing then the error names the path', async () => {
    const err = await collect('/no/such/trace.txt').catch((e: unknown) => e);
    expect((err as Error).message).toBe('/no/such/trace.txt: no such file');
    expect((err as InputError).exitCode).toBe(2);
  });

  it('when the file is empty then there are zero events and no error', async () => {
    const { r, errors } = await collect(`${FIX}empty.txt`);
    expect(errors).toEqual([]);
    expect(r.lines).toBe(0);
    expect(r.events.size).toBe(0);
    expect(r.firstTimestamp).toBeNull();
  });

  it('when gzip data has another name then it is still gunzipped (magic bytes, not the name)', async () => {
    const p = join(tmp, 'trace.txt');
    writeFileSync(p, gzipSync(Buffer.from(`${ALLOC}\n${ALLOC}\n`)));
    const { r } = await collect(p);
    expect(r.events.get('mm_page_alloc')).toBe(2);
  });

  it('when reading stdin (-) then the lines are parsed and located as <stdin>', async () => {
    const { r, errors } = await collect('-', {}, `${ALLOC}\nnonsense\n`);
    expect(r.events.get('mm_page_alloc')).toBe(1);
    expect(errors).toEqual(['<stdin>:2: cannot parse line: nonsense']);
  });

  it('when --trace-kernel is not a known version then it is a usage error', async () => {
    const err = await collect(`${FIX}v6.1.txt`, { traceKernel: '2.6' }).catch((e: unknown) => e);
    expect((err as Error).message).toBe('--trace-kernel 2.6: not a kernel version mmreplay knows (4.0 to 6.18, e.g. 5.15)');
    expect((err as InputError).exitCode).toBe(2);
  });

  it('when --trace-kernel names an era whose gfp names differ then the lines are unknown gfp flags', async () => {
    const { errors } = await collect(`${FIX}v6.1.txt`, { traceKernel: '4.0' });
    expect(errors[0]).toBe(`${FIX}v6.1.txt:3: unknown gfp flag 'GFP_KERNEL_ACCOUNT'`);
  });
});
