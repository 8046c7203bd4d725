/**
 * `--format jsonl`: one JSON object per line, the first `{"kind":"header","schema":1,...}`, then `alloc`, `free`
 * and `warning` lines in request order, and a last `summary` line. The schema is schema/replay-log.schema.json.
 */
import type { AllocEvent, FreeEvent, HeaderEvent, Reporter, ReplaySummary, WarningEvent } from '../replay/decision.js';
import type { Writer } from './writer.js';

export class JsonlReporter implements Reporter {
  private readonly w: Writer;
  constructor(w: Writer) {
    this.w = w;
  }
  header(h: HeaderEvent): void {
    this.w.write(`${JSON.stringify(h)}\n`);
  }
  alloc(e: AllocEvent): void {
    this.w.write(`${JSON.stringify(e)}\n`);
  }
  free(e: FreeEvent): void {
    this.w.write(`${JSON.stringify(e)}\n`);
  }
  warning(e: WarningEvent): void {
    this.w.write(`${JSON.stringify(e)}\n`);
  }
  summary(s: ReplaySummary): void {
    this.w.write(`${JSON.stringify(s)}\n`);
    this.w.flush();
  }
}
