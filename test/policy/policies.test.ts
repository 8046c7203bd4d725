import { describe, expect, test } from 'vitest';
import { DEFAULT_POLICY, getPolicy, policyList, policyNames, predecessor } from '../../src/policy/index.js';

describe('getPolicy()', () => {
  test('when any of the seven names is asked then that policy comes back, and no name gives v6.18', () => {
    expect(policyNames).toEqual(['v4.0', 'v4.12', 'v5.0', 'v5.15', 'v6.1', 'v6.6', 'v6.18']);
    for (const n of policyNames) expect(getPolicy(n)!.name).toBe(n);
    expect(getPolicy(undefined)!.name).toBe(DEFAULT_POLICY);
    expect(getPolicy('v5.4')).toBeUndefined();
  });
});

describe('policy files', () => {
  test('when a policy follows another then it lists at least one cited change, and only v4.0 lists none', () => {
    for (const p of policyList) {
      if (!predecessor(p)) {
        expect(p.name).toBe('v4.0');
        expect(p.changes).toEqual([]);
        continue;
      }
      expect(p.changes.length).toBeGreaterThan(0);
      for (const c of p.changes) expect(c.cite).toMatch(/@ v\d|\[bracket|→/);
    }
  });

  test('when the slot → kernel migratetype map is read then v4.0 swaps MOVABLE and RECLAIMABLE and names slot 3 Reserve', () => {
    const v40 = getPolicy('v4.0')!;
    expect(v40.kernelMigratetype).toEqual([0, 2, 1, 3, 4, 5]);
    expect(v40.migratetypeNames[3]).toBe('Reserve');
    expect(v40.migratetypeLetters).toEqual(['U', 'M', 'E', 'R', 'C', 'I']);
    expect(getPolicy('v4.12')!.kernelMigratetype).toEqual([0, 1, 2, 3, 4, 5]);
  });

  test('when ALLOC_NOFRAGMENT is looked at then v5.0 defines it but does not set it, and v5.15 sets it', () => {
    expect(getPolicy('v5.0')!.allocFlags.ALLOC_NOFRAGMENT).toBe(0x100);
    expect(getPolicy('v5.0')!.setsAllocNofragment).toBe(false);
    expect(getPolicy('v5.15')!.setsAllocNofragment).toBe(true);
  });
});
