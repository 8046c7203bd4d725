/**
 * The decision log's levels (`replay --log`) and the event mask each one builds. A module of its own, without the
 * simulator's imports: the replay command's options need it before the simulator loads (src/cli/replay.ts).
 */

/** which events a run builds: failures (failed allocations), decisions (every request), steps (with steps[]) */
export const LOG_FAILURES = 1;
export const LOG_DECISIONS = 2;
export const LOG_STEPS = 4;
export const logLevels = ['none', 'failures', 'decisions', 'steps'] as const;
export type LogLevel = (typeof logLevels)[number];
export function logMask(level: LogLevel): number {
  switch (level) {
    case 'none': return 0;
    case 'failures': return LOG_FAILURES;
    case 'decisions': return LOG_FAILURES | LOG_DECISIONS;
    case 'steps': return LOG_FAILURES | LOG_DECISIONS | LOG_STEPS;
  }
}
