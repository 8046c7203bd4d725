/**
 * String interning keyed by bytes: a trace repeats the same few task names, event names and gfp_flags strings
 * millions of times, so a line's bytes are hashed and compared in place and decoded only the first time they
 * are seen (no allocation per line). Open addressing over a power-of-two slot table.
 */
/** FNV-1a, computed by callers while they scan a token */
export const HASH_INIT = 0x811c9dc5;
export const HASH_MUL = 0x01000193;

export class Intern {
  private slots: Int32Array = new Int32Array(1024).fill(-1);
  private hashes: number[] = [];
  private bytes: Buffer[] = [];
  /** the bytes as little-endian 32-bit words (the whole ones), for matches() */
  private words: Int32Array[] = [];
  private strs: string[] = [];
  private byStr = new Map<string, number>();
  /** per-id counters that callers may use freely (e.g. events per name) */
  counts: Float64Array = new Float64Array(256);

  private readonly encoding: 'utf8' | 'latin1';
  constructor(encoding: 'utf8' | 'latin1' = 'utf8') {
    this.encoding = encoding;
  }

  get size(): number { return this.strs.length; }
  str(id: number): string { return this.strs[id]!; }

  /** id of the bytes buf[start, end), added on first sight */
  idOfBytes(buf: Buffer, start: number, end: number): number {
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return this.idOfHashed(buf, start, end, h);
  }

  /** idOfBytes with the FNV-1a hash (HASH_INIT, hashStep) already computed by the caller's scan */
  idOfHashed(buf: Buffer, start: number, end: number, h: number): number {
    const slots = this.slots;
    const mask = slots.length - 1;
    const len = end - start;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const id = slots[s]!;
      if (id < 0) break;
      if (this.hashes[id] !== h) continue;
      const b = this.bytes[id]!;
      if (b.length !== len) continue;
      let i = 0;
      while (i < len && b[i] === buf[start + i]) i++;
      if (i === len) return id;
    }
    const text = buf.toString(this.encoding, start, end);
    return this.add(text, h, Buffer.from(buf.subarray(start, end)));
  }

  /**
   * whether buf[start, end) are exactly the bytes of `id`: the check behind the parsers' one-entry caches (by pid,
   * by length), which lets a repeated token skip hashing; a miss falls back to idOfBytes. `dv` views the same
   * memory as `buf` (same offset): four bytes per read, since each typed-array read costs about as much as four
   * byte compares in V8's code.
   */
  matches(id: number, buf: Buffer, dv: DataView, start: number, end: number): boolean {
    const b = this.bytes[id]!;
    const len = end - start;
    if (b.length !== len) return false;
    const w = this.words[id]!;
    const nw = len >> 2;
    for (let k = 0; k < nw; k++) if (dv.getInt32(start + 4 * k, true) !== w[k]) return false;
    for (let i = nw * 4; i < len; i++) if (b[i] !== buf[start + i]) return false;
    return true;
  }

  /** id of a string (CSV/JSONL front ends) */
  idOf(text: string): number {
    const id = this.byStr.get(text);
    if (id !== undefined) return id;
    const b = Buffer.from(text, this.encoding);
    let h = 0x811c9dc5;
    for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
    // the same text may already be present via idOfBytes
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let s = h & mask; ; s = (s + 1) & mask) {
      const e = slots[s]!;
      if (e < 0) break;
      if (this.hashes[e] === h && this.strs[e] === text) { this.byStr.set(text, e); return e; }
    }
    return this.add(text, h, b);
  }

  private add(text: string, h: number, b: Buffer): number {
    const id = this.strs.length;
    this.strs.push(text);
    this.hashes.push(h);
    this.bytes.push(b);
    const w = new Int32Array(b.length >> 2);
    for (let k = 0; k < w.length; k++) w[k] = b.readInt32LE(4 * k);
    this.words.push(w);
    this.byStr.set(text, id);
    if (id >= this.counts.length) {
      const c = new Float64Array(this.counts.length * 2);
      c.set(this.counts);
      this.counts = c;
    }
    if ((id + 1) * 2 > this.slots.length) this.rehash();
    else this.place(id, h);
    return id;
  }

  private place(id: number, h: number): void {
    const mask = this.slots.length - 1;
    let s = h & mask;
    while (this.slots[s]! >= 0) s = (s + 1) & mask;
    this.slots[s] = id;
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1);
    for (let id = 0; id < this.strs.length; id++) this.place(id, this.hashes[id]!);
  }
}
