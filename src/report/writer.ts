/**
 * A buffered text sink: reporters append strings; the run hands the sink one string per WRITER_CHUNK characters
 * (one write per chunk). Appending with += builds a rope that is flattened once, when the chunk goes out.
 */
// 64 Ki characters: what is buffered survives young-generation GCs, and a bigger rope costs more there than the
// extra sink calls save
export const WRITER_CHUNK = 1 << 16;

export class Writer {
  private buf = '';
  private readonly sink: (s: string) => void;
  constructor(sink: (s: string) => void) {
    this.sink = sink;
  }
  write(s: string): void {
    this.buf += s;
    if (this.buf.length >= WRITER_CHUNK) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    const s = this.buf;
    this.buf = '';
    this.sink(s);
  }
}
