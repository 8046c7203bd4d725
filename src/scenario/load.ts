/**
 * Reads and checks JSON scenarios (and traces' `*.expect.json` sidecars): JSON syntax with `file:line:col:`,
 * the zod schema with every issue as `file: json.path: message`, then the checks zod cannot do (names referenced
 * by free/expect, gfp strings in the policy's era, orders against MAX_PAGE_ORDER, the machine reference, zones of
 * an inline machine, sysctls the policy's kernel has, counters by /proc/vmstat name, time going forwards).
 * Every issue is reported, not only the first.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InputError } from '../errors.js';
import { erasKnowingName, GfpParseError, gfpEraIds, gfpEraSpec, gfpZoneBad, parseGfpFlags } from '../mm/gfp.js';
import { machineJsonIssues, presetNames } from '../mm/machine.js';
import { getPolicy } from '../policy/index.js';
import { counterNameProblem, hint } from './counters.js';
import { JsonSyntaxError, parseJson } from './json.js';
import {
  BUDDYINFO_KEY_RE, DEFAULT_POLICY_NAME, policyNames, scenarioJsonSchemas, scenarioSchema, traceExpectSchema,
  type InlineMachine, type Scenario, type ScenarioExpect, type ScenarioSysctl, type TraceExpect,
} from './schema.js';

/** One problem found in a scenario: `path` in zod's dotted form (`requests[3].alloc.gfp`, '' for the whole file). */
export interface ScenarioIssue {
  path: string;
  message: string;
  /** for JSON syntax errors */
  line?: number;
  column?: number;
}

/** `file: path: message`, `file: message` for the whole file, `file:line:col: message` for JSON syntax */
export function formatIssue(file: string, issue: ScenarioIssue): string {
  if (issue.line !== undefined) return `${file}:${issue.line}:${issue.column ?? 1}: ${issue.message}`;
  return issue.path ? `${file}: ${issue.path}: ${issue.message}` : `${file}: ${issue.message}`;
}

/** A scenario (or sidecar) that does not validate; the message lists every issue, one per line. */
export class ScenarioError extends InputError {
  readonly file: string;
  readonly issues: readonly ScenarioIssue[];
  constructor(file: string, issues: readonly ScenarioIssue[]) {
    super('', issues.map((i) => formatIssue(file, i)).join('\n'), 'scenario');
    this.file = file;
    this.issues = issues;
  }
}

/** A loaded scenario: defaults applied, a machine path made absolute, and where it came from. */
export type LoadedScenario = Scenario & { file: string; baseDir: string };

/** Result of checking one file: the value when valid, every issue otherwise. */
export interface CheckResult<T> {
  value?: T;
  issues: ScenarioIssue[];
}

/** Reads, parses and checks a scenario file; throws ScenarioError listing every issue. */
export function loadScenario(path: string): LoadedScenario {
  const r = checkScenarioFile(path);
  if (!r.value) throw new ScenarioError(path, r.issues);
  return r.value;
}

/** Reads, parses and checks a trace's `*.expect.json` sidecar; throws ScenarioError listing every issue. */
export function loadTraceExpect(path: string): TraceExpect {
  const r = checkTraceExpectFile(path);
  if (!r.value) throw new ScenarioError(path, r.issues);
  return r.value;
}

/** true when `path` names a trace's expect sidecar (`*.expect.json`) rather than a scenario */
export function isExpectSidecar(path: string): boolean {
  return path.endsWith('.expect.json');
}

/** Checks a scenario file without throwing. */
export function checkScenarioFile(path: string): CheckResult<LoadedScenario> {
  const text = readText(path);
  if (typeof text !== 'string') return { issues: [text] };
  return checkScenarioText(text, path, dirname(resolve(path)));
}

/** Checks scenario JSON text; `file` is for messages, `baseDir` resolves a relative machine path. */
export function checkScenarioText(text: string, file: string, baseDir: string): CheckResult<LoadedScenario> {
  const json = parseText(text);
  if ('issue' in json) return { issues: [json.issue] };
  const parsed = scenarioSchema.safeParse(json.value);
  if (!parsed.success) return { issues: zodIssues(parsed.error.issues, jsonSchemaOf('scenario')) };
  const issues: ScenarioIssue[] = [];
  const scenario = parsed.data;
  const machine = checkScenarioSemantics(scenario, baseDir, issues);
  if (issues.length) return { issues };
  return { value: { ...scenario, machine, file, baseDir }, issues };
}

/** Checks a sidecar file without throwing. */
export function checkTraceExpectFile(path: string): CheckResult<TraceExpect> {
  const text = readText(path);
  if (typeof text !== 'string') return { issues: [text] };
  const json = parseText(text);
  if ('issue' in json) return { issues: [json.issue] };
  const parsed = traceExpectSchema.safeParse(json.value);
  if (!parsed.success) return { issues: zodIssues(parsed.error.issues, jsonSchemaOf('expect')) };
  const issues: ScenarioIssue[] = [];
  if (parsed.data.requests !== undefined) {
    issues.push({ path: 'requests', message: 'a trace has no named requests: per-request expectations belong in scenarios' });
  }
  checkExpectCommon(parsed.data, '', undefined, undefined, maxOrderOf(undefined), issues);
  return issues.length ? { issues } : { value: parsed.data, issues };
}

// ---------------------------------------------------------------------------------------------------------------
// reading and parsing

function readText(path: string): string | ScenarioIssue {
  try {
    if (statSync(path).isDirectory()) return { path: '', message: 'cannot read: is a directory' };
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    return { path: '', message: `cannot read: ${why}` };
  }
}

function parseText(text: string): { value: unknown } | { issue: ScenarioIssue } {
  try {
    return { value: parseJson(text) };
  } catch (e) {
    if (e instanceof JsonSyntaxError) return { issue: { path: '', message: e.message, line: e.line, column: e.column } };
    throw e;
  }
}

/**
 * zod issues → ScenarioIssues. Two kinds are made readable here: a record's bad key (zod says only "Invalid key in
 * record"; the key's own issue says why), and a union whose input had the right type for exactly one option
 * (an inline machine object with a wrong field): that option's issues, instead of "expected A or B".
 */
function zodIssues(issues: readonly z.core.$ZodIssue[], schema: JsonSchemaNode, prefix: readonly PropertyKey[] = []): ScenarioIssue[] {
  const out: ScenarioIssue[] = [];
  for (const iss of issues) {
    const path = [...prefix, ...iss.path];
    if (iss.code === 'invalid_union' && iss.errors.length > 0) {
      const near = iss.errors.filter((branch) => !branch.some((b) => b.code === 'invalid_type' && b.path.length === 0));
      if (near.length === 1) { out.push(...zodIssues(near[0]!, schema, path)); continue; }
    }
    let message = iss.message;
    if (iss.code === 'invalid_key' && iss.issues.length > 0) message = iss.issues.map((k) => k.message).join('; ');
    else if (iss.code === 'unrecognized_keys') message = unknownKeyMessage(iss.keys, propertiesAt(schema, path));
    out.push({ path: z.core.toDotPath(path), message });
  }
  return out;
}

function unknownKeyMessage(keys: readonly string[], known: readonly string[]): string {
  const each = keys.map((k) => `"${k}"${hint(k, known)}`);
  return keys.length === 1 ? `unknown key ${each[0]}` : `unknown keys ${each.join(', ')}`;
}

/** a node of the generated JSON Schema (input view), walked to find the keys an object allows */
interface JsonSchemaNode {
  properties?: Record<string, JsonSchemaNode>;
  items?: JsonSchemaNode;
  additionalProperties?: JsonSchemaNode | boolean;
  anyOf?: JsonSchemaNode[];
}

let jsonSchemas: Record<'scenario' | 'expect', JsonSchemaNode> | undefined;
function jsonSchemaOf(which: 'scenario' | 'expect'): JsonSchemaNode {
  if (!jsonSchemas) {
    const s = scenarioJsonSchemas();
    jsonSchemas = { scenario: s['scenario.schema.json'] as JsonSchemaNode, expect: s['expect.schema.json'] as JsonSchemaNode };
  }
  return jsonSchemas[which];
}

/** the property names the object at `path` may have (for "did you mean" on an unknown key) */
function propertiesAt(root: JsonSchemaNode, path: readonly PropertyKey[]): string[] {
  let nodes: JsonSchemaNode[] = [root];
  for (const seg of path) {
    const next: JsonSchemaNode[] = [];
    for (const n of nodes.flatMap(branches)) {
      if (typeof seg === 'number') { if (n.items) next.push(n.items); }
      else if (typeof seg === 'string') {
        const p = n.properties?.[seg] ?? (typeof n.additionalProperties === 'object' ? n.additionalProperties : undefined);
        if (p) next.push(p);
      }
    }
    nodes = next;
  }
  return nodes.flatMap(branches).flatMap((n) => Object.keys(n.properties ?? {}));
}

const branches = (n: JsonSchemaNode): JsonSchemaNode[] => (n.anyOf ? n.anyOf.flatMap(branches) : [n]);

// ---------------------------------------------------------------------------------------------------------------
// semantic checks

/** the first policy whose kernel has each sysctl (older policies reject it) */
const sysctlSince: Partial<Record<keyof ScenarioSysctl, { policy: string; kernel: string }>> = {
  // mm/page_alloc.c: added by Linux kernel commit 795ae7a0de6b ("mm: scale kswapd watermarks in proportion to memory") (in v4.6)
  watermark_scale_factor: { policy: 'v4.12', kernel: '4.6' },
  // mm/page_alloc.c: added by Linux kernel commit 1c30844d2dfe ("mm: reclaim small amounts of memory when an external fragmentation event occurs") (in v5.0)
  watermark_boost_factor: { policy: 'v5.0', kernel: '5.0' },
  // mm/compaction.c (believed v5.9: proactive compaction)
  compaction_proactiveness: { policy: 'v5.15', kernel: '5.9' },
  // mm/page_alloc.c (believed v5.14: replaced percpu_pagelist_fraction)
  percpu_pagelist_high_fraction: { policy: 'v5.15', kernel: '5.14' },
  // mm/page_alloc.c (6.15, kernel-allocator-slowpath.md §14 item 5)
  defrag_mode: { policy: 'v6.18', kernel: '6.15' },
};

const POLICY_FALLBACK_MAX_ORDER = 10;

/** MAX_PAGE_ORDER of a policy; policies not built yet use v6.18's (every x86-64 version hands out order ≤ 10) */
function maxOrderOf(policy: string | undefined): number {
  return (getPolicy(policy) ?? getPolicy(DEFAULT_POLICY_NAME))?.maxPageOrder ?? POLICY_FALLBACK_MAX_ORDER;
}

/** gfp era of a policy; policies not built yet use v6.18's era until the policies issue lands */
function gfpEraOf(policy: string): string {
  return (getPolicy(policy) ?? getPolicy(DEFAULT_POLICY_NAME))?.gfpEra ?? '6.15';
}

/** Runs every semantic check, pushing issues; returns the machine with a path made absolute. */
function checkScenarioSemantics(s: Scenario, baseDir: string, issues: ScenarioIssue[]): Scenario['machine'] {
  const maxOrder = maxOrderOf(s.policy);
  const era = gfpEraOf(s.policy);
  const machine = typeof s.machine === 'string' ? resolveMachine(s.machine, baseDir, issues) : s.machine;
  const inline = typeof s.machine === 'string' ? undefined : s.machine;
  const orderCheck = (order: number, path: string): void => {
    if (order > maxOrder) issues.push({ path, message: `order ${order} is above MAX_PAGE_ORDER (${maxOrder}) of policy ${s.policy}` });
  };

  checkSysctlForPolicy(s.sysctl, s.policy, 'sysctl', issues);
  if (inline) {
    checkInlineMachine(inline, issues);
    if (inline.sysctl) checkSysctlForPolicy(inline.sysctl, s.policy, 'machine.sysctl', issues);
  }

  const pids = new Map<number, number>();
  s.tasks.forEach((t, i) => {
    const seen = pids.get(t.pid);
    if (seen !== undefined) issues.push({ path: `tasks[${i}].pid`, message: `pid ${t.pid} is already used by tasks[${seen}]` });
    else pids.set(t.pid, i);
  });
  const taskCheck = (pid: number | undefined, path: string): void => {
    if (pid !== undefined && !pids.has(pid)) issues.push({ path, message: `task ${pid} is not in tasks` });
  };

  s.setup.forEach((step, i) => {
    if (step.fill) {
      const p = `setup[${i}].fill`;
      zoneCheck(inline, step.fill.node, step.fill.zone, p, issues);
      orderCheck(step.fill.order, `${p}.order`);
      taskCheck(step.fill.task, `${p}.task`);
    } else if (step.fragment) {
      const p = `setup[${i}].fragment`;
      zoneCheck(inline, step.fragment.node, step.fragment.zone, p, issues);
      orderCheck(step.fragment.keep_order, `${p}.keep_order`);
      taskCheck(step.fragment.task, `${p}.task`);
    }
  });

  const allocs = new Map<string, number>();
  const freed = new Map<string, number>();
  let now = 0;
  s.requests.forEach((r, i) => {
    const p = `requests[${i}]`;
    if (r.alloc) {
      const a = r.alloc;
      orderCheck(a.order, `${p}.alloc.order`);
      const err = typeof a.gfp === 'string' ? checkGfp(a.gfp, era, s.policy) : checkGfpZone(a.gfp);
      if (err) issues.push({ path: `${p}.alloc.gfp`, message: err });
      taskCheck(a.task, `${p}.alloc.task`);
      if (a.node !== undefined && inline && a.node >= inline.nodes.length) {
        issues.push({ path: `${p}.alloc.node`, message: `node ${a.node} does not exist (the machine has ${inline.nodes.length})` });
      }
      if (a.at !== undefined) {
        if (a.at < now) issues.push({ path: `${p}.alloc.at`, message: `time ${a.at} s is before the current time ${now} s (requests run in order)` });
        else now = a.at;
      }
      if (a.name !== undefined) {
        const seen = allocs.get(a.name);
        if (seen !== undefined) issues.push({ path: `${p}.alloc.name`, message: `name "${a.name}" is already used by requests[${seen}]` });
        else allocs.set(a.name, i);
      }
    } else if (r.free) {
      const n = r.free.name;
      const seenFree = freed.get(n);
      if (!allocs.has(n)) {
        const later = s.requests.findIndex((q) => q.alloc?.name === n);
        issues.push({ path: `${p}.free.name`, message: later > i
          ? `"${n}" is freed before requests[${later}] allocates it`
          : `no alloc request is named "${n}"${hint(n, allocs.keys())}` });
      } else if (seenFree !== undefined) {
        issues.push({ path: `${p}.free.name`, message: `"${n}" was already freed by requests[${seenFree}]` });
      } else {
        freed.set(n, i);
      }
    } else if (r.advance !== undefined) {
      now += r.advance;
    } else if (r.sysctl) {
      checkSysctlForPolicy(r.sysctl, s.policy, `${p}.sysctl`, issues);
      if (Object.keys(r.sysctl).length === 0) issues.push({ path: `${p}.sysctl`, message: 'sets no sysctl' });
    }
  });

  if (s.expect) {
    for (const n of Object.keys(s.expect.requests ?? {})) {
      if (!allocs.has(n)) issues.push({ path: z.core.toDotPath(['expect', 'requests', n]), message: `no alloc request is named "${n}"${hint(n, allocs.keys())}` });
    }
    for (const [n, e] of Object.entries(s.expect.requests ?? {})) {
      if (e.node !== undefined && inline && e.node >= inline.nodes.length) {
        issues.push({ path: z.core.toDotPath(['expect', 'requests', n, 'node']), message: `node ${e.node} does not exist (the machine has ${inline.nodes.length})` });
      }
    }
    checkExpectCommon(s.expect, 'expect', s.policy, inline, maxOrder, issues);
  }
  return machine;
}

/** checks shared by a scenario's expect block and a trace's sidecar */
function checkExpectCommon(
  e: ScenarioExpect, base: string, policy: string | undefined, inline: InlineMachine | undefined, maxOrder: number, issues: ScenarioIssue[],
): void {
  const at = (...rest: string[]) => z.core.toDotPath(base ? [base, ...rest] : rest);
  for (const name of Object.keys(e.counters ?? {})) {
    const problem = counterNameProblem(name, policy);
    if (problem) issues.push({ path: at('counters', name), message: problem });
  }
  for (const [key, counts] of Object.entries(e.buddyinfo ?? {})) {
    const m = BUDDYINFO_KEY_RE.exec(key);
    if (m && inline) zoneCheck(inline, Number(m[1]), m[2]!, at('buddyinfo', key), issues);
    if (counts.length !== maxOrder + 1) {
      issues.push({ path: at('buddyinfo', key), message: `expected ${maxOrder + 1} counts (orders 0..${maxOrder}), got ${counts.length}` });
    }
  }
}

/** a sysctl the policy's kernel does not have is an error: the user would be testing a setting that does nothing */
function checkSysctlForPolicy(sysctl: ScenarioSysctl, policy: string, path: string, issues: ScenarioIssue[]): void {
  const rank = (p: string) => (policyNames as readonly string[]).indexOf(p);
  for (const key of Object.keys(sysctl) as (keyof ScenarioSysctl)[]) {
    const since = sysctlSince[key];
    if (since && rank(policy) < rank(since.policy)) {
      issues.push({ path: `${path}.${key}`, message: `${key} does not exist before Linux ${since.kernel} (policy ${policy})` });
    }
  }
}

/** the machine JSON rules machine files get too (zone order, duplicates, overlaps, present ≤ spanned, …) */
function checkInlineMachine(m: InlineMachine, issues: ScenarioIssue[]): void {
  for (const i of machineJsonIssues(m)) issues.push({ path: i.path ? `machine.${i.path}` : 'machine', message: i.message });
}

function zoneCheck(inline: InlineMachine | undefined, node: number, zone: string, path: string, issues: ScenarioIssue[]): void {
  if (!inline) return;
  const n = inline.nodes[node];
  if (!n) issues.push({ path, message: `node ${node} does not exist (the machine has ${inline.nodes.length})` });
  else if (!n.zones.some((z) => z.name === zone)) issues.push({ path, message: `node ${node} has no ${zone} zone (it has ${n.zones.map((z) => z.name).join(', ')})` });
}

/**
 * machine string → preset name or absolute path, in the order buildMachine resolves it (src/mm/machine.ts):
 * an existing folder (a /proc snapshot, needs zoneinfo), an existing .json file, a preset name.
 */
function resolveMachine(spec: string, baseDir: string, issues: ScenarioIssue[]): string {
  const abs = resolve(baseDir, spec);
  if (existsSync(abs)) {
    const st = statSync(abs);
    if (st.isDirectory()) {
      if (!existsSync(resolve(abs, 'zoneinfo'))) issues.push({ path: 'machine', message: `snapshot folder "${spec}" has no zoneinfo` });
      return abs;
    }
    if (abs.endsWith('.json')) return abs;
    issues.push({ path: 'machine', message: `"${spec}" is a file but not a .json machine file` });
    return spec;
  }
  const presets = presetNames;
  if (presets.includes(spec)) return spec;
  issues.push({
    path: 'machine',
    message: `unknown machine "${spec}": not a file or folder (relative to the scenario) and not a preset (${presets.join(', ')})${hint(spec, presets)}`,
  });
  return spec;
}

/**
 * gfp names that were renamed or removed (kernel-allocator-core.md §2.4), so a name from an older or newer kernel
 * gets the replacement rather than a spelling guess. Keys are without leading underscores.
 */
const gfpRenames: Readonly<Record<string, string>> = {
  GFP_WAIT: 'replaced in 4.4 by __GFP_DIRECT_RECLAIM (with __GFP_KSWAPD_RECLAIM: __GFP_RECLAIM)',
  GFP_NO_KSWAPD: 'removed in 4.4: leave out __GFP_KSWAPD_RECLAIM instead',
  GFP_REPEAT: 'renamed __GFP_RETRY_MAYFAIL in 4.13',
  GFP_RETRY_MAYFAIL: 'called __GFP_REPEAT before 4.13',
  GFP_COLD: 'removed in 4.15',
  GFP_NOTRACK: 'removed in 4.15',
  GFP_OTHER_NODE: 'removed in 4.10',
  GFP_TEMPORARY: 'removed in 4.14: use GFP_KERNEL',
  GFP_NOACCOUNT: 'replaced in 4.5 by __GFP_ACCOUNT (inverted meaning)',
};

/** undefined when `text` parses as gfp flags of `era` and names a valid zone; otherwise why not */
function checkGfp(text: string, era: string, policy: string): string | undefined {
  let mask: number;
  try {
    mask = parseGfpFlags(text, era);
  } catch (e) {
    if (!(e instanceof GfpParseError)) throw e;
    const flag = e.name;
    const renamed = gfpRenames[flag.replace(/^_+/, '')];
    if (renamed) return `gfp flag '${flag}' is not in policy ${policy}'s kernel: ${renamed}`;
    const elsewhere = erasKnowingName(flag);
    if (elsewhere !== 0) return `gfp flag '${flag}' is not in policy ${policy}'s kernel (only in gfp eras ${gfpEraIds(elsewhere).join(', ')})`;
    const spec = gfpEraSpec(era);
    return `unknown gfp flag '${flag}' in policy ${policy}${hint(flag, [...spec.trace.map(([n]) => n), spec.zero])}`;
  }
  return checkGfpZone(mask);
}

/** include/linux/gfp.h gfp_zone(): two zone modifiers at once is GFP_ZONE_BAD (VM_BUG_ON with DEBUG_VM) */
function checkGfpZone(mask: number): string | undefined {
  return gfpZoneBad(mask) ? 'gfp flags name an invalid zone combination (GFP_ZONE_BAD in gfp_zone())' : undefined;
}
