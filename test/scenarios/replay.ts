/**
 * Test helper for the mechanism scenarios (traces/scenarios/*.json): replays one scenario in-process through the
 * same entry the CLI uses (`mmreplay replay FILE --format jsonl --log steps`), parses the JSONL log, and checks the
 * scenario's own `expect` block against it, so the expectations shipped in the scenario are exercised too.
 *
 * `kswapd` in an expectation means: the request called wakeup_kswapd() from the slow path (a `wake_all_kswapds`
 * step). `warning_text` is matched against the lines of the request's warn_alloc report (the dmesg prefix
 * `[   seconds] ` is stripped first, so the expectation holds the kernel's own text).
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { run } from '../../src/cli/main.js';
import { memoryIo } from '../../src/cli/io.js';
import type { AllocEvent, FreeEvent, ReplaySummary, StepEvent, WarningEvent } from '../../src/replay/decision.js';

export interface Replayed {
  code: number;
  stderr: string;
  allocs: AllocEvent[];
  frees: FreeEvent[];
  warnings: WarningEvent[];
  summary: ReplaySummary;
  /** the allocation events of a named request, in order */
  named(name: string): AllocEvent[];
  /** a counter's final value (0 when the summary leaves it out) */
  counter(name: string): number;
}

export async function replayScenario(file: string, extra: string[] = []): Promise<Replayed> {
  const io = memoryIo();
  const code = await run(['replay', file, '--format', 'jsonl', '--log', 'steps', ...extra], io);
  const lines = io.out.trim().split('\n').filter((l) => l.length > 0).map((l) => JSON.parse(l) as { kind: string });
  const allocs = lines.filter((l) => l.kind === 'alloc') as AllocEvent[];
  const summary = lines.find((l) => l.kind === 'summary') as ReplaySummary;
  return {
    code,
    stderr: io.err,
    allocs,
    frees: lines.filter((l) => l.kind === 'free') as FreeEvent[],
    warnings: lines.filter((l) => l.kind === 'warning') as WarningEvent[],
    summary,
    named: (name) => allocs.filter((a) => a.name === name),
    counter: (name) => summary?.counters[name] ?? 0,
  };
}

/** the steps of one allocation whose kind is `kind` */
export function stepsOf(a: AllocEvent, kind: string): StepEvent[] {
  return (a.steps ?? []).filter((s) => s.kind === kind);
}

/** the step kinds of one allocation, in order (compact view for toEqual) */
export function stepKinds(a: AllocEvent): string[] {
  return (a.steps ?? []).map((s) => s.kind);
}

/** a step reduced to the columns that carry the watermark check: zone, free, mark, reserve, result */
export function wm(s: StepEvent): { zone: string | null; free: number; mark: number; reserve: number; result: number } {
  return { zone: s.zone, free: s.free, mark: s.mark, reserve: s.reserve, result: s.result };
}

/** dmesg line without its `[  seconds] ` prefix */
export function stripDmesg(line: string): string {
  return line.replace(/^\[\s*\d+\.\d+\] /, '');
}

type Count = number | { min?: number; max?: number };
function countOk(got: number, want: Count): boolean {
  if (typeof want === 'number') return got === want;
  return (want.min === undefined || got >= want.min) && (want.max === undefined || got <= want.max);
}

/**
 * Every way the run differs from the scenario's `expect` block, one message per mismatch (empty: all met).
 */
export function checkExpect(file: string, r: Replayed): string[] {
  const scen = JSON.parse(readFileSync(file, 'utf8')) as { expect?: Record<string, any> };
  const exp = scen.expect ?? {};
  const bad: string[] = [];
  for (const [name, want] of Object.entries<Record<string, any>>(exp.requests ?? {})) {
    const evs = r.named(name);
    if (evs.length === 0) { bad.push(`${name}: no allocation logged`); continue; }
    for (const [i, e] of evs.entries()) {
      const at = `${name}[${i}]`;
      if (want.ok !== undefined && e.result.ok !== want.ok) bad.push(`${at}: ok ${e.result.ok}, expected ${want.ok}`);
      if (want.zone !== undefined && e.result.ok && e.result.zone !== want.zone) bad.push(`${at}: zone ${e.result.zone}, expected ${want.zone}`);
      if (want.node !== undefined && e.result.ok && e.result.node !== want.node) bad.push(`${at}: node ${e.result.node}, expected ${want.node}`);
      if (want.path !== undefined && e.path !== want.path) bad.push(`${at}: path ${e.path}, expected ${want.path}`);
      if (want.warned !== undefined && e.warned !== want.warned) bad.push(`${at}: warned ${e.warned}, expected ${want.warned}`);
      if (want.kswapd !== undefined) {
        const woke = stepsOf(e, 'wake_all_kswapds').length > 0;
        if (woke !== want.kswapd) bad.push(`${at}: kswapd ${woke}, expected ${want.kswapd}`);
      }
    }
    if (want.failures !== undefined) {
      const failures = evs.filter((e) => !e.result.ok).length;
      if (!countOk(failures, want.failures)) bad.push(`${name}: ${failures} failures, expected ${JSON.stringify(want.failures)}`);
    }
  }
  for (const [name, want] of Object.entries<Count>(exp.counters ?? {})) {
    const got = r.counter(name);
    if (!countOk(got, want)) bad.push(`counter ${name}: ${got}, expected ${JSON.stringify(want)}`);
  }
  if (exp.warnings !== undefined && !countOk(r.summary.warnings.printed, exp.warnings)) {
    bad.push(`warnings: ${r.summary.warnings.printed}, expected ${JSON.stringify(exp.warnings)}`);
  }
  if (exp.warning_text !== undefined) {
    const lines = r.warnings.flatMap((w) => w.lines.map(stripDmesg));
    const wanted: string[] = Array.isArray(exp.warning_text) ? exp.warning_text : [];
    if (typeof exp.warning_text === 'string') {
      if (!lines.some((l) => l.includes(exp.warning_text))) bad.push(`warning_text: no line contains ${JSON.stringify(exp.warning_text)}`);
    } else {
      let k = 0;
      for (const l of lines) if (k < wanted.length && l === wanted[k]) k++;
      if (k < wanted.length) bad.push(`warning_text: line ${JSON.stringify(wanted[k])} not found in order`);
    }
  }
  if (exp.buddyinfo !== undefined) {
    for (const [key, counts] of Object.entries<number[]>(exp.buddyinfo)) {
      const [node, zone] = key.split('/');
      const line = r.summary.buddyinfo.split('\n').find((l) => new RegExp(`^Node ${node}, zone\\s+${zone}\\s`).test(l));
      const got = line ? line.trim().split(/\s+/).slice(4).map(Number) : [];
      if (JSON.stringify(got) !== JSON.stringify(counts)) bad.push(`buddyinfo ${key}: ${got.join(' ')}, expected ${counts.join(' ')}`);
    }
  }
  return bad;
}

/** a shipped scenario's path */
export const scen = (name: string): string => `traces/scenarios/${name}.json`;

/** the scenario replayed under policies a and b (`--policy`), each exiting 0 with nothing on stderr */
export async function bothPolicies(name: string, a: string, b: string): Promise<readonly [Replayed, Replayed]> {
  const ra = await replayScenario(scen(name), ['--policy', a]);
  const rb = await replayScenario(scen(name), ['--policy', b]);
  for (const r of [ra, rb]) {
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
  }
  return [ra, rb] as const;
}
