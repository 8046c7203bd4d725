/**
 * The error classes every layer throws and the exit codes the CLI maps them to (documented in README.md).
 * Known errors carry a stable `code` and a located message; only an InternalError (or anything unexpected)
 * is a bug, and only that prints a stack, and then only with --debug.
 */

/** Exit codes of every command. */
export const ExitCode = {
  OK: 0,
  /** expectations not met, a regression, --fail-on-diff with differences */
  EXPECTATION_FAILED: 1,
  /** usage error, unreadable or invalid input */
  USAGE_OR_INPUT: 2,
  /** the buddy allocator's invariants were violated (--check-invariants / MMREPLAY_DEBUG_VM) */
  INVARIANT: 3,
  /** a bug in mmreplay */
  INTERNAL: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Base of all known errors: a message meant for the user, a stable code, the exit code to use. */
export class MmreplayError extends Error {
  readonly code: string;
  readonly exitCode: ExitCode;
  constructor(message: string, code: string, exitCode: ExitCode) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** Bad command line (unknown option, missing argument, unknown preset). */
export class UsageError extends MmreplayError {
  constructor(message: string, code = 'usage') {
    super(message, code, ExitCode.USAGE_OR_INPUT);
  }
}

/**
 * Bad input data. `location` is `file:line` for traces or `file: json.path` for scenarios; the message is
 * printed as `${location}: ${message}`.
 */
export class InputError extends MmreplayError {
  readonly location: string;
  constructor(location: string, message: string, code = 'input') {
    super(location ? `${location}: ${message}` : message, code, ExitCode.USAGE_OR_INPUT);
    this.location = location;
  }
}

/** An invariant of the simulated allocator does not hold (CONFIG_DEBUG_VM's VM_BUG_ON). */
export class InvariantError extends MmreplayError {
  constructor(message: string) {
    super(message, 'invariant', ExitCode.INVARIANT);
  }
}

/** Expectations not met (check, diff --fail-on-diff). */
export class ExpectationError extends MmreplayError {
  constructor(message: string) {
    super(message, 'expectation', ExitCode.EXPECTATION_FAILED);
  }
}

/** An error as it crosses a worker_threads boundary (structured clone keeps no class). */
export interface SerializedError {
  name: string; message: string; stack: string | undefined;
  code: string | undefined; location: string | undefined; exitCode: number | undefined;
}

/** what a worker posts for an error it caught */
export function serializeError(e: unknown): SerializedError {
  const err = e as Error & { code?: unknown; location?: unknown; exitCode?: unknown };
  return {
    name: err?.name ?? 'Error', message: String(err?.message ?? e), stack: err?.stack,
    code: typeof err?.code === 'string' ? err.code : undefined,
    location: typeof err?.location === 'string' ? err.location : undefined,
    exitCode: typeof err?.exitCode === 'number' ? err.exitCode : undefined,
  };
}

/**
 * A worker's error as the class the main thread would have thrown (an InputError stays exit 2); anything else
 * is an internal error whose message is prefixed with `context`.
 */
export function reviveError(e: SerializedError, context = ''): Error {
  if (e.name === 'InputError' && e.location !== undefined) {
    const raw = e.location && e.message.startsWith(`${e.location}: `) ? e.message.slice(e.location.length + 2) : e.message;
    return new InputError(e.location, raw, e.code);
  }
  if (e.name === 'UsageError') return new UsageError(e.message, e.code);
  if (e.exitCode !== undefined && e.code !== undefined) return new MmreplayError(e.message, e.code, e.exitCode as ExitCode);
  const err = new Error(`${context}${e.message}`);
  if (e.stack) err.stack = e.stack;
  return err;
}
