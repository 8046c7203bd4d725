/**
 * src/replay/diff.ts: two sides, one request stream, divergences and the change that explains each.
 * Expected counts and reasons were worked out from the two decision logs (`mmreplay diff … --format json`,
 * first_logs) and the policies' `changes` lists, as each test says.
 */
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import { changesBetween, decisiveSteps, firstStepDifference } from '../../src/replay/diff.js';
import type { DiffResult } from '../../src/replay/diff.js';
import type { StepEvent } from '../../src/replay/decision.js';
import { getPolicy } from '../../src/policy/index.js';

async function diffJson(args: string[]): Promise<{ code: number; r: DiffResult; err: string }> {
  const io = memoryIo();
  const code = await run(['diff', ...args, '--format', 'json'], io);
  return { code, r: JSON.parse(io.out) as DiffResult, err: io.err };
}

const step = (kind: string, over: Partial<StepEvent> = {}): StepEvent => ({
  kind, node: 0, zone: 'Normal', free: 100, mark: 50, reserve: 0, result: 1, alloc_flags: 0x1, aux: 0, ...over,
});

describe('changesBetween', () => {
  it('when A is older than B then the changes of every policy after A up to B are listed, oldest first', () => {
    const c = changesBetween(getPolicy('v4.12')!, getPolicy('v5.15')!);
    expect([...new Set(c.map((x) => x.policy))]).toEqual(['v5.0', 'v5.15']);
    expect(changesBetween(getPolicy('v5.15')!, getPolicy('v4.12')!)).toEqual(c);
    expect(changesBetween(getPolicy('v6.18')!, getPolicy('v6.18')!)).toEqual([]);
  });
});

describe('firstStepDifference / decisiveSteps', () => {
  it('when only the 6.7+ wmark_high step and an empty unreserve differ then the decisive steps are equal', () => {
    const a = [step('wmark'), step('rmqueue', { result: 4096 })];
    const b = [step('wmark_high', { mark: 60 }), step('wmark'), step('unreserve_highatomic', { result: 0 }), step('rmqueue', { result: 4096 })];
    expect(firstStepDifference(decisiveSteps(a), decisiveSteps(b))).toBe(-1);
    // without the filter the first step differs
    expect(firstStepDifference(a, b)).toBe(0);
  });
  it('when ALLOC_KSWAPD is the only flag difference then the steps are equal; another flag makes them differ', () => {
    expect(firstStepDifference([step('wmark')], [step('wmark', { alloc_flags: 0x801 })])).toBe(-1);
    expect(firstStepDifference([step('wmark')], [step('wmark', { alloc_flags: 0x101 })])).toBe(0);
  });
  it('when one list is a prefix of the other then the first extra step is the difference', () => {
    expect(firstStepDifference([step('wmark')], [step('wmark'), step('rmqueue')])).toBe(1);
  });
});

describe('DiffRun on scenarios', () => {
  it('when a __GFP_REPEAT order-0 request fails reclaim then v4.12 OOM-kills and v5.0 fails, explained by v5.0\'s RETRY_MAYFAIL change', async () => {
    // traces/scenarios/policy-retry-mayfail-oom.json: both sides take the same steps up to the OOM decision;
    // v4.12 calls out_of_memory (oom → DMA32), v5.0's __GFP_RETRY_MAYFAIL skips it (may_oom aux 2 → fail)
    const { code, r } = await diffJson(['traces/scenarios/policy-retry-mayfail-oom.json', '--policy', 'v4.12', '--policy', 'v5.0']);
    expect(code).toBe(0);
    expect(r.divergence_count).toBe(1);
    const d = r.divergences[0]!;
    expect(d).toMatchObject({ seq: 1, first: true, a: { ok: true, zone: 'DMA32', path: 'oom' }, b: { ok: false, zone: null, path: 'fail' } });
    expect(d.explained_by).toMatchObject({ mechanism: 'slowpath', policy: 'v5.0' });
    expect(d.explained_by.what).toContain('__GFP_RETRY_MAYFAIL skips the OOM killer');
    expect(d.reason).toMatch(/^out_of_memory aux=1 vs may_oom aux=2; v5\.0: /);
    // the scenario's gfp text is decoded in its own era (4.10) and translated for v5.0 (4.18 layout) by meaning
    expect(d.a.gfp).toBe('GFP_KERNEL|__GFP_REPEAT');
    expect(d.b.gfp).toBe('GFP_KERNEL|__GFP_RETRY_MAYFAIL');
  });

  it('when the two sides differ in min_free_kbytes then the divergence names the watermarks and the sysctl', async () => {
    // traces/scenarios/lowmem-reserve-dma32.json: min_free_kbytes 2048 → DMA32 min 229, low 286; 16384 → min 1833,
    // low 2291; with 290 free pages in DMA32 the first request passes low on A (290 > 286) and fails on B
    const { r } = await diffJson(['traces/scenarios/lowmem-reserve-dma32.json', '--sysctl-a', 'min_free_kbytes=2048', '--sysctl-b', 'min_free_kbytes=16384']);
    expect(r.sides.map((s) => s.label)).toEqual(['min_free_kbytes=2048', 'min_free_kbytes=16384']);
    expect(r.divergence_count).toBe(1);
    const d = r.divergences[0]!;
    expect(d.explained_by).toMatchObject({ mechanism: 'watermark_level', policy: null });
    expect(d.reason).toBe('DMA32 watermark 286 vs 2291 (free 290 vs 290); DMA min watermark 53 vs 429, DMA32 min watermark 229 vs 1833, Normal min watermark 229 vs 1833 (min_free_kbytes 2048 vs 16384)');
  });

  it('when both sides are the same then nothing diverges and no drift is reported', async () => {
    const { code, r } = await diffJson(['traces/scenarios/thp-fragmented-nowarn.json', '--policy', 'v6.18', '--policy', 'v6.18', '--fail-on-diff']);
    expect(code).toBe(0);
    expect(r.requests).toBe(8);
    expect(r.divergence_count).toBe(0);
    expect(r.divergences).toEqual([]);
    expect(r.first_drift).toBeNull();
    expect(r.outcomes.a).toEqual(r.outcomes.b);
  });
});

describe('DiffRun on traces', () => {
  it('when a 6.18 trace has a flag 4.12 lacks then side A drops it, says so once and counts mmreplay_gfp_unmapped per request', async () => {
    // test/golden/diff/unmapped-gfp.trace.txt: two of four allocations carry __GFP_NO_OBJ_EXT (6.10+)
    const { r, err } = await diffJson(['test/golden/diff/unmapped-gfp.trace.txt', '--policy', 'v4.12', '--policy', 'v6.18', '--machine', 'x86_64-1G']);
    expect(err).toBe('mmreplay: side A (v4.12): trace gfp flag __GFP_NO_OBJ_EXT (in GFP_KERNEL|__GFP_NO_OBJ_EXT) has no v4.12 equivalent: dropped\n');
    expect(r.sides[0]!.gfp_unmapped).toEqual(['__GFP_NO_OBJ_EXT']);
    expect(r.sides[1]!.gfp_unmapped).toEqual([]);
    expect(r.counters.mmreplay_gfp_unmapped).toEqual([2, 0]);
    expect(r.kernel).toBe('6.15–6.18');
  });

  it('when the trimmed fragment-compact trace replays under v4.12 and v6.18 then 3 THP allocations diverge, each explained by ALLOC_NOFRAGMENT', async () => {
    // order-9 GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE at seq 882, 1144, 1151: v6.18 sets ALLOC_NOFRAGMENT for
    // a Normal-preferred request (0x81 vs 0x181) and goes to DMA32 rather than fragment Normal; v4.12 takes Normal
    const { r } = await diffJson(['traces/real/fragment-compact/trace.txt.gz', '--machine', 'traces/real/fragment-compact/before', '--policy', 'v4.12', '--policy', 'v6.18']);
    expect(r.requests).toBe(4182);
    expect(r.divergence_count).toBe(3);
    expect(r.divergences.map((d) => d.seq)).toEqual([882, 1144, 1151]);
    for (const d of r.divergences) {
      expect(d.a).toMatchObject({ ok: true, zone: 'Normal', path: 'fast' });
      expect(d.b).toMatchObject({ ok: true, zone: 'DMA32', path: 'fast' });
      expect(d.explained_by).toMatchObject({ mechanism: 'nofragment', policy: 'v5.15' });
      expect(d.reason).toMatch(/^Normal alloc_flags 0x81 vs 0x181 \(ALLOC_NOFRAGMENT on B only\): ok vs fail; v5\.15: ALLOC_NOFRAGMENT is set by the fast path/);
    }
    // every divergence names a policy change
    expect(r.divergences.every((d) => d.explained_by.policy !== null)).toBe(true);
    expect(r.first_drift?.seq).toBe(1);
  }, 60_000);
});
