import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildMachine } from '../../src/mm/machine.js';
import { v6_18 } from '../../src/policy/v6.18.js';
import { ReplayEngine } from '../../src/replay/engine.js';
import { SlowPathDriver } from '../../src/replay/driver.js';
import { replayTraceFile } from '../../src/replay/trace.js';
import { logMask, MODE_SIMULATE } from '../../src/replay/decision.js';
import type { AllocEvent, FreeEvent, Reporter, ReplaySummary, WarningEvent } from '../../src/replay/decision.js';

import { tempDir } from '../helpers/tmp.js';

class Collect implements Reporter {
  allocs: AllocEvent[] = [];
  frees: FreeEvent[] = [];
  warnings: WarningEvent[] = [];
  sum: ReplaySummary | null = null;
  header(): void {}
  alloc(e: AllocEvent): void { this.allocs.push(e); }
  free(e: FreeEvent): void { this.frees.push(e); }
  warning(e: WarningEvent): void { this.warnings.push(e); }
  summary(s: ReplaySummary): void { this.sum = s; }
}

const L = (task: string, t: string, ev: string) => `${task.padStart(16)} [000] .....  ${t}: ${ev}\n`;

async function run(lines: string): Promise<Collect> {
  const dir = tempDir('mmreplay-engine-');
  const f = join(dir, 't.txt');
  writeFileSync(f, `# tracer: nop\n${lines}`);
  const machine = buildMachine('x86_64-1G', { policy: v6_18 });
  const rep = new Collect();
  const engine = new ReplayEngine({
    machine, driver: new SlowPathDriver(machine), mode: MODE_SIMULATE, logMask: logMask('decisions'), reporter: rep,
    checkEvery: 1, machineName: 'x86_64-1G', inputs: [f],
  });
  await replayTraceFile(engine, f, () => process.stdin, { strict: true, traceKernel: '6.18' });
  engine.finish(false);
  return rep;
}

describe('ReplayEngine simulate mode', () => {
  it('when a recorded block is freed then the simulated block it maps to is freed, and an unknown pfn is counted', async () => {
    const r = await run(
      L('bash-100', '10.000001', 'mm_page_alloc: page=0000000000000001 pfn=0x200000 order=0 migratetype=0 gfp_flags=GFP_KERNEL') +
      L('bash-100', '10.000002', 'mm_page_free: page=0000000000000001 pfn=0x200000 order=0') +
      L('bash-100', '10.000003', 'mm_page_free: page=0000000000000001 pfn=0x300000 order=0'),
    );
    expect(r.allocs).toHaveLength(1);
    const a = r.allocs[0]!;
    // x86_64-1G has DMA + DMA32 only: GFP_KERNEL is served from DMA32 by the fast path
    expect(a.path).toBe('fast');
    expect(a.result.zone).toBe('DMA32');
    expect(a.recorded).toEqual({ ok: true, pfn: 0x200000 });
    expect(r.frees.map((f) => f.action)).toEqual(['freed', 'unknown']);
    expect(r.sum!.frees.unknown).toBe(1);
    expect(r.sum!.counters.mmreplay_unknown_free).toBe(1);
  });
  it('when kswapd or a task inside its direct-reclaim window frees then the free is dropped and counted', async () => {
    const r = await run(
      L('bash-100', '10.000001', 'mm_page_alloc: page=0000000000000001 pfn=0x200000 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE') +
      L('kswapd0-50', '10.000002', 'mm_page_free: page=0000000000000001 pfn=0x200000 order=0') +
      L('bash-100', '10.000003', 'mm_vmscan_direct_reclaim_begin: order=0 gfp_flags=GFP_KERNEL') +
      L('bash-100', '10.000004', 'mm_page_free: page=0000000000000001 pfn=0x200000 order=0') +
      L('bash-100', '10.000005', 'mm_vmscan_direct_reclaim_end: nr_reclaimed=1') +
      L('bash-100', '10.000006', 'mm_page_free: page=0000000000000001 pfn=0x200000 order=0'),
    );
    expect(r.frees.map((f) => f.action)).toEqual(['dropped', 'dropped', 'freed']);
    expect(r.sum!.frees.dropped).toBe(2);
    expect(r.sum!.counters.mmreplay_dropped_frees).toBe(2);
  });
  it('when the simulator serves a THP first try the kernel failed then the second try and the fallbacks are skipped', async () => {
    let lines = L('a-7', '10.000001', 'mm_page_alloc: page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE|__GFP_NORETRY|__GFP_THISNODE');
    lines += L('a-7', '10.000002', 'mm_page_alloc: page=0000000000000000 pfn=0x0 order=9 migratetype=1 gfp_flags=GFP_TRANSHUGE');
    for (let i = 0; i < 512; i++) lines += L('a-7', '10.000003', `mm_page_alloc: page=0000000000000001 pfn=0x${(0x30000 + i).toString(16)} order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP`);
    lines += L('a-7', '10.000004', 'mm_page_alloc: page=0000000000000001 pfn=0x31000 order=0 migratetype=1 gfp_flags=GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP');
    const r = await run(lines);
    expect(r.allocs[0]!.path).toBe('fast');
    expect(r.allocs[0]!.result.ok).toBe(true);
    // 1 second try + 512 fallbacks skipped; the 514th allocation runs again
    expect(r.sum!.thp_group_skipped).toBe(513);
    expect(r.allocs.filter((a) => a.path === 'thp_group_skipped')).toHaveLength(513);
    expect(r.allocs.at(-1)!.path).toBe('fast');
  });
});
