import { describe, expect, test } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';

describe('mmreplay policies', () => {
  test('when run without a name then it lists the seven policies in kernel order with tag and gfp era', async () => {
    const io = memoryIo();
    expect(await run(['policies'], io)).toBe(0);
    const lines = io.out.trim().split('\n');
    expect(lines[0]).toBe('policy  tag    gfp era  character');
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3).join(' '))).toEqual([
      'v4.0 v4.0 4.0',
      'v4.12 v4.12 4.10',
      'v5.0 v5.0 4.18',
      'v5.15 v5.15 5.14',
      'v6.1 v6.1 5.18',
      'v6.6 v6.6 6.4',
      'v6.18 v6.18 6.15',
    ]);
    expect(io.err).toBe('');
  });

  test('when a name is given with --format json then its constants are the kernel values of that tag', async () => {
    const io = memoryIo();
    expect(await run(['policies', 'v5.0', '--format', 'json'], io)).toBe(0);
    const doc = JSON.parse(io.out);
    expect(doc.schema).toBe(1);
    const p = doc.policies[0];
    expect([p.name, p.tag, p.gfpEra, p.predecessor]).toEqual(['v5.0', 'v5.0', '4.18', 'v4.12']);
    // core reference §6.4 / §7.1: ALLOC_KSWAPD 0x200 in 5.0, MAX_ORDER 11 exclusive, MOVABLE 1
    expect(p.constants).toMatchObject({ MAX_ORDER: 11, MAX_PAGE_ORDER: 10, NR_PAGE_ORDERS: 11, PAGE_ALLOC_COSTLY_ORDER: 3, pageblock_order: 9, MIGRATE_MOVABLE: 1, MIGRATE_RECLAIMABLE: 2, MIGRATE_HIGHATOMIC: 3, ALLOC_KSWAPD: 512, ALLOC_NOFRAGMENT: 256, ALLOC_HARDER: 16, ALLOC_HIGH: 32 });
    expect(p.constants.ALLOC_FAIR).toBeUndefined();
    expect(p.changes.length).toBeGreaterThan(0);
    for (const c of p.changes) expect(Object.keys(c)).toEqual(['what', 'why', 'cite']);
  });

  test('when v4.0, v5.15 and v6.6 are shown then migratetype numbers, ALLOC_KSWAPD and MAX_ORDER follow their kernels', async () => {
    const c = async (n: string) => {
      const io = memoryIo();
      await run(['policies', n, '--format', 'json'], io);
      return JSON.parse(io.out).policies[0].constants;
    };
    const v40 = await c('v4.0');
    expect([v40.MIGRATE_MOVABLE, v40.MIGRATE_RECLAIMABLE, v40.MIGRATE_RESERVE, v40.ALLOC_FAIR, v40.ALLOC_KSWAPD]).toEqual([2, 1, 3, 256, undefined]);
    expect((await c('v5.15')).ALLOC_KSWAPD).toBe(2048);
    const v66 = await c('v6.6');
    expect([v66.MAX_ORDER, v66.ALLOC_HARDER, v66.ALLOC_NON_BLOCK, v66.ALLOC_MIN_RESERVE, v66.ALLOC_HIGHATOMIC]).toEqual([10, undefined, 16, 32, 512]);
  });

  test('when a name is given as text then the changes from the predecessor are numbered with their citation', async () => {
    const io = memoryIo();
    await run(['policies', 'v6.6'], io);
    expect(io.out.split('\n').slice(0, 4)).toEqual([
      'v6.6: Linux v6.6, gfp era 6.4',
      'no __GFP_ATOMIC: ALLOC_NON_BLOCK / ALLOC_MIN_RESERVE / ALLOC_HIGHATOMIC; MAX_ORDER inclusive (10)',
      '',
      'changes from v6.1:',
    ]);
    expect(io.out).toContain('cite: include/linux/mmzone.h @ v6.6.9 [bracket v6.3→v6.4]');
    expect(io.out).toMatch(/ {2}ALLOC_HIGHATOMIC +512 {2}\(0x200\)/);
  });

  test('when the name is unknown then it exits 2 listing the names', async () => {
    const io = memoryIo();
    expect(await run(['policies', 'v5.4'], io)).toBe(2);
    expect(io.err).toBe("mmreplay: unknown policy 'v5.4' (policies: v4.0, v4.12, v5.0, v5.15, v6.1, v6.6, v6.18)\n");
    expect(io.out).toBe('');
  });
});
