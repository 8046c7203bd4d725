/**
 * How the engine calls the simulated kernel in simulate mode: allocPages / freeAllocated and the background
 * actors. One implementation: the fast path of page_alloc.ts (allocPagesFast) with warn_alloc on failure, used
 * until src/mm/slowpath.ts (the whole __alloc_pages_slowpath) is wired in; see README "replay" for what it lacks.
 */
import type { Machine } from '../mm/machine.js';
import * as pageAllocModule from '../mm/page_alloc.js';
import type { AllocOut, PageAlloc } from '../mm/page_alloc.js';
import { newVmstat } from '../mm/vmstat.js';
import * as vmstatModule from '../mm/vmstat.js';
import { newWarnAllocState, warnAlloc, WARN_PRINT } from '../mm/show_mem.js';
import type { WarnAllocState } from '../mm/show_mem.js';
import { formatGfpMode, gfpZone } from '../mm/gfp.js';
import type { Zone } from '../mm/mmzone.js';
import { PATH_FAIL, PATH_FAST, PATH_REJECT } from './decision.js';
import type { MmHooks, MmSystem } from '../mm/system.js';
import { slowpathStepNames } from '../mm/slowpath.js';
import * as slowpathModule from '../mm/slowpath.js';
import type { AllocResult } from '../mm/slowpath.js';
import { vmscanStepNames } from '../mm/vmscan.js';
import * as vmscanModule from '../mm/vmscan.js';
import type { ReclaimOptions } from '../mm/vmscan.js';
import { compactionStepNames } from '../mm/compaction.js';
import * as compactionModule from '../mm/compaction.js';
import { oomStepNames } from '../mm/oom_kill.js';
import * as oomKillModule from '../mm/oom_kill.js';
import { stepNames as paStepNames } from '../mm/page_alloc.js';

// hot-path imports copied into module consts (README "Hot-path imports": V8 reads an import through its cell)
const { PGALLOC_DMA, PGFREE, MMREPLAY_ALLOC_FAILURES, MMREPLAY_WARN_ALLOC_PRINTED, MMREPLAY_WARN_ALLOC_SUPPRESSED } = vmstatModule;
const { createAllocOut, createPageAlloc, allocPagesFast, freePages } = pageAllocModule;
const { allocPages, createAllocResult, createMmSystem, freeAllocated } = slowpathModule;
const { kswapdRun } = vmscanModule;
const { kcompactdRun } = compactionModule;
const { taskId } = oomKillModule;

/** The outcome record of one allocation, reused. */
export interface DriverOut {
  pfn: number;
  zone: Zone | null;
  path: number;
  /** warn_alloc lines (dmesg prefixed); empty when nothing was printed */
  warnLines: string[];
  warned: boolean;
}

export function createDriverOut(): DriverOut {
  return { pfn: -1, zone: null, path: PATH_FAIL, warnLines: [], warned: false };
}

export interface Driver {
  machine: Machine;
  pa: PageAlloc;
  vmstat: Float64Array;
  warn: WarnAllocState;
  nowNs: number;
  hooks: MmHooks;
  alloc(gfpMask: number, order: number, nid: number, cpu: number, comm: string, pid: number, out: DriverOut): number;
  free(pfn: number, order: number, cpu: number): void;
  /** kswapd / kcompactd catch up to `untilNs` */
  runBackground(untilNs: number): void;
  /** names of the step kinds the driver's steps use, indexed by kind */
  stepNames: readonly string[];
}

/** The fast-path driver: allocPagesFast(); a failure (after the fast path) is reported by warn_alloc. */
export class FastPathDriver implements Driver {
  machine: Machine;
  pa: PageAlloc;
  vmstat = newVmstat();
  warn = newWarnAllocState();
  nowNs = 0;
  hooks: MmHooks = { moved() {}, freedBySimulator() {} };
  stepNames: readonly string[];
  private readonly aout: AllocOut = createAllocOut();

  constructor(machine: Machine, stepNames: readonly string[]) {
    this.machine = machine;
    this.pa = createPageAlloc(machine);
    this.stepNames = stepNames;
  }

  alloc(gfpMask: number, order: number, nid: number, cpu: number, comm: string, pid: number, out: DriverOut): number {
    out.warnLines.length = 0;
    out.warned = false;
    const pfn = allocPagesFast(this.pa, gfpMask, order, nid, cpu, this.aout);
    out.pfn = pfn;
    out.zone = this.aout.zone;
    if (pfn >= 0) {
      out.path = PATH_FAST;
      this.vmstat[PGALLOC_DMA + this.aout.zone!.zoneIdx]! += 1 << order;
      return pfn;
    }
    out.path = this.aout.reject ? PATH_REJECT : PATH_FAIL;
    this.vmstat[MMREPLAY_ALLOC_FAILURES]!++;
    if (!this.aout.reject) {
      const era = this.pa.era;
      const v = warnAlloc(out.warnLines, this.warn, {
        timeNs: this.nowNs, comm, pid, cpu, order, gfpMask, mode: formatGfpMode(gfpMask, era), highestZoneIdx: gfpZone(gfpMask, era),
      }, { nodes: this.machine.nodes });
      out.warned = v === WARN_PRINT;
      this.vmstat[out.warned ? MMREPLAY_WARN_ALLOC_PRINTED : MMREPLAY_WARN_ALLOC_SUPPRESSED]!++;
    }
    return -1;
  }

  free(pfn: number, order: number, cpu: number): void {
    if (freePages(this.pa, pfn, order, cpu)) this.vmstat[PGFREE]! += 1 << order;
  }

  runBackground(_untilNs: number): void {}
}

/**
 * The whole kernel: slowpath.ts allocPages() (fast path, then __alloc_pages_slowpath with kswapd, direct
 * reclaim, compaction and OOM) and freeAllocated(); kswapd and kcompactd run as time advances.
 */
export class SlowPathDriver implements Driver {
  readonly sys: MmSystem;
  machine: Machine;
  pa: PageAlloc;
  vmstat: Float64Array;
  warn: WarnAllocState;
  hooks: MmHooks;
  stepNames: readonly string[] = allStepNames();
  private readonly res: AllocResult = createAllocResult();

  constructor(machine: Machine, reclaim: Partial<ReclaimOptions> = {}) {
    this.hooks = { moved() {}, freedBySimulator() {} };
    const hooks = this.hooks;
    // the engine replaces the hook bodies after construction; the system calls through this object
    this.sys = createMmSystem(machine, { reclaim, hooks: { moved: (o, n, k) => hooks.moved(o, n, k), freedBySimulator: (p, o, w) => hooks.freedBySimulator(p, o, w) } });
    this.machine = machine;
    this.pa = this.sys.pa;
    this.vmstat = this.sys.vmstat;
    this.warn = this.sys.warn;
  }

  get nowNs(): number {
    return this.sys.nowNs;
  }
  set nowNs(t: number) {
    this.sys.nowNs = t;
  }

  alloc(gfpMask: number, order: number, nid: number, cpu: number, comm: string, pid: number, out: DriverOut): number {
    const res = this.res;
    const tid = pid >= 0 ? taskId(this.sys, pid, comm) : -1;
    const pfn = allocPages(this.sys, gfpMask, order, nid, cpu, tid, res);
    out.pfn = pfn;
    out.zone = res.zone;
    out.path = res.path;
    // setting an array's length is a runtime call: only when a previous request left lines
    const lines = out.warnLines;
    if (lines.length !== 0) lines.length = 0;
    const warned = res.warned;
    for (let i = 0; i < warned.length; i++) lines.push(warned[i]!);
    out.warned = res.warnVerdict === WARN_PRINT;
    return pfn;
  }

  free(pfn: number, order: number, cpu: number): void {
    freeAllocated(this.sys, pfn, order, cpu);
  }

  runBackground(untilNs: number): void {
    kswapdRun(this.sys, untilNs);
    kcompactdRun(this.sys, untilNs);
  }
}

/** step kind → name over every module that pushes steps (page_alloc, slowpath, vmscan, compaction, oom_kill) */
export function allStepNames(): string[] {
  const names: string[] = [...paStepNames];
  for (const table of [slowpathStepNames, vmscanStepNames, compactionStepNames, oomStepNames]) {
    for (const [k, v] of Object.entries(table)) names[Number(k)] = v;
  }
  return names;
}
