/**
 * Runs one check item in-process through the same engine `mmreplay replay` uses, and keeps what the
 * expectations compare: every allocation of a named scenario request (with its decision steps), the warn_alloc
 * reports, and the summary (every counter, zeros included; the final /proc/buddyinfo).
 *
 * Scenarios replay in simulate mode on the scenario's machine under its policy (or the --policy override), as
 * `mmreplay replay FILE` does. Traces replay as `mmreplay replay TRACE --machine SNAPSHOT` does: mirror mode on
 * their snapshot under the default policy, simulate mode under another policy or on a preset (src/check/discover.ts
 * says where the snapshot comes from).
 */
import { statSync } from 'node:fs';
import { Readable } from 'node:stream';
import { UsageError } from '../errors.js';
import { buildMachine, machineName } from '../mm/machine.js';
import type { Machine } from '../mm/machine.js';
import type { Policy } from '../policy/policy.js';
import { LOG_DECISIONS, LOG_FAILURES, LOG_STEPS, MODE_MIRROR, MODE_SIMULATE } from '../replay/decision.js';
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import { SlowPathDriver } from '../replay/driver.js';
import { ReplayEngine } from '../replay/engine.js';
import { applyFirstPass, mirrorFirstPass, replayTraceFile } from '../replay/trace.js';
import { expandScenario, scenarioMachineSpec } from '../scenario/expand.js';
import type { LoadedScenario } from '../scenario/load.js';

/** What a run leaves for the expectations. */
export interface RunResult {
  /** allocation events of each named request, in request order (one per repetition) */
  named: Map<string, AllocEvent[]>;
  /** every warn_alloc report, dmesg lines as printed */
  warnings: WarningEvent[];
  summary: ReplaySummary;
  mode: string;
  machine: string;
  policy: string;
}

/** Collects named allocations and warnings; ignores the rest (a reporter only reads, design §2). */
class CollectReporter implements Reporter {
  readonly named = new Map<string, AllocEvent[]>();
  readonly warnings: WarningEvent[] = [];
  summaryEvent: ReplaySummary | null = null;
  header(_h: HeaderEvent): void {}
  alloc(e: AllocEvent): void {
    if (e.name === undefined) return;
    let list = this.named.get(e.name);
    if (!list) this.named.set(e.name, (list = []));
    list.push(e);
  }
  free(_e: FreeEvent): void {}
  warning(e: WarningEvent): void {
    this.warnings.push(e);
  }
  summary(s: ReplaySummary): void {
    this.summaryEvent = s;
  }
}

function scenarioSysctl(s: Record<string, unknown>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'swap' && k !== 'swappiness' && v !== undefined) out[k] = v as number;
  return out;
}

function makeEngine(machine: Machine, mode: number, mask: number, reporter: Reporter, inputs: string[]): ReplayEngine {
  const driver = new SlowPathDriver(machine, {});
  const engine = new ReplayEngine({ machine, driver, mode, logMask: mask, reporter, checkEvery: 0, machineName: machineName(machine), inputs });
  driver.pa.steps.enabled = (mask & LOG_STEPS) !== 0;
  return engine;
}

function result(r: CollectReporter, engine: ReplayEngine, machine: Machine): RunResult {
  return {
    named: r.named,
    warnings: r.warnings,
    summary: r.summaryEvent!,
    mode: engine.modeName,
    machine: machineName(machine),
    policy: machine.policy.name,
  };
}

/**
 * Replays a loaded scenario; `policy` is the scenario's own or the --policy override. Steps are logged: the
 * `kswapd` expectation and the decision log of a failed request read them.
 */
export function runScenario(scen: LoadedScenario, policy: Policy, file: string): RunResult {
  const machine = buildMachine(scenarioMachineSpec(scen), { policy, sysctl: scenarioSysctl(scen.sysctl), baseDir: scen.baseDir, label: `${file}: machine` });
  if (typeof scen.sysctl.swap === 'boolean') machine.swap = scen.sysctl.swap;
  const r = new CollectReporter();
  const engine = makeEngine(machine, MODE_SIMULATE, LOG_FAILURES | LOG_DECISIONS | LOG_STEPS, r, [file]);
  expandScenario(scen, engine);
  engine.finish(true);
  return result(r, engine, machine);
}

/** How a trace with a sidecar is replayed (src/check/discover.ts resolves it). */
export interface TraceRun {
  /** absolute path of the trace */
  trace: string;
  /** machine spec: a snapshot folder or machine JSON (absolute), or a preset name */
  machine: string;
  /** 'mirror' needs a snapshot machine */
  mode: 'mirror' | 'simulate';
}

const noStdin = (): NodeJS.ReadableStream => Readable.from([]);

/** Replays a trace; no decision events are built (--log none), warnings and the summary still are. */
export async function runTrace(t: TraceRun, policy: Policy, file: string): Promise<RunResult> {
  const machine = buildMachine(t.machine, { policy, baseDir: '/', label: `${file}: machine` });
  const mirror = t.mode === 'mirror';
  if (mirror && machine.source.kind !== 'snapshot') throw new UsageError(`${file}: mirror mode needs a /proc snapshot machine`);
  const r = new CollectReporter();
  const engine = makeEngine(machine, mirror ? MODE_MIRROR : MODE_SIMULATE, 0, r, [t.trace]);
  const readOpts = { strict: false };
  if (mirror && statSync(t.trace).isFile()) {
    let maxPfn = 0;
    for (const n of machine.nodes) maxPfn = Math.max(maxPfn, n.nodeStartPfn + n.nodeSpannedPages);
    applyFirstPass(engine, await mirrorFirstPass(t.trace, noStdin, readOpts, maxPfn));
  }
  const rr = await replayTraceFile(engine, t.trace, noStdin, readOpts);
  if (rr.kernelEra) engine.opts.kernel = rr.kernelEra;
  engine.finish(true);
  return result(r, engine, machine);
}
