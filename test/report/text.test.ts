import { Chalk } from 'chalk';
import type { ChalkInstance } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { AllocEvent, FreeEvent } from '../../src/replay/decision.js';
import { TextReporter } from '../../src/report/text.js';
import { Writer } from '../../src/report/writer.js';

/** the line formats written out plainly (padEnd/padStart, chalk on every call): the reporter's caches must not show */
function refAlloc(e: AllocEvent, c: ChalkInstance): string {
  const who = `${e.task}-${e.pid}`;
  const res = e.result.ok ? `${e.result.zone}${e.result.pfn !== null ? ` pfn 0x${e.result.pfn.toString(16)}` : ''}` : c.red('failed');
  const rec = e.recorded ? `  (recorded ${e.recorded.ok ? `0x${(e.recorded.pfn ?? 0).toString(16)}` : 'failure'})` : '';
  const name = e.name ? ` ${e.name}` : '';
  const tg = e.trace_gfp !== undefined ? ` (trace: ${e.trace_gfp})` : '';
  const p = e.path;
  const path = p === 'fast' ? c.green(p) : p === 'fail' || p === 'reject' || p === 'oom' ? c.red(p) : c.yellow(p);
  return `#${String(e.seq).padEnd(7)} ${e.time.padStart(14)}  ${who.padEnd(24)} alloc order=${String(e.order).padEnd(2)} ${e.gfp}${tg} ${e.migratetype}${name}  ${path} → ${res}${rec}\n`;
}
function refFree(e: FreeEvent, c: ChalkInstance): string {
  const name = e.name ? ` ${e.name}` : '';
  return `#${String(e.seq).padEnd(7)} ${e.time.padStart(14)}  ${`${e.task}-${e.pid}`.padEnd(24)} free  order=${String(e.order).padEnd(2)} pfn 0x${e.pfn.toString(16)}${name}  ${c.dim(e.action)}\n`;
}

const base: AllocEvent = {
  kind: 'alloc', seq: 7, time: '1000.000002', task: 'bash', pid: 16828, cpu: 1, order: 0, gfp: 'GFP_KERNEL', gfp_mask: 0xcc0,
  migratetype: 'Unmovable', path: 'fast', result: { ok: true, node: 0, zone: 'Normal', pfn: 0x12345 }, warned: false,
};

describe('TextReporter lines', () => {
  for (const level of [0, 1] as const) {
    it(`when events share a pid slot or an (order, gfp, path) and differ in one field then each line is the plain format (colour level ${level})`, () => {
      const c = new Chalk({ level });
      // each variant comes right after base, so it lands in base's slot whenever the slot hash leaves its field out
      const variants: AllocEvent[] = [
        { ...base, pid: 16828 + 256 },
        { ...base, task: 'kworker/u8:2-with-a-long-name' },
        { ...base, task: 'é€' },
        { ...base, seq: 12345678, time: '123456789.000001' },
        { ...base, order: 10 },
        { ...base, gfp: 'GFP_KERNEL|__GFP_ZERO' },
        { ...base, gfp: 'GFP_KERNEX' },
        { ...base, trace_gfp: 'GFP_KERNEL|__GFP_NOTRACK' },
        { ...base, migratetype: 'Movable' },
        { ...base, path: 'reclaim' },
        { ...base, path: 'oom', result: { ok: false, node: null, zone: null, pfn: null } },
        { ...base, name: 'first' },
        { ...base, name: 'second' },
        { ...base, result: { ok: true, node: 0, zone: 'DMA32', pfn: null } },
        { ...base, recorded: { ok: true, pfn: 0x100000 } },
        { ...base, recorded: { ok: false, pfn: null } },
        { ...base, order: 2, gfp: 'GFP_KERNEL|__GFP_Z' },
        { ...base, migratetype: 'Unmovabl2' },
        { ...base, path: 'fail' },
      ];
      const allocs = variants.flatMap((v) => [base, v]);
      const frees: FreeEvent[] = [
        { kind: 'free', seq: 3, time: '0.000001', task: 'true', pid: 5, order: 2, pfn: 4096, action: 'freed' },
        { kind: 'free', seq: 4, time: '0.000001', task: 'true2', pid: 5, order: 0, pfn: 4097, action: 'dropped', name: 'free-a' },
      ];
      let out = '';
      const w = new Writer((s) => { out += s; });
      const rep = new TextReporter(w, c);
      for (const e of allocs) rep.alloc(e);
      for (const e of frees) rep.free(e);
      w.flush();
      expect(out).toBe([...allocs.map((e) => refAlloc(e, c)), ...frees.map((e) => refFree(e, c))].join(''));
    });
  }

  it('when 3000 events mix every field from small sets (cache slots shared) then each line is the plain format', () => {
    const c = new Chalk({ level: 0 });
    const pick = <T,>(a: readonly T[], x: number): T => a[x % a.length]!;
    const gfps = ['GFP_KERNEL', 'GFP_KERNEX', 'GFP_NOWAIT', 'GFP_HIGHUSER_MOVABLE', 'GFP_KERNEL|__GFP_ZERO'];
    const mts = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic'];
    const paths = ['fast', 'reclaim', 'compact', 'min_retry', 'fail'];
    const tasks = ['bash', 'bask', 'sshd', 'kworker/0:1'];
    let x = 7;
    const next = (): number => (x = (x * 1103515245 + 12345) & 0x7fffffff);
    const evs: AllocEvent[] = [];
    for (let i = 0; i < 3000; i++) {
      evs.push({
        ...base, seq: i, order: next() % 11, gfp: pick(gfps, next()), migratetype: pick(mts, next()), path: pick(paths, next()),
        task: pick(tasks, next()), pid: pick([1, 257, 513, 2], next()), ...(next() % 3 === 0 ? { trace_gfp: pick(gfps, next()) } : {}),
      });
    }
    let out = '';
    const w = new Writer((s) => { out += s; });
    const rep = new TextReporter(w, c);
    for (const e of evs) rep.alloc(e);
    w.flush();
    expect(out).toBe(evs.map((e) => refAlloc(e, c)).join(''));
  });

  it('when colour is off then a line has no escape sequences (inline)', () => {
    let out = '';
    const w = new Writer((s) => { out += s; });
    new TextReporter(w, new Chalk({ level: 0 })).alloc({ ...base, recorded: { ok: true, pfn: 0x100000 } });
    w.flush();
    expect(out).toMatchInlineSnapshot(`
      "#7          1000.000002  bash-16828               alloc order=0  GFP_KERNEL Unmovable  fast → Normal pfn 0x12345  (recorded 0x100000)
      "
    `);
  });
});
