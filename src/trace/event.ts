/**
 * The reusable TraceEvent record every front end fills, and the ids of the events mmreplay knows.
 *
 * Event names and field layouts follow the kernel's TP_printk formats: include/trace/events/kmem.h (page events,
 * 6.15+ setup events), vmscan.h, compaction.h, oom.h (v6.18; older layouts differ in the field lists only, which
 * the generic field list keeps whatever they are).
 *
 * ONE record per parser, overwritten for every line: callers must copy what they keep. Text that only a few
 * consumers need (irq-flags column, timestamp text, unknown events' field text) is decoded lazily from the line
 * bytes, so the hot page events allocate nothing.
 */
import type { Intern } from './intern.js';

/** event ids; EV_OTHER is a well-formed line of an event mmreplay does not interpret (counted and skipped) */
export const EV_OTHER = 0;
// kmem page events (typed fields)
export const EV_MM_PAGE_ALLOC = 1;
export const EV_MM_PAGE_FREE = 2;
export const EV_MM_PAGE_FREE_BATCHED = 3;
export const EV_MM_PAGE_ALLOC_ZONE_LOCKED = 4;
export const EV_MM_PAGE_PCPU_DRAIN = 5;
export const EV_MM_PAGE_ALLOC_EXTFRAG = 6;
// kmem 6.15+ watermark events (field list)
export const EV_MM_SETUP_PER_ZONE_WMARKS = 7;
export const EV_MM_SETUP_PER_ZONE_LOWMEM_RESERVE = 8;
export const EV_MM_CALCULATE_TOTALRESERVE_PAGES = 9;
// vmscan
export const EV_MM_VMSCAN_WAKEUP_KSWAPD = 10;
export const EV_MM_VMSCAN_KSWAPD_WAKE = 11;
export const EV_MM_VMSCAN_KSWAPD_SLEEP = 12;
export const EV_MM_VMSCAN_DIRECT_RECLAIM_BEGIN = 13;
export const EV_MM_VMSCAN_DIRECT_RECLAIM_END = 14;
export const EV_MM_VMSCAN_NODE_RECLAIM_BEGIN = 15;
export const EV_MM_VMSCAN_NODE_RECLAIM_END = 16;
export const EV_MM_VMSCAN_THROTTLED = 17;
export const EV_MM_VMSCAN_LRU_SHRINK_INACTIVE = 18;
// compaction
export const EV_MM_COMPACTION_BEGIN = 19;
export const EV_MM_COMPACTION_END = 20;
export const EV_MM_COMPACTION_TRY_TO_COMPACT_PAGES = 21;
export const EV_MM_COMPACTION_DEFERRED = 22;
export const EV_MM_COMPACTION_DEFER_COMPACTION = 23;
export const EV_MM_COMPACTION_DEFER_RESET = 24;
export const EV_MM_COMPACTION_SUITABLE = 25;
export const EV_MM_COMPACTION_FINISHED = 26;
export const EV_MM_COMPACTION_KCOMPACTD_WAKE = 27;
export const EV_MM_COMPACTION_WAKEUP_KCOMPACTD = 28;
export const EV_MM_COMPACTION_KCOMPACTD_SLEEP = 29;
export const EV_MM_COMPACTION_MIGRATEPAGES = 30;
export const EV_MM_COMPACTION_ISOLATE_MIGRATEPAGES = 31;
export const EV_MM_COMPACTION_ISOLATE_FREEPAGES = 32;
export const EV_MM_COMPACTION_FAST_ISOLATE_FREEPAGES = 33;
// oom
export const EV_RECLAIM_RETRY_ZONE = 34;
export const EV_COMPACT_RETRY = 35;
export const EV_MARK_VICTIM = 36;
export const NR_EV = 37;

/** name and trace system of each event id (index = id) */
export const eventNames: readonly string[] = [
  '',
  'mm_page_alloc', 'mm_page_free', 'mm_page_free_batched', 'mm_page_alloc_zone_locked', 'mm_page_pcpu_drain',
  'mm_page_alloc_extfrag',
  'mm_setup_per_zone_wmarks', 'mm_setup_per_zone_lowmem_reserve', 'mm_calculate_totalreserve_pages',
  'mm_vmscan_wakeup_kswapd', 'mm_vmscan_kswapd_wake', 'mm_vmscan_kswapd_sleep', 'mm_vmscan_direct_reclaim_begin',
  'mm_vmscan_direct_reclaim_end', 'mm_vmscan_node_reclaim_begin', 'mm_vmscan_node_reclaim_end',
  'mm_vmscan_throttled', 'mm_vmscan_lru_shrink_inactive',
  'mm_compaction_begin', 'mm_compaction_end', 'mm_compaction_try_to_compact_pages', 'mm_compaction_deferred',
  'mm_compaction_defer_compaction', 'mm_compaction_defer_reset', 'mm_compaction_suitable',
  'mm_compaction_finished', 'mm_compaction_kcompactd_wake', 'mm_compaction_wakeup_kcompactd',
  'mm_compaction_kcompactd_sleep', 'mm_compaction_migratepages', 'mm_compaction_isolate_migratepages',
  'mm_compaction_isolate_freepages', 'mm_compaction_fast_isolate_freepages',
  'reclaim_retry_zone', 'compact_retry', 'mark_victim',
];

export function eventSystem(id: number): string {
  if (id >= EV_MM_PAGE_ALLOC && id <= EV_MM_CALCULATE_TOTALRESERVE_PAGES) return 'kmem';
  if (id >= EV_MM_VMSCAN_WAKEUP_KSWAPD && id <= EV_MM_VMSCAN_LRU_SHRINK_INACTIVE) return 'vmscan';
  if (id >= EV_MM_COMPACTION_BEGIN && id <= EV_MM_COMPACTION_FAST_ISOLATE_FREEPAGES) return 'compaction';
  if (id >= EV_RECLAIM_RETRY_ZONE && id <= EV_MARK_VICTIM) return 'oom';
  return '';
}

/** the six kmem page events, whose fields are typed on the record (pfn, order, ...) */
export function isPageEvent(id: number): boolean {
  return id >= EV_MM_PAGE_ALLOC && id <= EV_MM_PAGE_ALLOC_EXTFRAG;
}

const idByName = new Map<string, number>(eventNames.map((n, i) => [n, i] as const).filter(([n]) => n !== ''));
/** event id of a name (without system), EV_OTHER when mmreplay does not know it */
export function eventId(name: string): number {
  return idByName.get(name) ?? EV_OTHER;
}

/**
 * One parsed trace line. Numeric fields not printed by the event are -1. Text getters decode on demand.
 */
export class TraceEvent {
  /** EV_* id */
  id = EV_OTHER;
  /** intern id of the event name (any event, known or not) */
  nameId = -1;
  /** trace system: 'kmem', 'vmscan', 'compaction', 'oom' for known events, else as printed (perf) or '' */
  system = '';
  taskId = -1;
  pid = -1;
  /** record-tgid column, -1 when not printed */
  tgid = -1;
  cpu = -1;
  /** seconds (or the raw counter for counter clocks); initialised as a double so V8 keeps one field layout */
  time = 0.5;

  // kmem page events
  pfn = -1;
  order = -1;
  migratetype = -1;
  /** intern id of the gfp_flags text, -1 when absent */
  gfpId = -1;
  /** gfp mask decoded in the trace's gfp era, -1 when absent (a double field: masks come from a Float64Array) */
  gfpMask = 0.5;
  /** mm_page_alloc that returned NULL (pfn printed 0, or -1) */
  failed = false;
  percpuRefill = -1;
  /** mm_page_free_batched cold= (≤4.14) */
  cold = -1;
  allocOrder = -1;
  fallbackOrder = -1;
  pageblockOrder = -1;
  allocMigratetype = -1;
  fallbackMigratetype = -1;
  fragmenting = -1;
  changeOwnership = -1;

  /** ordered fields of the non-page events: key, value text as printed, numeric value (NaN if not a number) */
  nFields = 0;
  readonly fieldKeys: string[] = [];
  readonly fieldValues: string[] = [];
  readonly fieldNums: number[] = [];

  /** source location */
  file = '';
  line = 0;
  /** set by readTrace before the first event: the input's format, kernel era and gfp era */
  format = '';
  kernelEra = '';
  gfpEra = '';

  /** @internal lazily decoded text: either a string or a byte range of `buf` */
  buf: Buffer | null = null;
  flagsStart = 0;
  flagsEnd = 0;
  tsStart = 0;
  tsEnd = 0;
  restStart = 0;
  restEnd = 0;
  flagsStr: string | null = '';
  tsStr: string | null = '';
  restStr: string | null = '';

  readonly names: Intern;
  readonly tasks: Intern;
  readonly gfps: Intern;
  constructor(names: Intern, tasks: Intern, gfps: Intern) {
    this.names = names;
    this.tasks = tasks;
    this.gfps = gfps;
  }

  /** event name without system */
  get name(): string { return this.names.str(this.nameId); }
  get task(): string { return this.taskId < 0 ? '' : this.tasks.str(this.taskId); }
  /** gfp_flags text as printed ('' when the event has none) */
  get gfp(): string { return this.gfpId < 0 ? '' : this.gfps.str(this.gfpId); }
  /** irq-flags column ('' when absent) */
  get flags(): string {
    if (this.flagsStr !== null) return this.flagsStr;
    return this.buf!.toString('latin1', this.flagsStart, this.flagsEnd);
  }
  /** timestamp as printed */
  get timestamp(): string {
    if (this.tsStr !== null) return this.tsStr;
    return this.buf!.toString('latin1', this.tsStart, this.tsEnd);
  }
  /** the field text after `event:` (used for events mmreplay does not know) */
  get rest(): string {
    if (this.restStr !== null) return this.restStr;
    return this.buf!.toString('utf8', this.restStart, this.restEnd);
  }

  /** value text of a named field of a non-page event, undefined when absent */
  field(key: string): string | undefined {
    for (let i = 0; i < this.nFields; i++) if (this.fieldKeys[i] === key) return this.fieldValues[i];
    return undefined;
  }
  /** numeric value of a named field, NaN when absent or not a number */
  num(key: string): number {
    for (let i = 0; i < this.nFields; i++) if (this.fieldKeys[i] === key) return this.fieldNums[i]!;
    return NaN;
  }

  /** clears the per-line fields (front ends call it before filling) */
  reset(): void {
    this.id = EV_OTHER; this.nameId = -1; this.system = ''; this.taskId = -1; this.pid = -1; this.tgid = -1;
    this.cpu = -1; this.time = 0;
    this.flagsStr = ''; this.tsStr = ''; this.restStr = '';
    this.resetFields();
  }

  /** clears the event fields only: for a front end that then writes every header field (id … rest) itself */
  resetFields(): void {
    this.pfn = -1; this.order = -1; this.migratetype = -1; this.gfpId = -1; this.gfpMask = -1; this.failed = false;
    this.percpuRefill = -1; this.cold = -1; this.allocOrder = -1; this.fallbackOrder = -1; this.pageblockOrder = -1;
    this.allocMigratetype = -1; this.fallbackMigratetype = -1; this.fragmenting = -1; this.changeOwnership = -1;
    this.nFields = 0;
  }

  /** appends one field of a non-page event */
  pushField(key: string, value: string): void {
    const i = this.nFields++;
    this.fieldKeys[i] = key;
    this.fieldValues[i] = value;
    this.fieldNums[i] = fieldNumber(value);
  }
}

/**
 * Numeric value of a printed field: decimal (signed), 0x-hex, with an optional `kB` unit (mark_victim's
 * `total-vm=1234kB`); NaN otherwise (zone names, `async`, `RECLAIM_WB_ANON|...`).
 */
export function fieldNumber(v: string): number {
  // character loops, not regexes: this runs for every field of every non-page event
  let n = v.length;
  if (n >= 2 && v.charCodeAt(n - 2) === 107 /* k */ && v.charCodeAt(n - 1) === 66 /* B */) n -= 2;
  let i = n > 0 && v.charCodeAt(0) === 45 /* - */ ? 1 : 0;
  if (i < n) {
    let j = i;
    while (j < n && isDec(v.charCodeAt(j))) j++;
    if (j === n) return Number(n === v.length ? v : v.slice(0, n));
  }
  if (n > 2 && v.charCodeAt(0) === 48 && v.charCodeAt(1) === 120 /* 0x */) {
    for (i = 2; i < n; i++) if (!isHex(v.charCodeAt(i))) return NaN;
    return parseInt(v.slice(2, n), 16);
  }
  return NaN;
}

function isDec(c: number): boolean { return c >= 48 && c <= 57; }
function isHex(c: number): boolean { return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70); }

/** NR_PAGE_ORDERS on x86-64: 11 for every era (MAX_ORDER 11 exclusive ≤6.3, MAX_PAGE_ORDER 10 inclusive 6.4+) */
export const TRACE_NR_PAGE_ORDERS = 11;

/**
 * Checks a page event's typed fields (for front ends that do not parse bytes): the required fields are present and
 * orders are in 0..NR_PAGE_ORDERS-1. Returns the message, or null when the event is fine.
 */
export function pageEventError(ev: TraceEvent): string | null {
  const id = ev.id;
  if (!Number.isInteger(ev.pfn) || ev.pfn < -1) return `${ev.name}: missing or bad pfn=`;
  if (id === EV_MM_PAGE_ALLOC_EXTFRAG) {
    if (!(ev.allocOrder >= 0)) return `${ev.name}: missing or bad alloc_order=`;
    if (!(ev.fallbackOrder >= 0)) return `${ev.name}: missing or bad fallback_order=`;
    const o = Math.max(ev.allocOrder, ev.fallbackOrder);
    if (o >= TRACE_NR_PAGE_ORDERS) return orderRangeMessage(ev.name, o);
    return null;
  }
  if (!Number.isInteger(ev.order)) return `${ev.name}: missing or bad order=`;
  if (ev.order < 0 || ev.order >= TRACE_NR_PAGE_ORDERS) return orderRangeMessage(ev.name, ev.order);
  if ((id === EV_MM_PAGE_ALLOC || id === EV_MM_PAGE_ALLOC_ZONE_LOCKED || id === EV_MM_PAGE_PCPU_DRAIN) && !(ev.migratetype >= 0)) {
    return `${ev.name}: missing or bad migratetype=`;
  }
  return null;
}

export function orderRangeMessage(name: string, order: number): string {
  return `${name}: order ${order} out of range 0..${TRACE_NR_PAGE_ORDERS - 1} (NR_PAGE_ORDERS is ${TRACE_NR_PAGE_ORDERS})`;
}
