/**
 * The commander program and the error boundary: every known error becomes its message on stderr and its exit
 * code; anything else is an internal error (exit 70, stack only with --debug). Only this directory touches
 * `process`, and only main() does here.
 */
import { once } from 'node:events';
import { Command, CommanderError } from 'commander';
import { ExitCode, MmreplayError } from '../errors.js';
import type { Io } from './io.js';
import { register as registerReplay } from './replay.js';
import { register as registerStat } from './stat.js';
import { register as registerConvert } from './convert.js';
import { register as registerValidate } from './validate.js';
import { register as registerMachine } from './machine.js';
import { register as registerPolicies } from './policies.js';
import { register as registerCheck } from './check.js';
import { register as registerDiff } from './diff.js';

export const VERSION = '0.1.0';

/** Builds the program with every command wired to `io`. */
export function buildProgram(io: Io): Command {
  const program = new Command('mmreplay');
  program
    .description("replay Linux page-allocator traces and scenarios through a simulation of the kernel's page allocator")
    .version(VERSION)
    .option('--debug', 'print stack traces of internal errors')
    .showHelpAfterError()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .exitOverride();
  registerReplay(program, io);
  registerStat(program, io);
  registerConvert(program, io);
  registerValidate(program, io);
  registerMachine(program, io);
  registerPolicies(program, io);
  registerCheck(program, io);
  registerDiff(program, io);
  for (const c of program.commands) c.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return program;
}

/** Runs one command line against `io`; returns the exit code (also left in io.exitCode). */
export async function run(argv: string[], io: Io): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (e) {
    io.exitCode = handleError(e, io, argv.includes('--debug'));
  }
  return io.exitCode;
}

function handleError(e: unknown, io: Io, debug: boolean): number {
  if (e instanceof CommanderError) {
    // help and version exit 0; every other commander error is a usage error (2), not commander's default 1
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return ExitCode.USAGE_OR_INPUT;
  }
  if (e instanceof MmreplayError) {
    io.stderr(`mmreplay: ${e.message}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  io.stderr(`mmreplay: internal error: ${err.message}\n`);
  if (debug && err.stack) io.stderr(`${err.stack}\n`);
  else io.stderr('(run again with --debug for the stack trace, and please report it)\n');
  return ExitCode.INTERNAL;
}

/** The executable's entry: real process streams, exit code through process.exitCode (output is flushed). */
export async function main(argv: string[]): Promise<void> {
  const io: Io = {
    stdout: (s) => { process.stdout.write(s); },
    stdoutDrain: () => (process.stdout.writableNeedDrain ? once(process.stdout, 'drain').then(() => undefined) : undefined),
    stderr: (s) => { process.stderr.write(s); },
    stdin: () => process.stdin,
    env: process.env,
    stdoutIsTTY: Boolean(process.stdout.isTTY),
    stderrIsTTY: Boolean(process.stderr.isTTY),
    exitCode: 0,
    cwd: process.cwd(),
  };
  // a closed pipe (`mmreplay replay … | head`) is not an error
  process.stdout.on('error', (err: NodeJS.ErrnoException) => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); });
  process.exitCode = await run(argv, io);
}
