/**
 * A deliberately broken allocator rule must make the library fail: checkPaths() takes a Policy object for
 * --policy, so the test hands it a copy of v6.18 with one rule wrong. No hook in the hot path: the simulator reads
 * the policy's data as it always does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkPaths } from '../../src/check/check.js';
import { getPolicy } from '../../src/policy/index.js';
import type { Policy } from '../../src/policy/policy.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const v618 = getPolicy('v6.18')!;

/** the library scenarios written for v6.18 (the policy-* ones compare two other kernels: forcing v6.18 changes them) */
const v618Scenarios = readdirSync(`${root}traces/scenarios`)
  .filter((f) => f.endsWith('.json'))
  .map((f) => `traces/scenarios/${f}`)
  .filter((f) => ((JSON.parse(readFileSync(`${root}${f}`, 'utf8')) as { policy?: string }).policy ?? 'v6.18') === 'v6.18');

async function failing(policy: Policy): Promise<string[]> {
  expect(v618Scenarios.length).toBeGreaterThan(10);
  const rep = await checkPaths(v618Scenarios, root, { policy });
  expect(rep.invalid).toEqual([]);
  expect(rep.results.filter((r) => r.error)).toEqual([]);
  return rep.results.filter((r) => !r.ok).map((r) => r.name);
}

describe('checkPaths with a broken policy', () => {
  it('when the policy object is an unaltered copy of v6.18 then every library scenario passes (the control)', async () => {
    expect(await failing({ ...v618 })).toEqual([]);
  });

  it('when PAGE_ALLOC_COSTLY_ORDER is wrong (10 instead of 3) then at least one library scenario fails', async () => {
    // include/linux/mmzone.h: #define PAGE_ALLOC_COSTLY_ORDER 3. Above it, __alloc_pages_slowpath() compacts before
    // reclaim and gives up rather than retry; with 10 the costly-order scenarios take the non-costly road.
    const broken = await failing({ ...v618, costlyOrder: 10 });
    expect(broken.length).toBeGreaterThan(0);
  });

  it('when __zone_watermark_ok() has the v4.0 shape under v6.18 then at least one library scenario fails', async () => {
    const broken = await failing({ ...v618, watermarkCheck: '4.0' });
    expect(broken.length).toBeGreaterThan(0);
  });
});
