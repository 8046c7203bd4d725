import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { replayScenario } from '../scenarios/replay.js';

/** traces/scenarios/direct-reclaim.json with its 8192-page page-cache fill given another migratetype or kind */
function variant(fill: Record<string, unknown>): string {
  const s = JSON.parse(readFileSync('traces/scenarios/direct-reclaim.json', 'utf8')) as { setup: { fill: Record<string, unknown> }[]; expect?: unknown };
  s.setup[1]!.fill = { ...s.setup[1]!.fill, ...fill };
  delete s.expect;
  const dir = mkdtempSync(join(tmpdir(), 'mmreplay-expand-'));
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
});
