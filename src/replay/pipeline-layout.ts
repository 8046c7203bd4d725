/**
 * The record layout and messages shared by the replay pipeline's two threads (pipeline.ts, pipeline-worker.ts).
 * One packed record per Request (or bad line): STRIDE doubles in a Float64Array batch, so every number the
 * in-thread path would store (NaN, -1, fractional seconds, 52-bit pfns) crosses unchanged.
 */
import type { ReadResult } from '../trace/read.js';
import type { SerializedError } from '../errors.js';

export const S_KIND = 0;
export const S_TIME = 1;
/** string id of the task (P_ERROR: of the message) */
export const S_TASK = 2;
export const S_PID = 3;
export const S_CPU = 4;
export const S_ORDER = 5;
export const S_GFP_MASK = 6;
export const S_GFP_ERA = 7;
export const S_GFP_TEXT = 8;
export const S_MIGRATETYPE = 9;
export const S_REC_OK = 10;
export const S_REC_PFN = 11;
export const S_NID = 12;
export const S_PFN = 13;
export const S_AUX = 14;
/** four slots: min, low, high, promo */
export const S_WMARKS = 15;
export const STRIDE = 19;

/** pseudo kinds (Request kinds are ≥ 0): a bad line's message for onError; a malformed
 *  mm_setup_per_zone_wmarks, which is no request but has written the record's wmarks */
export const P_ERROR = -1;
export const P_WMARKS_ONLY = -2;

export interface PipelineWorkerData {
  path: string;
  strict: boolean;
  traceKernel: string | undefined;
  nrCpus: number;
  /** records per batch */
  batchEvents: number;
  /** full batches the worker may have posted and not yet got back */
  batchesAhead: number;
}

export type ToMain =
  | { t: 'batch'; buf: ArrayBuffer; n: number; strs: string[] }
  | { t: 'done'; result: ReadResult }
  | { t: 'fail'; err: SerializedError };

export type ToWorker = { t: 'free'; buf: ArrayBuffer };
