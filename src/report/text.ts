/**
 * `--format text` (default): one aligned line per logged request, its steps indented below (--log steps), the
 * warn_alloc blocks in order as dmesg prints them (never coloured), then the summary. Colour only through the
 * chalk instance the CLI decided on (src/cli/color.ts).
 */
import type { ChalkInstance } from 'chalk';
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import { formatSummaryText } from './summary.js';
import type { Writer } from './writer.js';

export class TextReporter implements Reporter {
  /** each event is formatted during the call, nothing kept: the engine may pass its reused records */
  readonly reusesEvents = true;
  private readonly w: Writer;
  private readonly c: ChalkInstance;
  constructor(w: Writer, c: ChalkInstance) {
    this.w = w;
    this.c = c;
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
  alloc(e: AllocEvent): void {
    const who = `${e.task}-${e.pid}`;
    const res = e.result.ok
      ? `${e.result.zone}${e.result.pfn !== null ? ` pfn 0x${e.result.pfn.toString(16)}` : ''}`
      : this.c.red('failed');
    const rec = e.recorded ? `  (recorded ${e.recorded.ok ? `0x${(e.recorded.pfn ?? 0).toString(16)}` : 'failure'})` : '';
    const name = e.name ? ` ${e.name}` : '';
    const traceGfp = e.trace_gfp !== undefined ? ` (trace: ${e.trace_gfp})` : '';
    this.w.write(`#${String(e.seq).padEnd(7)} ${e.time.padStart(14)}  ${who.padEnd(24)} alloc order=${String(e.order).padEnd(2)} ${e.gfp}${traceGfp} ${e.migratetype}${name}  ${this.pathColour(e.path)} → ${res}${rec}\n`);
    if (e.steps) {
      for (const s of e.steps) {
        this.w.write(`          ${s.kind.padEnd(16)} ${(s.zone ?? '-').padEnd(7)} free=${s.free} mark=${s.mark} reserve=${s.reserve} result=${s.result} alloc_flags=0x${(s.alloc_flags >>> 0).toString(16)} aux=${s.aux}\n`);
      }
    }
  }
  free(e: FreeEvent): void {
    const who = `${e.task}-${e.pid}`;
    const name = e.name ? ` ${e.name}` : '';
    this.w.write(`#${String(e.seq).padEnd(7)} ${e.time.padStart(14)}  ${who.padEnd(24)} free  order=${String(e.order).padEnd(2)} pfn 0x${e.pfn.toString(16)}${name}  ${this.c.dim(e.action)}\n`);
  }
  warning(e: WarningEvent): void {
    for (const l of e.lines) this.w.write(`${l}\n`);
  }
  summary(s: ReplaySummary): void {
    this.w.write(`\n${formatSummaryText(s, this.c)}`);
    this.w.flush();
  }
}
