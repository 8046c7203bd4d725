/**
 * `--format text` (default): one aligned line per logged request, its steps indented below (--log steps), the
 * warn_alloc blocks in order as dmesg prints them (never coloured), then the summary. Colour only through the
 * chalk instance the CLI decided on (src/cli/color.ts).
 */
import { TaskPidText } from './memo.js';
import type { ChalkInstance } from 'chalk';
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import { formatSummaryText } from './summary.js';
import type { Writer } from './writer.js';

/** spaces for padding: SPACES[n] is n spaces */
const SPACES: readonly string[] = Array.from({ length: 33 }, (_, i) => ' '.repeat(i));
/** s.padEnd(n) / s.padStart(n) for the short widths of a log line */
function padEnd(s: string, n: number): string {
  return s.length >= n ? s : s + SPACES[n - s.length]!;
}
function padStart(s: string, n: number): string {
  return s.length >= n ? s : SPACES[n - s.length]! + s;
}

/** direct-mapped cache size (a power of two), as in jsonl.ts */
const MID_SLOTS = 64;

export class TextReporter implements Reporter {
  /** each event is formatted during the call, nothing kept: the engine may pass its reused records */
  readonly reusesEvents = true;
  private readonly w: Writer;
  private readonly c: ChalkInstance;
  /** colour on: path and failure words go through chalk; off: plain text without the calls */
  private readonly colour: boolean;
  /** `task-pid` padded to 24 */
  private readonly who = new TaskPidText((task, pid) => padEnd(`${task}-${pid}`, 24));
  /** ` alloc order=… gfp (trace: …) migratetype  path → ` of a request without a name, by its fields */
  private readonly midOrder = new Float64Array(MID_SLOTS).fill(Number.NaN);
  private readonly midGfp: string[] = new Array<string>(MID_SLOTS).fill('');
  private readonly midTraceGfp: (string | undefined)[] = new Array<string | undefined>(MID_SLOTS).fill(undefined);
  private readonly midMt: string[] = new Array<string>(MID_SLOTS).fill('');
  private readonly midPath: string[] = new Array<string>(MID_SLOTS).fill('');
  private readonly midText: string[] = new Array<string>(MID_SLOTS).fill('');
  constructor(w: Writer, c: ChalkInstance) {
    this.w = w;
    this.c = c;
    this.colour = c.level > 0;
  }
  header(h: HeaderEvent): void {
    this.w.write(`${this.c.dim(`mmreplay replay: ${h.inputs.join(', ')}: ${h.mode} mode, machine ${h.machine}, policy ${h.policy}, log ${h.log}`)}\n`);
  }
  private pathColour(p: string): string {
    const c = this.c;
    if (p === 'fast') return c.green(p);
    if (p === 'fail' || p === 'reject' || p === 'oom') return c.red(p);
    return c.yellow(p);
  }
  /** the part of an alloc line between the task and the result */
  private buildMid(e: AllocEvent): string {
    const tg = e.trace_gfp;
    return `alloc order=${padEnd(String(e.order), 2)} ${e.gfp}${tg !== undefined ? ` (trace: ${tg})` : ''} ${e.migratetype}${e.name ? ` ${e.name}` : ''}  ${this.colour ? this.pathColour(e.path) : e.path} → `;
  }
  /** buildMid(), cached for requests without a name (scenario requests, each with its own name, are few) */
  private mid(e: AllocEvent): string {
    if (e.name) return this.buildMid(e);
    const tg = e.trace_gfp;
    const g = e.gfp;
    const slot = (e.order * 7 + g.length * 3 + g.charCodeAt(g.length >> 1) + e.migratetype.length + e.path.length * 5 + (tg === undefined ? 0 : 32)) & (MID_SLOTS - 1);
    if (this.midOrder[slot] === e.order && this.midGfp[slot] === g && this.midTraceGfp[slot] === tg && this.midMt[slot] === e.migratetype
      && this.midPath[slot] === e.path) {
      return this.midText[slot]!;
    }
    const text = this.buildMid(e);
    this.midOrder[slot] = e.order;
    this.midGfp[slot] = e.gfp;
    this.midTraceGfp[slot] = tg;
    this.midMt[slot] = e.migratetype;
    this.midPath[slot] = e.path;
    this.midText[slot] = text;
    return text;
  }
  alloc(e: AllocEvent): void {
    const r = e.result;
    const res = r.ok
      ? (r.pfn !== null ? `${r.zone} pfn 0x${r.pfn.toString(16)}` : `${r.zone}`)
      : (this.colour ? this.c.red('failed') : 'failed');
    const rec = e.recorded ? `  (recorded ${e.recorded.ok ? `0x${(e.recorded.pfn ?? 0).toString(16)}` : 'failure'})` : '';
    this.w.write(`#${padEnd(String(e.seq), 7)} ${padStart(e.time, 14)}  ${this.who.get(e.task, e.pid)} ${this.mid(e)}${res}${rec}\n`);
    if (e.steps) {
      for (const s of e.steps) {
        this.w.write(`          ${s.kind.padEnd(16)} ${(s.zone ?? '-').padEnd(7)} free=${s.free} mark=${s.mark} reserve=${s.reserve} result=${s.result} alloc_flags=0x${(s.alloc_flags >>> 0).toString(16)} aux=${s.aux}\n`);
      }
    }
  }
  free(e: FreeEvent): void {
    const name = e.name ? ` ${e.name}` : '';
    this.w.write(`#${padEnd(String(e.seq), 7)} ${padStart(e.time, 14)}  ${this.who.get(e.task, e.pid)} free  order=${padEnd(String(e.order), 2)} pfn 0x${e.pfn.toString(16)}${name}  ${this.colour ? this.c.dim(e.action) : e.action}\n`);
  }
  warning(e: WarningEvent): void {
    for (const l of e.lines) this.w.write(`${l}\n`);
  }
  summary(s: ReplaySummary): void {
    this.w.write(`\n${formatSummaryText(s, this.c)}`);
    this.w.flush();
  }
}
