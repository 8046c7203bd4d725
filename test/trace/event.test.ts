/** src/trace/event.ts: the numeric value of a printed field of a non-page event */
import { describe, expect, it } from 'vitest';
import { fieldNumber } from '../../src/trace/event.js';

describe('fieldNumber', () => {
  it('when a value is decimal, signed or with a kB unit then it is that number', () => {
    // oom.h mark_victim prints `total-vm=%lukB`; vmscan.h prints signed and unsigned decimals
    expect([fieldNumber('0'), fieldNumber('12'), fieldNumber('-1'), fieldNumber('1234kB'), fieldNumber('007')]).toEqual([0, 12, -1, 1234, 7]);
  });

  it('when a value is 0x-hex (compaction.h pfns) then it is parsed as hex, with or without kB', () => {
    expect([fieldNumber('0x640000'), fieldNumber('0xFFkB'), fieldNumber('0xaBc')]).toEqual([0x640000, 0xff, 0xabc]);
  });

  it('when a value is not a number then it is NaN', () => {
    for (const v of ['', 'kB', '-', '-kB', '0x', '0xg1', 'Normal', 'async', '12a', '1-2', '- 1', 'RECLAIM_WB_ANON|RECLAIM_WB_ASYNC', '1.5', 'kB12']) {
      expect(fieldNumber(v), v).toBeNaN();
    }
  });
});
