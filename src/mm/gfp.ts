/**
 * GFP flags for every kernel era from 4.0 to 6.18: parse a trace's `gfp_flags=` text, print a mask as that era's
 * trace events (show_gfp_flags) and warn_alloc (`mode:%#x(%pGg)`) print it, gfp_zone(), gfp_migratetype(), and
 * translation between eras by flag meaning.
 *
 * Mirrors include/linux/gfp.h gfp_zone() / gfp_migratetype() (gfpflags_to_migratetype() before 5.5),
 * kernel/trace/trace_output.c trace_print_flags_seq() and lib/vsprintf.c format_flags() (%pGg), over the
 * per-era tables in ./gfp-tables.ts (x86-64, NUMA, no LOCKDEP, no KASAN_HW_TAGS, MEMCG: see that file).
 */
import { UsageError } from '../errors.js';
import {
  MIGRATE_MOVABLE,
  MIGRATE_RECLAIMABLE,
  MIGRATE_UNMOVABLE,
  ZONE_DMA,
  ZONE_DMA32,
  ZONE_MOVABLE,
  ZONE_NORMAL,
} from './mmzone.js';
import { gfpEraSpecs, type GfpEraSpec } from './gfp-tables.js';

export type { GfpEraSpec } from './gfp-tables.js';

/** Era id: the first release of a range with one gfp layout and one trace name table ('4.0' … '6.15'). */
export type GfpEra = string;

/** The eras in chronological order, with the releases each covers. Bitsets below index this array. */
export const gfpEras: readonly { id: GfpEra; kernels: string }[] = gfpEraSpecs.map((e) => ({
  id: e.id,
  kernels: e.kernels,
}));

/** A flag name in a gfp string that the era (or every era) does not know. `.name` is the offending name. */
export class GfpParseError extends Error {
  /** the offending flag name, as written in the input */
  override readonly name: string;
  /** the era asked for, when the name is known to some other era (undefined: unknown to every era) */
  readonly era: GfpEra | undefined;
  readonly code = 'gfp-unknown-flag';
  constructor(name: string, era?: GfpEra) {
    super(`unknown gfp flag '${name}'`);
    this.name = name;
    this.era = era;
  }
}

interface EraState {
  readonly index: number;
  readonly spec: GfpEraSpec;
  /** printed name → indices into spec.trace (two for 4.4–4.5's "GFP_ATOMIC") */
  readonly nameIndex: Map<string, number[]>;
  /** parse cache: gfp text → mask; traces repeat a handful of strings millions of times */
  readonly parsed: Map<string, number>;
  /** format cache: mask → show_gfp_flags text */
  readonly formatted: Map<number, string>;
  /** every single-flag bit this era defines (non-zero), for translateGfp */
  readonly bitNames: readonly (readonly [string, number])[];
}

const eraStates = new Map<GfpEra, EraState>();
gfpEraSpecs.forEach((spec, index) => {
  const nameIndex = new Map<string, number[]>();
  spec.trace.forEach(([name], i) => {
    const list = nameIndex.get(name);
    if (list) list.push(i);
    else nameIndex.set(name, [i]);
  });
  const bitNames = Object.entries(spec.bits).filter(([, v]) => v !== 0);
  eraStates.set(spec.id, { index, spec, nameIndex, parsed: new Map(), formatted: new Map(), bitNames });
});

const ALL_ERAS = gfpEraSpecs.length >= 31 ? -1 : (1 << gfpEraSpecs.length) - 1;

function eraById(era: GfpEra): EraState {
  const s = eraStates.get(era);
  if (s === undefined) {
    throw new UsageError(`unknown gfp era '${era}' (known: ${gfpEras.map((e) => e.id).join(', ')})`, 'gfp-era');
  }
  return s;
}

/** The era's tables (bits, composites, ordered trace names), read-only. */
export function gfpEraSpec(era: GfpEra): GfpEraSpec {
  return eraById(era).spec;
}

/** Index of an era in gfpEras (for the bitsets of erasKnowingName / GfpEraGuess). */
export function gfpEraIndex(era: GfpEra): number {
  return eraById(era).index;
}

const HEX_TOKEN = /^0x[0-9a-f]+$/i;

/** `0x1000(...)`: warn_alloc's mode form; the hex is the value, the names in parentheses are checked only */
const MODE_FORM = /^(0x[0-9a-f]+)\((.*)\)$/i;

/**
 * Parse a trace's gfp_flags text in an era: "GFP_KERNEL|__GFP_ZERO", "none", "GFP_NOWAIT", "0x400dc0",
 * "GFP_KERNEL|0x1000000", "0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)". Names are looked up in that era's
 * show_gfp_flags table; an unknown name throws GfpParseError. Cached per era: a hit allocates nothing.
 */
export function parseGfpFlags(text: string, era: GfpEra): number {
  // a trace has one era: skip the era map on the hot path
  let s = lastParseEra;
  if (s === undefined || s.spec.id !== era) s = lastParseEra = eraById(era);
  const hit = s.parsed.get(text);
  if (hit !== undefined) return hit;
  const mask = parseUncached(text, s);
  // bound the cache: only a trace of ever-new raw hex values could grow it past this
  if (s.parsed.size >= PARSE_CACHE_MAX) s.parsed.clear();
  s.parsed.set(text, mask);
  return mask;
}

let lastParseEra: EraState | undefined;
const PARSE_CACHE_MAX = 1 << 16;

function parseUncached(text: string, s: EraState): number {
  const t = text.trim();
  // trace_print_flags_seq never runs for 0: show_gfp_flags prints the era's fixed word instead
  if (t === s.spec.zero) return 0;
  const mode = MODE_FORM.exec(t);
  if (mode) {
    if (mode[2] !== '') parseNames(mode[2]!, s);
    return Number.parseInt(mode[1]!.slice(2), 16) >>> 0;
  }
  return parseNames(t, s);
}

function parseNames(t: string, s: EraState): number {
  let mask = 0;
  let prev = -1;
  for (const tok of t.split('|')) {
    if (HEX_TOKEN.test(tok)) {
      // bits left over after the table walk, printed as one 0x%lx
      mask |= Number.parseInt(tok.slice(2), 16);
      continue;
    }
    const idx = s.nameIndex.get(tok);
    if (idx === undefined) throw new GfpParseError(tok, erasKnowingName(tok) === 0 ? undefined : s.spec.id);
    // The kernel prints names in table order, so a duplicated name (4.4–4.5 "GFP_ATOMIC": the composite, then the
    // single __GFP_ATOMIC bit after GFP_HIGH) means the first entry after the previous token's entry.
    let i = idx[0]!;
    for (const j of idx) {
      if (j > prev) {
        i = j;
        break;
      }
    }
    mask |= s.spec.trace[i]![1];
    prev = i;
  }
  return mask >>> 0;
}

/** Walk the era's table as trace_print_flags_seq() / format_flags() do; '' for 0. */
function walk(mask: number, s: EraState): string {
  let flags = mask >>> 0;
  let out = '';
  const trace = s.spec.trace;
  for (let i = 0; i < trace.length && flags !== 0; i++) {
    const m = trace[i]![1];
    if ((flags & m) >>> 0 !== m) continue;
    out += out === '' ? trace[i]![0] : '|' + trace[i]![0];
    flags = (flags & ~m) >>> 0;
  }
  // left-over bits print as one lower-case hex number
  if (flags !== 0) out += (out === '' ? '0x' : '|0x') + flags.toString(16);
  return out;
}

/**
 * show_gfp_flags(): the gfp_flags text that era's trace events print for a mask (include/trace/events/mmflags.h,
 * gfpflags.h ≤4.5): the first matching composite wins and removes its bits; 0 prints 'none' (GFP_NOWAIT ≤4.5).
 */
export function formatGfpFlags(mask: number, era: GfpEra): string {
  const s = eraById(era);
  const m = mask >>> 0;
  const hit = s.formatted.get(m);
  if (hit !== undefined) return hit;
  const text = m === 0 ? s.spec.zero : walk(m, s);
  s.formatted.set(m, text);
  return text;
}

/**
 * warn_alloc()'s gfp body: "mode:%#x(%pGg)" without the "mode:" (mm/page_alloc.c, 4.6+), e.g.
 * "0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)"; before 4.6 warn_alloc_failed() printed "mode:0x%x" only.
 * %pGg (lib/vsprintf.c format_flags) uses the same table as the trace but prints nothing for 0, and the kernel's
 * %#x prints 0 as "0x0".
 */
export function formatGfpMode(mask: number, era: GfpEra): string {
  const s = eraById(era);
  const m = mask >>> 0;
  const hex = '0x' + m.toString(16);
  return s.spec.pGg ? `${hex}(${walk(m, s)})` : hex;
}

/** bitset over gfpEras indices of the eras whose tables print this single name ('' or a hex token → all eras) */
export function erasKnowingName(name: string): number {
  if (name === '' || HEX_TOKEN.test(name)) return ALL_ERAS;
  let set = 0;
  for (const s of eraStates.values()) {
    if (s.nameIndex.has(name) || s.spec.zero === name) set |= 1 << s.index;
  }
  return set;
}

/**
 * Incremental era inference from the gfp strings of one trace. Each new string keeps the eras whose table prints
 * all its names; among those, it then keeps the eras whose show_gfp_flags gives back exactly that string (this
 * separates, e.g., 6.15+'s bit-order singles from the older order), unless that would leave none: user-space
 * printers (perf, trace-cmd) may print raw hex where the kernel prints names.
 */
export class GfpEraGuess {
  private set = ALL_ERAS;
  private readonly seen = new Set<string>();
  private readonly unknown: string[] = [];
  private readonly unknownSeen = new Set<string>();

  observe(text: string): void {
    if (this.seen.has(text)) return;
    this.seen.add(text);
    let named = this.set;
    for (const tok of text.trim().split('|')) {
      const known = erasKnowingName(tok);
      if (known === 0) {
        if (!this.unknownSeen.has(tok)) {
          this.unknownSeen.add(tok);
          this.unknown.push(tok);
        }
        continue;
      }
      named &= known;
    }
    if (named === 0) return; // contradicts what was seen before: keep the earlier, better supported, set
    let exact = 0;
    for (const s of eraStates.values()) {
      if ((named & (1 << s.index)) === 0) continue;
      try {
        if (formatGfpFlags(parseGfpFlags(text, s.spec.id), s.spec.id) === text.trim()) exact |= 1 << s.index;
      } catch {
        // a name this era does not know: not exact
      }
    }
    this.set = exact !== 0 ? exact : named;
  }

  /** eras still consistent, as a bitset over gfpEras indices */
  candidates(): number {
    return this.set;
  }

  /** names unknown to every era, each reported once, in order of first appearance */
  unknownNames(): string[] {
    return [...this.unknown];
  }
}

/** The eras of a bitset, by id (for messages). */
export function gfpEraIds(set: number): GfpEra[] {
  return gfpEras.filter((_, i) => (set & (1 << i)) !== 0).map((e) => e.id);
}

// include/linux/gfp.h GFP_ZONE_TABLE for x86-64 (no ZONE_HIGHMEM: OPT_ZONE_HIGHMEM = ZONE_NORMAL), indexed by
// the four zone modifier bits (DMA 0x1, HIGHMEM 0x2, DMA32 0x4, MOVABLE 0x8), which never moved in any era.
// Invalid combinations (GFP_ZONE_BAD) hold 0 in the kernel's table, so a non-DEBUG_VM kernel returns ZONE_DMA.
const GFP_ZONEMASK = 0xf;
const GFP_ZONE_BAD = (1 << 0x3) | (1 << 0x5) | (1 << 0x6) | (1 << 0x7) | (1 << 0xb) | (1 << 0xd) | (1 << 0xe) |
  (1 << 0xf);
const gfpZoneTable: readonly number[] = [
  ZONE_NORMAL, // 0x0
  ZONE_DMA, // 0x1 DMA
  ZONE_NORMAL, // 0x2 HIGHMEM → NORMAL without CONFIG_HIGHMEM
  ZONE_DMA, // 0x3 bad
  ZONE_DMA32, // 0x4 DMA32
  ZONE_DMA, // 0x5 bad
  ZONE_DMA, // 0x6 bad
  ZONE_DMA, // 0x7 bad
  ZONE_NORMAL, // 0x8 MOVABLE alone: only a migratetype hint
  ZONE_DMA, // 0x9 MOVABLE|DMA
  ZONE_MOVABLE, // 0xa MOVABLE|HIGHMEM: the only way into ZONE_MOVABLE
  ZONE_DMA, // 0xb bad
  ZONE_DMA32, // 0xc MOVABLE|DMA32
  ZONE_DMA, // 0xd bad
  ZONE_DMA, // 0xe bad
  ZONE_DMA, // 0xf bad
];

/**
 * The slot of `mask` in a direct-mapped cache of 2^bits entries (the per-mask memos of the hot path): Fibonacci
 * hashing, the top bits of mask × 2^32/φ. The masks a trace repeats differ in a few middle bits (GFP_KERNEL 0xcc0,
 * GFP_HIGHUSER_MOVABLE|__GFP_ZERO 0x400dc0), which xor-folding the low bits made collide.
 */
export function gfpCacheSlot(mask: number, bits: number): number {
  return Math.imul(mask, 0x9e3779b1) >>> (32 - bits);
}

/** include/linux/gfp.h gfp_zone(): the highest zone a request may use (x86-64; same table in every era). */
export function gfpZone(mask: number, era: GfpEra): number {
  eraById(era);
  return gfpZoneTable[mask & GFP_ZONEMASK]!;
}

/** GFP_ZONE_BAD: the zone modifiers are an invalid combination (VM_BUG_ON in gfp_zone() with DEBUG_VM). */
export function gfpZoneBad(mask: number): boolean {
  return ((GFP_ZONE_BAD >> (mask & GFP_ZONEMASK)) & 1) !== 0;
}

/**
 * include/linux/gfp.h gfp_migratetype() (gfpflags_to_migratetype() before 5.5): the migratetype of a request, in
 * that era's numbering. 4.0: (MOVABLE << 1) | RECLAIMABLE, so MOVABLE = 2, RECLAIMABLE = 1; 4.4+:
 * (gfp & (__GFP_MOVABLE|__GFP_RECLAIMABLE)) >> 3, so MOVABLE = 1, RECLAIMABLE = 2. Both bits give 3 (WARN in the
 * kernel). The caller handles page_group_by_mobility_disabled (always UNMOVABLE).
 */
export function gfpMigratetype(mask: number, era: GfpEra): number {
  const s = eraById(era);
  const b = s.spec.bits;
  if (s.spec.migratetypeRule === '4.0') {
    return ((mask & b.__GFP_MOVABLE!) !== 0 ? 2 : 0) | ((mask & b.__GFP_RECLAIMABLE!) !== 0 ? 1 : 0);
  }
  // 4.4+: ___GFP_MOVABLE = 0x8 = MIGRATE_MOVABLE << 3, ___GFP_RECLAIMABLE = 0x10 = MIGRATE_RECLAIMABLE << 3
  const m = (mask & (b.__GFP_MOVABLE! | b.__GFP_RECLAIMABLE!)) >>> 3;
  return m === 0 ? MIGRATE_UNMOVABLE : m === 1 ? MIGRATE_MOVABLE : m === 2 ? MIGRATE_RECLAIMABLE : m;
}

/**
 * Value of a named flag in an era: a single flag by kernel symbol ('__GFP_DIRECT_RECLAIM') or a composite
 * ('GFP_KERNEL', '__GFP_RECLAIM'); 0 when the era has no such flag or it is configured out.
 */
export function gfpBit(name: string, era: GfpEra): number {
  const spec = eraById(era).spec;
  return spec.bits[name] ?? spec.composites[name] ?? 0;
}

/** Single flags that changed name but kept their meaning (include/linux/gfp.h history, reference §2.4). */
const renamed: Readonly<Record<string, string>> = {
  __GFP_REPEAT: '__GFP_RETRY_MAYFAIL',
  __GFP_RETRY_MAYFAIL: '__GFP_REPEAT',
};

/**
 * Translate a mask from one era's layout to another's by meaning. Rules (reference §2.4):
 * __GFP_WAIT (≤4.3) ↔ __GFP_DIRECT_RECLAIM; ≤4.3 wakes kswapd unless __GFP_NO_KSWAPD, later eras only with
 * __GFP_KSWAPD_RECLAIM; __GFP_ATOMIC (4.4–6.2) is derived: from ≤4.3 it is "neither WAIT nor NO_KSWAPD", from 6.3+
 * it is "HIGH without DIRECT_RECLAIM" (the GFP_ATOMIC shape; a heuristic); __GFP_REPEAT ↔ __GFP_RETRY_MAYFAIL.
 * Flags the target lacks (COLD, NOTRACK, OTHER_NODE, NOACCOUNT, ZEROTAGS, SKIP_*, NO_OBJ_EXT, …) and bits with no
 * name in the source are dropped and listed in `unmapped` (none of them affects page placement).
 */
export function translateGfp(mask: number, from: GfpEra, to: GfpEra): { mask: number; unmapped: string[] } {
  const f = eraById(from);
  const t = eraById(to);
  const m = mask >>> 0;
  if (f === t) return { mask: m, unmapped: [] };
  const fb = f.spec.bits;
  const tb = t.spec.bits;
  const has = (sym: string): boolean => (fb[sym] ?? 0) !== 0 && (m & fb[sym]!) !== 0;
  const fromWait = fb.__GFP_WAIT !== undefined;
  const toWait = tb.__GFP_WAIT !== undefined;
  const special = new Set(['__GFP_WAIT', '__GFP_NO_KSWAPD', '__GFP_DIRECT_RECLAIM', '__GFP_KSWAPD_RECLAIM',
    '__GFP_ATOMIC']);

  // the meaning of the reclaim/atomic bits in the source
  const direct = fromWait ? has('__GFP_WAIT') : has('__GFP_DIRECT_RECLAIM');
  const kswapd = fromWait ? !has('__GFP_NO_KSWAPD') : has('__GFP_KSWAPD_RECLAIM');
  const atomic = fromWait
    ? !has('__GFP_WAIT') && !has('__GFP_NO_KSWAPD')
    : fb.__GFP_ATOMIC !== undefined
      ? has('__GFP_ATOMIC')
      : has('__GFP_HIGH') && !has('__GFP_DIRECT_RECLAIM');

  let out = 0;
  const unmapped: string[] = [];
  let covered = 0;
  for (const [sym, v] of f.bitNames) {
    if ((m & v) === 0) continue;
    covered |= v;
    if (special.has(sym)) continue;
    const target = tb[sym] !== undefined ? sym : renamed[sym];
    const tv = target === undefined ? 0 : (tb[target] ?? 0);
    if (tv === 0) unmapped.push(sym);
    else out |= tv;
  }
  if (toWait) {
    if (direct) out |= tb.__GFP_WAIT!;
    if (!kswapd) out |= tb.__GFP_NO_KSWAPD!;
  } else {
    if (direct) out |= tb.__GFP_DIRECT_RECLAIM!;
    if (kswapd) out |= tb.__GFP_KSWAPD_RECLAIM!;
    if (atomic && tb.__GFP_ATOMIC !== undefined) out |= tb.__GFP_ATOMIC;
  }
  const rest = (m & ~covered) >>> 0;
  if (rest !== 0) unmapped.push('0x' + rest.toString(16));
  return { mask: out >>> 0, unmapped };
}
