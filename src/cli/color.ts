/**
 * The one colour decision (commander's useColor order): NO_COLOR → off, FORCE_COLOR=0|false → off,
 * FORCE_COLOR / CLICOLOR_FORCE → on, then --color / --no-color, then whether stdout is a TTY.
 * Kernel-format text (warn_alloc, show_mem, buddyinfo) is never coloured.
 */
import { Chalk, type ChalkInstance } from 'chalk';

export function useColor(env: Record<string, string | undefined>, flag: boolean | undefined, isTTY: boolean): boolean {
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force === '0' || force === 'false') return false;
  if (force !== undefined || env.CLICOLOR_FORCE) return true;
  if (flag !== undefined) return flag;
  return isTTY;
}

export function makeChalk(on: boolean): ChalkInstance {
  return new Chalk({ level: on ? 1 : 0 });
}
