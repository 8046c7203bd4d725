/**
 * Parse-only statistics over one or more traces (`mmreplay stat`), in the spirit of `perf kmem stat --page`:
 * allocations by order, migratetype, gfp_flags and task, failures by order, frees by order, events by name.
 * Counting is per intern id in typed arrays while a file streams; the string maps are built when it ends.
 */
import {
  EV_MM_PAGE_ALLOC, EV_MM_PAGE_FREE, EV_MM_PAGE_FREE_BATCHED, type TraceEvent,
} from './event.js';
import type { ReadResult } from './read.js';

export const STAT_SCHEMA = 1;

/**
 * Migratetype names as /proc/pagetypeinfo prints them (mm/vmstat.c / mm/page_alloc.c migratetype_names[]), by the
 * numbering of the trace's kernel: 4.0–4.3 (include/linux/mmzone.h v4.0) U=0 R=1 M=2 Reserve=3; 4.4+ U=0 M=1 R=2
 * HighAtomic=3. CMA=4 and Isolate=5 assume CONFIG_CMA (without it Isolate is 4; a trace cannot tell).
 */
export const migratetypeNamesV40: readonly string[] = ['Unmovable', 'Reclaimable', 'Movable', 'Reserve', 'CMA', 'Isolate'];
export const migratetypeNames: readonly string[] = ['Unmovable', 'Movable', 'Reclaimable', 'HighAtomic', 'CMA', 'Isolate'];

export function migratetypeName(mt: number, gfpEra: string): string {
  const t = gfpEra === '4.0' ? migratetypeNamesV40 : migratetypeNames;
  return t[mt] ?? String(mt);
}

export interface StatJson {
  schema: number;
  format: string;
  kernelEra: string;
  files: string[];
  lines: number;
  events: Record<string, number>;
  skipped: number;
  unparsed: number;
  /** ring-buffer overrun notices (`CPU:N [LOST n EVENTS]`) and the events they count */
  lostNotices: number;
  lostEvents: number;
  errors: string[];
  alloc: {
    total: number; failed: number;
    byOrder: Record<string, number>; byMigratetype: Record<string, number>;
    byGfp: Record<string, number>; byTask: Record<string, number>; failedByOrder: Record<string, number>;
  };
  free: { total: number; batched: number; byOrder: Record<string, number> };
  firstTimestamp: number | null;
  lastTimestamp: number | null;
}

function add(m: Map<string, number>, k: string, v: number): void {
  if (v !== 0) m.set(k, (m.get(k) ?? 0) + v);
}

/** sorted object: by count descending, then key */
function byCount(m: Map<string, number>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) o[k] = v;
  return o;
}
/** sorted object: numeric keys ascending */
function byKey(m: Map<string, number>): Record<string, number> {
  const o: Record<string, number> = {};
  for (const [k, v] of [...m].sort((a, b) => Number(a[0]) - Number(b[0]))) o[k] = v;
  return o;
}

/**
 * One file's page-event counts (or one thread's share of them, see parallel.ts), keyed by order / migratetype
 * number and by string: what StatCollector.endFile folds into the totals. Plain data, so it crosses a worker
 * boundary by structured clone, and shares of one file add up (addStatCounts) to the file's counts.
 */
export interface StatCounts {
  allocTotal: number;
  allocFailed: number;
  freeTotal: number;
  freeBatched: number;
  /** index = order (0..15) */
  allocByOrder: number[];
  failedByOrder: number[];
  freeByOrder: number[];
  /** index = migratetype number as printed (0..15), named by the file's gfp era when folded */
  byMigratetype: number[];
  byGfp: Map<string, number>;
  byTask: Map<string, number>;
}

/** no counts */
export function emptyStatCounts(): StatCounts {
  const z = (): number[] => new Array<number>(16).fill(0);
  return {
    allocTotal: 0, allocFailed: 0, freeTotal: 0, freeBatched: 0, allocByOrder: z(), failedByOrder: z(), freeByOrder: z(),
    byMigratetype: z(), byGfp: new Map(), byTask: new Map(),
  };
}

/** adds `b` into `a` */
export function addStatCounts(a: StatCounts, b: StatCounts): void {
  a.allocTotal += b.allocTotal;
  a.allocFailed += b.allocFailed;
  a.freeTotal += b.freeTotal;
  a.freeBatched += b.freeBatched;
  for (let o = 0; o < 16; o++) {
    a.allocByOrder[o]! += b.allocByOrder[o]!;
    a.failedByOrder[o]! += b.failedByOrder[o]!;
    a.freeByOrder[o]! += b.freeByOrder[o]!;
    a.byMigratetype[o]! += b.byMigratetype[o]!;
  }
  for (const [k, v] of b.byGfp) add(a.byGfp, k, v);
  for (const [k, v] of b.byTask) add(a.byTask, k, v);
}

export class StatCollector {
  private readonly files: string[] = [];
  private readonly formats: string[] = [];
  private readonly eras: string[] = [];
  private lines = 0;
  private readonly events = new Map<string, number>();
  private skipped = 0;
  private unparsed = 0;
  private lostNotices = 0;
  private lostEvents = 0;
  private readonly errors: string[] = [];
  private allocTotal = 0;
  private allocFailed = 0;
  private readonly allocByOrder = new Map<string, number>();
  private readonly failedByOrder = new Map<string, number>();
  private readonly byMigratetype = new Map<string, number>();
  private readonly byGfp = new Map<string, number>();
  private readonly byTask = new Map<string, number>();
  private freeTotal = 0;
  private freeBatched = 0;
  private readonly freeByOrder = new Map<string, number>();
  private first: number | null = null;
  private last: number | null = null;

  // per-file counters, indexed by order / migratetype / intern id
  private fAllocTotal = 0;
  private fAllocFailed = 0;
  private fFreeTotal = 0;
  private fFreeBatched = 0;
  private fOrder = new Float64Array(16);
  private fFailedOrder = new Float64Array(16);
  private fFreeOrder = new Float64Array(16);
  private fMt = new Float64Array(16);
  private fGfp: Float64Array = new Float64Array(256);
  private fTask: Float64Array = new Float64Array(256);
  private rec: TraceEvent | null = null;

  private readonly maxErrors: number;
  constructor(maxErrors = 10) {
    this.maxErrors = maxErrors;
  }

  /** the onEvent callback for readTrace */
  readonly onEvent = (ev: TraceEvent): void => {
    this.rec = ev;
    const id = ev.id;
    if (id === EV_MM_PAGE_ALLOC) {
      this.fAllocTotal++;
      this.fOrder[ev.order]!++;
      if (ev.failed) { this.fAllocFailed++; this.fFailedOrder[ev.order]!++; }
      if (ev.migratetype >= 0 && ev.migratetype < 16) this.fMt[ev.migratetype]!++;
      let g = ev.gfpId;
      if (g >= this.fGfp.length) this.fGfp = grow(this.fGfp, g);
      this.fGfp[g]!++;
      g = ev.taskId;
      if (g >= this.fTask.length) this.fTask = grow(this.fTask, g);
      this.fTask[g]!++;
    } else if (id === EV_MM_PAGE_FREE) {
      this.fFreeTotal++;
      this.fFreeOrder[ev.order]!++;
    } else if (id === EV_MM_PAGE_FREE_BATCHED) {
      this.fFreeBatched++;
    }
  };

  /** the counts onEvent gathered since the last endFile / takeCounts, with strings for intern ids; clears them */
  takeCounts(): StatCounts {
    const c: StatCounts = {
      allocTotal: this.fAllocTotal, allocFailed: this.fAllocFailed, freeTotal: this.fFreeTotal, freeBatched: this.fFreeBatched,
      allocByOrder: Array.from(this.fOrder), failedByOrder: Array.from(this.fFailedOrder),
      freeByOrder: Array.from(this.fFreeOrder), byMigratetype: Array.from(this.fMt),
      byGfp: new Map(), byTask: new Map(),
    };
    const ev = this.rec;
    if (ev) {
      for (let i = 0; i < this.fGfp.length; i++) if (this.fGfp[i]! > 0) add(c.byGfp, ev.gfps.str(i), this.fGfp[i]!);
      for (let i = 0; i < this.fTask.length; i++) if (this.fTask[i]! > 0) add(c.byTask, ev.tasks.str(i), this.fTask[i]!);
    }
    this.fAllocTotal = 0; this.fAllocFailed = 0; this.fFreeTotal = 0; this.fFreeBatched = 0;
    this.fOrder.fill(0); this.fFailedOrder.fill(0); this.fFreeOrder.fill(0); this.fMt.fill(0);
    this.fGfp.fill(0); this.fTask.fill(0);
    this.rec = null;
    return c;
  }

  /** folds one file's result and counts (by default what onEvent gathered for it) into the totals */
  endFile(file: string, r: ReadResult, c: StatCounts = this.takeCounts()): void {
    this.files.push(file);
    if (!this.formats.includes(r.format)) this.formats.push(r.format);
    if (!this.eras.includes(r.kernelEra)) this.eras.push(r.kernelEra);
    this.lines += r.lines;
    for (const [k, v] of r.events) add(this.events, k, v);
    this.skipped += r.skipped;
    this.unparsed += r.unparsed;
    this.lostNotices += r.lostNotices;
    this.lostEvents += r.lostEvents;
    for (const e of r.firstErrors) if (this.errors.length < this.maxErrors) this.errors.push(e);
    if (r.firstTimestamp !== null && (this.first === null || r.firstTimestamp < this.first)) this.first = r.firstTimestamp;
    if (r.lastTimestamp !== null && (this.last === null || r.lastTimestamp > this.last)) this.last = r.lastTimestamp;
    this.allocTotal += c.allocTotal;
    this.allocFailed += c.allocFailed;
    this.freeTotal += c.freeTotal;
    this.freeBatched += c.freeBatched;
    for (let o = 0; o < 16; o++) {
      add(this.allocByOrder, String(o), c.allocByOrder[o]!);
      add(this.failedByOrder, String(o), c.failedByOrder[o]!);
      add(this.freeByOrder, String(o), c.freeByOrder[o]!);
      add(this.byMigratetype, migratetypeName(o, r.gfpEra), c.byMigratetype[o]!);
    }
    for (const [k, v] of c.byGfp) add(this.byGfp, k, v);
    for (const [k, v] of c.byTask) add(this.byTask, k, v);
  }

  json(): StatJson {
    return {
      schema: STAT_SCHEMA,
      format: this.formats.join(','),
      kernelEra: this.eras.join(', '),
      files: this.files,
      lines: this.lines,
      events: byCount(this.events),
      skipped: this.skipped,
      unparsed: this.unparsed,
      lostNotices: this.lostNotices,
      lostEvents: this.lostEvents,
      errors: this.errors,
      alloc: {
        total: this.allocTotal, failed: this.allocFailed,
        byOrder: byKey(this.allocByOrder), byMigratetype: byCount(this.byMigratetype),
        byGfp: byCount(this.byGfp), byTask: byCount(this.byTask), failedByOrder: byKey(this.failedByOrder),
      },
      free: { total: this.freeTotal, batched: this.freeBatched, byOrder: byKey(this.freeByOrder) },
      firstTimestamp: this.first,
      lastTimestamp: this.last,
    };
  }
}

function grow(a: Float64Array, need: number): Float64Array {
  const b = new Float64Array(Math.max(need + 1, a.length * 2));
  b.set(a);
  return b;
}
