/**
 * The replay engine: ONE loop for traces and scenarios. Each input becomes a stream of Request records (one
 * reused record per source); handle() runs each through the simulated kernel and hands the outcome to the
 * reporter. Time drives the background actors (kswapd, kcompactd) before each request.
 *
 * Two modes (design §6, README "replay"):
 *  - simulate: the simulator picks pfns (Driver.alloc: allocPages); recorded pfns map to simulated blocks through
 *    Handles; frees made by the kernel's own reclaim are dropped (the simulator's reclaim acts instead);
 *  - mirror: before each recorded allocation the policy predicts the outcome on the current state without
 *    changing it (predict.ts); then the state applies what really happened (isolate.ts claimBlock at the recorded
 *    pfn); frees, pcp refills and drains are applied at their recorded pfns.
 */
import { InvariantError } from '../errors.js';
import type { Machine } from '../mm/machine.js';
import { machineZoneViews } from '../mm/machine.js';
import { checkBuddy } from '../mm/debug_vm.js';
import { getPageblockMigratetype } from '../mm/memmap.js';
import * as memmapModule from '../mm/memmap.js';
import * as mmzoneModule from '../mm/mmzone.js';
import type { PglistData, Sysctl, Zone } from '../mm/mmzone.js';
import { createAllocOut, freeOnePage as zoneFreeOnePage, pfnToZone } from '../mm/page_alloc.js';
import type { AllocOut } from '../mm/page_alloc.js';
import { freeOnePage as buddyFreeOnePage, mergeAllocatedRange } from '../mm/buddy.js';
import { pcpAllowedOrder } from '../mm/pcp.js';
import { formatGfpFlags, formatGfpMode, gfpBit, gfpMigratetype, gfpZone, translateGfp } from '../mm/gfp.js';
import { printBuddyinfo, printPagetypeinfo, migratetypeNames } from '../mm/procfs.js';
import { counterNames, refreshVmstatGauges, vmstatIndex } from '../mm/vmstat.js';
import * as vmstatModule from '../mm/vmstat.js';
import { WARN_PRINT, warnAlloc } from '../mm/show_mem.js';
import { setupPerZoneLowmemReserve, setupPerZoneWmarks } from '../mm/watermark.js';
import { CLAIM_IMPOSSIBLE, CLAIM_TAKEOVER, claimBlock, pcpAddHead, pcpAddTail, takePageOffPcp } from '../mm/isolate.js';
import { Time6, allocPathNames, freeActionNames, modeNames } from './decision.js';
import * as decisionModule from './decision.js';
import type { Agreement, AllocEvent, FreeEvent, Reporter, ReplaySummary, StepEvent } from './decision.js';
import { Handles } from './handles.js';
import * as handlesModule from './handles.js';
import { createDriverOut } from './driver.js';
import type { Driver, DriverOut, SlowPathDriver } from './driver.js';
import { gfpToAllocFlags as slowGfpToAllocFlags } from '../mm/slowpath.js';
import { createPrediction, predictAlloc, predictBits } from './predict.js';
import type { PredictBits, Prediction } from './predict.js';

// ---- requests (request.ts) ----

export {
  REQ_ALLOC, REQ_FREE, REQ_ADVANCE, REQ_SYSCTL, REQ_PCP_REFILL, REQ_PCP_DRAIN, REQ_COMPACT_BEGIN, REQ_COMPACT_MIGRATED, REQ_RECORD, REQ_WMARKS, REC_WAKEUP_KSWAPD, REC_DIRECT_RECLAIM_BEGIN, REC_DIRECT_RECLAIM_END, REC_COMPACTION, REC_EXTFRAG, Request,
} from './request.js';
import { Request } from './request.js';
import * as requestModule from './request.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { PAGE_ALLOC, PAGE_BUDDY, PAGE_HOLE, PAGE_PCP, PAGE_RESERVED, PAGE_TAIL } = memmapModule;
const { MIGRATE_ISOLATE, MIGRATE_MOVABLE, MIGRATE_PCPTYPES, ZONE_NORMAL, pageblock_order } = mmzoneModule;
const {
  MMREPLAY_ALLOC_FAILURES, MMREPLAY_DROPPED_FREES, MMREPLAY_GFP_UNMAPPED, MMREPLAY_NOOP_FREES, MMREPLAY_UNKNOWN_FREE, MMREPLAY_WARN_ALLOC_PRINTED,
  MMREPLAY_WARN_ALLOC_SUPPRESSED, PGALLOC_DMA, PGFREE,
} = vmstatModule;
const {
  FREE_DROPPED, FREE_FREED, FREE_NOOP, FREE_PRE_TRACE, FREE_SKIPPED, FREE_UNKNOWN, LOG_DECISIONS, LOG_FAILURES, LOG_STEPS,
  MODE_MIRROR, PATH_FAIL, PATH_REJECT,
} = decisionModule;
const { DEAD } = handlesModule;
const {
  REQ_ALLOC, REQ_FREE, REQ_ADVANCE, REQ_SYSCTL, REQ_PCP_REFILL, REQ_PCP_DRAIN, REQ_COMPACT_BEGIN, REQ_COMPACT_MIGRATED, REQ_RECORD, REQ_WMARKS,
  REC_WAKEUP_KSWAPD, REC_DIRECT_RECLAIM_BEGIN, REC_DIRECT_RECLAIM_END, REC_COMPACTION, REC_EXTFRAG,
} = requestModule;

export interface EngineOptions {
  machine: Machine;
  driver: Driver;
  mode: number;
  logMask: number;
  reporter: Reporter;
  /** check the buddy invariants every N requests (0 = never) */
  checkEvery: number;
  machineName: string;
  inputs: string[];
  kernel?: string;
}

interface ThpGroup {
  /** handle of the simulated block serving a group the kernel served later (or never) */
  handle: number;
  /** skip the next recorded plain GFP_TRANSHUGE try */
  skipSecond: boolean;
  /** order-0 fallbacks still to skip */
  skipFallbacks: number;
}

const THP_ORDER = 9;
const GFP_TEXT_SLOTS = 64;

const THP_FALLBACKS = 1 << THP_ORDER;

export class ReplayEngine {
  readonly machine: Machine;
  readonly driver: Driver;
  readonly mode: number;
  readonly logMask: number;
  readonly reporter: Reporter;
  readonly handles: Handles;
  readonly opts: EngineOptions;
  seq = 0;
  events = 0;
  unparsed = 0;
  private checkEvery: number;
  private sinceCheck = 0;
  private readonly out: DriverOut = createDriverOut();
  private readonly scratch: AllocOut = createAllocOut();
  private readonly pred: Prediction = createPrediction();
  private readonly bits: PredictBits;
  private readonly era: string;
  private readonly gfpNorety: number;
  private readonly gfpThisnode: number;
  private readonly gfpComp: number;
  // outcome statistics
  private allocs = 0;
  private frees = 0;
  private failed = 0;
  private readonly okByOrder = new Float64Array(16);
  private readonly failByOrder = new Float64Array(16);
  private readonly byPath = new Float64Array(allocPathNames.length);
  private dropped = 0;
  private noop = 0;
  private unknown = 0;
  private preTrace = 0;
  private thpSkipped = 0;
  readonly agreement: Agreement = {
    recorded_ok_predicted_ok: 0, recorded_ok_predicted_failed: 0, recorded_failed_predicted_ok: 0, recorded_failed_predicted_failed: 0,
    zone_agree: 0, zone_compared: 0,
    kswapd_wakeups: { predicted: 0, recorded: 0 }, direct_reclaims: { predicted: 0, recorded: 0 },
    compactions: { predicted: 0, recorded: 0 }, fallbacks: { predicted: 0, recorded: 0 },
    takeovers: 0, impossible: 0, reconciled_pages: 0,
  };
  /** pids inside a recorded mm_vmscan_direct_reclaim_begin/end window */
  private readonly inDirectReclaim = new Set<number>();
  private readonly thp = new Map<number, ThpGroup>();
  /** per zone (node * 8 + zone idx): where the kernel's free scanner was (mm_compaction_begin free_pfn) */
  private readonly freeScanner = new Map<number, number>();
  /** scanning cursor for frees of memory allocated before the trace (simulate mode, snapshot machines) */
  private readonly preTraceCursor = new Map<Zone, number>();
  private readonly steps: StepEvent[] = [];
  /** the reporter formats events during the call (Reporter.reusesEvents): fill these records in place */
  private readonly reuseEvents: boolean;
  private readonly allocRec: AllocEvent = {
    kind: 'alloc', seq: 0, time: '', task: '', pid: 0, cpu: 0, order: 0, gfp: '', gfp_mask: 0, migratetype: '', path: '',
    result: { ok: false, node: null, zone: null, pfn: null }, warned: false,
    name: undefined, steps: undefined, recorded: undefined, predicted: undefined, trace_gfp: undefined,
  };
  private readonly recordedRec: { ok: boolean; pfn: number | null } = { ok: false, pfn: null };
  private readonly predictedRec = { kswapd: false, direct_reclaim: false, compaction: false, fallback: false };
  /** the events' time text (seconds, 6 decimals), the last second's text cached */
  private readonly time6 = new Time6();
  private readonly freeRec: FreeEvent = { kind: 'free', seq: 0, time: '', task: '', pid: 0, order: 0, pfn: 0, action: '', name: undefined };

  constructor(opts: EngineOptions) {
    this.opts = opts;
    this.machine = opts.machine;
    this.driver = opts.driver;
    this.mode = opts.mode;
    this.logMask = opts.logMask;
    this.reporter = opts.reporter;
    this.reuseEvents = opts.reporter.reusesEvents === true;
    this.checkEvery = opts.checkEvery;
    let maxPfn = 0;
    for (const n of this.machine.nodes) maxPfn = Math.max(maxPfn, n.nodeStartPfn + n.nodeSpannedPages);
    this.handles = new Handles(maxPfn);
    this.era = this.driver.pa.era;
    // mirror predictions ask the policy's own gfp_to_alloc_flags() when the driver simulates the slow path
    const sys = (this.driver as Partial<SlowPathDriver>).sys;
    this.bits = predictBits(this.era, this.machine.policy.blockingFlag, sys ? (g, o, mt) => slowGfpToAllocFlags(sys, g, o, mt) : null);
    this.gfpNorety = gfpBit('__GFP_NORETRY', this.era);
    this.gfpThisnode = gfpBit('__GFP_THISNODE', this.era);
    this.gfpComp = gfpBit('__GFP_COMP', this.era);
    const h = this.handles;
    this.driver.hooks.moved = (o, n) => h.moved(o, n);
    this.driver.hooks.freedBySimulator = (pfn) => h.freedBySimulator(pfn);
    this.driver.pa.steps.enabled = (opts.logMask & LOG_STEPS) !== 0;
  }

  get modeName(): string {
    return modeNames[this.mode]!;
  }

  /** the gfp era of the last request, and whether it is another kernel's than the policy's */
  private lastEra = '';
  private lastEraForeign = false;
  /** trace mask → this policy's mask (translateGfp once per distinct mask); -1 - mask marks one with unmapped flags */
  private readonly gfpXlat = new Map<number, number>();
  /** each unmapped flag once, with the trace gfp text it first came in */
  onGfpUnmapped: ((flag: string, traceGfp: string) => void) | null = null;
  private readonly unmappedSeen = new Set<string>();

  /** src/mm/gfp.ts translateGfp() from the trace's era to the policy's, cached; unmapped flags reported once */
  private translateTraceGfp(req: Request): number {
    const from = req.gfpMask;
    let to = this.gfpXlat.get(from);
    if (to === undefined) {
      const t = translateGfp(from, req.gfpEra, this.era);
      for (const f of t.unmapped) {
        if (this.unmappedSeen.has(f)) continue;
        this.unmappedSeen.add(f);
        this.onGfpUnmapped?.(f, req.gfpText || formatGfpFlags(from, req.gfpEra));
      }
      to = t.unmapped.length > 0 ? -1 - t.mask : t.mask;
      this.gfpXlat.set(from, to);
    }
    if (to < 0) {
      this.driver.vmstat[MMREPLAY_GFP_UNMAPPED]!++;
      return -1 - to;
    }
    return to;
  }

  /** the trace's own gfp text when this policy prints the (translated) mask differently */
  private traceGfp(req: Request, gfp: string): string | undefined {
    return req.gfpText !== '' && req.gfpEra !== this.era && req.gfpText !== gfp ? req.gfpText : undefined;
  }

  /** runs one request; for allocations returns the handle (simulate) or the pfn (mirror) of the block, else -1 */
  handle(req: Request): number {
    this.events++;
    if (req.timeNs > this.driver.nowNs) {
      this.driver.runBackground(req.timeNs);
      this.driver.nowNs = req.timeNs;
    }
    let r = -1;
    switch (req.kind) {
      case REQ_ALLOC: {
        this.seq++;
        // another kernel's trace: its mask in this policy's layout, by meaning; the record stays as parsed
        const traceMask = req.gfpMask;
        // a trace repeats one era string object: an identity test, not a compare of the texts, per request
        const era = req.gfpEra;
        if (era !== this.lastEra) {
          this.lastEra = era;
          this.lastEraForeign = era !== '' && era !== this.era;
        }
        if (this.lastEraForeign) req.gfpMask = this.translateTraceGfp(req);
        r = this.mode === MODE_MIRROR ? this.mirrorAlloc(req) : this.simAlloc(req);
        req.gfpMask = traceMask;
        break;
      }
      case REQ_FREE:
        this.seq++;
        if (this.mode === MODE_MIRROR) this.mirrorFree(req);
        else this.simFree(req);
        break;
      case REQ_ADVANCE:
        break;
      case REQ_SYSCTL:
        if (req.sysctl) this.setSysctl(req.sysctl);
        break;
      case REQ_PCP_REFILL:
        if (this.mode === MODE_MIRROR) this.mirrorPcpRefill(req);
        break;
      case REQ_PCP_DRAIN:
        if (this.mode === MODE_MIRROR) this.mirrorPcpDrain(req);
        break;
      case REQ_COMPACT_BEGIN: {
        const z = pfnToZone(this.driver.pa, req.pfn);
        if (z) this.freeScanner.set(z.nodeId * 8 + z.zoneIdx, req.aux);
        break;
      }
      case REQ_COMPACT_MIGRATED:
        if (this.mode === MODE_MIRROR) this.mirrorCompactionDestinations(req);
        break;
      case REQ_RECORD:
        this.record(req);
        break;
      case REQ_WMARKS:
        this.applyWmarks(req);
        break;
    }
    if (this.checkEvery > 0 && ++this.sinceCheck >= this.checkEvery) {
      this.sinceCheck = 0;
      this.checkInvariants();
    }
    return r;
  }

  /** checkBuddy() on every zone; InvariantError naming the request's seq */
  checkInvariants(): void {
    for (const node of this.machine.nodes) {
      for (const zone of node.zones) {
        if (zone.spannedPages === 0) continue;
        try {
          checkBuddy(zone, node.memmap);
        } catch (e) {
          if (e instanceof InvariantError) throw new InvariantError(`after request seq ${this.seq}: ${e.message}`);
          throw e;
        }
      }
    }
  }

  // ---- simulate mode ----

  private isKernelReclaimFree(req: Request): boolean {
    const t = req.task;
    // 'k' then 's' or 'd' (107, 115, 100): two char tests before the prefix compares, so kworker/... costs no compare
    if (t.charCodeAt(0) === 107) {
      const c1 = t.charCodeAt(1);
      if ((c1 === 115 && t.startsWith('kswapd')) || (c1 === 100 && t.startsWith('kdamond'))) return true;
    }
    return this.inDirectReclaim.size > 0 && this.inDirectReclaim.has(req.pid);
  }

  private simAlloc(req: Request): number {
    const order = req.order;
    const gfp = req.gfpMask;
    const h = this.handles;
    // THP fault attempt groups (README "THP fault groups")
    let g: ThpGroup | undefined;
    if (this.thp.size > 0 && (g = this.thp.get(req.pid)) !== undefined) {
      if (order === THP_ORDER && g.skipSecond && !(gfp & this.gfpNorety)) {
        g.skipSecond = false;
        this.thpSkipped++;
        if (req.recOk && req.recPfn >= 0) {
          h.mapRecorded(req.recPfn, g.handle);
          this.thp.delete(req.pid);
        } else {
          g.skipFallbacks = THP_FALLBACKS;
        }
        this.logSkipped(req);
        return g.handle;
      }
      if (order === 0 && g.skipFallbacks > 0 && !g.skipSecond) {
        g.skipFallbacks--;
        this.thpSkipped++;
        if (req.recOk && req.recPfn >= 0) h.mapRecorded(req.recPfn, g.handle);
        if (g.skipFallbacks === 0) this.thp.delete(req.pid);
        this.logSkipped(req);
        return g.handle;
      }
      if (order !== 0 || g.skipFallbacks === 0) this.thp.delete(req.pid);
    }
    const out = this.out;
    const pfn = this.driver.alloc(gfp, order, req.nid, req.cpu, req.task, req.pid, out);
    let handle = DEAD;
    if (pfn >= 0) {
      handle = h.alloc(pfn);
      if (req.recPfn >= 0 && req.recOk) this.replaceRecorded(req.recPfn, handle);
      // the first try of a THP fault served here but failed in the record: skip what the kernel did next
      if (!req.recOk && order === THP_ORDER && gfp & this.gfpNorety && gfp & this.gfpThisnode && gfp & this.gfpComp) {
        this.thp.set(req.pid, { handle, skipSecond: true, skipFallbacks: 0 });
      }
    } else if (req.recPfn >= 0 && req.recOk) {
      this.replaceRecorded(req.recPfn, DEAD);
    }
    this.countAlloc(order, pfn >= 0, out.path);
    if (out.warnLines.length > 0) this.emitWarning(req, out.warnLines);
    if (this.logMask & LOG_DECISIONS || (this.logMask & LOG_FAILURES && pfn < 0)) {
      this.reporter.alloc(this.allocEvent(req, out.path, pfn, out.zone, out.warned, null));
    }
    return handle;
  }

  /** the recorded pfn now points to `handle`; a block it still pointed to (a missed free) keeps its other refs */
  private replaceRecorded(recPfn: number, handle: number): void {
    const h = this.handles;
    const old = h.recorded(recPfn);
    if (old > DEAD) {
      const left = h.unmapRecorded(recPfn);
      if (left === 0 && h.sim(old) < 0) h.release(old);
    }
    h.mapRecorded(recPfn, handle);
  }

  private logSkipped(req: Request): void {
    if (this.logMask & LOG_DECISIONS) {
      const e = this.allocEvent(req, PATH_REJECT, -1, null, false, null);
      e.path = 'thp_group_skipped';
      this.reporter.alloc(e);
    }
  }

  private simFree(req: Request): void {
    this.frees++;
    const h = this.handles;
    const rec = req.pfn;
    let action: number;
    if (this.isKernelReclaimFree(req)) {
      // the simulator's own reclaim acts instead; the block stays allocated until it does
      action = FREE_DROPPED;
      this.dropped++;
      this.driver.vmstat[MMREPLAY_DROPPED_FREES]!++;
    } else {
      const handle = h.recorded(rec);
      if (handle === DEAD) {
        h.unmapRecorded(rec);
        action = FREE_NOOP;
      } else if (handle > DEAD) {
        const left = h.dropRecorded(rec, handle);
        const sim = h.sim(handle);
        if (sim < 0) action = FREE_NOOP;
        else action = FREE_FREED;
        if (left <= 0) {
          if (sim >= 0) {
            const mm = this.nodeOf(sim)!.memmap;
            this.driver.free(sim, mm.order[sim - mm.startPfn]!, req.cpu);
          }
          h.release(handle);
        }
      } else {
        action = this.freePreTrace(req) ? FREE_PRE_TRACE : FREE_UNKNOWN;
      }
      if (action === FREE_NOOP) {
        this.noop++;
        this.driver.vmstat[MMREPLAY_NOOP_FREES]!++;
      }
    }
    if (this.logMask & LOG_DECISIONS) this.reporter.free(this.freeEvent(req, action));
  }

  /** a scenario free of one block by handle */
  freeHandle(handle: number, req: Request): void {
    this.events++;
    this.seq++;
    this.frees++;
    const h = this.handles;
    const sim = handle > DEAD ? h.sim(handle) : -1;
    let action = FREE_NOOP;
    if (sim >= 0) {
      const mm = this.nodeOf(sim)!.memmap;
      req.order = mm.order[sim - mm.startPfn]!;
      req.pfn = sim;
      this.driver.free(sim, req.order, req.cpu);
      action = FREE_FREED;
    } else {
      this.noop++;
      this.driver.vmstat[MMREPLAY_NOOP_FREES]!++;
    }
    if (handle > DEAD) h.release(handle);
    if (this.logMask & LOG_DECISIONS) this.reporter.free(this.freeEvent(req, action));
  }

  /**
   * A free of a pfn never seen allocated. With a snapshot machine, a block of that order allocated before the
   * trace is freed: the recorded pfn itself when it is such a block here (same geometry), else the next one
   * found in that zone; otherwise the free is counted (mmreplay_unknown_free) and skipped. A run of never-seen
   * pfns beyond the zone's managed pages is memory coming online (zone growth).
   */
  private freePreTrace(req: Request): boolean {
    const pa = this.driver.pa;
    const zone = pfnToZone(pa, req.pfn);
    const order = req.order;
    if (zone && this.onlinePages(zone, req.pfn, order)) {
      this.preTrace++;
      return true;
    }
    if (zone && this.machine.source.kind === 'snapshot') {
      const mm = this.machine.nodes[zone.nodeId]!.memmap;
      let pfn = -1;
      if (this.preAllocated(zone, mm, req.pfn, order)) pfn = req.pfn;
      else pfn = this.findPreAllocated(zone, mm, order);
      if (pfn >= 0 && mergeAllocatedRange(zone, mm, pfn, order)) {
        this.driver.free(pfn, order, req.cpu);
        this.preTrace++;
        return true;
      }
    }
    this.unknown++;
    this.driver.vmstat[MMREPLAY_UNKNOWN_FREE]!++;
    return false;
  }

  /** 2^order order-0 pages allocated before the trace (no handle) at an aligned pfn */
  private preAllocated(zone: Zone, mm: PglistData['memmap'], pfn: number, order: number): boolean {
    const n = 1 << order;
    const zs = zone.zoneStartPfn as number;
    if (pfn & (n - 1) || pfn < zs || pfn + n > zs + zone.spannedPages) return false;
    const base = mm.startPfn;
    const rev = this.handles.rev;
    for (let p = pfn; p < pfn + n; p++) {
      if (mm.state[p - base] !== PAGE_ALLOC || mm.order[p - base] !== 0 || mm.owner[p - base] !== -1) return false;
      if (p < rev.length && rev[p] !== 0) return false;
    }
    return true;
  }

  private findPreAllocated(zone: Zone, mm: PglistData['memmap'], order: number): number {
    const zs = zone.zoneStartPfn as number;
    const ze = zs + zone.spannedPages;
    const n = 1 << order;
    let p = this.preTraceCursor.get(zone) ?? zs;
    p = (p + n - 1) & ~(n - 1);
    // bounded scan: a zone whose pre-trace memory is used up stops costing time
    for (let tries = 0; tries < 4096 && p + n <= ze; tries++, p += n) {
      if (this.preAllocated(zone, mm, p, order)) {
        this.preTraceCursor.set(zone, p + n);
        return p;
      }
    }
    this.preTraceCursor.set(zone, p < ze ? p : zs);
    return -1;
  }

  /**
   * Zone growth (design §11): a free of never-seen pfns that are all holes or reserved pages of a zone's span is
   * memory coming online: they become managed (present) pages and are freed. Watermarks follow from the
   * kernel's own mm_setup_per_zone_wmarks (REQ_WMARKS), or are recomputed when the trace has none.
   */
  private onlinePages(zone: Zone, pfn: number, order: number): boolean {
    // a growth step frees whole MAX_PAGE_ORDER blocks (128 MiB = 32 of them on x86-64)
    if (order !== this.machine.policy.maxPageOrder) return false;
    const mm = this.machine.nodes[zone.nodeId]!.memmap;
    const n = 1 << order;
    const zs = zone.zoneStartPfn as number;
    if (pfn & (n - 1) || pfn < zs || pfn + n > zs + zone.spannedPages) return false;
    const base = mm.startPfn;
    let holes = 0;
    for (let p = pfn; p < pfn + n; p++) {
      const st = mm.state[p - base]!;
      if (st === PAGE_HOLE) holes++;
      else if (st !== PAGE_RESERVED) return false;
    }
    zone.presentPages += holes;
    zone.managedPages += n;
    for (let p = pfn + 1; p < pfn + n; p++) mm.state[p - base] = PAGE_TAIL;
    mm.state[pfn - base] = PAGE_ALLOC;
    mm.order[pfn - base] = order;
    mm.owner[pfn - base] = -1;
    zoneFreeOnePage(this.driver.pa, zone, pfn, order, 0);
    this.driver.vmstat[PGFREE]! += n;
    return true;
  }

  // ---- mirror mode ----

  private nodeOf(pfn: number): PglistData | null {
    const nodes = this.machine.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const n = nodes[i]!;
      if (pfn >= n.nodeStartPfn && pfn < n.nodeStartPfn + n.nodeSpannedPages) return n;
    }
    return null;
  }

  private mirrorAlloc(req: Request): number {
    const pa = this.driver.pa;
    const p = this.pred;
    const order = req.order;
    const path = predictAlloc(pa, this.bits, req.gfpMask, order, req.nid, req.cpu, this.scratch, p);
    const predOk = p.zone !== null && path !== PATH_FAIL && path !== PATH_REJECT;
    const a = this.agreement;
    if (p.kswapd) a.kswapd_wakeups.predicted++;
    if (p.directReclaim) a.direct_reclaims.predicted++;
    if (p.compaction) a.compactions.predicted++;
    if (p.fallback && predOk) a.fallbacks.predicted++;
    let recZone: Zone | null = null;
    if (req.recOk && req.recPfn >= 0) {
      recZone = pfnToZone(pa, req.recPfn);
      if (recZone) {
        const mm = this.machine.nodes[recZone.nodeId]!.memmap;
        const c = claimBlock(recZone, mm, req.recPfn, order);
        if (c === CLAIM_TAKEOVER) a.takeovers++;
        else if (c === CLAIM_IMPOSSIBLE) a.impossible++;
        this.driver.vmstat[PGALLOC_DMA + recZone.zoneIdx]! += 1 << order;
      } else {
        a.impossible++;
      }
      if (predOk) a.recorded_ok_predicted_ok++;
      else a.recorded_ok_predicted_failed++;
      if (predOk) {
        a.zone_compared++;
        if (recZone === p.zone) a.zone_agree++;
      }
    } else {
      if (predOk) a.recorded_failed_predicted_ok++;
      else a.recorded_failed_predicted_failed++;
    }
    this.countAlloc(order, predOk, path);
    let warned = false;
    if (!predOk && path !== PATH_REJECT) warned = this.warnMirror(req);
    if (this.logMask & LOG_DECISIONS || (this.logMask & LOG_FAILURES && (!predOk || !req.recOk))) {
      this.reporter.alloc(this.allocEvent(req, path, predOk ? (p.zone === recZone ? req.recPfn : -1) : -1, predOk ? p.zone : null, warned, p));
    }
    // after the prediction is logged (it re-predicts into this.pred)
    if (!req.recOk && predOk) this.reconcileFailure(req, p.zone!);
    return req.recOk ? req.recPfn : -1;
  }

  /**
   * The kernel failed a request the policy predicted to serve from `zone`: the real state had no usable block of
   * that order there (the mirror's start state is older than the trace, e.g. a window cut from a longer capture).
   * Apply what the failure proves, after the prediction was logged: the free blocks of order ≥ the request's in
   * the zones the prediction would use are taken out as "allocated before the trace", until the policy predicts
   * the failure. Counted in the agreement table (reconciled_pages).
   */
  private reconcileFailure(req: Request, zone: Zone): void {
    const pa = this.driver.pa;
    const p = this.pred;
    let z: Zone | null = zone;
    for (let round = 0; round < 8 && z; round++) {
      const mm = this.machine.nodes[z.nodeId]!.memmap;
      const fa = z.freeArea;
      for (let o = req.order; o < fa.nrFree.length; o++) {
        for (let mt = 0; mt < 6; mt++) {
          for (let h = fa.head[o * 6 + mt]!; h >= 0; h = fa.head[o * 6 + mt]!) {
            claimBlock(z, mm, h, o);
            this.agreement.reconciled_pages += 1 << o;
          }
        }
      }
      const pcp = z.pcp;
      if (pcp && pcpAllowedOrder(pcp, req.order) && req.cpu < pcp.nrCpus) {
        for (let li = req.cpu * pcp.nrLists; li < (req.cpu + 1) * pcp.nrLists; li++) {
          for (let h = pcp.head[li]!; h >= 0; h = pcp.head[li]!) {
            const o = mm.order[h - mm.startPfn]!;
            if (o < req.order) break;
            claimBlock(z, mm, h, o);
            this.agreement.reconciled_pages += 1 << o;
          }
        }
      }
      const path = predictAlloc(pa, this.bits, req.gfpMask, req.order, req.nid, req.cpu, this.scratch, p);
      z = path === PATH_FAIL || path === PATH_REJECT ? null : p.zone;
    }
  }

  private warnMirror(req: Request): boolean {
    const lines: string[] = this.out.warnLines;
    lines.length = 0;
    const v = warnAlloc(lines, this.driver.warn, {
      timeNs: req.timeNs, comm: req.task, pid: req.pid, cpu: req.cpu, order: req.order, gfpMask: req.gfpMask,
      mode: formatGfpMode(req.gfpMask, this.era), highestZoneIdx: gfpZone(req.gfpMask, this.era),
    }, { nodes: this.machine.nodes });
    const printed = v === WARN_PRINT;
    this.driver.vmstat[printed ? MMREPLAY_WARN_ALLOC_PRINTED : MMREPLAY_WARN_ALLOC_SUPPRESSED]!++;
    if (lines.length > 0) this.emitWarning(req, lines);
    return printed;
  }

  /** free at the recorded pfn as the policy would: pcp-eligible orders to this CPU's pcp list head, else buddy */
  private mirrorFree(req: Request): void {
    this.frees++;
    const pa = this.driver.pa;
    const pfn = req.pfn;
    const order = req.order;
    const zone = pfnToZone(pa, pfn);
    let action = FREE_FREED;
    if (!zone) {
      action = FREE_UNKNOWN;
      this.unknown++;
      this.driver.vmstat[MMREPLAY_UNKNOWN_FREE]!++;
    } else {
      const mm = this.machine.nodes[zone.nodeId]!.memmap;
      const i = pfn - mm.startPfn;
      if (!(mm.state[i] === PAGE_ALLOC && mm.order[i] === order)) {
        if (this.onlinePages(zone, pfn, order)) {
          action = FREE_PRE_TRACE;
          this.preTrace++;
          if (this.logMask & LOG_DECISIONS) this.reporter.free(this.freeEvent(req, action));
          return;
        }
        const c = claimBlock(zone, mm, pfn, order);
        if (c === CLAIM_IMPOSSIBLE) {
          this.agreement.impossible++;
          this.unknown++;
          this.driver.vmstat[MMREPLAY_UNKNOWN_FREE]!++;
          if (this.logMask & LOG_DECISIONS) this.reporter.free(this.freeEvent(req, FREE_UNKNOWN));
          return;
        }
        action = FREE_PRE_TRACE;
        this.preTrace++;
      }
      this.mirrorFreeBlock(zone, mm, pfn, order, req.cpu);
      this.driver.vmstat[PGFREE]! += 1 << order;
    }
    if (this.logMask & LOG_DECISIONS) this.reporter.free(this.freeEvent(req, action));
  }

  /** __free_frozen_pages() at a given pfn without the pcp spill: the spill is recorded as mm_page_pcpu_drain */
  private mirrorFreeBlock(zone: Zone, mm: PglistData['memmap'], pfn: number, order: number, cpu: number): void {
    const pcp = zone.pcp;
    const pbMt = getPageblockMigratetype(mm, pfn);
    if (pcp && pcpAllowedOrder(pcp, order) && pbMt !== MIGRATE_ISOLATE && cpu < pcp.nrCpus) {
      pcpAddHead(pcp, cpu, pfn, order, pbMt >= MIGRATE_PCPTYPES ? MIGRATE_MOVABLE : pbMt);
      return;
    }
    zoneFreeOnePage(this.driver.pa, zone, pfn, order, 0);
  }

  private mirrorPcpRefill(req: Request): void {
    const zone = pfnToZone(this.driver.pa, req.pfn);
    if (!zone || !zone.pcp || !pcpAllowedOrder(zone.pcp, req.order) || req.cpu >= zone.pcp.nrCpus) return;
    const mm = this.machine.nodes[zone.nodeId]!.memmap;
    const c = claimBlock(zone, mm, req.pfn, req.order);
    if (c === CLAIM_IMPOSSIBLE) {
      this.agreement.impossible++;
      return;
    }
    if (c === CLAIM_TAKEOVER) this.agreement.takeovers++;
    const mt = req.migratetype >= 0 && req.migratetype < MIGRATE_PCPTYPES ? req.migratetype : MIGRATE_MOVABLE;
    pcpAddTail(zone.pcp, req.cpu, req.pfn, req.order, mt);
  }

  private mirrorPcpDrain(req: Request): void {
    const zone = pfnToZone(this.driver.pa, req.pfn);
    if (!zone) return;
    const mm = this.machine.nodes[zone.nodeId]!.memmap;
    const i = req.pfn - mm.startPfn;
    const st = mm.state[i]!;
    if (st === PAGE_PCP && zone.pcp) {
      const order = mm.order[i]!;
      takePageOffPcp(zone.pcp, req.pfn);
      buddyFreeOnePage(zone, mm, req.pfn, order, getPageblockMigratetype(mm, req.pfn), 0);
      return;
    }
    if (st === PAGE_BUDDY || st === PAGE_TAIL) {
      // already free here (or inside a free block): the kernel's pcp held it, the mirror did not
      if (st === PAGE_BUDDY) return;
    }
    // allocated here (a pcp page of the snapshot, which the layout counts as allocated): free it
    const c = claimBlock(zone, mm, req.pfn, req.order);
    if (c === CLAIM_IMPOSSIBLE) return;
    zoneFreeOnePage(this.driver.pa, zone, req.pfn, req.order, 0);
  }

  /**
   * mm_compaction_migratepages: nr_migrated pages moved into free pages the free scanner isolated, without any
   * allocation event. Take that many free pages from the zone's top down from where the free scanner was
   * (mm_compaction_begin free_pfn), whole free blocks as isolate_freepages_block() takes them, the last one only
   * in part; the pages become allocated (their later frees are seen as pre-trace frees).
   */
  private mirrorCompactionDestinations(req: Request): void {
    let need = req.aux;
    if (!(need > 0)) return;
    let zone: Zone | null = null;
    let start = -1;
    for (const [key, pfn] of this.freeScanner) {
      zone = this.machine.nodes[(key / 8) | 0]!.zones[key % 8]!;
      start = pfn;
    }
    if (!zone) {
      zone = this.machine.nodes[0]!.zones[ZONE_NORMAL] ?? null;
      if (!zone || zone.spannedPages === 0) return;
    }
    const mm = this.machine.nodes[zone.nodeId]!.memmap;
    const zs = zone.zoneStartPfn as number;
    const ze = zs + zone.spannedPages;
    let p = Math.min(start >= 0 ? start : ze, ze) - 1;
    const base = mm.startPfn;
    while (need > 0 && p >= zs) {
      const st = mm.state[p - base]!;
      if (st !== PAGE_BUDDY) {
        p--;
        continue;
      }
      const o = mm.order[p - base]!;
      let take = o;
      while ((1 << take) > need) take--;
      // the highest aligned sub-block of the free block (the free scanner works downwards)
      const sub = p + (1 << o) - (1 << take);
      claimBlock(zone, mm, sub, take);
      need -= 1 << take;
      if (take === o) p--;
    }
  }

  // ---- both ----

  private record(req: Request): void {
    const a = this.agreement;
    switch (req.aux) {
      case REC_WAKEUP_KSWAPD: a.kswapd_wakeups.recorded++; break;
      case REC_DIRECT_RECLAIM_BEGIN: a.direct_reclaims.recorded++; this.inDirectReclaim.add(req.pid); break;
      case REC_DIRECT_RECLAIM_END: this.inDirectReclaim.delete(req.pid); break;
      case REC_COMPACTION: a.compactions.recorded++; break;
      case REC_EXTFRAG: a.fallbacks.recorded++; break;
    }
  }

  private applyWmarks(req: Request): void {
    const node = this.machine.nodes[req.pfn];
    const zone = node?.zones[req.aux];
    if (!zone) return;
    for (let i = 0; i < 4; i++) zone.watermark[i] = req.wmarks[i]!;
  }

  private setSysctl(s: Partial<Sysctl>): void {
    const sys = this.machine.sysctl as unknown as Record<string, unknown>;
    for (const [k, v] of Object.entries(s)) if (v !== undefined && k in sys) sys[k] = v;
    setupPerZoneWmarks(this.machine.nodes, this.machine.sysctl, this.machine.policy);
    setupPerZoneLowmemReserve(this.machine.nodes, this.machine.sysctl);
  }

  private countAlloc(order: number, ok: boolean, path: number): void {
    this.allocs++;
    if (ok) this.okByOrder[order]!++;
    else {
      this.failByOrder[order]!++;
      this.failed++;
      if (this.mode === MODE_MIRROR) this.driver.vmstat[MMREPLAY_ALLOC_FAILURES]!++;
    }
    this.byPath[path]!++;
  }

  /** kernel log lines of one request (warn_alloc's report, the OOM killer's lines) to the reporter */
  private emitWarning(req: Request, lines: string[]): void {
    this.reporter.warning({ kind: 'warning', seq: this.seq, time: this.time6.format(req.timeSec), lines: lines.slice() });
  }

  private allocEvent(req: Request, path: number, pfn: number, zone: Zone | null, warned: boolean, p: Prediction | null): AllocEvent {
    // gfp_migratetype() gives the policy kernel's number (v4.0: MOVABLE 2); the names are indexed by meaning
    const mt = req.migratetype >= 0 ? req.migratetype : this.driver.pa.mtFromKernel[gfpMigratetype(req.gfpMask, this.era)]!;
    const ok = zone !== null;
    if (!this.reuseEvents) {
      const e: AllocEvent = {
        kind: 'alloc',
        seq: this.seq,
        time: this.time6.format(req.timeSec),
        task: req.task,
        pid: req.pid,
        cpu: req.cpu,
        order: req.order,
        gfp: this.gfpText(req.gfpMask),
        gfp_mask: req.gfpMask >>> 0,
        migratetype: migratetypeNames[mt] ?? String(mt),
        path: allocPathNames[path]!,
        result: { ok, node: ok ? zone.nodeId : null, zone: ok ? zone.name : null, pfn: ok && pfn >= 0 ? pfn : null },
        warned,
      };
      if (req.name) e.name = req.name;
      if (this.logMask & LOG_STEPS) e.steps = this.stepEvents();
      if (req.recPfn >= 0 || !req.recOk) e.recorded = { ok: req.recOk, pfn: req.recOk ? req.recPfn : null };
      const tg = this.traceGfp(req, e.gfp);
      if (tg !== undefined) e.trace_gfp = tg;
      if (p) e.predicted = { kswapd: p.kswapd, direct_reclaim: p.directReclaim, compaction: p.compaction, fallback: p.fallback };
      return e;
    }
    // the same fields in place (absent optional fields are undefined, which JSON.stringify leaves out too)
    const e = this.allocRec;
    e.seq = this.seq;
    e.time = this.time6.format(req.timeSec);
    e.task = req.task;
    e.pid = req.pid;
    e.cpu = req.cpu;
    e.order = req.order;
    e.gfp = this.gfpText(req.gfpMask);
    e.gfp_mask = req.gfpMask >>> 0;
    e.trace_gfp = this.traceGfp(req, e.gfp);
    e.migratetype = migratetypeNames[mt] ?? String(mt);
    e.path = allocPathNames[path]!;
    const r = e.result;
    r.ok = ok;
    r.node = ok ? zone.nodeId : null;
    r.zone = ok ? zone.name : null;
    r.pfn = ok && pfn >= 0 ? pfn : null;
    e.warned = warned;
    e.name = req.name ? req.name : undefined;
    e.steps = this.logMask & LOG_STEPS ? this.stepEvents() : undefined;
    if (req.recPfn >= 0 || !req.recOk) {
      const rec = this.recordedRec;
      rec.ok = req.recOk;
      rec.pfn = req.recOk ? req.recPfn : null;
      e.recorded = rec;
    } else {
      e.recorded = undefined;
    }
    if (p) {
      const pr = this.predictedRec;
      pr.kswapd = p.kswapd;
      pr.direct_reclaim = p.directReclaim;
      pr.compaction = p.compaction;
      pr.fallback = p.fallback;
      e.predicted = pr;
    } else {
      e.predicted = undefined;
    }
    return e;
  }

  /** gfp mask → %pGg text, direct-mapped cache (a trace repeats a handful of masks) */
  private readonly gfpTextKey = new Int32Array(GFP_TEXT_SLOTS);
  private readonly gfpTextVal: (string | undefined)[] = new Array<string | undefined>(GFP_TEXT_SLOTS).fill(undefined);
  private gfpText(mask: number): string {
    const slot = (mask ^ (mask >>> 7) ^ (mask >>> 15)) & (GFP_TEXT_SLOTS - 1);
    const t = this.gfpTextVal[slot];
    if (t !== undefined && this.gfpTextKey[slot] === mask) return t;
    const text = formatGfpFlags(mask, this.era);
    this.gfpTextKey[slot] = mask;
    this.gfpTextVal[slot] = text;
    return text;
  }

  private stepEvents(): StepEvent[] {
    const s = this.driver.pa.steps;
    const out: StepEvent[] = [];
    const names = this.driver.stepNames;
    for (let i = 0; i < s.n; i++) {
      const nid = s.nid[i]!;
      const zid = s.zid[i]!;
      out.push({
        kind: names[s.kind[i]!] ?? `step_${s.kind[i]}`,
        node: nid,
        zone: nid >= 0 && zid >= 0 ? this.machine.nodes[nid]!.zones[zid]!.name : null,
        free: s.free[i]!, mark: s.mark[i]!, reserve: s.reserve[i]!, result: s.result[i]!, alloc_flags: s.flags[i]!, aux: s.aux[i]!,
      });
    }
    return out;
  }

  private freeEvent(req: Request, action: number): FreeEvent {
    if (!this.reuseEvents) {
      const e: FreeEvent = {
        kind: 'free', seq: this.seq, time: this.time6.format(req.timeSec), task: req.task, pid: req.pid, order: req.order, pfn: req.pfn,
        action: freeActionNames[action]!,
      };
      if (req.name) e.name = req.name;
      return e;
    }
    const e = this.freeRec;
    e.seq = this.seq;
    e.time = this.time6.format(req.timeSec);
    e.task = req.task;
    e.pid = req.pid;
    e.order = req.order;
    e.pfn = req.pfn;
    e.action = freeActionNames[action]!;
    e.name = req.name ? req.name : undefined;
    return e;
  }

  /** the end of the run: invariants (when checked), the summary to the reporter, and the summary returned */
  finish(allCounters: boolean): ReplaySummary {
    if (this.checkEvery > 0) this.checkInvariants();
    const vm = this.driver.vmstat;
    refreshVmstatGauges(vm, this.machine.nodes);
    const counters: Record<string, number> = {};
    for (const name of counterNames(this.machine.policy.name) ?? []) {
      const v = vm[vmstatIndex(name)]!;
      if (allCounters || v !== 0) counters[name] = v;
    }
    const byOrder: Record<string, { ok: number; failed: number }> = {};
    for (let o = 0; o < 16; o++) if (this.okByOrder[o]! + this.failByOrder[o]! > 0) byOrder[o] = { ok: this.okByOrder[o]!, failed: this.failByOrder[o]! };
    const byPath: Record<string, number> = {};
    allocPathNames.forEach((n, i) => { if (this.byPath[i]! > 0) byPath[n] = this.byPath[i]!; });
    const views = machineZoneViews(this.machine);
    const s: ReplaySummary = {
      kind: 'summary',
      mode: this.modeName,
      machine: this.opts.machineName,
      policy: this.machine.policy.name,
      inputs: this.opts.inputs,
      requests: { allocs: this.allocs, frees: this.frees, failed: this.failed, events: this.events },
      by_order: byOrder,
      by_path: byPath,
      frees: { dropped: this.dropped, noop: this.noop, unknown: this.unknown, pre_trace: this.preTrace },
      thp_group_skipped: this.thpSkipped,
      // the counters warn_alloc itself keeps: a __GFP_NOWARN failure is suppressed without printing a line
      warnings: { printed: vm[MMREPLAY_WARN_ALLOC_PRINTED]!, suppressed: vm[MMREPLAY_WARN_ALLOC_SUPPRESSED]! },
      counters,
      unparsed: this.unparsed,
      buddyinfo: printBuddyinfo(views),
      pagetypeinfo: printPagetypeinfo(views, { cma: this.machine.config.cma, policy: this.machine.policy }),
    };
    if (this.opts.kernel) s.kernel = this.opts.kernel;
    if (this.mode === MODE_MIRROR) s.agreement = this.agreement;
    this.reporter.summary(s);
    return s;
  }
}

/** exported for tests: the pageblock order the THP rules use */
export const THP_PAGEBLOCK_ORDER = pageblock_order;
export { FREE_SKIPPED, FREE_DROPPED, FREE_NOOP };
