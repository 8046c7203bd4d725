import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../src/mm/machine.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { SlowPathDriver } from '../../src/replay/driver.js';
import { replayTraceFile } from '../../src/replay/trace.js';
import { logMask, MODE_MIRROR, MODE_SIMULATE } from '../../src/replay/decision.js';
import type { AllocEvent, FreeEvent, Reporter, ReplaySummary, WarningEvent } from '../../src/replay/decision.js';
import { JsonlReporter, jsonString } from '../../src/report/jsonl.js';
import { Writer } from '../../src/report/writer.js';

/** the reference: JSON.stringify of each fresh event object the engine builds for a reporter that keeps events */
class StringifyFresh implements Reporter {
  out = '';
  header(): void {}
  alloc(e: AllocEvent): void { this.out += `${JSON.stringify(e)}\n`; }
  free(e: FreeEvent): void { this.out += `${JSON.stringify(e)}\n`; }
  warning(e: WarningEvent): void { this.out += `${JSON.stringify(e)}\n`; }
  summary(_s: ReplaySummary): void {}
}

function jsonl(): { rep: JsonlReporter; text: () => string } {
  let out = '';
  const w = new Writer((s) => { out += s; });
  return { rep: new JsonlReporter(w), text: () => { w.flush(); return out; } };
}

const base: AllocEvent = {
  kind: 'alloc', seq: 7, time: '1000.000002', task: 'bash', pid: 16828, cpu: 1, order: 0, gfp: 'GFP_KERNEL', gfp_mask: 0xcc0,
  migratetype: 'Unmovable', path: 'fast', result: { ok: true, node: 0, zone: 'Normal', pfn: 0x12345 }, warned: false,
};

describe('jsonString', () => {
  it('when a string needs no escape then it is quoted as is, else as JSON.stringify escapes it', () => {
    for (const s of ['', 'bash', 'kworker/u8:2', 'Web Content', 'a"b', 'a\\b', 'tab\there', 'nl\n', '\u0001', 'é€', '\ud83d\ude00', '\ud800x', 'x\udfff']) {
      expect(jsonString(s)).toBe(JSON.stringify(s));
    }
  });
});

describe('JsonlReporter', () => {
  it('when an alloc event has every optional field then the line is JSON.stringify of the fresh object', () => {
    // key order of engine.ts allocEvent(): …, warned, name, steps, recorded, trace_gfp, predicted
    const e = {
      ...base, task: 'we"ird\\comm', result: { ok: false, node: null, zone: null, pfn: null }, warned: true,
      name: 'req "1"',
      steps: [{ kind: 'wmark', node: 0, zone: 'Normal', free: 10, mark: 20, reserve: 0, result: 0, alloc_flags: 0x41, aux: -1 }],
      recorded: { ok: false, pfn: null }, trace_gfp: 'GFP_KERNEL|__GFP_NOTRACK', predicted: { kswapd: true, direct_reclaim: false, compaction: true, fallback: false },
    } as AllocEvent;
    const { rep, text } = jsonl();
    rep.alloc(e);
    rep.alloc(base);
    expect(text()).toBe(`${JSON.stringify(e)}\n${JSON.stringify(base)}\n`);
  });

  it('when a free event has a name then it follows action, as in the fresh object', () => {
    const f: FreeEvent = { kind: 'free', seq: 3, time: '0.000001', task: 'true', pid: 5, order: 2, pfn: 4096, action: 'freed' };
    const g: FreeEvent = { ...f, name: 'free-a', action: 'noop' };
    const { rep, text } = jsonl();
    rep.free(f);
    rep.free(g);
    expect(text()).toBe(`${JSON.stringify(f)}\n${JSON.stringify(g)}\n`);
  });
});

describe('JsonlReporter caches', () => {
  it('when events share a pid slot, gfp mask or outcome but differ in one field then every line is still its own JSON.stringify', () => {
    // the (task, pid) cache is direct-mapped on pid & 255 (16828 and 16828 + 256 share a slot); the middle
    // segment cache keys on order, gfp, gfp_mask, migratetype, path, ok, node, zone: each variant changes one
    // each variant comes right after base, so it lands in base's slot whenever the slot hash leaves its field out
    const ok = base.result;
    const variants: AllocEvent[] = [
      { ...base, pid: 16828 + 256 },
      { ...base, task: 'other' },
      { ...base, task: 'tab\there' },
      { ...base, order: 1 },
      { ...base, order: 16 },
      { ...base, gfp: 'GFP_KERNEL|__GFP_ZERO' },
      { ...base, gfp_mask: 0xcc1 },
      { ...base, gfp_mask: 0x80000cc0 },
      { ...base, migratetype: 'Movable' },
      { ...base, path: 'fail' },
      { ...base, path: 'min_retry' },
      { ...base, result: { ...ok, node: 1 } },
      { ...base, result: { ...ok, zone: 'DMA32' } },
      { ...base, result: { ...ok, pfn: 7 } },
      { ...base, result: { ok: false, node: null, zone: null, pfn: null } },
      { ...base, result: { ...ok, ok: false } },
    ];
    const evs = variants.flatMap((v) => [base, v]);
    const { rep, text } = jsonl();
    for (const e of evs) rep.alloc(e);
    const f: FreeEvent = { kind: 'free', seq: 3, time: '0.000001', task: 'bash', pid: 16828 + 256, order: 2, pfn: 4096, action: 'freed' };
    rep.free(f);
    rep.free({ ...f, task: 'bash2' });
    expect(text()).toBe(`${[...evs, f, { ...f, task: 'bash2' }].map((e) => JSON.stringify(e)).join('\n')}\n`);
  });
});

describe('JsonlReporter caches, mixed', () => {
  it('when 3000 events mix every field from small sets (cache slots shared) then each line is its JSON.stringify', () => {
    const pick = <T,>(a: readonly T[], x: number): T => a[x % a.length]!;
    const gfps: [string, number][] = [['GFP_KERNEL', 0xcc0], ['GFP_KERNEX', 0xcc0], ['GFP_NOWAIT', 0x800], ['GFP_KERNEL', 0xcc1], ['GFP_HIGHUSER_MOVABLE', 0x100cca]];
    const results = [{ ok: true, node: 0, zone: 'Normal', pfn: 1 }, { ok: true, node: 1, zone: 'Normal', pfn: 2 }, { ok: true, node: 0, zone: 'DMA32', pfn: 3 }, { ok: false, node: null, zone: null, pfn: null }];
    let x = 11;
    const next = (): number => (x = (x * 1103515245 + 12345) & 0x7fffffff);
    const evs: AllocEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      const [gfp, gfp_mask] = pick(gfps, next());
      evs.push({
        ...base, seq: i, order: next() % 11, gfp, gfp_mask, migratetype: pick(['Unmovable', 'Movable', 'Reclaimable'], next()),
        path: pick(['fast', 'reclaim', 'compact', 'fail'], next()), result: { ...pick(results, next()) },
        task: pick(['bash', 'bask', 'sshd'], next()), pid: pick([1, 257, 513], next()),
      });
    }
    const { rep, text } = jsonl();
    for (const e of evs) rep.alloc(e);
    expect(text()).toBe(`${evs.map((e) => JSON.stringify(e)).join('\n')}\n`);
  });
});

/** One trace, two runs: the JSONL reporter (reused records, templates) and JSON.stringify of fresh objects. */
async function both(trace: string, machineSpec: string, mode: number, level: 'decisions' | 'steps'): Promise<[string, string]> {
  const outs: string[] = [];
  for (const which of ['jsonl', 'fresh']) {
    const machine = buildMachine(machineSpec, { policy: v6_18 });
    const j = jsonl();
    const fresh = new StringifyFresh();
    const engine = new ReplayEngine({
      machine, driver: new SlowPathDriver(machine), mode, logMask: logMask(level), reporter: which === 'jsonl' ? j.rep : fresh,
      checkEvery: 0, machineName: machineSpec, inputs: [trace],
    });
    await replayTraceFile(engine, trace, () => process.stdin, { strict: false });
    outs.push(which === 'jsonl' ? j.text() : fresh.out);
  }
  return [outs[0]!, outs[1]!];
}

describe('engine records reused for the JSONL reporter', () => {
  it('when the real fork-exec trace replays in simulate mode with decisions then both outputs are identical', async () => {
    const [a, b] = await both('traces/real/fork-exec/trace.txt.gz', 'x86_64-16G', MODE_SIMULATE, 'decisions');
    expect(a.split('\n').length).toBeGreaterThan(1000);
    expect(a).toBe(b);
  });

  it('when the real quiet trace replays in mirror mode with steps then both outputs are identical', async () => {
    const [a, b] = await both('traces/real/quiet/trace.txt.gz', 'traces/real/quiet/before', MODE_MIRROR, 'steps');
    expect(a).toContain('"predicted":{');
    expect(a).toBe(b);
  });
});
