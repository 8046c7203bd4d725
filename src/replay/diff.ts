/**
 * `mmreplay diff`: two sides (policy, machine, sysctl) replay ONE request stream in simulate mode, each with its
 * own simulated kernel (ReplayEngine + SlowPathDriver + MmSystem); their decisions are compared request by
 * request. A divergence is an allocation whose outcome (ok / failed), zone or path differs. Its `reason` comes
 * from the two decision-step lists (page_alloc.ts / slowpath.ts steps): the first step where they differ says
 * which mechanism decided differently (watermark level, lowmem_reserve, watermark check shape, alloc_flags,
 * fair zone policy, ALLOC_NOFRAGMENT, pcp, fallback, slow path), and that mechanism is matched to the `changes`
 * entries (what / cite) of the policies between the two sides, or to the machine / sysctl difference.
 *
 * State drift: after the first divergence the two states differ, so later divergences may be consequences of
 * it. Requests whose outcome agrees but whose steps differ (another free count, pcp refill, pfn) are drift too:
 * the first one is kept and named when a later divergence only differs in free pages.
 */
import type { Machine } from '../mm/machine.js';
import { machineName } from '../mm/machine.js';
import type { Policy, PolicyChange } from '../policy/policy.js';
import { policyList } from '../policy/index.js';
import { zoneNames } from '../mm/mmzone.js';
import { counterNames } from '../mm/vmstat.js';
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, StepEvent, WarningEvent } from './decision.js';
import { LOG_DECISIONS, LOG_FAILURES, LOG_STEPS, MODE_SIMULATE } from './decision.js';
import { ReplayEngine, REQ_ALLOC, Request } from './engine.js';
import { eventToRequest } from './trace.js';
import type { TraceReplayOptions } from './trace.js';
import { readTrace } from '../trace/read.js';
import type { ReadResult } from '../trace/read.js';
import { SlowPathDriver } from './driver.js';
import type { ReclaimOptions } from '../mm/vmscan.js';

/** One side as the CLI built it. */
export interface DiffSideSpec {
  /** 'A' or 'B' */
  name: string;
  /** what distinguishes this side, e.g. 'v4.12', 'x86_64-1G', 'min_free_kbytes=90112' */
  label: string;
  policy: Policy;
  machine: Machine;
  /** the --sysctl-a / --sysctl-b (and shared --sysctl) assignments applied to this side */
  sysctl: Record<string, unknown>;
}

/** One side's outcome of one request, as the divergence lists it. */
export interface SideOutcome {
  ok: boolean;
  zone: string | null;
  path: string;
  pfn: number | null;
  /** the gfp text under this side's policy */
  gfp: string;
}

/** The policy change (or machine / sysctl difference) a divergence is attributed to. */
export interface Attribution {
  /** the mechanism that decided differently: watermark_level, lowmem_reserve, watermark_check, alloc_flags, fair_zone,
   *  nofragment, pcp, fallback, slowpath, zonelist, kswapd, boost, thp_group, drift, machine */
  mechanism: string;
  /** policy whose `changes` entry explains it, or null for a machine / sysctl difference */
  policy: string | null;
  what: string;
  cite: string | null;
}

export interface Divergence {
  seq: number;
  time: string;
  task: string;
  pid: number;
  order: number;
  /** the trace's gfp text (traces) or side A's (scenarios) */
  gfp: string;
  name?: string;
  a: SideOutcome;
  b: SideOutcome;
  /** one line: what differed in the decision and the change that explains it */
  reason: string;
  explained_by: Attribution;
  /** the first divergence: later ones may be consequences of the state drift it starts */
  first: boolean;
}

/** Per-side outcome table (the replay summary's figures). */
export interface SideOutcomes {
  allocations: number;
  served: number;
  failed: number;
  by_order: Record<string, { ok: number; failed: number }>;
  by_path: Record<string, number>;
  /** THP fault tries skipped because this side served an earlier try the kernel failed */
  thp_group_skipped: number;
}

export interface DiffResult {
  schema: 1;
  kind: 'diff';
  inputs: string[];
  mode: 'simulate';
  kernel?: string;
  sides: { name: string; label: string; policy: string; machine: string; sysctl: Record<string, unknown>; gfp_unmapped: string[] }[];
  outcomes: { a: SideOutcomes; b: SideOutcomes };
  /** union of both sides' non-zero counters, by /proc/vmstat name: [a, b] (null: the side's kernel has no such counter) */
  counters: Record<string, [number | null, number | null]>;
  requests: number;
  divergence_count: number;
  divergences: Divergence[];
  /** divergences not listed (beyond maxDivergences) */
  divergences_omitted: number;
  /** the first request whose decision steps differed, outcome agreeing (state drift before any divergence) */
  first_drift: { seq: number; reason: string } | null;
  /** the first divergence's two decision logs */
  first_logs: { a: AllocEvent; b: AllocEvent } | null;
}

/** Keeps the last allocation event of one side (the engine logs every request at LOG_DECISIONS). */
class CaptureReporter implements Reporter {
  last: AllocEvent | null = null;
  /** scenarios: every event, compared after both runs */
  readonly all: AllocEvent[] | null;
  summaryOut: ReplaySummary | null = null;
  constructor(keepAll: boolean) {
    this.all = keepAll ? [] : null;
  }
  header(_h: HeaderEvent): void {}
  alloc(e: AllocEvent): void {
    this.last = e;
    this.all?.push(e);
  }
  free(_e: FreeEvent): void {}
  warning(_e: WarningEvent): void {}
  summary(s: ReplaySummary): void {
    this.summaryOut = s;
  }
}

export interface DiffOptions {
  inputs: string[];
  /** divergences kept in the result (all are counted) */
  maxDivergences: number;
  /** scenarios: keep every event and compare after both runs; traces: compare as the stream goes */
  keepAll: boolean;
  kswapdRate?: number;
  /** a trace gfp flag this side's policy cannot express (once per flag and side) */
  onUnmapped?: (side: DiffSideSpec, flag: string, traceGfp: string) => void;
}

/** A side's engine and what the comparison needs of it. */
export class DiffSide {
  readonly spec: DiffSideSpec;
  readonly engine: ReplayEngine;
  readonly capture: CaptureReporter;
  readonly unmapped: string[] = [];
  constructor(spec: DiffSideSpec, opts: DiffOptions) {
    this.spec = spec;
    this.capture = new CaptureReporter(opts.keepAll);
    const reclaim: Partial<ReclaimOptions> = opts.kswapdRate !== undefined ? { kswapdPagesPerSecond: opts.kswapdRate } : {};
    const driver = new SlowPathDriver(spec.machine, reclaim);
    // steps are always recorded: the reason of a divergence is read from them
    this.engine = new ReplayEngine({
      machine: spec.machine, driver, mode: MODE_SIMULATE, logMask: LOG_FAILURES | LOG_DECISIONS | LOG_STEPS, reporter: this.capture,
      checkEvery: 0, machineName: machineName(spec.machine), inputs: opts.inputs,
    });
    this.engine.onGfpUnmapped = (flag, gfp) => {
      this.unmapped.push(flag);
      opts.onUnmapped?.(spec, flag, gfp);
    };
  }
}

/** The policy changes between two policies (those of every policy after the older, up to the newer). */
export function changesBetween(a: Policy, b: Policy): (PolicyChange & { policy: string })[] {
  const ia = policyList.indexOf(a);
  const ib = policyList.indexOf(b);
  if (ia < 0 || ib < 0 || ia === ib) return [];
  const out: (PolicyChange & { policy: string })[] = [];
  for (let i = Math.min(ia, ib) + 1; i <= Math.max(ia, ib); i++) {
    const p = policyList[i]!;
    for (const c of p.changes) out.push({ ...c, policy: p.name });
  }
  return out;
}

/** mechanism → the words of a `changes[].what` that concern it (matched in order: the first match names the change) */
const mechanismWords: Readonly<Record<string, RegExp | readonly RegExp[]>> = {
  watermark_level: /min_free_kbytes|watermark_scale_factor|__setup_per_zone_wmarks|watermark boost|highatomic limit/i,
  lowmem_reserve: /lowmem_reserve/i,
  watermark_check: /__zone_watermark_ok|zone_watermark_fast|watermarks subtract/i,
  watermark_fast: [/zone_watermark_fast/, /__zone_watermark_ok/],
  alloc_flags: /gfp_to_alloc_flags|ALLOC_HARDER|ALLOC_NON_BLOCK|ALLOC_HIGHATOMIC|__GFP_ATOMIC/,
  alloc_kswapd: /ALLOC_KSWAPD/,
  cma: /CMA/,
  pcp_high: /adaptive pcp/,
  fair_zone: /fair zone/i,
  // the change that makes the fast path set the flag, before the ones that only define or tune it
  nofragment: [/ALLOC_NOFRAGMENT is set/, /NOFRAGMENT/],
  pcp: /pcp/i,
  fallback: /__rmqueue|fallback|CLAIM|highatomic reserv|HIGHATOMIC/,
  freelist: /free lists|move_to_free_list|__free_one_page|FPI_TO_TAIL|free_high/,
  slowpath: /slow path|should_compact_retry|should_reclaim_retry|compaction/i,
  zonelist: /zonelist/i,
  kswapd: /kswapd|defrag_mode/i,
  boost: /boost/i,
  max_order: /MAX_ORDER|MAX_PAGE_ORDER/,
};

/** step kinds of the slow path (slowpath.ts, vmscan.ts, compaction.ts, oom_kill.ts) */
const slowpathKinds = new Set(['slowpath', 'wake_all_kswapds', 'attempt', 'reserves', 'direct_reclaim', 'drain', 'direct_compact',
  'should_reclaim_retry', 'reclaim_retry_zone', 'should_compact_retry', 'may_oom', 'nopage', 'nofail', 'warn_alloc',
  'unreserve_highatomic']);

function kindMechanism(kind: string): string {
  if (kind === 'fair_skip' || kind === 'fair_retry') return 'fair_zone';
  if (kind === 'nofragment_retry' || kind === 'nofragment_drop') return 'nofragment';
  if (kind === 'wmark_high') return 'pcp_high';
  if (kind === 'skip_kswapd' || kind === 'kswapd_retry') return 'kswapd';
  if (kind === 'boost_wake') return 'boost';
  if (kind === 'wmark' || kind === 'no_watermarks') return 'watermark_check';
  if (kind === 'rmqueue') return 'fallback';
  return 'slowpath';
}

const srcNames = ['none', 'pcp', 'pcp_refill', 'buddy', 'highatomic'];
const fallbackNames = ['none', 'claim', 'steal'];

function stepText(s: StepEvent | undefined): string {
  if (!s) return '(no step)';
  const z = s.zone ? ` ${s.zone}` : '';
  if (s.kind === 'wmark' || s.kind === 'wmark_high') return `${s.kind}${z} free=${s.free} mark=${s.mark} reserve=${s.reserve} ${s.result ? 'ok' : 'fail'}`;
  if (s.kind === 'rmqueue') return `rmqueue${z} from ${srcNames[s.aux] ?? s.aux}${s.mark ? ` (fallback ${fallbackNames[s.mark] ?? s.mark})` : ''}`;
  return `${s.kind}${z}${s.aux ? ` aux=${s.aux}` : ''}`;
}

/**
 * alloc_flags bits in the simulator's layout (v6.18 mm/internal.h, as src/mm/internal.ts; keep in sync), the
 * mechanism each belongs to, most telling first. ALLOC_FAIR is the simulator's own bit for v4.0's ALLOC_FAIR.
 */
const allocFlagBits: readonly (readonly [number, string, string])[] = [
  [0x1000, 'ALLOC_FAIR', 'fair_zone'],
  [0x100, 'ALLOC_NOFRAGMENT', 'nofragment'],
  [0x10, 'ALLOC_NON_BLOCK (ALLOC_HARDER ≤6.2)', 'alloc_flags'],
  [0x20, 'ALLOC_MIN_RESERVE (ALLOC_HIGH ≤6.2)', 'alloc_flags'],
  [0x200, 'ALLOC_HIGHATOMIC', 'alloc_flags'],
  [0x400, 'ALLOC_TRYLOCK', 'alloc_flags'],
  [0x800, 'ALLOC_KSWAPD', 'alloc_kswapd'],
  [0x80, 'ALLOC_CMA', 'cma'],
  [0x08, 'ALLOC_OOM', 'slowpath'],
  [0x04, 'ALLOC_NO_WATERMARKS', 'slowpath'],
  [0x40, 'ALLOC_CPUSET', 'slowpath'],
  [0x03, 'ALLOC_WMARK_*', 'slowpath'],
];

function flagsMechanism(a: number, b: number): string {
  const x = a ^ b;
  for (const [bit, , m] of allocFlagBits) if (x & bit) return m;
  return 'alloc_flags';
}

/** "alloc_flags 0x81 vs 0x181 (ALLOC_NOFRAGMENT on B only)" */
function flagsText(a: number, b: number): string {
  const only: string[] = [];
  for (const [bit, name] of allocFlagBits) {
    if (bit === 0x03) {
      if ((a & 3) !== (b & 3)) only.push(`ALLOC_WMARK_${['MIN', 'LOW', 'HIGH', '?'][a & 3]} vs _${['MIN', 'LOW', 'HIGH', '?'][b & 3]}`);
      continue;
    }
    if (bit === 0x800) continue;
    if ((a & bit) && !(b & bit)) only.push(`${name} on A only`);
    else if (!(a & bit) && (b & bit)) only.push(`${name} on B only`);
  }
  return `alloc_flags 0x${(a >>> 0).toString(16)} vs 0x${(b >>> 0).toString(16)}${only.length ? ` (${only.join(', ')})` : ''}`;
}

/**
 * ALLOC_KSWAPD (4.19+) only lets rmqueue() wake kswapd for a boosted zone, which shows as its own boost_wake
 * step; a policy without the flag decides the same otherwise, so flag comparisons leave it out.
 */
const FLAGS_COMPARED = ~0x800;

/** step kinds whose alloc_flags column holds alloc_flags (others, e.g. wakeup_kswapd, put the era's gfp mask there) */
const flagKinds = new Set(['wmark', 'wmark_high', 'rmqueue', 'no_watermarks', 'slowpath', 'attempt', 'reserves', 'fair_skip', 'nofragment_retry']);

function flagsDiffer(x: StepEvent, y: StepEvent): boolean {
  return flagKinds.has(x.kind) && ((x.alloc_flags ^ y.alloc_flags) & FLAGS_COMPARED) !== 0;
}

function sameStep(x: StepEvent, y: StepEvent): boolean {
  return x.kind === y.kind && x.zone === y.zone && x.free === y.free && x.mark === y.mark && x.reserve === y.reserve &&
    x.result === y.result && !flagsDiffer(x, y) && x.aux === y.aux;
}

/**
 * The steps that decide: wmark_high (6.7+, the ZONE_BELOW_HIGH flag for the pcp high, never the outcome) and an
 * unreserve_highatomic that released nothing (6.18 calls it at every should_reclaim_retry exit) are left out, so
 * a policy that has them is compared with one that has not at the steps that matter.
 */
export function decisiveSteps(steps: readonly StepEvent[] | undefined): StepEvent[] {
  const out: StepEvent[] = [];
  for (const st of steps ?? []) {
    if (st.kind === 'wmark_high' || (st.kind === 'unreserve_highatomic' && st.result === 0)) continue;
    out.push(st);
  }
  return out;
}

/** index of the first step that differs, or -1 when the lists are equal */
export function firstStepDifference(a: readonly StepEvent[], b: readonly StepEvent[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (!sameStep(a[i]!, b[i]!)) return i;
  return a.length === b.length ? -1 : n;
}

/** what differs in one step pair: the mechanism and a detail "A vs B" */
function stepDifference(sa: StepEvent | undefined, sb: StepEvent | undefined): { mechanism: string; detail: string; onlyFree: boolean } {
  if (sa && sb && ((sa.kind === 'wmark' && sb.kind === 'rmqueue') || (sa.kind === 'rmqueue' && sb.kind === 'wmark'))) {
    // one side's zone_watermark_fast() passed without the full check (the order-0 shortcut), the other checked
    return { mechanism: 'watermark_fast', detail: `${stepText(sa)} vs ${stepText(sb)}`, onlyFree: false };
  }
  if (!sa || !sb || sa.kind !== sb.kind) {
    // a step one side took and the other did not: the special one names the mechanism
    const special = [sa, sb].find((s) => s && s.kind !== 'wmark' && s.kind !== 'rmqueue') ?? sa ?? sb;
    return { mechanism: kindMechanism(special!.kind), detail: `${stepText(sa)} vs ${stepText(sb)}`, onlyFree: false };
  }
  if (sa.zone !== sb.zone) return { mechanism: 'zonelist', detail: `${stepText(sa)} vs ${stepText(sb)}`, onlyFree: false };
  const zone = sa.zone ? `${sa.zone} ` : '';
  if (sa.kind === 'wmark' || sa.kind === 'wmark_high') {
    if (flagsDiffer(sa, sb)) {
      const r = sa.result !== sb.result ? `: ${sa.result ? 'ok' : 'fail'} vs ${sb.result ? 'ok' : 'fail'}` : '';
      return { mechanism: flagsMechanism(sa.alloc_flags, sb.alloc_flags), detail: `${zone}${flagsText(sa.alloc_flags, sb.alloc_flags)}${r}`, onlyFree: false };
    }
    if (sa.mark !== sb.mark) return { mechanism: sa.kind === 'wmark_high' ? 'pcp_high' : 'watermark_level', detail: `${zone}watermark ${sa.mark} vs ${sb.mark} (free ${sa.free} vs ${sb.free})`, onlyFree: false };
    if (sa.reserve !== sb.reserve) return { mechanism: 'lowmem_reserve', detail: `${zone}lowmem_reserve ${sa.reserve} vs ${sb.reserve}`, onlyFree: false };
    if (sa.free !== sb.free) return { mechanism: 'drift', detail: `${zone}free pages ${sa.free} vs ${sb.free}`, onlyFree: true };
    return { mechanism: 'watermark_check', detail: `${zone}free=${sa.free} mark=${sa.mark} reserve=${sa.reserve}: ${sa.result ? 'ok' : 'fail'} vs ${sb.result ? 'ok' : 'fail'}`, onlyFree: false };
  }
  if (sa.kind === 'rmqueue') {
    if (flagsDiffer(sa, sb)) {
      return { mechanism: flagsMechanism(sa.alloc_flags, sb.alloc_flags), detail: `${zone}${flagsText(sa.alloc_flags, sb.alloc_flags)}`, onlyFree: false };
    }
    if (sa.aux !== sb.aux) return { mechanism: 'pcp', detail: `${zone}page from ${srcNames[sa.aux] ?? sa.aux} vs ${srcNames[sb.aux] ?? sb.aux}`, onlyFree: false };
    if (sa.mark !== sb.mark) return { mechanism: 'fallback', detail: `${zone}fallback ${fallbackNames[sa.mark] ?? sa.mark} vs ${fallbackNames[sb.mark] ?? sb.mark}`, onlyFree: false };
    if (sa.free !== sb.free) return { mechanism: 'pcp', detail: `${zone}pcp refill took ${sa.free} vs ${sb.free} blocks`, onlyFree: false };
    if (sa.result !== sb.result) {
      const hex = (v: number) => (v >= 0 ? `0x${v.toString(16)}` : 'none');
      return { mechanism: sa.result >= 0 && sb.result >= 0 ? 'freelist' : 'fallback', detail: `${zone}pfn ${hex(sa.result)} vs ${hex(sb.result)}`, onlyFree: false };
    }
  }
  if (sa.free !== sb.free && sa.mark === sb.mark && sa.result === sb.result && sa.aux === sb.aux) {
    return { mechanism: 'drift', detail: `${sa.kind} ${zone}free ${sa.free} vs ${sb.free}`, onlyFree: true };
  }
  if (flagsDiffer(sa, sb)) return { mechanism: flagsMechanism(sa.alloc_flags, sb.alloc_flags), detail: `${sa.kind} ${flagsText(sa.alloc_flags, sb.alloc_flags)}`, onlyFree: false };
  const fields: string[] = [];
  for (const f of ['free', 'mark', 'reserve', 'result', 'aux'] as const) if (sa[f] !== sb[f]) fields.push(`${f} ${sa[f]} vs ${sb[f]}`);
  return { mechanism: kindMechanism(sa.kind), detail: `${sa.kind} ${zone}${fields.join(', ')}`, onlyFree: false };
}

/** Compares two runs' decisions and explains the differences. */
export class DiffComparer {
  readonly a: DiffSideSpec;
  readonly b: DiffSideSpec;
  private readonly changes: (PolicyChange & { policy: string })[];
  private readonly maxDivergences: number;
  readonly divergences: Divergence[] = [];
  count = 0;
  requests = 0;
  firstDrift: { seq: number; reason: string; attribution: Attribution } | null = null;
  firstLogs: { a: AllocEvent; b: AllocEvent } | null = null;

  constructor(a: DiffSideSpec, b: DiffSideSpec, maxDivergences: number) {
    this.a = a;
    this.b = b;
    this.changes = changesBetween(a.policy, b.policy);
    this.maxDivergences = maxDivergences;
  }

  /** one allocation decided by both sides; `traceGfp` is the trace's text ('' for scenarios) */
  compare(ea: AllocEvent, eb: AllocEvent, traceGfp: string): void {
    this.requests++;
    const ra = ea.result;
    const rb = eb.result;
    const diverged = ra.ok !== rb.ok || ra.zone !== rb.zone || ea.path !== eb.path;
    if (!diverged) {
      if (this.firstDrift === null && this.count === 0) {
        const xa = decisiveSteps(ea.steps);
        const xb = decisiveSteps(eb.steps);
        const i = firstStepDifference(xa, xb);
        if (i >= 0) {
          const d = stepDifference(xa[i], xb[i]);
          const at = this.attribute(d.mechanism, d.detail);
          this.firstDrift = { seq: ea.seq, reason: `same outcome, different decision: ${d.detail}; ${attributionText(at)}`, attribution: at };
        }
      }
      return;
    }
    const first = this.count === 0;
    this.count++;
    if (first) this.firstLogs = { a: ea, b: eb };
    if (this.divergences.length >= this.maxDivergences) return;
    const { reason, attribution } = this.explain(ea, eb);
    const dv: Divergence = {
      seq: ea.seq, time: ea.time, task: ea.task, pid: ea.pid, order: ea.order, gfp: traceGfp || ea.gfp,
      a: outcome(ea), b: outcome(eb), reason, explained_by: attribution, first,
    };
    if (ea.name) dv.name = ea.name;
    this.divergences.push(dv);
  }

  private explain(ea: AllocEvent, eb: AllocEvent): { reason: string; attribution: Attribution } {
    if (ea.path === 'thp_group_skipped' || eb.path === 'thp_group_skipped') {
      const side = ea.path === 'thp_group_skipped' ? this.a : this.b;
      const at: Attribution = { mechanism: 'thp_group', policy: null, what: 'consequence of an earlier divergence', cite: null };
      return {
        reason: `THP fault group: side ${side.name} served an earlier try of this fault that the kernel failed, so it skips this retry (a consequence of an earlier divergence)`,
        attribution: at,
      };
    }
    const sa = decisiveSteps(ea.steps);
    const sb = decisiveSteps(eb.steps);
    const i = firstStepDifference(sa, sb);
    if (i < 0) {
      const at = this.attribute('slowpath', `path ${ea.path} vs ${eb.path}`);
      return { reason: `identical decision steps, path ${ea.path} vs ${eb.path}; ${attributionText(at)}`, attribution: at };
    }
    const d = stepDifference(sa[i], sb[i]);
    if (d.onlyFree) {
      const drift = this.firstDrift;
      const at: Attribution = drift
        ? drift.attribution
        : this.attribute('drift', d.detail);
      const since = drift ? `state drift since seq ${drift.seq} (${drift.reason})` : `state drift before this request (frees, pcp lists or kswapd/kcompactd differ); ${attributionText(at)}`;
      return { reason: `${d.detail}: ${since}`, attribution: at };
    }
    const at = this.attribute(d.mechanism, d.detail);
    return { reason: `${d.detail}; ${attributionText(at)}`, attribution: at };
  }

  /** the policy change (or machine / sysctl difference) behind a mechanism */
  attribute(mechanism: string, detail: string): Attribution {
    const words = mechanismWords[mechanism];
    for (const re of words === undefined ? [] : Array.isArray(words) ? words : [words as RegExp]) {
      const c = this.changes.find((x) => re.test(x.what));
      if (c) return { mechanism, policy: c.policy, what: c.what, cite: c.cite };
    }
    const m = machineDifference(this.a, this.b, mechanism);
    if (m) return { mechanism, policy: null, what: m, cite: null };
    if (this.changes.length > 0) {
      // no listed change names this mechanism: say so, and name the policies that differ
      const names = [...new Set(this.changes.map((c) => c.policy))].join(', ');
      return { mechanism, policy: null, what: `no listed change of ${names} names this mechanism (${detail})`, cite: null };
    }
    return { mechanism, policy: null, what: `the sides differ only in ${this.a.label} vs ${this.b.label}`, cite: null };
  }
}

function attributionText(at: Attribution): string {
  if (at.policy) return `${at.policy}: ${at.what} [${at.cite}]`;
  return at.what;
}

function outcome(e: AllocEvent): SideOutcome {
  return { ok: e.result.ok, zone: e.result.zone, path: e.path, pfn: e.result.pfn, gfp: e.gfp };
}

/** the machine / sysctl difference of two sides, in the words of the mechanism when it can say (e.g. the min watermark) */
export function machineDifference(a: DiffSideSpec, b: DiffSideSpec, mechanism: string): string | null {
  const parts: string[] = [];
  const sa = a.machine.sysctl as unknown as Record<string, unknown>;
  const sb = b.machine.sysctl as unknown as Record<string, unknown>;
  for (const k of Object.keys(sa)) {
    const va = JSON.stringify(sa[k]);
    const vb = JSON.stringify(sb[k]);
    if (va !== vb) parts.push(`${k} ${fmt(sa[k])} vs ${fmt(sb[k])}`);
  }
  if (a.machine.swap !== b.machine.swap) parts.push(`swap ${a.machine.swap ? 'on' : 'off'} vs ${b.machine.swap ? 'on' : 'off'}`);
  const ma = machineName(a.machine);
  const mb = machineName(b.machine);
  if (ma !== mb) parts.push(`machine ${ma} vs ${mb}`);
  if (parts.length === 0) return null;
  if (mechanism === 'watermark_level' || mechanism === 'drift' || mechanism === 'watermark_check' || mechanism === 'lowmem_reserve') {
    // the watermarks of the zones that differ, as min/low/high
    const wm: string[] = [];
    const na = a.machine.nodes;
    const nb = b.machine.nodes;
    for (let n = 0; n < Math.min(na.length, nb.length); n++) {
      for (let z = 0; z < zoneNames.length; z++) {
        const za = na[n]!.zones[z];
        const zb = nb[n]!.zones[z];
        if (!za || !zb || za.managedPages === 0) continue;
        if (za.watermark[0] !== zb.watermark[0]) wm.push(`${za.name} min watermark ${za.watermark[0]} vs ${zb.watermark[0]}`);
        else if (za.watermark[1] !== zb.watermark[1]) wm.push(`${za.name} low watermark ${za.watermark[1]} vs ${zb.watermark[1]}`);
      }
    }
    if (wm.length > 0) return `${wm.join(', ')} (${parts.join(', ')})`;
  }
  return parts.join(', ');
}

function fmt(v: unknown): string {
  return Array.isArray(v) ? `[${v.join(',')}]` : String(v);
}

/** Two engines fed from one request stream (traces): each request goes to A, then B, then allocations are compared. */
export class DiffRun {
  readonly a: DiffSide;
  readonly b: DiffSide;
  readonly comparer: DiffComparer;
  readonly opts: DiffOptions;
  constructor(a: DiffSideSpec, b: DiffSideSpec, opts: DiffOptions) {
    this.opts = opts;
    this.a = new DiffSide(a, opts);
    this.b = new DiffSide(b, opts);
    this.comparer = new DiffComparer(a, b, opts.maxDivergences);
  }

  /** one request to both sides (the request record is left as it came: each engine translates gfp for itself) */
  handle(req: Request): void {
    const ca = this.a.capture;
    const cb = this.b.capture;
    ca.last = null;
    cb.last = null;
    this.a.engine.handle(req);
    this.b.engine.handle(req);
    if (req.kind === REQ_ALLOC && ca.last && cb.last && !this.opts.keepAll) this.comparer.compare(ca.last, cb.last, req.gfpText);
  }

  /** scenarios: both sides ran on their own; compare their event lists in order */
  compareAll(): void {
    const la = this.a.capture.all ?? [];
    const lb = this.b.capture.all ?? [];
    for (let i = 0; i < Math.min(la.length, lb.length); i++) this.comparer.compare(la[i]!, lb[i]!, '');
  }

  finish(kernel: string | undefined): DiffResult {
    const sa = this.a.engine.finish(false);
    const sb = this.b.engine.finish(false);
    const c = this.comparer;
    const counters: Record<string, [number | null, number | null]> = {};
    const names = [...new Set([...Object.keys(sa.counters), ...Object.keys(sb.counters)])];
    for (const n of names) counters[n] = [counterValue(sa, n), counterValue(sb, n)];
    const side = (s: DiffSide) => ({
      name: s.spec.name, label: s.spec.label, policy: s.spec.policy.name, machine: machineName(s.spec.machine), sysctl: s.spec.sysctl, gfp_unmapped: s.unmapped,
    });
    const r: DiffResult = {
      schema: 1,
      kind: 'diff',
      inputs: this.opts.inputs,
      mode: 'simulate',
      sides: [side(this.a), side(this.b)],
      outcomes: { a: outcomes(sa), b: outcomes(sb) },
      counters,
      requests: c.requests,
      divergence_count: c.count,
      divergences: c.divergences,
      divergences_omitted: c.count - c.divergences.length,
      first_drift: c.firstDrift ? { seq: c.firstDrift.seq, reason: c.firstDrift.reason } : null,
      first_logs: c.firstLogs,
    };
    if (kernel) r.kernel = kernel;
    return r;
  }
}

/** a side's counter: finish() lists only non-zero ones, so absent means 0 when that kernel keeps it, else null */
function counterValue(s: ReplaySummary, name: string): number | null {
  const v = s.counters[name];
  if (v !== undefined) return v;
  return name.startsWith('mmreplay_') || (counterNames(s.policy) ?? []).includes(name) ? 0 : null;
}

function outcomes(s: ReplaySummary): SideOutcomes {
  return { allocations: s.requests.allocs, served: s.requests.allocs - s.requests.failed, failed: s.requests.failed, by_order: s.by_order, by_path: s.by_path, thp_group_skipped: s.thp_group_skipped };
}

/**
 * One parse of a trace feeding both sides (replay/trace.ts replayTraceFile for two engines). CPUs are folded to
 * the smaller machine's count so both sides see the identical request.
 */
export async function diffTraceFile(run: DiffRun, path: string, stdin: () => NodeJS.ReadableStream, opts: TraceReplayOptions): Promise<ReadResult> {
  const req = new Request();
  const nrCpus = Math.max(1, Math.min(run.a.spec.machine.nrCpus, run.b.spec.machine.nrCpus));
  const r = await readTrace(path, stdin, { strict: opts.strict, traceKernel: opts.traceKernel }, (ev) => {
    if (eventToRequest(ev, req, nrCpus)) run.handle(req);
  }, opts.onError);
  for (const s of [run.a, run.b]) {
    s.engine.unparsed += r.unparsed;
    s.engine.opts.kernel = r.kernelEra;
  }
  return r;
}
