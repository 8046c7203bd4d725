/**
 * src/check/expect.ts evaluateExpect(): each expectation kind against a hand-built run, with the exact Failure
 * records (field, expected, actual, repetition).
 */
import { describe, expect, it } from 'vitest';
import { countOk, evaluateExpect, type RequestLog } from '../../src/check/expect.js';
import type { RunResult } from '../../src/check/run.js';
import type { AllocEvent, ReplaySummary } from '../../src/replay/decision.js';

function alloc(seq: number, name: string, ok: boolean, zone: string | null, path: string, extra: Partial<AllocEvent> = {}): AllocEvent {
  return {
    kind: 'alloc', seq, time: '0.001000', task: 'scenario', pid: 1, cpu: 0, order: 0, gfp: 'GFP_KERNEL', gfp_mask: 0xcc0,
    migratetype: 'Unmovable', path, name, result: { ok, node: ok ? 0 : null, zone: ok ? zone : null, pfn: ok ? 0x1000 + seq : null }, warned: false, ...extra,
  };
}

function runOf(named: Record<string, AllocEvent[]>, over: Partial<ReplaySummary> = {}, warnings: string[][] = []): RunResult {
  const summary = {
    kind: 'summary', mode: 'simulate', machine: 'm', policy: 'v6.18', inputs: [], requests: { allocs: 0, frees: 0, failed: 0, events: 0 },
    by_order: {}, by_path: {}, frees: { dropped: 0, noop: 0, unknown: 0, pre_trace: 0 }, thp_group_skipped: 0,
    warnings: { printed: warnings.length, suppressed: 0 }, counters: { pgalloc_dma32: 2, pgalloc_normal: 0 }, unparsed: 0,
    buddyinfo: 'Node 0, zone      DMA      0      0      0      0      0      0      0      0      1      1      3 \nNode 0, zone    DMA32     16     16     20     16     17     14     14     14     12     13    738 \n',
    pagetypeinfo: '', ...over,
  } as ReplaySummary;
  return {
    named: new Map(Object.entries(named)), summary, mode: 'simulate', machine: 'm', policy: 'v6.18',
    warnings: warnings.map((lines, i) => ({ kind: 'warning', seq: i, time: '0.0', lines })),
  };
}

describe('countOk', () => {
  it('when the expectation is a number or a range then it holds exactly or inclusively', () => {
    expect([countOk(3, 3), countOk(2, 3), countOk(3, { min: 3 }), countOk(2, { min: 3 }), countOk(5, { max: 5 }), countOk(6, { min: 1, max: 5 })])
      .toEqual([true, false, true, false, true, false]);
  });
});

describe('evaluateExpect', () => {
  it('when every expectation holds then there is no failure', () => {
    const steps = [{ kind: 'wake_all_kswapds', node: 0, zone: 'DMA32', free: 0, mark: 0, reserve: 0, result: 1, alloc_flags: 0, aux: 1 }];
    const r = runOf({ k1: [alloc(1, 'k1', true, 'DMA32', 'min_retry', { steps })] }, {}, [['[    0.001000] x: page allocation failure: order:0, mode:0x820(GFP_ATOMIC)', 'Mem-Info:']]);
    expect(evaluateExpect({
      requests: { k1: { ok: true, zone: 'DMA32', node: 0, path: 'min_retry', kswapd: true, warned: false, failures: 0 } },
      counters: { pgalloc_dma32: { min: 1, max: 2 }, pgalloc_normal: 0, compact_stall: 0 },
      warnings: 1,
      warning_text: ['x: page allocation failure: order:0, mode:0x820(GFP_ATOMIC)', 'Mem-Info:'],
      buddyinfo: { '0/DMA32': [16, 16, 20, 16, 17, 14, 14, 14, 12, 13, 738] },
    }, r)).toEqual([]);
  });

  it('when fields differ then each gives one record in the expect block order, and the log is of the first failing repetition', () => {
    const r = runOf({ k1: [alloc(3, 'k1', true, 'DMA32', 'fast'), alloc(4, 'k1', true, 'DMA', 'fast'), alloc(5, 'k1', false, null, 'fail')] });
    const logs: RequestLog[] = [];
    const f = evaluateExpect({ requests: { k1: { zone: 'DMA32', path: 'fast', kswapd: true } }, counters: { pgalloc_dma32: 1 }, warnings: { min: 1 } }, r, logs);
    expect(f).toEqual([
      // the failed third repetition has no zone: judged by ok/path/failures only
      { field: 'requests.k1.zone', expected: 'DMA32', actual: 'DMA', request: 'k1', repetition: 2, repetitions: 3, failedRepetitions: 1 },
      { field: 'requests.k1.path', expected: 'fast', actual: 'fail', request: 'k1', repetition: 3, repetitions: 3, failedRepetitions: 1 },
      { field: 'requests.k1.kswapd', expected: true, actual: false, request: 'k1', repetition: 1, repetitions: 3, failedRepetitions: 3 },
      { field: 'counters.pgalloc_dma32', expected: 1, actual: 2 },
      { field: 'warnings', expected: { min: 1 }, actual: 0 },
    ]);
    expect(logs.map((l) => [l.name, l.repetition, l.repetitions, l.event.seq])).toEqual([['k1', 1, 3, 3]]);
  });

  it('when no repetition got pages then a zone expectation reports it; a counter left out of the summary is 0', () => {
    const r = runOf({ k1: [alloc(1, 'k1', false, null, 'fail')] });
    expect(evaluateExpect({ requests: { 'k-1': { ok: true }, k1: { zone: 'Normal' } }, counters: { oom_kill: 1 } }, r)).toEqual([
      { field: 'requests["k-1"]', expected: 'an allocation', actual: 'none ran', request: 'k-1' },
      { field: 'requests.k1.zone', expected: 'Normal', actual: 'none (no repetition got pages)', request: 'k1' },
      { field: 'counters.oom_kill', expected: 1, actual: 0 },
    ]);
  });

  it('when warning_text and buddyinfo differ then the line not found and the whole row are reported', () => {
    const r = runOf({}, {}, [['[    1.000000] a: page allocation failure: order:3', 'Node 0 DMA32: 1*4kB = 4kB']]);
    expect(evaluateExpect({
      warning_text: ['a: page allocation failure: order:3', 'Node 0 Normal: 1*4kB = 4kB'],
      buddyinfo: { '0/DMA32': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], '0/Normal': [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] },
    }, r)).toEqual([
      { field: 'warning_text[1]', expected: 'Node 0 Normal: 1*4kB = 4kB', actual: 'not found after line "a: page allocation failure: order:3" in 2 printed lines' },
      { field: 'buddyinfo["0/DMA32"]', expected: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], actual: [16, 16, 20, 16, 17, 14, 14, 14, 12, 13, 738] },
      { field: 'buddyinfo["0/Normal"]', expected: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], actual: 'no populated zone 0/Normal' },
    ]);
    expect(evaluateExpect({ warning_text: 'order:4' }, runOf({}))).toEqual([{ field: 'warning_text', expected: 'order:4', actual: '(no warning printed)' }]);
  });
});
