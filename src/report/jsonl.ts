/**
 * `--format jsonl`: one JSON object per line, the first `{"kind":"header","schema":1,...}`, then `alloc`, `free`
 * and `warning` lines in request order, and a last `summary` line. The schema is schema/replay-log.schema.json.
 *
 * alloc and free lines are built with one template string from the engine's reused record (Reporter.reusesEvents),
 * byte for byte what JSON.stringify prints for the fresh object engine.ts allocEvent()/freeEvent() build: the same
 * keys in the same order (optional ones after `warned`: name, steps, recorded, trace_gfp, predicted), optional keys
 * only when set, strings escaped as JSON.stringify escapes them. Keep in sync with AllocEvent / FreeEvent
 * (decision.ts) and with engine.ts allocEvent() (test/report/jsonl.test.ts compares the two).
 */
import { TaskPidText } from './memo.js';
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import type { Writer } from './writer.js';

/** characters JSON.stringify escapes: '"', '\\', controls, lone surrogates (any surrogate sends us to it) */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** a JSON string literal, as JSON.stringify(s) prints it */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

/** direct-mapped cache size (a power of two): a trace has a handful of (order, gfp, outcome) */
const MID_SLOTS = 64;
/** JSON literals kept per string before the map starts again (task names, gfp texts, request names) */
const LITERALS_MAX = 4096;

export class JsonlReporter implements Reporter {
  readonly reusesEvents = true;
  private readonly w: Writer;
  /** string → its JSON literal (jsonString), so the escape test runs once per distinct string */
  private readonly literals = new Map<string, string>();
  /** `"task":…,"pid":N` */
  private readonly taskPid = new TaskPidText((task, pid) => `"task":${this.lit(task)},"pid":${pid}`);
  /**
   * the middle of an alloc line, `,"order":…,"zone":…` (order, gfp, gfp_mask, migratetype, path and the result
   * but its pfn): the fields it was built for, and the text
   */
  private readonly midOrder = new Float64Array(MID_SLOTS).fill(Number.NaN);
  private readonly midMask = new Float64Array(MID_SLOTS);
  private readonly midGfp: string[] = new Array<string>(MID_SLOTS).fill('');
  private readonly midMt: string[] = new Array<string>(MID_SLOTS).fill('');
  private readonly midPath: string[] = new Array<string>(MID_SLOTS).fill('');
  private readonly midOk = new Uint8Array(MID_SLOTS);
  private readonly midNode: (number | null)[] = new Array<number | null>(MID_SLOTS).fill(null);
  private readonly midZone: (string | null)[] = new Array<string | null>(MID_SLOTS).fill(null);
  private readonly midText: string[] = new Array<string>(MID_SLOTS).fill('');
  constructor(w: Writer) {
    this.w = w;
  }
  header(h: HeaderEvent): void {
    this.w.write(`${JSON.stringify(h)}\n`);
  }
  /** jsonString(s), remembered */
  private lit(s: string): string {
    let j = this.literals.get(s);
    if (j === undefined) {
      j = jsonString(s);
      if (this.literals.size >= LITERALS_MAX) this.literals.clear();
      this.literals.set(s, j);
    }
    return j;
  }
  /** `,"order":…,"gfp":…,"gfp_mask":…,"migratetype":…,"path":…,"result":{"ok":…,"node":…,"zone":…` */
  private mid(e: AllocEvent): string {
    const r = e.result;
    const mask = e.gfp_mask;
    const slot = (mask ^ (mask >>> 7) ^ (mask >>> 15) ^ (e.order << 2) ^ e.path.length ^ (r.ok ? 32 : 0)) & (MID_SLOTS - 1);
    if (this.midOrder[slot] === e.order && this.midMask[slot] === mask && this.midGfp[slot] === e.gfp && this.midMt[slot] === e.migratetype
      && this.midPath[slot] === e.path && this.midOk[slot] === (r.ok ? 1 : 0) && this.midNode[slot] === r.node && this.midZone[slot] === r.zone) {
      return this.midText[slot]!;
    }
    // migratetype, path and zone come from closed name tables that never need escaping
    const text = `,"order":${e.order},"gfp":${this.lit(e.gfp)},"gfp_mask":${mask},"migratetype":"${e.migratetype}","path":"${e.path}","result":{"ok":${r.ok},"node":${r.node},"zone":${r.zone === null ? 'null' : `"${r.zone}"`}`;
    this.midOrder[slot] = e.order;
    this.midMask[slot] = mask;
    this.midGfp[slot] = e.gfp;
    this.midMt[slot] = e.migratetype;
    this.midPath[slot] = e.path;
    this.midOk[slot] = r.ok ? 1 : 0;
    this.midNode[slot] = r.node;
    this.midZone[slot] = r.zone;
    this.midText[slot] = text;
    return text;
  }
  alloc(e: AllocEvent): void {
    let tail = '';
    if (e.name !== undefined) tail += `,"name":${this.lit(e.name)}`;
    if (e.steps !== undefined) tail += `,"steps":${JSON.stringify(e.steps)}`;
    const rec = e.recorded;
    if (rec !== undefined) tail += `,"recorded":{"ok":${rec.ok},"pfn":${rec.pfn}}`;
    if (e.trace_gfp !== undefined) tail += `,"trace_gfp":${this.lit(e.trace_gfp)}`;
    const p = e.predicted;
    if (p !== undefined) tail += `,"predicted":{"kswapd":${p.kswapd},"direct_reclaim":${p.direct_reclaim},"compaction":${p.compaction},"fallback":${p.fallback}}`;
    // time (digits) never needs escaping
    this.w.write(`{"kind":"alloc","seq":${e.seq},"time":"${e.time}",${this.taskPid.get(e.task, e.pid)},"cpu":${e.cpu}${this.mid(e)},"pfn":${e.result.pfn}},"warned":${e.warned}${tail}}\n`);
  }
  free(e: FreeEvent): void {
    const name = e.name !== undefined ? `,"name":${this.lit(e.name)}` : '';
    // action: a closed name table
    this.w.write(`{"kind":"free","seq":${e.seq},"time":"${e.time}",${this.taskPid.get(e.task, e.pid)},"order":${e.order},"pfn":${e.pfn},"action":"${e.action}"${name}}\n`);
  }
  warning(e: WarningEvent): void {
    this.w.write(`${JSON.stringify(e)}\n`);
  }
  summary(s: ReplaySummary): void {
    this.w.write(`${JSON.stringify(s)}\n`);
    this.w.flush();
  }
}
