/**
 * `mmreplay diff INPUT --policy A --policy B` (or `--machine A --machine B`, or `--sysctl-a k=v --sysctl-b k=v`):
 * replays one trace or scenario on two sides in one run (simulate mode) and reports where their decisions
 * diverge and which policy change (or machine / sysctl difference) explains it. Exit 0; 1 with --fail-on-diff
 * when any allocation's outcome, zone or path differs; 2 on bad usage or input.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { UsageError } from '../errors.js';
import { buildMachine, parseSysctlAssignments } from '../mm/machine.js';
import { DEFAULT_POLICY, getPolicy, policyNames } from '../policy/index.js';
import type { Policy } from '../policy/policy.js';
import { DiffRun, diffTraceFile } from '../replay/diff.js';
import type { DiffSideSpec } from '../replay/diff.js';
import { formatDiffJson, formatDiffText } from '../report/diff.js';
import { loadScenario } from '../scenario/load.js';
import type { LoadedScenario } from '../scenario/load.js';
import { expandScenario, scenarioMachineSpec } from '../scenario/expand.js';
import { parseGfpFlags, translateGfp } from '../mm/gfp.js';
import { makeChalk, useColor } from './color.js';
import type { Io } from './io.js';
import { DEFAULT_TRACE_MACHINE } from './replay.js';

interface DiffOpts {
  policy: string[];
  machine: string[];
  sysctl: string[];
  sysctlA: string[];
  sysctlB: string[];
  traceKernel?: string;
  strict?: boolean;
  kswapdRate?: string;
  format: string;
  failOnDiff?: boolean;
  maxDivergences: string;
  color?: boolean;
}

const collect = (v: string, prev: string[] = []): string[] => [...prev, v];

/** default number of divergences listed */
export const DEFAULT_MAX_DIVERGENCES = 50;

export function register(program: Command, io: Io): void {
  program
    .command('diff')
    .description('replay one trace or scenario under two policies, machines or sysctl sets; list the requests decided differently and why')
    .argument('<input>', "a trace (ftrace, trace-cmd report, perf script, CSV, JSONL; .gz; '-' = stdin) or a scenario (*.json)")
    .addOption(new Option('--policy <name>', `kernel-version policy; twice for the two sides, once for both (default: ${DEFAULT_POLICY}, or the scenario's)`).argParser(collect).default([]).helpGroup('Sides'))
    .addOption(new Option('--machine <spec>', `preset, machine JSON or /proc snapshot folder; twice for the two sides, once for both (default for traces: ${DEFAULT_TRACE_MACHINE})`).argParser(collect).default([]).helpGroup('Sides'))
    .addOption(new Option('--sysctl <k=v>', 'vm sysctl for both sides (repeatable)').argParser(collect).default([]).helpGroup('Sides'))
    .addOption(new Option('--sysctl-a <k=v>', 'vm sysctl for side A only (repeatable)').argParser(collect).default([]).helpGroup('Sides'))
    .addOption(new Option('--sysctl-b <k=v>', 'vm sysctl for side B only (repeatable)').argParser(collect).default([]).helpGroup('Sides'))
    .addOption(new Option('--trace-kernel <version>', 'kernel that wrote the trace (default: inferred); its gfp flags are mapped to each policy by meaning').helpGroup('Input'))
    .addOption(new Option('--strict', 'stop at the first malformed line (exit 2)').helpGroup('Input'))
    .addOption(new Option('--kswapd-rate <pages_per_s>', 'kswapd reclaim throughput in simulated time (both sides)').helpGroup('Policy'))
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text').helpGroup('Output'))
    .addOption(new Option('--max-divergences <n>', 'divergences listed (all are counted)').default(String(DEFAULT_MAX_DIVERGENCES)).helpGroup('Output'))
    .addOption(new Option('--fail-on-diff', 'exit 1 when any allocation is decided differently (CI)').helpGroup('Output'))
    .addOption(new Option('--color', 'force colour in text output').helpGroup('Output'))
    .addOption(new Option('--no-color', 'no colour').helpGroup('Output'))
    .action(async (input: string, opts: DiffOpts) => {
      await runDiff(input, opts, io);
    });
}

function policyOf(name: string): Policy {
  const p = getPolicy(name);
  if (!p) throw new UsageError(`--policy ${name}: unknown policy (known: ${policyNames.join(', ')})`);
  return p;
}

/** the two values of a side option: none → [dflt, dflt], one → both sides, two → one each */
function pair(list: string[], option: string, dflt: string | object): [string | object, string | object] {
  if (list.length > 2) throw new UsageError(`${option} given ${list.length} times: a diff has two sides (give it twice, or once for both)`);
  if (list.length === 0) return [dflt, dflt];
  if (list.length === 1) return [list[0]!, list[0]!];
  return [list[0]!, list[1]!];
}

async function runDiff(input: string, opts: DiffOpts, io: Io): Promise<void> {
  const maxDivergences = Number(opts.maxDivergences);
  if (!Number.isInteger(maxDivergences) || maxDivergences < 1) throw new UsageError(`--max-divergences ${opts.maxDivergences}: expected a positive integer`);
  if (opts.kswapdRate !== undefined && !(Number(opts.kswapdRate) > 0)) throw new UsageError(`--kswapd-rate ${opts.kswapdRate}: expected a positive number of pages per second`);
  for (const [list, name] of [[opts.policy, '--policy'], [opts.machine, '--machine']] as const) {
    if (list.length > 2) throw new UsageError(`${name} given ${list.length} times: a diff has two sides (give it twice, or once for both)`);
  }
  const twoSided = opts.policy.length === 2 || opts.machine.length === 2 || opts.sysctlA.length > 0 || opts.sysctlB.length > 0;
  if (!twoSided) throw new UsageError('diff needs two sides: --policy A --policy B, --machine A --machine B, or --sysctl-a k=v / --sysctl-b k=v');
  const isScenario = input.endsWith('.json');
  if (input !== '-' && !existsSync(resolve(io.cwd, input))) throw new UsageError(`${input}: no such file`);
  const scen: LoadedScenario | null = isScenario ? loadScenario(resolve(io.cwd, input)) : null;

  const [pa, pb] = pair(opts.policy, '--policy', scen?.policy ?? DEFAULT_POLICY) as [string, string];
  const [ma, mb] = pair(opts.machine, '--machine', scen ? scenarioMachineSpec(scen) : DEFAULT_TRACE_MACHINE);
  const shared = parseSysctlAssignments(opts.sysctl);
  const sa = { ...shared, ...parseSysctlAssignments(opts.sysctlA, '--sysctl-a') } as Record<string, unknown>;
  const sb = { ...shared, ...parseSysctlAssignments(opts.sysctlB, '--sysctl-b') } as Record<string, unknown>;
  if (!isScenario && opts.machine.length === 0) io.stderr(`mmreplay: no --machine: both sides replay on ${DEFAULT_TRACE_MACHINE}\n`);

  const labels = sideLabels(pa, pb, ma, mb, sa, sb);
  const spec = (name: string, label: string, policyName: string, m: string | object, sysctl: Record<string, unknown>): DiffSideSpec => {
    const policy = policyOf(policyName);
    const scenSysctl = scen ? scenarioSysctl(scen.sysctl) : {};
    const baseDir = scen && opts.machine.length === 0 ? scen.baseDir : io.cwd;
    const machine = buildMachine(m, { policy, sysctl: { ...scenSysctl, ...sysctl }, baseDir });
    if (scen && typeof scen.sysctl.swap === 'boolean') machine.swap = scen.sysctl.swap;
    return { name, label, policy, machine, sysctl };
  };
  const A = spec('A', labels[0], pa, ma, sa);
  const B = spec('B', labels[1], pb, mb, sb);

  const run = new DiffRun(A, B, {
    inputs: [input], maxDivergences, keepAll: isScenario,
    kswapdRate: opts.kswapdRate !== undefined ? Number(opts.kswapdRate) : undefined,
    onUnmapped: (side, flag, gfp) => io.stderr(`mmreplay: side ${side.name} (${side.policy.name}): trace gfp flag ${flag} (in ${gfp}) has no ${side.policy.name} equivalent: dropped\n`),
  });
  let kernel: string | undefined;
  if (scen) {
    const unmapped = (side: DiffSideSpec, flag: string, gfp: string) => io.stderr(`mmreplay: side ${side.name} (${side.policy.name}): scenario gfp flag ${flag} (in ${gfp}) has no ${side.policy.name} equivalent: dropped\n`);
    expandScenario(scenarioForSide(scen, A, unmapped), run.a.engine);
    expandScenario(scenarioForSide(scen, B, unmapped), run.b.engine);
    run.compareAll();
  } else {
    const path = input === '-' ? '-' : resolve(io.cwd, input);
    const r = await diffTraceFile(run, path, io.stdin, {
      strict: Boolean(opts.strict), traceKernel: opts.traceKernel,
      onError: opts.format === 'text' ? (m: string) => io.stderr(`mmreplay: ${m}\n`) : undefined,
    });
    kernel = r.kernelEra;
    if (r.lines === 0) io.stderr(`mmreplay: ${input === '-' ? '<stdin>' : input}: empty trace (no events)\n`);
  }
  const result = run.finish(kernel);
  const colour = opts.format === 'text' && useColor(io.env, opts.color, io.stdoutIsTTY);
  io.stdout(opts.format === 'json' ? formatDiffJson(result) : formatDiffText(result, await makeChalk(colour)));
  if (opts.failOnDiff && result.divergence_count > 0) io.exitCode = 1;
}

/** what tells the sides apart: the policies, machines and sysctl sets that differ (all equal: the policy names) */
function sideLabels(pa: string, pb: string, ma: string | object, mb: string | object, sa: Record<string, unknown>, sb: Record<string, unknown>): [string, string] {
  const la: string[] = [];
  const lb: string[] = [];
  if (pa !== pb) { la.push(pa); lb.push(pb); }
  const mna = typeof ma === 'string' ? ma : 'inline machine';
  const mnb = typeof mb === 'string' ? mb : 'inline machine';
  if (JSON.stringify(ma) !== JSON.stringify(mb)) { la.push(mna); lb.push(mnb); }
  const keys = [...new Set([...Object.keys(sa), ...Object.keys(sb)])];
  for (const k of keys) {
    if (JSON.stringify(sa[k]) === JSON.stringify(sb[k])) continue;
    la.push(sa[k] === undefined ? `${k} default` : `${k}=${String(sa[k])}`);
    lb.push(sb[k] === undefined ? `${k} default` : `${k}=${String(sb[k])}`);
  }
  if (la.length === 0) return [pa, pb];
  return [la.join(' '), lb.join(' ')];
}

/**
 * The scenario as one side replays it: gfp strings are written in the scenario policy's era; a side under a
 * policy of another era gets them decoded there and translated by meaning (translateGfp), as a trace's are.
 */
function scenarioForSide(scen: LoadedScenario, side: DiffSideSpec, onUnmapped: (side: DiffSideSpec, flag: string, gfp: string) => void): LoadedScenario {
  const from = (getPolicy(scen.policy) ?? getPolicy(DEFAULT_POLICY)!).gfpEra;
  const to = side.policy.gfpEra;
  if (from === to) return scen;
  const seen = new Set<string>();
  const requests = scen.requests.map((r) => {
    if (!r.alloc) return r;
    const g = r.alloc.gfp;
    const mask = typeof g === 'number' ? g : parseGfpFlags(g, from);
    const t = translateGfp(mask, from, to);
    for (const f of t.unmapped) {
      if (seen.has(f)) continue;
      seen.add(f);
      onUnmapped(side, f, typeof g === 'number' ? `0x${g.toString(16)}` : g);
    }
    return { ...r, alloc: { ...r.alloc, gfp: t.mask } };
  });
  return { ...scen, requests };
}

function scenarioSysctl(s: Record<string, unknown>): Record<string, number | number[]> {
  const out: Record<string, number | number[]> = {};
  for (const [k, v] of Object.entries(s)) if (k !== 'swap' && k !== 'swappiness' && v !== undefined) out[k] = v as number;
  return out;
}

