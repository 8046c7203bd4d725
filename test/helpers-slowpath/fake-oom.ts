/**
 * A stand-in for src/mm/oom_kill.ts while the reclaim helper writes the real one: tasks interned by (pid, comm),
 * pages charged per task, out_of_memory() returning true without a kill for a request lacking __GFP_FS and
 * otherwise killing the task with the most pages (oom_score_adj added as in oom_badness's adj * totalpages/1000),
 * freeing its LRU blocks.
 */
import type { MmSystem } from '../../src/mm/system.js';
import { freePages } from '../../src/mm/page_alloc.js';
import { OOM_KILL, PGFREE } from '../../src/mm/vmstat.js';
import { FREED_BY_OOM_KILL } from '../../src/mm/system.js';
import { gfpBit } from '../../src/mm/gfp.js';
import type { ReclaimState } from './fake-vmscan.js';

export interface TaskTable { pid: number[]; comm: string[]; pages: number[]; adj: number[]; victim: boolean[]; byKey: Map<string, number>; kills: string[] }

export function createTaskTable(): TaskTable {
  return { pid: [], comm: [], pages: [], adj: [], victim: [], byKey: new Map(), kills: [] };
}
const t = (sys: MmSystem) => sys.tasks as unknown as TaskTable;

export function taskId(sys: MmSystem, pid: number, comm: string): number {
  const tt = t(sys);
  const key = `${pid}:${comm}`;
  let id = tt.byKey.get(key);
  if (id === undefined) {
    id = tt.pid.length;
    tt.byKey.set(key, id);
    tt.pid.push(pid);
    tt.comm.push(comm);
    tt.pages.push(0);
    tt.adj.push(0);
    tt.victim.push(false);
  }
  return id;
}
export function setOomScoreAdj(sys: MmSystem, id: number, adj: number): void {
  t(sys).adj[id] = adj;
}
export function taskIsOomVictim(sys: MmSystem, id: number): boolean {
  return t(sys).victim[id] ?? false;
}
export function taskComm(sys: MmSystem, id: number): string {
  return t(sys).comm[id] ?? '';
}
export function taskPid(sys: MmSystem, id: number): number {
  return t(sys).pid[id] ?? 0;
}
export function taskPagesAdd(sys: MmSystem, id: number, pages: number): void {
  if (id >= 0) t(sys).pages[id]! += pages;
}

export function outOfMemory(sys: MmSystem, oc: { gfpMask: number; order: number }): boolean {
  if (!(oc.gfpMask & gfpBit('__GFP_FS', sys.pa.era))) return true;
  const tt = t(sys);
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < tt.pid.length; i++) {
    if (tt.victim[i] || tt.adj[i] === -1000) continue;
    const score = tt.pages[i]! + Math.floor((tt.adj[i]! * 16384) / 1000);
    if (score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  if (best < 0) return false;
  tt.victim[best] = true;
  tt.kills.push(tt.comm[best]!);
  sys.vmstat[OOM_KILL]! += 1;
  const rs = sys.reclaim as unknown as ReclaimState;
  for (const [pfn, e] of rs.lru) {
    if (e.taskId !== best) continue;
    rs.lru.delete(pfn);
    freePages(sys.pa, pfn, e.order, 0);
    sys.vmstat[PGFREE]! += 1 << e.order;
    tt.pages[best]! -= 1 << e.order;
    sys.hooks.freedBySimulator(pfn, e.order, FREED_BY_OOM_KILL);
  }
  return true;
}
