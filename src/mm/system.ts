/**
 * The simulated kernel's global state: what are globals in the kernel (node_data[], vm_event_states, the vm
 * sysctls, jiffies, the task list, kswapd/kcompactd per node). One MmSystem per replayed side; nothing in src/mm
 * keeps module-level mutable state that outlives a request (buddyStats / pcpStats are per-call scratch records).
 *
 * Ownership: each field's module creates it (createReclaimState in vmscan.ts, createCompactionState in
 * compaction.ts, createTaskTable in oom_kill.ts); createMmSystem() in slowpath.ts assembles them.
 */
import type { Machine } from './machine.js';
import type { PageAlloc } from './page_alloc.js';
import type { Policy } from '../policy/policy.js';
import type { WarnAllocState } from './show_mem.js';
import type { ReclaimState } from './vmscan.js';
import type { CompactionState } from './compaction.js';
import type { TaskTable } from './oom_kill.js';

/** Why the simulator itself freed or moved a block (MmHooks). */
export const FREED_BY_KSWAPD = 1;
export const FREED_BY_DIRECT_RECLAIM = 2;
export const FREED_BY_OOM_KILL = 3;

/**
 * Callbacks the replay engine installs so that its handles (recorded pfn → simulated block) follow what the
 * simulator does on its own. Called synchronously; must not allocate on the hot path.
 */
export interface MmHooks {
  /** compaction migrated an allocated block: its contents now live at newPfn */
  moved(oldPfn: number, newPfn: number, order: number): void;
  /** the simulator freed an allocated block by itself (reclaim, OOM kill): `why` is FREED_BY_* */
  freedBySimulator(pfn: number, order: number, why: number): void;
}

export interface MmSystem {
  machine: Machine;
  policy: Policy;
  /** the fast path's state (page_alloc.ts), incl. the reusable decision-step recorder */
  pa: PageAlloc;
  /** /proc/vmstat counters, indexed by the ids of vmstat.ts */
  vmstat: Float64Array;
  /** simulated time in ns (the trace's clock, or the scenario's) */
  nowNs: number;
  /** vmscan.ts: page kinds, LRU lists, kswapd per node */
  reclaim: ReclaimState;
  /** compaction.ts: per-zone deferral and scanner state, kcompactd per node */
  compaction: CompactionState;
  /** oom_kill.ts: tasks (pid, comm, oom_score_adj, pages owned), OOM victims */
  tasks: TaskTable;
  /** show_mem.ts: warn_alloc's nopage_rs ratelimit */
  warn: WarnAllocState;
  hooks: MmHooks;
}
