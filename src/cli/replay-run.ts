/**
 * The replay command's run (src/cli/replay.ts has its options): the machine, the engine, the reporter, then the
 * scenarios or traces. Loaded on demand, after the first trace's parser worker has started.
 */
import { closeSync, existsSync, openSync, statSync, writeSync } from 'node:fs';
import { resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { buildMachine, machineName, parseSysctlAssignments } from '../mm/machine.js';
import type { Machine } from '../mm/machine.js';
import { DEFAULT_POLICY, getPolicy } from '../policy/index.js';
import type { Policy } from '../policy/policy.js';
import type { Sysctl } from '../mm/mmzone.js';
import { LOG_STEPS, MODE_MIRROR, MODE_SIMULATE, logMask, modeNames } from '../replay/decision.js';
import type { LogLevel } from '../replay/decision.js';
import { ReplayEngine } from '../replay/engine.js';
import { SlowPathDriver } from '../replay/driver.js';
import { applyFirstPass, mirrorFirstPass, replayTraceFile } from '../replay/trace.js';
import type { TracePipeline } from '../replay/pipeline.js';
import { makeReporter, Writer } from '../report/index.js';
import type { ReporterName } from '../report/index.js';
import { makeChalk, useColor } from './color.js';
import type { Io } from './io.js';
import { CHECK_EVERY_REQUEST_MAX_PAGES, DEFAULT_TRACE_MACHINE } from './replay.js';
import type { ReplayOpts } from './replay.js';

/** kernel versions of an era string such as "6.15–6.18" or "6.18" */
function eraContains(era: string, policy: string): boolean {
  const v = policy.replace(/^v/, '');
  const parts = era.split(/[–-]/).map((s) => s.trim());
  const num = (s: string) => s.split('.').reduce((a, x) => a * 1000 + Number(x), 0);
  if (parts.length === 1) return parts[0] === v;
  return num(v) >= num(parts[0]!) && num(v) <= num(parts[1]!);
}

/** the replay of `inputs`; `pipeline` is the first trace's started parser worker, if it has one */
export async function runReplay(inputs: string[], opts: ReplayOpts, io: Io, pipeline: TracePipeline | undefined): Promise<void> {
  const policyName = opts.policy ?? DEFAULT_POLICY;
  const policy = getPolicy(policyName);
  if (!policy) throw new UsageError(`--policy ${policyName}: unknown policy (known: ${DEFAULT_POLICY})`);
  const level = opts.log as LogLevel;
  const format = (opts.format ?? 'text') as ReporterName;
  const sysctl = parseSysctlAssignments(opts.sysctl);
  const scenarios = inputs.filter((i) => i.endsWith('.json'));
  if (scenarios.length > 0 && scenarios.length !== inputs.length) throw new UsageError('replay takes traces or scenarios, not both in one run');
  if (opts.kswapdRate !== undefined && !(Number(opts.kswapdRate) > 0)) throw new UsageError(`--kswapd-rate ${opts.kswapdRate}: expected a positive number of pages per second`);

  // output: --out is written with synchronous writes, as process.stdout writes a file, so the log never piles up
  // in memory when the disk is slower than the replay; the file is opened first, so a bad path fails at once
  let sink = io.stdout;
  let outFd = -1;
  if (opts.out) {
    try {
      outFd = openSync(resolve(io.cwd, opts.out), 'w');
    } catch (e) {
      throw new InputError(opts.out, `cannot write: ${(e as Error).message}`, 'output.open');
    }
    const fd = outFd;
    sink = (s) => { writeSync(fd, s); };
  }
  try {
    await replayTo(inputs, opts, io, sink, format, level, policy, sysctl, scenarios, pipeline);
  } finally {
    if (outFd >= 0) closeSync(outFd);
  }
}

/** the replay proper, its options checked and its output open */
async function replayTo(inputs: string[], opts: ReplayOpts, io: Io, sink: (s: string) => void, format: ReporterName, level: LogLevel,
  policy: Policy, sysctl: Partial<Sysctl>, scenarios: string[], pipeline: TracePipeline | undefined): Promise<void> {
  const colour = format === 'text' && !opts.out && useColor(io.env, opts.color, io.stdoutIsTTY);
  const writer = new Writer(sink);
  const reporter = makeReporter(format, writer, await makeChalk(colour));

  if (scenarios.length > 0) {
    // loaded only for scenarios: the scenario schema brings zod, a quarter of a second a trace replay does not need
    const { loadScenario } = await import('../scenario/load.js');
    const { expandScenario, scenarioMachineSpec } = await import('../scenario/expand.js');
    for (const file of scenarios) {
      const scen = loadScenario(resolve(io.cwd, file));
      const sp = getPolicy(opts.policy ?? scen.policy);
      if (!sp) throw new UsageError(`${file}: policy ${scen.policy} is not implemented yet (known: ${DEFAULT_POLICY})`);
      const spec = opts.machine ?? scenarioMachineSpec(scen);
      const machine = buildMachine(spec, { policy: sp, sysctl: { ...scenarioSysctl(scen.sysctl), ...sysctl }, baseDir: opts.machine ? io.cwd : scen.baseDir });
      if (typeof scen.sysctl.swap === 'boolean') machine.swap = scen.sysctl.swap;
      const engine = makeEngine(machine, MODE_SIMULATE, level, reporter, opts, [file], undefined, io);
      if (opts.mode === 'mirror') io.stderr('mmreplay: scenarios replay in simulate mode (no recorded pfns to mirror)\n');
      reporter.header({ kind: 'header', schema: 1, tool: 'mmreplay', mode: engine.modeName, machine: machineName(machine), policy: sp.name, inputs: [file], log: level });
      expandScenario(scen, engine);
      engine.finish(Boolean(opts.allCounters));
    }
    writer.flush();
    return;
  }

  // traces; the first file's parser worker (replay/pipeline.ts) is already parsing, beside the machine build
  let machine: Machine;
  let snapshot = false;
  if (opts.machine === undefined) {
    io.stderr(`mmreplay: no --machine: replaying on ${DEFAULT_TRACE_MACHINE} in simulate mode\n`);
    machine = buildMachine(DEFAULT_TRACE_MACHINE, { policy, sysctl, baseDir: io.cwd });
  } else {
    machine = buildMachine(opts.machine, { policy, sysctl, baseDir: io.cwd });
    snapshot = machine.source.kind === 'snapshot';
  }
  const stdinUsed = inputs.includes('-');
  let mode = MODE_SIMULATE;
  if (opts.mode === 'mirror') mode = MODE_MIRROR;
  else if (opts.mode === undefined && snapshot && opts.policy === undefined && Object.keys(sysctl).length === 0) mode = MODE_MIRROR;
  if (mode === MODE_MIRROR && !snapshot) throw new UsageError('--mode mirror needs --machine to be the trace\'s /proc snapshot folder');
  const readOpts = {
    strict: Boolean(opts.strict), traceKernel: opts.traceKernel, env: io.env, pipeline,
    onError: format === 'text' ? (m: string) => io.stderr(`mmreplay: ${m}\n`) : undefined,
    // a slow stdout pipe (asynchronous on some systems) holds the replay back instead of the log piling up
    pause: opts.out === undefined ? io.stdoutDrain : undefined,
  };
  for (const f of inputs) if (f !== '-' && !existsSync(resolve(io.cwd, f))) throw new UsageError(`${f}: no such file`);
  const engine = makeEngine(machine, mode, level, reporter, opts, inputs, undefined, io);
  reporter.header({ kind: 'header', schema: 1, tool: 'mmreplay', mode: modeNames[mode]!, machine: machineName(machine), policy: policy.name, inputs, log: level });
  let kernel: string | undefined;
  for (const f of inputs) {
    const path = f === '-' ? '-' : resolve(io.cwd, f);
    if (mode === MODE_MIRROR && f !== '-' && statSync(path).isFile()) {
      let maxPfn = 0;
      for (const n of machine.nodes) maxPfn = Math.max(maxPfn, n.nodeStartPfn + n.nodeSpannedPages);
      const fp = await mirrorFirstPass(path, io.stdin, { ...readOpts, onError: undefined }, maxPfn);
      applyFirstPass(engine, fp);
    }
    const r = await replayTraceFile(engine, path, io.stdin, readOpts);
    kernel = r.kernelEra;
    if (r.lostNotices > 0) {
      io.stderr(`mmreplay: ${f === '-' ? '<stdin>' : f}: the kernel lost ${r.lostEvents} events (${r.lostNotices} ring-buffer overrun notices): the replay does not see them\n`);
    }
    if (r.lines === 0) io.stderr(`mmreplay: ${f === '-' ? '<stdin>' : f}: empty trace (no events)\n`);
  }
  if (kernel && opts.mode === undefined && mode === MODE_SIMULATE && snapshot && opts.policy !== undefined && eraContains(kernel, policy.name)) {
    io.stderr(`mmreplay: note: --policy ${policy.name} is the trace's kernel (${kernel}); --mode mirror measures fidelity\n`);
  }
  if (stdinUsed && mode === MODE_MIRROR) io.stderr('mmreplay: stdin has no first pass: pages first freed in the trace count as allocated before it\n');
  if (kernel) engine.opts.kernel = kernel;
  engine.finish(Boolean(opts.allCounters));
  writer.flush();
}

function scenarioSysctl(s: Record<string, unknown>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'swap' && k !== 'swappiness' && v !== undefined) out[k] = v as number;
  return out;
}

function makeEngine(machine: Machine, mode: number, level: LogLevel, reporter: ReturnType<typeof makeReporter>, opts: ReplayOpts, inputs: string[], kernel: string | undefined, io: Io): ReplayEngine {
  let checkEvery = 0;
  if (opts.checkInvariants !== undefined && opts.checkInvariants !== false) {
    if (typeof opts.checkInvariants === 'string') {
      checkEvery = Number(opts.checkInvariants);
      if (!Number.isInteger(checkEvery) || checkEvery < 1) throw new UsageError(`--check-invariants ${opts.checkInvariants}: expected a positive integer`);
    } else {
      let pages = 0;
      for (const n of machine.nodes) pages += n.nodeSpannedPages;
      checkEvery = pages > CHECK_EVERY_REQUEST_MAX_PAGES ? 1000 : 1;
    }
  }
  const driver = new SlowPathDriver(machine, opts.kswapdRate !== undefined ? { kswapdPagesPerSecond: Number(opts.kswapdRate) } : {});
  const mask = logMask(level);
  const engine = new ReplayEngine({ machine, driver, mode, logMask: mask, reporter, checkEvery, machineName: machineName(machine), inputs, kernel });
  driver.pa.steps.enabled = (mask & LOG_STEPS) !== 0;
  engine.onGfpUnmapped = (flag, traceGfp) => io.stderr(`mmreplay: trace gfp flag ${flag} (in ${traceGfp}) has no ${machine.policy.name} equivalent: dropped\n`);
  return engine;
}
