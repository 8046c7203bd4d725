/**
 * Handles: what a recorded pfn (or a scenario request) points to in the simulated machine (simulate mode).
 * A handle is a slot in typed arrays: the simulated head pfn of its block (-1 once the simulator itself freed it:
 * reclaim, OOM kill) and how many recorded pfns refer to it (a THP block served where the kernel fell back to
 * 512 order-0 pages is referred to by those 512 pfns; it is freed at the last one's free). Slots are recycled
 * through a typed-array stack: no allocation per event.
 *
 *   fwd[recordedPfn] = handle + 1   (0 = never seen)
 *   rev[simulatedPfn] = handle      (0 = no handle: free, or allocated before the trace / by setup; a live
 *                                    handle is never DEAD, so a zeroed array needs no fill and its pages are
 *                                    only faulted in where the simulator allocates)
 *   slot[2h] = simulated pfn, slot[2h + 1] = references   (one cache line for both: a free reads the two)
 * Handle 0 is DEAD: a recorded allocation the simulator failed; its recorded free is a counted no-op.
 */

export const DEAD = 0;

export class Handles {
  /** per handle: simulated head pfn (-1 gone) at 2h, references at 2h + 1 */
  slot: Int32Array;
  private freeStack: Int32Array;
  private nFree = 0;
  private next = 1;
  fwd: Int32Array;
  readonly rev: Int32Array;
  /** pfns at and above this have no rev entry (beyond the simulated machine) */
  readonly maxSimPfn: number;

  constructor(maxSimPfn: number, initialRecorded = 1 << 16) {
    this.maxSimPfn = maxSimPfn;
    this.rev = new Int32Array(maxSimPfn);
    this.fwd = new Int32Array(initialRecorded);
    this.slot = newSlots(1024);
    this.freeStack = new Int32Array(1024);
  }

  /** the simulated head pfn of handle h, -1 once the simulator freed the block */
  sim(h: number): number {
    return this.slot[2 * h]!;
  }

  /** how many recorded pfns refer to handle h */
  refs(h: number): number {
    return this.slot[2 * h + 1]!;
  }

  /** a new handle for the simulated block at simPfn, no references yet */
  alloc(simPfn: number): number {
    let h: number;
    if (this.nFree > 0) h = this.freeStack[--this.nFree]!;
    else {
      h = this.next++;
      if (2 * h >= this.slot.length) this.grow();
    }
    this.slot[2 * h] = simPfn;
    this.slot[2 * h + 1] = 0;
    if (simPfn >= 0 && simPfn < this.maxSimPfn) this.rev[simPfn] = h;
    return h;
  }

  private grow(): void {
    const n = this.freeStack.length * 2;
    const slot = newSlots(n);
    slot.set(this.slot);
    const st = new Int32Array(n);
    st.set(this.freeStack);
    this.slot = slot;
    this.freeStack = st;
  }

  /** give the slot back (its block is gone and nothing refers to it) */
  release(h: number): void {
    if (h === DEAD) return;
    const slot = this.slot;
    const s = slot[2 * h]!;
    if (s >= 0 && s < this.maxSimPfn && this.rev[s] === h) this.rev[s] = 0;
    slot[2 * h] = -1;
    slot[2 * h + 1] = 0;
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
    if (h !== DEAD) this.slot[2 * h + 1]!++;
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
    return --this.slot[2 * h + 1]!;
  }

  /** unmapRecorded() for a recorded pfn whose live handle h (> DEAD) the caller just read: no second lookup */
  dropRecorded(recPfn: number, h: number): number {
    this.fwd[recPfn] = 0;
    return --this.slot[2 * h + 1]!;
  }

  /** MmHooks.moved: compaction migrated the block */
  moved(oldPfn: number, newPfn: number): void {
    if (oldPfn < 0 || oldPfn >= this.maxSimPfn) return;
    const h = this.rev[oldPfn]!;
    if (h === 0) return;
    this.rev[oldPfn] = 0;
    this.slot[2 * h] = newPfn;
    if (newPfn >= 0 && newPfn < this.maxSimPfn) this.rev[newPfn] = h;
  }

  /** MmHooks.freedBySimulator: the block is gone, references stay until their recorded frees (no-ops) */
  freedBySimulator(pfn: number): void {
    if (pfn < 0 || pfn >= this.maxSimPfn) return;
    const h = this.rev[pfn]!;
    if (h === 0) return;
    this.rev[pfn] = 0;
    this.slot[2 * h] = -1;
  }
}

/** n handle slots: no block (-1), no references */
function newSlots(n: number): Int32Array {
  const slot = new Int32Array(2 * n);
  for (let i = 0; i < 2 * n; i += 2) slot[i] = -1;
  return slot;
}
