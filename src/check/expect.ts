/**
 * Evaluates an `expect` block (a scenario's, or a trace sidecar's) against a run: one Failure record per
 * expectation that does not hold, naming the field in the expectation's own JSON path (zod's dotted form, as
 * `mmreplay validate` prints paths), the expected and the actual value.
 *
 * Rules (README "mmreplay check"):
 *  - requests.NAME: checked on every repetition of the request (`repeat`); a field that fails on several
 *    repetitions gives one record naming the first failing one and how many failed.
 *      ok       every repetition got pages (true) / every one failed (false)
 *      zone     every successful repetition came from this zone (a failed one has no zone: it is judged by `ok`,
 *               `failures` and `path`); when no repetition succeeded the zone is reported as missing
 *      node     as zone, for the node
 *      path     the __alloc_pages stage of every repetition (fast, min_retry, …, fail; "reject" = refused before
 *               any attempt: order above MAX_PAGE_ORDER or a bad gfp zone)
 *      kswapd   the slow path called wake_all_kswapds() (a `wake_all_kswapds` decision step)
 *      warned   warn_alloc printed "page allocation failure" for it (a ratelimited report does not count)
 *      failures how many repetitions failed: a number or a range
 *  - counters.NAME: the final value of a /proc/vmstat (or mmreplay_*) counter; exact or a range.
 *  - warnings: the number of warn_alloc reports printed (ratelimited ones are not printed).
 *  - warning_text: a string must occur in some line of the printed reports; an array's lines must occur as whole
 *    lines, in that order. The dmesg prefix `[   seconds] ` is stripped first, so the text is the kernel's own.
 *  - buddyinfo["N/Zone"]: free blocks per order, as the final /proc/buddyinfo prints them.
 */
import { z } from 'zod';
import { parseBuddyinfo } from '../mm/procfs.js';
import type { AllocEvent } from '../replay/decision.js';
import type { CountExpect, ScenarioExpect } from '../scenario/schema.js';
import type { RunResult } from './run.js';

/** a JSON value as expected or found */
export type Value = string | number | boolean | null | number[] | string[] | { min?: number; max?: number };

/** One expectation that does not hold. */
export interface Failure {
  /** JSON path of the expectation inside the expect block: `requests.k1.zone`, `counters.pgalloc_dma32` */
  field: string;
  expected: Value;
  actual: Value;
  /** request expectations: the request and the first failing repetition (1-based) */
  request?: string;
  repetition?: number;
  repetitions?: number;
  /** how many repetitions failed this field */
  failedRepetitions?: number;
}

/** one request's allocation events, so the diff can print the decision log of the failing repetition */
export interface RequestLog {
  name: string;
  /** 1-based, of `repetitions` */
  repetition: number;
  repetitions: number;
  event: AllocEvent;
}

export const path = (...segs: (string | number)[]): string => z.core.toDotPath(segs);

/** true when `got` meets a count expectation (a number, or an inclusive range) */
export function countOk(got: number, want: CountExpect): boolean {
  if (typeof want === 'number') return got === want;
  return (want.min === undefined || got >= want.min) && (want.max === undefined || got <= want.max);
}

/** dmesg line without its `[  seconds] ` prefix */
export function stripDmesg(line: string): string {
  return line.replace(/^\[\s*\d+\.\d+\] /, '');
}

/** the printed warn_alloc lines, prefix stripped (reports suppressed by the ratelimit are left out) */
export function printedWarningLines(r: RunResult): string[] {
  const out: string[] = [];
  for (const w of r.warnings) for (const l of w.lines) out.push(stripDmesg(l));
  return out;
}

/** the final free blocks per order of "node/zone" (undefined: no such populated zone) */
export function buddyinfoOf(r: RunResult, key: string): number[] | undefined {
  const [node, zone] = key.split('/');
  const row = parseBuddyinfo(r.summary.buddyinfo, 'buddyinfo').find((x) => String(x.node) === node && x.zone === zone);
  return row?.counts;
}

export function woke(e: AllocEvent): boolean {
  return (e.steps ?? []).some((s) => s.kind === 'wake_all_kswapds');
}

type RequestField = 'ok' | 'zone' | 'node' | 'path' | 'kswapd' | 'warned';

/** the actual value of one per-repetition field, or undefined when the field does not apply (zone of a failure) */
function actualOf(e: AllocEvent, f: RequestField): Value | undefined {
  switch (f) {
    case 'ok': return e.result.ok;
    case 'zone': return e.result.ok ? e.result.zone : undefined;
    case 'node': return e.result.ok ? e.result.node : undefined;
    case 'path': return e.path;
    case 'kswapd': return woke(e);
    case 'warned': return e.warned;
  }
}

const requestFields: readonly RequestField[] = ['ok', 'zone', 'node', 'path', 'kswapd', 'warned'];

/**
 * Every failed expectation of `exp` against the run, in the expect block's key order; `logs` receives, for each
 * request with a failure, the event of its first failing repetition.
 */
export function evaluateExpect(exp: ScenarioExpect, r: RunResult, logs: RequestLog[] = []): Failure[] {
  const out: Failure[] = [];
  for (const [name, want] of Object.entries(exp.requests ?? {})) {
    const evs = r.named.get(name) ?? [];
    const n = evs.length;
    let firstBad = -1;
    if (n === 0) {
      out.push({ field: path('requests', name), expected: 'an allocation', actual: 'none ran', request: name });
      continue;
    }
    for (const f of requestFields) {
      const w = want[f];
      if (w === undefined) continue;
      let bad = 0;
      let first = -1;
      let firstActual: Value | undefined;
      let applicable = 0;
      for (let i = 0; i < n; i++) {
        const a = actualOf(evs[i]!, f);
        if (a === undefined) continue;
        applicable++;
        if (a !== w) {
          if (bad++ === 0) { first = i; firstActual = a; }
        }
      }
      if ((f === 'zone' || f === 'node') && applicable === 0) {
        out.push({ field: path('requests', name, f), expected: w, actual: 'none (no repetition got pages)', request: name, ...reps(0, n, n) });
        if (firstBad < 0) firstBad = 0;
        continue;
      }
      if (bad > 0) {
        out.push({ field: path('requests', name, f), expected: w, actual: firstActual!, request: name, ...reps(first, n, bad) });
        if (firstBad < 0 || first < firstBad) firstBad = first;
      }
    }
    if (want.failures !== undefined) {
      let failed = 0;
      let first = -1;
      for (let i = 0; i < n; i++) if (!evs[i]!.result.ok) { if (failed++ === 0) first = i; }
      if (!countOk(failed, want.failures)) {
        out.push({ field: path('requests', name, 'failures'), expected: want.failures, actual: failed, request: name });
        if (firstBad < 0) firstBad = first >= 0 ? first : 0;
      }
    }
    if (firstBad >= 0) logs.push({ name, repetition: firstBad + 1, repetitions: n, event: evs[firstBad]! });
  }
  for (const [name, want] of Object.entries(exp.counters ?? {})) {
    const got = r.summary.counters[name] ?? 0;
    if (!countOk(got, want)) out.push({ field: path('counters', name), expected: want, actual: got });
  }
  if (exp.warnings !== undefined && !countOk(r.summary.warnings.printed, exp.warnings)) {
    out.push({ field: 'warnings', expected: exp.warnings, actual: r.summary.warnings.printed });
  }
  if (exp.warning_text !== undefined) {
    const lines = printedWarningLines(r);
    const wt = exp.warning_text;
    if (typeof wt === 'string') {
      if (!lines.some((l) => l.includes(wt))) out.push({ field: 'warning_text', expected: wt, actual: firstLineOrNone(lines) });
    } else {
      let k = 0;
      for (const l of lines) if (k < wt.length && l === wt[k]) k++;
      if (k < wt.length) {
        out.push({ field: path('warning_text', k), expected: wt[k]!, actual: lines.length ? `not found${k > 0 ? ` after line ${JSON.stringify(wt[k - 1])}` : ''} in ${lines.length} printed lines` : '(no warning printed)' });
      }
    }
  }
  for (const [key, counts] of Object.entries(exp.buddyinfo ?? {})) {
    const got = buddyinfoOf(r, key);
    if (!got) out.push({ field: path('buddyinfo', key), expected: counts, actual: `no populated zone ${key}` });
    else if (got.length !== counts.length || got.some((v, i) => v !== counts[i])) out.push({ field: path('buddyinfo', key), expected: counts, actual: got });
  }
  return out;
}

function reps(first: number, n: number, bad: number): Pick<Failure, 'repetition' | 'repetitions' | 'failedRepetitions'> {
  if (n <= 1) return {};
  return { repetition: first + 1, repetitions: n, failedRepetitions: bad };
}

function firstLineOrNone(lines: string[]): string {
  return lines.length ? lines[0]! : '(no warning printed)';
}
