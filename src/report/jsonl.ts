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
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import type { Writer } from './writer.js';

/** characters JSON.stringify escapes: '"', '\\', controls, lone surrogates (any surrogate sends us to it) */
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/** a JSON string literal, as JSON.stringify(s) prints it */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

export class JsonlReporter implements Reporter {
  readonly reusesEvents = true;
  private readonly w: Writer;
  /** the last task name / gfp text and their JSON literals: consecutive events often share them */
  private lastTask = '';
  private lastTaskJson = '""';
  private lastGfp = '';
  private lastGfpJson = '""';
  constructor(w: Writer) {
    this.w = w;
  }
  header(h: HeaderEvent): void {
    this.w.write(`${JSON.stringify(h)}\n`);
  }
  private task(t: string): string {
    if (t !== this.lastTask) {
      this.lastTask = t;
      this.lastTaskJson = jsonString(t);
    }
    return this.lastTaskJson;
  }
  private gfp(g: string): string {
    if (g !== this.lastGfp) {
      this.lastGfp = g;
      this.lastGfpJson = jsonString(g);
    }
    return this.lastGfpJson;
  }
  alloc(e: AllocEvent): void {
    const r = e.result;
    let tail = '';
    if (e.name !== undefined) tail += `,"name":${jsonString(e.name)}`;
    if (e.steps !== undefined) tail += `,"steps":${JSON.stringify(e.steps)}`;
    const rec = e.recorded;
    if (rec !== undefined) tail += `,"recorded":{"ok":${rec.ok},"pfn":${rec.pfn}}`;
    // trace_gfp: the trace kernel's gfp text (AllocEvent.trace_gfp, being added with cross-version gfp translation)
    const traceGfp = (e as { trace_gfp?: string }).trace_gfp;
    if (traceGfp !== undefined) tail += `,"trace_gfp":${jsonString(traceGfp)}`;
    const p = e.predicted;
    if (p !== undefined) tail += `,"predicted":{"kswapd":${p.kswapd},"direct_reclaim":${p.direct_reclaim},"compaction":${p.compaction},"fallback":${p.fallback}}`;
    // time (digits), migratetype, path and zone (closed name tables) never need escaping
    this.w.write(`{"kind":"alloc","seq":${e.seq},"time":"${e.time}","task":${this.task(e.task)},"pid":${e.pid},"cpu":${e.cpu},"order":${e.order},"gfp":${this.gfp(e.gfp)},"gfp_mask":${e.gfp_mask},"migratetype":"${e.migratetype}","path":"${e.path}","result":{"ok":${r.ok},"node":${r.node},"zone":${r.zone === null ? 'null' : `"${r.zone}"`},"pfn":${r.pfn}},"warned":${e.warned}${tail}}\n`);
  }
  free(e: FreeEvent): void {
    const name = e.name !== undefined ? `,"name":${jsonString(e.name)}` : '';
    this.w.write(`{"kind":"free","seq":${e.seq},"time":"${e.time}","task":${this.task(e.task)},"pid":${e.pid},"order":${e.order},"pfn":${e.pfn},"action":"${e.action}"${name}}\n`);
  }
  warning(e: WarningEvent): void {
    this.w.write(`${JSON.stringify(e)}\n`);
  }
  summary(s: ReplaySummary): void {
    this.w.write(`${JSON.stringify(s)}\n`);
    this.w.flush();
  }
}
