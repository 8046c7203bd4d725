/** LineSplitter: chunk boundaries, carried partial lines, CRLF, and the 1 MiB cap. */
import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE } from '../../src/trace/lines.js';
import { detectFormat } from '../../src/trace/detect.js';
import { parseKernelRange, parseKernelVersion, formatKernelRange } from '../../src/trace/era.js';
import { parseFieldList, formatFieldList } from '../../src/trace/fields.js';
import { TraceEvent } from '../../src/trace/event.js';
import { Intern } from '../../src/trace/intern.js';

function split(chunks: string[]): { lines: [number, string][]; long: number[] } {
  const lines: [number, string][] = [];
  const long: number[] = [];
  const s = new LineSplitter((b, st, e, no) => lines.push([no, b.toString('latin1', st, e)]), (no) => long.push(no));
  for (const c of chunks) s.push(Buffer.from(c, 'latin1'));
  s.end();
  return { lines, long };
}

describe('LineSplitter', () => {
  it('when a line spans three chunks then it is delivered whole with its number', () => {
    expect(split(['ab', 'cd\nef', 'g', 'h\ni']).lines).toEqual([[1, 'abcd'], [2, 'efgh'], [3, 'i']]);
  });

  it('when the data ends with a newline then no empty last line is delivered', () => {
    expect(split(['a\n', 'b\n']).lines).toEqual([[1, 'a'], [2, 'b']]);
  });

  it('when a line over MAX_LINE arrives in pieces then it is reported once and not buffered', () => {
    const big = 'x'.repeat(MAX_LINE / 4);
    const r = split(['ok\n', big, big, big, big, big, '\nnext\n']);
    expect(r.long).toEqual([2]);
    expect(r.lines).toEqual([[1, 'ok'], [3, 'next']]);
  });
});

describe('detectFormat', () => {
  it('when the data starts with { then it is JSONL; with the CSV header then CSV; else kernel text', () => {
    expect(detectFormat(Buffer.from('{"mmreplay":"trace"}\n'))).toBe('jsonl');
    expect(detectFormat(Buffer.from('ev,sys,task\n'))).toBe('csv');
    expect(detectFormat(Buffer.from('# tracer: nop\n'))).toBe('ftrace');
    expect(detectFormat(Buffer.alloc(0))).toBe('ftrace');
  });
});

describe('kernel versions and ranges', () => {
  it('when versions are parsed then they compare as major*100+minor', () => {
    expect(parseKernelVersion('v6.18.2')).toBe(618);
    expect(parseKernelVersion('5.0.1')).toBe(500);
    expect(parseKernelVersion('six')).toBeNaN();
    expect(parseKernelRange('4.18–5.0')).toEqual([418, 500]);
    expect(parseKernelRange('6.3')).toEqual([603, 603]);
    expect(formatKernelRange(615, 618)).toBe('6.15–6.18');
    expect(formatKernelRange(603, 603)).toBe('6.3');
  });
});

describe('parseFieldList', () => {
  it('when fields have padding, commas, parentheses, prefixes and colons then each is one field', () => {
    const i = new Intern();
    const ev = new TraceEvent(i, i, i);
    parseFieldList('zone=Normal   order=9 zone_end=0x640000, mode=async range=(0x1 ~ 0x2) zone name=DMA file-rss:12kB', ev);
    const got = ev.fieldKeys.slice(0, ev.nFields).map((k, j) => [k, ev.fieldValues[j]]);
    expect(got).toEqual([['zone', 'Normal'], ['order', '9'], ['zone_end', '0x640000'], ['mode', 'async'], ['range', '(0x1 ~ 0x2)'],
      ['zone_name', 'DMA'], ['file-rss', '12kB']]);
    expect(formatFieldList(ev)).toBe('zone=Normal order=9 zone_end=0x640000 mode=async range=(0x1 ~ 0x2) zone_name=DMA file-rss=12kB');
  });
});

describe('openChunks on a regular file', () => {
  it('when a text trace is read through reused buffers then every line, bad line and carried-over line arrives intact', async () => {
    // ≈ 3 MiB: the first MiB in a buffer of its own, then 128 KiB reads into two reused buffers; line lengths vary
    // so that lines straddle every read boundary, and a bad line sits at each kth line
    const { writeFileSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tempDir } = await import('../helpers/tmp.js');
    const { readTrace } = await import('../../src/trace/read.js');
    const lines: string[] = [];
    let pfnSum = 0;
    const bad: number[] = [];
    for (let i = 0; lines.length < 24000; i++) {
      if (i % 4999 === 4998) { bad.push(lines.length + 1); lines.push('this is not a trace line ' + 'x'.repeat(i % 97)); continue; }
      const pfn = 0x100000 + i;
      pfnSum += pfn;
      lines.push(`${'task'.padStart(16)}-${String(1000 + (i % 50)).padEnd(7)} [001] ..... ${(1000 + i / 1e6).toFixed(6).padStart(12)}: ` +
        `mm_page_free: page=00000000d1a2b3c4 pfn=0x${pfn.toString(16)} order=0${' '.repeat(i % 13)}`);
    }
    const file = join(tempDir('mmreplay-chunks-'), 'big.txt');
    writeFileSync(file, lines.join('\n') + '\n');
    let sum = 0;
    let n = 0;
    const errors: string[] = [];
    const r = await readTrace(file, () => { throw new Error('no stdin'); }, { strict: false },
      (ev) => { sum += ev.pfn; n++; }, (m) => errors.push(m));
    expect(r.lines).toBe(lines.length);
    expect(n).toBe(lines.length - bad.length);
    expect(sum).toBe(pfnSum);
    expect(errors.map((m) => Number(m.slice(file.length + 1).split(':')[0]))).toEqual(bad);
  });
});
