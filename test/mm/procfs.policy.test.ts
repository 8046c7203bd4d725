/**
 * /proc/zoneinfo and /proc/pagetypeinfo per kernel version (issue 5), for one hand-built pair of zones.
 * Goldens: test/golden/show_mem/zoneinfo.<version>.txt and pagetypeinfo.<version>.txt.
 */
import { describe, expect, it } from 'vitest';
import { NR_PAGE_ORDERS } from '../../src/mm/mmzone.js';
import { printBuddyinfo, printPagetypeinfo, printZoneinfo, printedMigratetypes, type ZoneView } from '../../src/mm/procfs.js';
import { policies } from '../../src/policy/index.js';

const VERSIONS = ['v4.0', 'v4.12', 'v5.0', 'v6.1', 'v6.18'] as const;

/** free blocks [order][slot]: slot 1 (Movable) 3 blocks at order 10, slot 2 (Reclaimable) 1 at order 0, slot 3 2 at order 1 */
function byMt(): number[][] {
  const t: number[][] = [];
  for (let o = 0; o < NR_PAGE_ORDERS; o++) t.push([0, 0, 0, 0, 0, 0]);
  t[10]![1] = 3;
  t[0]![2] = 1;
  t[1]![3] = 2;
  return t;
}

/**
 * DMA32 populated (free 3077 = 3·1024 + 1 + 2·2, boost 12 so min/low/high printed already include it; 2 CPUs),
 * Movable empty. managed 772915 pages = 2 GiB and a bit: v4.0 inactive_ratio = int_sqrt(10 × 2) = 4.
 */
const views: ZoneView[] = [
  {
    nodeId: 0, name: 'DMA32', populated: true, free: 3077, boost: 12, min: 2128, low: 2900, high: 3672, promo: 4444,
    spanned: 1044480, present: 782336, managed: 772915, cma: 0, protection: [0, 0, 21071, 21071, 21071], startPfn: 4096,
    pagesets: [
      { cpu: 0, count: 31, high: 186, batch: 31, highMin: 1444, highMax: 48307, statThreshold: 40 },
      { cpu: 1, count: 7, high: 186, batch: 31, highMin: 1444, highMax: 48307, statThreshold: 40 },
    ],
    nodeUnreclaimable: 0, freeByOrder: [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 3], freeByOrderByMt: byMt(), blocksByMt: [10, 1500, 3, 1, 0, 0],
  },
  {
    nodeId: 0, name: 'Movable', populated: false, free: 0, boost: 0, min: 32, low: 32, high: 32, promo: 32, spanned: 0, present: 0,
    managed: 0, cma: 0, protection: [0, 0, 0, 0, 0], startPfn: 0, pagesets: [], nodeUnreclaimable: 0,
    freeByOrder: new Array<number>(NR_PAGE_ORDERS).fill(0), freeByOrderByMt: [], blocksByMt: [0, 0, 0, 0, 0, 0],
  },
];

describe('zoneinfo_show_print per version (golden)', () => {
  for (const v of VERSIONS) {
    it(`when the policy is ${v} then /proc/zoneinfo has that kernel's lines`, async () => {
      await expect(printZoneinfo(views, policies[v]!)).toMatchFileSnapshot(`../golden/show_mem/zoneinfo.${v}.txt`);
    });
  }
});

describe('zoneinfo_show_print lines', () => {
  const lines = (v: string): string[] => printZoneinfo(views, policies[v]!).split('\n');
  it('when v4.0 then unpopulated zones are skipped, scanned follows high and the tail has inactive_ratio', () => {
    const l = lines('v4.0');
    expect(l.filter((x) => x.startsWith('Node'))).toEqual(['Node 0, zone    DMA32']);
    expect(l.slice(1, 6)).toEqual(['  pages free     3077', '        min      2128', '        low      2900', '        high     3672', '        scanned  0']);
    expect(l.slice(-4)).toEqual(['  all_unreclaimable: 0', '  start_pfn:         4096', '  inactive_ratio:    4', '']);
  });
  it('when v4.12 or v5.0 then every zone is listed, with no boost, cma or promo line', () => {
    for (const v of ['v4.12', 'v5.0']) {
      const l = lines(v);
      expect(l.filter((x) => x.startsWith('Node'))).toEqual(['Node 0, zone    DMA32', 'Node 0, zone  Movable']);
      expect(l.some((x) => /^ +(boost|cma|promo) /.test(x))).toBe(false);
      expect(l).toContain('              high:  186');
      expect(l).toContain('  node_unreclaimable:  0');
    }
  });
  it('when v6.1 then boost and cma are printed but not promo; v6.18 adds promo and high_min/high_max', () => {
    const l61 = lines('v6.1');
    expect(l61.slice(1, 3)).toEqual(['  pages free     3077', '        boost    12']);
    expect(l61).toContain('        cma      0');
    expect(l61.some((x) => x.includes('promo'))).toBe(false);
    const l618 = lines('v6.18');
    expect(l618).toContain('        promo    4444');
    expect(l618).toContain('              high_max: 48307');
    expect(l618).toContain('              high:     186');
  });
});

describe('pagetypeinfo_show per version', () => {
  it('when v4.0 then the types are Unmovable Reclaimable Movable Reserve Isolate, in its enum order', () => {
    const p = policies['v4.0']!;
    expect(printedMigratetypes(false, p).map((s) => p.migratetypeNames[s])).toEqual(['Unmovable', 'Reclaimable', 'Movable', 'Reserve', 'Isolate']);
    const text = printPagetypeinfo(views, { cma: false, policy: p });
    expect(text).toContain('Node    0, zone    DMA32, type      Reserve      0      2 ');
    expect(text).toContain('Number of blocks type     Unmovable  Reclaimable      Movable      Reserve      Isolate \n');
    expect(text).toContain('Node 0, zone    DMA32           10            3         1500            1            0 \n');
    expect(text).not.toContain('HighAtomic');
  });
  it('when v4.12 then HighAtomic replaces Reserve and Movable comes before Reclaimable', () => {
    const text = printPagetypeinfo(views, { cma: false, policy: policies['v4.12']! });
    expect(text).toContain('Number of blocks type     Unmovable      Movable  Reclaimable   HighAtomic      Isolate \n');
  });
  for (const v of ['v4.0', 'v6.18'] as const) {
    it(`when ${v} then the whole file matches its golden`, async () => {
      await expect(printPagetypeinfo(views, { cma: false, policy: policies[v]! })).toMatchFileSnapshot(`../golden/show_mem/pagetypeinfo.${v}.txt`);
    });
  }
  it('when any version then buddyinfo is the same frag_show_print() line', () => {
    expect(printBuddyinfo(views)).toBe('Node 0, zone    DMA32      1      2      0      0      0      0      0      0      0      0      3 \n');
  });
});
