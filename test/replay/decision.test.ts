import { describe, expect, it } from 'vitest';
import { Time6 } from '../../src/replay/decision.js';

describe('Time6.format', () => {
  it('when times are whole microseconds then the text is toFixed(6), across second boundaries', () => {
    const f = new Time6();
    // a trace's clock: 1000.999998 … 1001.000010 crosses a second (the cached "1000." must be replaced)
    for (let us = 1000999990; us <= 1001000010; us++) {
      const t = us / 1e6;
      expect(f.format(t)).toBe(t.toFixed(6));
    }
    expect(f.format(1000.999999)).toBe('1000.999999');
    expect(f.format(1001.000001)).toBe('1001.000001');
    expect(f.format(0)).toBe('0.000000');
    expect(f.format(0.000007)).toBe('0.000007');
    expect(f.format(12.34)).toBe('12.340000');
  });

  it('when a time repeats then the same text comes back, and a new time after it is formatted afresh', () => {
    const f = new Time6();
    expect(f.format(5.000001)).toBe('5.000001');
    expect(f.format(5.000001)).toBe('5.000001');
    expect(f.format(5.000002)).toBe('5.000002');
    expect(f.format(4.5)).toBe('4.500000');
  });

  it('when a time is not a whole microsecond, negative or huge then toFixed decides', () => {
    const f = new Time6();
    // 1.0000005 is a rounding tie in decimal, but toFixed rounds the binary value (just below: 1.000000)
    for (const t of [1.0000005, 2.0000015, 0.1234565, -1.5, -0.000001, 2 ** 40, 1e15 + 0.5, 123456789.123456, Number.MAX_SAFE_INTEGER / 1e3]) {
      expect(f.format(t)).toBe(t.toFixed(6));
    }
  });

  it('when many pseudo-random trace times are formatted in order then each is toFixed(6)', () => {
    const f = new Time6();
    let t = 37.5;
    let x = 12345;
    for (let i = 0; i < 20000; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      t = Math.round((t + (x % 3000) / 1e6) * 1e6) / 1e6;
      expect(f.format(t)).toBe(t.toFixed(6));
    }
  });
});
