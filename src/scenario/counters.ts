/**
 * Counter names in a scenario's `expect.counters`: a name must be one the simulator keeps under the scenario's
 * policy (src/mm/vmstat.ts counterNames(), the same list the replay summary prints), so a typo or a counter
 * mmreplay cannot produce is an error at validation instead of a check that can never pass.
 */
import { counterNames, policyOrder, vmstatTextV6_18 } from '../mm/vmstat.js';

const allKept: ReadonlySet<string> = new Set(policyOrder.flatMap((p) => counterNames(p) ?? []));
const kernelOnly: ReadonlySet<string> = new Set(vmstatTextV6_18);

/**
 * Why `name` cannot be expected under `policy` (undefined: it can). Without a policy (a trace's sidecar, whose
 * policy is chosen at replay time) any policy's counter is accepted.
 */
export function counterNameProblem(name: string, policy: string | undefined): string | undefined {
  const kept = policy === undefined ? allKept : new Set(counterNames(policy) ?? allKept);
  if (kept.has(name)) return undefined;
  if (allKept.has(name)) {
    const have = policyOrder.filter((p) => counterNames(p)?.includes(name));
    return `counter "${name}" does not exist under policy ${policy} (policies that have it: ${have.join(', ')})`;
  }
  if (kernelOnly.has(name)) return `"${name}" is a /proc/vmstat counter that mmreplay does not simulate`;
  return `unknown counter "${name}"${hint(name, kept)}`;
}

/** ` (did you mean "x"?)` for the closest candidate, or '' */
export function hint(name: string, candidates: Iterable<string>): string {
  const near = closest(name, candidates);
  return near ? ` (did you mean "${near}"?)` : '';
}

/** the candidate closest to `name` by Levenshtein distance, if within `maxDistance` (ties: first in order) */
export function closest(name: string, candidates: Iterable<string>, maxDistance = 2): string | undefined {
  let best: string | undefined;
  let bestD = maxDistance + 1;
  for (const c of candidates) {
    if (Math.abs(c.length - name.length) >= bestD) continue;
    const d = levenshtein(name, c);
    if (d < bestD) { bestD = d; best = c; }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
