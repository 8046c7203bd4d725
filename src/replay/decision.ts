/**
 * The events the replay engine hands to reporters (src/report/*), and the closed lists their fields use.
 * Reporters only read these and the read-only summary; they never touch simulator state. Events are built only
 * when the log level asks for them (LOG_* mask), so `--log none` allocates nothing per request.
 *
 * Keep in sync: allocPathNames (src/mm/slowpath.ts) with the scenario schema's allocPaths;
 * stepKindNames with page_alloc.ts stepNames (+ the slow-path step kinds); schema/replay-log.schema.json is
 * generated from these tables by scripts/gen-replay-schema.mjs.
 */

/** which events a run builds (src/replay/log-level.ts) */
export { LOG_FAILURES, LOG_DECISIONS, LOG_STEPS, logLevels, logMask } from './log-level.js';
export type { LogLevel } from './log-level.js';

/** the __alloc_pages stage that served or failed a request: the closed list slowpath.ts defines, under the names the
 *  replay code uses */
export {
  ALLOC_PATH_FAST as PATH_FAST, ALLOC_PATH_MIN_RETRY as PATH_MIN_RETRY, ALLOC_PATH_INITIAL_COMPACT as PATH_INITIAL_COMPACT,
  ALLOC_PATH_RECLAIM as PATH_RECLAIM, ALLOC_PATH_COMPACT as PATH_COMPACT, ALLOC_PATH_RESERVES as PATH_RESERVES,
  ALLOC_PATH_OOM as PATH_OOM, ALLOC_PATH_NOFAIL as PATH_NOFAIL, ALLOC_PATH_FAIL as PATH_FAIL,
  ALLOC_PATH_REJECT as PATH_REJECT, allocPathNames,
} from '../mm/slowpath.js';

/** below 2^40 µs (12.7 days) the product t·10⁶ is within 2^-13 of the exact value */
const TIME6_FAST_MAX_US = 2 ** 40;
/** '000' … '999': a microsecond fraction is two of these */
const DIGITS3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * `t.toFixed(6)` (seconds as the trace prints them), faster for what traces hold: a whole number of microseconds.
 * When t·10⁶ is not within 10⁻³ of an integer (a rounding tie is possible) or is too large for that test to be
 * exact, toFixed itself decides. One instance per event stream: it keeps the last time and the last whole
 * second's text, which consecutive events share (a trace's times only grow).
 */
export class Time6 {
  private lastT = Number.NaN;
  private lastText = '';
  private sec = -1;
  /** `${sec}.` */
  private secDot = '';
  format(t: number): string {
    if (t === this.lastT) return this.lastText;
    const us = Math.round(t * 1e6);
    let text: string;
    if (!(Math.abs(t * 1e6 - us) < 1e-3) || us < 0 || us >= TIME6_FAST_MAX_US) {
      text = t.toFixed(6);
    } else {
      const sec = Math.floor(us / 1e6);
      const frac = us - sec * 1e6;
      if (sec !== this.sec) {
        this.sec = sec;
        this.secDot = `${sec}.`;
      }
      const hi = Math.floor(frac / 1000);
      text = this.secDot + DIGITS3[hi]! + DIGITS3[frac - hi * 1000]!;
    }
    this.lastT = t;
    this.lastText = text;
    return text;
  }
}

/** replay modes */
export const MODE_SIMULATE = 0;
export const MODE_MIRROR = 1;
export const modeNames: readonly string[] = ['simulate', 'mirror'];

/** one decision step as logged (page_alloc.ts AllocSteps columns, kind by name) */
export interface StepEvent {
  kind: string;
  node: number;
  zone: string | null;
  free: number;
  mark: number;
  reserve: number;
  result: number;
  alloc_flags: number;
  aux: number;
}

/** one allocation request and its outcome */
export interface AllocEvent {
  kind: 'alloc';
  seq: number;
  /** seconds, as the trace prints it (6 decimals) */
  time: string;
  task: string;
  pid: number;
  cpu: number;
  order: number;
  gfp: string;
  gfp_mask: number;
  /** another kernel's trace: its gfp_flags text, when the policy's text (gfp) differs */
  trace_gfp?: string;
  migratetype: string;
  path: string;
  /** scenario request name */
  name?: string;
  steps?: StepEvent[];
  result: { ok: boolean; node: number | null; zone: string | null; pfn: number | null };
  /** traces: what the kernel did */
  recorded?: { ok: boolean; pfn: number | null };
  /** mirror mode: the prediction's slow-path expectations */
  predicted?: { kswapd: boolean; direct_reclaim: boolean; compaction: boolean; fallback: boolean };
  warned: boolean;
}

/** one free request */
export interface FreeEvent {
  kind: 'free';
  seq: number;
  time: string;
  task: string;
  pid: number;
  order: number;
  pfn: number;
  /** freed | dropped (kernel reclaim's free, simulate mode) | noop (already reclaimed/killed) | unknown | pre_trace */
  action: string;
  name?: string;
}

/** a warn_alloc report, dmesg lines */
export interface WarningEvent {
  kind: 'warning';
  seq: number;
  time: string;
  lines: string[];
}

export const freeActionNames: readonly string[] = ['freed', 'dropped', 'noop', 'unknown', 'pre_trace', 'skipped'];
export const FREE_FREED = 0;
export const FREE_DROPPED = 1;
export const FREE_NOOP = 2;
export const FREE_UNKNOWN = 3;
export const FREE_PRE_TRACE = 4;
export const FREE_SKIPPED = 5;

/** The agreement of mirror mode: recorded outcome × predicted outcome, zone agreement, kernel record counts. */
export interface Agreement {
  recorded_ok_predicted_ok: number;
  recorded_ok_predicted_failed: number;
  recorded_failed_predicted_ok: number;
  recorded_failed_predicted_failed: number;
  zone_agree: number;
  zone_compared: number;
  /** predicted vs recorded, side by side */
  kswapd_wakeups: { predicted: number; recorded: number };
  direct_reclaims: { predicted: number; recorded: number };
  compactions: { predicted: number; recorded: number };
  fallbacks: { predicted: number; recorded: number };
  /** mirror state disagreements resolved by taking a block over (claimBlock CLAIM_TAKEOVER) */
  takeovers: number;
  /** recorded pfns outside every simulated zone (or on holes) */
  impossible: number;
  /** free pages taken out because the kernel failed where the mirror had memory (engine reconcileFailure) */
  reconciled_pages: number;
}

/** The read-only summary reporters print. */
export interface ReplaySummary {
  kind: 'summary';
  mode: string;
  machine: string;
  policy: string;
  inputs: string[];
  kernel?: string;
  requests: { allocs: number; frees: number; failed: number; events: number };
  by_order: Record<string, { ok: number; failed: number }>;
  by_path: Record<string, number>;
  frees: { dropped: number; noop: number; unknown: number; pre_trace: number };
  thp_group_skipped: number;
  warnings: { printed: number; suppressed: number };
  counters: Record<string, number>;
  unparsed: number;
  agreement?: Agreement;
  buddyinfo: string;
  pagetypeinfo: string;
}

/** The first JSONL line. */
export interface HeaderEvent {
  kind: 'header';
  schema: 1;
  tool: 'mmreplay';
  mode: string;
  machine: string;
  policy: string;
  inputs: string[];
  log: string;
}

/** What every reporter implements (src/report/index.ts maps names to them). */
export interface Reporter {
  /**
   * true when alloc() and free() format the event during the call and keep no reference to it (or to its
   * nested objects): the engine then passes one reused record per event kind, so logging allocates nothing but
   * the output text. Reporters that keep events (json, tests) leave it unset and get a fresh object each time.
   */
  readonly reusesEvents?: boolean;
  header(h: HeaderEvent): void;
  alloc(e: AllocEvent): void;
  free(e: FreeEvent): void;
  warning(e: WarningEvent): void;
  summary(s: ReplaySummary): void;
}
