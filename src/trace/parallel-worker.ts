/**
 * The worker half of the parallel `stat` (parallel.ts): takes ranges of the file from the shared counter, parses
 * them, and posts its ThreadOut once (or the error it met). It imports the trace parser only (src/trace/*), so it
 * starts in a few tens of milliseconds.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { parseRanges, type RangeJob, type WorkerMsg } from './parallel.js';

const port = parentPort!;
try {
  port.postMessage({ t: 'done', out: parseRanges(workerData as RangeJob) } satisfies WorkerMsg);
} catch (e) {
  const err = e as Error & { code?: unknown; location?: unknown; exitCode?: unknown };
  port.postMessage({
    t: 'fail',
    err: {
      name: err?.name ?? 'Error', message: String(err?.message ?? e), stack: err?.stack,
      code: typeof err?.code === 'string' ? err.code : undefined,
      location: typeof err?.location === 'string' ? err.location : undefined,
      exitCode: typeof err?.exitCode === 'number' ? err.exitCode : undefined,
    },
  } satisfies WorkerMsg);
}
