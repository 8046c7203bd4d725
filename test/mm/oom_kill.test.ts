import { describe, expect, it } from 'vitest';
import {
  OOM_CURRENT_EXITING,
  OOM_KILLED,
  OOM_NO_FS,
  OOM_NO_KILLABLE,
  OOM_SCORE_ADJ_MIN,
  createOomControl,
  oomBadness,
  oomTotalPages,
  outOfMemory,
  setKthread,
  setOomScoreAdj,
  taskComm,
  taskId,
  taskIsOomVictim,
  taskPid,
} from '../../src/mm/oom_kill.js';
import { LRU_ANON, LRU_FILE, lruListPfns, tryToFreePages } from '../../src/mm/vmscan.js';
import { FREED_BY_OOM_KILL } from '../../src/mm/system.js';
import { vmstatIndex } from '../../src/mm/vmstat.js';
import { PAGE_ALLOC } from '../../src/mm/memmap.js';
import type { MmSystem } from '../../src/mm/system.js';
import { ANON, FILE, KERNEL, acFor, allocN, gfp, machine, makeSys } from '../helpers-reclaim/sys.js';

const v = (sys: MmSystem, name: string): number => sys.vmstat[vmstatIndex(name)]!;

/** the 1 GiB + 16 MiB test machine: managed 3840 + 126976 + 262144 = 392960 pages, no swap */
const TOTAL = 392960;

function threeTasks(): { sys: MmSystem; freed: { pfn: number; order: number; why: number }[]; small: number; big: number; mid: number } {
  const { sys, freed } = makeSys(machine());
  const small = taskId(sys, 101, 'small');
  const big = taskId(sys, 102, 'big');
  const mid = taskId(sys, 103, 'mid');
  allocN(sys, ANON, 100, 0, small);
  allocN(sys, ANON, 300, 0, big);
  allocN(sys, ANON, 200, 0, mid);
  allocN(sys, FILE, 50, 0, big);
  allocN(sys, KERNEL, 3, 0, big);
  return { sys, freed, small, big, mid };
}

describe('taskId', () => {
  it('when a pid is seen again then it keeps its id and takes the newest comm', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
    const a = taskId(sys, 500, 'bash');
    expect(taskId(sys, 501, 'cat')).toBe(a + 1);
    expect(taskId(sys, 500, 'true')).toBe(a);
    expect(taskComm(sys, a)).toBe('true');
    expect(taskPid(sys, a)).toBe(500);
  });
});

describe('oomBadness', () => {
  it('when computed then it is rss + swap entries + page-table pages + adj × (totalpages / 1000)', () => {
    const { sys, big, small } = threeTasks();
    expect(oomTotalPages(sys)).toBe(TOTAL);
    // big: 300 anon + 50 file + 0 swap + 3 kernel ("pgtables") = 353
    expect(oomBadness(sys, big, TOTAL)).toBe(353);
    // adj 500: 500 × floor(392960 / 1000) = 500 × 392 = 196000 (the kernel divides first)
    setOomScoreAdj(sys, small, 500);
    expect(oomBadness(sys, small, TOTAL)).toBe(100 + 196000);
    // negative results are kept (no clamping since 5.9)
    setOomScoreAdj(sys, small, -1);
    expect(oomBadness(sys, small, TOTAL)).toBe(100 - 392);
    setOomScoreAdj(sys, small, OOM_SCORE_ADJ_MIN);
    expect(oomBadness(sys, small, TOTAL)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('outOfMemory', () => {
  it('when several tasks own memory then the highest badness is killed, its anon and kernel blocks freed, its file pages kept', () => {
    const { sys, freed, big } = threeTasks();
    const cur = taskId(sys, 104, 'stress');
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_HIGHUSER_MOVABLE');
    oc.order = 0;
    oc.taskId = cur;
    sys.nowNs = 12_345_678_000;
    expect(outOfMemory(sys, oc)).toBe(true);
    expect(oc.result).toBe(OOM_KILLED);
    expect(oc.victim).toBe(big);
    // 300 anon + 3 kernel pages freed; the 50 page-cache pages stay allocated
    expect(oc.freedPages).toBe(303);
    expect(freed.length).toBe(303);
    expect(freed.every((f) => f.why === FREED_BY_OOM_KILL)).toBe(true);
    expect(v(sys, 'oom_kill')).toBe(1);
    expect(taskIsOomVictim(sys, big)).toBe(true);
    expect(lruListPfns(sys, 0, LRU_ANON).length).toBe(300);
    expect(lruListPfns(sys, 0, LRU_FILE).length).toBe(50);
    const mm = sys.machine.nodes[0]!.memmap;
    expect(lruListPfns(sys, 0, LRU_FILE).every((p) => mm.state[p - mm.startPfn] === PAGE_ALLOC && mm.owner[p - mm.startPfn] === -1)).toBe(true);
    // K(): 4 kB a page; total-vm = rss + swap entries (not in a trace)
    expect(oc.lines).toEqual([
      '[   12.345678] stress invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0',
      '[   12.345678] oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=big,pid=102,uid=0',
      '[   12.345678] Out of memory: Killed process 102 (big) total-vm:1400kB, anon-rss:1200kB, file-rss:200kB, shmem-rss:0kB, UID:0 pgtables:12kB oom_score_adj:0',
      '[   12.345678] oom_reaper: reaped process 102 (big), now anon-rss:0kB, file-rss:200kB, shmem-rss:0kB',
    ]);
    // the next OOM picks the next worst: mid (200) over small (100); big is reaped (MMF_OOM_SKIP)
    expect(outOfMemory(sys, oc)).toBe(true);
    expect(taskPid(sys, oc.victim!)).toBe(103);
  });

  it('when the worst task has oom_score_adj -1000 then it is never chosen', () => {
    const { sys, big, mid } = threeTasks();
    setOomScoreAdj(sys, big, -1000);
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_KERNEL');
    expect(outOfMemory(sys, oc)).toBe(true);
    expect(oc.victim).toBe(mid);
  });

  it('when the worst task is a kernel thread or init then it is passed over', () => {
    const { sys, big, small, mid } = threeTasks();
    setKthread(sys, big, true);
    const init = taskId(sys, 1, 'systemd');
    allocN(sys, ANON, 1000, 0, init);
    const kw = taskId(sys, 77, 'kworker/0:1');
    allocN(sys, ANON, 1000, 0, kw);
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_KERNEL');
    outOfMemory(sys, oc);
    expect(oc.victim).toBe(mid);
    expect(small).toBeLessThan(mid);
  });

  it('when two tasks tie then the later one in the task list wins', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
    const a = taskId(sys, 10, 'a');
    const b = taskId(sys, 11, 'b');
    allocN(sys, ANON, 10, 0, a);
    allocN(sys, ANON, 10, 0, b);
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_KERNEL');
    outOfMemory(sys, oc);
    expect(oc.victim).toBe(b);
  });

  it('when the request lacks __GFP_FS then out_of_memory reports progress without killing', () => {
    const { sys } = threeTasks();
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_NOFS');
    expect(outOfMemory(sys, oc)).toBe(true);
    expect(oc.result).toBe(OOM_NO_FS);
    expect(v(sys, 'oom_kill')).toBe(0);
  });

  it('when the allocating task is already a victim then no second kill happens', () => {
    const { sys, big } = threeTasks();
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_KERNEL');
    outOfMemory(sys, oc);
    oc.taskId = big;
    expect(outOfMemory(sys, oc)).toBe(true);
    expect(oc.result).toBe(OOM_CURRENT_EXITING);
    expect(v(sys, 'oom_kill')).toBe(1);
  });

  it('when no task is killable then the kernel panics', () => {
    const { sys } = makeSys(machine({ zones: ['DMA', 'DMA32'] }));
    const k = taskId(sys, 2, 'kthreadd');
    allocN(sys, KERNEL, 10, 0, k);
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_KERNEL');
    oc.taskId = k;
    expect(outOfMemory(sys, oc)).toBe(false);
    expect(oc.result).toBe(OOM_NO_KILLABLE);
    expect(oc.panic).toBe(true);
    expect(oc.lines!.slice(1)).toEqual(['[    0.000000] Out of memory and no killable processes...', '[    0.000000] Kernel panic - not syncing: System is deadlocked on memory']);
  });

  it('when reclaim swapped a task out then its swap entries count in its badness and are released by the kill', () => {
    const { sys } = makeSys(machine({ swap: true }));
    const t = taskId(sys, 200, 'swappy');
    allocN(sys, ANON, 8192, 0, t);
    // direct reclaim swaps out 34 of its pages (see vmscan.test.ts): rss 8158 + swap 34
    expect(tryToFreePages(sys, acFor(sys, KERNEL), 0, KERNEL)).toBe(34);
    expect(sys.tasks.swapents[t]).toBe(34);
    expect(oomBadness(sys, t, oomTotalPages(sys))).toBe(8192);
    const oc = createOomControl();
    oc.gfpMask = gfp('GFP_KERNEL');
    outOfMemory(sys, oc);
    expect(oc.freedPages).toBe(8158);
    expect(sys.reclaim.swapUsed).toBe(0);
  });
});
