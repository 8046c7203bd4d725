import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayScenario, stepsOf } from '../scenarios/replay.js';

import { tempDir } from '../helpers/tmp.js';

/** traces/scenarios/direct-reclaim.json with its 8192-page page-cache fill given another migratetype or kind */
function variant(fill: Record<string, unknown>, sysctl?: Record<string, unknown>): string {
  const s = JSON.parse(readFileSync('traces/scenarios/direct-reclaim.json', 'utf8')) as { setup: { fill: Record<string, unknown> }[]; sysctl?: Record<string, unknown>; expect?: unknown };
  s.setup[1]!.fill = { ...s.setup[1]!.fill, ...fill };
  if (sysctl) s.sysctl = sysctl;
  delete s.expect;
  const dir = tempDir('mmreplay-expand-');
  const file = join(dir, 'variant.json');
  writeFileSync(file, JSON.stringify({ ...s, $schema: undefined }));
  return file;
}

describe('expandScenario fill', () => {
  it('when a Movable fill names kind kernel then its pages are not reclaimable and the request cannot reclaim them', async () => {
    // direct-reclaim.json reclaims 58 of the 8192 file pages; the same 8192 pages as unreclaimable kernel memory
    // leave nothing to reclaim: no pgsteal at all, and the request does not take the reclaim path
    const r = await replayScenario(variant({ kind: 'kernel' }));
    expect(r.code).toBe(0);
    expect(r.counter('pgsteal_direct')).toBe(0);
    expect(r.counter('pgsteal_file')).toBe(0);
    expect(r.named('page')[0]!.path).not.toBe('reclaim');
  });

  it('when an Unmovable fill names kind file then its pages are page cache that direct reclaim takes', async () => {
    // the kind, not the migratetype, decides: the same fill as Unmovable page cache is reclaimed as in direct-reclaim.json
    const r = await replayScenario(variant({ migratetype: 'Unmovable', kind: 'file' }));
    expect(r.code).toBe(0);
    expect(r.named('page')[0]!.path).toBe('reclaim');
    expect(r.counter('pgsteal_file')).toBeGreaterThan(0);
  });

  it('when a fill falls back into other pageblocks then it leaves no watermark boost behind', async () => {
    // direct-reclaim.json sets watermark_boost_factor 0; with the default 15000 the Unmovable DMA and DMA32 fills
    // claim Movable boot pageblocks, which boosts the watermark in a real allocation. Setup is not an allocation:
    // The Unmovable DMA fill claims the Movable remainder of a split pageblock (a boost of 512 in a real
    // allocation). The request's DMA checks must see the plain watermarks: min_free_kbytes 1024 → pages_min 256;
    // DMA's share 256 × 3840 / (3840 + 16384) = 48; delta max(48/4, 3840 × 10/10000) = 12; low 60, high 72
    // (not 572 / 584)
    const r = await replayScenario(variant({}, {}));
    expect(r.code).toBe(0);
    const page = r.named('page')[0]!;
    expect(stepsOf(page, 'wmark_high').find((st) => st.zone === 'DMA')!.mark).toBe(72);
    expect(stepsOf(page, 'wmark').find((st) => st.zone === 'DMA')!.mark).toBe(60);
    expect(r.named('page')[0]!.path).toBe('reclaim');
  });
});
