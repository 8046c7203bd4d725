/**
 * `mmreplay check`'s engine: discover the items, validate every one first (an invalid file stops the run before
 * anything replays: exit 2 with every located issue), then replay each and evaluate its expectations.
 * Returns results; rendering is src/check/render.ts and src/report/junit.ts, rewriting src/check/update.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MmreplayError } from '../errors.js';
import type { Policy } from '../policy/policy.js';
import { getPolicy } from '../policy/index.js';
import { checkScenarioFile, checkTraceExpectFile, type LoadedScenario, type ScenarioIssue } from '../scenario/load.js';
import type { ScenarioExpect, TraceExpect } from '../scenario/schema.js';
import { discover, type CheckItem } from './discover.js';
import { evaluateExpect, type Failure, type RequestLog } from './expect.js';
import { runScenario, runTrace, type RunResult } from './run.js';

/** The outcome of one scenario or trace sidecar. */
export interface CheckResult {
  file: string;
  /** the scenario's name; a trace's is its file name */
  name: string;
  kind: 'scenario' | 'sidecar';
  ok: boolean;
  ms: number;
  failures: Failure[];
  /** for each request with a failure: the event of its first failing repetition */
  logs: RequestLog[];
  /** the run stopped with a known error (input error while replaying, invariant violation) */
  error?: { message: string; exitCode: number };
  /** no expect block (or an empty one): the run only shows the scenario replays */
  noExpectations: boolean;
  /** what was run: mode, machine, policy */
  run?: { mode: string; machine: string; policy: string };
  /** kept for --update */
  expect?: ScenarioExpect;
  result?: RunResult;
}

export interface InvalidFile {
  file: string;
  issues: ScenarioIssue[];
}

export interface CheckReport {
  results: CheckResult[];
  skipped: string[];
  /** files that do not validate: nothing ran */
  invalid: InvalidFile[];
  ms: number;
}

export interface CheckOptions {
  /** run everything under this policy instead of each scenario's own (traces: simulate mode on their machine) */
  policy?: Policy;
  /** keep the run results in each CheckResult (for --update) */
  keepResults?: boolean;
}

type Prepared = { item: CheckItem; scenario?: LoadedScenario; sidecar?: TraceExpect };

/** Discovers, validates, runs and evaluates. Throws UsageError for a path that does not exist. */
export async function checkPaths(paths: readonly string[], cwd: string, opts: CheckOptions = {}): Promise<CheckReport> {
  const t0 = performance.now();
  const { items, skipped } = discover(paths, cwd);
  const invalid: InvalidFile[] = [];
  const prepared: Prepared[] = [];
  for (const item of items) {
    if (item.kind === 'scenario') {
      const r = checkScenarioFile(item.abs);
      if (r.value) prepared.push({ item, scenario: r.value });
      else invalid.push({ file: item.file, issues: r.issues });
    } else {
      const r = checkTraceExpectFile(item.abs);
      if (r.value) prepared.push({ item, sidecar: r.value });
      else invalid.push({ file: item.file, issues: r.issues });
    }
  }
  if (invalid.length > 0) return { results: [], skipped, invalid, ms: performance.now() - t0 };
  const results: CheckResult[] = [];
  for (const p of prepared) results.push(await checkOne(p, opts));
  return { results, skipped, invalid, ms: performance.now() - t0 };
}

const hasExpectations = (e: ScenarioExpect | undefined): boolean =>
  e !== undefined && (['requests', 'counters', 'warnings', 'warning_text', 'buddyinfo'] as const).some((k) => e[k] !== undefined && (typeof e[k] !== 'object' || Object.keys(e[k] as object).length > 0));

async function checkOne(p: Prepared, opts: CheckOptions): Promise<CheckResult> {
  const { item } = p;
  const t0 = performance.now();
  const expect: ScenarioExpect | undefined = p.scenario ? p.scenario.expect : p.sidecar;
  const name = p.scenario ? p.scenario.name : item.kind === 'sidecar' ? item.traceFile : item.file;
  const base: CheckResult = { file: item.file, name, kind: item.kind, ok: false, ms: 0, failures: [], logs: [], noExpectations: !hasExpectations(expect) };
  try {
    let run: RunResult;
    if (item.kind === 'scenario') {
      const policy = opts.policy ?? getPolicy(p.scenario!.policy)!;
      run = runScenario(p.scenario!, policy, item.file);
    } else {
      // the sidecar may name its machine, policy and mode; under another policy than the recording kernel's the
      // record is no longer the kernel's own: simulate, as `mmreplay replay` does
      const sc = p.sidecar!;
      const machine = sc.machine !== undefined ? sidecarMachine(item.abs, sc.machine) : item.machine;
      const isSnapshot = existsSync(join(machine, 'zoneinfo'));
      const policyGiven = opts.policy ?? (sc.policy !== undefined ? getPolicy(sc.policy) : undefined);
      const policy = policyGiven ?? getPolicy(undefined)!;
      const mode = sc.mode ?? (policyGiven || !isSnapshot ? 'simulate' : 'mirror');
      run = await runTrace({ trace: item.trace, machine, mode }, policy, item.file);
    }
    base.run = { mode: run.mode, machine: run.machine, policy: run.policy };
    base.failures = expect ? evaluateExpect(expect, run, base.logs) : [];
    base.ok = base.failures.length === 0;
    if (opts.keepResults) { base.result = run; if (expect) base.expect = expect; }
  } catch (e) {
    if (!(e instanceof MmreplayError)) throw e;
    base.error = { message: e.message, exitCode: e.exitCode };
  }
  base.ms = performance.now() - t0;
  return base;
}

/** a sidecar's `machine`: a path relative to the sidecar when one exists there, else a preset name */
function sidecarMachine(sidecarAbs: string, spec: string): string {
  const abs = resolve(dirname(sidecarAbs), spec);
  return existsSync(abs) ? abs : spec;
}
