/**
 * Per-version slow-path rules (slowpath.ts reading the Policy): gfp_to_alloc_flags() per kernel, the reserve flags
 * of OOM victims, and the warn_alloc ratelimit each policy installs. Gfp masks are parsed in each policy's own gfp
 * era, so `GFP_ATOMIC` is 0x20 (v4.0), 0x480020 (v4.12: __GFP_ATOMIC 0x80000 | __GFP_KSWAPD_RECLAIM 0x400000 … see
 * gfp-tables), and so on; the expected alloc_flags are worked out from mm/page_alloc.c gfp_to_alloc_flags() as the
 * slow-path reference §2.3 reads it: base ALLOC_WMARK_MIN (0) | ALLOC_CPUSET (0x40).
 */
import { describe, expect, test } from 'vitest';
import { buildMachine } from '../../src/mm/machine.js';
import { createMmSystem, gfpPfmemallocFlags, gfpToAllocFlags } from '../../src/mm/slowpath.js';
import { parseGfpFlags } from '../../src/mm/gfp.js';
import { MIGRATE_MOVABLE, MIGRATE_UNMOVABLE } from '../../src/mm/mmzone.js';
import { markOomVictim, taskId } from '../../src/mm/oom_kill.js';
import { policies } from '../../src/policy/index.js';
import type { MmSystem } from '../../src/mm/system.js';

function sysFor(name: string): MmSystem {
  const m = buildMachine({ nodes: [{ zones: [{ name: 'DMA32', start_pfn: 4096, spanned: 16384, present: 16384, managed: 16384 }] }], cpus: 1, thp: 'never' }, { policy: policies[name]! });
  return createMmSystem(m);
}

function flags(name: string, gfp: string, order: number, mt = MIGRATE_UNMOVABLE): number {
  const sys = sysFor(name);
  return gfpToAllocFlags(sys, parseGfpFlags(gfp, sys.pa.era), order, mt);
}

describe('gfp_to_alloc_flags per version', () => {
  test('when GFP_ATOMIC (order 0) is recomputed then ≤6.2 sets ALLOC_HIGH|ALLOC_HARDER and drops ALLOC_CPUSET, 6.3+ NON_BLOCK|MIN_RESERVE', () => {
    // v4.0: atomic = neither __GFP_WAIT nor __GFP_NO_KSWAPD → HARDER 0x10; __GFP_HIGH → HIGH 0x20; CPUSET dropped
    expect(flags('v4.0', 'GFP_ATOMIC', 0)).toBe(0x30);
    // v4.12: __GFP_ATOMIC → HARDER; no ALLOC_KSWAPD before 5.0
    expect(flags('v4.12', 'GFP_ATOMIC', 0)).toBe(0x30);
    // v5.0: + ALLOC_KSWAPD 0x800 inside the simulator (the kernel's value is 0x200: Policy.allocFlags)
    expect(flags('v5.0', 'GFP_ATOMIC', 0)).toBe(0x830);
    expect(flags('v6.1', 'GFP_ATOMIC', 0)).toBe(0x830);
    // v6.6: NON_BLOCK 0x10 | MIN_RESERVE 0x20, CPUSET dropped because MIN_RESERVE is set
    expect(flags('v6.6', 'GFP_ATOMIC', 0)).toBe(0x830);
  });

  test('when GFP_NOWAIT order 1 is recomputed then only 6.3+ treats it as non-blocking, and only 6.6 gives it ALLOC_HIGHATOMIC', () => {
    // v4.0: GFP_NOWAIT is 0: atomic → HARDER, CPUSET dropped
    expect(flags('v4.0', 'GFP_NOWAIT', 1)).toBe(0x10);
    // 4.4–6.2: no __GFP_ATOMIC in GFP_NOWAIT → plain min watermark with CPUSET (+ KSWAPD from 5.0)
    expect(flags('v4.12', 'GFP_NOWAIT', 1)).toBe(0x40);
    expect(flags('v5.0', 'GFP_NOWAIT', 1)).toBe(0x840);
    expect(flags('v6.1', 'GFP_NOWAIT', 1)).toBe(0x840);
    // v6.6: no __GFP_DIRECT_RECLAIM → NON_BLOCK 0x10 and, order > 0, HIGHATOMIC 0x200; CPUSET kept (no MIN_RESERVE)
    expect(flags('v6.6', 'GFP_NOWAIT', 1)).toBe(0xa50);
    // v6.18: HIGHATOMIC only with MIN_RESERVE
    expect(flags('v6.18', 'GFP_NOWAIT', 1)).toBe(0x850);
  });

  test('when GFP_KERNEL is recomputed then every version gives WMARK_MIN|CPUSET (+KSWAPD from 5.0), movable adds CMA', () => {
    expect(flags('v4.0', 'GFP_KERNEL', 0)).toBe(0x40);
    expect(flags('v4.12', 'GFP_KERNEL', 0)).toBe(0x40);
    expect(flags('v5.15', 'GFP_KERNEL', 0)).toBe(0x840);
    expect(flags('v4.0', 'GFP_HIGHUSER_MOVABLE', 0, MIGRATE_MOVABLE)).toBe(0xc0);
  });
});

describe('reserve flags of an OOM victim', () => {
  test('when the task is an OOM victim then ≤4.13 grants ALLOC_NO_WATERMARKS, 4.14+ ALLOC_OOM; v4.0 puts it in gfp_to_alloc_flags', () => {
    for (const [name, want] of [['v4.0', 0x04], ['v4.12', 0x04], ['v5.0', 0x08], ['v6.18', 0x08]] as const) {
      const sys = sysFor(name);
      const t = taskId(sys, 77, 'victim');
      markOomVictim(sys, t);
      const gfp = parseGfpFlags('GFP_KERNEL', sys.pa.era);
      expect(gfpPfmemallocFlags(sys, gfp, t)).toBe(want);
      // only v4.0 folds the reserve into the recomputed flags
      expect(gfpToAllocFlags(sys, gfp, 0, MIGRATE_UNMOVABLE, t)).toBe(name === 'v4.0' ? 0x44 : name === 'v4.12' ? 0x40 : 0x840);
    }
  });
});

describe('warn_alloc ratelimit per version', () => {
  test('when the system is created then nopage_rs is 5 s / 10 up to v5.0 and 10 s / 1 from v5.15', () => {
    for (const [name, interval, burst] of [['v4.0', 5, 10], ['v4.12', 5, 10], ['v5.0', 5, 10], ['v5.15', 10, 1], ['v6.18', 10, 1]] as const) {
      const rs = sysFor(name).warn.nopageRs;
      expect([rs.interval / rs.hz, rs.burst]).toEqual([interval, burst]);
    }
  });
});
