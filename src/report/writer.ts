/** A buffered text sink: reporters append strings; the run flushes in 64 KiB pieces (one write per piece). */
export class Writer {
  private parts: string[] = [];
  private size = 0;
  private readonly sink: (s: string) => void;
  constructor(sink: (s: string) => void) {
    this.sink = sink;
  }
  write(s: string): void {
    this.parts.push(s);
    this.size += s.length;
    if (this.size >= 65536) this.flush();
  }
  flush(): void {
    if (this.parts.length === 0) return;
    this.sink(this.parts.join(''));
    this.parts = [];
    this.size = 0;
  }
}
