import { describe, expect, it } from 'vitest';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../../src/errors.js';
import {
  buildMachine,
  machineToJson,
  machineZoneViews,
  parseSysctlAssignments,
  presetNames,
  presetSpec,
} from '../../src/mm/machine.js';
import type { Machine } from '../../src/mm/machine.js';
import { WMARK_HIGH, WMARK_LOW, WMARK_MIN, WMARK_PROMO, ZONE_DMA, ZONE_DMA32, ZONE_NORMAL } from '../../src/mm/mmzone.js';
import type { Zone } from '../../src/mm/mmzone.js';
import { v6_18 } from '../../src/policy/v6.18.js';

const fixtures = resolve(import.meta.dirname, '../fixtures/machine');
const real = resolve(import.meta.dirname, '../../traces/real');
const opts = { policy: v6_18, baseDir: fixtures };
const marks = (z: Zone): number[] => [z.watermark[WMARK_MIN]!, z.watermark[WMARK_LOW]!, z.watermark[WMARK_HIGH]!, z.watermark[WMARK_PROMO]!];
const geometry = (z: Zone): number[] => [z.zoneStartPfn, z.spannedPages, z.presentPages, z.managedPages];
const zl = (zones: readonly Zone[]): string[] => zones.map((z) => `${z.nodeId}/${z.name}`);

function thrown(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('did not throw');
}

describe('presets', () => {
  it('when listed then the four x86-64 presets are there', () => {
    expect(presetNames).toEqual(['x86_64-1G', 'x86_64-4G', 'x86_64-16G', 'numa2-64G']);
  });

  it('when x86_64-16G boots then its zones are the real DMA/DMA32 shape and THP raises min_free_kbytes to 67584', () => {
    const m = buildMachine('x86_64-16G', { policy: v6_18 });
    const [dma, dma32, normal, movable] = m.nodes[0]!.zones;
    expect(geometry(dma!)).toEqual([1, 4095, 3998, 3840]);
    expect(geometry(dma32!)).toEqual([4096, 1044480, 782336, 772915]);
    // Normal: 16 GiB − 3 GiB = 3407872 pages; managed = 3407872 − ceil(4194206/64 = 65534.5) − 2048 = 3340289
    expect(geometry(normal!)).toEqual([1048576, 3407872, 3407872, 3340289]);
    expect(movable!.spannedPages).toBe(0);
    expect(m.sysctl.min_free_kbytes).toBe(67584);
    // pages_min 16896 over lowmem 4117044: DMA 15.76 → 15, delta max(3, 3) = 3; DMA32 3171.98 → 3171, delta
    // max(792, 772) = 792; Normal 13708.2 → 13708, delta max(3427, 3340) = 3427
    expect(m.nodes[0]!.zones.slice(0, 3).map(marks)).toEqual([[15, 18, 21, 24], [3171, 3963, 4755, 5547], [13708, 17135, 20562, 23989]]);
    // DMA→Normal = (772915 + 3340289)/256 = 16067; DMA32→Normal = 3340289/256 = 13048
    expect(dma!.lowmemReserve).toEqual([0, 3019, 16067, 16067]);
    expect(dma32!.lowmemReserve).toEqual([0, 0, 13048, 13048]);
    expect(m.nrCpus).toBe(8);
    expect(m.thp).toBe('madvise');
  });

  it('when THP is never then the default is int_sqrt(lowmem_kbytes · 16)', () => {
    // lowmem 4117044 pages = 16468176 KiB; int_sqrt(263490816) = 16232 (16232² = 263477824, 16233² = 263510289)
    const m = buildMachine({ nodes: presetSpec('x86_64-16G')!.nodes, thp: 'never' }, { policy: v6_18 });
    expect(m.sysctl.min_free_kbytes).toBe(16232);
  });

  it('when x86_64-1G boots then the THP raise is capped at 5 % of lowmem (2 zones: 45056 KiB)', () => {
    // worked in watermark.test.ts: recommended 11264 pages ≤ 244807/20 = 12240 → 45056 KiB
    const m = buildMachine('x86_64-1G', { policy: v6_18 });
    expect(geometry(m.nodes[0]!.zones[ZONE_DMA32]!)).toEqual([4096, 258015, 258015, 242452]);
    expect(m.sysctl.min_free_kbytes).toBe(45056);
    // DMA32: 11264 · 242452 / 246292 = 11088.5 → 11088; delta 2772 → 13860, 16632
    expect(marks(m.nodes[0]!.zones[ZONE_DMA32]!)).toEqual([11088, 13860, 16632, 19404]);
  });

  it('when min_free_kbytes is given then it is used as given, even with THP', () => {
    const m = buildMachine('x86_64-16G', { policy: v6_18, sysctl: { min_free_kbytes: 10000 } });
    expect(m.sysctl.min_free_kbytes).toBe(10000);
    // pages_min 2500: Normal 2500 · 3340289 / 4117044 = 2028.3 → 2028, delta max(507, 3340) = 3340
    expect(marks(m.nodes[0]!.zones[ZONE_NORMAL]!)).toEqual([2028, 5368, 8708, 12048]);
  });

  it('when numa2-64G boots then node 1 holds only Normal and the zonelists go local node first', () => {
    const m = buildMachine('numa2-64G', { policy: v6_18 });
    expect(m.nodes.map((n) => n.zones.map((z) => z.spannedPages > 0 ? z.name : '-'))).toEqual([
      ['DMA', 'DMA32', 'Normal', '-'],
      ['-', '-', 'Normal', '-'],
    ]);
    expect(geometry(m.nodes[1]!.zones[ZONE_NORMAL]!)).toEqual([8650752, 8388608, 8388608, 8255488]);
    expect(zl(m.nodes[0]!.zonelistFallback)).toEqual(['0/Normal', '0/DMA32', '0/DMA', '1/Normal']);
    expect(zl(m.nodes[1]!.zonelistFallback)).toEqual(['1/Normal', '0/Normal', '0/DMA32', '0/DMA']);
    expect(zl(m.nodes[1]!.zonelistNofallback)).toEqual(['1/Normal']);
    // 4 populated zones ≤ Normal: 512 · 4 · 11 = 22528 pages = 90112 KiB
    expect(m.sysctl.min_free_kbytes).toBe(90112);
  });

  it('when a preset boots then every managed page is free in max-order blocks (DMA: 256 + 512 + 3·1024)', () => {
    const m = buildMachine('x86_64-4G', { policy: v6_18 });
    const views = machineZoneViews(m);
    expect(views.filter((v) => v.populated).map((v) => v.free)).toEqual([3840, 772915, 243713]);
    expect(views[0]!.freeByOrder).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 3]);
  });
});

describe('machine JSON', () => {
  it('when a small machine file is read then missing sysctls take the kernel defaults', () => {
    const m = buildMachine('small.json', opts);
    expect(m.source).toEqual({ kind: 'json', name: 'small.json' });
    // lowmem 63840 pages = 255360 KiB; int_sqrt(4085760) = 2021; thp never → kept
    expect(m.sysctl).toMatchObject({ min_free_kbytes: 2021, watermark_scale_factor: 10, watermark_boost_factor: 15000, lowmem_reserve_ratio: [256, 256, 32, 0], extfrag_threshold: 500, compaction_proactiveness: 20 });
    // pages_min 505: DMA 505·3840/63840 = 30.4 → 30, delta max(7, 3) = 7; DMA32 474.6 → 474, delta max(118, 60) = 118
    expect(m.nodes[0]!.zones.slice(0, 2).map(marks)).toEqual([[30, 37, 44, 51], [474, 592, 710, 828]]);
    expect(m.nodes[0]!.zones[ZONE_DMA]!.lowmemReserve).toEqual([0, 234, 234, 234]);
    expect(m.nrCpus).toBe(1);
  });

  it('when managed exceeds present then the error names the JSON path', () => {
    const e = thrown(() => buildMachine('bad-managed.json', opts));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toBe('bad-managed.json: nodes[0].zones[1].managed: managed (70000) exceeds present (61440)');
  });

  it('when keys, names and values are wrong then every problem gets its own located line', () => {
    const e = thrown(() => buildMachine('bad-keys.json', opts));
    expect(e.message.split('\n')).toEqual([
      'bad-keys.json: nodes[0].zones[0].name: expected a zone name (DMA, DMA32, Normal, Movable, Device)',
      'bad-keys.json: nodes[0].zones[0].holes: unknown key',
      'bad-keys.json: sysctl.min_free_kbytes: min_free_kbytes must be between 0 and 2147483647',
      'bad-keys.json: sysctl.swappiness: unknown key',
      'bad-keys.json: thp: expected thp to be always, madvise or never',
    ]);
  });

  it('when two nodes overlap then the later zone is reported', () => {
    expect(thrown(() => buildMachine('overlap.json', opts)).message).toBe(
      'overlap.json: nodes[1].zones[0].start_pfn: node 1 zone Normal overlaps node 0 zone DMA32 (pfns 4096..65535)',
    );
  });

  it('when the file is not JSON then the error says so and names the file', () => {
    const e = thrown(() => buildMachine('not-json.json', opts));
    expect(e).toBeInstanceOf(InputError);
    expect(e.message).toMatch(/^not-json\.json: not valid JSON: /);
  });

  it('when an object is given then it is validated under its label', () => {
    const e = thrown(() => buildMachine({ nodes: [] }, { policy: v6_18, label: 'scen.json: machine' }));
    expect(e.message).toBe('scen.json: machine: nodes: a machine needs at least one node');
  });

  it('when the ratio has 5 entries then the machine has a Device zone type and 5-entry protection', () => {
    const m = buildMachine({ nodes: presetSpec('x86_64-16G')!.nodes, sysctl: { lowmem_reserve_ratio: [256, 256, 32, 0, 0] } }, { policy: v6_18 });
    expect(m.nodes[0]!.zones.map((z) => z.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable', 'Device']);
    expect(m.nodes[0]!.zones[ZONE_DMA]!.lowmemReserve).toEqual([0, 3019, 16067, 16067, 16067]);
  });
});

describe('source resolution', () => {
  it('when the name is unknown then a UsageError (exit 2) lists the presets', () => {
    const e = thrown(() => buildMachine('x86_64-2G', opts));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as UsageError).exitCode).toBe(2);
    expect(e.message).toContain('presets: x86_64-1G, x86_64-4G, x86_64-16G, numa2-64G');
  });

  it('when a folder has no zoneinfo then it is not a snapshot', () => {
    expect(thrown(() => buildMachine('.', opts)).message).toBe('.: not a snapshot folder: it has no zoneinfo (a /proc/zoneinfo copy is required)');
  });
});

describe('snapshots', () => {
  const quiet = (): Machine => buildMachine(resolve(real, 'quiet/before'), { policy: v6_18 });

  it('when the real capture is read then zones, watermarks and protection are exactly as captured', () => {
    const m = quiet();
    expect(m.source.kind).toBe('snapshot');
    expect(m.config).toEqual({ nrZoneTypes: 5, cma: false });
    expect(m.nodes[0]!.zones.map((z) => z.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable', 'Device']);
    expect(m.nodes[0]!.zones.map(marks)).toEqual([[10, 13, 16, 19], [2116, 2888, 3660, 4432], [14769, 20163, 25557, 30951], [32, 32, 32, 32], [0, 0, 0, 0]]);
    expect(m.nodes[0]!.zones[ZONE_DMA]!.lowmemReserve).toEqual([0, 3019, 24090, 24090, 24090]);
    expect(m.nrCpus).toBe(2);
    expect(m.thp).toBe('madvise');
    expect(m.sysctl.min_free_kbytes).toBe(67584);
    expect(m.sysctl.lowmem_reserve_ratio).toEqual([256, 256, 32, 0, 0]);
    expect(m.snapshot!.files).toContain('pagetypeinfo');
  });

  it('when a zone was boosted then _watermark is the captured value less the boost, and the boost is kept', () => {
    const m = buildMachine('snap-boost', opts);
    const dma32 = m.nodes[0]!.zones[ZONE_DMA32]!;
    expect(dma32.watermarkBoost).toBe(512);
    expect(marks(dma32)).toEqual([474, 592, 710, 828]);
    const v = machineZoneViews(m)[ZONE_DMA32]!;
    expect([v.min, v.low, v.high, v.promo]).toEqual([986, 1104, 1222, 1340]);
    expect(m.thp).toBe('never');
    expect(m.nrCpus).toBe(2);
    expect(m.nodes[0]!.zones.length).toBe(4);
  });

  it('when the snapshot has only zoneinfo then pages free become max-order blocks on the Movable lists', () => {
    // 50000 = 48·1024 + 512 + 256 + 64 + 16
    const v = machineZoneViews(buildMachine('snap-boost', opts))[ZONE_DMA32]!;
    expect(v.freeByOrder).toEqual([0, 0, 0, 0, 1, 0, 1, 0, 1, 1, 48]);
    expect(v.free).toBe(50000);
  });

  it('when a watermark sysctl is overridden then the watermarks are recomputed and the boost reset, as writing it would', () => {
    const m = buildMachine('snap-boost', { ...opts, sysctl: { watermark_scale_factor: 100 } });
    const dma32 = m.nodes[0]!.zones[ZONE_DMA32]!;
    // min_free_kbytes 2021 (captured file): DMA32 min 474, delta max(118, 60000·100/10000 = 600) = 600
    expect(dma32.watermarkBoost).toBe(0);
    expect(marks(dma32)).toEqual([474, 1074, 1674, 2274]);
  });

  it('when the captured files disagree then buddyinfo wins and a note says what changed', () => {
    const m = buildMachine(resolve(real, 'fragment-compact/before'), { policy: v6_18 });
    expect(m.snapshot!.notes).toEqual(['node 0 Normal order 1: pagetypeinfo and buddyinfo differ; Reclaimable -5 blocks to match buddyinfo']);
    expect(machineZoneViews(m)[ZONE_NORMAL]!.freeByOrder).toEqual([836889, 495, 301, 132, 95, 52, 39, 40, 43, 0, 0]);
  });
});

describe('parseSysctlAssignments', () => {
  it('when values are valid then they are typed, lowmem_reserve_ratio as a list', () => {
    expect(parseSysctlAssignments(['min_free_kbytes=1024', 'lowmem_reserve_ratio=256 256 32 0'])).toEqual({ min_free_kbytes: 1024, lowmem_reserve_ratio: [256, 256, 32, 0] });
  });
  it('when a name is unknown or a value out of range then it is a usage error naming the assignment', () => {
    expect(thrown(() => parseSysctlAssignments(['swapiness=60'])).message).toMatch(/^--sysctl swapiness=60: unknown sysctl 'swapiness'/);
    expect(thrown(() => parseSysctlAssignments(['watermark_scale_factor=5000'])).message).toBe('--sysctl watermark_scale_factor=5000: watermark_scale_factor must be between 1 and 3000');
    expect(thrown(() => parseSysctlAssignments(['min_free_kbytes'])).message).toMatch(/expected NAME=VALUE/);
  });
});

describe('machineToJson', () => {
  it('when a machine is printed as JSON then the zones carry zoneinfo’s boosted watermarks and the free lists', () => {
    const j = machineToJson(buildMachine('snap-boost', opts)) as { schema: number; nodes: { id: number; zones: Record<string, unknown>[] }[] };
    expect(Object.keys(j)).toEqual(['schema', 'source', 'policy', 'cpus', 'thp', 'swap', 'sysctl', 'nodes']);
    const z = j.nodes[0]!.zones[1]!;
    expect(Object.keys(z)).toEqual(['name', 'start_pfn', 'spanned', 'present', 'managed', 'min', 'low', 'high', 'promo', 'boost', 'protection', 'free', 'freeByOrder', 'freeByOrderByMigratetype']);
    expect([z.min, z.low, z.high, z.boost]).toEqual([986, 1104, 1222, 512]);
    expect(Object.keys(z.freeByOrderByMigratetype as object)).toEqual(['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'Isolate']);
    expect(j.nodes[0]!.zones.map((x) => x.name)).toEqual(['DMA', 'DMA32', 'Normal', 'Movable']);
  });
});
