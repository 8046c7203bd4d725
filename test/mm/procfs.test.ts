import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError } from '../../src/errors.js';
import {
  parseBuddyinfo,
  parsePagetypeinfo,
  parseSysfsChoice,
  parseVmSysctls,
  parseVmstat,
  parseZoneinfo,
  printBuddyinfo,
  printPagetypeinfo,
  printZoneinfo,
} from '../../src/mm/procfs.js';
import type { ZoneView } from '../../src/mm/procfs.js';

const before = resolve(import.meta.dirname, '../../traces/real/quiet/before');
const read = (f: string): string => readFileSync(resolve(before, f), 'utf8');

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

/** a view with zero free lists; fields as a test needs them */
function view(over: Partial<ZoneView>): ZoneView {
  return {
    nodeId: 0, name: 'Normal', populated: true, free: 0, boost: 0, min: 0, low: 0, high: 0, promo: 0, spanned: 0, present: 0,
    managed: 0, cma: 0, protection: [0, 0, 0, 0], startPfn: 0, pagesets: [], nodeUnreclaimable: 0,
    freeByOrder: new Array<number>(11).fill(0), freeByOrderByMt: Array.from({ length: 11 }, () => new Array<number>(6).fill(0)),
    blocksByMt: new Array<number>(6).fill(0), ...over,
  };
}

describe('parseZoneinfo', () => {
  it('when the real 6.18 zoneinfo is parsed then every zone, watermark, protection and pageset is read', () => {
    const zones = parseZoneinfo(read('zoneinfo'), 'zoneinfo');
    expect(zones.map((z) => z.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable', 'Device']);
    const dma32 = zones[1]!;
    expect(dma32).toMatchObject({ node: 0, line: 99, boost: 0, min: 2116, low: 2888, high: 3660, promo: 4432, spanned: 1044480, present: 782336, managed: 772915, cma: 0, startPfn: 4096 });
    expect(dma32.protection).toEqual([0, 0, 21071, 21071, 21071]);
    expect(dma32.pagesets.map((p) => p.cpu)).toEqual([0, 1]);
    expect(dma32.pagesets[0]).toMatchObject({ high: 1444, batch: 63, highMin: 1444, highMax: 48307, statThreshold: 24 });
    expect(dma32.stats.nr_free_pages).toBe(dma32.free);
    // per-node stats (printed under the first zone) are not zone counters
    expect(zones[0]!.stats.nr_inactive_anon).toBeUndefined();
    expect(zones[3]!.startPfn).toBeUndefined();
  });

  it('when a zone lacks a watermark line then the error points at the zone header', () => {
    const text = 'Node 0, zone      DMA\n  pages free     3840\n        min      10\n        low      13\n';
    const e = thrown(() => parseZoneinfo(text, 'zi'));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe("zi:1: zone DMA of node 0 has no 'high' line");
  });

  it('when the text does not start with a zone header then the line is located', () => {
    expect(thrown(() => parseZoneinfo('hello\n', 'zi')).message).toBe("zi:1: expected 'Node N, zone NAME', found: hello");
  });
});

describe('buddyinfo and pagetypeinfo', () => {
  it('when the real buddyinfo is parsed and printed again then the text is identical', () => {
    const rows = parseBuddyinfo(read('buddyinfo'), 'buddyinfo');
    expect(rows[2]).toEqual({ node: 0, zone: 'Normal', counts: [1828, 2923, 1870, 1663, 1096, 801, 591, 408, 304, 223, 4740] });
    const views = rows.map((r) => view({ name: r.zone, freeByOrder: r.counts }));
    expect(printBuddyinfo(views)).toBe(read('buddyinfo'));
  });

  it('when a pagetypeinfo cell overflowed then the count is 100000 and flagged', () => {
    const text = 'Page block order: 9\nPages per block:  512\n\nFree pages count per migrate type at order       0      1 \n' +
      'Node    0, zone   Normal, type      Movable >100000      2 \n';
    const pt = parsePagetypeinfo(text, 'pt');
    expect(pt.free[0]).toMatchObject({ zone: 'Normal', type: 'Movable', counts: [100000, 2], overflow: [true, false] });
  });

  it('when the real pagetypeinfo is parsed and printed again then the text is identical', () => {
    const pt = parsePagetypeinfo(read('pagetypeinfo'), 'pagetypeinfo');
    const mtOf: Record<string, number> = { Unmovable: 0, Movable: 1, Reclaimable: 2, HighAtomic: 3, CMA: 4, Isolate: 5 };
    const views = pt.blocks.map((b) => {
      const v = view({ name: b.zone });
      const byOrder = Array.from({ length: 11 }, () => new Array<number>(6).fill(0));
      for (const r of pt.free.filter((f) => f.zone === b.zone)) r.counts.forEach((n, o) => { byOrder[o]![mtOf[r.type]!] = n; });
      return { ...v, freeByOrderByMt: byOrder, blocksByMt: Object.entries(b.counts).reduce((a, [t, n]) => { a[mtOf[t]!] = n; return a; }, new Array<number>(6).fill(0)) };
    });
    expect(printPagetypeinfo(views, { cma: false })).toBe(read('pagetypeinfo'));
  });
});

describe('printZoneinfo', () => {
  it('when a zone is unpopulated then it stops after protection, as zoneinfo_show_print does', () => {
    expect(printZoneinfo([view({ name: 'Movable', populated: false, min: 32, low: 32, high: 32, promo: 32, protection: [0, 0, 0, 0, 0] })])).toBe(
      'Node 0, zone  Movable\n  pages free     0\n        boost    0\n        min      32\n        low      32\n        high     32\n' +
      '        promo    32\n        spanned  0\n        present  0\n        managed  0\n        cma      0\n        protection: (0, 0, 0, 0, 0)\n',
    );
  });

  it('when a zone is populated then pagesets, node_unreclaimable and start_pfn follow', () => {
    const text = printZoneinfo([view({ name: 'DMA', free: 3840, spanned: 4095, present: 3998, managed: 3840, startPfn: 1,
      pagesets: [{ cpu: 0, count: 0, high: 0, batch: 1, highMin: 6, highMax: 240, statThreshold: 4 }] })]);
    expect(text.split('\n').slice(11)).toEqual([
      '        protection: (0, 0, 0, 0)',
      '  pagesets',
      '    cpu: 0',
      '              count:    0',
      '              high:     0',
      '              batch:    1',
      '              high_min: 6',
      '              high_max: 240',
      '  vm stats threshold: 4',
      '  node_unreclaimable:  0',
      '  start_pfn:           1',
      '',
    ]);
  });
});

describe('small files', () => {
  it('when vmstat, vm_sysctls and a sysfs selector are parsed then values come out typed or raw', () => {
    expect(parseVmstat('nr_free_pages 5981133\npgfault 12\n', 'vmstat')).toEqual({ nr_free_pages: 5981133, pgfault: 12 });
    expect(parseVmSysctls(read('vm_sysctls'), 'vm_sysctls').lowmem_reserve_ratio).toBe('256 256 32 0 0');
    expect(parseSysfsChoice('always [madvise] never')).toBe('madvise');
    expect(thrown(() => parseVmstat('nr_free_pages\n', 'vmstat')).message).toBe("vmstat:1: expected 'name value', found: nr_free_pages");
  });
});
