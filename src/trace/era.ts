/**
 * Which kernel wrote a trace. The gfp_flags text can only be decoded with the bit layout of the kernel that
 * printed it, but the kernel is not written in the trace: it is inferred from a first look at the trace
 * (format signals below, combined with src/mm/gfp.ts GfpEraGuess over the gfp strings), or given with
 * --trace-kernel.
 *
 * Kernel versions are numbers major*100+minor (4.0 → 400, 6.18 → 618) so ranges compare as integers.
 */
import { GfpEraGuess, gfpEras, gfpMigratetype, parseGfpFlags } from '../mm/gfp.js';

export const KERNEL_MIN = 400;
export const KERNEL_MAX = 618;

/** "6.18", "v6.18", "6.18.2", "5.0.1" → 618 / 500; NaN if not a version */
export function parseKernelVersion(text: string): number {
  const m = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number(m[2]);
}

export function formatKernelVersion(v: number): string {
  return `${Math.floor(v / 100)}.${v % 100}`;
}

/** "4.18–5.0" (en dash, '-' or '..'), "6.15+", "6.3" → [lo, hi] */
export function parseKernelRange(text: string): [number, number] {
  const t = text.trim();
  const plus = /^(.*)\+$/.exec(t);
  if (plus) return [parseKernelVersion(plus[1]!), KERNEL_MAX];
  const parts = t.split(/\s*(?:–|—|\.\.|-)\s*/);
  const lo = parseKernelVersion(parts[0]!);
  const hi = parts.length > 1 ? parseKernelVersion(parts[1]!) : lo;
  return [lo, Number.isNaN(hi) ? KERNEL_MAX : hi];
}

export function formatKernelRange(lo: number, hi: number): string {
  return lo === hi ? formatKernelVersion(lo) : `${formatKernelVersion(lo)}–${formatKernelVersion(hi)}`;
}

/**
 * Format signals seen in the first look at a trace, each a kernel range it implies. Sources:
 *  - `pfn=0x…` hex from 5.14 (kmem.h PFN format, reference [5.12→5.15], believed 5.14), decimal before;
 *  - `cold=` in mm_page_free_batched up to 4.14 (kmem.h, __GFP_COLD removed in 4.15 [4.14→4.15]);
 *  - `page=          (null)` for a NULL page up to 5.1; `page=0000000000000000` from 5.2 (lib/vsprintf.c
 *    [5.1→5.2]: 5.2–5.6 print a hash of NULL, ~5.7+ zeros: either way not `(null)`);
 *  - a 5-character irq-flags column (migrate-disable) from 5.13 (believed; kernel/trace/trace_output.c), 4 before;
 *  - mm_setup_per_zone_wmarks / _lowmem_reserve / mm_calculate_totalreserve_pages exist from 6.15 [6.14→6.18];
 *  - mm_page_alloc_zone_locked with percpu_refill ≠ (order == 0): the explicit argument of 6.0+ [5.15→6.0-rc1].
 */
export class EraSignals {
  lo = KERNEL_MIN;
  hi = KERNEL_MAX;
  readonly reasons: string[] = [];
  readonly gfp = new GfpEraGuess();

  /** distinct (gfp_flags, migratetype) pairs of mm_page_alloc lines, with their counts */
  readonly allocPairs = new Map<string, number>();

  /** an mm_page_alloc line: its gfp names narrow the eras, and its migratetype must be gfp_migratetype(gfp) */
  observeAlloc(gfp: string, migratetype: number): void {
    this.gfp.observe(gfp);
    const k = `${migratetype}\u0000${gfp}`;
    if (this.allocPairs.size < 256 || this.allocPairs.has(k)) this.allocPairs.set(k, (this.allocPairs.get(k) ?? 0) + 1);
  }

  /** narrows the range with one signal (first occurrence of each reason is recorded) */
  atLeast(v: number, reason: string): void {
    if (v > this.lo) this.lo = v;
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }
  atMost(v: number, reason: string): void {
    if (v < this.hi) this.hi = v;
    if (!this.reasons.includes(reason)) this.reasons.push(reason);
  }
}

export interface EraChoice {
  /** gfp era id from src/mm/gfp.ts */
  gfpEra: string;
  /** kernel range, e.g. "6.15–6.18" */
  kernelEra: string;
  lo: number;
  hi: number;
}

function eraRange(i: number): [number, number] {
  return parseKernelRange(gfpEras[i]!.kernels);
}

/** the era of an explicit --trace-kernel version; undefined if no gfp era covers it */
export function eraForKernel(text: string): EraChoice | undefined {
  const v = parseKernelVersion(text);
  if (Number.isNaN(v)) return undefined;
  for (let i = gfpEras.length - 1; i >= 0; i--) {
    const [lo, hi] = eraRange(i);
    if (v >= lo && v <= hi) return { gfpEra: gfpEras[i]!.id, kernelEra: formatKernelVersion(v), lo: v, hi: v };
  }
  return undefined;
}

/**
 * Picks the newest gfp era consistent with both the gfp names and the format signals; if the names and the
 * signals contradict each other the names win (they decide how the masks decode). The kernel range reported
 * spans every era still consistent, narrowed by the signals: a range wider than the picked era's says that the
 * trace cannot tell them apart (give --trace-kernel).
 */
export function chooseEra(sig: EraSignals): EraChoice {
  const cand = migratetypeConsistent(sig, sig.gfp.candidates());
  let lo = sig.lo;
  let hi = sig.hi;
  if (lo > hi) { lo = KERNEL_MIN; hi = KERNEL_MAX; }
  let pick = -1;
  for (let i = gfpEras.length - 1; i >= 0 && pick < 0; i--) {
    if (cand !== 0 && (cand & (1 << i)) === 0) continue;
    const [elo, ehi] = eraRange(i);
    if (ehi >= lo && elo <= hi) pick = i;
  }
  if (pick < 0) {
    for (let i = gfpEras.length - 1; i >= 0 && pick < 0; i--) if (cand & (1 << i)) pick = i;
  }
  if (pick < 0) pick = gfpEras.length - 1;
  // the kernel range reported covers every era still consistent (the data cannot tell them apart)
  let ulo = Infinity;
  let uhi = -Infinity;
  for (let i = 0; i < gfpEras.length; i++) {
    if (cand !== 0 && (cand & (1 << i)) === 0) continue;
    const [elo, ehi] = eraRange(i);
    if (ehi >= lo && elo <= hi) { ulo = Math.min(ulo, elo); uhi = Math.max(uhi, ehi); }
  }
  if (ulo > uhi) [ulo, uhi] = eraRange(pick);
  const rlo = Math.max(ulo, lo);
  const rhi = Math.min(uhi, hi);
  const [a, b] = rlo <= rhi ? [rlo, rhi] : [ulo, uhi];
  return { gfpEra: gfpEras[pick]!.id, kernelEra: formatKernelRange(a, b), lo: a, hi: b };
}

/**
 * Keeps, among the candidate eras, those under which the printed migratetype of the most mm_page_alloc lines is
 * gfp_migratetype() of their gfp_flags (include/linux/gfp.h; the numbering changed in 4.4 and the bit layouts
 * with it), e.g. `GFP_KERNEL|GFP_RECLAIMABLE migratetype=1` is 4.0–4.3 (RECLAIMABLE=1), not 4.4–4.5 (=2).
 * A soft filter: page_group_by_mobility_disabled machines print 0 everywhere, so the best eras are kept, not only
 * perfect ones.
 */
function migratetypeConsistent(sig: EraSignals, cand: number): number {
  if (sig.allocPairs.size === 0 || cand === 0) return cand;
  let best = Infinity;
  const bad: number[] = [];
  for (let i = 0; i < gfpEras.length; i++) {
    if ((cand & (1 << i)) === 0) continue;
    const era = gfpEras[i]!.id;
    let n = 0;
    for (const [k, c] of sig.allocPairs) {
      const z = k.indexOf('\u0000');
      const mt = Number(k.slice(0, z));
      try {
        if (gfpMigratetype(parseGfpFlags(k.slice(z + 1), era), era) !== mt) n += c;
      } catch {
        n += c;
      }
    }
    bad[i] = n;
    if (n < best) best = n;
  }
  let out = 0;
  for (let i = 0; i < gfpEras.length; i++) if ((cand & (1 << i)) !== 0 && bad[i] === best) out |= 1 << i;
  return out;
}
