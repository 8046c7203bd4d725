/**
 * Handles: what a recorded pfn (or a scenario request) points to in the simulated machine (simulate mode).
 * A handle is a slot in typed arrays: the simulated head pfn of its block (-1 once the simulator itself freed it:
 * reclaim, OOM kill) and how many recorded pfns refer to it (a THP block served where the kernel fell back to
 * 512 order-0 pages is referred to by those 512 pfns; it is freed at the last one's free). Slots are recycled
 * through a typed-array stack: no allocation per event.
 *
 *   fwd[recordedPfn] = handle + 1   (0 = never seen)
 *   rev[simulatedPfn] = handle      (-1 = no handle: free, or allocated before the trace / by setup)
 * Handle 0 is DEAD: a recorded allocation the simulator failed; its recorded free is a counted no-op.
 */

export const DEAD = 0;

export class Handles {
  sim: Int32Array;
  refs: Int32Array;
  private freeStack: Int32Array;
  private nFree = 0;
  private next = 1;
  fwd: Int32Array;
  readonly rev: Int32Array;
  /** pfns at and above this have no rev entry (beyond the simulated machine) */
  readonly maxSimPfn: number;

  constructor(maxSimPfn: number, initialRecorded = 1 << 16) {
    this.maxSimPfn = maxSimPfn;
    this.rev = new Int32Array(maxSimPfn).fill(-1);
    this.fwd = new Int32Array(initialRecorded);
    this.sim = new Int32Array(1024).fill(-1);
    this.refs = new Int32Array(1024);
    this.freeStack = new Int32Array(1024);
  }

  /** a new handle for the simulated block at simPfn, no references yet */
  alloc(simPfn: number): number {
    let h: number;
    if (this.nFree > 0) h = this.freeStack[--this.nFree]!;
    else {
      h = this.next++;
      if (h >= this.sim.length) this.grow();
    }
    this.sim[h] = simPfn;
    this.refs[h] = 0;
    if (simPfn >= 0 && simPfn < this.maxSimPfn) this.rev[simPfn] = h;
    return h;
  }

  private grow(): void {
    const n = this.sim.length * 2;
    const sim = new Int32Array(n).fill(-1);
    sim.set(this.sim);
    const refs = new Int32Array(n);
    refs.set(this.refs);
    const st = new Int32Array(n);
    st.set(this.freeStack);
    this.sim = sim;
    this.refs = refs;
    this.freeStack = st;
  }

  /** give the slot back (its block is gone and nothing refers to it) */
  release(h: number): void {
    if (h === DEAD) return;
    const s = this.sim[h]!;
    if (s >= 0 && s < this.maxSimPfn && this.rev[s] === h) this.rev[s] = -1;
    this.sim[h] = -1;
    this.refs[h] = 0;
    this.freeStack[this.nFree++] = h;
  }

  /** recordedPfn → h (replacing whatever it pointed to: the caller handles the old one) */
  mapRecorded(recPfn: number, h: number): void {
    if (recPfn >= this.fwd.length) {
      let n = this.fwd.length;
      while (n <= recPfn) n *= 2;
      const f = new Int32Array(n);
      f.set(this.fwd);
      this.fwd = f;
    }
    this.fwd[recPfn] = h + 1;
    if (h !== DEAD) this.refs[h]!++;
  }

  /** the handle of a recorded pfn, -1 when never seen (or already freed) */
  recorded(recPfn: number): number {
    return recPfn >= 0 && recPfn < this.fwd.length ? this.fwd[recPfn]! - 1 : -1;
  }

  /** drop the recorded pfn's reference; returns the handle's remaining references (-1 when there was none) */
  unmapRecorded(recPfn: number): number {
    const h = this.recorded(recPfn);
    if (h < 0) return -1;
    this.fwd[recPfn] = 0;
    if (h === DEAD) return 0;
    return --this.refs[h]!;
  }

  /** MmHooks.moved: compaction migrated the block */
  moved(oldPfn: number, newPfn: number): void {
    if (oldPfn < 0 || oldPfn >= this.maxSimPfn) return;
    const h = this.rev[oldPfn]!;
    if (h < 0) return;
    this.rev[oldPfn] = -1;
    this.sim[h] = newPfn;
    if (newPfn >= 0 && newPfn < this.maxSimPfn) this.rev[newPfn] = h;
  }

  /** MmHooks.freedBySimulator: the block is gone, references stay until their recorded frees (no-ops) */
  freedBySimulator(pfn: number): void {
    if (pfn < 0 || pfn >= this.maxSimPfn) return;
    const h = this.rev[pfn]!;
    if (h < 0) return;
    this.rev[pfn] = -1;
    this.sim[h] = -1;
  }
}
