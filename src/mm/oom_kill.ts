/**
 * Tasks and the OOM killer: mirrors mm/oom_kill.c @ v6.18 — oom_unkillable_task(), oom_badness(),
 * oom_evaluate_task(), select_bad_process(), dump_header() / dump_oom_victim() (their first lines),
 * mark_oom_victim(), __oom_kill_process(), oom_kill_process(), out_of_memory(), and the OOM reaper's result.
 * (__alloc_pages_may_oom()'s bail-outs — costly order, __GFP_RETRY_MAYFAIL, __GFP_THISNODE, lowmem-only
 * requests, the last high-watermark attempt — are the slow path's: slowpath.ts.)
 *
 * Tasks come from the trace (pid, comm) or the scenario and are interned to small ids (taskId()). A task owns
 * what it allocated: memmap.owner of the block head holds the id, and vmscan.ts lruAdd()/lruDel()/reclaim keep
 * the task's page counters by kind (anon, file, slab, kernel) and its swap entries in step with every
 * allocation, free, reclaim and migration, so oom_badness() reads them in O(1).
 *
 * What a kill does here (the kernel's exit + oom_reaper, done at once): the victim's anon and kernel blocks
 * (page tables, kernel stacks, … that exit frees) are freed and reported with FREED_BY_OOM_KILL, its swap
 * slots are released; its file and slab blocks stay allocated (page cache and slab caches outlive the task)
 * but are no longer charged to it. Which kinds are freed is TaskTableOptions.freeKinds.
 *
 * Model of oom_badness() inputs: rss = the task's anon + file pages (MM_ANONPAGES + MM_FILEPAGES; no shmem),
 * swap entries = its anon pages that reclaim swapped out, page-table pages = its kernel pages (the closest
 * thing a trace shows to mm_pgtables_bytes). total-vm, which a trace does not show, is printed as
 * rss + swap entries. UID is 0 unless set. cpusets, mempolicies, memcgs, oom_kill_allocating_task and
 * panic_on_oom (both 0 by default) are not modelled: every OOM is CONSTRAINT_NONE over all nodes.
 */
import { formatGfpMode } from './gfp.js';
import { PAGE_ALLOC } from './memmap.js';
import { dmesgPrefixNs, formatNodeList, newNopageRs, ratelimit } from './show_mem.js';
import type { RatelimitState } from './show_mem.js';
import { FREED_BY_OOM_KILL } from './system.js';
import type { MmSystem } from './system.js';
import { freePages } from './page_alloc.js';
import { OOM_KILL, PGFREE } from './vmstat.js';
import { PAGE_KIND_ANON, PAGE_KIND_FILE, PAGE_KIND_KERNEL, PAGE_KIND_SLAB, lruDel, pageKindAt } from './vmscan.js';

/** include/uapi/linux/oom.h */
export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;
/** LONG_MIN: oom_badness() of an ineligible task (5.9+) */
export const OOM_BADNESS_INELIGIBLE = Number.NEGATIVE_INFINITY;

/** Task flag bits */
/** PF_KTHREAD (or a task without an mm): never chosen */
export const TASK_KTHREAD = 1;
/** tsk_is_oom_victim(): mark_oom_victim() ran; its later allocations get ALLOC_OOM */
export const TASK_OOM_VICTIM = 2;
/** MMF_OOM_SKIP: the victim's memory was reaped; selection passes over it */
export const TASK_OOM_SKIP = 4;

/** What out_of_memory() did (OomControl.result) */
export const OOM_KILLED = 1;
/** current is already a victim (task_will_free_mem(current)): progress without a new kill */
export const OOM_CURRENT_EXITING = 2;
/** no __GFP_FS: "the OOM killer does not compensate for IO-less reclaim": progress without a kill */
export const OOM_NO_FS = 3;
/** an earlier victim has not released its memory yet: selection aborted, progress without a kill */
export const OOM_ABORT = 4;
/** no killable task: the kernel panics ("System is deadlocked on memory") */
export const OOM_NO_KILLABLE = 5;
/** the chosen task is already exiting: marked a victim without the kill messages */
export const OOM_VICTIM_EXITING = 6;
export const oomResultNames: readonly string[] = ['', 'killed', 'current_exiting', 'no_fs', 'abort', 'no_killable', 'victim_exiting'];

/** Decision step of out_of_memory() (AllocSteps): result = victim pid or −1, free = pages freed, mark = badness, aux = OOM_* result */
export const STEP_OOM = 60;
export const oomStepNames: Readonly<Record<number, string>> = { [STEP_OOM]: 'out_of_memory' };

/**
 * Comms of kernel threads (PF_KTHREAD) as a trace shows them; pid 0 (the idle task) and pid 2 (kthreadd) too.
 * A trace has no task flags, so this name rule stands in for them (setKthread() overrides it).
 */
export const kthreadCommPattern =
  /^(?:<idle>|swapper(?:\/\d+)?|kthreadd|kswapd\d+|kcompactd\d+|khugepaged|ksmd|kworker\/.*|ksoftirqd\/\d+|migration\/\d+|cpuhp\/\d+|idle_inject\/\d+|watchdog\/\d+|rcu_.*|rcuo.*|kauditd|oom_reaper|kdamond\.\d+|jbd2\/.*|irq\/.*|kblockd|writeback|kdevtmpfs|khungtaskd|kintegrityd|kthrotld|scsi_.*|card\d+-crtc\d+)$/;

export interface TaskTableOptions {
  /** page kinds a kill frees (PAGE_KIND_* bit per kind: 1 << kind); default anon and kernel */
  freeKinds: number;
}

/** The task list (struct task_struct, reduced): per task id, parallel arrays. */
export interface TaskTable {
  byPid: Map<number, number>;
  pid: number[];
  comm: string[];
  uid: number[];
  oomScoreAdj: number[];
  flags: number[];
  /** pages the task owns by kind (MM_ANONPAGES, MM_FILEPAGES; slab and kernel pages it allocated) */
  anonPages: number[];
  filePages: number[];
  slabPages: number[];
  kernelPages: number[];
  /** MM_SWAPENTS */
  swapents: number[];
  /** pages charged by the slow path (taskPagesAdd) */
  chargedPages: number[];
  /** oom_kill_process()'s oom_rs: DEFAULT_RATELIMIT_INTERVAL (5 s), DEFAULT_RATELIMIT_BURST (10) */
  oomRs: RatelimitState;
  opts: TaskTableOptions;
  /** OOM kills so far */
  kills: number;
  /** pid → id memo in front of byPid, direct-mapped by the pid's low bits (key −1 = empty): one per allocation */
  pidCacheKey: Int32Array;
  pidCacheId: Int32Array;
}

const PID_CACHE_SIZE = 256;

export function createTaskTable(opts?: Partial<TaskTableOptions>): TaskTable {
  return {
    byPid: new Map(),
    pid: [],
    comm: [],
    uid: [],
    oomScoreAdj: [],
    flags: [],
    anonPages: [],
    filePages: [],
    slabPages: [],
    kernelPages: [],
    swapents: [],
    chargedPages: [],
    oomRs: newNopageRs(250, 5, 10),
    opts: { freeKinds: opts?.freeKinds ?? ((1 << PAGE_KIND_ANON) | (1 << PAGE_KIND_KERNEL)) },
    kills: 0,
    pidCacheKey: new Int32Array(PID_CACHE_SIZE).fill(-1),
    pidCacheId: new Int32Array(PID_CACHE_SIZE),
  };
}

/**
 * The small id of task `pid` (interned on first sight). A later comm replaces the earlier one, as a trace shows a
 * pid's last name (exec). Kernel threads are recognised by kthreadCommPattern, pid 0 and pid 2.
 */
export function taskId(sys: MmSystem, pid: number, comm: string): number {
  const t = sys.tasks;
  const slot = pid & (PID_CACHE_SIZE - 1);
  let id: number | undefined;
  if (pid >= 0 && t.pidCacheKey[slot] === pid) id = t.pidCacheId[slot]!;
  else {
    id = t.byPid.get(pid);
    if (id !== undefined && pid >= 0) {
      t.pidCacheKey[slot] = pid;
      t.pidCacheId[slot] = id;
    }
  }
  if (id !== undefined) {
    if (t.comm[id] !== comm) {
      t.comm[id] = comm;
      if (kthreadCommPattern.test(comm)) t.flags[id] = t.flags[id]! | TASK_KTHREAD;
    }
    return id;
  }
  const nid = t.pid.length;
  t.byPid.set(pid, nid);
  t.pid.push(pid);
  t.comm.push(comm);
  t.uid.push(0);
  t.oomScoreAdj.push(0);
  t.flags.push(pid === 0 || pid === 2 || kthreadCommPattern.test(comm) ? TASK_KTHREAD : 0);
  t.anonPages.push(0);
  t.filePages.push(0);
  t.slabPages.push(0);
  t.kernelPages.push(0);
  t.swapents.push(0);
  t.chargedPages.push(0);
  return nid;
}

/** task->comm of an interned task ('' for an unknown id) */
export function taskComm(sys: MmSystem, id: number): string {
  return sys.tasks.comm[id] ?? '';
}

/** task->pid of an interned task (−1 for an unknown id) */
export function taskPid(sys: MmSystem, id: number): number {
  return sys.tasks.pid[id] ?? -1;
}

/**
 * The slow path's charge of a task (allocPages / freeAllocated): a running total of the pages charged to it
 * (`chargedPages`), for reports. oom_badness() does not read it: it reads the per-kind counters that
 * vmscan.ts lruAdd()/lruDel() keep from the block's owner, which also follow reclaim and migration.
 */
export function taskPagesAdd(sys: MmSystem, id: number, pages: number): void {
  if (id < 0 || id >= sys.tasks.chargedPages.length) return;
  sys.tasks.chargedPages[id]! += pages;
}

/** /proc/<pid>/oom_score_adj (clamped to −1000..1000 as the kernel's write handler rejects anything else). */
export function setOomScoreAdj(sys: MmSystem, id: number, adj: number): void {
  sys.tasks.oomScoreAdj[id] = Math.max(OOM_SCORE_ADJ_MIN, Math.min(OOM_SCORE_ADJ_MAX, Math.trunc(adj)));
}

/** Mark a task as a kernel thread (PF_KTHREAD) or not, overriding the comm rule. */
export function setKthread(sys: MmSystem, id: number, kthread: boolean): void {
  const t = sys.tasks;
  t.flags[id] = kthread ? t.flags[id]! | TASK_KTHREAD : t.flags[id]! & ~TASK_KTHREAD;
}

/** tsk_is_oom_victim(): the slow path gives such a task ALLOC_OOM (oom_reserves_allowed()). */
export function taskIsOomVictim(sys: MmSystem, id: number): boolean {
  return id >= 0 && id < sys.tasks.flags.length && (sys.tasks.flags[id]! & TASK_OOM_VICTIM) !== 0;
}

/** oom_unkillable_task(): is_global_init() (pid 1) or PF_KTHREAD */
export function oomUnkillableTask(sys: MmSystem, id: number): boolean {
  const t = sys.tasks;
  return t.pid[id] === 1 || (t.flags[id]! & TASK_KTHREAD) !== 0;
}

/** totalram_pages() + total_swap_pages: the size of a global OOM's domain */
export function oomTotalPages(sys: MmSystem): number {
  let total = 0;
  for (const node of sys.machine.nodes) for (const zone of node.zones) total += zone.managedPages;
  return total + sys.reclaim.swapPages;
}

/**
 * oom_badness() (5.9+): LONG_MIN (−Infinity here) for unkillable tasks, oom_score_adj −1000, or a reaped mm
 * (MMF_OOM_SKIP); else rss + swap entries + page-table pages, plus oom_score_adj × (totalpages / 1000) — the
 * kernel divides first (`adj *= totalpages / 1000`), so the adjustment moves in steps of totalpages / 1000.
 * No clamping: the result may be negative.
 */
export function oomBadness(sys: MmSystem, id: number, totalpages: number): number {
  const t = sys.tasks;
  if (oomUnkillableTask(sys, id)) return OOM_BADNESS_INELIGIBLE;
  const adj = t.oomScoreAdj[id]!;
  if (adj === OOM_SCORE_ADJ_MIN || t.flags[id]! & TASK_OOM_SKIP) return OOM_BADNESS_INELIGIBLE;
  const points = t.anonPages[id]! + t.filePages[id]! + t.swapents[id]! + t.kernelPages[id]!;
  return points + adj * Math.floor(totalpages / 1000);
}

/** The victim chosen by selectBadProcess(): a task id, −1 none, −2 abort (an earlier victim is still exiting). */
export const OOM_CHOSEN_NONE = -1;
export const OOM_CHOSEN_ABORT = -2;

/**
 * select_bad_process() / oom_evaluate_task() over every task in creation order (for_each_process): unkillable
 * tasks are passed over; an OOM victim whose memory is not reaped yet aborts the selection; otherwise the
 * highest badness wins, a later task winning a tie (only strictly smaller scores are skipped). Returns the task
 * id (OOM_CHOSEN_NONE / OOM_CHOSEN_ABORT) and leaves its score in `out.points`.
 */
export function selectBadProcess(sys: MmSystem, totalpages: number, out: { points: number }): number {
  const t = sys.tasks;
  let chosen = OOM_CHOSEN_NONE;
  let chosenPoints = Number.NEGATIVE_INFINITY;
  const n = t.pid.length;
  for (let id = 0; id < n; id++) {
    if (oomUnkillableTask(sys, id)) continue;
    if (t.flags[id]! & TASK_OOM_VICTIM) {
      if (t.flags[id]! & TASK_OOM_SKIP) continue;
      out.points = Number.NEGATIVE_INFINITY;
      return OOM_CHOSEN_ABORT;
    }
    const points = oomBadness(sys, id, totalpages);
    if (points === OOM_BADNESS_INELIGIBLE || points < chosenPoints) continue;
    chosen = id;
    chosenPoints = points;
  }
  out.points = chosenPoints;
  return chosen;
}

/**
 * struct oom_control, plus what the simulator reports back (the result fields are written by outOfMemory();
 * they are optional so that a caller may pass a bare { gfpMask, order, taskId, nodemask }). Reuse one per caller.
 */
export interface OomControl {
  gfpMask: number;
  order: number;
  /** the allocating task (current), −1 if unknown */
  taskId: number;
  /** ac->nodemask as a node bit mask; −1 or absent = NULL (all nodes, prints "(null)") */
  nodemask?: number;
  /** ac->highest_zoneidx (not read: global OOMs are CONSTRAINT_NONE) */
  highestZoneidx?: number;
  // ---- results ----
  /** the kernel's lines, each with the dmesg `[seconds]` prefix of sys.nowNs */
  lines?: string[];
  /** task id of the victim, −1 none */
  victim?: number;
  /** pages freed by the kill */
  freedPages?: number;
  /** OOM_* */
  result?: number;
  /** the kernel would panic (no killable task) */
  panic?: boolean;
}

export function createOomControl(): OomControl {
  return { gfpMask: 0, order: 0, taskId: -1, nodemask: -1, lines: [], victim: -1, freedPages: 0, result: 0, panic: false };
}

/** `%*pbl` of a node bit mask */
function nodeList(mask: number): string {
  const ids: number[] = [];
  for (let n = 0; n < 31; n++) if (mask & (1 << n)) ids.push(n);
  return formatNodeList(ids);
}

/** K(): pages → kB */
function K(pages: number): number {
  return pages * 4;
}

function commOf(sys: MmSystem, id: number): string {
  return id >= 0 && id < sys.tasks.comm.length ? sys.tasks.comm[id]!.slice(0, 15) : '<unknown>';
}

/** dump_header()'s first line (dump_stack, show_mem and the task dump that follow it are not emitted). */
export function oomInvokedLine(sys: MmSystem, oc: OomControl): string {
  const adj = oc.taskId >= 0 && oc.taskId < sys.tasks.oomScoreAdj.length ? sys.tasks.oomScoreAdj[oc.taskId]! : 0;
  return `${commOf(sys, oc.taskId)} invoked oom-killer: gfp_mask=${formatGfpMode(oc.gfpMask, sys.pa.era)}, order=${oc.order}, oom_score_adj=${adj}`;
}

/** __oom_kill_process()'s line (pr_err), with the counters as they were before the kill. */
export function oomKilledLine(sys: MmSystem, id: number, message = 'Out of memory'): string {
  const t = sys.tasks;
  const anon = t.anonPages[id]!;
  const file = t.filePages[id]!;
  const totalVm = anon + file + t.swapents[id]!;
  return (
    `${message}: Killed process ${t.pid[id]} (${commOf(sys, id)}) total-vm:${K(totalVm)}kB, anon-rss:${K(anon)}kB, ` +
    `file-rss:${K(file)}kB, shmem-rss:0kB, UID:${t.uid[id]} pgtables:${K(t.kernelPages[id]!)}kB oom_score_adj:${t.oomScoreAdj[id]}`
  );
}

/** mark_oom_victim(): the task may now use the OOM reserves (ALLOC_OOM); the reaper will set MMF_OOM_SKIP. */
export function markOomVictim(sys: MmSystem, id: number): void {
  sys.tasks.flags[id] = sys.tasks.flags[id]! | TASK_OOM_VICTIM;
}

/**
 * The victim's exit and the oom_reaper, at once: free every block it owns of a kind in freeKinds (lruDel, the
 * hook with FREED_BY_OOM_KILL, the buddy free, pgfree), release its swap slots, stop charging it for the blocks
 * that stay (page cache, slab), and set MMF_OOM_SKIP. Walks the memmap: OOM kills are rare. Returns pages freed.
 */
export function oomReapTask(sys: MmSystem, id: number): number {
  const t = sys.tasks;
  const freeKinds = t.opts.freeKinds;
  let freed = 0;
  for (const node of sys.machine.nodes) {
    const mm = node.memmap;
    const base = mm.startPfn;
    const owner = mm.owner;
    const state = mm.state;
    for (let i = 0; i < mm.nrPages; i++) {
      if (owner[i] !== id || state[i] !== PAGE_ALLOC) continue;
      const pfn = i + base;
      const kind = pageKindAt(sys, pfn);
      const order = mm.order[i]!;
      if (freeKinds & (1 << kind)) {
        lruDel(sys, pfn);
        owner[i] = -1;
        sys.hooks.freedBySimulator(pfn, order, FREED_BY_OOM_KILL);
        freePages(sys.pa, pfn, order, sys.pa.cpu);
        sys.vmstat[PGFREE]! += 2 ** order;
        freed += 2 ** order;
      } else {
        owner[i] = -1;
      }
    }
  }
  sys.reclaim.swapUsed -= Math.min(sys.reclaim.swapUsed, t.swapents[id]!);
  t.anonPages[id] = 0;
  t.filePages[id] = 0;
  t.slabPages[id] = 0;
  t.kernelPages[id] = 0;
  t.swapents[id] = 0;
  t.flags[id] = t.flags[id]! | TASK_OOM_SKIP;
  return freed;
}

/**
 * out_of_memory() for a global OOM (v6.18): a current task that is already a victim makes progress without a new
 * kill; a request without __GFP_FS returns true without killing; otherwise select_bad_process() — with no
 * killable task the kernel prints "Out of memory and no killable processes..." and panics (oc.panic, returns
 * false); an aborted selection returns true; else oom_kill_process(): the ratelimited dump_header() and
 * oom-kill summary lines, "Out of memory: Killed process …", oom_kill++, mark_oom_victim(), the memory freed.
 * Returns true when the caller may count it as progress (did_some_progress = 1).
 */
export function outOfMemory(sys: MmSystem, oc: OomControl): boolean {
  const t = sys.tasks;
  const lines = oc.lines ?? (oc.lines = []);
  lines.length = 0;
  oc.victim = -1;
  oc.freedPages = 0;
  oc.panic = false;
  const prefix = dmesgPrefixNs(sys.nowNs);
  const steps = sys.pa.steps;
  const done = (result: number, ret: boolean, points = 0): boolean => {
    oc.result = result;
    const v = oc.victim!;
    if (steps.enabled) steps.push(STEP_OOM, null, oc.freedPages!, points, 0, v >= 0 ? t.pid[v]! : -1, oc.gfpMask, result);
    return ret;
  };
  // task_will_free_mem(current): it is dying anyway and will free its memory
  if (oc.taskId >= 0 && taskIsOomVictim(sys, oc.taskId)) return done(OOM_CURRENT_EXITING, true);
  // the OOM killer does not compensate for IO-less reclaim
  if (!(oc.gfpMask & sys.reclaim.bits.__GFP_FS)) return done(OOM_NO_FS, true);
  const totalpages = oomTotalPages(sys);
  const sel = { points: 0 };
  const chosen = selectBadProcess(sys, totalpages, sel);
  if (chosen === OOM_CHOSEN_NONE) {
    lines.push(prefix + oomInvokedLine(sys, oc));
    lines.push(prefix + 'Out of memory and no killable processes...');
    lines.push(prefix + 'Kernel panic - not syncing: System is deadlocked on memory');
    oc.panic = true;
    return done(OOM_NO_KILLABLE, false);
  }
  if (chosen === OOM_CHOSEN_ABORT) return done(OOM_ABORT, true);
  oc.victim = chosen;
  if (t.flags[chosen]! & TASK_OOM_VICTIM) {
    // task_will_free_mem(victim): already exiting, no messages
    return done(OOM_VICTIM_EXITING, true, sel.points);
  }
  if (ratelimit(t.oomRs, sys.nowNs)) {
    lines.push(prefix + oomInvokedLine(sys, oc));
    const nodemask = oc.nodemask === undefined || oc.nodemask === -1 ? '(null)' : nodeList(oc.nodemask);
    const mems = sys.machine.nodes.length > 1 ? `0-${sys.machine.nodes.length - 1}` : '0';
    lines.push(
      prefix + `oom-kill:constraint=CONSTRAINT_NONE,nodemask=${nodemask},cpuset=/,mems_allowed=${mems},global_oom,task_memcg=/,task=${commOf(sys, chosen)},pid=${t.pid[chosen]},uid=${t.uid[chosen]}`,
    );
  }
  lines.push(prefix + oomKilledLine(sys, chosen));
  sys.vmstat[OOM_KILL]!++;
  t.kills++;
  markOomVictim(sys, chosen);
  const filePages = t.filePages[chosen]!;
  oc.freedPages = oomReapTask(sys, chosen);
  lines.push(prefix + `oom_reaper: reaped process ${t.pid[chosen]} (${commOf(sys, chosen)}), now anon-rss:0kB, file-rss:${K(filePages)}kB, shmem-rss:0kB`);
  return done(OOM_KILLED, true, sel.points);
}

// kinds referenced by the options' documentation
export const oomKindBits = { anon: 1 << PAGE_KIND_ANON, file: 1 << PAGE_KIND_FILE, slab: 1 << PAGE_KIND_SLAB, kernel: 1 << PAGE_KIND_KERNEL } as const;
