/**
 * GFP bit layouts and show_gfp_flags name tables, one per kernel "era" (a range of releases with the same layout
 * and the same trace name table). Data only; src/mm/gfp.ts holds the functions.
 *
 * Mirrors, per era: include/linux/gfp.h (≤5.19) / include/linux/gfp_types.h (6.0+) for ___GFP_* values and the
 * GFP_* composites; include/trace/events/gfpflags.h (≤4.5) / include/trace/events/mmflags.h (4.6+) for the ordered
 * (mask, name) table that show_gfp_flags() and %pGg walk.
 *
 * Build assumed everywhere: x86-64, CONFIG_NUMA=y, no CONFIG_LOCKDEP, no CONFIG_KASAN_HW_TAGS, CONFIG_MEMCG=y (so
 * CONFIG_SLAB_OBJ_EXT=y from 6.10). Flags that are 0 in that build (NOLOCKDEP, SKIP_ZERO, SKIP_KASAN*) are listed
 * with value 0 and left out of the name tables, as the kernel's #ifdefs leave them out (a 0 mask would match every
 * value). For 6.10+ the values come from the enum order of gfp_types.h for that config.
 *
 * Keep in sync: the same table feeds the trace parser (parseGfpFlags), the trace printer (formatGfpFlags) and
 * warn_alloc's %pGg (formatGfpMode), exactly as mmflags.h's __def_gfpflag_names feeds both show_gfp_flags and
 * mm/debug.c gfpflag_names in the kernel.
 */

/** One era as data: what the kernel of that range defines and prints. */
export interface GfpEraSpec {
  /** short id, the first release of the range: '4.0', '6.15' */
  readonly id: string;
  /** release range covered, e.g. '4.18–5.0' */
  readonly kernels: string;
  /** where the layout and the table were checked */
  readonly source: string;
  /** single flags, kernel symbol (`__GFP_ZERO`) → value in this build (0 = configured out) */
  readonly bits: Readonly<Record<string, number>>;
  /** composites (`GFP_KERNEL`, `__GFP_RECLAIM`, …) → value */
  readonly composites: Readonly<Record<string, number>>;
  /** show_gfp_flags table in the kernel's order: [printed name, mask]; 0-mask entries already removed */
  readonly trace: readonly (readonly [string, number])[];
  /** what a 0 mask prints as in trace events: 'GFP_NOWAIT' (gfpflags.h) or 'none' (mmflags.h) */
  readonly zero: string;
  /** warn_alloc prints `mode:%#x(%pGg)` (4.6+) rather than `mode:0x%x` */
  readonly pGg: boolean;
  /** gfpflags_to_migratetype() shape: '4.0' = (MOVABLE<<1)|RECLAIMABLE, 'shift' = (gfp & MASK) >> 3 */
  readonly migratetypeRule: '4.0' | 'shift';
}

type Bits = Record<string, number>;

// --- composites -------------------------------------------------------------------------------------------------

/** include/linux/gfp.h @ v4.0: composites of the __GFP_WAIT era */
function composites40(b: Bits): Record<string, number> {
  const GFP_KERNEL = b.__GFP_WAIT! | b.__GFP_IO! | b.__GFP_FS!;
  const GFP_USER = GFP_KERNEL | b.__GFP_HARDWALL!;
  const GFP_HIGHUSER_MOVABLE = GFP_USER | b.__GFP_HIGHMEM! | b.__GFP_MOVABLE!;
  return {
    // GFP_NOWAIT is (GFP_ATOMIC & ~__GFP_HIGH) = 0: the trace prints 0 as "GFP_NOWAIT" for that reason
    GFP_NOWAIT: 0,
    GFP_ATOMIC: b.__GFP_HIGH!,
    GFP_NOIO: b.__GFP_WAIT!,
    GFP_NOFS: b.__GFP_WAIT! | b.__GFP_IO!,
    GFP_KERNEL,
    GFP_TEMPORARY: GFP_KERNEL | b.__GFP_RECLAIMABLE!,
    GFP_USER,
    GFP_HIGHUSER: GFP_USER | b.__GFP_HIGHMEM!,
    GFP_HIGHUSER_MOVABLE,
    GFP_IOFS: b.__GFP_IO! | b.__GFP_FS!,
    GFP_TRANSHUGE:
      GFP_HIGHUSER_MOVABLE | b.__GFP_COMP! | b.__GFP_NOMEMALLOC! | b.__GFP_NORETRY! | b.__GFP_NOWARN! |
      b.__GFP_NO_KSWAPD!,
    // CONFIG_NUMA=y form; 0 on UMA builds
    GFP_THISNODE: b.__GFP_THISNODE! | b.__GFP_NOWARN! | b.__GFP_NORETRY!,
    GFP_DMA: b.__GFP_DMA!,
    GFP_DMA32: b.__GFP_DMA32!,
  };
}

interface Composite44Options {
  /** GFP_TRANSHUGE: '4.4' = (… ) & ~KSWAPD_RECLAIM, '4.6' = (…) & ~__GFP_RECLAIM, '4.8' = LIGHT | DIRECT_RECLAIM */
  transhuge: '4.4' | '4.6' | '4.8';
  /** GFP_TEMPORARY still defined (≤4.13) */
  temporary: boolean;
  /** GFP_KERNEL_ACCOUNT defined (4.5+) */
  kernelAccount: boolean;
  /** GFP_ATOMIC includes __GFP_ATOMIC (4.4–6.2) */
  atomicBit: boolean;
  /** GFP_NOWAIT includes __GFP_NOWARN (6.8+) */
  nowaitNowarn: boolean;
  /** extra bits of GFP_HIGHUSER_MOVABLE (5.14–5.17: __GFP_SKIP_KASAN_POISON; later ones are 0 in our build) */
  humExtra: number;
}

/** include/linux/gfp.h @ v4.4 … gfp_types.h @ v6.18: composites of the DIRECT/KSWAPD_RECLAIM eras */
function composites44(b: Bits, o: Composite44Options): Record<string, number> {
  const __GFP_RECLAIM = b.__GFP_DIRECT_RECLAIM! | b.__GFP_KSWAPD_RECLAIM!;
  const GFP_KERNEL = __GFP_RECLAIM | b.__GFP_IO! | b.__GFP_FS!;
  const GFP_USER = GFP_KERNEL | b.__GFP_HARDWALL!;
  const GFP_HIGHUSER = GFP_USER | b.__GFP_HIGHMEM!;
  const GFP_HIGHUSER_MOVABLE = GFP_HIGHUSER | b.__GFP_MOVABLE! | o.humExtra;
  const thpBase = GFP_HIGHUSER_MOVABLE | b.__GFP_COMP! | b.__GFP_NOMEMALLOC! | b.__GFP_NOWARN!;
  const c: Record<string, number> = {
    __GFP_RECLAIM,
    GFP_ATOMIC: b.__GFP_HIGH! | (o.atomicBit ? b.__GFP_ATOMIC! : 0) | b.__GFP_KSWAPD_RECLAIM!,
    GFP_KERNEL,
    GFP_NOWAIT: b.__GFP_KSWAPD_RECLAIM! | (o.nowaitNowarn ? b.__GFP_NOWARN! : 0),
    GFP_NOIO: __GFP_RECLAIM,
    GFP_NOFS: __GFP_RECLAIM | b.__GFP_IO!,
    GFP_USER,
    GFP_DMA: b.__GFP_DMA!,
    GFP_DMA32: b.__GFP_DMA32!,
    GFP_HIGHUSER,
    GFP_HIGHUSER_MOVABLE,
  };
  if (o.kernelAccount) c.GFP_KERNEL_ACCOUNT = GFP_KERNEL | b.__GFP_ACCOUNT!;
  if (o.temporary) c.GFP_TEMPORARY = GFP_KERNEL | b.__GFP_RECLAIMABLE!;
  if (o.transhuge === '4.4') c.GFP_TRANSHUGE = (thpBase | b.__GFP_NORETRY!) & ~b.__GFP_KSWAPD_RECLAIM!;
  else if (o.transhuge === '4.6') c.GFP_TRANSHUGE = (thpBase | b.__GFP_NORETRY!) & ~__GFP_RECLAIM;
  else {
    c.GFP_TRANSHUGE_LIGHT = thpBase & ~__GFP_RECLAIM;
    c.GFP_TRANSHUGE = c.GFP_TRANSHUGE_LIGHT | b.__GFP_DIRECT_RECLAIM!;
  }
  return c;
}

// --- bit layouts (reference §2.1 columns, checked against the files named in each era's `source`) ----------------

const BITS_40: Bits = {
  __GFP_DMA: 0x1, __GFP_HIGHMEM: 0x2, __GFP_DMA32: 0x4, __GFP_MOVABLE: 0x8, __GFP_WAIT: 0x10, __GFP_HIGH: 0x20,
  __GFP_IO: 0x40, __GFP_FS: 0x80, __GFP_COLD: 0x100, __GFP_NOWARN: 0x200, __GFP_REPEAT: 0x400, __GFP_NOFAIL: 0x800,
  __GFP_NORETRY: 0x1000, __GFP_MEMALLOC: 0x2000, __GFP_COMP: 0x4000, __GFP_ZERO: 0x8000, __GFP_NOMEMALLOC: 0x10000,
  __GFP_HARDWALL: 0x20000, __GFP_THISNODE: 0x40000, __GFP_RECLAIMABLE: 0x80000, __GFP_NOTRACK: 0x200000,
  __GFP_NO_KSWAPD: 0x400000, __GFP_OTHER_NODE: 0x800000, __GFP_WRITE: 0x1000000,
};

// 4.4: __GFP_WAIT split into DIRECT/KSWAPD_RECLAIM, __GFP_ATOMIC added, RECLAIMABLE moved to 0x10
const BITS_44: Bits = {
  __GFP_DMA: 0x1, __GFP_HIGHMEM: 0x2, __GFP_DMA32: 0x4, __GFP_MOVABLE: 0x8, __GFP_RECLAIMABLE: 0x10,
  __GFP_HIGH: 0x20, __GFP_IO: 0x40, __GFP_FS: 0x80, __GFP_COLD: 0x100, __GFP_NOWARN: 0x200, __GFP_REPEAT: 0x400,
  __GFP_NOFAIL: 0x800, __GFP_NORETRY: 0x1000, __GFP_MEMALLOC: 0x2000, __GFP_COMP: 0x4000, __GFP_ZERO: 0x8000,
  __GFP_NOMEMALLOC: 0x10000, __GFP_HARDWALL: 0x20000, __GFP_THISNODE: 0x40000, __GFP_ATOMIC: 0x80000,
  __GFP_NOACCOUNT: 0x100000, __GFP_NOTRACK: 0x200000, __GFP_DIRECT_RECLAIM: 0x400000, __GFP_OTHER_NODE: 0x800000,
  __GFP_WRITE: 0x1000000, __GFP_KSWAPD_RECLAIM: 0x2000000,
};

function without(b: Bits, ...names: string[]): Bits {
  const r = { ...b };
  for (const n of names) delete r[n];
  return r;
}

// 4.5: __GFP_NOACCOUNT becomes __GFP_ACCOUNT on the same bit (opt-in kmem accounting)
const BITS_45: Bits = { ...without(BITS_44, '__GFP_NOACCOUNT'), __GFP_ACCOUNT: 0x100000 };

// 4.10: __GFP_OTHER_NODE removed; WRITE and KSWAPD_RECLAIM renumbered; NOLOCKDEP (4.12) is 0 without LOCKDEP
const BITS_410: Bits = {
  ...without(BITS_45, '__GFP_OTHER_NODE'), __GFP_WRITE: 0x800000, __GFP_KSWAPD_RECLAIM: 0x1000000, __GFP_NOLOCKDEP: 0,
};

// 4.13: __GFP_REPEAT renamed __GFP_RETRY_MAYFAIL on the same bit
const BITS_413: Bits = { ...without(BITS_410, '__GFP_REPEAT'), __GFP_RETRY_MAYFAIL: 0x400 };

// 4.14.y: __GFP_NOTRACK gone (kmemcheck removal, backported to 4.14 stable), hole at 0x200000
const BITS_414: Bits = without(BITS_413, '__GFP_NOTRACK');

// 4.15: __GFP_COLD gone, hole at 0x100; nothing renumbered yet
const BITS_415: Bits = without(BITS_414, '__GFP_COLD');

// 4.18: holes closed: WRITE 0x100, DIRECT_RECLAIM 0x200000, KSWAPD_RECLAIM 0x400000
const BITS_418: Bits = { ...BITS_415, __GFP_WRITE: 0x100, __GFP_DIRECT_RECLAIM: 0x200000, __GFP_KSWAPD_RECLAIM: 0x400000 };

// 5.1: bits reordered (ZERO 0x100, ATOMIC 0x200, DIRECT 0x400, KSWAPD 0x800, WRITE 0x1000, …)
const BITS_51: Bits = {
  __GFP_DMA: 0x1, __GFP_HIGHMEM: 0x2, __GFP_DMA32: 0x4, __GFP_MOVABLE: 0x8, __GFP_RECLAIMABLE: 0x10,
  __GFP_HIGH: 0x20, __GFP_IO: 0x40, __GFP_FS: 0x80, __GFP_ZERO: 0x100, __GFP_ATOMIC: 0x200,
  __GFP_DIRECT_RECLAIM: 0x400, __GFP_KSWAPD_RECLAIM: 0x800, __GFP_WRITE: 0x1000, __GFP_NOWARN: 0x2000,
  __GFP_RETRY_MAYFAIL: 0x4000, __GFP_NOFAIL: 0x8000, __GFP_NORETRY: 0x10000, __GFP_MEMALLOC: 0x20000,
  __GFP_COMP: 0x40000, __GFP_NOMEMALLOC: 0x80000, __GFP_HARDWALL: 0x100000, __GFP_THISNODE: 0x200000,
  __GFP_ACCOUNT: 0x400000, __GFP_NOLOCKDEP: 0,
};

// 5.14: __GFP_ZEROTAGS and (unconditional) __GFP_SKIP_KASAN_POISON
const BITS_514: Bits = { ...BITS_51, __GFP_ZEROTAGS: 0x800000, __GFP_SKIP_KASAN_POISON: 0x1000000 };

// 5.18: SKIP_ZERO / SKIP_KASAN_UNPOISON / SKIP_KASAN_POISON exist only with KASAN_HW_TAGS → 0 here
const BITS_518: Bits = { ...BITS_514, __GFP_SKIP_ZERO: 0, __GFP_SKIP_KASAN_UNPOISON: 0, __GFP_SKIP_KASAN_POISON: 0 };

// 6.3: __GFP_ATOMIC removed (0x200 unused)
const BITS_63: Bits = without(BITS_518, '__GFP_ATOMIC');

// 6.4: SKIP_KASAN_POISON/UNPOISON merged into __GFP_SKIP_KASAN (0 without KASAN_HW_TAGS)
const BITS_64: Bits = { ...without(BITS_63, '__GFP_SKIP_KASAN_POISON', '__GFP_SKIP_KASAN_UNPOISON'), __GFP_SKIP_KASAN: 0 };

/**
 * 6.10+: `enum { ___GFP_DMA_BIT, …, ___GFP_ZEROTAGS_BIT, [SKIP_ZERO, SKIP_KASAN], [NOLOCKDEP], [NO_OBJ_EXT],
 * ___GFP_LAST_BIT }` (gfp_types.h @ v6.10–v6.18). Conditional members shift the ones after them, so the values are
 * computed from the enum for our config rather than written down.
 */
function bitsFromEnum(config: { kasanHwTags: boolean; lockdep: boolean; slabObjExt: boolean }): Bits {
  const order: (string | null)[] = [
    '__GFP_DMA', '__GFP_HIGHMEM', '__GFP_DMA32', '__GFP_MOVABLE', '__GFP_RECLAIMABLE', '__GFP_HIGH', '__GFP_IO',
    '__GFP_FS', '__GFP_ZERO', null /* ___GFP_UNUSED_BIT: 0x200 unused */, '__GFP_DIRECT_RECLAIM',
    '__GFP_KSWAPD_RECLAIM', '__GFP_WRITE', '__GFP_NOWARN', '__GFP_RETRY_MAYFAIL', '__GFP_NOFAIL', '__GFP_NORETRY',
    '__GFP_MEMALLOC', '__GFP_COMP', '__GFP_NOMEMALLOC', '__GFP_HARDWALL', '__GFP_THISNODE', '__GFP_ACCOUNT',
    '__GFP_ZEROTAGS',
  ];
  if (config.kasanHwTags) order.push('__GFP_SKIP_ZERO', '__GFP_SKIP_KASAN');
  if (config.lockdep) order.push('__GFP_NOLOCKDEP');
  if (config.slabObjExt) order.push('__GFP_NO_OBJ_EXT');
  const b: Bits = { __GFP_SKIP_ZERO: 0, __GFP_SKIP_KASAN: 0, __GFP_NOLOCKDEP: 0, __GFP_NO_OBJ_EXT: 0 };
  order.forEach((name, bit) => {
    if (name) b[name] = 2 ** bit;
  });
  return b;
}

const BITS_610: Bits = bitsFromEnum({ kasanHwTags: false, lockdep: false, slabObjExt: true });

// --- name tables ----------------------------------------------------------------------------------------------

/**
 * Trace table entry: a composite name, a kernel symbol, or [printed name, symbol] when they differ
 * (gfpflags.h ≤4.5 printed single flags without the leading "__": {__GFP_HIGH, "GFP_HIGH"}).
 */
type Entry = string | readonly [string, string];

/** gfpflags.h ≤4.5 spelling of a single flag */
const old = (sym: string): readonly [string, string] => [sym.slice(2), sym];

/** include/trace/events/gfpflags.h @ v4.0 (3.15–4.3: v3.10's table without GFP_KMEMCG) */
const TRACE_40: Entry[] = [
  'GFP_TRANSHUGE', 'GFP_HIGHUSER_MOVABLE', 'GFP_HIGHUSER', 'GFP_USER', 'GFP_TEMPORARY', 'GFP_KERNEL', 'GFP_NOFS',
  'GFP_ATOMIC', 'GFP_NOIO', old('__GFP_HIGH'), old('__GFP_WAIT'), old('__GFP_IO'), old('__GFP_COLD'),
  old('__GFP_NOWARN'), old('__GFP_REPEAT'), old('__GFP_NOFAIL'), old('__GFP_NORETRY'), old('__GFP_COMP'),
  old('__GFP_ZERO'), old('__GFP_NOMEMALLOC'), old('__GFP_MEMALLOC'), old('__GFP_HARDWALL'), old('__GFP_THISNODE'),
  old('__GFP_RECLAIMABLE'), old('__GFP_MOVABLE'), old('__GFP_NOTRACK'), old('__GFP_NO_KSWAPD'),
  old('__GFP_OTHER_NODE'),
];

/**
 * include/trace/events/gfpflags.h @ v4.4: GFP_WAIT's slot holds {__GFP_ATOMIC, "GFP_ATOMIC"} (a second
 * "GFP_ATOMIC", the single bit), GFP_NO_KSWAPD's slot DIRECT/KSWAPD_RECLAIM. No name for NOACCOUNT/ACCOUNT.
 */
const TRACE_44: Entry[] = [
  'GFP_TRANSHUGE', 'GFP_HIGHUSER_MOVABLE', 'GFP_HIGHUSER', 'GFP_USER', 'GFP_TEMPORARY', 'GFP_KERNEL', 'GFP_NOFS',
  'GFP_ATOMIC', 'GFP_NOIO', old('__GFP_HIGH'), old('__GFP_ATOMIC'), old('__GFP_IO'), old('__GFP_COLD'),
  old('__GFP_NOWARN'), old('__GFP_REPEAT'), old('__GFP_NOFAIL'), old('__GFP_NORETRY'), old('__GFP_COMP'),
  old('__GFP_ZERO'), old('__GFP_NOMEMALLOC'), old('__GFP_MEMALLOC'), old('__GFP_HARDWALL'), old('__GFP_THISNODE'),
  old('__GFP_RECLAIMABLE'), old('__GFP_MOVABLE'), old('__GFP_NOTRACK'), old('__GFP_DIRECT_RECLAIM'),
  old('__GFP_KSWAPD_RECLAIM'), old('__GFP_OTHER_NODE'),
];

interface MmflagsOptions {
  transhugeLight: boolean;
  temporary: boolean;
  atomic: boolean;
  cold: boolean;
  retryName: '__GFP_REPEAT' | '__GFP_RETRY_MAYFAIL';
  notrack: boolean;
  otherNode: boolean;
  /** names appended after __GFP_KSWAPD_RECLAIM (5.14+: ZEROTAGS, …) */
  tail: string[];
}

/** include/trace/events/mmflags.h __def_gfpflag_names @ v4.6 … v6.14, with the per-release additions/removals */
function mmflags(o: MmflagsOptions): Entry[] {
  const t: Entry[] = ['GFP_TRANSHUGE'];
  if (o.transhugeLight) t.push('GFP_TRANSHUGE_LIGHT');
  t.push('GFP_HIGHUSER_MOVABLE', 'GFP_HIGHUSER', 'GFP_USER');
  if (o.temporary) t.push('GFP_TEMPORARY');
  t.push('GFP_KERNEL_ACCOUNT', 'GFP_KERNEL', 'GFP_NOFS', 'GFP_ATOMIC', 'GFP_NOIO', 'GFP_NOWAIT', 'GFP_DMA',
    '__GFP_HIGHMEM', 'GFP_DMA32', '__GFP_HIGH');
  if (o.atomic) t.push('__GFP_ATOMIC');
  t.push('__GFP_IO', '__GFP_FS');
  if (o.cold) t.push('__GFP_COLD');
  t.push('__GFP_NOWARN', o.retryName, '__GFP_NOFAIL', '__GFP_NORETRY', '__GFP_COMP', '__GFP_ZERO',
    '__GFP_NOMEMALLOC', '__GFP_MEMALLOC', '__GFP_HARDWALL', '__GFP_THISNODE', '__GFP_RECLAIMABLE', '__GFP_MOVABLE',
    '__GFP_ACCOUNT');
  if (o.notrack) t.push('__GFP_NOTRACK');
  t.push('__GFP_WRITE', '__GFP_RECLAIM', '__GFP_DIRECT_RECLAIM', '__GFP_KSWAPD_RECLAIM');
  if (o.otherNode) t.push('__GFP_OTHER_NODE');
  t.push(...o.tail);
  return t;
}

/**
 * mmflags.h @ v6.15+ (commit ca29a0bf1221 "tracing: gfp: Remove duplication of recording GFP flags", in the
 * tracing pull for 6.15): the composites, __GFP_RECLAIM, then TRACE_GFP_FLAGS, i.e. every single flag in enum (bit)
 * order, conditional ones included only when configured.
 */
const TRACE_615: Entry[] = [
  'GFP_TRANSHUGE', 'GFP_TRANSHUGE_LIGHT', 'GFP_HIGHUSER_MOVABLE', 'GFP_HIGHUSER', 'GFP_USER', 'GFP_KERNEL_ACCOUNT',
  'GFP_KERNEL', 'GFP_NOFS', 'GFP_ATOMIC', 'GFP_NOIO', 'GFP_NOWAIT', 'GFP_DMA', 'GFP_DMA32', '__GFP_RECLAIM',
  '__GFP_DMA', '__GFP_HIGHMEM', '__GFP_DMA32', '__GFP_MOVABLE', '__GFP_RECLAIMABLE', '__GFP_HIGH', '__GFP_IO',
  '__GFP_FS', '__GFP_ZERO', '__GFP_DIRECT_RECLAIM', '__GFP_KSWAPD_RECLAIM', '__GFP_WRITE', '__GFP_NOWARN',
  '__GFP_RETRY_MAYFAIL', '__GFP_NOFAIL', '__GFP_NORETRY', '__GFP_MEMALLOC', '__GFP_COMP', '__GFP_NOMEMALLOC',
  '__GFP_HARDWALL', '__GFP_THISNODE', '__GFP_ACCOUNT', '__GFP_ZEROTAGS', '__GFP_SKIP_ZERO', '__GFP_SKIP_KASAN',
  '__GFP_NOLOCKDEP', '__GFP_NO_OBJ_EXT',
];

// --- eras ------------------------------------------------------------------------------------------------------

interface EraInput {
  id: string;
  kernels: string;
  source: string;
  bits: Bits;
  composites: Record<string, number>;
  trace: Entry[];
  zero: 'GFP_NOWAIT' | 'none';
  pGg: boolean;
  migratetypeRule: '4.0' | 'shift';
}

/** Resolve each table entry to [printed name, mask] and drop the 0-mask ones (the kernel's #ifdefs). */
function era(e: EraInput): GfpEraSpec {
  const trace: (readonly [string, number])[] = [];
  for (const entry of e.trace) {
    const [printed, sym] = typeof entry === 'string' ? [entry, entry] : entry;
    const mask = e.composites[sym] ?? e.bits[sym];
    if (mask === undefined) throw new Error(`gfp era ${e.id}: table names '${sym}', which the era does not define`);
    if (mask !== 0) trace.push([printed, mask]);
  }
  return { ...e, trace };
}

const c44 = (b: Bits, o: Partial<Composite44Options>): Record<string, number> =>
  composites44(b, {
    transhuge: '4.8', temporary: false, kernelAccount: true, atomicBit: true, nowaitNowarn: false, humExtra: 0, ...o,
  });

const MM46 = { transhugeLight: false, temporary: true, atomic: true, cold: true, notrack: true, otherNode: true,
  retryName: '__GFP_REPEAT', tail: [] } as const satisfies MmflagsOptions;
const mm = (o: Partial<MmflagsOptions>): Entry[] => mmflags({ ...MM46, tail: [], ...o });

/** Every era from 4.0 to 6.18, in chronological order. */
export const gfpEraSpecs: readonly GfpEraSpec[] = [
  era({
    id: '4.0', kernels: '4.0–4.3', zero: 'GFP_NOWAIT', pGg: false, migratetypeRule: '4.0',
    source: 'gfp.h, gfpflags.h @ v4.0 (AlecJY/linux-4.0 per reference; gfpflags.h table as perfetto gfp_flags.cc v3_10 minus KMEMCG)',
    bits: BITS_40, composites: composites40(BITS_40), trace: TRACE_40,
  }),
  era({
    id: '4.4', kernels: '4.4', zero: 'GFP_NOWAIT', pGg: false, migratetypeRule: 'shift',
    source: 'gfp.h, gfpflags.h @ v4.4 (reference; perfetto gfp_flags.cc v4_4; Gorman 4.4 gfpflags.h diff)',
    bits: BITS_44, composites: c44(BITS_44, { transhuge: '4.4', temporary: true, kernelAccount: false }),
    trace: TRACE_44,
  }),
  era({
    id: '4.5', kernels: '4.5', zero: 'GFP_NOWAIT', pGg: false, migratetypeRule: 'shift',
    source: 'as 4.4 with __GFP_ACCOUNT (no 4.5 snapshot read; gfpflags.h replaced by mmflags.h only in 4.6)',
    bits: BITS_45, composites: c44(BITS_45, { transhuge: '4.4', temporary: true }), trace: TRACE_44,
  }),
  era({
    id: '4.6', kernels: '4.6–4.7', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h @ v4.6.2 (JasonLeeLJQ/kernel-4.6.2); mmflags.h as created by Babka "mm, tracing: unify mm flags handling"',
    bits: BITS_45, composites: c44(BITS_45, { transhuge: '4.6', temporary: true }), trace: mm({}),
  }),
  era({
    id: '4.8', kernels: '4.8–4.9', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h, mmflags.h @ v4.9 (reference); dmesg "mode:0x2084120(GFP_ATOMIC|__GFP_COLD|__GFP_COMP)" on 4.9.24',
    bits: BITS_45, composites: c44(BITS_45, { temporary: true }), trace: mm({ transhugeLight: true }),
  }),
  era({
    id: '4.10', kernels: '4.10–4.12', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h, mmflags.h @ v4.12 (reference); __GFP_OTHER_NODE removal patch (mmflags.h, __GFP_BITS_SHIFT 26→25)',
    bits: BITS_410, composites: c44(BITS_410, { temporary: true }),
    trace: mm({ transhugeLight: true, otherNode: false }),
  }),
  era({
    id: '4.13', kernels: '4.13', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'derived: 4.10 with __GFP_REPEAT renamed __GFP_RETRY_MAYFAIL (no 4.13 snapshot read)',
    bits: BITS_413, composites: c44(BITS_413, { temporary: true }),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL' }),
  }),
  era({
    id: '4.14', kernels: '4.14', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h, mmflags.h @ v4.14.177 (reference); perfetto gfp_flags.cc v4_14 (no GFP_TEMPORARY, no __GFP_NOTRACK)',
    bits: BITS_414, composites: c44(BITS_414, {}),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false }),
  }),
  era({
    id: '4.15', kernels: '4.15–4.17', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h, mmflags.h @ v4.15, v4.16, v4.17 (reference)',
    bits: BITS_415, composites: c44(BITS_415, {}),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false }),
  }),
  era({
    id: '4.18', kernels: '4.18–5.0', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h @ v4.18, v5.0.1 (reference)',
    bits: BITS_418, composites: c44(BITS_418, {}),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false }),
  }),
  era({
    id: '5.1', kernels: '5.1–5.13', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h @ v5.1.15, v5.4, v5.10, v5.12 (reference); dmesg "mode:0x40dc0(GFP_KERNEL|__GFP_COMP|__GFP_ZERO)" on 5.4.19',
    bits: BITS_51, composites: c44(BITS_51, {}),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false }),
  }),
  era({
    id: '5.14', kernels: '5.14–5.17', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp.h, mmflags.h @ v5.15.100 (reference); end of range: KASAN HW_TAGS series merged for 5.18',
    bits: BITS_514, composites: c44(BITS_514, { humExtra: BITS_514.__GFP_SKIP_KASAN_POISON! }),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false, tail: ['__GFP_ZEROTAGS', '__GFP_SKIP_KASAN_POISON'] }),
  }),
  era({
    id: '5.18', kernels: '5.18–6.2', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp_types.h, mmflags.h @ v6.0-rc1, v6.1.20, v6.2.12 (reference; 6.0–6.2 mmflags.h read); start of range: '
      + '"kasan, mm: only define ___GFP_SKIP_KASAN_POISON with HW_TAGS" (5.18 merge)',
    bits: BITS_518, composites: c44(BITS_518, {}),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false, tail: ['__GFP_ZEROTAGS', '__GFP_SKIP_ZERO', '__GFP_SKIP_KASAN_POISON',
        '__GFP_SKIP_KASAN_UNPOISON'] }),
  }),
  era({
    id: '6.3', kernels: '6.3', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp_types.h, mmflags.h @ v6.3.8 (reference)',
    bits: BITS_63, composites: c44(BITS_63, { atomicBit: false }),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false, atomic: false, tail: ['__GFP_ZEROTAGS', '__GFP_SKIP_ZERO',
        '__GFP_SKIP_KASAN_POISON', '__GFP_SKIP_KASAN_UNPOISON'] }),
  }),
  era({
    id: '6.4', kernels: '6.4–6.7', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp_types.h, mmflags.h @ v6.4.4, v6.5, v6.6.9 (reference)',
    bits: BITS_64, composites: c44(BITS_64, { atomicBit: false }),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false, atomic: false, tail: ['__GFP_ZEROTAGS', '__GFP_SKIP_ZERO', '__GFP_SKIP_KASAN'] }),
  }),
  era({
    id: '6.8', kernels: '6.8–6.9', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp_types.h @ v6.8, v6.9 (reference: GFP_NOWAIT gains __GFP_NOWARN); dmesg "mode:0x820(GFP_ATOMIC)" on 6.8.0',
    bits: BITS_64, composites: c44(BITS_64, { atomicBit: false, nowaitNowarn: true }),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false, atomic: false, tail: ['__GFP_ZEROTAGS', '__GFP_SKIP_ZERO', '__GFP_SKIP_KASAN'] }),
  }),
  era({
    id: '6.10', kernels: '6.10–6.14', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp_types.h enum (Baghdasaryan "mm: enumerate all gfp flags", "__GFP_NO_OBJ_EXT"); mmflags.h @ v6.12 '
      + '(stable 6.12 backport of 60295b944ff6 shows the unchanged name list); __GFP_NO_OBJ_EXT has no name',
    bits: BITS_610, composites: c44(BITS_610, { atomicBit: false, nowaitNowarn: true }),
    trace: mm({ transhugeLight: true, otherNode: false, retryName: '__GFP_RETRY_MAYFAIL', temporary: false,
      notrack: false, cold: false, atomic: false, tail: ['__GFP_ZEROTAGS', '__GFP_SKIP_ZERO', '__GFP_SKIP_KASAN'] }),
  }),
  era({
    id: '6.15', kernels: '6.15–6.18', zero: 'none', pGg: true, migratetypeRule: 'shift',
    source: 'gfp_types.h, mmflags.h (TRACE_GFP_FLAGS) @ v6.18; real 6.18 traces in traces/real',
    bits: BITS_610, composites: c44(BITS_610, { atomicBit: false, nowaitNowarn: true }), trace: TRACE_615,
  }),
];
