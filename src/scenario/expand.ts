/**
 * A scenario as a request stream for the replay engine (the same loop as traces): tasks are registered, setup
 * steps shape the zones, then every request runs in order.
 *
 * Setup steps (README "scenarios", documented rules):
 *  - fill: a direct buddy fill that bypasses watermarks (no pcp, no slow path): blocks of `order` and
 *    `migratetype` are taken from the zone's free lists with __rmqueue (fallbacks included) until `pages` /
 *    `percent` of the managed pages are allocated, or only `leave_free` pages are left free. The blocks are owned
 *    by `task` and get the page kind `kind` exactly as named (the reclaim model's kinds; the default follows the
 *    migratetype: Movable file, Reclaimable slab, Unmovable kernel). Not counted in pgalloc_*.
 *  - fragment: the zone's remaining free memory is filled the same way in blocks of 2^keep_order pages, then
 *    every other block (pattern "every-other") or one block in N ("one-in-N"), in pfn order starting with the
 *    first, is freed straight back to the buddy lists: holes that cannot merge. Not counted in pgfree.
 * Requests: alloc (repeat times; a 1 ms tick of simulated time per allocation unless `at` is given), free by
 * name (every block the named request got), advance (seconds; kswapd and kcompactd run), sysctl (watermarks
 * recomputed). A migratetype override replaces the gfp's mobility bits; a `kind` override of a request is not
 * supported (the kind follows the gfp rules).
 */
import type { LoadedScenario } from './load.js';
import type { ReplayEngine } from '../replay/engine.js';
import { REQ_ADVANCE, REQ_ALLOC, REQ_FREE, REQ_SYSCTL, Request } from '../replay/engine.js';
import type { SlowPathDriver } from '../replay/driver.js';
import { parseGfpFlags, gfpBit } from '../mm/gfp.js';
import { MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_UNMOVABLE, zoneNames } from '../mm/mmzone.js';
import type { Zone } from '../mm/mmzone.js';
import { RMQUEUE_NORMAL, rmqueueBlock } from '../mm/buddy.js';
import { freeOnePage } from '../mm/page_alloc.js';
import { ZONE_BOOSTED_WATERMARK } from '../mm/internal.js';
import { PAGE_KIND_ANON, PAGE_KIND_FILE, PAGE_KIND_KERNEL, PAGE_KIND_SLAB, lruAddKind, lruDel } from '../mm/vmscan.js';
import { setOomScoreAdj, taskId, taskPagesAdd } from '../mm/oom_kill.js';
import type { MmSystem } from '../mm/system.js';
import { InputError } from '../errors.js';

/** simulated time between two scenario allocations without `at` */
export const SCENARIO_TICK_NS = 1_000_000;
/** the task of requests that name none */
export const DEFAULT_SCENARIO_COMM = 'scenario';
export const DEFAULT_SCENARIO_PID = 1;

const mtByName: Record<string, number> = { Unmovable: MIGRATE_UNMOVABLE, Movable: MIGRATE_MOVABLE, Reclaimable: MIGRATE_RECLAIMABLE };

/** the machine spec of a scenario for buildMachine (a preset name, a path, or the inline object) */
export function scenarioMachineSpec(s: LoadedScenario): string | object {
  return s.machine as string | object;
}

/** a setup step's `kind` names the page kind outright (the gfp rules would let the migratetype decide) */
const kindByName: Readonly<Record<string, number>> = { file: PAGE_KIND_FILE, anon: PAGE_KIND_ANON, slab: PAGE_KIND_SLAB, kernel: PAGE_KIND_KERNEL };

function defaultKind(mt: number): string {
  return mt === MIGRATE_MOVABLE ? 'file' : mt === MIGRATE_RECLAIMABLE ? 'slab' : 'kernel';
}

/** Runs the scenario through the engine (which must use a SlowPathDriver). */
export function expandScenario(s: LoadedScenario, engine: ReplayEngine): void {
  const driver = engine.driver as SlowPathDriver;
  const sys = driver.sys;
  const era = sys.pa.era;
  const comms = new Map<number, string>();
  for (const t of s.tasks) {
    comms.set(t.pid, t.comm);
    const id = taskId(sys, t.pid, t.comm);
    setOomScoreAdj(sys, id, t.oom_score_adj);
  }
  s.setup.forEach((step, i) => {
    if (step.fill) {
      const f = step.fill;
      const zone = findZone(engine, f.node, f.zone, s.file, `setup[${i}].fill`);
      const mt = mtByName[f.migratetype]!;
      const tid = f.task !== undefined ? taskId(sys, f.task, comms.get(f.task) ?? `task-${f.task}`) : -1;
      const kind = kindByName[f.kind ?? defaultKind(mt)]!;
      let target: number;
      if (f.pages !== undefined) target = f.pages;
      else if (f.percent !== undefined) target = Math.floor((zone.managedPages * f.percent) / 100);
      else target = Math.max(0, zone.nrFreePages - f.leave_free!);
      fillZone(sys, zone, f.order, mt, kind, tid, target, null);
    } else if (step.fragment) {
      const f = step.fragment;
      const zone = findZone(engine, f.node, f.zone, s.file, `setup[${i}].fragment`);
      const mt = mtByName[f.migratetype]!;
      const tid = f.task !== undefined ? taskId(sys, f.task, comms.get(f.task) ?? `task-${f.task}`) : -1;
      const kind = kindByName[f.kind ?? defaultKind(mt)]!;
      const blocks: number[] = [];
      fillZone(sys, zone, f.keep_order, mt, kind, tid, zone.nrFreePages, blocks);
      const m = /^one-in-(\d+)$/.exec(f.pattern);
      const n = m ? Number(m[1]) : 2;
      blocks.sort((a, b) => a - b);
      for (let k = 0; k < blocks.length; k += n) {
        const pfn = blocks[k]!;
        lruDel(sys, pfn);
        if (tid >= 0) taskPagesAdd(sys, tid, -(1 << f.keep_order));
        freeOnePage(sys.pa, zone, pfn, f.keep_order, 0);
      }
    }
  });

  const req = new Request();
  const named = new Map<string, number[]>();
  const movable = gfpBit('__GFP_MOVABLE', era);
  const reclaimable = gfpBit('__GFP_RECLAIMABLE', era);
  let now = 0;
  for (const r of s.requests) {
    req.name = '';
    req.recOk = true;
    req.recPfn = -1;
    req.migratetype = -1;
    if (r.alloc) {
      const a = r.alloc;
      let gfp = typeof a.gfp === 'number' ? a.gfp : parseGfpFlags(a.gfp, era);
      if (a.migratetype !== undefined) {
        gfp &= ~(movable | reclaimable);
        if (a.migratetype === 'Movable') gfp |= movable;
        else if (a.migratetype === 'Reclaimable') gfp |= reclaimable;
      }
      const pid = a.task ?? DEFAULT_SCENARIO_PID;
      const comm = a.task !== undefined ? comms.get(a.task) ?? `task-${a.task}` : DEFAULT_SCENARIO_COMM;
      if (a.at !== undefined) now = Math.max(now, Math.round(a.at * 1e9));
      const list = a.name ? named.get(a.name) ?? [] : [];
      for (let k = 0; k < a.repeat; k++) {
        if (a.at === undefined || k > 0) now += SCENARIO_TICK_NS;
        req.kind = REQ_ALLOC;
        req.timeNs = now;
        req.timeSec = now / 1e9;
        req.task = comm;
        req.pid = pid;
        req.cpu = 0;
        req.order = a.order;
        req.gfpMask = gfp;
        req.nid = a.node ?? 0;
        req.name = a.name ?? '';
        const h = engine.handle(req);
        if (h > 0) list.push(h);
      }
      if (a.name) named.set(a.name, list);
    } else if (r.free) {
      const list = named.get(r.free.name) ?? [];
      for (const h of list) {
        req.kind = REQ_FREE;
        req.name = r.free.name;
        req.task = DEFAULT_SCENARIO_COMM;
        req.pid = DEFAULT_SCENARIO_PID;
        req.timeNs = now;
        req.timeSec = now / 1e9;
        engine.freeHandle(h, req);
      }
      named.set(r.free.name, []);
    } else if (r.advance !== undefined) {
      now += Math.round(r.advance * 1e9);
      req.kind = REQ_ADVANCE;
      req.timeNs = now;
      req.timeSec = now / 1e9;
      engine.handle(req);
    } else if (r.sysctl) {
      req.kind = REQ_SYSCTL;
      req.timeNs = now;
      req.timeSec = now / 1e9;
      const sc: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(r.sysctl)) if (k !== 'swap' && k !== 'swappiness') sc[k] = v;
      req.sysctl = sc;
      engine.handle(req);
      req.sysctl = null;
    }
  }
}

function findZone(engine: ReplayEngine, node: number, name: string, file: string, path: string): Zone {
  const zi = zoneNames.indexOf(name);
  const zone = engine.machine.nodes[node]?.zones[zi];
  if (!zone || zone.managedPages === 0) throw new InputError(file, `${path}: node ${node} has no populated ${name} zone on this machine`);
  return zone;
}

/** the direct buddy fill (file header): up to `target` pages in blocks of `order`; block pfns into `out` */
function fillZone(sys: MmSystem, zone: Zone, order: number, mt: number, kind: number, tid: number, target: number, out: number[] | null): void {
  const mm = sys.machine.nodes[zone.nodeId]!.memmap;
  const n = 1 << order;
  let done = 0;
  // setup shapes the starting state: a fallback claim during the fill must not leave a watermark boost (and a
  // pending kswapd wakeup) behind, as if a real allocation had fragmented the zone
  const boost = zone.watermarkBoost;
  const flags = zone.flags ?? 0;
  while (done + n <= target) {
    const pfn = rmqueueBlock(zone, mm, order, mt, 0, RMQUEUE_NORMAL);
    if (pfn < 0) break;
    lruAddKind(sys, pfn, order, kind, tid);
    if (tid >= 0) taskPagesAdd(sys, tid, n);
    out?.push(pfn);
    done += n;
  }
  zone.watermarkBoost = boost;
  if (zone.flags !== undefined) zone.flags = (zone.flags & ~ZONE_BOOSTED_WATERMARK) | (flags & ZONE_BOOSTED_WATERMARK);
}
