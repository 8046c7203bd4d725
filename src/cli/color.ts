/**
 * The one colour decision (commander's useColor order): NO_COLOR → off, FORCE_COLOR=0|false → off,
 * FORCE_COLOR / CLICOLOR_FORCE → on, then --color / --no-color, then whether stdout is a TTY.
 * Kernel-format text (warn_alloc, show_mem, buddyinfo) is never coloured.
 */
import type { ChalkInstance } from 'chalk';

export function useColor(env: Record<string, string | undefined>, flag: boolean | undefined, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (force !== undefined || env.CLICOLOR_FORCE) return true;
  if (flag !== undefined) return flag;
  return isTTY;
}

/**
 * A chalk instance at level 1 (colour) or 0 (none). Without colour chalk is not loaded (its import is a good part
 * of a short replay's start-up): plainChalk() returns every text as chalk level 0 does.
 */
export async function makeChalk(on: boolean): Promise<ChalkInstance> {
  if (!on) return plainChalk;
  const { Chalk } = await import('chalk');
  return new Chalk({ level: 1 });
}

/** chalk's builder at level 0: the arguments joined by spaces, unstyled */
function plain(...args: unknown[]): string {
  return args.length === 1 ? String(args[0]) : args.join(' ');
}

/** chalk's colour-model styles: c.hex('#f00') is a style */
const colourModels = new Set(['rgb', 'hex', 'ansi256', 'bgRgb', 'bgHex', 'bgAnsi256']);

/**
 * chalk at level 0 without chalk: every style and chain of styles (c.bold, c.red.bold, c.hex('#f00')) is plain().
 * Not a thenable (no `then`), so it can be awaited and returned from async functions.
 */
export const plainChalk: ChalkInstance = new Proxy(plain, {
  get: (_target, prop) => {
    if (prop === 'level') return 0;
    if (typeof prop !== 'string' || prop === 'then') return undefined;
    return colourModels.has(prop) ? () => plainChalk : plainChalk;
  },
}) as unknown as ChalkInstance;
