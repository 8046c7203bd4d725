/**
 * `--format json`: ONE object at the end: `{"schema":1, "header":…, "decisions":[…], "warnings":[…],
 * "summary":…}`; `decisions` holds what --log asked for (alloc and free events, in order).
 */
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import type { Writer } from './writer.js';

export class JsonReporter implements Reporter {
  private readonly w: Writer;
  private head: HeaderEvent | null = null;
  private readonly decisions: (AllocEvent | FreeEvent)[] = [];
  private readonly warnings: WarningEvent[] = [];
  constructor(w: Writer) {
    this.w = w;
  }
  header(h: HeaderEvent): void {
    this.head = h;
  }
  alloc(e: AllocEvent): void {
    this.decisions.push(e);
  }
  free(e: FreeEvent): void {
    this.decisions.push(e);
  }
  warning(e: WarningEvent): void {
    this.warnings.push(e);
  }
  summary(s: ReplaySummary): void {
    this.w.write(`${JSON.stringify({ schema: 1, header: this.head, decisions: this.decisions, warnings: this.warnings, summary: s }, null, 2)}\n`);
    this.w.flush();
  }
}
