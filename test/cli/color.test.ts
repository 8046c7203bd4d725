/** src/cli/color.ts: the colour decision and the chalk instances it hands out. */
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import { makeChalk, plainChalk, useColor } from '../../src/cli/color.js';

describe('makeChalk', () => {
  it('when colour is off then the plain instance returns what chalk level 0 returns, chains included', async () => {
    const c = await makeChalk(false);
    const ref = new Chalk({ level: 0 });
    expect(c).toBe(plainChalk);
    expect(c.level).toBe(0);
    expect([c.bold('replay summary'), c.red.bold('a', 'b'), c.dim(''), c.green('fast')])
      .toEqual([ref.bold('replay summary'), ref.red.bold('a', 'b'), ref.dim(''), ref.green('fast')]);
    expect(c.red.bold('a', 'b')).toBe('a b');
    expect(c.hex('#ff0000').bold('x')).toBe(ref.hex('#ff0000').bold('x'));
  });

  it('when colour is on then it is chalk at level 1 (16 colours)', async () => {
    const c = await makeChalk(true);
    expect(c.level).toBe(1);
    expect(c.red('failed')).toBe('\u001b[31mfailed\u001b[39m');
  });
});

describe('useColor', () => {
  it('when NO_COLOR is set then colour is off even with --color on a TTY', () => {
    expect(useColor({ NO_COLOR: '1' }, true, true)).toBe(false);
    expect(useColor({}, undefined, true)).toBe(true);
    expect(useColor({ FORCE_COLOR: '1' }, false, false)).toBe(true);
  });
});
